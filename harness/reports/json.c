/*
 * The JSON result: every figure a run measured, for programs. JUnit tells CI
 * what passed; this file tells a dashboard, a trend chart or a script how
 * it went: per rehearsal its performances and outcome rate, per scene, per
 * touchpoint (a step of a scene) its counts, failures by cause and latency
 * distributions; with the readiness score (readiness/score.h) when the
 * caller has one: the run's, each rehearsal's and each timed touchpoint's
 * Apdex; the settings that shaped the run; and, per scene, the transcript
 * of the performance shown in detail when it failed there. The layout is
 * documented in docs/reports.md and, field by field, in
 * docs/results-schema.json (TW_JSON_FORMAT, reports/json.h, is its
 * "format"). It carries every fact of each rehearsal's plan, so that
 * reports/json_read.c rebuilds the run from it alone.
 *
 * A distribution is written as summary figures plus its non-empty
 * histogram buckets (metrics/histogram.h), so results of the same
 * rehearsals run on several machines can be merged later without losing
 * the percentiles: tw_histogram_add_count reads the buckets back.
 *
 * How it works: the document is built as a jansson tree, dumped into a
 * capped buffer (tw_report_json_render, for the CLI's set of reports) and
 * written with tw_write_file_atomic, so a reader never sees half a report. jansson refuses strings that are not UTF-8, and body
 * excerpts are cut mid-character or are not UTF-8 at all, so every string
 * goes through clean() first (bad bytes become U+FFFD; control characters
 * are kept, jansson escapes them). Numbers are never NaN or infinite (JSON
 * has no such values); times are rounded to microseconds.
 *
 * Errors are sticky, as in junit.c: the first failure is kept in the
 * context, every later addition is dropped, so the code reads top to
 * bottom.
 */
#include "techweek/report.h"

#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "readiness/baseline.h"
#include "readiness/score.h"
#include "reports/json.h"
#include "reports/render.h"
#include "runner/suite.h" /* issue 13, SUITE */
#include "techweek.h"

/* The whole document; a run that measured this much has a problem. */
#define REPORT_MAX ((size_t)1 << 30)
/* One string, cleaned. Strings in the result model are capped already. */
#define STRING_MAX ((size_t)64 << 20)
/* %.15g: a time rounded to microseconds prints exactly up to 1e12 ms. */
#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

typedef struct json_ctx {
	tw_buf clean; /* the last cleaned string */
	int rc;       /* the first failure; TW_OK while all is well */
} json_ctx;

static void fail(json_ctx *c, int rc)
{
	if (!c->rc)
		c->rc = rc;
}

/* ---- values ---- */

/* s as a JSON string (NULL as null), bytes that are not UTF-8 replaced by
 * U+FFFD. NULL only on failure (recorded in c). */
static json_t *str(json_ctx *c, const char *s)
{
	if (c->rc)
		return NULL;
	if (!s)
		return json_null();
	tw_buf_reset(&c->clean);
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s);
	int rc = TW_OK;
	while (left && !rc) {
		uint32_t cp = 0;
		size_t n = tw_utf8_decode(p, left, &cp);
		if (n == 0) {
			rc = tw_buf_puts(&c->clean, "\xEF\xBF\xBD");
			n = 1;
		} else {
			rc = tw_buf_append(&c->clean, p, n);
		}
		p += n;
		left -= n;
	}
	if (rc) {
		fail(c, rc);
		return NULL;
	}
	return json_stringn(tw_buf_str(&c->clean), c->clean.len);
}

static double finite_or_zero(double v)
{
	return isfinite(v) ? v : 0;
}

/* A time in ms (or any measure) rounded to 3 decimals. */
static json_t *ms(double v)
{
	return json_real(round(finite_or_zero(v) * 1000.0) / 1000.0);
}

static json_t *count(uint64_t n)
{
	/* json_int_t is long long: a count past it (never in practice) is
	 * clamped rather than wrapped. */
	return json_integer(n > (uint64_t)LLONG_MAX ? LLONG_MAX : (json_int_t)n);
}

static json_t *integer(long long n)
{
	return json_integer((json_int_t)n);
}

/* Sums kept as doubles (bytes) written as whole numbers. */
static json_t *whole(double v)
{
	v = finite_or_zero(v);
	if (v < 0)
		v = 0;
	if (v > 9e18)
		v = 9e18;
	return json_integer((json_int_t)llround(v));
}

/* obj[key] = v, taking v; a NULL v is an allocation that failed. */
static void set(json_ctx *c, json_t *obj, const char *key, json_t *v)
{
	if (!v) {
		fail(c, TW_ENOMEM);
		return;
	}
	if (c->rc || !obj) {
		json_decref(v);
		return;
	}
	if (json_object_set_new(obj, key, v) != 0)
		fail(c, TW_ENOMEM);
}

static void push(json_ctx *c, json_t *arr, json_t *v)
{
	if (!v) {
		fail(c, TW_ENOMEM);
		return;
	}
	if (c->rc || !arr) {
		json_decref(v);
		return;
	}
	if (json_array_append_new(arr, v) != 0)
		fail(c, TW_ENOMEM);
}

/* A new object or array; NULL (recorded) when out of memory. */
static json_t *object(json_ctx *c)
{
	json_t *o = c->rc ? NULL : json_object();
	if (!o)
		fail(c, TW_ENOMEM);
	return o;
}

static json_t *array(json_ctx *c)
{
	json_t *a = c->rc ? NULL : json_array();
	if (!a)
		fail(c, TW_ENOMEM);
	return a;
}

/*
 * STATS: count, min, mean, percentiles, max and the non-empty buckets as
 * [low_ms, high_ms, count]. An empty (or missing) histogram is all zeros
 * with no buckets, so readers need no special case.
 */
