/*
 * Effort against the last good run: readiness/baseline.h says what; this
 * file reads the earlier result and does the subtraction.
 *
 * A baseline is a JSON result someone kept, perhaps edited, perhaps from
 * an older techweek: it is read strictly (core/jsonread.h), but only the
 * figures compared are read, so the keys a later format adds never stand
 * in the way. They are copied into plain structs at load time, so a bad
 * file is refused before the run starts and the comparison never meets a
 * value it did not check.
 *
 * Figures compare like with like: a rehearsal's score, outcome rate, steps
 * per performance and p90 time to outcome as the JSON result writes them,
 * a touchpoint's Apdex, pass rate and p95 latency. A figure one side did
 * not measure (a journey never achieved, a touchpoint not timed) is not
 * compared, and so can never regress.
 */
#include "readiness/baseline.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/buf.h"
#include "core/fsutil.h"
#include "core/jsonread.h"
#include "metrics/histogram.h"
#include "readiness/score.h"
#include "reports/json.h"

/* JSON result formats a baseline may have: from 4 to the one this
 * techweek writes (reports/json.h). */
#define FORMAT_MIN 4
#define FORMAT_MAX TW_JSON_FORMAT
/* The largest result json.c writes. */
#define BASELINE_MAX_BYTES ((size_t)1 << 30)
/* Steps in one scene aligned by their text; past it (never in a script a
 * person wrote), by position only. */
#define ALIGN_MAX_CELLS ((size_t)1 << 24)
/* A regression's sentence: its name cut at WHY_NAME_CHARS characters, a
 * quoted step (60) and figures; the cap only guards. */
#define WHY_NAME_CHARS 200
#define WHY_MAX 16384
/* A change in words: three figures of at most 320 characters each (a
 * double in %.0f) and a few words, so it always fits. */
#define CHANGE_MAX 1024
/* Arithmetic noise never makes a regression. */
#define TOLERANCE 1e-9

typedef struct base_touchpoint {
	char *source;
	uint64_t count, passed;
	bool has_p95, has_apdex;
	double p95, apdex;
} base_touchpoint;

typedef struct base_scene {
	base_touchpoint *tps;
	size_t count;
} base_scene;

typedef struct base_rehearsal {
	char *path, *name;
	uint64_t performances, achieved, frontstage_steps;
	bool has_score, has_time;
	double score, time_p90;
	base_scene *scenes;
	size_t scene_count;
} base_rehearsal;

struct tw_baseline {
	char *file;
	char *started_at;
	base_rehearsal *rehearsals;
	size_t count;
};

static const char *const figure_keys[] = {"score", "outcome", "p95", "steps", "time"};
_Static_assert(sizeof(figure_keys) / sizeof(figure_keys[0]) == TW_FIGURE_COUNT,
	       "a key for every figure");

const char *tw_figure_key(tw_figure f)
{
	return (unsigned)f < TW_FIGURE_COUNT ? figure_keys[f] : "?";
}

/* ---- reading ---- */

void tw_baseline_free(tw_baseline *b)
{
	if (!b)
		return;
	for (size_t i = 0; b->rehearsals && i < b->count; i++) {
		base_rehearsal *r = &b->rehearsals[i];
		for (size_t s = 0; r->scenes && s < r->scene_count; s++) {
			for (size_t k = 0; r->scenes[s].tps && k < r->scenes[s].count; k++)
				free(r->scenes[s].tps[k].source);
			free(r->scenes[s].tps);
		}
		free(r->scenes);
		free(r->path);
		free(r->name);
	}
	free(b->rehearsals);
	free(b->started_at);
	free(b->file);
	free(b);
}

size_t tw_baseline_count(const tw_baseline *b)
{
	return b ? b->count : 0;
}

/* A share from 0 to 1 (an Apdex) or a score from 0 to 100 at obj[key]. */
static double bounded_of(tw_jreader *rd, json_t *obj, const char *key, double hi)
{
	size_t m = tw_jr_push(rd, key, 0);
	json_t *v = json_object_get(obj, key);
	double x = json_is_number(v) ? json_number_value(v) : -1;
	if (!(x >= 0 && x <= hi)) {
		tw_jr_bad(rd, v, "a number from 0 to %g", hi);
		x = 0;
	}
	tw_jr_pop(rd, m);
	return x;
}

