/*
 * issue 13, stream USE: what a use binds, when its first scene starts.
 *
 * A used file's cast lists what it needs: `with NAME = VALUE` on the use
 * sets NAME (VALUE expanded in the customer's variables as they are at
 * that moment: the using rehearsal's cast, --var, captures so far); an
 * entry with a value is a default, set unless `with` gives NAME or NAME is
 * set by then (the rehearsal's cast, --var, --env, a data row, a capture,
 * or a use of another file: values flow from scene to scene). What an
 * earlier use of the SAME file set, by `with` or by a default, is that
 * use's own (issue 13, F1 and the verify pass): a file used twice works out
 * `greeting = Welcome back, {{user}}` for each use's user, even after a
 * use that said `with greeting = Hi`.
 * A parameter (no value) given by neither is already set: the checker
 * (check.c) refuses the script otherwise. Values stay set afterwards, as
 * captures do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/template.h"
#include "language/ast.h"
#include "language/parser.h" /* issue 13, F1: tw_use_chain_append */
#include "runner/customer.h"

static const tw_pair *with_named(const tw_use *u, const char *name)
{
	for (size_t i = 0; i < u->with.count; i++)
		if (strcmp(u->with.items[i].name, name) == 0)
			return &u->with.items[i];
	return NULL;
}

/* What a use of file set name to, as c->use_defaults keeps it: the file,
 * a unit separator, the value. malloc'd; NULL: out of memory. */
static char *use_mark(const char *file, const char *value)
{
	size_t f = strlen(file), v = strlen(value);
	char *m = malloc(f + v + 2);
	if (m) {
		memcpy(m, file, f);
		m[f] = '\x1f';
		memcpy(m + f + 1, value, v + 1);
	}
	return m;
}

/* True when name's value is the one an earlier use of u's file set (by
 * `with` or a default), and nothing set another since. */
static bool set_by_same_file(const tw_customer *c, const tw_use *u, const char *name)
{
	const char *was = tw_vars_get(c->use_defaults, name, NULL);
	const char *now = tw_vars_get(c->vars, name, NULL);
	if (!was || !now)
		return false;
	char *mark = use_mark(u->key ? u->key : u->path, now);
	bool same = mark && strcmp(was, mark) == 0;
	free(mark);
	return same;
}

/* Records what a use of u's file set name to. */
static int note_set(tw_customer *c, const tw_use *u, const char *name, const char *value)
{
	if (!c->use_defaults && !(c->use_defaults = tw_vars_new()))
		return TW_ENOMEM;
	char *mark = use_mark(u->key ? u->key : u->path, value);
	int rc = mark ? tw_vars_set(c->use_defaults, name, mark, false) : TW_ENOMEM;
	free(mark);
	return rc;
}

/* issue 13, F1 (review R11): the failure is recorded at the used scene's
 * first step, in the used file; the message names what failed, the `with`
 * line (in the using file) or the default's (in the used file), and the
 * uses that led to that file. Left as it is when that cannot be said. */
static void placed(const tw_script *s, const tw_pair *at, bool with, tw_error *e)
{
	const char *file = at->loc.file ? at->loc.file : s->path;
	const char *fmt = with ? "%s:%d:%d: 'with %s': %s" : "%s:%d:%d: the default of '%s': %s";
	int n = snprintf(NULL, 0, fmt, file, at->loc.line, at->loc.col, at->name, e->message);
	char *m = n > 0 ? malloc((size_t)n + 1) : NULL;
	if (!m)
		return;
	snprintf(m, (size_t)n + 1, fmt, file, at->loc.line, at->loc.col, at->name, e->message);
	free(e->message);
	e->message = m;
	tw_use_chain_append(s, at->loc.file, e); /* out of memory: without it */
}

static bool bind_one(tw_customer *c, tw_step_result *sr, double now_ms, const tw_use *u)
{
	for (size_t i = 0; i < u->params.count; i++) {
		const tw_pair *pr = &u->params.items[i];
		const tw_pair *w = with_named(u, pr->name);
		if (!w && (!pr->value || (tw_vars_get(c->vars, pr->name, NULL) &&
					  !set_by_same_file(c, u, pr->name))))
			continue;
		char *value = NULL;
		bool secret = false;
		tw_error e = {0};
		int rc = tw_template_expand(w ? w->value : pr->value, c->vars, TW_EXPAND_PLAIN,
					    &value, &secret, &e);
		if (rc == TW_OK)
			rc = tw_vars_set(c->vars, pr->name, value, secret);
		if (rc == TW_OK)
			rc = note_set(c, u, pr->name, value);
		free(value);
		if (rc != TW_OK) {
			if (!e.message)
				tw_error_set(&e, rc, "out of memory binding '%s'", pr->name);
			else
				placed(c->script, w ? w : pr, w != NULL, &e);
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
