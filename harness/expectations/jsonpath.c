/*
 * JSON queries for `expect json QUERY ...`: a small JSONPath, parsed by
 * recursive descent into a list of segments, then applied to a jansson
 * document one segment at a time (the nodes selected so far are the input
 * of the next segment, as in RFC 9535).
 *
 *   query    := ws* '$' segment* ws*
 *   segment  := '.' name | '.' '*' | '[' selector ']'
 *             | '..' name | '..' '*' | '..' '[' selector ']'
 *   selector := ws* ( quoted | index | '*' ) ws*
 *   name     := ( letter | digit | '_' | '-' | any byte >= 0x80 )+
 *   quoted   := "'" chars "'" | '"' chars '"'  (backslash takes the next
 *               character literally: \' \" \\)
 *   index    := '-'? digit+        (negative counts from the end)
 *
 * `..X` applies X to the node and to every node below it, visiting a node
 * before its children and arrays in order, so `$..name` is every member
 * called name at any depth. `.*` and `[*]` take every element of an array
 * and every member of an object (jansson keeps members in insertion order,
 * which is the order of the document). Selectors that do not apply (an
 * index on an object, a name on an array, anything on a scalar) select
 * nothing; they are not errors, since "matched nothing" is what the
 * expectation reports.
 *
 * The whole query is parsed before anything is evaluated, so a typo is a
 * syntax error even against an empty document. Errors give the 0-based
 * byte offset in the query, like PCRE2 does.
 *
 * Bounds: the descent below `..` stops with TW_ELIMIT past
 * JSONPATH_MAX_DEPTH levels (jansson documents are finite, but the C stack
 * is not the place to find out how deep a hostile one goes), and a query
 * may select at most JSONPATH_MAX_MATCHES nodes (`$..*..*` is quadratic).
 */
#include "expectations/jsonpath.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/jsonread.h"

#define JSONPATH_MAX_DEPTH 512
#define JSONPATH_MAX_MATCHES ((size_t)1 << 20)
/* Parentheses, `!` and filters inside filters: the parser recurses. */
#define JSONPATH_MAX_NESTING 64

typedef enum sel_kind {
	SEL_NAME,
	SEL_WILDCARD,
	SEL_INDEX,
	SEL_SLICE,
	SEL_FILTER,
} sel_kind;

typedef struct fexpr fexpr;

typedef struct selector {
	sel_kind kind;
	char *name;      /* SEL_NAME; owned, unescaped */
	long long index; /* SEL_INDEX */
	long long start, end, step;
	bool has_start, has_end; /* SEL_SLICE */
	fexpr *filter;           /* SEL_FILTER; owned */
} selector;

typedef struct segment {
	bool descendant; /* written with `..` */
	selector *sels;  /* a union when more than one; owned */
	size_t nsel;
	size_t offset; /* where the segment starts in the query */
} segment;

typedef struct seglist {
	segment *segs;
	size_t count;
	size_t cap;
} seglist;

/* A filter: `||`, `&&`, `!`, a comparison, or a path that must select
 * something (existence). */
typedef enum fexpr_kind { F_OR, F_AND, F_NOT, F_CMP, F_EXISTS } fexpr_kind;
typedef enum cmp_op { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE } cmp_op;

typedef struct operand {
	bool is_path;
	bool from_root; /* `$...` rather than `@...` */
	seglist path;
	json_t *literal; /* owned */
} operand;

struct fexpr {
	fexpr_kind kind;
	cmp_op op;
	fexpr *a, *b; /* F_OR, F_AND, F_NOT (a) */
	operand l, r; /* F_CMP; F_EXISTS uses l */
};

typedef struct parser {
	const char *q;
	size_t len;
	size_t pos;
	int nesting;
	tw_error *err;
} parser;

static bool name_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c >= 0x80;
}

