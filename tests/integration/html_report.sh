#!/usr/bin/env bash
# The HTML readiness report in a real browser. techweek runs a small dress
# rehearsal against the stage (a passing journey, a failing one, a phone
# call) with --html, then headless Chromium (Debian's `chromium` package):
#
#   1. loads the report with --dump-dom and console logging on: no console
#      message at all (the report has no script, so any is a problem), no
#      failed load; the DOM holds the score;
#   2. loads a copy with a probe script appended: the score element is
#      displayed, at least 40px high, inside the first screen; the verdict
#      is visible; every chart has drawn; nothing was fetched (the
#      Resource Timing list is empty);
#   3. takes a screenshot and prints to PDF (the print stylesheet).
#
# A canary page with a deliberate console.error proves step 1 would see
# one. Without Chromium the test is skipped (exit 77), saying how to get it.
# TW_HTML_SHOT=FILE keeps the screenshot.
#
# usage: html_report.sh TECHWEEK STAGE
set -uo pipefail
techweek=$1 stage_bin=$2

chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "SKIP: chromium not installed: apt install chromium"
  exit 77
fi

root=$(cd "$(dirname "$0")/../.." && pwd)
export STAGE_PASSWORD=lovelace # the stage's demo password (rehearsals/)
work=$(mktemp -d)
coproc STAGE { exec "$stage_bin" --port 0; }
trap 'kill $STAGE_PID 2>/dev/null; rm -rf "$work"' EXIT
read -r stage <&"${STAGE[0]}" || { echo "the stage did not start"; exit 1; }

problems=()
fail_now() { echo "FAIL html: $*"; exit 1; }

# Headless Chromium with its own profile, no sandbox (root in CI), no
# first-run noise; console messages go to stderr with --enable-logging.
browse() { # browse STDERR_FILE ARGS...: runs chromium, stdout is its output
  local errfile=$1; shift
  timeout 90 "$chromium" --headless --disable-gpu --no-sandbox --no-first-run \
    --no-default-browser-check --disable-extensions --user-data-dir="$work/profile" \
    --enable-logging=stderr --v=0 "$@" 2>"$errfile"
}
# What Chromium says about the page: console messages (INFO:CONSOLE...),
# uncaught errors, resources that failed to load.
page_complaints() {
  grep -E 'CONSOLE|Uncaught|Failed to load resource|net::ERR_|Refused to' "$1"
}

# ---- the run ----
mkdir -p "$work/rehearsals"
cp "$root/rehearsals/"*.rehearsal "$work/rehearsals/"
cp -r "$root/rehearsals/scenes" "$work/rehearsals/" # issue 13, USE: the scenes they use
cat >"$work/rehearsals/zz-missing.rehearsal" <<'R'
rehearsal "Find the dessert <menu> & more"
outcome "Ada finds a dessert"
cast
  stage
scene "Look for dessert" on web
  visit {{stage}}/
  expect status 200
  expect text "Tiramisu <script>alert(1)</script>"
R
cat >"$work/rehearsals/zz-call.rehearsal" <<'R'
rehearsal "Check on an order by phone, wrongly"
cast
  stage
scene "Call" on ivr
  call {{stage}}/voice from "+15551230001"
  hear "Welcome to Stage Pizza"
  press 1
  hear "a prompt the stage never says"
R
report=$work/out/readiness.html
"$techweek" run --var "stage=$stage" --performances 4 --customers 2 --color never \
  --reports "$work/reports" --html "$report" "$work/rehearsals" \
  >"$work/stdout" 2>"$work/stderr" </dev/null
status=$?
[ "$status" = 1 ] || problems+=("techweek exit status $status, expected 1 (a rehearsal fails)")
if [ ! -s "$report" ]; then
  sed 's/^/     /' "$work/stdout" | tail -20; sed 's/^/     /' "$work/stderr" | tail -10
  fail_now "techweek run --html wrote no report at $report"
fi

# ---- the canary: console errors are seen ----
cat >"$work/canary.html" <<'H'
<!DOCTYPE html><html><head><title>canary</title></head>
<body><script>console.error("tw-canary-error")</script></body></html>
H
browse "$work/canary.err" --dump-dom "file://$work/canary.html" >/dev/null
grep -q 'tw-canary-error' "$work/canary.err" ||
  fail_now "chromium's stderr does not show console messages: the check below would see nothing"

