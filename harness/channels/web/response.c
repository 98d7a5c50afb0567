/*
 * tw_response: filled by the transfer's callbacks, read by steps. The
 * derived views (document, JSON, text) are parsed on first use.
 */
#include "channels/web/response.h"
#include "channels/web/forms.h"

#include <ctype.h>
#include <iconv.h>
#include <libxml/HTMLparser.h>
#include <libxml/encoding.h>
#include <libxml/parser.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "channels/web/html.h"
#include "core/array.h"
#include "core/jsonread.h"
#include "techweek/error.h"

void tw_response_init(tw_response *r, size_t max_body)
{
	memset(r, 0, sizeof(*r));
	tw_buf_init(&r->body, max_body);
	tw_buf_init(&r->hop_urls, TW_RESPONSE_HOP_URLS_MAX);
	/* Room for the block's cap and the NULs it adds: the cap is checked
	 * on the lines as they come. */
	tw_buf_init(&r->header_text, 2 * TW_RESPONSE_HEADERS_MAX);
}

static void free_headers(tw_response *r)
{
	tw_buf_reset(&r->header_text);
	r->header_count = 0;
}

static void free_views(tw_response *r)
{
	tw_form_attachments_free(r->doc); /* what attach kept beside it */
	if (r->doc)
		xmlFreeDoc(r->doc);
	if (r->json)
		json_decref(r->json);
	free(r->json_error);
	free(r->text);
	free(r->utf8);
	r->utf8 = NULL;
	r->utf8_len = 0;
	r->utf8_tried = false;
	free(r->doc_error);
	r->doc_error = NULL;
	r->doc = NULL;
	r->json = NULL;
	r->json_error = NULL;
	r->text = NULL;
	r->doc_tried = r->json_tried = false;
}

void tw_response_drop_views(tw_response *r)
{
	free_views(r);
}

void tw_response_reset(tw_response *r)
{
	free_views(r);
	curl_slist_free_all(r->cert);
	free_headers(r);
	free(r->url);
	free(r->method);
	free(r->content_type);
	free(r->reason);
	free(r->note);
	/* A customer waiting for its next page keeps none of the last one. */
	tw_buf_free(&r->body);
	tw_buf body = r->body;
	tw_header *headers = r->headers;
	size_t header_cap = r->header_cap;
	tw_buf header_text = r->header_text;
	CURL *easy = r->easy;
	tw_response_hop *hops = r->hops;
	size_t hop_cap = r->hop_cap;
	tw_buf hop_urls = r->hop_urls;
	/* A meta refresh goes on with the chain (issue 12): its hops stay,
	 * and what they followed counts in the redirects. */
	bool keep = r->keep_chain;
	size_t kept = r->hop_count;
	long followed = r->redirects;
	if (!keep)
		tw_buf_reset(&hop_urls);
	memset(r, 0, sizeof(*r));
	if (keep) {
		r->hop_count = r->chain_kept = kept;
		r->chain_redirects = followed + 1; /* and the refresh itself */
	}
	r->body = body;
	r->headers = headers;
	r->header_cap = header_cap;
	r->header_text = header_text;
	r->easy = easy;
	r->hops = hops;
	r->hop_cap = hop_cap;
	r->hop_urls = hop_urls;
}

void tw_response_free(tw_response *r)
{
	tw_response_reset(r);
	free(r->headers);
	free(r->hops);
	tw_buf_free(&r->header_text);
	tw_buf_free(&r->body);
	tw_buf_free(&r->hop_urls);
	memset(r, 0, sizeof(*r));
}

int tw_response_hop_sent(tw_response *r, const char *method, const char *url)
{
	if (tw_array_grow(&r->hops, &r->hop_cap, r->hop_count + 1, sizeof(*r->hops))) {
		r->hops_lost = TW_ENOMEM;
		return TW_ENOMEM;
	}
	tw_response_hop *h = &r->hops[r->hop_count++];
	snprintf(h->method, sizeof(h->method), "%s", method ? method : "?");
	h->status = 0;
	h->url = r->hop_urls.len;
	/* One past the previous URL's NUL, so offsets stay put as it grows. */
	int rc = tw_buf_append(&r->hop_urls, url ? url : "", url ? strlen(url) + 1 : 1);
	if (rc != TW_OK) {
		h->url = SIZE_MAX;
		r->hops_lost = rc;
	}
	return rc;
}

