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
 * Expectations (parse_expect.c), phone steps (parse_phone.c) and modifier
 * lines (parse_modifier.c) are read in their own files, which share the
 * parser's state and helpers through parser_internal.h.
 *
 * Error messages follow one shape: what was wrong, then what was expected,
 * at the column of the token that is wrong (or where the missing one
 * should be).
 */
#include "language/parser.h"
#include "language/parser_internal.h"

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
#include "techweek/run.h"
#include "language/lexer.h"

/* The keywords that start a step, from steps.def. */
#define TW_STEP_UNPAREN(...) __VA_ARGS__
static const char *const step_words[] = {
#define TW_STEP_KIND(name, words_, ...) TW_STEP_UNPAREN words_,
#include "language/steps.def"
#undef TW_STEP_KIND
};
static const char *const modifier_words[] = {
	"header", "query", "form", "part", "json", "body", "timeout", "auth",
	/* issue 12, redirects and polling */
	"follow", "retry",
	/* transport (issue 12, capability 11) */
	"http", "insecure", "cert", "decompress",
};
static const char *const call_modifier_words[] = {"method", "signed"};
static const char *const block_words[] = {"cast", "scene", "backstage"};
static const char *const header_words[] = {"rehearsal", "outcome", "budget", "tags",
					    "tag",       "require", "minor"};
/* `apdex` goes in the header, a scene or under a step: dispatched apart. */
static const char *const apdex_words[] = {"apdex"};
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

int tw_parse_err(parser *p, int col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char buf[512];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return tw_error_set_at(p->err, TW_ESYNTAX, p->path, p->lineno, col, p->line, "%s", buf);
}

int tw_parse_oom(parser *p)
{
	return tw_error_set(p->err, TW_ENOMEM, "out of memory");
}

/* A token as written, cut short for messages. */
const char *tw_parse_shown(parser *p, const tw_token *tok)
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

int tw_parse_next(parser *p, tw_token *tok)
{
	return tw_lex_next(&p->lx, tok);
}

int tw_parse_peek(parser *p, tw_token *tok)
{
	return tw_lex_peek(&p->lx, tok);
}

bool tw_parse_is_word(const tw_token *tok, const char *w)
{
	return tok->kind == TW_TOK_WORD && strcmp(tok->text, w) == 0;
}

