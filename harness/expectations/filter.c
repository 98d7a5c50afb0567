/*
 * Filters: what happens to a subject's value between the query
 * (subject.c) and the predicate (expect.c), left to right, as in
 * `expect header Set-Cookie nth 2 regex /sid=(\w+)/ == "abc"`.
 *
 * Every value is typed, so that a filter that cannot apply, and then a
 * message, can say what it got: string, integer, number, boolean, list,
 * object, null (JSON values, held as jansson's), bytes (a string of any
 * bytes, flagged) and date (seconds since the epoch, flagged). A filter
 * that cannot apply (toInt on "abc", nth 5 of 3 items) decides a failed
 * outcome naming the filter, the value it got and that value's type.
 *
 *      count          a list's items, or bytes' length
 *      nth N          the Nth item of a list, from 1 (Hurl counts from 0)
 *      first, last    the first or last item of a list
 *      toInt          an integer from a number (truncated) or from text
 *                     that is one ("42", "-7")
 *      toFloat        a number from an integer or from text that is one
 *      split "S"      text cut at every S: a list of strings
 *      replace "A" "B"   every A becomes B; replace /re/ "B": every match,
 *                     $1 in B standing for group 1
 *      regex /re/     group 1 of the first match, else the whole match
 *      base64Decode   bytes; base64Encode: text
 *      urlDecode, urlEncode   percent-encoding (libcurl's)
 *      htmlUnescape   HTML character references (&amp; &#39; &eacute;)
 *      jsonpath "Q"   the query on text that is JSON: one value, or the
 *                     list of what it selects
 *      urlQueryParam "N"  the decoded value of N in a URL's query
 *      toDate ["F"]   a date: strptime format F, or ISO 8601 without one
 *      daysAfterNow, daysBeforeNow   whole days from now to a date, or
 *                     from a date to now
 *      sha256, md5    the digest of text or bytes, lowercase hex
 *      toHex          bytes or text as lowercase hex
 *
 * A filter that wants one value and is given a list of exactly one reads
 * that item (a header sent once is a list of one); so does the predicate
 * at the end. An absent value (no such header, a query that selects
 * nothing) stays absent through the filters, for the predicate to report,
 * except that `count` counts it as 0.
 */
#define _GNU_SOURCE /* memmem, strptime, timegm */
#include "expectations/expect_internal.h"

#include <curl/curl.h>
#include <ctype.h>
#include <errno.h>
#include <libxml/HTMLparser.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/jsonread.h"
#include "core/number.h"
#include "core/redact.h"
#include "core/template.h"
#include "expectations/compiled.h"
#include "expectations/jsonpath.h"
#include "expectations/regex.h"

/* A typed value: j is ours (one reference). */
typedef struct val {
	json_t *j;
	bool bytes; /* j is a string of bytes */
	bool date;  /* j is an integer: seconds since the epoch, UTC */
	bool text;  /* from a text subject (header, text, var...), not a JSON
		       string: a bare number equals it when it reads as one */
} val;

static const char *type_name(const val *v)
{
	if (v->bytes)
		return "bytes";
	if (v->date)
		return "date";
	switch (json_typeof(v->j)) {
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	case JSON_ARRAY: return "list";
	case JSON_OBJECT: return "object";
	case JSON_NULL: return "null";
	}
	return "value";
}

static bool is_text(const val *v)
{
	return json_is_string(v->j);
}

/* ---- from the subject, and back ---- */

static json_t *number_json(double d)
{
	if (d == floor(d) && fabs(d) < 9007199254740992.0)
		return json_integer((json_int_t)d);
	return json_real(d);
}

static bool from_actual(eval *ev, val *v)
{
	const actual *a = &ev->act;
	*v = (val){0};
	switch (a->kind) {
	case ACT_JSON: v->j = json_incref(a->json); break;
	case ACT_STRING:
		if (a->date) {
			v->j = json_integer((json_int_t)a->number);
			v->date = true;
			break;
		}
		v->j = json_stringn_nocheck(a->str, a->len);
		v->bytes = a->bytes;
		break;
	case ACT_NUMBER: v->j = number_json(a->number); break;
	case ACT_BOOL: v->j = json_boolean(a->boolean); break;
	}
	v->text = ev->ex->subject != TW_SUBJ_JSON && !v->bytes;
	if (!v->j)
		ev->oom = true;
	return v->j != NULL;
}

