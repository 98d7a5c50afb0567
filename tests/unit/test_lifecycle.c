/*
 * A run's lifecycle as an embedder lives it, through techweek.h alone:
 * new -> add... -> execute once -> read, score, report -> free, against a
 * server this test starts on loopback. What falls outside it is refused
 * (TW_EUSAGE), never answered READY and never memory corruption: a run
 * that performed nothing, a second execute, a script added after it,
 * options out of range, NULL where an object belongs. A script that was
 * never checked is checked by the run, so its faults read as the
 * script's (BROKEN), not the service's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "techweek.h"

#define PAGE "<html><head><title>Home</title></head><body><p>hello</p></body></html>"

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_len, void **state)
{
	(void)cls, (void)url, (void)method, (void)version, (void)upload, (void)upload_len,
		(void)state;
	struct MHD_Response *r =
		MHD_create_response_from_buffer(strlen(PAGE), (void *)PAGE, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type", "text/html");
	enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return rc;
}

static const char GOOD[] = "rehearsal \"Good\"\n"
			   "\n"
			   "scene \"Home\" on web\n"
			   "  visit {{base}}/\n"
			   "  expect text \"hello\"\n";

typedef struct world {
	struct MHD_Daemon *daemon;
	char base[64];
	tw_vars *vars;
	char dir[64];
} world;

static world *W;

/* strdup is wrapped (-Wl,--wrap=strdup in meson.build): the engine's
 * copy number fail_skip (from 0) of the text fail_text fails, once. */
char *__real_strdup(const char *s);
char *__wrap_strdup(const char *s);
static const char *fail_text;
static int fail_skip;

char *__wrap_strdup(const char *s)
{
	if (fail_text && s && strcmp(s, fail_text) == 0 && fail_skip-- == 0) {
		fail_text = NULL;
		return NULL;
	}
	return __real_strdup(s);
}

static void ok(int rc, const tw_error *err)
{
	if (rc != TW_OK)
		fail_msg("%s", err->message ? err->message : tw_code_str((tw_code)rc));
}

static tw_script *parse(const char *name, const char *text)
{
	tw_error err = {0};
	tw_script *script = NULL;
	ok(tw_script_parse(&script, name, text, strlen(text), &err), &err);
	return script;
}

static tw_run *new_run(void)
{
	tw_run_options opts = TW_RUN_OPTIONS_INIT;
	opts.vars = W->vars;
	tw_run *run = NULL;
	tw_error err = {0};
	ok(tw_run_new(&run, &opts, &err), &err);
	return run;
}

static void add(tw_run *run, const char *name, const char *text)
{
	tw_error err = {0};
	ok(tw_run_add_script(run, parse(name, text), &err), &err);
}

/* err says code, and its message holds part; then cleared. */
static void refused(int rc, tw_error *err, int code, const char *part)
{
	assert_int_equal(rc, code);
	assert_int_equal(err->code, code);
	assert_non_null(err->message);
	if (!strstr(err->message, part))
		fail_msg("'%s' does not say '%s'", err->message, part);
	tw_error_clear(err);
}

static int setup(void **state)
{
	(void)state;
	W = calloc(1, sizeof(*W));
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	W->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, answer, NULL,
				     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_END);
	if (!W->daemon)
		return -1;
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(W->daemon, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(W->base, sizeof(W->base), "http://127.0.0.1:%u", (unsigned)info->port);
	W->vars = tw_vars_new();
	if (!W->vars || tw_vars_set(W->vars, "base", W->base, false) != TW_OK)
		return -1;
	strcpy(W->dir, "/tmp/tw-life-XXXXXX");
	if (!mkdtemp(W->dir))
		return -1;
	return tw_global_init() < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	tw_global_cleanup();
	tw_vars_free(W->vars);
	MHD_stop_daemon(W->daemon);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", W->dir);
	if (system(cmd) != 0)
		return -1;
	free(W);
	return 0;
}

