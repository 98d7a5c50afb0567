#!/usr/bin/env bash
# The HTML report's latency charts as Chromium draws them. techweek runs a
# dress rehearsal against the stage with --html: one journey whose every
# answer is slow (the stage's /fault/slow, well past its T of 300 ms, in a
# narrow band just over a second) and one with a spread of waits from a
# few milliseconds to 400 ms. A probe script appended to a copy of the
# report measures each chart with getBoundingClientRect and writes what it
# finds into the DOM, which headless Chromium's --dump-dom prints:
#
#   - the count labels left of the plot are one on each horizontal line,
#     0 on the axis, evenly spaced by a round step (1, 2 or 5 times a power
#     of ten), each at its count's height; the top one, the ceiling, is the
#     first step at or above the largest count;
#   - each bar's rendered height is its count over the ceiling times the
#     plot's height (the distance from the axis to the top grid line),
#     within 1 px, and the bar stands on the axis;
#   - the latency axis's tick labels (the row of texts right under the
#     axis) are all different;
#   - where the caption gives a T, a line labelled "T ..." is drawn on the
#     plot, reaching down to the axis; in the slow journey, whose every
#     timing is past T and within 4T, "4T ..." too.
#
# The counts come from each bar's tooltip ("1.10 s to 1.12 s: 3 timings"),
# so the test reads what the page says, not how it is built.
# Without Chromium the test is skipped (exit 77), saying how to get it.
# TW_CHART_KEEP=FILE keeps the probed page (the report and the probe).
#
# usage: html_chart.sh TECHWEEK STAGE
set -uo pipefail
techweek=$1 stage_bin=$2

chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "SKIP: chromium not installed: apt install chromium"
  exit 77
fi

work=$(mktemp -d)
coproc STAGE { exec "$stage_bin" --port 0; }
trap 'kill $STAGE_PID 2>/dev/null; [ -n "${TW_CHART_KEEP:-}" ] && cp "$work/probe.html" "$TW_CHART_KEEP"; rm -rf "$work"' EXIT
read -r stage <&"${STAGE[0]}" || { echo "the stage did not start"; exit 1; }

fail_now() { echo "FAIL html-chart: $*"; exit 1; }

mkdir -p "$work/rehearsals"
cat >"$work/rehearsals/a-slow.rehearsal" <<'R'
rehearsal "Everyone waits past T"
apdex 300ms
cast
  stage
backstage "Slow answers"
  get {{stage}}/fault/slow?ms=1100
  expect status 200
  get {{stage}}/fault/slow?ms=1150
  expect status 200
R
cat >"$work/rehearsals/b-spread.rehearsal" <<'R'
rehearsal "A spread of waits"
apdex 300ms
cast
  stage
backstage "Fast and slow answers"
  get {{stage}}/ping
  get {{stage}}/fault/slow?ms=40
  get {{stage}}/fault/slow?ms=120
  get {{stage}}/fault/slow?ms=400
  expect status 200
R
report=$work/readiness.html
"$techweek" run --var "stage=$stage" --performances 6 --customers 6 --color never \
  --reports "$work/reports" --html "$report" "$work/rehearsals" \
  >"$work/stdout" 2>"$work/stderr" </dev/null
status=$?
if [ ! -s "$report" ]; then
  sed 's/^/     /' "$work/stdout" | tail -20; sed 's/^/     /' "$work/stderr" | tail -10
  fail_now "techweek run --html wrote no report (exit $status)"
fi

