/*
 * issue 13, SUITE: the selection (--tag, --skip-tag, --name) and the
 * environment (--env) of a run, as the run keeps them for its reports
 * (public API: techweek/suite.h). runner/suite.c makes them; json.c,
 * junit.c, html.c and summary.c show them through the helpers below;
 * json_read.c reads them back so techweek merge keeps them.
 */
#ifndef TW_RUNNER_SUITE_H
#define TW_RUNNER_SUITE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "techweek/suite.h"

typedef struct tw_str_list {
	char **items; /* owned, each owned */
	size_t count;
	size_t cap;
} tw_str_list;

typedef struct tw_left_out {
	char *path; /* owned */
	char *name; /* owned; the path when the file did not parse */
	char *why;  /* owned: "without tag smoke" */
	tw_str_list tags; /* its tags, for the project's gates rules (not in
			     the JSON: a merged run has none) */
} tw_left_out;

struct tw_selection {
	tw_str_list tags, skip_tags, names; /* the options, as given */
	size_t considered, selected;
	tw_left_out *left;                  /* owned; left_count of them */
	size_t left_count, left_cap;
	tw_str_list seen;                   /* tags of the files read, sorted, once each */
	/* issue 13, F4: the rehearsal names of the files read, sorted, once
	 * each: a --name that matches nothing lists a few */
	tw_str_list seen_names;
};

/* A deep copy of sel (NULL on out of memory). */
tw_selection *tw_selection_copy(const tw_selection *sel);

/* The JSON result's "selection" of run: an object, or null when no option
 * selected (a new reference; NULL on out of memory). */
json_t *tw_suite_selection_json(const tw_run *run);
/* Reads a part's "selection" and "environment" (format 9) into run, for
 * techweek merge. TW_OK; TW_EUSAGE naming file and key; TW_ENOMEM. */
int tw_suite_read_json(tw_run *run, json_t *doc, const char *file, tw_error *err);

/* Whether a left-out rehearsal has this name (name not NULL) or this tag
 * (tag not NULL): a project's gates rule meant for it is neither a typo nor
 * worth a warning in a run that left it out on purpose. */
bool tw_suite_left_out_matches(const tw_run *run, const char *name, const char *tag);

/* The summary's lines under its header: "  environment staging",
 * "  selected 3 of 7 rehearsals: ..." and, verbose, a line per file left
 * out. Nothing when neither applies. */
void tw_suite_summary_lines(FILE *out, const tw_run *run, bool verbose);

/* One line for the HTML report and the JUnit properties: the options as
 * given (NULL: no selection; malloc'd), and what was left out ("3 of 7
 * rehearsals selected: ..."; NULL: no selection; malloc'd). */
char *tw_suite_selection_options(const tw_run *run);
char *tw_suite_selection_line(const tw_run *run);

#endif