/* STATS obj[key]: its count, and the percentile named pkey. */
static uint64_t stats_of(tw_jreader *rd, json_t *obj, const char *key, const char *pkey,
			 double *value)
{
	size_t m = tw_jr_push(rd, key, 0);
	json_t *st = tw_jr_object(rd, json_object_get(obj, key), false);
	uint64_t n = tw_jr_count_of(rd, st, "count");
	*value = tw_jr_number_of(rd, st, pkey, 0);
	tw_jr_pop(rd, m);
	return n;
}

static void read_touchpoint(tw_jreader *rd, json_t *o, base_touchpoint *t, bool *oom)
{
	const char *source = tw_jr_string_of(rd, o, "source", false);
	t->count = tw_jr_count_of(rd, o, "count");
	t->passed = tw_jr_count_of(rd, o, "passed");
	if (!tw_jr_failed(rd) && t->passed > t->count) {
		size_t m = tw_jr_push(rd, "passed", 0);
		tw_jr_bad_because(rd, "is %llu, more than count %llu", (unsigned long long)t->passed,
				  (unsigned long long)t->count);
		tw_jr_pop(rd, m);
	}
	t->has_p95 = stats_of(rd, o, "latency", "p95", &t->p95) > 0;
	json_t *ap = tw_jr_object_of(rd, o, "apdex", true);
	if (ap) {
		size_t m = tw_jr_push(rd, "apdex", 0);
		t->apdex = bounded_of(rd, ap, "score", 1);
		t->has_apdex = true;
		tw_jr_pop(rd, m);
	}
	if (source && !tw_jr_failed(rd) && !(t->source = strdup(source)))
		*oom = true;
}

static void read_rehearsal(tw_jreader *rd, json_t *o, base_rehearsal *r, bool *oom)
{
	const char *path = tw_jr_string_of(rd, o, "path", true);
	const char *name = tw_jr_string_of(rd, o, "name", false);
	r->performances = tw_jr_count_of(rd, o, "performances");
	r->achieved = tw_jr_count_of(rd, o, "achieved");
	r->frontstage_steps = tw_jr_count_of(rd, o, "frontstage_steps");
	if (!tw_jr_failed(rd) && r->achieved > r->performances) {
		size_t m = tw_jr_push(rd, "achieved", 0);
		tw_jr_bad_because(rd, "is %llu, more than performances %llu",
				  (unsigned long long)r->achieved, (unsigned long long)r->performances);
		tw_jr_pop(rd, m);
	}
	r->has_time = stats_of(rd, o, "time_to_outcome", "p90", &r->time_p90) > 0;
	json_t *rd_o = tw_jr_object_of(rd, o, "readiness", true);
	if (rd_o) {
		size_t m = tw_jr_push(rd, "readiness", 0);
		r->score = bounded_of(rd, rd_o, "score", 100);
		r->has_score = true;
		tw_jr_pop(rd, m);
	}
	if (tw_jr_failed(rd))
		return;
	r->path = path ? strdup(path) : NULL;
	r->name = strdup(name);
	if ((path && !r->path) || !r->name) {
		*oom = true;
		return;
	}
	json_t *scenes = tw_jr_array_of(rd, o, "scenes", SIZE_MAX, "scenes", false);
	size_t n = json_array_size(scenes);
	if (tw_jr_failed(rd) || n == 0)
		return;
	if (!(r->scenes = calloc(n, sizeof(*r->scenes)))) {
		*oom = true;
		return;
	}
	r->scene_count = n;
	size_t ms = tw_jr_push(rd, "scenes", 0);
	for (size_t i = 0; i < n && !tw_jr_failed(rd) && !*oom; i++) {
		size_t mi = tw_jr_push(rd, NULL, i);
		json_t *sc = tw_jr_object(rd, json_array_get(scenes, i), false);
		json_t *tps = tw_jr_array_of(rd, sc, "touchpoints", SIZE_MAX, "touchpoints", false);
		size_t k = json_array_size(tps);
		base_scene *bs = &r->scenes[i];
		if (k && !tw_jr_failed(rd) && !(bs->tps = calloc(k, sizeof(*bs->tps))))
			*oom = true;
		if (bs->tps)
			bs->count = k;
		size_t mt = tw_jr_push(rd, "touchpoints", 0);
		for (size_t j = 0; bs->tps && j < k && !tw_jr_failed(rd) && !*oom; j++) {
			size_t mj = tw_jr_push(rd, NULL, j);
			json_t *tp = tw_jr_object(rd, json_array_get(tps, j), false);
			read_touchpoint(rd, tp, &bs->tps[j], oom);
			tw_jr_pop(rd, mj);
		}
		tw_jr_pop(rd, mt);
		tw_jr_pop(rd, mi);
	}
	tw_jr_pop(rd, ms);
}

