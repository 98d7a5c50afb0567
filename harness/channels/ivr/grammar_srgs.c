/*
 * SRGS XML grammars: read into a rule graph, matched by a backtracking walk
 * whose path is replayed to run the semantic tags. See grammar_srgs.h for
 * what is read and who owns what.
 *
 * Why replay: tags must run once, along the one parse that matched, not on
 * every branch the walk tried; so the walk records a trail (tokens, rule
 * entries and exits, tags) and the tags run on the trail of the first
 * complete parse.
 */
#include <ctype.h>
#include <curl/curl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "channels/ivr/call.h" /* issue 14, F3: tw_call_parse_xml */
#include "channels/ivr/grammar_srgs.h"
#include "core/array.h"

enum nkind { N_TOKEN, N_SEQ, N_ONEOF, N_REF, N_TAG, N_NULL, N_VOID };
enum tkind { T_STR, T_NUM, T_BOOL, T_OUT, T_RULE, T_LATEST, T_TEXT };

typedef struct term {
	enum tkind kind;
	char *s;    /* T_STR; T_RULE: the rule's name */
	double num; /* T_NUM, T_BOOL */
	char *prop; /* T_OUT, T_RULE, T_LATEST: .PROP, or NULL */
} term;

typedef struct stmt {
	char *prop; /* out.PROP = ...; NULL: out = ... */
	bool append; /* += */
	term *terms;
	size_t nterms, cap;
} stmt;

typedef struct node {
	enum nkind kind;
	int min, max; /* repeat; max < 0: unbounded */
	char *text;   /* N_TOKEN: one word or key; N_TAG literal; N_REF: rules.NAME */
	size_t target; /* N_REF: the rule's index, once resolved */
	size_t *kids;
	size_t nkids, kcap;
	stmt *stmts; /* N_TAG in script format */
	size_t nstmts, scap;
	bool literal; /* N_TAG: text is the value */
} node;

typedef struct rule {
	size_t doc;
	char *id;
	size_t body;
} rule;

typedef struct doc {
	char *url; /* absolute, no fragment */
	bool dtmf;
	size_t root; /* its root= rule, else its first */
} doc;

/* A reference to resolve once every rule of its grammar is read. */
typedef struct pending_ref {
	size_t node, doc;
	char *uri;
	long line;
} pending_ref;

struct tw_srgs {
	node *nodes;
	size_t nnodes, ncap;
	rule *rules;
	size_t nrules, rcap;
	doc *docs;
	size_t ndocs, dcap;
	size_t root; /* rule index */
	bool dtmf;
};

/* Reading state: where a problem is reported. */
typedef struct reader {
	tw_srgs *g;
	const tw_srgs_fetcher *f;
	pending_ref *refs;
	size_t nrefs, refcap;
	size_t doc;        /* the grammar being read */
	bool inline_doc;   /* doc 0 read from the VoiceXML document */
	xmlNodePtr *at;    /* inline: the node at fault */
	bool literals;     /* tag-format semantics/1.0-literals */
	tw_error *err;
} reader;

/* ---- errors ---- */

/* A problem at n: inline, *at names the node; in a fetched grammar the
 * message names its URL and line. */
__attribute__((format(printf, 4, 5))) static int problem(reader *r, tw_code code, xmlNodePtr n,
							  const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->inline_doc && r->doc == 0) {
		if (r->at)
			*r->at = n;
		return tw_error_set(r->err, code, "%s", msg);
	}
	long line = n ? xmlGetLineNo(n) : 0;
	if (line > 0)
		return tw_error_set(r->err, code, "%s (line %ld of %s)", msg, line,
				    r->g->docs[r->doc].url);
	return tw_error_set(r->err, code, "%s (in %s)", msg, r->g->docs[r->doc].url);
}

static int nomem(reader *r)
{
	return tw_error_set(r->err, TW_ENOMEM, "out of memory");
}

/* ---- building ---- */

static bool is(xmlNodePtr n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static const char *attr(xmlNodePtr n, const char *name)
{
	for (xmlAttrPtr a = n->properties; a; a = a->next)
		if (strcmp((const char *)a->name, name) == 0 && a->children &&
		    a->children->type == XML_TEXT_NODE)
			return (const char *)a->children->content;
	return NULL;
}

static int node_new(reader *r, enum nkind kind, size_t *out)
{
	tw_srgs *g = r->g;
	if (g->nnodes >= TW_SRGS_MAX_NODES)
		return tw_error_set(r->err, TW_ELIMIT, "it reads grammars of at most %d parts "
				    "(rules, items, words and tags)", TW_SRGS_MAX_NODES);
	if (tw_array_grow(&g->nodes, &g->ncap, g->nnodes + 1, sizeof(*g->nodes)))
		return nomem(r);
	g->nodes[g->nnodes] = (node){.kind = kind, .min = 1, .max = 1};
	*out = g->nnodes++;
	return TW_OK;
}

static int kid_add(reader *r, size_t parent, size_t kid)
{
	node *p = &r->g->nodes[parent];
	if (tw_array_grow(&p->kids, &p->kcap, p->nkids + 1, sizeof(*p->kids)))
		return nomem(r);
	p->kids[p->nkids++] = kid;
	return TW_OK;
}

char *tw_srgs_words(const char *s)
{
	if (!s)
		s = "";
	size_t n = strlen(s);
	char *out = malloc(n + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	bool space = true;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) || c == '\'') {
			out[o++] = (char)tolower(c);
			space = false;
		} else if (!space) {
			out[o++] = ' ';
			space = true;
		}
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	return out;
}

static bool dtmf_key(char c)
{
	return c && strchr("0123456789*#", c) != NULL;
}

/* Text inside a rule: one token per word (voice) or per key (DTMF). */
static int tokens(reader *r, xmlNodePtr at, size_t seq, const char *text)
{
	if (r->g->docs[r->doc].dtmf) {
		for (const char *p = text; *p; p++) {
			if (isspace((unsigned char)*p))
				continue;
			if (!dtmf_key(*p))
				return problem(r, TW_ESERVICE, at,
					       "the DTMF grammar has \"%c\", which is not a key (0-9, *, #)",
					       *p);
			size_t t;
			int rc = node_new(r, N_TOKEN, &t);
			if (!rc && !(r->g->nodes[t].text = strndup(p, 1)))
				rc = nomem(r);
			if (rc || (rc = kid_add(r, seq, t)))
				return rc;
		}
		return TW_OK;
	}
	char *words = tw_srgs_words(text);
	if (!words)
		return nomem(r);
	int rc = TW_OK;
	char *save = NULL;
	for (char *w = strtok_r(words, " ", &save); w && !rc; w = strtok_r(NULL, " ", &save)) {
		size_t t;
		rc = node_new(r, N_TOKEN, &t);
		if (!rc && !(r->g->nodes[t].text = strdup(w)))
			rc = nomem(r);
		if (!rc)
			rc = kid_add(r, seq, t);
	}
	free(words);
	return rc;
}

