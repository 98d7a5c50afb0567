/*
 * VoiceXML, as a caller meets it: the interpreter behind <vxml> documents.
 *
 * Why: many IVRs are VoiceXML applications served over HTTP. A rehearsal
 * must walk their menus the way a VoiceXML browser would, and must say
 * plainly when a document needs something techweek does not do rather than
 * guess: a wrong guess would make a rehearsal pass a journey a real caller
 * could not make.
 *
 * How: the W3C VoiceXML 2.0/2.1 Form Interpretation Algorithm (FIA), on the
 * libxml2 tree, over the subset that static menus and forms use:
 *
 * - A dialog is a <form> (items: <field>, <block>, <transfer>) or a <menu>
 *   (one item: the menu itself). The FIA selects the first item whose
 *   variable is unset, plays its prompts (those with the highest count <=
 *   the item's prompt counter), and listens. Input fills the variable and
 *   runs the <filled> elements it triggers; silence throws noinput, input
 *   outside the grammar throws nomatch. A form with nothing left to select
 *   exits: the IVR hangs up.
 * - Events are caught by the handler with the highest count <= the item's
 *   counter for that event, innermost scope first (item, dialog,
 *   document). A handler without <reprompt> leaves the next collect
 *   silent, as the FIA says; the platform's default noinput/nomatch
 *   handlers re-prompt (nomatch's own words are the platform's: a note
 *   says so). An uncaught error.* or unknown event fails the call.
 * - Keys are collected as a platform does: up to the termchar (default
 *   '#') or the length every match has; keys past that are not heard (a
 *   note). A termchar alone is input no grammar matches: nomatch. Silence
 *   and an unfinished entry move the call clock by the timeout.
 * - Grammars (grammar.c): the builtins digits (length, minlength, maxlength), boolean
 *   and number, by type or by src="builtin:...", <option>s, a menu's
 *   <choice>s, and inline SRGS made of items (<rule><one-of><item>1</item>
 *   ...) or a plain list ("1 | 2 | 3"). Voice grammars match the caller's
 *   phrase word for word; literal <tag>s (semantics/1.0-literals) are the
 *   value.
 * - Variables: a document that needs no ECMAScript (values are literals
 *   or plain variable names) keeps them as strings here. One that does
 *   (cond, a computed expr, <script>, <if>, shadow variables, an
 *   application root, subdialogs, links: issue 14) keeps them in the
 *   call's ECMAScript sandbox (script.h), and so does every later
 *   document of the call; see "ECMAScript" below. SISR tags and every
 *   element techweek cannot follow yet end the call at techweek's limit
 *   (TW_EUNSUPPORTED), naming the element, the attribute, the line and
 *   the document: the performance is counted as techweek's limit, not as
 *   the service's fault. A document that is wrong (an undeclared
 *   variable, a goto to nowhere, a script that throws or runs away) is
 *   the service's fault (TW_ESERVICE).
 * - Execution suspends only where a VoiceXML browser waits: listening,
 *   fetching (goto/submit to a URI, a <choice> with a URI), holding (a
 *   <transfer>) and at the end. Between two caller actions the in-document
 *   work is bounded: VXML_MAX_TRANSITIONS dialog changes and
 *   VXML_MAX_ITERATIONS FIA rounds, so a document that loops without
 *   listening fails instead of spinning (fetch loops are the call's to
 *   bound).
 *
 * All state lives in the instance (create/destroy); the current document
 * belongs to it.
 */
#include <ctype.h>
#include <limits.h> /* issue 14, JS */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "channels/ivr/call.h"
#include "channels/ivr/grammar.h"
#include "channels/ivr/script.h" /* issue 14, JS */
#include "channels/ivr/vxml.h"
#include "channels/web/html.h"
#include "core/array.h"
#include "core/buf.h"

#include <jansson.h> /* issue 14, JS: shadow variables as JSON */

#define VXML_MAX_TRANSITIONS 50  /* in-document dialog changes without input */
#define VXML_MAX_ITERATIONS 1000 /* FIA rounds without input */
#define VXML_MAX_EVENT_DEPTH 16  /* handlers throwing from handlers */
#define VXML_DEFAULT_TIMEOUT 5.0 /* the timeout property's default */

/* ---- state ---- */

typedef struct vxml_var {
	char *name;
	char *value; /* NULL: undefined */
} vxml_var;

typedef struct vxml_scope {
	vxml_var *vars;
	size_t count;
	size_t cap;
} vxml_scope;

typedef struct vxml_count {
	char *event;
	int n;
} vxml_count;

/* A form item, or the menu itself. */
typedef struct vxml_item {
	xmlNodePtr node;
	const char *name; /* borrowed from the document; NULL: anonymous */
	bool done;        /* anonymous items: visited */
	int prompt_count;
	vxml_count *counts; /* event counters */
	size_t ncounts, counts_cap;
} vxml_item;

typedef struct vxml {
	tw_call *call;
	xmlDocPtr doc;
	char *url;
	vxml_scope doc_vars;
	vxml_scope dialog_vars;

	xmlNodePtr dialog; /* the <form> or <menu> being run */
	vxml_item *items;
	size_t nitems;
	vxml_item *cur;     /* the item being visited */
	vxml_item *waiting; /* the item collecting input, while LISTENING */
	vxml_grammar grammar; /* what waiting listens for */
	tw_listen listen;         /* how waiting listens */
	const vxml_alt *enum_alt; /* the choice an <enumerate> template reads */

	/* The FIA's flags between rounds. */
	bool skip_prompts;       /* the last round ended in a catch without
				    <reprompt> */
	xmlNodePtr next_dialog;  /* a pending in-document transition */
	vxml_item *next_item;    /* <goto nextitem> */
	bool unwind;             /* stop the executable content being run */
	bool left;               /* fetching, holding or ended: stop */

	char *fragment; /* the dialog to start the next document at */
	int transitions, iterations, depth;
	/* issue 14, JS: the call's ECMAScript sandbox (made when the first
	 * document that needs it loads; freed with the interpreter), and
	 * whether the current document's variables live there (js_mode) or
	 * in the string scopes above */
	tw_js *js;
	bool js_mode;
	char *utterance; /* the keys the last DTMF input gave, for name$ */
	/* issue 14, JS: the application root document (fetched before the
	 * document ran) and its URL, kept while the documents name it: its
	 * variables live in the application scope, its handlers and links
	 * apply to every document of the application */
	xmlDocPtr root_doc;
	char *root_url;
	/* issue 14, JS: subdialogs: the callers' contexts, innermost last;
	 * params_pending while the subdialog's first dialog has to take its
	 * <param>s; a returned subdialog's document and items are freed only
	 * at the next safe point (gone_*), since the code that ran <return>
	 * still walks them */
	struct vxml_frame *frames;
	size_t nframes;
	bool params_pending;
	xmlDocPtr gone_doc;
	char *gone_url;
	vxml_item *gone_items;
	size_t gone_nitems;
} vxml;

/* issue 14, JS: a caller's context while its subdialog runs. */
typedef struct vxml_frame {
	xmlDocPtr doc;
	char *url;
	xmlNodePtr dialog;
	vxml_item *items;
	size_t nitems;
	size_t item; /* the <subdialog> item's index */
	xmlDocPtr root_doc;
	char *root_url;
} vxml_frame;

#define VXML_MAX_SUBDIALOGS 16 /* subdialogs calling subdialogs */

/* ---- the tree ---- */

bool tw_vxml_is(xmlNodePtr n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

bool tw_vxml_is_text(xmlNodePtr n)
{
	return n && (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE);
}

bool tw_vxml_blank(const char *s)
{
	for (; s && *s; s++)
		if (!isspace((unsigned char)*s))
			return false;
	return true;
}

/* An attribute's value, borrowed from the document; NULL when absent. */
const char *tw_vxml_attr(xmlNodePtr n, const char *name)
{
	for (xmlAttrPtr a = n ? n->properties : NULL; a; a = a->next) {
		if (strcmp((const char *)a->name, name) != 0)
			continue;
		if (a->children && a->children->type == XML_TEXT_NODE && !a->children->next)
			return a->children->content ? (const char *)a->children->content : "";
		return "";
	}
	return NULL;
}

/* "<field name="x">" for messages: the element and what identifies it.
 * The name is the document's too (an unknown element's), so it is masked
 * and cut like the value, and the whole fits out (160 bytes) uncut. */
void tw_vxml_describe(vxml *v, xmlNodePtr n, char *out, size_t size)
{
	static const char *const keys[] = {"name", "id", "event", "next", "dest", "src", "type"};
	char qn[41];
	const char *name = tw_call_quote(v->call, (const char *)n->name, qn, sizeof(qn));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *value = tw_vxml_attr(n, keys[i]);
		if (value) {
			char q[61];
			snprintf(out, size, "<%s %s=\"%s\">", name, keys[i],
				 tw_call_quote(v->call, value, q, sizeof(q)));
			return;
		}
	}
	snprintf(out, size, "<%s>", name);
}

/* An error about an element: the message, then where it is. */
static int vfail_as(vxml *v, tw_error *err, tw_code code, xmlNodePtr n, const char *fmt,
		    va_list ap)
{
	char msg[512];
	if (!tw_call_vquote(v->call, msg, sizeof(msg), fmt, ap))
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	return tw_error_set(err, code, "%s (line %ld of %s)", msg, n ? xmlGetLineNo(n) : 0L,
			    v->url ? v->url : "?");
}

/* TW_ESERVICE: the document is at fault. */
int tw_vxml_fail(vxml *v, tw_error *err, xmlNodePtr n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vfail_as(v, err, TW_ESERVICE, n, fmt, ap);
	va_end(ap);
	return rc;
}

/* TW_EUNSUPPORTED: the document is fine, techweek cannot follow it. The
 * words are for the tester: what techweek cannot do, and where. */
__attribute__((format(printf, 4, 5))) static int limit(vxml *v, tw_error *err, xmlNodePtr n,
						       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vfail_as(v, err, TW_EUNSUPPORTED, n, fmt, ap);
	va_end(ap);
	return rc;
}

int tw_vxml_needs_ecma(vxml *v, tw_error *err, xmlNodePtr n, const char *what, const char *value)
{
	char d[160], q[81];
	tw_vxml_describe(v, n, d, sizeof(d));
	if (!value && strcmp(what, "a script") == 0)
		return limit(v, err, n, "techweek cannot run VoiceXML <script> yet: it has no "
					"ECMAScript engine");
	/* an attribute reads what="value"; a description reads what "value" */
	if (value)
		return limit(v, err, n,
			     strchr(what, ' ')
				     ? "techweek cannot run ECMAScript yet, which %s needs (%s \"%s\")"
				     : "techweek cannot run ECMAScript yet, which %s needs (%s=\"%s\")",
			     d, what, tw_call_quote(v->call, value, q, sizeof(q)));
	return limit(v, err, n, "techweek cannot run ECMAScript yet, which %s needs (%s)", d, what);
}

/* why says what techweek does instead ("it does not fetch external
 * grammars"). */
int tw_vxml_unsupported(vxml *v, tw_error *err, xmlNodePtr n, const char *why)
{
	char d[160];
	tw_vxml_describe(v, n, d, sizeof(d));
	return limit(v, err, n, "techweek cannot follow VoiceXML %s yet: %s", d, why);
}

int tw_vxml_nomem(tw_error *err)
{
	return tw_error_set(err, TW_ENOMEM, "out of memory");
}

char *tw_vxml_dup(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* ---- text ---- */

/* Collapses whitespace runs to one space and trims, in place. */
void tw_vxml_squeeze(char *s)
{
	char *w = s;
	bool space = false;
	for (const char *r = s; *r; r++) {
		if (isspace((unsigned char)*r)) {
			space = w != s;
			continue;
		}
		if (space)
			*w++ = ' ';
		space = false;
		*w++ = *r;
	}
	*w = '\0';
}

/* ---- variables ---- */

static void scope_clear(vxml_scope *s)
{
	for (size_t i = 0; i < s->count; i++) {
		free(s->vars[i].name);
		free(s->vars[i].value);
	}
	free(s->vars);
	memset(s, 0, sizeof(*s));
}

static vxml_var *scope_find(vxml_scope *s, const char *name)
{
	for (size_t i = 0; i < s->count; i++)
		if (strcmp(s->vars[i].name, name) == 0)
			return &s->vars[i];
	return NULL;
}

/* Declares name (again: a redeclaration assigns) with a copy of value. */
static int scope_set(vxml_scope *s, const char *name, const char *value, tw_error *err)
{
	vxml_var *var = scope_find(s, name);
	char *copy = value ? strdup(value) : NULL;
	if (value && !copy)
		return tw_vxml_nomem(err);
	if (var) {
		free(var->value);
		var->value = copy;
		return TW_OK;
	}
	if (s->count == VXML_MAX_VARS) {
		free(copy);
		return tw_error_set(err, TW_ELIMIT, "more than %d VoiceXML variables in one scope",
				    VXML_MAX_VARS);
	}
	if (tw_array_grow(&s->vars, &s->cap, s->count + 1, sizeof(*s->vars))) {
		free(copy);
		return tw_vxml_nomem(err);
	}
	char *n = strdup(name);
	if (!n) {
		free(copy);
		return tw_vxml_nomem(err);
	}
	s->vars[s->count++] = (vxml_var){n, copy};
	return TW_OK;
}

/*
 * Finds a declared variable: dialog scope, then document scope, or the
 * one a "dialog."/"document."/"application." prefix names (a document
 * with an application root keeps its variables in ECMAScript, so here
 * application variables live with the document's). Shadow variables and properties need ECMAScript; session
 * variables are not provided. *found is NULL for an undeclared name.
 */
static int var_find(vxml *v, xmlNodePtr n, const char *what, const char *name, vxml_var **found,
		    tw_error *err)
{
	*found = NULL;
	if (strchr(name, '$'))
		return tw_vxml_needs_ecma(v, err, n, what, name);
	vxml_scope *only = NULL;
	if (strncmp(name, "dialog.", 7) == 0) {
		only = &v->dialog_vars;
		name += 7;
	} else if (strncmp(name, "document.", 9) == 0) {
		only = &v->doc_vars;
		name += 9;
	} else if (strncmp(name, "application.", 12) == 0) {
		only = &v->doc_vars;
		name += 12;
	} else if (strncmp(name, "session.", 8) == 0) {
		char d[160];
		tw_vxml_describe(v, n, d, sizeof(d));
		return limit(v, err, n, "techweek cannot give VoiceXML session variables yet, which %s "
			     "reads (%s)", d, name);
	}
	if (strchr(name, '.'))
		return tw_vxml_needs_ecma(v, err, n, what, name);
	if (only) {
		*found = scope_find(only, name);
		return TW_OK;
	}
	*found = scope_find(&v->dialog_vars, name);
	if (!*found)
		*found = scope_find(&v->doc_vars, name);
	return TW_OK;
}

static bool ident(const char *s)
{
	if (!s || !(isalpha((unsigned char)*s) || *s == '_' || *s == '$'))
		return false;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '$' || *s == '.'))
			return false;
	return true;
}

