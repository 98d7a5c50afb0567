/*
 * Modifier lines: they attach to the step right above them, so a request
 * is written one part a line. A request takes header, query, form, part,
 * json, body, auth and timeout (a `header` line in the rehearsal's header
 * goes with every request); a call takes method and signed with. The parser
 * (parser.c) knows whether a request or a call is open and closes it on
 * any other statement.
 */
#include "language/parser_internal.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/jsonread.h"

static int set_body(parser *p, const tw_token *kw, tw_request *req, tw_body_kind kind)
{
	if (req->body_kind != TW_BODY_NONE &&
	    (req->body_kind != kind || kind == TW_BODY_JSON || kind == TW_BODY_RAW))
		return tw_parse_err(p, kw->col, "a request has one body: %s already set on line %d",
				    p->body_what, p->body_line);
	if (req->body_kind == TW_BODY_NONE) {
		req->body_kind = kind;
		p->body_line = p->lineno;
		p->body_what = kind == TW_BODY_FORM	 ? "form"
			       : kind == TW_BODY_MULTIPART ? "part"
			       : kind == TW_BODY_JSON	 ? "json"
							 : "body";
	}
	return TW_OK;
}

/* Where in the JSON text jansson's error is: it gives the offset just
 * after the offending token and names the token ("near 'x'"). */
static size_t json_error_offset(const json_error_t *je)
{
	size_t pos = je->position > 0 ? (size_t)je->position : 0;
	const char *near = strstr(je->text, "near '");
	if (near) {
		near += 6;
		const char *close = strrchr(near, '\'');
		size_t n = close && close >= near ? (size_t)(close - near) : 0;
		if (n <= pos)
			pos -= n;
	}
	return pos;
}

/* `header NAME: VALUE`, under a request or in the rehearsal's header. A
 * name with a template is checked once expanded. */
static int parse_header_pair(parser *p, tw_pairs *pairs, size_t *cap)
{
	char *name;
	int rc, col;
	bool sep;
	if ((rc = tw_parse_pair_name(p, ':', "header", &name, &col, &sep)))
		return rc;
	if (!tw_parse_valid_templated_token(name))
		return tw_parse_err(p, col,
				    "invalid header name '%s': expected letters, digits and "
				    "!#$%%&'*+-.^_`|~, then ':'",
				    name);
	if (!sep)
		return tw_parse_missing_sep(p, ':', "header", name);
	tw_pair *pr = tw_parse_add_pair(p, pairs, cap);
	if (!pr)
		return TW_ENOMEM;
	pr->loc = tw_parse_loc(p, col);
	pr->name = name;
	return tw_parse_pair_value(p, &pr->value);
}

static bool is_fence(const char *line)
{
	line += strspn(line, " \t");
	if (strncmp(line, "```", 3) != 0)
		return false;
	line += 3;
	return line[strspn(line, " \t")] == '\0';
}

/* The body of a fence opened at open_col: the lines up to one holding only
 * ```, each ending with a newline (as in a file), with the closing
 * fence's indentation taken off every line so the body can be indented
 * with the script. Blank lines may be shorter. The lines are text as
 * written: no comments, no escapes, templates expanded. *first gets the
 * index of its first line. */
static int read_fence(parser *p, int open_col, const char *what, char **out, size_t *first,
		      tw_request *req)
{
	const tw_script *s = p->s;
	size_t close = *first = p->next_line;
	while (close < s->line_count && !is_fence(s->lines[close]))
		close++;
	if (close == s->line_count)
		return tw_parse_err(p, open_col,
				    "unterminated ``` %s: expected a line holding only ``` to "
				    "close it",
				    what);
	size_t indent = strspn(s->lines[close], " \t"), total = 1;
	for (size_t i = *first; i < close; i++)
		total += strlen(s->lines[i]) + 1;
	char *text = tw_arena_alloc(p->arena, total), *o = text;
	if (!text)
		return tw_parse_oom(p);
	for (size_t i = *first; i < close; i++) {
		const char *l = s->lines[i];
		if (l[strspn(l, " \t")] == '\0') {
			*o++ = '\n';
			continue;
		}
		if (strncmp(l, s->lines[close], indent) != 0) {
			p->lineno = (int)i + 1;
			p->line = l;
			p->lx.line = l;
			p->lx.lineno = p->lineno;
			return tw_parse_err(p, 1,
					    "this line of the ``` %s is indented less than its "
					    "closing ``` (line %zu), whose indentation is taken off "
					    "every line",
					    what, close + 1);
		}
		size_t n = strlen(l + indent);
		memcpy(o, l + indent, n);
		o += n;
		*o++ = '\n';
	}
	*o = '\0';
	*out = text;
	req->fence_line = (int)*first + 1;
	req->fence_indent = (int)indent;
	p->next_line = close + 1;
	return TW_OK;
}