/* repeat="n", "n-m", "n-" */
static int repeat(reader *r, xmlNodePtr item, node *n)
{
	const char *s = attr(item, "repeat");
	if (!s)
		return TW_OK;
	char *end;
	long lo = strtol(s, &end, 10), hi = lo;
	if (end == s || lo < 0)
		goto bad;
	if (*end == '-') {
		const char *p = end + 1;
		if (!*p) {
			hi = -1;
			end = (char *)p;
		} else {
			hi = strtol(p, &end, 10);
			if (end == p || hi < lo)
				goto bad;
		}
	}
	if (*end || lo > 1000 || hi > 1000)
		goto bad;
	if (hi == 0)
		return problem(r, TW_ESERVICE, item, "<item repeat=\"%s\"> can never match", s);
	n->min = (int)lo;
	n->max = (int)hi;
	return TW_OK;
bad:
	return problem(r, TW_ESERVICE, item,
		       "<item repeat=\"%s\"> is not a count (n, n-m or n-, up to 1000)", s);
}

/* ---- tags ---- */

static void skip_space(const char **p)
{
	while (isspace((unsigned char)**p))
		(*p)++;
}

static bool ident(const char **p, char *out, size_t size)
{
	const char *s = *p;
	size_t n = 0;
	if (!isalpha((unsigned char)*s) && *s != '_' && *s != '$')
		return false;
	while (isalnum((unsigned char)s[n]) || s[n] == '_' || s[n] == '$')
		n++;
	if (n >= size)
		return false;
	memcpy(out, s, n);
	out[n] = '\0';
	*p = s + n;
	return true;
}

static bool word(const char **p, const char *w)
{
	size_t n = strlen(w);
	if (strncmp(*p, w, n) != 0 || isalnum((unsigned char)(*p)[n]) || (*p)[n] == '_')
		return false;
	*p += n;
	return true;
}

/* ".NAME" after out/rules.x/latest(), or nothing. */
static bool prop_of(const char **p, char **prop, bool *nomem_out)
{
	*prop = NULL;
	skip_space(p);
	if (**p != '.')
		return true;
	(*p)++;
	skip_space(p);
	char name[64];
	if (!ident(p, name, sizeof(name)))
		return false;
	*prop = strdup(name);
	if (!*prop)
		*nomem_out = true;
	return *prop != NULL;
}

static bool term_parse(const char **p, term *t, bool *oom)
{
	memset(t, 0, sizeof(*t));
	skip_space(p);
	const char *s = *p;
	if (*s == '"' || *s == '\'') {
		const char *e = strchr(s + 1, *s);
		if (!e || memchr(s + 1, '\\', (size_t)(e - s - 1)))
			return false;
		t->kind = T_STR;
		t->s = strndup(s + 1, (size_t)(e - s - 1));
		*oom = !t->s;
		*p = e + 1;
		return t->s != NULL;
	}
	if (isdigit((unsigned char)*s) || (*s == '-' && isdigit((unsigned char)s[1]))) {
		char *end;
		t->kind = T_NUM;
		t->num = strtod(s, &end);
		*p = end;
		return true;
	}
	if (word(p, "true") || word(p, "false")) {
		t->kind = T_BOOL;
		t->num = s[0] == 't';
		return true;
	}
	if (word(p, "out")) {
		t->kind = T_OUT;
		return prop_of(p, &t->prop, oom);
	}
	if (word(p, "meta")) {
		skip_space(p);
		const char *want[] = {".", "current", "(", ")", ".", "text"};
		for (size_t i = 0; i < 6; i++) {
			skip_space(p);
			size_t n = strlen(want[i]);
			if (strncmp(*p, want[i], n) != 0)
				return false;
			*p += n;
		}
		t->kind = T_TEXT;
		return true;
	}
	if (word(p, "rules")) {
		skip_space(p);
		if (**p != '.')
			return false;
		(*p)++;
		skip_space(p);
		char name[64];
		if (!ident(p, name, sizeof(name)))
			return false;
		if (strcmp(name, "latest") == 0) {
			skip_space(p);
			if (**p != '(')
				return false;
			(*p)++;
			skip_space(p);
			if (**p != ')')
				return false;
			(*p)++;
			t->kind = T_LATEST;
		} else {
			t->kind = T_RULE;
			if (!(t->s = strdup(name))) {
				*oom = true;
				return false;
			}
		}
		return prop_of(p, &t->prop, oom);
	}
	return false;
}

static void stmt_free(stmt *s)
{
	for (size_t i = 0; i < s->nterms; i++) {
		free(s->terms[i].s);
		free(s->terms[i].prop);
	}
	free(s->terms);
	free(s->prop);
}

/* One statement; *p moves past it. A statement that is only a string
 * literal does nothing (as in JavaScript). */
static bool stmt_parse(const char **p, stmt *st, bool *oom, bool *noop)
{
	memset(st, 0, sizeof(*st));
	*noop = false;
	skip_space(p);
	const char *s = *p;
	if (*s == '"' || *s == '\'') {
		term t;
		if (!term_parse(p, &t, oom))
			return false;
		free(t.s);
		*noop = true;
		return true;
	}
	if (!word(p, "out"))
		return false;
	skip_space(p);
	if (!prop_of(p, &st->prop, oom))
		return false;
	skip_space(p);
	if (**p == '+' && (*p)[1] == '=') {
		st->append = true;
		*p += 2;
	} else if (**p == '=' && (*p)[1] != '=') {
		(*p)++;
	} else {
		return false;
	}
	for (;;) {
		if (tw_array_grow(&st->terms, &st->cap, st->nterms + 1, sizeof(*st->terms))) {
			*oom = true;
			return false;
		}
		if (!term_parse(p, &st->terms[st->nterms], oom)) {
			st->nterms++; /* freed with the statement */
			return false;
		}
		st->nterms++;
		skip_space(p);
		if (**p != '+')
			break;
		(*p)++;
	}
	return true;
}

