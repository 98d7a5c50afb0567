#!/usr/bin/env bash
# The rehearsals shown in the README, docs/phone.md and docs/baseline.md run, and pass,
# against the stage: an example that does not run teaches nothing.
# (docs/language.md's examples are parsed and checked by the unit test
# docs_examples; many of them point at pages the stage does not have.)
set -uo pipefail
techweek=$1 stage_bin=$2 root=$3
work=$(mktemp -d)
coproc STAGE { exec "$stage_bin" --port 0; }
trap 'kill $STAGE_PID 2>/dev/null; rm -rf "$work"' EXIT
read -r stage <&"${STAGE[0]}" || { echo "the stage did not start"; exit 1; }

failed=0 count=0
for doc in README.md docs/phone.md docs/baseline.md; do
  # Each ```rehearsal block into its own file, named after its line.
  awk -v dir="$work" -v name="$(basename "$doc" .md)" '
    /^```rehearsal$/ { out = dir "/" name "-" NR ".rehearsal"; next }
    /^```/ { out = ""; next }
    out != "" { print > out }
  ' "$root/$doc"
done
for f in "$work"/*.rehearsal; do
  count=$((count + 1))
  if ! "$techweek" run --var "stage=$stage" --no-reports --color never "$f" >"$f.out" 2>&1; then
    failed=$((failed + 1))
    echo "FAIL $(basename "$f")"; sed 's/^/     /' "$f.out"
  else
    echo "ok   $(basename "$f")"
  fi
done
[ "$count" -ge 2 ] || { echo "found only $count examples: the extraction broke"; exit 1; }
echo "$((count - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
