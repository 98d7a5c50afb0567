/*
 * issue 15, PLAN: what a step works out once instead of every performance.
 *
 *   - A template split once (tw_template_compile) expands exactly as its
 *     text does: same value, same error and message, same secret flag, in
 *     every mode, on a table of inputs ({{var}} in host, path and query,
 *     escapes, JSON strings, malformed references after unset ones).
 *   - A step's URL, split once and resolved through the step's memo, is
 *     the URL the text gives through tw_url_resolve (absolute and
 *     relative, spaces, a variable in host, path and query), and a memo
 *     never gives one key's value for another key or owner: another page
 *     never gets a first page's words.
 *   - `expect status` decided quickly (tw_expect_quick) decides only what
 *     tw_expect_eval decides: a pass for a pass, and no fail of its own.
 *   - The plan made from a script splits each request step's URL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/web/html.h"
#include "core/template.h"
#include "expectations/expect.h"
#include "language/ast.h"
#include "runner/plan.h"
#include "techweek/script.h"

static tw_vars *table_vars(void)
{
	tw_vars *v = tw_vars_new();
	assert_non_null(v);
	assert_int_equal(tw_vars_set(v, "host", "127.0.0.1:8080", false), TW_OK);
	assert_int_equal(tw_vars_set(v, "stage", "http://127.0.0.1:8080", false), TW_OK);
	assert_int_equal(tw_vars_set(v, "item", "pizza funghi", false), TW_OK);
	assert_int_equal(tw_vars_set(v, "q", "a&b=c", false), TW_OK);
	assert_int_equal(tw_vars_set(v, "quote", "say \"hi\"\\", false), TW_OK);
	assert_int_equal(tw_vars_set(v, "n", "42", false), TW_OK);
	assert_int_equal(tw_vars_set(v, "pw", "hunter22", true), TW_OK);
	assert_int_equal(tw_vars_set(v, "empty", "", false), TW_OK);
	return v;
}

static const char *const TEMPLATES[] = {
	"",
	"plain text, no reference",
	"{{stage}}",
	"{{stage}}/menu",
	"http://{{host}}/menu",
	"http://{{ host }}/menu/{{item}}",
	"{{stage}}/search?q={{q}}&n={{n}}",
	"{{stage}}/{{item}}#top",
	"/relative/{{item}}",
	"{{empty}}{{empty}}",
	"\\{{stage}} is literal",
	"\\\\{{stage}} after a kept backslash",
	"a \\{{x}} then {{n}}",
	"{{pw}}",
	"user:{{secret TW_PLAN_MEMO_SECRET}}",
	"{{env TW_PLAN_MEMO_ENV}}/x",
	"{{env TW_PLAN_MEMO_UNSET}}",
	"{\"name\": \"{{quote}}\", \"n\": {{n}}, \"item\": {{item}}}",
	"[{{n}}, \"{{n}}\", \"\\\"{{quote}}\"]",
	"{\"a\": \"\\{{x}}\", \"b\": \"{{quote}}\"}",
	"/items/{{item}}/\\Eend",
	"{{unset}}",
	"{{unset}} then {{bad ref!}}",
	"{{n}} then {{bad ref!}}",
	"{{n}} then {{ }}",
	"{{n}} then {{unclosed",
	"{{1digit}}",
	"{{env}}",
	"x}}y{{n}}z}}",
};

static void compiled_templates_expand_as_their_text(void **state)
{
	(void)state;
	setenv("TW_PLAN_MEMO_SECRET", "s3cr3t", 1);
	setenv("TW_PLAN_MEMO_ENV", "http://127.0.0.1:9", 1);
	unsetenv("TW_PLAN_MEMO_UNSET");
	tw_vars *vars = table_vars();
	const tw_expand_mode modes[] = {TW_EXPAND_PLAIN, TW_EXPAND_REGEX, TW_EXPAND_JSON};
	for (size_t i = 0; i < sizeof(TEMPLATES) / sizeof(*TEMPLATES); i++) {
		tw_template *t = tw_template_compile(TEMPLATES[i]);
		assert_non_null(t);
		assert_string_equal(tw_template_text(t), TEMPLATES[i]);
		for (size_t m = 0; m < sizeof(modes) / sizeof(*modes); m++) {
			char *a = NULL, *b = NULL;
			bool sa = true, sb = false;
			tw_error ea = {0}, eb = {0};
			int ra = tw_template_expand(TEMPLATES[i], vars, modes[m], &a, &sa, &ea);
			int rb = tw_template_expand_compiled(t, vars, modes[m], &b, &sb, &eb);
			if (ra != rb || sa != sb || (a && (!b || strcmp(a, b) != 0)) || (!a && b))
				fail_msg("template '%s' mode %d: text gives %d '%s', compiled %d '%s'",
					 TEMPLATES[i], (int)modes[m], ra, a ? a : "(null)", rb,
					 b ? b : "(null)");
			if (ra != TW_OK) {
				assert_int_equal(ea.code, eb.code);
				assert_string_equal(ea.message ? ea.message : "",
						    eb.message ? eb.message : "");
			}
			free(a);
			free(b);
			tw_error_clear(&ea);
			tw_error_clear(&eb);
		}
		/* constant only when the text is its own value */
		const char *k = tw_template_constant(t);
		if (k) {
			char *v = NULL;
			tw_error e = {0};
			assert_int_equal(tw_template_expand(TEMPLATES[i], vars, TW_EXPAND_PLAIN, &v,
							    NULL, &e),
					 TW_OK);
			assert_string_equal(k, v);
			free(v);
		} else {
			assert_true(strstr(TEMPLATES[i], "{{") != NULL);
		}
		tw_template_free(t);
	}
	tw_vars_free(vars);
}

