#!/usr/bin/env bash
# Each man page of docs/man renders with groff's man macros without a
# warning (-ww: every warning on), as `man` would show it. What the pages
# say is held to the option table and docs/ by the unit test man.
set -uo pipefail
root=$1
failed=0
command -v groff >/dev/null || { echo "skipped: groff is not installed (.ci/deps installs groff-base)"; exit 77; }
pages=("$root"/docs/man/*.[1-8])
[ ${#pages[@]} -ge 5 ] || { echo "FAIL only ${#pages[@]} pages in docs/man"; exit 1; }
for page in "${pages[@]}"; do
  name=${page##*/}
  warnings=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page" 2>&1)
  if [ -n "$warnings" ]; then
    fail=1; echo "FAIL $name renders with warnings:"; echo "$warnings" | sed 's/^/     /'; failed=1
  else
    echo "ok   $name renders without a warning"
  fi
done
exit $failed
