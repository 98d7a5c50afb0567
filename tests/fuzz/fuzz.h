/*
 * What the fuzz targets share: cutting the fuzzer's bytes into the pieces
 * a target needs (lines, NUL-separated chunks) and NUL-terminated copies
 * of them. Static inline: each target includes this once and uses what it needs.
 *
 * Every target calls the engine directly, with no network (documents and
 * responses are data), and frees all it made: a leak is a finding.
 */
#ifndef TW_FUZZ_H
#define TW_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A piece of the input: not NUL-terminated. */
typedef struct fuzz_span {
	const char *p;
	size_t n;
} fuzz_span;

/* A malloc'd NUL-terminated copy (a NUL inside cuts it short, as it would
 * any C string the engine gets). Aborts when out of memory: libFuzzer's
 * -rss_limit_mb is the place that reports memory, not a NULL here. */
static inline char *fuzz_str(fuzz_span s)
{
	char *c = malloc(s.n + 1);
	if (!c)
		abort();
	memcpy(c, s.p, s.n);
	c[s.n] = '\0';
	return c;
}

/* Takes the text up to the first '\n' (dropped, with a '\r' before it)
 * off the front of *rest. Returns 0 when *rest was empty. */
static inline int fuzz_line(fuzz_span *rest, fuzz_span *line)
{
	if (rest->n == 0)
		return 0;
	const char *nl = memchr(rest->p, '\n', rest->n);
	size_t n = nl ? (size_t)(nl - rest->p) : rest->n;
	line->p = rest->p;
	line->n = n;
	if (n > 0 && line->p[n - 1] == '\r')
		line->n--;
	rest->p += nl ? n + 1 : n;
	rest->n -= nl ? n + 1 : n;
	return 1;
}

/* Splits in at NUL bytes into at most max chunks (the last takes the
 * rest). Returns how many. */
static inline size_t fuzz_chunks(fuzz_span in, fuzz_span *out, size_t max)
{
	size_t count = 0;
	while (count + 1 < max) {
		const char *z = memchr(in.p, '\0', in.n);
		if (!z)
			break;
		out[count].p = in.p;
		out[count++].n = (size_t)(z - in.p);
		in.n -= (size_t)(z - in.p) + 1;
		in.p = z + 1;
	}
	out[count++] = in;
	return count;
}

#endif
