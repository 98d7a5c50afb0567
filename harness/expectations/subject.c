#define _GNU_SOURCE /* strptime */
/*
 * Subjects: what an expectation reads from the customer's last response
 * (or the value a call step hands it), before any operator sees it.
 * expect.c then judges the value (operators, messages, captures).
 *
 * The actual value, by subject:
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
 *                   a number, boolean or string result is that value. On
 *                   XML the document's namespace prefixes are known, and
 *                   `_` names its default namespace
 *      json QUERY   the value the query selects in the JSON body
 *                   (expectations/jsonpath.h); the body must be JSON.
 *                   Several values are one list (a JSON array, in
 *                   document order), judged whole
 *      cookie NAME  the value of the first unexpired cookie called NAME in
 *                   the customer's jar, whatever its domain or path
 *      time         the step's total time in milliseconds
 *      bytes        the body's bytes (after decompression), typed bytes
 *      sha256, md5  the body's digest, lowercase hex
 *
 *      With filters after it (filter.c), a subject that selects gives a
 *      list: xpath every node's string value, header every value of the
 *      header, json what the query selects, except that a singular query
 *      (names and indexes only) that selects one array gives that array,
 *      so `json $.items count == 3` counts items, as does `json $.items[*]
 *      count`.
 *
 *      Something is absent when the header, cookie or title is not there,
 *      when a query selects nothing, or when there is no URL. Absence fails
 *      every operator but `not exists`, with the reason as the message
 *      ("no header 'X-Trace' in the response", "$.status matched
 *      nothing").
 */
#include "expectations/expect_internal.h"

#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "channels/web/html.h"
#include "core/number.h"
#include "expectations/compiled.h"
#include "expectations/jsonpath.h"

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
	tw_expect_format_number(v, buf, sizeof(buf));
	char *s = tw_expect_copy(ev, buf, strlen(buf));
	set_owned_string(ev, s, s ? strlen(s) : 0);
	ev->act.kind = ACT_NUMBER;
	ev->act.number = v;
}

/* A date (an expiry): seconds since the epoch in number, its ISO 8601
 * form as the string, the way a toDate value is shown. */
static void set_date(eval *ev, time_t t)
{
	char buf[64];
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, sizeof(buf), "%lld", (long long)t);
	char *s = tw_expect_copy(ev, buf, strlen(buf));
	set_owned_string(ev, s, s ? strlen(s) : 0);
	ev->act.date = true;
	ev->act.number = (double)t;
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

static void set_json(eval *ev, json_t *v);

static char *body_excerpt(eval *ev, size_t max)
{
	return tw_expect_excerpt(ev, ev->resp->body.data, ev->resp->body.len, NULL, max);
}

/* "text/html", "a body without Content-Type" */
static const char *content_type_words(const tw_response *resp)
{
	return resp->content_type ? resp->content_type : "a body without Content-Type";
}

/* Adds a name to a list of those that came ("headers: a, b"), or an
 * ellipsis and false once the list is full: a cut list still helps, and
 * says it is cut. */
static bool add_name(tw_buf *b, const char *sep, const char *name, size_t len)
{
	static const char more[] = " \xE2\x80\xA6"; /* " …" */
	if (strlen(sep) + 1 + len + sizeof(more) - 1 > b->max - b->len) {
		tw_buf_puts(b, more);
		return false;
	}
	tw_buf_printf(b, "%s %.*s", sep, (int)len, name);
	return true;
}

/* Every value of the header in order: a list, so `nth 2` and `count`
 * reach Set-Cookie's second line and a predicate sees every value. NULL
 * when there is none. */
static json_t *header_values(eval *ev)
{
	json_t *list = json_array();
	if (!list) {
		ev->oom = true;
		return NULL;
	}
	for (size_t i = 0; i < ev->resp->header_count; i++) {
		const tw_header *h = &ev->resp->headers[i];
		if (strcasecmp(h->name, ev->arg) != 0)
			continue;
		if (json_array_append_new(list, json_stringn_nocheck(h->value, strlen(h->value)))) {
			ev->oom = true;
			break;
		}
	}
	if (json_array_size(list) == 0) {
		json_decref(list);
		return NULL;
	}
	return list;
}

