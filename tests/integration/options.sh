#!/usr/bin/env bash
# Numeric options: nan, inf, hex, exponents, blanks and fractions where a
# fraction means nothing (a byte, a count) are usage errors (exit 2) naming
# the option and the value; good values are still taken. No network is
# needed: a refused option stops techweek before anything is sent, and an
# accepted one reaches a rehearsal whose endpoint is closed (exit 3).
#
# usage: options.sh TECHWEEK
set -uo pipefail
techweek=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/closed.rehearsal" <<'REHEARSAL'
rehearsal "Closed"
scene "Nobody home" on web
  get http://127.0.0.1:1/
REHEARSAL

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

refused() { # OPTION VALUE [MORE ARGS...]
  local opt=$1 value=$2; shift 2
  "$techweek" run --no-reports -q "$@" "$opt" "$value" "$work/closed.rehearsal" \
    >"$work/out" 2>"$work/err" </dev/null
  local rc=$?
  if [ $rc != 2 ]; then fail "$opt '$value': exit $rc, expected 2 ($(head -c 300 "$work/err"))"
  elif ! grep -qF -- "$opt: '$value'" "$work/err"; then
    fail "$opt '$value': stderr does not name it: $(head -c 300 "$work/err")"
  fi
}

taken() { # OPTION VALUE [MORE ARGS...]
  local opt=$1 value=$2; shift 2
  "$techweek" run --no-reports -q --connect-timeout 2s "$@" "$opt" "$value" \
    "$work/closed.rehearsal" >"$work/out" 2>"$work/err" </dev/null
  local rc=$?
  [ $rc = 3 ] || fail "$opt '$value' refused: exit $rc, $(head -c 300 "$work/err")"
}

for opt in --timeout --connect-timeout --ramp --call-max-time --progress; do
  for v in nan NaN -nan inf infinity 1e999 0x10 0x1p3s " 5s" 1e3ms 5sec -1s 0.1ms ""; do
    refused "$opt" "$v" --rate 1 --duration 1s
  done
done
for v in nan inf 1e999 0x10 0.5ms; do refused --duration "$v" --rate 1 --ramp 1ms; done
for v in nan inf 1e400 0x10 0.5 0 -1 1.1K 0.3 1e3 " 8M" 5X; do refused --max-body "$v"; done
for v in nan inf 0x10 -1 0 1e9 " 2"; do refused --rate "$v" --duration 1s; done
for v in nan inf -1 1e9 0x2; do refused --think-scale "$v"; done
for v in nan inf -1 101 0x10; do refused --gate "$v"; done
for v in 1.5 nan 0x10 -1; do refused --max-redirs "$v"; done
for v in 1.5 nan inf 0x10 -1 1e3; do refused --performances "$v"; done
for v in 1.5 nan; do refused --customers "$v"; refused --retry "$v"; refused --jobs "$v"
  refused --max-failures "$v"; refused --call-max-fetches "$v"; refused --call-max-loops "$v"; done
for v in 1.5/2 nan/2 1/inf; do refused --shard "$v"; done

taken --timeout 1.5s
taken --timeout 2
taken --connect-timeout 500ms
taken --max-body 0.5K
taken --max-body 1.5M
taken --max-body 8M
taken --max-body 100
taken --progress 0
taken --think-scale 0.5
taken --gate 99.5
taken --max-redirs 0

# A refused option is named as given, never by its value nor a stray byte.
says() { # EXPECTED ARGS...
  local want=$1; shift
  "$techweek" "$@" >"$work/out" 2>"$work/err" </dev/null
  local rc=$?
  if [ $rc != 2 ]; then fail "$*: exit $rc, expected 2"
  elif ! grep -qxF -- "$want" "$work/err"; then fail "$*: stderr is not '$want': $(head -c 300 "$work/err")"
  fi
}
says "techweek run: option '-x' needs a value or is unknown" run -x "$work/closed.rehearsal"
says "techweek check: option '-k' needs a value or is unknown" check -k "$work/closed.rehearsal"
says "techweek check: option '--json' is for techweek run" check --json x "$work/closed.rehearsal"
says "techweek merge: option '--shard' is not one of techweek merge's" merge --shard 1/2 x.json
says "techweek merge: option '--var' is not one of techweek merge's" merge --var=a=b x.json
says "techweek run: unknown option or missing value: '--quiet=1'" run --quiet=1 "$work/closed.rehearsal"

# Options after the scripts are options, as in every GNU tool: `run
# DIR --performances 40` performs 40 times, it does not look for a script
# named "40"; `--` ends the options, so a script named like one is
# still reachable.
"$techweek" run "$work/closed.rehearsal" --no-reports -q --connect-timeout 2s --performances 2 \
  --json "$work/after.json" >"$work/out" 2>"$work/err" </dev/null
rc=$?
if [ $rc != 3 ]; then fail "options after the script: exit $rc, expected 3 ($(head -c 300 "$work/err"))"
elif [ "$(jq -r '"\(.totals.rehearsals) \(.totals.performances)"' "$work/after.json" 2>/dev/null)" != "1 2" ]; then
  fail "options after the script: the JSON does not hold 1 rehearsal performed 2 times"
fi
cp "$work/closed.rehearsal" "$work/--weird"
(cd "$work" && "$techweek" run --no-reports -q --connect-timeout 2s -- --weird >out 2>err </dev/null)
rc=$?
[ $rc = 3 ] || fail "a script named --weird after --: exit $rc, expected 3 ($(head -c 300 "$work/err"))"

[ $failures = 0 ] && echo "options: all refused and taken as they should be"
[ $failures = 0 ]