static json_t *stats(json_ctx *c, const tw_histogram *h)
{
	json_t *o = object(c);
	uint64_t n = h ? tw_histogram_count(h) : 0;
	set(c, o, "count", count(n));
	set(c, o, "min", ms(n ? tw_histogram_min(h) : 0));
	set(c, o, "mean", ms(n ? tw_histogram_mean(h) : 0));
	static const struct {
		const char *key;
		double p;
	} pcts[] = {{"p50", 50}, {"p90", 90}, {"p95", 95}, {"p99", 99}};
	for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++)
		set(c, o, pcts[i].key, ms(n ? tw_histogram_percentile(h, pcts[i].p) : 0));
	set(c, o, "max", ms(n ? tw_histogram_max(h) : 0));
	set(c, o, "sum", ms(n ? tw_histogram_sum(h) : 0));
	json_t *buckets = array(c);
	size_t it = 0;
	double low = 0, high = 0;
	uint64_t k = 0;
	while (n && !c->rc && tw_histogram_bucket(h, &it, &low, &high, &k)) {
		json_t *b = array(c);
		push(c, b, ms(low));
		push(c, b, ms(high));
		push(c, b, count(k));
		push(c, buckets, b);
	}
	set(c, o, "buckets", buckets);
	return o;
}

/* ---- reading the model ---- */

static const char *str_or(const char *s, const char *fallback)
{
	return s && *s ? s : fallback;
}

/* The step as a short, stable word for programs. */
static const char *kind_str(tw_step_kind k)
{
	return tw_step_facts_of(k)->json;
}

/*
 * A run's figures, one tw_rehearsal_metrics per rehearsal: the run's own
 * (run->metrics), or, for a run that never executed (built by hand), each
 * shown result folded in as one performance, the way the runner counts: a
 * script that cannot run is broken without being performed.
 */
typedef struct figures {
	const tw_rehearsal_metrics *m; /* m[i] for run->rehearsals[i] */
	tw_rehearsal_metrics *owned;   /* when built here; count of them */
	size_t count;
} figures;

static void figures_free(figures *f)
{
	for (size_t i = 0; f->owned && i < f->count; i++)
		tw_rehearsal_metrics_free(&f->owned[i]);
	free(f->owned);
	memset(f, 0, sizeof(*f));
}

static int figures_get(figures *f, const tw_run *run)
{
	memset(f, 0, sizeof(*f));
	if (run->metrics || run->count == 0) {
		f->m = run->metrics;
		return TW_OK;
	}
	f->owned = calloc(run->count, sizeof(*f->owned));
	if (!f->owned)
		return TW_ENOMEM;
	f->count = run->count;
	f->m = f->owned;
	for (size_t i = 0; i < run->count; i++) {
		const tw_rehearsal_result *r = &run->rehearsals[i];
		if (tw_rehearsal_metrics_init(&f->owned[i], r->plan) != TW_OK)
			return TW_ENOMEM;
		if (!r->plan || r->status == TW_STATUS_BROKEN)
			f->owned[i].broken = 1;
		else if (tw_rehearsal_metrics_add(&f->owned[i], r) != TW_OK)
			return TW_ENOMEM;
	}
	return TW_OK;
}

/* ---- writing ---- */

static json_t *schedule(json_ctx *c, const tw_run_options *o)
{
	json_t *s = object(c);
	set(c, s, "model", str(c, o->rate > 0 ? "open" : "closed"));
	set(c, s, "performances", count(o->performances));
	set(c, s, "customers", count(o->customers));
	set(c, s, "rate", json_real(finite_or_zero(o->rate)));
	set(c, s, "duration_ms", integer(o->duration_ms));
	set(c, s, "ramp_ms", integer(o->ramp_ms));
	set(c, s, "jobs", count(o->jobs));
	set(c, s, "think_scale", json_real(finite_or_zero(o->think_scale)));
	set(c, s, "max_failures", count(o->max_failures));
	set(c, s, "retries", count(o->retries));
	return s;
}

/* A redacted copy of an option's text, as a JSON string (NULL as null). */
static json_t *redacted(json_ctx *c, const tw_run *run, const char *s)
{
	if (c->rc || !s)
		return c->rc ? NULL : json_null();
	char *r = tw_run_redact(run, s);
	if (!r) {
		fail(c, TW_ENOMEM);
		return NULL;
	}
	json_t *v = str(c, r);
	free(r);
	return v;
}

/*
 * SETTINGS: every option that shaped the run besides its schedule. Of the
 * variables only the names: a value may be a secret.
 */
static json_t *settings(json_ctx *c, const tw_run *run)
{
	const tw_run_options *o = &run->opts;
	json_t *s = object(c);
	set(c, s, "connect_timeout_ms", integer(o->connect_timeout_ms));
	set(c, s, "timeout_ms", integer(o->timeout_ms));
	set(c, s, "max_redirects", integer(o->max_redirects));
	set(c, s, "no_follow", json_boolean(o->no_follow)); /* format 8 */
	set(c, s, "max_body", count(o->max_body));
	set(c, s, "insecure", json_boolean(o->insecure));
	set(c, s, "cacert", redacted(c, run, o->cacert));
	set(c, s, "user_agent", redacted(c, run, o->user_agent));
	set(c, s, "call_max_fetches", integer(o->call_max_fetches));
	set(c, s, "call_max_seconds", json_real(finite_or_zero(o->call_max_seconds)));
	set(c, s, "call_max_loops", integer(o->call_max_loops));
	/* issue 14, CLOCK */
	set(c, s, "speaking_rate", json_real(finite_or_zero(o->speaking_rate)));
	set(c, s, "key_time_s", json_real(finite_or_zero(o->key_time_s)));
	set(c, s, "script_time_s", json_real(finite_or_zero(o->script_time_s))); /* issue 14, F2 */
	json_t *names = array(c);
	size_t n = o->vars ? tw_vars_count(o->vars) : 0;
	for (size_t i = 0; i < n; i++) {
		const char *name = NULL, *value = NULL;
		bool secret = false;
		tw_vars_at(o->vars, i, &name, &value, &secret);
		push(c, names, str(c, name ? name : ""));
	}
	set(c, s, "variables", names);
	/* format 9: issue 13, GEN; null: a merge of parts that disagree (F4) */
	set(c, s, "seed", run->seed_unknown ? json_null() : count(run->seed));
	return s;
}

