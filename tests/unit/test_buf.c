/*
 * tw_buf and its takers when memory runs out. realloc (how tw_buf and
 * tw_array_grow get memory) is wrapped here (-Wl,--wrap=realloc in
 * meson.build): while `failing` is set, every realloc the engine makes
 * fails. Small and local on purpose; tests/torture fails every allocation
 * in turn over whole operations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "language/ast.h"
#include "readiness/baseline.h"
#include "techweek/error.h"
#include "techweek/script.h"

void *__real_realloc(void *p, size_t size);
void *__wrap_realloc(void *p, size_t size);

static bool failing; /* the test's own switch */

void *__wrap_realloc(void *p, size_t size)
{
	return failing ? NULL : __real_realloc(p, size);
}

/* Out of memory sticks as a cap does: nothing more is appended once an
 * append failed, though memory came back. */
static void out_of_memory_sticks(void **state)
{
	(void)state;
	tw_buf b;
	tw_buf_init(&b, 1 << 20);
	assert_int_equal(tw_buf_puts(&b, "before "), TW_OK);
	failing = true;
	assert_int_equal(tw_buf_printf(&b, "%0300d", 1), TW_ENOMEM);
	failing = false;
	assert_int_equal(tw_buf_puts(&b, "after"), TW_ENOMEM);
	assert_int_equal(tw_buf_failed(&b), TW_ENOMEM);
	assert_string_equal(tw_buf_str(&b), "before ");
	assert_null(tw_buf_steal(&b));
	tw_buf_free(&b);
}

/* A message builder: the error's rendering is NULL (out of memory), never
 * an empty or cut message. */
static void error_format_fails_whole(void **state)
{
	(void)state;
	tw_error err = {0};
	tw_error_set_at(&err, TW_ESYNTAX, "shop.rehearsal", 3, 5, "  clik \"Margherita\"",
			"unknown step 'clik'");
	failing = true;
	char *text = tw_error_format(&err);
	failing = false;
	assert_null(text);
	text = tw_error_format(&err);
	assert_non_null(strstr(text, "unknown step 'clik'"));
	free(text);
	tw_error_clear(&err);
}

/* What every report writes a change with: its error, and no words. */
static void change_words_fail_whole(void **state)
{
	(void)state;
	tw_change c = {.known = true, .before = 4, .after = 6};
	char words[64] = "untouched";
	failing = true;
	int rc = tw_change_str(words, sizeof(words), TW_FIGURE_STEPS, &c);
	failing = false;
	assert_int_equal(rc, TW_ENOMEM);
	assert_string_equal(words, "");
	assert_int_equal(tw_change_str(words, sizeof(words), TW_FIGURE_STEPS, &c), TW_OK);
	assert_string_equal(words, "4 \xE2\x86\x92 6 (+2)");
}

/* The checker out of memory finds problems, never fewer: the one it
 * could not list still counts. */
static void check_out_of_memory_still_counts(void **state)
{
	(void)state;
	const char *text = "rehearsal \"R\"\nscene \"S\"\n  visit {{nowhere}}/\n";
	tw_script *s = NULL;
	tw_error err = {0};
	assert_int_equal(tw_script_parse(&s, "r.rehearsal", text, strlen(text), &err), TW_OK);
	tw_errors problems = {0};
	failing = true;
	size_t found = tw_script_check(s, NULL, &problems);
	failing = false;
	assert_true(found >= 1);
	assert_int_equal(problems.count, 0);
	assert_int_equal(problems.lost, found);
	tw_errors_clear(&problems);
	tw_script_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(out_of_memory_sticks),
		cmocka_unit_test(error_format_fails_whole),
		cmocka_unit_test(change_words_fail_whole),
		cmocka_unit_test(check_out_of_memory_still_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