static bool number_literal(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	bool digits = false, dot = false;
	for (; *s; s++) {
		if (isdigit((unsigned char)*s))
			digits = true;
		else if (*s == '.' && !dot)
			dot = true;
		else
			return false;
	}
	return digits;
}

static int text_failed(const tw_buf *b, const char *what, tw_error *err);
static char *resolve(vxml *v, const char *ref);

/* ---- ECMAScript (issue 14, JS) ----
 *
 * A document that needs ECMAScript (vxml_needs_js: a <script>, <if>, a
 * cond, an expr that is not a literal or a plain name, a shadow variable)
 * keeps its variables in the call's sandbox (script.h) rather than in the
 * string scopes: VoiceXML's scopes are objects there (session,
 * application, document, dialog; the anonymous scope of executable
 * content is the dialog's), and an expression is evaluated inside
 * `with (session) with (application) with (document) with (dialog)`, so a
 * name resolves innermost first, as the spec's scope chain does. Once a
 * call has used the sandbox every later document of the call uses it
 * too (one child per call). The IVR's text never becomes code: it goes as
 * the argument ($tw_arg) and is evaluated with eval(); names are put in
 * code only after js_name says they are plain identifiers.
 */

#define JS_CHAIN "with(session)with(application)with(document)with(dialog)"

static const char js_prelude[] =
	/* issue 14, F2: techweek's own names in one object the IVR's scripts
	 * can neither list nor replace */
	"Object.defineProperty(this, '$tw', {value: {v: undefined, k: undefined, keys: undefined,"
	" params: null, ret: undefined, stack: []}, writable: false, enumerable: false,"
	" configurable: false});"
	"var application = {}, document = {}, dialog = {};";

/* A name that may be written into code: letters, digits, _ and $, not
 * starting with a digit. */
static bool js_name(const char *s)
{
	if (!s || !*s || isdigit((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '$'))
			return false;
	return true;
}

/* A dotted path of js_names ("document.x", "a.b"). */
static bool js_path(const char *s)
{
	if (!s || !*s)
		return false;
	char buf[256];
	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	char *save = NULL;
	for (char *t = strtok_r(buf, ".", &save); t; t = strtok_r(NULL, ".", &save))
		if (!js_name(t))
			return false;
	return s[strlen(s) - 1] != '.' && !strstr(s, "..") && s[0] != '.';
}

/* Runs code for element n in the call's sandbox, starting it (and the
 * prelude) the first time. An error names the element and its line; a
 * script fetched by src (file, from line 1) has its own line named in
 * that file. */
static int js_run_at(vxml *v, xmlNodePtr n, const char *code, const char *arg, const char *file,
		     tw_js_value *out, tw_error *err);

static int js_run(vxml *v, xmlNodePtr n, const char *code, const char *arg, tw_js_value *out,
		  tw_error *err)
{
	return js_run_at(v, n, code, arg, NULL, out, err);
}

static int js_run_at(vxml *v, xmlNodePtr n, const char *code, const char *arg, const char *file,
		     tw_js_value *out, tw_error *err)
{
	tw_error e = {0};
	int rc;
	if (!v->js) {
		tw_js_limits limits = {tw_call_script_time(v->call), 0, /* issue 14, F2 */
				       tw_call_stop_asked, v->call}; /* issue 14, F6 */
		if (!(v->js = tw_js_new(&limits)))
			return tw_vxml_nomem(err);
		char who[300]; /* the numbers are the tester's: arguments, not code */
		snprintf(who, sizeof(who), "%s\n%s", tw_call_to(v->call), tw_call_from(v->call));
		rc = tw_js_run(v->js, js_prelude, NULL, "prelude", 1, NULL, &e);
		if (!rc)
			rc = tw_js_run(v->js,
				       "$tw.v = $tw_arg.split('\\n'); Object.defineProperty(this, 'session',"
				       " {value: Object.freeze({connection: Object.freeze({"
				       "local: Object.freeze({uri: 'tel:' + $tw.v[0]}),"
				       " remote: Object.freeze({uri: 'tel:' + $tw.v[1]})})}),"
				       " writable: false, enumerable: false, configurable: false});"
				       " undefined", /* issue 14, F2: session is read-only */
				       who, "prelude", 1, NULL, &e);
		if (rc && tw_js_cut(v->js)) { /* issue 14, F6 */
			tw_error_clear(&e);
			return tw_call_cut(v->call, err);
		}
		if (rc) {
			rc = tw_error_set(err, TW_EINTERNAL, "the ECMAScript sandbox: %s",
					  e.message ? e.message : "out of memory");
			tw_error_clear(&e);
			return rc;
		}
	}
	long line = n ? xmlGetLineNo(n) : 1;
	rc = tw_js_run(v->js, code, arg, file ? file : v->url ? v->url : "?", file ? 1 : line, out,
		       &e);
	if (!rc)
		return TW_OK;
	if (tw_js_cut(v->js)) { /* issue 14, F6: the run's stop, not the script */
		tw_error_clear(&e);
		return tw_call_cut(v->call, err);
	}
	if (rc == TW_ENOMEM && !e.message)
		return tw_vxml_nomem(err);
	char d[160], q[400];
	if (n)
		tw_vxml_describe(v, n, d, sizeof(d));
	else
		snprintf(d, sizeof(d), "<vxml>");
	tw_call_quote(v->call, e.message ? e.message : "a script error", q, sizeof(q));
	tw_error_clear(&e);
	char own[40]; /* the script's line, when it is the element's, once */
	snprintf(own, sizeof(own), " (line %ld)", line);
	size_t ql = strlen(q), ol = strlen(own);
	if (!file && ql > ol && strcmp(q + ql - ol, own) == 0)
		q[ql - ol] = '\0';
	char *paren = file ? strrchr(q, '(') : NULL;
	if (paren && strncmp(paren, "(line ", 6) == 0 && q[strlen(q) - 1] == ')') {
		char fq[200];
		q[strlen(q) - 1] = '\0'; /* "(line N)" becomes "(line N of FILE)" */
		snprintf(paren + strlen(paren), sizeof(q) - (size_t)(paren - q) - strlen(paren),
			 " of %s)", tw_call_quote(v->call, file, fq, sizeof(fq)));
	}
	return tw_error_set(err, rc, "%s in %s at line %ld of %s", q, d, line, v->url ? v->url : "?");
}

/* expr's value in the scope chain: String(value), NULL for undefined. */
static int js_eval(vxml *v, xmlNodePtr n, const char *expr, char **out, tw_error *err)
{
	tw_js_value val;
	*out = NULL;
	int rc = js_run(v, n, JS_CHAIN "{eval($tw_arg)}", expr, &val, err);
	if (!rc)
		*out = val.text;
	return rc;
}

/* A cond: true when expr is truthy. */
static int js_cond(vxml *v, xmlNodePtr n, const char *expr, bool *out, tw_error *err)
{
	tw_js_value val;
	*out = false;
	int rc = js_run(v, n, JS_CHAIN "{eval($tw_arg)}", expr, &val, err);
	if (!rc) {
		*out = val.truthy;
		tw_js_value_free(&val);
	}
	return rc;
}

/* The object a string scope stands for. */
static const char *js_scope(vxml *v, const vxml_scope *s)
{
	return s == &v->doc_vars ? "document" : "dialog";
}

/* scope.name = value (a string; NULL: undefined). */
static int js_set(vxml *v, xmlNodePtr n, const char *scope, const char *name, const char *value,
		  tw_error *err)
{
	if (!js_name(name))
		return tw_vxml_fail(v, err, n, "\"%s\" is not a variable name", name);
	char code[400];
	snprintf(code, sizeof(code), "%s[\"%s\"] = $tw_arg; undefined", scope, name);
	return js_run(v, n, code, value, NULL, err);
}

/* <var name expr> in scope: the expression's value as it is (a number
 * stays a number). */
static int js_var(vxml *v, xmlNodePtr n, const char *scope, const char *name, const char *expr,
		  tw_error *err)
{
	if (!js_name(name))
		return tw_vxml_fail(v, err, n, "<var name=\"%s\">: not a variable name", name);
	char code[700];
	/* a subdialog's dialog variable takes the <param> of its name */
	snprintf(code, sizeof(code),
		 "$tw.v = undefined; if (%s && $tw.params && $tw.params.hasOwnProperty(\"%s\"))"
		 " $tw.v = $tw.params[\"%s\"]; else if ($tw_arg !== undefined) " JS_CHAIN
		 "{$tw.v = eval($tw_arg)} %s[\"%s\"] = $tw.v; undefined",
		 strcmp(scope, "dialog") == 0 ? "true" : "false", name, name, scope, name);
	return js_run(v, n, code, expr, NULL, err);
}

/* <assign name expr>: name must be declared (a plain name in a scope of
 * the chain, or scope.name in that scope); a property path is the
 * script's own. */
static int js_assign(vxml *v, xmlNodePtr n, const char *name, const char *expr, tw_error *err)
{
	if (!js_path(name))
		return tw_vxml_fail(v, err, n, "<assign name=\"%s\">: not a variable name", name);
	static const char *const scopes[] = {"dialog.", "document.", "application.", "session."};
	char check[400] = "";
	if (!strchr(name, '.')) {
		snprintf(check, sizeof(check),
			 "if (!(\"%s\" in dialog || \"%s\" in document || \"%s\" in application ||"
			 " \"%s\" in session)) throw new ReferenceError(\"%s is not declared\");",
			 name, name, name, name, name);
	} else {
		for (size_t i = 0; i < 4; i++) {
			size_t len = strlen(scopes[i]);
			const char *rest = name + len;
			if (strncmp(name, scopes[i], len) == 0 && !strchr(rest, '.'))
				snprintf(check, sizeof(check),
					 "if (!(\"%s\" in %.*s)) throw new ReferenceError(\"%s is not declared\");",
					 rest, (int)len - 1, scopes[i], name);
		}
	}
	char code[1024];
	snprintf(code, sizeof(code), "%s " JS_CHAIN "{%s = eval($tw_arg)} undefined", check, name);
	return js_run(v, n, code, expr, NULL, err);
}

/* Is dialog.name defined? */
static int js_defined(vxml *v, xmlNodePtr n, const char *name, bool *out, tw_error *err)
{
	*out = false;
	if (!js_name(name))
		return tw_vxml_fail(v, err, n, "\"%s\" is not a variable name", name);
	char code[400];
	snprintf(code, sizeof(code), "dialog[\"%s\"] !== undefined", name);
	tw_js_value val;
	int rc = js_run(v, n, code, NULL, &val, err);
	if (!rc) {
		*out = val.truthy;
		tw_js_value_free(&val);
	}
	return rc;
}

/* What the recognizer made of the caller's input: the item's shadow
 * variables (name$, when it has a name) and application.lastresult$. */
static int js_shadow(vxml *v, xmlNodePtr n, const char *name, const tw_call_input *in,
		     const char *value, tw_error *err)
{
	bool dtmf = in->kind == TW_INPUT_DTMF;
	json_t *o = json_pack("{s:s, s:f, s:s, s:s}", "utterance",
			      dtmf ? (v->utterance ? v->utterance : "") : (in->speech ? in->speech : ""),
			      "confidence", dtmf ? 1.0 : in->confidence, "inputmode",
			      dtmf ? "dtmf" : "voice", "interpretation", value ? value : "");
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!text)
		return tw_vxml_nomem(err);
	char code[600];
	snprintf(code, sizeof(code),
		 "$tw.v = JSON.parse($tw_arg); %s%s%s application.lastresult$ = [$tw.v];"
		 " for ($tw.k in $tw.v) application.lastresult$[$tw.k] = $tw.v[$tw.k]; undefined",
		 name && js_name(name) ? "dialog[\"" : "", name && js_name(name) ? name : "",
		 name && js_name(name) ? "$\"] = $tw.v;" : "");
	int rc = js_run(v, n, code, text, NULL, err);
	free(text);
	return rc;
}

/* <script>: its text (src: techweek's limit until resources are fetched
 * before a document runs) in scope ("document" or "dialog"). What it
 * declares lands on the global object; it is moved to the scope's object
 * afterwards, so it is found there and goes with the scope. (MuJS keeps
 * a declared global, undefined from then on: a later document that reads
 * the name without declaring it gets undefined, not a ReferenceError.) */