static json_t *totals(json_ctx *c, const tw_run *run, const figures *f)
{
	uint64_t performances = 0, achieved = 0, failed = 0, unreachable = 0, broken = 0;
	uint64_t interrupted = 0, limited = 0;
	uint64_t steps = 0, requests = 0;
	for (size_t i = 0; i < run->count; i++) {
		const tw_rehearsal_metrics *m = &f->m[i];
		performances += m->performances;
		achieved += m->achieved;
		failed += m->failed;
		unreachable += m->unreachable;
		broken += m->broken;
		interrupted += m->interrupted;
		limited += m->limited;
		for (size_t s = 0; m->scenes && s < m->scene_count; s++)
			for (size_t t = 0; m->scenes[s].steps && t < m->scenes[s].step_count; t++) {
				steps += m->scenes[s].steps[t].count;
				requests += m->scenes[s].steps[t].requests;
			}
	}
	json_t *o = object(c);
	set(c, o, "rehearsals", count(run->count));
	set(c, o, "performances", count(performances));
	set(c, o, "achieved", count(achieved));
	set(c, o, "failed", count(failed));
	set(c, o, "unreachable", count(unreachable));
	set(c, o, "broken", count(broken));
	set(c, o, "interrupted", count(interrupted));
	set(c, o, "limited", count(limited));
	set(c, o, "planned", count(run->planned));
	set(c, o, "started", count(run->started));
	set(c, o, "dropped", count(run->dropped));
	/* issue 15, LOOP: an open model's lateness of its starts; a merge of
	 * several shards knows only the max */
	if (run->start_lag.set) {
		json_t *l = object(c);
		if (run->start_lag.exact) {
			set(c, l, "p50", ms(run->start_lag.p50_ms));
			set(c, l, "p99", ms(run->start_lag.p99_ms));
		}
		set(c, l, "max", ms(run->start_lag.max_ms));
		set(c, o, "start_lag_ms", l);
	}
	set(c, o, "steps", count(steps));
	set(c, o, "requests", count(requests));
	switch (run->stop_reason) {
	case TW_STOP_INTERRUPTED: set(c, o, "stopped", str(c, "interrupted")); break;
	case TW_STOP_MAX_FAILURES: set(c, o, "stopped", str(c, "max_failures")); break;
	case TW_STOP_NONE: set(c, o, "stopped", json_null()); break;
	}
	return o;
}

static json_t *problem(json_ctx *c, const tw_error *e)
{
	if (e->code == TW_OK && !e->message)
		return json_null();
	json_t *o = object(c);
	set(c, o, "code", str(c, tw_code_str(e->code)));
	set(c, o, "message", str(c, e->message ? e->message : tw_code_str(e->code)));
	set(c, o, "file", str(c, e->file));
	set(c, o, "line", integer(e->line));
	set(c, o, "col", integer(e->col));
	return o;
}

/* The step's line as written, without its indentation. */
static const char *step_source(const tw_touchpoint *st)
{
	return st && st->source ? st->source : "";
}

/* An Apdex T or a duration the script gives, or null when it gives none. */
static json_t *ms_or_null(long v)
{
	return v > 0 ? integer(v) : json_null();
}

/* A share or points rounded to 3 decimals, as times are. */
static json_t *fixed3(double v)
{
	return ms(v);
}

/* A score on the 0-100 scale, or a part of it (0-1), rounded down to 3
 * decimals (readiness/score.h): a score shown as 90 never fails a gate of
 * 90, a part shown as 1 was whole. The nudge keeps a whole number that is a
 * hair under in binary from losing a thousandth. */
static json_t *score_down(double v)
{
	/* The reports' one rounding rule, read back as the number it shows. */
	char num[TW_FLOOR_SHOWN_SIZE];
	return json_real(strtod(tw_floor_shown(num, sizeof(num), finite_or_zero(v), 3), NULL));
}

/* The timed touchpoint's Apdex, or null when it is not timed (or there is
 * no score). */
static json_t *apdex(json_ctx *c, const tw_rehearsal_score *rs, size_t scene, size_t step)
{
	for (size_t i = 0; rs && rs->touchpoints && i < rs->touchpoint_count; i++) {
		const tw_touchpoint_score *t = &rs->touchpoints[i];
		if (t->scene != scene || t->step != step)
			continue;
		json_t *o = object(c);
		set(c, o, "t_ms", ms(t->t_ms));
		set(c, o, "score", fixed3(t->apdex));
		set(c, o, "satisfied", fixed3(t->satisfied));
		set(c, o, "tolerating", fixed3(t->tolerating));
		set(c, o, "frustrated", fixed3(t->frustrated));
		return o;
	}
	return json_null();
}

