/*
 * Expectations: `expect SUBJECT [ARGS] [OP VALUE]` and what follows `hear`.
 * A subject says what to read from the response or the call (status,
 * header, text, xpath, json, transfer, ...), an operator how to compare,
 * a value what with; the checker (check.c) then judges whether the
 * combination makes sense for the step it follows.
 */
#include "language/parser_internal.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const subject_words[] = {
	"status", "header", "text", "body", "title", "url", "xpath", "json", "cookie", "time",
	"transfer", "recording", "rejected", "hangup",
	/* issue 12, capability 6 (preds) */
	"var",
	/* capability 9 (filters stream) */
	"bytes", "sha256", "md5",
	/* issue 12, redirects */
	"redirects", "hop",
	/* transport (issue 12, capabilities 8 and 11) */
	"set-cookie", "version", "certificate",
};


/* issue 14, MATCH: the operators a count takes. */
static bool relational_or_eq(tw_op op)
{
	return op == TW_OP_EQ || op == TW_OP_NE || op == TW_OP_LT || op == TW_OP_LE ||
	       op == TW_OP_GT || op == TW_OP_GE;
}

static bool op_word(const tw_token *tok, tw_op *op)
{
	static const struct {
		const char *w;
		tw_op op;
	} ops[] = {
		{"==", TW_OP_EQ}, {"!=", TW_OP_NE}, {"<", TW_OP_LT},
		{"<=", TW_OP_LE}, {">", TW_OP_GT},  {">=", TW_OP_GE},
		{"contains", TW_OP_CONTAINS}, {"~", TW_OP_MATCHES},
		{"exists", TW_OP_EXISTS}, {"not", TW_OP_NOT_EXISTS},
		{"starts", TW_OP_STARTS_WITH}, {"ends", TW_OP_ENDS_WITH},
		{"in", TW_OP_IN}, {"is", TW_OP_IS},
	};
	if (tok->kind != TW_TOK_WORD)
		return false;
	for (size_t i = 0; i < COUNT(ops); i++) {
		if (strcmp(tok->text, ops[i].w) == 0) {
			*op = ops[i].op;
			return true;
		}
	}
	return false;
}

#define OPS_LIST                                                                         \
	"==, !=, <, <=, >, >=, contains, ~, exists, starts with, ends with, in, is, or not " \
	"before one of them"
#define OPS_AFTER_NOT \
	"==, !=, <, <=, >, >=, contains, ~, exists, starts with, ends with, in or is"

/* What `is` checks: the subject's JSON type, or its text's shape. */
static const char *const type_words[] = {
	"string", "integer", "number", "boolean", "list", "object",
	"null",   "empty",   "date",   "uuid",
};
#define TYPES_LIST "string, integer, number, boolean, list, object, null, empty, date or uuid"

static bool relational(tw_op op)
{
	return op == TW_OP_LT || op == TW_OP_LE || op == TW_OP_GT || op == TW_OP_GE;
}

/* Reads `[not] OPERATOR`; when the next word is not an operator and
 * required is false, *op is left alone (the subject's default). `not
 * exists` stays its own operator; `not` before any other sets *negate. */
static int parse_op(parser *p, bool required, tw_op *op, int *op_col, bool *written,
		    bool *negate)
{
	tw_token tok;
	int rc = tw_parse_peek(p, &tok);
	if (rc)
		return rc;
	*op_col = tok.col;
	*negate = false;
	if (tw_parse_is_word(&tok, "not")) {
		if ((rc = tw_parse_next(p, &tok)) || (rc = tw_parse_peek(p, &tok)))
			return rc;
		if (tw_parse_is_word(&tok, "exists")) {
			*op = TW_OP_NOT_EXISTS;
			*written = true;
			return tw_parse_next(p, &tok);
		}
		if (tw_parse_is_word(&tok, "not"))
			return tw_parse_err(p, tok.col, "'not' twice: say it once, or not at all");
		*negate = true;
	}
	tw_op found;
	*written = op_word(&tok, &found) && found != TW_OP_NOT_EXISTS;
	if (*written) {
		*op = found;
		/* The peeked word again: only out of memory can stop it. */
		if ((rc = tw_parse_next(p, &tok)))
			return rc;
		if (found == TW_OP_STARTS_WITH || found == TW_OP_ENDS_WITH) {
			const char *w = found == TW_OP_STARTS_WITH ? "starts" : "ends";
			if ((rc = tw_parse_next(p, &tok)))
				return rc;
			if (!tw_parse_is_word(&tok, "with"))
				return tw_parse_err(p, tok.col,
						    "expected 'with' after '%s', like %s with \"x\"",
						    w, w);
		}
		return TW_OK;
	}
	if (tw_parse_is_word(&tok, "="))
		return tw_parse_err(p, tok.col,
				    "expected an operator (" OPS_LIST "): equality is '=='");
	if (required || (*negate && tok.kind == TW_TOK_END))
		return tw_parse_err(p, tok.col, "expected an operator%s (%s)%s%s%s",
				    *negate ? " after 'not'" : "", *negate ? OPS_AFTER_NOT : OPS_LIST,
				    tok.kind == TW_TOK_END ? "" : ", found '",
				    tok.kind == TW_TOK_END ? "" : tw_parse_shown(p, &tok),
				    tok.kind == TW_TOK_END ? "" : "'");
	return TW_OK;
}

