#!/usr/bin/env bash
# TLS end to end: techweek against the stage serving HTTPS with certificates
# made for this run (tests/stage/make_certs.sh), checking that verification is
# on by default, that --cacert and --insecure do what they say, and that a
# certificate nobody vouches for is "unreachable" (exit status 3) with the
# reason in the summary.
#
# usage: tls_cases.sh TECHWEEK STAGE
#
# Stages are started as coprocesses and found by the URL line they print, so
# nothing here sleeps. Prints "N passed, M failed"; exits non-zero on any
# failure.
set -uo pipefail
techweek=${1:?usage: tls_cases.sh TECHWEEK STAGE}
stage_bin=${2:?usage: tls_cases.sh TECHWEEK STAGE}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/tls_cases.XXXXXX")
stage_pid=
stop_stage() {
  if [ -n "$stage_pid" ] && kill -0 "$stage_pid" 2>/dev/null; then
    kill -TERM "$stage_pid" 2>/dev/null
    wait "$stage_pid" 2>/dev/null
  fi
  stage_pid=
}
trap 'stop_stage; rm -rf "$work"' EXIT

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() {
  failed=$((failed + 1)); echo "FAIL $1"
  shift
  printf '     %s\n' "$@"
}

"$here/../stage/make_certs.sh" "$work/certs" || { echo "cannot make the test certificates"; exit 1; }
certs=$work/certs

# start_stage CERT KEY: one stage at a time (bash keeps one coprocess well);
# sets $stage to its base URL.
start_stage() {
  stop_stage
  coproc STAGE { exec "$stage_bin" --port 0 --tls-cert "$1" --tls-key "$2" 2>>"$work/stage.err"; }
  # shellcheck disable=SC2153 # STAGE_PID is set by coproc
  stage_pid=$STAGE_PID
  stage=
  read -r -t 30 stage <&"${STAGE[0]}"
  if [[ ! $stage =~ ^https://127\.0\.0\.1:[0-9]+$ ]]; then
    bad "stage with $(basename "$1") prints an https URL" "got '$stage'; stage stderr:" \
      "$(tail -n 5 "$work/stage.err")"
    echo "$passed passed, $failed failed"
    exit 1
  fi
  ok "stage with $(basename "$1") prints an https URL"
}

cat >"$work/tls.rehearsal" <<'EOF'
rehearsal "TLS"
cast
  stage
scene "Home"
  visit {{stage}}/
  expect status 200
  expect text "Today's menu"
EOF

# expect_run NAME WANT_STATUS [--mentions-certificate] [OPTION...]
expect_run() {
  local name=$1 want=$2 mentions=no
  shift 2
  if [ "${1:-}" = --mentions-certificate ]; then mentions=yes; shift; fi
  "$techweek" run --no-reports --color never --var "stage=$stage" "$@" "$work/tls.rehearsal" \
    >"$work/stdout" 2>"$work/stderr" </dev/null
  local got=$? problems=()
  [ "$got" = "$want" ] || problems+=("exit status $got, expected $want")
  if [ $mentions = yes ] && ! grep -qi certificate "$work/stdout"; then
    problems+=("stdout does not mention the certificate")
  fi
  if [ ${#problems[@]} -eq 0 ]; then
    ok "$name"
  else
    bad "$name" "${problems[@]}" "--- stdout" "$(head -n 30 "$work/stdout")" \
      "--- stderr" "$(head -n 10 "$work/stderr")"
  fi
}

# A certificate signed by a CA only this run knows.
start_stage "$certs/server.pem" "$certs/server.key"
expect_run "verifies by default: unknown CA is unreachable" 3 --mentions-certificate
expect_run "--cacert with the signing CA" 0 --cacert "$certs/ca.pem"
expect_run "--insecure skips verification" 0 --insecure

# A self-signed certificate: the CA does not vouch for it.
start_stage "$certs/self.pem" "$certs/self.key"
expect_run "--cacert does not trust a self-signed certificate" 3 --mentions-certificate \
  --cacert "$certs/ca.pem"
expect_run "-k accepts a self-signed certificate" 0 -k

stop_stage
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