/* rows (issue 13, F3): the rehearsal's performances take data rows. */
static json_t *touchpoint(json_ctx *c, const tw_touchpoint_metrics *t, json_t *apdex_v, bool rows)
{
	json_t *o = object(c);
	const tw_touchpoint *tp = t->step;
	set(c, o, "file", str(c, tp ? tp->file : NULL));
	set(c, o, "line", integer(tp ? tp->line : 0));
	set(c, o, "col", integer(tp ? tp->col : 0));
	set(c, o, "source", str(c, step_source(tp)));
	set(c, o, "kind", str(c, tp ? kind_str(tp->kind) : "step"));
	set(c, o, "apdex_ms", ms_or_null(tp ? tp->apdex_ms : 0));
	set(c, o, "count", count(t->count));
	set(c, o, "passed", count(t->passed));
	set(c, o, "failed", count(t->failed));
	json_t *f = object(c);
	for (int k = 0; k < TW_CAUSE_COUNT; k++)
		set(c, f, tw_cause_str((tw_cause)k), count(t->failures[k]));
	set(c, o, "failures", f);
	set(c, o, "retries", count(t->retries));
	set(c, o, "retried_passes", count(t->retried_passes));
	set(c, o, "polls", count(t->polls)); /* format 8 */
	set(c, o, "flaky", json_boolean(tw_touchpoint_flaky_rows(t, rows)));
	if (rows) /* format 9, issue 13, F3 */
		set(c, o, "fails_on_some_rows", json_boolean(tw_touchpoint_fails_on_rows(t, true)));
	set(c, o, "latency", stats(c, t->latency));
	if (tw_histogram_count(t->dns) > 0) {
		json_t *p = object(c);
		set(c, p, "dns", stats(c, t->dns));
		set(c, p, "connect", stats(c, t->connect));
		set(c, p, "tls", stats(c, t->tls));
		set(c, p, "first_byte", stats(c, t->first_byte));
		set(c, p, "transfer", stats(c, t->transfer));
		set(c, o, "phases", p);
	} else {
		set(c, o, "phases", json_null());
	}
	set(c, o, "requests", count(t->requests));
	set(c, o, "bytes_in", whole(t->bytes_in));
	set(c, o, "bytes_out", whole(t->bytes_out));
	set(c, o, "first_failure", str(c, t->first_failure));
	set(c, o, "limited", count(t->limited));
	set(c, o, "first_limit", str(c, t->first_limit));
	set(c, o, "apdex", apdex_v);
	return o;
}

/* A step's request chain: {method, url, status (null: no answer)} per
 * hop, in the order sent, and poll N for a hop that poll N sent. */
static json_t *hops(json_ctx *c, const tw_step_result *st)
{
	json_t *a = array(c);
	for (size_t i = 0; i < tw_step_result_hop_count(st); i++) {
		tw_hop hop = TW_HOP_INIT;
		tw_step_result_hop(&hop, st, i);
		json_t *o = object(c);
		set(c, o, "method", str(c, hop.method));
		set(c, o, "url", str(c, hop.url));
		set(c, o, "status", hop.status > 0 ? integer(hop.status) : json_null());
		if (hop.poll > 0)
			set(c, o, "poll", integer(hop.poll));
		push(c, a, o);
	}
	return a;
}

/*
 * TRANSCRIPT: the scene as the performance shown in detail went, when it
 * failed there (or reached techweek's limit): the steps it performed
 * (pages visited, requests sent), the call's transcript for a phone scene,
 * and the failed (or limited) step's expected and actual. null when the
 * shown performance did not fail in this scene.
 */
static json_t *transcript(json_ctx *c, const tw_scene_result *sr)
{
	if (!sr || !(tw_status_is_problem(sr->status) || sr->status == TW_STATUS_LIMITED))
		return json_null();
	json_t *o = object(c);
	set(c, o, "status", str(c, tw_status_str(sr->status)));
	set(c, o, "elapsed_ms", ms(sr->elapsed_ms));
	set(c, o, "text", str(c, sr->transcript));
	json_t *steps = array(c);
	const tw_step_result *failed = NULL;
	size_t n = tw_scene_result_steps(sr);
	for (size_t i = 0; i < n; i++) {
		const tw_step_result *st = &sr->steps[i];
		if (st->status == TW_STATUS_SKIPPED)
			continue;
		if (!failed && (tw_status_is_problem(st->status) || st->status == TW_STATUS_LIMITED))
			failed = st;
		json_t *s = object(c);
		set(c, s, "line", integer(tw_step_result_line(st)));
		set(c, s, "source", str(c, tw_step_result_source(st)));
		set(c, s, "status", str(c, tw_status_str(st->status)));
		set(c, s, "method", str(c, st->method));
		set(c, s, "url", str(c, st->url));
		set(c, s, "http_status", st->http_status > 0 ? integer(st->http_status) : json_null());
		set(c, s, "hops", hops(c, st));
		set(c, s, "hops_left_out", count(st->hops_left_out));
		set(c, s, "elapsed_ms", ms(st->elapsed_ms));
		push(c, steps, s);
	}
	set(c, o, "steps", steps);
	if (failed) {
		json_t *f = object(c);
		set(c, f, "line", integer(tw_step_result_line(failed)));
		set(c, f, "source", str(c, tw_step_result_source(failed)));
		set(c, f, "message", str(c, failed->message));
		set(c, f, "expected", str(c, failed->expected));
		set(c, f, "actual", str(c, failed->actual));
		set(c, o, "failed_step", f);
	} else {
		set(c, o, "failed_step", json_null());
	}
	return o;
}

static json_t *scene(json_ctx *c, const tw_plan_scene *sc, const tw_scene_metrics *sm,
		     const tw_scene_result *sr, const tw_rehearsal_score *rs, size_t index,
		     bool rows /* issue 13, F3 */)
{
	json_t *o = object(c);
	set(c, o, "name", str(c, sc ? sc->name : NULL));
	set(c, o, "file", str(c, sc ? sc->file : NULL));
	set(c, o, "line", integer(sc ? sc->line : 0));
	set(c, o, "col", integer(sc ? sc->col : 0));
	set(c, o, "channel", str(c, sc && sc->channel == TW_CHANNEL_IVR ? "ivr" : "web"));
	set(c, o, "backstage", json_boolean(sc && sc->backstage));
	set(c, o, "passed", count(sm->passed));
	set(c, o, "failed", count(sm->failed));
	set(c, o, "skipped", count(sm->skipped));
	/* format 9, issue 13, FLOW: the scene's `when`; performances it left
	 * the scene out of */
	set(c, o, "when", str(c, sc ? sc->when : NULL));
	set(c, o, "not_run", count(sm->not_run));
	/* format 9, issue 13, F1: the uses that brought the scene; absent for
	 * the rehearsal's own (most scenes: no null in every one) */
	if (sc && sc->used_by)
		set(c, o, "used_by", str(c, sc->used_by));
	json_t *tps = array(c);
	for (size_t j = 0; sm->steps && j < sm->step_count; j++)
		push(c, tps, touchpoint(c, &sm->steps[j], apdex(c, rs, index, j), rows));
	set(c, o, "touchpoints", tps);
	set(c, o, "transcript", transcript(c, sr));
	return o;
}

