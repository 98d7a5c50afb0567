/*
 * Unit tests for the rehearsal parser (harness/language/parser.c): each
 * construct lands in the right AST fields, and each syntax error has its
 * message, line and column. The messages are part of the interface (users
 * read them, the docs quote them), so they are asserted, not just the
 * error code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "language/ast.h"
#include "language/parser.h"
#include "techweek/script.h"

#define S "scene \"S\"\n" /* most step tests need a scene around them */

static tw_script *parse_ok(const char *text)
{
	tw_script *s = NULL;
	tw_error err = {0};
	if (tw_script_parse(&s, "shop.rehearsal", text, strlen(text), &err) != TW_OK) {
		char *m = tw_error_format(&err);
		fail_msg("unexpected error for:\n%s\n%s", text, m ? m : "?");
	}
	assert_non_null(s);
	tw_error_clear(&err);
	return s;
}

static void parse_err_code(const char *text, tw_code code, int line, int col,
			   const char *prefix)
{
	tw_script *s = (tw_script *)1;
	tw_error err = {0};
	int rc = tw_script_parse(&s, "shop.rehearsal", text, strlen(text), &err);
	if (rc == TW_OK) {
		tw_script_free(s);
		fail_msg("expected an error for:\n%s", text);
	}
	assert_null(s);
	assert_int_equal(rc, code);
	assert_int_equal(err.code, code);
	if (err.line != line || err.col != col ||
	    strncmp(err.message, prefix, strlen(prefix)) != 0)
		fail_msg("for:\n%s\nexpected %d:%d: %s...\ngot      %d:%d: %s", text, line, col,
			 prefix, err.line, err.col, err.message);
	assert_string_equal(err.file, "shop.rehearsal");
	tw_error_clear(&err);
}

static void parse_err(const char *text, int line, int col, const char *prefix)
{
	parse_err_code(text, TW_ESYNTAX, line, col, prefix);
}

static tw_step *step(tw_script *s, size_t scene, size_t i)
{
	assert_true(scene < s->scene_count);
	assert_true(i < s->scenes[scene].step_count);
	return &s->scenes[scene].steps[i];
}

/* ---- header ---- */

static void test_header(void **state)
{
	(void)state;
	tw_script *s = parse_ok("# a comment first\n"
				"rehearsal \"Order a pizza\"   # why\n"
				"outcome   \"Ada gets her \\\"pizza\\\"\"\n"
				"budget    90s, 10 steps\n"
				"tags smoke, checkout.eu  p-1_x\n"
				S "visit /\n");
	assert_string_equal(s->name, "Order a pizza");
	assert_string_equal(tw_script_name(s), "Order a pizza");
	assert_string_equal(tw_script_path(s), "shop.rehearsal");
	assert_int_equal(s->name_loc.line, 2);
	assert_int_equal(s->name_loc.col, 11);
	assert_string_equal(s->outcome, "Ada gets her \"pizza\"");
	assert_int_equal(s->budget_ms, 90000);
	assert_int_equal(s->budget_steps, 10);
	assert_int_equal(s->tag_count, 3);
	assert_string_equal(s->tags[0], "smoke");
	assert_string_equal(s->tags[1], "checkout.eu");
	assert_string_equal(s->tags[2], "p-1_x");
	tw_script_free(s);

	/* Nothing in the header: defaults, name from the file name. */
	s = parse_ok(S "visit /\n");
	assert_string_equal(s->name, "shop");
	assert_null(s->outcome);
	assert_int_equal(s->budget_ms, 0);
	assert_int_equal(s->budget_steps, 0);
	assert_int_equal(s->tag_count, 0);
	tw_script_free(s);
}

static void test_default_name_from_path(void **state)
{
	(void)state;
	const char *cases[][2] = {
		{"rehearsals/checkout.rehearsal", "checkout"},
		{"a/b.c/order.v2.rehearsal", "order.v2"},
		{"plain", "plain"},
		{"dir/.hidden", ".hidden"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tw_script *s = NULL;
		tw_error err = {0};
		assert_int_equal(tw_script_parse(&s, cases[i][0], S "visit /", strlen(S "visit /"), &err),
				 TW_OK);
		assert_string_equal(s->name, cases[i][1]);
		assert_string_equal(s->path, cases[i][0]);
		assert_string_equal(s->scenes[0].loc.file, cases[i][0]);
		tw_script_free(s);
	}
}

static void test_budget_forms(void **state)
{
	(void)state;
	struct {
		const char *line;
		long ms, steps;
	} ok[] = {
		{"budget 2m", 120000, 0},	    {"budget 1.5s", 1500, 0},
		{"budget 800ms", 800, 0},	    {"budget 10 steps", 0, 10},
		{"budget 1 step", 0, 1},	    {"budget 90s,10 steps", 90000, 10},
		{"budget 10 steps , 2m", 120000, 10}, {"budget 90s ,10 steps # c", 90000, 10},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), "%s\n" S "visit /\n", ok[i].line);
		tw_script *s = parse_ok(text);
		assert_int_equal(s->budget_ms, ok[i].ms);
		assert_int_equal(s->budget_steps, ok[i].steps);
		tw_script_free(s);
	}
	parse_err("budget\n", 1, 7, "expected a budget after 'budget'");
	parse_err("budget 90\n", 1, 10, "expected 'steps' after the number 90");
	parse_err("budget 90s 10 steps\n", 1, 12, "expected ',' between the parts of the budget");
	parse_err("budget 90s, 2m\n", 1, 13, "the budget has two durations");
	parse_err("budget 3 steps, 4 steps\n", 1, 17, "the budget has two numbers of steps");
	parse_err("budget 0s\n", 1, 8, "a budget of '0s' is no budget");
	parse_err("budget 90s, 10 steps, 3\n", 1, 23, "a budget has at most a duration and");
	parse_err("budget 2h\n", 1, 8, "expected a duration (like 90s) or a number of steps");
	parse_err("budget 1441m\n", 1, 8, "budget '1441m' is too long");
	parse_err("budget 90s,\n", 1, 12, "expected a duration (like 90s) or a number of steps (like 10 steps) after ','");
	parse_err("budget 0 steps\n", 1, 8, "expected a number of steps from 1 to 1000000");
	parse_err("budget 10 stops\n", 1, 11, "expected 'steps' after the number 10");
}

/* require 99.5%: the outcome rate the journey must reach; minor: a less
 * critical journey (docs/readiness.md). */
static void test_require_minor(void **state)
{
	(void)state;
	tw_script *s = parse_ok("rehearsal \"Pay\"\nrequire 99.5%\nminor\n" S "visit /\n");
	assert_true(fabs(s->require - 0.995) < 1e-12);
	assert_true(s->minor);
	tw_script_free(s);
	s = parse_ok("require 100% # every one\n" S "visit /\n");
	assert_true(s->require == 1);
	assert_false(s->minor);
	tw_script_free(s);
	s = parse_ok(S "visit /\n");
	assert_true(s->require == 0); /* the project's */
	assert_false(s->minor);
	tw_script_free(s);
	parse_err("require\n", 1, 8, "expected the outcome rate this journey must reach");
	parse_err("require 99\n", 1, 9, "expected a percentage after 'require', like 99.5%, found '99'");
	parse_err("require 0.99\n", 1, 9, "expected a percentage after 'require'");
	parse_err("require 99 %\n", 1, 9, "expected a percentage after 'require'");
	parse_err("require 0%\n", 1, 9, "a required outcome rate is above 0% and at most 100%");
	parse_err("require 100.5%\n", 1, 9, "a required outcome rate is above 0% and at most 100%");
	parse_err("require 99% 98%\n", 1, 13, "unexpected '98%' after the required outcome rate");
	parse_err("require 99%\nrequire 98%\n", 2, 1, "duplicate 'require' (first on line 1)");
	parse_err("minor yes\n", 1, 7, "unexpected 'yes' after 'minor'");
	parse_err("minor\nminor\n", 2, 1, "duplicate 'minor' (first on line 1)");
	parse_err(S "visit /\nminor\n", 3, 1, "'minor' belongs in the header");
	parse_err("mino\n", 1, 1, "unknown statement 'mino' (did you mean 'minor'?)");
}

static void test_tags(void **state)
{
	(void)state;
	tw_script *s = parse_ok("tag smoke smoke,a\n" S "visit /\n");
	assert_int_equal(s->tag_count, 2); /* repeats count once */
	assert_string_equal(s->tags[0], "smoke");
	assert_string_equal(s->tags[1], "a");
	tw_script_free(s);
	parse_err("tags\n", 1, 5, "expected at least one tag after 'tags'");
	parse_err("tags a,,b\n", 1, 8, "expected a tag before ','");
	parse_err("tags a,\n", 1, 8, "expected a tag after ','");
	parse_err("tags , a\n", 1, 6, "expected a tag before ','");
	parse_err("tags a/b\n", 1, 7, "'/' cannot be part of a tag");
	parse_err("tags \"a\"\n", 1, 6, "'\"' cannot be part of a tag");
}

static void test_header_errors(void **state)
{
	(void)state;
	parse_err("rehearsal \"a\"\nrehearsal \"b\"\n", 2, 1,
		  "duplicate 'rehearsal' (first on line 1)");
	parse_err("tags a\ntag b\n", 2, 1, "duplicate 'tags' (first on line 1)");
	parse_err("outcome \"a\"\n\noutcome \"b\"\n", 3, 1, "duplicate 'outcome' (first on line 1)");
	parse_err("budget 1s\nbudget 2s\n", 2, 1, "duplicate 'budget' (first on line 1)");
	parse_err("rehearsal Order a pizza\n", 1, 11,
		  "expected the rehearsal's name in double quotes");
	parse_err("outcome\n", 1, 8, "expected the outcome in double quotes");
	parse_err("rehearsal \"\"\n", 1, 11, "the rehearsal's name is empty");
	parse_err("rehearsal \"a\" b\n", 1, 15,
		  "unexpected 'b' after the rehearsal's name: expected the end of the line");
	parse_err(S "visit /\noutcome \"late\"\n", 3, 1,
		  "'outcome' belongs in the header: expected it before the first block");
	parse_err("cast\n  budget 2s\n", 2, 3, "'budget' belongs in the header");
}

/* ---- cast ---- */

static void test_cast(void **state)
{
	(void)state;
	tw_script *s = parse_ok("cast\n"
				"  name  = Ada Lovelace   # the customer\n"
				"  phone=+15550100\n"
				"  quoted= \"  spaced  \"\n"
				"  card = {{secret CARD_NUMBER}}\n"
				"  stage\n"
				"  empty =\n"
				"  a.b-c_d = x = y\n" S "visit {{stage}}/\n");
	const tw_pairs *c = &s->cast;
	assert_int_equal(c->count, 7);
	assert_string_equal(c->items[0].name, "name");
	assert_string_equal(c->items[0].value, "Ada Lovelace");
	assert_int_equal(c->items[0].loc.line, 2);
	assert_int_equal(c->items[0].loc.col, 3);
	assert_string_equal(c->items[1].name, "phone");
	assert_string_equal(c->items[1].value, "+15550100");
	assert_string_equal(c->items[2].value, "  spaced  ");
	assert_string_equal(c->items[3].value, "{{secret CARD_NUMBER}}");
	assert_string_equal(c->items[4].name, "stage");
	assert_null(c->items[4].value);
	assert_string_equal(c->items[5].value, "");
	assert_string_equal(c->items[6].name, "a.b-c_d");
	assert_string_equal(c->items[6].value, "x = y");
	tw_script_free(s);
}

static void test_cast_errors(void **state)
{
	(void)state;
	parse_err("cast\n  name = a\n  name = b\n", 3, 3, "duplicate cast name 'name' (first on line 2)");
	parse_err("cast\n  1x = a\n", 2, 3, "invalid cast name '1x'");
	parse_err("cast\n  a/b = a\n", 2, 3, "invalid cast name 'a/b'");
	parse_err("cast\n  name Ada\n", 2, 8, "expected '=' after the cast name 'name'");
	parse_err("cast\n  \"name\" = Ada\n", 2, 3, "expected a statement");
	parse_err("cast\ncast\n", 2, 1, "duplicate 'cast' block (first on line 1)");
	parse_err(S "visit /\ncast\n", 3, 1, "the cast must come before the first scene (line 1)");
	parse_err("cast x = 1\n", 1, 6, "unexpected 'x' after 'cast'");
	parse_err("cast\n  visit /\n", 2, 3, "'visit' must be inside a scene or backstage block");
	parse_err("cast\n  header X: y\n", 2, 3,
		  "'header' must follow a request step (visit, get, post, ...)");
	parse_err("cast\n  scnee \"x\"\n", 2, 3, "unknown statement 'scnee' (did you mean 'scene'?)");
	/* A keyword can still be a cast name when it is assigned. */
	tw_script *s = parse_ok("cast\n  visit = 1\n  budget=2\n" S "visit /\n");
	assert_string_equal(s->cast.items[0].name, "visit");
	assert_string_equal(s->cast.items[1].name, "budget");
	assert_string_equal(s->cast.items[1].value, "2");
	tw_script_free(s);
}

/* ---- scenes ---- */

static void test_scenes(void **state)
{
	(void)state;
	tw_script *s = parse_ok("scene \"Find the menu\"\n  visit /\n"
				"scene \"Order\" on web # c\n  visit /\n"
				"  scene \"Call\" on ivr\n  visit /\n"
				"backstage \"The kitchen has it\"\n  get /api\n"
				"backstage \"Phone log\" on ivr\n");
	assert_int_equal(s->scene_count, 5);
	assert_string_equal(s->scenes[0].name, "Find the menu");
	assert_int_equal(s->scenes[0].channel, TW_CHANNEL_WEB);
	assert_false(s->scenes[0].backstage);
	assert_int_equal(s->scenes[0].loc.line, 1);
	assert_int_equal(s->scenes[0].loc.col, 1);
	assert_int_equal(s->scenes[1].channel, TW_CHANNEL_WEB);
	assert_int_equal(s->scenes[2].channel, TW_CHANNEL_IVR);
	assert_int_equal(s->scenes[2].loc.col, 3);
	assert_true(s->scenes[3].backstage);
	assert_int_equal(s->scenes[3].channel, TW_CHANNEL_WEB);
	assert_string_equal(s->scenes[3].name, "The kitchen has it");
	assert_int_equal(s->scenes[3].step_count, 1);
	assert_true(s->scenes[4].backstage);
	assert_int_equal(s->scenes[4].channel, TW_CHANNEL_IVR);
	assert_int_equal(s->scenes[4].step_count, 0);
	tw_script_free(s);
}