static int js_script(vxml *v, xmlNodePtr n, const char *scope, tw_error *err)
{
	if (tw_vxml_attr(n, "srcexpr"))
		return tw_vxml_unsupported(v, err, n,
					   "it fetches what a document needs before the document runs, "
					   "and srcexpr is only known as it runs");
	const char *src = tw_vxml_attr(n, "src");
	char *file = NULL;
	tw_buf b;
	tw_buf_init(&b, TW_JS_MAX_TEXT);
	if (src) {
		const char *body = NULL;
		size_t blen = 0;
		tw_error e = {0};
		int frc = tw_call_resource(v->call, v->url, src, &body, &blen, NULL, &e);
		char d[160];
		tw_vxml_describe(v, n, d, sizeof(d));
		if (frc == TW_ESERVICE) /* a platform's error.badfetch */
			frc = tw_vxml_fail(v, err, n, "%s: %s", d, e.message ? e.message : "not fetched");
		else if (frc)
			frc = limit(v, err, n, "techweek cannot run %s: %s", d,
				    e.message ? e.message : "not fetched");
		tw_error_clear(&e);
		if (frc) {
			tw_buf_free(&b);
			return frc;
		}
		tw_buf_append(&b, body, blen);
		file = resolve(v, src);
	} else {
		for (xmlNodePtr c = n->children; c; c = c->next)
			if (tw_vxml_is_text(c) && c->content)
				tw_buf_puts(&b, (const char *)c->content);
	}
	int rc = text_failed(&b, "script", err);
	if (!rc && src && !file)
		rc = tw_vxml_nomem(err);
	char *body = rc ? NULL : tw_buf_steal(&b);
	tw_buf_free(&b);
	if (rc)
		return rc;
	if (!body)
		return tw_vxml_nomem(err);
	/* MuJS's global variables are not enumerable: ask for every name */
	rc = js_run(v, n,
		    "$tw.keys = {}; Object.getOwnPropertyNames(this).forEach(function (k) {"
		    " $tw.keys[k] = 1; }); undefined",
		    NULL, NULL, err);
	size_t len = strlen(body) + 128;
	char *code = rc ? NULL : malloc(len);
	if (!rc && !code)
		rc = tw_vxml_nomem(err);
	if (!rc) {
		snprintf(code, len, JS_CHAIN "{%s\n} undefined", body);
		rc = js_run_at(v, n, code, NULL, file, NULL, err);
	}
	if (!rc) {
		char move[300];
		snprintf(move, sizeof(move),
			 "Object.getOwnPropertyNames(this).forEach(function (k) {"
			 " if (!$tw.keys[k]) { %s[k] = this[k]; if (!delete this[k]) this[k] = undefined; }"
			 " }, this); undefined",
			 scope);
		rc = js_run(v, n, move, NULL, NULL, err);
	}
	free(code);
	free(body);
	free(file);
	return rc;
}

/* *ok: n has no cond, or its cond is true. */
static int cond_ok(vxml *v, xmlNodePtr n, bool *ok, tw_error *err)
{
	*ok = true;
	const char *cond = tw_vxml_attr(n, "cond");
	if (!cond)
		return TW_OK;
	if (!v->js_mode)
		return tw_vxml_needs_ecma(v, err, n, "cond", cond);
	return js_cond(v, n, cond, ok, err);
}

/* Is expr something the string scopes evaluate (a literal, a plain or
 * scope-prefixed name)? */
static bool js_simple(const char *expr)
{
	char *e = strdup(expr);
	if (!e)
		return false;
	tw_vxml_squeeze(e);
	size_t len = strlen(e);
	bool simple = false;
	if (len >= 2 && (e[0] == '\'' || e[0] == '"') && e[len - 1] == e[0] &&
	    !memchr(e + 1, e[0], len - 2) && !memchr(e + 1, '\\', len - 2))
		simple = true;
	else if (number_literal(e) || !strcmp(e, "true") || !strcmp(e, "false") ||
		 !strcmp(e, "undefined"))
		simple = true;
	else if (ident(e) && !strchr(e, '$')) {
		const char *dot = strchr(e, '.');
		simple = !dot || ((!strncmp(e, "dialog.", 7) || !strncmp(e, "document.", 9) ||
				   !strncmp(e, "application.", 12)) &&
				  !strchr(dot + 1, '.'));
	}
	free(e);
	return simple;
}

/* Does the document need ECMAScript? */
static bool vxml_needs_js(xmlNodePtr n)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (tw_vxml_is(n, "script") || tw_vxml_is(n, "if") || tw_vxml_is(n, "subdialog") ||
		    tw_vxml_is(n, "return") || tw_vxml_is(n, "link"))
			return true;
		for (xmlAttrPtr a = n->properties; a; a = a->next) {
			const char *an = (const char *)a->name;
			const char *val = tw_vxml_attr(n, an);
			size_t l = strlen(an);
			if (!strcmp(an, "cond"))
				return true;
			if (l >= 4 && !strcmp(an + l - 4, "expr") && val && !js_simple(val))
				return true;
			if ((!strcmp(an, "name") || !strcmp(an, "namelist")) && val && strchr(val, '$'))
				return true;
		}
		if (vxml_needs_js(n->children))
			return true;
	}
	return false;
}

/*
 * The value of an expression techweek can evaluate without ECMAScript: a
 * string literal, a number, true/false, undefined, or a variable's name.
 * *out is malloc'd, or NULL for undefined. what names the attribute for
 * the message.
 */
static int eval(vxml *v, xmlNodePtr n, const char *what, const char *expr, char **out,
		tw_error *err)
{
	*out = NULL;
	if (v->js_mode && !(v->enum_alt && (!strcmp(expr, "_prompt") || !strcmp(expr, "_dtmf"))))
		return js_eval(v, n, expr, out, err); /* issue 14, JS */
	char *e = strdup(expr);
	if (!e)
		return tw_vxml_nomem(err);
	tw_vxml_squeeze(e);
	size_t len = strlen(e);
	int rc = TW_OK;
	if (len >= 2 && (e[0] == '\'' || e[0] == '"') && e[len - 1] == e[0] &&
	    !memchr(e + 1, e[0], len - 2) && !memchr(e + 1, '\\', len - 2)) {
		/* squeeze may have folded spaces inside the literal: use the
		 * original text between the quotes */
		const char *a = strchr(expr, e[0]);
		const char *b = strrchr(expr, e[0]);
		*out = strndup(a + 1, (size_t)(b - a - 1));
		if (!*out)
			rc = tw_vxml_nomem(err);
	} else if (number_literal(e) || strcmp(e, "true") == 0 || strcmp(e, "false") == 0) {
		*out = strdup(e);
		if (!*out)
			rc = tw_vxml_nomem(err);
	} else if (strcmp(e, "undefined") == 0) {
		/* *out stays NULL */
	} else if (v->enum_alt && strcmp(e, "_prompt") == 0) {
		*out = tw_vxml_dup(v->enum_alt->text ? v->enum_alt->text : "");
		if (!*out)
			rc = tw_vxml_nomem(err);
	} else if (v->enum_alt && strcmp(e, "_dtmf") == 0) {
		*out = tw_vxml_dup(v->enum_alt->dtmf ? v->enum_alt->dtmf : "");
		if (!*out)
			rc = tw_vxml_nomem(err);
	} else if (ident(e)) {
		vxml_var *var;
		rc = var_find(v, n, what, e, &var, err);
		if (!rc && !var) {
			char d[160];
			tw_vxml_describe(v, n, d, sizeof(d));
			rc = tw_vxml_fail(v, err, n, "%s reads %s, which is not declared", d, e);
		}
		if (!rc && var->value) {
			*out = strdup(var->value);
			if (!*out)
				rc = tw_vxml_nomem(err);
		}
	} else {
		rc = tw_vxml_needs_ecma(v, err, n, what, expr);
	}
	free(e);
	return rc;
}

/* ---- items ---- */

static bool item_filled(vxml *v, const vxml_item *it)
{
	if (!it->name)
		return it->done;
	if (v->js_mode) { /* issue 14, JS: a script may fill it too */
		bool defined = false;
		tw_error e = {0};
		if (js_defined(v, it->node, it->name, &defined, &e))
			tw_error_clear(&e); /* the next evaluation fails the call */
		return defined;
	}
	vxml_var *var = scope_find(&v->dialog_vars, it->name);
	return var && var->value;
}

static void item_reset(vxml_item *it)
{
	it->done = false;
	it->prompt_count = 0;
	for (size_t i = 0; i < it->ncounts; i++)
		it->counts[i].n = 0;
}

static void items_free(vxml *v)
{
	for (size_t i = 0; i < v->nitems; i++) {
		for (size_t j = 0; j < v->items[i].ncounts; j++)
			free(v->items[i].counts[j].event);
		free(v->items[i].counts);
	}
	free(v->items);
	v->items = NULL;
	v->nitems = 0;
	v->cur = v->waiting = v->next_item = NULL;
}

static vxml_item *item_named(vxml *v, const char *name)
{
	for (size_t i = 0; i < v->nitems; i++)
		if (v->items[i].name && strcmp(v->items[i].name, name) == 0)
			return &v->items[i];
	return NULL;
}

/* Counts one more event on it; returns the new count, or -1 on ENOMEM. */
static int item_count(vxml_item *it, const char *event)
{
	for (size_t i = 0; i < it->ncounts; i++)
		if (strcmp(it->counts[i].event, event) == 0)
			return ++it->counts[i].n;
	if (tw_array_grow(&it->counts, &it->counts_cap, it->ncounts + 1, sizeof(*it->counts)))
		return -1;
	vxml_count *c = it->counts;
	c[it->ncounts].event = strdup(event);
	if (!c[it->ncounts].event)
		return -1;
	c[it->ncounts].n = 1;
	return c[it->ncounts++].n;
}

/* ---- properties ---- */

/* A property's value: the item's, the dialog's, then the document's. */
static const char *property(vxml *v, xmlNodePtr item, const char *name)
{
	xmlNodePtr scopes[] = {item, v->dialog, xmlDocGetRootElement(v->doc),
			       v->root_doc ? xmlDocGetRootElement(v->root_doc) : NULL}; /* issue 14, JS */
	for (size_t s = 0; s < 4; s++) {
		if (!scopes[s] || (s > 0 && scopes[s] == scopes[s - 1]))
			continue;
		const char *found = NULL;
		for (xmlNodePtr c = scopes[s]->children; c; c = c->next) {
			const char *pn = tw_vxml_is(c, "property") ? tw_vxml_attr(c, "name") : NULL;
			if (pn && strcmp(pn, name) == 0)
				found = tw_vxml_attr(c, "value");
		}
		if (found)
			return found;
	}
	return NULL;
}

/* A CSS2 time ("5s", "500ms") in seconds; -1 when it is not one. */
static double parse_time(const char *s)
{
	char *end;
	double x = strtod(s, &end);
	if (end == s || x < 0)
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	if (strcmp(end, "ms") == 0)
		return x / 1000.0;
	if (strcmp(end, "s") == 0 || *end == '\0')
		return x;
	return -1;
}

/* ---- prompts ---- */

static int flush(vxml *v, tw_buf *b, tw_error *err)
{
	if (b->len == 0)
		return TW_OK;
	char *text = tw_buf_steal(b);
	if (!text)
		return tw_vxml_nomem(err);
	tw_vxml_squeeze(text);
	int rc = TW_OK;
	if (*text)
		rc = tw_call_event_add(v->call, TW_EV_SAY, text, tw_call_speech_s(v->call, text));
	free(text);
	if (rc)
		return tw_error_set(err, rc, "cannot record what the IVR said");
	return TW_OK;
}

/* The error of a text buffer (capped at VXML_MAX_UTTERANCE) that failed. */
static int text_failed(const tw_buf *b, const char *what, tw_error *err)
{
	int rc = tw_buf_failed(b);
	if (rc == TW_ELIMIT)
		return tw_error_set(err, TW_ELIMIT, "a VoiceXML %s longer than %d bytes", what,
				    VXML_MAX_UTTERANCE);
	return rc ? tw_vxml_nomem(err) : TW_OK;
}

static int append(tw_buf *b, const char *s, tw_error *err)
{
	tw_buf_puts(b, s);
	return text_failed(b, "prompt", err);
}

/* ref resolved against the document's URL, for the transcript; ref
 * itself when it does not resolve (the transcript still says what the
 * document named). */
static char *resolve(vxml *v, const char *ref)
{
	char *out = NULL;
	tw_error e = {0};
	if (tw_url_resolve(v->url, ref, &out, &e) != TW_OK) {
		tw_error_clear(&e);
		return strdup(ref);
	}
	return out;
}

static int render(vxml *v, xmlNodePtr n, tw_buf *b, tw_error *err);

static int render_children(vxml *v, xmlNodePtr n, tw_buf *b, tw_error *err)
{
	for (xmlNodePtr c = n->children; c; c = c->next) {
		int rc = render(v, c, b, err);
		if (rc)
			return rc;
	}
	return TW_OK;
}

static void text_of(xmlNodePtr n, tw_buf *b)
{
	for (xmlNodePtr c = n->children; c; c = c->next) {
		if (tw_vxml_is_text(c) && c->content)
			tw_buf_puts(b, (const char *)c->content);
		else if (c->type == XML_ELEMENT_NODE && !tw_vxml_is(c, "grammar"))
			text_of(c, b);
		tw_buf_puts(b, " ");
	}
}

int tw_vxml_text_failed(const tw_buf *b, tw_error *err)
{
	return text_failed(b, "text", err);
}

int tw_vxml_text_of(xmlNodePtr n, tw_buf *b, tw_error *err)
{
	text_of(n, b);
	return tw_vxml_text_failed(b, err);
}

static int note(vxml *v, const char *text, tw_error *err);

static int render_audio(vxml *v, xmlNodePtr n, tw_buf *b, tw_error *err)
{
	const char *src = tw_vxml_attr(n, "src");
	char *computed = NULL;
	int rc;
	if (!src && tw_vxml_attr(n, "expr")) {
		if ((rc = eval(v, n, "expr", tw_vxml_attr(n, "expr"), &computed, err)))
			return rc;
		src = computed;
	}
	if (!src) /* no recording: the fallback content is spoken */
		return render_children(v, n, b, err);
	if ((rc = flush(v, b, err))) {
		free(computed);
		return rc;
	}
	/* issue 14, AUDIO: the file plays for its length; the call fetched it
	 * before the document ran unless its URL is computed. */
	tw_buf fb;
	tw_buf_init(&fb, VXML_MAX_UTTERANCE);
	rc = tw_vxml_text_of(n, &fb, err);
	bool fallback = rc == TW_OK && !tw_vxml_blank(tw_buf_str(&fb));
	double fallback_s = rc == TW_OK ? tw_call_speech_s(v->call, tw_buf_str(&fb)) : 0;
	tw_buf_free(&fb);
	char why[TW_AUDIO_WHY_SIZE];
	int r1 = TW_OK;
	double seconds = rc ? -1 : tw_call_audio_timed(v->call, v->url, src, why, &r1);
	if (r1 && !rc)
		rc = tw_error_set(err, r1, "cannot record a note");
	char *url = rc ? NULL : resolve(v, src);
	bool is_computed = computed != NULL;
	free(computed);
	if (rc)
		return rc;
	if (!url)
		return tw_vxml_nomem(err);
	tw_buf msg;
	tw_buf_init(&msg, 4096);
	if (seconds < 0 && fallback && !is_computed) {
		/* What the platform does with a file it cannot play (VoiceXML
		 * 2.0, 4.1.3): it plays the element's content instead. */
		tw_buf_printf(&msg, "could not play %s (%s) at line %ld; its fallback content "
			      "is spoken instead", url, why, xmlGetLineNo(n));
		rc = tw_buf_failed(&msg) ? tw_vxml_nomem(err) : note(v, tw_buf_str(&msg), err);
		tw_buf_free(&msg);
		free(url);
		return rc ? rc : render_children(v, n, b, err);
	}
	if (seconds < 0 && fallback) {
		/* A computed URL was not fetched: the fallback text is the best
		 * estimate of its length. */
		tw_buf_printf(&msg, "could not time %s (%s); counted as its fallback text, %.1f s",
			      url, why, fallback_s);
		seconds = fallback_s;
		rc = tw_buf_failed(&msg) ? tw_vxml_nomem(err) : note(v, tw_buf_str(&msg), err);
	} else if (seconds < 0) {
		int r2 = TW_OK;
		seconds = tw_call_audio_timed(v->call, v->url, src, NULL, &r2);
		rc = r2 ? tw_error_set(err, r2, "cannot record a note") : TW_OK;
	}
	tw_buf_free(&msg);
	if (rc == TW_OK && (rc = tw_call_audio_event(v->call, url, seconds)))
		rc = tw_error_set(err, rc, "cannot record what the IVR played");
	free(url);
	return rc;
}

