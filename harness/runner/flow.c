/* Issue 13, FLOW: a scene's `when`, decided as it starts (flow.h). */
#include "runner/flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *tw_flow_why_not(const char *name, bool when_not, const char *value, bool *oom)
{
	*oom = false;
	bool set = value && value[0];
	if (set != when_not)
		return NULL;
	/* Never the value: it may be a secret, and the name says enough. */
	const char *state = when_not ? "is set" : value ? "is empty" : "is not set";
	size_t n = strlen(name) + strlen(state) + 2;
	char *why = malloc(n);
	if (!why) {
		*oom = true;
		return NULL;
	}
	snprintf(why, n, "%s %s", name, state);
	return why;
}

bool tw_flow_scene_runs(tw_customer *c)
{
	const tw_scene *sc = &c->script->scenes[c->scene];
	if (!sc->when)
		return true;
	bool oom;
	char *why = tw_flow_why_not(sc->when, sc->when_not, tw_vars_get(c->vars, sc->when, NULL),
				    &oom);
	if (!why && !oom)
		return true;
	/* Out of memory: left out all the same (the condition did not
	 * hold), shown as not reached. */
	tw_scene_result *sr = &c->result->scenes[c->scene];
	free(sr->not_run);
	sr->not_run = why;
	return false;
}
