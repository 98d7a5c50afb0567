/*
 * Strict reading of JSON written by someone else: core/jsonread.h says
 * how. Shared by the reader of JSON results (reports/json_read.c) and the
 * baseline reader (readiness/baseline.c), so both word problems the same
 * way.
 */
#include "core/jsonread.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

int tw_jr_error(const tw_jreader *rd, tw_error *err)
{
	return tw_error_set(err, TW_EUSAGE, "%s: %s", rd->file, rd->problem);
}

bool tw_jr_failed(const tw_jreader *rd)
{
	return rd->problem[0] != '\0';
}

size_t tw_jr_push(tw_jreader *rd, const char *key, size_t index)
{
	size_t mark = strlen(rd->at);
	size_t room = sizeof(rd->at) - mark;
	if (key)
		snprintf(rd->at + mark, room, "%s%s", mark ? "." : "", key);
	else
		snprintf(rd->at + mark, room, "[%zu]", index);
	return mark;
}

void tw_jr_pop(tw_jreader *rd, size_t mark)
{
	rd->at[mark] = '\0';
}

/* What v is, for a message: its type, or its value when it is short. The
 * text of a string is not shown: it may be long, and is the part's own. */
static void describe(const json_t *v, char *buf, size_t size)
{
	if (!v) {
		snprintf(buf, size, "nothing (the key is missing)");
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT: snprintf(buf, size, "an object"); break;
	case JSON_ARRAY: snprintf(buf, size, "an array of %zu", json_array_size(v)); break;
	case JSON_STRING: snprintf(buf, size, "a string"); break;
	case JSON_INTEGER: snprintf(buf, size, "%lld", (long long)json_integer_value(v)); break;
	case JSON_REAL: snprintf(buf, size, "%g", json_real_value(v)); break;
	case JSON_TRUE: snprintf(buf, size, "true"); break;
	case JSON_FALSE: snprintf(buf, size, "false"); break;
	case JSON_NULL: snprintf(buf, size, "null"); break;
	}
}

void tw_jr_bad(tw_jreader *rd, const json_t *v, const char *expected_fmt, ...)
{
	if (tw_jr_failed(rd))
		return;
	char expected[256], got[96];
	va_list ap;
	va_start(ap, expected_fmt);
	vsnprintf(expected, sizeof(expected), expected_fmt, ap);
	va_end(ap);
	describe(v, got, sizeof(got));
	snprintf(rd->problem, sizeof(rd->problem), "%s: expected %s, got %s",
		 rd->at[0] ? rd->at : "(the document)", expected, got);
}

void tw_jr_bad_because(tw_jreader *rd, const char *fmt, ...)
{
	if (tw_jr_failed(rd))
		return;
	char why[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(rd->problem, sizeof(rd->problem), "%s: %s", rd->at[0] ? rd->at : "(the document)",
		 why);
}

/* ---- values at the current path ---- */

json_t *tw_jr_object(tw_jreader *rd, json_t *v, bool nullable)
{
	if (json_is_object(v))
		return v;
	if (!(nullable && json_is_null(v)))
		tw_jr_bad(rd, v, nullable ? "an object or null" : "an object");
	return NULL;
}

/* An array of want items (any number when want is SIZE_MAX) named what. */
json_t *tw_jr_array(tw_jreader *rd, json_t *v, size_t want, const char *what, bool nullable)
{
	if (json_is_array(v) && (want == SIZE_MAX || json_array_size(v) == want))
		return v;
	if (nullable && json_is_null(v))
		return NULL;
	if (want == SIZE_MAX) {
		tw_jr_bad(rd, v, "an array of %s%s", what, nullable ? " or null" : "");
	} else if (!tw_jr_failed(rd)) {
		tw_jr_bad(rd, v, "an array of %zu %s", want, what);
		if (json_is_array(v))
			strncat(rd->problem, ": has the script changed since the run?",
				sizeof(rd->problem) - strlen(rd->problem) - 1);
	}
	return NULL;
}

long long tw_jr_integer(tw_jreader *rd, json_t *v, long long lo, long long hi)
{
	if (json_is_integer(v) && json_integer_value(v) >= lo && json_integer_value(v) <= hi)
		return (long long)json_integer_value(v);
	tw_jr_bad(rd, v, "a whole number from %lld to %lld", lo, hi);
	return 0;
}

uint64_t tw_jr_count(tw_jreader *rd, json_t *v)
{
	return (uint64_t)tw_jr_integer(rd, v, 0, TW_JR_MAX_COUNT);
}

/* A time or measure: a finite number from lo. */
double tw_jr_number(tw_jreader *rd, json_t *v, double lo)
{
	if (json_is_number(v)) {
		double d = json_number_value(v);
		if (d >= lo && d <= TW_JR_MAX_TIME)
			return d;
	}
	tw_jr_bad(rd, v, "a number from %g to %g", lo, TW_JR_MAX_TIME);
	return 0;
}

/* A string without NUL bytes (they would cut it short in C), or NULL for
 * null when nullable. */
const char *tw_jr_string(tw_jreader *rd, json_t *v, bool nullable)
{
	if (json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v))
		return json_string_value(v);
	if (!(nullable && json_is_null(v)))
		tw_jr_bad(rd, v, nullable ? "a string or null" : "a string");
	return NULL;
}

