#!/usr/bin/env bash
# Effort against the last good run (docs/baseline.md): a journey run
# against the stage writes its JSON result; the same journey grown by two
# pages, run with --baseline, shows steps +2 in every report, with no budget
# and no regression limit, and stays READY; with "regression": {"steps": 0}
# in the project file the same run is NOT READY (exit 1), naming the
# regression. Against itself, under every limit, it stays READY. A baseline
# that is missing, not JSON or malformed is a usage error (exit 2) naming
# the file, before anything is performed.
#
# usage: baseline.sh TECHWEEK STAGE
set -uo pipefail
# Whole lines to grep: the summary as a terminal wide enough for any of
# them shows it (it fits 80 columns otherwise).
export COLUMNS=1000
techweek=$1 stage_bin=$2
source "$(dirname "$0")/start_stage.sh"

problems=()
check() { # what, got, want
  if [ "$2" = "$3" ]; then echo "ok: $1"; else problems+=("$1: got '$2', want '$3'"); fi
}
contains() { # what, file, text
  if grep -qF -- "$3" "$2"; then echo "ok: $1"; else problems+=("$1: '$3' not in $2"); fi
}

journey() { # extra pages (0 or 2)
  cat <<'R'
rehearsal "Order a pizza"
outcome   "A pizza ordered"

scene "Order"
  visit {{stage}}/
R
  if [ "$1" = 2 ]; then
    printf '  visit {{stage}}/hours\n  visit {{stage}}/\n'
  fi
  cat <<'R'
  visit {{stage}}/pizza/marinara
  fill "Your name" with Ada
  submit "Place order"
  expect text ~ /Order #\d+ confirmed/
R
}

run() { # name, extra args...
  local name=$1
  shift
  "$techweek" run --no-color --performances 3 --var "stage=$stage" \
    --reports "$work/$name" "$@" "$work/journey.rehearsal" >"$work/$name.out" 2>&1
  echo $?
}

# The last good run.
journey 0 >"$work/journey.rehearsal"
check "the last good run passes" "$(run before)" 0
cp "$work/before/result.json" "$work/before.json"

# Two pages more, no budget, no regression limit: shown, verdict unaffected.
journey 2 >"$work/journey.rehearsal"
check "grown by two pages, no limit: exit" "$(run grown --baseline "$work/before.json")" 0
contains "terminal: steps +2" "$work/grown.out" "steps 4 → 6 (+2)"
contains "terminal: the baseline named" "$work/grown.out" "against the baseline $work/before.json"
contains "terminal: the new pages" "$work/grown.out" "new: not in the baseline"
json=$work/grown/result.json
check "JSON: baseline.file" "$(jq -r .baseline.file "$json")" "$work/before.json"
check "JSON: steps before" "$(jq -r '.baseline.rehearsals[0].steps.before' "$json")" 4
check "JSON: steps after" "$(jq -r '.baseline.rehearsals[0].steps.after' "$json")" 6
check "JSON: steps change" "$(jq -r '.baseline.rehearsals[0].steps.change' "$json")" 2
check "JSON: matched by path" "$(jq -r '.baseline.rehearsals[0].matched' "$json")" path
check "JSON: two touchpoints new" \
  "$(jq -r '[.baseline.rehearsals[0].touchpoints[] | select(.new)] | map(.line) | join(",")' "$json")" "6,7"
check "JSON: the pizza page matched past the new ones" \
  "$(jq -r '.baseline.rehearsals[0].touchpoints[] | select(.line == 8) | .new' "$json")" false
