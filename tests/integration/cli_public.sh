#!/usr/bin/env bash
# The command is a program on the public API (issue 10): every file of
# harness/cli includes its own cli/cli.h, techweek.h or techweek/*.h and
# system headers, nothing of the engine's; and it compiles with no
# include path but include/ and its own folder, so no engine header can
# come in unseen through another one.
set -uo pipefail
root=$1
cc=${CC:-cc}
failed=0
while IFS= read -r line; do
  case $line in
    *'#include <'*) ;;
    *'#include "cli/cli.h"'* | *'#include "techweek.h"'* | *'#include "techweek/'*) ;;
    *) echo "FAIL not a public header: $line"; failed=1 ;;
  esac
done < <(grep -rn '#include' "$root/harness/cli")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ln -s "$root/harness/cli" "$work/cli"
for f in "$root"/harness/cli/*.c; do
  if "$cc" -std=c11 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
       -fsyntax-only -I"$work" -I"$root/include" "$f" 2>"$work/log"; then
    echo "ok   ${f#"$root"/} compiles on the public headers alone"
  else
    echo "FAIL ${f#"$root"/} needs more than the public headers:"; sed 's/^/     /' "$work/log"
    failed=1
  fi
done
exit $failed
