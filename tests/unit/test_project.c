/*
 * The project file, techweek.json (readiness/project.h): a good file sets
 * what it says and nothing else; every mistake a person makes by hand (a
 * typo in a key, a number in quotes, a duration without a unit, a gate of
 * 900) is an error that names the file and the key, and leaves the
 * configuration as it was.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "readiness/project.h"
#include "techweek.h"

typedef struct state {
	char dir[64];
	char path[128];
	tw_readiness_config cfg;
	tw_error err;
} state;

static int setup(void **st)
{
	state *s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	strcpy(s->dir, "/tmp/tw-project-XXXXXX");
	if (!mkdtemp(s->dir)) {
		free(s);
		return -1;
	}
	snprintf(s->path, sizeof(s->path), "%s/techweek.json", s->dir);
	tw_readiness_config_init(&s->cfg);
	*st = s;
	return 0;
}

static int teardown(void **st)
{
	state *s = *st;
	unlink(s->path);
	rmdir(s->dir);
	tw_readiness_config_free(&s->cfg);
	tw_error_clear(&s->err);
	free(s);
	return 0;
}

static void write_file(state *s, const char *text)
{
	FILE *f = fopen(s->path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int load(state *s, const char *text)
{
	write_file(s, text);
	tw_error_clear(&s->err);
	return tw_project_load(&s->cfg, s->path, &s->err);
}

/* The load fails with code, err names the file, and its message holds
 * want; the configuration is still the defaults. */
static void assert_bad(state *s, const char *text, int code, const char *want)
{
	int rc = load(s, text);
	if (rc != code)
		fail_msg("%s: got %d (%s), want %d", text, rc, s->err.message ? s->err.message : "",
			 code);
	assert_non_null(s->err.message);
	if (!strstr(s->err.message, want))
		fail_msg("%s: message '%s' lacks '%s'", text, s->err.message, want);
	assert_non_null(s->err.file);
	assert_string_equal(s->err.file, s->path);
	tw_readiness_config d;
	tw_readiness_config_init(&d);
	assert_true(s->cfg.w_outcome == d.w_outcome && s->cfg.w_effort == d.w_effort);
	assert_true(s->cfg.apdex_page_ms == d.apdex_page_ms && s->cfg.apdex_ivr_ms == d.apdex_ivr_ms);
	assert_true(s->cfg.cap_never == d.cap_never && s->cfg.gate == d.gate);
	assert_int_equal(s->cfg.rule_count, 0);
}

static void test_good_file(void **st)
{
	state *s = *st;
	assert_int_equal(
		load(s, "{\"weights\": {\"outcome\": 50, \"responsiveness\": 20, \"consistency\": 20, "
			"\"effort\": 10},\n"
			" \"apdex\": {\"page\": \"1.5s\", \"api\": \"300ms\", \"ivr\": \"2s\"},\n"
			" \"cap_never\": 10,\n"
			" \"gate\": 90,\n"
			" \"gates\": [{\"tag\": \"checkout\", \"minimum\": 99},\n"
			"           {\"rehearsal\": \"Help page\", \"minimum\": 80.5}]}\n"),
		TW_OK);
	tw_readiness_config *c = &s->cfg;
	assert_true(c->w_outcome == 50 && c->w_responsiveness == 20 && c->w_consistency == 20 &&
		    c->w_effort == 10);
	assert_true(c->apdex_page_ms == 1500 && c->apdex_api_ms == 300 && c->apdex_ivr_ms == 2000);
	assert_true(c->cap_never == 10);
	assert_true(c->gate == 90);
	assert_int_equal(c->rule_count, 2);
	assert_string_equal(c->rules[0].tag, "checkout");
	assert_null(c->rules[0].rehearsal);
	assert_true(c->rules[0].minimum == 99);
	assert_string_equal(c->rules[1].rehearsal, "Help page");
	assert_null(c->rules[1].tag);
	assert_true(c->rules[1].minimum == 80.5);
	/* no required rate, not minor: the defaults apply */
	assert_true(c->rules[0].require < 0 && !c->rules[0].minor);
	assert_true(c->require == TW_READINESS_REQUIRE);
	assert_true(c->irregular_zero == TW_READINESS_IRREGULAR_ZERO);
}

