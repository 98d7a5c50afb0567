/*
 * Reading an HTML page as a customer sees it: the visible text, the title,
 * the links and what they say, and the page's base URL.
 */
#ifndef TW_WEB_HTML_H
#define TW_WEB_HTML_H

#include <libxml/tree.h>
#include <stddef.h>

#include "techweek/error.h"
#include "channels/web/request.h"

/* Visible text under node (scripts, styles, templates, hidden inputs and
 * comments left out; block elements separated by a space; runs of
 * whitespace collapsed to one space; trimmed). malloc'd; caller frees. */
char *tw_html_text(xmlNodePtr node);

/* The words of a label: as tw_html_text, without the content of the
 * controls inside it (a label wrapping a select is named by its own words,
 * not by the options). malloc'd; caller frees. */
char *tw_html_label_text(xmlNodePtr node);

/* s with whitespace (no-break spaces included) collapsed and trimmed the
 * way tw_html_text does it, so script words compare with page words.
 * malloc'd; caller frees; NULL only when out of memory. */
char *tw_html_collapse(const char *s);

/* An element called name (the HTML parser lowercases names). */
bool tw_html_is_element(xmlNodePtr n, const char *name);
/* An attribute's text as stored in the tree (no copy), NULL when absent.
 * The HTML parser stores a value as one text node; a valueless attribute
 * reads as "". */
const char *tw_html_attr(xmlNodePtr n, const char *name);

/* The text of <title>, whitespace collapsed; malloc'd, NULL when none. */
char *tw_html_title(xmlDocPtr doc);

/* The base URL for relative links: <base href> resolved against page_url,
 * else page_url. malloc'd. */
char *tw_html_base_url(xmlDocPtr doc, const char *page_url);

/* Resolves ref against base with libcurl's URL API (fragment dropped);
 * malloc'd; TW_EUSAGE with a message when ref cannot be resolved.
 *
 * The messages of this module and forms.h quote page and script text
 * whole, marked where to cut it: show them through tw_redact_message,
 * which masks the run's secrets first (core/redact.h). */
int tw_url_resolve(const char *base, const char *ref, char **out, tw_error *err);

/* Where a caller keeps the resolutions it asks for again and again (a
 * step's form action on the same page, performance after performance):
 * get gives the URL kept for key, or NULL; keep keeps a copy of one. A
 * key is the base, a NUL, then the reference; without a base, the
 * reference alone. */
typedef struct tw_resolve_memo {
	const char *(*get)(void *ud, const char *key, size_t len);
	void (*keep)(void *ud, const char *key, size_t len, const char *url);
	void *ud;
} tw_resolve_memo;

/* tw_url_resolve, answered from memo when it has base and ref, else
 * resolved and, when valid, kept there; memo may be NULL. What does not
 * resolve is never kept, so its error is tw_url_resolve's. */
int tw_url_resolve_memo(const tw_resolve_memo *memo, const char *base, const char *ref,
			char **out, tw_error *err);

/* The request for clicking the link whose visible text is text: exact
 * match after whitespace collapsing first, then a unique case-sensitive
 * substring match; aria-label, title and img alt count as text. nth > 0:
 * the nth link so called in the page's order (several is then no
 * ambiguity). within (NULL: anywhere): the link whose closest ancestor
 * with those words in its text (its row, list item, section) holds no
 * other link so called. Errors: no such link (the message lists up to 10
 * links on the page), fewer than nth, none within, several links with
 * different targets (lists them), a link to something other than http(s)
 * (mailto:, javascript:...). On success *out is freed and replaced by a
 * GET navigation; on error it is left as it was. */
int tw_html_click(xmlDocPtr doc, const char *page_url, const char *text, long nth,
		  const char *within, tw_http_request *out, tw_error *err);

/* The origin of an http(s) URL as browsers write it ("http://127.0.0.1:8080",
 * "https://example.com": the port only when not the scheme's default),
 * lower case. malloc'd; NULL when url has no host (or out of memory). */
char *tw_url_origin(const char *url);
/* tw_url_origin(url), without parsing url when it is hint followed by '/':
 * an authority ends at its first '/', and hint, itself from tw_url_origin,
 * is what libcurl gives back for that authority. For the URLs of requests
 * and pages, which libcurl has accepted: a URL it would refuse may get the
 * hint's origin. hint may be NULL. malloc'd, as tw_url_origin's. */
char *tw_url_origin_hint(const char *url, const char *hint);

/* The referrer policy of a page (channels/web/referrer.h): its last
 * <meta name="referrer"> that names one, else its Referrer-Policy header
 * (header, NULL for none), else TW_REFERRER_UNSET (the default). */
int tw_html_referrer_policy(xmlDocPtr doc, const char *header);
/* The policy a link or a form gives its navigation: rel="noreferrer",
 * else its referrerpolicy attribute; TW_REFERRER_UNSET: the page's. */
int tw_html_element_referrer_policy(xmlNodePtr node);

/* What a browser says about the page a navigation (a click, a submit, a
 * meta refresh) leaves: req->referrer becomes the page's URL without
 * fragment or credentials, and its policy the one the link or form gave
 * it (tw_html_click, tw_form_submit), else page_policy; the transfer
 * works out each request's Referer from them (tw_referrer_value). A
 * request other than GET and HEAD carries Origin: the page's origin, or
 * "null" where the policy hides it (no-referrer; from https to http
 * unless unsafe-url or origin-when-cross-origin; same-origin to another
 * origin). A Referer or Origin the request already has is kept. TW_OK or
 * TW_ENOMEM. */
int tw_html_add_referrer(tw_http_request *req, const char *page_url, int page_policy);

/* issue 12, redirects: the URL a <meta http-equiv="refresh" content="0;
 * url=/next"> moves the page on to, resolved against the page's base URL,
 * into *out (malloc'd), or NULL when the page has no refresh, one that
 * names no URL (a reload), or one whose URL does not resolve to http(s).
 * TW_OK, or TW_ENOMEM. */
int tw_html_meta_refresh(xmlDocPtr doc, const char *page_url, char **out);

#endif
