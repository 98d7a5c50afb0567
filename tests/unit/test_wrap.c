/*
 * Fitting summary lines into the terminal's width (reports/wrap.h): no
 * output line is wider than the width unless it is one word wider than the
 * width alone; no word is broken but, on a line marked TW_WRAP_BREAK, one
 * wider than the width, at its indentation; prose continues at its hanging indent;
 * cells marked with TW_WRAP_COLUMN start at their column on every row;
 * escape sequences take no room and UTF-8 symbols one column.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "reports/wrap.h"

static char *wrap(const char *line, size_t width)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	assert_non_null(f);
	tw_wrap_text(f, line, strlen(line), width);
	assert_int_equal(fclose(f), 0);
	return text;
}

/* Columns of [s, s+n): code points, escape sequences left out. */
static size_t columns(const char *s, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n;) {
		if (s[i] == '\033') {
			for (i += 2; i < n && !(s[i] >= 0x40 && s[i] <= 0x7e); i++)
				;
			i++;
			continue;
		}
		uint32_t c;
		size_t k = tw_utf8_decode((const unsigned char *)s + i, n - i, &c);
		i += k ? k : 1;
		w++;
	}
	return w;
}

/* Every line fits, or is one word wider than width alone. */
static void assert_fits(const char *text, size_t width)
{
	for (const char *line = text; *line;) {
		size_t n = strcspn(line, "\n");
		if (columns(line, n) > width) {
			size_t lead = strspn(line, " ");
			if (memchr(line + lead, ' ', n - lead))
				fail_msg("line wider than %zu: '%.*s'", width, (int)n, line);
			assert_int_equal(lead, 0);
		}
		assert_true(n == 0 || line[n - 1] != ' ');
		line += n + (line[n] == '\n');
	}
}

/* Every word of prose appears whole in text. */
static void assert_words_whole(const char *prose, const char *text)
{
	char *copy = strdup(prose), *save = NULL;
	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		char *found = strstr(text, w);
		if (!found)
			fail_msg("'%s' is not whole in:\n%s", w, text);
	}
	free(copy);
}

static void test_fits_unchanged(void **state)
{
	(void)state;
	const char *line = "  \xE2\x9C\x94 Order a pizza online      2 scenes   0.81 s\n";
	char *got = wrap(line, 60);
	assert_string_equal(got, line);
	free(got);
	/* 0: 80 columns; an empty line stays one. */
	got = wrap("\n", 0);
	assert_string_equal(got, "\n");
	free(got);
}

static void test_prose_hangs(void **state)
{
	(void)state;
	const char *cause = "expected text ~ /Order #(\\d+) confirmed/ but the page says "
			    "Sorry, the kitchen is closed until tomorrow morning at nine";
	char line[512];
	snprintf(line, sizeof(line), "          %s", cause);
	for (size_t width = 30; width <= 120; width += 7) {
		char *got = wrap(line, width);
		assert_fits(got, width);
		assert_words_whole(cause, got);
		/* Continuation lines at the hanging indent, two right of the
		 * first line's. */
		const char *second = strchr(got, '\n') + 1;
		if (*second) {
			assert_int_equal(strspn(second, " "), 12);
		}
		free(got);
	}
	char *got = wrap(line, 40);
	assert_string_equal(got, "          expected text ~ /Order #(\\d+)\n"
				 "            confirmed/ but the page says\n"
				 "            Sorry, the kitchen is closed\n"
				 "            until tomorrow morning at\n"
				 "            nine\n");
	free(got);
}

static void test_long_word_alone(void **state)
{
	(void)state;
	const char *url = "http://127.0.0.1:8080/a/very/long/path/that/does/not/fit/in/forty";
	char line[256];
	snprintf(line, sizeof(line), "      response: 200 from GET %s (redirected)", url);
	char *got = wrap(line, 40);
	assert_fits(got, 40);
	char want[256];
	snprintf(want, sizeof(want), "      response: 200 from GET\n%s\n        (redirected)\n", url);
	assert_string_equal(got, want);
	free(got);
	/* On a line marked TW_WRAP_BREAK (a failure's cause or excerpt), a
	 * word wider than the whole line is broken at the hanging indent,
	 * not printed from column 0 (issue 12, trial #16). */
	snprintf(line, sizeof(line), "      " TW_WRAP_BREAK "response: 200 from GET %s (redirected)", url);
	got = wrap(line, 40);
	assert_fits(got, 40);
	assert_string_equal(got, "      response: 200 from GET\n"
				 "        http://127.0.0.1:8080/a/very/lon\n"
				 "        g/path/that/does/not/fit/in/fort\n"
				 "        y (redirected)\n");
	free(got);
	/* Too little room at the indentation: pieces from column 0. */
	got = wrap("                      " TW_WRAP_BREAK "x http://127.0.0.1:8080/a/very/long/path", 30);
	assert_fits(got, 30);
	assert_string_equal(got, "                      x\n"
				 "http://127.0.0.1:8080/a/very/l\n"
				 "ong/path\n");
	free(got);
	/* A word that fits the width but not the room at the hanging indent
	 * moves left, as little as it must. */
	got = wrap("              one http://example.com/01234567890", 30);
	assert_string_equal(got, "              one\n"
				 "http://example.com/01234567890\n");
	free(got);
	got = wrap("              one http://example.com/01234", 30);
	assert_string_equal(got, "              one\n"
				 "      http://example.com/01234\n");
	free(got);
}

