/*
 * A finished run built by hand, shared by the report tests (test_junit.c,
 * test_summary.c, test_json.c). Reports only read the result model, so the
 * tests build it directly instead of performing against a stage: every
 * status a scene or a rehearsal can end in, text with XML specials,
 * non-ASCII UTF-8, control characters and broken UTF-8 in a body excerpt, a
 * script that does not parse and a rehearsal that stopped before its first
 * scene.
 *
 * Scripts are built node by node in an arena, as the parser would leave
 * them, and each turned into its plan (runner/plan.h) when its first
 * result is made (fx_plan): results point into the plan, as the runner's
 * do. The run borrows both (they are not in run->scripts or run->plans),
 * so the fixture frees them itself; a test that changes a fact after the
 * results are made changes the plan.
 *
 * The figures of every performance (run->metrics, owned by the run) are
 * folded from the shown results by fx_metrics, as the runner folds each
 * performance it finishes: call it once the results are final (fx_full
 * does). More performances can then be folded in with
 * tw_rehearsal_metrics_add, from results built with fx_perf.
 */
#ifndef TW_TESTS_REPORTS_FIXTURE_H
#define TW_TESTS_REPORTS_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "language/ast.h"
#include "runner/run.h"
#include "techweek.h"

#define FX_MAX_SCRIPTS 16

typedef struct fixture {
	tw_run *run;
	tw_script *scripts[FX_MAX_SCRIPTS];
	tw_plan *plans[FX_MAX_SCRIPTS]; /* plans[i] of scripts[i], once made */
	size_t script_count;
} fixture;

static inline char *fx_dup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static inline tw_script *fx_script(fixture *fx, const char *path, const char *name, size_t scenes)
{
	tw_script *s = calloc(1, sizeof(*s));
	if (!s || fx->script_count == FX_MAX_SCRIPTS)
		abort();
	fx->scripts[fx->script_count++] = s;
	s->path = tw_arena_strdup(&s->arena, path);
	s->name = tw_arena_strdup(&s->arena, name);
	s->scene_count = scenes;
	s->scenes = tw_arena_alloc(&s->arena, (scenes ? scenes : 1) * sizeof(tw_scene));
	return s;
}

static inline tw_scene *fx_scene(tw_script *s, size_t i, const char *name, int line, bool backstage,
			  size_t steps)
{
	tw_scene *sc = &s->scenes[i];
	sc->loc = (tw_loc){s->path, line, 1};
	sc->name = tw_arena_strdup(&s->arena, name);
	sc->channel = TW_CHANNEL_WEB;
	sc->backstage = backstage;
	sc->step_count = steps;
	sc->steps = tw_arena_alloc(&s->arena, (steps ? steps : 1) * sizeof(tw_step));
	return sc;
}

/* Step i of scene sc, on line `line`, written as `source` (indented as in a
 * script, so reports must trim it). */
static inline tw_step *fx_step(tw_script *s, tw_scene *sc, size_t i, tw_step_kind kind, int line,
			const char *source)
{
	tw_step *st = &sc->steps[i];
	st->kind = kind;
	st->loc = (tw_loc){s->path, line, 3};
	st->source = tw_arena_printf(&s->arena, "  %s", source);
	return st;
}

/* Script s's plan, made from it the first time. */
static inline tw_plan *fx_plan(fixture *fx, const tw_script *s)
{
	for (size_t i = 0; i < fx->script_count; i++)
		if (fx->scripts[i] == s) {
			if (!fx->plans[i] && tw_plan_of_script(&fx->plans[i], s) != TW_OK)
				abort();
			return fx->plans[i];
		}
	abort();
}

/* Every plan made again from its script, and every result and figure of
 * the run pointed into the new one: for a test that changes a script
 * after its results are made (scenes and steps stay as many). */
