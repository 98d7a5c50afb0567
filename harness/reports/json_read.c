/*
 * Reading JSON results back (the writer is json.c, the format one
 * constant in json.h): the parts of a sharded run (docs/sharding.md)
 * merged into one tw_run, so that every report and the readiness score
 * come out as one machine would have produced them.
 *
 * A part is hostile input: any key may be missing, of another type, out of
 * range, duplicated or inconsistent with the plan or its own other
 * figures. Every value is read through one tw_jreader that knows the JSON
 * path it is at, so the first problem is reported as
 * "FILE: PATH: expected X, got Y", the run built so far in memory is
 * freed, and nothing is written. Every part is read whole with jansson and
 * checked: the same format and techweek version, the same lineup of
 * rehearsals and schedule, every shard 1..N exactly once. Each
 * rehearsal's plan (runner/plan.h) is rebuilt from the facts the first
 * part that holds it carries, and every other part that holds it must
 * carry the same: no script is read, so parts from another checkout or
 * machine merge as well as the scripts' own. Then each rehearsal's
 * figures are summed over the parts that hold it: counts, failures by
 * cause, bytes, and histograms bucket by bucket, with their exact min, max
 * and sum (tw_histogram_set_extremes). Every part's shown performance is
 * rebuilt (so each is checked); the one kept is the first that failed in
 * shard order, else the first.
 *
 * Errors: TW_EUSAGE with a message that starts with the file at fault;
 * TW_ENOMEM. No state outside the run being built.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/generate.h"
#include "core/jsonread.h"
#include "reports/json.h"
#include "runner/suite.h" /* issue 13, SUITE */
#include "techweek.h"

/* --shard I/N allows N up to 1000. */
#define MAX_SHARDS 1000

typedef struct part {
	const char *path;
	json_t *doc;
	json_t *plan;          /* borrowed from doc */
	json_t *rehearsals;    /* borrowed from doc */
	long long index, count;
	const char *mode;
} part;

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

static tw_status status_v(tw_jreader *rd, json_t *v)
{
	static const tw_status all[] = {TW_STATUS_PASSED, TW_STATUS_FAILED, TW_STATUS_SKIPPED,
					TW_STATUS_UNREACHABLE, TW_STATUS_BROKEN,
					TW_STATUS_LIMITED};
	const char *s = json_string_value(v);
	for (size_t i = 0; s && i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(s, tw_status_str(all[i])) == 0)
			return all[i];
	tw_jr_bad(rd, v, "a status (passed, failed, skipped, unreachable, broken or limited)");
	return TW_STATUS_FAILED;
}

static tw_status status_of(tw_jreader *rd, json_t *obj, const char *key)
{
	size_t m = tw_jr_push(rd, key, 0);
	tw_status v = status_v(rd, json_object_get(obj, key));
	tw_jr_pop(rd, m);
	return v;
}

/*
 * Adds the STATS object obj[key] to dst: its buckets counted again, then
 * its exact min, max and sum. scratch is a histogram to use. A missing
 * key or null adds nothing when nullable.
 */
static void add_stats(tw_jreader *rd, tw_histogram *dst, json_t *obj, const char *key,
		      tw_histogram *scratch, bool nullable)
{
	size_t m = tw_jr_push(rd, key, 0);
	json_t *st = json_object_get(obj, key);
	if (nullable && (!st || json_is_null(st))) {
		tw_jr_pop(rd, m);
		return;
	}
	st = tw_jr_object(rd, st, false);
	json_t *buckets = tw_jr_array_of(rd, st, "buckets", SIZE_MAX, "buckets", false);
	tw_histogram_reset(scratch);
	uint64_t total = 0;
	for (size_t i = 0; !tw_jr_failed(rd) && i < json_array_size(buckets); i++) {
		size_t mb = tw_jr_push(rd, "buckets", 0);
		tw_jr_push(rd, NULL, i);
		json_t *b = tw_jr_array(rd, json_array_get(buckets, i), 3, "numbers [low, high, count]",
				    false);
		double low = 0;
		uint64_t n = 0;
		if (b) {
			size_t k = tw_jr_push(rd, NULL, 0);
			low = tw_jr_number(rd, json_array_get(b, 0), 0);
			tw_jr_pop(rd, k);
			k = tw_jr_push(rd, NULL, 1);
			tw_jr_number(rd, json_array_get(b, 1), 0);
			tw_jr_pop(rd, k);
			k = tw_jr_push(rd, NULL, 2);
			n = tw_jr_count(rd, json_array_get(b, 2));
			tw_jr_pop(rd, k);
		}
		tw_jr_pop(rd, mb);
		if (n > (uint64_t)TW_JR_MAX_COUNT - total) {
			tw_jr_bad_because(rd, "the buckets count more than %lld", (long long)TW_JR_MAX_COUNT);
			break;
		}
		total += n;
		if (!tw_jr_failed(rd))
			tw_histogram_add_count(scratch, low, n);
	}
	uint64_t count = tw_jr_count_of(rd, st, "count");
	double min = tw_jr_number_of(rd, st, "min", 0), max = tw_jr_number_of(rd, st, "max", 0);
	double sum = tw_jr_number_of(rd, st, "sum", 0);
	if (!tw_jr_failed(rd) && count != total)
		tw_jr_bad_because(rd, "count is %llu, its buckets count %llu", (unsigned long long)count,
			    (unsigned long long)total);
	if (!tw_jr_failed(rd) && count > 0 && max < min)
		tw_jr_bad_because(rd, "max %g is below min %g", max, min);
	if (!tw_jr_failed(rd)) {
		tw_histogram_set_extremes(scratch, min, max, sum);
		tw_histogram_merge(dst, scratch);
	}
	tw_jr_pop(rd, m);
}

/* ---- the parts ---- */

static void read_schedule(tw_jreader *rd, json_t *plan, tw_run_options *o);
static int read_settings(tw_jreader *rd, json_t *doc, tw_run_options *o, tw_vars *vars,
			 tw_error *err);