static bool space_byte(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void skip_space(parser *p)
{
	while (p->pos < p->len && space_byte(p->q[p->pos]))
		p->pos++;
}

static char peek(const parser *p)
{
	return p->pos < p->len ? p->q[p->pos] : '\0';
}

static bool eat(parser *p, const char *word)
{
	size_t n = strlen(word);
	if (p->len - p->pos < n || memcmp(p->q + p->pos, word, n) != 0)
		return false;
	p->pos += n;
	return true;
}

/* "unexpected ']' at offset 3 in $.a]: expected '.' or '['" */
static int syntax_error(parser *p, const char *expected)
{
	char what[32];
	if (p->pos >= p->len)
		snprintf(what, sizeof(what), "end of query");
	else if ((unsigned char)p->q[p->pos] < 0x20 || (unsigned char)p->q[p->pos] >= 0x7f)
		snprintf(what, sizeof(what), "byte \\x%02x", (unsigned char)p->q[p->pos]);
	else
		snprintf(what, sizeof(what), "'%c'", p->q[p->pos]);
	int rc = tw_error_set(p->err, TW_ESYNTAX, "unexpected %s at offset %zu in %s: expected %s",
			      what, p->pos, p->q, expected);
	if (p->err)
		p->err->col = (int)p->pos + 1; /* for check's caret */
	return rc;
}

static int oom(parser *p)
{
	return tw_error_set(p->err, TW_ENOMEM, "out of memory");
}

static void free_seglist(seglist *l);

static void free_fexpr(fexpr *f)
{
	if (!f)
		return;
	free_fexpr(f->a);
	free_fexpr(f->b);
	free_seglist(&f->l.path);
	free_seglist(&f->r.path);
	json_decref(f->l.literal);
	json_decref(f->r.literal);
	free(f);
}

static void free_seglist(seglist *l)
{
	for (size_t i = 0; i < l->count; i++) {
		for (size_t j = 0; j < l->segs[i].nsel; j++) {
			free(l->segs[i].sels[j].name);
			free_fexpr(l->segs[i].sels[j].filter);
		}
		free(l->segs[i].sels);
	}
	free(l->segs);
	memset(l, 0, sizeof(*l));
}

static segment *push_segment(parser *p, seglist *l, bool descendant, size_t offset)
{
	if (tw_array_grow(&l->segs, &l->cap, l->count + 1, sizeof(*l->segs))) {
		oom(p);
		return NULL;
	}
	segment *s = &l->segs[l->count++];
	memset(s, 0, sizeof(*s));
	s->descendant = descendant;
	s->offset = offset;
	return s;
}

static selector *push_selector(parser *p, segment *s, sel_kind kind)
{
	selector *n = realloc(s->sels, (s->nsel + 1) * sizeof(*s->sels));
	if (!n) {
		oom(p);
		return NULL;
	}
	s->sels = n;
	selector *sel = &s->sels[s->nsel++];
	memset(sel, 0, sizeof(*sel));
	sel->kind = kind;
	return sel;
}

static int parse_name(parser *p, segment *s)
{
	size_t start = p->pos;
	while (p->pos < p->len && name_byte((unsigned char)p->q[p->pos]))
		p->pos++;
	selector *sel = push_selector(p, s, SEL_NAME);
	if (!sel)
		return TW_ENOMEM;
	sel->name = strndup(p->q + start, p->pos - start);
	return sel->name ? TW_OK : oom(p);
}

/* A quoted string, unescaped, into *out (malloc'd). */
static int parse_string(parser *p, char **out)
{
	char quote = p->q[p->pos++];
	char *name = malloc(p->len - p->pos + 1);
	if (!name)
		return oom(p);
	size_t n = 0;
	for (;;) {
		if (p->pos >= p->len) {
			free(name);
			char expected[32];
			snprintf(expected, sizeof(expected), "a closing %c", quote);
			return syntax_error(p, expected);
		}
		char c = p->q[p->pos++];
		if (c == quote)
			break;
		if (c == '\\') {
			if (p->pos >= p->len)
				continue; /* reported as unclosed above */
			c = p->q[p->pos++];
		}
		name[n++] = c;
	}
	name[n] = '\0';
	*out = name;
	return TW_OK;
}

/* An optionally signed integer. */
static int parse_int(parser *p, long long *out)
{
	size_t start = p->pos;
	if (peek(p) == '-')
		p->pos++;
	if (p->pos >= p->len || p->q[p->pos] < '0' || p->q[p->pos] > '9')
		return syntax_error(p, "a digit");
	while (p->pos < p->len && p->q[p->pos] >= '0' && p->q[p->pos] <= '9')
		p->pos++;
	errno = 0;
	*out = strtoll(p->q + start, NULL, 10);
	if (errno == ERANGE)
		return tw_error_set(p->err, TW_ESYNTAX, "index too large at offset %zu in %s",
				    start, p->q);
	return TW_OK;
}

static bool int_start(char c)
{
	return c == '-' || (c >= '0' && c <= '9');
}

/* An index, or a slice start:end:step (each part optional). */
static int parse_index_or_slice(parser *p, segment *s)
{
	long long v = 0;
	bool has_start = false;
	int rc;
	if (int_start(peek(p))) {
		if ((rc = parse_int(p, &v)))
			return rc;
		has_start = true;
	}
	skip_space(p);
	if (peek(p) != ':') {
		selector *sel = push_selector(p, s, SEL_INDEX);
		if (!sel)
			return TW_ENOMEM;
		sel->index = v;
		return TW_OK;
	}
	selector *sel = push_selector(p, s, SEL_SLICE);
	if (!sel)
		return TW_ENOMEM;
	sel->has_start = has_start;
	sel->start = v;
	sel->step = 1;
	p->pos++;
	skip_space(p);
	if (int_start(peek(p))) {
		if ((rc = parse_int(p, &sel->end)))
			return rc;
		sel->has_end = true;
		skip_space(p);
	}
	if (peek(p) == ':') {
		p->pos++;
		skip_space(p);
		if (int_start(peek(p)) && (rc = parse_int(p, &sel->step)))
			return rc;
	}
	return TW_OK;
}

static int parse_or(parser *p, fexpr **out);
static int parse_segment(parser *p, seglist *l);

/* A path inside a filter, after its '@' or '$': the segments that follow. */
static int parse_rel_path(parser *p, seglist *l)
{
	while (peek(p) == '.' || peek(p) == '[') {
		int rc = parse_segment(p, l);
		if (rc)
			return rc;
	}
	return TW_OK;
}

static int parse_operand(parser *p, operand *o)
{
	skip_space(p);
	char c = peek(p);
	if (c == '@' || c == '$') {
		p->pos++;
		o->is_path = true;
		o->from_root = c == '$';
		return parse_rel_path(p, &o->path);
	}
	if (c == '\'' || c == '"') {
		char *s;
		int rc = parse_string(p, &s);
		if (rc)
			return rc;
		o->literal = json_string(s);
		free(s);
		return o->literal ? TW_OK : oom(p);
	}
	if (int_start(c)) {
		/* JSON's number grammar, read by jansson's own parser. */
		size_t start = p->pos;
		p->pos++;
		while (p->pos < p->len && strchr("0123456789.eE+-", p->q[p->pos]))
			p->pos++;
		json_error_t e;
		o->literal = tw_json_parse(p->q + start, p->pos - start, JSON_DECODE_ANY, &e);
		if (!o->literal || !json_is_number(o->literal)) {
			json_decref(o->literal);
			o->literal = NULL;
			p->pos = start;
			return syntax_error(p, "a number");
		}
		return TW_OK;
	}
	if (eat(p, "true"))
		o->literal = json_true();
	else if (eat(p, "false"))
		o->literal = json_false();
	else if (eat(p, "null"))
		o->literal = json_null();
	else
		return syntax_error(p, "a value: @..., $..., a number, a quoted string, true, "
				       "false or null");
	return TW_OK;
}

static fexpr *new_fexpr(parser *p, fexpr_kind kind)
{
	fexpr *f = calloc(1, sizeof(*f));
	if (!f)
		oom(p);
	else
		f->kind = kind;
	return f;
}

/* unary := '!' unary | '(' or ')' | operand [op operand] */
static int parse_unary(parser *p, fexpr **out)
{
	*out = NULL;
	if (++p->nesting > JSONPATH_MAX_NESTING)
		return tw_error_set(p->err, TW_ESYNTAX,
				    "the filter nests deeper than %d levels at offset %zu in %s",
				    JSONPATH_MAX_NESTING, p->pos, p->q);
	int rc = TW_OK;
	skip_space(p);
	if (peek(p) == '!' && !(p->pos + 1 < p->len && p->q[p->pos + 1] == '=')) {
		p->pos++;
		fexpr *f = new_fexpr(p, F_NOT);
		if (!f)
			return TW_ENOMEM;
		*out = f;
		rc = parse_unary(p, &f->a);
	} else if (peek(p) == '(') {
		p->pos++;
		if (!(rc = parse_or(p, out))) {
			skip_space(p);
			if (peek(p) == ')')
				p->pos++;
			else
				rc = syntax_error(p, "')'");
		}
	} else {
		fexpr *f = new_fexpr(p, F_EXISTS);
		if (!f)
			return TW_ENOMEM;
		*out = f;
		if ((rc = parse_operand(p, &f->l)))
			goto done;
		skip_space(p);
		static const struct {
			const char *word;
			cmp_op op;
		} ops[] = {{"==", CMP_EQ}, {"!=", CMP_NE}, {"<=", CMP_LE},
			   {">=", CMP_GE}, {"<", CMP_LT},  {">", CMP_GT}};
		for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
			if (eat(p, ops[i].word)) {
				f->kind = F_CMP;
				f->op = ops[i].op;
				rc = parse_operand(p, &f->r);
				goto done;
			}
		}
		if (!f->l.is_path)
			rc = syntax_error(p, "a comparison (== != < <= > >=) after a value");
	}
done:
	p->nesting--;
	return rc;
}

