/*
 * The curtain-up readiness score: docs/readiness.md is its definition, this
 * file its arithmetic. The idea: a product owner asks four questions of
 * each rehearsal, each answered by a number from 0 to 1 computed from
 * what the run measured (metrics/metrics.h):
 *
 *   outcome         did customers get what they came for?
 *   responsiveness  were they kept waiting? (Apdex per timed touchpoint)
 *   consistency     did it behave the same way every time?
 *   effort          did it cost them more time and steps than budgeted?
 *
 * The rehearsal's score is the weighted mean of the four, times 100; one
 * that never achieved its outcome is capped however good the rest is. A
 * launch is as ready as its weakest journey, so the run's score is the
 * lowest of its critical rehearsals' (not a mean, in which healthy
 * journeys would dilute a broken one). Every point a rehearsal lost is
 * attributed to a part, with a sentence saying why, so its losses add up
 * to 100 minus its score; the weakest's are the run's.
 *
 * Consistency is a straight line in the share of irregular performances
 * (failed, or achieved only by sending a request again), so a loss grows
 * with the failure rate from the first failure on, and does not depend on
 * how many lines the script has around the failing step.
 *
 * Everything is computed in a fixed order from integer counts and the
 * histograms' buckets, with no state outside the call: the same figures
 * give the same bits.
 */
#include "readiness/score.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/buf.h"
#include "core/plural.h"
#include "metrics/histogram.h"

/* A loss's sentence: its name cut at WHY_NAME_CHARS characters, a quoted
 * step (60), a menu (TW_MENU_SIZE) and figures; the cap only guards. */
#define WHY_NAME_CHARS 200
#define WHY_MAX 16384
#define GATE_TOLERANCE 1e-9 /* arithmetic noise never fails a gate */
#define RATE_TOLERANCE 1e-9 /* nor a required outcome rate */

void tw_readiness_config_init(tw_readiness_config *c)
{
	memset(c, 0, sizeof(*c));
	c->w_outcome = TW_READINESS_W_OUTCOME;
	c->w_responsiveness = TW_READINESS_W_RESPONSIVENESS;
	c->w_consistency = TW_READINESS_W_CONSISTENCY;
	c->w_effort = TW_READINESS_W_EFFORT;
	c->apdex_page_ms = TW_READINESS_APDEX_PAGE_MS;
	c->apdex_api_ms = TW_READINESS_APDEX_API_MS;
	c->apdex_ivr_ms = TW_READINESS_APDEX_IVR_MS;
	c->cap_never = TW_READINESS_CAP_NEVER;
	c->gate = -1;
	c->require = TW_READINESS_REQUIRE;
	c->irregular_zero = TW_READINESS_IRREGULAR_ZERO;
}

void tw_readiness_config_free(tw_readiness_config *c)
{
	for (size_t i = 0; c->rules && i < c->rule_count; i++) {
		free(c->rules[i].rehearsal);
		free(c->rules[i].tag);
	}
	free(c->rules);
	c->rules = NULL;
	c->rule_count = 0;
	json_decref(c->environments); /* issue 13, SUITE */
	c->environments = NULL;
	free(c->environments_file);
	c->environments_file = NULL;
}

int tw_readiness_config_add_rule(tw_readiness_config *c, const char *rehearsal, const char *tag,
				 double minimum, tw_error *err)
{
	if (!(minimum >= 0 && minimum <= 100))
		return tw_error_set(err, TW_EUSAGE, "a gate's minimum is a score from 0 to 100");
	tw_gate_rule rule = {(char *)rehearsal, (char *)tag, minimum, -1, false};
	return tw_readiness_config_add(c, &rule, err);
}

int tw_readiness_config_add(tw_readiness_config *c, const tw_gate_rule *rule, tw_error *err)
{
	const char *rehearsal = rule->rehearsal, *tag = rule->tag;
	if ((rehearsal == NULL) == (tag == NULL))
		return tw_error_set(err, TW_EUSAGE, "a gate rule names a rehearsal or a tag (one of them)");
	bool has_minimum = rule->minimum >= 0, has_require = rule->require > 0;
	if (isnan(rule->minimum) || (has_minimum && !(rule->minimum <= 100)))
		return tw_error_set(err, TW_EUSAGE, "a gate's minimum is a score from 0 to 100");
	if (isnan(rule->require) || (has_require && !(rule->require <= 1)))
		return tw_error_set(err, TW_EUSAGE, "a required outcome rate is above 0%% and at most 100%%");
	if (!has_minimum && !has_require && !rule->minor)
		return tw_error_set(err, TW_EUSAGE,
				    "a gate rule sets a minimum, a required rate or minor (at least one)");
	/* Exactly rule_count rules, no capacity beside them (not
	 * tw_array_grow): the config is copied by value (project.c) and
	 * holds the few rules a project file sets, once. */
	tw_gate_rule *rules = realloc(c->rules, (c->rule_count + 1) * sizeof(*rules));
	if (!rules)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	c->rules = rules;
	tw_gate_rule *r = &rules[c->rule_count];
	*r = *rule;
	r->minimum = has_minimum ? rule->minimum : -1;
	r->require = has_require ? rule->require : -1;
	r->rehearsal = rehearsal ? strdup(rehearsal) : NULL;
	r->tag = tag ? strdup(tag) : NULL;
	if ((rehearsal && !r->rehearsal) || (tag && !r->tag)) {
		free(r->rehearsal);
		free(r->tag);
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	}
	c->rule_count++;
	return TW_OK;
}

const char *tw_part_str(tw_part p)
{
	switch (p) {
	case TW_PART_OUTCOME: return "outcome";
	case TW_PART_RESPONSIVENESS: return "responsiveness";
	case TW_PART_CONSISTENCY: return "consistency";
	case TW_PART_EFFORT: return "effort";
	case TW_PART_COUNT: break;
	}
	return "?";
}

/* ---- responsiveness ---- */

/* The channel default for a touchpoint's kind; 0 for steps that are not
 * timed: filling a field happens in the customer's browser, an
 * expectation reads a response already timed, a pause is the customer's
 * own. */
static double default_t(const tw_readiness_config *cfg, const tw_touchpoint *tp)
{
	switch (tp->apdex) {
	case TW_STEP_APDEX_PAGE: return cfg->apdex_page_ms;
	case TW_STEP_APDEX_API: return cfg->apdex_api_ms;
	case TW_STEP_APDEX_IVR: return cfg->apdex_ivr_ms;
	case TW_STEP_APDEX_NONE: break;
	}
	return 0;
}