static int render_break(vxml *v, xmlNodePtr n, tw_buf *b, tw_error *err)
{
	static const struct {
		const char *name;
		double s;
	} strengths[] = {{"none", 0}, {"x-weak", 0.1}, {"weak", 0.25}, {"medium", 0.5},
			 {"strong", 0.75}, {"x-strong", 1.0}};
	double s = 0.5;
	const char *t = tw_vxml_attr(n, "time");
	const char *strength = tw_vxml_attr(n, "strength");
	if (t) {
		s = parse_time(t);
		if (s < 0)
			return tw_vxml_fail(v, err, n, "<break time=\"%s\"> is not a time", t);
	} else if (strength) {
		for (size_t i = 0; i < sizeof(strengths) / sizeof(strengths[0]); i++)
			if (strcmp(strength, strengths[i].name) == 0)
				s = strengths[i].s;
	}
	int rc = flush(v, b, err);
	if (rc || s <= 0)
		return rc;
	rc = tw_call_event_add(v->call, TW_EV_PAUSE, NULL, s);
	return rc ? tw_error_set(err, rc, "cannot record a pause") : TW_OK;
}

/* <enumerate>: each choice through the template, or the choices' texts. */
static int render_enumerate(vxml *v, xmlNodePtr n, tw_buf *b, tw_error *err)
{
	bool templ = false;
	for (xmlNodePtr c = n->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE ||
		    (tw_vxml_is_text(c) && !tw_vxml_blank((const char *)c->content)))
			templ = true;
	int rc = TW_OK;
	for (size_t i = 0; i < v->grammar.nalts && !rc; i++) {
		const vxml_alt *a = &v->grammar.alts[i];
		if (templ) {
			v->enum_alt = a;
			rc = render_children(v, n, b, err);
			v->enum_alt = NULL;
			if (!rc)
				rc = append(b, " ", err);
		} else if (a->text && *a->text) {
			rc = append(b, a->text, err);
			if (!rc)
				rc = append(b, i + 1 < v->grammar.nalts ? ", " : ". ", err);
		}
	}
	return rc;
}

/* Prompt content: text, <value>, <audio>, <break>, <enumerate>, SSML. */
static int render(vxml *v, xmlNodePtr n, tw_buf *b, tw_error *err)
{
	static const char *const containers[] = {"emphasis", "prosody", "say-as", "s", "p",
						  "voice", "sentence", "paragraph", "phoneme",
						  "lang", "token", "w", "speak"};
	static const char *const silent[] = {"mark", "desc", "meta", "metadata", "lexicon"};
	if (tw_vxml_is_text(n))
		return n->content ? append(b, (const char *)n->content, err) : TW_OK;
	if (n->type != XML_ELEMENT_NODE)
		return TW_OK;
	if (tw_vxml_is(n, "value")) {
		const char *expr = tw_vxml_attr(n, "expr");
		if (!expr)
			return tw_vxml_fail(v, err, n, "<value> without expr");
		char *val;
		int rc = eval(v, n, "expr", expr, &val, err);
		if (rc)
			return rc;
		rc = append(b, val ? val : "undefined", err);
		free(val);
		return rc;
	}
	if (tw_vxml_is(n, "audio"))
		return render_audio(v, n, b, err);
	if (tw_vxml_is(n, "break"))
		return render_break(v, n, b, err);
	if (tw_vxml_is(n, "enumerate"))
		return render_enumerate(v, n, b, err);
	if (tw_vxml_is(n, "sub")) {
		const char *alias = tw_vxml_attr(n, "alias");
		return alias ? append(b, alias, err) : render_children(v, n, b, err);
	}
	for (size_t i = 0; i < sizeof(containers) / sizeof(containers[0]); i++)
		if (tw_vxml_is(n, containers[i]))
			return render_children(v, n, b, err);
	for (size_t i = 0; i < sizeof(silent) / sizeof(silent[0]); i++)
		if (tw_vxml_is(n, silent[i]))
			return TW_OK;
	char d[160];
	tw_vxml_describe(v, n, d, sizeof(d));
	return tw_vxml_fail(v, err, n, "unknown element %s in a prompt", d);
}

/* issue 14, CLOCK: whether a prompt may be barged into: its bargein
 * attribute, else the bargein property where it is (default true). */
static bool bargein_of(vxml *v, xmlNodePtr p)
{
	const char *b = tw_vxml_is(p, "prompt") ? tw_vxml_attr(p, "bargein") : NULL;
	if (!b)
		b = property(v, tw_vxml_is(p, "prompt") && p->parent ? p->parent : p, "bargein");
	return !b || strcmp(b, "false") != 0;
}

/* A <prompt> is spoken as one utterance; cond needs ECMAScript. */
static int play_prompt(vxml *v, xmlNodePtr p, tw_buf *b, tw_error *err)
{
	bool ok = true; /* issue 14, JS */
	int rc = cond_ok(v, p, &ok, err);
	if (rc || !ok)
		return rc;
	rc = flush(v, b, err);
	tw_call_set_bargein(v->call, bargein_of(v, p)); /* issue 14, CLOCK */
	if (!rc)
		rc = render_children(v, p, b, err);
	if (!rc)
		rc = flush(v, b, err);
	return rc;
}

/* Text, <value>, <audio>, <enumerate> straight inside a field, block or
 * handler: a prompt without the <prompt> element around it. */
static bool bare_prompt(xmlNodePtr n)
{
	if (tw_vxml_is_text(n))
		return !tw_vxml_blank((const char *)n->content);
	return tw_vxml_is(n, "value") || tw_vxml_is(n, "audio") || tw_vxml_is(n, "enumerate") ||
	       tw_vxml_is(n, "break") || tw_vxml_is(n, "mark");
}

static int prompt_level(vxml *v, xmlNodePtr p, int *count, tw_error *err)
{
	*count = 1;
	const char *c = tw_vxml_is(p, "prompt") ? tw_vxml_attr(p, "count") : NULL;
	if (c) {
		char *end;
		long n = strtol(c, &end, 10);
		if (end == c || *end || n < 1)
			return tw_vxml_fail(v, err, p, "<prompt count=\"%s\"> is not a count", c);
		*count = (int)n;
	}
	return TW_OK;
}

/* Plays it's prompts: those with the highest count <= its prompt counter. */
static int play_item_prompts(vxml *v, vxml_item *it, tw_error *err)
{
	int best = 0, rc;
	for (xmlNodePtr c = it->node->children; c; c = c->next) {
		if (!tw_vxml_is(c, "prompt") && !bare_prompt(c))
			continue;
		bool ok = true; /* issue 14, JS: a prompt whose cond is false is not a candidate */
		if (c->type == XML_ELEMENT_NODE && (rc = cond_ok(v, c, &ok, err)))
			return rc;
		if (!ok)
			continue;
		int count;
		if ((rc = prompt_level(v, c, &count, err)))
			return rc;
		if (count <= it->prompt_count && count > best)
			best = count;
	}
	tw_buf b;
	tw_buf_init(&b, VXML_MAX_UTTERANCE);
	rc = TW_OK;
	bool bargein = bargein_of(v, it->node); /* issue 14, CLOCK */
	tw_call_set_bargein(v->call, bargein);
	for (xmlNodePtr c = it->node->children; c && !rc; c = c->next) {
		if (c->type == XML_ELEMENT_NODE && (rc = tw_call_at(v->call, c)))
			break;
		if (tw_vxml_is(c, "prompt")) {
			int count;
			rc = prompt_level(v, c, &count, err);
			if (!rc && count == best)
				rc = play_prompt(v, c, &b, err);
			tw_call_set_bargein(v->call, bargein); /* issue 14, CLOCK */
		} else if (bare_prompt(c)) {
			if (best == 1)
				rc = render(v, c, &b, err);
		} else if (c->type == XML_ELEMENT_NODE) {
			rc = flush(v, &b, err);
		}
	}
	if (!rc)
		rc = flush(v, &b, err);
	tw_buf_free(&b);
	tw_call_set_bargein(v->call, true); /* issue 14, CLOCK */
	return rc;
}

/* ---- events ---- */

static int exec_children(vxml *v, xmlNodePtr parent, tw_error *err);

static bool handler_matches(const char *name, const char *event)
{
	size_t n = strlen(name);
	while (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0)
		return true;
	return strncmp(name, event, n) == 0 && (event[n] == '\0' || event[n] == '.');
}

/* Does handler h catch event? (catch event="a b", noinput, ...) */
static bool catches(xmlNodePtr h, const char *event)
{
	static const char *const shorthands[] = {"noinput", "nomatch", "help", "error"};
	for (size_t i = 0; i < 4; i++)
		if (tw_vxml_is(h, shorthands[i]))
			return handler_matches(shorthands[i], event);
	if (!tw_vxml_is(h, "catch"))
		return false;
	const char *list = tw_vxml_attr(h, "event");
	if (!list || tw_vxml_blank(list))
		return true;
	for (const char *p = list; *p;) {
		while (isspace((unsigned char)*p))
			p++;
		size_t n = strcspn(p, " \t\r\n");
		if (n > 0 && n < 128) {
			char name[128];
			memcpy(name, p, n);
			name[n] = '\0';
			if (handler_matches(name, event))
				return true;
		}
		p += n;
	}
	return false;
}

/* The handler for event at count n: innermost scope first, the highest
 * count <= n, the first of those in document order. */
static int find_handler(vxml *v, const char *event, int n, xmlNodePtr *out, tw_error *err)
{
	*out = NULL;
	xmlNodePtr scopes[] = {v->cur ? v->cur->node : NULL, v->dialog,
			       xmlDocGetRootElement(v->doc),
			       v->root_doc ? xmlDocGetRootElement(v->root_doc) : NULL}; /* issue 14, JS */
	int best = 0;
	for (size_t s = 0; s < 4; s++) {
		if (!scopes[s] || (s > 0 && scopes[s] == scopes[s - 1]))
			continue;
		for (xmlNodePtr h = scopes[s]->children; h; h = h->next) {
			if (h->type != XML_ELEMENT_NODE || !catches(h, event))
				continue;
			bool ok = true; /* issue 14, JS */
			int rc = cond_ok(v, h, &ok, err);
			if (rc)
				return rc;
			if (!ok)
				continue;
			int count = 1;
			const char *c = tw_vxml_attr(h, "count");
			if (c) {
				char *end;
				long x = strtol(c, &end, 10);
				if (end == c || *end || x < 1)
					return tw_vxml_fail(v, err, h, "count=\"%s\" is not a count", c);
				count = (int)x;
			}
			if (count <= n && count > best) {
				best = count;
				*out = h;
			}
		}
		if (*out)
			return TW_OK;
	}
	return TW_OK;
}

/* The IVR ends the call (<exit>, <disconnect>, a form with nothing left to
 * do): the caller hears the line drop. */
static int hang_up(vxml *v, tw_error *err)
{
	v->left = v->unwind = true;
	int rc = tw_call_event_add(v->call, TW_EV_HANGUP, "ivr", 0);
	if (!rc)
		rc = tw_call_finish(v->call, TW_END_HANGUP, NULL);
	return rc ? tw_error_set(err, rc, "cannot record the hang-up") : TW_OK;
}

static int note(vxml *v, const char *text, tw_error *err)
{
	int rc = tw_call_event_add(v->call, TW_EV_NOTE, text, 0);
	return rc ? tw_error_set(err, rc, "cannot record a note") : TW_OK;
}

/*
 * Throws event (from origin, for messages) at the current item: counts
 * it, runs the handler that catches it or the platform's default, and
 * stops the content that threw it.
 */
static int throw_event(vxml *v, const char *event, xmlNodePtr origin, tw_error *err)
{
	if (v->depth >= VXML_MAX_EVENT_DEPTH)
		return tw_vxml_fail(v, err, origin, "event \"%s\" thrown %d times from its own handlers",
			    event, VXML_MAX_EVENT_DEPTH);
	int n = v->cur ? item_count(v->cur, event) : 1;
	if (n < 0)
		return tw_vxml_nomem(err);
	xmlNodePtr h;
	int rc = find_handler(v, event, n, &h, err);
	if (rc)
		return rc;
	v->depth++;
	if (h) {
		/* the next collect is silent unless the handler re-prompts */
		v->skip_prompts = true;
		rc = exec_children(v, h, err);
	} else if (strcmp(event, "noinput") == 0 || strcmp(event, "help") == 0 ||
		   strcmp(event, "maxspeechtimeout") == 0) {
		v->skip_prompts = false;
	} else if (strcmp(event, "nomatch") == 0) {
		/* A real platform says its own "sorry" here, in words techweek
		 * cannot know: the transcript says so, then the prompts again. */
		v->skip_prompts = false;
		rc = note(v, "nomatch with no <nomatch> handler: the platform's default message, then the prompt again",
			  err);
	} else if (strcmp(event, "cancel") == 0) {
		v->skip_prompts = true;
	} else if (strcmp(event, "exit") == 0 || handler_matches("connection.disconnect", event) ||
		   handler_matches("telephone.disconnect", event)) {
		rc = hang_up(v, err);
	} else {
		char d[160];
		tw_vxml_describe(v, origin, d, sizeof(d));
		rc = tw_vxml_fail(v, err, origin,
			  "%s threw \"%s\", which the document does not catch (a VoiceXML browser ends the call)",
			  d, event);
	}
	v->depth--;
	v->unwind = true;
	return rc;
}

