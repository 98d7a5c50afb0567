/*
 * Transport modifier lines (issue 12, capability 11): under a request step,
 *
 *      http 1.0|1.1|2|3               the HTTP version to ask for
 *      insecure                       the server's certificate unchecked
 *      cert "client.pem" key "client.key"   a client certificate
 *      decompress off|on              off: the body as it came on the wire
 *
 * Their own file so the request's other modifiers (parse_modifier.c) stay
 * as they are. A version this libcurl cannot speak is refused here, so
 * `techweek check` says so before a run does.
 */
#include "language/parser_internal.h"

#include <curl/curl.h>
#include <string.h>

bool tw_parse_transport_word(const char *w)
{
	return strcmp(w, "http") == 0 || strcmp(w, "insecure") == 0 || strcmp(w, "cert") == 0 ||
	       strcmp(w, "decompress") == 0;
}

static int parse_http(parser *p, const tw_token *kw, tw_request *req)
{
	static const struct {
		const char *word;
		int version;
		int feature; /* curl_version_info's bit for it; 0: always there */
	} versions[] = {
		{"1.0", 10, 0},
		{"1.1", 11, 0},
		{"2", 20, CURL_VERSION_HTTP2},
		{"3", 30, CURL_VERSION_HTTP3},
	};
	if (req->http_version)
		return tw_parse_err(p, kw->col, "a request has one 'http' line");
	tw_token tok;
	int rc = tw_parse_next(p, &tok);
	if (rc)
		return rc;
	for (size_t i = 0; tok.kind == TW_TOK_WORD && i < COUNT(versions); i++) {
		if (strcmp(tok.text, versions[i].word) != 0)
			continue;
		int f = versions[i].feature;
		if (f && !(curl_version_info(CURLVERSION_NOW)->features & f))
			return tw_parse_err(p, tok.col,
					    "'http %s': this techweek's libcurl %s cannot speak "
					    "HTTP/%s (curl_version_info lacks it): use 1.1%s",
					    tok.text, curl_version_info(CURLVERSION_NOW)->version,
					    tok.text, f == CURL_VERSION_HTTP3 ? " or 2" : "");
		req->http_version = versions[i].version;
		return tw_parse_end(p, "the HTTP version");
	}
	if (tok.kind == TW_TOK_END)
		return tw_parse_err(p, tok.col, "expected the HTTP version after 'http': 1.0, 1.1, 2 or 3");
	return tw_parse_err(p, tok.col,
			    "unknown HTTP version '%s': expected 1.0, 1.1, 2 or 3",
			    tw_parse_shown(p, &tok));
}

/* cert PATH key PATH: both, each a string or a word. */
static int parse_cert(parser *p, const tw_token *kw, tw_request *req)
{
	if (req->cert)
		return tw_parse_already(p, kw->col, "cert", req->cert_loc.line);
	tw_token tok;
	int rc = tw_parse_next(p, &tok);
	if (rc)
		return rc;
	if (tok.kind == TW_TOK_END)
		return tw_parse_err(p, tok.col,
				    "expected the client certificate's file after 'cert', like "
				    "cert \"client.pem\" key \"client.key\"");
	if (tok.text[0] == '\0')
		return tw_parse_err(p, tok.col, "the certificate's file name is empty");
	req->cert = tok.text;
	req->cert_loc = tw_parse_loc(p, kw->col);
	if ((rc = tw_parse_next(p, &tok)))
		return rc;
	if (!tw_parse_is_word(&tok, "key"))
		return tw_parse_err(p, tok.col,
				    "expected 'key' and the private key's file after the "
				    "certificate, like cert \"client.pem\" key \"client.key\"");
	if ((rc = tw_parse_next(p, &tok)))
		return rc;
	if (tok.kind == TW_TOK_END || tok.text[0] == '\0')
		return tw_parse_err(p, tok.col, "expected the private key's file after 'key'");
	req->key = tok.text;
	return tw_parse_end(p, "the key's file");
}

