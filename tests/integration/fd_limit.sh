#!/usr/bin/env bash
# issue 15, LOOP: techweek needs about two open files per customer. With
# a hard limit too low for --customers it says so before the run, naming
# the limit and `ulimit -n`, and exits 2 having sent nothing; with a soft
# limit too low but a hard one high enough it raises its own soft limit
# and runs.
#
# usage: fd_limit.sh TECHWEEK STAGE
set -uo pipefail
techweek=$1 stage_bin=$2
source "$(dirname "$0")/start_stage.sh"
cat >"$work/one.rehearsal" <<EOF2
rehearsal "One"
scene "Menu" on web
  get $stage/ping
  expect status 200
EOF2
fail=0
out=$( (ulimit -Sn 64 -Hn 64 && exec "$techweek" run -q --reports "$work/low" \
  --performances 1 --customers 1000 "$work/one.rehearsal") 2>&1)
rc=$?
if [ $rc != 2 ] || ! grep -q "RLIMIT_NOFILE" <<<"$out" || ! grep -q "ulimit -n" <<<"$out"; then
  echo "FAIL: hard limit 64, 1000 customers: exit $rc (want 2, naming the limit)"
  echo "$out" | head -5
  fail=1
fi
if [ -e "$work/low/result.json" ]; then
  echo "FAIL: a run that could not start wrote reports"
  fail=1
fi
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt 2000 ]; then
  echo "fd_limit: raising the soft limit not checked (hard limit $hard < 2000)"
else
  out=$( (ulimit -Sn 256 && exec "$techweek" run -q --reports "$work/raised" \
    --json "$work/raised/r.json" --performances 1 --customers 900 "$work/one.rehearsal") 2>&1)
  rc=$?
  if [ $rc != 0 ]; then
    echo "FAIL: soft limit 256, hard $hard, 900 customers: exit $rc"
    echo "$out" | head -5
    fail=1
  fi
fi
[ $fail = 0 ] && echo "fd_limit: too low a hard limit is said before the run; a low soft one is raised"
exit $fail
