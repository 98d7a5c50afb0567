/*
 * Unit tests for the rehearsal checker (harness/language/check.c): every
 * problem is found, each at the right line and column, and nothing that
 * would run is flagged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "language/ast.h"
#include "techweek/script.h"
#include "techweek/vars.h"

typedef struct expected {
	int line, col;
	const char *prefix;
} expected;

static tw_script *parse(const char *text)
{
	tw_script *s = NULL;
	tw_error err = {0};
	if (tw_script_parse(&s, "shop.rehearsal", text, strlen(text), &err) != TW_OK) {
		char *m = tw_error_format(&err);
		fail_msg("parse failed for:\n%s\n%s", text, m ? m : "?");
	}
	return s;
}

/* Checks text against given and asserts exactly the expected problems,
 * in order. */
static void check_is(const char *text, const tw_vars *given, const expected *want, size_t n)
{
	tw_script *s = parse(text);
	tw_errors problems = {0};
	size_t got = tw_script_check(s, given, &problems);
	bool ok = got == n && problems.count == n;
	for (size_t i = 0; ok && i < n; i++) {
		const tw_error *e = &problems.items[i];
		ok = e->code == TW_ECHECK && e->line == want[i].line && e->col == want[i].col &&
		     e->message && strncmp(e->message, want[i].prefix, strlen(want[i].prefix)) == 0 &&
		     e->file && strcmp(e->file, "shop.rehearsal") == 0 &&
		     (e->line == 0 || (e->source_line &&
				       strcmp(e->source_line, tw_script_line(s, e->line)) == 0));
	}
	if (!ok) {
		fprintf(stderr, "for:\n%s\nexpected %zu problem(s):\n", text, n);
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "  %d:%d: %s...\n", want[i].line, want[i].col, want[i].prefix);
		fprintf(stderr, "got %zu:\n", problems.count);
		for (size_t i = 0; i < problems.count; i++)
			fprintf(stderr, "  %d:%d: %s\n", problems.items[i].line, problems.items[i].col,
				problems.items[i].message);
	}
	tw_errors_clear(&problems);
	tw_script_free(s);
	assert_true(ok);
}

#define CHECK(text, given, ...)                                                   \
	do {                                                                      \
		const expected want_[] = {__VA_ARGS__};                           \
		check_is(text, given, want_, sizeof(want_) / sizeof(want_[0]));   \
	} while (0)

#define CHECK_CLEAN(text, given) check_is(text, given, NULL, 0)

static const char *const shop = "rehearsal \"Order a pizza\"\n"
				"cast\n"
				"  name = Ada Lovelace\n"
				"  greeting = Hello {{name}}\n"
				"  card = {{secret CARD_NUMBER}}\n"
				"  stage\n"
				"scene \"Order\"\n"
				"  visit {{stage}}/\n"
				"  click \"Margherita\"\n"
				"  fill \"Your name\" with {{name}}\n"
				"  fill notes with {{env KITCHEN_NOTE}} {{greeting}}\n"
				"  submit \"Place order\"\n"
				"  expect text ~ /Order #(\\d+) confirmed/ as order\n"
				"backstage \"Kitchen\"\n"
				"  get {{stage}}/api/orders/{{order}}\n"
				"    header Authorization: Bearer {{card}}\n"
				"  expect json $.id == {{order}}\n"
				"  expect xpath \"//h1[contains(., '{{order}}')]\" exists\n";

static void test_clean_script(void **state)
{
	(void)state;
	CHECK_CLEAN(shop, NULL);
	tw_vars *given = tw_vars_new();
	tw_vars_set(given, "stage", "http://127.0.0.1:8080", false);
	CHECK_CLEAN(shop, given);
	tw_vars_free(given);
}

static void test_value_less_cast_entry(void **state)
{
	(void)state;
	tw_vars *given = tw_vars_new();
	tw_vars_set(given, "other", "x", false);
	/* Reported once, where it is declared; its uses are not repeated. */
	CHECK(shop, given, {6, 3, "cast 'stage' has no value: give it one with --var stage=VALUE"});
	tw_vars_free(given);
}

static void test_given_names_are_known(void **state)
{
	(void)state;
	tw_vars *given = tw_vars_new();
	tw_vars_set(given, "base", "http://x", false);
	CHECK_CLEAN("scene \"S\"\n  visit {{base}}/\n", given);
	CHECK("scene \"S\"\n  visit {{base}}/\n", NULL,
	      {2, 9, "unknown variable 'base': expected a cast name, a --var, or a capture"});
	/* The suggestion looks at given names too. */
	CHECK("scene \"S\"\n  visit {{bsae}}/\n", given,
	      {2, 9, "unknown variable 'bsae' (did you mean 'base'?)"});
	tw_vars_free(given);
}

