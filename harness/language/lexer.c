/*
 * The rehearsal lexer. See lexer.h for the two stages (lines, then tokens
 * on demand).
 *
 * The rules a writer has to keep in mind are few, and they are the same
 * everywhere on a line:
 *   - blanks separate tokens; indentation means nothing;
 *   - `#` opens a comment only at the start of a token, that is at the start
 *     of the line or after a blank (`press 1#` and `/page#top` keep theirs);
 *   - `"` always opens a quoted part that must close on the same line, and
 *     inside it `#` and blanks are text. A quoted part may sit inside a word
 *     (`$["first name"]`, `{"a":"b c"}`), which keeps JSON and JSON queries
 *     whole;
 *   - right after the word `~`, a `/` opens a regular expression, which runs
 *     to the next unescaped `/` whatever it contains.
 * Escapes are decoded (and checked) only in a token that is a STRING by
 * itself; inside a word or a raw rest of line a backslash just protects the
 * next character, so JSON such as "caf\u00e9" passes through untouched.
 */
#include "language/lexer.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

bool tw_lex_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int oom(tw_error *err)
{
	return tw_error_set(err, TW_ENOMEM, "out of memory");
}

/* ---- stage 1: the whole source ---- */

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when the
 * bytes there are not valid UTF-8 (overlong forms, surrogates and code
 * points past U+10FFFF are invalid). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t need;
	uint32_t cp;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return need;
}

int tw_lex_lines(tw_arena *arena, const char *path, const char *text, size_t len,
		 char ***lines_out, size_t *count_out, tw_error *err)
{
	*lines_out = NULL;
	*count_out = 0;
	if (len > TW_SCRIPT_MAX_BYTES)
		return tw_error_set_at(err, TW_ELIMIT, path, 0, 0, NULL,
				       "the script is larger than 8 MiB (%zu bytes)", len);
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;
	if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
		i = 3; /* a byte order mark says nothing we need */

	char **lines = NULL;
	size_t count = 0, cap = 0;
	while (i < len) {
		size_t start = i;
		int lineno = (int)count + 1;
		while (i < len && s[i] != '\n') {
			if (s[i] == 0) {
				char *prefix = tw_arena_strndup(arena, text + start, i - start);
				return tw_error_set_at(err, TW_ESYNTAX, path, lineno,
						       (int)(i - start) + 1, prefix,
						       "NUL byte in the script: expected UTF-8 text");
			}
			size_t n = utf8_seq(s + i, len - i);
			if (n == 0) {
				char *prefix = tw_arena_strndup(arena, text + start, i - start);
				return tw_error_set_at(err, TW_ESYNTAX, path, lineno,
						       (int)(i - start) + 1, prefix,
						       "invalid UTF-8 (byte 0x%02x): expected UTF-8 text",
						       s[i]);
			}
			i += n;
			if (i - start > TW_LINE_MAX_BYTES + 1)
				break;
		}
		size_t end = i;
		if (end > start && s[end - 1] == '\r' && (end == len || s[end] == '\n'))
			end--;
		if (end - start > TW_LINE_MAX_BYTES)
			return tw_error_set_at(err, TW_ELIMIT, path, lineno, 1, NULL,
					       "line %d is longer than 64 KiB (%zu bytes)",
					       lineno, TW_LINE_MAX_BYTES);
		if (tw_arena_grow_array(arena, &lines, count, &cap, count + 1, sizeof(*lines)))
			return oom(err);
		lines[count] = tw_arena_strndup(arena, text + start, end - start);
		if (!lines[count])
			return oom(err);
		count++;
		if (i < len)
			i++; /* the newline */
	}
	*lines_out = lines;
	*count_out = count;
	return TW_OK;
}

/* ---- stage 2: tokens of one line ---- */

void tw_lex_init(tw_lexer *lx, const char *line, int lineno, const char *path,
		 tw_arena *arena, tw_error *err)
{
	memset(lx, 0, sizeof(*lx));
	lx->line = line;
	lx->len = strlen(line);
	lx->lineno = lineno;
	lx->path = path;
	lx->arena = arena;
	lx->err = err;
}

static int lex_error(tw_lexer *lx, size_t pos, const char *msg)
{
	return tw_error_set_at(lx->err, TW_ESYNTAX, lx->path, lx->lineno, (int)pos + 1,
			       lx->line, "%s", msg);
}

static void skip_blanks(tw_lexer *lx)
{
	while (lx->pos < lx->len && tw_lex_is_blank(lx->line[lx->pos]))
		lx->pos++;
}

/* True when a `#` at pos would start a comment. */
static bool comment_at(const tw_lexer *lx, size_t pos)
{
	return lx->line[pos] == '#' && (pos == 0 || tw_lex_is_blank(lx->line[pos - 1]));
}

/* Finds the closing quote of the quoted part opening at pos; backslash
 * protects the next byte. Returns the position after it, or 0 (never a
 * valid answer since pos >= 0 and the result > pos) when unterminated. */
