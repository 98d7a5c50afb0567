/*
 * Merging the JSON results of a sharded run (docs/sharding.md) back into
 * one tw_run, so that every report and the readiness score come out as
 * one machine would have produced them.
 *
 * Every part is read whole with jansson and checked before anything is
 * built: the same format and techweek version, the same plan (rehearsals
 * and schedule, compared as JSON), every shard 1..N exactly once. Then the
 * scripts are parsed again from the plan's paths (relative to the current
 * directory: merge runs from the same checkout as the shards), so that the
 * rebuilt results point into real scripts as the runner's do, and each
 * rehearsal's figures are summed over the parts that hold it: counts,
 * failures by cause, bytes, and histograms bucket by bucket, with their
 * exact min, max and sum (tw_histogram_set_extremes). The performance
 * shown in detail is the first that failed in shard order, else the first,
 * rebuilt from its "shown" object.
 *
 * Errors: TW_EUSAGE with a message that starts with the file at fault;
 * TW_ENOMEM. No state outside the run being built.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/result.h"
#include "techweek.h"

/* The format this file reads: json.c's FORMAT_VERSION. */
#define PART_FORMAT 3

typedef struct part {
	const char *path;
	json_t *doc;
	json_t *plan;          /* borrowed from doc */
	json_t *rehearsals;    /* borrowed from doc */
	long long index, count;
	const char *mode;
} part;

/* Reading one part's fields: the first thing missing or malformed is kept
 * and reported with the file's name. */
typedef struct reader {
	const char *file;
	const char *bad;       /* the field that was missing or malformed */
} reader;

static int usage_error(tw_error *err, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int usage_error(tw_error *err, const char *file, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return tw_error_set(err, TW_EUSAGE, "%s: %s", file, msg);
}

static json_t *field(reader *rd, json_t *obj, const char *key)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	if (!v && !rd->bad)
		rd->bad = key;
	return v;
}

static uint64_t u64(reader *rd, json_t *obj, const char *key)
{
	json_t *v = field(rd, obj, key);
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		if (!rd->bad)
			rd->bad = key;
		return 0;
	}
	return (uint64_t)json_integer_value(v);
}

static long long i64(reader *rd, json_t *obj, const char *key)
{
	json_t *v = field(rd, obj, key);
	if (!json_is_integer(v)) {
		if (!rd->bad)
			rd->bad = key;
		return 0;
	}
	return json_integer_value(v);
}

static double num(reader *rd, json_t *obj, const char *key)
{
	json_t *v = field(rd, obj, key);
	if (!json_is_number(v)) {
		if (!rd->bad)
			rd->bad = key;
		return 0;
	}
	return json_number_value(v);
}

/* A string field; NULL for null (or when malformed, recorded). */
static const char *text(reader *rd, json_t *obj, const char *key)
{
	json_t *v = field(rd, obj, key);
	if (json_is_string(v))
		return json_string_value(v);
	if (!json_is_null(v) && !rd->bad)
		rd->bad = key;
	return NULL;
}

/* A malloc'd copy of a string field; *oom set when out of memory. */
static char *dup_text(reader *rd, json_t *obj, const char *key, bool *oom)
{
	const char *s = text(rd, obj, key);
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		*oom = true;
	return d;
}

static tw_status status_of(reader *rd, json_t *obj, const char *key)
{
	const char *s = text(rd, obj, key);
	static const tw_status all[] = {TW_STATUS_PASSED, TW_STATUS_FAILED, TW_STATUS_SKIPPED,
					TW_STATUS_UNREACHABLE, TW_STATUS_BROKEN};
	for (size_t i = 0; s && i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(s, tw_status_str(all[i])) == 0)
			return all[i];
	if (!rd->bad)
		rd->bad = key;
	return TW_STATUS_FAILED;
}

/*
 * Adds a STATS object's distribution to dst: its buckets counted again,
 * then its exact min, max and sum. scratch is a histogram to use. A
 * missing or null STATS adds nothing.
 */
