/*
 * The options of run, check and merge: one table (options[] below), from
 * which getopt_long's tables and every command's --help are made, and a
 * handler per option that takes its value. Durations take a unit (500ms,
 * 10s, 2m; a bare number is seconds, as in curl); sizes take K, M or G.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"

static int parse_duration(const char *s, long *out)
{
	char *end;
	double v;
	if (!tw_decimal(s, &v, &end))
		return -1;
	double ms;
	if (strcmp(end, "ms") == 0)
		ms = v;
	else if (strcmp(end, "s") == 0 || *end == '\0')
		ms = v * 1000;
	else if (strcmp(end, "m") == 0)
		ms = v * 60000;
	else if (strcmp(end, "h") == 0)
		ms = v * 3600000;
	else
		return -1;
	if (!(ms >= 1 && ms <= 86400000.0))
		return -1;
	/* Timers count whole milliseconds. */
	*out = lround(ms);
	return 0;
}

/* -1: not a size; -2: a size that is not a whole number of bytes (0.5, 1.1K). */
static int parse_size(const char *s, size_t *out)
{
	char *end;
	double v;
	if (!tw_decimal(s, &v, &end) || v <= 0)
		return -1;
	double mult = 1;
	if (*end == 'K' || *end == 'k')
		mult = 1024, end++;
	else if (*end == 'M' || *end == 'm')
		mult = 1024.0 * 1024, end++;
	else if (*end == 'G' || *end == 'g')
		mult = 1024.0 * 1024 * 1024, end++;
	if (*end == 'B' || *end == 'b')
		end++;
	double bytes = v * mult;
	if (*end || bytes > (double)TW_MAX_BODY_LIMIT)
		return -1;
	/* The product of a decimal and a power of two is exact when whole;
	 * allow only the rounding error of the decimal itself. */
	if (fabs(bytes - round(bytes)) > 1e-9 * bytes)
		return -2;
	*out = (size_t)round(bytes);
	return 0;
}

static int bad(const char *command, const char *fmt, const char *arg)
{
	fprintf(stderr, "techweek %s: ", command);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(see techweek %s --help)\n", command);
	return TW_EXIT_USAGE;
}

/* What a handler works on: the options being filled and the command (for
 * its messages). */
typedef struct parse_state {
	tw_cli_opts *o;
	const char *command;
} parse_state;

/* Takes one option's value (NULL for a switch): 0, or the exit status
 * after printing the problem. */
typedef int take_fn(parse_state *p, const char *a);

static int take_var(parse_state *p, const char *a)
{
	tw_error err = {0};
	if (tw_vars_set_assignment(p->o->vars, a, &err) != TW_OK) {
		int rc = bad(p->command, "%s", err.message);
		tw_error_clear(&err);
		return rc;
	}
	p->o->vars_given = true;
	return 0;
}

static int take_vars_file(parse_state *p, const char *a)
{
	/* The file's values must not override --var given before it on the
	 * line: load into a scratch set. */
	tw_error err = {0};
	tw_vars *file = tw_vars_new();
	if (!file || tw_vars_load_file(file, a, &err) != TW_OK) {
		tw_vars_free(file);
		tw_cli_print_error(&err);
		tw_error_clear(&err);
		return TW_EXIT_USAGE;
	}
	for (size_t i = 0; i < tw_vars_count(file); i++) {
		const char *n, *v;
		tw_vars_at(file, i, &n, &v, NULL);
		if (!tw_vars_get(p->o->vars, n, NULL))
			tw_vars_set(p->o->vars, n, v, false);
	}
	tw_vars_free(file);
	p->o->vars_given = true;
	return 0;
}

/* issue 13, DATA: --data FILE, read now: a missing or malformed file is
 * a usage error before anything is sent. */
static int take_data(parse_state *p, const char *a)
{
	if (p->o->data)
		return bad(p->command, "%s", "--data is given twice: one data file per run");
	tw_error err = {0};
	if (tw_data_load(&p->o->data, a, &err) != TW_OK) {
		tw_cli_print_error(&err);
		tw_error_clear(&err);
		return TW_EXIT_USAGE;
	}
	p->o->run.data = p->o->data;
	return 0;
}

/* A whole number from min to max, or a usage error naming the option. */
static int count(parse_state *p, const char *name, const char *a, unsigned long min,
		 unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(a, &end, 10);
	if (errno || *end || end == a || a[0] == '-' || n < min || n > max) {
		char why[160];
		snprintf(why, sizeof(why), "%s: '%%s' is not a whole number from %lu to %lu", name,
			 min, max);
		return bad(p->command, why, a);
	}
	*out = (unsigned long)n;
	return 0;
}

static int take_performances(parse_state *p, const char *a)
{
	p->o->performances_given = true;
	p->o->run.performances_set = true; /* issue 13, DATA: `once` */
	return count(p, "--performances", a, 1, 1000000000UL, &p->o->run.performances);
}

