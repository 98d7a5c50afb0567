/*
 * VoiceXML grammars: reading a field's or a menu's grammars, and matching
 * keys and speech against them. See grammar.h for what is read and who
 * owns what; the interpreter (vxml.c) decides when to listen.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "channels/ivr/call.h"
#include "channels/ivr/grammar.h"
#include "channels/ivr/vxml.h"
#include "channels/web/html.h"
#include "core/array.h"
#include "core/buf.h"

void tw_grammar_free(vxml_grammar *g)
{
	for (size_t i = 0; i < g->nalts; i++) {
		free(g->alts[i].dtmf);
		free(g->alts[i].phrase);
		free(g->alts[i].text);
		free(g->alts[i].value);
	}
	free(g->alts);
	for (size_t i = 0; i < g->nsrgs; i++)
		tw_srgs_free(g->srgs[i]);
	free(g->srgs);
	free(g->slot);
	memset(g, 0, sizeof(*g));
}

/* Adds an alternative; the strings are copied (NULL ok). */
static int alt_add(vxml_grammar *g, const char *dtmf, const char *text, const char *value,
		   bool approximate, xmlNodePtr node, tw_error *err)
{
	if (g->nalts == VXML_MAX_VARS)
		return tw_error_set(err, TW_ELIMIT, "more than %d grammar alternatives",
				    VXML_MAX_VARS);
	if (tw_array_grow(&g->alts, &g->cap, g->nalts + 1, sizeof(*g->alts)))
		return tw_vxml_nomem(err);
	vxml_alt a = {.approximate = approximate, .node = node};
	a.dtmf = tw_vxml_dup(dtmf);
	a.text = tw_vxml_dup(text);
	if (a.text)
		tw_vxml_squeeze(a.text);
	a.phrase = text && !tw_vxml_blank(text) ? tw_srgs_words(text) : NULL;
	a.value = tw_vxml_dup(value);
	g->alts[g->nalts++] = a;
	if ((dtmf && !a.dtmf) || (text && !a.text) || (text && !tw_vxml_blank(text) && !a.phrase) ||
	    (value && !a.value))
		return tw_vxml_nomem(err);
	return TW_OK;
}

/* A builtin type: "digits?length=4", "boolean", "number". */
static int builtin(vxml *v, xmlNodePtr n, const char *spec, bool dtmf, bool voice,
		   vxml_grammar *g, tw_error *err)
{
	if (g->builtin != B_NONE)
		return tw_vxml_unsupported(v, err, n, "it reads one builtin grammar per field");
	size_t tlen = strcspn(spec, "?");
	if (tlen == 6 && strncmp(spec, "digits", 6) == 0)
		g->builtin = B_DIGITS;
	else if (tlen == 7 && strncmp(spec, "boolean", 7) == 0)
		g->builtin = B_BOOLEAN;
	else if (tlen == 6 && strncmp(spec, "number", 6) == 0)
		g->builtin = B_NUMBER;
	else
		return tw_vxml_unsupported(v, err, n,
				   "it knows the builtin grammars digits, boolean and number");
	g->builtin_dtmf = dtmf;
	g->builtin_voice = voice;
	const char *p = spec + tlen;
	while (*p) {
		p++; /* '?' or ';' */
		char name[32];
		size_t nl = strcspn(p, "=;");
		if (nl >= sizeof(name) || p[nl] != '=')
			return tw_vxml_fail(v, err, n, "cannot read the builtin grammar \"%s\"", spec);
		memcpy(name, p, nl);
		name[nl] = '\0';
		char *end;
		long x = strtol(p + nl + 1, &end, 10);
		if (end == p + nl + 1 || (*end && *end != ';') || x < 0 || x > 1000)
			return tw_vxml_fail(v, err, n, "cannot read the builtin grammar \"%s\"", spec);
		if (strcmp(name, "length") == 0)
			g->minlen = g->maxlen = (int)x;
		else if (strcmp(name, "minlength") == 0)
			g->minlen = (int)x;
		else if (strcmp(name, "maxlength") == 0)
			g->maxlen = (int)x;
		else if (strcmp(name, "y") != 0 && strcmp(name, "n") != 0)
			return tw_vxml_fail(v, err, n, "the builtin grammar \"%s\" has an unknown parameter %s",
				    spec, name);
		p = end;
	}
	return TW_OK;
}

