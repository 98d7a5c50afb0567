/*
 * issue 15, LIFE: what a runner slot keeps from one performance to the
 * next. A result laid out again (tw_rehearsal_result_reuse) reads as a
 * fresh one for whichever plan comes next, whatever the last performance
 * wrote into it, and keeps its memory; a result laid out elsewhere (read
 * from JSON, or the shown one handed back) is reused too; and a variable
 * set emptied for the next customer (tw_vars_reuse) holds none of the
 * last one's captures or secrets. Run under valgrind: nothing leaks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/vars_internal.h"
#include "language/ast.h"
#include "runner/plan.h"
#include "runner/result.h"

static tw_script *parse(const char *text)
{
	tw_script *s = NULL;
	tw_error err = {0};
	assert_int_equal(tw_script_parse(&s, "reuse.rehearsal", text, strlen(text), &err), TW_OK);
	return s;
}

static tw_plan *plan_of(tw_script *s)
{
	tw_plan *plan = NULL;
	assert_int_equal(tw_plan_of_script(&plan, s), TW_OK);
	return plan;
}

/* What a performance writes: every kind of owned string, hops past the
 * cap, a transcript and a `when`'s reason, the figures. */
static void scribble(tw_rehearsal_result *r)
{
	r->status = TW_STATUS_FAILED;
	r->elapsed_ms = r->customer_ms = 12;
	r->frontstage_steps = 3;
	r->interrupted = true;
	r->data_file = strdup("rows.csv");
	r->data_row = 7;
	r->seq = 42;
	tw_error_set(&r->problem, TW_ECHECK, "a problem");
	for (size_t i = 0; i < r->scene_count; i++) {
		tw_scene_result *sc = &r->scenes[i];
		sc->status = TW_STATUS_FAILED;
		sc->elapsed_ms = 5;
		sc->transcript = strdup("  0.0s  IVR says hello");
		sc->not_run = strdup("card is empty");
		for (size_t j = 0; j < sc->scene->touchpoint_count; j++) {
			tw_step_result *st = &sc->steps[j];
			st->status = TW_STATUS_FAILED;
			st->message = strdup("cookie=secret-of-the-last-customer");
			st->expected = strdup("e");
			st->actual = strdup("a");
			st->method = strdup("GET");
			st->url = strdup("http://127.0.0.1/");
			st->note = strdup("n");
			st->http_status = 500;
			st->requested = st->transport = st->service = true;
			st->retries = st->polls = st->requests = 2;
			st->elapsed_ms = st->customer_ms = st->bytes_in = 9;
			for (int h = 0; h < TW_STEP_HOPS_MAX + 3; h++)
				assert_int_equal(tw_step_result_add_hop(st, "GET", strdup("http://h/"), 302),
						 TW_OK);
		}
	}
}

/* r reads as a fresh result of plan: nothing of the last performance. */
static void fresh(const tw_rehearsal_result *r, const tw_plan *plan)
{
	assert_ptr_equal(r->plan, plan);
	assert_int_equal(r->status, TW_STATUS_PASSED); /* 0, as a zeroed result */
	assert_false(r->interrupted);
	assert_null(r->path);
	assert_null(r->name);
	assert_null(r->data_file);
	assert_int_equal(r->data_row, 0);
	assert_int_equal(r->seq, 0);
	assert_int_equal(r->problem.code, TW_OK);
	assert_true(r->elapsed_ms == 0 && r->customer_ms == 0 && r->frontstage_steps == 0);
	assert_int_equal(r->scene_count, plan->scene_count);
	for (size_t i = 0; i < r->scene_count; i++) {
		const tw_scene_result *sc = &r->scenes[i];
		assert_ptr_equal(sc->scene, &plan->scenes[i]);
		assert_int_equal(sc->status, TW_STATUS_SKIPPED);
		assert_null(sc->transcript);
		assert_null(sc->not_run);
		assert_non_null(sc->steps);
		assert_int_equal(tw_scene_result_steps(sc), plan->scenes[i].touchpoint_count);
		for (size_t j = 0; j < sc->scene->touchpoint_count; j++) {
			const tw_step_result *st = &sc->steps[j];
			assert_ptr_equal(st->step, &plan->scenes[i].touchpoints[j]);
			assert_int_equal(st->status, TW_STATUS_SKIPPED);
			assert_null(st->message);
			assert_null(st->expected);
			assert_null(st->actual);
			assert_null(st->method);
			assert_null(st->url);
			assert_null(st->note);
			assert_int_equal(st->hop_count, 0);
			assert_int_equal(st->hops_left_out, 0);
			assert_int_equal(st->http_status, 0);
			assert_false(st->requested || st->transport || st->service);
			assert_true(st->retries == 0 && st->polls == 0 && st->requests == 0);
			assert_true(st->elapsed_ms == 0 && st->customer_ms == 0 && st->bytes_in == 0);
			assert_int_equal(tw_step_result_hop_count(st), 0);
		}
	}
}

