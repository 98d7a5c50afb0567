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
 *     the secrets;
 *   - regular expressions (PCRE2) and XPath expressions (libxml2) that
 *     contain no template compile. JSON queries are left to the runner.
 *
 * Columns. The AST keeps where each step and pair starts, not where each
 * template starts, and a STRING's content may be shorter than its spelling.
 * But every "{{" on a statement's line belongs to one of its templates
 * (names, keywords and numbers cannot contain one), escapes never make or
 * break a "{{", and the templates are visited in the order they are
 * written. So the k-th "{{" met while walking the templates is the k-th
 * "{{" on the line from the statement's start: a cursor per line finds it.
 */
#include "language/check.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <libxml/xpath.h>
#include <libxml/xmlerror.h>
#include <pcre2.h>

#include "core/strmap.h"
#include "core/template.h"
#include "language/ast.h"
#include "language/lexer.h"
#include "language/parser.h"

typedef struct capture {
	const char *name;
	int line; /* the first step that captures it */
} capture;

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
} checker;

static void problem(checker *c, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void problem(checker *c, int line, int col, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tw_error e = {0};
	if (tw_error_set_at(&e, TW_ECHECK, c->s->path, line, line > 0 ? col : 0,
			    line > 0 ? tw_script_line(c->s, line) : NULL, "%s", buf) != TW_ECHECK ||
	    tw_errors_push(c->out, &e) != TW_OK)
		c->oom = true; /* a problem lost: the check is incomplete */
	else
		c->count++;
	tw_error_clear(&e);
}

/* Re-reads a line's first tokens (the AST does not keep every column). */
static size_t relex(checker *c, int line, tw_token *toks, size_t max)
{
	tw_lexer lx;
	tw_error err = {0};
	tw_lex_init(&lx, tw_script_line(c->s, line), line, c->s->path, &c->tmp, &err);
	size_t n = 0;
	while (n < max && tw_lex_next(&lx, &toks[n]) == TW_OK && toks[n].kind != TW_TOK_END)
		n++;
	if (err.code == TW_ENOMEM)
		c->oom = true;
	tw_error_clear(&err);
	return n;
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
	return c->given && tw_vars_get(c->given, name, NULL) != NULL;
}

/* "Did you mean" compares with every known name: for the first unknown
 * names only, or 40 000 of them among 40 000 names take minutes. */
#define SUGGEST_MAX 100

/* The closest known name, for "did you mean". */
static const char *suggest_var(checker *c, const char *name)
{
	size_t n = c->s->cast.count + c->capture_count +
		   (c->given ? tw_vars_count(c->given) : 0);
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
	if (cap && c->cast_index < 0 && cap->line < c->line)
		return;
	if (cap) {
		problem(c, c->line, col, "variable '%s' is used before it is captured (line %d)",
			name, cap->line);
		return;
	}
	const char *best = suggest_var(c, name);
	if (best)
		problem(c, c->line, col, "unknown variable '%s' (did you mean '%s'?)", name, best);
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
	const char *line = tw_script_line(c->s, c->line);
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

static void check_regex(checker *c, const tw_value *v)
{
	if (v->kind != TW_VAL_REGEX || strstr(v->text, "{{"))
		return;
	/* The options expectations/regex.c compiles with, so what passes here
	 * compiles there. */
	uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_NEVER_BACKSLASH_C;
	for (const char *f = v->flags ? v->flags : ""; *f; f++) {
		if (*f == 'i')
			opts |= PCRE2_CASELESS;
		else if (*f == 'm')
			opts |= PCRE2_MULTILINE;
		else if (*f == 's')
			opts |= PCRE2_DOTALL;
		else if (*f == 'x')
			opts |= PCRE2_EXTENDED;
	}
	int code;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)v->text, PCRE2_ZERO_TERMINATED, opts, &code,
				       &off, NULL);
	if (re) {
		pcre2_code_free(re);
		return;
	}
	PCRE2_UCHAR msg[256];
	if (pcre2_get_error_message(code, msg, sizeof(msg)) < 0)
		snprintf((char *)msg, sizeof(msg), "error %d", code);
	/* The offset is in the decoded pattern; the caret goes on the raw one. */
	const char *line = tw_script_line(c->s, v->loc.line);
	tw_token tok = {0};
	tok.kind = TW_TOK_REGEX;
	tok.raw = line + v->loc.col - 1;
	tok.raw_len = strlen(tok.raw);
	int col = v->loc.col + (int)tw_lex_raw_offset(&tok, (size_t)off);
	problem(c, v->loc.line, col, "invalid regular expression: %s", (const char *)msg);
}

typedef struct xpath_err {
	int code;
	int offset;
	bool set;
} xpath_err;