bool tw_jr_bool(tw_jreader *rd, json_t *v)
{
	if (!json_is_boolean(v))
		tw_jr_bad(rd, v, "true or false");
	return json_is_true(v);
}

/* ---- the same, for obj[key] ---- */

json_t *tw_jr_object_of(tw_jreader *rd, json_t *obj, const char *key, bool nullable)
{
	size_t m = tw_jr_push(rd, key, 0);
	json_t *v = tw_jr_object(rd, json_object_get(obj, key), nullable);
	tw_jr_pop(rd, m);
	return v;
}

json_t *tw_jr_array_of(tw_jreader *rd, json_t *obj, const char *key, size_t want, const char *what,
			bool nullable)
{
	size_t m = tw_jr_push(rd, key, 0);
	json_t *v = tw_jr_array(rd, json_object_get(obj, key), want, what, nullable);
	tw_jr_pop(rd, m);
	return v;
}

long long tw_jr_integer_of(tw_jreader *rd, json_t *obj, const char *key, long long lo, long long hi)
{
	size_t m = tw_jr_push(rd, key, 0);
	long long v = tw_jr_integer(rd, json_object_get(obj, key), lo, hi);
	tw_jr_pop(rd, m);
	return v;
}

uint64_t tw_jr_count_of(tw_jreader *rd, json_t *obj, const char *key)
{
	size_t m = tw_jr_push(rd, key, 0);
	uint64_t v = tw_jr_count(rd, json_object_get(obj, key));
	tw_jr_pop(rd, m);
	return v;
}

double tw_jr_number_of(tw_jreader *rd, json_t *obj, const char *key, double lo)
{
	size_t m = tw_jr_push(rd, key, 0);
	double v = tw_jr_number(rd, json_object_get(obj, key), lo);
	tw_jr_pop(rd, m);
	return v;
}

const char *tw_jr_string_of(tw_jreader *rd, json_t *obj, const char *key, bool nullable)
{
	size_t m = tw_jr_push(rd, key, 0);
	const char *v = tw_jr_string(rd, json_object_get(obj, key), nullable);
	tw_jr_pop(rd, m);
	return v;
}

/* A malloc'd copy of a string-or-null field; *oom set when out of memory. */
char *tw_jr_dup_string_of(tw_jreader *rd, json_t *obj, const char *key, bool *oom)
{
	const char *s = tw_jr_string_of(rd, obj, key, true);
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		*oom = true;
	return d;
}

bool tw_jr_bool_of(tw_jreader *rd, json_t *obj, const char *key)
{
	size_t m = tw_jr_push(rd, key, 0);
	bool v = tw_jr_bool(rd, json_object_get(obj, key));
	tw_jr_pop(rd, m);
	return v;
}
/* ---- JSON as a server or a script writes it ---- */

/* An integer token ([-]digits) that jansson refuses: it reads integers
 * with strtoll, so the same rule. */
static bool beyond_64_bits(const char *s, size_t n)
{
	char buf[32];
	if (n >= sizeof(buf))
		return true;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	(void)strtoll(buf, NULL, 10);
	return errno == ERANGE;
}