static int parse_binary(parser *p, fexpr **out, fexpr_kind kind)
{
	const char *word = kind == F_OR ? "||" : "&&";
	int rc = kind == F_OR ? parse_binary(p, out, F_AND) : parse_unary(p, out);
	for (;;) {
		if (rc)
			return rc;
		skip_space(p);
		if (!eat(p, word))
			return TW_OK;
		fexpr *f = new_fexpr(p, kind);
		if (!f)
			return TW_ENOMEM;
		f->a = *out;
		*out = f;
		rc = kind == F_OR ? parse_binary(p, &f->b, F_AND) : parse_unary(p, &f->b);
	}
}

static int parse_or(parser *p, fexpr **out)
{
	return parse_binary(p, out, F_OR);
}

/* After '[': selectors separated by ',' (a union), and the closing ']'. */
static int parse_bracket(parser *p, seglist *l, bool descendant, size_t offset)
{
	p->pos++;
	segment *s = push_segment(p, l, descendant, offset);
	if (!s)
		return TW_ENOMEM;
	for (;;) {
		skip_space(p);
		char c = peek(p);
		int rc;
		if (c == '*') {
			p->pos++;
			rc = push_selector(p, s, SEL_WILDCARD) ? TW_OK : TW_ENOMEM;
		} else if (c == '\'' || c == '"') {
			selector *sel = push_selector(p, s, SEL_NAME);
			rc = sel ? parse_string(p, &sel->name) : TW_ENOMEM;
		} else if (int_start(c) || c == ':') {
			rc = parse_index_or_slice(p, s);
		} else if (c == '?') {
			p->pos++;
			selector *sel = push_selector(p, s, SEL_FILTER);
			rc = sel ? parse_or(p, &sel->filter) : TW_ENOMEM;
		} else {
			return syntax_error(p, "a quoted name, an index, a slice, '*' or '?' after "
					       "'['");
		}
		if (rc)
			return rc;
		skip_space(p);
		if (peek(p) == ',') {
			p->pos++;
			continue;
		}
		if (peek(p) != ']')
			return syntax_error(p, "']'");
		p->pos++;
		return TW_OK;
	}
}

