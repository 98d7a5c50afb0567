#!/usr/bin/env bash
# techweek's JUnit report as a real viewer reads it (issue 11): xunit-viewer
# 10.6.1 (pinned in tests/npm) reads the reports of a passing run, a
# failing run, a flaky dress rehearsal (--performances 20 against the
# stage's /fault/form?every=4: every fourth order fails) and the same in a
# journey that requires only 50%, which meets it; and two rehearsals of one
# name in two folders. For each, the test checks
# what the viewer read: the counts by status, the suites' and tests' names,
# and the place: the suite's `file` and the failure's `at FILE:LINE` by
# default, each test's `file` and `line` with --junit-locations.
#
# Two readings of each report:
#   - the viewer's console mode (`xunit-viewer -c -n --no-clear -o false`),
#     whose last line counts the tests by status ("2 passed, 1 failure");
#   - its parser (src/cli/parse.js: what the console and its HTML page
#     both run) turned into JSON by xunit_viewer_read.mjs, which keeps what
#     the console does not print (a test's properties: file and line).
# TW_CONSUMER_SHOW=1 prints both for every run (what the viewer read).
# Without Node.js or tests/npm/node_modules the test is skipped (exit 77),
# saying how to get them.
#
# usage: junit_consumer.sh TECHWEEK STAGE SOURCE_ROOT
set -uo pipefail
techweek=$(realpath "$1") stage_bin=$2 root=$(realpath "$3")
here=$(cd "$(dirname "$0")" && pwd)
modules=$root/tests/npm/node_modules
viewer=$modules/.bin/xunit-viewer
if ! command -v node >/dev/null || [ ! -x "$viewer" ]; then
  echo "SKIP: xunit-viewer not installed: bash .ci/deps --browser (npm ci in tests/npm; needs node and npm)"
  exit 77
fi
source "$here/start_stage.sh"

failed=0
report() { # NAME PROBLEM...
  local name=$1; shift
  if [ $# -eq 0 ]; then echo "ok   $name"; return; fi
  echo "FAIL $name"; printf '     %s\n' "$@"; failed=1
}

cd "$work" || exit 1
cat >passing.rehearsal <<'R'
rehearsal "Look at the menu"
scene "Menu"
  visit {{stage}}/
  expect status 200
backstage "Ping"
  get {{stage}}/ping
  expect status 200
R
cat >failing.rehearsal <<'R'
rehearsal "Order a pizza"
scene "Menu"
  visit {{stage}}/
  expect status 200
scene "Order"
  visit {{stage}}/fault/form?code=500
  fill "Your name" with Ada
  submit "Place order"
scene "Track it"
  visit {{stage}}/hours
R
flaky() { # NAME REQUIRE
  printf 'rehearsal "%s"\n%s\nscene "Checkout"\n' "$1" "$2"
  printf '  visit {{stage}}/fault/form?code=500&every=4\n'
  printf '  fill "Your name" with Ada\n  submit "Place order"\n  expect text "Order placed"\n'
}
flaky "Checkout, flaky" "" >flaky.rehearsal # the submit is line 6
flaky "Checkout, flaky but enough" "require 50%" >flaky-met.rehearsal

# Runs one rehearsal into NAME.xml and reads it with the viewer, both ways:
# NAME.console and NAME.json.
run() { # NAME EXIT OPTIONS...
  local name=$1 want=$2; shift 2
  "$techweek" run --var "stage=$stage" --color never --quiet --no-reports \
    --junit "$name.xml" "$@" >"$name.out" 2>&1
  local got=$?
  [ "$got" = "$want" ] || { echo "FAIL $name: techweek exit $got, expected $want"; failed=1; }
  "$viewer" -r "$name.xml" -c -n --no-clear -o false >"$name.console" 2>&1
  node "$here/xunit_viewer_read.mjs" "$modules" "$name.xml" >"$name.json" 2>"$name.node" ||
    { echo "FAIL $name: xunit-viewer's parser failed: $(head -3 "$name.node")"; failed=1; }
  if [ -n "${TW_CONSUMER_SHOW:-}" ]; then
    echo "----- $name: xunit-viewer -c"; cat "$name.console"
    echo "----- $name: its parser"; jq -c '.suites[] | {name, file: .properties.file,
      tests: [.tests[] | {name, status, file: .properties.file, line: .properties.line}]}' "$name.json"
  fi
}
# The console's last line, the counts by status, as "N status" sorted.
counts() { tail -n 1 "$1.console" | tr ',' '\n' | sed 's/^ *//' | sort | paste -sd, -; }
# jq over what the parser read.
q() { jq -r "$2" "$1.json" 2>&1; }
# The suite named S's test named T's FIELD.
t() { q "$1" ".suites[] | select(.name == \"$2\") | .tests[] | select(.name == \"$3\") | $4"; }

# The flaky runs first: /fault/form counts its orders over the stage's
# life, so each sees exactly every fourth of its 20 fail.
p=()
run flaky 1 --performances 20 --junit-locations flaky.rehearsal
[ "$(counts flaky)" = "2 failure" ] || p+=("console counts '$(counts flaky)', expected '2 failure'")
[ "$(q flaky '[.suites[].name] | sort | join(",")')" = "Checkout, flaky,curtain-up readiness" ] ||
  p+=("suites: $(q flaky '[.suites[].name] | join(",")')")
[ "$(t flaky 'Checkout, flaky' Checkout .status)" = failure ] || p+=("Checkout is not a failure")
t flaky 'Checkout, flaky' Checkout '.messages[0]' | grep -q '^flaky: 5 of 20 failed; ' ||
  p+=("Checkout's first message: $(t flaky 'Checkout, flaky' Checkout '.messages[0]' | head -1)")
