/*
 * issue 14, F1: call operations off the loop (runner/offload.h). An
 * operation's thread wakes the loop (issue 15: its eventfd, with the op
 * on the wake's list of ended ops) when it ends; joining
 * waits for one still running (a stop); a VoiceXML call's sandbox, forked
 * from one operation's thread, serves the next operation after that
 * thread is gone; a stop during an endless script is joined. Run under
 * ASan (.ci/build asan) these also show that nothing leaks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sched.h>
#include <poll.h>

#include <curl/curl.h>

#include "channels/ivr/call.h"
#include "runner/offload.h"

#define URL "http://127.0.0.1:1/vxml"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function" /* the fixture's helpers for other tests */
#include "call_fixture.h"
#pragma GCC diagnostic pop

#define VXML_OPEN "<?xml version=\"1.0\"?>\n<vxml version=\"2.1\" xmlns=\"http://www.w3.org/2001/vxml\">\n"
#define VXML_CLOSE "</vxml>\n"

typedef struct doc_op {
	tw_call *call;
	const char *doc;
	const char *keys; /* instead of doc: press these */
	int rc;
	tw_error err;
} doc_op;

static void run_doc(void *arg)
{
	doc_op *op = arg;
	if (op->keys)
		op->rc = tw_call_press(op->call, op->keys, &op->err);
	else
		op->rc = answer_from(op->call, URL, op->doc, &op->err);
}

/* Waits on the wake's eventfd until the op has ended: it signalled it.
 * No timeout is relied on: a missed wake-up would hang the test (meson's
 * timeout). */
static void wait_woken(tw_wake *wake, tw_offload *o)
{
	while (!tw_offload_done(o)) {
		struct pollfd p = {.fd = wake->fd, .events = POLLIN};
		poll(&p, 1, 3600 * 1000);
		tw_wake_clear(wake);
	}
}

static tw_wake *wake_new(void)
{
	tw_wake *w = malloc(sizeof(*w));
	assert_non_null(w);
	assert_int_equal(tw_wake_init(w), TW_OK);
	return w;
}

static void wake_del(tw_wake *w)
{
	tw_wake_free(w);
	free(w);
}

static void op_sets(void *arg)
{
	atomic_store((_Atomic int *)arg, 42);
}

static void ends_and_wakes_the_loop(void **state)
{
	(void)state;
	tw_wake *multi = wake_new();
	tw_offload o = {0};
	_Atomic int v = 0;
	assert_int_equal(tw_offload_start(&o, op_sets, &v, multi), TW_OK);
	wait_woken(multi, &o);
	tw_offload_join(&o);
	assert_int_equal(atomic_load(&v), 42);
	assert_false(tw_offload_done(&o)); /* joined: nothing running */
	tw_offload_join(&o);               /* nothing to join: returns */
	wake_del(multi);
}

/* issue 15, LOOP: an op that ended is on its wake's list, once however
 * often it ended before the loop took the list, and can be listed again
 * once taken: the loop finds the ops that ended without a scan. */
static void ended_ops_are_listed_once(void **state)
{
	(void)state;
	tw_wake *wake = wake_new();
	tw_offload o[2];
	memset(o, 0, sizeof(o));
	_Atomic int v[2] = {0, 0};
	for (int i = 0; i < 2; i++) {
		assert_int_equal(tw_offload_start(&o[i], op_sets, &v[i], wake), TW_OK);
		wait_woken(wake, &o[i]);
		tw_offload_join(&o[i]);
	}
	/* o[0] again before the list is taken: still listed once */
	assert_int_equal(tw_offload_start(&o[0], op_sets, &v[0], wake), TW_OK);
	wait_woken(wake, &o[0]);
	int seen[2] = {0, 0}, count = 0;
	for (tw_offload *e = tw_wake_take_ended(wake); e; e = tw_offload_next_ended(e), count++)
		seen[e - o]++;
	assert_int_equal(count, 2);
	assert_int_equal(seen[0], 1);
	assert_int_equal(seen[1], 1);
	assert_null(tw_wake_take_ended(wake));
	/* taken: listed again when it ends again */
	tw_offload_join(&o[0]);
	assert_int_equal(tw_offload_start(&o[0], op_sets, &v[0], wake), TW_OK);
	wait_woken(wake, &o[0]);
	tw_offload_join(&o[0]);
	tw_offload *e = tw_wake_take_ended(wake);
	assert_ptr_equal(e, &o[0]);
	assert_null(tw_offload_next_ended(e));
	wake_del(wake);
}