double tw_readiness_apdex_t(const tw_readiness_config *cfg, const tw_touchpoint *tp)
{
	return tw_touchpoint_apdex_t(tp, default_t(cfg, tp));
}

/*
 * How many recorded values are at most x. A bucket holds values
 * low <= v < high, narrowed to the exact [min, max] the histogram keeps;
 * the one bucket x falls inside is split in proportion to where x falls
 * (its values taken as spread evenly across it). Buckets are under 0.8%
 * wide, so the estimate is that close.
 */
static double count_at_most(const tw_histogram *h, double x)
{
	uint64_t n = tw_histogram_count(h);
	if (n == 0)
		return 0;
	double mn = tw_histogram_min(h), mx = tw_histogram_max(h);
	if (x >= mx)
		return (double)n;
	if (x < mn)
		return 0;
	double total = 0, lo, hi;
	uint64_t c;
	size_t i = 0;
	while (tw_histogram_bucket(h, &i, &lo, &hi, &c)) {
		double a = lo > mn ? lo : mn;
		double b = hi < mx ? hi : mx;
		if (b <= x) {
			total += (double)c;
			continue;
		}
		if (a <= x && b > a)
			total += (double)c * (x - a) / (b - a);
		break; /* every later bucket starts above x */
	}
	return total;
}

/* A timed touchpoint's Apdex. Its failed performances are frustrated; its
 * passed ones are taken to be spread over the latency histogram (which
 * holds every performance of it) like all of them. */
static void touchpoint_apdex(const tw_touchpoint_metrics *t, double t_ms, tw_touchpoint_score *out)
{
	out->t_ms = t_ms;
	double count = (double)t->count;
	double passed = (double)t->passed;
	double h = (double)tw_histogram_count(t->latency);
	double fast = 1, ok = 0;
	if (h > 0) {
		double s = count_at_most(t->latency, t_ms);
		double s4 = count_at_most(t->latency, 4 * t_ms);
		fast = s / h;
		ok = (s4 - s) / h;
	}
	out->satisfied = passed * fast;
	out->tolerating = passed * ok;
	out->frustrated = count - out->satisfied - out->tolerating;
	out->failed = t->count - t->passed;
	out->apdex = count > 0 ? (out->satisfied + out->tolerating / 2) / count : 1;
}

/* ---- the parts of one rehearsal ---- */

typedef struct scoring {
	const tw_run *run;
	const tw_readiness_config *cfg;
	double w[TW_PART_COUNT];
	tw_run_score *out;
	size_t loss_cap;
} scoring;

/* 1 within the budget, falling in a straight line to 0 at twice it. */
static double against_budget(double x, double budget)
{
	if (x <= budget)
		return 1;
	double v = 2 - x / budget;
	return v > 0 ? v : 0;
}

static int score_touchpoints(const scoring *sc, const tw_plan *s, const tw_rehearsal_metrics *m,
			     tw_rehearsal_score *rs)
{
	size_t timed = 0;
	for (size_t i = 0; i < m->scene_count && i < s->scene_count; i++)
		for (size_t j = 0; j < m->scenes[i].step_count && j < s->scenes[i].touchpoint_count; j++) {
			const tw_touchpoint_metrics *t = &m->scenes[i].steps[j];
			if (t->count == 0)
				continue;
			if (tw_readiness_apdex_t(sc->cfg, &s->scenes[i].touchpoints[j]) > 0)
				timed++;
		}
	rs->touchpoints = calloc(timed ? timed : 1, sizeof(*rs->touchpoints));
	if (!rs->touchpoints)
		return TW_ENOMEM;
	for (size_t i = 0; i < m->scene_count && i < s->scene_count; i++)
		for (size_t j = 0; j < m->scenes[i].step_count && j < s->scenes[i].touchpoint_count; j++) {
			const tw_touchpoint_metrics *t = &m->scenes[i].steps[j];
			double t_ms = tw_readiness_apdex_t(sc->cfg, &s->scenes[i].touchpoints[j]);
			if (t->count == 0 || t_ms <= 0)
				continue;
			tw_touchpoint_score *ts = &rs->touchpoints[rs->touchpoint_count++];
			ts->scene = i;
			ts->step = j;
			touchpoint_apdex(t, t_ms, ts);
		}
	return TW_OK;
}

static double responsiveness(const tw_rehearsal_score *rs)
{
	if (rs->touchpoint_count == 0)
		return 1; /* nothing timed: nothing kept anyone waiting */
	double sum = 0;
	for (size_t i = 0; i < rs->touchpoint_count; i++)
		sum += rs->touchpoints[i].apdex;
	return sum / (double)rs->touchpoint_count;
}

/* A straight line in the share of irregular performances: 1 at none, 0
 * at irregular_zero (by default 1 in 10) and beyond. It reads whole
 * performances, never touchpoints, so the lines around a failing step
 * change nothing. */
static double consistency(const tw_readiness_config *cfg, const tw_rehearsal_metrics *m,
			  tw_rehearsal_score *rs)
{
	uint64_t retried = m->retried_achieved < m->achieved ? m->retried_achieved : m->achieved;
	rs->irregular = m->performances - m->achieved + retried;
	double share = (double)rs->irregular / (double)m->performances;
	double c = 1 - share / cfg->irregular_zero;
	return c > 0 ? c : 0;
}

static double effort(const tw_plan *s, const tw_rehearsal_metrics *m, tw_rehearsal_score *rs)
{
	double perfs = (double)m->performances;
	uint64_t demand = m->repeats;
	long actions = 0;
	for (size_t i = 0; i < s->scene_count; i++) {
		if (s->scenes[i].backstage)
			continue;
		for (size_t j = 0; j < s->scenes[i].touchpoint_count; j++)
			if (s->scenes[i].touchpoints[j].action)
				actions++;
		for (size_t j = 0; i < m->scene_count && j < m->scenes[i].step_count; j++)
			demand += m->scenes[i].steps[j].retries;
	}
	rs->budget_ms = s->budget_ms > 0 ? (double)s->budget_ms : 0;
	rs->budget_steps = s->budget_steps > 0 ? (double)s->budget_steps : (double)actions;
	rs->budget_steps_implied = !(s->budget_steps > 0) && actions > 0; /* issue 14, F4 */
	rs->achieved = m->achieved;
	rs->steps_mean = (double)m->frontstage_steps / perfs;
	rs->demand_mean = (double)demand / perfs;
	rs->time_p90_ms = m->achieved ? tw_histogram_percentile(m->time_to_outcome, 90) : 0;

	double sum = 0;
	int n = 0;
	if (rs->budget_ms > 0) {
		sum += m->achieved ? against_budget(rs->time_p90_ms, rs->budget_ms) : 0;
		n++;
	}
	if (rs->budget_steps > 0) {
		sum += against_budget(rs->steps_mean + rs->demand_mean, rs->budget_steps);
		n++;
	}
	return n ? sum / n : 1;
}

