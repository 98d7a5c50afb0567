/*
 * The ECMAScript sandbox (channels/ivr/script.c): values and types, one
 * global environment across runs, VoiceXML-style scope objects, and the
 * IVR's faults that must never become techweek's: a syntax error, a
 * runtime error with its line, an endless loop (killed past the time
 * limit), a memory bomb (refused past the heap cap), a crash.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "channels/ivr/script.h"

static tw_js *fresh(double time_s, size_t heap)
{
	tw_js_limits l = {time_s, heap};
	tw_js *js = tw_js_new(&l);
	assert_non_null(js);
	return js;
}

static void values(void **state)
{
	(void)state;
	tw_js *js = fresh(0, 0);
	tw_error err = {0};
	tw_js_value v;
	assert_false(tw_js_started(js));
	assert_int_equal(tw_js_run(js, "1 + 2", NULL, "t", 1, &v, &err), TW_OK);
	assert_true(tw_js_started(js));
	assert_int_equal(v.type, TW_JS_NUMBER);
	assert_string_equal(v.text, "3");
	assert_true(v.truthy);
	tw_js_value_free(&v);
	assert_int_equal(tw_js_run(js, "'a' + $tw_arg", "b'\"c", "t", 1, &v, &err), TW_OK);
	assert_int_equal(v.type, TW_JS_STRING);
	assert_string_equal(v.text, "ab'\"c");
	tw_js_value_free(&v);
	assert_int_equal(tw_js_run(js, "$tw_arg", NULL, "t", 1, &v, &err), TW_OK);
	assert_int_equal(v.type, TW_JS_UNDEFINED);
	assert_null(v.text);
	assert_false(v.truthy);
	assert_int_equal(tw_js_run(js, "0", NULL, "t", 1, &v, &err), TW_OK);
	assert_false(v.truthy);
	tw_js_value_free(&v);
	assert_int_equal(tw_js_run(js, "null", NULL, "t", 1, &v, &err), TW_OK);
	assert_int_equal(v.type, TW_JS_NULL);
	tw_js_value_free(&v);
	assert_int_equal(tw_js_run(js, "({a:1})", NULL, "t", 1, &v, &err), TW_OK);
	assert_int_equal(v.type, TW_JS_OBJECT);
	tw_js_value_free(&v);
	assert_int_equal(tw_js_run(js, "1 < 2", NULL, "t", 1, &v, &err), TW_OK);
	assert_int_equal(v.type, TW_JS_BOOLEAN);
	assert_string_equal(v.text, "true");
	tw_js_value_free(&v);
	tw_js_free(js);
}

/* What a script declares stays for the next run; scope objects searched
 * with `with` find the innermost declaration first. */
static void scope_chain(void **state)
{
	(void)state;
	tw_js *js = fresh(0, 0);
	tw_error err = {0};
	tw_js_value v;
	assert_int_equal(tw_js_run(js, "var application = {x: 'app'}; var dialog = {}; var x = 'doc';"
				   " function twice(n) { return n * 2; }", NULL, "t", 1, NULL, &err),
			 TW_OK);
	assert_int_equal(tw_js_run(js, "with (application) { with (dialog) { eval($tw_arg) } }", "x",
				   "t", 1, &v, &err),
			 TW_OK);
	assert_string_equal(v.text, "app");
	tw_js_value_free(&v);
	assert_int_equal(tw_js_run(js, "dialog.x = 'dlg'; with (application) { with (dialog) { eval($tw_arg) } }",
				   "x + twice(2)", "t", 1, &v, &err),
			 TW_OK);
	assert_string_equal(v.text, "dlg4");
	tw_js_value_free(&v);
	tw_js_free(js);
}

static void syntax_error(void **state)
{
	(void)state;
	tw_js *js = fresh(0, 0);
	tw_error err = {0};
	assert_int_equal(tw_js_run(js, "var = ;", NULL, "http://x/a.vxml", 7, NULL, &err), TW_ESERVICE);
	assert_non_null(strstr(err.message, "SyntaxError"));
	assert_non_null(strstr(err.message, ":7:"));
	tw_error_clear(&err);
	/* the sandbox lives on after the IVR's error */
	tw_js_value v;
	assert_int_equal(tw_js_run(js, "'still here'", NULL, "t", 1, &v, &err), TW_OK);
	tw_js_value_free(&v);
	tw_js_free(js);
}

