/*
 * issue 13, stream USE: shared scenes.
 *
 *   use "shared/login.scene"                        a statement at block level
 *   use "shared/login.scene" with user = {{admin}}  one pair inline
 *     with password = {{admin_password}}            more pairs right under it
 *
 * A use reads the file (relative to the using file's folder) with the
 * parser's own line loop (tw_parse_body) into a scratch tw_script in the
 * script's arena, then moves its scenes into the using file's scenes, in
 * place. Every tw_loc of theirs names the used file (its path is the
 * scratch script's, kept in the arena), so errors and reports point at the
 * used file's own lines. The used file's header is ignored (the using
 * rehearsal's header rules); its cast becomes the use's parameters (no
 * value: the use must give it) and defaults (a value: used when the name
 * is not set when the use's first scene starts): the checker and the
 * customer bind them (check.c, customer.c).
 *
 * Refused at the use line: a file that cannot be read, a cycle, nesting
 * deeper than TW_USE_DEPTH_MAX, a file that brings no scene. An error
 * inside a used file keeps the file's own place and gains a line per use
 * that led there, innermost first: "  used by checkout.rehearsal:12:1".
 */
#include "language/parser_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error_line.h"
#include "core/fsutil.h"

#define TW_USE_DEPTH_MAX 16
/* issue 13, F1 (review R1): what uses and repeats may add to one script,
 * counted script-wide: every scene and step a use moves in and every pass
 * a repeat adds, in any file. Per file, a file used by a file used by ...
 * would get a budget on every use, and fan-out^depth scenes (10 uses, 6
 * deep: 11 GB). The same figure as a repeat's alone always was. */
#define TW_USE_ADDED_MAX 100000
/* ... and the text read for uses, every use counting its file's size: a
 * small scene padded with comments, used often, would else be read, lexed
 * and kept each time. 8 scripts of the largest size. */
#define TW_USE_TEXT_MAX (8 * TW_SCRIPT_MAX_BYTES)

/* One file being read: the script (0) and the used files inside it. */
typedef struct use_frame {
	const char *file; /* as in its tw_locs */
	const char *key;  /* its identity: the real path, else the path */
	int use_line;     /* the use being read from it; 0: none */
	tw_use *use;      /* the use that reads it; NULL for the script */
} use_frame;

typedef struct use_seen {
	const char *key;
	int count;
} use_seen;

struct tw_use_ctx {
	tw_script *root;
	bool refuse;
	use_frame stack[TW_USE_DEPTH_MAX + 1];
	int depth; /* the frame of the file being read */
	use_seen *seen;
	size_t seen_count, seen_cap;
	size_t use_cap;
	/* issue 13, F1: charged so far (tw_parse_use_charge), text read */
	size_t added;
	size_t text_read;
};

/* A file's identity, so that "a.rehearsal" and "./x/../a.rehearsal" are
 * one file in a cycle and in "NAME (2)". */
static const char *file_key(tw_arena *a, const char *path)
{
	char *real = realpath(path, NULL);
	const char *key = tw_arena_strdup(a, real ? real : path);
	free(real);
	return key;
}

tw_use_ctx *tw_parse_use_begin(tw_script *root, const tw_parse_opts *opts)
{
	tw_use_ctx *ctx = tw_arena_alloc(&root->arena, sizeof(*ctx));
	if (!ctx)
		return NULL;
	ctx->root = root;
	ctx->refuse = opts && opts->refuse_use;
	ctx->stack[0].file = root->path;
	ctx->stack[0].key = file_key(&root->arena, root->path);
	return ctx->stack[0].key ? ctx : NULL;
}

void tw_parse_use_end(tw_use_ctx *ctx)
{
	tw_script *s = ctx->root;
	for (size_t i = 0; i < s->scene_count; i++)
		for (const tw_use *u = s->scenes[i].use; u; u = u->parent)
			if (u->first_scene == SIZE_MAX)
				((tw_use *)u)->first_scene = i;
}

/* Appends "\n  used by FILE:LINE:COL" to err's message. */
static int append_used_by(tw_error *err, const tw_loc *loc)
{
	return tw_error_add_line(err, "  used by %s:%d:%d", loc->file ? loc->file : "?",
				 loc->line, loc->col);
}

int tw_use_chain_append(const tw_script *script, const char *file, tw_error *err)
{
	if (!script || !file || file == script->path)
		return TW_OK;
	const tw_use *u = NULL;
	for (size_t i = 0; i < script->use_count && !u; i++)
		if (script->uses[i]->file == file)
			u = script->uses[i];
	for (; u; u = u->parent)
		if (append_used_by(err, &u->loc))
			return TW_ENOMEM;
	return TW_OK;
}