/* ---- transitions ---- */

static xmlNodePtr dialog_by_id(vxml *v, const char *id)
{
	xmlNodePtr root = xmlDocGetRootElement(v->doc);
	for (xmlNodePtr c = root->children; c; c = c->next) {
		const char *cid = tw_vxml_attr(c, "id");
		if ((tw_vxml_is(c, "form") || tw_vxml_is(c, "menu")) && cid && strcmp(cid, id) == 0)
			return c;
	}
	return NULL;
}

/* Asks for ref; a fragment names the dialog to start the new document at
 * (kept here, since the fetch drops it). */
static int fetch(vxml *v, xmlNodePtr n, const char *ref, const char *method,
		 const tw_call_param *params, size_t count, tw_error *err)
{
	free(v->fragment);
	v->fragment = NULL;
	const char *hash = strchr(ref, '#');
	char *base = hash ? strndup(ref, (size_t)(hash - ref)) : strdup(ref);
	if (!base)
		return tw_vxml_nomem(err);
	if (hash && hash[1] && !(v->fragment = strdup(hash + 1))) {
		free(base);
		return tw_vxml_nomem(err);
	}
	v->left = v->unwind = true;
	int rc = tw_call_fetch(v->call, v->url, base, method, params, count, err);
	free(base);
	if (rc && rc != TW_ENOMEM && err && err->message) {
		/* say which element asked for it */
		char d[160], *msg = err->message;
		err->message = NULL;
		tw_vxml_describe(v, n, d, sizeof(d));
		tw_vxml_fail(v, err, n, "%s: %s", d, msg);
		err->code = rc;
		free(msg);
	}
	return rc;
}

/* goto/choice next: "#id" here, or another document. */
static int go(vxml *v, xmlNodePtr n, const char *next, tw_error *err)
{
	if (next[0] != '#')
		return fetch(v, n, next, "GET", NULL, 0, err);
	xmlNodePtr d = dialog_by_id(v, next + 1);
	if (!d) {
		char desc[160];
		tw_vxml_describe(v, n, desc, sizeof(desc));
		return tw_vxml_fail(v, err, n, "%s: no <form> or <menu> with id \"%s\" in the document", desc,
			    next + 1);
	}
	if (++v->transitions > VXML_MAX_TRANSITIONS) {
		char desc[160];
		tw_vxml_describe(v, n, desc, sizeof(desc));
		return tw_vxml_fail(v, err, n,
			    "goto loop: %d transitions between dialogs without input from the caller, the last by %s",
			    VXML_MAX_TRANSITIONS, desc);
	}
	v->next_dialog = d;
	v->unwind = true;
	return TW_OK;
}

/* An attribute that may come as a literal or as an ...expr twin. */
static int attr_or_expr(vxml *v, xmlNodePtr n, const char *name, const char *exprname, char **out,
			tw_error *err)
{
	*out = NULL;
	const char *plain = tw_vxml_attr(n, name);
	if (plain) {
		*out = strdup(plain);
		return *out ? TW_OK : tw_vxml_nomem(err);
	}
	const char *expr = exprname ? tw_vxml_attr(n, exprname) : NULL;
	return expr ? eval(v, n, exprname, expr, out, err) : TW_OK;
}

static int do_goto(vxml *v, xmlNodePtr n, tw_error *err)
{
	char *item, *next;
	int rc = attr_or_expr(v, n, "nextitem", "expritem", &item, err);
	if (rc)
		return rc;
	if (item) {
		vxml_item *it = item_named(v, item);
		if (!it)
			rc = tw_vxml_fail(v, err, n, "<goto nextitem=\"%s\">: no such item in this form", item);
		else
			v->next_item = it;
		v->unwind = true;
		free(item);
		return rc;
	}
	if ((rc = attr_or_expr(v, n, "next", "expr", &next, err)))
		return rc;
	if (!next)
		return tw_vxml_fail(v, err, n, "<goto> without next, expr or nextitem");
	rc = go(v, n, next, err);
	free(next);
	return rc;
}

static void params_free(tw_call_param *p, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(p[i].name);
		free(p[i].value);
	}
	free(p);
}

/* Names from a namelist; default: the form's named input items. */
static int namelist(vxml *v, const char *list, char ***out, size_t *count, tw_error *err)
{
	*out = NULL;
	*count = 0;
	size_t cap = (list ? strlen(list) / 2 + 1 : 0) + v->nitems;
	char **names = calloc(cap + 1, sizeof(*names));
	if (!names)
		return tw_vxml_nomem(err);
	if (list) {
		char *copy = strdup(list), *save = NULL;
		if (!copy) {
			free(names);
			return tw_vxml_nomem(err);
		}
		for (char *t = strtok_r(copy, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save))
			names[(*count)++] = strdup(t);
		free(copy);
	} else {
		for (size_t i = 0; i < v->nitems; i++)
			if (v->items[i].name && !tw_vxml_is(v->items[i].node, "block"))
				names[(*count)++] = strdup(v->items[i].name);
	}
	*out = names;
	for (size_t i = 0; i < *count; i++)
		if (!names[i])
			return tw_vxml_nomem(err);
	return TW_OK;
}