static inline void fx_replan(fixture *fx)
{
	tw_run *run = fx->run;
	for (size_t i = 0; i < fx->script_count; i++) {
		tw_plan *old = fx->plans[i], *plan = NULL;
		if (!old)
			continue;
		if (tw_plan_of_script(&plan, fx->scripts[i]) != TW_OK)
			abort();
		for (size_t k = 0; k < run->count; k++) {
			tw_rehearsal_result *r = &run->rehearsals[k];
			if (r->plan != old)
				continue;
			r->plan = plan;
			for (size_t s = 0; s < r->scene_count; s++) {
				r->scenes[s].scene = &plan->scenes[s];
				for (size_t j = 0; r->scenes[s].steps && j < plan->scenes[s].touchpoint_count; j++)
					r->scenes[s].steps[j].step = &plan->scenes[s].touchpoints[j];
			}
			tw_rehearsal_metrics *m = run->metrics ? &run->metrics[k] : NULL;
			for (size_t s = 0; m && m->scenes && s < m->scene_count; s++)
				for (size_t j = 0; j < m->scenes[s].step_count; j++)
					m->scenes[s].steps[j].step = &plan->scenes[s].touchpoints[j];
		}
		tw_plan_free(old);
		fx->plans[i] = plan;
	}
}

/* Fills r (zeroed, its path set) for script s: every scene and step
 * passed, 1.5 ms a step; ms on the wall and on the customer's clock. */
static inline void fx_fill(fixture *fx, tw_rehearsal_result *r, tw_script *s, tw_status status,
			   double ms)
{
	const tw_plan *plan = fx_plan(fx, s);
	r->plan = plan;
	r->name = fx_dup(s->name);
	r->status = status;
	r->elapsed_ms = ms;
	r->customer_ms = ms;
	strcpy(r->started_at, "2024-05-01T02:00:00Z");
	r->scene_count = s->scene_count;
	r->scenes = calloc(s->scene_count ? s->scene_count : 1, sizeof(tw_scene_result));
	for (size_t i = 0; i < s->scene_count; i++) {
		tw_scene_result *sc = &r->scenes[i];
		sc->scene = &plan->scenes[i];
		sc->status = TW_STATUS_PASSED;
		sc->elapsed_ms = 10.0 * (double)(i + 1);
		sc->steps = calloc(sc->scene->touchpoint_count ? sc->scene->touchpoint_count : 1,
				   sizeof(tw_step_result));
		for (size_t j = 0; j < sc->scene->touchpoint_count; j++) {
			sc->steps[j].step = &sc->scene->touchpoints[j];
			sc->steps[j].status = TW_STATUS_PASSED;
			sc->steps[j].elapsed_ms = 1.5;
		}
	}
}

/* Drops run->metrics: they must be folded again once results change. */
static inline void fx_drop_metrics(fixture *fx)
{
	tw_run *run = fx->run;
	for (size_t i = 0; run->metrics && i < run->count; i++)
		tw_rehearsal_metrics_free(&run->metrics[i]);
	free(run->metrics);
	run->metrics = NULL;
}

/* A result for script s in the run, as fx_fill leaves it. */
static inline tw_rehearsal_result *fx_result(fixture *fx, tw_script *s, tw_status status, double ms)
{
	fx_drop_metrics(fx);
	tw_rehearsal_result *r = tw_run_push_result(fx->run, s->path);
	if (!r)
		abort();
	fx_fill(fx, r, s, status, ms);
	return r;
}

/* A performance outside the run, to fold into its metrics; free it with
 * tw_rehearsal_result_free. */
static inline void fx_perf(fixture *fx, tw_rehearsal_result *r, tw_script *s, tw_status status,
			   double ms)
{
	memset(r, 0, sizeof(*r));
	r->path = fx_dup(s->path);
	fx_fill(fx, r, s, status, ms);
}

/* run->metrics folded from the shown results, one performance each, as
 * the runner does: a script that cannot run counts as broken without
 * being performed. */
static inline void fx_metrics(fixture *fx)
{
	tw_run *run = fx->run;
	fx_drop_metrics(fx);
	fx_replan(fx);
	run->metrics = calloc(run->count ? run->count : 1, sizeof(*run->metrics));
	if (!run->metrics)
		abort();
	for (size_t i = 0; i < run->count; i++) {
		tw_rehearsal_result *r = &run->rehearsals[i];
		if (tw_rehearsal_metrics_init(&run->metrics[i], r->plan) != TW_OK)
			abort();
		if (!r->plan || r->status == TW_STATUS_BROKEN)
			run->metrics[i].broken = 1;
		else if (tw_rehearsal_metrics_add(&run->metrics[i], r) != TW_OK)
			abort();
	}
}

