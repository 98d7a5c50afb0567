/*
 * The HTML readiness report: what a product owner reads to decide whether
 * the curtain goes up. One self-contained file (inline CSS and SVG, no
 * scripts, fonts or network), readable on a laptop and printable. The
 * content is described in docs/reports.md ("HTML readiness report").
 *
 * Internal (not in include/techweek/report.h) because the score's types
 * (readiness/score.h) are internal.
 */
#ifndef TW_REPORTS_HTML_H
#define TW_REPORTS_HTML_H

#include "readiness/score.h"
#include "runner/run.h"
#include "techweek/error.h"

/*
 * Writes the report for run to path, atomically (core/fsutil.h), creating
 * missing folders. score may be NULL: the report then has no score
 * section. TW_OK; TW_EUSAGE without a run or a path; TW_ENOMEM or
 * TW_ELIMIT building it; TW_EIO naming path when it cannot be written.
 */
int tw_report_html(const tw_run *run, const tw_run_score *score, const char *path, tw_error *err);

#endif
