/*
 * Expectations: the verdict on one `expect` line against the customer's
 * last response. An expectation never errors on what the service sent: a
 * missing header, a body that is not JSON, a regex that gives up, all are
 * failed outcomes whose one-line message says what was expected and what
 * came back. Only running out of memory is an error.
 *
 * How a verdict is reached:
 *
 *   1. Templates. ex->arg and a STRING value are expanded with the
 *      performance's variables (TW_EXPAND_PLAIN); a REGEX pattern with
 *      TW_EXPAND_REGEX, so substituted values match literally. An expansion
 *      error (unset variable...) is a failed outcome with its message.
 *
 *   2. The actual value, read from the response by subject
 *      (expectations/subject.c: status, header, text, body, title, url,
 *      xpath, json, cookie, time, and the call's given values), or its
 *      absence with the reason.
 *
 *   3. The operator:
 *      == !=    type-aware. JSON numbers compare numerically (8.5 == 8.50);
 *               JSON strings exactly; true, false and null only equal the
 *               JSON value of that type. A STRING value against a JSON
 *               number, boolean or null compares with its text (or
 *               numerically when the string is a number), so
 *               `json $.id == {{order}}` holds for 1001 with order="1001".
 *               A NUMBER value against text (a header, the text, an xpath
 *               string) compares numerically when the text is a number. A
 *               NUMBER value never equals a JSON string.
 *      < <= > >= both sides must be numbers (a duration is a number of
 *               ms); text that reads as a number counts, a JSON string
 *               does not. Anything else fails, saying which side is not a
 *               number.
 *      contains a substring of the actual's text; on a list (JSON, a
 *               header sent several times) an element equal to the value
 *      ~        PCRE2 on the actual's text (UTF-8 required); on a list,
 *               any of its strings
 *      contains, ~, starts with and ends with fail "not a string" on a
 *               JSON number, boolean or object (and all but contains and ~
 *               on a list): a JSON value's spelling is not its text
 *      exists   the actual is there: a header or cookie even if empty, a
 *               query that selects something (a JSON null counts), a
 *               non-empty text, body, title or xpath string, a true xpath
 *               boolean, an xpath number other than NaN
 *      not exists  the opposite
 *
 *   String forms, for captures and reports: text as it is;
 *   JSON strings without quotes, numbers as written (integers exactly,
 *   reals in the shortest form that reads back the same: 8.50 -> "8.5"),
 *   true, false, null, objects and arrays as compact JSON; xpath numbers
 *   the same way ("NaN", "Infinity"); times in whole milliseconds.
 *
 *   4. The capture (`as NAME`), only when the expectation holds: for ~,
 *      group 1 of the match, or the whole match when the pattern has no
 *      group; otherwise the actual's full string form (for `count` the
 *      count, for `not exists` the empty string).
 *
 * Messages are one line. Values inside them are cut to MSG_EXCERPT bytes
 * (secrets masked first, so a cut never leaves part of one);
 * outcome->actual holds a longer excerpt (TW_EXCERPT_MAX) of what came back,
 * and outcome->expected the expectation's right-hand side as written with
 * its templates expanded.
 *
 * Regex, XPath and JSON queries written without templates come compiled
 * once for the whole run (ex->code, expectations/compiled.h); templated
 * ones are compiled per evaluation, after expansion.
 */
/* memmem: glibc's is linear-time (two-way), which matters when a script's
 * needle meets an 8 MiB hostile body. */
#define _GNU_SOURCE
#include "expectations/expect.h"
#include "expectations/expect_internal.h"

#include <ctype.h>
#include <errno.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>
#include <libxml/xpath.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "channels/web/html.h"
#include "core/buf.h"
#include "core/redact.h"
#include "core/jsonread.h"
#include "core/number.h"
#include "core/template.h"
#include "expectations/compiled.h"
#include "expectations/jsonpath.h"
#include "expectations/regex.h"

#define ELLIPSIS "\xe2\x80\xa6"   /* … */
#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD for bytes that are not UTF-8 */

/* ---- small helpers ---- */

static char *vformat(eval *ev, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (!s) {
		ev->oom = true;
		return NULL;
	}
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

char *tw_expect_format(eval *ev, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = vformat(ev, fmt, ap);
	va_end(ap);
	return s;
}

char *tw_expect_copy(eval *ev, const char *s, size_t len)
{
	char *c = malloc(len + 1);
	if (!c) {
		ev->oom = true;
		return NULL;
	}
	if (len)
		memcpy(c, s, len);
	c[len] = '\0';
	return c;
}

char *tw_expect_excerpt(eval *ev, const char *s, size_t len, const char *focus, size_t max)
{
	if (ev->whole) /* issue 14, CLOCK */
		max = TW_EXPECT_WHOLE_MAX;
	char *e = tw_excerpt(s, len, focus, max, ev->redact);
	if (!e)
		ev->oom = true;
	return e;
}

/* Sets the outcome once; takes ownership of actual_text. */
void tw_expect_decide(eval *ev, bool passed, char *actual_text, const char *fmt, ...)
{
	if (ev->done) {
		free(actual_text);
		return;
	}
	ev->done = true;
	tw_expect_outcome *out = ev->out;
	out->passed = passed;
	if (ev->brief) {
		free(actual_text);
		return;
	}
	out->actual = actual_text;
	if (ev->expected && !(out->expected = strdup(ev->expected)))
		ev->oom = true;
	va_list ap;
	va_start(ap, fmt);
	out->message = vformat(ev, fmt, ap);
	va_end(ap);
}

/* A number as a person writes it: integers without a point, other values
 * in the shortest form that reads back the same. */
void tw_expect_format_number(double v, char *buf, size_t n)
{
	if (isnan(v)) {
		snprintf(buf, n, "NaN");
	} else if (isinf(v)) {
		snprintf(buf, n, v > 0 ? "Infinity" : "-Infinity");
	} else if (v == 0) {
		snprintf(buf, n, "0");
	} else if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(buf, n, "%.0f", v);
	} else {
		for (int prec = 15; prec <= 17; prec++) {
			snprintf(buf, n, "%.*g", prec, v);
			if (strtod(buf, NULL) == v)
				break;
		}
	}
}

/* Text that reads as a number: one reader with toInt and toFloat. */
static bool parse_number(const char *s, size_t len, double *out)
{
	return tw_number_text(s, len, out);
}

