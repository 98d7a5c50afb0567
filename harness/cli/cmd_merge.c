/*
 * techweek merge: the JSON results of every shard of one run (techweek run
 * --shard I/N) read back into one run (reports/json_read.c), then scored and
 * reported exactly as techweek run does (cli/finish.c). A bad part is a
 * usage error naming the file, and nothing is written.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

int tw_cmd_merge(int argc, char **argv)
{
	tw_cli_opts o;
	bool done;
	int status = tw_cli_parse(&o, "merge", argc, argv, &done);
	if (status || done) {
		tw_cli_opts_free(&o);
		return status;
	}
	tw_project *project = NULL;
	tw_run *run = NULL;
	tw_error err = {0};
	if (tw_cli_load_project(&o, &project) != TW_OK) {
		status = TW_EXIT_USAGE;
		goto out;
	}
	if (tw_run_load_parts(&run, (const char *const *)o.paths, o.path_count, &err) != TW_OK) {
		fputs("techweek merge: ", stderr);
		tw_cli_print_error(&err);
		status = err.code == TW_ENOMEM ? TW_EXIT_UNREACHABLE : TW_EXIT_USAGE;
		tw_error_clear(&err);
		goto out;
	}
	int checked = tw_cli_check_rules(&o, run, project);
	if (checked != TW_OK) {
		status = checked == TW_EUSAGE ? TW_EXIT_USAGE : TW_EXIT_UNREACHABLE;
		goto out;
	}
	status = tw_cli_finish(run, &o, project);
out:
	tw_run_free(run);
	tw_project_free(project);
	tw_cli_opts_free(&o);
	return status;
}