static bool dtmf_keys(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr("0123456789*#", *s))
			return false;
	return true;
}

/* One alternative of a simple grammar: its words, as keys or as speech. */
static int grammar_token_alt(vxml *v, xmlNodePtr n, const char *words, const char *value,
			     bool dtmf, vxml_grammar *g, tw_error *err)
{
	char *w = strdup(words);
	if (!w)
		return tw_vxml_nomem(err);
	tw_vxml_squeeze(w);
	int rc = TW_OK;
	if (!*w) {
		/* an empty item matches nothing a caller can give */
	} else if (dtmf) {
		/* "1 2" is the sequence 1 then 2 */
		char *keys = w, *o = w;
		for (char *r = w; *r; r++)
			if (*r != ' ')
				*o++ = *r;
		*o = '\0';
		if (!dtmf_keys(keys))
			rc = tw_vxml_unsupported(v, err, n, "it reads DTMF grammars that list keys");
		else
			rc = alt_add(g, keys, NULL, value ? value : keys, false, n, err);
	} else {
		rc = alt_add(g, NULL, w, value, false, n, err);
	}
	free(w);
	return rc;
}

/* A plain list: "1 | 2 | 3", or keys separated by spaces. */
static int plain_grammar(vxml *v, xmlNodePtr n, const char *text, bool dtmf, vxml_grammar *g,
			 tw_error *err)
{
	const char *p = text;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '#' && strncmp(p, "#ABNF", 5) == 0)
		return tw_vxml_unsupported(v, err, n, "it reads SRGS items and plain lists, not ABNF");
	const char *seps = strchr(text, '|') ? "|" : (dtmf ? " \t\r\n" : "\r\n");
	char *copy = strdup(text);
	if (!copy)
		return tw_vxml_nomem(err);
	int rc = TW_OK;
	char *save = NULL;
	for (char *tok = strtok_r(copy, seps, &save); tok && !rc; tok = strtok_r(NULL, seps, &save))
		if (!tw_vxml_blank(tok))
			rc = grammar_token_alt(v, n, tok, NULL, dtmf, g, err);
	free(copy);
	return rc;
}

/* ---- SRGS rule grammars (issue 14, SRGS) ---- */

/* A grammar's own references come from the resources the call fetched
 * before the document ran; the fetcher gives their bodies. */
static int fetch_ref(void *ctx, const char *base, const char *ref, const char **body,
		     size_t *len, const char **content_type, tw_error *err)
{
	return tw_call_resource(ctx, base, ref, body, len, content_type, err);
}

static tw_srgs_fetcher srgs_fetcher(vxml *v)
{
	return (tw_srgs_fetcher){fetch_ref, tw_vxml_call(v)};
}

static int srgs_add(vxml_grammar *g, tw_srgs *s, tw_error *err)
{
	if (tw_array_grow(&g->srgs, &g->srgs_cap, g->nsrgs + 1, sizeof(*g->srgs))) {
		tw_srgs_free(s);
		return tw_vxml_nomem(err);
	}
	g->srgs[g->nsrgs++] = s;
	return TW_OK;
}

/* A reading error of grammar_srgs.c as the interpreter's: the limit (a
 * cap of techweek's included) or the fault at the node it names (else at
 * the <grammar>). */
static int srgs_error(vxml *v, xmlNodePtr n, xmlNodePtr at, tw_error *err)
{
	if (err->code == TW_ENOMEM)
		return err->code;
	char *why = tw_vxml_dup(err->message ? err->message : "");
	tw_code code = err->code;
	tw_error_clear(err);
	if (!why)
		return tw_vxml_nomem(err);
	int rc = code == TW_EUNSUPPORTED || code == TW_ELIMIT
			 ? tw_vxml_unsupported(v, err, at ? at : n, why)
			 : tw_vxml_fail(v, err, at ? at : n, "%s", why);
	free(why);
	return rc;
}