static void add_stats(reader *rd, tw_histogram *dst, json_t *st, tw_histogram *scratch,
		      const char *key)
{
	if (!st || json_is_null(st))
		return;
	json_t *buckets = json_object_get(st, "buckets");
	if (!json_is_object(st) || !json_is_array(buckets)) {
		if (!rd->bad)
			rd->bad = key;
		return;
	}
	tw_histogram_reset(scratch);
	size_t i;
	json_t *b;
	json_array_foreach(buckets, i, b) {
		json_t *low = json_array_get(b, 0), *n = json_array_get(b, 2);
		if (json_array_size(b) != 3 || !json_is_number(low) || !json_is_integer(n) ||
		    json_integer_value(n) < 0) {
			if (!rd->bad)
				rd->bad = key;
			return;
		}
		tw_histogram_add_count(scratch, json_number_value(low),
				       (uint64_t)json_integer_value(n));
	}
	uint64_t count = u64(rd, st, "count");
	if (count != tw_histogram_count(scratch)) {
		if (!rd->bad)
			rd->bad = key;
		return;
	}
	tw_histogram_set_extremes(scratch, num(rd, st, "min"), num(rd, st, "max"),
				  num(rd, st, "sum"));
	tw_histogram_merge(dst, scratch);
}

/* ---- the parts ---- */

static void parts_free(part *parts, size_t n)
{
	for (size_t i = 0; parts && i < n; i++)
		json_decref(parts[i].doc);
	free(parts);
}

/* Reads and checks one part on its own. */
static int read_part(part *p, const char *path, tw_error *err)
{
	memset(p, 0, sizeof(*p));
	p->path = path;
	json_error_t je;
	p->doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!p->doc)
		return usage_error(err, path, "not a JSON result (%s, line %d): corrupt or truncated?",
				   je.text, je.line);
	if (!json_is_object(p->doc))
		return usage_error(err, path, "not a techweek JSON result (not an object)");
	json_t *format = json_object_get(p->doc, "format");
	json_t *version = json_object_get(p->doc, "techweek");
	if (!json_is_integer(format) || !json_is_string(version))
		return usage_error(err, path, "not a techweek JSON result (no format or version)");
	if (json_integer_value(format) != PART_FORMAT)
		return usage_error(err, path,
				   "JSON result format %lld; merge reads format %d (run the shards "
				   "with this techweek)",
				   (long long)json_integer_value(format), PART_FORMAT);
	if (strcmp(json_string_value(version), tw_version()) != 0)
		return usage_error(err, path,
				   "written by techweek %s; this is techweek %s (run every shard and "
				   "the merge with one version)",
				   json_string_value(version), tw_version());
	p->plan = json_object_get(p->doc, "plan");
	p->rehearsals = json_object_get(p->doc, "rehearsals");
	if (!json_is_object(p->plan) || !json_is_array(json_object_get(p->plan, "rehearsals")) ||
	    !json_is_array(p->rehearsals))
		return usage_error(err, path, "has no plan or rehearsals: not the result of a run");
	json_t *shard = json_object_get(p->doc, "shard");
	if (json_is_null(shard)) {
		p->index = p->count = 1;
		p->mode = "none";
	} else {
		reader rd = {.file = path};
		p->index = i64(&rd, shard, "index");
		p->count = i64(&rd, shard, "count");
		p->mode = text(&rd, shard, "mode");
		if (rd.bad || !p->mode || p->count < 1 || p->index < 1 || p->index > p->count)
			return usage_error(err, path, "has a malformed \"shard\"");
	}
	return TW_OK;
}

static int by_index(const void *a, const void *b)
{
	const part *x = a, *y = b;
	return (x->index > y->index) - (x->index < y->index);
}

