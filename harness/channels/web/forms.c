/*
 * Forms, handled the way a browser handles them for a customer.
 *
 * Why: "fill 'Your name' with Ada", "tick 'Extra cheese'", "submit 'Place
 * order'" are what a customer does; the server must receive exactly what a
 * browser would send for that, hidden CSRF tokens and all, or a rehearsal
 * proves nothing about the real journey.
 *
 * How: the parsed page is the form's state. fill, choose and tick write
 * the value/selected/checked attributes (and a textarea's text) in the
 * libxml2 tree, so the page is left as the customer left it; submit then
 * reads the tree once, following the HTML standard's "constructing the
 * entry list" and form submission algorithms:
 *
 * - Controls belong to a form by ancestry or by form="id" from anywhere in
 *   the page; controls inside <template> are inert and ignored.
 * - Disabled controls (also those in a disabled fieldset, outside its first
 *   legend), nameless ones, unticked boxes and every button but the one
 *   pressed are left out; hidden inputs are kept. A select sends its chosen
 *   options, or a one-line select with none chosen its first enabled
 *   option. Checkboxes and radios without a value send "on"; an image
 *   button sends name.x=0&name.y=0; a file input sends the file attach
 *   gave it (the form then goes as multipart/form-data), else an empty
 *   file; textarea line breaks become CRLF.
 * - submit with no button is pressing Enter: the form's default button
 *   (its first submit button) is the one pressed, when it has one.
 * - Like a browser, submit refuses to send a form whose `required` fields
 *   are empty (unless novalidate/formnovalidate): a rehearsal must not pass
 *   a step a real customer would be stopped at.
 * - The entry list is then sent by submit.c: the encodings, the method
 *   and the action URL (the button's formX over the form's X).
 *
 * Finding a field, in order: a label's exact text (label[for], or a label
 * wrapping the control; a trailing ':' or '*' on the label may be left
 * out), then the name, id, placeholder and aria-label attributes. tick also
 * accepts NAME=VALUE ("crust=thick", "topping=olives") for radios and
 * checkboxes that share a name. Every miss and every ambiguity lists what
 * the page does have, capped so a huge page still gives a short message.
 *
 * Whole-page walks are iterative and linear; id lookups happen once per
 * step, not once per control, so a page of many controls stays cheap.
 */
#include "channels/web/forms.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "channels/web/html.h"
#include "channels/web/submit.h"
#include "core/array.h"
#include "core/buf.h"
#include "core/redact.h"

/* Messages quote page and script text whole, marked where to cut it
 * (tw_redact_put_quoted): the run masks its secrets before the cut, so a
 * message may be as large as the page it quotes. */
#define MSG_MAX ((size_t)256 << 20)
#define LIST_MAX 10                 /* entries listed in an error message */
#define LIST_CHARS 40               /* characters shown of each entry */
#define ASKED_CHARS 200             /* characters shown of what a script asked for */
#define LIST_SCAN 200               /* candidates looked at to fill such a list */

/* ---- the tree ------------------------------------------------------------ */

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The element after n in document order inside root, never entering a
 * <template> (its content is inert) or an entity's declaration. */
static xmlNodePtr next_element(xmlNodePtr n, xmlNodePtr root)
{
	bool descend = n == root || (n->type == XML_ELEMENT_NODE && !tw_html_is_element(n, "template"));
	for (;;) {
		if (descend && n->children)
			n = n->children;
		else {
			while (n != root && !n->next)
				n = n->parent;
			if (n == root)
				return NULL;
			n = n->next;
		}
		if (n->type == XML_ELEMENT_NODE)
			return n;
		descend = false;
	}
}

static xmlNodePtr first_element(xmlDocPtr doc)
{
	return doc ? next_element((xmlNodePtr)doc, (xmlNodePtr)doc) : NULL;
}

static xmlNodePtr element_by_id(xmlDocPtr doc, const char *id)
{
	if (!id || !id[0])
		return NULL;
	for (xmlNodePtr n = first_element(doc); n; n = next_element(n, (xmlNodePtr)doc))
		if (same_str(tw_html_attr(n, "id"), id))
			return n;
	return NULL;
}

/* ---- controls ------------------------------------------------------------ */

/* The files attach gave a page's file inputs: kept beside the page
 * (doc->_private, application data no parser sets), never in it, so that
 * what the page says can never name a local file to upload. */
typedef struct attachment {
	xmlNodePtr input;
	char *path;
} attachment;

typedef struct attachments {
	attachment *items;
	size_t count, cap;
} attachments;

/* The file attached to input n, NULL for none. */
static const char *attached(xmlNodePtr n)
{
	const attachments *a = n && n->doc ? n->doc->_private : NULL;
	for (size_t i = 0; a && i < a->count; i++)
		if (a->items[i].input == n)
			return a->items[i].path;
	return NULL;
}

typedef enum kind {
	K_OTHER,    /* not a control */
	K_TEXT,     /* an input that takes typed text: text, email, number, date... */
	K_TEXTAREA,
	K_SELECT,
	K_CHECKBOX,
	K_RADIO,
	K_FILE,
	K_HIDDEN,
	K_SUBMIT,   /* <button> (type submit, missing or unknown), input type=submit */
	K_IMAGE,    /* input type=image */
	K_RESET,
	K_BUTTON,   /* type=button: does nothing without scripts */
} kind;

static kind kind_of(xmlNodePtr n)
{
	if (!n || n->type != XML_ELEMENT_NODE)
		return K_OTHER;
	if (tw_html_is_element(n, "select"))
		return K_SELECT;
	if (tw_html_is_element(n, "textarea"))
		return K_TEXTAREA;
	const char *type = tw_html_attr(n, "type");
	if (tw_html_is_element(n, "button")) {
		if (type && strcasecmp(type, "reset") == 0)
			return K_RESET;
		if (type && strcasecmp(type, "button") == 0)
			return K_BUTTON;
		return K_SUBMIT;
	}
	if (!tw_html_is_element(n, "input"))
		return K_OTHER;
	static const struct {
		const char *type;
		kind k;
	} types[] = {
		{"hidden", K_HIDDEN}, {"checkbox", K_CHECKBOX}, {"radio", K_RADIO},
		{"file", K_FILE},     {"submit", K_SUBMIT},     {"image", K_IMAGE},
		{"reset", K_RESET},   {"button", K_BUTTON},
	};
	for (size_t i = 0; type && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcasecmp(type, types[i].type) == 0)
			return types[i].k;
	return K_TEXT; /* no type, text, email, ... and unknown types */
}

/* What a customer can fill, choose or tick. */
static bool is_field(kind k)
{
	return k == K_TEXT || k == K_TEXTAREA || k == K_SELECT || k == K_CHECKBOX ||
	       k == K_RADIO || k == K_FILE;
}

static bool is_button(kind k)
{
	return k == K_SUBMIT || k == K_IMAGE || k == K_RESET || k == K_BUTTON;
}

static bool is_labelable(xmlNodePtr n)
{
	if (tw_html_is_element(n, "input"))
		return kind_of(n) != K_HIDDEN;
	return tw_html_is_element(n, "button") || tw_html_is_element(n, "select") || tw_html_is_element(n, "textarea") ||
	       tw_html_is_element(n, "meter") || tw_html_is_element(n, "output") || tw_html_is_element(n, "progress");
}

static const char *kind_word(kind k)
{
	switch (k) {
	case K_TEXT: return "a text field";
	case K_TEXTAREA: return "a text area";
	case K_SELECT: return "a drop-down list";
	case K_CHECKBOX: return "a checkbox";
	case K_RADIO: return "a radio button";
	case K_FILE: return "a file upload";
	default: return "not a field";
	}
}

