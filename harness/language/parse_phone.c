/*
 * The phone steps: call (the URL of the IVR webhook, and the numbers the
 * call is from and to), press (DTMF digits) and say (a caller's words, with
 * the speech recogniser's confidence). `hear` is an expectation
 * (parse_expect.c); `silence` and `hang up` take nothing to parse.
 */
#include "language/parser_internal.h"

#include "expectations/fuzzy.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* call URL [from NUMBER] [to NUMBER], in either order */
int tw_parse_call(parser *p, const tw_token *kw, tw_step *st)
{
	(void)kw;
	tw_call_spec *call = &st->call;
	tw_token tok;
	int rc = tw_parse_next(p, &tok);
	if (rc)
		return rc;
	if (tok.kind == TW_TOK_END || tw_parse_is_word(&tok, "from") ||
	    tw_parse_is_word(&tok, "to") || (tok.kind == TW_TOK_STRING && !tok.text[0]))
		return tw_parse_err(
			p, tok.col,
			"expected the IVR's webhook URL after 'call', like call {{stage}}/voice");
	call->url = tok.text;
	const char *what = "the URL";
	int from_col = 0, to_col = 0;
	for (;;) {
		tw_token kw, val;
		if ((rc = tw_parse_next(p, &kw)))
			return rc;
		if (kw.kind == TW_TOK_END)
			break;
		bool from = tw_parse_is_word(&kw, "from");
		if (!from && !tw_parse_is_word(&kw, "to"))
			return tw_parse_err(
				p, kw.col,
				"unexpected '%s' after %s: expected 'from NUMBER', 'to NUMBER' "
				"or the end of the line",
				tw_parse_shown(p, &kw), what);
		int *seen = from ? &from_col : &to_col;
		if (*seen)
			return tw_parse_err(
				p, kw.col,
				"duplicate '%s' (first at column %d): a call has one number "
				"calling and one called",
				kw.text, *seen);
		*seen = kw.col;
		if ((rc = tw_parse_next(p, &val)))
			return rc;
		if (val.kind == TW_TOK_END || (val.kind == TW_TOK_STRING && !val.text[0]))
			return tw_parse_err(
				p, val.col,
				"expected a phone number after '%s', like %s +15550100 or %s "
				"{{phone}}",
				kw.text, kw.text, kw.text);
		if (from) {
			call->from = val.text;
			call->from_loc = tw_parse_loc(p, val.col);
		} else {
			call->to = val.text;
			call->to_loc = tw_parse_loc(p, val.col);
		}
		what = "the number";
	}
	p->in_call = true;
	p->call_step = tw_parse_scene(p)->step_count - 1;
	p->method_line = p->signed_line = 0;
	return TW_OK;
}

/* press KEYS: one word or STRING. The keys themselves are the checker's:
 * templates make them known only at run time. */
int tw_parse_press(parser *p, const tw_token *kw, tw_step *st)
{
	(void)kw;
	tw_token tok;
	int rc = tw_parse_next(p, &tok);
	if (rc)
		return rc;
	if (tok.kind == TW_TOK_END)
		return tw_parse_err(
			p, tok.col,
			"expected the keys to press after 'press', like press 1 or press "
			"{{order}}# (a lone # after a blank starts a comment: write press \"#\")");
	if (!tok.text[0])
		return tw_parse_err(p, tok.col,
				    "no keys between the quotes: expected digits, *, #, w or W");
	st->value = tok.text;
	st->value_loc = tw_parse_loc(p, tok.col);
	if ((rc = tw_parse_next(p, &tok)))
		return rc;
	if (tok.kind != TW_TOK_END)
		return tw_parse_err(
			p, tok.col,
			"unexpected '%s' after the keys: expected the end of the line (keys "
			"go together, like press 123#)",
			tw_parse_shown(p, &tok));
	return TW_OK;
}

/* say PHRASE [confidence NUMBER] */
int tw_parse_say(parser *p, const tw_token *kw, tw_step *st)
{
	(void)kw;
	tw_token tok;
	int rc = tw_parse_next(p, &tok);
	if (rc)
		return rc;
	if (tok.kind == TW_TOK_END || tw_parse_is_word(&tok, "confidence"))
		return tw_parse_err(
			p, tok.col,
			"expected the words to say after 'say', like say \"order status\"");
	if (!tok.text[0])
		return tw_parse_err(
			p, tok.col,
			"the words to say are empty: expected some text between the quotes "
			"(silence says nothing)");
	st->value = tok.text;
	st->confidence = TW_SAY_DEFAULT_CONFIDENCE;
	tw_token t;
	if ((rc = tw_parse_next(p, &t)))
		return rc;
	if (t.kind == TW_TOK_END)
		return TW_OK;
	if (!tw_parse_is_word(&t, "confidence"))
		return tw_parse_err(
			p, t.col, "unexpected '%s' after the words to say%s", tw_parse_shown(p, &t),
			tok.kind == TW_TOK_WORD
				? " (words with blanks go in double quotes, like say \"order "
				  "status\")"
				: ": expected 'confidence' or the end of the line");
	if ((rc = tw_parse_next(p, &t)))
		return rc;
	double d;
	if (t.kind != TW_TOK_WORD || !tw_parse_number(t.text, &d))
		return tw_parse_err(
			p, t.col, "expected a confidence from 0 to 1 after 'confidence', like 0.6");
	if (d < 0 || d > 1)
		return tw_parse_err(p, t.col,
				    "confidence %s is out of range: expected a number from 0 to 1",
				    tw_parse_shown(p, &t));
	st->confidence = d;
	return tw_parse_end(p, "the confidence");
}

