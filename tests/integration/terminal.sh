#!/usr/bin/env bash
# The terminal summary (docs/reports.md, Terminal summary), issue 11:
#
# 1. It fits the terminal's width. Real rehearsals against the stage
#    (failing, passing, a dress rehearsal, a phone call, a long name, a long
#    URL and a long cause), plain and --verbose, with COLUMNS=60, 80 and 120
#    (stdout is no terminal here), and once in a pseudo-terminal whose width
#    `stty cols` sets (TIOCGWINSZ): no line is wider than the width, but for
#    one word alone that is wider than it; no word is split (every word of
#    the long cause, name and URL is whole); table columns align (the
#    rehearsal rows' scenes, each step row's status and time, a dress
#    rehearsal's touchpoint figures; with --verbose, where every request
#    starts).
# 2. The banner counts what was performed: a dress rehearsal with a redirect
#    (a submit answered 303, then the page) and a redirect chain, whose
#    steps and requests are known exactly, says them, as the JSON totals do
#    and as the stage's own count (/served) of what it read does; so does a
#    run with a phone call, whose webhook fetches are requests too.
# 3. A dress rehearsal's row gives the time its JUnit suite gives.
#
# usage: terminal.sh TECHWEEK STAGE SOURCE_ROOT
set -uo pipefail
techweek=$1 stage_bin=$2 root=$3
work=$(mktemp -d)
stage_pid=
cleanup() {
  [ -n "$stage_pid" ] && kill "$stage_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
coproc STAGE { exec "$stage_bin" --port 0; }
stage_pid=$STAGE_PID
read -r stage <&"${STAGE[0]}" || { echo "FAIL: the stage did not start"; exit 1; }
export STAGE_PASSWORD=lovelace
unset COLUMNS

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

cause='Your order of an extraordinarily large family pizza with anchovies, capers, olives and artichokes is confirmed'
name='A returning customer with a remarkably long name orders a family-size pizza with every topping the kitchen has'
url='{{stage}}/echo/page?customer=ada-who-wrote-the-first-program-for-a-machine&toppings=anchovies-capers-olives-artichokes'
cat >"$work/long.rehearsal" <<R
rehearsal "$name"
outcome   "The kitchen confirms every topping"

cast
  stage

scene "Ask for everything" on web
  visit $url
  expect status 200
  expect text "$cause"
R

# A submit answered 303 then the page (2 requests), a chain of two
# redirects (3 requests), a page (1 request): 6 requests and 7 steps a
# performance.
cat >"$work/redirects.rehearsal" <<'R'
rehearsal "Order, and follow the redirects"
outcome   "The order is confirmed"

cast
  stage

scene "Order" on web
  visit {{stage}}/pizza/margherita
  fill "Your name" with Ada
  submit "Place order"
  expect text ~ /Order #(\d+) confirmed/
  get {{stage}}/fault/redirect-chain?n=2
  expect status 200
  expect text "arrived"
R

# The summary of a run, width columns wide ("" for no COLUMNS).
summary() {
  local width=$1 label=$2
  shift 2
  COLUMNS=$width "$techweek" run --color never --progress 0 --var "stage=$stage" \
    --reports "$work/reports-$label" "$@" >"$work/$label.out" 2>"$work/$label.err"
}

check() { # FILE WIDTH VERBOSE
  python3 - "$@" "$cause" "$name" "$url" <<'PY'
import re, sys
path, width, verbose, cause, name, url = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", *sys.argv[4:]
text = open(path, encoding="utf-8").read().replace("\r\n", "\n")
lines = text.split("\n")
problems = []
# 1. No line wider than the width, but one word alone (the summary's: the
# CLI's own lines naming the reports come after it).
for line in lines:
    if re.match(r"^(JUnit report|JSON result|HTML report): ", line):
        continue
    if len(line) > width and (line != line.lstrip() or " " in line):
        problems.append(f"a line of {len(line)} columns: {line!r}")
# 2. No word split: each long text is whole once line breaks and
#    indentation read as one space.
flat = " ".join(text.split())
# The URL (a step's source) is shown with every step, with --verbose.
# The name is cut (with "…") where it is longer than 80 characters; the
# words up to the cut must be whole.
for what, want in (("cause", cause), ("name", name[:60]), ("url", url if verbose else cause)):
    if want not in flat:
        problems.append(f"the {what} is not whole: {want!r}")
# 3. Columns: every rehearsal row's "N scenes" (or "broken") at one column.
def columns(rx):
    return {m.start(1) for line in lines for m in [re.search(rx, line)] if m}
rows = columns(r"  (\d+ scenes? +\d+\.\d\d s|broken)$")
if len(rows) != 1:
    problems.append(f"rehearsal rows' scenes at columns {sorted(rows)}")
# ... every verbose step row's time (its status, when it has one, five
# columns before), on its line or, when the source is too wide, the next.
if verbose:
    times = set()
    for i, line in enumerate(lines):
        if not re.match(r"^ +[✔✘⚠⊘!] +\d+ \| ", line):
            continue
        for j, l in enumerate([line] + lines[i + 1 : i + 5]):
            if j and re.match(r"^ +[✔✘⚠⊘!-] +\d+ \| ", l):
                problems.append(f"a step row without its time: {line!r}")
                break
            m = re.search(r"(?:(\d{3})  |     )(\d+\.\d ms|\d+\.\d\d s)(  [A-Z]+( \S+)?)?$", l)
            if m:
                times.add(m.start(2))
                break
        else:
            problems.append(f"a step row without its time: {line!r}")
    if len(times) != 1:
        problems.append(f"step rows' times at columns {sorted(times)}")
# ... every request of the verbose step rows (a step's first, and each
# hop after it, "→ 200  GET URL") starts at one column, however long its
# URL (trial finding 14: 9 for one step, 17-19 for the next).
if verbose:
    starts = {}
    for line in lines:
        m = re.match(r"^( *(?:→ (?:\d{3}  |     ))?)(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \S", line)
        if m:
            starts.setdefault(len(m.group(1)), line)
    if len(starts) > 1:
        problems.append("requests start at columns " + ", ".join(
            f"{c} ({l.strip()[:50]!r})" for c, l in sorted(starts.items())))
# ... a dress rehearsal's touchpoint figures, "N× p50 ...".
figures = {m.start() for line in lines for m in re.finditer(r"\b\d+× p50", line)}
if len(figures) > 1:
    problems.append(f"touchpoint figures at columns {sorted(figures)}")
for p in problems:
    print(f"FAIL: {path} at {width} columns: {p}")
if problems:
    print(text)
sys.exit(1 if problems else 0)
PY
}

for width in 60 80 120; do
  summary "$width" "tech-$width" "$root/rehearsals" "$work/long.rehearsal"
  check "$work/tech-$width.out" "$width" 0 || failures=$((failures + 1))
  summary "$width" "verbose-$width" --verbose "$root/rehearsals" "$work/long.rehearsal" \
    "$work/redirects.rehearsal"
  check "$work/verbose-$width.out" "$width" 1 || failures=$((failures + 1))
  summary "$width" "dress-$width" --performances 3 --customers 2 --verbose \
    "$root/rehearsals" "$work/long.rehearsal"
  check "$work/dress-$width.out" "$width" 1 || failures=$((failures + 1))
done
# No terminal, no COLUMNS (or nonsense in it): 80.
for columns in "" 0 7 abc 99999; do
  summary "$columns" "default" "$work/long.rehearsal"
  check "$work/default.out" 80 0 || { failures=$((failures + 1)); echo "(COLUMNS='$columns')"; }
done
# A terminal's width (TIOCGWINSZ on stdout) wins over COLUMNS.
if command -v script >/dev/null; then
  cmd=$(printf '%q ' "$techweek" run --color never --progress 0 --var "stage=$stage" \
    --reports "$work/reports-tty" "$work/long.rehearsal")
  COLUMNS=120 script -qec "stty cols 70; $cmd 2>/dev/null" /dev/null >"$work/tty.out"
  check "$work/tty.out" 70 0 || failures=$((failures + 1))
  grep -q "Ask for everything" "$work/tty.out" || fail "the run in a terminal printed no summary"
else
  echo "skipped: the terminal's width (no script(1))"
fi

# 2. The banner counts what was performed.
served() { curl -fsS "$stage/served" | jq .served; }
performances=7
before=$(served)
summary 80 redirects --performances "$performances" --customers 3 "$work/redirects.rehearsal"
after=$(served)
json=$work/reports-redirects/result.json
steps=$((7 * performances)) requests=$((6 * performances))
[ "$((after - before))" = "$requests" ] ||
  fail "the stage read $((after - before)) requests, the rehearsal makes $requests"
[ "$(jq .totals.requests "$json")" = "$requests" ] ||
  fail "JSON totals.requests is $(jq .totals.requests "$json"), not $requests"
[ "$(jq .totals.steps "$json")" = "$steps" ] ||
  fail "JSON totals.steps is $(jq .totals.steps "$json"), not $steps"
banner=$(head -n 1 "$work/redirects.out")
case $banner in
  *" 1 rehearsal, 1 scene, $steps steps, $requests HTTP requests in "*) echo "ok: $banner" ;;
  *) fail "the banner says '$banner', not $steps steps and $requests HTTP requests" ;;
