/*
 * Redaction in one pass over the text. At each position a table indexed by
 * the byte there lists the patterns that can start with it; most bytes
 * start none, so most positions cost one lookup.
 *
 * Escapes (percent, HTML/XML character references, JSON) are decoded as
 * the text is compared with a secret, rather than listed as spellings:
 * encoders differ in which characters they leave bare (libcurl keeps '~',
 * a browser's form encoder keeps '*') and in the case of their hex, and a
 * decoding comparison covers every such choice at the cost of one. So a
 * secret is filed under its first byte and under each byte an escape
 * starts with ('%', '+', '&', '\').
 *
 * Base64 cannot be decoded in place: a secret's bytes straddle 3-byte
 * groups, so its characters depend on where it starts. Each secret files
 * its base64 for the three offsets a group can start at, keeping the
 * characters its own bits decide; the character on either side that also
 * holds bits of the secret is taken when present (lead, trail).
 */
#include "core/redact.h"

#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/buf.h"
#include "core/utf8.h"
#include "techweek/error.h"

/* Base64 of a shorter secret is a handful of characters, found by chance
 * in any long base64 text. */
#define BASE64_MIN_SECRET 6
/* Digits read in a character reference, leading zeros included. */
#define REF_DIGITS 7
/* The longest escape of one byte: &#x0000041; */
#define ESCAPE_MAX (3 + REF_DIGITS + 1)

static bool is_base64(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* &amp; &lt; &gt; &quot; &apos; &#NN; &#xHH; */
static size_t char_ref(const unsigned char *t, size_t n, unsigned char out[4], size_t *outn)
{
	static const struct {
		const char *name;
		char c;
	} named[] = {{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}};
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		size_t k = strlen(named[i].name);
		if (n > k && memcmp(t + 1, named[i].name, k) == 0) {
			out[0] = (unsigned char)named[i].c;
			*outn = 1;
			return 1 + k;
		}
	}
	if (n < 4 || t[1] != '#')
		return 0;
	size_t i = 2;
	bool hex = t[i] == 'x' || t[i] == 'X';
	if (hex)
		i++;
	uint32_t cp = 0;
	size_t digits = 0;
	for (; i < n && digits < REF_DIGITS; i++, digits++) {
		int v = hex ? hex_value(t[i]) : (t[i] >= '0' && t[i] <= '9' ? t[i] - '0' : -1);
		if (v < 0)
			break;
		cp = cp * (hex ? 16 : 10) + (uint32_t)v;
	}
	if (!digits || i >= n || t[i] != ';')
		return 0;
	*outn = tw_utf8_encode(cp, out);
	return *outn ? i + 1 : 0;
}

static bool hex4(const unsigned char *t, size_t n, uint32_t *v)
{
	if (n < 4)
		return false;
	*v = 0;
	for (int i = 0; i < 4; i++) {
		int d = hex_value(t[i]);
		if (d < 0)
			return false;
		*v = *v << 4 | (uint32_t)d;
	}
	return true;
}

