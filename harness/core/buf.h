/*
 * A growable byte buffer with a hard maximum set at init (after curl's
 * dynbuf): network data lands here, and a hostile server must not be able to
 * make it grow without bound. The content is always NUL-terminated so text
 * functions can read it directly.
 *
 * The first failed append (out of memory, or past max) is sticky: the
 * buffer keeps that code, and every later append does nothing and returns
 * it. Callers may therefore append freely and look once, where the content
 * is taken: tw_buf_steal returns NULL for a failed buffer, and whoever
 * reads tw_buf_str checks tw_buf_failed first, so a cut message is never
 * taken for a whole one.
 */
#ifndef TW_CORE_BUF_H
#define TW_CORE_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "techweek/error.h"

typedef struct tw_buf {
	char *data;   /* owned; NULL until the first append */
	size_t len;   /* bytes used, not counting the terminating NUL */
	size_t cap;   /* bytes allocated */
	size_t max;   /* the most len may ever be */
	int err;      /* the first failed append's code; TW_OK while none */
} tw_buf;

void tw_buf_init(tw_buf *b, size_t max);
/* Releases the memory and forgets a failure; the buffer can be used
 * again (same max). */
void tw_buf_free(tw_buf *b);
/* Empties the buffer, keeping its memory, and forgets a failure. */
void tw_buf_reset(tw_buf *b);
/* TW_OK, or the buffer's failure: TW_OK while every append so far fit;
 * TW_ENOMEM or TW_ELIMIT (the first failure) otherwise. */
int tw_buf_failed(const tw_buf *b) __attribute__((warn_unused_result));
/* Fails b with code as a failed append would: for a part of the content
 * made elsewhere that could not be made (out of memory). */
void tw_buf_fail(tw_buf *b, int code);
/* TW_OK, TW_ENOMEM, or TW_ELIMIT when len would pass max (nothing appended;
 * the buffer is failed from then on, see above). */
int tw_buf_append(tw_buf *b, const void *data, size_t len);
/* Makes room for len == need without growing again (a size known in
 * advance); TW_OK, TW_ENOMEM, or TW_ELIMIT when need passes max (or is
 * SIZE_MAX: no room for the NUL). */
int tw_buf_reserve(tw_buf *b, size_t need);
int tw_buf_puts(tw_buf *b, const char *s);
int tw_buf_printf(tw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int tw_buf_vprintf(tw_buf *b, const char *fmt, va_list ap);
/* The content as a C string ("" when empty); owned by b. Whole only
 * while tw_buf_failed(b) is TW_OK. */
const char *tw_buf_str(const tw_buf *b);
/* Appends text cut after max characters (UTF-8 aware) with an ellipsis:
 * how a sentence bounds a name that may be long. */
int tw_buf_put_cut(tw_buf *b, const char *text, size_t max);
/* Appends 'text' in single quotes, cut as tw_buf_put_cut does: how
 * messages quote what a page or script says. */
int tw_buf_put_quoted(tw_buf *b, const char *text, size_t max);
/* Appends v with up to `decimals` decimals and no trailing zeros ("4",
 * "4.5", "4.25"), with a sign when asked ("+2", "-0.5"; never "-0"): how
 * messages write a figure. */
int tw_buf_put_decimal(tw_buf *b, double v, int decimals, bool sign);
/* Hands the content over to the caller (malloc'd to fit, NUL-terminated)
 * and empties b. NULL when out of memory or when b failed (its content is
 * then dropped, and b is empty and usable again). */
char *tw_buf_steal(tw_buf *b) __attribute__((warn_unused_result));

#endif