static int parse_segment(parser *p, seglist *l)
{
	size_t offset = p->pos;
	if (p->q[p->pos] == '[')
		return parse_bracket(p, l, false, offset);
	if (p->q[p->pos] != '.')
		return syntax_error(p, "'.' or '['");
	p->pos++;
	bool descendant = false;
	if (p->pos < p->len && p->q[p->pos] == '.') {
		descendant = true;
		p->pos++;
	}
	char c = peek(p);
	if (c == '[' && descendant)
		return parse_bracket(p, l, true, offset);
	if (c == '*' || (p->pos < p->len && name_byte((unsigned char)c))) {
		segment *s = push_segment(p, l, descendant, offset);
		if (!s)
			return TW_ENOMEM;
		if (c != '*')
			return parse_name(p, s);
		p->pos++;
		return push_selector(p, s, SEL_WILDCARD) ? TW_OK : TW_ENOMEM;
	}
	return syntax_error(p, descendant ? "a member name, '*' or '[' after '..'"
					  : "a member name or '*' after '.'");
}

static int parse(parser *p, seglist *l)
{
	skip_space(p);
	while (p->len > p->pos && space_byte(p->q[p->len - 1]))
		p->len--;
	if (p->pos >= p->len || p->q[p->pos] != '$')
		return syntax_error(p, "'$' (a query starts at the root)");
	p->pos++;
	while (p->pos < p->len) {
		int rc = parse_segment(p, l);
		if (rc)
			return rc;
	}
	return TW_OK;
}