#if LIBXML_VERSION >= 21200
static void on_xpath_error(void *data, const xmlError *e)
#else
static void on_xpath_error(void *data, xmlErrorPtr e)
#endif
{
	xpath_err *x = data;
	if (x->set)
		return; /* the first error is the one that stopped the parse */
	x->set = true;
	x->code = e->code;
	x->offset = e->int1;
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

static void check_xpath(checker *c, const tw_step *st)
{
	const char *expr = st->expect.arg;
	if (!expr || strstr(expr, "{{"))
		return;
	xmlXPathContextPtr ctx = xmlXPathNewContext(NULL);
	if (!ctx) {
		c->oom = true;
		return;
	}
	/* Errors come to this context's handler, so libxml2 prints nothing
	 * and no process-wide handler is touched. */
	xpath_err x = {0};
	ctx->error = on_xpath_error;
	ctx->userData = &x;
	/* libxml2 reports some failed allocations (its dictionary's) only
	 * as the thread's last error, and the compile then fails as if the
	 * expression were bad. */
	xmlResetLastError();
	xmlXPathCompExprPtr comp = xmlXPathCtxtCompile(ctx, (const xmlChar *)expr);
	const xmlError *last = xmlGetLastError();
	if (comp) {
		xmlXPathFreeCompExpr(comp);
	} else if ((x.set && x.code == XML_ERR_NO_MEMORY) ||
		   (last && last->code == XML_ERR_NO_MEMORY)) {
		c->oom = true;
	} else {
		tw_token toks[3];
		int col = st->loc.col;
		if (relex(c, st->loc.line, toks, 3) == 3) {
			size_t off = x.set && x.offset > 0 ? (size_t)x.offset : 0;
			col = toks[2].col + (int)tw_lex_raw_offset(&toks[2], off);
		}
		problem(c, st->loc.line, col, "invalid XPath expression: %s",
			x.set ? xpath_message(x.code) : "it does not compile");
	}
	xmlXPathFreeContext(ctx);
}

/* ---- the walk ---- */

static void check_cast(checker *c)
{
	for (size_t i = 0; i < c->s->cast.count; i++) {
		const tw_pair *e = &c->s->cast.items[i];
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

static const tw_pair *pair_on_line(const tw_pairs *pairs, int line)
{
	for (size_t i = 0; i < pairs->count; i++)
		if (pairs->items[i].loc.line == line)
			return &pairs->items[i];
	return NULL;
}

/* The modifier lines under a request step, in line order (`timeout` and
 * `apdex` lines have no templates and are passed over). */
static void check_request(checker *c, const tw_step *st)
{
	const tw_request *r = &st->req;
	begin_line(c, st->loc.line, st->loc.col);
	check_template(c, r->url, st->loc.col);
	for (int line = st->loc.line + 1; (size_t)line <= c->s->line_count; line++) {
		tw_token t;
		if (relex(c, line, &t, 1) == 0)
			continue; /* blank or comment */
		const tw_pair *pr;
		if ((pr = pair_on_line(&r->headers, line)))
			check_pair(c, pr, false);
		else if ((pr = pair_on_line(&r->query, line)))
			check_pair(c, pr, true);
		else if ((pr = pair_on_line(&r->form, line)))
			check_pair(c, pr, true);
		else if ((pr = pair_on_line(&r->parts, line)))
			check_pair(c, pr, true);
		else if (strcmp(t.text, "json") == 0 || strcmp(t.text, "body") == 0) {
			begin_line(c, line, t.col);
			check_template(c, r->body, t.col);
		} else if (strcmp(t.text, "timeout") != 0 && strcmp(t.text, "apdex") != 0)
			break; /* the next statement */
	}
}

/* ---- the phone ---- */

/* A call's templates in the order written: the URL, then from and to in
 * whichever order the line has them, then the `signed with` line. */
static void check_call(checker *c, const tw_step *st)
{
	const tw_call_spec *call = &st->call;
	check_template(c, call->url, st->loc.col);
	tw_token toks[6];
	size_t n = relex(c, st->loc.line, toks, 6);
	for (size_t i = 2; i + 1 < n; i += 2) {
		if (strcmp(toks[i].text, "from") == 0)
			check_template(c, call->from, toks[i + 1].col);
		else if (strcmp(toks[i].text, "to") == 0)
			check_template(c, call->to, toks[i + 1].col);
	}
	for (int line = st->loc.line + 1; (size_t)line <= c->s->line_count; line++) {
		tw_token t;
		if (relex(c, line, &t, 1) == 0)
			continue; /* blank or comment */
		if (strcmp(t.text, "signed") == 0) {
			begin_line(c, line, t.col);
			check_template(c, call->token, t.col);
		} else if (strcmp(t.text, "method") != 0 && strcmp(t.text, "apdex") != 0) {
			break; /* the next statement */
		}
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
	tw_token toks[2];
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
		if ((i < first_tpl) != early || relex(c, st->loc.line, toks, 2) < 2)
			return;
		size_t n = 1; /* show a whole UTF-8 character */
		while (((unsigned char)keys[i + n] & 0xC0) == 0x80)
			n++;
		problem(c, st->loc.line, toks[1].col + (int)tw_lex_raw_offset(&toks[1], i),
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
		c->call_line = line;
		return;
	}
	if (!c->call_line) {
		if (!ivr)
			return;
		if (c->hangup_line)
			problem(c, line, col,
				"'%s' after 'hang up' (line %d): place a new call first", name,
				c->hangup_line);
		else
			problem(c, line, col, "'%s' before any 'call': place a call first", name);
		return;
	}
	if (st->kind == TW_STEP_HANGUP) {
		c->hangup_line = line;
		c->call_line = 0;
	}
}

static void check_step(checker *c, const tw_step *st)
{
	begin_line(c, st->loc.line, st->loc.col);
	switch (st->kind) {
	case TW_STEP_VISIT:
	case TW_STEP_REQUEST:
		check_request(c, st);
		break;
	case TW_STEP_CHOOSE:
		check_template(c, st->value, st->loc.col);
		check_template(c, st->target, st->loc.col);
		break;
	case TW_STEP_PAUSE:
	case TW_STEP_SILENCE:
	case TW_STEP_HANGUP:
		break;
	case TW_STEP_CALL:
		check_call(c, st);
		break;
	case TW_STEP_PRESS:
		check_keys(c, st, true);
		check_template(c, st->value, st->loc.col);
		check_keys(c, st, false);
		break;
	case TW_STEP_SAY:
		check_template(c, st->value, st->loc.col);
		break;
	case TW_STEP_HEAR:
	case TW_STEP_EXPECT: {
		const tw_expect *e = &st->expect;
		if (e->subject == TW_SUBJ_XPATH || e->subject == TW_SUBJ_JSON)
			check_template(c, e->arg, st->loc.col);
		if (e->value.kind == TW_VAL_STRING || e->value.kind == TW_VAL_REGEX)
			check_template(c, e->value.text, e->value.loc.col);
		check_regex(c, &e->value);
		if (e->subject == TW_SUBJ_XPATH)
			check_xpath(c, st);
		break;
	}
	default: /* click, fill, tick, untick, submit: target, then value */
		check_template(c, st->target, st->loc.col);
		check_template(c, st->value, st->loc.col);
		break;
	}
}

static void check_scene(checker *c, size_t index)
{
	const tw_scene *sc = &c->s->scenes[index];
	tw_token toks[4];
	size_t n = relex(c, sc->loc.line, toks, 4);
	int name_col = n >= 2 ? toks[1].col : sc->loc.col;
	size_t first;
	if (!add_name(c, &c->scene_names, sc->name, index, &first))
		problem(c, sc->loc.line, name_col, "duplicate scene name '%s' (first on line %d)",
			sc->name, c->s->scenes[first].loc.line);
	/* Backstage is what the customer never sees: no call to be on. */
	if (sc->backstage && sc->channel == TW_CHANNEL_IVR)
		problem(c, sc->loc.line, n >= 4 ? toks[3].col : sc->loc.col,
			"backstage blocks are web: expected 'on web' or no channel (the "
			"caller's steps go in a scene on ivr)");
	if (sc->step_count == 0)
		problem(c, sc->loc.line, sc->loc.col, "%s '%s' has no steps",
			sc->backstage ? "backstage" : "scene", sc->name);
	for (size_t i = 0; i < sc->step_count; i++) {
		check_channel(c, sc, &sc->steps[i]);
		check_step(c, &sc->steps[i]);
	}
}

static void collect_captures(checker *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->s->scene_count; i++)
		n += c->s->scenes[i].step_count;
	c->captures = n ? tw_arena_alloc(&c->tmp, n * sizeof(capture)) : NULL;
	if (!c->captures) {
		c->oom = n > 0;
		return;
	}
	for (size_t i = 0; i < c->s->scene_count; i++) {
		const tw_scene *sc = &c->s->scenes[i];
		for (size_t j = 0; j < sc->step_count; j++) {
			const tw_step *st = &sc->steps[j];
			if ((st->kind != TW_STEP_EXPECT && st->kind != TW_STEP_HEAR) ||
			    !st->expect.capture ||
			    !add_name(c, &c->capture_names, st->expect.capture, c->capture_count,
				      NULL))
				continue;
			c->captures[c->capture_count].name = st->expect.capture;
			c->captures[c->capture_count].line = st->loc.line;
			c->capture_count++;
		}
	}
}

size_t tw_script_check(const tw_script *script, const tw_vars *given, tw_errors *problems)
{
	size_t lost = problems->lost;
	checker c;
	memset(&c, 0, sizeof(c));
	c.s = script;
	c.given = given;
	c.out = problems;
	c.cast_index = -1;
	/* The parser refuses a repeated cast name: each is there once. */
	for (size_t i = 0; i < script->cast.count; i++)
		add_name(&c, &c.cast_names, script->cast.items[i].name, i, NULL);
	collect_captures(&c);
	check_cast(&c);
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
	tw_strmap_free(&c.cast_names);
	tw_strmap_free(&c.capture_names);
	tw_strmap_free(&c.scene_names);
	tw_arena_free(&c.tmp);
	/* what could not be appended counts: out of memory is never 0 */
	return c.count + (problems->lost - lost);
}