static void fetch_header(eval *ev)
{
	const char *v = tw_response_header(ev->resp, ev->arg);
	/* One rule with and without filters: a header sent several times is
	 * the list of its values; sent once, its value (a list of one, which
	 * filters and the predicate read as its item). */
	size_t sent = 0;
	for (size_t i = 0; v && i < ev->resp->header_count; i++)
		sent += strcasecmp(ev->resp->headers[i].name, ev->arg) == 0;
	if (v && (ev->ex->filter_count || sent > 1)) {
		json_t *list = header_values(ev);
		if (list) {
			ev->act.held = list;
			set_json(ev, list);
		}
		return;
	}
	if (v) {
		set_string(ev, v, strlen(v));
		return;
	}
	/* The names that did come help with a typo. */
	tw_buf names;
	tw_buf_init(&names, TW_EXCERPT_MAX);
	tw_buf_puts(&names, "headers:");
	for (size_t i = 0; i < ev->resp->header_count; i++) {
		const char *name = ev->resp->headers[i].name;
		if (!add_name(&names, i ? "," : "", name, strlen(name)))
			break;
	}
	if (ev->resp->header_count == 0)
		tw_buf_puts(&names, " none");
	char *instead = tw_buf_steal(&names);
	if (!instead)
		ev->oom = true;
	set_missing(ev, tw_expect_format(ev, "no header '%s' in the response", ev->arg), instead);
}

/* Why an HTML or XML body that is there gave no document; NULL otherwise. */
static const char *doc_error(tw_response *resp)
{
	return resp->body.len && !tw_response_doc(resp) ? tw_response_doc_error(resp) : NULL;
}

static void fetch_text(eval *ev)
{
	if (tw_response_is_html(ev->resp) && doc_error(ev->resp)) {
		set_missing(ev,
			    tw_expect_format(ev, "the page does not parse: %s",
					     doc_error(ev->resp)),
			    body_excerpt(ev, TW_EXCERPT_MAX));
		return;
	}
	const char *text = tw_response_text(ev->resp);
	/* Outside HTML the text is the body itself, which may hold NULs. */
	size_t len = strlen(text);
	if (!tw_response_is_html(ev->resp) || !ev->resp->text)
		text = tw_response_body_text(ev->resp, &len);
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
		set_missing(ev,
			    tw_expect_format(ev, "the page does not parse: %s",
					     doc_error(ev->resp)),
			    body_excerpt(ev, TW_EXCERPT_MAX));
	else
		set_missing(ev, tw_expect_format(ev, "the page has no <title>"),
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

/* The jar's cookie (fields of one CURLINFO_COOKIELIST line), or the
 * attribute the expectation asks for: what libcurl keeps (the parser
 * refuses Max-Age and SameSite, which it does not). libcurl marks an
 * HttpOnly cookie by prefixing its domain with "#HttpOnly_", and a domain
 * cookie with a leading dot, which RFC 6265 ignores. */
static void jar_cookie_attr(eval *ev, const char *f[7], const size_t flen[7])
{
	static const char httponly[] = "#HttpOnly_";
	const char *attr = ev->ex->attr;
	bool http_only = flen[0] >= sizeof(httponly) - 1 &&
			 memcmp(f[0], httponly, sizeof(httponly) - 1) == 0;
	const char *s = f[6];
	size_t n = flen[6];
	if (!attr) {
		/* the value */
	} else if (strcmp(attr, "httponly") == 0) {
		set_bool(ev, http_only);
		return;
	} else if (strcmp(attr, "secure") == 0) {
		set_bool(ev, flen[3] == 4 && memcmp(f[3], "TRUE", 4) == 0);
		return;
	} else if (strcmp(attr, "path") == 0) {
		s = f[2], n = flen[2];
	} else if (strcmp(attr, "domain") == 0) {
		s = f[0], n = flen[0];
		if (http_only)
			s += sizeof(httponly) - 1, n -= sizeof(httponly) - 1;
		if (n && *s == '.')
			s++, n--;
	} else { /* expires */
		long long expiry = strtoll(f[4], NULL, 10);
		if (expiry == 0) {
			set_missing(ev,
				    tw_expect_format(ev,
						     "cookie '%s' has no expiry: it is a session "
						     "cookie",
						     ev->arg),
				    NULL);
			return;
		}
		set_date(ev, (time_t)expiry);
		return;
	}
	char *v = tw_expect_copy(ev, s, n);
	set_owned_string(ev, v, v ? n : 0);
}

static void fetch_cookie(eval *ev)
{
	struct curl_slist *list = NULL;
	if (ev->resp->easy)
		curl_easy_getinfo(ev->resp->easy, CURLINFO_COOKIELIST, &list);
	tw_buf names;
	tw_buf_init(&names, TW_EXCERPT_MAX);
	tw_buf_puts(&names, "cookies:");
	bool listing = true;
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
			jar_cookie_attr(ev, f, flen);
			found = true;
		} else if (listing) {
			listing = add_name(&names, seen++ ? "," : "", f[5], flen[5]);
		}
	}
	curl_slist_free_all(list);
	if (found) {
		tw_buf_free(&names);
		return;
	}
	if (seen == 0)
		tw_buf_puts(&names, " none");
	char *instead = tw_buf_steal(&names);
	if (!instead)
		ev->oom = true;
	set_missing(ev, tw_expect_format(ev, "no cookie '%s' in the customer's jar", ev->arg),
		    instead);
}