/* Every way to score or report run is refused, naming why. */
static void reports_refused(tw_run *run, const char *why)
{
	tw_error err = {0};
	tw_score *score = NULL;
	refused(tw_score_new(&score, run, NULL, &err), &err, TW_EUSAGE, why);
	assert_null(score);
	char path[128];
	snprintf(path, sizeof(path), "%s/never.xml", W->dir);
	refused(tw_report_junit(run, NULL, path, &err), &err, TW_EUSAGE, why);
	refused(tw_report_json(run, NULL, path, &err), &err, TW_EUSAGE, why);
	refused(tw_report_html(run, NULL, path, &err), &err, TW_EUSAGE, why);
	tw_report_file files[] = {{TW_REPORT_JUNIT, path}};
	refused(tw_report_write_set(run, NULL, files, 1, &err), &err, TW_EUSAGE, why);
	assert_int_equal(access(path, F_OK), -1);
	FILE *out = tmpfile();
	assert_non_null(out);
	refused(tw_report_summary(run, NULL, out, 0, &err), &err, TW_EUSAGE, why);
	assert_int_equal(ftell(out), 0);
	fclose(out);
}

/* A run with nothing in it cannot be executed, and a run never executed
 * performed nothing: neither is READY, and neither can be scored or
 * reported as if it had been rehearsed. The readers still give the
 * scripts' shape with every figure 0 (techweek/result.h). */
static void test_nothing_rehearsed(void **state)
{
	(void)state;
	tw_error err = {0};
	tw_run *run = new_run();
	refused(tw_run_execute(run, &err), &err, TW_EUSAGE, "no rehearsal");
	assert_int_equal(tw_run_verdict(run), TW_VERDICT_UNREACHABLE);
	reports_refused(run, "never executed");
	/* Refused, not spent: rehearsals can still be added, then it runs. */
	add(run, "good.rehearsal", GOOD);
	assert_int_equal(tw_run_verdict(run), TW_VERDICT_UNREACHABLE);
	reports_refused(run, "never executed");
	tw_rehearsal_figures r = TW_REHEARSAL_FIGURES_INIT;
	ok(tw_run_rehearsal_byindex(&r, run, 0, &err), &err);
	assert_int_equal(r.performances, 0);
	ok(tw_run_execute(run, &err), &err);
	assert_int_equal(tw_run_verdict(run), TW_VERDICT_READY);
	tw_score *score = NULL;
	ok(tw_score_new(&score, run, NULL, &err), &err);
	assert_int_equal(tw_score_verdict(score), TW_VERDICT_READY);
	tw_score_free(score);
	tw_run_free(run);
}

/* Execute once: a second call, or a rehearsal added after it, is refused
 * and leaves the results as they were (no leak, no overflow in
 * tw_run_free: valgrind and ASan watch this test). */
static void test_execute_once(void **state)
{
	(void)state;
	tw_error err = {0};
	tw_run *run = new_run();
	add(run, "good.rehearsal", GOOD);
	ok(tw_run_execute(run, &err), &err);
	refused(tw_run_execute(run, &err), &err, TW_EUSAGE, "already executed");
	refused(tw_run_add_script(run, parse("late.rehearsal", GOOD), &err), &err, TW_EUSAGE,
		"already executed");
	tw_error problem = {0};
	tw_error_set(&problem, TW_ESYNTAX, "a problem");
	assert_int_equal(tw_run_add_broken(run, "late.rehearsal", &problem), TW_EUSAGE);
	tw_error_clear(&problem);
	assert_int_equal(tw_run_rehearsal_count(run), 1);
	tw_run_figures f = TW_RUN_FIGURES_INIT;
	ok(tw_run_figures_of(&f, run, &err), &err);
	assert_int_equal(f.started, 1);
	tw_rehearsal_figures r = TW_REHEARSAL_FIGURES_INIT;
	ok(tw_run_rehearsal_byindex(&r, run, 0, &err), &err);
	assert_int_equal(r.performances, 1);
	assert_int_equal(r.achieved, 1);
	assert_int_equal(tw_run_verdict(run), TW_VERDICT_READY);
	tw_run_free(run);
}

/* A script added unchecked is checked with the run's variables: one with
 * problems is recorded broken (its first problem shown), TW_ECHECK says
 * so, and the verdict blames the script, never the service. */
