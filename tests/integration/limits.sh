#!/usr/bin/env bash
# Responses past a limit fail their step with the limit named. Headers:
# not "Out of memory" but a 10 MiB header line (libcurl refuses any line
# over 100 KiB) and 10 MB of small headers (techweek keeps at most 256
# KiB); 200 KiB of headers still pass. Every report is still written.
# (Pages nested too deep: tests/cases/hostile-deep-*.)
# libmicrohttpd cannot send such headers (they must fit its
# per-connection memory), so this test starts a small raw HTTP server of its
# own (python3, no packages), on 127.0.0.1 only.
#
# usage: limits.sh TECHWEEK
set -uo pipefail
# Whole lines to grep: the summary as a terminal wide enough for any of
# them shows it (it fits 80 columns otherwise).
export COLUMNS=1000
techweek=$1
command -v python3 >/dev/null || { echo "SKIP limits: no python3"; exit 77; }
work=$(mktemp -d)
coproc SERVER { exec python3 -c '
import socket, threading
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
print(s.getsockname()[1], flush=True)
text = (b"Content-Type: text/plain\r\n", b"ok\n")
answers = {
    b"/huge-header": (text[0] + b"X-Huge: " + b"a" * (10 << 20) + b"\r\n", text[1]),
    b"/many-headers": (text[0] + b"".join(b"X-N%d: v\r\n" % i for i in range(1000000)), text[1]),
    b"/big-headers": (text[0] + b"".join(b"X-B%d: %s\r\n" % (i, b"b" * 90) for i in range(2000)),
                      text[1]),
}
def serve(c):
    try:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = c.recv(65536)
            if not chunk:
                return
            request += chunk
        path = request.split(b" ")[1]
        headers, body = answers.get(path, text)
        c.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n" + headers
                  + b"Content-Length: %d\r\n\r\n" % len(body) + body)
    except OSError:
        pass # the client gave up on the headers: expected
    finally:
        c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
'; }
server_pid=$SERVER_PID
trap 'kill $server_pid 2>/dev/null; rm -rf "$work"' EXIT
read -r port <&"${SERVER[0]}" || { echo "the server did not start"; exit 1; }
base=http://127.0.0.1:$port

cat >"$work/headers.rehearsal" <<REHEARSAL
rehearsal "One huge header"
scene "Huge" on web
  get $base/huge-header
  expect status 200
REHEARSAL
cat >"$work/many.rehearsal" <<REHEARSAL
rehearsal "Many headers"
scene "Many" on web
  get $base/many-headers
  expect status 200
REHEARSAL
cat >"$work/big.rehearsal" <<REHEARSAL
rehearsal "Big but fine"
scene "Big" on web
  get $base/big-headers
  expect status 200
  expect header X-B1999 exists
REHEARSAL

"$techweek" run --color never --junit "$work/junit.xml" --json "$work/result.json" \
  --html "$work/readiness.html" "$work/headers.rehearsal" "$work/many.rehearsal" \
  "$work/big.rehearsal" >"$work/out" 2>&1 </dev/null
rc=$?
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
[ $rc = 1 ] || fail "exit $rc, expected 1"
grep -qF "a response header is larger than libcurl's limit of 100 KiB per header line" "$work/out" ||
  fail "the huge header is not named"
grep -qF "the response headers are larger than the 256 KiB limit" "$work/out" ||
  fail "the many headers are not named"
grep -qi "out of memory" "$work/out" && fail "still says out of memory"
for f in junit.xml result.json readiness.html; do [ -s "$work/$f" ] || fail "no $f"; done
passed=$(jq -r '[.rehearsals[] | select(.name == "Big but fine") | .scenes[].passed] | all' \
  "$work/result.json" 2>&1)
[ "$passed" = true ] || fail "200 KiB of headers did not pass: $passed"
if [ $failures != 0 ]; then sed 's/^/    /' "$work/out" | head -40; exit 1; fi
echo "limits: header limits named, every report written"