static const char *doc_url(xmlNodePtr n)
{
	return n->doc && n->doc->URL ? (const char *)n->doc->URL : "";
}

/* <grammar src="yesno.grxml">: the body fetched before the document ran
 * (a failed fetch is the IVR's fault, as a platform's error.badfetch). */
static int srgs_src(vxml *v, xmlNodePtr n, const char *src, bool dtmf, vxml_grammar *g,
		    tw_error *err)
{
	const char *body = NULL;
	size_t len = 0;
	int rc = tw_call_resource(tw_vxml_call(v), doc_url(n), src, &body, &len, NULL, err);
	if (rc == TW_CALL_NOT_FETCHED) {
		tw_error_clear(err);
		return tw_vxml_unsupported(v, err, n, "it did not fetch this grammar before the "
				   "document ran");
	}
	if (rc == TW_ESERVICE) {
		char *why = tw_vxml_dup(err->message ? err->message : "");
		tw_error_clear(err);
		if (!why)
			return tw_vxml_nomem(err);
		char d[160];
		tw_vxml_describe(v, n, d, sizeof(d));
		rc = tw_vxml_fail(v, err, n, "%s could not be fetched: %s", d, why);
		free(why);
		return rc;
	}
	if (rc)
		return rc;
	char *url = NULL;
	tw_error e = {0};
	rc = tw_url_resolve(doc_url(n), src, &url, &e);
	tw_error_clear(&e);
	if (rc)
		return rc == TW_ENOMEM ? tw_vxml_nomem(err)
				       : tw_vxml_fail(v, err, n, "src=\"%s\" is not a URL", src);
	/* the author's type= says ABNF; what the server calls it does not */
	const char *type = tw_vxml_attr(n, "type");
	tw_srgs *s;
	tw_srgs_fetcher f = srgs_fetcher(v);
	rc = tw_srgs_read_bytes(body, len, type, url, dtmf, &f, &s, err);
	free(url);
	if (rc)
		return srgs_error(v, n, NULL, err);
	return srgs_add(g, s, err);
}

static int srgs_inline(vxml *v, xmlNodePtr n, bool dtmf, vxml_grammar *g, tw_error *err)
{
	tw_srgs *s;
	xmlNodePtr at = NULL;
	tw_srgs_fetcher f = srgs_fetcher(v);
	if (tw_srgs_read_node(n, doc_url(n), dtmf, &f, &s, &at, err))
		return srgs_error(v, n, at, err);
	return srgs_add(g, s, err);
}

static int grammar_element(vxml *v, xmlNodePtr n, vxml_grammar *g, tw_error *err)
{
	const char *mode = tw_vxml_attr(n, "mode");
	bool dtmf = mode && strcmp(mode, "dtmf") == 0;
	if (mode && !dtmf && strcmp(mode, "voice") != 0)
		return tw_vxml_fail(v, err, n, "<grammar mode=\"%s\"> is neither dtmf nor voice", mode);
	if (tw_vxml_attr(n, "srcexpr"))
		return tw_vxml_needs_ecma(v, err, n, "srcexpr", tw_vxml_attr(n, "srcexpr"));
	const char *src = tw_vxml_attr(n, "src");
	if (src) {
		static const char *const prefixes[] = {"builtin:dtmf/", "builtin:voice/",
							"builtin:grammar/", "builtin:"};
		for (size_t i = 0; i < 4; i++) {
			size_t pl = strlen(prefixes[i]);
			if (strncmp(src, prefixes[i], pl) == 0)
				return builtin(v, n, src + pl, i != 1, i != 0, g, err);
		}
		return srgs_src(v, n, src, dtmf, g, err);
	}
	const char *type = tw_vxml_attr(n, "type");
	bool elements = type && strncmp(type, "application/srgs", 16) == 0 &&
			strcmp(type, "application/srgs+xml") != 0;
	for (xmlNodePtr c = n->children; c && !elements; c = c->next)
		elements = c->type == XML_ELEMENT_NODE && !tw_vxml_is(c, "meta") &&
			   !tw_vxml_is(c, "metadata") && !tw_vxml_is(c, "lexicon");
	if (elements)
		return srgs_inline(v, n, dtmf, g, err);
	xmlChar *text = xmlNodeGetContent(n);
	if (!text)
		return tw_vxml_nomem(err);
	int rc = plain_grammar(v, n, (const char *)text, dtmf, g, err);
	xmlFree(text);
	return rc;
}

