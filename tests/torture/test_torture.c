/*
 * Out-of-memory torture (torture.h) over the engine's parser, checker,
 * report writers and merge: for every N, the Nth allocation fails and the
 * operation must say out of memory, free all it made and never crash.
 *
 *   test_torture OPERATION [STAGE]
 *
 * OPERATION: self, parse, check, expect, score, junit, json, html, summary,
 * merge, perform. expect judges expectations with every filter against a
 * response built here (no network). The reports and merge need a finished run: the rehearsals are
 * performed once, without failures, against the stage (STAGE, started
 * here on a loopback port); only the rendering or the merge is tortured.
 * perform tortures a run itself against the stage: a step whose chain
 * could not be kept must say so, never show a chain that is not the one
 * sent.
 * TORTURE_N=N tortures that N alone (to reproduce a finding).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "channels/web/response.h"
#include "core/buf.h"
#include "core/redact.h"
#include "expectations/expect.h"
#include "language/ast.h"
#include "readiness/score.h"
#include "reports/json.h"
#include "reports/render.h"
#include "runner/result.h"
#include "techweek.h"
#include "torture.h"

/* Relative to the source root, as the plan keeps them: merge reads them
 * again from there. A web journey heavy in expectations, an API, a phone
 * call, a sign-in with a secret, raw HTTP, one that fails. */
static const char *const scripts[] = {
	"rehearsals/order-pizza.rehearsal",
	"rehearsals/kitchen-api.rehearsal",
	"rehearsals/call-about-order.rehearsal",
	"rehearsals/returning-customer.rehearsal",
	"tests/cases/raw-http.rehearsal",
	"tests/cases/ivr-more-verbs.rehearsal",
	"tests/cases/missing-link.rehearsal",
};
#define SCRIPT_COUNT (sizeof(scripts) / sizeof(scripts[0]))
/* Scripts that do not parse or check: their errors are results too. */
static const char *const bad_scripts[] = {
	"tests/cases/data/broken.rehearsal",
	"tests/cases/data/wrong-status.rehearsal",
};
#define BAD_COUNT (sizeof(bad_scripts) / sizeof(bad_scripts[0]))

static void die(const char *what, const tw_error *err)
{
	fprintf(stderr, "test_torture: %s: %s\n", what,
		err && err->message ? err->message : strerror(errno));
	exit(1);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		die(path, NULL);
	tw_buf b;
	tw_buf_init(&b, (size_t)1 << 24);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (tw_buf_append(&b, chunk, n) != TW_OK)
			die(path, NULL);
	fclose(f);
	*len = b.len;
	return tw_buf_steal(&b);
}

static char *steal(tw_buf *b)
{
	char *s = tw_buf_steal(b);
	if (!s)
		die("digest", NULL);
	return s;
}

static void put_error(tw_buf *b, const tw_error *e)
{
	char *text = tw_error_format(e);
	(void)tw_buf_printf(b, "%s\n", text ? text : "?");
	free(text);
}

/* ---- self: the hook reaches the engine's own calls ---- */

static int self_test(void)
{
	torture_arm(1);
	tw_vars *v = tw_vars_new();
	long made = torture_disarm();
	if (v || made != 1) {
		fprintf(stderr, "self: the engine's first allocation did not fail (%ld made)\n",
			made);
		tw_vars_free(v);
		return 1;
	}
	torture_arm(1);
	json_t *j = json_object();
	made = torture_disarm();
	if (j || made != 1) {
		fprintf(stderr, "self: jansson's first allocation did not fail\n");
		json_decref(j);
		return 1;
	}
	torture_arm(2);
	v = tw_vars_new();
	made = torture_disarm();
	tw_vars_free(v);
	fprintf(stderr, "self: allocations fail on demand in the engine and jansson "
		"(tw_vars_new: %ld allocations)\n", made);
	return 0;
}

/* ---- parse ---- */

typedef struct parse_ctx {
	const char *name;
	char *text;
	size_t len;
	tw_script *script;
	tw_error err;
} parse_ctx;