static void test_unchecked_script(void **state)
{
	(void)state;
	static const struct {
		const char *text, *says;
		int line;
	} bad[] = {
		{"scene \"A\" on web\n  visit {{base}}/\n  expect text ~ /(unclosed/\n", "regular expression", 3},
		{"scene \"A\" on web\n  visit {{base}}/{{nope}}\n", "nope", 2},
		{"scene \"A\" on web\n  visit {{base}}/\n  expect xpath //*[ exists\n", "XPath", 3},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tw_error err = {0};
		tw_run *run = new_run();
		add(run, "good.rehearsal", GOOD);
		tw_script *script = parse("bad.rehearsal", bad[i].text);
		refused(tw_run_add_script(run, script, &err), &err, TW_ECHECK, bad[i].says);
		assert_int_equal(tw_run_rehearsal_count(run), 2);
		tw_rehearsal_figures r = TW_REHEARSAL_FIGURES_INIT;
		ok(tw_run_rehearsal_byindex(&r, run, 1, &err), &err);
		assert_int_equal(r.status, TW_STATUS_BROKEN);
		assert_string_equal(r.path, "bad.rehearsal");
		assert_non_null(r.problem);
		assert_int_equal(r.problem->code, TW_ECHECK);
		assert_int_equal(r.problem->line, bad[i].line);
		assert_non_null(strstr(r.problem->message, bad[i].says));
		ok(tw_run_execute(run, &err), &err);
		assert_int_equal(tw_run_verdict(run), TW_VERDICT_BROKEN);
		tw_score *score = NULL;
		ok(tw_score_new(&score, run, NULL, &err), &err);
		assert_int_equal(tw_score_verdict(score), TW_VERDICT_BROKEN);
		tw_score_free(score);
		ok(tw_run_rehearsal_byindex(&r, run, 0, &err), &err);
		assert_int_equal(r.achieved, 1);
		tw_run_free(run);
	}
}

/* Options out of range are refused by tw_run_new, naming the field and
 * the value; so are options changed through tw_run_options_of, by
 * tw_run_execute. */
static void test_options_checked(void **state)
{
	(void)state;
	struct {
		const char *says;
		tw_run_options o;
	} cases[24];
	size_t n = 0;
	tw_run_options d = TW_RUN_OPTIONS_INIT;
#define CASE(says_, stmt)                                                                      \
	do {                                                                                   \
		tw_run_options *o = &cases[n].o;                                               \
		*o = d;                                                                        \
		stmt;                                                                          \
		cases[n++].says = says_;                                                       \
	} while (0)
	CASE("shard_index 0 of shard_count 4", o->shard_count = 4);
	CASE("shard_index 3 of shard_count 2", (o->shard_index = 3, o->shard_count = 2));
	CASE("shard_index 1 of shard_count 0", o->shard_index = 1);
	CASE("performances 0", o->performances = 0);
	CASE("customers 0", o->customers = 0);
	CASE("jobs 0", o->jobs = 0);
	CASE("rate -5", o->rate = -5);
	CASE("rate nan", o->rate = NAN);
	CASE("rate 10 needs duration_ms", o->rate = 10);
	CASE("duration_ms -1", o->duration_ms = -1);
	CASE("ramp_ms -1", o->ramp_ms = -1);
	CASE("timeout_ms -1", o->timeout_ms = -1);
	CASE("connect_timeout_ms 0", o->connect_timeout_ms = 0);
	CASE("max_redirects -1", o->max_redirects = -1);
	CASE("max_body 0", o->max_body = 0);
	CASE("max_body 4294967297: at most 4 GiB", o->max_body = ((size_t)4 << 30) + 1);
	CASE("max_body 18446744073709551615: at most 4 GiB", o->max_body = SIZE_MAX);
	CASE("think_scale -1", o->think_scale = -1);
	CASE("call_max_fetches 0", o->call_max_fetches = 0);
	CASE("call_max_seconds 0", o->call_max_seconds = 0);
	CASE("call_max_loops -2", o->call_max_loops = -2);
	CASE("progress_ms -1", o->progress_ms = -1);
#undef CASE
	assert_true(n <= sizeof(cases) / sizeof(cases[0]));
	for (size_t i = 0; i < n; i++) {
		tw_run *run = NULL;
		tw_error err = {0};
		refused(tw_run_new(&run, &cases[i].o, &err), &err, TW_EUSAGE, cases[i].says);
		assert_null(run);
	}
	/* In range: a shard, the open model. */
	tw_run_options o = TW_RUN_OPTIONS_INIT;
	o.shard_index = 2;
	o.shard_count = 2;
	o.max_body = (size_t)4 << 30; /* the most --max-body takes */
	tw_run *run = NULL;
	tw_error err = {0};
	ok(tw_run_new(&run, &o, &err), &err);
	tw_run_free(run);
	o = d;
	o.rate = 5;
	o.duration_ms = 100;
	o.performances = 0; /* the open model has none */
	ok(tw_run_new(&run, &o, &err), &err);
	tw_run_free(run);

	/* Changed after tw_run_new: checked again before anything is sent. */
	run = new_run();
	add(run, "good.rehearsal", GOOD);
	tw_run_options_of(run)->shard_index = 5;
	tw_run_options_of(run)->shard_count = 4;
	refused(tw_run_execute(run, &err), &err, TW_EUSAGE, "shard_index 5 of shard_count 4");
	tw_run_options_of(run)->shard_count = 0;
	tw_run_options_of(run)->shard_index = 0;
	tw_run_options_of(run)->version = 99;
	refused(tw_run_execute(run, &err), &err, TW_EUSAGE, "version 99");
	tw_run_options_of(run)->version = TW_RUN_OPTIONS_VERSION;
	ok(tw_run_execute(run, &err), &err);
	tw_run_free(run);
}

