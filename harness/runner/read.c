/*
 * The public readers of a run's results (include/techweek/result.h): the
 * one file that turns the run's internal figures (runner/result.h,
 * metrics/metrics.h) into the public structs, so that a change of the
 * internal model touches this file and no embedder. Each level is found
 * by index from the run (find_*), then copied field by field; nothing is
 * computed here that a report does not show the same way.
 */
#include "techweek/result.h"

#include <string.h>

#include "language/ast.h"
#include "metrics/histogram.h"
#include "metrics/metrics.h"
#include "runner/run.h"

/* The figures of rehearsal r (NULL past the end, or before the run has
 * any: a run never executed). */
static const tw_rehearsal_metrics *find_rehearsal(const tw_run *run, size_t r)
{
	return run && run->metrics && r < run->count ? &run->metrics[r] : NULL;
}

static const tw_scene_metrics *find_scene(const tw_run *run, size_t r, size_t s)
{
	const tw_rehearsal_metrics *m = find_rehearsal(run, r);
	return m && m->scenes && s < m->scene_count ? &m->scenes[s] : NULL;
}

/* The plan's scene s of rehearsal r; NULL for a broken one. */
static const tw_plan_scene *find_plan_scene(const tw_run *run, size_t r, size_t s)
{
	const tw_plan *plan = run && r < run->count ? run->rehearsals[r].plan : NULL;
	return plan && s < plan->scene_count ? &plan->scenes[s] : NULL;
}

int tw_figures_version_check(unsigned version, unsigned known, const char *what, tw_error *err)
{
	if (version == 0 || version > known)
		return tw_error_set(err, TW_EUSAGE,
				    "%s of version %u: this library knows versions 1 to %u "
				    "(initialise it with its _INIT macro)",
				    what, version, known);
	return TW_OK;
}

int tw_figures_put(void *caller, const void *full, const size_t *sizes)
{
	unsigned version;
	memcpy(&version, full, sizeof(version));
	memcpy(caller, full, sizes[version - 1]);
	return TW_OK;
}

/* Each struct's sizes, a row per version (tw_figures_put). */
static const size_t run_figures_size[] = {TW_VERSION_END(tw_run_figures, rehearsal_count)};
static const size_t rehearsal_figures_size[] = {TW_VERSION_END(tw_rehearsal_figures, scene_count)};
static const size_t scene_figures_size[] = {TW_VERSION_END(tw_scene_figures, failed_actual),
					    TW_VERSION_END(tw_scene_figures, not_run_why)};
static const size_t touchpoint_figures_size[] = {
	TW_VERSION_END(tw_touchpoint_figures, first_limit),
	TW_VERSION_END(tw_touchpoint_figures, failed_service)}; /* 2: issue 14, F2 */
static const size_t hop_size[] = {TW_VERSION_END(tw_hop, left_out), TW_VERSION_END(tw_hop, poll)};
#define ROWS(a) (sizeof(a) / sizeof((a)[0]))
_Static_assert(ROWS(run_figures_size) == TW_RUN_FIGURES_VERSION, "a size per version");
_Static_assert(ROWS(rehearsal_figures_size) == TW_REHEARSAL_FIGURES_VERSION, "a size per version");
_Static_assert(ROWS(scene_figures_size) == TW_SCENE_FIGURES_VERSION, "a size per version");
_Static_assert(ROWS(touchpoint_figures_size) == TW_TOUCHPOINT_FIGURES_VERSION,
	       "a size per version");
_Static_assert(ROWS(hop_size) == TW_HOP_VERSION, "a size per version");

static int past_end(const char *what, size_t i, size_t n, tw_error *err)
{
	return tw_error_set(err, TW_EUSAGE, "%s %zu asked for, of %zu", what, i, n);
}

