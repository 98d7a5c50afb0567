/*
 * techweek: the entry point. Dispatches to a command; every command's
 * options and exit statuses are in docs/cli.md.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static void usage(FILE *out)
{
	fputs("usage: techweek COMMAND [options] PATH...\n"
	      "\n"
	      "Rehearse customer journeys against real endpoints before go-live.\n"
	      "\n"
	      "commands:\n",
	      out);
	/* The commands' table (cli/options.c), which the completions are
	 * made from too. */
	const char *name, *summary;
	for (size_t i = 0; (name = tw_cli_command_name(i, &summary)); i++)
		fprintf(out, "  %-7s %s\n", name, summary);
	fputs("  help    show help for a command (techweek help run)\n"
	      "\n"
	      "  --version   print the version\n"
	      "\n" TW_EXIT_HELP,
	      out);
}

static int dispatch(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return TW_EXIT_USAGE;
	}
	const char *cmd = argv[1];
	static char help[] = "--help";
	char *help_argv[4] = {argv[0], NULL, help, NULL};
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("techweek %s\n", tw_version());
		return 0;
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "help") == 0) {
		if (argc < 3) {
			usage(stdout);
			return 0;
		}
		help_argv[1] = argv[2];
		argv = help_argv;
		argc = 3;
		cmd = argv[1];
	}
	if (strcmp(cmd, "run") == 0)
		return tw_cmd_run(argc - 1, argv + 1);
	if (strcmp(cmd, "check") == 0)
		return tw_cmd_check(argc - 1, argv + 1);
	if (strcmp(cmd, "merge") == 0)
		return tw_cmd_merge(argc - 1, argv + 1);
	fprintf(stderr, "techweek: unknown command '%s'\n\n", cmd);
	usage(stderr);
	return TW_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	/* libcurl's and libxml2's process-wide set-up, once, before the
	 * worker threads of --jobs start (include/techweek/global.h). */
	if (tw_global_init() < 0) {
		fputs("techweek: libcurl could not be initialised\n", stderr);
		return TW_EXIT_UNREACHABLE;
	}
	int status = dispatch(argc, argv);
	tw_global_cleanup();
	return status;
}
