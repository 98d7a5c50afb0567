#!/usr/bin/env bash
# The fault matrix (docs/readiness.md, "The fault matrix"): a dress
# rehearsal of the shop's three journeys (tests/faults/shop: web checkout,
# API, phone) against the planted-fault shop of the stage, once clean and
# once per fault, then a markdown table on stdout: each fault, how often it
# struck, the readiness score, its change from the clean run, the verdict
# and the loss listed first (the touchpoint it names).
#
#   bash tests/faults/matrix.sh [--check] [--performances N] [--customers C]
#                               [--reports DIR] [TECHWEEK [STAGE]]
#
# TECHWEEK and STAGE default to build/plain's. The script starts its own
# stage on a free loopback port, so the counts (every Nth request, per
# fault) start from zero and the table is the same on every machine but
# for the timings. Every run uses --gate 90, as a release gate would.
# --reports DIR keeps each run's reports in DIR/FAULT (otherwise they go
# with the scratch folder). With --check it then asserts what the readiness
# verdict must say about each fault (issue 9):
#   - the clean run is READY, every performance achieved;
#   - every fault struck, and scores below the clean run;
#   - the loss listed first names the planted touchpoint (its line);
#   - checkout-5xx, wrong-outcome and resets are NOT READY;
#   - the table in docs/readiness.md gives each the verdict this run gave;
# and exits 1 naming every assertion that failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
check=0 performances=200 customers=10 keep=
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --check) check=1 ;;
    --performances|--customers|--reports)
      [ $# -ge 2 ] || { echo "matrix.sh: $1 needs a value" >&2; exit 2; }
      case $1 in
        --performances) performances=$2 ;;
        --customers) customers=$2 ;;
        --reports) keep=$2 ;;
      esac
      shift ;;
    -h|--help) sed -n '2,/^set /p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "matrix.sh: unknown option '$1'" >&2; exit 2 ;;
    *) args+=("$1") ;;
  esac
  shift
done
techweek=${args[0]:-$root/build/plain/harness/techweek}
stage_bin=${args[1]:-$root/build/plain/fixtures/techweek-stage}
for bin in "$techweek" "$stage_bin"; do
  [ -x "$bin" ] || { echo "matrix.sh: $bin is not built (bash .ci/build plain)" >&2; exit 2; }
done