static int read_doc(tw_baseline *b, json_t *doc, tw_error *err)
{
	const char *file = b->file;
	if (!json_is_object(doc))
		return tw_error_set(err, TW_EUSAGE, "%s: not a techweek JSON result (not an object)",
				    file);
	json_t *format = json_object_get(doc, "format");
	if (!json_is_integer(format) || !json_is_string(json_object_get(doc, "techweek")))
		return tw_error_set(err, TW_EUSAGE,
				    "%s: not a techweek JSON result (no format or version)", file);
	json_int_t f = json_integer_value(format);
	if (f < FORMAT_MIN || f > FORMAT_MAX)
		return tw_error_set(err, TW_EUSAGE,
				    "%s: JSON result format %lld; --baseline reads formats %d to %d "
				    "(run the baseline again with this techweek)",
				    file, (long long)f, FORMAT_MIN, FORMAT_MAX);
	tw_jreader rd = {.file = file};
	bool oom = false;
	const char *started = tw_jr_string_of(&rd, doc, "started_at", true);
	if (started && !(b->started_at = strdup(started)))
		oom = true;
	json_t *list = tw_jr_array_of(&rd, doc, "rehearsals", SIZE_MAX, "rehearsals", false);
	size_t n = json_array_size(list);
	if (!tw_jr_failed(&rd) && n && !(b->rehearsals = calloc(n, sizeof(*b->rehearsals))))
		oom = true;
	if (b->rehearsals)
		b->count = n;
	size_t m = tw_jr_push(&rd, "rehearsals", 0);
	for (size_t i = 0; b->rehearsals && i < n && !tw_jr_failed(&rd) && !oom; i++) {
		size_t mi = tw_jr_push(&rd, NULL, i);
		json_t *o = tw_jr_object(&rd, json_array_get(list, i), false);
		read_rehearsal(&rd, o, &b->rehearsals[i], &oom);
		tw_jr_pop(&rd, mi);
	}
	tw_jr_pop(&rd, m);
	if (oom)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	if (tw_jr_failed(&rd))
		return tw_jr_error(&rd, err);
	return TW_OK;
}

int tw_baseline_parse(tw_baseline **out, const char *name, const char *text, size_t len,
		      tw_error *err)
{
	if (out)
		*out = NULL;
	if (!out || !name || !text)
		return tw_error_set(err, TW_EUSAGE, "tw_baseline_parse: %s is NULL",
				    !out ? "out" : !name ? "name" : "text");
	json_error_t je;
	json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!doc)
		return tw_error_set(err, TW_EUSAGE,
				    "%s: not a JSON result (%s, line %d): corrupt or truncated?",
				    name, je.text, je.line);
	tw_baseline *b = calloc(1, sizeof(*b));
	int rc = b && (b->file = strdup(name)) ? read_doc(b, doc, err)
					       : tw_error_set(err, TW_ENOMEM, "out of memory");
	json_decref(doc);
	if (rc != TW_OK) {
		tw_baseline_free(b);
		return rc;
	}
	*out = b;
	return TW_OK;
}