static void test_result_reused_across_plans(void **state)
{
	(void)state;
	tw_script *sa = parse("scene \"One\"\n"
			      "  get https://x.test/a\n"
			      "  expect status 200\n"
			      "scene \"Two\"\n"
			      "  get https://x.test/b\n");
	tw_script *sb = parse("scene \"Only\"\n"
			      "  get https://x.test/c\n"
			      "  expect status 200\n"
			      "  get https://x.test/d\n"
			      "  expect status 200\n"
			      "  get https://x.test/e\n");
	tw_plan *a = plan_of(sa), *b = plan_of(sb);

	tw_rehearsal_result r = {0};
	assert_int_equal(tw_rehearsal_result_reuse(&r, a), TW_OK);
	fresh(&r, a);
	strcpy(r.started_at, "2026-12-02T19:00:00Z");
	r.started_s = 1;
	scribble(&r);
	tw_step_hop *hops = r.scenes[0].steps[0].hops;
	tw_step_result *pool = r.step_pool;

	/* The same plan again: the same memory, hops arrays kept. */
	assert_int_equal(tw_rehearsal_result_reuse(&r, a), TW_OK);
	fresh(&r, a);
	assert_ptr_equal(r.step_pool, pool);
	assert_ptr_equal(r.scenes[0].steps[0].hops, hops);
	/* the started second's text is kept for the next start to compare */
	assert_string_equal(r.started_at, "2026-12-02T19:00:00Z");
	assert_int_equal(r.started_s, 1);

	/* Another plan, more steps in one scene, then back. */
	scribble(&r);
	assert_int_equal(tw_rehearsal_result_reuse(&r, b), TW_OK);
	fresh(&r, b);
	scribble(&r);
	assert_int_equal(tw_rehearsal_result_reuse(&r, a), TW_OK);
	fresh(&r, a);
	scribble(&r);
	tw_rehearsal_result_free(&r);
	assert_null(r.scenes);
	assert_null(r.step_pool);

	tw_plan_free(a);
	tw_plan_free(b);
	tw_script_free(sa);
	tw_script_free(sb);
}

/* A result laid out as json_read.c and the tests do (each scene its own
 * steps array), as the shown result handed back to a slot may be. */
static void test_result_laid_out_elsewhere(void **state)
{
	(void)state;
	tw_script *s = parse("scene \"One\"\n"
			     "  get https://x.test/a\n"
			     "  expect status 200\n");
	tw_plan *plan = plan_of(s);
	tw_rehearsal_result r = {.plan = plan};
	r.scenes = calloc(plan->scene_count, sizeof(*r.scenes));
	assert_non_null(r.scenes);
	r.scene_count = plan->scene_count;
	for (size_t i = 0; i < r.scene_count; i++) {
		r.scenes[i].scene = &plan->scenes[i];
		r.scenes[i].steps = calloc(plan->scenes[i].touchpoint_count, sizeof(tw_step_result));
		assert_non_null(r.scenes[i].steps);
	}
	r.path = strdup("a.rehearsal");
	r.name = strdup("A");
	scribble(&r);
	assert_int_equal(tw_rehearsal_result_reuse(&r, plan), TW_OK);
	fresh(&r, plan);
	assert_non_null(r.step_pool);
	tw_rehearsal_result_free(&r);
	tw_plan_free(plan);
	tw_script_free(s);
}

static void test_vars_reused(void **state)
{
	(void)state;
	tw_vars *cast = tw_vars_new(), *other = tw_vars_new();
	assert_non_null(cast);
	assert_non_null(other);
	assert_int_equal(tw_vars_set(cast, "stage", "http://127.0.0.1:1", false), TW_OK);
	assert_int_equal(tw_vars_set(other, "stage", "http://127.0.0.1:2", false), TW_OK);
	tw_vars *v = tw_vars_new_over(cast);
	assert_non_null(v);
	assert_int_equal(tw_vars_set(v, "token", "111", false), TW_OK);
	assert_int_equal(tw_vars_set(v, "password", "hunter2", true), TW_OK);
	assert_int_equal(tw_vars_set(v, "stage", "shadowed", false), TW_OK);

	assert_ptr_equal(tw_vars_reuse(v, other), v);
	assert_int_equal(tw_vars_count(v), 0);
	assert_null(tw_vars_get(v, "token", NULL));
	assert_null(tw_vars_get(v, "password", NULL));
	assert_string_equal(tw_vars_get(v, "stage", NULL), "http://127.0.0.1:2");
	/* captures again, as the next customer makes them */
	assert_int_equal(tw_vars_set(v, "token", "222", false), TW_OK);
	assert_string_equal(tw_vars_get(v, "token", NULL), "222");
	assert_int_equal(tw_vars_count(v), 1);
	assert_ptr_equal(tw_vars_reuse(v, NULL), v);
	assert_null(tw_vars_get(v, "stage", NULL));
	assert_null(tw_vars_reuse(NULL, cast));
	tw_vars_free(v);
	tw_vars_free(cast);
	tw_vars_free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_reused_across_plans),
		cmocka_unit_test(test_result_laid_out_elsewhere),
		cmocka_unit_test(test_vars_reused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
