/*
 * Reading what a run measured, in libgit2's manner: a `_count` and a
 * `_byindex` per level (rehearsals of a run, scenes of a rehearsal,
 * touchpoints of a scene), each filling a small public struct with every
 * figure the reports show.
 *
 * A figures struct starts with its version: set it with the struct's
 * _INIT macro (or to its _VERSION) before the call. The struct only grows
 * at its end: a new version adds fields after the last, never moves or
 * removes one, and bumps _VERSION. A reader fills the fields of the
 * version the caller declared and writes nothing past that version's last
 * field (a program built against an older header declared a smaller
 * struct), and refuses 0 or a version above its own (TW_EUSAGE, the
 * struct left as it was). Strings in a filled struct are owned by the run
 * and valid until tw_run_free.
 *
 * The figures are the run's: those of every performance (tw_run_execute)
 * or of every part merged (tw_run_load_parts). Before tw_run_execute they
 * are all 0 (and the run's verdict is TW_VERDICT_UNREACHABLE: nothing was
 * performed). A NULL out or run is TW_EUSAGE; a count of NULL is 0.
 */
#ifndef TECHWEEK_RESULT_H
#define TECHWEEK_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "error.h"
#include "run.h"

/* How a performance, a scene or a step ended. */
typedef enum tw_status {
	TW_STATUS_PASSED,
	TW_STATUS_FAILED,      /* an expectation failed or the service misbehaved */
	TW_STATUS_SKIPPED,     /* not reached: an earlier step failed */
	TW_STATUS_UNREACHABLE, /* could not be carried out: nothing listens, DNS */
	TW_STATUS_BROKEN,      /* the script cannot run as written */
	TW_STATUS_LIMITED,     /* techweek could not do what the service or
				  the script asked (TW_EUNSUPPORTED): its own
				  limit, not the service's fault; the rest of
				  the performance is skipped and it is counted
				  apart, like an interrupted one */
} tw_status;

/* "passed", "failed", ...: the JSON result's words. Static storage. */
TW_EXTERN(const char *) tw_status_str(tw_status s);
/* Failed, unreachable or broken: what CI shows as a failure or error
 * (limited is neither: JUnit shows it skipped, saying why). */
TW_EXTERN(bool) tw_status_is_problem(tw_status s);

/* A distribution of times in ms (from a fixed-size histogram: within
 * 1/128 of the value). All 0 when count is 0. */
typedef struct tw_percentiles {
	uint64_t count;
	double min, mean, p50, p90, p95, p99, max;
} tw_percentiles;

#define TW_RUN_FIGURES_VERSION 1
#define TW_RUN_FIGURES_INIT { .version = TW_RUN_FIGURES_VERSION }

/* The run as a whole: when, where, and the schedule as it went. */
typedef struct tw_run_figures {
	unsigned version;          /* TW_RUN_FIGURES_VERSION */
	const char *started_at;    /* ISO 8601, UTC; NULL before tw_run_execute */
	const char *host;          /* the machine it ran on */
	double elapsed_ms;         /* wall time */
	uint64_t planned;          /* performances planned; 0 for an open model */
	uint64_t started;          /* performances begun */
	uint64_t dropped;          /* arrivals that found no free customer */
	const char *stopped;       /* why it stopped early: "interrupted",
				      "max_failures"; NULL when it did not */
	size_t rehearsal_count;    /* tw_run_rehearsal_count */
} tw_run_figures;

#define TW_REHEARSAL_FIGURES_VERSION 1
#define TW_REHEARSAL_FIGURES_INIT { .version = TW_REHEARSAL_FIGURES_VERSION }

