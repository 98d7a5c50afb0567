/*
 * What the expectation tests built from a script's words share (test_filter.c,
 * test_predicate.c): a hand-built JSON response with two Set-Cookie headers,
 * BODY with a value for every filter, and judge(), which parses `expect
 * LINE` and evaluates it with tw_expect_eval. Static: each test includes it
 * once. No network.
 */
#ifndef TW_TESTS_UNIT_JUDGE_H
#define TW_TESTS_UNIT_JUDGE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/redact.h"
#include "expectations/expect.h"
#include "language/parser.h"

typedef struct fx {
	tw_response resp;
	tw_vars *vars;
	tw_redact *redact; /* NULL: no secrets */
} fx;

static const char BODY[] =
	"{\"ids\": [3, 5, 8], \"one\": [42], \"none\": [], \"price\": \"12\", \"bad\": \"abc\","
	" \"ratio\": \"0.75\", \"real\": 7.9, \"tags\": \"pizza,vegan,gf\","
	" \"token\": \"eyJzdWIiOiAiYWRhIn0\", \"jwt\": \"eyJhIjoifn5-In0\","
	" \"next\": \"https://x.test/o?page=3&sort=new+first&q=caf%C3%A9#top\","
	" \"title\": \"Fish &amp; Chips &#8364;9 &#x1F355; &bogus; &\","
	" \"path\": \"caf%C3%A9%20menu\", \"opened\": \"2020-02-29\","
	" \"stamp\": \"2020-02-29T23:30:00+01:30\", \"order\": \"Order #1001 is ready\","
	" \"inner\": \"{\\\"a\\\": [1, 2]}\", \"obj\": {\"a\": 1, \"b\": 2}, \"soon\": \"SOON\"}";

static int setup(void **state)
{
	fx *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	tw_response_init(&f->resp, 16u << 20);
	f->vars = tw_vars_new();
	f->resp.status = 200;
	const char *lines[] = {"HTTP/1.1 200 OK\r\n", "Content-Type: application/json\r\n",
			       "Set-Cookie: flavour=margherita; Path=/\r\n",
			       "Set-Cookie: size=large; Path=/; HttpOnly\r\n",
			       "X-Count: 296\r\n"};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		assert_int_equal(tw_response_header_line(&f->resp, lines[i], strlen(lines[i])),
				 TW_OK);
	f->resp.content_type = strdup("application/json");
	*state = f;
	return f->vars && f->resp.content_type ? 0 : -1;
}

static void body(fx *f, const char *text)
{
	/* "SOON" in BODY: a date three and a half days from now. */
	char soon[32];
	time_t t = time(NULL) + 3 * 86400 + 43200;
	struct tm tm;
	strftime(soon, sizeof(soon), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	const char *at = strstr(text, "SOON");
	if (at) {
		assert_int_equal(tw_buf_append(&f->resp.body, text, (size_t)(at - text)), TW_OK);
		assert_int_equal(tw_buf_append(&f->resp.body, soon, strlen(soon)), TW_OK);
		text = at + 4;
	}
	assert_int_equal(tw_buf_append(&f->resp.body, text, strlen(text)), TW_OK);
}

static int teardown(void **state)
{
	fx *f = *state;
	tw_response_free(&f->resp);
	tw_vars_free(f->vars);
	free(f);
	return 0;
}

/* Parses `expect LINE` and judges it; asserts the verdict and, when not
 * NULL, the message (or the capture for a pass with `as`). */
static void judge(fx *f, const char *line, bool passed, const char *message)
{
	char text[1024];
	snprintf(text, sizeof(text), "scene \"S\"\n  expect %s\n", line);
	tw_script *s = NULL;
	tw_error err = {0};
	if (tw_parse(&s, "t.rehearsal", text, strlen(text), &err) != TW_OK)
		fail_msg("%s: %s", line, err.message);
	const tw_expect *e = &s->scenes[0].steps[0].expect;
	tw_expect_outcome o;
	assert_int_equal(tw_expect_eval(e, &f->resp, f->vars, f->redact, &o), TW_OK);
	if (o.passed != passed)
		fail_msg("%s: expected %s, got %s: %s", line, passed ? "a pass" : "a failure",
			 o.passed ? "a pass" : "a failure", o.message);
	const char *got = passed && e->capture ? o.captured : o.message;
	if (message && (!got || strcmp(got, message) != 0))
		fail_msg("%s:\nexpected: %s\ngot:      %s", line, message, got ? got : "(null)");
	tw_expect_outcome_free(&o);
	tw_script_free(s);
}

#define PASS(f, line) judge((f), (line), true, NULL)
#define CAPTURES(f, line, want) judge((f), (line), true, (want))
#define FAILS(f, line, message) judge((f), (line), false, (message))

#endif