static int parse_run(void *p)
{
	parse_ctx *c = p;
	return tw_script_parse(&c->script, c->name, c->text, c->len, &c->err);
}

/* What the parser built, in words: every scene and step with its place,
 * and what the checker says of it. */
static char *parse_digest(void *p)
{
	parse_ctx *c = p;
	tw_buf b;
	tw_buf_init(&b, (size_t)1 << 24);
	const tw_script *s = c->script;
	(void)tw_buf_printf(&b, "%s|%s|%ld|%ld|%zu tags|%zu cast\n", s->name,
			    s->outcome ? s->outcome : "", s->budget_ms, s->budget_steps,
			    s->tag_count, s->cast.count);
	for (size_t i = 0; i < s->scene_count; i++) {
		const tw_scene *sc = &s->scenes[i];
		(void)tw_buf_printf(&b, "scene %s %d:%d\n", sc->name, sc->loc.line, sc->loc.col);
		for (size_t j = 0; j < sc->step_count; j++)
			(void)tw_buf_printf(&b, "  %s %d:%d %s\n",
					    tw_step_facts_of(sc->steps[j].kind)->json,
					    sc->steps[j].loc.line, sc->steps[j].loc.col,
					    sc->steps[j].source ? sc->steps[j].source : "");
	}
	tw_errors problems = {0};
	tw_script_check(s, NULL, &problems);
	for (size_t i = 0; i < problems.count; i++)
		put_error(&b, &problems.items[i]);
	tw_errors_clear(&problems);
	return steal(&b);
}

static char *error_digest(const tw_error *e)
{
	tw_buf b;
	tw_buf_init(&b, (size_t)1 << 20);
	put_error(&b, e);
	return steal(&b);
}

static void parse_cleanup(void *p)
{
	parse_ctx *c = p;
	tw_script_free(c->script);
	c->script = NULL;
	tw_error_clear(&c->err);
}

/* A script that does not parse: its error is the result. */
static char *parse_error_digest(void *p)
{
	return error_digest(&((parse_ctx *)p)->err);
}

static int torture_parse(void)
{
	int problems = 0;
	for (size_t i = 0; i < SCRIPT_COUNT + BAD_COUNT; i++) {
		parse_ctx c = {.name = i < SCRIPT_COUNT ? scripts[i] : bad_scripts[i - SCRIPT_COUNT]};
		c.text = slurp(c.name, &c.len);
		tw_script *probe = NULL;
		tw_error err = {0};
		bool parses = tw_script_parse(&probe, c.name, c.text, c.len, &err) == TW_OK;
		tw_script_free(probe);
		tw_error_clear(&err);
		char label[256];
		snprintf(label, sizeof(label), "parse %s", c.name);
		torture_op op = {label, parse_run, parses ? parse_digest : parse_error_digest,
				 parse_cleanup, &c, &c.err};
		problems += torture_run_expecting(&op, parses ? TW_OK : TW_ESYNTAX);
		free(c.text);
	}
	return problems;
}

/* ---- check ---- */

typedef struct check_ctx {
	const tw_script *script;
	const tw_vars *given;
	tw_errors problems;
} check_ctx;

/* The checker's answer as a code: out of memory when it says so. */
static int check_run(void *p)
{
	check_ctx *c = p;
	tw_script_check(c->script, c->given, &c->problems);
	for (size_t i = 0; i < c->problems.count; i++)
		if (c->problems.items[i].code == TW_ENOMEM)
			return TW_ENOMEM;
	return TW_OK;
}

static char *check_digest(void *p)
{
	check_ctx *c = p;
	tw_buf b;
	tw_buf_init(&b, (size_t)1 << 24);
	(void)tw_buf_printf(&b, "%zu problems\n", c->problems.count);
	for (size_t i = 0; i < c->problems.count; i++)
		put_error(&b, &c->problems.items[i]);
	return steal(&b);
}

static void check_cleanup(void *p)
{
	tw_errors_clear(&((check_ctx *)p)->problems);
}

