/*
 * The HTML report's latency chart (reports/chart.c): one rehearsal's
 * timings as an inline SVG histogram with its median, p95 and Apdex T.
 */
#ifndef TW_REPORTS_CHART_H
#define TW_REPORTS_CHART_H

#include <stddef.h>

#include "reports/html_internal.h"

/* Appends rehearsal i's chart (or a line saying nothing was timed) to
 * parent. Failures are kept in h, as for every builder call. */
void tw_page_chart(html *h, node parent, size_t i);

#endif