static void percentiles(tw_percentiles *out, const tw_histogram *h)
{
	memset(out, 0, sizeof(*out));
	uint64_t n = h ? tw_histogram_count(h) : 0;
	if (!n)
		return;
	out->count = n;
	out->min = tw_histogram_min(h);
	out->mean = tw_histogram_mean(h);
	out->p50 = tw_histogram_percentile(h, 50);
	out->p90 = tw_histogram_percentile(h, 90);
	out->p95 = tw_histogram_percentile(h, 95);
	out->p99 = tw_histogram_percentile(h, 99);
	out->max = tw_histogram_max(h);
}

int tw_run_figures_of(tw_run_figures *caller, const tw_run *run, tw_error *err)
{
	if (!caller)
		return tw_error_set(err, TW_EUSAGE, "tw_run_figures_of: out is NULL");
	int rc = tw_figures_version_check(caller->version, TW_RUN_FIGURES_VERSION, "tw_run_figures",
					  err);
	if (rc)
		return rc;
	if (!run)
		return tw_error_set(err, TW_EUSAGE, "tw_run_figures_of needs a run");
	/* Filled whole, handed over as the version the caller declared. */
	tw_run_figures full = {.version = caller->version}, *out = &full;
	out->started_at = run->started_at[0] ? run->started_at : NULL;
	out->host = run->hostname[0] ? run->hostname : NULL;
	out->elapsed_ms = run->elapsed_ms;
	out->planned = run->planned;
	out->started = run->started;
	out->dropped = run->dropped;
	out->stopped = run->stop_reason == TW_STOP_INTERRUPTED    ? "interrupted"
		       : run->stop_reason == TW_STOP_MAX_FAILURES ? "max_failures"
								  : NULL;
	out->rehearsal_count = run->count;
	return tw_figures_put(caller, out, run_figures_size);
}

size_t tw_run_rehearsal_count(const tw_run *run)
{
	return run ? run->count : 0;
}

int tw_run_rehearsal_byindex(tw_rehearsal_figures *caller, const tw_run *run, size_t i,
			     tw_error *err)
{
	if (!caller)
		return tw_error_set(err, TW_EUSAGE, "tw_run_rehearsal_byindex: out is NULL");
	int rc = tw_figures_version_check(caller->version, TW_REHEARSAL_FIGURES_VERSION,
					  "tw_rehearsal_figures", err);
	if (rc)
		return rc;
	if (!run || i >= run->count)
		return past_end("rehearsal", i, tw_run_rehearsal_count(run), err);
	const tw_rehearsal_result *r = &run->rehearsals[i];
	const tw_rehearsal_metrics *m = find_rehearsal(run, i);
	/* Filled whole, handed over as the version the caller declared. */
	tw_rehearsal_figures full = {.version = caller->version}, *out = &full;
	out->name = r->name ? r->name : r->path;
	out->path = r->path;
	out->status = r->status;
	out->problem = r->problem.code != TW_OK || r->problem.message ? &r->problem : NULL;
	out->scene_count = tw_rehearsal_scene_count(run, i);
	if (r->plan) {
		out->outcome = r->plan->outcome;
		out->budget_ms = r->plan->budget_ms;
		out->budget_steps = r->plan->budget_steps;
		out->tags = r->plan->tags;
		out->tag_count = r->plan->tags ? r->plan->tag_count : 0;
	}
	if (!m)
		return tw_figures_put(caller, out, rehearsal_figures_size);
	out->performances = m->performances;
	out->achieved = m->achieved;
	out->retried_achieved = m->retried_achieved;
	out->failed = m->failed;
	out->unreachable = m->unreachable;
	out->broken = m->broken;
	out->interrupted = m->interrupted;
	out->limited = m->limited;
	out->outcome_rate =
		m->performances ? (double)m->achieved / (double)m->performances : 0;
	out->flaky = tw_rehearsal_flaky(m);
	percentiles(&out->time_to_outcome, m->time_to_outcome);
	out->frontstage_steps = m->frontstage_steps;
	out->frontstage_ms = m->frontstage_ms;
	out->calls = m->calls;
	out->prompts = m->prompts;
	out->inputs = m->inputs;
	out->repeats = m->repeats;
	const tw_menu_turns *menu = tw_rehearsal_reprompted_menu(m);
	out->reprompted_menu = menu ? menu->text : NULL;
	out->reprompted_menu_turns = menu ? menu->turns : 0;
	percentiles(&out->first_prompt, m->first_prompt);
	percentiles(&out->time_to_agent, m->time_to_agent);
	return tw_figures_put(caller, out, rehearsal_figures_size);
}

