/*
 * tw_expect_eval against hand-built responses: every subject with the
 * operators that make sense for it, every failure message a script author
 * can meet, JSON type coercions, count, regex flags and captures, the
 * hostile cases (catastrophic backtracking, invalid UTF-8, NUL bytes), and
 * tw_excerpt's edges. No network: cookies go into a curl handle's jar
 * directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "expectations/expect.h"

/* ---- fixtures ---- */

static bool starts_with(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

typedef struct fx {
	tw_response resp;
	tw_vars *vars;
	CURL *easy;
} fx;

static int setup(void **state)
{
	fx *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	tw_response_init(&f->resp, 16u << 20);
	f->vars = tw_vars_new();
	*state = f;
	return f->vars ? 0 : -1;
}

static int teardown(void **state)
{
	fx *f = *state;
	tw_response_free(&f->resp);
	tw_vars_free(f->vars);
	if (f->easy)
		curl_easy_cleanup(f->easy);
	free(f);
	return 0;
}

static void header(fx *f, const char *line)
{
	assert_int_equal(tw_response_header_line(&f->resp, line, strlen(line)), TW_OK);
}

/* A response as the transfer would leave it. */
static void respond(fx *f, long status, const char *content_type, const char *body, size_t len)
{
	f->resp.status = status;
	header(f, "HTTP/1.1 200 OK\r\n");
	if (content_type) {
		char line[256];
		snprintf(line, sizeof(line), "Content-Type: %s\r\n", content_type);
		header(f, line);
		f->resp.content_type = strdup(content_type);
	}
	header(f, "X-Request-Id: abc123\r\n");
	header(f, "Content-Length: 42\r\n");
	header(f, "X-Request-Id: second\r\n");
	assert_int_equal(tw_buf_append(&f->resp.body, body, len), TW_OK);
	f->resp.url = strdup("http://127.0.0.1:8080/orders/1001?view=full");
	f->resp.timings.total_ms = 1234.4;
}

#define RESPOND(f, status, ct, body) respond((f), (status), (ct), (body), sizeof(body) - 1)

static const char PAGE[] =
	"<!DOCTYPE html><html><head><title>  Stage\n Pizza </title>"
	"<style>body{color:red}</style><script>var s = \"Pizza\";</script></head>\n"
	"<body><h1 class=\"title\">Today's menu</h1>\n"
	"<ul><li data-id=\"1\">Margherita</li><li data-id=\"2\">Funghi</li>"
	"<li data-id=\"3\">Diavola</li></ul>\n"
	"<p>Order #1001 confirmed</p></body></html>";

static const char PAGE_TEXT[] = "Today's menu Margherita Funghi Diavola Order #1001 confirmed";

static const char ORDER[] =
	"{\"status\": \"cold\", \"id\": 1001, \"ref\": \"1001\", \"total\": 8.50,"
	" \"paid\": true, \"refunded\": false, \"note\": null, \"tags\": [\"vegan\", \"gf\"],"
	" \"items\": [{\"name\": \"Margherita\", \"qty\": 1}, {\"name\": \"Funghi\", \"qty\": 2},"
	" {\"name\": \"Diavola\", \"qty\": 1}],"
	" \"meta\": {\"a\": 1, \"b\": [1, 2]}, \"big\": 12345678901234567, \"tiny\": 0.1,"
	" \"huge\": 1e300, \"count\": \"42\", \"nul\": \"a\\u0000b\", \"empty\": [],"
	" \"greeting\": \"Order #1001 is in the oven\"}";

static void page(fx *f)
{
	RESPOND(f, 200, "text/html; charset=utf-8", PAGE);
}

static void order(fx *f)
{
	RESPOND(f, 200, "application/json", ORDER);
}

/* ---- building expectations ---- */

static tw_value vnone(void)
{
	return (tw_value){.kind = TW_VAL_NONE};
}

static tw_value vstr(const char *s)
{
	return (tw_value){.kind = TW_VAL_STRING, .text = (char *)s};
}

static tw_value vnum(double n, const char *text)
{
	return (tw_value){.kind = TW_VAL_NUMBER, .number = n, .text = (char *)text};
}

static tw_value vdur(double ms, const char *text)
{
	return (tw_value){.kind = TW_VAL_DURATION, .number = ms, .text = (char *)text};
}

static tw_value vbool(bool b)
{
	return (tw_value){.kind = TW_VAL_BOOL, .boolean = b, .text = (char *)(b ? "true" : "false")};
}

static tw_value vnull(void)
{
	return (tw_value){.kind = TW_VAL_NULL, .text = (char *)"null"};
}

/* An unquoted template: typed by what it expands to. */
static tw_value vtpl(const char *text)
{
	return (tw_value){.kind = TW_VAL_TEMPLATE, .text = (char *)text};
}

static tw_value vre(const char *pattern, const char *flags)
{
	return (tw_value){.kind = TW_VAL_REGEX, .text = (char *)pattern, .flags = (char *)flags};
}

static tw_expect ex(tw_subject subject, const char *arg, tw_op op, tw_value v)
{
	return (tw_expect){.subject = subject, .arg = (char *)arg, .op = op, .value = v};
}

static tw_expect as(tw_expect e, const char *capture)
{
	e.capture = (char *)capture;
	return e;
}

/* `count`, the filter (filter.c) that a query's count has become. */
static tw_filter count_filter = {.kind = TW_FILTER_COUNT, .name = "count"};

static tw_expect counted(tw_expect e)
{
	e.count = true;
	e.filters = &count_filter;
	e.filter_count = 1;
	return e;
}

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* tw_expect_eval_brief on the same case: the same verdict and capture; a
 * pass without words, a failure with exactly tw_expect_eval's. */
static void same_when_brief(fx *f, const tw_expect *e, const tw_expect_outcome *full)
{
	tw_expect_outcome b;
	assert_int_equal(tw_expect_eval_brief(e, &f->resp, f->vars, NULL, &b), TW_OK);
	assert_int_equal(b.passed, full->passed);
	assert_true(same_text(b.captured, full->captured));
	assert_int_equal(b.captured_secret, full->captured_secret);
	if (b.passed) {
		assert_null(b.message);
		assert_null(b.expected);
		assert_null(b.actual);
	} else {
		assert_true(same_text(b.message, full->message));
		assert_true(same_text(b.expected, full->expected));
		assert_true(same_text(b.actual, full->actual));
	}
	tw_expect_outcome_free(&b);
}

/* Evaluates e, asserts the verdict and (when not NULL) the message, and
 * that the brief evaluation agrees; the caller frees the outcome. */
static tw_expect_outcome judge(fx *f, tw_expect e, bool passed, const char *message)
{
	tw_expect_outcome o;
	assert_int_equal(tw_expect_eval(&e, &f->resp, f->vars, NULL, &o), TW_OK);
	same_when_brief(f, &e, &o);
	if (o.passed != passed)
		fail_msg("expected %s, got %s: %s", passed ? "a pass" : "a failure",
			 o.passed ? "a pass" : "a failure", o.message);
	assert_non_null(o.message);
	if (message)
		assert_string_equal(o.message, message);
	assert_null(strchr(o.message, '\n'));
	if (!o.passed)
		assert_null(o.captured);
	return o;
}

static void pass(fx *f, tw_expect e)
{
	tw_expect_outcome o = judge(f, e, true, NULL);
	tw_expect_outcome_free(&o);
}

static void fails(fx *f, tw_expect e, const char *message)
{
	tw_expect_outcome o = judge(f, e, false, message);
	tw_expect_outcome_free(&o);
}

/* Passes and captures want. */
static void captures(fx *f, tw_expect e, const char *want)
{
	tw_expect_outcome o = judge(f, e, true, NULL);
	assert_non_null(o.captured);
	assert_string_equal(o.captured, want);
	tw_expect_outcome_free(&o);
}

/* ---- status ---- */

static void test_status(void **state)
{
	fx *f = *state;
	page(f);
	tw_expect_outcome o = judge(f, ex(TW_SUBJ_STATUS, NULL, TW_OP_EQ, vnum(200, "200")), true,
				    "status == 200");
	assert_string_equal(o.expected, "200");
	assert_string_equal(o.actual, "200");
	tw_expect_outcome_free(&o);

	f->resp.status = 404;
	o = judge(f, ex(TW_SUBJ_STATUS, NULL, TW_OP_EQ, vnum(200, "200")), false,
		  "status: expected: 200 (integer) / actual: 404 (integer)");
	assert_string_equal(o.expected, "200");
	assert_string_equal(o.actual, "404");
	assert_null(o.captured);
	tw_expect_outcome_free(&o);

	pass(f, ex(TW_SUBJ_STATUS, NULL, TW_OP_NE, vnum(500, "500")));
	fails(f, ex(TW_SUBJ_STATUS, NULL, TW_OP_NE, vnum(404, "404")),
	      "status: expected: != 404 (integer) / actual: 404 (integer)");
	pass(f, ex(TW_SUBJ_STATUS, NULL, TW_OP_LT, vnum(500, "500")));
	pass(f, ex(TW_SUBJ_STATUS, NULL, TW_OP_GE, vnum(400, "400")));
	pass(f, ex(TW_SUBJ_STATUS, NULL, TW_OP_LE, vnum(404, "404")));
	pass(f, ex(TW_SUBJ_STATUS, NULL, TW_OP_GT, vnum(403, "403")));
	o = judge(f, ex(TW_SUBJ_STATUS, NULL, TW_OP_LT, vnum(400, "400")), false,
		  "status: expected: < 400 (integer) / actual: 404 (integer)");
	assert_string_equal(o.expected, "< 400");
	tw_expect_outcome_free(&o);
	fails(f, ex(TW_SUBJ_STATUS, NULL, TW_OP_GT, vnum(404, "404")),
	      "status: expected: > 404 (integer) / actual: 404 (integer)");

	/* An unquoted template that reads as a number is a number; a quoted
	 * string never equals one (issue 12). */
	fails(f, ex(TW_SUBJ_STATUS, NULL, TW_OP_EQ, vstr("404")),
	      "status: expected: \"404\" (string) / actual: 404 (integer)");
	assert_int_equal(tw_vars_set(f->vars, "code", "404", false), TW_OK);
	pass(f, ex(TW_SUBJ_STATUS, NULL, TW_OP_EQ, vtpl("{{code}}")));
	pass(f, ex(TW_SUBJ_STATUS, NULL, TW_OP_LE, vtpl("{{code}}")));
	fails(f, ex(TW_SUBJ_STATUS, NULL, TW_OP_EQ, vstr("{{code}}")),
	      "status: expected: \"404\" (string) / actual: 404 (integer)");
	fails(f, ex(TW_SUBJ_STATUS, NULL, TW_OP_EQ, vstr("OK")), "status: expected: \"OK\" (string) / actual: 404 (integer)");
	fails(f, ex(TW_SUBJ_STATUS, NULL, TW_OP_LT, vstr("OK")),
	      "status: expected: < \"OK\" (string) / actual: 404 (integer): a string orders only against a string");
	fails(f, ex(TW_SUBJ_STATUS, NULL, TW_OP_EQ, vbool(true)), "status: expected: true (boolean) / actual: 404 (integer)");

	pass(f, ex(TW_SUBJ_STATUS, NULL, TW_OP_CONTAINS, vstr("40")));
	captures(f, as(ex(TW_SUBJ_STATUS, NULL, TW_OP_MATCHES, vre("^4(\\d\\d)$", "")), "s"), "04");
	captures(f, as(ex(TW_SUBJ_STATUS, NULL, TW_OP_EQ, vnum(404, "404")), "s"), "404");

	f->resp.status = 0;
	fails(f, ex(TW_SUBJ_STATUS, NULL, TW_OP_EQ, vnum(200, "200")),
	      "status: expected: 200 (integer) / actual: 0 (no response)");
}

/* ---- header ---- */

static void test_header(void **state)
{
	fx *f = *state;
	page(f);
	pass(f, ex(TW_SUBJ_HEADER, "content-type", TW_OP_EQ, vstr("text/html; charset=utf-8")));
	/* Two headers with the same name: the list of both values. */
	captures(f, as(ex(TW_SUBJ_HEADER, "X-Request-Id", TW_OP_EXISTS, vnone()), "rid"),
		 "[\"abc123\",\"second\"]");
	fails(f, ex(TW_SUBJ_HEADER, "X-Request-Id", TW_OP_EQ, vstr("second")),
	      "header X-Request-Id: expected: \"second\" (string) / actual: [\"abc123\",\"second\"] (list)");
	pass(f, ex(TW_SUBJ_HEADER, "X-Request-Id", TW_OP_CONTAINS, vstr("second")));
	pass(f, ex(TW_SUBJ_HEADER, "Content-Type", TW_OP_CONTAINS, vstr("html")));
	fails(f, ex(TW_SUBJ_HEADER, "Content-Type", TW_OP_CONTAINS, vstr("json")),
	      "header Content-Type: expected: contains \"json\" (string) / actual: \"text/html; charset=utf-8\" (string)");
	captures(f, as(ex(TW_SUBJ_HEADER, "Content-Type", TW_OP_MATCHES, vre("charset=(\\S+)", "")),
		       "cs"),
		 "utf-8");
	fails(f, ex(TW_SUBJ_HEADER, "Content-Type", TW_OP_MATCHES, vre("^application/", "")),
	      "header Content-Type: expected: ~ /^application// (regex) / actual: \"text/html; "
	      "charset=utf-8\" (string)");
	/* Numbers in headers compare as numbers. */
	pass(f, ex(TW_SUBJ_HEADER, "Content-Length", TW_OP_LT, vnum(100, "100")));
	pass(f, ex(TW_SUBJ_HEADER, "Content-Length", TW_OP_EQ, vnum(42, "42.0")));
	fails(f, ex(TW_SUBJ_HEADER, "Content-Type", TW_OP_LT, vnum(100, "100")),
	      "header Content-Type: expected: < 100 (integer) / actual: \"text/html; charset=utf-8\" (string): not a number");
	fails(f, ex(TW_SUBJ_HEADER, "X-Request-Id", TW_OP_NOT_EXISTS, vnone()),
	      "header X-Request-Id: expected: not exists / actual: [\"abc123\",\"second\"] (list)");

	/* Absent. */
	tw_expect_outcome o = judge(f, ex(TW_SUBJ_HEADER, "X-Trace", TW_OP_EXISTS, vnone()), false,
				    "no header 'X-Trace' in the response");
	assert_string_equal(o.expected, "exists");
	assert_string_equal(o.actual, "headers: Content-Type, X-Request-Id, Content-Length, "
				      "X-Request-Id");
	tw_expect_outcome_free(&o);
	fails(f, ex(TW_SUBJ_HEADER, "X-Trace", TW_OP_EQ, vstr("1")),
	      "no header 'X-Trace' in the response");
	fails(f, ex(TW_SUBJ_HEADER, "X-Trace", TW_OP_CONTAINS, vstr("1")),
	      "no header 'X-Trace' in the response");
	o = judge(f, as(ex(TW_SUBJ_HEADER, "X-Trace", TW_OP_NOT_EXISTS, vnone()), "t"), true,
		  "header X-Trace not exists");
	assert_string_equal(o.captured, "");
	tw_expect_outcome_free(&o);

	/* The name is a template. */
	assert_int_equal(tw_vars_set(f->vars, "h", "Content-Length", false), TW_OK);
	pass(f, ex(TW_SUBJ_HEADER, "{{h}}", TW_OP_EQ, vnum(42, "42")));
}

static void test_header_empty_value(void **state)
{
	fx *f = *state;
	header(f, "X-Empty:\r\n");
	pass(f, ex(TW_SUBJ_HEADER, "X-Empty", TW_OP_EXISTS, vnone()));
	pass(f, ex(TW_SUBJ_HEADER, "X-Empty", TW_OP_EQ, vstr("")));
	tw_expect_outcome o = judge(f, ex(TW_SUBJ_HEADER, "X-Other", TW_OP_EXISTS, vnone()), false,
				    "no header 'X-Other' in the response");
	assert_string_equal(o.actual, "headers: X-Empty");
	tw_expect_outcome_free(&o);
	tw_response_reset(&f->resp);
	o = judge(f, ex(TW_SUBJ_HEADER, "X-Other", TW_OP_EXISTS, vnone()), false, NULL);
	assert_string_equal(o.actual, "headers: none");
	tw_expect_outcome_free(&o);
}

/* More header names than a message shows: the list says it is cut. */
static void test_header_list_cut_is_marked(void **state)
{
	fx *f = *state;
	for (int i = 0; i < 100; i++) {
		char line[64];
		snprintf(line, sizeof(line), "X-Header-%02d: v\r\n", i);
		header(f, line);
	}
	tw_expect_outcome o = judge(f, ex(TW_SUBJ_HEADER, "X-Other", TW_OP_EXISTS, vnone()), false,
				    "no header 'X-Other' in the response");
	size_t len = strlen(o.actual);
	assert_true(len <= TW_EXCERPT_MAX);
	assert_string_equal(o.actual + len - 4, " \xE2\x80\xA6");
	assert_non_null(strstr(o.actual, "headers: X-Header-00, X-Header-01,"));
	tw_expect_outcome_free(&o);
}

/* ---- text and body ---- */

static void test_text_html(void **state)
{
	fx *f = *state;
	page(f);
	tw_expect_outcome o = judge(f, ex(TW_SUBJ_TEXT, NULL, TW_OP_CONTAINS, vstr("Today's menu")),
				    true, "text contains \"Today's menu\"");
	assert_string_equal(o.expected, "contains \"Today's menu\"");
	tw_expect_outcome_free(&o);

	/* Scripts are not text. */
	o = judge(f, ex(TW_SUBJ_TEXT, NULL, TW_OP_CONTAINS, vstr("Pizza")), false,
		  "text: expected: contains \"Pizza\" (string) / actual: \"Today's menu Margherita Funghi Diavola Order #1001 confirmed\" (string)");
	assert_string_equal(o.actual, PAGE_TEXT);
	tw_expect_outcome_free(&o);

	pass(f, ex(TW_SUBJ_TEXT, NULL, TW_OP_EQ, vstr(PAGE_TEXT)));
	captures(f, as(ex(TW_SUBJ_TEXT, NULL, TW_OP_MATCHES, vre("Order #(\\d+) confirmed", "")),
		       "order"),
		 "1001");
	captures(f, as(ex(TW_SUBJ_TEXT, NULL, TW_OP_MATCHES, vre("order #\\d+", "i")), "order"),
		 "Order #1001");
	o = judge(f, ex(TW_SUBJ_TEXT, NULL, TW_OP_MATCHES, vre("Order #(\\d+) shipped", "")), false,
		  "text: expected: ~ /Order #(\\d+) shipped/ (regex) / actual: \"Today's menu Margherita Funghi Diavola Order #1001 confirmed\" (string)");
	assert_string_equal(o.expected, "~ /Order #(\\d+) shipped/");
	assert_string_equal(o.actual, PAGE_TEXT);
	tw_expect_outcome_free(&o);
	pass(f, ex(TW_SUBJ_TEXT, NULL, TW_OP_EXISTS, vnone()));
	fails(f, ex(TW_SUBJ_TEXT, NULL, TW_OP_NOT_EXISTS, vnone()),
	      "text: expected: not exists / actual: \"Today's menu Margherita Funghi Diavola Order "
	      "#1001 confirmed\" (string)");
}

static void test_text_long_page(void **state)
{
	fx *f = *state;
	tw_buf b;
	tw_buf_init(&b, 1u << 20);
	assert_int_equal(tw_buf_puts(&b, "<html><body>"), TW_OK);
	for (int i = 0; i < 2000; i++)
		assert_int_equal(tw_buf_printf(&b, "<p>Line %d of the menu</p>\n", i), TW_OK);
	assert_int_equal(tw_buf_puts(&b, "</body></html>"), TW_OK);
	respond(f, 200, "text/html", b.data, b.len);
	tw_buf_free(&b);

	tw_expect_outcome o = judge(f, ex(TW_SUBJ_TEXT, NULL, TW_OP_CONTAINS, vstr("Dessert")),
				    false, "text: expected: contains \"Dessert\" (string) / actual: \"Line 0 of the menu Line 1 of the menu Line 2 of the menu Line 3 of the menu Line 4 of the menu Line 5 of the menu Lin…\" (string)");
	/* The start of the text, cut to size. */
	assert_true(strlen(o.actual) <= TW_EXCERPT_MAX);
	assert_true(starts_with(o.actual, "Line 0 of the menu Line 1 of the menu"));
	assert_string_equal(o.actual + strlen(o.actual) - 3, "\xe2\x80\xa6");
	tw_expect_outcome_free(&o);

	/* A pass shows where the text was found. */
	o = judge(f, ex(TW_SUBJ_TEXT, NULL, TW_OP_CONTAINS, vstr("Line 1500 of")), true, NULL);
	assert_non_null(strstr(o.actual, "Line 1500 of"));
	assert_true(starts_with(o.actual, "\xe2\x80\xa6"));
	tw_expect_outcome_free(&o);
}

static void test_text_plain_with_nul(void **state)
{
	fx *f = *state;
	RESPOND(f, 200, "text/plain", "head\0tail line\n");
	/* Outside HTML the text is the whole body, NULs and all. */
	pass(f, ex(TW_SUBJ_TEXT, NULL, TW_OP_CONTAINS, vstr("tail")));
	pass(f, ex(TW_SUBJ_BODY, NULL, TW_OP_CONTAINS, vstr("tail")));
	captures(f, as(ex(TW_SUBJ_BODY, NULL, TW_OP_MATCHES, vre("\\x00(\\w+)", "")), "t"), "tail");
	fails(f, ex(TW_SUBJ_BODY, NULL, TW_OP_EQ, vstr("head")),
	      "body: expected: \"head\" (string) / actual: \"head\\u{0}tail line\\n\" (string)");
	tw_expect_outcome o = judge(f, ex(TW_SUBJ_BODY, NULL, TW_OP_CONTAINS, vstr("nothing")),
				    false, "body: expected: contains \"nothing\" (string) / actual: \"head\\u{0}tail line\\n\" (string)");
	assert_string_equal(o.actual, "head tail line");
	tw_expect_outcome_free(&o);
}

static void test_body(void **state)
{
	fx *f = *state;
	page(f);
	pass(f, ex(TW_SUBJ_BODY, NULL, TW_OP_CONTAINS, vstr("<h1 class=\"title\">")));
	pass(f, ex(TW_SUBJ_BODY, NULL, TW_OP_CONTAINS, vstr("var s = \"Pizza\"")));
	pass(f, ex(TW_SUBJ_BODY, NULL, TW_OP_EXISTS, vnone()));
	pass(f, ex(TW_SUBJ_BODY, NULL, TW_OP_MATCHES, vre("^<!doctype html>.*</html>$", "is")));
	fails(f, ex(TW_SUBJ_BODY, NULL, TW_OP_MATCHES, vre("^<!doctype html>.*</html>$", "i")),
	      "body: expected: ~ /^<!doctype html>.*</html>$/i (regex) / actual: \"<!DOCTYPE html><html><head><title>  Stage\\n Pizza </title><style>body{color:red}</style><script>var s = \"Pizza\";</scr…\" (string)");
}

static void test_body_empty(void **state)
{
	fx *f = *state;
	RESPOND(f, 204, NULL, "");
	fails(f, ex(TW_SUBJ_BODY, NULL, TW_OP_EXISTS, vnone()), "body: expected: exists / actual: \"\" (string)");
	pass(f, ex(TW_SUBJ_BODY, NULL, TW_OP_NOT_EXISTS, vnone()));
	pass(f, ex(TW_SUBJ_BODY, NULL, TW_OP_EQ, vstr("")));
	pass(f, ex(TW_SUBJ_TEXT, NULL, TW_OP_NOT_EXISTS, vnone()));
	fails(f, ex(TW_SUBJ_TEXT, NULL, TW_OP_EXISTS, vnone()), "text: expected: exists / actual: \"\" (string)");
	fails(f, ex(TW_SUBJ_TEXT, NULL, TW_OP_CONTAINS, vstr("x")), "text: expected: contains \"x\" (string) / actual: \"\" (string)");
}

static void test_regex_flags_and_templates(void **state)
{
	fx *f = *state;
	RESPOND(f, 200, "text/plain", "first line\nSecond Line\nprice: 1+1 = 2\n");
	pass(f, ex(TW_SUBJ_BODY, NULL, TW_OP_MATCHES, vre("^second line$", "im")));
	fails(f, ex(TW_SUBJ_BODY, NULL, TW_OP_MATCHES, vre("^second line$", "i")), NULL);
	pass(f, ex(TW_SUBJ_BODY, NULL, TW_OP_MATCHES, vre("line.second", "is")));
	pass(f, ex(TW_SUBJ_BODY, NULL, TW_OP_MATCHES, vre("first \\s line  # spaced", "x")));
	/* A variable inside a pattern matches literally. */
	assert_int_equal(tw_vars_set(f->vars, "sum", "1+1", false), TW_OK);
	pass(f, ex(TW_SUBJ_BODY, NULL, TW_OP_MATCHES, vre("price: {{sum}} = 2", "")));
	assert_int_equal(tw_vars_set(f->vars, "sum", "1+", false), TW_OK);
	tw_expect_outcome o = judge(f, ex(TW_SUBJ_BODY, NULL, TW_OP_MATCHES,
					  vre("price: {{sum}} = 2", "")),
				    false, "body: expected: ~ /price: \\Q1+\\E = 2/ (regex) / actual: \"first line\\nSecond Line\\nprice: 1+1 = 2\\n\" (string)");
	assert_string_equal(o.actual, "first line Second Line price: 1+1 = 2");
	tw_expect_outcome_free(&o);

	fails(f, ex(TW_SUBJ_BODY, NULL, TW_OP_MATCHES, vre("price (", "")),
	      "invalid regex /price (/: missing closing parenthesis at offset 7");
	fails(f, ex(TW_SUBJ_BODY, NULL, TW_OP_MATCHES, vre("x", "g")),
	      "invalid regex /x/g: unknown regex flag 'g': expected any of i, m, s, x");
}

static void test_catastrophic_backtracking(void **state)
{
	fx *f = *state;
	RESPOND(f, 200, "text/plain", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!");
	tw_expect_outcome o = judge(f, as(ex(TW_SUBJ_TEXT, NULL, TW_OP_MATCHES, vre("(a+)+$", "")),
					  "x"),
				    false, NULL);
	assert_true(starts_with(o.message, "text: expected: ~ /(a+)+$/ (regex) / actual: "));
	assert_non_null(strstr(o.message, " (string), but PCRE2 gave up ("));
	assert_non_null(strstr(o.message, "limit"));
	assert_non_null(strstr(o.message, "backtracks too much"));
	assert_string_equal(o.actual, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!");
	tw_expect_outcome_free(&o);
}

static void test_invalid_utf8(void **state)
{
	fx *f = *state;
	/* No charset said: the bytes are read as UTF-8, and are not. */
	RESPOND(f, 200, "text/plain", "caf\xe9 au lait");
	tw_expect_outcome o = judge(f, ex(TW_SUBJ_BODY, NULL, TW_OP_MATCHES, vre("lait", "")),
				    false, NULL);
	assert_true(starts_with(o.message, "body: expected: ~ /lait/ (regex) / actual: "));
	assert_non_null(strstr(o.message, "(string), but it is not valid UTF-8 at byte 3 ("));
	/* The excerpt stays valid UTF-8 for the reports. */
	assert_string_equal(o.actual, "caf\xef\xbf\xbd au lait");
	tw_expect_outcome_free(&o);
	/* Byte operators do not care. */
	pass(f, ex(TW_SUBJ_BODY, NULL, TW_OP_CONTAINS, vstr("au lait")));
}

/* Issue 12: the charset Content-Type names is read (iconv) into UTF-8. */
static void test_charset(void **state)
{
	fx *f = *state;
	RESPOND(f, 200, "text/plain; charset=latin1", "caf\xe9 au lait");
	pass(f, ex(TW_SUBJ_BODY, NULL, TW_OP_MATCHES, vre("^caf\xc3\xa9 au", "")));
	pass(f, ex(TW_SUBJ_TEXT, NULL, TW_OP_CONTAINS, vstr("caf\xc3\xa9")));
}

static void test_charset_html(void **state)
{
	fx *f = *state;
	RESPOND(f, 200, "text/html; charset=\"ISO-8859-1\"",
		"<html><head><title>Caf\xe9</title></head><body><p>cr\xe8me</p></body></html>");
	pass(f, ex(TW_SUBJ_TITLE, NULL, TW_OP_EQ, vstr("Caf\xc3\xa9")));
	pass(f, ex(TW_SUBJ_XPATH, "//p", TW_OP_EQ, vstr("cr\xc3\xa8me")));
	pass(f, ex(TW_SUBJ_TEXT, NULL, TW_OP_CONTAINS, vstr("cr\xc3\xa8me")));
}

/* A charset nobody knows leaves the bytes as they came. */
static void test_charset_unknown(void **state)
{
	fx *f = *state;
	RESPOND(f, 200, "text/plain; charset=x-nobody-knows", "caf\xc3\xa9");
	pass(f, ex(TW_SUBJ_BODY, NULL, TW_OP_EQ, vstr("caf\xc3\xa9")));
}

/* ---- title and url ---- */

static void test_title(void **state)
{
	fx *f = *state;
	page(f);
	pass(f, ex(TW_SUBJ_TITLE, NULL, TW_OP_EQ, vstr("Stage Pizza")));
	pass(f, ex(TW_SUBJ_TITLE, NULL, TW_OP_CONTAINS, vstr("Pizza")));
	captures(f, as(ex(TW_SUBJ_TITLE, NULL, TW_OP_EXISTS, vnone()), "t"), "Stage Pizza");
	fails(f, ex(TW_SUBJ_TITLE, NULL, TW_OP_EQ, vstr("Stage Pasta")),
	      "title: expected: \"Stage Pasta\" (string) / actual: \"Stage Pizza\" (string)");
	fails(f, ex(TW_SUBJ_TITLE, NULL, TW_OP_MATCHES, vre("^pizza", "i")),
	      "title: expected: ~ /^pizza/i (regex) / actual: \"Stage Pizza\" (string)");
}

static void test_title_missing(void **state)
{
	fx *f = *state;
	RESPOND(f, 200, "text/html", "<html><body><h1>No title here</h1></body></html>");
	tw_expect_outcome o = judge(f, ex(TW_SUBJ_TITLE, NULL, TW_OP_EQ, vstr("Home")), false,
				    "the page has no <title>");
	assert_string_equal(o.actual, "<html><body><h1>No title here</h1></body></html>");
	tw_expect_outcome_free(&o);
	fails(f, ex(TW_SUBJ_TITLE, NULL, TW_OP_EXISTS, vnone()), "the page has no <title>");
	pass(f, ex(TW_SUBJ_TITLE, NULL, TW_OP_NOT_EXISTS, vnone()));
}

static void test_url(void **state)
{
	fx *f = *state;
	page(f);
	pass(f, ex(TW_SUBJ_URL, NULL, TW_OP_EQ, vstr("http://127.0.0.1:8080/orders/1001?view=full")));
	pass(f, ex(TW_SUBJ_URL, NULL, TW_OP_CONTAINS, vstr("/orders/")));
	captures(f, as(ex(TW_SUBJ_URL, NULL, TW_OP_MATCHES, vre("/orders/(\\d+)", "")), "id"),
		 "1001");
	fails(f, ex(TW_SUBJ_URL, NULL, TW_OP_CONTAINS, vstr("/checkout")),
	      "url: expected: contains \"/checkout\" (string) / actual: "
	      "\"http://127.0.0.1:8080/orders/1001?view=full\" (string)");
	free(f->resp.url);
	f->resp.url = NULL;
	fails(f, ex(TW_SUBJ_URL, NULL, TW_OP_EQ, vstr("x")), "no URL: there is no response yet");
}

/* ---- xpath ---- */

/* Runs e with stderr redirected, and asserts libxml2 printed nothing. */
static tw_expect_outcome judge_quietly(fx *f, tw_expect e, bool passed, const char *message)
{
	fflush(stderr);
	FILE *tmp = tmpfile();
	assert_non_null(tmp);
	int saved = dup(2);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), 2) >= 0);
	tw_expect_outcome o;
	int rc = tw_expect_eval(&e, &f->resp, f->vars, NULL, &o);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	fseek(tmp, 0, SEEK_END);
	long printed = ftell(tmp);
	fclose(tmp);
	assert_int_equal(rc, TW_OK);
	assert_int_equal(printed, 0);
	assert_int_equal(o.passed, passed);
	if (message)
		assert_string_equal(o.message, message);
	return o;
}

