/*
 * issue 13, DATA: casts from data in a run (rows.h).
 */
#include "runner/rows.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/fsutil.h"
#include "core/generate.h"
#include "core/template.h"
#include "runner/customer.h"

/* ---- tickets ---- */

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;
	return x < y ? -1 : x > y;
}

int tw_tickets_init(tw_tickets *t, const unsigned long *counts, size_t n)
{
	memset(t, 0, sizeof(*t));
	t->n = n;
	t->counts = malloc((n ? n : 1) * sizeof(*t->counts));
	t->levels = malloc((n ? n : 1) * sizeof(*t->levels));
	t->active = malloc((n ? n : 1) * sizeof(*t->active));
	if (!t->counts || !t->levels || !t->active) {
		tw_tickets_free(t);
		return TW_ENOMEM;
	}
	memcpy(t->counts, counts, n * sizeof(*counts));
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (counts[i])
			t->levels[k++] = counts[i];
	qsort(t->levels, k, sizeof(*t->levels), cmp_ulong);
	size_t distinct = 0;
	for (size_t i = 0; i < k; i++)
		if (!distinct || t->levels[distinct - 1] != t->levels[i])
			t->levels[distinct++] = t->levels[i];
	t->level_count = distinct;
	/* Level l holds the rounds from the level below it up to its own
	 * count; every rehearsal with at least that count takes part. */
	unsigned long below = 0;
	for (size_t l = 0; l < distinct; l++) {
		size_t a = 0;
		for (size_t i = 0; i < n; i++)
			a += counts[i] >= t->levels[l];
		t->active[l] = a;
		t->total += (uint64_t)(t->levels[l] - below) * a;
		below = t->levels[l];
	}
	return TW_OK;
}

void tw_tickets_at(const tw_tickets *t, uint64_t ticket, size_t *which, unsigned long *round)
{
	uint64_t base = 0;
	unsigned long below = 0;
	*which = 0;
	*round = 0;
	for (size_t l = 0; l < t->level_count; l++) {
		uint64_t len = (uint64_t)(t->levels[l] - below) * t->active[l];
		if (ticket < base + len) {
			uint64_t o = ticket - base;
			*round = below + (unsigned long)(o / t->active[l]);
			size_t pos = (size_t)(o % t->active[l]);
			if (t->active[l] == t->n) { /* all of them: the common case */
				*which = pos;
				return;
			}
			for (size_t i = 0; i < t->n; i++)
				if (t->counts[i] >= t->levels[l] && pos-- == 0) {
					*which = i;
					return;
				}
			return;
		}
		base += len;
		below = t->levels[l];
	}
}

uint64_t tw_tickets_of(const tw_tickets *t, size_t which, unsigned long round)
{
	uint64_t base = 0;
	unsigned long below = 0;
	for (size_t l = 0; l < t->level_count; l++) {
		if (round < t->levels[l]) {
			size_t pos = 0;
			for (size_t i = 0; i < which && i < t->n; i++)
				pos += t->counts[i] >= t->levels[l];
			return base + (uint64_t)(round - below) * t->active[l] + pos;
		}
		base += (uint64_t)(t->levels[l] - below) * t->active[l];
		below = t->levels[l];
	}
	return base;
}

void tw_tickets_free(tw_tickets *t)
{
	free(t->counts);
	free(t->levels);
	free(t->active);
	memset(t, 0, sizeof(*t));
}

/* ---- the run's data ---- */

void tw_data_use_free(tw_data_use *u)
{
	if (!u)
		return;
	tw_datafile_free(u->owned);
	free(u->secret);
	free(u->name);
	free(u);
}

static const tw_script *script_of(const tw_run *run, size_t i)
{
	const tw_plan *plan = run->rehearsals[i].plan;
	return plan ? plan->script : NULL;
}

/* The script's data file, relative to its folder. malloc'd. */
char *tw_rows_data_path(const tw_script *s)
{
	return tw_path_beside(s->path, s->data_path); /* issue 13, F2 */
}

unsigned long tw_rows_performances(const tw_run *run, size_t i, unsigned long performances)
{
	const tw_data_use *u = run->data ? run->data[i] : NULL;
	if (u && u->order == TW_DATA_ONCE && !run->opts.performances_set)
		return (unsigned long)u->file->row_count;
	return performances;
}

size_t tw_rows_pick(const tw_run *run, size_t i, unsigned long long seq, uint64_t ticket)
{
	const tw_data_use *u = run->data[i];
	size_t rows = u->file->row_count;
	if (u->run_wide)
		return (size_t)(ticket % rows);
	if (u->order == TW_DATA_RANDOM) {
		/* One generator per performance, from (run seed, rehearsal,
		 * number): the row does not depend on which thread or shard
		 * performs it. issue 13, F2: core/generate's PRNG, so --seed
		 * reproduces it, on a stream of its own (review B4: on the
		 * performance's stream the row and its first {{random}} were
		 * the same draw). */
		tw_rng rng;
		tw_rng_seed(&rng, run->seed, TW_ROWS_STREAM + u->index, seq);
		return (size_t)tw_rng_below(&rng, rows);
	}
	return (size_t)((seq - 1) % rows); /* next; once never wraps */
}

int tw_rows_vars(tw_vars **out, tw_run *run, size_t i, size_t row, tw_error *err)
{
	const tw_data_use *u = run->data[i];
	/* issue 13, F2: the one cast expansion, with the row's layer */
	return tw_customer_cast_vars(out, run, script_of(run, i), u->file, row, u->secret, u->name,
				     err);
}