static int torture_check(void)
{
	int problems = 0;
	tw_vars *given = tw_vars_new();
	if (!given || tw_vars_set(given, "stage", "http://127.0.0.1:9", false) != TW_OK)
		die("vars", NULL);
	for (size_t i = 0; i < SCRIPT_COUNT + BAD_COUNT; i++) {
		const char *path = i < SCRIPT_COUNT ? scripts[i] : bad_scripts[i - SCRIPT_COUNT];
		tw_script *s = NULL;
		tw_error err = {0};
		if (tw_script_load(&s, path, &err) != TW_OK) {
			tw_error_clear(&err);
			continue;
		}
		for (int with = 0; with < 2; with++) {
			check_ctx c = {.script = s, .given = with ? given : NULL};
			char label[256];
			snprintf(label, sizeof(label), "check %s%s", path, with ? " (stage given)" : "");
			torture_op op = {label, check_run, check_digest, check_cleanup, &c, NULL};
			problems += torture_run(&op);
		}
		tw_script_free(s);
	}
	tw_vars_free(given);
	return problems;
}

/* ---- expect: subjects, filters and predicates judged ---- */

static const char expect_body[] =
	"{\"ids\": [3, 5, 8], \"price\": \"12\", \"ratio\": \"0.75\", \"tags\": \"a,b,c\","
	" \"token\": \"eyJzdWIiOiAiYWRhIn0\", \"next\": \"https://x.test/o?page=3&q=caf%C3%A9\","
	" \"title\": \"Fish &amp; Chips &#65\", \"path\": \"caf%C3%A9\", \"opened\": \"2020-02-29\","
	" \"stamp\": \"2020-01-01T02:00:00+0200\", \"order\": \"Order #1001 is ready\","
	" \"inner\": \"{\\\"big\\\": 123456789012345678901234567890, \\\"a\\\": [1, 2]}\","
	" \"obj\": {\"a\": 1, \"b\": 2}, \"auth\": \"Basic YWRhOmh1bnRlcjJwYXNz\"}";

/* Every filter, passing and failing, absence, secrets. */
static const char expect_script[] =
	"scene \"S\"\n"
	"  expect json $.ids count == 3\n"
	"  expect json $.obj count == 2\n"
	"  expect json $.ids nth 2 == 5\n"
	"  expect json $.ids nth 5 not exists\n"
	"  expect json $.ids nth 5 == 1\n"
	"  expect json $.ids first == 3\n"
	"  expect json $.ids last toFloat == 8\n"
	"  expect json $.price toInt == 12\n"
	"  expect json $.ratio toInt == 0\n"
	"  expect json $.tags split \",\" last == \"c\"\n"
	"  expect json $.order replace \"ready\" \"{{w}}\" == \"x\"\n"
	"  expect json $.order replace /(\\d+)/ \"<$1>\" contains \"<1001>\"\n"
	"  expect json $.order regex /#(\\d+)/ toInt == 1001 as n\n"
	"  expect json $.order regex /#(x)/ == 1\n"
	"  expect json $.token base64Decode jsonpath \"$.sub\" == \"ada\"\n"
	"  expect json $.token base64Decode toHex base64Encode == \"x\"\n"
	"  expect json $.path urlDecode urlEncode == \"caf%C3%A9\"\n"
	"  expect json $.title htmlUnescape == \"Fish & Chips A\"\n"
	"  expect json $.inner jsonpath \"$.a[*]\" count == 2\n"
	"  expect json $.inner jsonpath \"$.big\" is number\n"
	"  expect json $.next urlQueryParam \"q\" == \"caf\u00e9\"\n"
	"  expect json $.opened toDate \"%Y-%m-%d\" daysBeforeNow > 1000\n"
	"  expect json $.stamp toDate \"%Y-%m-%dT%H:%M:%S%z\" == \"2020-01-01T00:00:00Z\"\n"
	"  expect json $.stamp toDate == \"x\"\n"
	"  expect json $.order sha256 md5 == \"x\"\n"
	"  expect json $.auth base64Encode == \"nope\"\n"
	"  expect var pw split \"2\" == \"nope\"\n"
	"  expect header Set-Cookie nth 2 regex /size=(\\w+)/ == \"large\"\n"
	"  expect header Set-Cookie nth 3 not exists\n"
	"  expect bytes count > 10\n"
	"  expect sha256 starts with \"0\"\n";