/* "2026-12-02T08:40:21Z" */
static void iso_date(json_int_t t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm))
		strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		snprintf(buf, n, "%" JSON_INTEGER_FORMAT, t);
}

static void to_actual(eval *ev, val *v)
{
	/* What the predicate sees replaces what the subject read. */
	actual *a = &ev->act;
	json_t *old = a->held;
	a->held = NULL;
	free(a->owned);
	a->owned = NULL;
	a->matches = 0;
	a->long_text = false;
	a->empty_is_absent = false;
	a->bytes = false;
	a->date = false;
	if (v->bytes || v->date || (v->text && json_is_string(v->j))) {
		char buf[64];
		const char *s;
		size_t len;
		if (v->date) {
			iso_date(json_integer_value(v->j), buf, sizeof(buf));
			s = buf;
			len = strlen(buf);
		} else {
			s = json_string_value(v->j);
			len = json_string_length(v->j);
		}
		a->owned = tw_expect_copy(ev, s, len);
		a->present = true;
		a->kind = ACT_STRING;
		a->str = a->owned ? a->owned : "";
		a->len = a->owned ? len : 0;
		a->bytes = v->bytes;
		a->date = v->date;
		a->number = v->date ? (double)json_integer_value(v->j) : 0;
		json_decref(v->j);
	} else {
		a->held = v->j;
		tw_subject_set_json(ev, v->j);
	}
	v->j = NULL;
	json_decref(old);
}

/* ---- failures ---- */

/* "abc" (string), [1,2] (list): a value and its type, for messages. */
static char *shown(eval *ev, const val *v)
{
	char buf[64];
	char *e;
	if (ev->act.secret)
		return tw_expect_format(ev, TW_REDACTED " (%s, derived from a secret)", type_name(v));
	if (v->date) {
		iso_date(json_integer_value(v->j), buf, sizeof(buf));
		e = tw_expect_format(ev, "%s", buf);
	} else if (is_text(v)) {
		char *x = tw_expect_excerpt(ev, json_string_value(v->j), json_string_length(v->j),
					    NULL, MSG_EXCERPT);
		e = x ? tw_expect_format(ev, "\"%s\"", x) : NULL;
		free(x);
	} else {
		char *dump = json_dumps(v->j, JSON_COMPACT | JSON_ENCODE_ANY);
		e = dump ? tw_expect_excerpt(ev, dump, strlen(dump), NULL, MSG_EXCERPT) : NULL;
		if (!dump)
			ev->oom = true;
		free(dump);
	}
	char *s = e ? tw_expect_format(ev, "%s (%s)", e, type_name(v)) : NULL;
	free(e);
	return s;
}

/* The filter as written: "nth 5", "toInt", "split \",\"". */
static char *written(eval *ev, const tw_filter *f)
{
	if (f->kind == TW_FILTER_NTH)
		return tw_expect_format(ev, "nth %ld", f->n);
	return tw_expect_format(ev, "%s", f->name);
}

/* Decides the failure: "json $.id toInt: toInt got "abc" (string): not an
 * integer". why may be NULL when the type says it all. */
static void cannot(eval *ev, const tw_filter *f, const val *v, const char *why)
{
	char *what = written(ev, f);
	char *got = shown(ev, v);
	if (what && got)
		tw_expect_decide(ev, false, NULL, "%s: %s got %s%s%s", ev->label, what, got,
				 why ? ": " : "", why ? why : "");
	free(what);
	free(got);
}

/* As cannot, but the value is absent, for the predicate to judge: the
 * message is the failure of any predicate but `not exists`. */
static void gone(eval *ev, const tw_filter *f, const val *v, const char *why)
{
	char *what = written(ev, f);
	char *got = shown(ev, v);
	char *msg = what && got ? tw_expect_format(ev, "%s: %s got %s: %s", ev->label, what, got, why)
				: NULL;
	free(what);
	free(got);
	if (!msg)
		return;
	ev->act.present = false;
	free(ev->act.missing);
	free(ev->act.missing_actual);
	ev->act.missing = msg;
	ev->act.missing_actual = NULL;
}

/* ---- helpers ---- */