/* The step that works on a kind of field. */
static const char *step_for(kind k)
{
	switch (k) {
	case K_TEXT:
	case K_TEXTAREA: return "fill";
	case K_SELECT: return "choose";
	case K_CHECKBOX:
	case K_RADIO: return "tick";
	case K_FILE: return "attach";
	default: return NULL;
	}
}

/* Disabled itself, or inside a disabled fieldset other than in that
 * fieldset's first legend. */
static bool is_disabled(xmlNodePtr n)
{
	if (tw_html_attr(n, "disabled"))
		return true;
	xmlNodePtr child = n;
	for (xmlNodePtr p = n->parent; p && p->type == XML_ELEMENT_NODE; child = p, p = p->parent) {
		if (!tw_html_is_element(p, "fieldset") || !tw_html_attr(p, "disabled"))
			continue;
		xmlNodePtr legend = p->children;
		while (legend && !tw_html_is_element(legend, "legend"))
			legend = legend->next;
		if (child != legend)
			return true;
	}
	return false;
}

static bool in_datalist(xmlNodePtr n)
{
	for (xmlNodePtr p = n->parent; p && p->type == XML_ELEMENT_NODE; p = p->parent)
		if (tw_html_is_element(p, "datalist"))
			return true;
	return false;
}

/* The form a control belongs to: form="id" when present, else the nearest
 * form around it. */
static xmlNodePtr form_owner(xmlDocPtr doc, xmlNodePtr n)
{
	const char *id = tw_html_attr(n, "form");
	if (id) {
		xmlNodePtr f = element_by_id(doc, id);
		return tw_html_is_element(f, "form") ? f : NULL;
	}
	for (xmlNodePtr p = n->parent; p && p->type == XML_ELEMENT_NODE; p = p->parent)
		if (tw_html_is_element(p, "form"))
			return p;
	return NULL;
}

/* Answers "does n belong to form?" for many controls with one id lookup. */
typedef struct owner_test {
	xmlDocPtr doc;
	xmlNodePtr form; /* NULL: controls outside any form */
	const char *id;  /* form's id, when form="id" can reach it */
} owner_test;

static owner_test owner_test_for(xmlDocPtr doc, xmlNodePtr form)
{
	owner_test t = {.doc = doc, .form = form, .id = NULL};
	const char *id = form ? tw_html_attr(form, "id") : NULL;
	if (id && element_by_id(doc, id) == form)
		t.id = id;
	return t;
}

static bool owned_by(xmlNodePtr n, const owner_test *t)
{
	const char *id = tw_html_attr(n, "form");
	if (id && t->form)
		return t->id && strcmp(id, t->id) == 0;
	if (id)
		return form_owner(t->doc, n) == NULL;
	for (xmlNodePtr p = n->parent; p && p->type == XML_ELEMENT_NODE; p = p->parent)
		if (tw_html_is_element(p, "form"))
			return p == t->form;
	return t->form == NULL;
}

/* ---- lists and messages -------------------------------------------------- */

typedef struct node_list {
	xmlNodePtr *items;
	size_t count;
	size_t cap;
} node_list;

static int push_node(node_list *l, xmlNodePtr n)
{
	for (size_t i = 0; i < l->count; i++)
		if (l->items[i] == n)
			return TW_OK;
	if (tw_array_grow(&l->items, &l->cap, l->count + 1, sizeof(*l->items)))
		return TW_ENOMEM;
	l->items[l->count++] = n;
	return TW_OK;
}

