/*
 * What the runner needs of a variable set beyond the public API
 * (techweek/vars.h): a set emptied in place for the next performance, its
 * memory kept. Not installed.
 */
#ifndef TW_CORE_VARS_INTERNAL_H
#define TW_CORE_VARS_INTERNAL_H

#include "techweek/vars.h"

/* issue 15, LIFE: forgets every own entry of vars (names and values
 * freed: a capture or secret never outlives its performance) and its
 * generated values' context, keeps the entries array, and makes vars read
 * through to base (borrowed, as tw_vars_new_over's; may be NULL).
 * Returns vars; a NULL vars stays NULL. */
tw_vars *tw_vars_reuse(tw_vars *vars, const tw_vars *base);

#endif
