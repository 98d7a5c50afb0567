/*
 * What techweek run and techweek merge share once a run's results are in:
 * the project file and gate, the score, the summary and verdict, and the
 * three reports. One function, so a merged run is scored and reported
 * exactly as the run one machine would have made.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/cli.h"

/* The run a signal stops, and how many signals came. A signal handler can
 * reach nothing else; this is the CLI's, never the engine's. */
static tw_run *volatile interruptible;
static volatile sig_atomic_t signals_seen;

static void on_signal(int sig)
{
	(void)sig;
	if (signals_seen < 1000)
		signals_seen++;
	tw_run *run = interruptible;
	if (run)
		tw_run_stop(run);
}

void tw_cli_catch_signals(tw_run *run)
{
	interruptible = run;
	/* SA_RESTART: a signal must not cut the summary short (stdio drops
	 * what an interrupted write did not take). */
	struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A reader that went away (techweek run --json /dev/stdout | head)
	 * fails the write, which is reported; it must not kill techweek with
	 * temporary files left behind. */
	signal(SIGPIPE, SIG_IGN);
}

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

/* The columns the summary fits: the terminal's, when stdout is one;
 * else COLUMNS, when it holds a sane number (as a shell sets it: 20 to
 * 1000); else 80. */
#define MIN_WIDTH 20
#define MAX_WIDTH 1000
static unsigned summary_width(void)
{
	struct winsize ws;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	const char *columns = getenv("COLUMNS");
	char *end = NULL;
	unsigned long n = columns ? strtoul(columns, &end, 10) : 0;
	if (columns && *columns >= '0' && *columns <= '9' && !*end && n >= MIN_WIDTH &&
	    n <= MAX_WIDTH)
		return (unsigned)n;
	return TW_SUMMARY_WIDTH;
}

/* --project, else ./techweek.json when there is one; NULL: none. */
static const char *project_path(const tw_cli_opts *o)
{
	if (!o->project && access("techweek.json", F_OK) == 0)
		return "techweek.json";
	return o->project;
}

int tw_cli_load_project(const tw_cli_opts *o, tw_project **project)
{
	const char *path = project_path(o);
	tw_error err = {0};
	int rc = path ? tw_project_open(project, path, &err) : tw_project_new(project, &err);
	if (rc != TW_OK) {
		tw_cli_print_error(&err);
		tw_error_clear(&err);
		return TW_EUSAGE;
	}
	/* issue 13, SUITE: the environment's vars and gate; --gate wins */
	if (tw_cli_use_env(o, *project) != TW_OK) {
		tw_project_free(*project);
		*project = NULL;
		return TW_EUSAGE;
	}
	if (o->gate >= 0)
		tw_project_set_gate(*project, o->gate);
	return TW_OK;
}

int tw_cli_check_rules(const tw_cli_opts *o, const tw_run *run, const tw_project *project)
{
	tw_unmatched_rule *list;
	size_t n;
	tw_error err = {0};
	int rc = tw_project_unmatched_rules(&list, &n, project, run, &err);
	if (rc != TW_OK) {
		tw_cli_print_error(&err);
		tw_error_clear(&err);
		return rc;
	}
	const char *path = project_path(o);
	for (size_t i = 0; i < n; i++) {
		const tw_unmatched_rule *u = &list[i];
		const char *rehearsal = tw_project_rule_rehearsal(project, u->rule);
		char what[512], near[512] = "";
		snprintf(what, sizeof(what), "gates[%zu]: no rehearsal of this run %s '%s'", u->rule,
			 rehearsal ? "is named" : "has the tag",
			 rehearsal ? rehearsal : tw_project_rule_tag(project, u->rule));
		if (u->near)
			snprintf(near, sizeof(near), " (did you mean '%s'? %s)", u->near,
				 u->typo ? "No rule names that one, so it would be left at the default bar"
					 : "It has a rule of its own");
		if (u->typo) {
			tw_error_set_at(&err, TW_EUSAGE, path, 0, 0, NULL, "%s%s", what, near);
			tw_cli_print_error(&err);
			tw_error_clear(&err);
			rc = TW_EUSAGE;
		} else {
			fprintf(stderr, "%s: warning: %s%s, so the rule sets nothing in this run\n",
				path ? path : TW_PROJECT_FILE, what, near);
		}
	}
	if (rc == TW_EUSAGE)
		fputs("techweek: stopped before anything was performed or written; a rule meant for "
		      "a rehearsal outside this run? Give the one it is close to a rule of its own "
		      "(docs/readiness.md)\n",
		      stderr);
	tw_unmatched_rules_free(list);
	return rc;
}

/* The three reports as one set (tw_report_write_set_ext): rendered first, then all
 * written or none. --no-reports leaves out the ones at their default
 * place: a report named by --junit, --json or --html was asked for (a
 * shard's part, docs/sharding.md). Lists them once they are all written;
 * otherwise prints why. TW_OK or the failure's code. */