/* The required outcome rate (the project's default and per rule), the
 * share of irregular performances at which consistency is 0, and minor
 * journeys; a rule needs only one of minimum, require and minor. */
static void test_require_minor(void **st)
{
	state *s = *st;
	assert_int_equal(
		load(s, "{\"require\": \"99.5%\", \"irregular_zero\": \"5%\",\n"
			" \"gates\": [{\"tag\": \"checkout\", \"require\": \"99.9%\"},\n"
			"           {\"tag\": \"help\", \"minor\": true},\n"
			"           {\"rehearsal\": \"Pay\", \"minimum\": 90, \"require\": \"100%\", "
			"\"minor\": false}]}"),
		TW_OK);
	tw_readiness_config *c = &s->cfg;
	assert_true(fabs(c->require - 0.995) < 1e-12);
	assert_true(fabs(c->irregular_zero - 0.05) < 1e-12);
	assert_int_equal(c->rule_count, 3);
	assert_true(fabs(c->rules[0].require - 0.999) < 1e-12);
	assert_true(c->rules[0].minimum < 0 && !c->rules[0].minor);
	assert_true(c->rules[1].minor && c->rules[1].minimum < 0 && c->rules[1].require < 0);
	assert_true(c->rules[2].minimum == 90 && c->rules[2].require == 1 && !c->rules[2].minor);
}

/* Keys left out keep what c had; numbers are milliseconds. */
static void test_partial_file(void **st)
{
	state *s = *st;
	s->cfg.gate = 75;
	assert_int_equal(load(s, "{\"weights\": {\"effort\": 0}, \"apdex\": {\"api\": 250}}"), TW_OK);
	assert_true(s->cfg.w_outcome == TW_READINESS_W_OUTCOME);
	assert_true(s->cfg.w_effort == 0);
	assert_true(s->cfg.apdex_api_ms == 250);
	assert_true(s->cfg.apdex_page_ms == TW_READINESS_APDEX_PAGE_MS);
	assert_true(s->cfg.gate == 75);
	assert_int_equal(load(s, "{}"), TW_OK);
	assert_true(s->cfg.gate == 75);
	assert_int_equal(load(s, "{\"gate\": null}"), TW_OK);
	assert_true(s->cfg.gate < 0);
	assert_int_equal(load(s, "{\"gate\": 0, \"cap_never\": 0}"), TW_OK);
	assert_true(s->cfg.gate == 0 && s->cfg.cap_never == 0);
	assert_int_equal(load(s, "{\"gate\": 100, \"apdex\": {\"ivr\": \"1m\"}}"), TW_OK);
	assert_true(s->cfg.gate == 100 && s->cfg.apdex_ivr_ms == 60000);
	/* gates add to the rules c has */
	assert_int_equal(load(s, "{\"gates\": [{\"tag\": \"a\", \"minimum\": 1}]}"), TW_OK);
	assert_int_equal(load(s, "{\"gates\": [{\"tag\": \"b\", \"minimum\": 2}]}"), TW_OK);
	assert_int_equal(s->cfg.rule_count, 2);
	assert_string_equal(s->cfg.rules[1].tag, "b");
}

static void test_unknown_keys(void **st)
{
	state *s = *st;
	assert_bad(s, "{\"gaet\": 90}", TW_EUSAGE, "gaet: unknown key (did you mean 'gate'?)");
	assert_bad(s, "{\"colour\": \"red\"}", TW_EUSAGE,
		   "colour: unknown key (known: weights, apdex, cap_never, gate, require, "
		   "irregular_zero, gates, regression, environments)");
	assert_bad(s, "{\"weights\": {\"outcme\": 40}}", TW_EUSAGE,
		   "weights.outcme: unknown key (did you mean 'outcome'?)");
	assert_bad(s, "{\"weights\": {\"speed\": 40}}", TW_EUSAGE,
		   "weights.speed: unknown key (known: outcome, responsiveness, consistency, effort)");
	assert_bad(s, "{\"apdex\": {\"web\": \"1s\"}}", TW_EUSAGE,
		   "apdex.web: unknown key (known: page, api, ivr)");
	assert_bad(s, "{\"apdex\": {\"pages\": \"1s\"}}", TW_EUSAGE,
		   "apdex.pages: unknown key (did you mean 'page'?)");
	assert_bad(s, "{\"gates\": [{\"tag\": \"a\", \"minimum\": 1}, {\"tag\": \"b\", \"minumum\": 1}]}",
		   TW_EUSAGE, "gates[1].minumum: unknown key (did you mean 'minimum'?)");
	assert_bad(s, "{\"cap\": 20}", TW_EUSAGE, "cap: unknown key");
}