typedef struct tw_rehearsal_figures {
	unsigned version;         /* TW_REHEARSAL_FIGURES_VERSION */
	const char *name;         /* its `rehearsal "..."` line, else the file name */
	const char *path;
	tw_status status;         /* of the performance the reports show in
				     detail: the first that failed, else the
				     first */
	const tw_error *problem;  /* why it is broken (or could not start);
				     NULL when nothing went wrong before it ran */
	uint64_t performances;    /* performed, whatever came of them */
	uint64_t achieved;        /* every expectation held: the outcome */
	uint64_t retried_achieved; /* of achieved, those that sent a request again */
	uint64_t failed, unreachable, broken;
	uint64_t interrupted;     /* cut off by the run's end: in no other figure */
	uint64_t limited;         /* ended at techweek's own limit: in no other figure */
	double outcome_rate;      /* achieved / performances; 0 without performances */
	bool flaky;               /* both achieved and failed in this run */
	tw_percentiles time_to_outcome; /* of the achieved, on the customer's clock */
	uint64_t frontstage_steps; /* summed over performances */
	double frontstage_ms;      /* summed, on the customer's clock */
	/* Phone, summed over the performances with calls (calls == 0: none). */
	uint64_t calls, prompts, inputs;
	uint64_t repeats;         /* re-prompt turns: failure demand */
	const char *reprompted_menu; /* the menu most re-prompt turns named; NULL: none */
	uint64_t reprompted_menu_turns;
	tw_percentiles first_prompt;  /* call clock */
	tw_percentiles time_to_agent; /* call clock */
	const char *outcome;      /* its `outcome "..."` line; NULL: none */
	long budget_ms;           /* its budget; 0: none */
	long budget_steps;        /* 0: none */
	const char *const *tags;  /* tag_count of them */
	size_t tag_count;
	size_t scene_count;       /* tw_rehearsal_scene_count */
} tw_rehearsal_figures;

#define TW_SCENE_FIGURES_VERSION 2
#define TW_SCENE_FIGURES_INIT { .version = TW_SCENE_FIGURES_VERSION }

typedef struct tw_scene_figures {
	unsigned version;          /* TW_SCENE_FIGURES_VERSION */
	const char *name;
	const char *channel;       /* "web" or "ivr" */
	bool backstage;
	uint64_t passed, failed, skipped; /* performances of the scene */
	size_t touchpoint_count;   /* tw_scene_touchpoint_count */
	/* The scene in the performance the reports show in detail (the
	 * rehearsal's status): how it ended, what the caller heard and did
	 * (phone scenes; NULL otherwise), and the step where it failed or
	 * reached techweek's limit (failed_line 0 and the rest NULL when
	 * none did). */
	tw_status status;
	const char *transcript;
	int failed_line;
	const char *failed_source;
	const char *failed_message;
	const char *failed_expected; /* may be NULL */
	const char *failed_actual;   /* an excerpt; may be NULL */
	/* version 2 (issue 13): a conditional scene. Its `when` as written
	 * ("{{card}}", "not {{card}}"; NULL: it always runs); the performances
	 * it left the scene out of (in none of passed, failed, skipped); and
	 * why it left it out of the performance shown ("card is not set"; its
	 * status then SKIPPED), NULL when it ran there or was not reached. */
	const char *when;
	uint64_t not_run;
	const char *not_run_why;
} tw_scene_figures;

#define TW_TOUCHPOINT_FIGURES_VERSION 2
#define TW_TOUCHPOINT_FIGURES_INIT { .version = TW_TOUCHPOINT_FIGURES_VERSION }