static int take_customers(parse_state *p, const char *a)
{
	p->o->customers_given = true;
	return count(p, "--customers", a, 1, 100000UL, &p->o->run.customers);
}

static int take_jobs(parse_state *p, const char *a)
{
	unsigned long n;
	int rc = count(p, "--jobs", a, 1, 256UL, &n);
	if (rc == 0)
		p->o->run.jobs = (unsigned)n;
	return rc;
}

static int take_max_failures(parse_state *p, const char *a)
{
	return count(p, "--max-failures", a, 1, 1000000000UL, &p->o->run.max_failures);
}

static int take_bail(parse_state *p, const char *a)
{
	(void)a;
	p->o->run.max_failures = 1;
	return 0;
}

static int take_retry(parse_state *p, const char *a)
{
	unsigned long n;
	int rc = count(p, "--retry", a, 0, 100UL, &n);
	if (rc == 0)
		p->o->run.retries = (unsigned)n;
	return rc;
}

static int take_rate(parse_state *p, const char *a)
{
	char *end;
	double r;
	bool ok = tw_decimal(a, &r, &end);
	if (ok && strcmp(end, "/s") == 0)
		end += 2;
	if (!ok || *end || !(r > 0) || r > 1e6)
		return bad(p->command, "--rate: '%s' is not a rate above 0 (e.g. 20 or 20/s)", a);
	p->o->run.rate = r;
	return 0;
}

/* A duration into *ms, or the message (naming the option, with an
 * example) for one that is not. */
static int take_ms(parse_state *p, const char *a, long *ms, const char *message)
{
	return parse_duration(a, ms) ? bad(p->command, message, a) : 0;
}

static int take_duration(parse_state *p, const char *a)
{
	return take_ms(p, a, &p->o->run.duration_ms, "--duration: '%s' is not a duration (e.g. 30s)");
}

static int take_ramp(parse_state *p, const char *a)
{
	return take_ms(p, a, &p->o->run.ramp_ms, "--ramp: '%s' is not a duration (e.g. 10s)");
}

static int take_think_scale(parse_state *p, const char *a)
{
	char *end;
	double f;
	if (!tw_decimal(a, &f, &end) || *end || !(f >= 0) || f > 1000)
		return bad(p->command, "--think-scale: '%s' is not a factor from 0 to 1000", a);
	p->o->run.think_scale = f;
	return 0;
}

static int take_shard(parse_state *p, const char *a)
{
	char *end;
	errno = 0;
	long i = strtol(a, &end, 10), n = 0;
	bool ok = !errno && end != a && *end == '/' && a[0] != '-';
	if (ok) {
		const char *b = end + 1;
		n = strtol(b, &end, 10);
		ok = !errno && end != b && *end == '\0' && *b != '-';
	}
	if (!ok || i < 1 || n < 1 || i > n || n > 1000)
		return bad(p->command, "--shard: '%s' is not I/N with 1 <= I <= N <= 1000 (e.g. 2/4)", a);
	p->o->run.shard_index = (unsigned)i;
	p->o->run.shard_count = (unsigned)n;
	return 0;
}

/* issue 13, GEN: --seed N */
static int take_seed(parse_state *p, const char *a)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(a, &end, 10);
	if (errno || *end || end == a || !(a[0] >= '0' && a[0] <= '9') || n > (1ULL << 53) - 1)
		return bad(p->command,
			   "--seed: '%s' is not a whole number from 0 to 9007199254740991 (2^53 - 1)",
			   a);
	p->o->run.seed = n;
	p->o->run.seed_set = true;
	return 0;
}

static int take_reports(parse_state *p, const char *a) { p->o->reports = a; return 0; }
static int take_junit(parse_state *p, const char *a) { p->o->junit = a; return 0; }
static int take_json(parse_state *p, const char *a) { p->o->json = a; return 0; }
static int take_html(parse_state *p, const char *a) { p->o->html = a; return 0; }

static int take_no_reports(parse_state *p, const char *a)
{
	(void)a;
	p->o->no_reports = true;
	return 0;
}

static int take_junit_locations(parse_state *p, const char *a)
{
	(void)a;
	p->o->junit_locations = true;
	return 0;
}

static int take_gate(parse_state *p, const char *a)
{
	char *end;
	double g;
	if (!tw_decimal(a, &g, &end) || *end || !(g >= 0 && g <= 100))
		return bad(p->command, "--gate: '%s' is not a score from 0 to 100", a);
	p->o->gate = g;
	return 0;
}

static int take_project(parse_state *p, const char *a)
{
	if (access(a, R_OK) != 0)
		return bad(p->command, "--project: cannot read '%s'", a);
	p->o->project = a;
	return 0;
}

static int take_baseline(parse_state *p, const char *a)
{
	/* Read now, so a bad file stops everything before the run starts
	 * (and the run may overwrite it). */
	tw_error err = {0};
	tw_baseline_free(p->o->baseline);
	if (tw_baseline_load(&p->o->baseline, a, &err) != TW_OK) {
		fprintf(stderr, "techweek %s: --baseline: %s\n", p->command, err.message);
		tw_error_clear(&err);
		return TW_EXIT_USAGE;
	}
	return 0;
}