static void test_scene_errors(void **state)
{
	(void)state;
	parse_err("scene \"Call\" on phone\n", 1, 17, "unknown channel 'phone' (expected web or ivr)");
	parse_err("backstage \"x\" on WEB\n", 1, 18, "unknown channel 'WEB' (expected web or ivr)");
	parse_err("scene Find the menu\n", 1, 7, "expected the scene name in double quotes");
	parse_err("backstage\n", 1, 10, "expected the backstage name in double quotes");
	parse_err("scene \"\"\n", 1, 7, "the scene name is empty");
	parse_err("scene \"x\" web\n", 1, 11, "unexpected 'web' after the scene name: expected 'on'");
	parse_err("scene \"x\" on\n", 1, 13, "expected a channel after 'on': web or ivr");
	parse_err("scene \"x\" on web now\n", 1, 18, "unexpected 'now' after the channel");
}

static void test_steps_outside_scenes(void **state)
{
	(void)state;
	parse_err("visit /\n", 1, 1, "'visit' must be inside a scene or backstage block");
	parse_err("rehearsal \"x\"\n  expect status 200\n", 2, 3,
		  "'expect' must be inside a scene or backstage block");
	/* A header line in the rehearsal's header goes with every request;
	 * anywhere else but under a request it is misplaced. */
	parse_err("cast\n  a = 1\nheader X: y\n", 3, 1,
		  "'header' must follow a request step (visit, get, post, ...), or stand in "
		  "the rehearsal's header");
}

/* Issue 12: any method, auth, bodies in fences and files, part options,
 * rehearsal-wide and templated headers. */
static void test_issue12_requests(void **state)
{
	(void)state;
	tw_script *s = parse_ok("header X-Run: {{token}}\n"
				"header {{name}}: v\n"
				S "request purge {{stage}}/echo\n"
				"  auth ada:{{secret PW}}\n"
				"  header {{h}}: 1\n"
				"  body ```\n"
				"    a\n"
				"\n"
				"      b # kept\n"
				"    ```\n"
				"post /\n"
				"  json file \"x y.json\"\n"
				"post /\n"
				"  part p file a.png as \"me.png\" type \"image/png\"\n"
				"  part q file b.txt\n"
				"expect status 200\n");
	assert_int_equal(s->headers.count, 2);
	assert_string_equal(s->headers.items[0].name, "X-Run");
	assert_string_equal(s->headers.items[1].name, "{{name}}");
	tw_step *st = step(s, 0, 0);
	assert_string_equal(st->req.method, "PURGE");
	assert_string_equal(st->req.auth, "ada:{{secret PW}}");
	assert_int_equal(st->req.auth_loc.line, 5);
	assert_string_equal(st->req.headers.items[0].name, "{{h}}");
	assert_int_equal(st->req.body_kind, TW_BODY_RAW);
	assert_string_equal(st->req.body, "a\n\n  b # kept\n");
	st = step(s, 0, 1);
	assert_int_equal(st->req.body_kind, TW_BODY_JSON);
	assert_string_equal(st->req.body_file, "x y.json");
	assert_null(st->req.body);
	st = step(s, 0, 2);
	assert_string_equal(st->req.parts.items[0].value, "a.png");
	assert_string_equal(st->req.parts.items[0].filename, "me.png");
	assert_string_equal(st->req.parts.items[0].content_type, "image/png");
	assert_null(st->req.parts.items[1].filename);
	assert_null(st->req.parts.items[1].content_type);
	assert_int_equal(step(s, 0, 3)->kind, TW_STEP_EXPECT);
	assert_int_equal(step(s, 0, 3)->loc.line, 17);
	tw_script_free(s);

	s = parse_ok(S "put /\n  json ```\n  {\"a\": [1,\n   2]}\n  ```\n");
	assert_string_equal(step(s, 0, 0)->req.body, "{\"a\": [1,\n 2]}\n");
	tw_script_free(s);

	parse_err(S "request /x\n", 2, 9, "expected a method after 'request'");
	parse_err(S "request PUR(GE /x\n", 2, 9, "expected a method after 'request'");
	parse_err(S "request PURGE\n", 2, 14, "expected a URL after the method, like request PURGE");
	parse_err(S "get /\n  auth ada\n", 3, 8, "expected USER:PASS after 'auth'");
	parse_err(S "get /\n  auth\n", 3, 7, "expected USER:PASS after 'auth'");
	parse_err(S "get /\n  auth a:b\n  auth a:c\n", 4, 3, "duplicate 'auth' (first on line 3)");
	parse_err(S "post /\n  body ```\n  x\n", 3, 8,
		  "unterminated ``` body: expected a line holding only ```");
	parse_err(S "post /\n  json ```\n  {}\n", 3, 8,
		  "unterminated ``` JSON body: expected a line holding only ```");
	parse_err(S "post /\n  body ```\n x\n  ```\n", 4, 1,
		  "this line of the ``` body is indented less than its closing ``` (line 5)");
	parse_err(S "post /\n  json ```\n  {\"a\":\n    tru}\n  ```\n", 5, 5,
		  "invalid JSON: invalid token near 'tru'");
	parse_err(S "post /\n  body file\n", 3, 12, "expected the file's path after 'body file'");
	parse_err(S "post /\n  json file a.json b\n", 3, 20, "unexpected 'b' after the file's path");
	parse_err(S "post /\n  part p file\n", 3, 14, "expected the file's path after 'file'");
	parse_err(S "post /\n  part p file a.png size 3\n", 3, 21,
		  "expected type \"TYPE\" or as \"NAME\" after the file's path");
	parse_err(S "post /\n  part p file a.png type png\n", 3, 26,
		  "expected a media type TYPE/SUBTYPE after 'type'");
	parse_err(S "post /\n  part p file a.png as\n", 3, 23, "expected a file name");
	parse_err(S "post /\n  part p file a.png as \"x\" as \"y\"\n", 3, 28,
		  "'as' is given twice for this part");
	parse_err(S "get /\n  header X({{a}}: 1\n", 3, 10, "invalid header name");
	parse_err(S "get /\n  header {{a}}@: 1\n", 3, 10, "invalid header name");
}

/* ---- requests ---- */

static void test_visit_and_methods(void **state)
{
	(void)state;
	tw_script *s = parse_ok(S "  visit {{stage}}/menu?x=1#top   # go\n"
				  "visit \"{{stage}}/a b\"\n"
				  "get /g\npost /p\nput /u\npatch /pa\ndelete /d\nhead /h\noptions *\n");
	tw_step *st = step(s, 0, 0);
	assert_int_equal(st->kind, TW_STEP_VISIT);
	assert_string_equal(st->req.method, "GET");
	assert_string_equal(st->req.url, "{{stage}}/menu?x=1#top");
	assert_int_equal(st->req.body_kind, TW_BODY_NONE);
	assert_int_equal(st->req.timeout_ms, 0);
	assert_int_equal(st->loc.line, 2);
	assert_int_equal(st->loc.col, 3);
	assert_string_equal(st->loc.file, "shop.rehearsal");
	assert_string_equal(st->source, "visit {{stage}}/menu?x=1#top");
	assert_string_equal(step(s, 0, 1)->req.url, "{{stage}}/a b");
	const char *methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};
	for (size_t i = 0; i < 7; i++) {
		st = step(s, 0, 2 + i);
		assert_int_equal(st->kind, TW_STEP_REQUEST);
		assert_string_equal(st->req.method, methods[i]);
	}
	assert_string_equal(step(s, 0, 8)->req.url, "*");
	tw_script_free(s);
	parse_err(S "visit\n", 2, 6, "expected a URL after 'visit'");
	parse_err(S "post   # nothing\n", 2, 8, "expected a URL after 'post'");
	parse_err(S "get \"\"\n", 2, 5, "expected a URL after 'get'");
}

static void test_modifiers(void **state)
{
	(void)state;
	tw_script *s = parse_ok(S "post {{stage}}/order\n"
				  "  header Accept: application/json\n"
				  "\n"
				  "  # a comment between modifiers is fine\n"
				  "  header X-Trace : {{trace}}:1\n"
				  "  header X-Empty:\n"
				  "  query q=margherita\n"
				  "  query \"two words\" = \"a b\"\n"
				  "  form size = Large\n"
				  "  form name=Ada Lovelace\n"
				  "  timeout 5s\n"
				  "get /x\n  part avatar file photos/ada.jpg\n  part note = hello\n"
				  "put /y\n  json {\"size\": \"Large\", \"note\": \"a # b\"}  # c\n"
				  "patch /z\n  body \"raw text\"\n"
				  "delete /w\n  body a \"b\" c\n"
				  "post /t\n  json {\"n\": {{qty}}}\n");
	tw_request *r = &step(s, 0, 0)->req;
	assert_int_equal(r->headers.count, 3);
	assert_string_equal(r->headers.items[0].name, "Accept");
	assert_string_equal(r->headers.items[0].value, "application/json");
	assert_int_equal(r->headers.items[0].loc.line, 3);
	assert_int_equal(r->headers.items[0].loc.col, 10);
	assert_string_equal(r->headers.items[1].name, "X-Trace");
	assert_string_equal(r->headers.items[1].value, "{{trace}}:1");
	assert_int_equal(r->headers.items[1].loc.line, 6);
	assert_string_equal(r->headers.items[2].value, "");
	assert_int_equal(r->query.count, 2);
	assert_string_equal(r->query.items[0].name, "q");
	assert_string_equal(r->query.items[0].value, "margherita");
	assert_string_equal(r->query.items[1].name, "two words");
	assert_string_equal(r->query.items[1].value, "a b");
	assert_int_equal(r->body_kind, TW_BODY_FORM);
	assert_int_equal(r->form.count, 2);
	assert_string_equal(r->form.items[0].name, "size");
	assert_string_equal(r->form.items[0].value, "Large");
	assert_string_equal(r->form.items[1].value, "Ada Lovelace");
	assert_int_equal(r->timeout_ms, 5000);

	r = &step(s, 0, 1)->req;
	assert_int_equal(r->body_kind, TW_BODY_MULTIPART);
	assert_int_equal(r->parts.count, 2);
	assert_string_equal(r->parts.items[0].name, "avatar");
	assert_true(r->parts.items[0].is_file);
	assert_string_equal(r->parts.items[0].value, "photos/ada.jpg");
	assert_false(r->parts.items[1].is_file);
	assert_string_equal(r->parts.items[1].value, "hello");

	r = &step(s, 0, 2)->req;
	assert_int_equal(r->body_kind, TW_BODY_JSON);
	assert_string_equal(r->body, "{\"size\": \"Large\", \"note\": \"a # b\"}");
	r = &step(s, 0, 3)->req;
	assert_int_equal(r->body_kind, TW_BODY_RAW);
	assert_string_equal(r->body, "raw text");
	assert_string_equal(step(s, 0, 4)->req.body, "a \"b\" c");
	/* JSON with templates is not validated before expansion. */
	assert_string_equal(step(s, 0, 5)->req.body, "{\"n\": {{qty}}}");
	tw_script_free(s);

	/* A GET or HEAD may carry a body (raw HTTP); visit may not. */
	s = parse_ok(S "get /x\n  form a = 1\nhead /y\n  json {}\nvisit /z\n  header A: b\n"
		       "  query a=1\n  timeout 250ms\n");
	assert_int_equal(step(s, 0, 0)->req.body_kind, TW_BODY_FORM);
	assert_int_equal(step(s, 0, 1)->req.body_kind, TW_BODY_JSON);
	assert_int_equal(step(s, 0, 2)->req.timeout_ms, 250);
	assert_int_equal(step(s, 0, 2)->req.headers.count, 1);
	tw_script_free(s);

	/* "json" keeps a lone string as JSON text, quotes and all. */
	s = parse_ok(S "post /x\n  json \"hi\"\n");
	assert_string_equal(step(s, 0, 0)->req.body, "\"hi\"");
	tw_script_free(s);
}

/* issue 12: follow redirects on|off, retry N every D, and the redirects
 * and hop N subjects. */
static void test_redirect_and_poll(void **state)
{
	(void)state;
	tw_script *s = parse_ok(S "get /a\n  follow redirects off\n  retry 3 every 500ms\n"
				  "expect redirects == 0\nexpect hop 2 url contains \"/next\"\n"
				  "expect hop 1 status == 302\nvisit /b\n  follow redirects on\n");
	const tw_step *st = s->scenes[0].steps;
	assert_int_equal(st[0].req.follow, -1);
	assert_int_equal(st[0].req.retry, 3);
	assert_int_equal(st[0].req.retry_every_ms, 500);
	assert_int_equal(st[1].expect.subject, TW_SUBJ_REDIRECTS);
	assert_int_equal(st[2].expect.subject, TW_SUBJ_HOP);
	assert_int_equal(st[2].expect.hop, 2);
	assert_false(st[2].expect.hop_status);
	assert_int_equal(st[3].expect.hop, 1);
	assert_true(st[3].expect.hop_status);
	assert_int_equal(st[4].req.follow, 1);
	tw_script_free(s);

	parse_err(S "get /\n  follow\n", 3, 9, "expected 'redirects' after 'follow'");
	parse_err(S "get /\n  follow redirects maybe\n", 3, 20,
		  "expected on or off after 'follow redirects'");
	parse_err(S "get /\n  follow redirects off\n  follow redirects on\n", 4, 3,
		  "duplicate 'follow redirects' (first on line 3)");
	parse_err(S "click \"x\"\n  follow redirects off\n", 3, 3,
		  "'follow' cannot follow 'click': only header lines go under a click or a submit");
	parse_err(S "get /\n  retry\n", 3, 8, "expected how many more times to send the request");
	parse_err(S "get /\n  retry 0 every 1s\n", 3, 9,
		  "expected how many more times to send the request");
	parse_err(S "get /\n  retry 3\n", 3, 10, "expected 'every' and a duration after 'retry 3'");
	parse_err(S "get /\n  retry 3 every soon\n", 3, 17, "expected a duration after 'every'");
	parse_err(S "expect hop url == \"/x\"\n", 2, 12, "expected the hop's number");
	parse_err(S "expect hop 2 method == GET\n", 2, 14, "expected url or status after 'expect hop 2'");
	parse_err(S "expect hop 1 status == 2000\n", 2, 24, "expected a status code from 100 to 599");
	parse_err(S "expect redirects contains 2\n", 2, 18,
		  "'contains' does not apply to redirects, a number");
}