static bool bytes_equal(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);
	return alen == blen && memcmp(a, b, alen) == 0;
}

/* Text that reads as a number, an integer of 64 bits exactly: ids beyond
 * 2^53 differ from their neighbours in a double's rounding. */
static bool text_number(const char *s, size_t len, tw_jnum *out)
{
	double d;
	if (!parse_number(s, len, &d))
		return false;
	*out = tw_jnum_real(d);
	char buf[32], *end;
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	if (len >= sizeof(buf))
		return true;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	long long i = strtoll(buf, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	if (errno == 0 && *end == '\0')
		*out = (tw_jnum){.is_int = true, .i = i};
	return true;
}

/* The value as written: 1234567890123456789 exactly, not as its double. */
static tw_jnum value_number(const tw_value *v)
{
	tw_jnum n;
	if (v->kind == TW_VAL_NUMBER && v->text && text_number(v->text, strlen(v->text), &n))
		return n;
	return tw_jnum_real(v->number);
}

/* ---- rendering ---- */

static size_t utf8_seq(const unsigned char *s, size_t n);

/*
 * A value in double quotes, exactly: secrets masked, a newline, tab or
 * carriage return as \n \t \r, another control character as the script
 * writes it (\u{1}), a byte that is not UTF-8 as \xff; cut at max bytes
 * with "…". Blanks are kept as they are, so two values that differ never
 * look alike.
 */
static size_t escape_into(eval *ev, tw_buf *b, const char *s, size_t len, size_t limit,
			  size_t *at)
{
	size_t used = 0, i = 0;
	while (i < len) {
		const unsigned char *c = (const unsigned char *)s + i;
		size_t secret = tw_redact_span(ev->redact, s, len, i);
		size_t n = secret ? 0 : utf8_seq(c, len - i);
		char piece[16];
		const char *p = piece;
		if (secret)
			p = TW_REDACTED;
		else if (*c == '\n')
			p = "\\n";
		else if (*c == '\t')
			p = "\\t";
		else if (*c == '\r')
			p = "\\r";
		else if (n == 1 && (*c < 0x20 || *c == 0x7f))
			snprintf(piece, sizeof(piece), "\\u{%x}", *c);
		else if (n == 0)
			snprintf(piece, sizeof(piece), "\\x%02x", *c);
		else
			memcpy(piece, c, n), piece[n] = '\0';
		size_t plen = strlen(p);
		if (used + plen > limit)
			break;
		if (b)
			tw_buf_append(b, p, plen);
		used += plen;
		i += secret ? secret : n ? n : 1;
	}
	*at = i;
	return used;
}

static char *quoted(eval *ev, const char *s, size_t len, size_t max)
{
	if (ev->whole) /* issue 14, CLOCK */
		max = TW_EXPECT_WHOLE_MAX;
	const size_t ell = sizeof(ELLIPSIS) - 1;
	size_t at;
	/* Whole when it fits; else cut so that "…" fits too. */
	escape_into(ev, NULL, s, len, max, &at);
	size_t limit = at < len && max > ell ? max - ell : max;
	tw_buf b;
	tw_buf_init(&b, max + 32);
	tw_buf_puts(&b, "\"");
	escape_into(ev, &b, s, len, limit, &at);
	if (at < len)
		tw_buf_puts(&b, ELLIPSIS);
	tw_buf_puts(&b, "\"");
	char *q = tw_buf_steal(&b);
	if (!q)
		ev->oom = true;
	return q;
}

static void type_text(tw_value *v, const char *text);
static char *render_one(eval *ev, const tw_value *v, const char *want);

/* [5, "a", null]: each item rendered, its templates expanded (one that
 * does not expand shown as written: the verdict says why). */
static char *render_list(eval *ev, const tw_value *v)
{
	tw_buf b;
	tw_buf_init(&b, 64 * 1024);
	tw_buf_puts(&b, "[");
	for (size_t i = 0; i < v->item_count; i++) {
		const tw_value *it = &v->items[i];
		tw_value typed = *it;
		char *text = NULL;
		if ((it->kind == TW_VAL_STRING || it->kind == TW_VAL_TEMPLATE) &&
		    tw_template_expand(it->text, ev->vars, TW_EXPAND_PLAIN, &text, NULL, NULL) ==
			    TW_OK &&
		    it->kind == TW_VAL_TEMPLATE)
			type_text(&typed, text);
		if (typed.kind == TW_VAL_NUMBER)
			typed.text = NULL; /* the shortest form, not the parser's %.17g */
		char *one = render_one(ev, &typed, text ? text : it->text ? it->text : "");
		tw_buf_printf(&b, "%s%s", i ? ", " : "", one ? one : "");
		free(one);
		free(text);
	}
	tw_buf_puts(&b, "]");
	char *r = tw_buf_steal(&b);
	if (!r)
		ev->oom = true;
	return r;
}

/* A value as the script gave it, templates expanded (want: its text):
 * "baking" with quotes, 200, 800ms, /order (\d+)/i, true, null,
 * [1, "a"], string. */
static char *render_one(eval *ev, const tw_value *v, const char *want)
{
	char buf[64];
	switch (v->kind) {
	case TW_VAL_NONE: return tw_expect_format(ev, "%s", "");
	case TW_VAL_STRING:
	case TW_VAL_TEMPLATE:
		return quoted(ev, want, strlen(want), TW_EXCERPT_MAX);
	case TW_VAL_NUMBER:
		if (v->text)
			return tw_expect_format(ev, "%s%s", v->text,
						ev->ex->subject == TW_SUBJ_TIME ? "ms" : "");
		tw_expect_format_number(v->number, buf, sizeof(buf));
		return tw_expect_format(ev, "%s%s", buf,
					ev->ex->subject == TW_SUBJ_TIME ? "ms" : "");
	case TW_VAL_DURATION:
		if (v->text)
			return tw_expect_format(ev, "%s", v->text);
		tw_expect_format_number(v->number, buf, sizeof(buf));
		return tw_expect_format(ev, "%sms", buf);
	case TW_VAL_BOOL: return tw_expect_format(ev, "%s", v->boolean ? "true" : "false");
	case TW_VAL_NULL: return tw_expect_format(ev, "null");
	case TW_VAL_REGEX:
		return tw_expect_format(ev, "/%s/%s", want, v->flags ? v->flags : "");
	case TW_VAL_LIST:
		return render_list(ev, v);
	case TW_VAL_TYPE: return tw_expect_format(ev, "%s", v->text ? v->text : "");
	}
	return tw_expect_format(ev, "?");
}

static char *render_value(eval *ev)
{
	return render_one(ev, &ev->val, ev->want ? ev->want : "");
}

/* The type a value is, in messages: `"2" (string)`. NULL for `is`'s type
 * name, which is no value. */
static const char *value_type(const tw_value *v)
{
	switch (v->kind) {
	case TW_VAL_STRING:
	case TW_VAL_TEMPLATE: return "string";
	case TW_VAL_NUMBER: return v->number == floor(v->number) ? "integer" : "number";
	case TW_VAL_DURATION: return "duration";
	case TW_VAL_BOOL: return "boolean";
	case TW_VAL_NULL: return "null";
	case TW_VAL_REGEX: return "regex";
	case TW_VAL_LIST: return "list";
	case TW_VAL_NONE:
	case TW_VAL_TYPE: return NULL;
	}
	return NULL;
}

static const char *json_type_name(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	case JSON_NULL: return "null";
	case JSON_ARRAY: return "list";
	case JSON_OBJECT: return "object";
	}
	return "?";
}

