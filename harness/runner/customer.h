/*
 * A customer: one performance of one rehearsal, as a state machine the
 * runner's loop advances. It never blocks: a step that needs the network
 * starts a transfer and returns; a pause sets a wake-up time and returns.
 * Everything it learns goes into its tw_rehearsal_result.
 */
#ifndef TW_RUNNER_CUSTOMER_H
#define TW_RUNNER_CUSTOMER_H

#include <curl/curl.h>
#include <libxml/tree.h>
#include <stdbool.h>

#include "channels/ivr/call.h"
#include "channels/web/response.h"
#include "channels/web/transfer.h"
#include "core/generate.h"
#include "language/ast.h"
#include "runner/offload.h" /* issue 14, F1 */
#include "runner/run.h"

typedef enum tw_customer_state {
	TW_CUSTOMER_READY,   /* has a step to perform now */
	TW_CUSTOMER_WAITING, /* a transfer is under way on c->easy */
	TW_CUSTOMER_PAUSED,  /* thinking until wake_at_ms */
	TW_CUSTOMER_DONE,
	/* issue 14, F1: a call operation runs off the loop (c->offload);
	   the loop joins it and goes on (tw_customer_offload_done) */
	TW_CUSTOMER_SCRIPTING,
} tw_customer_state;

typedef struct tw_customer {
	tw_run *run;                 /* borrowed */
	tw_rehearsal_result *result; /* borrowed: filled as steps run */
	const tw_script *script;     /* borrowed */
	tw_vars *vars;               /* owned: captures, over the shared cast;
					kept emptied by tw_customer_end */
	CURLSH *jar;                 /* owned: the customer's cookie jar;
					kept emptied by tw_customer_end */
	tw_transfer xfer;            /* xfer.easy: the transfer under way */
	tw_http_request sent;        /* the last request sent (for --retry) */
	bool interrupted;            /* the run is being stopped */
	tw_response resp;            /* the last response */
	bool have_response;
	xmlNodePtr last_form;        /* the form last filled, in resp's doc */
	bool page_changed;           /* a form step wrote into resp's doc */
	char *authorization;         /* owned: the Authorization header the
					script last gave a page step, carried
					to later ones on its origin */
	char *auth_origin;           /* owned: that origin */
	size_t scene;
	size_t step;
	tw_customer_state state;
	double wake_at_ms;
	double step_start_ms;
	double step_clock_s;         /* the call clock when the step began */
	double start_ms;
	bool stopped;                /* a step failed; the rest is skipped */
	bool stopped_by_check;       /* ... and it was an expectation */
	bool limited;                /* a step hit techweek's limit: the rest,
					expectations included, is skipped */
	/* issue 12, polling: `retry N every D` on the current request step */
	int polls;                   /* sent again so far */
	bool polling;                /* paused until the next poll */
	bool polls_ran_out;          /* the last poll did not hold either */

	/* The phone (runner/caller.c). */
	tw_call *call;               /* owned: the call under way, or the last */
	bool webhook;                /* the transfer under way fetches for it */
	size_t heard;                /* transcript events `hear` has gone past */
	size_t transcribed;          /* events written to a scene transcript */
	unsigned long long performance; /* seeds the call's SIDs */

	/* issue 13, GEN: the performance's {{seq}}, {{customer}} and random
	 * generator, attached to vars; and whether the cast entries made of
	 * generated values (expanded per performance, not in the shared
	 * cast) are set yet */
	tw_gen gen;
	bool cast_done;
	/* issue 13, USE: scenes whose uses' bindings are set (their count:
	 * scene i is done when uses_bound > i) */
	size_t uses_bound;
	/* issue 13, F1: each name a use set (by `with` or a default), with
	 * the used file and the value it set; NULL before the first. Owned
	 * (bind_use.c). */
	tw_vars *use_defaults;
	size_t heard_byte;           /* issue 14: bytes of event heard's text
					matched by the last hear */
	/* issue 14, CLOCK: calls placed in scene calls_scene - 1 (0: none
	 * yet), for the transcript's separator between calls */
	size_t calls_scene;
	unsigned scene_calls;
	/* issue 14, AUDIO: while the call fetches what a document needs, the
	 * webhook's response that brought it waits here (resp holds the
	 * resource's), and is put back when the step is done: the step's
	 * status, timings and expectations are the webhook's (caller.c) */
	tw_response webhook_resp;
	bool webhook_stashed;
	/* issue 14, MATCH: the hear whose `when hear` handler acted, looked
	 * at again once the IVR has answered (runner/caller.c); NULL when
	 * none; and how often handlers acted in the step */
	const tw_step *hearing;
	int handler_actions;
	char *handler_note; /* owned: what they did, for the step's note */
	/* issue 14, F1: the loop's wake (issue 15, LOOP: its eventfd and
	 * list of ended operations), signalled when an operation off the
	 * loop ends (borrowed; NULL: operations run inline); the
	 * operation running (SCRIPTING) and its arguments and answer (owned
	 * by runner/caller.c, freed when joined) */
	tw_wake *wake;
	tw_offload offload;
	void *call_op;
	/* issue 14, F4: the fuzzy matching work of the step so far (cells
	 * of its looks' tables: every hear and handler look), bounded by
	 * TW_FUZZY_STEP_CELLS in caller.c */
	uint64_t fuzzy_cells;
	/* issue 15, LIFE: c has been through tw_customer_init: what
	 * tw_customer_end keeps (xfer's handle, jar emptied, vars emptied,
	 * resp's buffers) is there to reuse */
	bool reused;
} tw_customer;