typedef struct expect_ctx {
	const tw_script *script;
	tw_buf out; /* every outcome, in words */
} expect_ctx;

static int expect_judge(expect_ctx *c, tw_response *resp, tw_vars *vars, const tw_redact *r)
{
	const tw_scene *sc = &c->script->scenes[0];
	for (size_t i = 0; i < sc->step_count; i++) {
		tw_expect_outcome o = {0};
		int rc = tw_expect_eval(&sc->steps[i].expect, resp, vars, r, &o);
		if (rc == TW_OK && tw_buf_printf(&c->out, "%d|%s|%s|%s|%s\n", o.passed,
						 o.message ? o.message : "-",
						 o.expected ? o.expected : "-",
						 o.actual ? o.actual : "-",
						 o.captured ? o.captured : "-") != TW_OK)
			rc = TW_ENOMEM;
		tw_expect_outcome_free(&o);
		if (rc)
			return rc;
	}
	return TW_OK;
}

static int expect_run(void *p)
{
	expect_ctx *c = p;
	tw_buf_init(&c->out, (size_t)1 << 24);
	tw_response resp;
	tw_response_init(&resp, 1u << 20);
	tw_redact r = {0};
	tw_vars *vars = tw_vars_new();
	const char *lines[] = {"HTTP/1.1 200 OK\r\n", "Content-Type: application/json\r\n",
			       "Set-Cookie: flavour=margherita; Path=/\r\n",
			       "Set-Cookie: size=large; Path=/; HttpOnly\r\n"};
	int rc = vars ? TW_OK : TW_ENOMEM;
	for (size_t i = 0; rc == TW_OK && i < sizeof(lines) / sizeof(lines[0]); i++)
		rc = tw_response_header_line(&resp, lines[i], strlen(lines[i]));
	resp.status = 200;
	if (rc == TW_OK)
		rc = tw_buf_append(&resp.body, expect_body, sizeof(expect_body) - 1);
	if (rc == TW_OK && !(resp.content_type = strdup("application/json")))
		rc = TW_ENOMEM;
	if (rc == TW_OK)
		rc = tw_redact_add(&r, "hunter2pass");
	if (rc == TW_OK)
		rc = tw_vars_set(vars, "pw", "hunter2pass", true);
	if (rc == TW_OK)
		rc = tw_vars_set(vars, "w", "baking", false);
	if (rc == TW_OK)
		rc = expect_judge(c, &resp, vars, &r);
	tw_vars_free(vars);
	tw_redact_free(&r);
	tw_response_free(&resp);
	return rc;
}

static char *expect_digest(void *p)
{
	expect_ctx *c = p;
	char *s = strdup(c->out.len ? tw_buf_str(&c->out) : "");
	tw_buf_free(&c->out);
	tw_buf_init(&c->out, (size_t)1 << 24);
	return s;
}

static void expect_cleanup(void *p)
{
	tw_buf_free(&((expect_ctx *)p)->out);
}

static int torture_expect(void)
{
	tw_script *s = NULL;
	tw_error err = {0};
	if (tw_script_parse(&s, "expect.rehearsal", expect_script, strlen(expect_script), &err))
		die("expect script", &err);
	expect_ctx c = {.script = s};
	torture_op op = {"expect (every filter)", expect_run, expect_digest, expect_cleanup, &c,
			 NULL};
	int problems = torture_run(&op);
	tw_script_free(s);
	return problems;
}

/* ---- a finished run, performed once against the stage ---- */


static pid_t stage_pid;
static char stage_url[256];