esac
grep -qF "$performances performances by up to 3 customers" "$work/redirects.out" ||
  fail "no schedule line"

# A phone call's webhook fetches are requests too: whatever the IVR made
# of it, the banner says what the stage read.
before=$(served)
summary 80 phone --performances 2 "$root/rehearsals/call-about-order.rehearsal"
after=$(served)
json=$work/reports-phone/result.json
banner=$(head -n 1 "$work/phone.out")
case $banner in
  *" $(jq .totals.steps "$json") steps, $((after - before)) HTTP requests in "*) echo "ok: $banner" ;;
  *) fail "the banner says '$banner'; the stage read $((after - before)) requests, JSON steps $(jq .totals.steps "$json")" ;;
esac
[ "$(jq .totals.requests "$json")" = "$((after - before))" ] ||
  fail "JSON totals.requests is $(jq .totals.requests "$json"), the stage read $((after - before))"

# 3. A dress rehearsal's time on its row is the JUnit suite's time
#    (docs/reports.md): the time its scenes took over every performance,
#    not the one performance shown. 6 performances of a 50 ms answer: the
#    two differ by far more than the rounding of "0.30 s".
cat >"$work/slow.rehearsal" <<'R'
rehearsal "Wait for the slow page"
scene "Wait" on web
  get {{stage}}/fault/slow?ms=50
  expect status 200
R
summary 80 slow --performances 6 --customers 2 "$work/slow.rehearsal"
suite=$(xmllint --xpath 'string(//testsuite[@name="Wait for the slow page"]/@time)' \
  "$work/reports-slow/junit.xml")
row=$(grep -oE 'Wait for the slow page +1 scene +[0-9.]+ s' "$work/slow.out" | grep -oE '[0-9.]+ s$')
python3 -c 'import sys; sys.exit(abs(float(sys.argv[1]) - float(sys.argv[2])) > 0.0051)' \
  "${row% s}" "${suite:-nan}" ||
  fail "a dress rehearsal's row says ${row:-nothing}, its JUnit suite time=\"$suite\""

if [ "$failures" -gt 0 ]; then
  echo "--- redirects.out"; cat "$work/redirects.out"
  exit 1
fi
echo "ok: the summary fits 60, 80, 120 and a terminal's 70 columns; the banner counts what was performed"