void tw_response_hop_answered(tw_response *r, long status)
{
	if (r->hop_count > 0 && status >= 200)
		r->hops[r->hop_count - 1].status = status;
}

const char *tw_response_hop_url(const tw_response *r, size_t i)
{
	if (i >= r->hop_count || r->hops[i].url >= r->hop_urls.len)
		return "";
	return r->hop_urls.data + r->hops[i].url;
}

/* The reason phrase of "HTTP/1.1 500 Internal Server Error", cut to
 * REASON_MAX bytes (a whole UTF-8 character at most less): it goes into
 * messages, and a server may send any length. */
#define REASON_MAX 80
static int status_reason(tw_response *r, const char *line, size_t len)
{
	free(r->reason);
	r->reason = NULL;
	const char *end = line + len, *p = memchr(line, ' ', len);
	if (p)
		p = memchr(p + 1, ' ', (size_t)(end - p - 1));
	if (!p)
		return TW_OK;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	size_t n = (size_t)(end - p);
	if (n > REASON_MAX) {
		n = REASON_MAX;
		while (n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80)
			n--;
	}
	if (n == 0)
		return TW_OK;
	return (r->reason = strndup(p, n)) ? TW_OK : TW_ENOMEM;
}

/* Room for need bytes in header_text, doubling; the headers already in it
 * move with it (held as offsets while it moves). TW_OK, or TW_ENOMEM /
 * TW_ELIMIT (past its cap). */
static int grow_header_text(tw_response *r, size_t need)
{
	tw_buf *text = &r->header_text;
	size_t cap = text->cap ? text->cap : 512;
	while (cap < need + 1 && cap <= text->max)
		cap *= 2;
	if (cap > text->max)
		cap = need;
	for (size_t i = 0; i < r->header_count; i++) {
		r->headers[i].name = (char *)(uintptr_t)(r->headers[i].name - text->data);
		r->headers[i].value = (char *)(uintptr_t)(r->headers[i].value - text->data);
	}
	int rc = tw_buf_reserve(text, cap);
	if (rc == TW_OK)
		for (size_t i = 0; i < r->header_count; i++) {
			r->headers[i].name = text->data + (uintptr_t)r->headers[i].name;
			r->headers[i].value = text->data + (uintptr_t)r->headers[i].value;
		}
	return rc;
}

int tw_response_header_line(tw_response *r, const char *line, size_t len)
{
	size_t raw = len;
	while (len && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		/* A new response (redirect hop, 100 Continue): forget the
		 * previous hop's headers. */
		free_headers(r);
		r->head_complete = false;
		r->header_bytes = raw;
		return status_reason(r, line, len);
	}
	if (len == 0) {
		r->head_complete = true;
		return TW_OK;
	}
	r->header_bytes += raw;
	if (r->header_bytes > TW_RESPONSE_HEADERS_MAX)
		return TW_ELIMIT;
	const char *colon = memchr(line, ':', len);
	if (!colon || colon == line)
		return TW_OK; /* the blank line, or a folded continuation */
	if (tw_array_grow(&r->headers, &r->header_cap, r->header_count + 1, sizeof(*r->headers)))
		return TW_ENOMEM;
	const char *v = colon + 1, *end = line + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	/* Name and value into the one buffer: two copies, no allocation
	 * once it has the room. */
	tw_buf *text = &r->header_text;
	size_t name_at = text->len, nlen = (size_t)(colon - line), vlen = (size_t)(end - v);
	size_t value_at = name_at + nlen + 1, need = value_at + vlen + 1;
	if (need + 1 > text->cap && grow_header_text(r, need) != TW_OK) {
		free_headers(r); /* forgets the failure; the block is lost */
		return TW_ENOMEM;
	}
	memcpy(text->data + name_at, line, nlen);
	text->data[value_at - 1] = '\0';
	memcpy(text->data + value_at, v, vlen);
	text->data[need - 1] = '\0';
	text->data[need] = '\0';
	text->len = need;
	r->headers[r->header_count++] = (tw_header){text->data + name_at, text->data + value_at};
	return TW_OK;
}

