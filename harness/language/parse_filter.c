/*
 * Filters: the words between an expectation's subject (and its argument)
 * and its predicate, applied left to right to the subject's value before
 * the predicate judges it (expectations/filter.c):
 *
 *      expect header Set-Cookie nth 2 regex /sid=(\w+)/ == "abc"
 *      expect json $.token base64Decode jsonpath "$.sub" == "ada"
 *
 * Names are Hurl's, so a Hurl user reads them at once. A word that is
 * neither a filter nor a predicate but looks like a filter ("toint") is
 * refused here with the name it resembles; any other word is left to the
 * predicate's parser, which knows its own words.
 */
#include "language/parser_internal.h"

#include <stdlib.h>
#include <string.h>

typedef enum arg_kind {
	ARG_NONE,
	ARG_N,        /* a whole number from 1 */
	ARG_STRING,   /* "quoted" */
	ARG_PATTERN,  /* /regex/ or "pattern" */
	ARG_REPLACE,  /* /regex/ or "text", then "replacement" */
	ARG_OPTIONAL, /* "format", or nothing */
} arg_kind;

static const struct {
	const char *name;
	tw_filter_kind kind;
	arg_kind arg;
	const char *example; /* for "expected ..." messages */
} filters[] = {
	{"count", TW_FILTER_COUNT, ARG_NONE, NULL},
	{"nth", TW_FILTER_NTH, ARG_N, "nth 2"},
	{"first", TW_FILTER_FIRST, ARG_NONE, NULL},
	{"last", TW_FILTER_LAST, ARG_NONE, NULL},
	{"toInt", TW_FILTER_TO_INT, ARG_NONE, NULL},
	{"toFloat", TW_FILTER_TO_FLOAT, ARG_NONE, NULL},
	{"split", TW_FILTER_SPLIT, ARG_STRING, "split \",\""},
	{"replace", TW_FILTER_REPLACE, ARG_REPLACE, "replace \"a\" \"b\" or replace /a+/ \"b\""},
	{"regex", TW_FILTER_REGEX, ARG_PATTERN, "regex /id=(\\d+)/"},
	{"base64Decode", TW_FILTER_BASE64_DECODE, ARG_NONE, NULL},
	{"base64Encode", TW_FILTER_BASE64_ENCODE, ARG_NONE, NULL},
	{"urlDecode", TW_FILTER_URL_DECODE, ARG_NONE, NULL},
	{"urlEncode", TW_FILTER_URL_ENCODE, ARG_NONE, NULL},
	{"htmlUnescape", TW_FILTER_HTML_UNESCAPE, ARG_NONE, NULL},
	{"jsonpath", TW_FILTER_JSONPATH, ARG_STRING, "jsonpath \"$.id\""},
	{"urlQueryParam", TW_FILTER_URL_QUERY_PARAM, ARG_STRING, "urlQueryParam \"page\""},
	{"toDate", TW_FILTER_TO_DATE, ARG_OPTIONAL, "toDate \"%Y-%m-%d\""},
	{"daysAfterNow", TW_FILTER_DAYS_AFTER_NOW, ARG_NONE, NULL},
	{"daysBeforeNow", TW_FILTER_DAYS_BEFORE_NOW, ARG_NONE, NULL},
	{"sha256", TW_FILTER_SHA256, ARG_NONE, NULL},
	{"md5", TW_FILTER_MD5, ARG_NONE, NULL},
	{"toHex", TW_FILTER_TO_HEX, ARG_NONE, NULL},
};

/* Words that start a predicate or end the line's expectation: never taken
 * for a misspelt filter. */
static const char *const predicate_words[] = {
	"==", "!=", "<", "<=", ">", ">=", "~", "contains", "exists", "not", "starts",
	"ends", "in", "is", "as",
};

/* Hurl's filters and predicates that techweek spells otherwise or lacks:
 * a Hurl user's word gets the techweek way to say it. */
