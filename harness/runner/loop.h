/*
 * issue 15, LOOP: the bookkeeping of a worker's event loop, so that what
 * the loop does per wake is proportional to what happened, not to its
 * customers: a stack of free customer slots (a start takes one in O(1)
 * instead of scanning for it) and a timer heap of paused customers (the
 * next wake-up is the heap's top; waking one is O(log n)), both indexed
 * by slot number. Used by one loop's thread only: no locks.
 */
#ifndef TW_RUNNER_LOOP_H
#define TW_RUNNER_LOOP_H

#include <stdbool.h>
#include <stddef.h>

/* The free slots, as indexes 0..cap-1. */
typedef struct tw_slot_stack {
	size_t *free; /* owned; cap entries, the first count free */
	size_t count;
	size_t cap;
} tw_slot_stack;

/* All cap slots free, the lowest on top (so a run with few performances
 * uses the first slots, as the scan it replaces did). TW_OK or TW_ENOMEM. */
int tw_slot_stack_init(tw_slot_stack *s, size_t cap);
void tw_slot_stack_free(tw_slot_stack *s);
/* Takes a free slot into *slot; false when none is free. */
bool tw_slot_stack_pop(tw_slot_stack *s, size_t *slot);
/* Gives back slot (taken by pop, not given back yet). */
void tw_slot_stack_push(tw_slot_stack *s, size_t slot);

/* A min-heap of (due time, slot), at most one entry per slot. */
typedef struct tw_timer_heap {
	size_t *heap;  /* owned: slots in heap order, count of them */
	double *due;   /* owned: aligned with slot numbers */
	size_t *pos;   /* owned: aligned with slot numbers; where in heap, or
			  TW_TIMER_NONE */
	size_t count;
	size_t cap;
} tw_timer_heap;

#define TW_TIMER_NONE ((size_t)-1)

/* Empty, for slots 0..cap-1. TW_OK or TW_ENOMEM. */
int tw_timer_heap_init(tw_timer_heap *h, size_t cap);
void tw_timer_heap_free(tw_timer_heap *h);
/* slot is due at due_ms: added, or moved when it was in already. */
void tw_timer_heap_set(tw_timer_heap *h, size_t slot, double due_ms);
/* slot is no longer due (nothing when it was not in). */
void tw_timer_heap_remove(tw_timer_heap *h, size_t slot);
/* The earliest entry: true with *slot and *due_ms, false when empty. */
bool tw_timer_heap_peek(const tw_timer_heap *h, size_t *slot, double *due_ms);
/* Takes the earliest entry out when it is due at or before now_ms. */
bool tw_timer_heap_pop_due(tw_timer_heap *h, double now_ms, size_t *slot);

#endif