/* ---- the losses, in words ---- */

/* "800 ms", "1.5 s", "99 s" */
static void put_ms(tw_buf *b, double ms)
{
	if (ms < 1000) {
		tw_buf_printf(b, "%.0f ms", ms);
		return;
	}
	tw_buf_put_decimal(b, ms / 1000, 1, false);
	tw_buf_puts(b, " s");
}

/* A count with up to two decimals, as few as it needs: "5", "5.1", "4.25"
 * (one decimal would show 4.25 as "4.2" and 0.25 as "0.2"). */
static void put_num(tw_buf *b, double v)
{
	tw_buf_put_decimal(b, v, 2, false);
}

/* The URL the shown performance sent at touchpoint st, or NULL: its
 * first hop's, the one the script wrote, not where redirects led. */
static const char *sent_url(const tw_rehearsal_result *r, const tw_touchpoint *st)
{
	if (!r || st->scene >= r->scene_count)
		return NULL;
	const tw_scene_result *sc = &r->scenes[st->scene];
	if (st->index >= tw_scene_result_steps(sc))
		return NULL;
	const tw_step_result *step = &sc->steps[st->index];
	const char *url = step->url;
	if (tw_step_result_hop_count(step) > 0) {
		tw_hop hop = TW_HOP_INIT;
		tw_step_result_hop(&hop, step, 0);
		url = hop.url;
	}
	return url && *url ? url : NULL;
}

/* line 15 'submit "Place order"'. A URL written with a template
 * ('get {{svc}}/fault/status/503') is shown as the performance sent it
 * ('get http://127.0.0.1:8080/fault/status/503'): "{{svc}}" tells a
 * reader nothing. */
static void put_step(tw_buf *b, const tw_touchpoint *st, const tw_rehearsal_result *r)
{
	const char *src = st->source ? st->source : "";
	const char *at = tw_touchpoint_elsewhere(r->plan, st); /* issue 13, USE */
	if (at)
		tw_buf_printf(b, "%s:%d ", at, st->line);
	else
		tw_buf_printf(b, "line %d ", st->line);
	size_t kw = strcspn(src, " \t");
	const char *arg = src + kw + strspn(src + kw, " \t");
	size_t arg_len = strcspn(arg, " \t");
	const char *url = sent_url(r, st);
	const char *tpl = url ? strstr(arg, "{{") : NULL;
	if (!tpl || tpl >= arg + arg_len) {
		tw_buf_put_quoted(b, src, 60);
		return;
	}
	tw_buf shown;
	tw_buf_init(&shown, WHY_MAX);
	tw_buf_append(&shown, src, kw);
	tw_buf_puts(&shown, " ");
	tw_buf_puts(&shown, url);
	tw_buf_puts(&shown, arg + arg_len);
	if (tw_buf_failed(&shown))
		tw_buf_put_quoted(b, src, 60);
	else
		tw_buf_put_quoted(b, tw_buf_str(&shown), 60 + strlen(url));
	tw_buf_free(&shown);
}

/* The touchpoint that went wrong most often: the most failures (with
 * retries: and requests sent again); NULL when none did. */
static const tw_touchpoint_metrics *worst_touchpoint(const tw_plan *s,
						     const tw_rehearsal_metrics *m, bool retries,
						     const tw_touchpoint **step)
{
	const tw_touchpoint_metrics *worst = NULL;
	uint64_t most = 0;
	for (size_t i = 0; i < m->scene_count && i < s->scene_count; i++)
		for (size_t j = 0; j < m->scenes[i].step_count && j < s->scenes[i].touchpoint_count; j++) {
			const tw_touchpoint_metrics *t = &m->scenes[i].steps[j];
			uint64_t n = t->failed + (retries ? t->retries : 0);
			if (n > most) {
				most = n;
				worst = t;
				*step = &s->scenes[i].touchpoints[j];
			}
		}
	return worst;
}

/* "; most at line 15 'submit "Place order"' (failed 15 of 300, 2 sent
 * again)" */
static void put_worst(tw_buf *b, const tw_rehearsal_result *r, const tw_plan *s,
		      const tw_rehearsal_metrics *m, bool retries)
{
	const tw_touchpoint *st = NULL;
	const tw_touchpoint_metrics *t = s ? worst_touchpoint(s, m, retries, &st) : NULL;
	if (!t)
		return;
	tw_buf_puts(b, "; most at ");
	put_step(b, st, r);
	if (t->failed)
		tw_buf_printf(b, " (failed %llu of %llu", (unsigned long long)t->failed,
			      (unsigned long long)t->count);
	else
		tw_buf_puts(b, " (");
	if (retries && t->retries)
		tw_buf_printf(b, "%s%llu sent again", t->failed ? ", " : "",
			      (unsigned long long)t->retries);
	tw_buf_puts(b, ")");
}

static void why_outcome(tw_buf *b, const tw_rehearsal_result *r, const tw_plan *s,
			const tw_rehearsal_metrics *m, const tw_rehearsal_score *rs, double cap)
{
	if (!rs->scored) {
		tw_buf_puts(b, "the script could not run, so it cannot achieve its outcome: "
			       "it scores 0");
		return;
	}
	if (rs->capped) {
		if (m->performances == 1)
			tw_buf_puts(b, "its one performance did not achieve the outcome: it scores "
				       "at most ");
		else
			tw_buf_printf(b, "none of its %llu performances achieved the outcome: it "
					 "scores at most ",
				      (unsigned long long)m->performances);
		put_num(b, cap);
	} else {
		tw_buf_printf(b, "%llu of %llu performances did not achieve the outcome",
			      (unsigned long long)(m->performances - m->achieved),
			      (unsigned long long)m->performances);
	}
	if (m->unreachable)
		tw_buf_printf(b, " (%llu could not reach the service)",
			      (unsigned long long)m->unreachable);
	put_worst(b, r, s, m, false);
}