static int take_connect_timeout(parse_state *p, const char *a)
{
	return take_ms(p, a, &p->o->run.connect_timeout_ms, "--connect-timeout: '%s' is not a duration (e.g. 10s)");
}

static int take_timeout(parse_state *p, const char *a)
{
	return take_ms(p, a, &p->o->run.timeout_ms, "--timeout: '%s' is not a duration (e.g. 30s)");
}

static int take_max_redirs(parse_state *p, const char *a)
{
	char *end;
	long n = strtol(a, &end, 10);
	if (*end || end == a || n < 0 || n > 1000)
		return bad(p->command, "--max-redirs: '%s' is not a number from 0 to 1000", a);
	p->o->run.max_redirects = n;
	return 0;
}

static int take_no_follow(parse_state *p, const char *a)
{
	(void)a;
	p->o->run.no_follow = true;
	return 0;
}

static int take_max_body(parse_state *p, const char *a)
{
	switch (parse_size(a, &p->o->run.max_body)) {
	case 0:
		return 0;
	case -2:
		return bad(p->command,
			   "--max-body: '%s' is not a whole number of bytes (e.g. 8M, 1.5M or 512K)", a);
	default:
		return bad(p->command, "--max-body: '%s' is not a size (e.g. 8M)", a);
	}
}

/* A call limit: a number from 1 to 100000. */
static int call_limit(parse_state *p, const char *name, const char *a, int *out)
{
	char *end;
	long n = strtol(a, &end, 10);
	if (*end || end == a || n < 1 || n > 100000) {
		char why[160];
		snprintf(why, sizeof(why), "%s: '%%s' is not a number from 1 to 100000", name);
		return bad(p->command, why, a);
	}
	*out = (int)n;
	return 0;
}

static int take_call_max_fetches(parse_state *p, const char *a)
{
	return call_limit(p, "--call-max-fetches", a, &p->o->run.call_max_fetches);
}

static int take_call_max_loops(parse_state *p, const char *a)
{
	return call_limit(p, "--call-max-loops", a, &p->o->run.call_max_loops);
}

/* issue 14, CLOCK: the caller's pace on the call clock. */
static int take_speaking_rate(parse_state *p, const char *a)
{
	char *end;
	double v;
	if (!tw_decimal(a, &v, &end) || *end || v < 60 || v > 400)
		return bad(p->command, "--speaking-rate: '%s' is not a number of words a minute "
				       "from 60 to 400 (default 150)", a);
	p->o->run.speaking_rate = v;
	return 0;
}

static int take_key_time(parse_state *p, const char *a)
{
	long ms = 0;
	if (strcmp(a, "0") != 0 && (parse_duration(a, &ms) || ms > 10000))
		return bad(p->command, "--key-time: '%s' is not a duration from 0 to 10s "
				       "(e.g. 300ms)", a);
	p->o->run.key_time_s = (double)ms / 1000.0;
	return 0;
}

/* issue 14, F2 */
static int take_call_script_time(parse_state *p, const char *a)
{
	long ms = 0;
	if (parse_duration(a, &ms) || ms < 10 || ms > 60000)
		return bad(p->command, "--call-script-time: '%s' is not a duration from 0.01s to "
				       "60s (e.g. 2s)", a);
	p->o->run.script_time_s = (double)ms / 1000.0;
	return 0;
}

static int take_call_max_time(parse_state *p, const char *a)
{
	long ms;
	if (parse_duration(a, &ms) || ms <= 0)
		return bad(p->command, "--call-max-time: '%s' is not a duration (e.g. 10m)", a);
	p->o->run.call_max_seconds = (double)ms / 1000.0;
	return 0;
}

static int take_insecure(parse_state *p, const char *a)
{
	(void)a;
	p->o->run.insecure = true;
	return 0;
}

static int take_cacert(parse_state *p, const char *a)
{
	if (access(a, R_OK) != 0)
		return bad(p->command, "--cacert: cannot read '%s'", a);
	p->o->run.cacert = a;
	return 0;
}

/* --header "Name: value", repeatable: every request and page carries it
 * unless the step or the rehearsal sets that header. */
static int take_header(parse_state *p, const char *a)
{
	if (!tw_header_line_name(a))
		return bad(p->command,
			   "--header: '%s' is not NAME: VALUE (NAME made of letters, digits "
			   "and !#$%%&'*+-.^_`|~, like --header \"X-Env: staging\")",
			   a);
	const char **h = realloc(p->o->headers, (p->o->header_count + 1) * sizeof(*h));
	if (!h)
		return bad(p->command, "%s", "out of memory");
	h[p->o->header_count++] = a;
	p->o->headers = h;
	return 0;
}

