/*
 * Reading a page the way a customer reads it.
 *
 * Steps are written in the customer's words ("click Margherita", "expect
 * text Today's menu"), so the harness has to see what a person sees on the
 * rendered page, not the markup. This module turns libxml2's HTML tree into
 * that view:
 *
 * - Visible text: one iterative walk over the tree (no recursion, so a
 *   deeply nested page costs no stack) collects the text nodes and leaves
 *   out what a browser never renders: script, style, template, head,
 *   datalist, iframe fallback and anything carrying the `hidden` attribute.
 *   noscript content is kept on purpose: techweek runs no scripts, and a
 *   browser without scripts shows exactly that fallback. Block boxes, table
 *   cells, <br> and form controls end a word; every run of whitespace,
 *   no-break spaces included, becomes one space, and the ends are trimmed.
 *   Input values are attributes, so they never count as text.
 *
 * - Links: <a href> and <area href> outside never-rendered parts. A click
 *   picks its link in three tiers, stopping at the first that matches
 *   anything: the exact visible text, then the exact aria-label / title /
 *   image alt (icon links), then a substring of the visible text. Several
 *   matches are fine when they all lead to the same place (a logo and a
 *   "Home" link); otherwise the customer's words are ambiguous and the error
 *   lists the candidates with their hrefs. A miss lists the links the page
 *   does have, so a typo in a script is a one-glance fix.
 *
 * - URLs: libcurl's CURLU API resolves every reference. Only what browsers
 *   do and curl does not is added here: surrounding spaces and control
 *   characters are stripped and tabs/newlines dropped (WHATWG URL parsing),
 *   "" and "#fragment" mean the page itself (curl would resolve them to the
 *   page's directory), the fragment never goes on the wire, and only http
 *   and https are followed: mailto:, tel: and javascript: links are
 *   something a customer cannot follow through this harness.
 */
#include "channels/web/html.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/array.h"
#include "core/buf.h"
#include "core/redact.h"
#include "channels/web/referrer.h"

/* The text is never larger than the capped body it comes from; the cap
 * only stops runaway growth if that ever stops being true. */
#define TEXT_MAX ((size_t)256 << 20)
/* Messages quote page and script text whole, marked where to cut it
 * (tw_redact_put_quoted): the run masks its secrets before the cut, so a
 * message may be as large as the text it quotes. */
#define MSG_MAX TEXT_MAX
#define LIST_MAX 10       /* entries listed in an error message */
#define LIST_CHARS 40     /* characters shown of each entry */
#define ASKED_CHARS 200   /* characters shown of what the script asked for */

enum walk_mode {
	WALK_PAGE,  /* everything a reader sees */
	WALK_LABEL, /* the words of a label, without the controls inside it */
};

static const char *const never_rendered[] = {
	"script", "style", "template", "head", "datalist", "iframe", "noembed", NULL,
};

/* Controls whose content is their value or their options, not part of the
 * label that names them ("Size <select>...</select>" is named "Size"). */
static const char *const control_content[] = {
	"select", "textarea", "button", "option", "optgroup", NULL,
};

/* Boxes that end a word: blocks, cells, line breaks and form controls. */
static const char *const word_breaks[] = {
	"address", "article", "aside", "blockquote", "body", "br", "button",
	"caption", "dd", "details", "dialog", "div", "dl", "dt", "fieldset",
	"figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
	"h6", "header", "hgroup", "hr", "html", "img", "input", "legend", "li",
	"main", "menu", "nav", "ol", "optgroup", "option", "p", "pre", "section",
	"select", "summary", "table", "tbody", "td", "textarea", "tfoot", "th",
	"thead", "tr", "ul", NULL,
};

static bool name_in(const xmlChar *name, const char *const *list)
{
	if (!name)
		return false;
	/* The first letter first: a page's walk asks this of every element
	 * twice, and nearly every name differs there. */
	for (; *list; list++)
		if (name[0] == (xmlChar)(*list)[0] && strcmp((const char *)name, *list) == 0)
			return true;
	return false;
}

/* Pre-order successor of n inside root. Only elements and documents are
 * descended into: an entity reference's children belong to the entity. */
static xmlNodePtr next_node(xmlNodePtr n, xmlNodePtr root, bool descend)
{
	if (descend && n->children &&
	    (n->type == XML_ELEMENT_NODE || n->type == XML_DOCUMENT_NODE ||
	     n->type == XML_HTML_DOCUMENT_NODE))
		return n->children;
	while (n != root) {
		if (n->next)
			return n->next;
		n = n->parent;
	}
	return NULL;
}

static bool rendered(xmlNodePtr n)
{
	return !name_in(n->name, never_rendered) && !tw_html_attr(n, "hidden");
}

/* Length of the whitespace character at p: ASCII whitespace or U+00A0. */
static size_t space_len(const unsigned char *p)
{
	if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v')
		return 1;
	if (p[0] == 0xC2 && p[1] == 0xA0)
		return 2;
	return 0;
}

