/*
 * The rehearsal checker (tw_script_check): every problem that would stop a
 * parsed script from running, each with its place in the script.
 *
 * What it checks, walking the script in line order:
 *   - the cast: a name declared without a value must be given (--var or a
 *     vars file) when the caller says what is given; a cast value may use
 *     the names above it;
 *   - scenes: unique names, at least one step, each step on its channel
 *     (phone steps in scenes on ivr, the customer's web steps in scenes on
 *     web, raw HTTP anywhere; backstage blocks are web);
 *   - the call: the caller's steps need a call placed earlier in the
 *     script and not hung up since (a call spans scenes);
 *   - the keys of `press`, where they are written out rather than
 *     templated;
 *   - every {{name}} in every template: a cast name, a given name, or a
 *     capture (`as NAME`) made by an earlier step. {{env X}} and
 *     {{secret X}} are left to the runner, so `check` passes in CI without
 *     the secrets; a generated value ({{seq}}, {{random KIND N}}, {{now
 *     +1d %d}}, issue 13) is checked by the scanner, which reports a bad
 *     argument at its column, and its name (seq, customer, uuid, random,
 *     now, today) is no cast entry's or capture's;
 *   - uses (issue 13): a `with` names an entry of the used file's cast;
 *     each parameter (an entry without a value) is given by `with` or set
 *     where the use's first scene starts; a used file's scene names clash
 *     with no other. Problems in a used file are at its own lines, their
 *     messages followed by the uses that led there;
 *   - regular expressions (PCRE2) and XPath expressions (libxml2) that
 *     contain no template compile, with the very compile the run uses
 *     (expectations/regex.c, expectations/compiled.c). JSON queries are
 *     left to the runner.
 *
 * Columns. The AST keeps where each thing that holds a template, a regex,
 * an XPath or keys is written (steps, pairs, values, an expectation's
 * argument, a request's body line, a call's numbers and `signed` line,
 * press's keys, a scene's name and channel), so the checker never reads
 * the script's lines again to find them. It does not keep where each
 * template starts, and a STRING's content may be shorter than its
 * spelling.
 * But every "{{" on a statement's line belongs to one of its templates
 * (names, keywords and numbers cannot contain one), escapes never make or
 * break a "{{", and the templates are visited in the order they are
 * written. So the k-th "{{" met while walking the templates is the k-th
 * "{{" on the line from the statement's start: a cursor per line finds it.
 */
#include "language/check.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/xmlerror.h>
#include <libxml/xpathInternals.h>

#include "core/generate.h"
#include "core/buf.h"
#include "core/datafile.h"
#include "core/fsutil.h" /* issue 13, F2 */
#include "core/strmap.h"
#include "core/template.h"
#include "expectations/compiled.h"
#include "expectations/jsonpath.h"
#include "expectations/regex.h"
#include "language/ast.h"
#include "language/lexer.h"
#include "language/parser.h"

typedef struct capture {
	const char *name;
	int line; /* the first step that captures it */
	/* issue 13, USE: where, in script order (see step_pos): a used
	 * file's parameters are "captured" where its use binds them */
	long pos;
	/* issue 13, F3: a capture a `when` scene makes is there only when
	 * its condition held. always_pos: the first capture in a scene
	 * without a condition (LONG_MAX: none); covered_pos: where captures
	 * on both sides of one condition (when {{x}}, when not {{x}}) are in
	 * (LONG_MAX: never); first_cond: the first conditional capture (an
	 * index in checker.conds; SIZE_MAX: none). */
	long always_pos;
	long covered_pos;
	size_t first_cond;
} capture;

/* issue 13, F3: the first capture of a name under one condition. */
typedef struct cond_capture {
	long pos;
	int line;
	const char *file; /* a tw_loc.file: NULL is the script's own */
	const tw_scene *scene; /* the scene with the `when` */
} cond_capture;

typedef struct checker {
	const tw_script *s;
	const tw_vars *given;
	tw_errors *out;
	size_t count;
	tw_arena tmp; /* scratch, freed at the end */

	capture *captures;
	size_t capture_count;

	/* Name -> index, so that 40 000 scenes check in linear time: the
	 * cast's entries, the captures, the scenes checked so far. */
	tw_strmap cast_names;
	tw_strmap capture_names;
	tw_strmap scene_names;
	bool oom; /* a map could not grow: the check is incomplete */
	size_t suggestions; /* "did you mean" lookups made */

	/* Column finding on the line being checked. */
	int line;
	size_t cursor; /* byte index where the next "{{" is looked for */

	/* Set while checking a cast value: the entry's index. */
	long cast_index;

	/* The phone call, in script order. */
	int call_line;   /* the `call` that placed the call on; 0: none on */
	int hangup_line; /* the `hang up` that ended the last one; 0: none */

	/* issue 13, USE: the file of the lines being checked (a tw_loc.file;
	 * NULL: the script's own), and the place in script order that a
	 * capture must come before (lines compare only in one file) */
	const char *file;
	long pos;
	long step_seq; /* steps checked so far */
	/* issue 13, DATA: the data file whose columns are variables: the
	 * script's own `cast from` (owned_data, read here) or the run's
	 * --data (borrowed); NULL: none. */
	const tw_datafile *data;
	tw_datafile *owned_data;
	bool data_unread; /* a `cast from` file could not be read: any name
			     may be one of its columns (one problem, not one
			     per variable) */
	/* issue 13, F3: conditional scenes. The conditional captures (cond_names:
	 * "NAME\1WHEN\1+" or "-" -> index in conds, the first under that
	 * condition); the scene whose steps are checked (NULL: the cast, a
	 * use's bindings); set while a `when` is checked (a name it tests
	 * may be set in some performances only: that is what it asks); the
	 * scene that placed the call that is on, when that scene has a
	 * `when` (NULL: placed whatever the conditions). */
	cond_capture *conds;
	size_t cond_count;
	tw_strmap cond_names;
	const tw_scene *scene_now;
	bool checking_when;
	const tw_scene *call_scene;
} checker;