static void parts_free(part *parts, size_t n)
{
	for (size_t i = 0; parts && i < n; i++)
		json_decref(parts[i].doc);
	free(parts);
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The plan: the lineup of rehearsals (each path once, a name, broken or
 * not) and the schedule (read_options reads it). A path is only a name:
 * merge reads no script. */
static int check_plan(tw_jreader *rd, json_t *plan, tw_error *err)
{
	size_t m = tw_jr_push(rd, "plan", 0);
	json_t *list = tw_jr_array_of(rd, plan, "rehearsals", SIZE_MAX, "rehearsals", false);
	tw_run_options schedule;
	read_schedule(rd, plan, &schedule);
	size_t count = json_array_size(list);
	const char **paths = calloc(count ? count : 1, sizeof(*paths));
	if (!paths)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	size_t ml = tw_jr_push(rd, "rehearsals", 0);
	for (size_t i = 0; !tw_jr_failed(rd) && i < count; i++) {
		size_t mi = tw_jr_push(rd, NULL, i);
		json_t *e = tw_jr_object(rd, json_array_get(list, i), false);
		paths[i] = tw_jr_string_of(rd, e, "path", false);
		tw_jr_string_of(rd, e, "name", false);
		tw_jr_bool_of(rd, e, "broken");
		if (json_object_get(e, "performances")) /* format 9: issue 13, DATA */
			tw_jr_integer_of(rd, e, "performances", 1, LONG_MAX);
		tw_jr_pop(rd, mi);
	}
	tw_jr_pop(rd, ml);
	if (!tw_jr_failed(rd) && count > 1) {
		qsort(paths, count, sizeof(*paths), by_string);
		for (size_t i = 1; i < count && !tw_jr_failed(rd); i++)
			if (strcmp(paths[i - 1], paths[i]) == 0)
				tw_jr_bad_because(rd, "lists a rehearsal twice");
	}
	free(paths);
	tw_jr_pop(rd, m);
	return tw_jr_failed(rd) ? tw_jr_error(rd, err) : TW_OK;
}

/* Reads and checks one part on its own; takes doc (NULL: not JSON, with
 * je saying why). */
static int read_part(part *p, const char *path, json_t *doc, const json_error_t *je,
		     tw_error *err)
{
	memset(p, 0, sizeof(*p));
	p->path = path;
	p->doc = doc;
	if (!p->doc)
		return usage_error(err, path, "not a JSON result (%s, line %d): corrupt or truncated?",
				   je->text, je->line);
	if (!json_is_object(p->doc))
		return usage_error(err, path, "not a techweek JSON result (not an object)");
	json_t *format = json_object_get(p->doc, "format");
	json_t *version = json_object_get(p->doc, "techweek");
	if (!json_is_integer(format) || !json_is_string(version))
		return usage_error(err, path, "not a techweek JSON result (no format or version)");
	if (json_integer_value(format) != TW_JSON_FORMAT)
		return usage_error(err, path,
				   "JSON result format %lld; merge reads format %d (run the shards "
				   "with this techweek)",
				   (long long)json_integer_value(format), TW_JSON_FORMAT);
	if (strcmp(json_string_value(version), tw_version()) != 0)
		return usage_error(err, path,
				   "written by techweek %s; this is techweek %s (run every shard and "
				   "the merge with one version)",
				   json_string_value(version), tw_version());
	p->plan = json_object_get(p->doc, "plan");
	p->rehearsals = json_object_get(p->doc, "rehearsals");
	if (!json_is_object(p->plan) || !json_is_array(p->rehearsals))
		return usage_error(err, path, "has no plan or rehearsals: not the result of a run");
	tw_jreader rd = {.file = path};
	int rc = check_plan(&rd, p->plan, err);
	tw_run_options settings;
	if (rc == TW_OK)
		rc = read_settings(&rd, p->doc, &settings, NULL, err);
	if (rc == TW_OK && tw_jr_failed(&rd))
		rc = tw_jr_error(&rd, err);
	if (rc != TW_OK)
		return rc;
	json_t *shard = json_object_get(p->doc, "shard");
	if (json_is_null(shard)) {
		p->index = p->count = 1;
		p->mode = "none";
		return TW_OK;
	}
	size_t m = tw_jr_push(&rd, "shard", 0);
	shard = tw_jr_object(&rd, shard, true);
	p->count = tw_jr_integer_of(&rd, shard, "count", 1, MAX_SHARDS);
	p->index = tw_jr_integer_of(&rd, shard, "index", 1, p->count > 0 ? p->count : 1);
	p->mode = tw_jr_string_of(&rd, shard, "mode", false);
	if (p->mode && strcmp(p->mode, "rehearsals") != 0 && strcmp(p->mode, "performances") != 0) {
		size_t mm = tw_jr_push(&rd, "mode", 0);
		tw_jr_bad(&rd, json_object_get(shard, "mode"), "\"rehearsals\" or \"performances\"");
		tw_jr_pop(&rd, mm);
	}
	tw_jr_pop(&rd, m);
	return tw_jr_failed(&rd) ? tw_jr_error(&rd, err) : TW_OK;
}

static int by_index(const void *a, const void *b)
{
	const part *x = a, *y = b;
	return (x->index > y->index) - (x->index < y->index);
}

/*
 * Plans compared as values: a number is the same whether written 1 or
 * 1.0, so a part that went through another JSON tool (jq) still matches.
 */
static bool same_json(json_t *a, json_t *b)
{
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	if (json_typeof(a) != json_typeof(b))
		return false;
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return false;
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!same_json(json_array_get(a, i), json_array_get(b, i)))
				return false;
		return true;
	}
	if (json_is_object(a)) {
		if (json_object_size(a) != json_object_size(b))
			return false;
		const char *key;
		json_t *v;
		json_object_foreach(a, key, v) {
			json_t *w = json_object_get(b, key);
			if (!w || !same_json(v, w))
				return false;
		}
		return true;
	}
	return json_equal(a, b);
}

/* issue 13, F4: "staging", or none (null or absent), for the message */
static void environment_words(char *out, size_t size, json_t *env)
{
	if (json_is_string(env))
		snprintf(out, size, "\"%s\"", json_string_value(env));
	else
		snprintf(out, size, "none");
}

/* issue 13, F4: part p and part first agree on the environment and the
 * selection (absent and null alike: none). */
static int same_run_wide(const part *p, const part *first, tw_error *err)
{
	json_t *a = json_object_get(p->doc, "environment"),
	       *b = json_object_get(first->doc, "environment");
	json_t *null = json_null();
	if (!same_json(a ? a : null, b ? b : null)) {
		char here[160], there[160];
		environment_words(here, sizeof(here), a);
		environment_words(there, sizeof(there), b);
		return usage_error(err, p->path,
				   "belongs to another run than %s: its environment (environment) is "
				   "%s, %s's is %s: merge the parts of one run",
				   first->path, here, first->path, there);
	}
	a = json_object_get(p->doc, "selection");
	b = json_object_get(first->doc, "selection");
	if (!same_json(a ? a : null, b ? b : null))
		return usage_error(err, p->path,
				   "belongs to another run than %s: its selection (selection) differs "
				   "(--tag, --skip-tag, --name): merge the parts of one run",
				   first->path);
	return TW_OK;
}

/* issue 13, F4: the parts' seed when all agree; else the merged run has
 * none (settings.seed null: no one --seed reproduces every shard). */
static void merge_seed(tw_run *run, const part *parts, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		json_t *a = json_object_get(json_object_get(parts[i].doc, "settings"), "seed"),
		       *b = json_object_get(json_object_get(parts[0].doc, "settings"), "seed");
		if (!a || !b || !same_json(a, b)) {
			run->seed_unknown = true;
			run->seed = 0;
			return;
		}
	}
	run->seed_unknown = !run->opts.seed_set && n > 0 &&
			    json_is_null(json_object_get(json_object_get(parts[0].doc, "settings"),
							 "seed"));
}