static int tag(reader *r, xmlNodePtr at, size_t seq)
{
	xmlChar *content = xmlNodeGetContent(at);
	if (!content)
		return nomem(r);
	size_t t;
	int rc = node_new(r, N_TAG, &t);
	if (rc) {
		xmlFree(content);
		return rc;
	}
	node *n = &r->g->nodes[t];
	if (r->literals) {
		/* a literal keeps its case: only whitespace collapses */
		n->literal = true;
		n->text = strdup((const char *)content);
		if (n->text) {
			char *w = n->text;
			bool space = true;
			for (const char *c = n->text; *c; c++) {
				if (isspace((unsigned char)*c)) {
					if (!space)
						*w++ = ' ';
					space = true;
				} else {
					*w++ = *c;
					space = false;
				}
			}
			if (w > n->text && w[-1] == ' ')
				w--;
			*w = '\0';
		}
		xmlFree(content);
		return n->text ? kid_add(r, seq, t) : nomem(r);
	}
	const char *p = (const char *)content;
	bool oom = false;
	for (;;) {
		skip_space(&p);
		if (!*p)
			break;
		if (*p == ';') {
			p++;
			continue;
		}
		stmt st;
		bool noop;
		bool ok = stmt_parse(&p, &st, &oom, &noop);
		skip_space(&p);
		if (ok && *p && *p != ';')
			ok = false;
		if (ok && !noop) {
			n = &r->g->nodes[t];
			if (tw_array_grow(&n->stmts, &n->scap, n->nstmts + 1, sizeof(*n->stmts))) {
				oom = true;
				ok = false;
			} else {
				n->stmts[n->nstmts++] = st;
				continue;
			}
		}
		if (!ok) {
			stmt_free(&st);
			if (oom) {
				xmlFree(content);
				return nomem(r);
			}
			rc = problem(r, TW_EUNSUPPORTED, at,
				     "it reads semantic tags of the forms out = \"x\", out.name = \"x\", "
				     "out += rules.r and tag-format=\"semantics/1.0-literals\", not "
				     "\"%.80s\" (ECMAScript); rehearse this step by hand, or against a "
				     "grammar without such tags",
				     (const char *)content);
			xmlFree(content);
			return rc;
		}
	}
	xmlFree(content);
	return kid_add(r, seq, t);
}

/* ---- rules ---- */

static int seq_of(reader *r, xmlNodePtr parent, size_t *out);

static int ruleref(reader *r, xmlNodePtr at, size_t seq)
{
	const char *special = attr(at, "special");
	const char *uri = attr(at, "uri");
	size_t n;
	int rc;
	if (special) {
		if (strcmp(special, "NULL") == 0)
			rc = node_new(r, N_NULL, &n);
		else if (strcmp(special, "VOID") == 0)
			rc = node_new(r, N_VOID, &n);
		else if (strcmp(special, "GARBAGE") == 0)
			return problem(r, TW_EUNSUPPORTED, at,
				       "it does not match GARBAGE (words the grammar does not "
				       "list); the caller's words must be the grammar's");
		else
			return problem(r, TW_ESERVICE, at, "<ruleref special=\"%s\"> is not NULL, VOID "
				       "or GARBAGE", special);
		return rc ? rc : kid_add(r, seq, n);
	}
	if (!uri || !*uri)
		return problem(r, TW_ESERVICE, at, "<ruleref> without uri or special");
	if ((rc = node_new(r, N_REF, &n)))
		return rc;
	if (tw_array_grow(&r->refs, &r->refcap, r->nrefs + 1, sizeof(*r->refs)))
		return nomem(r);
	pending_ref *p = &r->refs[r->nrefs];
	*p = (pending_ref){.node = n, .doc = r->doc, .uri = strdup(uri), .line = xmlGetLineNo(at)};
	if (!p->uri)
		return nomem(r);
	r->nrefs++;
	/* rules.NAME is the referenced rule's id (the fragment) */
	const char *hash = strrchr(uri, '#');
	const char *name = hash ? hash + 1 : uri;
	if (!(r->g->nodes[n].text = strdup(name)))
		return nomem(r);
	return kid_add(r, seq, n);
}

/* A rule's or an item's content in order. */
static int seq_of(reader *r, xmlNodePtr parent, size_t *out)
{
	size_t seq;
	int rc = node_new(r, N_SEQ, &seq);
	for (xmlNodePtr c = parent->children; c && !rc; c = c->next) {
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
			rc = tokens(r, parent, seq, (const char *)c->content);
		} else if (c->type != XML_ELEMENT_NODE) {
			continue;
		} else if (is(c, "token")) {
			xmlChar *t = xmlNodeGetContent(c);
			rc = t ? tokens(r, c, seq, (const char *)t) : nomem(r);
			xmlFree(t);
		} else if (is(c, "item")) {
			size_t item;
			if (!(rc = seq_of(r, c, &item)) &&
			    !(rc = repeat(r, c, &r->g->nodes[item])))
				rc = kid_add(r, seq, item);
		} else if (is(c, "one-of")) {
			size_t alt;
			if ((rc = node_new(r, N_ONEOF, &alt)))
				break;
			for (xmlNodePtr i = c->children; i && !rc; i = i->next) {
				if (is(i, "item")) {
					size_t item;
					if (!(rc = seq_of(r, i, &item)) &&
					    !(rc = repeat(r, i, &r->g->nodes[item])))
						rc = kid_add(r, alt, item);
				} else if (i->type == XML_ELEMENT_NODE) {
					rc = problem(r, TW_ESERVICE, i,
						     "<one-of> holds <%s>; it may hold only <item>s",
						     (const char *)i->name);
				}
			}
			if (!rc && r->g->nodes[alt].nkids == 0)
				rc = problem(r, TW_ESERVICE, c, "<one-of> without an <item>");
			if (!rc)
				rc = kid_add(r, seq, alt);
		} else if (is(c, "ruleref")) {
			rc = ruleref(r, c, seq);
		} else if (is(c, "tag")) {
			rc = tag(r, c, seq);
		} else if (is(c, "example") || is(c, "meta") || is(c, "metadata")) {
			continue;
		} else if (is(c, "lexicon")) {
			continue;
		} else {
			rc = problem(r, TW_EUNSUPPORTED, c, "it does not read <%s> in a grammar rule",
				     (const char *)c->name);
		}
	}
	*out = seq;
	return rc;
}

static ptrdiff_t rule_find(const tw_srgs *g, size_t doc, const char *id)
{
	for (size_t i = 0; i < g->nrules && *id; i++)
		if (g->rules[i].doc == doc && strcmp(g->rules[i].id, id) == 0)
			return (ptrdiff_t)i;
	return -1;
}

/* The <grammar> element's rules, as document r->doc; its root: the rule
 * named by root=, else the first. */