static void names_free(char **names, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

static int do_submit(vxml *v, xmlNodePtr n, tw_error *err)
{
	char *next = NULL, *method = NULL, **names = NULL;
	size_t count = 0;
	tw_call_param *params = NULL;
	int rc = attr_or_expr(v, n, "next", "expr", &next, err);
	if (!rc && !next)
		rc = tw_vxml_fail(v, err, n, "<submit> without next or expr");
	if (!rc)
		rc = attr_or_expr(v, n, "method", "methodexpr", &method, err);
	if (!rc && method) {
		for (char *p = method; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
			rc = tw_vxml_fail(v, err, n, "<submit method=\"%s\"> is neither get nor post", method);
	}
	if (!rc)
		rc = namelist(v, tw_vxml_attr(n, "namelist"), &names, &count, err);
	if (!rc && !(params = calloc(count + 1, sizeof(*params))))
		rc = tw_vxml_nomem(err);
	for (size_t i = 0; i < count && !rc; i++) {
		if (v->js_mode) { /* issue 14, JS */
			char *value = NULL;
			if (!(rc = js_eval(v, n, names[i], &value, err))) {
				params[i].name = strdup(names[i]);
				params[i].value = value ? value : strdup("");
				if (!params[i].name || !params[i].value)
					rc = tw_vxml_nomem(err);
			}
			continue;
		}
		vxml_var *var;
		rc = var_find(v, n, "namelist", names[i], &var, err);
		if (!rc && !var)
			rc = tw_vxml_fail(v, err, n, "<submit> sends %s, which is not declared", names[i]);
		if (rc)
			break;
		params[i].name = strdup(names[i]);
		params[i].value = strdup(var->value ? var->value : "");
		if (!params[i].name || !params[i].value)
			rc = tw_vxml_nomem(err);
	}
	if (!rc)
		rc = fetch(v, n, next, method ? method : "GET", params, count, err);
	params_free(params, params ? count : 0);
	names_free(names, count);
	free(next);
	free(method);
	return rc;
}

static int do_var(vxml *v, xmlNodePtr n, vxml_scope *scope, tw_error *err)
{
	const char *name = tw_vxml_attr(n, "name");
	if (!name || !*name)
		return tw_vxml_fail(v, err, n, "<var> without a name");
	if (v->js_mode) /* issue 14, JS */
		return js_var(v, n, js_scope(v, scope), name, tw_vxml_attr(n, "expr"), err);
	if (!ident(name) || strchr(name, '.') || strchr(name, '$'))
		return tw_vxml_needs_ecma(v, err, n, "name", name);
	char *value = NULL;
	const char *expr = tw_vxml_attr(n, "expr");
	int rc = expr ? eval(v, n, "expr", expr, &value, err) : TW_OK;
	if (!rc)
		rc = scope_set(scope, name, value, err);
	free(value);
	return rc;
}

static int do_assign(vxml *v, xmlNodePtr n, tw_error *err)
{
	const char *name = tw_vxml_attr(n, "name");
	const char *expr = tw_vxml_attr(n, "expr");
	if (!name || !expr)
		return tw_vxml_fail(v, err, n, "<assign> needs name and expr");
	if (v->js_mode) /* issue 14, JS */
		return js_assign(v, n, name, expr, err);
	vxml_var *var;
	char *value = NULL;
	int rc = var_find(v, n, "name", name, &var, err);
	if (!rc && !var)
		rc = tw_vxml_fail(v, err, n, "<assign name=\"%s\">: %s is not declared", name, name);
	if (!rc)
		rc = eval(v, n, "expr", expr, &value, err);
	if (!rc) {
		/* eval may have grown a scope: find the variable again */
		rc = var_find(v, n, "name", name, &var, err);
		if (!rc) {
			free(var->value);
			var->value = value;
			value = NULL;
		}
	}
	free(value);
	return rc;
}

static int do_clear(vxml *v, xmlNodePtr n, tw_error *err)
{
	const char *list = tw_vxml_attr(n, "namelist");
	if (!list) {
		/* every form item, blocks and anonymous ones too */
		for (size_t i = 0; i < v->nitems; i++) {
			vxml_item *it = &v->items[i];
			item_reset(it);
			int rc = v->js_mode && it->name /* issue 14, JS */
					 ? js_set(v, n, "dialog", it->name, NULL, err)
					 : TW_OK;
			if (rc)
				return rc;
			vxml_var *var = it->name ? scope_find(&v->dialog_vars, it->name) : NULL;
			if (var) {
				free(var->value);
				var->value = NULL;
			}
		}
		return TW_OK;
	}
	char **names;
	size_t count;
	int rc = namelist(v, list, &names, &count, err);
	for (size_t i = 0; i < count && !rc; i++) {
		vxml_var *var = NULL;
		if (v->js_mode) /* issue 14, JS */
			rc = js_assign(v, n, names[i], "undefined", err);
		else
			rc = var_find(v, n, "namelist", names[i], &var, err);
		if (!rc && !var && !v->js_mode)
			rc = tw_vxml_fail(v, err, n, "<clear> names %s, which is not declared", names[i]);
		if (rc)
			break;
		if (var) {
			free(var->value);
			var->value = NULL;
		}
		vxml_item *it = item_named(v, names[i]);
		if (it)
			item_reset(it);
	}
	names_free(names, count);
	return rc;
}

static int do_throw(vxml *v, xmlNodePtr n, tw_error *err)
{
	char *event;
	int rc = attr_or_expr(v, n, "event", "eventexpr", &event, err);
	if (rc)
		return rc;
	if (!event || tw_vxml_blank(event))
		rc = tw_vxml_fail(v, err, n, "<throw> without an event");
	else
		rc = throw_event(v, event, n, err);
	free(event);
	return rc;
}

/* ---- <if>, <log> (issue 14, JS) ---- */

static int exec_nodes(vxml *v, xmlNodePtr first, bool branch, tw_error *err);

/* The first branch whose cond holds (<else>: always) runs. */
static int do_if(vxml *v, xmlNodePtr n, tw_error *err)
{
	xmlNodePtr head = n, start = n->children;
	for (;;) {
		bool ok = true;
		if (!tw_vxml_is(head, "else")) {
			if (!tw_vxml_attr(head, "cond")) {
				char d[160];
				tw_vxml_describe(v, head, d, sizeof(d));
				return tw_vxml_fail(v, err, head, "%s without cond", d);
			}
			int rc = cond_ok(v, head, &ok, err);
			if (rc)
				return rc;
		}
		if (ok)
			return exec_nodes(v, start, true, err);
		xmlNodePtr c = start;
		while (c && !tw_vxml_is(c, "elseif") && !tw_vxml_is(c, "else"))
			c = c->next;
		if (!c)
			return TW_OK;
		head = c;
		start = c->next;
	}
}

/* <log>: for the service's developers, not the caller; the transcript
 * keeps it as a note ("log: ...", "log [label]: ..."). */
static int do_log(vxml *v, xmlNodePtr n, tw_error *err)
{
	tw_buf b;
	tw_buf_init(&b, VXML_MAX_UTTERANCE);
	int rc = TW_OK;
	for (xmlNodePtr c = n->children; c && !rc; c = c->next) {
		if (tw_vxml_is_text(c) && c->content) {
			tw_buf_puts(&b, (const char *)c->content);
		} else if (tw_vxml_is(c, "value") && tw_vxml_attr(c, "expr")) {
			char *val = NULL;
			if (!(rc = eval(v, c, "expr", tw_vxml_attr(c, "expr"), &val, err)))
				tw_buf_puts(&b, val ? val : "undefined");
			free(val);
		}
	}
	const char *expr = tw_vxml_attr(n, "expr");
	if (!rc && expr) {
		char *val = NULL;
		if (!(rc = eval(v, n, "expr", expr, &val, err))) {
			tw_buf_puts(&b, " ");
			tw_buf_puts(&b, val ? val : "undefined");
		}
		free(val);
	}
	if (!rc)
		rc = text_failed(&b, "log", err);
	char *text = rc ? NULL : tw_buf_steal(&b);
	tw_buf_free(&b);
	if (rc)
		return rc;
	if (!text)
		return tw_vxml_nomem(err);
	tw_vxml_squeeze(text);
	const char *label = tw_vxml_attr(n, "label");
	size_t len = strlen(text) + (label ? strlen(label) : 0) + 16;
	char *line = malloc(len);
	if (line) {
		if (label)
			snprintf(line, len, "log [%s]: %s", label, text);
		else
			snprintf(line, len, "log: %s", text);
		rc = note(v, line, err);
	} else {
		rc = tw_vxml_nomem(err);
	}
	free(line);
	free(text);
	return rc;
}

static int do_return(vxml *v, xmlNodePtr n, tw_error *err);

/* One element of executable content. */
static int exec_one(vxml *v, xmlNodePtr n, tw_error *err)
{
	if (tw_vxml_is(n, "var"))
		return do_var(v, n, &v->dialog_vars, err);
	if (tw_vxml_is(n, "assign"))
		return do_assign(v, n, err);
	if (tw_vxml_is(n, "clear"))
		return do_clear(v, n, err);
	if (tw_vxml_is(n, "reprompt")) {
		v->skip_prompts = false;
		return TW_OK;
	}
	if (tw_vxml_is(n, "goto"))
		return do_goto(v, n, err);
	if (tw_vxml_is(n, "submit"))
		return do_submit(v, n, err);
	if (tw_vxml_is(n, "exit") || tw_vxml_is(n, "disconnect"))
		return hang_up(v, err);
	if (tw_vxml_is(n, "throw"))
		return do_throw(v, n, err);
	if (tw_vxml_is(n, "log"))
		return do_log(v, n, err); /* issue 14, JS */
	if (tw_vxml_is(n, "if"))
		return do_if(v, n, err); /* issue 14, JS */
	if (tw_vxml_is(n, "script"))
		return js_script(v, n, "dialog", err); /* issue 14, JS */
	if (tw_vxml_is(n, "data") || tw_vxml_is(n, "foreach"))
		return tw_vxml_needs_ecma(v, err, n, "its result is an ECMAScript object", NULL);
	if (tw_vxml_is(n, "return"))
		return do_return(v, n, err); /* issue 14, JS */
	char d[160];
	tw_vxml_describe(v, n, d, sizeof(d));
	return tw_vxml_fail(v, err, n, "unknown element %s in executable content", d);
}

/* Executable content: a block, a filled, a handler. Text, <value> and
 * <audio> here are prompts; consecutive ones are one utterance. From
 * first on; in an <if>'s branch (branch), up to the next <elseif> or
 * <else>. */
/* issue 14, JS: the script error in err, thrown as error.semantic when
 * the document catches it (a note keeps the error's words); else err
 * stays and fails the call. */
static int semantic(vxml *v, xmlNodePtr n, tw_error *err)
{
	xmlNodePtr h = NULL;
	tw_error e = {0};
	if (find_handler(v, "error.semantic", INT_MAX, &h, &e) || !h) {
		tw_error_clear(&e);
		return TW_ESERVICE;
	}
	size_t len = strlen(err->message ? err->message : "") + 32;
	char *text = malloc(len);
	if (!text)
		return tw_vxml_nomem(err);
	snprintf(text, len, "error.semantic: %s", err->message ? err->message : "");
	tw_error_clear(err);
	int rc = note(v, text, err);
	free(text);
	return rc ? rc : throw_event(v, "error.semantic", n, err);
}

static int exec_nodes(vxml *v, xmlNodePtr first, bool branch, tw_error *err)
{
	tw_buf b;
	tw_buf_init(&b, VXML_MAX_UTTERANCE);
	int rc = TW_OK;
	for (xmlNodePtr c = first; c && !rc && !v->unwind && !v->left; c = c->next) {
		if (branch && (tw_vxml_is(c, "elseif") || tw_vxml_is(c, "else")))
			break;
		if (c->type == XML_ELEMENT_NODE && (rc = tw_call_at(v->call, c)))
			break;
		if (bare_prompt(c)) {
			rc = render(v, c, &b, err);
			continue;
		}
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (tw_vxml_is(c, "prompt")) {
			rc = play_prompt(v, c, &b, err);
			continue;
		}
		if (!(rc = flush(v, &b, err)))
			rc = exec_one(v, c, err);
		if (rc == TW_ESERVICE && v->js && tw_js_script_error(v->js))
			rc = semantic(v, c, err); /* issue 14, JS */
	}
	if (!rc)
		rc = flush(v, &b, err);
	tw_buf_free(&b);
	return rc;
}

static int exec_children(vxml *v, xmlNodePtr parent, tw_error *err)
{
	return exec_nodes(v, parent->children, false, err);
}

/* ---- the FIA ---- */

static bool form_item(xmlNodePtr n)
{
	return tw_vxml_is(n, "field") || tw_vxml_is(n, "block") || tw_vxml_is(n, "transfer") ||
	       tw_vxml_is(n, "record") || tw_vxml_is(n, "initial") || tw_vxml_is(n, "subdialog") ||
	       tw_vxml_is(n, "object");
}

static bool handler(xmlNodePtr n)
{
	return tw_vxml_is(n, "catch") || tw_vxml_is(n, "noinput") || tw_vxml_is(n, "nomatch") ||
	       tw_vxml_is(n, "help") || tw_vxml_is(n, "error");
}

/* Enters a dialog: fresh variables, counters and items. */
static int enter_dialog_items(vxml *v, xmlNodePtr d, tw_error *err);

static int enter_dialog(vxml *v, xmlNodePtr d, tw_error *err)
{
	int rc = enter_dialog_items(v, d, err);
	if (!rc && v->params_pending) { /* issue 14, JS: only the first dialog takes them */
		v->params_pending = false;
		rc = js_run(v, d, "$tw.params = null; undefined", NULL, NULL, err);
	}
	return rc;
}

static int enter_dialog_items(vxml *v, xmlNodePtr d, tw_error *err)
{
	items_free(v);
	scope_clear(&v->dialog_vars);
	tw_grammar_free(&v->grammar);
	v->dialog = d;
	v->skip_prompts = false;
	size_t n = 0;
	for (xmlNodePtr c = d->children; c; c = c->next)
		n += form_item(c);
	v->items = calloc(n + 1, sizeof(*v->items));
	if (!v->items)
		return tw_vxml_nomem(err);
	int jrc = v->js_mode ? js_run(v, d, "dialog = {}; undefined", NULL, NULL, err) : TW_OK;
	if (jrc) /* issue 14, JS: a fresh dialog scope */
		return jrc;
	if (tw_vxml_is(d, "menu")) {
		v->items[0].node = d;
		v->nitems = 1;
		for (xmlNodePtr c = d->children; c; c = c->next) {
			if (c->type != XML_ELEMENT_NODE || tw_vxml_is(c, "choice") || tw_vxml_is(c, "prompt") ||
			    tw_vxml_is(c, "property") || handler(c) || bare_prompt(c))
				continue;
			if (tw_vxml_is(c, "script")) { /* issue 14, JS */
				if ((jrc = js_script(v, c, "dialog", err)))
					return jrc;
				continue;
			}
			if (tw_vxml_is(c, "link")) /* issue 14, JS: see link_match */
				continue;
			char desc[160];
			tw_vxml_describe(v, c, desc, sizeof(desc));
			return tw_vxml_fail(v, err, c, "unknown element %s in <menu>", desc);
		}
		return TW_OK;
	}
	int rc = TW_OK;
	for (xmlNodePtr c = d->children; c && !rc; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (tw_vxml_is(c, "field") || tw_vxml_is(c, "block") || tw_vxml_is(c, "transfer") ||
		    tw_vxml_is(c, "subdialog") /* issue 14, JS */) {
			vxml_item *it = &v->items[v->nitems++];
			it->node = c;
			it->name = tw_vxml_attr(c, "name");
			if (it->name && v->js_mode && !js_name(it->name)) { /* issue 14, JS */
				char desc[160];
				tw_vxml_describe(v, c, desc, sizeof(desc));
				rc = tw_vxml_fail(v, err, c, "%s: its name is not an ECMAScript variable name",
						  desc);
			} else if (it->name && (!ident(it->name) || strchr(it->name, '.')))
				rc = tw_vxml_needs_ecma(v, err, c, "name", it->name);
			char *value = NULL;
			if (!rc && v->js_mode && it->name) /* issue 14, JS: typed */
				rc = js_var(v, c, "dialog", it->name, tw_vxml_attr(c, "expr"), err);
			else if (!rc && tw_vxml_attr(c, "expr"))
				rc = eval(v, c, "expr", tw_vxml_attr(c, "expr"), &value, err);
			if (!rc && it->name && !v->js_mode)
				rc = scope_set(&v->dialog_vars, it->name, value, err);
			else if (!rc && value)
				it->done = true;
			free(value);
		} else if (tw_vxml_is(c, "var")) {
			rc = do_var(v, c, &v->dialog_vars, err);
		} else if (tw_vxml_is(c, "script")) {
			rc = js_script(v, c, "dialog", err); /* issue 14, JS */
		} else if (tw_vxml_is(c, "initial") || tw_vxml_is(c, "grammar")) {
			rc = tw_vxml_unsupported(v, err, c,
					 "it fills one field at a time, not mixed-initiative forms");
		} else if (tw_vxml_is(c, "record")) {
			rc = tw_vxml_unsupported(v, err, c, "it does not record in VoiceXML forms");
		} else if (tw_vxml_is(c, "object")) {
			rc = tw_vxml_unsupported(v, err, c, "it has no platform objects");
		} else if (tw_vxml_is(c, "link")) {
			/* issue 14, JS: followed when input matches it (link_match) */
		} else if (tw_vxml_is(c, "data")) {
			rc = tw_vxml_needs_ecma(v, err, c, "its result is an ECMAScript object", NULL);
		} else if (!tw_vxml_is(c, "filled") && !tw_vxml_is(c, "property") && !handler(c)) {
			char desc[160];
			tw_vxml_describe(v, c, desc, sizeof(desc));
			rc = tw_vxml_fail(v, err, c, "unknown element %s in <form>", desc);
		}
	}
	return rc;
}

/* Is name among the form-level <filled>'s names? */
static bool in_namelist(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; *p;) {
		while (isspace((unsigned char)*p))
			p++;
		size_t m = strcspn(p, " \t\r\n");
		if (m == n && strncmp(p, name, n) == 0)
			return true;
		p += m;
	}
	return false;
}

/* Runs the <filled>s that it's new value triggers, in document order. */
static int run_filled(vxml *v, vxml_item *it, tw_error *err)
{
	int rc = TW_OK;
	for (xmlNodePtr c = v->dialog->children; c && !rc && !v->unwind && !v->left; c = c->next) {
		if (c == it->node) {
			for (xmlNodePtr f = c->children; f && !rc && !v->unwind && !v->left; f = f->next)
				if (tw_vxml_is(f, "filled"))
					rc = exec_children(v, f, err);
			continue;
		}
		if (!tw_vxml_is(c, "filled"))
			continue;
		const char *list = tw_vxml_attr(c, "namelist");
		const char *mode = tw_vxml_attr(c, "mode");
		bool any = mode && strcmp(mode, "any") == 0;
		if (mode && !any && strcmp(mode, "all") != 0)
			return tw_vxml_fail(v, err, c, "<filled mode=\"%s\"> is neither all nor any", mode);
		if (!it->name || (list && !in_namelist(list, it->name)))
			continue;
		bool all = true;
		for (size_t i = 0; i < v->nitems; i++) {
			vxml_item *o = &v->items[i];
			if (!o->name || tw_vxml_is(o->node, "block") || (list && !in_namelist(list, o->name)))
				continue;
			all = all && item_filled(v, o);
		}
		if (any || all)
			rc = exec_children(v, c, err);
	}
	return rc;
}

/* ---- subdialogs and links (issue 14, JS) ---- */

static void items_array_free(vxml_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < items[i].ncounts; j++)
			free(items[i].counts[j].event);
		free(items[i].counts);
	}
	free(items);
}

/* Frees what a returned subdialog left (see gone_doc). */
static void gone_free(vxml *v)
{
	items_array_free(v->gone_items, v->gone_nitems);
	v->gone_items = NULL;
	v->gone_nitems = 0;
	xmlFreeDoc(v->gone_doc);
	v->gone_doc = NULL;
	free(v->gone_url);
	v->gone_url = NULL;
}

static void frames_free(vxml *v)
{
	for (size_t i = 0; i < v->nframes; i++) {
		vxml_frame *f = &v->frames[i];
		items_array_free(f->items, f->nitems);
		xmlFreeDoc(f->doc);
		free(f->url);
		xmlFreeDoc(f->root_doc);
		free(f->root_url);
	}
	free(v->frames);
	v->frames = NULL;
	v->nframes = 0;
}

/* $tw.params or $tw.ret ("into") gets name = expr's value (value: a
 * literal string instead). */
static int js_collect(vxml *v, xmlNodePtr n, const char *into, const char *name, const char *expr,
		      const char *value, tw_error *err)
{
	char code[400];
	if (!js_name(name))
		return tw_vxml_fail(v, err, n, "\"%s\" is not a variable name", name);
	if (expr)
		snprintf(code, sizeof(code),
			 "$tw.v = undefined; " JS_CHAIN "{$tw.v = eval($tw_arg)} %s[\"%s\"] = $tw.v; undefined",
			 into, name);
	else
		snprintf(code, sizeof(code), "%s[\"%s\"] = $tw_arg; undefined", into, name);
	return js_run(v, n, code, expr ? expr : value ? value : "", NULL, err);
}

/* <subdialog src>: its <param>s evaluated here, the caller's context kept
 * (frames, and its scopes on the sandbox's stack), and the subdialog's
 * document fetched, to run in a context of its own until <return>. */