/* The type of what came back: JSON keeps its own; status, counts and
 * XPath numbers are numbers; headers, text, titles and variables are
 * strings. */
/* A type as shown for a value a filter derived from a secret. */
static const char *secret_type(const char *type)
{
	static const char *const derived[][2] = {
		{"string", "string, derived from a secret"},
		{"integer", "integer, derived from a secret"},
		{"number", "number, derived from a secret"},
		{"boolean", "boolean, derived from a secret"},
		{"list", "list, derived from a secret"},
		{"object", "object, derived from a secret"},
		{"null", "null, derived from a secret"},
	};
	for (size_t i = 0; i < sizeof(derived) / sizeof(derived[0]); i++)
		if (strcmp(type, derived[i][0]) == 0)
			return derived[i][1];
	return "derived from a secret";
}

static const char *actual_type_of(eval *ev);

static const char *actual_type(eval *ev)
{
	const char *t = actual_type_of(ev);
	return ev->act.secret ? secret_type(t) : t;
}

static const char *actual_type_of(eval *ev)
{
	const actual *a = &ev->act;
	if (ev->ex->subject == TW_SUBJ_TIME && !ev->ex->count)
		return "duration";
	if (a->bytes)
		return "bytes";
	if (a->date)
		return "date";
	switch (a->kind) {
	case ACT_STRING: return "string";
	case ACT_NUMBER: return a->number == floor(a->number) ? "integer" : "number";
	case ACT_BOOL: return "boolean";
	case ACT_JSON: return json_type_name(a->json);
	}
	return "?";
}

/* The actual inside a message: 404, "cold", 1234ms, [1,2]. */
static char *render_actual(eval *ev)
{
	const actual *a = &ev->act;
	if (a->secret)
		return tw_expect_format(ev, TW_REDACTED);
	if (ev->ex->subject == TW_SUBJ_TIME && !ev->ex->count)
		return tw_expect_format(ev, "%sms", a->str);
	if (ev->ex->subject == TW_SUBJ_STATUS && a->number == 0)
		return tw_expect_format(ev, "0 (no response)");
	if (a->date)
		return tw_expect_format(ev, "%.*s", (int)a->len, a->str);
	if (a->kind == ACT_STRING || (a->kind == ACT_JSON && json_is_string(a->json)))
		return quoted(ev, a->str, a->len, MSG_EXCERPT);
	return tw_expect_excerpt(ev, a->str, a->len, NULL, MSG_EXCERPT);
}

/* outcome->actual: a longer excerpt of the string form. */
static char *actual_field(eval *ev, const char *focus)
{
	if (ev->act.secret)
		return tw_expect_format(ev, TW_REDACTED);
	if (ev->ex->subject == TW_SUBJ_TIME && !ev->ex->count)
		return tw_expect_format(ev, "%sms", ev->act.str);
	return tw_expect_excerpt(ev, ev->act.str, ev->act.len, focus, TW_EXCERPT_MAX);
}

/* " (the first of 3 matches)" when a query selected several values and
 * only the first was judged. */
static const char *first_of(eval *ev, char *buf, size_t n)
{
	buf[0] = '\0';
	/* A JSON query's several matches are judged as one list. */
	if (!ev->ex->count && ev->act.matches > 1 && ev->ex->subject != TW_SUBJ_JSON)
		snprintf(buf, n, " (the first of %zu matches)", ev->act.matches);
	return buf;
}

/* ---- judging ---- */

static bool exists(const actual *a)
{
	if (!a->present)
		return false;
	switch (a->kind) {
	case ACT_BOOL: return a->boolean;
	case ACT_NUMBER: return !isnan(a->number);
	case ACT_STRING: return a->len > 0 || !a->empty_is_absent;
	case ACT_JSON: return true;
	}
	return true;
}

/* Equality with types: a string equals only a string (text subjects are
 * strings, but a number compares with text that reads as one), a number a
 * number, true, false and null only themselves. want is v's text. */
static bool equals(const actual *a, const tw_value *v, const char *want)
{
	tw_jnum n;
	switch (v->kind) {
	case TW_VAL_NUMBER:
	case TW_VAL_DURATION:
		if (a->kind == ACT_NUMBER)
			return tw_jnum_cmp(tw_jnum_real(a->number), value_number(v)) == 0;
		if (a->kind == ACT_JSON)
			return tw_jnum_of(a->json, &n) && tw_jnum_cmp(n, value_number(v)) == 0;
		if (a->kind == ACT_STRING && text_number(a->str, a->len, &n))
			return tw_jnum_cmp(n, value_number(v)) == 0;
		return a->kind == ACT_STRING && v->text && bytes_equal(a->str, a->len, v->text);
	case TW_VAL_STRING:
	case TW_VAL_TEMPLATE:
		if (a->kind == ACT_JSON)
			return json_is_string(a->json) &&
			       bytes_equal(json_string_value(a->json), json_string_length(a->json),
					   want);
		return a->kind == ACT_STRING && bytes_equal(a->str, a->len, want);
	case TW_VAL_BOOL:
		if (a->kind == ACT_BOOL)
			return a->boolean == v->boolean;
		if (a->kind == ACT_JSON)
			return json_is_boolean(a->json) && json_is_true(a->json) == v->boolean;
		if (a->kind == ACT_STRING)
			return bytes_equal(a->str, a->len, v->boolean ? "true" : "false");
		return false;
	case TW_VAL_NULL:
		return a->kind == ACT_JSON && json_is_null(a->json);
	case TW_VAL_NONE:
	case TW_VAL_REGEX:
	case TW_VAL_LIST:
	case TW_VAL_TYPE:
		return false;
	}
	return false;
}