static void test_xpath_nodes(void **state)
{
	fx *f = *state;
	page(f);
	pass(f, ex(TW_SUBJ_XPATH, "//h1", TW_OP_EQ, vstr("Today's menu")));
	captures(f, as(ex(TW_SUBJ_XPATH, "//h1/@class", TW_OP_EXISTS, vnone()), "c"), "title");
	pass(f, ex(TW_SUBJ_XPATH, "//li[2]", TW_OP_CONTAINS, vstr("ung")));
	captures(f, as(ex(TW_SUBJ_XPATH, "//p", TW_OP_MATCHES, vre("#(\\d+)", "")), "o"), "1001");
	tw_expect_outcome o =
		judge(f, ex(TW_SUBJ_XPATH, "//li", TW_OP_EQ, vstr("Funghi")), false,
		      "xpath //li: expected: \"Funghi\" (string) / actual: \"Margherita\" (string) (the first of 3 "
		      "matches)");
	assert_string_equal(o.actual, "Margherita");
	tw_expect_outcome_free(&o);

	assert_int_equal(tw_vars_set(f->vars, "id", "3", false), TW_OK);
	pass(f, ex(TW_SUBJ_XPATH, "//li[@data-id='{{id}}']", TW_OP_EQ, vstr("Diavola")));
	/* An attribute that reads as a number compares as one. */
	pass(f, ex(TW_SUBJ_XPATH, "//li[3]/@data-id", TW_OP_GE, vnum(3, "3")));
}