typedef struct text_sink {
	tw_buf buf;
	bool space; /* whitespace or a word break since the last word */
	int rc;
} text_sink;

static void sink_text(text_sink *s, const xmlChar *text)
{
	const unsigned char *p = text;
	while (p && *p && s->rc == TW_OK) {
		size_t ws = space_len(p);
		if (ws) {
			s->space = true;
			p += ws;
			continue;
		}
		const unsigned char *q = p;
		while (*q && !space_len(q))
			q++;
		if (s->space && s->buf.len)
			s->rc = tw_buf_append(&s->buf, " ", 1);
		s->space = false;
		if (s->rc == TW_OK)
			s->rc = tw_buf_append(&s->buf, p, (size_t)(q - p));
		p = q;
	}
}

static char *walk_text(xmlNodePtr root, enum walk_mode mode)
{
	text_sink s = {.space = false, .rc = TW_OK};
	tw_buf_init(&s.buf, TEXT_MAX);
	if (root && (root->type == XML_TEXT_NODE || root->type == XML_CDATA_SECTION_NODE)) {
		sink_text(&s, root->content);
	} else if (root) {
		xmlNodePtr n = next_node(root, root, true);
		while (n && s.rc == TW_OK) {
			bool enter = false;
			if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
				sink_text(&s, n->content);
			} else if (n->type == XML_ELEMENT_NODE && rendered(n) &&
				   !(mode == WALK_LABEL && name_in(n->name, control_content))) {
				if (name_in(n->name, word_breaks))
					s.space = true;
				enter = n->children != NULL;
			}
			if (enter) {
				n = n->children;
				continue;
			}
			/* Leaving n, and every ancestor it was the last child of. */
			while (n != root) {
				if (n->type == XML_ELEMENT_NODE && name_in(n->name, word_breaks))
					s.space = true;
				if (n->next)
					break;
				n = n->parent;
			}
			n = n == root ? NULL : n->next;
		}
	}
	if (s.rc != TW_OK) {
		tw_buf_free(&s.buf);
		return NULL;
	}
	return tw_buf_steal(&s.buf);
}

bool tw_html_is_element(xmlNodePtr n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->name && n->name[0] == (xmlChar)name[0] &&
	       strcmp((const char *)n->name, name) == 0;
}

const char *tw_html_attr(xmlNodePtr n, const char *name)
{
	if (!n || n->type != XML_ELEMENT_NODE)
		return NULL;
	for (xmlAttrPtr a = n->properties; a; a = a->next) {
		if (!a->name || a->name[0] != (xmlChar)name[0] ||
		    strcmp((const char *)a->name, name) != 0)
			continue;
		xmlNodePtr v = a->children;
		if (v && v->type == XML_TEXT_NODE && !v->next && v->content)
			return (const char *)v->content;
		return "";
	}
	return NULL;
}

char *tw_html_text(xmlNodePtr node)
{
	return walk_text(node, WALK_PAGE);
}

char *tw_html_label_text(xmlNodePtr node)
{
	return walk_text(node, WALK_LABEL);
}

char *tw_html_collapse(const char *s)
{
	text_sink sink = {.space = false, .rc = TW_OK};
	tw_buf_init(&sink.buf, TEXT_MAX);
	sink_text(&sink, (const xmlChar *)(s ? s : ""));
	if (sink.rc != TW_OK) {
		tw_buf_free(&sink.buf);
		return NULL;
	}
	return tw_buf_steal(&sink.buf);
}

char *tw_html_title(xmlDocPtr doc)
{
	if (!doc)
		return NULL;
	xmlNodePtr root = (xmlNodePtr)doc;
	for (xmlNodePtr n = next_node(root, root, true); n;) {
		if (tw_html_is_element(n, "title"))
			return walk_text(n, WALK_PAGE);
		/* an SVG drawing's <title> is a tooltip, not the page's */
		n = next_node(n, root, !tw_html_is_element(n, "svg"));
	}
	return NULL;
}

/* ---- URLs ---------------------------------------------------------------- */

enum resolved { RESOLVED, NOT_WEB, INVALID, NO_MEMORY };

/* The WHATWG URL parser's first steps, which curl does not take: strip C0
 * controls and spaces around the reference, drop tabs and newlines in it. */
