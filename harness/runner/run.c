/*
 * The run object (runner/run.h): options, the scripts and plans it owns,
 * the redaction list and the results every report reads. Performing is in
 * runner.c; rebuilding a run from JSON results in reports/json_read.c.
 */
#include "runner/run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/array.h"
#include "metrics/histogram.h"
#include "language/ast.h"
#include "techweek.h"
#include "techweek/global.h"
#include "channels/web/transfer.h"
#include "channels/ivr/audio.h" /* issue 14, AUDIO */
#include "core/fsutil.h"
#include "runner/rows.h"
#include "tw_version.h"

const char *tw_version(void)
{
	return TW_VERSION;
}


/* The size of each version of the options, a row per version
 * (TW_VERSION_END): tw_run_new reads that many bytes of the caller's. */
static const size_t options_size[] = {TW_VERSION_END(tw_run_options, shard_count),
				     TW_VERSION_END(tw_run_options, header_count),
				     TW_VERSION_END(tw_run_options, performances_set), /* 3: issue 13, GEN and DATA */
				     TW_VERSION_END(tw_run_options, script_time_s)}; /* 4: issue 14, CLOCK, F2 */
_Static_assert(sizeof(options_size) / sizeof(options_size[0]) == TW_RUN_OPTIONS_VERSION,
	       "a size per version");
/* A field added by version 2 lies past version 1's last byte, or a caller
 * built against version 1 would have it read from its own other fields. */
_Static_assert(offsetof(tw_run_options, no_follow) >= TW_VERSION_END(tw_run_options, shard_count) &&
		       offsetof(tw_run_options, cookies) >= TW_VERSION_END(tw_run_options, shard_count) &&
		       offsetof(tw_run_options, headers) >= TW_VERSION_END(tw_run_options, shard_count),
	       "version 2's fields come after version 1's");
/* issue 13, GEN and DATA: version 3's after version 2's */
_Static_assert(offsetof(tw_run_options, seed_set) >= TW_VERSION_END(tw_run_options, header_count) &&
		       offsetof(tw_run_options, seed) >= TW_VERSION_END(tw_run_options, header_count) &&
		       offsetof(tw_run_options, data) >= TW_VERSION_END(tw_run_options, header_count) &&
		       offsetof(tw_run_options, performances_set) >=
			       TW_VERSION_END(tw_run_options, header_count),
	       "version 3's fields come after version 2's");
/* issue 14, CLOCK: version 4's after version 3's */
_Static_assert(offsetof(tw_run_options, speaking_rate) >=
		       TW_VERSION_END(tw_run_options, performances_set),
	       "version 4's fields come after version 3's");

/* A version of the options this library can read, or TW_EUSAGE. */
static int check_version(unsigned version, const char *who, tw_error *err)
{
	if (version == 0 || version > TW_RUN_OPTIONS_VERSION)
		return tw_error_set(err, TW_EUSAGE,
				    "%s: options of version %u, this library knows "
				    "versions 1 to %u: initialise them with tw_run_options_init or "
				    "TW_RUN_OPTIONS_INIT",
				    who, version, TW_RUN_OPTIONS_VERSION);
	return TW_OK;
}

int tw_run_options_init(tw_run_options *opts, unsigned version)
{
	if (!opts)
		return TW_EUSAGE;
	if (check_version(version, "tw_run_options_init", NULL) != TW_OK)
		return TW_EUSAGE;
	/* Only that version's bytes: a program built against an older header
	 * declared no more. */
	tw_run_options defaults = TW_RUN_OPTIONS_INIT;
	defaults.version = version;
	memcpy(opts, &defaults, options_size[version - 1]);
	return TW_OK;
}

/* Options the run can be carried out with, or TW_EUSAGE naming the field
 * and its value: a value out of range was once quietly replaced (a
 * 0-based shard index ran the whole plan; customers 0 ran one), which
 * sends traffic nobody asked for. */