static int read_grammar(reader *r, xmlNodePtr grammar)
{
	const char *fmt = attr(grammar, "tag-format");
	r->literals = fmt && strcmp(fmt, "semantics/1.0-literals") == 0;
	if (fmt && !r->literals && strncmp(fmt, "semantics/1.0", 13) != 0)
		return problem(r, TW_EUNSUPPORTED, grammar,
			       "it reads the tag formats semantics/1.0 and semantics/1.0-literals, "
			       "not %s", fmt);
	ptrdiff_t first = -1;
	bool any = false;
	for (xmlNodePtr c = grammar->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || is(c, "meta") || is(c, "metadata") ||
		    is(c, "lexicon") || is(c, "tag"))
			continue;
		any = true;
		if (!is(c, "rule"))
			return problem(r, TW_ESERVICE, c, "a grammar holds <rule>s, not <%s>",
				       (const char *)c->name);
		/* SRGS wants an id; platforms take a lone rule without one, so
		 * does techweek (no reference can name it) */
		const char *id = attr(c, "id");
		if (!id)
			id = "";
		if (*id && rule_find(r->g, r->doc, id) >= 0)
			return problem(r, TW_ESERVICE, c, "two rules have the id \"%s\"", id);
		int rc;
		size_t body;
		if ((rc = seq_of(r, c, &body)))
			return rc;
		tw_srgs *g = r->g;
		if (tw_array_grow(&g->rules, &g->rcap, g->nrules + 1, sizeof(*g->rules)))
			return nomem(r);
		g->rules[g->nrules] = (rule){.doc = r->doc, .id = strdup(id), .body = body};
		if (!g->rules[g->nrules].id)
			return nomem(r);
		if (first < 0)
			first = (ptrdiff_t)g->nrules;
		g->nrules++;
	}
	(void)any;
	const char *want = attr(grammar, "root");
	if (want) {
		ptrdiff_t i = rule_find(r->g, r->doc, want);
		if (i < 0)
			return problem(r, TW_ESERVICE, grammar, "root=\"%s\" names no rule of the grammar",
				       want);
		r->g->docs[r->doc].root = (size_t)i;
		return TW_OK;
	}
	if (first < 0)
		return problem(r, TW_ESERVICE, grammar, "the grammar has no <rule>");
	r->g->docs[r->doc].root = (size_t)first;
	return TW_OK;
}

/* The absolute URL of ref against base, without its fragment (malloc'd). */
static char *resolve(const char *base, const char *ref)
{
	CURLU *h = curl_url();
	char *abs = NULL, *out = NULL;
	if (h && curl_url_set(h, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(h, CURLUPART_URL, ref, 0) == CURLUE_OK &&
	    curl_url_set(h, CURLUPART_FRAGMENT, NULL, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_URL, &abs, 0) == CURLUE_OK)
		out = strdup(abs);
	curl_free(abs);
	curl_url_cleanup(h);
	return out;
}

/* ABNF by the type the author gave (type=), or by a body that is not XML
 * (servers mislabel grammars; the bytes decide). */
static bool abnf(const char *body, size_t len, const char *type)
{
	if (type && strncmp(type, "application/srgs", 16) == 0 &&
	    strncmp(type, "application/srgs+xml", 20) != 0)
		return true;
	size_t i = 0;
	while (i < len && isspace((unsigned char)body[i]))
		i++;
	/* a UTF-8 byte order mark before the XML */
	if (i + 3 <= len && (unsigned char)body[i] == 0xEF)
		i += 3;
	return i >= len || body[i] != '<';
}

static int doc_add(reader *r, const char *url, bool dtmf, size_t *out)
{
	tw_srgs *g = r->g;
	if (g->ndocs >= TW_SRGS_MAX_DOCS)
		return tw_error_set(r->err, TW_ELIMIT, "it follows at most %d grammars referring "
				    "to each other", TW_SRGS_MAX_DOCS);
	if (tw_array_grow(&g->docs, &g->dcap, g->ndocs + 1, sizeof(*g->docs)))
		return nomem(r);
	g->docs[g->ndocs] = (doc){.url = strdup(url ? url : ""), .dtmf = dtmf};
	if (!g->docs[g->ndocs].url)
		return nomem(r);
	*out = g->ndocs++;
	return TW_OK;
}

/* A fetched grammar's body as document d. */
static int read_body(reader *r, size_t d, const char *body, size_t len, const char *type)
{
	size_t saved = r->doc;
	r->doc = d;
	int rc;
	if (abnf(body, len, type)) {
		/* the whole grammar: its URL says where, no line does */
		rc = tw_error_set(r->err, TW_EUNSUPPORTED,
				  "it reads SRGS grammars written in XML, not ABNF (%s); rehearse "
				  "this step against an XML version of the grammar, or by hand",
				  r->g->docs[d].url);
		r->doc = saved;
		return rc;
	}
	if (len > INT32_MAX) {
		r->doc = saved;
		return tw_error_set(r->err, TW_ELIMIT, "it reads grammars of up to 2 GiB");
	}
	/* as the call reads documents (call.c): no network, no messages */
	xmlDocPtr x = tw_call_parse_xml(body, len, r->g->docs[d].url, NULL, 0); /* issue 14, F3 */
	xmlNodePtr top = x ? xmlDocGetRootElement(x) : NULL;
	if (!top) {
		rc = problem(r, TW_ESERVICE, NULL, "the grammar is not well-formed XML");
	} else if (!is(top, "grammar")) {
		rc = problem(r, TW_ESERVICE, top, "the grammar's root element is <%s>, not <grammar>",
			     (const char *)top->name);
	} else {
		const char *mode = attr(top, "mode");
		if (mode && strcmp(mode, "dtmf") != 0 && strcmp(mode, "voice") != 0)
			rc = problem(r, TW_ESERVICE, top, "<grammar mode=\"%s\"> is neither dtmf nor voice",
				     mode);
		else {
			if (mode)
				r->g->docs[d].dtmf = strcmp(mode, "dtmf") == 0;
			rc = read_grammar(r, top);
		}
	}
	xmlFreeDoc(x);
	r->doc = saved;
	return rc;
}

/* References in the order read; resolving one may read a grammar that
 * adds more (the loop sees them). */
static int resolve_refs(reader *r)
{
	for (size_t i = 0; i < r->nrefs; i++) {
		pending_ref *p = &r->refs[i];
		const char *uri = p->uri;
		const char *hash = strchr(uri, '#');
		ptrdiff_t found = -1;
		r->doc = p->doc;
		if (uri[0] == '#') {
			found = rule_find(r->g, p->doc, uri + 1);
			if (found < 0)
				return problem(r, TW_ESERVICE, NULL,
					       "<ruleref uri=\"%s\"> at line %ld names no rule of its grammar",
					       uri, p->line);
		} else {
			char *ref = hash ? strndup(uri, (size_t)(hash - uri)) : strdup(uri);
			char *abs = ref ? resolve(r->g->docs[p->doc].url, ref) : NULL;
			if (!abs) {
				free(ref);
				return ref ? problem(r, TW_ESERVICE, NULL,
						     "<ruleref uri=\"%s\"> at line %ld is not a URL", uri,
						     p->line)
					   : nomem(r);
			}
			size_t d = r->g->ndocs;
			for (size_t k = 0; k < r->g->ndocs; k++)
				if (strcmp(r->g->docs[k].url, abs) == 0)
					d = k;
			int rc = TW_OK;
			if (d == r->g->ndocs) {
				const char *body = NULL, *type = NULL;
				size_t len = 0;
				if (!r->f || !r->f->fetch) {
					rc = problem(r, TW_EUNSUPPORTED, NULL,
						     "it does not fetch the grammar %s that <ruleref> at "
						     "line %ld names", abs, p->line);
				} else if ((rc = r->f->fetch(r->f->ctx, r->g->docs[p->doc].url, ref, &body,
							     &len, &type, r->err))) {
					if (rc != TW_ESERVICE && rc != TW_ENOMEM) {
						tw_error_clear(r->err);
						rc = problem(r, TW_EUNSUPPORTED, NULL,
							     "it fetches the grammars a document names "
							     "before it runs, not %s that <ruleref> at line "
							     "%ld names inside a grammar",
							     abs, p->line);
					}
				} else if (!(rc = doc_add(r, abs, r->g->docs[p->doc].dtmf, &d))) {
					rc = read_body(r, d, body, len, type);
				}
				p = &r->refs[i]; /* reading may have grown refs */
			}
			if (!rc) {
				if (hash && hash[1]) {
					found = rule_find(r->g, d, hash + 1);
					if (found < 0)
						rc = problem(r, TW_ESERVICE, NULL,
							     "<ruleref uri=\"%s\"> at line %ld names no rule "
							     "of %s",
							     p->uri, p->line, abs);
				} else {
					found = (ptrdiff_t)r->g->docs[d].root;
				}
			}
			free(ref);
			free(abs);
			if (rc)
				return rc;
		}
		r->g->nodes[p->node].target = (size_t)found;
	}
	return TW_OK;
}

static void reader_done(reader *r)
{
	for (size_t i = 0; i < r->nrefs; i++)
		free(r->refs[i].uri);
	free(r->refs);
}

void tw_srgs_free(tw_srgs *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nnodes; i++) {
		node *n = &g->nodes[i];
		free(n->text);
		free(n->kids);
		for (size_t k = 0; k < n->nstmts; k++)
			stmt_free(&n->stmts[k]);
		free(n->stmts);
	}
	free(g->nodes);
	for (size_t i = 0; i < g->nrules; i++)
		free(g->rules[i].id);
	free(g->rules);
	for (size_t i = 0; i < g->ndocs; i++)
		free(g->docs[i].url);
	free(g->docs);
	free(g);
}

