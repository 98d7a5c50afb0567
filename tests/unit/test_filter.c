/*
 * Filters (expectations/filter.c) end to end from the script's words:
 * each line is parsed as a rehearsal would write it, then judged against a
 * hand-built response with tw_expect_eval. Every filter's result, every
 * way one cannot apply (the message names the filter, what it got and its
 * type), lists of one read as their item, absence through the chain, and
 * the bytes, sha256 and md5 subjects. No network.
 */
#include "judge.h"


static void test_lists(void **state)
{
	fx *f = *state;
	body(f, BODY);
	PASS(f, "json $.ids count == 3");
	PASS(f, "json $.ids nth 1 == 3");
	PASS(f, "json $.ids nth 3 == 8");
	PASS(f, "json $.ids first == 3");
	PASS(f, "json $.ids last == 8");
	PASS(f, "json $.none count == 0");
	/* An object selected by a name is counted by its members. */
	PASS(f, "json $.obj count == 2");
	PASS(f, "json $ count == 19");
	PASS(f, "json $.inner jsonpath \"$\" count == 1");
	/* Several matches are a list; one array selected is that array. */
	PASS(f, "json $.ids[*] count == 3");
	PASS(f, "json $.ids[*] nth 2 == 5");
	/* A list of one is its item, for a filter and for the predicate. */
	PASS(f, "json $.one toInt == 42");
	PASS(f, "json $.one nth 1 == 42");
	FAILS(f, "json $.ids nth 5 == 3", "json $.ids nth 5: nth 5 got [3,5,8] (list): the list has 3 items");
	FAILS(f, "json $.none first == 3", "json $.none first: first got [] (list): the list has 0 items");
	/* A selection is a list (of one here); a filter's scalar is not. */
	PASS(f, "json $.price nth 1 == \"12\"");
	FAILS(f, "json $.price toInt nth 1 == 3", "json $.price toInt nth 1: nth 1 got 12 (integer): not a list");
	PASS(f, "json $.price count == 1");
	FAILS(f, "json $.price regex /(\\d)/ count == 3",
	      "json $.price regex /(\\d)/ count: count got \"1\" (string): count counts a list, an "
	      "object or bytes");
}

static void test_absent(void **state)
{
	fx *f = *state;
	body(f, BODY);
	/* Nothing counts 0; any other filter leaves the absence to report. */
	PASS(f, "json $.missing count == 0");
	PASS(f, "header X-Missing count == 0");
	FAILS(f, "json $.missing toInt == 3", "$.missing matched nothing");
	PASS(f, "json $.missing toInt not exists");
	FAILS(f, "header X-Missing nth 1 == \"a\"", "no header 'X-Missing' in the response");
}

static void test_numbers(void **state)
{
	fx *f = *state;
	body(f, BODY);
	PASS(f, "json $.price toInt == 12");
	PASS(f, "json $.price toInt > 11");
	PASS(f, "json $.real toInt == 7");
	PASS(f, "json $.ratio toFloat == 0.75");
	PASS(f, "json $.price toFloat == 12");
	PASS(f, "json $.ids nth 2 toFloat == 5");
	FAILS(f, "json $.bad toInt == 3", "json $.bad toInt: toInt got \"abc\" (string): not an integer");
	FAILS(f, "json $.ratio toInt == 0",
	      "json $.ratio toInt: toInt got \"0.75\" (string): not an integer");
	FAILS(f, "json $.bad toFloat == 3", "json $.bad toFloat: toFloat got \"abc\" (string): not a number");
	FAILS(f, "json $.obj toInt == 3", "json $.obj toInt: toInt got {\"a\":1,\"b\":2} (object): not an integer");
}

static void test_text(void **state)
{
	fx *f = *state;
	body(f, BODY);
	PASS(f, "json $.tags split \",\" count == 3");
	PASS(f, "json $.tags split \",\" last == \"gf\"");
	PASS(f, "json $.tags split \";\" == \"pizza,vegan,gf\"");
	PASS(f, "json $.order replace \"ready\" \"baking\" == \"Order #1001 is baking\"");
	PASS(f, "json $.order replace /(\\d+)/ \"<$1>\" == \"Order #<1001> is ready\"");
	PASS(f, "json $.order replace /O/i \"0\" == \"0rder #1001 is ready\"");
	CAPTURES(f, "json $.order regex /#(\\d+)/ exists as n", "1001");
	CAPTURES(f, "json $.order regex \"\\\\d+\" toInt == 1001 as n", "1001");
	FAILS(f, "json $.order regex /#(x)/ == 1",
	      "json $.order regex /#(x)/: regex got \"Order #1001 is ready\" (string): no match");
	FAILS(f, "json $.ids split \",\" == 1",
	      "json $.ids split \",\": split got [3,5,8] (list): split cuts a string");
	/* Templates in arguments. */
	assert_int_equal(tw_vars_set(f->vars, "sep", "vegan", false), TW_OK);
	PASS(f, "json $.tags split \"{{sep}}\" first == \"pizza,\"");
}