static bool set_text(eval *ev, val *out, const char *s, size_t len)
{
	json_t *j = json_stringn_nocheck(s, len);
	if (!j) {
		ev->oom = true;
		return false;
	}
	*out = (val){.j = j};
	return true;
}

/* A template argument expanded; NULL after deciding or marking oom. */
static char *expand_arg(eval *ev, const tw_value *a, bool regex)
{
	char *out = NULL;
	tw_error err = {0};
	int rc = tw_template_expand(a->text ? a->text : "", ev->vars,
				    regex ? TW_EXPAND_REGEX : TW_EXPAND_PLAIN, &out, NULL, &err);
	if (rc == TW_ENOMEM)
		ev->oom = true;
	else if (rc)
		tw_expect_decide(ev, false, NULL, "%s",
				 err.message ? err.message : "a template does not expand");
	tw_error_clear(&err);
	return rc ? NULL : out;
}

static tw_regex *compile_arg(eval *ev, const tw_filter *f);

/* The filter's pattern: compiled once for the run (compiled.h) when it
 * has no template, then *owned is NULL; else compiled here, *owned the
 * caller's to free. NULL after deciding or marking oom. */
static const tw_regex *filter_regex(eval *ev, const tw_filter *f, tw_regex **owned)
{
	const tw_expect_code *code = ev->ex->code;
	size_t i = (size_t)(f - ev->ex->filters);
	*owned = NULL;
	if (code && code->filter_regex && i < code->filter_count && code->filter_regex[i])
		return code->filter_regex[i];
	return *owned = compile_arg(ev, f);
}

static tw_regex *compile_arg(eval *ev, const tw_filter *f)
{
	bool is_re = f->arg.kind == TW_VAL_REGEX;
	char *pattern = expand_arg(ev, &f->arg, is_re);
	if (!pattern)
		return NULL;
	tw_regex *re = NULL;
	tw_error err = {0};
	int rc = tw_regex_compile(&re, pattern, is_re && f->arg.flags ? f->arg.flags : "", &err);
	if (rc == TW_ENOMEM)
		ev->oom = true;
	else if (rc)
		tw_expect_decide(ev, false, NULL, "%s: invalid regex in %s: %s", ev->label,
				 f->name, err.message ? err.message : "");
	tw_error_clear(&err);
	free(pattern);
	return re;
}