static void runtime_error(void **state)
{
	(void)state;
	tw_js *js = fresh(0, 0);
	tw_error err = {0};
	assert_int_equal(tw_js_run(js, "var a = 1;\nnosuch.thing;", NULL, "http://x/a.vxml", 10, NULL, &err),
			 TW_ESERVICE);
	assert_non_null(strstr(err.message, "ReferenceError"));
	assert_non_null(strstr(err.message, "(line 11)"));
	tw_error_clear(&err);
	tw_js_free(js);
}

static void endless_loop(void **state)
{
	(void)state;
	tw_js *js = fresh(0.2, 0);
	tw_error err = {0};
	assert_int_equal(tw_js_run(js, "for (;;) {}", NULL, "t", 1, NULL, &err), TW_ESERVICE);
	assert_non_null(strstr(err.message, "ran past 0.2 s (an endless loop?)"));
	tw_error_clear(&err);
	/* the child is gone: every later run says why */
	assert_int_equal(tw_js_run(js, "1", NULL, "t", 1, NULL, &err), TW_ESERVICE);
	assert_non_null(strstr(err.message, "ran past"));
	tw_error_clear(&err);
	tw_js_free(js);
}

/* The limit is the call's total: many short runs spend it too. */
static void time_is_per_call(void **state)
{
	(void)state;
	tw_js *js = fresh(0.3, 0);
	tw_error err = {0};
	int rc = TW_OK;
	for (int i = 0; i < 100 && rc == TW_OK; i++)
		rc = tw_js_run(js, "var t = Date.now(); while (Date.now() - t < 20) {}", NULL, "t", 1, NULL, &err);
	assert_int_equal(rc, TW_ESERVICE);
	assert_non_null(strstr(err.message, "ran past"));
	tw_error_clear(&err);
	tw_js_free(js);
}

static void memory_bomb(void **state)
{
	(void)state;
	tw_js *js = fresh(5, 8u * 1024 * 1024);
	tw_error err = {0};
	assert_int_equal(tw_js_run(js, "var a = []; for (;;) a.push('xxxxxxxxxxxxxxxx' + a.length);",
				   NULL, "t", 1, NULL, &err),
			 TW_ESERVICE);
	assert_non_null(strstr(err.message, "more than 8 MiB"));
	tw_error_clear(&err);
	tw_js_free(js);
}

/* Runaway recursion is the script's error, not a crash of the sandbox. */
static void recursion(void **state)
{
	(void)state;
	tw_js *js = fresh(0, 0);
	tw_error err = {0};
	assert_int_equal(tw_js_run(js, "function f(n) { return f(n + 1) + 1; } f(0)", NULL, "t", 1, NULL, &err),
			 TW_ESERVICE);
	assert_non_null(strstr(err.message, "stack overflow"));
	tw_error_clear(&err);
	assert_int_equal(tw_js_run(js, "1", NULL, "t", 1, NULL, &err), TW_OK);
	tw_js_free(js);
}

/* A child that dies (as a crash would) is the IVR's fault, every run
 * after says so, and freeing reaps what is left. */
static void crash(void **state)
{
	(void)state;
	tw_js *js = fresh(0, 0);
	tw_error err = {0};
	assert_int_equal(tw_js_run(js, "1", NULL, "t", 1, NULL, &err), TW_OK);
	assert_true(tw_js_pid(js) > 0);
	kill(tw_js_pid(js), SIGSEGV);
	assert_int_equal(tw_js_run(js, "1", NULL, "t", 1, NULL, &err), TW_ESERVICE);
	assert_non_null(strstr(err.message, "the ECMAScript sandbox ended (the IVR's script crashed it)"));
	tw_error_clear(&err);
	assert_int_equal(tw_js_pid(js), -1);
	assert_int_equal(tw_js_run(js, "1", NULL, "t", 1, NULL, &err), TW_ESERVICE);
	tw_error_clear(&err);
	tw_js_free(js);
}

/* The cost of a call's sandbox: fork and the first evaluation. Printed,
 * not asserted (no timing asserts). */
static void cost(void **state)
{
	(void)state;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < 20; i++) {
		tw_js *js = fresh(0, 0);
		tw_error err = {0};
		assert_int_equal(tw_js_run(js, "1", NULL, "t", 1, NULL, &err), TW_OK);
		tw_js_free(js);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ms = ((double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6) / 20;
	printf("# sandbox fork + first evaluation + reap: %.2f ms\n", ms);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(values),       cmocka_unit_test(scope_chain),
		cmocka_unit_test(syntax_error), cmocka_unit_test(runtime_error),
		cmocka_unit_test(endless_loop), cmocka_unit_test(time_is_per_call),
		cmocka_unit_test(memory_bomb),  cmocka_unit_test(recursion),
		cmocka_unit_test(crash),
		cmocka_unit_test(cost),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