static void test_modifier_errors(void **state)
{
	(void)state;
	parse_err(S "click \"x\"\n  query a=b\n", 3, 3,
		  "'query' cannot follow 'click': only header lines go under a click or a "
		  "submit (what it sends comes from the page)");
	parse_err(S "submit\n  form a = b\n", 3, 3, "'form' cannot follow 'submit'");
	parse_err(S "fill a with b\n  header A: b\n", 3, 3,
		  "'header' must follow a request step (visit, get, post, ...)");
	parse_err(S "get /\nexpect status 200\n  query a=1\n", 4, 3,
		  "'query' must follow a request step");
	parse_err(S "  header A: b\n", 2, 3, "'header' must follow a request step");
	parse_err(S "visit /\n  form a = 1\n", 3, 3,
		  "'form' cannot follow 'visit': a visit sends no body");
	parse_err(S "visit /\n  json {}\n", 3, 3, "'json' cannot follow 'visit'");
	parse_err(S "post /\n  form a = 1\n  json {}\n", 4, 3,
		  "a request has one body: form already set on line 3");
	parse_err(S "post /\n  json {}\n  json {}\n", 4, 3,
		  "a request has one body: json already set on line 3");
	parse_err(S "post /\n  body x\n  part a = 1\n", 4, 3,
		  "a request has one body: body already set on line 3");
	parse_err(S "post /\n  part a = 1\n  form b = 2\n", 4, 3,
		  "a request has one body: part already set on line 3");
	parse_err(S "post /\n  json {\"a\": }\n", 3, 14, "invalid JSON: unexpected token near '}'");
	parse_err(S "post /\n  json   [1, 2\n", 3, 15, "invalid JSON: ']' expected near end of file");
	parse_err(S "post /\n  json {\"é\": tru}\n", 3, 15, "invalid JSON: invalid token near 'tru'");
	parse_err(S "post /\n  json\n", 3, 7, "expected JSON text after 'json'");
	parse_err(S "post /\n  body\n", 3, 7, "expected the body after 'body'");
	parse_err(S "get /\n  header Accept application/json\n", 3, 17,
		  "expected ':' after the header name 'Accept'");
	parse_err(S "get /\n  header X Y: z\n", 3, 12, "expected ':' after the header name 'X'");
	parse_err(S "get /\n  header Bad(name): z\n", 3, 10, "invalid header name 'Bad(name)'");
	parse_err(S "get /\n  header : z\n", 3, 10, "expected the header name before ':'");
	parse_err(S "get /\n  header\n", 3, 9, "expected the header name");
	parse_err(S "get /\n  query a\n", 3, 10, "expected '=' after the query parameter name 'a'");
	parse_err(S "post /\n  form a b\n", 3, 10, "expected '=' after the form field name 'a'");
	parse_err(S "post /\n  part a b\n", 3, 10, "expected '=' or 'file' after the part name 'a'");
	parse_err(S "post /\n  part a file\n", 3, 14, "expected the file's path after 'file'");
	parse_err(S "get /\n  timeout 5s\n  timeout 6s\n", 4, 3,
		  "duplicate 'timeout' (first on line 3)");
	parse_err(S "get /\n  timeout 5\n", 3, 11, "expected a duration after 'timeout'");
	parse_err(S "get /\n  timeout 0s\n", 3, 11, "a timeout must be at least 1ms");
	parse_err(S "get /\n  timeout 5s later\n", 3, 14, "unexpected 'later' after the duration");
}

/* ---- responsiveness targets ---- */

static void test_apdex(void **state)
{
	(void)state;
	tw_script *s = parse_ok("rehearsal \"x\"\n"
				"apdex 800ms   # the whole rehearsal\n"
				"budget 90s\n"
				"scene \"Order\"\n"
				"  # a comment before the scene's target\n"
				"  apdex 1s\n"
				"  visit /\n"
				"    header A: b\n"
				"    apdex 300ms\n"
				"    timeout 5s\n"
				"  click Margherita\n"
				"  apdex 1.5s\n"
				"  fill name with Ada\n"
				"  submit\n"
				"    apdex 2m\n"
				"  post /api\n"
				"    apdex 250ms\n"
				"    json {\"a\": 1}\n"
				"  expect status 200\n"
				"backstage \"Kitchen\"\n"
				"  get /api/orders\n"
				"  apdex 0.5s\n"
				"scene \"Call\" on ivr\n"
				"  apdex 2s\n"
				"  call /voice\n"
				"    method GET\n"
				"    apdex 1200ms\n"
				"    signed with t\n"
				"  hear Welcome\n"
				"  press 1\n"
				"  apdex 700ms\n"
				"  say yes\n"
				"  apdex 900ms\n"
				"  silence\n"
				"  apdex 3s\n"
				"  hang up\n");
	assert_int_equal(s->apdex_ms, 800);
	assert_int_equal(s->budget_ms, 90000);
	assert_int_equal(s->scenes[0].apdex_ms, 1000);
	tw_step *st = step(s, 0, 0);
	assert_int_equal(st->apdex_ms, 300);
	/* apdex closes no request: the modifiers after it still attach */
	assert_int_equal(st->req.timeout_ms, 5000);
	assert_int_equal(st->req.headers.count, 1);
	assert_string_equal(st->source, "visit /");
	assert_int_equal(step(s, 0, 1)->apdex_ms, 1500);
	assert_int_equal(step(s, 0, 2)->apdex_ms, 0);
	assert_int_equal(step(s, 0, 3)->apdex_ms, 120000);
	st = step(s, 0, 4);
	assert_int_equal(st->apdex_ms, 250);
	assert_int_equal(st->req.body_kind, TW_BODY_JSON);
	assert_int_equal(step(s, 0, 5)->apdex_ms, 0);
	assert_int_equal(s->scenes[1].apdex_ms, 0); /* after a step: the step's */
	assert_int_equal(step(s, 1, 0)->apdex_ms, 500);
	assert_int_equal(s->scenes[2].apdex_ms, 2000);
	st = step(s, 2, 0);
	assert_int_equal(st->apdex_ms, 1200);
	assert_string_equal(st->call.method, "GET");
	assert_string_equal(st->call.token, "t");
	assert_int_equal(step(s, 2, 1)->apdex_ms, 0);
	assert_int_equal(step(s, 2, 2)->apdex_ms, 700);
	assert_int_equal(step(s, 2, 3)->apdex_ms, 900);
	assert_int_equal(step(s, 2, 4)->apdex_ms, 3000);
	assert_int_equal(step(s, 2, 5)->apdex_ms, 0);
	tw_script_free(s);

	/* Nothing said: 0 everywhere, the levels above (and the project) decide. */
	s = parse_ok(S "visit /\n");
	assert_int_equal(s->apdex_ms, 0);
	assert_int_equal(s->scenes[0].apdex_ms, 0);
	assert_int_equal(step(s, 0, 0)->apdex_ms, 0);
	tw_script_free(s);

	/* Every request method and a sub-millisecond part that rounds to 1ms. */
	const char *takers[] = {"visit /", "get /", "post /", "put /", "patch /", "delete /",
				"head /", "options *", "click a", "submit"};
	for (size_t i = 0; i < sizeof(takers) / sizeof(takers[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), S "%s\n  apdex 1.2ms\n", takers[i]);
		s = parse_ok(text);
		assert_int_equal(step(s, 0, 0)->apdex_ms, 1);
		tw_script_free(s);
	}

	/* The same scene level in every scene, and apdex as a cast name. */
	s = parse_ok("cast\n  apdex = 5\n"
		     "scene \"A\"\n  apdex 1s\n  visit /\n  apdex 1s\n"
		     "scene \"B\"\n  apdex 2s\n  visit /\n");
	assert_string_equal(s->cast.items[0].name, "apdex");
	assert_int_equal(s->scenes[0].apdex_ms, 1000);
	assert_int_equal(step(s, 0, 0)->apdex_ms, 1000);
	assert_int_equal(s->scenes[1].apdex_ms, 2000);
	tw_script_free(s);
}

static void test_apdex_errors(void **state)
{
	(void)state;
	/* the value */
	parse_err("apdex\n", 1, 6, "expected a duration after 'apdex', like 500ms, 2s or 1.5m");
	parse_err("apdex   # T\n", 1, 9, "expected a duration after 'apdex'");
	parse_err("apdex 800\n", 1, 7,
		  "expected a duration after 'apdex', like 500ms, 2s or 1.5m (found '800')");
	parse_err("apdex fast\n", 1, 7, "expected a duration after 'apdex'");
	parse_err("apdex \"800ms\"\n", 1, 7, "expected a duration after 'apdex'");
	parse_err("apdex 0ms\n", 1, 7, "an apdex target must be at least 1ms, found '0ms'");
	parse_err(S "  apdex 0s\n  visit /\n", 2, 9, "an apdex target must be at least 1ms, found '0s'");
	parse_err(S "visit /\n  apdex 0.2ms\n", 3, 9,
		  "an apdex target must be at least 1ms, found '0.2ms'");
	parse_err("apdex -1s\n", 1, 7, "an apdex target must be at least 1ms, found '-1s'");
	parse_err(S "visit /\n  apdex -300ms\n", 3, 9,
		  "an apdex target must be at least 1ms, found '-300ms'");
	parse_err("apdex -5\n", 1, 7, "expected a duration after 'apdex'");
	parse_err("apdex 25h\n", 1, 7, "expected a duration after 'apdex'");
	parse_err("apdex 1441m\n", 1, 7, "duration '1441m' is too long: at most 24 hours");
	parse_err("apdex 800ms 1s\n", 1, 13,
		  "unexpected '1s' after the duration: expected the end of the line");
	parse_err("apdex 800ms, 10 steps\n", 1, 7, "expected a duration after 'apdex'");

	/* duplicates, at each level */
	parse_err("apdex 1s\nbudget 2m\napdex 2s\n", 3, 1,
		  "duplicate 'apdex' (first on line 1): expected it at most once");
	parse_err(S "  apdex 1s\n  apdex 2s\n  visit /\n", 3, 3,
		  "duplicate 'apdex' (first on line 2)");
	parse_err(S "visit /\n  apdex 1s\n  header A: b\n  apdex 2s\n", 5, 3,
		  "duplicate 'apdex' (first on line 3)");

	/* where it goes */
	parse_err(S "visit /\n  fill name with Ada\n  apdex 1s\n", 4, 3,
		  "'apdex' cannot follow 'fill' (line 3): it goes right under a step that makes a "
		  "request or waits for the service (visit, click, submit, get, post, put, patch, "
		  "delete, head, options, call, press, say, silence), or before the scene's first "
		  "step");
	parse_err(S "visit /\n  expect status 200\n  apdex 1s\n", 4, 3,
		  "'apdex' cannot follow 'expect' (line 3)");
	parse_err(S "pause 1s\n  apdex 1s\n", 3, 3, "'apdex' cannot follow 'pause' (line 2)");
	parse_err(S "choose a\n  apdex 1s\n", 3, 3, "'apdex' cannot follow 'choose'");
	parse_err(S "tick a\n  apdex 1s\n", 3, 3, "'apdex' cannot follow 'tick'");
	parse_err(S "untick a\n  apdex 1s\n", 3, 3, "'apdex' cannot follow 'untick'");
	parse_err("scene \"C\" on ivr\n  call /v\n  hear Welcome\n  apdex 1s\n", 4, 3,
		  "'apdex' cannot follow 'hear' (line 3)");
	parse_err("scene \"C\" on ivr\n  call /v\n  hang up\n  apdex 1s\n", 4, 3,
		  "'apdex' cannot follow 'hang up' (line 3)");
	parse_err("cast\n  apdex 1s\n", 2, 3, "'apdex' does not belong in the cast: expected it in "
		  "the header, before a scene's first step, or under a step");
	parse_err("Apdex 1s\n", 1, 1, "unknown statement 'Apdex' (keywords are lower case: 'apdex')");
	parse_err("apdx 1s\n", 1, 1, "unknown statement 'apdx' (did you mean 'apdex'?)");
	parse_err(S "visit /\n  apedx 1s\n", 3, 3, "unknown step 'apedx' (did you mean 'apdex'?)");
}

/* ---- web steps ---- */

static void test_click_tick_submit(void **state)
{
	(void)state;
	tw_script *s = parse_ok(S "click \"Margherita\"\n"
				  "click Order now #1\n"
				  "click \"Order #1\"\n"
				  "tick \"Extra cheese\"\n"
				  "untick extra_cheese\n"
				  "submit\n"
				  "submit \"Place order\"  # the button\n"
				  "submit Save for later\n");
	assert_int_equal(step(s, 0, 0)->kind, TW_STEP_CLICK);
	assert_string_equal(step(s, 0, 0)->target, "Margherita");
	assert_null(step(s, 0, 0)->value);
	assert_string_equal(step(s, 0, 1)->target, "Order now"); /* `#1` after a blank is a comment */
	assert_string_equal(step(s, 0, 2)->target, "Order #1");
	assert_int_equal(step(s, 0, 3)->kind, TW_STEP_TICK);
	assert_string_equal(step(s, 0, 3)->target, "Extra cheese");
	assert_int_equal(step(s, 0, 4)->kind, TW_STEP_UNTICK);
	assert_string_equal(step(s, 0, 4)->target, "extra_cheese");
	assert_int_equal(step(s, 0, 5)->kind, TW_STEP_SUBMIT);
	assert_null(step(s, 0, 5)->target);
	assert_string_equal(step(s, 0, 6)->target, "Place order");
	assert_string_equal(step(s, 0, 6)->source, "submit \"Place order\"");
	assert_string_equal(step(s, 0, 7)->target, "Save for later");
	tw_script_free(s);
	parse_err(S "click\n", 2, 6, "expected the link text after 'click'");
	parse_err(S "click  # nothing\n", 2, 8, "expected the link text after 'click'");
	parse_err(S "tick\n", 2, 5, "expected the checkbox or radio button after 'tick'");
	parse_err(S "untick\n", 2, 7, "expected the checkbox or radio button after 'untick'");
	parse_err(S "click \"Margherita\n", 2, 7, "unterminated string");
}

