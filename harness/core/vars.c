/*
 * Variables: an ordered array (tw_vars_at walks it in the order set) with a
 * name -> index map beside it, so a vars file of 40 000 lines loads in
 * linear time and every template lookup is one probe.
 * A customer's set holds only its captures and reads through to a base
 * shared by every customer (the --var values and the cast, expanded once
 * per run), so a large value is stored once, not once per customer.
 */
#include "techweek/vars.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/generate.h"
#include "core/strmap.h"
#include "core/vars_internal.h"

typedef struct entry {
	char *name;
	char *value;
	bool secret;
} entry;

struct tw_vars {
	entry *items;
	size_t count;
	size_t cap;
	tw_strmap index; /* name -> position in items; keys are the names */
	const tw_vars *base; /* read through for names not here; borrowed */
	tw_gen *gen; /* issue 13, GEN: the performance's generated values;
			borrowed, found through the base chain */
};

tw_vars *tw_vars_new(void)
{
	return calloc(1, sizeof(tw_vars));
}

tw_vars *tw_vars_new_over(const tw_vars *base)
{
	tw_vars *vars = tw_vars_new();
	if (vars)
		vars->base = base;
	return vars;
}

void tw_vars_free(tw_vars *vars)
{
	if (!vars)
		return;
	for (size_t i = 0; i < vars->count; i++) {
		free(vars->items[i].name);
		free(vars->items[i].value);
	}
	free(vars->items);
	tw_strmap_free(&vars->index);
	free(vars);
}

tw_vars *tw_vars_reuse(tw_vars *vars, const tw_vars *base)
{
	if (!vars)
		return NULL;
	for (size_t i = 0; i < vars->count; i++) {
		free(vars->items[i].name);
		free(vars->items[i].value);
	}
	vars->count = 0;
	/* The map has no removal: it goes, keys and all (they were the
	 * names), and the next capture makes a new one. */
	tw_strmap_free(&vars->index);
	vars->base = base;
	vars->gen = NULL;
	return vars;
}

static entry *find(const tw_vars *vars, const char *name)
{
	size_t i;
	return tw_strmap_get(&vars->index, name, &i) ? &vars->items[i] : NULL;
}

int tw_vars_set(tw_vars *vars, const char *name, const char *value, bool secret)
{
	if (!vars || !name)
		return TW_EUSAGE;
	char *v = strdup(value ? value : "");
	if (!v)
		return TW_ENOMEM;
	entry *e = find(vars, name);
	if (e) {
		free(e->value);
		e->value = v;
		e->secret = secret;
		return TW_OK;
	}
	if (tw_array_grow(&vars->items, &vars->cap, vars->count + 1, sizeof(*vars->items))) {
		free(v);
		return TW_ENOMEM;
	}
	char *n = strdup(name);
	if (!n || tw_strmap_put(&vars->index, n, vars->count, NULL, NULL)) {
		free(n);
		free(v);
		return TW_ENOMEM;
	}
	vars->items[vars->count++] = (entry){n, v, secret};
	return TW_OK;
}

const char *tw_vars_get(const tw_vars *vars, const char *name, bool *secret)
{
	const entry *e = NULL;
	for (; vars && name && !e; vars = vars->base)
		e = find(vars, name);
	if (secret)
		*secret = e ? e->secret : false;
	return e ? e->value : NULL;
}

size_t tw_vars_count(const tw_vars *vars)
{
	return vars ? vars->count : 0;
}

void tw_vars_at(const tw_vars *vars, size_t i, const char **name,
		const char **value, bool *secret)
{
	const entry *e = vars && i < vars->count ? &vars->items[i] : &(entry){0};
	if (name)
		*name = e->name;
	if (value)
		*value = e->value;
	if (secret)
		*secret = e->secret;
}

int tw_vars_merge(tw_vars *dst, const tw_vars *src)
{
	if (!dst)
		return TW_EUSAGE;
	for (size_t i = 0; src && i < src->count; i++) {
		int rc = tw_vars_set(dst, src->items[i].name, src->items[i].value,
				     src->items[i].secret);
		if (rc)
			return rc;
	}
	return TW_OK;
}