/* NULL where an object belongs: TW_EUSAGE from what returns a code (out
 * set to NULL), the documented neutral value from a getter, nothing from
 * a _free; never a crash. */
static void test_null(void **state)
{
	(void)state;
	tw_error err = {0};
	tw_run *run = new_run();
	add(run, "good.rehearsal", GOOD);
	ok(tw_run_execute(run, &err), &err);
	tw_score *score = NULL;
	ok(tw_score_new(&score, run, NULL, &err), &err);
	tw_project *project = NULL;
	ok(tw_project_new(&project, &err), &err);
	char path[128];
	snprintf(path, sizeof(path), "%s/null.json", W->dir);
	ok(tw_report_json(run, score, path, &err), &err);
	tw_baseline *base = NULL;
	ok(tw_baseline_load(&base, path, &err), &err);
	tw_run *r2 = NULL;
	tw_script *s2 = NULL;
	tw_score *sc2 = NULL;
	tw_project *p2 = NULL;
	tw_baseline *b2 = NULL;

	/* error.h */
	tw_error_clear(NULL);
	tw_error_move(NULL, NULL);
	tw_error_move(&err, NULL);
	char *text = tw_error_format(NULL);
	assert_non_null(text);
	free(text);
	assert_int_equal(tw_errors_push(NULL, &err), TW_EUSAGE);
	tw_errors list = {0};
	assert_int_equal(tw_errors_push(&list, NULL), TW_EUSAGE);
	assert_int_equal(list.count, 0);
	tw_errors_clear(NULL);
	/* number.h */
	double v = 7;
	assert_false(tw_decimal(NULL, &v, NULL));
	assert_false(tw_decimal("1", NULL, NULL));
	/* vars.h */
	tw_vars *over = tw_vars_new_over(NULL);
	assert_non_null(over);
	tw_vars_free(over);
	assert_int_equal(tw_vars_set(NULL, "a", "b", false), TW_EUSAGE);
	assert_int_equal(tw_vars_set(W->vars, NULL, "b", false), TW_EUSAGE);
	assert_null(tw_vars_get(NULL, "a", NULL));
	assert_null(tw_vars_get(W->vars, NULL, NULL));
	assert_int_equal(tw_vars_count(NULL), 0);
	const char *name = "x", *value = "x";
	tw_vars_at(NULL, 0, &name, &value, NULL);
	assert_null(name);
	assert_null(value);
	name = "x";
	tw_vars_at(W->vars, 99, &name, NULL, NULL);
	assert_null(name);
	assert_int_equal(tw_vars_merge(NULL, W->vars), TW_EUSAGE);
	refused(tw_vars_set_assignment(NULL, "a=b", &err), &err, TW_EUSAGE, "tw_vars_set_assignment");
	refused(tw_vars_set_assignment(W->vars, NULL, &err), &err, TW_EUSAGE,
		"tw_vars_set_assignment");
	refused(tw_vars_load_file(NULL, path, &err), &err, TW_EUSAGE, "tw_vars_load_file");
	refused(tw_vars_load_file(W->vars, NULL, &err), &err, TW_EUSAGE, "tw_vars_load_file");
	assert_false(tw_vars_valid_name(NULL));
	/* script.h */
	refused(tw_script_load(NULL, "x", &err), &err, TW_EUSAGE, "tw_script_load");
	tw_script *held = parse("x.rehearsal", GOOD);
	s2 = held; /* a refused load still sets *out to NULL */
	refused(tw_script_load(&s2, NULL, &err), &err, TW_EUSAGE, "tw_script_load");
	assert_null(s2);
	tw_script_free(held);
	refused(tw_script_parse(NULL, "x", "x", 1, &err), &err, TW_EUSAGE, "tw_script_parse");
	refused(tw_script_parse(&s2, "x", NULL, 0, &err), &err, TW_EUSAGE, "tw_script_parse");
	refused(tw_script_parse(&s2, NULL, "x", 1, &err), &err, TW_EUSAGE, "tw_script_parse");
	assert_null(s2);
	tw_errors problems = {0};
	assert_int_equal(tw_script_check(NULL, NULL, &problems), 1);
	assert_int_equal(problems.count, 1);
	assert_int_equal(problems.items[0].code, TW_EUSAGE);
	tw_errors_clear(&problems);
	s2 = parse("x.rehearsal", GOOD);
	assert_int_equal(tw_script_check(s2, NULL, NULL), 1);
	tw_script_free(s2);
	s2 = NULL;
	assert_null(tw_script_name(NULL));
	assert_null(tw_script_path(NULL));
	/* run.h */
	assert_int_equal(tw_run_options_init(NULL, TW_RUN_OPTIONS_VERSION), TW_EUSAGE);
	refused(tw_run_new(NULL, NULL, &err), &err, TW_EUSAGE, "tw_run_new");
	refused(tw_run_add_script(NULL, parse("x.rehearsal", GOOD), &err), &err, TW_EUSAGE,
		"tw_run_add_script");
	refused(tw_run_add_script(run, NULL, &err), &err, TW_EUSAGE, "tw_run_add_script");
	tw_error problem = {.code = TW_ESYNTAX};
	assert_int_equal(tw_run_add_broken(NULL, "x", &problem), TW_EUSAGE);
	refused(tw_run_execute(NULL, &err), &err, TW_EUSAGE, "tw_run_execute");
	const char *parts[] = {path, NULL};
	refused(tw_run_load_parts(NULL, parts, 1, &err), &err, TW_EUSAGE, "tw_run_load_parts");
	refused(tw_run_load_parts(&r2, NULL, 1, &err), &err, TW_EUSAGE, "tw_run_load_parts");
	assert_null(r2);
	refused(tw_run_load_parts(&r2, parts, 2, &err), &err, TW_EUSAGE, "paths[1]");
	assert_null(r2);
	assert_int_equal(tw_run_verdict(NULL), TW_VERDICT_UNREACHABLE);
	tw_run_stop(NULL);
	assert_null(tw_run_options_of(NULL));
	assert_int_equal(tw_run_interrupted(NULL), 0);
	/* result.h */
	refused(tw_run_figures_of(NULL, run, &err), &err, TW_EUSAGE, "tw_run_figures_of");
	refused(tw_run_rehearsal_byindex(NULL, run, 0, &err), &err, TW_EUSAGE,
		"tw_run_rehearsal_byindex");
	refused(tw_rehearsal_scene_byindex(NULL, run, 0, 0, &err), &err, TW_EUSAGE,
		"tw_rehearsal_scene_byindex");
	refused(tw_scene_touchpoint_byindex(NULL, run, 0, 0, 0, &err), &err, TW_EUSAGE,
		"tw_scene_touchpoint_byindex");
	tw_rehearsal_figures rf = TW_REHEARSAL_FIGURES_INIT;
	refused(tw_run_rehearsal_byindex(&rf, NULL, 0, &err), &err, TW_EUSAGE, "");
	assert_int_equal(tw_run_rehearsal_count(NULL), 0);
	assert_int_equal(tw_rehearsal_scene_count(NULL, 0), 0);
	assert_int_equal(tw_scene_touchpoint_count(NULL, 0, 0), 0);
	/* readiness.h */
	refused(tw_project_new(NULL, &err), &err, TW_EUSAGE, "tw_project_new");
	refused(tw_project_open(&p2, NULL, &err), &err, TW_EUSAGE, "tw_project_open");
	assert_null(p2);
	refused(tw_project_open(NULL, path, &err), &err, TW_EUSAGE, "tw_project_open");
	assert_true(tw_project_gate(NULL) < 0);
	tw_project_set_gate(NULL, 50);
	assert_int_equal(tw_project_rule_count(NULL), 0);
	assert_null(tw_project_rule_rehearsal(NULL, 0));
	assert_null(tw_project_rule_tag(NULL, 0));
	tw_unmatched_rule *rules = NULL;
	size_t nrules = 0;
	refused(tw_project_unmatched_rules(&rules, &nrules, NULL, run, &err), &err, TW_EUSAGE,
		"tw_project_unmatched_rules");
	refused(tw_project_unmatched_rules(&rules, &nrules, project, NULL, &err), &err, TW_EUSAGE,
		"tw_project_unmatched_rules");
	refused(tw_project_unmatched_rules(NULL, &nrules, project, run, &err), &err, TW_EUSAGE,
		"tw_project_unmatched_rules");
	refused(tw_baseline_load(&b2, NULL, &err), &err, TW_EUSAGE, "tw_baseline_load");
	refused(tw_baseline_load(NULL, path, &err), &err, TW_EUSAGE, "tw_baseline_load");
	refused(tw_baseline_parse(&b2, "x", NULL, 0, &err), &err, TW_EUSAGE, "tw_baseline_parse");
	refused(tw_baseline_parse(NULL, "x", "{}", 2, &err), &err, TW_EUSAGE, "tw_baseline_parse");
	assert_null(b2);
	assert_int_equal(tw_baseline_count(NULL), 0);
	refused(tw_score_new(&sc2, NULL, NULL, &err), &err, TW_EUSAGE, "tw_score_new");
	assert_null(sc2);
	refused(tw_score_new(NULL, run, NULL, &err), &err, TW_EUSAGE, "tw_score_new");
	refused(tw_score_compare(NULL, run, base, NULL, &err), &err, TW_EUSAGE, "tw_score_compare");
	refused(tw_score_compare(score, NULL, base, NULL, &err), &err, TW_EUSAGE,
		"tw_score_compare");
	refused(tw_score_compare(score, run, NULL, NULL, &err), &err, TW_EUSAGE,
		"tw_score_compare");
	assert_int_equal(tw_score_verdict(NULL), TW_VERDICT_UNREACHABLE);
	assert_true(tw_score_value(NULL) < 0);
	assert_true(tw_score_weight(NULL, TW_PART_OUTCOME) == 0);
	assert_false(tw_score_gate_held(NULL));
	assert_null(tw_score_shown(NULL, 8, 50));
	tw_rehearsal_score_figures rs = TW_REHEARSAL_SCORE_FIGURES_INIT;
	refused(tw_score_rehearsal_byindex(&rs, NULL, 0, &err), &err, TW_EUSAGE,
		"tw_score_rehearsal_byindex");
	refused(tw_score_rehearsal_byindex(NULL, score, 0, &err), &err, TW_EUSAGE,
		"tw_score_rehearsal_byindex");
	assert_false(tw_score_touchpoint_apdex(NULL, 0, 0, 0, NULL, NULL));
	assert_int_equal(tw_score_reason_count(NULL), 0);
	tw_score_reason reason = TW_SCORE_REASON_INIT;
	refused(tw_score_reason_byindex(&reason, NULL, 0, &err), &err, TW_EUSAGE,
		"tw_score_reason_byindex");
	refused(tw_score_reason_byindex(NULL, score, 0, &err), &err, TW_EUSAGE,
		"tw_score_reason_byindex");
	/* report.h */
	refused(tw_report_junit(NULL, NULL, path, &err), &err, TW_EUSAGE, "needs a run");
	refused(tw_report_summary(NULL, NULL, stderr, 0, &err), &err, TW_EUSAGE, "needs a run");
	refused(tw_report_summary(run, NULL, NULL, 0, &err), &err, TW_EUSAGE, "needs a run");
	refused(tw_report_verdict(run, NULL, stderr, 0, &err), &err, TW_EUSAGE, "needs a run");
	/* The _frees. */
	tw_run_free(NULL);
	tw_script_free(NULL);
	tw_score_free(NULL);
	tw_project_free(NULL);
	tw_baseline_free(NULL);
	tw_vars_free(NULL);
	tw_unmatched_rules_free(NULL);
	(void)r2;

	tw_baseline_free(base);
	tw_project_free(project);
	tw_score_free(score);
	tw_run_free(run);
}

