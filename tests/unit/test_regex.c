/*
 * tw_regex: the flags, the error messages a script author sees, what gets
 * captured, and the two ways hostile text could hurt us (catastrophic
 * backtracking, invalid UTF-8) ending as reported errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "expectations/regex.h"

/* Compiles pattern/flags, matches subject (len bytes), returns the match
 * result code; *cap gets the capture (or NULL). */
static int try_match(const char *pattern, const char *flags, const char *subject, size_t len,
		     bool *matched, char **cap, tw_error *err)
{
	tw_regex *re = NULL;
	assert_int_equal(tw_regex_compile(&re, pattern, flags, err), TW_OK);
	int rc = tw_regex_match(re, subject, len, matched, cap, err);
	tw_regex_free(re);
	return rc;
}

static bool matches(const char *pattern, const char *flags, const char *subject)
{
	bool m = false;
	tw_error err = {0};
	assert_int_equal(try_match(pattern, flags, subject, strlen(subject), &m, NULL, &err), TW_OK);
	tw_error_clear(&err);
	return m;
}

static void test_plain_match(void **state)
{
	(void)state;
	assert_true(matches("Order #\\d+ confirmed", "", "Your Order #1001 confirmed!"));
	assert_false(matches("Order #\\d+ confirmed", "", "Your order #1001 confirmed!"));
	assert_true(matches("", "", ""));
	assert_true(matches("^$", NULL, ""));
}

static void test_flags(void **state)
{
	(void)state;
	assert_true(matches("press 1 .* order", "i", "PRESS 1 to hear about your ORDER"));
	assert_false(matches("press 1 .* order", "", "PRESS 1 to hear about your ORDER"));

	assert_false(matches("^second$", "", "first\nsecond\nthird"));
	assert_true(matches("^second$", "m", "first\nsecond\nthird"));

	assert_false(matches("a.b", "", "a\nb"));
	assert_true(matches("a.b", "s", "a\nb"));

	assert_false(matches("a b c", "", "abc"));
	assert_true(matches("a b c  # comment", "x", "abc"));

	assert_true(matches("^SECOND.THIRD$", "ims", "first\nsecond\nthird"));
}

static void test_utf_mode(void **state)
{
	(void)state;
	/* One character, two bytes: UTF mode makes . see characters. */
	assert_true(matches("^caf.$", "", "caf\xc3\xa9"));
	assert_true(matches("^\\w+$", "", "\xc3\xa9t\xc3\xa9"));
	assert_true(matches("CAF\xc3\x89", "i", "caf\xc3\xa9"));
}

static void test_bad_flag(void **state)
{
	(void)state;
	tw_regex *re = NULL;
	tw_error err = {0};
	assert_int_equal(tw_regex_compile(&re, "a", "ig", &err), TW_ESYNTAX);
	assert_null(re);
	assert_string_equal(err.message, "unknown regex flag 'g': expected any of i, m, s, x");
	tw_error_clear(&err);
}

static void test_bad_pattern(void **state)
{
	(void)state;
	tw_regex *re = NULL;
	tw_error err = {0};
	assert_int_equal(tw_regex_compile(&re, "order (\\d+", "", &err), TW_ESYNTAX);
	assert_null(re);
	assert_string_equal(err.message, "missing closing parenthesis at offset 10");
	tw_error_clear(&err);

	assert_int_equal(tw_regex_compile(&re, "a{2,1}", "", &err), TW_ESYNTAX);
	assert_non_null(strstr(err.message, "at offset 5"));
	tw_error_clear(&err);

	/* The pattern itself must be UTF-8 too. */
	assert_int_equal(tw_regex_compile(&re, "caf\xe9", "", &err), TW_ESYNTAX);
	assert_non_null(strstr(err.message, "UTF-8 error"));
	assert_non_null(strstr(err.message, "at offset 3"));
	tw_error_clear(&err);
}