static inline tw_step_result *fx_set(tw_rehearsal_result *r, size_t scene, size_t step, tw_status status,
			      const char *message)
{
	tw_step_result *st = &r->scenes[scene].steps[step];
	st->status = status;
	st->message = fx_dup(message);
	return st;
}

static inline void fx_http(tw_step_result *st, long status, const char *method, const char *url,
		    double ms)
{
	st->http_status = status;
	st->method = fx_dup(method);
	st->url = fx_dup(url);
	st->elapsed_ms = ms;
	st->timings.total_ms = ms;
	/* An expectation reads the response its request step received. */
	st->requested = st->step && st->step->kind != TW_STEP_EXPECT;
	st->requests = st->requested; /* one request, no redirect */
}

/* Marks every step of scene i from step `from` on as not reached. */
static inline void fx_skip_rest(tw_rehearsal_result *r, size_t scene, size_t from)
{
	tw_scene_result *sc = &r->scenes[scene];
	for (size_t j = from; j < sc->scene->touchpoint_count; j++) {
		sc->steps[j].status = TW_STATUS_SKIPPED;
		sc->steps[j].elapsed_ms = 0;
	}
}

static inline void fx_skip_scene(tw_rehearsal_result *r, size_t scene)
{
	r->scenes[scene].status = TW_STATUS_SKIPPED;
	r->scenes[scene].elapsed_ms = 0;
	fx_skip_rest(r, scene, 0);
}

/* The body excerpt a misbehaving server might send: a C0 control, an ANSI
 * escape, a byte that is not UTF-8 and a CDATA terminator. */
#define FX_NASTY_ACTUAL "{\"id\":1001,\x01\x1b[31m\"status\":\"cold\"}\xff ]]> tail"
#define FX_FAILING_NAME "Check an order by API & <friends> \"quoted\" 'single' \xe2\x80\x94 caf\xc3\xa9 \xe2\x98\x95"

/* Passed: 2 scenes (one backstage), 5 steps. */
static inline void fx_add_passed(fixture *fx)
{
	tw_script *s = fx_script(fx, "rehearsals/pizza.rehearsal", "Order a pizza online", 2);
	s->outcome = tw_arena_strdup(&s->arena, "Ada knows when her pizza arrives");
	s->budget_ms = 90000;
	s->budget_steps = 10;
	s->tag_count = 2;
	s->tags = tw_arena_alloc(&s->arena, 2 * sizeof(char *));
	s->tags[0] = tw_arena_strdup(&s->arena, "smoke");
	s->tags[1] = tw_arena_strdup(&s->arena, "web");
	tw_scene *a = fx_scene(s, 0, "Find the menu", 11, false, 3);
	fx_step(s, a, 0, TW_STEP_VISIT, 12, "visit {{stage}}/");
	fx_step(s, a, 1, TW_STEP_EXPECT, 13, "expect status 200");
	fx_step(s, a, 2, TW_STEP_EXPECT, 14, "expect text \"Today's menu\"");
	tw_scene *b = fx_scene(s, 1, "The kitchen has it", 20, true, 2);
	fx_step(s, b, 0, TW_STEP_REQUEST, 21, "get {{stage}}/api/orders/1001");
	fx_step(s, b, 1, TW_STEP_EXPECT, 22, "expect status 200");

	tw_rehearsal_result *r = fx_result(fx, s, TW_STATUS_PASSED, 810);
	fx_http(&r->scenes[0].steps[0], 200, "GET", "http://127.0.0.1:8080/", 35.2);
	fx_http(&r->scenes[1].steps[0], 200, "GET", "http://127.0.0.1:8080/api/orders/1001", 4);
	r->frontstage_steps = 3;
	r->frontstage_ms = 500;
}

/* Failed: scene 2 has two failed expectations on one response; scene 3 is
 * not reached. */