static void nodes_free(node_list *l)
{
	free(l->items);
	memset(l, 0, sizeof(*l));
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

static int no_memory(tw_error *err)
{
	return tw_error_set(err, TW_ENOMEM, "out of memory");
}

/* An error quoting what the script asked for: before, the quote, then
 * fmt. */
static int fail_asked(tw_error *err, const char *before, const char *asked, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail_asked(tw_error *err, const char *before, const char *asked, const char *fmt, ...)
{
	tw_buf msg;
	tw_buf_init(&msg, MSG_MAX);
	tw_buf_puts(&msg, before);
	tw_redact_put_quoted(&msg, asked, ASKED_CHARS);
	va_list ap;
	va_start(ap, fmt);
	tw_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	return fail_with(err, &msg);
}

/* Collects distinct descriptions, LIST_MAX at most, into msg; *more tells
 * whether some were left out. */
typedef struct lister {
	tw_buf *msg;
	char *shown[LIST_MAX];
	size_t count;
	bool more;
} lister;

static void lister_add(lister *l, char *desc)
{
	if (!desc) /* could not be described: out of memory */
		tw_buf_fail(l->msg, TW_ENOMEM);
	if (!desc || !desc[0]) {
		free(desc);
		return;
	}
	for (size_t i = 0; i < l->count; i++)
		if (strcmp(l->shown[i], desc) == 0) {
			free(desc);
			return;
		}
	if (l->count == LIST_MAX) {
		l->more = true;
		free(desc);
		return;
	}
	if (l->count)
		tw_buf_puts(l->msg, ", ");
	tw_buf_puts(l->msg, desc);
	l->shown[l->count++] = desc;
}

static void lister_end(lister *l)
{
	if (l->more)
		tw_buf_puts(l->msg, ", …");
	for (size_t i = 0; i < l->count; i++)
		free(l->shown[i]);
}

/* ---- labels and field descriptions --------------------------------------- */

/* The control a label names: its for= target, else the first labelable
 * element inside it. */
static xmlNodePtr labeled_control(xmlDocPtr doc, xmlNodePtr label)
{
	const char *target = tw_html_attr(label, "for");
	if (target) {
		xmlNodePtr c = element_by_id(doc, target);
		return is_labelable(c) ? c : NULL;
	}
	for (xmlNodePtr n = next_element(label, label); n; n = next_element(n, label))
		if (is_labelable(n))
			return n;
	return NULL;
}

/* The first label naming field: label[for=its id], else a label around it. */
static xmlNodePtr label_of(xmlDocPtr doc, xmlNodePtr field)
{
	const char *id = tw_html_attr(field, "id");
	if (id && id[0] && element_by_id(doc, id) == field)
		for (xmlNodePtr n = first_element(doc); n; n = next_element(n, (xmlNodePtr)doc))
			if (tw_html_is_element(n, "label") && same_str(tw_html_attr(n, "for"), id))
				return n;
	for (xmlNodePtr p = field->parent; p && p->type == XML_ELEMENT_NODE; p = p->parent)
		if (tw_html_is_element(p, "label"))
			return !tw_html_attr(p, "for") && labeled_control(doc, p) == field ? p : NULL;
	return NULL;
}

/* Label words equal the script's, allowing the "Name:" / "Email *" style. */
static bool label_says(const char *label, const char *needle)
{
	if (strcmp(label, needle) == 0)
		return true;
	size_t n = strlen(label);
	while (n && (label[n - 1] == ' ' || label[n - 1] == ':' || label[n - 1] == '*'))
		n--;
	return n && n == strlen(needle) && strncmp(label, needle, n) == 0;
}

static bool same_words(const char *attr, const char *needle)
{
	if (!attr)
		return false;
	char *c = tw_html_collapse(attr);
	bool same = c && strcmp(c, needle) == 0;
	free(c);
	return same;
}

/* How messages name a field: 'Label' (name), 'Label' (name=value) for a
 * radio, or the name, id, placeholder alone. with_id adds the id, which
 * tells apart fields that share a label and a name. */
static char *describe_field(xmlDocPtr doc, xmlNodePtr n, bool with_id)
{
	tw_buf b;
	tw_buf_init(&b, MSG_MAX);
	xmlNodePtr label = label_of(doc, n);
	char *words = label ? tw_html_label_text(label) : NULL;
	const char *name = tw_html_attr(n, "name");
	const char *id = tw_html_attr(n, "id");
	const char *value = tw_html_attr(n, "value");
	tw_buf key;
	tw_buf_init(&key, MSG_MAX);
	if (name && name[0]) {
		tw_buf_puts(&key, name);
		if (kind_of(n) == K_RADIO)
			tw_buf_printf(&key, "=%s", value ? value : "on");
	}
	if (with_id && id && id[0])
		tw_buf_printf(&key, "%sid %s", key.len ? ", " : "", id);
	if (tw_buf_failed(&key) || (label && !words))
		tw_buf_fail(&b, TW_ENOMEM);
	if (words && words[0]) {
		tw_redact_put_quoted(&b, words, LIST_CHARS);
		if (key.len)
			tw_buf_printf(&b, " (%s)", tw_buf_str(&key));
	} else if (key.len) {
		tw_redact_put_quoted(&b, tw_buf_str(&key), LIST_CHARS);
	} else {
		const char *other = tw_html_attr(n, "placeholder");
		if (!other || !other[0])
			other = tw_html_attr(n, "aria-label");
		if (!other || !other[0])
			other = id;
		char *c = other ? tw_html_collapse(other) : NULL;
		if (other && !c)
			tw_buf_fail(&b, TW_ENOMEM);
		tw_redact_put_quoted(&b, c ? c : "(unnamed)", LIST_CHARS);
		free(c);
	}
	free(words);
	tw_buf_free(&key);
	return tw_buf_steal(&b);
}

/* "no field 'X' on the page; fields here: ..." */
static int no_such_field(xmlDocPtr doc, const char *needle, tw_error *err)
{
	tw_buf msg;
	tw_buf_init(&msg, MSG_MAX);
	tw_buf_puts(&msg, "no field ");
	tw_redact_put_quoted(&msg, needle, ASKED_CHARS);
	tw_buf_puts(&msg, " on the page; ");
	size_t mark = msg.len;
	tw_buf_puts(&msg, "fields here: ");
	lister l = {.msg = &msg};
	size_t seen = 0;
	for (xmlNodePtr n = first_element(doc); n && !l.more; n = next_element(n, (xmlNodePtr)doc)) {
		if (!is_field(kind_of(n)))
			continue;
		/* describing costs a walk of the page: look at a bounded few */
		if (seen++ == LIST_SCAN) {
			l.more = true;
			break;
		}
		lister_add(&l, describe_field(doc, n, false));
	}
	bool none = l.count == 0;
	lister_end(&l);
	if (none) {
		msg.len = mark;
		tw_buf_puts(&msg, "the page has no fields");
	}
	return fail_with(err, &msg);
}

/* Fields matching needle, by the first rule that finds any. */
static int find_fields(xmlDocPtr doc, const char *needle, bool name_value, node_list *out)
{
	xmlNodePtr root = (xmlNodePtr)doc;
	for (xmlNodePtr n = first_element(doc); n; n = next_element(n, root)) {
		if (!tw_html_is_element(n, "label"))
			continue;
		char *words = tw_html_label_text(n);
		if (!words)
			return TW_ENOMEM;
		bool match = label_says(words, needle);
		free(words);
		xmlNodePtr c = match ? labeled_control(doc, n) : NULL;
		if (c && is_field(kind_of(c)) && push_node(out, c) != TW_OK)
			return TW_ENOMEM;
	}
	static const char *const attrs[] = {"name", "id", "placeholder", "aria-label"};
	for (size_t a = 0; a < sizeof(attrs) / sizeof(attrs[0]) && out->count == 0; a++)
		for (xmlNodePtr n = first_element(doc); n; n = next_element(n, root)) {
			if (!is_field(kind_of(n)))
				continue;
			const char *v = tw_html_attr(n, attrs[a]);
			bool match = a < 2 ? same_str(v, needle) : same_words(v, needle);
			if (match && push_node(out, n) != TW_OK)
				return TW_ENOMEM;
		}
	const char *eq = strchr(needle, '=');
	if (out->count == 0 && name_value && eq) {
		size_t len = (size_t)(eq - needle);
		for (xmlNodePtr n = first_element(doc); n; n = next_element(n, root)) {
			kind k = kind_of(n);
			const char *name = tw_html_attr(n, "name"), *value = tw_html_attr(n, "value");
			if ((k == K_CHECKBOX || k == K_RADIO) && name && strlen(name) == len &&
			    strncmp(name, needle, len) == 0 && same_str(value ? value : "on", eq + 1) &&
			    push_node(out, n) != TW_OK)
				return TW_ENOMEM;
		}
	}
	return TW_OK;
}

/* The radios of n's group: same name, same form. */
static int radio_group(xmlDocPtr doc, xmlNodePtr radio, node_list *out)
{
	const char *name = tw_html_attr(radio, "name");
	if (!name || !name[0])
		return push_node(out, radio);
	owner_test t = owner_test_for(doc, form_owner(doc, radio));
	for (xmlNodePtr n = first_element(doc); n; n = next_element(n, (xmlNodePtr)doc))
		if (kind_of(n) == K_RADIO && same_str(tw_html_attr(n, "name"), name) && owned_by(n, &t) &&
		    push_node(out, n) != TW_OK)
			return TW_ENOMEM;
	return TW_OK;
}

static bool one_radio_group(xmlDocPtr doc, const node_list *l)
{
	if (kind_of(l->items[0]) != K_RADIO)
		return false;
	const char *name = tw_html_attr(l->items[0], "name");
	xmlNodePtr form = form_owner(doc, l->items[0]);
	for (size_t i = 1; i < l->count; i++)
		if (kind_of(l->items[i]) != K_RADIO || !same_str(tw_html_attr(l->items[i], "name"), name) ||
		    form_owner(doc, l->items[i]) != form)
			return false;
	return name && name[0];
}

static int several_fields(xmlDocPtr doc, const char *needle, const node_list *found, tw_error *err)
{
	tw_buf msg;
	tw_buf_init(&msg, MSG_MAX);
	tw_buf_puts(&msg, "field ");
	tw_redact_put_quoted(&msg, needle, ASKED_CHARS);
	bool group = one_radio_group(doc, found);
	if (group)
		tw_buf_puts(&msg, " is a group of radio buttons; tick one of them: ");
	else
		tw_buf_printf(&msg, " matches %zu fields: ", found->count);
	lister l = {.msg = &msg};
	for (size_t i = 0; i < found->count && !l.more; i++) {
		if (i == LIST_SCAN) {
			l.more = true;
			break;
		}
		lister_add(&l, describe_field(doc, found->items[i], !group));
	}
	lister_end(&l);
	bool checkable = true;
	for (size_t i = 0; i < found->count; i++)
		checkable = checkable && (kind_of(found->items[i]) == K_CHECKBOX ||
					  kind_of(found->items[i]) == K_RADIO);
	if (!group)
		tw_buf_puts(&msg, checkable ? "; say which by its label or as name=value"
					    : "; name the one you mean by its id");
	return fail_with(err, &msg);
}

/* The one field a step names. step says which step asks ("fill"...). */
static int find_one(xmlDocPtr doc, const char *field, const char *step, bool name_value,
		    xmlNodePtr *out, tw_error *err)
{
	*out = NULL;
	char *needle = tw_html_collapse(field ? field : "");
	if (!needle)
		return no_memory(err);
	node_list found = {0};
	int rc = TW_OK;
	if (!needle[0])
		rc = tw_error_set(err, TW_EUSAGE, "%s needs the label, name or id of a field", step);
	else if (find_fields(doc, needle, name_value, &found) != TW_OK)
		rc = no_memory(err);
	else if (found.count == 0)
		rc = no_such_field(doc, needle, err);
	else if (found.count > 1)
		rc = several_fields(doc, needle, &found, err);
	else
		*out = found.items[0];
	nodes_free(&found);
	free(needle);
	return rc;
}

static int wrong_kind(tw_error *err, const char *field, kind k, const char *step)
{
	const char *right = step_for(k);
	if (!right)
		return fail_asked(err, "field ", field, " is %s, which techweek cannot %s",
				  kind_word(k), step);
	return fail_asked(err, "field ", field, " is %s: use %s, not %s", kind_word(k), right,
			  step);
}

/* ---- fill ---------------------------------------------------------------- */

/* Length as a browser counts it for maxlength: UTF-16 code units. */
static size_t utf16_length(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p & 0xC0) != 0x80)
			n++;
		if (*p >= 0xF0)
			n++; /* outside the BMP: a surrogate pair */
	}
	return n;
}

