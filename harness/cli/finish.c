/*
 * What techweek run and techweek merge share once a run's results are in:
 * the project file and gate, the score, the summary and verdict, and the
 * three reports. One function, so a merged run is scored and reported
 * exactly as the run one machine would have made.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "readiness/project.h"
#include "readiness/score.h"
#include "reports/html.h"

bool tw_cli_use_color(int setting)
{
	if (setting >= 0)
		return setting == 1;
	const char *no_color = getenv("NO_COLOR");
	const char *term = getenv("TERM");
	if (no_color && *no_color)
		return false;
	if (term && strcmp(term, "dumb") == 0)
		return false;
	return isatty(STDOUT_FILENO);
}

int tw_cli_load_project(const tw_cli_opts *o, tw_readiness_config *cfg)
{
	const char *path = o->project;
	if (!path && access("techweek.json", F_OK) == 0)
		path = "techweek.json";
	tw_error err = {0};
	if (path && tw_project_load(cfg, path, &err) != TW_OK) {
		tw_cli_print_error(&err);
		tw_error_clear(&err);
		return TW_EUSAGE;
	}
	if (o->gate >= 0)
		cfg->gate = o->gate;
	return TW_OK;
}

int tw_cli_finish(tw_run *run, const tw_cli_opts *o, const tw_readiness_config *cfg, int status)
{
	tw_error err = {0};
	tw_run_score score = {0};
	bool have_score = tw_readiness_score(run, cfg, &score, &err) == TW_OK;
	if (!have_score) {
		tw_cli_print_error(&err);
		tw_error_clear(&err);
	}
	unsigned flags = (tw_cli_use_color(o->color) ? TW_SUMMARY_COLOR : 0) |
			 (o->verbose ? TW_SUMMARY_VERBOSE : 0);
	if (!o->quiet) {
		tw_report_summary(run, stdout, flags, &err);
		tw_error_clear(&err);
		fflush(stdout);
	}
	if (have_score && !o->quiet) {
		tw_report_verdict(run, &score, stdout, flags, &err);
		tw_error_clear(&err);
		fflush(stdout);
	}
	/* A gate that does not hold fails a run whose rehearsals all
	 * passed; worse statuses stay. */
	if (have_score && !score.passed && status == TW_EXIT_PASSED)
		status = TW_EXIT_FAILED;
	if (!o->no_reports) {
		const tw_run_score *sc = have_score ? &score : NULL;
		struct {
			const char *given, *name, *label;
			int (*write)(const tw_run *, const struct tw_run_score *, const char *,
				     tw_error *);
		} reports[] = {
			{o->junit, "junit.xml", "JUnit report", tw_report_junit},
			{o->json, "result.json", "JSON result", tw_report_json},
			{o->html, "readiness.html", "HTML report", tw_report_html},
		};
		for (size_t i = 0; i < sizeof(reports) / sizeof(reports[0]); i++) {
			char *path = NULL;
			if (reports[i].given)
				path = strdup(reports[i].given);
			else if (asprintf(&path, "%s/%s", o->reports, reports[i].name) < 0)
				path = NULL;
			if (!path || reports[i].write(run, sc, path, &err) != TW_OK) {
				tw_cli_print_error(&err);
				tw_error_clear(&err);
				status = TW_EXIT_REPORT;
			} else if (!o->quiet) {
				printf("%s: %s\n", reports[i].label, path);
			}
			free(path);
		}
	}
	if (have_score)
		tw_run_score_free(&score);
	return status;
}