/* `body file PATH`, `json file PATH`: the path as one token. */
static int parse_body_file(parser *p, const char *w, tw_request *req)
{
	tw_token f;
	int rc;
	if ((rc = tw_parse_next(p, &f)))
		return rc;
	if (f.kind == TW_TOK_END || !f.text[0])
		return tw_parse_err(p, f.col,
				    "expected the file's path after '%s file', like %s file "
				    "\"%s\"",
				    w, w, w[0] == 'j' ? "order.json" : "photo.bin");
	req->body_file = f.text;
	return tw_parse_end(p, "the file's path (quote a path with blanks)");
}

/* After a file part's path: `type "image/png"` and `as "me.png"`, once
 * each, in either order. */
static int parse_part_options(parser *p, tw_pair *pr)
{
	for (;;) {
		tw_token t, v;
		int rc;
		if ((rc = tw_parse_next(p, &t)))
			return rc;
		if (t.kind == TW_TOK_END)
			return TW_OK;
		bool type = tw_parse_is_word(&t, "type"), as = tw_parse_is_word(&t, "as");
		if (!type && !as)
			return tw_parse_err(p, t.col,
					    "expected type \"TYPE\" or as \"NAME\" after the "
					    "file's path (quote a path with blanks), like part %s "
					    "file photo.png type \"image/png\" as \"me.png\"",
					    pr->name);
		char **slot = type ? &pr->content_type : &pr->filename;
		if (*slot)
			return tw_parse_err(p, t.col, "'%s' is given twice for this part", t.text);
		if ((rc = tw_parse_next(p, &v)))
			return rc;
		if (v.kind == TW_TOK_END || !v.text[0])
			return tw_parse_err(p, v.col, "expected %s after '%s'",
					    type ? "a media type, like \"image/png\","
						 : "a file name, like \"me.png\",",
					    t.text);
		if (type && !strstr(v.text, "{{") && !strchr(v.text, '/'))
			return tw_parse_err(p, v.col,
					    "expected a media type TYPE/SUBTYPE after 'type', like "
					    "\"image/png\", found '%s'",
					    v.text);
		*slot = v.text;
	}
}

/* The most polls `retry N` may ask for: a script that needs more is
 * waiting for something else than a resource becoming ready. */
#define RETRY_MAX 1000

