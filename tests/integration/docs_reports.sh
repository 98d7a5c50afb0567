#!/usr/bin/env bash
# docs/reports.md shows the reports as techweek writes them: its example
# blocks are produced here. The fixed rehearsals of docs/examples (one that
# passes, one that fails, one that cannot reach its host, one that does not
# parse) run against the stage, and rehearsals/kitchen-api.rehearsal as a
# dress rehearsal of 3 performances (--seed 42: its settings.seed); what changes from run to run is
# normalised (below); each block of docs/reports.md after a marker line
#
#   <!-- example: NAME (tests/integration/docs_reports.sh) -->
#
# must then be exactly that output:
#   junit          the JUnit report of the four rehearsals
#   junit-verdict  its verdict testcase
#   terminal       the summary printed with it (stdout)
#   json           the dress rehearsal's JSON result, pretty-printed: the
#                  first scene, its first touchpoint and of its phases
#                  `dns`, the shown performance's first scene and step
#
# Normalised: the stage's port (8080), dates (2026-11-23T11:14:01), the
# host (ci-runner-1), every time (0.012 s in JUnit and the terminal, 0.1 ms
# in step logs, 0.5 ms in JSON distributions, 1.5 ms for other JSON times;
# the verdict's, always 0, kept), libcurl's "after N ms" (0), and the
# reports' folder (reports/).
#
# TW_DOCS_UPDATE=1 rewrites the blocks with the output instead of comparing:
#   TW_DOCS_UPDATE=1 meson test -C build/plain docs-reports
#
# usage: docs_reports.sh TECHWEEK STAGE SOURCE_ROOT
set -uo pipefail
techweek=$(realpath "$1") stage_bin=$2 root=$(realpath "$3")
source "$(dirname "$0")/start_stage.sh"

cd "$root" || exit 1
"$techweek" run --var "stage=$stage" --color never --reports "$work/reports" --no-reports \
  --junit "$work/reports/junit.xml" \
  docs/examples/order.rehearsal docs/examples/api.rehearsal \
  docs/examples/unreachable.rehearsal docs/examples/broken.rehearsal \
  >"$work/terminal.out" 2>"$work/terminal.err"
status=$?
[ "$status" = 2 ] || { echo "FAIL the examples' run: exit $status, expected 2"; cat "$work/terminal.err"; exit 1; }
"$techweek" run --var "stage=$stage" --quiet --no-reports --json "$work/result.json" \
  --performances 3 --seed 42 rehearsals/kitchen-api.rehearsal
status=$?
[ "$status" = 0 ] || { echo "FAIL the dress rehearsal: exit $status, expected 0"; exit 1; }

python3 - "$root/docs/reports.md" "$work" "${stage##*:}" "$(hostname)" <<'PY'
import difflib, json, os, re, sys

doc_path, work, port, host = sys.argv[1:5]
update = os.environ.get("TW_DOCS_UPDATE") == "1"

def common(text):
    text = text.replace(f"http://127.0.0.1:{port}", "http://127.0.0.1:8080")
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", "2026-11-23T11:14:01", text)
    text = re.sub(r"after \d+ ms", "after 0 ms", text)
    return text.replace(work + "/", "")

def junit(text):
    lines, frontstage_steps = [], None
    for line in common(text).split("\n"):
        line = re.sub(r'hostname="[^"]*"', 'hostname="ci-runner-1"', line)
        # The verdict's suite and testcase take no time: kept as written.
        if "curtain-up readiness" not in line and "readiness verdict" not in line:
            line = re.sub(r' time="[\d.]+"', ' time="0.012"', line)
        m = re.search(r'name="frontstage_steps" value="(\d+)"', line)
        if m:
            frontstage_steps = m.group(1)
        if frontstage_steps != "0":  # no frontstage step takes no time
            line = re.sub(r'(name="frontstage_time" value=")[\d.]+', r"\g<1>0.012", line)
        line = re.sub(r"  \d+\.\d ms$", "  0.1 ms", line)
        lines.append(line)
    return "\n".join(lines).rstrip("\n")

def verdict(xml):
    m = re.search(r'\n( *)(<testcase name="readiness verdict".*?</testcase>)', xml, re.S)
    return "\n".join(l[len(m.group(1)):] if l.startswith(m.group(1)) else l
                     for l in (m.group(1) + m.group(2)).split("\n"))

