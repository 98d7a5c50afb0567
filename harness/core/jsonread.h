/*
 * Strict reading of a JSON document someone else wrote (a shard's result
 * for techweek merge, a baseline for --baseline): every value is read
 * through one reader that knows the JSON path it is at, so the first
 * problem is reported as "FILE: PATH: expected X, got Y".
 *
 * A reader keeps the path of the value being read ("rehearsals[0].scenes[1]"),
 * extended by tw_jr_push and cut back by tw_jr_pop as it descends, and the
 * first thing missing or malformed, with its path. Reading goes on after a
 * problem with zeros and NULLs, so callers need not check after every
 * value, but nothing read is to be used once tw_jr_failed says so.
 * No allocation: a reader lives on the stack.
 */
#ifndef TW_CORE_JSONREAD_H
#define TW_CORE_JSONREAD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "techweek/error.h"

/* Counts are exact in a double up to 2^53; more is no real run. */
#define TW_JR_MAX_COUNT ((json_int_t)1 << 53)
/* Times (ms or s) up to a few centuries; more is no real run either. */
#define TW_JR_MAX_TIME 1e13

typedef struct tw_jreader {
	const char *file; /* named first in every problem; borrowed */
	char at[512];
	char problem[1024];
} tw_jreader;

bool tw_jr_failed(const tw_jreader *rd);
/* TW_EUSAGE with "FILE: PROBLEM" in err. */
int tw_jr_error(const tw_jreader *rd, tw_error *err);

/* Descends into key (or, with key NULL, index); returns what tw_jr_pop
 * takes to come back. A path too long to hold is cut, not overrun. */
size_t tw_jr_push(tw_jreader *rd, const char *key, size_t index);
void tw_jr_pop(tw_jreader *rd, size_t mark);

/* Records that the value v at the current path is not what was expected
 * (the first problem only): "PATH: expected EXPECTED, got WHAT-V-IS". */
void tw_jr_bad(tw_jreader *rd, const json_t *v, const char *expected_fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Records a problem of the current path's value in words of its own. */
void tw_jr_bad_because(tw_jreader *rd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- the value v at the current path ---- */

json_t *tw_jr_object(tw_jreader *rd, json_t *v, bool nullable);
/* An array of want items (any number when want is SIZE_MAX) named what. */
json_t *tw_jr_array(tw_jreader *rd, json_t *v, size_t want, const char *what, bool nullable);
long long tw_jr_integer(tw_jreader *rd, json_t *v, long long lo, long long hi);
/* A whole number from 0 to TW_JR_MAX_COUNT. */
uint64_t tw_jr_count(tw_jreader *rd, json_t *v);
/* A time or measure: a finite number from lo to TW_JR_MAX_TIME. */
double tw_jr_number(tw_jreader *rd, json_t *v, double lo);
/* A string without NUL bytes (they would cut it short in C), or NULL for
 * null when nullable. */
const char *tw_jr_string(tw_jreader *rd, json_t *v, bool nullable);
bool tw_jr_bool(tw_jreader *rd, json_t *v);

/* ---- the same for obj[key], the path descending into key ---- */

json_t *tw_jr_object_of(tw_jreader *rd, json_t *obj, const char *key, bool nullable);
json_t *tw_jr_array_of(tw_jreader *rd, json_t *obj, const char *key, size_t want,
		       const char *what, bool nullable);
long long tw_jr_integer_of(tw_jreader *rd, json_t *obj, const char *key, long long lo,
			   long long hi);
uint64_t tw_jr_count_of(tw_jreader *rd, json_t *obj, const char *key);
double tw_jr_number_of(tw_jreader *rd, json_t *obj, const char *key, double lo);
const char *tw_jr_string_of(tw_jreader *rd, json_t *obj, const char *key, bool nullable);
/* A malloc'd copy of a string-or-null field; *oom set when out of memory. */
char *tw_jr_dup_string_of(tw_jreader *rd, json_t *obj, const char *key, bool *oom);
bool tw_jr_bool_of(tw_jreader *rd, json_t *obj, const char *key);

/* ---- JSON as a server or a script writes it ---- */

/* json_loadb with flags, except that an integer beyond 64 bits (ids,
 * ledgers) is no error: it reads as a real, and everything else as
 * written (integers of 64 bits exact, 2.0 a real). The one reader of
 * response bodies, JSON in strings, and JSON a script sends. */
json_t *tw_json_parse(const char *text, size_t len, size_t flags, json_error_t *e);

/* A JSON number as jansson holds it: an integer, every one of its 64 bits,
 * or a real. */
typedef struct tw_jnum {
	bool is_int;
	json_int_t i; /* when is_int */
	double d;     /* when not */
} tw_jnum;

/* false when j is no number */
bool tw_jnum_of(const json_t *j, tw_jnum *out);
tw_jnum tw_jnum_real(double d);
/* By value and exactly, an integer against a real too: -1, 0 or 1, or 2
 * when a NaN makes them unordered. */
int tw_jnum_cmp(tw_jnum a, tw_jnum b);

#endif
