/*
 * The customer on the phone: the steps of ivr scenes (call, hear, press,
 * say, silence, hang up, and the expectations about the call). A webhook
 * fetch is a transfer on the customer's handle like any other, so a call
 * shares the loop, the cookie jar and the timeouts with the web steps.
 *
 * What the caller heard and did is written, redacted, into the transcript
 * of the scene the step belongs to; the call's figures add up in the
 * rehearsal's result.
 */
#ifndef TW_RUNNER_CALLER_H
#define TW_RUNNER_CALLER_H

#include <stdbool.h>

#include "runner/customer.h"

/* The caller's steps, one function per step kind (language/steps.def's
 * PERFORM column), and tw_caller_expect for the expectations about the
 * call (those for which tw_step_is_phone holds). Each passes or fails sr,
 * or starts a webhook fetch (the customer is then WAITING with c->webhook
 * set); all but call fail sr when no call has been placed. */
void tw_caller_call(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms);
void tw_caller_hear(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms);
void tw_caller_press(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms);
void tw_caller_say(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms);
void tw_caller_silence(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms);
void tw_caller_hangup(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms);
void tw_caller_expect(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms);
/* issue 14, MATCH: a `when hear` handler's line: passes; hears read it */
void tw_caller_when(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms);

/* The webhook fetch under way came back with a response (transport
 * failures are the customer's): feeds it to the call, then fetches again
 * or completes the step. */
void tw_caller_webhook_done(tw_customer *c, tw_step_result *sr, double now_ms);

/* issue 14, AUDIO: the fetch under way failed on the way (why: the
 * transport's words). When it was a resource the call fetches before a
 * document runs, the call keeps the failure and goes on (fetches again or
 * completes the step): true. false: a webhook's, the customer's to fail. */
bool tw_caller_resource_failed(tw_customer *c, tw_step_result *sr, const char *why,
			       double now_ms);

/* The performance is over: a call still open is hung up, and its figures
 * go into the result. */
void tw_caller_finish(tw_customer *c);

/* issue 14, F1: joins the call operation that ran off the loop
 * (c->offload) and goes on from it as the step would have inline: the
 * next fetch, the step's end or its failure. */
void tw_caller_offload_done(tw_customer *c, tw_step_result *sr, double now_ms);
/* issue 14, F1: waits for an operation off the loop, if one runs, and
 * drops it without going on (the customer is being freed). */
void tw_caller_offload_free(tw_customer *c);

#endif
