/*
 * Templates: text with {{...}} references, expanded per performance.
 *
 *   {{name}}          a variable (cast, --var, --vars-file, or a capture)
 *   {{env NAME}}      the environment variable NAME
 *   {{secret NAME}}   the environment variable NAME, redacted in all output
 *   {{seq}}, {{uuid}}, {{random digits 6}}, {{now +1d %Y}}, ...
 *                     a generated value (core/generate.h; issue 13, GEN)
 *
 * Spaces inside the braces are allowed: {{ name }}. "{{" always opens a
 * reference (an unclosed one is an error) unless written "\{{", which
 * stands for a literal "{{" (after an odd run of backslashes: "\\{{x}}"
 * is a backslash, kept, then a reference, as JSON text needs).
 */
#ifndef TW_CORE_TEMPLATE_H
#define TW_CORE_TEMPLATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/generate.h"
#include "techweek/error.h"
#include "techweek/vars.h"

typedef enum tw_ref_kind {
	TW_REF_VAR,
	TW_REF_ENV,
	TW_REF_SECRET,
	TW_REF_GEN, /* issue 13, GEN: name is the whole reference ("random
		       digits 6"), gen what it says */
} tw_ref_kind;

typedef struct tw_ref {
	tw_ref_kind kind;
	const char *name; /* points into the template; not NUL-terminated */
	size_t name_len;
	size_t offset;    /* byte offset of "{{" in the template */
	tw_gen_ref gen;   /* issue 13, GEN: TW_REF_GEN's parsed arguments */
} tw_ref;

/* Calls fn for every reference in tpl, in order; stops early when fn
 * returns non-zero and returns that value. A malformed reference returns
 * TW_ESYNTAX with the message in err and its byte offset in *bad_offset
 * (if not NULL): the "{{", or for a generated value's argument the
 * argument. */
int tw_template_scan(const char *tpl, int (*fn)(const tw_ref *ref, void *ctx),
		     void *ctx, size_t *bad_offset, tw_error *err);

/* True when tpl contains at least one "{{". */
bool tw_template_has_refs(const char *tpl);

typedef enum tw_expand_mode {
	TW_EXPAND_PLAIN, /* values inserted as they are */
	TW_EXPAND_REGEX, /* values inserted so that they match literally */
	TW_EXPAND_JSON,  /* the template is JSON text: a value inside a JSON
			    string is escaped for it; a value outside one goes
			    as written when it is a JSON value (42, true, null,
			    [1], {"a":1}, "s"), else as a JSON string */
} tw_expand_mode;

/* Expands tpl with vars; {{env}} and {{secret}} read getenv; generated
 * values use the tw_gen attached to vars (tw_vars_gen; see
 * core/generate.h for what they are without one). On success
 * *out is malloc'd (caller frees). An unset variable is TW_ECHECK naming it;
 * in TW_EXPAND_JSON a value that is not UTF-8 too.
 * *secret_used (if not NULL) is set true when a secret value went in. */
/* What a template's expanded text reads as where a typed value goes (a
 * json body, an unquoted template after an operator): the JSON value
 * jansson reads from the whole text (5, 8.5, true, null, [1], {"a": 1}),
 * or NULL when it is not JSON, which makes it a string. "007", "+5" and
 * ".5" are strings. A new reference. */
json_t *tw_template_json(const char *text);

int tw_template_expand(const char *tpl, const tw_vars *vars, tw_expand_mode mode,
		       char **out, bool *secret_used, tw_error *err);

/* issue 15, PLAN: a template split once into its text and references,
 * for text every performance expands (a step's URL). Expanding it gives
 * exactly what tw_template_expand gives its text, errors included, in
 * the same order: a malformed reference is kept and fails the expansion
 * where it stands. NULL from tw_template_compile: out of memory. Owned by
 * the caller, freed with tw_template_free; read-only once made, so worker
 * threads share it. */
typedef struct tw_template tw_template;
tw_template *tw_template_compile(const char *tpl);
void tw_template_free(tw_template *t);
/* The text it was compiled from (owned by t). */
const char *tw_template_text(const tw_template *t);
/* The text when it holds no reference at all ("\{{" escapes make it
 * something else: NULL then too), else NULL. Owned by t. */
const char *tw_template_constant(const tw_template *t);
int tw_template_expand_compiled(const tw_template *t, const tw_vars *vars, tw_expand_mode mode,
				char **out, bool *secret_used, tw_error *err);

#endif