/* The plan's memo, as a step of the runner uses it (customer.c step_url):
 * split URL expanded, resolved once, then taken from the memo. */
static char *through_memo(tw_step_memo *memo, const tw_template *t, const tw_vars *vars,
			  const char *base, int *rc)
{
	char *url = NULL;
	tw_error e = {0};
	*rc = tw_template_expand_compiled(t, vars, TW_EXPAND_PLAIN, &url, NULL, &e);
	tw_error_clear(&e);
	if (*rc)
		return NULL;
	bool absolute = strstr(url, "://") != NULL;
	tw_step_memo *m = absolute ? memo : NULL;
	const char *known = tw_memo_get(m, TW_MEMO_URL, url, strlen(url), NULL);
	char *out = NULL;
	if (known) {
		out = strdup(known);
	} else {
		*rc = tw_url_resolve(absolute ? NULL : base, url, &out, &e);
		if (*rc == TW_OK)
			tw_memo_keep(m, TW_MEMO_URL, url, strlen(url), NULL, out);
	}
	tw_error_clear(&e);
	free(url);
	return out;
}

static const char *const URLS[] = {
	"{{stage}}/menu",
	"http://{{host}}/menu/{{item}}",
	"{{stage}}/search?q={{item}}&n={{n}}",
	"{{stage}}/a b/c d?x=y z#frag",
	"  {{stage}}/trimmed  ",
	"HTTP://127.0.0.1:8080/Upper/../case",
	"http://127.0.0.1:8080/caf\xc3\xa9",
	"/relative/{{item}}",
	"relative/{{n}}?q=1",
	"",
	"#only-a-fragment",
	"mailto:someone@example.com",
	"http://[::1",
	"{{unset}}/x",
};

static void split_urls_resolve_as_their_text(void **state)
{
	(void)state;
	tw_vars *vars = table_vars();
	const char *base = "http://127.0.0.1:8080/dir/page.html";
	for (size_t i = 0; i < sizeof(URLS) / sizeof(*URLS); i++) {
		/* a fresh memo per URL, asked three times: resolve, keep, take */
		tw_template *t = tw_template_compile(URLS[i]);
		assert_non_null(t);
		char *text = NULL, *want = NULL;
		tw_error e = {0};
		int want_rc = tw_template_expand(URLS[i], vars, TW_EXPAND_PLAIN, &text, NULL, &e);
		tw_error_clear(&e);
		if (want_rc == TW_OK) {
			want_rc = tw_url_resolve(strstr(text, "://") ? NULL : base, text, &want, &e);
			tw_error_clear(&e);
		}
		tw_step_memo *memo = tw_step_memo_new();
		assert_non_null(memo);
		for (int round = 0; round < 3; round++) {
			int rc;
			char *got = through_memo(memo, t, vars, base, &rc);
			if (rc != want_rc || (want && (!got || strcmp(got, want) != 0)) ||
			    (!want && got))
				fail_msg("URL '%s' round %d: text gives %d '%s', split %d '%s'", URLS[i],
					 round, want_rc, want ? want : "(null)", rc,
					 got ? got : "(null)");
			free(got);
		}
		tw_step_memo_free(memo);
		tw_template_free(t);
		free(text);
		free(want);
	}
	tw_vars_free(vars);
}

/* The memo keeps its first key only, for its owner only: another page
 * (another body, another Content-Type, another run's redaction) never
 * gets the first page's words. */
