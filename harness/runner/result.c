/*
 * A performance's results (runner/result.h): statuses, the readers reports
 * use, and the fold of a finished performance into its rehearsal's
 * figures (metrics/metrics.h).
 */
#include "runner/result.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "runner/run.h"

const char *tw_status_str(tw_status s)
{
	switch (s) {
	case TW_STATUS_PASSED: return "passed";
	case TW_STATUS_FAILED: return "failed";
	case TW_STATUS_SKIPPED: return "skipped";
	case TW_STATUS_UNREACHABLE: return "unreachable";
	case TW_STATUS_BROKEN: return "broken";
	case TW_STATUS_LIMITED: return "limited";
	}
	return "unknown";
}

bool tw_status_is_problem(tw_status s)
{
	return s == TW_STATUS_FAILED || s == TW_STATUS_UNREACHABLE || s == TW_STATUS_BROKEN;
}

size_t tw_scene_result_steps(const tw_scene_result *sc)
{
	return sc->scene && sc->steps ? sc->scene->touchpoint_count : 0;
}

int tw_step_result_line(const tw_step_result *st)
{
	return st->step ? st->step->line : 0;
}

const char *tw_step_result_source(const tw_step_result *st)
{
	return st->step && st->step->source ? st->step->source : "";
}

size_t tw_step_result_hop_count(const tw_step_result *st)
{
	return st->hop_count ? st->hop_count : st->method || st->url ? 1 : 0;
}

void tw_step_result_hop(tw_hop *out, const tw_step_result *st, size_t i)
{
	unsigned version = out->version;
	memset(out, 0, sizeof(*out));
	out->version = version;
	if (st->hop_count == 0) {
		out->method = st->method ? st->method : "?";
		out->url = st->url ? st->url : "?";
		out->status = st->http_status;
		return;
	}
	const tw_step_hop *h = &st->hops[i < st->hop_count ? i : st->hop_count - 1];
	out->method = h->method;
	out->url = h->url ? h->url : "?";
	out->status = h->status;
	out->left_out = i + 1 == st->hop_count ? st->hops_left_out : 0;
	out->poll = h->poll;
}

int tw_step_result_add_hop(tw_step_result *st, const char *method, char *url, long status)
{
	if (st->hop_count == TW_STEP_HOPS_MAX) {
		st->hop_count--;
		free(st->hops[st->hop_count].url);
		st->hops_left_out++;
	} else if (tw_array_grow(&st->hops, &st->hop_cap, st->hop_count + 1, sizeof(*st->hops))) {
		free(url);
		return TW_ENOMEM;
	}
	tw_step_hop *h = &st->hops[st->hop_count++];
	snprintf(h->method, sizeof(h->method), "%s", method ? method : "?");
	h->url = url;
	h->status = status;
	h->poll = 0;
	return TW_OK;
}

/* Empties s but keeps its hops array for the next step laid out there. */
static void clear_step(tw_step_result *s)
{
	tw_step_hop *hops = s->hops;
	size_t hop_cap = s->hop_cap;
	free(s->message);
	free(s->note);
	free(s->expected);
	free(s->actual);
	free(s->method);
	free(s->url);
	for (size_t i = 0; i < s->hop_count; i++)
		free(hops[i].url);
	memset(s, 0, sizeof(*s));
	s->hops = hops;
	s->hop_cap = hop_cap;
}

static void free_step(tw_step_result *s)
{
	clear_step(s);
	free(s->hops);
	s->hops = NULL;
	s->hop_cap = 0;
}

/* What a performance wrote into r's scenes, their memory kept when it is
 * the pool's: a scene's own steps array is freed. */
static void clear_scenes(tw_rehearsal_result *r)
{
	for (size_t i = 0; i < r->scene_count; i++) {
		tw_scene_result *sc = &r->scenes[i];
		if (!r->step_pool) {
			for (size_t j = 0; sc->scene && sc->steps && j < sc->scene->touchpoint_count;
			     j++)
				free_step(&sc->steps[j]);
			free(sc->steps);
		}
		free(sc->transcript);
		free(sc->not_run); /* issue 13, FLOW */
		sc->steps = NULL;
		sc->transcript = sc->not_run = NULL;
	}
	for (size_t i = 0; r->step_pool && i < r->step_used; i++)
		clear_step(&r->step_pool[i]);
	r->step_used = 0;
}