static void test_fill(void **state)
{
	(void)state;
	tw_script *s = parse_ok(S "fill \"Your name\" with {{name}}\n"
				  "fill phone with +1 555 0100   # spaces kept\n"
				  "fill notes with \"extra \\\"hot\\\"\"\n"
				  "fill notes with \"\"\n"
				  "fill with with x\n"
				  "fill notes with \"a\" and \"b\"\n");
	tw_step *st = step(s, 0, 0);
	assert_int_equal(st->kind, TW_STEP_FILL);
	assert_string_equal(st->target, "Your name");
	assert_string_equal(st->value, "{{name}}");
	assert_string_equal(step(s, 0, 1)->target, "phone");
	assert_string_equal(step(s, 0, 1)->value, "+1 555 0100");
	assert_string_equal(step(s, 0, 2)->value, "extra \"hot\"");
	assert_string_equal(step(s, 0, 3)->value, "");
	assert_string_equal(step(s, 0, 4)->target, "with");
	assert_string_equal(step(s, 0, 4)->value, "x");
	assert_string_equal(step(s, 0, 5)->value, "\"a\" and \"b\"");
	tw_script_free(s);
	parse_err(S "fill Your name with Ada\n", 2, 11,
		  "expected 'with' after the field (a field label with blanks goes in double quotes");
	parse_err(S "fill phone 555\n", 2, 12, "expected 'with' after the field, like fill phone with Ada");
	parse_err(S "fill phone\n", 2, 11, "expected 'with' after the field");
	parse_err(S "fill phone with\n", 2, 16, "expected the text to type after 'with' (write \"\"");
	parse_err(S "fill phone with   # c\n", 2, 19, "expected the text to type after 'with'");
	parse_err(S "fill\n", 2, 5, "expected the field after 'fill'");
	parse_err(S "fill with Ada\n", 2, 6, "expected the field before 'with'");
	parse_err(S "fill \"x\" wiht y\n", 2, 10, "expected 'with' after the field");
}

static void test_choose(void **state)
{
	(void)state;
	tw_script *s = parse_ok(S "choose Large from size\n"
				  "choose \"Thick crust\" in \"Crust\"\n"
				  "choose Medium\n"
				  "choose Small from Pizza size  # rest of line\n");
	tw_step *st = step(s, 0, 0);
	assert_int_equal(st->kind, TW_STEP_CHOOSE);
	assert_string_equal(st->value, "Large");
	assert_string_equal(st->target, "size");
	assert_string_equal(step(s, 0, 1)->value, "Thick crust");
	assert_string_equal(step(s, 0, 1)->target, "Crust");
	assert_string_equal(step(s, 0, 2)->value, "Medium");
	assert_null(step(s, 0, 2)->target);
	assert_string_equal(step(s, 0, 3)->target, "Pizza size");
	tw_script_free(s);
	parse_err(S "choose\n", 2, 7, "expected the option after 'choose'");
	parse_err(S "choose Extra large from size\n", 2, 14, "expected 'from' and the list after the option");
	parse_err(S "choose Large from\n", 2, 18, "expected the list after 'from'");
}

static void test_pause(void **state)
{
	(void)state;
	tw_script *s = parse_ok(S "pause 2s\npause 1.5s\npause 250ms\npause 1m # think\npause 0s\n");
	assert_int_equal(step(s, 0, 0)->kind, TW_STEP_PAUSE);
	assert_int_equal(step(s, 0, 0)->ms, 2000);
	assert_int_equal(step(s, 0, 1)->ms, 1500);
	assert_int_equal(step(s, 0, 2)->ms, 250);
	assert_int_equal(step(s, 0, 3)->ms, 60000);
	assert_int_equal(step(s, 0, 4)->ms, 0);
	tw_script_free(s);
	parse_err(S "pause\n", 2, 6, "expected a duration after 'pause'");
	parse_err(S "pause 2\n", 2, 7, "expected a duration after 'pause', like 500ms, 2s or 1.5m (found '2')");
	parse_err(S "pause 2 s\n", 2, 7, "expected a duration after 'pause'");
	parse_err(S "pause 2s now\n", 2, 10, "unexpected 'now' after the duration");
	parse_err(S "pause 1441m\n", 2, 7, "duration '1441m' is too long");
}

/* ---- expectations ---- */

static tw_expect *ex(tw_script *s, size_t i)
{
	tw_step *st = step(s, 0, i);
	assert_int_equal(st->kind, TW_STEP_EXPECT);
	return &st->expect;
}

static void test_expect_subjects_and_defaults(void **state)
{
	(void)state;
	tw_script *s = parse_ok(S "expect status 200\n"                          /* 0 */
				  "expect status != 404\n"                        /* 1 */
				  "expect text \"Today's menu\"\n"                /* 2 */
				  "expect body == \"{}\"\n"                       /* 3 */
				  "expect body pizza\n"                           /* 4 */
				  "expect title \"Stage Pizza\"\n"                /* 5 */
				  "expect url contains /orders/\n"                /* 6 */
				  "expect header Content-Type contains json\n"    /* 7 */
				  "expect header X-Trace exists\n"                /* 8 */
				  "expect cookie session not exists\n"            /* 9 */
				  "expect xpath \"//h1\" == \"Today's menu\"\n"   /* 10 */
				  "expect xpath //li count >= 2\n"                /* 11 */
				  "expect json $.status == \"baking\"\n"          /* 12 */
				  "expect json $.items count == 3\n"              /* 13 */
				  "expect json \"$['first name']\" == Ada\n"      /* 14 */
				  "expect time < 800ms\n"                         /* 15 */
				  "expect time <= 2s\n"                           /* 16 */
				  "expect status ~ /^2/\n"                        /* 17 */
				  "expect json $[\"a b\"] exists\n");             /* 18 */
	tw_expect *e = ex(s, 0);
	assert_int_equal(e->subject, TW_SUBJ_STATUS);
	assert_int_equal(e->op, TW_OP_EQ);
	assert_int_equal(e->value.kind, TW_VAL_NUMBER);
	assert_true(e->value.number == 200);
	assert_string_equal(e->value.text, "200");
	assert_int_equal(e->value.loc.line, 2);
	assert_int_equal(e->value.loc.col, 15);
	assert_null(e->arg);
	assert_false(e->count);
	assert_null(e->capture);
	assert_int_equal(ex(s, 1)->op, TW_OP_NE);
	e = ex(s, 2);
	assert_int_equal(e->subject, TW_SUBJ_TEXT);
	assert_int_equal(e->op, TW_OP_CONTAINS);
	assert_int_equal(e->value.kind, TW_VAL_STRING);
	assert_string_equal(e->value.text, "Today's menu");
	assert_int_equal(ex(s, 3)->subject, TW_SUBJ_BODY);
	assert_int_equal(ex(s, 3)->op, TW_OP_EQ);
	assert_int_equal(ex(s, 4)->op, TW_OP_CONTAINS);
	assert_string_equal(ex(s, 4)->value.text, "pizza");
	assert_int_equal(ex(s, 5)->subject, TW_SUBJ_TITLE);
	assert_int_equal(ex(s, 5)->op, TW_OP_EQ);
	assert_int_equal(ex(s, 6)->subject, TW_SUBJ_URL);
	assert_int_equal(ex(s, 6)->op, TW_OP_CONTAINS);
	e = ex(s, 7);
	assert_int_equal(e->subject, TW_SUBJ_HEADER);
	assert_string_equal(e->arg, "Content-Type");
	assert_int_equal(e->op, TW_OP_CONTAINS);
	assert_string_equal(e->value.text, "json");
	e = ex(s, 8);
	assert_int_equal(e->op, TW_OP_EXISTS);
	assert_int_equal(e->value.kind, TW_VAL_NONE);
	e = ex(s, 9);
	assert_int_equal(e->subject, TW_SUBJ_COOKIE);
	assert_string_equal(e->arg, "session");
	assert_int_equal(e->op, TW_OP_NOT_EXISTS);
	e = ex(s, 10);
	assert_int_equal(e->subject, TW_SUBJ_XPATH);
	assert_string_equal(e->arg, "//h1");
	assert_false(e->count);
	e = ex(s, 11);
	assert_string_equal(e->arg, "//li");
	assert_true(e->count);
	assert_int_equal(e->op, TW_OP_GE);
	assert_true(e->value.number == 2);
	e = ex(s, 12);
	assert_int_equal(e->subject, TW_SUBJ_JSON);
	assert_string_equal(e->arg, "$.status");
	assert_string_equal(e->value.text, "baking");
	assert_true(ex(s, 13)->count);
	assert_string_equal(ex(s, 14)->arg, "$['first name']");
	e = ex(s, 15);
	assert_int_equal(e->subject, TW_SUBJ_TIME);
	assert_int_equal(e->op, TW_OP_LT);
	assert_int_equal(e->value.kind, TW_VAL_DURATION);
	assert_true(e->value.number == 800);
	assert_true(ex(s, 16)->value.number == 2000);
	assert_int_equal(ex(s, 16)->op, TW_OP_LE);
	assert_int_equal(ex(s, 17)->value.kind, TW_VAL_REGEX);
	assert_string_equal(ex(s, 18)->arg, "$[\"a b\"]");
	tw_script_free(s);
}

static void test_expect_values(void **state)
{
	(void)state;
	tw_script *s = parse_ok(S "expect json $.a == 8.5\n"
				  "expect json $.a == -1\n"
				  "expect json $.a == true\n"
				  "expect json $.a != false\n"
				  "expect json $.a == null\n"
				  "expect json $.a == 1.5s\n"
				  "expect json $.a == {{order}}\n"
				  "expect json $.a == \"200\"\n"
				  "expect json $.a == 12abc\n"
				  "expect text ~ /Order #(\\d+) confirmed/mi as order\n"
				  "expect json $.a > 2m\n");
	assert_int_equal(ex(s, 0)->value.kind, TW_VAL_NUMBER);
	assert_true(ex(s, 0)->value.number == 8.5);
	assert_true(ex(s, 1)->value.number == -1);
	assert_int_equal(ex(s, 2)->value.kind, TW_VAL_BOOL);
	assert_true(ex(s, 2)->value.boolean);
	assert_int_equal(ex(s, 3)->value.kind, TW_VAL_BOOL);
	assert_false(ex(s, 3)->value.boolean);
	assert_int_equal(ex(s, 4)->value.kind, TW_VAL_NULL);
	assert_string_equal(ex(s, 4)->value.text, "null");
	assert_int_equal(ex(s, 5)->value.kind, TW_VAL_DURATION);
	assert_true(ex(s, 5)->value.number == 1500);
	assert_int_equal(ex(s, 6)->value.kind, TW_VAL_TEMPLATE); /* typed when expanded */
	assert_string_equal(ex(s, 6)->value.text, "{{order}}");
	assert_int_equal(ex(s, 7)->value.kind, TW_VAL_STRING); /* quoted: a string */
	assert_string_equal(ex(s, 7)->value.text, "200");
	assert_int_equal(ex(s, 8)->value.kind, TW_VAL_STRING);
	tw_expect *e = ex(s, 9);
	assert_int_equal(e->op, TW_OP_MATCHES);
	assert_int_equal(e->value.kind, TW_VAL_REGEX);
	assert_string_equal(e->value.text, "Order #(\\d+) confirmed");
	assert_string_equal(e->value.flags, "mi");
	assert_int_equal(e->value.loc.col, 15);
	assert_string_equal(e->capture, "order");
	assert_string_equal(step(s, 0, 9)->source,
			    "expect text ~ /Order #(\\d+) confirmed/mi as order");
	assert_true(ex(s, 10)->value.number == 120000);
	tw_script_free(s);

	/* A number too long for a double is not inf: it stays text. */
	char big[600];
	int n = snprintf(big, sizeof(big), S "expect json $.a == 1");
	memset(big + n, '0', 400);
	strcpy(big + n + 400, "\n");
	s = parse_ok(big);
	assert_int_equal(ex(s, 0)->value.kind, TW_VAL_STRING);
	tw_script_free(s);

	/* After contains every word keeps its text as written; numbers,
	 * true, false and null keep their type too, for a JSON list's
	 * elements (issue 12), durations are text. */
	s = parse_ok(S "expect text 8.50\nexpect body contains 2s\nexpect json $.a contains true\n"
		       "expect header X-A contains null\nexpect text 48h\n");
	const char *const written[] = {"8.50", "2s", "true", "null", "48h"};
	const tw_value_kind kinds[] = {TW_VAL_NUMBER, TW_VAL_STRING, TW_VAL_BOOL, TW_VAL_NULL,
				       TW_VAL_STRING};
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(ex(s, i)->op, TW_OP_CONTAINS);
		assert_int_equal(ex(s, i)->value.kind, kinds[i]);
		assert_string_equal(ex(s, i)->value.text, written[i]);
	}
	tw_script_free(s);

	s = parse_ok(S "expect text ~ /x/\nexpect status 200 as code\nexpect header Location exists as next\n");
	assert_string_equal(ex(s, 0)->value.flags, "");
	assert_string_equal(ex(s, 1)->capture, "code");
	assert_string_equal(ex(s, 2)->capture, "next");
	tw_script_free(s);
}

