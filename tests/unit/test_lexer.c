/*
 * Unit tests for the rehearsal lexer (harness/language/lexer.c): how a
 * source is checked and cut into lines, and how one line becomes tokens.
 * The comment and quoting rules are what writers trip on, so each one has
 * a test that would fail if the rule moved.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "language/lexer.h"

typedef struct fixture {
	tw_arena arena;
	tw_error err;
	tw_lexer lx;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	tw_arena_free(&f->arena);
	tw_error_clear(&f->err);
	free(f);
	return 0;
}

static void start(fixture *f, const char *line)
{
	tw_lex_init(&f->lx, line, 7, "t.rehearsal", &f->arena, &f->err);
}

static tw_token next_ok(fixture *f)
{
	tw_token t;
	assert_int_equal(tw_lex_next(&f->lx, &t), TW_OK);
	return t;
}

static void assert_tok(tw_token t, tw_tok_kind kind, const char *text, int col)
{
	assert_int_equal(t.kind, kind);
	assert_string_equal(t.text, text);
	assert_int_equal(t.col, col);
}

/* ---- lines ---- */

static void lines_of(fixture *f, const char *text, size_t len, char ***lines, size_t *n)
{
	assert_int_equal(tw_lex_lines(&f->arena, "t", text, len, lines, n, &f->err), TW_OK);
}

static void test_lines_lf_crlf_and_last_line(void **state)
{
	fixture *f = *state;
	char **l;
	size_t n;
	const char *text = "a\r\nb\n\nc \r\nlast";
	lines_of(f, text, strlen(text), &l, &n);
	assert_int_equal(n, 5);
	assert_string_equal(l[0], "a");
	assert_string_equal(l[1], "b");
	assert_string_equal(l[2], "");
	assert_string_equal(l[3], "c ");
	assert_string_equal(l[4], "last");

	lines_of(f, "x\n", 2, &l, &n);
	assert_int_equal(n, 1);
	lines_of(f, "", 0, &l, &n);
	assert_int_equal(n, 0);
	/* A CR not before a newline stays (the tokenizer treats it as blank). */
	lines_of(f, "a\rb\n", 4, &l, &n);
	assert_int_equal(n, 1);
	assert_string_equal(l[0], "a\rb");
}

static void test_lines_bom_skipped(void **state)
{
	fixture *f = *state;
	char **l;
	size_t n;
	const char *text = "\xEF\xBB\xBFrehearsal \"x\"\n";
	lines_of(f, text, strlen(text), &l, &n);
	assert_int_equal(n, 1);
	assert_string_equal(l[0], "rehearsal \"x\"");
}

static void test_lines_utf8_accepted(void **state)
{
	fixture *f = *state;
	char **l;
	size_t n;
	const char *text = "fill name with Zoë 日本 \xF0\x9F\x8D\x95\n";
	lines_of(f, text, strlen(text), &l, &n);
	assert_int_equal(n, 1);
	assert_string_equal(l[0], "fill name with Zoë 日本 \xF0\x9F\x8D\x95");
}

static void expect_lines_error(fixture *f, const char *text, size_t len, tw_code code, int line,
			       int col, const char *prefix)
{
	char **l;
	size_t n;
	assert_int_equal(tw_lex_lines(&f->arena, "t", text, len, &l, &n, &f->err), code);
	assert_int_equal(f->err.code, code);
	assert_int_equal(f->err.line, line);
	assert_int_equal(f->err.col, col);
	assert_non_null(f->err.message);
	if (strncmp(f->err.message, prefix, strlen(prefix)) != 0)
		fail_msg("message '%s' does not start with '%s'", f->err.message, prefix);
	assert_null(l);
	assert_int_equal(n, 0);
}

static void test_lines_nul_is_an_error(void **state)
{
	fixture *f = *state;
	const char text[] = "ok\nab\0cd\n";
	expect_lines_error(f, text, sizeof(text) - 1, TW_ESYNTAX, 2, 3, "NUL byte");
	/* The line shown is the part before the bad byte. */
	assert_string_equal(f->err.source_line, "ab");
}

