#!/usr/bin/env bash
# The engine as an installed library (docs/embedding.md): `meson install`
# into a scratch folder puts there the binary, a shared and a static
# library, the public headers (each compiles on its own, none left out),
# techweek.pc, the five man pages and the bash and zsh completions;
# the docs' example program, taken from the doc itself, builds with
# pkg-config against what was installed, shared and static, its verdicts
# against the stage are right, and it reads the touchpoints and the score;
# so do the doc's commands for a --prefix install (rpath) and a static
# link, run as written. Skipped (77) in the sanitizer
# build, whose library needs the sanitizer runtime in every program.
set -uo pipefail
build=$1 stage_bin=$2 root=$3
if [ "${TECHWEEK_SANITIZE:-none}" != none ]; then
  echo "skipped: a sanitizer build's library cannot be linked plainly"
  exit 77
fi
source "$(dirname "$0")/start_stage.sh"
cc=${CC:-cc}
failed=0
fail() { echo "FAIL $*"; failed=1; }

dest=$work/dest
if ! meson install -C "$build" --no-rebuild --quiet --destdir "$dest" >"$work/install.log" 2>&1; then
  cat "$work/install.log"; echo "FAIL meson install"; exit 1
fi
pc=$(find "$dest" -name techweek.pc -path '*/pkgconfig/*' | head -n1)
[ -n "$pc" ] || { echo "FAIL no techweek.pc installed"; find "$dest"; exit 1; }
libdir=$(dirname "$(dirname "$pc")")
incdir=$(find "$dest" -name techweek.h -path '*/include/techweek.h' | head -n1)
incdir=${incdir%/techweek.h}
for f in "$(find "$dest" -path '*/bin/techweek')" "$libdir/libtechweek.a" "$libdir/libtechweek.so" \
         "$incdir/techweek/global.h" "$incdir/techweek/run.h"; do
  [ -e "$f" ] && echo "ok   installed ${f#"$dest"}" || fail "not installed: ${f#"$dest"}"
done
prefix=${libdir%/lib*}
for f in share/man/man1/techweek.1 share/man/man1/techweek-run.1 share/man/man1/techweek-check.1 \
         share/man/man1/techweek-merge.1 share/man/man5/techweek-rehearsal.5 \
         share/bash-completion/completions/techweek share/zsh/site-functions/_techweek; do
  [ -s "$prefix/$f" ] && echo "ok   installed ${prefix#"$dest"}/$f" || fail "not installed: ${prefix#"$dest"}/$f"
done
# Every public header of the tree, new ones too.
for h in $(cd "$root/include" && find . -name '*.h' | sed 's|^\./||' | sort); do
  [ -f "$incdir/$h" ] || fail "include/$h is not installed"
done
for lib in libcurl libpcre2-8 libxml-2.0 jansson; do
  grep -q "^Requires.private:.*\b$lib\b" "$pc" || fail "techweek.pc: $lib not in Requires.private"
done

# Each public header on its own, against the installed ones only.
for h in "$incdir"/techweek.h "$incdir"/techweek/*.h; do
  name=${h#"$incdir"/}
  if printf '#include <%s>\n' "$name" | \
       "$cc" -std=c11 -Wall -Wextra -Werror -fsyntax-only -I"$incdir" -x c - 2>"$work/h.log"; then
    echo "ok   <$name> stands alone"
  else
    fail "<$name> does not compile on its own"; sed 's/^/     /' "$work/h.log"
  fi
done

# The example program, exactly as docs/embedding.md shows it.
awk '/^```c$/ { on = 1; next } /^```/ { on = 0 } on' "$root/docs/embedding.md" >"$work/embed.c"
grep -q 'tw_global_init' "$work/embed.c" || { echo "FAIL no example in docs/embedding.md"; exit 1; }
pkgconf() {
  PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_PATH=$libdir/pkgconfig pkg-config "$@" techweek
}
cflags=$(pkgconf --cflags) libs=$(pkgconf --libs) requires=$(pkgconf --print-requires-private) || {
  echo "FAIL pkg-config techweek"; exit 1; }
# The static library with its dependencies shared (a fully static program
# would need every dependency's static archive): the libraries
# Requires.private names, and techweek's own Libs.private.
static_libs="$libdir/libtechweek.a $(sed -n 's/^Libs.private: *//p' "$pc") \
  $(pkg-config --libs $(echo "$requires" | awk '{print $1}'))"
