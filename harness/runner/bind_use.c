/*
 * issue 13, stream USE: what a use binds, when its first scene starts.
 *
 * A used file's cast lists what it needs: `with NAME = VALUE` on the use
 * sets NAME (VALUE expanded in the customer's variables as they are at
 * that moment: the using rehearsal's cast, --var, captures so far); an
 * entry with a value is a default, set only when NAME is not set by then.
 * A parameter (no value) given by neither is already set: the checker
 * (check.c) refuses the script otherwise. Values stay set afterwards, as
 * captures do.
 */
#include <stdlib.h>
#include <string.h>

#include "core/template.h"
#include "language/ast.h"
#include "runner/customer.h"

static const tw_pair *with_named(const tw_use *u, const char *name)
{
	for (size_t i = 0; i < u->with.count; i++)
		if (strcmp(u->with.items[i].name, name) == 0)
			return &u->with.items[i];
	return NULL;
}

static bool bind_one(tw_customer *c, tw_step_result *sr, double now_ms, const tw_use *u)
{
	for (size_t i = 0; i < u->params.count; i++) {
		const tw_pair *pr = &u->params.items[i];
		const tw_pair *w = with_named(u, pr->name);
		if (!w && (!pr->value || tw_vars_get(c->vars, pr->name, NULL)))
			continue;
		char *value = NULL;
		bool secret = false;
		tw_error e = {0};
		int rc = tw_template_expand(w ? w->value : pr->value, c->vars, TW_EXPAND_PLAIN,
					    &value, &secret, &e);
		if (rc == TW_OK)
			rc = tw_vars_set(c->vars, pr->name, value, secret);
		free(value);
		if (rc != TW_OK) {
			if (!e.message)
				tw_error_set(&e, rc, "out of memory binding '%s'", pr->name);
			tw_customer_fail_error(c, sr, now_ms, &e);
			tw_error_clear(&e);
			return false;
		}
	}
	return true;
}

bool tw_customer_bind_uses(tw_customer *c, tw_step_result *sr, double now_ms)
{
	size_t i = c->scene;
	if (c->uses_bound > i || i >= c->script->scene_count)
		return true;
	c->uses_bound = i + 1;
	const tw_use *us[32];
	size_t n = 0;
	for (const tw_use *u = c->script->scenes[i].use; u && n < 32; u = u->parent)
		if (u->first_scene == i)
			us[n++] = u;
	while (n-- > 0)
		if (!bind_one(c, sr, now_ms, us[n]))
			return false;
	return true;
}