static int take_user_agent(parse_state *p, const char *a)
{
	if (!a[0] || strpbrk(a, "\r\n"))
		return bad(p->command, "%s", "--user-agent: expected one line of text");
	p->o->run.user_agent = a;
	return 0;
}

/* transport (issue 12, capability 8) */
static int take_cookies(parse_state *p, const char *a)
{
	if (access(a, R_OK) != 0)
		return bad(p->command, "--cookies: cannot read '%s'", a);
	p->o->run.cookies = a;
	return 0;
}

static int take_cookie_jar(parse_state *p, const char *a)
{
	if (!a[0])
		return bad(p->command, "--cookie-jar: expected a file name%s", "");
	p->o->cookie_jar = a;
	p->o->run.keep_cookies = true;
	return 0;
}

static int take_color(parse_state *p, const char *a)
{
	if (strcmp(a, "auto") == 0)
		p->o->color = -1;
	else if (strcmp(a, "always") == 0)
		p->o->color = 1;
	else if (strcmp(a, "never") == 0)
		p->o->color = 0;
	else
		return bad(p->command, "--color: '%s': expected auto, always or never", a);
	return 0;
}

static int take_no_color(parse_state *p, const char *a)
{
	(void)a;
	p->o->color = 0;
	return 0;
}

static int take_verbose(parse_state *p, const char *a)
{
	(void)a;
	p->o->verbose = true;
	return 0;
}

static int take_progress(parse_state *p, const char *a)
{
	if (strcmp(a, "0") == 0)
		p->o->progress_ms = -1;
	else if (parse_duration(a, &p->o->progress_ms))
		return bad(p->command, "--progress: '%s' is not a duration (e.g. 10s, or 0)", a);
	return 0;
}

static int take_quiet(parse_state *p, const char *a)
{
	(void)a;
	p->o->quiet = true;
	return 0;
}

/* issue 13, SUITE */
static int take_select(parse_state *p, tw_select_kind kind, const char *a)
{
	tw_error err = {0};
	if (tw_selection_add(p->o->selection, kind, a, &err) != TW_OK) {
		int rc = bad(p->command, "%s", err.message ? err.message : "out of memory");
		tw_error_clear(&err);
		return rc;
	}
	return 0;
}

static int take_tag(parse_state *p, const char *a)
{
	return take_select(p, TW_SELECT_TAG, a);
}

static int take_skip_tag(parse_state *p, const char *a)
{
	return take_select(p, TW_SELECT_SKIP_TAG, a);
}

static int take_name(parse_state *p, const char *a)
{
	return take_select(p, TW_SELECT_NAME, a);
}

static int take_env(parse_state *p, const char *a)
{
	if (!a[0])
		return bad(p->command, "--env: expected an environment's name%s", "");
	p->o->env = a;
	return 0;
}

enum { RUN = 1, CHECK = 2, MERGE = 4 };

/*
 * Every option, once: the parser's getopt tables and every command's help
 * are made from these rows, in this order (docs/cli.md lists the same
 * options; the unit test cli_options holds them to it). Adding an option
 * is a row and its handler.
 */