int tw_baseline_load(tw_baseline **out, const char *path, tw_error *err)
{
	if (out)
		*out = NULL;
	if (!out || !path)
		return tw_error_set(err, TW_EUSAGE, "tw_baseline_load: %s is NULL", out ? "path" : "out");
	char *text = NULL;
	size_t len = 0;
	tw_error e = {0};
	int rc = tw_read_file(path, BASELINE_MAX_BYTES, &text, &len, &e);
	if (rc == TW_ENOMEM) {
		tw_error_move(err, &e);
		return rc;
	}
	if (rc != TW_OK) {
		/* Whatever kept it from being read, it is the user's to fix. */
		rc = tw_error_set(err, TW_EUSAGE, "%s: cannot read the baseline: %s", path,
				  e.message ? e.message : tw_code_str(e.code));
		tw_error_clear(&e);
		return rc;
	}
	rc = tw_baseline_parse(out, path, text, len, err);
	free(text);
	return rc;
}

/* ---- words ---- */

/* "0.8 ms", "120 ms", "1.5 s" */
static void put_ms(tw_buf *b, double ms)
{
	if (ms < 10) {
		tw_buf_put_decimal(b, ms, 1, false);
		tw_buf_puts(b, " ms");
	} else if (ms < 1000) {
		tw_buf_printf(b, "%.0f ms", ms);
	} else {
		tw_buf_put_decimal(b, ms / 1000, 1, false);
		tw_buf_puts(b, " s");
	}
}

static void put_value(tw_buf *b, tw_figure f, double v)
{
	switch (f) {
	case TW_FIGURE_SCORE: {
		char num[TW_SCORE_SHOWN_SIZE];
		tw_buf_puts(b, tw_score_shown(num, sizeof(num), v));
		break;
	}
	case TW_FIGURE_OUTCOME: {
		/* Rounded down, as every rate shown (tw_floor_shown). */
		char num[TW_FLOOR_SHOWN_SIZE];
		tw_buf_puts(b, tw_floor_shown(num, sizeof(num), 100 * v, 1));
		tw_buf_puts(b, "%");
		break;
	}
	case TW_FIGURE_STEPS: tw_buf_put_decimal(b, v, 2, false); break;
	case TW_FIGURE_P95:
	case TW_FIGURE_TIME:
	case TW_FIGURE_COUNT: put_ms(b, v); break;
	}
}

/* The change in the figure's own unit: "+2", "-1.5", "-3 points", "+25%". */
static void put_delta(tw_buf *b, tw_figure f, const tw_change *c)
{
	double d = c->after - c->before;
	switch (f) {
	case TW_FIGURE_SCORE: tw_buf_put_decimal(b, d, 1, true); break;
	case TW_FIGURE_STEPS: tw_buf_put_decimal(b, d, 2, true); break;
	case TW_FIGURE_OUTCOME:
		tw_buf_put_decimal(b, 100 * d, 1, true);
		tw_buf_puts(b, fabs(100 * d - 1) < 0.05 || fabs(100 * d + 1) < 0.05 ? " point"
										     : " points");
		break;
	case TW_FIGURE_P95:
	case TW_FIGURE_TIME:
	case TW_FIGURE_COUNT:
		if (c->before > 0) {
			tw_buf_put_decimal(b, 100 * d / c->before, 0, true);
			tw_buf_puts(b, "%");
		} else {
			tw_buf_puts(b, d >= 0 ? "+" : "-");
			put_ms(b, fabs(d));
		}
		break;
	}
}

/* "4 → 6 (+2)"; "not compared" when one side did not measure it. */
static void put_change(tw_buf *b, tw_figure f, const tw_change *c)
{
	if (!c->known) {
		tw_buf_puts(b, "not compared");
		return;
	}
	put_value(b, f, c->before);
	tw_buf_puts(b, " \xE2\x86\x92 ");
	put_value(b, f, c->after);
	tw_buf_puts(b, " (");
	put_delta(b, f, c);
	tw_buf_puts(b, ")");
}