static void test_lines_invalid_utf8(void **state)
{
	fixture *f = *state;
	expect_lines_error(f, "a\nxy\xFFz", 6, TW_ESYNTAX, 2, 3, "invalid UTF-8 (byte 0xff)");
	/* overlong encoding of '/' */
	expect_lines_error(f, "\xC0\xAF", 2, TW_ESYNTAX, 1, 1, "invalid UTF-8");
	/* UTF-16 surrogate */
	expect_lines_error(f, "ab\xED\xA0\x80", 5, TW_ESYNTAX, 1, 3, "invalid UTF-8");
	/* truncated sequence at the end of the file */
	expect_lines_error(f, "abc\xE6\x97", 5, TW_ESYNTAX, 1, 4, "invalid UTF-8");
	/* past U+10FFFF */
	expect_lines_error(f, "\xF4\x90\x80\x80", 4, TW_ESYNTAX, 1, 1, "invalid UTF-8");
	/* a continuation byte where a lead byte should be */
	expect_lines_error(f, "a \x80", 3, TW_ESYNTAX, 1, 3, "invalid UTF-8");
}

static void test_lines_too_long(void **state)
{
	fixture *f = *state;
	size_t n = TW_LINE_MAX_BYTES + 1;
	char *text = malloc(n + 8);
	assert_non_null(text);
	memcpy(text, "ok\n", 3);
	memset(text + 3, 'x', n);
	expect_lines_error(f, text, n + 3, TW_ELIMIT, 2, 1, "line 2 is longer than 64 KiB");

	/* Exactly at the cap is fine, even with CRLF. */
	memset(text + 3, 'x', TW_LINE_MAX_BYTES);
	memcpy(text + 3 + TW_LINE_MAX_BYTES, "\r\n", 2);
	char **l;
	size_t count;
	lines_of(f, text, TW_LINE_MAX_BYTES + 5, &l, &count);
	assert_int_equal(count, 2);
	assert_int_equal(strlen(l[1]), TW_LINE_MAX_BYTES);
	free(text);
}

static void test_lines_file_too_large(void **state)
{
	fixture *f = *state;
	/* The size is checked before any byte is read. */
	expect_lines_error(f, "", TW_SCRIPT_MAX_BYTES + 1, TW_ELIMIT, 0, 0,
			   "the script is larger than 8 MiB");
}

/* ---- tokens ---- */

static void test_words_and_columns(void **state)
{
	fixture *f = *state;
	start(f, "  fill\tphone   with  +1555");
	assert_tok(next_ok(f), TW_TOK_WORD, "fill", 3);
	assert_tok(next_ok(f), TW_TOK_WORD, "phone", 8);
	assert_tok(next_ok(f), TW_TOK_WORD, "with", 16);
	assert_tok(next_ok(f), TW_TOK_WORD, "+1555", 22);
	tw_token t = next_ok(f);
	assert_int_equal(t.kind, TW_TOK_END);
	assert_int_equal(t.col, 27);
	/* END again, not a crash, when asked twice. */
	assert_int_equal(next_ok(f).kind, TW_TOK_END);
}

static void test_comments(void **state)
{
	fixture *f = *state;
	start(f, "# a whole-line comment");
	assert_int_equal(next_ok(f).kind, TW_TOK_END);

	start(f, "   # indented comment");
	assert_int_equal(next_ok(f).kind, TW_TOK_END);

	/* `#` glued to a word is text, after a blank it is a comment. */
	start(f, "press 1# # the key");
	assert_tok(next_ok(f), TW_TOK_WORD, "press", 1);
	assert_tok(next_ok(f), TW_TOK_WORD, "1#", 7);
	assert_int_equal(next_ok(f).kind, TW_TOK_END);

	/* So the key # alone after a blank is a comment (the parser says to
	 * quote it), and quoted it is the key; a template keeps a glued #. */
	start(f, "press # pound");
	next_ok(f);
	tw_token t = next_ok(f);
	assert_int_equal(t.kind, TW_TOK_END);
	assert_int_equal(t.col, 7);
	start(f, "press \"#\" # pound");
	next_ok(f);
	assert_tok(next_ok(f), TW_TOK_STRING, "#", 7);
	assert_int_equal(next_ok(f).kind, TW_TOK_END);
	start(f, "press {{order}}#\t# then the pound key");
	next_ok(f);
	assert_tok(next_ok(f), TW_TOK_WORD, "{{order}}#", 7);
	assert_int_equal(next_ok(f).kind, TW_TOK_END);

	start(f, "visit /page#top\t#note");
	next_ok(f);
	assert_tok(next_ok(f), TW_TOK_WORD, "/page#top", 7);
	assert_int_equal(next_ok(f).kind, TW_TOK_END);

	/* Inside a string `#` is text. */
	start(f, "click \"Order #1\" #x");
	next_ok(f);
	assert_tok(next_ok(f), TW_TOK_STRING, "Order #1", 7);
	assert_int_equal(next_ok(f).kind, TW_TOK_END);

	/* Right after a string (no blank) it is not a comment either. */
	start(f, "\"a\"#b");
	assert_tok(next_ok(f), TW_TOK_STRING, "a", 1);
	assert_tok(next_ok(f), TW_TOK_WORD, "#b", 4);
}