static const struct cli_option {
	const char *name;       /* --name */
	char short_name;        /* -c, or 0 */
	unsigned commands;      /* RUN, CHECK, MERGE: who takes it */
	const char *section;    /* heading in the help of run and merge */
	const char *arg;        /* the value's name in the help; NULL: a switch */
	const char *help;       /* '\n' starts an indented line */
	const char *check_help; /* check's, when it says otherwise; else help */
	const char *merge_help; /* merge's, when it says otherwise; else help */
	take_fn *take;
} options[] = {
	{"performances", 0, RUN, "dress rehearsal", "N",
	 "each rehearsal N times (default 1)", NULL, NULL, take_performances},
	{"customers", 0, RUN, "dress rehearsal", "C",
	 "at most C performances at once (default 1;\n1000 with --rate)", NULL, NULL,
	 take_customers},
	{"rate", 0, RUN, "dress rehearsal", "R",
	 "start R performances a second (R or R/s) ...", NULL, NULL, take_rate},
	{"duration", 0, RUN, "dress rehearsal", "D",
	 "... for D (open model; needs --rate)", NULL, NULL, take_duration},
	{"ramp", 0, RUN, "dress rehearsal", "D",
	 "rise from 0 to R over D first", NULL, NULL, take_ramp},
	{"jobs", 0, RUN, "dress rehearsal", "J",
	 "worker threads, each its own loop (default 1)", NULL, NULL, take_jobs},
	{"think-scale", 0, RUN, "dress rehearsal", "F",
	 "pause steps last F times as long (0: flat out)", NULL, NULL, take_think_scale},
	{"max-failures", 0, RUN, "dress rehearsal", "N",
	 "start no more performances after N failed", NULL, NULL, take_max_failures},
	{"bail", 0, RUN, "dress rehearsal", NULL,
	 "the same as --max-failures 1", NULL, NULL, take_bail},
	{"retry", 0, RUN, "dress rehearsal", "N",
	 "try a failed transfer again N times (transport\nfailures only; counted as retries)",
	 NULL, NULL, take_retry},
	{"shard", 0, RUN, "dress rehearsal", "I/N",
	 "perform shard I of N (1 <= I <= N <= 1000): every\n"
	 "N-th rehearsal, or with fewer than N rehearsals a\n"
	 "share of the performances; combine the parts'\n"
	 "--json results with techweek merge", NULL, NULL, take_shard},
	{"var", 'v', RUN | CHECK, "variables", "NAME=VALUE",
	 "set a variable (repeatable; wins over --vars-file\nand the cast)",
	 "a variable the run will be given", NULL, take_var},
	{"vars-file", 0, RUN | CHECK, "variables", "FILE",
	 "NAME=VALUE lines", NULL, NULL, take_vars_file},
	/* issue 13, GEN */
	{"seed", 0, RUN, "variables", "N",
	 "the seed of {{uuid}}, {{random ...}} and random data\nrows: the same N, the same values (default: drawn,\nand recorded in the JSON result's settings.seed)",
	 NULL, NULL, take_seed},
	{"data", 0, RUN | CHECK, "variables", "FILE",
	 "rows of variables (CSV, or JSON lines): each\nperformance takes the next row",
	 "rows of variables (CSV, or JSON lines): its\ncolumns are variables", NULL, take_data},
	{"reports", 0, RUN | MERGE, "reports", "DIR",
	 "folder for reports (default: reports)", NULL, NULL, take_reports},
	{"junit", 0, RUN | MERGE, "reports", "FILE",
	 "JUnit XML file (default: DIR/junit.xml)", NULL, NULL, take_junit},
	{"json", 0, RUN | MERGE, "reports", "FILE",
	 "JSON result (default: DIR/result.json)", NULL, NULL, take_json},
	{"html", 0, RUN | MERGE, "reports", "FILE",
	 "HTML readiness report (default: DIR/readiness.html)", NULL, NULL, take_html},
	{"no-reports", 0, RUN | MERGE, "reports", NULL,
	 "write only the reports named by --junit, --json, --html", NULL, NULL,
	 take_no_reports},
	{"junit-locations", 0, RUN | MERGE, "reports", NULL,
	 "file and line on each JUnit testcase, as GitLab,\n"
	 "dorny/test-reporter and mikepenz read them (the\n"
	 "Jenkins xUnit schema refuses them)", NULL, NULL, take_junit_locations},
	{"gate", 0, RUN | MERGE, "readiness", "SCORE",
	 "exit 1 when the readiness score is below SCORE", NULL, NULL, take_gate},
	{"project", 0, RUN | CHECK | MERGE, "readiness", "FILE",
	 "weights, Apdex targets and gates (default:\ntechweek.json here, when there is one)",
	 "the project file whose environments --env names\n(default: techweek.json here)" /* issue 13, SUITE */,
	 NULL, take_project},
	{"baseline", 0, RUN | MERGE, "readiness", "FILE",
	 "compare with an earlier JSON result (the project's\n"
	 "\"regression\" limits can fail the gate)", NULL, NULL, take_baseline},
	{"connect-timeout", 0, RUN, "network (per step)", "D",
	 "default 10s", NULL, NULL, take_connect_timeout},
	{"timeout", 0, RUN, "network (per step)", "D",
	 "whole step, default 30s", NULL, NULL, take_timeout},
	{"max-redirs", 0, RUN, "network (per step)", "N",
	 "redirects followed, default 10", NULL, NULL, take_max_redirs},
	{"no-follow", 0, RUN, "network (per step)", NULL,
	 "follow no redirect: the 3xx is the response\n(a request's `follow redirects on` still follows)",
	 NULL, NULL, take_no_follow},
	{"max-body", 0, RUN, "network (per step)", "SIZE",
	 "response bytes kept, default 8M", NULL, NULL, take_max_body},
	{"call-max-fetches", 0, RUN, "network (per step)", "N",
	 "IVR documents between two caller actions, default 20", NULL, NULL,
	 take_call_max_fetches},
	{"call-max-time", 0, RUN, "network (per step)", "D",
	 "a call's length on the call clock, default 1h", NULL, NULL, take_call_max_time},
	{"call-max-loops", 0, RUN, "network (per step)", "N",
	 "plays of a looping Say or Play, default 3", NULL, NULL, take_call_max_loops},
	{"speaking-rate", 0, RUN, "network (per step)", "WPM",
	 "the IVR's speech on the call clock, words a minute,\ndefault 150", NULL, NULL,
	 take_speaking_rate},
	{"key-time", 0, RUN, "network (per step)", "D",
	 "a caller's time to key one digit on the call clock,\ndefault 0.3s", NULL, NULL,
	 take_key_time},
	{"call-script-time", 0, RUN, "network (per step)", "D",
	 "CPU time a call's ECMAScript may take in all,\ndefault 1s", NULL, NULL,
	 take_call_script_time}, /* issue 14, F2 */
	{"insecure", 'k', RUN, "network (per step)", NULL,
	 "do not verify TLS certificates", NULL, NULL, take_insecure},
	{"cacert", 0, RUN, "network (per step)", "FILE",
	 "verify TLS against this CA bundle", NULL, NULL, take_cacert},
	{"header", 'H', RUN, "network (per step)", "HEADER",
	 "a header every request and page carries\n(repeatable; a step's or the rehearsal's wins)",
	 NULL, NULL, take_header},
	{"user-agent", 'A', RUN, "network (per step)", "TEXT",
	 "the User-Agent, default techweek/VERSION", NULL, NULL, take_user_agent},
	/* transport (issue 12, capability 8) */
	{"cookies", 0, RUN, "network (per step)", "FILE",
	 "every customer's jar starts with this Netscape cookie file", NULL, NULL, take_cookies},
	{"cookie-jar", 0, RUN, "network (per step)", "FILE",
	 "write the first performance's cookie jar here (Netscape format)", NULL, NULL,
	 take_cookie_jar},
	{"color", 0, RUN | MERGE, "output", "auto|always|never",
	 "(NO_COLOR=1 also turns colour off)", NULL, NULL, take_color},
	{"no-color", 0, RUN | MERGE, "output", NULL,
	 "the same as --color never", NULL, NULL, take_no_color},
	{"verbose", 'V', RUN | MERGE, "output", NULL,
	 "list every step in the summary", NULL, NULL, take_verbose},
	{"progress", 0, RUN, "output", "D",
	 "a progress line every D when stderr is not a\nterminal (default 10s; 0: none)", NULL,
	 NULL, take_progress},
	{"quiet", 'q', RUN | CHECK | MERGE, "output", NULL,
	 "no summary, no progress", "print problems only", "no summary", take_quiet},
	/* issue 13, SUITE */
	{"tag", 0, RUN | CHECK, "selection and environment", "TAG",
	 "only rehearsals with one of these tags (repeatable;\n--tag smoke,api)", NULL, NULL,
	 take_tag},
	{"skip-tag", 0, RUN | CHECK, "selection and environment", "TAG",
	 "leave out rehearsals with any of these tags\n(repeatable)", NULL, NULL, take_skip_tag},
	{"name", 0, RUN | CHECK, "selection and environment", "PATTERN",
	 "only rehearsals whose name matches one of these\nshell globs, any case (repeatable)",
	 NULL, NULL, take_name},
	{"env", 0, RUN | CHECK, "selection and environment", "NAME",
	 "the project file's environment NAME: its vars\n(--var and --vars-file win) and its gate",
	 NULL, NULL, take_env},
};

