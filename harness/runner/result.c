/*
 * The run object: options, the scripts it owns, the redaction list and the
 * results every report reads. Performing is in runner.c.
 */
#include "runner/result.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "techweek/global.h"
#include "tw_version.h"

const char *tw_version(void)
{
	return TW_VERSION;
}

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
	return sc->scene && sc->steps ? sc->scene->step_count : 0;
}

int tw_step_result_line(const tw_step_result *st)
{
	return st->step ? st->step->loc.line : 0;
}

const char *tw_step_result_source(const tw_step_result *st)
{
	const char *s = st->step && st->step->source ? st->step->source : "";
	return s + strspn(s, " \t");
}

void tw_run_options_init(tw_run_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->connect_timeout_ms = 10000;
	opts->timeout_ms = 30000;
	opts->max_redirects = 10;
	opts->max_body = (size_t)8 << 20;
	opts->call_max_fetches = 20;
	opts->call_max_seconds = 3600;
	opts->call_max_loops = 3;
	opts->performances = 1;
	opts->customers = 1;
	opts->jobs = 1;
	opts->think_scale = 1;
	opts->progress_ms = 1000;
}

int tw_run_new(tw_run **out, const tw_run_options *opts, tw_error *err)
{
	*out = NULL;
	/* The fallback for programs that never call tw_global_init
	 * (include/techweek/global.h); nested in theirs when they do. */
	if (tw_global_init() < 0)
		return tw_error_set(err, TW_EINTERNAL, "libcurl could not be initialised");
	tw_run *run = calloc(1, sizeof(*run));
	if (!run) {
		tw_global_cleanup();
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	}
	if (opts)
		run->opts = *opts;
	else
		tw_run_options_init(&run->opts);
	if (gethostname(run->hostname, sizeof(run->hostname) - 1) != 0)
		strcpy(run->hostname, "localhost");
	*out = run;
	return TW_OK;
}

tw_rehearsal_result *tw_run_push_result(tw_run *run, const char *path)
{
	if (run->count == run->cap) {
		size_t cap = run->cap ? run->cap * 2 : 8;
		tw_rehearsal_result *r = realloc(run->rehearsals, cap * sizeof(*r));
		tw_script **s = realloc(run->scripts, cap * sizeof(*s));
		if (r)
			run->rehearsals = r;
		if (s)
			run->scripts = s;
		if (!r || !s)
			return NULL;
		run->cap = cap;
	}
	tw_rehearsal_result *r = &run->rehearsals[run->count];
	memset(r, 0, sizeof(*r));
	r->path = strdup(path ? path : "");
	if (!r->path)
		return NULL;
	run->scripts[run->count] = NULL;
	run->count++;
	return r;
}

int tw_run_add_script(tw_run *run, tw_script *script, tw_error *err)
{
	tw_rehearsal_result *r = tw_run_push_result(run, tw_script_path(script));
	if (!r || !(r->name = strdup(tw_script_name(script)))) {
		tw_script_free(script);
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	}
	r->script = script;
	run->scripts[run->count - 1] = script;
	return TW_OK;
}

int tw_run_add_broken(tw_run *run, const char *path, const tw_error *problem)
{
	tw_rehearsal_result *r = tw_run_push_result(run, path);
	if (!r || !(r->name = strdup(path)))
		return TW_ENOMEM;
	r->status = TW_STATUS_BROKEN;
	r->problem.code = problem->code;
	r->problem.line = problem->line;
	r->problem.col = problem->col;
	r->problem.message = tw_run_redact(run, problem->message);
	r->problem.file = problem->file ? strdup(problem->file) : NULL;
	r->problem.source_line = tw_run_redact(run, problem->source_line);
	/* A problem without its message or place would be another problem. */
	if ((problem->message && !r->problem.message) || (problem->file && !r->problem.file) ||
	    (problem->source_line && !r->problem.source_line))
		return TW_ENOMEM;
	return TW_OK;
}

const char *tw_shard_mode_str(tw_shard_mode m)
{
	switch (m) {
	case TW_SHARD_REHEARSALS: return "rehearsals";
	case TW_SHARD_PERFORMANCES: return "performances";
	case TW_SHARD_NONE: break;
	}
	return "none";
}

