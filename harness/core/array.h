/*
 * Growable arrays: one way to make room, so the doubling and its overflow
 * checks are written once. An array is a malloc'd pointer and a capacity
 * in items beside it (NULL and 0 to start); the caller keeps the count.
 */
#ifndef TW_CORE_ARRAY_H
#define TW_CORE_ARRAY_H

#include <stddef.h>

/* Makes room for need items of size bytes in the array *items points to
 * (a T ** passed as void *), doubling *cap (from 8) until it holds need.
 * TW_OK, or TW_ENOMEM when the size overflows or memory runs out; the
 * array and *cap are then as they were. */
int tw_array_grow(void *items, size_t *cap, size_t need, size_t size);

/* The capacity tw_array_grow would give an array of cap items that must
 * hold need: cap itself when it does, else cap (or 8) doubled until it
 * does. 0 when need items of size bytes overflow. Also what arrays in an
 * arena grow by (tw_arena_grow_array). */
size_t tw_array_next_cap(size_t cap, size_t need, size_t size);

#endif