static void test_xpath_absent(void **state)
{
	fx *f = *state;
	page(f);
	tw_expect_outcome o = judge(f, ex(TW_SUBJ_XPATH, "//h2", TW_OP_EQ, vstr("x")), false,
				    "//h2 matched nothing");
	assert_non_null(o.actual);
	assert_true(starts_with(o.actual, "<!DOCTYPE html>"));
	tw_expect_outcome_free(&o);
	fails(f, ex(TW_SUBJ_XPATH, "//h2", TW_OP_EXISTS, vnone()), "//h2 matched nothing");
	pass(f, ex(TW_SUBJ_XPATH, "//h2", TW_OP_NOT_EXISTS, vnone()));
	fails(f, ex(TW_SUBJ_XPATH, "//h1", TW_OP_NOT_EXISTS, vnone()),
	      "xpath //h1: expected: not exists / actual: \"Today's menu\" (string)");
}

static void test_xpath_values(void **state)
{
	fx *f = *state;
	page(f);
	pass(f, ex(TW_SUBJ_XPATH, "count(//li)", TW_OP_EQ, vnum(3, "3")));
	fails(f, ex(TW_SUBJ_XPATH, "count(//li)", TW_OP_EQ, vstr("3")),
	      "xpath count(//li): expected: \"3\" (string) / actual: 3 (integer)");
	pass(f, ex(TW_SUBJ_XPATH, "count(//li)", TW_OP_GT, vnum(2, "2")));
	fails(f, ex(TW_SUBJ_XPATH, "count(//li)", TW_OP_LT, vnum(3, "3")),
	      "xpath count(//li): expected: < 3 (integer) / actual: 3 (integer)");
	pass(f, ex(TW_SUBJ_XPATH, "count(//li) div 2", TW_OP_EQ, vnum(1.5, "1.5")));
	pass(f, ex(TW_SUBJ_XPATH, "boolean(//h1)", TW_OP_EQ, vbool(true)));
	pass(f, ex(TW_SUBJ_XPATH, "boolean(//h1)", TW_OP_EXISTS, vnone()));
	fails(f, ex(TW_SUBJ_XPATH, "boolean(//h2)", TW_OP_EQ, vbool(true)),
	      "xpath boolean(//h2): expected: true (boolean) / actual: false (boolean)");
	fails(f, ex(TW_SUBJ_XPATH, "boolean(//h2)", TW_OP_EXISTS, vnone()),
	      "xpath boolean(//h2): expected: exists / actual: false (boolean)");
	pass(f, ex(TW_SUBJ_XPATH, "boolean(//h2)", TW_OP_NOT_EXISTS, vnone()));
	captures(f, as(ex(TW_SUBJ_XPATH, "string(//li[1]/@data-id)", TW_OP_EQ, vstr("1")), "x"),
		 "1");
	fails(f, ex(TW_SUBJ_XPATH, "string(//h2)", TW_OP_EXISTS, vnone()),
	      "xpath string(//h2): expected: exists / actual: \"\" (string)");
	fails(f, ex(TW_SUBJ_XPATH, "number('x')", TW_OP_EXISTS, vnone()),
	      "xpath number('x'): expected: exists / actual: NaN (number)");
	fails(f, ex(TW_SUBJ_XPATH, "number('x')", TW_OP_LT, vnum(1, "1")),
	      "xpath number('x'): expected: < 1 (integer) / actual: NaN (number)");
}

static void test_xpath_count(void **state)
{
	fx *f = *state;
	page(f);
	captures(f, as(counted(ex(TW_SUBJ_XPATH, "//li", TW_OP_EQ, vnum(3, "3"))), "n"), "3");
	tw_expect_outcome o = judge(f, counted(ex(TW_SUBJ_XPATH, "//li", TW_OP_EQ, vnum(2, "2"))),
				    false, "xpath //li count: expected: 2 (integer) / actual: 3 (integer)");
	assert_string_equal(o.actual, "3");
	tw_expect_outcome_free(&o);
	pass(f, counted(ex(TW_SUBJ_XPATH, "//h2", TW_OP_EQ, vnum(0, "0"))));
	pass(f, counted(ex(TW_SUBJ_XPATH, "//li", TW_OP_GE, vnum(1, "1"))));
	fails(f, counted(ex(TW_SUBJ_XPATH, "count(//li)", TW_OP_EQ, vnum(3, "3"))),
	      "xpath count(//li) count gives a number, not a node-set to count");
}

