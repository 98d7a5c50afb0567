/*
 * ECMAScript for VoiceXML documents: MuJS (ES5) run in a sandbox process,
 * one per call.
 *
 * Why a process: an IVR's script is code from the service under test. It
 * may loop forever or eat memory, and MuJS has no execution-timeout hook.
 * Running it in a forked child lets the call bound its CPU time (the
 * child's ITIMER_PROF, RLIMIT_CPU behind it) and its heap (MuJS's
 * allocator hook, capped), and a crash there is the IVR's fault, never
 * techweek's.
 *
 * How: the first tw_js_run forks the child (no exec). The child closes
 * every file descriptor but its end of a socketpair, runs MuJS and
 * answers requests one at a time; it only ever leaves through _exit, and
 * it ends when its socket reaches EOF (the parent is gone). It may be
 * forked from a short-lived thread: nothing in it depends on the forking
 * thread (no PR_SET_PDEATHSIG). Each request is global code and an
 * optional argument string (the global $tw_arg, not enumerable), so the
 * IVR's text never has to be quoted into code. The time limit is the
 * child's CPU time for the whole call (TW_JS_TIME_S by default,
 * --call-script-time): every request spends from it, a machine busy
 * with other work does not. The parent waits at most TW_JS_WALL_FACTOR
 * times the limit plus 1 s of wall time for an answer (a backstop; past
 * it the failure is techweek's, not the IVR's) -- issue 14, F5: in which
 * the child's CPU time did not advance (its process CPU clock, to the
 * nanosecond); a child starved by a busy machine is waited for, up to
 * TW_JS_WALL_HARD_FACTOR backstops, so it reaches its own CPU limit.
 *
 * Whose fault: the IVR's (TW_ESERVICE) are a script error, the CPU
 * budget, the heap cap, a crash (SIGSEGV, SIGBUS, SIGFPE, SIGILL) and a
 * value over TW_JS_MAX_TEXT; techweek's (TW_EINTERNAL) are the child's
 * own start-up failure, a MuJS panic that is not the heap cap, a kill
 * from outside (the OOM killer) and the wall backstop.
 *
 * Ownership: tw_js_new allocates; tw_js_free kills and reaps the child
 * and frees everything. Values out are malloc'd (tw_js_value_free).
 * One tw_js belongs to one call and is used from one thread at a time.
 */
#ifndef TW_IVR_SCRIPT_H
#define TW_IVR_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "techweek/error.h"

#define TW_JS_TIME_S 1.0                    /* script CPU time per call */
#define TW_JS_WALL_FACTOR 10.0              /* the wall backstop: 10x the limit + 1 s */
/* issue 14, F5: the backstop gives up only when the child's CPU time did
 * not advance during it; while it does, at most this many backstops */
#define TW_JS_WALL_HARD_FACTOR 10.0
#define TW_JS_HEAP_BYTES (64u * 1024 * 1024) /* the script heap's cap */
#define TW_JS_MAX_TEXT (1u << 20)           /* bytes of code, argument or value */

typedef struct tw_js tw_js;

#define TW_JS_STOP_MS 50 /* issue 14, F6: how often a wait asks stop */

typedef struct tw_js_limits {
	double time_s;     /* total script CPU time for the call; <= 0: default */
	size_t heap_bytes; /* the child's MuJS heap; 0: default */
	/* issue 14, F6: the owner's stop request (NULL: none), asked on the
	 * thread that runs tw_js_run every TW_JS_STOP_MS while it waits for
	 * the child, and before a run starts: true kills and reaps the
	 * child, and the run (and every later one) fails TW_ELIMIT "cut off"
	 * (tw_js_cut), so a run that is ending does not sit out a script's
	 * time limit. */
	bool (*stop)(void *ctx);
	void *stop_ctx;
} tw_js_limits;

typedef enum tw_js_type {
	TW_JS_UNDEFINED,
	TW_JS_NULL,
	TW_JS_BOOLEAN,
	TW_JS_NUMBER,
	TW_JS_STRING,
	TW_JS_OBJECT,
} tw_js_type;

/* A value as the parent sees it: its type, whether it is truthy, and
 * String(value) (NULL for undefined). */
typedef struct tw_js_value {
	tw_js_type type;
	bool truthy;
	char *text; /* owned */
} tw_js_value;

/* NULL on out of memory. Nothing is forked yet. */
tw_js *tw_js_new(const tw_js_limits *limits);
/* Kills (SIGKILL) and reaps the child, if any. NULL is fine. */
void tw_js_free(tw_js *js);

/*
 * Runs code as global code in the call's one ECMAScript global
 * environment, with the global $tw_arg set to arg (undefined for NULL).
 * file and line say where the code starts (messages count lines from
 * there; MuJS's stack trace names file). out (may be NULL) gets the
 * completion value. Errors, TW_ESERVICE (the IVR's fault) with the
 * cause in words: a syntax or runtime error ("ReferenceError: 'x' is not
 * defined (line 12)"), a value over 1 MiB, the time limit ("ran past 1 s
 * (an endless loop?)"), the heap cap, the child crashing; TW_EINTERNAL
 * (techweek's) as said above; once the child is gone every later run
 * fails the same way. TW_ENOMEM, TW_ELIMIT (text over TW_JS_MAX_TEXT in).
 */
int tw_js_run(tw_js *js, const char *code, const char *arg, const char *file, long line,
	      tw_js_value *out, tw_error *err);

/* True once the child has been started (for tests and cost notes). */
bool tw_js_started(const tw_js *js);
/* True when the last tw_js_run failed with the script's own error (a
 * syntax or runtime error, what VoiceXML calls error.semantic), after
 * which the sandbox goes on; false after a success, the time limit, the
 * heap cap or a crash. */
bool tw_js_script_error(const tw_js *js);
/* The child's process id, 0 before it started, -1 once reaped: for tests
 * that make it die as a crash would. */
int tw_js_pid(const tw_js *js);

void tw_js_value_free(tw_js_value *v);

/* issue 14, F6: true once a run was cut off by limits.stop (the child is
 * gone): the owner's stop, not the script, ended it. */
bool tw_js_cut(const tw_js *js);

#endif
