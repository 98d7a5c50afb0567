/*
 * Variables: the values `{{name}}` stands for. A tw_vars is an ordered map
 * of name -> value; a value may be marked secret, which makes every report
 * print *** in its place.
 */
#ifndef TECHWEEK_VARS_H
#define TECHWEEK_VARS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct tw_vars tw_vars;

/* Returns a new empty set, or NULL on out of memory. Free with tw_vars_free. */
TW_EXTERN(tw_vars *) tw_vars_new(void);
/* A new empty set that reads through to base for the names it does not
 * hold itself; setting a name shadows base, never changes it. base is
 * borrowed (it must outlive the set and stay unchanged), so many sets can
 * share one large base without copying it. */
TW_EXTERN(tw_vars *) tw_vars_new_over(const tw_vars *base);
TW_EXTERN(void) tw_vars_free(tw_vars *vars);

/* Sets (or replaces) name; name and value are copied (value NULL: "").
 * TW_OK; TW_ENOMEM; TW_EUSAGE for a NULL vars or name. */
TW_EXTERN(int) tw_vars_set(tw_vars *vars, const char *name, const char *value, bool secret);

/* The value of name, owned by vars and valid until it is next changed; NULL
 * when unset. *secret (if not NULL) tells whether the value is secret. */
TW_EXTERN(const char *) tw_vars_get(const tw_vars *vars, const char *name, bool *secret);

/* The set's own entries: a base's are not counted. */
TW_EXTERN(size_t) tw_vars_count(const tw_vars *vars);
/* The i-th own entry in insertion order; strings owned by vars. Past the
 * end (or NULL vars): NULL strings, not secret. */
TW_EXTERN(void) tw_vars_at(const tw_vars *vars, size_t i, const char **name,
			   const char **value, bool *secret);

/* Copies every own entry of src into dst (replacing same names). */
TW_EXTERN(int) tw_vars_merge(tw_vars *dst, const tw_vars *src);

/* Parses "NAME=VALUE" (from --var) into vars. */
TW_EXTERN(int) tw_vars_set_assignment(tw_vars *vars, const char *assignment, tw_error *err);

/* Loads a variables file: one NAME=VALUE per line, blank lines and lines
 * starting with # ignored, surrounding whitespace trimmed, a value may be
 * "double quoted". Errors name path:line. */
TW_EXTERN(int) tw_vars_load_file(tw_vars *vars, const char *path, tw_error *err);

/* True when name is a valid variable name: [A-Za-z_][A-Za-z0-9_.-]* */
TW_EXTERN(bool) tw_vars_valid_name(const char *name);

#endif