/* Milliseconds on a monotonic clock. */
double tw_clock_ms(void);

/* The variables every performance of result's script starts with: the
 * run's --var values and the cast, expanded once (but the entries made of
 * generated values, directly or through an entry above: those each
 * performance expands, issue 13), into *out (owned by the
 * caller, reading through to run->opts.vars; free with tw_vars_free). A
 * problem that stops every performance before anything is sent (an unset
 * environment variable) is recorded in result (status BROKEN) and
 * returned. */
int tw_customer_cast(tw_vars **out, tw_run *run, tw_rehearsal_result *result, tw_error *err);

/* issue 13, F2: the one cast expansion, for tw_customer_cast and a data
 * row's (runner/rows.c tw_rows_vars): script s's cast over the run's
 * --var values and, when rows is not NULL, row `row` of it (its columns
 * as variables, column c secret when secret[c]; rows_name names the file
 * in a message): --var > the row > the cast's own values. Entries made
 * of generated values are left to each performance. *out owned by the
 * caller (set even on failure). TW_OK; TW_ENOMEM; or a script problem
 * (a cast entry without a value, an expansion that fails) in err at the
 * entry's line. */
struct tw_datafile;
int tw_customer_cast_vars(tw_vars **out, tw_run *run, const tw_script *s,
			  const struct tw_datafile *rows, size_t row, const bool *secret,
			  const char *rows_name, tw_error *err);

/* issue 13, DATA: registers the `auth` passwords the script's steps take
 * from vars as secrets (part of tw_customer_cast). TW_OK or TW_ENOMEM. */
int tw_customer_auth_secrets(tw_run *run, const tw_script *s, const tw_vars *vars);
/* issue 13, GEN: true when a cast value must be expanded by each
 * performance (at its first step): it makes a generated value ({{seq}},
 * {{uuid}}, ...), or uses a name in deferred, the entries above already
 * left to each performance. The shared cast (tw_customer_cast) and a data
 * row's (runner/rows.c) leave those out. */
bool tw_customer_value_deferred(const char *value, const tw_vars *deferred);

/* Prepares a customer for result (whose plan is set and which is laid out
 * for it: tw_rehearsal_result_reuse): variables that read through to cast
 * (from tw_customer_cast; borrowed, must outlive the customer) and an
 * empty cookie jar. c is all-zero or was ended by tw_customer_end; what
 * that kept (the easy handle in c->xfer, the emptied jar and variable
 * set, the response's buffers) is reused. Only memory can fail; then
 * tw_customer_free (or tw_customer_end) c. */
int tw_customer_init(tw_customer *c, tw_run *run, tw_rehearsal_result *result,
		     const tw_vars *cast, tw_error *err);

