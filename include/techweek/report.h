/*
 * Reports written from a finished run. Files are written atomically: a
 * temporary file beside the target, then rename, so a reader never sees a
 * half-written report.
 */
#ifndef TECHWEEK_REPORT_H
#define TECHWEEK_REPORT_H

#include <stdio.h>

#include "error.h"
#include "run.h"

/* JUnit XML: a testsuite per rehearsal, a testcase per scene. */
int tw_report_junit(const tw_run *run, const char *path, tw_error *err);

/* The JSON result: every rehearsal's and touchpoint's figures
 * (docs/reports.md). */
int tw_report_json(const tw_run *run, const char *path, tw_error *err);

enum {
	TW_SUMMARY_COLOR = 1 << 0,   /* ANSI colours */
	TW_SUMMARY_VERBOSE = 1 << 1, /* every step, not only failures */
};

/* The terminal summary, written to out. flags: TW_SUMMARY_*. */
int tw_report_summary(const tw_run *run, FILE *out, unsigned flags,
		      tw_error *err);

#endif
