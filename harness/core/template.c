/*
 * Template expansion. One scanner serves both the checker (which only needs
 * the references and their offsets) and expansion, so the two can never
 * disagree about what a reference is.
 */
#include "core/template.h"

#include <ctype.h>
#include <jansson.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/jsonread.h"

#define TEMPLATE_MAX ((size_t)64 << 20)

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-';
}

/* Parses the inside of {{ ... }} (inner, n bytes) into ref. On error,
 * *at is the offset in inner of what is wrong, or SIZE_MAX for the
 * reference as a whole. */
static int parse_ref(const char *inner, size_t n, tw_ref *ref, const char **why, size_t *at)
{
	*at = SIZE_MAX;
	size_t i = 0;
	while (i < n && isspace((unsigned char)inner[i]))
		i++;
	while (n > i && isspace((unsigned char)inner[n - 1]))
		n--;
	if (i == n) {
		*why = "empty {{ }}: expected a variable name";
		return -1;
	}
	size_t start = i;
	while (i < n && name_char(inner[i]))
		i++;
	ref->kind = TW_REF_VAR;
	/* issue 13, GEN: a generated value's word starts it */
	if (tw_gen_word(inner + start, i - start)) {
		size_t where = 0;
		if (tw_gen_parse(inner + start, n - start, &ref->gen, why, &where)) {
			*at = start + where;
			return -1;
		}
		ref->kind = TW_REF_GEN;
		ref->name = inner + start;
		ref->name_len = n - start;
		return 0;
	}
	if (i < n) {
		/* A function: "env NAME" or "secret NAME". */
		size_t fn_len = i - start;
		if (fn_len == 3 && strncmp(inner + start, "env", 3) == 0)
			ref->kind = TW_REF_ENV;
		else if (fn_len == 6 && strncmp(inner + start, "secret", 6) == 0)
			ref->kind = TW_REF_SECRET;
		else {
			*why = "expected {{name}}, {{env NAME}} or {{secret NAME}}";
			return -1;
		}
		while (i < n && isspace((unsigned char)inner[i]))
			i++;
		start = i;
		while (i < n && name_char(inner[i]))
			i++;
		if (i != n || i == start) {
			*why = ref->kind == TW_REF_ENV ? "expected {{env NAME}}"
						       : "expected {{secret NAME}}";
			return -1;
		}
	}
	if (isdigit((unsigned char)inner[start])) {
		*why = "a variable name cannot start with a digit";
		return -1;
	}
	ref->name = inner + start;
	ref->name_len = i - start;
	return 0;
}

/* True when the {{ at open is written \{{: after an odd run of
 * backslashes, so that JSON's own \\ before a reference keeps it one. */
static bool escaped_braces(const char *start, const char *open)
{
	size_t n = 0;
	while (open - n > start && open[-1 - (ptrdiff_t)n] == '\\')
		n++;
	return n % 2 == 1;
}

int tw_template_scan(const char *tpl, int (*fn)(const tw_ref *ref, void *ctx),
		     void *ctx, size_t *bad_offset, tw_error *err)
{
	const char *p = tpl;
	while ((p = strstr(p, "{{")) != NULL) {
		if (escaped_braces(tpl, p)) {
			p += 2; /* \{{ is a literal {{ */
			continue;
		}
		const char *end = strstr(p + 2, "}}");
		if (!end) {
			if (bad_offset)
				*bad_offset = (size_t)(p - tpl);
			return tw_error_set(err, TW_ESYNTAX, "unclosed {{: expected }}");
		}
		tw_ref ref;
		const char *why = NULL;
		size_t at;
		if (parse_ref(p + 2, (size_t)(end - p - 2), &ref, &why, &at)) {
			if (bad_offset)
				*bad_offset = (size_t)(p - tpl) + (at == SIZE_MAX ? 0 : 2 + at);
			return tw_error_set(err, TW_ESYNTAX, "%s", why);
		}
		ref.offset = (size_t)(p - tpl);
		int rc = fn(&ref, ctx);
		if (rc)
			return rc;
		p = end + 2;
	}
	return TW_OK;
}