/* The small print of error.h and readiness.h. */
static void test_small_print(void **state)
{
	(void)state;
	tw_error err = {0};
	char *text = tw_error_format(&err);
	assert_string_equal(text, "no error");
	free(text);
	/* A successful call leaves err as it was: clear it before reuse. */
	tw_error_set(&err, TW_EIO, "stale");
	tw_run *run = NULL;
	ok(tw_run_new(&run, NULL, &err), &err);
	assert_string_equal(err.message, "stale");
	tw_error_clear(&err);
	tw_run_free(run);
	/* Shown scores are clamped to 0..100. */
	char a[TW_SCORE_SHOWN_SIZE], b[TW_SCORE_SHOWN_SIZE], c[3];
	assert_string_equal(tw_score_shown(a, sizeof(a), 150), "100");
	assert_string_equal(tw_score_shown(b, sizeof(b), -5), "0");
	assert_string_equal(tw_score_shown(a, sizeof(a), NAN), "0");
	/* Too small a buffer: cut as snprintf cuts, and still a string. */
	assert_string_equal(tw_score_shown(c, sizeof(c), 99.75), "99");
}

/* Out of memory while adding leaves nothing added ("TW_ENOMEM (nothing
 * added)"): each copy of the rehearsal's name, path or problem fails in
 * turn, and the add either succeeds whole or leaves the run as it was,
 * which then executes READY with only what was really added. */