/* issue 13, GEN: numbers the performance (seq, from 1 in its rehearsal;
 * customer, from 1) and seeds its random values from (seed, stream: the
 * rehearsal's place in the run's lineup, seq). After tw_customer_init,
 * before the first tw_customer_advance. */
void tw_customer_generate(tw_customer *c, uint64_t seed, uint64_t stream, uint64_t seq,
			  uint64_t customer);

/* Performs steps until the customer has to wait (WAITING: c->xfer.easy is ready
 * to be added to a multi handle; PAUSED) or is DONE. */
void tw_customer_advance(tw_customer *c, double now_ms);

/* Called by the loop when c->xfer.easy's transfer finished with result (after
 * the handle was removed from the multi handle). Leaves the customer READY
 * or DONE. */
void tw_customer_transfer_done(tw_customer *c, CURLcode result, double now_ms);

/* The run is stopping now: a transfer under way (already removed from
 * the multi handle) or a pause ends as interrupted, and the performance
 * ends. */
void tw_customer_interrupt(tw_customer *c, double now_ms);

/* issue 15, LIFE: the performance is over (the customer DONE, or never
 * started; its handle in no multi handle): frees what belongs to it and
 * keeps for the slot's next customer what a browser session would keep
 * across people: the easy handle in c->xfer (its request's options freed:
 * tw_transfer_cleanup), the jar emptied of every cookie, the variable set
 * emptied of every capture, the response's buffers. No cookie, variable,
 * capture, header, credential, call or page survives it. Then c is ready
 * for tw_customer_init. */
void tw_customer_end(tw_customer *c);

/* Everything, what tw_customer_end keeps too; c is then all-zero. For a
 * zeroed c, an ended one, or one whose init failed. */
void tw_customer_free(tw_customer *c);

/* issue 14, F1: a SCRIPTING customer's operation has ended
 * (tw_offload_done), or the run stops (then this waits for it): joins it
 * and performs what follows it on the caller's (the loop's) thread, as
 * tw_customer_transfer_done does after a transfer. Leaves the customer
 * WAITING (its handle not yet added), PAUSED, SCRIPTING again, or DONE. */
void tw_customer_offload_done(tw_customer *c, double now_ms);

/* ---- for the step modules (customer.c, caller.c) ---- */

/* Marks sr done with status, timed from the step's start. */
void tw_customer_finish_step(tw_customer *c, tw_step_result *sr, tw_status status, double now_ms);
/* Records a failure with redacted texts; expected/actual may be NULL. */
void tw_customer_fail(tw_customer *c, tw_step_result *sr, tw_status status, double now_ms,
		      const char *expected, const char *actual, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
/* e as the step's failure: LIMITED for TW_EUNSUPPORTED (techweek's
 * limit), else FAILED. */
void tw_customer_fail_error(tw_customer *c, tw_step_result *sr, double now_ms, const tw_error *e);
/* Expands tpl with the customer's variables; on failure records the step
 * as failed and returns NULL. malloc'd. */
char *tw_customer_expand(tw_customer *c, tw_step_result *sr, const char *tpl, double now_ms);
/* After a response: true when its status is 400 or above and no `expect
 * status` line in the run of expectations right after the current step
 * holds for it (the script did not declare it). */
bool tw_customer_status_unexpected(tw_customer *c);
/* Fails sr for the response's undeclared error status, in one wording for
 * every request step; after (may be NULL) is appended to the message. */
void tw_customer_fail_status(tw_customer *c, tw_step_result *sr, double now_ms, const char *after);
/* Starts req on the customer's handle (WAITING), or fails the step. */
void tw_customer_start_transfer(tw_customer *c, tw_step_result *sr, tw_http_request *req,
				double now_ms);

/* issue 13, USE (runner/bind_use.c): when the current scene is the first
 * of one or more uses, sets what they bind (with values, then defaults for
 * names not set), outer uses first, once. False when a value could not be
 * expanded: the step sr failed with it. */
bool tw_customer_bind_uses(tw_customer *c, tw_step_result *sr, double now_ms);

#endif