#if LIBXML_VERSION >= 21200
static void record_error(void *ctx, const xmlError *e)
#else
static void record_error(void *ctx, xmlErrorPtr e)
#endif
{
	(void)e;
	(*(int *)ctx)++;
}

static void test_xpath_errors(void **state)
{
	fx *f = *state;
	page(f);
	tw_expect_outcome o = judge_quietly(f, ex(TW_SUBJ_XPATH, "//h1[", TW_OP_EXISTS, vnone()),
					    false,
					    "invalid XPath \"//h1[\": invalid expression at offset 5");
	assert_string_equal(o.expected, "exists");
	assert_null(o.actual);
	tw_expect_outcome_free(&o);
	o = judge_quietly(f, ex(TW_SUBJ_XPATH, "nosuchfn(//h1)", TW_OP_EXISTS, vnone()), false,
			  "invalid XPath \"nosuchfn(//h1)\": unregistered function at offset 14");
	tw_expect_outcome_free(&o);
	o = judge_quietly(f, ex(TW_SUBJ_XPATH, "//x:h1", TW_OP_EQ, vstr("a")), false,
			  "invalid XPath \"//x:h1\": undefined namespace prefix at offset 6");
	tw_expect_outcome_free(&o);

	/* The caller's own handler is back afterwards, and saw nothing. */
	int calls = 0;
	xmlSetStructuredErrorFunc(&calls, record_error);
	o = judge_quietly(f, ex(TW_SUBJ_XPATH, "//h1)", TW_OP_EXISTS, vnone()), false,
			  "invalid XPath \"//h1)\": invalid expression at offset 4");
	tw_expect_outcome_free(&o);
	assert_int_equal(calls, 0);
	assert_ptr_equal(xmlStructuredErrorContext, &calls);
	xmlSetStructuredErrorFunc(NULL, NULL);

	o = judge_quietly(f, ex(TW_SUBJ_XPATH, "//h1", TW_OP_EXISTS, vnone()), true,
			  "xpath //h1 exists");
	tw_expect_outcome_free(&o);
}

static void test_xpath_bodies(void **state)
{
	fx *f = *state;
	RESPOND(f, 204, NULL, "");
	fails(f, ex(TW_SUBJ_XPATH, "//h1", TW_OP_EXISTS, vnone()),
	      "expected an HTML or XML body for xpath, got an empty body");
	tw_response_reset(&f->resp);
	RESPOND(f, 200, "application/xml", "<order id=\"7\"><line sku=\"a\"/><line sku=\"b\"/>");
	tw_expect_outcome o = judge_quietly(f, ex(TW_SUBJ_XPATH, "/order/@id", TW_OP_EQ,
						  vstr("7")),
					    false, NULL);
	assert_string_equal(o.message, "expected an HTML or XML body for xpath, got "
				       "application/xml that does not parse: "
				       "Premature end of data in tag order line 1");
	tw_expect_outcome_free(&o);
	tw_response_reset(&f->resp);
	RESPOND(f, 200, "application/xml", "<order id=\"7\"><line sku=\"a\"/><line sku=\"b\"/></order>");
	pass(f, ex(TW_SUBJ_XPATH, "/order/@id", TW_OP_EQ, vnum(7, "7")));
	pass(f, counted(ex(TW_SUBJ_XPATH, "/order/line", TW_OP_EQ, vnum(2, "2"))));
}

/* A body that is XML by its own start is XML whatever Content-Type says
 * (TwiML as text/html, as Express serves it); an HTML page stays HTML. */
