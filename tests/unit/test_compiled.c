/*
 * Regexes, XPaths and JSON queries compiled once per script
 * (tw_script_compile, expectations/compiled.h): the expectations written
 * without templates carry their compiled forms, the templated ones and the
 * ones that do not compile carry none, and an evaluation with the compiled
 * form gives the very outcome (verdict, message, expected, actual,
 * capture) that compiling the text per evaluation gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "expectations/compiled.h"
#include "expectations/expect.h"
#include "techweek/script.h"

static const char SCRIPT[] =
	"rehearsal \"compiled\"\n"
	"scene \"page\"\n"
	"  visit http://127.0.0.1:1/\n"
	"  expect xpath \"//li\" count == 3\n"                /* 3: compiled */
	"  expect xpath \"string(//li[2])\" == \"Funghi\"\n"  /* 4: compiled */
	"  expect xpath \"//li[{{n}}]\" exists\n"             /* 5: templated */
	"  expect xpath \"nosuchfn(//h1)\" exists\n"          /* 6: fails at eval */
	"  expect xpath \"//h1[\" exists\n"                   /* 7: does not compile */
	"  expect text ~ /Order #(\\d+)/ as order\n"          /* 8: compiled */
	"  expect text ~ /{{item}}/\n"                         /* 9: templated */
	"  expect text ~ /(/\n"                                /* 10: does not compile */
	"  expect text ~ /^Nothing/\n"                         /* 11: compiled, fails */
	"  expect xpath \"count(//li[position() > 1])\" == 2\n" /* 12: compiled */
	"scene \"api\"\n"
	"  visit http://127.0.0.1:1/\n"
	"  expect json $.items[1].name == \"Funghi\" as name\n" /* 1: compiled */
	"  expect json $.items[*] count == 3\n"                  /* 2: compiled */
	"  expect json $.items[{{n}}] exists\n"                  /* 3: templated */
	"  expect json $.items] exists\n"                        /* 4: does not compile */
	"  expect json $.missing exists\n"                       /* 5: compiled, fails */
	"scene \"filters\"\n"
	"  visit http://127.0.0.1:1/\n"
	"  expect text regex /Order #(\\d+)/ toInt == 1001\n"    /* 1: compiled */
	"  expect text regex /{{item}}/ == \"Funghi\"\n"          /* 2: templated */
	"  expect text replace /M\\w+/ \"X\" regex \"(X)\" == \"X\"\n" /* 3: both */
	"  expect text split \" \" count > 1\n";                 /* 4: nothing to compile */

static const char PAGE[] = "<html><head><title>Stage</title></head><body><h1>Menu</h1>"
			   "<ul><li>Margherita</li><li>Funghi</li><li>Diavola</li></ul>"
			   "<p>Order #1001 confirmed</p></body></html>";

static const char ORDER[] = "{\"items\": [{\"name\": \"Margherita\"}, {\"name\": \"Funghi\"},"
			    " {\"name\": \"Diavola\"}]}";

typedef struct fx {
	tw_script *script;
	tw_response page, order;
	tw_vars *vars;
} fx;

static void respond(tw_response *r, const char *content_type, const char *body)
{
	tw_response_init(r, 1u << 20);
	r->status = 200;
	r->content_type = strdup(content_type);
	r->url = strdup("http://127.0.0.1:1/");
	assert_non_null(r->content_type);
	assert_non_null(r->url);
	assert_int_equal(tw_buf_append(&r->body, body, strlen(body)), TW_OK);
}

static int setup(void **state)
{
	fx *f = calloc(1, sizeof(*f));
	tw_error err = {0};
	if (!f || tw_script_parse(&f->script, "compiled.rehearsal", SCRIPT, strlen(SCRIPT),
				  &err) != TW_OK) {
		fprintf(stderr, "%s\n", err.message ? err.message : "out of memory");
		tw_error_clear(&err);
		free(f);
		return -1;
	}
	respond(&f->page, "text/html", PAGE);
	respond(&f->order, "application/json", ORDER);
	f->vars = tw_vars_new();
	if (!f->vars || tw_vars_set(f->vars, "n", "2", false) != TW_OK ||
	    tw_vars_set(f->vars, "item", "Funghi", false) != TW_OK)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	tw_script_free(f->script);
	tw_response_free(&f->page);
	tw_response_free(&f->order);
	tw_vars_free(f->vars);
	free(f);
	return 0;
}

