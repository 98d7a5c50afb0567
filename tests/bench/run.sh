#!/usr/bin/env bash
# tests/bench/run.sh - techweek's benchmark, side by side with wrk and newman,
# in one run on this machine. Not part of the test suite: it prints timings and
# never judges them. See docs/performance.md for what it measures and why.
#
#   bash tests/bench/run.sh
#
# It installs what is missing (Debian: wrk, nginx, time, nodejs, npm, plus
# what .ci/deps installs; npm: newman into tests/bench/node_modules from the
# committed package-lock.json), builds techweek (.ci/build plain), raises the
# open-file limit for itself and its children, starts an nginx of its own and
# the stage, both on 127.0.0.1 only, and prints:
#   a) requests/s and CPU per request of techweek and of wrk on a static file
#      served by that nginx, 50 connections, 1 and 2 threads, nginx's CPU use
#      during each run and which side was the bottleneck; and of libcurl alone
#      (tests/bench/curl_floor.c: the same requests with nothing else), which
#      splits techweek's cost into libcurl's own and techweek's;
#   b) the same web journey run M times by newman (-n M) and by techweek
#      (1 customer, and 10 at once; the median of BENCH_REPEATS runs, half
#      before newman and half after): wall time and CPU time;
#   c) techweek's CPU per step and peak resident memory at 1 000 and
#      1 000 000 performances of the one-step rehearsal (flat memory);
#   d) the scale curve: 50, 500 and 5 000 customers on the one-step rehearsal
#      (rate, CPU per request beside libcurl alone's on as many connections,
#      peak memory per customer, bottleneck), and
#      the same numbers of customers all idle at once in a pause (resident
#      memory per idle customer);
#   e) the open model: 2 000 arrivals/s for 20 s, requested against achieved
#      rate and the lateness of the starts;
# then Markdown tables ready to paste into docs/performance.md.
#
# Knobs (environment):
#   BENCH_SECONDS=10       length of each rate run in a) and d) (wrk -d;
#                          techweek's --performances sized to it)
#   BENCH_PROBE=20000      performances of the short run that sizes each
#                          techweek rate run
#   BENCH_JOURNEYS=500     M, journeys per tool in b)
#   BENCH_REPEATS=5        techweek's runs of the journey in b), with 1 customer and again with 10
#   BENCH_SMALL=1000       performances of the small run in c)
#   BENCH_LARGE=1000000    performances of the large run in c)
#   BENCH_SCALE="50 500 5000"  customers in d)
#   BENCH_IDLE_SECONDS=20  how long each idle customer pauses in d)
#   BENCH_RATE=2000        arrivals a second in e)
#   BENCH_RATE_SECONDS=20  how long arrivals go on in e)
#   BENCH_RATE_CUSTOMERS=1000  customers at most in flight in e)
#   BENCH_NOFILE=65536     open-file limit (ulimit -n) wanted for the run
#   BENCH_SKIP_BUILD=1     use build/plain as it is (no .ci/build)
set -euo pipefail

cd "$(dirname "$0")/../.."
root=$PWD
bench=$root/tests/bench
seconds=${BENCH_SECONDS:-10}
probe=${BENCH_PROBE:-20000}
journeys=${BENCH_JOURNEYS:-500}
repeats=${BENCH_REPEATS:-5}
small=${BENCH_SMALL:-1000}
large=${BENCH_LARGE:-1000000}
read -r -a scale <<<"${BENCH_SCALE:-50 500 5000}"
idle_seconds=${BENCH_IDLE_SECONDS:-20}
open_rate=${BENCH_RATE:-2000}
open_seconds=${BENCH_RATE_SECONDS:-20}
open_customers=${BENCH_RATE_CUSTOMERS:-1000}
nofile_wanted=${BENCH_NOFILE:-65536}
connections=50