/* Transport (issue 12, capabilities 8 and 11): the cookie attribute and
 * certificate words, the version's value, and the http/insecure/cert
 * lines, into the AST; every misuse names its place. */
static void test_transport(void **state)
{
	(void)state;
	tw_script *s = parse_ok(S "get /x\n"
				  "  http 1.0\n"
				  "  insecure\n"
				  "  cert \"c.pem\" key k.pem\n"
				  "expect set-cookie \"sid\" max-age == 3600\n"
				  "expect cookie sid exists\n"
				  "expect cookie sid httponly == true\n"
				  "expect cookie sid value == \"x\"\n"
				  "expect version == \"2\"\n"
				  "expect certificate serial exists\n");
	const tw_scene *sc = &s->scenes[0];
	assert_int_equal(sc->steps[0].req.http_version, 10);
	assert_true(sc->steps[0].req.insecure);
	assert_string_equal(sc->steps[0].req.cert, "c.pem");
	assert_string_equal(sc->steps[0].req.key, "k.pem");
	assert_int_equal(sc->steps[1].expect.subject, TW_SUBJ_SET_COOKIE);
	assert_string_equal(sc->steps[1].expect.arg, "sid");
	assert_string_equal(sc->steps[1].expect.attr, "max-age");
	assert_null(sc->steps[2].expect.attr);
	assert_string_equal(sc->steps[3].expect.attr, "httponly");
	assert_null(sc->steps[4].expect.attr); /* value: the cookie itself */
	assert_int_equal(sc->steps[5].expect.subject, TW_SUBJ_VERSION);
	assert_int_equal(sc->steps[6].expect.subject, TW_SUBJ_CERTIFICATE);
	assert_string_equal(sc->steps[6].expect.arg, "serial");
	tw_script_free(s);

	tw_script *raw = parse_ok(S "get /x\n  decompress off\nget /y\n  decompress on\n");
	assert_true(raw->scenes[0].steps[0].req.raw_body);
	assert_false(raw->scenes[0].steps[1].req.raw_body);
	tw_script_free(raw);
	parse_err(S "get /x\n  decompress no\n", 3, 14, "expected off or on after 'decompress'");
	parse_err(S "get /x\n  http\n", 3, 7, "expected the HTTP version after 'http'");
	parse_err(S "get /x\n  http 1.1\n  http 1.0\n", 4, 3, "a request has one 'http' line");
	parse_err(S "get /x\n  insecure yes\n", 3, 12, "unexpected 'yes' after 'insecure'");
	parse_err(S "get /x\n  cert\n", 3, 7, "expected the client certificate's file");
	parse_err(S "get /x\n  cert c.pem\n", 3, 13, "expected 'key' and the private key's file");
	parse_err(S "get /x\n  cert c.pem key\n", 3, 17, "expected the private key's file");
	parse_err(S "insecure\n", 2, 1, "'insecure' must follow a request step");
	parse_err(S "expect cookie sid max-age == 1\n", 2, 19,
		  "the cookie jar does not keep Max-Age");
	parse_err(S "expect set-cookie\n", 2, 18, "expected the set-cookie name");
	parse_err(S "expect certificate\n", 2, 19, "expected what to check after 'expect certificate'");
	parse_err(S "expect version == 2\n", 2, 19, "an HTTP version is text");
	/* A version this libcurl lacks is refused with its name. */
	if (!(curl_version_info(CURLVERSION_NOW)->features & CURL_VERSION_HTTP3))
		parse_err(S "get /x\n  http 3\n", 3, 8, "'http 3': this techweek's libcurl");
	else
		tw_script_free(parse_ok(S "get /x\n  http 3\n"));
}

static void test_expect_errors(void **state)
{
	(void)state;
	parse_err(S "expect\n", 2, 7, "expected what to check after 'expect': status, header");
	parse_err(S "expect stauts 200\n", 2, 8, "unknown expectation 'stauts' (did you mean 'status'?)");
	parse_err(S "expect color red\n", 2, 8, "unknown expectation 'color': expected status, header");
	parse_err(S "expect header X-Trace\n", 2, 22,
		  "expected an operator (==, !=, <, <=, >, >=, contains, ~, exists, starts with, ends with, in, is, or not before one of them)");
	parse_err(S "expect header X-Trace abc\n", 2, 23,
		  "expected an operator (==, !=, <, <=, >, >=, contains, ~, exists, starts with, ends with, in, is, or not before one of them), found 'abc'");
	parse_err(S "expect json $.a = 1\n", 2, 17, "expected an operator (==, !=, <, <=, >, >=, contains, ~, exists, starts with, ends with, in, is, or not before one of them): equality is '=='");
	parse_err(S "expect cookie sid\n", 2, 18, "expected an operator");
	parse_err(S "expect xpath \"//a\" count\n", 2, 25, "expected an operator");
	parse_err(S "expect header\n", 2, 14, "expected the header name after 'expect header'");
	parse_err(S "expect header Bad/Name exists\n", 2, 15, "invalid header name 'Bad/Name'");
	parse_err(S "expect header \"Bad Name\" exists\n", 2, 15, "invalid header name '\"Bad Name\"'");
	parse_err(S "expect time count < 2s\n", 2, 13,
		  "filters apply to what a response holds, not to the step's time: 'count'");
	parse_err("scene \"Call\" on ivr\n  expect transfer nth 1 == x\n", 2, 19,
		  "filters apply to a response, not to the call: 'nth' cannot follow");
	/* Quoted names are Hurl's way (`header "Set-Cookie"`): accepted. */
	tw_script_free(parse_ok(S "expect cookie \"sid\" exists\n"));
	parse_err(S "expect cookie \"s d\" exists\n", 2, 15, "invalid cookie name '\"s d\"'");
	tw_script_free(parse_ok(S "expect header \"Location\" == \"/x\"\n"));
	parse_err(S "expect xpath\n", 2, 13, "expected an XPath expression after 'expect xpath'");
	parse_err(S "expect json status == 1\n", 2, 13, "expected a JSON query starting with '$'");
	parse_err(S "expect json \"status\" == 1\n", 2, 13, "expected a JSON query starting with '$'");
	parse_err(S "expect header A not there\n", 2, 21, "expected an operator after 'not' (==, !=");
	parse_err(S "expect time 800ms\n", 2, 13, "expected an operator");
	parse_err(S "expect time == 800ms\n", 2, 13, "expected <, <=, > or >= after 'expect time'");
	parse_err(S "expect time < 800\n", 2, 15, "expected a duration after '<', like 800ms or 2s");
	parse_err(S "expect time < fast\n", 2, 15, "expected a duration after '<'");
	parse_err(S "expect json $.a < abc\n", 2, 19,
		  "'<' compares numbers or strings: expected a number, a duration like 800ms or "
		  "a \"quoted string\"");
	parse_err(S "expect json $.a >= true\n", 2, 20, "'>=' compares numbers or strings");
	/* Issue 12: a quoted string orders by code points, a template by its
	 * type; misuses of the new predicates say what they expect. */
	tw_script *o = parse_ok(S "expect json $.a >= \"3\"\nexpect json $.a > {{n}}\n"
				  "expect json $.a not == 2\nexpect text not contains \"Error\"\n"
				  "expect json $.a in [1, \"b\", true, null]\nexpect json $.a is uuid\n"
				  "expect url starts with \"http\"\nexpect var n ends with x\n");
	assert_int_equal(ex(o, 0)->value.kind, TW_VAL_STRING);
	assert_int_equal(ex(o, 1)->value.kind, TW_VAL_TEMPLATE);
	assert_true(ex(o, 2)->negate);
	assert_int_equal(ex(o, 2)->op, TW_OP_EQ);
	assert_true(ex(o, 3)->negate);
	assert_int_equal(ex(o, 3)->op, TW_OP_CONTAINS);
	assert_int_equal(ex(o, 4)->value.kind, TW_VAL_LIST);
	assert_int_equal(ex(o, 4)->value.item_count, 4);
	assert_int_equal(ex(o, 4)->value.items[1].kind, TW_VAL_STRING);
	assert_int_equal(ex(o, 4)->value.items[3].kind, TW_VAL_NULL);
	assert_int_equal(ex(o, 5)->op, TW_OP_IS);
	assert_string_equal(ex(o, 5)->value.text, "uuid");
	assert_int_equal(ex(o, 6)->op, TW_OP_STARTS_WITH);
	assert_int_equal(ex(o, 7)->subject, TW_SUBJ_VAR);
	assert_string_equal(ex(o, 7)->arg, "n");
	assert_int_equal(ex(o, 7)->op, TW_OP_ENDS_WITH);
	tw_script_free(o);
	parse_err(S "expect url starts with 5\n", 2, 24, "'starts with' takes text: expected a \"string\"");
	parse_err(S "expect url ends \"x\"\n", 2, 17, "expected 'with' after 'ends'");
	parse_err(S "expect json $.a is foo\n", 2, 20,
		  "unknown type 'foo' after 'is': expected string, integer, number, boolean, list, "
		  "object, null, empty, date or uuid");
	parse_err(S "expect json $.a in 1, 2\n", 2, 20, "expected a list after 'in'");
	parse_err(S "expect json $.a in [1, 2\n", 2, 24, "the list after 'in' does not read as JSON");
	parse_err(S "expect json $.a in []\n", 2, 20, "the list after 'in' is empty");
	parse_err(S "expect json $.a in [[1]]\n", 2, 20, "a list after 'in' holds strings, numbers");
	parse_err(S "expect json $.a not\n", 2, 20, "expected an operator after 'not'");
	parse_err(S "expect json $.a not not == 1\n", 2, 21, "'not' twice");
	parse_err(S "expect status starts with \"2\"\n", 2, 15,
		  "'starts with' does not apply to status");
	parse_err(S "expect json $.a count starts with \"2\"\n", 2, 23,
		  "'starts with' does not apply to a count");
	parse_err(S "expect var\n", 2, 11, "expected a variable name after 'expect var'");
	parse_err(S "expect var 1x == 2\n", 2, 12, "invalid variable name '1x'");
	parse_err(S "expect json $.a not ~ /x/ as y\n", 2, 27, "nothing to capture: 'not ~'");
	parse_err(S "expect status OK\n", 2, 15, "expected a status code from 100 to 599 after 'status'");
	parse_err(S "expect status == 99\n", 2, 18, "expected a status code from 100 to 599 after '=='");
	parse_err(S "expect status 200.5\n", 2, 15, "expected a status code from 100 to 599");
	parse_err(S "expect status contains 20\n", 2, 15, "'contains' does not apply to status");
	parse_err(S "expect status\n", 2, 14, "expected a value after 'status'");
	parse_err(S "expect text contains\n", 2, 21, "expected a value after 'contains'");
	parse_err(S "expect status exists\n", 2, 15, "'exists' does not apply to status");
	parse_err(S "expect json $.a count exists\n", 2, 23, "'exists' does not apply to a count");
	parse_err(S "expect json $.a count ~ /1/\n", 2, 23, "'~' does not apply to a count");
	parse_err(S "expect json $.a count == many\n", 2, 26, "expected a number after '==' (count is the number of matches)");
	parse_err(S "expect text ~ \"x\"\n", 2, 15, "expected a regular expression after '~'");
	parse_err(S "expect text ~\n", 2, 14, "expected a regular expression after '~'");
	parse_err(S "expect text ~ //\n", 2, 15, "empty regular expression");
	parse_err(S "expect text ~ /x/g\n", 2, 18, "unknown regular expression flag 'g'");
	parse_err(S "expect text ~ /x\n", 2, 15, "unterminated regular expression");
	parse_err(S "expect text Today's menu\n", 2, 21,
		  "unexpected 'menu' after the expectation (a value with blanks goes in double quotes)");
	parse_err(S "expect status 200 please\n", 2, 19,
		  "unexpected 'please' after the expectation: expected 'as NAME' or the end of the line");
	parse_err(S "expect status 200 as\n", 2, 21, "expected a variable name after 'as'");
	parse_err(S "expect status 200 as 1x\n", 2, 22, "invalid variable name '1x'");
	parse_err(S "expect status 200 as a b\n", 2, 24, "unexpected 'b' after the expectation");
	parse_err(S "expect header X not exists as x\n", 2, 28, "nothing to capture: 'not exists' has no value");
	parse_err(S "expect time < 1441m\n", 2, 15, "duration '1441m' is too long: at most 24 hours");
}

/* ---- phone steps ---- */

#define IVR "scene \"Call\" on ivr\n"

static void test_call(void **state)
{
	(void)state;
	tw_script *s = parse_ok(IVR "  call {{stage}}/voice\n"
				"  call \"{{stage}}/voice?x=1\" from {{phone}} to \"+15550100200\"  # c\n"
				"  call {{stage}}/voice to +15550100200 from +15550100001\n"
				"    method GET\n"
				"\n"
				"    # the token\n"
				"    signed with {{secret TWILIO_TOKEN}}\n"
				"  call /voice\n"
				"    signed with \"a b # c\"\n"
				"    method post\n");
	tw_step *st = step(s, 0, 0);
	assert_int_equal(st->kind, TW_STEP_CALL);
	assert_int_equal(st->loc.line, 2);
	assert_int_equal(st->loc.col, 3);
	assert_string_equal(st->call.url, "{{stage}}/voice");
	assert_null(st->call.from);
	assert_null(st->call.to);
	assert_null(st->call.method);
	assert_null(st->call.token);
	assert_string_equal(st->source, "call {{stage}}/voice");
	st = step(s, 0, 1);
	assert_string_equal(st->call.url, "{{stage}}/voice?x=1");
	assert_string_equal(st->call.from, "{{phone}}");
	assert_string_equal(st->call.to, "+15550100200");
	assert_string_equal(st->source, "call \"{{stage}}/voice?x=1\" from {{phone}} to \"+15550100200\"");
	st = step(s, 0, 2);
	assert_string_equal(st->call.from, "+15550100001");
	assert_string_equal(st->call.to, "+15550100200");
	assert_string_equal(st->call.method, "GET");
	assert_string_equal(st->call.token, "{{secret TWILIO_TOKEN}}");
	st = step(s, 0, 3);
	assert_string_equal(st->call.token, "a b # c");
	assert_string_equal(st->call.method, "POST");
	assert_int_equal(s->scenes[0].step_count, 4);
	tw_script_free(s);
}

