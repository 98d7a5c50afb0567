/*
 * The public API as an embedder uses it, through techweek.h alone: a run
 * performed against a server this test starts on loopback, its results
 * read back with the readers (_count/_byindex, versioned figures), scored
 * with and without a project file, compared with a baseline, and its
 * reports written as one set; and tw_run_options' version refused when it
 * is not this library's.
 *
 * Two rehearsals, three performances each: "Passes" (a page and a JSON
 * answer, every expectation holds) and "Fails" (its second scene expects
 * a figure the server never sends), so every figure read is known ahead.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "techweek.h"

#define PAGE "<html><head><title>Home</title></head><body><p>hello</p></body></html>"
#define JSON "{\"n\": 1}"

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_len, void **state)
{
	(void)cls, (void)method, (void)version, (void)upload, (void)upload_len, (void)state;
	if (strcmp(url, "/go") == 0) {
		/* A form's answer: see the page, with a GET. */
		struct MHD_Response *r =
			MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(r, "Location", "/");
		enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_SEE_OTHER, r);
		MHD_destroy_response(r);
		return rc;
	}
	bool json = strcmp(url, "/api") == 0;
	const char *body = json ? JSON : PAGE;
	struct MHD_Response *r =
		MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type", json ? "application/json" : "text/html");
	enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return rc;
}

static const char PASSES[] = "rehearsal \"Passes\"\n"
			     "outcome \"the page and the answer\"\n"
			     "budget 30s, 4 steps\n"
			     "tags smoke, api\n"
			     "\n"
			     "cast\n"
			     "  base\n"
			     "\n"
			     "scene \"Home\" on web\n"
			     "  visit {{base}}/\n"
			     "  expect status 200\n"
			     "  expect text \"hello\"\n"
			     "\n"
			     "backstage \"Api\"\n"
			     "  get {{base}}/api\n"
			     "  expect json $.n == 1\n";

static const char FAILS[] = "rehearsal \"Fails\"\n"
			    "\n"
			    "cast\n"
			    "  base\n"
			    "\n"
			    "scene \"Home\" on web\n"
			    "  visit {{base}}/\n"
			    "\n"
			    "backstage \"Api\"\n"
			    "  get {{base}}/api\n"
			    "  expect json $.n == 2\n";

typedef struct world {
	struct MHD_Daemon *daemon;
	char base[64];
	tw_vars *vars;
	tw_run *run;
	char dir[64];
} world;

static void ok(int rc, const tw_error *err)
{
	if (rc != TW_OK)
		fail_msg("%s", err->message ? err->message : tw_code_str((tw_code)rc));
}

static void add(tw_run *run, const char *name, const char *text)
{
	tw_error err = {0};
	tw_script *script = NULL;
	ok(tw_script_parse(&script, name, text, strlen(text), &err), &err);
	ok(tw_run_add_script(run, script, &err), &err);
}

/* A run of the two rehearsals, performed when perform is set. */
static tw_run *new_run(world *w, bool perform)
{
	tw_run_options opts = TW_RUN_OPTIONS_INIT;
	opts.vars = w->vars;
	opts.performances = 3;
	tw_run *run = NULL;
	tw_error err = {0};
	ok(tw_run_new(&run, &opts, &err), &err);
	add(run, "passes.rehearsal", PASSES);
	add(run, "fails.rehearsal", FAILS);
	if (perform)
		ok(tw_run_execute(run, &err), &err);
	return run;
}

static int setup(void **state)
{
	world *w = calloc(1, sizeof(*w));
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	w->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, answer, NULL,
				     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_END);
	if (!w->daemon)
		return -1;
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(w->daemon, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(w->base, sizeof(w->base), "http://127.0.0.1:%u", (unsigned)info->port);
	w->vars = tw_vars_new();
	if (!w->vars || tw_vars_set(w->vars, "base", w->base, false) != TW_OK)
		return -1;
	strcpy(w->dir, "/tmp/tw-read-XXXXXX");
	if (!mkdtemp(w->dir))
		return -1;
	if (tw_global_init() < 0)
		return -1;
	w->run = new_run(w, true);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	world *w = *state;
	tw_run_free(w->run);
	tw_global_cleanup();
	tw_vars_free(w->vars);
	MHD_stop_daemon(w->daemon);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", w->dir);
	if (system(cmd) != 0)
		return -1;
	free(w);
	return 0;
}