bool tw_template_has_refs(const char *tpl)
{
	return tpl && strstr(tpl, "{{") != NULL;
}

/* Appends s so that PCRE2 matches it literally: \Q...\E, with any \E
 * inside s split out of the quoted run. */
static int append_regex_literal(tw_buf *b, const char *s)
{
	int rc = tw_buf_puts(b, "\\Q");
	for (const char *p = s; rc == TW_OK && *p; p++) {
		if (p[0] == '\\' && p[1] == 'E') {
			rc = tw_buf_puts(b, "\\E\\\\E\\Q");
			p++;
		} else {
			rc = tw_buf_append(b, p, 1);
		}
	}
	return rc ? rc : tw_buf_puts(b, "\\E");
}

/* Where a JSON text stands after some bytes of it: inside a string or not,
 * and right after a backslash in one. */
typedef struct json_pos {
	bool in_string, escaped;
} json_pos;

static void json_advance(json_pos *j, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (j->escaped)
			j->escaped = false;
		else if (j->in_string && s[i] == '\\')
			j->escaped = true;
		else if (s[i] == '"')
			j->in_string = !j->in_string;
	}
}

json_t *tw_template_json(const char *text)
{
	json_error_t e;
	return tw_json_parse(text, strlen(text), JSON_DECODE_ANY, &e);
}

/* A value in JSON text: escaped inside a string; outside one, as written
 * when it reads as a JSON value, else as a JSON string. jansson does the
 * escaping (and refuses text that is not UTF-8). */
static int append_json(tw_buf *b, const char *value, bool in_string, const char *name,
		       tw_error *err)
{
	if (!in_string) {
		json_t *v = tw_template_json(value);
		json_decref(v);
		if (v)
			return tw_buf_puts(b, value);
	}
	json_t *str = json_string(value);
	char *quoted = str ? json_dumps(str, JSON_ENCODE_ANY) : NULL;
	json_decref(str);
	if (!quoted)
		return tw_error_set(err, TW_ECHECK,
				    "the value of '%s' cannot go in JSON: it is not UTF-8 text",
				    name);
	size_t n = strlen(quoted);
	int rc = in_string ? tw_buf_append(b, quoted + 1, n - 2) : tw_buf_append(b, quoted, n);
	free(quoted);
	return rc;
}

/* issue 13, GEN: a value as the mode inserts it. */
static int append_value(tw_buf *b, const char *value, tw_expand_mode mode, bool in_string,
			const char *name, tw_error *err)
{
	if (mode == TW_EXPAND_REGEX)
		return append_regex_literal(b, value);
	if (mode == TW_EXPAND_JSON)
		return append_json(b, value, in_string, name, err);
	return tw_buf_puts(b, value);
}

/* ---- pieces: one walk for tw_template_expand and tw_template_compile ---- */

/* issue 15, PLAN: a template is a run of pieces: a literal span of its
 * text, a reference, or the malformed reference expansion stops at. The
 * walk below is expansion's old loop with the values taken out, so a
 * compiled template expands exactly as its text does, error for error in
 * the same order (an unset variable before a malformed reference is
 * still the error). */
typedef enum piece_kind { PIECE_TEXT, PIECE_REF, PIECE_BAD } piece_kind;

struct tw_template_piece {
	piece_kind kind;
	size_t off, len;  /* PIECE_TEXT: the bytes of the text it writes */
	tw_ref ref;       /* PIECE_REF; its names point into the text */
	bool in_string;   /* PIECE_REF: inside a JSON string (TW_EXPAND_JSON) */
	const char *why;  /* PIECE_BAD: the syntax error (static) */
};

typedef struct walk {
	const char *tpl, *p;
	json_pos jp;
	const char *pending; /* "\{{": the "{{" still to write */
	bool over;
} walk;

