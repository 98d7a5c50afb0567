/*
 * Issue 13, FLOW: a conditional scene as the runner decides it and the
 * figures count it. tw_flow_why_not says why a `when` leaves a scene out
 * (never the value: it may be a secret); the plan carries the condition
 * as written; a performance that left a scene out counts it in not_run,
 * not in skipped (scenes an earlier failure left unreached), and none of
 * its steps as performed, so no touchpoint, latency or budget sees them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "language/ast.h"
#include "metrics/metrics.h"
#include "runner/flow.h"
#include "runner/plan.h"
#include "runner/run.h"

static void why(const char *name, bool when_not, const char *value, const char *want)
{
	bool oom = true;
	char *got = tw_flow_why_not(name, when_not, value, &oom);
	assert_false(oom);
	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_why_not(void **state)
{
	(void)state;
	why("card", false, "4111", NULL);
	why("card", false, NULL, "card is not set");
	why("card", false, "", "card is empty");
	why("card", true, "4111", "card is set"); /* not the value */
	why("card", true, NULL, NULL);
	why("card", true, "", NULL);
	why("card", false, " ", NULL); /* a blank is a value */
}

static tw_script *parse(const char *text)
{
	tw_script *s = NULL;
	tw_error err = {0};
	assert_int_equal(tw_script_parse(&s, "flow.rehearsal", text, strlen(text), &err), TW_OK);
	return s;
}

static void test_plan_and_figures(void **state)
{
	(void)state;
	tw_script *s = parse("scene \"Toss\" repeat 2\n"
			     "  get https://x.test/toss\n"
			     "scene \"Pay\" when {{heads}}\n"
			     "  get https://x.test/pay\n"
			     "  expect status 200\n"
			     "backstage \"Tails\" when not {{heads}}\n"
			     "  get https://x.test/tails\n");
	tw_plan *plan = NULL;
	assert_int_equal(tw_plan_of_script(&plan, s), TW_OK);
	assert_int_equal(plan->scene_count, 4);
	assert_string_equal(plan->scenes[0].name, "Toss (1 of 2)");
	assert_string_equal(plan->scenes[1].name, "Toss (2 of 2)");
	assert_null(plan->scenes[1].when);
	assert_string_equal(plan->scenes[2].when, "{{heads}}");
	assert_string_equal(plan->scenes[3].when, "not {{heads}}");
	/* each pass its own touchpoints, at the scene's line */
	assert_ptr_not_equal(plan->scenes[0].touchpoints[0].ast, plan->scenes[1].touchpoints[0].ast);
	assert_int_equal(plan->scenes[1].touchpoints[0].line, 2);

	tw_rehearsal_metrics m = {0};
	assert_int_equal(tw_rehearsal_metrics_init(&m, plan), TW_OK);
	/* Two performances: heads pays, tails goes backstage. */
	for (int heads = 0; heads < 2; heads++) {
		tw_rehearsal_result r = {.plan = plan, .status = TW_STATUS_PASSED};
		r.scene_count = plan->scene_count;
		r.scenes = calloc(r.scene_count, sizeof(*r.scenes));
		assert_non_null(r.scenes);
		for (size_t i = 0; i < r.scene_count; i++) {
			tw_scene_result *sr = &r.scenes[i];
			sr->scene = &plan->scenes[i];
			bool ran = i < 2 || (i == 2) == (heads == 1);
			sr->status = ran ? TW_STATUS_PASSED : TW_STATUS_SKIPPED;
			if (!ran)
				sr->not_run = strdup(heads ? "heads is set" : "heads is empty");
			sr->steps = calloc(sr->scene->touchpoint_count, sizeof(*sr->steps));
			assert_non_null(sr->steps);
			for (size_t j = 0; j < sr->scene->touchpoint_count; j++) {
				sr->steps[j].step = &sr->scene->touchpoints[j];
				sr->steps[j].status = sr->status;
				sr->steps[j].elapsed_ms = ran ? 1 : 0;
			}
		}
		assert_int_equal(tw_rehearsal_metrics_add(&m, &r), TW_OK);
		tw_rehearsal_result_free(&r);
	}
	assert_int_equal(m.performances, 2);
	assert_int_equal(m.achieved, 2);
	assert_int_equal(m.scenes[2].passed, 1);
	assert_int_equal(m.scenes[2].not_run, 1);
	assert_int_equal(m.scenes[2].skipped, 0);
	assert_int_equal(m.scenes[2].failed, 0);
	assert_int_equal(m.scenes[2].steps[0].count, 1);
	assert_int_equal(tw_histogram_count(m.scenes[2].steps[0].latency), 1);
	assert_int_equal(m.scenes[3].not_run, 1);
	assert_int_equal(m.scenes[3].steps[0].count, 1);
	/* merged figures keep it apart too */
	tw_rehearsal_metrics other = {0};
	assert_int_equal(tw_rehearsal_metrics_init(&other, plan), TW_OK);
	assert_int_equal(tw_rehearsal_metrics_merge(&other, &m), TW_OK);
	assert_int_equal(other.scenes[2].not_run, 1);
	assert_int_equal(other.scenes[2].skipped, 0);
	tw_rehearsal_metrics_free(&other);
	tw_rehearsal_metrics_free(&m);
	tw_plan_free(plan);
	tw_script_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_why_not),
		cmocka_unit_test(test_plan_and_figures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
