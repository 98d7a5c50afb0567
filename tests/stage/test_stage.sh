#!/usr/bin/env bash
# test_stage.sh - smoke test for techweek-stage, the demo shop rehearsals run
# against. Starts the stage on a free port, drives every route family with the
# curl CLI over real loopback HTTP, and stops it with SIGTERM.
#
#   tests/stage/test_stage.sh path/to/techweek-stage
#
# The stage prints its URL on stdout once it listens; that line is read
# through a fifo, so nothing here waits by sleeping. Exits non-zero if any
# check fails, after printing "N passed, M failed".

set -u -o pipefail

stage=${1:?usage: test_stage.sh path/to/techweek-stage}
work=$(mktemp -d "${TMPDIR:-/tmp}/test_stage.XXXXXX")
stage_pid=
passed=0
failed=0

cleanup() {
    if [[ -n $stage_pid ]] && kill -0 "$stage_pid" 2>/dev/null; then
        kill -TERM "$stage_pid" 2>/dev/null
        wait "$stage_pid" 2>/dev/null
    fi
    rm -rf "$work"
}
trap cleanup EXIT

ok() { passed=$((passed + 1)); }
bad() {
    failed=$((failed + 1))
    printf 'FAIL: %s\n' "$*" >&2
}

# expect_eq WHAT WANT GOT
expect_eq() {
    if [[ $3 == "$2" ]]; then ok; else bad "$1: want '$2', got '$3'"; fi
}
# expect_has WHAT TEXT NEEDLE
expect_has() {
    if [[ $2 == *"$3"* ]]; then ok; else bad "$1: '$3' not in: ${2:0:400}"; fi
}
# expect_lacks WHAT TEXT NEEDLE
expect_lacks() {
    if [[ $2 != *"$3"* ]]; then ok; else bad "$1: '$3' should not be in: ${2:0:400}"; fi
}
# expect_match WHAT TEXT REGEX
expect_match() {
    if [[ $2 =~ $3 ]]; then ok; else bad "$1: '$2' does not match /$3/"; fi
}

# http CURL-ARGS... : one request; sets $status (or "curl exit N") and $body,
# and leaves the response headers in $work/headers for header().
http() {
    local rc
    status=$(curl -sS --max-time 30 -o "$work/body" -D "$work/headers" -w '%{http_code}' "$@" \
        2>"$work/curl.err")
    rc=$?
    [[ $rc -eq 0 ]] || status="curl exit $rc"
    body=$(cat "$work/body" 2>/dev/null)
}
# header NAME : the value of that response header from the last http call.
header() {
    grep -i "^$1:" "$work/headers" | head -n 1 | cut -d: -f2- | tr -d '\r' | sed 's/^ *//'
}

# --- start the stage --------------------------------------------------------