/* A touchpoint: a step of a scene, measured over every performance. */
typedef struct tw_touchpoint_figures {
	unsigned version;          /* TW_TOUCHPOINT_FIGURES_VERSION */
	const char *kind;          /* the JSON result's word: "visit", "expect", ... */
	const char *file;          /* the script it is written in */
	int line;                  /* 1-based; 0 when unknown */
	const char *source;        /* its line as written, without indentation */
	uint64_t count;            /* performed (not skipped) */
	uint64_t passed;
	uint64_t failed;           /* the causes summed (version 2: five): */
	uint64_t failed_expectation, failed_transport, failed_unreachable, failed_script;
	uint64_t retries;          /* requests sent again */
	uint64_t retried_passes;   /* passed only after a retry */
	bool flaky;
	tw_percentiles latency;    /* the step's time */
	/* libcurl's phases, of the performances that sent a request (all
	 * counts 0 for a step that sends none). */
	tw_percentiles dns, connect, tls, first_byte, transfer;
	uint64_t requests;         /* on the wire: redirect hops, webhook
				      fetches and retries included */
	double bytes_in, bytes_out;
	const char *first_failure; /* redacted; NULL when it never failed */
	uint64_t limited;          /* performances that ended here at techweek's limit */
	const char *first_limit;   /* redacted; NULL when none */
	/* Version 2 (issue 14, F2): failed as the service's own fault (an
	 * IVR document or script at fault), JSON failures.service. */
	uint64_t failed_service;
} tw_touchpoint_figures;

#define TW_HOP_VERSION 2
#define TW_HOP_INIT { .version = TW_HOP_VERSION }

/* A request a touchpoint sent in the performance shown in detail, and its
 * answer: one hop of its chain. A page answered with a redirect is one hop,
 * the request libcurl sent to follow it the next (a 303 turns a POST into
 * a GET: each hop has its own method); a call step's webhook fetches and
 * the requests sent again are hops too. */
typedef struct tw_hop {
	unsigned version;   /* TW_HOP_VERSION */
	const char *method; /* as sent: "GET", "POST", ... */
	const char *url;    /* as sent, redacted */
	long status;        /* the answer's HTTP status; 0: none came (nothing
			       listened, the connection broke, a timeout) */
	uint64_t left_out;  /* requests sent just before this one that the
			       step log leaves out: it keeps a step's first 31
			       and its last */
	/* version 2 (issue 12) */
	int poll;           /* the try of a polled step (`retry N every D`)
			       that sent it: 0 the request as first sent, N
			       its Nth poll; a hop whose poll differs from the
			       one before starts a try, not led to by it */
} tw_hop;

/* Fills *out for the run. TW_OK, or TW_EUSAGE for a version this library
 * does not know. */
TW_EXTERN(int) tw_run_figures_of(tw_run_figures *out, const tw_run *run, tw_error *err);

/* The rehearsals of a run, in the order added (a broken file included). */
TW_EXTERN(size_t) tw_run_rehearsal_count(const tw_run *run);
/* Fills *out for rehearsal i. TW_OK; TW_EUSAGE for an index past the end
 * or a version this library does not know (out left as it was). */
TW_EXTERN(int) tw_run_rehearsal_byindex(tw_rehearsal_figures *out, const tw_run *run, size_t i,
					tw_error *err);

/* The scenes of rehearsal r, in script order (0 for a broken one, or past
 * the end). */
TW_EXTERN(size_t) tw_rehearsal_scene_count(const tw_run *run, size_t r);
TW_EXTERN(int) tw_rehearsal_scene_byindex(tw_scene_figures *out, const tw_run *run, size_t r,
					  size_t i, tw_error *err);

/* The touchpoints of scene s of rehearsal r, in script order. */
TW_EXTERN(size_t) tw_scene_touchpoint_count(const tw_run *run, size_t r, size_t s);
TW_EXTERN(int) tw_scene_touchpoint_byindex(tw_touchpoint_figures *out, const tw_run *run,
					   size_t r, size_t s, size_t i, tw_error *err);

/* The request chain of touchpoint i of scene s of rehearsal r in the
 * performance shown in detail, in the order sent: 0 when it sent none (not
 * a request step, skipped, never reached), or past the end. */
TW_EXTERN(size_t) tw_touchpoint_hop_count(const tw_run *run, size_t r, size_t s, size_t i);
/* Fills *out with hop h of that chain. TW_OK; TW_EUSAGE for an index past
 * the end or a version this library does not know (out left as it was). */
TW_EXTERN(int) tw_touchpoint_hop_byindex(tw_hop *out, const tw_run *run, size_t r, size_t s,
					 size_t i, size_t h, tw_error *err);

#endif
