/*
 * Regular expressions for `expect ... ~ /pattern/flags`, on PCRE2 (8-bit
 * code units, UTF mode always on). Pages are written in every language, so
 * PCRE2_UCP is on as well: \w, \d, \s, \b and [[:alpha:]] follow Unicode
 * properties and /^\w+$/ matches "été".
 *
 * The text we match comes from the service under test, so it is hostile
 * until proven otherwise. Two things follow:
 *
 *  - Every match runs under a match context with hard limits (match calls,
 *    backtracking depth, heap). A pattern such as /(a+)+$/ against a long
 *    run of a's followed by "!" backtracks exponentially; with the limits it
 *    stops in a fraction of a second and the caller hears TW_ELIMIT, which
 *    expectations report as a failure, never as "did not match".
 *
 *  - PCRE2 validates the subject as UTF-8 (we never pass
 *    PCRE2_NO_UTF_CHECK, whose contract is undefined behaviour on bad
 *    input). A body in Latin-1 or with stray bytes is reported with the
 *    offset of the first bad byte, so the script author knows why.
 *
 * A compiled tw_regex holds its match context so that it is complete on its
 * own and can later be cached per step and shared by performances:
 * pcre2_match only reads the code and the context. Match data is per call.
 */
#include "expectations/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* About a second of backtracking at most on a current machine; real
 * patterns against real pages use a tiny fraction of it. */
#define REGEX_MATCH_LIMIT 10000000u
/* Nested backtracking points (PCRE2 keeps them on its own heap). A group
 * repeated more than this many times in one match is not a page check. */
#define REGEX_DEPTH_LIMIT 1000000u
/* In KiB: what one match may take from the heap for backtracking. */
#define REGEX_HEAP_LIMIT_KIB (64u * 1024u)

struct tw_regex {
	pcre2_general_context *gctx;
	pcre2_code *code;
	pcre2_match_context *mctx;
	uint32_t groups; /* capturing groups in the pattern */
};

static int flags_to_options(const char *flags, uint32_t *opts, tw_error *err)
{
	*opts = PCRE2_UTF | PCRE2_UCP | PCRE2_NEVER_BACKSLASH_C;
	for (const char *f = flags ? flags : ""; *f; f++) {
		switch (*f) {
		case 'i': *opts |= PCRE2_CASELESS; break;
		case 'm': *opts |= PCRE2_MULTILINE; break;
		case 's': *opts |= PCRE2_DOTALL; break;
		case 'x': *opts |= PCRE2_EXTENDED; break;
		default:
			if ((unsigned char)*f < 0x20 || (unsigned char)*f >= 0x7f)
				return tw_error_set(err, TW_ESYNTAX,
						    "unknown regex flag \\x%02x: expected any of i, m, s, x",
						    (unsigned char)*f);
			return tw_error_set(err, TW_ESYNTAX,
					    "unknown regex flag '%c': expected any of i, m, s, x", *f);
		}
	}
	return TW_OK;
}

static void pcre2_message(int code, char *buf, size_t n)
{
	if (pcre2_get_error_message(code, (PCRE2_UCHAR *)buf, n) < 0)
		snprintf(buf, n, "PCRE2 error %d", code);
}

/* The one compile: the flags' options, the limits. PCRE2's message names
 * the offset itself unless bad_offset takes it. */
/* PCRE2 allocates through these rather than its own default, so that every
 * allocation a regex makes is the engine's malloc: what the out-of-memory
 * torture (tests/torture) fails on demand. */
static void *regex_malloc(PCRE2_SIZE size, void *data)
{
	(void)data;
	return malloc(size);
}

static void regex_free(void *p, void *data)
{
	(void)data;
	free(p);
}