/* issue 12: a poll needs the expectations it waits for. */
static void test_retry_needs_expectations(void **state)
{
	(void)state;
	CHECK("scene \"S\"\n  get http://x/\n    retry 3 every 1s\n", NULL,
	      {3, 5, "'retry' polls until the expectations right after the request hold, and "
		     "none follows it"});
	CHECK("scene \"S\"\n  get http://x/\n    retry 3 every 1s\n  visit http://x/\n"
	      "  expect status 200\n",
	      NULL, {3, 5, "'retry' polls until the expectations"});
	CHECK_CLEAN("scene \"S\"\n  get http://x/\n    retry 3 every 1s\n  expect status 200\n",
		    NULL);
}

/* issue 12, web: the templates of click (its text, its row's words),
 * the header lines under click and submit, and attach's file */
static void test_web_steps(void **state)
{
	(void)state;
	CHECK("scene \"S\"\n  click \"{{a}}\" in \"{{b}}\"\n    header X: {{c}}\n"
	      "  submit\n    header Y: {{d}}\n  attach {{e}} to {{f}}\n",
	      NULL, {2, 10, "unknown variable 'a'"}, {2, 21, "unknown variable 'b'"},
	      {3, 15, "unknown variable 'c'"}, {5, 15, "unknown variable 'd'"},
	      {6, 10, "unknown variable 'e'"}, {6, 19, "unknown variable 'f'"});
	/* a written-out file must be there, relative to the rehearsal */
	CHECK("scene \"S\"\n  attach no-such-file.png to Photo\n", NULL,
	      {2, 10, "no file 'no-such-file.png' to attach (No such file or directory): the "
		      "path is relative to the rehearsal"});
}

static void test_unknown_variable(void **state)
{
	(void)state;
	CHECK("cast\n  order = 1\nscene \"S\"\n  visit /x/{{ordr}}\n", NULL,
	      {4, 12, "unknown variable 'ordr' (did you mean 'order'?)"});
	/* Two uses on one line: two problems, each at its own column. */
	CHECK("scene \"S\"\n  visit {{a}}/{{ a }}/{{b}}\n", NULL,
	      {2, 9, "unknown variable 'a'"}, {2, 15, "unknown variable 'a'"},
	      {2, 23, "unknown variable 'b'"});
	/* env and secret are the runner's business. */
	CHECK_CLEAN("scene \"S\"\n  visit {{env TW_SURELY_UNSET}}/{{ secret NOPE }}\n", NULL);
}

static void test_captures(void **state)
{
	(void)state;
	/* Used before captured, with the capture's line. */
	CHECK("scene \"S\"\n"
	      "  visit /orders/{{order}}\n"
	      "  expect text ~ /Order #(\\d+)/ as order\n"
	      "  visit /orders/{{order}}\n",
	      NULL, {2, 17, "variable 'order' is used before it is captured (line 3)"});
	/* Not in the capturing step itself either. */
	CHECK("scene \"S\"\n  visit /\n  expect text ~ /x {{n}}/ as n\n", NULL,
	      {3, 20, "variable 'n' is used before it is captured (line 3)"});
	/* A capture carries into later scenes and backstage. */
	CHECK_CLEAN("scene \"A\"\n  visit /\n  expect json $.id exists as id\n"
		    "backstage \"B\"\n  get /api/{{id}}\n    header X-Id: {{id}}\n"
		    "  expect json $.id == {{id}}\n",
		    NULL);
	/* A capture in a later scene does not help an earlier one. */
	CHECK("scene \"A\"\n  visit /{{id}}\nscene \"B\"\n  visit /\n  expect json $.id exists as id\n",
	      NULL, {2, 10, "variable 'id' is used before it is captured (line 5)"});
}

static void test_cast_values(void **state)
{
	(void)state;
	CHECK_CLEAN("cast\n  a = 1\n  b = {{a}}-{{env HOME}}\nscene \"S\"\n  visit /{{b}}\n", NULL);
	CHECK("cast\n  b = {{a}}\n  a = 1\nscene \"S\"\n  visit /\n", NULL,
	      {2, 7, "variable 'a' is used before it is defined (line 3)"});
	CHECK("cast\n  a = x{{a}}\nscene \"S\"\n  visit /\n", NULL, {2, 8, "cast 'a' uses itself"});
	CHECK("cast\n  a = {{later}}\nscene \"S\"\n  visit /\n  expect status 200 as later\n", NULL,
	      {2, 7, "variable 'later' is used before it is captured (line 5)"});
}