static void problem(checker *c, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* issue 13, USE: shared scenes (below collect_captures) */
static long step_pos(long seq);
static void check_uses_at(checker *c, size_t index);
static void duplicate_used_scene(checker *c, const tw_scene *sc, const tw_scene *f);
/* issue 13, F3: conditional scenes (below collect_captures) */
static void check_only_when(checker *c, const capture *cap, int col);
static void note_capture(checker *c, capture *cap, const tw_scene *sc, const tw_step *st,
			 long pos);
static const tw_scene *call_condition(const checker *c, const tw_scene *sc);
static void check_call_condition(checker *c, const tw_scene *sc, const tw_step *st);

static void problem(checker *c, int line, int col, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tw_error e = {0};
	const char *file = c->file ? c->file : c->s->path; /* issue 13, USE */
	if (tw_error_set_at(&e, TW_ECHECK, file, line, line > 0 ? col : 0,
			    line > 0 ? tw_script_line_of(c->s, file, line) : NULL, "%s",
			    buf) != TW_ECHECK ||
	    tw_use_chain_append(c->s, file, &e) != TW_OK || tw_errors_push(c->out, &e) != TW_OK)
		c->oom = true; /* a problem lost: the check is incomplete */
	else
		c->count++;
	tw_error_clear(&e);
}

/* ---- variables ---- */

static const tw_pair *cast_entry(const checker *c, const char *name, size_t *index)
{
	size_t i;
	if (!tw_strmap_get(&c->cast_names, name, &i))
		return NULL;
	if (index)
		*index = i;
	return &c->s->cast.items[i];
}

static const capture *find_capture(const checker *c, const char *name)
{
	size_t i;
	return tw_strmap_get(&c->capture_names, name, &i) ? &c->captures[i] : NULL;
}

/* Adds name -> index unless there (then *first is its index); false when
 * it was there. */
static bool add_name(checker *c, tw_strmap *m, const char *name, size_t index, size_t *first)
{
	bool found = false;
	if (tw_strmap_put(m, name, index, &found, first) != TW_OK)
		c->oom = true;
	return !found;
}

static bool given_has(const checker *c, const char *name)
{
	/* issue 13, DATA: a data file's column is given to every performance */
	if (c->data_unread || (c->data && tw_datafile_column(c->data, name) >= 0))
		return true;
	return c->given && tw_vars_get(c->given, name, NULL) != NULL;
}

/* "Did you mean" compares with every known name: for the first unknown
 * names only, or 40 000 of them among 40 000 names take minutes. */
#define SUGGEST_MAX 100

/* The closest known name, for "did you mean". */
static const char *suggest_var(checker *c, const char *name)
{
	size_t n = c->s->cast.count + c->capture_count +
		   (c->given ? tw_vars_count(c->given) : 0) +
		   (c->data ? c->data->column_count : 0); /* issue 13, DATA */
	if (n == 0 || c->suggestions >= SUGGEST_MAX)
		return NULL;
	c->suggestions++;
	const char **names = tw_arena_alloc(&c->tmp, n * sizeof(*names));
	if (!names) {
		c->oom = true;
		return NULL;
	}
	size_t k = 0;
	for (size_t i = 0; i < c->s->cast.count; i++)
		names[k++] = c->s->cast.items[i].name;
	for (size_t i = 0; i < c->capture_count; i++)
		names[k++] = c->captures[i].name;
	for (size_t i = 0; c->given && i < tw_vars_count(c->given); i++)
		tw_vars_at(c->given, i, &names[k++], NULL, NULL);
	for (size_t i = 0; c->data && i < c->data->column_count; i++)
		names[k++] = c->data->columns[i]; /* issue 13, DATA */
	return tw_parse_suggest(name, names, k);
}

static void check_var(checker *c, const char *name, int col)
{
	size_t index;
	const tw_pair *entry = cast_entry(c, name, &index);
	if (entry && (c->cast_index < 0 || (long)index < c->cast_index))
		return; /* a value-less entry nobody gave is reported once, at the cast */
	if (given_has(c, name))
		return;
	if (entry) {
		if ((long)index == c->cast_index)
			problem(c, c->line, col, "cast '%s' uses itself", name);
		else
			problem(c, c->line, col,
				"variable '%s' is used before it is defined (line %d): a cast "
				"value may use the names above it",
				name, entry->loc.line);
		return;
	}
	const capture *cap = find_capture(c, name);
	if (cap && c->cast_index < 0 && cap->pos < c->pos) {
		check_only_when(c, cap, col); /* issue 13, F3 */
		return;
	}
	if (cap) {
		problem(c, c->line, col, "variable '%s' is used before it is captured (line %d)",
			name, cap->line);
		return;
	}
	const char *best = suggest_var(c, name);
	if (best)
		problem(c, c->line, col, "unknown variable '%s' (did you mean '%s'?)", name, best);
	else if (c->data) /* issue 13, DATA: the file's columns were considered */
		problem(c, c->line, col,
			"unknown variable '%s': expected a cast name, a column of %s, a --var, "
			"or a capture (as NAME) from an earlier step",
			name, tw_datafile_base(c->data->path));
	else
		problem(c, c->line, col,
			"unknown variable '%s': expected a cast name, a --var, or a capture (as "
			"NAME) from an earlier step",
			name);
}

/* ---- templates ---- */

typedef struct tpl_ctx {
	checker *c;
	const size_t *opens; /* offsets of "{{" in the template */
	const int *cols;     /* their columns in the line */
	size_t n;
} tpl_ctx;

static int col_of_offset(const tpl_ctx *t, size_t offset, int fallback)
{
	/* The "{{" at or before offset, then the distance from it. */
	int col = fallback;
	for (size_t i = 0; i < t->n && t->opens[i] <= offset; i++)
		col = t->cols[i] + (int)(offset - t->opens[i]);
	return col;
}

static int on_ref(const tw_ref *ref, void *ctx)
{
	tpl_ctx *t = ctx;
	if (ref->kind != TW_REF_VAR)
		return 0; /* environment: the runner's business */
	char *name = tw_arena_strndup(&t->c->tmp, ref->name, ref->name_len);
	if (name)
		check_var(t->c, name, col_of_offset(t, ref->offset, t->c->line > 0 ? 1 : 0));
	else
		t->c->oom = true;
	return 0;
}

/* Starts checking the templates of one statement line at col. */
static void begin_line(checker *c, int line, int col)
{
	c->line = line;
	c->cursor = col > 0 ? (size_t)col - 1 : 0;
}

static void check_template(checker *c, const char *tpl, int fallback_col)
{
	if (!tpl || !strstr(tpl, "{{"))
		return;
	const char *line = tw_script_line_of(c->s, c->file, c->line);
	size_t n = 0;
	for (const char *q = tpl; (q = strstr(q, "{{")) != NULL; q += 2)
		n++;
	size_t *opens = tw_arena_alloc(&c->tmp, n * sizeof(*opens));
	int *cols = tw_arena_alloc(&c->tmp, n * sizeof(*cols));
	if (!opens || !cols) {
		c->oom = true;
		return;
	}
	size_t i = 0;
	for (const char *q = tpl; (q = strstr(q, "{{")) != NULL; q += 2) {
		opens[i] = (size_t)(q - tpl);
		const char *at = c->cursor <= strlen(line) ? strstr(line + c->cursor, "{{") : NULL;
		if (at) {
			cols[i] = (int)(at - line) + 1;
			c->cursor = (size_t)(at - line) + 2;
		} else {
			cols[i] = fallback_col;
		}
		i++;
	}
	tpl_ctx t = {c, opens, cols, n};
	size_t bad = 0;
	tw_error err = {0};
	int rc = tw_template_scan(tpl, on_ref, &t, &bad, &err);
	if (rc == TW_ENOMEM)
		c->oom = true;
	else if (rc != TW_OK)
		problem(c, c->line, col_of_offset(&t, bad, fallback_col), "%s",
			err.message ? err.message : "malformed template");
	tw_error_clear(&err);
}

/* ---- regular expressions and XPath ---- */

/* The column of offset in a text's decoded form, written at loc as a
 * token of kind: STRING and REGEX decode escapes, a WORD is as written. */
static int raw_col(const checker *c, tw_loc loc, tw_tok_kind kind, size_t offset)
{
	tw_token tok = {0};
	tok.kind = kind;
	tok.raw = tw_script_line_of(c->s, loc.file, loc.line) + loc.col - 1;
	tok.raw_len = strlen(tok.raw);
	return loc.col + (int)tw_lex_raw_offset(&tok, offset);
}

/* How a WORD or STRING argument at loc is written. */
static tw_tok_kind written_as(const checker *c, tw_loc loc)
{
	return tw_script_line_of(c->s, loc.file, loc.line)[loc.col - 1] == '"' ? TW_TOK_STRING
										: TW_TOK_WORD;
}

static void check_regex(checker *c, const tw_value *v)
{
	if (v->kind != TW_VAL_REGEX || tw_template_has_refs(v->text))
		return;
	/* expectations/regex.c's own compile, so what passes here compiles
	 * there. */
	tw_regex *re = NULL;
	size_t offset;
	tw_error err = {0};
	int rc = tw_regex_compile_at(&re, v->text, v->flags, &offset, &err);
	tw_regex_free(re);
	if (rc == TW_ENOMEM)
		c->oom = true;
	else if (rc)
		/* The offset is in the decoded pattern; the caret goes on the
		 * raw one. */
		problem(c, v->loc.line, raw_col(c, v->loc, TW_TOK_REGEX, offset),
			"invalid regular expression: %s", err.message ? err.message : "");
	tw_error_clear(&err);
}

static const char *xpath_message(int code)
{
	switch (code - XML_XPATH_EXPRESSION_OK) {
	case 1: return "invalid number";
	case 2: return "unfinished string (a closing quote is missing)";
	case 3: return "expected a string";
	case 4: return "invalid variable reference";
	case 5: return "undefined variable";
	case 6: return "invalid predicate";
	case 8: return "unclosed bracket or parenthesis";
	case 9: return "unknown function";
	case 10: return "invalid operand";
	case 11: return "invalid type";
	case 12: return "wrong number of arguments";
	case 19: return "undefined namespace prefix";
	case 21: return "invalid character";
	default: return "invalid expression";
	}
}

static bool xpath_name_byte(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '-' || ch == '_' || ch == '.' || ch == ':' || (unsigned char)ch >= 0x80;
}

/* libxml2 compiles a call to a function it does not have and only fails
 * when evaluating it: every name written before '(' (outside quotes)
 * that is not a node test must be one of the functions the run's XPath
 * contexts know. Sets *at to the name's offset; returns it malloc'd, or
 * NULL when all are known. */
static char *unknown_xpath_function(const char *expr, size_t *at, bool *oom)
{
	/* XPath 1.0's core functions: a context missing one of them is one
	 * whose registration ran out of memory (libxml2 says nothing), not a
	 * reason to call a name unknown. */
	static const char *const core[] = {
		"last", "position", "count", "id", "local-name", "namespace-uri", "name",
		"string", "concat", "starts-with", "contains", "substring-before",
		"substring-after", "substring", "string-length", "normalize-space",
		"translate", "boolean", "not", "true", "false", "lang", "number", "sum",
		"floor", "ceiling", "round",
	};
	xmlXPathContextPtr ctx = xmlXPathNewContext(NULL);
	for (size_t k = 0; ctx && k < sizeof(core) / sizeof(core[0]); k++)
		if (!xmlXPathFunctionLookup(ctx, BAD_CAST core[k])) {
			xmlXPathFreeContext(ctx);
			ctx = NULL;
		}
	if (!ctx) {
		*oom = true;
		return NULL;
	}
	char *found = NULL;
	size_t i = 0, n = strlen(expr);
	while (i < n && !found) {
		char ch = expr[i];
		if (ch == '"' || ch == '\'') {
			const char *close = strchr(expr + i + 1, ch);
			i = close ? (size_t)(close - expr) + 1 : n;
			continue;
		}
		if (!xpath_name_byte(ch) || (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' ||
		    ch == ':') {
			i++;
			continue;
		}
		size_t start = i;
		/* `child::node()`: an axis ends at "::", a QName's prefix at ':'. */
		while (i < n && xpath_name_byte(expr[i]) && strncmp(expr + i, "::", 2) != 0)
			i++;
		if (start > 0 && expr[start - 1] == '$')
			continue;
		size_t j = i;
		while (j < n && (expr[j] == ' ' || expr[j] == '\t' || expr[j] == '\n'))
			j++;
		if (j >= n || expr[j] != '(')
			continue;
		char *name = strndup(expr + start, i - start);
		if (!name) {
			*oom = true;
			break;
		}
		static const char *const node_tests[] = {"node", "text", "comment",
							 "processing-instruction"};
		bool known = strchr(name, ':') == NULL &&
			     xmlXPathFunctionLookup(ctx, BAD_CAST name) != NULL;
		for (size_t k = 0; k < sizeof(node_tests) / sizeof(node_tests[0]); k++)
			known |= strcmp(name, node_tests[k]) == 0;
		if (known) {
			free(name);
		} else {
			found = name;
			*at = start;
		}
	}
	xmlXPathFreeContext(ctx);
	return found;
}

static void check_xpath(checker *c, const tw_step *st)
{
	const tw_expect *e = &st->expect;
	if (!e->arg || tw_template_has_refs(e->arg))
		return;
	/* What the run compiles it with (expectations/compiled.c). */
	int code, offset;
	xmlXPathCompExprPtr comp = tw_xpath_compile(e->arg, &code, &offset);
	if (comp) {
		xmlXPathFreeCompExpr(comp);
		size_t at = 0;
		char *name = unknown_xpath_function(e->arg, &at, &c->oom);
		if (name)
			problem(c, e->arg_loc.line,
				raw_col(c, e->arg_loc, written_as(c, e->arg_loc), at),
				"invalid XPath expression: unknown function '%s'", name);
		free(name);
		return;
	}
	if (code == XML_ERR_NO_MEMORY || code == XML_XPATH_MEMORY_ERROR) {
		c->oom = true;
		return;
	}
	problem(c, e->arg_loc.line, raw_col(c, e->arg_loc, written_as(c, e->arg_loc), (size_t)offset),
		"invalid XPath expression: %s", code ? xpath_message(code) : "it does not compile");
}

/* A JSON query without templates parses now rather than at run time. */
static void check_json_query(checker *c, const tw_step *st)
{
	const tw_expect *e = &st->expect;
	if (!e->arg || tw_template_has_refs(e->arg))
		return;
	tw_jsonpath *jp = NULL;
	tw_error err = {0};
	int rc = tw_jsonpath_compile(&jp, e->arg, &err);
	tw_jsonpath_free(jp);
	if (rc == TW_ENOMEM)
		c->oom = true;
	else if (rc)
		problem(c, e->arg_loc.line,
			raw_col(c, e->arg_loc, written_as(c, e->arg_loc),
				err.col > 0 ? (size_t)err.col - 1 : 0),
			"invalid JSON query: %s", err.message ? err.message : "");
	tw_error_clear(&err);
}

/* ---- issue 13, DATA: casts from data ---- */

static char *script_file(checker *c, const char *path);

/* A data file's own problem (malformed: its line and column, the line
 * under it), as the check lists it. */
static void data_problem(checker *c, const tw_error *e)
{
	/* A malformed file stays a syntax error, as --data's says it. */
	int code = e->code == TW_ESYNTAX ? TW_ESYNTAX : TW_ECHECK;
	tw_error copy = {0};
	if (tw_error_set_at(&copy, code, e->file, e->line, e->col, e->source_line, "%s",
			    e->message ? e->message : "") != code ||
	    tw_errors_push(c->out, &copy) != TW_OK)
		c->oom = true;
	else
		c->count++;
	tw_error_clear(&copy);
}

/* The script's `cast from` file is read (a missing or malformed one is a
 * problem, at the cast line or at the file's own line and column), else
 * the run's --data is used: either way its columns are variables. The
 * secret columns must be columns. */
static void check_data(checker *c, const tw_datafile *run_data)
{
	const tw_script *s = c->s;
	if (!s->data_path) {
		c->data = run_data;
		return;
	}
	char *full = script_file(c, s->data_path);
	if (!full)
		return;
	tw_error e = {0};
	/* issue 13, F2: its secret columns' values are not registered yet:
	 * an error about a row quotes none of it */
	int rc = tw_datafile_load_opts(&c->owned_data, full,
				       s->data_secret_count ? TW_DATAFILE_HIDE_ROWS : 0, &e);
	const char *why = e.message ? e.message : "";
	if (strncmp(why, "cannot read the data file: ", 27) == 0)
		why += 27;
	if (rc == TW_EIO && strcmp(full, s->data_path) == 0)
		problem(c, s->data_loc.line, s->data_loc.col,
			"cannot read the data file '%s': %s; a path is relative to the "
			"rehearsal's folder",
			s->data_path, why);
	else if (rc == TW_EIO)
		problem(c, s->data_loc.line, s->data_loc.col,
			"cannot read the data file '%s' (%s): %s; a path is relative to the "
			"rehearsal's folder",
			s->data_path, full, why);
	else if (rc == TW_ENOMEM)
		c->oom = true;
	else if (rc != TW_OK && tw_datafile_read_by(&e, s->path, s->data_loc.line,
						   s->data_loc.col) != TW_OK) /* issue 13, F2 */
		c->oom = true;
	else if (rc != TW_OK)
		data_problem(c, &e);
	tw_error_clear(&e);
	c->data = c->owned_data;
	c->data_unread = !c->data;
	/* issue 13, GEN: a generated value's name is no column's */
	for (size_t i = 0; c->data && i < c->data->column_count; i++) {
		const char *why = tw_gen_reserved_why(c->data->columns[i]);
		if (why)
			problem(c, s->data_loc.line, s->data_loc.col,
				"column '%s' of %s is reserved: %s, so no column can be called "
				"so: rename it in the file's header (like my_%s)",
				c->data->columns[i], tw_datafile_base(c->data->path), why,
				c->data->columns[i]);
	}
	for (size_t i = 0; c->data && i < s->data_secret_count; i++) {
		const char *name = s->data_secrets[i];
		if (tw_datafile_column(c->data, name) >= 0)
			continue;
		const char *best = tw_parse_suggest(name, (const char *const *)c->data->columns,
						    c->data->column_count);
		tw_buf cols;
		tw_buf_init(&cols, 4096);
		for (size_t k = 0; k < c->data->column_count; k++)
			tw_buf_printf(&cols, "%s%s", k ? ", " : "", c->data->columns[k]);
		const tw_loc *at = &s->data_secret_locs[i];
		if (best)
			problem(c, at->line, at->col,
				"'%s' is not a column of %s (did you mean '%s'?): a secret column is "
				"one of the file's columns",
				name, tw_datafile_base(c->data->path), best);
		else
			problem(c, at->line, at->col,
				"'%s' is not a column of %s: a secret column is one of the file's "
				"columns (%s)",
				name, tw_datafile_base(c->data->path), tw_buf_str(&cols));
		tw_buf_free(&cols);
	}
}

/* ---- the walk ---- */

/* issue 13, GEN: a name a generated value has is no variable's. */
static void check_reserved(checker *c, const char *name, int line, int col, const char *what)
{
	const char *why = tw_gen_reserved_why(name);
	if (why)
		problem(c, line, col,
			"'%s' is reserved: %s, so no %s can be called so: choose another name "
			"(like my_%s)",
			name, why, what, name);
}

/* The column of NAME in `as NAME` on line (the last one), else 0. */
static int capture_col(const checker *c, int line, const char *name)
{
	const char *text = tw_script_line(c->s, line);
	int col = 0;
	size_t n = strlen(name);
	for (const char *p = text ? strstr(text, name) : NULL; p; p = strstr(p + 1, name)) {
		const char *q = p;
		while (q > text && (q[-1] == ' ' || q[-1] == '\t'))
			q--;
		if (q != p && q - text >= 2 && strncmp(q - 2, "as", 2) == 0 &&
		    (p[n] == '\0' || !isalnum((unsigned char)p[n])))
			col = (int)(p - text) + 1;
	}
	return col;
}

static void check_cast(checker *c)
{
	for (size_t i = 0; i < c->s->cast.count; i++) {
		const tw_pair *e = &c->s->cast.items[i];
		check_reserved(c, e->name, e->loc.line, e->loc.col, "cast entry"); /* issue 13 */
		if (!e->value) {
			if (c->given && !given_has(c, e->name))
				problem(c, e->loc.line, e->loc.col,
					"cast '%s' has no value: give it one with --var %s=VALUE or "
					"in a --vars-file",
					e->name, e->name);
			continue;
		}
		c->cast_index = (long)i;
		begin_line(c, e->loc.line, e->loc.col);
		check_template(c, e->value, e->loc.col);
	}
	c->cast_index = -1;
}

static void check_pair(checker *c, const tw_pair *pr, bool name_is_template)
{
	begin_line(c, pr->loc.line, pr->loc.col);
	if (name_is_template)
		check_template(c, pr->name, pr->loc.col);
	check_template(c, pr->value, pr->loc.col);
}

/* A template on a modifier line under a request: a pair, or the body. */
typedef struct modifier {
	const tw_pair *pair; /* NULL: the body */
	bool name_is_template;
	int line;
} modifier;

static int by_line(const void *a, const void *b)
{
	const modifier *x = a, *y = b;
	return (x->line > y->line) - (x->line < y->line);
}

static size_t add_pairs(modifier *m, size_t n, const tw_pairs *pairs, bool name_is_template)
{
	for (size_t i = 0; i < pairs->count; i++)
		m[n++] = (modifier){&pairs->items[i], name_is_template, pairs->items[i].loc.line};
	return n;
}

/* A file a script names, as the run will open it: relative to the
 * rehearsal's folder unless absolute. In c->tmp; NULL (and c->oom) when
 * out of memory. */
static char *script_file(checker *c, const char *path)
{
	/* issue 13, USE: a used file's paths are relative to its folder */
	const char *base = c->file ? c->file : c->s->path;
	char *m = tw_path_beside(base, path); /* issue 13, F2: the one rule */
	char *full = m ? tw_arena_strdup(&c->tmp, m) : NULL;
	free(m);
	if (!full)
		c->oom = true;
	return full;
}

/* A file a request sends (`body file`, `part NAME file`), named relative
 * to the rehearsal's folder: missing is found now, not mid-run. A path
 * with a template is known at run time only. */
static void check_file(checker *c, int line, int col, const char *path)
{
	if (!path || strstr(path, "{{"))
		return;
	char *full = script_file(c, path);
	if (!full)
		return;
	struct stat sb;
	if (stat(full, &sb) != 0 || access(full, R_OK) != 0)
		problem(c, line, col, "cannot read the file '%s' (%s): %s; a path is relative to the rehearsal's folder",
			path, full, strerror(errno));
	else if (S_ISDIR(sb.st_mode))
		problem(c, line, col, "'%s' (%s) is a folder: expected a file", path, full);
}

/* The modifier lines under a request step, in line order (`timeout` and
 * `apdex` lines have no templates). */
/* `cert FILE key FILE` written out (no template): both files readable,
 * named relative to the script's folder as the run names them. */
static void check_client_files(checker *c, const tw_request *r)
{
	const char *files[] = {r->cert, r->key};
	for (int i = 0; i < 2; i++) {
		if (!files[i] || strstr(files[i], "{{"))
			continue;
		char *path = script_file(c, files[i]);
		if (path && access(path, R_OK) != 0)
			problem(c, r->cert_loc.line, r->cert_loc.col,
				"cannot read the client %s '%s': %s", i ? "key" : "certificate", path,
				strerror(errno));
	}
}

static void check_request(checker *c, const tw_step *st)
{
	const tw_request *r = &st->req;
	begin_line(c, st->loc.line, st->loc.col);
	check_template(c, r->url, st->loc.col);
	size_t n = r->headers.count + r->query.count + r->form.count + r->parts.count + 2;
	modifier *m = tw_arena_alloc(&c->tmp, n * sizeof(*m));
	if (!m) {
		c->oom = true;
		return;
	}
	n = add_pairs(m, 0, &r->headers, true);
	n = add_pairs(m, n, &r->query, true);
	n = add_pairs(m, n, &r->form, true);
	n = add_pairs(m, n, &r->parts, true);
	if ((r->body_kind == TW_BODY_JSON || r->body_kind == TW_BODY_RAW) && r->body_loc.line > 0)
		m[n++] = (modifier){NULL, false, r->body_loc.line};
	if (r->auth)
		m[n++] = (modifier){NULL, true, r->auth_loc.line};
	qsort(m, n, sizeof(*m), by_line);
	for (size_t i = 0; i < n; i++) {
		const tw_pair *pr = m[i].pair;
		if (pr) {
			check_pair(c, pr, m[i].name_is_template);
			check_template(c, pr->content_type, pr->loc.col);
			check_template(c, pr->filename, pr->loc.col);
			if (pr->is_file)
				check_file(c, pr->loc.line, pr->loc.col, pr->value);
		} else if (m[i].name_is_template) { /* the auth line */
			begin_line(c, r->auth_loc.line, r->auth_loc.col);
			check_template(c, r->auth, r->auth_loc.col);
		} else {
			begin_line(c, r->body_loc.line, r->body_loc.col);
			if (r->fence_line > 0 && r->body) {
				/* A fence: each of its lines where it is written. */
				const char *l = r->body;
				for (int k = 0; *l; k++) {
					size_t n = strcspn(l, "\n");
					char *one = tw_arena_strndup(&c->tmp, l, n);
					if (!one) {
						c->oom = true;
						break;
					}
					begin_line(c, r->fence_line + k, r->fence_indent + 1);
					check_template(c, one, r->fence_indent + 1);
					l += n + (l[n] == '\n');
				}
			} else {
				check_template(c, r->body, r->body_loc.col);
			}
			check_template(c, r->body_file, r->body_loc.col);
			check_file(c, r->body_loc.line, r->body_loc.col, r->body_file);
		}
	}
	/* transport (issue 12, capability 11) */
	if (r->cert) {
		begin_line(c, r->cert_loc.line, r->cert_loc.col);
		check_template(c, r->cert, r->cert_loc.col);
		check_template(c, r->key, r->cert_loc.col);
		check_client_files(c, r);
	}
}

/* ---- the phone ---- */

/* A call's templates in the order written: the URL, then from and to in
 * whichever order the line has them, then the `signed with` line. */
static void check_call(checker *c, const tw_step *st)
{
	const tw_call_spec *call = &st->call;
	check_template(c, call->url, st->loc.col);
	bool to_first = call->to_loc.col && (!call->from_loc.col ||
					     call->to_loc.col < call->from_loc.col);
	if (to_first)
		check_template(c, call->to, call->to_loc.col);
	if (call->from_loc.col)
		check_template(c, call->from, call->from_loc.col);
	if (!to_first && call->to_loc.col)
		check_template(c, call->to, call->to_loc.col);
	if (call->token_loc.line > 0) {
		begin_line(c, call->token_loc.line, call->token_loc.col);
		check_template(c, call->token, call->token_loc.col);
	}
}

static bool key_char(char k)
{
	/* w and W wait half a second and a second, as carriers' sendDigits */
	return isdigit((unsigned char)k) || k == '*' || k == '#' || k == 'w' || k == 'W';
}

/* The keys written out in `press`; templated parts are known at run time,
 * when the runner checks the whole. One problem per step: the first bad
 * key says what is wrong with the rest. It is reported in its place among
 * the templates' problems: with early set, only when it comes before the
 * first template, else only when it comes after. */
static void check_keys(checker *c, const tw_step *st, bool early)
{
	const char *keys = st->value;
	if (!keys)
		return;
	const char *tpl = strstr(keys, "{{");
	size_t first_tpl = tpl ? (size_t)(tpl - keys) : strlen(keys);
	size_t i = 0;
	while (keys[i]) {
		if (keys[i] == '{' && keys[i + 1] == '{') {
			const char *close = strstr(keys + i + 2, "}}");
			if (!close)
				return; /* a malformed template: reported as such */
			i = (size_t)(close - keys) + 2;
			continue;
		}
		if (key_char(keys[i])) {
			i++;
			continue;
		}
		if ((i < first_tpl) != early)
			return;
		size_t n = 1; /* show a whole UTF-8 character */
		while (((unsigned char)keys[i + n] & 0xC0) == 0x80)
			n++;
		problem(c, st->value_loc.line, raw_col(c, st->value_loc, written_as(c, st->value_loc), i),
			"'%.*s' is not a key: press takes digits, *, # and w or W (a pause)",
			(int)n, keys + i);
		return;
	}
}

/* The steps only a browser takes (raw HTTP is for anyone: backstage
 * checks during a call). */
static bool web_step(const tw_step *st)
{
	return tw_step_facts_of(st->kind)->channel == TW_STEP_ON_WEB;
}

/* The step as its writer calls it, for messages. */
static const char *step_name(const tw_step *st)
{
	if (st->kind == TW_STEP_EXPECT)
		switch (st->expect.subject) {
		case TW_SUBJ_TRANSFER: return "expect transfer";
		case TW_SUBJ_RECORDING: return "expect recording";
		case TW_SUBJ_REJECTED: return "expect rejected";
		case TW_SUBJ_HANGUP: return "expect hangup";
		case TW_SUBJ_REPROMPTS: return "expect reprompts"; /* issue 14 */
		default: break;
		}
	return tw_step_facts_of(st->kind)->written;
}

/* The step is on its scene's channel, and a caller's step has a call to
 * act on. The call's state moves whatever the channel, so a step in the
 * wrong scene is reported once, not again for every step after it. */
static void check_channel(checker *c, const tw_scene *sc, const tw_step *st)
{
	bool ivr = sc->channel == TW_CHANNEL_IVR && !sc->backstage;
	const char *name = step_name(st);
	int line = st->loc.line, col = st->loc.col;
	if (!tw_step_is_phone(st)) {
		if (ivr && web_step(st))
			problem(c, line, col,
				"'%s' is a web step: use it in a scene on web (this scene is on ivr)",
				name);
		return;
	}
	if (!ivr)
		problem(c, line, col, "'%s' is a phone step: use it in a scene on ivr%s", name,
			sc->backstage ? " (backstage blocks are web)" : "");
	if (st->kind == TW_STEP_CALL) {
		c->call_scene = call_condition(c, sc); /* issue 13, F3 */
		c->call_line = line;
		return;
	}
	/* issue 14, MATCH: a handler stands from its line on, a call or not */
	if (st->kind == TW_STEP_WHEN)
		return;
	if (!c->call_line) {
		if (!ivr)
			return;
		/* issue 14, MATCH: the call hung up is still there to ask who
		 * ended it and how often it re-prompted */
		if (c->hangup_line && st->kind == TW_STEP_EXPECT &&
		    (st->expect.subject == TW_SUBJ_HANGUP || st->expect.subject == TW_SUBJ_REPROMPTS))
			return;
		if (c->hangup_line)
			problem(c, line, col,
				"'%s' after 'hang up' (line %d): place a new call first", name,
				c->hangup_line);
		else
			problem(c, line, col, "'%s' before any 'call': place a call first", name);
		return;
	}
	if (ivr)
		check_call_condition(c, sc, st); /* issue 13, F3 */
	if (st->kind == TW_STEP_HANGUP) {
		c->hangup_line = line;
		c->call_line = 0;
	}
}

/* ---- the steps: one function per row of steps.def ---- */

static void check_nothing(checker *c, const tw_step *st)
{
	(void)c;
	(void)st; /* pause, silence, hang up: no template, nothing to compile */
}

/* click, fill, tick, untick, submit: target, then value */
static void check_target_value(checker *c, const tw_step *st)
{
	check_template(c, st->target, st->loc.col);
	check_template(c, st->value, st->loc.col);
}

/* click and submit: the link or button, the words of its row, then the
 * header lines under it */
static void check_navigation(checker *c, const tw_step *st)
{
	check_template(c, st->target, st->loc.col);
	if (st->within)
		check_template(c, st->within, st->within_loc.col);
	for (size_t i = 0; i < st->req.headers.count; i++)
		check_pair(c, &st->req.headers.items[i], false);
}

/* `attach FILE to FIELD`: the file is there to send (when its path has no
 * template), relative to the rehearsal as the run reads it. */
static void check_attach(checker *c, const tw_step *st)
{
	check_template(c, st->value, st->value_loc.col);
	check_template(c, st->target, st->loc.col);
	if (!st->value || strstr(st->value, "{{"))
		return;
	char *path = script_file(c, st->value);
	if (!path)
		return;
	struct stat sb;
	if (stat(path, &sb) != 0)
		problem(c, st->value_loc.line, st->value_loc.col,
			"no file '%s' to attach (%s): the path is relative to the rehearsal",
			st->value, strerror(errno));
	else if (!S_ISREG(sb.st_mode))
		problem(c, st->value_loc.line, st->value_loc.col,
			"'%s' is not a file: attach sends a file's content", st->value);
}

/* `choose OPTION from LIST`: the option is written first */
static void check_choose(checker *c, const tw_step *st)
{
	check_template(c, st->value, st->loc.col);
	check_template(c, st->target, st->loc.col);
}

static void check_press(checker *c, const tw_step *st)
{
	check_keys(c, st, true);
	check_template(c, st->value, st->loc.col);
	check_keys(c, st, false);
}

static void check_say(checker *c, const tw_step *st)
{
	check_template(c, st->value, st->loc.col);
}

/* A toDate format is strptime's (glibc's conversions); Hurl's formats are
 * chrono's, whose %+ and fractions strptime has not: those would fail on
 * every date at run time. */
static void check_date_format(checker *c, const tw_value *v)
{
	const char *conv = "aAbBcCdDeFgGhHIjklmMnprRsStTuUVwWxXyYzZ%";
	for (const char *q = v->text; (q = strchr(q, '%')) != NULL;) {
		const char *at = q++;
		if (*q == 'E' || *q == 'O')
			q++;
		if (*q && strchr(conv, *q)) {
			q++;
			continue;
		}
		if (at[1] == '+')
			problem(c, v->loc.line, v->loc.col,
				"%%+ in a toDate format is chrono's (Hurl's), not strptime's: for "
				"ISO 8601 write toDate without a format (it reads fractions of a "
				"second and offsets)");
		else if (strchr(".0123456789f", at[1]) && strchr(at, 'f'))
			problem(c, v->loc.line, v->loc.col,
				"fractions of a second in a toDate format are chrono's (Hurl's): "
				"strptime reads none; for ISO 8601 write toDate without a format");
		else
			problem(c, v->loc.line, v->loc.col,
				"unknown conversion '%%%.1s' in the toDate format: strptime knows "
				"%%Y %%m %%d %%H %%M %%S %%z %%a %%b and the rest of man strptime, "
				"and the whole text must match",
				*q ? q : "");
		return;
	}
}

/* What each filter gives and takes, as far as the script alone tells:
 * `toInt count` can never apply, whatever the response. */
enum { F_STR = 1, F_NUM = 2, F_LIST = 4, F_OBJ = 8, F_BYTES = 16, F_DATE = 32, F_ANY = 63 };

static int filter_gives(tw_filter_kind k)
{
	switch (k) {
	case TW_FILTER_COUNT:
	case TW_FILTER_TO_INT:
	case TW_FILTER_TO_FLOAT:
	case TW_FILTER_DAYS_AFTER_NOW:
	case TW_FILTER_DAYS_BEFORE_NOW: return F_NUM;
	case TW_FILTER_SPLIT: return F_LIST;
	case TW_FILTER_BASE64_DECODE: return F_BYTES;
	case TW_FILTER_TO_DATE: return F_DATE;
	case TW_FILTER_NTH:
	case TW_FILTER_FIRST:
	case TW_FILTER_LAST:
	case TW_FILTER_JSONPATH: return F_ANY;
	default: return F_STR;
	}
}

static int filter_takes(tw_filter_kind k)
{
	switch (k) {
	case TW_FILTER_COUNT: return F_LIST | F_OBJ | F_BYTES;
	case TW_FILTER_NTH:
	case TW_FILTER_FIRST:
	case TW_FILTER_LAST: return F_LIST;
	case TW_FILTER_TO_INT:
	case TW_FILTER_TO_FLOAT: return F_STR | F_NUM;
	case TW_FILTER_SPLIT:
	case TW_FILTER_TO_DATE: return F_STR;
	case TW_FILTER_DAYS_AFTER_NOW:
	case TW_FILTER_DAYS_BEFORE_NOW: return F_DATE;
	default: return F_STR | F_BYTES;
	}
}

static const char *gives_words(int t)
{
	switch (t) {
	case F_NUM: return "a number";
	case F_LIST: return "a list";
	case F_BYTES: return "bytes";
	case F_DATE: return "a date";
	default: return "a string";
	}
}

/* What a run would fail on in a filter's arguments: templates, a regex
 * that does not compile, a JSON query that does not parse, an empty
 * separator. */
static void check_filters(checker *c, const tw_expect *e)
{
	for (size_t i = 0; i < e->filter_count; i++) {
		const tw_filter *f = &e->filters[i];
		if (i > 0) {
			const tw_filter *before = &e->filters[i - 1];
			int t = filter_gives(before->kind);
			if (t != F_ANY && !(t & filter_takes(f->kind)))
				problem(c, f->loc.line, f->loc.col,
					"'%s' cannot follow '%s': %s gives %s, which %s does not "
					"take",
					f->name, before->name, before->name, gives_words(t), f->name);
		}
		const tw_value *args[] = {&f->arg, &f->arg2};
		for (size_t a = 0; a < 2; a++)
			if (args[a]->kind == TW_VAL_STRING || args[a]->kind == TW_VAL_REGEX)
				check_template(c, args[a]->text, args[a]->loc.col);
		if (f->arg.kind == TW_VAL_REGEX) {
			check_regex(c, &f->arg);
		} else if (f->kind == TW_FILTER_REGEX && !tw_template_has_refs(f->arg.text)) {
			/* A pattern in quotes: the same compile, no flags. */
			tw_regex *re = NULL;
			tw_error err = {0};
			int rc = tw_regex_compile(&re, f->arg.text, "", &err);
			tw_regex_free(re);
			if (rc == TW_ENOMEM)
				c->oom = true;
			else if (rc)
				problem(c, f->arg.loc.line, f->arg.loc.col,
					"invalid regular expression: %s",
					err.message ? err.message : "");
			tw_error_clear(&err);
		}
		if (f->kind == TW_FILTER_JSONPATH && !tw_template_has_refs(f->arg.text)) {
			tw_jsonpath *q = NULL;
			tw_error err = {0};
			int rc = tw_jsonpath_compile(&q, f->arg.text, &err);
			tw_jsonpath_free(q);
			if (rc == TW_ENOMEM)
				c->oom = true;
			else if (rc)
				problem(c, f->arg.loc.line, f->arg.loc.col,
					"invalid JSON query after 'jsonpath': %s",
					err.message ? err.message : "");
			tw_error_clear(&err);
		}
		if (f->kind == TW_FILTER_TO_DATE && f->arg.kind == TW_VAL_STRING &&
		    !tw_template_has_refs(f->arg.text))
			check_date_format(c, &f->arg);
		if (f->kind == TW_FILTER_SPLIT && f->arg.text && !f->arg.text[0])
			problem(c, f->arg.loc.line, f->arg.loc.col,
				"empty separator after 'split': expected the text to cut at, "
				"like split \",\"");
	}
}

/* expect and hear */
static void check_expect(checker *c, const tw_step *st)
{
	const tw_expect *e = &st->expect;
	if (e->subject == TW_SUBJ_XPATH || e->subject == TW_SUBJ_JSON)
		check_template(c, e->arg, st->loc.col);
	/* `expect var NAME` reads a variable as a template would; that one is
	 * not set is what `not exists` asks. */
	if (e->subject == TW_SUBJ_VAR && e->arg && e->op != TW_OP_NOT_EXISTS)
		check_var(c, e->arg, e->arg_loc.col);
	if (e->value.kind == TW_VAL_STRING || e->value.kind == TW_VAL_REGEX ||
	    e->value.kind == TW_VAL_TEMPLATE)
		check_template(c, e->value.text, e->value.loc.col);
	for (size_t i = 0; i < e->value.item_count; i++)
		if (e->value.items[i].kind == TW_VAL_STRING)
			check_template(c, e->value.items[i].text, e->value.loc.col);
	check_regex(c, &e->value);
	if (e->subject == TW_SUBJ_XPATH)
		check_xpath(c, st);
	check_filters(c, e);
	if (e->subject == TW_SUBJ_JSON)
		check_json_query(c, st);
}

/* issue 14, MATCH: `when hear ~ /re/ press $1`: the hear as any, the
 * action's template, and no $N past the regex's groups. */
static void check_when(checker *c, const tw_step *st)
{
	check_expect(c, st);
	check_template(c, st->value, st->value_loc.col ? st->value_loc.col : st->loc.col);
	if (st->when_groups == 0)
		return;
	const tw_value *v = &st->expect.value;
	int groups = 0;
	if (v->kind == TW_VAL_REGEX) {
		if (tw_template_has_refs(v->text))
			return; /* known only at run time */
		tw_regex *re = NULL;
		tw_error err = {0};
		int rc = tw_regex_compile(&re, v->text, v->flags, &err);
		tw_error_clear(&err);
		if (rc == TW_ENOMEM)
			c->oom = true;
		if (rc)
			return; /* check_regex said why */
		groups = tw_regex_groups(re);
		tw_regex_free(re);
	}
	if (st->when_groups <= groups)
		return;
	int col = st->value_loc.col ? st->value_loc.col : st->loc.col;
	if (v->kind != TW_VAL_REGEX)
		problem(c, st->loc.line, col,
			"$%d in the handler's action, but only a regex has groups: write the "
			"words as a regex with a group, like when hear ~ /press (\\d)/ press $1",
			st->when_groups);
	else if (groups == 0)
		problem(c, st->loc.line, col,
			"$%d in the handler's action, but the regex has no group: put the part "
			"to use in parentheses, like /press (\\d)/",
			st->when_groups);
	else
		problem(c, st->loc.line, col,
			"$%d in the handler's action, but the regex has %d group%s: use $1%s%s "
			"or add a group in parentheses",
			st->when_groups, groups, groups == 1 ? "" : "s", groups > 1 ? ".." : "",
			groups > 1 ? (const char *[]){"", "", "$2", "$3", "$4", "$5", "$6", "$7", "$8", "$9"}[groups] : "");
}

/* The function that checks each step kind: steps.def's CHECK column. */
static void (*const step_checkers[])(checker *c, const tw_step *st) = {
#define TW_STEP_KIND(name, words_, json_, written_, channel_, apdex_, action_, parse_, check_, \
		     perform_)                                                                \
	[TW_STEP_##name] = check_,
#include "language/steps.def"
#undef TW_STEP_KIND
};

static void check_step(checker *c, const tw_step *st)
{
	c->pos = step_pos(++c->step_seq); /* issue 13, USE */
	begin_line(c, st->loc.line, st->loc.col);
	if ((size_t)st->kind < TW_STEP_KIND_COUNT)
		step_checkers[st->kind](c, st);
}

/* issue 13, FLOW: a scene's `when` names a variable known where the scene
 * starts (as a template there would). True for a repeated scene's later
 * passes: the same steps as pass 1, checked there once, which already saw
 * the captures pass 1 makes before them. */
static bool check_flow(checker *c, const tw_scene *sc)
{
	if (sc->pass > 1)
		return true;
	if (sc->when) {
		/* Decided as the scene starts: after the uses bound there
		 * (bind_pos), before its first step. */
		c->pos = step_pos(c->step_seq + 1) - 8;
		begin_line(c, sc->when_loc.line, sc->when_loc.col);
		c->checking_when = true; /* issue 13, F3 */
		check_var(c, sc->when, sc->when_loc.col);
		c->checking_when = false;
	}
	return false;
}

static void check_scene(checker *c, size_t index)
{
	const tw_scene *sc = &c->s->scenes[index];
	int name_col = sc->name_loc.col ? sc->name_loc.col : sc->loc.col;
	size_t first;
	c->scene_now = NULL; /* issue 13, F3: a use binds whatever the scene's `when` */
	check_uses_at(c, index); /* issue 13, USE */
	c->file = sc->loc.file;
	if (!add_name(c, &c->scene_names, sc->name, index, &first)) {
		const tw_scene *f = &c->s->scenes[first];
		if (sc->use || f->use)
			duplicate_used_scene(c, sc, f); /* issue 13, USE */
		else
			problem(c, sc->loc.line, name_col,
				"duplicate scene name '%s' (first on line %d)", sc->name,
				f->loc.line);
	}
	/* Backstage is what the customer never sees: no call to be on. */
	if (sc->backstage && sc->channel == TW_CHANNEL_IVR)
		problem(c, sc->loc.line, sc->channel_loc.col ? sc->channel_loc.col : sc->loc.col,
			"backstage blocks are web: expected 'on web' or no channel (the "
			"caller's steps go in a scene on ivr)");
	if (sc->step_count == 0 && sc->pass <= 1)
		problem(c, sc->loc.line, sc->loc.col, "%s '%s' has no steps",
			sc->backstage ? "backstage" : "scene", sc->name);
	if (check_flow(c, sc))
		return;
	c->scene_now = sc; /* issue 13, F3 */
	for (size_t i = 0; i < sc->step_count; i++) {
		check_channel(c, sc, &sc->steps[i]);
		check_step(c, &sc->steps[i]);
		/* issue 13, GEN: no capture takes a generated value's name */
		const tw_step *cs = &sc->steps[i];
		if ((cs->kind == TW_STEP_EXPECT || cs->kind == TW_STEP_HEAR) && cs->expect.capture)
			check_reserved(c, cs->expect.capture, cs->loc.line,
				       capture_col(c, cs->loc.line, cs->expect.capture), "capture");
		/* issue 12, polling: `retry` polls until the expectations right
		 * after the request hold; without one it would poll nothing. */
		const tw_request *r = &sc->steps[i].req;
		if (r->retry > 0 && (i + 1 >= sc->step_count ||
				     sc->steps[i + 1].kind != TW_STEP_EXPECT ||
				     tw_step_is_phone(&sc->steps[i + 1])))
			problem(c, r->retry_loc.line, r->retry_loc.col,
				"'retry' polls until the expectations right after the request "
				"hold, and none follows it: add an expect line after the "
				"request (like expect status 200)");
	}
}

/* ---- issue 13, USE: shared scenes ---- */

/* A place in script order: each step a slot of 64; the uses bound when
 * a scene starts sit just before its first step, outer uses first. */
static long step_pos(long seq)
{
	return seq * 64;
}

static long bind_pos(long steps_before, const tw_use *u)
{
	return step_pos(steps_before + 1) - 32 + u->depth;
}

/* The uses whose bindings are set when scene index starts, innermost
 * first (the caller walks them back for outer first). */
static size_t uses_at(const checker *c, size_t index, const tw_use **out, size_t max)
{
	size_t n = 0;
	for (const tw_use *u = c->s->scenes[index].use; u && n < max; u = u->parent)
		if (u->first_scene == index)
			out[n++] = u;
	return n;
}

/* Each parameter and default of the uses bound at scene index is set from
 * there on: a capture at the use. */
static void bind_params(checker *c, size_t index, long steps_before)
{
	const tw_use *us[32];
	size_t n = uses_at(c, index, us, 32);
	for (size_t k = n; k-- > 0;)
		for (size_t i = 0; i < us[k]->params.count; i++) {
			const tw_pair *pr = &us[k]->params.items[i];
			long pos = bind_pos(steps_before, us[k]);
			size_t at;
			if (!add_name(c, &c->capture_names, pr->name, c->capture_count, &at)) {
				/* issue 13, F3: set from here whatever the
				 * conditions before */
				if (pos < c->captures[at].always_pos)
					c->captures[at].always_pos = pos;
				continue;
			}
			c->captures[c->capture_count] = (capture){pr->name, us[k]->loc.line, pos,
								  pos, LONG_MAX, SIZE_MAX};
			c->capture_count++;
		}
}

static const tw_pair *pair_named(const tw_pairs *pairs, const char *name)
{
	for (size_t i = 0; i < pairs->count; i++)
		if (strcmp(pairs->items[i].name, name) == 0)
			return &pairs->items[i];
	return NULL;
}

/* Set when the use binds: in the script's cast, given, or captured (or
 * bound by an outer use) before. */
static bool known_at(checker *c, const char *name, long pos)
{
	if (cast_entry(c, name, NULL) || given_has(c, name))
		return true;
	const capture *cap = find_capture(c, name);
	return cap && cap->pos < pos;
}

static void check_use(checker *c, const tw_use *u, long pos)
{
	c->file = u->loc.file;
	c->pos = pos;
	for (size_t i = 0; i < u->with.count; i++) {
		const tw_pair *w = &u->with.items[i];
		if (pair_named(&u->params, w->name)) {
			begin_line(c, w->loc.line, w->loc.col);
			check_template(c, w->value, w->loc.col);
			continue;
		}
		const char **names = u->params.count
					     ? tw_arena_alloc(&c->tmp, u->params.count * sizeof(*names))
					     : NULL;
		for (size_t k = 0; names && k < u->params.count; k++)
			names[k] = u->params.items[k].name;
		const char *best = names ? tw_parse_suggest(w->name, names, u->params.count) : NULL;
		if (best)
			problem(c, w->loc.line, w->loc.col,
				"'%s' has no cast name '%s' (did you mean '%s'?): 'with' gives the "
				"used file's cast names",
				u->path, w->name, best);
		else if (u->params.count)
			problem(c, w->loc.line, w->loc.col,
				"'%s' has no cast name '%s': 'with' gives the used file's cast names "
				"(its cast has %s%s)",
				u->path, w->name, u->params.items[0].name,
				u->params.count > 1 ? ", ..." : "");
		else
			problem(c, w->loc.line, w->loc.col,
				"'%s' has no cast: 'with %s' gives it nothing to take", u->path,
				w->name);
	}
	for (size_t i = 0; i < u->params.count; i++) {
		const tw_pair *pr = &u->params.items[i];
		/* issue 13, GEN: a generated value's name is no parameter's */
		if (tw_gen_reserved_why(pr->name)) {
			c->file = u->file;
			check_reserved(c, pr->name, pr->loc.line, pr->loc.col, "cast entry");
			c->file = u->loc.file;
			continue;
		}
		if (pair_named(&u->with, pr->name))
			continue;
		if (pr->value) {
			/* A default: in the used file's variables, its own
			 * parameters set. */
			c->file = u->file;
			c->pos = pos + 1;
			begin_line(c, pr->loc.line, pr->loc.col);
			check_template(c, pr->value, pr->loc.col);
			c->file = u->loc.file;
			c->pos = pos;
			continue;
		}
		if (!known_at(c, pr->name, pos))
			problem(c, u->loc.line, u->loc.col,
				"'%s' needs '%s': give it with 'with %s = ...'", u->path, pr->name,
				pr->name);
	}
}

/* The uses bound when scene index starts, outer first. */
static void check_uses_at(checker *c, size_t index)
{
	const tw_use *us[32];
	size_t n = uses_at(c, index, us, 32);
	for (size_t k = n; k-- > 0;)
		check_use(c, us[k], bind_pos(c->step_seq, us[k]));
}

/* A scene name met twice where a use is involved: said at the use (or at
 * the script's own scene), naming the first place in full. */
static void duplicate_used_scene(checker *c, const tw_scene *sc, const tw_scene *f)
{
	const char *ffile = f->loc.file ? f->loc.file : c->s->path;
	if (sc->use) {
		c->file = sc->use->loc.file;
		problem(c, sc->use->loc.line, sc->use->loc.col,
			"'%s' brings scene '%s' (%s:%d), and the rehearsal has one so named "
			"(%s:%d): scene names are unique in a rehearsal",
			sc->use->path, sc->name, sc->loc.file, sc->loc.line, ffile, f->loc.line);
		c->file = sc->loc.file;
	} else {
		problem(c, sc->loc.line, sc->name_loc.col ? sc->name_loc.col : sc->loc.col,
			"duplicate scene name '%s' (first at %s:%d, brought by the use on line %d)",
			sc->name, ffile, f->loc.line, f->use ? f->use->loc.line : 0);
	}
}

static void collect_captures(checker *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->s->scene_count; i++)
		n += c->s->scenes[i].step_count;
	for (size_t i = 0; i < c->s->use_count; i++) /* issue 13, USE */
		n += c->s->uses[i]->params.count;
	c->captures = n ? tw_arena_alloc(&c->tmp, n * sizeof(capture)) : NULL;
	c->conds = n ? tw_arena_alloc(&c->tmp, n * sizeof(cond_capture)) : NULL; /* issue 13, F3 */
	if (!c->captures || !c->conds) {
		c->captures = NULL;
		c->oom = n > 0;
		return;
	}
	long seq = 0;
	for (size_t i = 0; i < c->s->scene_count; i++) {
		const tw_scene *sc = &c->s->scenes[i];
		bind_params(c, i, seq); /* issue 13, USE */
		for (size_t j = 0; j < sc->step_count; j++) {
			const tw_step *st = &sc->steps[j];
			seq++;
			if ((st->kind != TW_STEP_EXPECT && st->kind != TW_STEP_HEAR) ||
			    !st->expect.capture)
				continue;
			size_t at = c->capture_count;
			if (add_name(c, &c->capture_names, st->expect.capture, at, &at)) {
				c->captures[at] = (capture){st->expect.capture, st->loc.line,
							    step_pos(seq), LONG_MAX, LONG_MAX,
							    SIZE_MAX};
				c->capture_count++;
			}
			note_capture(c, &c->captures[at], sc, st, step_pos(seq)); /* issue 13, F3 */
		}
	}
}

size_t tw_script_check(const tw_script *script, const tw_vars *given, tw_errors *problems)
{
	return tw_script_check_data(script, given, NULL, problems);
}

/* What every walk of the script starts from: its data file's columns,
 * its cast names and every capture in script order, problems going to
 * out. The checker and tw_script_missing_each share it. */
static void checker_begin(checker *c, const tw_script *script, const tw_vars *given,
			  const tw_data *run_data, tw_errors *out)
{
	memset(c, 0, sizeof(*c));
	c->s = script;
	c->given = given;
	c->out = out;
	c->cast_index = -1;
	check_data(c, run_data); /* issue 13, DATA */
	/* The parser refuses a repeated cast name: each is there once. */
	for (size_t i = 0; i < script->cast.count; i++)
		add_name(c, &c->cast_names, script->cast.items[i].name, i, NULL);
	collect_captures(c);
}

static void checker_end(checker *c)
{
	tw_strmap_free(&c->cast_names);
	tw_strmap_free(&c->capture_names);
	tw_strmap_free(&c->scene_names);
	tw_strmap_free(&c->cond_names); /* issue 13, F3 */
	tw_datafile_free(c->owned_data);
	tw_arena_free(&c->tmp);
}

size_t tw_script_check_data(const tw_script *script, const tw_vars *given, const tw_data *run_data,
			    tw_errors *problems)
{
	/* Not checked is never clean: one problem, listed when it can be. */
	if (!script || !problems) {
		tw_error e = {0};
		tw_error_set(&e, TW_EUSAGE, "tw_script_check: %s is NULL",
			     script ? "problems" : "script");
		if (problems)
			tw_errors_push(problems, &e);
		tw_error_clear(&e);
		return 1;
	}
	size_t lost = problems->lost;
	checker c;
	checker_begin(&c, script, given, run_data, problems);
	check_cast(&c);
	for (size_t i = 0; i < script->headers.count; i++)
		check_pair(&c, &script->headers.items[i], true);
	if (script->scene_count == 0)
		problem(&c, 0, 0,
			"the rehearsal has no scenes: expected at least one scene or backstage block");
	for (size_t i = 0; i < script->scene_count; i++)
		check_scene(&c, i);
	if (c.oom) {
		/* Said as out of memory, not as a problem with the script. */
		tw_error e = {0};
		tw_error_set(&e, TW_ENOMEM, "out of memory: the check is incomplete");
		if (tw_errors_push(problems, &e) == TW_OK)
			c.count++;
		tw_error_clear(&e);
	}
	checker_end(&c);
	/* what could not be appended counts: out of memory is never 0 */
	return c.count + (problems->lost - lost);
}

/* ---- issue 13, F4: what no one gives (check.h) ---- */

int tw_script_missing_each(const tw_script *script, const tw_vars *given, const tw_data *run_data,
			   tw_missing_fn each, void *ctx)
{
	if (!script || !each)
		return TW_EUSAGE;
	tw_errors scratch = {0}; /* the check's problems are the check's to say */
	checker c;
	checker_begin(&c, script, given, run_data, &scratch);
	int rc = c.oom ? TW_ENOMEM : TW_OK;
	for (size_t i = 0; i < script->cast.count && !rc; i++) {
		const tw_pair *e = &script->cast.items[i];
		if (!e->value && !given_has(&c, e->name))
			rc = each(ctx, e->name, e->loc.file ? e->loc.file : script->path, e->loc.line,
				  e->loc.col);
	}
	/* The uses in script order, where each binds (as check_uses_at) */
	long seq = 0;
	for (size_t i = 0; i < script->scene_count && !rc; i++) {
		const tw_use *us[32];
		size_t n = uses_at(&c, i, us, 32);
		for (size_t k = n; k-- > 0 && !rc;) {
			const tw_use *u = us[k];
			long pos = bind_pos(seq, u);
			for (size_t j = 0; j < u->params.count && !rc; j++) {
				const tw_pair *pr = &u->params.items[j];
				if (pr->value || pair_named(&u->with, pr->name) ||
				    tw_gen_reserved(pr->name) || known_at(&c, pr->name, pos))
					continue;
				rc = each(ctx, pr->name, u->loc.file ? u->loc.file : script->path,
					  u->loc.line, u->loc.col);
			}
		}
		seq += (long)script->scenes[i].step_count;
	}
	tw_errors_clear(&scratch);
	checker_end(&c);
	return rc;
}

/* ---- issue 13, F3: conditional scenes ---- */

/* The key of a capture under one side of a condition, in c->tmp. */
static char *cond_key(checker *c, const char *name, const char *when, bool when_not)
{
	char *key = tw_arena_printf(&c->tmp, "%s\1%s\1%c", name, when, when_not ? '-' : '+');
	if (!key)
		c->oom = true;
	return key;
}

static bool same_condition(const tw_scene *a, const tw_scene *b)
{
	return a->when && b->when && a->when_not == b->when_not && strcmp(a->when, b->when) == 0;
}

/* Where a step of another place is, as a message names it: "line 4" in
 * the file being checked, else "scenes/pay.scene:4". */
static const char *place_of(checker *c, const char *file, int line)
{
	const char *here = c->file ? c->file : c->s->path;
	const char *there = file ? file : c->s->path;
	char *text = strcmp(here, there) == 0 ? tw_arena_printf(&c->tmp, "line %d", line)
					      : tw_arena_printf(&c->tmp, "%s:%d", there, line);
	if (!text)
		c->oom = true;
	return text ? text : "";
}

/* A capture step at pos in scene sc: always there from pos when sc has
 * no `when`; else there only under sc's condition, unless the other side
 * of that condition captured it before (then it is there either way). */
static void note_capture(checker *c, capture *cap, const tw_scene *sc, const tw_step *st, long pos)
{
	if (!sc->when) {
		if (pos < cap->always_pos)
			cap->always_pos = pos;
		return;
	}
	char *key = cond_key(c, cap->name, sc->when, sc->when_not);
	char *other = cond_key(c, cap->name, sc->when, !sc->when_not);
	if (!key || !other)
		return;
	if (cap->covered_pos == LONG_MAX && tw_strmap_get(&c->cond_names, other, NULL))
		cap->covered_pos = pos;
	if (!add_name(c, &c->cond_names, key, c->cond_count, NULL))
		return;
	c->conds[c->cond_count] = (cond_capture){pos, st->loc.line, st->loc.file, sc};
	if (cap->first_cond == SIZE_MAX)
		cap->first_cond = c->cond_count;
	c->cond_count++;
}

/* A capture made before c->pos, used at col: a problem when it is made
 * only in scenes with a `when` and the use is not under the same
 * condition (run would fail in the performances that left them out).
 * A `when` itself may test it (that is its question), and so may a
 * scene that runs only when the name is set. */
static void check_only_when(checker *c, const capture *cap, int col)
{
	if (cap->always_pos < c->pos || cap->covered_pos < c->pos || c->checking_when ||
	    cap->first_cond == SIZE_MAX)
		return;
	const tw_scene *now = c->scene_now;
	if (now && now->when) {
		if (!now->when_not && strcmp(now->when, cap->name) == 0)
			return;
		/* `when {{receipt_url}}` where receipt_url is captured only
		 * under the condition receipt is: set means that scene ran
		 * (review B5) */
		const capture *by = now->when_not ? NULL : find_capture(c, now->when);
		if (by && by->always_pos >= c->pos && by->covered_pos >= c->pos &&
		    by->first_cond != SIZE_MAX &&
		    same_condition(c->conds[by->first_cond].scene,
				   c->conds[cap->first_cond].scene))
			return;
		char *key = cond_key(c, cap->name, now->when, now->when_not);
		size_t i;
		if (!key || (tw_strmap_get(&c->cond_names, key, &i) && c->conds[i].pos < c->pos))
			return;
	}
	const cond_capture *k = &c->conds[cap->first_cond];
	const tw_scene *sc = k->scene;
	if (!now) { /* a use's `with` or default: bound whatever the conditions */
		problem(c, c->line, col,
			"'%s' is captured only when {{%s}} is %s (%s): a performance that leaves "
			"%s \"%s\" out has no '%s' when the use binds; give '%s' a value in the "
			"cast",
			cap->name, sc->when, sc->when_not ? "not set" : "set",
			place_of(c, k->file, k->line), sc->backstage ? "backstage" : "scene",
			sc->name, cap->name, cap->name);
		return;
	}
	problem(c, c->line, col,
		"'%s' is captured only when {{%s}} is %s (%s): a performance that leaves %s "
		"\"%s\" out has no '%s' here; use it in a scene '%s{{%s}}' too, or give '%s' a "
		"value in the cast",
		cap->name, sc->when, sc->when_not ? "not set" : "set",
		place_of(c, k->file, k->line), sc->backstage ? "backstage" : "scene", sc->name,
		cap->name, sc->when_not ? "when not " : "when ", sc->when, cap->name);
}

/* The scene a `call` in sc leaves the call placed under: sc when it has a
 * `when` (the call is on only when it held), NULL when it is on whatever
 * the conditions: sc has none, a call was on that way already, or the
 * call before was placed on the other side of the same condition. */
static const tw_scene *call_condition(const checker *c, const tw_scene *sc)
{
	const tw_scene *was = c->call_line ? c->call_scene : NULL;
	if (!sc->when || (c->call_line && !was))
		return NULL;
	if (was && was->when && sc->when_not != was->when_not && strcmp(was->when, sc->when) == 0)
		return NULL;
	return sc;
}

/* A caller's step in sc acts on the call that is on: placed in another
 * scene with a `when`, it is there only under that condition. Said once
 * (then the call counts as placed), as a step in the wrong scene is. */
static void check_call_condition(checker *c, const tw_scene *sc, const tw_step *st)
{
	const tw_scene *at = c->call_scene;
	if (!at || at == sc || same_condition(at, sc))
		return;
	problem(c, st->loc.line, st->loc.col,
		"'%s' needs the call placed on %s, in %s \"%s\", which runs only when {{%s}} is "
		"%s: give this scene '%s{{%s}}' too, or place the call in a scene without a "
		"condition",
		step_name(st), place_of(c, at->loc.file, c->call_line),
		at->backstage ? "backstage" : "scene", at->name, at->when,
		at->when_not ? "not set" : "set", at->when_not ? "when not " : "when ", at->when);
	c->call_scene = NULL;
}
