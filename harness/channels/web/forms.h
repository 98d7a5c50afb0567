/*
 * Forms as a browser handles them. fill/choose/tick change the parsed page
 * in place (value/selected/checked attributes), so submit serialises the
 * form exactly as the customer left it, following the HTML "constructing
 * the entry list" rules: disabled controls and unchecked boxes left out,
 * hidden inputs (CSRF tokens) kept, only the activating button's
 * name=value sent.
 */
#ifndef TW_WEB_FORMS_H
#define TW_WEB_FORMS_H

#include <libxml/tree.h>
#include <stdbool.h>

#include "techweek/error.h"
#include "channels/web/request.h"

/* Finding a field: exact label text (label[for] or a wrapping label), then
 * name, then id, then placeholder / aria-label. *form_out (may be NULL) is
 * set to the field's form element (NULL when outside any form). Errors
 * (TW_ECHECK-style messages, code TW_EUSAGE) name the field and list the
 * fields the page has. */
int tw_form_fill(xmlDocPtr doc, const char *field, const char *value,
		 xmlNodePtr *form_out, tw_error *err);

/* Selects the option (by visible text, then value) of the select named by
 * field; field NULL: the only select on the page having such an option. */
int tw_form_choose(xmlDocPtr doc, const char *field, const char *option,
		   xmlNodePtr *form_out, tw_error *err);

/* Checks (on) or unchecks a checkbox; checks a radio (unchecking the others
 * of its group). Unticking a radio is an error. */
int tw_form_tick(xmlDocPtr doc, const char *field, bool on,
		 xmlNodePtr *form_out, tw_error *err);

/* Builds the submission. button: text, value, name or id of a submit
 * button (button without type, type=submit, input type=submit|image); NULL
 * submits preferred_form (the form last filled) or, without one, the only
 * form on the page, with no button. Honours action (default: the page URL),
 * method (GET puts the entries in the query), enctype
 * (x-www-form-urlencoded, multipart/form-data, text/plain) and the button's
 * formaction/formmethod/formenctype. */
int tw_form_submit(xmlDocPtr doc, const char *page_url, const char *button,
		   xmlNodePtr preferred_form, tw_http_request *out, tw_error *err);

#endif