/* `[1, 2, "a"]`: the list is JSON (jansson reads it), its values strings
 * (templates), numbers, true, false or null. */
static int parse_list(parser *p, tw_value *v)
{
	tw_lexer *lx = &p->lx;
	while (lx->pos < lx->len && (lx->line[lx->pos] == ' ' || lx->line[lx->pos] == '\t'))
		lx->pos++;
	int col = (int)lx->pos + 1;
	v->loc = tw_parse_loc(p, col);
	if (lx->pos >= lx->len || lx->line[lx->pos] != '[')
		return tw_parse_err(p, col, "expected a list after 'in', like in [200, 201] or "
					    "in [\"cold\", \"baking\"]");
	/* An unquoted template, {{n}}, becomes the JSON string "{n}" of the
	 * same length (so jansson's positions stay the line's), its item
	 * marked to be typed by what it expands to, as elsewhere. */
	size_t rest = lx->len - lx->pos;
	char *text = tw_arena_strndup(p->arena, lx->line + lx->pos, rest);
	size_t commas = 0;
	for (size_t i = 0; text && i < rest; i++)
		commas += text[i] == ',';
	bool *bare = text ? tw_arena_alloc(p->arena, (commas + 1) * sizeof(*bare)) : NULL;
	if (!bare)
		return tw_parse_oom(p);
	memset(bare, 0, (commas + 1) * sizeof(*bare));
	size_t item = 0;
	bool in_string = false;
	for (size_t i = 0; i < rest; i++) {
		char c = text[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == ',') {
			item++;
		} else if (c == ']') {
			break;
		} else if (c == '{' && i + 1 < rest && text[i + 1] == '{') {
			const char *close = strstr(text + i + 2, "}}");
			size_t end = close ? (size_t)(close - text) + 2 : 0;
			if (!close || memchr(text + i, '"', end - i) || memchr(text + i, '\\', end - i))
				break; /* jansson says what is wrong */
			text[i] = '"';
			text[end - 1] = '"';
			bare[item] = true;
			i = end - 1;
		}
	}
	json_error_t jerr;
	json_t *list = json_loadb(text, rest, JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY, &jerr);
	if (!list)
		return tw_parse_err(p, col + jerr.position > col ? col + jerr.position - 1 : col,
				    "the list after 'in' does not read as JSON: %s (write it like "
				    "[1, 2, \"a\"])",
				    jerr.text);
	size_t n = json_array_size(list);
	v->kind = TW_VAL_LIST;
	v->text = tw_arena_strndup(p->arena, lx->line + lx->pos, (size_t)jerr.position);
	v->items = n ? tw_arena_alloc(p->arena, n * sizeof(*v->items)) : NULL;
	if (!v->text || (n && !v->items)) {
		json_decref(list);
		return tw_parse_oom(p);
	}
	if (n == 0) {
		json_decref(list);
		return tw_parse_err(p, col, "the list after 'in' is empty: nothing could be in it");
	}
	for (size_t i = 0; i < n; i++) {
		json_t *j = json_array_get(list, i);
		tw_value *it = &v->items[i];
		*it = (tw_value){.loc = v->loc};
		char buf[64];
		if (json_is_string(j) && i <= commas && bare[i]) {
			it->kind = TW_VAL_TEMPLATE;
			it->text = tw_arena_printf(p->arena, "{%s}", json_string_value(j));
		} else if (json_is_string(j)) {
			it->kind = TW_VAL_STRING;
			it->text = tw_arena_strndup(p->arena, json_string_value(j),
						    json_string_length(j));
		} else if (json_is_number(j)) {
			it->kind = TW_VAL_NUMBER;
			it->number = json_number_value(j);
			if (json_is_integer(j)) /* every digit: 64-bit ids compare exactly */
				snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
					 json_integer_value(j));
			else
				snprintf(buf, sizeof(buf), "%.17g", it->number);
			it->text = tw_arena_strdup(p->arena, buf);
		} else if (json_is_boolean(j)) {
			it->kind = TW_VAL_BOOL;
			it->boolean = json_is_true(j);
			it->text = tw_arena_strdup(p->arena, it->boolean ? "true" : "false");
		} else if (json_is_null(j)) {
			it->kind = TW_VAL_NULL;
			it->text = tw_arena_strdup(p->arena, "null");
		} else {
			const char *what = json_is_array(j) ? "lists" : "objects";
			json_decref(list);
			return tw_parse_err(p, col,
					    "a list after 'in' holds strings, numbers, true, false "
					    "and null, not %s",
					    what);
		}
		if (!it->text) {
			json_decref(list);
			return tw_parse_oom(p);
		}
	}
	v->item_count = n;
	json_decref(list);
	lx->pos += (size_t)jerr.position;
	lx->last_end = lx->pos;
	return TW_OK;
}

