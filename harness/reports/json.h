/*
 * The JSON result (docs/reports.md, docs/results-schema.json): its format,
 * written by reports/json.c and read back by reports/json_read.c, which
 * rebuilds a run from it alone (techweek merge; docs/sharding.md).
 */
#ifndef TW_REPORTS_JSON_H
#define TW_REPORTS_JSON_H

#include <stddef.h>

#include "runner/run.h"

/* The document's "format". Bumped whenever the document changes; a reader
 * takes only its own.
 * 2: readiness, settings, per scene transcript, per touchpoint apdex.
 * 3: shard, plan, per rehearsal shown and frontstage sums, STATS sum: what
 * techweek merge needs to rebuild a run.
 * 5: retried_achieved, a rehearsal's required rate, minor and met, the
 * run's weakest, a loss's in_run: the run is its weakest journey.
 * 6: every fact of each rehearsal's plan (runner/plan.h): a rehearsal's
 * apdex_ms, require and minor; a scene's file, line and col; a
 * touchpoint's file, col and apdex_ms. A run is rebuilt from the JSON
 * alone, without its scripts.
 * 7: a step's request chain: hops (method, url, status of each request
 * sent) and hops_left_out, in shown and in a scene's transcript. */
#define TW_JSON_FORMAT 9 /* issue 13: 9 */

/* tw_run_load_parts (techweek/run.h) on parts held in memory: texts[i]
 * (lens[i] bytes, need not be NUL-terminated) named names[i] in messages.
 * What a merge fuzzer calls. */
int tw_run_merge_texts(tw_run **out, const char *const *names, const char *const *texts,
		       const size_t *lens, size_t n, tw_error *err);

#endif