static inline void fx_add_failed(fixture *fx)
{
	tw_script *s = fx_script(fx, "rehearsals/api.rehearsal", FX_FAILING_NAME, 3);
	tw_scene *a = fx_scene(s, 0, "Order", 5, false, 1);
	fx_step(s, a, 0, TW_STEP_REQUEST, 6, "post {{stage}}/api/orders");
	tw_scene *b = fx_scene(s, 1, "Kitchen", 12, true, 4);
	fx_step(s, b, 0, TW_STEP_REQUEST, 13, "get {{stage}}/api/orders/1001");
	fx_step(s, b, 1, TW_STEP_EXPECT, 14, "expect json $.status == \"baking\"");
	fx_step(s, b, 2, TW_STEP_EXPECT, 15, "expect header Content-Type contains json");
	fx_step(s, b, 3, TW_STEP_EXPECT, 16, "expect status 200");
	tw_scene *c = fx_scene(s, 2, "Call about it", 20, false, 1);
	fx_step(s, c, 0, TW_STEP_VISIT, 21, "visit {{stage}}/status");

	tw_rehearsal_result *r = fx_result(fx, s, TW_STATUS_FAILED, 120);
	fx_http(&r->scenes[0].steps[0], 201, "POST", "http://127.0.0.1:8080/api/orders", 12);
	fx_http(&r->scenes[1].steps[0], 200, "GET", "http://127.0.0.1:8080/api/orders/1001", 8);
	r->scenes[1].status = TW_STATUS_FAILED;
	tw_step_result *st = fx_set(r, 1, 1, TW_STATUS_FAILED,
				    "expected json $.status == \"baking\", got \"cold\"");
	st->expected = fx_dup("json $.status == \"baking\"");
	st->actual = fx_dup(FX_NASTY_ACTUAL);
	fx_http(st, 200, "GET", "http://127.0.0.1:8080/api/orders/1001", 0.1);
	st = fx_set(r, 1, 2, TW_STATUS_FAILED,
		    "expected header Content-Type contains \"json\", got \"text/html\"");
	st->expected = fx_dup("header Content-Type contains \"json\"");
	st->actual = fx_dup("text/html");
	fx_http(st, 200, "GET", "http://127.0.0.1:8080/api/orders/1001", 0.1);
	fx_skip_rest(r, 1, 3);
	fx_skip_scene(r, 2);
}

/* Failed: the connection was reset before a complete response. */
static inline void fx_add_transport(fixture *fx)
{
	tw_script *s = fx_script(fx, "rehearsals/reset.rehearsal", "Reset connection", 1);
	tw_scene *a = fx_scene(s, 0, "Faults", 3, false, 2);
	fx_step(s, a, 0, TW_STEP_VISIT, 4, "visit {{stage}}/fault/reset");
	fx_step(s, a, 1, TW_STEP_EXPECT, 5, "expect status 200");
	tw_rehearsal_result *r = fx_result(fx, s, TW_STATUS_FAILED, 30);
	r->scenes[0].status = TW_STATUS_FAILED;
	tw_step_result *st = fx_set(r, 0, 0, TW_STATUS_FAILED,
				    "connection reset by peer (Recv failure)");
	fx_http(st, 0, "GET", "http://127.0.0.1:8080/fault/reset", 2);
	st->transport = true;
	fx_skip_rest(r, 0, 1);
}

/* Unreachable: nothing listens; the second scene is not reached. */
static inline void fx_add_unreachable(fixture *fx)
{
	tw_script *s = fx_script(fx, "rehearsals/down.rehearsal", "Nobody home", 2);
	tw_scene *a = fx_scene(s, 0, "Find the menu", 3, false, 1);
	fx_step(s, a, 0, TW_STEP_VISIT, 4, "visit {{stage}}/");
	tw_scene *b = fx_scene(s, 1, "Pay", 6, false, 1);
	fx_step(s, b, 0, TW_STEP_SUBMIT, 7, "submit \"Pay\"");
	tw_rehearsal_result *r = fx_result(fx, s, TW_STATUS_UNREACHABLE, 5);
	r->scenes[0].status = TW_STATUS_UNREACHABLE;
	tw_step_result *st = fx_set(r, 0, 0, TW_STATUS_UNREACHABLE,
				    "could not connect to 127.0.0.1:9: Connection refused");
	fx_http(st, 0, "GET", "http://127.0.0.1:9/", 0.3);
	fx_skip_scene(r, 1);
}

/* Broken: the file does not parse; there is no script. */
static inline void fx_add_broken(fixture *fx)
{
	tw_error problem = {0};
	fx_drop_metrics(fx);
	tw_error_set_at(&problem, TW_ESYNTAX, "rehearsals/broken.rehearsal", 3, 5, "  clik \"Margherita\"",
			"unknown step 'clik' (did you mean 'click'?)");
	/* Added as before a run is performed (fx_setup marks it performed). */
	fx->run->executed = false;
	if (tw_run_add_broken(fx->run, "rehearsals/broken.rehearsal", &problem) != TW_OK)
		abort();
	fx->run->executed = true;
	tw_error_clear(&problem);
}