static void memo_gives_only_its_own_key(void **state)
{
	(void)state;
	int owner_a, owner_b;
	tw_step_memo *memo = tw_step_memo_new();
	assert_non_null(memo);
	const char k1[] = "text/html\0<p>Not found</p>";
	const char k2[] = "text/html\0<p>Not found!</p>";
	const char k3[] = "text/plain\0<p>Not found</p>";
	assert_null(tw_memo_get(memo, TW_MEMO_STATUS_TEXT, k1, sizeof(k1) - 1, &owner_a));
	tw_memo_keep(memo, TW_MEMO_STATUS_TEXT, k1, sizeof(k1) - 1, &owner_a, "Not found");
	assert_string_equal(tw_memo_get(memo, TW_MEMO_STATUS_TEXT, k1, sizeof(k1) - 1, &owner_a),
			    "Not found");
	assert_null(tw_memo_get(memo, TW_MEMO_STATUS_TEXT, k2, sizeof(k2) - 1, &owner_a));
	assert_null(tw_memo_get(memo, TW_MEMO_STATUS_TEXT, k3, sizeof(k3) - 1, &owner_a));
	assert_null(tw_memo_get(memo, TW_MEMO_STATUS_TEXT, k1, sizeof(k1) - 2, &owner_a));
	assert_null(tw_memo_get(memo, TW_MEMO_STATUS_TEXT, k1, sizeof(k1) - 1, &owner_b));
	/* another kind is another memo */
	assert_null(tw_memo_get(memo, TW_MEMO_URL, k1, sizeof(k1) - 1, &owner_a));
	/* the first stays: a second keep changes nothing */
	tw_memo_keep(memo, TW_MEMO_STATUS_TEXT, k2, sizeof(k2) - 1, &owner_a, "Not found!");
	assert_null(tw_memo_get(memo, TW_MEMO_STATUS_TEXT, k2, sizeof(k2) - 1, &owner_a));
	assert_string_equal(tw_memo_get(memo, TW_MEMO_STATUS_TEXT, k1, sizeof(k1) - 1, &owner_a),
			    "Not found");
	/* no memo: nothing kept, nothing given */
	tw_memo_keep(NULL, TW_MEMO_URL, "x", 1, NULL, "y");
	assert_null(tw_memo_get(NULL, TW_MEMO_URL, "x", 1, NULL));
	tw_step_memo_free(memo);
}

/* issue 15: the memo's URL, parsed once, is given only for that URL
 * exactly (a query appended after makes another), and reads back as it. */
static void memo_parses_its_url_once(void **state)
{
	(void)state;
	tw_step_memo *memo = tw_step_memo_new();
	assert_non_null(memo);
	const char *url = "http://127.0.0.1:8080/a/b?x=1";
	assert_null(tw_memo_parsed_url(memo, url));
	tw_memo_keep(memo, TW_MEMO_URL, "{{t}}", 5, NULL, url);
	const CURLU *h = tw_memo_parsed_url(memo, url);
	assert_non_null(h);
	char *back = NULL;
	assert_int_equal(curl_url_get((CURLU *)h, CURLUPART_URL, &back, 0), CURLUE_OK);
	assert_string_equal(back, url);
	curl_free(back);
	assert_ptr_equal(tw_memo_parsed_url(memo, url), h); /* the same one */
	assert_null(tw_memo_parsed_url(memo, "http://127.0.0.1:8080/a/b?x=1&q=2"));
	assert_null(tw_memo_parsed_url(memo, "http://127.0.0.1:8080/a/b"));
	assert_null(tw_memo_parsed_url(NULL, url));
	/* Another kind of memo parses nothing. */
	tw_step_memo *other = tw_step_memo_new();
	assert_non_null(other);
	tw_memo_keep(other, TW_MEMO_STATUS_TEXT, "k", 1, NULL, url);
	assert_null(tw_memo_parsed_url(other, url));
	tw_step_memo_free(other);
	tw_step_memo_free(memo);
}

typedef struct racer {
	tw_step_memo *memo;
	char value[16];
} racer;

static void *race(void *arg)
{
	racer *r = arg;
	for (int i = 0; i < 1000; i++) {
		tw_memo_keep(r->memo, TW_MEMO_URL, "k", 1, NULL, r->value);
		const char *got = tw_memo_get(r->memo, TW_MEMO_URL, "k", 1, NULL);
		if (!got || strncmp(got, "thread ", 7) != 0)
			return (void *)1;
	}
	return NULL;
}

/* Threads keeping at once: one value wins, whole, and every reader sees
 * it (run under ASan/valgrind: nothing leaks from the losers). */