static void test_capture_group_one(void **state)
{
	(void)state;
	bool m = false;
	char *cap = NULL;
	tw_error err = {0};
	const char *s = "Order #1001 confirmed (table 7)";
	assert_int_equal(try_match("Order #(\\d+) confirmed \\(table (\\d+)\\)", "", s, strlen(s),
				   &m, &cap, &err),
			 TW_OK);
	assert_true(m);
	assert_string_equal(cap, "1001");
	free(cap);
}

static void test_capture_whole_match(void **state)
{
	(void)state;
	bool m = false;
	char *cap = NULL;
	tw_error err = {0};
	const char *s = "Order #1001 confirmed";
	assert_int_equal(try_match("#\\d+", "", s, strlen(s), &m, &cap, &err), TW_OK);
	assert_true(m);
	assert_string_equal(cap, "#1001");
	free(cap);

	/* A non-capturing group is no group. */
	assert_int_equal(try_match("(?:#)\\d+", "", s, strlen(s), &m, &cap, &err), TW_OK);
	assert_string_equal(cap, "#1001");
	free(cap);
}

static void test_capture_unset_group(void **state)
{
	(void)state;
	bool m = false;
	char *cap = NULL;
	tw_error err = {0};
	assert_int_equal(try_match("(x)?done", "", "all done", 8, &m, &cap, &err), TW_OK);
	assert_true(m);
	assert_string_equal(cap, "");
	free(cap);
}

static void test_capture_with_reset(void **state)
{
	(void)state;
	bool m = false;
	char *cap = NULL;
	tw_error err = {0};
	assert_int_equal(try_match("id=\\K\\d+", "", "id=42;", 6, &m, &cap, &err), TW_OK);
	assert_true(m);
	assert_string_equal(cap, "42");
	free(cap);
}

static void test_no_match_no_capture(void **state)
{
	(void)state;
	bool m = true;
	char *cap = (char *)"sentinel";
	tw_error err = {0};
	assert_int_equal(try_match("(\\d+)", "", "none here", 9, &m, &cap, &err), TW_OK);
	assert_false(m);
	assert_null(cap);
	assert_int_equal(err.code, TW_OK);
}

static void test_nul_in_subject(void **state)
{
	(void)state;
	const char s[] = "head\0middle\0tail";
	bool m = false;
	char *cap = NULL;
	tw_error err = {0};
	assert_int_equal(try_match("middle\\x00(t\\w+)$", "", s, sizeof(s) - 1, &m, &cap, &err),
			 TW_OK);
	assert_true(m);
	assert_string_equal(cap, "tail");
	free(cap);
	/* The length is what counts, not the first NUL. */
	assert_int_equal(try_match("tail", "", s, 4, &m, NULL, &err), TW_OK);
	assert_false(m);
}

static void test_null_subject(void **state)
{
	(void)state;
	bool m = false;
	tw_error err = {0};
	assert_int_equal(try_match("^$", "", NULL, 0, &m, NULL, &err), TW_OK);
	assert_true(m);
}

