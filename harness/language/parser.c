/*
 * The rehearsal parser. See parser.h for the contract and docs/language.md
 * for the language.
 *
 * How it works: the source is cut into lines (lexer.c), then each line is
 * one statement, dispatched on its first word. A small amount of state
 * carries from line to line:
 *   - the section: the header (before any block), the cast block, or a
 *     scene/backstage block; it decides what a first word may be;
 *   - the request being built: modifier lines (header, query, form, part,
 *     json, body, timeout) attach to the visit/get/post/... step right above
 *     them, and any other statement closes that request. The same goes for
 *     a call and its modifier lines (method, signed with);
 *   - where an `apdex` line lands: the header, the scene (before its first
 *     step) or the step right above it, which must be one that makes a
 *     request or waits for the service. It closes nothing, so it may sit
 *     among a request's or a call's modifier lines.
 * Arrays in the AST grow in the script's arena; their capacities live here,
 * in the parser, because only the last scene and the last request ever grow.
 *
 * Error messages follow one shape: what was wrong, then what was expected,
 * at the column of the token that is wrong (or where the missing one
 * should be).
 */
#include "language/parser.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/number.h"
#include "core/strmap.h"
#include "language/lexer.h"

typedef enum section {
	SEC_HEADER, /* before the first block */
	SEC_CAST,
	SEC_SCENE, /* scene or backstage */
} section;

typedef struct parser {
	tw_script *s;
	tw_arena *arena;
	const char *path;
	tw_error *err;
	tw_lexer lx;
	int lineno;
	const char *line;

	section sec;
	size_t scene_cap, step_cap, cast_cap, tag_cap;
	tw_strmap cast_names; /* name -> index in s->cast, for duplicates */
	int cast_line;     /* the cast block's line; 0 before it */
	int rehearsal_line, outcome_line, budget_line, tags_line, require_line, minor_line;
	int apdex_line;       /* the header's `apdex`; 0 before it */
	int scene_apdex_line; /* the current scene's; 0 before it */
	int step_apdex_line;  /* the last step's; 0 before it */

	/* The request that modifier lines attach to. */
	bool in_request;
	size_t req_step;   /* index in the current scene's steps */
	size_t header_cap, query_cap, form_cap, part_cap;
	int body_line;     /* where the body was set; 0 when not yet */
	const char *body_what;
	int timeout_line;

	/* The call that `method` and `signed with` attach to. */
	bool in_call;
	size_t call_step;  /* index in the current scene's steps */
	int method_line, signed_line;
} parser;

/* The keywords that start a step, from steps.def. */
#define TW_STEP_UNPAREN(...) __VA_ARGS__
static const char *const step_words[] = {
#define TW_STEP_KIND(name, words_, ...) TW_STEP_UNPAREN words_,
#include "language/steps.def"
#undef TW_STEP_KIND
};
static const char *const modifier_words[] = {
	"header", "query", "form", "part", "json", "body", "timeout",
};
static const char *const call_modifier_words[] = {"method", "signed"};
static const char *const block_words[] = {"cast", "scene", "backstage"};
static const char *const header_words[] = {"rehearsal", "outcome", "budget", "tags",
					    "tag",       "require", "minor"};
/* `apdex` goes in the header, a scene or under a step: dispatched apart. */
static const char *const apdex_words[] = {"apdex"};
static const char *const subject_words[] = {
	"status", "header", "text", "body", "title", "url", "xpath", "json", "cookie", "time",
	"transfer", "recording", "rejected", "hangup",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool in_list(const char *w, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(w, list[i]) == 0)
			return true;
	return false;
}

/* ---- did you mean ---- */

