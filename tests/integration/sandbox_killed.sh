#!/usr/bin/env bash
# issue 14, F5 (review2 #2): techweek's own sandbox failure is techweek's
# limit, not the IVR's fault nor an expectation. A call's script loops
# (--call-script-time 60s: it would run a minute); the sandbox child, a
# child process of techweek, is killed from outside (as the OOM killer
# would): the step ends LIMITED ("killed from outside"), the performance
# counts as limited and not failed, and techweek exits 5 (it could not
# rehearse all of it). Synchronised on the child's appearance, never on a
# sleep alone; no timing is asserted.
set -uo pipefail
techweek=$1 stage_bin=$2
source "$(dirname "$0")/start_stage.sh"

cat >"$work/loop.rehearsal" <<'R'
rehearsal "A script that loops"
scene "Call" on ivr
  call {{stage}}/vxml-script/loop
  hear "Checking your order."
R

"$techweek" run --var "stage=$stage" --jobs 1 --customers 1 --performances 1 \
  --call-script-time 60s --reports "$work/reports" --color never "$work/loop.rehearsal" \
  >"$work/stdout" 2>"$work/stderr" &
pid=$!
problems=()
# The sandbox: techweek's child process (its only one). 30 s without it
# is a failure of this test.
child=
for _ in $(seq 600); do
  for st in /proc/[0-9]*/stat; do
    read -r -a f <"$st" 2>/dev/null || continue
    # f[1] is "(name)" (techweek's names have no spaces); f[3] the parent
    [ "${f[3]:-}" = "$pid" ] && child=${f[0]} && break
  done
  [ -n "$child" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
if [ -n "$child" ]; then
  kill -KILL "$child"
else
  problems+=("no sandbox child appeared")
  kill -KILL "$pid" 2>/dev/null
fi
wait "$pid"
status=$?
[ "$status" = 5 ] || problems+=("exit status $status, expected 5")
j=$work/reports/result.json
[ "$(jq -r .totals.limited "$j" 2>&1)" = 1 ] || problems+=("totals.limited is $(jq -r .totals.limited "$j" 2>&1), expected 1")
[ "$(jq -r .totals.failed "$j" 2>&1)" = 0 ] || problems+=("totals.failed is $(jq -r .totals.failed "$j" 2>&1), expected 0")
grep -q "killed from outside" "$work/stdout" || problems+=("the summary does not say the sandbox was killed from outside")
if [ ${#problems[@]} -eq 0 ]; then
  echo "ok   sandbox killed from outside: limited, exit 5"
  exit 0
fi
echo "FAIL sandbox killed from outside"
printf '     %s\n' "${problems[@]}"
sed 's/^/     /' "$work/stdout" | head -40
sed 's/^/     /' "$work/stderr" | head -10
exit 1