/* \" \\ \/ \b \f \n \r \t \uXXXX, a surrogate pair as one character. */
static size_t json_escape(const unsigned char *t, size_t n, unsigned char out[4], size_t *outn)
{
	if (n < 2)
		return 0;
	static const char simple[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
	for (const char *s = simple; *s; s += 2)
		if (t[1] == (unsigned char)s[0]) {
			out[0] = (unsigned char)s[1];
			*outn = 1;
			return 2;
		}
	uint32_t cp, lo;
	if (t[1] != 'u' || !hex4(t + 2, n - 2, &cp))
		return 0;
	size_t used = 6;
	if (cp >= 0xd800 && cp <= 0xdbff && n >= 12 && t[6] == '\\' && t[7] == 'u' &&
	    hex4(t + 8, n - 8, &lo) && lo >= 0xdc00 && lo <= 0xdfff) {
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		used = 12;
	}
	*outn = tw_utf8_encode(cp, out);
	return *outn ? used : 0;
}

/* When t (n bytes) starts with an escape: its length, and in out the
 * bytes it stands for; else 0. */
static size_t unescape(const unsigned char *t, size_t n, unsigned char out[4], size_t *outn)
{
	switch (t[0]) {
	case '%':
		if (n < 3 || hex_value(t[1]) < 0 || hex_value(t[2]) < 0)
			return 0;
		out[0] = (unsigned char)(hex_value(t[1]) << 4 | hex_value(t[2]));
		*outn = 1;
		return 3;
	case '+': /* a space in a query or form */
		out[0] = ' ';
		*outn = 1;
		return 1;
	case '&':
		return char_ref(t, n, out, outn);
	case '\\':
		return json_escape(t, n, out, outn);
	default:
		return 0;
	}
}

/* How many bytes of t spell p's secret, each of its characters as is or
 * escaped; 0 when they do not. Each escape is tried first and the byte as
 * is when the escape stands for something else, so an escaped secret
 * holding a literal "%41" or "+" is found too. */
static size_t match_decoded(const unsigned char *t, size_t n, const tw_redact_pattern *p)
{
	const unsigned char *s = (const unsigned char *)p->text;
	/* As is first: decoding "&amp;" inside a secret that holds it would
	 * otherwise miss the secret itself. */
	if (n >= p->len && memcmp(t, s, p->len) == 0)
		return p->len;
	size_t i = 0, j = 0;
	while (j < p->len) {
		if (i >= n)
			return 0;
		unsigned char d[4];
		size_t dn = 0, used = unescape(t + i, n - i, d, &dn);
		if (used && dn <= p->len - j && memcmp(d, s + j, dn) == 0) {
			i += used;
			j += dn;
		} else if (t[i] == s[j]) {
			i++;
			j++;
		} else {
			return 0;
		}
	}
	return i;
}

static size_t match_base64(const tw_redact_pattern *p, const unsigned char *t, size_t n,
			   size_t lead)
{
	if (n < lead + p->len || memcmp(t + lead, p->text, p->len) != 0)
		return 0;
	size_t m = lead + p->len;
	if (p->trail && m < n && is_base64(t[m]))
		m++;
	return m;
}

/* Whether any pattern can start at t: one table lookup for most bytes. */
static inline bool may_start(const tw_redact *r, const unsigned char *t, size_t n)
{
	unsigned char b = t[0];
	if (r->by_first[0][b] != r->by_first[0][b + 1])
		return true;
	return n > 1 && r->by_first[1][t[1]] != r->by_first[1][t[1] + 1] && is_base64(b);
}

static size_t span_at(const tw_redact *r, const unsigned char *t, size_t n)
{
	size_t best = 0;
	unsigned char b = t[0];
	for (uint32_t k = r->by_first[0][b]; k < r->by_first[0][b + 1]; k++) {
		const tw_redact_pattern *p = &r->patterns[r->slots[0][k]];
		size_t m = p->base64 ? match_base64(p, t, n, 0) : match_decoded(t, n, p);
		if (m > best)
			best = m;
	}
	if (n > 1 && is_base64(b)) {
		b = t[1];
		for (uint32_t k = r->by_first[1][b]; k < r->by_first[1][b + 1]; k++) {
			size_t m = match_base64(&r->patterns[r->slots[1][k]], t, n, 1);
			if (m > best)
				best = m;
		}
	}
	return best;
}

size_t tw_redact_span(const tw_redact *r, const char *text, size_t len, size_t at)
{
	if (!r || !r->count || at >= len)
		return 0;
	const unsigned char *t = (const unsigned char *)text + at;
	return may_start(r, t, len - at) ? span_at(r, t, len - at) : 0;
}

size_t tw_redact_reach(const tw_redact *r)
{
	return r ? r->reach : 0;
}

/* The bytes p can start with in table 0: its own first byte, and for a
 * secret each byte an escape starts with. */
static size_t first_bytes(const tw_redact_pattern *p, unsigned char out[5])
{
	unsigned char c0 = (unsigned char)p->text[0];
	size_t n = 0;
	out[n++] = c0;
	if (p->base64)
		return n;
	const unsigned char esc[] = {'%', '&', '\\', c0 == ' ' ? '+' : c0};
	for (size_t i = 0; i < sizeof(esc); i++)
		if (memchr(out, esc[i], n) == NULL)
			out[n++] = esc[i];
	return n;
}

/* Rebuilds the tables from the patterns (adding is rare: once per secret
 * before the first request). */
static int index_patterns(tw_redact *r)
{
	uint32_t *slots[2] = {NULL, NULL};
	uint32_t counts[2][257] = {{0}};
	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = 0; k < r->count; k++) {
			const tw_redact_pattern *p = &r->patterns[k];
			unsigned char first[5];
			size_t nf = first_bytes(p, first);
			for (size_t i = 0; i < nf; i++) {
				if (pass == 0)
					counts[0][first[i]]++;
				else
					slots[0][r->by_first[0][first[i]] + counts[0][first[i]]++] =
						(uint32_t)k;
			}
			if (p->base64 && p->lead) {
				unsigned char c = (unsigned char)p->text[0];
				if (pass == 0)
					counts[1][c]++;
				else
					slots[1][r->by_first[1][c] + counts[1][c]++] = (uint32_t)k;
			}
		}
		if (pass == 0) {
			for (int t = 0; t < 2; t++) {
				uint32_t at = 0;
				for (int b = 0; b < 256; b++) {
					r->by_first[t][b] = at;
					at += counts[t][b];
					counts[t][b] = 0;
				}
				r->by_first[t][256] = at;
				slots[t] = malloc((at ? at : 1) * sizeof(uint32_t));
			}
			if (!slots[0] || !slots[1]) {
				free(slots[0]);
				free(slots[1]);
				memset(r->by_first, 0, sizeof(r->by_first));
				return TW_ENOMEM;
			}
		}
	}
	for (int t = 0; t < 2; t++) {
		free(r->slots[t]);
		r->slots[t] = slots[t];
	}
	r->stale = false;
	return TW_OK;
}

