#!/usr/bin/env bash
# Signals while techweek follows a huge TwiML document (the stage's
# /voice/huge: 600 000 <Say>s, as many as the default --max-body keeps):
# SIGTERM alone, then SIGTERM and SIGINT, stop techweek promptly with exit
# 130 and every report written. Synchronised on techweek's own progress
# lines, never on a sleep; techweek still running a minute after the
# signals is a hang.
set -uo pipefail
techweek=$1 stage_bin=$2
source "$(dirname "$0")/start_stage.sh"

cat >"$work/huge.rehearsal" <<'R'
rehearsal "A huge IVR document"
scene "On hold forever" on ivr
  call {{stage}}/voice/huge
  hear "a"
R

# run NAME SIGNAL...: one run, the signals sent in turn, each after the
# progress line that shows the one before was seen.
failed=0
run() {
  local name=$1
  shift
  local out=$work/$name
  mkdir -p "$out"
  mkfifo "$out/progress"
  "$techweek" run --var "stage=$stage" --performances 1000 --customers 1 --progress 100ms \
    --reports "$out/reports" --color never "$work/huge.rehearsal" \
    >"$out/stdout" 2>"$out/progress" &
  local pid=$! line problems=()
  exec 3<"$out/progress"
  # The first progress line: performances are under way.
  read -r line <&3 || problems+=("no progress line")
  local sig first=1
  for sig in "$@"; do
    # After the first signal, the line that says "(stopping)": it was seen.
    while [ $first = 0 ] && read -r line <&3; do
      case $line in *"(stopping)"*) break ;; esac
    done
    first=0
    kill "-$sig" "$pid"
  done
  # Everything else techweek says, until it ends (its progress lines keep
  # coming while it runs); still running a minute later is a hang.
  local deadline=$((SECONDS + 60)) hung=0 rc
  while true; do
    IFS= read -r -t 60 line <&3
    rc=$?
    [ $rc -gt 128 ] && hung=1
    [ $rc = 0 ] || break # the end of techweek's output, or nothing for a minute
    printf '%s\n' "$line" >>"$out/stderr"
    if [ $SECONDS -gt $deadline ]; then hung=1; break; fi
  done
  exec 3<&-
  if [ $hung = 1 ]; then
    problems+=("techweek did not stop within 60 s of SIG$*")
    kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid"
  local status=$?
  [ "$status" = 130 ] || problems+=("exit status $status, expected 130")
  local stopped
  stopped=$(jq -r .totals.stopped "$out/reports/result.json" 2>&1)
  [ "$stopped" = interrupted ] || problems+=("totals.stopped is '$stopped'")
  xmllint --noout "$out/reports/junit.xml" 2>/dev/null || problems+=("no valid JUnit report")
  [ -s "$out/reports/readiness.html" ] || problems+=("no HTML report")
  grep -q "interrupted" "$out/stdout" || problems+=("the summary does not say interrupted")
  if [ ${#problems[@]} -eq 0 ]; then
    echo "ok   $name (SIG$*)"
  else
    failed=1
    echo "FAIL $name (SIG$*)"; printf '     %s\n' "${problems[@]}"
    sed 's/^/     /' "$out/stdout" | head -30; sed 's/^/     /' "$out/stderr" 2>/dev/null | head -10
  fi
}

run term TERM
run term-then-int TERM INT
exit $failed