/* follow redirects on|off; retry N every DURATION (issue 12). */
static int parse_follow_retry(parser *p, const tw_token *kw, tw_request *req)
{
	tw_token tok;
	int rc;
	if (kw->text[0] == 'f') {
		if (p->follow_line)
			return tw_parse_already(p, kw->col, "follow redirects", p->follow_line);
		if ((rc = tw_parse_next(p, &tok)))
			return rc;
		if (!tw_parse_is_word(&tok, "redirects"))
			return tw_parse_err(p, tok.col,
					    "expected 'redirects' after 'follow', like follow "
					    "redirects off");
		if ((rc = tw_parse_next(p, &tok)))
			return rc;
		if (tw_parse_is_word(&tok, "on"))
			req->follow = 1;
		else if (tw_parse_is_word(&tok, "off"))
			req->follow = -1;
		else
			return tw_parse_err(p, tok.col,
					    "expected on or off after 'follow redirects' (off: the "
					    "3xx is the response, to check its status and Location)");
		p->follow_line = p->lineno;
		return tw_parse_end(p, "on or off");
	}
	if (p->retry_line)
		return tw_parse_already(p, kw->col, "retry", p->retry_line);
	if ((rc = tw_parse_next(p, &tok)))
		return rc;
	double n;
	if (tok.kind != TW_TOK_WORD || !tw_parse_number(tok.text, &n) || n != floor(n) || n < 1 ||
	    n > RETRY_MAX)
		return tw_parse_err(p, tok.col,
				    "expected how many more times to send the request after "
				    "'retry', a whole number from 1 to %d, like retry 5 every 1s",
				    RETRY_MAX);
	if ((rc = tw_parse_next(p, &tok)))
		return rc;
	if (!tw_parse_is_word(&tok, "every"))
		return tw_parse_err(p, tok.col,
				    "expected 'every' and a duration after 'retry %d', like "
				    "retry %d every 1s",
				    (int)n, (int)n);
	double ms;
	int col;
	if ((rc = tw_parse_duration_arg(p, "every", &ms, &col)))
		return rc;
	if (ms < 0)
		return tw_parse_err(p, col, "a wait between polls cannot be negative");
	req->retry = (int)n;
	req->retry_loc = tw_parse_loc(p, kw->col);
	req->retry_every_ms = lround(ms);
	p->retry_line = p->lineno;
	return tw_parse_end(p, "the duration");
}

