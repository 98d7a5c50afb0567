/*
 * issue 13, DATA: the cast line's data file,
 *
 *   cast from "data/users.csv" [next|random|once] [secret NAME {, NAME}]
 *
 * parsed into the script (ast.h: data_path, data_order, data_secrets).
 * The file itself is read by the checker and the run, never here: the
 * parser reads no file (the fuzzers rely on it).
 */
#include <string.h>

#include "language/parser_internal.h"

/* secret password, card: the names after `secret`, comma-separated. */
static int parse_secret_columns(parser *p, const tw_token *kw)
{
	tw_token rest;
	int rc = tw_lex_rest(&p->lx, &rest, false);
	if (rc)
		return rc;
	if (rest.kind == TW_TOK_END)
		return tw_parse_err(p, rest.col,
				    "expected the columns whose values are secrets after 'secret', "
				    "like secret password, card");
	const char *s = rest.text;
	size_t n = strlen(s), i = 0, cap = 0, loc_cap = 0;
	bool need = true;
	tw_script *sc = p->s;
	while (i < n) {
		if (tw_lex_is_blank(s[i])) {
			i++;
			continue;
		}
		if (s[i] == ',') {
			if (need)
				return tw_parse_err(p, rest.col + (int)i,
						    "expected a column name before ','");
			need = true;
			i++;
			continue;
		}
		if (!need)
			return tw_parse_err(p, rest.col + (int)i,
					    "expected ',' between the secret columns, like "
					    "secret password, card");
		size_t start = i;
		while (i < n && s[i] != ',' && !tw_lex_is_blank(s[i]))
			i++;
		if (!tw_parse_valid_var_name(s + start, i - start))
			return tw_parse_err(p, rest.col + (int)start,
					    "'%.*s' is not a column name: a column is a variable name "
					    "(letters, digits, '_', '.' and '-', starting with a letter "
					    "or '_')",
					    (int)(i - start), s + start);
		char *name = tw_arena_strndup(p->arena, s + start, i - start);
		if (!name ||
		    tw_arena_grow_array(p->arena, &sc->data_secrets, sc->data_secret_count, &cap,
					sc->data_secret_count + 1, sizeof(char *)) ||
		    tw_arena_grow_array(p->arena, &sc->data_secret_locs, sc->data_secret_count,
					&loc_cap, sc->data_secret_count + 1, sizeof(tw_loc)))
			return tw_parse_oom(p);
		sc->data_secret_locs[sc->data_secret_count] = tw_parse_loc(p, rest.col + (int)start);
		sc->data_secrets[sc->data_secret_count++] = name;
		need = false;
	}
	if (need)
		return tw_parse_err(p, rest.col + (int)n, "expected a column name after ','");
	(void)kw;
	return TW_OK;
}

int tw_parse_cast_from(parser *p)
{
	tw_token tok;
	int rc = tw_parse_next(p, &tok); /* `from` */
	if (rc || (rc = tw_parse_next(p, &tok)))
		return rc;
	if (tok.kind != TW_TOK_STRING)
		return tw_parse_err(p, tok.col,
				    "expected the data file in double quotes after 'cast from', like "
				    "cast from \"data/users.csv\"");
	if (!tok.text[0])
		return tw_parse_err(p, tok.col,
				    "the data file's name is empty: expected a path between the "
				    "quotes, relative to the rehearsal's folder");
	if (strstr(tok.text, "{{"))
		return tw_parse_err(p, tok.col,
				    "the data file's name is written out, without {{...}}: it is "
				    "read before any variable is known");
	p->s->data_path = tok.text;
	p->s->data_loc = tw_parse_loc(p, tok.col);
	p->s->data_order = TW_DATA_NEXT;
	if ((rc = tw_parse_next(p, &tok)))
		return rc;
	if (tok.kind == TW_TOK_WORD && (tw_parse_is_word(&tok, "next") ||
					tw_parse_is_word(&tok, "random") ||
					tw_parse_is_word(&tok, "once"))) {
		p->s->data_order = tw_parse_is_word(&tok, "random") ? TW_DATA_RANDOM
				   : tw_parse_is_word(&tok, "once") ? TW_DATA_ONCE
								     : TW_DATA_NEXT;
		if ((rc = tw_parse_next(p, &tok)))
			return rc;
	}
	if (tok.kind == TW_TOK_WORD && tw_parse_is_word(&tok, "secret"))
		return parse_secret_columns(p, &tok);
	if (tok.kind != TW_TOK_END)
		return tw_parse_err(p, tok.col,
				    "expected next, random, once or secret COLUMNS after the data "
				    "file, found '%s'",
				    tw_parse_shown(p, &tok));
	return TW_OK;
}