static void test_rehearsals(void **state)
{
	world *w = *state;
	tw_error err = {0};
	assert_int_equal(tw_run_rehearsal_count(w->run), 2);
	tw_run_figures f = TW_RUN_FIGURES_INIT;
	ok(tw_run_figures_of(&f, w->run, &err), &err);
	assert_non_null(f.started_at);
	assert_non_null(f.host);
	assert_int_equal(f.planned, 6);
	assert_int_equal(f.started, 6);
	assert_int_equal(f.dropped, 0);
	assert_null(f.stopped);
	assert_int_equal(f.rehearsal_count, 2);

	tw_rehearsal_figures r = TW_REHEARSAL_FIGURES_INIT;
	ok(tw_run_rehearsal_byindex(&r, w->run, 0, &err), &err);
	assert_string_equal(r.name, "Passes");
	assert_string_equal(r.path, "passes.rehearsal");
	assert_int_equal(r.status, TW_STATUS_PASSED);
	assert_null(r.problem);
	assert_int_equal(r.performances, 3);
	assert_int_equal(r.achieved, 3);
	assert_int_equal(r.failed, 0);
	assert_true(r.outcome_rate == 1.0);
	assert_false(r.flaky);
	assert_int_equal(r.time_to_outcome.count, 3);
	assert_true(r.time_to_outcome.min <= r.time_to_outcome.p50);
	assert_true(r.time_to_outcome.p50 <= r.time_to_outcome.p95);
	assert_true(r.time_to_outcome.p95 <= r.time_to_outcome.max);
	assert_int_equal(r.calls, 0);
	assert_null(r.reprompted_menu);
	assert_int_equal(r.scene_count, 2);
	assert_int_equal(tw_rehearsal_scene_count(w->run, 0), 2);
	assert_string_equal(r.outcome, "the page and the answer");
	assert_int_equal(r.budget_ms, 30000);
	assert_int_equal(r.budget_steps, 4);
	assert_int_equal(r.tag_count, 2);
	assert_string_equal(r.tags[0], "smoke");
	assert_string_equal(r.tags[1], "api");

	ok(tw_run_rehearsal_byindex(&r, w->run, 1, &err), &err);
	assert_string_equal(r.name, "Fails");
	assert_int_equal(r.status, TW_STATUS_FAILED);
	assert_int_equal(r.performances, 3);
	assert_int_equal(r.achieved, 0);
	assert_int_equal(r.failed, 3);
	assert_true(r.outcome_rate == 0.0);
	assert_null(r.outcome);
	assert_int_equal(r.tag_count, 0);
	assert_int_equal(r.time_to_outcome.count, 0);
	assert_true(r.time_to_outcome.p95 == 0.0);

	/* Past the end: refused, r as it was. */
	assert_int_equal(tw_run_rehearsal_byindex(&r, w->run, 2, &err), TW_EUSAGE);
	assert_string_equal(err.message, "rehearsal 2 asked for, of 2");
	assert_string_equal(r.name, "Fails");
	tw_error_clear(&err);
	assert_int_equal(tw_rehearsal_scene_count(w->run, 2), 0);
}

static void test_scenes_and_touchpoints(void **state)
{
	world *w = *state;
	tw_error err = {0};
	tw_scene_figures s = TW_SCENE_FIGURES_INIT;
	ok(tw_rehearsal_scene_byindex(&s, w->run, 0, 0, &err), &err);
	assert_string_equal(s.name, "Home");
	assert_string_equal(s.channel, "web");
	assert_false(s.backstage);
	assert_int_equal(s.passed, 3);
	assert_int_equal(s.failed, 0);
	assert_int_equal(s.touchpoint_count, 3);
	ok(tw_rehearsal_scene_byindex(&s, w->run, 1, 1, &err), &err);
	assert_string_equal(s.name, "Api");
	assert_true(s.backstage);
	assert_int_equal(s.failed, 3);
	assert_int_equal(s.touchpoint_count, 2);
	/* Where the shown performance failed, and why. */
	assert_int_equal(s.status, TW_STATUS_FAILED);
	assert_null(s.transcript);
	assert_int_equal(s.failed_line, 11);
	assert_string_equal(s.failed_source, "expect json $.n == 2");
	assert_non_null(s.failed_message);
	ok(tw_rehearsal_scene_byindex(&s, w->run, 1, 0, &err), &err);
	assert_int_equal(s.status, TW_STATUS_PASSED);
	assert_int_equal(s.failed_line, 0);
	assert_null(s.failed_message);
	ok(tw_rehearsal_scene_byindex(&s, w->run, 1, 1, &err), &err);
	assert_int_equal(tw_scene_touchpoint_count(w->run, 1, 1), 2);
	assert_int_equal(tw_rehearsal_scene_byindex(&s, w->run, 0, 2, &err), TW_EUSAGE);
	tw_error_clear(&err);

	/* Passes, "Home": the visit, line 10, as written. */
	tw_touchpoint_figures t = TW_TOUCHPOINT_FIGURES_INIT;
	ok(tw_scene_touchpoint_byindex(&t, w->run, 0, 0, 0, &err), &err);
	assert_string_equal(t.kind, "visit");
	assert_string_equal(t.file, "passes.rehearsal");
	assert_int_equal(t.line, 10);
	assert_string_equal(t.source, "visit {{base}}/");
	assert_int_equal(t.count, 3);
	assert_int_equal(t.passed, 3);
	assert_int_equal(t.failed, 0);
	assert_int_equal(t.latency.count, 3);
	assert_true(t.latency.p50 <= t.latency.p95 && t.latency.p95 <= t.latency.max);
	assert_int_equal(t.requests, 3);
	assert_int_equal(t.first_byte.count, 3);
	assert_int_equal(t.connect.count, 3);
	assert_int_equal(t.tls.count, 3);
	assert_true(t.bytes_in == 3.0 * (double)strlen(PAGE));
	assert_true(t.bytes_out == 0.0);
	assert_null(t.first_failure);

	/* Fails, "Api": the expectation that never holds, line 11. */
	ok(tw_scene_touchpoint_byindex(&t, w->run, 1, 1, 1, &err), &err);
	assert_string_equal(t.kind, "expect");
	assert_int_equal(t.line, 11);
	assert_string_equal(t.source, "expect json $.n == 2");
	assert_int_equal(t.count, 3);
	assert_int_equal(t.passed, 0);
	assert_int_equal(t.failed, 3);
	assert_int_equal(t.failed_expectation, 3);
	assert_int_equal(t.failed_transport + t.failed_unreachable + t.failed_script + t.failed_service, 0);
	assert_non_null(t.first_failure);
	assert_int_equal(t.requests, 0);
	assert_int_equal(t.first_byte.count, 0);

	assert_int_equal(tw_scene_touchpoint_byindex(&t, w->run, 1, 1, 2, &err), TW_EUSAGE);
	assert_string_equal(err.message, "touchpoint 2 asked for, of 2");
	tw_error_clear(&err);
	assert_int_equal(tw_scene_touchpoint_byindex(&t, w->run, 1, 2, 0, &err), TW_EUSAGE);
	tw_error_clear(&err);
}

