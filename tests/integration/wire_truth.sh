#!/usr/bin/env bash
# Wire truth (docs/reports.md, a touchpoint's `requests` and `retries`): a
# dress rehearsal against hostile_server.py, which counts what it served as a
# server log would. Every request that went on the wire is counted: each
# redirect hop, and each request libcurl sent again on a fresh connection
# after a reused keep-alive connection died under it (the server read it,
# then reset the connection). Such a silent re-send is a retry, and makes the
# touchpoint flaky, though every performance passed. Then the same against
# the stage's /fault/flaky-keepalive, which closes the connection unanswered
# instead (libmicrohttpd), with its own count.
#
# usage: wire_truth.sh TECHWEEK STAGE SOURCE_ROOT
set -uo pipefail
# Whole lines to grep: the summary as a terminal wide enough for any of
# them shows it (it fits 80 columns otherwise).
export COLUMNS=1000
techweek=$1 stage_bin=$2 root=$3
work=$(mktemp -d)
server_pid= stage_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  [ -n "$stage_pid" ] && kill "$stage_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

exec {server_fd}< <(exec python3 "$root/tests/integration/hostile_server.py")
server_pid=$!
read -r -u "$server_fd" base _ || { echo "FAIL: hostile_server.py did not start"; exit 1; }

cat >"$work/wire.rehearsal" <<'R'
rehearsal "Wire truth"
outcome   "Every request the server saw is counted"

cast
  hostile

scene "Keep-alive" on web
  get {{hostile}}/flaky-keepalive?every=7
  expect status 200
  get {{hostile}}/redirect-chain?n=3
  expect status 200
R

performances=50
"$techweek" run --no-color --performances "$performances" --customers 5 \
  --var "hostile=$base" --json "$work/result.json" --junit "$work/junit.xml" \
  --html "$work/readiness.html" "$work/wire.rehearsal" >"$work/out" 2>&1
status=$?
counts=$(curl -s "$base/count")
echo "server: $counts"

python3 - "$work/result.json" "$counts" "$performances" "$status" "$work/out" \
  "$work/readiness.html" "$work/junit.xml" <<'PY' || exit 1
import json, re, sys
doc = json.load(open(sys.argv[1]))
terminal = open(sys.argv[5], encoding="utf-8").read()
html = open(sys.argv[6], encoding="utf-8").read()
server = json.loads(sys.argv[2])
performances, status = int(sys.argv[3]), int(sys.argv[4])
tps = doc["rehearsals"][0]["scenes"][0]["touchpoints"]
flaky, redirect = tps[0], tps[2]
problems = []
def check(what, got, want):
    print(f"{what}: {got} (want {want})")
    if got != want:
        problems.append(what)
check("exit status", status, 0)
check("performances achieved", doc["totals"]["achieved"], performances)
if server["dropped"] == 0:
    problems.append("the server dropped no connection: the fault never fired")
check("flaky-keepalive requests = the server's", flaky["requests"], server["flaky"])
check("flaky-keepalive retries = connections the server dropped", flaky["retries"],
      server["dropped"])
check("flaky-keepalive failed", flaky["failed"], 0)
check("flaky-keepalive flaky", flaky["flaky"], True)
check("flaky-keepalive retried_passes", flaky["retried_passes"], server["dropped"])
check("redirect-chain requests = 4 per performance", redirect["requests"], 4 * performances)
check("redirect-chain requests = the server's", redirect["requests"], server["redirect"])
check("redirect-chain retries", redirect["retries"], 0)
check("redirect-chain flaky", redirect["flaky"], False)
check("totals.requests = the server's", doc["totals"]["requests"],
      server["flaky"] + server["redirect"])
check("the rehearsal is flaky", doc["rehearsals"][0]["flaky"], False)
# The terminal lists the touchpoint with its retries; the HTML marks it.
line = next((l for l in terminal.splitlines() if "flaky-keepalive" in l), "")
check("terminal: the touchpoint's retries", f"{server['dropped']} retried flaky" in line, True)
junit = open(sys.argv[7], encoding="utf-8").read()
for name, want in (("requests", server["flaky"] + server["redirect"]),
                   ("retries", server["dropped"]), ("flaky_lines", "8")):
    check(f"JUnit property {name}", f'<property name="{name}" value="{want}"/>' in junit, True)
check("HTML: the touchpoint's row is flaky",
      re.search(r'<tr class="tp h-flaky">\s*<td class="num"[^>]*>8</td>', html) is not None, True)
if problems:
    print("FAIL: " + "; ".join(problems))
    sys.exit(1)
print("ok")
PY

# libmicrohttpd logs a line for each connection the fault drops: kept apart.
exec {stage_fd}< <(exec "$stage_bin" --port 0 2>"$work/stage.err")
stage_pid=$!
read -r -u "$stage_fd" stage || { echo "FAIL: the stage did not start"; exit 1; }
sed -e 's|{{hostile}}/flaky-keepalive|{{hostile}}/fault/flaky-keepalive|' \
    -e 's|{{hostile}}/redirect-chain|{{hostile}}/fault/redirect-chain|' \
    "$work/wire.rehearsal" >"$work/stage.rehearsal"
"$techweek" run --quiet --performances "$performances" --customers 5 \
  --var "hostile=$stage" --json "$work/stage.json" --reports "$work/stage-reports" "$work/stage.rehearsal" \
  >"$work/stage.out" 2>&1
status=$?
counts=$(curl -s "$stage/fault/flaky-keepalive/count")
echo "stage: $counts"
python3 - "$work/stage.json" "$counts" "$performances" "$status" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
stage = json.loads(sys.argv[2])
performances, status = int(sys.argv[3]), int(sys.argv[4])
tps = doc["rehearsals"][0]["scenes"][0]["touchpoints"]
problems = []
def check(what, got, want):
    print(f"{what}: {got} (want {want})")
    if got != want:
        problems.append(what)
check("exit status", status, 0)
if stage["dropped"] == 0:
    problems.append("the stage dropped no connection: the fault never fired")
check("stage: flaky-keepalive requests = the stage's", tps[0]["requests"], stage["served"])
check("stage: retries = connections the stage dropped", tps[0]["retries"], stage["dropped"])
check("stage: flaky-keepalive flaky", tps[0]["flaky"], True)
check("stage: redirect-chain requests", tps[2]["requests"], 4 * performances)
if problems:
    print("FAIL: " + "; ".join(problems))
    sys.exit(1)
print("ok")
PY
