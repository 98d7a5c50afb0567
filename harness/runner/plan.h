/*
 * A rehearsal's plan: the facts of a checked script that results, metrics,
 * the score, the baseline and every report read, copied once out of the
 * AST into a table the run owns. Results and figures point here, never
 * into the script, so a run rebuilt from its JSON result alone (techweek
 * merge, reports/json_read.c) is the same run as the one performed: the
 * JSON carries every fact below.
 *
 * scenes[i] is the script's scene i and scenes[i].touchpoints[j] its step
 * j, as the results' and the metrics' arrays are. Only the runner reaches
 * through to the AST (script, ast): NULL in a run rebuilt from JSON.
 *
 * Ownership: everything reachable from a tw_plan lives in plan->arena;
 * tw_plan_free releases it.
 */
#ifndef TW_RUNNER_PLAN_H
#define TW_RUNNER_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "language/steps.h"

struct tw_step;
struct tw_scene;
struct tw_script;

/* issue 15, PLAN: what one step works out the same way in every
 * performance, kept the first time (tw_memo_get/tw_memo_keep). */
typedef struct tw_step_memo tw_step_memo;

/* A touchpoint: a step of a scene, where the customer meets the service. */
typedef struct tw_touchpoint {
	tw_step_kind kind;
	const char *file;      /* the script's path */
	int line, col;         /* the step's keyword; 0 unknown */
	const char *source;    /* its line as written, without indentation */
	size_t scene;          /* its scene's index */
	size_t index;          /* its index in the scene */
	long apdex_ms;         /* the Apdex T the script gives a timed step
				  (its own `apdex`, else its scene's, else
				  the rehearsal's); 0: the channel default
				  (readiness/score.h), or not timed */
	tw_step_apdex apdex;   /* steps.def's class: NONE when not timed */
	bool action;           /* a customer's action: the step budget counts it */
	const struct tw_step *ast; /* the runner's; NULL when rebuilt from JSON */
	/* issue 15, PLAN: owned by the plan; NULL when rebuilt from JSON */
	tw_step_memo *memo;
} tw_touchpoint;

typedef struct tw_plan_scene {
	const char *name;
	const char *file;
	int line, col;
	tw_channel channel;
	bool backstage;        /* checks the customer never sees */
	tw_touchpoint *touchpoints;
	size_t touchpoint_count;
	const struct tw_scene *ast; /* the runner's; NULL when rebuilt from JSON */
	/* issue 13, FLOW: the scene's `when` as written, "{{card}}" or "not
	 * {{card}}"; NULL: it always runs */
	const char *when;
	/* issue 13, F1: the uses that brought the scene, innermost first,
	 * "FILE:LINE" each, joined by ", used by " ("twice.rehearsal:6");
	 * NULL: the rehearsal's own scene */
	const char *used_by;
} tw_plan_scene;

typedef struct tw_plan {
	tw_arena arena;
	const char *path;      /* as given */
	const char *name;      /* rehearsal "..." or the file name */
	const char *outcome;   /* NULL when none */
	const char *const *tags;
	size_t tag_count;
	long budget_ms;        /* 0: none */
	long budget_steps;     /* 0: none */
	long apdex_ms;         /* the header's `apdex`; 0: none */
	double require;        /* the header's `require`; 0: the project's */
	bool minor;
	tw_plan_scene *scenes;
	size_t scene_count;
	const struct tw_script *script; /* the runner's; NULL when rebuilt from JSON */
} tw_plan;

/* The plan of a checked script (which must outlive it: ast and script
 * point into it). TW_OK or TW_ENOMEM; *out NULL on failure. */
int tw_plan_of_script(tw_plan **out, const struct tw_script *script);

/* An empty plan to fill by hand (a run rebuilt from JSON): path and name
 * copied, everything else zero. NULL on out of memory. */
tw_plan *tw_plan_new(const char *path, const char *name);

/* Gives plan scene_count zeroed scenes, and a scene count zeroed
 * touchpoints (their scene and index set). TW_OK or TW_ENOMEM. */
int tw_plan_set_scenes(tw_plan *plan, size_t count);
int tw_plan_set_touchpoints(tw_plan *plan, size_t scene, size_t count);

void tw_plan_free(tw_plan *plan);

/*
 * issue 15, PLAN: a step's memo. Some work of a step is a pure function of
 * text a performance has in hand: an absolute URL resolved (the same
 * expanded URL always resolves the same), the words a failing status
 * quotes from the page (the same Content-Type and body always read the
 * same, under the run's redaction, which is fixed before the first
 * request). Each memo keeps the first key it is given and its value, for
 * the plan's life; a later performance with the same key (compared byte
 * by byte, so nothing is assumed about where the text came from) takes
 * the value instead of doing the work again; any other key does the work
 * as before. One entry, set once with a compare-and-swap and never
 * changed after, so worker threads read it without a lock; a thread that
 * loses the race frees its own entry.
 */
typedef enum tw_memo_kind {
	TW_MEMO_URL,         /* an absolute URL as expanded -> tw_url_resolve's */
	TW_MEMO_STATUS_TEXT, /* Content-Type, NUL, body -> the failing
				status's excerpt (tw_customer_fail_status) */
	TW_MEMO_ACTION,      /* a form's base, NUL, action -> the URL it
				resolves to (tw_form_submit_memo) */
	TW_MEMO_KINDS
} tw_memo_kind;

/* An empty memo (NULL: out of memory), and its end: the plan makes and
 * frees its steps' own; these are for a memo apart from a plan. */
tw_step_memo *tw_step_memo_new(void);
void tw_step_memo_free(tw_step_memo *memo);

/* The step's URL template (a request step's), split once when the plan
 * was made; NULL when it has none or memo is NULL. Owned by the plan. */
const struct tw_template *tw_memo_url(const tw_step_memo *memo);

/* The value kept for key (len bytes) under owner (what else the value
 * depends on, e.g. the run's redaction; NULL: nothing), or NULL. Borrowed:
 * valid until tw_plan_free. memo may be NULL (none: always NULL). */
const char *tw_memo_get(tw_step_memo *memo, tw_memo_kind kind, const void *key, size_t len,
			const void *owner);
/* Keeps value for key when the memo has nothing yet; copies both. Out of
 * memory or a lost race keeps nothing, which only costs the work again. */
void tw_memo_keep(tw_step_memo *memo, tw_memo_kind kind, const void *key, size_t len,
		  const void *owner, const char *value);

/* The URL the memo kept for its step (TW_MEMO_URL's value), already
 * parsed by libcurl, when it is url, else NULL: a request sends it with
 * CURLOPT_CURLU, which libcurl copies instead of parsing the text again
 * (about 5 % of a one-step request's instructions). Borrowed, read-only
 * (libcurl only reads it), valid until tw_plan_free. */
const struct Curl_URL *tw_memo_parsed_url(tw_step_memo *memo, const char *url);

/* issue 13, USE: the file a touchpoint is written in when it is not the
 * plan's own (a scene a `use` brought), else NULL: reports then show
 * "FILE:LINE" where they show "line N". */
const char *tw_touchpoint_elsewhere(const tw_plan *plan, const tw_touchpoint *tp);

/* The touchpoint's Apdex T the script leaves to the run: apdex_ms when the
 * script gives one, else default_ms for a timed step, else 0. */
double tw_touchpoint_apdex_t(const tw_touchpoint *tp, double default_ms);

#endif
