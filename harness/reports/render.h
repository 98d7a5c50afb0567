/*
 * The three reports rendered into memory, so that tw_report_write_set
 * writes them as one set (core/fsutil.h): after a run, all of them new or
 * all as they were. tw_report_junit, tw_report_json and tw_report_html are these
 * followed by tw_write_file_atomic.
 *
 * out is initialised here, with the report's own cap; the caller frees it
 * with tw_buf_free, also after a failure. TW_OK; TW_EUSAGE without a run;
 * TW_ENOMEM or TW_ELIMIT building the report. score may be NULL.
 */
#ifndef TW_REPORTS_RENDER_H
#define TW_REPORTS_RENDER_H

#include "core/buf.h"
#include "readiness/score.h"
#include "runner/run.h"
#include "techweek/error.h"
#include "techweek/report.h"

int tw_report_junit_render(const tw_run *run, const tw_run_score *score, tw_buf *out,
			   tw_error *err);
/* The same with options: TW_REPORT_JUNIT_LOCATIONS (techweek/report.h). */
int tw_report_junit_render_with(const tw_run *run, const tw_run_score *score, unsigned options,
				tw_buf *out, tw_error *err);
int tw_report_json_render(const tw_run *run, const tw_run_score *score, tw_buf *out,
			  tw_error *err);
int tw_report_html_render(const tw_run *run, const tw_run_score *score, tw_buf *out,
			  tw_error *err);

typedef int (*tw_report_render_fn)(const tw_run *run, const tw_run_score *score, tw_buf *out,
				   tw_error *err);
/* render, then tw_write_file_atomic to path: what tw_report_junit, _json
 * and _html do. name (e.g. "tw_report_json") is for the usage error. */
/* Why the public report function name cannot report run with score:
 * TW_EUSAGE without a run, for one never executed (tw_run_performed), or
 * with a score of another run (tw_score_check_run); else TW_OK. */
int tw_report_refuse(const tw_run *run, const tw_run_score *score, const char *name,
		     tw_error *err);

int tw_report_write(tw_report_render_fn render, const char *name, const tw_run *run,
		    const tw_run_score *score, const char *path, tw_error *err);

#endif
