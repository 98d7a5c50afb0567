/*
 * Fault injection: fail the Nth allocation, for every N (SQLite's and
 * curl's `-t` manner). The engine has no hook of its own (it has no global
 * state): the torture program is linked with -Wl,--wrap for the C library's
 * allocating functions, so every call the engine's objects make lands in
 * torture.c first, and jansson's and libxml2's allocators are routed there
 * too. The counter is the test's own global.
 *
 * torture_run drives one operation: once without a failure (its
 * allocations counted), then for N = 1, 2, ... with the Nth allocation
 * failing (once: those after it succeed, so the code goes on past the
 * failure), until an N past the last allocation. Each time the operation
 * must say out of memory (TW_ENOMEM); a success is accepted only when its
 * result is the same as without the failure (a failure absorbed, as a
 * buffer that could not be shrunk to fit). One exception: jansson's
 * decoder (json_load*, wrapped too, to tell its allocations apart) drops
 * a byte it could not save and reads on (jansson issue #362), so the text
 * reads as malformed or, worse, decodes altered; the engine cannot tell.
 * Either is counted, not failed. Leaks are found by
 * LeakSanitizer (asan build) or valgrind at exit.
 */
#ifndef TW_TORTURE_H
#define TW_TORTURE_H

#include <stdbool.h>

typedef struct torture_op {
	const char *name;
	/* Performs the operation (allocations counted and failing); keeps
	 * its result in ctx. Returns a tw_code. */
	int (*run)(void *ctx);
	/* After a TW_OK run: the result as text, malloc'd (no failures). */
	char *(*digest)(void *ctx);
	/* Frees what run kept (no failures). */
	void (*cleanup)(void *ctx);
	void *ctx;
	/* The operation's error, shown beside a problem; may be NULL. */
	const struct tw_error *err;
} torture_op;

/* Routes jansson's and libxml2's allocations through the counter. Call
 * first in main. */
void torture_init(void);

/* Tortures op; returns the number of problems found (each printed on
 * stderr with its N). TORTURE_N=N in the environment runs that N alone. */
int torture_run(const torture_op *op);
/* The same for an operation whose result is an error (a script that does
 * not parse): expected is its code without failures. */
int torture_run_expecting(const torture_op *op, int expected);

/* Allocations counted while armed, for a self-test: arm at N, call, disarm
 * returns how many were made. */
void torture_arm(long fail_at);
long torture_disarm(void);
bool torture_fired(void);

#endif
