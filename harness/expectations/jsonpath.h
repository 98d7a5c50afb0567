/*
 * JSON queries in the JSONPath style, the subset rehearsals need:
 *   $            the root
 *   .name        a member (name: letters, digits, _ and -)
 *   ['name']     a member by any name ("double" quotes too)
 *   [N]          an array element; negative N counts from the end
 *   [*] .*       every element / member
 *   ..name       every member called name, at any depth
 *   [0:2] [::-1] a slice start:end:step (RFC 9535 bounds)
 *   [0,2] ['a','b']  a union: each selector in turn
 *   [?(@.id == 1)]   a filter (also written [?@.id == 1]): the elements
 *                or members for which it holds; == != < <= > >=, &&, ||,
 *                !, parentheses, @path / $path, numbers, 'strings',
 *                "strings", true, false, null; a path alone tests that
 *                it selects something
 */
#ifndef TW_EXPECT_JSONPATH_H
#define TW_EXPECT_JSONPATH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "techweek/error.h"

typedef struct tw_json_matches {
	json_t **items; /* borrowed from the queried document; array owned */
	size_t count;
	size_t cap;
} tw_json_matches;

/* Appends every value query selects in root to out (document order).
 * A malformed query is TW_ESYNTAX: "unexpected ']' at offset 5 in $.a]". */
int tw_jsonpath_eval(const char *query, json_t *root, tw_json_matches *out,
		     tw_error *err);
void tw_json_matches_free(tw_json_matches *m);

/* A query parsed once, to select from many documents: what an expectation
 * whose query has no template keeps for the whole run. Read-only once
 * compiled, so threads may share it. */
typedef struct tw_jsonpath tw_jsonpath;

/* Parses query (errors as tw_jsonpath_eval's; a syntax error's err->col is
 * the 1-based column in the query). Free with tw_jsonpath_free. */
int tw_jsonpath_compile(tw_jsonpath **out, const char *query, tw_error *err);
/* tw_jsonpath_eval with the query already parsed. */
int tw_jsonpath_select(const tw_jsonpath *jp, json_t *root, tw_json_matches *out,
		       tw_error *err);
void tw_jsonpath_free(tw_jsonpath *jp);
/* True when the query can select at most one value (names and indexes
 * only, no `..`): RFC 9535's singular query. Another query's result is a
 * list, however many it selects. */
bool tw_jsonpath_singular(const tw_jsonpath *jp);

#endif
