/*
 * What the call tests share: a call placed to URL (defined by the test
 * before including this) and a document answered to it. Static functions:
 * each test program includes this once.
 */
#ifndef TW_TEST_CALL_FIXTURE_H
#define TW_TEST_CALL_FIXTURE_H

#include <string.h>

#include "channels/ivr/call.h"

static void ok(int rc, const tw_error *err)
{
	if (rc != TW_OK)
		fail_msg("step failed: %s", err->message ? err->message : "(no message)");
}

static tw_call *call_started(void)
{
	tw_call_options o = {.from = "+15550001111", .to = "+15550002222", .seed = 7};
	tw_call_limits_init(&o.limits);
	tw_call *call = tw_call_new(&o);
	assert_non_null(call);
	tw_error err = {0};
	ok(tw_call_start(call, URL, &err), &err);
	return call;
}

/* Answers the pending request with doc, as if it came from url. */
static int answer_from(tw_call *call, const char *url, const char *doc, tw_error *err)
{
	assert_int_equal(tw_call_state_of(call), TW_CALL_FETCHING);
	return tw_call_document(call, url, 200, "text/xml", doc, strlen(doc), 0, err);
}

#endif