def terminal(text):
    text = common(text)
    text = re.sub(r" in \d+\.\d+ s$", " in 0.05 s", text, flags=re.M)
    text = re.sub(r"   \d+\.\d\d s$", "   0.01 s", text, flags=re.M)
    return text.rstrip("\n")

STATS = {"min", "mean", "p50", "p90", "p95", "p99", "max"}

# The times a run measures (settings such as timeout_ms are as given).
TIMES = {"elapsed_ms", "frontstage_ms", "frontstage_ms_mean"}

def normalise(v, key=None, timing=False):
    if isinstance(v, dict):
        if "buckets" in v and "count" in v:  # a distribution of times
            n = v["count"]
            return {k: (0.5 if k in STATS and n else round(0.5 * n, 3) if k == "sum"
                        else [[0.5, 0.504, n]] if k == "buckets" and n else v[k])
                    for k in v}
        return {k: normalise(x, k, key == "timings") for k, x in v.items()}
    if isinstance(v, list):
        return [normalise(x) for x in v]
    if isinstance(v, str):
        return "ci-runner-1" if key == "host" else common(v)
    number = isinstance(v, (int, float)) and not isinstance(v, bool)
    # Always measured: a run's, a performance's, a scene's, a step's time
    # and libcurl's phases; 0 where nothing was (no frontstage step, no
    # TLS, no redirect) is kept.
    if number and (key == "elapsed_ms" or (timing and key not in ("tls", "redirect"))):
        return 1.5
    if number and (key in TIMES or timing) and v:
        return 1.5
    return v

def pretty(v, indent=0):
    pad, inner = "  " * indent, "  " * (indent + 1)
    flat = lambda x: not isinstance(x, (dict, list)) or (
        isinstance(x, list) and all(flat(y) for y in x))
    if isinstance(v, list) and all(flat(x) for x in v):
        return json.dumps(v, ensure_ascii=False, separators=(", ", ": "))
    if isinstance(v, list):
        return "[\n" + ",\n".join(inner + pretty(x, indent + 1) for x in v) + "\n" + pad + "]"
    if isinstance(v, dict):
        if not v:
            return "{}"
        return "{\n" + ",\n".join(inner + json.dumps(k) + ": " + pretty(x, indent + 1)
                                  for k, x in v.items()) + "\n" + pad + "}"
    return json.dumps(v, ensure_ascii=False)

def result(text):
    r = json.loads(text)
    first = r["rehearsals"][0]
    scene = first["scenes"][0]
    scene["touchpoints"] = scene["touchpoints"][:1]
    tp = scene["touchpoints"][0]
    tp["phases"] = {"dns": tp["phases"]["dns"]}
    first["scenes"] = [scene]
    shown = first["shown"]["scenes"][0]
    shown["steps"] = shown["steps"][:1]
    first["shown"]["scenes"] = [shown]
    return pretty(normalise(r))

read = lambda name: open(os.path.join(work, name), encoding="utf-8").read()
xml = junit(read("reports/junit.xml"))
made = {
    "junit": xml,
    "junit-verdict": verdict(xml),
    "terminal": terminal(read("terminal.out")),
    "json": result(read("result.json")),
}

doc = open(doc_path, encoding="utf-8").read()
marker = re.compile(r"(<!-- example: ([\w-]+) \(tests/integration/docs_reports\.sh\) -->\n"
                    r"```\w*\n)(.*?)(\n```)", re.S)
seen, failed = set(), 0
def block(m):
    global failed
    name = m.group(2)
    seen.add(name)
    if name not in made:
        print(f"FAIL docs/reports.md: no example is named '{name}'")
        failed += 1
        return m.group(0)
    if m.group(3) == made[name]:
        print(f"ok   {name}")
    elif update:
        print(f"updated {name}")
    else:
        failed += 1
        print(f"FAIL {name}: docs/reports.md differs from the output (- doc, + output):")
        sys.stdout.writelines(difflib.unified_diff(
            m.group(3).splitlines(True), made[name].splitlines(True), n=1))
        print()
    return m.group(1) + made[name] + m.group(4)
new = marker.sub(block, doc)
for name in sorted(set(made) - seen):
    print(f"FAIL docs/reports.md has no block marked '{name}'")
    failed += 1
if update and new != doc:
    open(doc_path, "w", encoding="utf-8").write(new)
elif failed:
    print("To rewrite the blocks from the output: TW_DOCS_UPDATE=1 meson test -C build/plain docs-reports")
sys.exit(1 if failed and not update else 0)
PY