/* An element of a JSON list, as an actual of its own. */
static actual element(json_t *j)
{
	actual e = {.present = true, .kind = ACT_JSON, .json = j, .str = ""};
	if (json_is_string(j)) {
		e.str = json_string_value(j);
		e.len = json_string_length(j);
	}
	return e;
}

/* A text value the way a template in it reads, by the rule a json body
 * uses (tw_template_json): 3 a number, true a boolean, null null,
 * anything else ("007", "+5", a list) a string. */
static void type_text(tw_value *v, const char *text)
{
	json_t *j = tw_template_json(text);
	if (json_is_number(j)) {
		v->kind = TW_VAL_NUMBER;
		v->number = json_number_value(j);
		v->text = (char *)text;
	} else if (json_is_boolean(j)) {
		v->kind = TW_VAL_BOOL;
		v->boolean = json_is_true(j);
	} else if (json_is_null(j)) {
		v->kind = TW_VAL_NULL;
	} else {
		v->kind = TW_VAL_STRING;
	}
	json_decref(j);
}

/* Whether the actual equals one of the list's values; false with
 * ev->done set when a template in it does not expand. */
static bool in_list(eval *ev, const actual *a)
{
	const tw_value *v = &ev->val;
	for (size_t i = 0; i < v->item_count; i++) {
		const tw_value *it = &v->items[i];
		if (it->kind != TW_VAL_STRING && it->kind != TW_VAL_TEMPLATE) {
			if (equals(a, it, it->text ? it->text : ""))
				return true;
			continue;
		}
		char *text = NULL;
		tw_error err = {0};
		int rc = tw_template_expand(it->text, ev->vars, TW_EXPAND_PLAIN, &text, NULL, &err);
		tw_value typed = *it;
		if (rc == TW_OK && it->kind == TW_VAL_TEMPLATE)
			type_text(&typed, text);
		bool eq = rc == TW_OK && equals(a, &typed, text);
		if (rc == TW_ENOMEM)
			ev->oom = true;
		else if (rc)
			tw_expect_decide(ev, false, NULL, "%s",
					 err.message ? err.message : "a template does not expand");
		tw_error_clear(&err);
		free(text);
		if (rc || eq)
			return eq;
	}
	return false;
}

static bool actual_number(const actual *a, tw_jnum *n)
{
	switch (a->kind) {
	case ACT_NUMBER:
		*n = tw_jnum_real(a->number);
		return true;
	case ACT_JSON:
		if (tw_jnum_of(a->json, n))
			return true;
		/* Text that reads as a number counts, JSON's too ("3.14"). */
		return json_is_string(a->json) &&
		       text_number(json_string_value(a->json), json_string_length(a->json), n);
	case ACT_STRING:
		return text_number(a->str, a->len, n);
	case ACT_BOOL:
		return false;
	}
	return false;
}

static bool actual_string(const actual *a, const char **s, size_t *len)
{
	if (a->kind == ACT_STRING) {
		*s = a->str;
		*len = a->len;
		return true;
	}
	if (a->kind == ACT_JSON && json_is_string(a->json)) {
		*s = json_string_value(a->json);
		*len = json_string_length(a->json);
		return true;
	}
	return false;
}

/* Numbers numerically; two strings by code points (UTF-8's byte order
 * is code point order). NULL, or why they do not compare. */
static const char *order(eval *ev, bool *holds)
{
	const tw_value *v = &ev->val;
	tw_jnum have;
	int cmp;
	if (v->kind == TW_VAL_NUMBER || v->kind == TW_VAL_DURATION) {
		if (!actual_number(&ev->act, &have))
			return "not a number";
		cmp = tw_jnum_cmp(have, value_number(v));
		if (cmp == 2) { /* a NaN is in no order */
			*holds = false;
			return NULL;
		}
	} else if (v->kind == TW_VAL_STRING) {
		const char *s;
		size_t len, wlen = strlen(ev->want);
		if (!actual_string(&ev->act, &s, &len))
			return "a string orders only against a string";
		cmp = memcmp(s, ev->want, len < wlen ? len : wlen);
		if (cmp == 0)
			cmp = len < wlen ? -1 : len > wlen ? 1 : 0;
	} else {
		return "only numbers and strings have an order";
	}
	switch (ev->ex->op) {
	case TW_OP_LT: *holds = cmp < 0; break;
	case TW_OP_LE: *holds = cmp <= 0; break;
	case TW_OP_GT: *holds = cmp > 0; break;
	case TW_OP_GE: *holds = cmp >= 0; break;
	default: *holds = false; break;
	}
	return NULL;
}

/* ISO 8601: 2026-12-02, with a time 2026-12-02T08:40:57, seconds'
 * fractions, Z or an offset. A real day of a real month. */
static bool iso_date(const char *s, size_t len)
{
	char buf[64];
	if (len < 10 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	int y, mo, d, n = 0;
	if (sscanf(buf, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10 ||
	    !isdigit((unsigned char)buf[0]) || buf[4] != '-' || buf[7] != '-')
		return false;
	static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || d > days[mo - 1] || (mo == 2 && d == 29 && !leap))
		return false;
	const char *p = buf + 10;
	if (*p == '\0')
		return true;
	int h, mi, sec = 0;
	if ((*p != 'T' && *p != 't' && *p != ' ') || sscanf(p + 1, "%2d:%2d%n", &h, &mi, &n) != 2 ||
	    n != 5 || !isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[4]))
		return false;
	p += 6;
	if (*p == ':') {
		if (!isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]))
			return false;
		sec = (p[1] - '0') * 10 + (p[2] - '0');
		p += 3;
		if (*p == '.' || *p == ',') {
			if (!isdigit((unsigned char)*++p))
				return false;
			while (isdigit((unsigned char)*p))
				p++;
		}
	}
	if (h > 23 || mi > 59 || sec > 60)
		return false;
	if (*p == 'Z' || *p == 'z')
		return p[1] == '\0';
	if (*p == '+' || *p == '-')
		return isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
		       ((p[3] == '\0') ||
			(p[3] == ':' && isdigit((unsigned char)p[4]) &&
			 isdigit((unsigned char)p[5]) && p[6] == '\0') ||
			(isdigit((unsigned char)p[3]) && isdigit((unsigned char)p[4]) &&
			 p[5] == '\0'));
	return *p == '\0';
}

