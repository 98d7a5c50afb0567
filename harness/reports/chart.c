/*
 * The latency chart of the HTML report: every timed touchpoint of one
 * rehearsal merged into one histogram, drawn as inline SVG bars over a
 * linear scale, or a logarithmic one when the slowest timing is more than
 * eight times the fastest, with the median, p95 and (when all touchpoints
 * share it) Apdex T marked. The bars and the caption say the same in
 * words, so the figure never depends on seeing colour or the picture.
 *
 * It is built with the page's builder (reports/html_internal.h): texts and
 * attributes go through the same cleaning, failures stay sticky in it.
 */
#include "reports/chart.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "metrics/histogram.h"

/* The chart's geometry, in SVG user units. */
#define CH_W 640.0
#define CH_H 240.0
#define CH_LEFT 60.0
#define CH_RIGHT 20.0
#define CH_TOP 40.0
#define CH_BOTTOM 52.0
#define CH_BINS 32

/* A short axis label: "0", "850 ms", "1.2 s". */
static void fmt_axis(char *out, size_t size, double ms)
{
	if (ms <= 0)
		snprintf(out, size, "0");
	else if (ms < 10)
		snprintf(out, size, "%.1f ms", ms);
	else if (ms < 1000)
		snprintf(out, size, "%.0f ms", ms);
	else
		snprintf(out, size, "%.1f s", ms / 1000);
}

typedef struct chart_scale {
	double lo, hi;
	bool log;
} chart_scale;

static double scale_pos(const chart_scale *sc, double v)
{
	if (v < sc->lo)
		v = sc->lo;
	if (v > sc->hi)
		v = sc->hi;
	if (sc->log)
		return (log(v) - log(sc->lo)) / (log(sc->hi) - log(sc->lo));
	return (v - sc->lo) / (sc->hi - sc->lo);
}

static double scale_value(const chart_scale *sc, double pos)
{
	if (sc->log)
		return exp(log(sc->lo) + pos * (log(sc->hi) - log(sc->lo)));
	return sc->lo + pos * (sc->hi - sc->lo);
}

static node svg_el(html *h, node parent, const char *name)
{
	return tw_page_el(h, parent, name, NULL);
}

/* Does not call tw_page_fmt(): callers pass tw_page_fmt() results alongside. */
static void svg_attrf(html *h, node n, const char *name, double v)
{
	char num[48];
	snprintf(num, sizeof(num), "%.1f", isfinite(v) ? v : 0.0);
	tw_page_attr(h, n, name, num);
}

static void svg_line(html *h, node parent, double x1, double y1, double x2, double y2,
		     const char *cls)
{
	node l = svg_el(h, parent, "line");
	svg_attrf(h, l, "x1", x1);
	svg_attrf(h, l, "y1", y1);
	svg_attrf(h, l, "x2", x2);
	svg_attrf(h, l, "y2", y2);
	tw_page_attr(h, l, "class", cls);
}

static void svg_text(html *h, node parent, double x, double y, const char *anchor, const char *cls,
		     const char *s)
{
	node t = svg_el(h, parent, "text");
	svg_attrf(h, t, "x", x);
	svg_attrf(h, t, "y", y);
	if (anchor)
		tw_page_attr(h, t, "text-anchor", anchor);
	if (cls)
		tw_page_attr(h, t, "class", cls);
	tw_page_add_text(h, t, s);
}

/* A vertical marker at value v, labelled on the side where the label
 * fits (about 6 units a character at 11px). */
static void svg_marker(html *h, node g, const chart_scale *sc, double v, const char *cls,
		       const char *label, bool label_left, double label_y)
{
	if (!isfinite(v) || v < sc->lo || v > sc->hi)
		return;
	double pw = CH_W - CH_LEFT - CH_RIGHT;
	double x = CH_LEFT + scale_pos(sc, v) * pw;
	double width = 6.2 * (double)strlen(label);
	if (label_left && x - 4 - width < 0)
		label_left = false;
	else if (!label_left && x + 4 + width > CH_W)
		label_left = true;
	svg_line(h, g, x, label_y - 10, x, CH_H - CH_BOTTOM, cls);
	svg_text(h, g, label_left ? x - 4 : x + 4, label_y, label_left ? "end" : "start", cls, label);
}