#define OPTION_COUNT (sizeof(options) / sizeof(options[0]))
/* getopt_long's value for a row without a short name: past every char. */
#define LONG_ONLY 256

static const struct cli_command {
	const char *name;
	const char *summary;  /* one line, in techweek's usage and the completions */
	unsigned bit;
	bool headed;          /* the options under their sections' headings */
	const char *intro;    /* before the options */
	const char *epilogue; /* after them */
	const char *refusal;  /* an option of another command: the message */
} commands[] = {
	{"run", "perform rehearsals and write reports", RUN, true,
	 "usage: techweek run [options] PATH...\n"
	 "\n"
	 "Performs each rehearsal (files, or folders searched for *.rehearsal) once\n"
	 "against its real endpoints, prints a summary and writes reports; or, as a\n"
	 "dress rehearsal, many times by many customers at once.\n"
	 "\n",
	 "\n"
	 "Durations: 500ms, 10s, 2m, 1h (a bare number is seconds). Sizes: 512K, 8M, 1G.\n"
	 TW_EXIT_HELP,
	 NULL},
	{"check", "parse and lint rehearsals without sending anything", CHECK, false,
	 "usage: techweek check [options] PATH...\n"
	 "\n"
	 "Parses and checks every file without sending anything: syntax, unknown\n"
	 "variables (or variables used before they are captured), unknown channels,\n"
	 "duplicate scene names, invalid regular expressions and XPath.\n"
	 "\n",
	 "\n"
	 "Exit status: 0 no problems, 2 problems found (or a usage error).\n",
	 "option '%s' is for techweek run"},
	{"merge", "combine the JSON results of a sharded run (--shard I/N)", MERGE, true,
	 "usage: techweek merge [options] PART.json...\n"
	 "\n"
	 "Combines the JSON results of every shard of one run (techweek run --shard I/N\n"
	 "--json PART.json) into the reports and score one machine would have produced.\n"
	 "It reads the parts alone, never the scripts: run it from any folder, on any\n"
	 "machine.\n"
	 "\n",
	 "\n"
	 TW_EXIT_HELP
	 "A bad part is a usage error (2), and nothing is written: not JSON, truncated,\n"
	 "another format or version, another run (another plan: a shard re-run with\n"
	 "the same options and files is the same run), a shard missing or repeated, a\n"
	 "rehearsal whose script changed between the shards, figures that do not add\n"
	 "up.\n",
	 "option '%s' is not one of techweek merge's"},
};

