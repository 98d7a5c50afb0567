/*
 * What a dress rehearsal measures, folded performance by performance into
 * fixed-size figures: memory does not grow with the number of
 * performances. A performance's own result (runner/result.h) is folded in
 * when it ends and then freed, unless the run keeps it to show in reports.
 *
 * A touchpoint is a step of a scene (rehearsal + scene + line); its
 * figures are aligned with the rehearsal's plan (runner/plan.h):
 * scenes[i].steps[j] is plan->scenes[i].touchpoints[j].
 *
 * Ownership: tw_rehearsal_metrics_init allocates the arrays and
 * histograms; tw_rehearsal_metrics_free frees them.
 */
#ifndef TW_METRICS_METRICS_H
#define TW_METRICS_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics/histogram.h"
#include "runner/plan.h"

/* Why a touchpoint failed. */
typedef enum tw_cause {
	TW_CAUSE_EXPECTATION, /* an expectation did not hold; an undeclared error status */
	TW_CAUSE_TRANSPORT,   /* the response never completed: reset, timeout */
	TW_CAUSE_UNREACHABLE, /* nothing listened, DNS, TLS handshake */
	TW_CAUSE_SCRIPT,      /* the script could not run as written */
	/* issue 14, F2: the IVR's own fault (its call failed TW_ESERVICE): a
	 * document that cannot be followed, its script's error or limit, a
	 * wrong grammar. An HTTP error status stays EXPECTATION. */
	TW_CAUSE_SERVICE,
	TW_CAUSE_COUNT,
} tw_cause;

const char *tw_cause_str(tw_cause c); /* "expectation", "transport", ... */
/* The cause as people read it after a count of n, its noun agreeing
 * (core/plural.h): "1 expectation", "3 expectations", "2 transport
 * failures" (static storage). tw_cause_str is the JSON's key. */
const char *tw_cause_words(tw_cause c, uint64_t n);

typedef struct tw_touchpoint_metrics {
	const tw_touchpoint *step; /* the plan's, owned by the run */
	uint64_t count;          /* performed (not skipped) */
	uint64_t passed;
	uint64_t failed;         /* sum of failures[] */
	uint64_t failures[TW_CAUSE_COUNT];
	uint64_t retries;        /* requests sent again: --retry, or libcurl
				    after a reused connection died */
	uint64_t retried_passes; /* passed only after a retry: a flakiness signal */
	tw_histogram *latency;   /* the step's time, ms */
	/* libcurl's phases, one per performance that sent a request (or
	 * tried to: an unreachable host has phases but no request). */
	tw_histogram *dns, *connect, *tls, *first_byte, *transfer;
	uint64_t requests;       /* requests that went on the wire: every
				    redirect hop, webhook fetch and retry */
	double bytes_in;
	double bytes_out;
	char *first_failure;     /* owned: the first failure's message, redacted */
	/* Performances that ended here at techweek's limit (TW_STATUS_LIMITED):
	 * not the service's failures, so in none of the figures above but
	 * requests and bytes (they did go on the wire), and never scored. */
	uint64_t limited;
	char *first_limit;       /* owned: the first one's cause, redacted */
	/* issue 12, polling: requests a `retry N every D` step sent again
	 * while its expectations did not hold yet: neither retries (the
	 * transport's) nor failures (the customer's failure demand) */
	uint64_t polls;
} tw_touchpoint_metrics;

/* A re-prompted menu as the call names it (channels/ivr/call.h:
 * tw_call_figures, first words, masked) and the re-prompt turns that
 * named it. */
#define TW_MENU_SIZE 96
typedef struct tw_menu_turns {
	char text[TW_MENU_SIZE]; /* "" for a free slot */
	uint64_t turns;
} tw_menu_turns;

/* The menus a rehearsal keeps, in fixed memory: a menu not kept takes the
 * slot of the least re-prompted one, starting from its count (the
 * space-saving count). The counts are exact while a rehearsal re-prompts
 * at most this many menus; beyond, a menu named by more than one re-prompt
 * turn in TW_MENU_SLOTS is still kept, and the most re-prompted one with
 * it whenever one menu stands out. */