/* A valid non-negative integer attribute, or -1. */
static long non_negative(const char *s)
{
	if (!s)
		return -1;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f')
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	long v = 0;
	for (; *s >= '0' && *s <= '9'; s++)
		v = v > (LONG_MAX - 9) / 10 ? LONG_MAX : v * 10 + (*s - '0');
	return v;
}

static int set_text_content(xmlNodePtr n, const char *value)
{
	xmlNodePtr text = xmlNewDocText(n->doc, (const xmlChar *)value);
	if (!text)
		return TW_ENOMEM;
	while (n->children) {
		xmlNodePtr c = n->children;
		xmlUnlinkNode(c);
		xmlFreeNode(c);
	}
	xmlAddChild(n, text);
	return TW_OK;
}

int tw_form_fill(xmlDocPtr doc, const char *field, const char *value, xmlNodePtr *form_out,
		 tw_error *err)
{
	if (form_out)
		*form_out = NULL;
	xmlNodePtr n;
	int rc = find_one(doc, field, "fill", false, &n, err);
	if (rc != TW_OK)
		return rc;
	kind k = kind_of(n);
	if (k != K_TEXT && k != K_TEXTAREA)
		return wrong_kind(err, field, k, "fill");
	if (is_disabled(n))
		return fail_asked(err, "field ", field, " is disabled");
	if (tw_html_attr(n, "readonly"))
		return fail_asked(err, "field ", field, " is read-only");
	if (!value)
		value = "";
	long max = non_negative(tw_html_attr(n, "maxlength"));
	size_t len = utf16_length(value);
	if (max >= 0 && len > (size_t)max)
		return fail_asked(err, "the value for ", field,
				  " is %zu characters, longer than the field's maxlength %ld: a "
				  "browser would not let the customer type it all",
				  len, max);
	if (k == K_TEXTAREA)
		rc = set_text_content(n, value);
	else
		rc = xmlSetProp(n, (const xmlChar *)"value", (const xmlChar *)value) ? TW_OK
										 : TW_ENOMEM;
	if (rc != TW_OK)
		return no_memory(err);
	if (form_out)
		*form_out = form_owner(doc, n);
	return TW_OK;
}

/* ---- choose -------------------------------------------------------------- */

/* A select's list of options: option children, and those of its optgroups. */
static int options_of(xmlNodePtr select, node_list *out)
{
	for (xmlNodePtr c = select->children; c; c = c->next) {
		if (tw_html_is_element(c, "option") && push_node(out, c) != TW_OK)
			return TW_ENOMEM;
		if (tw_html_is_element(c, "optgroup"))
			for (xmlNodePtr o = c->children; o; o = o->next)
				if (tw_html_is_element(o, "option") && push_node(out, o) != TW_OK)
					return TW_ENOMEM;
	}
	return TW_OK;
}

static bool option_disabled(xmlNodePtr o)
{
	return tw_html_attr(o, "disabled") ||
	       (tw_html_is_element(o->parent, "optgroup") && tw_html_attr(o->parent, "disabled"));
}

/* What the customer reads in the list: the label attribute, else the text. */
static char *option_label(xmlNodePtr o)
{
	const char *label = tw_html_attr(o, "label");
	return label && label[0] ? tw_html_collapse(label) : tw_html_text(o);
}

/* What the option sends: the value attribute, else its text. */
static char *option_value(xmlNodePtr o)
{
	const char *v = tw_html_attr(o, "value");
	return v ? strdup(v) : tw_html_text(o);
}

/* The option of select the customer means: by what it says (label or
 * text), else by its value. *found NULL when none. */
static int find_option(xmlNodePtr select, const char *needle, xmlNodePtr *found)
{
	*found = NULL;
	node_list opts = {0};
	if (options_of(select, &opts) != TW_OK)
		return TW_ENOMEM;
	int rc = TW_OK;
	for (int tier = 0; tier < 2 && !*found && rc == TW_OK; tier++)
		for (size_t i = 0; i < opts.count && !*found; i++) {
			xmlNodePtr o = opts.items[i];
			if (tier == 1) {
				char *v = option_value(o);
				if (!v) {
					rc = TW_ENOMEM;
					break;
				}
				if (strcmp(v, needle) == 0)
					*found = o;
				free(v);
				continue;
			}
			char *label = option_label(o), *text = tw_html_text(o);
			if (!label || !text)
				rc = TW_ENOMEM;
			else if (strcmp(label, needle) == 0 || strcmp(text, needle) == 0)
				*found = o;
			free(label);
			free(text);
		}
	nodes_free(&opts);
	return rc;
}

/* How messages name a select: its label, else name, else id. */
static char *describe_select(xmlDocPtr doc, xmlNodePtr select)
{
	return describe_field(doc, select, false);
}

static int no_such_option(xmlDocPtr doc, xmlNodePtr select, const char *needle, tw_error *err)
{
	tw_buf msg;
	tw_buf_init(&msg, MSG_MAX);
	char *name = describe_select(doc, select);
	tw_buf_puts(&msg, "no option ");
	tw_redact_put_quoted(&msg, needle, ASKED_CHARS);
	tw_buf_printf(&msg, " in %s; ", name ? name : "the list");
	if (!name) /* could not be described: out of memory */
		tw_buf_fail(&msg, TW_ENOMEM);
	free(name);
	node_list opts = {0};
	if (options_of(select, &opts) != TW_OK) {
		tw_buf_free(&msg);
		return no_memory(err);
	}
	if (opts.count == 0)
		tw_buf_puts(&msg, "the list has no options");
	else
		tw_buf_puts(&msg, "options: ");
	lister l = {.msg = &msg};
	for (size_t i = 0; i < opts.count && !l.more; i++) {
		char *label = option_label(opts.items[i]);
		tw_buf q;
		tw_buf_init(&q, MSG_MAX);
		tw_redact_put_quoted(&q, label ? label : "", LIST_CHARS);
		free(label);
		lister_add(&l, tw_buf_steal(&q));
	}
	lister_end(&l);
	nodes_free(&opts);
	return fail_with(err, &msg);
}

