/*
 * The readiness score, the project file and the comparison with a
 * baseline as public objects (include/techweek/readiness.h): handles made
 * by _new, freed by _free, over the engine's own structs (score.h,
 * project.h, baseline.h), which stay free to change.
 *
 * A public tw_score is the engine's tw_run_score with the comparison it
 * was judged against kept beside it: the score only borrows the
 * comparison (the reports read it from there), so the handle owns both
 * and frees them together.
 */
#include "techweek/readiness.h"

#include <stdint.h>
#include <stdlib.h>

#include "readiness/baseline.h"
#include "readiness/project.h"
#include "readiness/score.h"
#include "techweek/suite.h" /* issue 13, SUITE */

struct tw_project {
	tw_readiness_config cfg;
};

/* The handle behind a tw_score: score first, so that a tw_score * is a
 * pointer to it (the reports take it as it is). */
typedef struct score_box {
	tw_run_score score;
	tw_comparison cmp; /* when compared */
	bool compared;
} score_box;

static score_box *box_of(tw_score *score)
{
	return (score_box *)score;
}

int tw_project_new(tw_project **out, tw_error *err)
{
	if (!out)
		return tw_error_set(err, TW_EUSAGE, "tw_project_new: out is NULL");
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	tw_readiness_config_init(&(*out)->cfg);
	return TW_OK;
}

int tw_project_open(tw_project **out, const char *path, tw_error *err)
{
	if (out)
		*out = NULL;
	if (!out || !path)
		return tw_error_set(err, TW_EUSAGE, "tw_project_open: %s is NULL", out ? "path" : "out");
	int rc = tw_project_new(out, err);
	if (rc == TW_OK && (rc = tw_project_load(&(*out)->cfg, path, err)) != TW_OK) {
		tw_project_free(*out);
		*out = NULL;
	}
	return rc;
}

void tw_project_free(tw_project *project)
{
	if (!project)
		return;
	tw_readiness_config_free(&project->cfg);
	free(project);
}

double tw_project_gate(const tw_project *project)
{
	return project ? project->cfg.gate : -1;
}

void tw_project_set_gate(tw_project *project, double gate)
{
	if (project)
		project->cfg.gate = gate;
}

size_t tw_project_rule_count(const tw_project *project)
{
	return project ? project->cfg.rule_count : 0;
}

const char *tw_project_rule_rehearsal(const tw_project *project, size_t i)
{
	return i < tw_project_rule_count(project) ? project->cfg.rules[i].rehearsal : NULL;
}

const char *tw_project_rule_tag(const tw_project *project, size_t i)
{
	return i < tw_project_rule_count(project) ? project->cfg.rules[i].tag : NULL;
}

int tw_project_unmatched_rules(tw_unmatched_rule **out, size_t *count, const tw_project *project,
			       const tw_run *run, tw_error *err)
{
	if (!out || !count || !project || !run)
		return tw_error_set(err, TW_EUSAGE, "tw_project_unmatched_rules: %s is NULL",
				    !out ? "out" : !count ? "count" : !project ? "project" : "run");
	return tw_project_unmatched(&project->cfg, run, out, count, err);
}

void tw_unmatched_rules_free(tw_unmatched_rule *list)
{
	free(list);
}

int tw_score_new(tw_score **out, const tw_run *run, const tw_project *project, tw_error *err)
{
	if (!out || !run)
		return tw_error_set(err, TW_EUSAGE, "tw_score_new: %s is NULL", out ? "run" : "out");
	*out = NULL;
	/* A run never executed has nothing to score: its verdict is not
	 * READY (tw_run_verdict), and a score of it would read as one. */
	if (!tw_run_performed(run))
		return tw_error_set(err, TW_EUSAGE, "tw_score_new: the run was never executed: "
				    "nothing to score (call tw_run_execute first)");
	tw_readiness_config defaults;
	if (!project)
		tw_readiness_config_init(&defaults);
	score_box *box = calloc(1, sizeof(*box));
	if (!box)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	int rc = tw_readiness_score(run, project ? &project->cfg : &defaults, &box->score, err);
	if (!project)
		tw_readiness_config_free(&defaults);
	if (rc != TW_OK) {
		free(box);
		return rc;
	}
	*out = &box->score;
	return TW_OK;
}

