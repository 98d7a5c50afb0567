/*
 * A bump allocator for data that dies together: every string and node of a
 * parsed script lives in the script's arena and is released in one call.
 * Allocation failure returns NULL like malloc.
 */
#ifndef TW_CORE_ARENA_H
#define TW_CORE_ARENA_H

#include <stddef.h>

typedef struct tw_arena_block tw_arena_block;

typedef struct tw_arena {
	tw_arena_block *head;
} tw_arena;

/* A zeroed arena needs no init. */
void *tw_arena_alloc(tw_arena *a, size_t size);       /* zero-filled */
char *tw_arena_strdup(tw_arena *a, const char *s);    /* NULL stays NULL */
char *tw_arena_strndup(tw_arena *a, const char *s, size_t n);
char *tw_arena_printf(tw_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Makes room for need items of size bytes in an array held in the arena,
 * as tw_array_grow does (core/array.h: the same doubling), count of them
 * in use: *items (a T ** passed as void *) becomes a copy with room, the
 * old memory is not reused. TW_OK, or TW_ENOMEM with *items and *cap as
 * they were. */
int tw_arena_grow_array(tw_arena *a, void *items, size_t count, size_t *cap, size_t need,
			size_t size);
void tw_arena_free(tw_arena *a);

#endif
