/*
 * Issue 13, FLOW: a conditional scene (`when {{NAME}}`, `when not
 * {{NAME}}`: language/parse_flow.c) decided as the customer is to start
 * it, on the variables it has then (the cast, what was given, the
 * captures made so far).
 */
#ifndef TW_RUNNER_FLOW_H
#define TW_RUNNER_FLOW_H

#include <stdbool.h>

#include "runner/customer.h"

/* Whether the scene the customer is at (c->scene, before its first step)
 * runs. When it does not, its result says why (not_run, owned by the
 * result: "card is not set", "card is empty", "card is set") and stays
 * SKIPPED with its steps: nothing performed, nothing counted. */
bool tw_flow_scene_runs(tw_customer *c);

/* Why a condition left a scene out, or NULL when it holds: value is the
 * variable's (NULL: not set). Static text is not possible (the name is in
 * it): malloc'd, the caller's. On out of memory "" is not returned: NULL
 * and *oom set. */
char *tw_flow_why_not(const char *name, bool when_not, const char *value, bool *oom);

#endif