case " $cflags " in *" -I$incdir "*) ;; *) fail "pkg-config --cflags is not the installed headers: $cflags" ;; esac
"$cc" -std=c11 -Wall -Wextra -Werror -o "$work/embed" "$work/embed.c" $cflags $libs ||
  { echo "FAIL the example does not build against the installed library"; exit 1; }
"$cc" -std=c11 -Wall -Wextra -Werror -o "$work/embed-static" "$work/embed.c" $cflags $static_libs ||
  { echo "FAIL the example does not build against the installed static library"; exit 1; }
# docs/embedding.md's "Building and linking" commands, as written, against
# a --prefix install of the same files (techweek.pc naming where they
# are), run without LD_LIBRARY_PATH: the rpath one loads the installed
# libtechweek.so, the static one none.
mkdir -p "$work/pc" "$work/link"
sed "s|^prefix=.*|prefix=$prefix|" "$pc" >"$work/pc/techweek.pc"
cp "$work/embed.c" "$work/link/embed.c"
awk '/^## Building and linking/ { on = 1; next } /^## / { on = 0 }
  on && /^```sh$/ { n++; f = dir "/link-" n ".sh"; next } on && /^```/ { f = "" }
  on && f != "" { print > f }' dir="$work" "$root/docs/embedding.md"
[ -f "$work/link-2.sh" ] || fail "docs/embedding.md: no two sh blocks under 'Building and linking'"
for n in 1 2; do
  [ -f "$work/link-$n.sh" ] || continue
  rm -f "$work/link/embed"
  if ! (cd "$work/link" && PKG_CONFIG_PATH=$work/pc bash -e "$work/link-$n.sh") >"$work/link.log" 2>&1; then
    fail "docs/embedding.md's link command $n fails:"; sed 's/^/     /' "$work/link-$n.sh" "$work/link.log"
    continue
  fi
  deps=$(env -u LD_LIBRARY_PATH ldd "$work/link/embed")
  out=$(env -u LD_LIBRARY_PATH "$work/link/embed" "$root/rehearsals/order-pizza.rehearsal" "$stage" 2>&1)
  rc=$?
  if [ $n = 1 ]; then
    echo "$deps" | grep -q "libtechweek.so.0 => $libdir/libtechweek.so.0" ||
      fail "the rpath command's program does not find the installed library: $deps"
  else
    echo "$deps" | grep -q libtechweek && fail "the static command's program loads libtechweek.so: $deps"
  fi
  [ $rc -eq 0 ] && [[ $out == *": READY: curtain up" ]] &&
    echo "ok   docs/embedding.md's link command $n builds a program that runs without LD_LIBRARY_PATH" ||
    fail "docs/embedding.md's link command $n: exit $rc: $out"
done

export LD_LIBRARY_PATH=$libdir
ldd "$work/embed" | grep "=> $libdir/libtechweek.so" >/dev/null ||
  fail "the example does not load the installed libtechweek.so: $(ldd "$work/embed" | grep techweek)"
ldd "$work/embed-static" | grep libtechweek >/dev/null && fail "the static example loads libtechweek.so"

pizza=$root/rehearsals/order-pizza.rehearsal
for prog in embed embed-static; do
  out=$("$work/$prog" "$pizza" "$stage" 2>&1); rc=$?
  [ $rc -eq 0 ] && [[ $out == *": READY: curtain up" ]] &&
    echo "ok   $prog against the stage: $out" || fail "$prog against the stage: exit $rc: $out"
  # It read the results through the public readers and the score: the
  # first touchpoint is the visit in rehearsals/scenes/order-online.scene,
  # which order-pizza uses, at that file's line.
  [[ $out == *"line  19  visit {{stage}}/"*"1 performed, p95 "*"score "* ]] &&
    echo "ok   $prog read its touchpoints and score" ||
    fail "$prog did not print its touchpoints and score: $out"
  # Nothing listens on port 1: the rehearsal cannot be carried out.
  out=$("$work/$prog" "$pizza" "http://127.0.0.1:1" 2>&1); rc=$?
  [ $rc -eq 1 ] && [[ $out == *": NOT READY"* ]] &&
    echo "ok   $prog against nothing: $out" || fail "$prog against nothing: exit $rc: $out"
  out=$("$work/$prog" "$work/missing.rehearsal" "$stage" 2>&1); rc=$?
  [ $rc -eq 2 ] && echo "ok   $prog with a missing script: exit 2" ||
    fail "$prog with a missing script: exit $rc: $out"
done
exit $failed