static void test_strings_and_escapes(void **state)
{
	fixture *f = *state;
	start(f, "\"a \\\"b\\\" \\\\ \\n\\t\" \"\"");
	tw_token t = next_ok(f);
	assert_tok(t, TW_TOK_STRING, "a \"b\" \\ \n\t", 1);
	assert_int_equal(t.raw_len, 17);
	assert_tok(next_ok(f), TW_TOK_STRING, "", 19);
}

/* Issue 12: \r, \u{HEX} as UTF-8, and \{{ kept for the template. */
static void test_string_escapes_issue12(void **state)
{
	fixture *f = *state;
	start(f, "\"a\\r\\n\" \"\\u{e9}\\u{1F600}\\u{41}\" \"\\{{x}} {{y}}\"");
	assert_tok(next_ok(f), TW_TOK_STRING, "a\r\n", 1);
	assert_tok(next_ok(f), TW_TOK_STRING, "\xc3\xa9\xf0\x9f\x98\x80" "A", 9);
	assert_tok(next_ok(f), TW_TOK_STRING, "\\{{x}} {{y}}", 33);
}

static void expect_next_error(fixture *f, const char *line, int col, const char *prefix)
{
	start(f, line);
	tw_token t;
	int rc;
	do
		rc = tw_lex_next(&f->lx, &t);
	while (rc == TW_OK && t.kind != TW_TOK_END);
	assert_int_equal(rc, TW_ESYNTAX);
	assert_int_equal(f->err.code, TW_ESYNTAX);
	assert_int_equal(f->err.line, 7);
	assert_int_equal(f->err.col, col);
	assert_string_equal(f->err.file, "t.rehearsal");
	assert_string_equal(f->err.source_line, line);
	if (strncmp(f->err.message, prefix, strlen(prefix)) != 0)
		fail_msg("message '%s' does not start with '%s'", f->err.message, prefix);
}

static void test_string_errors(void **state)
{
	fixture *f = *state;
	expect_next_error(f, "click \"Margherita", 7, "unterminated string");
	expect_next_error(f, "click \"a\\\"", 7, "unterminated string");
	expect_next_error(f, "x \"caf\\u00e9\"", 7, "bad \\u escape: expected \\u{HEX}");
	expect_next_error(f, "x \"\\u{}\"", 4, "bad \\u escape");
	expect_next_error(f, "x \"\\u{1234567}\"", 4, "bad \\u escape");
	expect_next_error(f, "x \"\\u{D800}\"", 4, "bad \\u escape: expected a Unicode code point");
	expect_next_error(f, "x \"\\u{110000}\"", 4, "bad \\u escape: expected a Unicode code point");
	expect_next_error(f, "x \"\\u{41\"", 4, "bad \\u escape");
	expect_next_error(f, "x \"a\\{b\"", 5, "'\\{' in a string: expected \\{{");
	expect_next_error(f, "x \"\\q\"", 4, "unknown escape '\\q' in a string: expected");
	/* A quote inside a word opens a quoted part that must close too. */
	expect_next_error(f, "fill notes with 12\" pizza", 19, "unterminated string");
}