/* A struct of a version this library does not know is refused, never
 * half-filled: 0 (not initialised) and one from a newer header. */
static void test_figures_versions(void **state)
{
	world *w = *state;
	tw_error err = {0};
	unsigned bad[] = {0, TW_REHEARSAL_FIGURES_VERSION + 1};
	for (size_t i = 0; i < 2; i++) {
		tw_run_figures f = {.version = bad[i]};
		assert_int_equal(tw_run_figures_of(&f, w->run, &err), TW_EUSAGE);
		assert_null(f.host);
		tw_error_clear(&err);
		tw_rehearsal_figures r = {.version = bad[i]};
		assert_int_equal(tw_run_rehearsal_byindex(&r, w->run, 0, &err), TW_EUSAGE);
		assert_non_null(strstr(err.message, "tw_rehearsal_figures of version"));
		assert_null(r.name);
		tw_error_clear(&err);
		/* issue 13, FLOW: scene figures have a version 2 */
		tw_scene_figures s = {.version = i ? TW_SCENE_FIGURES_VERSION + 1 : 0};
		assert_int_equal(tw_rehearsal_scene_byindex(&s, w->run, 0, 0, &err), TW_EUSAGE);
		assert_null(s.name);
		tw_error_clear(&err);
		/* issue 14, F2: touchpoint figures have a version 2 */
		tw_touchpoint_figures t = {.version = i ? TW_TOUCHPOINT_FIGURES_VERSION + 1 : 0};
		assert_int_equal(tw_scene_touchpoint_byindex(&t, w->run, 0, 0, 0, &err), TW_EUSAGE);
		assert_null(t.kind);
		tw_error_clear(&err);
		tw_rehearsal_score_figures rs = {.version = bad[i]};
		tw_score *score = NULL;
		ok(tw_score_new(&score, w->run, NULL, &err), &err);
		assert_int_equal(tw_score_rehearsal_byindex(&rs, score, 0, &err), TW_EUSAGE);
		tw_error_clear(&err);
		tw_score_reason reason = {.version = bad[i]};
		assert_int_equal(tw_score_reason_byindex(&reason, score, 0, &err), TW_EUSAGE);
		assert_null(reason.why);
		tw_error_clear(&err);
		tw_score_free(score);
	}
}

/* Before tw_run_execute: the scripts' scenes and touchpoints, every
 * figure 0. */
static void test_not_performed(void **state)
{
	world *w = *state;
	tw_run *run = new_run(w, false);
	tw_error err = {0};
	tw_rehearsal_figures r = TW_REHEARSAL_FIGURES_INIT;
	ok(tw_run_rehearsal_byindex(&r, run, 1, &err), &err);
	assert_string_equal(r.name, "Fails");
	assert_int_equal(r.performances, 0);
	assert_int_equal(r.scene_count, 2);
	tw_touchpoint_figures t = TW_TOUCHPOINT_FIGURES_INIT;
	ok(tw_scene_touchpoint_byindex(&t, run, 1, 1, 1, &err), &err);
	assert_int_equal(t.line, 11);
	assert_int_equal(t.count, 0);
	assert_int_equal(t.latency.count, 0);
	tw_run_free(run);
}

/* A touchpoint's request chain in the performance shown in detail, as
 * the wire carried it: a POST answered 303, then the GET it led to. Not
 * yet performed, or not a request step: none. */
static void test_hops(void **state)
{
	world *w = *state;
	tw_run_options opts = TW_RUN_OPTIONS_INIT;
	opts.vars = w->vars;
	tw_run *run = NULL;
	tw_error err = {0};
	ok(tw_run_new(&run, &opts, &err), &err);
	add(run, "go.rehearsal",
	    "rehearsal \"Go\"\ncast\n  base\nscene \"Post\" on web\n  post {{base}}/go\n"
	    "  expect status 200\n");
	assert_int_equal(tw_touchpoint_hop_count(run, 0, 0, 0), 0);
	ok(tw_run_execute(run, &err), &err);
	assert_int_equal(tw_touchpoint_hop_count(run, 0, 0, 0), 2);
	assert_int_equal(tw_touchpoint_hop_count(run, 0, 0, 1), 0);
	assert_int_equal(tw_touchpoint_hop_count(run, 0, 1, 0), 0);
	assert_int_equal(tw_touchpoint_hop_count(run, 1, 0, 0), 0);
	tw_hop h = TW_HOP_INIT;
	char want[96];
	ok(tw_touchpoint_hop_byindex(&h, run, 0, 0, 0, 0, &err), &err);
	assert_string_equal(h.method, "POST");
	snprintf(want, sizeof(want), "%s/go", w->base);
	assert_string_equal(h.url, want);
	assert_int_equal(h.status, 303);
	assert_int_equal(h.left_out, 0);
	ok(tw_touchpoint_hop_byindex(&h, run, 0, 0, 0, 1, &err), &err);
	assert_string_equal(h.method, "GET");
	snprintf(want, sizeof(want), "%s/", w->base);
	assert_string_equal(h.url, want);
	assert_int_equal(h.status, 200);
	assert_int_equal(tw_touchpoint_hop_byindex(&h, run, 0, 0, 0, 2, &err), TW_EUSAGE);
	tw_error_clear(&err);
	tw_hop zero = {0};
	assert_int_equal(tw_touchpoint_hop_byindex(&zero, run, 0, 0, 0, 0, &err), TW_EUSAGE);
	assert_null(zero.method);
	tw_error_clear(&err);
	tw_run_free(run);
}

