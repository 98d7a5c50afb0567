/*
 * Effort against the last good run (readiness/baseline.h): a baseline is
 * read from the very JSON the reports write (so the two cannot drift
 * apart unnoticed), strictly, every bad file refused naming the file and
 * the JSON path; the comparison pairs rehearsals by path then name and
 * touchpoints by their text in order, and each regression limit holds at
 * its edge and fails just past it, the verdict following.
 *
 * Runs are built by hand (reports_fixture.h) with their figures filled in
 * as the runner would have folded them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "readiness/baseline.h"
#include "readiness/score.h"
#include "reports/json.h"
#include "reports/render.h"
#include "reports_fixture.h"

#define EPS 1e-9

/* ---- runs ---- */

/* "Order a pizza" at path: its first page, (grown: two pages more,) the
 * pizza page, the order, a check. */
static tw_script *journey(fixture *fx, const char *path, const char *name, bool grown)
{
	size_t n = grown ? 6 : 4, i = 0;
	int line = 5;
	tw_script *s = fx_script(fx, path, name, 1);
	tw_scene *sc = fx_scene(s, 0, "Order", 4, false, n);
	fx_step(s, sc, i++, TW_STEP_VISIT, line++, "visit {{stage}}/");
	if (grown) {
		fx_step(s, sc, i++, TW_STEP_VISIT, line++, "visit {{stage}}/hours");
		fx_step(s, sc, i++, TW_STEP_VISIT, line++, "visit {{stage}}/");
	}
	fx_step(s, sc, i++, TW_STEP_VISIT, line++, "visit {{stage}}/pizza/marinara");
	fx_step(s, sc, i++, TW_STEP_SUBMIT, line++, "submit \"Place order\"");
	fx_step(s, sc, i++, TW_STEP_EXPECT, line++, "expect status 200");
	fx_result(fx, s, TW_STATUS_PASSED, 30);
	return s;
}

/* run->metrics for every result, zeroed, with their histograms. */
static void new_metrics(fixture *fx)
{
	tw_run *run = fx->run;
	fx_drop_metrics(fx);
	fx_replan(fx); /* the scripts as the test left them */
	run->metrics = calloc(run->count ? run->count : 1, sizeof(*run->metrics));
	assert_non_null(run->metrics);
	for (size_t i = 0; i < run->count; i++)
		assert_int_equal(tw_rehearsal_metrics_init(&run->metrics[i], run->rehearsals[i].plan),
				 TW_OK);
}

/* Rehearsal r performed `perfs` times, `achieved` of them to the outcome
 * in `outcome_ms`; each of its steps performed every time and passed,
 * in step_ms; frontstage steps the script's actions. */
static void figures(fixture *fx, size_t r, uint64_t perfs, uint64_t achieved, double outcome_ms,
		    double step_ms)
{
	tw_rehearsal_metrics *m = &fx->run->metrics[r];
	const tw_plan *s = fx->run->rehearsals[r].plan;
	m->performances = perfs;
	m->achieved = achieved;
	m->failed = perfs - achieved;
	tw_histogram_reset(m->time_to_outcome);
	for (uint64_t k = 0; k < achieved; k++)
		tw_histogram_record(m->time_to_outcome, outcome_ms);
	m->frontstage_steps = 0;
	for (size_t i = 0; i < s->scene_count; i++)
		for (size_t j = 0; j < s->scenes[i].touchpoint_count; j++) {
			tw_touchpoint_metrics *t = &m->scenes[i].steps[j];
			t->count = t->passed = perfs;
			tw_histogram_reset(t->latency);
			for (uint64_t k = 0; k < perfs; k++)
				tw_histogram_record(t->latency, step_ms);
			if (s->scenes[i].touchpoints[j].kind != TW_STEP_EXPECT)
				m->frontstage_steps += perfs;
		}
}

static tw_run_score score_of(fixture *fx)
{
	tw_readiness_config cfg;
	tw_readiness_config_init(&cfg);
	tw_run_score sc;
	tw_error err = {0};
	assert_int_equal(tw_readiness_score(fx->run, &cfg, &sc, &err), TW_OK);
	return sc;
}