static char *clean_ref(const char *ref)
{
	const unsigned char *s = (const unsigned char *)ref;
	size_t len = strlen(ref);
	while (len && *s <= 0x20) {
		s++;
		len--;
	}
	while (len && s[len - 1] <= 0x20)
		len--;
	char *out = malloc(len + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++)
		if (s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			*o++ = (char)s[i];
	*o = '\0';
	return out;
}

/* ref resolved against base (base may be NULL when ref is absolute). On
 * INVALID, *why is curl's reason and *base_bad tells whose fault it was. */
static enum resolved resolve(const char *base, const char *ref, char **out, CURLUcode *why,
			     bool *base_bad)
{
	*out = NULL;
	*why = CURLUE_OK;
	*base_bad = false;
	char *clean = clean_ref(ref);
	CURLU *h = curl_url();
	if (!clean || !h) {
		free(clean);
		curl_url_cleanup(h);
		return NO_MEMORY;
	}
	CURLUcode rc = CURLUE_OK;
	if (base) {
		rc = curl_url_set(h, CURLUPART_URL, base, 0);
		*base_bad = rc != CURLUE_OK;
	}
	/* "" and "#x" are the page itself; curl would go to its directory.
	 * What a URL cannot hold is percent-encoded, as a browser does with
	 * an href or what is typed in its address bar: a space is %20 in the
	 * path (+ in the query), é is %c3%a9; what has a meaning in a URL (/ ?
	 * # & = %) is left as it is. */
	if (rc == CURLUE_OK && (!base || (clean[0] != '\0' && clean[0] != '#')))
		rc = curl_url_set(h, CURLUPART_URL, clean, CURLU_URLENCODE);
	enum resolved result = RESOLVED;
	if (rc == CURLUE_OUT_OF_MEMORY)
		result = NO_MEMORY;
	else if (rc == CURLUE_UNSUPPORTED_SCHEME && !*base_bad)
		result = NOT_WEB;
	else if (rc != CURLUE_OK)
		result = INVALID;
	if (result == RESOLVED) {
		char *scheme = NULL;
		if (curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
			result = INVALID;
		else if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)
			result = NOT_WEB;
		curl_free(scheme);
	}
	if (result == RESOLVED) {
		char *url = NULL;
		rc = curl_url_set(h, CURLUPART_FRAGMENT, NULL, 0);
		if (rc == CURLUE_OK)
			rc = curl_url_get(h, CURLUPART_URL, &url, 0);
		if (rc == CURLUE_OK && !(*out = strdup(url)))
			result = NO_MEMORY;
		else if (rc != CURLUE_OK)
			result = rc == CURLUE_OUT_OF_MEMORY ? NO_MEMORY : INVALID;
		curl_free(url);
	}
	*why = rc;
	free(clean);
	curl_url_cleanup(h);
	return result;
}

int tw_url_resolve(const char *base, const char *ref, char **out, tw_error *err)
{
	*out = NULL;
	if (!ref)
		return tw_error_set(err, TW_EUSAGE, "no URL given");
	CURLUcode why;
	bool base_bad;
	enum resolved result = resolve(base, ref, out, &why, &base_bad);
	if (result == RESOLVED)
		return TW_OK;
	/* Quoted whole, to be cut once masked (tw_redact_message). */
	char *r = tw_redact_quote(ref, ASKED_CHARS);
	char *b = base ? tw_redact_quote(base, ASKED_CHARS) : NULL;
	int rc;
	if (result == NO_MEMORY || !r || (base && !b))
		rc = tw_error_set(err, TW_ENOMEM, "out of memory");
	else if (result == NOT_WEB)
		rc = tw_error_set(err, TW_EUSAGE,
				  "%s is not a web address a customer can follow here "
				  "(only http and https are)",
				  r);
	else if (base_bad)
		rc = tw_error_set(err, TW_EUSAGE, "%s cannot be used as a base URL: %s", b,
				  curl_url_strerror(why));
	else if (base)
		rc = tw_error_set(err, TW_EUSAGE, "%s is not a valid URL relative to %s: %s", r, b,
				  curl_url_strerror(why));
	else
		rc = tw_error_set(err, TW_EUSAGE, "%s is not a valid URL: %s", r,
				  curl_url_strerror(why));
	free(r);
	free(b);
	return rc;
}

int tw_url_resolve_memo(const tw_resolve_memo *memo, const char *base, const char *ref,
			char **out, tw_error *err)
{
	if (!memo || !ref)
		return tw_url_resolve(base, ref, out, err);
	/* Without a base, no NUL: no key with a base (even "") is the same. */
	size_t nb = base ? strlen(base) + 1 : 0, nr = strlen(ref);
	char *key = malloc(nb + nr + 1);
	if (!key)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	if (nb)
		memcpy(key, base, nb);
	memcpy(key + nb, ref, nr);
	const char *known = memo->get(memo->ud, key, nb + nr);
	int rc;
	if (known) {
		*out = strdup(known);
		rc = *out ? TW_OK : tw_error_set(err, TW_ENOMEM, "out of memory");
	} else if ((rc = tw_url_resolve(base, ref, out, err)) == TW_OK) {
		memo->keep(memo->ud, key, nb + nr, *out);
	}
	free(key);
	return rc;
}

char *tw_html_base_url(xmlDocPtr doc, const char *page_url)
{
	xmlNodePtr root = (xmlNodePtr)doc;
	const char *href = NULL;
	for (xmlNodePtr n = doc ? next_node(root, root, true) : NULL; n; n = next_node(n, root, true))
		if (tw_html_is_element(n, "base") && (href = tw_html_attr(n, "href")))
			break;
	if (href) {
		char *url;
		CURLUcode why;
		bool base_bad;
		/* an unusable <base> is ignored, as browsers do */
		if (resolve(page_url, href, &url, &why, &base_bad) == RESOLVED)
			return url;
	}
	return page_url ? strdup(page_url) : NULL;
}

/* ---- links --------------------------------------------------------------- */

typedef struct link {
	xmlNodePtr node;
	const char *href; /* as written; owned by the document */
	char *text;       /* visible text, collapsed */
	char *url;        /* resolved; NULL when it cannot be followed */
	enum resolved state;
	bool resolved;
} link;

typedef struct link_list {
	link *items;
	size_t count;
	size_t cap;
} link_list;

static void links_free(link_list *l)
{
	for (size_t i = 0; i < l->count; i++) {
		free(l->items[i].text);
		free(l->items[i].url);
	}
	free(l->items);
}

static int collect_links(xmlDocPtr doc, link_list *l)
{
	xmlNodePtr root = (xmlNodePtr)doc;
	for (xmlNodePtr n = next_node(root, root, true); n;) {
		bool descend = true;
		if (n->type == XML_ELEMENT_NODE) {
			const char *href = NULL;
			if (!rendered(n))
				descend = false;
			else if ((tw_html_is_element(n, "a") || tw_html_is_element(n, "area")) &&
				 (href = tw_html_attr(n, "href"))) {
				if (tw_array_grow(&l->items, &l->cap, l->count + 1,
						  sizeof(*l->items)))
					return TW_ENOMEM;
				link *k = &l->items[l->count];
				memset(k, 0, sizeof(*k));
				k->node = n;
				k->href = href;
				if (!(k->text = tw_html_text(n)))
					return TW_ENOMEM;
				l->count++;
			}
		}
		n = next_node(n, root, descend);
	}
	return TW_OK;
}

/* attribute text equals needle once whitespace is collapsed */
static bool same_words(const char *attr, const char *needle)
{
	if (!attr)
		return false;
	char *c = tw_html_collapse(attr);
	bool same = c && strcmp(c, needle) == 0;
	free(c);
	return same;
}

/* The words that name an icon link: aria-label, title, an image's alt. */
static bool named_by_attribute(const link *k, const char *needle)
{
	if (same_words(tw_html_attr(k->node, "aria-label"), needle) ||
	    same_words(tw_html_attr(k->node, "title"), needle) ||
	    (tw_html_is_element(k->node, "area") && same_words(tw_html_attr(k->node, "alt"), needle)))
		return true;
	xmlNodePtr root = k->node;
	for (xmlNodePtr n = next_node(root, root, true); n; n = next_node(n, root, true))
		if (tw_html_is_element(n, "img") && same_words(tw_html_attr(n, "alt"), needle))
			return true;
	return false;
}

/* What the error messages call a link: its text, else its other names. */
static char *link_name(const link *k)
{
	if (k->text[0])
		return strdup(k->text);
	const char *alt = NULL;
	xmlNodePtr root = k->node;
	if (tw_html_is_element(root, "area"))
		alt = tw_html_attr(root, "alt");
	for (xmlNodePtr n = next_node(root, root, true); n && !alt; n = next_node(n, root, true))
		if (tw_html_is_element(n, "img"))
			alt = tw_html_attr(n, "alt");
	const char *names[] = {tw_html_attr(root, "aria-label"), alt, tw_html_attr(root, "title")};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!names[i])
			continue;
		char *c = tw_html_collapse(names[i]);
		if (!c || c[0])
			return c;
		free(c);
	}
	return tw_html_collapse(k->href);
}

