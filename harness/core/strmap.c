/*
 * String -> index map: see strmap.h. The table doubles at 3/4 full, so a
 * probe sequence stays short; each slot keeps its key's hash, so growing
 * never rehashes a string and a probe compares strings only on equal hashes.
 */
#include "core/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct tw_strmap_slot {
	const char *key; /* NULL: empty */
	size_t hash;
	size_t index;
};

static size_t hash_of(const char *s)
{
	uint64_t h = 14695981039346656037ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

void tw_strmap_free(tw_strmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = 0;
	m->count = 0;
}

/* The slot holding key, or the empty slot where it would go. */
static tw_strmap_slot *probe(tw_strmap_slot *slots, size_t cap, const char *key, size_t hash)
{
	size_t i = hash & (cap - 1);
	while (slots[i].key && (slots[i].hash != hash || strcmp(slots[i].key, key) != 0))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

bool tw_strmap_get(const tw_strmap *m, const char *key, size_t *index)
{
	if (!m->count)
		return false;
	const tw_strmap_slot *s = probe(m->slots, m->cap, key, hash_of(key));
	if (!s->key)
		return false;
	if (index)
		*index = s->index;
	return true;
}

static int grow(tw_strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	if (cap > SIZE_MAX / sizeof(tw_strmap_slot))
		return TW_ENOMEM;
	tw_strmap_slot *slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return TW_ENOMEM;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			*probe(slots, cap, m->slots[i].key, m->slots[i].hash) = m->slots[i];
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return TW_OK;
}

int tw_strmap_put(tw_strmap *m, const char *key, size_t index, bool *found, size_t *existing)
{
	if (found)
		*found = false;
	if ((m->count + 1) * 4 > m->cap * 3) {
		int rc = grow(m);
		if (rc)
			return rc;
	}
	size_t hash = hash_of(key);
	tw_strmap_slot *s = probe(m->slots, m->cap, key, hash);
	if (s->key) {
		if (found)
			*found = true;
		if (existing)
			*existing = s->index;
		return TW_OK;
	}
	*s = (tw_strmap_slot){key, hash, index};
	m->count++;
	return TW_OK;
}