void tw_subject_set_json(eval *ev, json_t *v)
{
	set_json(ev, v);
}

/* ---- transport subjects (issue 12, capabilities 8 and 11) ---- */

static const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* One `; key[=value]` piece of a Set-Cookie value, blanks trimmed: *key,
 * *klen, *val (NULL when there is no '='), *vlen. Returns where the next
 * piece starts. */
static const char *cookie_piece(const char *p, const char *end, const char **key, size_t *klen,
				const char **val, size_t *vlen)
{
	const char *semi = memchr(p, ';', (size_t)(end - p));
	const char *stop = semi ? semi : end;
	p = skip_blanks(p, stop);
	const char *eq = p;
	while (eq < stop && *eq != '=')
		eq++;
	if (eq == stop)
		eq = NULL;
	const char *kend = eq ? eq : stop;
	while (kend > p && (kend[-1] == ' ' || kend[-1] == '\t'))
		kend--;
	*key = p;
	*klen = (size_t)(kend - p);
	*val = NULL;
	*vlen = 0;
	if (eq) {
		const char *v = skip_blanks(eq + 1, stop), *vend = stop;
		while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t'))
			vend--;
		*val = v;
		*vlen = (size_t)(vend - v);
	}
	return semi ? semi + 1 : end;
}

/* The attribute asked for in one Set-Cookie value (after its name=value):
 * libcurl parses Set-Cookie only into its jar, which keeps no SameSite or
 * Max-Age and no attribute as the server wrote it. */
