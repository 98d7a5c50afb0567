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

/*
 * The symbols every report shows beside a status, the one table: the
 * terminal and the HTML report mark a status alike (docs/reports.md lists
 * them). Never the only signal: a word goes with each.
 */
#define TW_SYMBOL_PASSED "\xE2\x9C\x94"      /* ✔ */
#define TW_SYMBOL_FAILED "\xE2\x9C\x98"      /* ✘ */
#define TW_SYMBOL_UNREACHABLE "\xE2\x9A\xA0" /* ⚠ */
#define TW_SYMBOL_BROKEN "!"
#define TW_SYMBOL_SKIPPED "-"
#define TW_SYMBOL_LIMITED "\xE2\x8A\x98"     /* ⊘ */
/* A journey that met its required outcome rate despite failed
 * performances: neither passed nor failed. */
#define TW_SYMBOL_MET_DESPITE "\xE2\x97\x90" /* ◐ */
/* The HTML's health of a touchpoint between good (passed) and failing
 * (failed): its Apdex fair or poor, or flaky. */
#define TW_SYMBOL_FAIR "\xE2\x97\x94"        /* ◔ */
#define TW_SYMBOL_POOR "\xE2\x96\xB2"        /* ▲ */
#define TW_SYMBOL_FLAKY "\xE2\x89\x88"       /* ≈ */

/* A time stamp as every report shows it, with its zone: techweek stamps
 * in UTC ("2026-12-02T05:35:10Z"), and one read from an older result
 * without a zone ("2026-12-02T05:35:10", UTC too) gets its "Z". Into out
 * (TW_STAMP_SHOWN_SIZE), which it returns; "" for NULL. */
#define TW_STAMP_SHOWN_SIZE 48
const char *tw_stamp_shown(char *out, size_t size, const char *stamp);

/* A status's symbol (static storage): TW_SYMBOL_PASSED for passed, ... */
const char *tw_status_symbol(tw_status st);

#endif