/* An <option>/<choice>'s words, without nested grammars. */
static int words_of(xmlNodePtr n, char **out, tw_error *err)
{
	tw_buf b;
	tw_buf_init(&b, VXML_MAX_UTTERANCE);
	int rc = tw_vxml_text_of(n, &b, err);
	if (rc) {
		tw_buf_free(&b);
		*out = NULL;
		return rc;
	}
	*out = tw_buf_steal(&b);
	if (!*out)
		return tw_vxml_nomem(err);
	tw_vxml_squeeze(*out);
	return TW_OK;
}

static bool approximate(xmlNodePtr n, xmlNodePtr parent)
{
	const char *a = tw_vxml_attr(n, "accept");
	if (!a)
		a = tw_vxml_attr(parent, "accept");
	return a && strcmp(a, "approximate") == 0;
}

/* A <choice>'s own SRGS grammar, for the alternative just added: it
 * replaces the words of the choice's text (kept for <enumerate>). */
static int choice_grammar(vxml *v, xmlNodePtr n, vxml_grammar *g, tw_error *err)
{
	const char *src = tw_vxml_attr(n, "src");
	bool elements = false;
	for (xmlNodePtr c = n->children; c && !elements; c = c->next)
		elements = c->type == XML_ELEMENT_NODE;
	if ((src && strncmp(src, "builtin:", 8) == 0) || (!src && !elements))
		return tw_vxml_unsupported(v, err, n, "it reads a choice's own grammar when it is SRGS "
				   "(<rule>s, or by src), not a builtin or a plain list");
	const char *mode = tw_vxml_attr(n, "mode");
	bool dtmf = mode && strcmp(mode, "dtmf") == 0;
	size_t before = g->nsrgs;
	int rc = src ? srgs_src(v, n, src, dtmf, g, err) : srgs_inline(v, n, dtmf, g, err);
	if (rc || g->nsrgs != before + 1)
		return rc;
	vxml_alt *a = &g->alts[g->nalts - 1];
	a->srgs = g->srgs[before];
	free(a->phrase);
	a->phrase = NULL;
	return TW_OK;
}

/* Is s a choice's own grammar (matched through its alternative)? */
static bool choice_owned(const vxml_grammar *g, const tw_srgs *s)
{
	for (size_t i = 0; i < g->nalts; i++)
		if (g->alts[i].srgs == s)
			return true;
	return false;
}

/* A menu's choices: dtmf="true" numbers those without keys 1 to 9. */
int tw_grammar_menu(vxml *v, xmlNodePtr menu, vxml_grammar *g, tw_error *err)
{
	const char *auto_keys = tw_vxml_attr(menu, "dtmf");
	int next_key = auto_keys && strcmp(auto_keys, "true") == 0 ? 1 : 10;
	for (xmlNodePtr c = menu->children; c; c = c->next) {
		if (!tw_vxml_is(c, "choice"))
			continue;
		xmlNodePtr own = NULL;
		for (xmlNodePtr k = c->children; k; k = k->next) {
			if (!tw_vxml_is(k, "grammar"))
				continue;
			if (own)
				return tw_vxml_unsupported(v, err, k, "it reads one grammar per choice");
			own = k;
		}
		char key[16] = "";
		const char *dtmf = tw_vxml_attr(c, "dtmf");
		if (!dtmf && next_key <= 9) {
			snprintf(key, sizeof(key), "%d", next_key++);
			dtmf = key;
		}
		if (dtmf && !dtmf_keys(dtmf))
			return tw_vxml_fail(v, err, c, "<choice dtmf=\"%s\"> is not a key sequence", dtmf);
		char *words;
		int rc = words_of(c, &words, err);
		if (!rc)
			rc = alt_add(g, dtmf, words, NULL, approximate(c, menu), c, err);
		free(words);
		if (!rc && own)
			rc = choice_grammar(v, own, g, err);
		if (rc)
			return rc;
	}
	return TW_OK;
}

