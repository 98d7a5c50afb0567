#!/usr/bin/env bash
# TLS end to end: techweek against the stage serving HTTPS with certificates
# made for this run (tests/stage/make_certs.sh), checking that verification is
# on by default, that --cacert and --insecure do what they say, and that a
# certificate nobody vouches for is "unreachable" (exit status 3) with the
# reason in the summary. Hostile servers too: an expired certificate, one
# for another host name, a self-signed one, plain HTTP on an https URL and
# a handshake that never comes each end as a named "unreachable", never a
# hang.
#
# usage: tls_cases.sh TECHWEEK STAGE
#
# Stages are started as coprocesses and found by the URL line they print, so
# nothing here sleeps. Prints "N passed, M failed"; exits non-zero on any
# failure.
set -uo pipefail
# Whole lines to grep: the summary as a terminal wide enough for any of
# them shows it (it fits 80 columns otherwise).
export COLUMNS=1000
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
# sets $stage to its base URL. Without CERT and KEY, a plain HTTP stage.
start_stage() {
  stop_stage
  local tls=() scheme=http what="plain HTTP stage"
  if [ $# -eq 2 ]; then
    tls=(--tls-cert "$1" --tls-key "$2") scheme=https what="stage with $(basename "$1")"
  fi
  coproc STAGE { exec "$stage_bin" --port 0 "${tls[@]}" 2>>"$work/stage.err"; }
  # shellcheck disable=SC2153 # STAGE_PID is set by coproc
  stage_pid=$STAGE_PID
  stage=
  read -r -t 30 stage <&"${STAGE[0]}"
  if [[ ! $stage =~ ^$scheme://127\.0\.0\.1:[0-9]+$ ]]; then
    bad "$what prints an $scheme URL" "got '$stage'; stage stderr:" \
      "$(tail -n 5 "$work/stage.err")"
    echo "$passed passed, $failed failed"
    exit 1
  fi
  ok "$what prints an $scheme URL"
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

# expect_named NAME TEXT [OPTION...]: the run ends (meson's timeout bounds
# it) unreachable, exit status 3, with TEXT naming the cause in the summary
# and a JUnit <error type="unreachable">.
expect_named() {
  local name=$1 text=$2
  shift 2
  rm -f "$work/junit.xml"
  "$techweek" run --color never --var "stage=$stage" --reports "$work/reports" \
    --junit "$work/junit.xml" "$@" "$work/tls.rehearsal" >"$work/stdout" 2>"$work/stderr" </dev/null
  local got=$? problems=()
  [ "$got" = 3 ] || problems+=("exit status $got, expected 3")
  grep -qF -- "$text" "$work/stdout" || problems+=("stdout lacks: $text")
  grep -qF -- "0 passed, 0 failed, 1 unreachable" "$work/stdout" || problems+=("no summary line")
  local type
  type=$(xmllint --xpath 'string(//error/@type)' "$work/junit.xml" 2>&1)
  [ "$type" = unreachable ] || problems+=("JUnit error type '$type', expected 'unreachable'")
  if [ ${#problems[@]} -eq 0 ]; then
    ok "$name"
  else
    bad "$name" "${problems[@]}" "--- stdout" "$(head -n 30 "$work/stdout")" \
      "--- stderr" "$(head -n 10 "$work/stderr")"
  fi
}

expect_named "self-signed is refused by default" "self-signed certificate"

start_stage "$certs/expired.pem" "$certs/expired.key"
expect_named "expired certificate" "certificate has expired" --cacert "$certs/ca.pem"

start_stage "$certs/wronghost.pem" "$certs/wronghost.key"
expect_named "certificate for another host name" "target host name '127.0.0.1'" \
  --cacert "$certs/ca.pem"

# An https URL on a port that speaks plain HTTP.
start_stage
stage=https://${stage#http://}
expect_named "plain HTTP on an https URL" "TLS handshake failed"

# A server that accepts the connection and never answers the ClientHello.
stop_stage
coproc HOLD { exec python3 "$here/hostile_server.py"; }
hold_pid=$HOLD_PID
read -r -t 30 _ hold <&"${HOLD[0]}"
stage=https://$hold
expect_named "a TLS handshake that never comes" "could not connect" --connect-timeout 1s
kill "$hold_pid" 2>/dev/null
wait "$hold_pid" 2>/dev/null

# ---- transport lines and subjects (issue 12, capability 11) ----

# run_rehearsal NAME WANT_STATUS FILE [OPTION...]: FILE against $stage.
run_rehearsal() {
  local name=$1 want=$2 file=$3
  shift 3
  "$techweek" run --no-reports --color never --var "stage=$stage" "$@" "$file" \
    >"$work/stdout" 2>"$work/stderr" </dev/null
  local got=$?
  if [ "$got" = "$want" ]; then
    ok "$name"
  else
    bad "$name" "exit status $got, expected $want" "--- stdout" "$(head -n 30 "$work/stdout")" \
      "--- stderr" "$(head -n 10 "$work/stderr")"
  fi
}

# The server's certificate, on the first connection and on a reused one
# (libcurl reports CERTINFO at the handshake only).
cat >"$work/certificate.rehearsal" <<'EOF'
rehearsal "Certificate"
scene "Certificate"
  get {{stage}}/ping
  expect certificate subject == "O = techweek tests, CN = 127.0.0.1"
  expect certificate issuer == "O = techweek tests, CN = techweek throwaway CA"
  expect certificate expires ~ /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/
  expect certificate serial ~ /^[0-9a-f]+$/
  expect version == "1.1"
  get {{stage}}/ping
  expect certificate subject contains "CN = 127.0.0.1"
  expect certificate serial ~ /^[0-9a-f]+$/
EOF
start_stage "$certs/server.pem" "$certs/server.key"
run_rehearsal "certificate subjects, also on a reused connection" 0 \
  "$work/certificate.rehearsal" --cacert "$certs/ca.pem"
# Connections are pooled across customers too: a later performance's
# first request may ride on an earlier one's connection.
run_rehearsal "certificate subjects in every performance of a dress rehearsal" 0 \
  "$work/certificate.rehearsal" --cacert "$certs/ca.pem" --performances 6 --customers 2 --jobs 2
serial=$(openssl x509 -in "$certs/server.pem" -noout -serial | sed 's/^serial=//' | tr A-F a-f)
cat >"$work/serial.rehearsal" <<EOF
rehearsal "Serial"
scene "Serial"
  get {{stage}}/ping
  expect certificate serial == "$serial"
EOF
run_rehearsal "certificate serial is openssl's, in lowercase hex" 0 "$work/serial.rehearsal" \
  --cacert "$certs/ca.pem"

# insecure on one request: that request only.
cat >"$work/insecure.rehearsal" <<'EOF'
rehearsal "Insecure"
scene "Insecure"
  get {{stage}}/ping
    insecure
  expect status 200
  expect certificate issuer contains "CN = 127.0.0.1"
EOF
start_stage "$certs/self.pem" "$certs/self.key"
run_rehearsal "insecure accepts a self-signed certificate for its request" 0 \
  "$work/insecure.rehearsal"
printf '  get {{stage}}/ping\n  expect status 200\n' >>"$work/insecure.rehearsal"
run_rehearsal "insecure does not carry to the next request" 3 "$work/insecure.rehearsal"

# A client certificate, to a server that requires one signed by the CA.
cat >"$work/client.rehearsal" <<EOF
rehearsal "Client certificate"
scene "Who am I"
  get {{stage}}/
    cert "$certs/client.pem" key "$certs/client.key"
  expect json \$.client == "techweek client"
EOF
stop_stage
coproc CLIENT { exec python3 "$here/client_cert_server.py" "$certs/server.pem" \
  "$certs/server.key" "$certs/ca.pem" 2>>"$work/stage.err"; }
client_pid=$CLIENT_PID
read -r -t 30 stage <&"${CLIENT[0]}"
run_rehearsal "cert and key: the server reads the client certificate" 0 "$work/client.rehearsal" \
  --cacert "$certs/ca.pem"
sed -i '/cert "/d' "$work/client.rehearsal"
run_rehearsal "without cert the server refuses the request" 1 "$work/client.rehearsal" \
  --cacert "$certs/ca.pem"
kill "$client_pid" 2>/dev/null
wait "$client_pid" 2>/dev/null

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
