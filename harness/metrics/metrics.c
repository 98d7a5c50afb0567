/*
 * Folding performances into figures. See metrics.h.
 */
#include "metrics/metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/result.h"

const char *tw_cause_str(tw_cause c)
{
	switch (c) {
	case TW_CAUSE_EXPECTATION: return "expectation";
	case TW_CAUSE_TRANSPORT: return "transport";
	case TW_CAUSE_UNREACHABLE: return "unreachable";
	case TW_CAUSE_SCRIPT: return "script";
	case TW_CAUSE_COUNT: break;
	}
	return "?";
}

/* A touchpoint's histograms, in one order for init, free and merge. */
#define TOUCHPOINT_HISTOGRAMS(t) \
	{&(t)->latency, &(t)->dns, &(t)->connect, &(t)->tls, &(t)->first_byte, &(t)->transfer}
#define TOUCHPOINT_HISTOGRAM_COUNT 6

static void touchpoint_free(tw_touchpoint_metrics *t)
{
	tw_histogram **h[] = TOUCHPOINT_HISTOGRAMS(t);
	for (size_t k = 0; k < TOUCHPOINT_HISTOGRAM_COUNT; k++)
		tw_histogram_free(*h[k]);
	free(t->first_failure);
	free(t->first_limit);
}

static int touchpoint_init(tw_touchpoint_metrics *t, const tw_step *step)
{
	t->step = step;
	tw_histogram **h[] = TOUCHPOINT_HISTOGRAMS(t);
	for (size_t k = 0; k < TOUCHPOINT_HISTOGRAM_COUNT; k++)
		if (!(*h[k] = tw_histogram_new()))
			return TW_ENOMEM;
	return TW_OK;
}

int tw_rehearsal_metrics_init(tw_rehearsal_metrics *m, const tw_script *script)
{
	memset(m, 0, sizeof(*m));
	m->time_to_outcome = tw_histogram_new();
	m->first_prompt = tw_histogram_new();
	m->time_to_agent = tw_histogram_new();
	size_t scenes = script ? script->scene_count : 0;
	m->scenes = calloc(scenes ? scenes : 1, sizeof(*m->scenes));
	if (!m->time_to_outcome || !m->first_prompt || !m->time_to_agent || !m->scenes)
		return TW_ENOMEM;
	m->scene_count = scenes;
	for (size_t i = 0; i < scenes; i++) {
		const tw_scene *sc = &script->scenes[i];
		tw_scene_metrics *sm = &m->scenes[i];
		sm->steps = calloc(sc->step_count ? sc->step_count : 1, sizeof(*sm->steps));
		if (!sm->steps)
			return TW_ENOMEM;
		sm->step_count = sc->step_count;
		for (size_t j = 0; j < sc->step_count; j++)
			if (touchpoint_init(&sm->steps[j], &sc->steps[j]) != TW_OK)
				return TW_ENOMEM;
	}
	return TW_OK;
}

void tw_rehearsal_metrics_free(tw_rehearsal_metrics *m)
{
	for (size_t i = 0; m->scenes && i < m->scene_count; i++) {
		for (size_t j = 0; m->scenes[i].steps && j < m->scenes[i].step_count; j++)
			touchpoint_free(&m->scenes[i].steps[j]);
		free(m->scenes[i].steps);
	}
	free(m->scenes);
	tw_histogram_free(m->time_to_outcome);
	tw_histogram_free(m->first_prompt);
	tw_histogram_free(m->time_to_agent);
	memset(m, 0, sizeof(*m));
}

