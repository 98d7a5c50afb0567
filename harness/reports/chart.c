/*
 * The latency chart of the HTML report: every timed touchpoint of one
 * rehearsal merged into one histogram, drawn as inline SVG bars over a
 * linear scale, or a logarithmic one when the axis spans more than eight
 * times, with the median, p95 and (when all touchpoints share it) Apdex T
 * and 4T marked. The axis always reaches T, the line the reader judges
 * the timings by, and its ticks are round values ("nice numbers"), so no
 * two labels read alike; the count axis's are too, by the same rule, its
 * top grid line the ceiling the bars are drawn against. The bars and the caption say the same in words,
 * so the figure never depends on seeing colour or the picture.
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
#define CH_H 256.0
#define CH_LEFT 60.0
#define CH_RIGHT 20.0
#define CH_TOP 56.0
#define CH_BOTTOM 52.0
#define CH_BINS 32

/* Heckbert's nice number ("Nice numbers for graph labels", Graphics Gems,
 * 1990): 1, 2, 5 or 10 times a power of ten, the nearest to x when
 * rounding, else the first at or above it. */
static double nice_number(double x, bool rounding)
{
	double p = pow(10, floor(log10(x)));
	double f = x / p, m;
	if (rounding)
		m = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
	else
		m = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
	return m * p;
}

/* The decimals that write every multiple of step (1, 2 or 5 times a power
 * of ten) exactly: two labels a step apart never read alike. */
static int decimals_for(double step)
{
	int d = (int)ceil(-log10(step) - 1e-9);
	return d < 0 ? 0 : d;
}

static void tick_label(char *out, size_t size, double ms, bool in_s, int decimals)
{
	if (ms == 0)
		snprintf(out, size, "0");
	else
		snprintf(out, size, "%.*f %s", decimals, in_s ? ms / 1000 : ms, in_s ? "s" : "ms");
}

/* Below a microsecond nothing is measured, and the top bounds the number of
 * decades (at most TW_CHART_TICKS_MAX powers of ten). */
#define AXIS_MIN_MS 0.001
#define AXIS_MAX_MS 1e12

/* The ticks of a linear axis over lo..hi, a round step apart and no finer
 * than min_step, from the last at or below lo to the first at or above hi;
 * their labels are left to the caller. Returns the step. */
static double linear_at(tw_chart_axis *ax, double lo, double hi, double min_step)
{
	/* About five ticks: at most eight, as the step is at least a sixth of
	 * the range. */
	double step = fmax(nice_number(nice_number(hi - lo, false) / 4, true), min_step);
	double first = floor(lo / step + 1e-9), last = ceil(hi / step - 1e-9);
	ax->log = false;
	ax->ticks = 0;
	for (double k = first; k <= last && ax->ticks < TW_CHART_TICKS_MAX; k++)
		ax->at[ax->ticks++] = k * step;
	ax->lo = ax->at[0];
	ax->hi = ax->at[ax->ticks - 1];
	return step;
}

static void linear_ticks(tw_chart_axis *ax, double lo, double hi)
{
	double step = linear_at(ax, lo, hi, 0);
	bool in_s = ax->hi >= 1000;
	int decimals = decimals_for(in_s ? step / 1000 : step);
	for (size_t k = 0; k < ax->ticks; k++)
		tick_label(ax->label[k], TW_CHART_LABEL_MAX, ax->at[k], in_s, decimals);
}

void tw_page_chart_counts(tw_chart_axis *ax, uint64_t most)
{
	/* Whole counts: a step of at least one, and a bar to draw. */
	linear_at(ax, 0, most ? (double)most : 1, 1);
	for (size_t k = 0; k < ax->ticks; k++)
		snprintf(ax->label[k], TW_CHART_LABEL_MAX, "%.0f", ax->at[k]);
}

static void log_ticks(tw_chart_axis *ax, double lo, double hi)
{
	static const double mantissa[] = {1, 2, 5};
	int e0 = (int)floor(log10(lo) + 1e-9), e1 = (int)ceil(log10(hi) - 1e-9);
	/* 1, 2 and 5 times each power of ten, from the last at or below lo to
	 * the first at or above hi; the powers of ten alone when too many. */
	double at[3 * (TW_CHART_TICKS_MAX + 2)];
	size_t n = 0;
	for (int e = e0 - 1; e <= e1; e++)
		for (size_t m = 0; m < 3; m++) {
			double v = mantissa[m] * pow(10, e);
			if (v <= lo * (1 + 1e-9))
				n = 0; /* the axis starts here or later */
			if (!n || at[n - 1] < hi * (1 - 1e-9))
				at[n++] = v;
		}
	if (n > 7) {
		n = 0;
		for (int e = e0; e <= e1 && n < TW_CHART_TICKS_MAX; e++)
			at[n++] = pow(10, e);
	}
	ax->ticks = 0;
	for (size_t k = 0; k < n && ax->ticks < TW_CHART_TICKS_MAX; k++) {
		bool in_s = at[k] >= 1000;
		ax->at[ax->ticks] = at[k];
		tick_label(ax->label[ax->ticks], TW_CHART_LABEL_MAX, at[k], in_s,
			   decimals_for(in_s ? at[k] / 1000 : at[k]));
		ax->ticks++;
	}
}

