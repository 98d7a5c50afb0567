/*
 * What the call tests share: a call placed to URL (defined by the test
 * before including this) and a document answered to it. Static functions:
 * each test program includes this once.
 */
#ifndef TW_TEST_CALL_FIXTURE_H
#define TW_TEST_CALL_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "channels/ivr/call.h"
#include "wav_fixture.h"

static void ok(int rc, const tw_error *err)
{
	if (rc != TW_OK)
		fail_msg("step failed: %s", err->message ? err->message : "(no message)");
}

/* A call placed with o's limits and stop request (from and to are the
 * fixture's). */
static tw_call *call_placed(tw_call_options o)
{
	o.from = "+15550001111";
	o.to = "+15550002222";
	o.seed = 7;
	tw_call *call = tw_call_new(&o);
	assert_non_null(call);
	tw_error err = {0};
	ok(tw_call_start(call, URL, &err), &err);
	return call;
}

static tw_call *call_started(void)
{
	tw_call_options o = {0};
	tw_call_limits_init(&o.limits);
	return call_placed(o);
}

/* issue 14, AUDIO: every audio file the fixture's documents play lasts
 * FIXTURE_AUDIO_S (a 16-bit mono WAV at 8 kHz); every other resource (a
 * grammar, a script) is not found (404). */
#define FIXTURE_AUDIO_S 2.0

static int fixture_resource(tw_call *call, tw_error *err)
{
	const tw_call_request *r = tw_call_pending(call);
	if (strncmp(r->accept, "audio/", 6) != 0)
		return tw_call_document(call, r->url, 404, "text/plain", "no", 2, 0, err);
	size_t len;
	unsigned char *w = fixture_wav(8000, (unsigned long)(8000 * FIXTURE_AUDIO_S), &len);
	int rc = tw_call_document(call, r->url, 200, "audio/wav", (const char *)w, len, 0, err);
	free(w);
	return rc;
}

/* Answers the pending request with doc, as if it came from url, and the
 * resources it refers to as above. */
static int answer_from(tw_call *call, const char *url, const char *doc, tw_error *err)
{
	assert_int_equal(tw_call_state_of(call), TW_CALL_FETCHING);
	int rc = tw_call_document(call, url, 200, "text/xml", doc, strlen(doc), 0, err);
	while (rc == TW_OK && tw_call_fetching_resource(call))
		rc = fixture_resource(call, err);
	return rc;
}

/* A call limited to max_s on the call clock that goes past it in doc,
 * or in the caller's actions after it ("1": press 1, "-": silence): the
 * call fails there with a limit. Returns the call (its transcript stops
 * where the limit was crossed) and the message in *msg (malloc'd). */
static tw_call *past_the_clock(double max_s, const char *doc, const char *actions, char **msg)
{
	tw_call_options o = {0};
	tw_call_limits_init(&o.limits);
	o.limits.max_call_s = max_s;
	tw_call *call = call_placed(o);
	tw_error err = {0};
	int rc = answer_from(call, URL, doc, &err);
	for (const char *a = actions; rc == TW_OK && a && *a; a++) {
		char keys[2] = {*a, '\0'};
		rc = *a == '-' ? tw_call_silence(call, &err) : tw_call_press(call, keys, &err);
	}
	if (rc != TW_ELIMIT)
		fail_msg("the call did not fail on its clock limit of %g s (rc %d: %s); the clock "
			 "is at %g s", max_s, rc, err.message ? err.message : "no message",
			 tw_call_clock(call));
	assert_int_equal(tw_call_end_reason(call), TW_END_FAILED);
	assert_int_equal(tw_call_error(call)->code, TW_ELIMIT);
	assert_string_equal(tw_call_error(call)->message, err.message);
	*msg = strdup(err.message);
	tw_error_clear(&err);
	return call;
}

/* open, a newline, n copies of verb one per line, then close: with open
 * on one line, the k-th copy is on line k + 1. malloc'd. */
static char *repeated(const char *open, const char *verb, size_t n, const char *close)
{
	size_t lo = strlen(open), lv = strlen(verb), lc = strlen(close);
	char *doc = malloc(lo + 1 + n * (lv + 1) + lc + 1), *p = doc;
	assert_non_null(doc);
	memcpy(p, open, lo);
	p += lo;
	*p++ = '\n';
	for (size_t i = 0; i < n; i++, p += lv + 1) {
		memcpy(p, verb, lv);
		p[lv] = '\n';
	}
	memcpy(p, close, lc + 1);
	return doc;
}

/* A stop request (tw_call_options.stop) that says yes once it has been
 * asked more than `at` times. */
struct stop_after {
	int asked, at;
};

static bool stop_after(void *ctx)
{
	struct stop_after *s = ctx;
	return ++s->asked > s->at;
}

#endif