/* A field's grammars: its type, <grammar>s and <option>s. */
int tw_grammar_field(vxml *v, xmlNodePtr field, vxml_grammar *g, tw_error *err)
{
	int rc;
	const char *type = tw_vxml_attr(field, "type");
	if (type && (rc = builtin(v, field, type, true, true, g, err)))
		return rc;
	for (xmlNodePtr c = field->children; c; c = c->next) {
		if (tw_vxml_is(c, "grammar")) {
			if ((rc = grammar_element(v, c, g, err)))
				return rc;
		} else if (tw_vxml_is(c, "option")) {
			const char *dtmf = tw_vxml_attr(c, "dtmf");
			if (dtmf && !dtmf_keys(dtmf))
				return tw_vxml_fail(v, err, c, "<option dtmf=\"%s\"> is not a key sequence",
					    dtmf);
			char *words;
			if ((rc = words_of(c, &words, err)))
				return rc;
			const char *value = tw_vxml_attr(c, "value");
			rc = alt_add(g, dtmf, words, value ? value : words, approximate(c, field), c,
				     err);
			free(words);
			if (rc)
				return rc;
		}
	}
	const char *slot = tw_vxml_attr(field, "slot");
	if (!slot)
		slot = tw_vxml_attr(field, "name");
	if (slot && !(g->slot = strdup(slot)))
		return tw_vxml_nomem(err);
	if (g->builtin == B_NONE && g->nalts == 0 && g->nsrgs == 0) {
		char d[160];
		tw_vxml_describe(v, field, d, sizeof(d));
		return tw_vxml_fail(v, err, field, "%s has no grammar techweek can listen with", d);
	}
	return TW_OK;
}

bool tw_grammar_dtmf(const vxml_grammar *g)
{
	for (size_t i = 0; i < g->nsrgs; i++)
		if (tw_srgs_dtmf(g->srgs[i]))
			return true;
	if (g->builtin != B_NONE && g->builtin_dtmf)
		return true;
	for (size_t i = 0; i < g->nalts; i++)
		if (g->alts[i].dtmf)
			return true;
	return false;
}

bool tw_grammar_voice(const vxml_grammar *g)
{
	for (size_t i = 0; i < g->nsrgs; i++)
		if (!tw_srgs_dtmf(g->srgs[i]))
			return true;
	if (g->builtin != B_NONE && g->builtin_voice)
		return true;
	for (size_t i = 0; i < g->nalts; i++)
		if (g->alts[i].phrase)
			return true;
	return false;
}

bool tw_grammar_uses_key(const vxml_grammar *g, char key)
{
	for (size_t i = 0; i < g->nsrgs; i++)
		if (tw_srgs_dtmf(g->srgs[i]) && tw_srgs_has_token(g->srgs[i], (char[]){key, '\0'}))
			return true;
	return false;
}

/* The number of keys every DTMF match has, or 0 when it varies. */
int tw_grammar_fixed_keys(const vxml_grammar *g)
{
	int n = 0;
	if (g->builtin == B_DIGITS && g->builtin_dtmf)
		n = g->minlen == g->maxlen ? g->maxlen : -1;
	else if (g->builtin == B_BOOLEAN && g->builtin_dtmf)
		n = 1;
	else if (g->builtin == B_NUMBER && g->builtin_dtmf)
		n = -1;
	for (size_t i = 0; i < g->nalts; i++) {
		if (!g->alts[i].dtmf)
			continue;
		int len = (int)strlen(g->alts[i].dtmf);
		if (n == 0)
			n = len;
		else if (n != len)
			n = -1;
	}
	for (size_t i = 0; i < g->nsrgs; i++) { /* issue 14, SRGS */
		if (!tw_srgs_dtmf(g->srgs[i]))
			continue;
		int len = tw_srgs_fixed_length(g->srgs[i]);
		if (len == 0)
			n = -1; /* it varies: the caller ends it */
		else if (n == 0)
			n = len;
		else if (n != len)
			n = -1;
	}
	return n > 0 ? n : 0;
}