static void test_call_errors(void **state)
{
	(void)state;
	parse_err(IVR "  call\n", 2, 7, "expected the IVR's webhook URL after 'call', like call {{stage}}/voice");
	parse_err(IVR "  call from {{phone}}\n", 2, 8, "expected the IVR's webhook URL after 'call'");
	parse_err(IVR "  call \"\"\n", 2, 8, "expected the IVR's webhook URL after 'call'");
	parse_err(IVR "  call /voice as me\n", 2, 15,
		  "unexpected 'as' after the URL: expected 'from NUMBER', 'to NUMBER' or the end of the line");
	parse_err(IVR "  call /voice from +1 555\n", 2, 23, "unexpected '555' after the number");
	parse_err(IVR "  call /voice from\n", 2, 19,
		  "expected a phone number after 'from', like from +15550100 or from {{phone}}");
	parse_err(IVR "  call /voice to \"\"\n", 2, 18, "expected a phone number after 'to'");
	parse_err(IVR "  call /voice to 1 to 2\n", 2, 20,
		  "duplicate 'to' (first at column 15): a call has one number calling and one called");
	parse_err(IVR "  call /voice\n    method PUT\n", 3, 12, "expected GET or POST after 'method'");
	parse_err(IVR "  call /voice\n    method\n", 3, 11, "expected GET or POST after 'method'");
	parse_err(IVR "  call /voice\n    method GET now\n", 3, 16,
		  "unexpected 'now' after the method: expected the end of the line");
	parse_err(IVR "  call /voice\n    method GET\n    method POST\n", 4, 5,
		  "duplicate 'method' (first on line 3)");
	parse_err(IVR "  call /voice\n    signed {{t}}\n", 3, 12,
		  "expected 'with' after 'signed', like signed with {{secret TWILIO_TOKEN}}");
	parse_err(IVR "  call /voice\n    signed with   # c\n", 3, 19,
		  "expected the auth token after 'signed with'");
	parse_err(IVR "  call /voice\n    signed with a\n    signed with b\n", 4, 5,
		  "duplicate 'signed with' (first on line 3)");
	/* The modifiers belong to the call right above them. */
	parse_err(IVR "  method GET\n", 2, 3,
		  "'method' must follow a 'call' step (it changes how the call's webhooks are requested)");
	parse_err(IVR "  call /voice\n  press 1\n  method GET\n", 4, 3, "'method' must follow a 'call' step");
	parse_err(IVR "  get /x\n    method GET\n", 3, 5, "'method' must follow a 'call' step");
	parse_err(IVR "  call /voice\n    header A: b\n", 3, 5,
		  "'header' must follow a request step (visit, get, post, ...)");
	parse_err(IVR "  call /voice\nscene \"B\" on ivr\n  signed with x\n", 4, 3,
		  "'signed' must follow a 'call' step");
	parse_err("cast\n  method\n", 2, 3, "'method' must follow a 'call' step");
	parse_err(IVR "  call /voice\n    methd GET\n", 3, 5, "unknown step 'methd' (did you mean 'method'?)");
}

/* issue 12, web: click "X" N, click "X" in "WORDS", headers under click
 * and submit, deselect, attach */
static void test_web_steps(void **state)
{
	(void)state;
	tw_script *s = parse_ok(S "click \"Details\" 2\n    header X-A: 1\n"
				  "click \"Details\" in \"Opening hours\"\n"
				  "click Page 2\n"
				  "submit \"Send\"\n    header X-B: {{b}}\n"
				  "deselect Ham from \"Toppings\"\n"
				  "attach \"my photo.png\" to Photo\n");
	const tw_step *st = s->scenes[0].steps;
	assert_string_equal(st[0].target, "Details");
	assert_int_equal(st[0].nth, 2);
	assert_null(st[0].within);
	assert_int_equal(st[0].req.headers.count, 1);
	assert_string_equal(st[0].req.headers.items[0].name, "X-A");
	assert_string_equal(st[1].within, "Opening hours");
	assert_int_equal(st[1].within_loc.col, 20);
	assert_int_equal(st[1].nth, 0);
	assert_string_equal(st[2].target, "Page 2"); /* unquoted: all of it is the text */
	assert_int_equal(st[2].nth, 0);
	assert_string_equal(st[3].req.headers.items[0].value, "{{b}}");
	assert_int_equal(st[4].kind, TW_STEP_DESELECT);
	assert_string_equal(st[4].value, "Ham");
	assert_string_equal(st[4].target, "Toppings");
	assert_int_equal(st[5].kind, TW_STEP_ATTACH);
	assert_string_equal(st[5].value, "my photo.png");
	assert_string_equal(st[5].target, "Photo");
	tw_script_free(s);

	parse_err(S "click \"Details\" 0\n", 2, 17,
		  "a link's position is a whole number from 1 (click \"Details\" 1 is the "
		  "first link so called), found '0'");
	parse_err(S "click \"Details\" 1.5\n", 2, 17, "a link's position is a whole number");
	parse_err(S "click \"Details\" second\n", 2, 17,
		  "expected a position or 'in' after the link text");
	parse_err(S "click \"Details\" 2 3\n", 2, 19, "unexpected '3' after the link's position");
	parse_err(S "click \"Details\" in\n", 2, 19,
		  "expected the words of the row, list item or section after 'in'");
	parse_err(S "deselect\n", 2, 9, "expected the option after 'deselect'");
	parse_err(S "deselect Ham\n", 2, 13, "expected 'from' and the list after the option");
	parse_err(S "deselect Ham from\n", 2, 18, "expected the list after 'from'");
	parse_err(S "attach\n", 2, 7, "expected the file after 'attach'");
	parse_err(S "attach a.png Photo\n", 2, 14, "expected 'to' and the file field after the file");
	parse_err(S "attach a.png to\n", 2, 16, "expected the file field after 'to'");
}

static void test_hear(void **state)
{
	(void)state;
	tw_script *s = parse_ok(IVR "  hear \"Welcome to Stage Pizza\"\n"
				"  hear == \"Welcome to Stage Pizza.\"\n"
				"  hear contains Pizza\n"
				"  hear ~ /press 1 .* order/i\n"
				"  hear ~ /order (\\d+) is/ as order\n"
				"  hear 42 as n   # words, whatever they look like\n"
				"  hear contains \"{{name}}\"\n");
	tw_step *st = step(s, 0, 0);
	assert_int_equal(st->kind, TW_STEP_HEAR);
	assert_int_equal(st->expect.subject, TW_SUBJ_PROMPT);
	assert_int_equal(st->expect.op, TW_OP_CONTAINS);
	assert_int_equal(st->expect.value.kind, TW_VAL_STRING);
	assert_string_equal(st->expect.value.text, "Welcome to Stage Pizza");
	assert_int_equal(st->expect.value.loc.col, 8);
	assert_null(st->expect.capture);
	assert_string_equal(st->source, "hear \"Welcome to Stage Pizza\"");
	st = step(s, 0, 1);
	assert_int_equal(st->expect.op, TW_OP_EQ);
	assert_string_equal(st->expect.value.text, "Welcome to Stage Pizza.");
	st = step(s, 0, 2);
	assert_int_equal(st->expect.op, TW_OP_CONTAINS);
	assert_string_equal(st->expect.value.text, "Pizza");
	st = step(s, 0, 3);
	assert_int_equal(st->expect.op, TW_OP_MATCHES);
	assert_int_equal(st->expect.value.kind, TW_VAL_REGEX);
	assert_string_equal(st->expect.value.text, "press 1 .* order");
	assert_string_equal(st->expect.value.flags, "i");
	st = step(s, 0, 4);
	assert_string_equal(st->expect.value.text, "order (\\d+) is");
	assert_string_equal(st->expect.capture, "order");
	st = step(s, 0, 5);
	assert_int_equal(st->expect.value.kind, TW_VAL_STRING);
	assert_string_equal(st->expect.value.text, "42");
	assert_string_equal(st->expect.capture, "n");
	tw_script_free(s);

	parse_err(IVR "  hear\n", 2, 7, "expected the words to hear after 'hear', like hear \"Welcome\"");
	parse_err(IVR "  hear ==\n", 2, 10, "expected the words to hear after '=='");
	parse_err(IVR "  hear \"\"\n", 2, 8, "the words to hear are empty");
	parse_err(IVR "  hear exists\n", 2, 8,
		  "'exists' does not apply to 'hear': expected ==, contains, ~, starts with or ends with and the words to hear");
	parse_err(IVR "  hear not exists\n", 2, 8, "'not exists' does not apply to 'hear'");
	parse_err(IVR "  hear != x\n", 2, 8, "'!=' does not apply to 'hear'");
	parse_err(IVR "  hear < 3\n", 2, 8, "'<' does not apply to 'hear'");
	parse_err(IVR "  hear = x\n", 2, 8, "expected an operator (" "==, !=, <, <=, >, >=, contains, ~, exists, starts with, ends with, in, is, or not before one of them): equality is '=='");
	parse_err(IVR "  hear ~ \"x\"\n", 2, 10, "expected a regular expression after '~'");
	parse_err(IVR "  hear Welcome to Stage Pizza\n", 2, 16,
		  "unexpected 'to' after the words to hear (words with blanks go in double quotes, "
		  "like hear \"Welcome to Stage Pizza\")");
	parse_err(IVR "  hear \"Welcome\" please\n", 2, 18,
		  "unexpected 'please' after the words to hear: expected 'as NAME' or the end of the line");
	parse_err(IVR "  hear x as\n", 2, 12, "expected a variable name after 'as'");
}

static void test_press_say_silence_hang_up(void **state)
{
	(void)state;
	tw_script *s = parse_ok(IVR "  press 1\n"
				"  press {{order}}#   # a glued # is a key\n"
				"  press \"#\"\n"
				"  press *9wW0\n"
				"  say \"order status\"\n"
				"  say yes confidence 0.6\n"
				"  say \"{{name}}\" confidence 1\n"
				"  say no confidence 0\n"
				"  silence   # until the IVR's timeout\n"
				"  hang up\n"
				"  hang   up # bye\n");
	assert_int_equal(step(s, 0, 0)->kind, TW_STEP_PRESS);
	assert_string_equal(step(s, 0, 0)->value, "1");
	assert_string_equal(step(s, 0, 1)->value, "{{order}}#");
	assert_string_equal(step(s, 0, 1)->source, "press {{order}}#");
	assert_string_equal(step(s, 0, 2)->value, "#");
	assert_string_equal(step(s, 0, 3)->value, "*9wW0");
	tw_step *st = step(s, 0, 4);
	assert_int_equal(st->kind, TW_STEP_SAY);
	assert_string_equal(st->value, "order status");
	assert_true(st->confidence == TW_SAY_DEFAULT_CONFIDENCE);
	st = step(s, 0, 5);
	assert_string_equal(st->value, "yes");
	assert_true(st->confidence == 0.6);
	assert_string_equal(st->source, "say yes confidence 0.6");
	assert_true(step(s, 0, 6)->confidence == 1.0);
	assert_string_equal(step(s, 0, 6)->value, "{{name}}");
	assert_true(step(s, 0, 7)->confidence == 0.0);
	assert_int_equal(step(s, 0, 8)->kind, TW_STEP_SILENCE);
	assert_string_equal(step(s, 0, 8)->source, "silence");
	assert_int_equal(step(s, 0, 9)->kind, TW_STEP_HANGUP);
	assert_string_equal(step(s, 0, 9)->source, "hang up");
	assert_int_equal(step(s, 0, 10)->kind, TW_STEP_HANGUP);
	assert_int_equal(step(s, 0, 10)->loc.col, 3);
	tw_script_free(s);

	parse_err(IVR "  press\n", 2, 8, "expected the keys to press after 'press', like press 1 or press {{order}}#");
	/* The usual cause: a lone # is a comment. */
	parse_err(IVR "  press #\n", 2, 9,
		  "expected the keys to press after 'press', like press 1 or press {{order}}# (a lone # "
		  "after a blank starts a comment: write press \"#\")");
	parse_err(IVR "  press \"\"\n", 2, 9, "no keys between the quotes: expected digits, *, #, w or W");
	parse_err(IVR "  press 1 2\n", 2, 11,
		  "unexpected '2' after the keys: expected the end of the line (keys go together, like press 123#)");
	parse_err(IVR "  say\n", 2, 6, "expected the words to say after 'say', like say \"order status\"");
	parse_err(IVR "  say confidence 0.5\n", 2, 7, "expected the words to say after 'say'");
	parse_err(IVR "  say \"\"\n", 2, 7, "the words to say are empty: expected some text between the quotes (silence says nothing)");
	parse_err(IVR "  say order status\n", 2, 13,
		  "unexpected 'status' after the words to say (words with blanks go in double quotes, like say \"order status\")");
	parse_err(IVR "  say \"order status\" please\n", 2, 22,
		  "unexpected 'please' after the words to say: expected 'confidence' or the end of the line");
	parse_err(IVR "  say yes confidence\n", 2, 21, "expected a confidence from 0 to 1 after 'confidence', like 0.6");
	parse_err(IVR "  say yes confidence high\n", 2, 22, "expected a confidence from 0 to 1 after 'confidence'");
	parse_err(IVR "  say yes confidence 1.5\n", 2, 22, "confidence 1.5 is out of range: expected a number from 0 to 1");
	parse_err(IVR "  say yes confidence -0.1\n", 2, 22, "confidence -0.1 is out of range");
	parse_err(IVR "  say yes confidence 0.5 0.6\n", 2, 26,
		  "unexpected '0.6' after the confidence: expected the end of the line");
	parse_err(IVR "  silence 5s\n", 2, 11, "unexpected '5s' after 'silence': expected the end of the line");
	parse_err(IVR "  hang\n", 2, 7, "expected 'up' after 'hang': the step is 'hang up'");
	parse_err(IVR "  hang on\n", 2, 8, "expected 'up' after 'hang': the step is 'hang up'");
	parse_err(IVR "  hang up now\n", 2, 11, "unexpected 'now' after 'hang up': expected the end of the line");
	parse_err("cast\n  press\n", 2, 3, "'press' must be inside a scene or backstage block");
}