static void test_score(void **state)
{
	world *w = *state;
	tw_error err = {0};
	tw_score *score = NULL;
	ok(tw_score_new(&score, w->run, NULL, &err), &err);
	/* "Fails" never achieved its outcome: NOT READY, the run's score its
	 * capped one, and what it lost is the first reason. */
	assert_int_equal(tw_score_verdict(score), TW_VERDICT_NOT_READY);
	assert_int_equal(tw_score_verdict(score), tw_run_verdict(w->run));
	assert_true(tw_score_value(score) >= 0 && tw_score_value(score) <= 20);
	assert_true(tw_score_gate_held(score));
	double sum = 0;
	for (int p = 0; p < TW_PART_COUNT; p++)
		sum += tw_score_weight(score, (tw_part)p);
	assert_true(sum > 0.999 && sum < 1.001);
	tw_rehearsal_score_figures rs = TW_REHEARSAL_SCORE_FIGURES_INIT;
	ok(tw_score_rehearsal_byindex(&rs, score, 0, &err), &err);
	assert_true(rs.counted && rs.met && !rs.capped);
	assert_true(rs.part[TW_PART_OUTCOME] == 1.0);
	ok(tw_score_rehearsal_byindex(&rs, score, 1, &err), &err);
	assert_true(rs.counted && !rs.met && rs.capped);
	assert_true(rs.score == tw_score_value(score));
	assert_int_equal(tw_score_rehearsal_byindex(&rs, score, 2, &err), TW_EUSAGE);
	tw_error_clear(&err);
	assert_true(tw_score_reason_count(score) > 0);
	tw_score_reason reason = TW_SCORE_REASON_INIT;
	ok(tw_score_reason_byindex(&reason, score, 0, &err), &err);
	assert_int_equal(reason.rehearsal, 1);
	assert_true(reason.in_run && reason.points > 0);
	assert_non_null(strstr(reason.why, "Fails"));
	/* The visit is timed (a page: T 1 s); an expectation is not. */
	double apdex = -1, t_ms = -1;
	assert_true(tw_score_touchpoint_apdex(score, 0, 0, 0, &apdex, &t_ms));
	assert_true(apdex >= 0 && apdex <= 1 && t_ms == 1000);
	assert_false(tw_score_touchpoint_apdex(score, 0, 0, 1, &apdex, NULL));
	assert_false(tw_score_touchpoint_apdex(score, 5, 0, 0, NULL, NULL));
	char shown[TW_SCORE_SHOWN_SIZE];
	assert_string_equal(tw_score_shown(shown, sizeof(shown), 99.75), "99.7");
	tw_score_free(score);
	tw_score_free(NULL);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* A project file marks "Fails" minor: the critical "Passes" decides. A
 * rule with a typo for a rehearsal's name is told apart. */
static void test_project(void **state)
{
	world *w = *state;
	tw_error err = {0};
	char path[128];
	snprintf(path, sizeof(path), "%s/techweek.json", w->dir);
	write_text(path, "{\"gates\": [{\"rehearsal\": \"Fails\", \"minor\": true},\n"
			 "           {\"rehearsal\": \"Pases\", \"minimum\": 50}]}\n");
	tw_project *project = NULL;
	ok(tw_project_open(&project, path, &err), &err);
	assert_true(tw_project_gate(project) < 0);
	assert_int_equal(tw_project_rule_count(project), 2);
	assert_string_equal(tw_project_rule_rehearsal(project, 0), "Fails");
	assert_null(tw_project_rule_tag(project, 0));
	tw_unmatched_rule *list = NULL;
	size_t n = 0;
	ok(tw_project_unmatched_rules(&list, &n, project, w->run, &err), &err);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].rule, 1);
	assert_string_equal(list[0].near, "Passes");
	assert_true(list[0].typo);
	tw_unmatched_rules_free(list);

	tw_score *score = NULL;
	ok(tw_score_new(&score, w->run, project, &err), &err);
	assert_int_equal(tw_score_verdict(score), TW_VERDICT_READY);
	tw_rehearsal_score_figures rs = TW_REHEARSAL_SCORE_FIGURES_INIT;
	ok(tw_score_rehearsal_byindex(&rs, score, 1, &err), &err);
	assert_true(rs.minor);
	tw_score_free(score);

	/* A gate above any score this run can reach. */
	tw_project_set_gate(project, 100.5);
	assert_true(tw_project_gate(project) == 100.5);
	ok(tw_score_new(&score, w->run, project, &err), &err);
	assert_int_equal(tw_score_verdict(score), TW_VERDICT_NOT_READY);
	assert_false(tw_score_gate_held(score));
	tw_score_free(score);
	tw_project_free(project);

	/* A bad file: refused, naming the file and the key. */
	write_text(path, "{\"gate\": \"high\"}");
	assert_int_equal(tw_project_open(&project, path, &err), TW_EUSAGE);
	assert_null(project);
	assert_string_equal(err.file, path);
	assert_non_null(strstr(err.message, "gate"));
	tw_error_clear(&err);
	ok(tw_project_new(&project, &err), &err);
	assert_int_equal(tw_project_rule_count(project), 0);
	tw_project_free(project);
	tw_project_free(NULL);
}