/* A message is built whole or not at all: MSG_MAX holds any quote, so a
 * failed one ran out of memory. */
static int fail_as(tw_error *err, tw_code code, tw_buf *msg)
{
	int rc = tw_buf_failed(msg) ? tw_error_set(err, TW_ENOMEM, "out of memory")
				    : tw_error_set(err, code, "%s", tw_buf_str(msg));
	tw_buf_free(msg);
	return rc;
}

static int fail_with(tw_error *err, tw_buf *msg)
{
	return fail_as(err, TW_EUSAGE, msg);
}

static int no_such_link(const link_list *l, const char *needle, tw_error *err)
{
	tw_buf msg;
	tw_buf_init(&msg, MSG_MAX);
	tw_buf_puts(&msg, "no link ");
	tw_redact_put_quoted(&msg, needle, ASKED_CHARS);
	if (l->count == 0) {
		tw_buf_puts(&msg, " on the page; the page has no links");
		return fail_with(err, &msg);
	}
	tw_buf_puts(&msg, " on the page; links here: ");
	/* each name once: a page repeats "Home" in its header and footer */
	char *shown[LIST_MAX];
	size_t nshown = 0;
	bool more = false;
	for (size_t i = 0; i < l->count; i++) {
		char *name = link_name(&l->items[i]);
		if (!name) /* out of memory */
			tw_buf_fail(&msg, TW_ENOMEM);
		if (!name || !name[0]) {
			free(name);
			continue;
		}
		bool dup = false;
		for (size_t j = 0; j < nshown && !dup; j++)
			dup = strcmp(shown[j], name) == 0;
		if (dup) {
			free(name);
		} else if (nshown == LIST_MAX) {
			free(name);
			more = true;
			break;
		} else {
			if (nshown)
				tw_buf_puts(&msg, ", ");
			tw_redact_put_quoted(&msg, name, LIST_CHARS);
			shown[nshown++] = name;
		}
	}
	if (more)
		tw_buf_puts(&msg, ", …");
	for (size_t j = 0; j < nshown; j++)
		free(shown[j]);
	return fail_with(err, &msg);
}