static void test_bad_types(void **st)
{
	state *s = *st;
	assert_bad(s, "[1, 2]", TW_EUSAGE, "must hold a JSON object");
	assert_bad(s, "{\"weights\": [40, 30]}", TW_EUSAGE, "weights: must be an object");
	assert_bad(s, "{\"weights\": {\"outcome\": \"40\"}}", TW_EUSAGE,
		   "weights.outcome: must be a number");
	assert_bad(s, "{\"weights\": {\"effort\": -1}}", TW_EUSAGE, "weights.effort: must be a number from 0");
	assert_bad(s, "{\"weights\": {\"outcome\": true}}", TW_EUSAGE, "weights.outcome: must be a number");
	assert_bad(s,
		   "{\"weights\": {\"outcome\": 0, \"responsiveness\": 0, \"consistency\": 0, \"effort\": 0}}",
		   TW_EUSAGE, "weights: cannot all be 0");
	assert_bad(s, "{\"apdex\": \"1s\"}", TW_EUSAGE, "apdex: must be an object");
	assert_bad(s, "{\"apdex\": {\"page\": \"fast\"}}", TW_EUSAGE,
		   "apdex.page: 'fast' is not a duration");
	assert_bad(s, "{\"apdex\": {\"page\": \"300\"}}", TW_EUSAGE,
		   "apdex.page: '300' is not a duration");
	assert_bad(s, "{\"apdex\": {\"api\": \"0ms\"}}", TW_EUSAGE, "apdex.api: '0ms' is not a duration");
	assert_bad(s, "{\"apdex\": {\"api\": 0}}", TW_EUSAGE, "apdex.api: must be a duration above 0");
	assert_bad(s, "{\"apdex\": {\"api\": -5}}", TW_EUSAGE, "apdex.api: must be a duration above 0");
	assert_bad(s, "{\"apdex\": {\"ivr\": true}}", TW_EUSAGE, "apdex.ivr: must be a duration");
	assert_bad(s, "{\"apdex\": {\"ivr\": \"infs\"}}", TW_EUSAGE, "apdex.ivr: 'infs' is not a duration");
	assert_bad(s, "{\"cap_never\": \"20\"}", TW_EUSAGE, "cap_never: must be a number from 0 to 100");
	assert_bad(s, "{\"cap_never\": 150}", TW_EUSAGE, "cap_never: must be a number from 0 to 100, not 150");
	assert_bad(s, "{\"gate\": \"90\"}", TW_EUSAGE, "gate: must be a number from 0 to 100");
	assert_bad(s, "{\"gates\": {\"tag\": \"a\"}}", TW_EUSAGE, "gates: must be a list");
	assert_bad(s, "{\"gates\": [{\"tag\": \"a\", \"minimum\": 1}, 99]}", TW_EUSAGE,
		   "gates[1]: must be an object");
	assert_bad(s, "{\"gates\": [{\"minimum\": 99}]}", TW_EUSAGE,
		   "gates[0]: names no \"rehearsal\" and no \"tag\"");
	assert_bad(s, "{\"gates\": [{\"tag\": \"a\", \"rehearsal\": \"b\", \"minimum\": 99}]}",
		   TW_EUSAGE, "gates[0]: names both");
	assert_bad(s, "{\"gates\": [{\"tag\": \"\", \"minimum\": 99}]}", TW_EUSAGE,
		   "gates[0].tag: must be a non-empty string");
	assert_bad(s, "{\"gates\": [{\"rehearsal\": 7, \"minimum\": 99}]}", TW_EUSAGE,
		   "gates[0].rehearsal: must be a non-empty string");
	assert_bad(s, "{\"gates\": [{\"tag\": \"a\"}]}", TW_EUSAGE,
		   "gates[0]: sets no \"minimum\", \"require\" or \"minor\"");
	assert_bad(s, "{\"require\": 99}", TW_EUSAGE,
		   "require: must be a percentage in quotes, such as \"99.5%\"");
	assert_bad(s, "{\"require\": \"99\"}", TW_EUSAGE, "require: must be a percentage");
	assert_bad(s, "{\"require\": \"0%\"}", TW_EUSAGE,
		   "require: must be above 0% and at most 100%, not 0%");
	assert_bad(s, "{\"require\": \"101%\"}", TW_EUSAGE, "require: must be above 0%");
	assert_bad(s, "{\"irregular_zero\": \"nan%\"}", TW_EUSAGE,
		   "irregular_zero: must be a percentage in quotes, such as \"10%\"");
	assert_bad(s, "{\"gates\": [{\"tag\": \"a\", \"require\": 0.99}]}", TW_EUSAGE,
		   "gates[0].require: must be a percentage");
	assert_bad(s, "{\"gates\": [{\"tag\": \"a\", \"minor\": \"yes\"}]}", TW_EUSAGE,
		   "gates[0].minor: must be true or false");
	assert_bad(s, "{\"gates\": [{\"tag\": \"a\", \"requires\": \"99%\"}]}", TW_EUSAGE,
		   "gates[0].requires: unknown key (did you mean 'require'?)");
	assert_bad(s, "{\"gates\": [{\"tag\": \"a\", \"minimum\": \"99\"}]}", TW_EUSAGE,
		   "gates[0].minimum: must be a number from 0 to 100");
}