/* ---- with NAME = VALUE ---- */

static int parse_with_pair(parser *p, tw_use *u, int with_col)
{
	char *name;
	int col;
	bool sep;
	int rc = tw_parse_pair_name(p, '=', "with", &name, &col, &sep);
	if (rc)
		return rc;
	if (!tw_parse_valid_var_name(name, strlen(name)))
		return tw_parse_err(p, col,
				    "invalid name '%s' after 'with': expected a cast name of the used "
				    "file, like with user = {{admin}}",
				    name);
	if (!sep)
		return tw_parse_missing_sep(p, '=', "with", name);
	for (size_t i = 0; i < u->with.count; i++)
		if (strcmp(u->with.items[i].name, name) == 0)
			return tw_parse_err(p, col, "duplicate 'with %s' (first on line %d)", name,
					    u->with.items[i].loc.line);
	char *value;
	if ((rc = tw_parse_pair_value(p, &value)))
		return rc;
	tw_pair *pr = tw_parse_add_pair(p, &u->with, &p->with_cap);
	if (!pr)
		return TW_ENOMEM;
	pr->loc = tw_parse_loc(p, col);
	pr->name = name;
	pr->value = value;
	(void)with_col;
	return TW_OK;
}

/* ---- use "FILE" ---- */

/* issue 13, F1 (trial T12): an error at col of p's line with its own
 * code: a file that cannot be read is TW_EIO, a cycle TW_ECHECK; neither
 * is a syntax error. */
