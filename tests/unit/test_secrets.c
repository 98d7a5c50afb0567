/*
 * A secret the run cannot register for want of memory is out of memory,
 * not a variable that is not set: tw_redact_add is wrapped here
 * (-Wl,--wrap=tw_redact_add in meson.build, in the engine's own objects
 * linked from its static library) to fail while `failing` is set. The
 * run stops before any request, so no server is needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/redact.h"
#include "techweek.h"

int __real_tw_redact_add(tw_redact *r, const char *secret);
int __wrap_tw_redact_add(tw_redact *r, const char *secret);

static bool failing; /* the test's own switch */

int __wrap_tw_redact_add(tw_redact *r, const char *secret)
{
	return failing ? TW_ENOMEM : __real_tw_redact_add(r, secret);
}

static void secret_out_of_memory_is_not_missing(void **state)
{
	(void)state;
	assert_int_equal(setenv("TW_TEST_SECRET", "s3cret-value", 1), 0);
	static const char text[] = "rehearsal \"R\"\n"
				   "scene \"s\"\n"
				   "  visit http://127.0.0.1:9/{{secret TW_TEST_SECRET}}\n";
	tw_error err = {0};
	tw_script *script = NULL;
	assert_int_equal(tw_script_parse(&script, "r.rehearsal", text, strlen(text), &err), TW_OK);
	tw_run *run = NULL;
	assert_int_equal(tw_run_new(&run, NULL, &err), TW_OK);
	assert_int_equal(tw_run_add_script(run, script, &err), TW_OK);
	failing = true;
	int rc = tw_run_execute(run, &err);
	failing = false;
	assert_int_equal(rc, TW_ENOMEM);
	assert_int_equal(err.code, TW_ENOMEM);
	tw_error_clear(&err);
	tw_rehearsal_figures f = TW_REHEARSAL_FIGURES_INIT;
	if (tw_run_rehearsal_byindex(&f, run, 0, &err) != TW_OK)
		fail_msg("%s", err.message);
	assert_int_not_equal(f.status, TW_STATUS_BROKEN);
	if (f.problem && f.problem->message)
		assert_null(strstr(f.problem->message, "is not set"));
	assert_int_equal(tw_run_verdict(run), TW_VERDICT_UNREACHABLE);
	tw_run_free(run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(secret_out_of_memory_is_not_missing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