static void test_malformed_templates(void **state)
{
	(void)state;
	CHECK("scene \"S\"\n  visit {{stage/x\n", NULL, {2, 9, "unclosed {{: expected }}"});
	CHECK("scene \"S\"\n  click \"a\\\"b {{ }}\"\n", NULL,
	      {2, 15, "empty {{ }}: expected a variable name"});
	CHECK("scene \"S\"\n  fill x with {{1x}}\n", NULL,
	      {2, 15, "a variable name cannot start with a digit"});
	CHECK("scene \"S\"\n  fill x with {{env}}{{nope X}}\n", NULL,
	      {2, 15, "unknown variable 'env'"},
	      {2, 22, "expected {{name}}, {{env NAME}} or {{secret NAME}}"});
}

/* Every place a template can be, each at its column. */
static void test_every_template_position(void **state)
{
	(void)state;
	/* Issue 12: the rehearsal's header lines, header names, auth, part
	 * type and file name, and each line of a fence where it is written. */
	CHECK("header {{hn}}: {{hv}}\n"                       /* 1 */
	      "scene \"S\"\n"                                  /* 2 */
	      "  post /\n"                                     /* 3 */
	      "    header X-{{n}}: 1\n"                       /* 4 */
	      "    auth {{u}}:{{p}}\n"                        /* 5 */
	      "    body ```\n"                                /* 6 */
	      "      a {{f1}}\n"                              /* 7 */
	      "        {{f2}}\n"                              /* 8 */
	      "      ```\n"                                   /* 9 */
	      "  post /\n"                                     /* 10 */
	      "    part a file {{pf}} type \"{{pt}}\" as {{pa}}\n", /* 11 */
	      NULL,
	      {1, 8, "unknown variable 'hn'"},   {1, 16, "unknown variable 'hv'"},
	      {4, 14, "unknown variable 'n'"},   {5, 10, "unknown variable 'u'"},
	      {5, 16, "unknown variable 'p'"},   {7, 9, "unknown variable 'f1'"},
	      {8, 9, "unknown variable 'f2'"},   {11, 17, "unknown variable 'pf'"},
	      {11, 30, "unknown variable 'pt'"}, {11, 41, "unknown variable 'pa'"});
	CHECK("scene \"S\"\n"
	      "  post /{{u}}\n"                                /* 2 */
	      "    header X-A: {{h}}\n"                        /* 3 */
	      "    query {{qn}} = {{qv}}\n"                    /* 4 */
	      "    form f = {{fv}}\n"                          /* 5 */
	      "  post /\n"                                     /* 6 */
	      "    part \"{{pn}}\" file {{pf}}\n"              /* 7 */
	      "  post /\n"                                     /* 8 */
	      "    json {\"a\": \"{{j}}\"}\n"                  /* 9 */
	      "  put /\n"                                      /* 10 */
	      "    body x {{b}}\n"                             /* 11 */
	      "  click {{c}}\n"                                /* 12 */
	      "  fill \"\\\"{{ft}}\" with \"\\\\\\\\{{fv2}}\"\n" /* 13 */
	      "  choose {{co}} from {{ct}}\n"                  /* 14 */
	      "  tick {{t}}\n"                                 /* 15 */
	      "  untick {{ut}}\n"                              /* 16 */
	      "  submit {{s}}\n"                               /* 17 */
	      "  expect text \"{{v}}\"\n"                      /* 18 */
	      "  expect body ~ /a\\/{{r}}/\n"                  /* 19 */
	      "  expect xpath \"//a[@id='{{x}}']\" exists\n"   /* 20 */
	      "  expect json \"$['{{jq}}']\" == {{jv}}\n",     /* 21 */
	      NULL,
	      {2, 9, "unknown variable 'u'"},   {3, 17, "unknown variable 'h'"},
	      {4, 11, "unknown variable 'qn'"},  {4, 20, "unknown variable 'qv'"},
	      {5, 14, "unknown variable 'fv'"},  {7, 11, "unknown variable 'pn'"},
	      {7, 24, "unknown variable 'pf'"},  {9, 17, "unknown variable 'j'"},
	      {11, 12, "unknown variable 'b'"},  {12, 9, "unknown variable 'c'"},
	      {13, 11, "unknown variable 'ft'"}, {13, 29, "unknown variable 'fv2'"},
	      {14, 10, "unknown variable 'co'"}, {14, 22, "unknown variable 'ct'"},
	      {15, 8, "unknown variable 't'"},   {16, 10, "unknown variable 'ut'"},
	      {17, 10, "unknown variable 's'"},  {18, 16, "unknown variable 'v'"},
	      {19, 21, "unknown variable 'r'"},  {20, 26, "unknown variable 'x'"},
	      {21, 19, "unknown variable 'jq'"}, {21, 32, "unknown variable 'jv'"});
	/* A request's modifiers in any order, the body among them: in line
	 * order, each at its column. */
	CHECK("scene \"S\"\n"
	      "  post /{{u}}\n"                  /* 2 */
	      "    timeout 5s\n"                 /* 3 */
	      "    json {\"a\": \"{{j}}\"}\n"     /* 4 */
	      "    # a comment\n"                /* 5 */
	      "    header X-A: {{h}}\n"          /* 6 */
	      "    query q = {{q}}\n"            /* 7 */
	      "  call /v from {{f}} to {{t}}\n", /* 8 */
	      NULL,
	      {2, 9, "unknown variable 'u'"}, {4, 17, "unknown variable 'j'"},
	      {6, 17, "unknown variable 'h'"}, {7, 15, "unknown variable 'q'"},
	      {8, 3, "'call' is a phone step: use it in a scene on ivr"},
	      {8, 16, "unknown variable 'f'"}, {8, 25, "unknown variable 't'"});
}