static void set_cookie_attr(eval *ev, const char *p, const char *end, const char *line)
{
	const char *attr = ev->ex->attr;
	bool flag = strcmp(attr, "secure") == 0 || strcmp(attr, "httponly") == 0;
	while (p < end) {
		const char *k, *v;
		size_t kl, vl;
		p = cookie_piece(p, end, &k, &kl, &v, &vl);
		if (kl != strlen(attr) || strncasecmp(k, attr, kl) != 0)
			continue;
		if (flag) {
			set_bool(ev, true);
			return;
		}
		char *s = tw_expect_copy(ev, v ? v : "", vl);
		double d;
		char *dend = NULL;
		/* An HTTP date in any form libcurl reads; else as written. */
		time_t t = s && strcmp(attr, "expires") == 0 ? curl_getdate(s, NULL) : -1;
		if (s && strcmp(attr, "max-age") == 0 && tw_decimal(s, &d, &dend) && !*dend) {
			free(s);
			set_number(ev, d);
		} else if (t != -1) {
			free(s);
			set_date(ev, t);
		} else {
			set_owned_string(ev, s, s ? vl : 0);
		}
		return;
	}
	if (flag) {
		set_bool(ev, false);
		return;
	}
	set_missing(ev,
		    tw_expect_format(ev, "Set-Cookie '%s' has no %s attribute", ev->arg, attr),
		    tw_expect_excerpt(ev, line, strlen(line), NULL, TW_EXCERPT_MAX));
}

/* The first Set-Cookie of the response naming the cookie, or an attribute
 * of it. */
static void fetch_set_cookie(eval *ev)
{
	tw_buf names;
	tw_buf_init(&names, TW_EXCERPT_MAX);
	tw_buf_puts(&names, "Set-Cookie:");
	bool listing = true;
	size_t seen = 0;
	for (size_t i = 0; i < ev->resp->header_count; i++) {
		if (strcasecmp(ev->resp->headers[i].name, "Set-Cookie") != 0)
			continue;
		const char *line = ev->resp->headers[i].value;
		const char *end = line + strlen(line), *k, *v;
		size_t kl, vl;
		const char *rest = cookie_piece(line, end, &k, &kl, &v, &vl);
		if (!v || kl != strlen(ev->arg) || memcmp(k, ev->arg, kl) != 0) {
			if (listing)
				listing = add_name(&names, seen++ ? "," : "", k, kl);
			continue;
		}
		tw_buf_free(&names);
		if (ev->ex->attr) {
			set_cookie_attr(ev, rest, end, line);
		} else {
			char *s = tw_expect_copy(ev, v, vl);
			set_owned_string(ev, s, s ? vl : 0);
		}
		return;
	}
	if (seen == 0)
		tw_buf_puts(&names, " none");
	char *instead = tw_buf_steal(&names);
	if (!instead)
		ev->oom = true;
	set_missing(ev, tw_expect_format(ev, "no Set-Cookie '%s' in the response", ev->arg),
		    instead);
}

static void fetch_version(eval *ev)
{
	long v = 0;
	if (ev->resp->easy)
		curl_easy_getinfo(ev->resp->easy, CURLINFO_HTTP_VERSION, &v);
	const char *s = v == CURL_HTTP_VERSION_1_0   ? "1.0"
			: v == CURL_HTTP_VERSION_1_1 ? "1.1"
			: v == CURL_HTTP_VERSION_2_0 ? "2"
			: v == CURL_HTTP_VERSION_3   ? "3"
						     : NULL;
	if (s)
		set_string(ev, s, strlen(s));
	else
		set_missing(ev, tw_expect_format(ev, "no HTTP version: no response came"), NULL);
}

/* OpenSSL's "Dec  9 08:00:00 2026 GMT" as ISO 8601, so `is date` and
 * toDate read it; NULL when it is written otherwise. */
static bool cert_expiry(const char *s, time_t *t)
{
	struct tm tm = {0};
	const char *end = strptime(s, "%b %d %H:%M:%S %Y GMT", &tm);
	if (!end || *end)
		return false;
	*t = timegm(&tm);
	return true;
}

/* The server's own certificate (the chain's first) as libcurl's
 * CURLINFO_CERTINFO gave it (kept per origin by the transfer): "Subject:...", "Issuer:...", "Serial
 * Number:...", "Expire date:..." lines. */