int tw_change_str(char *out, size_t size, tw_figure f, const tw_change *c)
{
	/* Built whole (CHANGE_MAX holds any change), then cut to size. */
	tw_buf b;
	tw_buf_init(&b, CHANGE_MAX);
	put_change(&b, f, c);
	int rc = tw_buf_failed(&b);
	snprintf(out, size, "%s", rc ? "" : tw_buf_str(&b));
	tw_buf_free(&b);
	return rc;
}

static const char *figure_words(tw_figure f)
{
	switch (f) {
	case TW_FIGURE_SCORE: return "score";
	case TW_FIGURE_OUTCOME: return "outcome rate";
	case TW_FIGURE_P95: return "p95";
	case TW_FIGURE_STEPS: return "steps per performance";
	case TW_FIGURE_TIME: return "time to outcome (p90)";
	case TW_FIGURE_COUNT: break;
	}
	return "?";
}

/* The limit, signed the way the figure gets worse: "-5", "-1 point",
 * "+20%", "+0". */
static void put_limit(tw_buf *b, tw_figure f, double max)
{
	switch (f) {
	case TW_FIGURE_SCORE: tw_buf_put_decimal(b, -max, 1, true); break;
	case TW_FIGURE_STEPS: tw_buf_put_decimal(b, max, 2, true); break;
	case TW_FIGURE_OUTCOME:
		tw_buf_put_decimal(b, -100 * max, 1, true);
		tw_buf_puts(b, fabs(100 * max - 1) < 0.05 ? " point" : " points");
		break;
	case TW_FIGURE_P95:
	case TW_FIGURE_TIME:
	case TW_FIGURE_COUNT:
		tw_buf_put_decimal(b, 100 * max, 1, true);
		tw_buf_puts(b, "%");
		break;
	}
}

/* ---- comparing ---- */

void tw_comparison_free(tw_comparison *c)
{
	if (!c)
		return;
	for (size_t i = 0; c->rehearsals && i < c->count; i++)
		free(c->rehearsals[i].touchpoints);
	free(c->rehearsals);
	for (size_t i = 0; c->gone && i < c->gone_count; i++)
		free(c->gone[i]);
	free(c->gone);
	for (size_t i = 0; c->regressions && i < c->regression_count; i++)
		free(c->regressions[i].why);
	free(c->regressions);
	free(c->file);
	free(c->started_at);
	memset(c, 0, sizeof(*c));
}

static const char *source_of(const tw_touchpoint *st)
{
	return st && st->source ? st->source : "";
}

/*
 * match[j] = the baseline touchpoint run step j pairs with, or SIZE_MAX:
 * the longest common sequence of the two scenes' line texts, ties taken
 * as early as they come, so steps added or removed anywhere leave the
 * others paired.
 */
static int align(const tw_scene_metrics *sm, const base_scene *bs, size_t *match)
{
	size_t n = sm->step_count, m = bs ? bs->count : 0;
	for (size_t j = 0; j < n; j++)
		match[j] = SIZE_MAX;
	if (m == 0 || n == 0)
		return TW_OK;
#define SAME(j, k) (strcmp(source_of(sm->steps[j].step), bs->tps[k].source) == 0)
	if ((n + 1) > ALIGN_MAX_CELLS / (m + 1)) {
		for (size_t j = 0; j < n && j < m; j++)
			if (SAME(j, j))
				match[j] = j;
		return TW_OK;
	}
	/* L[j][k]: the longest common sequence of steps j.. and k.. */
	uint32_t *L = calloc((n + 1) * (m + 1), sizeof(*L));
	if (!L)
		return TW_ENOMEM;
#define AT(j, k) L[(j) * (m + 1) + (k)]
	for (size_t j = n; j-- > 0;)
		for (size_t k = m; k-- > 0;) {
			uint32_t skip = AT(j + 1, k) > AT(j, k + 1) ? AT(j + 1, k) : AT(j, k + 1);
			AT(j, k) = SAME(j, k) && AT(j + 1, k + 1) + 1 > skip ? AT(j + 1, k + 1) + 1
										  : skip;
		}
	for (size_t j = 0, k = 0; j < n && k < m;) {
		if (SAME(j, k) && AT(j, k) == AT(j + 1, k + 1) + 1)
			match[j++] = k++;
		else if (AT(j + 1, k) >= AT(j, k + 1))
			j++;
		else
			k++;
	}
#undef AT
#undef SAME
	free(L);
	return TW_OK;
}

