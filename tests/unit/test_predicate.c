/*
 * Predicates end to end from the script's words (issue 12 fix round):
 * each line is parsed as a rehearsal would write it, then judged against a
 * hand-built response with tw_expect_eval. A header sent several times is
 * the list of its values with or without filters; contains, starts with,
 * ends with and ~ judge text, never a JSON value's spelling. No network.
 */
#include "judge.h"


static void test_header_values(void **state)
{
	fx *f = *state;
	body(f, BODY);
	/* Set-Cookie came twice: a list, filters or not (review #3). */
	PASS(f, "header Set-Cookie is list");
	PASS(f, "header Set-Cookie contains \"size=large; Path=/; HttpOnly\"");
	FAILS(f, "header Set-Cookie not contains \"size=large; Path=/; HttpOnly\"",
	      "header Set-Cookie: expected: not contains \"size=large; Path=/; HttpOnly\" "
	      "(string) / actual: [\"flavour=margherita; Path=/\",\"size=large; Path=/; "
	      "HttpOnly\"] (list)");
	PASS(f, "header Set-Cookie ~ /^size=(\\w+)/");
	CAPTURES(f, "header Set-Cookie ~ /^size=(\\w+)/ as s", "large");
	PASS(f, "header Set-Cookie not ~ /^size=small/");
	PASS(f, "header Set-Cookie first == \"flavour=margherita; Path=/\"");
	FAILS(f, "header Set-Cookie starts with \"flavour\"",
	      "header Set-Cookie: expected: starts with \"flavour\" (string) / actual: "
	      "[\"flavour=margherita; Path=/\",\"size=large; Path=/; HttpOnly\"] (list): "
	      "not a string");
	/* Content-Type came once: its value, a string. */
	PASS(f, "header Content-Type is string");
	PASS(f, "header Content-Type contains \"json\"");
}

static void test_text_predicates_want_text(void **state)
{
	fx *f = *state;
	body(f, BODY);
	/* A number or a list is not its JSON spelling (review #4). */
	FAILS(f, "json $.ids[1] contains \"5\"",
	      "json $.ids[1]: expected: contains \"5\" (string) / actual: 5 (integer): "
	      "not a string");
	FAILS(f, "json $.ids[1] not contains \"5\"",
	      "json $.ids[1]: expected: not contains \"5\" (string) / actual: 5 (integer): "
	      "not a string");
	FAILS(f, "json $.ids starts with \"[3\"",
	      "json $.ids: expected: starts with \"[3\" (string) / actual: [3,5,8] (list): "
	      "not a string");
	FAILS(f, "json $.obj ends with \"}\"",
	      "json $.obj: expected: ends with \"}\" (string) / actual: {\"a\":1,\"b\":2} "
	      "(object): not a string");
	FAILS(f, "json $.ids[2] ~ /8/",
	      "json $.ids[2]: expected: ~ /8/ (regex) / actual: 8 (integer): not a string");
	PASS(f, "json $.ids contains 5");
	PASS(f, "json $.tags starts with \"pizza\"");
	PASS(f, "json $.tags ends with \"gf\"");
	PASS(f, "json $.price ~ /^1/");
}

static void test_text_stays_text_through_filters(void **state)
{
	fx *f = *state;
	body(f, BODY);
	assert_int_equal(tw_vars_set(f->vars, "n", "a42", false), TW_OK);
	/* A text subject's bare number equals text that reads as it, with a
	 * filter too (review #11). */
	PASS(f, "header X-Count == 296");
	PASS(f, "header X-Count first == 296");
	PASS(f, "header X-Count regex /(\\d+)/ == 296");
	PASS(f, "header X-Count first > 100");
	PASS(f, "var n replace \"a\" \"\" == 42");
	PASS(f, "header X-Count first is string");
	/* A JSON string stays a string: "12" is not 12. */
	FAILS(f, "json $.price regex /(\\d+)/ == 12",
	      "json $.price regex /(\\d+)/: expected: 12 (integer) / actual: \"12\" (string)");
	/* The label names the filters after every subject. */
	FAILS(f, "var n replace \"a\" \"\" == 41",
	      "var n replace \"a\" \"\": expected: 41 (integer) / actual: \"42\" (string)");
}

static void test_types_and_escapes_in_messages(void **state)
{
	fx *f = *state;
	body(f, BODY);
	assert_int_equal(tw_vars_set(f->vars, "nl", "a\nb\x01\t", false), TW_OK);
	assert_int_equal(tw_vars_set(f->vars, "b", "AQIDAP8=", false), TW_OK);
	/* bytes and dates keep their type to the message (review #5). */
	FAILS(f, "json $.token base64Decode == 5",
	      "json $.token base64Decode: expected: 5 (integer) / actual: \"{\"sub\": \"ada\"}\" "
	      "(bytes)");
	FAILS(f, "json $.opened toDate == \"x\"",
	      "json $.opened toDate: expected: \"x\" (string) / actual: 2020-02-29T00:00:00Z (date)");
	PASS(f, "json $.opened toDate == \"2020-02-29T00:00:00Z\"");
	PASS(f, "json $.opened toDate is date");
	FAILS(f, "json $.opened toDate is string",
	      "json $.opened toDate: expected: is string / actual: 2020-02-29T00:00:00Z (date)");
	FAILS(f, "json $.token base64Decode is string",
	      "json $.token base64Decode: expected: is string / actual: \"{\"sub\": \"ada\"}\" "
	      "(bytes)");
	/* Control characters and bytes that are not UTF-8 are shown, escaped
	 * (trial #4, #14): expected and actual never look alike when they
	 * differ. */
	FAILS(f, "var nl == \"a\"",
	      "var nl: expected: \"a\" (string) / actual: \"a\\nb\\u{1}\\t\" (string)");
	FAILS(f, "var b base64Decode == \"\\u{1}\\u{2}\"",
	      "var b base64Decode: expected: \"\\u{1}\\u{2}\" (string) / actual: "
	      "\"\\u{1}\\u{2}\\u{3}\\u{0}\\xff\" (bytes)");
}

