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
 *   2. The actual value, by subject:
 *      status       the HTTP status, a number
 *      header NAME  the first header called NAME (case-insensitive)
 *      text         what a person reads: the visible text of an HTML page
 *                   (scripts and styles left out, whitespace collapsed),
 *                   otherwise the body
 *      body         the raw body, all of it (NUL bytes included)
 *      title        the HTML <title>, whitespace collapsed
 *      url          the final URL, after redirects
 *      xpath EXPR   XPath 1.0 on the parsed page (HTML, or XML for XML
 *                   types): a node-set gives its first node's string value,
 *                   a number, boolean or string result is that value
 *      json QUERY   the first value the query selects in the JSON body
 *                   (expectations/jsonpath.h); the body must be JSON
 *      cookie NAME  the value of the first unexpired cookie called NAME in
 *                   the customer's jar, whatever its domain or path
 *      time         the step's total time in milliseconds
 *
 *      With `count` (json and xpath only) the actual is the number of
 *      matches instead: the node-set's size for xpath; for json the number
 *      of values selected, except that when the query selects exactly one
 *      value and it is an array, the array's size, so `json $.items count
 *      == 3` counts items.
 *
 *      Something is absent when the header, cookie or title is not there,
 *      when a query selects nothing, or when there is no URL. Absence fails
 *      every operator but `not exists`, with the reason as the message
 *      ("no header 'X-Trace' in the response", "$.status matched
 *      nothing").
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
 *      contains a substring of the actual's string form
 *      ~        PCRE2 on the actual's string form (UTF-8 required)
 *      exists   the actual is there: a header or cookie even if empty, a
 *               query that selects something (a JSON null counts), a
 *               non-empty text, body, title or xpath string, a true xpath
 *               boolean, an xpath number other than NaN
 *      not exists  the opposite
 *
 *   String forms, for contains, ~, captures and messages: text as it is;
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
 * Regex, XPath and JSON queries are compiled per evaluation (one
 * performance evaluates each line once); compiling is kept apart from
 * matching so a per-step cache can come later.
 */
/* memmem: glibc's is linear-time (two-way), which matters when a script's
 * needle meets an 8 MiB hostile body. */
#define _GNU_SOURCE
#include "expectations/expect.h"

#include <ctype.h>
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
#include "core/template.h"
#include "expectations/jsonpath.h"
#include "expectations/regex.h"

/* How much of a value goes inside a one-line message. */
#define MSG_EXCERPT 120

#define ELLIPSIS "\xe2\x80\xa6"   /* … */
#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD for bytes that are not UTF-8 */

typedef enum actual_kind {
	ACT_STRING,
	ACT_NUMBER,
	ACT_BOOL,
	ACT_JSON,
} actual_kind;

/* What came back, as the operator sees it. */
typedef struct actual {
	bool present;
	char *missing;        /* why it is absent: the failure message; owned */
	char *missing_actual; /* what there is instead, for reports; owned */
	actual_kind kind;
	const char *str;      /* the string form: len bytes, may hold NULs */
	size_t len;
	char *owned;          /* the storage behind str when it is ours */
	double number;        /* ACT_NUMBER */
	bool boolean;         /* ACT_BOOL */
	json_t *json;         /* ACT_JSON; borrowed from the response */
	size_t matches;       /* json and xpath: how many were selected */
	bool empty_is_absent; /* text, body, title, xpath string */
	bool long_text;       /* text and body: an excerpt, not a quote */
} actual;

typedef struct eval {
	const tw_expect *ex;
	tw_response *resp;    /* NULL when the subject's value is given */
	const char *given;    /* the value of a call subject; NULL: absent */
	const char *absent;   /* why a given value is absent */
	const tw_vars *vars;
	const tw_redact *redact; /* excerpts mask secrets before they cut */
	tw_expect_outcome *out;
	char *arg;      /* ex->arg, expanded */
	char *want;     /* ex->value.text, expanded (STRING and REGEX); the
			   value as shown for other kinds */
	char *label;    /* "status", "header Content-Type", "json $.items count" */
	char *expected; /* the right-hand side for reports */
	actual act;
	bool done;      /* the outcome is decided */
	bool oom;
} eval;

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

__attribute__((format(printf, 2, 3))) static char *format(eval *ev, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = vformat(ev, fmt, ap);
	va_end(ap);
	return s;
}

static char *copy(eval *ev, const char *s, size_t len)
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

static char *excerpt(eval *ev, const char *s, size_t len, const char *focus, size_t max)
{
	char *e = tw_excerpt(s, len, focus, max, ev->redact);
	if (!e)
		ev->oom = true;
	return e;
}

/* Sets the outcome once; takes ownership of actual_text. */
__attribute__((format(printf, 4, 5))) static void decide(eval *ev, bool passed,
							 char *actual_text, const char *fmt, ...)
{
	if (ev->done) {
		free(actual_text);
		return;
	}
	ev->done = true;
	tw_expect_outcome *out = ev->out;
	out->passed = passed;
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
static void format_number(double v, char *buf, size_t n)
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

/* A decimal number and nothing else (surrounding whitespace allowed):
 * "42", "-8.50", "1e3". Not "0x1A", "inf" or "nan", which strtod takes. */
static bool parse_number(const char *s, size_t len, double *out)
{
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	char buf[64];
	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	const char *p = buf;
	if (*p == '+' || *p == '-')
		p++;
	size_t digits = 0;
	while (isdigit((unsigned char)*p)) {
		p++;
		digits++;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			p++;
			digits++;
		}
	}
	if (digits == 0)
		return false;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p)
		return false;
	double v = strtod(buf, NULL);
	if (!isfinite(v))
		return false;
	*out = v;
	return true;
}

static bool bytes_equal(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);
	return alen == blen && memcmp(a, b, alen) == 0;
}

/* ---- the actual value ---- */

static void set_string(eval *ev, const char *s, size_t len)
{
	ev->act.present = true;
	ev->act.kind = ACT_STRING;
	ev->act.str = s ? s : "";
	ev->act.len = s ? len : 0;
}

static void set_owned_string(eval *ev, char *s, size_t len)
{
	free(ev->act.owned);
	ev->act.owned = s;
	set_string(ev, s, len);
}

static void set_number(eval *ev, double v)
{
	char buf[64];
	format_number(v, buf, sizeof(buf));
	char *s = copy(ev, buf, strlen(buf));
	set_owned_string(ev, s, s ? strlen(s) : 0);
	ev->act.kind = ACT_NUMBER;
	ev->act.number = v;
}

static void set_bool(eval *ev, bool v)
{
	set_string(ev, v ? "true" : "false", v ? 4 : 5);
	ev->act.kind = ACT_BOOL;
	ev->act.boolean = v;
}

/* Absent: msg becomes the failure message of every operator but `not
 * exists`. Takes ownership of both. */
static void set_missing(eval *ev, char *msg, char *instead)
{
	ev->act.present = false;
	free(ev->act.missing);
	free(ev->act.missing_actual);
	ev->act.missing = msg;
	ev->act.missing_actual = instead;
}

static char *body_excerpt(eval *ev, size_t max)
{
	return excerpt(ev, ev->resp->body.data, ev->resp->body.len, NULL, max);
}

/* "text/html", "a body without Content-Type" */
static const char *content_type_words(const tw_response *resp)
{
	return resp->content_type ? resp->content_type : "a body without Content-Type";
}

static void fetch_header(eval *ev)
{
	const char *v = tw_response_header(ev->resp, ev->arg);
	if (v) {
		set_string(ev, v, strlen(v));
		return;
	}
	/* The names that did come help with a typo. */
	tw_buf names;
	tw_buf_init(&names, TW_EXCERPT_MAX);
	int rc = tw_buf_puts(&names, "headers:");
	for (size_t i = 0; rc == TW_OK && i < ev->resp->header_count; i++)
		rc = tw_buf_printf(&names, "%s %s", i ? "," : "", ev->resp->headers[i].name);
	if (rc == TW_OK && ev->resp->header_count == 0)
		rc = tw_buf_puts(&names, " none");
	if (rc == TW_ENOMEM)
		ev->oom = true;
	char *instead = tw_buf_steal(&names);
	if (!instead)
		ev->oom = true;
	set_missing(ev, format(ev, "no header '%s' in the response", ev->arg), instead);
}

/* Why an HTML or XML body that is there gave no document; NULL otherwise. */
static const char *doc_error(tw_response *resp)
{
	return resp->body.len && !tw_response_doc(resp) ? tw_response_doc_error(resp) : NULL;
}

static void fetch_text(eval *ev)
{
	if (tw_response_is_html(ev->resp) && doc_error(ev->resp)) {
		set_missing(ev, format(ev, "the page does not parse: %s", doc_error(ev->resp)),
			    body_excerpt(ev, TW_EXCERPT_MAX));
		return;
	}
	const char *text = tw_response_text(ev->resp);
	/* Outside HTML the text is the body itself, which may hold NULs. */
	size_t len = text == ev->resp->body.data ? ev->resp->body.len : strlen(text);
	set_string(ev, text, len);
	ev->act.long_text = true;
	ev->act.empty_is_absent = true;
}

static void fetch_title(eval *ev)
{
	xmlDocPtr doc = tw_response_doc(ev->resp);
	char *title = doc ? tw_html_title(doc) : NULL;
	if (title) {
		set_owned_string(ev, title, strlen(title));
		ev->act.empty_is_absent = true;
		return;
	}
	if (doc_error(ev->resp))
		set_missing(ev, format(ev, "the page does not parse: %s", doc_error(ev->resp)),
			    body_excerpt(ev, TW_EXCERPT_MAX));
	else
		set_missing(ev, format(ev, "the page has no <title>"),
			    body_excerpt(ev, TW_EXCERPT_MAX));
}

/* One line of CURLINFO_COOKIELIST, Netscape format:
 * domain \t tailmatch \t path \t secure \t expiry \t name \t value */
static bool cookie_fields(const char *line, const char *f[7], size_t flen[7])
{
	const char *p = line;
	for (int i = 0; i < 7; i++) {
		const char *tab = i < 6 ? strchr(p, '\t') : NULL;
		if (i < 6 && !tab)
			return false;
		f[i] = p;
		flen[i] = tab ? (size_t)(tab - p) : strlen(p);
		p = tab ? tab + 1 : p;
	}
	return true;
}

static void fetch_cookie(eval *ev)
{
	struct curl_slist *list = NULL;
	if (ev->resp->easy)
		curl_easy_getinfo(ev->resp->easy, CURLINFO_COOKIELIST, &list);
	tw_buf names;
	tw_buf_init(&names, TW_EXCERPT_MAX);
	int rc = tw_buf_puts(&names, "cookies:");
	size_t seen = 0;
	time_t now = time(NULL);
	bool found = false;
	for (struct curl_slist *l = list; l && !found; l = l->next) {
		const char *f[7];
		size_t flen[7];
		if (!cookie_fields(l->data, f, flen))
			continue;
		/* Expired cookies linger in the list until curl tidies up, but
		 * a browser would not send them. 0 means a session cookie. */
		long long expiry = strtoll(f[4], NULL, 10);
		if (expiry > 0 && expiry < (long long)now)
			continue;
		if (flen[5] == strlen(ev->arg) && memcmp(f[5], ev->arg, flen[5]) == 0) {
			char *v = copy(ev, f[6], flen[6]);
			set_owned_string(ev, v, v ? flen[6] : 0);
			found = true;
		} else if (rc == TW_OK) {
			rc = tw_buf_printf(&names, "%s %.*s", seen++ ? "," : "", (int)flen[5], f[5]);
		}
	}
	curl_slist_free_all(list);
	if (rc == TW_ENOMEM)
		ev->oom = true;
	if (found) {
		tw_buf_free(&names);
		return;
	}
	if (rc == TW_OK && seen == 0)
		rc = tw_buf_puts(&names, " none");
	char *instead = tw_buf_steal(&names);
	if (!instead)
		ev->oom = true;
	set_missing(ev, format(ev, "no cookie '%s' in the customer's jar", ev->arg), instead);
}

/* The string form of a JSON value (see the top of the file). */
static void set_json(eval *ev, json_t *v)
{
	ev->act.present = true;
	ev->act.kind = ACT_JSON;
	ev->act.json = v;
	char buf[64];
	switch (json_typeof(v)) {
	case JSON_STRING:
		ev->act.str = json_string_value(v);
		ev->act.len = json_string_length(v);
		return;
	case JSON_INTEGER:
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		format_number(json_real_value(v), buf, sizeof(buf));
		break;
	case JSON_TRUE:
		snprintf(buf, sizeof(buf), "true");
		break;
	case JSON_FALSE:
		snprintf(buf, sizeof(buf), "false");
		break;
	case JSON_NULL:
		snprintf(buf, sizeof(buf), "null");
		break;
	case JSON_OBJECT:
	case JSON_ARRAY: {
		char *dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		if (!dump) {
			ev->oom = true;
			return;
		}
		/* json_dumps memory comes from jansson's allocator. */
		char *s = copy(ev, dump, strlen(dump));
		free(dump);
		free(ev->act.owned);
		ev->act.owned = s;
		ev->act.str = s ? s : "";
		ev->act.len = s ? strlen(s) : 0;
		return;
	}
	}
	char *s = copy(ev, buf, strlen(buf));
	free(ev->act.owned);
	ev->act.owned = s;
	ev->act.str = s ? s : "";
	ev->act.len = s ? strlen(s) : 0;
}

static void fetch_json(eval *ev)
{
	tw_response *resp = ev->resp;
	const char *why = NULL;
	json_t *doc = tw_response_json(resp, &why);
	if (!doc) {
		if (resp->body.len == 0) {
			decide(ev, false, NULL, "expected a JSON body, got an empty body");
		} else if (resp->content_type && strstr(resp->content_type, "json")) {
			decide(ev, false, body_excerpt(ev, TW_EXCERPT_MAX),
			       "expected a JSON body, got %s that does not parse: %s",
			       resp->content_type, why);
		} else {
			char *short_body = body_excerpt(ev, MSG_EXCERPT);
			decide(ev, false, body_excerpt(ev, TW_EXCERPT_MAX),
			       "expected a JSON body, got %s: %s", content_type_words(resp),
			       short_body ? short_body : "");
			free(short_body);
		}
		return;
	}

	tw_json_matches m = {0};
	tw_error err = {0};
	int rc = tw_jsonpath_eval(ev->arg, doc, &m, &err);
	if (rc == TW_ENOMEM) {
		ev->oom = true;
	} else if (rc == TW_ESYNTAX) {
		decide(ev, false, NULL, "invalid JSON query: %s", err.message);
	} else if (rc) {
		decide(ev, false, NULL, "%s: %s", ev->label, err.message);
	} else if (ev->ex->count) {
		size_t n = m.count;
		if (n == 1 && json_is_array(m.items[0]))
			n = json_array_size(m.items[0]);
		set_number(ev, (double)n);
	} else if (m.count == 0) {
		set_missing(ev, format(ev, "%s matched nothing", ev->arg),
			    body_excerpt(ev, TW_EXCERPT_MAX));
	} else {
		set_json(ev, m.items[0]);
	}
	ev->act.matches = m.count;
	tw_json_matches_free(&m);
	tw_error_clear(&err);
}

/* The first error libxml2 raised while evaluating an XPath. */
typedef struct xpath_error {
	bool raised;
	int code;
	int offset; /* in the expression */
	char message[200];
} xpath_error;

/* libxml2 prints errors on stderr unless someone takes them, and the
 * engine never prints. The context's own handler is not enough: before
 * 2.12 libxml2 hands it the error without its message text, which it only
 * formats on the way to the (per-thread) structured handler. So we take
 * that one for the duration of the call. */
#if LIBXML_VERSION >= 21200
static void collect_xpath_error(void *ctx, const xmlError *e)
#else
static void collect_xpath_error(void *ctx, xmlErrorPtr e)
#endif
{
	xpath_error *x = ctx;
	if (x->raised || !e)
		return;
	x->raised = true;
	x->code = e->code;
	x->offset = e->int1;
	snprintf(x->message, sizeof(x->message), "%s", e->message ? e->message : "");
	size_t n = strlen(x->message);
	while (n && isspace((unsigned char)x->message[n - 1]))
		x->message[--n] = '\0';
	/* It goes mid-sentence: "Invalid expression" -> "invalid expression". */
	if (isupper((unsigned char)x->message[0]) && islower((unsigned char)x->message[1]))
		x->message[0] = (char)tolower((unsigned char)x->message[0]);
}

static void quiet_generic(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void xpath_value(eval *ev, xmlXPathObjectPtr res)
{
	switch (res->type) {
	case XPATH_NODESET: {
		int n = res->nodesetval ? res->nodesetval->nodeNr : 0;
		ev->act.matches = (size_t)n;
		if (ev->ex->count) {
			set_number(ev, n);
		} else if (n == 0) {
			set_missing(ev, format(ev, "%s matched nothing", ev->arg),
				    body_excerpt(ev, TW_EXCERPT_MAX));
		} else {
			xmlChar *s = xmlXPathCastNodeToString(res->nodesetval->nodeTab[0]);
			if (!s) {
				ev->oom = true;
				return;
			}
			size_t len = strlen((const char *)s);
			set_owned_string(ev, copy(ev, (const char *)s, len), len);
			xmlFree(s);
		}
		return;
	}
	case XPATH_BOOLEAN:
	case XPATH_NUMBER:
	case XPATH_STRING:
		if (ev->ex->count) {
			decide(ev, false, NULL, "%s gives a %s, not a node-set to count", ev->label,
			       res->type == XPATH_BOOLEAN  ? "boolean"
			       : res->type == XPATH_NUMBER ? "number"
							   : "string");
			return;
		}
		if (res->type == XPATH_BOOLEAN) {
			set_bool(ev, res->boolval);
		} else if (res->type == XPATH_NUMBER) {
			set_number(ev, res->floatval);
		} else {
			const char *s = res->stringval ? (const char *)res->stringval : "";
			size_t len = strlen(s);
			set_owned_string(ev, copy(ev, s, len), len);
			ev->act.empty_is_absent = true;
		}
		return;
	default: {
		xmlChar *s = xmlXPathCastToString(res);
		if (!s) {
			ev->oom = true;
			return;
		}
		size_t len = strlen((const char *)s);
		set_owned_string(ev, copy(ev, (const char *)s, len), len);
		xmlFree(s);
		ev->act.empty_is_absent = true;
		return;
	}
	}
}

static void fetch_xpath(eval *ev)
{
	xmlDocPtr doc = tw_response_doc(ev->resp);
	if (!doc) {
		if (ev->resp->body.len == 0)
			decide(ev, false, NULL,
			       "expected an HTML or XML body for xpath, got an empty body");
		else
			decide(ev, false, body_excerpt(ev, TW_EXCERPT_MAX),
			       "expected an HTML or XML body for xpath, got %s that does not parse%s%s",
			       content_type_words(ev->resp), doc_error(ev->resp) ? ": " : "",
			       doc_error(ev->resp) ? doc_error(ev->resp) : "");
		return;
	}
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	if (!ctx) {
		ev->oom = true;
		return;
	}
	xpath_error x = {0};
	xmlStructuredErrorFunc saved = xmlStructuredError;
	void *saved_ctx = xmlStructuredErrorContext;
	xmlGenericErrorFunc saved_generic = xmlGenericError;
	void *saved_generic_ctx = xmlGenericErrorContext;
	xmlSetStructuredErrorFunc(&x, collect_xpath_error);
	xmlSetGenericErrorFunc(NULL, quiet_generic);
	xmlXPathObjectPtr res = xmlXPathEvalExpression((const xmlChar *)ev->arg, ctx);
	xmlSetGenericErrorFunc(saved_generic_ctx, saved_generic);
	xmlSetStructuredErrorFunc(saved_ctx, saved);
	xmlXPathFreeContext(ctx);

	if (!res) {
		if (x.code == XML_ERR_NO_MEMORY || x.code == XML_XPATH_MEMORY_ERROR)
			ev->oom = true;
		else if (x.message[0])
			decide(ev, false, NULL, "invalid XPath \"%s\": %s at offset %d", ev->arg,
			       x.message, x.offset);
		else
			decide(ev, false, NULL, "invalid XPath \"%s\": it does not evaluate",
			       ev->arg);
		return;
	}
	xpath_value(ev, res);
	xmlXPathFreeObject(res);
}

static void fetch(eval *ev)
{
	tw_response *resp = ev->resp;
	switch (ev->ex->subject) {
	case TW_SUBJ_STATUS:
		set_number(ev, (double)resp->status);
		break;
	case TW_SUBJ_HEADER:
		fetch_header(ev);
		break;
	case TW_SUBJ_TEXT:
		fetch_text(ev);
		break;
	case TW_SUBJ_BODY:
		set_string(ev, resp->body.data, resp->body.len);
		ev->act.long_text = true;
		ev->act.empty_is_absent = true;
		break;
	case TW_SUBJ_TITLE:
		fetch_title(ev);
		break;
	case TW_SUBJ_URL:
		if (resp->url)
			set_string(ev, resp->url, strlen(resp->url));
		else
			set_missing(ev, format(ev, "no URL: there is no response yet"), NULL);
		break;
	case TW_SUBJ_XPATH:
		fetch_xpath(ev);
		break;
	case TW_SUBJ_JSON:
		fetch_json(ev);
		break;
	case TW_SUBJ_COOKIE:
		fetch_cookie(ev);
		break;
	case TW_SUBJ_TIME: {
		/* Whole milliseconds: nobody sets a target in microseconds. */
		double ms = resp->timings.total_ms;
		set_number(ev, round(ms));
		ev->act.number = ms;
		break;
	}
	case TW_SUBJ_PROMPT:
	case TW_SUBJ_TRANSFER:
	case TW_SUBJ_RECORDING:
	case TW_SUBJ_REJECTED:
	case TW_SUBJ_HANGUP:
		if (ev->given)
			set_string(ev, ev->given, strlen(ev->given));
		else
			set_missing(ev, format(ev, "%s", ev->absent ? ev->absent : "it did not happen"),
				    NULL);
		break;
	}
}

/* ---- rendering ---- */

static char *quoted(eval *ev, const char *s, size_t len, size_t max)
{
	char *e = excerpt(ev, s, len, NULL, max);
	char *q = e ? format(ev, "\"%s\"", e) : NULL;
	free(e);
	return q;
}

/* The value as the script gave it, templates expanded: "baking" with
 * quotes, 200, 800ms, /order (\d+)/i, true, null. */
static char *render_value(eval *ev)
{
	const tw_value *v = &ev->ex->value;
	char buf[64];
	switch (v->kind) {
	case TW_VAL_NONE:
		return format(ev, "%s", "");
	case TW_VAL_STRING:
		return quoted(ev, ev->want, strlen(ev->want), TW_EXCERPT_MAX);
	case TW_VAL_NUMBER:
		if (v->text)
			return format(ev, "%s%s", v->text,
				      ev->ex->subject == TW_SUBJ_TIME ? "ms" : "");
		format_number(v->number, buf, sizeof(buf));
		return format(ev, "%s%s", buf, ev->ex->subject == TW_SUBJ_TIME ? "ms" : "");
	case TW_VAL_DURATION:
		if (v->text)
			return format(ev, "%s", v->text);
		format_number(v->number, buf, sizeof(buf));
		return format(ev, "%sms", buf);
	case TW_VAL_BOOL:
		return format(ev, "%s", v->boolean ? "true" : "false");
	case TW_VAL_NULL:
		return format(ev, "null");
	case TW_VAL_REGEX:
		return format(ev, "/%s/%s", ev->want, v->flags ? v->flags : "");
	}
	return format(ev, "?");
}

/* The actual inside a message: 404, "cold", 1234ms, [1,2]. */
static char *render_actual(eval *ev)
{
	const actual *a = &ev->act;
	if (ev->ex->subject == TW_SUBJ_TIME && !ev->ex->count)
		return format(ev, "%sms", a->str);
	if (ev->ex->subject == TW_SUBJ_STATUS && a->number == 0)
		return format(ev, "0 (no response)");
	if (a->kind == ACT_STRING || (a->kind == ACT_JSON && json_is_string(a->json)))
		return quoted(ev, a->str, a->len, MSG_EXCERPT);
	return excerpt(ev, a->str, a->len, NULL, MSG_EXCERPT);
}

/* outcome->actual: a longer excerpt of the string form. */
static char *actual_field(eval *ev, const char *focus)
{
	if (ev->ex->subject == TW_SUBJ_TIME && !ev->ex->count)
		return format(ev, "%sms", ev->act.str);
	return excerpt(ev, ev->act.str, ev->act.len, focus, TW_EXCERPT_MAX);
}

/* " (the first of 3 matches)" when a query selected several values and
 * only the first was judged. */
static const char *first_of(eval *ev, char *buf, size_t n)
{
	buf[0] = '\0';
	if (!ev->ex->count && ev->act.matches > 1)
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

static bool equals(eval *ev)
{
	const actual *a = &ev->act;
	const tw_value *v = &ev->ex->value;
	double n;
	switch (v->kind) {
	case TW_VAL_NUMBER:
	case TW_VAL_DURATION:
		if (a->kind == ACT_NUMBER)
			return a->number == v->number;
		if (a->kind == ACT_JSON)
			return json_is_number(a->json) && json_number_value(a->json) == v->number;
		if (a->kind == ACT_STRING && parse_number(a->str, a->len, &n))
			return n == v->number;
		return v->text && bytes_equal(a->str, a->len, v->text);
	case TW_VAL_STRING:
		if (a->kind == ACT_JSON && (json_is_object(a->json) || json_is_array(a->json)))
			return false;
		if ((a->kind == ACT_NUMBER || (a->kind == ACT_JSON && json_is_number(a->json))) &&
		    parse_number(ev->want, strlen(ev->want), &n)) {
			double have = a->kind == ACT_NUMBER ? a->number : json_number_value(a->json);
			if (have == n)
				return true;
		}
		return bytes_equal(a->str, a->len, ev->want);
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
		return false;
	}
	return false;
}

static void capture(eval *ev, const char *s, size_t len)
{
	if (!ev->ex->capture || ev->out->captured)
		return;
	ev->out->captured = copy(ev, s, len);
}

static void judge_equality(eval *ev, char *shown)
{
	bool eq = equals(ev);
	bool holds = ev->ex->op == TW_OP_EQ ? eq : !eq;
	char *value = render_value(ev);
	char first[64];
	if (holds) {
		capture(ev, ev->act.str, ev->act.len);
		decide(ev, true, actual_field(ev, NULL), "%s %s %s", ev->label,
		       tw_op_str(ev->ex->op), value);
	} else if (ev->ex->subject == TW_SUBJ_STATUS && ev->ex->op == TW_OP_EQ) {
		decide(ev, false, actual_field(ev, NULL), "expected status %s, got %s", value,
		       shown);
	} else {
		decide(ev, false, actual_field(ev, NULL), "expected %s %s %s, got %s%s", ev->label,
		       tw_op_str(ev->ex->op), value, shown, first_of(ev, first, sizeof(first)));
	}
	free(value);
}

static bool actual_number(const actual *a, double *n)
{
	switch (a->kind) {
	case ACT_NUMBER:
		*n = a->number;
		return true;
	case ACT_JSON:
		if (!json_is_number(a->json))
			return false;
		*n = json_number_value(a->json);
		return true;
	case ACT_STRING:
		return parse_number(a->str, a->len, n);
	case ACT_BOOL:
		return false;
	}
	return false;
}

static void judge_order(eval *ev, char *shown)
{
	const tw_value *v = &ev->ex->value;
	char *value = render_value(ev);
	char first[64];
	first_of(ev, first, sizeof(first));
	const char *op = tw_op_str(ev->ex->op);
	double want, have;
	bool want_ok = v->kind == TW_VAL_NUMBER || v->kind == TW_VAL_DURATION;
	if (want_ok)
		want = v->number;
	else if (v->kind == TW_VAL_STRING)
		want_ok = parse_number(ev->want, strlen(ev->want), &want);
	if (!want_ok) {
		decide(ev, false, actual_field(ev, NULL), "expected %s %s %s: %s is not a number",
		       ev->label, op, value, value);
	} else if (!actual_number(&ev->act, &have)) {
		decide(ev, false, actual_field(ev, NULL), "expected %s %s %s, got %s: not a number%s",
		       ev->label, op, value, shown, first);
	} else {
		bool holds = false;
		switch (ev->ex->op) {
		case TW_OP_LT: holds = have < want; break;
		case TW_OP_LE: holds = have <= want; break;
		case TW_OP_GT: holds = have > want; break;
		case TW_OP_GE: holds = have >= want; break;
		default: break;
		}
		if (holds) {
			capture(ev, ev->act.str, ev->act.len);
			decide(ev, true, actual_field(ev, NULL), "%s %s %s", ev->label, op, value);
		} else {
			decide(ev, false, actual_field(ev, NULL), "expected %s %s %s, %s %s%s",
			       ev->label, op, value,
			       ev->ex->subject == TW_SUBJ_TIME ? "took" : "got", shown, first);
		}
	}
	free(value);
}

static void judge_contains(eval *ev, char *shown)
{
	const actual *a = &ev->act;
	size_t n = strlen(ev->want);
	const char *hit = n == 0 ? a->str : memmem(a->str, a->len, ev->want, n);
	char *value = render_value(ev);
	char first[64];
	if (hit) {
		capture(ev, a->str, a->len);
		decide(ev, true, actual_field(ev, hit), "%s contains %s", ev->label, value);
	} else if (a->long_text) {
		decide(ev, false, actual_field(ev, NULL), "expected %s to contain %s", ev->label,
		       value);
	} else {
		decide(ev, false, actual_field(ev, NULL), "expected %s to contain %s, got %s%s",
		       ev->label, value, shown, first_of(ev, first, sizeof(first)));
	}
	free(value);
}

static void judge_match(eval *ev, char *shown)
{
	const actual *a = &ev->act;
	const tw_value *v = &ev->ex->value;
	char *value = render_value(ev);
	char first[64];
	first_of(ev, first, sizeof(first));
	tw_regex *re = NULL;
	tw_error err = {0};
	int rc = tw_regex_compile(&re, ev->want, v->flags, &err);
	if (rc == TW_ENOMEM) {
		ev->oom = true;
	} else if (rc) {
		decide(ev, false, NULL, "invalid regex %s: %s", value, err.message);
	} else {
		bool matched = false;
		char *group = NULL;
		rc = tw_regex_match(re, a->str, a->len, &matched,
				    ev->ex->capture ? &group : NULL, &err);
		if (rc == TW_ENOMEM) {
			ev->oom = true;
		} else if (rc == TW_EUSAGE) {
			decide(ev, false, actual_field(ev, NULL), "expected %s to match %s, but it is %s",
			       ev->label, value, err.message);
		} else if (rc) {
			decide(ev, false, actual_field(ev, NULL), "expected %s to match %s, but %s",
			       ev->label, value, err.message);
		} else if (matched) {
			if (group) {
				ev->out->captured = group;
				group = NULL;
			}
			decide(ev, true, actual_field(ev, NULL), "%s ~ %s", ev->label, value);
		} else if (a->long_text) {
			decide(ev, false, actual_field(ev, NULL), "expected %s to match %s", ev->label,
			       value);
		} else {
			decide(ev, false, actual_field(ev, NULL), "expected %s to match %s, got %s%s",
			       ev->label, value, shown, first);
		}
		free(group);
	}
	tw_regex_free(re);
	tw_error_clear(&err);
	free(value);
}

static void judge(eval *ev)
{
	actual *a = &ev->act;
	tw_op op = ev->ex->op;
	if (op == TW_OP_NOT_EXISTS) {
		if (!exists(a)) {
			capture(ev, "", 0);
			decide(ev, true, a->present ? actual_field(ev, NULL) : NULL, "%s not exists",
			       ev->label);
		} else {
			char *shown = render_actual(ev);
			decide(ev, false, actual_field(ev, NULL), "expected %s not to exist, got %s",
			       ev->label, shown ? shown : "");
			free(shown);
		}
		return;
	}
	if (!a->present) {
		char *instead = a->missing_actual;
		a->missing_actual = NULL;
		decide(ev, false, instead, "%s", a->missing ? a->missing : "");
		return;
	}
	char *shown = render_actual(ev);
	if (!shown)
		return;
	switch (op) {
	case TW_OP_EXISTS:
		if (exists(a)) {
			capture(ev, a->str, a->len);
			decide(ev, true, actual_field(ev, NULL), "%s exists", ev->label);
		} else {
			decide(ev, false, actual_field(ev, NULL), "expected %s to exist, got %s",
			       ev->label, shown);
		}
		break;
	case TW_OP_EQ:
	case TW_OP_NE:
		judge_equality(ev, shown);
		break;
	case TW_OP_LT:
	case TW_OP_LE:
	case TW_OP_GT:
	case TW_OP_GE:
		judge_order(ev, shown);
		break;
	case TW_OP_CONTAINS:
		judge_contains(ev, shown);
		break;
	case TW_OP_MATCHES:
		judge_match(ev, shown);
		break;
	case TW_OP_NOT_EXISTS:
		break;
	}
	free(shown);
}

/* ---- setup ---- */

/* Expands arg and the value; false (with a failed outcome) when a template
 * does not expand. */
static bool expand(eval *ev)
{
	const tw_expect *ex = ev->ex;
	tw_error err = {0};
	int rc = TW_OK;
	if (ex->arg)
		rc = tw_template_expand(ex->arg, ev->vars, TW_EXPAND_PLAIN, &ev->arg, NULL, &err);
	if (rc == TW_OK && (ex->value.kind == TW_VAL_STRING || ex->value.kind == TW_VAL_REGEX))
		rc = tw_template_expand(ex->value.text ? ex->value.text : "", ev->vars,
					ex->value.kind == TW_VAL_REGEX ? TW_EXPAND_REGEX
								       : TW_EXPAND_PLAIN,
					&ev->want, NULL, &err);
	/* Any other value is, as text, what the script shows for it: `expect
	 * text 8.50` looks for "8.50", not for the number. Every judge can then
	 * rely on want. */
	if (rc == TW_OK && !ev->want && !(ev->want = render_value(ev)))
		rc = TW_ENOMEM;
	if (rc == TW_ENOMEM)
		ev->oom = true;
	else if (rc)
		decide(ev, false, NULL, "%s", err.message ? err.message : "a template does not expand");
	tw_error_clear(&err);
	return rc == TW_OK;
}

static char *make_label(eval *ev)
{
	const char *count = ev->ex->count ? " count" : "";
	/* No argument only when the script is broken: "json" alone. */
	const char *sep = ev->arg ? " " : "";
	const char *arg = ev->arg ? ev->arg : "";
	switch (ev->ex->subject) {
	case TW_SUBJ_STATUS: return format(ev, "status%s", count);
	case TW_SUBJ_HEADER: return format(ev, "header%s%s%s", sep, arg, count);
	case TW_SUBJ_TEXT: return format(ev, "text%s", count);
	case TW_SUBJ_BODY: return format(ev, "body%s", count);
	case TW_SUBJ_XPATH: return format(ev, "xpath%s%s%s", sep, arg, count);
	case TW_SUBJ_JSON: return format(ev, "json%s%s%s", sep, arg, count);
	case TW_SUBJ_TITLE: return format(ev, "title%s", count);
	case TW_SUBJ_URL: return format(ev, "url%s", count);
	case TW_SUBJ_COOKIE: return format(ev, "cookie%s%s%s", sep, arg, count);
	case TW_SUBJ_TIME: return format(ev, "time%s", count);
	case TW_SUBJ_PROMPT: return format(ev, "prompt");
	case TW_SUBJ_TRANSFER: return format(ev, "transfer");
	case TW_SUBJ_RECORDING: return format(ev, "recording");
	case TW_SUBJ_REJECTED: return format(ev, "rejected");
	case TW_SUBJ_HANGUP: return format(ev, "hangup");
	}
	return format(ev, "?");
}

/* What reports show as expected: the value for ==, else the operator and
 * the value ("< 800ms", "contains \"menu\"", "exists"). */
static char *make_expected(eval *ev)
{
	tw_op op = ev->ex->op;
	if (op == TW_OP_EXISTS || op == TW_OP_NOT_EXISTS)
		return format(ev, "%s", tw_op_str(op));
	char *value = render_value(ev);
	if (!value || op == TW_OP_EQ)
		return value;
	char *s = format(ev, "%s %s", tw_op_str(op), value);
	free(value);
	return s;
}

static bool needs_arg(tw_subject s)
{
	return s == TW_SUBJ_HEADER || s == TW_SUBJ_XPATH || s == TW_SUBJ_JSON ||
	       s == TW_SUBJ_COOKIE;
}

static int evaluate(eval ev, tw_expect_outcome *out)
{
	const tw_expect *ex = ev.ex;
	memset(out, 0, sizeof(*out));
	if (expand(&ev) && !ev.oom) {
		ev.label = make_label(&ev);
		ev.expected = make_expected(&ev);
		bool counts = ex->subject == TW_SUBJ_JSON || ex->subject == TW_SUBJ_XPATH;
		if (!ev.label || !ev.expected)
			; /* out of memory */
		else if (needs_arg(ex->subject) && !ev.arg)
			decide(&ev, false, NULL, "%s needs %s", ev.label,
			       ex->subject == TW_SUBJ_HEADER || ex->subject == TW_SUBJ_COOKIE
				       ? "a name"
				       : "a query");
		else if (ex->count && !counts)
			decide(&ev, false, NULL, "count applies to json and xpath queries only");
		else
			fetch(&ev);
		if (!ev.done && !ev.oom)
			judge(&ev);
	}
	if (out->captured && !out->passed) {
		free(out->captured);
		out->captured = NULL;
	}
	free(ev.arg);
	free(ev.want);
	free(ev.label);
	free(ev.expected);
	free(ev.act.owned);
	free(ev.act.missing);
	free(ev.act.missing_actual);
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

int tw_expect_eval_given(const tw_expect *ex, const char *value, const char *absent,
			 const tw_vars *vars, const tw_redact *redact, tw_expect_outcome *out)
{
	return evaluate((eval){.ex = ex, .given = value, .absent = absent, .vars = vars,
			       .redact = redact, .out = out},
			out);
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
