/*
 * A rehearsal's figures folded performance by performance: here, the
 * re-prompted menu kept in fixed memory (metrics/metrics.h) and the time
 * to outcome on the customer's clock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "metrics/metrics.h"
#include "runner/run.h"

static void menus_are_counted_in_turns(void **state)
{
	(void)state;
	tw_menu_turns menus[TW_MENU_SLOTS] = {0};
	tw_menu_turns_add(menus, "Main menu.", 1);
	tw_menu_turns_add(menus, "Orders menu.", 2);
	tw_menu_turns_add(menus, "Main menu.", 2);
	tw_menu_turns_add(menus, "", 5);     /* no menu named */
	tw_menu_turns_add(menus, NULL, 5);
	tw_menu_turns_add(menus, "Hours.", 0); /* no turn */
	tw_rehearsal_metrics m = {0};
	memcpy(m.menus, menus, sizeof(menus));
	const tw_menu_turns *best = tw_rehearsal_reprompted_menu(&m);
	assert_non_null(best);
	assert_string_equal(best->text, "Main menu.");
	assert_int_equal(best->turns, 3);
	tw_rehearsal_metrics none = {0};
	assert_null(tw_rehearsal_reprompted_menu(&none));
}

static void the_most_re_prompted_menu_stays_when_slots_run_out(void **state)
{
	(void)state;
	tw_rehearsal_metrics m = {0};
	tw_menu_turns_add(m.menus, "Main menu.", 50);
	/* far more menus than slots, once each: the main menu named more
	 * than one turn in TW_MENU_SLOTS, so it stays */
	for (int i = 0; i < 100; i++) {
		char text[32];
		snprintf(text, sizeof(text), "Menu %d.", i);
		tw_menu_turns_add(m.menus, text, 1);
	}
	tw_menu_turns_add(m.menus, "Main menu.", 1);
	const tw_menu_turns *best = tw_rehearsal_reprompted_menu(&m);
	assert_string_equal(best->text, "Main menu.");
	assert_int_equal(best->turns, 51);
}

static void a_performance_folds_its_customer_clock_and_menu(void **state)
{
	(void)state;
	tw_rehearsal_metrics m = {0};
	assert_int_equal(tw_rehearsal_metrics_init(&m, NULL), TW_OK);
	tw_rehearsal_result r = {.status = TW_STATUS_PASSED, .elapsed_ms = 4, .customer_ms = 20000};
	r.phone = (tw_call_totals){.calls = 1, .repeats = 2, .menu = "Press 1.", .menu_turns = 2};
	assert_int_equal(tw_rehearsal_metrics_add(&m, &r), TW_OK);
	/* the time the caller lived, not the 4 ms techweek took */
	assert_true(tw_histogram_max(m.time_to_outcome) > 19000);
	assert_int_equal(m.repeats, 2);
	assert_string_equal(tw_rehearsal_reprompted_menu(&m)->text, "Press 1.");
	tw_rehearsal_metrics other = {0};
	assert_int_equal(tw_rehearsal_metrics_init(&other, NULL), TW_OK);
	tw_menu_turns_add(other.menus, "Press 1.", 3);
	assert_int_equal(tw_rehearsal_metrics_merge(&m, &other), TW_OK);
	assert_int_equal(tw_rehearsal_reprompted_menu(&m)->turns, 5);
	tw_rehearsal_metrics_free(&other);
	tw_rehearsal_metrics_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(menus_are_counted_in_turns),
		cmocka_unit_test(the_most_re_prompted_menu_stays_when_slots_run_out),
		cmocka_unit_test(a_performance_folds_its_customer_clock_and_menu),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