static int use_err(parser *p, tw_code code, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int use_err(parser *p, tw_code code, int col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char buf[1024];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return tw_error_set_at(p->err, code, p->path, p->lineno, col, p->line, "%s", buf);
}

static int cycle_error(parser *p, tw_use_ctx *ctx, int from, int col)
{
	char buf[400];
	size_t n = 0;
	buf[0] = '\0';
	for (int i = from; i <= ctx->depth && n < sizeof(buf); i++) {
		const char *next = i < ctx->depth ? ctx->stack[i + 1].file : ctx->stack[from].file;
		int line = i < ctx->depth ? ctx->stack[i].use_line : p->lineno;
		int k = snprintf(buf + n, sizeof(buf) - n, "%s%s:%d uses %s", i > from ? ", " : "",
				 ctx->stack[i].file, line, next);
		if (k < 0)
			break;
		n += (size_t)k;
	}
	return use_err(p, TW_ECHECK, col, "use cycle: %s", buf);
}

static tw_use_ctx *ctx_of(parser *p)
{
	return p->use_ctx;
}

/* issue 13, F1: a TW_ELIMIT at col of p's line. */
static int limit_err(parser *p, int col, const char *what, const char *fix)
{
	return tw_error_set_at(p->err, TW_ELIMIT, p->path, p->lineno, col, p->line,
			       "the used files and repeated scenes add more than %d steps and "
			       "scenes to the rehearsal (this %s passes it): %s",
			       TW_USE_ADDED_MAX, what, fix);
}

int tw_parse_use_charge(parser *p, size_t n, int col, bool repeat)
{
	tw_use_ctx *ctx = ctx_of(p);
	if (!ctx)
		return TW_OK;
	ctx->added += n;
	if (ctx->added <= TW_USE_ADDED_MAX)
		return TW_OK;
	return repeat ? limit_err(p, col, "repeat", "repeat fewer times")
		      : limit_err(p, col, "use", "use fewer files, or use them fewer times");
}

/* How many times the file was used before, this one included. */
static int count_use(parser *p, const char *key)
{
	tw_use_ctx *ctx = ctx_of(p);
	for (size_t i = 0; i < ctx->seen_count; i++)
		if (strcmp(ctx->seen[i].key, key) == 0)
			return ++ctx->seen[i].count;
	void *items = ctx->seen;
	if (tw_arena_grow_array(p->arena, &items, ctx->seen_count, &ctx->seen_cap,
				ctx->seen_count + 1, sizeof(use_seen)))
		return -1;
	ctx->seen = items;
	ctx->seen[ctx->seen_count++] = (use_seen){key, 1};
	return 1;
}

/* Reads the used file into sub and moves its scenes into p's script. */
static int read_used(parser *p, tw_use *u, const tw_token *kw, int col)
{
	tw_use_ctx *ctx = ctx_of(p);
	if (ctx->depth + 1 > TW_USE_DEPTH_MAX)
		return tw_parse_err(p, col,
				    "uses nest deeper than %d files here: a used file may use "
				    "others, %d deep at most",
				    TW_USE_DEPTH_MAX, TW_USE_DEPTH_MAX);
	char *beside = tw_path_beside(p->path, u->path); /* issue 13, F2: the one rule */
	char *file = beside ? tw_arena_strdup(p->arena, beside) : NULL;
	free(beside);
	if (!file)
		return tw_parse_oom(p);
	if (access(file, R_OK) != 0)
		return use_err(p, TW_EIO, col,
			       "cannot read '%s': %s (a used file's path is relative to the "
			       "using file's folder)",
			       file, strerror(errno));
	const char *key = file_key(p->arena, file);
	if (!key)
		return tw_parse_oom(p);
	for (int i = 0; i <= ctx->depth; i++)
		if (strcmp(ctx->stack[i].key, key) == 0)
			return cycle_error(p, ctx, i, col);

	char *text = NULL;
	size_t len = 0;
	tw_error rerr = {0};
	if (tw_read_file(file, TW_SCRIPT_MAX_BYTES, &text, &len, &rerr)) {
		int rc = rerr.code == TW_ENOMEM
				 ? tw_parse_oom(p)
				 : use_err(p, TW_EIO, col, "cannot read '%s': %s", file,
					   rerr.message ? rerr.message : "read error");
		tw_error_clear(&rerr);
		return rc;
	}
	/* issue 13, F1: before it is lexed and kept. */
	ctx->text_read += len;
	if (ctx->text_read > TW_USE_TEXT_MAX) {
		free(text);
		return tw_error_set_at(p->err, TW_ELIMIT, p->path, p->lineno, col, p->line,
				       "the used files read for this rehearsal pass %zu MiB in all "
				       "(this use passes it; a file used twice counts twice): use "
				       "fewer or smaller files",
				       TW_USE_TEXT_MAX >> 20);
	}
	tw_script *sub = tw_arena_alloc(p->arena, sizeof(*sub));
	if (!sub) {
		free(text);
		return tw_parse_oom(p);
	}
	sub->path = file;
	int rc = tw_lex_lines(p->arena, file, text, len, &sub->lines, &sub->line_count, p->err);
	free(text);
	u->file = file;
	u->lines = sub->lines;
	u->line_count = sub->line_count;
	u->depth = ctx->depth + 1;
	u->parent = ctx->stack[ctx->depth].use;
	u->first_scene = SIZE_MAX;
	if (!rc) {
		/* Registered before its own uses: the script's uses in the
		 * order they are read. */
		tw_script *root = ctx->root;
		void *items = root->uses;
		if (tw_arena_grow_array(p->arena, &items, root->use_count, &ctx->use_cap,
					root->use_count + 1, sizeof(tw_use *)))
			return tw_parse_oom(p);
		root->uses = items;
		root->uses[root->use_count++] = u;
		ctx->stack[ctx->depth].use_line = p->lineno;
		ctx->depth++;
		ctx->stack[ctx->depth] = (use_frame){file, key, 0, u};
		rc = tw_parse_body(sub, p->arena, ctx, p->err);
		ctx->depth--;
	}
	if (rc) {
		tw_loc at = tw_parse_loc(p, kw->col);
		if (rc != TW_ENOMEM && append_used_by(p->err, &at))
			return tw_parse_oom(p);
		return rc;
	}
	/* issue 13, DATA: rows are the performance's, chosen by the
	 * rehearsal that runs; a used file taking its own would give a
	 * performance two rows. */
	if (sub->data_path)
		return tw_parse_err(p, col,
				    "'%s' takes rows from a data file (cast from, its line %d): a "
				    "used file cannot; write `cast from` in the rehearsal that uses "
				    "it, whose columns the used file's cast receives",
				    u->path, sub->data_loc.line);
	if (sub->scene_count == 0)
		return tw_parse_err(p, col,
				    "'%s' has no scene: a used file brings its scenes (scene or "
				    "backstage blocks) to the rehearsal",
				    u->path);
	/* issue 13, F1: the file's own scenes and steps, each once: a nested
	 * use's were charged by that use, the passes after a repeat's first
	 * by the repeat. */
	size_t brought = 0;
	for (size_t i = 0; i < sub->scene_count; i++)
		if (!sub->scenes[i].use && sub->scenes[i].pass <= 1)
			brought += 1 + sub->scenes[i].step_count;
	if ((rc = tw_parse_use_charge(p, brought, col, false)))
		return rc;
	u->params = sub->cast;
	u->ordinal = count_use(p, key);
	u->key = key;
	if (u->ordinal < 0)
		return tw_parse_oom(p);

	/* Its scenes, in place. */
	tw_script *s = p->s;
	void *items = s->scenes;
	if (tw_arena_grow_array(p->arena, &items, s->scene_count, &p->scene_cap,
				s->scene_count + sub->scene_count, sizeof(tw_scene)))
		return tw_parse_oom(p);
	s->scenes = items;
	for (size_t i = 0; i < sub->scene_count; i++) {
		tw_scene *sc = &s->scenes[s->scene_count++];
		*sc = sub->scenes[i];
		if (sc->use)
			continue; /* a nested use's: named by that use */
		sc->use = u;
		if (u->ordinal > 1 &&
		    !(sc->name = tw_arena_printf(p->arena, "%s (%d)", sc->name, u->ordinal)))
			return tw_parse_oom(p);
	}
	return TW_OK;
}

static int parse_use(parser *p, const tw_token *kw)
{
	tw_use_ctx *ctx = ctx_of(p);
	if (ctx->refuse)
		return tw_parse_err(p, kw->col,
				    "'use' reads another file, and this text is parsed without "
				    "reading files");
	p->in_request = false;
	p->in_call = false;
	tw_token tok;
	int rc = tw_parse_next(p, &tok);
	if (rc)
		return rc;
	if ((rc = tw_parse_file_name(p, &tok, "the used file", "use", "use \"scenes/login.scene\"",
				     "it is read before the rehearsal runs (give the used file's "
				     "cast its values with 'with')")))
		return rc;
	tw_use *u = tw_arena_alloc(p->arena, sizeof(*u));
	if (!u)
		return tw_parse_oom(p);
	u->loc = tw_parse_loc(p, kw->col);
	u->path_loc = tw_parse_loc(p, tok.col);
	u->path = tok.text;
	p->with_cap = 0;
	tw_token w;
	if ((rc = tw_parse_next(p, &w)))
		return rc;
	if (tw_parse_is_word(&w, "with")) {
		if ((rc = parse_with_pair(p, u, w.col)))
			return rc;
	} else if (w.kind != TW_TOK_END) {
		return tw_parse_err(p, w.col,
				    "unexpected '%s' after the used file: expected 'with NAME = "
				    "VALUE' or the end of the line",
				    tw_parse_shown(p, &w));
	}
	if ((rc = read_used(p, u, kw, tok.col)))
		return rc;
	p->sec = SEC_USE;
	p->last_use = u;
	if (!p->first_use_line)
		p->first_use_line = p->lineno;
	return TW_OK;
}

int tw_parse_use_line(parser *p, const tw_token *kw, bool *handled)
{
	*handled = false;
	const char *w = kw->text;
	if (strcmp(w, "with") == 0 && p->last_use) {
		*handled = true;
		return parse_with_pair(p, p->last_use, kw->col);
	}
	p->last_use = NULL;
	if (strcmp(w, "use") == 0) {
		if (p->sec == SEC_CAST) {
			/* `use = ...` is a cast entry named use. */
			tw_token nt;
			int rc = tw_parse_peek(p, &nt);
			if (rc)
				return rc;
			if (nt.kind == TW_TOK_WORD && nt.text[0] == '=')
				return TW_OK;
		}
		*handled = true;
		return parse_use(p, kw);
	}
	if (strcmp(w, "cast") == 0 && p->first_use_line) {
		*handled = true;
		return tw_parse_err(p, kw->col,
				    "the cast must come before the first use (line %d) and the first "
				    "scene",
				    p->first_use_line);
	}
	if (strcmp(w, "with") == 0 && p->sec == SEC_SCENE) {
		*handled = true;
		return tw_parse_err(p, kw->col,
				    "'with' gives a used file's cast a value: it goes right under a "
				    "use line, like with user = {{admin}}");
	}
	if (p->sec == SEC_USE && strcmp(w, "scene") != 0 && strcmp(w, "backstage") != 0) {
		*handled = true;
		return tw_parse_err(p, kw->col,
				    "'%s' cannot follow a use: expected 'with NAME = VALUE' right "
				    "under it, another use, or a scene or backstage block",
				    tw_parse_shown(p, kw));
	}
	return TW_OK;
}
