#!/usr/bin/env bash
# The request chain (issue 11) is the wire's: every hop a step shows (JSON
# shown.scenes[].steps[].hops, which every step log prints) is, in order,
# a request the stage logged, with the same method, path and status. The
# stage's --verbose log ("techweek-stage: METHOD PATH STATUS") is the
# server's own account. The redirects cover libcurl's rules for the
# method (checked on the libcurl this is built with, never re-implemented):
# 303 turns a POST into a GET but keeps a custom method (PUT), 301 and 302
# turn a POST into a GET, 307 and 308 keep it; HEAD stays HEAD; a chain of
# three; a visit without a redirect is one hop.
#
# usage: chain_truth.sh TECHWEEK STAGE
set -uo pipefail
techweek=$1 stage_bin=$2
work=$(mktemp -d)
stage_pid=
cleanup() {
  [ -n "$stage_pid" ] && kill "$stage_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

exec {stage_fd}< <(exec "$stage_bin" --port 0 --verbose 2>"$work/stage.log")
stage_pid=$!
read -r -u "$stage_fd" stage || { echo "FAIL: the stage did not start"; exit 1; }

cat >"$work/chain.rehearsal" <<'R'
rehearsal "Chains"
scene "Every kind of redirect" on web
  visit {{stage}}/hours
  put {{stage}}/fault/redirect?status=303&to=/echo
    body hello
  post {{stage}}/fault/redirect?status=303&to=/echo
    body hello
  delete {{stage}}/fault/redirect?status=302&to=/echo
  post {{stage}}/fault/redirect?status=301&to=/echo
    body x
  post {{stage}}/fault/redirect?status=302&to=/echo
    body x
  post {{stage}}/fault/redirect?status=307&to=/echo
    body x
  post {{stage}}/fault/redirect?status=308&to=/echo
    body x
  head {{stage}}/fault/redirect?status=303&to=/echo
  post {{stage}}/fault/redirect?status=307&to=%2Ffault%2Fredirect%3Fto%3D%2Fecho
    body x
R

"$techweek" run --var "stage=$stage" --reports "$work/reports" "$work/chain.rehearsal" \
  >"$work/stdout" 2>&1
rc=$?
[ "$rc" = 0 ] || { cat "$work/stdout"; echo "FAIL: techweek exited $rc"; exit 1; }
# Stopped, so every line the stage logs is in the file.
kill "$stage_pid"; wait "$stage_pid" 2>/dev/null; stage_pid=

sed -n 's/^techweek-stage: \([A-Z]*\) \(\/[^ ]*\) \([0-9]*\)$/\1 \2 \3/p' "$work/stage.log" >"$work/wire"
jq -r --arg stage "$stage" '.rehearsals[0].shown.scenes[0].steps[].hops[] |
  "\(.method) \(.url | ltrimstr($stage) | sub("\\?.*"; "")) \(.status)"' \
  "$work/reports/result.json" >"$work/shown"
if ! diff -u "$work/wire" "$work/shown"; then
  echo "FAIL: the hops shown (+) are not the requests the stage served (-)"
  exit 1
fi
# The methods libcurl's rules gave, as the wire carried them.
want='GET 200
PUT 303 > PUT 200
POST 303 > GET 200
DELETE 302 > DELETE 200
POST 301 > GET 200
POST 302 > GET 200
POST 307 > POST 200
POST 308 > POST 200
HEAD 303 > HEAD 200
POST 307 > POST 302 > GET 200'
have=$(jq -r '.rehearsals[0].shown.scenes[0].steps[].hops | map("\(.method) \(.status)") | join(" > ")' \
  "$work/reports/result.json")
if [ "$have" != "$want" ]; then
  printf 'FAIL: the chains are\n%s\nexpected\n%s\n' "$have" "$want"
  exit 1
fi
echo "ok: $(wc -l <"$work/wire") requests on the wire, each shown as its hop"
