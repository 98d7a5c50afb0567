/*
 * The HTML report's latency chart (reports/chart.c): one rehearsal's
 * timings as an inline SVG histogram with its median, p95 and Apdex T.
 */
#ifndef TW_REPORTS_CHART_H
#define TW_REPORTS_CHART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reports/html_internal.h"

/* An axis of the chart (the latency's, or the count's): its ends are its
 * first and last ticks, and every tick is a round value, so no two labels
 * read alike. */
#define TW_CHART_TICKS_MAX 16
#define TW_CHART_LABEL_MAX 16

typedef struct tw_chart_axis {
	double lo, hi; /* the first and the last tick (ms, or timings) */
	bool log;      /* logarithmic: the timings span more than 8 times */
	size_t ticks;  /* 2 to TW_CHART_TICKS_MAX */
	double at[TW_CHART_TICKS_MAX];
	char label[TW_CHART_TICKS_MAX][TW_CHART_LABEL_MAX]; /* "0", "850 ms", "1.25 s", "20" */
} tw_chart_axis;

/* The axis for timings from min_ms to max_ms against target T (t_ms; none
 * when not above 0). It reaches T wherever T is, and 4T when 4T is within
 * twice the top of the timings and T. Linear ticks are 1, 2 or 5 times a
 * power of ten apart, labelled in one unit to the step's precision;
 * logarithmic ones are 1, 2 and 5 times powers of ten, or powers of ten
 * alone when those would be more than 7. */
void tw_page_chart_axis(tw_chart_axis *ax, double min_ms, double max_ms, double t_ms);

/* The count axis for bars up to most timings: from 0, a whole step of 1,
 * 2 or 5 times a power of ten, up to the first step at or above most (the
 * ceiling the bars are drawn against), by the latency axis's linear rule. */
void tw_page_chart_counts(tw_chart_axis *ax, uint64_t most);

/* Appends rehearsal i's chart (or a line saying nothing was timed) to
 * parent. Failures are kept in h, as for every builder call. */
void tw_page_chart(html *h, node parent, size_t i);

#endif