# ---- 1. the report loads cleanly and holds the score ----
browse "$work/dom.err" --dump-dom "file://$report" >"$work/dom.html" ||
  problems+=("chromium --dump-dom failed: $(tail -n 3 "$work/dom.err")")
if page_complaints "$work/dom.err" >"$work/complaints"; then
  problems+=("the page made console messages or failed loads: $(head -n 5 "$work/complaints")")
fi
score=$(grep -oE 'id="score"[^>]*>[0-9]{1,3}' "$work/dom.html" | grep -oE '[0-9]+$')
[ -n "$score" ] || problems+=("no score element (id=score with a number) in the rendered DOM")
grep -q 'id="verdict"' "$work/dom.html" || problems+=("no verdict in the rendered DOM")
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$work/dom.html" ||
  problems+=("the hostile expectation is not shown as text")

# ---- 2. the score is visible; nothing was fetched ----
{
  sed 's#</body>##; s#</html>##' "$report"
  cat <<'PROBE'
<script>
(function () {
  var out = [];
  var s = document.getElementById("score");
  if (!s) { out.push("no #score"); } else {
    var r = s.getBoundingClientRect(), cs = getComputedStyle(s);
    if (cs.display === "none" || cs.visibility !== "visible" || +cs.opacity < 0.99)
      out.push("score hidden: " + cs.display + "/" + cs.visibility + "/" + cs.opacity);
    if (r.height < 40 || r.width < 40) out.push("score too small: " + r.width + "x" + r.height);
    if (r.top < 0 || r.bottom > window.innerHeight) out.push("score not on the first screen: top " + r.top);
    if (!/^[0-9]{1,3}(\.[0-9])?\/100$/.test(s.textContent.trim())) out.push("score reads '" + s.textContent + "'");
  }
  var v = document.getElementById("verdict");
  if (!v || v.getBoundingClientRect().height < 10) out.push("verdict not visible");
  var svgs = document.querySelectorAll("figure.chart svg");
  if (!svgs.length) out.push("no chart");
  svgs.forEach(function (g, i) {
    var b = g.getBoundingClientRect();
    if (b.width < 200 || b.height < 60) out.push("chart " + i + " not drawn: " + b.width + "x" + b.height);
    if (!g.querySelectorAll("rect").length) out.push("chart " + i + " has no bars");
  });
  var fetched = performance.getEntriesByType("resource").map(function (e) { return e.name; });
  if (fetched.length) out.push("fetched: " + fetched.join(" "));
  var p = document.createElement("pre");
  p.id = "tw-probe";
  p.textContent = out.length ? "PROBLEMS " + out.join("; ") : "PROBE-OK";
  document.body.appendChild(p);
})();
</script>
</body></html>
PROBE
} >"$work/probe.html"
browse "$work/probe.err" --window-size=1280,900 --dump-dom "file://$work/probe.html" \
  >"$work/probe.dom"
probe=$(grep -oE '<pre id="tw-probe">[^<]*' "$work/probe.dom" | head -n 1 | sed 's/^<pre id="tw-probe">//')
[ "$probe" = PROBE-OK ] || problems+=("in the browser: ${probe:-the probe did not run: $(page_complaints "$work/probe.err" | head -n 3)}")

# ---- 3. a screenshot and a print ----
shot=$work/readiness.png
(cd "$work" && browse "$work/shot.err" --hide-scrollbars --window-size=1280,2000 \
  --screenshot="$shot" "file://$report" >/dev/null)
[ "$(stat -c %s "$shot" 2>/dev/null || echo 0)" -gt 20000 ] ||
  problems+=("no screenshot: $(tail -n 2 "$work/shot.err")")
[ -n "${TW_HTML_SHOT:-}" ] && cp "$shot" "$TW_HTML_SHOT"
browse "$work/pdf.err" --no-pdf-header-footer --print-to-pdf="$work/readiness.pdf" \
  "file://$report" >/dev/null
head -c 5 "$work/readiness.pdf" 2>/dev/null | grep -q '%PDF-' ||
  problems+=("printing to PDF failed: $(tail -n 2 "$work/pdf.err")")

if [ ${#problems[@]} -eq 0 ]; then
  echo "ok   html (score $score in Chromium $("$chromium" --version 2>/dev/null | grep -oE '[0-9.]+' | head -n1))"
else
  echo "FAIL html"; printf '     %s\n' "${problems[@]}"
  exit 1
fi