/* Nothing but a comment may follow. */
int tw_parse_end(parser *p, const char *after)
{
	tw_token tok;
	int rc = tw_parse_next(p, &tok);
	if (rc)
		return rc;
	if (tok.kind != TW_TOK_END)
		return tw_parse_err(p, tok.col,
				    "unexpected '%s' after %s: expected the end of the line",
				    tw_parse_shown(p, &tok), after);
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

bool tw_parse_valid_var_name(const char *s, size_t n)
{
	if (n == 0 || !name_start(s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!name_char(s[i]))
			return false;
	return true;
}

bool tw_parse_valid_token(const char *s, size_t n)
{
	return tw_http_token(s, n);
}

bool tw_parse_valid_templated_token(const char *s)
{
	bool valid = true;
	for (const char *q = s; *q && valid;) {
		const char *open = strstr(q, "{{"), *close = open ? strstr(open, "}}") : NULL;
		size_t n = close ? (size_t)(open - q) : strlen(q);
		valid = n == 0 || tw_parse_valid_token(q, n);
		q = close ? close + 2 : q + n;
	}
	return valid && s[0];
}

/* -?digits[.digits] */
bool tw_parse_number(const char *s, double *out)
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

#define DURATION_MAX_MS 86400000.0 /* 24 hours */

/* digits[.digits](ms|s|m), in milliseconds. */
dur_result tw_parse_duration(const char *s, double *ms)
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
int tw_parse_duration_arg(parser *p, const char *after, double *ms, int *col)
{
	tw_token tok;
	int rc = tw_parse_next(p, &tok);
	if (rc)
		return rc;
	*col = tok.col;
	if (tok.kind != TW_TOK_WORD)
		return tw_parse_err(p, tok.col,
				    "expected a duration after '%s', like 500ms, 2s or 1.5m",
				    after);
	switch (tw_parse_duration(tok.text, ms)) {
	case DUR_OK: return TW_OK;
	case DUR_TOO_LONG:
		return tw_parse_err(p, tok.col, "duration '%s' is too long: at most 24 hours",
				    tw_parse_shown(p, &tok));
	default:
		return tw_parse_err(
			p, tok.col,
			"expected a duration after '%s', like 500ms, 2s or 1.5m (found '%s')",
			after, tw_parse_shown(p, &tok));
	}
}

/* ---- AST growth ---- */

tw_loc tw_parse_loc(parser *p, int col)
{
	tw_loc l = {p->s->path, p->lineno, col};
	return l;
}

tw_scene *tw_parse_scene(parser *p)
{
	return &p->s->scenes[p->s->scene_count - 1];
}

static int grow(parser *p, void **items, size_t count, size_t *cap, size_t size)
{
	if (tw_arena_grow_array(p->arena, items, count, cap, count + 1, size))
		return tw_parse_oom(p);
	return TW_OK;
}

tw_pair *tw_parse_add_pair(parser *p, tw_pairs *pairs, size_t *cap)
{
	void *items = pairs->items;
	if (grow(p, &items, pairs->count, cap, sizeof(tw_pair)))
		return NULL;
	pairs->items = items;
	return &pairs->items[pairs->count++];
}

static tw_step *add_step(parser *p, tw_step_kind kind, const tw_token *kw)
{
	tw_scene *sc = tw_parse_scene(p);
	void *items = sc->steps;
	if (grow(p, &items, sc->step_count, &p->step_cap, sizeof(tw_step)))
		return NULL;
	sc->steps = items;
	tw_step *st = &sc->steps[sc->step_count++];
	st->kind = kind;
	st->loc = tw_parse_loc(p, kw->col);
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

int tw_parse_already(parser *p, int col, const char *what, int first_line)
{
	return tw_parse_err(p, col, "duplicate '%s' (first on line %d): expected it at most once",
			    what, first_line);
}

/* rehearsal "..." / outcome "..." */
static int parse_quoted_header(parser *p, const tw_token *kw, char **out, tw_loc *loc)
{
	tw_token tok;
	int rc = tw_parse_next(p, &tok);
	if (rc)
		return rc;
	if (tok.kind != TW_TOK_STRING)
		return tw_parse_err(p, tok.col, "expected the %s in double quotes, like %s \"%s\"",
				    strcmp(kw->text, "rehearsal") == 0 ? "rehearsal's name"
								       : "outcome",
				    kw->text,
				    strcmp(kw->text, "rehearsal") == 0 ? "Order a pizza"
								       : "Ada gets her pizza");
	if (tok.text[0] == '\0')
		return tw_parse_err(p, tok.col,
				    "the %s is empty: expected some text between the quotes",
				    strcmp(kw->text, "rehearsal") == 0 ? "rehearsal's name"
								       : "outcome");
	*out = tok.text;
	if (loc)
		*loc = tw_parse_loc(p, tok.col);
	return tw_parse_end(p, strcmp(kw->text, "rehearsal") == 0 ? "the rehearsal's name"
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
		return tw_parse_err(p, rest.col,
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
			return tw_parse_err(
				p, item_col,
				items == 0
					? "expected a duration (like 90s) or a number of steps (like 10 steps)"
					: "expected a duration (like 90s) or a number of steps (like 10 steps) after ','");
		char *word = tw_arena_strndup(p->arena, s + w1, w1_end - w1);
		if (!word)
			return tw_parse_oom(p);
		double ms;
		dur_result dr = tw_parse_duration(word, &ms);
		if (dr == DUR_TOO_LONG)
			return tw_parse_err(p, item_col,
					    "budget '%s' is too long: at most 24 hours", word);
		if (dr == DUR_OK) {
			if (dur_col)
				return tw_parse_err(
					p, item_col,
					"the budget has two durations (the first at column %d): "
					"expected one duration and at most one number of steps",
					dur_col);
			long v = lround(ms);
			if (v <= 0)
				return tw_parse_err(
					p, item_col,
					"a budget of '%s' is no budget: expected at least 1ms",
					word);
			p->s->budget_ms = v;
			dur_col = item_col;
		} else {
			bool digits = true;
			for (const char *q = word; *q; q++)
				if (!isdigit((unsigned char)*q))
					digits = false;
			if (!digits)
				return tw_parse_err(
					p, item_col,
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
				return tw_parse_err(
					p, rest.col + (int)w2,
					"expected 'steps' after the number %s (like 10 steps); a "
					"duration needs a unit: ms, s or m",
					word);
			if (steps_col)
				return tw_parse_err(
					p, item_col,
					"the budget has two numbers of steps (the first at column "
					"%d): expected at most one",
					steps_col);
			long v = strtol(word, NULL, 10);
			if (v <= 0 || v > 1000000)
				return tw_parse_err(
					p, item_col,
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
			return tw_parse_err(
				p, rest.col + (int)i,
				"expected ',' between the parts of the budget, like 90s, 10 steps");
		i++;
		if (items == 2) {
			while (i < n && tw_lex_is_blank(s[i]))
				i++;
			return tw_parse_err(
				p, rest.col + (int)i,
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

static int add_tag(parser *p, const char *text, size_t len, int col, void *ctx)
{
	(void)ctx;
	for (size_t i = 0; i < len; i++) {
		if (tag_char(text[i]))
			continue;
		if ((unsigned char)text[i] < 0x80)
			return tw_parse_err(p, col + (int)i,
					    "'%c' cannot be part of a tag: tags use letters, digits, "
					    "'_', '.' and '-'",
					    text[i]);
		return tw_parse_err(p, col + (int)i,
				    "tags use ASCII letters, digits, '_', '.' and '-'");
	}
	for (size_t t = 0; t < p->s->tag_count; t++)
		if (strlen(p->s->tags[t]) == len && memcmp(p->s->tags[t], text, len) == 0)
			return TW_OK;
	char *tag = tw_arena_strndup(p->arena, text, len);
	if (!tag)
		return tw_parse_oom(p);
	void *items = p->s->tags;
	if (grow(p, &items, p->s->tag_count, &p->tag_cap, sizeof(char *)))
		return TW_ENOMEM;
	p->s->tags = items;
	p->s->tags[p->s->tag_count++] = tag;
	return TW_OK;
}

/* tags smoke, checkout p1 */
static int parse_tags(parser *p, const tw_token *kw)
{
	tw_token rest;
	int rc = tw_lex_rest(&p->lx, &rest, false);
	if (rc)
		return rc;
	if (rest.kind == TW_TOK_END)
		return tw_parse_err(p, rest.col,
				    "expected at least one tag after '%s', like %s smoke, checkout",
				    kw->text, kw->text);
	return tw_parse_list(p, &rest, "tag", NULL, add_tag, NULL);
}

int tw_parse_list(parser *p, const tw_token *rest, const char *what, const char *between,
		  int (*item)(parser *p, const char *text, size_t len, int col, void *ctx),
		  void *ctx)
{
	const char *s = rest->text;
	size_t n = strlen(s), i = 0;
	bool need = true; /* at the start and after a comma */
	while (i < n) {
		if (tw_lex_is_blank(s[i])) {
			i++;
			continue;
		}
		if (s[i] == ',') {
			if (need)
				return tw_parse_err(p, rest->col + (int)i, "expected a %s before ','",
						    what);
			need = true;
			i++;
			continue;
		}
		if (!need && between)
			return tw_parse_err(p, rest->col + (int)i, "%s", between);
		size_t start = i;
		while (i < n && s[i] != ',' && !tw_lex_is_blank(s[i]))
			i++;
		int rc = item(p, s + start, i - start, rest->col + (int)start, ctx);
		if (rc)
			return rc;
		need = false;
	}
	if (need)
		return tw_parse_err(p, rest->col + (int)n, "expected a %s after ','", what);
	return TW_OK;
}

int tw_parse_file_name(parser *p, const tw_token *tok, const char *what, const char *after,
		       const char *example, const char *why_no_template)
{
	if (tok->kind != TW_TOK_STRING)
		return tw_parse_err(p, tok->col, "expected %s in double quotes after '%s', like %s",
				    what, after, example);
	if (!tok->text[0])
		return tw_parse_err(p, tok->col,
				    "%s's name is empty: expected a path between the quotes", what);
	if (strstr(tok->text, "{{"))
		return tw_parse_err(p, tok->col, "%s's name is written out, without {{...}}: %s",
				    what, why_no_template);
	return TW_OK;
}

/* require 99.5%: the outcome rate this journey must reach, a percentage
 * above 0 and at most 100. */
static int parse_require(parser *p)
{
	tw_token tok;
	int rc = tw_parse_next(p, &tok);
	if (rc)
		return rc;
	if (tok.kind == TW_TOK_END)
		return tw_parse_err(
			p, tok.col,
			"expected the outcome rate this journey must reach after 'require', "
			"like require 99.5%%");
	double v;
	char *end;
	if (tok.kind != TW_TOK_WORD || !tw_decimal(tok.text, &v, &end) || strcmp(end, "%") != 0)
		return tw_parse_err(
			p, tok.col,
			"expected a percentage after 'require', like 99.5%%, found '%s'",
			tw_parse_shown(p, &tok));
	if (!(v > 0 && v <= 100))
		return tw_parse_err(
			p, tok.col,
			"a required outcome rate is above 0%% and at most 100%%, found '%s'",
			tok.text);
	p->s->require = v / 100;
	return tw_parse_end(p, "the required outcome rate");
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
		return tw_parse_err(
			p, kw->col,
			"'%s' belongs in the header: expected it before the first block "
			"(cast, scene or backstage)",
			w);
	if (*seen)
		return tw_parse_already(p, kw->col, strcmp(w, "tag") == 0 ? "tags" : w, *seen);
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
		return tw_parse_end(p, "'minor'");
	}
	return parse_tags(p, kw);
}

/* ---- NAME = VALUE ---- */

/* Reads a pair's name: a STRING, or a WORD up to sep (which may be glued
 * to it, `name=Ada`, or come after blanks). With *found_sep the separator
 * was consumed; otherwise the lexer stands right after the name. */
int tw_parse_pair_name(parser *p, char sep, const char *what, char **name, int *col,
		       bool *found_sep)
{
	tw_token tok;
	int rc = tw_parse_next(p, &tok);
	if (rc)
		return rc;
	*found_sep = false;
	*col = tok.col;
	if (tok.kind == TW_TOK_END)
		return tw_parse_err(p, tok.col, "expected the %s name", what);
	if (tok.kind == TW_TOK_STRING) {
		*name = tok.text;
	} else {
		const char *at = memchr(tok.text, sep, tok.raw_len);
		if (at) {
			size_t n = (size_t)(at - tok.text);
			if (n == 0)
				return tw_parse_err(p, tok.col, "expected the %s name before '%c'",
						    what, sep);
			*name = tw_arena_strndup(p->arena, tok.text, n);
			if (!*name)
				return tw_parse_oom(p);
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
int tw_parse_pair_value(parser *p, char **value)
{
	tw_token tok;
	int rc = tw_lex_rest(&p->lx, &tok, true);
	if (rc)
		return rc;
	*value = tok.text;
	return TW_OK;
}

int tw_parse_missing_sep(parser *p, char sep, const char *what, const char *name)
{
	tw_token tok;
	int rc = tw_parse_peek(p, &tok);
	if (rc)
		return rc;
	return tw_parse_err(p, tok.col, "expected '%c' after the %s name '%s'%s", sep, what, name,
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
	int rc = tw_parse_pair_name(p, '=', "cast", &name, &col, &sep);
	if (rc)
		return rc;
	if (!tw_parse_valid_var_name(name, strlen(name)) || first->kind != TW_TOK_WORD)
		return tw_parse_err(
			p, col,
			"invalid cast name '%s': expected a name that starts with a letter or "
			"'_' and uses letters, digits, '_', '.' and '-'",
			first->kind == TW_TOK_WORD ? name : tw_parse_shown(p, first));
	bool found;
	size_t earlier;
	if (tw_strmap_put(&p->cast_names, name, cast->count, &found, &earlier))
		return tw_parse_oom(p);
	if (found)
		return tw_parse_err(p, col, "duplicate cast name '%s' (first on line %d)", name,
				    cast->items[earlier].loc.line);
	char *value = NULL;
	if (sep) {
		if ((rc = tw_parse_pair_value(p, &value)))
			return rc;
	} else {
		tw_token tok;
		if ((rc = tw_parse_next(p, &tok)))
			return rc;
		if (tok.kind != TW_TOK_END)
			return tw_parse_err(
				p, tok.col,
				"expected '=' after the cast name '%s', like %s = value (or the "
				"name alone, given at run time with --var)",
				name, name);
	}
	tw_pair *pr = tw_parse_add_pair(p, cast, &p->cast_cap);
	if (!pr)
		return TW_ENOMEM;
	pr->loc = tw_parse_loc(p, col);
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
			return tw_parse_err(
				p, kw->col,
				"duplicate 'cast' block (first on line %d): expected one cast "
				"block that lists every name",
				p->cast_line);
		if (p->s->scene_count)
			return tw_parse_err(p, kw->col,
					    "the cast must come before the first scene (line %d)",
					    p->s->scenes[0].loc.line);
		p->cast_line = p->lineno;
		p->sec = SEC_CAST;
		/* issue 13, DATA: `cast from "FILE" ...` (parse_data.c) */
		tw_token from;
		if ((rc = tw_parse_peek(p, &from)))
			return rc;
		if (from.kind == TW_TOK_WORD && tw_parse_is_word(&from, "from"))
			return tw_parse_cast_from(p);
		return tw_parse_end(p, "'cast' (the cast entries go on the lines below it)");
	}
	bool backstage = strcmp(kw->text, "backstage") == 0;
	tw_token tok;
	if ((rc = tw_parse_next(p, &tok)))
		return rc;
	if (tok.kind != TW_TOK_STRING)
		return tw_parse_err(p, tok.col,
				    "expected the %s name in double quotes, like %s \"%s\"",
				    kw->text, kw->text,
				    backstage ? "The kitchen has it" : "Find the menu");
	if (tok.text[0] == '\0')
		return tw_parse_err(p, tok.col,
				    "the %s name is empty: expected some text between the quotes",
				    kw->text);
	char *name = tok.text;
	int name_col = tok.col;
	tw_script *s = p->s;
	void *items = s->scenes;
	if ((rc = grow(p, &items, s->scene_count, &p->scene_cap, sizeof(tw_scene))))
		return rc;
	s->scenes = items;
	tw_scene *sc = &s->scenes[s->scene_count++];
	sc->loc = tw_parse_loc(p, kw->col);
	sc->name = name;
	sc->name_loc = tw_parse_loc(p, name_col);
	sc->channel = TW_CHANNEL_WEB;
	sc->backstage = backstage;
	/* The options after the name, in any order, each once: `on CHANNEL`
	 * here; issue 13, FLOW: `repeat N` and `when ...` in parse_flow.c. */
	const char *after = backstage ? "the backstage name" : "the scene name";
	for (;;) {
		if ((rc = tw_parse_next(p, &tok)))
			return rc;
		if (tok.kind == TW_TOK_END)
			break;
		bool taken = false;
		if ((rc = tw_parse_flow_option(p, &tok, sc, &after, &taken)))
			return rc;
		if (taken)
			continue;
		if (!tw_parse_is_word(&tok, "on"))
			return tw_parse_err(
				p, tok.col,
				"unexpected '%s' after %s: expected 'on' and a channel "
				"(web or ivr), 'repeat N', 'when {{name}}' or the end of the line",
				tw_parse_shown(p, &tok), after);
		if (sc->channel_loc.col)
			return tw_parse_err(p, tok.col, "the channel is already given (column %d)",
					    sc->channel_loc.col);
		if ((rc = tw_parse_next(p, &tok)))
			return rc;
		if (tok.kind == TW_TOK_END)
			return tw_parse_err(p, tok.col,
					    "expected a channel after 'on': web or ivr");
		if (tw_parse_is_word(&tok, "web"))
			sc->channel = TW_CHANNEL_WEB;
		else if (tw_parse_is_word(&tok, "ivr"))
			sc->channel = TW_CHANNEL_IVR;
		else
			return tw_parse_err(p, tok.col,
					    "unknown channel '%s' (expected web or ivr)",
					    tw_parse_shown(p, &tok));
		sc->channel_loc = tw_parse_loc(p, tok.col);
		after = "the channel";
	}
	p->step_cap = 0;
	p->scene_apdex_line = 0;
	p->sec = SEC_SCENE;
	return TW_OK;
}

/* ---- steps ---- */

/* A text argument: the rest of the line, or one STRING's content. */
int tw_parse_text_arg(parser *p, char **out, int *col)
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
	int rc;
	const char *method = kw->text;
	if (strcmp(kw->text, "request") == 0) {
		/* Any method a server may take: an RFC 9110 token. */
		tw_token m;
		if ((rc = tw_parse_next(p, &m)))
			return rc;
		if (m.kind != TW_TOK_WORD || !tw_parse_valid_token(m.text, strlen(m.text)))
			return tw_parse_err(p, m.col,
					    "expected a method after 'request' (letters, digits "
					    "and !#$%%&'*+-.^_`|~), like request PURGE {{stage}}/");
		method = m.text;
	}
	rc = tw_parse_text_arg(p, &st->req.url, &col);
	if (rc)
		return rc;
	if (!st->req.url || !st->req.url[0])
		return method == kw->text
			       ? tw_parse_err(p, col, "expected a URL after '%s', like %s {{stage}}/",
					      kw->text, kw->text)
			       : tw_parse_err(p, col,
					      "expected a URL after the method, like request %s "
					      "{{stage}}/",
					      method);
	if (visit) {
		st->req.method = "GET";
	} else {
		char *m = tw_arena_strdup(p->arena, method);
		if (!m)
			return tw_parse_oom(p);
		for (char *q = m; *q; q++)
			*q = (char)toupper((unsigned char)*q);
		st->req.method = m;
	}
	p->in_request = true;
	p->req_step = tw_parse_scene(p)->step_count - 1;
	p->header_cap = p->query_cap = p->form_cap = p->part_cap = 0;
	p->body_line = 0;
	p->body_what = NULL;
	p->timeout_line = 0;
	p->auth_line = 0;
	p->follow_line = p->retry_line = 0;
	return TW_OK;
}

/* fill TARGET with VALUE */
static int parse_fill(parser *p, const tw_token *kw, tw_step *st)
{
	(void)kw;
	tw_token tok;
	int rc = tw_parse_next(p, &tok);
	if (rc)
		return rc;
	if (tok.kind == TW_TOK_END)
		return tw_parse_err(
			p, tok.col,
			"expected the field after 'fill' (its label, name or id), like fill "
			"\"Your name\" with Ada");
	if (tw_parse_is_word(&tok, "with")) {
		tw_token after;
		if ((rc = tw_parse_peek(p, &after)))
			return rc;
		if (!tw_parse_is_word(&after, "with"))
			return tw_parse_err(
				p, tok.col,
				"expected the field before 'with' (its label, name or id), like "
				"fill \"Your name\" with Ada");
	}
	st->target = tok.text;
	tw_token w;
	if ((rc = tw_parse_next(p, &w)))
		return rc;
	if (!tw_parse_is_word(&w, "with")) {
		/* A label with blanks written without quotes is the usual cause. */
		bool later = false;
		tw_lexer probe = p->lx;
		tw_token t;
		while (tw_lex_next(&probe, &t) == TW_OK && t.kind != TW_TOK_END)
			if (tw_parse_is_word(&t, "with"))
				later = true;
		tw_error_clear(p->err);
		if (later && tok.kind == TW_TOK_WORD)
			return tw_parse_err(
				p, w.col,
				"expected 'with' after the field (a field label with blanks "
				"goes in double quotes, like fill \"Your name\" with Ada)");
		return tw_parse_err(p, w.col,
				    "expected 'with' after the field, like fill %s with Ada",
				    tw_parse_shown(p, &tok));
	}
	int col;
	if ((rc = tw_parse_text_arg(p, &st->value, &col)))
		return rc;
	if (!st->value)
		return tw_parse_err(
			p, col,
			"expected the text to type after 'with' (write \"\" to empty the field)");
	return TW_OK;
}

/* choose OPTION [from|in TARGET] */
static int parse_choose(parser *p, const tw_token *keyword, tw_step *st)
{
	(void)keyword;
	tw_token tok;
	int rc = tw_parse_next(p, &tok);
	if (rc)
		return rc;
	if (tok.kind == TW_TOK_END)
		return tw_parse_err(
			p, tok.col,
			"expected the option after 'choose', like choose Large from size");
	st->value = tok.text;
	tw_token kw;
	if ((rc = tw_parse_next(p, &kw)))
		return rc;
	if (kw.kind == TW_TOK_END)
		return TW_OK;
	if (!tw_parse_is_word(&kw, "from") && !tw_parse_is_word(&kw, "in"))
		return tw_parse_err(
			p, kw.col,
			"expected 'from' and the list after the option, like choose Large from "
			"size (an option with blanks goes in double quotes)");
	int col;
	if ((rc = tw_parse_text_arg(p, &st->target, &col)))
		return rc;
	if (!st->target)
		return tw_parse_err(p, col, "expected the list after '%s' (its label, name or id)",
				    kw.text);
	return TW_OK;
}

/* ---- the steps: one function per row of steps.def ---- */

/* Header lines may follow a click or a submit, as they follow a request
 * (tw_parse_modifier refuses the others). */
static void take_headers(parser *p)
{
	p->in_request = true;
	p->req_step = tw_parse_scene(p)->step_count - 1;
	p->header_cap = 0;
}

/* click TEXT, click "TEXT" N (the Nth link so called, counted from 1 in
 * the page's order), click "TEXT" in "WORDS" (the one inside the row,
 * list item or section whose text has WORDS). Only a quoted text takes a
 * position or `in`: `click Page 2` stays the link "Page 2". */
static int parse_click(parser *p, const tw_token *kw, tw_step *st)
{
	(void)kw;
	tw_lexer probe = p->lx;
	tw_token t1, t2 = {0};
	bool more = tw_lex_next(&probe, &t1) == TW_OK && t1.kind == TW_TOK_STRING &&
		    tw_lex_next(&probe, &t2) == TW_OK && t2.kind != TW_TOK_END;
	tw_error_clear(p->err);
	int col, rc;
	if (!more) {
		rc = tw_parse_text_arg(p, &st->target, &col);
		if (!rc && !st->target)
			rc = tw_parse_err(
				p, col, "expected the link text after 'click', like click \"Margherita\"");
		if (!rc)
			take_headers(p);
		return rc;
	}
	tw_token text, tok;
	if ((rc = tw_parse_next(p, &text)) || (rc = tw_parse_next(p, &tok)))
		return rc;
	st->target = text.text;
	if (tw_parse_is_word(&tok, "in")) {
		if ((rc = tw_parse_text_arg(p, &st->within, &col)))
			return rc;
		if (!st->within || !st->within[0])
			return tw_parse_err(p, col,
					    "expected the words of the row, list item or section "
					    "after 'in', like click \"Details\" in \"Margherita\"");
		st->within_loc = tw_parse_loc(p, col);
	} else {
		double n;
		bool number = tok.kind == TW_TOK_WORD && tw_parse_number(tok.text, &n);
		if (number && (n < 1 || n != floor(n) || n > 1e6))
			return tw_parse_err(
				p, tok.col,
				"a link's position is a whole number from 1 (click \"%s\" 1 is the "
				"first link so called), found '%s'",
				text.text, tw_parse_shown(p, &tok));
		if (!number)
			return tw_parse_err(
				p, tok.col,
				"expected a position or 'in' after the link text, like click "
				"\"Details\" 2 (the second link so called) or click \"Details\" in "
				"\"Margherita\" (the one in that row), found '%s'",
				tw_parse_shown(p, &tok));
		st->nth = (long)n;
		if ((rc = tw_parse_end(p, "the link's position")))
			return rc;
	}
	take_headers(p);
	return TW_OK;
}

/* tick and untick */
static int parse_tick(parser *p, const tw_token *kw, tw_step *st)
{
	int col, rc = tw_parse_text_arg(p, &st->target, &col);
	if (!rc && !st->target)
		rc = tw_parse_err(
			p, col,
			"expected the checkbox or radio button after '%s' (its label, name or id)",
			kw->text);
	return rc;
}

static int parse_submit(parser *p, const tw_token *kw, tw_step *st)
{
	(void)kw;
	int col, rc = tw_parse_text_arg(p, &st->target, &col);
	if (!rc)
		take_headers(p);
	return rc;
}

/* deselect OPTION from LIST: a multi-select's option un-chosen */
static int parse_deselect(parser *p, const tw_token *kw, tw_step *st)
{
	(void)kw;
	tw_token tok, from;
	int col, rc = tw_parse_next(p, &tok);
	if (rc)
		return rc;
	if (tok.kind == TW_TOK_END)
		return tw_parse_err(p, tok.col,
				    "expected the option after 'deselect', like deselect Ham from "
				    "Toppings");
	st->value = tok.text;
	if ((rc = tw_parse_next(p, &from)))
		return rc;
	if (!tw_parse_is_word(&from, "from"))
		return tw_parse_err(p, from.col,
				    "expected 'from' and the list after the option, like deselect "
				    "Ham from Toppings (an option with blanks goes in double quotes)");
	if ((rc = tw_parse_text_arg(p, &st->target, &col)))
		return rc;
	if (!st->target)
		return tw_parse_err(p, col, "expected the list after 'from' (its label, name or id)");
	return TW_OK;
}

/* attach FILE to FIELD: a file input given a file (relative to the
 * rehearsal) */
static int parse_attach(parser *p, const tw_token *kw, tw_step *st)
{
	(void)kw;
	tw_token tok, to;
	int col, rc = tw_parse_next(p, &tok);
	if (rc)
		return rc;
	if (tok.kind == TW_TOK_END || !tok.text[0])
		return tw_parse_err(p, tok.col,
				    "expected the file after 'attach' (its path, relative to the "
				    "rehearsal), like attach photo.jpg to \"Photo\"");
	st->value = tok.text;
	st->value_loc = tw_parse_loc(p, tok.col);
	if ((rc = tw_parse_next(p, &to)))
		return rc;
	if (!tw_parse_is_word(&to, "to"))
		return tw_parse_err(p, to.col,
				    "expected 'to' and the file field after the file, like attach "
				    "photo.jpg to \"Photo\" (a path with blanks goes in double "
				    "quotes)");
	if ((rc = tw_parse_text_arg(p, &st->target, &col)))
		return rc;
	if (!st->target)
		return tw_parse_err(p, col,
				    "expected the file field after 'to' (its label, name or id)");
	return TW_OK;
}

static int parse_pause(parser *p, const tw_token *kw, tw_step *st)
{
	(void)kw;
	double ms;
	int col, rc = tw_parse_duration_arg(p, "pause", &ms, &col);
	if (rc)
		return rc;
	st->ms = lround(ms);
	return tw_parse_end(p, "the duration");
}

static int parse_hear(parser *p, const tw_token *kw, tw_step *st)
{
	/* issue 14, MATCH: `maybe hear ...` */
	if (tw_parse_is_word(kw, "maybe")) {
		tw_token t;
		int rc = tw_parse_next(p, &t);
		if (rc)
			return rc;
		if (!tw_parse_is_word(&t, "hear"))
			return tw_parse_err(p, t.col,
					    "expected 'hear' after 'maybe': the step is maybe hear "
					    "\"words\", which passes whether or not they are heard");
		st->expect.maybe = true;
	}
	st->expect.subject = TW_SUBJ_PROMPT;
	return tw_parse_expectation_rest(p, &st->expect, "hear");
}

static int parse_silence(parser *p, const tw_token *kw, tw_step *st)
{
	(void)kw;
	(void)st;
	return tw_parse_end(p, "'silence'");
}

static int parse_hangup(parser *p, const tw_token *kw, tw_step *st)
{
	(void)kw;
	(void)st;
	tw_token t;
	int rc = tw_parse_next(p, &t);
	if (rc)
		return rc;
	if (!tw_parse_is_word(&t, "up"))
		return tw_parse_err(p, t.col, "expected 'up' after 'hang': the step is 'hang up'");
	return tw_parse_end(p, "'hang up'");
}

/* The function that parses each step kind after its keyword: steps.def's
 * PARSE column. */
static int (*const step_parsers[])(parser *p, const tw_token *kw, tw_step *st) = {
#define TW_STEP_KIND(name, words_, json_, written_, channel_, apdex_, action_, parse_, check_, \
		     perform_)                                                                 \
	[TW_STEP_##name] = parse_,
#include "language/steps.def"
#undef TW_STEP_KIND
};

static int parse_step(parser *p, const tw_token *kw)
{
	p->in_request = false;
	p->in_call = false;
	p->step_apdex_line = 0;
	tw_step_kind kind = TW_STEP_EXPECT; /* every word of step_words has a kind */
	tw_step_kind_of_word(kw->text, &kind);

	tw_step *st = add_step(p, kind, kw);
	if (!st)
		return TW_ENOMEM;
	int rc = step_parsers[kind](p, kw, st);
	if (rc)
		return rc;
	st->source = statement_text(p, kw->col);
	return st->source ? TW_OK : tw_parse_oom(p);
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
		return tw_parse_err(
			p, kw->col,
			"'apdex' does not belong in the cast: expected it in the header, "
			"before a scene's first step, or under a step");
	} else if (tw_parse_scene(p)->step_count == 0) {
		target = &tw_parse_scene(p)->apdex_ms;
		seen = &p->scene_apdex_line;
	} else {
		tw_step *st = &tw_parse_scene(p)->steps[tw_parse_scene(p)->step_count - 1];
		if (!tw_step_is_timed(st->kind))
			return tw_parse_err(
				p, kw->col,
				"'apdex' cannot follow '%s' (line %d): it goes right under a step "
				"that makes a request or waits for the service (" APDEX_STEPS
				"), or before the scene's first step",
				step_keyword(st), st->loc.line);
		target = &st->apdex_ms;
		seen = &p->step_apdex_line;
	}
	if (*seen)
		return tw_parse_already(p, kw->col, "apdex", *seen);

	/* A sign is no part of a duration: say what is wrong with it. */
	tw_token tok;
	int rc = tw_parse_peek(p, &tok);
	if (rc)
		return rc;
	double ms;
	if (tok.kind == TW_TOK_WORD && tok.text[0] == '-' &&
	    tw_parse_duration(tok.text + 1, &ms) != DUR_NOT)
		return tw_parse_err(p, tok.col, "an apdex target must be at least 1ms, found '%s'",
				    tw_parse_shown(p, &tok));
	int col;
	if ((rc = tw_parse_duration_arg(p, "apdex", &ms, &col)))
		return rc;
	long v = lround(ms);
	if (v <= 0)
		return tw_parse_err(p, col, "an apdex target must be at least 1ms, found '%s'",
				    tw_parse_shown(p, &tok));
	*target = v;
	*seen = p->lineno;
	return tw_parse_end(p, "the duration");
}

/* ---- statements ---- */

static int misplaced_step(parser *p, const tw_token *kw)
{
	return tw_parse_err(p, kw->col, "'%s' must be inside a scene or backstage block", kw->text);
}

static int parse_line(parser *p)
{
	tw_token kw;
	int rc = tw_parse_next(p, &kw);
	if (rc)
		return rc;
	if (kw.kind == TW_TOK_END)
		return TW_OK; /* blank or comment */
	if (kw.kind != TW_TOK_WORD)
		return tw_parse_err(
			p, kw.col,
			"expected a statement (a keyword like scene, visit or expect) at the "
			"start of the line, found a string");
	const char *w = kw.text;
	/* issue 13, USE: use and with lines, and what may follow a use */
	bool taken = false;
	if ((rc = tw_parse_use_line(p, &kw, &taken)) || taken)
		return rc;
	if (in_list(w, block_words, COUNT(block_words)))
		return parse_block(p, &kw);

	if (p->sec == SEC_CAST) {
		tw_token nt;
		if ((rc = tw_parse_peek(p, &nt)))
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
			return tw_parse_modifier(p, &kw);
		if (!assign && in_list(w, call_modifier_words, COUNT(call_modifier_words)))
			return tw_parse_call_modifier(p, &kw);
		if (!assign && nt.kind != TW_TOK_END) {
			const char *hint = keyword_hint(p, w);
			if (hint[0])
				return tw_parse_err(p, kw.col, "unknown statement '%s'%s",
						    tw_parse_shown(p, &kw), hint);
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
		return tw_parse_modifier(p, &kw);
	if (in_list(w, call_modifier_words, COUNT(call_modifier_words)))
		return tw_parse_call_modifier(p, &kw);

	const char *hint = keyword_hint(p, w);
	if (p->sec == SEC_SCENE) {
		if (hint[0])
			return tw_parse_err(p, kw.col, "unknown step '%s'%s",
					    tw_parse_shown(p, &kw), hint);
		return tw_parse_err(
			p, kw.col,
			"unknown step '%s': expected a step (visit, click, fill, choose, tick, "
			"untick, submit, deselect, attach, pause, expect, get, post, ..., or on the phone call, "
			"hear, press, say, silence, hang up)",
			tw_parse_shown(p, &kw));
	}
	if (hint[0])
		return tw_parse_err(p, kw.col, "unknown statement '%s'%s", tw_parse_shown(p, &kw),
				    hint);
	tw_token nt;
	if ((rc = tw_parse_peek(p, &nt)))
		return rc;
	if (nt.kind == TW_TOK_WORD && nt.text[0] == '=')
		return tw_parse_err(
			p, kw.col,
			"unknown statement '%s': a name = value line belongs in the 'cast' "
			"block",
			tw_parse_shown(p, &kw));
	return tw_parse_err(
		p, kw.col,
		"unknown statement '%s': expected rehearsal, outcome, budget, require, minor, "
		"apdex, tags, cast, scene or backstage",
		tw_parse_shown(p, &kw));
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
	return tw_parse_with(out, path, text, len, NULL, err);
}

/* issue 13, USE: the line loop, for the script and for each file it uses
 * (parse_use.c), each with its own parser state. */
int tw_parse_body(tw_script *into, tw_arena *arena, tw_use_ctx *ctx, tw_error *err)
{
	int rc = TW_OK;
	parser p;
	memset(&p, 0, sizeof(p));
	p.s = into;
	p.arena = arena;
	p.path = into->path;
	p.err = err;
	p.sec = SEC_HEADER;
	p.use_ctx = ctx;
	for (size_t i = 0; i < into->line_count; i = p.next_line) {
		p.next_line = i + 1;
		p.lineno = (int)i + 1;
		p.line = into->lines[i];
		tw_lex_init(&p.lx, p.line, p.lineno, into->path, p.arena, err);
		if ((rc = parse_line(&p)))
			break;
	}
	tw_strmap_free(&p.cast_names);
	/* issue 13, FLOW: a repeated scene becomes its passes, in each file
	 * (its lines are the ones an error quotes). */
	if (rc == TW_OK)
		rc = tw_parse_unroll_repeats(&p);
	return rc;
}

int tw_parse_with(tw_script **out, const char *path, const char *text, size_t len,
		  const tw_parse_opts *opts, tw_error *err)
{
	*out = NULL;
	if (!path)
		path = "<script>";
	tw_script *s = calloc(1, sizeof(*s));
	if (!s)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	int rc = TW_OK;
	tw_use_ctx *ctx = NULL;
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
	ctx = tw_parse_use_begin(s, opts);
	if (!ctx) {
		rc = tw_error_set(err, TW_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rc = tw_parse_body(s, &s->arena, ctx, err)))
		goto fail;
	tw_parse_use_end(ctx);
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
	if (ctx)
		tw_parse_use_end(ctx);
	if (err && err->code == TW_OK)
		tw_error_set(err, rc ? rc : TW_ENOMEM, "out of memory");
	tw_arena_free(&s->arena);
	free(s);
	return rc ? rc : TW_ENOMEM;
}