static bool len_ok(const vxml_grammar *g, size_t len)
{
	return len > 0 && (!g->minlen || len >= (size_t)g->minlen) &&
	       (!g->maxlen || len <= (size_t)g->maxlen);
}

/* The first choice whose own grammar, of the mode, matches input. */
static int choice_match(const vxml_grammar *g, bool dtmf, const char *input, char **value,
			const vxml_alt **alt)
{
	for (size_t i = 0; i < g->nalts && !*value; i++) {
		const tw_srgs *s = g->alts[i].srgs;
		if (!s || tw_srgs_dtmf(s) != dtmf)
			continue;
		tw_error e = {0};
		int rc = tw_srgs_match(s, input, g->slot, value, &e);
		tw_error_clear(&e);
		if (rc)
			return rc;
		if (*value)
			*alt = &g->alts[i];
	}
	return TW_OK;
}

/* The first SRGS rule grammar of the mode that matches input. */
static int srgs_match(const vxml_grammar *g, bool dtmf, const char *input, char **value)
{
	for (size_t i = 0; i < g->nsrgs && !*value; i++) {
		if (tw_srgs_dtmf(g->srgs[i]) != dtmf || choice_owned(g, g->srgs[i]))
			continue;
		tw_error e = {0};
		int rc = tw_srgs_match(g->srgs[i], input, g->slot, value, &e);
		tw_error_clear(&e);
		if (rc)
			return rc;
	}
	return TW_OK;
}

/* Keys against the grammar: *value is malloc'd, *alt the alternative. */
int tw_grammar_match_dtmf(const vxml_grammar *g, const char *keys, char **value,
			  const vxml_alt **alt)
{
	*value = NULL;
	*alt = NULL;
	for (size_t i = 0; i < g->nalts; i++) {
		if (g->alts[i].dtmf && strcmp(g->alts[i].dtmf, keys) == 0) {
			*alt = &g->alts[i];
			*value = strdup(g->alts[i].value ? g->alts[i].value : keys);
			return *value ? TW_OK : TW_ENOMEM;
		}
	}
	int rc = choice_match(g, true, keys, value, alt);
	if (!rc && !*value)
		rc = srgs_match(g, true, keys, value);
	if (rc || *value)
		return rc;
	if (!g->builtin_dtmf || !*keys)
		return TW_OK;
	size_t len = strlen(keys);
	if (g->builtin == B_DIGITS) {
		if (strspn(keys, "0123456789") == len && len_ok(g, len))
			*value = strdup(keys);
	} else if (g->builtin == B_BOOLEAN) {
		if (strcmp(keys, "1") == 0)
			*value = strdup("true");
		else if (strcmp(keys, "2") == 0)
			*value = strdup("false");
	} else if (g->builtin == B_NUMBER) {
		/* '*' is the decimal point */
		const char *star = strchr(keys, '*');
		if (strspn(keys, "0123456789*") == len && (!star || !strchr(star + 1, '*')) &&
		    keys[0] != '*' && keys[len - 1] != '*') {
			*value = strdup(keys);
			if (*value && star)
				(*value)[star - keys] = '.';
		}
	}
	return TW_OK;
}