static const struct {
	const char *hurl;
	bool predicate;
	const char *instead;
} hurl_words[] = {
	{"replaceRegex", false, "write replace /REGEX/ \"NEW\""},
	{"base64UrlSafeDecode", false, "write base64Decode, which reads URL-safe base64 too"},
	{"base64UrlSafeEncode", false,
	 "write base64Encode replace \"+\" \"-\" replace \"/\" \"_\" replace \"=\" \"\""},
	{"htmlEscape", false,
	 "there is htmlUnescape only: write the expected value with its references "
	 "(&amp;), or unescape the subject"},
	{"format", false,
	 "a date compares as ISO 8601 text (2015-10-21T07:28:00Z): write toDate \"FORMAT\" "
	 "~ /^2015-10/, or daysBeforeNow"},
	{"dateFormat", false,
	 "a date compares as ISO 8601 text (2015-10-21T07:28:00Z): write toDate \"FORMAT\" "
	 "~ /^2015-10/, or daysBeforeNow"},
	{"toString", false,
	 "values keep their type: compare a number with a bare number (== 5), or make "
	 "text a number with toInt or toFloat"},
	{"decode", false,
	 "bodies are read in their charset (Content-Type, <meta charset>) and seen as "
	 "UTF-8 already"},
	{"utf8Decode", false, "text is UTF-8 already; base64Decode gives bytes, toHex shows them"},
	{"utf8Encode", false, "text is UTF-8 already; toHex shows its bytes"},
	{"location", false, "write hop N url, the URL of the Nth request of the redirect chain"},
	{"xpath", false, "an XPath is a subject: expect xpath \"EXPR\""},
	{"isCollection", true, "write is list or is object"},
	{"isList", true, "write is list"},
	{"isObject", true, "write is object"},
	{"isFloat", true, "write is number"},
	{"isNumber", true, "write is number"},
	{"isInteger", true, "write is integer"},
	{"isString", true, "write is string"},
	{"isBoolean", true, "write is boolean"},
	{"isEmpty", true, "write is empty"},
	{"isDate", true, "write is date"},
	{"isIsoDate", true, "write is date"},
	{"isUuid", true, "write is uuid"},
	{"isIpv4", true, "write ~ /REGEX/"},
	{"isIpv6", true, "write ~ /REGEX/"},
	{"startsWith", true, "write starts with \"TEXT\""},
	{"endsWith", true, "write ends with \"TEXT\""},
	{"matches", true, "write ~ /REGEX/"},
	{"includes", true, "write contains VALUE"},
	{"notExists", true, "write not exists"},
};

/* The names again, for tw_parse_suggest. */
static const char *const filter_names[] = {
	"count", "nth", "first", "last", "toInt", "toFloat", "split", "replace", "regex",
	"base64Decode", "base64Encode", "urlDecode", "urlEncode", "htmlUnescape", "jsonpath",
	"urlQueryParam", "toDate", "daysAfterNow", "daysBeforeNow", "sha256", "md5", "toHex",
};
_Static_assert(COUNT(filter_names) == COUNT(filters), "one name per filter");

static bool is_predicate_word(const char *w)
{
	for (size_t i = 0; i < COUNT(predicate_words); i++)
		if (strcmp(w, predicate_words[i]) == 0)
			return true;
	return false;
}

/* The filter's argument: a STRING (template) or, where a pattern is
 * allowed, a REGEX. */
static int string_arg(parser *p, const char *name, const char *example, bool pattern,
		      tw_value *v)
{
	tw_token tok;
	if (pattern)
		p->lx.after_tilde = true; /* a '/' opens a regex, as after '~' */
	int rc = tw_parse_next(p, &tok);
	if (rc)
		return rc;
	v->loc = tw_parse_loc(p, tok.col);
	if (tok.kind == TW_TOK_REGEX) {
		if (tok.text[0] == '\0')
			return tw_parse_err(p, tok.col,
					    "empty regular expression after '%s': expected a "
					    "pattern between the slashes",
					    name);
		v->kind = TW_VAL_REGEX;
		v->text = tok.text;
		v->flags = tw_arena_strdup(p->arena, tok.flags);
		return v->flags ? TW_OK : tw_parse_oom(p);
	}
	if (tok.kind != TW_TOK_STRING)
		return tw_parse_err(p, tok.col, "expected %s after '%s', like %s",
				    pattern ? "a pattern (/regex/ or \"text\")"
					    : "a quoted argument",
				    name, example);
	v->kind = TW_VAL_STRING;
	v->text = tok.text;
	return TW_OK;
}