int tw_srgs_read_node(xmlNodePtr grammar, const char *url, bool dtmf_default,
		      const tw_srgs_fetcher *f, tw_srgs **out, xmlNodePtr *at, tw_error *err)
{
	*out = NULL;
	if (at)
		*at = NULL;
	tw_srgs *g = calloc(1, sizeof(*g));
	if (!g)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	reader r = {.g = g, .f = f, .inline_doc = true, .at = at, .err = err};
	size_t d;
	const char *mode = attr(grammar, "mode");
	int rc = doc_add(&r, url, mode ? strcmp(mode, "dtmf") == 0 : dtmf_default, &d);
	if (!rc && mode && strcmp(mode, "dtmf") != 0 && strcmp(mode, "voice") != 0)
		rc = problem(&r, TW_ESERVICE, grammar, "<grammar mode=\"%s\"> is neither dtmf nor voice",
			     mode);
	const char *type = attr(grammar, "type");
	if (!rc && type && strncmp(type, "application/srgs", 16) == 0 &&
	    strcmp(type, "application/srgs+xml") != 0)
		rc = problem(&r, TW_EUNSUPPORTED, grammar,
			     "it reads SRGS grammars written in XML, not ABNF; rehearse this step "
			     "against an XML version of the grammar, or by hand");
	if (!rc)
		rc = read_grammar(&r, grammar);
	if (!rc)
		rc = resolve_refs(&r);
	reader_done(&r);
	if (rc) {
		tw_srgs_free(g);
		return rc;
	}
	g->dtmf = g->docs[0].dtmf;
	g->root = g->docs[0].root;
	*out = g;
	return TW_OK;
}

int tw_srgs_read_bytes(const char *body, size_t len, const char *content_type,
		       const char *url, bool dtmf_default, const tw_srgs_fetcher *f,
		       tw_srgs **out, tw_error *err)
{
	*out = NULL;
	tw_srgs *g = calloc(1, sizeof(*g));
	if (!g)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	reader r = {.g = g, .f = f, .err = err};
	const char *hash = strchr(url, '#');
	char *plain = hash ? strndup(url, (size_t)(hash - url)) : strdup(url);
	size_t d = 0;
	int rc = plain ? doc_add(&r, plain, dtmf_default, &d) : nomem(&r);
	free(plain);
	if (!rc)
		rc = read_body(&r, d, body, len, content_type);
	g->root = rc ? 0 : g->docs[0].root;
	if (!rc && hash && hash[1]) {
		ptrdiff_t i = rule_find(g, 0, hash + 1);
		if (i < 0)
			rc = problem(&r, TW_ESERVICE, NULL, "the grammar has no rule \"%s\"", hash + 1);
		else
			g->root = (size_t)i;
	}
	if (!rc)
		rc = resolve_refs(&r);
	reader_done(&r);
	if (rc) {
		tw_srgs_free(g);
		return rc;
	}
	g->dtmf = g->docs[0].dtmf;
	*out = g;
	return TW_OK;
}

bool tw_srgs_dtmf(const tw_srgs *g)
{
	return g->dtmf;
}

bool tw_srgs_has_token(const tw_srgs *g, const char *token)
{
	for (size_t i = 0; i < g->nnodes; i++)
		if (g->nodes[i].kind == N_TOKEN && strcmp(g->nodes[i].text, token) == 0)
			return true;
	return false;
}

/* ---- lengths ---- */

/* Each rule's span, computed once: a grammar whose rules each refer to
 * the next twice would otherwise take 2^depth walks. */
typedef struct span_memo {
	unsigned char *state; /* 0 not yet, 1 being computed (a cycle), 2 done */
	long *lo, *hi;
	bool *never;
} span_memo;

/* The fewest and most tokens n matches (*max < 0: no bound); *never for
 * VOID. A rule met again while it is computed (recursion) is unbounded. */
