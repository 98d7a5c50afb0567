/*
 * techweek check: every problem in every file, nothing sent. Exit 2 when
 * any file has a problem, so CI can lint rehearsals on every commit.
 * --tag, --skip-tag and --name check the rehearsals a run with them would
 * perform; --env checks them with that environment's variables (issue 13).
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

int tw_cmd_check(int argc, char **argv)
{
	tw_cli_opts o;
	bool done;
	int status = tw_cli_parse(&o, "check", argc, argv, &done);
	if (status || done) {
		tw_cli_opts_free(&o);
		return status;
	}
	size_t n = 0, problems = 0, bad_files = 0;
	char **paths = tw_cli_collect(&o, &n);
	tw_cli_selected sel = {0};
	tw_project *project = NULL;
	if (n == 0) {
		fprintf(stderr, "techweek check: no *.rehearsal files found in the given folders\n");
		status = TW_EXIT_USAGE;
		goto out;
	}
	/* issue 13, SUITE: the project file only matters to check for its
	 * environments. */
	if (o.env && tw_cli_load_project(&o, &project) != TW_OK) {
		status = TW_EXIT_USAGE;
		goto out;
	}
	int rc = tw_cli_select(&o, paths, n, false, &sel);
	if (rc != TW_OK) {
		if (rc == TW_ENOMEM)
			fprintf(stderr, "techweek: out of memory\n");
		status = rc == TW_EUSAGE ? TW_EXIT_USAGE : TW_EXIT_UNREACHABLE;
		goto out;
	}
	for (size_t i = 0; i < sel.count; i++) {
		if (!sel.scripts[i]) {
			tw_cli_print_error(&sel.errors[i]);
			problems++;
			bad_files++;
			continue;
		}
		tw_errors list = {0};
		size_t found = tw_script_check_data(sel.scripts[i],
						    o.vars_given || o.env ? o.vars : NULL, o.data,
						    &list);
		for (size_t j = 0; j < list.count; j++)
			tw_cli_print_error(&list.items[j]);
		if (list.lost) {
			tw_error oom = {.code = TW_ENOMEM}; /* problems it could not list */
			tw_cli_print_error(&oom);
		}
		problems += found;
		bad_files += found > 0;
		tw_errors_clear(&list);
	}
	if (!o.quiet) {
		if (tw_selection_active(o.selection)) {
			char *line = tw_selection_summary(o.selection);
			printf("%s\n", line ? line : "out of memory");
			free(line);
		}
		printf("%zu rehearsal%s checked: %zu problem%s in %zu file%s\n", sel.count,
		       sel.count == 1 ? "" : "s", problems, problems == 1 ? "" : "s", bad_files,
		       bad_files == 1 ? "" : "s");
	}
	status = problems ? TW_EXIT_USAGE : TW_EXIT_PASSED;
out:
	tw_cli_free_selected(&sel);
	tw_project_free(project);
	tw_cli_free_list(paths, n);
	tw_cli_opts_free(&o);
	return status;
}