/* The value after an operator. */
static int parse_value(parser *p, tw_op op, const char *after, tw_value *v)
{
	if (op == TW_OP_IN)
		return parse_list(p, v);
	tw_token tok;
	int rc = tw_parse_next(p, &tok);
	if (rc)
		return rc;
	v->loc = tw_parse_loc(p, tok.col);
	if (op == TW_OP_MATCHES) {
		if (tok.kind != TW_TOK_REGEX)
			return tw_parse_err(
				p, tok.col,
				"expected a regular expression after '~', like /Order #(\\d+)/");
		if (tok.text[0] == '\0')
			return tw_parse_err(
				p, tok.col,
				"empty regular expression: expected a pattern between the "
				"slashes");
		v->kind = TW_VAL_REGEX;
		v->text = tok.text;
		v->flags = tw_arena_strdup(p->arena, tok.flags);
		return v->flags ? TW_OK : tw_parse_oom(p);
	}
	if (tok.kind == TW_TOK_END)
		return tw_parse_err(p, tok.col, "expected a value after '%s'", after);
	v->text = tok.text;
	if (op == TW_OP_IS) {
		for (size_t i = 0; i < COUNT(type_words); i++)
			if (tok.kind == TW_TOK_WORD && strcmp(tok.text, type_words[i]) == 0) {
				v->kind = TW_VAL_TYPE;
				return TW_OK;
			}
		if (tw_parse_is_word(&tok, "not"))
			return tw_parse_err(p, tok.col,
					    "'not' goes before the predicate: not is TYPE");
		return tw_parse_err(p, tok.col, "unknown type '%s' after 'is': expected " TYPES_LIST,
				    tw_parse_shown(p, &tok));
	}
	if (tok.kind == TW_TOK_STRING) {
		v->kind = TW_VAL_STRING;
		return TW_OK;
	}
	/* Unquoted, a template takes the type its expanded text reads as. */
	if (strstr(tok.text, "{{")) {
		v->kind = TW_VAL_TEMPLATE;
		return TW_OK;
	}
	/* Text to look for or to start or end with is text as written:
	 * `expect text 8.50` seeks "8.50", and 48h is three characters, not
	 * a duration too long. contains keeps numbers, true, false and null
	 * typed, for a JSON list's elements; its text stays as written. */
	bool text_op = op == TW_OP_CONTAINS || op == TW_OP_STARTS_WITH || op == TW_OP_ENDS_WITH;
	if (text_op && tw_parse_duration(tok.text, &(double){0}) != DUR_NOT) {
		v->kind = TW_VAL_STRING;
		return TW_OK;
	}
	double d;
	if (tw_parse_number(tok.text, &d)) {
		v->kind = TW_VAL_NUMBER;
		v->number = d;
	} else if (strcmp(tok.text, "true") == 0 || strcmp(tok.text, "false") == 0) {
		v->kind = TW_VAL_BOOL;
		v->boolean = tok.text[0] == 't';
	} else if (strcmp(tok.text, "null") == 0) {
		v->kind = TW_VAL_NULL;
	} else {
		switch (tw_parse_duration(tok.text, &d)) {
		case DUR_OK:
			v->kind = TW_VAL_DURATION;
			v->number = d;
			break;
		case DUR_TOO_LONG:
			return tw_parse_err(p, tok.col,
					    "duration '%s' is too long: at most 24 hours",
					    tw_parse_shown(p, &tok));
		default:
			v->kind = TW_VAL_STRING;
		}
	}
	return TW_OK;
}

/* Subjects about the call rather than the last response. */
static bool call_subject(tw_subject s)
{
	return s == TW_SUBJ_TRANSFER || s == TW_SUBJ_RECORDING || s == TW_SUBJ_REJECTED ||
	       s == TW_SUBJ_HANGUP;
}