/* choose with no field: the one select on the page offering the option. */
static int select_offering(xmlDocPtr doc, const char *needle, xmlNodePtr *select,
			   xmlNodePtr *option, tw_error *err)
{
	node_list found = {0}, opts = {0}, selects = {0};
	for (xmlNodePtr n = first_element(doc); n; n = next_element(n, (xmlNodePtr)doc)) {
		if (kind_of(n) != K_SELECT)
			continue;
		xmlNodePtr o;
		if (push_node(&selects, n) != TW_OK || find_option(n, needle, &o) != TW_OK ||
		    (o && (push_node(&found, n) != TW_OK || push_node(&opts, o) != TW_OK))) {
			nodes_free(&found);
			nodes_free(&opts);
			nodes_free(&selects);
			return no_memory(err);
		}
	}
	int rc = TW_OK;
	if (found.count == 1) {
		*select = found.items[0];
		*option = opts.items[0];
	} else {
		tw_buf msg;
		tw_buf_init(&msg, MSG_MAX);
		const node_list *listed = found.count ? &found : &selects;
		if (selects.count == 0) {
			tw_buf_puts(&msg, "no option ");
			tw_redact_put_quoted(&msg, needle, ASKED_CHARS);
			tw_buf_puts(&msg, ": the page has no drop-down lists");
		} else if (found.count == 0) {
			tw_buf_puts(&msg, "no drop-down list on the page has an option ");
			tw_redact_put_quoted(&msg, needle, ASKED_CHARS);
			tw_buf_puts(&msg, "; lists here: ");
		} else {
			tw_buf_puts(&msg, "option ");
			tw_redact_put_quoted(&msg, needle, ASKED_CHARS);
			tw_buf_printf(&msg, " is in %zu drop-down lists: ", found.count);
		}
		lister l = {.msg = &msg};
		for (size_t i = 0; i < listed->count && !l.more; i++)
			lister_add(&l, describe_select(doc, listed->items[i]));
		lister_end(&l);
		if (found.count > 1)
			tw_buf_puts(&msg, "; say which list");
		rc = fail_with(err, &msg);
	}
	nodes_free(&found);
	nodes_free(&opts);
	nodes_free(&selects);
	return rc;
}

int tw_form_choose(xmlDocPtr doc, const char *field, const char *option, xmlNodePtr *form_out,
		   tw_error *err)
{
	if (form_out)
		*form_out = NULL;
	char *needle = tw_html_collapse(option ? option : "");
	if (!needle)
		return no_memory(err);
	xmlNodePtr select = NULL, chosen = NULL;
	int rc = TW_OK;
	if (!needle[0]) {
		rc = tw_error_set(err, TW_EUSAGE, "choose needs the option to choose");
	} else if (!field) {
		rc = select_offering(doc, needle, &select, &chosen, err);
	} else if ((rc = find_one(doc, field, "choose", false, &select, err)) != TW_OK) {
		/* err says why */
	} else if (kind_of(select) != K_SELECT) {
		rc = wrong_kind(err, field, kind_of(select), "choose");
	} else if (find_option(select, needle, &chosen) != TW_OK) {
		rc = no_memory(err);
	} else if (!chosen) {
		rc = no_such_option(doc, select, needle, err);
	}
	if (rc == TW_OK && is_disabled(select)) {
		char *name = describe_select(doc, select);
		if (field)
			rc = fail_asked(err, "field ", field, " is disabled");
		else
			rc = tw_error_set(err, TW_EUSAGE, "field %s is disabled", name ? name : "");
		free(name);
	}
	if (rc == TW_OK && option_disabled(chosen)) {
		char *name = describe_select(doc, select);
		rc = fail_asked(err, "option ", needle, " of %s is disabled", name ? name : "");
		free(name);
	}
	free(needle);
	if (rc != TW_OK)
		return rc;

	/* one choice unless the list takes several */
	if (!tw_html_attr(select, "multiple")) {
		node_list opts = {0};
		if (options_of(select, &opts) != TW_OK)
			return no_memory(err);
		for (size_t i = 0; i < opts.count; i++)
			xmlUnsetProp(opts.items[i], (const xmlChar *)"selected");
		nodes_free(&opts);
	}
	if (!xmlSetProp(chosen, (const xmlChar *)"selected", (const xmlChar *)"selected"))
		return no_memory(err);
	if (form_out)
		*form_out = form_owner(doc, select);
	return TW_OK;
}

int tw_form_deselect(xmlDocPtr doc, const char *field, const char *option,
		     xmlNodePtr *form_out, tw_error *err)
{
	if (form_out)
		*form_out = NULL;
	xmlNodePtr select = NULL, chosen = NULL;
	int rc = find_one(doc, field, "deselect", false, &select, err);
	if (rc != TW_OK)
		return rc;
	if (kind_of(select) != K_SELECT)
		return wrong_kind(err, field, kind_of(select), "deselect");
	if (!tw_html_attr(select, "multiple"))
		return fail_asked(err, "field ", field,
				  " is a list of one choice: a customer cannot deselect its "
				  "option, only choose another (deselect works on a list that "
				  "takes several)");
	if (is_disabled(select))
		return fail_asked(err, "field ", field, " is disabled");
	char *needle = tw_html_collapse(option ? option : "");
	if (!needle)
		return no_memory(err);
	if (!needle[0])
		rc = tw_error_set(err, TW_EUSAGE, "deselect needs the option to deselect");
	else if (find_option(select, needle, &chosen) != TW_OK)
		rc = no_memory(err);
	else if (!chosen)
		rc = no_such_option(doc, select, needle, err);
	free(needle);
	if (rc != TW_OK)
		return rc;
	xmlUnsetProp(chosen, (const xmlChar *)"selected");
	if (form_out)
		*form_out = form_owner(doc, select);
	return TW_OK;
}

/* ---- tick ---------------------------------------------------------------- */

int tw_form_tick(xmlDocPtr doc, const char *field, bool on, xmlNodePtr *form_out, tw_error *err)
{
	if (form_out)
		*form_out = NULL;
	xmlNodePtr n;
	int rc = find_one(doc, field, on ? "tick" : "untick", true, &n, err);
	if (rc != TW_OK)
		return rc;
	kind k = kind_of(n);
	if (k != K_CHECKBOX && k != K_RADIO)
		return wrong_kind(err, field, k, on ? "tick" : "untick");
	if (is_disabled(n))
		return fail_asked(err, "field ", field, " is disabled");
	if (k == K_RADIO && !on)
		return fail_asked(err, "", field,
				  " is a radio button: a customer cannot untick it, only tick "
				  "another choice of its group");
	if (k == K_RADIO) {
		node_list group = {0};
		if (radio_group(doc, n, &group) != TW_OK) {
			nodes_free(&group);
			return no_memory(err);
		}
		for (size_t i = 0; i < group.count; i++)
			xmlUnsetProp(group.items[i], (const xmlChar *)"checked");
		nodes_free(&group);
	}
	if (on && !xmlSetProp(n, (const xmlChar *)"checked", (const xmlChar *)"checked"))
		return no_memory(err);
	if (!on)
		xmlUnsetProp(n, (const xmlChar *)"checked");
	if (form_out)
		*form_out = form_owner(doc, n);
	return TW_OK;
}

/* ---- attach -------------------------------------------------------------- */

void tw_form_attachments_free(xmlDocPtr doc)
{
	attachments *a = doc ? doc->_private : NULL;
	if (!a)
		return;
	for (size_t i = 0; i < a->count; i++)
		free(a->items[i].path);
	free(a->items);
	free(a);
	doc->_private = NULL;
}

static int attach_to(xmlDocPtr doc, xmlNodePtr input, const char *path)
{
	attachments *a = doc->_private;
	if (!a && !(a = doc->_private = calloc(1, sizeof(*a))))
		return TW_ENOMEM;
	char *copy = strdup(path);
	if (!copy)
		return TW_ENOMEM;
	for (size_t i = 0; i < a->count; i++)
		if (a->items[i].input == input) {
			free(a->items[i].path);
			a->items[i].path = copy;
			return TW_OK;
		}
	if (tw_array_grow(&a->items, &a->cap, a->count + 1, sizeof(*a->items))) {
		free(copy);
		return TW_ENOMEM;
	}
	a->items[a->count++] = (attachment){input, copy};
	return TW_OK;
}