int tw_run_record_plan(tw_run *run)
{
	tw_plan_entry *plan = calloc(run->count ? run->count : 1, sizeof(*plan));
	if (!plan)
		return TW_ENOMEM;
	for (size_t i = 0; i < run->count; i++) {
		const tw_rehearsal_result *r = &run->rehearsals[i];
		plan[i].path = strdup(r->path ? r->path : "");
		plan[i].name = strdup(r->name ? r->name : (r->path ? r->path : ""));
		plan[i].broken = !r->script || r->status == TW_STATUS_BROKEN;
		if (!plan[i].path || !plan[i].name) {
			for (size_t j = 0; j <= i; j++) {
				free(plan[j].path);
				free(plan[j].name);
			}
			free(plan);
			return TW_ENOMEM;
		}
	}
	for (size_t i = 0; i < run->plan_count; i++) {
		free(run->plan[i].path);
		free(run->plan[i].name);
	}
	free(run->plan);
	run->plan = plan;
	run->plan_count = run->count;
	return TW_OK;
}

char *tw_run_redact(const tw_run *run, const char *text)
{
	/* Also makes the cuts the web channel marked in its messages, after
	 * the mask (tw_redact_put_quoted): no result holds a mark. */
	return tw_redact_message(&run->redact, text);
}

static void free_step(tw_step_result *s)
{
	free(s->message);
	free(s->expected);
	free(s->actual);
	free(s->method);
	free(s->url);
}

void tw_rehearsal_result_free(tw_rehearsal_result *r)
{
	for (size_t i = 0; i < r->scene_count; i++) {
		tw_scene_result *sc = &r->scenes[i];
		for (size_t j = 0; sc->scene && sc->steps && j < sc->scene->step_count; j++)
			free_step(&sc->steps[j]);
		free(sc->steps);
		free(sc->transcript);
	}
	free(r->scenes);
	free(r->path);
	free(r->name);
	tw_error_clear(&r->problem);
	memset(r, 0, sizeof(*r));
}

tw_run_options *tw_run_options_of(tw_run *run)
{
	return &run->opts;
}

int tw_run_interrupted(const tw_run *run)
{
	return run->stop_reason == TW_STOP_INTERRUPTED;
}

/* The verdict's words; which verdict a run gets is readiness/score.c's. */
const char *tw_verdict_word(tw_verdict v)
{
	return v == TW_VERDICT_READY ? "READY" : "NOT READY";
}

const char *tw_verdict_title(tw_verdict v)
{
	switch (v) {
	case TW_VERDICT_READY: return "READY: curtain up";
	case TW_VERDICT_NOT_READY: return "NOT READY";
	case TW_VERDICT_BROKEN: return "NOT READY: a script could not run";
	case TW_VERDICT_UNREACHABLE: return "NOT READY: the run could not be carried out";
	case TW_VERDICT_LIMITED: return "NOT READY: techweek could not rehearse all of it";
	case TW_VERDICT_INTERRUPTED: return "NOT READY: interrupted";
	}
	return "NOT READY";
}

const char *tw_verdict_key(tw_verdict v)
{
	switch (v) {
	case TW_VERDICT_READY: return "passed";
	case TW_VERDICT_NOT_READY: return "failed";
	case TW_VERDICT_BROKEN: return "script_error";
	case TW_VERDICT_UNREACHABLE: return "unreachable";
	case TW_VERDICT_LIMITED: return "limited";
	case TW_VERDICT_INTERRUPTED: return "interrupted";
	}
	return "failed";
}

void tw_run_free(tw_run *run)
{
	if (!run)
		return;
	for (size_t i = 0; i < run->count; i++) {
		tw_rehearsal_result_free(&run->rehearsals[i]);
		if (run->casts)
			tw_vars_free(run->casts[i]);
		if (run->metrics)
			tw_rehearsal_metrics_free(&run->metrics[i]);
		tw_script_free(run->scripts[i]);
	}
	free(run->metrics);
	free(run->casts);
	free(run->rehearsals);
	free(run->scripts);
	for (size_t i = 0; i < run->plan_count; i++) {
		free(run->plan[i].path);
		free(run->plan[i].name);
	}
	free(run->plan);
	tw_vars_free(run->owned_vars);
	tw_redact_free(&run->redact);
	free(run);
	tw_global_cleanup();
}