static int check_options(const tw_run_options *o, const char *who, tw_error *err)
{
	int rc = check_version(o->version, who, err);
	if (rc != TW_OK)
		return rc;
	if ((o->shard_index || o->shard_count) &&
	    (o->shard_index < 1 || o->shard_index > o->shard_count))
		return tw_error_set(err, TW_EUSAGE,
				    "%s: shard_index %u of shard_count %u: the index is 1-based, "
				    "from 1 to shard_count (both 0: not sharded)",
				    who, o->shard_index, o->shard_count);
	if (!isfinite(o->rate) || o->rate < 0)
		return tw_error_set(err, TW_EUSAGE, "%s: rate %g: a rate a second, above 0 (the "
				    "open model) or 0 (the closed model)", who, o->rate);
	if (o->rate > 0 && o->duration_ms <= 0)
		return tw_error_set(err, TW_EUSAGE, "%s: rate %g needs duration_ms above 0: how "
				    "long arrivals go on", who, o->rate);
	if (o->rate == 0 && o->performances == 0)
		return tw_error_set(err, TW_EUSAGE, "%s: performances 0: at least 1 (the closed "
				    "model)", who);
	if (o->customers == 0)
		return tw_error_set(err, TW_EUSAGE, "%s: customers 0: at least 1", who);
	if (o->jobs == 0)
		return tw_error_set(err, TW_EUSAGE, "%s: jobs 0: at least 1", who);
	if (o->duration_ms < 0 || o->ramp_ms < 0)
		return tw_error_set(err, TW_EUSAGE, "%s: %s %ld: 0 or more ms", who,
				    o->duration_ms < 0 ? "duration_ms" : "ramp_ms",
				    o->duration_ms < 0 ? o->duration_ms : o->ramp_ms);
	if (o->connect_timeout_ms <= 0 || o->timeout_ms <= 0)
		return tw_error_set(err, TW_EUSAGE, "%s: %s %ld: at least 1 ms", who,
				    o->connect_timeout_ms <= 0 ? "connect_timeout_ms" : "timeout_ms",
				    o->connect_timeout_ms <= 0 ? o->connect_timeout_ms : o->timeout_ms);
	if (o->max_redirects < 0)
		return tw_error_set(err, TW_EUSAGE, "%s: max_redirects %ld: 0 or more", who,
				    o->max_redirects);
	if (o->max_body == 0)
		return tw_error_set(err, TW_EUSAGE, "%s: max_body 0: at least 1 byte", who);
	if ((unsigned long long)o->max_body > TW_MAX_BODY_LIMIT)
		return tw_error_set(err, TW_EUSAGE,
				    "%s: max_body %zu: at most 4 GiB (%llu bytes), as --max-body",
				    who, o->max_body, TW_MAX_BODY_LIMIT);
	if (!isfinite(o->think_scale) || o->think_scale < 0)
		return tw_error_set(err, TW_EUSAGE, "%s: think_scale %g: 0 or more", who,
				    o->think_scale);
	if (o->call_max_fetches < 1 || o->call_max_loops < 1)
		return tw_error_set(err, TW_EUSAGE, "%s: %s %d: at least 1", who,
				    o->call_max_fetches < 1 ? "call_max_fetches" : "call_max_loops",
				    o->call_max_fetches < 1 ? o->call_max_fetches : o->call_max_loops);
	/* issue 14, CLOCK */
	if (!isfinite(o->speaking_rate) || o->speaking_rate < 60 || o->speaking_rate > 400)
		return tw_error_set(err, TW_EUSAGE, "%s: speaking_rate %g: from 60 to 400 words a minute",
				    who, o->speaking_rate);
	if (!isfinite(o->key_time_s) || o->key_time_s < 0 || o->key_time_s > 10)
		return tw_error_set(err, TW_EUSAGE, "%s: key_time_s %g: from 0 to 10 s", who,
				    o->key_time_s);
	/* issue 14, F2 */
	if (!isfinite(o->script_time_s) || o->script_time_s < 0.01 || o->script_time_s > 60)
		return tw_error_set(err, TW_EUSAGE, "%s: script_time_s %g: from 0.01 to 60 s", who,
				    o->script_time_s);
	if (!isfinite(o->call_max_seconds) || o->call_max_seconds <= 0)
		return tw_error_set(err, TW_EUSAGE, "%s: call_max_seconds %g: above 0", who,
				    o->call_max_seconds);
	if (o->progress_ms < 0)
		return tw_error_set(err, TW_EUSAGE, "%s: progress_ms %ld: 0 or more", who,
				    o->progress_ms);
	for (size_t i = 0; i < o->header_count; i++) {
		const char *h = o->headers ? o->headers[i] : NULL;
		if (!tw_header_line_name(h))
			return tw_error_set(err, TW_EUSAGE,
					    "%s: header '%s': expected NAME: VALUE, NAME made of "
					    "letters, digits and !#$%%&'*+-.^_`|~, on one line",
					    who, h ? h : "(null)");
	}
	if (o->seed_set && o->seed > (1ULL << 53) - 1) /* issue 13, GEN */
		return tw_error_set(err, TW_EUSAGE, "%s: seed %llu: from 0 to 2^53 - 1 (%llu)", who,
				    o->seed, (1ULL << 53) - 1);
	if (o->user_agent && strpbrk(o->user_agent, "\r\n"))
		return tw_error_set(err, TW_EUSAGE, "%s: user_agent: expected one line", who);
	return TW_OK;
}

