/*
 * The run object (runner/run.h): options, the scripts and plans it owns,
 * the redaction list and the results every report reads. Performing is in
 * runner.c; rebuilding a run from JSON results in reports/json_read.c.
 */
#include "runner/run.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/array.h"
#include "language/ast.h"
#include "techweek.h"
#include "techweek/global.h"
#include "tw_version.h"

const char *tw_version(void)
{
	return TW_VERSION;
}

void tw_run_options_init(tw_run_options *opts)
{
	*opts = (tw_run_options)TW_RUN_OPTIONS_INIT;
}

int tw_run_new(tw_run **out, const tw_run_options *opts, tw_error *err)
{
	*out = NULL;
	/* Only this version's layout can be read: an older or newer one
	 * would be misread field by field. */
	if (opts && opts->version != TW_RUN_OPTIONS_VERSION)
		return tw_error_set(err, TW_EUSAGE,
				    "tw_run_new: options of version %u, this library knows "
				    "version %u: initialise them with tw_run_options_init or "
				    "TW_RUN_OPTIONS_INIT",
				    opts->version, TW_RUN_OPTIONS_VERSION);
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
	/* Three arrays, one capacity: each grows from the same one; run->cap
	 * moves only when all three did. */
	size_t cap = run->cap, scripts_cap = run->cap, plans_cap = run->cap;
	if (tw_array_grow(&run->rehearsals, &cap, run->count + 1, sizeof(*run->rehearsals)) ||
	    tw_array_grow(&run->scripts, &scripts_cap, run->count + 1, sizeof(*run->scripts)) ||
	    tw_array_grow(&run->plans, &plans_cap, run->count + 1, sizeof(*run->plans)))
		return NULL;
	run->cap = cap;
	tw_rehearsal_result *r = &run->rehearsals[run->count];
	memset(r, 0, sizeof(*r));
	r->path = strdup(path ? path : "");
	if (!r->path)
		return NULL;
	run->scripts[run->count] = NULL;
	run->plans[run->count] = NULL;
	run->count++;
	return r;
}

int tw_run_add_script(tw_run *run, tw_script *script, tw_error *err)
{
	/* Regexes, XPaths and JSON queries compiled once for the whole run. */
	if (tw_script_compile(script, err) != TW_OK) {
		tw_script_free(script);
		return TW_ENOMEM;
	}
	tw_rehearsal_result *r = tw_run_push_result(run, tw_script_path(script));
	tw_plan *plan = NULL;
	if (!r || !(r->name = strdup(tw_script_name(script))) ||
	    tw_plan_of_script(&plan, script) != TW_OK) {
		tw_script_free(script);
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	}
	r->plan = plan;
	run->scripts[run->count - 1] = script;
	run->plans[run->count - 1] = plan;
	return TW_OK;
}

int tw_run_add_plan(tw_run *run, tw_plan *plan)
{
	tw_rehearsal_result *r = tw_run_push_result(run, plan->path);
	if (!r || !(r->name = strdup(plan->name))) {
		tw_plan_free(plan);
		return TW_ENOMEM;
	}
	r->plan = plan;
	run->plans[run->count - 1] = plan;
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

int tw_run_record_lineup(tw_run *run)
{
	tw_lineup_entry *lineup = calloc(run->count ? run->count : 1, sizeof(*lineup));
	if (!lineup)
		return TW_ENOMEM;
	for (size_t i = 0; i < run->count; i++) {
		const tw_rehearsal_result *r = &run->rehearsals[i];
		lineup[i].path = strdup(r->path ? r->path : "");
		lineup[i].name = strdup(r->name ? r->name : (r->path ? r->path : ""));
		lineup[i].broken = !r->plan || r->status == TW_STATUS_BROKEN;
		if (!lineup[i].path || !lineup[i].name) {
			for (size_t j = 0; j <= i; j++) {
				free(lineup[j].path);
				free(lineup[j].name);
			}
			free(lineup);
			return TW_ENOMEM;
		}
	}
	for (size_t i = 0; i < run->lineup_count; i++) {
		free(run->lineup[i].path);
		free(run->lineup[i].name);
	}
	free(run->lineup);
	run->lineup = lineup;
	run->lineup_count = run->count;
	return TW_OK;
}

char *tw_run_redact(const tw_run *run, const char *text)
{
	/* Also makes the cuts the web channel marked in its messages, after
	 * the mask (tw_redact_put_quoted): no result holds a mark. */
	return tw_redact_message(&run->redact, text);
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
		tw_plan_free(run->plans[i]);
	}
	free(run->metrics);
	free(run->casts);
	free(run->rehearsals);
	free(run->scripts);
	free(run->plans);
	for (size_t i = 0; i < run->lineup_count; i++) {
		free(run->lineup[i].path);
		free(run->lineup[i].name);
	}
	free(run->lineup);
	tw_vars_free(run->owned_vars);
	tw_redact_free(&run->redact);
	free(run);
	tw_global_cleanup();
}