static void resolve_link(link *k, const char *base)
{
	if (k->resolved)
		return;
	CURLUcode why;
	bool base_bad;
	k->state = resolve(base, k->href, &k->url, &why, &base_bad);
	k->resolved = true;
}

/* Where a link goes, for telling targets apart: unfollowable links are
 * compared by what they say. */
static const char *target_of(const link *k)
{
	return k->url ? k->url : k->href;
}

/* The hint says what does tell the links apart (trial #12): their whole
 * texts when they differ, else their place among them, or (without
 * `in`) the words of their rows; with `in`, more of those words. */
static int ambiguous(const link_list *l, const size_t *hits, size_t nhits, const char *needle,
		     const char *within, tw_error *err)
{
	bool same_text = true;
	for (size_t i = 0; i < nhits; i++)
		same_text = same_text && strcmp(l->items[hits[i]].text, needle) == 0;
	tw_buf msg;
	tw_buf_init(&msg, MSG_MAX);
	tw_buf_puts(&msg, "link ");
	tw_redact_put_quoted(&msg, needle, ASKED_CHARS);
	tw_buf_printf(&msg, " is ambiguous: %zu links that go to different places match", nhits);
	if (within) {
		tw_buf_puts(&msg, " in a row, list item or section that says ");
		tw_redact_put_quoted(&msg, within, ASKED_CHARS);
	}
	tw_buf_puts(&msg, ": ");
	for (size_t i = 0; i < nhits && i < LIST_MAX; i++) {
		const link *k = &l->items[hits[i]];
		char *name = link_name(k);
		if (!name) /* out of memory */
			tw_buf_fail(&msg, TW_ENOMEM);
		if (i)
			tw_buf_puts(&msg, ", ");
		tw_redact_put_quoted(&msg, name ? name : "", LIST_CHARS);
		tw_buf_puts(&msg, " (");
		tw_redact_put_quoted(&msg, k->href, 2 * LIST_CHARS);
		tw_buf_puts(&msg, ")");
		free(name);
	}
	if (nhits > LIST_MAX)
		tw_buf_puts(&msg, ", …");
	if (!same_text) {
		tw_buf_puts(&msg, "; use the whole text of the one you mean, or its place among "
				  "them (click ");
		tw_redact_put_quoted(&msg, needle, ASKED_CHARS);
		tw_buf_printf(&msg, " 1 to %zu)", nhits);
		return fail_with(err, &msg);
	}
	tw_buf_puts(&msg, "; say which by its place among them (click ");
	tw_redact_put_quoted(&msg, needle, ASKED_CHARS);
	tw_buf_printf(&msg, " 1 to %zu, in the page's order), or ", nhits);
	if (within) {
		tw_buf_puts(&msg, "write more of the words around it after 'in'");
	} else {
		tw_buf_puts(&msg, "by words around it (click ");
		tw_redact_put_quoted(&msg, needle, ASKED_CHARS);
		tw_buf_puts(&msg, " in 'WORDS FROM ITS ROW')");
	}
	return fail_with(err, &msg);
}

/* n is inside (or is) root. */
static bool inside(xmlNodePtr n, xmlNodePtr root)
{
	for (; n; n = n->parent)
		if (n == root)
			return true;
	return false;
}

/* Whether an element's text has the words, remembered: the links of one
 * table share their ancestors, and a text is as long as the part of the
 * page it covers. */
typedef struct says {
	xmlNodePtr node;
	bool has;
} says;

typedef struct says_memo {
	says *items;
	size_t count, cap;
} says_memo;

static int element_says(says_memo *m, xmlNodePtr n, const char *words, bool *has)
{
	for (size_t i = 0; i < m->count; i++)
		if (m->items[i].node == n) {
			*has = m->items[i].has;
			return TW_OK;
		}
	char *text = tw_html_text(n);
	if (!text || tw_array_grow(&m->items, &m->cap, m->count + 1, sizeof(*m->items))) {
		free(text);
		return TW_ENOMEM;
	}
	*has = strstr(text, words) != NULL;
	free(text);
	m->items[m->count++] = (says){n, *has};
	return TW_OK;
}