static tw_change change(bool known, double before, double after)
{
	return known ? (tw_change){true, before, after, false} : (tw_change){0};
}

/* Worse than before by more than the limit? */
static bool beyond(tw_figure f, const tw_change *c, double max)
{
	if (!c->known)
		return false;
	switch (f) {
	case TW_FIGURE_SCORE:
	case TW_FIGURE_OUTCOME: return c->before - c->after > max + TOLERANCE;
	case TW_FIGURE_STEPS: return c->after - c->before > max + TOLERANCE;
	case TW_FIGURE_P95:
	case TW_FIGURE_TIME:
	case TW_FIGURE_COUNT: break;
	}
	/* Grown as a share of the baseline's; from nothing it cannot be told. */
	return c->before > 0 && c->after > c->before * (1 + max) + TOLERANCE;
}

typedef struct comparing {
	tw_comparison *out;
	const tw_run *run;
	size_t cap;
} comparing;

static int add_regression(comparing *cx, size_t ri, size_t ti, tw_figure f, tw_change *c)
{
	tw_comparison *out = cx->out;
	double max = out->limits.max[f];
	if (!out->limits.set[f] || !beyond(f, c, max))
		return TW_OK;
	c->regressed = true;
	if (tw_array_grow(&out->regressions, &cx->cap, out->regression_count + 1,
			  sizeof(*out->regressions)))
		return TW_ENOMEM;
	const tw_rehearsal_result *r = &cx->run->rehearsals[ri];
	tw_buf b;
	tw_buf_init(&b, WHY_MAX);
	tw_run_put_rehearsal_name(&b, cx->run, ri, WHY_NAME_CHARS);
	tw_buf_puts(&b, ": ");
	size_t what = b.len;
	if (ti != SIZE_MAX) {
		const tw_touchpoint_change *t = &out->rehearsals[ri].touchpoints[ti];
		const tw_touchpoint *st = &r->plan->scenes[t->scene].touchpoints[t->step];
		const char *at = tw_touchpoint_elsewhere(r->plan, st); /* issue 13, USE */
		if (at)
			tw_buf_printf(&b, "%s:%d ", at, st->line);
		else
			tw_buf_printf(&b, "line %d ", st->line);
		tw_buf_put_quoted(&b, source_of(st), 60);
		tw_buf_puts(&b, " ");
	}
	tw_buf_printf(&b, "%s ", figure_words(f));
	put_change(&b, f, c);
	tw_buf_puts(&b, ", beyond the limit of ");
	put_limit(&b, f, max);
	int rc = tw_buf_failed(&b);
	char *why = tw_buf_steal(&b);
	if (!why)
		return rc ? rc : TW_ENOMEM;
	out->regressions[out->regression_count++] =
		(tw_regression){ri, ti, f, c->before, c->after, max, why, why + what};
	return TW_OK;
}

/* The run's rehearsal i paired with the baseline's: path first, then
 * name, each baseline rehearsal used once. */
static void pair(const tw_baseline *b, const tw_run *run, tw_rehearsal_change *rc, bool *used)
{
	for (int by_name = 0; by_name < 2; by_name++)
		for (size_t i = 0; i < run->count; i++) {
			const tw_rehearsal_result *r = &run->rehearsals[i];
			const char *key = by_name ? r->name : r->path;
			if (!rc[i].is_new || !key)
				continue;
			for (size_t k = 0; k < b->count; k++) {
				const char *bkey = by_name ? b->rehearsals[k].name : b->rehearsals[k].path;
				if (used[k] || !bkey || strcmp(key, bkey) != 0)
					continue;
				used[k] = true;
				rc[i].is_new = false;
				rc[i].by_name = by_name;
				rc[i].base = k;
				break;
			}
		}
}