static int do_subdialog(vxml *v, vxml_item *it, tw_error *err)
{
	xmlNodePtr n = it->node;
	if (v->nframes >= VXML_MAX_SUBDIALOGS)
		return tw_vxml_fail(v, err, n, "more than %d subdialogs calling subdialogs",
				    VXML_MAX_SUBDIALOGS);
	char *src = NULL, *method = NULL, **names = NULL;
	size_t count = 0;
	tw_call_param *params = NULL;
	int rc = attr_or_expr(v, n, "src", "srcexpr", &src, err);
	if (!rc && !src)
		rc = tw_vxml_fail(v, err, n, "<subdialog> without src or srcexpr");
	if (!rc && src[0] == '#')
		rc = tw_vxml_unsupported(v, err, n,
					 "it runs subdialogs from other documents only, not a dialog of the same one");
	if (!rc)
		rc = js_run(v, n, "$tw.params = {}; undefined", NULL, NULL, err);
	for (xmlNodePtr c = n->children; c && !rc; c = c->next) {
		if (!tw_vxml_is(c, "param"))
			continue;
		const char *pn = tw_vxml_attr(c, "name");
		rc = pn ? js_collect(v, c, "$tw.params", pn, tw_vxml_attr(c, "expr"),
				     tw_vxml_attr(c, "value"), err)
			: tw_vxml_fail(v, err, c, "<param> without a name");
	}
	const char *list = tw_vxml_attr(n, "namelist");
	if (!rc && list)
		rc = namelist(v, list, &names, &count, err);
	if (!rc && !(params = calloc(count + 1, sizeof(*params))))
		rc = tw_vxml_nomem(err);
	for (size_t i = 0; i < count && !rc; i++) {
		char *value = NULL;
		if (!(rc = js_eval(v, n, names[i], &value, err))) {
			params[i].name = strdup(names[i]);
			params[i].value = value ? value : strdup("");
			if (!params[i].name || !params[i].value)
				rc = tw_vxml_nomem(err);
		}
	}
	if (!rc)
		rc = attr_or_expr(v, n, "method", "methodexpr", &method, err);
	if (!rc && method)
		for (char *p = method; *p; p++)
			*p = (char)toupper((unsigned char)*p);
	vxml_frame *grown = NULL;
	if (!rc && !(grown = realloc(v->frames, (v->nframes + 1) * sizeof(*v->frames))))
		rc = tw_vxml_nomem(err);
	if (grown)
		v->frames = grown;
	if (!rc)
		rc = js_run(v, n,
			    "$tw.stack.push({application: application, document: document, dialog: dialog});"
			    " undefined",
			    NULL, NULL, err);
	if (!rc)
		rc = fetch(v, n, src, method ? method : "GET", params, count, err);
	if (!rc) {
		v->frames[v->nframes++] = (vxml_frame){v->doc,      v->url,      v->dialog,
						      v->items,    v->nitems,   (size_t)(it - v->items),
						      v->root_doc, v->root_url};
		v->doc = NULL;
		v->url = NULL;
		v->dialog = NULL;
		v->items = NULL;
		v->nitems = 0;
		v->cur = v->waiting = v->next_item = NULL;
		v->root_doc = NULL;
		v->root_url = NULL;
		tw_grammar_free(&v->grammar);
		v->params_pending = true;
	}
	params_free(params, params ? count : 0);
	names_free(names, count);
	free(src);
	free(method);
	return rc;
}

/* <return>: the namelist's values (in the subdialog's context) become the
 * <subdialog> item's value, an object, in the caller's context, which
 * goes on with that item's <filled>; with event, the caller throws it. */
static int do_return(vxml *v, xmlNodePtr n, tw_error *err)
{
	if (!v->nframes)
		return tw_vxml_fail(v, err, n, "<return> outside a subdialog");
	char **names = NULL, *event = NULL;
	size_t count = 0;
	int rc = js_run(v, n, "$tw.ret = {}; undefined", NULL, NULL, err);
	const char *list = tw_vxml_attr(n, "namelist");
	if (!rc && list)
		rc = namelist(v, list, &names, &count, err);
	for (size_t i = 0; i < count && !rc; i++)
		rc = js_collect(v, n, "$tw.ret", names[i], names[i], NULL, err);
	names_free(names, count);
	if (!rc)
		rc = attr_or_expr(v, n, "event", "eventexpr", &event, err);
	if (rc) {
		free(event);
		return rc;
	}
	/* the subdialog's document stays until the code running it has
	 * unwound (gone_doc) */
	gone_free(v);
	v->gone_doc = v->doc;
	v->gone_url = v->url;
	v->gone_items = v->items;
	v->gone_nitems = v->nitems;
	tw_grammar_free(&v->grammar);
	xmlFreeDoc(v->root_doc);
	free(v->root_url);
	vxml_frame f = v->frames[--v->nframes];
	v->doc = f.doc;
	v->url = f.url;
	v->dialog = f.dialog;
	v->items = f.items;
	v->nitems = f.nitems;
	v->root_doc = f.root_doc;
	v->root_url = f.root_url;
	vxml_item *it = &v->items[f.item];
	v->cur = it;
	v->waiting = v->next_item = NULL;
	v->next_dialog = NULL;
	v->params_pending = false;
	rc = js_run(v, it->node,
		    "$tw.v = $tw.stack.pop(); application = $tw.v.application;"
		    " document = $tw.v.document; dialog = $tw.v.dialog; $tw.params = null; undefined",
		    NULL, NULL, err);
	v->unwind = v->left = false;
	if (!rc && event) {
		rc = throw_event(v, event, it->node, err);
	} else if (!rc) {
		if (it->name) {
			char code[300];
			snprintf(code, sizeof(code), "dialog[\"%s\"] = $tw.ret; undefined", it->name);
			rc = js_run(v, it->node, code, NULL, NULL, err);
		} else {
			it->done = true;
		}
		if (!rc)
			rc = run_filled(v, it, err);
	}
	free(event);
	v->unwind = true; /* the subdialog's content stops here */
	return rc;
}

/* Input the item's grammars did not match, against the <link>s in scope
 * (the item's, the dialog's, the document's, the application root's,
 * innermost first): a link's dtmf attribute or its grammars. *followed
 * when one matched: its next/expr is gone to, or its event/eventexpr
 * thrown. */
static int link_match(vxml *v, vxml_item *it, const tw_call_input *in, bool *followed,
		      tw_error *err)
{
	*followed = false;
	xmlNodePtr scopes[] = {it->node, v->dialog, xmlDocGetRootElement(v->doc),
			       v->root_doc ? xmlDocGetRootElement(v->root_doc) : NULL};
	for (size_t s = 0; s < 4; s++) {
		if (!scopes[s] || (s > 0 && scopes[s] == scopes[s - 1]))
			continue;
		for (xmlNodePtr l = scopes[s]->children; l; l = l->next) {
			if (!tw_vxml_is(l, "link"))
				continue;
			bool hit = false;
			const char *dtmf = tw_vxml_attr(l, "dtmf");
			if (in->kind == TW_INPUT_DTMF && dtmf && v->utterance)
				hit = strcmp(dtmf, v->utterance) == 0;
			bool has_grammar = false;
			for (xmlNodePtr g = l->children; g; g = g->next)
				has_grammar = has_grammar || tw_vxml_is(g, "grammar");
			if (!hit && has_grammar) {
				vxml_grammar g = {0};
				char *value = NULL;
				const vxml_alt *alt = NULL;
				int rc = tw_grammar_field(v, l, &g, err);
				if (!rc)
					rc = in->kind == TW_INPUT_DTMF
						     ? tw_grammar_match_dtmf(&g, v->utterance ? v->utterance : "",
									     &value, &alt)
						     : tw_grammar_match_speech(&g, in->speech ? in->speech : "",
									       &value, &alt);
				tw_grammar_free(&g);
				hit = value != NULL;
				free(value);
				if (rc)
					return rc == TW_ENOMEM ? tw_vxml_nomem(err) : rc;
			}
			if (!hit)
				continue;
			*followed = true;
			char *next = NULL;
			int rc = attr_or_expr(v, l, "next", "expr", &next, err);
			if (!rc && next) {
				rc = go(v, l, next, err);
			} else if (!rc) {
				char *event = NULL;
				rc = attr_or_expr(v, l, "event", "eventexpr", &event, err);
				if (!rc && event)
					rc = throw_event(v, event, l, err);
				else if (!rc)
					rc = tw_vxml_fail(v, err, l, "<link> without next, expr, event or eventexpr");
				free(event);
			}
			free(next);
			return rc;
		}
	}
	return TW_OK;
}

/* What to listen with: the grammar, the properties. */
static int listen(vxml *v, vxml_item *it, tw_error *err)
{
	tw_listen l = {0};
	const char *modes = property(v, it->node, "inputmodes");
	bool dtmf_mode = !modes || strstr(modes, "dtmf");
	bool voice_mode = !modes || strstr(modes, "voice");
	l.dtmf = dtmf_mode && tw_grammar_dtmf(&v->grammar);
	l.speech = voice_mode && tw_grammar_voice(&v->grammar);
	if (!l.dtmf && !l.speech) {
		char d[160];
		tw_vxml_describe(v, it->node, d, sizeof(d));
		return tw_vxml_fail(v, err, it->node, "%s accepts no input its grammars and inputmodes allow",
			    d);
	}
	l.timeout_s = VXML_DEFAULT_TIMEOUT;
	const char *t = property(v, it->node, "timeout");
	if (t && (l.timeout_s = parse_time(t)) < 0)
		return tw_vxml_fail(v, err, it->node, "the timeout property \"%s\" is not a time", t);
	const char *term = property(v, it->node, "termchar");
	l.finish_key = term ? term[0] : '#';
	if (term && l.finish_key && (!strchr("0123456789*#", l.finish_key) || term[1]))
		return tw_vxml_fail(v, err, it->node, "the termchar property \"%s\" is not one key", term);
	/* a key the grammar itself uses cannot also end the input */
	for (size_t i = 0; i < v->grammar.nalts && l.finish_key; i++)
		if (v->grammar.alts[i].dtmf && strchr(v->grammar.alts[i].dtmf, l.finish_key))
			l.finish_key = '\0';
	if (l.finish_key && tw_grammar_uses_key(&v->grammar, l.finish_key)) /* issue 14, SRGS */
		l.finish_key = '\0';
	l.num_digits = tw_grammar_fixed_keys(&v->grammar);
	v->waiting = it;
	v->listen = l;
	tw_call_listen(v->call, &l);
	v->left = true;
	return TW_OK;
}

/* Collects for a field or a menu: prompts (unless a catch without
 * <reprompt> just ran for it), then listen. */
static int collect(vxml *v, vxml_item *it, bool quiet, tw_error *err)
{
	tw_grammar_free(&v->grammar);
	int rc = tw_vxml_is(it->node, "menu") ? tw_grammar_menu(v, it->node, &v->grammar, err)
				      : tw_grammar_field(v, it->node, &v->grammar, err);
	if (rc)
		return rc;
	size_t from = tw_call_event_count(v->call);
	if (!quiet) {
		it->prompt_count++;
		if ((rc = play_item_prompts(v, it, err)))
			return rc;
	}
	/* its prompts ask; after a catch without <reprompt>, the catch's
	 * last words do */
	if (tw_call_ask(v->call, from))
		return tw_vxml_nomem(err);
	return listen(v, it, err);
}

static int transfer(vxml *v, vxml_item *it, bool quiet, tw_error *err)
{
	char *dest;
	int rc = attr_or_expr(v, it->node, "dest", "destexpr", &dest, err);
	if (rc)
		return rc;
	if (!dest) {
		char d[160];
		tw_vxml_describe(v, it->node, d, sizeof(d));
		return tw_vxml_fail(v, err, it->node, "%s without dest", d);
	}
	if (!quiet) {
		it->prompt_count++;
		rc = play_item_prompts(v, it, err);
	}
	const char *number = strncmp(dest, "tel:", 4) == 0 ? dest + 4 : dest;
	if (!rc && (rc = tw_call_transferred(v->call, number)))
		tw_error_set(err, rc, "cannot record the transfer");
	free(dest);
	if (rc)
		return rc;
	tw_call_hold(v->call);
	v->left = true;
	return TW_OK;
}

static int do_subdialog(vxml *v, vxml_item *it, tw_error *err);

/* The FIA's main loop, until the call listens, fetches, holds or ends. */
static int run(vxml *v, tw_error *err)
{
	int rc;
	for (;;) {
		if (v->left)
			return TW_OK;
		if (v->next_dialog) {
			xmlNodePtr d = v->next_dialog;
			v->next_dialog = NULL;
			if ((rc = enter_dialog(v, d, err)))
				return rc;
		}
		v->unwind = false;
		if (++v->iterations > VXML_MAX_ITERATIONS)
			return tw_vxml_fail(v, err, v->dialog,
				    "loop without input: %d rounds of the form interpretation algorithm without listening to the caller",
				    VXML_MAX_ITERATIONS);
		vxml_item *it = v->next_item;
		v->next_item = NULL;
		for (size_t i = 0; !it && i < v->nitems; i++) {
			vxml_item *c = &v->items[i];
			if (!tw_vxml_is(c->node, "menu") && item_filled(v, c))
				continue;
			bool ok = true; /* issue 14, JS */
			if ((rc = cond_ok(v, c->node, &ok, err)))
				return rc;
			if (ok)
				it = c;
		}
		if (!it) { /* nothing left to do: the document exits */
			tw_call_ran_out(v->call); /* issue 14, MATCH */
			return hang_up(v, err);
		}
		if ((rc = tw_call_at(v->call, it->node)))
			return rc;
		bool quiet = v->skip_prompts && it == v->cur;
		v->skip_prompts = false;
		v->cur = it;
		if (tw_vxml_is(it->node, "block")) {
			if (it->name && (rc = v->js_mode ? js_set(v, it->node, "dialog", it->name, "true", err)
							 : scope_set(&v->dialog_vars, it->name, "true", err)))
				return rc;
			it->done = true;
			if ((rc = exec_children(v, it->node, err)))
				return rc;
		} else if (tw_vxml_is(it->node, "transfer")) {
			return transfer(v, it, quiet, err);
		} else if (tw_vxml_is(it->node, "subdialog")) {
			return do_subdialog(v, it, err); /* issue 14, JS */
		} else {
			return collect(v, it, quiet, err);
		}
	}
}

/* issue 14, F2: do keys match a <link> in scope of it (complete), and
 * could a longer sequence match one (longer)? Innermost first, the scopes
 * link_match reads. A link grammar that cannot be read counts as longer:
 * link_match says what is wrong with it when it is tried. */
