/*
 * issue 15, LOOP: a worker loop's free-slot stack and timer heap
 * (loop.h). The heap keeps each slot's position so that a slot's entry
 * can be moved or taken out (a pause cut short by a stop) without a
 * search, and holds at most one entry per slot: its size is fixed at the
 * worker's start and it never allocates afterwards.
 */
#include "runner/loop.h"

#include <stdlib.h>

#include "techweek/error.h"

int tw_slot_stack_init(tw_slot_stack *s, size_t cap)
{
	s->free = malloc((cap ? cap : 1) * sizeof(*s->free));
	if (!s->free)
		return TW_ENOMEM;
	for (size_t i = 0; i < cap; i++)
		s->free[i] = cap - 1 - i;
	s->count = s->cap = cap;
	return TW_OK;
}

void tw_slot_stack_free(tw_slot_stack *s)
{
	free(s->free);
	s->free = NULL;
	s->count = s->cap = 0;
}

bool tw_slot_stack_pop(tw_slot_stack *s, size_t *slot)
{
	if (!s->count)
		return false;
	*slot = s->free[--s->count];
	return true;
}

void tw_slot_stack_push(tw_slot_stack *s, size_t slot)
{
	if (s->count < s->cap)
		s->free[s->count++] = slot;
}

int tw_timer_heap_init(tw_timer_heap *h, size_t cap)
{
	size_t n = cap ? cap : 1;
	h->heap = malloc(n * sizeof(*h->heap));
	h->due = malloc(n * sizeof(*h->due));
	h->pos = malloc(n * sizeof(*h->pos));
	h->count = 0;
	h->cap = cap;
	if (!h->heap || !h->due || !h->pos) {
		tw_timer_heap_free(h);
		return TW_ENOMEM;
	}
	for (size_t i = 0; i < cap; i++)
		h->pos[i] = TW_TIMER_NONE;
	return TW_OK;
}

void tw_timer_heap_free(tw_timer_heap *h)
{
	free(h->heap);
	free(h->due);
	free(h->pos);
	h->heap = h->pos = NULL;
	h->due = NULL;
	h->count = h->cap = 0;
}

static void place(tw_timer_heap *h, size_t i, size_t slot)
{
	h->heap[i] = slot;
	h->pos[slot] = i;
}

static void sift_up(tw_timer_heap *h, size_t i)
{
	size_t slot = h->heap[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (h->due[h->heap[parent]] <= h->due[slot])
			break;
		place(h, i, h->heap[parent]);
		i = parent;
	}
	place(h, i, slot);
}

static void sift_down(tw_timer_heap *h, size_t i)
{
	size_t slot = h->heap[i];
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= h->count)
			break;
		if (child + 1 < h->count && h->due[h->heap[child + 1]] < h->due[h->heap[child]])
			child++;
		if (h->due[h->heap[child]] >= h->due[slot])
			break;
		place(h, i, h->heap[child]);
		i = child;
	}
	place(h, i, slot);
}

void tw_timer_heap_set(tw_timer_heap *h, size_t slot, double due_ms)
{
	if (slot >= h->cap)
		return;
	size_t i = h->pos[slot];
	h->due[slot] = due_ms;
	if (i == TW_TIMER_NONE) {
		i = h->count++;
		place(h, i, slot);
	}
	sift_up(h, i);
	sift_down(h, h->pos[slot]);
}

void tw_timer_heap_remove(tw_timer_heap *h, size_t slot)
{
	if (slot >= h->cap || h->pos[slot] == TW_TIMER_NONE)
		return;
	size_t i = h->pos[slot];
	h->pos[slot] = TW_TIMER_NONE;
	size_t last = h->heap[--h->count];
	if (i == h->count)
		return;
	place(h, i, last);
	sift_up(h, i);
	sift_down(h, h->pos[last]);
}

bool tw_timer_heap_peek(const tw_timer_heap *h, size_t *slot, double *due_ms)
{
	if (!h->count)
		return false;
	*slot = h->heap[0];
	*due_ms = h->due[h->heap[0]];
	return true;
}

bool tw_timer_heap_pop_due(tw_timer_heap *h, double now_ms, size_t *slot)
{
	if (!h->count || h->due[h->heap[0]] > now_ms)
		return false;
	*slot = h->heap[0];
	tw_timer_heap_remove(h, *slot);
	return true;
}
