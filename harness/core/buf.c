/*
 * Capped buffer: doubles its allocation as it grows, never past max + 1
 * bytes (the +1 is the terminating NUL).
 */
#include "core/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tw_buf_init(tw_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
	b->err = TW_OK;
}

void tw_buf_free(tw_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->err = TW_OK;
}

void tw_buf_reset(tw_buf *b)
{
	b->len = 0;
	b->err = TW_OK;
	if (b->data)
		b->data[0] = '\0';
}

int tw_buf_failed(const tw_buf *b)
{
	return b->err;
}

/* Remembers the first failure; see buf.h. */
static int fail(tw_buf *b, int rc)
{
	if (rc != TW_OK && b->err == TW_OK)
		b->err = rc;
	return rc;
}

void tw_buf_fail(tw_buf *b, int code)
{
	fail(b, code);
}

/* Room for need bytes and the NUL: exactly that much, or (growing) the
 * next doubling of the allocation, never past max + 1 (so not
 * tw_array_grow, which knows no maximum). */
static int reserve(tw_buf *b, size_t need, bool exact)
{
	/* need == SIZE_MAX leaves no room for the NUL; a max at SIZE_MAX
	 * (no cap) would make max + 1 wrap to 0. */
	if (need > b->max || need == SIZE_MAX)
		return TW_ELIMIT;
	if (need + 1 <= b->cap)
		return TW_OK;
	size_t most = b->max < SIZE_MAX ? b->max + 1 : SIZE_MAX;
	size_t cap = exact ? need + 1 : b->cap ? b->cap : 256;
	while (cap < need + 1)
		cap = cap > most / 2 ? most : cap * 2;
	char *p = realloc(b->data, cap);
	if (!p)
		return TW_ENOMEM;
	b->data = p;
	b->cap = cap;
	return TW_OK;
}

int tw_buf_reserve(tw_buf *b, size_t need)
{
	if (b->err)
		return b->err;
	return fail(b, reserve(b, need, true));
}

int tw_buf_append(tw_buf *b, const void *data, size_t len)
{
	if (b->err)
		return b->err;
	if (len > b->max - b->len)
		return fail(b, TW_ELIMIT);
	int rc = reserve(b, b->len + len, false);
	if (rc)
		return fail(b, rc);
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return TW_OK;
}

int tw_buf_puts(tw_buf *b, const char *s)
{
	return tw_buf_append(b, s, strlen(s));
}

int tw_buf_vprintf(tw_buf *b, const char *fmt, va_list ap)
{
	if (b->err)
		return b->err;
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return fail(b, TW_EINTERNAL);
	if ((size_t)n > b->max - b->len)
		return fail(b, TW_ELIMIT);
	int rc = reserve(b, b->len + (size_t)n, false);
	if (rc)
		return fail(b, rc);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return TW_OK;
}

int tw_buf_printf(tw_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = tw_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

const char *tw_buf_str(const tw_buf *b)
{
	return b->data ? b->data : "";
}

char *tw_buf_steal(tw_buf *b)
{
	if (b->err) {
		tw_buf_free(b);
		return NULL;
	}
	/* Growth by doubling leaves up to half the allocation unused: what
	 * is handed over (a page's text) is kept, so give the slack back. */
	if (b->data && b->cap > b->len + 1) {
		char *fit = realloc(b->data, b->len + 1);
		if (fit)
			b->data = fit;
	}
	char *p = b->data ? b->data : calloc(1, 1);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

int tw_buf_put_cut(tw_buf *b, const char *text, size_t max)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t chars = 0;
	while (*p && chars < max) {
		p++;
		while ((*p & 0xC0) == 0x80)
			p++;
		chars++;
	}
	tw_buf_append(b, text, (size_t)((const char *)p - text));
	if (*p)
		tw_buf_puts(b, "\xe2\x80\xa6"); /* … */
	return tw_buf_failed(b);
}

int tw_buf_put_quoted(tw_buf *b, const char *text, size_t max)
{
	tw_buf_puts(b, "'");
	tw_buf_put_cut(b, text, max);
	return tw_buf_puts(b, "'");
}

int tw_buf_put_decimal(tw_buf *b, double v, int decimals, bool sign)
{
	char num[64];
	snprintf(num, sizeof(num), sign ? "%+.*f" : "%.*f", decimals, v);
	if (strchr(num, '.')) {
		size_t n = strlen(num);
		while (num[n - 1] == '0')
			num[--n] = '\0';
		if (num[n - 1] == '.')
			num[--n] = '\0';
	}
	if (strcmp(num, "-0") == 0 || strcmp(num, "+-0") == 0)
		snprintf(num, sizeof(num), sign ? "+0" : "0");
	return tw_buf_puts(b, num);
}