static void links_keys(vxml *v, vxml_item *it, const char *keys, bool *complete, bool *longer)
{
	xmlNodePtr scopes[] = {it->node, v->dialog, xmlDocGetRootElement(v->doc),
			       v->root_doc ? xmlDocGetRootElement(v->root_doc) : NULL};
	size_t len = strlen(keys);
	for (size_t s = 0; s < 4; s++) {
		if (!scopes[s] || (s > 0 && scopes[s] == scopes[s - 1]))
			continue;
		for (xmlNodePtr l = scopes[s]->children; l; l = l->next) {
			if (!tw_vxml_is(l, "link"))
				continue;
			const char *dtmf = tw_vxml_attr(l, "dtmf");
			if (dtmf) {
				*complete = *complete || strcmp(dtmf, keys) == 0;
				*longer = *longer || (strlen(dtmf) > len && strncmp(dtmf, keys, len) == 0);
			}
			bool has_grammar = false;
			for (xmlNodePtr g = l->children; g; g = g->next)
				has_grammar = has_grammar || tw_vxml_is(g, "grammar");
			if (!has_grammar)
				continue;
			vxml_grammar g = {0};
			tw_error e = {0};
			char *value = NULL;
			const vxml_alt *alt = NULL;
			if (tw_grammar_field(v, l, &g, &e) == TW_OK &&
			    tw_grammar_match_dtmf(&g, keys, &value, &alt) == TW_OK) {
				*complete = *complete || value;
				*longer = *longer || tw_grammar_dtmf_longer(&g, keys);
			} else {
				*longer = true;
			}
			free(value);
			tw_grammar_free(&g);
			tw_error_clear(&e);
		}
	}
}

/*
 * Keys as the platform collects them: up to the termchar or the number of
 * keys every match has; what follows is not heard (a note says so). w and
 * W are the caller pausing. Without a finishing key the platform waits the
 * inter-digit timeout out. *keys is malloc'd.
 */
static int gather_keys(vxml *v, vxml_item *it, const char *pressed, char **keys, tw_error *err)
{
	const tw_listen *l = &v->listen;
	size_t len = strlen(pressed);
	char *got = calloc(len + 1, 1), *dropped = calloc(len + 1, 1);
	if (!got || !dropped) {
		free(got);
		free(dropped);
		return tw_vxml_nomem(err);
	}
	size_t n = 0, d = 0;
	bool done = false;
	for (const char *k = pressed; *k; k++) {
		if (*k == 'w' || *k == 'W') {
			if (!done)
				tw_call_wait(v->call, *k == 'w' ? 0.5 : 1.0);
		} else if (done) {
			dropped[d++] = *k;
		} else if (l->finish_key && *k == l->finish_key) {
			done = true;
		} else {
			got[n++] = *k;
			done = l->num_digits > 0 && n == (size_t)l->num_digits;
		}
	}
	int rc = TW_OK;
	if (d) {
		char text[400], desc[160], q[41];
		tw_vxml_describe(v, it->node, desc, sizeof(desc));
		snprintf(text, sizeof(text),
			 "keys \"%s\" came after %s at line %ld had its input; the IVR never heard them",
			 tw_call_quote(v->call, dropped, q, sizeof(q)), desc, xmlGetLineNo(it->node));
		rc = note(v, text, err);
	}
	/* issue 14, F2: keys that match the field or a link and that no
	 * longer input could match end the input there (VoiceXML 2.0 6.3.3:
	 * termtimeout, 0 s unless set), as a platform does. */
	if (!rc && !done && n > 0) {
		char *value = NULL;
		const vxml_alt *alt = NULL;
		bool complete = tw_grammar_match_dtmf(&v->grammar, got, &value, &alt) == TW_OK && value;
		free(value);
		bool longer = tw_grammar_dtmf_longer(&v->grammar, got);
		links_keys(v, it, got, &complete, &longer);
		if (complete && !longer) {
			done = true;
			const char *tt = property(v, it->node, "termtimeout");
			double wait = tt ? parse_time(tt) : 0;
			if (wait > 0)
				tw_call_wait(v->call, wait);
		}
	}
	if (!rc && !done) {
		const char *idt = property(v, it->node, "interdigittimeout");
		double wait = idt ? parse_time(idt) : -1;
		/* issue 14, F2: the wait is the caller's time: say it */
		char text[160];
		snprintf(text, sizeof(text), "the IVR waited %.1f s for more keys (%s)",
			 wait >= 0 ? wait : l->timeout_s,
			 wait >= 0 ? "its interdigittimeout" : "its timeout: no interdigittimeout set");
		rc = note(v, text, err);
		tw_call_wait(v->call, wait >= 0 ? wait : l->timeout_s);
	}
	free(dropped);
	if (rc)
		free(got);
	else
		*keys = got;
	return rc;
}

static int vxml_input(void *self, tw_call *call, const tw_call_input *in, tw_error *err)
{
	vxml *v = self;
	v->call = call;
	v->iterations = v->transitions = 0;
	v->left = v->unwind = false;
	gone_free(v); /* issue 14, JS */
	if (in->kind == TW_INPUT_HANGUP)
		return TW_OK; /* the call ends as TW_END_CALLER */
	vxml_item *it = v->waiting;
	v->waiting = NULL;
	if (!it || !v->doc)
		return tw_error_set(err, TW_EINTERNAL, "VoiceXML input while not listening");
	v->cur = it;
	char *value = NULL;
	const vxml_alt *alt = NULL;
	int rc = tw_call_at(call, it->node);
	if (rc)
		return rc;
	if (in->kind == TW_INPUT_SILENCE) {
		tw_call_wait(call, v->listen.timeout_s);
		rc = throw_event(v, "noinput", it->node, err);
		return rc ? rc : run(v, err);
	}
	if (in->kind == TW_INPUT_DTMF) {
		char *keys = NULL;
		if ((rc = gather_keys(v, it, in->digits ? in->digits : "", &keys, err)))
			return rc;
		/* a termchar alone is input that no grammar matches */
		rc = tw_grammar_match_dtmf(&v->grammar, keys, &value, &alt);
		free(v->utterance); /* issue 14, JS */
		v->utterance = keys;
	} else {
		double level = 0.5;
		const char *cl = property(v, it->node, "confidencelevel");
		if (cl)
			level = atof(cl);
		if (in->confidence >= level)
			rc = tw_grammar_match_speech(&v->grammar, in->speech ? in->speech : "", &value, &alt);
	}
	if (rc == TW_ELIMIT) /* issue 14, SRGS */
		return tw_vxml_unsupported(v, err, it->node,
					   "its SRGS grammar is too ambiguous (or too recursive) to "
					   "match the caller's input within techweek's step budget");
	if (rc)
		return tw_vxml_nomem(err);
	if (!value) {
		bool followed = false; /* issue 14, JS: a <link> in scope */
		if (in->kind == TW_INPUT_SPEECH || in->kind == TW_INPUT_DTMF)
			rc = link_match(v, it, in, &followed, err);
		if (!rc && !followed)
			rc = throw_event(v, "nomatch", it->node, err);
		return rc ? rc : run(v, err);
	}
	if (tw_vxml_is(it->node, "menu")) {
		if (v->js_mode) /* issue 14, JS */
			rc = js_shadow(v, it->node, NULL, in, value, err);
		free(value);
		if (rc)
			return rc;
		xmlNodePtr choice = alt->node;
		char *next;
		if ((rc = attr_or_expr(v, choice, "next", "expr", &next, err)))
			return rc;
		if (next) {
			rc = go(v, choice, next, err);
			free(next);
		} else if (tw_vxml_attr(choice, "event") || tw_vxml_attr(choice, "eventexpr")) {
			char *event;
			if (!(rc = attr_or_expr(v, choice, "event", "eventexpr", &event, err)))
				rc = throw_event(v, event ? event : "", choice, err);
			free(event);
		} else {
			rc = tw_vxml_fail(v, err, choice, "<choice> without next, expr or event");
		}
		return rc ? rc : run(v, err);
	}
	if (v->js_mode) { /* issue 14, JS */
		if (it->name)
			rc = js_set(v, it->node, "dialog", it->name, value, err);
		if (!rc)
			rc = js_shadow(v, it->node, it->name, in, value, err);
		if (!it->name)
			it->done = true;
	} else if (it->name)
		rc = scope_set(&v->dialog_vars, it->name, value, err);
	else
		it->done = true;
	free(value);
	if (!rc)
		rc = run_filled(v, it, err);
	return rc ? rc : run(v, err);
}

/* ---- the dialect ---- */

static void *vxml_create(tw_call *call)
{
	vxml *v = calloc(1, sizeof(*v));
	if (v)
		v->call = call;
	return v;
}

static void vxml_unload(vxml *v)
{
	items_free(v);
	tw_grammar_free(&v->grammar);
	scope_clear(&v->dialog_vars);
	scope_clear(&v->doc_vars);
	xmlFreeDoc(v->doc);
	v->doc = NULL;
	free(v->url);
	v->url = NULL;
	v->dialog = v->next_dialog = NULL;
}

static void vxml_destroy(void *self)
{
	vxml *v = self;
	if (!v)
		return;
	vxml_unload(v);
	free(v->fragment);
	gone_free(v);
	frames_free(v);
	tw_js_free(v->js); /* issue 14, JS: kills and reaps the sandbox */
	xmlFreeDoc(v->root_doc);
	free(v->root_url);
	free(v->utterance);
	free(v);
}

/* issue 14, JS: the application root document app names (NULL: none),
 * fetched before the document ran. The same root as the last document's
 * keeps the application scope; another (or none) starts it afresh, with
 * the root's <var>s and <script>s run in it. A root that could not be
 * fetched or is not VoiceXML is the IVR's fault (error.badfetch). */
static int load_root(vxml *v, xmlNodePtr leaf, const char *app, tw_error *err)
{
	char *url = app ? resolve(v, app) : NULL;
	if (app && !url)
		return tw_vxml_nomem(err);
	if (url && v->root_url && strcmp(url, v->root_url) == 0) {
		free(url);
		return TW_OK;
	}
	xmlFreeDoc(v->root_doc);
	v->root_doc = NULL;
	free(v->root_url);
	v->root_url = url;
	int rc = js_run(v, leaf, "application = {}; undefined", NULL, NULL, err);
	if (rc || !url)
		return rc;
	const char *body = NULL;
	size_t len = 0;
	tw_error e = {0};
	rc = tw_call_resource(v->call, v->url, app, &body, &len, NULL, &e);
	if (rc == TW_ESERVICE)
		rc = tw_vxml_fail(v, err, leaf, "<vxml application=\"%s\">: %s", app,
				  e.message ? e.message : "not fetched");
	else if (rc)
		rc = limit(v, err, leaf, "techweek cannot follow <vxml application=\"%s\">: %s", app,
			   e.message ? e.message : "not fetched");
	tw_error_clear(&e);
	if (rc)
		return rc;
	v->root_doc = tw_call_parse_xml(body, len, url, NULL, 0); /* issue 14, F3 */
	xmlNodePtr r = xmlDocGetRootElement(v->root_doc);
	if (!tw_vxml_is(r, "vxml"))
		return tw_vxml_fail(v, err, leaf,
				    "<vxml application=\"%s\">: the application root is not a VoiceXML document",
				    app);
	/* the root's own elements: messages name the root's URL */
	char *leaf_url = v->url;
	v->url = v->root_url;
	for (xmlNodePtr c = r->children; c && !rc; c = c->next) {
		if (tw_vxml_is(c, "var")) {
			const char *name = tw_vxml_attr(c, "name");
			rc = name ? js_var(v, c, "application", name, tw_vxml_attr(c, "expr"), err)
				  : tw_vxml_fail(v, err, c, "<var> without a name");
		} else if (tw_vxml_is(c, "script")) {
			rc = js_script(v, c, "application", err);
		}
	}
	v->url = leaf_url;
	return rc;
}

static int vxml_load(void *self, tw_call *call, xmlDocPtr doc, const char *url, tw_error *err)
{
	vxml *v = self;
	gone_free(v); /* issue 14, JS */
	vxml_unload(v);
	v->call = call;
	v->doc = doc;
	v->url = strdup(url ? url : "");
	v->left = v->unwind = false;
	if (!v->url)
		return tw_vxml_nomem(err);
	char *fragment = v->fragment;
	v->fragment = NULL;
	xmlNodePtr root = xmlDocGetRootElement(doc);
	int rc = TW_OK;
	if (!tw_vxml_is(root, "vxml"))
		rc = tw_vxml_fail(v, err, root, "the document's root is not <vxml>");
	/* issue 14, JS: an application root's variables are ECMAScript's */
	const char *app = !rc ? tw_vxml_attr(root, "application") : NULL;
	v->js_mode = !rc && (v->js || app || vxml_needs_js(root));
	if (v->js_mode && !rc)
		rc = js_run(v, root, "document = {}; dialog = {}; undefined", NULL, NULL, err);
	if (v->js_mode && !rc)
		rc = load_root(v, root, app, err);
	xmlNodePtr first = NULL;
	for (xmlNodePtr c = root ? root->children : NULL; c && !rc; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (tw_vxml_is(c, "var"))
			rc = do_var(v, c, &v->doc_vars, err);
		else if (tw_vxml_is(c, "script"))
			rc = js_script(v, c, "document", err); /* issue 14, JS */
		else if (tw_vxml_is(c, "form") || tw_vxml_is(c, "menu"))
			first = first ? first : c;
		else if (tw_vxml_is(c, "link"))
			; /* issue 14, JS: followed when input matches it (link_match) */
		else if (tw_vxml_is(c, "data"))
			rc = tw_vxml_needs_ecma(v, err, c, "its result is an ECMAScript object", NULL);
		else if (!tw_vxml_is(c, "property") && !tw_vxml_is(c, "meta") && !tw_vxml_is(c, "metadata") &&
			 !handler(c)) {
			char d[160];
			tw_vxml_describe(v, c, d, sizeof(d));
			rc = tw_vxml_fail(v, err, c, "unknown element %s in <vxml>", d);
		}
	}
	if (!rc && fragment) {
		first = dialog_by_id(v, fragment);
		if (!first)
			rc = tw_vxml_fail(v, err, root, "no <form> or <menu> with id \"%s\" in the document",
				  fragment);
	}
	if (!rc && !first)
		rc = tw_vxml_fail(v, err, root, "the document has no <form> or <menu>");
	free(fragment);
	if (rc)
		return rc;
	v->next_dialog = first;
	return run(v, err);
}

const tw_dialect tw_vxml_dialect = {
	.name = "VoiceXML",
	.root = "vxml",
	.create = vxml_create,
	.load = vxml_load,
	.input = vxml_input,
	.destroy = vxml_destroy,
	.resources = tw_vxml_resources, /* issue 14, AUDIO */
};

/* ---- issue 14, SRGS ---- */

tw_call *tw_vxml_call(vxml *v)
{
	return v->call;
}