/* The call was recorded, or hung up by the IVR, or not: nothing to compare
 * and nothing to keep. */
static bool valueless_subject(tw_subject s)
{
	return s == TW_SUBJ_RECORDING || s == TW_SUBJ_HANGUP;
}

/* The value of a phone expectation: words, compared as text whatever they
 * look like (a transfer to 5550100 is a number to dial, not 5550100.0). */
static int text_value(parser *p, tw_op op, const char *after, bool hear, tw_value *v)
{
	if (op == TW_OP_MATCHES)
		return parse_value(p, op, after, v);
	tw_token tok;
	int rc = tw_parse_next(p, &tok);
	if (rc)
		return rc;
	v->loc = tw_parse_loc(p, tok.col);
	if (tok.kind == TW_TOK_END)
		return hear ? tw_parse_err(
				      p, tok.col,
				      "expected the words to hear after '%s', like hear \"Welcome\"",
				      after)
			    : tw_parse_err(p, tok.col, "expected a value after '%s'", after);
	if (hear && tok.text[0] == '\0')
		return tw_parse_err(
			p, tok.col,
			"the words to hear are empty: expected some text between the quotes");
	v->kind = TW_VAL_STRING;
	v->text = tok.text;
	return TW_OK;
}

/* What follows the subject (and its argument): [op] [value] [as NAME].
 * subject is the subject as written, for messages ("status", "hear"). */