static const tw_touchpoint_score *timed(const tw_rehearsal_score *rs, size_t scene, size_t step)
{
	for (size_t i = 0; rs && rs->touchpoints && i < rs->touchpoint_count; i++)
		if (rs->touchpoints[i].scene == scene && rs->touchpoints[i].step == step)
			return &rs->touchpoints[i];
	return NULL;
}

static int compare_touchpoints(comparing *cx, size_t ri, const base_rehearsal *br,
			       const tw_rehearsal_score *rs)
{
	const tw_rehearsal_metrics *m = &cx->run->metrics[ri];
	tw_rehearsal_change *rc = &cx->out->rehearsals[ri];
	size_t performed = 0, longest = 0;
	for (size_t s = 0; s < m->scene_count; s++) {
		for (size_t j = 0; j < m->scenes[s].step_count; j++)
			performed += m->scenes[s].steps[j].count > 0;
		if (m->scenes[s].step_count > longest)
			longest = m->scenes[s].step_count;
	}
	rc->touchpoints = calloc(performed ? performed : 1, sizeof(*rc->touchpoints));
	size_t *match = calloc(longest ? longest : 1, sizeof(*match));
	int rcode = rc->touchpoints && match ? TW_OK : TW_ENOMEM;
	size_t matched = 0;
	for (size_t s = 0; rcode == TW_OK && s < m->scene_count; s++) {
		const tw_scene_metrics *sm = &m->scenes[s];
		const base_scene *bs = br && s < br->scene_count ? &br->scenes[s] : NULL;
		rcode = align(sm, bs, match);
		for (size_t j = 0; rcode == TW_OK && j < sm->step_count; j++) {
			const tw_touchpoint_metrics *t = &sm->steps[j];
			if (t->count == 0)
				continue;
			size_t ti = rc->touchpoint_count++;
			tw_touchpoint_change *tc = &rc->touchpoints[ti];
			tc->scene = s;
			tc->step = j;
			tc->is_new = match[j] == SIZE_MAX;
			if (tc->is_new)
				continue;
			const base_touchpoint *bt = &bs->tps[match[j]];
			matched += bt->count > 0;
			const tw_touchpoint_score *ap = timed(rs, s, j);
			tc->figure[TW_FIGURE_SCORE] =
				change(ap && bt->has_apdex, 100 * bt->apdex, ap ? 100 * ap->apdex : 0);
			tc->figure[TW_FIGURE_OUTCOME] =
				change(bt->count > 0, (double)bt->passed / (double)(bt->count ? bt->count : 1),
				       (double)t->passed / (double)t->count);
			/* Only timed steps: a fill or a check takes no time worth a percentile. */
			bool has_p95 = ap && tw_histogram_count(t->latency) > 0;
			tc->figure[TW_FIGURE_P95] =
				change(has_p95 && bt->has_p95, bt->p95,
				       has_p95 ? tw_histogram_percentile(t->latency, 95) : 0);
			rcode = add_regression(cx, ri, ti, TW_FIGURE_P95, &tc->figure[TW_FIGURE_P95]);
		}
	}
	free(match);
	size_t base_performed = 0;
	for (size_t s = 0; br && s < br->scene_count; s++)
		for (size_t k = 0; k < br->scenes[s].count; k++)
			base_performed += br->scenes[s].tps[k].count > 0;
	rc->touchpoints_gone = base_performed > matched ? base_performed - matched : 0;
	return rcode;
}