/* The run's JSON result, as --json writes it, read back as a baseline. */
static tw_baseline *baseline_of(fixture *fx)
{
	tw_run_score sc = score_of(fx);
	tw_buf json;
	tw_error err = {0};
	assert_int_equal(tw_report_json_render(fx->run, &sc, &json, &err), TW_OK);
	tw_baseline *b = NULL;
	int rc = tw_baseline_parse(&b, "before.json", tw_buf_str(&json), json.len, &err);
	if (rc != TW_OK)
		fail_msg("tw_baseline_parse: %s", err.message);
	tw_buf_free(&json);
	tw_run_score_free(&sc);
	return b;
}

/* fx's run against b under limits (NULL: none), judged: sc holds the
 * verdict, cmp what reports show. */
static void compare(fixture *fx, const tw_baseline *b, const tw_regression_limits *limits,
		    tw_run_score *sc, tw_comparison *cmp)
{
	*sc = score_of(fx);
	tw_error err = {0};
	assert_int_equal(tw_baseline_compare(cmp, b, fx->run, sc, limits, &err), TW_OK);
	tw_baseline_judge(sc, fx->run, cmp);
}

static void assert_near(double got, double want)
{
	if (fabs(got - want) > EPS)
		fail_msg("got %.12f, want %.12f", got, want);
}

static tw_regression_limits limit(tw_figure f, double max)
{
	tw_regression_limits l = {0};
	l.set[f] = true;
	l.max[f] = max;
	return l;
}

/* A baseline written by an older techweek (formats 4 to 6) has a time
 * stamp without its zone: the JSON says UTC as the terminal and the HTML
 * do ("Z"), never a time a reader takes as local. */
static void test_zoneless_started_at(void **state)
{
	fixture *fx = *state;
	journey(fx, "rehearsals/pizza.rehearsal", "Order a pizza", false);
	new_metrics(fx);
	figures(fx, 0, 20, 20, 900, 120);
	tw_baseline *b = baseline_of(fx);
	tw_run_score sc;
	tw_comparison cmp;
	compare(fx, b, NULL, &sc, &cmp);
	free(cmp.started_at);
	cmp.started_at = strdup("2023-01-02T03:04:05");
	assert_non_null(cmp.started_at);
	tw_buf json;
	tw_error err = {0};
	assert_int_equal(tw_report_json_render(fx->run, &sc, &json, &err), TW_OK);
	assert_non_null(strstr(tw_buf_str(&json), "\"started_at\":\"2023-01-02T03:04:05Z\""));
	tw_buf_free(&json);
	tw_comparison_free(&cmp);
	tw_run_score_free(&sc);
	tw_baseline_free(b);
}

/* ---- the comparison ---- */

/* The same run against its own result: every figure known and unchanged,
 * every touchpoint paired, nothing regressed under the strictest limits. */
static void test_against_itself(void **state)
{
	fixture *fx = *state;
	journey(fx, "rehearsals/pizza.rehearsal", "Order a pizza", false);
	new_metrics(fx);
	figures(fx, 0, 20, 20, 900, 120);
	tw_baseline *b = baseline_of(fx);
	assert_int_equal(tw_baseline_count(b), 1);
	tw_regression_limits strict = {0};
	for (int f = 0; f < TW_FIGURE_COUNT; f++)
		strict.set[f] = true; /* every max 0 */
	tw_run_score sc;
	tw_comparison cmp;
	compare(fx, b, &strict, &sc, &cmp);
	assert_int_equal(cmp.count, 1);
	const tw_rehearsal_change *rc = &cmp.rehearsals[0];
	assert_false(rc->is_new);
	assert_false(rc->by_name);
	for (int f = 0; f < TW_FIGURE_COUNT; f++) {
		if (f == TW_FIGURE_P95)
			continue;
		assert_true(rc->figure[f].known);
		assert_near(rc->figure[f].after, rc->figure[f].before);
	}
	assert_near(rc->figure[TW_FIGURE_STEPS].after, 3);
	assert_near(rc->figure[TW_FIGURE_OUTCOME].after, 1);
	assert_int_equal(rc->touchpoint_count, 4);
	for (size_t k = 0; k < rc->touchpoint_count; k++) {
		assert_false(rc->touchpoints[k].is_new);
		/* timed: the pages and the order; the check takes no time */
		assert_int_equal(rc->touchpoints[k].figure[TW_FIGURE_P95].known, k < 3);
	}
	assert_int_equal(rc->touchpoints_gone, 0);
	assert_int_equal(cmp.regression_count, 0);
	assert_int_equal(cmp.gone_count, 0);
	assert_false(sc.regressed);
	assert_int_equal(sc.verdict, TW_VERDICT_READY);
	assert_ptr_equal(sc.baseline, &cmp);
	tw_comparison_free(&cmp);
	tw_run_score_free(&sc);
	tw_baseline_free(b);
}