int tw_parse_expectation_rest(parser *p, tw_expect *e, const char *subject)
{
	bool hear = e->subject == TW_SUBJ_PROMPT;
	bool call = call_subject(e->subject);
	int rc;

	/* The operator: required where there is no sensible default. */
	bool required = e->subject == TW_SUBJ_HEADER || e->subject == TW_SUBJ_COOKIE ||
			e->subject == TW_SUBJ_SET_COOKIE ||
			e->subject == TW_SUBJ_XPATH || e->subject == TW_SUBJ_JSON ||
			e->subject == TW_SUBJ_TIME || e->subject == TW_SUBJ_VAR;
	if (e->subject == TW_SUBJ_TEXT || e->subject == TW_SUBJ_BODY || hear) {
		e->op = TW_OP_CONTAINS;
	} else if (call) {
		/* `expect transfer` alone asks whether it happened; with a value,
		 * where to. */
		tw_token t;
		if ((rc = tw_parse_peek(p, &t)))
			return rc;
		e->op = t.kind == TW_TOK_END || tw_parse_is_word(&t, "as") ? TW_OP_EXISTS
									   : TW_OP_EQ;
	} else {
		e->op = TW_OP_EQ;
	}
	int op_col;
	bool written = false;
	if ((rc = parse_op(p, required, &e->op, &op_col, &written, &e->negate)))
		return rc;
	if (e->negate && call && !written)
		e->op = TW_OP_EQ;

	/* What the operator may be used with. */
	const char *op = tw_op_str(e->op);
	const char *after = written ? op : subject;
	bool text_op = e->op == TW_OP_CONTAINS || e->op == TW_OP_MATCHES ||
		       e->op == TW_OP_STARTS_WITH || e->op == TW_OP_ENDS_WITH;
	if (hear && e->op != TW_OP_EQ && !text_op)
		return tw_parse_err(
			p, op_col,
			"'%s' does not apply to 'hear': expected ==, contains, ~, starts with "
			"or ends with and the words to hear (no operator means contains)",
			op);
	if (valueless_subject(e->subject) && e->op != TW_OP_EXISTS && e->op != TW_OP_NOT_EXISTS)
		return tw_parse_err(
			p, op_col,
			"'expect %s' takes no value: expected exists, not exists or the end "
			"of the line",
			subject);
	if (call && (relational(e->op) || e->op == TW_OP_IS))
		return tw_parse_err(
			p, op_col,
			"'%s' does not apply to 'expect %s': expected ==, !=, contains, ~, "
			"starts with, ends with, in, exists or not exists",
			op, subject);
	if (e->op == TW_OP_EXISTS || e->op == TW_OP_NOT_EXISTS) {
		if (e->count)
			return tw_parse_err(
				p, op_col,
				"'%s' does not apply to a count: expected ==, !=, <, <=, >, >=, "
				"in or is",
				op);
		/* text, body, title and url: there when not empty, so that
		 * `expect body exists as page` keeps the whole of it. */
		bool whole = e->subject == TW_SUBJ_TEXT || e->subject == TW_SUBJ_BODY ||
			     e->subject == TW_SUBJ_TITLE || e->subject == TW_SUBJ_URL;
		if (!e->arg && !call && !whole)
			return tw_parse_err(
				p, op_col,
				"'%s' does not apply to %s: it checks a header, cookie, xpath, "
				"json match, var, text, body, title or url",
				op, subject);
	}
	if (e->subject == TW_SUBJ_TIME && !relational(e->op))
		return tw_parse_err(p, op_col,
				    "expected <, <=, > or >= after 'expect time', like expect "
				    "time < 800ms");
	if (e->count && text_op)
		return tw_parse_err(
			p, op_col,
			"'%s' does not apply to a count: expected ==, !=, <, <=, >, >=, in or is",
			op);
	if (e->subject == TW_SUBJ_STATUS && e->op != TW_OP_MATCHES && text_op)
		return tw_parse_err(p, op_col,
				    "'%s' does not apply to status: expected ==, !=, <, <=, >, >=, "
				    "~, in or is",
				    op);
	if ((e->subject == TW_SUBJ_REDIRECTS || (e->subject == TW_SUBJ_HOP && e->hop_status)) &&
	    (e->op == TW_OP_CONTAINS || e->op == TW_OP_MATCHES || e->op == TW_OP_STARTS_WITH ||
	     e->op == TW_OP_ENDS_WITH))
		return tw_parse_err(p, op_col,
				    "'%s' does not apply to %s, a number: expected ==, !=, <, <=, "
				    ">, >=, in or is",
				    op, subject);

	/* The value. */
	if (e->op == TW_OP_EXISTS || e->op == TW_OP_NOT_EXISTS) {
		e->value.kind = TW_VAL_NONE;
		e->value.loc = tw_parse_loc(p, op_col);
	} else if ((hear || call) && e->op != TW_OP_IN) {
		if ((rc = text_value(p, e->op, after, hear, &e->value)))
			return rc;
	} else {
		if ((rc = parse_value(p, e->op, after, &e->value)))
			return rc;
		tw_value *v = &e->value;
		int vcol = v->loc.col;
		bool numeric = v->kind == TW_VAL_NUMBER || v->kind == TW_VAL_DURATION;
		if (e->subject == TW_SUBJ_TIME && v->kind != TW_VAL_DURATION)
			return tw_parse_err(
				p, vcol,
				"expected a duration after '%s', like 800ms or 2s (time is "
				"measured in ms, s or m)",
				op);
		if (e->count && !numeric && v->kind != TW_VAL_TEMPLATE &&
		    v->kind != TW_VAL_LIST && v->kind != TW_VAL_TYPE)
			return tw_parse_err(
				p, vcol,
				"expected a number after '%s' (count is the number of matches)",
				op);
		if ((e->subject == TW_SUBJ_STATUS || (e->subject == TW_SUBJ_HOP && e->hop_status)) &&
		    v->kind != TW_VAL_REGEX &&
		    v->kind != TW_VAL_TEMPLATE && v->kind != TW_VAL_LIST &&
		    v->kind != TW_VAL_TYPE &&
		    (v->kind != TW_VAL_NUMBER || v->number != floor(v->number) ||
		     v->number < 100 || v->number > 599))
			return tw_parse_err(p, vcol,
					    "expected a status code from 100 to 599 after '%s'",
					    after);
		if (e->subject == TW_SUBJ_REDIRECTS && e->filter_count == 0 &&
		    v->kind == TW_VAL_NUMBER && (v->number != floor(v->number) || v->number < 0))
			return tw_parse_err(p, vcol,
					    "a count of redirects is a whole number from 0: expected "
					    "one after '%s', like expect redirects == 1",
					    after);
		/* A digest is lowercase hex of one length: anything else can
		 * never equal it. */
		bool digest = e->subject == TW_SUBJ_SHA256 || e->subject == TW_SUBJ_MD5;
		if (digest && e->filter_count == 0 && (e->op == TW_OP_EQ || e->op == TW_OP_NE) &&
		    (v->kind == TW_VAL_STRING || v->kind == TW_VAL_NUMBER) && v->text &&
		    !strchr(v->text, '{')) {
			size_t want = e->subject == TW_SUBJ_SHA256 ? 64 : 32;
			size_t n = strlen(v->text);
			bool hex = n == want;
			for (size_t i = 0; hex && i < n; i++)
				hex = isdigit((unsigned char)v->text[i]) ||
				      (v->text[i] >= 'a' && v->text[i] <= 'f');
			if (!hex)
				return tw_parse_err(p, vcol,
						    "%s is %zu lowercase hex digits: '%s' can never "
						    "equal it",
						    e->subject == TW_SUBJ_SHA256 ? "a sha256" : "an md5",
						    want, v->text);
		}
		/* [3,5,8] unquoted reads as text no JSON list equals. */
		bool bare_text = v->kind == TW_VAL_STRING && p->line[vcol - 1] != '"' && v->text;
		if (bare_text && (e->op == TW_OP_EQ || e->op == TW_OP_NE) &&
		    (v->text[0] == '[' || (v->text[0] == '{' && v->text[1] != '{')))
			return tw_parse_err(p, vcol,
					    "'%s' is not a value: %s; quote it to compare with the "
					    "text \"%s\"",
					    v->text,
					    v->text[0] == '['
						    ? "a list is checked with count, nth, contains or "
						      "is list"
						    : "an object is checked with count, jsonpath or is "
						      "object",
					    v->text);
		/* A bare word is a string everywhere, but one to order by is
		 * more likely a mistyped number: strings are ordered quoted. */
		bool quoted = v->kind == TW_VAL_STRING && p->line[vcol - 1] == '"';
		/* Hurl's byte literals would be compared as text, and never hold. */
		if (v->kind == TW_VAL_STRING && !quoted &&
		    (strncmp(v->text, "hex,", 4) == 0 || strncmp(v->text, "base64,", 7) == 0))
			return tw_parse_err(
				p, vcol,
				"'%.*s...;' is Hurl's byte literal: techweek compares bytes as "
				"text, in hex with toHex (base64Decode toHex == \"d188\") or in "
				"base64 with base64Encode",
				v->text[0] == 'h' ? 4 : 7, v->text);
		if (relational(e->op) && !numeric && !quoted && v->kind != TW_VAL_TEMPLATE)
			return tw_parse_err(
				p, vcol,
				"'%s' compares numbers or strings: expected a number, a "
				"duration like 800ms or a \"quoted string\"",
				op);
		if ((e->op == TW_OP_STARTS_WITH || e->op == TW_OP_ENDS_WITH) &&
		    v->kind != TW_VAL_STRING && v->kind != TW_VAL_TEMPLATE)
			return tw_parse_err(p, vcol,
					    "'%s' takes text: expected a \"string\", like %s \"%s\"",
					    op, op, v->text);
	}
	/* issue 14, MATCH: hear "..." fuzzy [T]; a when's action next */
	if (hear && (rc = tw_parse_fuzzy(p, e)))
		return rc;
	/* as NAME */
	tw_token t;
	if ((rc = tw_parse_peek(p, &t)))
		return rc;
	if (hear && p->hear_action && !tw_parse_is_word(&t, "as"))
		return TW_OK; /* tw_parse_when reads the action, or says it is missing */
	if (tw_parse_is_word(&t, "as")) {
		if ((rc = tw_parse_next(p, &t)))
			return rc;
		if (valueless_subject(e->subject))
			return tw_parse_err(p, t.col,
					    "nothing to capture: 'expect %s' has no value to keep",
					    subject);
		if (e->op == TW_OP_NOT_EXISTS)
			return tw_parse_err(
				p, t.col, "nothing to capture: 'not exists' has no value to keep");
		if (e->negate && e->op == TW_OP_MATCHES)
			return tw_parse_err(p, t.col,
					    "nothing to capture: 'not ~' matches no group to keep");
		if ((rc = tw_parse_next(p, &t)))
			return rc;
		if (t.kind == TW_TOK_END)
			return tw_parse_err(p, t.col, "expected a variable name after 'as'");
		if (t.kind != TW_TOK_WORD || !tw_parse_valid_var_name(t.text, t.raw_len))
			return tw_parse_err(
				p, t.col,
				"invalid variable name '%s': expected a name that starts with a "
				"letter or '_' and uses letters, digits, '_', '.' and '-'",
				tw_parse_shown(p, &t));
		e->capture = t.text;
	}
	if ((rc = tw_parse_next(p, &t)))
		return rc;
	if (t.kind != TW_TOK_END) {
		bool bare = e->value.kind == TW_VAL_STRING && e->value.loc.col > 0 &&
			    p->line[e->value.loc.col - 1] != '"';
		if (hear)
			return tw_parse_err(
				p, t.col, "unexpected '%s' after the words to hear%s",
				tw_parse_shown(p, &t),
				bare && !e->capture
					? " (words with blanks go in double quotes, like hear "
					  "\"Welcome to Stage Pizza\")"
					: ": expected 'as NAME' or the end of the line");
		return tw_parse_err(p, t.col, "unexpected '%s' after the expectation%s",
				    tw_parse_shown(p, &t),
				    bare && !e->capture
					    ? " (a value with blanks goes in double quotes)"
					    : ": expected 'as NAME' or the end of the line");
	}
	return TW_OK;
}