{
  sed 's#</body>##; s#</html>##' "$report"
  cat <<'PROBE'
<script>
(function () {
  var out = [], charts = 0;
  function near(a, b) { return Math.abs(a - b) <= 1; }
  function px(v) { return Math.round(v * 10) / 10; }
  document.querySelectorAll("figure.chart").forEach(function (fig) {
    var svg = fig.querySelector("svg");
    if (!svg) return;
    charts++;
    var sec = fig.closest("section");
    var name = sec && sec.querySelector("h2") ? sec.querySelector("h2").textContent.trim() : "?";
    var where = "chart of '" + name + "': ";
    var box = svg.getBoundingClientRect();
    var unit = box.width / svg.viewBox.baseVal.width; /* px per SVG unit */

    /* The plot: the horizontal grid lines across it, the axis lowest. */
    var base = -Infinity, top = Infinity, left = Infinity, right = -Infinity;
    svg.querySelectorAll("line").forEach(function (l) {
      var r = l.getBoundingClientRect();
      if (r.height < 1.5 && r.width > box.width / 2) {
        base = Math.max(base, r.top); top = Math.min(top, r.top);
        left = Math.min(left, r.left); right = Math.max(right, r.right);
      }
    });
    if (!(base > top)) { out.push(where + "no count axis and top grid line"); return; }

    /* The count labels: the numbers left of the plot, one on each
     * horizontal line, 0 on the axis, evenly spaced by a step of 1, 2 or
     * 5 times a power of ten, each at its height; the top one is the
     * ceiling the bars are measured against. */
    var rows = [];
    svg.querySelectorAll("line").forEach(function (l) {
      var r = l.getBoundingClientRect();
      if (r.height < 1.5 && r.width > box.width / 2) rows.push({ y: r.top, label: null });
    });
    svg.querySelectorAll("text").forEach(function (t) {
      var r = t.getBoundingClientRect(), s = t.textContent.trim();
      if (!/^[0-9]+$/.test(s) || r.right > left + 1) return;
      var mid = (r.top + r.bottom) / 2, row = null;
      rows.forEach(function (w) { if (Math.abs(w.y - mid) < 8 * unit) row = w; });
      if (!row) out.push(where + "count label '" + s + "' is on no grid line");
      else if (row.label !== null) out.push(where + "two count labels on one grid line: " + row.label + ", " + s);
      else row.label = +s;
    });
    rows.sort(function (a, b) { return b.y - a.y; }); /* from the axis up */
    var counts = rows.map(function (w) { return w.label; });
    var ceiling = counts[counts.length - 1];
    function round(v) {
      var m = v / Math.pow(10, Math.floor(Math.log10(v) + 1e-9));
      return Math.abs(m - 1) < 1e-9 || Math.abs(m - 2) < 1e-9 || Math.abs(m - 5) < 1e-9;
    }
    if (counts.indexOf(null) >= 0 || counts[0] !== 0 || counts.length < 2)
      out.push(where + "count labels " + counts.join(", ") + ": not one on each grid line from 0 up");
    else {
      var step = counts[1];
      counts.forEach(function (c, k) {
        if (c !== k * step)
          out.push(where + "count labels " + counts.join(", ") + " are not evenly spaced from 0");
      });
      if (!round(step))
        out.push(where + "count labels " + counts.join(", ") + ": their step " + step + " is not 1, 2 or 5 times a power of ten");
      rows.forEach(function (w) {
        var want = base - (base - top) * w.label / ceiling;
        if (!near(w.y, want))
          out.push(where + "count " + w.label + " is drawn at " + px(base - w.y) + " px, its height is " + px(base - want));
      });
    }

    /* The bars and their counts, from their tooltips. */
    var bars = [], most = 0;
    svg.querySelectorAll("rect").forEach(function (b) {
      var t = b.querySelector("title");
      var m = t && /: ([0-9]+) timings?$/.exec(t.textContent);
      if (!m) return;
      bars.push({ el: b, count: +m[1], tip: t.textContent });
      most = Math.max(most, +m[1]);
    });
    if (!bars.length) out.push(where + "no bars");
    else if (!(most <= ceiling && most > ceiling - step))
      out.push(where + "the top count label " + ceiling + " is not the first step at or above the largest count " + most);
    bars.forEach(function (b) {
      var r = b.el.getBoundingClientRect();
      var want = (base - top) * b.count / ceiling;
      if (!near(r.height, want))
        out.push(where + "bar '" + b.tip + "' is " + px(r.height) + " px high, its count's height is " + px(want));
      else if (!near(r.bottom, base))
        out.push(where + "bar '" + b.tip + "' ends " + px(r.bottom - base) + " px off the axis");
    });

    /* The tick labels: the row of texts right under the axis. */
    var labels = [];
    svg.querySelectorAll("text").forEach(function (t) {
      var r = t.getBoundingClientRect();
      if (r.top >= base - 1 && r.bottom <= base + 28 * unit) labels.push(t.textContent.trim());
    });
    if (labels.length < 2) out.push(where + "fewer than two tick labels: " + labels.join(", "));
    var seen = {};
    labels.forEach(function (s) {
      if (seen[s]) out.push(where + "tick label '" + s + "' repeats in " + labels.join(", "));
      seen[s] = true;
    });

    /* T (and 4T): a labelled line on the plot, down to the axis. */
    function drawn(prefix) {
      var found = false;
      svg.querySelectorAll("text").forEach(function (t) {
        if (t.textContent.indexOf(prefix + " ") !== 0) return;
        var tr = t.getBoundingClientRect();
        if (tr.width < 1 || tr.left < box.left - 1 || tr.right > box.right + 1) return;
        svg.querySelectorAll("line").forEach(function (l) {
          var r = l.getBoundingClientRect();
          var x = r.left + r.width / 2;
          if (r.width < 2 && r.height > (base - top) / 2 && near(r.bottom, base) &&
              x >= left - 1 && x <= right + 1 &&
              (Math.abs(x - tr.left) < 10 * unit || Math.abs(x - tr.right) < 10 * unit))
            found = true;
        });
      });
      return found;
    }
    var cap = fig.querySelector("figcaption");
    if (cap && /up to T = /.test(cap.textContent) && !drawn("T"))
      out.push(where + "T is not drawn (" + cap.textContent.trim() + ")");
    if (name.indexOf("Everyone waits past T") >= 0 && !drawn("4T"))
      out.push(where + "4T is not drawn");
  });
  if (charts < 2) out.push("only " + charts + " charts");
  var p = document.createElement("pre");
  p.id = "tw-probe";
  p.textContent = out.length ? "PROBLEMS\n" + out.join("\n") : "PROBE-OK " + charts + " charts";
  document.body.appendChild(p);
})();
</script>
</body></html>
PROBE
} >"$work/probe.html"

timeout 90 "$chromium" --headless --disable-gpu --no-sandbox --no-first-run \
  --no-default-browser-check --disable-extensions --user-data-dir="$work/profile" \
  --window-size=1280,900 --dump-dom "file://$work/probe.html" >"$work/probe.dom" 2>"$work/probe.err"
probe=$(perl -0ne 'print $1 if m{<pre id="tw-probe">(.*?)</pre>}s' "$work/probe.dom")
case $probe in
PROBE-OK*) echo "ok   html-chart (${probe#PROBE-OK })" ;;
'') fail_now "the probe did not run: $(tail -n 3 "$work/probe.err")" ;;
*)
  echo "FAIL html-chart"
  printf '%s\n' "$probe" | sed '1d; s/^/     /'
  exit 1
  ;;
esac
