/*
 * A form's submission: the entry list a form sends, and the request that
 * carries it, as the HTML standard's form submission algorithm builds it.
 *
 * Why apart from forms.c: forms.c knows the page (which controls, which
 * form, which button, what each control contributes); this module knows
 * the wire (how entries are encoded, where and how they are sent), so each
 * grows without touching the other.
 *
 * How: entries are added with their line breaks as CRLF, as every form
 * encoding requires. The button's formmethod/formenctype/formaction win
 * over the form's method/enctype/action. Encodings:
 * application/x-www-form-urlencoded (curl_easy_escape, then %20 -> '+';
 * curl leaves '~' bare and escapes '*', which servers decode the same),
 * multipart/form-data (request parts; libcurl writes the boundary),
 * text/plain. GET replaces the action URL's query through libcurl's URL
 * API. Action: the button's formaction, else the form's action (relative
 * to the page's base URL), else the page URL itself.
 *
 * Ownership: an entry_list owns its names and values
 * (tw_submit_entries_free). Nodes are borrowed from the page.
 */
#ifndef TW_WEB_SUBMIT_H
#define TW_WEB_SUBMIT_H

#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>

#include "channels/web/html.h"
#include "channels/web/request.h"
#include "techweek/error.h"

#define TW_SUBMIT_BODY_MAX ((size_t)64 << 20) /* what one form may send */

enum enctype { URLENCODED, MULTIPART, TEXT_PLAIN };

typedef struct entry {
	char *name;
	char *value;
	bool file; /* a file input: value is the attached file's path, or
		      "" for none (an empty file named "") */
} entry;

typedef struct entry_list {
	entry *items;
	size_t count;
	size_t cap;
} entry_list;

/* Frees the entries' strings and the array (not l itself). */
void tw_submit_entries_free(entry_list *l);

/* Appends name=value (copied, line breaks as CRLF); file: a file input,
 * value the path of its file ("" for none: sent as an empty file). TW_OK
 * or TW_ENOMEM. */
int tw_submit_add_entry(entry_list *l, const char *name, const char *value, bool file);

/* The method ("GET" or "POST", static) and the encoding the form is sent
 * with; method=dialog is an error (TW_EUSAGE). */
int tw_submit_method(xmlNodePtr form, xmlNodePtr submitter, const char **method,
		     enum enctype *type, tw_error *err);

/* The URL the form goes to (malloc'd into *out); memo (may be NULL) as
 * tw_url_resolve_memo's. */
int tw_submit_action_url(xmlDocPtr doc, const char *page_url, xmlNodePtr form,
			 xmlNodePtr submitter, const tw_resolve_memo *memo, char **out,
			 tw_error *err);

/* Fills req (empty) with the entries sent to url. Returns TW_OK, TW_ENOMEM,
 * TW_ELIMIT (more than TW_SUBMIT_BODY_MAX) or TW_EINTERNAL (libcurl
 * refused the URL); req is the caller's to free either way. */
int tw_submit_request(const entry_list *l, const char *method, const char *url, enum enctype type,
		      tw_http_request *req);

#endif