static void span(const tw_srgs *g, const node *n, span_memo *memo, long *min, long *max,
		 bool *never)
{
	long lo = 0, hi = 0;
	bool no = false;
	switch (n->kind) {
	case N_TOKEN:
		lo = hi = 1;
		break;
	case N_SEQ:
		for (size_t i = 0; i < n->nkids; i++) {
			long a, b;
			bool nv;
			span(g, &g->nodes[n->kids[i]], memo, &a, &b, &nv);
			no = no || nv;
			lo += a;
			hi = hi < 0 || b < 0 ? -1 : hi + b;
		}
		break;
	case N_ONEOF: {
		bool first = true;
		no = true;
		for (size_t i = 0; i < n->nkids; i++) {
			long a, b;
			bool nv;
			span(g, &g->nodes[n->kids[i]], memo, &a, &b, &nv);
			if (nv)
				continue;
			no = false;
			lo = first || a < lo ? a : lo;
			hi = first ? b : (hi < 0 || b < 0 ? -1 : (b > hi ? b : hi));
			first = false;
		}
		break;
	}
	case N_REF: {
		size_t t = n->target;
		if (memo->state[t] == 1) {
			hi = -1;
		} else {
			if (memo->state[t] == 0) {
				memo->state[t] = 1;
				span(g, &g->nodes[g->rules[t].body], memo, &memo->lo[t], &memo->hi[t],
				     &memo->never[t]);
				memo->state[t] = 2;
			}
			lo = memo->lo[t];
			hi = memo->hi[t];
			no = memo->never[t];
		}
		break;
	}
	case N_VOID:
		no = true;
		break;
	case N_TAG:
	case N_NULL:
		break;
	}
	if (n->min != 1 || n->max != 1) {
		lo *= n->min;
		hi = n->max < 0 || hi < 0 ? (hi == 0 ? 0 : -1) : hi * n->max;
		if (n->min == 0)
			no = false;
	}
	if (hi > 100000)
		hi = -1;
	if (lo > 100000)
		lo = 100000; /* past any input; keeps products in range */
	*min = lo;
	*max = hi;
	*never = no;
}

int tw_srgs_fixed_length(const tw_srgs *g)
{
	long lo = 0, hi = -1;
	bool never = true;
	span_memo memo = {calloc(g->nrules, 1), calloc(g->nrules, sizeof(long)),
			  calloc(g->nrules, sizeof(long)), calloc(g->nrules, sizeof(bool))};
	/* out of memory: say it varies (the caller's termchar ends it) */
	if (memo.state && memo.lo && memo.hi && memo.never)
		span(g, &g->nodes[g->rules[g->root].body], &memo, &lo, &hi, &never);
	free(memo.state);
	free(memo.lo);
	free(memo.hi);
	free(memo.never);
	return !never && lo == hi && lo > 0 ? (int)lo : 0;
}

/* ---- matching ---- */

enum trkind { TR_TOKEN, TR_ENTER, TR_EXIT, TR_TAG };
typedef struct trail {
	enum trkind kind;
	size_t at; /* token index, or node index */
} trail;

typedef struct matcher {
	const tw_srgs *g;
	char **tok;
	size_t ntok;
	trail *tr;
	size_t ntr, trcap;
	long steps;
	int depth; /* of the walk's recursion: each token and rule nests it */
	bool over, oom;
} matcher;

enum kkind { K_SEQ, K_REPEAT, K_EXIT };
typedef struct kont {
	enum kkind kind;
	const node *n;
	size_t next;  /* K_SEQ: the next kid */
	int count;    /* K_REPEAT: iterations done */
	size_t start; /* K_REPEAT: where this iteration began */
	const struct kont *up;
} kont;

static bool m_node(matcher *m, const node *n, size_t pos, const kont *k);
static bool m_rep(matcher *m, const node *n, int count, size_t pos, const kont *k);

static bool push(matcher *m, enum trkind kind, size_t at)
{
	if (tw_array_grow(&m->tr, &m->trcap, m->ntr + 1, sizeof(*m->tr))) {
		m->oom = true;
		return false;
	}
	m->tr[m->ntr++] = (trail){kind, at};
	return true;
}

static bool budget(matcher *m)
{
	if (m->over || m->oom)
		return false;
	if (++m->steps > TW_SRGS_MAX_STEPS || m->depth > TW_SRGS_MAX_DEPTH) {
		m->over = true;
		return false;
	}
	return true;
}

static bool m_cont(matcher *m, size_t pos, const kont *k)
{
	if (!budget(m))
		return false;
	if (!k)
		return pos == m->ntok;
	size_t saved = m->ntr;
	bool ok = false;
	m->depth++;
	switch (k->kind) {
	case K_SEQ:
		if (k->next < k->n->nkids) {
			kont nk = {K_SEQ, k->n, k->next + 1, 0, 0, k->up};
			ok = m_node(m, &m->g->nodes[k->n->kids[k->next]], pos, &nk);
		} else {
			ok = m_cont(m, pos, k->up);
		}
		break;
	case K_REPEAT:
		/* an iteration that matched nothing counts only to reach min */
		if (pos == k->start && k->count > k->n->min)
			break;
		ok = m_rep(m, k->n, k->count, pos, k->up);
		break;
	case K_EXIT:
		ok = push(m, TR_EXIT, 0) && m_cont(m, pos, k->up);
		break;
	}
	m->depth--;
	if (!ok)
		m->ntr = saved;
	return ok;
}

/* n once (its repeat aside), then k. */
static bool m_once(matcher *m, const node *n, size_t pos, const kont *k)
{
	if (!budget(m))
		return false;
	size_t saved = m->ntr;
	bool ok = false;
	m->depth++;
	switch (n->kind) {
	case N_TOKEN:
		ok = pos < m->ntok && strcmp(m->tok[pos], n->text) == 0 && push(m, TR_TOKEN, pos) &&
		     m_cont(m, pos + 1, k);
		break;
	case N_SEQ:
		if (n->nkids == 0) {
			ok = m_cont(m, pos, k);
		} else {
			kont nk = {K_SEQ, n, 1, 0, 0, k};
			ok = m_node(m, &m->g->nodes[n->kids[0]], pos, &nk);
		}
		break;
	case N_ONEOF:
		for (size_t i = 0; i < n->nkids && !ok; i++) {
			ok = m_node(m, &m->g->nodes[n->kids[i]], pos, k);
			if (!ok)
				m->ntr = saved;
			if (m->over || m->oom)
				break;
		}
		break;
	case N_REF: {
		const rule *r = &m->g->rules[n->target];
		kont nk = {K_EXIT, n, 0, 0, 0, k};
		ok = push(m, TR_ENTER, (size_t)(n - m->g->nodes)) &&
		     m_node(m, &m->g->nodes[r->body], pos, &nk);
		break;
	}
	case N_TAG:
		ok = push(m, TR_TAG, (size_t)(n - m->g->nodes)) && m_cont(m, pos, k);
		break;
	case N_NULL:
		ok = m_cont(m, pos, k);
		break;
	case N_VOID:
		break;
	}
	m->depth--;
	if (!ok)
		m->ntr = saved;
	return ok;
}

/* n repeated: count done so far; more first, then stop when enough. */
static bool m_rep(matcher *m, const node *n, int count, size_t pos, const kont *k)
{
	if (!budget(m))
		return false;
	bool ok = false;
	m->depth++;
	if (n->max < 0 || count < n->max) {
		kont nk = {K_REPEAT, n, 0, count + 1, pos, k};
		ok = m_once(m, n, pos, &nk);
	}
	if (!ok && !m->over && !m->oom)
		ok = count >= n->min && m_cont(m, pos, k);
	m->depth--;
	return ok;
}

