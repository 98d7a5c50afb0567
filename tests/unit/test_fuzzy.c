/*
 * Fuzzy prompt matching (issue 14, MATCH): normalisation and the
 * approximate substring match `hear ... fuzzy` relies on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "expectations/fuzzy.h"

static void expect_norm(const char *in, const char *want)
{
	char *out = NULL;
	assert_int_equal(tw_fuzzy_normalise(in, strlen(in), &out), TW_OK);
	assert_string_equal(out, want);
	free(out);
}

static void normalises_case_punctuation_and_blanks(void **state)
{
	(void)state;
	expect_norm("Press 1, for Sales!", "press 1 for sales");
	expect_norm("  Hello,\t\n world.  ", "hello world");
	expect_norm("\xe2\x80\x9cOK\xe2\x80\x9d \xe2\x80\x94 fine\xe2\x80\xa6", "ok fine");
	expect_norm("\xc3\x89T\xc3\x89", "\xc3\xa9t\xc3\xa9");
	expect_norm("...", "");
	expect_norm("", "");
}

static tw_fuzzy_match find(const char *expected, const char *text)
{
	tw_fuzzy_match m;
	assert_int_equal(tw_fuzzy_find(expected, text, strlen(text), &m), TW_OK);
	return m;
}

static void exact_after_normalising_is_one(void **state)
{
	(void)state;
	const char *text = "Welcome. Press 1, for sales; press 2 for support.";
	tw_fuzzy_match m = find("press 1 for sales", text);
	assert_true(m.similarity == 1.0);
	assert_int_equal(m.distance, 0);
	/* The stretch, in the prompt's own bytes. */
	assert_int_equal(m.start, strstr(text, "Press 1") - text);
	assert_int_equal(m.end, strstr(text, "; press 2") - text);
}

static void a_word_off_scores_below_one(void **state)
{
	(void)state;
	/* "one" for "1": three edits in seventeen characters. */
	tw_fuzzy_match m = find("press one for sales", "Press 1 for sales.");
	assert_true(m.similarity < 1.0);
	assert_true(m.similarity > 0.8);
	assert_int_equal(m.distance, 3);
	m = find("for the billing team", "Press 1 for sales.");
	assert_true(m.similarity < 0.5);
}

static void leftmost_of_equal_matches(void **state)
{
	(void)state;
	const char *text = "press 1. press 1.";
	tw_fuzzy_match m = find("press 1", text);
	assert_int_equal(m.start, 0);
	assert_int_equal(m.end, 7);
}

static void empty_and_too_long(void **state)
{
	(void)state;
	tw_fuzzy_match m;
	/* issue 14, F4: nothing to compare is refused, not similar to all */
	assert_int_equal(tw_fuzzy_find("", "anything", 8, &m), TW_EUSAGE);
	assert_int_equal(tw_fuzzy_find("?!", "anything", 8, &m), TW_EUSAGE);
	assert_false(tw_fuzzy_has_words("?! ..."));
	assert_true(tw_fuzzy_has_words("?1"));
	m = find("abc", "");
	assert_true(m.similarity == 0.0);
	size_t n = TW_FUZZY_MAX_EXPECTED + 1;
	char *big = malloc(n + 1);
	assert_non_null(big);
	memset(big, 'a', n);
	big[n] = '\0';
	assert_int_equal(tw_fuzzy_find(big, "a", 1, &m), TW_ELIMIT);
	free(big);
}

static void bytes_not_utf8_are_characters(void **state)
{
	(void)state;
	const char text[] = "caf\xe9 ok";
	tw_fuzzy_match m;
	assert_int_equal(tw_fuzzy_find("ok", text, sizeof(text) - 1, &m), TW_OK);
	assert_true(m.similarity == 1.0);
	assert_int_equal(m.start, 5);
	assert_int_equal(m.end, 7);
}

/* issue 14, F4 (trial F11): a failure quotes whole words. */
static void quoted_stretch_ends_at_word_ends(void **state)
{
	(void)state;
	const char *text = "For orders, press 1. For returns, press 2. Goodbye.";
	tw_fuzzy_match m = find("For catering, press 4", text);
	assert_true(m.similarity < 0.8);
	assert_true(m.word_start <= m.start && m.word_end >= m.end);
	/* the quote never ends inside a word or before a digit */
	assert_true(m.word_end == strlen(text) || text[m.word_end] == ' ' ||
		    text[m.word_end] == '.' || text[m.word_end] == ',');
	assert_true(m.word_start == 0 || text[m.word_start - 1] == ' ');
	assert_true(m.word_end > m.word_start && text[m.word_end - 1] != ' ');
}

/* issue 14, F4 (review #9): a look reads at most TW_FUZZY_MAX_PROMPT
 * bytes of a prompt, whatever its length. */
static void a_long_prompt_is_read_in_part(void **state)
{
	(void)state;
	size_t n = 1 << 20;
	char *text = malloc(n + 1);
	assert_non_null(text);
	for (size_t i = 0; i < n; i++)
		text[i] = i % 6 == 5 ? ' ' : 'a' + (char)(i % 5);
	memcpy(text + n - 12, "press 9 now", 11);
	text[n] = '\0';
	tw_fuzzy_match m;
	assert_int_equal(tw_fuzzy_find("press 9 now", text, n, &m), TW_OK);
	assert_true(m.truncated);
	assert_true(m.end <= TW_FUZZY_MAX_PROMPT);
	assert_true(m.similarity < 1.0);
	assert_int_equal(tw_fuzzy_find("press 9 now", text + n - 100, 100, &m), TW_OK);
	assert_false(m.truncated);
	assert_true(m.similarity == 1.0);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(normalises_case_punctuation_and_blanks),
		cmocka_unit_test(exact_after_normalising_is_one),
		cmocka_unit_test(a_word_off_scores_below_one),
		cmocka_unit_test(leftmost_of_equal_matches),
		cmocka_unit_test(empty_and_too_long),
		cmocka_unit_test(bytes_not_utf8_are_characters),
		cmocka_unit_test(quoted_stretch_ends_at_word_ends),
		cmocka_unit_test(a_long_prompt_is_read_in_part),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