static json_t *timings(json_ctx *c, const tw_timings *t)
{
	json_t *o = object(c);
	set(c, o, "dns", ms(t->dns_ms));
	set(c, o, "connect", ms(t->connect_ms));
	set(c, o, "tls", ms(t->tls_ms));
	set(c, o, "first_byte", ms(t->first_byte_ms));
	set(c, o, "total", ms(t->total_ms));
	set(c, o, "redirect", ms(t->redirect_ms));
	return o;
}

static json_t *shown_step(json_ctx *c, const tw_step_result *st)
{
	json_t *o = object(c);
	set(c, o, "status", str(c, tw_status_str(st->status)));
	set(c, o, "message", str(c, st->message));
	set(c, o, "expected", str(c, st->expected));
	set(c, o, "actual", str(c, st->actual));
	set(c, o, "method", str(c, st->method));
	set(c, o, "url", str(c, st->url));
	set(c, o, "http_status", integer(st->http_status));
	set(c, o, "hops", hops(c, st));
	set(c, o, "hops_left_out", count(st->hops_left_out));
	set(c, o, "transport", json_boolean(st->transport));
	if (st->service) /* issue 14, F2 */
		set(c, o, "service", json_true());
	set(c, o, "retries", integer(st->retries));
	set(c, o, "polls", integer(st->polls)); /* format 8 */
	set(c, o, "note", str(c, st->note));    /* format 8 */
	set(c, o, "requested", json_boolean(st->requested));
	set(c, o, "timings", timings(c, &st->timings));
	set(c, o, "bytes_in", whole(st->bytes_in));
	set(c, o, "bytes_out", whole(st->bytes_out));
	set(c, o, "elapsed_ms", ms(st->elapsed_ms));
	return o;
}

static json_t *shown_scene(json_ctx *c, const tw_scene_result *sr)
{
	json_t *o = object(c);
	set(c, o, "status", str(c, tw_status_str(sr->status)));
	set(c, o, "elapsed_ms", ms(sr->elapsed_ms));
	set(c, o, "transcript", str(c, sr->transcript));
	/* format 9, issue 13, FLOW: a scene its `when` left out, and why */
	set(c, o, "ran", json_boolean(!sr->not_run));
	set(c, o, "why", str(c, sr->not_run));
	if (sr->steps && sr->scene) {
		json_t *steps = array(c);
		for (size_t j = 0; j < sr->scene->touchpoint_count; j++)
			push(c, steps, shown_step(c, &sr->steps[j]));
		set(c, o, "steps", steps);
	} else {
		set(c, o, "steps", json_null());
	}
	return o;
}

/* A problem with its source line: what a merge needs to show it again. */
static json_t *shown_problem(json_ctx *c, const tw_error *e)
{
	json_t *o = problem(c, e);
	if (json_is_object(o))
		set(c, o, "source_line", str(c, e->source_line));
	return o;
}

/*
 * SHOWN: the performance shown in detail, in full, so that techweek merge
 * can rebuild every report from parts (json_read.c): its status, times,
 * frontstage and phone figures, and per scene and step what the result
 * model holds. scenes is null when it performed nothing (broken, or a
 * shard that performed none of it).
 */
static json_t *shown(json_ctx *c, const tw_rehearsal_result *r)
{
	json_t *o = object(c);
	set(c, o, "status", str(c, tw_status_str(r->status)));
	set(c, o, "elapsed_ms", ms(r->elapsed_ms));
	set(c, o, "started_at", str(c, r->started_at[0] ? r->started_at : NULL));
	set(c, o, "frontstage_steps", integer(r->frontstage_steps));
	set(c, o, "frontstage_ms", ms(r->frontstage_ms));
	json_t *p = object(c);
	set(c, p, "calls", integer(r->phone.calls));
	set(c, p, "first_prompt_s", ms(r->phone.first_prompt_s));
	set(c, p, "transfer_s", ms(r->phone.transfer_s));
	set(c, p, "prompts", integer(r->phone.prompts));
	set(c, p, "inputs", integer(r->phone.inputs));
	set(c, p, "repeats", integer(r->phone.repeats));
	set(c, p, "reprompted_menu", str(c, r->phone.menu_turns > 0 ? r->phone.menu : NULL));
	set(c, p, "reprompted_menu_turns", integer(r->phone.menu_turns));
	set(c, o, "phone", p);
	set(c, o, "problem", shown_problem(c, &r->problem));
	if (r->data_row > 0) { /* format 9: issue 13, DATA: which row */
		set(c, o, "data_row", integer(r->data_row));
		set(c, o, "data_file", str(c, r->data_file));
		set(c, o, "performance", integer((long long)r->seq));
	}
	if (r->scenes) {
		json_t *scenes = array(c);
		for (size_t i = 0; i < r->scene_count; i++)
			push(c, scenes, shown_scene(c, &r->scenes[i]));
		set(c, o, "scenes", scenes);
	} else {
		set(c, o, "scenes", json_null());
	}
	return o;
}

static json_t *mean_of(double sum, uint64_t n)
{
	return ms(n ? sum / (double)n : 0);
}

/* The parts' names, in tw_part order: keys of the JSON result, fixed by
 * its schema whatever the words tw_part_str shows people. */
static const char *const part_keys[] = {"outcome", "responsiveness", "consistency", "effort"};
_Static_assert(sizeof(part_keys) / sizeof(part_keys[0]) == TW_PART_COUNT,
	       "a key for every part of the readiness score");

static const char *part_key(tw_part p)
{
	return (unsigned)p < TW_PART_COUNT ? part_keys[p] : "outcome";
}

/* A rehearsal's readiness, or null when it does not count in the score
 * (never performed). A broken script counts, as 0 with every part 0. */