void tw_score_free(tw_score *score)
{
	if (!score)
		return;
	score_box *box = box_of(score);
	tw_run_score_free(&box->score);
	tw_comparison_free(&box->cmp);
	free(box);
}

int tw_score_check_run(const tw_run_score *score, const tw_run *run, const char *who,
		       tw_error *err)
{
	if (score && score->run != run)
		return tw_error_set(err, TW_EUSAGE,
				    "%s: the score is of another run: give each score with the "
				    "run tw_score_new scored",
				    who);
	return TW_OK;
}

int tw_score_compare(tw_score *score, const tw_run *run, const tw_baseline *baseline,
		     const tw_project *project, tw_error *err)
{
	if (!score || !run || !baseline)
		return tw_error_set(err, TW_EUSAGE, "tw_score_compare: %s is NULL",
				    !score ? "score" : !run ? "run" : "baseline");
	int rc = tw_score_check_run(score, run, "tw_score_compare", err);
	if (rc != TW_OK)
		return rc;
	score_box *box = box_of(score);
	if (box->compared)
		return tw_error_set(err, TW_EUSAGE, "tw_score_compare: this score was compared already");
	tw_comparison cmp;
	rc = tw_baseline_compare(&cmp, baseline, run, score,
				     project ? &project->cfg.regression : NULL, err);
	if (rc != TW_OK) {
		tw_comparison_free(&cmp);
		return rc;
	}
	box->cmp = cmp;
	box->compared = true;
	tw_baseline_judge(score, run, &box->cmp);
	return TW_OK;
}

tw_verdict tw_score_verdict(const tw_score *score)
{
	return score ? score->verdict : TW_VERDICT_UNREACHABLE;
}

double tw_score_value(const tw_score *score)
{
	return score && score->weakest < score->count ? score->score : -1;
}

double tw_score_weight(const tw_score *score, tw_part p)
{
	return score && (unsigned)p < TW_PART_COUNT ? score->weight[p] : 0;
}

bool tw_score_gate_held(const tw_score *score)
{
	return score && score->gate_held;
}

/* Each struct's sizes, a row per version (tw_figures_put). */
static const size_t rehearsal_score_size[] = {
	TW_VERSION_END(tw_rehearsal_score_figures, demand_mean)};
static const size_t reason_size[] = {TW_VERSION_END(tw_score_reason, in_run)};
_Static_assert(sizeof(rehearsal_score_size) / sizeof(rehearsal_score_size[0]) ==
		       TW_REHEARSAL_SCORE_FIGURES_VERSION,
	       "a size per version");
_Static_assert(sizeof(reason_size) / sizeof(reason_size[0]) == TW_SCORE_REASON_VERSION,
	       "a size per version");

/* out and score given, of a version this library fills. */
static int check_args(const void *out, const void *score, const char *who, tw_error *err)
{
	if (!out || !score)
		return tw_error_set(err, TW_EUSAGE, "%s: %s is NULL", who, out ? "score" : "out");
	return TW_OK;
}

int tw_score_rehearsal_byindex(tw_rehearsal_score_figures *caller, const tw_score *score, size_t i,
			       tw_error *err)
{
	int rc = check_args(caller, score, "tw_score_rehearsal_byindex", err);
	if (rc)
		return rc;
	rc = tw_figures_version_check(caller->version, TW_REHEARSAL_SCORE_FIGURES_VERSION,
			   "tw_rehearsal_score_figures", err);
	if (rc)
		return rc;
	if (i >= score->count)
		return tw_error_set(err, TW_EUSAGE, "rehearsal %zu asked for, of %zu", i, score->count);
	const tw_rehearsal_score *rs = &score->rehearsals[i];
	/* Filled whole, handed over as the version the caller declared. */
	tw_rehearsal_score_figures full = {.version = caller->version}, *out = &full;
	out->counted = rs->counted;
	out->score = rs->score;
	for (int p = 0; p < TW_PART_COUNT; p++)
		out->part[p] = rs->part[p];
	out->capped = rs->capped;
	out->minimum = rs->minimum;
	out->below_minimum = rs->below_minimum;
	out->required = rs->required;
	out->minor = rs->minor;
	out->met = rs->met;
	out->irregular = rs->irregular;
	out->time_p90_ms = rs->time_p90_ms;
	out->steps_mean = rs->steps_mean;
	out->demand_mean = rs->demand_mean;
	return tw_figures_put(caller, out, rehearsal_score_size);
}

