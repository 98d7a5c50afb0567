/*
 * The rehearsal parser: source text -> tw_script (language/ast.h).
 *
 * One statement per line; the parser keeps just enough state between lines
 * to know which block it is in and which request the modifier lines
 * (header, query, form, ...) attach to. It stops at the first syntax error
 * (one error per file, like jq): later lines are often nonsense once one
 * line is wrong, and a precise first error is worth more than a list of
 * guesses. The checker (check.h) then reports every problem it can find in
 * a script that parses.
 */
#ifndef TW_LANGUAGE_PARSER_H
#define TW_LANGUAGE_PARSER_H

#include <stdbool.h>
#include <stddef.h>

#include "language/ast.h"
#include "techweek/error.h"

/* Parses len bytes of text (need not be NUL-terminated) named path (used in
 * messages and in every tw_loc; NULL is shown as "<script>"). On success
 * *out is a script to free with tw_script_free. On failure *out is NULL and
 * err says where: TW_ESYNTAX, TW_ELIMIT (size caps) or TW_ENOMEM. */
int tw_parse(tw_script **out, const char *path, const char *text, size_t len,
	     tw_error *err);

/* issue 13, USE: options for tw_parse_with. */
typedef struct tw_parse_opts {
	bool refuse_use; /* a `use` line is a syntax error: nothing else is read
			    (the fuzz harnesses parse text, never files) */
} tw_parse_opts;

/* tw_parse with options (NULL: the defaults, as tw_parse). A `use` line
 * reads its file relative to path's folder. */
int tw_parse_with(tw_script **out, const char *path, const char *text, size_t len,
		  const tw_parse_opts *opts, tw_error *err);

/* issue 13, USE: appends to err's message the uses that led to file (a
 * tw_loc.file of script), innermost first: "\n  used by FILE:LINE:COL".
 * Nothing for the script's own file. TW_ENOMEM when it cannot. */
int tw_use_chain_append(const tw_script *script, const char *file, tw_error *err);

/* The keyword closest to word by edit distance (at most 2, and less than
 * the word's length), or NULL. Shared with the checker's "did you mean". */
const char *tw_parse_suggest(const char *word, const char *const *candidates,
			     size_t count);

/* Damerau-Levenshtein (optimal string alignment) distance, for "did you
 * mean" hints; words longer than 64 bytes give a large number. */
size_t tw_edit_distance(const char *a, const char *b);

#endif
