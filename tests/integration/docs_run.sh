#!/usr/bin/env bash
# The rehearsals shown in the README, docs/language.md, docs/phone.md and
# docs/baseline.md run, and pass, the project files shown in docs/readiness.md
# and docs/baseline.md load, against the stage: an example that does not run
# teaches nothing. A ```rehearsal sketch block (one that needs a service the
# stage does not play) is only parsed and checked, by the unit test
# docs_examples, which also checks that every ```rehearsal-error block of
# docs/language.md fails as it says.
# The help's exit statuses are those of docs/cli.md's table.
set -uo pipefail
techweek=$1 stage_bin=$2 root=$3
work=$(mktemp -d)
coproc STAGE { exec "$stage_bin" --port 0; }
trap 'kill $STAGE_PID 2>/dev/null; rm -rf "$work"' EXIT
read -r stage <&"${STAGE[0]}" || { echo "the stage did not start"; exit 1; }

failed=0 count=0
for doc in README.md docs/language.md docs/phone.md docs/baseline.md; do
  # Each ```rehearsal block into its own file, named after its line.
  # issue 13, USE: a ```rehearsal file NAME block is a file the examples
  # use, written as NAME beside them.
  awk -v dir="$work" -v name="$(basename "$doc" .md)" '
    /^```rehearsal$/ { out = dir "/" name "-" NR ".rehearsal"; next }
    /^```rehearsal file / { out = dir "/" $3; d = out; sub(/\/[^\/]*$/, "", d);
                             system("mkdir -p \"" d "\""); next }
    /^```/ { out = ""; next }
    out != "" { print > out }
  ' "$root/$doc"
done
# The file docs/language.md's attach example sends, beside the examples.
cp "$root/tests/cases/data/web/photo.txt" "$work/"
# Twice (F3, trial T6): an example passes on every run against one stage,
# not only against a fresh one (the stage keeps counts for its whole life).
for pass in 1 2; do
  for f in "$work"/*.rehearsal; do
    count=$((count + 1))
    if ! "$techweek" run --var "stage=$stage" --no-reports --color never "$f" >"$f.out" 2>&1; then
      failed=$((failed + 1))
      echo "FAIL $(basename "$f") (run $pass)"; sed 's/^/     /' "$f.out"
    else
      echo "ok   $(basename "$f") (run $pass)"
    fi
  done
done
[ "$count" -ge 2 ] || { echo "found only $count examples: the extraction broke"; exit 1; }

# Every project file shown in docs/readiness.md and docs/baseline.md is one
# techweek accepts: a run with it is never a usage error (exit 2).
projects=0
for doc in docs/readiness.md docs/baseline.md; do
  awk -v dir="$work" -v name="$(basename "$doc" .md)" '
    /^```json$/ { out = dir "/" name "-" NR ".json"; next }
    /^```/ { out = ""; next }
    out != "" { print > out }
  ' "$root/$doc"
done
for f in "$work"/*.json; do
  grep -q '^ *{' "$f" || continue
  projects=$((projects + 1)) count=$((count + 1))
  "$techweek" run --var "stage=$stage" --no-reports --color never --project "$f" \
    "$root/rehearsals/order-pizza.rehearsal" >"$f.out" 2>&1
  if [ $? -eq 2 ]; then
    failed=$((failed + 1))
    echo "FAIL $(basename "$f") is not a project file techweek accepts"; sed 's/^/     /' "$f.out"
  else
    echo "ok   $(basename "$f")"
  fi
done
[ "$projects" -ge 3 ] || { echo "found only $projects project files: the extraction broke"; exit 1; }

# The help's exit statuses are docs/cli.md's: every status of its table,
# 0 READY and 1 NOT READY (the verdict), 1 naming what makes a run NOT READY.
statuses=$(awk '/^## Exit status/ { on = 1; next } /^## / { on = 0 }
  on && /^\| [0-9]+ \|/ { print $2 }' "$root/docs/cli.md")
[ -n "$statuses" ] || { echo "FAIL docs/cli.md: no exit status table found"; failed=$((failed + 1)); }
grep -q '^| 1 | NOT READY' "$root/docs/cli.md" || { echo "FAIL docs/cli.md: exit 1 is not NOT READY"; failed=$((failed + 1)); }
for what in "" "help run" "help merge"; do
  count=$((count + 1))
  # shellcheck disable=SC2086 # $what is the command's words
  text=$("$techweek" $what 2>&1 | sed -n '/^Exit status/,$p' | tr '\n' ' ')
  for n in $statuses; do
    case " $text" in *[\ \(]"$n "*) ;; *) echo "FAIL techweek $what: exit $n is not in: $text"; failed=$((failed + 1)) ;; esac
  done
  for words in "0 READY" "1 NOT READY" "below the gate" "minimum" "required outcome rate" "baseline"; do
    case "$text" in *"$words"*) ;; *) echo "FAIL techweek $what: '$words' is not in: $text"; failed=$((failed + 1)) ;; esac
  done
done

# The build folders the docs name are those .ci/build makes (build/plain,
# build/asan, build/fuzz): a command copied from them works as written.
# Each mention is judged, as a line may name a good folder and a bad one.
count=$((count + 1))
stale=$(cd "$root" && grep -noE '\-C build[A-Za-z0-9_/-]*|(^|[ `(])build/[A-Za-z0-9_./-]*' README.md docs/*.md fixtures/README.md |
  grep -vE ':(-C |[ `(])?build/(plain|asan|fuzz)(/|$)' || true)
if [ -n "$stale" ]; then
  failed=$((failed + 1)); echo "FAIL build folders .ci/build does not make (build/plain, build/asan, build/fuzz):"
  echo "$stale" | sed 's/^/     /'
else
  echo "ok   the docs name only the build folders .ci/build makes"
fi
echo "$((count - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
