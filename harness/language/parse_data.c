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

static int add_secret_column(parser *p, const char *text, size_t len, int col, void *ctx)
{
	size_t *cap = ctx; /* [0]: the names', [1]: their places' */
	tw_script *sc = p->s;
	if (!tw_parse_valid_var_name(text, len))
		return tw_parse_err(p, col,
				    "'%.*s' is not a column name: a column is a variable name "
				    "(letters, digits, '_', '.' and '-', starting with a letter or '_')",
				    (int)len, text);
	char *name = tw_arena_strndup(p->arena, text, len);
	if (!name ||
	    tw_arena_grow_array(p->arena, &sc->data_secrets, sc->data_secret_count, &cap[0],
				sc->data_secret_count + 1, sizeof(char *)) ||
	    tw_arena_grow_array(p->arena, &sc->data_secret_locs, sc->data_secret_count, &cap[1],
				sc->data_secret_count + 1, sizeof(tw_loc)))
		return tw_parse_oom(p);
	sc->data_secret_locs[sc->data_secret_count] = tw_parse_loc(p, col);
	sc->data_secrets[sc->data_secret_count++] = name;
	return TW_OK;
}

/* secret password, card: the names after `secret`, comma-separated. */
static int parse_secret_columns(parser *p, const tw_token *kw)
{
	(void)kw;
	tw_token rest;
	int rc = tw_lex_rest(&p->lx, &rest, false);
	if (rc)
		return rc;
	if (rest.kind == TW_TOK_END)
		return tw_parse_err(p, rest.col,
				    "expected the columns whose values are secrets after 'secret', "
				    "like secret password, card");
	size_t cap[2] = {0, 0};
	return tw_parse_list(p, &rest, "column name",
			     "expected ',' between the secret columns, like secret password, card",
			     add_secret_column, cap);
}

int tw_parse_cast_from(parser *p)
{
	tw_token tok;
	int rc = tw_parse_next(p, &tok); /* `from` */
	if (rc || (rc = tw_parse_next(p, &tok)))
		return rc;
	if ((rc = tw_parse_file_name(p, &tok, "the data file", "cast from", "cast from \"data/users.csv\"",
				     "it is read before any variable is known")))
		return rc;
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
