#!/usr/bin/env bash
# libtechweek.so exports exactly the public API: the functions that the
# headers under include/ (every one, found afresh each run) declare with
# TW_EXTERN, nothing more (an internal function leaking out) and nothing
# less (a declaration without TW_EXTERN, which an embedder could call but
# not link). The headers are read through the preprocessor, so comments and
# line breaks inside a declaration do not matter.
set -uo pipefail
lib=$1 root=$2
cc=${CC:-cc}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0

headers=$(cd "$root/include" && find . -name '*.h' | sed 's|^\./||' | sort)
[ -n "$headers" ] || { echo "FAIL no header under $root/include"; exit 1; }
for h in $headers; do printf '#include <%s>\n' "$h"; done >"$work/all.c"
if ! "$cc" -std=c11 -E -P -I"$root/include" "$work/all.c" >"$work/all.i" 2>"$work/cpp.log"; then
  cat "$work/cpp.log"; echo "FAIL the public headers do not preprocess"; exit 1
fi
# One declaration per ';'-ended statement; each names one tw_ function
# (system headers declare none). TW_EXTERN has become the visibility
# attribute by now.
tr '\n' ' ' <"$work/all.i" | tr ';' '\n' | grep -E '\btw_[a-z0-9_]+ *\(' >"$work/decls"
grep -oE '\btw_[a-z0-9_]+ *\(' "$work/decls" | tr -d ' (' | sort -u >"$work/declared"
grep -F 'visibility("default")' "$work/decls" | grep -oE '\btw_[a-z0-9_]+ *\(' |
  tr -d ' (' | sort -u >"$work/marked"
nm -D --defined-only "$lib" | awk '$2 ~ /^[A-Za-z]$/ {print $3}' | sort -u >"$work/exported"

n=$(wc -l <"$work/declared")
[ "$n" -gt 20 ] || { echo "FAIL only $n functions found in include/"; failed=1; }
while read -r f; do
  echo "FAIL include/ declares $f without TW_EXTERN: not exported"; failed=1
done < <(comm -23 "$work/declared" "$work/marked")
while read -r f; do
  echo "FAIL $f is declared TW_EXTERN but libtechweek.so does not export it"; failed=1
done < <(comm -23 "$work/marked" "$work/exported")
while read -r f; do
  echo "FAIL libtechweek.so exports $f, which include/ does not declare TW_EXTERN"; failed=1
done < <(comm -13 "$work/marked" "$work/exported")
[ $failed -eq 0 ] && echo "ok   libtechweek.so exports the $n functions include/ declares, and nothing else"
exit $failed