static void fetch_certificate(eval *ev)
{
	static const struct {
		const char *field, *prefix;
	} map[] = {
		{"subject", "Subject:"},
		{"issuer", "Issuer:"},
		{"serial", "Serial Number:"},
		{"expires", "Expire date:"},
	};
	const char *prefix = NULL;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(ev->arg, map[i].field) == 0)
			prefix = map[i].prefix;
	if (!prefix || !ev->resp->cert) {
		set_missing(ev,
			    tw_expect_format(ev, "no server certificate: %s",
					     !prefix ? "unknown field"
					     : ev->resp->url && strncmp(ev->resp->url, "https:", 6) == 0
						     ? "the connection did not report one"
						     : "the request was not over https"),
			    NULL);
		return;
	}
	size_t plen = strlen(prefix);
	for (const struct curl_slist *l = ev->resp->cert; l; l = l->next) {
		if (strncmp(l->data, prefix, plen) != 0)
			continue;
		const char *v = l->data + plen;
		time_t t;
		if (strcmp(ev->arg, "expires") == 0 && cert_expiry(v, &t)) {
			set_date(ev, t);
			return;
		}
		char *s = tw_expect_copy(ev, v, strlen(v));
		set_owned_string(ev, s, s ? strlen(s) : 0);
		return;
	}
	set_missing(ev, tw_expect_format(ev, "the server's certificate has no %s", ev->arg), NULL);
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
	case JSON_REAL: tw_expect_format_number(json_real_value(v), buf, sizeof(buf)); break;
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
		char *s = tw_expect_copy(ev, dump, strlen(dump));
		free(dump);
		free(ev->act.owned);
		ev->act.owned = s;
		ev->act.str = s ? s : "";
		ev->act.len = s ? strlen(s) : 0;
		return;
	}
	}
	char *s = tw_expect_copy(ev, buf, strlen(buf));
	free(ev->act.owned);
	ev->act.owned = s;
	ev->act.str = s ? s : "";
	ev->act.len = s ? strlen(s) : 0;
}

/* A body that opens like a JSON object or array: when it does not parse,
 * the reason is the parser's, whatever its Content-Type says. */
static bool looks_like_json(const tw_response *resp)
{
	const char *p = resp->body.data, *end = p + resp->body.len;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p < end && (*p == '{' || *p == '[');
}