/* issue 13, GEN: the context of generated values rides on the variables,
 * so every tw_template_expand a customer's steps make finds it. */
void tw_vars_set_gen(tw_vars *vars, tw_gen *g)
{
	if (vars)
		vars->gen = g;
}

tw_gen *tw_vars_gen(const tw_vars *vars)
{
	for (; vars; vars = vars->base)
		if (vars->gen)
			return vars->gen;
	return NULL;
}

bool tw_vars_valid_name(const char *name)
{
	if (!name || !(isalpha((unsigned char)*name) || *name == '_'))
		return false;
	for (const char *p = name + 1; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '.' || *p == '-'))
			return false;
	return true;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Splits "NAME=VALUE" in place; the value may be "double quoted". */
static int split(char *line, char **name, char **value, const char **why)
{
	char *eq = strchr(line, '=');
	if (!eq) {
		*why = "expected NAME=VALUE";
		return -1;
	}
	*eq = '\0';
	*name = trim(line);
	*value = trim(eq + 1);
	size_t n = strlen(*value);
	if (n >= 2 && (*value)[0] == '"' && (*value)[n - 1] == '"') {
		(*value)[n - 1] = '\0';
		(*value)++;
	}
	if (!tw_vars_valid_name(*name)) {
		*why = "invalid variable name (letters, digits, _ . -; not starting with a digit)";
		return -1;
	}
	/* issue 13, GEN: the generated values' names are no variable's */
	if (tw_gen_reserved(*name)) {
		*why = tw_gen_reserved_why(*name);
		return -2;
	}
	return 0;
}

int tw_vars_set_assignment(tw_vars *vars, const char *assignment, tw_error *err)
{
	if (!vars || !assignment)
		return tw_error_set(err, TW_EUSAGE, "tw_vars_set_assignment: %s is NULL",
				    vars ? "assignment" : "vars");
	char *copy = strdup(assignment);
	if (!copy)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	char *name, *value;
	const char *why;
	int rc;
	int bad = split(copy, &name, &value, &why);
	if (bad == -2)
		rc = tw_error_set(err, TW_EUSAGE,
				  "--var '%s': '%s' is reserved (%s): choose another name", assignment,
				  name, why);
	else if (bad)
		rc = tw_error_set(err, TW_EUSAGE, "--var '%s': %s", assignment, why);
	else if ((rc = tw_vars_set(vars, name, value, false)))
		tw_error_set(err, rc, "out of memory");
	free(copy);
	return rc;
}

int tw_vars_load_file(tw_vars *vars, const char *path, tw_error *err)
{
	if (!vars || !path)
		return tw_error_set(err, TW_EUSAGE, "tw_vars_load_file: %s is NULL",
				    vars ? "path" : "vars");
	FILE *f = fopen(path, "r");
	if (!f)
		return tw_error_set_at(err, TW_EIO, path, 0, 0, NULL,
				       "cannot open variables file: %s", strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int lineno = 0, rc = TW_OK;
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		char *s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		char *name, *value;
		const char *why;
		int bad = split(s, &name, &value, &why);
		if (bad == -2) {
			rc = tw_error_set_at(err, TW_EUSAGE, path, lineno, 0, NULL,
					     "'%s' is reserved (%s): choose another name", name, why);
			break;
		}
		if (bad) {
			rc = tw_error_set_at(err, TW_EUSAGE, path, lineno, 0, NULL, "%s", why);
			break;
		}
		if ((rc = tw_vars_set(vars, name, value, false))) {
			tw_error_set(err, rc, "out of memory");
			break;
		}
	}
	if (rc == TW_OK && ferror(f))
		rc = tw_error_set_at(err, TW_EIO, path, 0, 0, NULL, "read error: %s",
				     strerror(errno));
	free(line);
	fclose(f);
	return rc;
}