work=$(mktemp -d)
stage_pid=
cleanup() {
  [ -n "$stage_pid" ] && kill "$stage_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
reports=${keep:-$work/reports}
mkdir -p "$reports" || exit 2

# The resets fault makes libmicrohttpd log each connection it drops: kept
# apart, in the stage's stderr file.
exec {stage_fd}< <(exec "$stage_bin" --port 0 2>"$work/stage.err")
stage_pid=$!
read -r -u "$stage_fd" stage || { echo "matrix.sh: the stage did not start" >&2; exit 1; }

faults=(clean slow-page checkout-5xx resets ivr-reprompt wrong-outcome extra-pages slow-ivr)
shop=$root/tests/faults/shop
for fault in "${faults[@]}"; do
  journeys=("$shop/checkout.rehearsal" "$shop/kitchen-api.rehearsal" "$shop/phone.rehearsal")
  # The shop that grew by two pages is walked through them.
  [ "$fault" = extra-pages ] && journeys[0]=$root/tests/faults/grown/checkout.rehearsal
  start=${EPOCHREALTIME/./}
  "$techweek" run --no-color --performances "$performances" --customers "$customers" \
    --gate 90 --var "shop=$stage/shop/$fault" --reports "$reports/$fault" \
    "${journeys[@]}" >"$reports/$fault.out" 2>&1
  echo $? >"$reports/$fault.exit"
  curl -s "$stage/shop/$fault/count" >"$reports/$fault.count"
  ms=$(( (${EPOCHREALTIME/./} - start) / 1000 ))
  printf 'matrix.sh: %-14s exit %s in %d.%d s\n' "$fault" "$(cat "$reports/$fault.exit")" \
    $((ms / 1000)) $((ms % 1000 / 100)) >&2
done

python3 - "$reports" "$root" "$check" "$performances" "$customers" "${faults[@]}" <<'PY'
import json, os, re, sys
import xml.etree.ElementTree as ET

reports, root, check = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
performances, customers = sys.argv[4], sys.argv[5]
faults = sys.argv[6:]
shop = os.path.join(root, "tests", "faults", "shop")

def step_line(path, text):
    """`line N 'TEXT`: how a loss names the step TEXT of that script."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip() == text:
                return f"line {n} '{text}"
    sys.exit(f"matrix.sh: '{text}' is not a line of {path}")

checkout = os.path.join(shop, "checkout.rehearsal")
# What each fault plants, and where: the journey and the words of the loss
# that must come first.
planted = {
    "slow-page": ("Order a pizza at the shop", step_line(checkout, 'click "Margherita"')),
    "checkout-5xx": ("Order a pizza at the shop", step_line(checkout, 'submit "Place order"')),
    # A URL written with a template is named as it was sent (its port is
    # the shop's): the line and the keyword before it.
    "resets": ("Track an order through the API",
               step_line(os.path.join(shop, "kitchen-api.rehearsal"),
                         "get {{shop}}/api/orders/1001").split("{{shop}}")[0]),
    # A re-prompt is named by the menu that played again (its first words).
    "ivr-reprompt": ("Check on an order by phone", "For the status of an order"),
    "wrong-outcome": ("Order a pizza at the shop",
                      step_line(checkout, 'expect text "Your pizza: Margherita, Large."')),
    # Two more pages are no one touchpoint's fault: the loss names the steps.
    "extra-pages": ("Order a pizza at the shop", "7 steps"),
    "slow-ivr": ("Check on an order by phone",
                 step_line(os.path.join(shop, "phone.rehearsal"), "press 1001#")),
}
must_block = {"checkout-5xx", "wrong-outcome", "resets"}

runs = {}
for fault in faults:
    d = os.path.join(reports, fault)
    run = {"exit": int(open(os.path.join(reports, fault + ".exit")).read())}
    try:
        run["result"] = json.load(open(os.path.join(d, "result.json"), encoding="utf-8"))
        junit = ET.parse(os.path.join(d, "junit.xml")).getroot()
        prop = junit.find(".//property[@name='verdict']")
        run["words"] = prop.get("value") if prop is not None else "?"
    except (OSError, ValueError, ET.ParseError) as e:
        run["result"], run["words"] = None, f"no report ({e})"
    try:
        run["count"] = json.load(open(os.path.join(reports, fault + ".count")))
    except (OSError, ValueError):
        run["count"] = None
    runs[fault] = run

def score(run):
    r = run["result"]
    return r["readiness"]["score"] if r and r.get("readiness") else None

def first_loss(run):
    r = run["result"]
    losses = (r.get("readiness") or {}).get("losses") or [] if r else []
    return losses[0] if losses else None

def cell(text):
    return text.replace("|", "\\|").replace("\n", " ")

clean = score(runs["clean"])
print(f"{performances} performances of each journey by up to {customers} customers,"
      " --gate 90\n")
print("| fault | planted | score | change from clean | verdict | first loss (the touchpoint it names) |")
print("|---|---|---|---|---|---|")
for fault in faults:
    run = runs[fault]
    s = score(run)
    c = run["count"]
    struck = "—" if fault == "clean" or not c else f"{c['struck']} of {c['seen']} {c['counts']}"
    change = "—" if s is None or clean is None or fault == "clean" else f"{s - clean:+.3f}"
    loss = first_loss(run)
    why = "—" if not loss else f"-{loss['points']:.2f} {loss['part']}: {loss['why']}"
    print(f"| {fault} | {cell(struck)} | {'—' if s is None else f'{s:.3f}'} | {change} "
          f"| {cell(run['words'])} | {cell(why)} |")

if not check:
    sys.exit(0)

problems = []
def expect(ok, what):
    print(("ok    " if ok else "FAIL  ") + what, file=sys.stderr)
    if not ok:
        problems.append(what)

r = runs["clean"]["result"]
expect(r is not None and r["verdict"] == "passed" and runs["clean"]["exit"] == 0,
       "clean: READY, exit 0")
expect(r is not None and r["totals"]["achieved"] == r["totals"]["performances"],
       "clean: every performance achieved its outcome")
for fault in faults[1:]:
    run = runs[fault]
    r, s, c = run["result"], score(run), run["count"]
    expect(c is not None and c["struck"] > 0, f"{fault}: the fault struck")
    expect(s is not None and clean is not None and s < clean,
           f"{fault}: scores below the clean run ({s} < {clean})")
    journey, words = planted[fault]
    loss = first_loss(run)
    named = loss is not None and r["rehearsals"][loss["rehearsal"]]["name"] == journey
    if named and words.startswith("line "):
        # Named first: the first step the loss names is the planted one.
        first = re.search(r"line \d+ '", loss["why"])
        named = first is not None and loss["why"].startswith(words, first.start())
    elif named:
        named = words in loss["why"]
    expect(named, f"{fault}: the first loss (on {journey}) names first: {words}"
                  f" (it says: {loss['why'] if loss else 'nothing'})")
    if fault in must_block:
        expect(r is not None and r["verdict"] == "failed",
               f"{fault}: NOT READY (it says {run['words']})")
# The table in the docs must be the one this run printed, as far as the
# verdicts go (the other figures move with timings and with the score's rules).
docs = open(os.path.join(root, "docs", "readiness.md"), encoding="utf-8").read()
section = docs.split("\n## The fault matrix\n", 1)[-1].split("\n## ", 1)[0]
rows = {}
for line in section.splitlines():
    cells = [c.strip() for c in line.strip("|").split(" | ")]
    if len(cells) == 6 and cells[0] in faults:
        rows[cells[0]] = cells[4]
for fault in faults:
    same = rows.get(fault) == runs[fault]["words"]
    expect(same, f"docs/readiness.md's table: {fault} reads {runs[fault]['words']!r}" +
           ("" if same else f", not {rows.get(fault)!r}: paste the table this command prints"))
if problems:
    print(f"matrix.sh: {len(problems)} assertion(s) failed", file=sys.stderr)
    sys.exit(1)
print("matrix.sh: every assertion held", file=sys.stderr)
PY