/* The run's own JSON result as its baseline: nothing regressed, the
 * verdict stands; a score is compared once. */
static void test_baseline(void **state)
{
	world *w = *state;
	tw_error err = {0};
	char path[128];
	snprintf(path, sizeof(path), "%s/base.json", w->dir);
	tw_score *score = NULL;
	ok(tw_score_new(&score, w->run, NULL, &err), &err);
	ok(tw_report_json(w->run, score, path, &err), &err);
	tw_baseline *base = NULL;
	ok(tw_baseline_load(&base, path, &err), &err);
	assert_int_equal(tw_baseline_count(base), 2);
	ok(tw_score_compare(score, w->run, base, NULL, &err), &err);
	/* The score keeps what it needs. */
	tw_baseline_free(base);
	assert_int_equal(tw_score_verdict(score), TW_VERDICT_NOT_READY);
	assert_int_equal(tw_score_compare(score, w->run, base, NULL, &err), TW_EUSAGE);
	tw_error_clear(&err);
	char html[128];
	snprintf(html, sizeof(html), "%s/base.html", w->dir);
	ok(tw_report_html(w->run, score, html, &err), &err);
	tw_score_free(score);

	assert_int_equal(tw_baseline_load(&base, html, &err), TW_EUSAGE);
	assert_null(base);
	tw_error_clear(&err);
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Three reports as one set: all written, or (one cannot be) none. */
static void test_write_set(void **state)
{
	world *w = *state;
	tw_error err = {0};
	char junit[128], json[128], html[128], bad[160];
	snprintf(junit, sizeof(junit), "%s/set/junit.xml", w->dir);
	snprintf(json, sizeof(json), "%s/set/result.json", w->dir);
	snprintf(html, sizeof(html), "%s/set/readiness.html", w->dir);
	tw_report_file files[] = {
		{TW_REPORT_JUNIT, junit},
		{TW_REPORT_JSON, json},
		{TW_REPORT_HTML, html},
	};
	ok(tw_report_write_set(w->run, NULL, files, 3, &err), &err);
	assert_true(exists(junit) && exists(json) && exists(html));

	/* The HTML report's folder is a file: nothing is written, and the
	 * error names the path. */
	snprintf(bad, sizeof(bad), "%s/set/junit.xml/readiness.html", w->dir);
	snprintf(json, sizeof(json), "%s/set2/result.json", w->dir);
	snprintf(junit, sizeof(junit), "%s/set2/junit.xml", w->dir);
	files[2].path = bad;
	assert_int_equal(tw_report_write_set(w->run, NULL, files, 3, &err), TW_EIO);
	assert_string_equal(err.file, bad);
	tw_error_clear(&err);
	assert_false(exists(json) || exists(junit));

	files[0].kind = (tw_report_kind)7;
	assert_int_equal(tw_report_write_set(w->run, NULL, files, 1, &err), TW_EUSAGE);
	tw_error_clear(&err);
	assert_int_equal(tw_report_write_set(NULL, NULL, files, 1, &err), TW_EUSAGE);
	tw_error_clear(&err);
}

/* A program built against the first tw_report_file (kind and path, no
 * options) passes an array of that layout: every entry is read as it was
 * written, not from the middle of its neighbour. */
static void test_write_set_first_layout(void **state)
{
	world *w = *state;
	tw_error err = {0};
	struct first_file {
		tw_report_kind kind;
		const char *path;
	} files[3];
	char paths[3][128];
	static const tw_report_kind kinds[] = {TW_REPORT_JUNIT, TW_REPORT_JSON, TW_REPORT_HTML};
	static const char *names[] = {"junit.xml", "result.json", "readiness.html"};
	for (int i = 0; i < 3; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/old/%s", w->dir, names[i]);
		files[i] = (struct first_file){kinds[i], paths[i]};
	}
	ok(tw_report_write_set(w->run, NULL, (const tw_report_file *)(const void *)files, 3, &err),
	   &err);
	for (int i = 0; i < 3; i++)
		assert_true(exists(paths[i]));
}

/* An option bit this library does not know, or one that does not apply
 * to the entry's kind, is refused naming the entry: never quietly
 * ignored. */
static void test_write_set_bad_options(void **state)
{
	world *w = *state;
	tw_error err = {0};
	char junit[128], json[128];
	snprintf(junit, sizeof(junit), "%s/opts/junit.xml", w->dir);
	snprintf(json, sizeof(json), "%s/opts/result.json", w->dir);
	tw_report_file_ext files[] = {TW_REPORT_FILE_EXT_INIT, TW_REPORT_FILE_EXT_INIT};
	files[0].kind = TW_REPORT_JSON;
	files[0].path = json;
	files[1].kind = TW_REPORT_JUNIT;
	files[1].path = junit;
	files[1].options = 1u << 5;
	assert_int_equal(tw_report_write_set_ext(w->run, NULL, files, 2, &err), TW_EUSAGE);
	assert_non_null(strstr(err.message, "file 1"));
	tw_error_clear(&err);
	files[1].options = TW_REPORT_JUNIT_LOCATIONS;
	files[0].options = TW_REPORT_JUNIT_LOCATIONS;
	assert_int_equal(tw_report_write_set_ext(w->run, NULL, files, 2, &err), TW_EUSAGE);
	assert_non_null(strstr(err.message, "file 0"));
	tw_error_clear(&err);
	/* A version this library does not know, or two in one array. */
	files[0].options = 0;
	files[1].version = 2;
	assert_int_equal(tw_report_write_set_ext(w->run, NULL, files, 2, &err), TW_EUSAGE);
	assert_non_null(strstr(err.message, "file 1"));
	tw_error_clear(&err);
	files[0].version = files[1].version = 0;
	assert_int_equal(tw_report_write_set_ext(w->run, NULL, files, 2, &err), TW_EUSAGE);
	tw_error_clear(&err);
	assert_false(exists(junit) || exists(json));
	files[0].version = files[1].version = TW_REPORT_FILE_EXT_VERSION;
	ok(tw_report_write_set_ext(w->run, NULL, files, 2, &err), &err);
	assert_true(exists(junit) && exists(json));
}

/* TW_RUN_OPTIONS_INIT is tw_run_options_init's; tw_run_new refuses options
 * of another version, saying how to make them. */
static void test_options_version(void **state)
{
	(void)state;
	tw_run_options a = TW_RUN_OPTIONS_INIT, b;
	memset(&b, 0xff, sizeof(b));
	assert_int_equal(tw_run_options_init(&b, TW_RUN_OPTIONS_VERSION), TW_OK);
	assert_int_equal(a.version, TW_RUN_OPTIONS_VERSION);
	assert_int_equal(b.version, TW_RUN_OPTIONS_VERSION);
	assert_int_equal(a.connect_timeout_ms, b.connect_timeout_ms);
	assert_int_equal(a.timeout_ms, b.timeout_ms);
	assert_int_equal(a.max_redirects, b.max_redirects);
	assert_int_equal(a.max_body, b.max_body);
	assert_int_equal(a.call_max_fetches, b.call_max_fetches);
	assert_true(a.call_max_seconds == b.call_max_seconds);
	assert_int_equal(a.call_max_loops, b.call_max_loops);
	assert_true(a.speaking_rate == 150 && b.speaking_rate == 150); /* issue 14, CLOCK */
	assert_true(a.key_time_s == 0.3 && b.key_time_s == 0.3);
	assert_true(a.script_time_s == 1 && b.script_time_s == 1); /* issue 14, F2 */
	assert_int_equal(a.performances, b.performances);
	assert_int_equal(a.customers, b.customers);
	assert_int_equal(a.jobs, b.jobs);
	assert_true(a.think_scale == b.think_scale);
	assert_int_equal(a.progress_ms, b.progress_ms);
	assert_null(b.vars);
	assert_null(b.progress);
	assert_int_equal(b.shard_count, 0);
	assert_false(b.seed_set); /* issue 13, GEN: a seed is drawn */

	tw_run *run = NULL;
	tw_error err = {0};
	ok(tw_run_new(&run, &a, &err), &err);
	tw_run_free(run);

	tw_run_options zero = {0};
	assert_int_equal(tw_run_new(&run, &zero, &err), TW_EUSAGE);
	assert_null(run);
	assert_string_equal(err.message, "tw_run_new: options of version 0, this library knows "
					 "versions 1 to 4: initialise them with tw_run_options_init or "
					 "TW_RUN_OPTIONS_INIT");
	tw_error_clear(&err);
	a.version = TW_RUN_OPTIONS_VERSION + 1;
	assert_int_equal(tw_run_new(&run, &a, &err), TW_EUSAGE);
	assert_null(run);
	tw_error_clear(&err);
	/* NULL: the defaults. */
	ok(tw_run_new(&run, NULL, &err), &err);
	assert_int_equal(tw_run_options_of(run)->version, TW_RUN_OPTIONS_VERSION);
	tw_run_free(run);
}

/* A score refuses every run but the one it scored: read with another,
 * the reports would index that run's rehearsals by the score's count (a
 * run of one rehearsal, a score of two: past the end). Nothing is
 * written, and the error says which. */
static void test_score_of_another_run(void **state)
{
	world *w = *state;
	tw_error err = {0};
	tw_run_options opts = TW_RUN_OPTIONS_INIT;
	opts.vars = w->vars;
	tw_run *other = NULL;
	ok(tw_run_new(&other, &opts, &err), &err);
	add(other, "passes.rehearsal", PASSES);
	ok(tw_run_execute(other, &err), &err);
	tw_score *score = NULL;
	ok(tw_score_new(&score, w->run, NULL, &err), &err);

	char json[128], html[128], junit[128], base_path[128];
	snprintf(json, sizeof(json), "%s/other.json", w->dir);
	snprintf(html, sizeof(html), "%s/other.html", w->dir);
	snprintf(junit, sizeof(junit), "%s/other.xml", w->dir);
	snprintf(base_path, sizeof(base_path), "%s/other-base.json", w->dir);
	int rc[6];
	rc[0] = tw_report_json(other, score, json, &err);
	tw_error_clear(&err);
	rc[1] = tw_report_html(other, score, html, &err);
	tw_error_clear(&err);
	rc[2] = tw_report_junit(other, score, junit, &err);
	tw_error_clear(&err);
	tw_report_file files[] = {{TW_REPORT_JSON, json}};
	rc[3] = tw_report_write_set(other, score, files, 1, &err);
	tw_error_clear(&err);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	assert_non_null(out);
	rc[4] = tw_report_summary(other, score, out, 0, &err);
	tw_error_clear(&err);
	rc[5] = tw_report_verdict(other, score, out, 0, &err);
	fclose(out);
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(rc[i], TW_EUSAGE);
	assert_non_null(strstr(err.message, "tw_report_verdict: the score is of another run"));
	tw_error_clear(&err);
	assert_int_equal(len, 0);
	free(text);
	struct stat st;
	assert_true(stat(json, &st) != 0 && stat(html, &st) != 0 && stat(junit, &st) != 0);

	/* tw_score_compare judges the score's run against the baseline. */
	ok(tw_report_json(w->run, score, base_path, &err), &err);
	tw_baseline *base = NULL;
	ok(tw_baseline_load(&base, base_path, &err), &err);
	assert_int_equal(tw_score_compare(score, other, base, NULL, &err), TW_EUSAGE);
	assert_non_null(strstr(err.message, "tw_score_compare: the score is of another run"));
	tw_error_clear(&err);
	ok(tw_score_compare(score, w->run, base, NULL, &err), &err);
	tw_baseline_free(base);
	tw_score_free(score);
	tw_run_free(other);
}

/* A program built against version 1 of a figures struct declared only
 * version 1's bytes: a reader of a later library writes those and not
 * one more (the struct between canaries, exactly version 1 long), and
 * refuses a version above its own. V1_END is each struct's last field
 * of version 1, frozen here as an old header would have it. */
#define CANARY 32
#define V1_END(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))

typedef struct caller {
	_Alignas(max_align_t) unsigned char bytes[CANARY + 1024 + CANARY];
	size_t size;
} caller;

static void *caller_of(caller *c, size_t v1_size)
{
	assert_true(v1_size <= 1024);
	c->size = v1_size;
	memset(c->bytes, 0xa5, sizeof(c->bytes));
	unsigned version = 1;
	memcpy(c->bytes + CANARY, &version, sizeof(version));
	return c->bytes + CANARY;
}

static void canaries_hold(const caller *c)
{
	for (size_t i = 0; i < CANARY; i++)
		assert_int_equal(c->bytes[i], 0xa5);
	for (size_t i = CANARY + c->size; i < sizeof(c->bytes); i++)
		if (c->bytes[i] != 0xa5)
			fail_msg("byte %zu past a version 1 struct of %zu written", i - CANARY - c->size,
				 c->size);
}

static void test_figures_of_version_1(void **state)
{
	world *w = *state;
	tw_error err = {0};
	caller c;
	tw_run_figures *rf = caller_of(&c, V1_END(tw_run_figures, rehearsal_count));
	ok(tw_run_figures_of(rf, w->run, &err), &err);
	canaries_hold(&c);
	assert_int_equal(rf->version, 1);
	assert_int_equal(rf->rehearsal_count, 2);

	tw_rehearsal_figures *r = caller_of(&c, V1_END(tw_rehearsal_figures, scene_count));
	ok(tw_run_rehearsal_byindex(r, w->run, 1, &err), &err);
	canaries_hold(&c);
	assert_string_equal(r->name, "Fails");
	assert_int_equal(r->scene_count, 2);

	tw_scene_figures *s = caller_of(&c, V1_END(tw_scene_figures, failed_actual));
	ok(tw_rehearsal_scene_byindex(s, w->run, 1, 1, &err), &err);
	canaries_hold(&c);
	assert_string_equal(s->name, "Api");

	tw_touchpoint_figures *t = caller_of(&c, V1_END(tw_touchpoint_figures, first_limit));
	ok(tw_scene_touchpoint_byindex(t, w->run, 1, 1, 1, &err), &err);
	canaries_hold(&c);
	assert_int_equal(t->line, 11);

	tw_score *score = NULL;
	ok(tw_score_new(&score, w->run, NULL, &err), &err);
	tw_rehearsal_score_figures *rs =
		caller_of(&c, V1_END(tw_rehearsal_score_figures, demand_mean));
	ok(tw_score_rehearsal_byindex(rs, score, 0, &err), &err);
	canaries_hold(&c);
	assert_true(rs->counted);
	assert_true(tw_score_reason_count(score) > 0);
	tw_score_reason *why = caller_of(&c, V1_END(tw_score_reason, in_run));
	ok(tw_score_reason_byindex(why, score, 0, &err), &err);
	canaries_hold(&c);
	assert_non_null(why->why);
	tw_score_free(score);

	/* A version above this library's: refused, the struct untouched. */
	rf = caller_of(&c, V1_END(tw_run_figures, rehearsal_count));
	rf->version = TW_RUN_FIGURES_VERSION + 1;
	assert_int_equal(tw_run_figures_of(rf, w->run, &err), TW_EUSAGE);
	assert_non_null(strstr(err.message, "this library knows versions 1 to"));
	tw_error_clear(&err);
	for (size_t i = CANARY + sizeof(unsigned); i < sizeof(c.bytes); i++)
		assert_int_equal(c.bytes[i], 0xa5);
}

/* Options of version 1 are read as version 1: its bytes and no more (the
 * options alone in an allocation of that size, which ASan and valgrind
 * watch), every later field at its default. */
static void test_options_of_version_1(void **state)
{
	world *w = *state;
	size_t v1 = V1_END(tw_run_options, shard_count);
	tw_run_options defaults = TW_RUN_OPTIONS_INIT;
	defaults.vars = w->vars;
	defaults.version = 1;
	tw_run_options *opts = malloc(v1);
	assert_non_null(opts);
	memcpy(opts, &defaults, v1);
	tw_run *run = NULL;
	tw_error err = {0};
	ok(tw_run_new(&run, opts, &err), &err);
	free(opts);
	assert_int_equal(tw_run_options_of(run)->timeout_ms, 30000);
	assert_true(tw_run_options_of(run)->vars == w->vars);
	tw_run_free(run);

	/* tw_run_options_init of version 1 writes version 1's bytes. */
	caller c;
	tw_run_options *init = caller_of(&c, v1);
	assert_int_equal(tw_run_options_init(init, 1), TW_OK);
	canaries_hold(&c);
	assert_int_equal(init->version, 1);
	assert_int_equal(init->timeout_ms, 30000);
	init = caller_of(&c, v1);
	assert_int_equal(tw_run_options_init(init, TW_RUN_OPTIONS_VERSION + 1), TW_EUSAGE);
	assert_int_equal(tw_run_options_init(init, 0), TW_EUSAGE);
	for (size_t i = CANARY + sizeof(unsigned); i < sizeof(c.bytes); i++)
		assert_int_equal(c.bytes[i], 0xa5);
}

/* tw_decimal's end may be NULL, as strtod's may: what follows the number
 * is then not looked at. */
static void test_decimal_without_end(void **state)
{
	(void)state;
	double v = 0;
	assert_true(tw_decimal("8.5", &v, NULL));
	assert_true(v == 8.5);
	assert_true(tw_decimal("12.25 ms", &v, NULL));
	assert_true(v == 12.25);
	assert_false(tw_decimal("x", &v, NULL));
	char *end = NULL;
	assert_true(tw_decimal("12.25 ms", &v, &end));
	assert_string_equal(end, " ms");
}

/* issue 13, FLOW: a conditional scene's figures (tw_scene_figures version
 * 2): its `when`, the performances that left it out, and why the shown one
 * did; a repeated scene's passes are scenes of their own. */
static void test_conditional_scene_figures(void **state)
{
	world *w = *state;
	static const char text[] = "rehearsal \"Maybe\"\n"
				   "cast\n  base\n  card =\n"
				   "scene \"Home\" repeat 2\n  visit {{base}}/\n"
				   "scene \"Pay\" when {{card}}\n  get {{base}}/api\n";
	tw_run_options opts = TW_RUN_OPTIONS_INIT;
	opts.vars = w->vars;
	opts.performances = 2;
	tw_run *run = NULL;
	tw_error err = {0};
	ok(tw_run_new(&run, &opts, &err), &err);
	add(run, "maybe.rehearsal", text);
	ok(tw_run_execute(run, &err), &err);
	assert_int_equal(tw_rehearsal_scene_count(run, 0), 3);
	tw_scene_figures s = TW_SCENE_FIGURES_INIT;
	ok(tw_rehearsal_scene_byindex(&s, run, 0, 1, &err), &err);
	assert_string_equal(s.name, "Home (2 of 2)");
	assert_null(s.when);
	assert_int_equal(s.passed, 2);
	assert_int_equal(s.not_run, 0);
	assert_null(s.not_run_why);
	ok(tw_rehearsal_scene_byindex(&s, run, 0, 2, &err), &err);
	assert_string_equal(s.name, "Pay");
	assert_string_equal(s.when, "{{card}}");
	assert_int_equal(s.not_run, 2);
	assert_int_equal(s.passed + s.failed + s.skipped, 0);
	assert_int_equal(s.status, TW_STATUS_SKIPPED);
	assert_string_equal(s.not_run_why, "card is empty");
	tw_touchpoint_figures t = TW_TOUCHPOINT_FIGURES_INIT;
	ok(tw_scene_touchpoint_byindex(&t, run, 0, 2, 0, &err), &err);
	assert_int_equal(t.count, 0);
	tw_rehearsal_figures r = TW_REHEARSAL_FIGURES_INIT;
	ok(tw_run_rehearsal_byindex(&r, run, 0, &err), &err);
	assert_int_equal(r.achieved, 2);
	tw_run_free(run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rehearsals),
		cmocka_unit_test(test_scenes_and_touchpoints),
		cmocka_unit_test(test_figures_versions),
		cmocka_unit_test(test_not_performed),
		cmocka_unit_test(test_hops),
		cmocka_unit_test(test_score),
		cmocka_unit_test(test_project),
		cmocka_unit_test(test_baseline),
		cmocka_unit_test(test_write_set),
		cmocka_unit_test(test_write_set_first_layout),
		cmocka_unit_test(test_write_set_bad_options),
		cmocka_unit_test(test_options_version),
		cmocka_unit_test(test_score_of_another_run),
		cmocka_unit_test(test_figures_of_version_1),
		cmocka_unit_test(test_options_of_version_1),
		cmocka_unit_test(test_decimal_without_end),
		cmocka_unit_test(test_conditional_scene_figures), /* issue 13, FLOW */
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
