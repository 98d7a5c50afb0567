/*
 * issue 14, F1: a call operation that may run a VoiceXML interpreter (and
 * so an ECMAScript sandbox: a fork, round trips, up to the call's script
 * time) runs on a short-lived thread of its own, so that the worker's
 * loop goes on serving its other customers meanwhile. The loop starts
 * one (tw_offload_start), notices it ended (tw_offload_done: the thread
 * set an atomic flag, put the op on its wake's list of ended ops and
 * signalled the wake's eventfd, which the loop's epoll watches), joins it
 * (tw_offload_join) and runs what follows the operation on the loop's
 * thread. What the operation may touch off the loop is said in
 * channels/ivr/call.h ("Off the loop").
 */
#ifndef TW_RUNNER_OFFLOAD_H
#define TW_RUNNER_OFFLOAD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

typedef struct tw_offload tw_offload;

/* issue 15, LOOP: how an op's thread (or any thread: tw_run_stop's
 * relay) wakes a loop: an eventfd the loop's epoll watches, and a
 * lock-free list of the ops that ended since the loop last looked, so the
 * loop finds them without scanning its customers. */
typedef struct tw_wake {
	int fd;                      /* owned: eventfd, -1 before init */
	_Atomic(tw_offload *) ended; /* ops ended, not yet taken (pushed by
					any thread, taken by the loop's) */
} tw_wake;

/* An eventfd, nonblocking, and no op ended. TW_OK; TW_EINTERNAL (with
 * fd -1) when the kernel gives none (out of file descriptors). */
int tw_wake_init(tw_wake *w);
/* Closes the eventfd; every op that may signal it is joined. */
void tw_wake_free(tw_wake *w);
/* Wakes the loop; safe from any thread (not from a signal handler). */
void tw_wake_signal(tw_wake *w);
/* The loop was woken: clears the eventfd's count. */
void tw_wake_clear(tw_wake *w);
/* Takes the ops that ended since last taken, as a list through
 * tw_offload_next_ended. An op may be listed though joined since (its
 * owner checks tw_offload_done), and is listed once however often it
 * ended before being taken. */
tw_offload *tw_wake_take_ended(tw_wake *w);
tw_offload *tw_offload_next_ended(tw_offload *o);

/* issue 14, F5 (review2 #1): at most max operations of one job (one
 * worker's loop) run at once; more wait in a queue, first come first
 * started, and start as running ones are joined. Each scripting turn's
 * sandbox uses a CPU: unbounded, N busy sandboxes on C cores each get
 * C/N of one, and an endless script's 1 s of CPU takes N/C s of wall time.
 * Used by the loop's thread only (no lock). Zeroed: no cap. */
typedef struct tw_offload_gate {
	unsigned max;        /* 0: no cap */
	unsigned running;    /* started, not joined */
	tw_offload *head, *tail; /* queued, not started */
} tw_offload_gate;

/* The cap for a job: max(2, online CPUs). */
unsigned tw_offload_gate_cap(void);

struct tw_offload {
	pthread_t thread;
	bool running;          /* started, not joined yet */
	_Atomic int done;      /* set by the thread as its last act on op */
	void (*op)(void *arg); /* runs on the thread */
	void *arg;             /* borrowed: op's, until joined */
	tw_wake *wake;         /* borrowed: signalled when op ended; NULL: none */
	/* issue 14, F5 */
	tw_offload_gate *gate; /* borrowed, set before start; NULL: no cap */
	bool queued;           /* waiting in gate's queue, not started */
	bool ran_here;         /* no thread could be made: op ran on the loop */
	tw_offload *next;      /* gate's queue */
	/* issue 15, LOOP: the wake's list of ended ops */
	tw_offload *next_ended;
	_Atomic int listed;    /* on the wake's list, not yet taken */
};

/* Runs op(arg) on a new thread; wake (may be NULL) lists o and is
 * signalled when it ends. TW_OK; TW_EINTERNAL when no thread
 * could be made (the caller then runs op itself). o must stay where it
 * is until joined. With o->gate full, o is queued (TW_OK, not done) and
 * starts when a running one of the gate is joined. */
int tw_offload_start(tw_offload *o, void (*op)(void *arg), void *arg, tw_wake *wake);
/* True when the op started has ended (tw_offload_join will not wait). */
bool tw_offload_done(const tw_offload *o);
/* Waits for the op started to end and reaps its thread; nothing when none
 * is running. A queued op leaves the queue and runs here (a stop: the
 * call's stop callback cuts it short). Then starts queued ops the gate
 * has room for. */
void tw_offload_join(tw_offload *o);
/* issue 14, F5: as tw_offload_join, but a queued op is dropped unrun and
 * no queued op is started (freeing: the run is over). */
void tw_offload_cancel(tw_offload *o);

#endif