int tw_form_attach(xmlDocPtr doc, const char *field, const char *path, xmlNodePtr *form_out,
		   tw_error *err)
{
	if (form_out)
		*form_out = NULL;
	xmlNodePtr n;
	int rc = find_one(doc, field, "attach", false, &n, err);
	if (rc != TW_OK)
		return rc;
	if (kind_of(n) != K_FILE)
		return wrong_kind(err, field, kind_of(n), "attach");
	if (is_disabled(n))
		return fail_asked(err, "field ", field, " is disabled");
	if (attach_to(doc, n, path) != TW_OK)
		return no_memory(err);
	if (form_out)
		*form_out = form_owner(doc, n);
	return TW_OK;
}

/* ---- submit: which form, which button ------------------------------------ */

/* The words on a button, as the customer reads them. */
static char *button_label(xmlNodePtr b)
{
	if (tw_html_is_element(b, "button"))
		return tw_html_text(b);
	const char *v = tw_html_attr(b, "value");
	switch (kind_of(b)) {
	case K_SUBMIT: return tw_html_collapse(v ? v : "Submit");
	case K_RESET: return tw_html_collapse(v ? v : "Reset");
	case K_IMAGE: return tw_html_collapse(tw_html_attr(b, "alt"));
	default: return tw_html_collapse(v);
	}
}

/* Two buttons that send the same thing: pressing either is the same. */
static bool same_effect(xmlDocPtr doc, xmlNodePtr a, xmlNodePtr b)
{
	static const char *const attrs[] = {"name",       "value",       "formaction",
					    "formmethod", "formenctype", "formnovalidate"};
	if (kind_of(a) != kind_of(b) || form_owner(doc, a) != form_owner(doc, b) ||
	    is_disabled(a) != is_disabled(b))
		return false;
	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		if (!same_str(tw_html_attr(a, attrs[i]), tw_html_attr(b, attrs[i])))
			return false;
	return true;
}

/* 1-based position of form among the page's forms, for messages. */
static size_t form_number(xmlDocPtr doc, xmlNodePtr form)
{
	size_t i = 0;
	for (xmlNodePtr n = first_element(doc); n; n = next_element(n, (xmlNodePtr)doc))
		if (tw_html_is_element(n, "form")) {
			i++;
			if (n == form)
				return i;
		}
	return 0;
}

static char *describe_button(xmlDocPtr doc, xmlNodePtr b, bool with_form)
{
	tw_buf msg;
	tw_buf_init(&msg, MSG_MAX);
	char *label = button_label(b);
	const char *name = tw_html_attr(b, "name");
	if (label && label[0])
		tw_redact_put_quoted(&msg, label, LIST_CHARS);
	else if (name && name[0])
		tw_redact_put_quoted(&msg, name, LIST_CHARS);
	else
		tw_buf_puts(&msg, "(a button with no text)");
	free(label);
	if (with_form) {
		xmlNodePtr form = form_owner(doc, b);
		const char *action = form ? tw_html_attr(form, "action") : NULL;
		if (!form)
			tw_buf_puts(&msg, " (in no form)");
		else if (action && action[0]) {
			tw_buf_printf(&msg, " (form %zu, action ", form_number(doc, form));
			tw_redact_put_quoted(&msg, action, 2 * LIST_CHARS);
			tw_buf_puts(&msg, ")");
		} else
			tw_buf_printf(&msg, " (form %zu)", form_number(doc, form));
	}
	return tw_buf_steal(&msg);
}

static void list_buttons(xmlDocPtr doc, tw_buf *msg)
{
	lister l = {.msg = msg};
	for (xmlNodePtr n = first_element(doc); n && !l.more; n = next_element(n, (xmlNodePtr)doc))
		if (is_button(kind_of(n)))
			lister_add(&l, describe_button(doc, n, false));
	lister_end(&l);
}

static bool page_has_buttons(xmlDocPtr doc)
{
	for (xmlNodePtr n = first_element(doc); n; n = next_element(n, (xmlNodePtr)doc))
		if (is_button(kind_of(n)))
			return true;
	return false;
}

/* Buttons answering to needle: by their words, aria-label or title, name,
 * then id; the first rule that finds any wins. */
static int button_hits(xmlDocPtr doc, const char *needle, node_list *hits)
{
	for (int tier = 0; tier < 4 && hits->count == 0; tier++)
		for (xmlNodePtr n = first_element(doc); n; n = next_element(n, (xmlNodePtr)doc)) {
			if (!is_button(kind_of(n)))
				continue;
			bool match = false;
			if (tier == 0) {
				char *label = button_label(n);
				if (!label)
					return TW_ENOMEM;
				match = strcmp(label, needle) == 0;
				free(label);
			} else if (tier == 1) {
				match = same_words(tw_html_attr(n, "aria-label"), needle) ||
					same_words(tw_html_attr(n, "title"), needle);
			} else {
				match = same_str(tw_html_attr(n, tier == 2 ? "name" : "id"), needle);
			}
			if (match && push_node(hits, n) != TW_OK)
				return TW_ENOMEM;
		}
	return TW_OK;
}

/* One button among hits: equivalent buttons (top and bottom of a long
 * form) are one; among different ones, a single one in the preferred form
 * wins. NULL when still ambiguous. */
static xmlNodePtr one_button(xmlDocPtr doc, const node_list *hits, xmlNodePtr preferred)
{
	bool all_same = true;
	for (size_t i = 1; i < hits->count && all_same; i++)
		all_same = same_effect(doc, hits->items[0], hits->items[i]);
	if (all_same)
		return hits->items[0];
	xmlNodePtr in_preferred = NULL;
	for (size_t i = 0; preferred && i < hits->count; i++) {
		if (form_owner(doc, hits->items[i]) != preferred)
			continue;
		if (in_preferred && !same_effect(doc, in_preferred, hits->items[i]))
			return NULL;
		if (!in_preferred)
			in_preferred = hits->items[i];
	}
	return in_preferred;
}

/* The button the customer presses. */
static int find_button(xmlDocPtr doc, const char *button, xmlNodePtr preferred, xmlNodePtr *out,
		       tw_error *err)
{
	*out = NULL;
	char *needle = tw_html_collapse(button);
	if (!needle)
		return no_memory(err);
	if (!needle[0]) {
		free(needle);
		return tw_error_set(err, TW_EUSAGE, "submit needs the text, name or id of a button");
	}
	node_list hits = {0};
	int rc = TW_OK;
	tw_buf msg;
	tw_buf_init(&msg, MSG_MAX);
	if (button_hits(doc, needle, &hits) != TW_OK) {
		rc = no_memory(err);
	} else if (hits.count == 0) {
		tw_buf_puts(&msg, "no button ");
		tw_redact_put_quoted(&msg, needle, ASKED_CHARS);
		if (page_has_buttons(doc)) {
			tw_buf_puts(&msg, " on the page; buttons here: ");
			list_buttons(doc, &msg);
		} else {
			tw_buf_puts(&msg, " on the page; the page has no buttons");
		}
		rc = fail_with(err, &msg);
	} else if (!(*out = one_button(doc, &hits, preferred))) {
		bool one_form = true;
		xmlNodePtr form = form_owner(doc, hits.items[0]);
		for (size_t i = 1; i < hits.count && one_form; i++)
			one_form = form_owner(doc, hits.items[i]) == form;
		tw_buf_puts(&msg, "button ");
		tw_redact_put_quoted(&msg, needle, ASKED_CHARS);
		tw_buf_printf(&msg, " matches %zu buttons that do different things: ", hits.count);
		lister l = {.msg = &msg};
		for (size_t i = 0; i < hits.count && !l.more; i++)
			lister_add(&l, describe_button(doc, hits.items[i], !one_form));
		lister_end(&l);
		tw_buf_puts(&msg, one_form ? "; name the one you mean by its text or id"
					   : "; fill a field of the form you mean first, or name "
					     "the button by its id");
		rc = fail_with(err, &msg);
	}
	tw_buf_free(&msg);
	nodes_free(&hits);
	free(needle);
	return rc;
}