/* "regression": how far a rehearsal may fall behind --baseline; each key
 * optional, each set only when given, strict like every other key. */
static void test_regression(void **st)
{
	state *s = *st;
	assert_int_equal(load(s, "{\"regression\": {\"score\": 5, \"outcome\": \"1%\", "
				 "\"p95\": \"20%\", \"steps\": 0, \"time\": \"12.5%\"}}"),
			 TW_OK);
	const tw_regression_limits *l = &s->cfg.regression;
	for (int f = 0; f < TW_FIGURE_COUNT; f++)
		assert_true(l->set[f]);
	assert_true(l->max[TW_FIGURE_SCORE] == 5);
	assert_true(fabs(l->max[TW_FIGURE_OUTCOME] - 0.01) < 1e-12);
	assert_true(fabs(l->max[TW_FIGURE_P95] - 0.2) < 1e-12);
	assert_true(l->max[TW_FIGURE_STEPS] == 0);
	assert_true(fabs(l->max[TW_FIGURE_TIME] - 0.125) < 1e-12);

	tw_readiness_config_free(&s->cfg);
	tw_readiness_config_init(&s->cfg);
	assert_int_equal(load(s, "{\"regression\": {\"steps\": 0}}"), TW_OK);
	for (int f = 0; f < TW_FIGURE_COUNT; f++)
		assert_int_equal(s->cfg.regression.set[f], f == TW_FIGURE_STEPS);

	assert_bad(s, "{\"regression\": 5}", TW_EUSAGE, "regression: must be an object");
	assert_bad(s, "{\"regression\": {\"stpes\": 0}}", TW_EUSAGE,
		   "regression.stpes: unknown key (did you mean 'steps'?)");
	assert_bad(s, "{\"regression\": {\"steps\": -1}}", TW_EUSAGE,
		   "regression.steps: must be a number from 0");
	assert_bad(s, "{\"regression\": {\"score\": 101}}", TW_EUSAGE,
		   "regression.score: must be a number from 0 to 100, not 101");
	/* Each key's example fits it: a drop of 1%, a growth of 20%. */
	assert_bad(s, "{\"regression\": {\"outcome\": 0.01}}", TW_EUSAGE,
		   "regression.outcome: must be a percentage in quotes, such as \"1%\"");
	assert_bad(s, "{\"regression\": {\"outcome\": \"101%\"}}", TW_EUSAGE,
		   "regression.outcome: must be from 0% to 100%, not 101%");
	assert_bad(s, "{\"regression\": {\"p95\": \"20\"}}", TW_EUSAGE,
		   "regression.p95: must be a percentage in quotes, such as \"20%\"");
	assert_bad(s, "{\"regression\": {\"time\": \"-5%\"}}", TW_EUSAGE,
		   "regression.time: must be a percentage in quotes, such as \"10%\"");
	assert_bad(s, "{\"regression\": {\"time\": \"nan%\"}}", TW_EUSAGE,
		   "regression.time: must be a percentage");
}