/* issue 13, SUITE: a variable given as a secret (an --env environment's
 * value that reads {{secret X}}) is masked in every report, registered
 * before anything is sent. */
static int add_given_secrets(tw_run *run);


/* --header is how a token stays out of a script (review #2): the value of
 * a header that carries credentials is a secret, and so are its parts a
 * server may echo alone: the credentials after an Authorization scheme
 * ("Bearer TOKEN"), each cookie's value. Other values are not: masking
 * "staging" would hide every "staging" on every page. */
static int add_header_secrets(tw_run *run)
{
	static const char *const words[] = {"authorization", "cookie", "token", "key",
					    "secret", "auth", "pass", "session"};
	int rc = TW_OK;
	for (size_t i = 0; rc == TW_OK && i < run->opts.header_count; i++) {
		const char *line = run->opts.headers[i];
		size_t n = tw_header_line_name(line);
		bool secret = false;
		for (size_t w = 0; w < sizeof(words) / sizeof(words[0]) && !secret; w++)
			for (size_t at = 0; at + strlen(words[w]) <= n && !secret; at++)
				secret = strncasecmp(line + at, words[w], strlen(words[w])) == 0;
		if (!secret)
			continue;
		const char *v = line + n + 1;
		v += strspn(v, " \t");
		rc = tw_redact_add_given(&run->redact, v, strlen(v));
		bool cookie = n == 6 && strncasecmp(line, "Cookie", 6) == 0;
		const char *after = strchr(v, ' ');
		if (rc == TW_OK && after && !cookie) {
			after += strspn(after, " ");
			rc = tw_redact_add_given(&run->redact, after, strlen(after));
		}
		/* "a=1; sid=VALUE": each value */
		for (const char *c = v; rc == TW_OK && cookie && *c;) {
			const char *eq = strchr(c, '='), *end = c + strcspn(c, ";");
			if (eq && eq < end)
				rc = tw_redact_add_given(&run->redact, eq + 1, (size_t)(end - eq - 1));
			c = *end ? end + 1 + strspn(end + 1, " ") : end;
		}
	}
	return rc;
}

/* --cookies: a cookie file is often a browser's session pasted in; every
 * value in it is a secret. libcurl reads the file (as each customer's jar
 * will) and lists its cookies in Netscape format, the value last. A file
 * it cannot read adds nothing here: the customers' jars say so. */
/* issue 13, SUITE */
static int add_given_secrets(tw_run *run)
{
	const tw_vars *v = run->opts.vars;
	for (size_t i = 0; v && i < tw_vars_count(v); i++) {
		const char *name, *value;
		bool secret = false;
		tw_vars_at(v, i, &name, &value, &secret);
		if (secret && value && tw_redact_add_given(&run->redact, value, strlen(value)) != TW_OK)
			return TW_ENOMEM;
	}
	return TW_OK;
}

