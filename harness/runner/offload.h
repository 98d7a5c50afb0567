/*
 * issue 14, F1: a call operation that may run a VoiceXML interpreter (and
 * so an ECMAScript sandbox: a fork, round trips, up to the call's script
 * time) runs on a short-lived thread of its own, so that the worker's
 * loop goes on serving its other customers meanwhile. The loop starts
 * one (tw_offload_start), notices it ended (tw_offload_done: the thread
 * set an atomic flag and woke the loop's multi handle), joins it
 * (tw_offload_join) and runs what follows the operation on the loop's
 * thread. What the operation may touch off the loop is said in
 * channels/ivr/call.h ("Off the loop").
 */
#ifndef TW_RUNNER_OFFLOAD_H
#define TW_RUNNER_OFFLOAD_H

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

typedef struct tw_offload {
	pthread_t thread;
	bool running;          /* started, not joined yet */
	_Atomic int done;      /* set by the thread as its last act on op */
	void (*op)(void *arg); /* runs on the thread */
	void *arg;             /* borrowed: op's, until joined */
	CURLM *wake;           /* borrowed: woken when op ended; NULL: none */
} tw_offload;

/* Runs op(arg) on a new thread; wake (may be NULL) is woken with
 * curl_multi_wakeup when it ends. TW_OK; TW_EINTERNAL when no thread
 * could be made (the caller then runs op itself). o must stay where it
 * is until joined. */
int tw_offload_start(tw_offload *o, void (*op)(void *arg), void *arg, CURLM *wake);
/* True when the op started has ended (tw_offload_join will not wait). */
bool tw_offload_done(const tw_offload *o);
/* Waits for the op started to end and reaps its thread; nothing when none
 * is running. */
void tw_offload_join(tw_offload *o);

#endif