/* A share of customers in words: "every customer", "half of the
 * customers", "38% of customers" ("38%" after a first share: bare); the
 * percentage rounded down, and never "0%" for a share that is not none. */
static void put_share(tw_buf *b, double share, bool bare)
{
	char num[TW_FLOOR_SHOWN_SIZE];
	if (share >= 1 - 1e-9)
		tw_buf_puts(b, bare ? "all" : "every customer");
	else if (fabs(share - 0.5) < 1e-9)
		tw_buf_puts(b, bare ? "half" : "half of the customers");
	else
		tw_buf_printf(b, "%s%%%s", share < 0.01 ? "under 1" :
				 tw_floor_shown(num, sizeof(num), 100 * share, 0),
			      bare ? "" : " of customers");
}

/* Customers of a touchpoint who waited longer than T (the tolerating,
 * and the frustrated that were answered after 4T) and over 4T: its
 * failures are frustrated too, but they are no wait. A share below 1e-9
 * of the count is an estimate's rounding, none. */
static double waited(const tw_touchpoint_score *t, double count)
{
	double w = t->tolerating + t->frustrated - (double)t->failed;
	return w > 1e-9 * count ? w : 0;
}

static double waited_over_4t(const tw_touchpoint_score *t, double count)
{
	double w = t->frustrated - (double)t->failed;
	return w > 1e-9 * count ? w : 0;
}

/* "...; worst: line 15 'submit "Place order"': 2 of 50 failed, 19% waited
 * longer than the target of 1 s, 3% over 4 s (Apdex 0.84)": what the
 * Apdex means, in the customers' terms, failures named as failures and
 * never as waits, the Apdex last for who knows it. */
static void why_responsiveness(tw_buf *b, const tw_rehearsal_result *r, const tw_plan *s,
			       const tw_rehearsal_score *rs)
{
	size_t slow = 0, worst = 0;
	bool any_waited = false, any_failed = false;
	for (size_t i = 0; i < rs->touchpoint_count; i++) {
		const tw_touchpoint_score *t = &rs->touchpoints[i];
		if (t->apdex < 1) {
			slow++;
			double count = t->satisfied + t->tolerating + t->frustrated;
			any_waited = any_waited || waited(t, count) > 0;
			any_failed = any_failed || t->failed > 0;
		}
		if (t->apdex < rs->touchpoints[worst].apdex)
			worst = i;
	}
	const tw_touchpoint_score *w = &rs->touchpoints[worst];
	tw_buf_printf(b, "%zu of %zu timed %s %s; worst: ", slow, rs->touchpoint_count,
		      tw_plural(rs->touchpoint_count, "touchpoint", "touchpoints"),
		      !any_failed   ? "kept customers waiting"
		      : any_waited ? "kept customers waiting or failed"
				   : "failed");
	put_step(b, &s->scenes[w->scene].touchpoints[w->step], r);
	double count = w->satisfied + w->tolerating + w->frustrated;
	double late = waited(w, count), very_late = waited_over_4t(w, count);
	if (w->failed || late > 0)
		tw_buf_puts(b, ": ");
	if (w->failed)
		tw_buf_printf(b, "%llu of %llu failed%s", (unsigned long long)w->failed,
			      (unsigned long long)llround(count), late > 0 ? ", " : "");
	if (late > 0 && w->tolerating > 1e-9 * count) {
		put_share(b, late / count, w->failed > 0);
		tw_buf_puts(b, " waited longer than the target of ");
		put_ms(b, w->t_ms);
		if (very_late > 0) {
			tw_buf_puts(b, ", ");
			put_share(b, very_late / count, true);
			tw_buf_puts(b, " over ");
			put_ms(b, 4 * w->t_ms);
		}
	} else if (late > 0) { /* none merely tolerated: all waited over 4T */
		put_share(b, late / count, w->failed > 0);
		tw_buf_puts(b, " waited over ");
		put_ms(b, 4 * w->t_ms);
		tw_buf_puts(b, " (4 times the target of ");
		put_ms(b, w->t_ms);
		tw_buf_puts(b, ")");
	}
	char num[TW_FLOOR_SHOWN_SIZE];
	tw_buf_printf(b, " (Apdex %s)", tw_floor_shown(num, sizeof(num), w->apdex, 2));
}

/* "15 of 300 performances went irregularly (12 did not achieve the
 * outcome, 3 achieved it only by sending a request again); most at ..." */
static void why_consistency(tw_buf *b, const tw_rehearsal_result *r, const tw_plan *s,
			    const tw_rehearsal_metrics *m, const tw_rehearsal_score *rs)
{
	uint64_t failed = m->performances - m->achieved;
	uint64_t retried = rs->irregular - failed;
	tw_buf_printf(b, "%llu of %llu %s went irregularly (", (unsigned long long)rs->irregular,
		      (unsigned long long)m->performances,
		      tw_plural(m->performances, "performance", "performances"));
	if (failed)
		tw_buf_printf(b, "%llu did not achieve the outcome", (unsigned long long)failed);
	if (retried)
		tw_buf_printf(b, "%s%llu achieved it only by sending a request again",
			      failed ? ", " : "", (unsigned long long)retried);
	tw_buf_puts(b, ")");
	put_worst(b, r, s, m, true);
}

