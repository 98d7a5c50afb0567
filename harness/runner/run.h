/*
 * The run object: the options, the rehearsals added (their scripts and
 * plans), the shown result and the figures of each, the schedule as it
 * went. runner/run.c makes and frees it, runner/runner.c performs it,
 * reports/json_read.c rebuilds one from JSON results. Reports, the score
 * and the baseline read it through the plans (runner/plan.h), never the
 * scripts.
 */
#ifndef TW_RUNNER_RUN_H
#define TW_RUNNER_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "channels/web/transfer.h"
#include "core/buf.h"
#include "core/redact.h"
#include "metrics/metrics.h"
#include "runner/plan.h"
#include "runner/result.h"
#include "techweek/run.h"

/* Why a run stopped before it performed everything it planned. */
typedef enum tw_stop_reason {
	TW_STOP_NONE,
	TW_STOP_INTERRUPTED,  /* tw_run_stop: Ctrl-C */
	TW_STOP_MAX_FAILURES, /* --max-failures / --bail */
} tw_stop_reason;

/* The lineup: what the unsharded run would have performed, every
 * rehearsal added, in order, whether it could be performed or not
 * (broken). Recorded by tw_run_execute before a shard drops the
 * rehearsals of other shards, so that tw_run_load_parts can check the
 * parts belong together (the JSON result's "plan": its rehearsals and
 * schedule). Each rehearsal's own plan is runner/plan.h. */
typedef struct tw_lineup_entry {
	char *path;
	char *name;
	bool broken;
	/* issue 13, DATA: its own count of performances when it is not the
	 * schedule's (a `once` file's rows); 0: the schedule's */
	unsigned long performances;
} tw_lineup_entry;

typedef enum tw_shard_mode {
	TW_SHARD_NONE,
	TW_SHARD_REHEARSALS,   /* each shard performs some rehearsals */
	TW_SHARD_PERFORMANCES, /* each shard performs a share of each */
} tw_shard_mode;

const char *tw_shard_mode_str(tw_shard_mode m); /* "rehearsals", ... */

/* The performances shard me (from 0) of n performs of a closed model's
 * performances when it shares the performances: the first shards take
 * the remainder. */
unsigned long tw_shard_share(unsigned long performances, unsigned n, unsigned me);

/* Whether shard me (from 0) of n holds a rehearsal (docs/sharding.md):
 * a broken one (ordinal unused) stays with shard 1; a performable one,
 * the ordinal-th (from 0, in the order added), goes to shard ordinal % n
 * when the run is shared by rehearsals, else to every shard with a share
 * (open: a rate to share; closed: tw_shard_share above 0). What
 * tw_run_execute keeps and merge expects each part to hold. */
bool tw_shard_holds(bool broken, size_t ordinal, bool by_rehearsal, bool open,
		    unsigned long performances, unsigned n, unsigned me);

struct tw_run {
	tw_run_options opts;
	tw_redact redact;
	tw_script **scripts;             /* owned; aligned with rehearsals,
					    each NULL in a run rebuilt from
					    JSON */
	tw_plan **plans;                 /* owned; aligned with rehearsals,
					    NULL for a file broken before
					    parsing */
	/* One per added script or broken file: the performance reports show
	 * in detail (the first that failed, else the first), with every
	 * performance's figures in metrics[i]. */
	tw_rehearsal_result *rehearsals; /* owned */
	tw_rehearsal_metrics *metrics;   /* owned; aligned with rehearsals */
	size_t count;
	size_t cap;
	char started_at[32];
	double elapsed_ms;
	char hostname[256];

	/* The schedule as it went. */
	uint64_t planned;     /* performances planned; 0 for an open model */
	uint64_t started;     /* performances begun */
	uint64_t dropped;     /* arrivals with no free customer (open model) */
	tw_stop_reason stop_reason;
	bool incomplete;      /* tw_run_execute failed (out of memory): it did
				 not perform what was planned */
	bool executed;        /* tw_run_execute began: a run is executed once */
	_Atomic int stop;     /* set by tw_run_stop */

