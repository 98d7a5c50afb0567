/*
 * What a run measured: per rehearsal, per scene, per step. Reports read
 * this; the runner fills it. Every string here is already redacted (secrets
 * replaced by ***) and owned by the run. Steps and scenes are index-aligned
 * with the script's: scenes[i] is script->scenes[i].
 */
#ifndef TW_RUNNER_RESULT_H
#define TW_RUNNER_RESULT_H

#include <stdbool.h>
#include <stddef.h>

#include "channels/web/response.h"
#include "core/redact.h"
#include "metrics/metrics.h"
#include "language/ast.h"
#include "techweek/result.h"
#include "techweek/run.h"

/* tw_status, tw_status_str and tw_status_is_problem are public:
 * techweek/result.h. */

typedef struct tw_step_result {
	const tw_step *step;   /* borrowed from the script */
	tw_status status;
	char *message;         /* one-line cause when not passed */
	char *expected;        /* may be NULL */
	char *actual;          /* may be NULL; an excerpt */
	char *method;          /* request steps: what was sent */
	char *url;
	long http_status;      /* 0 when none */
	bool transport;        /* failed in transit: no complete response */
	bool requested;        /* the step sent a request (timings are real) */
	int retries;           /* requests sent again: by --retry, or by
				  libcurl after a reused connection died */
	int resent;            /* of retries, libcurl's (not serialised: the
				  --retry budget needs only the live count) */
	int requests;          /* sent on the wire: redirect hops, webhook
				  fetches and retries included (not
				  serialised: the touchpoint's sum is) */
	tw_timings timings;    /* request steps */
	double bytes_in;       /* body bytes received */
	double bytes_out;      /* request body bytes sent */
	double elapsed_ms;     /* wall time of the step */
	double customer_ms;    /* the step's time on the customer's clock: a
				  caller step's on the call clock (prompts
				  spoken, pauses, timeouts, webhooks), a
				  pause as the script says it (whatever
				  --think-scale), any other step's wall time */
} tw_step_result;

typedef struct tw_scene_result {
	const tw_scene *scene; /* borrowed */
	tw_status status;
	double elapsed_ms;
	tw_step_result *steps; /* scene->step_count of them */
	char *transcript;      /* ivr scenes: what the caller heard and did,
				  one line each ("  1.2s  IVR says ..."); NULL
				  when nothing */
} tw_scene_result;

/* A rehearsal's phone figures, over all its calls. Times are on the call
 * clock (channels/ivr/call.h); negative when it never happened. */
typedef struct tw_call_totals {
	int calls;
	double first_prompt_s; /* of the first call that said anything */
	double transfer_s;     /* time to reach a human, in the first call
				  that reached one */
	int prompts;           /* prompts heard */
	int inputs;            /* keys pressed and phrases said */
	int repeats;           /* re-prompt turns: failure demand */
	char menu[TW_MENU_SIZE]; /* the menu most re-prompt turns named
				    (tw_call_figures), "" when none */
	int menu_turns;
} tw_call_totals;

typedef struct tw_rehearsal_result {
	const tw_script *script; /* NULL when broken before parsing */
	char *path;
	char *name;
	tw_status status;
	tw_error problem;        /* BROKEN, or a setup failure (missing secret) */
	char started_at[32];     /* ISO 8601, UTC */
	double elapsed_ms;       /* wall time */
	double customer_ms;      /* time on the customer's clock: its steps'
				    customer_ms; the time to outcome */
	tw_scene_result *scenes; /* script->scene_count of them */
	size_t scene_count;
	long frontstage_steps;   /* customer-effort: steps performed frontstage */
	double frontstage_ms;    /* their time on the customer's clock */
	tw_call_totals phone;    /* phone.calls == 0 without calls */
	bool interrupted;        /* cut off by the run's end (a second Ctrl-C,
				    or the step timeout passed while stopping)
				    before it finished: not performed, so
				    counted apart and left out of every figure
				    and the score */
} tw_rehearsal_result;

/* Why a run stopped before it performed everything it planned. */
typedef enum tw_stop_reason {
	TW_STOP_NONE,
	TW_STOP_INTERRUPTED,  /* tw_run_stop: Ctrl-C */
	TW_STOP_MAX_FAILURES, /* --max-failures / --bail */
} tw_stop_reason;

/* What the unsharded run would have performed: every rehearsal added, in
 * order, whether it could be performed or not (broken). Recorded by
 * tw_run_execute before a shard drops the rehearsals of other shards, so
 * that tw_run_load_parts can check the parts belong together. */
typedef struct tw_plan_entry {
	char *path;
	char *name;
	bool broken;
} tw_plan_entry;

typedef enum tw_shard_mode {
	TW_SHARD_NONE,
	TW_SHARD_REHEARSALS,   /* each shard performs some rehearsals */
	TW_SHARD_PERFORMANCES, /* each shard performs a share of each */
} tw_shard_mode;

const char *tw_shard_mode_str(tw_shard_mode m); /* "rehearsals", ... */

struct tw_run {
	tw_run_options opts;
	tw_redact redact;
	tw_script **scripts;             /* owned */
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
	_Atomic int stop;     /* set by tw_run_stop */

	/* Sharding: the plan (plan_count entries, owned; NULL before
	 * tw_run_execute) and how this run shared it out. */
	tw_plan_entry *plan;
	size_t plan_count;
	tw_shard_mode shard_mode;
	tw_vars *owned_vars;  /* a merged run's variable names; owned */
	/* Aligned with rehearsals (NULL before tw_run_execute, and for a
	 * broken one): the variables every performance starts with, shared
	 * read-only by all customers; owned. */
	tw_vars **casts;
};

/* Records the plan from the rehearsals added so far (tw_run_execute does;
 * tw_run_load_parts too). TW_OK or TW_ENOMEM. */
int tw_run_record_plan(tw_run *run);

/* tw_run_load_parts (techweek/run.h) on parts held in memory: texts[i]
 * (lens[i] bytes, need not be NUL-terminated) named names[i] in messages.
 * The scripts are still read from the current directory. What a merge
 * fuzzer calls. */
int tw_run_merge_texts(tw_run **out, const char *const *names, const char *const *texts,
		       const size_t *lens, size_t n, tw_error *err);

/* Readers for reports: the steps a scene result holds (0 when the scene
 * never ran), a step's script line (0 unknown) and its source line as
 * written without indentation ("" unknown). */
size_t tw_scene_result_steps(const tw_scene_result *sc);
int tw_step_result_line(const tw_step_result *st);
const char *tw_step_result_source(const tw_step_result *st);

/* Appends a zeroed result for path; NULL on out of memory. */
tw_rehearsal_result *tw_run_push_result(tw_run *run, const char *path);
/* A redacted malloc'd copy (NULL stays NULL), with the cuts the web
 * channel marked made after the mask (tw_redact_message). */
char *tw_run_redact(const tw_run *run, const char *text);
void tw_rehearsal_result_free(tw_rehearsal_result *r);

#endif