/* The rehearsal cannot run as written: broken, with why. */
static int broken(tw_rehearsal_result *r, tw_error *e)
{
	r->status = TW_STATUS_BROKEN;
	tw_error_move(&r->problem, e);
	return TW_OK;
}

int tw_rows_prepare(tw_run *run, size_t i, tw_vars **cast, tw_error *err)
{
	tw_rehearsal_result *r = &run->rehearsals[i];
	const tw_script *s = script_of(run, i);
	if (!s || (!s->data_path && !run->opts.data))
		return TW_OK;
	if (!run->data && !(run->data = calloc(run->count ? run->count : 1, sizeof(*run->data))))
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	tw_data_use *u = run->data[i] = calloc(1, sizeof(*u));
	if (!u)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	u->index = i;
	tw_error e = {0};
	if (s->data_path) {
		char *full = tw_rows_data_path(s);
		/* issue 13, F2: the secret columns are registered only once it
		 * loads: an error quotes no row before then */
		int rc = full ? tw_datafile_load_opts(&u->owned, full,
						      s->data_secret_count ? TW_DATAFILE_HIDE_ROWS
									   : 0,
						      &e)
			      : TW_ENOMEM;
		free(full);
		if (rc == TW_ENOMEM) {
			tw_error_clear(&e);
			return tw_error_set(err, TW_ENOMEM, "out of memory");
		}
		if (rc != TW_OK) {
			if (rc == TW_EIO) { /* said at the cast line */
				tw_error at = {0};
				tw_error_set_at(&at, TW_ECHECK, s->path, s->data_loc.line,
						s->data_loc.col, tw_script_line(s, s->data_loc.line),
						"cannot read the data file '%s': %s", s->data_path,
						e.message ? e.message : "");
				tw_error_clear(&e);
				return broken(r, &at);
			}
			/* issue 13, F2: malformed, at its own line: and read by */
			if (tw_datafile_read_by(&e, s->path, s->data_loc.line, s->data_loc.col)) {
				tw_error_clear(&e);
				return tw_error_set(err, TW_ENOMEM, "out of memory");
			}
			return broken(r, &e);
		}
		u->file = u->owned;
		u->order = s->data_order;
	} else {
		u->file = run->opts.data;
		u->run_wide = true;
		u->order = TW_DATA_NEXT;
	}
	u->name = strdup(tw_datafile_base(u->file->path));
	u->secret = calloc(u->file->column_count ? u->file->column_count : 1, sizeof(bool));
	if (!u->name || !u->secret)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	/* Every value of a secret column is masked before the first request:
	 * issue 13, F2: registered as every given secret is (values under
	 * TW_REDACT_MIN_GIVEN bytes are not, or "1" would mask 127.0.0.1), in
	 * one batch (50 000 rows: the tables built once, not per value). */
	tw_redact_batch_begin(&run->redact);
	int brc = TW_OK;
	for (size_t k = 0; brc == TW_OK && k < s->data_secret_count; k++) {
		long c = tw_datafile_column(u->file, s->data_secrets[k]);
		if (c < 0)
			continue; /* the check refused it */
		u->secret[c] = true;
		for (size_t row = 0; brc == TW_OK && row < u->file->row_count; row++) {
			const char *v = tw_datafile_cell(u->file, row, (size_t)c);
			brc = tw_redact_add_given(&run->redact, v, strlen(v));
		}
	}
	if (tw_redact_batch_end(&run->redact) != TW_OK || brc != TW_OK)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	if (u->order == TW_DATA_ONCE) {
		const tw_run_options *o = &run->opts;
		if (o->rate > 0) {
			tw_error_set_at(&e, TW_ECHECK, s->path, s->data_loc.line, s->data_loc.col,
					tw_script_line(s, s->data_loc.line),
					"each row once needs the closed model: run it with "
					"--performances (or none: one performance per row), not --rate");
			return broken(r, &e);
		}
		if (o->performances_set && o->performances > u->file->row_count) {
			tw_error_set_at(&e, TW_ECHECK, s->path, s->data_loc.line, s->data_loc.col,
					tw_script_line(s, s->data_loc.line),
					"--performances %lu asks for more performances than %s has rows "
					"(%zu): each row is used once; give --performances %zu or less",
					o->performances, u->name, u->file->row_count,
					u->file->row_count);
			return broken(r, &e);
		}
	}
	/* The cast tried with the first row: an unset value is found now;
	 * with every row when an `auth` line may take its password from one,
	 * so that each is registered before any request. */
	bool auth = false;
	for (size_t k = 0; k < s->scene_count; k++)
		for (size_t j = 0; j < s->scenes[k].step_count; j++)
			auth = auth || s->scenes[k].steps[j].req.auth;
	tw_redact_batch_begin(&run->redact); /* issue 13, F2: every row's */
	for (size_t row = 0; row < (auth ? u->file->row_count : 1); row++) {
		tw_vars *vars = NULL;
		int rc = tw_rows_vars(&vars, run, i, row, &e);
		if (rc == TW_OK)
			rc = tw_customer_auth_secrets(run, s, vars);
		if (rc != TW_OK && tw_redact_batch_end(&run->redact) != TW_OK)
			rc = TW_ENOMEM;
		if (rc == TW_ENOMEM) {
			tw_vars_free(vars);
			tw_error_clear(&e);
			return tw_error_set(err, TW_ENOMEM, "out of memory");
		}
		if (rc != TW_OK) {
			tw_vars_free(vars);
			return broken(r, &e);
		}
		if (row == 0) {
			tw_vars_free(*cast);
			*cast = vars;
		} else {
			tw_vars_free(vars);
		}
	}
	if (tw_redact_batch_end(&run->redact) != TW_OK)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	return TW_OK;
}
