/*
 * Approximate substring matching for `hear ... fuzzy`. See fuzzy.h.
 */
#include "expectations/fuzzy.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

/* A text after normalisation: its characters, and for each the bytes of
 * the source it stands for (a blank stands for the start of the next
 * character, so that a match never begins or ends inside a gap). */
typedef struct norm {
	uint32_t *cp;
	size_t *begin, *end;
	size_t n;
} norm;

static void norm_free(norm *t)
{
	free(t->cp);
	free(t->begin);
	free(t->end);
}

/* The simple lowercase of the capitals prompts are written in. */
static uint32_t fold(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 0x20;
	if ((c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) ||
	    (c >= 0x410 && c <= 0x42F))
		return c + 0x20;
	if (c >= 0x400 && c <= 0x40F)
		return c + 0x50;
	return c;
}

static bool is_space(uint32_t c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xA0 || (c >= 0x2000 && c <= 0x200B) ||
	       c == 0x202F || c == 0x3000;
}

/* Punctuation and symbols: ASCII's, Latin-1's (¡ « » ¿ ...) and the
 * general punctuation block (dashes, curly quotes, the ellipsis). */
static bool is_punct(uint32_t c)
{
	return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
	       (c >= '{' && c <= '~') || (c >= 0xA1 && c <= 0xBF && c != 0xAA && c != 0xB5 &&
					   c != 0xBA) ||
	       (c >= 0x2010 && c <= 0x205E);
}

static int normalise(const char *text, size_t len, norm *t)
{
	memset(t, 0, sizeof(*t));
	/* At most one character per byte. */
	size_t cap = len ? len : 1;
	t->cp = malloc(cap * sizeof(*t->cp));
	t->begin = malloc(cap * sizeof(*t->begin));
	t->end = malloc(cap * sizeof(*t->end));
	if (!t->cp || !t->begin || !t->end) {
		norm_free(t);
		return TW_ENOMEM;
	}
	bool gap = false;
	for (size_t i = 0; i < len;) {
		uint32_t c;
		size_t k = tw_utf8_decode((const unsigned char *)text + i, len - i, &c);
		if (k == 0) { /* not UTF-8: the byte as a character of its own */
			c = 0xDC00 + (unsigned char)text[i];
			k = 1;
		}
		if (is_space(c)) {
			gap = t->n > 0;
		} else if (!is_punct(c)) {
			if (gap) {
				t->cp[t->n] = ' ';
				t->begin[t->n] = t->end[t->n] = i;
				t->n++;
				gap = false;
			}
			t->cp[t->n] = fold(c);
			t->begin[t->n] = i;
			t->end[t->n] = i + k;
			t->n++;
		}
		i += k;
	}
	return TW_OK;
}

int tw_fuzzy_normalise(const char *text, size_t len, char **out)
{
	*out = NULL;
	norm t;
	if (normalise(text, len, &t) != TW_OK)
		return TW_ENOMEM;
	char *s = malloc(t.n * 4 + 1);
	if (!s) {
		norm_free(&t);
		return TW_ENOMEM;
	}
	size_t o = 0;
	for (size_t i = 0; i < t.n; i++) {
		size_t k = t.cp[i] >= 0xDC00 && t.cp[i] <= 0xDCFF
				   ? (s[o] = (char)(t.cp[i] - 0xDC00), 1)
				   : tw_utf8_encode(t.cp[i], (unsigned char *)s + o);
		o += k;
	}
	s[o] = '\0';
	norm_free(&t);
	*out = s;
	return TW_OK;
}

