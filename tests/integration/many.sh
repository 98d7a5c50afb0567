#!/usr/bin/env bash
# techweek check of 40 000 scenes (each capturing, each using the previous
# capture and one of 40 000 cast names) with a vars file of 40 000 lines:
# no problem found; a duplicate scene name is still found; 39 999 unknown
# variables are each reported. Lookups by name must stay linear: with the quadratic
# scans this took minutes, so meson's timeout catches a regression without
# this test timing anything. The script comes from tests/bench/many.sh.
#
# usage: many.sh TECHWEEK SOURCE_ROOT
set -uo pipefail
techweek=$1 root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bash "$root/tests/bench/many.sh" 40000 "$work" || exit 1
out=$("$techweek" check --vars-file "$work/many.vars" "$work/many.rehearsal" 2>&1)
rc=$?
if [ $rc != 0 ] || ! grep -q "0 problems" <<<"$out"; then
  echo "FAIL: exit $rc"; head -20 <<<"$out"; exit 1
fi
# The maps still see a repeat: one duplicate scene name among 40 000.
sed -i 's/^scene "Scene 39999"$/scene "Scene 17"/' "$work/many.rehearsal"
out=$("$techweek" check --vars-file "$work/many.vars" "$work/many.rehearsal" 2>&1)
rc=$?
if [ $rc != 2 ] || ! grep -q "duplicate scene name 'Scene 17' (first on line" <<<"$out"; then
  echo "FAIL: a duplicate among 40 000 scenes: exit $rc"; head -20 <<<"$out"; exit 1
fi
# 39 999 unknown variables among 120 000 known names: "did you mean" must
# not compare each with all of them.
sed 's/{{v/{{w/g' "$work/many.rehearsal" >"$work/unknown.rehearsal"
"$techweek" check --vars-file "$work/many.vars" "$work/unknown.rehearsal" >"$work/out" 2>&1
rc=$?
unknown=$(grep -c "unknown variable 'w" "$work/out")
if [ $rc != 2 ] || [ "$unknown" != 39999 ] || ! grep -q "unknown variable 'w0' (did you mean 'v0'?)" "$work/out"; then
  echo "FAIL: 39 999 unknown variables: exit $rc, $unknown reported"; head -5 "$work/out"; exit 1
fi
echo "many: 40 000 scenes and 40 000 vars checked"