/* 8-4-4-4-12 hex digits, any case. */
static bool uuid(const char *s, size_t len)
{
	if (len != 36)
		return false;
	for (size_t i = 0; i < len; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23 ? s[i] != '-'
							    : !isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

static bool is_type(const actual *a, const char *type)
{
	const json_t *j = a->kind == ACT_JSON ? a->json : NULL;
	const char *s;
	size_t len;
	bool str = actual_string(a, &s, &len);
	if (strcmp(type, "string") == 0)
		return str && !a->bytes && !a->date;
	if (strcmp(type, "integer") == 0)
		return j ? json_is_integer(j)
			 : a->kind == ACT_NUMBER && a->number == floor(a->number);
	if (strcmp(type, "number") == 0)
		return j ? json_is_number(j) : a->kind == ACT_NUMBER;
	if (strcmp(type, "boolean") == 0)
		return j ? json_is_boolean(j) : a->kind == ACT_BOOL;
	if (strcmp(type, "list") == 0)
		return j && json_is_array(j);
	if (strcmp(type, "object") == 0)
		return j && json_is_object(j);
	if (strcmp(type, "null") == 0)
		return j && json_is_null(j);
	if (strcmp(type, "empty") == 0)
		return str ? len == 0
			   : j && ((json_is_array(j) && json_array_size(j) == 0) ||
				   (json_is_object(j) && json_object_size(j) == 0));
	if (strcmp(type, "date") == 0)
		return a->date || (str && !a->bytes && iso_date(s, len));
	if (strcmp(type, "uuid") == 0)
		return str && uuid(s, len);
	return false;
}

static void capture(eval *ev, const char *s, size_t len)
{
	if (!ev->ex->capture || ev->out->captured)
		return;
	ev->out->captured = tw_expect_copy(ev, s, len);
}

/* Text, for contains, starts with, ends with and ~: a JSON value must be
 * a string, not a number or list spelt as one. */
static bool is_text(const actual *a)
{
	return a->kind != ACT_JSON || json_is_string(a->json);
}

/* Whether the operator holds. Sets *why when the two sides cannot be
 * compared (that fails with or without `not`), *hit where contains found
 * the value, *group what ~ captured; may decide itself (an invalid
 * regex). */
static bool holds(eval *ev, const char **why, const char **hit, char **group)
{
	const actual *a = &ev->act;
	const tw_value *v = &ev->val;
	size_t n = strlen(ev->want);
	bool yes = false;
	switch (ev->ex->op) {
	case TW_OP_EXISTS: return exists(a);
	case TW_OP_NOT_EXISTS: return !exists(a);
	case TW_OP_EQ: return equals(a, v, ev->want);
	case TW_OP_NE: return !equals(a, v, ev->want);
	case TW_OP_LT:
	case TW_OP_LE:
	case TW_OP_GT:
	case TW_OP_GE:
		*why = order(ev, &yes);
		return yes;
	case TW_OP_CONTAINS:
		/* On a JSON list: an element equal to the value. */
		if (a->kind == ACT_JSON && json_is_array(a->json)) {
			for (size_t i = 0; i < json_array_size(a->json); i++) {
				actual e = element(json_array_get(a->json, i));
				if (equals(&e, v, ev->want))
					return true;
			}
			return false;
		}
		if (!is_text(a))
			return *why = "not a string", false;
		*hit = n == 0 ? a->str : memmem(a->str, a->len, ev->want, n);
		return *hit != NULL;
	case TW_OP_STARTS_WITH:
		if (!is_text(a))
			return *why = "not a string", false;
		return a->len >= n && memcmp(a->str, ev->want, n) == 0;
	case TW_OP_ENDS_WITH:
		if (!is_text(a))
			return *why = "not a string", false;
		return a->len >= n && memcmp(a->str + a->len - n, ev->want, n) == 0;
	case TW_OP_IN:
		return in_list(ev, a);
	case TW_OP_IS:
		return is_type(a, v->text ? v->text : "");
	case TW_OP_MATCHES:
		/* On a list, as contains: an element (a string) that matches. */
		if (a->kind == ACT_JSON && !json_is_array(a->json) && !json_is_string(a->json))
			return *why = "not a string", false;
		break;
	}
	/* Compiled once when written without templates: not ours to free. */
	const tw_regex *shared = ev->ex->code ? ev->ex->code->regex : NULL;
	tw_regex *re = NULL;
	tw_error err = {0};
	int rc = shared ? TW_OK : tw_regex_compile(&re, ev->want, v->flags, &err);
	if (rc == TW_ENOMEM) {
		ev->oom = true;
	} else if (rc) {
		char *value = render_value(ev);
		tw_expect_decide(ev, false, NULL, "invalid regex %s: %s", value ? value : "",
				 err.message);
		free(value);
	} else {
		bool list = a->kind == ACT_JSON && json_is_array(a->json);
		size_t items = list ? json_array_size(a->json) : 1;
		for (size_t i = 0; rc == TW_OK && !yes && i < items; i++) {
			const char *s = a->str;
			size_t len = a->len;
			if (list) {
				const json_t *e = json_array_get(a->json, i);
				if (!json_is_string(e))
					continue;
				s = json_string_value(e);
				len = json_string_length(e);
			}
			rc = tw_regex_match(shared ? shared : re, s, len, &yes,
					    ev->ex->capture ? group : NULL, &err);
		}
		if (rc == TW_ENOMEM) {
			ev->oom = true;
		} else if (rc) {
			/* Not UTF-8, or the match limit: say which, whatever `not`. */
			char *why_s = tw_expect_format(ev, "%s%s", rc == TW_EUSAGE ? "it is " : "",
						       err.message ? err.message : "");
			char *value = render_value(ev);
			char *shown = render_actual(ev);
			char first[64];
			tw_expect_decide(ev, false, actual_field(ev, NULL),
					 "%s: expected: %s~ %s (regex) / actual: %s (%s)%s, but %s",
					 ev->label, ev->ex->negate ? "not " : "",
					 value ? value : "", shown ? shown : "", actual_type(ev),
					 first_of(ev, first, sizeof(first)), why_s ? why_s : "");
			free(why_s);
			free(value);
			free(shown);
		}
	}
	tw_regex_free(re);
	tw_error_clear(&err);
	return yes;
}

/* "== 2", "not contains \"x\"", "is integer"; for == alone the value. */
static char *expected_words(eval *ev)
{
	tw_op op = ev->ex->op;
	const char *neg = ev->ex->negate ? "not " : "";
	if (op == TW_OP_EXISTS || op == TW_OP_NOT_EXISTS)
		return tw_expect_format(ev, "%s%s", neg, tw_op_str(op));
	char *value = render_value(ev);
	if (!value || (op == TW_OP_EQ && !ev->ex->negate))
		return value;
	char *s = tw_expect_format(ev, "%s%s %s", neg, tw_op_str(op), value);
	free(value);
	return s;
}

/*
 * One verdict, one shape of message. Passed: "json $.id == 2". Failed:
 *   json $.id: expected: "2" (string) / actual: 2 (integer)
 * with the operator before the value unless it is ==, " (the first of N
 * matches)" when a query selected several, and ": WHY" when the two sides
 * do not compare.
 */
static void judge(eval *ev)
{
	actual *a = &ev->act;
	tw_op op = ev->ex->op;
	if (!a->present && op != TW_OP_NOT_EXISTS) {
		char *instead = a->missing_actual;
		a->missing_actual = NULL;
		tw_expect_decide(ev, false, instead, "%s", a->missing ? a->missing : "");
		return;
	}
	const char *why = NULL, *hit = NULL;
	char *group = NULL;
	bool yes = holds(ev, &why, &hit, &group);
	if (ev->done || ev->oom) {
		free(group);
		return;
	}
	bool passed = !why && (ev->ex->negate ? !yes : yes);
	if (passed) {
		if (op == TW_OP_NOT_EXISTS)
			capture(ev, "", 0);
		else if (group && !ev->ex->negate)
			ev->out->captured = group, group = NULL;
		else
			capture(ev, a->str, a->len);
	}
	if (passed && ev->brief) {
		tw_expect_decide(ev, true, NULL, "%s", "");
		free(group);
		return;
	}
	char *expected = expected_words(ev);
	if (!expected) {
		free(group);
		return;
	}
	if (passed) {
		tw_expect_decide(ev, true, a->present ? actual_field(ev, hit) : NULL, "%s %s%s%s",
				 ev->label, op == TW_OP_EQ && !ev->ex->negate ? "== " : "",
				 expected, "");
	} else {
		char *shown = render_actual(ev);
		const char *vt = op == TW_OP_EXISTS || op == TW_OP_NOT_EXISTS
					 ? NULL
					 : value_type(&ev->val);
		char first[64];
		if (shown)
			tw_expect_decide(ev, false, actual_field(ev, NULL),
					 "%s: expected: %s%s%s%s / actual: %s%s%s%s%s%s", ev->label,
					 expected, vt ? " (" : "", vt ? vt : "", vt ? ")" : "",
					 shown,
					 ev->ex->subject == TW_SUBJ_STATUS && a->number == 0 ? ""
											     : " (",
					 ev->ex->subject == TW_SUBJ_STATUS && a->number == 0
						 ? ""
						 : actual_type(ev),
					 ev->ex->subject == TW_SUBJ_STATUS && a->number == 0 ? ""
											     : ")",
					 first_of(ev, first, sizeof(first)), why ? ": " : "");
		if (why && ev->out->message) {
			char *m = tw_expect_format(ev, "%s%s", ev->out->message, why);
			free(ev->out->message);
			ev->out->message = m;
		}
		free(shown);
	}
	free(group);
	free(expected);
}

/* ---- setup ---- */

/* Expands arg and the value, and types an unquoted template by its text;
 * false (with a failed outcome) when a template does not expand. */
static bool expand(eval *ev)
{
	const tw_expect *ex = ev->ex;
	tw_error err = {0};
	int rc = TW_OK;
	ev->val = ex->value;
	tw_value_kind k = ex->value.kind;
	if (ex->arg)
		rc = tw_template_expand(ex->arg, ev->vars, TW_EXPAND_PLAIN, &ev->arg, NULL, &err);
	if (rc == TW_OK && (k == TW_VAL_STRING || k == TW_VAL_REGEX || k == TW_VAL_TEMPLATE))
		rc = tw_template_expand(ex->value.text ? ex->value.text : "", ev->vars,
					k == TW_VAL_REGEX ? TW_EXPAND_REGEX : TW_EXPAND_PLAIN,
					&ev->want, NULL, &err);
	if (rc == TW_OK && k == TW_VAL_TEMPLATE)
		type_text(&ev->val, ev->want);
	/* Any other value is, as text, what the script shows for it: `expect
	 * text 8.50` looks for "8.50", not for the number. Every judge can then
	 * rely on want. */
	if (rc == TW_OK && !ev->want && !(ev->want = render_value(ev)))
		rc = TW_ENOMEM;
	if (rc == TW_ENOMEM)
		ev->oom = true;
	else if (rc)
		tw_expect_decide(ev, false, NULL, "%s",
				 err.message ? err.message : "a template does not expand");
	tw_error_clear(&err);
	return rc == TW_OK;
}

/* count: the filters as written, " nth 2 toInt", or "". */
static char *make_label_with(eval *ev, const char *count)
{
	/* No argument only when the script is broken: "json" alone. */
	const char *sep = ev->arg ? " " : "";
	const char *arg = ev->arg ? ev->arg : "";
	switch (ev->ex->subject) {
	case TW_SUBJ_BYTES: return tw_expect_format(ev, "bytes%s", count);
	case TW_SUBJ_SHA256: return tw_expect_format(ev, "sha256%s", count);
	case TW_SUBJ_MD5: return tw_expect_format(ev, "md5%s", count);
	case TW_SUBJ_STATUS: return tw_expect_format(ev, "status%s", count);
	case TW_SUBJ_HEADER: return tw_expect_format(ev, "header%s%s%s", sep, arg, count);
	case TW_SUBJ_TEXT: return tw_expect_format(ev, "text%s", count);
	case TW_SUBJ_BODY: return tw_expect_format(ev, "body%s", count);
	case TW_SUBJ_XPATH: return tw_expect_format(ev, "xpath%s%s%s", sep, arg, count);
	case TW_SUBJ_JSON: return tw_expect_format(ev, "json%s%s%s", sep, arg, count);
	case TW_SUBJ_TITLE: return tw_expect_format(ev, "title%s", count);
	case TW_SUBJ_URL: return tw_expect_format(ev, "url%s", count);
	case TW_SUBJ_COOKIE:
		return tw_expect_format(ev, "cookie%s%s%s%s%s", sep, arg,
					ev->ex->attr ? " " : "", ev->ex->attr ? ev->ex->attr : "", count);
	case TW_SUBJ_TIME: return tw_expect_format(ev, "time%s", count);
	case TW_SUBJ_PROMPT: return tw_expect_format(ev, "prompt");
	case TW_SUBJ_TRANSFER: return tw_expect_format(ev, "transfer");
	case TW_SUBJ_RECORDING: return tw_expect_format(ev, "recording");
	case TW_SUBJ_REJECTED: return tw_expect_format(ev, "rejected");
	case TW_SUBJ_HANGUP: return tw_expect_format(ev, "hangup");
	case TW_SUBJ_VAR: return tw_expect_format(ev, "var%s%s%s", sep, arg, count);
	case TW_SUBJ_REDIRECTS: return tw_expect_format(ev, "redirects%s", count);
	case TW_SUBJ_HOP:
		return tw_expect_format(ev, "hop %d %s%s", ev->ex->hop,
					ev->ex->hop_status ? "status" : "url", count);
	/* transport (issue 12, capabilities 8 and 11) */
	case TW_SUBJ_SET_COOKIE:
		return tw_expect_format(ev, "set-cookie%s%s%s%s%s", sep, arg,
					ev->ex->attr ? " " : "", ev->ex->attr ? ev->ex->attr : "",
					count);
	case TW_SUBJ_VERSION: return tw_expect_format(ev, "version%s", count);
	case TW_SUBJ_CERTIFICATE:
		return tw_expect_format(ev, "certificate%s%s%s", sep, arg, count);
	case TW_SUBJ_REPROMPTS: return tw_expect_format(ev, "reprompts"); /* issue 14 */
	}
	return tw_expect_format(ev, "?");
}

static char *make_label(eval *ev)
{
	tw_buf b;
	tw_buf_init(&b, 4096);
	tw_buf_puts(&b, "");
	for (size_t i = 0; i < ev->ex->filter_count; i++) {
		const tw_filter *f = &ev->ex->filters[i];
		tw_buf_printf(&b, " %s", f->name);
		if (f->kind == TW_FILTER_NTH)
			tw_buf_printf(&b, " %ld", f->n);
		const tw_value *args[] = {&f->arg, &f->arg2};
		for (size_t a = 0; a < 2; a++) {
			if (args[a]->kind == TW_VAL_REGEX)
				tw_buf_printf(&b, " /%s/%s", args[a]->text,
					      args[a]->flags ? args[a]->flags : "");
			else if (args[a]->kind == TW_VAL_STRING)
				tw_buf_printf(&b, " \"%s\"", args[a]->text);
		}
	}
	char *filters = tw_buf_steal(&b);
	char *label = filters ? make_label_with(ev, filters) : NULL;
	if (!filters)
		ev->oom = true;
	free(filters);
	return label;
}

/* What reports show as expected: the value for ==, else the operator and
 * the value ("< 800ms", "contains \"menu\"", "exists", "not == 2"). */
static char *make_expected(eval *ev)
{
	return expected_words(ev);
}

static bool needs_arg(tw_subject s)
{
	return s == TW_SUBJ_HEADER || s == TW_SUBJ_XPATH || s == TW_SUBJ_JSON ||
	       s == TW_SUBJ_COOKIE || s == TW_SUBJ_VAR || s == TW_SUBJ_SET_COOKIE ||
	       s == TW_SUBJ_CERTIFICATE;
}

static int evaluate(eval ev, tw_expect_outcome *out)
{
	const tw_expect *ex = ev.ex;
	memset(out, 0, sizeof(*out));
	if (expand(&ev) && !ev.oom) {
		/* Brief, the words are never shown: empty, so a failure's
		 * message (thrown away) still formats. */
		ev.label = ev.brief ? strdup("") : make_label(&ev);
		ev.expected = ev.brief ? strdup("") : make_expected(&ev);
		if (!ev.label || !ev.expected)
			; /* out of memory */
		else if (needs_arg(ex->subject) && !ev.arg)
			tw_expect_decide(&ev, false, NULL, "%s needs %s", ev.label,
					 ex->subject == TW_SUBJ_HEADER ||
							 ex->subject == TW_SUBJ_COOKIE
						 ? "a name"
						 : "a query");
		else
			tw_subject_fetch(&ev);
		tw_filter_apply(&ev);
		if (!ev.done && !ev.oom)
			judge(&ev);
	}
	if (out->captured && !out->passed) {
		free(out->captured);
		out->captured = NULL;
	}
	out->captured_secret = out->captured && ev.act.secret;
	free(ev.arg);
	free(ev.want);
	free(ev.label);
	free(ev.expected);
	free(ev.act.owned);
	free(ev.act.missing);
	free(ev.act.missing_actual);
	json_decref(ev.act.held);
	if (ev.oom) {
		tw_expect_outcome_free(out);
		return TW_ENOMEM;
	}
	return TW_OK;
}

int tw_expect_eval(const tw_expect *ex, tw_response *resp, const tw_vars *vars,
		   const tw_redact *redact, tw_expect_outcome *out)
{
	return evaluate((eval){.ex = ex, .resp = resp, .vars = vars, .redact = redact,
			       .out = out},
			out);
}

int tw_expect_eval_brief(const tw_expect *ex, tw_response *resp, const tw_vars *vars,
			 const tw_redact *redact, tw_expect_outcome *out)
{
	int rc = evaluate((eval){.ex = ex, .resp = resp, .vars = vars, .redact = redact,
				 .out = out, .brief = true},
			  out);
	if (rc != TW_OK || out->passed)
		return rc;
	/* A failure's words are the full evaluation's: the same outcome
	 * tw_expect_eval gives, at the cost of judging twice. */
	tw_expect_outcome_free(out);
	return tw_expect_eval(ex, resp, vars, redact, out);
}

int tw_expect_eval_given(const tw_expect *ex, const char *value, const char *absent,
			 const tw_vars *vars, const tw_redact *redact, tw_expect_outcome *out)
{
	/* issue 14, CLOCK: a call's causes are whole; reports cut them */
	return evaluate((eval){.ex = ex, .given = value, .absent = absent, .vars = vars,
			       .redact = redact, .out = out, .whole = true},
			out);
}

/* The literal's digits are the number exactly (no point, no exponent, no
 * sign), so comparing doubles is comparing what equals() compares. */
static bool small_integer_literal(const tw_value *v)
{
	if (v->kind != TW_VAL_NUMBER || !v->text || !v->text[0])
		return false;
	size_t n = 0;
	for (const char *p = v->text; *p; p++, n++)
		if (*p < '0' || *p > '9')
			return false;
	return n <= 9;
}

bool tw_expect_quick(const tw_expect *ex, const tw_response *resp)
{
	if (!resp || ex->subject != TW_SUBJ_STATUS || ex->filter_count || ex->count ||
	    ex->capture || ex->arg || (ex->op != TW_OP_EQ && ex->op != TW_OP_NE) ||
	    resp->status <= 0 || !small_integer_literal(&ex->value))
		return false;
	bool equal = (double)resp->status == ex->value.number;
	bool yes = ex->op == TW_OP_EQ ? equal : !equal;
	if (ex->negate)
		yes = !yes;
	return yes; /* a failure's words are tw_expect_eval's */
}

void tw_expect_outcome_free(tw_expect_outcome *out)
{
	if (!out)
		return;
	free(out->message);
	free(out->expected);
	free(out->actual);
	free(out->captured);
	memset(out, 0, sizeof(*out));
}

/* ---- excerpts ---- */

/* The length of the UTF-8 sequence at s (n bytes available), or 0 when it
 * is not a valid one (overlong forms and surrogates included). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t need;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 2;
	else if (c >= 0xe0 && c <= 0xef)
		need = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 4;
	else
		return 0;
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) ||
	    (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
		return 0;
	return need;
}

static bool blank(unsigned char c)
{
	return c <= 0x20 || c == 0x7f;
}

/*
 * The excerpt is built in two moves. First pick where to start in the raw
 * text: 0, or about half a window before the focus. Then copy characters
 * from there, turning control characters and runs of whitespace into one
 * space and bytes that are not UTF-8 into U+FFFD (reports are JSON and
 * XML, which need valid UTF-8), until the next character would not fit.
 * When something was left out at either end, "…" marks it; its three bytes
 * count against max.
 */
char *tw_excerpt(const char *text, size_t len, const char *focus, size_t max,
		 const tw_redact *redact)
{
	if (!text) {
		text = "";
		len = 0;
	}
	const size_t ell = sizeof(ELLIPSIS) - 1;
	bool marks = max >= 4 * ell; /* room for both ellipses and some text */

	size_t start = 0;
	if (focus && marks) {
		/* A position inside text, or else a string to look for. */
		uintptr_t t = (uintptr_t)text, f = (uintptr_t)focus;
		size_t centre = 0;
		bool found = false;
		if (f >= t && f - t <= len) {
			centre = (size_t)(f - t);
			found = true;
		} else {
			size_t n = strlen(focus);
			const char *hit = n ? memmem(text, len, focus, n) : NULL;
			if (hit) {
				centre = (size_t)(hit - text) + n / 2;
				found = true;
			}
		}
		size_t half = (max - 2 * ell) / 2;
		if (found && centre > half) {
			start = centre - half;
			/* Near the end, show a full window rather than half of one. */
			size_t room = max - ell;
			if (len - start < room)
				start = len > room ? len - room : 0;
			while (start < len && start > 0 && (text[start] & 0xc0) == 0x80)
				start++;
		}
	}
	/* A secret that starts before the window and ends inside it is shown
	 * from its start, masked, rather than by its tail. */
	size_t reach = tw_redact_reach(redact);
	for (size_t i = start > reach ? start - reach : 0; i < start;) {
		size_t m = tw_redact_span(redact, text, len, i);
		if (i + m > start) {
			start = i;
			break;
		}
		i += m ? m : 1;
	}

	char *out = malloc(max + 1);
	if (!out)
		return NULL;
	size_t used = 0;
	size_t room = max;
	if (start > 0) {
		memcpy(out, ELLIPSIS, ell);
		used = ell;
	}
	bool cut = false, pending_space = false;
	size_t i = start;
	while (i < len) {
		const unsigned char *s = (const unsigned char *)text + i;
		size_t secret = tw_redact_span(redact, text, len, i);
		if (secret) {
			const size_t n = sizeof(TW_REDACTED) - 1;
			if (used + pending_space + n > room) {
				cut = true;
				break;
			}
			if (pending_space)
				out[used++] = ' ';
			pending_space = false;
			memcpy(out + used, TW_REDACTED, n);
			used += n;
			i += secret;
			continue;
		}
		if (blank(*s)) {
			pending_space = used > (start > 0 ? ell : 0);
			i++;
			continue;
		}
		size_t n = utf8_seq(s, len - i);
		const char *bytes = n ? (const char *)s : REPLACEMENT;
		size_t out_n = n ? n : sizeof(REPLACEMENT) - 1;
		if (used + pending_space + out_n > room) {
			cut = true;
			break;
		}
		if (pending_space)
			out[used++] = ' ';
		pending_space = false;
		memcpy(out + used, bytes, out_n);
		used += out_n;
		i += n ? n : 1;
	}
	if (cut && marks) {
		/* Give back whole characters until "…" fits. */
		while (used + ell > room) {
			do
				used--;
			while (used > 0 && ((unsigned char)out[used] & 0xc0) == 0x80);
		}
		while (used > (start > 0 ? ell : 0) && out[used - 1] == ' ')
			used--;
		memcpy(out + used, ELLIPSIS, ell);
		used += ell;
	}
	out[used] = '\0';
	return out;
}
