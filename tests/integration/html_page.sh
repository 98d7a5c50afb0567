#!/usr/bin/env bash
# The HTML report as the page a product owner opens first, on a phone and a
# laptop. techweek runs five times against the stage with --html: the
# sample rehearsals (all pass), and again against that run as --baseline;
# the samples with a failing web journey, a failing call and a broken script
# with a long file name; a dress rehearsal (20 performances) beside a checkout
# that fails one time in four (flaky, and short of its required rate); and
# a phone run. html_page.mjs then
# drives headless Chromium over the DevTools protocol, which lays each
# report out at 390 CSS px as a phone does (mobile emulation: headless
# Chromium's --window-size cannot go below 500 px) and at 1280 px, and
# checks in each report at both widths:
#
#   - the document is no wider than the screen (scrollWidth against the
#     layout viewport: a phone's innerWidth grows with what overflows);
#   - at 390 px every URL of the requests has a line of its own (its cell
#     at least 60% of the screen), not a column a few characters wide;
#   - every text of the latency charts is drawn 9 px high or more (its
#     font size times the SVG's scale): on a phone the chart scrolls in its
#     own box rather than shrink;
#   - axe-core (tests/npm, pinned) finds no violation (a chart's scrolling
#     box must be reachable by keyboard: scrollable-region-focusable);
#   - in a run where something failed: the top summary (#attention) lists
#     every failing journey first, and the first one's link brings its
#     expected vs actual (or the call's transcript) onto the screen;
#     in the passing run, no journey failed.
#
# Without Chromium, Node.js or tests/npm/node_modules the test is skipped
# (exit 77), saying how to get them. TW_PAGE_SHOTS=DIR keeps a full-page
# screenshot of each report at each width (NAME-390.png, NAME-1280.png).
#
# usage: html_page.sh TECHWEEK STAGE
set -uo pipefail
techweek=$1 stage_bin=$2

root=$(cd "$(dirname "$0")/../.." && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}
axe=$root/tests/npm/node_modules/axe-core/axe.min.js
if [ ! -x "$chromium" ] || ! command -v node >/dev/null; then
  echo "SKIP: chromium or node not installed: bash .ci/deps --browser"
  exit 77
fi
if [ ! -f "$axe" ]; then
  echo "SKIP: axe-core not installed in tests/npm: bash .ci/deps --browser (npm ci in tests/npm)"
  exit 77
fi

export STAGE_PASSWORD=lovelace # the stage's demo password (rehearsals/)
work=$(mktemp -d)
coproc STAGE { exec "$stage_bin" --port 0; }
trap 'kill $STAGE_PID 2>/dev/null; rm -rf "$work"' EXIT
read -r stage <&"${STAGE[0]}" || { echo "the stage did not start"; exit 1; }

fail_now() { echo "FAIL html-page: $*"; exit 1; }

mkdir -p "$work/pass" "$work/fail" "$work/dress" "$work/phone"
cp "$root/rehearsals/"*.rehearsal "$work/pass/"
cp "$root/rehearsals/"*.rehearsal "$work/fail/"
# issue 13, USE: the scenes they use
cp -r "$root/rehearsals/scenes" "$work/pass/"
cp -r "$root/rehearsals/scenes" "$work/fail/"
cat >"$work/fail/zz-missing.rehearsal" <<'R'
rehearsal "Find the dessert"
outcome "Ada finds a dessert"
cast
  stage
scene "Look for dessert" on web
  visit {{stage}}/
  expect status 200
  expect text "Tiramisu"
R
cat >"$work/fail/zz-call.rehearsal" <<'R'
rehearsal "Check on an order by phone, wrongly"
cast
  stage
scene "Call" on ivr
  call {{stage}}/voice from "+15551230001"
  hear "Welcome to Stage Pizza"
  press 1
  hear "a prompt the stage never says"
R
# A script that cannot run is named by its path, which has no place to
# break a line: at 390 px it must wrap, not widen the page (trial finding 4).
# Last in the run, so the first failing journey is still one with evidence.
cat >"$work/fail/zz-z-broken-script-whose-file-name-is-long_and_has_no_place_to_break_a_line.rehearsal" <<'R'
rehearsal "Broken"
scene "Typo"
  visit {{stage}}/
  expect stauts 200
R
cp "$root/rehearsals/"*.rehearsal "$work/dress/"
cp -r "$root/rehearsals/scenes" "$work/dress/" # issue 13, USE
# The stage fails every fourth order posted to /fault/form: 5 of 20 (as in
# tests/cases/junit-dress-flaky.rehearsal), a flaky journey that fails.
cat >"$work/dress/checkout.rehearsal" <<'R'
rehearsal "Checkout"
scene "Order"
  visit {{stage}}/fault/form?code=500&every=4
  fill "Your name" with Ada
  submit "Place order"
  expect status 200
  expect text "Order placed"
R
cp "$root/rehearsals/call-about-order.rehearsal" "$work/fail/zz-call.rehearsal" "$work/phone/"
# issue 13, USE: the shared scenes the sample uses, beside it
cp -r "$root/rehearsals/scenes" "$work/phone/"

run() { # run NAME ARGS...: NAME.html from the rehearsals in $work/NAME
  local name=$1; shift
  "$techweek" run --var "stage=$stage" --color never --reports "$work/reports-$name" \
    --html "$work/$name.html" "$@" "$work/$name" >"$work/$name.out" 2>&1 </dev/null
  if [ ! -s "$work/$name.html" ]; then
    sed 's/^/     /' "$work/$name.out" | tail -20
    fail_now "techweek run --html wrote no report for the $name run"
  fi
}
run pass
# The passing run again, against the first: the baseline's table too.
cp -r "$work/pass" "$work/again"
run again --baseline "$work/reports-pass/result.json"
run fail
run dress --performances 20 --customers 4
run phone

shots=${TW_PAGE_SHOTS:--}
[ "$shots" = - ] || mkdir -p "$shots"
timeout 200 node "$root/tests/integration/html_page.mjs" "$chromium" "$axe" "$work/profile" "$shots" \
  "pass=$work/pass.html" "pass=$work/again.html" "fail=$work/fail.html" "fail=$work/dress.html" "fail=$work/phone.html" \
  >"$work/probe.out" 2>&1
status=$?
sed 's/^/     /' "$work/probe.out"
if [ "$status" = 0 ]; then
  echo "ok   html-page"
else
  echo "FAIL html-page"
  exit 1
fi
