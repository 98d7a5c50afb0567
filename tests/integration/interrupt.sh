#!/usr/bin/env bash
# Ctrl-C during a dress rehearsal: no more performances start, the ones
# under way finish (their think time cut short), the reports hold what was
# performed, and the exit status says the run was interrupted (130). A
# second Ctrl-C cuts off the performances under way: they are counted as
# interrupted, never as failed, and left out of the score.
# Synchronised on techweek's own progress lines, never on a sleep.
set -uo pipefail
techweek=$1 stage_bin=$2
source "$(dirname "$0")/start_stage.sh"

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
# The verdict is the exit status's, in every report (docs/readiness.md).
verdict=$(jq -r '"\(.verdict) \(.readiness.passed)"' "$work/reports/result.json" 2>&1)
[ "$verdict" = "interrupted false" ] || problems+=("JSON verdict and readiness.passed: '$verdict'")
grep -qF "— NOT READY: interrupted" "$work/stdout" || problems+=("the terminal's verdict is not NOT READY: interrupted")
grep -q 'name="verdict" value="NOT READY: interrupted"' "$work/reports/junit.xml" ||
  problems+=("the JUnit verdict is not NOT READY: interrupted")
grep -qF "— NOT READY: interrupted ·" "$work/reports/readiness.html" ||
  problems+=("the HTML title is not NOT READY: interrupted")
failed=0
if [ ${#problems[@]} -eq 0 ]; then
  echo "ok   interrupt ($performed performed; first progress: $first)"
else
  echo "FAIL interrupt"; printf '     %s\n' "${problems[@]}"
  sed 's/^/     /' "$work/stdout" | head -30; sed 's/^/     /' "$work/stderr" | head -10
  failed=1
fi

# A second Ctrl-C cuts off the performances under way. They were not
# performed: counted apart as interrupted in every report, not as failed
# transport, and left out of the score. "Quick" is performed in full;
# "Hanging" waits on a response that takes a minute when it is cut off.
# As a shard of one, so that techweek merge reads the counts back too.
cat >"$work/quick.rehearsal" <<'R'
rehearsal "Quick"
scene "Ping" on web
  get {{stage}}/ping
  expect status 200
R
cat >"$work/hanging.rehearsal" <<'R'
rehearsal "Hanging"
scene "Wait" on web
  get {{stage}}/fault/slow?ms=60000
  expect status 200
R
mkfifo "$work/progress2"
"$techweek" run --var "stage=$stage" --customers 2 --timeout 2m --progress 100ms --shard 1/1 \
  --reports "$work/cut" --color never "$work/hanging.rehearsal" "$work/quick.rehearsal" \
  >"$work/cut.out" 2>"$work/progress2" &
pid=$!
exec 4<"$work/progress2"
# Quick is done and Hanging under way: stop; once stopping shows, cut off.
sent=0
while IFS= read -r line <&4; do
  printf '%s\n' "$line" >>"$work/cut.err"
  case $sent:$line in
    0:*"1/2 performances"*"1 under way"*) kill -INT "$pid"; sent=1 ;;
    1:*"(stopping)"*) kill -INT "$pid"; sent=2; break ;;
  esac
done
cat <&4 >>"$work/cut.err" &
drain=$!
wait "$pid"
status=$?
wait "$drain"
problems=()
json=$work/cut/result.json
[ "$status" = 130 ] || problems+=("exit status $status, expected 130")
q() { jq -r "$1" "$json" 2>&1; }
[ "$(q .totals.interrupted)" = 1 ] || problems+=("totals.interrupted is '$(q .totals.interrupted)', expected 1")
[ "$(q .totals.failed)" = 0 ] || problems+=("totals.failed is '$(q .totals.failed)', expected 0")
[ "$(q .totals.performances)" = 1 ] || problems+=("totals.performances is '$(q .totals.performances)', expected 1")
[ "$(q '.rehearsals[] | select(.name == "Hanging") | .interrupted')" = 1 ] ||
  problems+=("Hanging's interrupted count is not 1")
[ "$(q .readiness.score)" = 100 ] || problems+=("readiness score '$(q .readiness.score)', expected 100 (Quick only)")
grep -q 'name="interrupted" value="1"' "$work/cut/junit.xml" ||
  problems+=("the JUnit report does not count the interrupted performance")
[ "$(xmllint --xpath 'string(//testsuite[@name="Hanging"]/@failures)' "$work/cut/junit.xml" 2>&1)" = 0 ] ||
  problems+=("the JUnit report counts the cut-off scene as a failure")
# The only failure CI counts is the verdict's own testcase: interrupted.
[ "$(xmllint --xpath 'string(/testsuites/@failures)' "$work/cut/junit.xml" 2>&1)" = 1 ] ||
  problems+=("the JUnit report counts failures other than the verdict's")
[ "$(xmllint --xpath 'string(//testcase[@name="readiness verdict"]/failure/@type)' "$work/cut/junit.xml" 2>&1)" = interrupted ] ||
  problems+=("the JUnit verdict testcase does not fail as interrupted")
xmllint --xpath '//testsuite[@name="Hanging"]/testcase/skipped/@message' "$work/cut/junit.xml" 2>/dev/null |
  grep -q "interrupted" || problems+=("the JUnit report does not mark the cut-off scene interrupted")
grep -q "1 interrupted" "$work/cut/readiness.html" || problems+=("the HTML report does not say 1 interrupted")
grep -q "1 interrupted" "$work/cut.out" || problems+=("the summary does not say 1 interrupted")
# The plan names the scripts by absolute paths under $work: merge there.
tw_abs=$(realpath "$techweek")
(cd "$work" && "$tw_abs" merge --quiet --reports "$work/merged" "$json")
status=$?
json=$work/merged/result.json
[ "$status" = 130 ] || problems+=("merge: exit status $status, expected 130")
[ "$(q .totals.interrupted)" = 1 ] || problems+=("merge: totals.interrupted is '$(q .totals.interrupted)'")
[ "$(q .readiness.score)" = 100 ] || problems+=("merge: readiness score '$(q .readiness.score)', expected 100")
if [ ${#problems[@]} -eq 0 ]; then
  echo "ok   interrupted performances are not failures"
else
  echo "FAIL interrupted performances are not failures"; printf '     %s\n' "${problems[@]}"
  sed 's/^/     /' "$work/cut.out" | head -30; sed 's/^/     /' "$work/cut.err" | tail -5
  failed=1
fi
exit $failed