static void test_scenes(void **state)
{
	(void)state;
	CHECK("scene \"Order\"\n  visit /\nscene \"order\"\n  visit /\n"
	      "backstage   \"Order\"\n  get /\n",
	      NULL, {5, 13, "duplicate scene name 'Order' (first on line 1)"});
	CHECK_CLEAN("scene \"Call\" on ivr\n  call /voice\n  hang up\n", NULL);
	CHECK("scene \"Empty\"\n# nothing here\nscene \"Full\"\n  visit /\n", NULL,
	      {1, 1, "scene 'Empty' has no steps"});
	CHECK("backstage \"Empty\"\n", NULL, {1, 1, "backstage 'Empty' has no steps"});
	CHECK("rehearsal \"x\"\n", NULL, {0, 0, "the rehearsal has no scenes"});
	/* All at once, in line order. */
	CHECK("backstage \"A\" on ivr\nscene \"A\"\n  visit /{{x}}\n", NULL,
	      {1, 18, "backstage blocks are web: expected 'on web' or no channel (the caller's "
		      "steps go in a scene on ivr)"},
	      {1, 1, "backstage 'A' has no steps"},
	      {2, 7, "duplicate scene name 'A' (first on line 1)"}, {3, 10, "unknown variable 'x'"});
}

/* ---- the phone ---- */

static const char *const phone = "cast\n"
				 "  stage\n"
				 "  phone = +15550100\n"
				 "scene \"Order\" on web\n"
				 "  visit {{stage}}/\n"
				 "  expect text ~ /Order #(\\d+)/ as order\n"
				 "scene \"Call\" on ivr\n"
				 "  call {{stage}}/voice from {{phone}} to {{phone}}\n"
				 "    method GET\n"
				 "    signed with {{secret TWILIO_TOKEN}}\n"
				 "  hear \"Welcome\"\n"
				 "  hear ~ /press 1 .* order/i\n"
				 "  press 1\n"
				 "  press {{order}}#\n"
				 "  press \"*#wW0123456789\"\n"
				 "  hear ~ /order {{order}} is (baking|on its way)/ as where\n"
				 "  say \"{{where}}\" confidence 0.5\n"
				 "  silence\n"
				 "  get {{stage}}/api/orders/{{order}}\n"
				 "  expect status 200\n"
				 "  expect transfer ~ /^client:/ as agent\n"
				 "  expect recording\n"
				 "  expect rejected not exists\n"
				 "  pause 1s\n"
				 "scene \"Back on the web\" on web\n"
				 "  visit {{stage}}/agents/{{agent}}\n"
				 "backstage \"Kitchen\"\n"
				 "  get {{stage}}/api/orders/{{order}}\n"
				 "scene \"Still on the call\" on ivr\n"
				 "  expect hangup\n"
				 "  hang up\n"
				 "  call {{stage}}/voice\n"
				 "  press 2\n";

static void test_phone_clean(void **state)
{
	(void)state;
	CHECK_CLEAN(phone, NULL);
}