/* Spoken digits ("four two", "42", "oh seven") as a digit string. */
static char *spoken_digits(const char *phrase, bool point)
{
	static const char *const words[] = {"zero", "one", "two", "three", "four",
					    "five", "six", "seven", "eight", "nine"};
	char *out = calloc(strlen(phrase) + 1, 1);
	char *copy = strdup(phrase);
	if (!out || !copy) {
		free(out);
		free(copy);
		return NULL;
	}
	size_t o = 0;
	bool ok = true, dot = false;
	char *save = NULL;
	for (char *w = strtok_r(copy, " ", &save); w && ok; w = strtok_r(NULL, " ", &save)) {
		if (strspn(w, "0123456789") == strlen(w)) {
			memcpy(out + o, w, strlen(w));
			o += strlen(w);
			continue;
		}
		int d = -1;
		for (int i = 0; i < 10; i++)
			if (strcmp(w, words[i]) == 0)
				d = i;
		if (strcmp(w, "oh") == 0 || strcmp(w, "o") == 0)
			d = 0;
		if (d >= 0) {
			out[o++] = (char)('0' + d);
		} else if (point && !dot && strcmp(w, "point") == 0 && o > 0) {
			out[o++] = '.';
			dot = true;
		} else {
			ok = false;
		}
	}
	free(copy);
	if (!ok || o == 0 || out[o - 1] == '.') {
		free(out);
		return strdup("");
	}
	return out;
}

/* Is every word of said in words, in order? (accept="approximate") */
static bool subphrase(const char *said, const char *words)
{
	const char *w = words;
	size_t slen = strlen(said), i = 0;
	while (i < slen) {
		size_t n = strcspn(said + i, " ");
		bool found = false;
		while (*w) {
			size_t m = strcspn(w, " ");
			bool same = m == n && strncmp(w, said + i, n) == 0;
			w += m;
			while (*w == ' ')
				w++;
			if (same) {
				found = true;
				break;
			}
		}
		if (!found)
			return false;
		i += n;
		while (said[i] == ' ')
			i++;
	}
	return slen > 0;
}

int tw_grammar_match_speech(const vxml_grammar *g, const char *phrase, char **value,
			    const vxml_alt **alt)
{
	*value = NULL;
	*alt = NULL;
	char *said = tw_srgs_words(phrase);
	if (!said)
		return TW_ENOMEM;
	for (size_t i = 0; i < g->nalts && !*alt; i++) {
		const vxml_alt *a = &g->alts[i];
		if (a->phrase && (strcmp(a->phrase, said) == 0 ||
				  (a->approximate && subphrase(said, a->phrase))))
			*alt = a;
	}
	int rc = TW_OK;
	if (*alt) {
		*value = strdup((*alt)->value ? (*alt)->value : (*alt)->text);
		if (!*value)
			rc = TW_ENOMEM;
	} else if ((rc = choice_match(g, false, phrase, value, alt)) || *value ||
		   (rc = srgs_match(g, false, phrase, value)) || *value) {
		/* an SRGS rule grammar matched, or failed */
	} else if (g->builtin_voice && g->builtin == B_BOOLEAN) {
		if (strcmp(said, "yes") == 0 || strcmp(said, "true") == 0)
			*value = strdup("true");
		else if (strcmp(said, "no") == 0 || strcmp(said, "false") == 0)
			*value = strdup("false");
	} else if (g->builtin_voice && g->builtin != B_NONE) {
		char *digits = spoken_digits(said, g->builtin == B_NUMBER);
		if (!digits)
			rc = TW_ENOMEM;
		else if (*digits && (g->builtin == B_NUMBER || len_ok(g, strlen(digits))))
			*value = digits;
		else
			free(digits);
	}
	free(said);
	return rc;
}

/* ---- issue 14, F2 ---- */

bool tw_grammar_dtmf_longer(const vxml_grammar *g, const char *keys)
{
	size_t len = strlen(keys);
	if (g->builtin_dtmf && g->builtin == B_NUMBER)
		return true;
	if (g->builtin_dtmf && g->builtin == B_DIGITS && strspn(keys, "0123456789") == len &&
	    (!g->maxlen || len < (size_t)g->maxlen))
		return true;
	for (size_t i = 0; i < g->nalts; i++) {
		const char *d = g->alts[i].dtmf;
		if (d && strlen(d) > len && strncmp(d, keys, len) == 0)
			return true;
	}
	for (size_t i = 0; i < g->nsrgs; i++) {
		if (!tw_srgs_dtmf(g->srgs[i]))
			continue;
		int fixed = tw_srgs_fixed_length(g->srgs[i]);
		if (fixed == 0 || (size_t)fixed > len)
			return true;
	}
	return false;
}