void tw_page_chart(html *h, node parent, size_t i)
{
	const tw_rehearsal_result *r = &h->run->rehearsals[i];
	const tw_rehearsal_metrics *m = tw_page_metrics_of(h, i);
	const tw_rehearsal_score *rs = tw_page_score_of(h, i);
	if (!m || !r->plan)
		return;

	/* Every timed touchpoint's latencies together; the slowest named. */
	tw_histogram *all = tw_histogram_new();
	if (!all) {
		tw_page_fail(h, TW_ENOMEM);
		return;
	}
	size_t timed = 0;
	const tw_touchpoint_metrics *slowest = NULL;
	double slowest_p95 = -1, t_ms = -1;
	bool same_t = true;
	for (size_t s = 0; s < m->scene_count; s++)
		for (size_t j = 0; j < m->scenes[s].step_count; j++) {
			const tw_touchpoint_metrics *t = &m->scenes[s].steps[j];
			const tw_touchpoint_score *ap = tw_page_apdex_of(rs, s, j);
			if (!tw_page_step_timed(t->step, ap) || !t->latency ||
			    !tw_histogram_count(t->latency))
				continue;
			timed++;
			tw_histogram_merge(all, t->latency);
			double p95 = tw_histogram_percentile(t->latency, 95);
			if (p95 > slowest_p95) {
				slowest_p95 = p95;
				slowest = t;
			}
			if (ap) {
				if (t_ms < 0)
					t_ms = ap->t_ms;
				else if (ap->t_ms != t_ms)
					same_t = false;
			}
		}

	tw_page_el_text(h, parent, "h3", NULL, "How long customers waited");
	uint64_t n = tw_histogram_count(all);
	if (n == 0) {
		tw_page_el_text(h, parent, "p", "muted", "No timed touchpoint was performed.");
		tw_histogram_free(all);
		return;
	}

	chart_scale sc = {tw_histogram_min(all), tw_histogram_max(all), false};
	if (sc.lo < 0.001)
		sc.lo = 0.001;
	if (sc.hi <= sc.lo * 1.05)
		sc.hi = sc.lo * 1.05 + 0.01;
	if (sc.hi / sc.lo > 8) {
		sc.log = true;
	} else {
		sc.lo = sc.lo * 0.9;
		sc.hi = sc.hi * 1.05;
	}

	uint64_t bins[CH_BINS] = {0};
	size_t it = 0;
	double low = 0, high = 0;
	uint64_t count = 0;
	while (tw_histogram_bucket(all, &it, &low, &high, &count)) {
		double mid = (low + high) / 2;
		size_t b = (size_t)(scale_pos(&sc, mid) * CH_BINS);
		if (b >= CH_BINS)
			b = CH_BINS - 1;
		bins[b] += count;
	}
	uint64_t top = 1;
	for (size_t b = 0; b < CH_BINS; b++)
		if (bins[b] > top)
			top = bins[b];

	char p50[48], p95[48], max[48], tms[48];
	double v50 = tw_histogram_percentile(all, 50), v95 = tw_histogram_percentile(all, 95);
	tw_page_fmt_ms(p50, sizeof(p50), v50);
	tw_page_fmt_ms(p95, sizeof(p95), v95);
	tw_page_fmt_ms(max, sizeof(max), tw_histogram_max(all));

	node fig = tw_page_el(h, parent, "figure", "chart");
	node svg = svg_el(h, fig, "svg");
	tw_page_attr(h, svg, "xmlns", "http://www.w3.org/2000/svg");
	tw_page_attr(h, svg, "viewBox", tw_page_fmt(h, "0 0 %.0f %.0f", CH_W, CH_H));
	tw_page_attr(h, svg, "role", "img");
	tw_page_attr(h, svg, "aria-labelledby", tw_page_fmt(h, "chart%zu-title", i));
	node title = svg_el(h, svg, "title");
	tw_page_attr(h, title, "id", tw_page_fmt(h, "chart%zu-title", i));
	tw_page_add_text(h, title,
			 tw_page_fmt(h,
				     "Latency distribution: %llu %s, median %s, p95 %s, slowest %s",
				     (unsigned long long)n, tw_page_plural(n, "timing", "timings"),
				     p50, p95, max));
	/* A <style> inside inline SVG applies to the whole page: every rule is
	 * scoped to svg.latency, and no class here is one the page's
	 * stylesheet uses (its .meter once was .bar, and set this chart's
	 * bars 12px high). */
	tw_page_attr(h, svg, "class", "latency");
	node style = svg_el(h, svg, "style");
	tw_page_add_text(
		h, style,
		"svg.latency .ax{stroke:#57606a;stroke-width:1}"
		"svg.latency .grid{stroke:#d0d7de;stroke-width:1}"
		"svg.latency .lbl{font:11px sans-serif;fill:#1f2328}"
		"svg.latency .ttl{font:12px sans-serif;fill:#57606a}"
		"svg.latency .bin{fill:#0969da}"
		"svg.latency .p50{stroke:#1f2328;stroke-width:1.5;fill:#1f2328;font:11px sans-serif}"
		"svg.latency .p95{stroke:#a40e26;stroke-width:1.5;stroke-dasharray:5 3;fill:#a40e26;font:11px sans-serif}"
		"svg.latency .tee{stroke:#116329;stroke-width:1.5;stroke-dasharray:2 3;fill:#116329;font:11px sans-serif}"
		"svg.latency text.p50,svg.latency text.p95,svg.latency text.tee{stroke:none}");

	double pw = CH_W - CH_LEFT - CH_RIGHT, ph = CH_H - CH_TOP - CH_BOTTOM;
	double base = CH_H - CH_BOTTOM;
	/* The count axis: 0, the middle when it is a whole count, the top. */
	for (int k = 0; k <= 2; k++) {
		if (k == 1 && top % 2)
			continue;
		double y = base - ph * k / 2.0;
		svg_line(h, svg, CH_LEFT, y, CH_W - CH_RIGHT, y, k ? "grid" : "ax");
		svg_text(h, svg, CH_LEFT - 6, y + 4, "end", "lbl",
			 tw_page_fmt(h, "%llu", (unsigned long long)(top * (uint64_t)k / 2)));
	}
	svg_line(h, svg, CH_LEFT, CH_TOP, CH_LEFT, base, "ax");
	node yt = svg_el(h, svg, "text");
	tw_page_attr(h, yt, "class", "ttl");
	tw_page_attr(h, yt, "text-anchor", "middle");
	tw_page_attr(h, yt, "transform",
		     tw_page_fmt(h, "translate(14 %.1f) rotate(-90)", CH_TOP + ph / 2));
	tw_page_add_text(h, yt, "timings");

	/* The bars, each with its range and count as a tooltip. */
	node g = svg_el(h, svg, "g");
	double bw = pw / CH_BINS;
	for (size_t b = 0; b < CH_BINS; b++) {
		if (!bins[b])
			continue;
		double bh = ph * (double)bins[b] / (double)top;
		if (bh < 1)
			bh = 1;
		node rect = svg_el(h, g, "rect");
		svg_attrf(h, rect, "x", CH_LEFT + bw * (double)b + 1);
		svg_attrf(h, rect, "y", base - bh);
		svg_attrf(h, rect, "width", bw - 2);
		svg_attrf(h, rect, "height", bh);
		tw_page_attr(h, rect, "class", "bin");
		char a[48], z[48];
		fmt_axis(a, sizeof(a), scale_value(&sc, (double)b / CH_BINS));
		fmt_axis(z, sizeof(z), scale_value(&sc, (double)(b + 1) / CH_BINS));
		tw_page_add_text(h, svg_el(h, rect, "title"),
				 tw_page_fmt(h, "%s to %s: %llu %s", a, z,
					     (unsigned long long)bins[b],
					     tw_page_plural(bins[b], "timing", "timings")));
	}

	/* The latency axis: five labels. */
	for (int k = 0; k <= 4; k++) {
		double x = CH_LEFT + pw * k / 4.0;
		svg_line(h, svg, x, base, x, base + 4, "ax");
		char v[48];
		fmt_axis(v, sizeof(v), scale_value(&sc, k / 4.0));
		svg_text(h, svg, x, base + 16, k == 0 ? "start" : k == 4 ? "end" : "middle", "lbl", v);
	}
	svg_text(h, svg, CH_LEFT + pw / 2, CH_H - 10, "middle", "ttl",
		 sc.log ? "latency (logarithmic scale)" : "latency");

	svg_marker(h, svg, &sc, v50, "p50", tw_page_fmt(h, "median %s", p50), true, 14);
	svg_marker(h, svg, &sc, v95, "p95", tw_page_fmt(h, "p95 %s", p95), false, 30);
	if (t_ms > 0 && same_t) {
		tw_page_fmt_ms(tms, sizeof(tms), t_ms);
		svg_marker(h, svg, &sc, t_ms, "tee", tw_page_fmt(h, "T %s", tms), false,
			   CH_TOP + 12);
	}

	node cap = tw_page_el(h, fig, "figcaption", NULL);
	tw_page_add_text(h, cap,
			 tw_page_fmt(h, "%llu %s of %zu timed %s: median %s, p95 %s, slowest %s.",
				     (unsigned long long)n, tw_page_plural(n, "timing", "timings"),
				     timed, tw_page_plural(timed, "touchpoint", "touchpoints"), p50,
				     p95, max));
	if (t_ms > 0 && same_t)
		tw_page_add_text(h, cap,
				 tw_page_fmt(h, " Satisfied up to T = %s, tolerating up to 4T.",
					     tms));
	if (slowest && timed > 1) {
		tw_page_fmt_ms(max, sizeof(max), slowest_p95);
		tw_page_add_text(h, cap,
				 tw_page_fmt(h, " Slowest touchpoint (p95 %s): line %d, ", max,
					     slowest->step ? slowest->step->line : 0));
		tw_page_el_text(h, cap, "code", NULL, tw_page_step_source(slowest->step));
		tw_page_add_text(h, cap, ".");
	}
	tw_histogram_free(all);
}
