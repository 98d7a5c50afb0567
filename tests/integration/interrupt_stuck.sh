#!/usr/bin/env bash
# Ctrl-C while every customer is stuck on a slowloris server (a body that
# trickles a byte every 100 ms, with a --timeout of 10 minutes): the first
# Ctrl-C lets the transfers run, the second cuts them off at once; exit 130,
# every report written and valid, the cut-off steps named. Meson's timeout
# bounds the run; synchronised on techweek's progress lines, never a sleep.
#
# usage: interrupt_stuck.sh TECHWEEK STAGE
set -uo pipefail
techweek=$1 stage_bin=$2
source "$(dirname "$0")/start_stage.sh"

cat >"$work/stuck.rehearsal" <<'R'
rehearsal "Stuck customers"
scene "Wait" on web
  get {{stage}}/fault/trickle?ms=100
R
mkfifo "$work/progress"
"$techweek" run --var "stage=$stage" --performances 10 --customers 2 --progress 100ms \
  --timeout 10m --reports "$work/reports" --color never "$work/stuck.rehearsal" \
  >"$work/stdout" 2>"$work/progress" &
pid=$!
exec 3<"$work/progress"
# Both customers are stuck in their transfer once a line says "2 under way".
line=
until [[ $line == *"2 under way"* ]]; do
  read -r line <&3 || { echo "no progress line with 2 under way"; exit 1; }
done
kill -INT "$pid"
until [[ $line == *"(stopping)"* ]]; do
  read -r line <&3 || { echo "no (stopping) progress line"; exit 1; }
done
kill -INT "$pid"
cat <&3 >"$work/stderr" &
drain=$!
wait "$pid"
status=$?
wait "$drain"

problems=()
[ "$status" = 130 ] || problems+=("exit status $status, expected 130")
stopped=$(jq -r .totals.stopped "$work/reports/result.json" 2>&1)
[ "$stopped" = interrupted ] || problems+=("totals.stopped is '$stopped'")
# The 2 under way were cut off, not performed: counted apart, not as failed.
cut=$(jq -r .totals.interrupted "$work/reports/result.json" 2>&1)
[ "$cut" = 2 ] || problems+=("totals.interrupted is '$cut', expected the 2 under way")
performed=$(jq -r .totals.performances "$work/reports/result.json" 2>&1)
[ "$performed" = 0 ] || problems+=("totals.performances is '$performed', expected 0")
grep -qF "cut off" "$work/stdout" || problems+=("stdout does not say the steps were cut off")
xmllint --noout "$work/reports/junit.xml" 2>/dev/null || problems+=("junit.xml missing or not XML")
[ -s "$work/reports/readiness.html" ] || problems+=("no readiness.html")

if [ ${#problems[@]} -eq 0 ]; then
  echo "ok   a second Ctrl-C cuts off transfers stuck on a slowloris server"
else
  echo "FAIL a second Ctrl-C cuts off transfers stuck on a slowloris server"
  printf '     %s\n' "${problems[@]}"
  sed 's/^/     /' "$work/stdout" | head -30
  sed 's/^/     /' "$work/stderr" | tail -5
  exit 1
fi