size_t tw_rehearsal_scene_count(const tw_run *run, size_t r)
{
	const tw_plan *plan = run && r < run->count ? run->rehearsals[r].plan : NULL;
	return plan ? plan->scene_count : 0;
}

int tw_rehearsal_scene_byindex(tw_scene_figures *caller, const tw_run *run, size_t r, size_t i,
			       tw_error *err)
{
	if (!caller)
		return tw_error_set(err, TW_EUSAGE, "tw_rehearsal_scene_byindex: out is NULL");
	int rc = tw_figures_version_check(caller->version, TW_SCENE_FIGURES_VERSION,
					  "tw_scene_figures", err);
	if (rc)
		return rc;
	if (!run || r >= run->count)
		return past_end("rehearsal", r, tw_run_rehearsal_count(run), err);
	size_t n = tw_rehearsal_scene_count(run, r);
	if (i >= n)
		return past_end("scene", i, n, err);
	const tw_plan_scene *sc = find_plan_scene(run, r, i);
	const tw_scene_metrics *sm = find_scene(run, r, i);
	/* Filled whole, handed over as the version the caller declared. */
	tw_scene_figures full = {.version = caller->version}, *out = &full;
	out->name = sc ? sc->name : NULL;
	out->channel = sc && sc->channel == TW_CHANNEL_IVR ? "ivr" : "web";
	out->backstage = sc && sc->backstage;
	out->touchpoint_count = tw_scene_touchpoint_count(run, r, i);
	if (sm) {
		out->passed = sm->passed;
		out->failed = sm->failed;
		out->skipped = sm->skipped;
		out->not_run = sm->not_run; /* version 2, issue 13, FLOW */
	}
	out->when = sc ? sc->when : NULL;
	const tw_rehearsal_result *rr = &run->rehearsals[r];
	const tw_scene_result *sr = rr->scenes && i < rr->scene_count ? &rr->scenes[i] : NULL;
	out->status = sr ? sr->status : TW_STATUS_SKIPPED;
	out->transcript = sr ? sr->transcript : NULL;
	out->not_run_why = sr ? sr->not_run : NULL;
	/* The first step that failed or reached the limit, as the JSON
	 * result's transcript names it. */
	size_t steps = sr ? tw_scene_result_steps(sr) : 0;
	for (size_t j = 0; j < steps; j++) {
		const tw_step_result *st = &sr->steps[j];
		if (!tw_status_is_problem(st->status) && st->status != TW_STATUS_LIMITED)
			continue;
		out->failed_line = tw_step_result_line(st);
		out->failed_source = tw_step_result_source(st);
		out->failed_message = st->message;
		out->failed_expected = st->expected;
		out->failed_actual = st->actual;
		break;
	}
	return tw_figures_put(caller, out, scene_figures_size);
}

size_t tw_scene_touchpoint_count(const tw_run *run, size_t r, size_t s)
{
	const tw_plan_scene *sc = find_plan_scene(run, r, s);
	return sc ? sc->touchpoint_count : 0;
}