/* Two pages more: steps +2 with no limit, the verdict unaffected; the
 * new pages are new, the pages after them still paired; "steps": 0 makes
 * it NOT READY, naming the rehearsal, the figure, before and after. */
static void test_two_pages_more(void **state)
{
	fixture *fx = *state;
	journey(fx, "rehearsals/pizza.rehearsal", "Order a pizza", false);
	new_metrics(fx);
	figures(fx, 0, 20, 20, 900, 120);
	tw_baseline *b = baseline_of(fx);

	fixture *grown = NULL;
	assert_int_equal(fx_setup((void **)&grown), 0);
	journey(grown, "rehearsals/pizza.rehearsal", "Order a pizza", true);
	new_metrics(grown);
	figures(grown, 0, 20, 20, 1000, 120);

	tw_run_score sc;
	tw_comparison cmp;
	compare(grown, b, NULL, &sc, &cmp);
	const tw_rehearsal_change *rc = &cmp.rehearsals[0];
	char words[128];
	assert_int_equal(tw_change_str(words, sizeof(words), TW_FIGURE_STEPS, &rc->figure[TW_FIGURE_STEPS]), TW_OK);
	assert_string_equal(words, "3 \xE2\x86\x92 5 (+2)");
	assert_false(rc->figure[TW_FIGURE_STEPS].regressed);
	assert_int_equal(rc->touchpoint_count, 6);
	bool want_new[] = {false, true, true, false, false, false};
	for (size_t k = 0; k < 6; k++)
		assert_int_equal(rc->touchpoints[k].is_new, want_new[k]);
	assert_int_equal(rc->touchpoints_gone, 0);
	assert_int_equal(cmp.regression_count, 0);
	assert_int_equal(sc.verdict, TW_VERDICT_READY);
	tw_comparison_free(&cmp);
	tw_run_score_free(&sc);

	tw_regression_limits steps = limit(TW_FIGURE_STEPS, 0);
	compare(grown, b, &steps, &sc, &cmp);
	assert_int_equal(cmp.regression_count, 1);
	const tw_regression *g = &cmp.regressions[0];
	assert_int_equal(g->figure, TW_FIGURE_STEPS);
	assert_int_equal(g->rehearsal, 0);
	assert_int_equal(g->touchpoint, SIZE_MAX);
	assert_string_equal(g->why, "Order a pizza: steps per performance 3 \xE2\x86\x92 5 (+2), "
				    "beyond the limit of +0");
	assert_string_equal(g->what, "steps per performance 3 \xE2\x86\x92 5 (+2), beyond the limit of +0");
	assert_true(cmp.rehearsals[0].figure[TW_FIGURE_STEPS].regressed);
	assert_true(sc.regressed);
	assert_int_equal(sc.verdict, TW_VERDICT_NOT_READY);
	tw_comparison_free(&cmp);
	tw_run_score_free(&sc);

	/* Two steps more allowed: two more are not beyond it. */
	steps = limit(TW_FIGURE_STEPS, 2);
	compare(grown, b, &steps, &sc, &cmp);
	assert_int_equal(cmp.regression_count, 0);
	assert_int_equal(sc.verdict, TW_VERDICT_READY);
	tw_comparison_free(&cmp);
	tw_run_score_free(&sc);

	/* A journey that failed on its own stays as failed as it was: a
	 * regression never raises a verdict. */
	figures(grown, 0, 20, 19, 1000, 120);
	compare(grown, b, NULL, &sc, &cmp);
	assert_int_equal(sc.verdict, TW_VERDICT_NOT_READY);
	assert_false(sc.regressed);
	tw_comparison_free(&cmp);
	tw_run_score_free(&sc);

	fx_teardown((void **)&grown);
	tw_baseline_free(b);
}