/* ---- evaluation ---- */

typedef struct evaluator {
	tw_json_matches *out;
	const char *query;
	const segment *seg;
	json_t *root;
	tw_error *err;
} evaluator;

/* Grows m so that extra more items fit. */
static int reserve(tw_json_matches *m, size_t extra)
{
	if (extra > SIZE_MAX - m->count)
		return TW_ENOMEM;
	return tw_array_grow(&m->items, &m->cap, m->count + extra, sizeof(*m->items));
}

static int push_match(evaluator *ev, json_t *v)
{
	tw_json_matches *m = ev->out;
	if (m->count >= JSONPATH_MAX_MATCHES)
		return tw_error_set(ev->err, TW_ELIMIT,
				    "%s selects more than %zu values (at offset %zu)", ev->query,
				    JSONPATH_MAX_MATCHES, ev->seg->offset);
	if (reserve(m, 1))
		return tw_error_set(ev->err, TW_ENOMEM, "out of memory");
	m->items[m->count++] = v;
	return TW_OK;
}

static int select_path(const seglist *l, json_t *start, json_t *root, const char *query,
		       tw_json_matches *out, tw_error *err);

/* What an operand reads for the node @: a path's value when it selects
 * exactly one (NULL otherwise: RFC 9535's "Nothing"), or the literal. */
static int operand_value(evaluator *ev, const operand *o, json_t *at, json_t **out)
{
	*out = NULL;
	if (!o->is_path) {
		*out = o->literal;
		return TW_OK;
	}
	tw_json_matches m = {0};
	int rc = select_path(&o->path, o->from_root ? ev->root : at, ev->root, ev->query, &m,
			     ev->err);
	if (rc == TW_OK && m.count == 1)
		*out = m.items[0];
	tw_json_matches_free(&m);
	return rc;
}

/* Numbers compare by value whether written 1 or 1.0; strings by code
 * points (byte order in UTF-8); anything else only for == and !=. */
static bool compare(cmp_op op, json_t *a, json_t *b)
{
	if (op == CMP_NE)
		return !compare(CMP_EQ, a, b);
	if (!a || !b)
		return op == CMP_EQ ? a == b : (op == CMP_LE || op == CMP_GE) && a == b;
	int order;
	tw_jnum x, y;
	if (tw_jnum_of(a, &x) && tw_jnum_of(b, &y)) {
		/* ids beyond 2^53 differ from their neighbours */
		order = tw_jnum_cmp(x, y);
		if (order == 2)
			return false;
	} else if (json_is_string(a) && json_is_string(b)) {
		order = strcmp(json_string_value(a), json_string_value(b));
	} else if (op == CMP_EQ || op == CMP_LE || op == CMP_GE) {
		return json_equal(a, b);
	} else {
		return false;
	}
	switch (op) {
	case CMP_EQ: return order == 0;
	case CMP_LT: return order < 0;
	case CMP_LE: return order <= 0;
	case CMP_GT: return order > 0;
	case CMP_GE: return order >= 0;
	case CMP_NE: break;
	}
	return false;
}