/* The status column starts at the same column on every row, whatever the
 * width of the cell before it. */
static void test_columns_align(void **state)
{
	(void)state;
	const char *rows[] = {
		"  \xE2\x9C\x94 Short" TW_WRAP_COLUMN "24;2 scenes  0.81 s",
		"  \xE2\x9C\x98 Twenty-two chars long" TW_WRAP_COLUMN "24;3 scenes  0.12 s",
		"  \xE2\x9C\x98 A rehearsal name far longer than its column" TW_WRAP_COLUMN
		"24;1 scene  1.00 s",
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *got = wrap(rows[i], 40);
		assert_fits(got, 40);
		const char *at = strstr(got, "scene");
		const char *bol = at;
		while (bol > got && bol[-1] != '\n')
			bol--;
		/* "N scene" starts at column 24 */
		assert_int_equal(columns(bol, (size_t)(at - bol)), 26);
		free(got);
	}
	char *got = wrap(rows[2], 40);
	assert_string_equal(got, "  \xE2\x9C\x98 A rehearsal name far longer than its\n"
				 "    column              1 scene  1.00 s\n");
	free(got);
	/* The rest of the row continues at its column. */
	got = wrap("    name" TW_WRAP_COLUMN "12;score 98 to 97, steps 4 to 6, p95 12ms to 30ms", 40);
	assert_string_equal(got, "    name    score 98 to 97, steps 4 to\n"
				 "            6, p95 12ms to 30ms\n");
	free(got);
}

static void test_escapes_and_hang(void **state)
{
	(void)state;
	/* Colour takes no room: the same breaks as without it. */
	char *plain = wrap("    -12.5  " TW_WRAP_HANG "Order a pizza: half the customers waited "
			   "longer than four seconds",
			   40);
	assert_string_equal(plain, "    -12.5  Order a pizza: half the\n"
				   "           customers waited longer than\n"
				   "           four seconds\n");
	char *colored = wrap("    \033[31m-12.5\033[0m  " TW_WRAP_HANG "Order a pizza: half the "
			     "customers waited \033[2mlonger\033[0m than four seconds",
			     40);
	assert_fits(colored, 40);
	assert_non_null(strstr(colored, "half the\n           customers"));
	free(plain);
	free(colored);
	/* Digits right after a hang are text, not a column, unless ';'
	 * closes them: "actual: 404" keeps its number (issue 12's typed
	 * messages show numbers there). */
	char *number = wrap("actual: " TW_WRAP_HANG "3.14", 40);
	assert_string_equal(number, "actual: 3.14\n");
	free(number);
}

/* A space that does not break: "GET" stays with its URL, unless the two
 * are wider than a line. */
static void test_no_break_space(void **state)
{
	(void)state;
	char *got = wrap("          200  35.2" TW_WRAP_NBSP "ms  GET" TW_WRAP_NBSP
			 "http://127.0.0.1:8080/api/orders/1001",
			 50);
	assert_string_equal(got, "          200  35.2 ms\n"
				 "         GET http://127.0.0.1:8080/api/orders/1001\n");
	free(got);
	got = wrap("          200  35.2" TW_WRAP_NBSP "ms  GET" TW_WRAP_NBSP
		   "http://127.0.0.1:8080/api/orders/1001",
		   40);
	assert_fits(got, 40);
	assert_string_equal(got, "          200  35.2 ms  GET\n"
				 "   http://127.0.0.1:8080/api/orders/1001\n");
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fits_unchanged),  cmocka_unit_test(test_prose_hangs),
		cmocka_unit_test(test_long_word_alone), cmocka_unit_test(test_columns_align),
		cmocka_unit_test(test_escapes_and_hang), cmocka_unit_test(test_no_break_space),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