/* jansson has no hook for numbers, and JSON_DECODE_INT_AS_REAL would make
 * every integer a double (64-bit ids lose digits, 2.0 and 2 become one).
 * So only the integers it refuses are written as reals ("...890.0"); the
 * scan skips strings, and tells integers from reals by '.', 'e', 'E'. */
json_t *tw_json_parse(const char *text, size_t len, size_t flags, json_error_t *e)
{
	/* jansson sets no error code when memory runs out: zeroed, it reads
	 * as json_error_unknown, never as an overflow. */
	*e = (json_error_t){0};
	json_t *v = json_loadb(text, len, flags, e);
	if (v || json_error_code(e) != json_error_numeric_overflow)
		return v;
	tw_buf b;
	/* Each rewrite adds 2 bytes to a token of 20 or more. */
	tw_buf_init(&b, len + len / 8 + 2);
	size_t i = 0, from = 0;
	bool changed = false;
	while (i < len) {
		char c = text[i];
		if (c == '"') {
			for (i++; i < len && text[i] != '"'; i++)
				if (text[i] == '\\')
					i++;
			i++;
			continue;
		}
		if (c != '-' && !isdigit((unsigned char)c)) {
			i++;
			continue;
		}
		size_t start = i;
		if (c == '-')
			i++;
		size_t digits = i;
		while (i < len && isdigit((unsigned char)text[i]))
			i++;
		if (i < len && (text[i] == '.' || text[i] == 'e' || text[i] == 'E')) {
			while (i < len && (isdigit((unsigned char)text[i]) || strchr(".eE+-", text[i])))
				i++;
			continue;
		}
		if (i > digits && beyond_64_bits(text + start, i - start)) {
			tw_buf_append(&b, text + from, i - from);
			tw_buf_append(&b, ".0", 2);
			from = i;
			changed = true;
		}
	}
	if (!changed) {
		tw_buf_free(&b);
		return NULL;
	}
	tw_buf_append(&b, text + from, len - from);
	if (tw_buf_failed(&b)) {
		tw_buf_free(&b);
		/* As jansson says it: its code is the text's last byte. */
		*e = (json_error_t){.line = -1, .column = -1};
		snprintf(e->text, JSON_ERROR_TEXT_LENGTH - 1, "out of memory");
		e->text[JSON_ERROR_TEXT_LENGTH - 1] = (char)json_error_out_of_memory;
		return NULL;
	}
	v = json_loadb(tw_buf_str(&b), b.len, flags, e);
	tw_buf_free(&b);
	/* Something else is wrong: said where it is in the text as given,
	 * which a parse with every integer a real stumbles on too. */
	if (!v)
		json_decref(json_loadb(text, len, flags | JSON_DECODE_INT_AS_REAL, e));
	return v;
}

bool tw_jnum_of(const json_t *j, tw_jnum *out)
{
	if (json_is_integer(j))
		*out = (tw_jnum){.is_int = true, .i = json_integer_value(j)};
	else if (json_is_real(j))
		*out = tw_jnum_real(json_real_value(j));
	else
		return false;
	return true;
}

tw_jnum tw_jnum_real(double d)
{
	return (tw_jnum){.d = d};
}

/* i against d, exactly: a double of 2^63 or more is beyond any integer,
 * and below that its whole part is an integer too. */
static int int_vs_real(json_int_t i, double d)
{
	if (isnan(d))
		return 2;
	if (d >= 0x1p63)
		return -1;
	if (d < -0x1p63)
		return 1;
	double whole = trunc(d);
	json_int_t w = (json_int_t)whole;
	if (i != w)
		return i < w ? -1 : 1;
	return d > whole ? -1 : d < whole ? 1 : 0;
}

int tw_jnum_cmp(tw_jnum a, tw_jnum b)
{
	if (a.is_int && b.is_int)
		return a.i < b.i ? -1 : a.i > b.i;
	if (a.is_int)
		return int_vs_real(a.i, b.d);
	if (b.is_int) {
		int c = int_vs_real(b.i, a.d);
		return c == 2 ? 2 : -c;
	}
	if (isnan(a.d) || isnan(b.d))
		return 2;
	return a.d < b.d ? -1 : a.d > b.d;
}