	/* Sharding: the lineup (lineup_count entries, owned; NULL before
	 * tw_run_execute) and how this run shared it out. */
	tw_lineup_entry *lineup;
	size_t lineup_count;
	tw_shard_mode shard_mode;
	tw_vars *owned_vars;  /* a merged run's variable names; owned */
	/* Aligned with rehearsals (NULL before tw_run_execute, and for a
	 * broken one): the variables every performance starts with, shared
	 * read-only by all customers; owned. */
	tw_vars **casts;
	/* transport (issue 12, capability 8): the first performance's jar,
	 * Netscape format (opts.keep_cookies); owned; written once, by the
	 * worker that ends that performance, read after tw_run_execute. */
	char *cookies;
	/* transport (issue 12, capability 11): the server certificate each
	 * origin showed, for responses on pooled connections; owned */
	struct tw_transfer_certs *certs;
	tw_transfer_common common; /* issue 15: the lines every request sends */
	/* issue 13, SUITE: what --tag/--skip-tag/--name left out (owned;
	 * NULL: no selection) and the --env environment (owned; NULL: none),
	 * for the reports (runner/suite.h) */
	struct tw_selection *selection;
	char *environment;
	/* issue 13, GEN: the seed of every performance's random values:
	 * opts.seed when set, else drawn by tw_run_execute; settings.seed */
	uint64_t seed;
	/* issue 13, DATA: aligned with rehearsals (NULL before
	 * tw_run_execute; an entry NULL without data): each rehearsal's data
	 * file and how it takes rows (runner/rows.h); owned. */
	struct tw_data_use **data;
	/* issue 13, F4: a merged run whose parts drew different seeds has no
	 * one seed: settings.seed is null (seed is then 0) */
	bool seed_unknown;
	/* issue 14, AUDIO: the lengths of the IVR's audio files, so that each
	 * URL is fetched once per run; owned, locks itself (every call of the
	 * run borrows it through tw_call_options) */
	struct tw_audio_cache *audio;
	/* The transfers and calls under way are being cut (a second stop, or
	 * an open model past its duration plus the step timeout): set once by
	 * the runner, read by its workers and by every call's stop request
	 * (caller.c run_cut), off the loop too. */
	_Atomic int cut;
	/* issue 15, LOOP: an open model's lateness of its starts (actual
	 * start - due time), JSON totals.start_lag_ms; set: measured (open
	 * model only); exact: p50/p99 known (a merge of several shards keeps
	 * only the max) */
	struct {
		bool set, exact;
		double p50_ms, p99_ms, max_ms;
	} start_lag;
};

/* Records the lineup from the rehearsals added so far (tw_run_execute
 * does; tw_run_load_parts too). TW_OK or TW_ENOMEM. */
int tw_run_record_lineup(tw_run *run);

/* The run has results: tw_run_execute began (tw_run_execute_begin let
 * it), or it was rebuilt from parts (its metrics are set). From then on
 * nothing can be added, and before it nothing can be scored, reported or
 * READY. */
bool tw_run_performed(const tw_run *run);
/* What tw_run_execute checks first: a run (not NULL), never executed, with
 * a rehearsal, and options in range (changed through tw_run_options_of
 * since tw_run_new). TW_OK marks it executed; TW_EUSAGE leaves it as it
 * was. */
int tw_run_execute_begin(tw_run *run, tw_error *err);

/* Appends a zeroed result for path (and a NULL plan); NULL on out of
 * memory. */
tw_rehearsal_result *tw_run_push_result(tw_run *run, const char *path);
/* Adds a rehearsal known only by its plan (a run rebuilt from JSON: no
 * script to perform). Takes plan, freed on failure. TW_OK or TW_ENOMEM
 * (nothing added). */
int tw_run_add_plan(tw_run *run, tw_plan *plan);
/* A redacted malloc'd copy (NULL stays NULL), with the cuts the web
 * channel marked made after the mask (tw_redact_message). */
char *tw_run_redact(const tw_run *run, const char *text);
/* Appends rehearsal i's name as every report shows it to people: its
 * name (a file broken before parsing has none: its path), cut after max
 * characters, then " (PATH)" when another rehearsal of the run has the
 * same name, so two journeys of one name are told apart (the path, what
 * tells them apart, is never cut). Returns tw_buf_failed(b). */
int tw_run_put_rehearsal_name(tw_buf *b, const tw_run *run, size_t i, size_t max);
/* A scene's and a rehearsal's time as reports give it (JUnit's testcase
 * and suite time, the terminal's row): in a dress rehearsal (more than
 * one performance) the time over every performance, the scene's steps'
 * times as its touchpoints keep them (customers overlap, so a run's may
 * add up to more than its wall time), a rehearsal's the sum of its
 * scenes', plus the shown performance's when no scene explains its
 * problem (JUnit's "setup" testcase); else the one performance's. */
double tw_run_scene_ms(const tw_rehearsal_metrics *m, size_t i, const tw_scene_result *sc);
double tw_run_rehearsal_ms(const tw_run *run, size_t i);
/* Folds one finished performance into its rehearsal's figures (runner/
 * result.c). TW_OK or TW_ENOMEM. */
int tw_rehearsal_metrics_add(tw_rehearsal_metrics *m, const tw_rehearsal_result *r);

/* A public figures struct's version (techweek/result.h, readiness.h):
 * TW_OK when this library fills it (1..known), else TW_EUSAGE naming what
 * and saying to initialise it with its _INIT macro. */
int tw_figures_version_check(unsigned version, unsigned known, const char *what, tw_error *err);

/* The size of a version of a versioned public struct: the end of field,
 * the last that version has. A program built against version v declared
 * that much (and maybe its trailing padding), so that is all the library
 * may write into its struct, or read from its options. Each struct keeps
 * a table of them, a row per version (sizes[v - 1]), never changed once
 * released; a new version adds its fields at the end and its row. */
#define TW_VERSION_END(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))

/* Copies the version full->version (its first field, checked by
 * tw_figures_version_check) of a struct filled whole into the caller's:
 * sizes[version - 1] bytes, not one more. TW_OK. */
int tw_figures_put(void *caller, const void *full, const size_t *sizes);

#endif