static void why_effort(tw_buf *b, const tw_rehearsal_metrics *m, const tw_rehearsal_score *rs)
{
	tw_buf_puts(b, "customer effort over budget: ");
	bool any = false;
	if (rs->budget_ms > 0 && (!m->achieved || rs->time_p90_ms > rs->budget_ms)) {
		if (!m->achieved) {
			tw_buf_puts(b, "no customer reached the outcome, against a budget of ");
		} else {
			/* issue 14, F4: fewer than 10 customers, no "9 in 10" */
			if (m->achieved == 1)
				tw_buf_puts(b, "the customer took ");
			else if (m->achieved < 10)
				tw_buf_printf(b, "%llu customers: the slowest took ",
					      (unsigned long long)m->achieved);
			else
				tw_buf_puts(b, "9 in 10 customers took up to ");
			put_ms(b, rs->time_p90_ms);
			tw_buf_puts(b, " on their clock to reach the outcome, against a budget of ");
		}
		put_ms(b, rs->budget_ms);
		any = true;
	}
	if (rs->budget_steps > 0 && rs->steps_mean + rs->demand_mean > rs->budget_steps) {
		if (any)
			tw_buf_puts(b, "; ");
		put_num(b, rs->steps_mean + rs->demand_mean);
		tw_buf_puts(b, " steps per performance against a budget of ");
		put_num(b, rs->budget_steps);
		if (rs->budget_steps_implied) /* issue 14, F4 */
			tw_buf_puts(b, " (the frontstage actions)");
		if (rs->demand_mean > 0) {
			tw_buf_puts(b, ", ");
			put_num(b, rs->demand_mean);
			tw_buf_puts(b, " of them failure demand (re-prompt turns, retries)");
			const tw_menu_turns *menu = tw_rehearsal_reprompted_menu(m);
			if (menu)
				tw_buf_printf(b, "; re-prompted most: \"%s\"", menu->text);
		}
	}
}

static int add_loss(scoring *sc, size_t index, tw_part part, double points)
{
	if (!(points > 1e-9))
		return TW_OK;
	tw_run_score *out = sc->out;
	if (tw_array_grow(&out->losses, &sc->loss_cap, out->loss_count + 1, sizeof(*out->losses)))
		return TW_ENOMEM;
	const tw_rehearsal_result *r = &sc->run->rehearsals[index];
	const tw_rehearsal_metrics *m = sc->run->metrics ? &sc->run->metrics[index] : NULL;
	const tw_rehearsal_score *rs = &out->rehearsals[index];
	tw_buf b;
	tw_buf_init(&b, WHY_MAX);
	tw_run_put_rehearsal_name(&b, sc->run, index, WHY_NAME_CHARS);
	tw_buf_puts(&b, ": ");
	size_t cause = b.len;
	switch (part) {
	case TW_PART_OUTCOME:
		why_outcome(&b, r, r->plan, m, rs, sc->cfg->cap_never);
		break;
	case TW_PART_RESPONSIVENESS:
		why_responsiveness(&b, r, r->plan, rs);
		break;
	case TW_PART_CONSISTENCY:
		why_consistency(&b, r, r->plan, m, rs);
		break;
	case TW_PART_EFFORT:
	case TW_PART_COUNT:
		why_effort(&b, m, rs);
		break;
	}
	int rc = tw_buf_failed(&b);
	char *why = tw_buf_steal(&b);
	if (!why)
		return rc ? rc : TW_ENOMEM;
	out->losses[out->loss_count++] =
		(tw_loss){index, part, points, why, why + cause, index == out->weakest};
	return TW_OK;
}

/* The run's own losses first, then the biggest; equal ones in the run's
 * order: rehearsal, then part. */
static int by_points(const void *pa, const void *pb)
{
	const tw_loss *a = pa, *b = pb;
	if (a->in_run != b->in_run)
		return a->in_run ? -1 : 1;
	if (a->points != b->points)
		return a->points > b->points ? -1 : 1;
	if (a->rehearsal != b->rehearsal)
		return a->rehearsal < b->rehearsal ? -1 : 1;
	return (a->part > b->part) - (a->part < b->part);
}

/* ---- the run ---- */

static bool has_tag(const tw_plan *s, const char *tag)
{
	for (size_t i = 0; s && i < s->tag_count; i++)
		if (s->tags[i] && strcmp(s->tags[i], tag) == 0)
			return true;
	return false;
}

bool tw_readiness_rule_applies(const tw_gate_rule *rule, const tw_rehearsal_result *r)
{
	return (rule->rehearsal && r->name && strcmp(rule->rehearsal, r->name) == 0) ||
	       (rule->tag && has_tag(r->plan, rule->tag));
}

/* What the project and the script ask of a rehearsal: its minimum score
 * (the highest rule's), its required outcome rate (the highest of the
 * script's and the rules'; the project's default when none sets one),
 * and whether it is minor (the script or a rule says so). */
static void bar_for(const tw_readiness_config *cfg, const tw_rehearsal_result *r,
		    tw_rehearsal_score *rs)
{
	double min = -1, req = r->plan && r->plan->require > 0 ? r->plan->require : -1;
	bool minor = r->plan && r->plan->minor;
	for (size_t i = 0; i < cfg->rule_count; i++) {
		const tw_gate_rule *rule = &cfg->rules[i];
		if (!tw_readiness_rule_applies(rule, r))
			continue;
		if (rule->minimum > min)
			min = rule->minimum;
		if (rule->require > req)
			req = rule->require;
		minor |= rule->minor;
	}
	rs->minimum = min;
	rs->required = req > 0 ? req : cfg->require;
	rs->minor = minor;
}

static int score_rehearsal(scoring *sc, size_t index)
{
	const tw_rehearsal_result *r = &sc->run->rehearsals[index];
	const tw_rehearsal_metrics *m = sc->run->metrics ? &sc->run->metrics[index] : NULL;
	tw_rehearsal_score *rs = &sc->out->rehearsals[index];
	bar_for(sc->cfg, r, rs);
	bool performed = r->plan && m && m->performances > 0;
	if (!performed) {
		/* Broken: it cannot achieve its outcome; counted as 0. Never
		 * performed (the run stopped first): left out. */
		if (!r->plan || r->status == TW_STATUS_BROKEN || (m && m->broken > 0)) {
			rs->counted = true;
			rs->capped = true;
		}
		return TW_OK;
	}
	rs->scored = rs->counted = true;
	rs->met = tw_readiness_journey_met(r, m, rs->required);
	int rc = score_touchpoints(sc, r->plan, m, rs);
	if (rc != TW_OK)
		return rc;
	rs->part[TW_PART_OUTCOME] = (double)m->achieved / (double)m->performances;
	rs->part[TW_PART_RESPONSIVENESS] = responsiveness(rs);
	rs->part[TW_PART_CONSISTENCY] = consistency(sc->cfg, m, rs);
	rs->part[TW_PART_EFFORT] = effort(r->plan, m, rs);
	double raw = 0;
	for (int p = 0; p < TW_PART_COUNT; p++)
		raw += sc->w[p] * rs->part[p];
	rs->score = 100 * raw;
	rs->capped = m->achieved == 0;
	if (rs->capped && rs->score > sc->cfg->cap_never)
		rs->score = sc->cfg->cap_never;
	return TW_OK;
}