static int compare_rehearsal(comparing *cx, const tw_baseline *b, size_t ri,
			     const tw_run_score *score)
{
	tw_rehearsal_change *rc = &cx->out->rehearsals[ri];
	const tw_rehearsal_metrics *m = cx->run->metrics ? &cx->run->metrics[ri] : NULL;
	const tw_rehearsal_score *rs =
		score && score->rehearsals && ri < score->count ? &score->rehearsals[ri] : NULL;
	const base_rehearsal *br = rc->is_new ? NULL : &b->rehearsals[rc->base];
	if (!m || !cx->run->rehearsals[ri].plan)
		return TW_OK; /* broken, or a run built by hand: nothing measured */
	if (br) {
		bool both = m->performances > 0 && br->performances > 0;
		double perfs = (double)(m->performances ? m->performances : 1);
		double bperfs = (double)(br->performances ? br->performances : 1);
		rc->figure[TW_FIGURE_SCORE] =
			change(rs && rs->counted && br->has_score, br->score, rs ? rs->score : 0);
		rc->figure[TW_FIGURE_OUTCOME] = change(both, (double)br->achieved / bperfs,
						       (double)m->achieved / perfs);
		/* A backstage-only journey has no steps to compare: "0 → 0"
		 * would only be noise. */
		bool steps = br->frontstage_steps > 0 || m->frontstage_steps > 0;
		rc->figure[TW_FIGURE_STEPS] = change(both && steps,
						     (double)br->frontstage_steps / bperfs,
						     (double)m->frontstage_steps / perfs);
		bool has_time = tw_histogram_count(m->time_to_outcome) > 0;
		rc->figure[TW_FIGURE_TIME] =
			change(has_time && br->has_time, br->time_p90,
			       has_time ? tw_histogram_percentile(m->time_to_outcome, 90) : 0);
	}
	static const tw_figure gated[] = {TW_FIGURE_SCORE, TW_FIGURE_OUTCOME, TW_FIGURE_STEPS,
					  TW_FIGURE_TIME};
	for (size_t k = 0; k < sizeof(gated) / sizeof(gated[0]); k++) {
		int rcode = add_regression(cx, ri, SIZE_MAX, gated[k], &rc->figure[gated[k]]);
		if (rcode != TW_OK)
			return rcode;
	}
	return compare_touchpoints(cx, ri, br, rs);
}

int tw_baseline_compare(tw_comparison *out, const tw_baseline *b, const tw_run *run,
			const tw_run_score *score, const tw_regression_limits *limits,
			tw_error *err)
{
	memset(out, 0, sizeof(*out));
	if (limits)
		out->limits = *limits;
	comparing cx = {.out = out, .run = run};
	bool *used = calloc(b->count ? b->count : 1, sizeof(*used));
	out->rehearsals = calloc(run->count ? run->count : 1, sizeof(*out->rehearsals));
	out->file = strdup(b->file);
	out->started_at = b->started_at ? strdup(b->started_at) : NULL;
	int rc = used && out->rehearsals && out->file && (!b->started_at || out->started_at)
			 ? TW_OK
			 : TW_ENOMEM;
	if (rc == TW_OK) {
		out->count = run->count;
		for (size_t i = 0; i < run->count; i++)
			out->rehearsals[i].is_new = true;
		pair(b, run, out->rehearsals, used);
	}
	for (size_t i = 0; rc == TW_OK && i < run->count; i++)
		rc = compare_rehearsal(&cx, b, i, score);
	size_t gone = 0;
	for (size_t k = 0; rc == TW_OK && k < b->count; k++)
		gone += !used[k];
	if (rc == TW_OK && gone && !(out->gone = calloc(gone, sizeof(*out->gone))))
		rc = TW_ENOMEM;
	for (size_t k = 0; rc == TW_OK && out->gone && k < b->count; k++) {
		if (used[k])
			continue;
		if (!(out->gone[out->gone_count] = strdup(b->rehearsals[k].name)))
			rc = TW_ENOMEM;
		else
			out->gone_count++;
	}
	free(used);
	if (rc != TW_OK) {
		tw_comparison_free(out);
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	}
	return TW_OK;
}

void tw_baseline_judge(tw_run_score *score, const tw_run *run, const tw_comparison *c)
{
	score->baseline = c;
	score->regressed = c && c->regression_count > 0;
	score->verdict = tw_readiness_verdict(run, score);
}