static int compile(tw_regex **out, const char *pattern, const char *flags,
		   size_t *bad_offset, tw_error *err)
{
	*out = NULL;
	if (bad_offset)
		*bad_offset = 0;
	uint32_t opts;
	int rc = flags_to_options(flags, &opts, err);
	if (rc)
		return rc;

	pcre2_general_context *gctx = pcre2_general_context_create(regex_malloc, regex_free, NULL);
	pcre2_compile_context *cctx = gctx ? pcre2_compile_context_create(gctx) : NULL;
	if (!cctx) {
		pcre2_general_context_free(gctx);
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	}
	int code;
	PCRE2_SIZE offset;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts,
				       &code, &offset, cctx);
	pcre2_compile_context_free(cctx);
	if (!re) {
		pcre2_general_context_free(gctx);
		/* A compile that could not allocate says HEAP_FAILED. */
		if (code == PCRE2_ERROR_NOMEMORY || code == PCRE2_ERROR_HEAP_FAILED)
			return tw_error_set(err, TW_ENOMEM, "out of memory");
		char msg[256];
		pcre2_message(code, msg, sizeof(msg));
		if (!bad_offset)
			return tw_error_set(err, TW_ESYNTAX, "%s at offset %zu", msg,
					    (size_t)offset);
		*bad_offset = (size_t)offset;
		return tw_error_set(err, TW_ESYNTAX, "%s", msg);
	}

	tw_regex *r = calloc(1, sizeof(*r));
	pcre2_match_context *mctx = pcre2_match_context_create(gctx);
	if (!r || !mctx) {
		free(r);
		pcre2_match_context_free(mctx);
		pcre2_code_free(re);
		pcre2_general_context_free(gctx);
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	}
	pcre2_set_match_limit(mctx, REGEX_MATCH_LIMIT);
	pcre2_set_depth_limit(mctx, REGEX_DEPTH_LIMIT);
	pcre2_set_heap_limit(mctx, REGEX_HEAP_LIMIT_KIB);
	pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &r->groups);
	r->gctx = gctx;
	r->code = re;
	r->mctx = mctx;
	*out = r;
	return TW_OK;
}

int tw_regex_compile(tw_regex **out, const char *pattern, const char *flags,
		     tw_error *err)
{
	return compile(out, pattern, flags, NULL, err);
}

int tw_regex_compile_at(tw_regex **out, const char *pattern, const char *flags,
			size_t *bad_offset, tw_error *err)
{
	return compile(out, pattern, flags, bad_offset, err);
}

void tw_regex_free(tw_regex *re)
{
	if (!re)
		return;
	pcre2_match_context_free(re->mctx);
	pcre2_code_free(re->code);
	pcre2_general_context_free(re->gctx);
	free(re);
}

static bool is_utf8_error(int rc)
{
	return rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21;
}

/* Group 1 when the pattern has groups (empty when that group took no part
 * in the match), else the whole match. */
static char *copy_capture(const tw_regex *re, const char *subject, pcre2_match_data *md)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	uint32_t pairs = pcre2_get_ovector_count(md);
	PCRE2_SIZE start = 0, end = 0;
	if (re->groups >= 1 && pairs >= 2) {
		start = ov[2];
		end = ov[3];
	} else {
		start = ov[0];
		end = ov[1];
	}
	/* An unset group, or \K moving the start past the end. */
	if (start == PCRE2_UNSET || end == PCRE2_UNSET || start > end)
		start = end = 0;
	size_t n = (size_t)(end - start);
	char *s = malloc(n + 1);
	if (!s)
		return NULL;
	if (n)
		memcpy(s, subject + start, n);
	s[n] = '\0';
	return s;
}

/* pcre2_match from byte `from`: TW_OK with *matched, md holding the match;
 * or PCRE2's failure as an error, named the same way for every caller.
 * *mdp is the caller's to free (NULL when it could not be made). */
static int match_at(const tw_regex *re, const char *subject, size_t len, size_t from,
		    pcre2_match_data **mdp, bool *matched, tw_error *err)
{
	*matched = false;
	pcre2_match_data *md = *mdp = pcre2_match_data_create_from_pattern(re->code, re->gctx);
	if (!md)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	int rc = pcre2_match(re->code, (PCRE2_SPTR)subject, (PCRE2_SIZE)len, (PCRE2_SIZE)from,
			     0, md, re->mctx);
	char msg[256];
	if (rc >= 0) {
		/* rc == 0 would mean the ovector is too small, which cannot
		 * happen with match data sized from the pattern. */
		*matched = true;
		return TW_OK;
	}
	if (rc == PCRE2_ERROR_NOMATCH)
		return TW_OK;
	if (rc == PCRE2_ERROR_NOMEMORY)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	pcre2_message(rc, msg, sizeof(msg));
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	    rc == PCRE2_ERROR_HEAPLIMIT)
		return tw_error_set(err, TW_ELIMIT,
				    "PCRE2 gave up (%s): the pattern backtracks too much on "
				    "this text",
				    msg);
	if (is_utf8_error(rc))
		return tw_error_set(err, TW_EUSAGE, "not valid UTF-8 at byte %zu (%s)",
				    (size_t)pcre2_get_startchar(md), msg);
	return tw_error_set(err, TW_EINTERNAL, "PCRE2 match failed: %s", msg);
}