int tw_fuzzy_find(const char *expected, const char *text, size_t len, tw_fuzzy_match *m)
{
	memset(m, 0, sizeof(*m));
	norm p, t;
	if (normalise(expected, strlen(expected), &p) != TW_OK)
		return TW_ENOMEM;
	if (p.n > TW_FUZZY_MAX_EXPECTED) {
		norm_free(&p);
		return TW_ELIMIT;
	}
	if (p.n == 0) { /* similar to everything: a hear that cannot fail */
		norm_free(&p);
		return TW_EUSAGE;
	}
	if (!text)
		len = 0;
	/* issue 14, F4: a look reads a bounded part of the prompt, cut at a
	 * blank so that no word is read in half */
	bool truncated = len > TW_FUZZY_MAX_PROMPT;
	if (truncated) {
		size_t cut = TW_FUZZY_MAX_PROMPT;
		while (cut > TW_FUZZY_MAX_PROMPT / 2 && text[cut] != ' ')
			cut--;
		if (text[cut] != ' ')
			cut = TW_FUZZY_MAX_PROMPT;
		while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
			cut--; /* not inside a UTF-8 sequence */
		len = cut;
	}
	if (normalise(text ? text : "", len, &t) != TW_OK) {
		norm_free(&p);
		return TW_ENOMEM;
	}
	size_t mlen = p.n;
	/* Two columns of the table (distance, and where the stretch that
	 * gives it starts in the text), one per text position. */
	size_t *prev = malloc((mlen + 1) * sizeof(size_t));
	size_t *cur = malloc((mlen + 1) * sizeof(size_t));
	size_t *pst = malloc((mlen + 1) * sizeof(size_t));
	size_t *cst = malloc((mlen + 1) * sizeof(size_t));
	int rc = TW_OK;
	if (!prev || !cur || !pst || !cst) {
		rc = TW_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i <= mlen; i++) {
		prev[i] = i;
		pst[i] = 0;
	}
	/* Column 0: nothing of the text, every expected character missing. */
	size_t best = mlen, best_start = 0, best_end = 0;
	for (size_t j = 1; j <= t.n && best > 0; j++) {
		cur[0] = 0; /* a stretch may start anywhere: Sellers */
		cst[0] = j;
		for (size_t i = 1; i <= mlen; i++) {
			size_t d = prev[i - 1] + (p.cp[i - 1] != t.cp[j - 1]);
			size_t s = pst[i - 1];
			if (prev[i] + 1 < d) { /* a character of the prompt extra */
				d = prev[i] + 1;
				s = pst[i];
			}
			if (cur[i - 1] + 1 < d) { /* an expected character missing */
				d = cur[i - 1] + 1;
				s = cst[i - 1];
			}
			cur[i] = d;
			cst[i] = s;
		}
		if (cur[mlen] < best) {
			best = cur[mlen];
			best_start = cst[mlen];
			best_end = j;
		}
		size_t *x = prev;
		prev = cur;
		cur = x;
		x = pst;
		pst = cst;
		cst = x;
	}
	m->distance = best;
	m->similarity = mlen ? 1.0 - (double)best / (double)mlen : 1.0;
	m->end = best_end ? t.end[best_end - 1] : 0;
	m->start = best_start < best_end ? t.begin[best_start] : m->end;
	m->truncated = truncated;
	/* issue 14, F4: the stretch as a reader quotes it, in whole words
	 * ("For returns, press 2", not "For returns, press ") */
	m->word_start = m->start;
	m->word_end = m->end;
	if (best_start < best_end) {
		size_t ws = best_start, we = best_end;
		while (ws > 0 && t.cp[ws - 1] != ' ')
			ws--;
		while (we < t.n && t.cp[we] != ' ')
			we++;
		m->word_start = t.begin[ws];
		m->word_end = t.end[we - 1];
	}
out:
	free(prev);
	free(cur);
	free(pst);
	free(cst);
	norm_free(&p);
	norm_free(&t);
	return rc;
}

/* ---- issue 14, F4 ---- */

bool tw_fuzzy_has_words(const char *text)
{
	norm t;
	if (normalise(text, strlen(text), &t) != TW_OK)
		return true; /* out of memory: the look will say so */
	bool any = t.n > 0;
	norm_free(&t);
	return any;
}