static void test_invalid_utf8_subject(void **state)
{
	(void)state;
	bool m = true;
	char *cap = NULL;
	tw_error err = {0};
	const char s[] = "caf\xe9 au lait";
	assert_int_equal(try_match("lait", "", s, sizeof(s) - 1, &m, &cap, &err), TW_EUSAGE);
	assert_false(m);
	assert_null(cap);
	assert_non_null(strstr(err.message, "not valid UTF-8 at byte 3"));
	tw_error_clear(&err);

	/* A truncated sequence at the very end. */
	const char t[] = "ok \xe2\x82";
	assert_int_equal(try_match("ok", "", t, sizeof(t) - 1, &m, NULL, &err), TW_EUSAGE);
	assert_non_null(strstr(err.message, "at byte 3"));
	tw_error_clear(&err);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void test_catastrophic_backtracking(void **state)
{
	(void)state;
	const char *s = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!";
	bool m = true;
	char *cap = NULL;
	tw_error err = {0};
	double t0 = now_ms();
	int rc = try_match("(a+)+$", "", s, strlen(s), &m, &cap, &err);
	double took = now_ms() - t0;
	assert_int_equal(rc, TW_ELIMIT);
	assert_false(m);
	assert_null(cap);
	assert_non_null(strstr(err.message, "limit"));
	assert_non_null(strstr(err.message, "backtracks"));
	/* Generous for valgrind and sanitizers; unbounded it runs for hours. */
	assert_true(took < 30000);
	tw_error_clear(&err);
}

static void test_deep_nesting_hits_a_limit(void **state)
{
	(void)state;
	/* A group repeated once per byte nests a backtracking frame per byte. */
	size_t n = 4u << 20;
	char *s = malloc(n);
	assert_non_null(s);
	for (size_t i = 0; i < n; i += 2)
		memcpy(s + i, "ab", 2);
	bool m = true;
	tw_error err = {0};
	int rc = try_match("^(?:(a)|b)*$", "", s, n, &m, NULL, &err);
	assert_int_equal(rc, TW_ELIMIT);
	assert_false(m);
	tw_error_clear(&err);
	free(s);
}

static void test_reuse_compiled(void **state)
{
	(void)state;
	tw_regex *re = NULL;
	tw_error err = {0};
	assert_int_equal(tw_regex_compile(&re, "(\\d+)", "", &err), TW_OK);
	const char *subjects[] = {"a1", "b22", "c333"};
	const char *want[] = {"1", "22", "333"};
	for (int i = 0; i < 3; i++) {
		bool m = false;
		char *cap = NULL;
		assert_int_equal(tw_regex_match(re, subjects[i], strlen(subjects[i]), &m, &cap, &err),
				 TW_OK);
		assert_true(m);
		assert_string_equal(cap, want[i]);
		free(cap);
	}
	tw_regex_free(re);
	tw_regex_free(NULL);
}

/* issue 14, MATCH: where a match is, from a byte on, and its groups */
static void test_find_from_with_groups(void **state)
{
	(void)state;
	tw_regex *re = NULL;
	tw_error err = {0};
	assert_int_equal(tw_regex_compile(&re, "press (\\d) (to (\\w+))?", "i", &err), TW_OK);
	assert_int_equal(tw_regex_groups(re), 3);
	const char *s = "Press 1 for sales. Press 2 to continue.";
	size_t ov[8];
	bool m = false;
	assert_int_equal(tw_regex_find(re, s, strlen(s), 0, &m, ov, 4, &err), TW_OK);
	assert_true(m);
	assert_int_equal(ov[0], 0);
	assert_int_equal(ov[2], 6);
	assert_int_equal(ov[3], 7);
	assert_int_equal(ov[4], SIZE_MAX); /* (to ...) took no part */
	/* From past the first match: the second. */
	assert_int_equal(tw_regex_find(re, s, strlen(s), ov[1], &m, ov, 4, &err), TW_OK);
	assert_true(m);
	assert_int_equal(ov[2], (size_t)(strstr(s, "2 to") - s));
	assert_int_equal(ov[7] - ov[6], strlen("continue"));
	assert_int_equal(tw_regex_find(re, s, strlen(s), strlen(s), &m, ov, 4, &err), TW_OK);
	assert_false(m);
	tw_regex_free(re);
	tw_error_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_match),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_utf_mode),
		cmocka_unit_test(test_bad_flag),
		cmocka_unit_test(test_bad_pattern),
		cmocka_unit_test(test_capture_group_one),
		cmocka_unit_test(test_capture_whole_match),
		cmocka_unit_test(test_capture_unset_group),
		cmocka_unit_test(test_capture_with_reset),
		cmocka_unit_test(test_no_match_no_capture),
		cmocka_unit_test(test_nul_in_subject),
		cmocka_unit_test(test_null_subject),
		cmocka_unit_test(test_invalid_utf8_subject),
		cmocka_unit_test(test_catastrophic_backtracking),
		cmocka_unit_test(test_deep_nesting_hits_a_limit),
		cmocka_unit_test(test_reuse_compiled),
		cmocka_unit_test(test_find_from_with_groups), /* issue 14 */
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
