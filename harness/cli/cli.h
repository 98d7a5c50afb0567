/*
 * The techweek command: parses options, calls the engine, prints. It is
 * the only code that writes to the terminal.
 */
#ifndef TW_CLI_H
#define TW_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "techweek.h"

/* Exit statuses (docs/cli.md). */
enum {
	TW_EXIT_PASSED = 0,
	TW_EXIT_FAILED = 1,
	TW_EXIT_USAGE = 2, /* usage or script error */
	TW_EXIT_UNREACHABLE = 3,
	TW_EXIT_REPORT = 4, /* a report could not be written */
	TW_EXIT_LIMITED = 5, /* techweek could not rehearse all of it (its
				own limits, not the service's faults) */
	TW_EXIT_INTERRUPTED = 130, /* Ctrl-C: 128 + SIGINT, as shells say it */
};

/* The exit statuses in words, for every command's help: one text, so the
 * helps cannot drift apart (tests/integration/docs_run.sh holds it to
 * docs/cli.md's table). */
#define TW_EXIT_HELP \
	"Exit status, the run's verdict: 0 READY (every critical journey reached its\n" \
	"required outcome rate, and the gate held when set), 1 NOT READY (a critical\n" \
	"journey short of its required outcome rate, the score below the gate, a\n" \
	"rehearsal below its minimum, or a regression against the baseline beyond\n" \
	"the project's limit), 2 usage or script error, 3 a run could not be carried\n" \
	"out (nothing listens), 4 a report could not be written (the old ones are all\n" \
	"kept), 5 techweek could not rehearse all of it (its own limits, not the\n" \
	"service's), 130 interrupted (Ctrl-C, SIGTERM; the reports hold what was\n" \
	"performed).\n"

typedef struct tw_cli_opts {
	tw_run_options run;
	tw_vars *vars;        /* owned */
	bool vars_given;      /* --var or --vars-file seen */
	const char **headers; /* --header lines (owned array of argv strings) */
	size_t header_count;
	const char *reports;  /* folder, default "reports" */
	const char *junit;    /* file; default <reports>/junit.xml */
	const char *json;     /* file; default <reports>/result.json */
	const char *html;     /* file; default <reports>/readiness.html */
	const char *project;  /* --project; NULL: ./techweek.json if present */
	tw_baseline *baseline; /* owned: --baseline FILE, read while parsing */
	double gate;          /* --gate; < 0: the project's, else none */
	long progress_ms;     /* --progress: 0 default, -1 none */
	bool performances_given;
	bool customers_given;
	bool no_reports;
	bool junit_locations; /* --junit-locations: file and line on each testcase */
	const char *cookie_jar; /* --cookie-jar FILE: the first performance's
				   jar is written there (issue 12, cap. 8) */
	int color;            /* -1 auto, 0 never, 1 always */
	bool verbose;
	bool quiet;
	char **paths;         /* borrowed from argv */
	size_t path_count;
	/* issue 13, SUITE: --tag, --skip-tag, --name (owned; always made)
	 * and --env NAME (borrowed from argv; NULL: none) */
	tw_selection *selection;
	const char *env;
	tw_data *data;        /* issue 13, DATA: --data FILE; owned */
} tw_cli_opts;

/* Parses argv (after the command word). Returns 0, or an exit status after
 * printing the problem (or the help, with status 0 and *done set). */
int tw_cli_parse(tw_cli_opts *o, const char *command, int argc, char **argv, bool *done);
void tw_cli_opts_free(tw_cli_opts *o);

/* The help of command ("run", "check", "merge"), made from the option table
 * (cli/options.c); nothing for another name. */
void tw_cli_help(FILE *out, const char *command);
/* The option table, for tests that hold docs/cli.md to it: the i-th row's
 * long name (without "--") and short name (0: none), NULL past the end;
 * whether command takes it. */
size_t tw_cli_option_count(void);
const char *tw_cli_option_name(size_t i, char *short_name);
bool tw_cli_option_takes(size_t i, const char *command);
/* The value's name in the help ("FILE", "auto|always|never"; NULL for a
 * switch), and the help command shows for it (NULL when it does not take
 * it): for the man pages' and completions' checks and generator. */