static int filter_arg(parser *p, tw_filter *f, arg_kind kind, const char *example)
{
	tw_token tok;
	int rc;
	switch (kind) {
	case ARG_NONE:
		return TW_OK;
	case ARG_N: {
		if ((rc = tw_parse_next(p, &tok)))
			return rc;
		char *end = NULL;
		long n = tok.kind == TW_TOK_WORD ? strtol(tok.text, &end, 10) : 0;
		if (!end || *end || tok.text[0] == '+' || tok.text[0] == '-' || n < 1 ||
		    n > 1000000000L)
			return tw_parse_err(p, tok.col,
					    "expected a position from 1 after 'nth', like nth 2 "
					    "(1 is the first)%s%s%s%s",
					    tok.kind == TW_TOK_END ? "" : ", found '",
					    tok.kind == TW_TOK_END ? "" : tw_parse_shown(p, &tok),
					    tok.kind == TW_TOK_END ? "" : "'",
					    tok.kind == TW_TOK_WORD && tok.text[0] == '-'
						    ? "; for the last item write last"
						    : "");
		f->n = n;
		return TW_OK;
	}
	case ARG_STRING:
		return string_arg(p, f->name, example, false, &f->arg);
	case ARG_PATTERN:
		return string_arg(p, f->name, example, true, &f->arg);
	case ARG_REPLACE:
		if ((rc = string_arg(p, f->name, example, true, &f->arg)))
			return rc;
		if ((rc = tw_parse_next(p, &tok)))
			return rc;
		if (tok.kind != TW_TOK_STRING)
			return tw_parse_err(p, tok.col,
					    "expected the replacement in quotes after 'replace "
					    "%s', like %s",
					    f->arg.kind == TW_VAL_REGEX ? "/.../" : "\"...\"",
					    example);
		f->arg2.kind = TW_VAL_STRING;
		f->arg2.loc = tw_parse_loc(p, tok.col);
		f->arg2.text = tok.text;
		return TW_OK;
	case ARG_OPTIONAL:
		if ((rc = tw_parse_peek(p, &tok)))
			return rc;
		if (tok.kind != TW_TOK_STRING)
			return TW_OK;
		return string_arg(p, f->name, example, false, &f->arg);
	}
	return TW_OK;
}

int tw_parse_filters(parser *p, tw_expect *e)
{
	size_t cap = 0;
	for (;;) {
		tw_token tok;
		int rc = tw_parse_peek(p, &tok);
		if (rc)
			return rc;
		if (tok.kind != TW_TOK_WORD)
			break;
		/* Where the predicate may be left out, the last word is the
		 * value, never a filter: `expect text count` looks for "count". */
		tw_lexer after = p->lx;
		tw_token next;
		if ((rc = tw_lex_next(&after, &next)) || (rc = tw_lex_next(&after, &next)))
			return rc;
		bool needs_op = e->subject == TW_SUBJ_HEADER || e->subject == TW_SUBJ_COOKIE ||
				e->subject == TW_SUBJ_XPATH || e->subject == TW_SUBJ_JSON ||
				e->subject == TW_SUBJ_TIME;
		if (!needs_op && (next.kind == TW_TOK_END || tw_parse_is_word(&next, "as")))
			break;
		size_t fi = COUNT(filters);
		for (size_t i = 0; i < COUNT(filters); i++)
			if (strcmp(tok.text, filters[i].name) == 0)
				fi = i;
		if (fi == COUNT(filters)) {
			for (size_t i = 0; i < COUNT(hurl_words); i++)
				if (strcmp(tok.text, hurl_words[i].hurl) == 0)
					return tw_parse_err(
						p, tok.col, "unknown %s '%s' (Hurl's): %s",
						hurl_words[i].predicate ? "predicate" : "filter",
						tok.text, hurl_words[i].instead);
			const char *best =
				is_predicate_word(tok.text)
					? NULL
					: tw_parse_suggest(tok.text, filter_names, COUNT(filters));
			if (best)
				return tw_parse_err(p, tok.col,
						    "unknown filter '%s' (did you mean '%s'?)",
						    tw_parse_shown(p, &tok), best);
			break;
		}
		if (e->subject >= TW_SUBJ_PROMPT && e->subject <= TW_SUBJ_HANGUP)
			return tw_parse_err(p, tok.col,
					    "filters apply to a response, not to the call: '%s' "
					    "cannot follow this subject",
					    tok.text);
		/* A step's time is a duration, compared with one: nothing to
		 * count, split or decode. */
		if (e->subject == TW_SUBJ_TIME)
			return tw_parse_err(p, tok.col,
					    "filters apply to what a response holds, not to the "
					    "step's time: '%s' cannot follow 'time' (write expect "
					    "time < 2s)",
					    tok.text);
		if ((rc = tw_parse_next(p, &tok)))
			return rc;
		if (e->filter_count == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			tw_filter *n = tw_arena_alloc(p->arena, ncap * sizeof(*n));
			if (!n)
				return tw_parse_oom(p);
			if (cap)
				memcpy(n, e->filters, cap * sizeof(*n));
			e->filters = n;
			cap = ncap;
		}
		tw_filter *f = &e->filters[e->filter_count++];
		memset(f, 0, sizeof(*f));
		f->kind = filters[fi].kind;
		f->name = filters[fi].name;
		f->loc = tw_parse_loc(p, tok.col);
		if ((rc = filter_arg(p, f, filters[fi].arg, filters[fi].example)))
			return rc;
	}
	e->count = e->filter_count && e->filters[e->filter_count - 1].kind == TW_FILTER_COUNT;
	return TW_OK;
}