static int add_pattern(tw_redact *r, const char *text, size_t len, bool base64, bool lead,
		       bool trail)
{
	/* A secret is a C string, and so its base64: len is strlen(text)
	 * up to the cut made below. */
	char *copy = malloc(len + 1);
	if (!copy)
		return TW_ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';
	tw_strmap *seen = &r->seen[base64 ? 1 + 2 * lead + trail : 0];
	if (tw_strmap_get(seen, copy, NULL)) {
		free(copy);
		return TW_OK;
	}
	if (tw_array_grow(&r->patterns, &r->cap, r->count + 1, sizeof(*r->patterns)) ||
	    tw_strmap_put(seen, copy, r->count, NULL, NULL)) {
		free(copy);
		return TW_ENOMEM;
	}
	r->patterns[r->count++] = (tw_redact_pattern){copy, len, base64, lead, trail};
	r->stale = true;
	size_t reach = base64 ? len + 2 : len * ESCAPE_MAX;
	if (reach > r->reach)
		r->reach = reach;
	return TW_OK;
}

/* The secret's base64 when it starts at byte a of a 3-byte group: the
 * characters whose 6 bits all come from the secret. */
static int add_base64(tw_redact *r, const char *secret, size_t n)
{
	if (n < BASE64_MIN_SECRET || n > INT_MAX / 2)
		return TW_OK;
	unsigned char *in = malloc(n + 2), *enc = malloc(4 * ((n + 4) / 3) + 1);
	int rc = in && enc ? TW_OK : TW_ENOMEM;
	for (size_t a = 0; rc == TW_OK && a < 3; a++) {
		memset(in, 0, a);
		memcpy(in + a, secret, n);
		EVP_EncodeBlock(enc, in, (int)(a + n));
		size_t first = (8 * a + 5) / 6, end = 8 * (a + n) / 6;
		rc = add_pattern(r, (const char *)enc + first, end - first, true, (8 * a) % 6 != 0,
				 (8 * (a + n)) % 6 != 0);
	}
	free(in);
	free(enc);
	return rc;
}

int tw_redact_add(tw_redact *r, const char *secret)
{
	if (!secret || !*secret)
		return TW_OK;
	size_t n = strlen(secret);
	int rc = add_pattern(r, secret, n, false, false, false);
	if (rc == TW_OK)
		rc = add_base64(r, secret, n);
	if (rc == TW_OK && !r->batch && r->stale)
		rc = index_patterns(r);
	return rc;
}

/* issue 13, F2 */
int tw_redact_add_given(tw_redact *r, const char *s, size_t n)
{
	if (!s || n < TW_REDACT_MIN_GIVEN)
		return TW_OK;
	char *copy = strndup(s, n);
	int rc = copy ? tw_redact_add(r, copy) : TW_ENOMEM;
	free(copy);
	return rc;
}

void tw_redact_batch_begin(tw_redact *r)
{
	r->batch++;
}

int tw_redact_batch_end(tw_redact *r)
{
	if (r->batch > 0)
		r->batch--;
	return !r->batch && r->stale ? index_patterns(r) : TW_OK;
}

