/*
 * techweek check: every problem in every file, nothing sent. Exit 2 when
 * any file has a problem, so CI can lint rehearsals on every commit.
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
	for (size_t i = 0; i < n; i++) {
		tw_error err = {0};
		tw_script *script = NULL;
		if (tw_script_load(&script, paths[i], &err) != TW_OK) {
			tw_cli_print_error(&err);
			tw_error_clear(&err);
			problems++;
			bad_files++;
			continue;
		}
		tw_errors list = {0};
		size_t found = tw_script_check_data(script, o.vars_given ? o.vars : NULL, o.data,
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
		tw_script_free(script);
	}
	if (n == 0)
		fprintf(stderr, "techweek check: no *.rehearsal files found in the given folders\n");
	else if (!o.quiet)
		printf("%zu rehearsal%s checked: %zu problem%s in %zu file%s\n", n, n == 1 ? "" : "s",
		       problems, problems == 1 ? "" : "s", bad_files, bad_files == 1 ? "" : "s");
	tw_cli_free_list(paths, n);
	tw_cli_opts_free(&o);
	return n == 0 || problems ? TW_EXIT_USAGE : TW_EXIT_PASSED;
}