/* ---- the verdict ---- */

bool tw_readiness_journey_met(const tw_rehearsal_result *r, const tw_rehearsal_metrics *m,
			      double required)
{
	if (m)
		return m->performances > 0 &&
		       (double)m->achieved / (double)m->performances + RATE_TOLERANCE >= required;
	return r->status == TW_STATUS_PASSED;
}

/* Whether rehearsal i is minor: the score's mark (script or project
 * rule), else the script's. */
static bool is_minor(const tw_run *run, const tw_run_score *score, size_t i)
{
	if (score && score->rehearsals && i < score->count)
		return score->rehearsals[i].minor;
	return run->rehearsals[i].plan && run->rehearsals[i].plan->minor;
}

bool tw_readiness_minor_exempt(const tw_run *run, const tw_run_score *score)
{
	for (size_t i = 0; i < run->count; i++) {
		const tw_rehearsal_result *r = &run->rehearsals[i];
		const tw_rehearsal_metrics *m = run->metrics ? &run->metrics[i] : NULL;
		if (r->interrupted || is_minor(run, score, i))
			continue;
		if (m ? m->performances > 0
		      : r->status == TW_STATUS_PASSED || r->status == TW_STATUS_FAILED)
			return true;
	}
	return false;
}

bool tw_readiness_met_despite_failures(const tw_run *run, const tw_run_score *score, size_t i)
{
	if (!score || !score->rehearsals || i >= score->count || i >= run->count || !run->metrics)
		return false;
	const tw_rehearsal_result *r = &run->rehearsals[i];
	return score->rehearsals[i].met && !r->interrupted && r->status == TW_STATUS_FAILED;
}

tw_verdict tw_readiness_verdict(const tw_run *run, const tw_run_score *score)
{
	/* Nothing rehearsed, nothing shown ready: a run never executed, or
	 * one holding no rehearsal, was not carried out. A shard whose share
	 * was empty holds none (runner.c's keep_shard: one performance over
	 * two shards, or every script broken and reported by shard 1); the
	 * merge gives the verdict. */
	if (!run || !tw_run_performed(run) || run->count == 0)
		return TW_VERDICT_UNREACHABLE;
	if (run->stop_reason == TW_STOP_INTERRUPTED)
		return TW_VERDICT_INTERRUPTED;
	tw_verdict v = TW_VERDICT_READY;
	bool minor_exempt = tw_readiness_minor_exempt(run, score);
	bool any = false; /* a rehearsal performed, not cut short */
	for (size_t i = 0; i < run->count; i++) {
		const tw_rehearsal_result *r = &run->rehearsals[i];
		const tw_rehearsal_metrics *m = run->metrics ? &run->metrics[i] : NULL;
		if (r->interrupted)
			continue; /* not performed: it neither passed nor failed */
		any = true;
		if (r->status == TW_STATUS_BROKEN)
			return TW_VERDICT_BROKEN;
		const tw_rehearsal_score *rs =
			score && score->rehearsals && i < score->count ? &score->rehearsals[i] : NULL;
		const tw_plan *s = r->plan;
		bool minor = minor_exempt && is_minor(run, score, i);
		double required = rs ? rs->required
				     : s && s->require > 0 ? s->require : TW_READINESS_REQUIRE;
		/* techweek's limit: not the service's fault, so judged on the
		 * performances it could rehearse (if any), and never READY. */
		bool limited = m ? m->limited > 0 : r->status == TW_STATUS_LIMITED;
		bool judged = m ? m->performances > 0 || !limited : !limited;
		if (r->status == TW_STATUS_UNREACHABLE)
			v = TW_VERDICT_UNREACHABLE;
		else if ((v == TW_VERDICT_READY || v == TW_VERDICT_LIMITED) && judged && !minor &&
			 !tw_readiness_journey_met(r, m, required))
			v = TW_VERDICT_NOT_READY;
		else if (v == TW_VERDICT_READY && limited)
			v = TW_VERDICT_LIMITED;
	}
	/* Every rehearsal cut short (an open model whose duration ended with
	 * all of it under way): nothing was shown ready. */
	if (!any)
		return TW_VERDICT_INTERRUPTED;
	/* Cut short by an error of its own (out of memory), the run could not
	 * be carried out: what little it did, passed or failed, is no
	 * verdict on the service. */
	if (run->incomplete)
		v = TW_VERDICT_UNREACHABLE;
	if (score && (!score->gate_held || score->regressed) &&
	    (v == TW_VERDICT_READY || v == TW_VERDICT_LIMITED))
		v = TW_VERDICT_NOT_READY;
	return v;
}

tw_verdict tw_run_verdict(const tw_run *run)
{
	return tw_readiness_verdict(run, NULL);
}

const char *tw_floor_shown(char *out, size_t size, double value, int decimals)
{
	if (!out || size == 0)
		return NULL;
	if (decimals < 0)
		decimals = 0;
	if (decimals > 6)
		decimals = 6;
	if (!isfinite(value))
		value = 0;
	/* Counted in units of the last decimal, exact while below 9e15 (what
	 * a long long and a double both hold): a larger value drops decimals
	 * until it fits, and past that is shown whole, in full. */
	long long scale = 1;
	for (int i = 0; i < decimals; i++)
		scale *= 10;
	double units = floor((value + GATE_TOLERANCE) * (double)scale);
	while (!(fabs(units) < 9e15) && decimals > 0) {
		decimals--;
		scale /= 10;
		units = floor((value + GATE_TOLERANCE) * (double)scale);
	}
	if (!(fabs(units) < 9e15)) {
		snprintf(out, size, "%.0f", floor(value));
		return out;
	}
	long long u = (long long)units;
	const char *sign = u < 0 ? "-" : "";
	unsigned long long a = u < 0 ? (unsigned long long)-u : (unsigned long long)u;
	unsigned long long whole = a / (unsigned long long)scale, frac = a % (unsigned long long)scale;
	int digits = decimals;
	while (digits > 0 && frac % 10 == 0 && frac) {
		frac /= 10;
		digits--;
	}
	if (frac)
		snprintf(out, size, "%s%llu.%0*llu", sign, whole, digits, frac);
	else
		snprintf(out, size, "%s%llu", a ? sign : "", whole);
	return out;
}