static size_t quoted_end(const tw_lexer *lx, size_t pos)
{
	size_t i = pos + 1;
	while (i < lx->len) {
		if (lx->line[i] == '\\' && i + 1 < lx->len)
			i += 2;
		else if (lx->line[i] == '"')
			return i + 1;
		else
			i++;
	}
	return 0;
}

static int unterminated_string(tw_lexer *lx, size_t pos)
{
	return lex_error(lx, pos,
			 "unterminated string: expected a closing '\"' on the same line "
			 "(write \\\" for a quote inside a string)");
}

/* A STRING at lx->pos (which holds the opening quote). */
static int lex_string(tw_lexer *lx, tw_token *tok)
{
	size_t open = lx->pos;
	size_t end = quoted_end(lx, open);
	if (!end)
		return unterminated_string(lx, open);
	char *out = tw_arena_alloc(lx->arena, end - open);
	if (!out)
		return oom(lx->err);
	size_t n = 0;
	for (size_t i = open + 1; i < end - 1; i++) {
		char c = lx->line[i];
		if (c != '\\') {
			out[n++] = c;
			continue;
		}
		char e = lx->line[++i];
		switch (e) {
		case '"': out[n++] = '"'; break;
		case '\\': out[n++] = '\\'; break;
		case 'n': out[n++] = '\n'; break;
		case 't': out[n++] = '\t'; break;
		case 'r': out[n++] = '\r'; break;
		case '{':
			/* \{{ stays as written: the template reads it as a
			 * literal {{ (core/template.h). */
			if (lx->line[i + 1] != '{')
				return lex_error(lx, i - 1,
						 "'\\{' in a string: expected \\{{ (a literal {{)");
			out[n++] = '\\';
			out[n++] = '{';
			break;
		case 'u': {
			/* \u{1F600}: a code point, 1 to 6 hex digits */
			size_t j = i + 1, start = j + 1;
			unsigned long cp = 0;
			if (j < end - 1 && lx->line[j] == '{')
				for (j = start; j < end - 1 && j - start < 7 &&
						isxdigit((unsigned char)lx->line[j]);
				     j++)
					cp = cp * 16 + (unsigned long)(isdigit((unsigned char)lx->line[j])
									    ? lx->line[j] - '0'
									    : (tolower((unsigned char)lx->line[j]) - 'a' + 10));
			if (j == i + 1 || j == start || j - start > 6 || j >= end - 1 ||
			    lx->line[j] != '}')
				return lex_error(lx, i - 1,
						 "bad \\u escape: expected \\u{HEX} with 1 to 6 hex "
						 "digits, like \\u{e9} or \\u{1F600}");
			if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
				return lex_error(lx, i - 1,
						 "bad \\u escape: expected a Unicode code point "
						 "(1 to 10FFFF, not a surrogate, not 0)");
			if (cp < 0x80) {
				out[n++] = (char)cp;
			} else if (cp < 0x800) {
				out[n++] = (char)(0xC0 | (cp >> 6));
				out[n++] = (char)(0x80 | (cp & 0x3F));
			} else if (cp < 0x10000) {
				out[n++] = (char)(0xE0 | (cp >> 12));
				out[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
				out[n++] = (char)(0x80 | (cp & 0x3F));
			} else {
				out[n++] = (char)(0xF0 | (cp >> 18));
				out[n++] = (char)(0x80 | ((cp >> 12) & 0x3F));
				out[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
				out[n++] = (char)(0x80 | (cp & 0x3F));
			}
			i = j;
			break;
		}
		default: {
			char msg[160];
			snprintf(msg, sizeof(msg),
				 "unknown escape '\\%c' in a string: expected \\\", \\\\, \\n, \\r, "
				 "\\t, \\u{HEX} or \\{{",
				 e);
			return lex_error(lx, i - 1, msg);
		}
		}
	}
	out[n] = '\0';
	tok->kind = TW_TOK_STRING;
	tok->text = out;
	tok->raw_len = end - open;
	lx->pos = end;
	return TW_OK;
}

/* A REGEX at lx->pos (which holds the opening slash). */
static int lex_regex(tw_lexer *lx, tw_token *tok)
{
	size_t open = lx->pos;
	size_t i = open + 1;
	char *out = tw_arena_alloc(lx->arena, lx->len - open + 1);
	if (!out)
		return oom(lx->err);
	size_t n = 0;
	for (;;) {
		if (i >= lx->len)
			return lex_error(lx, open,
					 "unterminated regular expression: expected a closing '/' "
					 "(write \\/ for a slash inside it)");
		char c = lx->line[i];
		if (c == '/')
			break;
		if (c == '\\' && i + 1 < lx->len) {
			if (lx->line[i + 1] == '/') {
				out[n++] = '/';
			} else {
				out[n++] = '\\';
				out[n++] = lx->line[i + 1];
			}
			i += 2;
			continue;
		}
		out[n++] = c;
		i++;
	}
	out[n] = '\0';
	i++; /* the closing slash */
	size_t nflags = 0;
	while (i < lx->len && !tw_lex_is_blank(lx->line[i])) {
		char f = lx->line[i];
		if (!strchr("imsx", f)) {
			char msg[160];
			if (isalpha((unsigned char)f))
				snprintf(msg, sizeof(msg),
					 "unknown regular expression flag '%c': expected i, m, s "
					 "or x (or a blank after the closing '/')",
					 f);
			else
				snprintf(msg, sizeof(msg),
					 "unexpected character after the regular expression: "
					 "expected the flags i, m, s, x or a blank");
			return lex_error(lx, i, msg);
		}
		if (!memchr(tok->flags, f, nflags))
			tok->flags[nflags++] = f;
		i++;
	}
	tok->kind = TW_TOK_REGEX;
	tok->text = out;
	tok->raw_len = i - open;
	lx->pos = i;
	return TW_OK;
}

/* A WORD at lx->pos: up to the next blank outside quoted parts. */
static int lex_word(tw_lexer *lx, tw_token *tok)
{
	size_t start = lx->pos, i = start;
	/* `~/re/` written without a blank is the word `~` then a regex. */
	if (lx->line[i] == '~' && i + 1 < lx->len && lx->line[i + 1] == '/') {
		i++;
	} else {
		while (i < lx->len && !tw_lex_is_blank(lx->line[i])) {
			if (lx->line[i] == '"') {
				size_t end = quoted_end(lx, i);
				if (!end)
					return unterminated_string(lx, i);
				i = end;
			} else {
				i++;
			}
		}
	}
	tok->kind = TW_TOK_WORD;
	tok->raw_len = i - start;
	tok->text = tw_arena_strndup(lx->arena, lx->line + start, i - start);
	if (!tok->text)
		return oom(lx->err);
	lx->pos = i;
	return TW_OK;
}

int tw_lex_next(tw_lexer *lx, tw_token *tok)
{
	memset(tok, 0, sizeof(*tok));
	skip_blanks(lx);
	tok->col = (int)lx->pos + 1;
	tok->raw = lx->line + lx->pos;
	bool after_tilde = lx->after_tilde;
	lx->after_tilde = false;
	if (lx->pos >= lx->len || comment_at(lx, lx->pos)) {
		tok->kind = TW_TOK_END;
		tok->text = "";
		return TW_OK;
	}
	int rc;
	char c = lx->line[lx->pos];
	if (c == '/' && after_tilde)
		rc = lex_regex(lx, tok);
	else if (c == '"')
		rc = lex_string(lx, tok);
	else
		rc = lex_word(lx, tok);
	if (rc)
		return rc;
	lx->last_end = lx->pos;
	lx->after_tilde = tok->kind == TW_TOK_WORD && tok->raw_len == 1 && tok->raw[0] == '~';
	return TW_OK;
}

int tw_lex_peek(const tw_lexer *lx, tw_token *tok)
{
	tw_lexer copy = *lx;
	return tw_lex_next(&copy, tok);
}

int tw_lex_rest(tw_lexer *lx, tw_token *tok, bool unquote)
{
	memset(tok, 0, sizeof(*tok));
	lx->after_tilde = false;
	skip_blanks(lx);
	size_t start = lx->pos;
	tok->col = (int)start + 1;
	tok->raw = lx->line + start;

	/* Find the comment (or the end), skipping over quoted parts. */
	size_t i = start, end = start;
	while (i < lx->len && !comment_at(lx, i)) {
		if (lx->line[i] == '"') {
			size_t q = quoted_end(lx, i);
			if (!q)
				return unterminated_string(lx, i);
			i = q;
			end = i;
		} else {
			if (!tw_lex_is_blank(lx->line[i]))
				end = i + 1;
			i++;
		}
	}
	if (end == start) {
		tok->kind = TW_TOK_END;
		tok->text = "";
		lx->pos = i;
		return TW_OK;
	}
	if (unquote && lx->line[start] == '"' && quoted_end(lx, start) == end) {
		int rc = lex_string(lx, tok);
		if (rc)
			return rc;
		lx->last_end = lx->pos;
		return TW_OK;
	}
	tok->kind = TW_TOK_REST;
	tok->raw_len = end - start;
	tok->text = tw_arena_strndup(lx->arena, lx->line + start, end - start);
	if (!tok->text)
		return oom(lx->err);
	lx->pos = end;
	lx->last_end = end;
	return TW_OK;
}

size_t tw_lex_raw_offset(const tw_token *tok, size_t off)
{
	if (tok->kind != TW_TOK_STRING && tok->kind != TW_TOK_REGEX)
		return off;
	size_t r = 1, d = 0;
	while (d < off && r < tok->raw_len) {
		if (tok->raw[r] == '\\' && r + 1 < tok->raw_len) {
			/* In a STRING every escape is one decoded byte; in a
			 * REGEX only \/ is, the others are kept as two. */
			if (tok->kind == TW_TOK_STRING || tok->raw[r + 1] == '/') {
				r += 2;
				d += 1;
			} else {
				r += 2;
				d += 2;
			}
		} else {
			r++;
			d++;
		}
	}
	/* An offset inside a two-byte escape lands after it; good enough for
	 * a caret. */
	return r;
}