static void fetch_json(eval *ev)
{
	tw_response *resp = ev->resp;
	const char *why = NULL;
	json_t *doc = tw_response_json(resp, &why);
	if (!doc) {
		if (resp->body.len == 0) {
			tw_expect_decide(ev, false, NULL,
					 "expected a JSON body, got an empty body");
		} else if ((resp->content_type && strstr(resp->content_type, "json")) ||
			   looks_like_json(resp)) {
			tw_expect_decide(ev, false, body_excerpt(ev, TW_EXCERPT_MAX),
					 "expected a JSON body, got %s that does not parse: %s",
					 content_type_words(resp), why);
		} else {
			char *short_body = body_excerpt(ev, MSG_EXCERPT);
			tw_expect_decide(ev, false, body_excerpt(ev, TW_EXCERPT_MAX),
					 "expected a JSON body, got %s: %s",
					 content_type_words(resp), short_body ? short_body : "");
			free(short_body);
		}
		return;
	}

	tw_json_matches m = {0};
	tw_error err = {0};
	const tw_expect_code *code = ev->ex->code;
	tw_jsonpath *own = NULL;
	const tw_jsonpath *jp = code && code->query ? code->query : NULL;
	int rc = jp ? TW_OK : tw_jsonpath_compile(&own, ev->arg, &err);
	if (!jp)
		jp = own;
	if (rc == TW_OK)
		rc = tw_jsonpath_select(jp, doc, &m, &err);
	/* A query that can select several values (a wildcard, `..`, a slice,
	 * a union, a filter) gives a list; one value reads as itself. */
	bool list = rc == TW_OK && !tw_jsonpath_singular(jp);
	if (rc == TW_ENOMEM) {
		ev->oom = true;
	} else if (rc == TW_ESYNTAX) {
		tw_expect_decide(ev, false, NULL, "invalid JSON query: %s", err.message);
	} else if (rc) {
		tw_expect_decide(ev, false, NULL, "%s: %s", ev->label, err.message);
	} else if (m.count == 0) {
		set_missing(ev, tw_expect_format(ev, "%s matched nothing", ev->arg),
			    body_excerpt(ev, TW_EXCERPT_MAX));
	} else if (ev->ex->filter_count &&
		   (list || !(json_is_array(m.items[0]) || json_is_object(m.items[0])))) {
		/* Filters see the selection: what a singular query selects
		 * when it is an array or an object (so `json $.items count`
		 * counts items, `json $.obj count` members), else the list of
		 * what was selected. */
		json_t *all = json_array();
		for (size_t i = 0; all && i < m.count; i++)
			if (json_array_append(all, m.items[i]))
				ev->oom = true;
		if (!all)
			ev->oom = true;
		ev->act.held = all;
		if (all)
			set_json(ev, all);
	} else if (m.count == 1) {
		set_json(ev, m.items[0]);
	} else {
		json_t *all = json_array();
		for (size_t i = 0; all && i < m.count; i++)
			if (json_array_append(all, m.items[i])) {
				json_decref(all);
				all = NULL;
			}
		if (!all) {
			ev->oom = true;
		} else {
			json_decref(ev->act.held);
			ev->act.held = all;
			set_json(ev, all);
		}
	}
	ev->act.matches = m.count;
	tw_json_matches_free(&m);
	tw_jsonpath_free(own);
	tw_error_clear(&err);
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
		if (n == 0) {
			set_missing(ev, tw_expect_format(ev, "%s matched nothing", ev->arg),
				    body_excerpt(ev, TW_EXCERPT_MAX));
		} else if (ev->ex->filter_count) {
			/* Filters see every node's string value: a list. */
			json_t *list = json_array();
			if (!list) {
				ev->oom = true;
				return;
			}
			ev->act.held = list;
			for (int i = 0; i < n; i++) {
				xmlChar *s = xmlXPathCastNodeToString(res->nodesetval->nodeTab[i]);
				if (!s || json_array_append_new(
						  list, json_stringn_nocheck((const char *)s,
									     strlen((const char *)s)))) {
					xmlFree(s);
					ev->oom = true;
					return;
				}
				xmlFree(s);
			}
			set_json(ev, list);
		} else {
			xmlChar *s = xmlXPathCastNodeToString(res->nodesetval->nodeTab[0]);
			if (!s) {
				ev->oom = true;
				return;
			}
			size_t len = strlen((const char *)s);
			set_owned_string(ev, tw_expect_copy(ev, (const char *)s, len), len);
			xmlFree(s);
		}
		return;
	}
	case XPATH_BOOLEAN:
	case XPATH_NUMBER:
	case XPATH_STRING:
		if (ev->ex->filter_count && ev->ex->filters[0].kind == TW_FILTER_COUNT) {
			tw_expect_decide(ev, false, NULL, "%s gives a %s, not a node-set to count",
					 ev->label,
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
			set_owned_string(ev, tw_expect_copy(ev, s, len), len);
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
		set_owned_string(ev, tw_expect_copy(ev, (const char *)s, len), len);
		xmlFree(s);
		ev->act.empty_is_absent = true;
		return;
	}
	}
}

/* XPath on an XML body knows the document's own namespace prefixes (the
 * first declaration of each wins) and `_` for the default namespace, as
 * Hurl does: `//_:entry/media:price` on an Atom feed. */