static json_t *rehearsal_readiness(json_ctx *c, const tw_rehearsal_score *rs)
{
	if (!rs || !(rs->scored || rs->counted))
		return json_null();
	json_t *o = object(c);
	set(c, o, "score", score_down(rs->score));
	set(c, o, "capped", json_boolean(rs->capped));
	set(c, o, "minimum", rs->minimum >= 0 ? fixed3(rs->minimum) : json_null());
	set(c, o, "below_minimum", json_boolean(rs->below_minimum));
	set(c, o, "required", json_real(rs->required));
	set(c, o, "minor", json_boolean(rs->minor));
	set(c, o, "met", json_boolean(rs->met));
	set(c, o, "irregular", count(rs->irregular));
	json_t *parts = object(c);
	for (int p = 0; p < TW_PART_COUNT; p++)
		set(c, parts, part_key((tw_part)p), score_down(rs->part[p]));
	set(c, o, "parts", parts);
	return o;
}

static json_t *rehearsal(json_ctx *c, const tw_rehearsal_result *r, const tw_rehearsal_metrics *m,
			 const tw_rehearsal_score *rs)
{
	const tw_plan *s = r->plan;
	json_t *o = object(c);
	set(c, o, "name", str(c, str_or(r->name, str_or(r->path, "rehearsal"))));
	set(c, o, "path", str(c, r->path));
	set(c, o, "status", str(c, tw_status_str(r->status)));
	set(c, o, "problem", problem(c, &r->problem));
	set(c, o, "performances", count(m->performances));
	set(c, o, "achieved", count(m->achieved));
	set(c, o, "retried_achieved", count(m->retried_achieved));
	set(c, o, "failed", count(m->failed));
	set(c, o, "unreachable", count(m->unreachable));
	set(c, o, "broken", count(m->broken));
	set(c, o, "interrupted", count(m->interrupted));
	set(c, o, "limited", count(m->limited));
	set(c, o, "outcome_rate",
	    m->performances ? json_real((double)m->achieved / (double)m->performances)
			    : json_null());
	set(c, o, "flaky", json_boolean(tw_rehearsal_flaky_rows(m, r->data_row > 0)));
	if (r->data_row > 0) /* format 9, issue 13, F3 */
		set(c, o, "fails_on_some_rows", json_boolean(tw_rehearsal_fails_on_rows(m, true)));
	set(c, o, "time_to_outcome", stats(c, m->time_to_outcome));
	set(c, o, "frontstage_steps_mean", mean_of((double)m->frontstage_steps, m->performances));
	set(c, o, "frontstage_ms_mean", mean_of(m->frontstage_ms, m->performances));
	set(c, o, "frontstage_steps", count(m->frontstage_steps));
	set(c, o, "frontstage_ms", ms(m->frontstage_ms));
	set(c, o, "outcome", str(c, s ? s->outcome : NULL));
	if (s && (s->budget_ms > 0 || s->budget_steps > 0)) {
		json_t *b = object(c);
		set(c, b, "ms", s->budget_ms > 0 ? integer(s->budget_ms) : json_null());
		set(c, b, "steps", s->budget_steps > 0 ? integer(s->budget_steps) : json_null());
		set(c, o, "budget", b);
	} else {
		set(c, o, "budget", json_null());
	}
	json_t *tags = array(c);
	for (size_t i = 0; s && i < s->tag_count; i++)
		push(c, tags, str(c, s->tags[i] ? s->tags[i] : ""));
	set(c, o, "tags", tags);
	set(c, o, "apdex_ms", ms_or_null(s ? s->apdex_ms : 0));
	set(c, o, "require", s && s->require > 0 ? json_real(s->require) : json_null());
	set(c, o, "minor", json_boolean(s && s->minor));
	if (m->calls > 0) {
		json_t *p = object(c);
		set(c, p, "calls", count(m->calls));
		set(c, p, "prompts", count(m->prompts));
		set(c, p, "inputs", count(m->inputs));
		set(c, p, "repeats", count(m->repeats));
		const tw_menu_turns *menu = tw_rehearsal_reprompted_menu(m);
		set(c, p, "reprompted_menu", menu ? str(c, menu->text) : json_null());
		set(c, p, "reprompted_menu_turns", count(menu ? menu->turns : 0));
		set(c, p, "first_prompt", stats(c, m->first_prompt));
		set(c, p, "time_to_agent", stats(c, m->time_to_agent));
		set(c, o, "phone", p);
	} else {
		set(c, o, "phone", json_null());
	}
	json_t *scenes = array(c);
	for (size_t i = 0; m->scenes && i < m->scene_count; i++) {
		const tw_plan_scene *sc = s && i < s->scene_count ? &s->scenes[i] : NULL;
		const tw_scene_result *sr = r->scenes && i < r->scene_count ? &r->scenes[i] : NULL;
		push(c, scenes, scene(c, sc, &m->scenes[i], sr, rs, i, r->data_row > 0));
	}
	set(c, o, "scenes", scenes);
	set(c, o, "readiness", rehearsal_readiness(c, rs));
	set(c, o, "shown", shown(c, r));
	return o;
}

/* SHARD: which share of the plan this run performed; null unsharded. */
static json_t *shard(json_ctx *c, const tw_run *run)
{
	const tw_run_options *o = &run->opts;
	if (o->shard_count == 0 || run->shard_mode == TW_SHARD_NONE)
		return json_null();
	json_t *s = object(c);
	set(c, s, "index", integer(o->shard_index));
	set(c, s, "count", integer(o->shard_count));
	set(c, s, "mode", str(c, tw_shard_mode_str(run->shard_mode)));
	return s;
}

/* PLAN: every rehearsal the unsharded run would have had, in order, and
 * its schedule: the same in every shard of one run. null for a run that
 * never executed. */