static void stage_start(const char *stage)
{
	int fds[2];
	if (pipe(fds) != 0)
		die("pipe", NULL);
	stage_pid = fork();
	if (stage_pid < 0)
		die("fork", NULL);
	if (stage_pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		setenv("STAGE_PASSWORD", "lovelace", 1);
		execl(stage, stage, "--port", "0", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	FILE *f = fdopen(fds[0], "r");
	if (!f || !fgets(stage_url, sizeof(stage_url), f))
		die("the stage did not start", NULL);
	fclose(f);
	stage_url[strcspn(stage_url, "\r\n")] = '\0';
}

static void stage_stop(void)
{
	if (stage_pid > 0) {
		kill(stage_pid, SIGTERM);
		waitpid(stage_pid, NULL, 0);
		stage_pid = 0;
	}
}

/* As `techweek run` loads a script: a broken one is recorded as such. */
static void add_script(tw_run *run, const char *path, const tw_vars *vars)
{
	tw_error err = {0};
	tw_script *s = NULL;
	if (tw_script_load(&s, path, &err) != TW_OK) {
		if (tw_run_add_broken(run, path, &err) != TW_OK)
			die(path, &err);
		tw_error_clear(&err);
		return;
	}
	tw_errors problems = {0};
	if (tw_script_check(s, vars, &problems) > 0) {
		if (tw_run_add_broken(run, path, &problems.items[0]) != TW_OK)
			die(path, NULL);
		tw_errors_clear(&problems);
		tw_script_free(s);
		return;
	}
	tw_errors_clear(&problems);
	if (tw_run_add_script(run, s, &err) != TW_OK)
		die(path, &err);
}

static tw_run *perform(const tw_vars *vars, unsigned shard, unsigned shards,
		       const char *const *paths, size_t n, unsigned long performances)
{
	tw_run_options o;
	tw_run_options_init(&o, TW_RUN_OPTIONS_VERSION);
	o.vars = vars;
	o.performances = performances;
	o.shard_index = shard;
	o.shard_count = shards;
	tw_run *run = NULL;
	tw_error err = {0};
	if (tw_run_new(&run, &o, &err) != TW_OK)
		die("tw_run_new", &err);
	for (size_t i = 0; i < n; i++)
		add_script(run, paths[i], vars);
	if (tw_run_execute(run, &err) != TW_OK)
		die("tw_run_execute", &err);
	return run;
}

static void score_of(const tw_run *run, tw_run_score *score)
{
	tw_readiness_config cfg;
	tw_readiness_config_init(&cfg);
	tw_error err = {0};
	if (tw_readiness_score(run, &cfg, score, &err) != TW_OK)
		die("tw_readiness_score", &err);
	tw_readiness_config_free(&cfg);
}

/* ---- score and reports ---- */

typedef struct report_ctx {
	const tw_run *run;
	const tw_run_score *score;
	tw_report_render_fn render; /* NULL: the summary and the verdict */
	tw_run_score made;          /* score: what tw_readiness_score made */
	tw_buf out;
	char *text; /* the summary's stream */
	size_t len;
	tw_error err;
} report_ctx;

static int render_run(void *p)
{
	report_ctx *c = p;
	return c->render(c->run, c->score, &c->out, &c->err);
}

static int summary_run(void *p)
{
	report_ctx *c = p;
	FILE *f = open_memstream(&c->text, &c->len);
	if (!f)
		return TW_ENOMEM;
	int rc = tw_report_summary(c->run, c->score, f, TW_SUMMARY_VERBOSE, &c->err);
	if (rc == TW_OK)
		rc = tw_report_verdict(c->run, c->score, f, 0, &c->err);
	fclose(f);
	return rc;
}

static char *report_digest(void *p)
{
	report_ctx *c = p;
	if (c->text)
		return strdup(c->text);
	return strdup(tw_buf_str(&c->out));
}

static void report_cleanup(void *p)
{
	report_ctx *c = p;
	tw_buf_free(&c->out);
	free(c->text);
	c->text = NULL;
	tw_error_clear(&c->err);
}

static int score_run(void *p)
{
	report_ctx *c = p;
	tw_readiness_config cfg;
	tw_readiness_config_init(&cfg);
	int rc = tw_readiness_score(c->run, &cfg, &c->made, &c->err);
	tw_readiness_config_free(&cfg);
	return rc;
}

/* The score shown as the JSON report shows it. */
static char *score_digest(void *p)
{
	report_ctx *c = p;
	tw_buf b;
	tw_error err = {0};
	if (tw_report_json_render(c->run, &c->made, &b, &err) != TW_OK)
		die("json", &err);
	char *s = steal(&b);
	tw_buf_free(&b);
	return s;
}

static void score_cleanup(void *p)
{
	report_ctx *c = p;
	tw_run_score_free(&c->made);
	memset(&c->made, 0, sizeof(c->made));
	tw_error_clear(&c->err);
}

/* The runs a report is rendered from: each rendering costs its run's
 * allocations once per allocation, so three small runs are tortured in a
 * third of the time one run of them all would take. */
static const char *const web_run[] = {"rehearsals/order-pizza.rehearsal"};
static const char *const phone_run[] = {"rehearsals/call-about-order.rehearsal"};
static const char *const failing_run[] = {"tests/cases/missing-link.rehearsal",
					  "tests/cases/data/broken.rehearsal"};
static const struct {
	const char *name;
	const char *const *paths;
	size_t n;
} report_runs[] = {
	{"a web journey", web_run, 1},
	{"a phone call", phone_run, 1},
	{"a failure and a broken script", failing_run, 2},
};
#define REPORT_RUNS (sizeof(report_runs) / sizeof(report_runs[0]))

static int torture_reports(const char *what, const char *stage)
{
	tw_global_init();
	stage_start(stage);
	tw_vars *vars = tw_vars_new();
	if (!vars || tw_vars_set(vars, "stage", stage_url, false) != TW_OK)
		die("vars", NULL);
	tw_run *runs[REPORT_RUNS];
	for (size_t i = 0; i < REPORT_RUNS; i++)
		runs[i] = perform(vars, 0, 0, report_runs[i].paths, report_runs[i].n, 1);
	stage_stop();

	int problems = 0;
	for (size_t i = 0; i < REPORT_RUNS; i++) {
		tw_run_score score;
		score_of(runs[i], &score);
		report_ctx c = {.run = runs[i], .score = &score};
		char label[128];
		snprintf(label, sizeof(label), "%s of %s", what, report_runs[i].name);
		torture_op op = {label, render_run, report_digest, report_cleanup, &c, &c.err};
		if (strcmp(what, "junit") == 0)
			c.render = tw_report_junit_render;
		else if (strcmp(what, "json") == 0)
			c.render = tw_report_json_render;
		else if (strcmp(what, "html") == 0)
			c.render = tw_report_html_render;
		else if (strcmp(what, "summary") == 0)
			op.run = summary_run;
		else
			op = (torture_op){label, score_run, score_digest, score_cleanup, &c,
					  &c.err};
		problems += torture_run(&op);
		if (c.render && i + 1 == REPORT_RUNS) {
			/* Without a score too: the reports leave it out. */
			c.score = NULL;
			snprintf(label, sizeof(label), "%s of %s, without a score", what,
				 report_runs[i].name);
			problems += torture_run(&op);
		}
		tw_run_score_free(&score);
		tw_run_free(runs[i]);
	}
	tw_vars_free(vars);
	tw_global_cleanup();
	return problems;
}

/* ---- merge ---- */

typedef struct merge_ctx {
	const char *names[2];
	const char *texts[2];
	size_t lens[2];
	tw_run *run;
	tw_error err;
} merge_ctx;

static int merge_run(void *p)
{
	merge_ctx *c = p;
	return tw_run_merge_texts(&c->run, c->names, c->texts, c->lens, 2, &c->err);
}

/* The merged run as its JSON result. */
static char *merge_digest(void *p)
{
	merge_ctx *c = p;
	tw_buf b;
	tw_error err = {0};
	if (tw_report_json_render(c->run, NULL, &b, &err) != TW_OK)
		die("json", &err);
	char *s = steal(&b);
	tw_buf_free(&b);
	return s;
}

static void merge_cleanup(void *p)
{
	merge_ctx *c = p;
	tw_run_free(c->run);
	c->run = NULL;
	tw_error_clear(&c->err);
}

/* Shards of two kinds (docs/sharding.md): with fewer runnable rehearsals
 * than shards, each shard performs them all and merge sums the figures;
 * with as many, each performs its own. */
static const char *const merge_split[] = {"rehearsals/kitchen-api.rehearsal",
					  "tests/cases/missing-link.rehearsal"};
static const struct {
	const char *name;
	const char *const *paths;
	size_t n;
} merge_runs[] = {
	{"merge of shards sharing the performances", failing_run, 2},
	{"merge of shards sharing the rehearsals", merge_split, 2},
};
#define MERGE_RUNS (sizeof(merge_runs) / sizeof(merge_runs[0]))

static int torture_merge(const char *stage)
{
	tw_global_init();
	stage_start(stage);
	tw_vars *vars = tw_vars_new();
	if (!vars || tw_vars_set(vars, "stage", stage_url, false) != TW_OK)
		die("vars", NULL);
	char *parts[MERGE_RUNS][2];
	for (size_t k = 0; k < MERGE_RUNS; k++) {
		for (unsigned i = 0; i < 2; i++) {
			tw_run *run = perform(vars, i + 1, 2, merge_runs[k].paths, merge_runs[k].n,
					      2);
			tw_run_score score;
			score_of(run, &score);
			tw_buf b;
			tw_error err = {0};
			if (tw_report_json_render(run, &score, &b, &err) != TW_OK)
				die("json", &err);
			parts[k][i] = steal(&b);
			tw_buf_free(&b);
			tw_run_score_free(&score);
			tw_run_free(run);
		}
	}
	stage_stop();
	int problems = 0;
	for (size_t k = 0; k < MERGE_RUNS; k++) {
		merge_ctx c = {.names = {"part1.json", "part2.json"}};
		for (unsigned i = 0; i < 2; i++) {
			c.texts[i] = parts[k][i];
			c.lens[i] = strlen(parts[k][i]);
		}
		torture_op op = {merge_runs[k].name, merge_run, merge_digest, merge_cleanup, &c,
				 &c.err};
		problems += torture_run(&op);
		free(parts[k][0]);
		free(parts[k][1]);
	}
	tw_vars_free(vars);
	tw_global_cleanup();
	return problems;
}

/* ---- performing: each request's chain recorded while allocations fail ---- */

/* Redirects: a POST answered 307, then 302, then a 500 (three hops). */
static const char chain_script[] = "tests/cases/chain-three-hops.rehearsal";

typedef struct perform_ctx {
	const tw_vars *vars;
	tw_run *run;
	tw_error err;
} perform_ctx;

/* Whether a step of the run failed saying it ran out of memory: the
 * operation's out of memory, as a step cannot return one. */
static bool said_out_of_memory(const tw_run *run)
{
	for (size_t i = 0; i < run->count; i++) {
		const tw_rehearsal_result *r = &run->rehearsals[i];
		for (size_t s = 0; r->plan && r->scenes && s < r->plan->scene_count; s++)
			for (size_t t = 0; t < tw_scene_result_steps(&r->scenes[s]); t++) {
				const char *m = r->scenes[s].steps[t].message;
				if (m && strstr(m, "out of memory"))
					return true;
			}
	}
	return false;
}

static int perform_run(void *p)
{
	perform_ctx *c = p;
	tw_run_options o;
	tw_run_options_init(&o, TW_RUN_OPTIONS_VERSION);
	o.vars = c->vars;
	o.performances = 1;
	tw_script *script = NULL;
	int rc = tw_run_new(&c->run, &o, &c->err);
	if (!rc)
		rc = tw_script_load(&script, chain_script, &c->err);
	if (!rc) {
		tw_errors problems = {0};
		rc = tw_script_check(script, c->vars, &problems) > 0 ? TW_ECHECK : TW_OK;
		/* Only the lack of memory makes this script fail its check. */
		if (rc && problems.count && problems.items[0].code == TW_ENOMEM)
			rc = TW_ENOMEM;
		tw_errors_clear(&problems);
	}
	if (!rc) {
		rc = tw_run_add_script(c->run, script, &c->err);
		script = NULL;
	}
	tw_script_free(script);
	if (!rc)
		rc = tw_run_execute(c->run, &c->err);
	if (!rc && said_out_of_memory(c->run))
		rc = TW_ENOMEM;
	return rc;
}

/* Each step's status, cause, and chain: what a report shows of it. */
static char *perform_digest(void *p)
{
	perform_ctx *c = p;
	tw_buf b;
	tw_buf_init(&b, SIZE_MAX / 2);
	for (size_t i = 0; i < c->run->count; i++) {
		const tw_rehearsal_result *r = &c->run->rehearsals[i];
		for (size_t s = 0; r->plan && r->scenes && s < r->plan->scene_count; s++)
			for (size_t t = 0; t < tw_scene_result_steps(&r->scenes[s]); t++) {
				const tw_step_result *st = &r->scenes[s].steps[t];
				tw_buf_printf(&b, "%d %s %s %s %ld |", (int)st->status,
					      st->message ? st->message : "-",
					      st->method ? st->method : "-", st->url ? st->url : "-",
					      st->http_status);
				for (size_t h = 0; h < st->hop_count; h++)
					tw_buf_printf(&b, " %s %s %ld", st->hops[h].method,
						      st->hops[h].url ? st->hops[h].url : "-",
						      st->hops[h].status);
				tw_buf_puts(&b, "\n");
			}
	}
	return steal(&b);
}

static void perform_cleanup(void *p)
{
	perform_ctx *c = p;
	tw_run_free(c->run);
	c->run = NULL;
	tw_error_clear(&c->err);
}

static int torture_perform(const char *stage)
{
	tw_global_init();
	stage_start(stage);
	tw_vars *vars = tw_vars_new();
	if (!vars || tw_vars_set(vars, "stage", stage_url, false) != TW_OK)
		die("vars", NULL);
	perform_ctx c = {.vars = vars};
	torture_op op = {"perform (a request chain of three hops)", perform_run, perform_digest,
			 perform_cleanup, &c, &c.err};
	int problems = torture_run(&op);
	stage_stop();
	tw_vars_free(vars);
	tw_global_cleanup();
	return problems;
}

static bool report_op(const char *what)
{
	static const char *const ops[] = {"score", "junit", "json", "html", "summary"};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(what, ops[i]) == 0)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	torture_init();
	if (argc < 2) {
		fprintf(stderr, "usage: test_torture OPERATION [STAGE]\n");
		return 2;
	}
	/* meson names the stage relative to the build folder. */
	char *stage = argc > 2 ? realpath(argv[2], NULL) : NULL;
	if (argc > 2 && !stage)
		die(argv[2], NULL);
	/* The scripts' paths, as the plan keeps them, are relative to it. */
	if (chdir(TW_SOURCE_ROOT) != 0)
		die(TW_SOURCE_ROOT, NULL);
	const char *what = argv[1];
	int problems;
	if (strcmp(what, "self") == 0)
		problems = self_test();
	else if (strcmp(what, "parse") == 0)
		problems = torture_parse();
	else if (strcmp(what, "check") == 0)
		problems = torture_check();
	else if (strcmp(what, "expect") == 0)
		problems = torture_expect();
	else if (strcmp(what, "merge") != 0 && strcmp(what, "perform") != 0 && !report_op(what))
		return fprintf(stderr, "test_torture: no operation '%s'\n", what), 2;
	else if (!stage)
		return fprintf(stderr, "test_torture: %s needs the stage\n", what), 2;
	else if (strcmp(what, "merge") == 0)
		problems = torture_merge(stage);
	else if (strcmp(what, "perform") == 0)
		problems = torture_perform(stage);
	else
		problems = torture_reports(what, stage);
	free(stage);
	if (problems)
		fprintf(stderr, "test_torture %s: %d problem%s\n", what, problems,
			problems == 1 ? "" : "s");
	return problems ? 1 : 0;
}
