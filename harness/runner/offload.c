/*
 * issue 14, F1: call operations off the worker's loop (offload.h).
 *
 * A thread per operation, not a pool: an operation is one VoiceXML turn,
 * which forks or talks to a sandbox anyway; a thread's start and join
 * cost tens of microseconds (docs/phone.md "A sandbox per call"), and a
 * thread that ends with its operation leaves nothing to shut down.
 */
#include "runner/offload.h"

#include <string.h>

#include "techweek/error.h"

static void *run_op(void *arg)
{
	tw_offload *o = arg;
	o->op(o->arg);
	/* The flag first: the loop woken must see it. */
	atomic_store(&o->done, 1);
	if (o->wake)
		curl_multi_wakeup(o->wake);
	return NULL;
}

int tw_offload_start(tw_offload *o, void (*op)(void *arg), void *arg, CURLM *wake)
{
	o->op = op;
	o->arg = arg;
	o->wake = wake;
	atomic_store(&o->done, 0);
	if (pthread_create(&o->thread, NULL, run_op, o) != 0) {
		o->running = false;
		return TW_EINTERNAL;
	}
	o->running = true;
	return TW_OK;
}

bool tw_offload_done(const tw_offload *o)
{
	return o->running && atomic_load(&o->done);
}

void tw_offload_join(tw_offload *o)
{
	if (!o->running)
		return;
	pthread_join(o->thread, NULL);
	o->running = false;
}