static json_t *plan(json_ctx *c, const tw_run *run)
{
	if (!run->lineup)
		return json_null();
	json_t *p = object(c);
	json_t *list = array(c);
	for (size_t i = 0; i < run->lineup_count; i++) {
		json_t *e = object(c);
		set(c, e, "path", str(c, run->lineup[i].path));
		set(c, e, "name", str(c, run->lineup[i].name));
		set(c, e, "broken", json_boolean(run->lineup[i].broken));
		if (run->lineup[i].performances) /* format 9: issue 13, DATA */
			set(c, e, "performances", integer((long long)run->lineup[i].performances));
		push(c, list, e);
	}
	set(c, p, "rehearsals", list);
	set(c, p, "schedule", schedule(c, &run->opts));
	return p;
}

/*
 * READINESS: the run's score, whether the gate and every minimum held, the
 * weights the parts were combined with, and what cost the most points.
 * null without a score.
 */
static json_t *run_readiness(json_ctx *c, const tw_run *run, const tw_run_score *sc)
{
	if (!sc)
		return json_null();
	json_t *o = object(c);
	set(c, o, "score", sc->weakest < sc->count ? score_down(sc->score) : json_null());
	/* The verdict's, so the two can never disagree. */
	set(c, o, "passed", json_boolean(sc->verdict == TW_VERDICT_READY));
	set(c, o, "capped", json_boolean(sc->capped));
	set(c, o, "gate", sc->gate >= 0 ? fixed3(sc->gate) : json_null());
	set(c, o, "weakest", sc->weakest < run->count ? count(sc->weakest) : json_null());
	json_t *w = object(c);
	for (int p = 0; p < TW_PART_COUNT; p++)
		set(c, w, part_key((tw_part)p), fixed3(sc->weight[p]));
	set(c, o, "parts_weights", w);
	json_t *losses = array(c);
	for (size_t i = 0; sc->losses && i < sc->loss_count; i++) {
		const tw_loss *l = &sc->losses[i];
		json_t *x = object(c);
		set(c, x, "rehearsal", l->rehearsal < run->count ? count(l->rehearsal) : json_null());
		set(c, x, "part", str(c, part_key(l->part)));
		set(c, x, "points", fixed3(l->points));
		set(c, x, "in_run", json_boolean(l->in_run));
		set(c, x, "why", str(c, l->why ? l->why : ""));
		push(c, losses, x);
	}
	set(c, o, "losses", losses);
	return o;
}

/* A figure before and after, or null when one side did not measure it. */
static json_t *change(json_ctx *c, const tw_change *ch)
{
	if (!ch->known)
		return json_null();
	json_t *o = object(c);
	set(c, o, "before", fixed3(ch->before));
	set(c, o, "after", fixed3(ch->after));
	set(c, o, "change", fixed3(ch->after - ch->before));
	set(c, o, "regressed", json_boolean(ch->regressed));
	return o;
}

static void changes(json_ctx *c, json_t *o, const tw_change *figure, bool touchpoint)
{
	for (int f = 0; f < TW_FIGURE_COUNT; f++) {
		bool of_touchpoint = f == TW_FIGURE_SCORE || f == TW_FIGURE_OUTCOME || f == TW_FIGURE_P95;
		bool of_rehearsal = f != TW_FIGURE_P95;
		if (touchpoint ? of_touchpoint : of_rehearsal)
			set(c, o, tw_figure_key((tw_figure)f), change(c, &figure[f]));
	}
}

/*
 * BASELINE: this run against --baseline (readiness/baseline.h): per
 * rehearsal and performed touchpoint the figures before and after, what
 * regressed beyond the project's limits, the baseline's rehearsals this
 * run lacks. null without --baseline.
 */
static json_t *baseline(json_ctx *c, const tw_run *run, const tw_run_score *sc)
{
	const tw_comparison *cmp = sc ? sc->baseline : NULL;
	if (!cmp)
		return json_null();
	json_t *o = object(c);
	set(c, o, "file", str(c, cmp->file));
	/* An older baseline's stamp has no zone: it is UTC, said as the
	 * terminal and the HTML say it. */
	char zoned[64];
	const char *stamp = cmp->started_at;
	if (stamp && strlen(stamp) < sizeof(zoned) - 1) /* else not a stamp: kept whole */
		stamp = tw_stamp_shown(zoned, sizeof(zoned), stamp);
	set(c, o, "started_at", str(c, stamp));
	json_t *limits = object(c);
	for (int f = 0; f < TW_FIGURE_COUNT; f++)
		set(c, limits, tw_figure_key((tw_figure)f),
		    cmp->limits.set[f] ? fixed3(cmp->limits.max[f]) : json_null());
	set(c, o, "limits", limits);
	json_t *regs = array(c);
	for (size_t i = 0; i < cmp->regression_count; i++) {
		const tw_regression *g = &cmp->regressions[i];
		const tw_rehearsal_change *rc = &cmp->rehearsals[g->rehearsal];
		json_t *x = object(c);
		set(c, x, "rehearsal", count(g->rehearsal));
		if (g->touchpoint == SIZE_MAX) {
			set(c, x, "line", json_null());
		} else {
			const tw_touchpoint_change *tc = &rc->touchpoints[g->touchpoint];
			const tw_plan *s = run->rehearsals[g->rehearsal].plan;
			set(c, x, "line", integer(s->scenes[tc->scene].touchpoints[tc->step].line));
		}
		set(c, x, "figure", str(c, tw_figure_key(g->figure)));
		set(c, x, "before", fixed3(g->before));
		set(c, x, "after", fixed3(g->after));
		set(c, x, "limit", fixed3(g->limit));
		set(c, x, "why", str(c, g->why));
		push(c, regs, x);
	}
	set(c, o, "regressions", regs);
	json_t *list = array(c);
	for (size_t i = 0; i < cmp->count && i < run->count; i++) {
		const tw_rehearsal_change *rc = &cmp->rehearsals[i];
		const tw_rehearsal_result *r = &run->rehearsals[i];
		json_t *x = object(c);
		set(c, x, "name", str(c, str_or(r->name, str_or(r->path, "rehearsal"))));
		set(c, x, "matched", rc->is_new ? json_null() : str(c, rc->by_name ? "name" : "path"));
		changes(c, x, rc->figure, false);
		json_t *tps = array(c);
		for (size_t k = 0; k < rc->touchpoint_count; k++) {
			const tw_touchpoint_change *tc = &rc->touchpoints[k];
			const tw_touchpoint *st = &r->plan->scenes[tc->scene].touchpoints[tc->step];
			json_t *y = object(c);
			set(c, y, "scene", count(tc->scene));
			set(c, y, "step", count(tc->step));
			set(c, y, "line", integer(st->line));
			set(c, y, "source", str(c, step_source(st)));
			set(c, y, "new", json_boolean(tc->is_new));
			changes(c, y, tc->figure, true);
			push(c, tps, y);
		}
		set(c, x, "touchpoints", tps);
		set(c, x, "touchpoints_gone", count(rc->touchpoints_gone));
		push(c, list, x);
	}
	set(c, o, "rehearsals", list);
	json_t *gone = array(c);
	for (size_t i = 0; i < cmp->gone_count; i++)
		push(c, gone, str(c, cmp->gone[i]));
	set(c, o, "gone", gone);
	return o;
}