static void test_gate_range(void **st)
{
	state *s = *st;
	assert_bad(s, "{\"gate\": 101}", TW_EUSAGE, "gate: must be a number from 0 to 100, not 101");
	assert_bad(s, "{\"gate\": -1}", TW_EUSAGE, "gate: must be a number from 0 to 100, not -1");
	assert_bad(s, "{\"gate\": 900}", TW_EUSAGE, "gate: must be a number from 0 to 100");
	assert_bad(s, "{\"gates\": [{\"tag\": \"a\", \"minimum\": 100.5}]}", TW_EUSAGE,
		   "gates[0].minimum: must be a number from 0 to 100, not 100.5");
	assert_bad(s, "{\"gates\": [{\"tag\": \"a\", \"minimum\": -3}]}", TW_EUSAGE,
		   "gates[0].minimum: must be a number from 0 to 100, not -3");
}

static void test_not_json(void **st)
{
	state *s = *st;
	assert_bad(s, "{\"gate\": 90,\n \"cap_never\": }\n", TW_EUSAGE, "not valid JSON");
	assert_int_equal(s->err.line, 2);
	assert_true(s->err.col > 0);
	assert_bad(s, "", TW_EUSAGE, "not valid JSON");
	assert_bad(s, "{\"gate\": 90, \"gate\": 80}", TW_EUSAGE, "duplicate");
	assert_bad(s, "{\"gate\": 90} trailing", TW_EUSAGE, "not valid JSON");
}

static void test_missing_file(void **st)
{
	state *s = *st;
	char path[160];
	snprintf(path, sizeof(path), "%s/nothing.json", s->dir);
	assert_int_equal(tw_project_load(&s->cfg, path, &s->err), TW_EIO);
	assert_string_equal(s->err.file, path);
	assert_non_null(strstr(s->err.message, "No such file"));
	/* a folder */
	assert_int_equal(tw_project_load(&s->cfg, s->dir, &s->err), TW_EIO);
	assert_string_equal(s->err.file, s->dir);
	assert_true(s->cfg.gate < 0);
}

/* An error late in the file changes nothing, rules included. */
static void test_nothing_changed_on_error(void **st)
{
	state *s = *st;
	assert_int_equal(tw_readiness_config_add_rule(&s->cfg, NULL, "keep", 50, NULL), TW_OK);
	int rc = load(s, "{\"gate\": 90, \"weights\": {\"outcome\": 1}, "
			 "\"gates\": [{\"tag\": \"a\", \"minimum\": 1}, {\"tag\": \"b\", \"minimum\": 200}]}");
	assert_int_equal(rc, TW_EUSAGE);
	assert_non_null(strstr(s->err.message, "gates[1].minimum"));
	assert_true(s->cfg.gate < 0);
	assert_true(s->cfg.w_outcome == TW_READINESS_W_OUTCOME);
	assert_int_equal(s->cfg.rule_count, 1);
	assert_string_equal(s->cfg.rules[0].tag, "keep");
}