static tw_expect *step(fx *f, size_t scene, size_t i)
{
	assert_true(scene < f->script->scene_count);
	assert_true(i < f->script->scenes[scene].step_count);
	return &f->script->scenes[scene].steps[i].expect;
}

static void test_what_is_compiled(void **state)
{
	fx *f = *state;
	for (size_t sc = 0; sc < 2; sc++)
		for (size_t i = 1; i < f->script->scenes[sc].step_count; i++)
			assert_null(step(f, sc, i)->code); /* parsing compiles nothing */
	tw_error err = {0};
	assert_int_equal(tw_script_compile(f->script, &err), TW_OK);

	const size_t page_compiled[] = {1, 2, 4, 6, 9, 10}, page_not[] = {3, 5, 7, 8};
	for (size_t k = 0; k < sizeof(page_compiled) / sizeof(*page_compiled); k++) {
		const tw_expect_code *code = step(f, 0, page_compiled[k])->code;
		assert_non_null(code);
		assert_true(code->xpath || code->regex);
	}
	/* An expectation keeps the form its own text needs, nothing else. */
	assert_non_null(step(f, 0, 1)->code->xpath);
	assert_non_null(step(f, 0, 6)->code->regex);
	assert_null(step(f, 0, 6)->code->xpath);
	for (size_t k = 0; k < sizeof(page_not) / sizeof(*page_not); k++)
		assert_null(step(f, 0, page_not[k])->code);

	const size_t api_compiled[] = {1, 2, 5}, api_not[] = {3, 4};
	for (size_t k = 0; k < sizeof(api_compiled) / sizeof(*api_compiled); k++) {
		assert_non_null(step(f, 1, api_compiled[k])->code);
		assert_non_null(step(f, 1, api_compiled[k])->code->query);
	}
	for (size_t k = 0; k < sizeof(api_not) / sizeof(*api_not); k++)
		assert_null(step(f, 1, api_not[k])->code);

	/* Compiling again replaces, never leaks (valgrind and ASan see). */
	assert_int_equal(tw_script_compile(f->script, &err), TW_OK);
	assert_non_null(step(f, 1, 1)->code);
}

/* A filter's pattern without templates is compiled once, like a `~`'s;
 * the outcome is the one its text gives. */
static void test_filter_patterns(void **state)
{
	fx *f = *state;
	tw_error err = {0};
	assert_int_equal(tw_script_compile(f->script, &err), TW_OK);
	const tw_expect_code *c1 = step(f, 2, 1)->code, *c3 = step(f, 2, 3)->code;
	assert_non_null(c1);
	assert_non_null(c1->filter_regex[0]);
	assert_null(step(f, 2, 2)->code);
	assert_non_null(c3);
	assert_non_null(c3->filter_regex[0]);
	assert_non_null(c3->filter_regex[1]);
	assert_null(step(f, 2, 4)->code);
	for (size_t i = 1; i < f->script->scenes[2].step_count; i++) {
		tw_expect_outcome o = {0};
		assert_int_equal(tw_expect_eval(step(f, 2, i), &f->page, f->vars, NULL, &o), TW_OK);
		if (!o.passed)
			fail_msg("step %zu: %s", i, o.message);
		tw_expect_outcome_free(&o);
	}
}