/* The verdict's reasons, the engine's one list the other reports print:
 * [{"rehearsal": its index or null for the run, "text": the sentence}]. */
static json_t *reasons(json_ctx *c, const tw_run *run, const tw_run_score *sc, tw_verdict v)
{
	struct tw_reasons why;
	json_t *a = array(c);
	int rc = tw_readiness_reasons(&why, run, sc, v);
	if (rc != TW_OK)
		fail(c, rc);
	for (size_t i = 0; !c->rc && i < why.count; i++) {
		json_t *o = object(c);
		set(c, o, "rehearsal", why.items[i].rehearsal == SIZE_MAX
					       ? json_null()
					       : integer((long long)why.items[i].rehearsal));
		set(c, o, "text", str(c, why.items[i].why));
		push(c, a, o);
	}
	tw_reasons_clear(&why);
	return a;
}

static json_t *document(json_ctx *c, const tw_run *run, const figures *f, const tw_run_score *sc)
{
	json_t *d = object(c);
	set(c, d, "techweek", str(c, tw_version()));
	set(c, d, "format", integer(TW_JSON_FORMAT));
	set(c, d, "started_at", str(c, run->started_at[0] ? run->started_at : NULL));
	set(c, d, "host", str(c, run->hostname[0] ? run->hostname : NULL));
	set(c, d, "elapsed_ms", ms(run->elapsed_ms));
	set(c, d, "schedule", schedule(c, &run->opts));
	set(c, d, "shard", shard(c, run));
	set(c, d, "plan", plan(c, run));
	set(c, d, "settings", settings(c, run));
	/* format 9, issue 13, SUITE: what --tag/--skip-tag/--name left out,
	 * and the --env environment */
	json_t *selection = tw_suite_selection_json(run);
	if (!selection)
		fail(c, TW_ENOMEM);
	set(c, d, "selection", selection);
	set(c, d, "environment", str(c, run->environment));
	set(c, d, "totals", totals(c, run, f));
	/* The score's verdict (a gate can lower it); without a score, the
	 * run's without a gate. */
	tw_verdict v = sc ? sc->verdict : tw_run_verdict(run);
	set(c, d, "verdict", str(c, tw_verdict_key(v)));
	set(c, d, "reasons", reasons(c, run, sc, v));
	set(c, d, "readiness", run_readiness(c, run, sc));
	set(c, d, "baseline", baseline(c, run, sc));
	json_t *rs = array(c);
	for (size_t i = 0; i < run->count; i++) {
		const tw_rehearsal_score *r =
			sc && sc->rehearsals && i < sc->count ? &sc->rehearsals[i] : NULL;
		push(c, rs, rehearsal(c, &run->rehearsals[i], &f->m[i], r));
	}
	set(c, d, "rehearsals", rs);
	return d;
}

/* json_dump_callback's sink: the capped buffer, and why it refused. */
typedef struct sink {
	tw_buf *buf;
	int rc;
} sink;

static int dump_into(const char *buffer, size_t size, void *data)
{
	sink *k = data;
	/* jansson goes on past a refused piece of a string: the first
	 * refusal stands, and so does every later one. */
	if (k->rc == TW_OK)
		k->rc = tw_buf_append(k->buf, buffer, size);
	return k->rc == TW_OK ? 0 : -1;
}

int tw_report_json_render(const tw_run *run, const tw_run_score *score, tw_buf *out,
			  tw_error *err)
{
	tw_buf_init(out, REPORT_MAX);
	if (!run)
		return tw_error_set(err, TW_EUSAGE, "tw_report_json_render needs a run");

	json_ctx c = {.rc = TW_OK};
	tw_buf_init(&c.clean, STRING_MAX);
	figures f;
	c.rc = figures_get(&f, run);
	json_t *doc = c.rc ? NULL : document(&c, run, &f, score);
	figures_free(&f);
	tw_buf_free(&c.clean);

	sink k = {.buf = out, .rc = TW_OK};
	if (!c.rc && json_dump_callback(doc, dump_into, &k, DUMP_FLAGS) != 0)
		c.rc = k.rc ? k.rc : TW_ENOMEM;
	if (!c.rc)
		c.rc = tw_buf_puts(out, "\n");
	json_decref(doc);

	if (c.rc == TW_ELIMIT)
		return tw_error_set(err, c.rc, "the JSON report grew too large (over %zu MiB)",
				    REPORT_MAX >> 20);
	if (c.rc)
		return tw_error_set(err, c.rc, "out of memory building the JSON report");
	return TW_OK;
}

int tw_report_json(const tw_run *run, const tw_run_score *score, const char *path, tw_error *err)
{
	return tw_report_write(tw_report_json_render, "tw_report_json", run, score, path, err);
}