# shellcheck source=tests/bench/lib.sh
. "$bench/lib.sh"
[[ $repeats =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPEATS must be a whole number, at least 1 (it is '$repeats')"

# --- what it needs -------------------------------------------------------------

install_missing() {
    local -a missing=()
    command -v wrk >/dev/null || missing+=(wrk)
    command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
    [ -x /usr/bin/time ] || missing+=(time)
    command -v node >/dev/null || missing+=(nodejs)
    command -v npm >/dev/null || missing+=(npm)
    command -v curl >/dev/null || missing+=(curl)
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

bash .ci/deps
install_missing
export PATH=$PATH:/usr/sbin
if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
    say "building techweek (.ci/build plain)"
    bash .ci/build plain
fi
techweek=$root/build/plain/harness/techweek
floor=$root/build/plain/tests/bench/curl_floor
stage_bin=$root/build/plain/fixtures/techweek-stage
if [ ! -x "$techweek" ] || [ ! -x "$stage_bin" ]; then die "no build in build/plain"; fi
# grep reads the whole help (not -q): quitting at the first match would
# leave techweek writing into a closed pipe, and pipefail fails the check
"$techweek" run --help | grep -- --performances >/dev/null ||
    die "this techweek has no --performances: build a newer one"
if [ ! -x "$bench/node_modules/.bin/newman" ]; then
    say "installing newman (npm ci in tests/bench)"
    (cd "$bench" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
newman=$bench/node_modules/.bin/newman

# --- helpers -------------------------------------------------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/techweek-bench.XXXXXX")
stage_pid=
bg_pid=

cleanup() {
    if [ -n "$bg_pid" ] && kill -0 "$bg_pid" 2>/dev/null; then
        kill -TERM "$bg_pid" 2>/dev/null || true
        wait "$bg_pid" 2>/dev/null || true
    fi
    stop_nginx
    if [ -n "$stage_pid" ] && kill -0 "$stage_pid" 2>/dev/null; then
        kill -TERM "$stage_pid" 2>/dev/null || true
        wait "$stage_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

hz=$(getconf CLK_TCK)

# 5 000 customers need some 10 000 descriptors (a connection and techweek's
# own per customer, and nginx's side of each): raise the limit for this shell,
# which every client and nginx inherit. Said in the output, not done silently.
nofile_before=$(ulimit -Sn)
raise_nofile "$nofile_wanted"
nofile=$(ulimit -Sn)
say "open files: soft limit $nofile (was $nofile_before, wanted $nofile_wanted, hard limit $(ulimit -Hn)) for this run (ulimit -n)"
if [ "$nofile" != unlimited ] && [ "$nofile" -lt $((2 * ${scale[-1]} + 256)) ]; then
    say "warning: $nofile open files may not be enough for ${scale[-1]} customers (hard limit $(ulimit -Hn))"
fi
[ "$nofile" = unlimited ] && nofile=$nofile_wanted

# timed NAME CMD... : runs CMD under /usr/bin/time; its stdout goes to
# $work/NAME.out, stderr to $work/NAME.err, and "user sys maxrss_kb wall" to
# $work/NAME.time. Returns CMD's status.
timed() {
    local name=$1
    shift
    local rc=0
    /usr/bin/time -f '%U %S %M %e' -o "$work/$name.time" "$@" \
        >"$work/$name.out" 2>"$work/$name.err" || rc=$?
    said_failure "$name" $rc "$@"
}
# said_failure NAME RC CMD... : unless RC is 0, says CMD failed and shows the
# end of its stderr; returns RC.
said_failure() {
    local name=$1 rc=$2
    shift 2
    if [ "$rc" -ne 0 ]; then
        say "'$*' exited $rc; its stderr:"
        tail -n 20 "$work/$name.err" >&2
    fi
    return "$rc"
}
# timed_fine NAME CMD... : as timed, to the millisecond (bash's time keyword;
# GNU time prints hundredths, a 4% step on the 0.25 s of a journey run), and
# no peak RSS (0 in its place).
timed_fine() {
    local name=$1
    shift
    local rc=0 TIMEFORMAT='%3U %3S 0 %3R'
    { time "$@" >"$work/$name.out" 2>"$work/$name.err"; } 2>"$work/$name.time" || rc=$?
    said_failure "$name" $rc "$@"
}
user_s() { awk 'END { print $1 }' "$work/$1.time"; }
sys_s() { awk 'END { print $2 }' "$work/$1.time"; }
cpu_s() { awk 'END { printf "%.3f", $1 + $2 }' "$work/$1.time"; }
rss_kb() { awk 'END { print $3 }' "$work/$1.time"; }
wall_s() { awk 'END { print $4 }' "$work/$1.time"; }

# json FILE EXPR : a value from techweek's JSON result (EXPR in JavaScript on d).
json() { node -e 'const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const v = eval(process.argv[2]); process.stdout.write(String(v));' "$1" "$2"; }

# check_counts FILE WANT : the JSON counts every scheduled performance exactly
# once, and none failed.
check_counts() {
    local got each passed failed
    got=$(json "$1" 'd.totals.performances')
    each=$(json "$1" 'd.rehearsals.reduce((n, r) => n + r.performances, 0)')
    passed=$(json "$1" 'd.totals.passed ?? d.totals.achieved')
    failed=$(json "$1" 'd.totals.failed')
    if [ "$got" != "$2" ] || [ "$each" != "$2" ] || [ "$passed" != "$2" ] || [ "$failed" != 0 ]; then
        die "$1: wanted $2 performances, all passed; got $got performed ($each by rehearsal), $passed passed, $failed failed"
    fi
}

# tw NAME PERFORMANCES CUSTOMERS JOBS REHEARSAL VARS... : one timed techweek run,
# its JSON result in $work/NAME.json; dies unless every performance passed.
# TW_TIMER=timed_fine times it to the millisecond.
tw() {
    local name=$1 n=$2 c=$3 j=$4 file=$5
    shift 5
    local -a vars=()
    local v
    for v in "$@"; do vars+=(--var "$v"); done
    "${TW_TIMER:-timed}" "$name" "$techweek" run -q --reports "$work/reports-$name" --json "$work/$name.json" \
        --performances "$n" --customers "$c" --jobs "$j" "${vars[@]}" "$file" ||
        die "techweek run $name failed"
    check_counts "$work/$name.json" "$n"
}
tw_seconds() { calc "$(json "$work/$1.json" 'd.elapsed_ms') / 1000" "%.3f"; }

# Another busy process on the machine skews every figure: say how idle it was.
read -r idle0 total0 < <(machine_ticks)
sleep 1
read -r idle1 total1 < <(machine_ticks)
idle_before=$(calc "100 * ($idle1 - $idle0) / ($total1 - $total0)" "%.0f")
if [ "$idle_before" -lt 90 ]; then
    say "warning: the machine was only $idle_before% idle before the benchmark; figures will be low"
fi

start_nginx "$nofile"
say "nginx: $nginx_url (${#nginx_workers[@]} workers, worker_rlimit_nofile $nofile, worker_connections $nginx_connections)"

# --- CPU over a run, and which side limited it ----------------------------------

declare -A rate cpu_req srv_cpu srv_max idle reqs wall threads
# server_before / server_after NAME : nginx workers' CPU over a run, as % of
# one core (all workers, and the busiest one), and how much of the whole
# machine sat idle meanwhile.
declare -a srv_w0
server_before() {
    local i
    for i in "${!nginx_workers[@]}"; do srv_w0[i]=$(cpu_ticks "${nginx_workers[i]}"); done
    read -r idle0 total0 < <(machine_ticks)
}
server_after() {
    local i t sum=0 max=0 idle1 total1
    for i in "${!nginx_workers[@]}"; do
        t=$(($(cpu_ticks "${nginx_workers[i]}") - srv_w0[i]))
        sum=$((sum + t))
        [ "$t" -gt "$max" ] && max=$t
    done
    read -r idle1 total1 < <(machine_ticks)
    srv_cpu[$1]=$(calc "100 * $sum / $hz / ${wall[$1]}" "%.0f")
    srv_max[$1]=$(calc "100 * $max / $hz / ${wall[$1]}" "%.0f")
    idle[$1]=$(calc "100 * ($idle1 - $idle0) / ($total1 - $total0)" "%.0f")
}
client_cpu() { calc "100 * $(cpu_s "$1") / ${wall[$1]}" "%.0f"; }

# bottleneck NAME : what limited a rate run, by this rule (printed with the
# tables): the client when its CPU is at least 90% of a core per thread it
# runs; the server when its busiest nginx worker is at least 90% of a core
# (a worker serves its own connections on one core); both when both; else
# the machine when under 5% of all its CPUs sat idle (client and server
# share them); else neither (they waited on each other).
bottleneck() {
    local c s
    c=$(calc "$(client_cpu "$1") >= 90 * ${threads[$1]}" "%d")
    s=$(calc "${srv_max[$1]} >= 90" "%d")
    if [ "$c" = 1 ] && [ "$s" = 1 ]; then
        echo "client and server"
    elif [ "$c" = 1 ]; then
        echo client
    elif [ "$s" = 1 ]; then
        echo server
    elif [ "$(calc "${idle[$1]} < 5" "%d")" = 1 ]; then
        echo "machine (no CPU idle)"
    else
        echo neither
    fi
}

# === a) techweek vs wrk on a static file ========================================

run_wrk() {
    local t=$1 name=wrk-t$1
    threads[$name]=$t
    server_before
    timed "$name" wrk -c "$connections" -t "$t" -d "${seconds}s" "$nginx_url" ||
        die "wrk failed"
    local out=$work/$name.out
    if grep -q -E 'Non-2xx|Socket errors' "$out"; then
        cat "$out" >&2
        die "wrk saw errors"
    fi
    reqs[$name]=$(awk '/requests in/ { print $1 }' "$out")
    wall[$name]=$(awk '/requests in/ { sub(/s,$/, "", $4); print $4 }' "$out")
    server_after "$name"
    rate[$name]=$(calc "${reqs[$name]} / ${wall[$name]}" "%.0f")
    cpu_req[$name]=$(calc "1e6 * $(cpu_s "$name") / ${reqs[$name]}" "%.2f")
    say "$name: ${rate[$name]} req/s, ${cpu_req[$name]} us CPU/request, nginx ${srv_cpu[$name]}% of a core, machine ${idle[$name]}% idle; bottleneck: $(bottleneck "$name")"
}

# run_tw_ping NAME CUSTOMERS JOBS : about $seconds of the one-step rehearsal.
run_tw_ping() {
    local name=$1 c=$2 jobs=$3
    threads[$name]=$jobs
    # Size --performances to about $seconds: a short run first measures the rate.
    local p=$probe
    [ "$p" -ge $((4 * c)) ] || p=$((4 * c))
    tw "$name-probe" "$p" "$c" "$jobs" "$bench/ping.rehearsal" "target=$nginx_url"
    local n
    n=$(calc "$p / $(tw_seconds "$name-probe") * $seconds" "%.0f")
    [ "$n" -ge $((2 * c)) ] || n=$((2 * c))
    server_before
    tw "$name" "$n" "$c" "$jobs" "$bench/ping.rehearsal" "target=$nginx_url"
    reqs[$name]=$n
    wall[$name]=$(tw_seconds "$name")
    server_after "$name"
    rate[$name]=$(calc "$n / ${wall[$name]}" "%.0f")
    cpu_req[$name]=$(calc "1e6 * $(cpu_s "$name") / $n" "%.2f")
    say "$name: ${rate[$name]} req/s, ${cpu_req[$name]} us CPU/request, nginx ${srv_cpu[$name]}% of a core, machine ${idle[$name]}% idle, $(rss_kb "$name") KB peak RSS; bottleneck: $(bottleneck "$name")"
}

# run_floor NAME AS CONNECTIONS : libcurl alone (curl_floor), as many
# requests as the techweek run AS sent, on CONNECTIONS connections, one thread.
run_floor() {
    local name=$1 n=${reqs[$2]} c=$3
    threads[$name]=1
    server_before
    timed "$name" "$floor" "$nginx_url" "$c" "$n" || die "curl_floor failed"
    reqs[$name]=$n
    wall[$name]=$(awk '/requests in/ { print $4 }' "$work/$name.out")
    server_after "$name"
    rate[$name]=$(calc "$n / ${wall[$name]}" "%.0f")
    cpu_req[$name]=$(calc "1e6 * $(cpu_s "$name") / $n" "%.2f")
    say "$name: ${rate[$name]} req/s, ${cpu_req[$name]} us CPU/request, nginx ${srv_cpu[$name]}% of a core, machine ${idle[$name]}% idle; bottleneck: $(bottleneck "$name")"
}

for t in 1 2; do
    run_wrk "$t"
    run_tw_ping "techweek-j$t" "$connections" "$t"
    [ "$t" = 1 ] && run_floor floor techweek-j1 "$connections"
done

# === d) the scale curve: busy customers, then idle ones =========================

# The baseline for memory per customer: one customer.
tw scale-c1 "$small" 1 1 "$bench/ping.rehearsal" "target=$nginx_url"
say "scale-c1: $(rss_kb scale-c1) KB peak RSS"
for c in "${scale[@]}"; do
    run_tw_ping "scale-c$c" "$c" 1
    run_floor "floor-c$c" "scale-c$c" "$c"
done

# idle_run N : N customers GET /idle.txt, pause $idle_seconds, GET /after.txt.
# Once nginx has logged N requests for /idle.txt and none for /after.txt,
# every customer is in its pause: techweek's VmRSS is sampled then (the
# largest of a few samples over a second, so that the last responses are
# taken in), and counts only if still no customer has left its pause after.
declare -A idle_rss idle_note
idle_run() {
    local n=$1 name=idle-c$1 got=0 best=0 r deadline
    : >"$nginx_dir/idle.log"
    : >"$nginx_dir/after.log"
    "$techweek" run -q --reports "$work/reports-$name" --json "$work/$name.json" \
        --performances "$n" --customers "$n" --jobs 1 --think-scale "$idle_seconds" \
        --var "target=$nginx_base/idle.txt" --var "after=$nginx_base/after.txt" \
        "$bench/idle.rehearsal" >"$work/$name.out" 2>"$work/$name.err" &
    bg_pid=$!
    deadline=$((SECONDS + idle_seconds + 120))
    while [ $SECONDS -lt $deadline ] && kill -0 "$bg_pid" 2>/dev/null &&
        [ ! -s "$nginx_dir/after.log" ]; do
        got=$(wc -l <"$nginx_dir/idle.log")
        [ "$got" -ge "$n" ] && break
        sleep 0.05
    done
    idle_note[$n]=
    if [ "$got" -ge "$n" ] && [ ! -s "$nginx_dir/after.log" ]; then
        for _ in 1 2 3 4 5; do
            sleep 0.2
            r=$(vmrss_kb "$bg_pid")
            [ -n "$r" ] && [ "$r" -gt "$best" ] && best=$r
        done
        [ -s "$nginx_dir/after.log" ] && idle_note[$n]="a customer left its pause while sampling (raise BENCH_IDLE_SECONDS)"
    else
        idle_note[$n]="only $got of $n customers were waiting at once (raise BENCH_IDLE_SECONDS)"
    fi
    idle_rss[$n]=$best
    wait "$bg_pid" || die "techweek run $name failed: $(tail -n 5 "$work/$name.err")"
    bg_pid=
    check_counts "$work/$name.json" "$n"
    say "$name: ${idle_rss[$n]} KB resident with $n customers paused${idle_note[$n]:+; ${idle_note[$n]}}"
}
for c in 1 "${scale[@]}"; do idle_run "$c"; done

# === e) the open model's accuracy ===============================================

open_name=open
threads[$open_name]=1
server_before
timed "$open_name" "$techweek" run -q --reports "$work/reports-$open_name" --json "$work/$open_name.json" \
    --rate "$open_rate/s" --duration "${open_seconds}s" --customers "$open_customers" --jobs 1 \
    --var "target=$nginx_url" "$bench/ping.rehearsal" || true
[ -s "$work/$open_name.json" ] || die "the open-model run wrote no result"
wall[$open_name]=$(tw_seconds "$open_name")
server_after "$open_name"
open_started=$(json "$work/$open_name.json" 'd.totals.started')
open_dropped=$(json "$work/$open_name.json" 'd.totals.dropped')
open_failed=$(json "$work/$open_name.json" 'd.totals.failed')
open_duration=$(calc "$(json "$work/$open_name.json" 'd.schedule.duration_ms') / 1000" "%.3f")
open_achieved=$(calc "$open_started / $open_duration" "%.1f")
open_error=$(calc "100 * ($open_achieved - $open_rate) / $open_rate" "%+.2f")
# Arrivals (started + dropped) tell the schedule's accuracy apart from a
# shortage of free customers, which the dropped count shows.
open_arrivals=$(calc "($open_started + $open_dropped) / $open_duration" "%.1f")
# shellcheck disable=SC2016 # JavaScript's ${...}, not the shell's
open_lag=$(json "$work/$open_name.json" 'const l = d.totals.start_lag_ms;
    l ? `${l.p50 ?? "n/a"} | ${l.p99 ?? "n/a"} | ${l.max}` : "n/a (techweek does not report it) | n/a | n/a"')
[ "$open_failed" = 0 ] || die "the open-model run had $open_failed failed performances"
say "open: requested $open_rate/s, achieved $open_achieved/s ($open_error%), arrivals $open_arrivals/s, $open_dropped dropped, start lag ms (p50 | p99 | max): $open_lag"

# === c) CPU per step and peak memory at 1 000 and 1 000 000 performances ========

declare -A steps cpu_step
for n in "$small" "$large"; do
    name=mem-$n
    tw "$name" "$n" "$connections" 1 "$bench/ping.rehearsal" "target=$nginx_url"
    steps[$name]=$(json "$work/$name.json" 'd.totals.steps')
    cpu_step[$name]=$(calc "1e6 * $(cpu_s "$name") / ${steps[$name]}" "%.2f")
    say "$name: $(rss_kb "$name") KB peak RSS, ${cpu_step[$name]} us CPU/step"
done

# === b) the web journey: techweek vs newman =====================================

start_stage() {
    mkfifo "$work/stage.url"
    "$stage_bin" --host 127.0.0.1 --port 0 >"$work/stage.url" 2>"$work/stage.err" &
    stage_pid=$!
    exec 4<"$work/stage.url"
    read -r -t 10 stage_url <&4 || die "the stage did not start: $(cat "$work/stage.err")"
    [[ $stage_url == http://127.0.0.1:* ]] || die "the stage printed '$stage_url'"
}
start_stage
say "stage: $stage_url"
# A warm-up journey, and newman's own check that the collection passes.
timed newman-check "$newman" run "$bench/journey.postman_collection.json" \
    --env-var "stage=$stage_url" -n 2 || {
    cat "$work/newman-check.out" >&2
    die "newman's tests did not all pass"
}

stage_before() { stage_ticks0=$(cpu_ticks "$stage_pid"); }
stage_after() {
    srv_cpu[$1]=$(calc "100 * ($(cpu_ticks "$stage_pid") - $stage_ticks0) / $hz / ${wall[$1]}" "%.0f")
}

# journey K : techweek's K-th pair of journey runs, 1 customer then 10.
journey() {
    local c jobs name
    for c in 1 10; do
        jobs=1
        [ "$c" = 1 ] || jobs=2
        name=journey-c$c-$1
        stage_before
        TW_TIMER=timed_fine tw "$name" "$journeys" "$c" "$jobs" "$bench/journey.rehearsal" \
            "stage=$stage_url"
        wall[$name]=$(wall_s "$name")
        stage_after "$name"
        say "$name: $journeys journeys in ${wall[$name]} s, $(cpu_s "$name") s CPU"
    done
}

# A techweek run lasts a quarter of a second, newman's half a minute, and the
# machine's speed drifts by more than the gap between two targets within
# minutes: techweek runs BENCH_REPEATS times, half before newman and half
# after, and its median run is the one compared.
half=$(((repeats + 1) / 2))
for ((k = 1; k <= half; k++)); do journey "$k"; done
stage_before
timed_fine newman "$newman" run "$bench/journey.postman_collection.json" \
    --env-var "stage=$stage_url" -n "$journeys" --silent ||
    die "newman failed (a test did not pass, or it could not run)"
wall[newman]=$(wall_s newman)
stage_after newman
say "newman: $journeys journeys in ${wall[newman]} s, $(cpu_s newman) s CPU"
for ((k = half + 1; k <= repeats; k++)); do journey "$k"; done

# median_run PREFIX : the name of the run of median CPU time among PREFIX-1..
# PREFIX-$repeats (of an even count, the dearer of the middle two: never
# techweek's benefit); all_cpu PREFIX : their CPU times, smallest first.
median_run() {
    local k
    for ((k = 1; k <= repeats; k++)); do echo "$(cpu_s "$1-$k") $1-$k"; done |
        sort -g | sed -n "$((repeats / 2 + 1))p" | cut -d' ' -f2
}
all_cpu() {
    local k
    for ((k = 1; k <= repeats; k++)); do cpu_s "$1-$k"; echo; done | sort -g | paste -sd' '
}
journey_c1=$(median_run journey-c1)
journey_c10=$(median_run journey-c10)

# === the report ================================================================

ratio() { calc "$1 / $2" "%.2f"; }
mib() { calc "$1 / 1024" "%.1f"; }

cpu_model=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)
cat <<EOF

## Figures

Machine: ${cpu_model:-unknown CPU}, $(nproc) CPUs online ($(lscpu 2>/dev/null | sed -n 's/^Thread(s) per core: *//p') thread(s) per core),
$(free -g | awk '/^Mem:/ { print $2 }') GiB, Linux $(uname -r); ${idle_before}% idle just before the benchmark.
$(date -u '+%Y-%m-%d %H:%M UTC').
techweek $("$techweek" --version 2>&1 | head -n 1 | awk '{ print $NF }'), $(wrk --version 2>&1 | head -n 1 | awk '{ print "wrk " $2 }'),
$(nginx -v 2>&1 | sed 's/.*: //'), newman $("$newman" --version), node $(node --version).
Open files: the benchmark set its soft limit (\`ulimit -n\`) to $nofile for every client (it was
$nofile_before; wanted $nofile_wanted, hard limit $(ulimit -Hn)); nginx: ${#nginx_workers[@]} workers,
\`worker_rlimit_nofile $nofile\`, \`worker_connections $nginx_connections\`.

Bottleneck (a, d): the client when its CPU is at least 90% of a core per
thread it runs; the server when its busiest nginx worker is at least 90% of
a core; both when both; else the machine when under 5% of all CPUs sat idle
(client and server share them); else neither.

### a) One GET of a static file (nginx), $connections connections, ~${seconds} s each

| client | requests | seconds | requests/s | CPU µs/request | client CPU (% of a core) | nginx CPU (% of a core; busiest worker) | machine idle | bottleneck |
|---|---:|---:|---:|---:|---:|---:|---:|---|
EOF
for t in 1 2; do
    names=("wrk-t$t" "techweek-j$t")
    [ "$t" = 1 ] && names+=(floor)
    for name in "${names[@]}"; do
        case $name in
        wrk-*) label="wrk -c $connections -t $t" ;;
        techweek-*) label="techweek --customers $connections --jobs $t" ;;
        floor) label="libcurl alone (curl_floor, $connections connections)" ;;
        esac
        printf '| %s | %s | %s | %s | %s | %s | %s; %s | %s%% | %s |\n' "$label" \
            "${reqs[$name]}" "${wall[$name]}" "${rate[$name]}" "${cpu_req[$name]}" \
            "$(client_cpu "$name")" "${srv_cpu[$name]}" "${srv_max[$name]}" "${idle[$name]}" \
            "$(bottleneck "$name")"
    done
done
cat <<EOF

| threads | techweek/wrk requests/s | techweek/wrk CPU per request |
|---|---:|---:|
| 1 | $(ratio "${rate[techweek-j1]}" "${rate[wrk-t1]}") | $(ratio "${cpu_req[techweek-j1]}" "${cpu_req[wrk-t1]}") |
| 2 | $(ratio "${rate[techweek-j2]}" "${rate[wrk-t2]}") | $(ratio "${cpu_req[techweek-j2]}" "${cpu_req[wrk-t2]}") |

Where techweek's CPU per request goes (one thread): libcurl alone costs
$(ratio "${cpu_req[floor]}" "${cpu_req[wrk-t1]}")× wrk's CPU per request; techweek costs $(ratio "${cpu_req[techweek-j1]}" "${cpu_req[floor]}")× libcurl alone's.

### b) The web journey (page, form with CSRF token and cookie, 303 to the confirmation, JSON API check), $journeys times

| runner | wall s | user s | sys s | CPU s | journeys/s | stage CPU (% of a core) |
|---|---:|---:|---:|---:|---:|---:|
EOF
for name in newman "$journey_c1" "$journey_c10"; do
    case $name in
    newman) label="newman -n $journeys" ;;
    journey-c1-*) label="techweek --performances $journeys --customers 1 (median of $repeats runs)" ;;
    journey-c10-*) label="techweek --performances $journeys --customers 10 --jobs 2 (median of $repeats runs)" ;;
    esac
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$label" "${wall[$name]}" \
        "$(user_s "$name")" "$(sys_s "$name")" "$(cpu_s "$name")" \
        "$(calc "$journeys / ${wall[$name]}" "%.1f")" "${srv_cpu[$name]}"
done
cat <<EOF

techweek's CPU s in each of its $repeats runs, smallest first ($half ran before newman, $((repeats - half)) after):
1 customer $(all_cpu journey-c1); 10 customers $(all_cpu journey-c10).

| techweek (median run) | newman/techweek wall time | newman/techweek CPU time |
|---|---:|---:|
| 1 customer | $(ratio "${wall[newman]}" "${wall[$journey_c1]}") | $(ratio "$(cpu_s newman)" "$(cpu_s "$journey_c1")") |
| 10 customers, 2 jobs | $(ratio "${wall[newman]}" "${wall[$journey_c10]}") | $(ratio "$(cpu_s newman)" "$(cpu_s "$journey_c10")") |

### c) techweek: CPU per step and peak memory (one-step GET, $connections customers)

| performances | steps | wall s | CPU s | CPU µs/step | CPU µs/performance | peak RSS (MiB) |
|---:|---:|---:|---:|---:|---:|---:|
EOF
for n in "$small" "$large"; do
    name=mem-$n
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$n" "${steps[$name]}" "$(wall_s "$name")" \
        "$(cpu_s "$name")" "${cpu_step[$name]}" "$(calc "1e6 * $(cpu_s "$name") / $n" "%.2f")" \
        "$(mib "$(rss_kb "$name")")"
done
cat <<EOF

Peak RSS at $large performances minus at $small: $(mib "$(($(rss_kb "mem-$large") - $(rss_kb "mem-$small")))") MiB.

### d) Scale: customers in flight (one-step GET, --jobs 1)

Busy: each customer GETs and ends, and a new one takes its place, ~${seconds} s
a run; "libcurl alone" is curl_floor with as many requests on as many
connections. Peak RSS per customer = (peak RSS − peak RSS with 1 customer, $(mib "$(rss_kb scale-c1)") MiB) / customers.

| customers | requests | seconds | requests/s | CPU µs/request | libcurl alone: CPU µs/request | peak RSS (MiB) | KiB per customer | client CPU (% of a core) | nginx CPU (% of a core; busiest worker) | machine idle | bottleneck |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|
EOF
for c in "${scale[@]}"; do
    name=scale-c$c
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s; %s | %s%% | %s |\n' "$c" "${reqs[$name]}" \
        "${wall[$name]}" "${rate[$name]}" "${cpu_req[$name]}" "${cpu_req[floor-c$c]}" \
        "$(mib "$(rss_kb "$name")")" \
        "$(calc "($(rss_kb "$name") - $(rss_kb scale-c1)) / $c" "%.1f")" "$(client_cpu "$name")" \
        "${srv_cpu[$name]}" "${srv_max[$name]}" "${idle[$name]}" "$(bottleneck "$name")"
done
cat <<EOF

Idle: N customers GET, then all N wait in a \`pause\` of ${idle_seconds} s
(\`tests/bench/idle.rehearsal\`); techweek's VmRSS is sampled while all N
wait. RSS per idle customer = (RSS(N) − RSS(1)) / (N − 1).

| customers | RSS while all wait (MiB) | KiB per idle customer | note |
|---:|---:|---:|---|
EOF
for c in 1 "${scale[@]}"; do
    per=—
    if [ "$c" != 1 ] && [ "${idle_rss[$c]}" -gt 0 ] && [ "${idle_rss[1]}" -gt 0 ]; then
        per=$(calc "(${idle_rss[$c]} - ${idle_rss[1]}) / ($c - 1)" "%.1f")
    fi
    printf '| %s | %s | %s | %s |\n' "$c" "$(mib "${idle_rss[$c]}")" "$per" "${idle_note[$c]:-}"
done
cat <<EOF

### e) Open model: --rate $open_rate/s --duration ${open_seconds}s --customers $open_customers --jobs 1

| requested/s | started | achieved/s | error | arrivals/s | dropped | start lag ms p50 | p99 | max | client CPU (% of a core) | nginx CPU (% of a core) |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
| $open_rate | $open_started | $open_achieved | $open_error% | $open_arrivals | $open_dropped | $open_lag | $(client_cpu "$open_name") | ${srv_cpu[$open_name]} |

Achieved = \`.totals.started\` / the requested duration; arrivals = (started +
dropped) / the duration (dropped: no customer was free); start lag from
\`.totals.start_lag_ms\` (each start's lateness against its due time).

Every closed-model run counted every scheduled performance exactly once, all passed;
the open-model run had no failed performance; newman passed all its tests.
The machine was shared with whatever else ran on it (see "idle just before").
EOF