/* Each limit holds at its edge and fails past it. */
static void test_limits_at_the_edge(void **state)
{
	fixture *fx = *state;
	journey(fx, "rehearsals/pizza.rehearsal", "Order a pizza", false);
	new_metrics(fx);
	figures(fx, 0, 100, 100, 1000, 100);
	tw_baseline *b = baseline_of(fx);
	tw_run_score sc;
	tw_comparison cmp;
	static const struct {
		tw_figure f;
		double max;
		uint64_t achieved;
		double outcome_ms, step_ms;
		bool regressed;
		const char *why;
	} cases[] = {
		/* outcome: 1% of performances may be lost */
		{TW_FIGURE_OUTCOME, 0.01, 99, 1000, 100, false, NULL},
		{TW_FIGURE_OUTCOME, 0.01, 98, 1000, 100, true,
		 "Order a pizza: outcome rate 100% \xE2\x86\x92 98% (-2 points), beyond the limit "
		 "of -1 point"},
		/* time: 10% longer at most */
		{TW_FIGURE_TIME, 0.10, 100, 1100, 100, false, NULL},
		{TW_FIGURE_TIME, 0.10, 100, 1200, 100, true,
		 "Order a pizza: time to outcome (p90) 1 s \xE2\x86\x92 1.2 s (+20%), beyond the "
		 "limit of +10%"},
		/* p95: each touchpoint 20% slower at most */
		{TW_FIGURE_P95, 0.20, 100, 1000, 120, false, NULL},
		{TW_FIGURE_P95, 0.20, 100, 1000, 150, true,
		 "Order a pizza: line 5 'visit {{stage}}/' p95 100 ms \xE2\x86\x92 150 ms (+50%), "
		 "beyond the limit of +20%"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		figures(fx, 0, 100, cases[i].achieved, cases[i].outcome_ms, cases[i].step_ms);
		tw_regression_limits l = limit(cases[i].f, cases[i].max);
		compare(fx, b, &l, &sc, &cmp);
		if (!cases[i].regressed) {
			if (cmp.regression_count)
				fail_msg("case %zu: %s", i, cmp.regressions[0].why);
			assert_false(sc.regressed);
		} else {
			/* p95: one per touchpoint that sent (every step here is timed) */
			assert_true(cmp.regression_count >= 1);
			assert_string_equal(cmp.regressions[0].why, cases[i].why);
			assert_int_equal(cmp.regressions[0].figure, cases[i].f);
			assert_true(sc.regressed);
		}
		tw_comparison_free(&cmp);
		tw_run_score_free(&sc);
	}

	/* score: 5 points may be lost; slower pages cost responsiveness */
	figures(fx, 0, 100, 100, 1000, 100);
	tw_run_score before = score_of(fx);
	figures(fx, 0, 100, 100, 1000, 1500);
	tw_run_score after = score_of(fx);
	double fall = before.rehearsals[0].score - after.rehearsals[0].score;
	assert_true(fall > 1);
	tw_run_score_free(&before);
	tw_run_score_free(&after);
	tw_regression_limits l = limit(TW_FIGURE_SCORE, fall - 0.01);
	compare(fx, b, &l, &sc, &cmp);
	assert_int_equal(cmp.regression_count, 1);
	assert_int_equal(cmp.regressions[0].figure, TW_FIGURE_SCORE);
	const char *prefix = "Order a pizza: score 100 \xE2\x86\x92 ";
	assert_true(strncmp(cmp.regressions[0].why, prefix, strlen(prefix)) == 0);
	tw_comparison_free(&cmp);
	tw_run_score_free(&sc);
	l = limit(TW_FIGURE_SCORE, fall + 0.01);
	compare(fx, b, &l, &sc, &cmp);
	assert_int_equal(cmp.regression_count, 0);
	tw_comparison_free(&cmp);
	tw_run_score_free(&sc);
	tw_baseline_free(b);
}

/* Pairing: by path first, then by name (a rename of the file), each
 * baseline rehearsal once; one with neither is new, one of the baseline's
 * left over is gone. A path wins over a name that points elsewhere. */
static void test_pairing(void **state)
{
	fixture *fx = *state;
	journey(fx, "a.rehearsal", "Alpha", false);
	journey(fx, "b.rehearsal", "Beta", false);
	journey(fx, "d.rehearsal", "Delta", false);
	journey(fx, "x.rehearsal", "Chi", false);
	new_metrics(fx);
	for (size_t i = 0; i < 4; i++)
		figures(fx, i, 4, 4, 500, 50);
	tw_baseline *b = baseline_of(fx);

	fixture *now = NULL;
	assert_int_equal(fx_setup((void **)&now), 0);
	journey(now, "a.rehearsal", "Alpha", false);         /* by path */
	journey(now, "renamed/b.rehearsal", "Beta", false);  /* by name */
	journey(now, "c.rehearsal", "Gamma", false);         /* new */
	journey(now, "x.rehearsal", "Delta", false);         /* by path, not Delta's name */
	new_metrics(now);
	for (size_t i = 0; i < 4; i++)
		figures(now, i, 4, 4, 500, 50);
	tw_run_score sc;
	tw_comparison cmp;
	compare(now, b, NULL, &sc, &cmp);
	assert_false(cmp.rehearsals[0].is_new);
	assert_false(cmp.rehearsals[0].by_name);
	assert_int_equal(cmp.rehearsals[0].base, 0);
	assert_false(cmp.rehearsals[1].is_new);
	assert_true(cmp.rehearsals[1].by_name);
	assert_int_equal(cmp.rehearsals[1].base, 1);
	assert_true(cmp.rehearsals[2].is_new);
	assert_int_equal(cmp.rehearsals[2].touchpoint_count, 4);
	for (size_t k = 0; k < 4; k++)
		assert_true(cmp.rehearsals[2].touchpoints[k].is_new);
	assert_false(cmp.rehearsals[3].is_new);
	assert_false(cmp.rehearsals[3].by_name);
	assert_int_equal(cmp.rehearsals[3].base, 3);
	assert_int_equal(cmp.gone_count, 1);
	assert_string_equal(cmp.gone[0], "Delta");
	assert_int_equal(sc.verdict, TW_VERDICT_READY);
	tw_comparison_free(&cmp);
	tw_run_score_free(&sc);
	fx_teardown((void **)&now);
	tw_baseline_free(b);
}

/* A touchpoint whose line changed is new, the baseline's is gone; one not
 * timed on either side has no p95 to compare, and a journey never
 * achieved has no time: neither can regress. */
static void test_unmeasured_never_regresses(void **state)
{
	fixture *fx = *state;
	journey(fx, "p.rehearsal", "Order a pizza", false);
	new_metrics(fx);
	figures(fx, 0, 10, 10, 900, 100);
	tw_baseline *b = baseline_of(fx);

	fixture *now = NULL;
	assert_int_equal(fx_setup((void **)&now), 0);
	tw_script *s = journey(now, "p.rehearsal", "Order a pizza", false);
	s->scenes[0].steps[1].source = "  visit {{stage}}/pizza/margherita";
	new_metrics(now);
	figures(now, 0, 10, 0, 0, 100);
	tw_regression_limits all = {0};
	for (int f = 0; f < TW_FIGURE_COUNT; f++)
		all.set[f] = true;
	all.max[TW_FIGURE_OUTCOME] = 1; /* the journey failing is not what is tested */
	all.max[TW_FIGURE_SCORE] = 100;
	tw_run_score sc;
	tw_comparison cmp;
	compare(now, b, &all, &sc, &cmp);
	const tw_rehearsal_change *rc = &cmp.rehearsals[0];
	assert_true(rc->touchpoints[1].is_new);
	assert_int_equal(rc->touchpoints_gone, 1);
	assert_false(rc->figure[TW_FIGURE_TIME].known);
	assert_false(rc->figure[TW_FIGURE_P95].known); /* a rehearsal has none */
	for (size_t i = 0; i < cmp.regression_count; i++)
		fail_msg("regressed: %s", cmp.regressions[i].why);
	char words[64];
	assert_int_equal(tw_change_str(words, sizeof(words), TW_FIGURE_TIME, &rc->figure[TW_FIGURE_TIME]), TW_OK);
	assert_string_equal(words, "not compared");
	tw_comparison_free(&cmp);
	tw_run_score_free(&sc);
	fx_teardown((void **)&now);
	tw_baseline_free(b);
}

/* A backstage-only journey takes no frontstage step in either run: there
 * is no steps figure to compare (it read "steps 0 → 0 (+0)"). One that
 * gains a frontstage step still shows it. */
static void test_no_frontstage_no_steps(void **state)
{
	fixture *fx = *state;
	journey(fx, "p.rehearsal", "Stock API", false);
	new_metrics(fx);
	figures(fx, 0, 10, 10, 900, 100);
	fx->run->metrics[0].frontstage_steps = 0;
	tw_baseline *b = baseline_of(fx);
	tw_run_score sc;
	tw_comparison cmp;
	compare(fx, b, NULL, &sc, &cmp);
	assert_false(cmp.rehearsals[0].figure[TW_FIGURE_STEPS].known);
	assert_true(cmp.rehearsals[0].figure[TW_FIGURE_OUTCOME].known);
	tw_comparison_free(&cmp);
	tw_run_score_free(&sc);

	fx->run->metrics[0].frontstage_steps = 10;
	compare(fx, b, NULL, &sc, &cmp);
	assert_true(cmp.rehearsals[0].figure[TW_FIGURE_STEPS].known);
	assert_near(cmp.rehearsals[0].figure[TW_FIGURE_STEPS].after, 1);
	tw_comparison_free(&cmp);
	tw_run_score_free(&sc);
	tw_baseline_free(b);
}

static void test_change_words(void **state)
{
	(void)state;
	static const struct {
		tw_figure f;
		double before, after;
		const char *want;
	} cases[] = {
		{TW_FIGURE_STEPS, 4, 6, "4 \xE2\x86\x92 6 (+2)"},
		{TW_FIGURE_STEPS, 4, 4, "4 \xE2\x86\x92 4 (+0)"},
		{TW_FIGURE_STEPS, 4.5, 4.25, "4.5 \xE2\x86\x92 4.25 (-0.25)"},
		{TW_FIGURE_SCORE, 98.26, 91, "98.2 \xE2\x86\x92 91 (-7.3)"}, /* shown rounded down */
		{TW_FIGURE_OUTCOME, 1, 0.97, "100% \xE2\x86\x92 97% (-3 points)"},
		{TW_FIGURE_OUTCOME, 0.99, 1, "99% \xE2\x86\x92 100% (+1 point)"},
		{TW_FIGURE_P95, 120, 180, "120 ms \xE2\x86\x92 180 ms (+50%)"},
		{TW_FIGURE_P95, 0.5, 0.75, "0.5 ms \xE2\x86\x92 0.8 ms (+50%)"},
		{TW_FIGURE_TIME, 1500, 1200, "1.5 s \xE2\x86\x92 1.2 s (-20%)"},
		{TW_FIGURE_TIME, 0, 30, "0 ms \xE2\x86\x92 30 ms (+30 ms)"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tw_change c = {true, cases[i].before, cases[i].after, false};
		char words[128];
		assert_int_equal(tw_change_str(words, sizeof(words), cases[i].f, &c), TW_OK);
		if (strcmp(words, cases[i].want) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, words, cases[i].want);
	}
	char tiny[8];
	tw_change c = {true, 120, 180, false};
	assert_int_equal(tw_change_str(tiny, sizeof(tiny), TW_FIGURE_P95, &c), TW_OK);
	assert_true(strlen(tiny) < sizeof(tiny));
	assert_string_equal(tw_figure_key(TW_FIGURE_STEPS), "steps");
}

/* ---- reading ---- */

/* The smallest baseline: what tw_baseline_parse reads and nothing else. */
static const char good[] =
	"{\"techweek\":\"0.1.0\",\"format\":4,\"started_at\":null,\"rehearsals\":[{"
	"\"path\":\"a.rehearsal\",\"name\":\"A\",\"performances\":2,\"achieved\":2,"
	"\"frontstage_steps\":4,\"time_to_outcome\":{\"count\":2,\"p90\":10},"
	"\"readiness\":{\"score\":99},\"scenes\":[{\"touchpoints\":[{\"source\":\"visit /\","
	"\"count\":2,\"passed\":2,\"latency\":{\"count\":2,\"p95\":5},\"apdex\":{\"score\":1}}]}]}]}";

/* good with the first `from` replaced by `to`. */
static char *variant(const char *from, const char *to)
{
	const char *at = strstr(good, from);
	if (!at)
		fail_msg("'%s' is not in the good baseline", from);
	size_t n = strlen(good) - strlen(from) + strlen(to) + 1;
	char *s = malloc(n);
	assert_non_null(s);
	snprintf(s, n, "%.*s%s%s", (int)(at - good), good, to, at + strlen(from));
	return s;
}

static void test_reads_formats_4_and_5(void **state)
{
	(void)state;
	tw_baseline *b = NULL;
	tw_error err = {0};
	assert_int_equal(tw_baseline_parse(&b, "old.json", good, strlen(good), &err), TW_OK);
	assert_int_equal(tw_baseline_count(b), 1);
	tw_baseline_free(b);
	/* Format 5 adds keys: they are not read, so they never stand in the way. */
	char *five = variant("\"format\":4", "\"format\":5,\"new\":{\"x\":[1]}");
	assert_int_equal(tw_baseline_parse(&b, "old.json", five, strlen(five), &err), TW_OK);
	tw_baseline_free(b);
	free(five);
	/* So does format 6 (the plan's facts). */
	char *six = variant("\"format\":4", "\"format\":6,\"minor\":false");
	assert_int_equal(tw_baseline_parse(&b, "old.json", six, strlen(six), &err), TW_OK);
	tw_baseline_free(b);
	free(six);
	/* And format 7 (a step's request chain). */
	char *seven = variant("\"format\":4", "\"format\":7,\"hops\":[]");
	assert_int_equal(tw_baseline_parse(&b, "old.json", seven, strlen(seven), &err), TW_OK);
	tw_baseline_free(b);
	free(seven);
	/* A never-performed rehearsal: no readiness, no path, no scenes. */
	char *bare = variant("\"path\":\"a.rehearsal\"", "\"path\":null");
	char *bare2 = NULL;
	assert_int_equal(tw_baseline_parse(&b, "old.json", bare, strlen(bare), &err), TW_OK);
	tw_baseline_free(b);
	free(bare);
	bare2 = variant("{\"score\":99}", "null");
	assert_int_equal(tw_baseline_parse(&b, "old.json", bare2, strlen(bare2), &err), TW_OK);
	tw_baseline_free(b);
	free(bare2);
}

static char *read_source(const char *path)
{
	char full[512];
	snprintf(full, sizeof(full), "%s/%s", TW_SOURCE_ROOT, path);
	FILE *f = fopen(full, "rb");
	if (!f)
		fail_msg("cannot read %s", full);
	static char text[1 << 16];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	return strdup(text);
}

/* The formats a baseline may have, as the docs and the header say them:
 * from 4 to the one results are written in (which was 5, then 6, while
 * they said "4 or 5"). */
static void test_docs_name_the_formats(void **state)
{
	(void)state;
	static const struct {
		const char *path, *form;
	} docs[] = {
		{"docs/baseline.md", "format 4 to %d"},
		{"include/techweek/readiness.h", "formats 4 to %d"},
	};
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		char *text = read_source(docs[i].path);
		char want[64];
		snprintf(want, sizeof(want), docs[i].form, TW_JSON_FORMAT);
		/* Across a line break too. */
		for (char *p = text; *p; p++)
			if (*p == '\n' || (*p == '*' && p > text && p[-1] == ' '))
				*p = ' ';
		char *w = text;
		for (char *r = text; *r; r++)
			if (!(*r == ' ' && w > text && w[-1] == ' '))
				*w++ = *r;
		*w = '\0';
		if (!strstr(text, want))
			fail_msg("%s does not say \"%s\"", docs[i].path, want);
		free(text);
	}
}

static void test_bad_baselines(void **state)
{
	(void)state;
	static const struct {
		const char *from, *to, *want;
	} cases[] = {
		{"\"format\":4", "\"format\":3",
		 "old.json: JSON result format 3; --baseline reads formats 4 to 9"},
		{"\"format\":4", "\"format\":10", "old.json: JSON result format 10"},
		{"\"format\":4", "\"format\":\"4\"", "old.json: not a techweek JSON result (no format"},
		{"\"techweek\":\"0.1.0\",", "", "old.json: not a techweek JSON result (no format"},
		{"\"format\":4", "\"format\":4,\"format\":4", "old.json: not a JSON result ("},
		{"\"rehearsals\":", "\"rehearsal\":",
		 "old.json: rehearsals: expected an array of rehearsals, got nothing (the key is missing)"},
		{"\"name\":\"A\"", "\"name\":null", "old.json: rehearsals[0].name: expected a string, got null"},
		{"\"performances\":2", "\"performances\":\"2\"",
		 "old.json: rehearsals[0].performances: expected a whole number"},
		{"\"performances\":2", "\"performances\":-2",
		 "old.json: rehearsals[0].performances: expected a whole number from 0"},
		{"\"achieved\":2", "\"achieved\":3",
		 "old.json: rehearsals[0].achieved: is 3, more than performances 2"},
		{"{\"score\":99}", "{\"score\":101}",
		 "old.json: rehearsals[0].readiness.score: expected a number from 0 to 100, got 101"},
		{"\"p90\":10", "\"p90\":null",
		 "old.json: rehearsals[0].time_to_outcome.p90: expected a number"},
		{"\"scenes\":[{", "\"scenes\":[7,{",
		 "old.json: rehearsals[0].scenes[0]: expected an object, got 7"},
		{"\"source\":\"visit /\",", "",
		 "old.json: rehearsals[0].scenes[0].touchpoints[0].source: expected a string, got "
		 "nothing (the key is missing)"},
		{"\"passed\":2,\"latency", "\"passed\":3,\"latency",
		 "old.json: rehearsals[0].scenes[0].touchpoints[0].passed: is 3, more than count 2"},
		{"\"p95\":5", "\"p95\":\"fast\"",
		 "old.json: rehearsals[0].scenes[0].touchpoints[0].latency.p95: expected a number"},
		{"{\"score\":1}", "{\"score\":1.5}",
		 "old.json: rehearsals[0].scenes[0].touchpoints[0].apdex.score: expected a number "
		 "from 0 to 1, got 1.5"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = variant(cases[i].from, cases[i].to);
		tw_baseline *b = (tw_baseline *)1;
		tw_error err = {0};
		int rc = tw_baseline_parse(&b, "old.json", text, strlen(text), &err);
		if (rc != TW_EUSAGE || !err.message || !strstr(err.message, cases[i].want))
			fail_msg("case %zu: rc %d, '%s', want '%s'", i, rc,
				 err.message ? err.message : "(none)", cases[i].want);
		assert_null(b);
		tw_error_clear(&err);
		free(text);
	}
	static const char *const not_results[] = {"", "{", "[]", "null", "{\"format\":4}"};
	for (size_t i = 0; i < sizeof(not_results) / sizeof(not_results[0]); i++) {
		tw_baseline *b = NULL;
		tw_error err = {0};
		int rc = tw_baseline_parse(&b, "old.json", not_results[i], strlen(not_results[i]), &err);
		assert_int_equal(rc, TW_EUSAGE);
		assert_true(strncmp(err.message, "old.json: ", 10) == 0);
		tw_error_clear(&err);
	}
}

static void test_load_names_the_file(void **state)
{
	(void)state;
	tw_baseline *b = NULL;
	tw_error err = {0};
	assert_int_equal(tw_baseline_load(&b, "/nonexistent/before.json", &err), TW_EUSAGE);
	assert_null(b);
	assert_true(strncmp(err.message, "/nonexistent/before.json: cannot read the baseline", 50) == 0);
	tw_error_clear(&err);
	/* A folder is no file either. */
	assert_int_equal(tw_baseline_load(&b, TW_SOURCE_ROOT "/docs", &err), TW_EUSAGE);
	assert_true(strncmp(err.message, TW_SOURCE_ROOT "/docs: ", strlen(TW_SOURCE_ROOT) + 7) == 0);
	tw_error_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_zoneless_started_at, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_against_itself, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_two_pages_more, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_limits_at_the_edge, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_pairing, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_unmeasured_never_regresses, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_no_frontstage_no_steps, fx_setup, fx_teardown),
		cmocka_unit_test(test_change_words),
		cmocka_unit_test(test_reads_formats_4_and_5),
		cmocka_unit_test(test_bad_baselines),
		cmocka_unit_test(test_docs_name_the_formats),
		cmocka_unit_test(test_load_names_the_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
