#!/usr/bin/env bash
# tests/bench/many.sh N DIR - writes a large but valid script and vars file,
# for timing `techweek check` (and guarding against quadratic lookups):
#   DIR/many.rehearsal  a cast of N entries, each using the first (stage);
#                       N scenes with unique names, each capturing a value
#                       and using the previous scene's capture and a cast name
#   DIR/many.vars       N NAME=VALUE lines (every cast name, and more)
# Then: time techweek check --vars-file DIR/many.vars DIR/many.rehearsal
set -euo pipefail
n=${1:?usage: many.sh N DIR} dir=${2:?usage: many.sh N DIR}
mkdir -p "$dir"
awk -v n="$n" 'BEGIN {
  print "rehearsal \"Many\""
  print "cast"
  print "  stage"
  for (i = 1; i < n; i++) printf "  c%d = {{stage}}/%d\n", i, i
  for (i = 0; i < n; i++) {
    printf "scene \"Scene %d\"\n", i
    printf "  visit {{c%d}}/page/%d%s\n", (i % (n - 1)) + 1, i, i ? "?after={{v" (i - 1) "}}" : ""
    printf "  expect text ~ /id (\\d+)/ as v%d\n", i
  }
}' >"$dir/many.rehearsal"
awk -v n="$n" 'BEGIN {
  print "stage=http://127.0.0.1:1"
  for (i = 1; i < n; i++) printf "x%d=value %d\n", i, i
}' >"$dir/many.vars"