static int test_filter(evaluator *ev, const fexpr *f, json_t *at, bool *out)
{
	int rc = TW_OK;
	bool a = false, b = false;
	switch (f->kind) {
	case F_OR:
	case F_AND:
		if ((rc = test_filter(ev, f->a, at, &a)))
			return rc;
		if (a == (f->kind == F_OR)) {
			*out = a;
			return TW_OK;
		}
		rc = test_filter(ev, f->b, at, &b);
		*out = b;
		return rc;
	case F_NOT:
		rc = test_filter(ev, f->a, at, &a);
		*out = !a;
		return rc;
	case F_EXISTS: {
		tw_json_matches m = {0};
		rc = select_path(&f->l.path, f->l.from_root ? ev->root : at, ev->root, ev->query,
				 &m, ev->err);
		*out = m.count > 0;
		tw_json_matches_free(&m);
		return rc;
	}
	case F_CMP: {
		json_t *l, *r;
		if ((rc = operand_value(ev, &f->l, at, &l)) || (rc = operand_value(ev, &f->r, at, &r)))
			return rc;
		*out = compare(f->op, l, r);
		return TW_OK;
	}
	}
	return TW_OK;
}

static int filter_child(evaluator *ev, const selector *sel, json_t *v)
{
	bool keep = false;
	int rc = test_filter(ev, sel->filter, v, &keep);
	return rc ? rc : keep ? push_match(ev, v) : TW_OK;
}

static int select_slice(evaluator *ev, const selector *sel, json_t *node)
{
	/* RFC 9535 section 2.3.4.2.2: bounds clamp, step 0 selects nothing. */
	long long len = (long long)json_array_size(node), step = sel->step;
	if (step == 0)
		return TW_OK;
	long long start = sel->has_start ? sel->start : step > 0 ? 0 : len - 1;
	long long end = sel->has_end ? sel->end : step > 0 ? len : -len - 1;
	start = start < 0 ? start + len : start;
	end = end < 0 ? end + len : end;
	int rc = TW_OK;
	if (step > 0) {
		long long lo = start < 0 ? 0 : start > len ? len : start;
		long long hi = end < 0 ? 0 : end > len ? len : end;
		for (long long i = lo; rc == TW_OK && i < hi; i += step)
			rc = push_match(ev, json_array_get(node, (size_t)i));
	} else {
		long long hi = start < -1 ? -1 : start > len - 1 ? len - 1 : start;
		long long lo = end < -1 ? -1 : end > len - 1 ? len - 1 : end;
		for (long long i = hi; rc == TW_OK && lo < i; i += step)
			rc = push_match(ev, json_array_get(node, (size_t)i));
	}
	return rc;
}

static int select_one(evaluator *ev, const selector *s, json_t *node)
{
	int rc = TW_OK;
	switch (s->kind) {
	case SEL_NAME:
		if (json_is_object(node)) {
			json_t *v = json_object_get(node, s->name);
			if (v)
				rc = push_match(ev, v);
		}
		break;
	case SEL_INDEX:
		if (json_is_array(node)) {
			long long size = (long long)json_array_size(node);
			long long i = s->index < 0 ? size + s->index : s->index;
			if (i >= 0 && i < size)
				rc = push_match(ev, json_array_get(node, (size_t)i));
		}
		break;
	case SEL_SLICE:
		if (json_is_array(node))
			rc = select_slice(ev, s, node);
		break;
	case SEL_WILDCARD:
	case SEL_FILTER:
		if (json_is_array(node)) {
			size_t i;
			json_t *v;
			json_array_foreach(node, i, v)
			{
				rc = s->kind == SEL_WILDCARD ? push_match(ev, v)
							     : filter_child(ev, s, v);
				if (rc)
					break;
			}
		} else if (json_is_object(node)) {
			const char *k;
			json_t *v;
			json_object_foreach(node, k, v)
			{
				rc = s->kind == SEL_WILDCARD ? push_match(ev, v)
							     : filter_child(ev, s, v);
				if (rc)
					break;
			}
		}
		break;
	}
	return rc;
}

/* The segment's selectors, in the order written, applied to one node. */
static int select_children(evaluator *ev, json_t *node)
{
	int rc = TW_OK;
	for (size_t i = 0; rc == TW_OK && i < ev->seg->nsel; i++)
		rc = select_one(ev, &ev->seg->sels[i], node);
	return rc;
}

