/*
 * Forms as a browser handles them. fill/choose/tick change the parsed page
 * in place (value/selected/checked attributes), so submit serialises the
 * form exactly as the customer left it, following the HTML "constructing
 * the entry list" rules: disabled controls and unchecked boxes left out,
 * hidden inputs (CSRF tokens) kept, only the activating button's
 * name=value sent.
 *
 * Error messages quote page and script text whole, marked where to cut
 * it: show them through tw_redact_message (core/redact.h), which masks
 * the run's secrets before it cuts.
 */
#ifndef TW_WEB_FORMS_H
#define TW_WEB_FORMS_H

#include <libxml/tree.h>
#include <stdbool.h>

#include "techweek/error.h"
#include "channels/web/html.h"
#include "channels/web/request.h"

/* Finding a field: exact label text (label[for] or a wrapping label; a
 * trailing ':' or '*' on the label may be left out), then name, then id,
 * then placeholder / aria-label. *form_out (may be NULL) is set to the
 * field's form element (NULL when outside any form). Errors (TW_ECHECK-style
 * messages, code TW_EUSAGE) name the field and list the fields the page
 * has; fill on a checkbox, radio or select says which step to use instead;
 * a value longer than the field's maxlength is an error, not truncated. */
int tw_form_fill(xmlDocPtr doc, const char *field, const char *value,
		 xmlNodePtr *form_out, tw_error *err);

/* Selects the option (by visible text, then value) of the select named by
 * field; field NULL: the only select on the page having such an option. */
int tw_form_choose(xmlDocPtr doc, const char *field, const char *option,
		   xmlNodePtr *form_out, tw_error *err);

/* Un-chooses the option (by visible text, then value) of the multi-select
 * named by field. A list of one choice is an error naming the field: a
 * customer can only choose another option there. */
int tw_form_deselect(xmlDocPtr doc, const char *field, const char *option,
		     xmlNodePtr *form_out, tw_error *err);

/* Gives the file input named by field the file at path (the caller has
 * made it a path the run can read); submit then sends the form as
 * multipart/form-data with the file's content, its name and a
 * Content-Type libcurl guesses from its extension. */
int tw_form_attach(xmlDocPtr doc, const char *field, const char *path,
		   xmlNodePtr *form_out, tw_error *err);
/* Frees what attach keeps beside doc (its files: doc->_private, which no
 * parser sets); call before xmlFreeDoc of a page attach was used on. */
void tw_form_attachments_free(xmlDocPtr doc);

/* Checks (on) or unchecks a checkbox; checks a radio (unchecking the others
 * of its group: same name, same form, or all formless ones). Unticking a
 * radio is an error. Besides the ways above, field may be NAME=VALUE
 * ("crust=thick") to pick one of several radios or checkboxes sharing a
 * name by its value. */
int tw_form_tick(xmlDocPtr doc, const char *field, bool on,
		 xmlNodePtr *form_out, tw_error *err);

/* Builds the submission. button: text, value, aria-label/title, name or id
 * of a submit button (button without type, type=submit, input
 * type=submit|image); when several different buttons match, the one in
 * preferred_form wins. NULL is pressing Enter: it submits preferred_form
 * (the form last filled) or, without one, the only form on the page, as
 * pressed by that form's default (first) submit button if it has one.
 * Honours action (default: the page URL), method (GET puts the entries in
 * the query), enctype (x-www-form-urlencoded, multipart/form-data,
 * text/plain), the button's formaction/formmethod/formenctype, and, like a
 * browser, refuses to send a form whose required fields are empty (unless
 * novalidate/formnovalidate). On success *out is freed and replaced; on
 * error it is left as it was. */
int tw_form_submit(xmlDocPtr doc, const char *page_url, const char *button,
		   xmlNodePtr preferred_form, tw_http_request *out, tw_error *err);
/* tw_form_submit, resolving the form's action through memo (may be NULL;
 * see tw_url_resolve_memo). */
int tw_form_submit_memo(xmlDocPtr doc, const char *page_url, const char *button,
			xmlNodePtr preferred_form, const tw_resolve_memo *memo,
			tw_http_request *out, tw_error *err);

#endif