void tw_page_chart_axis(tw_chart_axis *ax, double min_ms, double max_ms, double t_ms)
{
	double lo = isfinite(min_ms) && min_ms > 0 ? min_ms : 0;
	double hi = isfinite(max_ms) && max_ms > lo ? max_ms : lo;
	/* T is what the reader judges the timings by: always on the axis. */
	if (isfinite(t_ms) && t_ms > 0) {
		lo = fmin(lo, t_ms);
		hi = fmax(hi, t_ms);
		if (4 * t_ms <= 2 * hi)
			hi = fmax(hi, 4 * t_ms);
	}
	hi = fmin(hi, AXIS_MAX_MS);
	lo = fmin(lo, hi);
	/* One value, or nearly: a band around it. */
	if (hi - lo < hi * 0.02 || hi - lo < AXIS_MIN_MS) {
		double pad = fmax(hi * 0.05, 0.01);
		lo = fmax(lo - pad, 0);
		hi += pad;
	}
	ax->log = hi / fmax(lo, AXIS_MIN_MS) > 8;
	if (ax->log)
		log_ticks(ax, fmax(lo, AXIS_MIN_MS), hi);
	else
		linear_ticks(ax, lo, hi);
	ax->lo = ax->at[0];
	ax->hi = ax->at[ax->ticks - 1];
}

/* A bin's edges to the precision of its width: "1.084 s to 1.089 s". */
static void fmt_span(char *out, size_t size, double lo, double hi)
{
	bool in_s = hi >= 1000;
	double u = in_s ? 1000 : 1;
	int d = hi > lo ? decimals_for((hi - lo) / u) : 0;
	if (d > 6)
		d = 6;
	snprintf(out, size, "%.*f %s to %.*f %s", d, lo / u, in_s ? "s" : "ms", d, hi / u,
		 in_s ? "s" : "ms");
}

static double scale_pos(const tw_chart_axis *sc, double v)
{
	if (v < sc->lo)
		v = sc->lo;
	if (v > sc->hi)
		v = sc->hi;
	if (sc->log)
		return (log(v) - log(sc->lo)) / (log(sc->hi) - log(sc->lo));
	return (v - sc->lo) / (sc->hi - sc->lo);
}

static double scale_value(const tw_chart_axis *sc, double pos)
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

/* A vertical marker at value v, its line in `lines` and its label in
 * `labels` (drawn after every line, so no line crosses a label), on the
 * side where the label fits (about 6 units a character at 11px). */