/* Stopped before the first scene: a missing secret (failed), nothing
 * listening for the first request (unreachable). No scene results. */
static inline void fx_add_setup(fixture *fx)
{
	tw_script *s = fx_script(fx, "rehearsals/pay.rehearsal", "Pay by card", 1);
	tw_scene *a = fx_scene(s, 0, "Checkout", 8, false, 1);
	fx_step(s, a, 0, TW_STEP_VISIT, 9, "visit {{stage}}/checkout");
	tw_rehearsal_result *r = fx_result(fx, s, TW_STATUS_FAILED, 0);
	free(r->scenes[0].steps);
	free(r->scenes);
	r->scenes = NULL;
	r->scene_count = 0;
	tw_error_set_at(&r->problem, TW_ECHECK, "rehearsals/pay.rehearsal", 6, 0, NULL,
			"secret CARD_NUMBER is not set in the environment");

	tw_script *t = fx_script(fx, "rehearsals/dns.rehearsal", "Wrong host", 0);
	r = fx_result(fx, t, TW_STATUS_UNREACHABLE, 1);
	tw_error_set(&r->problem, TW_ETRANSPORT, "could not resolve host: stage.invalid");
}

/* Every case above, in a run that took 1.42 s, with its figures. */
/* Failed: a submit whose request chain is longer than a step keeps
 * (FX_CHAIN_HOPS requests: a POST answered 303, GETs answered 303, the
 * last a 500), so the step keeps its first 31 and the last. Not in
 * fx_full. */
#define FX_CHAIN_HOPS 40
static inline void fx_add_chain(fixture *fx)
{
	tw_script *s = fx_script(fx, "rehearsals/chain.rehearsal", "Long chain", 1);
	tw_scene *a = fx_scene(s, 0, "Order", 3, false, 1);
	fx_step(s, a, 0, TW_STEP_SUBMIT, 4, "submit \"Place order\"");
	tw_rehearsal_result *r = fx_result(fx, s, TW_STATUS_FAILED, 30);
	r->scenes[0].status = TW_STATUS_FAILED;
	tw_step_result *st = fx_set(r, 0, 0, TW_STATUS_FAILED,
				    "answered 500 Internal Server Error, which the script does not expect");
	fx_http(st, 500, "GET", "http://127.0.0.1:8080/a?hop=39", 2);
	st->requests = FX_CHAIN_HOPS;
	for (int i = 0; i < FX_CHAIN_HOPS; i++) {
		char *url = malloc(64);
		if (!url)
			abort();
		snprintf(url, 64, "http://127.0.0.1:8080/a?hop=%d", i);
		if (tw_step_result_add_hop(st, i ? "GET" : "POST", url,
					   i + 1 < FX_CHAIN_HOPS ? 303 : 500) != TW_OK)
			abort();
	}
}

static inline void fx_full(fixture *fx)
{
	fx_add_passed(fx);
	fx_add_failed(fx);
	fx_add_transport(fx);
	fx_add_unreachable(fx);
	fx_add_broken(fx);
	fx_add_setup(fx);
	fx->run->elapsed_ms = 1420;
	strcpy(fx->run->started_at, "2024-05-01T02:00:00Z");
	fx_metrics(fx);
}

static inline int fx_setup(void **state)
{
	fixture *fx = calloc(1, sizeof(*fx));
	tw_error err = {0};
	if (!fx || tw_run_new(&fx->run, NULL, &err) != TW_OK) {
		tw_error_clear(&err);
		free(fx);
		return -1;
	}
	strcpy(fx->run->hostname, "ci-runner-1");
	/* It stands for a run performed: its results are set by hand. */
	fx->run->executed = true;
	*state = fx;
	return 0;
}

static inline int fx_teardown(void **state)
{
	fixture *fx = *state;
	tw_run_free(fx->run);
	for (size_t i = 0; i < fx->script_count; i++) {
		tw_plan_free(fx->plans[i]);
		tw_arena_free(&fx->scripts[i]->arena);
		free(fx->scripts[i]);
	}
	free(fx);
	return 0;
}

#endif