/* submit without a button: the preferred form if it is on this page, else
 * the only form. */
static int pick_form(xmlDocPtr doc, xmlNodePtr preferred, xmlNodePtr *out, tw_error *err)
{
	size_t forms = 0;
	xmlNodePtr only = NULL;
	for (xmlNodePtr n = first_element(doc); n; n = next_element(n, (xmlNodePtr)doc)) {
		if (n == preferred && tw_html_is_element(n, "form")) {
			*out = n;
			return TW_OK;
		}
		if (tw_html_is_element(n, "form") && forms++ == 0)
			only = n;
	}
	if (forms == 1) {
		*out = only;
		return TW_OK;
	}
	if (forms == 0)
		return tw_error_set(err, TW_EUSAGE, "the page has no form to submit");
	tw_buf msg;
	tw_buf_init(&msg, MSG_MAX);
	tw_buf_printf(&msg, "the page has %zu forms; say which button to press", forms);
	/* only the buttons that send a form: one outside every form (a menu
	 * toggle), a reset or a script's button cannot be the answer */
	lister l = {.msg = &msg};
	bool opened = false;
	for (xmlNodePtr n = first_element(doc); n && !l.more; n = next_element(n, (xmlNodePtr)doc))
		if ((kind_of(n) == K_SUBMIT || kind_of(n) == K_IMAGE) && form_owner(doc, n)) {
			if (!opened)
				tw_buf_puts(&msg, ": ");
			opened = true;
			lister_add(&l, describe_button(doc, n, false));
		}
	lister_end(&l);
	return fail_with(err, &msg);
}

/* ---- submit: the entry list ---------------------------------------------- */

/* A textarea's value: its text, less the one newline the HTML parser of a
 * browser drops after the start tag. */
static char *textarea_value(xmlNodePtr n)
{
	xmlChar *text = xmlNodeGetContent(n);
	const char *t = text ? (const char *)text : "";
	if (t[0] == '\r' && t[1] == '\n')
		t += 2;
	else if (t[0] == '\n' || t[0] == '\r')
		t++;
	char *v = strdup(t);
	xmlFree(text);
	return v;
}

/* An input's value after the browser's value sanitisation: no line breaks
 * in one-line fields, and no surrounding spaces in email and url. */
static char *input_value(xmlNodePtr n)
{
	const char *v = tw_html_attr(n, "value");
	const char *type = tw_html_attr(n, "type");
	char *out = strdup(v ? v : "");
	if (!out || kind_of(n) != K_TEXT)
		return out;
	char *o = out;
	for (const char *p = out; *p; p++)
		if (*p != '\r' && *p != '\n')
			*o++ = *p;
	*o = '\0';
	if (type && (strcasecmp(type, "email") == 0 || strcasecmp(type, "url") == 0)) {
		size_t start = strspn(out, " \t\f"), len = strlen(out);
		while (len > start && strchr(" \t\f", out[len - 1]))
			len--;
		memmove(out, out + start, len - start);
		out[len - start] = '\0';
	}
	return out;
}

/* The options a select sends: its chosen ones, or for a one-line list with
 * none chosen the first enabled option; only the last choice counts in a
 * single-choice list; disabled options never go. */
static int selected_options(xmlNodePtr select, node_list *out)
{
	node_list opts = {0};
	if (options_of(select, &opts) != TW_OK)
		return TW_ENOMEM;
	bool multiple = tw_html_attr(select, "multiple") != NULL;
	long size = non_negative(tw_html_attr(select, "size"));
	if (size <= 0)
		size = multiple ? 4 : 1;
	xmlNodePtr last = NULL, first_enabled = NULL;
	int rc = TW_OK;
	for (size_t i = 0; i < opts.count && rc == TW_OK; i++) {
		xmlNodePtr o = opts.items[i];
		if (!first_enabled && !option_disabled(o))
			first_enabled = o;
		if (!tw_html_attr(o, "selected"))
			continue;
		if (multiple && !option_disabled(o))
			rc = push_node(out, o);
		last = o;
	}
	if (!multiple && !last && size == 1)
		last = first_enabled;
	if (!multiple && last && !option_disabled(last))
		rc = push_node(out, last);
	nodes_free(&opts);
	return rc;
}

static int add_control(entry_list *l, xmlNodePtr n, kind k)
{
	if (k == K_IMAGE) {
		const char *name = tw_html_attr(n, "name");
		tw_buf x, y;
		tw_buf_init(&x, MSG_MAX);
		tw_buf_init(&y, MSG_MAX);
		bool prefix = name && name[0];
		tw_buf_printf(&x, "%s%sx", prefix ? name : "", prefix ? "." : "");
		tw_buf_printf(&y, "%s%sy", prefix ? name : "", prefix ? "." : "");
		int rc = tw_buf_failed(&x) ? tw_buf_failed(&x) : tw_buf_failed(&y);
		if (rc == TW_OK)
			rc = tw_submit_add_entry(l, tw_buf_str(&x), "0", false);
		if (rc == TW_OK)
			rc = tw_submit_add_entry(l, tw_buf_str(&y), "0", false);
		tw_buf_free(&x);
		tw_buf_free(&y);
		return rc;
	}
	const char *name = tw_html_attr(n, "name");
	if (!name || !name[0])
		return TW_OK;
	if (k == K_SELECT) {
		node_list chosen = {0};
		int rc = selected_options(n, &chosen);
		for (size_t i = 0; i < chosen.count && rc == TW_OK; i++) {
			char *v = option_value(chosen.items[i]);
			rc = v ? tw_submit_add_entry(l, name, v, false) : TW_ENOMEM;
			free(v);
		}
		nodes_free(&chosen);
		return rc;
	}
	if (k == K_FILE) {
		const char *path = attached(n);
		return tw_submit_add_entry(l, name, path ? path : "", true);
	}
	const char *v = tw_html_attr(n, "value");
	if (k == K_CHECKBOX || k == K_RADIO)
		return tw_submit_add_entry(l, name, v ? v : "on", false);
	if (k == K_HIDDEN && !v && strcasecmp(name, "_charset_") == 0)
		return tw_submit_add_entry(l, name, "UTF-8", false);
	if (k == K_HIDDEN || k == K_SUBMIT)
		return tw_submit_add_entry(l, name, v ? v : "", false);
	char *value = k == K_TEXTAREA ? textarea_value(n) : input_value(n);
	int rc = value ? tw_submit_add_entry(l, name, value, false) : TW_ENOMEM;
	free(value);
	/* dirname sends the text's direction along; without rendering, ltr */
	const char *dirname = tw_html_attr(n, "dirname");
	const char *type = tw_html_attr(n, "type");
	bool directional = k == K_TEXTAREA || !type || strcasecmp(type, "text") == 0 ||
			   strcasecmp(type, "search") == 0;
	if (rc == TW_OK && directional && dirname && dirname[0])
		rc = tw_submit_add_entry(l, dirname, "ltr", false);
	return rc;
}

