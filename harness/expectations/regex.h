/*
 * PCRE2, the way expectations and the checker use it: compile once per
 * expectation with the script's flags (a compiled tw_regex is read-only, so
 * every worker thread shares it), match against UTF-8 text, hand back group
 * 1 (or the whole match) for captures.
 */
#ifndef TW_EXPECT_REGEX_H
#define TW_EXPECT_REGEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "techweek/error.h"

typedef struct tw_regex tw_regex;

/* flags: any of "imsx" (caseless, multiline, dotall, extended). UTF mode is
 * always on, and so are Unicode character classes (PCRE2_UCP: \w matches
 * é). TW_ESYNTAX with PCRE2's message and the offset on a bad pattern
 * ("missing ) at offset 7"). */
int tw_regex_compile(tw_regex **out, const char *pattern, const char *flags,
		     tw_error *err);
/* As tw_regex_compile, for a caller that points at the place itself (the
 * checker's caret): on a bad pattern err says PCRE2's words alone and
 * *bad_offset the byte offset in pattern where it went wrong. */
int tw_regex_compile_at(tw_regex **out, const char *pattern, const char *flags,
			size_t *bad_offset, tw_error *err);
void tw_regex_free(tw_regex *re);

/* Matches subject (len bytes). *matched tells; when captured is not NULL
 * and it matched, *captured is a malloc'd copy of group 1 if the pattern
 * has groups, else of the whole match. Returns TW_OK, TW_ENOMEM,
 * TW_ELIMIT when PCRE2's match limit stopped it (catastrophic
 * backtracking): that is reported, never taken as "no match", or
 * TW_EUSAGE when subject is not valid UTF-8 ("not valid UTF-8 at byte 12
 * (...)"). */
int tw_regex_match(const tw_regex *re, const char *subject, size_t len,
		   bool *matched, char **captured, tw_error *err);

/* Replaces every match in subject (len bytes) with replacement, where $1
 * stands for group 1 and $$ for a dollar (PCRE2's substitution). *out is
 * malloc'd, NUL-terminated, *out_len bytes. Errors as tw_regex_match's,
 * and TW_EUSAGE for a replacement PCRE2 refuses ("unknown substring"). */
int tw_regex_replace(const tw_regex *re, const char *subject, size_t len,
		     const char *replacement, char **out, size_t *out_len, tw_error *err);

/* ---- issue 14, MATCH: where a prompt matched, for hear's cursor and a
 * `when hear` handler's $1..$9 ---- */

/* The capturing groups in re's pattern. */
int tw_regex_groups(const tw_regex *re);

/* As tw_regex_match on subject (len bytes), looking from byte from on
 * (lookbehinds see the bytes before it): when *matched, ovec[2i] and
 * ovec[2i + 1] are the bytes [start, end) of group i (0: the whole
 * match) for i < pairs, SIZE_MAX both for a group that took no part. */
int tw_regex_find(const tw_regex *re, const char *subject, size_t len, size_t from,
		  bool *matched, size_t *ovec, size_t pairs, tw_error *err);

#endif
