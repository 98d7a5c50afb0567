/*
 * Modifier lines: they attach to the step right above them, so a request
 * is written one part a line. A request takes header, query, form, part,
 * json, body and timeout; a call takes method and signed with. The parser
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

int tw_parse_modifier(parser *p, const tw_token *kw)
{
	const char *w = kw->text;
	if (!p->in_request)
		return tw_parse_err(p, kw->col,
				    "'%s' must follow a request step (visit, get, post, ...)", w);
	tw_step *st = &tw_parse_scene(p)->steps[p->req_step];
	tw_request *req = &st->req;
	bool visit = st->kind == TW_STEP_VISIT;
	int rc, col;
	bool sep;
	char *name;

	if (visit && (strcmp(w, "form") == 0 || strcmp(w, "part") == 0 ||
		      strcmp(w, "json") == 0 || strcmp(w, "body") == 0))
		return tw_parse_err(
			p, kw->col,
			"'%s' cannot follow 'visit': a visit sends no body (use post, or get, "
			"for a request with a body)",
			w);

	if (strcmp(w, "header") == 0) {
		if ((rc = tw_parse_pair_name(p, ':', "header", &name, &col, &sep)))
			return rc;
		if (!tw_parse_valid_token(name, strlen(name)))
			return tw_parse_err(
				p, col,
				"invalid header name '%s': expected letters, digits and "
				"!#$%%&'*+-.^_`|~, then ':'",
				name);
		if (!sep)
			return tw_parse_missing_sep(p, ':', "header", name);
		tw_pair *pr = tw_parse_add_pair(p, &req->headers, &p->header_cap);
		if (!pr)
			return TW_ENOMEM;
		pr->loc = tw_parse_loc(p, col);
		pr->name = name;
		return tw_parse_pair_value(p, &pr->value);
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
		if ((rc = tw_parse_text_arg(p, &pr->value, &vcol)))
			return rc;
		if (!pr->value) {
			if (is_file)
				return tw_parse_err(p, vcol,
						    "expected the file's path after 'file'");
			pr->value = "";
		}
		return TW_OK;
	}
	if (strcmp(w, "json") == 0) {
		if ((rc = set_body(p, kw, req, TW_BODY_JSON)))
			return rc;
		req->body_loc = tw_parse_loc(p, kw->col);
		tw_token tok;
		if ((rc = tw_lex_rest(&p->lx, &tok, false)))
			return rc;
		if (tok.kind == TW_TOK_END)
			return tw_parse_err(p, tok.col,
					    "expected JSON text after 'json', like json "
					    "{\"size\": \"Large\"}");
		if (!strstr(tok.text, "{{")) {
			json_error_t je;
			json_t *j = json_loads(tok.text, JSON_DECODE_ANY, &je);
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
		int vcol;
		if ((rc = tw_parse_text_arg(p, &req->body, &vcol)))
			return rc;
		if (!req->body)
			return tw_parse_err(
				p, vcol,
				"expected the body after 'body' (write \"\" for an empty body)");
		return TW_OK;
	}
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
