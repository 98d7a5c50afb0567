/*
 * Reports written from a finished run. Files are written atomically: a
 * temporary file beside the target, then rename, so a reader never sees a
 * half-written report. A symlink is followed (its target replaced); a
 * device, FIFO or pipe is written straight through (docs/reports.md).
 */
#ifndef TECHWEEK_REPORT_H
#define TECHWEEK_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "common.h"
#include "error.h"
#include "readiness.h"
#include "run.h"

/* Every report takes the run's score (techweek/readiness.h) and shows it
 * when given; NULL leaves it out. Each refuses (TW_EUSAGE, nothing
 * written) a run never executed, whose rehearsals would read passed, and
 * a score tw_score_new made of another run, whose figures are another
 * run's rehearsals'. */

/* JUnit XML: a testsuite per rehearsal, a testcase per scene; the score and
 * its breakdown as properties when score is not NULL. Valid against the
 * Jenkins xUnit schema; for file and line on each testcase, write it with
 * tw_report_write_set_ext and TW_REPORT_JUNIT_LOCATIONS. */
TW_EXTERN(int) tw_report_junit(const tw_run *run, const tw_score *score, const char *path,
			       tw_error *err);

/* The JSON result: every rehearsal's and touchpoint's figures, the
 * readiness score when score is not NULL ("readiness": null otherwise), the
 * settings and the transcripts of failing performances (docs/reports.md,
 * docs/results-schema.json). */
TW_EXTERN(int) tw_report_json(const tw_run *run, const tw_score *score, const char *path,
			      tw_error *err);

/* The HTML readiness report (docs/reports.md): one self-contained page,
 * the score section left out when score is NULL. TW_OK; TW_EUSAGE without
 * a run or a path; TW_ENOMEM or TW_ELIMIT building it; TW_EIO naming path
 * when it cannot be written. */
TW_EXTERN(int) tw_report_html(const tw_run *run, const tw_score *score, const char *path,
			      tw_error *err);

/* The reports that can be written as files. */
typedef enum tw_report_kind {
	TW_REPORT_JUNIT,
	TW_REPORT_JSON,
	TW_REPORT_HTML,
} tw_report_kind;

/* One file of a set: which report and where (borrowed). Frozen as it
 * was first released: a program built against it passes an array of this
 * layout to tw_report_write_set. Options need tw_report_file_ext. */
typedef struct tw_report_file {
	tw_report_kind kind;
	const char *path;
} tw_report_file;

/* Writes the n reports as one set: each is rendered first, then all are
 * written, creating missing folders, or none is (the files already there
 * are left as they were; a device or pipe is written straight through,
 * docs/reports.md). Every report with its defaults. TW_OK; TW_EUSAGE (no
 * run, a path missing, an unknown kind); TW_ENOMEM or TW_ELIMIT
 * rendering; TW_EIO naming the path that failed. */
TW_EXTERN(int) tw_report_write_set(const tw_run *run, const tw_score *score,
				   const tw_report_file *files, size_t n, tw_error *err);

/* A JUnit report's option: `file` and `line` on each <testcase> (the
 * failing step's place, else the scene's), which GitLab, dorny/test-reporter
 * and mikepenz/action-junit-report read and the Jenkins xUnit schema
 * (junit-10.xsd) refuses; without it the report validates against that
 * schema (docs/reports.md). */
enum { TW_REPORT_JUNIT_LOCATIONS = 1 << 0 };

/* One file of a set, with its options. Versioned as tw_run_options is:
 * set each entry with TW_REPORT_FILE_EXT_INIT; a new version only adds
 * fields at the end. The library reads the array with the stride of the
 * version its first entry declares, so every entry must declare the same
 * one; a version 0 or above this library's is refused (TW_EUSAGE). */
#define TW_REPORT_FILE_EXT_VERSION 1
typedef struct tw_report_file_ext {
	unsigned version;    /* TW_REPORT_FILE_EXT_VERSION: always first */
	tw_report_kind kind;
	const char *path;    /* borrowed */
	unsigned options;    /* TW_REPORT_JUNIT_LOCATIONS for a JUnit report;
				0: the defaults. A bit this library does not
				know, or one for another kind, is refused
				(TW_EUSAGE naming the entry) */
} tw_report_file_ext;
#define TW_REPORT_FILE_EXT_INIT { .version = TW_REPORT_FILE_EXT_VERSION }

/* tw_report_write_set with each file's options: what techweek run does
 * with its three reports. The same results, and TW_EUSAGE for an entry's
 * version or options. */
TW_EXTERN(int) tw_report_write_set_ext(const tw_run *run, const tw_score *score,
				       const tw_report_file_ext *files, size_t n,
				       tw_error *err);

enum {
	TW_SUMMARY_COLOR = 1 << 0,   /* ANSI colours */
	TW_SUMMARY_VERBOSE = 1 << 1, /* every step, not only failures */
};

/* The width a summary fits when none is given: 80 columns. */
#define TW_SUMMARY_WIDTH 80

/* How the summary is written. Versioned as tw_run_options is: set it with
 * TW_SUMMARY_OPTIONS_INIT; a new version only adds fields at the end, and
 * a version 0 or above this library's is refused (TW_EUSAGE). */
#define TW_SUMMARY_OPTIONS_VERSION 1
typedef struct tw_summary_options {
	unsigned version; /* TW_SUMMARY_OPTIONS_VERSION: always first */
	unsigned flags;   /* TW_SUMMARY_* */
	unsigned width;   /* the terminal's columns: no line is wider, but
			     for a word wider than the whole width (a long
			     URL), alone on its line; 0: TW_SUMMARY_WIDTH */
} tw_summary_options;
#define TW_SUMMARY_OPTIONS_INIT { .version = TW_SUMMARY_OPTIONS_VERSION }

/* The terminal summary, written to out, ending with the counts; the
 * verdict is tw_report_verdict's. score may be NULL; with it, a journey
 * that met its required outcome rate despite failed performances is
 * marked and counted as such, not as failed. flags: TW_SUMMARY_*. */
TW_EXTERN(int) tw_report_summary(const tw_run *run, const tw_score *score, FILE *out,
				 unsigned flags, tw_error *err);
/* The same with options (NULL: the defaults): tw_report_summary is this
 * with flags and TW_SUMMARY_WIDTH. Written to out only once it is all
 * laid out. */
TW_EXTERN(int) tw_report_summary_ext(const tw_run *run, const tw_score *score, FILE *out,
				     const tw_summary_options *opts, tw_error *err);

/* The summary's last words: the readiness score, the run's verdict (the
 * score's, as every report shows it: "READY: curtain up", "NOT READY",
 * ...), the gate, rehearsals below their minimum and the three things
 * that cost the most points. */
TW_EXTERN(int) tw_report_verdict(const tw_run *run, const tw_score *score, FILE *out,
				 unsigned flags, tw_error *err);
TW_EXTERN(int) tw_report_verdict_ext(const tw_run *run, const tw_score *score, FILE *out,
				     const tw_summary_options *opts, tw_error *err);

#endif