static void assert_same_string(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

/* ex evaluated as compiled and as text: the same outcome. */
static void same_outcome(fx *f, tw_expect *ex, tw_response *resp)
{
	tw_expect text = *ex;
	text.code = NULL;
	tw_expect_outcome a = {0}, b = {0};
	assert_int_equal(tw_expect_eval(ex, resp, f->vars, NULL, &a), TW_OK);
	assert_int_equal(tw_expect_eval(&text, resp, f->vars, NULL, &b), TW_OK);
	assert_int_equal(a.passed, b.passed);
	assert_same_string(a.message, b.message);
	assert_same_string(a.expected, b.expected);
	assert_same_string(a.actual, b.actual);
	assert_same_string(a.captured, b.captured);
	tw_expect_outcome_free(&a);
	tw_expect_outcome_free(&b);
}

static void test_same_outcomes(void **state)
{
	fx *f = *state;
	tw_error err = {0};
	assert_int_equal(tw_script_compile(f->script, &err), TW_OK);
	/* Twice: a compiled form is reused, and an XPath's copy goes back. */
	for (int round = 0; round < 2; round++) {
		for (size_t i = 1; i < f->script->scenes[0].step_count; i++)
			same_outcome(f, step(f, 0, i), &f->page);
		for (size_t i = 1; i < f->script->scenes[1].step_count; i++)
			same_outcome(f, step(f, 1, i), &f->order);
	}
	tw_expect_outcome o = {0};
	assert_int_equal(tw_expect_eval(step(f, 0, 6), &f->page, f->vars, NULL, &o), TW_OK);
	assert_true(o.passed);
	assert_string_equal(o.captured, "1001");
	tw_expect_outcome_free(&o);
	assert_int_equal(tw_expect_eval(step(f, 0, 4), &f->page, f->vars, NULL, &o), TW_OK);
	assert_false(o.passed);
	assert_string_equal(o.message,
			    "invalid XPath \"nosuchfn(//h1)\": unregistered function at offset 14");
	tw_expect_outcome_free(&o);
}

/* Evaluation uses the compiled form, not the text: a text changed after
 * the compile is not what is matched. */
static void test_compiled_form_is_used(void **state)
{
	fx *f = *state;
	tw_error err = {0};
	assert_int_equal(tw_script_compile(f->script, &err), TW_OK);
	tw_expect *ex = step(f, 0, 6); /* ~ /Order #(\d+)/ */
	char *saved = ex->value.text;
	ex->value.text = (char *)"^No such text$";
	tw_expect_outcome o = {0};
	assert_int_equal(tw_expect_eval(ex, &f->page, f->vars, NULL, &o), TW_OK);
	assert_true(o.passed);
	assert_string_equal(o.captured, "1001");
	tw_expect_outcome_free(&o);
	ex->value.text = saved;

	ex = step(f, 1, 1); /* json $.items[1].name */
	saved = ex->arg;
	ex->arg = (char *)"$.nothing";
	assert_int_equal(tw_expect_eval(ex, &f->order, f->vars, NULL, &o), TW_OK);
	assert_true(o.passed);
	assert_string_equal(o.captured, "Funghi");
	tw_expect_outcome_free(&o);
	ex->arg = saved;
}

/* Two threads at once hold two copies of one XPath; a copy given back is
 * taken again rather than compiled anew. */
static void test_xpath_pool(void **state)
{
	fx *f = *state;
	tw_error err = {0};
	assert_int_equal(tw_script_compile(f->script, &err), TW_OK);
	tw_xpath_pool *pool = step(f, 0, 2)->code->xpath;
	xmlXPathCompExprPtr a = tw_xpath_take(pool);
	xmlXPathCompExprPtr b = tw_xpath_take(pool);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	tw_xpath_give(pool, b);
	assert_ptr_equal(tw_xpath_take(pool), b);
	tw_xpath_give(pool, a);
	tw_xpath_give(pool, b);
}

typedef struct worker_arg {
	fx *f;
	int failures;
} worker_arg;

static void *evaluate_many(void *p)
{
	worker_arg *w = p;
	for (int n = 0; n < 200; n++) {
		for (size_t i = 1; i < w->f->script->scenes[0].step_count; i++) {
			tw_expect_outcome o = {0};
			if (tw_expect_eval(step(w->f, 0, i), &w->f->page, w->f->vars, NULL, &o) !=
			    TW_OK)
				w->failures++;
			tw_expect_outcome_free(&o);
		}
	}
	return NULL;
}

/* Worker threads share one compiled script, as --jobs has them do,
 * function calls included (libxml2 2.9 writes into a compiled XPath when
 * it evaluates count() or position(): compiled.c). Each thread has its own
 * parsed page: a response belongs to one customer. */
static void test_threads_share_a_script(void **state)
{
	fx *f = *state;
	tw_error err = {0};
	assert_int_equal(tw_script_compile(f->script, &err), TW_OK);
	enum { THREADS = 4 };
	fx copies[THREADS];
	worker_arg args[THREADS];
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++) {
		copies[i] = *f;
		respond(&copies[i].page, "text/html", PAGE);
		args[i] = (worker_arg){.f = &copies[i]};
		assert_int_equal(pthread_create(&t[i], NULL, evaluate_many, &args[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(args[i].failures, 0);
		tw_response_free(&copies[i].page);
	}
}

int main(void)
{
	xmlInitParser(); /* before threads, as libxml2 asks */
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_what_is_compiled),
		T(test_filter_patterns),
		T(test_same_outcomes),
		T(test_compiled_form_is_used),
		T(test_xpath_pool),
		T(test_threads_share_a_script),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