#define TW_MENU_SLOTS 8

void tw_menu_turns_add(tw_menu_turns menus[TW_MENU_SLOTS], const char *text, uint64_t turns);

typedef struct tw_scene_metrics {
	uint64_t passed, failed, skipped;
	tw_touchpoint_metrics *steps;
	size_t step_count;            /* scene->touchpoint_count */
	uint64_t not_run;             /* issue 13, FLOW: performances whose
					 `when` left it out (not in skipped) */
} tw_scene_metrics;

typedef struct tw_rehearsal_metrics {
	uint64_t performances;   /* performed, whatever came of them */
	uint64_t achieved;       /* every expectation held: the outcome */
	uint64_t retried_achieved; /* of achieved, those in which a request
				      had to be sent again (--retry, or
				      libcurl's re-send): irregular, though
				      the customer got there */
	uint64_t failed;
	uint64_t unreachable;
	uint64_t broken;
	uint64_t interrupted;    /* cut off by the run's end: not performed,
				    in no other figure */
	uint64_t limited;        /* ended at techweek's limit: not the
				    service's doing, so in no other figure
				    and not scored (touchpoints say where) */
	tw_histogram *time_to_outcome; /* performances that achieved it, ms
					  on the customer's clock */
	uint64_t frontstage_steps;     /* summed over performances */
	double frontstage_ms;          /* summed, on the customer's clock */
	/* Phone, summed over performances with calls. repeats: re-prompt
	 * turns (failure demand). */
	uint64_t calls, prompts, inputs, repeats;
	tw_menu_turns menus[TW_MENU_SLOTS];
	tw_histogram *first_prompt;    /* seconds on the call clock, as ms */
	tw_histogram *time_to_agent;
	tw_scene_metrics *scenes;      /* plan->scene_count of them */
	size_t scene_count;
} tw_rehearsal_metrics;

/* m starts zeroed; plan may be NULL (a broken file: no scenes). */
int tw_rehearsal_metrics_init(tw_rehearsal_metrics *m, const tw_plan *plan);
void tw_rehearsal_metrics_free(tw_rehearsal_metrics *m);

/* Adds src's figures to dst (same script). For the worker threads' own
 * metrics, merged when the run ends. TW_OK or TW_ENOMEM. */
int tw_rehearsal_metrics_merge(tw_rehearsal_metrics *dst, const tw_rehearsal_metrics *src);

/* A rehearsal or touchpoint that both passed and failed in the run (or a
 * touchpoint that passed only after a retry). */
bool tw_rehearsal_flaky(const tw_rehearsal_metrics *m);
bool tw_touchpoint_flaky(const tw_touchpoint_metrics *t);

/* issue 13, F3: with data rows (rows: each of the rehearsal's performances
 * takes a row, from a `cast from` or --data), passing in some performances
 * and failing in others follows the rows, not chance: the rehearsal or
 * touchpoint "fails on some rows" and is not flaky (the failure repeats
 * with its row; the summary names the shown performance's row). A
 * touchpoint that passed only after a retry is flaky all the same. The
 * reports ask these, rows being the shown performance's data_row > 0
 * (runner/result.h). Without rows they are tw_*_flaky, and false. */
bool tw_rehearsal_flaky_rows(const tw_rehearsal_metrics *m, bool rows);
bool tw_rehearsal_fails_on_rows(const tw_rehearsal_metrics *m, bool rows);
bool tw_touchpoint_flaky_rows(const tw_touchpoint_metrics *t, bool rows);
bool tw_touchpoint_fails_on_rows(const tw_touchpoint_metrics *t, bool rows);

/* The menu the most re-prompt turns named, or NULL when none. */
const tw_menu_turns *tw_rehearsal_reprompted_menu(const tw_rehearsal_metrics *m);

/* A finished performance is folded in by runner/run.h's
 * tw_rehearsal_metrics_add. */

#endif