static void svg_marker(html *h, node lines, node labels, const tw_chart_axis *sc, double v,
		       const char *cls, const char *label, bool label_left, double label_y)
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
	svg_line(h, lines, x, label_y - 10, x, CH_H - CH_BOTTOM, cls);
	svg_text(h, labels, label_left ? x - 4 : x + 4, label_y, label_left ? "end" : "start", cls, label);
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

	if (!same_t)
		t_ms = -1; /* one T per touchpoint: none to draw for them all */
	tw_chart_axis sc;
	tw_page_chart_axis(&sc, tw_histogram_min(all), tw_histogram_max(all), t_ms);

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
	uint64_t most = 0;
	for (size_t b = 0; b < CH_BINS; b++)
		if (bins[b] > most)
			most = bins[b];
	tw_chart_axis counts;
	tw_page_chart_counts(&counts, most);

	char p50[48], p95[48], max[48], tms[48], t4ms[48];
	double v50 = tw_histogram_percentile(all, 50), v95 = tw_histogram_percentile(all, 95);
	tw_page_fmt_ms(p50, sizeof(p50), v50);
	tw_page_fmt_ms(p95, sizeof(p95), v95);
	tw_page_fmt_ms(max, sizeof(max), tw_histogram_max(all));

	node fig = tw_page_el(h, parent, "figure", "chart");
	/* The SVG scales with the page but never below the width that keeps its
	 * 11-unit labels 9 px or more (the page's stylesheet): on a phone it
	 * scrolls sideways in this box, which a keyboard can reach. */
	node box = tw_page_el(h, fig, "div", "scroll");
	tw_page_attr(h, box, "tabindex", "0");
	tw_page_attr(h, box, "role", "group");
	tw_page_attr(h, box, "aria-label", "Latency chart");
	node svg = svg_el(h, box, "svg");
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
	/* Its rules are in the page's stylesheet (reports/html.c), scoped to
	 * svg.latency: a class here never meets a rule meant for the page. */
	tw_page_attr(h, svg, "class", "latency");

	double pw = CH_W - CH_LEFT - CH_RIGHT, ph = CH_H - CH_TOP - CH_BOTTOM;
	double base = CH_H - CH_BOTTOM;
	/* The count axis: a grid line at each tick, the top one the ceiling
	 * the bars are drawn against. */
	for (size_t k = 0; k < counts.ticks; k++) {
		double y = base - ph * counts.at[k] / counts.hi;
		svg_line(h, svg, CH_LEFT, y, CH_W - CH_RIGHT, y, k ? "grid" : "ax");
		svg_text(h, svg, CH_LEFT - 6, y + 4, "end", "lbl", counts.label[k]);
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
		double bh = ph * (double)bins[b] / counts.hi;
		if (bh < 1)
			bh = 1;
		node rect = svg_el(h, g, "rect");
		svg_attrf(h, rect, "x", CH_LEFT + bw * (double)b + 1);
		svg_attrf(h, rect, "y", base - bh);
		svg_attrf(h, rect, "width", bw - 2);
		svg_attrf(h, rect, "height", bh);
		tw_page_attr(h, rect, "class", "bin");
		char span[96];
		fmt_span(span, sizeof(span), scale_value(&sc, (double)b / CH_BINS),
			 scale_value(&sc, (double)(b + 1) / CH_BINS));
		tw_page_add_text(h, svg_el(h, rect, "title"),
				 tw_page_fmt(h, "%s: %llu %s", span, (unsigned long long)bins[b],
					     tw_page_plural(bins[b], "timing", "timings")));
	}

	/* The latency axis: a label under each tick, the ends held inside. */
	for (size_t k = 0; k < sc.ticks; k++) {
		double x = CH_LEFT + scale_pos(&sc, sc.at[k]) * pw;
		svg_line(h, svg, x, base, x, base + 4, "ax");
		svg_text(h, svg, x, base + 16,
			 k == 0 ? "start" : k + 1 == sc.ticks ? "end" : "middle", "lbl",
			 sc.label[k]);
	}
	svg_text(h, svg, CH_LEFT + pw / 2, CH_H - 10, "middle", "ttl",
		 sc.log ? "latency (logarithmic scale)" : "latency");

	node lines = svg_el(h, svg, "g"), labels = svg_el(h, svg, "g");
	svg_marker(h, lines, labels, &sc, v50, "p50", tw_page_fmt(h, "median %s", p50), true, 14);
	svg_marker(h, lines, labels, &sc, v95, "p95", tw_page_fmt(h, "p95 %s", p95), false, 30);
	/* T and 4T share a row above the plot, T's label left of its line and
	 * 4T's right of it, so the two never meet. 4T is on the axis only
	 * when near the timings; the caption says it either way. */
	if (t_ms > 0) {
		tw_page_fmt_ms(tms, sizeof(tms), t_ms);
		tw_page_fmt_ms(t4ms, sizeof(t4ms), 4 * t_ms);
		svg_marker(h, lines, labels, &sc, t_ms, "tee", tw_page_fmt(h, "T %s", tms), true,
			   CH_TOP - 10);
		svg_marker(h, lines, labels, &sc, 4 * t_ms, "tee4", tw_page_fmt(h, "4T %s", t4ms), false,
			   CH_TOP - 10);
	}

	node cap = tw_page_el(h, fig, "figcaption", NULL);
	tw_page_add_text(h, cap,
			 tw_page_fmt(h, "%llu %s of %zu timed %s: median %s, p95 %s, slowest %s.",
				     (unsigned long long)n, tw_page_plural(n, "timing", "timings"),
				     timed, tw_page_plural(timed, "touchpoint", "touchpoints"), p50,
				     p95, max));
	if (t_ms > 0)
		tw_page_add_text(h, cap,
				 tw_page_fmt(h, " Satisfied up to T = %s, tolerating up to 4T = %s.",
					     tms, t4ms));
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
