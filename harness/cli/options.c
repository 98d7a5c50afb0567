/*
 * Options shared by run and check, parsed with getopt_long. Durations take
 * a unit (500ms, 10s, 2m; a bare number is seconds, as in curl); sizes take
 * K, M or G.
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
#include "core/number.h"
#include "readiness/baseline.h"

enum {
	OPT_VARS_FILE = 256,
	OPT_REPORTS,
	OPT_JUNIT,
	OPT_NO_REPORTS,
	OPT_CACERT,
	OPT_CONNECT_TIMEOUT,
	OPT_TIMEOUT,
	OPT_MAX_REDIRS,
	OPT_MAX_BODY,
	OPT_CALL_FETCHES,
	OPT_CALL_TIME,
	OPT_CALL_LOOPS,
	OPT_COLOR,
	OPT_NO_COLOR,
	OPT_PERFORMANCES,
	OPT_CUSTOMERS,
	OPT_RATE,
	OPT_DURATION,
	OPT_RAMP,
	OPT_JOBS,
	OPT_THINK_SCALE,
	OPT_MAX_FAILURES,
	OPT_BAIL,
	OPT_RETRY,
	OPT_JSON,
	OPT_PROGRESS,
	OPT_GATE,
	OPT_PROJECT,
	OPT_HTML,
	OPT_SHARD,
	OPT_BASELINE,
};

static const struct option run_options[] = {
	{"var", required_argument, NULL, 'v'},
	{"vars-file", required_argument, NULL, OPT_VARS_FILE},
	{"reports", required_argument, NULL, OPT_REPORTS},
	{"junit", required_argument, NULL, OPT_JUNIT},
	{"no-reports", no_argument, NULL, OPT_NO_REPORTS},
	{"insecure", no_argument, NULL, 'k'},
	{"cacert", required_argument, NULL, OPT_CACERT},
	{"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"max-redirs", required_argument, NULL, OPT_MAX_REDIRS},
	{"max-body", required_argument, NULL, OPT_MAX_BODY},
	{"call-max-fetches", required_argument, NULL, OPT_CALL_FETCHES},
	{"call-max-time", required_argument, NULL, OPT_CALL_TIME},
	{"call-max-loops", required_argument, NULL, OPT_CALL_LOOPS},
	{"performances", required_argument, NULL, OPT_PERFORMANCES},
	{"customers", required_argument, NULL, OPT_CUSTOMERS},
	{"rate", required_argument, NULL, OPT_RATE},
	{"duration", required_argument, NULL, OPT_DURATION},
	{"ramp", required_argument, NULL, OPT_RAMP},
	{"jobs", required_argument, NULL, OPT_JOBS},
	{"think-scale", required_argument, NULL, OPT_THINK_SCALE},
	{"max-failures", required_argument, NULL, OPT_MAX_FAILURES},
	{"bail", no_argument, NULL, OPT_BAIL},
	{"retry", required_argument, NULL, OPT_RETRY},
	{"json", required_argument, NULL, OPT_JSON},
	{"progress", required_argument, NULL, OPT_PROGRESS},
	{"gate", required_argument, NULL, OPT_GATE},
	{"project", required_argument, NULL, OPT_PROJECT},
	{"baseline", required_argument, NULL, OPT_BASELINE},
	{"html", required_argument, NULL, OPT_HTML},
	{"shard", required_argument, NULL, OPT_SHARD},
	{"color", required_argument, NULL, OPT_COLOR},
	{"no-color", no_argument, NULL, OPT_NO_COLOR},
	{"verbose", no_argument, NULL, 'V'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static const char run_help[] =
	"usage: techweek run [options] PATH...\n"
	"\n"
	"Performs each rehearsal (files, or folders searched for *.rehearsal) once\n"
	"against its real endpoints, prints a summary and writes reports; or, as a\n"
	"dress rehearsal, many times by many customers at once.\n"
	"\n"
	"dress rehearsal:\n"
	"      --performances N      each rehearsal N times (default 1)\n"
	"      --customers C         at most C performances at once (default 1;\n"
	"                            1000 with --rate)\n"
	"      --rate R              start R performances a second (R or R/s) ...\n"
	"      --duration D          ... for D (open model; needs --rate)\n"
	"      --ramp D              rise from 0 to R over D first\n"
	"      --jobs J              worker threads, each its own loop (default 1)\n"
	"      --think-scale F       pause steps last F times as long (0: flat out)\n"
	"      --max-failures N      start no more performances after N failed\n"
	"      --bail                the same as --max-failures 1\n"
	"      --retry N             try a failed transfer again N times (transport\n"
	"                            failures only; counted as retries)\n"
	"      --shard I/N           perform shard I of N (1 <= I <= N <= 1000): every\n"
	"                            N-th rehearsal, or with fewer than N rehearsals a\n"
	"                            share of the performances; combine the parts'\n"
	"                            --json results with techweek merge\n"
	"variables:\n"
	"  -v, --var NAME=VALUE      set a variable (repeatable; wins over --vars-file\n"
	"                            and the cast)\n"
	"      --vars-file FILE      NAME=VALUE lines\n"
	"reports:\n"
	"      --reports DIR         folder for reports (default: reports)\n"
	"      --junit FILE          JUnit XML file (default: DIR/junit.xml)\n"
	"      --json FILE           JSON result (default: DIR/result.json)\n"
	"      --html FILE           HTML readiness report (default: DIR/readiness.html)\n"
	"readiness:\n"
	"      --gate SCORE          exit 1 when the readiness score is below SCORE\n"
	"      --project FILE        weights, Apdex targets and gates (default:\n"
	"                            techweek.json here, when there is one)\n"
	"      --baseline FILE       compare with an earlier JSON result (the project's\n"
	"                            \"regression\" limits can fail the gate)\n"
	"      --no-reports          write only the reports named by --junit, --json, --html\n"
	"network (per step):\n"
	"      --connect-timeout D   default 10s\n"
	"      --timeout D           whole step, default 30s\n"
	"      --max-redirs N        redirects followed, default 10\n"
	"      --max-body SIZE       response bytes kept, default 8M\n"
	"      --call-max-fetches N  IVR documents between two caller actions, default 20\n"
	"      --call-max-time D     a call's length on the call clock, default 1h\n"
	"      --call-max-loops N    plays of a looping Say or Play, default 3\n"
	"  -k, --insecure            do not verify TLS certificates\n"
	"      --cacert FILE         verify TLS against this CA bundle\n"
	"output:\n"
	"      --color auto|always|never   (NO_COLOR=1 also turns colour off)\n"
	"      --verbose             list every step in the summary\n"
	"      --progress D          a progress line every D when stderr is not a\n"
	"                            terminal (default 10s; 0: none)\n"
	"  -q, --quiet               no summary, no progress\n"
	"\n"
	"Durations: 500ms, 10s, 2m, 1h (a bare number is seconds). Sizes: 512K, 8M, 1G.\n"
	TW_EXIT_HELP;

static const char check_help[] =
	"usage: techweek check [options] PATH...\n"
	"\n"
	"Parses and lints rehearsals without sending anything: syntax, unknown\n"
	"variables, unknown channels, duplicate scene names, invalid patterns.\n"
	"\n"
	"  -v, --var NAME=VALUE      a variable the run will be given\n"
	"      --vars-file FILE      NAME=VALUE lines\n"
	"  -q, --quiet               print problems only\n"
	"\n"
	"Exit status: 0 no problems, 2 problems found (or a usage error).\n";

static const char merge_help[] =
	"usage: techweek merge [options] PART.json...\n"
	"\n"
	"Combines the JSON results of every shard of one run (techweek run --shard I/N\n"
	"--json PART.json) into the reports and score one machine would have produced.\n"
	"Run it from the same checkout as the shards: the rehearsal scripts are read\n"
	"again from the paths in the parts' plan, relative to the current folder.\n"
	"\n"
	"reports:\n"
	"      --reports DIR         folder for reports (default: reports)\n"
	"      --junit FILE          JUnit XML file (default: DIR/junit.xml)\n"
	"      --json FILE           JSON result (default: DIR/result.json)\n"
	"      --html FILE           HTML readiness report (default: DIR/readiness.html)\n"
	"      --no-reports          write only the reports named by --junit, --json, --html\n"
	"readiness:\n"
	"      --gate SCORE          exit 1 when the readiness score is below SCORE\n"
	"      --project FILE        weights, Apdex targets and gates (default:\n"
	"                            techweek.json here, when there is one)\n"
	"      --baseline FILE       compare with an earlier JSON result (the project's\n"
	"                            \"regression\" limits can fail the gate)\n"
	"output:\n"
	"      --color auto|always|never   (NO_COLOR=1 also turns colour off)\n"
	"      --verbose             list every step in the summary\n"
	"  -q, --quiet               no summary\n"
	"\n"
	TW_EXIT_HELP
	"A bad part is a usage error (2), and nothing is written: not JSON, truncated,\n"
	"another format or version, another run, a shard missing or repeated, a\n"
	"script that cannot be read.\n";

static bool merge_option(int ch)
{
	switch (ch) {
	case OPT_REPORTS: case OPT_JUNIT: case OPT_JSON: case OPT_HTML: case OPT_GATE:
	case OPT_PROJECT: case OPT_BASELINE: case OPT_NO_REPORTS: case OPT_COLOR: case OPT_NO_COLOR:
	case 'V': case 'q': case 'h': case '?':
		return true;
	default:
		return false;
	}
}

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
	if (*end || bytes > 4.0 * 1024 * 1024 * 1024)
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

int tw_cli_parse(tw_cli_opts *o, const char *command, int argc, char **argv, bool *done)
{
	memset(o, 0, sizeof(*o));
	tw_run_options_init(&o->run);
	o->reports = "reports";
	o->color = -1;
	o->gate = -1;
	o->vars = tw_vars_new();
	*done = false;
	if (!o->vars)
		return bad(command, "%s", "out of memory");
	bool is_run = strcmp(command, "run") == 0;
	bool is_merge = strcmp(command, "merge") == 0;
	optind = 1;
	opterr = 0;
	int ch;
	tw_error err = {0};
	const char *shorts = is_run ? "+v:kVqh" : is_merge ? "+Vqh" : "+v:qh";
	while ((ch = getopt_long(argc, argv, shorts, run_options, NULL)) != -1) {
		const char *a = optarg;
		if (is_merge && !merge_option(ch))
			return bad(command, "option '%s' is not one of techweek merge's",
				   argv[optind - 1]);
		if (!is_run && !is_merge && ch != 'v' && ch != OPT_VARS_FILE && ch != 'q' &&
		    ch != 'h' && ch != '?')
			return bad(command, "option '%s' is for techweek run", argv[optind - 1]);
		switch (ch) {
		case 'v':
			if (tw_vars_set_assignment(o->vars, a, &err) != TW_OK) {
				int rc = bad(command, "%s", err.message);
				tw_error_clear(&err);
				return rc;
			}
			o->vars_given = true;
			break;
		case OPT_VARS_FILE: {
			/* The file's values must not override --var given
			 * before it on the line: load into a scratch set. */
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
				if (!tw_vars_get(o->vars, n, NULL))
					tw_vars_set(o->vars, n, v, false);
			}
			tw_vars_free(file);
			o->vars_given = true;
			break;
		}
		case OPT_REPORTS: o->reports = a; break;
		case OPT_JUNIT: o->junit = a; break;
		case OPT_NO_REPORTS: o->no_reports = true; break;
		case 'k': o->run.insecure = true; break;
		case OPT_CACERT:
			if (access(a, R_OK) != 0)
				return bad(command, "--cacert: cannot read '%s'", a);
			o->run.cacert = a;
			break;
		case OPT_CONNECT_TIMEOUT:
			if (parse_duration(a, &o->run.connect_timeout_ms))
				return bad(command, "--connect-timeout: '%s' is not a duration (e.g. 10s)", a);
			break;
		case OPT_TIMEOUT:
			if (parse_duration(a, &o->run.timeout_ms))
				return bad(command, "--timeout: '%s' is not a duration (e.g. 30s)", a);
			break;
		case OPT_MAX_REDIRS: {
			char *end;
			long n = strtol(a, &end, 10);
			if (*end || end == a || n < 0 || n > 1000)
				return bad(command, "--max-redirs: '%s' is not a number from 0 to 1000", a);
			o->run.max_redirects = n;
			break;
		}
		case OPT_MAX_BODY:
			switch (parse_size(a, &o->run.max_body)) {
			case 0: break;
			case -2:
				return bad(command,
					   "--max-body: '%s' is not a whole number of bytes (e.g. 8M, 1.5M or 512K)",
					   a);
			default:
				return bad(command, "--max-body: '%s' is not a size (e.g. 8M)", a);
			}
			break;
		case OPT_CALL_FETCHES:
		case OPT_CALL_LOOPS: {
			char *end;
			long n = strtol(a, &end, 10);
			if (*end || end == a || n < 1 || n > 100000)
				return bad(command, ch == OPT_CALL_FETCHES
					   ? "--call-max-fetches: '%s' is not a number from 1 to 100000"
					   : "--call-max-loops: '%s' is not a number from 1 to 100000", a);
			if (ch == OPT_CALL_FETCHES)
				o->run.call_max_fetches = (int)n;
			else
				o->run.call_max_loops = (int)n;
			break;
		}
		case OPT_CALL_TIME: {
			long ms;
			if (parse_duration(a, &ms) || ms <= 0)
				return bad(command, "--call-max-time: '%s' is not a duration (e.g. 10m)", a);
			o->run.call_max_seconds = (double)ms / 1000.0;
			break;
		}
		case OPT_PERFORMANCES:
		case OPT_CUSTOMERS:
		case OPT_JOBS:
		case OPT_MAX_FAILURES:
		case OPT_RETRY: {
			static const struct {
				int opt;
				const char *name;
				unsigned long max;
			} counts[] = {
				{OPT_PERFORMANCES, "--performances", 1000000000UL},
				{OPT_CUSTOMERS, "--customers", 100000UL},
				{OPT_JOBS, "--jobs", 256UL},
				{OPT_MAX_FAILURES, "--max-failures", 1000000000UL},
				{OPT_RETRY, "--retry", 100UL},
			};
			size_t k = 0;
			while (counts[k].opt != ch)
				k++;
			unsigned long min = ch == OPT_RETRY ? 0 : 1;
			char *end;
			errno = 0;
			unsigned long long n = strtoull(a, &end, 10);
			if (errno || *end || end == a || a[0] == '-' || n < min || n > counts[k].max) {
				char why[160];
				snprintf(why, sizeof(why), "%s: '%%s' is not a whole number from %lu to %lu",
					 counts[k].name, min, counts[k].max);
				return bad(command, why, a);
			}
			if (ch == OPT_PERFORMANCES)
				o->run.performances = (unsigned long)n, o->performances_given = true;
			else if (ch == OPT_CUSTOMERS)
				o->run.customers = (unsigned long)n, o->customers_given = true;
			else if (ch == OPT_JOBS)
				o->run.jobs = (unsigned)n;
			else if (ch == OPT_MAX_FAILURES)
				o->run.max_failures = (unsigned long)n;
			else
				o->run.retries = (unsigned)n;
			break;
		}
		case OPT_BAIL: o->run.max_failures = 1; break;
		case OPT_RATE: {
			char *end;
			double r;
			bool ok = tw_decimal(a, &r, &end);
			if (ok && strcmp(end, "/s") == 0)
				end += 2;
			if (!ok || *end || !(r > 0) || r > 1e6)
				return bad(command, "--rate: '%s' is not a rate above 0 (e.g. 20 or 20/s)", a);
			o->run.rate = r;
			break;
		}
		case OPT_DURATION:
			if (parse_duration(a, &o->run.duration_ms))
				return bad(command, "--duration: '%s' is not a duration (e.g. 30s)", a);
			break;
		case OPT_RAMP:
			if (parse_duration(a, &o->run.ramp_ms))
				return bad(command, "--ramp: '%s' is not a duration (e.g. 10s)", a);
			break;
		case OPT_THINK_SCALE: {
			char *end;
			double f;
			if (!tw_decimal(a, &f, &end) || *end || !(f >= 0) || f > 1000)
				return bad(command, "--think-scale: '%s' is not a factor from 0 to 1000", a);
			o->run.think_scale = f;
			break;
		}
		case OPT_SHARD: {
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
				return bad(command, "--shard: '%s' is not I/N with 1 <= I <= N <= 1000 (e.g. 2/4)", a);
			o->run.shard_index = (unsigned)i;
			o->run.shard_count = (unsigned)n;
			break;
		}
		case OPT_JSON: o->json = a; break;
		case OPT_HTML: o->html = a; break;
		case OPT_PROJECT:
			if (access(a, R_OK) != 0)
				return bad(command, "--project: cannot read '%s'", a);
			o->project = a;
			break;
		case OPT_BASELINE:
			/* Read now, so a bad file stops everything before the
			 * run starts (and the run may overwrite it). */
			tw_baseline_free(o->baseline);
			if (tw_baseline_load(&o->baseline, a, &err) != TW_OK) {
				fprintf(stderr, "techweek %s: --baseline: %s\n", command, err.message);
				tw_error_clear(&err);
				return TW_EXIT_USAGE;
			}
			break;
		case OPT_GATE: {
			char *end;
			double g;
			if (!tw_decimal(a, &g, &end) || *end || !(g >= 0 && g <= 100))
				return bad(command, "--gate: '%s' is not a score from 0 to 100", a);
			o->gate = g;
			break;
		}
		case OPT_PROGRESS:
			if (strcmp(a, "0") == 0)
				o->progress_ms = -1;
			else if (parse_duration(a, &o->progress_ms))
				return bad(command, "--progress: '%s' is not a duration (e.g. 10s, or 0)", a);
			break;
		case OPT_COLOR:
			if (strcmp(a, "auto") == 0)
				o->color = -1;
			else if (strcmp(a, "always") == 0)
				o->color = 1;
			else if (strcmp(a, "never") == 0)
				o->color = 0;
			else
				return bad(command, "--color: '%s': expected auto, always or never", a);
			break;
		case OPT_NO_COLOR: o->color = 0; break;
		case 'V': o->verbose = true; break;
		case 'q': o->quiet = true; break;
		case 'h':
			fputs(is_run ? run_help : is_merge ? merge_help : check_help, stdout);
			*done = true;
			return 0;
		default:
			if (optopt && optopt < 256)
				return bad(command, "option '-%c' needs a value or is unknown",
					   (const char[]){(char)optopt, 0});
			return bad(command, "unknown option or missing value: '%s'", argv[optind - 1]);
		}
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
	if (is_merge && o->path_count == 0)
		return bad(command, "%s", "no part given: name the JSON result of every shard");
	if (o->path_count == 0)
		return bad(command, "%s", "no rehearsal given: name files or folders of *.rehearsal");
	o->run.vars = o->vars;
	return 0;
}

void tw_cli_opts_free(tw_cli_opts *o)
{
	tw_vars_free(o->vars);
	o->vars = NULL;
	tw_baseline_free(o->baseline);
	o->baseline = NULL;
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