static void test_add_out_of_memory(void **state)
{
	(void)state;
	static const char *texts[] = {"Good", "good.rehearsal", "broken.rehearsal", "problem.rehearsal"};
	for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
		for (int k = 0;; k++) {
			tw_error err = {0};
			tw_run *run = new_run();
			bool broken = t >= 2;
			tw_script *script = broken ? NULL : parse("good.rehearsal", GOOD);
			tw_error problem = {0};
			tw_error_set_at(&problem, TW_ESYNTAX, "problem.rehearsal", 2, 3, "  clik",
					"unknown step");
			fail_text = texts[t];
			fail_skip = k;
			int rc = broken ? tw_run_add_broken(run, "broken.rehearsal", &problem)
					: tw_run_add_script(run, script, &err);
			bool failed = fail_text == NULL;
			fail_text = NULL;
			tw_error_clear(&problem);
			if (!failed) {
				ok(rc, &err);
				assert_int_equal(tw_run_rehearsal_count(run), 1);
				tw_run_free(run);
				break;
			}
			if (rc != TW_OK)
				assert_int_equal(rc, TW_ENOMEM);
			tw_error_clear(&err);
			if (rc != TW_OK && tw_run_rehearsal_count(run) != 0)
				fail_msg("copy %d of '%s' failed: TW_ENOMEM, yet %zu rehearsal added", k,
					 texts[t], tw_run_rehearsal_count(run));
			if (rc == TW_OK) { /* the failed copy was not the add's */
				tw_run_free(run);
				continue;
			}
			add(run, "good.rehearsal", GOOD);
			ok(tw_run_execute(run, &err), &err);
			assert_int_equal(tw_run_verdict(run), TW_VERDICT_READY);
			tw_run_free(run);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_rehearsed),
		cmocka_unit_test(test_execute_once),
		cmocka_unit_test(test_unchecked_script),
		cmocka_unit_test(test_options_checked),
		cmocka_unit_test(test_null),
		cmocka_unit_test(test_small_print),
		cmocka_unit_test(test_add_out_of_memory),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