static int add_cookie_file_secrets(tw_run *run)
{
	if (!run->opts.cookies)
		return TW_OK;
	CURL *easy = curl_easy_init();
	if (!easy)
		return TW_ENOMEM;
	struct curl_slist *list = NULL;
	curl_easy_setopt(easy, CURLOPT_COOKIEFILE, run->opts.cookies);
	curl_easy_setopt(easy, CURLOPT_COOKIELIST, "RELOAD");
	curl_easy_getinfo(easy, CURLINFO_COOKIELIST, &list);
	int rc = TW_OK;
	for (struct curl_slist *l = list; rc == TW_OK && l; l = l->next) {
		const char *v = l->data;
		for (int tab = 0; v && tab < 6; tab++)
			v = (v = strchr(v, '\t')) ? v + 1 : NULL;
		if (v)
			rc = tw_redact_add_given(&run->redact, v, strlen(v));
	}
	curl_slist_free_all(list);
	curl_easy_cleanup(easy);
	return rc;
}

int tw_run_new(tw_run **out, const tw_run_options *opts, tw_error *err)
{
	if (!out)
		return tw_error_set(err, TW_EUSAGE, "tw_run_new: out is NULL");
	*out = NULL;
	/* Read as the version the caller declared: its bytes, no more, and
	 * the defaults for every field added since. */
	tw_run_options o = TW_RUN_OPTIONS_INIT;
	int rc = opts ? check_version(opts->version, "tw_run_new", err) : TW_OK;
	if (rc == TW_OK && opts) {
		memcpy(&o, opts, options_size[opts->version - 1]);
		o.version = TW_RUN_OPTIONS_VERSION;
		rc = check_options(&o, "tw_run_new", err);
	}
	if (rc != TW_OK)
		return rc;
	/* The fallback for programs that never call tw_global_init
	 * (include/techweek/global.h); nested in theirs when they do. */
	if (tw_global_init() < 0)
		return tw_error_set(err, TW_EINTERNAL, "libcurl could not be initialised");
	tw_run *run = calloc(1, sizeof(*run));
	if (!run) {
		tw_global_cleanup();
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	}
	run->opts = o;
	run->seed = o.seed_set ? o.seed : 0; /* issue 13, GEN: a merged run's */
	run->certs = tw_transfer_certs_new();
	run->audio = tw_audio_cache_new(); /* issue 14, AUDIO */
	if (!run->certs || !run->audio ||
	    tw_transfer_common_init(&run->common, tw_transfer_user_agent(&run->opts), err) != TW_OK) {
		tw_transfer_certs_free(run->certs);
		tw_transfer_common_free(&run->common);
		tw_audio_cache_free(run->audio);
		free(run);
		tw_global_cleanup();
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	}
	if (gethostname(run->hostname, sizeof(run->hostname) - 1) != 0)
		strcpy(run->hostname, "localhost");
	if (add_header_secrets(run) != TW_OK || add_cookie_file_secrets(run) != TW_OK ||
	    add_given_secrets(run) != TW_OK) {
		tw_run_free(run);
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	}
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

/* Undoes the last tw_run_push_result, whatever was set in it since: an
 * add that fails after the push leaves nothing added (a rehearsal without
 * its name or plan would be performed as a pass of nothing). */
static void pop_result(tw_run *run)
{
	run->count--;
	tw_rehearsal_result_free(&run->rehearsals[run->count]);
	run->scripts[run->count] = NULL;
	run->plans[run->count] = NULL;
}

bool tw_run_performed(const tw_run *run)
{
	return run->executed || run->metrics;
}

/* Why a rehearsal cannot be added to run now (TW_EUSAGE), else TW_OK. */
static int can_add(const tw_run *run, const char *who, tw_error *err)
{
	if (!run)
		return tw_error_set(err, TW_EUSAGE, "%s: run is NULL", who);
	/* The results are sized to the rehearsals when the run is performed:
	 * one added after would have none (read past their end). */
	if (tw_run_performed(run))
		return tw_error_set(err, TW_EUSAGE,
				    "%s: this run is already executed (or merged from parts): "
				    "add every rehearsal before tw_run_execute",
				    who);
	return TW_OK;
}

int tw_run_execute_begin(tw_run *run, tw_error *err)
{
	if (!run)
		return tw_error_set(err, TW_EUSAGE, "tw_run_execute: run is NULL");
	if (tw_run_performed(run))
		return tw_error_set(err, TW_EUSAGE,
				    "tw_run_execute: this run is already executed (or merged from "
				    "parts): a run is executed once; make another with tw_run_new");
	if (run->count == 0)
		return tw_error_set(err, TW_EUSAGE,
				    "tw_run_execute: no rehearsal was added: nothing to rehearse");
	/* Options changed through tw_run_options_of since tw_run_new. */
	int rc = check_options(&run->opts, "tw_run_execute", err);
	if (rc == TW_OK)
		run->executed = true;
	return rc;
}

/* A script's problems found by the check, as tw_run_add_script reports
 * them: recorded as a broken rehearsal with the first shown, TW_ECHECK
 * and that problem in err; TW_ENOMEM when the check could not finish (the
 * script is not added then, as on any out of memory here). */
static int add_unchecked(tw_run *run, const tw_script *script, const tw_errors *problems,
			 tw_error *err)
{
	const tw_error *first = problems->count ? &problems->items[0] : NULL;
	for (size_t i = 0; i < problems->count; i++)
		if (problems->items[i].code == TW_ENOMEM)
			first = NULL;
	if (!first || problems->lost)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	if (tw_run_add_broken(run, tw_script_path(script), first) != TW_OK)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	return tw_error_set_at(err, TW_ECHECK, first->file, first->line, first->col,
			       first->source_line, "%s", first->message ? first->message : "");
}

int tw_run_add_script(tw_run *run, tw_script *script, tw_error *err)
{
	int rc = can_add(run, "tw_run_add_script", err);
	if (rc == TW_OK && !script)
		rc = tw_error_set(err, TW_EUSAGE, "tw_run_add_script: script is NULL (did "
				  "tw_script_load fail?)");
	if (rc != TW_OK) {
		tw_script_free(script);
		return rc;
	}
	/* Checked here whether or not the caller did: an unchecked script's
	 * own fault (an invalid regex, an unset variable) would otherwise
	 * fail as an expectation, blamed on the service. */
	tw_errors problems = {0};
	if (tw_script_check_data(script, run->opts.vars, run->opts.data, &problems) > 0) {
		rc = add_unchecked(run, script, &problems, err);
		tw_errors_clear(&problems);
		tw_script_free(script);
		return rc;
	}
	tw_errors_clear(&problems);
	/* Regexes, XPaths and JSON queries compiled once for the whole run. */
	if (tw_script_compile(script, err) != TW_OK) {
		tw_script_free(script);
		return TW_ENOMEM;
	}
	tw_rehearsal_result *r = tw_run_push_result(run, tw_script_path(script));
	tw_plan *plan = NULL;
	if (r && (!(r->name = strdup(tw_script_name(script))) ||
		  tw_plan_of_script(&plan, script) != TW_OK)) {
		pop_result(run);
		r = NULL;
	}
	if (!r) {
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
	if (r && !(r->name = strdup(plan->name))) {
		pop_result(run);
		r = NULL;
	}
	if (!r) {
		tw_plan_free(plan);
		return TW_ENOMEM;
	}
	r->plan = plan;
	run->plans[run->count - 1] = plan;
	return TW_OK;
}

int tw_run_add_broken(tw_run *run, const char *path, const tw_error *problem)
{
	if (can_add(run, "tw_run_add_broken", NULL) != TW_OK || !path || !problem)
		return TW_EUSAGE;
	tw_rehearsal_result *r = tw_run_push_result(run, path);
	if (!r)
		return TW_ENOMEM;
	r->name = strdup(path);
	r->status = TW_STATUS_BROKEN;
	r->problem.code = problem->code;
	r->problem.line = problem->line;
	r->problem.col = problem->col;
	r->problem.message = tw_run_redact(run, problem->message);
	r->problem.file = problem->file ? strdup(problem->file) : NULL;
	r->problem.source_line = tw_run_redact(run, problem->source_line);
	/* A problem without its message or place would be another problem. */
	if (!r->name || (problem->message && !r->problem.message) ||
	    (problem->file && !r->problem.file) ||
	    (problem->source_line && !r->problem.source_line)) {
		pop_result(run);
		return TW_ENOMEM;
	}
	return TW_OK;
}

unsigned long tw_shard_share(unsigned long performances, unsigned n, unsigned me)
{
	return performances / n + (me < performances % n);
}

bool tw_shard_holds(bool broken, size_t ordinal, bool by_rehearsal, bool open,
		    unsigned long performances, unsigned n, unsigned me)
{
	if (broken)
		return me == 0;
	if (by_rehearsal)
		return ordinal % n == me;
	return open || tw_shard_share(performances, n, me) > 0;
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

double tw_run_scene_ms(const tw_rehearsal_metrics *m, size_t i, const tw_scene_result *sc)
{
	if (!m || m->performances < 2 || i >= m->scene_count)
		return sc->elapsed_ms;
	double ms = 0;
	for (size_t k = 0; m->scenes[i].steps && k < m->scenes[i].step_count; k++)
		ms += tw_histogram_sum(m->scenes[i].steps[k].latency);
	return ms;
}

double tw_run_rehearsal_ms(const tw_run *run, size_t i)
{
	const tw_rehearsal_result *r = &run->rehearsals[i];
	const tw_rehearsal_metrics *m = run->metrics ? &run->metrics[i] : NULL;
	if (!m || m->performances < 2)
		return r->elapsed_ms;
	bool explained = false;
	double ms = 0;
	for (size_t k = 0; k < r->scene_count; k++) {
		explained = explained || tw_status_is_problem(r->scenes[k].status) ||
			    r->scenes[k].status == TW_STATUS_LIMITED;
		ms += tw_run_scene_ms(m, k, &r->scenes[k]);
	}
	if (tw_status_is_problem(r->status) && !explained && r->status != TW_STATUS_BROKEN)
		ms += r->elapsed_ms;
	return ms;
}

/* What a rehearsal is called before the run is looked at as a whole. */
static const char *own_name(const tw_rehearsal_result *r)
{
	const char *first = r->plan ? r->name : r->path, *then = r->plan ? r->path : r->name;
	return first && *first ? first : then && *then ? then : "rehearsal";
}

int tw_run_put_rehearsal_name(tw_buf *b, const tw_run *run, size_t i, size_t max)
{
	const tw_rehearsal_result *r = &run->rehearsals[i];
	const char *name = own_name(r);
	tw_buf_put_cut(b, name, max);
	bool shared = false;
	for (size_t k = 0; k < run->count && !shared; k++)
		shared = k != i && strcmp(own_name(&run->rehearsals[k]), name) == 0;
	if (shared && r->path && strcmp(r->path, name) != 0)
		tw_buf_printf(b, " (%s)", r->path);
	return tw_buf_failed(b);
}

tw_run_options *tw_run_options_of(tw_run *run)
{
	return run ? &run->opts : NULL;
}

int tw_run_interrupted(const tw_run *run)
{
	return run && run->stop_reason == TW_STOP_INTERRUPTED;
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

int tw_run_write_cookies(const tw_run *run, const char *path, tw_error *err)
{
	if (!run || !run->cookies)
		return tw_error_set(err, TW_EUSAGE,
				    "no cookie jar to write to '%s': %s", path ? path : "?",
				    run && run->opts.keep_cookies ? "no performance ended"
								  : "keep_cookies is off");
	return tw_write_file_atomic(path, run->cookies, strlen(run->cookies), err);
}

void tw_run_free(tw_run *run)
{
	if (!run)
		return;
	for (size_t i = 0; i < run->count; i++) {
		tw_rehearsal_result_free(&run->rehearsals[i]);
		if (run->casts)
			tw_vars_free(run->casts[i]);
		if (run->data) /* issue 13, DATA */
			tw_data_use_free(run->data[i]);
		if (run->metrics)
			tw_rehearsal_metrics_free(&run->metrics[i]);
		tw_script_free(run->scripts[i]);
		tw_plan_free(run->plans[i]);
	}
	free(run->metrics);
	free(run->casts);
	free(run->data);
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
	free(run->cookies);
	tw_transfer_certs_free(run->certs);
	tw_transfer_common_free(&run->common);
	tw_selection_free(run->selection); /* issue 13, SUITE */
	free(run->environment);
	tw_audio_cache_free(run->audio); /* issue 14, AUDIO */
	free(run);
	tw_global_cleanup();
}
