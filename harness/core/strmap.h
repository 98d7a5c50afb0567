/*
 * A map from strings to indexes (open addressing, linear probing, FNV-1a),
 * for the lookups that are linear scans when few and quadratic when a
 * script has 40 000 scenes or a vars file 40 000 lines: vars by name, cast
 * entries, captures and scene names in the checker, the prompts a call has
 * heard. The owner keeps its items in an array and the map gives the index
 * of a name (or any other number the owner files under it), so the map
 * never copies or owns a string: a key must outlive the map. No removal:
 * none of its users forgets a name.
 */
#ifndef TW_CORE_STRMAP_H
#define TW_CORE_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "techweek/error.h"

typedef struct tw_strmap_slot tw_strmap_slot;

typedef struct tw_strmap {
	tw_strmap_slot *slots; /* owned; NULL while empty */
	size_t cap;            /* a power of two, or 0 */
	size_t count;
} tw_strmap;

/* A zeroed tw_strmap is an empty map; it needs no memory until the first
 * put. */

void tw_strmap_free(tw_strmap *m);

/* true and *index when key is in the map. */
bool tw_strmap_get(const tw_strmap *m, const char *key, size_t *index);

/* Adds key -> index unless key is there already. TW_OK (with *found false)
 * when added; TW_OK with *found true and *existing set (the map unchanged)
 * when key was there; TW_ENOMEM. found and existing may be NULL. key is
 * borrowed. */
int tw_strmap_put(tw_strmap *m, const char *key, size_t index, bool *found, size_t *existing);

#endif