static void test_phone_channels(void **state)
{
	(void)state;
	/* Phone steps on the web, web steps on the phone; raw HTTP and web
	 * expectations anywhere. */
	CHECK("scene \"Web\"\n"
	      "  call /voice\n"
	      "  hear x\n"
	      "  press 1\n"
	      "  say yes\n"
	      "  silence\n"
	      "  expect transfer\n"
	      "  expect recording\n"
	      "  expect rejected\n"
	      "  expect hangup\n"
	      "  hang up\n"
	      "  get /x\n"
	      "  expect status 200\n",
	      NULL, {2, 3, "'call' is a phone step: use it in a scene on ivr"},
	      {3, 3, "'hear' is a phone step: use it in a scene on ivr"},
	      {4, 3, "'press' is a phone step: use it in a scene on ivr"},
	      {5, 3, "'say' is a phone step"}, {6, 3, "'silence' is a phone step"},
	      {7, 3, "'expect transfer' is a phone step"}, {8, 3, "'expect recording' is a phone step"},
	      {9, 3, "'expect rejected' is a phone step"}, {10, 3, "'expect hangup' is a phone step"},
	      {11, 3, "'hang up' is a phone step: use it in a scene on ivr"});
	CHECK("backstage \"Log\"\n  get /x\n  press 1\n", NULL,
	      {3, 3, "'press' is a phone step: use it in a scene on ivr (backstage blocks are web)"});
	CHECK("scene \"Call\" on ivr\n"
	      "  call /voice\n"
	      "  visit /\n"
	      "  click Menu\n"
	      "  fill name with Ada\n"
	      "  choose Large\n"
	      "  tick x\n"
	      "  untick x\n"
	      "  submit\n"
	      "  post /x\n"
	      "    form a = b\n"
	      "  expect text \"x\"\n"
	      "  expect xpath \"//Say\" exists\n"
	      "  expect time < 2s\n"
	      "  pause 1s\n",
	      NULL,
	      {3, 3, "'visit' is a web step: use it in a scene on web (this scene is on ivr)"},
	      {4, 3, "'click' is a web step: use it in a scene on web (this scene is on ivr)"},
	      {5, 3, "'fill' is a web step"}, {6, 3, "'choose' is a web step"},
	      {7, 3, "'tick' is a web step"}, {8, 3, "'untick' is a web step"},
	      {9, 3, "'submit' is a web step"});
	/* Raw HTTP and the response's expectations need no call. */
	CHECK_CLEAN("scene \"Call\" on ivr\n  get /health\n  expect status 200\n", NULL);
}

static void test_phone_needs_a_call(void **state)
{
	(void)state;
	CHECK("scene \"Call\" on ivr\n"
	      "  hear x\n"
	      "  press 1\n"
	      "  say yes\n"
	      "  silence\n"
	      "  expect transfer\n"
	      "  expect hangup\n"
	      "  hang up\n",
	      NULL, {2, 3, "'hear' before any 'call': place a call first"},
	      {3, 3, "'press' before any 'call': place a call first"},
	      {4, 3, "'say' before any 'call'"}, {5, 3, "'silence' before any 'call'"},
	      {6, 3, "'expect transfer' before any 'call'"}, {7, 3, "'expect hangup' before any 'call'"},
	      {8, 3, "'hang up' before any 'call': place a call first"});
	/* A call spans scenes, web ones included, until hang up. */
	CHECK("scene \"A\" on ivr\n  call /v\nscene \"W\"\n  visit /\nscene \"B\" on ivr\n"
	      "  press 1\n  hang up\n  press 2\n  expect transfer\nscene \"C\" on ivr\n  say x\n"
	      "  call /v\n  press 3\n",
	      NULL, {8, 3, "'press' after 'hang up' (line 7): place a new call first"},
	      {9, 3, "'expect transfer' after 'hang up' (line 7): place a new call first"},
	      {11, 3, "'say' after 'hang up' (line 7)"});
	/* issue 14, MATCH: who ended the call, and its re-prompts, may be
	 * asked after the caller hung up; a handler may stand before the call. */
	CHECK_CLEAN("scene \"C\" on ivr\n  when hear \"still there\" press 1\n  call /v\n"
		    "  hang up\n  expect hangup by caller\n  expect reprompts == 0\n",
		    NULL);
	/* A call placed in the wrong scene still counts: one problem, not one
	 * per step after it. */
	CHECK("scene \"W\"\n  call /v\nscene \"C\" on ivr\n  press 1\n", NULL,
	      {2, 3, "'call' is a phone step"});
	/* Hanging up needs a call too. */
	CHECK("scene \"C\" on ivr\n  hang up\n", NULL, {2, 3, "'hang up' before any 'call'"});
}