static void test_quoted_parts_in_words(void **state)
{
	fixture *f = *state;
	start(f, "expect json $[\"first name\"] == 1");
	next_ok(f);
	next_ok(f);
	assert_tok(next_ok(f), TW_TOK_WORD, "$[\"first name\"]", 13);
	assert_tok(next_ok(f), TW_TOK_WORD, "==", 29);

	/* Compact JSON keeps its `#` and its blanks. */
	start(f, "{\"a\":\"x # y\"} # comment");
	assert_tok(next_ok(f), TW_TOK_WORD, "{\"a\":\"x # y\"}", 1);
	assert_int_equal(next_ok(f).kind, TW_TOK_END);

	/* Backslash protects a quote inside a word's quoted part, and no
	 * escape is decoded there. */
	start(f, "{\"a\":\"\\\"\\u00e9\"}");
	assert_tok(next_ok(f), TW_TOK_WORD, "{\"a\":\"\\\"\\u00e9\"}", 1);
}

static void test_regex_only_after_tilde(void **state)
{
	fixture *f = *state;
	start(f, "expect text ~ /Order #(\\d+) \\/ done/i as order");
	next_ok(f);
	next_ok(f);
	assert_tok(next_ok(f), TW_TOK_WORD, "~", 13);
	tw_token t = next_ok(f);
	assert_tok(t, TW_TOK_REGEX, "Order #(\\d+) / done", 15);
	assert_string_equal(t.flags, "i");
	assert_int_equal(t.raw_len, 23);
	assert_tok(next_ok(f), TW_TOK_WORD, "as", 39);

	/* Without `~` a slash starts an ordinary word. */
	start(f, "/a b/");
	assert_tok(next_ok(f), TW_TOK_WORD, "/a", 1);
	assert_tok(next_ok(f), TW_TOK_WORD, "b/", 4);

	/* `~/re/` glued together is still `~` and a regex. */
	start(f, "~/a b/msx x");
	assert_tok(next_ok(f), TW_TOK_WORD, "~", 1);
	t = next_ok(f);
	assert_tok(t, TW_TOK_REGEX, "a b", 2);
	assert_string_equal(t.flags, "msx");
	assert_tok(next_ok(f), TW_TOK_WORD, "x", 11);

	/* Repeated flags count once; other escapes are kept for PCRE2. */
	start(f, "~ /\\\\d\\./ii");
	next_ok(f);
	t = next_ok(f);
	assert_tok(t, TW_TOK_REGEX, "\\\\d\\.", 3);
	assert_string_equal(t.flags, "i");
}

static void test_regex_errors(void **state)
{
	fixture *f = *state;
	expect_next_error(f, "expect text ~ /abc", 15, "unterminated regular expression");
	expect_next_error(f, "expect text ~ /a\\/", 15, "unterminated regular expression");
	expect_next_error(f, "expect text ~ /abc/g", 20,
			  "unknown regular expression flag 'g': expected i, m, s or x");
	expect_next_error(f, "~ /abc/i\"", 9, "unexpected character after the regular expression");
}

static void test_peek_does_not_move(void **state)
{
	fixture *f = *state;
	start(f, "a ~ /b/");
	tw_token t;
	assert_int_equal(tw_lex_peek(&f->lx, &t), TW_OK);
	assert_tok(t, TW_TOK_WORD, "a", 1);
	assert_tok(next_ok(f), TW_TOK_WORD, "a", 1);
	next_ok(f);
	assert_int_equal(tw_lex_peek(&f->lx, &t), TW_OK);
	assert_int_equal(t.kind, TW_TOK_REGEX);
	assert_int_equal(next_ok(f).kind, TW_TOK_REGEX);
}

static tw_token rest_ok(fixture *f, bool unquote)
{
	tw_token t;
	assert_int_equal(tw_lex_rest(&f->lx, &t, unquote), TW_OK);
	return t;
}

