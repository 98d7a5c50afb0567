/*
 * tw_error: the one way the engine reports a problem. Messages are built
 * here once so every caller renders a script error the same way: place,
 * kind, message, then the line with a caret under the column.
 */
#include "techweek/error.h"
#include "core/error_line.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/buf.h"

const char *tw_code_str(tw_code code)
{
	switch (code) {
	case TW_OK: return "ok";
	case TW_ENOMEM: return "out of memory";
	case TW_EUSAGE: return "usage error";
	case TW_ESYNTAX: return "syntax error";
	case TW_ECHECK: return "error";
	case TW_EIO: return "i/o error";
	case TW_ETRANSPORT: return "transport error";
	case TW_ELIMIT: return "limit exceeded";
	case TW_ESERVICE: return "service error";
	case TW_EUNSUPPORTED: return "techweek's limit";
	case TW_EINTERNAL: return "internal error";
	}
	return "unknown error";
}

void tw_error_clear(tw_error *err)
{
	if (!err)
		return;
	free(err->message);
	free(err->file);
	free(err->source_line);
	memset(err, 0, sizeof(*err));
}

static char *vformat(const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	char *s = malloc((size_t)n + 1);
	if (s)
		vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *format(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = vformat(fmt, ap);
	va_end(ap);
	return s;
}

/* An error that could not be described is out of memory: a syntax error
 * without its message and place would tell the user something untrue. */
static int described(tw_error *err, bool complete)
{
	if (!complete) {
		tw_error_clear(err);
		err->code = TW_ENOMEM;
	}
	return err->code;
}

int tw_error_set(tw_error *err, tw_code code, const char *fmt, ...)
{
	if (!err)
		return code;
	tw_error_clear(err);
	err->code = code;
	va_list ap;
	va_start(ap, fmt);
	err->message = vformat(fmt, ap);
	va_end(ap);
	return described(err, err->message);
}

int tw_error_set_at(tw_error *err, tw_code code, const char *file, int line,
		    int col, const char *source_line, const char *fmt, ...)
{
	if (!err)
		return code;
	tw_error_clear(err);
	err->code = code;
	va_list ap;
	va_start(ap, fmt);
	err->message = vformat(fmt, ap);
	va_end(ap);
	err->file = file ? strdup(file) : NULL;
	err->source_line = source_line ? strdup(source_line) : NULL;
	err->line = line;
	err->col = col;
	return described(err, err->message && (!file || err->file) &&
				      (!source_line || err->source_line));
}

void tw_error_move(tw_error *dst, tw_error *src)
{
	if (!dst || !src) { /* nowhere to move it, or nothing to move */
		tw_error_clear(dst ? dst : src);
		return;
	}
	tw_error_clear(dst);
	*dst = *src;
	memset(src, 0, sizeof(*src));
}

char *tw_error_format(const tw_error *err)
{
	/* "ok: ok" would read as a message of its own. */
	if (!err || (err->code == TW_OK && !err->message))
		return strdup("no error");
	tw_buf b;
	tw_buf_init(&b, (size_t)1 << 20);
	const char *msg = err->message ? err->message : tw_code_str(err->code);
	if (err->file && err->line > 0 && err->col > 0)
		tw_buf_printf(&b, "%s:%d:%d: ", err->file, err->line, err->col);
	else if (err->file && err->line > 0)
		tw_buf_printf(&b, "%s:%d: ", err->file, err->line);
	else if (err->file)
		tw_buf_printf(&b, "%s: ", err->file);
	tw_buf_printf(&b, "%s: %s", tw_code_str(err->code), msg);
	if (err->source_line && err->line > 0) {
		tw_buf_printf(&b, "\n %5d | ", err->line);
		/* Tabs would shift the caret; show them as single spaces. */
		for (const char *p = err->source_line; *p; p++)
			tw_buf_append(&b, *p == '\t' ? " " : p, 1);
		if (err->col > 0) {
			tw_buf_puts(&b, "\n       | ");
			/* Count UTF-8 characters, not bytes, before the column. */
			int bytes = err->col - 1;
			for (int i = 0; i < bytes && err->source_line[i]; i++)
				if (((unsigned char)err->source_line[i] & 0xC0) != 0x80)
					tw_buf_puts(&b, " ");
			tw_buf_puts(&b, "^");
		}
	}
	return tw_buf_steal(&b);
}

int tw_errors_push(tw_errors *list, const tw_error *err)
{
	if (!list || !err)
		return TW_EUSAGE;
	if (tw_array_grow(&list->items, &list->cap, list->count + 1, sizeof(*list->items))) {
		list->lost++;
		return TW_ENOMEM;
	}
	tw_error *e = &list->items[list->count];
	memset(e, 0, sizeof(*e));
	e->code = err->code;
	e->line = err->line;
	e->col = err->col;
	e->message = err->message ? strdup(err->message) : NULL;
	e->file = err->file ? strdup(err->file) : NULL;
	e->source_line = err->source_line ? strdup(err->source_line) : NULL;
	/* A copy without its message or place would read as another error. */
	if ((err->message && !e->message) || (err->file && !e->file) ||
	    (err->source_line && !e->source_line)) {
		tw_error_clear(e);
		list->lost++;
		return TW_ENOMEM;
	}
	list->count++;
	return TW_OK;
}

void tw_errors_clear(tw_errors *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++)
		tw_error_clear(&list->items[i]);
	free(list->items);
	list->items = NULL;
	list->count = list->cap = list->lost = 0;
}

int tw_error_add_line(tw_error *err, const char *fmt, ...)
{
	if (!err || !err->message)
		return TW_OK;
	va_list ap;
	va_start(ap, fmt);
	char *line = vformat(fmt, ap);
	va_end(ap);
	char *m = line ? format("%s\n%s", err->message, line) : NULL;
	free(line);
	if (!m)
		return TW_ENOMEM;
	free(err->message);
	err->message = m;
	return TW_OK;
}