static bool register_namespaces(xmlXPathContextPtr ctx, xmlDocPtr doc)
{
	bool have_default = false;
	for (xmlNodePtr n = xmlDocGetRootElement(doc); n;) {
		if (n->type == XML_ELEMENT_NODE) {
			for (xmlNsPtr ns = n->nsDef; ns; ns = ns->next) {
				if (!ns->href)
					continue;
				const xmlChar *prefix = ns->prefix ? ns->prefix : BAD_CAST "_";
				if (!ns->prefix && have_default)
					continue;
				have_default |= !ns->prefix;
				if (xmlXPathNsLookup(ctx, prefix))
					continue;
				if (xmlXPathRegisterNs(ctx, prefix, ns->href))
					return false;
			}
		}
		if (n->type == XML_ELEMENT_NODE && n->children) {
			n = n->children;
			continue;
		}
		while (n && !n->next)
			n = n->parent && n->parent->type == XML_ELEMENT_NODE ? n->parent : NULL;
		if (n)
			n = n->next;
	}
	return true;
}

/* Words for a body read as XML by its own start while Content-Type says
 * otherwise ("text/html"): without them, "text/html that does not parse"
 * would blame an HTML parser that never read it. */
static const char *xml_by_its_start(const tw_response *resp)
{
	bool typed = resp->content_type && strcasestr(resp->content_type, "xml");
	return !typed && tw_response_body_is_xml(resp) ? " read as XML (it starts as XML)" : "";
}

static void fetch_xpath(eval *ev)
{
	xmlDocPtr doc = tw_response_doc(ev->resp);
	if (!doc) {
		if (ev->resp->body.len == 0)
			tw_expect_decide(
				ev, false, NULL,
				"expected an HTML or XML body for xpath, got an empty body");
		else
			tw_expect_decide(
				ev, false, body_excerpt(ev, TW_EXCERPT_MAX),
				"expected an HTML or XML body for xpath, got %s%s that does not parse%s%s",
				content_type_words(ev->resp), xml_by_its_start(ev->resp),
				doc_error(ev->resp) ? ": " : "",
				doc_error(ev->resp) ? doc_error(ev->resp) : "");
		return;
	}
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	if (!ctx || (doc->type == XML_DOCUMENT_NODE && !register_namespaces(ctx, doc))) {
		xmlXPathFreeContext(ctx);
		ev->oom = true;
		return;
	}
	tw_xpath_error x = {0};
	xmlStructuredErrorFunc saved = xmlStructuredError;
	void *saved_ctx = xmlStructuredErrorContext;
	xmlGenericErrorFunc saved_generic = xmlGenericError;
	void *saved_generic_ctx = xmlGenericErrorContext;
	xmlSetStructuredErrorFunc(&x, tw_xpath_collect_error);
	xmlSetGenericErrorFunc(NULL, quiet_generic);
	xmlXPathObjectPtr res = NULL;
	tw_xpath_pool *pool = ev->ex->code ? ev->ex->code->xpath : NULL;
	xmlXPathCompExprPtr comp = pool ? tw_xpath_take(pool) : NULL;
	if (comp) {
		res = xmlXPathCompiledEval(comp, ctx);
		tw_xpath_give(pool, comp);
		/* An error found while evaluating (an unknown function, an
		 * undefined prefix) is told as evaluating the text tells it:
		 * libxml2 gives a compiled expression's errors no offset. */
		memset(&x, 0, sizeof(x));
	}
	if (!res)
		res = xmlXPathEvalExpression((const xmlChar *)ev->arg, ctx);
	xmlSetGenericErrorFunc(saved_generic_ctx, saved_generic);
	xmlSetStructuredErrorFunc(saved_ctx, saved);
	xmlXPathFreeContext(ctx);

	if (!res) {
		if (x.code == XML_ERR_NO_MEMORY || x.code == XML_XPATH_MEMORY_ERROR)
			ev->oom = true;
		else if (x.message[0])
			tw_expect_decide(ev, false, NULL, "invalid XPath \"%s\": %s at offset %d",
					 ev->arg, x.message, x.offset);
		else
			tw_expect_decide(ev, false, NULL,
					 "invalid XPath \"%s\": it does not evaluate", ev->arg);
		return;
	}
	xpath_value(ev, res);
	xmlXPathFreeObject(res);
}