/* ---- issue 14, MATCH ---- */

int tw_parse_fuzzy(parser *p, tw_expect *e)
{
	tw_token t;
	int rc = tw_parse_peek(p, &t);
	if (rc || !tw_parse_is_word(&t, "fuzzy"))
		return rc;
	if ((rc = tw_parse_next(p, &t)))
		return rc;
	if (e->op != TW_OP_CONTAINS)
		return tw_parse_err(
			p, t.col,
			"'fuzzy' goes with the words to hear and no operator (hear \"press one "
			"for sales\" fuzzy), not with '%s': a regex or an exact comparison is "
			"already what it says",
			tw_op_str(e->op));
	/* issue 14, F4: words that normalise to nothing are similar to every
	 * prompt: such a hear could never fail */
	if (e->value.kind == TW_VAL_STRING && e->value.text && !tw_fuzzy_has_words(e->value.text))
		return tw_parse_err(p, e->value.loc.col ? e->value.loc.col : t.col,
				    "nothing is left of \"%s\" to compare once case and "
				    "punctuation are dropped, so a fuzzy hear of it would pass on "
				    "any prompt: write words or digits the IVR says",
				    e->value.text);
	e->fuzzy = TW_FUZZY_DEFAULT;
	tw_token n;
	if ((rc = tw_parse_peek(p, &n)))
		return rc;
	double d;
	if (n.kind != TW_TOK_WORD || !tw_parse_number(n.text, &d))
		return TW_OK;
	if ((rc = tw_parse_next(p, &n)))
		return rc;
	if (!(d > 0 && d <= 1))
		return tw_parse_err(p, n.col,
				    "fuzzy threshold %s is out of range: expected a similarity "
				    "above 0 and at most 1 (1: the same words, ignoring case and "
				    "punctuation; the default is 0.8)",
				    tw_parse_shown(p, &n));
	e->fuzzy = d;
	return TW_OK;
}

int tw_parse_hangup_by(parser *p, tw_expect *e)
{
	tw_token t;
	int rc = tw_parse_peek(p, &t);
	if (rc || !tw_parse_is_word(&t, "by"))
		return rc;
	if ((rc = tw_parse_next(p, &t)) || (rc = tw_parse_next(p, &t)))
		return rc;
	static const char *const who[] = {"ivr", "end", "caller"};
	for (size_t i = 0; i < sizeof(who) / sizeof(who[0]); i++)
		if (tw_parse_is_word(&t, who[i])) {
			e->hangup_by = who[i];
			return TW_OK;
		}
	return tw_parse_err(p, t.col,
			    "expected ivr, end or caller after 'hangup by': ivr when the IVR hung "
			    "up (<Hangup/>, <disconnect/>, <exit/>), end when its document ran "
			    "out, caller when the caller did");
}

/* The highest $N (1..9) in a when's action. */
static int highest_group(const char *s)
{
	int n = 0;
	for (; s && *s; s++)
		if (s[0] == '$' && s[1] >= '1' && s[1] <= '9' && s[1] - '0' > n)
			n = s[1] - '0';
	return n;
}

/* when hear [OP] WORDS [fuzzy [T]] press KEYS | say PHRASE [confidence N] |
 * silence */
int tw_parse_when(parser *p, const tw_token *kw, tw_step *st)
{
	(void)kw;
	tw_token t;
	int rc = tw_parse_next(p, &t);
	if (rc)
		return rc;
	if (!tw_parse_is_word(&t, "hear"))
		return tw_parse_err(p, t.col,
				    "expected 'hear' after 'when', like when hear ~ /press (\\d) to "
				    "continue/i press $1");
	tw_expect *e = &st->expect;
	e->subject = TW_SUBJ_PROMPT;
	p->hear_action = true;
	rc = tw_parse_expectation_rest(p, e, "hear");
	p->hear_action = false;
	if (rc)
		return rc;
	if (e->negate)
		return tw_parse_err(p, st->loc.col,
				    "'when hear not' answers nothing: a handler acts on what it "
				    "hears, like when hear \"still there\" press 1");
	if (e->capture)
		return tw_parse_err(p, st->loc.col,
				    "'as NAME' does not apply to 'when hear': its action takes the "
				    "regex's groups as $1..$9");
	tw_token a;
	if ((rc = tw_parse_next(p, &a)))
		return rc;
	if (tw_parse_is_word(&a, "press")) {
		st->when_action = TW_STEP_PRESS;
		rc = tw_parse_press(p, &a, st);
	} else if (tw_parse_is_word(&a, "say")) {
		st->when_action = TW_STEP_SAY;
		rc = tw_parse_say(p, &a, st);
	} else if (tw_parse_is_word(&a, "silence")) {
		st->when_action = TW_STEP_SILENCE;
		rc = tw_parse_end(p, "'silence'");
	} else {
		return tw_parse_err(p, a.col,
				    "expected what to do when it is heard: press KEYS, say "
				    "\"WORDS\" or silence, like when hear \"still there\" press 1");
	}
	st->when_groups = highest_group(st->value);
	return rc;
}