void tw_rehearsal_result_free(tw_rehearsal_result *r)
{
	clear_scenes(r);
	/* Past step_used a pooled step holds only a kept hops array. */
	for (size_t i = 0; r->step_pool && i < r->step_cap; i++)
		free_step(&r->step_pool[i]);
	free(r->step_pool);
	free(r->scenes);
	free(r->path);
	free(r->name);
	free(r->data_file); /* issue 13, DATA */
	tw_error_clear(&r->problem);
	memset(r, 0, sizeof(*r));
}

int tw_rehearsal_result_reuse(tw_rehearsal_result *r, const tw_plan *plan)
{
	clear_scenes(r);
	free(r->path);
	free(r->name);
	free(r->data_file);
	tw_error_clear(&r->problem);
	/* A result laid out elsewhere (a shown one handed back) may not say
	 * how many scenes its array holds: it is not reused. */
	if (!r->scene_cap) {
		free(r->scenes);
		r->scenes = NULL;
	}
	tw_rehearsal_result kept = {
		.scenes = r->scenes,
		.scene_cap = r->scene_cap,
		.step_pool = r->step_pool,
		.step_cap = r->step_cap,
		.started_s = r->started_s,
	};
	memcpy(kept.started_at, r->started_at, sizeof(kept.started_at));
	*r = kept;
	r->plan = plan;
	size_t scenes = plan ? plan->scene_count : 0, steps = 0;
	for (size_t i = 0; i < scenes; i++)
		steps += plan->scenes[i].touchpoint_count;
	/* At least one of each, so a result with no steps still has arrays
	 * (reports tell a scene that never ran by its NULL steps). */
	if (tw_array_grow(&r->scenes, &r->scene_cap, scenes ? scenes : 1, sizeof(*r->scenes)))
		return TW_ENOMEM;
	size_t had = r->step_cap;
	if (tw_array_grow(&r->step_pool, &r->step_cap, steps ? steps : 1, sizeof(*r->step_pool)))
		return TW_ENOMEM;
	if (r->step_cap > had)
		memset(&r->step_pool[had], 0, (r->step_cap - had) * sizeof(*r->step_pool));
	size_t at = 0;
	for (size_t i = 0; i < scenes; i++) {
		tw_scene_result *sc = &r->scenes[i];
		memset(sc, 0, sizeof(*sc));
		sc->scene = &plan->scenes[i];
		sc->status = TW_STATUS_SKIPPED;
		sc->steps = &r->step_pool[at];
		for (size_t j = 0; j < sc->scene->touchpoint_count; j++) {
			sc->steps[j].step = &sc->scene->touchpoints[j];
			sc->steps[j].status = TW_STATUS_SKIPPED;
		}
		at += sc->scene->touchpoint_count;
	}
	/* The count only once laid out: a result cut short by memory frees
	 * as an empty one. */
	r->scene_count = scenes;
	r->step_used = steps;
	return TW_OK;
}

/* ---- folding a performance into its rehearsal's figures ---- */

static tw_cause cause_of(const tw_step_result *sr)
{
	if (sr->status == TW_STATUS_UNREACHABLE)
		return TW_CAUSE_UNREACHABLE;
	if (sr->status == TW_STATUS_BROKEN)
		return TW_CAUSE_SCRIPT;
	if (sr->service) /* issue 14, F2 */
		return TW_CAUSE_SERVICE;
	return sr->transport ? TW_CAUSE_TRANSPORT : TW_CAUSE_EXPECTATION;
}

/* libcurl's timers are cumulative from the transfer's start; the phases
 * are their differences (a reused connection has no DNS, connect or TLS). */
static void record_phases(tw_touchpoint_metrics *t, const tw_timings *tm)
{
	double dns = tm->dns_ms;
	double connect = fmax(0, tm->connect_ms - tm->dns_ms);
	double tls = tm->tls_ms > 0 ? fmax(0, tm->tls_ms - tm->connect_ms) : 0;
	double ready = fmax(tm->connect_ms, tm->tls_ms);
	double first = fmax(0, tm->first_byte_ms - ready);
	double rest = fmax(0, tm->total_ms - tm->first_byte_ms);
	tw_histogram_record(t->dns, dns);
	tw_histogram_record(t->connect, connect);
	tw_histogram_record(t->tls, tls);
	tw_histogram_record(t->first_byte, first);
	tw_histogram_record(t->transfer, rest);
}

/* A performance that ended at techweek's limit says nothing about the
 * service either: only where it stopped and why, and what went on the
 * wire, are kept. */