static void test_encodings(void **state)
{
	fx *f = *state;
	body(f, BODY);
	/* Unpadded and URL-safe base64, as in tokens. */
	PASS(f, "json $.token base64Decode == \"{\\\"sub\\\": \\\"ada\\\"}\"");
	PASS(f, "json $.token base64Decode jsonpath \"$.sub\" == \"ada\"");
	PASS(f, "json $.jwt base64Decode jsonpath \"$.a\" == \"~~~\"");
	PASS(f, "json $.token base64Decode base64Encode == \"eyJzdWIiOiAiYWRhIn0=\"");
	FAILS(f, "json $.order base64Decode == \"x\"",
	      "json $.order base64Decode: base64Decode got \"Order #1001 is ready\" (string): not base64");
	PASS(f, "json $.path urlDecode == \"café menu\"");
	PASS(f, "json $.tags urlEncode == \"pizza%2Cvegan%2Cgf\"");
	PASS(f, "json $.title htmlUnescape == \"Fish & Chips €9 🍕 &bogus; &\"");
	PASS(f, "json $.next urlQueryParam \"sort\" == \"new first\"");
	PASS(f, "json $.next urlQueryParam \"q\" == \"café\"");
	PASS(f, "json $.next urlQueryParam \"page\" toInt == 3");
	FAILS(f, "json $.next urlQueryParam \"top\" == \"x\"",
	      "json $.next urlQueryParam \"top\": urlQueryParam got "
	      "\"https://x.test/o?page=3&sort=new+first&q=caf%C3%A9#top\" (string): no query "
	      "parameter 'top'");
	PASS(f, "json $.inner jsonpath \"$.a\" count == 2");
	PASS(f, "json $.inner jsonpath \"$.a[*]\" last == 2");
	FAILS(f, "json $.inner jsonpath \"$.b\" == 1",
	      "json $.inner jsonpath \"$.b\": jsonpath got \"{\"a\": [1, 2]}\" (string): $.b matched nothing");
	PASS(f, "json $.order sha256 == \"f4c0f48578d2e3715f47ec7d241a6cca3e88f3676d012675ee630b21d0ebe750\"");
	PASS(f, "json $.order md5 == \"22c5927a33bddd71abf94384d70115ea\"");
}

static void test_dates(void **state)
{
	fx *f = *state;
	body(f, BODY);
	PASS(f, "json $.opened toDate == \"2020-02-29T00:00:00Z\"");
	PASS(f, "json $.opened toDate \"%Y-%m-%d\" == \"2020-02-29T00:00:00Z\"");
	PASS(f, "json $.stamp toDate == \"2020-02-29T22:00:00Z\"");
	PASS(f, "json $.soon toDate daysAfterNow == 3");
	PASS(f, "json $.soon toDate daysBeforeNow == -4");
	PASS(f, "json $.opened toDate daysBeforeNow > 1000");
	FAILS(f, "json $.opened toDate \"%d/%m/%Y\" == 1",
	      "json $.opened toDate \"%d/%m/%Y\": toDate got \"2020-02-29\" (string): not a date in "
	      "the format %d/%m/%Y");
	FAILS(f, "json $.opened daysAfterNow == 1",
	      "json $.opened daysAfterNow: daysAfterNow got \"2020-02-29\" (string): not a date "
	      "(toDate makes one)");
}

static void test_headers(void **state)
{
	fx *f = *state;
	body(f, BODY);
	/* Sent twice, a header is the list of its values, filters or not. */
	PASS(f, "header Set-Cookie first == \"flavour=margherita; Path=/\"");
	PASS(f, "header Set-Cookie count == 2");
	PASS(f, "header \"Set-Cookie\" count == 2");
	PASS(f, "header Set-Cookie nth 2 == \"size=large; Path=/; HttpOnly\"");
	PASS(f, "header Set-Cookie last regex /size=(\\w+)/ == \"large\"");
	PASS(f, "header Content-Type count == 1");
	/* One value: a list of one, read as its item. */
	PASS(f, "header Content-Type regex /\\/(\\w+)/ == \"json\"");
}

