#!/usr/bin/env bash
# tests/bench/run.sh - techweek's benchmark, side by side with wrk and newman,
# in one run on this machine. Not part of the test suite: it prints timings and
# never judges them. See docs/performance.md for what it measures and why.
#
#   bash tests/bench/run.sh
#
# It installs what is missing (Debian: wrk, nginx, time, nodejs, npm, plus
# what .ci/deps installs; npm: newman into tests/bench/node_modules from the
# committed package-lock.json), builds techweek (.ci/build plain), starts an
# nginx of its own and the stage, both on 127.0.0.1 only, and prints:
#   a) requests/s and CPU per request of techweek and of wrk on a static file
#      served by that nginx, 50 connections, 1 and 2 threads, and nginx's CPU
#      use during each run;
#   b) the same web journey run M times by techweek (1 customer, and 10 at
#      once) and by newman (-n M): wall time and CPU time;
#   c) techweek's CPU per step and peak resident memory at 1 000 and 100 000
#      performances of the one-step rehearsal;
# then a Markdown table ready to paste into docs/performance.md.
#
# Knobs (environment):
#   BENCH_SECONDS=10      length of each rate run (wrk -d; techweek sized to it)
#   BENCH_JOURNEYS=500    M, journeys per tool in b)
#   BENCH_SMALL=1000      performances of the small run in c)
#   BENCH_LARGE=100000    performances of the large run in c)
#   BENCH_SKIP_BUILD=1    use build/plain as it is (no .ci/build)
set -euo pipefail

cd "$(dirname "$0")/../.."
root=$PWD
bench=$root/tests/bench
seconds=${BENCH_SECONDS:-10}
journeys=${BENCH_JOURNEYS:-500}
small=${BENCH_SMALL:-1000}
large=${BENCH_LARGE:-100000}
connections=50

say() { printf 'bench: %s\n' "$*" >&2; }
die() {
    printf 'bench: %s\n' "$*" >&2
    exit 1
}

# --- what it needs -------------------------------------------------------------