/* `click "X" in "WORDS"`: keeps the hits whose scope holds no other hit.
 * A link's scope is its closest ancestor whose visible text has the words
 * (its table row, list item, section...): the right row's link finds its
 * row first, while another row's link only finds the table, which holds
 * every link so called. */
static int keep_within(const link_list *l, size_t *hits, size_t *nhits, const char *words)
{
	says_memo memo = {0};
	size_t kept = 0;
	int rc = TW_OK;
	for (size_t i = 0; i < *nhits && rc == TW_OK; i++) {
		xmlNodePtr scope = NULL;
		for (xmlNodePtr a = l->items[hits[i]].node->parent;
		     a && a->type == XML_ELEMENT_NODE && !scope && rc == TW_OK; a = a->parent) {
			bool has = false;
			rc = element_says(&memo, a, words, &has);
			if (has)
				scope = a;
		}
		size_t held = 0;
		for (size_t j = 0; scope && j < *nhits; j++)
			held += inside(l->items[hits[j]].node, scope);
		if (scope && held == 1)
			hits[kept++] = hits[i];
	}
	free(memo.items);
	*nhits = kept;
	return rc;
}

static int not_within(size_t so_called, const char *needle, const char *words, tw_error *err)
{
	tw_buf msg;
	tw_buf_init(&msg, MSG_MAX);
	tw_buf_puts(&msg, "no link ");
	tw_redact_put_quoted(&msg, needle, ASKED_CHARS);
	tw_buf_puts(&msg, " in a row, list item or section that says ");
	tw_redact_put_quoted(&msg, words, ASKED_CHARS);
	tw_buf_printf(&msg, " (the page has %zu link%s so called)", so_called,
		      so_called == 1 ? "" : "s");
	return fail_with(err, &msg);
}

/* Picks the link needle names among l (see the top of the file): the nth
 * so called (from 1; 0: the one), or the one in the part of the page
 * that says within (NULL: anywhere); and resolves it. *chosen has a URL
 * on success. */
static int pick_link(xmlDocPtr doc, const char *page_url, const char *needle, long nth,
		     const char *within, link_list *l, link **chosen, tw_error *err)
{
	size_t *hits = l->count ? malloc(l->count * sizeof(*hits)) : NULL, nhits = 0;
	if (l->count && !hits)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	size_t so_called = 0;
	for (int tier = 0; tier < 3 && nhits == 0; tier++) {
		for (size_t i = 0; i < l->count; i++) {
			const link *k = &l->items[i];
			bool match = tier == 0   ? strcmp(k->text, needle) == 0
				     : tier == 1 ? named_by_attribute(k, needle)
						 : strstr(k->text, needle) != NULL;
			if (match)
				hits[nhits++] = i;
		}
		if (so_called == 0)
			so_called = nhits;
		if (within && nhits && keep_within(l, hits, &nhits, within) != TW_OK) {
			free(hits);
			return tw_error_set(err, TW_ENOMEM, "out of memory");
		}
	}
	if (nhits == 0) {
		free(hits);
		return within && so_called ? not_within(so_called, needle, within, err)
					   : no_such_link(l, needle, err);
	}
	if (nth > 0) {
		if ((size_t)nth > nhits) {
			tw_buf msg;
			tw_buf_init(&msg, MSG_MAX);
			tw_buf_printf(&msg, "no link %ld called ", nth);
			tw_redact_put_quoted(&msg, needle, ASKED_CHARS);
			tw_buf_printf(&msg, ": the page has %zu so called", nhits);
			free(hits);
			return fail_with(err, &msg);
		}
		/* the one asked for, whatever the others do */
		hits[0] = hits[nth - 1];
		nhits = 1;
	}

	char *base = tw_html_base_url(doc, page_url);
	int rc = base ? TW_OK : TW_ENOMEM;
	for (size_t i = 0; i < nhits && rc == TW_OK; i++) {
		resolve_link(&l->items[hits[i]], base);
		if (l->items[hits[i]].state == NO_MEMORY)
			rc = TW_ENOMEM;
	}
	free(base);
	if (rc != TW_OK) {
		free(hits);
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	}
	for (size_t i = 1; i < nhits; i++)
		if (strcmp(target_of(&l->items[hits[i]]), target_of(&l->items[hits[0]])) != 0) {
			rc = ambiguous(l, hits, nhits, needle, within, err);
			free(hits);
			return rc;
		}

	link *k = &l->items[hits[0]];
	free(hits);
	if (!k->url) {
		tw_buf msg;
		tw_buf_init(&msg, MSG_MAX);
		/* mailto:, tel:, javascript: are no fault of the page: a
		 * customer's browser follows them, techweek cannot yet. */
		if (k->state == NOT_WEB)
			tw_buf_puts(&msg, "techweek cannot follow links out of the web yet: ");
		tw_buf_puts(&msg, "link ");
		tw_redact_put_quoted(&msg, needle, ASKED_CHARS);
		tw_buf_puts(&msg, " goes to ");
		tw_redact_put_quoted(&msg, k->href, ASKED_CHARS);
		if (k->state != NOT_WEB)
			tw_buf_puts(&msg, ", which is not a valid URL");
		return fail_as(err, k->state == NOT_WEB ? TW_EUNSUPPORTED : TW_EUSAGE, &msg);
	}
	*chosen = k;
	return TW_OK;
}

