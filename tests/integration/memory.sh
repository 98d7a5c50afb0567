#!/usr/bin/env bash
# Memory is bounded per customer in flight (docs/performance.md): techweek
# runs under an address-space budget (ulimit -v) that fits what the
# customers need, and would not fit several copies of each page or of the
# cast per customer.
#
#   pages: 20 customers, each on a 7 MiB HTML page at once (they think on
#          it), with text and XPath expectations. A waiting customer keeps
#          its body only: about 20 x 7 MiB, where a parsed page (its
#          document and text, some 9 x its size) kept per customer would
#          need over 1 GiB.
#   cast:  a cast that doubles its way to a 32 MiB value, 20 customers:
#          expanded once per run (about 64 MiB with the steps of the
#          chain), not once per customer (over 1 GiB).
#   short: too small a budget for that cast: the run says "out of memory",
#          writes its reports and exits 3.
#
# The budget is address space, not resident memory, so it includes the
# program, its libraries and its allocator's reservations (MEM_BASE_MB).
# glibc is told to keep one arena and to map every allocation of 256 KiB
# or more on its own, so that the address space follows what techweek
# holds rather than how malloc reserves it. A run must also have
# performed every performance: a run that stops on "out of memory" fails
# the test.
# ulimit -v does not work under AddressSanitizer (it reserves terabytes of
# shadow memory), so the sanitizer build skips this test. Nothing here is
# timed: --timeout is generous, as 20 pages of 7 MiB take a while on a busy
# machine.
set -uo pipefail
techweek=$1 stage_bin=$2
if [ "${TECHWEEK_SANITIZE:-none}" != none ]; then
  echo "skipped: ulimit -v cannot bound a ${TECHWEEK_SANITIZE} build (its shadow memory is reserved up front)"
  exit 77
fi
work=$(mktemp -d)
coproc STAGE { exec "$stage_bin" --port 0; }
trap 'kill $STAGE_PID 2>/dev/null; rm -rf "$work"' EXIT
read -r stage <&"${STAGE[0]}" || { echo "the stage did not start"; exit 1; }

MEM_BASE_MB=60 # techweek with nothing to keep, 20 customers on a small page: 55 measured
# mimalloc (the command's allocator, meson_options.txt) reserves address
# space in 32 MiB segments, one set a thread, and a huge block (a 7 MiB
# page, a 32 MiB value) in a segment of its own. Measured: the cast ran
# out of memory at 245 MiB and passed at 260 (glibc's fits 196); the pages
# did not always fit 340 MiB (19 or 20 of 20) and passed at 400. Still far
# from the 1.1 and 1.3 GiB that a copy per customer took.
# Not `ldd | grep -q`: grep -q leaves at the first line, ldd dies of
# SIGPIPE on the next, and pipefail makes the test false (seen in CI).
case "$(ldd "$techweek" 2>/dev/null)" in
  *libmimalloc*) MEM_BASE_MB=$((MEM_BASE_MB + 96)) ;;
esac
export MALLOC_ARENA_MAX=1 MALLOC_MMAP_THRESHOLD_=262144
failures=0

# budget NAME MB REHEARSAL ARGS... : runs under MB MiB of address space.
budget() {
  local name=$1 mb=$2 script=$3
  shift 3
  (
    ulimit -v $((mb * 1024))
    exec "$techweek" run --var "stage=$stage" --color never -q --timeout 5m \
      --reports "$work/$name" "$@" "$script"
  ) >"$work/$name.out" 2>&1
  local status=$?
  local achieved
  achieved=$(jq -r .totals.achieved "$work/$name/result.json" 2>/dev/null)
  if [ "$status" = 0 ] && [ "$achieved" = 20 ]; then
    echo "ok: $name within $mb MiB"
  else
    echo "FAIL: $name: exit status $status, $achieved of 20 performances achieved within $mb MiB"
    sed 's/^/    /' "$work/$name.out" | head -20
    failures=$((failures + 1))
  fi
}

cat >"$work/pages.rehearsal" <<'R'
rehearsal "Twenty customers on a 7 MiB page"
scene "Read it, then think" on web
  visit {{stage}}/fault/huge?mb=7&type=html
  expect text contains "one paragraph after another"
  expect xpath "count(//p)" == 114688
  pause 300ms
  expect xpath "count(//p)" > 1000
R
# A sanity check first: the same run with no budget passes.
budget pages-unbounded 100000 "$work/pages.rehearsal" --customers 20 --performances 20
# 20 bodies of 7 MiB, and one page parsed at a time: its document, text
# and libxml2's copy of the body, about 10 x 7 MiB (280 MiB needed here; the
# code that kept each parsed page needed 1.1 GiB).
budget pages $((MEM_BASE_MB + 20 * 7 + 20 * 7)) "$work/pages.rehearsal" \
  --customers 20 --performances 20 --max-body 8M

{
  echo 'rehearsal "A 32 MiB cast value, twenty customers"'
  echo 'cast'
  printf '  v0 = %s\n' "$(head -c 1024 /dev/zero | tr '\0' x)"
  for i in $(seq 1 15); do echo "  v$i = {{v$((i - 1))}}{{v$((i - 1))}}"; done
  echo 'scene "Ask" on web'
  echo '  get {{stage}}/ping'
  echo '  expect status == 200'
  echo '  pause 300ms'
} >"$work/cast.rehearsal"
budget cast-unbounded 100000 "$work/cast.rehearsal" --customers 20 --performances 20
# The chain 1 KiB .. 32 MiB is 64 MiB, expanded once, plus the last
# expansion's transient copy: 32 MiB (about 160 MiB needed here; expanded
# per customer it took 1.3 GiB).
budget cast $((MEM_BASE_MB + 64 + 32 + 40)) "$work/cast.rehearsal" --customers 20 --performances 20

# Too small a budget: the run stops on "out of memory", says so, writes
# its reports and exits 3 (it used to crash writing them, or exit 0).
(
  ulimit -v $(((MEM_BASE_MB + 40) * 1024))
  exec "$techweek" run --var "stage=$stage" --color never -q --reports "$work/short" \
    --customers 20 --performances 20 "$work/cast.rehearsal"
) >"$work/short.out" 2>&1
status=$?
if [ "$status" = 3 ] && grep -q "out of memory" "$work/short.out" &&
   [ "$(jq -r .totals.achieved "$work/short/result.json" 2>&1)" = 0 ]; then
  echo "ok: out of memory within $((MEM_BASE_MB + 40)) MiB: exit 3, reports written"
else
  echo "FAIL: out of memory within $((MEM_BASE_MB + 40)) MiB: exit status $status"
  sed 's/^/    /' "$work/short.out" | head -10
  failures=$((failures + 1))
fi

[ "$failures" = 0 ]