int tw_regex_match(const tw_regex *re, const char *subject, size_t len,
		   bool *matched, char **captured, tw_error *err)
{
	if (captured)
		*captured = NULL;
	if (!subject) {
		subject = "";
		len = 0;
	}
	pcre2_match_data *md = NULL;
	int result = match_at(re, subject, len, 0, &md, matched, err);
	if (result == TW_OK && *matched && captured &&
	    !(*captured = copy_capture(re, subject, md)))
		result = tw_error_set(err, TW_ENOMEM, "out of memory");
	pcre2_match_data_free(md);
	return result;
}

int tw_regex_replace(const tw_regex *re, const char *subject, size_t len,
		     const char *replacement, char **out, size_t *out_len, tw_error *err)
{
	*out = NULL;
	/* A first guess; PCRE2 says how much it needs when that is short. */
	PCRE2_SIZE size = len + len / 2 + strlen(replacement) + 64;
	for (int attempt = 0; attempt < 2; attempt++) {
		PCRE2_UCHAR *buf = malloc(size + 1);
		if (!buf)
			return tw_error_set(err, TW_ENOMEM, "out of memory");
		PCRE2_SIZE n = size + 1;
		int rc = pcre2_substitute(re->code, (PCRE2_SPTR)(subject ? subject : ""),
					  (PCRE2_SIZE)len, 0,
					  PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH,
					  NULL, re->mctx, (PCRE2_SPTR)replacement,
					  PCRE2_ZERO_TERMINATED, buf, &n);
		if (rc >= 0) {
			*out = (char *)buf;
			*out_len = n;
			return TW_OK;
		}
		free(buf);
		if (rc == PCRE2_ERROR_NOMEMORY && attempt == 0) {
			size = n; /* the length it needs, with its NUL */
			continue;
		}
		/* Twice: the size it asked for is there, so memory ran out. */
		if (rc == PCRE2_ERROR_NOMEMORY)
			break;
		char msg[256];
		pcre2_message(rc, msg, sizeof(msg));
		if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
		    rc == PCRE2_ERROR_HEAPLIMIT)
			return tw_error_set(err, TW_ELIMIT,
					    "PCRE2 gave up (%s): the pattern backtracks too much "
					    "on this text",
					    msg);
		if (is_utf8_error(rc))
			return tw_error_set(err, TW_EUSAGE, "not valid UTF-8 (%s)", msg);
		return tw_error_set(err, TW_EUSAGE, "%s", msg);
	}
	return tw_error_set(err, TW_ENOMEM, "out of memory");
}

/* ---- issue 14, MATCH ---- */

int tw_regex_groups(const tw_regex *re)
{
	return (int)re->groups;
}

int tw_regex_find(const tw_regex *re, const char *subject, size_t len, size_t from,
		  bool *matched, size_t *ovec, size_t pairs, tw_error *err)
{
	*matched = false;
	for (size_t i = 0; i < 2 * pairs; i++)
		ovec[i] = SIZE_MAX;
	if (!subject) {
		subject = "";
		len = 0;
	}
	if (from > len)
		return TW_OK;
	pcre2_match_data *md = NULL;
	int result = match_at(re, subject, len, from, &md, matched, err);
	if (result == TW_OK && *matched) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
		uint32_t have = pcre2_get_ovector_count(md);
		for (size_t i = 0; i < pairs && i < have; i++) {
			if (ov[2 * i] == PCRE2_UNSET)
				continue;
			ovec[2 * i] = ov[2 * i];
			ovec[2 * i + 1] = ov[2 * i + 1];
		}
	}
	pcre2_match_data_free(md);
	return result;
}
