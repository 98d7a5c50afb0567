/*
 * Arena: blocks of at least 8 KiB chained in a list; a request larger than a
 * block gets a block of its own. Nothing is freed before tw_arena_free.
 */
#include "core/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "techweek/error.h"

#define BLOCK_SIZE 8192

struct tw_arena_block {
	tw_arena_block *next;
	size_t used;
	size_t size;
	max_align_t data[];
};

void *tw_arena_alloc(tw_arena *a, size_t size)
{
	const size_t align = sizeof(max_align_t);
	size = (size + align - 1) / align * align;
	if (size == 0)
		size = align;
	tw_arena_block *b = a->head;
	if (!b || b->size - b->used < size) {
		size_t cap = size > BLOCK_SIZE ? size : BLOCK_SIZE;
		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->size = cap;
		b->used = 0;
		/* A big block goes behind the current one so the current one's
		 * free space stays usable. */
		if (a->head && size > BLOCK_SIZE) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	void *p = (char *)b->data + b->used;
	b->used += size;
	memset(p, 0, size);
	return p;
}

char *tw_arena_strndup(tw_arena *a, const char *s, size_t n)
{
	if (!s)
		return NULL;
	char *p = tw_arena_alloc(a, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

char *tw_arena_strdup(tw_arena *a, const char *s)
{
	return s ? tw_arena_strndup(a, s, strlen(s)) : NULL;
}

char *tw_arena_printf(tw_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *p = tw_arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

int tw_arena_grow_array(tw_arena *a, void *items, size_t count, size_t *cap, size_t need,
			size_t size)
{
	if (need <= *cap)
		return TW_OK;
	size_t n = tw_array_next_cap(*cap, need, size);
	void *p = n ? tw_arena_alloc(a, n * size) : NULL;
	if (!p)
		return TW_ENOMEM;
	void *old;
	memcpy(&old, items, sizeof(old));
	if (old && count)
		memcpy(p, old, count * size);
	memcpy(items, &p, sizeof(p));
	*cap = n;
	return TW_OK;
}

void tw_arena_free(tw_arena *a)
{
	tw_arena_block *b = a->head;
	while (b) {
		tw_arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
}