static const struct cli_command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static const char *help_of(const struct cli_option *r, unsigned bit)
{
	if (bit == CHECK && r->check_help)
		return r->check_help;
	if (bit == MERGE && r->merge_help)
		return r->merge_help;
	return r->help;
}

/* "  -v, --var NAME=VALUE      set a variable ...": the text starts in
 * column 28, and so do its further lines. */
static void print_option(FILE *out, const struct cli_option *r, const char *help)
{
	int n = r->short_name ? fprintf(out, "  -%c, --%s", r->short_name, r->name)
			      : fprintf(out, "      --%s", r->name);
	if (r->arg)
		n += fprintf(out, " %s", r->arg);
	/* A name too long for the column is set three spaces apart. */
	fprintf(out, "%*s", n <= 26 ? 28 - n : 3, "");
	for (const char *s = help;;) {
		const char *nl = strchr(s, '\n');
		if (!nl) {
			fprintf(out, "%s\n", s);
			break;
		}
		fprintf(out, "%.*s\n%28s", (int)(nl - s), s, "");
		s = nl + 1;
	}
}

void tw_cli_help(FILE *out, const char *command)
{
	const struct cli_command *c = find_command(command);
	if (!c)
		return;
	fputs(c->intro, out);
	const char *section = NULL;
	for (size_t i = 0; i < OPTION_COUNT; i++) {
		const struct cli_option *r = &options[i];
		if (!(r->commands & c->bit))
			continue;
		if (c->headed && (!section || strcmp(section, r->section) != 0))
			fprintf(out, "%s:\n", r->section);
		section = r->section;
		print_option(out, r, help_of(r, c->bit));
	}
	fputs(c->epilogue, out);
}

size_t tw_cli_option_count(void)
{
	return OPTION_COUNT;
}

const char *tw_cli_option_name(size_t i, char *short_name)
{
	if (i >= OPTION_COUNT)
		return NULL;
	if (short_name)
		*short_name = options[i].short_name;
	return options[i].name;
}

const char *tw_cli_option_arg(size_t i)
{
	return i < OPTION_COUNT ? options[i].arg : NULL;
}

const char *tw_cli_option_help(size_t i, const char *command)
{
	const struct cli_command *c = find_command(command);
	return i < OPTION_COUNT && c && (options[i].commands & c->bit) ? help_of(&options[i], c->bit)
								       : NULL;
}

const char *tw_cli_command_name(size_t i, const char **summary)
{
	if (i >= sizeof(commands) / sizeof(commands[0]))
		return NULL;
	if (summary)
		*summary = commands[i].summary;
	return commands[i].name;
}

bool tw_cli_option_takes(size_t i, const char *command)
{
	const struct cli_command *c = find_command(command);
	return i < OPTION_COUNT && c && (options[i].commands & c->bit);
}

static const struct cli_option *option_of(int ch)
{
	if (ch >= LONG_ONLY && (size_t)(ch - LONG_ONLY) < OPTION_COUNT)
		return &options[ch - LONG_ONLY];
	for (size_t i = 0; ch > 0 && i < OPTION_COUNT; i++)
		if (options[i].short_name == ch)
			return &options[i];
	return NULL;
}