static void test_phone_keys(void **state)
{
	(void)state;
	CHECK("cast\n  order = 12\nscene \"C\" on ivr\n"
	      "  call /v\n"
	      "  press 1x\n"
	      "  press \"1 2\"\n"
	      "  press {{order}}#a\n"
	      "  press x{{ordr}}\n"
	      "  press \"\\t\"\n"
	      "  press 1\xc3\xa9\n"
	      "  press {{order}}{{order}}*\n"
	      "  press 12{{order\n",
	      NULL, {5, 10, "'x' is not a key: press takes digits, *, # and w or W (a pause)"},
	      {6, 11, "' ' is not a key"},
	      {7, 19, "'a' is not a key"},
	      {8, 9, "'x' is not a key"}, {8, 10, "unknown variable 'ordr' (did you mean 'order'?)"},
	      {9, 10, "'\t' is not a key"},
	      {10, 10, "'\xc3\xa9' is not a key"},
	      {12, 11, "unclosed {{: expected }}"});
}

static void test_phone_templates(void **state)
{
	(void)state;
	/* Every template of every phone step, at its column and in order. */
	CHECK("scene \"C\" on ivr\n"
	      "  call {{u}}/v to {{t}} from \"{{f}}\"\n"
	      "    method POST\n"
	      "    # the token\n"
	      "    signed with {{secret T}}{{k}}\n"
	      "  hear \"{{h}}\"\n"
	      "  hear ~ /a({{r}}/\n"
	      "  hear ~ /a(/\n"
	      "  press {{p}}\n"
	      "  say {{s}} confidence 1\n"
	      "  expect transfer == {{x}}\n"
	      "  expect rejected ~ /[/\n"
	      "  hear x as early\n",
	      NULL, {2, 8, "unknown variable 'u'"}, {2, 19, "unknown variable 't'"},
	      {2, 31, "unknown variable 'f'"}, {5, 29, "unknown variable 'k'"},
	      {6, 9, "unknown variable 'h'"}, {7, 13, "unknown variable 'r'"},
	      {8, 13, "invalid regular expression: missing closing parenthesis"},
	      {9, 9, "unknown variable 'p'"}, {10, 7, "unknown variable 's'"},
	      {11, 22, "unknown variable 'x'"},
	      {12, 23, "invalid regular expression: missing terminating ]"});
	/* Captures from hear and expect transfer/rejected reach later steps,
	 * web ones included; not earlier ones. */
	CHECK("scene \"C\" on ivr\n"
	      "  call /v\n"
	      "  press {{n}}\n"
	      "  hear ~ /(\\d+)/ as n\n"
	      "  press {{n}}\n"
	      "  expect rejected as why\n"
	      "scene \"W\"\n"
	      "  visit /{{n}}/{{why}}\n",
	      NULL, {3, 9, "variable 'n' is used before it is captured (line 4)"});
}

/* `apdex` lines sit among a request's or a call's modifier lines: the
 * templates after them are still checked, at their columns. */
static void test_apdex_lines(void **state)
{
	(void)state;
	CHECK("apdex 800ms\n"
	      "scene \"S\"\n"
	      "  apdex 1s\n"
	      "  post /{{u}}\n"                    /* 4 */
	      "    apdex 300ms\n"
	      "    header X-A: {{h}}\n"            /* 6 */
	      "    timeout 5s\n"
	      "    query q = {{q}}\n",             /* 8 */
	      NULL, {4, 9, "unknown variable 'u'"}, {6, 17, "unknown variable 'h'"},
	      {8, 15, "unknown variable 'q'"});
	CHECK("scene \"C\" on ivr\n"
	      "  apdex 2s\n"
	      "  call /v\n"
	      "    apdex 1s\n"
	      "    signed with {{k}}\n"            /* 5 */
	      "  press 1\n"
	      "  apdex 500ms\n"
	      "  hear \"{{h}}\"\n",                /* 8 */
	      NULL, {5, 17, "unknown variable 'k'"}, {8, 9, "unknown variable 'h'"});
	CHECK_CLEAN("apdex 800ms\n"
		    "cast\n  stage = http://x\n"
		    "scene \"S\"\n  apdex 1s\n  visit {{stage}}/\n    apdex 300ms\n"
		    "  click Margherita\n  apdex 1s\n  submit\n  apdex 2s\n"
		    "backstage \"B\"\n  apdex 500ms\n  get {{stage}}/api\n    apdex 200ms\n"
		    "  expect status 200\n",
		    NULL);
}

