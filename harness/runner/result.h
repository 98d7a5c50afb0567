/*
 * What a performance measured: per rehearsal, per scene, per step. Reports
 * read this; the runner fills it. Every string here is already redacted
 * (secrets replaced by ***) and owned by the run. Steps and scenes are
 * index-aligned with the rehearsal's plan (runner/plan.h): scenes[i] is
 * plan->scenes[i]. The run that holds them is runner/run.h.
 */
#ifndef TW_RUNNER_RESULT_H
#define TW_RUNNER_RESULT_H

#include <stdbool.h>
#include <stddef.h>

#include "channels/ivr/call.h"
#include "channels/web/response.h"
#include "runner/plan.h"
#include "techweek/result.h"
#include "techweek/run.h"

/* tw_status, tw_status_str and tw_status_is_problem are public:
 * techweek/result.h. */

/* A request a step sent and its answer's status: a hop of a redirect
 * chain, a call's webhook fetch, a request sent again. */
typedef struct tw_step_hop {
	char method[TW_HOP_METHOD_SIZE];
	char *url;   /* redacted; owned */
	long status; /* 0: no answer (or one that never ended its headers) */
	int poll;    /* the try of a polled step (`retry N every D`) that sent
			it: 0 the request as first sent, N its Nth poll */
} tw_step_hop;

/* The most hops a step keeps: the first TW_STEP_HOPS_MAX - 1 and the last,
 * whatever came between them counted in hops_left_out. A call step's IVR
 * may fetch many documents, each through redirects; a step log of a few
 * hundred lines would bury the step. */
#define TW_STEP_HOPS_MAX 32

typedef struct tw_step_result {
	const tw_touchpoint *step; /* the plan's, owned by the run */
	tw_status status;
	char *message;         /* one-line cause when not passed */
	char *expected;        /* may be NULL */
	char *actual;          /* may be NULL; an excerpt */
	char *method;          /* request steps: the last request sent */
	char *url;             /* ... its URL */
	long http_status;      /* ... and its answer's status; 0 when none */
	tw_step_hop *hops;     /* every request sent, in order (a request
				  that could not be sent at all, as when
				  nothing listens, too, with no status);
				  owned */
	size_t hop_count;      /* TW_STEP_HOPS_MAX at most */
	size_t hop_cap;
	unsigned long hops_left_out; /* sent between the last two kept */
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
	/* issue 12, redirects and polling */
	int polls;             /* `retry N every D`: times the request was
				  sent again because the expectations after
				  it did not hold yet (not retries, not
				  failures) */
	char *note;            /* redacted; owned; what a passed step should
				  still say ("not followed: the redirect to
				  market://..."); NULL when nothing */
	double customer_ms;    /* the step's time on the customer's clock: a
				  caller step's on the call clock (prompts
				  spoken, pauses, timeouts, webhooks), a
				  pause as the script says it (whatever
				  --think-scale), any other step's wall time */
	bool service;          /* issue 14, F2: failed as the service's own
				  fault (TW_ESERVICE: an IVR document or
				  script at fault), counted as cause
				  "service" */
} tw_step_result;

typedef struct tw_scene_result {
	const tw_plan_scene *scene; /* the plan's, owned by the run */
	tw_status status;
	double elapsed_ms;
	tw_step_result *steps; /* scene->touchpoint_count of them */
	char *transcript;      /* ivr scenes: what the caller heard and did,
				  one line each ("  1.2s  IVR says ..."); NULL
				  when nothing */
	/* issue 13, FLOW: why the scene was not run, its `when` not holding
	 * as it was to start ("card is not set"): not a failure, not a skip
	 * after one (status SKIPPED, its steps too, none performed or
	 * counted); NULL when it ran or was not reached. Owned. */
	char *not_run;
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
	char menu[TW_CALL_MENU_SIZE]; /* the menu most re-prompt turns named
				    (tw_call_figures), "" when none */
	int menu_turns;
} tw_call_totals;

typedef struct tw_rehearsal_result {
	const tw_plan *plan;     /* owned by the run; NULL when broken before
				    parsing */
	char *path;
	char *name;
	tw_status status;
	tw_error problem;        /* BROKEN, or a setup failure (missing secret) */
	char started_at[32];     /* ISO 8601, UTC */
	double elapsed_ms;       /* wall time */
	double customer_ms;      /* time on the customer's clock: its steps'
				    customer_ms; the time to outcome */
	tw_scene_result *scenes; /* plan->scene_count of them */
	size_t scene_count;
	long frontstage_steps;   /* customer-effort: steps performed frontstage */
	double frontstage_ms;    /* their time on the customer's clock */
	tw_call_totals phone;    /* phone.calls == 0 without calls */
	bool interrupted;        /* cut off by the run's end (a second Ctrl-C,
				    or the step timeout passed while stopping)
				    before it finished: not performed, so
				    counted apart and left out of every figure
				    and the score */
	/* issue 13, DATA: the data row this performance took, so a failing
	 * row can be found: its line in the file (the header is line 1; 0:
	 * no data), the file's name (owned), and the performance's number in
	 * its rehearsal (from 1, as unsharded). */
	long data_row;
	char *data_file;
	unsigned long long seq;
	/* issue 15, LIFE: memory a runner slot keeps from one performance to
	 * the next (tw_rehearsal_result_reuse), so a performance allocates no
	 * result. scenes has room for scene_cap; with step_pool set, every
	 * scene's steps lie in it (owned; step_cap entries, the first
	 * step_used laid out, the rest zeroed but for their kept hops
	 * arrays), so one array serves whichever plan comes next. NULL pool:
	 * each scene's steps are an array of its own (results read from
	 * JSON, tests). started_s: the second started_at was written for, so
	 * a performance started in the same second reuses the text. */
	size_t scene_cap;
	tw_step_result *step_pool;
	size_t step_cap, step_used;
	long long started_s;
} tw_rehearsal_result;

/* Readers for reports: the steps a scene result holds (0 when the scene
 * never ran), a step's script line (0 unknown) and its source line as
 * written without indentation ("" unknown). */
size_t tw_scene_result_steps(const tw_scene_result *sc);
int tw_step_result_line(const tw_step_result *st);
const char *tw_step_result_source(const tw_step_result *st);

/* The requests st shows, in order: its hops; a step that never got its
 * request to libcurl (a part's file could not be read) shows the request
 * it meant to send, with no status. 0 when it sent none. */
size_t tw_step_result_hop_count(const tw_step_result *st);
/* Hop i (< the count) into *out, every field whatever its version; the
 * strings are st's. */
void tw_step_result_hop(tw_hop *out, const tw_step_result *st, size_t i);

/* Appends a hop to st, taking url (malloc'd, redacted; may be NULL): past
 * TW_STEP_HOPS_MAX it replaces the last and counts the one it replaces as
 * left out. TW_ENOMEM leaves st as it was (url freed). */
int tw_step_result_add_hop(tw_step_result *st, const char *method, char *url, long status);

void tw_rehearsal_result_free(tw_rehearsal_result *r);

/* issue 15, LIFE: empties r as tw_rehearsal_result_free would, but keeps
 * its memory (scenes, the step pool, each step's hops array) and
 * started_at/started_s, then lays it out for plan (borrowed, set as
 * r->plan): every scene and step SKIPPED, pointing at the plan's, as a
 * fresh result. r is zeroed or was freed or reused before. TW_OK, or
 * TW_ENOMEM with r empty (no scenes) but still reusable and freeable. */
int tw_rehearsal_result_reuse(tw_rehearsal_result *r, const tw_plan *plan);

#endif