char *tw_digest_hex(const char *algo, const char *data, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	const EVP_MD *type = strcmp(algo, "md5") == 0 ? EVP_md5() : EVP_sha256();
	if (!EVP_Digest(data ? data : "", len, md, &n, type, NULL))
		return NULL;
	char *hex = malloc(2 * n + 1);
	if (!hex)
		return NULL;
	for (unsigned int i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[2 * n] = '\0';
	return hex;
}

/* HTML character references, named ones from libxml2's HTML table. */
static char *html_unescape(const char *s, size_t len, size_t *out_len)
{
	tw_buf b;
	tw_buf_init(&b, len + 1);
	for (size_t i = 0; i < len;) {
		if (s[i] == '&') {
			size_t j = i + 1;
			while (j < len && j - i < 40 && s[j] != ';' && s[j] != '&' &&
			       !isspace((unsigned char)s[j]))
				j++;
			unsigned long cp = 0;
			bool ok = false;
			size_t next = j + 1;
			if (i + 2 < len && s[i + 1] == '#') {
				/* Numeric: HTML5 reads the digits whether or not a
				 * ';' ends them (&#65 is A). */
				bool hex = s[i + 2] == 'x' || s[i + 2] == 'X';
				size_t d = i + (hex ? 3 : 2), k = d;
				while (k < len && k - d < 8 &&
				       (hex ? isxdigit((unsigned char)s[k]) : isdigit((unsigned char)s[k])))
					k++;
				if (k > d) {
					char digits[12];
					memcpy(digits, s + d, k - d);
					digits[k - d] = '\0';
					cp = strtoul(digits, NULL, hex ? 16 : 10);
					ok = cp > 0 && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
					next = k < len && s[k] == ';' ? k + 1 : k;
				}
			} else if (j < len && s[j] == ';' && j > i + 1) {
				char name[48];
				memcpy(name, s + i + 1, j - i - 1);
				name[j - i - 1] = '\0';
				const htmlEntityDesc *d = htmlEntityLookup((const xmlChar *)name);
				if (d) {
					cp = d->value;
					ok = true;
				}
			}
			if (ok) {
				char u[4];
				size_t n;
				if (cp < 0x80) {
					u[0] = (char)cp;
					n = 1;
				} else if (cp < 0x800) {
					u[0] = (char)(0xC0 | (cp >> 6));
					u[1] = (char)(0x80 | (cp & 0x3F));
					n = 2;
				} else if (cp < 0x10000) {
					u[0] = (char)(0xE0 | (cp >> 12));
					u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
					u[2] = (char)(0x80 | (cp & 0x3F));
					n = 3;
				} else {
					u[0] = (char)(0xF0 | (cp >> 18));
					u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
					u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
					u[3] = (char)(0x80 | (cp & 0x3F));
					n = 4;
				}
				tw_buf_append(&b, u, n);
				i = next;
				continue;
			}
		}
		tw_buf_append(&b, s + i, 1);
		i++;
	}
	*out_len = b.len;
	return tw_buf_steal(&b);
}

/* The decoded value of name in url's query string; NULL when absent (with
 * *oom when memory ran out). */
static char *query_param(const char *url, const char *name, size_t *out_len, bool *oom)
{
	const char *q = strchr(url, '?');
	if (!q)
		return NULL;
	q++;
	size_t qlen = strcspn(q, "#");
	for (const char *p = q; p < q + qlen;) {
		size_t plen = strcspn(p, "&");
		if (p + plen > q + qlen)
			plen = (size_t)(q + qlen - p);
		const char *eq = memchr(p, '=', plen);
		size_t nlen = eq ? (size_t)(eq - p) : plen;
		/* Forms write a space as '+': a query string is read as one. */
		char *pair = strndup(p, plen);
		if (!pair) {
			*oom = true;
			return NULL;
		}
		for (char *c = pair; *c; c++)
			if (*c == '+')
				*c = ' ';
		int n = 0;
		char *key = curl_easy_unescape(NULL, pair, (int)nlen, &n);
		bool match = key && (size_t)n == strlen(name) && memcmp(key, name, (size_t)n) == 0;
		curl_free(key);
		if (match) {
			int vn = 0;
			char *v = eq ? curl_easy_unescape(NULL, pair + nlen + 1,
							  (int)(plen - nlen - 1), &vn)
				     : curl_easy_unescape(NULL, "", 0, &vn);
			free(pair);
			if (!v) {
				*oom = true;
				return NULL;
			}
			char *copy = malloc((size_t)vn + 1);
			if (copy) {
				memcpy(copy, v, (size_t)vn);
				copy[vn] = '\0';
				*out_len = (size_t)vn;
			} else {
				*oom = true;
			}
			curl_free(v);
			return copy;
		}
		free(pair);
		p += plen + 1;
	}
	return NULL;
}

/* ISO 8601: 2026-12-02, 2026-12-02T08:40:21, with fractions of a second,
 * and Z or an offset (none: UTC). */
static bool iso_parse(const char *s, time_t *out)
{
	struct tm tm = {0};
	const char *p = strptime(s, "%Y-%m-%d", &tm);
	if (!p)
		return false;
	long offset = 0;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p = strptime(p + 1, "%H:%M", &tm);
		if (!p)
			return false;
		if (*p == ':') {
			char *end;
			long sec = strtol(p + 1, &end, 10);
			if (end != p + 3 || sec > 60)
				return false;
			tm.tm_sec = (int)sec;
			p = end;
			if (*p == '.' || *p == ',') {
				p++;
				if (!isdigit((unsigned char)*p))
					return false;
				while (isdigit((unsigned char)*p))
					p++;
			}
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p == '-' ? -1 : 1;
			int h, m = 0;
			if (sscanf(p + 1, "%2d", &h) != 1 || !isdigit((unsigned char)p[2]))
				return false;
			p += 3;
			if (*p == ':')
				p++;
			if (isdigit((unsigned char)*p)) {
				if (sscanf(p, "%2d", &m) != 1 || !isdigit((unsigned char)p[1]))
					return false;
				p += 2;
			}
			offset = sign * (h * 3600L + m * 60L);
		}
	}
	if (*p)
		return false;
	*out = timegm(&tm) - offset;
	return true;
}