int tw_scene_touchpoint_byindex(tw_touchpoint_figures *caller, const tw_run *run, size_t r,
				size_t s, size_t i, tw_error *err)
{
	if (!caller)
		return tw_error_set(err, TW_EUSAGE, "tw_scene_touchpoint_byindex: out is NULL");
	int rc = tw_figures_version_check(caller->version, TW_TOUCHPOINT_FIGURES_VERSION,
			       "tw_touchpoint_figures", err);
	if (rc)
		return rc;
	if (!run || r >= run->count)
		return past_end("rehearsal", r, tw_run_rehearsal_count(run), err);
	if (s >= tw_rehearsal_scene_count(run, r))
		return past_end("scene", s, tw_rehearsal_scene_count(run, r), err);
	size_t n = tw_scene_touchpoint_count(run, r, s);
	if (i >= n)
		return past_end("touchpoint", i, n, err);
	const tw_scene_metrics *sm = find_scene(run, r, s);
	const tw_touchpoint_metrics *t = sm ? &sm->steps[i] : NULL;
	const tw_touchpoint *step = &find_plan_scene(run, r, s)->touchpoints[i];
	/* Filled whole, handed over as the version the caller declared. */
	tw_touchpoint_figures full = {.version = caller->version}, *out = &full;
	out->kind = tw_step_facts_of(step->kind)->json;
	out->file = step->file;
	out->line = step->line;
	out->source = step->source ? step->source : "";
	if (!t)
		return tw_figures_put(caller, out, touchpoint_figures_size);
	out->count = t->count;
	out->passed = t->passed;
	out->failed = t->failed;
	out->failed_expectation = t->failures[TW_CAUSE_EXPECTATION];
	out->failed_transport = t->failures[TW_CAUSE_TRANSPORT];
	out->failed_unreachable = t->failures[TW_CAUSE_UNREACHABLE];
	out->failed_script = t->failures[TW_CAUSE_SCRIPT];
	out->failed_service = t->failures[TW_CAUSE_SERVICE]; /* issue 14, F2 */
	out->retries = t->retries;
	out->retried_passes = t->retried_passes;
	out->flaky = tw_touchpoint_flaky(t);
	percentiles(&out->latency, t->latency);
	percentiles(&out->dns, t->dns);
	percentiles(&out->connect, t->connect);
	percentiles(&out->tls, t->tls);
	percentiles(&out->first_byte, t->first_byte);
	percentiles(&out->transfer, t->transfer);
	out->requests = t->requests;
	out->bytes_in = t->bytes_in;
	out->bytes_out = t->bytes_out;
	out->first_failure = t->first_failure;
	out->limited = t->limited;
	out->first_limit = t->first_limit;
	return tw_figures_put(caller, out, touchpoint_figures_size);
}

/* Step i of scene s of rehearsal r in the performance shown in detail;
 * NULL when there is none (never ran, past the end). */
static const tw_step_result *find_shown_step(const tw_run *run, size_t r, size_t s, size_t i)
{
	const tw_rehearsal_result *rr = run && r < run->count ? &run->rehearsals[r] : NULL;
	const tw_scene_result *sc = rr && rr->scenes && s < rr->scene_count ? &rr->scenes[s] : NULL;
	return sc && i < tw_scene_result_steps(sc) ? &sc->steps[i] : NULL;
}

size_t tw_touchpoint_hop_count(const tw_run *run, size_t r, size_t s, size_t i)
{
	const tw_step_result *st = find_shown_step(run, r, s, i);
	return st ? tw_step_result_hop_count(st) : 0;
}

int tw_touchpoint_hop_byindex(tw_hop *caller, const tw_run *run, size_t r, size_t s, size_t i,
			      size_t h, tw_error *err)
{
	if (!caller)
		return tw_error_set(err, TW_EUSAGE, "tw_touchpoint_hop_byindex: out is NULL");
	int rc = tw_figures_version_check(caller->version, TW_HOP_VERSION, "tw_hop", err);
	if (rc)
		return rc;
	size_t n = tw_touchpoint_hop_count(run, r, s, i);
	if (h >= n)
		return past_end("hop", h, n, err);
	/* Filled whole, handed over as the version the caller declared. */
	tw_hop full = {.version = caller->version};
	tw_step_result_hop(&full, find_shown_step(run, r, s, i), h);
	return tw_figures_put(caller, &full, hop_size);
}