static void test_expect_call_subjects(void **state)
{
	(void)state;
	tw_script *s = parse_ok(IVR "  expect transfer\n"
				"  expect transfer \"+15550100200\"\n"
				"  expect transfer ~ /^client:/ as agent\n"
				"  expect transfer contains queue:\n"
				"  expect transfer != 5550100\n"
				"  expect transfer as where\n"
				"  expect transfer not exists\n"
				"  expect recording\n"
				"  expect recording not exists\n"
				"  expect rejected\n"
				"  expect rejected busy as why\n"
				"  expect hangup\n"
				"  expect hangup exists   # the same\n");
	const struct {
		tw_subject subject;
		tw_op op;
		tw_value_kind kind;
		const char *text, *capture;
	} want[] = {
		{TW_SUBJ_TRANSFER, TW_OP_EXISTS, TW_VAL_NONE, NULL, NULL},
		{TW_SUBJ_TRANSFER, TW_OP_EQ, TW_VAL_STRING, "+15550100200", NULL},
		{TW_SUBJ_TRANSFER, TW_OP_MATCHES, TW_VAL_REGEX, "^client:", "agent"},
		{TW_SUBJ_TRANSFER, TW_OP_CONTAINS, TW_VAL_STRING, "queue:", NULL},
		{TW_SUBJ_TRANSFER, TW_OP_NE, TW_VAL_STRING, "5550100", NULL}, /* not a number */
		{TW_SUBJ_TRANSFER, TW_OP_EXISTS, TW_VAL_NONE, NULL, "where"},
		{TW_SUBJ_TRANSFER, TW_OP_NOT_EXISTS, TW_VAL_NONE, NULL, NULL},
		{TW_SUBJ_RECORDING, TW_OP_EXISTS, TW_VAL_NONE, NULL, NULL},
		{TW_SUBJ_RECORDING, TW_OP_NOT_EXISTS, TW_VAL_NONE, NULL, NULL},
		{TW_SUBJ_REJECTED, TW_OP_EXISTS, TW_VAL_NONE, NULL, NULL},
		{TW_SUBJ_REJECTED, TW_OP_EQ, TW_VAL_STRING, "busy", "why"},
		{TW_SUBJ_HANGUP, TW_OP_EXISTS, TW_VAL_NONE, NULL, NULL},
		{TW_SUBJ_HANGUP, TW_OP_EXISTS, TW_VAL_NONE, NULL, NULL},
	};
	assert_int_equal(s->scenes[0].step_count, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const tw_step *st = step(s, 0, i);
		assert_int_equal(st->kind, TW_STEP_EXPECT);
		assert_int_equal(st->expect.subject, want[i].subject);
		assert_int_equal(st->expect.op, want[i].op);
		assert_int_equal(st->expect.value.kind, want[i].kind);
		assert_null(st->expect.arg);
		if (want[i].text)
			assert_string_equal(st->expect.value.text, want[i].text);
		if (want[i].capture)
			assert_string_equal(st->expect.capture, want[i].capture);
		else
			assert_null(st->expect.capture);
	}
	tw_script_free(s);

	parse_err(IVR "  expect recording yes\n", 2, 20,
		  "'expect recording' takes no value: expected exists, not exists or the end of the line");
	parse_err(IVR "  expect hangup == yes\n", 2, 17, "'expect hangup' takes no value");
	parse_err(IVR "  expect hangup as h\n", 2, 17, "nothing to capture: 'expect hangup' has no value to keep");
	parse_err(IVR "  expect recording exists as r\n", 2, 27, "nothing to capture: 'expect recording'");
	parse_err(IVR "  expect transfer not exists as t\n", 2, 30,
		  "nothing to capture: 'not exists' has no value to keep");
	parse_err(IVR "  expect transfer < 3\n", 2, 19,
		  "'<' does not apply to 'expect transfer': expected ==, !=, contains, ~, starts with, ends with, in, exists or not exists");
	parse_err(IVR "  expect rejected ==\n", 2, 21, "expected a value after '=='");
	parse_err(IVR "  expect rejected ~\n", 2, 20, "expected a regular expression after '~'");
	parse_err(IVR "  expect transfer to an agent\n", 2, 22,
		  "unexpected 'an' after the expectation (a value with blanks goes in double quotes)");
	parse_err(IVR "  expect prompt \"Welcome\"\n", 2, 10,
		  "unknown expectation 'prompt': to check what the caller hears, use hear, like hear \"Welcome\"");
	parse_err(IVR "  expect trasnfer\n", 2, 10, "unknown expectation 'trasnfer' (did you mean 'transfer'?)");
	parse_err(IVR "  expect\n", 2, 9,
		  "expected what to check after 'expect': status, header, text, body, title, url, xpath, "
		  "json, cookie, time, var, bytes, sha256, md5, redirects, hop, set-cookie, version, certificate, or on the phone transfer, "
		  "recording, rejected or hangup");
}

static void test_unknown_steps(void **state)
{
	(void)state;
	parse_err("rehearsal \"x\"\n\nscene \"S\"\n  visit /\n  clik \"Margherita\"\n", 5, 3,
		  "unknown step 'clik' (did you mean 'click'?)");
	parse_err(S "Visit /\n", 2, 1, "unknown step 'Visit' (keywords are lower case: 'visit')");
	parse_err(S "expcet status 200\n", 2, 1, "unknown step 'expcet' (did you mean 'expect'?)");
	parse_err(S "wander around\n", 2, 1, "unknown step 'wander': expected a step (visit, click");
	parse_err(S "heer \"Welcome\"\n", 2, 1, "unknown step 'heer' (did you mean 'hear'?)");
	parse_err(S "hangup\n", 2, 1, "unknown step 'hangup' (did you mean 'hang up'?)");
	parse_err(S "Press 1\n", 2, 1, "unknown step 'Press' (keywords are lower case: 'press')");
	parse_err(S "telephone 1\n", 2, 1,
		  "unknown step 'telephone': expected a step (visit, click, fill, choose, tick, untick, "
		  "submit, deselect, attach, pause, expect, get, post, ..., or on the phone call, hear, press, say, "
		  "silence, hang up)");
	parse_err(S "\"click\" x\n", 2, 1, "expected a statement (a keyword like scene, visit or expect)");
	parse_err("rehersal \"x\"\n", 1, 1, "unknown statement 'rehersal' (did you mean 'rehearsal'?)");
	parse_err("name = Ada\n", 1, 1, "unknown statement 'name': a name = value line belongs in the 'cast' block");
	parse_err("hello\n", 1, 1, "unknown statement 'hello': expected rehearsal, outcome, budget");
	parse_err("scnee \"S\"\n", 1, 1, "unknown statement 'scnee' (did you mean 'scene'?)");
}

static void test_error_shows_the_line(void **state)
{
	(void)state;
	const char *text = "scene \"S\"\n  clik \"Margherita\"\n";
	tw_script *s = NULL;
	tw_error err = {0};
	assert_int_equal(tw_script_parse(&s, "shop.rehearsal", text, strlen(text), &err), TW_ESYNTAX);
	assert_string_equal(err.source_line, "  clik \"Margherita\"");
	char *f = tw_error_format(&err);
	assert_non_null(f);
	assert_string_equal(f, "shop.rehearsal:2:3: syntax error: unknown step 'clik' (did you mean "
			       "'click'?)\n     2 |   clik \"Margherita\"\n       |   ^");
	free(f);
	tw_error_clear(&err);

	/* Long tokens are cut short in messages. */
	char long_text[300];
	memset(long_text, 0, sizeof(long_text));
	strcpy(long_text, S);
	memset(long_text + strlen(S), 'z', 100);
	parse_err(long_text, 2, 1, "unknown step 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz...'");
}

static void test_crlf_and_comments(void **state)
{
	(void)state;
	const char *lf = "rehearsal \"R\"\n# comment\ncast\n  name = Ada # who\n"
			 "scene \"S\" on web\n  visit {{stage}}/page#top\n"
			 "  fill name with {{name}}\n  expect text ~ /a #b/ as x\n";
	const char *crlf = "rehearsal \"R\"\r\n# comment\r\ncast\r\n  name = Ada # who\r\n"
			   "scene \"S\" on web\r\n  visit {{stage}}/page#top\r\n"
			   "  fill name with {{name}}\r\n  expect text ~ /a #b/ as x\r\n";
	tw_script *a = parse_ok(lf), *b = parse_ok(crlf);
	assert_int_equal(a->line_count, 8);
	assert_int_equal(b->line_count, 8);
	for (int i = 1; i <= 8; i++)
		assert_string_equal(tw_script_line(a, i), tw_script_line(b, i));
	assert_string_equal(b->cast.items[0].value, "Ada");
	assert_string_equal(b->scenes[0].steps[0].req.url, "{{stage}}/page#top");
	assert_string_equal(b->scenes[0].steps[1].value, "{{name}}");
	assert_string_equal(b->scenes[0].steps[2].expect.value.text, "a #b");
	assert_string_equal(b->scenes[0].steps[2].expect.capture, "x");
	assert_string_equal(tw_script_line(b, 0), "");
	assert_string_equal(tw_script_line(b, 9), "");
	assert_string_equal(tw_script_line(NULL, 1), "");
	/* The source text is kept whole. */
	assert_string_equal(b->text, crlf);
	tw_script_free(a);
	tw_script_free(b);

	/* A file of comments and blanks parses (the checker complains). */
	a = parse_ok("# only\n\n   \t\n# comments\n");
	assert_int_equal(a->scene_count, 0);
	tw_script_free(a);
	a = parse_ok("");
	assert_int_equal(a->line_count, 0);
	tw_script_free(a);
}

static void test_encoding_errors(void **state)
{
	(void)state;
	const char text[] = S "click \"a\0b\"\n";
	tw_script *s = (tw_script *)1;
	tw_error err = {0};
	assert_int_equal(tw_script_parse(&s, "x", text, sizeof(text) - 1, &err), TW_ESYNTAX);
	assert_null(s);
	assert_int_equal(err.line, 2);
	assert_int_equal(err.col, 9);
	assert_true(strstr(err.message, "NUL byte") != NULL);
	tw_error_clear(&err);
	parse_err(S "click \"caf\xE9\"\n", 2, 11, "invalid UTF-8");

	/* The size cap is checked before anything else. */
	size_t big = (8u << 20) + 1;
	char *huge = malloc(big);
	assert_non_null(huge);
	memset(huge, '#', big);
	s = (tw_script *)1;
	assert_int_equal(tw_script_parse(&s, "big", huge, big, &err), TW_ELIMIT);
	assert_null(s);
	assert_int_equal(err.line, 0);
	assert_true(strstr(err.message, "larger than 8 MiB") != NULL);
	tw_error_clear(&err);
	free(huge);
}

static void test_large_script_grows(void **state)
{
	(void)state;
	/* Enough scenes, steps, pairs and cast entries to grow every array. */
	size_t cap = 1 << 20, n = 0;
	char *text = malloc(cap);
	assert_non_null(text);
	n += (size_t)sprintf(text + n, "cast\n");
	for (int i = 0; i < 50; i++)
		n += (size_t)sprintf(text + n, "  v%d = %d\n", i, i);
	for (int sc = 0; sc < 30; sc++) {
		n += (size_t)sprintf(text + n, "scene \"S%d\"\n", sc);
		for (int st = 0; st < 40; st++)
			n += (size_t)sprintf(text + n, "  click \"L%d\"\n", st);
		n += (size_t)sprintf(text + n, "  get /x\n");
		for (int h = 0; h < 20; h++)
			n += (size_t)sprintf(text + n, "    header H%d: %d\n    query q%d=%d\n", h, h, h, h);
	}
	tw_script *s = parse_ok(text);
	assert_int_equal(s->cast.count, 50);
	assert_string_equal(s->cast.items[49].name, "v49");
	assert_int_equal(s->scene_count, 30);
	for (int sc = 0; sc < 30; sc++) {
		assert_int_equal(s->scenes[sc].step_count, 41);
		assert_string_equal(s->scenes[sc].steps[39].target, "L39");
		tw_request *r = &s->scenes[sc].steps[40].req;
		assert_int_equal(r->headers.count, 20);
		assert_int_equal(r->query.count, 20);
		assert_string_equal(r->headers.items[19].name, "H19");
		assert_string_equal(r->query.items[19].value, "19");
	}
	tw_script_free(s);
	free(text);
}

static void test_load(void **state)
{
	(void)state;
	tw_script *s = (tw_script *)1;
	tw_error err = {0};
	assert_int_equal(tw_script_load(&s, "/nonexistent/dir/x.rehearsal", &err), TW_EIO);
	assert_null(s);
	assert_int_equal(err.code, TW_EIO);
	assert_string_equal(err.file, "/nonexistent/dir/x.rehearsal");
	tw_error_clear(&err);

	char path[] = "/tmp/tw-test-parser-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *text = "scene \"S\"\r\n  visit /\r\n  clik x\r\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(tw_script_load(&s, path, &err), TW_ESYNTAX);
	assert_string_equal(err.file, path);
	assert_int_equal(err.line, 3);
	assert_string_equal(err.source_line, "  clik x");
	tw_error_clear(&err);

	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	text = "scene \"S\"\n  visit /\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(tw_script_load(&s, path, &err), TW_OK);
	assert_string_equal(tw_script_path(s), path);
	assert_string_equal(tw_script_name(s), strrchr(path, '/') + 1);
	tw_script_free(s);
	unlink(path);
	tw_script_free(NULL);
}