/* The next piece; false at the end (after PIECE_BAD too). */
static bool next_piece(walk *w, struct tw_template_piece *out)
{
	memset(out, 0, sizeof(*out));
	if (w->over)
		return false;
	if (w->pending) {
		/* the "{{" of "\{{", literal; JSON's state reads it raw */
		out->kind = PIECE_TEXT;
		out->off = (size_t)(w->pending - w->tpl);
		out->len = 2;
		json_advance(&w->jp, w->pending, 2);
		w->p = w->pending + 2;
		w->pending = NULL;
		return true;
	}
	const char *p = w->p;
	const char *open = strstr(p, "{{");
	if (!open) {
		w->over = true;
		if (!*p)
			return false;
		out->kind = PIECE_TEXT;
		out->off = (size_t)(p - w->tpl);
		out->len = strlen(p);
		return true;
	}
	if (escaped_braces(p, open)) {
		/* the text before, without its backslash (which JSON's state
		 * still reads: it escapes in a JSON string) */
		out->kind = PIECE_TEXT;
		out->off = (size_t)(p - w->tpl);
		out->len = (size_t)(open - 1 - p);
		json_advance(&w->jp, p, (size_t)(open - p));
		w->pending = open;
		return true;
	}
	if (open > p) {
		out->kind = PIECE_TEXT;
		out->off = (size_t)(p - w->tpl);
		out->len = (size_t)(open - p);
		json_advance(&w->jp, p, (size_t)(open - p));
		w->p = open;
		return true;
	}
	const char *close = strstr(open + 2, "}}");
	size_t at;
	if (!close) {
		out->kind = PIECE_BAD;
		out->why = "unclosed {{: expected }}";
		w->over = true;
		return true;
	}
	if (parse_ref(open + 2, (size_t)(close - open - 2), &out->ref, &out->why, &at)) {
		out->kind = PIECE_BAD;
		w->over = true;
		return true;
	}
	out->kind = PIECE_REF;
	out->ref.offset = (size_t)(open - w->tpl);
	out->in_string = w->jp.in_string;
	w->p = close + 2;
	return true;
}

/* Writes one piece of tpl into b. */
static int expand_piece(tw_buf *b, const char *tpl, const struct tw_template_piece *pc,
			const tw_vars *vars, tw_expand_mode mode, bool *secret_used,
			tw_error *err)
{
	if (pc->kind == PIECE_TEXT)
		return tw_buf_append(b, tpl + pc->off, pc->len);
	if (pc->kind == PIECE_BAD)
		return tw_error_set(err, TW_ESYNTAX, "%s", pc->why);
	const tw_ref *ref = &pc->ref;
	int rc;
	if (ref->kind == TW_REF_GEN) {
		/* issue 13, GEN: made now, inserted as a variable's value */
		tw_buf made;
		tw_buf_init(&made, TW_GEN_VALUE_MAX);
		rc = tw_gen_append(&made, tw_vars_gen(vars), &ref->gen, err);
		if (rc == TW_OK && !(rc = tw_buf_failed(&made)))
			rc = append_value(b, tw_buf_str(&made), mode, pc->in_string,
					  tw_gen_kind_word(ref->gen.kind), err);
		tw_buf_free(&made);
		if (rc == TW_ECHECK)
			return rc;
		if (rc == TW_ELIMIT || rc == TW_ENOMEM)
			tw_error_set(err, rc, "template expands past %zu bytes", TEMPLATE_MAX);
		return rc;
	}
	char name[256];
	if (ref->name_len >= sizeof(name))
		return tw_error_set(err, TW_ELIMIT, "variable name too long");
	memcpy(name, ref->name, ref->name_len);
	name[ref->name_len] = '\0';
	const char *value;
	bool secret = false;
	if (ref->kind == TW_REF_VAR) {
		value = tw_vars_get(vars, name, &secret);
		if (!value)
			return tw_error_set(err, TW_ECHECK, "variable '%s' is not set", name);
	} else {
		value = getenv(name);
		secret = ref->kind == TW_REF_SECRET;
		if (!value)
			return tw_error_set(err, TW_ECHECK,
					    "environment variable %s is not set (needed by {{%s %s}})",
					    name, secret ? "secret" : "env", name);
	}
	if (secret && secret_used)
		*secret_used = true;
	rc = append_value(b, value, mode, pc->in_string, name, err);
	if (rc == TW_ELIMIT || rc == TW_ENOMEM)
		tw_error_set(err, rc, "template expands past %zu bytes", TEMPLATE_MAX);
	return rc;
}