static bool m_node(matcher *m, const node *n, size_t pos, const kont *k)
{
	if (n->min == 1 && n->max == 1)
		return m_once(m, n, pos, k);
	return m_rep(m, n, 0, pos, k);
}

/* ---- semantic values ---- */

enum vkind { V_UNDEF, V_STR, V_NUM, V_BOOL, V_OBJ };
typedef struct sval {
	enum vkind kind;
	char *s;
	double num;
	char **names;
	struct sval *vals;
	size_t nprops;
} sval;

static void sval_free(sval *v)
{
	free(v->s);
	for (size_t i = 0; i < v->nprops; i++) {
		free(v->names[i]);
		sval_free(&v->vals[i]);
	}
	free(v->names);
	free(v->vals);
	memset(v, 0, sizeof(*v));
}

static bool sval_copy(sval *dst, const sval *src)
{
	*dst = (sval){.kind = src->kind, .num = src->num};
	if (src->s && !(dst->s = strdup(src->s)))
		return false;
	if (src->nprops) {
		dst->names = calloc(src->nprops, sizeof(*dst->names));
		dst->vals = calloc(src->nprops, sizeof(*dst->vals));
		if (!dst->names || !dst->vals)
			return false;
		for (size_t i = 0; i < src->nprops; i++) {
			dst->nprops++;
			if (!(dst->names[i] = strdup(src->names[i])) ||
			    !sval_copy(&dst->vals[i], &src->vals[i]))
				return false;
		}
	}
	return true;
}

static const sval *sval_prop(const sval *v, const char *name)
{
	for (size_t i = 0; v->kind == V_OBJ && i < v->nprops; i++)
		if (strcmp(v->names[i], name) == 0)
			return &v->vals[i];
	return NULL;
}

/* Takes val. */
static bool sval_set_prop(sval *v, const char *name, sval *val)
{
	if (v->kind != V_OBJ) {
		sval_free(v);
		v->kind = V_OBJ;
	}
	for (size_t i = 0; i < v->nprops; i++) {
		if (strcmp(v->names[i], name) == 0) {
			sval_free(&v->vals[i]);
			v->vals[i] = *val;
			return true;
		}
	}
	char **names = realloc(v->names, (v->nprops + 1) * sizeof(*names));
	if (!names)
		return false;
	v->names = names;
	sval *vals = realloc(v->vals, (v->nprops + 1) * sizeof(*vals));
	if (!vals)
		return false;
	v->vals = vals;
	if (!(v->names[v->nprops] = strdup(name)))
		return false;
	v->vals[v->nprops++] = *val;
	return true;
}

static void number_text(double x, char *buf, size_t size)
{
	if (x == floor(x) && fabs(x) < 1e15)
		snprintf(buf, size, "%.0f", x);
	else
		snprintf(buf, size, "%.15g", x);
}

/* As JavaScript's String(v) (an object as {a: "b"} for the tester). */
static bool sval_text(const sval *v, bool quoted, char **out)
{
	char num[64];
	switch (v->kind) {
	case V_UNDEF:
		*out = strdup("undefined");
		break;
	case V_STR:
		if (quoted) {
			size_t n = strlen(v->s);
			*out = malloc(n + 3);
			if (*out)
				snprintf(*out, n + 3, "\"%s\"", v->s);
		} else {
			*out = strdup(v->s);
		}
		break;
	case V_NUM:
		number_text(v->num, num, sizeof(num));
		*out = strdup(num);
		break;
	case V_BOOL:
		*out = strdup(v->num ? "true" : "false");
		break;
	case V_OBJ: {
		size_t cap = 3, len = 1;
		char *s = malloc(cap);
		if (!s)
			return false;
		strcpy(s, "{");
		for (size_t i = 0; i < v->nprops; i++) {
			char *part;
			if (!sval_text(&v->vals[i], true, &part)) {
				free(s);
				return false;
			}
			size_t need = len + strlen(v->names[i]) + strlen(part) + 6;
			if (need > cap) {
				char *t = realloc(s, need * 2);
				if (!t) {
					free(part);
					free(s);
					return false;
				}
				s = t;
				cap = need * 2;
			}
			len += (size_t)sprintf(s + len, "%s%s: %s", i ? ", " : "", v->names[i], part);
			free(part);
		}
		strcpy(s + len, "}");
		*out = s;
		break;
	}
	}
	return *out != NULL;
}

/* One rule's activation while the trail replays. */
typedef struct frame {
	sval out;
	bool assigned;
	char *text; /* the tokens matched so far */
	size_t tlen;
	char **names; /* rules.NAME: the latest value of each */
	sval *vals;
	size_t nrules;
	sval latest;
	const char *ref; /* the name the parent knows this rule by */
} frame;

static void frame_free(frame *f)
{
	sval_free(&f->out);
	free(f->text);
	for (size_t i = 0; i < f->nrules; i++) {
		free(f->names[i]);
		sval_free(&f->vals[i]);
	}
	free(f->names);
	free(f->vals);
	sval_free(&f->latest);
}

static bool text_add(frame *f, const char *tok, bool dtmf)
{
	size_t n = strlen(tok);
	char *t = realloc(f->text, f->tlen + n + 2);
	if (!t)
		return false;
	f->text = t;
	if (f->tlen && !dtmf)
		f->text[f->tlen++] = ' ';
	memcpy(f->text + f->tlen, tok, n + 1);
	f->tlen += n;
	return true;
}

/* The value a finished rule hands its parent. */
static bool frame_value(frame *f, sval *out)
{
	if (f->assigned) {
		*out = f->out;
		memset(&f->out, 0, sizeof(f->out));
		return true;
	}
	*out = (sval){.kind = V_STR, .s = strdup(f->text ? f->text : "")};
	return out->s != NULL;
}

/* Takes val. */
static bool frame_child(frame *f, const char *name, sval *val)
{
	sval copy;
	if (!sval_copy(&copy, val)) {
		sval_free(&copy);
		sval_free(val);
		return false;
	}
	sval_free(&f->latest);
	f->latest = copy;
	for (size_t i = 0; i < f->nrules; i++) {
		if (strcmp(f->names[i], name) == 0) {
			sval_free(&f->vals[i]);
			f->vals[i] = *val;
			return true;
		}
	}
	char **names = realloc(f->names, (f->nrules + 1) * sizeof(*names));
	if (names)
		f->names = names;
	sval *vals = names ? realloc(f->vals, (f->nrules + 1) * sizeof(*vals)) : NULL;
	if (vals)
		f->vals = vals;
	char *dup = vals ? strdup(name) : NULL;
	if (!dup) {
		sval_free(val);
		return false;
	}
	f->names[f->nrules] = dup;
	f->vals[f->nrules++] = *val;
	return true;
}