const char *tw_cli_option_arg(size_t i);
const char *tw_cli_option_help(size_t i, const char *command);
/* The i-th command of the table ("run", "check", "merge") and its one-line
 * summary; NULL past the end. */
const char *tw_cli_command_name(size_t i, const char **summary);

/* Expands the paths (files and folders of *.rehearsal) into a sorted list.
 * Paths that do not exist are listed too, so they are reported as broken.
 * Returns a malloc'd array of malloc'd strings. */
char **tw_cli_collect(const tw_cli_opts *o, size_t *count);
void tw_cli_free_list(char **list, size_t count);

/* Prints an engine error to stderr in the standard form. */
void tw_cli_print_error(const tw_error *err);

/* issue 13, SUITE: the selected rehearsals of paths[0..n): each file read
 * (a file that does not parse is kept, its error printed once) and
 * considered by o->selection. *scripts[i] is the parsed script or NULL
 * (the file did not parse: *errors[i] says why); both arrays have
 * *kept entries, and *kept_paths names them. Prints nothing else. Nothing
 * selected: prints "no rehearsal selected by ..." and returns TW_EUSAGE.
 * With --env and run (techweek run), prints the one message naming every
 * variable no one gives and returns TW_EUSAGE (check says each at its
 * place). TW_OK; TW_ENOMEM. Free with tw_cli_free_selected. */
typedef struct tw_cli_selected {
	char **paths;        /* borrowed from the collected list */
	tw_script **scripts; /* owned; NULL for a file that did not parse */
	tw_error *errors;    /* owned; the load error of a NULL script */
	size_t count;
} tw_cli_selected;
int tw_cli_select(const tw_cli_opts *o, char **paths, size_t n, bool run,
		  tw_cli_selected *out);
void tw_cli_free_selected(tw_cli_selected *s);
/* The project with --env in effect (o->vars gets the environment's
 * variables); prints any problem: TW_EUSAGE. */
int tw_cli_use_env(const tw_cli_opts *o, tw_project *project);

int tw_cmd_run(int argc, char **argv);
int tw_cmd_check(int argc, char **argv);
int tw_cmd_merge(int argc, char **argv);

/* The project file (--project, else ./techweek.json when there is one;
 * else the defaults) into *project, then --gate over the file's gate. A
 * bad file is printed: TW_EUSAGE (*project NULL). */
int tw_cli_load_project(const tw_cli_opts *o, tw_project **project);
/* Once the run's rehearsals are in (before it is performed): each gates
 * rule of project that matches none of them is a warning on stderr naming the
 * file and the rule, or, when it is a typo for a name or tag of the run
 * (tw_project_unmatched_rules), an error: TW_EUSAGE. TW_OK, or TW_ENOMEM. */
int tw_cli_check_rules(const tw_cli_opts *o, const tw_run *run, const tw_project *project);
/* From now on SIGINT and SIGTERM stop run (when not NULL) and are noted,
 * never fatal: tw_cli_finish still writes every report and then exits 130.
 * SIGPIPE is ignored (a failed write is reported instead). */
void tw_cli_catch_signals(tw_run *run);
/* True when the summary should be coloured (--color, NO_COLOR, a tty). */
bool tw_cli_use_color(int setting);
/*
 * What run and merge do once the run's results are in: score the run
 * under project, which decides its verdict (techweek/readiness.h), print the
 * summary and the verdict (unless --quiet), write the JUnit, JSON and HTML
 * reports (with --no-reports, only those named by --junit, --json and
 * --html). Returns the exit status: the verdict's (0 ready, 1 not ready, 2 broken, 3 unreachable, 5 limited, 130
 * interrupted), 4
 * when a report could not be written (then none is: the reports are one
 * set, tw_report_write_set), 130 when a signal came while it wrote them (it
 * completes them first).
 */
int tw_cli_finish(tw_run *run, const tw_cli_opts *o, const tw_project *project);

#endif