int tw_parse_modifier(parser *p, const tw_token *kw)
{
	const char *w = kw->text;
	if (!p->in_request && strcmp(w, "header") == 0) {
		if (p->sec != SEC_HEADER)
			return tw_parse_err(
				p, kw->col,
				"'header' must follow a request step (visit, get, post, ...), "
				"or stand in the rehearsal's header (before cast and the scenes) "
				"to go with every request");
		return parse_header_pair(p, &p->s->headers, &p->script_header_cap);
	}
	if (!p->in_request)
		return tw_parse_err(p, kw->col,
				    "'%s' must follow a request step (visit, get, post, ...)", w);
	tw_step *st = &tw_parse_scene(p)->steps[p->req_step];
	tw_request *req = &st->req;
	bool visit = st->kind == TW_STEP_VISIT;
	int rc, col;
	bool sep;
	char *name;

	/* A click or a submit sends what the page says; only its headers
	 * are the script's. */
	if ((st->kind == TW_STEP_CLICK || st->kind == TW_STEP_SUBMIT) && strcmp(w, "header") != 0)
		return tw_parse_err(p, kw->col,
				    "'%s' cannot follow '%s': only header lines go under a click or "
				    "a submit (what it sends comes from the page)",
				    w, st->kind == TW_STEP_CLICK ? "click" : "submit");
	if (visit && (strcmp(w, "form") == 0 || strcmp(w, "part") == 0 ||
		      strcmp(w, "json") == 0 || strcmp(w, "body") == 0))
		return tw_parse_err(
			p, kw->col,
			"'%s' cannot follow 'visit': a visit sends no body (use post, or get, "
			"for a request with a body)",
			w);

	if (strcmp(w, "header") == 0)
		return parse_header_pair(p, &req->headers, &p->header_cap);
	if (strcmp(w, "auth") == 0) {
		if (p->auth_line)
			return tw_parse_already(p, kw->col, "auth", p->auth_line);
		if ((rc = tw_parse_text_arg(p, &req->auth, &col)))
			return rc;
		if (!req->auth || (!strstr(req->auth, "{{") && !strchr(req->auth, ':')))
			return tw_parse_err(p, col,
					    "expected USER:PASS after 'auth', like auth "
					    "ada:{{secret ADA_PASSWORD}}");
		req->auth_loc = tw_parse_loc(p, kw->col);
		p->auth_line = p->lineno;
		return TW_OK;
	}
	if (strcmp(w, "query") == 0 || strcmp(w, "form") == 0) {
		bool form = w[0] == 'f';
		if (form && (rc = set_body(p, kw, req, TW_BODY_FORM)))
			return rc;
		if ((rc = tw_parse_pair_name(p, '=', form ? "form field" : "query parameter", &name,
					     &col, &sep)))
			return rc;
		if (!sep)
			return tw_parse_missing_sep(p, '=', form ? "form field" : "query parameter",
						    name);
		tw_pair *pr = form ? tw_parse_add_pair(p, &req->form, &p->form_cap)
				   : tw_parse_add_pair(p, &req->query, &p->query_cap);
		if (!pr)
			return TW_ENOMEM;
		pr->loc = tw_parse_loc(p, col);
		pr->name = name;
		return tw_parse_pair_value(p, &pr->value);
	}
	if (strcmp(w, "part") == 0) {
		if ((rc = set_body(p, kw, req, TW_BODY_MULTIPART)))
			return rc;
		if ((rc = tw_parse_pair_name(p, '=', "part", &name, &col, &sep)))
			return rc;
		bool is_file = false;
		if (!sep) {
			tw_token f;
			if ((rc = tw_parse_next(p, &f)))
				return rc;
			if (!tw_parse_is_word(&f, "file"))
				return tw_parse_err(
					p, f.col,
					"expected '=' or 'file' after the part name '%s', like "
					"part %s = value or part %s file photo.jpg",
					name, name, name);
			is_file = true;
		}
		tw_pair *pr = tw_parse_add_pair(p, &req->parts, &p->part_cap);
		if (!pr)
			return TW_ENOMEM;
		pr->loc = tw_parse_loc(p, col);
		pr->name = name;
		pr->is_file = is_file;
		int vcol;
		if (is_file) {
			tw_token f;
			if ((rc = tw_parse_next(p, &f)))
				return rc;
			if (f.kind == TW_TOK_END || !f.text[0])
				return tw_parse_err(p, f.col,
						    "expected the file's path after 'file'");
			pr->value = f.text;
			return parse_part_options(p, pr);
		}
		if ((rc = tw_parse_text_arg(p, &pr->value, &vcol)))
			return rc;
		if (!pr->value)
			pr->value = "";
		return TW_OK;
	}
	if (strcmp(w, "json") == 0) {
		if ((rc = set_body(p, kw, req, TW_BODY_JSON)))
			return rc;
		req->body_loc = tw_parse_loc(p, kw->col);
		tw_token tok;
		if ((rc = tw_parse_peek(p, &tok)))
			return rc;
		if (tw_parse_is_word(&tok, "file")) {
			tw_parse_next(p, &tok);
			return parse_body_file(p, w, req);
		}
		if ((rc = tw_lex_rest(&p->lx, &tok, false)))
			return rc;
		if (tok.kind == TW_TOK_END)
			return tw_parse_err(p, tok.col,
					    "expected JSON text after 'json', like json "
					    "{\"size\": \"Large\"}");
		if (strcmp(tok.text, "```") == 0) {
			size_t first;
			if ((rc = read_fence(p, tok.col, "JSON body", &req->body, &first, req)))
				return rc;
			if (!strstr(req->body, "{{")) {
				json_error_t je;
				json_t *j = tw_json_parse(req->body, strlen(req->body),
							  JSON_DECODE_ANY, &je);
				if (!j) {
					/* Point at the line of the fence that breaks. */
					size_t at = first + (je.line > 0 ? (size_t)je.line - 1 : 0);
					const char *l = p->s->lines[at];
					p->lineno = (int)at + 1;
					p->line = p->lx.line = l;
					p->lx.lineno = p->lineno;
					/* jansson's column is the offending token's
					 * last byte; the fence's indentation was
					 * taken off. */
					const char *near = strstr(je.text, "near '");
					const char *q = near ? strrchr(near + 6, '\'') : NULL;
					int n = q ? (int)(q - near - 6) : 1;
					int c = (int)strspn(p->s->lines[p->next_line - 1], " \t") +
						(je.column > n ? je.column - n + 1 : 1);
					return tw_parse_err(p, c, "invalid JSON: %s", je.text);
				}
				json_decref(j);
			}
			return TW_OK;
		}
		if (!strstr(tok.text, "{{")) {
			json_error_t je;
			json_t *j = tw_json_parse(tok.text, strlen(tok.text), JSON_DECODE_ANY, &je);
			if (!j)
				return tw_parse_err(p, tok.col + (int)json_error_offset(&je),
						    "invalid JSON: %s", je.text);
			json_decref(j);
		}
		req->body = tok.text;
		return TW_OK;
	}
	if (strcmp(w, "body") == 0) {
		if ((rc = set_body(p, kw, req, TW_BODY_RAW)))
			return rc;
		req->body_loc = tw_parse_loc(p, kw->col);
		tw_token tok;
		if ((rc = tw_parse_peek(p, &tok)))
			return rc;
		if (tw_parse_is_word(&tok, "file")) {
			tw_parse_next(p, &tok);
			return parse_body_file(p, w, req);
		}
		if (tok.kind == TW_TOK_WORD && strcmp(tok.text, "```") == 0) {
			tw_parse_next(p, &tok);
			if ((rc = tw_parse_end(p, "```")))
				return rc;
			size_t first;
			return read_fence(p, tok.col, "body", &req->body, &first, req);
		}
		int vcol;
		if ((rc = tw_parse_text_arg(p, &req->body, &vcol)))
			return rc;
		if (!req->body)
			return tw_parse_err(
				p, vcol,
				"expected the body after 'body' (write \"\" for an empty body)");
		return TW_OK;
	}
	if (strcmp(w, "follow") == 0 || strcmp(w, "retry") == 0)
		return parse_follow_retry(p, kw, req);
	if (tw_parse_transport_word(w))
		return tw_parse_transport_modifier(p, kw, req);
	/* timeout */
	if (p->timeout_line)
		return tw_parse_already(p, kw->col, "timeout", p->timeout_line);
	double ms;
	if ((rc = tw_parse_duration_arg(p, "timeout", &ms, &col)))
		return rc;
	long v = lround(ms);
	if (v <= 0)
		return tw_parse_err(p, col, "a timeout must be at least 1ms");
	req->timeout_ms = v;
	p->timeout_line = p->lineno;
	return tw_parse_end(p, "the duration");
}