/* The parts together: one plan, every shard once. Sorts them by shard. */
static int check_parts(part *parts, size_t n, tw_error *err)
{
	for (size_t i = 1; i < n; i++) {
		if (!same_json(parts[i].plan, parts[0].plan))
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
	/* issue 13, F4: every shard of a run was given the same --env and
	 * selection; a part that says otherwise is of another run */
	for (size_t i = 1; i < n; i++) {
		int rc = same_run_wide(&parts[i], &parts[0], err);
		if (rc != TW_OK)
			return rc;
	}
	qsort(parts, n, sizeof(*parts), by_index);
	for (size_t i = 1; i < n; i++)
		if (parts[i].index == parts[i - 1].index)
			return usage_error(err, parts[i].path,
					   "repeats shard %lld/%lld (%s is that shard too)",
					   parts[i].index, parts[i].count, parts[i - 1].path);
	/* Sorted and without repeats: shard k is at k - 1 unless missing. */
	for (long long k = 1; k <= parts[0].count; k++)
		if ((size_t)(k - 1) >= n || parts[k - 1].index != k)
			return usage_error(err, parts[0].path,
					   "is one of %lld shards, but shard %lld/%lld is "
					   "missing: give every part of the run",
					   parts[0].count, k, parts[0].count);
	return TW_OK;
}

/* ---- building the run ---- */

static tw_code code_v(tw_jreader *rd, json_t *v)
{
	const char *s = json_string_value(v);
	for (int c = TW_ENOMEM; s && c <= TW_EINTERNAL; c++)
		if (strcmp(s, tw_code_str((tw_code)c)) == 0)
			return (tw_code)c;
	tw_jr_bad(rd, v, "an error code");
	return TW_ECHECK;
}

/* The problem obj[key] (an object or null) into e; false when out of
 * memory. */
static bool read_problem(tw_jreader *rd, json_t *obj, const char *key, tw_error *e)
{
	memset(e, 0, sizeof(*e));
	bool oom = false;
	size_t m = tw_jr_push(rd, key, 0);
	json_t *o = tw_jr_object(rd, json_object_get(obj, key), true);
	if (o) {
		size_t mc = tw_jr_push(rd, "code", 0);
		e->code = code_v(rd, json_object_get(o, "code"));
		tw_jr_pop(rd, mc);
		e->message = tw_jr_dup_string_of(rd, o, "message", &oom);
		e->file = tw_jr_dup_string_of(rd, o, "file", &oom);
		e->line = (int)tw_jr_integer_of(rd, o, "line", 0, INT_MAX);
		e->col = (int)tw_jr_integer_of(rd, o, "col", 0, INT_MAX);
		if (json_object_get(o, "source_line"))
			e->source_line = tw_jr_dup_string_of(rd, o, "source_line", &oom);
	}
	tw_jr_pop(rd, m);
	return !oom;
}

/* How a figure stands to the others a run counts with it. */
typedef enum { MAKE, IS, AT_MOST } relation;

/* Records, unless it holds, that the figure named what (n) is what the
 * figure or sum named of (limit) makes (MAKE: a sum, IS: one figure) or
 * at most that (AT_MOST): figures a run counts together always agree
 * (runner/result.c adds each performance to every level at once), so a
 * part whose do not was altered. */
static void agree(tw_jreader *rd, const char *what, uint64_t n, const char *of, uint64_t limit,
		  relation r)
{
	if (r == AT_MOST ? n > limit : n != limit)
		tw_jr_bad_because(rd, "%s is %llu, but %s %s %llu", what, (unsigned long long)n, of,
				  r == MAKE ? "make" : r == IS ? "is" : "is only",
				  (unsigned long long)limit);
}

/* What one part added to h since it counted before. */
static uint64_t added(const tw_histogram *h, uint64_t before)
{
	return tw_histogram_count(h) - before;
}

/* A touchpoint's figures in one part; scene_passed and scene_failed are
 * its scene's in that part: a step is performed only in a scene that was
 * not skipped, and a step that did not pass fails its scene. */
static void add_touchpoint(tw_jreader *rd, tw_touchpoint_metrics *t, json_t *o, tw_histogram *scratch,
			   uint64_t part_limited, uint64_t scene_passed, uint64_t scene_failed,
			   bool *oom)
{
	uint64_t count = tw_jr_count_of(rd, o, "count");
	uint64_t passed = tw_jr_count_of(rd, o, "passed");
	uint64_t failed_n = tw_jr_count_of(rd, o, "failed");
	agree(rd, "count", count, "passed + failed", passed + failed_n, MAKE);
	agree(rd, "count", count, "the scene's passed + failed", scene_passed + scene_failed,
	      AT_MOST);
	agree(rd, "failed", failed_n, "the scene's failed", scene_failed, AT_MOST);
	t->count += count;
	t->passed += passed;
	t->failed += failed_n;
	json_t *f = tw_jr_object_of(rd, o, "failures", false);
	size_t m = tw_jr_push(rd, "failures", 0);
	uint64_t causes = 0;
	for (int k = 0; k < TW_CAUSE_COUNT; k++) {
		/* issue 14, F2: results before it have no "service" */
		if (k == TW_CAUSE_SERVICE && !json_object_get(f, tw_cause_str((tw_cause)k)))
			continue;
		uint64_t c = tw_jr_count_of(rd, f, tw_cause_str((tw_cause)k));
		causes += c;
		t->failures[k] += c;
	}
	tw_jr_pop(rd, m);
	agree(rd, "failed", failed_n, "its failures by cause", causes, MAKE);
	t->retries += tw_jr_count_of(rd, o, "retries");
	uint64_t retried = tw_jr_count_of(rd, o, "retried_passes");
	agree(rd, "retried_passes", retried, "passed", passed, AT_MOST);
	t->retried_passes += retried;
	t->polls += tw_jr_count_of(rd, o, "polls");
	uint64_t before = tw_histogram_count(t->latency);
	add_stats(rd, t->latency, o, "latency", scratch, false);
	/* Every step performed is timed; the phases of those that sent a
	 * request, all five at once. */
	agree(rd, "latency.count", added(t->latency, before), "count", count, IS);
	json_t *ph = tw_jr_object_of(rd, o, "phases", true);
	if (ph) {
		m = tw_jr_push(rd, "phases", 0);
		uint64_t dns = tw_histogram_count(t->dns);
		add_stats(rd, t->dns, ph, "dns", scratch, false);
		dns = added(t->dns, dns);
		agree(rd, "dns.count", dns, "the touchpoint's count", count, AT_MOST);
		static const char *const names[] = {"connect", "tls", "first_byte", "transfer"};
		tw_histogram *const phases[] = {t->connect, t->tls, t->first_byte, t->transfer};
		for (size_t k = 0; k < sizeof(phases) / sizeof(phases[0]); k++) {
			uint64_t n = tw_histogram_count(phases[k]);
			add_stats(rd, phases[k], ph, names[k], scratch, false);
			char what[32];
			snprintf(what, sizeof(what), "%s.count", names[k]);
			agree(rd, what, added(phases[k], n), "dns.count", dns, IS);
		}
		tw_jr_pop(rd, m);
	}
	/* No bound from count: a performance may send any number of
	 * requests (redirect hops, retries), or none. */
	t->requests += tw_jr_count_of(rd, o, "requests");
	t->bytes_in += (double)tw_jr_count_of(rd, o, "bytes_in");
	t->bytes_out += (double)tw_jr_count_of(rd, o, "bytes_out");
	if (!t->first_failure)
		t->first_failure = tw_jr_dup_string_of(rd, o, "first_failure", oom);
	else
		tw_jr_string_of(rd, o, "first_failure", true);
	/* Ended here at techweek's limit: in none of the figures above. */
	uint64_t limited = tw_jr_count_of(rd, o, "limited");
	agree(rd, "limited", limited, "the rehearsal's limited", part_limited, AT_MOST);
	t->limited += limited;
	if (!t->first_limit)
		t->first_limit = tw_jr_dup_string_of(rd, o, "first_limit", oom);
	else
		tw_jr_string_of(rd, o, "first_limit", true);
}

/* One part's figures of a rehearsal (the entry o, at the tw_jreader's path)
 * into m. */
static int add_figures(tw_jreader *rd, tw_rehearsal_metrics *m, json_t *o, tw_histogram *scratch,
		       tw_error *err)
{
	bool oom = false;
	uint64_t performances = tw_jr_count_of(rd, o, "performances");
	uint64_t achieved = tw_jr_count_of(rd, o, "achieved");
	uint64_t failed_n = tw_jr_count_of(rd, o, "failed");
	uint64_t unreachable = tw_jr_count_of(rd, o, "unreachable");
	uint64_t broken = tw_jr_count_of(rd, o, "broken");
	/* Cut off by the run's end, or ended at techweek's limit: not the
	 * service's doing, so in no other figure. */
	m->interrupted += tw_jr_count_of(rd, o, "interrupted");
	uint64_t limited = tw_jr_count_of(rd, o, "limited");
	m->limited += limited;
	agree(rd, "performances", performances, "achieved + failed + unreachable + broken",
	      achieved + failed_n + unreachable + broken, MAKE);
	m->performances += performances;
	m->achieved += achieved;
	uint64_t retried = tw_jr_count_of(rd, o, "retried_achieved");
	agree(rd, "retried_achieved", retried, "achieved", achieved, AT_MOST);
	m->retried_achieved += retried;
	m->failed += failed_n;
	m->unreachable += unreachable;
	m->broken += broken;
	uint64_t before = tw_histogram_count(m->time_to_outcome);
	add_stats(rd, m->time_to_outcome, o, "time_to_outcome", scratch, false);
	/* Each performance that achieved its outcome is timed to it. */
	agree(rd, "time_to_outcome.count", added(m->time_to_outcome, before), "achieved", achieved,
	      IS);
	m->frontstage_steps += tw_jr_count_of(rd, o, "frontstage_steps");
	m->frontstage_ms += tw_jr_number_of(rd, o, "frontstage_ms", 0);
	json_t *phone = tw_jr_object_of(rd, o, "phone", true);
	if (phone) {
		size_t mp = tw_jr_push(rd, "phone", 0);
		m->calls += tw_jr_count_of(rd, phone, "calls");
		m->prompts += tw_jr_count_of(rd, phone, "prompts");
		m->inputs += tw_jr_count_of(rd, phone, "inputs");
		m->repeats += tw_jr_count_of(rd, phone, "repeats");
		/* Each part names its most re-prompted menu: the run's is
		 * the one most turns named over the parts. */
		const char *menu = tw_jr_string_of(rd, phone, "reprompted_menu", true);
		tw_menu_turns_add(m->menus, menu, tw_jr_count_of(rd, phone, "reprompted_menu_turns"));
		/* At most one first prompt and one transfer a performance. */
		before = tw_histogram_count(m->first_prompt);
		add_stats(rd, m->first_prompt, phone, "first_prompt", scratch, false);
		agree(rd, "first_prompt.count", added(m->first_prompt, before),
		      "the rehearsal's performances", performances, AT_MOST);
		before = tw_histogram_count(m->time_to_agent);
		add_stats(rd, m->time_to_agent, phone, "time_to_agent", scratch, false);
		agree(rd, "time_to_agent.count", added(m->time_to_agent, before),
		      "the rehearsal's performances", performances, AT_MOST);
		tw_jr_pop(rd, mp);
	}
	json_t *scenes = tw_jr_array_of(rd, o, "scenes", m->scene_count, "scenes", false);
	size_t ms = tw_jr_push(rd, "scenes", 0);
	for (size_t i = 0; scenes && !tw_jr_failed(rd) && i < m->scene_count; i++) {
		size_t mi = tw_jr_push(rd, NULL, i);
		json_t *sc = tw_jr_object(rd, json_array_get(scenes, i), false);
		tw_scene_metrics *sm = &m->scenes[i];
		uint64_t passed = tw_jr_count_of(rd, sc, "passed");
		uint64_t scene_failed = tw_jr_count_of(rd, sc, "failed");
		uint64_t skipped = tw_jr_count_of(rd, sc, "skipped");
		/* issue 13, FLOW (format 9): left out by its `when` */
		uint64_t not_run = json_object_get(sc, "not_run") ? tw_jr_count_of(rd, sc, "not_run")
								  : 0;
		sm->not_run += not_run;
		/* Every performance counted passes, fails or skips each scene,
		 * or its `when` left it out; one that achieved its outcome
		 * failed none. */
		agree(rd, not_run ? "passed + failed + skipped + not_run" : "passed + failed + skipped",
		      passed + scene_failed + skipped + not_run, "the rehearsal's performances",
		      performances, IS);
		agree(rd, "failed", scene_failed, "the rehearsal's performances not achieved",
		      performances - achieved, AT_MOST);
		sm->passed += passed;
		sm->failed += scene_failed;
		sm->skipped += skipped;
		json_t *tps = tw_jr_array_of(rd, sc, "touchpoints", sm->step_count, "touchpoints", false);
		size_t mt = tw_jr_push(rd, "touchpoints", 0);
		for (size_t j = 0; tps && !tw_jr_failed(rd) && j < sm->step_count; j++) {
			size_t mj = tw_jr_push(rd, NULL, j);
			json_t *tp = tw_jr_object(rd, json_array_get(tps, j), false);
			add_touchpoint(rd, &sm->steps[j], tp, scratch, limited, passed, scene_failed,
				       &oom);
			tw_jr_pop(rd, mj);
		}
		tw_jr_pop(rd, mt);
		tw_jr_pop(rd, mi);
	}
	tw_jr_pop(rd, ms);
	if (oom)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	return TW_OK;
}

static void read_timings(tw_jreader *rd, json_t *obj, tw_timings *t)
{
	json_t *o = tw_jr_object_of(rd, obj, "timings", false);
	size_t m = tw_jr_push(rd, "timings", 0);
	t->dns_ms = tw_jr_number_of(rd, o, "dns", 0);
	t->connect_ms = tw_jr_number_of(rd, o, "connect", 0);
	t->tls_ms = tw_jr_number_of(rd, o, "tls", 0);
	t->first_byte_ms = tw_jr_number_of(rd, o, "first_byte", 0);
	t->total_ms = tw_jr_number_of(rd, o, "total", 0);
	t->redirect_ms = tw_jr_number_of(rd, o, "redirect", 0);
	tw_jr_pop(rd, m);
}

/* A step's request chain (json.c's hops): at most TW_STEP_HOPS_MAX, as a
 * step keeps them, each method a word that fits. */
static void read_hops(tw_jreader *rd, json_t *st, tw_step_result *x, bool *oom)
{
	json_t *a = tw_jr_array_of(rd, st, "hops", SIZE_MAX, "hops", false);
	size_t m = tw_jr_push(rd, "hops", 0);
	if (a && json_array_size(a) > TW_STEP_HOPS_MAX)
		tw_jr_bad_because(rd, "more than %d hops: a step keeps %d", TW_STEP_HOPS_MAX,
				  TW_STEP_HOPS_MAX);
	for (size_t i = 0; a && !tw_jr_failed(rd) && !*oom && i < json_array_size(a); i++) {
		size_t mi = tw_jr_push(rd, NULL, i);
		json_t *h = tw_jr_object(rd, json_array_get(a, i), false);
		const char *method = tw_jr_string_of(rd, h, "method", false);
		size_t mm = tw_jr_push(rd, "method", 0);
		if (method && (!*method || strlen(method) >= TW_HOP_METHOD_SIZE))
			tw_jr_bad_because(rd, "expected an HTTP method of 1 to %d characters",
					  TW_HOP_METHOD_SIZE - 1);
		tw_jr_pop(rd, mm);
		char *url = tw_jr_dup_string_of(rd, h, "url", oom);
		json_t *status = json_object_get(h, "status");
		long code = json_is_null(status) ? 0
						 : (long)tw_jr_integer_of(rd, h, "status", 100, 999);
		int poll = json_object_get(h, "poll")
				   ? (int)tw_jr_integer_of(rd, h, "poll", 1, INT_MAX)
				   : 0;
		if (!tw_jr_failed(rd) && !*oom && tw_step_result_add_hop(x, method, url, code))
			*oom = true;
		else if (!tw_jr_failed(rd) && !*oom)
			x->hops[x->hop_count - 1].poll = poll;
		else if (tw_jr_failed(rd) || *oom)
			free(url);
		tw_jr_pop(rd, mi);
	}
	tw_jr_pop(rd, m);
	x->hops_left_out = (unsigned long)tw_jr_integer_of(rd, st, "hops_left_out", 0,
							   x->hop_count == TW_STEP_HOPS_MAX
								   ? TW_JR_MAX_COUNT
								   : 0);
}

static void read_step(tw_jreader *rd, json_t *st, tw_step_result *x, bool *oom)
{
	x->status = status_of(rd, st, "status");
	x->message = tw_jr_dup_string_of(rd, st, "message", oom);
	x->expected = tw_jr_dup_string_of(rd, st, "expected", oom);
	x->actual = tw_jr_dup_string_of(rd, st, "actual", oom);
	x->method = tw_jr_dup_string_of(rd, st, "method", oom);
	x->url = tw_jr_dup_string_of(rd, st, "url", oom);
	x->http_status = (long)tw_jr_integer_of(rd, st, "http_status", 0, 999);
	read_hops(rd, st, x, oom);
	x->transport = tw_jr_bool_of(rd, st, "transport");
	if (json_object_get(st, "service")) /* issue 14, F2: optional */
		x->service = tw_jr_bool_of(rd, st, "service");
	x->retries = (int)tw_jr_integer_of(rd, st, "retries", 0, INT_MAX);
	x->polls = (int)tw_jr_integer_of(rd, st, "polls", 0, INT_MAX);
	x->note = tw_jr_dup_string_of(rd, st, "note", oom);
	x->requested = tw_jr_bool_of(rd, st, "requested");
	read_timings(rd, st, &x->timings);
	x->bytes_in = (double)tw_jr_count_of(rd, st, "bytes_in");
	x->bytes_out = (double)tw_jr_count_of(rd, st, "bytes_out");
	x->elapsed_ms = tw_jr_number_of(rd, st, "elapsed_ms", 0);
}

/* The shown performance of the entry (at the tw_jreader's path) rebuilt into
 * r, whose plan is set; r holds what it could read even on a problem,
 * so tw_rehearsal_result_free frees it. */
static int rebuild_shown(tw_jreader *rd, tw_rehearsal_result *r, json_t *entry, tw_error *err)
{
	bool oom = false;
	size_t m = tw_jr_push(rd, "shown", 0);
	json_t *sh = tw_jr_object(rd, json_object_get(entry, "shown"), false);
	r->status = status_of(rd, sh, "status");
	r->elapsed_ms = tw_jr_number_of(rd, sh, "elapsed_ms", 0);
	const char *started = tw_jr_string_of(rd, sh, "started_at", true);
	if (started)
		snprintf(r->started_at, sizeof(r->started_at), "%s", started);
	r->frontstage_steps = (long)tw_jr_integer_of(rd, sh, "frontstage_steps", 0, TW_JR_MAX_COUNT);
	r->frontstage_ms = tw_jr_number_of(rd, sh, "frontstage_ms", 0);
	json_t *ph = tw_jr_object_of(rd, sh, "phone", false);
	size_t mp = tw_jr_push(rd, "phone", 0);
	r->phone.calls = (int)tw_jr_integer_of(rd, ph, "calls", 0, INT_MAX);
	/* -1: no prompt heard, no transfer */
	r->phone.first_prompt_s = tw_jr_number_of(rd, ph, "first_prompt_s", -1);
	r->phone.transfer_s = tw_jr_number_of(rd, ph, "transfer_s", -1);
	r->phone.prompts = (int)tw_jr_integer_of(rd, ph, "prompts", 0, INT_MAX);
	r->phone.inputs = (int)tw_jr_integer_of(rd, ph, "inputs", 0, INT_MAX);
	r->phone.repeats = (int)tw_jr_integer_of(rd, ph, "repeats", 0, INT_MAX);
	const char *menu = tw_jr_string_of(rd, ph, "reprompted_menu", true);
	snprintf(r->phone.menu, sizeof(r->phone.menu), "%s", menu ? menu : "");
	r->phone.menu_turns = (int)tw_jr_integer_of(rd, ph, "reprompted_menu_turns", 0, INT_MAX);
	tw_jr_pop(rd, mp);
	if (!read_problem(rd, sh, "problem", &r->problem))
		oom = true;
	/* format 9: issue 13, DATA: the data row, when there was one */
	if (json_object_get(sh, "data_row")) {
		r->data_row = (long)tw_jr_integer_of(rd, sh, "data_row", 1, LONG_MAX);
		r->data_file = tw_jr_dup_string_of(rd, sh, "data_file", &oom);
		r->seq = (unsigned long long)tw_jr_integer_of(rd, sh, "performance", 1, LLONG_MAX);
	}
	const tw_plan *s = r->plan;
	json_t *scenes = tw_jr_array_of(rd, sh, "scenes", s->scene_count, "scenes", true);
	if (scenes && !tw_jr_failed(rd) && !oom) {
		r->scenes = calloc(s->scene_count ? s->scene_count : 1, sizeof(*r->scenes));
		if (!r->scenes)
			oom = true;
		else
			r->scene_count = s->scene_count;
	}
	size_t ms = tw_jr_push(rd, "scenes", 0);
	for (size_t i = 0; r->scenes && !tw_jr_failed(rd) && !oom && i < s->scene_count; i++) {
		size_t mi = tw_jr_push(rd, NULL, i);
		json_t *so = tw_jr_object(rd, json_array_get(scenes, i), false);
		tw_scene_result *sr = &r->scenes[i];
		const tw_plan_scene *scene = &s->scenes[i];
		sr->scene = scene;
		sr->status = status_of(rd, so, "status");
		sr->elapsed_ms = tw_jr_number_of(rd, so, "elapsed_ms", 0);
		sr->transcript = tw_jr_dup_string_of(rd, so, "transcript", &oom);
		/* issue 13, FLOW (format 9): why its `when` left it out */
		if (json_object_get(so, "why"))
			sr->not_run = tw_jr_dup_string_of(rd, so, "why", &oom);
		json_t *steps =
			tw_jr_array_of(rd, so, "steps", scene->touchpoint_count, "steps", false);
		if (steps && !tw_jr_failed(rd)) {
			sr->steps = calloc(scene->touchpoint_count ? scene->touchpoint_count : 1,
					   sizeof(*sr->steps));
			if (!sr->steps)
				oom = true;
		}
		size_t mt = tw_jr_push(rd, "steps", 0);
		for (size_t j = 0; sr->steps && !tw_jr_failed(rd) && j < scene->touchpoint_count; j++) {
			size_t mj = tw_jr_push(rd, NULL, j);
			json_t *st = tw_jr_object(rd, json_array_get(steps, j), false);
			sr->steps[j].step = &scene->touchpoints[j];
			read_step(rd, st, &sr->steps[j], &oom);
			tw_jr_pop(rd, mj);
		}
		tw_jr_pop(rd, mt);
		tw_jr_pop(rd, mi);
	}
	tw_jr_pop(rd, ms);
	tw_jr_pop(rd, m);
	if (oom)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	return TW_OK;
}

/* The plan's schedule (at the tw_jreader's path) into o. */
static void read_schedule(tw_jreader *rd, json_t *plan, tw_run_options *o)
{
	json_t *s = tw_jr_object_of(rd, plan, "schedule", false);
	size_t m = tw_jr_push(rd, "schedule", 0);
	o->performances = (unsigned long)tw_jr_count_of(rd, s, "performances");
	o->customers = (unsigned long)tw_jr_count_of(rd, s, "customers");
	o->rate = tw_jr_number_of(rd, s, "rate", 0);
	o->duration_ms = (long)tw_jr_integer_of(rd, s, "duration_ms", 0, (long long)TW_JR_MAX_TIME);
	o->ramp_ms = (long)tw_jr_integer_of(rd, s, "ramp_ms", 0, (long long)TW_JR_MAX_TIME);
	o->jobs = (unsigned)tw_jr_integer_of(rd, s, "jobs", 0, UINT_MAX);
	o->think_scale = tw_jr_number_of(rd, s, "think_scale", 0);
	o->max_failures = (unsigned long)tw_jr_count_of(rd, s, "max_failures");
	o->retries = (unsigned)tw_jr_integer_of(rd, s, "retries", 0, UINT_MAX);
	tw_jr_pop(rd, m);
}

/* A part's settings into o, the variables' names into vars (NULL: only
 * checked). TW_OK, or TW_ENOMEM; a problem is left in the tw_jreader. */
static int read_settings(tw_jreader *rd, json_t *doc, tw_run_options *o, tw_vars *vars,
			 tw_error *err)
{
	json_t *set = tw_jr_object_of(rd, doc, "settings", false);
	size_t m = tw_jr_push(rd, "settings", 0);
	o->connect_timeout_ms = (long)tw_jr_integer_of(rd, set, "connect_timeout_ms", 0,
						 (long long)TW_JR_MAX_TIME);
	o->timeout_ms = (long)tw_jr_integer_of(rd, set, "timeout_ms", 0, (long long)TW_JR_MAX_TIME);
	o->max_redirects = (long)tw_jr_integer_of(rd, set, "max_redirects", -1, INT_MAX);
	o->no_follow = tw_jr_bool_of(rd, set, "no_follow");
	o->max_body = (size_t)tw_jr_count_of(rd, set, "max_body");
	o->insecure = tw_jr_bool_of(rd, set, "insecure");
	tw_jr_string_of(rd, set, "cacert", true);
	tw_jr_string_of(rd, set, "user_agent", true);
	o->call_max_fetches = (int)tw_jr_integer_of(rd, set, "call_max_fetches", 0, INT_MAX);
	o->call_max_seconds = tw_jr_number_of(rd, set, "call_max_seconds", 0);
	o->call_max_loops = (int)tw_jr_integer_of(rd, set, "call_max_loops", 0, INT_MAX);
	/* issue 14, CLOCK: optional (results before it have none) */
	if (json_object_get(set, "speaking_rate"))
		o->speaking_rate = tw_jr_number_of(rd, set, "speaking_rate", 0);
	if (json_object_get(set, "key_time_s"))
		o->key_time_s = tw_jr_number_of(rd, set, "key_time_s", 0);
	if (json_object_get(set, "script_time_s")) /* issue 14, F2 */
		o->script_time_s = tw_jr_number_of(rd, set, "script_time_s", 0);
	/* format 9 (issue 13, GEN): the run's seed, kept by the merge */
	if (json_is_null(json_object_get(set, "seed"))) {
		o->seed_set = false; /* issue 13, F4: a merge whose parts disagreed */
	} else if (json_object_get(set, "seed")) {
		o->seed = (unsigned long long)tw_jr_integer_of(rd, set, "seed", 0,
							       (long long)TW_SEED_MAX);
		o->seed_set = true;
	}
	json_t *names = tw_jr_array_of(rd, set, "variables", SIZE_MAX, "variable names", false);
	tw_jr_push(rd, "variables", 0);
	for (size_t i = 0; !tw_jr_failed(rd) && i < json_array_size(names); i++) {
		size_t mi = tw_jr_push(rd, NULL, i);
		const char *name = tw_jr_string(rd, json_array_get(names, i), false);
		if (vars && name && tw_vars_set(vars, name, "", false) != TW_OK)
			return tw_error_set(err, TW_ENOMEM, "out of memory");
		tw_jr_pop(rd, mi);
	}
	tw_jr_pop(rd, m);
	return TW_OK;
}

/* The run's options: the plan's schedule and the first part's settings
 * (every part's were checked by read_part). */
static int read_options(tw_run_options *o, tw_vars **vars, const part *p, tw_error *err)
{
	tw_jreader rd = {.file = p->path};
	tw_run_options_init(o, TW_RUN_OPTIONS_VERSION);
	size_t m = tw_jr_push(&rd, "plan", 0);
	read_schedule(&rd, p->plan, o);
	tw_jr_pop(&rd, m);
	*vars = tw_vars_new();
	if (!*vars)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	o->vars = *vars;
	int rc = read_settings(&rd, p->doc, o, *vars, err);
	if (rc == TW_OK && tw_jr_failed(&rd))
		rc = tw_jr_error(&rd, err);
	return rc;
}

/* The run's own figures: the schedule as it went, times, host. */
static void read_totals(tw_jreader *rd, tw_run *run, const part *p, bool first)
{
	json_t *t = tw_jr_object_of(rd, p->doc, "totals", false);
	size_t m = tw_jr_push(rd, "totals", 0);
	run->planned += tw_jr_count_of(rd, t, "planned");
	run->started += tw_jr_count_of(rd, t, "started");
	run->dropped += tw_jr_count_of(rd, t, "dropped");
	/* issue 15, LOOP: the open model's lateness of its starts. Parts
	 * carry percentiles, not their histograms: one part's are kept, the
	 * merge of several keeps the max of their maxima only. */
	json_t *lag = t ? json_object_get(t, "start_lag_ms") : NULL;
	if (lag) {
		size_t ml = tw_jr_push(rd, "start_lag_ms", 0);
		lag = tw_jr_object(rd, lag, false);
		double max = lag ? tw_jr_number_of(rd, lag, "max", 0) : 0;
		bool exact = lag && json_object_get(lag, "p50") && json_object_get(lag, "p99");
		if (!run->start_lag.set) {
			run->start_lag.set = true;
			run->start_lag.exact = exact;
			run->start_lag.max_ms = max;
			if (exact) {
				run->start_lag.p50_ms = tw_jr_number_of(rd, lag, "p50", 0);
				run->start_lag.p99_ms = tw_jr_number_of(rd, lag, "p99", 0);
			}
		} else {
			run->start_lag.exact = false;
			if (max > run->start_lag.max_ms)
				run->start_lag.max_ms = max;
		}
		tw_jr_pop(rd, ml);
	}
	const char *stopped = tw_jr_string_of(rd, t, "stopped", true);
	if (stopped && strcmp(stopped, "interrupted") != 0 && strcmp(stopped, "max_failures") != 0) {
		size_t ms = tw_jr_push(rd, "stopped", 0);
		tw_jr_bad(rd, json_object_get(t, "stopped"), "\"interrupted\", \"max_failures\" or null");
		tw_jr_pop(rd, ms);
	}
	tw_jr_pop(rd, m);
	/* A shard cut short by an error of its own (out of memory) says so
	 * only in its verdict: the merged run did not perform what was
	 * planned either, and cannot be READY (readiness/score.c). A shard
	 * holding no rehearsal had nothing to do (its share was empty,
	 * runner.c's keep_shard) and lost nothing: its "unreachable" says
	 * only that. */
	const char *verdict = tw_jr_string_of(rd, p->doc, "verdict", false);
	static const char *const verdicts[] = {"passed", "failed", "script_error", "unreachable",
					       "limited", "interrupted"};
	bool known = false;
	for (size_t i = 0; verdict && i < sizeof(verdicts) / sizeof(verdicts[0]); i++)
		known |= strcmp(verdict, verdicts[i]) == 0;
	if (verdict && !known) {
		size_t mv = tw_jr_push(rd, "verdict", 0);
		tw_jr_bad(rd, json_object_get(p->doc, "verdict"),
		    "\"passed\", \"failed\", \"script_error\", \"unreachable\", \"limited\" or "
		    "\"interrupted\"");
		tw_jr_pop(rd, mv);
	}
	if (verdict && strcmp(verdict, "unreachable") == 0 && json_array_size(p->rehearsals) > 0)
		run->incomplete = true;
	if (stopped && run->stop_reason == TW_STOP_NONE)
		run->stop_reason = strcmp(stopped, "interrupted") == 0 ? TW_STOP_INTERRUPTED
								      : TW_STOP_MAX_FAILURES;
	double elapsed = tw_jr_number_of(rd, p->doc, "elapsed_ms", 0);
	if (elapsed > run->elapsed_ms)
		run->elapsed_ms = elapsed;
	const char *started = tw_jr_string_of(rd, p->doc, "started_at", true);
	if (started && (!run->started_at[0] || strcmp(started, run->started_at) < 0))
		snprintf(run->started_at, sizeof(run->started_at), "%s", started);
	const char *host = tw_jr_string_of(rd, p->doc, "host", true);
	if (first && host)
		snprintf(run->hostname, sizeof(run->hostname), "%s", host);
}

/*
 * Pairs each part's rehearsals with the plan's entries: a part holds a
 * subsequence of the plan, in order. found[i * n + k] is 1 + the position
 * of part k's entry for plan entry i, or 0.
 */
static int pair_up(part *parts, size_t n, json_t *plan_list, size_t *found, tw_error *err)
{
	size_t plan_count = json_array_size(plan_list);
	for (size_t k = 0; k < n; k++) {
		tw_jreader rd = {.file = parts[k].path};
		size_t count = json_array_size(parts[k].rehearsals);
		size_t m = tw_jr_push(&rd, "rehearsals", 0);
		for (size_t c = 0; !tw_jr_failed(&rd) && c < count; c++) {
			size_t mc = tw_jr_push(&rd, NULL, c);
			json_t *e = tw_jr_object(&rd, json_array_get(parts[k].rehearsals, c), false);
			tw_jr_string_of(&rd, e, "path", false);
			tw_jr_pop(&rd, mc);
		}
		size_t cursor = 0;
		for (size_t i = 0; !tw_jr_failed(&rd) && i < plan_count && cursor < count; i++) {
			json_t *e = json_array_get(parts[k].rehearsals, cursor);
			const char *a = json_string_value(json_object_get(e, "path"));
			const char *b = json_string_value(
				json_object_get(json_array_get(plan_list, i), "path"));
			if (strcmp(a, b) == 0)
				found[i * n + k] = ++cursor;
		}
		if (!tw_jr_failed(&rd) && cursor < count) {
			tw_jr_push(&rd, NULL, cursor);
			tw_jr_bad_because(&rd, "a rehearsal its plan does not list, or out of order");
		}
		tw_jr_pop(&rd, m);
		if (tw_jr_failed(&rd))
			return tw_jr_error(&rd, err);
	}
	/* Each entry where the sharding puts it (the rule keep_shard
	 * follows). */
	bool by_rehearsal = strcmp(parts[0].mode, "rehearsals") == 0;
	json_t *schedule = json_object_get(parts[0].plan, "schedule");
	json_int_t p = json_integer_value(json_object_get(schedule, "performances"));
	bool open = json_number_value(json_object_get(schedule, "rate")) > 0;
	size_t ordinal = 0;
	for (size_t i = 0; i < plan_count; i++) {
		json_t *pe = json_array_get(plan_list, i);
		bool broken = json_is_true(json_object_get(pe, "broken"));
		const char *path = json_string_value(json_object_get(pe, "path"));
		/* issue 13, DATA: a rehearsal with its own count (a once file) */
		json_t *own = json_object_get(pe, "performances");
		json_int_t count = own ? json_integer_value(own) : p;
		for (size_t k = 0; k < n; k++) {
			bool want = tw_shard_holds(broken, ordinal, by_rehearsal, open,
						   (unsigned long)count, (unsigned)n, (unsigned)k);
			if (want != (found[i * n + k] != 0))
				return usage_error(err, parts[k].path,
						   "%s rehearsal %s, which its shard %s",
						   want ? "lacks" : "holds", path,
						   want ? "should perform" : "should not perform");
		}
		ordinal += !broken;
	}
	return TW_OK;
}

/* ---- a rehearsal's plan ---- */

/* The kind steps.def's JSON word names. */
static tw_step_kind kind_of(tw_jreader *rd, json_t *obj, const char *key)
{
	size_t m = tw_jr_push(rd, key, 0);
	json_t *v = json_object_get(obj, key);
	const char *word = json_string_value(v);
	tw_step_kind kind = TW_STEP_VISIT;
	bool known = false;
	for (int k = 0; word && !known && k < TW_STEP_KIND_COUNT; k++)
		if (strcmp(word, tw_step_facts_of((tw_step_kind)k)->json) == 0) {
			kind = (tw_step_kind)k;
			known = true;
		}
	if (!known)
		tw_jr_bad(rd, v, "a step kind (\"visit\", \"request\", \"click\", ...)");
	tw_jr_pop(rd, m);
	return kind;
}

/* obj[key] copied into the plan's arena; NULL for null when nullable. */
static const char *plan_string(tw_jreader *rd, tw_plan *p, json_t *obj, const char *key,
			       bool nullable, bool *oom)
{
	const char *v = tw_jr_string_of(rd, obj, key, nullable);
	char *copy = v ? tw_arena_strdup(&p->arena, v) : NULL;
	if (v && !copy)
		*oom = true;
	return copy;
}

/* A time or count the script gives (a whole number from 1), or 0 for
 * null. */
static long given_or_zero(tw_jreader *rd, json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (v && json_is_null(v))
		return 0;
	return (long)tw_jr_integer_of(rd, obj, key, 1, (long long)TW_JR_MAX_TIME);
}

static int line_of(tw_jreader *rd, json_t *obj, const char *key)
{
	return (int)tw_jr_integer_of(rd, obj, key, 0, INT_MAX);
}

static void read_touchpoint(tw_jreader *rd, tw_plan *p, tw_touchpoint *tp, json_t *o, bool *oom)
{
	tp->file = plan_string(rd, p, o, "file", false, oom);
	tp->line = line_of(rd, o, "line");
	tp->col = line_of(rd, o, "col");
	tp->source = plan_string(rd, p, o, "source", false, oom);
	tp->kind = kind_of(rd, o, "kind");
	tp->apdex_ms = given_or_zero(rd, o, "apdex_ms");
	tp->apdex = tw_step_facts_of(tp->kind)->apdex;
	tp->action = tw_step_facts_of(tp->kind)->action;
}

static void read_scene(tw_jreader *rd, tw_plan *p, size_t i, json_t *o, bool *oom)
{
	tw_plan_scene *sc = &p->scenes[i];
	sc->name = plan_string(rd, p, o, "name", false, oom);
	sc->file = plan_string(rd, p, o, "file", false, oom);
	sc->line = line_of(rd, o, "line");
	sc->col = line_of(rd, o, "col");
	const char *channel = tw_jr_string_of(rd, o, "channel", false);
	if (channel && strcmp(channel, "web") != 0 && strcmp(channel, "ivr") != 0) {
		size_t mc = tw_jr_push(rd, "channel", 0);
		tw_jr_bad(rd, json_object_get(o, "channel"), "\"web\" or \"ivr\"");
		tw_jr_pop(rd, mc);
	}
	sc->channel = channel && strcmp(channel, "ivr") == 0 ? TW_CHANNEL_IVR : TW_CHANNEL_WEB;
	sc->backstage = tw_jr_bool_of(rd, o, "backstage");
	/* issue 13, FLOW (format 9) */
	if (json_object_get(o, "when"))
		sc->when = plan_string(rd, p, o, "when", true, oom);
	/* issue 13, F1 (format 9) */
	if (json_object_get(o, "used_by"))
		sc->used_by = plan_string(rd, p, o, "used_by", true, oom);
	json_t *tps = tw_jr_array_of(rd, o, "touchpoints", SIZE_MAX, "touchpoints", false);
	if (tw_jr_failed(rd) || *oom)
		return;
	if (tw_plan_set_touchpoints(p, i, json_array_size(tps)) != TW_OK) {
		*oom = true;
		return;
	}
	size_t m = tw_jr_push(rd, "touchpoints", 0);
	for (size_t j = 0; !tw_jr_failed(rd) && !*oom && j < sc->touchpoint_count; j++) {
		size_t mj = tw_jr_push(rd, NULL, j);
		json_t *tp = tw_jr_object(rd, json_array_get(tps, j), false);
		read_touchpoint(rd, p, &sc->touchpoints[j], tp, oom);
		sc->touchpoints[j].scene = i;
		tw_jr_pop(rd, mj);
	}
	tw_jr_pop(rd, m);
}

/*
 * The plan of rehearsal path (named name in the plan) from its entry e
 * (at the tw_jreader's path): every fact json.c writes of it. *out NULL
 * on failure.
 */
static int read_plan(tw_jreader *rd, tw_plan **out, json_t *e, const char *path,
		     const char *name, tw_error *err)
{
	*out = NULL;
	tw_plan *p = tw_plan_new(path, name);
	if (!p)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	bool oom = false;
	p->outcome = plan_string(rd, p, e, "outcome", true, &oom);
	json_t *budget = tw_jr_object_of(rd, e, "budget", true);
	if (budget) {
		size_t m = tw_jr_push(rd, "budget", 0);
		p->budget_ms = given_or_zero(rd, budget, "ms");
		p->budget_steps = given_or_zero(rd, budget, "steps");
		tw_jr_pop(rd, m);
	}
	json_t *tags = tw_jr_array_of(rd, e, "tags", SIZE_MAX, "tags", false);
	size_t tag_count = json_array_size(tags);
	char **tag = tag_count ? tw_arena_alloc(&p->arena, tag_count * sizeof(*tag)) : NULL;
	oom |= tag_count && !tag;
	size_t m = tw_jr_push(rd, "tags", 0);
	for (size_t i = 0; tag && !tw_jr_failed(rd) && i < tag_count; i++) {
		size_t mi = tw_jr_push(rd, NULL, i);
		const char *t = tw_jr_string(rd, json_array_get(tags, i), false);
		if (t && !(tag[i] = tw_arena_strdup(&p->arena, t)))
			oom = true;
		tw_jr_pop(rd, mi);
	}
	tw_jr_pop(rd, m);
	p->tags = (const char *const *)tag;
	p->tag_count = tag ? tag_count : 0;
	p->apdex_ms = given_or_zero(rd, e, "apdex_ms");
	json_t *require = json_object_get(e, "require");
	if (!require || !json_is_null(require)) {
		p->require = tw_jr_number_of(rd, e, "require", 0);
		if (!tw_jr_failed(rd) && (p->require <= 0 || p->require > 1)) {
			size_t mr = tw_jr_push(rd, "require", 0);
			tw_jr_bad(rd, require, "a rate above 0, at most 1");
			tw_jr_pop(rd, mr);
		}
	}
	p->minor = tw_jr_bool_of(rd, e, "minor");
	json_t *scenes = tw_jr_array_of(rd, e, "scenes", SIZE_MAX, "scenes", false);
	if (!tw_jr_failed(rd) && !oom && tw_plan_set_scenes(p, json_array_size(scenes)) != TW_OK)
		oom = true;
	m = tw_jr_push(rd, "scenes", 0);
	for (size_t i = 0; !tw_jr_failed(rd) && !oom && i < p->scene_count; i++) {
		size_t mi = tw_jr_push(rd, NULL, i);
		read_scene(rd, p, i, tw_jr_object(rd, json_array_get(scenes, i), false), &oom);
		tw_jr_pop(rd, mi);
	}
	tw_jr_pop(rd, m);
	int rc = oom ? tw_error_set(err, TW_ENOMEM, "out of memory")
	     : tw_jr_failed(rd) ? tw_jr_error(rd, err)
				: TW_OK;
	if (rc != TW_OK) {
		tw_plan_free(p);
		return rc;
	}
	*out = p;
	return TW_OK;
}

/* Whether obj[key] is the same in a and b (both missing, or equal). */
static bool same_key(json_t *a, json_t *b, const char *key)
{
	json_t *x = json_object_get(a, key), *y = json_object_get(b, key);
	return x && y ? same_json(x, y) : x == y;
}

/* Of the facts json.c writes of a rehearsal's plan, the first that
 * differs between entries a and b; NULL when none. */
static const char *fact_differing(json_t *a, json_t *b)
{
	static const char *const rehearsal_keys[] = {"outcome", "budget", "tags", "apdex_ms",
						     "require", "minor"};
	static const char *const scene_keys[] = {"name", "file", "line", "col", "channel",
						 "backstage", "when" /* issue 13, FLOW */,
						 "used_by" /* issue 13, F1 */};
	static const char *const touchpoint_keys[] = {"file", "line", "col", "source", "kind",
						      "apdex_ms"};
	for (size_t k = 0; k < sizeof(rehearsal_keys) / sizeof(rehearsal_keys[0]); k++)
		if (!same_key(a, b, rehearsal_keys[k]))
			return rehearsal_keys[k];
	json_t *sa = json_object_get(a, "scenes"), *sb = json_object_get(b, "scenes");
	if (json_array_size(sa) != json_array_size(sb))
		return "scenes";
	for (size_t i = 0; i < json_array_size(sa); i++) {
		json_t *x = json_array_get(sa, i), *y = json_array_get(sb, i);
		for (size_t k = 0; k < sizeof(scene_keys) / sizeof(scene_keys[0]); k++)
			if (!same_key(x, y, scene_keys[k]))
				return scene_keys[k];
		json_t *ta = json_object_get(x, "touchpoints"), *tb = json_object_get(y, "touchpoints");
		if (json_array_size(ta) != json_array_size(tb))
			return "touchpoints";
		for (size_t j = 0; j < json_array_size(ta); j++)
			for (size_t k = 0; k < sizeof(touchpoint_keys) / sizeof(touchpoint_keys[0]); k++)
				if (!same_key(json_array_get(ta, j), json_array_get(tb, j),
					      touchpoint_keys[k]))
					return touchpoint_keys[k];
	}
	return NULL;
}

/* Rehearsal i (performable) from every part that holds it: figures
 * summed, every shown performance rebuilt, the first that failed kept
 * (in shard order), else the first that ended at techweek's limit, else
 * the first performed, else the first cut off by the run's end, else the
 * first. */
static int merge_rehearsal(tw_run *run, size_t i, part *parts, size_t n, const size_t *found,
			   tw_histogram *scratch, tw_error *err)
{
	tw_rehearsal_result *r = &run->rehearsals[i];
	int best = -1, rc = TW_OK;
	json_t *first = NULL; /* the entry the plan was read from */
	const char *first_path = NULL;
	for (size_t k = 0; rc == TW_OK && k < n; k++) {
		if (!found[i * n + k])
			continue;
		size_t pos = found[i * n + k] - 1;
		json_t *e = json_array_get(parts[k].rehearsals, pos);
		const char *differs = first ? fact_differing(first, e) : NULL;
		if (!first) {
			first = e;
			first_path = parts[k].path;
		}
		/* One run performs one version of each script. */
		if (differs)
			return usage_error(err, parts[k].path,
					   "rehearsals[%zu]: rehearsal %s is not the one %s holds (its "
					   "%s differs): its script changed between the shards",
					   pos, r->path, first_path, differs);
		tw_jreader rd = {.file = parts[k].path};
		tw_jr_push(&rd, "rehearsals", 0);
		tw_jr_push(&rd, NULL, pos);
		rc = add_figures(&rd, &run->metrics[i], e, scratch, err);
		tw_rehearsal_result x = {.plan = r->plan};
		if (rc == TW_OK)
			rc = rebuild_shown(&rd, &x, e, err);
		if (rc == TW_OK && tw_jr_failed(&rd))
			rc = tw_jr_error(&rd, err);
		/* A part shows a performance cut off by the run's end only when
		 * it performed none and none ended at techweek's limit
		 * (runner.c's show_rank). */
		bool cut = x.scenes && x.status != TW_STATUS_LIMITED &&
			   json_integer_value(json_object_get(e, "performances")) == 0;
		int rank = !x.scenes                       ? 0
			   : cut                           ? 1
			   : x.status == TW_STATUS_PASSED  ? 2
			   : x.status == TW_STATUS_LIMITED ? 3
							   : 4;
		if (rc == TW_OK && rank > best) {
			best = rank;
			x.interrupted = cut;
			x.path = r->path;
			x.name = r->name;
			r->path = r->name = NULL;
			tw_rehearsal_result_free(r);
			*r = x;
		} else {
			tw_rehearsal_result_free(&x);
		}
	}
	return rc;
}

static int build(tw_run *run, part *parts, size_t n, tw_error *err)
{
	json_t *plan_list = json_object_get(parts[0].plan, "rehearsals");
	size_t plan_count = json_array_size(plan_list);
	size_t *found = calloc(plan_count > 0 ? plan_count * n : 1, sizeof(*found));
	tw_histogram *scratch = tw_histogram_new();
	int rc = TW_OK;
	if (!found || !scratch)
		rc = tw_error_set(err, TW_ENOMEM, "out of memory");
	if (rc == TW_OK)
		rc = pair_up(parts, n, plan_list, found, err);

	/* The rehearsals in plan order, each with the plan the first part
	 * that holds it carries. */
	for (size_t i = 0; rc == TW_OK && i < plan_count; i++) {
		json_t *pe = json_array_get(plan_list, i);
		const char *path = json_string_value(json_object_get(pe, "path"));
		const char *name = json_string_value(json_object_get(pe, "name"));
		if (json_is_true(json_object_get(pe, "broken"))) {
			size_t pos = found[i * n] - 1;
			tw_jreader rd = {.file = parts[0].path};
			tw_jr_push(&rd, "rehearsals", 0);
			tw_jr_push(&rd, NULL, pos);
			json_t *obj = json_array_get(parts[0].rehearsals, pos);
			/* What the writer gives a broken rehearsal, and nothing
			 * else: figures beside it would be dropped unseen. */
			if (status_of(&rd, obj, "status") != TW_STATUS_BROKEN && !tw_jr_failed(&rd))
				tw_jr_bad_because(&rd, "the plan says broken, its status is not");
			if (!tw_jr_failed(&rd) && tw_jr_count_of(&rd, obj, "performances") != 0 &&
			    !tw_jr_failed(&rd))
				tw_jr_bad_because(&rd, "the plan says broken, yet it was performed");
			if (!tw_jr_failed(&rd) && !json_is_object(json_object_get(obj, "problem"))) {
				tw_jr_push(&rd, "problem", 0);
				tw_jr_bad(&rd, json_object_get(obj, "problem"),
					  "an object: why it is broken");
			}
			tw_error problem = {0};
			if (tw_jr_failed(&rd))
				rc = tw_jr_error(&rd, err);
			else if (!read_problem(&rd, obj, "problem", &problem))
				rc = tw_error_set(err, TW_ENOMEM, "out of memory");
			else if (tw_jr_failed(&rd))
				rc = tw_jr_error(&rd, err);
			else if (tw_run_add_broken(run, path, &problem) != TW_OK)
				rc = tw_error_set(err, TW_ENOMEM, "out of memory");
			tw_error_clear(&problem);
			continue;
		}
		size_t k = 0;
		while (k + 1 < n && !found[i * n + k])
			k++; /* pair_up put every performable rehearsal in some part */
		size_t pos = found[i * n + k] - 1;
		tw_jreader rd = {.file = parts[k].path};
		tw_jr_push(&rd, "rehearsals", 0);
		tw_jr_push(&rd, NULL, pos);
		tw_plan *plan = NULL;
		rc = read_plan(&rd, &plan, json_array_get(parts[k].rehearsals, pos), path, name, err);
		if (rc == TW_OK && tw_run_add_plan(run, plan) != TW_OK)
			rc = tw_error_set(err, TW_ENOMEM, "out of memory");
	}
	if (rc == TW_OK) {
		run->metrics = calloc(run->count ? run->count : 1, sizeof(*run->metrics));
		if (!run->metrics)
			rc = tw_error_set(err, TW_ENOMEM, "out of memory");
	}
	for (size_t i = 0; rc == TW_OK && i < run->count; i++) {
		if (tw_rehearsal_metrics_init(&run->metrics[i], run->rehearsals[i].plan) != TW_OK)
			rc = tw_error_set(err, TW_ENOMEM, "out of memory");
		else if (!run->rehearsals[i].plan)
			run->metrics[i].broken = 1;
		else
			rc = merge_rehearsal(run, i, parts, n, found, scratch, err);
	}
	for (size_t k = 0; rc == TW_OK && k < n; k++) {
		tw_jreader rd = {.file = parts[k].path};
		read_totals(&rd, run, &parts[k], k == 0);
		if (tw_jr_failed(&rd))
			rc = tw_jr_error(&rd, err);
	}
	if (rc == TW_OK && tw_run_record_lineup(run) != TW_OK)
		rc = tw_error_set(err, TW_ENOMEM, "out of memory");
	free(found);
	tw_histogram_free(scratch);
	return rc;
}

/* The parts, read (parts[i].doc set, NULL when not JSON), into a run. */
static int merge_parts(tw_run **out, part *parts, size_t n, tw_error *err)
{
	int rc = check_parts(parts, n, err);
	tw_run_options opts;
	tw_vars *vars = NULL;
	if (rc == TW_OK)
		rc = read_options(&opts, &vars, &parts[0], err);
	tw_run *run = NULL;
	if (rc == TW_OK && (rc = tw_run_new(&run, &opts, err)) == TW_EUSAGE) {
		/* Options that read as JSON but no run takes: they are the
		 * first part's settings, so it is that file at fault. */
		char why[512];
		const char *msg = err && err->message ? err->message : "";
		snprintf(why, sizeof(why), "%s", strncmp(msg, "tw_run_new: ", 12) ? msg : msg + 12);
		rc = usage_error(err, parts[0].path, "settings: %s", why);
	} else if (rc == TW_OK) {
		run->owned_vars = vars;
		vars = NULL;
		/* issue 13, SUITE: the selection and environment, as the
		 * first part says them (every shard was given the same) */
		rc = tw_suite_read_json(run, parts[0].doc, parts[0].path, err);
		if (rc == TW_OK)
			merge_seed(run, parts, n); /* issue 13, F4 */
		if (rc == TW_OK)
			rc = build(run, parts, n, err);
	}
	tw_vars_free(vars);
	if (rc != TW_OK) {
		tw_run_free(run);
		return rc;
	}
	*out = run;
	return TW_OK;
}

/* A part that cannot be opened, or is a folder (which jansson would call
 * an empty document), said as such: not blamed on its contents. */
static int readable(const char *path, tw_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return usage_error(err, path, "cannot read: %s", strerror(errno));
	struct stat st;
	bool folder = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
	close(fd);
	return folder ? usage_error(err, path, "is a folder, not a JSON result") : TW_OK;
}

int tw_run_load_parts(tw_run **out, const char *const *paths, size_t n, tw_error *err)
{
	if (!out)
		return tw_error_set(err, TW_EUSAGE, "tw_run_load_parts: out is NULL");
	*out = NULL;
	if (n == 0)
		return tw_error_set(err, TW_EUSAGE, "no parts to merge");
	if (!paths)
		return tw_error_set(err, TW_EUSAGE, "tw_run_load_parts: paths is NULL");
	for (size_t i = 0; i < n; i++)
		if (!paths[i])
			return tw_error_set(err, TW_EUSAGE, "tw_run_load_parts: paths[%zu] is NULL", i);
	part *parts = calloc(n, sizeof(*parts));
	if (!parts)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	int rc = TW_OK;
	for (size_t i = 0; rc == TW_OK && i < n; i++) {
		json_error_t je;
		rc = readable(paths[i], err);
		json_t *doc = rc ? NULL : json_load_file(paths[i], JSON_REJECT_DUPLICATES, &je);
		if (rc == TW_OK)
			rc = read_part(&parts[i], paths[i], doc, &je, err);
	}
	if (rc == TW_OK)
		rc = merge_parts(out, parts, n, err);
	parts_free(parts, n);
	return rc;
}

int tw_run_merge_texts(tw_run **out, const char *const *names, const char *const *texts,
		       const size_t *lens, size_t n, tw_error *err)
{
	*out = NULL;
	if (n == 0)
		return tw_error_set(err, TW_EUSAGE, "no parts to merge");
	part *parts = calloc(n, sizeof(*parts));
	if (!parts)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	int rc = TW_OK;
	for (size_t i = 0; rc == TW_OK && i < n; i++) {
		json_error_t je;
		json_t *doc = json_loadb(texts[i], lens[i], JSON_REJECT_DUPLICATES, &je);
		rc = read_part(&parts[i], names[i], doc, &je, err);
	}
	if (rc == TW_OK)
		rc = merge_parts(out, parts, n, err);
	parts_free(parts, n);
	return rc;
}