static void test_rest_of_line(void **state)
{
	fixture *f = *state;
	start(f, "visit   {{stage}}/menu?a=1#top  # comment  ");
	next_ok(f);
	tw_token t = rest_ok(f, true);
	assert_tok(t, TW_TOK_REST, "{{stage}}/menu?a=1#top", 9);
	assert_int_equal(next_ok(f).kind, TW_TOK_END);

	/* Exactly one STRING: its content. */
	start(f, "fill x with \"Ada \\\"the\\\" Countess\"   # c");
	next_ok(f);
	next_ok(f);
	next_ok(f);
	assert_tok(rest_ok(f, true), TW_TOK_STRING, "Ada \"the\" Countess", 13);

	/* A STRING followed by more text: all of it, raw. */
	start(f, "x \"extra\" cheese");
	next_ok(f);
	assert_tok(rest_ok(f, true), TW_TOK_REST, "\"extra\" cheese", 3);

	/* unquote false keeps the quotes (json bodies). */
	start(f, "json \"hi\"");
	next_ok(f);
	assert_tok(rest_ok(f, false), TW_TOK_REST, "\"hi\"", 6);

	/* `#` inside quotes is not a comment in the rest either. */
	start(f, "json {\"a\": \"b # c\"} # real comment");
	next_ok(f);
	assert_tok(rest_ok(f, false), TW_TOK_REST, "{\"a\": \"b # c\"}", 6);

	/* Nothing left: END. */
	start(f, "submit   # which one?");
	next_ok(f);
	assert_int_equal(rest_ok(f, true).kind, TW_TOK_END);
	start(f, "submit");
	next_ok(f);
	assert_int_equal(rest_ok(f, true).kind, TW_TOK_END);

	/* An empty STRING is a value, not nothing. */
	start(f, "with \"\"");
	next_ok(f);
	assert_tok(rest_ok(f, true), TW_TOK_STRING, "", 6);
}

static void test_rest_errors(void **state)
{
	fixture *f = *state;
	start(f, "fill notes with 12\" pizza # c");
	for (int i = 0; i < 3; i++)
		next_ok(f);
	tw_token t;
	assert_int_equal(tw_lex_rest(&f->lx, &t, true), TW_ESYNTAX);
	assert_int_equal(f->err.col, 19);
	/* A bad escape only matters when the STRING is used as one. */
	start(f, "json {\"a\": \"\\u00e9\"}");
	next_ok(f);
	assert_tok(rest_ok(f, false), TW_TOK_REST, "{\"a\": \"\\u00e9\"}", 6);
	start(f, "body \"\\u00e9\"");
	next_ok(f);
	assert_int_equal(tw_lex_rest(&f->lx, &t, true), TW_ESYNTAX);
	assert_int_equal(f->err.col, 7);
}

static void test_raw_offset(void **state)
{
	fixture *f = *state;
	start(f, "\"a\\\"b\" ~ /x\\/y\\dz/");
	tw_token s = next_ok(f);
	/* decoded a"b: offset 2 ('b') is raw 4 after the quote and \" */
	assert_int_equal(tw_lex_raw_offset(&s, 0), 1);
	assert_int_equal(tw_lex_raw_offset(&s, 2), 4);
	next_ok(f);
	tw_token r = next_ok(f);
	assert_string_equal(r.text, "x/y\\dz");
	/* decoded "x/y\dz": 'y' at 2 is raw 4; 'z' at 5 is raw 7 */
	assert_int_equal(tw_lex_raw_offset(&r, 2), 4);
	assert_int_equal(tw_lex_raw_offset(&r, 5), 7);
	tw_token w = {0};
	w.kind = TW_TOK_WORD;
	assert_int_equal(tw_lex_raw_offset(&w, 5), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lines_lf_crlf_and_last_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lines_bom_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lines_utf8_accepted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lines_nul_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lines_invalid_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lines_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lines_file_too_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_words_and_columns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_comments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strings_and_escapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_string_escapes_issue12, setup, teardown),
		cmocka_unit_test_setup_teardown(test_string_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quoted_parts_in_words, setup, teardown),
		cmocka_unit_test_setup_teardown(test_regex_only_after_tilde, setup, teardown),
		cmocka_unit_test_setup_teardown(test_regex_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peek_does_not_move, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rest_of_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rest_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_raw_offset, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
