/*
 * techweek: a rehearsal harness for customer experiences.
 *
 * The engine is a library; the `techweek` command is a thin tool on top of
 * it. Every function that can fail returns an int error code (TW_OK on
 * success) and, on failure, fills the tw_error passed last with the message
 * and, for scripts, file:line:col; a success leaves that tw_error as it was
 * (techweek/error.h). Counts, getters and the verdict return their value
 * instead. Every object made by a `_new`/`_load` function is released by
 * the matching `_free`, which takes NULL.
 *
 * NULL where an object or an out-parameter belongs is refused, never a
 * crash: a function returning a code returns TW_EUSAGE naming the argument
 * (and sets a given *out to NULL); a count returns 0, a string getter NULL,
 * a bool false, tw_score_value and tw_project_gate -1, a verdict
 * TW_VERDICT_UNREACHABLE.
 *
 * A run's lifecycle (new, add, execute once, read, score, report, free) is
 * in techweek/run.h.
 */
#ifndef TECHWEEK_H
#define TECHWEEK_H

#include "techweek/common.h"
#include "techweek/error.h"
#include "techweek/global.h"
#include "techweek/vars.h"
#include "techweek/script.h"
#include "techweek/run.h"
#include "techweek/report.h"
#include "techweek/result.h"
#include "techweek/readiness.h"
#include "techweek/number.h"
#include "techweek/suite.h" /* issue 13, SUITE */

/* The library's version, e.g. "0.1.0". Static storage. */
TW_EXTERN(const char *) tw_version(void);

#endif