/* The sandbox a VoiceXML call forks from one operation's thread serves
 * the call's next operation, on another thread, after the first is gone:
 * the child does not die with the thread that forked it. */
static void sandbox_outlives_the_forking_thread(void **state)
{
	(void)state;
	tw_wake *multi = wake_new();
	tw_call *call = call_started();
	doc_op op = {
		.call = call,
		.doc = VXML_OPEN
		"<form><var name=\"n\" expr=\"1\"/>"
		"<field name=\"d\" type=\"digits?length=1\"><prompt>Press a key.</prompt>"
		"<filled><prompt><value expr=\"'got ' + (n + Number(d))\"/></prompt>"
		"<disconnect/></filled></field></form>" VXML_CLOSE,
	};
	tw_offload o = {0};
	assert_int_equal(tw_offload_start(&o, run_doc, &op, multi), TW_OK);
	wait_woken(multi, &o);
	tw_offload_join(&o);
	ok(op.rc, &op.err);
	assert_true(tw_call_speaks_vxml(call));
	assert_int_equal(tw_call_state_of(call), TW_CALL_LISTENING);
	doc_op press = {.call = call, .keys = "1"};
	assert_int_equal(tw_offload_start(&o, run_doc, &press, multi), TW_OK);
	wait_woken(multi, &o);
	tw_offload_join(&o);
	ok(press.rc, &press.err);
	assert_string_equal(tw_call_last_prompt(call), "got 2");
	tw_call_free(call);
	wake_del(multi);
}

static bool stop_asked(void *ctx)
{
	return atomic_load((_Atomic int *)ctx) != 0;
}

/* A stop while an endless script runs off the loop: the owner joins the
 * operation (the stop request cuts the interpreter short, the sandbox's
 * time limit bounds the script) and frees the call; the call failed. */
static void stop_during_an_endless_script_joins(void **state)
{
	(void)state;
	_Atomic int stop = 0;
	tw_call_options opts = {.stop = stop_asked, .stop_ctx = &stop};
	tw_call_limits_init(&opts.limits);
	tw_call *call = call_placed(opts);
	doc_op op = {
		.call = call,
		.doc = VXML_OPEN "<form><block><script>while (true) {}</script>"
		"<prompt>Never.</prompt></block></form>" VXML_CLOSE,
	};
	tw_offload o = {0};
	assert_int_equal(tw_offload_start(&o, run_doc, &op, NULL), TW_OK);
	atomic_store(&stop, 1);
	tw_offload_join(&o);
	assert_int_not_equal(op.rc, TW_OK);
	assert_int_equal(tw_call_end_reason(call), TW_END_FAILED);
	tw_error_clear(&op.err);
	tw_call_free(call);
}

/* issue 14, F6: a stop while an endless script runs, with a script time
 * far past any test's patience (20 s): the stop reaches the sandbox, the
 * join returns, and the call was stopped (its performance counts as
 * interrupted), "cut off", not "ran past 20 s". */
typedef struct stop_later {
	struct timespec first; /* when first asked; 0: not yet */
} stop_later;

/* Says yes from 200 ms after it was first asked: the interpreter asks it
 * between elements, before the script starts; only a wait that asks while
 * the script runs sees the yes before the script's time is out. */
static bool stop_later_asked(void *ctx)
{
	stop_later *s = ctx;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (s->first.tv_sec == 0 && s->first.tv_nsec == 0)
		s->first = now;
	return (double)(now.tv_sec - s->first.tv_sec) +
		       (double)(now.tv_nsec - s->first.tv_nsec) / 1e9 >= 0.2;
}

