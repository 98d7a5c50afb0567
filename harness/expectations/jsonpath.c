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

#define JSONPATH_MAX_DEPTH 512
#define JSONPATH_MAX_MATCHES ((size_t)1 << 20)

typedef enum seg_kind {
	SEG_NAME,
	SEG_WILDCARD,
	SEG_INDEX,
} seg_kind;

typedef struct segment {
	seg_kind kind;
	bool descendant; /* written with `..` */
	char *name;      /* SEG_NAME; owned, unescaped */
	long long index; /* SEG_INDEX */
	size_t offset;   /* where the segment starts in the query */
} segment;

typedef struct parser {
	const char *q;
	size_t len;
	size_t pos;
	segment *segs;
	size_t count;
	size_t cap;
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
	return tw_error_set(p->err, TW_ESYNTAX, "unexpected %s at offset %zu in %s: expected %s",
			    what, p->pos, p->q, expected);
}

static segment *push_segment(parser *p, seg_kind kind, bool descendant, size_t offset)
{
	if (tw_array_grow(&p->segs, &p->cap, p->count + 1, sizeof(*p->segs))) {
		tw_error_set(p->err, TW_ENOMEM, "out of memory");
		return NULL;
	}
	segment *s = &p->segs[p->count++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->descendant = descendant;
	s->offset = offset;
	return s;
}

static int parse_name(parser *p, bool descendant, size_t offset)
{
	size_t start = p->pos;
	while (p->pos < p->len && name_byte((unsigned char)p->q[p->pos]))
		p->pos++;
	segment *s = push_segment(p, SEG_NAME, descendant, offset);
	if (!s)
		return TW_ENOMEM;
	s->name = strndup(p->q + start, p->pos - start);
	return s->name ? TW_OK : tw_error_set(p->err, TW_ENOMEM, "out of memory");
}

static int parse_quoted(parser *p, bool descendant, size_t offset)
{
	char quote = p->q[p->pos++];
	char *name = malloc(p->len - p->pos + 1);
	if (!name)
		return tw_error_set(p->err, TW_ENOMEM, "out of memory");
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
	segment *s = push_segment(p, SEG_NAME, descendant, offset);
	if (!s) {
		free(name);
		return TW_ENOMEM;
	}
	s->name = name;
	return TW_OK;
}

static int parse_index(parser *p, bool descendant, size_t offset)
{
	size_t start = p->pos;
	if (p->q[p->pos] == '-')
		p->pos++;
	if (p->pos >= p->len || p->q[p->pos] < '0' || p->q[p->pos] > '9')
		return syntax_error(p, "a digit");
	while (p->pos < p->len && p->q[p->pos] >= '0' && p->q[p->pos] <= '9')
		p->pos++;
	errno = 0;
	long long v = strtoll(p->q + start, NULL, 10);
	if (errno == ERANGE) {
		return tw_error_set(p->err, TW_ESYNTAX, "index too large at offset %zu in %s",
				    start, p->q);
	}
	segment *s = push_segment(p, SEG_INDEX, descendant, offset);
	if (!s)
		return TW_ENOMEM;
	s->index = v;
	return TW_OK;
}

/* After '[': a selector and the closing ']'. */
static int parse_bracket(parser *p, bool descendant, size_t offset)
{
	p->pos++;
	while (p->pos < p->len && space_byte(p->q[p->pos]))
		p->pos++;
	char c = p->pos < p->len ? p->q[p->pos] : '\0';
	int rc;
	if (c == '*') {
		p->pos++;
		rc = push_segment(p, SEG_WILDCARD, descendant, offset) ? TW_OK : TW_ENOMEM;
	} else if (c == '\'' || c == '"') {
		rc = parse_quoted(p, descendant, offset);
	} else if (c == '-' || (c >= '0' && c <= '9')) {
		rc = parse_index(p, descendant, offset);
	} else {
		return syntax_error(p, "a quoted name, an index or '*' after '['");
	}
	if (rc)
		return rc;
	while (p->pos < p->len && space_byte(p->q[p->pos]))
		p->pos++;
	if (p->pos >= p->len || p->q[p->pos] != ']')
		return syntax_error(p, "']'");
	p->pos++;
	return TW_OK;
}

static int parse_segment(parser *p)
{
	size_t offset = p->pos;
	if (p->q[p->pos] == '[')
		return parse_bracket(p, false, offset);
	if (p->q[p->pos] != '.')
		return syntax_error(p, "'.' or '['");
	p->pos++;
	bool descendant = false;
	if (p->pos < p->len && p->q[p->pos] == '.') {
		descendant = true;
		p->pos++;
	}
	char c = p->pos < p->len ? p->q[p->pos] : '\0';
	if (c == '*') {
		p->pos++;
		return push_segment(p, SEG_WILDCARD, descendant, offset) ? TW_OK : TW_ENOMEM;
	}
	if (descendant && c == '[')
		return parse_bracket(p, true, offset);
	if (p->pos < p->len && name_byte((unsigned char)c))
		return parse_name(p, descendant, offset);
	return syntax_error(p, descendant ? "a member name, '*' or '[' after '..'"
					  : "a member name or '*' after '.'");
}

static int parse(parser *p)
{
	while (p->pos < p->len && space_byte(p->q[p->pos]))
		p->pos++;
	while (p->len > p->pos && space_byte(p->q[p->len - 1]))
		p->len--;
	if (p->pos >= p->len || p->q[p->pos] != '$')
		return syntax_error(p, "'$' (a query starts at the root)");
	p->pos++;
	while (p->pos < p->len) {
		int rc = parse_segment(p);
		if (rc)
			return rc;
	}
	return TW_OK;
}

static void free_segments(parser *p)
{
	for (size_t i = 0; i < p->count; i++)
		free(p->segs[i].name);
	free(p->segs);
}

/* ---- evaluation ---- */

typedef struct evaluator {
	tw_json_matches *out;
	const char *query;
	const segment *seg;
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

/* The segment's selector applied to one node. */
static int select_children(evaluator *ev, json_t *node)
{
	const segment *s = ev->seg;
	int rc = TW_OK;
	switch (s->kind) {
	case SEG_NAME:
		if (json_is_object(node)) {
			json_t *v = json_object_get(node, s->name);
			if (v)
				rc = push_match(ev, v);
		}
		break;
	case SEG_INDEX:
		if (json_is_array(node)) {
			long long size = (long long)json_array_size(node);
			long long i = s->index < 0 ? size + s->index : s->index;
			if (i >= 0 && i < size)
				rc = push_match(ev, json_array_get(node, (size_t)i));
		}
		break;
	case SEG_WILDCARD:
		if (json_is_array(node)) {
			size_t i;
			json_t *v;
			json_array_foreach(node, i, v)
			{
				if ((rc = push_match(ev, v)))
					break;
			}
		} else if (json_is_object(node)) {
			const char *k;
			json_t *v;
			json_object_foreach(node, k, v)
			{
				if ((rc = push_match(ev, v)))
					break;
			}
		}
		break;
	}
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

int tw_jsonpath_eval(const char *query, json_t *root, tw_json_matches *out,
		     tw_error *err)
{
	parser p = {.q = query ? query : "", .err = err};
	p.len = strlen(p.q);
	int rc = parse(&p);
	if (rc) {
		free_segments(&p);
		return rc;
	}

	/* Nodes selected so far; swapped with next after every segment. out
	 * only sees the final list, so it is untouched on error. */
	tw_json_matches cur = {0}, next = {0};
	evaluator ev = {.query = p.q, .err = err};
	if (root) {
		if (reserve(&cur, 1) == TW_OK)
			cur.items[cur.count++] = root;
		else
			rc = tw_error_set(err, TW_ENOMEM, "out of memory");
	}
	for (size_t i = 0; rc == TW_OK && i < p.count && cur.count; i++) {
		ev.seg = &p.segs[i];
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
	free_segments(&p);
	return rc;
}