static void test_bytes(void **state)
{
	fx *f = *state;
	assert_int_equal(tw_buf_append(&f->resp.body, "a\0b", 3), TW_OK);
	PASS(f, "bytes count == 3");
	PASS(f, "bytes sha256 == \"59b271ae1bbcb1d31d41929817f4b16fb439eb4f31520b5ad1d5ce98920a7138\"");
	PASS(f, "sha256 == \"59b271ae1bbcb1d31d41929817f4b16fb439eb4f31520b5ad1d5ce98920a7138\"");
	PASS(f, "md5 == \"70350f6027bce3713f6b76473084309b\"");
	PASS(f, "bytes base64Encode == \"YQBi\"");
	FAILS(f, "bytes toInt == 1", "bytes toInt: toInt got \"a b\" (bytes): not an integer");
}

static void test_empty_body_digests(void **state)
{
	fx *f = *state;
	PASS(f, "sha256 == \"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"");
	PASS(f, "md5 == \"d41d8cd98f00b204e9800998ecf8427e\"");
	PASS(f, "bytes count == 0");
}

/* Past the end of a list there is nothing: `not exists` holds, any other
 * predicate fails saying how long the list is. */
static void test_nth_past_the_end(void **state)
{
	fx *f = *state;
	body(f, BODY);
	PASS(f, "header Set-Cookie nth 3 not exists");
	PASS(f, "json $.ids nth 4 not exists");
	PASS(f, "json $.none first not exists");
	PASS(f, "json $.none last not exists");
	FAILS(f, "json $.ids nth 2 not exists", NULL);
	FAILS(f, "json $.ids nth 4 exists", "json $.ids nth 4: nth 4 got [3,5,8] (list): the list has 3 items");
	FAILS(f, "header Set-Cookie nth 3 == \"a\"",
	      "header Set-Cookie nth 3: nth 3 got [\"flavour=margherita; Path=/\",\"size=large; "
	      "Path=/; HttpOnly\"] (list): the list has 2 items");
}

/* A format's %z is an offset from UTC, as ISO 8601's is. */
static void test_date_offset(void **state)
{
	fx *f = *state;
	assert_int_equal(tw_vars_set(f->vars, "when", "2020-01-01T02:00:00+0200", false), TW_OK);
	assert_int_equal(tw_vars_set(f->vars, "west", "01/01/2020 00:30 -0130", false), TW_OK);
	PASS(f, "var when toDate \"%Y-%m-%dT%H:%M:%S%z\" == \"2020-01-01T00:00:00Z\"");
	PASS(f, "var when toDate == \"2020-01-01T00:00:00Z\"");
	PASS(f, "var west toDate \"%d/%m/%Y %H:%M %z\" == \"2020-01-01T02:00:00Z\"");
}

/* HTML5 reads a numeric reference without its ';' (&#65 is A). */
static void test_html_legacy_references(void **state)
{
	fx *f = *state;
	assert_int_equal(tw_vars_set(f->vars, "h", "&#65 foo &#x42 bar &#67;&#", false), TW_OK);
	PASS(f, "var h htmlUnescape == \"A foo B bar C&#\"");
}

/* Bytes as lowercase hex: how a binary value is compared. */
static void test_to_hex(void **state)
{
	fx *f = *state;
	assert_int_equal(tw_buf_append(&f->resp.body, "a\0\xff", 3), TW_OK);
	PASS(f, "bytes toHex == \"6100ff\"");
}

/* A value derived from a secret by a filter is a secret too: the redactor
 * cannot follow every transform, so what a filter made from a value that
 * holds one is shown as ***. */
static void test_secrets_stay_masked(void **state)
{
	fx *f = *state;
	tw_redact r = {0};
	assert_int_equal(tw_redact_add(&r, "hunter2pass"), TW_OK);
	f->redact = &r;
	assert_int_equal(tw_vars_set(f->vars, "pw", "hunter2pass", true), TW_OK);
	body(f, "{\"auth\": \"Basic YWRhOmh1bnRlcjJwYXNz\", \"open\": \"abc\"}");
	const char *lines[][2] = {
		{"json $.auth base64Encode == \"nope\"",
		 "json $.auth base64Encode: expected: \"nope\" (string) / actual: *** (string, derived from a secret)"},
		{"var pw replace \"2\" \"_\" == \"nope\"",
		 "var pw replace \"2\" \"_\": expected: \"nope\" (string) / actual: *** (string, derived from a secret)"},
		{"var pw split \"p\" == \"nope\"",
		 "var pw split \"p\": expected: \"nope\" (string) / actual: *** (list, derived from a secret)"},
		{"var pw regex /(.*)pass/ == \"nope\"",
		 "var pw regex /(.*)pass/: expected: \"nope\" (string) / actual: *** (string, derived from a secret)"},
		{"var pw regex /(x)/ == \"nope\"",
		 "var pw regex /(x)/: regex got *** (string, derived from a secret): no match"},
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		FAILS(f, lines[i][0], lines[i][1]);
	/* Nothing secret in it: shown as ever. */
	FAILS(f, "json $.open base64Encode == \"nope\"",
	      "json $.open base64Encode: expected: \"nope\" (string) / actual: \"YWJj\" (string)");
	f->redact = NULL;
	tw_redact_free(&r);
}

/* One reader for text that is a number: what == reads as a number, toInt
 * and toFloat read too (blanks around it, a sign, an exponent). */
static void test_one_number_reader(void **state)
{
	fx *f = *state;
	assert_int_equal(tw_vars_set(f->vars, "n", " 42 ", false), TW_OK);
	assert_int_equal(tw_vars_set(f->vars, "r", "-0.5e1", false), TW_OK);
	PASS(f, "var n == 42");
	PASS(f, "var n toInt == 42");
	PASS(f, "var n toFloat == 42");
	PASS(f, "var r == -5");
	PASS(f, "var r toFloat == -5");
	FAILS(f, "var r toInt == -5", "var r toInt: toInt got \"-0.5e1\" (string): not an integer");
}

/* `expect LINE` does not parse, with message (after "t.rehearsal:2:COL: "). */
static void refused(const char *line, const char *message)
{
	char text[1024];
	snprintf(text, sizeof(text), "scene \"S\"\n  expect %s\n", line);
	tw_script *s = NULL;
	tw_error err = {0};
	if (tw_parse(&s, "t.rehearsal", text, strlen(text), &err) == TW_OK)
		fail_msg("%s: parsed", line);
	if (!err.message || !strstr(err.message, message))
		fail_msg("%s:\nexpected: %s\ngot:      %s", line, message,
			 err.message ? err.message : "(null)");
	tw_error_clear(&err);
	tw_script_free(s);
}

/* A Hurl filter or predicate techweek spells otherwise: the word is named
 * as unknown, with the techweek way to say it. */
static void test_hurl_words(void **state)
{
	(void)state;
	refused("json $.a htmlEscape == \"a\"", "unknown filter 'htmlEscape' (Hurl's): there is "
						 "htmlUnescape only");
	refused("json $.a replaceRegex /\\d/ \"x\" == \"y\"",
		"unknown filter 'replaceRegex' (Hurl's): write replace /REGEX/ \"NEW\"");
	refused("json $.a base64UrlSafeDecode == \"y\"",
		"unknown filter 'base64UrlSafeDecode' (Hurl's): write base64Decode, which reads "
		"URL-safe base64 too");
	refused("header Expires toDate \"%a\" dateFormat \"%Y\" == \"2015\"",
		"unknown filter 'dateFormat' (Hurl's): a date compares as ISO 8601 text");
	refused("json $.errors isCollection", "unknown predicate 'isCollection' (Hurl's): write is "
					      "list or is object");
	refused("json $.a startsWith \"x\"", "unknown predicate 'startsWith' (Hurl's): write starts "
					    "with \"TEXT\"");
	refused("json $.a nth -1 == 1", "found '-1'; for the last item write last");
	/* A misspelling of a filter still gets its name. */
	refused("json $.a tohex == 1", "unknown filter 'tohex' (did you mean 'toHex'?)");
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_lists), T(test_absent),	T(test_numbers), T(test_text),
		T(test_encodings), T(test_dates), T(test_headers), T(test_bytes),
		T(test_empty_body_digests), T(test_nth_past_the_end), T(test_date_offset),
		T(test_html_legacy_references), T(test_to_hex),
		T(test_secrets_stay_masked), cmocka_unit_test(test_hurl_words),
		T(test_one_number_reader),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
