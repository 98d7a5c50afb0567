/*
 * Reports written from a finished run. Files are written atomically: a
 * temporary file beside the target, then rename, so a reader never sees a
 * half-written report. A symlink is followed (its target replaced); a
 * device, FIFO or pipe is written straight through (docs/reports.md).
 */
#ifndef TECHWEEK_REPORT_H
#define TECHWEEK_REPORT_H

#include <stdio.h>

#include "error.h"
#include "run.h"

/* The readiness score of a run (harness/readiness/score.h); reports show
 * it when given, and NULL leaves it out. */
struct tw_run_score;

/* JUnit XML: a testsuite per rehearsal, a testcase per scene; the score and
 * its breakdown as properties when score is not NULL. */
TW_EXTERN(int) tw_report_junit(const tw_run *run, const struct tw_run_score *score, const char *path,
			       tw_error *err);

/* The JSON result: every rehearsal's and touchpoint's figures, the
 * readiness score when score is not NULL ("readiness": null otherwise), the
 * settings and the transcripts of failing performances (docs/reports.md,
 * docs/results-schema.json). */
TW_EXTERN(int) tw_report_json(const tw_run *run, const struct tw_run_score *score, const char *path,
			      tw_error *err);

enum {
	TW_SUMMARY_COLOR = 1 << 0,   /* ANSI colours */
	TW_SUMMARY_VERBOSE = 1 << 1, /* every step, not only failures */
};

/* The terminal summary, written to out, ending with the counts; the
 * verdict is tw_report_verdict's. score may be NULL; with it, a journey
 * that met its required outcome rate despite failed performances is
 * marked and counted as such, not as failed. flags: TW_SUMMARY_*. */
TW_EXTERN(int) tw_report_summary(const tw_run *run, const struct tw_run_score *score, FILE *out,
				 unsigned flags, tw_error *err);

/* The summary's last words: the readiness score, the run's verdict (the
 * score's, as every report shows it: "READY: curtain up", "NOT READY",
 * ...), the gate, rehearsals below their minimum and the three things
 * that cost the most points. */
TW_EXTERN(int) tw_report_verdict(const tw_run *run, const struct tw_run_score *score, FILE *out,
				 unsigned flags, tw_error *err);

#endif
