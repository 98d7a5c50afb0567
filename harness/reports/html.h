/*
 * The HTML readiness report: what a product owner reads to decide whether
 * the curtain goes up. One self-contained file (inline CSS and SVG, no
 * scripts, fonts or network), readable on a laptop and printable. The
 * content is described in docs/reports.md ("HTML readiness report").
 *
 * Its entry point, tw_report_html, is public: techweek/report.h.
 */
#ifndef TW_REPORTS_HTML_H
#define TW_REPORTS_HTML_H

#include "readiness/score.h"
#include "runner/run.h"
#include "techweek/report.h"

#endif
