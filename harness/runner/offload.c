/*
 * issue 14, F1: call operations off the worker's loop (offload.h).
 *
 * A thread per operation, not a pool: an operation is one VoiceXML turn,
 * which forks or talks to a sandbox anyway; a thread's start and join
 * cost tens of microseconds (docs/phone.md "A sandbox per call"), and a
 * thread that ends with its operation leaves nothing to shut down.
 */
#include "runner/offload.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "techweek/error.h"

int tw_wake_init(tw_wake *w)
{
	atomic_store(&w->ended, NULL);
	w->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return w->fd < 0 ? TW_EINTERNAL : TW_OK;
}

void tw_wake_free(tw_wake *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}

void tw_wake_signal(tw_wake *w)
{
	uint64_t one = 1;
	/* EAGAIN: the count is at its maximum, the loop is woken anyway */
	while (write(w->fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

void tw_wake_clear(tw_wake *w)
{
	uint64_t n;
	while (read(w->fd, &n, sizeof(n)) < 0 && errno == EINTR)
		;
}

tw_offload *tw_wake_take_ended(tw_wake *w)
{
	return atomic_exchange(&w->ended, NULL);
}

tw_offload *tw_offload_next_ended(tw_offload *o)
{
	tw_offload *next = o->next_ended;
	/* after next is read: from here o may be listed again */
	atomic_store(&o->listed, 0);
	return next;
}

/* o ended: listed on its wake (once) and the loop woken. The done flag
 * was set first: the loop woken must see it. */
static void post_ended(tw_offload *o)
{
	tw_wake *w = o->wake;
	if (!w)
		return;
	if (!atomic_exchange(&o->listed, 1)) {
		tw_offload *head = atomic_load(&w->ended);
		do
			o->next_ended = head;
		while (!atomic_compare_exchange_weak(&w->ended, &head, o));
	}
	tw_wake_signal(w);
}

static void *run_op(void *arg)
{
	tw_offload *o = arg;
	o->op(o->arg);
	atomic_store(&o->done, 1);
	post_ended(o);
	return NULL;
}

unsigned tw_offload_gate_cap(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 2 ? (unsigned)n : 2;
}

/* Starts o's thread, counted in its gate; on failure, none counted. */
static int launch(tw_offload *o)
{
	if (pthread_create(&o->thread, NULL, run_op, o) != 0) {
		o->running = false;
		return TW_EINTERNAL;
	}
	o->running = true;
	if (o->gate)
		o->gate->running++;
	return TW_OK;
}

int tw_offload_start(tw_offload *o, void (*op)(void *arg), void *arg, tw_wake *wake)
{
	o->op = op;
	o->arg = arg;
	o->wake = wake;
	o->queued = o->ran_here = false;
	o->next = NULL;
	atomic_store(&o->done, 0);
	tw_offload_gate *g = o->gate;
	if (g && g->max && g->running >= g->max) { /* issue 14, F5: wait */
		o->queued = true;
		if (g->tail)
			g->tail->next = o;
		else
			g->head = o;
		g->tail = o;
		return TW_OK;
	}
	return launch(o);
}

/* Takes o out of its gate's queue. */
static void dequeue(tw_offload *o)
{
	tw_offload_gate *g = o->gate;
	tw_offload **pp = &g->head, *prev = NULL;
	while (*pp && *pp != o) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (*pp)
		*pp = o->next;
	if (g->tail == o)
		g->tail = prev;
	o->next = NULL;
	o->queued = false;
}

/* Starts the queued ops the gate has room for. One whose thread cannot
 * be made runs here, on the loop, as an unqueued one would. */
static void start_queued(tw_offload_gate *g)
{
	while (g->head && (!g->max || g->running < g->max)) {
		tw_offload *o = g->head;
		dequeue(o);
		if (launch(o) != TW_OK) {
			o->op(o->arg);
			o->ran_here = o->running = true;
			atomic_store(&o->done, 1);
			post_ended(o);
		}
	}
}

static void join(tw_offload *o, bool drop_queued)
{
	if (o->queued) {
		dequeue(o);
		if (!drop_queued)
			o->op(o->arg);
		return;
	}
	if (!o->running)
		return;
	if (!o->ran_here)
		pthread_join(o->thread, NULL);
	o->running = false;
	if (o->gate && !o->ran_here) {
		o->gate->running--;
		if (!drop_queued)
			start_queued(o->gate);
	}
	o->ran_here = false;
}

void tw_offload_cancel(tw_offload *o)
{
	join(o, true);
}

bool tw_offload_done(const tw_offload *o)
{
	return o->running && atomic_load(&o->done);
}

void tw_offload_join(tw_offload *o)
{
	join(o, false);
}
