/*
 * Folding performances into figures. See metrics.h.
 */
#include "metrics/metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/plural.h"
#include "techweek/error.h"


const char *tw_cause_str(tw_cause c)
{
	switch (c) {
	case TW_CAUSE_EXPECTATION: return "expectation";
	case TW_CAUSE_TRANSPORT: return "transport";
	case TW_CAUSE_UNREACHABLE: return "unreachable";
	case TW_CAUSE_SCRIPT: return "script";
	case TW_CAUSE_SERVICE: return "service"; /* issue 14, F2 */
	case TW_CAUSE_COUNT: break;
	}
	return "?";
}

const char *tw_cause_words(tw_cause c, uint64_t n)
{
	switch (c) {
	case TW_CAUSE_EXPECTATION: return tw_plural(n, "expectation", "expectations");
	case TW_CAUSE_TRANSPORT: return tw_plural(n, "transport failure", "transport failures");
	case TW_CAUSE_UNREACHABLE: return "unreachable";
	case TW_CAUSE_SCRIPT: return tw_plural(n, "script error", "script errors");
	case TW_CAUSE_SERVICE: return tw_plural(n, "service fault", "service faults");
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

static int touchpoint_init(tw_touchpoint_metrics *t, const tw_touchpoint *step)
{
	t->step = step;
	tw_histogram **h[] = TOUCHPOINT_HISTOGRAMS(t);
	for (size_t k = 0; k < TOUCHPOINT_HISTOGRAM_COUNT; k++)
		if (!(*h[k] = tw_histogram_new()))
			return TW_ENOMEM;
	return TW_OK;
}

int tw_rehearsal_metrics_init(tw_rehearsal_metrics *m, const tw_plan *plan)
{
	memset(m, 0, sizeof(*m));
	m->time_to_outcome = tw_histogram_new();
	m->first_prompt = tw_histogram_new();
	m->time_to_agent = tw_histogram_new();
	size_t scenes = plan ? plan->scene_count : 0;
	m->scenes = calloc(scenes ? scenes : 1, sizeof(*m->scenes));
	if (!m->time_to_outcome || !m->first_prompt || !m->time_to_agent || !m->scenes)
		return TW_ENOMEM;
	m->scene_count = scenes;
	for (size_t i = 0; i < scenes; i++) {
		const tw_plan_scene *sc = &plan->scenes[i];
		tw_scene_metrics *sm = &m->scenes[i];
		sm->steps = calloc(sc->touchpoint_count ? sc->touchpoint_count : 1, sizeof(*sm->steps));
		if (!sm->steps)
			return TW_ENOMEM;
		sm->step_count = sc->touchpoint_count;
		for (size_t j = 0; j < sc->touchpoint_count; j++)
			if (touchpoint_init(&sm->steps[j], &sc->touchpoints[j]) != TW_OK)
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
		d->not_run += s->not_run; /* issue 13, FLOW */
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
			a->polls += b->polls;
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

/* ---- issue 13, F3: failures that follow the data rows ---- */

bool tw_rehearsal_flaky_rows(const tw_rehearsal_metrics *m, bool rows)
{
	return !rows && tw_rehearsal_flaky(m);
}

bool tw_rehearsal_fails_on_rows(const tw_rehearsal_metrics *m, bool rows)
{
	return rows && tw_rehearsal_flaky(m);
}

bool tw_touchpoint_flaky_rows(const tw_touchpoint_metrics *t, bool rows)
{
	return rows ? t->retried_passes > 0 : tw_touchpoint_flaky(t);
}

bool tw_touchpoint_fails_on_rows(const tw_touchpoint_metrics *t, bool rows)
{
	return rows && t->passed > 0 && t->failed > 0;
}