/* The parts together: one plan, every shard once. Sorts them by shard. */
static int check_parts(part *parts, size_t n, tw_error *err)
{
	for (size_t i = 1; i < n; i++) {
		if (!json_equal(parts[i].plan, parts[0].plan))
			return usage_error(err, parts[i].path,
					   "belongs to another run than %s: its plan (rehearsals or "
					   "schedule) differs",
					   parts[0].path);
		if (parts[i].count != parts[0].count)
			return usage_error(err, parts[i].path,
					   "is shard %lld/%lld, but %s is one of %lld shards",
					   parts[i].index, parts[i].count, parts[0].path,
					   parts[0].count);
		if (strcmp(parts[i].mode, parts[0].mode) != 0)
			return usage_error(err, parts[i].path,
					   "shares the run by %s, but %s by %s", parts[i].mode,
					   parts[0].path, parts[0].mode);
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (parts[i].index == parts[j].index)
				return usage_error(err, parts[j].path,
						   "repeats shard %lld/%lld (%s is that shard too)",
						   parts[j].index, parts[j].count, parts[i].path);
	if ((long long)n != parts[0].count) {
		for (long long k = 1; k <= parts[0].count; k++) {
			bool found = false;
			for (size_t i = 0; i < n && !found; i++)
				found = parts[i].index == k;
			if (!found)
				return usage_error(err, parts[0].path,
						   "is one of %lld shards, but shard %lld/%lld is "
						   "missing: give every part of the run",
						   parts[0].count, k, parts[0].count);
		}
	}
	qsort(parts, n, sizeof(*parts), by_index);
	return TW_OK;
}

/* ---- building the run ---- */

static tw_code code_of(const char *s)
{
	for (int c = TW_ENOMEM; s && c <= TW_EINTERNAL; c++)
		if (strcmp(s, tw_code_str((tw_code)c)) == 0)
			return (tw_code)c;
	return TW_ECHECK;
}

/* A problem object (or null) into e; false when out of memory. */
static bool read_problem(reader *rd, json_t *o, tw_error *e)
{
	memset(e, 0, sizeof(*e));
	if (!o || json_is_null(o))
		return true;
	bool oom = false;
	e->code = code_of(text(rd, o, "code"));
	e->message = dup_text(rd, o, "message", &oom);
	e->file = dup_text(rd, o, "file", &oom);
	e->line = (int)i64(rd, o, "line");
	e->col = (int)i64(rd, o, "col");
	if (json_object_get(o, "source_line"))
		e->source_line = dup_text(rd, o, "source_line", &oom);
	return !oom;
}

static void add_touchpoint(reader *rd, tw_touchpoint_metrics *t, json_t *o, tw_histogram *scratch,
			   bool *oom)
{
	t->count += u64(rd, o, "count");
	t->passed += u64(rd, o, "passed");
	t->failed += u64(rd, o, "failed");
	json_t *f = field(rd, o, "failures");
	for (int k = 0; k < TW_CAUSE_COUNT; k++)
		t->failures[k] += u64(rd, f, tw_cause_str((tw_cause)k));
	t->retries += u64(rd, o, "retries");
	t->retried_passes += u64(rd, o, "retried_passes");
	add_stats(rd, t->latency, field(rd, o, "latency"), scratch, "latency");
	json_t *ph = field(rd, o, "phases");
	if (json_is_object(ph)) {
		add_stats(rd, t->dns, field(rd, ph, "dns"), scratch, "dns");
		add_stats(rd, t->connect, field(rd, ph, "connect"), scratch, "connect");
		add_stats(rd, t->tls, field(rd, ph, "tls"), scratch, "tls");
		add_stats(rd, t->first_byte, field(rd, ph, "first_byte"), scratch, "first_byte");
		add_stats(rd, t->transfer, field(rd, ph, "transfer"), scratch, "transfer");
	}
	t->requests += u64(rd, o, "requests");
	t->bytes_in += (double)u64(rd, o, "bytes_in");
	t->bytes_out += (double)u64(rd, o, "bytes_out");
	if (!t->first_failure)
		t->first_failure = dup_text(rd, o, "first_failure", oom);
}

/* One part's figures of a rehearsal into m. */
static int add_figures(reader *rd, tw_rehearsal_metrics *m, json_t *o, tw_histogram *scratch,
		       tw_error *err)
{
	bool oom = false;
	m->performances += u64(rd, o, "performances");
	m->achieved += u64(rd, o, "achieved");
	m->failed += u64(rd, o, "failed");
	m->unreachable += u64(rd, o, "unreachable");
	m->interrupted += u64(rd, o, "interrupted");
	add_stats(rd, m->time_to_outcome, field(rd, o, "time_to_outcome"), scratch,
		  "time_to_outcome");
	m->frontstage_steps += u64(rd, o, "frontstage_steps");
	m->frontstage_ms += num(rd, o, "frontstage_ms");
	json_t *phone = field(rd, o, "phone");
	if (json_is_object(phone)) {
		m->calls += u64(rd, phone, "calls");
		m->prompts += u64(rd, phone, "prompts");
		m->inputs += u64(rd, phone, "inputs");
		m->repeats += u64(rd, phone, "repeats");
		add_stats(rd, m->first_prompt, field(rd, phone, "first_prompt"), scratch,
			  "first_prompt");
		add_stats(rd, m->time_to_agent, field(rd, phone, "time_to_agent"), scratch,
			  "time_to_agent");
	}
	json_t *scenes = field(rd, o, "scenes");
	if (json_array_size(scenes) != m->scene_count)
		return usage_error(err, rd->file,
				   "rehearsal %s has %zu scenes, its script now %zu: the script "
				   "changed since the run",
				   text(rd, o, "path"), json_array_size(scenes), m->scene_count);
	for (size_t i = 0; i < m->scene_count; i++) {
		json_t *sc = json_array_get(scenes, i);
		tw_scene_metrics *sm = &m->scenes[i];
		sm->passed += u64(rd, sc, "passed");
		sm->failed += u64(rd, sc, "failed");
		sm->skipped += u64(rd, sc, "skipped");
		json_t *tps = field(rd, sc, "touchpoints");
		if (json_array_size(tps) != sm->step_count)
			return usage_error(err, rd->file,
					   "rehearsal %s, scene %zu has %zu touchpoints, its script "
					   "now %zu: the script changed since the run",
					   text(rd, o, "path"), i + 1, json_array_size(tps),
					   sm->step_count);
		for (size_t j = 0; j < sm->step_count; j++)
			add_touchpoint(rd, &sm->steps[j], json_array_get(tps, j), scratch, &oom);
	}
	if (oom)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	return TW_OK;
}

static void read_timings(reader *rd, json_t *o, tw_timings *t)
{
	t->dns_ms = num(rd, o, "dns");
	t->connect_ms = num(rd, o, "connect");
	t->tls_ms = num(rd, o, "tls");
	t->first_byte_ms = num(rd, o, "first_byte");
	t->total_ms = num(rd, o, "total");
	json_t *redirect = json_object_get(o, "redirect");
	t->redirect_ms = json_is_number(redirect) ? json_number_value(redirect) : 0;
}

/* The shown performance, rebuilt into r (whose script, path and name are
 * set) from a "shown" object. */
static int rebuild_shown(reader *rd, tw_rehearsal_result *r, json_t *sh, tw_error *err)
{
	bool oom = false;
	r->status = status_of(rd, sh, "status");
	r->elapsed_ms = num(rd, sh, "elapsed_ms");
	const char *started = text(rd, sh, "started_at");
	if (started)
		snprintf(r->started_at, sizeof(r->started_at), "%s", started);
	r->frontstage_steps = (long)i64(rd, sh, "frontstage_steps");
	r->frontstage_ms = num(rd, sh, "frontstage_ms");
	json_t *ph = field(rd, sh, "phone");
	r->phone.calls = (int)i64(rd, ph, "calls");
	r->phone.first_prompt_s = num(rd, ph, "first_prompt_s");
	r->phone.transfer_s = num(rd, ph, "transfer_s");
	r->phone.prompts = (int)i64(rd, ph, "prompts");
	r->phone.inputs = (int)i64(rd, ph, "inputs");
	r->phone.repeats = (int)i64(rd, ph, "repeats");
	tw_error_clear(&r->problem);
	if (!read_problem(rd, field(rd, sh, "problem"), &r->problem))
		oom = true;
	json_t *scenes = field(rd, sh, "scenes");
	const tw_script *s = r->script;
	if (json_is_array(scenes) && s) {
		if (json_array_size(scenes) != s->scene_count)
			return usage_error(err, rd->file,
					   "rehearsal %s: the shown performance has %zu scenes, the "
					   "script now %zu: the script changed since the run",
					   r->path, json_array_size(scenes), s->scene_count);
		r->scenes = calloc(s->scene_count ? s->scene_count : 1, sizeof(*r->scenes));
		if (!r->scenes)
			return tw_error_set(err, TW_ENOMEM, "out of memory");
		r->scene_count = s->scene_count;
		for (size_t i = 0; i < s->scene_count; i++) {
			json_t *so = json_array_get(scenes, i);
			tw_scene_result *sr = &r->scenes[i];
			const tw_scene *scene = &s->scenes[i];
			sr->scene = scene;
			sr->status = status_of(rd, so, "status");
			sr->elapsed_ms = num(rd, so, "elapsed_ms");
			sr->transcript = dup_text(rd, so, "transcript", &oom);
			json_t *steps = field(rd, so, "steps");
			if (!json_is_array(steps))
				continue;
			if (json_array_size(steps) != scene->step_count)
				return usage_error(err, rd->file,
						   "rehearsal %s, scene %zu: the shown performance has "
						   "%zu steps, the script now %zu: the script changed "
						   "since the run",
						   r->path, i + 1, json_array_size(steps),
						   scene->step_count);
			sr->steps = calloc(scene->step_count ? scene->step_count : 1,
					   sizeof(*sr->steps));
			if (!sr->steps)
				return tw_error_set(err, TW_ENOMEM, "out of memory");
			for (size_t j = 0; j < scene->step_count; j++) {
				json_t *st = json_array_get(steps, j);
				tw_step_result *x = &sr->steps[j];
				x->step = &scene->steps[j];
				x->status = status_of(rd, st, "status");
				x->message = dup_text(rd, st, "message", &oom);
				x->expected = dup_text(rd, st, "expected", &oom);
				x->actual = dup_text(rd, st, "actual", &oom);
				x->method = dup_text(rd, st, "method", &oom);
				x->url = dup_text(rd, st, "url", &oom);
				x->http_status = (long)i64(rd, st, "http_status");
				x->transport = json_is_true(field(rd, st, "transport"));
				x->retries = (int)i64(rd, st, "retries");
				x->requested = json_is_true(field(rd, st, "requested"));
				read_timings(rd, field(rd, st, "timings"), &x->timings);
				x->bytes_in = (double)u64(rd, st, "bytes_in");
				x->bytes_out = (double)u64(rd, st, "bytes_out");
				x->elapsed_ms = num(rd, st, "elapsed_ms");
			}
		}
	}
	if (oom)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	return TW_OK;
}

static bool shown_performed(json_t *entry)
{
	return json_is_array(json_object_get(json_object_get(entry, "shown"), "scenes"));
}

/* A part shows a performance cut off by the run's end only when it
 * performed none (runner.c's show_rank). */
static bool shown_interrupted(json_t *entry)
{
	json_t *performed = json_object_get(entry, "performances");
	return shown_performed(entry) && json_is_integer(performed) &&
	       json_integer_value(performed) == 0;
}

static bool shown_failed(json_t *entry)
{
	json_t *st = json_object_get(json_object_get(entry, "shown"), "status");
	return shown_performed(entry) && json_is_string(st) &&
	       strcmp(json_string_value(st), "passed") != 0;
}

/* The run's options: the plan's schedule and the first part's settings. */
static int read_options(tw_run_options *o, tw_vars **vars, const part *p, tw_error *err)
{
	reader rd = {.file = p->path};
	tw_run_options_init(o);
	json_t *s = json_object_get(p->plan, "schedule");
	o->performances = (unsigned long)u64(&rd, s, "performances");
	o->customers = (unsigned long)u64(&rd, s, "customers");
	o->rate = num(&rd, s, "rate");
	o->duration_ms = (long)i64(&rd, s, "duration_ms");
	o->ramp_ms = (long)i64(&rd, s, "ramp_ms");
	o->jobs = (unsigned)u64(&rd, s, "jobs");
	o->think_scale = num(&rd, s, "think_scale");
	o->max_failures = (unsigned long)u64(&rd, s, "max_failures");
	o->retries = (unsigned)u64(&rd, s, "retries");
	json_t *set = json_object_get(p->doc, "settings");
	if (json_is_object(set)) {
		o->connect_timeout_ms = (long)i64(&rd, set, "connect_timeout_ms");
		o->timeout_ms = (long)i64(&rd, set, "timeout_ms");
		o->max_redirects = (long)i64(&rd, set, "max_redirects");
		o->max_body = (size_t)u64(&rd, set, "max_body");
		o->insecure = json_is_true(json_object_get(set, "insecure"));
		o->call_max_fetches = (int)i64(&rd, set, "call_max_fetches");
		o->call_max_seconds = num(&rd, set, "call_max_seconds");
		o->call_max_loops = (int)i64(&rd, set, "call_max_loops");
		json_t *names = json_object_get(set, "variables");
		size_t i;
		json_t *v;
		*vars = tw_vars_new();
		if (!*vars)
			return tw_error_set(err, TW_ENOMEM, "out of memory");
		json_array_foreach(names, i, v)
			if (json_is_string(v) &&
			    tw_vars_set(*vars, json_string_value(v), "", false) != TW_OK)
				return tw_error_set(err, TW_ENOMEM, "out of memory");
		o->vars = *vars;
	}
	if (rd.bad)
		return usage_error(err, p->path, "\"%s\" in its schedule or settings is missing or "
				   "malformed", rd.bad);
	return TW_OK;
}

/* The run's own figures: the schedule as it went, times, host. */
static void read_totals(reader *rd, tw_run *run, const part *p, bool first)
{
	json_t *t = field(rd, p->doc, "totals");
	run->planned += u64(rd, t, "planned");
	run->started += u64(rd, t, "started");
	run->dropped += u64(rd, t, "dropped");
	const char *stopped = json_string_value(json_object_get(t, "stopped"));
	if (stopped && run->stop_reason == TW_STOP_NONE)
		run->stop_reason = strcmp(stopped, "interrupted") == 0 ? TW_STOP_INTERRUPTED
								      : TW_STOP_MAX_FAILURES;
	double elapsed = num(rd, p->doc, "elapsed_ms");
	if (elapsed > run->elapsed_ms)
		run->elapsed_ms = elapsed;
	const char *started = text(rd, p->doc, "started_at");
	if (started && (!run->started_at[0] || strcmp(started, run->started_at) < 0))
		snprintf(run->started_at, sizeof(run->started_at), "%s", started);
	const char *host = text(rd, p->doc, "host");
	if (first && host)
		snprintf(run->hostname, sizeof(run->hostname), "%s", host);
}

/*
 * Pairs each part's rehearsals with the plan's entries: a part holds a
 * subsequence of the plan, in order. found[i * n + k] is part k's entry
 * for plan entry i, or NULL.
 */
static int pair_up(part *parts, size_t n, json_t *plan_list, json_t **found, tw_error *err)
{
	size_t plan_count = json_array_size(plan_list);
	for (size_t k = 0; k < n; k++) {
		size_t cursor = 0, count = json_array_size(parts[k].rehearsals);
		for (size_t i = 0; i < plan_count && cursor < count; i++) {
			json_t *e = json_array_get(parts[k].rehearsals, cursor);
			const char *a = json_string_value(json_object_get(e, "path"));
			const char *b = json_string_value(
				json_object_get(json_array_get(plan_list, i), "path"));
			if (a && b && strcmp(a, b) == 0) {
				found[i * n + k] = e;
				cursor++;
			}
		}
		if (cursor < count)
			return usage_error(err, parts[k].path,
					   "holds rehearsals its plan does not list, or out of order");
	}
	/* Each entry where the sharding puts it: a performable one in its
	 * shard (rehearsals) or in every shard (performances); a broken one
	 * in shard 1. */
	bool by_rehearsal = strcmp(parts[0].mode, "rehearsals") == 0;
	size_t ordinal = 0;
	for (size_t i = 0; i < plan_count; i++) {
		json_t *pe = json_array_get(plan_list, i);
		bool broken = json_is_true(json_object_get(pe, "broken"));
		const char *path = json_string_value(json_object_get(pe, "path"));
		for (size_t k = 0; k < n; k++) {
			bool want = broken ? k == 0
					   : !by_rehearsal || ordinal % n == k;
			if (want != (found[i * n + k] != NULL))
				return usage_error(err, parts[k].path,
						   "%s rehearsal %s, which its shard %s",
						   want ? "lacks" : "holds", path ? path : "?",
						   want ? "should perform" : "should not perform");
		}
		ordinal += !broken;
	}
	return TW_OK;
}

static int build(tw_run *run, part *parts, size_t n, tw_error *err)
{
	json_t *plan_list = json_object_get(parts[0].plan, "rehearsals");
	size_t plan_count = json_array_size(plan_list);
	json_t **found = calloc(plan_count > 0 ? plan_count * n : 1, sizeof(*found));
	tw_histogram *scratch = tw_histogram_new();
	int rc = TW_OK;
	if (!found || !scratch)
		rc = tw_error_set(err, TW_ENOMEM, "out of memory");
	if (rc == TW_OK)
		rc = pair_up(parts, n, plan_list, found, err);

	/* The scripts, again, in plan order. */
	for (size_t i = 0; rc == TW_OK && i < plan_count; i++) {
		json_t *pe = json_array_get(plan_list, i);
		const char *path = json_string_value(json_object_get(pe, "path"));
		const char *name = json_string_value(json_object_get(pe, "name"));
		if (!path || !name) {
			rc = usage_error(err, parts[0].path, "has a malformed plan");
			break;
		}
		if (json_is_true(json_object_get(pe, "broken"))) {
			reader rd = {.file = parts[0].path};
			tw_error problem;
			json_t *entry = found[i * n];
			if (!read_problem(&rd, json_object_get(entry, "problem"), &problem))
				rc = tw_error_set(err, TW_ENOMEM, "out of memory");
			else if (tw_run_add_broken(run, path, &problem) != TW_OK)
				rc = tw_error_set(err, TW_ENOMEM, "out of memory");
			tw_error_clear(&problem);
			continue;
		}
		tw_script *script = NULL;
		tw_error e = {0};
		if (tw_script_load(&script, path, &e) != TW_OK) {
			rc = usage_error(err, parts[0].path,
					 "rehearsal %s in its plan cannot be loaded (merge reads the "
					 "scripts from the same checkout, relative to the current "
					 "folder): %s",
					 path, e.message ? e.message : tw_code_str(e.code));
			tw_error_clear(&e);
			break;
		}
		if (strcmp(tw_script_name(script), name) != 0) {
			rc = usage_error(err, parts[0].path,
					 "rehearsal %s is now called \"%s\", its plan says \"%s\": the "
					 "script changed since the run",
					 path, tw_script_name(script), name);
			tw_script_free(script);
			break;
		}
		rc = tw_run_add_script(run, script, err);
	}
	if (rc == TW_OK) {
		run->metrics = calloc(run->count ? run->count : 1, sizeof(*run->metrics));
		if (!run->metrics)
			rc = tw_error_set(err, TW_ENOMEM, "out of memory");
	}
	for (size_t i = 0; rc == TW_OK && i < run->count; i++) {
		tw_rehearsal_result *r = &run->rehearsals[i];
		if (tw_rehearsal_metrics_init(&run->metrics[i], r->script) != TW_OK) {
			rc = tw_error_set(err, TW_ENOMEM, "out of memory");
			break;
		}
		if (!r->script) {
			run->metrics[i].broken = 1;
			continue;
		}
		/* Shown: the first performance that failed, in shard order,
		 * else the first performed, else the first cut off by the
		 * run's end, else the first entry. */
		json_t *shown = NULL;
		const char *shown_file = NULL;
		int best = -1;
		for (size_t k = 0; rc == TW_OK && k < n; k++) {
			json_t *e = found[i * n + k];
			if (!e)
				continue;
			reader rd = {.file = parts[k].path};
			rc = add_figures(&rd, &run->metrics[i], e, scratch, err);
			if (rc == TW_OK && rd.bad)
				rc = usage_error(err, parts[k].path,
						 "\"%s\" of rehearsal %s is missing or malformed",
						 rd.bad, r->path);
			int rank = shown_interrupted(e) ? 1
				   : shown_failed(e)    ? 3
				   : shown_performed(e) ? 2
							: 0;
			if (rank > best) {
				best = rank;
				shown = e;
				shown_file = parts[k].path;
			}
		}
		if (rc == TW_OK && shown) {
			reader rd = {.file = shown_file};
			r->interrupted = best == 1;
			rc = rebuild_shown(&rd, r, json_object_get(shown, "shown"), err);
			if (rc == TW_OK && rd.bad)
				rc = usage_error(err, shown_file,
						 "\"%s\" in the shown performance of %s is missing or "
						 "malformed",
						 rd.bad, r->path);
		}
	}
	for (size_t k = 0; rc == TW_OK && k < n; k++) {
		reader rd = {.file = parts[k].path};
		read_totals(&rd, run, &parts[k], k == 0);
		if (rd.bad)
			rc = usage_error(err, parts[k].path, "\"%s\" is missing or malformed",
					 rd.bad);
	}
	if (rc == TW_OK && tw_run_record_plan(run) != TW_OK)
		rc = tw_error_set(err, TW_ENOMEM, "out of memory");
	free(found);
	tw_histogram_free(scratch);
	return rc;
}

int tw_run_load_parts(tw_run **out, const char *const *paths, size_t n, tw_error *err)
{
	*out = NULL;
	if (n == 0)
		return tw_error_set(err, TW_EUSAGE, "no parts to merge");
	part *parts = calloc(n, sizeof(*parts));
	if (!parts)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	int rc = TW_OK;
	for (size_t i = 0; rc == TW_OK && i < n; i++)
		rc = read_part(&parts[i], paths[i], err);
	if (rc == TW_OK)
		rc = check_parts(parts, n, err);
	tw_run_options opts;
	tw_vars *vars = NULL;
	if (rc == TW_OK)
		rc = read_options(&opts, &vars, &parts[0], err);
	tw_run *run = NULL;
	if (rc == TW_OK && (rc = tw_run_new(&run, &opts, err)) == TW_OK) {
		run->owned_vars = vars;
		vars = NULL;
		rc = build(run, parts, n, err);
	}
	tw_vars_free(vars);
	parts_free(parts, n);
	if (rc != TW_OK) {
		tw_run_free(run);
		return rc;
	}
	*out = run;
	return TW_OK;
}
