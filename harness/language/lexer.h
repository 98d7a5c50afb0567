/*
 * The rehearsal lexer: bytes -> lines -> tokens.
 *
 * The language is line-oriented, so lexing happens in two stages. First the
 * whole source is checked (UTF-8, no NUL, size caps) and cut into lines
 * (tw_lex_lines). Then the parser walks one line at a time and pulls tokens
 * from it on demand (tw_lex_next), because what a piece of text means
 * depends on where it stands: after `~` a `/` opens a regular expression,
 * and some positions take "the rest of the line" verbatim (tw_lex_rest).
 *
 * Every token carries its 1-based byte column, so errors point at it.
 */
#ifndef TW_LANGUAGE_LEXER_H
#define TW_LANGUAGE_LEXER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "techweek/error.h"

#define TW_SCRIPT_MAX_BYTES ((size_t)8 << 20) /* 8 MiB */
#define TW_LINE_MAX_BYTES ((size_t)64 << 10)  /* 64 KiB */

typedef enum tw_tok_kind {
	TW_TOK_END,    /* end of the line, or the start of a comment */
	TW_TOK_WORD,   /* any other run of non-blank characters */
	TW_TOK_STRING, /* "double quoted", escapes decoded */
	TW_TOK_REGEX,  /* /pattern/flags, only right after a `~` */
	TW_TOK_REST,   /* the raw rest of a line (tw_lex_rest) */
} tw_tok_kind;

typedef struct tw_token {
	tw_tok_kind kind;
	int col;         /* 1-based byte column of the token's first byte */
	const char *raw; /* the token as written; points into the line */
	size_t raw_len;
	char *text;      /* arena copy: WORD and REST as written, STRING
			    unescaped, REGEX the pattern with \/ turned into /;
			    "" for END */
	char flags[8];   /* REGEX: the flags, a subset of "imsx" */
} tw_token;

/* The state of lexing one line. Plain data: copy it to look ahead. */
typedef struct tw_lexer {
	const char *line; /* NUL-terminated; no newline */
	size_t len;
	size_t pos;       /* next byte to read */
	size_t last_end;  /* end of the last token returned */
	bool after_tilde; /* the last token was the word `~` */
	int lineno;
	const char *path; /* for error messages */
	tw_arena *arena;  /* token text lives here */
	tw_error *err;
} tw_lexer;

/* Splits a whole source into lines after checking it: at most
 * TW_SCRIPT_MAX_BYTES, no NUL byte, valid UTF-8 (a leading BOM is
 * skipped), lines at most TW_LINE_MAX_BYTES. Accepts LF and CRLF endings.
 * On success *lines (count *count) holds NUL-terminated copies in arena.
 * On failure err has the place (TW_ESYNTAX, or TW_ELIMIT for the caps). */
int tw_lex_lines(tw_arena *arena, const char *path, const char *text, size_t len,
		 char ***lines, size_t *count, tw_error *err);

void tw_lex_init(tw_lexer *lx, const char *line, int lineno, const char *path,
		 tw_arena *arena, tw_error *err);

/* The next WORD, STRING or (after `~`) REGEX; END at the end of the line
 * or at a comment. Returns TW_OK, or TW_ESYNTAX with err set (unterminated
 * string or regex, unknown escape, unknown regex flag), or TW_ENOMEM. */
int tw_lex_next(tw_lexer *lx, tw_token *tok);

/* Like tw_lex_next but leaves the lexer where it was. */
int tw_lex_peek(const tw_lexer *lx, tw_token *tok);

/* Everything from the current position to the end of the line, minus a
 * trailing comment and surrounding blanks, as written (TW_TOK_REST; END
 * when there is nothing). When unquote is true and the rest is exactly one
 * STRING, that STRING token is returned instead (its content unescaped).
 * Quotes must balance: `"` always opens a quoted part in which `#` is
 * text. */
int tw_lex_rest(tw_lexer *lx, tw_token *tok, bool unquote);

/* True for the blanks that separate tokens: space, tab, CR, VT, FF. */
bool tw_lex_is_blank(char c);

/* Maps an offset in a token's decoded text (STRING or REGEX) to the offset
 * in its raw spelling, so errors found in the decoded text can point at
 * the right column. For WORD and REST the two are the same. */
size_t tw_lex_raw_offset(const tw_token *tok, size_t decoded_offset);

#endif