int tw_html_click(xmlDocPtr doc, const char *page_url, const char *text, long nth,
		  const char *within, tw_http_request *out, tw_error *err)
{
	char *needle = tw_html_collapse(text);
	char *words = within ? tw_html_collapse(within) : NULL;
	if (!needle || (within && !words)) {
		free(needle);
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	}
	if (!needle[0] || (words && !words[0])) {
		int rc = tw_error_set(err, TW_EUSAGE, needle[0] ? "click ... in needs the words of a row"
							       : "click needs the text of a link");
		free(needle);
		free(words);
		return rc;
	}
	link_list l = {0};
	link *chosen = NULL;
	tw_http_request req = {0};
	int rc = doc ? collect_links(doc, &l) : TW_OK;
	if (rc != TW_OK)
		rc = tw_error_set(err, TW_ENOMEM, "out of memory");
	else
		rc = pick_link(doc, page_url, needle, nth, words, &l, &chosen, err);
	if (rc == TW_OK && tw_http_request_set(&req, "GET", chosen->url) != TW_OK)
		rc = tw_error_set(err, TW_ENOMEM, "out of memory");
	if (rc == TW_OK) {
		req.navigation = true;
		req.referrer_policy = tw_html_element_referrer_policy(chosen->node);
		tw_http_request_free(out);
		*out = req;
	} else {
		tw_http_request_free(&req);
	}
	links_free(&l);
	free(needle);
	free(words);
	return rc;
}

/* ---- what a navigation says about the page it leaves ---- */

char *tw_url_origin(const char *url)
{
	CURLU *h = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *out = NULL;
	if (h && url && curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		/* The default port is no part of an origin as browsers write it. */
		curl_url_get(h, CURLUPART_PORT, &port, CURLU_NO_DEFAULT_PORT);
		/* Copied, not printed: vsnprintf was over a quarter of an
		 * origin's cost, and a web journey asks for several. */
		size_t ns = strlen(scheme), nh = strlen(host), np = port ? strlen(port) : 0;
		out = malloc(ns + 3 + nh + (port ? 1 + np : 0) + 1);
		if (out) {
			char *p = out;
			memcpy(p, scheme, ns);
			memcpy(p += ns, "://", 3);
			memcpy(p += 3, host, nh);
			p += nh;
			if (port) {
				*p++ = ':';
				memcpy(p, port, np);
				p += np;
			}
			*p = '\0';
			for (p = out; *p; p++)
				if (*p >= 'A' && *p <= 'Z')
					*p = (char)(*p - 'A' + 'a');
		}
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(h);
	return out;
}

char *tw_url_origin_hint(const char *url, const char *hint)
{
	size_t n = hint ? strlen(hint) : 0;
	if (n && url && strncmp(url, hint, n) == 0 && url[n] == '/')
		return strdup(hint);
	return tw_url_origin(url);
}

static bool is_scheme(const char *url, const char *scheme)
{
	size_t n = strlen(scheme);
	return url && strncasecmp(url, scheme, n) == 0 && url[n] == ':';
}

/* The page's URL as a Referer: no fragment, no user name or password. */
static char *referer_url(const char *page_url)
{
	/* Without '#' and '@' there is neither to take out (a page's URL is
	 * libcurl's, already in its normal form): the URL API's round trip,
	 * four parts set and the URL printed, is a click's dearest step. */
	if (!strchr(page_url, '#') && !strchr(page_url, '@'))
		return strdup(page_url);
	CURLU *h = curl_url();
	char *u = NULL, *out = NULL;
	if (h && curl_url_set(h, CURLUPART_URL, page_url, 0) == CURLUE_OK &&
	    curl_url_set(h, CURLUPART_FRAGMENT, NULL, 0) == CURLUE_OK &&
	    curl_url_set(h, CURLUPART_USER, NULL, 0) == CURLUE_OK &&
	    curl_url_set(h, CURLUPART_PASSWORD, NULL, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_URL, &u, 0) == CURLUE_OK)
		out = strdup(u);
	curl_free(u);
	curl_url_cleanup(h);
	return out;
}

int tw_html_referrer_policy(xmlDocPtr doc, const char *header)
{
	int policy = tw_referrer_policy_parse(header, 0);
	xmlNodePtr root = (xmlNodePtr)doc;
	/* Each <meta name="referrer"> sets the page's policy as the parser
	 * meets it: the last that names a known one wins, over the header. */
	for (xmlNodePtr n = doc ? next_node(root, root, true) : NULL; n; n = next_node(n, root, true)) {
		const char *name = tw_html_is_element(n, "meta") ? tw_html_attr(n, "name") : NULL;
		int p = name && strcasecmp(name, "referrer") == 0
				? tw_referrer_policy_parse(tw_html_attr(n, "content"), 1)
				: TW_REFERRER_UNSET;
		if (p != TW_REFERRER_UNSET)
			policy = p;
	}
	return policy;
}

/* Whether a rel attribute holds the link type word (a set of words). */
static bool rel_has(const char *rel, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = rel; p && *p;) {
		p += strspn(p, " \t\r\n\f");
		size_t len = strcspn(p, " \t\r\n\f");
		if (len == n && strncasecmp(p, word, n) == 0)
			return true;
		p += len;
	}
	return false;
}

