/*
 * issue 15, LOOP: a worker loop's free-slot stack and timer heap
 * (runner/loop.h). The heap is checked against a brute-force model over
 * a long random sequence of sets, moves, removals and pops: it must
 * always hand out the earliest due slot, never one not due, and each
 * slot at most once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "runner/loop.h"
#include "techweek/error.h"

static void stack_hands_out_each_slot_once(void **state)
{
	(void)state;
	tw_slot_stack s;
	assert_int_equal(tw_slot_stack_init(&s, 4), TW_OK);
	size_t a, b, c, d, e;
	assert_true(tw_slot_stack_pop(&s, &a));
	assert_int_equal(a, 0); /* the lowest first, as the scan it replaces */
	assert_true(tw_slot_stack_pop(&s, &b));
	assert_true(tw_slot_stack_pop(&s, &c));
	assert_true(tw_slot_stack_pop(&s, &d));
	assert_false(tw_slot_stack_pop(&s, &e)); /* none free */
	bool seen[4] = {0};
	seen[a] = seen[b] = seen[c] = seen[d] = true;
	for (int i = 0; i < 4; i++)
		assert_true(seen[i]);
	tw_slot_stack_push(&s, c);
	assert_true(tw_slot_stack_pop(&s, &e));
	assert_int_equal(e, c);
	assert_false(tw_slot_stack_pop(&s, &e));
	tw_slot_stack_free(&s);
	/* no slots at all: nothing to take */
	assert_int_equal(tw_slot_stack_init(&s, 0), TW_OK);
	assert_false(tw_slot_stack_pop(&s, &e));
	tw_slot_stack_free(&s);
}

static void heap_pops_in_due_order(void **state)
{
	(void)state;
	tw_timer_heap h;
	assert_int_equal(tw_timer_heap_init(&h, 5), TW_OK);
	size_t slot;
	double due;
	assert_false(tw_timer_heap_peek(&h, &slot, &due));
	tw_timer_heap_set(&h, 3, 30);
	tw_timer_heap_set(&h, 1, 10);
	tw_timer_heap_set(&h, 4, 40);
	tw_timer_heap_set(&h, 0, 20);
	assert_true(tw_timer_heap_peek(&h, &slot, &due));
	assert_int_equal(slot, 1);
	assert_true(due == 10);
	/* moved later, then one removed: neither is handed out at its old time */
	tw_timer_heap_set(&h, 1, 35);
	tw_timer_heap_remove(&h, 0);
	tw_timer_heap_remove(&h, 0); /* not in: nothing */
	assert_false(tw_timer_heap_pop_due(&h, 29, &slot));
	assert_true(tw_timer_heap_pop_due(&h, 100, &slot));
	assert_int_equal(slot, 3);
	assert_true(tw_timer_heap_pop_due(&h, 100, &slot));
	assert_int_equal(slot, 1);
	assert_true(tw_timer_heap_pop_due(&h, 100, &slot));
	assert_int_equal(slot, 4);
	assert_false(tw_timer_heap_pop_due(&h, INFINITY, &slot));
	assert_int_equal(h.count, 0);
	tw_timer_heap_free(&h);
}

/* A slot in the model: due, or NAN when not in the heap. */
#define N 64

static void heap_matches_a_model(void **state)
{
	(void)state;
	tw_timer_heap h;
	assert_int_equal(tw_timer_heap_init(&h, N), TW_OK);
	double model[N];
	for (int i = 0; i < N; i++)
		model[i] = NAN;
	unsigned seed = 12345;
	double now = 0;
	for (int step = 0; step < 200000; step++) {
		seed = seed * 1103515245u + 12345u;
		unsigned r = (seed >> 8) % 100;
		size_t slot = (seed >> 16) % N;
		if (r < 45) {
			double due = now + (double)((seed >> 4) % 1000);
			tw_timer_heap_set(&h, slot, due);
			model[slot] = due;
		} else if (r < 55) {
			tw_timer_heap_remove(&h, slot);
			model[slot] = NAN;
		} else {
			now += (double)((seed >> 12) % 50);
			size_t got;
			while (tw_timer_heap_pop_due(&h, now, &got)) {
				assert_true(got < N);
				assert_false(isnan(model[got])); /* was in */
				assert_true(model[got] <= now);  /* was due */
				for (int i = 0; i < N; i++)      /* the earliest */
					assert_true(isnan(model[i]) || model[i] >= model[got]);
				model[got] = NAN;
			}
			for (int i = 0; i < N; i++) /* nothing due left behind */
				assert_true(isnan(model[i]) || model[i] > now);
		}
		size_t in = 0;
		for (int i = 0; i < N; i++)
			in += !isnan(model[i]);
		assert_int_equal(h.count, in);
	}
	tw_timer_heap_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stack_hands_out_each_slot_once),
		cmocka_unit_test(heap_pops_in_due_order),
		cmocka_unit_test(heap_matches_a_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
