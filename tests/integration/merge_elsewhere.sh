#!/usr/bin/env bash
# techweek merge reads the parts alone (docs/sharding.md): a run sharded
# into parts in one checkout merges to the same verdict, score and reports
# after its scripts are deleted, and from another folder (another checkout
# or machine) that has none of them, as it does beside the scripts. The
# JSON results are compared whole, times left out; the JUnit and HTML
# reports and what merge prints, exactly.
#
# usage: merge_elsewhere.sh TECHWEEK STAGE SOURCE_ROOT
set -uo pipefail
techweek=$(realpath "$1") stage_bin=$(realpath "$2") root=$(realpath "$3")
work=$(mktemp -d)
export STAGE_PASSWORD=lovelace
coproc STAGE { exec "$stage_bin" --port 0; }
stage_pid=$STAGE_PID
trap 'kill $stage_pid 2>/dev/null; rm -rf "$work"' EXIT
read -r stage <&"${STAGE[0]}" || { echo "the stage did not start"; exit 1; }

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# A checkout of its own, so that its scripts can be deleted: the sample
# rehearsals (web, API, phone, tags), a failing case, a minor journey, and
# one whose header sets apdex, require and tags.
checkout=$work/checkout
mkdir -p "$checkout/rehearsals" "$checkout/cases" "$work/elsewhere"
cp "$root"/rehearsals/*.rehearsal "$checkout/rehearsals/"
cp -r "$root"/rehearsals/scenes "$checkout/rehearsals/" # issue 13, USE: the scenes they use
cp "$root"/tests/cases/missing-link.rehearsal "$root"/tests/cases/verdict-minor-beside.rehearsal \
  "$checkout/cases/"
cat >"$checkout/cases/header.rehearsal" <<'EOF'
rehearsal "Read the menu"
outcome "Ada sees what is cooking"
require 90%
apdex 800ms
tags menu, smoke

scene "Look at it"
  visit {{stage}}/
  expect status 200
EOF

cd "$checkout" || exit 1
for shard in 1 2; do
  "$techweek" run --var "stage=$stage" --performances 6 --customers 2 -q --color never \
    --shard "$shard/2" --no-reports --json "$work/part-$shard.json" rehearsals/ cases/ \
    >"$work/shard-$shard.out" 2>&1
  [ -s "$work/part-$shard.json" ] || { fail "shard $shard wrote no part"; cat "$work/shard-$shard.out"; }
done

merge() { # LABEL: merges the two parts from the current folder into LABEL.*
  "$techweek" merge --color never --json "$work/$1.json" --junit "$work/$1.xml" \
    --html "$work/$1.html" "$work/part-1.json" "$work/part-2.json" >"$work/$1.out" 2>&1
  echo $? >"$work/$1.status"
}

merge beside
[ "$(jq -r '.rehearsals | length' "$work/beside.json" 2>/dev/null)" = 7 ] ||
  { fail "the merge beside the scripts does not hold 7 rehearsals"; cat "$work/beside.out"; }

rm -rf "$checkout/rehearsals" "$checkout/cases"
merge deleted
cd "$work/elsewhere" || exit 1
merge elsewhere

# Times out: the rest must be the same, figure for figure.
untimed='walk(if type == "object" then del(.elapsed_ms, .started_at) else . end)'
for label in deleted elsewhere; do
  [ "$(cat "$work/$label.status")" = "$(cat "$work/beside.status")" ] ||
    { fail "$label: merge exit $(cat "$work/$label.status"), beside the scripts $(cat "$work/beside.status")"; cat "$work/$label.out"; }
  diff <(jq -S "$untimed" "$work/beside.json") <(jq -S "$untimed" "$work/$label.json") >"$work/$label.diff" ||
    { fail "$label: the JSON result differs from the merge beside the scripts"; head -20 "$work/$label.diff"; }
  for report in xml html; do
    cmp -s "$work/beside.$report" "$work/$label.$report" ||
      { fail "$label: the .$report report differs"; diff "$work/beside.$report" "$work/$label.$report" | head -10; }
  done
  # What merge prints, but the names of the reports it wrote.
  diff <(sed "s|$work/beside\.|REPORT.|" "$work/beside.out") <(sed "s|$work/$label\.|REPORT.|" "$work/$label.out") \
    >"$work/$label.out.diff" || { fail "$label: merge printed otherwise"; head -10 "$work/$label.out.diff"; }
  echo "ok: merged with the scripts $label: verdict $(jq -r .verdict "$work/$label.json"), score $(jq -r .readiness.score "$work/$label.json")"
done

# What the merged run says comes from the parts: the plan's facts as the
# scripts had them.
m=$work/elsewhere.json
header='.rehearsals[] | select(.name == "Read the menu")'
[ "$(jq -c "$header | [.apdex_ms, .require, .minor, .tags, .outcome]" "$m")" = \
  '[800,0.9,false,["menu","smoke"],"Ada sees what is cooking"]' ] ||
  fail "the header's facts: $(jq -c "$header | [.apdex_ms, .require, .minor, .tags, .outcome]" "$m")"
[ "$(jq -c "$header | .scenes[0] | [.name, .file, .line, .touchpoints[0].line, .touchpoints[0].source, .touchpoints[0].kind, .touchpoints[0].apdex_ms, .touchpoints[0].apdex.t_ms]" "$m")" = \
  '["Look at it","cases/header.rehearsal",7,8,"visit {{stage}}/","visit",800,800]' ] ||
  fail "the scene's facts: $(jq -c "$header | .scenes[0] | [.name, .file, .line, .touchpoints[0].line, .touchpoints[0].source, .touchpoints[0].kind, .touchpoints[0].apdex_ms, .touchpoints[0].apdex.t_ms]" "$m")"
[ "$(jq -r '.rehearsals[] | select(.name == "A help page that is never there") | .minor' "$m")" = true ] ||
  fail "the minor journey is not minor in the merge"
grep -q 'readiness' "$work/elsewhere.out" || fail "the merge elsewhere printed no verdict"

# An older part is refused, naming the file.
jq -c '.format = 5' "$work/part-2.json" >"$work/old.json"
"$techweek" merge --no-reports "$work/part-1.json" "$work/old.json" >/dev/null 2>"$work/old.err"
got=$?
[ "$got" = 2 ] || fail "a format 5 part: exit $got, expected 2"
grep -qF "$work/old.json: JSON result format 5; merge reads format 9" "$work/old.err" ||
  { fail "a format 5 part: the message does not name it"; cat "$work/old.err"; }

[ "$failures" = 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all merge-elsewhere checks passed"