static void test_regex(void **state)
{
	(void)state;
	CHECK_CLEAN("scene \"S\"\n  visit /\n  expect text ~ /Order #(\\d+) confirmed/i as order\n"
		    "  expect body ~ /^a.b$/msx\n",
		    NULL);
	/* The caret lands on the raw pattern even after \/. */
	CHECK("scene \"S\"\n  visit /\n  expect text ~ /a\\/(b/\n", NULL,
	      {3, 23, "invalid regular expression: missing closing parenthesis"});
	CHECK("scene \"S\"\n  visit /\n  expect text ~ /a[/\n", NULL,
	      {3, 20, "invalid regular expression: missing terminating ] for character class"});
	CHECK("scene \"S\"\n  visit /\n  expect text ~ /ab)c/\n", NULL,
	      {3, 20, "invalid regular expression: unmatched closing parenthesis"});
	/* Flags reach PCRE2: with x, `# (` is a comment; without, an error. */
	CHECK_CLEAN("scene \"S\"\n  visit /\n  expect text ~ /a # (/x\n", NULL);
	CHECK("scene \"S\"\n  visit /\n  expect text ~ /a # (/\n", NULL,
	      {3, 23, "invalid regular expression: missing closing parenthesis"});
	/* With a template the pattern is checked after expansion, at run time. */
	CHECK_CLEAN("cast\n  x = 1\nscene \"S\"\n  visit /\n  expect text ~ /({{x}}/\n", NULL);
}

static void test_xpath(void **state)
{
	(void)state;
	/* libxml2 must not print: catch anything written to stderr. */
	fflush(stderr);
	int saved = dup(2);
	char path[] = "/tmp/tw-test-check-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0 && saved >= 0);
	dup2(fd, 2);
	tw_script *s = parse("scene \"S\"\n  visit /\n  expect xpath \"//a[\" exists\n"
			     "  expect xpath //h1) exists\n  expect xpath \"//h1\" count == 1\n"
			     "  expect xpath \"//a[@x='{{nope}}'\" exists\n");
	tw_errors problems = {0};
	size_t n = tw_script_check(s, NULL, &problems);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	close(fd);
	unlink(path);
	assert_int_equal(st.st_size, 0);

	assert_int_equal(n, 3);
	assert_int_equal(problems.items[0].line, 3);
	assert_int_equal(problems.items[0].col, 21);
	assert_string_equal(problems.items[0].message, "invalid XPath expression: invalid expression");
	assert_int_equal(problems.items[1].line, 4);
	assert_int_equal(problems.items[1].col, 20);
	assert_true(strncmp(problems.items[1].message, "invalid XPath expression", 24) == 0);
	/* The template one: only the unknown variable, no compile attempt. */
	assert_int_equal(problems.items[2].line, 6);
	assert_string_equal(problems.items[2].message,
			    "unknown variable 'nope': expected a cast name, a --var, or a capture "
			    "(as NAME) from an earlier step");
	tw_errors_clear(&problems);
	tw_script_free(s);
}

static void test_appends_to_existing_list(void **state)
{
	(void)state;
	tw_errors problems = {0};
	tw_script *a = parse("scene \"S\"\n  visit {{x}}\n");
	tw_script *b = parse("scene \"S\"\n  visit {{y}}\n  click {{z}}\n");
	assert_int_equal(tw_script_check(a, NULL, &problems), 1);
	assert_int_equal(tw_script_check(b, NULL, &problems), 2);
	assert_int_equal(problems.count, 3);
	assert_string_equal(problems.items[0].message,
			    "unknown variable 'x': expected a cast name, a --var, or a capture (as "
			    "NAME) from an earlier step");
	assert_int_equal(problems.items[2].line, 3);
	char *f = tw_error_format(&problems.items[2]);
	assert_non_null(f);
	assert_non_null(strstr(f, "shop.rehearsal:3:9: error: unknown variable 'z'"));
	assert_non_null(strstr(f, "     3 |   click {{z}}\n       |         ^"));
	free(f);
	tw_errors_clear(&problems);
	tw_script_free(a);
	tw_script_free(b);
}

/* Out of memory never reads as fewer problems: one the checker could not
 * append (here to a list that cannot grow, its next size overflowing) is
 * still counted, in the result and in the list's lost. */
static void test_problems_not_appended_still_count(void **state)
{
	(void)state;
	tw_script *s = parse("rehearsal \"R\"\nscene \"S\"\n  visit {{nowhere}}/\n");
	tw_errors list = {0};
	size_t found = tw_script_check(s, NULL, &list);
	assert_int_equal(found, 1);
	assert_int_equal(list.count, 1);
	assert_int_equal(list.lost, 0);
	tw_errors_clear(&list);

	tw_errors full = {0};
	full.count = full.cap = SIZE_MAX / sizeof(tw_error);
	found = tw_script_check(s, NULL, &full);
	assert_true(found >= 1);
	assert_int_equal(full.lost, found);
	assert_null(full.items); /* nothing appended */
	full.count = full.cap = 0;
	tw_errors_clear(&full);
	assert_int_equal(full.lost, 0);
	tw_script_free(s);
}