mkfifo "$work/stdout"
"$stage" --port 0 --verbose >"$work/stdout" 2>"$work/stage.err" &
stage_pid=$!
# fd 3 stays open so the stage can never hit a closed stdout.
exec 3<"$work/stdout"
url=
read -r -t 10 url <&3
if [[ ! $url =~ ^http://127\.0\.0\.1:[0-9]+$ ]]; then
    echo "the stage did not print its URL (got '$url'); its stderr:" >&2
    cat "$work/stage.err" >&2
    exit 1
fi
ok
jar=$work/jar    # one customer's cookies
other=$work/other # a second customer

# --- the shop pages ---------------------------------------------------------

http -c "$jar" "$url/"
expect_eq "GET / status" 200 "$status"
expect_eq "GET / content type" "text/html; charset=utf-8" "$(header Content-Type)"
expect_eq "GET / cache control" "no-store" "$(header Cache-Control)"
expect_match "GET / session cookie" "$(header Set-Cookie)" \
    '^stage_session=[0-9a-f]{32}; Path=/; HttpOnly; SameSite=Lax$'
expect_has "GET / doctype" "$body" "<!DOCTYPE html>"
expect_has "GET / title" "$body" "<title>Stage Pizza</title>"
expect_has "GET / heading" "$body" "<h1>Today&#39;s menu</h1>"
expect_has "GET / relative link" "$body" '<a href="pizza/margherita">Margherita</a>'
expect_has "GET / relative link" "$body" '<a href="pizza/quattro-formaggi">Quattro Formaggi</a>'
expect_has "GET / hours link" "$body" '<a href="/hours">Opening hours</a>'

http -b "$jar" -c "$jar" "$url/"
expect_eq "GET / with a known session sets no cookie" "" "$(header Set-Cookie)"
http -b "stage_session=0123456789abcdef0123456789abcdef" "$url/"
expect_match "GET / with an unknown session gets a new one" "$(header Set-Cookie)" '^stage_session='

http -b "$jar" -c "$jar" "$url/pizza/margherita"
expect_eq "pizza page status" 200 "$status"
expect_has "pizza page title" "$body" "<title>Margherita — Stage Pizza</title>"
expect_has "pizza page price" "$body" "Price: €8.50"
expect_has "pizza page form" "$body" '<form method="post" action="/order">'
expect_has "pizza page name label" "$body" '<label for="customer-name">Your name</label>'
expect_has "pizza page disabled promo" "$body" 'name="promo" disabled value="X"'
expect_has "pizza page buttons" "$body" '<button type="submit" name="action" value="order">Place order</button>'
csrf=$(sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p' <<<"$body")
expect_match "pizza page CSRF token" "$csrf" '^[0-9a-f]{32}$'

http -b "$jar" "$url/pizza/marinara"
expect_has "marinara posts to a relative action" "$body" '<form method="post" action="../order">'
http "$url/pizza/calzone"
expect_eq "unknown pizza" 404 "$status"
expect_has "unknown pizza page" "$body" "Not found"
http "$url/pizza/quattro-formaggi"
expect_eq "pizza page without a session" 200 "$status"
expect_match "pizza page without a session sets one" "$(header Set-Cookie)" '^stage_session='

# --- ordering: cookie + CSRF ------------------------------------------------

form=(--data-urlencode pizza=margherita --data-urlencode "name=Ada <b>Lovelace</b>"
    --data-urlencode phone=+15550100 -d size=m -d extra_cheese=yes -d crust=thin
    --data-urlencode notes=)
http "${form[@]}" --data-urlencode "csrf_token=$csrf" -d action=order "$url/order"
expect_eq "order without a session" 403 "$status"
expect_has "order without a session" "$body" "Your session has expired"
http -b "$jar" "${form[@]}" -d csrf_token=ffffffffffffffffffffffffffffffff -d action=order "$url/order"
expect_eq "order with a wrong CSRF token" 403 "$status"
expect_has "order with a wrong CSRF token" "$body" "Invalid CSRF token"
http -b "$jar" "${form[@]}" -d "csrf_token=$csrf" -d action=order -d promo=X "$url/order"
expect_eq "order with the disabled promo field" 400 "$status"
expect_has "order with the disabled promo field" "$body" "promo is not accepted"
http -b "$jar" -d pizza=margherita -d name= -d "csrf_token=$csrf" -d action=order "$url/order"
expect_eq "order without a name" 422 "$status"
expect_has "order without a name" "$body" "Please tell us your name"
http -b "$jar" "${form[@]}" -d "csrf_token=$csrf" --data-urlencode "action=Save for later" "$url/order"
expect_eq "save for later" 200 "$status"
expect_has "save for later" "$body" "Saved for later"

http -b "$jar" "${form[@]}" -d "csrf_token=$csrf" -d action=order "$url/order"
expect_eq "order placed" 303 "$status"
location=$(header Location)
expect_match "order redirect" "$location" '^/orders/[0-9]+$'
order=${location#/orders/}

http -b "$jar" "$url$location"
expect_eq "confirmation status" 200 "$status"
expect_has "confirmation title" "$body" "<title>Order confirmed — Stage Pizza</title>"
expect_has "confirmation text" "$body" "Order #$order confirmed"
expect_has "confirmation escapes the name" "$body" "Thank you, Ada &lt;b&gt;Lovelace&lt;/b&gt;!"
expect_lacks "confirmation escapes the name" "$body" "<b>Lovelace"
expect_has "confirmation details" "$body" "Margherita, Medium, Thin crust, with extra cheese"
expect_has "confirmation tracking link" "$body" "<a href=\"/api/orders/$order\">Track my order</a>"
http -c "$other" "$url/"
http -b "$other" "$url$location"
expect_eq "another customer's order" 404 "$status"
http "$url$location"
expect_eq "an order without a session" 404 "$status"

http -b "$jar" -F pizza=quattro-formaggi -F name=Grace -F size=l -F crust=thick \
    -F "csrf_token=$csrf" -F action=order "$url/order"
expect_eq "multipart order placed" 303 "$status"
http -b "$jar" "$url$(header Location)"
expect_has "multipart order details" "$body" "Quattro Formaggi, Large, Thick crust."

# --- the JSON API -----------------------------------------------------------

http "$url/api/orders/$order"
expect_eq "API order status" 200 "$status"
expect_eq "API order content type" "application/json" "$(header Content-Type)"
expect_eq "API order" \
    "{\"id\":$order,\"pizza\":\"margherita\",\"size\":\"m\",\"name\":\"Ada <b>Lovelace</b>\",\"phone\":\"+15550100\",\"extra_cheese\":true,\"crust\":\"thin\",\"notes\":\"\",\"status\":\"baking\",\"items\":[{\"name\":\"Margherita\",\"price\":8.5}],\"total\":8.5}" \
    "$body"
http "$url/api/orders/999999"
expect_eq "API unknown order" 404 "$status"
expect_eq "API unknown order" '{"error":"no such order"}' "$body"

http -H 'Content-Type: application/json' -d '{"pizza":"marinara","name":"Ada","size":"l"}' \
    "$url/api/orders"
expect_eq "API create" 201 "$status"
api_location=$(header Location)
expect_match "API create location" "$api_location" '^/api/orders/[0-9]+$'
expect_has "API create body" "$body" '"pizza":"marinara","size":"l","name":"Ada"'
http "$url$api_location"
expect_eq "API created order readable" 200 "$status"
http -H 'Content-Type: application/json' -d '{"pizza":' "$url/api/orders"
expect_eq "API invalid JSON" 400 "$status"
expect_has "API invalid JSON" "$body" '{"error":"invalid JSON: '
http -H 'Content-Type: application/json' -d '{"pizza":"marinara"}' "$url/api/orders"
expect_eq "API missing field" 422 "$status"
expect_eq "API missing field" '{"error":"missing field: name"}' "$body"
http -H 'Content-Type: text/plain' -d '{"pizza":"marinara","name":"Ada"}' "$url/api/orders"
expect_eq "API wrong content type" 415 "$status"

# Accounts to register (users.c, issue 13): once each, counted by prefix.
http -H 'Content-Type: application/json' -d '{"username":"st-ada","email":"ada@example.test"}' \
    "$url/api/users"
expect_eq "register" 201 "$status"
expect_match "register" "$body" '^\{"id":[0-9]+,"username":"st-ada","email":"ada@example.test"\}$'
http -H 'Content-Type: application/json' -d '{"username":"st-ada","email":"ada@example.test"}' \
    "$url/api/users"
expect_eq "register twice" 409 "$status"
expect_eq "register twice" '{"error":"username taken"}' "$body"
http -H 'Content-Type: application/json' -d '{"username":"st-bob","email":"nobody"}' "$url/api/users"
expect_eq "register without an address" 400 "$status"
http -H 'Content-Type: text/plain' -d '{"username":"st-bob","email":"b@x"}' "$url/api/users"
expect_eq "register, wrong content type" 415 "$status"
http "$url/api/users/count?prefix=st-"
expect_eq "users counted" '{"count":1,"duplicates":1}' "$body"
http "$url/api/users/count?prefix=st-b"
expect_eq "users counted by prefix" '{"count":0,"duplicates":0}' "$body"

# --- hours, login, unknown paths and methods ---------------------------------

http "$url/hours"
expect_eq "hours" 200 "$status"
expect_has "hours text" "$body" "We are open every day"
expect_has "hours table" "$body" "<td>Sunday</td>"

login=$work/login
http "$url/login"
expect_eq "login page" 200 "$status"
http -d username=ada -d password=wrong "$url/login"
expect_eq "wrong password" 401 "$status"
expect_has "wrong password" "$body" "Wrong username or password"
http -c "$login" -d username=ada -d password=lovelace "$url/login"
expect_eq "login" 302 "$status"
expect_eq "login redirect" /account "$(header Location)"
expect_match "login cookie" "$(header Set-Cookie)" '^stage_user=ada;'
http -b "$login" "$url/account"
expect_eq "account" 200 "$status"
expect_has "account" "$body" "Welcome back, ada"
http "$url/account"
expect_eq "account without login" 302 "$status"
expect_eq "account without login" /login "$(header Location)"
http -b "$login" -L "$url/account"
expect_eq "account following redirects" 200 "$status"

http "$url/no/such/page"
expect_eq "unknown path" 404 "$status"
expect_has "unknown path" "$body" "Not found"
http -X DELETE "$url/hours"
expect_eq "wrong method" 405 "$status"
expect_eq "wrong method Allow" "GET, HEAD" "$(header Allow)"
http "$url/order"
expect_eq "GET /order" 405 "$status"
expect_eq "GET /order Allow" "POST" "$(header Allow)"

head -c $((2 * 1024 * 1024)) /dev/zero >"$work/big"
http --data-binary "@$work/big" "$url/echo"
expect_eq "2 MiB body" 413 "$status"

# --- /echo ---------------------------------------------------------------------

http -H 'X-Test: yes' -b 'flavour=basil' "$url/echo?a=1&b=two%20words"
expect_eq "echo GET" 200 "$status"
expect_has "echo method" "$body" '"method":"GET"'
expect_has "echo path" "$body" '"path":"/echo"'
expect_has "echo query" "$body" '"query":{"a":"1","b":"two words"}'
expect_has "echo header" "$body" '"x-test":"yes"'
expect_has "echo cookies" "$body" '"cookies":{"flavour":"basil"}'
http -d x=1 -d y=%C3%A9 "$url/echo"
expect_has "echo urlencoded form" "$body" '"form":{"x":"1","y":"é"}'
expect_has "echo raw body" "$body" '"body":"x=1&y=%C3%A9"'
printf 'hello file\n' >"$work/upload.txt"
http -F "doc=@$work/upload.txt;type=text/plain" -F note=hi "$url/echo"
expect_has "echo multipart file" "$body" \
    '"doc":{"filename":"upload.txt","content_type":"text/plain","size":11,"content":"hello file\n"}'
expect_has "echo multipart field" "$body" '"note":"hi"'
http -H 'Content-Type: application/json' -d '{"k":[1,2]}' "$url/echo"
expect_has "echo JSON" "$body" '"json":{"k":[1,2]}'
for method in PUT PATCH DELETE OPTIONS; do
    http -X "$method" "$url/echo"
    expect_eq "echo $method" 200 "$status"
    expect_has "echo $method" "$body" "\"method\":\"$method\""
done
expect_eq "echo HEAD: headers only" "200 0" \
    "$(curl -s -I -o /dev/null -w '%{http_code} %{size_download}' "$url/echo")"

# --- /whoami and /ping -----------------------------------------------------------

who=$work/who # a customer who only ever asks /whoami
http -c "$who" -b "$who" "$url/whoami"
expect_eq "whoami status" 200 "$status"
expect_eq "whoami content type" "application/json" "$(header Content-Type)"
expect_eq "whoami cache control" "no-store" "$(header Cache-Control)"
expect_match "whoami body" "$body" '^\{"token":"[0-9]+-[0-9a-f]{32}"\}$'
token=$(sed -n 's/^{"token":"\(.*\)"}$/\1/p' <<<"$body")
expect_eq "whoami cookie" "whoami=$token; Path=/" "$(header Set-Cookie)"
http -c "$who" -b "$who" "$url/whoami"
expect_eq "whoami with the cookie: the same token" "{\"token\":\"$token\"}" "$body"
expect_eq "whoami with the cookie sets none" "" "$(header Set-Cookie)"
http -b 'whoami=someone-else' "$url/whoami"
expect_eq "whoami tells back any cookie" '{"token":"someone-else"}' "$body"
http "$url/whoami"
expect_match "whoami without a cookie: a new token" "$(header Set-Cookie)" '^whoami=[0-9]+-[0-9a-f]{32}; Path=/$'
expect_lacks "whoami without a cookie: not the first customer's" "$body" "$token"
# Twenty customers at once: twenty different tokens.
pids=()
for i in $(seq 1 20); do
    curl -s --max-time 30 -w '\n' "$url/whoami" >"$work/whoami.$i" &
    pids+=($!)
done
wait "${pids[@]}"
expect_eq "whoami: 20 concurrent customers, 20 tokens" 20 \
    "$(cat "$work"/whoami.* | sort -u | grep -c '^{"token":"[0-9]*-[0-9a-f]*"}$')"
http -X POST "$url/whoami"
expect_eq "whoami POST" 405 "$status"

http "$url/ping"
expect_eq "ping status" 200 "$status"
expect_eq "ping body" "pong" "$body"
expect_eq "ping exact bytes" 5 "$(wc -c <"$work/body")"
expect_eq "ping content type" "text/plain; charset=utf-8" "$(header Content-Type)"
expect_eq "ping cache control" "no-store" "$(header Cache-Control)"
expect_eq "ping sets no cookie" "" "$(header Set-Cookie)"
expect_eq "ping HEAD: headers only" "200 0" \
    "$(curl -s -I -o /dev/null -w '%{http_code} %{size_download}' "$url/ping")"
http -d x=1 "$url/ping"
expect_eq "ping POST" 405 "$status"
expect_eq "ping POST allow" "GET, HEAD" "$(header Allow)"

# --- faults --------------------------------------------------------------------

http "$url/fault/slow?ms=200"
expect_eq "slow" 200 "$status"
expect_has "slow" "$body" "slow but here"
slow_time=$(curl -s -o /dev/null -w '%{time_total}' "$url/fault/slow?ms=300")
expect_match "slow takes its time" "$slow_time" '^0\.[3-9]|^[1-9]'
# A slow answer must not hold up anyone else (thread per connection).
curl -s -o /dev/null --max-time 30 "$url/fault/slow?ms=3000" &
slow_pid=$!
fast_time=$(curl -s -o /dev/null -w '%{time_total}' "$url/hours")
expect_match "others are served during a slow answer" "$fast_time" '^0\.'
kill "$slow_pid" 2>/dev/null
wait "$slow_pid" 2>/dev/null

http "$url/fault/status/500"
expect_eq "status 500" 500 "$status"
expect_has "status 500" "$body" "Internal Server Error: the kitchen is on fire"
http "$url/fault/status/503"
expect_eq "status 503" 503 "$status"
expect_eq "status 503 Retry-After" 1 "$(header Retry-After)"
http -X POST "$url/fault/status/418"
expect_eq "status 418 by POST" 418 "$status"
http "$url/fault/status/99"
expect_eq "status out of range" 400 "$status"

http "$url/fault/form?code=503&every=2"
expect_has "fault form" "$body" '<form method="post">'
http -d name=Ada "$url/fault/form?code=503&every=2"
first=$status
http -d name=Ada "$url/fault/form?code=503&every=2"
expect_eq "every other fault form post fails" "200 503" "$(printf '%s\n' "$first" "$status" | sort | tr '\n' ' ' | sed 's/ $//')"
http "$url/fault/form?code=302"
expect_eq "fault form code out of range" 400 "$status"

http "$url/fault/reset"
expect_match "reset is a transport error" "$status" '^curl exit (18|52|56)$'

http "$url/fault/malformed-xml"
expect_eq "malformed XML type" "text/xml" "$(header Content-Type)"
expect_eq "malformed XML" "<Response><Say>unclosed</Response>" "$body"
http "$url/fault/malformed-json"
expect_eq "malformed JSON type" "application/json" "$(header Content-Type)"
expect_eq "malformed JSON" '{"status": "baking",' "$body"
http "$url/fault/html-not-json"
expect_eq "HTML not JSON" 200 "$status"
expect_eq "HTML not JSON type" "text/html; charset=utf-8" "$(header Content-Type)"
expect_has "HTML not JSON" "$body" "<!DOCTYPE html>"

expect_eq "huge default size" 10485760 "$(curl -s "$url/fault/huge" | wc -c | tr -d ' ')"
expect_eq "huge 2 MiB" 2097152 "$(curl -s "$url/fault/huge?mb=2" | wc -c | tr -d ' ')"
http "$url/fault/huge?mb=1&type=html"
expect_eq "huge HTML type" "text/html; charset=utf-8" "$(header Content-Type)"
expect_eq "huge HTML 1 MiB" 1048576 "$(wc -c <"$work/body" | tr -d ' ')"
expect_has "huge HTML paragraphs" "$body" "<p>Stage Pizza huge page"
http "$url/fault/huge?type=pdf"
expect_eq "huge unknown type" 400 "$status"

http "$url/fault/redirect-loop"
expect_eq "redirect loop" 302 "$status"
expect_eq "redirect loop" /fault/redirect-loop-b "$(header Location)"
http "$url/fault/redirect-loop-b"
expect_eq "redirect loop back" /fault/redirect-loop "$(header Location)"
http -L --max-redirs 10 "$url/fault/redirect-loop"
expect_eq "redirect loop never ends" "curl exit 47" "$status"
http "$url/fault/redirect?to=/hours"
expect_eq "single redirect" 302 "$status"
expect_eq "single redirect" /hours "$(header Location)"
http "$url/fault/redirect?to=/hours&status=307"
expect_eq "redirect with its status" 307 "$status"
expect_eq "redirect with its status" /hours "$(header Location)"
http "$url/fault/redirect?to=/hours&status=200"
expect_eq "redirect status not a redirect" 400 "$status"
chain=$(curl -s -L -o "$work/body" -w '%{http_code} %{num_redirects}' "$url/fault/redirect-chain?n=3")
expect_eq "redirect chain" "200 3" "$chain"
expect_eq "redirect chain" "arrived" "$(cat "$work/body")"

http "$url/fault/gzip"
expect_eq "gzip not asked for" "compressed hello" "$body"
expect_eq "gzip not asked for" "" "$(header Content-Encoding)"
http --compressed "$url/fault/gzip"
expect_eq "gzip" gzip "$(header Content-Encoding)"
expect_eq "gzip decoded" "compressed hello" "$body"

# Hostile bodies. The bomb is checked decoded by gzip/python, not by curl.
expect_eq "endless body keeps coming" 3000000 \
    "$(curl -s --max-time 30 -D "$work/headers" "$url/fault/endless" | head -c 3000000 | wc -c |
        tr -d ' ')"
expect_eq "endless body is chunked" chunked "$(header Transfer-Encoding)"
trickled=$(curl -s --max-time 1 "$url/fault/trickle?ms=50")
expect_match "trickle: a byte at a time, until the client gives up" "$trickled" '^\.+$'
http -I "$url/fault/bomb?mb=1"
expect_eq "bomb encoding" gzip "$(header Content-Encoding)"
expect_eq "gzip bomb: 1 MiB" 1048576 "$(curl -s "$url/fault/bomb?mb=1" | gzip -dc | wc -c | tr -d ' ')"
expect_eq "gzip bomb: of zeros" 0 \
    "$(curl -s "$url/fault/bomb?mb=1" | gzip -dc | tr -d '\0' | wc -c | tr -d ' ')"
curl -s "$url/fault/bomb?mb=3" | gzip -t 2>"$work/gzip.err"
expect_eq "gzip bomb: CRC and length check out" "0 " "$? $(cat "$work/gzip.err")"
bomb_wire=$(curl -s "$url/fault/bomb" | wc -c | tr -d ' ')
expect_match "gzip bomb: 1 GiB in under 7 MB" "$bomb_wire" '^[1-6][0-9]{6}$'
expect_eq "deflate bomb: 2 MiB of zeros" "2097152 2097152" \
    "$(curl -s "$url/fault/bomb?mb=2&encoding=deflate" | python3 -c \
        'import sys, zlib; d = zlib.decompress(sys.stdin.buffer.read()); print(len(d), d.count(0))')"
http "$url/fault/bomb?encoding=br"
expect_eq "bomb: unknown encoding" 400 "$status"
http "$url/fault/deep/json?depth=3"
expect_eq "deep JSON" "[[[1]]]" "$body"
expect_eq "deep JSON type" "application/json" "$(header Content-Type)"
expect_eq "deep JSON default depth" 200001 "$(curl -s "$url/fault/deep/json" | wc -c | tr -d ' ')"
http "$url/fault/deep/xml?depth=2"
expect_eq "deep XML" '<?xml version="1.0"?>
<d><d>deep</d></d>' "$body"
http "$url/fault/deep/html?depth=2"
expect_has "deep HTML" "$body" "<body><div><div>deep</div></div></body>"
http "$url/fault/deep/yaml"
expect_eq "deep: unknown kind" 404 "$status"

# Keep-alive: the second request reuses the first connection.
connects=$(curl -s -o /dev/null -o /dev/null -w '%{num_connects} ' "$url/hours" "$url/hours")
expect_eq "keep-alive" "1 0 " "$connects"

# --- the phone line: TwiML ------------------------------------------------------

# sign URL [NAME VALUE]... : X-Twilio-Signature for the stage's default token:
# Base64(HMAC-SHA1(token, URL + each POST parameter sorted by name, name then
# value)). The caller passes the parameters already sorted.
sign_with() {
    local token=$1 data=$2
    shift 2
    while (($# >= 2)); do
        data+=$1$2
        shift 2
    done
    printf '%s' "$data" | openssl dgst -sha1 -hmac "$token" -binary | base64
}
sign() { sign_with stage-auth-token "$@"; }
# The recipe above, against twilio-node's published test vector.
expect_eq "signature recipe test vector" "RSOYDt4T1cUTdK1PDd93/VVr8B8=" \
    "$(sign_with 12345 'https://mycompany.com/myapp.php?foo=1&bar=2' CallSid CA1234567890ABCDE \
        Caller +14158675309 Digits 1234 From +14158675309 To +18005551212)"

# Every TwiML and VoiceXML document must be well-formed XML.
well_formed() {
    if ! command -v xmllint >/dev/null; then ok; return; fi
    if printf '%s' "$2" | xmllint --noout - 2>"$work/xmllint.err"; then ok; else
        bad "$1: not well-formed XML: $(cat "$work/xmllint.err")"
    fi
}
call=(-d CallSid=CA0123456789abcdef0123456789abcdef --data-urlencode From=+15550100 \
    --data-urlencode To=+15550199)

http "${call[@]}" "$url/voice"
expect_eq "voice welcome" 200 "$status"
expect_eq "voice content type" "text/xml; charset=utf-8" "$(header Content-Type)"
expect_eq "voice cache control" "no-store" "$(header Cache-Control)"
well_formed "voice welcome" "$body"
expect_has "voice welcome gather" "$body" \
    '<Gather input="dtmf speech" action="/voice/menu" numDigits="1" timeout="5" hints="order status, opening hours, agent">'
expect_has "voice welcome" "$body" "<Say>Welcome to Stage Pizza.</Say>"
expect_has "voice welcome menu" "$body" \
    "<Say>For the status of an order, press 1 or say order status. For our opening hours, press 2. To speak to someone, press 0.</Say>"
expect_has "voice welcome fallback" "$body" \
    "</Gather>
<Say>Sorry, I didn't get that.</Say>
<Redirect>/voice?tries=1</Redirect>
</Response>"
http "$url/voice"
expect_eq "voice welcome by GET" 200 "$status"
http "${call[@]}" "$url/voice?tries=2"
expect_has "voice second re-prompt" "$body" "<Redirect>/voice?tries=3</Redirect>"
http "${call[@]}" "$url/voice?tries=3"
expect_has "voice gives up" "$body" "<Say>We did not hear from you. Goodbye.</Say>
<Hangup/>"
expect_lacks "voice gives up" "$body" "<Gather"
expect_eq "voice HEAD" "200" "$(curl -s -I -o /dev/null -w '%{http_code}' "$url/voice")"
http -X PUT "$url/voice"
expect_eq "voice wrong method" 405 "$status"
expect_eq "voice wrong method Allow" "GET, HEAD, POST" "$(header Allow)"

ask_order='<Gather input="dtmf" action="/voice/order" finishOnKey="#" timeout="5">
<Say>Please enter your order number, then press hash.</Say>
</Gather>
<Redirect>/voice/order</Redirect>'
http "${call[@]}" -d Digits=1 "$url/voice/menu"
expect_has "menu 1 asks for the order" "$body" "$ask_order"
well_formed "menu 1" "$body"
http "${call[@]}" --data-urlencode "SpeechResult=Order status" -d Confidence=0.9 "$url/voice/menu"
expect_has "menu: saying order" "$body" "$ask_order"
http "$url/voice/menu?Digits=1"
expect_has "menu 1 by GET" "$body" "$ask_order"

hours="We are open every day. Monday 17:00–22:00. Tuesday 17:00–22:00. Wednesday 17:00–22:00. Thursday 17:00–22:00. Friday 17:00–23:30. Saturday 12:00–23:30. Sunday 12:00–21:00."
http "${call[@]}" -d Digits=2 "$url/voice/menu"
expect_has "menu 2 says the hours" "$body" "<Say>$hours</Say>
<Redirect>/voice</Redirect>"
http "${call[@]}" --data-urlencode "SpeechResult=opening hours" "$url/voice/menu"
expect_has "menu: saying hours" "$body" "<Say>We are open every day."
http "$url/hours"
expect_has "the phone's hours are the web page's" "$body" "<td>Friday</td><td>17:00–23:30</td>"

agent='<Say>Connecting you to an agent.</Say>
<Dial action="/voice/after-agent" timeout="20"><Number>+15550100200</Number></Dial>'
http "${call[@]}" -d Digits=0 "$url/voice/menu"
expect_has "menu 0 dials an agent" "$body" "$agent"
http "${call[@]}" --data-urlencode "SpeechResult=an Agent please" "$url/voice/menu"
expect_has "menu: saying agent" "$body" "$agent"

not_an_option='<Say>Sorry, that is not an option.</Say>
<Redirect>/voice</Redirect>'
http "${call[@]}" -d Digits=7 "$url/voice/menu"
expect_has "menu 7 is not an option" "$body" "$not_an_option"
http "${call[@]}" --data-urlencode "SpeechResult=pineapple" "$url/voice/menu"
expect_has "menu: unknown speech" "$body" "$not_an_option"
http "${call[@]}" "$url/voice/menu"
expect_has "menu without input" "$body" "$not_an_option"

http "${call[@]}" -d Digits=1001 "$url/voice/order"
expect_has "seeded order 1001" "$body" "<Say>Order 1001 is on its way.</Say>
<Say>Thank you for calling Stage Pizza. Goodbye.</Say>
<Hangup/>"
# The order placed on the web above, found on the phone.
http "${call[@]}" -d "Digits=$order" "$url/voice/order"
expect_has "web order on the phone" "$body" "<Say>Order $order is in the oven.</Say>"
http "$url/voice/order?Digits=$order"
expect_has "web order on the phone by GET" "$body" "<Say>Order $order is in the oven.</Say>"
http "${call[@]}" -d Digits=9999 "$url/voice/order"
expect_has "unknown order" "$body" "<Say>Sorry, we could not find order 9999.</Say>
<Gather input=\"dtmf\" action=\"/voice/order?attempt=2\" finishOnKey=\"#\" timeout=\"5\">"
expect_has "unknown order, silence" "$body" "<Redirect>/voice/order?attempt=2</Redirect>"
http "${call[@]}" -d Digits=9999 "$url/voice/order?attempt=2"
expect_has "unknown order again" "$body" 'action="/voice/order?attempt=3"'
http "${call[@]}" -d Digits=9999 "$url/voice/order?attempt=3"
expect_has "unknown order, third time" "$body" "<Say>Sorry, we could not find order 9999.</Say>
<Say>Please check your order number and call us again. Goodbye.</Say>
<Hangup/>"
expect_lacks "unknown order, third time" "$body" "<Gather"
http "${call[@]}" "$url/voice/order"
expect_has "order without digits" "$body" "<Say>Sorry, I didn't get that.</Say>
<Gather"
http "${call[@]}" -d DialCallStatus=completed "$url/voice/after-agent"
expect_has "after the agent" "$body" "<Response>
<Hangup/>
</Response>"

http "$url/voice/fault/not-xml"
expect_eq "fault not-xml type" "text/xml; charset=utf-8" "$(header Content-Type)"
expect_eq "fault not-xml" "this is not xml <" "$body"
http "${call[@]}" "$url/voice/fault/unknown-verb"
expect_has "fault unknown-verb" "$body" "<Say>Hello.</Say>
<Dance/>"
http "${call[@]}" "$url/voice/fault/gather-404"
expect_has "fault gather-404" "$body" \
    '<Gather action="/voice/fault/nowhere" numDigits="1"><Say>Press 1.</Say></Gather>'
http "${call[@]}" -d Digits=1 "$url/voice/fault/nowhere"
expect_eq "fault gather-404 action" 404 "$status"
http "$url/voice/fault/redirect-loop"
expect_has "fault redirect-loop" "$body" "<Redirect>/voice/fault/redirect-loop</Redirect>"
http "$url/voice/fault/endless"
expect_has "fault endless" "$body" '<Say>Please hold.</Say>
<Play loop="0">http://127.0.0.1/hold-music.mp3</Play>'
http "$url/voice/fault/dtmf-only"
expect_has "fault dtmf-only" "$body" \
    '<Gather input="dtmf" numDigits="1" action="/voice/menu"><Say>Press 1 for orders.</Say></Gather>'
http "$url/voice/fault/no-gather"
expect_has "fault no-gather" "$body" "<Response>
<Say>Our lines are closed.</Say>
</Response>"
http "$url/voice/fault/reject"
expect_has "fault reject" "$body" '<Reject reason="busy"/>'
http "$url/voice/fault/record"
expect_has "fault record" "$body" '<Say>Leave a message after the beep.</Say>
<Record action="/voice/fault/recorded" maxLength="30" finishOnKey="#"/>'
http "${call[@]}" -d RecordingDuration=7 "$url/voice/fault/recorded"
expect_has "fault recorded" "$body" "<Say>Thank you, we got your message of 7 seconds.</Say>
<Hangup/>"
http "$url/voice/fault/enqueue"
expect_has "fault enqueue" "$body" "<Enqueue>support</Enqueue>"
for fault in unknown-verb gather-404 redirect-loop endless dtmf-only no-gather reject record \
    recorded enqueue; do
    http "$url/voice/fault/$fault"
    well_formed "fault $fault" "$body"
done
http "$url/voice/fault/no-such-fault"
expect_eq "unknown voice fault" 404 "$status"

# One huge document, generated while it is sent.
http "${call[@]}" "$url/voice/huge?verbs=2"
expect_eq "huge document status" 200 "$status"
expect_eq "huge document of 2" $'<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n<Say>a</Say>\n<Say>a</Say>\n</Response>' "$body"
http "$url/voice/huge?verbs=1&verb=play"
expect_eq "huge document of plays" $'<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n<Play>x</Play>\n</Response>' "$body"
http "$url/voice/huge?verbs=0"
well_formed "empty huge document" "$body"
expect_eq "huge default size" 7800062 "$(curl -s "$url/voice/huge" | wc -c | tr -d ' ')"

# --- the phone line: signed ------------------------------------------------------

http "${call[@]}" "$url/signed/voice"
expect_eq "signed without a signature" 403 "$status"
expect_eq "signed without a signature type" "text/plain; charset=utf-8" "$(header Content-Type)"
expect_eq "signed without a signature" "invalid X-Twilio-Signature" "$body"
signed_call=(-d CallSid=CA0123456789abcdef0123456789abcdef -d Digits=0
    --data-urlencode From=+15550100)
signature=$(sign "$url/signed/voice/menu?lang=en%20GB" CallSid CA0123456789abcdef0123456789abcdef \
    Digits 0 From +15550100)
http -H "X-Twilio-Signature: $signature" "${signed_call[@]}" "$url/signed/voice/menu?lang=en%20GB"
expect_eq "signed menu" 200 "$status"
expect_eq "signed menu type" "text/xml; charset=utf-8" "$(header Content-Type)"
expect_has "signed URLs stay under /signed" "$body" '<Dial action="/signed/voice/after-agent"'
http -H "X-Twilio-Signature: $signature" "${signed_call[@]}" -d Extra=1 \
    "$url/signed/voice/menu?lang=en%20GB"
expect_eq "signed, a parameter added" 403 "$status"
http -H "X-Twilio-Signature: $signature" "${signed_call[@]}" "$url/signed/voice/menu?lang=en%20US"
expect_eq "signed, the query changed" 403 "$status"
http -H "X-Twilio-Signature: $(sign_with other-token "$url/signed/voice")" "$url/signed/voice"
expect_eq "signed with another token" 403 "$status"
http -H "X-Twilio-Signature: $(sign "$url/signed/voice")" "$url/signed/voice"
expect_eq "signed GET" 200 "$status"
expect_has "signed welcome" "$body" 'action="/signed/voice/menu"'
expect_has "signed welcome" "$body" "<Redirect>/signed/voice?tries=1</Redirect>"
http -H "X-Twilio-Signature: $(sign "$url/signed/voice/fault/gather-404")" \
    "$url/signed/voice/fault/gather-404"
expect_has "signed fault keeps /signed" "$body" 'action="/signed/voice/fault/nowhere"'
# Validators accept the URL with the default port added or removed.
http -H "Host: 127.0.0.1" -H "X-Twilio-Signature: $(sign "http://127.0.0.1:80/signed/voice")" \
    "$url/signed/voice"
expect_eq "signed, default port added" 200 "$status"
http -H "Host: 127.0.0.1:80" -H "X-Twilio-Signature: $(sign "http://127.0.0.1/signed/voice")" \
    "$url/signed/voice"
expect_eq "signed, default port removed" 200 "$status"

# --- the phone line: VoiceXML ----------------------------------------------------

vxml_head='<vxml version="2.1" xmlns="http://www.w3.org/2001/vxml">'
http "$url/vxml"
expect_eq "vxml menu" 200 "$status"
expect_eq "vxml content type" "text/xml; charset=utf-8" "$(header Content-Type)"
well_formed "vxml menu" "$body"
expect_has "vxml root" "$body" "$vxml_head"
expect_has "vxml menu" "$body" '<menu id="main" dtmf="true">
<prompt>Welcome to Stage Pizza. For the status of an order, press 1. For our opening hours, press 2. To speak to someone, press 0.</prompt>
<choice dtmf="1" next="/vxml/order"/>
<choice dtmf="2" next="/vxml/hours"/>
<choice dtmf="0" next="#agent"/>'
expect_has "vxml noinput" "$body" '<noinput count="3">We did not hear from you. Goodbye. <disconnect/></noinput>'
expect_has "vxml transfer" "$body" '<transfer name="t" dest="tel:+15550100200" bridge="true"/>'
expect_lacks "vxml menu needs no ECMAScript" "$body" "cond="
expect_lacks "vxml menu needs no ECMAScript" "$body" "expr="
http -d session=1 "$url/vxml"
expect_eq "vxml menu by POST" 200 "$status"
http "$url/vxml/order"
well_formed "vxml order" "$body"
expect_has "vxml order field" "$body" '<field name="order" type="digits">
<prompt>Please enter your order number, then press hash.</prompt>'
expect_has "vxml order submit" "$body" \
    '<filled><submit next="/vxml/status" namelist="order" method="get"/></filled>'
http "$url/vxml/status?order=$order"
well_formed "vxml status" "$body"
expect_has "vxml status of the web order" "$body" "<prompt>Order $order is in the oven.</prompt>
<prompt>Thank you for calling Stage Pizza. Goodbye.</prompt>
<disconnect/>"
http -d order=1001 "$url/vxml/status"
expect_has "vxml status of the seeded order by POST" "$body" "<prompt>Order 1001 is on its way.</prompt>"
http "$url/vxml/status?order=9999"
expect_has "vxml unknown order" "$body" '<prompt>Sorry, we could not find order 9999.</prompt>
<goto next="/vxml/order"/>'
http "$url/vxml/hours"
well_formed "vxml hours" "$body"
expect_has "vxml hours" "$body" "<prompt>$hours</prompt>
<goto next=\"/vxml\"/>"
http "$url/vxml/fault/ecmascript"
well_formed "vxml ecmascript fault" "$body"
expect_has "vxml ecmascript fault" "$body" 'cond="tries &lt; 3"'
http "$url/vxml/fault/not-vxml"
expect_eq "vxml not-vxml type" "text/html; charset=utf-8" "$(header Content-Type)"
expect_eq "vxml not-vxml" "<html><body>oops</body></html>" "$body"
http "$url/vxml/fault/no-such-fault"
expect_eq "unknown vxml fault" 404 "$status"

# --- techweek's limits: well-formed, beyond what techweek can follow ------------

http "$url/limits/vxml-script"
well_formed "limits vxml-script" "$body"
expect_has "limits vxml-script" "$body" '<object name="hours" classid="builtin://stage-pizza-hours"/>'
http "$url/limits/vxml-grammar"
well_formed "limits vxml-grammar" "$body"
expect_has "limits vxml-grammar" "$body" '<grammar mode="dtmf" src="/grammars/yesno.abnf"/>'
http -d CallSid=CA0 "$url/limits/twiml-keys"
well_formed "limits twiml-keys" "$body"
expect_has "limits twiml-keys" "$body" '<Gather input="dtmf" numDigits="1" action="/voice/menu">'
http "$url/limits/upload"
expect_eq "limits upload type" "text/html; charset=utf-8" "$(header Content-Type)"
expect_has "limits upload" "$body" 'type="file" required'
http "$url/limits/contact"
expect_has "limits contact" "$body" '<a href="tel:+15550100200">Call the kitchen</a>'
http "$url/limits/no-such-limit"
expect_eq "unknown limit" 404 "$status"

# --- SRGS grammars (issue 14, SRGS) ---------------------------------------------

for g in confirm.vxml drinks.vxml pin.vxml abnf.vxml missing.vxml; do
  http "$url/grammars/$g"
  well_formed "grammars $g" "$body"
done
for g in yesno.srgs digits.grxml common.grxml; do
  http "$url/grammars/$g"
  expect_eq "grammars $g type" "application/srgs+xml" "$(header Content-Type)"
  well_formed "grammars $g" "$body"
done
http "$url/grammars/yesno.abnf"
expect_eq "grammars yesno.abnf type" "application/srgs" "$(header Content-Type)"
expect_has "grammars yesno.abnf" "$body" '#ABNF 1.0 UTF-8;'
http "$url/grammars/gone.grxml"
expect_eq "grammars gone.grxml" 404 "$status"
# --- the planted-fault shop (/shop/FAULT) -------------------------------------------

# shop_order FAULT JAR : places a Large Margherita on that shop as the
# customer with that cookie jar; leaves the answer in $status, $body and
# the headers.
shop_order() {
    http -b "$2" -c "$2" "$url/shop/$1/pizza/margherita"
    local token
    token=$(sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p' <<<"$body")
    http -b "$2" -d pizza=margherita -d name=Ada -d size=l -d "csrf_token=$token" \
        "$url/shop/$1/order"
}
# shop_count FAULT : its /count as "seen struck".
shop_count() {
    curl -s "$url/shop/$1/count" | python3 -c \
        'import json, sys; c = json.load(sys.stdin); print(c["seen"], c["struck"])'
}

shop_jar=$work/shop-jar
http -c "$shop_jar" "$url/shop/clean/"
expect_eq "shop menu" 200 "$status"
expect_has "shop menu relative link" "$body" '<a href="pizza/margherita">Margherita</a>'
http -b "$shop_jar" "$url/shop/clean/pizza/margherita"
expect_has "shop form posts to a relative action" "$body" '<form method="post" action="../order">'
expect_has "shop form button" "$body" '<button type="submit">Place order</button>'
shop_order clean "$shop_jar"
expect_eq "shop order" 303 "$status"
expect_match "shop order goes to its confirmation" "$(header Location)" '^/shop/clean/orders/[0-9]+$'
http -b "$shop_jar" "$url$(header Location)"
expect_has "shop confirmation" "$body" "Order #"
expect_has "shop confirmation says what was ordered" "$body" "<p>Your pizza: Margherita, Large.</p>"
http "$url/shop/clean/api/orders/1001"
expect_has "shop API" "$body" '"status":"on its way"'
http "$url/shop/clean/voice"
well_formed "shop welcome" "$body"
expect_has "shop welcome" "$body" '<Gather input="dtmf" action="/shop/clean/voice/menu" numDigits="1" timeout="5">'
http -d Digits=1 "$url/shop/clean/voice/menu"
expect_has "shop menu choice" "$body" 'action="/shop/clean/voice/order"'
expect_lacks "shop menu choice, no re-prompt" "$body" "For the status of an order"
http -d Digits=1001 "$url/shop/clean/voice/order"
expect_has "shop order by phone" "$body" "<Say>Order 1001 is on its way.</Say>"
http "$url/shop/no-such-fault/"
expect_eq "shop: unknown fault" 404 "$status"
http "$url/shop/clean"
expect_eq "shop: no path after the fault" 404 "$status"
http "$url/shop/clean/order"
expect_eq "shop: GET /order" 405 "$status"
expect_eq "shop: GET /order Allow" "POST" "$(header Allow)"
expect_eq "shop: clean never strikes" "0 0" "$(shop_count clean)"

# checkout-5xx and wrong-outcome strike on every 20th order, exactly.
for fault in checkout-5xx wrong-outcome; do
    jar=$work/jar-$fault
    http -c "$jar" "$url/shop/$fault/"
    for i in $(seq 19); do shop_order "$fault" "$jar"; done
    expect_eq "$fault: 19 orders" 303 "$status"
    shop_order "$fault" "$jar"
    last=$status location=$(header Location)
    expect_eq "$fault: 20 orders, struck once" "20 1" "$(shop_count "$fault")"
    if [[ $fault == checkout-5xx ]]; then
        expect_eq "checkout-5xx: the 20th order" 500 "$last"
    else
        expect_eq "wrong-outcome: the 20th order" 303 "$last"
        http -b "$jar" "$url$location"
        expect_has "wrong-outcome: the 20th order is confirmed wrong" "$body" \
            "<p>Your pizza: Marinara, Large.</p>"
    fi
done

jar=$work/jar-extra
http -c "$jar" "$url/shop/extra-pages/"
shop_order extra-pages "$jar"
expect_match "extra-pages: the order goes to a review" "$(header Location)" \
    '^/shop/extra-pages/review/[0-9]+$'
http -b "$jar" "$url$(header Location)"
expect_has "extra-pages: review" "$body" "<h1>Review your order</h1>"
expect_match "extra-pages: review links on" "$body" '<a href="../delivery/[0-9]+">Continue to delivery</a>'
id=$(sed -n 's|.*<a href="../delivery/\([0-9]*\)".*|\1|p' <<<"$body")
http -b "$jar" "$url/shop/extra-pages/delivery/$id"
expect_has "extra-pages: delivery" "$body" "<h1>Delivery</h1>"
expect_match "extra-pages: delivery links to the confirmation" "$body" \
    '<a href="../orders/[0-9]+">Confirm the order</a>'

# The 10th caller to press 1 is asked the menu again, in the Gather of the
# next question.
for i in $(seq 10); do http -d Digits=1 "$url/shop/ivr-reprompt/voice/menu"; done
expect_has "ivr-reprompt: the 10th choice" "$body" '<Gather input="dtmf" action="/shop/ivr-reprompt/voice/order" finishOnKey="#" timeout="5">
<Say>For the status of an order, press 1.</Say>
<Say>Please enter your order number'
expect_eq "ivr-reprompt: struck once" "10 1" "$(shop_count ivr-reprompt)"

# resets: the 10th lookup on a reused connection is dropped; curl sends it
# again on a fresh one, which is not a reused one.
lookups=()
for i in $(seq 11); do lookups+=(-o /dev/null "$url/shop/resets/api/orders/1001"); done
expect_eq "resets: every lookup answered in the end" "$(printf '200%.0s' $(seq 11))" \
    "$(curl -s -w '%{http_code}' "${lookups[@]}")"
expect_eq "resets: 10 reused, struck once" "10 1" "$(shop_count resets)"

# The slow ones: only counted here (no timing is asserted).
for i in $(seq 10); do http "$url/shop/slow-page/pizza/margherita"; done
expect_eq "slow-page: the 10th page" 200 "$status"
expect_eq "slow-page: struck once" "10 1" "$(shop_count slow-page)"
for i in $(seq 10); do http -d Digits=1001 "$url/shop/slow-ivr/voice/order"; done
expect_has "slow-ivr: the 10th lookup" "$body" "<Say>Order 1001 is on its way.</Say>"
expect_eq "slow-ivr: struck once" "10 1" "$(shop_count slow-ivr)"

# --- issue 13, FLOW: the coin (/flow/coin), heads on odd tosses of a key ----------

http "$url/flow/coin?key=stage-test"
expect_eq "coin: status" 200 "$status"
expect_eq "coin: the first toss is heads" '{"toss": 1, "heads": "yes"}' "$body"
http "$url/flow/coin?key=stage-test"
expect_eq "coin: the second is not" '{"toss": 2, "heads": ""}' "$body"
http "$url/flow/coin?key=other-test"
expect_eq "coin: counted per key" '{"toss": 1, "heads": "yes"}' "$body"
http "$url/flow/coin"
expect_eq "coin: no key" 400 "$status"

# --- stopping --------------------------------------------------------------------

# Leave a slow answer in flight: stopping must not wait for it. The request
# goes out on a raw connection; a full round trip on another one afterwards
# makes sure the stage has it before the signal.
port=${url##*:}
exec 4<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /fault/slow?ms=60000 HTTP/1.1\r\nHost: stage\r\n\r\n' >&4
curl -s -o /dev/null "$url/hours"
started=$(date +%s%N)
kill -TERM "$stage_pid"
wait "$stage_pid"
stage_status=$?
stopped_ms=$((($(date +%s%N) - started) / 1000000))
stage_pid=
exec 4<&-
expect_eq "stage exit status on SIGTERM" 0 "$stage_status"
if ((stopped_ms < 3000)); then ok; else bad "stopping took ${stopped_ms} ms"; fi

# --- HTTPS -----------------------------------------------------------------------

"$stage" --auth-token "" >/dev/null 2>"$work/token.err"
expect_eq "empty --auth-token" 2 "$?"
expect_has "empty --auth-token" "$(cat "$work/token.err")" "--auth-token"
"$stage" --tls-cert "$work/none.pem" >/dev/null 2>&1
expect_eq "--tls-cert without --tls-key" 2 "$?"
"$stage" --tls-cert "$work/none.pem" --tls-key "$work/none.key" >/dev/null 2>"$work/tls.err"
expect_eq "unreadable --tls-cert" 2 "$?"
expect_has "unreadable --tls-cert" "$(cat "$work/tls.err")" "none.pem"

# Certificates made now, never committed (see make_certs.sh).
if "$(dirname "${BASH_SOURCE[0]}")/make_certs.sh" "$work/certs"; then
    mkfifo "$work/tls-stdout"
    "$stage" --tls-cert "$work/certs/server.pem" --tls-key "$work/certs/server.key" \
        --auth-token s3cret >"$work/tls-stdout" 2>>"$work/stage.err" &
    stage_pid=$!
    exec 5<"$work/tls-stdout"
    tls_url=
    read -r -t 10 tls_url <&5
    expect_match "HTTPS URL" "$tls_url" '^https://127\.0\.0\.1:[0-9]+$'
    http --cacert "$work/certs/ca.pem" "$tls_url/"
    expect_eq "HTTPS with the CA" 200 "$status"
    expect_has "HTTPS page" "$body" "<h1>Today&#39;s menu</h1>"
    http "$tls_url/"
    expect_eq "HTTPS is verified against the CA" "curl exit 60" "$status"
    # Signed over HTTPS: the https:// URL and the --auth-token secret.
    http --cacert "$work/certs/ca.pem" -d Digits=2 \
        -H "X-Twilio-Signature: $(sign_with s3cret "$tls_url/signed/voice/menu" Digits 2)" \
        "$tls_url/signed/voice/menu"
    expect_eq "signed over HTTPS with --auth-token" 200 "$status"
    expect_has "signed over HTTPS with --auth-token" "$body" "<Redirect>/signed/voice</Redirect>"
    http --cacert "$work/certs/ca.pem" -d Digits=2 \
        -H "X-Twilio-Signature: $(sign "$tls_url/signed/voice/menu" Digits 2)" \
        "$tls_url/signed/voice/menu"
    expect_eq "signed with the default token when --auth-token differs" 403 "$status"
    kill -TERM "$stage_pid"
    wait "$stage_pid"
    expect_eq "HTTPS stage exit status on SIGTERM" 0 "$?"
    stage_pid=
    exec 5<&-
else
    bad "make_certs.sh failed (is the openssl CLI installed?)"
fi

if ((failed > 0)); then
    echo "stage log:" >&2
    tail -n 20 "$work/stage.err" >&2
fi
echo "$passed passed, $failed failed"
((failed == 0))
