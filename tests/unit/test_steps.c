/*
 * Unit tests for the table of step kinds (harness/language/steps.def): every
 * kind has a full row, keywords start exactly one kind, the parser turns each
 * keyword into its kind, and the facts are the ones docs/readiness.md tells
 * users (its table of timed steps and its list of actions).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsutil.h"
#include "language/ast.h"
#include "language/parser.h"
#include "techweek/script.h"

#ifndef TW_SOURCE_ROOT
#define TW_SOURCE_ROOT "."
#endif

static void every_kind_has_a_full_row(void **state)
{
	(void)state;
	for (int k = 0; k < TW_STEP_KIND_COUNT; k++) {
		const tw_step_facts *f = tw_step_facts_of((tw_step_kind)k);
		assert_non_null(f->json);
		assert_non_null(f->written);
		assert_true(f->word_count > 0);
		for (int j = 0; j < k; j++)
			assert_string_not_equal(f->json, tw_step_facts_of((tw_step_kind)j)->json);
		/* Only timed steps are frontstage work the customer waits for:
		 * a timed step is always an action. */
		if (f->apdex != TW_STEP_APDEX_NONE)
			assert_true(f->action);
	}
	/* Out of range: a row of "step", as the reports used to print. */
	assert_string_equal(tw_step_facts_of((tw_step_kind)TW_STEP_KIND_COUNT)->json, "step");
}

static void keywords_start_one_kind_each(void **state)
{
	(void)state;
	for (int k = 0; k < TW_STEP_KIND_COUNT; k++) {
		const tw_step_facts *f = tw_step_facts_of((tw_step_kind)k);
		for (size_t i = 0; i < f->word_count; i++) {
			tw_step_kind got;
			assert_true(tw_step_kind_of_word(f->words[i], &got));
			assert_int_equal(got, k);
		}
	}
	tw_step_kind got;
	assert_false(tw_step_kind_of_word("scene", &got));
	assert_false(tw_step_kind_of_word("hangup", &got));
}

/* Each keyword, written as a script would, parses to its row's kind. */
static void the_parser_makes_each_kind(void **state)
{
	(void)state;
	static const struct {
		const char *line;
		tw_step_kind kind;
	} steps[] = {
		{"visit \"/\"", TW_STEP_VISIT},          {"get \"/api\"", TW_STEP_REQUEST},
		{"options \"/api\"", TW_STEP_REQUEST},    {"click \"Menu\"", TW_STEP_CLICK},
		{"fill \"q\" with \"x\"", TW_STEP_FILL},  {"choose \"x\" in \"s\"", TW_STEP_CHOOSE},
		{"tick \"t\"", TW_STEP_TICK},             {"untick \"t\"", TW_STEP_UNTICK},
		{"submit", TW_STEP_SUBMIT},               {"pause 1s", TW_STEP_PAUSE},
		{"expect status == 200", TW_STEP_EXPECT}, {"call \"/voice\"", TW_STEP_CALL},
		{"hear \"Hello\"", TW_STEP_HEAR},         {"press 1", TW_STEP_PRESS},
		{"say \"yes\"", TW_STEP_SAY},             {"silence", TW_STEP_SILENCE},
		{"hang up", TW_STEP_HANGUP},
		/* issue 14, MATCH */
		{"maybe hear \"Hello\"", TW_STEP_HEAR}, {"when hear \"still there\" press 1", TW_STEP_WHEN},
	};
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
		char text[200];
		snprintf(text, sizeof text, "scene \"S\"\n  %s\n", steps[i].line);
		tw_script *s = NULL;
		tw_error err = {0};
		if (tw_script_parse(&s, "k.rehearsal", text, strlen(text), &err) != TW_OK) {
			char *m = tw_error_format(&err);
			fail_msg("%s: %s", steps[i].line, m ? m : "?");
		}
		assert_int_equal(s->scene_count, 1);
		assert_int_equal(s->scenes[0].step_count, 1);
		assert_int_equal(s->scenes[0].steps[0].kind, steps[i].kind);
		tw_script_free(s);
	}
}

