/*
 * Growable arrays (see array.h). The array's address comes as void * so
 * any T ** can be passed without a cast; the pointer is read and written
 * with memcpy, which is what a void ** cast would do without the aliasing
 * question.
 */
#include "core/array.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "techweek/error.h"

#define ARRAY_MIN 8

size_t tw_array_next_cap(size_t cap, size_t need, size_t size)
{
	if (need <= cap)
		return cap;
	size_t n = cap ? cap : ARRAY_MIN;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return 0;
		n *= 2;
	}
	if (size && n > SIZE_MAX / size)
		return 0;
	return n;
}

int tw_array_grow(void *items, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return TW_OK;
	size_t n = tw_array_next_cap(*cap, need, size);
	if (!n)
		return TW_ENOMEM;
	void *old;
	memcpy(&old, items, sizeof(old));
	void *p = realloc(old, n * size);
	if (!p)
		return TW_ENOMEM;
	memcpy(items, &p, sizeof(p));
	*cap = n;
	return TW_OK;
}