static int write_reports(const tw_run *run, const tw_score *sc, const tw_cli_opts *o)
{
	static const struct {
		const char *name, *label;
		tw_report_kind kind;
	} reports[] = {
		{"junit.xml", "JUnit report", TW_REPORT_JUNIT},
		{"result.json", "JSON result", TW_REPORT_JSON},
		{"readiness.html", "HTML report", TW_REPORT_HTML},
	};
	enum { N = sizeof(reports) / sizeof(reports[0]) };
	const char *given[N] = {o->junit, o->json, o->html};
	char *paths[N] = {0};
	tw_report_file_ext files[N];
	size_t nfiles = 0;
	tw_error err = {0};
	int rc = TW_OK;
	for (size_t i = 0; i < N && !rc; i++) {
		if (o->no_reports && !given[i])
			continue;
		if (given[i])
			paths[i] = strdup(given[i]);
		else if (asprintf(&paths[i], "%s/%s", o->reports, reports[i].name) < 0)
			paths[i] = NULL;
		if (!paths[i])
			rc = tw_error_set(&err, TW_ENOMEM, "out of memory");
		tw_report_file_ext f = TW_REPORT_FILE_EXT_INIT;
		f.kind = reports[i].kind;
		f.path = paths[i];
		if (reports[i].kind == TW_REPORT_JUNIT && o->junit_locations)
			f.options = TW_REPORT_JUNIT_LOCATIONS;
		files[nfiles++] = f;
	}
	if (!rc && nfiles)
		rc = tw_report_write_set_ext(run, sc, files, nfiles, &err);
	if (rc) {
		tw_cli_print_error(&err);
		fputs("techweek: no report written; the report files already there are left "
		      "as they were\n", stderr);
	} else if (!o->quiet) {
		for (size_t i = 0; i < N; i++)
			if (paths[i])
				printf("%s: %s\n", reports[i].label, paths[i]);
	}
	tw_error_clear(&err);
	for (size_t i = 0; i < N; i++)
		free(paths[i]);
	return rc;
}

/* --cookie-jar: the run's first performance's jar, written whatever the
 * verdict (a failed run's cookies help the most). TW_OK or the failure's
 * code, said on stderr; with no performance ended there is no jar, which
 * is said and is no failure. */
static int write_cookie_jar(const tw_run *run, const tw_cli_opts *o)
{
	if (!o->cookie_jar)
		return TW_OK;
	tw_error err = {0};
	int rc = tw_run_write_cookies(run, o->cookie_jar, &err);
	if (rc == TW_EUSAGE) {
		/* nothing was performed (every script broken): the verdict
		 * says why, and there is no jar to lose */
		fprintf(stderr, "techweek: --cookie-jar: %s\n", err.message);
		tw_error_clear(&err);
		return TW_OK;
	}
	if (rc) {
		tw_cli_print_error(&err);
		tw_error_clear(&err);
	} else if (!o->quiet) {
		printf("Cookie jar: %s\n", o->cookie_jar);
	}
	return rc;
}

/* The verdicts are the exit statuses. */
_Static_assert((int)TW_VERDICT_LIMITED == TW_EXIT_LIMITED &&
		       (int)TW_VERDICT_INTERRUPTED == TW_EXIT_INTERRUPTED,
	       "a verdict's value is its exit status");

int tw_cli_finish(tw_run *run, const tw_cli_opts *o, const tw_project *project)
{
	/* From here to the last report, a signal is noted, never fatal. */
	tw_cli_catch_signals(NULL);
	sig_atomic_t seen_before = signals_seen;
	tw_error err = {0};
	tw_score *score = NULL;
	bool have_score = tw_score_new(&score, run, project, &err) == TW_OK;
	/* The exit status is the verdict every report shows; without a score
	 * (out of memory) the run could not be judged. */
	int status = have_score ? (int)tw_score_verdict(score) : TW_EXIT_UNREACHABLE;
	if (!have_score) {
		tw_cli_print_error(&err);
		tw_error_clear(&err);
	}
	/* Against the last good run: a regression beyond the project's
	 * limits lowers the verdict, which every report then shows. */
	if (have_score && o->baseline) {
		if (tw_score_compare(score, run, o->baseline, project, &err) == TW_OK) {
			status = (int)tw_score_verdict(score);
		} else {
			tw_cli_print_error(&err);
			tw_error_clear(&err);
			status = TW_EXIT_UNREACHABLE;
		}
	}
	tw_summary_options so = TW_SUMMARY_OPTIONS_INIT;
	so.flags = (tw_cli_use_color(o->color) ? TW_SUMMARY_COLOR : 0) |
		   (o->verbose ? TW_SUMMARY_VERBOSE : 0);
	so.width = summary_width();
	if (!o->quiet) {
		tw_report_summary_ext(run, score, stdout, &so, &err);
		tw_error_clear(&err);
		fflush(stdout);
	}
	if (have_score && !o->quiet) {
		tw_report_verdict_ext(run, score, stdout, &so, &err);
		tw_error_clear(&err);
		fflush(stdout);
	}
	if (write_reports(run, score, o) != TW_OK)
		status = TW_EXIT_REPORT;
	if (write_cookie_jar(run, o) != TW_OK)
		status = TW_EXIT_REPORT;
	/* A signal while the summary and the reports were written stopped
	 * nothing: they are complete, and the status says it came. */
	if (signals_seen != seen_before) {
		fprintf(stderr, "techweek: interrupted while writing the reports; they were "
				"completed first\n");
		if (status != TW_EXIT_REPORT)
			status = TW_EXIT_INTERRUPTED;
	}
	tw_score_free(score);
	return status;
}