/* ---- the filters ---- */

/* Applies f to *v (replaced on success); false after deciding the
 * outcome (or marking oom). */
static bool apply(eval *ev, const tw_filter *f, val *v)
{
	val in = *v;
	val out = {0};
	bool list = json_is_array(in.j);
	/* A list of one, where one value is wanted, is that value. */
	bool wants_list = f->kind == TW_FILTER_COUNT || f->kind == TW_FILTER_NTH ||
			  f->kind == TW_FILTER_FIRST || f->kind == TW_FILTER_LAST;
	if (!wants_list && list && json_array_size(in.j) == 1) {
		json_t *item = json_incref(json_array_get(in.j, 0));
		json_decref(in.j);
		in = (val){.j = item, .text = in.text};
		*v = in;
		list = false;
	}
	const char *s = is_text(&in) ? json_string_value(in.j) : NULL;
	size_t len = s ? json_string_length(in.j) : 0;

	switch (f->kind) {
	case TW_FILTER_COUNT:
		if (list)
			out.j = json_integer((json_int_t)json_array_size(in.j));
		else if (in.bytes)
			out.j = json_integer((json_int_t)len);
		else if (json_is_object(in.j))
			out.j = json_integer((json_int_t)json_object_size(in.j));
		else
			return cannot(ev, f, &in, "count counts a list, an object or bytes"), false;
		break;
	case TW_FILTER_NTH:
	case TW_FILTER_FIRST:
	case TW_FILTER_LAST: {
		if (!list)
			return cannot(ev, f, &in, "not a list"), false;
		size_t n = json_array_size(in.j);
		size_t want = f->kind == TW_FILTER_NTH	  ? (size_t)f->n
			      : f->kind == TW_FILTER_FIRST ? 1
							   : n;
		if (n == 0 || want > n) {
			/* Nothing there, as $.ids[5] selects nothing: `not
			 * exists` holds, another predicate fails with this. */
			char why[80];
			snprintf(why, sizeof(why), "the list has %zu item%s", n, n == 1 ? "" : "s");
			return gone(ev, f, &in, why), false;
		}
		out.j = json_incref(json_array_get(in.j, want - 1));
		break;
	}
	case TW_FILTER_TO_INT: {
		long long n;
		if (json_is_integer(in.j) && !in.date)
			out.j = json_incref(in.j);
		else if (json_is_real(in.j) && fabs(json_real_value(in.j)) < 9.2e18)
			out.j = json_integer((json_int_t)trunc(json_real_value(in.j)));
		else if (s && !in.bytes && tw_integer_text(s, len, &n))
			out.j = json_integer((json_int_t)n);
		else
			return cannot(ev, f, &in, "not an integer"), false;
		break;
	}
	case TW_FILTER_TO_FLOAT: {
		double d;
		if (json_is_number(in.j) && !in.date)
			out.j = json_real(json_number_value(in.j));
		else if (s && !in.bytes && tw_number_text(s, len, &d))
			out.j = json_real(d);
		else
			return cannot(ev, f, &in, "not a number"), false;
		break;
	}
	case TW_FILTER_SPLIT: {
		if (!s || in.bytes)
			return cannot(ev, f, &in, "split cuts a string"), false;
		char *sep = expand_arg(ev, &f->arg, false);
		if (!sep)
			return false;
		size_t sl = strlen(sep);
		out.j = json_array();
		const char *p = s, *end = s + len;
		while (out.j && sl) {
			const char *hit = memmem(p, (size_t)(end - p), sep, sl);
			const char *stop = hit ? hit : end;
			if (json_array_append_new(out.j, json_stringn_nocheck(p, (size_t)(stop - p))))
				ev->oom = true;
			if (!hit)
				break;
			p = hit + sl;
		}
		if (out.j && !sl && json_array_append_new(out.j, json_stringn_nocheck(s, len)))
			ev->oom = true;
		free(sep);
		break;
	}
	case TW_FILTER_REPLACE: {
		if (!s)
			return cannot(ev, f, &in, "replace works on a string"), false;
		char *with = expand_arg(ev, &f->arg2, false);
		if (!with)
			return false;
		if (f->arg.kind == TW_VAL_REGEX) {
			tw_regex *owned;
			const tw_regex *re = filter_regex(ev, f, &owned);
			if (!re) {
				free(with);
				return false;
			}
			char *r = NULL;
			size_t rlen = 0;
			tw_error err = {0};
			int rc = tw_regex_replace(re, s, len, with, &r, &rlen, &err);
			tw_regex_free(owned);
			if (rc == TW_ENOMEM)
				ev->oom = true;
			else if (rc)
				cannot(ev, f, &in, err.message);
			else
				set_text(ev, &out, r, rlen);
			free(r);
			tw_error_clear(&err);
		} else {
			char *what = expand_arg(ev, &f->arg, false);
			if (what) {
				size_t wl = strlen(what), tl = strlen(with);
				tw_buf b;
				tw_buf_init(&b, SIZE_MAX / 2);
				const char *p = s, *end = s + len;
				while (wl) {
					const char *hit = memmem(p, (size_t)(end - p), what, wl);
					if (!hit)
						break;
					tw_buf_append(&b, p, (size_t)(hit - p));
					tw_buf_append(&b, with, tl);
					p = hit + wl;
				}
				tw_buf_append(&b, p, (size_t)(end - p));
				size_t blen = b.len;
				char *r = tw_buf_steal(&b);
				if (!r)
					ev->oom = true;
				else
					set_text(ev, &out, r, blen);
				free(r);
			}
			free(what);
		}
		free(with);
		break;
	}
	case TW_FILTER_REGEX: {
		if (!s)
			return cannot(ev, f, &in, "regex reads a string"), false;
		tw_regex *owned;
		const tw_regex *re = filter_regex(ev, f, &owned);
		if (!re)
			return false;
		bool matched = false;
		char *group = NULL;
		tw_error err = {0};
		int rc = tw_regex_match(re, s, len, &matched, &group, &err);
		tw_regex_free(owned);
		if (rc == TW_ENOMEM)
			ev->oom = true;
		else if (rc)
			cannot(ev, f, &in, err.message);
		else if (!matched)
			cannot(ev, f, &in, "no match");
		else
			set_text(ev, &out, group, strlen(group));
		free(group);
		tw_error_clear(&err);
		break;
	}
	case TW_FILTER_BASE64_DECODE: {
		if (!s)
			return cannot(ev, f, &in, "base64Decode reads a string"), false;
		/* Unpadded and URL-safe base64 are common in tokens (JWT). */
		char *t = malloc(len + 4);
		unsigned char *d = malloc(len / 4 * 3 + 6);
		if (!t || !d) {
			free(t);
			free(d);
			ev->oom = true;
			return false;
		}
		size_t tl = 0;
		bool ok = true;
		for (size_t i = 0; i < len; i++) {
			char c = s[i];
			if (c == '-')
				c = '+';
			else if (c == '_')
				c = '/';
			else if (c == '=' && len - i > 2)
				ok = false;
			if (!(isalnum((unsigned char)c) || c == '+' || c == '/' || c == '='))
				ok = false;
			t[tl++] = c;
		}
		while (tl % 4)
			t[tl++] = '=';
		int n = ok ? EVP_DecodeBlock(d, (unsigned char *)t, (int)tl) : -1;
		if (n < 0) {
			cannot(ev, f, &in, "not base64");
		} else {
			/* EVP_DecodeBlock counts the padding as zero bytes. */
			for (size_t i = tl; i > 0 && t[i - 1] == '='; i--)
				n--;
			out.j = json_stringn_nocheck((const char *)d, (size_t)n);
			out.bytes = true;
		}
		free(t);
		free(d);
		if (n < 0)
			return false;
		break;
	}
	case TW_FILTER_BASE64_ENCODE: {
		if (!s)
			return cannot(ev, f, &in, "base64Encode reads a string or bytes"), false;
		unsigned char *e = malloc((len + 2) / 3 * 4 + 1);
		if (!e) {
			ev->oom = true;
			return false;
		}
		int n = EVP_EncodeBlock(e, (const unsigned char *)s, (int)len);
		set_text(ev, &out, (const char *)e, (size_t)n);
		free(e);
		break;
	}
	case TW_FILTER_URL_DECODE:
	case TW_FILTER_URL_ENCODE: {
		if (!s)
			return cannot(ev, f, &in, "not a string"), false;
		int n = 0;
		char *r = f->kind == TW_FILTER_URL_DECODE ? curl_easy_unescape(NULL, s, (int)len, &n)
							  : curl_easy_escape(NULL, s, (int)len);
		if (!r) {
			ev->oom = true;
			return false;
		}
		set_text(ev, &out, r, f->kind == TW_FILTER_URL_DECODE ? (size_t)n : strlen(r));
		curl_free(r);
		break;
	}
	case TW_FILTER_HTML_UNESCAPE: {
		if (!s)
			return cannot(ev, f, &in, "not a string"), false;
		size_t n = 0;
		char *r = html_unescape(s, len, &n);
		if (!r) {
			ev->oom = true;
			return false;
		}
		set_text(ev, &out, r, n);
		free(r);
		break;
	}
	case TW_FILTER_JSONPATH: {
		if (!s)
			return cannot(ev, f, &in, "jsonpath reads a string of JSON"), false;
		/* Zeroed: jansson sets no error code when memory runs out. */
		json_error_t jerr = {0};
		json_t *doc = tw_json_parse(s, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
		if (!doc && json_error_code(&jerr) == json_error_out_of_memory) {
			ev->oom = true;
			return false;
		}
		if (!doc) {
			char why[200];
			snprintf(why, sizeof(why), "not JSON: %s", jerr.text);
			return cannot(ev, f, &in, why), false;
		}
		char *query = expand_arg(ev, &f->arg, false);
		if (!query) {
			json_decref(doc);
			return false;
		}
		tw_json_matches m = {0};
		tw_error err = {0};
		int rc = tw_jsonpath_eval(query, doc, &m, &err);
		if (rc == TW_ENOMEM) {
			ev->oom = true;
		} else if (rc) {
			tw_expect_decide(ev, false, NULL, "%s: invalid JSON query \"%s\": %s",
					 ev->label, query, err.message ? err.message : "");
		} else if (m.count == 0) {
			char why[160];
			snprintf(why, sizeof(why), "%.100s matched nothing", query);
			cannot(ev, f, &in, why);
		} else if (m.count == 1) {
			out.j = json_incref(m.items[0]);
		} else {
			out.j = json_array();
			for (size_t i = 0; out.j && i < m.count; i++)
				if (json_array_append(out.j, m.items[i]))
					ev->oom = true;
		}
		if (!rc && m.count && !out.j)
			ev->oom = true;
		tw_json_matches_free(&m);
		tw_error_clear(&err);
		free(query);
		json_decref(doc);
		break;
	}
	case TW_FILTER_URL_QUERY_PARAM: {
		if (!s)
			return cannot(ev, f, &in, "not a URL"), false;
		char *name = expand_arg(ev, &f->arg, false);
		if (!name)
			return false;
		bool oom = false;
		size_t n = 0;
		char *r = query_param(s, name, &n, &oom);
		if (oom) {
			ev->oom = true;
		} else if (!r) {
			char why[160];
			snprintf(why, sizeof(why), "no query parameter '%.100s'", name);
			cannot(ev, f, &in, why);
		} else {
			set_text(ev, &out, r, n);
		}
		free(r);
		free(name);
		break;
	}
	case TW_FILTER_TO_DATE: {
		if (in.date) { /* already one: an expiry */
			out.j = json_incref(in.j);
			out.date = true;
			break;
		}
		if (!s || in.bytes)
			return cannot(ev, f, &in, "toDate reads a string"), false;
		char *fmt = f->arg.kind == TW_VAL_STRING ? expand_arg(ev, &f->arg, false) : NULL;
		if (f->arg.kind == TW_VAL_STRING && !fmt)
			return false;
		time_t t = 0;
		bool ok;
		if (fmt) {
			struct tm tm = {0};
			const char *end = strptime(s, fmt, &tm);
			ok = end && *end == '\0';
			/* glibc's %z sets tm_gmtoff (0 without one), which
			 * timegm neither reads nor keeps. */
			long offset = tm.tm_gmtoff;
			if (ok)
				t = timegm(&tm) - offset;
		} else {
			ok = strlen(s) == len && iso_parse(s, &t);
		}
		if (!ok) {
			char why[200];
			snprintf(why, sizeof(why), "not a date in the format %.100s",
				 fmt ? fmt : "ISO 8601 (2026-12-02T08:40:00Z)");
			cannot(ev, f, &in, why);
		} else {
			out.j = json_integer((json_int_t)t);
			out.date = true;
		}
		free(fmt);
		if (!ok)
			return false;
		break;
	}
	case TW_FILTER_DAYS_AFTER_NOW:
	case TW_FILTER_DAYS_BEFORE_NOW: {
		if (!in.date)
			return cannot(ev, f, &in, "not a date (toDate makes one)"), false;
		double secs = (double)json_integer_value(in.j) - (double)time(NULL);
		if (f->kind == TW_FILTER_DAYS_BEFORE_NOW)
			secs = -secs;
		out.j = json_integer((json_int_t)floor(secs / 86400.0));
		break;
	}
	case TW_FILTER_TO_HEX: {
		/* How a binary value is written in a script: `toHex == "0aff"`. */
		if (!s)
			return cannot(ev, f, &in, "toHex reads bytes or a string"), false;
		char *hex = len < SIZE_MAX / 2 ? malloc(2 * len + 1) : NULL;
		if (!hex) {
			ev->oom = true;
			return false;
		}
		for (size_t i = 0; i < len; i++)
			snprintf(hex + 2 * i, 3, "%02x", (unsigned char)s[i]);
		hex[2 * len] = '\0';
		set_text(ev, &out, hex, 2 * len);
		free(hex);
		break;
	}
	case TW_FILTER_SHA256:
	case TW_FILTER_MD5: {
		if (!s)
			return cannot(ev, f, &in, "not a string or bytes"), false;
		char *hex = tw_digest_hex(f->kind == TW_FILTER_MD5 ? "md5" : "sha256", s, len);
		if (!hex) {
			ev->oom = true;
			return false;
		}
		set_text(ev, &out, hex, strlen(hex));
		free(hex);
		break;
	}
	}
	if (ev->done || ev->oom) {
		json_decref(out.j);
		return false;
	}
	if (!out.j) {
		ev->oom = true;
		return false;
	}
	/* Text cut, picked or rewritten is still text; what jsonpath parses is
	 * JSON. */
	out.text = in.text && f->kind != TW_FILTER_JSONPATH && !out.bytes && !out.date;
	json_decref(v->j);
	*v = out;
	return true;
}

/* Whether the subject's value holds a secret in a spelling the redactor
 * knows. What a filter makes of it (base64Encode, replace, split...) the
 * redactor may not recognise, so all of it is shown as ***. */
static bool holds_secret(const eval *ev)
{
	const actual *a = &ev->act;
	if (!tw_redact_reach(ev->redact) || !a->str)
		return false;
	for (size_t i = 0; i < a->len; i++)
		if (tw_redact_span(ev->redact, a->str, a->len, i))
			return true;
	return false;
}

void tw_filter_apply(eval *ev)
{
	const tw_expect *ex = ev->ex;
	if (ex->filter_count == 0 || ev->done || ev->oom)
		return;
	val v = {0};
	size_t i = 0;
	if (!ev->act.present) {
		/* Nothing to filter: the absence stands, but nothing counts 0. */
		if (ex->filters[0].kind != TW_FILTER_COUNT)
			return;
		if (!(v.j = json_integer(0))) {
			ev->oom = true;
			return;
		}
		free(ev->act.missing);
		free(ev->act.missing_actual);
		ev->act.missing = ev->act.missing_actual = NULL;
		i = 1;
	} else if (!from_actual(ev, &v)) {
		return;
	}
	ev->act.secret = ev->act.present && (ev->act.secret || holds_secret(ev));
	for (; i < ex->filter_count; i++)
		if (!apply(ev, &ex->filters[i], &v) || !ev->act.present)
			break;
	if (i == ex->filter_count) {
		/* The predicate, too, reads a list of one as its item. */
		if (json_is_array(v.j) && json_array_size(v.j) == 1) {
			json_t *item = json_incref(json_array_get(v.j, 0));
			json_decref(v.j);
			v = (val){.j = item, .text = v.text};
		}
		to_actual(ev, &v);
	}
	json_decref(v.j);
}