check "JSON: no regression" "$(jq -r '.baseline.regressions | length' "$json")" 0
check "JSON: verdict" "$(jq -r .verdict "$json")" passed
check "JUnit: baseline_steps" \
  "$(xmllint --xpath "string(//property[@name='baseline_steps']/@value)" "$work/grown/junit.xml")" "4 → 6 (+2)"
check "HTML: the baseline section" \
  "$(xmllint --html --xpath "string(//*[@id='baseline-r0']//td[@class='fig-steps'])" "$work/grown/readiness.html" 2>/dev/null)" \
  "4 → 6 (+2)"

# The same, with a limit of no more steps: NOT READY, naming the regression.
printf '{"regression": {"steps": 0}}\n' >"$work/techweek.json"
check "grown, steps limited to +0: exit" \
  "$(run limited --baseline "$work/before.json" --project "$work/techweek.json")" 1
why="Order a pizza: steps per performance 4 → 6 (+2), beyond the limit of +0"
contains "terminal: NOT READY" "$work/limited.out" "— NOT READY"
reason="Order a pizza: regressed against the baseline: steps per performance 4 → 6 (+2), beyond the limit of +0"
contains "terminal: the regression named" "$work/limited.out" "$reason"
json=$work/limited/result.json
check "JSON: verdict" "$(jq -r .verdict "$json")" failed
check "JSON: readiness.passed" "$(jq -r .readiness.passed "$json")" false
check "JSON: the regression" "$(jq -r '.baseline.regressions[0].figure' "$json")" steps
check "JSON: its words" "$(jq -r '.baseline.regressions[0].why' "$json")" "$why"
check "JUnit: verdict" \
  "$(xmllint --xpath "string(//property[@name='verdict']/@value)" "$work/limited/junit.xml")" "NOT READY"
check "JUnit: baseline_regressions" \
  "$(xmllint --xpath "string(//property[@name='baseline_regressions']/@value)" "$work/limited/junit.xml")" \
  "steps per performance 4 → 6 (+2), beyond the limit of +0"
check "HTML: badge" \
  "$(xmllint --html --xpath "string(//*[@id='verdict'])" "$work/limited/readiness.html" 2>/dev/null)" "✘ NOT READY"
contains "HTML: the regression named" "$work/limited/readiness.html" "$reason"

# Against itself, under every limit (those of times and the score wide:
# timings are never asserted): READY.
printf '{"regression": {"score": 100, "outcome": "0%%", "p95": "1000000%%", "steps": 0, "time": "1000000%%"}}\n' \
  >"$work/all.json"
cp "$work/grown/result.json" "$work/grown.json"
check "against itself, every limit: exit" \
  "$(run same --baseline "$work/grown.json" --project "$work/all.json")" 0
contains "terminal: steps +0" "$work/same.out" "steps 6 → 6 (+0)"

# Bad baselines: exit 2 naming the file, before anything is performed.
check "missing: exit" "$(run missing --baseline "$work/nowhere.json")" 2
contains "missing: named" "$work/missing.out" "$work/nowhere.json"
head -c 100 "$work/before.json" >"$work/cut.json"
check "truncated: exit" "$(run cut --baseline "$work/cut.json")" 2
contains "truncated: named" "$work/cut.out" "$work/cut.json"
jq -c '.rehearsals[0].scenes[0].touchpoints[1].latency.p95 = "fast"' "$work/before.json" >"$work/odd.json"
check "malformed: exit" "$(run odd --baseline "$work/odd.json")" 2
contains "malformed: file and JSON path named" "$work/odd.out" \
  "$work/odd.json: rehearsals[0].scenes[0].touchpoints[1].latency.p95: expected a number"
jq -c '.format = 3' "$work/before.json" >"$work/old.json"
check "format 3: exit" "$(run old --baseline "$work/old.json")" 2
contains "format 3: named" "$work/old.out" "$work/old.json: JSON result format 3"
for name in missing cut odd old; do
  check "$name: nothing performed, no report" "$([ -e "$work/$name" ] && echo written || echo none)" none
done
printf '{"regression": {"steps": -1}}\n' >"$work/bad-project.json"
check "a negative steps limit: exit" \
  "$(run badproject --baseline "$work/before.json" --project "$work/bad-project.json")" 2
contains "a negative steps limit: named" "$work/badproject.out" "regression.steps"

if [ ${#problems[@]} -gt 0 ]; then
  printf 'FAIL: %s\n' "${problems[@]}"
  for f in grown limited; do echo "--- $f.out"; cat "$work/$f.out"; done
  exit 1
fi
echo "all ok"
