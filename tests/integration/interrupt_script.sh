#!/usr/bin/env bash
# issue 14, F6 (review2 #3): two SIGINTs while ten customers' VoiceXML
# calls each run an endless <script> (the stage's /vxml-script/loop) with
# a 5 s script time: the second stop reaches the sandboxes (they are
# killed, not waited out), techweek exits 130, and every performance
# under way counts as interrupted, none as failed. Synchronised on
# techweek's progress lines, never on a sleep; techweek still running a
# minute after the signals is a hang.
set -uo pipefail
techweek=$1 stage_bin=$2
source "$(dirname "$0")/start_stage.sh"

cat >"$work/loop.rehearsal" <<'R'
rehearsal "A script that loops"
scene "Call" on ivr
  call {{stage}}/vxml-script/loop
  hear "Checking your order."
R

out=$work/run
mkdir -p "$out"
mkfifo "$out/progress"
"$techweek" run --var "stage=$stage" --jobs 1 --customers 10 --performances 10 \
  --call-script-time 5 --progress 100ms --reports "$out/reports" --color never \
  "$work/loop.rehearsal" >"$out/stdout" 2>"$out/progress" &
pid=$!
problems=()
exec 3<"$out/progress"
# A progress line that shows ten performances under way (their calls
# are in the sandbox, or about to be: a stop reaches them either way).
while read -r line <&3; do
  case $line in *"10 under way"*) break ;; esac
done
kill -INT "$pid"
while read -r line <&3; do
  case $line in *"(stopping)"*) break ;; esac
done
kill -INT "$pid"
deadline=$((SECONDS + 60)) hung=0
while true; do
  IFS= read -r -t 60 line <&3
  rc=$?
  [ $rc -gt 128 ] && hung=1
  [ $rc = 0 ] || break
  printf '%s\n' "$line" >>"$out/stderr"
  if [ $SECONDS -gt $deadline ]; then hung=1; break; fi
done
exec 3<&-
if [ $hung = 1 ]; then
  problems+=("techweek did not stop within 60 s of the second SIGINT")
  kill -KILL "$pid" 2>/dev/null
fi
wait "$pid"
status=$?
[ "$status" = 130 ] || problems+=("exit status $status, expected 130")
json=$out/reports/result.json
for f in interrupted failed; do
  v=$(jq -r ".totals.$f" "$json" 2>&1)
  case $f in
    interrupted) [ "$v" = 10 ] || problems+=("totals.interrupted is '$v', expected 10") ;;
    failed) [ "$v" = 0 ] || problems+=("totals.failed is '$v', expected 0") ;;
  esac
done
if [ ${#problems[@]} -eq 0 ]; then
  echo "ok   interrupt-script"
  exit 0
fi
echo "FAIL interrupt-script"; printf '     %s\n' "${problems[@]}"
sed 's/^/     /' "$out/stdout" | head -30; sed 's/^/     /' "$out/stderr" 2>/dev/null | head -10
exit 1