size_t tw_edit_distance(const char *a, const char *b)
{
	enum { MAXW = 64 };
	size_t n = strlen(a), m = strlen(b);
	if (n > MAXW || m > MAXW)
		return (size_t)-1;
	size_t d[MAXW + 1][MAXW + 1];
	for (size_t i = 0; i <= n; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= n; i++) {
		for (size_t j = 1; j <= m; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < best)
				best = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[n][m];
}

const char *tw_parse_suggest(const char *word, const char *const *candidates, size_t count)
{
	const char *best = NULL;
	size_t best_d = 3, len = strlen(word);
	for (size_t i = 0; i < count; i++) {
		size_t d = tw_edit_distance(word, candidates[i]);
		if (d < best_d && d < len) {
			best = candidates[i];
			best_d = d;
		}
	}
	return best;
}

/* A " (did you mean 'x'?)" hint among every keyword, or "". Keywords are
 * lower case; a word that only differs in case gets told so. */
static const char *keyword_hint(parser *p, const char *word)
{
	static const char *const *const lists[] = {step_words, modifier_words, block_words,
						    header_words, call_modifier_words, apdex_words};
	static const size_t sizes[] = {COUNT(step_words), COUNT(modifier_words),
				       COUNT(block_words), COUNT(header_words),
				       COUNT(call_modifier_words), COUNT(apdex_words)};
	char lower[32];
	size_t n = strlen(word);
	if (n < sizeof(lower)) {
		for (size_t i = 0; i <= n; i++)
			lower[i] = (char)tolower((unsigned char)word[i]);
		if (strcmp(lower, word) != 0)
			for (size_t l = 0; l < COUNT(lists); l++)
				if (in_list(lower, lists[l], sizes[l]))
					return tw_arena_printf(p->arena,
							       " (keywords are lower case: '%s')",
							       lower);
	}
	const char *best = NULL;
	size_t best_d = 3;
	for (size_t l = 0; l < COUNT(lists); l++) {
		const char *c = tw_parse_suggest(word, lists[l], sizes[l]);
		if (c) {
			size_t d = tw_edit_distance(word, c);
			if (d < best_d) {
				best = c;
				best_d = d;
			}
		}
	}
	if (best && strcmp(best, "hang") == 0)
		best = "hang up"; /* `hangup` and `hang` alone mean the step */
	return best ? tw_arena_printf(p->arena, " (did you mean '%s'?)", best) : "";
}

/* ---- errors ---- */

static int perr(parser *p, int col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int perr(parser *p, int col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char buf[512];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return tw_error_set_at(p->err, TW_ESYNTAX, p->path, p->lineno, col, p->line, "%s", buf);
}

static int oom(parser *p)
{
	return tw_error_set(p->err, TW_ENOMEM, "out of memory");
}

/* A token as written, cut short for messages. */
static const char *shown(parser *p, const tw_token *tok)
{
	if (tok->kind == TW_TOK_END)
		return "end of line";
	size_t n = tok->raw_len;
	bool cut = false;
	if (n > 40) {
		n = 40;
		while (n > 0 && ((unsigned char)tok->raw[n] & 0xC0) == 0x80)
			n--;
		cut = true;
	}
	const char *s = tw_arena_printf(p->arena, "%.*s%s", (int)n, tok->raw, cut ? "..." : "");
	return s ? s : "?";
}

static int next(parser *p, tw_token *tok)
{
	return tw_lex_next(&p->lx, tok);
}

static int peek(parser *p, tw_token *tok)
{
	return tw_lex_peek(&p->lx, tok);
}

static bool is_word(const tw_token *tok, const char *w)
{
	return tok->kind == TW_TOK_WORD && strcmp(tok->text, w) == 0;
}

/* Nothing but a comment may follow. */
static int expect_end(parser *p, const char *after)
{
	tw_token tok;
	int rc = next(p, &tok);
	if (rc)
		return rc;
	if (tok.kind != TW_TOK_END)
		return perr(p, tok.col, "unexpected '%s' after %s: expected the end of the line",
			    shown(p, &tok), after);
	return TW_OK;
}

/* ---- small grammars: names, numbers, durations ---- */

static bool name_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-';
}

static bool valid_var_name(const char *s, size_t n)
{
	if (n == 0 || !name_start(s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!name_char(s[i]))
			return false;
	return true;
}

/* RFC 9110 token characters: what a header or cookie name may use. */
static bool token_char(char c)
{
	return isalnum((unsigned char)c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool valid_token(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!token_char(s[i]))
			return false;
	return true;
}

/* -?digits[.digits] */
static bool parse_number(const char *s, double *out)
{
	const char *q = s;
	if (*q == '-')
		q++;
	if (!isdigit((unsigned char)*q))
		return false;
	while (isdigit((unsigned char)*q))
		q++;
	if (*q == '.') {
		q++;
		if (!isdigit((unsigned char)*q))
			return false;
		while (isdigit((unsigned char)*q))
			q++;
	}
	if (*q)
		return false;
	/* 400 digits overflow to inf: text, then, not a number. */
	*out = strtod(s, NULL);
	return isfinite(*out);
}

typedef enum dur_result { DUR_OK, DUR_NOT, DUR_TOO_LONG } dur_result;

#define DURATION_MAX_MS 86400000.0 /* 24 hours */

/* digits[.digits](ms|s|m), in milliseconds. */
static dur_result parse_duration(const char *s, double *ms)
{
	const char *q = s;
	if (!isdigit((unsigned char)*q))
		return DUR_NOT;
	while (isdigit((unsigned char)*q))
		q++;
	if (*q == '.') {
		q++;
		if (!isdigit((unsigned char)*q))
			return DUR_NOT;
		while (isdigit((unsigned char)*q))
			q++;
	}
	double scale;
	if (strcmp(q, "ms") == 0)
		scale = 1;
	else if (strcmp(q, "s") == 0)
		scale = 1000;
	else if (strcmp(q, "m") == 0)
		scale = 60000;
	else
		return DUR_NOT;
	double v = strtod(s, NULL) * scale;
	if (v > DURATION_MAX_MS)
		return DUR_TOO_LONG;
	*ms = v;
	return DUR_OK;
}

/* A DURATION token that must be there: pause, timeout. */
static int duration_arg(parser *p, const char *after, double *ms, int *col)
{
	tw_token tok;
	int rc = next(p, &tok);
	if (rc)
		return rc;
	*col = tok.col;
	if (tok.kind != TW_TOK_WORD)
		return perr(p, tok.col, "expected a duration after '%s', like 500ms, 2s or 1.5m",
			    after);
	switch (parse_duration(tok.text, ms)) {
	case DUR_OK: return TW_OK;
	case DUR_TOO_LONG:
		return perr(p, tok.col, "duration '%s' is too long: at most 24 hours",
			    shown(p, &tok));
	default:
		return perr(p, tok.col,
			    "expected a duration after '%s', like 500ms, 2s or 1.5m (found '%s')",
			    after, shown(p, &tok));
	}
}

/* ---- AST growth ---- */

static tw_loc loc_at(parser *p, int col)
{
	tw_loc l = {p->s->path, p->lineno, col};
	return l;
}

static tw_scene *cur_scene(parser *p)
{
	return &p->s->scenes[p->s->scene_count - 1];
}

static int grow(parser *p, void **items, size_t count, size_t *cap, size_t size)
{
	if (count < *cap)
		return TW_OK;
	size_t ncap = *cap ? *cap * 2 : 8;
	void *n = tw_arena_grow(p->arena, *items, count, ncap, size);
	if (!n)
		return oom(p);
	*items = n;
	*cap = ncap;
	return TW_OK;
}

static tw_pair *add_pair(parser *p, tw_pairs *pairs, size_t *cap)
{
	void *items = pairs->items;
	if (grow(p, &items, pairs->count, cap, sizeof(tw_pair)))
		return NULL;
	pairs->items = items;
	return &pairs->items[pairs->count++];
}

static tw_step *add_step(parser *p, tw_step_kind kind, const tw_token *kw)
{
	tw_scene *sc = cur_scene(p);
	void *items = sc->steps;
	if (grow(p, &items, sc->step_count, &p->step_cap, sizeof(tw_step)))
		return NULL;
	sc->steps = items;
	tw_step *st = &sc->steps[sc->step_count++];
	st->kind = kind;
	st->loc = loc_at(p, kw->col);
	return st;
}

/* The statement as written, without blanks and comment, for reports. */
static char *statement_text(parser *p, int first_col)
{
	size_t start = (size_t)first_col - 1;
	size_t end = p->lx.last_end > start ? p->lx.last_end : start;
	return tw_arena_strndup(p->arena, p->line + start, end - start);
}

/* ---- header statements ---- */

static int already(parser *p, int col, const char *what, int first_line)
{
	return perr(p, col, "duplicate '%s' (first on line %d): expected it at most once", what,
		    first_line);
}

/* rehearsal "..." / outcome "..." */
static int parse_quoted_header(parser *p, const tw_token *kw, char **out, tw_loc *loc)
{
	tw_token tok;
	int rc = next(p, &tok);
	if (rc)
		return rc;
	if (tok.kind != TW_TOK_STRING)
		return perr(p, tok.col, "expected the %s in double quotes, like %s \"%s\"",
			    strcmp(kw->text, "rehearsal") == 0 ? "rehearsal's name" : "outcome",
			    kw->text,
			    strcmp(kw->text, "rehearsal") == 0 ? "Order a pizza"
							       : "Ada gets her pizza");
	if (tok.text[0] == '\0')
		return perr(p, tok.col, "the %s is empty: expected some text between the quotes",
			    strcmp(kw->text, "rehearsal") == 0 ? "rehearsal's name" : "outcome");
	*out = tok.text;
	if (loc)
		*loc = loc_at(p, tok.col);
	return expect_end(p, strcmp(kw->text, "rehearsal") == 0 ? "the rehearsal's name"
								  : "the outcome");
}

/* budget 90s, 10 steps | budget 10 steps | budget 2m */
static int parse_budget(parser *p, const tw_token *kw)
{
	tw_token rest;
	int rc = tw_lex_rest(&p->lx, &rest, false);
	if (rc)
		return rc;
	if (rest.kind == TW_TOK_END)
		return perr(p, rest.col,
			    "expected a budget after 'budget', like 90s, 10 steps");
	(void)kw;
	const char *s = rest.text;
	size_t n = strlen(s), i = 0;
	int items = 0, dur_col = 0, steps_col = 0;
	for (;;) {
		/* One item: DURATION, or INT steps. */
		while (i < n && tw_lex_is_blank(s[i]))
			i++;
		int item_col = rest.col + (int)i;
		size_t w1 = i;
		while (i < n && s[i] != ',' && !tw_lex_is_blank(s[i]))
			i++;
		size_t w1_end = i;
		if (w1_end == w1)
			return perr(p, item_col, items == 0
				    ? "expected a duration (like 90s) or a number of steps (like 10 steps)"
				    : "expected a duration (like 90s) or a number of steps (like 10 steps) after ','");
		char *word = tw_arena_strndup(p->arena, s + w1, w1_end - w1);
		if (!word)
			return oom(p);
		double ms;
		dur_result dr = parse_duration(word, &ms);
		if (dr == DUR_TOO_LONG)
			return perr(p, item_col, "budget '%s' is too long: at most 24 hours", word);
		if (dr == DUR_OK) {
			if (dur_col)
				return perr(p, item_col,
					    "the budget has two durations (the first at column %d): "
					    "expected one duration and at most one number of steps",
					    dur_col);
			long v = lround(ms);
			if (v <= 0)
				return perr(p, item_col,
					    "a budget of '%s' is no budget: expected at least 1ms", word);
			p->s->budget_ms = v;
			dur_col = item_col;
		} else {
			bool digits = true;
			for (const char *q = word; *q; q++)
				if (!isdigit((unsigned char)*q))
					digits = false;
			if (!digits)
				return perr(p, item_col,
					    "expected a duration (like 90s) or a number of steps (like "
					    "10 steps), found '%s'",
					    word);
			while (i < n && tw_lex_is_blank(s[i]))
				i++;
			size_t w2 = i;
			while (i < n && s[i] != ',' && !tw_lex_is_blank(s[i]))
				i++;
			if (!((i - w2 == 5 && strncmp(s + w2, "steps", 5) == 0) ||
			      (i - w2 == 4 && strncmp(s + w2, "step", 4) == 0)))
				return perr(p, rest.col + (int)w2,
					    "expected 'steps' after the number %s (like 10 steps); a "
					    "duration needs a unit: ms, s or m",
					    word);
			if (steps_col)
				return perr(p, item_col,
					    "the budget has two numbers of steps (the first at column "
					    "%d): expected at most one",
					    steps_col);
			long v = strtol(word, NULL, 10);
			if (v <= 0 || v > 1000000)
				return perr(p, item_col,
					    "expected a number of steps from 1 to 1000000, found '%s'",
					    word);
			p->s->budget_steps = v;
			steps_col = item_col;
		}
		items++;
		while (i < n && tw_lex_is_blank(s[i]))
			i++;
		if (i >= n)
			break;
		if (s[i] != ',')
			return perr(p, rest.col + (int)i,
				    "expected ',' between the parts of the budget, like 90s, 10 steps");
		i++;
		if (items == 2) {
			while (i < n && tw_lex_is_blank(s[i]))
				i++;
			return perr(p, rest.col + (int)i,
				    "a budget has at most a duration and a number of steps: expected "
				    "the end of the line");
		}
	}
	return TW_OK;
}

static bool tag_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-';
}

/* tags smoke, checkout p1 */
static int parse_tags(parser *p, const tw_token *kw)
{
	tw_token rest;
	int rc = tw_lex_rest(&p->lx, &rest, false);
	if (rc)
		return rc;
	if (rest.kind == TW_TOK_END)
		return perr(p, rest.col, "expected at least one tag after '%s', like %s smoke, checkout",
			    kw->text, kw->text);
	const char *s = rest.text;
	size_t n = strlen(s), i = 0;
	bool need_tag = true; /* at the start and after a comma */
	while (i < n) {
		if (tw_lex_is_blank(s[i])) {
			i++;
			continue;
		}
		if (s[i] == ',') {
			if (need_tag)
				return perr(p, rest.col + (int)i, "expected a tag before ','");
			need_tag = true;
			i++;
			continue;
		}
		size_t start = i;
		while (i < n && s[i] != ',' && !tw_lex_is_blank(s[i])) {
			if (!tag_char(s[i])) {
				if ((unsigned char)s[i] < 0x80)
					return perr(p, rest.col + (int)i,
						    "'%c' cannot be part of a tag: tags use letters, "
						    "digits, '_', '.' and '-'",
						    s[i]);
				return perr(p, rest.col + (int)i,
					    "tags use ASCII letters, digits, '_', '.' and '-'");
			}
			i++;
		}
		char *tag = tw_arena_strndup(p->arena, s + start, i - start);
		if (!tag)
			return oom(p);
		need_tag = false;
		bool dup = false;
		for (size_t t = 0; t < p->s->tag_count; t++)
			if (strcmp(p->s->tags[t], tag) == 0)
				dup = true;
		if (dup)
			continue;
		void *items = p->s->tags;
		if (grow(p, &items, p->s->tag_count, &p->tag_cap, sizeof(char *)))
			return TW_ENOMEM;
		p->s->tags = items;
		p->s->tags[p->s->tag_count++] = tag;
	}
	if (need_tag)
		return perr(p, rest.col + (int)n, "expected a tag after ','");
	return TW_OK;
}

/* require 99.5%: the outcome rate this journey must reach, a percentage
 * above 0 and at most 100. */
static int parse_require(parser *p)
{
	tw_token tok;
	int rc = next(p, &tok);
	if (rc)
		return rc;
	if (tok.kind == TW_TOK_END)
		return perr(p, tok.col,
			    "expected the outcome rate this journey must reach after 'require', "
			    "like require 99.5%%");
	double v;
	char *end;
	if (tok.kind != TW_TOK_WORD || !tw_decimal(tok.text, &v, &end) || strcmp(end, "%") != 0)
		return perr(p, tok.col, "expected a percentage after 'require', like 99.5%%, found '%s'",
			    shown(p, &tok));
	if (!(v > 0 && v <= 100))
		return perr(p, tok.col,
			    "a required outcome rate is above 0%% and at most 100%%, found '%s'",
			    tok.text);
	p->s->require = v / 100;
	return expect_end(p, "the required outcome rate");
}

static int parse_header_statement(parser *p, const tw_token *kw)
{
	const char *w = kw->text;
	int *seen;
	if (strcmp(w, "rehearsal") == 0)
		seen = &p->rehearsal_line;
	else if (strcmp(w, "outcome") == 0)
		seen = &p->outcome_line;
	else if (strcmp(w, "budget") == 0)
		seen = &p->budget_line;
	else if (strcmp(w, "require") == 0)
		seen = &p->require_line;
	else if (strcmp(w, "minor") == 0)
		seen = &p->minor_line;
	else
		seen = &p->tags_line;
	if (p->sec != SEC_HEADER)
		return perr(p, kw->col,
			    "'%s' belongs in the header: expected it before the first block "
			    "(cast, scene or backstage)",
			    w);
	if (*seen)
		return already(p, kw->col, strcmp(w, "tag") == 0 ? "tags" : w, *seen);
	*seen = p->lineno;
	if (strcmp(w, "rehearsal") == 0)
		return parse_quoted_header(p, kw, &p->s->name, &p->s->name_loc);
	if (strcmp(w, "outcome") == 0)
		return parse_quoted_header(p, kw, &p->s->outcome, NULL);
	if (strcmp(w, "budget") == 0)
		return parse_budget(p, kw);
	if (strcmp(w, "require") == 0)
		return parse_require(p);
	if (strcmp(w, "minor") == 0) {
		p->s->minor = true;
		return expect_end(p, "'minor'");
	}
	return parse_tags(p, kw);
}

/* ---- NAME = VALUE ---- */

/* Reads a pair's name: a STRING, or a WORD up to sep (which may be glued
 * to it, `name=Ada`, or come after blanks). With *found_sep the separator
 * was consumed; otherwise the lexer stands right after the name. */
static int pair_name(parser *p, char sep, const char *what, char **name, int *col,
		     bool *found_sep)
{
	tw_token tok;
	int rc = next(p, &tok);
	if (rc)
		return rc;
	*found_sep = false;
	*col = tok.col;
	if (tok.kind == TW_TOK_END)
		return perr(p, tok.col, "expected the %s name", what);
	if (tok.kind == TW_TOK_STRING) {
		*name = tok.text;
	} else {
		const char *at = memchr(tok.text, sep, tok.raw_len);
		if (at) {
			size_t n = (size_t)(at - tok.text);
			if (n == 0)
				return perr(p, tok.col, "expected the %s name before '%c'", what, sep);
			*name = tw_arena_strndup(p->arena, tok.text, n);
			if (!*name)
				return oom(p);
			p->lx.pos = (size_t)tok.col - 1 + n + 1;
			p->lx.last_end = p->lx.pos;
			*found_sep = true;
			return TW_OK;
		}
		*name = tok.text;
	}
	/* The separator may stand alone or start the next token. */
	size_t i = p->lx.pos;
	while (i < p->lx.len && tw_lex_is_blank(p->line[i]))
		i++;
	if (i < p->lx.len && p->line[i] == sep) {
		p->lx.pos = i + 1;
		p->lx.last_end = p->lx.pos;
		*found_sep = true;
	}
	return TW_OK;
}

/* The value after `=` or `:`: the rest of the line; "" when empty. */
static int pair_value(parser *p, char **value)
{
	tw_token tok;
	int rc = tw_lex_rest(&p->lx, &tok, true);
	if (rc)
		return rc;
	*value = tok.text;
	return TW_OK;
}

static int missing_sep(parser *p, char sep, const char *what, const char *name)
{
	tw_token tok;
	int rc = peek(p, &tok);
	if (rc)
		return rc;
	return perr(p, tok.col, "expected '%c' after the %s name '%s'%s", sep, what, name,
		    sep == '=' ? ", like name = value" : ", like Accept: application/json");
}

/* ---- cast ---- */

static int parse_cast_entry(parser *p, const tw_token *first)
{
	tw_pairs *cast = &p->s->cast;
	p->lx.pos = (size_t)first->col - 1; /* re-read the name as a pair name */
	char *name;
	int col;
	bool sep;
	int rc = pair_name(p, '=', "cast", &name, &col, &sep);
	if (rc)
		return rc;
	if (!valid_var_name(name, strlen(name)) || first->kind != TW_TOK_WORD)
		return perr(p, col,
			    "invalid cast name '%s': expected a name that starts with a letter or "
			    "'_' and uses letters, digits, '_', '.' and '-'",
			    first->kind == TW_TOK_WORD ? name : shown(p, first));
	bool found;
	size_t earlier;
	if (tw_strmap_put(&p->cast_names, name, cast->count, &found, &earlier))
		return oom(p);
	if (found)
		return perr(p, col, "duplicate cast name '%s' (first on line %d)", name,
			    cast->items[earlier].loc.line);
	char *value = NULL;
	if (sep) {
		if ((rc = pair_value(p, &value)))
			return rc;
	} else {
		tw_token tok;
		if ((rc = next(p, &tok)))
			return rc;
		if (tok.kind != TW_TOK_END)
			return perr(p, tok.col,
				    "expected '=' after the cast name '%s', like %s = value (or the "
				    "name alone, given at run time with --var)",
				    name, name);
	}
	tw_pair *pr = add_pair(p, cast, &p->cast_cap);
	if (!pr)
		return TW_ENOMEM;
	pr->loc = loc_at(p, col);
	pr->name = name;
	pr->value = value;
	return TW_OK;
}

/* ---- blocks ---- */

static int parse_block(parser *p, const tw_token *kw)
{
	int rc;
	p->in_request = false;
	p->in_call = false;
	if (strcmp(kw->text, "cast") == 0) {
		if (p->cast_line)
			return perr(p, kw->col,
				    "duplicate 'cast' block (first on line %d): expected one cast "
				    "block that lists every name",
				    p->cast_line);
		if (p->s->scene_count)
			return perr(p, kw->col,
				    "the cast must come before the first scene (line %d)",
				    p->s->scenes[0].loc.line);
		p->cast_line = p->lineno;
		p->sec = SEC_CAST;
		return expect_end(p, "'cast' (the cast entries go on the lines below it)");
	}
	bool backstage = strcmp(kw->text, "backstage") == 0;
	tw_token tok;
	if ((rc = next(p, &tok)))
		return rc;
	if (tok.kind != TW_TOK_STRING)
		return perr(p, tok.col, "expected the %s name in double quotes, like %s \"%s\"",
			    kw->text, kw->text, backstage ? "The kitchen has it" : "Find the menu");
	if (tok.text[0] == '\0')
		return perr(p, tok.col, "the %s name is empty: expected some text between the quotes",
			    kw->text);
	char *name = tok.text;
	tw_channel channel = TW_CHANNEL_WEB;
	if ((rc = next(p, &tok)))
		return rc;
	if (tok.kind != TW_TOK_END) {
		if (!is_word(&tok, "on"))
			return perr(p, tok.col,
				    "unexpected '%s' after the %s name: expected 'on' and a channel "
				    "(web or ivr), or the end of the line",
				    shown(p, &tok), kw->text);
		if ((rc = next(p, &tok)))
			return rc;
		if (tok.kind == TW_TOK_END)
			return perr(p, tok.col, "expected a channel after 'on': web or ivr");
		if (is_word(&tok, "web"))
			channel = TW_CHANNEL_WEB;
		else if (is_word(&tok, "ivr"))
			channel = TW_CHANNEL_IVR;
		else
			return perr(p, tok.col, "unknown channel '%s' (expected web or ivr)",
				    shown(p, &tok));
		if ((rc = expect_end(p, "the channel")))
			return rc;
	}
	tw_script *s = p->s;
	void *items = s->scenes;
	if ((rc = grow(p, &items, s->scene_count, &p->scene_cap, sizeof(tw_scene))))
		return rc;
	s->scenes = items;
	tw_scene *sc = &s->scenes[s->scene_count++];
	sc->loc = loc_at(p, kw->col);
	sc->name = name;
	sc->channel = channel;
	sc->backstage = backstage;
	p->step_cap = 0;
	p->scene_apdex_line = 0;
	p->sec = SEC_SCENE;
	return TW_OK;
}

/* ---- steps ---- */

/* A text argument: the rest of the line, or one STRING's content. */
static int text_arg(parser *p, char **out, int *col)
{
	tw_token tok;
	int rc = tw_lex_rest(&p->lx, &tok, true);
	if (rc)
		return rc;
	if (col)
		*col = tok.col;
	*out = tok.kind == TW_TOK_END ? NULL : tok.text;
	return TW_OK;
}

static int parse_request(parser *p, const tw_token *kw, tw_step *st)
{
	bool visit = strcmp(kw->text, "visit") == 0;
	int col;
	int rc = text_arg(p, &st->req.url, &col);
	if (rc)
		return rc;
	if (!st->req.url || !st->req.url[0])
		return perr(p, col, "expected a URL after '%s', like %s {{stage}}/", kw->text,
			    kw->text);
	if (visit) {
		st->req.method = "GET";
	} else {
		char *m = tw_arena_strdup(p->arena, kw->text);
		if (!m)
			return oom(p);
		for (char *q = m; *q; q++)
			*q = (char)toupper((unsigned char)*q);
		st->req.method = m;
	}
	p->in_request = true;
	p->req_step = cur_scene(p)->step_count - 1;
	p->header_cap = p->query_cap = p->form_cap = p->part_cap = 0;
	p->body_line = 0;
	p->body_what = NULL;
	p->timeout_line = 0;
	return TW_OK;
}

/* fill TARGET with VALUE */
static int parse_fill(parser *p, tw_step *st)
{
	tw_token tok;
	int rc = next(p, &tok);
	if (rc)
		return rc;
	if (tok.kind == TW_TOK_END)
		return perr(p, tok.col,
			    "expected the field after 'fill' (its label, name or id), like fill "
			    "\"Your name\" with Ada");
	if (is_word(&tok, "with")) {
		tw_token after;
		if ((rc = peek(p, &after)))
			return rc;
		if (!is_word(&after, "with"))
			return perr(p, tok.col,
				    "expected the field before 'with' (its label, name or id), like "
				    "fill \"Your name\" with Ada");
	}
	st->target = tok.text;
	tw_token w;
	if ((rc = next(p, &w)))
		return rc;
	if (!is_word(&w, "with")) {
		/* A label with blanks written without quotes is the usual cause. */
		bool later = false;
		tw_lexer probe = p->lx;
		tw_token t;
		while (tw_lex_next(&probe, &t) == TW_OK && t.kind != TW_TOK_END)
			if (is_word(&t, "with"))
				later = true;
		tw_error_clear(p->err);
		if (later && tok.kind == TW_TOK_WORD)
			return perr(p, w.col,
				    "expected 'with' after the field (a field label with blanks "
				    "goes in double quotes, like fill \"Your name\" with Ada)");
		return perr(p, w.col, "expected 'with' after the field, like fill %s with Ada",
			    shown(p, &tok));
	}
	int col;
	if ((rc = text_arg(p, &st->value, &col)))
		return rc;
	if (!st->value)
		return perr(p, col,
			    "expected the text to type after 'with' (write \"\" to empty the field)");
	return TW_OK;
}

/* choose OPTION [from|in TARGET] */
static int parse_choose(parser *p, tw_step *st)
{
	tw_token tok;
	int rc = next(p, &tok);
	if (rc)
		return rc;
	if (tok.kind == TW_TOK_END)
		return perr(p, tok.col,
			    "expected the option after 'choose', like choose Large from size");
	st->value = tok.text;
	tw_token kw;
	if ((rc = next(p, &kw)))
		return rc;
	if (kw.kind == TW_TOK_END)
		return TW_OK;
	if (!is_word(&kw, "from") && !is_word(&kw, "in"))
		return perr(p, kw.col,
			    "expected 'from' and the list after the option, like choose Large from "
			    "size (an option with blanks goes in double quotes)");
	int col;
	if ((rc = text_arg(p, &st->target, &col)))
		return rc;
	if (!st->target)
		return perr(p, col, "expected the list after '%s' (its label, name or id)",
			    kw.text);
	return TW_OK;
}

/* ---- expectations ---- */

static bool op_word(const tw_token *tok, tw_op *op)
{
	static const struct {
		const char *w;
		tw_op op;
	} ops[] = {
		{"==", TW_OP_EQ}, {"!=", TW_OP_NE}, {"<", TW_OP_LT},
		{"<=", TW_OP_LE}, {">", TW_OP_GT},  {">=", TW_OP_GE},
		{"contains", TW_OP_CONTAINS}, {"~", TW_OP_MATCHES},
		{"exists", TW_OP_EXISTS}, {"not", TW_OP_NOT_EXISTS},
	};
	if (tok->kind != TW_TOK_WORD)
		return false;
	for (size_t i = 0; i < COUNT(ops); i++) {
		if (strcmp(tok->text, ops[i].w) == 0) {
			*op = ops[i].op;
			return true;
		}
	}
	return false;
}

#define OPS_LIST "==, !=, <, <=, >, >=, contains, ~, exists, not exists"

static bool relational(tw_op op)
{
	return op == TW_OP_LT || op == TW_OP_LE || op == TW_OP_GT || op == TW_OP_GE;
}

/* Reads the operator; when required is false and the next token is not an
 * operator, *op is left alone (the subject's default). */
static int parse_op(parser *p, bool required, tw_op *op, int *op_col, bool *written)
{
	tw_token tok;
	int rc = peek(p, &tok);
	if (rc)
		return rc;
	*op_col = tok.col;
	*written = op_word(&tok, op);
	if (*written) {
		next(p, &tok);
		if (*op == TW_OP_NOT_EXISTS) {
			if ((rc = next(p, &tok)))
				return rc;
			if (!is_word(&tok, "exists"))
				return perr(p, tok.col, "expected 'exists' after 'not'");
		}
		return TW_OK;
	}
	if (is_word(&tok, "="))
		return perr(p, tok.col, "expected an operator (" OPS_LIST "): equality is '=='");
	if (required)
		return perr(p, tok.col, "expected an operator (" OPS_LIST ")%s%s%s",
			    tok.kind == TW_TOK_END ? "" : ", found '",
			    tok.kind == TW_TOK_END ? "" : shown(p, &tok),
			    tok.kind == TW_TOK_END ? "" : "'");
	return TW_OK;
}

/* The value after an operator. */
static int parse_value(parser *p, tw_op op, const char *after, tw_value *v)
{
	tw_token tok;
	int rc = next(p, &tok);
	if (rc)
		return rc;
	v->loc = loc_at(p, tok.col);
	if (op == TW_OP_MATCHES) {
		if (tok.kind != TW_TOK_REGEX)
			return perr(p, tok.col,
				    "expected a regular expression after '~', like /Order #(\\d+)/");
		if (tok.text[0] == '\0')
			return perr(p, tok.col,
				    "empty regular expression: expected a pattern between the "
				    "slashes");
		v->kind = TW_VAL_REGEX;
		v->text = tok.text;
		v->flags = tw_arena_strdup(p->arena, tok.flags);
		return v->flags ? TW_OK : oom(p);
	}
	if (tok.kind == TW_TOK_END)
		return perr(p, tok.col, "expected a value after '%s'", after);
	v->text = tok.text;
	/* contains looks for text: `expect text 8.50` seeks "8.50" as written,
	 * and 48h is three characters, not a duration too long. */
	if (tok.kind == TW_TOK_STRING || op == TW_OP_CONTAINS) {
		v->kind = TW_VAL_STRING;
		return TW_OK;
	}
	double d;
	if (parse_number(tok.text, &d)) {
		v->kind = TW_VAL_NUMBER;
		v->number = d;
	} else if (strcmp(tok.text, "true") == 0 || strcmp(tok.text, "false") == 0) {
		v->kind = TW_VAL_BOOL;
		v->boolean = tok.text[0] == 't';
	} else if (strcmp(tok.text, "null") == 0) {
		v->kind = TW_VAL_NULL;
	} else {
		switch (parse_duration(tok.text, &d)) {
		case DUR_OK:
			v->kind = TW_VAL_DURATION;
			v->number = d;
			break;
		case DUR_TOO_LONG:
			return perr(p, tok.col, "duration '%s' is too long: at most 24 hours",
				    shown(p, &tok));
		default:
			v->kind = TW_VAL_STRING;
		}
	}
	return TW_OK;
}

/* Subjects about the call rather than the last response. */
static bool call_subject(tw_subject s)
{
	return s == TW_SUBJ_TRANSFER || s == TW_SUBJ_RECORDING || s == TW_SUBJ_REJECTED ||
	       s == TW_SUBJ_HANGUP;
}

/* The call was recorded, or hung up by the IVR, or not: nothing to compare
 * and nothing to keep. */
static bool valueless_subject(tw_subject s)
{
	return s == TW_SUBJ_RECORDING || s == TW_SUBJ_HANGUP;
}

/* The value of a phone expectation: words, compared as text whatever they
 * look like (a transfer to 5550100 is a number to dial, not 5550100.0). */
static int text_value(parser *p, tw_op op, const char *after, bool hear, tw_value *v)
{
	if (op == TW_OP_MATCHES)
		return parse_value(p, op, after, v);
	tw_token tok;
	int rc = next(p, &tok);
	if (rc)
		return rc;
	v->loc = loc_at(p, tok.col);
	if (tok.kind == TW_TOK_END)
		return hear ? perr(p, tok.col,
				   "expected the words to hear after '%s', like hear \"Welcome\"",
				   after)
			    : perr(p, tok.col, "expected a value after '%s'", after);
	if (hear && tok.text[0] == '\0')
		return perr(p, tok.col,
			    "the words to hear are empty: expected some text between the quotes");
	v->kind = TW_VAL_STRING;
	v->text = tok.text;
	return TW_OK;
}

/* What follows the subject (and its argument): [op] [value] [as NAME].
 * subject is the subject as written, for messages ("status", "hear"). */
static int parse_expectation_rest(parser *p, tw_expect *e, const char *subject)
{
	bool hear = e->subject == TW_SUBJ_PROMPT;
	bool call = call_subject(e->subject);
	int rc;

	/* The operator: required where there is no sensible default. */
	bool required = e->subject == TW_SUBJ_HEADER || e->subject == TW_SUBJ_COOKIE ||
			e->subject == TW_SUBJ_XPATH || e->subject == TW_SUBJ_JSON ||
			e->subject == TW_SUBJ_TIME;
	if (e->subject == TW_SUBJ_TEXT || e->subject == TW_SUBJ_BODY || hear) {
		e->op = TW_OP_CONTAINS;
	} else if (call) {
		/* `expect transfer` alone asks whether it happened; with a value,
		 * where to. */
		tw_token t;
		if ((rc = peek(p, &t)))
			return rc;
		e->op = t.kind == TW_TOK_END || is_word(&t, "as") ? TW_OP_EXISTS : TW_OP_EQ;
	} else {
		e->op = TW_OP_EQ;
	}
	int op_col;
	bool written;
	if ((rc = parse_op(p, required, &e->op, &op_col, &written)))
		return rc;

	/* What the operator may be used with. */
	const char *op = tw_op_str(e->op);
	const char *after = written ? op : subject;
	if (hear && e->op != TW_OP_EQ && e->op != TW_OP_CONTAINS && e->op != TW_OP_MATCHES)
		return perr(p, op_col,
			    "'%s' does not apply to 'hear': expected ==, contains or ~ and the "
			    "words to hear (no operator means contains)",
			    op);
	if (valueless_subject(e->subject) && e->op != TW_OP_EXISTS && e->op != TW_OP_NOT_EXISTS)
		return perr(p, op_col,
			    "'expect %s' takes no value: expected exists, not exists or the end "
			    "of the line",
			    subject);
	if (call && relational(e->op))
		return perr(p, op_col,
			    "'%s' compares numbers: expected ==, !=, contains, ~, exists or not "
			    "exists after 'expect %s'",
			    op, subject);
	if (e->op == TW_OP_EXISTS || e->op == TW_OP_NOT_EXISTS) {
		if (e->count)
			return perr(p, op_col,
				    "'%s' does not apply to a count: expected ==, !=, <, <=, > or >=",
				    op);
		if (!e->arg && !call)
			return perr(p, op_col,
				    "'%s' does not apply to %s: it checks a header, cookie, xpath or "
				    "json match",
				    op, subject);
	}
	if (e->subject == TW_SUBJ_TIME && !relational(e->op))
		return perr(p, op_col, "expected <, <=, > or >= after 'expect time', like expect "
				       "time < 800ms");
	if (e->count && (e->op == TW_OP_CONTAINS || e->op == TW_OP_MATCHES))
		return perr(p, op_col,
			    "'%s' does not apply to a count: expected ==, !=, <, <=, > or >=", op);
	if (e->subject == TW_SUBJ_STATUS && e->op == TW_OP_CONTAINS)
		return perr(p, op_col,
			    "'contains' does not apply to status: expected ==, !=, <, <=, >, >= or ~");

	/* The value. */
	if (e->op == TW_OP_EXISTS || e->op == TW_OP_NOT_EXISTS) {
		e->value.kind = TW_VAL_NONE;
		e->value.loc = loc_at(p, op_col);
	} else if (hear || call) {
		if ((rc = text_value(p, e->op, after, hear, &e->value)))
			return rc;
	} else {
		if ((rc = parse_value(p, e->op, after, &e->value)))
			return rc;
		tw_value *v = &e->value;
		int vcol = v->loc.col;
		bool numeric = v->kind == TW_VAL_NUMBER || v->kind == TW_VAL_DURATION;
		if (e->subject == TW_SUBJ_TIME && v->kind != TW_VAL_DURATION)
			return perr(p, vcol,
				    "expected a duration after '%s', like 800ms or 2s (time is "
				    "measured in ms, s or m)",
				    op);
		if (e->count && v->kind != TW_VAL_NUMBER)
			return perr(p, vcol,
				    "expected a number after '%s' (count is the number of matches)",
				    op);
		if (e->subject == TW_SUBJ_STATUS && v->kind != TW_VAL_REGEX &&
		    (v->kind != TW_VAL_NUMBER || v->number != floor(v->number) ||
		     v->number < 100 || v->number > 599))
			return perr(p, vcol, "expected a status code from 100 to 599 after '%s'",
				    after);
		if (relational(e->op) && !numeric)
			return perr(p, vcol,
				    "'%s' compares numbers: expected a number or a duration like "
				    "800ms",
				    op);
	}

	/* as NAME */
	tw_token t;
	if ((rc = peek(p, &t)))
		return rc;
	if (is_word(&t, "as")) {
		next(p, &t);
		if (valueless_subject(e->subject))
			return perr(p, t.col,
				    "nothing to capture: 'expect %s' has no value to keep", subject);
		if (e->op == TW_OP_NOT_EXISTS)
			return perr(p, t.col,
				    "nothing to capture: 'not exists' has no value to keep");
		if ((rc = next(p, &t)))
			return rc;
		if (t.kind == TW_TOK_END)
			return perr(p, t.col, "expected a variable name after 'as'");
		if (t.kind != TW_TOK_WORD || !valid_var_name(t.text, t.raw_len))
			return perr(p, t.col,
				    "invalid variable name '%s': expected a name that starts with a "
				    "letter or '_' and uses letters, digits, '_', '.' and '-'",
				    shown(p, &t));
		e->capture = t.text;
	}
	if ((rc = next(p, &t)))
		return rc;
	if (t.kind != TW_TOK_END) {
		bool bare = e->value.kind == TW_VAL_STRING && e->value.loc.col > 0 &&
			    p->line[e->value.loc.col - 1] != '"';
		if (hear)
			return perr(p, t.col, "unexpected '%s' after the words to hear%s",
				    shown(p, &t),
				    bare && !e->capture
					? " (words with blanks go in double quotes, like hear "
					  "\"Welcome to Stage Pizza\")"
					: ": expected 'as NAME' or the end of the line");
		return perr(p, t.col, "unexpected '%s' after the expectation%s", shown(p, &t),
			    bare && !e->capture
				? " (a value with blanks goes in double quotes)"
				: ": expected 'as NAME' or the end of the line");
	}
	return TW_OK;
}

static int parse_expect(parser *p, const tw_token *kw, tw_step *st)
{
	(void)kw;
	tw_expect *e = &st->expect;
	tw_token tok;
	int rc = next(p, &tok);
	if (rc)
		return rc;
	static const char *const subjects_list =
		"status, header, text, body, title, url, xpath, json, cookie, time, or on the "
		"phone transfer, recording, rejected or hangup";
	if (tok.kind == TW_TOK_END)
		return perr(p, tok.col, "expected what to check after 'expect': %s", subjects_list);
	static const tw_subject subjects[] = {
		TW_SUBJ_STATUS,   TW_SUBJ_HEADER,    TW_SUBJ_TEXT,     TW_SUBJ_BODY,
		TW_SUBJ_TITLE,    TW_SUBJ_URL,       TW_SUBJ_XPATH,    TW_SUBJ_JSON,
		TW_SUBJ_COOKIE,   TW_SUBJ_TIME,      TW_SUBJ_TRANSFER, TW_SUBJ_RECORDING,
		TW_SUBJ_REJECTED, TW_SUBJ_HANGUP,
	};
	_Static_assert(COUNT(subjects) == COUNT(subject_words), "one subject per word");
	size_t si = COUNT(subject_words);
	if (tok.kind == TW_TOK_WORD)
		for (si = 0; si < COUNT(subject_words); si++)
			if (strcmp(tok.text, subject_words[si]) == 0)
				break;
	if (si == COUNT(subject_words)) {
		/* What the caller hears has its own step, which reads better. */
		if (is_word(&tok, "prompt") || is_word(&tok, "hear"))
			return perr(p, tok.col,
				    "unknown expectation '%s': to check what the caller hears, "
				    "use hear, like hear \"Welcome\"",
				    tok.text);
		const char *best = tok.kind == TW_TOK_WORD
			? tw_parse_suggest(tok.text, subject_words, COUNT(subject_words))
			: NULL;
		if (best)
			return perr(p, tok.col, "unknown expectation '%s' (did you mean '%s'?)",
				    shown(p, &tok), best);
		return perr(p, tok.col, "unknown expectation '%s': expected %s", shown(p, &tok),
			    subjects_list);
	}
	const char *subject = subject_words[si];
	e->subject = subjects[si];

	/* The subject's argument. */
	switch (e->subject) {
	case TW_SUBJ_HEADER:
	case TW_SUBJ_COOKIE:
		if ((rc = next(p, &tok)))
			return rc;
		if (tok.kind == TW_TOK_END)
			return perr(p, tok.col, "expected the %s name after 'expect %s'", subject,
				    subject);
		if (tok.kind != TW_TOK_WORD || !valid_token(tok.text, tok.raw_len))
			return perr(p, tok.col,
				    "invalid %s name '%s': expected letters, digits and "
				    "!#$%%&'*+-.^_`|~",
				    subject, shown(p, &tok));
		e->arg = tok.text;
		break;
	case TW_SUBJ_XPATH:
		if ((rc = next(p, &tok)))
			return rc;
		if (tok.kind == TW_TOK_END)
			return perr(p, tok.col,
				    "expected an XPath expression after 'expect xpath', like "
				    "\"//h1\"");
		e->arg = tok.text;
		break;
	case TW_SUBJ_JSON:
		if ((rc = next(p, &tok)))
			return rc;
		if (tok.kind == TW_TOK_END || tok.text[0] != '$')
			return perr(p, tok.col,
				    "expected a JSON query starting with '$' after 'expect json', "
				    "like $.status");
		e->arg = tok.text;
		break;
	default:
		break;
	}

	if (e->subject == TW_SUBJ_XPATH || e->subject == TW_SUBJ_JSON) {
		tw_token c;
		if ((rc = peek(p, &c)))
			return rc;
		if (is_word(&c, "count")) {
			next(p, &c);
			e->count = true;
		}
	}
	return parse_expectation_rest(p, e, subject);
}

/* ---- phone steps ---- */

/* call URL [from NUMBER] [to NUMBER], in either order */
static int parse_call(parser *p, tw_step *st)
{
	tw_call_spec *call = &st->call;
	tw_token tok;
	int rc = next(p, &tok);
	if (rc)
		return rc;
	if (tok.kind == TW_TOK_END || is_word(&tok, "from") || is_word(&tok, "to") ||
	    (tok.kind == TW_TOK_STRING && !tok.text[0]))
		return perr(p, tok.col,
			    "expected the IVR's webhook URL after 'call', like call {{stage}}/voice");
	call->url = tok.text;
	const char *what = "the URL";
	int from_col = 0, to_col = 0;
	for (;;) {
		tw_token kw, val;
		if ((rc = next(p, &kw)))
			return rc;
		if (kw.kind == TW_TOK_END)
			break;
		bool from = is_word(&kw, "from");
		if (!from && !is_word(&kw, "to"))
			return perr(p, kw.col,
				    "unexpected '%s' after %s: expected 'from NUMBER', 'to NUMBER' "
				    "or the end of the line",
				    shown(p, &kw), what);
		int *seen = from ? &from_col : &to_col;
		if (*seen)
			return perr(p, kw.col,
				    "duplicate '%s' (first at column %d): a call has one number "
				    "calling and one called",
				    kw.text, *seen);
		*seen = kw.col;
		if ((rc = next(p, &val)))
			return rc;
		if (val.kind == TW_TOK_END || (val.kind == TW_TOK_STRING && !val.text[0]))
			return perr(p, val.col,
				    "expected a phone number after '%s', like %s +15550100 or %s "
				    "{{phone}}",
				    kw.text, kw.text, kw.text);
		if (from)
			call->from = val.text;
		else
			call->to = val.text;
		what = "the number";
	}
	p->in_call = true;
	p->call_step = cur_scene(p)->step_count - 1;
	p->method_line = p->signed_line = 0;
	return TW_OK;
}

/* press KEYS: one word or STRING. The keys themselves are the checker's:
 * templates make them known only at run time. */
static int parse_press(parser *p, tw_step *st)
{
	tw_token tok;
	int rc = next(p, &tok);
	if (rc)
		return rc;
	if (tok.kind == TW_TOK_END)
		return perr(p, tok.col,
			    "expected the keys to press after 'press', like press 1 or press "
			    "{{order}}# (a lone # after a blank starts a comment: write press \"#\")");
	if (!tok.text[0])
		return perr(p, tok.col,
			    "no keys between the quotes: expected digits, *, #, w or W");
	st->value = tok.text;
	if ((rc = next(p, &tok)))
		return rc;
	if (tok.kind != TW_TOK_END)
		return perr(p, tok.col,
			    "unexpected '%s' after the keys: expected the end of the line (keys "
			    "go together, like press 123#)",
			    shown(p, &tok));
	return TW_OK;
}

/* say PHRASE [confidence NUMBER] */
static int parse_say(parser *p, tw_step *st)
{
	tw_token tok;
	int rc = next(p, &tok);
	if (rc)
		return rc;
	if (tok.kind == TW_TOK_END || is_word(&tok, "confidence"))
		return perr(p, tok.col,
			    "expected the words to say after 'say', like say \"order status\"");
	if (!tok.text[0])
		return perr(p, tok.col,
			    "the words to say are empty: expected some text between the quotes "
			    "(silence says nothing)");
	st->value = tok.text;
	st->confidence = TW_SAY_DEFAULT_CONFIDENCE;
	tw_token t;
	if ((rc = next(p, &t)))
		return rc;
	if (t.kind == TW_TOK_END)
		return TW_OK;
	if (!is_word(&t, "confidence"))
		return perr(p, t.col, "unexpected '%s' after the words to say%s", shown(p, &t),
			    tok.kind == TW_TOK_WORD
				? " (words with blanks go in double quotes, like say \"order "
				  "status\")"
				: ": expected 'confidence' or the end of the line");
	if ((rc = next(p, &t)))
		return rc;
	double d;
	if (t.kind != TW_TOK_WORD || !parse_number(t.text, &d))
		return perr(p, t.col,
			    "expected a confidence from 0 to 1 after 'confidence', like 0.6");
	if (d < 0 || d > 1)
		return perr(p, t.col, "confidence %s is out of range: expected a number from 0 to 1",
			    shown(p, &t));
	st->confidence = d;
	return expect_end(p, "the confidence");
}

static int parse_step(parser *p, const tw_token *kw)
{
	const char *w = kw->text;
	int rc = TW_OK, col;
	p->in_request = false;
	p->in_call = false;
	p->step_apdex_line = 0;
	tw_step_kind kind = TW_STEP_EXPECT; /* every word of step_words has a kind */
	tw_step_kind_of_word(w, &kind);

	tw_step *st = add_step(p, kind, kw);
	if (!st)
		return TW_ENOMEM;
	switch (kind) {
	case TW_STEP_VISIT:
	case TW_STEP_REQUEST:
		rc = parse_request(p, kw, st);
		break;
	case TW_STEP_CLICK:
		if ((rc = text_arg(p, &st->target, &col)))
			break;
		if (!st->target)
			rc = perr(p, col, "expected the link text after 'click', like click "
					  "\"Margherita\"");
		break;
	case TW_STEP_TICK:
	case TW_STEP_UNTICK:
		if ((rc = text_arg(p, &st->target, &col)))
			break;
		if (!st->target)
			rc = perr(p, col,
				  "expected the checkbox or radio button after '%s' (its label, name "
				  "or id)",
				  w);
		break;
	case TW_STEP_SUBMIT:
		rc = text_arg(p, &st->target, &col);
		break;
	case TW_STEP_FILL:
		rc = parse_fill(p, st);
		break;
	case TW_STEP_CHOOSE:
		rc = parse_choose(p, st);
		break;
	case TW_STEP_PAUSE: {
		double ms;
		if ((rc = duration_arg(p, "pause", &ms, &col)))
			break;
		st->ms = lround(ms);
		rc = expect_end(p, "the duration");
		break;
	}
	case TW_STEP_EXPECT:
		rc = parse_expect(p, kw, st);
		break;
	case TW_STEP_CALL:
		rc = parse_call(p, st);
		break;
	case TW_STEP_HEAR:
		st->expect.subject = TW_SUBJ_PROMPT;
		rc = parse_expectation_rest(p, &st->expect, "hear");
		break;
	case TW_STEP_PRESS:
		rc = parse_press(p, st);
		break;
	case TW_STEP_SAY:
		rc = parse_say(p, st);
		break;
	case TW_STEP_SILENCE:
		rc = expect_end(p, "'silence'");
		break;
	case TW_STEP_HANGUP: {
		tw_token t;
		if ((rc = next(p, &t)))
			break;
		if (!is_word(&t, "up")) {
			rc = perr(p, t.col, "expected 'up' after 'hang': the step is 'hang up'");
			break;
		}
		rc = expect_end(p, "'hang up'");
		break;
	}
	}
	if (rc)
		return rc;
	st->source = statement_text(p, kw->col);
	return st->source ? TW_OK : oom(p);
}

/* ---- request modifiers ---- */

static int set_body(parser *p, const tw_token *kw, tw_request *req, tw_body_kind kind)
{
	if (req->body_kind != TW_BODY_NONE &&
	    (req->body_kind != kind || kind == TW_BODY_JSON || kind == TW_BODY_RAW))
		return perr(p, kw->col, "a request has one body: %s already set on line %d",
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

static int parse_modifier(parser *p, const tw_token *kw)
{
	const char *w = kw->text;
	if (!p->in_request)
		return perr(p, kw->col,
			    "'%s' must follow a request step (visit, get, post, ...)", w);
	tw_step *st = &cur_scene(p)->steps[p->req_step];
	tw_request *req = &st->req;
	bool visit = st->kind == TW_STEP_VISIT;
	int rc, col;
	bool sep;
	char *name;

	if (visit && (strcmp(w, "form") == 0 || strcmp(w, "part") == 0 ||
		      strcmp(w, "json") == 0 || strcmp(w, "body") == 0))
		return perr(p, kw->col,
			    "'%s' cannot follow 'visit': a visit sends no body (use post, or get, "
			    "for a request with a body)",
			    w);

	if (strcmp(w, "header") == 0) {
		if ((rc = pair_name(p, ':', "header", &name, &col, &sep)))
			return rc;
		if (!valid_token(name, strlen(name)))
			return perr(p, col,
				    "invalid header name '%s': expected letters, digits and "
				    "!#$%%&'*+-.^_`|~, then ':'",
				    name);
		if (!sep)
			return missing_sep(p, ':', "header", name);
		tw_pair *pr = add_pair(p, &req->headers, &p->header_cap);
		if (!pr)
			return TW_ENOMEM;
		pr->loc = loc_at(p, col);
		pr->name = name;
		return pair_value(p, &pr->value);
	}
	if (strcmp(w, "query") == 0 || strcmp(w, "form") == 0) {
		bool form = w[0] == 'f';
		if (form && (rc = set_body(p, kw, req, TW_BODY_FORM)))
			return rc;
		if ((rc = pair_name(p, '=', form ? "form field" : "query parameter", &name, &col,
				    &sep)))
			return rc;
		if (!sep)
			return missing_sep(p, '=', form ? "form field" : "query parameter", name);
		tw_pair *pr = form ? add_pair(p, &req->form, &p->form_cap)
				   : add_pair(p, &req->query, &p->query_cap);
		if (!pr)
			return TW_ENOMEM;
		pr->loc = loc_at(p, col);
		pr->name = name;
		return pair_value(p, &pr->value);
	}
	if (strcmp(w, "part") == 0) {
		if ((rc = set_body(p, kw, req, TW_BODY_MULTIPART)))
			return rc;
		if ((rc = pair_name(p, '=', "part", &name, &col, &sep)))
			return rc;
		bool is_file = false;
		if (!sep) {
			tw_token f;
			if ((rc = next(p, &f)))
				return rc;
			if (!is_word(&f, "file"))
				return perr(p, f.col,
					    "expected '=' or 'file' after the part name '%s', like "
					    "part %s = value or part %s file photo.jpg",
					    name, name, name);
			is_file = true;
		}
		tw_pair *pr = add_pair(p, &req->parts, &p->part_cap);
		if (!pr)
			return TW_ENOMEM;
		pr->loc = loc_at(p, col);
		pr->name = name;
		pr->is_file = is_file;
		int vcol;
		if ((rc = text_arg(p, &pr->value, &vcol)))
			return rc;
		if (!pr->value) {
			if (is_file)
				return perr(p, vcol, "expected the file's path after 'file'");
			pr->value = "";
		}
		return TW_OK;
	}
	if (strcmp(w, "json") == 0) {
		if ((rc = set_body(p, kw, req, TW_BODY_JSON)))
			return rc;
		tw_token tok;
		if ((rc = tw_lex_rest(&p->lx, &tok, false)))
			return rc;
		if (tok.kind == TW_TOK_END)
			return perr(p, tok.col, "expected JSON text after 'json', like json "
						"{\"size\": \"Large\"}");
		if (!strstr(tok.text, "{{")) {
			json_error_t je;
			json_t *j = json_loads(tok.text, JSON_DECODE_ANY, &je);
			if (!j)
				return perr(p, tok.col + (int)json_error_offset(&je),
					    "invalid JSON: %s", je.text);
			json_decref(j);
		}
		req->body = tok.text;
		return TW_OK;
	}
	if (strcmp(w, "body") == 0) {
		if ((rc = set_body(p, kw, req, TW_BODY_RAW)))
			return rc;
		int vcol;
		if ((rc = text_arg(p, &req->body, &vcol)))
			return rc;
		if (!req->body)
			return perr(p, vcol,
				    "expected the body after 'body' (write \"\" for an empty body)");
		return TW_OK;
	}
	/* timeout */
	if (p->timeout_line)
		return already(p, kw->col, "timeout", p->timeout_line);
	double ms;
	if ((rc = duration_arg(p, "timeout", &ms, &col)))
		return rc;
	long v = lround(ms);
	if (v <= 0)
		return perr(p, col, "a timeout must be at least 1ms");
	req->timeout_ms = v;
	p->timeout_line = p->lineno;
	return expect_end(p, "the duration");
}

/* ---- call modifiers ---- */

/* method GET|POST, signed with TOKEN: how the call's webhooks are asked. */
static int parse_call_modifier(parser *p, const tw_token *kw)
{
	const char *w = kw->text;
	if (!p->in_call)
		return perr(p, kw->col,
			    "'%s' must follow a 'call' step (it changes how the call's webhooks "
			    "are requested)",
			    w);
	tw_call_spec *call = &cur_scene(p)->steps[p->call_step].call;
	tw_token tok;
	int rc;
	if (strcmp(w, "method") == 0) {
		if (p->method_line)
			return already(p, kw->col, "method", p->method_line);
		if ((rc = next(p, &tok)))
			return rc;
		/* What carriers offer for a voice URL. */
		if (tok.kind == TW_TOK_WORD && strcasecmp(tok.text, "GET") == 0)
			call->method = "GET";
		else if (tok.kind == TW_TOK_WORD && strcasecmp(tok.text, "POST") == 0)
			call->method = "POST";
		else
			return perr(p, tok.col,
				    "expected GET or POST after 'method' (how the call's first "
				    "webhook is requested; POST when absent)");
		p->method_line = p->lineno;
		return expect_end(p, "the method");
	}
	/* signed with TOKEN */
	if (p->signed_line)
		return already(p, kw->col, "signed with", p->signed_line);
	if ((rc = next(p, &tok)))
		return rc;
	if (!is_word(&tok, "with"))
		return perr(p, tok.col,
			    "expected 'with' after 'signed', like signed with {{secret "
			    "TWILIO_TOKEN}}");
	int col;
	if ((rc = text_arg(p, &call->token, &col)))
		return rc;
	if (!call->token || !call->token[0])
		return perr(p, col,
			    "expected the auth token after 'signed with', like signed with "
			    "{{secret TWILIO_TOKEN}}");
	p->signed_line = p->lineno;
	return TW_OK;
}

/* ---- responsiveness targets ---- */

/* The keyword of a step that takes no apdex, for the message. */
static const char *step_keyword(const tw_step *st)
{
	return tw_step_facts_of(st->kind)->written;
}

#define APDEX_STEPS                                                                        \
	"visit, click, submit, get, post, put, patch, delete, head, options, call, press, " \
	"say, silence"

/* apdex DURATION: the Apdex target T (satisfied <= T, tolerating <= 4T) for
 * the rehearsal (in the header), a scene (before its first step) or the
 * step right above. */
static int parse_apdex(parser *p, const tw_token *kw)
{
	long *target;
	int *seen;
	if (p->sec == SEC_HEADER) {
		target = &p->s->apdex_ms;
		seen = &p->apdex_line;
	} else if (p->sec == SEC_CAST) {
		return perr(p, kw->col,
			    "'apdex' does not belong in the cast: expected it in the header, "
			    "before a scene's first step, or under a step");
	} else if (cur_scene(p)->step_count == 0) {
		target = &cur_scene(p)->apdex_ms;
		seen = &p->scene_apdex_line;
	} else {
		tw_step *st = &cur_scene(p)->steps[cur_scene(p)->step_count - 1];
		if (!tw_step_is_timed(st->kind))
			return perr(p, kw->col,
				    "'apdex' cannot follow '%s' (line %d): it goes right under a step "
				    "that makes a request or waits for the service (" APDEX_STEPS
				    "), or before the scene's first step",
				    step_keyword(st), st->loc.line);
		target = &st->apdex_ms;
		seen = &p->step_apdex_line;
	}
	if (*seen)
		return already(p, kw->col, "apdex", *seen);

	/* A sign is no part of a duration: say what is wrong with it. */
	tw_token tok;
	int rc = peek(p, &tok);
	if (rc)
		return rc;
	double ms;
	if (tok.kind == TW_TOK_WORD && tok.text[0] == '-' &&
	    parse_duration(tok.text + 1, &ms) != DUR_NOT)
		return perr(p, tok.col, "an apdex target must be at least 1ms, found '%s'",
			    shown(p, &tok));
	int col;
	if ((rc = duration_arg(p, "apdex", &ms, &col)))
		return rc;
	long v = lround(ms);
	if (v <= 0)
		return perr(p, col, "an apdex target must be at least 1ms, found '%s'",
			    shown(p, &tok));
	*target = v;
	*seen = p->lineno;
	return expect_end(p, "the duration");
}

/* ---- statements ---- */

static int misplaced_step(parser *p, const tw_token *kw)
{
	return perr(p, kw->col, "'%s' must be inside a scene or backstage block", kw->text);
}

static int parse_line(parser *p)
{
	tw_token kw;
	int rc = next(p, &kw);
	if (rc)
		return rc;
	if (kw.kind == TW_TOK_END)
		return TW_OK; /* blank or comment */
	if (kw.kind != TW_TOK_WORD)
		return perr(p, kw.col,
			    "expected a statement (a keyword like scene, visit or expect) at the "
			    "start of the line, found a string");
	const char *w = kw.text;
	if (in_list(w, block_words, COUNT(block_words)))
		return parse_block(p, &kw);

	if (p->sec == SEC_CAST) {
		tw_token nt;
		if ((rc = peek(p, &nt)))
			return rc;
		bool assign = strchr(w, '=') != NULL ||
			      (nt.kind == TW_TOK_WORD && nt.text[0] == '=');
		if (!assign && in_list(w, header_words, COUNT(header_words)))
			return parse_header_statement(p, &kw);
		if (!assign && in_list(w, apdex_words, COUNT(apdex_words)))
			return parse_apdex(p, &kw);
		if (!assign && in_list(w, step_words, COUNT(step_words)))
			return misplaced_step(p, &kw);
		if (!assign && in_list(w, modifier_words, COUNT(modifier_words)))
			return parse_modifier(p, &kw);
		if (!assign && in_list(w, call_modifier_words, COUNT(call_modifier_words)))
			return parse_call_modifier(p, &kw);
		if (!assign && nt.kind != TW_TOK_END) {
			const char *hint = keyword_hint(p, w);
			if (hint[0])
				return perr(p, kw.col, "unknown statement '%s'%s", shown(p, &kw), hint);
		}
		return parse_cast_entry(p, &kw);
	}

	if (in_list(w, header_words, COUNT(header_words)))
		return parse_header_statement(p, &kw);
	if (in_list(w, apdex_words, COUNT(apdex_words)))
		return parse_apdex(p, &kw);
	if (in_list(w, step_words, COUNT(step_words))) {
		if (p->sec != SEC_SCENE)
			return misplaced_step(p, &kw);
		return parse_step(p, &kw);
	}
	if (in_list(w, modifier_words, COUNT(modifier_words)))
		return parse_modifier(p, &kw);
	if (in_list(w, call_modifier_words, COUNT(call_modifier_words)))
		return parse_call_modifier(p, &kw);

	const char *hint = keyword_hint(p, w);
	if (p->sec == SEC_SCENE) {
		if (hint[0])
			return perr(p, kw.col, "unknown step '%s'%s", shown(p, &kw), hint);
		return perr(p, kw.col,
			    "unknown step '%s': expected a step (visit, click, fill, choose, tick, "
			    "untick, submit, pause, expect, get, post, ..., or on the phone call, "
			    "hear, press, say, silence, hang up)",
			    shown(p, &kw));
	}
	if (hint[0])
		return perr(p, kw.col, "unknown statement '%s'%s", shown(p, &kw), hint);
	tw_token nt;
	if ((rc = peek(p, &nt)))
		return rc;
	if (nt.kind == TW_TOK_WORD && nt.text[0] == '=')
		return perr(p, kw.col,
			    "unknown statement '%s': a name = value line belongs in the 'cast' "
			    "block",
			    shown(p, &kw));
	return perr(p, kw.col,
		    "unknown statement '%s': expected rehearsal, outcome, budget, require, minor, "
		    "apdex, tags, cast, scene or backstage",
		    shown(p, &kw));
}

/* The file's base name without its extension. */
static char *default_name(tw_arena *a, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	if (n == 0)
		return tw_arena_strdup(a, "rehearsal");
	return tw_arena_strndup(a, base, n);
}

int tw_parse(tw_script **out, const char *path, const char *text, size_t len,
	     tw_error *err)
{
	*out = NULL;
	if (!path)
		path = "<script>";
	tw_script *s = calloc(1, sizeof(*s));
	if (!s)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	int rc = TW_OK;
	parser p;
	memset(&p, 0, sizeof(p));
	s->path = tw_arena_strdup(&s->arena, path);
	s->text = len <= TW_SCRIPT_MAX_BYTES ? tw_arena_strndup(&s->arena, text ? text : "", len)
					     : NULL;
	if (!s->path || (len <= TW_SCRIPT_MAX_BYTES && !s->text)) {
		rc = tw_error_set(err, TW_ENOMEM, "out of memory");
		goto fail;
	}
	rc = tw_lex_lines(&s->arena, s->path, text ? text : "", len, &s->lines, &s->line_count,
			  err);
	if (rc)
		goto fail;

	p.s = s;
	p.arena = &s->arena;
	p.path = s->path;
	p.err = err;
	p.sec = SEC_HEADER;
	for (size_t i = 0; i < s->line_count; i++) {
		p.lineno = (int)i + 1;
		p.line = s->lines[i];
		tw_lex_init(&p.lx, p.line, p.lineno, s->path, p.arena, err);
		if ((rc = parse_line(&p)))
			goto fail;
	}
	tw_strmap_free(&p.cast_names);
	if (!s->name) {
		s->name = default_name(&s->arena, s->path);
		s->name_loc.file = s->path;
		if (!s->name) {
			rc = tw_error_set(err, TW_ENOMEM, "out of memory");
			goto fail;
		}
	}
	*out = s;
	return TW_OK;
fail:
	tw_strmap_free(&p.cast_names);
	if (err && err->code == TW_OK)
		tw_error_set(err, rc ? rc : TW_ENOMEM, "out of memory");
	tw_arena_free(&s->arena);
	free(s);
	return rc ? rc : TW_ENOMEM;
}