static void memo_race_keeps_one(void **state)
{
	(void)state;
	tw_step_memo *memo = tw_step_memo_new();
	assert_non_null(memo);
	racer r[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		r[i].memo = memo;
		snprintf(r[i].value, sizeof(r[i].value), "thread %d", i);
		assert_int_equal(pthread_create(&th[i], NULL, race, &r[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		void *bad = NULL;
		pthread_join(th[i], &bad);
		assert_null(bad);
	}
	const char *won = tw_memo_get(memo, TW_MEMO_URL, "k", 1, NULL);
	assert_non_null(won);
	assert_int_equal(strncmp(won, "thread ", 7), 0);
	tw_step_memo_free(memo);
}

static tw_expect status_expect(tw_op op, bool negate, const char *text)
{
	tw_expect ex;
	memset(&ex, 0, sizeof(ex));
	ex.subject = TW_SUBJ_STATUS;
	ex.op = op;
	ex.negate = negate;
	ex.value.kind = TW_VAL_NUMBER;
	ex.value.text = (char *)text;
	ex.value.number = strtod(text, NULL);
	return ex;
}

/* tw_expect_quick never decides what tw_expect_eval would not: a quick
 * pass is a pass, and every eligible check that holds is decided quickly
 * (what the speed comes from). */
static void quick_status_agrees_with_eval(void **state)
{
	(void)state;
	const long statuses[] = {0, 100, 200, 201, 204, 301, 404, 500, 599};
	const char *values[] = {"200", "404", "0", "200.0", "2e2", "-200", "0200", "1000000000"};
	const tw_op ops[] = {TW_OP_EQ, TW_OP_NE, TW_OP_LT, TW_OP_GE};
	for (size_t s = 0; s < sizeof(statuses) / sizeof(*statuses); s++)
		for (size_t v = 0; v < sizeof(values) / sizeof(*values); v++)
			for (size_t o = 0; o < sizeof(ops) / sizeof(*ops); o++)
				for (int neg = 0; neg < 2; neg++) {
					tw_response r;
					tw_response_init(&r, 1024);
					r.status = statuses[s];
					tw_expect ex = status_expect(ops[o], neg, values[v]);
					tw_expect_outcome out = {0};
					assert_int_equal(tw_expect_eval(&ex, &r, NULL, NULL, &out), TW_OK);
					bool quick = tw_expect_quick(&ex, &r);
					if (quick && !out.passed)
						fail_msg("status %ld %s%d %s: quick pass, eval %s",
							 statuses[s], neg ? "not " : "", (int)ops[o],
							 values[v], out.passed ? "pass" : "fail");
					bool eligible = statuses[s] > 0 &&
							(ops[o] == TW_OP_EQ || ops[o] == TW_OP_NE) &&
							strspn(values[v], "0123456789") ==
								strlen(values[v]) &&
							strlen(values[v]) <= 9;
					if (eligible && out.passed && !quick)
						fail_msg("status %ld %d %s holds but was not quick",
							 statuses[s], (int)ops[o], values[v]);
					tw_expect_outcome_free(&out);
					tw_response_free(&r);
				}
	/* a capture, a filter or a header is never quick */
	tw_response r;
	tw_response_init(&r, 1024);
	r.status = 200;
	tw_expect ex = status_expect(TW_OP_EQ, false, "200");
	ex.capture = "code";
	assert_false(tw_expect_quick(&ex, &r));
	ex.capture = NULL;
	ex.count = true;
	assert_false(tw_expect_quick(&ex, &r));
	ex.count = false;
	ex.subject = TW_SUBJ_HEADER;
	assert_false(tw_expect_quick(&ex, &r));
	tw_response_free(&r);
}

/* The plan made from a script splits every request step's URL, and only
 * a request step carries one. */
static void plan_splits_request_urls(void **state)
{
	(void)state;
	static const char SCRIPT[] = "rehearsal \"memo\"\n"
				     "scene \"s\"\n"
				     "  visit http://127.0.0.1:1/{{n}}\n"
				     "  expect status 200\n"
				     "  get http://127.0.0.1:1/plain\n";
	tw_script *s = NULL;
	tw_error err = {0};
	assert_int_equal(tw_script_parse(&s, "memo.rehearsal", SCRIPT, strlen(SCRIPT), &err), TW_OK);
	tw_plan *plan = NULL;
	assert_int_equal(tw_plan_of_script(&plan, s), TW_OK);
	const tw_plan_scene *sc = &plan->scenes[0];
	assert_int_equal(sc->touchpoint_count, 3);
	assert_string_equal(tw_template_text(tw_memo_url(sc->touchpoints[0].memo)),
			    "http://127.0.0.1:1/{{n}}");
	assert_null(tw_template_constant(tw_memo_url(sc->touchpoints[0].memo)));
	assert_null(tw_memo_url(sc->touchpoints[1].memo));
	assert_string_equal(tw_template_constant(tw_memo_url(sc->touchpoints[2].memo)),
			    "http://127.0.0.1:1/plain");
	tw_plan_free(plan);
	tw_script_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(compiled_templates_expand_as_their_text),
		cmocka_unit_test(split_urls_resolve_as_their_text),
		cmocka_unit_test(memo_gives_only_its_own_key),
		cmocka_unit_test(memo_parses_its_url_once),
		cmocka_unit_test(memo_race_keeps_one),
		cmocka_unit_test(quick_status_agrees_with_eval),
		cmocka_unit_test(plan_splits_request_urls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