static void test_durations(void **st)
{
	(void)st;
	double ms = 0;
	assert_int_equal(tw_project_duration("300ms", &ms), 0);
	assert_true(ms == 300);
	assert_int_equal(tw_project_duration("1s", &ms), 0);
	assert_true(ms == 1000);
	assert_int_equal(tw_project_duration("1.5s", &ms), 0);
	assert_true(ms == 1500);
	assert_int_equal(tw_project_duration("2m", &ms), 0);
	assert_true(ms == 120000);
	assert_int_equal(tw_project_duration("1h", &ms), 0);
	assert_true(ms == 3600000);
	assert_int_equal(tw_project_duration("0.5ms", &ms), 0);
	assert_true(ms == 0.5);
	const char *bad[] = {"", "ms", "300", "1 s", "1sec", "-1s", "0s", "2d", "25h", "nan", "infs", "1s ",
			     "0x10s", " 5s", "1e3ms", "+5s", "1.2.3s", "NaNms", "1e999s"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (tw_project_duration(bad[i], &ms) == 0)
			fail_msg("'%s' read as a duration", bad[i]);
}

/* A run of scripts (one per text), added as techweek run adds them. */
static tw_run *run_of(const char *const *texts, size_t n)
{
	tw_run_options o;
	tw_run_options_init(&o, TW_RUN_OPTIONS_VERSION);
	tw_run *run = NULL;
	tw_error err = {0};
	assert_int_equal(tw_run_new(&run, &o, &err), TW_OK);
	for (size_t i = 0; i < n; i++) {
		tw_script *script = NULL;
		if (tw_script_parse(&script, "t.rehearsal", texts[i], strlen(texts[i]), &err) != TW_OK)
			fail_msg("%s", err.message);
		assert_int_equal(tw_run_add_script(run, script, &err), TW_OK);
	}
	return run;
}

#define SCRIPT(name, tags) \
	"rehearsal \"" name "\"\n" tags "scene \"S\" on web\n  get http://127.0.0.1:1/\n"

/* F6: a rule that matches no rehearsal of the run is listed, with the
 * closest name or tag of its kind; it is a typo when nothing names that
 * one (the typo left it at the default bar), not when another rule does
 * (a subset of the suite: "Order pizza 1" while only 2 runs). Short tags
 * are never near (any two 2-letter tags are 2 edits apart), nor long names
 * beyond 2 edits. */
static void test_unmatched_rules(void **st)
{
	state *s = *st;
	const char *const scripts[] = {
		SCRIPT("Rate every 60", "tags checkout, us\n"),
		SCRIPT("Order pizza 2", ""),
		SCRIPT("Order a pizza online, then check on it by phone", "tags smoke\n"),
	};
	tw_run *run = run_of(scripts, 3);
	assert_int_equal(
		load(s, "{\"gates\": ["
			"{\"rehearsal\": \"Rate every 6O\", \"require\": \"100%\"},"         /* 0 typo */
			"{\"tag\": \"chekout\", \"minimum\": 99},"                           /* 1 typo */
			"{\"rehearsal\": \"Order pizza 1\", \"minimum\": 50},"               /* 2 subset */
			"{\"rehearsal\": \"Order pizza 2\", \"minimum\": 50},"               /* matched */
			"{\"tag\": \"eu\", \"minor\": true},"                                /* 4 subset */
			"{\"rehearsal\": \"Refund\", \"minimum\": 1},"                       /* 5 subset */
			"{\"tag\": \"smoke\", \"minor\": true},"                             /* matched */
			"{\"rehearsal\": \"Order a pizza online, then check on it by fone\", \"minimum\": 1}," /* 7 */
			"{\"rehearsal\": \"Order a pizza online, then chuck in it by fine\", \"minimum\": 1}" /* 8 */
			"]}"),
		TW_OK);
	tw_unmatched_rule *u = NULL;
	size_t n = 99;
	tw_error err = {0};
	assert_int_equal(tw_project_unmatched(&s->cfg, run, &u, &n, &err), TW_OK);
	static const struct {
		size_t rule;
		const char *near;
		bool typo;
	} want[] = {
		{0, "Rate every 60", true},
		{1, "checkout", true},
		{2, "Order pizza 2", false},
		{4, NULL, false},
		{5, NULL, false},
		{7, "Order a pizza online, then check on it by phone", true},
		{8, NULL, false},
	};
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(u[i].rule, want[i].rule);
		if (want[i].near)
			assert_string_equal(u[i].near, want[i].near);
		else
			assert_null(u[i].near);
		assert_int_equal(u[i].typo, want[i].typo);
	}
	free(u);

	/* Every rule matched: nothing listed. */
	tw_readiness_config_free(&s->cfg);
	tw_readiness_config_init(&s->cfg);
	assert_int_equal(load(s, "{\"gates\": [{\"tag\": \"us\", \"minimum\": 1}]}"), TW_OK);
	u = (tw_unmatched_rule *)1;
	assert_int_equal(tw_project_unmatched(&s->cfg, run, &u, &n, &err), TW_OK);
	assert_int_equal(n, 0);
	assert_null(u);
	tw_run_free(run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_require_minor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gate_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_regression, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_changed_on_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_durations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmatched_rules, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
