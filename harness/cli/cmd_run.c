/*
 * techweek run: load every rehearsal (a broken one is reported, the others
 * still run), perform them, print the summary, write the reports.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static bool use_color(int setting)
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

/* Loads and checks one file; a problem is printed and recorded as broken. */
static int load_one(tw_run *run, const char *path, const tw_vars *vars)
{
	tw_error err = {0};
	tw_script *script = NULL;
	if (tw_script_load(&script, path, &err) != TW_OK) {
		tw_cli_print_error(&err);
		int rc = tw_run_add_broken(run, path, &err);
		tw_error_clear(&err);
		return rc;
	}
	tw_errors problems = {0};
	if (tw_script_check(script, vars, &problems) > 0) {
		for (size_t i = 0; i < problems.count; i++)
			tw_cli_print_error(&problems.items[i]);
		int rc = tw_run_add_broken(run, path, &problems.items[0]);
		tw_errors_clear(&problems);
		tw_script_free(script);
		return rc;
	}
	tw_errors_clear(&problems);
	int rc = tw_run_add_script(run, script, &err);
	if (rc)
		tw_cli_print_error(&err);
	tw_error_clear(&err);
	return rc;
}

int tw_cmd_run(int argc, char **argv)
{
	tw_cli_opts o;
	bool done;
	int status = tw_cli_parse(&o, "run", argc, argv, &done);
	if (status || done) {
		tw_cli_opts_free(&o);
		return status;
	}
	size_t n = 0;
	char **paths = tw_cli_collect(&o, &n);
	tw_run *run = NULL;
	tw_error err = {0};
	if (n == 0) {
		fprintf(stderr, "techweek run: no *.rehearsal files found in the given folders\n");
		status = TW_EXIT_USAGE;
		goto out;
	}
	if (tw_run_new(&run, &o.run, &err) != TW_OK) {
		tw_cli_print_error(&err);
		status = TW_EXIT_UNREACHABLE;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (load_one(run, paths[i], o.vars) != TW_OK) {
			fprintf(stderr, "techweek: out of memory\n");
			status = TW_EXIT_UNREACHABLE;
			goto out;
		}
	if (tw_run_execute(run, &err) != TW_OK) {
		/* Whatever was performed is still reported below. */
		tw_cli_print_error(&err);
		tw_error_clear(&err);
	}
	status = (int)tw_run_verdict(run);
	if (!o.quiet) {
		unsigned flags = (use_color(o.color) ? TW_SUMMARY_COLOR : 0) |
				 (o.verbose ? TW_SUMMARY_VERBOSE : 0);
		tw_report_summary(run, stdout, flags, &err);
		tw_error_clear(&err);
		fflush(stdout);
	}
	if (!o.no_reports) {
		char *junit = NULL;
		if (o.junit)
			junit = strdup(o.junit);
		else if (asprintf(&junit, "%s/junit.xml", o.reports) < 0)
			junit = NULL;
		if (!junit || tw_report_junit(run, junit, &err) != TW_OK) {
			tw_cli_print_error(&err);
			tw_error_clear(&err);
			status = TW_EXIT_REPORT;
		} else if (!o.quiet) {
			printf("JUnit report: %s\n", junit);
		}
		free(junit);
	}
out:
	tw_run_free(run);
	tw_cli_free_list(paths, n);
	tw_cli_opts_free(&o);
	return status;
}
