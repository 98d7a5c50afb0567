/*
 * techweek: a rehearsal harness for customer experiences.
 *
 * The engine is a library; the `techweek` command is a thin tool on top of
 * it. Every function returns an int error code (TW_OK on success) and fills
 * a tw_error with the message and, for scripts, file:line:col. Every object
 * made by a `_new`/`_load` function is released by the matching `_free`.
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

/* The library's version, e.g. "0.1.0". Static storage. */
TW_EXTERN(const char *) tw_version(void);

#endif