const char *tw_score_shown(char *out, size_t size, double score)
{
	if (!isfinite(score) || score < 0)
		score = 0;
	if (score > 100)
		score = 100;
	return tw_floor_shown(out, size, score, 1);
}

/* The decimals a percentage needs to be written exactly, 0 to 3. */
static int percent_decimals(double percent)
{
	int d = 0;
	for (double scaled = percent; d < 3 && fabs(scaled - round(scaled)) > 1e-6; d++)
		scaled *= 10;
	return d;
}

const char *tw_rate_shown(char *out, size_t size, double rate, double required)
{
	if (!out || size == 0)
		return NULL;
	int d = percent_decimals(100 * required);
	char num[TW_FLOOR_SHOWN_SIZE];
	/* The verdict's own tolerance: a rate it counts as met reads met. */
	tw_floor_shown(num, sizeof(num), 100 * (rate + RATE_TOLERANCE), d < 1 ? 1 : d);
	snprintf(out, size, "%s%%", num);
	return out;
}

const char *tw_required_shown(char *out, size_t size, double required)
{
	if (!out || size == 0)
		return NULL;
	char num[64];
	snprintf(num, sizeof(num), "%.*f", percent_decimals(100 * required), 100 * required);
	snprintf(out, size, "%s%%", num);
	return out;
}

/* ---- the verdict's reasons ---- */

void tw_reasons_clear(struct tw_reasons *list)
{
	for (size_t i = 0; list->items && i < list->count; i++)
		free(list->items[i].why);
	free(list->items);
	list->items = NULL;
	list->count = 0;
}

int tw_reasons_failed(tw_error *err, int rc, const char *who)
{
	if (rc == TW_ELIMIT)
		return tw_error_set(err, rc, "%s: a reason for the verdict is longer than the %d KiB "
				    "techweek keeps", who, WHY_MAX / 1024);
	return tw_error_set(err, rc, "%s: out of memory wording the verdict's reasons", who);
}

typedef struct reasons_ctx {
	struct tw_reasons *out;
	size_t cap;
	const tw_run *run;
	int rc;
} reasons_ctx;

/* Appends a reason about rehearsal (SIZE_MAX: the run): its name and
 * ": " first when it is about one, then the printf'd cause. */