install_missing() {
    local -a missing=()
    command -v wrk >/dev/null || missing+=(wrk)
    command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
    [ -x /usr/bin/time ] || missing+=(time)
    command -v node >/dev/null || missing+=(nodejs)
    command -v npm >/dev/null || missing+=(npm)
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
nginx_master=
stage_pid=

cleanup() {
    if [ -n "$nginx_master" ] && kill -0 "$nginx_master" 2>/dev/null; then
        kill -QUIT "$nginx_master" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$nginx_master" 2>/dev/null || break; sleep 0.1; done
    fi
    if [ -n "$stage_pid" ] && kill -0 "$stage_pid" 2>/dev/null; then
        kill -TERM "$stage_pid" 2>/dev/null || true
        wait "$stage_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

hz=$(getconf CLK_TCK)

# cpu_ticks PID... : user+system clock ticks the processes have used so far
# (fields 14 and 15 of /proc/PID/stat; for a process, all its threads').
cpu_ticks() {
    local total=0 pid stat
    local -a f
    for pid in "$@"; do
        stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
        read -r -a f <<<"${stat##*) }" # from field 3 (state) on
        total=$((total + f[11] + f[12]))
    done
    echo "$total"
}

# machine_ticks : "IDLE TOTAL" clock ticks of all CPUs since boot (/proc/stat).
machine_ticks() {
    local -a f
    read -r -a f </proc/stat # cpu user nice system idle iowait irq softirq steal ...
    echo "$((f[4] + f[5])) $((f[1] + f[2] + f[3] + f[4] + f[5] + f[6] + f[7] + f[8]))"
}

# children PID : the processes whose parent is PID (nginx's workers).
children() {
    local path stat
    local -a f
    for path in /proc/[0-9]*/stat; do
        stat=$(cat "$path" 2>/dev/null) || continue
        read -r -a f <<<"${stat##*) }"
        if [ "${f[1]}" = "$1" ]; then
            path=${path#/proc/}
            echo "${path%/stat}"
        fi
    done
}

# timed NAME CMD... : runs CMD under /usr/bin/time; its stdout goes to
# $work/NAME.out, stderr to $work/NAME.err, and "user sys maxrss_kb wall" to
# $work/NAME.time. Returns CMD's status.
timed() {
    local name=$1
    shift
    local rc=0
    /usr/bin/time -f '%U %S %M %e' -o "$work/$name.time" "$@" \
        >"$work/$name.out" 2>"$work/$name.err" || rc=$?
    if [ $rc -ne 0 ]; then
        say "'$*' exited $rc; its stderr:"
        tail -n 20 "$work/$name.err" >&2
    fi
    return $rc
}
user_s() { awk 'END { print $1 }' "$work/$1.time"; }
sys_s() { awk 'END { print $2 }' "$work/$1.time"; }
cpu_s() { awk 'END { printf "%.2f", $1 + $2 }' "$work/$1.time"; }
rss_kb() { awk 'END { print $3 }' "$work/$1.time"; }
wall_s() { awk 'END { print $4 }' "$work/$1.time"; }

# calc EXPR : floating point arithmetic (awk), e.g. calc "3 / 7" "%.3f".
calc() { awk "BEGIN { printf \"${2:-%.2f}\", $1 }"; }

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
tw() {
    local name=$1 n=$2 c=$3 j=$4 file=$5
    shift 5
    local -a vars=()
    local v
    for v in "$@"; do vars+=(--var "$v"); done
    timed "$name" "$techweek" run -q --reports "$work/reports-$name" --json "$work/$name.json" \
        --performances "$n" --customers "$c" --jobs "$j" "${vars[@]}" "$file" ||
        die "techweek run $name failed"
    check_counts "$work/$name.json" "$n"
}
tw_seconds() { calc "$(json "$work/$1.json" 'd.elapsed_ms') / 1000" "%.3f"; }

# --- nginx ------------------------------------------------------------------

start_nginx() {
    local dir=$work/nginx port conf
    mkdir -p "$dir/www" "$dir/tmp"
    printf 'pong\n' >"$dir/www/ping.txt"
    # The workers drop to an unprivileged user when started as root.
    chmod 755 "$work" "$dir" "$dir/www"
    chmod 644 "$dir/www/ping.txt"
    for _ in $(seq 20); do
        port=$((20000 + RANDOM % 30000))
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue # taken
        conf=$dir/nginx.conf
        cat >"$conf" <<EOF
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    default_type text/plain;
    keepalive_requests 100000000;
    keepalive_timeout 60s;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    server {
        listen 127.0.0.1:$port;
        root $dir/www;
    }
}
EOF
        if nginx -p "$dir" -c "$conf" -e "$dir/error.log" 2>>"$dir/start.err"; then
            nginx_master=$(cat "$dir/nginx.pid")
            nginx_url=http://127.0.0.1:$port/ping.txt
            local body
            body=$(curl -sS --max-time 5 "$nginx_url") || die "nginx does not answer on $nginx_url"
            [ "$body" = pong ] || die "nginx answers '$body' on $nginx_url"
            mapfile -t nginx_workers < <(children "$nginx_master")
            [ ${#nginx_workers[@]} -gt 0 ] || die "nginx has no workers"
            return 0
        fi
    done
    cat "$dir/start.err" >&2
    die "nginx could not start"
}

# --- the stage --------------------------------------------------------------

start_stage() {
    mkfifo "$work/stage.url"
    "$stage_bin" --host 127.0.0.1 --port 0 >"$work/stage.url" 2>"$work/stage.err" &
    stage_pid=$!
    exec 4<"$work/stage.url"
    read -r -t 10 stage_url <&4 || die "the stage did not start: $(cat "$work/stage.err")"
    [[ $stage_url == http://127.0.0.1:* ]] || die "the stage printed '$stage_url'"
}

# === a) techweek vs wrk on a static file ========================================

# Another busy process on the machine skews every figure: say how idle it was.
read -r idle0 total0 < <(machine_ticks)
sleep 1
read -r idle1 total1 < <(machine_ticks)
idle_before=$(calc "100 * ($idle1 - $idle0) / ($total1 - $total0)" "%.0f")
if [ "$idle_before" -lt 90 ]; then
    say "warning: the machine was only $idle_before% idle before the benchmark; figures will be low"
fi

start_nginx
say "nginx: $nginx_url (${#nginx_workers[@]} workers)"

declare -A rate cpu_req srv_cpu idle reqs wall
# server_before / server_after NAME : nginx workers' CPU over a run, as % of
# one core, and how much of the whole machine sat idle meanwhile.
server_before() {
    srv_ticks0=$(cpu_ticks "${nginx_workers[@]}")
    read -r idle0 total0 < <(machine_ticks)
}
server_after() {
    local ticks=$(($(cpu_ticks "${nginx_workers[@]}") - srv_ticks0)) idle1 total1
    read -r idle1 total1 < <(machine_ticks)
    srv_cpu[$1]=$(calc "100 * $ticks / $hz / ${wall[$1]}" "%.0f")
    idle[$1]=$(calc "100 * ($idle1 - $idle0) / ($total1 - $total0)" "%.0f")
}

run_wrk() {
    local threads=$1 name=wrk-t$1
    server_before
    timed "$name" wrk -c "$connections" -t "$threads" -d "${seconds}s" "$nginx_url" ||
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
    say "$name: ${rate[$name]} req/s, ${cpu_req[$name]} us CPU/request, nginx ${srv_cpu[$name]}% of a core, machine ${idle[$name]}% idle"
}

run_tw_ping() {
    local jobs=$1 name=techweek-j$1
    # Size --performances to about $seconds: a short run first measures the rate.
    tw "$name-probe" 20000 "$connections" "$jobs" "$bench/ping.rehearsal" "target=$nginx_url"
    local n
    n=$(calc "20000 / $(tw_seconds "$name-probe") * $seconds" "%.0f")
    server_before
    tw "$name" "$n" "$connections" "$jobs" "$bench/ping.rehearsal" "target=$nginx_url"
    reqs[$name]=$n
    wall[$name]=$(tw_seconds "$name")
    server_after "$name"
    rate[$name]=$(calc "$n / ${wall[$name]}" "%.0f")
    cpu_req[$name]=$(calc "1e6 * $(cpu_s "$name") / $n" "%.2f")
    say "$name: ${rate[$name]} req/s, ${cpu_req[$name]} us CPU/request, nginx ${srv_cpu[$name]}% of a core, machine ${idle[$name]}% idle"
}

for threads in 1 2; do
    run_wrk "$threads"
    run_tw_ping "$threads"
done

# === c) CPU per step and peak memory at 1 000 and 100 000 performances ==========

declare -A steps cpu_step
for n in "$small" "$large"; do
    name=mem-$n
    tw "$name" "$n" "$connections" 1 "$bench/ping.rehearsal" "target=$nginx_url"
    steps[$name]=$(json "$work/$name.json" 'd.totals.steps')
    cpu_step[$name]=$(calc "1e6 * $(cpu_s "$name") / ${steps[$name]}" "%.2f")
    say "$name: $(rss_kb "$name") KB peak RSS, ${cpu_step[$name]} us CPU/step"
done

# === b) the web journey: techweek vs newman =====================================

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

stage_before
timed newman "$newman" run "$bench/journey.postman_collection.json" \
    --env-var "stage=$stage_url" -n "$journeys" --silent ||
    die "newman failed (a test did not pass, or it could not run)"
wall[newman]=$(wall_s newman)
stage_after newman
say "newman: $journeys journeys in ${wall[newman]} s, $(cpu_s newman) s CPU"

for c in 1 10; do
    name=journey-c$c
    jobs=1
    [ "$c" = 1 ] || jobs=2
    stage_before
    tw "$name" "$journeys" "$c" "$jobs" "$bench/journey.rehearsal" "stage=$stage_url"
    wall[$name]=$(wall_s "$name")
    stage_after "$name"
    say "$name: $journeys journeys in ${wall[$name]} s, $(cpu_s "$name") s CPU"
done

# === the report ================================================================

ratio() { calc "$1 / $2" "%.2f"; }

cpu_model=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)
cat <<EOF

## Figures

Machine: ${cpu_model:-unknown CPU}, $(nproc) CPUs online ($(lscpu 2>/dev/null | sed -n 's/^Thread(s) per core: *//p') thread(s) per core),
$(free -g | awk '/^Mem:/ { print $2 }') GiB, Linux $(uname -r); ${idle_before}% idle just before the benchmark.
$(date -u '+%Y-%m-%d %H:%M UTC').
techweek $("$techweek" --version 2>&1 | head -n 1 | awk '{ print $NF }'), $(wrk --version 2>&1 | head -n 1 | awk '{ print "wrk " $2 }'),
$(nginx -v 2>&1 | sed 's/.*: //'), newman $("$newman" --version), node $(node --version).

### a) One GET of a static file (nginx), $connections connections, ~${seconds} s each

| client | requests | seconds | requests/s | CPU µs/request | client CPU (% of a core) | nginx CPU (% of a core) | machine idle |
|---|---:|---:|---:|---:|---:|---:|---:|
EOF
for t in 1 2; do
    for name in "wrk-t$t" "techweek-j$t"; do
        if [ "$name" = "wrk-t$t" ]; then
            label="wrk -c $connections -t $t"
        else
            label="techweek --customers $connections --jobs $t"
        fi
        printf '| %s | %s | %s | %s | %s | %s | %s | %s%% |\n' "$label" \
            "${reqs[$name]}" "${wall[$name]}" "${rate[$name]}" "${cpu_req[$name]}" \
            "$(calc "100 * $(cpu_s "$name") / ${wall[$name]}" "%.0f")" "${srv_cpu[$name]}" "${idle[$name]}"
    done
done
cat <<EOF

| threads | techweek/wrk requests/s | techweek/wrk CPU per request |
|---|---:|---:|
| 1 | $(ratio "${rate[techweek-j1]}" "${rate[wrk-t1]}") | $(ratio "${cpu_req[techweek-j1]}" "${cpu_req[wrk-t1]}") |
| 2 | $(ratio "${rate[techweek-j2]}" "${rate[wrk-t2]}") | $(ratio "${cpu_req[techweek-j2]}" "${cpu_req[wrk-t2]}") |

### b) The web journey (page, form with CSRF token and cookie, 303 to the confirmation, JSON API check), $journeys times

| runner | wall s | user s | sys s | CPU s | journeys/s | stage CPU (% of a core) |
|---|---:|---:|---:|---:|---:|---:|
EOF
for name in newman journey-c1 journey-c10; do
    case $name in
    newman) label="newman -n $journeys" ;;
    journey-c1) label="techweek --performances $journeys --customers 1" ;;
    journey-c10) label="techweek --performances $journeys --customers 10 --jobs 2" ;;
    esac
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$label" "${wall[$name]}" \
        "$(user_s "$name")" "$(sys_s "$name")" "$(cpu_s "$name")" \
        "$(calc "$journeys / ${wall[$name]}" "%.1f")" "${srv_cpu[$name]}"
done
cat <<EOF

| techweek | newman/techweek wall time | newman/techweek CPU time |
|---|---:|---:|
| 1 customer | $(ratio "${wall[newman]}" "${wall[journey-c1]}") | $(ratio "$(cpu_s newman)" "$(cpu_s journey-c1)") |
| 10 customers, 2 jobs | $(ratio "${wall[newman]}" "${wall[journey-c10]}") | $(ratio "$(cpu_s newman)" "$(cpu_s journey-c10)") |

### c) techweek: CPU per step and peak memory (one-step GET, $connections customers)

| performances | steps | wall s | CPU s | CPU µs/step | CPU µs/performance | peak RSS (MiB) |
|---:|---:|---:|---:|---:|---:|---:|
EOF
for n in "$small" "$large"; do
    name=mem-$n
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$n" "${steps[$name]}" "$(wall_s "$name")" \
        "$(cpu_s "$name")" "${cpu_step[$name]}" "$(calc "1e6 * $(cpu_s "$name") / $n" "%.2f")" \
        "$(calc "$(rss_kb "$name") / 1024" "%.1f")"
done
cat <<EOF

Peak RSS at $large performances minus at $small: $(calc "($(rss_kb "mem-$large") - $(rss_kb "mem-$small")) / 1024" "%.1f") MiB.
Every run counted every scheduled performance exactly once, all passed; newman passed all its tests.
EOF
