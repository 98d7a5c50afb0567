#!/usr/bin/env bash
# Reports into a read-only folder: the run is still performed and its results
# printed, then exit status 4 naming the report that could not be written,
# and saying no report was written (reports are one set: all new or all old). Root writes anywhere, so as root techweek runs as
# nobody (setpriv); skipped (77) when that cannot be done.
#
# usage: read_only.sh TECHWEEK STAGE
set -uo pipefail
techweek=${1:?usage: read_only.sh TECHWEEK STAGE}
stage_bin=${2:?usage: read_only.sh TECHWEEK STAGE}

as_user=()
if [ "$(id -u)" -eq 0 ]; then
  command -v setpriv >/dev/null || { echo "skipped: root without setpriv"; exit 77; }
  as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/read_only.XXXXXX")
coproc STAGE { exec "$stage_bin" --port 0; }
stage_pid=$STAGE_PID
trap 'kill $stage_pid 2>/dev/null; chmod -R u+w "$work"; rm -rf "$work"' EXIT
read -r -t 30 stage <&"${STAGE[0]}" || { echo "the stage did not start"; exit 1; }

# nobody must reach the techweek binary and read the rehearsal.
chmod 755 "$work"
if [ ${#as_user[@]} -gt 0 ] && ! "${as_user[@]}" test -x "$techweek"; then
  echo "skipped: nobody cannot run $techweek"
  exit 77
fi
cat >"$work/ro.rehearsal" <<'REHEARSAL'
rehearsal "Hours on a read-only disk"
scene "Look"
  visit {{stage}}/hours
  expect text "We are open every day"
REHEARSAL
chmod 644 "$work/ro.rehearsal"
mkdir "$work/reports"
chmod 555 "$work/reports"

passed=0 failed=0
# check NAME REPORTS_DIR
check() {
  local name=$1 dir=$2
  "${as_user[@]}" "$techweek" run --color never --var "stage=$stage" --reports "$dir" \
    "$work/ro.rehearsal" >"$work/stdout" 2>"$work/stderr" </dev/null
  local got=$? problems=()
  [ "$got" = 4 ] || problems+=("exit status $got, expected 4")
  grep -qF "1 passed, 0 failed" "$work/stdout" || problems+=("the results were not printed")
  grep -qF "$dir/junit.xml" "$work/stderr" || problems+=("stderr does not name $dir/junit.xml")
  grep -qF "no report written" "$work/stderr" || problems+=("stderr does not say no report was written")
  if [ -n "$(ls -A "$work/reports")" ]; then problems+=("left behind: $(ls -A "$work/reports")"); fi
  if [ ${#problems[@]} -eq 0 ]; then
    passed=$((passed + 1)); echo "ok   $name"
  else
    failed=$((failed + 1)); echo "FAIL $name"
    printf '     %s\n' "${problems[@]}"
    echo "     --- stdout"; sed 's/^/     /' "$work/stdout" | head -20
    echo "     --- stderr"; sed 's/^/     /' "$work/stderr" | head -10
  fi
}

check "--reports in a read-only folder" "$work/reports"
check "--reports under a read-only folder" "$work/reports/new"

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