static int add_limited(tw_rehearsal_metrics *m, const tw_rehearsal_result *r)
{
	m->limited++;
	for (size_t i = 0; i < m->scene_count && i < r->scene_count; i++) {
		const tw_scene_result *sr = &r->scenes[i];
		tw_scene_metrics *sm = &m->scenes[i];
		for (size_t j = 0; sr->steps && j < sm->step_count; j++) {
			const tw_step_result *st = &sr->steps[j];
			tw_touchpoint_metrics *t = &sm->steps[j];
			t->requests += (uint64_t)(st->requests > 0 ? st->requests : 0);
			if (st->requested) {
				t->bytes_in += st->bytes_in;
				t->bytes_out += st->bytes_out;
			}
			if (st->status != TW_STATUS_LIMITED)
				continue;
			t->limited++;
			if (!t->first_limit && st->message && !(t->first_limit = strdup(st->message)))
				return TW_ENOMEM;
		}
	}
	return TW_OK;
}

int tw_rehearsal_metrics_add(tw_rehearsal_metrics *m, const tw_rehearsal_result *r)
{
	/* Cut off, it says nothing about the service: a failure here would
	 * be the run's own doing. */
	if (r->interrupted) {
		m->interrupted++;
		return TW_OK;
	}
	if (r->status == TW_STATUS_LIMITED)
		return add_limited(m, r);
	m->performances++;
	switch (r->status) {
	case TW_STATUS_PASSED:
		m->achieved++;
		tw_histogram_record(m->time_to_outcome, r->customer_ms);
		break;
	case TW_STATUS_UNREACHABLE:
		m->unreachable++;
		break;
	case TW_STATUS_BROKEN:
		m->broken++;
		break;
	default:
		m->failed++;
		break;
	}
	m->frontstage_steps += (uint64_t)(r->frontstage_steps > 0 ? r->frontstage_steps : 0);
	m->frontstage_ms += r->frontstage_ms;
	if (r->phone.calls > 0) {
		m->calls += (uint64_t)r->phone.calls;
		m->prompts += (uint64_t)r->phone.prompts;
		m->inputs += (uint64_t)r->phone.inputs;
		m->repeats += (uint64_t)r->phone.repeats;
		if (r->phone.menu_turns > 0)
			tw_menu_turns_add(m->menus, r->phone.menu, (uint64_t)r->phone.menu_turns);
		if (r->phone.first_prompt_s >= 0)
			tw_histogram_record(m->first_prompt, r->phone.first_prompt_s * 1000);
		if (r->phone.transfer_s >= 0)
			tw_histogram_record(m->time_to_agent, r->phone.transfer_s * 1000);
	}
	bool retried = false;
	for (size_t i = 0; i < m->scene_count && i < r->scene_count; i++) {
		const tw_scene_result *sr = &r->scenes[i];
		tw_scene_metrics *sm = &m->scenes[i];
		if (sr->status == TW_STATUS_PASSED)
			sm->passed++;
		else if (sr->not_run) /* issue 13, FLOW */
			sm->not_run++;
		else if (sr->status == TW_STATUS_SKIPPED)
			sm->skipped++;
		else
			sm->failed++;
		for (size_t j = 0; sr->steps && j < sm->step_count; j++) {
			const tw_step_result *st = &sr->steps[j];
			tw_touchpoint_metrics *t = &sm->steps[j];
			if (st->status == TW_STATUS_SKIPPED)
				continue;
			t->count++;
			t->retries += (uint64_t)st->retries;
			t->polls += (uint64_t)st->polls;
			retried |= st->retries > 0;
			if (st->status == TW_STATUS_PASSED) {
				t->passed++;
				if (st->retries > 0)
					t->retried_passes++;
			} else {
				t->failed++;
				t->failures[cause_of(st)]++;
				if (!t->first_failure && st->message &&
				    !(t->first_failure = strdup(st->message)))
					return TW_ENOMEM;
			}
			tw_histogram_record(t->latency, st->elapsed_ms);
			t->requests += (uint64_t)(st->requests > 0 ? st->requests : 0);
			if (st->requested) {
				record_phases(t, &st->timings);
				t->bytes_in += st->bytes_in;
				t->bytes_out += st->bytes_out;
			}
		}
	}
	if (retried && r->status == TW_STATUS_PASSED)
		m->retried_achieved++;
	return TW_OK;
}
