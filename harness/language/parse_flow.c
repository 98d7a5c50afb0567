/*
 * Issue 13, FLOW: repeated and conditional scenes. Options of a scene or
 * backstage line, after its name and in any order:
 *
 *   scene "Come back" repeat 3          the steps 3 times in a row
 *   scene "Pay" when {{card}}           only when card is set, not empty
 *   backstage "Audit" when not {{card}} only when it is unset or empty
 *
 * A repeated scene is unrolled here, once every line is read, into one
 * scene per pass named "NAME (k of N)" at the scene's own line: the
 * checker, the plan, the runner and every report then see ordinary
 * scenes (stable names for baselines and merges), and a capture of pass 1
 * is simply a capture of an earlier scene for pass 2. `when` is kept on
 * the scene (and on each pass) for the runner to decide as it starts it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "language/parser_internal.h"

#define TW_REPEAT_MAX 100
/* The steps (and scenes) the passes after the first add are charged to
 * the script-wide budget of uses and repeats (parse_use.c, issue 13 F1):
 * an 8 MiB script of `repeat 100` lines would otherwise ask for
 * gigabytes, and so would a repeat in a file used many times. */

static int parse_repeat(parser *p, const tw_token *kw, tw_scene *sc)
{
	if (sc->repeat)
		return tw_parse_err(p, kw->col, "'repeat' is already given (column %d)",
				    sc->repeat_loc.col);
	tw_token tok;
	int rc = tw_parse_next(p, &tok);
	if (rc)
		return rc;
	if (tok.kind == TW_TOK_END)
		return tw_parse_err(p, tok.col,
				    "expected how many times after 'repeat', like repeat 3");
	const char *t = tok.text;
	size_t n = strlen(t);
	bool digits = tok.kind == TW_TOK_WORD && n > 0 && n <= 4;
	for (size_t i = 0; digits && i < n; i++)
		digits = t[i] >= '0' && t[i] <= '9';
	long times = digits ? strtol(t, NULL, 10) : 0;
	if (!digits || times < 1 || times > TW_REPEAT_MAX)
		return tw_parse_err(p, tok.col,
				    "'repeat' takes a whole number of times from 1 to %d, not '%s'",
				    TW_REPEAT_MAX, tw_parse_shown(p, &tok));
	sc->repeat = (int)times;
	sc->repeat_loc = tw_parse_loc(p, tok.col);
	return TW_OK;
}

static int parse_when(parser *p, const tw_token *kw, tw_scene *sc)
{
	if (sc->when)
		return tw_parse_err(p, kw->col, "'when' is already given (column %d)",
				    sc->when_loc.col);
	tw_token tok;
	int rc = tw_parse_next(p, &tok);
	if (rc)
		return rc;
	if (tw_parse_is_word(&tok, "not")) {
		sc->when_not = true;
		if ((rc = tw_parse_next(p, &tok)))
			return rc;
	}
	const char *t = tok.text;
	size_t n = tok.kind == TW_TOK_WORD ? strlen(t) : 0;
	if (n < 5 || strncmp(t, "{{", 2) != 0 || strcmp(t + n - 2, "}}") != 0 ||
	    !tw_parse_valid_var_name(t + 2, n - 4))
		return tw_parse_err(p, tok.col,
				    "expected a variable in braces after 'when%s', like "
				    "when%s {{card}}: the scene runs when it is %s",
				    sc->when_not ? " not" : "", sc->when_not ? " not" : "",
				    sc->when_not ? "unset or empty" : "set and not empty");
	sc->when = tw_arena_strndup(p->arena, t + 2, n - 4);
	if (!sc->when)
		return tw_parse_oom(p);
	sc->when_loc = tw_parse_loc(p, tok.col);
	return TW_OK;
}

int tw_parse_flow_option(parser *p, const tw_token *tok, tw_scene *sc, const char **after,
			 bool *taken)
{
	*taken = false;
	int rc = TW_OK;
	if (tw_parse_is_word(tok, "repeat")) {
		rc = parse_repeat(p, tok, sc);
		*after = "the repeat count";
	} else if (tw_parse_is_word(tok, "when")) {
		rc = parse_when(p, tok, sc);
		*after = "the when condition";
	} else {
		return TW_OK;
	}
	*taken = true;
	return rc;
}

int tw_parse_unroll_repeats(parser *p)
{
	tw_script *s = p->s;
	size_t total = 0;
	bool any = false;
	for (size_t i = 0; i < s->scene_count; i++) {
		const tw_scene *sc = &s->scenes[i];
		/* A used file's passes are unrolled already, by its own parse. */
		bool fresh = sc->repeat > 0 && sc->pass == 0;
		total += fresh ? (size_t)sc->repeat : 1;
		any |= fresh;
		if (fresh && sc->repeat > 1) {
			p->lineno = sc->repeat_loc.line;
			p->line = s->lines[sc->repeat_loc.line - 1];
			int rc = tw_parse_use_charge(
				p, (size_t)(sc->repeat - 1) * (sc->step_count + 1),
				sc->repeat_loc.col, true);
			if (rc)
				return rc;
		}
	}
	if (!any)
		return TW_OK;
	tw_scene *out = tw_arena_alloc(p->arena, total * sizeof(*out));
	if (!out)
		return tw_parse_oom(p);
	size_t k = 0;
	for (size_t i = 0; i < s->scene_count; i++) {
		const tw_scene *sc = &s->scenes[i];
		if (!sc->repeat || sc->pass) {
			out[k++] = *sc;
			continue;
		}
		for (int pass = 1; pass <= sc->repeat; pass++) {
			tw_scene *o = &out[k++];
			*o = *sc;
			o->pass = pass;
			o->name = tw_arena_printf(p->arena, "%s (%d of %d)", sc->name, pass,
						  sc->repeat);
			if (!o->name)
				return tw_parse_oom(p);
			/* Each pass its own steps: what is compiled or measured per
			 * step (tw_script_compile, the plan's touchpoints) is per
			 * pass; their strings are shared, read-only. */
			if (pass > 1 && sc->step_count) {
				o->steps = tw_arena_alloc(p->arena,
							  sc->step_count * sizeof(*o->steps));
				if (!o->steps)
					return tw_parse_oom(p);
				memcpy(o->steps, sc->steps, sc->step_count * sizeof(*o->steps));
			}
		}
	}
	s->scenes = out;
	s->scene_count = total;
	p->scene_cap = total;
	return TW_OK;
}