static bool term_value(const frame *f, const term *t, sval *out)
{
	*out = (sval){0};
	const sval *from = NULL;
	switch (t->kind) {
	case T_STR:
		*out = (sval){.kind = V_STR, .s = strdup(t->s)};
		return out->s != NULL;
	case T_NUM:
		*out = (sval){.kind = V_NUM, .num = t->num};
		return true;
	case T_BOOL:
		*out = (sval){.kind = V_BOOL, .num = t->num};
		return true;
	case T_TEXT:
		*out = (sval){.kind = V_STR, .s = strdup(f->text ? f->text : "")};
		return out->s != NULL;
	case T_OUT:
		from = &f->out;
		break;
	case T_LATEST:
		from = &f->latest;
		break;
	case T_RULE:
		for (size_t i = 0; i < f->nrules && !from; i++)
			if (strcmp(f->names[i], t->s) == 0)
				from = &f->vals[i];
		break;
	}
	if (from && t->prop)
		from = sval_prop(from, t->prop);
	if (!from)
		return true; /* undefined */
	return sval_copy(out, from);
}

/* JavaScript's a + b for these values. Takes both. */
static bool plus(sval *a, sval *b)
{
	if ((a->kind == V_NUM || a->kind == V_BOOL) && (b->kind == V_NUM || b->kind == V_BOOL)) {
		a->num += b->num;
		a->kind = V_NUM;
		sval_free(b);
		return true;
	}
	char *x = NULL, *y = NULL;
	bool ok = (a->kind == V_OBJ ? (x = strdup("[object Object]")) != NULL : sval_text(a, false, &x)) &&
		  (b->kind == V_OBJ ? (y = strdup("[object Object]")) != NULL : sval_text(b, false, &y));
	char *s = NULL;
	if (ok && (s = malloc(strlen(x) + strlen(y) + 1)))
		sprintf(s, "%s%s", x, y);
	free(x);
	free(y);
	sval_free(a);
	sval_free(b);
	*a = (sval){.kind = V_STR, .s = s};
	return s != NULL;
}

static bool run_tag(frame *f, const node *n)
{
	if (n->literal) {
		sval_free(&f->out);
		f->out = (sval){.kind = V_STR, .s = strdup(n->text)};
		f->assigned = true;
		return f->out.s != NULL;
	}
	for (size_t i = 0; i < n->nstmts; i++) {
		const stmt *st = &n->stmts[i];
		sval v;
		if (!term_value(f, &st->terms[0], &v))
			return false;
		for (size_t t = 1; t < st->nterms; t++) {
			sval w;
			if (!term_value(f, &st->terms[t], &w) || !plus(&v, &w)) {
				sval_free(&v);
				return false;
			}
		}
		if (st->append) {
			sval cur;
			const sval *from = st->prop ? sval_prop(&f->out, st->prop) : &f->out;
			if (from ? !sval_copy(&cur, from) : ((cur = (sval){0}), false)) {
				sval_free(&cur);
				sval_free(&v);
				return false;
			}
			if (!plus(&cur, &v))
				return false;
			v = cur;
		}
		if (st->prop) {
			if (!sval_set_prop(&f->out, st->prop, &v)) {
				sval_free(&v);
				return false;
			}
		} else {
			sval_free(&f->out);
			f->out = v;
		}
		f->assigned = true;
	}
	return true;
}

/* The trail of a complete parse, its tags run: the root's value. */
static bool replay(const matcher *m, sval *out)
{
	frame *stack = calloc(m->ntr + 1, sizeof(*stack));
	if (!stack)
		return false;
	size_t depth = 1;
	bool ok = true;
	for (size_t i = 0; i < m->ntr && ok; i++) {
		const trail *t = &m->tr[i];
		switch (t->kind) {
		case TR_TOKEN:
			for (size_t d = 0; d < depth && ok; d++)
				ok = text_add(&stack[d], m->tok[t->at], m->g->dtmf);
			break;
		case TR_ENTER:
			stack[depth++].ref = m->g->nodes[t->at].text;
			break;
		case TR_EXIT: {
			sval v;
			frame *f = &stack[--depth];
			ok = frame_value(f, &v) && frame_child(&stack[depth - 1], f->ref, &v);
			frame_free(f);
			memset(f, 0, sizeof(*f));
			break;
		}
		case TR_TAG:
			ok = run_tag(&stack[depth - 1], &m->g->nodes[t->at]);
			break;
		}
	}
	if (ok)
		ok = frame_value(&stack[0], out);
	for (size_t d = 0; d < depth; d++)
		frame_free(&stack[d]);
	free(stack);
	return ok;
}

int tw_srgs_match(const tw_srgs *g, const char *input, const char *slot, char **value,
		  tw_error *err)
{
	*value = NULL;
	matcher m = {.g = g};
	char *words = NULL;
	int rc = TW_OK;
	if (g->dtmf) {
		size_t n = strlen(input);
		m.tok = calloc(n + 1, sizeof(*m.tok));
		words = malloc(2 * n + 1);
		if (!m.tok || !words)
			goto oom;
		for (size_t i = 0; i < n; i++) {
			words[2 * i] = input[i];
			words[2 * i + 1] = '\0';
			m.tok[m.ntok++] = &words[2 * i];
		}
	} else {
		if (!(words = tw_srgs_words(input)))
			goto oom;
		m.tok = calloc(strlen(words) / 2 + 2, sizeof(*m.tok));
		if (!m.tok)
			goto oom;
		char *save = NULL;
		for (char *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save))
			m.tok[m.ntok++] = w;
	}
	if (m.ntok > 0) {
		/* the root is entered as a reference would be, without one */
		const node *body = &g->nodes[g->rules[g->root].body];
		bool ok = m_node(&m, body, 0, NULL);
		if (m.oom)
			goto oom;
		if (m.over) {
			rc = tw_error_set(err, TW_ELIMIT,
					  "the grammar took more than %d steps (or rules %d deep) to match "
					  "\"%.80s\": a grammar too ambiguous, or too recursive, to follow",
					  TW_SRGS_MAX_STEPS, TW_SRGS_MAX_DEPTH, input);
		} else if (ok) {
			sval v;
			if (!replay(&m, &v))
				goto oom;
			const sval *pick = slot ? sval_prop(&v, slot) : NULL;
			if (!sval_text(pick ? pick : &v, false, value)) {
				sval_free(&v);
				goto oom;
			}
			sval_free(&v);
		}
	}
	free(m.tok);
	free(words);
	free(m.tr);
	return rc;
oom:
	free(m.tok);
	free(words);
	free(m.tr);
	return tw_error_set(err, TW_ENOMEM, "out of memory");
}
