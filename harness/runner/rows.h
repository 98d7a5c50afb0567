/*
 * issue 13, DATA: casts from data in a run. Which rehearsal and which of
 * its performances a ticket is (per-rehearsal performance counts), which
 * row of its data file a performance takes, and the variables that row
 * gives it.
 *
 * The numbering. A performance's number in its rehearsal (from 1) is the
 * one an unsharded run gives it: a run shared out by performances gives
 * shard I of N the performances I, I+N, I+2N, ... of each rehearsal, so
 * the shards together take each row of a `once` file exactly once.
 *
 * Ownership: a tw_data_use belongs to the run (run->data[i], aligned
 * with its rehearsals) and is freed by tw_data_use_free; the run's --data
 * file is the caller's (tw_run_options.data).
 */
#ifndef TW_RUNNER_ROWS_H
#define TW_RUNNER_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/datafile.h"
#include "language/ast.h"
#include "runner/run.h"

/* ---- tickets: performances handed out with a count per rehearsal ---- */

/* Tickets 0..total-1 go round the rehearsals as the closed model always
 * did (one of each, then the next of each), a rehearsal leaving the round
 * once its count is performed: counts {2, 1, 3} give A B C A C C. */
typedef struct tw_tickets {
	unsigned long *counts; /* owned, n of them (0: never scheduled) */
	size_t n;
	unsigned long *levels; /* owned: the distinct counts above 0, rising */
	size_t *active;        /* owned: how many counts reach each level */
	size_t level_count;
	uint64_t total;
} tw_tickets;

int tw_tickets_init(tw_tickets *t, const unsigned long *counts, size_t n);
/* ticket < total: which rehearsal (index into counts) and its round (its
 * performance, from 0). */
void tw_tickets_at(const tw_tickets *t, uint64_t ticket, size_t *which, unsigned long *round);
/* The inverse: the ticket of which's round-th performance. */
uint64_t tw_tickets_of(const tw_tickets *t, size_t which, unsigned long round);
void tw_tickets_free(tw_tickets *t);

/* ---- a rehearsal's data ---- */

typedef struct tw_data_use {
	tw_datafile *owned;       /* the script's own `cast from` file */
	const tw_datafile *file;  /* owned, or the run's --data */
	tw_data_order order;
	bool run_wide;            /* --data: one cursor for the whole run */
	bool *secret;             /* per column: its values are secrets */
	char *name;               /* the file's base name, for headlines */
	size_t index;             /* the rehearsal's index before sharding */
} tw_data_use;

void tw_data_use_free(tw_data_use *u);

/* The PRNG stream of rehearsal i's `random` rows is TW_ROWS_STREAM + i:
 * apart from every performance's own (its place in the lineup), so a row
 * and the performance's random values are unrelated draws. */
#define TW_ROWS_STREAM (UINT64_C(1) << 62)

/* The path of s's `cast from` file: relative to the script's folder unless
 * absolute. malloc'd; NULL: out of memory. */
char *tw_rows_data_path(const tw_script *s);

/* Before anything is sent: rehearsal i's data file read (its own, else
 * the run's --data) into run->data[i], its secret columns' values
 * registered with the run's redactor, its `once` rows weighed against
 * the schedule, and its cast tried with the first row. A problem marks
 * the rehearsal broken (its result's problem says why) and returns TW_OK;
 * TW_ENOMEM otherwise. *cast gets the first row's variables (the run's
 * casts[i]). Rehearsals without data are left alone (*cast untouched). */
int tw_rows_prepare(tw_run *run, size_t i, tw_vars **cast, tw_error *err);

/* How many performances rehearsal i has in an unsharded run of
 * `performances` each: a `once` file's rows unless --performances was
 * given. */
unsigned long tw_rows_performances(const tw_run *run, size_t i, unsigned long performances);

/* Performance seq (from 1, unsharded) of rehearsal i, whose unsharded
 * ticket is ticket: the row it takes (from 0). */
size_t tw_rows_pick(const tw_run *run, size_t i, unsigned long long seq, uint64_t ticket);

/* The variables row gives rehearsal i's performance, over the run's
 * --var values, with its cast expanded in them: --var > the row > the
 * cast's own values. *out owned by the caller. TW_OK, TW_ENOMEM, or a
 * script problem (an unset value) in err. */
int tw_rows_vars(tw_vars **out, tw_run *run, size_t i, size_t row, tw_error *err);

#endif
