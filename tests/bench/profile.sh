#!/usr/bin/env bash
# tests/bench/profile.sh - instructions per performance of techweek's loop,
# under callgrind: deterministic, so figures taken on a busy machine compare
# (docs/performance.md keeps them, before and after each speed change).
#
#   bash tests/bench/profile.sh
#
# Runs the one-step ping rehearsal against an nginx of its own on 127.0.0.1
# (or PROFILE_TARGET), under valgrind --tool=callgrind:
#   techweek run -q --reports DIR --json DIR/r.json --performances 3000 \
#     --customers 50 --jobs 1 --var target=URL tests/bench/ping.rehearsal
# and prints the figure (inclusive Ir of runner.c:work, the workers' loop,
# over the performances: start, parsing and reports left out) and the top
# functions by inclusive Ir, each also per performance.
#
# Knobs (environment):
#   PROFILE_PERFORMANCES=3000  performances
#   PROFILE_CUSTOMERS=50       customers
#   PROFILE_JOBS=1             jobs (work's Ir is summed over them)
#   PROFILE_TOP=15             how many functions to list
#   PROFILE_TARGET=URL         GET this instead of starting an nginx
#   PROFILE_OUT=FILE           keep callgrind's output there (default: removed)
#   PROFILE_BUILD=DIR          the build to profile (default build/plain; built
#                              with .ci/build plain when it has no techweek)
set -euo pipefail

cd "$(dirname "$0")/../.."
root=$PWD
bench=$root/tests/bench
performances=${PROFILE_PERFORMANCES:-3000}
customers=${PROFILE_CUSTOMERS:-50}
jobs=${PROFILE_JOBS:-1}
top=${PROFILE_TOP:-15}
build=${PROFILE_BUILD:-$root/build/plain}

# shellcheck source=tests/bench/lib.sh
. "$bench/lib.sh"

if ! command -v valgrind >/dev/null || ! command -v callgrind_annotate >/dev/null; then
    say "installing valgrind"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends valgrind >/dev/null
fi
techweek=$build/harness/techweek
floor=$build/tests/bench/curl_floor
if [ ! -x "$techweek" ]; then
    say "building techweek (.ci/build plain)"
    bash .ci/build plain
fi
[ -x "$techweek" ] || die "no techweek in $build"
[ -x "$floor" ] || die "no tests/bench/curl_floor in $build"

work=$(mktemp -d "${TMPDIR:-/tmp}/techweek-profile.XXXXXX")
trap 'stop_nginx; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

target=${PROFILE_TARGET:-}
if [ -z "$target" ]; then
    export PATH=$PATH:/usr/sbin
    command -v nginx >/dev/null || die "no nginx: install it, or set PROFILE_TARGET=URL"
    start_nginx 4096
    target=$nginx_url
fi
out=${PROFILE_OUT:-$work/callgrind.out}

say "callgrind: $performances performances, $customers customers, $jobs job(s), GET $target"
valgrind --tool=callgrind --callgrind-out-file="$out" \
    "$techweek" run -q --reports "$work/reports" --json "$work/r.json" \
    --performances "$performances" --customers "$customers" --jobs "$jobs" \
    --var "target=$target" "$bench/ping.rehearsal" 2>"$work/valgrind.err" ||
    die "techweek under callgrind failed: $(tail -n 20 "$work/valgrind.err")"

# callgrind_annotate names a function "FILE:FUNCTION [OBJECT]" (and once more
# without the object); the object form, paths shortened, is listed.
callgrind_annotate --inclusive=yes "$out" >"$work/annotate.txt"
total=$(awk '/PROGRAM TOTALS/ { gsub(/,/, "", $1); print $1; exit }' "$work/annotate.txt")
work_ir=$(awk '/runner\.c:work \[/ { gsub(/,/, "", $1); print $1; exit }' "$work/annotate.txt")
[ -n "$work_ir" ] || die "no runner.c:work in callgrind's output ($out)"

printf 'techweek %s, %s performances, %s customers, %s job(s)\n' \
    "$("$techweek" --version 2>&1 | head -n 1 | awk '{ print $NF }')" "$performances" "$customers" "$jobs"
printf 'whole program: %s Ir\n' "$(calc "$total / 1e6" "%.1f")M"
printf 'runner.c:work (inclusive): %s Ir / %s = %s Ir per performance\n' \
    "$(calc "$work_ir / 1e6" "%.1f")M" "$performances" "$(calc "$work_ir / $performances / 1000" "%.1f")k"
printf '\ntop %s functions by inclusive Ir (named ones; %% of the whole program):\n' "$top"
printf '%14s %7s %11s  %s\n' "Ir" "%" "Ir/perf" "function (object)"
grep -E '^ *[0-9,]+ \([ 0-9.]+%\)  .* \[' "$work/annotate.txt" |
    grep -v -E '\?\?\?:0x|PROGRAM TOTALS' |
    awk -v n="$performances" -v top="$top" 'NR > top { next } {
        ir = $1; gsub(/,/, "", ir)
        match($0, /\( *[0-9.]+%\)/)
        pct = substr($0, RSTART + 1, RLENGTH - 2); gsub(/ /, "", pct)
        rest = substr($0, RSTART + RLENGTH); sub(/^ +/, "", rest)
        obj = rest; sub(/^.* \[/, "", obj); sub(/\]$/, "", obj); sub(/^.*\//, "", obj)
        name = rest; sub(/ \[[^]]*\]$/, "", name); sub(/^\?\?\?:/, "", name)
        sub(/^[^:]*\//, "", name)                  # harness/runner/runner.c:work -> runner.c:work
        printf "%14s %7s %10.1fk  %s (%s)\n", $1, pct, ir / n / 1000, name, obj
    }'

say "callgrind: libcurl alone (curl_floor), $performances requests on $customers connections"
valgrind --tool=callgrind --callgrind-out-file="$work/floor.out" \
    "$floor" "$target" "$customers" "$performances" >/dev/null 2>"$work/floor.err" ||
    die "curl_floor under callgrind failed: $(tail -n 20 "$work/floor.err")"
floor_ir=$(callgrind_annotate --inclusive=yes "$work/floor.out" |
    awk '!found && /curl_floor\.c:main \[/ { gsub(/,/, "", $1); print $1; found = 1 }')
[ -n "$floor_ir" ] || die "no curl_floor.c:main in callgrind's output"
printf '\nlibcurl alone (curl_floor.c:main, inclusive): %s Ir / %s = %s Ir per request\n' \
    "$(calc "$floor_ir / 1e6" "%.1f")M" "$performances" "$(calc "$floor_ir / $performances / 1000" "%.1f")k"
printf 'techweek / libcurl alone: %s\n' "$(calc "$work_ir / $floor_ir" "%.2f")"
