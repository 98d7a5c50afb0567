#!/usr/bin/env bash
# One fuzz target, as the fuzz suite runs it (docs/testing.md): its seeds
# made from the repository (seeds.sh), then every input of every corpus
# replayed once (the committed seeds, the generated ones, and what earlier
# runs in this build found), then SECONDS of fuzzing with the dictionary.
# Any finding fails: libFuzzer prints the reproducer's path, kept under
# BUILD/tests/fuzz/TARGET/findings/.
#
# usage: run.sh TARGET FUZZER SECONDS SOURCE_ROOT TECHWEEK STAGE
set -uo pipefail
target=$1 fuzzer=$(realpath "$2") seconds=$3 root=$(realpath "$4")
techweek=$5 stage=$6
work=$(dirname "$fuzzer")/$target
mkdir -p "$work/corpus" "$work/findings"
rm -rf "$work/seeds"
bash "$root/tests/fuzz/seeds.sh" "$target" "$work/seeds" "$root" "$techweek" "$stage" || exit 1
corpora=("$work/corpus" "$work/seeds")
[ -d "$root/tests/fuzz/corpus/$target" ] && corpora+=("$root/tests/fuzz/corpus/$target")
dict=()
[ -f "$root/tests/fuzz/$target.dict" ] && dict=(-dict="$root/tests/fuzz/$target.dict")

cd "$root" # the corpora's inputs may name the checkout's files (merge reads none)
export UBSAN_OPTIONS=print_stacktrace=1
# 77 is meson's "skipped": a finding must never read as that.
common=(-error_exitcode=99 -timeout_exitcode=98 -timeout=10 -rss_limit_mb=2048
        -artifact_prefix="$work/findings/" -print_final_stats=1)
echo "== replay: ${corpora[*]}"
"$fuzzer" "${common[@]}" -runs=0 "${corpora[@]}" || exit 1
echo "== fuzz $seconds s"
"$fuzzer" "${common[@]}" "${dict[@]}" -max_total_time="$seconds" "${corpora[@]}"