/* ---- call modifiers ---- */

/* method GET|POST, signed with TOKEN: how the call's webhooks are asked. */
int tw_parse_call_modifier(parser *p, const tw_token *kw)
{
	const char *w = kw->text;
	if (!p->in_call)
		return tw_parse_err(
			p, kw->col,
			"'%s' must follow a 'call' step (it changes how the call's webhooks "
			"are requested)",
			w);
	tw_call_spec *call = &tw_parse_scene(p)->steps[p->call_step].call;
	tw_token tok;
	int rc;
	if (strcmp(w, "method") == 0) {
		if (p->method_line)
			return tw_parse_already(p, kw->col, "method", p->method_line);
		if ((rc = tw_parse_next(p, &tok)))
			return rc;
		/* What carriers offer for a voice URL. */
		if (tok.kind == TW_TOK_WORD && strcasecmp(tok.text, "GET") == 0)
			call->method = "GET";
		else if (tok.kind == TW_TOK_WORD && strcasecmp(tok.text, "POST") == 0)
			call->method = "POST";
		else
			return tw_parse_err(
				p, tok.col,
				"expected GET or POST after 'method' (how the call's first "
				"webhook is requested; POST when absent)");
		p->method_line = p->lineno;
		return tw_parse_end(p, "the method");
	}
	/* signed with TOKEN */
	if (p->signed_line)
		return tw_parse_already(p, kw->col, "signed with", p->signed_line);
	if ((rc = tw_parse_next(p, &tok)))
		return rc;
	if (!tw_parse_is_word(&tok, "with"))
		return tw_parse_err(p, tok.col,
				    "expected 'with' after 'signed', like signed with {{secret "
				    "TWILIO_TOKEN}}");
	int col;
	if ((rc = tw_parse_text_arg(p, &call->token, &col)))
		return rc;
	if (!call->token || !call->token[0])
		return tw_parse_err(p, col,
				    "expected the auth token after 'signed with', like signed with "
				    "{{secret TWILIO_TOKEN}}");
	p->signed_line = p->lineno;
	call->token_loc = tw_parse_loc(p, kw->col);
	return TW_OK;
}