const char *tw_response_header(const tw_response *r, const char *name)
{
	for (size_t i = 0; i < r->header_count; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

/* The media type without parameters, lower-cased, into out. */
static void media_type(const tw_response *r, char *out, size_t n)
{
	out[0] = '\0';
	const char *ct = r->content_type;
	if (!ct)
		return;
	size_t i = 0;
	while (*ct && *ct != ';' && i + 1 < n) {
		if (!isspace((unsigned char)*ct))
			out[i++] = (char)tolower((unsigned char)*ct);
		ct++;
	}
	out[i] = '\0';
}

/* The charset parameter of Content-Type, lower-cased, into out ("" when
 * there is none). */
static void charset_param(const tw_response *r, char *out, size_t n)
{
	out[0] = '\0';
	const char *p = r->content_type ? strchr(r->content_type, ';') : NULL;
	for (; p; p = strchr(p + 1, ';')) {
		const char *q = p + 1;
		while (*q == ' ' || *q == '\t')
			q++;
		if (strncasecmp(q, "charset=", 8) != 0)
			continue;
		q += 8;
		if (*q == '"')
			q++;
		size_t i = 0;
		while (*q && *q != ';' && *q != '"' && *q != ' ' && i + 1 < n)
			out[i++] = (char)tolower((unsigned char)*q++);
		out[i] = '\0';
		return;
	}
}

static bool is_utf8(const char *charset)
{
	return charset[0] == '\0' || strcmp(charset, "utf-8") == 0 || strcmp(charset, "utf8") == 0;
}

static bool body_starts_with_html(const tw_response *r)
{
	const char *p = tw_buf_str(&r->body);
	while (*p && isspace((unsigned char)*p))
		p++;
	return strncasecmp(p, "<!doctype html", 14) == 0 || strncasecmp(p, "<html", 5) == 0;
}

/* p past the first occurrence of the n bytes of end before stop, or stop. */
static const char *past(const char *p, const char *stop, const char *end, size_t n)
{
	for (; p + n <= stop; p++)
		if (memcmp(p, end, n) == 0)
			return p + n;
	return stop;
}

/* Whether the body is XML by what it says itself, whatever Content-Type
 * says: an app on Express answers text/html unless told (Twilio's own
 * sample does), and a carrier follows the TwiML all the same, so the
 * rehearsal must read what the carrier reads. The rule (docs/phone.md):
 * after an optional UTF-8 BOM and blanks, and past comments, processing
 * instructions and a doctype, the first element is <Response> or <vxml>
 * (TwiML's and VoiceXML's roots, in their case), or the body began with an
 * XML declaration and that element is not <html> in any case. An HTML page
 * stays HTML: it begins with a doctype or <html>, and a page with an XML
 * declaration before <html> (XHTML served as HTML) is HTML to a browser. */
const char *tw_body_first_element(const char *body, size_t len, size_t *n, bool *declared)
{
	const char *p = body, *stop = p + len;
	*n = 0;
	*declared = false;
	if (!p)
		return NULL;
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	/* XML allows the declaration only at the very start: after blanks it
	 * is no declaration (and libxml2 refuses the document, as a carrier
	 * would). */
	*declared = stop - p >= 6 && memcmp(p, "<?xml", 5) == 0 && isspace((unsigned char)p[5]);
	for (;;) {
		while (p < stop && isspace((unsigned char)*p))
			p++;
		if (stop - p < 2 || *p != '<')
			return NULL;
		if (p[1] == '?') {
			p = past(p + 2, stop, "?>", 2);
		} else if (stop - p >= 4 && memcmp(p, "<!--", 4) == 0) {
			p = past(p + 4, stop, "-->", 3);
		} else if (p[1] == '!') {
			/* A doctype; an internal subset in [...] may hold '>'. */
			const char *q = p + 2;
			while (q < stop && *q != '>' && *q != '[')
				q++;
			if (q < stop && *q == '[')
				q = past(q, stop, "]", 1);
			p = past(q, stop, ">", 1);
		} else {
			break;
		}
	}
	const char *name = ++p;
	while (p < stop && !isspace((unsigned char)*p) && *p != '>' && *p != '/')
		p++;
	*n = (size_t)(p - name);
	return name;
}

bool tw_response_body_is_xml(const tw_response *r)
{
	size_t n;
	bool declared;
	const char *name = tw_body_first_element(r->body.data, r->body.len, &n, &declared);
	if (!name)
		return false;
	if ((n == 8 && memcmp(name, "Response", 8) == 0) || (n == 4 && memcmp(name, "vxml", 4) == 0))
		return true;
	return declared && n > 0 && !(n == 4 && strncasecmp(name, "html", 4) == 0);
}

bool tw_response_is_html(const tw_response *r)
{
	/* What the body says it is wins over Content-Type: TwiML as
	 * text/html is not a page. */
	if (tw_response_body_is_xml(r))
		return false;
	char mt[128];
	media_type(r, mt, sizeof(mt));
	if (strcmp(mt, "text/html") == 0 || strcmp(mt, "application/xhtml+xml") == 0)
		return true;
	return mt[0] == '\0' && body_starts_with_html(r);
}

bool tw_response_is_xml(const tw_response *r)
{
	if (tw_response_body_is_xml(r))
		return true;
	char mt[128];
	media_type(r, mt, sizeof(mt));
	size_t n = strlen(mt);
	return strcmp(mt, "text/xml") == 0 || strcmp(mt, "application/xml") == 0 ||
	       (n > 4 && strcmp(mt + n - 4, "+xml") == 0 && !tw_response_is_html(r));
}

/* libxml2's reason for giving up, in words; malloc'd (NULL when out of
 * memory or there is none). Its depth limit gets its own words: libxml2's
 * name an option techweek's users cannot set. */
static char *parse_error(const xmlError *e)
{
	char buf[256];
	if (e->code == XML_ERR_INTERNAL_ERROR && e->message &&
	    strncmp(e->message, "Excessive depth", 15) == 0) {
		snprintf(buf, sizeof(buf), "it is nested deeper than libxml2's limit of %d levels",
			 e->int1);
	} else if (e->message) {
		size_t len = strlen(e->message);
		while (len && isspace((unsigned char)e->message[len - 1]))
			len--;
		snprintf(buf, sizeof(buf), "%.*s", (int)len, e->message);
	} else {
		return NULL;
	}
	return strdup(buf);
}

xmlDocPtr tw_response_doc(tw_response *r)
{
	if (r->doc_tried)
		return r->doc;
	r->doc_tried = true;
	if (r->body.len == 0 || r->body.len > INT32_MAX)
		return NULL;
	const char *url = r->url ? r->url : "";
	bool xml = tw_response_is_xml(r);
	/* A parser context of our own, so that its last error is ours to
	 * read; no XML_PARSE_HUGE: the depth limit keeps a hostile page from
	 * costing a node per byte down a million levels. */
	xmlParserCtxtPtr ctxt = xml ? xmlNewParserCtxt() : htmlNewParserCtxt();
	if (!ctxt)
		return NULL;
	/* The charset of Content-Type wins over the document's own (HTTP
	 * says so); without one libxml2 reads <meta charset> or the XML
	 * declaration. A charset libxml2 does not know is left to it. */
	char charset[64];
	charset_param(r, charset, sizeof(charset));
	xmlCharEncodingHandlerPtr h = charset[0] ? xmlFindCharEncodingHandler(charset) : NULL;
	const char *enc = h ? charset : NULL;
	if (h)
		xmlCharEncCloseFunc(h);
	if (xml)
		r->doc = xmlCtxtReadMemory(ctxt, r->body.data, (int)r->body.len, url, enc,
					   XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	else
		r->doc = htmlCtxtReadMemory(ctxt, r->body.data, (int)r->body.len, url, enc,
					    HTML_PARSE_RECOVER | HTML_PARSE_NONET |
						    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
	/* The HTML parser recovers from anything but being halted, which
	 * leaves the rest of the page unread. */
	if (r->doc && !xml && ctxt->instate == XML_PARSER_EOF) {
		xmlFreeDoc(r->doc);
		r->doc = NULL;
	}
	if (!r->doc)
		r->doc_error = parse_error(&ctxt->lastError);
	if (xml)
		xmlFreeParserCtxt(ctxt);
	else
		htmlFreeParserCtxt(ctxt);
	return r->doc;
}

const char *tw_response_doc_error(const tw_response *r)
{
	return r->doc_error;
}

json_t *tw_response_json(tw_response *r, const char **why)
{
	if (!r->json_tried) {
		r->json_tried = true;
		/* Zeroed: jansson sets no error code when memory runs out. */
		json_error_t e = {0};
		size_t flags = JSON_DECODE_ANY | JSON_ALLOW_NUL;
		/* In the charset Content-Type names, as text and body are.
		 * An integer beyond 64 bits (ids, ledgers) is a number all the
		 * same: a double, the rest of the body as written. */
		size_t len;
		const char *text = tw_response_body_text(r, &len);
		r->json = tw_json_parse(text, len, flags, &e);
		if (!r->json) {
			size_t n = strlen(e.text) + 64;
			r->json_error = malloc(n);
			if (r->json_error)
				snprintf(r->json_error, n, "%s (line %d, column %d)", e.text,
					 e.line, e.column);
		}
	}
	if (why)
		*why = r->json_error ? r->json_error : "not JSON";
	return r->json;
}

const char *tw_response_body_text(tw_response *r, size_t *len)
{
	if (!r->utf8_tried) {
		r->utf8_tried = true;
		char charset[64];
		charset_param(r, charset, sizeof(charset));
		/* An HTML page may say its charset only in <meta charset>:
		 * libxml2's parser reads it (doc->encoding), and the body is
		 * read in the charset the page's text is. */
		if (!charset[0] && tw_response_is_html(r)) {
			xmlDocPtr doc = tw_response_doc(r);
			if (doc && doc->encoding) {
				snprintf(charset, sizeof(charset), "%s", (const char *)doc->encoding);
				for (char *c = charset; *c; c++)
					*c = (char)tolower((unsigned char)*c);
			}
		}
		iconv_t cd = is_utf8(charset) ? (iconv_t)-1 : iconv_open("UTF-8", charset);
		/* UTF-8 takes at most 4 bytes for any one byte of a legacy
		 * charset (and 3 for two of GB2312's); an unknown charset or
		 * bytes that do not convert leave the body as it came. */
		size_t cap = r->body.len * 4 + 1;
		char *out = cd != (iconv_t)-1 && r->body.len < SIZE_MAX / 4 ? malloc(cap) : NULL;
		if (out) {
			char *in = r->body.data, *o = out;
			size_t inleft = r->body.len, outleft = cap - 1;
			if (iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1) {
				free(out);
			} else {
				*o = '\0';
				r->utf8 = out;
				r->utf8_len = (size_t)(o - out);
			}
		}
		if (cd != (iconv_t)-1)
			iconv_close(cd);
	}
	if (r->utf8) {
		*len = r->utf8_len;
		return r->utf8;
	}
	*len = r->body.len;
	return tw_buf_str(&r->body);
}

const char *tw_response_text(tw_response *r)
{
	if (r->text)
		return r->text;
	if (tw_response_is_html(r)) {
		xmlDocPtr doc = tw_response_doc(r);
		if (doc)
			r->text = tw_html_text(xmlDocGetRootElement(doc));
	}
	size_t len;
	return r->text ? r->text : tw_response_body_text(r, &len);
}
