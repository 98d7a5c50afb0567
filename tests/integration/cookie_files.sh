#!/usr/bin/env bash
# --cookies FILE seeds every customer's jar from a Netscape cookie file and
# --cookie-jar FILE writes the run's first performance's jar out, even when
# the run fails (issue 12, capability 8).
#
# usage: cookie_files.sh TECHWEEK STAGE
#
# The stage is started as a coprocess and found by the URL line it prints,
# so nothing here sleeps. Prints "N passed, M failed"; exits non-zero on
# any failure.
set -uo pipefail
techweek=${1:?usage: cookie_files.sh TECHWEEK STAGE}
stage_bin=${2:?usage: cookie_files.sh TECHWEEK STAGE}

work=$(mktemp -d "${TMPDIR:-/tmp}/cookie_files.XXXXXX")
coproc STAGE { exec "$stage_bin" --port 0; }
stage_pid=$STAGE_PID
trap 'kill "$stage_pid" 2>/dev/null; wait "$stage_pid" 2>/dev/null; rm -rf "$work"' EXIT
read -r -t 30 stage <&"${STAGE[0]}" || { echo "the stage did not start"; exit 1; }

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() {
  failed=$((failed + 1)); echo "FAIL $1"
  shift
  printf '     %s\n' "$@"
}

printf '# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tseeded\tfrom-file\n' \
  >"$work/seed.txt"
# Every performance sees the seeded cookie, is given three more, and fails
# at the end: the jar is still written.
cat >"$work/jar.rehearsal" <<'EOF'
rehearsal "Jar"
scene "Seeded"
  get {{stage}}/cookies/show
  expect json $.cookies.seeded == "from-file"
  expect json $.cookies.sid not exists
  get {{stage}}/cookies/attrs
  expect status 500
EOF

# run NAME WANT_STATUS [OPTION...]
run() {
  local name=$1 want=$2
  shift 2
  "$techweek" run --no-reports --color never --var "stage=$stage" "$@" "$work/jar.rehearsal" \
    >"$work/stdout" 2>"$work/stderr" </dev/null
  local got=$?
  if [ "$got" = "$want" ]; then
    return 0
  fi
  bad "$name" "exit status $got, expected $want" "--- stdout" "$(tail -n 20 "$work/stdout")" \
    "--- stderr" "$(head -n 10 "$work/stderr")"
  return 1
}

if run "a failing run with --cookies and --cookie-jar" 1 --performances 3 --customers 2 \
  --cookies "$work/seed.txt" --cookie-jar "$work/out.txt"; then
  problems=()
  grep -q "expect json \$.cookies.seeded" "$work/stdout" &&
    problems+=("the seeded cookie was not sent")
  [ -f "$work/out.txt" ] || problems+=("no jar written")
  [ "$(head -n 1 "$work/out.txt" 2>/dev/null)" = "# Netscape HTTP Cookie File" ] ||
    problems+=("the jar's first line is not the Netscape header")
  for want in $'\tseeded\tfrom-file' $'\tsid\tabc123' $'\ttheme\tdark' $'\tlang\ten'; do
    n=$(grep -cF -- "$want" "$work/out.txt" 2>/dev/null)
    [ "$n" = 1 ] || problems+=("the jar has '${want//$'\t'/ }' $n times, expected once")
  done
  grep -q '^#HttpOnly_127.0.0.1' "$work/out.txt" || problems+=("sid lost its HttpOnly mark")
  grep -qF "Cookie jar: $work/out.txt" "$work/stdout" || problems+=("stdout does not name the jar")
  if [ ${#problems[@]} -eq 0 ]; then
    ok "--cookies seeds every jar; --cookie-jar writes the first performance's, run failed"
  else
    bad "--cookies seeds every jar; --cookie-jar writes the first performance's, run failed" \
      "${problems[@]}" "--- jar" "$(cat "$work/out.txt" 2>/dev/null)"
  fi
fi

# The jar seeded from a jar written by a run: a session carried over (sid
# is sent this time, so the first expectation that fails is its own).
if run "a jar read back" 1 --cookies "$work/out.txt" --cookie-jar "$work/out2.txt"; then
  if grep -qF "expect json \$.cookies.sid not exists" "$work/stdout"; then
    ok "a written jar seeds the next run"
  else
    bad "a written jar seeds the next run" "sid was not sent" "$(tail -n 20 "$work/stdout")"
  fi
fi

if run "--cookies with no such file" 2 --cookies "$work/none.txt"; then
  if grep -qF -- "--cookies: cannot read '$work/none.txt'" "$work/stderr"; then
    ok "--cookies with no such file is a usage error"
  else
    bad "--cookies with no such file is a usage error" "$(cat "$work/stderr")"
  fi
fi

# A file's path as the jar's folder: it cannot be written (a missing
# folder would be made, as for reports).
if run "--cookie-jar that cannot be written" 4 --cookie-jar "$work/seed.txt/jar.txt"; then
  if grep -qF "$work/seed.txt/jar.txt" "$work/stderr"; then
    ok "--cookie-jar that cannot be written: exit 4, the path named"
  else
    bad "--cookie-jar that cannot be written: exit 4, the path named" "$(cat "$work/stderr")"
  fi
fi

# A seeded cookie's value is a secret (a session token pasted from a
# browser): a failure that shows it shows *** in every report.
printf '# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tsid\tseededsessiontoken\n' \
  >"$work/secret.txt"
cat >"$work/secret.rehearsal" <<'EOF'
rehearsal "Seeded secret"
scene "Shown"
  get {{stage}}/cookies/show
  expect json $.cookies.sid == "nope"
EOF
mkdir -p "$work/reports"
"$techweek" run --color never --var "stage=$stage" --cookies "$work/secret.txt" \
  --reports "$work/reports" "$work/secret.rehearsal" >"$work/stdout" 2>"$work/stderr" </dev/null
got=$?
if [ "$got" = 1 ] && ! grep -rq seededsessiontoken "$work/stdout" "$work/reports" &&
   grep -q '\*\*\*' "$work/stdout"; then
  ok "a seeded cookie's value is masked in the terminal and every report"
else
  bad "a seeded cookie's value is masked in the terminal and every report" "exit $got" \
    "$(grep -rl seededsessiontoken "$work/stdout" "$work/reports")" "$(tail -n 12 "$work/stdout")"
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