/* ---- issue 13, FLOW: repeat and when ---- */

static void test_flow_when(void **state)
{
	(void)state;
	/* Known: a cast entry (an empty value too), a given name, an earlier
	 * capture. */
	tw_vars *given = tw_vars_new();
	assert_non_null(given);
	assert_int_equal(tw_vars_set(given, "vip", "yes", false), TW_OK);
	CHECK_CLEAN("cast\n  card =\n"
		    "scene \"A\"\n  visit https://x.test/\n  expect json $.c exists as coupon\n"
		    "scene \"Pay\" when {{card}}\n  visit https://x.test/pay\n"
		    "backstage \"B\" when not {{coupon}}\n  get https://x.test/b\n"
		    "scene \"V\" when {{vip}}\n  visit https://x.test/v\n",
		    given);
	tw_vars_free(given);
	/* Unknown, with the name it resembles, at its braces. */
	CHECK("cast\n  card =\nscene \"Pay\" when {{crad}}\n  visit https://x.test/\n", NULL,
	      {3, 18, "unknown variable 'crad' (did you mean 'card'?)"});
	/* Captured later: not known when the scene starts. */
	CHECK("scene \"B\" when not {{late}}\n  visit https://x.test/\n"
	      "scene \"C\"\n  visit https://x.test/\n  expect status 200 as late\n",
	      NULL, {1, 20, "variable 'late' is used before it is captured (line 5)"});
	/* Nor by the scene's own steps: decided before they run. */
	CHECK("scene \"B\" when {{own}}\n  visit https://x.test/\n  expect status 200 as own\n",
	      NULL, {1, 16, "variable 'own' is used before it is captured (line 3)"});
}

static void test_flow_repeat(void **state)
{
	(void)state;
	/* A problem in a repeated scene is reported once, not once a pass;
	 * so is its when. */
	CHECK("scene \"R\" repeat 3 when {{nope}}\n  visit https://x.test/{{ordr}}\n", NULL,
	      {1, 25, "unknown variable 'nope'"}, {2, 24, "unknown variable 'ordr'"});
	/* What pass 1 captures, later passes and scenes know; a step that
	 * uses it before pass 1 captured it is refused (pass 1 would not
	 * have it). */
	CHECK_CLEAN("cast\n  n = 0\n"
		    "scene \"R\" repeat 3\n  get https://x.test/?last={{n}}\n"
		    "  expect json $.n exists as n\n  expect json $.t exists as t\n"
		    "scene \"After\"\n  expect var t == 3\n",
		    NULL);
	CHECK("scene \"R\" repeat 2\n  get https://x.test/?last={{t}}\n"
	      "  expect json $.t exists as t\n",
	      NULL, {2, 28, "variable 't' is used before it is captured (line 3)"});
	/* An empty repeated scene: said once. */
	CHECK("scene \"E\" repeat 2\nscene \"F\"\n  visit https://x.test/\n", NULL,
	      {1, 1, "scene 'E (1 of 2)' has no steps"});
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_script),
		cmocka_unit_test(test_problems_not_appended_still_count),
		cmocka_unit_test(test_value_less_cast_entry),
		cmocka_unit_test(test_given_names_are_known),
		cmocka_unit_test(test_web_steps),
		cmocka_unit_test(test_unknown_variable),
		cmocka_unit_test(test_captures),
		cmocka_unit_test(test_cast_values),
		cmocka_unit_test(test_malformed_templates),
		cmocka_unit_test(test_every_template_position),
		cmocka_unit_test(test_scenes),
		cmocka_unit_test(test_phone_clean),
		cmocka_unit_test(test_phone_channels),
		cmocka_unit_test(test_phone_needs_a_call),
		cmocka_unit_test(test_phone_keys),
		cmocka_unit_test(test_phone_templates),
		cmocka_unit_test(test_apdex_lines),
		cmocka_unit_test(test_regex),
		cmocka_unit_test(test_xpath),
		cmocka_unit_test(test_retry_needs_expectations),
		cmocka_unit_test(test_appends_to_existing_list),
		cmocka_unit_test(test_flow_when), /* issue 13, FLOW */
		cmocka_unit_test(test_flow_repeat),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