int tw_cli_parse(tw_cli_opts *o, const char *command, int argc, char **argv, bool *done)
{
	memset(o, 0, sizeof(*o));
	tw_run_options_init(&o->run, TW_RUN_OPTIONS_VERSION);
	o->reports = "reports";
	o->color = -1;
	o->gate = -1;
	o->vars = tw_vars_new();
	*done = false;
	if (!o->vars || tw_selection_new(&o->selection, NULL) != TW_OK) /* issue 13, SUITE */
		return bad(command, "%s", "out of memory");
	const struct cli_command *cmd = find_command(command);
	/* Every command knows every long name, so that another command's
	 * option is told as such rather than as unknown; the short ones are
	 * the command's own. */
	struct option longs[OPTION_COUNT + 2];
	char shorts[2 * OPTION_COUNT + 2];
	size_t s = 0;
	for (size_t i = 0; i < OPTION_COUNT; i++) {
		const struct cli_option *r = &options[i];
		int val = r->short_name ? r->short_name : LONG_ONLY + (int)i;
		longs[i] = (struct option){r->name, r->arg ? required_argument : no_argument, NULL, val};
		if (r->short_name && (r->commands & cmd->bit)) {
			shorts[s++] = r->short_name;
			if (r->arg)
				shorts[s++] = ':';
		}
	}
	longs[OPTION_COUNT] = (struct option){"help", no_argument, NULL, 'h'};
	longs[OPTION_COUNT + 1] = (struct option){NULL, 0, NULL, 0};
	shorts[s++] = 'h';
	shorts[s] = '\0';
	parse_state p = {o, command};
	/* 0, not 1: glibc then starts afresh, permutation state included, so
	 * options after the scripts are taken as options (run DIR
	 * --performances 40), as every GNU tool does; "--" ends them. */
	optind = 0;
	opterr = 0;
	int ch;
	while ((ch = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		if (ch == 'h') {
			tw_cli_help(stdout, command);
			*done = true;
			return 0;
		}
		const struct cli_option *r = ch == '?' ? NULL : option_of(ch);
		if (!r) {
			/* optopt is the short name, or a long option's value
			 * when it was given one it does not take. */
			const char *given = argv[optind - 1];
			if (optopt && optopt < LONG_ONLY && strncmp(given, "--", 2) != 0)
				return bad(command, "option '-%s' needs a value or is unknown",
					   (const char[]){(char)optopt, 0});
			return bad(command, "unknown option or missing value: '%s'", given);
		}
		if (!(r->commands & cmd->bit)) {
			char name[64];
			snprintf(name, sizeof(name), "--%s", r->name);
			return bad(command, cmd->refusal, name);
		}
		int rc = r->take(&p, optarg);
		if (rc)
			return rc;
	}
	/* The schedule's options must make one model. */
	if (o->run.rate > 0 && o->run.duration_ms <= 0)
		return bad(command, "%s", "--rate needs --duration: how long arrivals go on");
	if (o->run.rate <= 0 && o->run.duration_ms > 0)
		return bad(command, "%s", "--duration goes with --rate (the open model); for a number of performances use --performances");
	if (o->run.rate <= 0 && o->run.ramp_ms > 0)
		return bad(command, "%s", "--ramp goes with --rate");
	if (o->run.rate > 0 && o->performances_given)
		return bad(command, "%s", "--performances and --rate are two models: choose one (--performances N, or --rate R --duration D)");
	if (o->run.rate > 0 && o->run.ramp_ms > o->run.duration_ms)
		return bad(command, "%s", "--ramp is longer than --duration");
	if (o->run.rate > 0 && !o->customers_given)
		o->run.customers = 1000;
	o->paths = argv + optind;
	o->path_count = (size_t)(argc - optind);
	if (cmd->bit == MERGE && o->path_count == 0)
		return bad(command, "%s", "no part given: name the JSON result of every shard");
	if (o->path_count == 0)
		return bad(command, "%s", "no rehearsal given: name files or folders of *.rehearsal");
	o->run.vars = o->vars;
	o->run.headers = o->headers;
	o->run.header_count = o->header_count;
	return 0;
}


void tw_cli_opts_free(tw_cli_opts *o)
{
	tw_vars_free(o->vars);
	o->vars = NULL;
	tw_selection_free(o->selection); /* issue 13, SUITE */
	o->selection = NULL;
	tw_data_free(o->data); /* issue 13, DATA */
	o->data = NULL;
	o->run.data = NULL;
	tw_baseline_free(o->baseline);
	o->baseline = NULL;
	free(o->headers);
	o->headers = NULL;
	o->header_count = 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct list {
	char **items;
	size_t count, cap;
} list;

static void push(list *l, const char *s)
{
	/* Not core/array.h's tw_array_grow: the CLI includes only the
	 * public headers (and this list aborts when out of memory). */
	if (l->count == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		char **p = realloc(l->items, l->cap * sizeof(*p));
		if (!p)
			abort();
		l->items = p;
	}
	l->items[l->count] = strdup(s);
	if (!l->items[l->count])
		abort();
	l->count++;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n > m && strcmp(s + n - m, suffix) == 0;
}

static void walk(list *l, const char *dir, int depth)
{
	DIR *d = opendir(dir);
	if (!d || depth > 32) {
		if (d)
			closedir(d);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *path;
		if (asprintf(&path, "%s/%s", dir, e->d_name) < 0)
			abort();
		struct stat st;
		if (stat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				walk(l, path, depth + 1);
			else if (has_suffix(e->d_name, ".rehearsal"))
				push(l, path);
		}
		free(path);
	}
	closedir(d);
}

char **tw_cli_collect(const tw_cli_opts *o, size_t *count)
{
	list l = {0};
	for (size_t i = 0; i < o->path_count; i++) {
		const char *p = o->paths[i];
		struct stat st;
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			size_t before = l.count;
			char *dir = strdup(p);
			size_t n = strlen(dir);
			while (n > 1 && dir[n - 1] == '/')
				dir[--n] = '\0';
			walk(&l, dir, 0);
			free(dir);
			qsort(l.items + before, l.count - before, sizeof(char *), cmp_str);
		} else {
			push(&l, p); /* a missing file is reported by the loader */
		}
	}
	*count = l.count;
	return l.items;
}

void tw_cli_free_list(char **items, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(items[i]);
	free(items);
}

void tw_cli_print_error(const tw_error *err)
{
	char *s = tw_error_format(err);
	fprintf(stderr, "%s\n", s ? s : "out of memory");
	free(s);
}