static int build_entries(xmlDocPtr doc, const owner_test *t, xmlNodePtr submitter,
			 entry_list *out)
{
	for (xmlNodePtr n = first_element(doc); n; n = next_element(n, (xmlNodePtr)doc)) {
		kind k = kind_of(n);
		if (k == K_OTHER || !owned_by(n, t) || in_datalist(n) || is_disabled(n))
			continue;
		if (is_button(k) && n != submitter)
			continue;
		if ((k == K_CHECKBOX || k == K_RADIO) && !tw_html_attr(n, "checked"))
			continue;
		if (add_control(out, n, k) != TW_OK)
			return TW_ENOMEM;
	}
	return TW_OK;
}

/* ---- submit: what a browser checks first --------------------------------- */

static const char *missing_reason(xmlDocPtr doc, const owner_test *t, xmlNodePtr n, kind k)
{
	switch (k) {
	case K_TEXT:
	case K_TEXTAREA: {
		if (tw_html_attr(n, "readonly"))
			return NULL; /* barred from validation */
		char *v = k == K_TEXTAREA ? textarea_value(n) : input_value(n);
		bool empty = v && !v[0];
		free(v);
		return empty ? "is empty" : NULL;
	}
	case K_FILE:
		return attached(n) ? NULL : "has no file attached";
	case K_CHECKBOX:
		return tw_html_attr(n, "checked") ? NULL : "is not ticked";
	case K_RADIO: {
		const char *name = tw_html_attr(n, "name");
		if (tw_html_attr(n, "checked"))
			return NULL;
		for (xmlNodePtr r = first_element(doc); name && name[0] && r;
		     r = next_element(r, (xmlNodePtr)doc))
			if (kind_of(r) == K_RADIO && tw_html_attr(r, "checked") &&
			    same_str(tw_html_attr(r, "name"), name) && owned_by(r, t) && !is_disabled(r))
				return NULL;
		return "has none of its choices ticked";
	}
	case K_SELECT: {
		node_list chosen = {0};
		if (selected_options(n, &chosen) != TW_OK)
			return NULL;
		const char *why = NULL;
		if (chosen.count == 0) {
			why = "has no option chosen";
		} else if (chosen.count == 1 && !tw_html_attr(n, "multiple")) {
			/* the placeholder option: the first, empty, not in a group */
			xmlNodePtr o = chosen.items[0], first = NULL;
			node_list opts = {0};
			if (options_of(n, &opts) == TW_OK && opts.count)
				first = opts.items[0];
			nodes_free(&opts);
			char *v = option_value(o);
			if (o == first && o->parent == n && v && !v[0])
				why = "has no option chosen";
			free(v);
		}
		nodes_free(&chosen);
		return why;
	}
	default:
		return NULL;
	}
}

static int check_required(xmlDocPtr doc, const owner_test *t, xmlNodePtr submitter,
			  tw_error *err)
{
	if (tw_html_attr(t->form, "novalidate") || (submitter && tw_html_attr(submitter, "formnovalidate")))
		return TW_OK;
	const char *group_ok = NULL; /* a radio group already found ticked */
	for (xmlNodePtr n = first_element(doc); n; n = next_element(n, (xmlNodePtr)doc)) {
		kind k = kind_of(n);
		if (!is_field(k) || !tw_html_attr(n, "required") || !owned_by(n, t) || in_datalist(n) ||
		    is_disabled(n))
			continue;
		if (k == K_RADIO && group_ok && same_str(tw_html_attr(n, "name"), group_ok))
			continue;
		const char *why = missing_reason(doc, t, n, k);
		if (!why && k == K_RADIO)
			group_ok = tw_html_attr(n, "name");
		if (!why)
			continue;
		char *name = describe_field(doc, n, false);
		int rc = tw_error_set(err, TW_EUSAGE,
				      "a browser would not send this form: required field %s %s",
				      name ? name : "", why);
		free(name);
		return rc;
	}
	return TW_OK;
}

int tw_form_submit(xmlDocPtr doc, const char *page_url, const char *button,
		   xmlNodePtr preferred_form, tw_http_request *out, tw_error *err)
{
	return tw_form_submit_memo(doc, page_url, button, preferred_form, NULL, out, err);
}

int tw_form_submit_memo(xmlDocPtr doc, const char *page_url, const char *button,
			xmlNodePtr preferred_form, const tw_resolve_memo *memo,
			tw_http_request *out, tw_error *err)
{
	xmlNodePtr form = NULL, submitter = NULL;
	int rc;
	if (button) {
		if ((rc = find_button(doc, button, preferred_form, &submitter, err)) != TW_OK)
			return rc;
		kind k = kind_of(submitter);
		if (k == K_RESET)
			return fail_asked(err, "button ", button,
					  " resets the form instead of sending it");
		if (k == K_BUTTON)
			return fail_asked(err, "button ", button,
					  " does nothing without scripts (type=button), and "
					  "techweek runs no scripts");
		if (is_disabled(submitter))
			return fail_asked(err, "button ", button, " is disabled");
		if (!(form = form_owner(doc, submitter)))
			return fail_asked(err, "button ", button,
					  " is in no form, so pressing it sends nothing");
	} else {
		if ((rc = pick_form(doc, preferred_form, &form, err)) != TW_OK)
			return rc;
		/* pressing Enter presses the form's default button */
		owner_test t = owner_test_for(doc, form);
		for (xmlNodePtr n = first_element(doc); n && !submitter;
		     n = next_element(n, (xmlNodePtr)doc))
			if ((kind_of(n) == K_SUBMIT || kind_of(n) == K_IMAGE) && owned_by(n, &t))
				submitter = n;
		if (submitter && is_disabled(submitter)) {
			char *name = describe_button(doc, submitter, false);
			rc = tw_error_set(err, TW_EUSAGE,
					  "pressing Enter does not send this form: its default button "
					  "%s is disabled",
					  name ? name : "");
			free(name);
			return rc;
		}
	}

	const char *method;
	enum enctype type;
	if ((rc = tw_submit_method(form, submitter, &method, &type, err)) != TW_OK)
		return rc;

	owner_test t = owner_test_for(doc, form);
	if ((rc = check_required(doc, &t, submitter, err)) != TW_OK)
		return rc;
	char *url = NULL;
	if ((rc = tw_submit_action_url(doc, page_url, form, submitter, memo, &url, err)) != TW_OK)
		return rc;
	entry_list entries = {0};
	tw_http_request req = {0};
	rc = build_entries(doc, &t, submitter, &entries);
	/* A file goes whole only in multipart/form-data: a form given one
	 * goes so, whatever its enctype says. */
	for (size_t i = 0; rc == TW_OK && i < entries.count; i++)
		if (entries.items[i].file && entries.items[i].value[0])
			type = MULTIPART;
	if (rc == TW_OK)
		rc = tw_submit_request(&entries, method, url, type, &req);
	tw_submit_entries_free(&entries);
	free(url);
	if (rc != TW_OK) {
		tw_http_request_free(&req);
		if (rc == TW_ELIMIT)
			return tw_error_set(err, rc, "the form's data is larger than %zu MiB",
					    TW_SUBMIT_BODY_MAX >> 20);
		if (rc == TW_EINTERNAL)
			return tw_error_set(err, rc, "libcurl refused the form's URL");
		return no_memory(err);
	}
	req.referrer_policy = tw_html_element_referrer_policy(form);
	tw_http_request_free(out);
	*out = req;
	return TW_OK;
}