static void stop_reaches_a_running_script(void **state)
{
	(void)state;
	stop_later stop = {{0, 0}};
	tw_call_options opts = {.stop = stop_later_asked, .stop_ctx = &stop, .script_time_s = 20};
	tw_call_limits_init(&opts.limits);
	tw_call *call = call_placed(opts);
	doc_op op = {
		.call = call,
		.doc = VXML_OPEN "<form><block><script>while (true) {}</script>"
		"<prompt>Never.</prompt></block></form>" VXML_CLOSE,
	};
	tw_offload o = {0};
	assert_int_equal(tw_offload_start(&o, run_doc, &op, NULL), TW_OK);
	tw_offload_join(&o);
	assert_int_not_equal(op.rc, TW_OK);
	assert_non_null(op.err.message);
	assert_non_null(strstr(op.err.message, "cut off"));
	assert_true(tw_call_was_stopped(call));
	assert_int_equal(tw_call_end_reason(call), TW_END_FAILED);
	tw_error_clear(&op.err);
	tw_call_free(call);
}

/* issue 14, F5: an op that counts itself started, then waits until let
 * go (no timing: each test lets go explicitly). */
typedef struct held_op {
	_Atomic int *started;
	_Atomic int go;
	_Atomic int ran;
} held_op;

static void held(void *arg)
{
	held_op *h = arg;
	atomic_fetch_add(h->started, 1);
	while (!atomic_load(&h->go))
		sched_yield();
	atomic_store(&h->ran, 1);
}

/* issue 14, F5 (review2 #1): a gate of 2 runs at most 2 ops at once; a
 * third waits queued (not started, not done) and starts when a running
 * one is joined; joining a queued op runs it there; cancelling a queued
 * op drops it unrun. */
static void gate_caps_ops_at_once(void **state)
{
	(void)state;
	tw_wake *multi = wake_new();
	tw_offload_gate gate = {.max = 2};
	_Atomic int started = 0;
	held_op h[5];
	tw_offload o[5];
	memset(o, 0, sizeof(o));
	for (int i = 0; i < 5; i++) {
		h[i] = (held_op){.started = &started};
		o[i].gate = &gate;
		assert_int_equal(tw_offload_start(&o[i], held, &h[i], multi), TW_OK);
	}
	assert_int_equal(gate.running, 2);
	assert_true(o[2].queued && o[3].queued && o[4].queued);
	while (atomic_load(&started) < 2)
		sched_yield();
	assert_false(tw_offload_done(&o[2])); /* queued: not done */
	/* one ends and is joined: the first queued starts */
	atomic_store(&h[0].go, 1);
	wait_woken(multi, &o[0]);
	tw_offload_join(&o[0]);
	assert_false(o[2].queued);
	assert_true(o[2].running);
	assert_int_equal(gate.running, 2);
	while (atomic_load(&started) < 3)
		sched_yield();
	/* a queued op joined (a stop) runs here, and leaves the queue */
	atomic_store(&h[3].go, 1);
	tw_offload_join(&o[3]);
	assert_int_equal(atomic_load(&h[3].ran), 1);
	assert_false(o[3].queued);
	/* a queued op cancelled (freeing) is dropped unrun */
	tw_offload_cancel(&o[4]);
	assert_int_equal(atomic_load(&h[4].ran), 0);
	assert_null(gate.head);
	assert_null(gate.tail);
	for (int i = 1; i < 3; i++) {
		atomic_store(&h[i].go, 1);
		tw_offload_join(&o[i]);
		assert_int_equal(atomic_load(&h[i].ran), 1);
	}
	assert_int_equal(gate.running, 0);
	assert_int_equal(atomic_load(&started), 4);
	assert_true(tw_offload_gate_cap() >= 2);
	wake_del(multi);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ends_and_wakes_the_loop),
		cmocka_unit_test(ended_ops_are_listed_once),
		cmocka_unit_test(sandbox_outlives_the_forking_thread),
		cmocka_unit_test(stop_during_an_endless_script_joins),
		cmocka_unit_test(stop_reaches_a_running_script), /* issue 14, F6 */
		cmocka_unit_test(gate_caps_ops_at_once), /* issue 14, F5 */
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