int tw_parse_expect(parser *p, const tw_token *kw, tw_step *st)
{
	(void)kw;
	tw_expect *e = &st->expect;
	tw_token tok;
	int rc = tw_parse_next(p, &tok);
	if (rc)
		return rc;
	static const char *const subjects_list =
		"status, header, text, body, title, url, xpath, json, cookie, time, var, bytes, "
		"sha256, md5, redirects, hop, set-cookie, version, certificate, or on the phone "
		"transfer, recording, rejected or hangup";
	if (tok.kind == TW_TOK_END)
		return tw_parse_err(p, tok.col, "expected what to check after 'expect': %s",
				    subjects_list);
	static const tw_subject subjects[] = {
		TW_SUBJ_STATUS,   TW_SUBJ_HEADER,    TW_SUBJ_TEXT,     TW_SUBJ_BODY,
		TW_SUBJ_TITLE,    TW_SUBJ_URL,       TW_SUBJ_XPATH,    TW_SUBJ_JSON,
		TW_SUBJ_COOKIE,   TW_SUBJ_TIME,      TW_SUBJ_TRANSFER, TW_SUBJ_RECORDING,
		TW_SUBJ_REJECTED, TW_SUBJ_HANGUP,    TW_SUBJ_VAR,
		/* capability 9 (filters stream) */
		TW_SUBJ_BYTES,    TW_SUBJ_SHA256,    TW_SUBJ_MD5,
		/* issue 12, redirects */
		TW_SUBJ_REDIRECTS, TW_SUBJ_HOP,
		/* transport (issue 12, capabilities 8 and 11) */
		TW_SUBJ_SET_COOKIE, TW_SUBJ_VERSION, TW_SUBJ_CERTIFICATE,
	};
	_Static_assert(COUNT(subjects) == COUNT(subject_words), "one subject per word");
	size_t si = COUNT(subject_words);
	/* issue 14, MATCH: `expect reprompts OP N`, the call's re-prompt
	 * turns so far (a number, so the relational operators apply) */
	if (tw_parse_is_word(&tok, "reprompts")) {
		e->subject = TW_SUBJ_REPROMPTS;
		tw_token o, n;
		if ((rc = tw_parse_next(p, &o)))
			return rc;
		if (!op_word(&o, &e->op) || !relational_or_eq(e->op))
			return tw_parse_err(p, o.col,
					    "expected ==, !=, <, <=, > or >= and a number after "
					    "'expect reprompts', like expect reprompts == 0");
		if ((rc = tw_parse_next(p, &n)))
			return rc;
		double d;
		if (n.kind != TW_TOK_WORD || !tw_parse_number(n.text, &d) || d < 0 ||
		    d != floor(d))
			return tw_parse_err(p, n.col,
					    "expected a count of re-prompt turns after '%s', like "
					    "expect reprompts %s 0",
					    o.text, o.text);
		e->value = (tw_value){.kind = TW_VAL_NUMBER, .loc = tw_parse_loc(p, n.col),
				      .text = n.text, .number = d};
		return tw_parse_end(p, "the count");
	}
	if (tok.kind == TW_TOK_WORD)
		for (si = 0; si < COUNT(subject_words); si++)
			if (strcmp(tok.text, subject_words[si]) == 0)
				break;
	if (si == COUNT(subject_words)) {
		/* What the caller hears has its own step, which reads better. */
		if (tw_parse_is_word(&tok, "prompt") || tw_parse_is_word(&tok, "hear"))
			return tw_parse_err(
				p, tok.col,
				"unknown expectation '%s': to check what the caller hears, "
				"use hear, like hear \"Welcome\"",
				tok.text);
		const char *best =
			tok.kind == TW_TOK_WORD
				? tw_parse_suggest(tok.text, subject_words, COUNT(subject_words))
				: NULL;
		if (best)
			return tw_parse_err(p, tok.col,
					    "unknown expectation '%s' (did you mean '%s'?)",
					    tw_parse_shown(p, &tok), best);
		return tw_parse_err(p, tok.col, "unknown expectation '%s': expected %s",
				    tw_parse_shown(p, &tok), subjects_list);
	}
	const char *subject = subject_words[si];
	/* issue 14, MATCH: `expect hangup by ivr|end|caller` */
	if (subjects[si] == TW_SUBJ_HANGUP && (rc = tw_parse_hangup_by(p, e)))
		return rc;
	if (si == COUNT(subject_words) - 1) /* hop: named with its part below */
		subject = "hop";
	e->subject = subjects[si];

	/* The subject's argument. */
	switch (e->subject) {
	case TW_SUBJ_HEADER:
	case TW_SUBJ_COOKIE:
	case TW_SUBJ_SET_COOKIE:
		if ((rc = tw_parse_next(p, &tok)))
			return rc;
		if (tok.kind == TW_TOK_END)
			return tw_parse_err(p, tok.col, "expected the %s name after 'expect %s'",
					    subject, subject);
		/* Quoted too, as Hurl writes it: expect header "Location" ==
		 * "/next" (issue 12). */
		/* A header's name may be a template, as under a request. */
		if ((tok.kind != TW_TOK_WORD && tok.kind != TW_TOK_STRING) ||
		    !(e->subject == TW_SUBJ_HEADER
			      ? tw_parse_valid_templated_token(tok.text)
			      : tw_parse_valid_token(tok.text, tok.kind == TW_TOK_STRING
								       ? strlen(tok.text)
								       : tok.raw_len)))
			return tw_parse_err(p, tok.col,
					    "invalid %s name '%s': expected letters, digits and "
					    "!#$%%&'*+-.^_`|~",
					    subject, tw_parse_shown(p, &tok));
		e->arg = tok.text;
		e->arg_loc = tw_parse_loc(p, tok.col);
		if (e->subject != TW_SUBJ_HEADER && (rc = tw_parse_cookie_attr(p, e)))
			return rc;
		break;
	case TW_SUBJ_CERTIFICATE:
		if ((rc = tw_parse_certificate_field(p, e)))
			return rc;
		break;
	case TW_SUBJ_VAR:
		if ((rc = tw_parse_next(p, &tok)))
			return rc;
		if (tok.kind == TW_TOK_END)
			return tw_parse_err(p, tok.col,
					    "expected a variable name after 'expect var', like expect "
					    "var order == 1001");
		if (tok.kind != TW_TOK_WORD || !tw_parse_valid_var_name(tok.text, tok.raw_len))
			return tw_parse_err(
				p, tok.col,
				"invalid variable name '%s': expected a name that starts with a "
				"letter or '_' and uses letters, digits, '_', '.' and '-'",
				tw_parse_shown(p, &tok));
		e->arg = tok.text;
		e->arg_loc = tw_parse_loc(p, tok.col);
		break;
	case TW_SUBJ_XPATH:
		if ((rc = tw_parse_next(p, &tok)))
			return rc;
		if (tok.kind == TW_TOK_END)
			return tw_parse_err(
				p, tok.col,
				"expected an XPath expression after 'expect xpath', like "
				"\"//h1\"");
		e->arg = tok.text;
		e->arg_loc = tw_parse_loc(p, tok.col);
		break;
	case TW_SUBJ_HOP: {
		/* hop N url|status: N counts as people do, 1 the request as
		 * sent, as click "X" 2 counts links. */
		double n;
		if ((rc = tw_parse_next(p, &tok)))
			return rc;
		if (tok.kind != TW_TOK_WORD || !tw_parse_number(tok.text, &n) || n != floor(n) ||
		    n < 1 || n > 1000)
			return tw_parse_err(p, tok.col,
					    "expected the hop's number after 'expect hop' (1 is the "
					    "request as sent, 2 the first redirect's target), like "
					    "expect hop 2 url contains \"/next\"");
		e->hop = (int)n;
		e->arg_loc = tw_parse_loc(p, tok.col);
		if ((rc = tw_parse_next(p, &tok)))
			return rc;
		if (tw_parse_is_word(&tok, "status"))
			e->hop_status = true;
		else if (!tw_parse_is_word(&tok, "url"))
			return tw_parse_err(p, tok.col,
					    "expected url or status after 'expect hop %d', like expect "
					    "hop %d status == 302",
					    e->hop, e->hop);
		subject = e->hop_status ? "hop status" : "hop url";
		break;
	}
	case TW_SUBJ_JSON:
		if ((rc = tw_parse_next(p, &tok)))
			return rc;
		if (tok.kind == TW_TOK_END || tok.text[0] != '$')
			return tw_parse_err(
				p, tok.col,
				"expected a JSON query starting with '$' after 'expect json', "
				"like $.status");
		e->arg = tok.text;
		e->arg_loc = tw_parse_loc(p, tok.col);
		break;
	default:
		break;
	}

	if ((rc = tw_parse_filters(p, e)))
		return rc;
	if ((rc = tw_parse_expectation_rest(p, e, subject)))
		return rc;
	return tw_parse_transport_value(p, e);
}