[ "$(t flaky 'Checkout, flaky' Checkout '.properties.file | join(",")')" = flaky.rehearsal ] ||
  p+=("Checkout's file: $(t flaky 'Checkout, flaky' Checkout '.properties.file')")
[ "$(t flaky 'Checkout, flaky' Checkout '.properties.line | join(",")')" = 6 ] ||
  p+=("Checkout's line: $(t flaky 'Checkout, flaky' Checkout '.properties.line')")
report "a flaky dress rehearsal: 2 failures, 'flaky: 5 of 20 failed', file and line 6" "${p[@]}"

p=()
run flaky-met 0 --performances 20 flaky-met.rehearsal
# The journey met its required rate: its testcase passes with a Surefire
# <flakyFailure>, which xunit-viewer does not know: it shows the element's
# name as the test's status ("?" in the console), not a failure.
[ "$(counts flaky-met)" = "1 flakyFailure,1 passed" ] ||
  p+=("console counts '$(counts flaky-met)', expected '1 flakyFailure,1 passed'")
case $(t flaky-met 'Checkout, flaky but enough' Checkout .status) in
  failure | error) p+=("the journey that met its rate reads as failed") ;;
esac
t flaky-met 'Checkout, flaky but enough' Checkout '.messages | join("\n")' |
  grep -q '^flaky: 5 of 20 failed; flaky-met.rehearsal:6: ' || p+=("no 'flaky: 5 of 20 failed; flaky-met.rehearsal:6:' message")
[ "$(t flaky-met 'curtain-up readiness' 'readiness verdict' .status)" = passed ] ||
  p+=("the verdict does not pass")
report "a journey that met its rate despite failures: not a failure, 'flaky: 5 of 20 failed'" "${p[@]}"

p=()
run passing 0 passing.rehearsal
[ "$(counts passing)" = "3 passed" ] || p+=("console counts '$(counts passing)', expected '3 passed'")
[ "$(q passing '[.suites[] | .name as $s | .tests[] | "\($s)/\(.name)"] | sort | join(",")')" = \
  "Look at the menu/Menu,Look at the menu/backstage: Ping,curtain-up readiness/readiness verdict" ] ||
  p+=("names: $(q passing '[.suites[] | .name as $s | .tests[] | "\($s)/\(.name)"] | join(",")')")
[ "$(t passing 'Look at the menu' Menu .classname)" = passing ] || p+=("Menu's classname is not 'passing'")
[ "$(q passing '.suites[] | select(.name == "Look at the menu") | .properties.file[0]')" = passing.rehearsal ] ||
  p+=("the suite's file is not passing.rehearsal")
grep -q '✓ Menu' passing.console || p+=("the console does not show '✓ Menu'")
report "a passing run: 3 passed, the names, the suite's file" "${p[@]}"

p=()
run failing 1 failing.rehearsal
[ "$(counts failing)" = "1 passed,1 skipped,2 failure" ] ||
  p+=("console counts '$(counts failing)', expected '1 passed,1 skipped,2 failure'")
[ "$(t failing 'Order a pizza' Menu .status)/$(t failing 'Order a pizza' Order .status)/$(t failing 'Order a pizza' 'Track it' .status)" = \
  passed/failure/skipped ] || p+=("statuses Menu/Order/Track it are not passed/failure/skipped")
t failing 'Order a pizza' Order '.messages | join("\n")' | grep -qx '    at failing.rehearsal:8' ||
  p+=("the failure does not end 'at failing.rehearsal:8'")
[ "$(t failing 'Order a pizza' Order '.properties | length')" = 0 ] ||
  p+=("a testcase has file or line without --junit-locations")
grep -q "✗ Order" failing.console || p+=("the console does not show '✗ Order'")
grep -q "^     file=failing.rehearsal" failing.console || p+=("the console does not show the suite's file")
report "a failing run: 1 passed, 2 failures, 1 skipped; 'at failing.rehearsal:8'" "${p[@]}"

p=()
run failing-located 1 --junit-locations failing.rehearsal
for want in "Menu 2" "Order 8" "Track it 9"; do
  scene=${want% *} line=${want##* }
  got="$(t failing-located 'Order a pizza' "$scene" '(.properties.file | join(",")) + ":" + (.properties.line | join(","))')"
  [ "$got" = "failing.rehearsal:$line" ] || p+=("$scene: file:line '$got', expected failing.rehearsal:$line")
done
[ "$(t failing-located 'curtain-up readiness' 'readiness verdict' '.properties | length')" = 0 ] ||
  p+=("the verdict's testcase has a place")
report "--junit-locations: each test's file and line (2, the failing 8, 9)" "${p[@]}"

# Two rehearsals of one name in two folders: the viewer groups tests by
# suite name, so each suite's name carries its path (trial finding 3):
# two suites, not one block holding both.
p=()
mkdir -p a b
sed 's/^rehearsal .*/rehearsal "Opening hours"/' passing.rehearsal >a/hours.rehearsal
sed 's/^rehearsal .*/rehearsal "Opening hours"/' failing.rehearsal >b/hours.rehearsal
run same-name 1 a/hours.rehearsal b/hours.rehearsal
[ "$(q same-name '[.suites[].name] | sort | join(",")')" = \
  "Opening hours (a/hours.rehearsal),Opening hours (b/hours.rehearsal),curtain-up readiness" ] ||
  p+=("suites: $(q same-name '[.suites[].name] | join(",")')")
grep -q "Opening hours (b/hours.rehearsal)" same-name.console ||
  p+=("the console does not name 'Opening hours (b/hours.rehearsal)'")
report "two rehearsals of one name: two suites, each named with its path" "${p[@]}"

exit $failed