int tw_html_element_referrer_policy(xmlNodePtr node)
{
	if (rel_has(tw_html_attr(node, "rel"), "noreferrer"))
		return TW_REFERRER_NO_REFERRER;
	return tw_referrer_policy_parse(tw_html_attr(node, "referrerpolicy"), 0);
}

int tw_html_add_referrer(tw_http_request *req, const char *page_url, int page_policy)
{
	char *from = tw_url_origin(page_url);
	char *to = from ? tw_url_origin_hint(req->url, from) : NULL;
	if (!from || !to) {
		/* No origin to speak of (tw_url_origin cannot tell it from out
		 * of memory): nothing said is the safe side either way. */
		free(from);
		free(to);
		return TW_OK;
	}
	int policy = req->referrer_policy ? req->referrer_policy : page_policy;
	bool downgrade = is_scheme(page_url, "https") && !is_scheme(req->url, "https");
	bool same = strcmp(from, to) == 0;
	int rc = TW_OK;
	if (!tw_http_request_has_header(req, "Referer")) {
		free(req->referrer);
		req->referrer = referer_url(page_url);
		req->referrer_policy = policy;
		if (!req->referrer)
			rc = TW_ENOMEM;
	}
	/* Fetch, "append a request Origin header": the policy that hides
	 * the page hides its origin too. */
	bool hidden = policy == TW_REFERRER_NO_REFERRER ||
		      (policy == TW_REFERRER_SAME_ORIGIN && !same) ||
		      (downgrade && policy != TW_REFERRER_ORIGIN &&
		       policy != TW_REFERRER_ORIGIN_WHEN_CROSS_ORIGIN &&
		       policy != TW_REFERRER_UNSAFE_URL);
	bool safe = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
	if (rc == TW_OK && !safe && !tw_http_request_has_header(req, "Origin"))
		rc = tw_http_request_add_header(req, "Origin", hidden ? "null" : from);
	free(from);
	free(to);
	return rc;
}

/* ---- meta refresh (issue 12, redirects) ---------------------------------- */

/* The URL of content="5; url=/next" as the HTML standard reads a refresh
 * ("shared declarative refresh steps"): the delay, then ';' or ',', then
 * an optional "url=" (any case), the URL, maybe quoted. NULL when the
 * content names no URL (a reload of the page itself). malloc'd. */
static char *refresh_target(const char *content)
{
	const char *p = content;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f')
		p++;
	while ((*p >= '0' && *p <= '9') || *p == '.')
		p++;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f')
		p++;
	if (*p != ';' && *p != ',')
		return NULL;
	p++;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f')
		p++;
	if (strncasecmp(p, "url", 3) == 0) {
		const char *q = p + 3;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q == '=') {
			p = q + 1;
			while (*p == ' ' || *p == '\t')
				p++;
		}
	}
	char quote = *p == '"' || *p == '\'' ? *p++ : '\0';
	size_t n = quote && strchr(p, quote) ? (size_t)(strchr(p, quote) - p) : strlen(p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\n' || p[n - 1] == '\r'))
		n--;
	return n ? strndup(p, n) : NULL;
}

int tw_html_meta_refresh(xmlDocPtr doc, const char *page_url, char **out)
{
	*out = NULL;
	xmlNodePtr root = (xmlNodePtr)doc;
	for (xmlNodePtr n = doc ? next_node(root, root, true) : NULL; n; n = next_node(n, root, true)) {
		const char *equiv = tw_html_is_element(n, "meta") ? tw_html_attr(n, "http-equiv") : NULL;
		const char *content = equiv && strcasecmp(equiv, "refresh") == 0
					      ? tw_html_attr(n, "content")
					      : NULL;
		if (!content)
			continue;
		char *target = refresh_target(content);
		if (!target)
			return TW_OK; /* the first refresh counts, as in a browser */
		char *base = tw_html_base_url(doc, page_url);
		char *url = NULL;
		CURLUcode why;
		bool base_bad;
		int rc = TW_OK;
		if (!base)
			rc = TW_ENOMEM;
		else if (resolve(base, target, &url, &why, &base_bad) == RESOLVED)
			*out = url;
		free(base);
		free(target);
		return rc;
	}
	return TW_OK;
}