/* `expect LINE` must be refused at line 2, column col, with message. */
static void refused(const char *line, int col, const char *message)
{
	char text[1024];
	snprintf(text, sizeof(text), "scene \"S\"\n  expect %s\n", line);
	tw_script *s = NULL;
	tw_error err = {0};
	if (tw_parse(&s, "t.rehearsal", text, strlen(text), &err) == TW_OK)
		fail_msg("%s: accepted", line);
	if (err.line != 2 || err.col != col || !err.message || strcmp(err.message, message) != 0)
		fail_msg("%s:\nexpected: 2:%d %s\ngot:      %d:%d %s", line, col, message,
			 err.line, err.col, err.message ? err.message : "(null)");
	tw_error_clear(&err);
	tw_script_free(s);
}

static void test_check_values_that_never_hold(void **state)
{
	(void)state;
	/* trial #13 */
	refused("redirects == 1.5", 23,
		"a count of redirects is a whole number from 0: expected one after '==', like "
		"expect redirects == 1");
	refused("redirects >= -1", 23,
		"a count of redirects is a whole number from 0: expected one after '>=', like "
		"expect redirects == 1");
	refused("sha256 == abc", 20,
		"a sha256 is 64 lowercase hex digits: 'abc' can never equal it");
	refused("md5 != \"9AE6F99DFDF8D2968C50B364C6401B7B\"", 17,
		"an md5 is 32 lowercase hex digits: '9AE6F99DFDF8D2968C50B364C6401B7B' can never "
		"equal it");
	/* Review, minor notes. */
	refused("json $.a not", 22,
		"expected an operator after 'not' (==, !=, <, <=, >, >=, contains, ~, exists, "
		"starts with, ends with, in or is)");
	refused("json $.ids == [3,5,8]", 24,
		"'[3,5,8]' is not a value: a list is checked with count, nth, contains or is "
		"list; quote it to compare with the text \"[3,5,8]\"");
	refused("json $.o != {\"a\":1}", 22,
		"'{\"a\":1}' is not a value: an object is checked with count, jsonpath or is "
		"object; quote it to compare with the text \"{\"a\":1}\"");
	tw_script *s = NULL;
	tw_error err = {0};
	const char ok[] = "scene \"S\"\n  expect md5 == 9ae6f99dfdf8d2968c50b364c6401b7b\n"
			  "  expect sha256 == \"{{h}}\"\n  expect redirects < 2\n"
			  "  expect sha256 count == 64\n  expect json $.a == \"[1]\"\n"
			  "  expect json $.a == {{x}}\n";
	if (tw_parse(&s, "t.rehearsal", ok, strlen(ok), &err) != TW_OK)
		fail_msg("%s", err.message);
	tw_script_free(s);
}

static void test_templates_in_lists(void **state)
{
	fx *f = *state;
	body(f, BODY);
	assert_int_equal(tw_vars_set(f->vars, "n", "5", false), TW_OK);
	assert_int_equal(tw_vars_set(f->vars, "w", "pizza,vegan,gf", false), TW_OK);
	/* An unquoted template in a list is typed by its text (review #17). */
	PASS(f, "json $.ids[1] in [1, {{n}}]");
	PASS(f, "json $.tags in [{{w}}, 2]");
	PASS(f, "json $.tags in [\"{{w}}\"]");
	FAILS(f, "json $.ids[1] in [\"{{n}}\", \"x, y\"]",
	      "json $.ids[1]: expected: in [\"5\", \"x, y\"] (list) / actual: 5 (integer)");
	FAILS(f, "json $.ids[0] in [{{n}}, 8, 0.1, true, null]",
	      "json $.ids[0]: expected: in [5, 8, 0.1, true, null] (list) / actual: 3 (integer)");
}

static void test_template_typed_as_json_reads_it(void **state)
{
	fx *f = *state;
	body(f, BODY);
	const char *vars[][2] = {{"zero7", "007"}, {"plus", "+5"}, {"dot", ".5"},
				 {"five", "5"},	   {"real", "5.0"}, {"t", "true"}};
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		assert_int_equal(tw_vars_set(f->vars, vars[i][0], vars[i][1], false), TW_OK);
	/* One rule for an unquoted template, the one a json body uses: what
	 * jansson reads as a number, true, false or null is that; anything
	 * else is a string (review #19). */
	FAILS(f, "json $.ids[0] == {{zero7}}",
	      "json $.ids[0]: expected: \"007\" (string) / actual: 3 (integer)");
	FAILS(f, "json $.ids[0] == {{plus}}",
	      "json $.ids[0]: expected: \"+5\" (string) / actual: 3 (integer)");
	FAILS(f, "json $.ids[0] == {{dot}}",
	      "json $.ids[0]: expected: \".5\" (string) / actual: 3 (integer)");
	PASS(f, "json $.ids[1] == {{five}}");
	PASS(f, "json $.ids[1] == {{real}}");
	FAILS(f, "json $.ids[1] == {{t}}",
	      "json $.ids[1]: expected: true (boolean) / actual: 5 (integer)");
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_header_values),
		T(test_text_predicates_want_text),
		T(test_text_stays_text_through_filters),
		T(test_types_and_escapes_in_messages),
		T(test_check_values_that_never_hold),
		T(test_templates_in_lists),
		T(test_template_typed_as_json_reads_it),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