static int expand_done(tw_buf *b, int rc, char **out, tw_error *err)
{
	if (rc) {
		if (rc == TW_ELIMIT || rc == TW_ENOMEM) {
			if (!err || err->code == TW_OK)
				tw_error_set(err, rc, "template too large");
		}
		tw_buf_free(b);
		return rc;
	}
	*out = tw_buf_steal(b);
	return *out ? TW_OK : tw_error_set(err, TW_ENOMEM, "out of memory");
}

int tw_template_expand(const char *tpl, const tw_vars *vars, tw_expand_mode mode,
		       char **out, bool *secret_used, tw_error *err)
{
	*out = NULL;
	if (secret_used)
		*secret_used = false;
	tw_buf b;
	tw_buf_init(&b, TEMPLATE_MAX);
	walk w = {.tpl = tpl, .p = tpl};
	struct tw_template_piece pc;
	int rc = TW_OK;
	while (rc == TW_OK && next_piece(&w, &pc))
		rc = expand_piece(&b, tpl, &pc, vars, mode, secret_used, err);
	return expand_done(&b, rc, out, err);
}

/* ---- compiled templates (issue 15, PLAN) ---- */

struct tw_template {
	char *text; /* owned copy: the pieces point into it */
	struct tw_template_piece *pieces; /* owned */
	size_t count;
	bool constant; /* no reference, no escape: the text is the value */
};

tw_template *tw_template_compile(const char *tpl)
{
	tw_template *t = calloc(1, sizeof(*t));
	if (!t || !(t->text = strdup(tpl ? tpl : ""))) {
		free(t);
		return NULL;
	}
	walk w = {.tpl = t->text, .p = t->text};
	struct tw_template_piece pc;
	size_t cap = 0;
	while (next_piece(&w, &pc)) {
		if (t->count == cap) {
			size_t n = cap ? cap * 2 : 4;
			struct tw_template_piece *grown = realloc(t->pieces, n * sizeof(*grown));
			if (!grown) {
				tw_template_free(t);
				return NULL;
			}
			t->pieces = grown;
			cap = n;
		}
		t->pieces[t->count++] = pc;
	}
	size_t len = strlen(t->text);
	t->constant = len <= TEMPLATE_MAX &&
		      (t->count == 0 || (t->count == 1 && t->pieces[0].kind == PIECE_TEXT &&
					 t->pieces[0].len == len));
	return t;
}

void tw_template_free(tw_template *t)
{
	if (!t)
		return;
	free(t->pieces);
	free(t->text);
	free(t);
}

const char *tw_template_text(const tw_template *t)
{
	return t->text;
}

const char *tw_template_constant(const tw_template *t)
{
	return t->constant ? t->text : NULL;
}

int tw_template_expand_compiled(const tw_template *t, const tw_vars *vars, tw_expand_mode mode,
				char **out, bool *secret_used, tw_error *err)
{
	*out = NULL;
	if (secret_used)
		*secret_used = false;
	if (t->constant) {
		/* no reference: in every mode the text is the value */
		*out = strdup(t->text);
		return *out ? TW_OK : tw_error_set(err, TW_ENOMEM, "out of memory");
	}
	tw_buf b;
	tw_buf_init(&b, TEMPLATE_MAX);
	int rc = TW_OK;
	for (size_t i = 0; rc == TW_OK && i < t->count; i++)
		rc = expand_piece(&b, t->text, &t->pieces[i], vars, mode, secret_used, err);
	return expand_done(&b, rc, out, err);
}