int tw_parse_transport_modifier(parser *p, const tw_token *kw, tw_request *req)
{
	if (strcmp(kw->text, "http") == 0)
		return parse_http(p, kw, req);
	if (strcmp(kw->text, "cert") == 0)
		return parse_cert(p, kw, req);
	if (strcmp(kw->text, "decompress") == 0) {
		/* `decompress off`: what `bytes`, sha256 and md5 read is the
		 * body as sent (gzip's own bytes); `on` is the default. */
		tw_token tok;
		int rc = tw_parse_next(p, &tok);
		if (rc)
			return rc;
		if (!tw_parse_is_word(&tok, "off") && !tw_parse_is_word(&tok, "on"))
			return tw_parse_err(p, tok.col,
					    "expected off or on after 'decompress' (off: the body as "
					    "it came, its Content-Encoding not undone)");
		req->raw_body = tok.text[1] == 'f';
		return tw_parse_end(p, "off or on");
	}
	if (req->insecure)
		return tw_parse_err(p, kw->col, "a request has one 'insecure' line");
	req->insecure = true;
	return tw_parse_end(p, "'insecure'");
}

/* ---- the transport subjects' words (issue 12, capabilities 8 and 11) ---- */

/* After `cookie NAME` or `set-cookie NAME`: an attribute word, if any. */
int tw_parse_cookie_attr(parser *p, tw_expect *e)
{
	static const char *const attrs[] = {
		"value", "path", "domain", "secure", "httponly", "expires", "max-age", "samesite",
	};
	tw_token tok;
	int rc = tw_parse_peek(p, &tok);
	if (rc || tok.kind != TW_TOK_WORD)
		return rc;
	for (size_t i = 0; i < COUNT(attrs); i++) {
		if (strcmp(tok.text, attrs[i]) != 0)
			continue;
		if ((rc = tw_parse_next(p, &tok)))
			return rc;
		/* libcurl's jar keeps expiry as a date and no SameSite: what
		 * the server said is on the response. */
		if (e->subject == TW_SUBJ_COOKIE && (i == 6 || i == 7))
			return tw_parse_err(
				p, tok.col,
				"the cookie jar does not keep %s: check what the response said "
				"with expect set-cookie %s %s",
				i == 6 ? "Max-Age (it keeps the expiry date: use expires)"
				       : "SameSite",
				e->arg, attrs[i]);
		e->attr = i == 0 ? NULL : attrs[i];
		return TW_OK;
	}
	return TW_OK;
}

/* `certificate subject|issuer|expires|serial` into e->arg. */
int tw_parse_certificate_field(parser *p, tw_expect *e)
{
	static const char *const fields[] = {"subject", "issuer", "expires", "serial"};
	tw_token tok;
	int rc = tw_parse_next(p, &tok);
	if (rc)
		return rc;
	for (size_t i = 0; tok.kind == TW_TOK_WORD && i < COUNT(fields); i++)
		if (strcmp(tok.text, fields[i]) == 0) {
			e->arg = tok.text;
			e->arg_loc = tw_parse_loc(p, tok.col);
			return TW_OK;
		}
	if (tok.kind == TW_TOK_END)
		return tw_parse_err(p, tok.col,
				    "expected what to check after 'expect certificate': subject, "
				    "issuer, expires or serial");
	return tw_parse_err(p, tok.col,
			    "unknown certificate field '%s': expected subject, issuer, expires "
			    "or serial",
			    tw_parse_shown(p, &tok));
}

/* After the whole expectation: a version is text ("1.1" is no number). */
int tw_parse_transport_value(parser *p, const tw_expect *e)
{
	if (e->subject != TW_SUBJ_VERSION || e->value.kind != TW_VAL_NUMBER)
		return TW_OK;
	return tw_parse_err(p, e->value.loc.col,
			    "an HTTP version is text: write it in double quotes, like "
			    "expect version == \"%s\"",
			    e->value.text);
}