bool tw_score_touchpoint_apdex(const tw_score *score, size_t r, size_t s, size_t t,
			       double *apdex, double *t_ms)
{
	const tw_rehearsal_score *rs = score && r < score->count ? &score->rehearsals[r] : NULL;
	for (size_t i = 0; rs && rs->touchpoints && i < rs->touchpoint_count; i++) {
		const tw_touchpoint_score *tp = &rs->touchpoints[i];
		if (tp->scene != s || tp->step != t)
			continue;
		if (apdex)
			*apdex = tp->apdex;
		if (t_ms)
			*t_ms = tp->t_ms;
		return true;
	}
	return false;
}

size_t tw_score_reason_count(const tw_score *score)
{
	return score && score->losses ? score->loss_count : 0;
}

int tw_score_reason_byindex(tw_score_reason *caller, const tw_score *score, size_t i, tw_error *err)
{
	int rc = check_args(caller, score, "tw_score_reason_byindex", err);
	if (rc)
		return rc;
	rc = tw_figures_version_check(caller->version, TW_SCORE_REASON_VERSION, "tw_score_reason",
				      err);
	if (rc)
		return rc;
	if (i >= tw_score_reason_count(score))
		return tw_error_set(err, TW_EUSAGE, "reason %zu asked for, of %zu", i,
				    tw_score_reason_count(score));
	const tw_loss *l = &score->losses[i];
	/* Filled whole, handed over as the version the caller declared. */
	tw_score_reason full = {.version = caller->version}, *out = &full;
	out->rehearsal = l->rehearsal;
	out->part = l->part;
	out->points = l->points;
	out->why = l->why;
	out->in_run = l->in_run;
	return tw_figures_put(caller, out, reason_size);
}

int tw_verdict_reasons(tw_reasons **out, const tw_run *run, const tw_score *score, tw_error *err)
{
	if (out)
		*out = NULL;
	if (!out || !run)
		return tw_error_set(err, TW_EUSAGE, "tw_verdict_reasons: %s is NULL",
				    out ? "run" : "out");
	if (!tw_run_performed(run))
		return tw_error_set(err, TW_EUSAGE, "tw_verdict_reasons: the run was never "
				    "executed: it has no verdict to explain");
	int rc = tw_score_check_run(score, run, "tw_verdict_reasons", err);
	if (rc)
		return rc;
	tw_reasons *list = calloc(1, sizeof(*list));
	if (!list)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	rc = tw_readiness_reasons(list, run, score, score ? score->verdict : tw_run_verdict(run));
	if (rc) {
		tw_reasons_free(list);
		return tw_reasons_failed(err, rc, "tw_verdict_reasons");
	}
	*out = list;
	return TW_OK;
}

size_t tw_reasons_count(const tw_reasons *reasons)
{
	return reasons ? reasons->count : 0;
}

const char *tw_reasons_text(const tw_reasons *reasons, size_t i)
{
	return reasons && i < reasons->count ? reasons->items[i].why : NULL;
}

size_t tw_reasons_rehearsal(const tw_reasons *reasons, size_t i)
{
	return reasons && i < reasons->count ? reasons->items[i].rehearsal : SIZE_MAX;
}

void tw_reasons_free(tw_reasons *reasons)
{
	if (!reasons)
		return;
	tw_reasons_clear(reasons);
	free(reasons);
}

/* ---- issue 13, SUITE: environments (techweek/suite.h) ---- */

size_t tw_project_environment_count(const tw_project *project)
{
	return project ? tw_project_env_count(&project->cfg) : 0;
}

const char *tw_project_environment_name(const tw_project *project, size_t i)
{
	return project ? tw_project_env_name(&project->cfg, i) : NULL;
}

int tw_project_use_environment(tw_project *project, const char *name, tw_vars *vars,
			       tw_error *err)
{
	if (!project || !name || !vars)
		return tw_error_set(err, TW_EUSAGE, "tw_project_use_environment: an argument is NULL");
	return tw_project_env_use(&project->cfg, name, vars, err);
}