static void test_edit_distance(void **state)
{
	(void)state;
	assert_int_equal(tw_edit_distance("click", "click"), 0);
	assert_int_equal(tw_edit_distance("clik", "click"), 1);
	assert_int_equal(tw_edit_distance("clcik", "click"), 1); /* transposition */
	assert_int_equal(tw_edit_distance("", "abc"), 3);
	assert_int_equal(tw_edit_distance("kitten", "sitting"), 3);
	const char *words[] = {"order", "name", "phone"};
	assert_string_equal(tw_parse_suggest("ordr", words, 3), "order");
	assert_string_equal(tw_parse_suggest("nmae", words, 3), "name");
	assert_null(tw_parse_suggest("zzzzz", words, 3));
	assert_null(tw_parse_suggest("x", words, 3));
}

/* ---- issue 13, FLOW: repeat and when ---- */

static void test_flow_options(void **state)
{
	(void)state;
	tw_script *s = parse_ok("scene \"Come back\" repeat 3\n"
				"  visit https://x.test/\n"
				"  expect status 200 as code\n"
				"scene \"Pay\" when {{card}}\n"
				"  visit https://x.test/pay\n"
				"backstage \"Audit\" when not {{card}}\n"
				"  get https://x.test/audit\n"
				"scene \"Menu\" on ivr repeat 2 when {{ivr}}\n"
				"  call https://x.test/voice\n"
				"scene \"Any order\" when not {{a}} repeat 1 on web\n"
				"  visit https://x.test/\n");
	assert_int_equal(s->scene_count, 3 + 1 + 1 + 2 + 1);
	for (int k = 0; k < 3; k++) {
		const tw_scene *sc = &s->scenes[k];
		char want[32];
		snprintf(want, sizeof(want), "Come back (%d of 3)", k + 1);
		assert_string_equal(sc->name, want);
		assert_int_equal(sc->repeat, 3);
		assert_int_equal(sc->pass, k + 1);
		assert_int_equal(sc->loc.line, 1);
		assert_int_equal(sc->repeat_loc.col, 26);
		assert_int_equal(sc->step_count, 2);
		assert_null(sc->when);
		/* each pass its own steps, the same strings */
		if (k > 0) {
			assert_ptr_not_equal(sc->steps, s->scenes[0].steps);
			assert_ptr_equal(sc->steps[1].expect.capture, s->scenes[0].steps[1].expect.capture);
		}
		assert_string_equal(sc->steps[1].expect.capture, "code");
	}
	const tw_scene *pay = &s->scenes[3];
	assert_string_equal(pay->name, "Pay");
	assert_string_equal(pay->when, "card");
	assert_false(pay->when_not);
	assert_int_equal(pay->when_loc.line, 4);
	assert_int_equal(pay->when_loc.col, 18);
	assert_int_equal(pay->repeat, 0);
	assert_int_equal(pay->pass, 0);
	const tw_scene *audit = &s->scenes[4];
	assert_true(audit->backstage);
	assert_string_equal(audit->when, "card");
	assert_true(audit->when_not);
	assert_int_equal(audit->when_loc.col, 28);
	assert_string_equal(s->scenes[5].name, "Menu (1 of 2)");
	assert_string_equal(s->scenes[6].name, "Menu (2 of 2)");
	assert_int_equal(s->scenes[6].channel, TW_CHANNEL_IVR);
	assert_string_equal(s->scenes[6].when, "ivr");
	assert_string_equal(s->scenes[7].name, "Any order (1 of 1)");
	assert_true(s->scenes[7].when_not);
	assert_int_equal(s->scenes[7].channel_loc.col, 46);
	tw_script_free(s);
}

static void test_flow_errors(void **state)
{
	(void)state;
	parse_err("scene \"x\" repeat\n", 1, 17, "expected how many times after 'repeat'");
	parse_err("scene \"x\" repeat 0\n", 1, 18,
		  "'repeat' takes a whole number of times from 1 to 100, not '0'");
	parse_err("scene \"x\" repeat 101\n", 1, 18, "'repeat' takes a whole number");
	parse_err("scene \"x\" repeat 2.5\n", 1, 18, "'repeat' takes a whole number");
	parse_err("scene \"x\" repeat -1\n", 1, 18, "'repeat' takes a whole number");
	parse_err("scene \"x\" repeat 99999\n", 1, 18, "'repeat' takes a whole number");
	parse_err("scene \"x\" repeat 2 repeat 3\n", 1, 20, "'repeat' is already given (column 18)");
	parse_err("scene \"x\" when card\n", 1, 16,
		  "expected a variable in braces after 'when', like when {{card}}");
	parse_err("scene \"x\" when not\n", 1, 19,
		  "expected a variable in braces after 'when not', like when not {{card}}");
	parse_err("scene \"x\" when {{ card }}\n", 1, 16, "expected a variable in braces");
	parse_err("scene \"x\" when {{secret X}}\n", 1, 16, "expected a variable in braces");
	parse_err("scene \"x\" when {{}}\n", 1, 16, "expected a variable in braces");
	parse_err("scene \"x\" when {{a}} when {{b}}\n", 1, 22,
		  "'when' is already given (column 16)");
	parse_err("scene \"x\" on web on ivr\n", 1, 18, "the channel is already given (column 14)");
	parse_err("scene \"x\" repeat 2 now\n", 1, 20, "unexpected 'now' after the repeat count");
	parse_err("scene \"x\" when {{a}} now\n", 1, 22,
		  "unexpected 'now' after the when condition: expected 'on' and a channel (web or "
		  "ivr), 'repeat N', 'when {{name}}' or the end of the line");
	/* Unrolled passes are capped: 505 scenes of 1 step repeated 100
	 * times add 99 * 2 each; the 506th passes 100 000. */
	static const char one[] = "scene \"x\" repeat 100\n  pause 1ms\n";
	size_t n = 600, len = strlen(one);
	char *big = malloc(n * len + 1);
	assert_non_null(big);
	for (size_t i = 0; i < n; i++)
		memcpy(big + i * len, one, len);
	big[n * len] = '\0';
	parse_err_code(big, TW_ELIMIT, 2 * 506 - 1, 18,
		       "the used files and repeated scenes add more than 100000");
	free(big);
}

/* ---- issue 13, DATA: cast from ---- */

static void test_cast_from(void **state)
{
	(void)state;
	tw_script *s = parse_ok("cast from \"data/users.csv\"\n  stage\n" S "visit /\n");
	assert_string_equal(s->data_path, "data/users.csv");
	assert_int_equal(s->data_loc.line, 1);
	assert_int_equal(s->data_loc.col, 11);
	assert_int_equal(s->data_order, TW_DATA_NEXT);
	assert_int_equal(s->data_secret_count, 0);
	assert_int_equal(s->cast.count, 1);
	tw_script_free(s);
	s = parse_ok("cast from \"u.jsonl\" once secret password, card  # two\n" S "visit /\n");
	assert_int_equal(s->data_order, TW_DATA_ONCE);
	assert_int_equal(s->data_secret_count, 2);
	assert_string_equal(s->data_secrets[0], "password");
	assert_string_equal(s->data_secrets[1], "card");
	assert_int_equal(s->data_secret_locs[1].col, 43);
	tw_script_free(s);
	s = parse_ok("cast from \"u.csv\" random\n" S "visit /\n");
	assert_int_equal(s->data_order, TW_DATA_RANDOM);
	tw_script_free(s);
	s = parse_ok("cast from \"u.csv\" next secret pin\n" S "visit /\n");
	assert_int_equal(s->data_order, TW_DATA_NEXT);
	assert_int_equal(s->data_secret_count, 1);
	tw_script_free(s);
	/* no `cast from`: nothing */
	s = parse_ok("cast\n  stage\n" S "visit /\n");
	assert_null(s->data_path);
	tw_script_free(s);
}

static void test_cast_from_errors(void **state)
{
	(void)state;
	parse_err("cast from\n", 1, 10, "expected the data file in double quotes after 'cast from'");
	parse_err("cast from users.csv\n", 1, 11, "expected the data file in double quotes");
	parse_err("cast from \"\"\n", 1, 11, "the data file's name is empty");
	parse_err("cast from \"{{dir}}/u.csv\"\n", 1, 11,
		  "the data file's name is written out, without {{...}}");
	parse_err("cast from \"u.csv\" twice\n", 1, 19,
		  "expected next, random, once or secret COLUMNS after the data file, found 'twice'");
	parse_err("cast from \"u.csv\" once random\n", 1, 24,
		  "expected next, random, once or secret COLUMNS");
	parse_err("cast from \"u.csv\" secret\n", 1, 25,
		  "expected the columns whose values are secrets after 'secret'");
	parse_err("cast from \"u.csv\" secret a,\n", 1, 28, "expected a column name after ','");
	parse_err("cast from \"u.csv\" secret a b\n", 1, 28, "expected ',' between the secret columns");
	parse_err("cast from \"u.csv\" secret , a\n", 1, 26, "expected a column name before ','");
	parse_err("cast from \"u.csv\" secret 1a\n", 1, 26, "'1a' is not a column name");
	parse_err("cast from \"u.csv\"\ncast from \"v.csv\"\n", 2, 1, "duplicate 'cast' block");
}

/* issue 14, MATCH: fuzzy, maybe hear, when hear, hangup by, reprompts */
static void test_matching_prompts(void **state)
{
	(void)state;
	tw_script *s = parse_ok("scene \"C\" on ivr\n  call /v\n"
				"  hear \"press one for sales\" fuzzy\n"
				"  hear \"Press 1, for sales\" fuzzy 1 as words\n"
				"  maybe hear \"Are you still there\"\n"
				"  when hear ~ /press (\\d) to continue/i press $1\n"
				"  when hear \"anyone there\" say \"yes\" confidence 0.7\n"
				"  when hear \"hello\" silence\n"
				"  expect hangup by end\n"
				"  expect reprompts <= 1\n");
	assert_true(step(s, 0, 1)->expect.fuzzy == 0.8);
	assert_true(step(s, 0, 2)->expect.fuzzy == 1.0);
	assert_string_equal(step(s, 0, 2)->expect.capture, "words");
	assert_int_equal(step(s, 0, 3)->kind, TW_STEP_HEAR);
	assert_true(step(s, 0, 3)->expect.maybe);
	tw_step *w = step(s, 0, 4);
	assert_int_equal(w->kind, TW_STEP_WHEN);
	assert_int_equal(w->expect.op, TW_OP_MATCHES);
	assert_int_equal(w->when_action, TW_STEP_PRESS);
	assert_string_equal(w->value, "$1");
	assert_int_equal(w->when_groups, 1);
	assert_int_equal(step(s, 0, 5)->when_action, TW_STEP_SAY);
	assert_true(step(s, 0, 5)->confidence == 0.7);
	assert_int_equal(step(s, 0, 6)->when_action, TW_STEP_SILENCE);
	assert_string_equal(step(s, 0, 7)->expect.hangup_by, "end");
	assert_int_equal(step(s, 0, 7)->expect.op, TW_OP_EXISTS);
	assert_int_equal(step(s, 0, 8)->expect.subject, TW_SUBJ_REPROMPTS);
	assert_int_equal(step(s, 0, 8)->expect.op, TW_OP_LE);
	tw_script_free(s);

#define CALL "scene \"C\" on ivr\n  call /v\n"
	parse_err(CALL "  hear ~ /x/ fuzzy\n", 3, 14, "'fuzzy' goes with the words to hear");
	parse_err(CALL "  hear \"x\" fuzzy 1.5\n", 3, 18, "fuzzy threshold 1.5 is out of range");
	parse_err(CALL "  maybe \"x\"\n", 3, 9, "expected 'hear' after 'maybe'");
	parse_err(CALL "  when \"x\" press 1\n", 3, 8, "expected 'hear' after 'when'");
	parse_err(CALL "  when hear \"x\" hang up\n", 3, 17, "expected what to do when it is heard");
	parse_err(CALL "  when hear not \"x\" press 1\n", 3, 3, "'when hear not' answers nothing");
	parse_err(CALL "  expect hangup by agent\n", 3, 20, "expected ivr, end or caller after 'hangup by'");
	parse_err(CALL "  expect reprompts contains 1\n", 3, 20, "expected ==, !=, <, <=, > or >=");
	parse_err(CALL "  expect reprompts == \"x\"\n", 3, 23, "expected a count of re-prompt turns");
#undef CALL
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_default_name_from_path),
		cmocka_unit_test(test_budget_forms),
		cmocka_unit_test(test_require_minor),
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_cast),
		cmocka_unit_test(test_cast_errors),
		cmocka_unit_test(test_scenes),
		cmocka_unit_test(test_scene_errors),
		cmocka_unit_test(test_steps_outside_scenes),
		cmocka_unit_test(test_visit_and_methods),
		cmocka_unit_test(test_modifiers),
		cmocka_unit_test(test_modifier_errors),
		cmocka_unit_test(test_issue12_requests),
		cmocka_unit_test(test_redirect_and_poll),
		cmocka_unit_test(test_apdex),
		cmocka_unit_test(test_apdex_errors),
		cmocka_unit_test(test_click_tick_submit),
		cmocka_unit_test(test_fill),
		cmocka_unit_test(test_choose),
		cmocka_unit_test(test_pause),
		cmocka_unit_test(test_expect_subjects_and_defaults),
		cmocka_unit_test(test_expect_values),
		cmocka_unit_test(test_expect_errors),
		cmocka_unit_test(test_transport),
		cmocka_unit_test(test_call),
		cmocka_unit_test(test_call_errors),
		cmocka_unit_test(test_web_steps),
		cmocka_unit_test(test_hear),
		cmocka_unit_test(test_press_say_silence_hang_up),
		cmocka_unit_test(test_expect_call_subjects),
		cmocka_unit_test(test_unknown_steps),
		cmocka_unit_test(test_error_shows_the_line),
		cmocka_unit_test(test_crlf_and_comments),
		cmocka_unit_test(test_encoding_errors),
		cmocka_unit_test(test_large_script_grows),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_edit_distance),
		cmocka_unit_test(test_flow_options), /* issue 13, FLOW */
		cmocka_unit_test(test_flow_errors),
		cmocka_unit_test(test_cast_from), /* issue 13, DATA */
		cmocka_unit_test(test_cast_from_errors),
		cmocka_unit_test(test_matching_prompts), /* issue 14, MATCH */
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