static void test_xml_whatever_content_type(void **state)
{
	fx *f = *state;
	static const struct {
		const char *type, *body;
		bool xml, html;
	} cases[] = {
		{"text/html", "<?xml version=\"1.0\"?><Response><Say>Hi</Say></Response>", true, false},
		{"text/html", "\xef\xbb\xbf\n  <Response><Say>Hi</Say></Response>", true, false},
		{"text/html", "<!-- app v2 --><?pi x?><vxml version=\"2.1\"/>", true, false},
		{"text/plain", "<?xml version=\"1.0\"?>\n<!DOCTYPE feed [<!ENTITY a \"<b>\">]><feed/>",
		 true, false},
		{NULL, "<Response/>", true, false},
		/* Not the roots, in their case; a declaration only at the start. */
		{"text/html", "<response><say>Hi</say></response>", false, true},
		{"text/html", "<Responses/>", false, true},
		{"text/html", "  <?xml version=\"1.0\"?><feed/>", false, true},
		/* HTML pages, a Gather in one, an XML declaration in another. */
		{"text/html", "<!DOCTYPE html><html><body><Gather/></body></html>", false, true},
		{"text/html", "<?xml version=\"1.0\"?><!DOCTYPE html><HTML><p>x</p></HTML>", false, true},
		{"application/xhtml+xml", "<?xml version=\"1.0\"?><html/>", false, true},
		{"text/html", "<gather action=\"/a\">Press 1</gather>", false, true},
		{"text/html", "", false, true},
		/* Content-Type still says XML when the body does not. */
		{"text/xml", "<order/>", true, false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tw_response_reset(&f->resp);
		respond(f, 200, cases[i].type, cases[i].body, strlen(cases[i].body));
		if (tw_response_is_xml(&f->resp) != cases[i].xml ||
		    tw_response_is_html(&f->resp) != cases[i].html)
			fail_msg("case %zu (%s): xml %d html %d", i, cases[i].body,
				 tw_response_is_xml(&f->resp), tw_response_is_html(&f->resp));
	}
	/* Read as XML: names keep their case, the text is the body. */
	tw_response_reset(&f->resp);
	RESPOND(f, 200, "text/html; charset=utf-8",
		"<?xml version=\"1.0\"?><Response><Gather action=\"/menu\"><Say>A</Say></Gather>"
		"<Say>B</Say></Response>");
	pass(f, ex(TW_SUBJ_XPATH, "//Gather/@action", TW_OP_EQ, vstr("/menu")));
	pass(f, ex(TW_SUBJ_XPATH, "count(//Say)", TW_OP_EQ, vnum(2, "2")));
	pass(f, ex(TW_SUBJ_TEXT, NULL, TW_OP_CONTAINS, vstr("<Say>B</Say>")));
	/* XML it says it is, XML it must be: a declaration after blanks is
	 * refused, as the carrier refuses it, with libxml2's reason. */
	tw_response_reset(&f->resp);
	RESPOND(f, 200, "text/html", "\n<?xml version=\"1.0\"?><Response><Say>A</Say></Response>");
	tw_expect_outcome o = judge_quietly(f, ex(TW_SUBJ_XPATH, "//Say", TW_OP_EXISTS, vnone()),
					    false, NULL);
	assert_string_equal(o.message, "expected an HTML or XML body for xpath, got text/html read "
				       "as XML (it starts as XML) that does not parse: XML declaration "
				       "allowed only at the start of the document");
	tw_expect_outcome_free(&o);
}

/* 1000 levels: libxml2 stops reading at 256. A page it stopped reading is
 * no page: counts and texts from its first half would be wrong with no
 * reason given. */
static void deep(fx *f, const char *content_type, const char *head, const char *open,
		 const char *close)
{
	char *body = malloc(16000);
	assert_non_null(body);
	int n = sprintf(body, "%s", head);
	for (int i = 0; i < 1000; i++)
		n += sprintf(body + n, "%s", open);
	n += sprintf(body + n, "deep");
	for (int i = 0; i < 1000; i++)
		n += sprintf(body + n, "%s", close);
	respond(f, 200, content_type, body, (size_t)n);
	free(body);
}

static void test_deep_documents(void **state)
{
	fx *f = *state;
	deep(f, "text/html; charset=utf-8", "<!DOCTYPE html><title>Deep</title>", "<div>", "</div>");
	const char *why = "it is nested deeper than libxml2's limit of 256 levels";
	char want[256];
	snprintf(want, sizeof(want),
		 "expected an HTML or XML body for xpath, got text/html; charset=utf-8 that does not "
		 "parse: %s",
		 why);
	tw_expect_outcome o = judge_quietly(
		f, counted(ex(TW_SUBJ_XPATH, "//div", TW_OP_EQ, vnum(1000, "1000"))), false, want);
	tw_expect_outcome_free(&o);
	snprintf(want, sizeof(want), "the page does not parse: %s", why);
	o = judge_quietly(f, ex(TW_SUBJ_TEXT, NULL, TW_OP_CONTAINS, vstr("deep")), false, want);
	tw_expect_outcome_free(&o);
	o = judge_quietly(f, ex(TW_SUBJ_TITLE, NULL, TW_OP_EQ, vstr("Deep")), false, want);
	tw_expect_outcome_free(&o);

	tw_response_reset(&f->resp);
	deep(f, "text/xml", "<?xml version=\"1.0\"?>", "<d>", "</d>");
	snprintf(want, sizeof(want),
		 "expected an HTML or XML body for xpath, got text/xml that does not parse: %s", why);
	o = judge_quietly(f, ex(TW_SUBJ_XPATH, "//d", TW_OP_EXISTS, vnone()), false, want);
	tw_expect_outcome_free(&o);
}

/* ---- json ---- */

static void test_json_strings(void **state)
{
	fx *f = *state;
	order(f);
	tw_expect_outcome o = judge(f, ex(TW_SUBJ_JSON, "$.status", TW_OP_EQ, vstr("baking")), false,
				    "json $.status: expected: \"baking\" (string) / actual: \"cold\" (string)");
	assert_string_equal(o.expected, "\"baking\"");
	assert_string_equal(o.actual, "cold");
	tw_expect_outcome_free(&o);
	o = judge(f, as(ex(TW_SUBJ_JSON, "$.status", TW_OP_EQ, vstr("cold")), "s"), true,
		  "json $.status == \"cold\"");
	assert_string_equal(o.captured, "cold");
	tw_expect_outcome_free(&o);
	pass(f, ex(TW_SUBJ_JSON, "$.status", TW_OP_NE, vstr("baking")));
	fails(f, ex(TW_SUBJ_JSON, "$.status", TW_OP_NE, vstr("cold")),
	      "json $.status: expected: != \"cold\" (string) / actual: \"cold\" (string)");
	pass(f, ex(TW_SUBJ_JSON, "$.greeting", TW_OP_CONTAINS, vstr("oven")));
	fails(f, ex(TW_SUBJ_JSON, "$.greeting", TW_OP_CONTAINS, vstr("door")),
	      "json $.greeting: expected: contains \"door\" (string) / actual: \"Order #1001 is in the oven\" (string)");
	captures(f, as(ex(TW_SUBJ_JSON, "$.greeting", TW_OP_MATCHES,
			  vre("order #(\\d+) is (in the oven|on its way)", "i")),
		       "n"),
		 "1001");
	/* A string with a NUL is not the string before it. */
	fails(f, ex(TW_SUBJ_JSON, "$.nul", TW_OP_EQ, vstr("a")),
	      "json $.nul: expected: \"a\" (string) / actual: \"a\\u{0}b\" (string)");
	pass(f, ex(TW_SUBJ_JSON, "$.nul", TW_OP_CONTAINS, vstr("b")));
}

static void test_json_numbers(void **state)
{
	fx *f = *state;
	order(f);
	pass(f, ex(TW_SUBJ_JSON, "$.total", TW_OP_EQ, vnum(8.5, "8.5")));
	pass(f, ex(TW_SUBJ_JSON, "$.total", TW_OP_EQ, vnum(8.5, "8.50")));
	pass(f, ex(TW_SUBJ_JSON, "$.total", TW_OP_EQ, vtpl("8.50")));
	fails(f, ex(TW_SUBJ_JSON, "$.total", TW_OP_EQ, vstr("8.50")),
	      "json $.total: expected: \"8.50\" (string) / actual: 8.5 (number)");
	captures(f, as(ex(TW_SUBJ_JSON, "$.total", TW_OP_EXISTS, vnone()), "t"), "8.5");
	pass(f, ex(TW_SUBJ_JSON, "$.id", TW_OP_EQ, vnum(1001, "1001")));
	/* An unquoted template takes the type its text reads as; a quoted
	 * one is a string (issue 12). */
	assert_int_equal(tw_vars_set(f->vars, "order", "1001", false), TW_OK);
	captures(f, as(ex(TW_SUBJ_JSON, "$.id", TW_OP_EQ, vtpl("{{order}}")), "o"), "1001");
	pass(f, ex(TW_SUBJ_JSON, "$.ref", TW_OP_EQ, vstr("{{order}}")));
	fails(f, ex(TW_SUBJ_JSON, "$.ref", TW_OP_EQ, vtpl("{{order}}")),
	      "json $.ref: expected: 1001 (integer) / actual: \"1001\" (string)");
	fails(f, ex(TW_SUBJ_JSON, "$.id", TW_OP_EQ, vstr("{{order}}")),
	      "json $.id: expected: \"1001\" (string) / actual: 1001 (integer)");
	/* A number never equals a JSON string: the quotes show why. */
	fails(f, ex(TW_SUBJ_JSON, "$.ref", TW_OP_EQ, vnum(1001, "1001")),
	      "json $.ref: expected: 1001 (integer) / actual: \"1001\" (string)");
	fails(f, ex(TW_SUBJ_JSON, "$.id", TW_OP_EQ, vnum(1002, "1002")),
	      "json $.id: expected: 1002 (integer) / actual: 1001 (integer)");
	fails(f, ex(TW_SUBJ_JSON, "$.id", TW_OP_EQ, vstr("1001x")),
	      "json $.id: expected: \"1001x\" (string) / actual: 1001 (integer)");
	/* Ordering. */
	pass(f, ex(TW_SUBJ_JSON, "$.total", TW_OP_GT, vnum(8, "8")));
	pass(f, ex(TW_SUBJ_JSON, "$.total", TW_OP_LE, vnum(8.5, "8.5")));
	assert_int_equal(tw_vars_set(f->vars, "max", "10", false), TW_OK);
	pass(f, ex(TW_SUBJ_JSON, "$.total", TW_OP_LT, vtpl("{{max}}")));
	fails(f, ex(TW_SUBJ_JSON, "$.total", TW_OP_GE, vnum(10, "10")),
	      "json $.total: expected: >= 10 (integer) / actual: 8.5 (number)");
	/* A JSON string that reads as a number is one for ordering (issue 12). */
	pass(f, ex(TW_SUBJ_JSON, "$.count", TW_OP_LT, vnum(100, "100")));
	fails(f, ex(TW_SUBJ_JSON, "$.count", TW_OP_GT, vnum(100, "100")),
	      "json $.count: expected: > 100 (integer) / actual: \"42\" (string)");
	fails(f, ex(TW_SUBJ_JSON, "$.status", TW_OP_GT, vnum(0, "0")),
	      "json $.status: expected: > 0 (integer) / actual: \"cold\" (string): not a number");
	/* Two strings order by code points. */
	pass(f, ex(TW_SUBJ_JSON, "$.status", TW_OP_GT, vstr("baking")));
	pass(f, ex(TW_SUBJ_JSON, "$.status", TW_OP_LT, vstr("colder")));
	pass(f, ex(TW_SUBJ_JSON, "$.status", TW_OP_LT, vstr("\xc3\xa9")));
	pass(f, ex(TW_SUBJ_JSON, "$.count", TW_OP_LT, vstr("5")));
	fails(f, ex(TW_SUBJ_JSON, "$.total", TW_OP_LT, vstr("abc")),
	      "json $.total: expected: < \"abc\" (string) / actual: 8.5 (number): a string orders only against a string");
	fails(f, ex(TW_SUBJ_JSON, "$.paid", TW_OP_GT, vnum(0, "0")),
	      "json $.paid: expected: > 0 (integer) / actual: true (boolean): not a number");
	fails(f, ex(TW_SUBJ_JSON, "$.total", TW_OP_GT, vbool(true)),
	      "json $.total: expected: > true (boolean) / actual: 8.5 (number): only numbers and strings have an order");
}

static void test_json_string_forms(void **state)
{
	fx *f = *state;
	order(f);
	captures(f, as(ex(TW_SUBJ_JSON, "$.big", TW_OP_EXISTS, vnone()), "x"), "12345678901234567");
	captures(f, as(ex(TW_SUBJ_JSON, "$.tiny", TW_OP_EXISTS, vnone()), "x"), "0.1");
	captures(f, as(ex(TW_SUBJ_JSON, "$.huge", TW_OP_EXISTS, vnone()), "x"), "1e+300");
	captures(f, as(ex(TW_SUBJ_JSON, "$.paid", TW_OP_EXISTS, vnone()), "x"), "true");
	captures(f, as(ex(TW_SUBJ_JSON, "$.note", TW_OP_EXISTS, vnone()), "x"), "null");
	captures(f, as(ex(TW_SUBJ_JSON, "$.meta", TW_OP_EXISTS, vnone()), "x"),
		 "{\"a\":1,\"b\":[1,2]}");
	captures(f, as(ex(TW_SUBJ_JSON, "$.tags", TW_OP_EXISTS, vnone()), "x"),
		 "[\"vegan\",\"gf\"]");
	/* A big integer is a number, not its text. */
	fails(f, ex(TW_SUBJ_JSON, "$.big", TW_OP_EQ, vstr("12345678901234567")),
	      "json $.big: expected: \"12345678901234567\" (string) / actual: 12345678901234567 "
	      "(integer)");
	/* contains on a list is membership (issue 12); an object is no text. */
	pass(f, ex(TW_SUBJ_JSON, "$.tags", TW_OP_CONTAINS, vstr("vegan")));
	fails(f, ex(TW_SUBJ_JSON, "$.tags", TW_OP_CONTAINS, vstr("\"vegan\"")),
	      "json $.tags: expected: contains \"\"vegan\"\" (string) / actual: [\"vegan\",\"gf\"] (list)");
	fails(f, ex(TW_SUBJ_JSON, "$.tags", TW_OP_CONTAINS, vstr("veg")),
	      "json $.tags: expected: contains \"veg\" (string) / actual: [\"vegan\",\"gf\"] (list)");
	fails(f, ex(TW_SUBJ_JSON, "$.meta", TW_OP_CONTAINS, vstr("\"a\":1")),
	      "json $.meta: expected: contains \"\"a\":1\" (string) / actual: {\"a\":1,\"b\":[1,2]} (object): not a string");
	fails(f, ex(TW_SUBJ_JSON, "$.tags", TW_OP_CONTAINS, vstr("halal")),
	      "json $.tags: expected: contains \"halal\" (string) / actual: [\"vegan\",\"gf\"] (list)");
	fails(f, ex(TW_SUBJ_JSON, "$.meta", TW_OP_EQ, vstr("{\"a\":1,\"b\":[1,2]}")),
	      "json $.meta: expected: \"{\"a\":1,\"b\":[1,2]}\" (string) / actual: {\"a\":1,\"b\":[1,2]} (object)");
}

/* Issue 12, capability 3: not before any predicate, starts with, ends
 * with, in [...], is TYPE; capability 6: var NAME. */
static tw_expect neg(tw_expect e)
{
	e.negate = true;
	return e;
}

static tw_value vlist(tw_value *items, size_t n, const char *text)
{
	return (tw_value){.kind = TW_VAL_LIST, .items = items, .item_count = n, .text = (char *)text};
}

static tw_value vtype(const char *name)
{
	return (tw_value){.kind = TW_VAL_TYPE, .text = (char *)name};
}

static void test_predicates(void **state)
{
	fx *f = *state;
	order(f);
	/* not */
	pass(f, neg(ex(TW_SUBJ_JSON, "$.id", TW_OP_EQ, vnum(2, "2"))));
	fails(f, neg(ex(TW_SUBJ_JSON, "$.id", TW_OP_EQ, vnum(1001, "1001"))),
	      "json $.id: expected: not == 1001 (integer) / actual: 1001 (integer)");
	pass(f, neg(ex(TW_SUBJ_JSON, "$.greeting", TW_OP_CONTAINS, vstr("Error"))));
	fails(f, neg(ex(TW_SUBJ_JSON, "$.greeting", TW_OP_CONTAINS, vstr("oven"))),
	      "json $.greeting: expected: not contains \"oven\" (string) / actual: \"Order #1001 "
	      "is in the oven\" (string)");
	/* Sides that do not compare fail with or without not. */
	fails(f, neg(ex(TW_SUBJ_JSON, "$.status", TW_OP_GT, vnum(0, "0"))),
	      "json $.status: expected: not > 0 (integer) / actual: \"cold\" (string): not a number");
	/* Absent fails with not too: nothing to judge. */
	fails(f, neg(ex(TW_SUBJ_JSON, "$.nope", TW_OP_EQ, vnum(1, "1"))), "$.nope matched nothing");
	/* starts with, ends with */
	pass(f, ex(TW_SUBJ_JSON, "$.greeting", TW_OP_STARTS_WITH, vstr("Order #")));
	pass(f, ex(TW_SUBJ_JSON, "$.greeting", TW_OP_ENDS_WITH, vstr("oven")));
	fails(f, ex(TW_SUBJ_JSON, "$.greeting", TW_OP_STARTS_WITH, vstr("oven")),
	      "json $.greeting: expected: starts with \"oven\" (string) / actual: \"Order #1001 is "
	      "in the oven\" (string)");
	pass(f, neg(ex(TW_SUBJ_JSON, "$.greeting", TW_OP_ENDS_WITH, vstr("Order"))));
	/* in */
	tw_value items[] = {vnum(1000, "1000"), vnum(1001, "1001"), vstr("a")};
	pass(f, ex(TW_SUBJ_JSON, "$.id", TW_OP_IN, vlist(items, 3, "[1000, 1001, \"a\"]")));
	fails(f, ex(TW_SUBJ_JSON, "$.ref", TW_OP_IN, vlist(items, 3, "[1000, 1001, \"a\"]")),
	      "json $.ref: expected: in [1000, 1001, \"a\"] (list) / actual: \"1001\" (string)");
	tw_value tpl[] = {vstr("{{who}}")};
	assert_int_equal(tw_vars_set(f->vars, "who", "cold", false), TW_OK);
	pass(f, ex(TW_SUBJ_JSON, "$.status", TW_OP_IN, vlist(tpl, 1, "[\"{{who}}\"]")));
	/* is */
	static const struct {
		const char *query, *type;
		bool is;
	} types[] = {
		{"$.status", "string", true},   {"$.id", "string", false},
		{"$.id", "integer", true},      {"$.total", "integer", false},
		{"$.total", "number", true},    {"$.id", "number", true},
		{"$.paid", "boolean", true},    {"$.note", "null", true},
		{"$.tags", "list", true},       {"$.meta", "object", true},
		{"$.empty", "empty", true},     {"$.tags", "empty", false},
		{"$.status", "date", false},    {"$.status", "uuid", false},
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		tw_expect e = ex(TW_SUBJ_JSON, types[i].query, TW_OP_IS, vtype(types[i].type));
		tw_expect_outcome o = judge(f, e, types[i].is, NULL);
		tw_expect_outcome_free(&o);
	}
	fails(f, ex(TW_SUBJ_JSON, "$.id", TW_OP_IS, vtype("string")),
	      "json $.id: expected: is string / actual: 1001 (integer)");
	tw_response_free(&f->resp);
	tw_response_init(&f->resp, 16u << 20);
	f->resp.easy = f->easy;
	RESPOND(f, 200, "application/json",
		"{\"d\": \"2026-12-02\", \"t\": \"2026-12-02T08:40:57.5+01:00\", \"z\": "
		"\"2026-12-02T08:40:57Z\", \"feb\": \"2025-02-29\", \"u\": "
		"\"123e4567-E89B-12d3-a456-426614174000\", \"bad\": \"123e4567-e89b-12d3-a456\"}");
	pass(f, ex(TW_SUBJ_JSON, "$.d", TW_OP_IS, vtype("date")));
	pass(f, ex(TW_SUBJ_JSON, "$.t", TW_OP_IS, vtype("date")));
	pass(f, ex(TW_SUBJ_JSON, "$.z", TW_OP_IS, vtype("date")));
	pass(f, neg(ex(TW_SUBJ_JSON, "$.feb", TW_OP_IS, vtype("date"))));
	pass(f, ex(TW_SUBJ_JSON, "$.u", TW_OP_IS, vtype("uuid")));
	pass(f, neg(ex(TW_SUBJ_JSON, "$.bad", TW_OP_IS, vtype("uuid"))));
	/* var: a variable's value, as text */
	assert_int_equal(tw_vars_set(f->vars, "order", "1001", false), TW_OK);
	pass(f, ex(TW_SUBJ_VAR, "order", TW_OP_EQ, vnum(1001, "1001")));
	pass(f, ex(TW_SUBJ_VAR, "order", TW_OP_EQ, vstr("1001")));
	pass(f, ex(TW_SUBJ_VAR, "order", TW_OP_IS, vtype("string")));
	fails(f, ex(TW_SUBJ_VAR, "order", TW_OP_STARTS_WITH, vstr("2")),
	      "var order: expected: starts with \"2\" (string) / actual: \"1001\" (string)");
	fails(f, ex(TW_SUBJ_VAR, "nobody", TW_OP_EXISTS, vnone()), "no variable 'nobody'");
	pass(f, ex(TW_SUBJ_VAR, "nobody", TW_OP_NOT_EXISTS, vnone()));
}

static void test_json_literals(void **state)
{
	fx *f = *state;
	order(f);
	pass(f, ex(TW_SUBJ_JSON, "$.paid", TW_OP_EQ, vbool(true)));
	pass(f, ex(TW_SUBJ_JSON, "$.refunded", TW_OP_EQ, vbool(false)));
	fails(f, ex(TW_SUBJ_JSON, "$.paid", TW_OP_EQ, vbool(false)),
	      "json $.paid: expected: false (boolean) / actual: true (boolean)");
	fails(f, ex(TW_SUBJ_JSON, "$.status", TW_OP_EQ, vbool(true)),
	      "json $.status: expected: true (boolean) / actual: \"cold\" (string)");
	fails(f, ex(TW_SUBJ_JSON, "$.paid", TW_OP_EQ, vstr("true")),
	      "json $.paid: expected: \"true\" (string) / actual: true (boolean)");
	pass(f, ex(TW_SUBJ_JSON, "$.paid", TW_OP_EQ, vtpl("true")));
	pass(f, ex(TW_SUBJ_JSON, "$.note", TW_OP_EQ, vnull()));
	pass(f, ex(TW_SUBJ_JSON, "$.status", TW_OP_NE, vnull()));
	fails(f, ex(TW_SUBJ_JSON, "$.refunded", TW_OP_EQ, vnull()),
	      "json $.refunded: expected: null (null) / actual: false (boolean)");
	fails(f, ex(TW_SUBJ_JSON, "$.id", TW_OP_EQ, vnull()), "json $.id: expected: null (null) / actual: 1001 (integer)");
	/* null is there: it exists. */
	pass(f, ex(TW_SUBJ_JSON, "$.note", TW_OP_EXISTS, vnone()));
	fails(f, ex(TW_SUBJ_JSON, "$.note", TW_OP_NOT_EXISTS, vnone()),
	      "json $.note: expected: not exists / actual: null (null)");
}

static void test_json_absent(void **state)
{
	fx *f = *state;
	order(f);
	tw_expect_outcome o = judge(f, ex(TW_SUBJ_JSON, "$.eta", TW_OP_EQ, vstr("soon")), false,
				    "$.eta matched nothing");
	assert_string_equal(o.expected, "\"soon\"");
	assert_true(starts_with(o.actual, "{\"status\": \"cold\", \"id\": 1001"));
	assert_true(strlen(o.actual) <= TW_EXCERPT_MAX);
	tw_expect_outcome_free(&o);
	fails(f, ex(TW_SUBJ_JSON, "$.eta", TW_OP_EXISTS, vnone()), "$.eta matched nothing");
	fails(f, ex(TW_SUBJ_JSON, "$.items[7].name", TW_OP_LT, vnum(1, "1")),
	      "$.items[7].name matched nothing");
	o = judge(f, as(ex(TW_SUBJ_JSON, "$.eta", TW_OP_NOT_EXISTS, vnone()), "e"), true, NULL);
	assert_string_equal(o.captured, "");
	tw_expect_outcome_free(&o);
}

static void test_json_many_matches(void **state)
{
	fx *f = *state;
	order(f);
	/* Issue 12: a query that can select several values gives them all, as
	 * one list; a list of one reads as its element. */
	captures(f, as(ex(TW_SUBJ_JSON, "$.items[0:2].name", TW_OP_EXISTS, vnone()), "n"),
		 "[\"Margherita\",\"Funghi\"]");
	captures(f,
		 as(ex(TW_SUBJ_JSON, "$.items[?(@.name == 'Funghi')].name", TW_OP_EQ,
		       vstr("Funghi")),
		    "n"),
		 "Funghi");
	fails(f, ex(TW_SUBJ_JSON, "$.items[*].name", TW_OP_EQ, vstr("Funghi")),
	      "json $.items[*].name: expected: \"Funghi\" (string) / actual: [\"Margherita\",\"Funghi\",\"Diavola\"] (list)");
}

static void test_json_count(void **state)
{
	fx *f = *state;
	order(f);
	/* One match that is an array: its size. */
	captures(f, as(counted(ex(TW_SUBJ_JSON, "$.items", TW_OP_EQ, vnum(3, "3"))), "n"), "3");
	pass(f, counted(ex(TW_SUBJ_JSON, "$.items[*]", TW_OP_EQ, vnum(3, "3"))));
	pass(f, counted(ex(TW_SUBJ_JSON, "$..name", TW_OP_EQ, vnum(3, "3"))));
	pass(f, counted(ex(TW_SUBJ_JSON, "$..qty", TW_OP_GT, vnum(2, "2"))));
	pass(f, counted(ex(TW_SUBJ_JSON, "$.empty", TW_OP_EQ, vnum(0, "0"))));
	pass(f, counted(ex(TW_SUBJ_JSON, "$.eta", TW_OP_EQ, vnum(0, "0"))));
	/* One match that is an object: its members (as the Filters table
	 * says); any other value is one. */
	pass(f, counted(ex(TW_SUBJ_JSON, "$.meta", TW_OP_EQ, vnum(2, "2"))));
	pass(f, counted(ex(TW_SUBJ_JSON, "$.status", TW_OP_EQ, vnum(1, "1"))));
	tw_expect_outcome o = judge(f, counted(ex(TW_SUBJ_JSON, "$.items", TW_OP_EQ, vnum(1, "1"))),
				    false, "json $.items count: expected: 1 (integer) / actual: 3 (integer)");
	assert_string_equal(o.actual, "3");
	tw_expect_outcome_free(&o);
}

static void test_json_scalar_body(void **state)
{
	fx *f = *state;
	RESPOND(f, 200, "application/json", "42");
	pass(f, ex(TW_SUBJ_JSON, "$", TW_OP_EQ, vnum(42, "42")));
	fails(f, ex(TW_SUBJ_JSON, "$.a", TW_OP_EXISTS, vnone()), "$.a matched nothing");
}

/* Integers beyond 2^53 compare digit for digit, in JSON, in text, in a
 * template and in a list; a written real against an integer compares by
 * value, exactly (review 12 #13). */
static const char IDS[] = "{\"edge\": 9007199254740993, \"id\": 1234567890123456789,"
			  " \"max\": 9223372036854775807, \"min\": -9223372036854775808,"
			  " \"ref\": \"9007199254740993\", \"r\": 2.0, \"half\": 2.5}";

static void test_json_exact_integers(void **state)
{
	fx *f = *state;
	RESPOND(f, 200, "application/json", IDS);
	header(f, "X-Edge: 9007199254740993\r\n");
	pass(f, ex(TW_SUBJ_JSON, "$.edge", TW_OP_EQ, vnum(9007199254740993.0, "9007199254740993")));
	fails(f, ex(TW_SUBJ_JSON, "$.edge", TW_OP_EQ, vnum(9007199254740992.0, "9007199254740992")),
	      "json $.edge: expected: 9007199254740992 (integer) / actual: 9007199254740993 "
	      "(integer)");
	fails(f, ex(TW_SUBJ_JSON, "$.id", TW_OP_EQ,
		    vnum(1234567890123456788.0, "1234567890123456788")),
	      "json $.id: expected: 1234567890123456788 (integer) / actual: 1234567890123456789 "
	      "(integer)");
	pass(f, neg(ex(TW_SUBJ_JSON, "$.id", TW_OP_EQ,
		       vnum(1234567890123456788.0, "1234567890123456788"))));
	pass(f, ex(TW_SUBJ_JSON, "$.id", TW_OP_GT, vnum(1234567890123456788.0, "1234567890123456788")));
	pass(f, ex(TW_SUBJ_JSON, "$.id", TW_OP_LT, vnum(1234567890123456790.0, "1234567890123456790")));
	fails(f, ex(TW_SUBJ_JSON, "$.id", TW_OP_LE, vnum(1234567890123456788.0, "1234567890123456788")),
	      NULL);
	pass(f, ex(TW_SUBJ_JSON, "$.max", TW_OP_EQ, vnum(9223372036854775807.0, "9223372036854775807")));
	pass(f, ex(TW_SUBJ_JSON, "$.max", TW_OP_GT, vnum(9223372036854775806.0, "9223372036854775806")));
	pass(f, ex(TW_SUBJ_JSON, "$.min", TW_OP_EQ, vnum(-9223372036854775808.0, "-9223372036854775808")));
	pass(f, ex(TW_SUBJ_JSON, "$.min", TW_OP_LT, vnum(-9223372036854775807.0, "-9223372036854775807")));
	/* Beyond 64 bits the written value is a double, and compares as one. */
	pass(f, ex(TW_SUBJ_JSON, "$.max", TW_OP_LT, vnum(9223372036854775808.0, "9223372036854775808")));
	pass(f, ex(TW_SUBJ_JSON, "$.min", TW_OP_GT, vnum(-1e19, "-1e19")));
	/* A real against an integer: by value, exactly. */
	pass(f, ex(TW_SUBJ_JSON, "$.r", TW_OP_EQ, vnum(2, "2")));
	pass(f, ex(TW_SUBJ_JSON, "$.half", TW_OP_GT, vnum(2, "2")));
	pass(f, ex(TW_SUBJ_JSON, "$.edge", TW_OP_GT, vnum(9007199254740992.0, "9.007199254740992e15")));
	pass(f, ex(TW_SUBJ_JSON, "$.edge", TW_OP_LT, vnum(9007199254740993.5, "9007199254740993.5")));
	/* A template typed as a number; text that reads as one; a list. */
	assert_int_equal(tw_vars_set(f->vars, "near", "9007199254740992", false), TW_OK);
	fails(f, ex(TW_SUBJ_JSON, "$.edge", TW_OP_EQ, vtpl("{{near}}")), NULL);
	pass(f, ex(TW_SUBJ_JSON, "$.edge", TW_OP_GT, vtpl("{{near}}")));
	pass(f, ex(TW_SUBJ_JSON, "$.ref", TW_OP_GT, vnum(9007199254740992.0, "9007199254740992")));
	fails(f, ex(TW_SUBJ_HEADER, "X-Edge", TW_OP_EQ, vnum(9007199254740992.0, "9007199254740992")),
	      NULL);
	pass(f, ex(TW_SUBJ_HEADER, "X-Edge", TW_OP_EQ, vnum(9007199254740993.0, "9007199254740993")));
	tw_value items[] = {vnum(1, "1"), vnum(9007199254740992.0, "9007199254740992")};
	fails(f, ex(TW_SUBJ_JSON, "$.edge", TW_OP_IN, vlist(items, 2, "[1, 9007199254740992]")),
	      NULL);
}

/* One integer beyond 64 bits in a body leaves every other number as it
 * is written: integers of 64 bits keep every digit, 2.0 stays a real
 * (review 12 #14). */
static void test_json_beyond_64_bits(void **state)
{
	fx *f = *state;
	RESPOND(f, 200, "application/json",
		"{\"big\": 123456789012345678901234567890, \"id\": 1234567890123456789,"
		" \"r\": 2.0, \"s\": \"\\\"12345678901234567890123\","
		" \"l\": [-123456789012345678901234567890, 7, 4.5e1, 1E2]}");
	pass(f, ex(TW_SUBJ_JSON, "$.id", TW_OP_IS, vtype("integer")));
	pass(f, ex(TW_SUBJ_JSON, "$.id", TW_OP_EQ, vnum(1234567890123456789.0, "1234567890123456789")));
	fails(f, ex(TW_SUBJ_JSON, "$.id", TW_OP_EQ,
		    vnum(1234567890123456788.0, "1234567890123456788")),
	      "json $.id: expected: 1234567890123456788 (integer) / actual: 1234567890123456789 "
	      "(integer)");
	fails(f, ex(TW_SUBJ_JSON, "$.r", TW_OP_IS, vtype("integer")),
	      "json $.r: expected: is integer / actual: 2 (number)");
	pass(f, ex(TW_SUBJ_JSON, "$.s", TW_OP_EQ, vstr("\"12345678901234567890123")));
	pass(f, ex(TW_SUBJ_JSON, "$.big", TW_OP_IS, vtype("number")));
	fails(f, ex(TW_SUBJ_JSON, "$.big", TW_OP_IS, vtype("integer")), NULL);
	pass(f, ex(TW_SUBJ_JSON, "$.big", TW_OP_GT, vnum(1.2345678901234e29, "1.2345678901234e29")));
	pass(f, ex(TW_SUBJ_JSON, "$.l[0]", TW_OP_LT, vnum(-1.2345678901234e29, "-1.2345678901234e29")));
	pass(f, ex(TW_SUBJ_JSON, "$.l[1]", TW_OP_IS, vtype("integer")));
	fails(f, ex(TW_SUBJ_JSON, "$.l[2]", TW_OP_IS, vtype("integer")), NULL);
	fails(f, ex(TW_SUBJ_JSON, "$.l[3]", TW_OP_IS, vtype("integer")), NULL);
}

static void test_json_not_json(void **state)
{
	fx *f = *state;
	page(f);
	tw_expect_outcome o = judge(f, ex(TW_SUBJ_JSON, "$.status", TW_OP_EQ, vstr("baking")), false,
				    NULL);
	assert_true(starts_with(o.message, "expected a JSON body, got text/html; charset=utf-8: <!DOCTYPE html>"
			    "<html><head><title> Stage Pizza </title>"));
	assert_true(strlen(o.message) < 250);
	assert_string_equal(o.message + strlen(o.message) - 3, "\xe2\x80\xa6");
	assert_true(starts_with(o.actual, "<!DOCTYPE html>"));
	tw_expect_outcome_free(&o);

	tw_response_reset(&f->resp);
	RESPOND(f, 200, "application/json", "{\"status\": ");
	o = judge(f, ex(TW_SUBJ_JSON, "$.status", TW_OP_EXISTS, vnone()), false, NULL);
	assert_true(starts_with(o.message, "expected a JSON body, got application/json that does not parse: "));
	assert_non_null(strstr(o.message, "line 1"));
	tw_expect_outcome_free(&o);

	tw_response_reset(&f->resp);
	RESPOND(f, 200, NULL, "plain words");
	fails(f, ex(TW_SUBJ_JSON, "$", TW_OP_EXISTS, vnone()),
	      "expected a JSON body, got a body without Content-Type: plain words");

	tw_response_reset(&f->resp);
	RESPOND(f, 204, NULL, "");
	fails(f, ex(TW_SUBJ_JSON, "$", TW_OP_EXISTS, vnone()),
	      "expected a JSON body, got an empty body");
}

static void test_json_bad_query(void **state)
{
	fx *f = *state;
	order(f);
	tw_expect_outcome o = judge(f, ex(TW_SUBJ_JSON, "$.a]", TW_OP_EXISTS, vnone()), false,
				    "invalid JSON query: unexpected ']' at offset 3 in $.a]: "
				    "expected '.' or '['");
	assert_string_equal(o.expected, "exists");
	tw_expect_outcome_free(&o);
	assert_int_equal(tw_vars_set(f->vars, "i", "1", false), TW_OK);
	pass(f, ex(TW_SUBJ_JSON, "$.items[{{i}}].name", TW_OP_EQ, vstr("Funghi")));
}

/* ---- cookies ---- */

static void jar(fx *f, const char *const *lines)
{
	f->easy = curl_easy_init();
	assert_non_null(f->easy);
	assert_int_equal(curl_easy_setopt(f->easy, CURLOPT_COOKIEFILE, ""), CURLE_OK);
	for (; *lines; lines++)
		assert_int_equal(curl_easy_setopt(f->easy, CURLOPT_COOKIELIST, *lines), CURLE_OK);
	f->resp.easy = f->easy;
}

static void test_cookies(void **state)
{
	fx *f = *state;
	page(f);
	const char *const lines[] = {
		"Set-Cookie: session=abc; domain=127.0.0.1",
		"Set-Cookie: token=xyz; domain=127.0.0.1; path=/; HttpOnly",
		"Set-Cookie: empty=; domain=127.0.0.1",
		"127.0.0.1\tFALSE\t/\tFALSE\t946684800\tstale\t1",
		NULL,
	};
	jar(f, lines);
	pass(f, ex(TW_SUBJ_COOKIE, "session", TW_OP_EQ, vstr("abc")));
	captures(f, as(ex(TW_SUBJ_COOKIE, "token", TW_OP_EXISTS, vnone()), "t"), "xyz");
	pass(f, ex(TW_SUBJ_COOKIE, "token", TW_OP_MATCHES, vre("^x", "")));
	pass(f, ex(TW_SUBJ_COOKIE, "empty", TW_OP_EXISTS, vnone()));
	pass(f, ex(TW_SUBJ_COOKIE, "empty", TW_OP_EQ, vstr("")));
	fails(f, ex(TW_SUBJ_COOKIE, "session", TW_OP_EQ, vstr("def")),
	      "cookie session: expected: \"def\" (string) / actual: \"abc\" (string)");
	/* An expired cookie is not in a browser's jar. */
	pass(f, ex(TW_SUBJ_COOKIE, "stale", TW_OP_NOT_EXISTS, vnone()));
	tw_expect_outcome o = judge(f, ex(TW_SUBJ_COOKIE, "cart", TW_OP_EXISTS, vnone()), false,
				    "no cookie 'cart' in the customer's jar");
	assert_string_equal(o.actual, "cookies: session, token, empty");
	tw_expect_outcome_free(&o);
	fails(f, ex(TW_SUBJ_COOKIE, "cart", TW_OP_EQ, vstr("1")),
	      "no cookie 'cart' in the customer's jar");
	fails(f, ex(TW_SUBJ_COOKIE, "session", TW_OP_NOT_EXISTS, vnone()),
	      "cookie session: expected: not exists / actual: \"abc\" (string)");
}

static void test_cookies_without_handle(void **state)
{
	fx *f = *state;
	page(f);
	tw_expect_outcome o = judge(f, ex(TW_SUBJ_COOKIE, "session", TW_OP_EQ, vstr("abc")), false,
				    "no cookie 'session' in the customer's jar");
	assert_string_equal(o.actual, "cookies: none");
	tw_expect_outcome_free(&o);
	pass(f, ex(TW_SUBJ_COOKIE, "session", TW_OP_NOT_EXISTS, vnone()));
}

/* ---- time ---- */

static void test_time(void **state)
{
	fx *f = *state;
	page(f);
	tw_expect_outcome o = judge(f, ex(TW_SUBJ_TIME, NULL, TW_OP_LT, vdur(800, "800ms")), false,
				    "time: expected: < 800ms (duration) / actual: 1234ms (duration)");
	assert_string_equal(o.expected, "< 800ms");
	assert_string_equal(o.actual, "1234ms");
	tw_expect_outcome_free(&o);
	pass(f, ex(TW_SUBJ_TIME, NULL, TW_OP_LT, vdur(2000, "2s")));
	fails(f, ex(TW_SUBJ_TIME, NULL, TW_OP_LE, vdur(1000, "1s")),
	      "time: expected: <= 1s (duration) / actual: 1234ms (duration)");
	fails(f, ex(TW_SUBJ_TIME, NULL, TW_OP_LT, vnum(800, "800")),
	      "time: expected: < 800ms (integer) / actual: 1234ms (duration)");
	pass(f, ex(TW_SUBJ_TIME, NULL, TW_OP_GT, vdur(1234, "1234ms")));
	captures(f, as(ex(TW_SUBJ_TIME, NULL, TW_OP_LT, vdur(1500, "1.5s")), "t"), "1234");
	fails(f, ex(TW_SUBJ_TIME, NULL, TW_OP_LT, vdur(800, NULL)),
	      "time: expected: < 800ms (duration) / actual: 1234ms (duration)");
}

/* ---- contains with an unquoted value ---- */

/* `expect text 8.50`: a word that reads as a number, duration, true, false
 * or null is, after contains, the text written; every subject that takes
 * contains looks for it, and none crashes. */
static const char WRITTEN[] = "v=8.50 d=2s b=true f=false n=null";

/* whole: the subject's value, which a capture keeps. */
static void contains_every_kind(fx *f, tw_subject subject, const char *arg, const char *whole)
{
	const tw_value kinds[] = {
		vnum(8.5, "8.50"), vdur(2000, "2s"), vbool(true), vbool(false), vnull(),
	};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		pass(f, ex(subject, arg, TW_OP_CONTAINS, kinds[i]));
	/* 8.5 is in "8.50", 8.500 is not: the written text, not the number. */
	tw_expect_outcome o = judge(f, ex(subject, arg, TW_OP_CONTAINS, vnum(8.5, "8.500")),
				    false, NULL);
	assert_non_null(strstr(o.message, "expected: contains 8.500 (number)"));
	tw_expect_outcome_free(&o);
	/* Built without its text (not from a script): the number as shown. */
	pass(f, ex(subject, arg, TW_OP_CONTAINS, vnum(8.5, NULL)));
	pass(f, ex(subject, arg, TW_OP_CONTAINS, (tw_value){.kind = TW_VAL_NULL}));
	pass(f, ex(subject, arg, TW_OP_CONTAINS, vnone()));
	captures(f, as(ex(subject, arg, TW_OP_CONTAINS, vnum(8.5, "8.50")), "c"), whole);
}

static void test_contains_unquoted_values(void **state)
{
	fx *f = *state;
	char page_body[256];
	int n = snprintf(page_body, sizeof(page_body),
			 "<html><head><title>%s</title></head><body><p>%s</p></body></html>",
			 WRITTEN, WRITTEN);
	respond(f, 200, "text/html", page_body, (size_t)n);
	header(f, "X-A: v=8.50 d=2s b=true f=false n=null\r\n");
	free(f->resp.url);
	f->resp.url = strdup("http://127.0.0.1/?v=8.50 d=2s b=true f=false n=null");
	const char *const lines[] = {
		"127.0.0.1\tFALSE\t/\tFALSE\t0\tc\tv=8.50 d=2s b=true f=false n=null",
		NULL,
	};
	jar(f, lines);
	contains_every_kind(f, TW_SUBJ_TEXT, NULL, WRITTEN);
	contains_every_kind(f, TW_SUBJ_TITLE, NULL, WRITTEN);
	contains_every_kind(f, TW_SUBJ_HEADER, "X-A", WRITTEN);
	contains_every_kind(f, TW_SUBJ_COOKIE, "c", WRITTEN);
	contains_every_kind(f, TW_SUBJ_XPATH, "//p", WRITTEN);
	pass(f, ex(TW_SUBJ_BODY, NULL, TW_OP_CONTAINS, vnum(8.5, "8.50")));
	pass(f, ex(TW_SUBJ_BODY, NULL, TW_OP_CONTAINS, vnull()));
	pass(f, ex(TW_SUBJ_URL, NULL, TW_OP_CONTAINS, vnum(8.5, "8.50")));
	pass(f, ex(TW_SUBJ_URL, NULL, TW_OP_CONTAINS, vdur(2000, "2s")));
	fails(f, ex(TW_SUBJ_BODY, NULL, TW_OP_CONTAINS, vnum(200, "200")),
	      "body: expected: contains 200 (integer) / actual: \"<html><head><title>v=8.50 d=2s b=true f=false n=null</title></head><body><p>v=8.50 d=2s b=true f=false n=null</p></bo…\" (string)");
	pass(f, ex(TW_SUBJ_STATUS, NULL, TW_OP_CONTAINS, vnum(20, "20")));
	fails(f, ex(TW_SUBJ_STATUS, NULL, TW_OP_CONTAINS, vbool(true)),
	      "status: expected: contains true (boolean) / actual: 200 (integer)");

	tw_response_free(&f->resp);
	tw_response_init(&f->resp, 16u << 20);
	f->resp.easy = f->easy;
	n = snprintf(page_body, sizeof(page_body), "{\"a\": \"%s\", \"n\": 8.5, \"t\": true}",
		     WRITTEN);
	respond(f, 200, "application/json", page_body, (size_t)n);
	contains_every_kind(f, TW_SUBJ_JSON, "$.a", WRITTEN);
	/* A JSON number or boolean is no text to look into (review #4). */
	fails(f, ex(TW_SUBJ_JSON, "$.n", TW_OP_CONTAINS, vnum(8.5, "8.5")),
	      "json $.n: expected: contains 8.5 (number) / actual: 8.5 (number): not a string");
	fails(f, ex(TW_SUBJ_JSON, "$.t", TW_OP_CONTAINS, vbool(true)),
	      "json $.t: expected: contains true (boolean) / actual: true (boolean): not a string");
	contains_every_kind(f, TW_SUBJ_BODY, NULL, page_body);
	contains_every_kind(f, TW_SUBJ_TEXT, NULL, page_body);
}

/* ---- a page nested past libxml2's limit ---- */

/* The header block kept per response is capped; a new hop starts again. */
static void test_header_block_cap(void **state)
{
	fx *f = *state;
	char line[1030];
	memset(line, 'h', sizeof(line));
	memcpy(line, "X-H: ", 5);
	memcpy(line + sizeof(line) - 2, "\r\n", 2);
	assert_int_equal(tw_response_header_line(&f->resp, "HTTP/1.1 200 OK\r\n", 17), TW_OK);
	size_t kept = 17;
	int rc = TW_OK;
	while (rc == TW_OK) {
		rc = tw_response_header_line(&f->resp, line, sizeof(line));
		kept += sizeof(line);
	}
	assert_int_equal(rc, TW_ELIMIT);
	assert_true(kept > TW_RESPONSE_HEADERS_MAX);
	assert_true(kept - sizeof(line) <= TW_RESPONSE_HEADERS_MAX);
	/* A redirect's next hop has a fresh allowance. */
	assert_int_equal(tw_response_header_line(&f->resp, "HTTP/1.1 200 OK\r\n", 17), TW_OK);
	assert_int_equal(tw_response_header_line(&f->resp, line, sizeof(line)), TW_OK);
	assert_int_equal(f->resp.header_count, 1);
}

/* The final hop's reason phrase is kept for messages, cut to a readable
 * size on a character boundary; a status line without one leaves none. */
static void test_status_reason(void **state)
{
	fx *f = *state;
	const char *hop = "HTTP/1.1 302 Found\r\n", *last = "HTTP/1.1 500 Internal Server Error\r\n";
	assert_int_equal(tw_response_header_line(&f->resp, hop, strlen(hop)), TW_OK);
	assert_string_equal(f->resp.reason, "Found");
	assert_int_equal(tw_response_header_line(&f->resp, last, strlen(last)), TW_OK);
	assert_string_equal(f->resp.reason, "Internal Server Error");
	char line[300] = "HTTP/1.1 500 x";
	for (size_t i = strlen(line); i + 2 < 200; i += 2)
		strcat(line, "\xc3\xa9"); /* an e with an accent: two bytes */
	assert_int_equal(tw_response_header_line(&f->resp, line, strlen(line)), TW_OK);
	assert_int_equal(strlen(f->resp.reason), 79); /* "x" and 39 whole characters */
	assert_int_equal(tw_response_header_line(&f->resp, "HTTP/2 500\r\n", 12), TW_OK);
	assert_null(f->resp.reason);
}

/* ---- templates and misuse ---- */

static void test_template_errors(void **state)
{
	fx *f = *state;
	order(f);
	tw_expect_outcome o = judge(f, ex(TW_SUBJ_JSON, "$.id", TW_OP_EQ, vstr("{{order}}")), false,
				    "variable 'order' is not set");
	assert_null(o.expected);
	assert_null(o.actual);
	tw_expect_outcome_free(&o);
	fails(f, ex(TW_SUBJ_HEADER, "{{missing}}", TW_OP_EXISTS, vnone()),
	      "variable 'missing' is not set");
	fails(f, ex(TW_SUBJ_TEXT, NULL, TW_OP_MATCHES, vre("Order {{n", "")),
	      "unclosed {{: expected }}");
	fails(f, as(ex(TW_SUBJ_STATUS, NULL, TW_OP_EQ, vstr("{{ }}")), "x"),
	      "empty {{ }}: expected a variable name");
}

static void test_misuse(void **state)
{
	fx *f = *state;
	page(f);
	/* count counts a header's values: the page has X-Request-Id twice. */
	pass(f, counted(ex(TW_SUBJ_HEADER, "X-Request-Id", TW_OP_EQ, vnum(2, "2"))));
	fails(f, ex(TW_SUBJ_JSON, NULL, TW_OP_EXISTS, vnone()), "json needs a query");
}

static void test_outcome_free(void **state)
{
	(void)state;
	tw_expect_outcome o = {0};
	tw_expect_outcome_free(&o);
	tw_expect_outcome_free(NULL);
	o.message = strdup("m");
	o.captured = strdup("c");
	tw_expect_outcome_free(&o);
	assert_null(o.message);
	assert_null(o.captured);
}

/* ---- excerpts ---- */

static void assert_excerpt(const char *text, size_t len, const char *focus, size_t max,
			   const char *want)
{
	char *e = tw_excerpt(text, len, focus, max, NULL);
	assert_non_null(e);
	assert_string_equal(e, want);
	assert_true(strlen(e) <= max);
	free(e);
}

static void test_excerpt_short(void **state)
{
	(void)state;
	assert_excerpt("Today's menu", 12, NULL, 400, "Today's menu");
	assert_excerpt(NULL, 0, NULL, 400, "");
	assert_excerpt("", 0, NULL, 400, "");
	assert_excerpt("  a \n\n\t b\r\n  ", 13, NULL, 400, "a b");
	assert_excerpt("a\x01" "b\x7f" "c", 5, NULL, 400, "a b c");
	assert_excerpt("nul\0inside", 10, NULL, 400, "nul inside");
	/* Only len bytes count. */
	assert_excerpt("abcdef", 3, NULL, 400, "abc");
	assert_excerpt("abc", 3, NULL, 0, "");
}

static void test_excerpt_cut(void **state)
{
	(void)state;
	const char *alpha = "abcdefghijklmnopqrstuvwxyz";
	assert_excerpt(alpha, 26, NULL, 26, alpha);
	assert_excerpt(alpha, 26, NULL, 20, "abcdefghijklmnopq\xe2\x80\xa6");
	/* A cut after a space does not leave it dangling. */
	assert_excerpt("abcd efgh ijkl mnop", 19, NULL, 14, "abcd efgh i\xe2\x80\xa6");
	assert_excerpt("abcd efgh ijkl mnop", 19, NULL, 13, "abcd efgh\xe2\x80\xa6");
	/* Trailing whitespace beyond the limit is no cut. */
	assert_excerpt("abcdefghijkl        ", 20, NULL, 12, "abcdefghijkl");
	/* Too small for "…": a plain cut. */
	assert_excerpt(alpha, 26, NULL, 5, "abcde");
}

static void test_excerpt_multibyte(void **state)
{
	(void)state;
	/* é is two bytes: 17 bytes of room hold eight of them. */
	const char *e = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";
	assert_excerpt(e, strlen(e), NULL, 20,
		       "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		       "\xe2\x80\xa6");
	/* A four-byte character that would straddle the limit goes whole. */
	const char *emoji = "ab\xf0\x9f\x8d\x95\xf0\x9f\x8d\x95\xf0\x9f\x8d\x95\xf0\x9f\x8d\x95";
	assert_excerpt(emoji, strlen(emoji), NULL, 15,
		       "ab\xf0\x9f\x8d\x95\xf0\x9f\x8d\x95\xe2\x80\xa6");
	assert_excerpt(emoji, strlen(emoji), NULL, 13,
		       "ab\xf0\x9f\x8d\x95\xf0\x9f\x8d\x95\xe2\x80\xa6");
	assert_excerpt(emoji, strlen(emoji), NULL, 12, "ab\xf0\x9f\x8d\x95\xe2\x80\xa6");
	/* Invalid bytes become U+FFFD; a truncated sequence too. */
	assert_excerpt("a\xff" "b\xc3", 4, NULL, 400, "a\xef\xbf\xbd" "b\xef\xbf\xbd");
	/* Overlong and surrogate encodings are not UTF-8. */
	assert_excerpt("\xc0\xaf\xed\xa0\x80", 5, NULL, 400,
		       "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

static void test_excerpt_focus(void **state)
{
	(void)state;
	char text[1001];
	for (int i = 0; i < 1000; i++)
		text[i] = (char)('a' + i % 26);
	memcpy(text + 500, "NEEDLE", 6);
	text[1000] = '\0';

	/* A position in the text. */
	char *e = tw_excerpt(text, 1000, text + 500, 100, NULL);
	assert_non_null(e);
	assert_true(strlen(e) <= 100);
	assert_true(starts_with(e, "\xe2\x80\xa6"));
	assert_string_equal(e + strlen(e) - 3, "\xe2\x80\xa6");
	char *n = strstr(e, "NEEDLE");
	assert_non_null(n);
	/* Roughly in the middle. */
	assert_true(n - e > 30 && n - e < 70);
	free(e);

	/* A string to find. */
	e = tw_excerpt(text, 1000, "NEEDLE", 100, NULL);
	assert_non_null(e);
	n = strstr(e, "NEEDLE");
	assert_non_null(n);
	assert_true(n - e > 30 && n - e < 70);
	free(e);

	/* Not found: the start. */
	assert_excerpt(text, 1000, "HAYSTACK", 20, "abcdefghijklmnopq\xe2\x80\xa6");
	/* Near the end: a full window ending with the text. */
	e = tw_excerpt(text, 1000, text + 998, 100, NULL);
	assert_non_null(e);
	assert_true(strlen(e) >= 90);
	assert_true(starts_with(e, "\xe2\x80\xa6"));
	assert_true(strncmp(e + strlen(e) - 5, text + 995, 5) == 0);
	free(e);
	/* Near the start: no leading "…". */
	e = tw_excerpt(text, 1000, text + 10, 100, NULL);
	assert_true(starts_with(e, "abcdefghij"));
	free(e);
	/* The whole text fits: the focus changes nothing. */
	assert_excerpt("short NEEDLE text", 17, "NEEDLE", 400, "short NEEDLE text");
}

static void test_excerpt_focus_multibyte(void **state)
{
	(void)state;
	/* A window that would start inside a character moves past it. */
	char text[601];
	for (int i = 0; i < 600; i += 2)
		memcpy(text + i, "\xc3\xa9", 2);
	text[600] = '\0';
	for (size_t at = 250; at < 260; at++) {
		char *e = tw_excerpt(text, 600, text + at, 51, NULL);
		assert_non_null(e);
		assert_true(strlen(e) <= 51);
		assert_true(starts_with(e, "\xe2\x80\xa6\xc3\xa9"));
		assert_string_equal(e + strlen(e) - 5, "\xc3\xa9\xe2\x80\xa6");
		free(e);
	}
}

/* Secrets are masked before the excerpt cuts or folds: a window's end in
 * the middle of one, a window's start in the middle of one (also
 * percent-encoded), and whitespace inside one folded to a single space,
 * all show *** and no piece of it. */
static void test_excerpt_masks_before_cutting(void **state)
{
	(void)state;
	tw_redact r = {0};
	assert_int_equal(tw_redact_add(&r, "S3cr3tPa55"), TW_OK);
	assert_int_equal(tw_redact_add(&r, "two  spaces"), TW_OK);
	char text[301];
	memset(text, 'a', 300);
	text[300] = '\0';
	memcpy(text + 110, "S3cr3tPa55", 10);
	memcpy(text + 200, "S3%63r3tPa%355", 14);

	char *e = tw_excerpt(text, 300, NULL, 120, &r);
	assert_null(strstr(e, "S3c"));
	assert_non_null(strstr(e, TW_REDACTED));
	free(e);
	/* Windows of 100 centred 47 bytes after the start, inside each. */
	e = tw_excerpt(text, 300, text + 115 + 47, 100, &r);
	assert_null(strstr(e, "Pa55"));
	assert_true(starts_with(e, "\xe2\x80\xa6" TW_REDACTED "aaa"));
	free(e);
	e = tw_excerpt(text, 300, text + 207 + 47, 100, &r);
	assert_null(strstr(e, "a%35"));
	assert_true(starts_with(e, "\xe2\x80\xa6" TW_REDACTED "aaa"));
	free(e);

	e = tw_excerpt("with two  spaces inside", 23, NULL, 400, &r);
	assert_string_equal(e, "with " TW_REDACTED " inside");
	free(e);
	tw_redact_free(&r);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_status),
		T(test_header),
		T(test_header_empty_value),
		T(test_header_list_cut_is_marked),
		T(test_text_html),
		T(test_text_long_page),
		T(test_text_plain_with_nul),
		T(test_body),
		T(test_body_empty),
		T(test_regex_flags_and_templates),
		T(test_catastrophic_backtracking),
		T(test_invalid_utf8),
		T(test_charset),
		T(test_charset_html),
		T(test_charset_unknown),
		T(test_title),
		T(test_title_missing),
		T(test_url),
		T(test_xpath_nodes),
		T(test_xpath_absent),
		T(test_xpath_values),
		T(test_xpath_count),
		T(test_xpath_errors),
		T(test_xpath_bodies),
		T(test_xml_whatever_content_type),
		T(test_deep_documents),
		T(test_json_strings),
		T(test_json_numbers),
		T(test_json_string_forms),
		T(test_json_literals),
		T(test_predicates),
		T(test_json_absent),
		T(test_json_many_matches),
		T(test_json_count),
		T(test_json_scalar_body),
		T(test_json_exact_integers),
		T(test_json_beyond_64_bits),
		T(test_json_not_json),
		T(test_json_bad_query),
		T(test_cookies),
		T(test_cookies_without_handle),
		T(test_time),
		T(test_contains_unquoted_values),
		T(test_header_block_cap),
		T(test_status_reason),
		T(test_template_errors),
		T(test_misuse),
		cmocka_unit_test(test_outcome_free),
		cmocka_unit_test(test_excerpt_short),
		cmocka_unit_test(test_excerpt_cut),
		cmocka_unit_test(test_excerpt_multibyte),
		cmocka_unit_test(test_excerpt_focus),
		cmocka_unit_test(test_excerpt_focus_multibyte),
		cmocka_unit_test(test_excerpt_masks_before_cutting),
	};
#undef T
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	xmlCleanupParser();
	return failed;
}
