/*
 * Process-wide set-up: what libcurl and libxml2 share across a process.
 */
#ifndef TECHWEEK_GLOBAL_H
#define TECHWEEK_GLOBAL_H

#include "common.h"

/* Sets up libcurl (curl_global_init) and libxml2 (xmlInitParser) for the
 * engine. Call it once at the start of the program, before any thread
 * starts, and tw_global_cleanup once at the end, as libgit2's
 * git_libgit2_init: calls nest (a counter), the set-up is done by the first
 * and undone by the last tw_global_cleanup. Returns the number of
 * initialisations now in force (1 after the first call), or a negative
 * tw_code (-TW_EINTERNAL) when libcurl could not be set up.
 *
 * A program that never calls it still works: tw_run_new calls it and
 * tw_run_free the matching cleanup, so a run set up and torn down on one
 * thread at a time is safe. With runs on several threads, call it first:
 * libcurl's own set-up is not thread-safe on every platform. */
TW_EXTERN(int) tw_global_init(void);

/* Undoes one tw_global_init; the last one calls curl_global_cleanup.
 * libxml2 is left set up (xmlCleanupParser would pull it from under any
 * other user of libxml2 in the process). Returns the number of
 * initialisations still in force, 0 after the last; a call without a
 * matching tw_global_init does nothing and returns 0. */
TW_EXTERN(int) tw_global_cleanup(void);

#endif