/* `..`: the node first, then its children, arrays in order. */
static int select_descendants(evaluator *ev, json_t *node, int depth)
{
	if (depth > JSONPATH_MAX_DEPTH)
		return tw_error_set(ev->err, TW_ELIMIT,
				    "the document nests deeper than %d levels under '..' at "
				    "offset %zu in %s",
				    JSONPATH_MAX_DEPTH, ev->seg->offset, ev->query);
	int rc = select_children(ev, node);
	if (rc)
		return rc;
	if (json_is_array(node)) {
		size_t i;
		json_t *v;
		json_array_foreach(node, i, v)
		{
			if ((rc = select_descendants(ev, v, depth + 1)))
				return rc;
		}
	} else if (json_is_object(node)) {
		const char *k;
		json_t *v;
		json_object_foreach(node, k, v)
		{
			if ((rc = select_descendants(ev, v, depth + 1)))
				return rc;
		}
	}
	return TW_OK;
}

void tw_json_matches_free(tw_json_matches *m)
{
	if (!m)
		return;
	free(m->items);
	memset(m, 0, sizeof(*m));
}

/* The query parsed once: its segments and the text error messages quote. */
struct tw_jsonpath {
	char *query;
	seglist path;
};

int tw_jsonpath_compile(tw_jsonpath **out, const char *query, tw_error *err)
{
	*out = NULL;
	parser p = {.q = query ? query : "", .err = err};
	p.len = strlen(p.q);
	seglist l = {0};
	int rc = parse(&p, &l);
	tw_jsonpath *jp = rc ? NULL : calloc(1, sizeof(*jp));
	if (!rc && (!jp || !(jp->query = strdup(p.q))))
		rc = tw_error_set(err, TW_ENOMEM, "out of memory");
	if (rc) {
		free(jp);
		free_seglist(&l);
		return rc;
	}
	jp->path = l;
	*out = jp;
	return TW_OK;
}

bool tw_jsonpath_singular(const tw_jsonpath *jp)
{
	for (size_t i = 0; i < jp->path.count; i++) {
		const segment *s = &jp->path.segs[i];
		if (s->descendant || s->nsel != 1 ||
		    (s->sels[0].kind != SEL_NAME && s->sels[0].kind != SEL_INDEX))
			return false;
	}
	return true;
}

void tw_jsonpath_free(tw_jsonpath *jp)
{
	if (!jp)
		return;
	free_seglist(&jp->path);
	free(jp->query);
	free(jp);
}

static int select_path(const seglist *l, json_t *start, json_t *root, const char *query,
		       tw_json_matches *out, tw_error *err)
{
	/* Nodes selected so far; swapped with next after every segment. out
	 * only sees the final list, so it is untouched on error. */
	int rc = TW_OK;
	tw_json_matches cur = {0}, next = {0};
	evaluator ev = {.query = query, .root = root, .err = err};
	if (start) {
		if (reserve(&cur, 1) == TW_OK)
			cur.items[cur.count++] = start;
		else
			rc = tw_error_set(err, TW_ENOMEM, "out of memory");
	}
	for (size_t i = 0; rc == TW_OK && i < l->count && cur.count; i++) {
		ev.seg = &l->segs[i];
		ev.out = &next;
		next.count = 0;
		for (size_t j = 0; rc == TW_OK && j < cur.count; j++)
			rc = ev.seg->descendant ? select_descendants(&ev, cur.items[j], 0)
						: select_children(&ev, cur.items[j]);
		tw_json_matches t = cur;
		cur = next;
		next = t;
	}
	if (rc == TW_OK && cur.count) {
		if (reserve(out, cur.count) == TW_OK) {
			memcpy(out->items + out->count, cur.items, cur.count * sizeof(*cur.items));
			out->count += cur.count;
		} else {
			rc = tw_error_set(err, TW_ENOMEM, "out of memory");
		}
	}
	tw_json_matches_free(&cur);
	tw_json_matches_free(&next);
	return rc;
}

int tw_jsonpath_select(const tw_jsonpath *jp, json_t *root, tw_json_matches *out,
		       tw_error *err)
{
	return select_path(&jp->path, root, root, jp->query, out, err);
}

int tw_jsonpath_eval(const char *query, json_t *root, tw_json_matches *out,
		     tw_error *err)
{
	tw_jsonpath *jp;
	int rc = tw_jsonpath_compile(&jp, query, err);
	if (rc)
		return rc;
	rc = tw_jsonpath_select(jp, root, out, err);
	tw_jsonpath_free(jp);
	return rc;
}