static void reason(reasons_ctx *c, size_t rehearsal, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void reason(reasons_ctx *c, size_t rehearsal, const char *fmt, ...)
{
	if (c->rc)
		return;
	tw_buf b;
	tw_buf_init(&b, WHY_MAX);
	size_t cause = 0;
	if (rehearsal < c->run->count) {
		tw_run_put_rehearsal_name(&b, c->run, rehearsal, WHY_NAME_CHARS);
		tw_buf_puts(&b, ": ");
		cause = b.len;
	}
	va_list ap;
	va_start(ap, fmt);
	tw_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	int rc = tw_buf_failed(&b);
	char *why = rc ? NULL : tw_buf_steal(&b);
	tw_buf_free(&b);
	if (!why || tw_array_grow(&c->out->items, &c->cap, c->out->count + 1,
				  sizeof(*c->out->items))) {
		free(why);
		c->rc = rc && rc != TW_ENOMEM ? rc : TW_ENOMEM;
		return;
	}
	c->out->items[c->out->count++] = (tw_reason){rehearsal, why, why + cause};
}

int tw_readiness_reasons(struct tw_reasons *out, const tw_run *run, const tw_run_score *sc,
			 tw_verdict v)
{
	memset(out, 0, sizeof(*out));
	reasons_ctx c = {.out = out, .run = run};
	char num[TW_RATE_SHOWN_SIZE], req[TW_RATE_SHOWN_SIZE];
	if (v == TW_VERDICT_READY)
		return TW_OK;
	if (v == TW_VERDICT_INTERRUPTED)
		reason(&c, SIZE_MAX, "the run was stopped before it performed everything it planned");
	bool exempt = tw_readiness_minor_exempt(run, sc);
	for (size_t i = 0; i < run->count; i++) {
		const tw_rehearsal_result *r = &run->rehearsals[i];
		const tw_rehearsal_metrics *m = run->metrics ? &run->metrics[i] : NULL;
		const tw_rehearsal_score *rs = sc && sc->rehearsals && i < sc->count
						       ? &sc->rehearsals[i] : NULL;
		bool limited = m ? m->limited > 0 : r->status == TW_STATUS_LIMITED;
		if (r->interrupted)
			continue;
		if (r->status == TW_STATUS_BROKEN)
			reason(&c, i, "the script could not run");
		else if (r->status == TW_STATUS_UNREACHABLE)
			reason(&c, i, "could not be carried out: the service could not be reached");
		else if (m && m->performances == 0 && !limited)
			reason(&c, i, "never performed");
		else if (rs && rs->minor && exempt)
			continue; /* it does not decide; its own figures say it */
		else if (rs && m && m->performances > 0 && !rs->met)
			reason(&c, i, "achieved %llu of %llu %s (%s), short of its required %s",
			       (unsigned long long)m->achieved, (unsigned long long)m->performances,
			       tw_plural(m->performances, "performance", "performances"),
			       tw_rate_shown(num, sizeof(num),
					     (double)m->achieved / (double)m->performances,
					     rs->required),
			       tw_required_shown(req, sizeof(req), rs->required));
		else if (!rs && r->status == TW_STATUS_FAILED)
			reason(&c, i, "failed");
	}
	if (run->incomplete)
		reason(&c, SIZE_MAX, "the run stopped on an error of its own");
	if (sc && sc->below_gate)
		reason(&c, SIZE_MAX, "below the gate of %g: the run scores %s", sc->gate,
		       tw_score_shown(num, sizeof(num), sc->score));
	for (size_t i = 0; sc && sc->rehearsals && i < sc->count && i < run->count; i++)
		if (sc->rehearsals[i].below_minimum)
			reason(&c, i, "scored %s, below its minimum of %g",
			       tw_score_shown(num, sizeof(num), sc->rehearsals[i].score),
			       sc->rehearsals[i].minimum);
	for (size_t i = 0; sc && sc->baseline && i < sc->baseline->regression_count; i++) {
		const tw_regression *g = &sc->baseline->regressions[i];
		if (g->rehearsal < run->count)
			reason(&c, g->rehearsal, "regressed against the baseline: %s",
			       g->what ? g->what : g->why);
		else
			reason(&c, SIZE_MAX, "regressed against the baseline: %s", g->why);
	}
	for (size_t i = 0; i < run->count; i++) {
		const tw_rehearsal_metrics *m = run->metrics ? &run->metrics[i] : NULL;
		const tw_rehearsal_result *r = &run->rehearsals[i];
		if (m && m->limited)
			reason(&c, i, "%llu %s ended at techweek's limit, not rehearsed",
			       (unsigned long long)m->limited,
			       tw_plural(m->limited, "performance", "performances"));
		else if (!m && r->status == TW_STATUS_LIMITED)
			reason(&c, i, "ended at techweek's limit, not rehearsed");
	}
	return c.rc;
}

void tw_run_score_free(tw_run_score *s)
{
	if (!s)
		return;
	for (size_t i = 0; s->rehearsals && i < s->count; i++)
		free(s->rehearsals[i].touchpoints);
	free(s->rehearsals);
	for (size_t i = 0; s->losses && i < s->loss_count; i++)
		free(s->losses[i].why);
	free(s->losses);
	memset(s, 0, sizeof(*s));
}

/* Every rehearsal's losses, in its own points: a part's shortfall costs
 * 100 x weight x (1 - part), and what the cap took is its outcome's, so
 * they add up to 100 minus its score. */
static int losses(scoring *sc)
{
	tw_run_score *out = sc->out;
	for (size_t i = 0; i < out->count; i++) {
		const tw_rehearsal_score *rs = &out->rehearsals[i];
		if (!rs->counted)
			continue;
		if (!rs->scored) { /* broken: every point it lost is its outcome's */
			int rc = add_loss(sc, i, TW_PART_OUTCOME, 100 - rs->score);
			if (rc != TW_OK)
				return rc;
			continue;
		}
		double raw = 0;
		for (int p = 0; p < TW_PART_COUNT; p++) {
			raw += 100 * sc->w[p] * rs->part[p];
			if (p == TW_PART_OUTCOME)
				continue;
			int rc = add_loss(sc, i, (tw_part)p, 100 * sc->w[p] * (1 - rs->part[p]));
			if (rc != TW_OK)
				return rc;
		}
		double lost = 100 * sc->w[TW_PART_OUTCOME] * (1 - rs->part[TW_PART_OUTCOME]);
		if (rs->capped)
			lost += raw - rs->score;
		int rc = add_loss(sc, i, TW_PART_OUTCOME, lost);
		if (rc != TW_OK)
			return rc;
	}
	if (out->loss_count > 1)
		qsort(out->losses, out->loss_count, sizeof(*out->losses), by_points);
	return TW_OK;
}

/* The rehearsal whose score is the run's: the lowest among the critical
 * ones counted, else (all minor) among all; the first of equals; count
 * when none is counted. */
static size_t weakest(const tw_run_score *out)
{
	size_t w = out->count;
	for (int pass = 0; pass < 2 && w == out->count; pass++)
		for (size_t i = 0; i < out->count; i++) {
			const tw_rehearsal_score *rs = &out->rehearsals[i];
			if (!rs->counted || (pass == 0 && rs->minor))
				continue;
			if (w == out->count || rs->score < out->rehearsals[w].score)
				w = i;
		}
	return w;
}

int tw_readiness_score(const tw_run *run, const tw_readiness_config *cfg, tw_run_score *out,
		       tw_error *err)
{
	memset(out, 0, sizeof(*out));
	out->run = run;
	double w[TW_PART_COUNT] = {cfg->w_outcome, cfg->w_responsiveness, cfg->w_consistency,
				   cfg->w_effort};
	double wsum = 0;
	for (int p = 0; p < TW_PART_COUNT; p++) {
		if (!(w[p] >= 0) || !isfinite(w[p]))
			return tw_error_set(err, TW_EUSAGE, "the weight of %s must be a number >= 0",
					    tw_part_str((tw_part)p));
		wsum += w[p];
	}
	if (!(wsum > 0))
		return tw_error_set(err, TW_EUSAGE, "the weights of the readiness score are all 0");
	if (!(cfg->irregular_zero > 0 && cfg->irregular_zero <= 1))
		return tw_error_set(err, TW_EUSAGE, "irregular_zero must be above 0%% and at most 100%%");
	if (!(cfg->require > 0 && cfg->require <= 1))
		return tw_error_set(err, TW_EUSAGE,
				    "the required outcome rate must be above 0%% and at most 100%%");
	scoring sc = {.run = run, .cfg = cfg, .out = out};
	for (int p = 0; p < TW_PART_COUNT; p++)
		sc.w[p] = out->weight[p] = w[p] / wsum;
	out->gate = cfg->gate;
	out->count = run->count;
	out->rehearsals = calloc(run->count ? run->count : 1, sizeof(*out->rehearsals));
	if (!out->rehearsals)
		goto nomem;

	for (size_t i = 0; i < run->count; i++)
		if (score_rehearsal(&sc, i) != TW_OK)
			goto nomem;
	out->weakest = weakest(out);
	if (out->weakest < out->count) {
		out->score = out->rehearsals[out->weakest].score;
		out->capped = out->rehearsals[out->weakest].capped;
	}
	if (out->score < 0)
		out->score = 0;

	out->gate_set = cfg->gate >= 0;
	/* Nothing scored (every performance interrupted or at techweek's
	 * limit): no evidence either way, so the verdict says why instead. */
	out->below_gate = cfg->gate >= 0 && out->weakest < out->count &&
			  out->score + GATE_TOLERANCE < cfg->gate;
	out->gate_held = !out->below_gate;
	for (size_t i = 0; i < run->count; i++) {
		tw_rehearsal_score *rs = &out->rehearsals[i];
		if (rs->minimum < 0)
			continue;
		out->gate_set = true;
		if (rs->counted && rs->score + GATE_TOLERANCE < rs->minimum) {
			rs->below_minimum = true;
			out->gate_held = false;
		}
	}
	out->verdict = tw_readiness_verdict(run, out);
	if (losses(&sc) != TW_OK)
		goto nomem;
	return TW_OK;
nomem:
	tw_run_score_free(out);
	return tw_error_set(err, TW_ENOMEM, "out of memory");
}
