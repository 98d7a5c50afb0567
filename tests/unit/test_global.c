/*
 * tw_global_init/tw_global_cleanup nest as libgit2's init does, and a run
 * made without them still works (tw_run_new's fallback nests in theirs).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "techweek.h"

static void test_nesting(void **state)
{
	(void)state;
	assert_int_equal(tw_global_init(), 1);
	assert_int_equal(tw_global_init(), 2);
	assert_int_equal(tw_global_cleanup(), 1);
	assert_int_equal(tw_global_cleanup(), 0);
	/* One cleanup too many does nothing. */
	assert_int_equal(tw_global_cleanup(), 0);
	assert_int_equal(tw_global_init(), 1);
	assert_int_equal(tw_global_cleanup(), 0);
}

static void test_run_nests_in_init(void **state)
{
	(void)state;
	tw_error err = {0};
	tw_run *run = NULL;
	/* Without tw_global_init: the run sets up and tears down itself. */
	assert_int_equal(tw_run_new(&run, NULL, &err), TW_OK);
	assert_int_equal(tw_global_init(), 2);
	assert_int_equal(tw_global_cleanup(), 1);
	tw_run_free(run);
	assert_int_equal(tw_global_cleanup(), 0);

	/* With it: freeing the run leaves the program's set-up in force. */
	assert_int_equal(tw_global_init(), 1);
	assert_int_equal(tw_run_new(&run, NULL, &err), TW_OK);
	tw_run_free(run);
	assert_int_equal(tw_global_init(), 2);
	assert_int_equal(tw_global_cleanup(), 1);
	assert_int_equal(tw_global_cleanup(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_run_nests_in_init),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