/* The backticked words of the first line of doc that holds marker, from
 * the marker on, up to end (or the line's end). */
static size_t words_after(const char *doc, const char *marker, const char *end,
			  char words[][16], size_t max)
{
	const char *p = strstr(doc, marker);
	assert_non_null(p);
	const char *stop = end ? strstr(p, end) : NULL;
	if (!stop)
		stop = strchr(p, '\n');
	size_t n = 0;
	while ((p = strchr(p, '`')) && p < stop) {
		const char *q = strchr(p + 1, '`');
		assert_non_null(q);
		assert_true(n < max && (size_t)(q - p - 1) < 16);
		memcpy(words[n], p + 1, (size_t)(q - p - 1));
		words[n][q - p - 1] = '\0';
		n++;
		p = q + 1;
	}
	return n;
}

static tw_step_kind kind_of(const char *written)
{
	tw_step_kind k;
	/* `hang up` is written in two words; its keyword is the first */
	if (!tw_step_kind_of_word(strcmp(written, "hang up") == 0 ? "hang" : written, &k))
		fail_msg("'%s' in docs/readiness.md is not a step keyword", written);
	return k;
}

static void the_facts_are_the_ones_readiness_md_tells(void **state)
{
	(void)state;
	char *doc = NULL;
	size_t len = 0;
	tw_error err = {0};
	assert_int_equal(tw_read_file(TW_SOURCE_ROOT "/docs/readiness.md", 1 << 20, &doc, &len, &err),
			 TW_OK);
	static const struct {
		const char *marker, *end;
		tw_step_apdex apdex;
	} classes[] = {
		{"| a web page |", NULL, TW_STEP_APDEX_PAGE},
		{"| an API |", NULL, TW_STEP_APDEX_API},
		{"| the phone (IVR) |", ": the time", TW_STEP_APDEX_IVR},
		{"Steps that happen on the customer's side", "are not timed", TW_STEP_APDEX_NONE},
	};
	char words[16][16];
	int seen[TW_STEP_KIND_COUNT] = {0};
	for (size_t c = 0; c < sizeof classes / sizeof *classes; c++) {
		size_t n = words_after(doc, classes[c].marker, classes[c].end, words, 16);
		assert_true(n > 0);
		for (size_t i = 0; i < n; i++) {
			tw_step_kind k = kind_of(words[i]);
			if (tw_step_facts_of(k)->apdex != classes[c].apdex)
				fail_msg("readiness.md puts '%s' in class %d, steps.def in %d",
					 words[i], (int)classes[c].apdex,
					 (int)tw_step_facts_of(k)->apdex);
			seen[k]++;
		}
	}
	/* Every kind is in the doc's table once (raw HTTP once per method). */
	for (int k = 0; k < TW_STEP_KIND_COUNT; k++)
		assert_int_equal(seen[k], (int)tw_step_facts_of((tw_step_kind)k)->word_count);

	/* "every step in a frontstage scene except `expect`, `hear`, `maybe`,
	 * `when` and `pause`" (issue 14 added maybe and when) */
	size_t n = words_after(doc, "every step in a frontstage scene except", ";", words, 16);
	assert_int_equal(n, 5);
	bool not_action[TW_STEP_KIND_COUNT] = {0};
	for (size_t i = 0; i < n; i++)
		not_action[kind_of(words[i])] = true;
	for (int k = 0; k < TW_STEP_KIND_COUNT; k++)
		if (tw_step_facts_of((tw_step_kind)k)->action == not_action[k])
			fail_msg("'%s': readiness.md and steps.def disagree on being an action",
				 tw_step_facts_of((tw_step_kind)k)->written);
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_kind_has_a_full_row),
		cmocka_unit_test(keywords_start_one_kind_each),
		cmocka_unit_test(the_parser_makes_each_kind),
		cmocka_unit_test(the_facts_are_the_ones_readiness_md_tells),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