int tw_rehearsal_metrics_merge(tw_rehearsal_metrics *dst, const tw_rehearsal_metrics *src)
{
	dst->performances += src->performances;
	dst->achieved += src->achieved;
	dst->retried_achieved += src->retried_achieved;
	dst->failed += src->failed;
	dst->unreachable += src->unreachable;
	dst->interrupted += src->interrupted;
	dst->limited += src->limited;
	dst->broken += src->broken;
	dst->frontstage_steps += src->frontstage_steps;
	dst->frontstage_ms += src->frontstage_ms;
	dst->calls += src->calls;
	dst->prompts += src->prompts;
	dst->inputs += src->inputs;
	dst->repeats += src->repeats;
	for (size_t i = 0; i < TW_MENU_SLOTS; i++)
		tw_menu_turns_add(dst->menus, src->menus[i].text, src->menus[i].turns);
	tw_histogram_merge(dst->time_to_outcome, src->time_to_outcome);
	tw_histogram_merge(dst->first_prompt, src->first_prompt);
	tw_histogram_merge(dst->time_to_agent, src->time_to_agent);
	for (size_t i = 0; i < dst->scene_count && i < src->scene_count; i++) {
		tw_scene_metrics *d = &dst->scenes[i];
		const tw_scene_metrics *s = &src->scenes[i];
		d->passed += s->passed;
		d->failed += s->failed;
		d->skipped += s->skipped;
		for (size_t j = 0; j < d->step_count && j < s->step_count; j++) {
			tw_touchpoint_metrics *a = &d->steps[j];
			tw_touchpoint_metrics *b = &s->steps[j];
			a->count += b->count;
			a->passed += b->passed;
			a->failed += b->failed;
			for (size_t k = 0; k < TW_CAUSE_COUNT; k++)
				a->failures[k] += b->failures[k];
			a->retries += b->retries;
			a->retried_passes += b->retried_passes;
			a->requests += b->requests;
			a->bytes_in += b->bytes_in;
			a->bytes_out += b->bytes_out;
			tw_histogram **ha[] = TOUCHPOINT_HISTOGRAMS(a);
			tw_histogram **hb[] = TOUCHPOINT_HISTOGRAMS(b);
			for (size_t k = 0; k < TOUCHPOINT_HISTOGRAM_COUNT; k++)
				tw_histogram_merge(*ha[k], *hb[k]);
			if (!a->first_failure && b->first_failure &&
			    !(a->first_failure = strdup(b->first_failure)))
				return TW_ENOMEM;
			a->limited += b->limited;
			if (!a->first_limit && b->first_limit &&
			    !(a->first_limit = strdup(b->first_limit)))
				return TW_ENOMEM;
		}
	}
	return TW_OK;
}

void tw_menu_turns_add(tw_menu_turns menus[TW_MENU_SLOTS], const char *text, uint64_t turns)
{
	if (!text || !*text || !turns)
		return;
	tw_menu_turns *least = &menus[0];
	for (size_t i = 0; i < TW_MENU_SLOTS; i++) {
		if (strcmp(menus[i].text, text) == 0) {
			menus[i].turns += turns;
			return;
		}
		if (menus[i].turns < least->turns)
			least = &menus[i];
	}
	snprintf(least->text, sizeof(least->text), "%s", text);
	least->turns += turns;
}

const tw_menu_turns *tw_rehearsal_reprompted_menu(const tw_rehearsal_metrics *m)
{
	const tw_menu_turns *best = NULL;
	for (size_t i = 0; i < TW_MENU_SLOTS; i++)
		if (m->menus[i].turns > 0 && (!best || m->menus[i].turns > best->turns))
			best = &m->menus[i];
	return best;
}

bool tw_rehearsal_flaky(const tw_rehearsal_metrics *m)
{
	return m->achieved > 0 && m->achieved < m->performances;
}

bool tw_touchpoint_flaky(const tw_touchpoint_metrics *t)
{
	return (t->passed > 0 && t->failed > 0) || t->retried_passes > 0;
}

static tw_cause cause_of(const tw_step_result *sr)
{
	if (sr->status == TW_STATUS_UNREACHABLE)
		return TW_CAUSE_UNREACHABLE;
	if (sr->status == TW_STATUS_BROKEN)
		return TW_CAUSE_SCRIPT;
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
