#!/usr/bin/env bash
# Ctrl-C during a dress rehearsal: no more performances start, the ones
# under way finish (their think time cut short), the reports hold what was
# performed, and the exit status says the run was interrupted (130).
# Synchronised on techweek's own progress line, never on a sleep.
set -uo pipefail
techweek=$1 stage_bin=$2
work=$(mktemp -d)
coproc STAGE { exec "$stage_bin" --port 0; }
trap 'kill $STAGE_PID 2>/dev/null; rm -rf "$work"' EXIT
read -r stage <&"${STAGE[0]}" || { echo "the stage did not start"; exit 1; }

cat >"$work/slow.rehearsal" <<'R'
rehearsal "Slow customers"
scene "Browse" on web
  get {{stage}}/ping
  expect status 200
  pause 20s
  get {{stage}}/ping
R
mkfifo "$work/progress"
"$techweek" run --var "stage=$stage" --performances 1000 --customers 4 --progress 100ms \
  --reports "$work/reports" --color never "$work/slow.rehearsal" \
  >"$work/stdout" 2>"$work/progress" &
pid=$!
# The first progress line means performances are under way.
exec 3<"$work/progress"
read -r first <&3 || { echo "no progress line"; exit 1; }
kill -INT "$pid"
cat <&3 >"$work/stderr" &
drain=$!
wait "$pid"
status=$?
wait "$drain"

problems=()
[ "$status" = 130 ] || problems+=("exit status $status, expected 130")
performed=$(jq -r .totals.performances "$work/reports/result.json" 2>&1)
stopped=$(jq -r .totals.stopped "$work/reports/result.json" 2>&1)
[ "$stopped" = interrupted ] || problems+=("totals.stopped is '$stopped'")
case $performed in
  ''|*[!0-9]*) problems+=("totals.performances is '$performed'") ;;
  *) { [ "$performed" -ge 1 ] && [ "$performed" -lt 1000 ]; } ||
       problems+=("performed $performed of 1000: expected some, not all") ;;
esac
xmllint --noout "$work/reports/junit.xml" 2>/dev/null || problems+=("no valid JUnit report")
grep -q "interrupted" "$work/stdout" || problems+=("the summary does not say interrupted")
if [ ${#problems[@]} -eq 0 ]; then
  echo "ok   interrupt ($performed performed; first progress: $first)"
else
  echo "FAIL interrupt"; printf '     %s\n' "${problems[@]}"
  sed 's/^/     /' "$work/stdout" | head -30; sed 's/^/     /' "$work/stderr" | head -10
  exit 1
fi