void tw_subject_fetch(eval *ev)
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
	case TW_SUBJ_BODY: {
		/* In UTF-8 like every other text; the bytes subject is raw. */
		size_t len;
		const char *text = tw_response_body_text(resp, &len);
		set_string(ev, text, len);
		ev->act.long_text = true;
		ev->act.empty_is_absent = true;
		break;
	}
	case TW_SUBJ_TITLE:
		fetch_title(ev);
		break;
	case TW_SUBJ_URL:
		if (resp->url)
			set_string(ev, resp->url, strlen(resp->url));
		else
			set_missing(ev, tw_expect_format(ev, "no URL: there is no response yet"),
				    NULL);
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
	case TW_SUBJ_VAR: {
		/* A variable is text, whatever it reads as. */
		bool secret = false;
		const char *v = tw_vars_get(ev->vars, ev->arg, &secret);
		/* A capture of what filters made of a secret (the run's
		 * redactor does not know it): shown as ***. */
		ev->act.secret = v && secret;
		if (v)
			set_string(ev, v, strlen(v));
		else
			set_missing(ev, tw_expect_format(ev, "no variable '%s'", ev->arg), NULL);
		break;
	}
	case TW_SUBJ_BYTES:
		set_string(ev, resp->body.data, resp->body.len);
		ev->act.bytes = true;
		ev->act.long_text = true;
		break;
	case TW_SUBJ_SHA256:
	case TW_SUBJ_MD5: {
		char *hex = tw_digest_hex(ev->ex->subject == TW_SUBJ_SHA256 ? "sha256" : "md5",
					  resp->body.data, resp->body.len);
		if (!hex)
			ev->oom = true;
		set_owned_string(ev, hex, hex ? strlen(hex) : 0);
		break;
	}
	case TW_SUBJ_REDIRECTS:
		set_number(ev, (double)resp->redirects);
		break;
	case TW_SUBJ_HOP: {
		size_t i = (size_t)ev->ex->hop - 1;
		if (ev->ex->hop < 1 || i >= resp->hop_count) {
			set_missing(ev,
				    tw_expect_format(ev,
						     "no hop %d: the step sent %zu request%s (hop 1 "
						     "is the request as sent, then one per redirect "
						     "followed)",
						     ev->ex->hop, resp->hop_count,
						     resp->hop_count == 1 ? "" : "s"),
				    NULL);
		} else if (ev->ex->hop_status) {
			if (resp->hops[i].status > 0)
				set_number(ev, (double)resp->hops[i].status);
			else
				set_missing(ev,
					    tw_expect_format(ev, "hop %d got no answer",
							     ev->ex->hop),
					    NULL);
		} else {
			const char *url = tw_response_hop_url(resp, i);
			set_string(ev, url, strlen(url));
		}
		break;
	}
	/* transport (issue 12, capabilities 8 and 11) */
	case TW_SUBJ_SET_COOKIE:
		fetch_set_cookie(ev);
		break;
	case TW_SUBJ_VERSION:
		fetch_version(ev);
		break;
	case TW_SUBJ_CERTIFICATE:
		fetch_certificate(ev);
		break;
	case TW_SUBJ_REPROMPTS: /* issue 14, MATCH: the count, given as text */
		set_number(ev, ev->given ? strtod(ev->given, NULL) : 0);
		break;
	case TW_SUBJ_PROMPT:
	case TW_SUBJ_TRANSFER:
	case TW_SUBJ_RECORDING:
	case TW_SUBJ_REJECTED:
	case TW_SUBJ_HANGUP:
		if (ev->given)
			set_string(ev, ev->given, strlen(ev->given));
		else
			set_missing(ev,
				    tw_expect_format(ev, "%s",
						     ev->absent ? ev->absent : "it did not happen"),
				    NULL);
		break;
	}
}