char *tw_redact_apply(const tw_redact *r, const char *text)
{
	if (!text)
		return NULL;
	if (!r || r->count == 0)
		return strdup(text);
	size_t len = strlen(text), from = 0, i = 0;
	tw_buf b;
	tw_buf_init(&b, (size_t)1 << 30);
	int rc = TW_OK;
	const unsigned char *t = (const unsigned char *)text;
	while (i < len && rc == TW_OK) {
		size_t m = may_start(r, t + i, len - i) ? span_at(r, t + i, len - i) : 0;
		if (!m) {
			i++;
			continue;
		}
		rc = tw_buf_append(&b, text + from, i - from);
		if (rc == TW_OK)
			rc = tw_buf_puts(&b, TW_REDACTED);
		i += m;
		from = i;
	}
	if (rc == TW_OK)
		rc = tw_buf_append(&b, text + from, len - from);
	if (rc) {
		tw_buf_free(&b);
		return NULL;
	}
	return tw_buf_steal(&b);
}

void tw_redact_free(tw_redact *r)
{
	for (size_t i = 0; i < r->count; i++)
		free(r->patterns[i].text);
	free(r->patterns);
	free(r->slots[0]);
	free(r->slots[1]);
	for (size_t i = 0; i < sizeof(r->seen) / sizeof(r->seen[0]); i++)
		tw_strmap_free(&r->seen[i]);
	memset(r, 0, sizeof(*r));
}

/* ---- quotes cut after masking ----
 *
 * A quote is ' OPEN count CUT text OPEN ': OPEN, CUT and the count's
 * digits are control bytes (a digit d is 0x10 + d), so no secret a
 * person sets can match across a mark the way a secret "20" would match
 * a count written in ASCII. Marks without this shape (a stray 0x1e from
 * a server in another message) are left as they are. */

#define MARK_OPEN '\x1e'
#define MARK_CUT '\x1f'
#define MARK_DIGIT 0x10
#define MARK_MAX_DIGITS 9

int tw_redact_put_quoted(tw_buf *b, const char *text, size_t max)
{
	char count[MARK_MAX_DIGITS + 1];
	int n = snprintf(count, sizeof(count), "%zu", max < 999999999 ? max : 999999999);
	for (int i = 0; i < n; i++)
		count[i] = (char)(MARK_DIGIT + count[i] - '0');
	int rc = tw_buf_printf(b, "'%c%s%c", MARK_OPEN, count, MARK_CUT);
	const char *p = text;
	while (rc == TW_OK && *p) {
		size_t k = strcspn(p, "\x1e\x1f");
		rc = tw_buf_append(b, p, k);
		p += k;
		if (rc == TW_OK && *p)
			rc = tw_buf_puts(b, *p++ == MARK_OPEN ? "%1E" : "%1F");
	}
	if (rc == TW_OK)
		rc = tw_buf_printf(b, "%c'", MARK_OPEN);
	return rc;
}

char *tw_redact_quote(const char *text, size_t max)
{
	tw_buf b;
	tw_buf_init(&b, (size_t)1 << 30);
	if (tw_redact_put_quoted(&b, text, max) != TW_OK) {
		tw_buf_free(&b);
		return NULL;
	}
	return tw_buf_steal(&b);
}

/* The characters to keep when p is an opening mark, and its length in
 * *len; -1 when p is not one. */
static long open_mark(const unsigned char *p, size_t *len)
{
	if (*p != MARK_OPEN)
		return -1;
	long max = 0;
	size_t i = 1;
	while (p[i] >= MARK_DIGIT && p[i] <= MARK_DIGIT + 9 && i <= MARK_MAX_DIGITS)
		max = max * 10 + (p[i++] - MARK_DIGIT);
	if (i == 1 || p[i] != MARK_CUT)
		return -1;
	*len = i + 1;
	return max;
}

char *tw_redact_message(const tw_redact *r, const char *text)
{
	char *s = tw_redact_apply(r, text);
	if (!s)
		return NULL;
	/* In place: a mark and its end take at least 4 bytes, more than the
	 * 3 of the ellipsis that may replace them. */
	unsigned char *w = (unsigned char *)s;
	const unsigned char *p = w;
	while (*p) {
		size_t len;
		long max = open_mark(p, &len);
		if (max < 0) {
			*w++ = *p++;
			continue;
		}
		p += len;
		for (long chars = 0; *p && *p != MARK_OPEN && chars < max; chars++) {
			*w++ = *p++;
			while ((*p & 0xC0) == 0x80)
				*w++ = *p++;
		}
		bool cut = *p && *p != MARK_OPEN;
		while (*p && *p != MARK_OPEN)
			p++;
		if (*p)
			p++;
		if (cut) {
			memcpy(w, "\xe2\x80\xa6", 3); /* … */
			w += 3;
		}
	}
	*w = '\0';
	return s;
}
