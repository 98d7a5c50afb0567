/*
 * Issue 14, AUDIO: the resources a document needs, fetched before it runs
 * (call.h, "Resources"), and the lengths of audio files (audio.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/ivr/audio.h"
#include "channels/ivr/call.h"

#define BASE "http://127.0.0.1:1/ivr/"
#define URL BASE "voice"

static void le(unsigned char *p, unsigned long v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* A 16-bit mono PCM WAV of frames samples at rate Hz (silence). */
static unsigned char *wav(unsigned long rate, unsigned long frames, size_t *len)
{
	*len = 44 + frames * 2;
	unsigned char *w = calloc(1, *len);
	assert_non_null(w);
	memcpy(w, "RIFF", 4);
	le(w + 4, (unsigned long)*len - 8, 4);
	memcpy(w + 8, "WAVEfmt ", 8);
	le(w + 16, 16, 4);
	le(w + 20, 1, 2);
	le(w + 22, 1, 2);
	le(w + 24, rate, 4);
	le(w + 28, rate * 2, 4);
	le(w + 32, 2, 2);
	le(w + 34, 16, 2);
	memcpy(w + 36, "data", 4);
	le(w + 40, frames * 2, 4);
	return w;
}

static tw_call *new_call(tw_audio_cache *cache)
{
	tw_call_options o = {.from = "+15550001111", .to = "+15550002222", .seed = 7,
			     .audio_cache = cache};
	tw_call_limits_init(&o.limits);
	tw_call *call = tw_call_new(&o);
	assert_non_null(call);
	return call;
}

static int answer(tw_call *call, const char *url, long status, const char *body, double ms,
		  tw_error *err)
{
	return tw_call_document(call, url, status, "text/xml", body, strlen(body), ms, err);
}

static void a_wav_is_timed_from_memory(void **state)
{
	(void)state;
	size_t len;
	unsigned char *w = wav(8000, 12000, &len);
	char why[TW_AUDIO_WHY_SIZE];
	assert_true(fabs(tw_audio_duration(w, len, why) - 1.5) < 1e-9);
	free(w);
	assert_true(tw_audio_duration("<html>not found</html>", 22, why) < 0);
	assert_non_null(strstr(why, "not audio libsndfile can read"));
	assert_true(tw_audio_duration(NULL, 0, why) < 0);
}

static void the_cache_keeps_the_first_answer(void **state)
{
	(void)state;
	tw_audio_cache *c = tw_audio_cache_new();
	double s = 0;
	char why[TW_AUDIO_WHY_SIZE];
	assert_false(tw_audio_cache_get(c, "http://x/a.wav", &s, why));
	assert_int_equal(tw_audio_cache_put(c, "http://x/a.wav", 2.5, NULL), TW_OK);
	assert_int_equal(tw_audio_cache_put(c, "http://x/a.wav", 9, NULL), TW_OK);
	assert_int_equal(tw_audio_cache_put(c, "http://x/b.wav", -1, "answered 404"), TW_OK);
	assert_true(tw_audio_cache_get(c, "http://x/a.wav", &s, why));
	assert_true(s == 2.5);
	assert_string_equal(why, "");
	assert_true(tw_audio_cache_get(c, "http://x/b.wav", &s, why));
	assert_true(s < 0);
	assert_string_equal(why, "answered 404");
	assert_int_equal(tw_audio_cache_count(c), 2);
	tw_audio_cache_free(c);
}

static const char vxml_doc[] =
	"<?xml version=\"1.0\"?>\n"
	"<vxml version=\"2.1\" application=\"root.vxml\">\n"
	"<script src=\"lib/s.js\"/>\n"
	"<form><field name=\"n\">\n"
	"<grammar src=\"builtin:digits\"/>\n"
	"<grammar src=\"g.grxml#top\"/>\n"
	"<prompt><audio src=\"hello.wav\">Hello</audio>"
	"<audio expr=\"'x' + '.wav'\"/><audio src=\"hello.wav\"/></prompt>\n"
	"</field></form></vxml>\n";

static const char root_doc[] = "<vxml version=\"2.1\" application=\"other.vxml\">"
			       "<script src=\"root.js\"/></vxml>";

/* The pending request is a plain GET of url: no carrier parameters, no
 * signature, an Accept for what it is. */
static void expect_get(tw_call *call, const char *url)
{
	assert_int_equal(tw_call_state_of(call), TW_CALL_FETCHING);
	assert_true(tw_call_fetching_resource(call));
	const tw_call_request *r = tw_call_pending(call);
	assert_non_null(r);
	assert_string_equal(r->method, "GET");
	assert_string_equal(r->url, url);
	assert_int_equal(r->param_count, 0);
	assert_null(r->body);
	assert_null(r->signature);
	assert_non_null(r->accept);
}

static void voicexml_resources_are_fetched_before_it_runs(void **state)
{
	(void)state;
	tw_audio_cache *cache = tw_audio_cache_new();
	tw_call *call = new_call(cache);
	tw_error err = {0};
	assert_int_equal(tw_call_start(call, URL, &err), TW_OK);
	assert_false(tw_call_fetching_resource(call)); /* the webhook */
	assert_int_equal(answer(call, URL, 200, vxml_doc, 10, &err), TW_OK);
	/* In the document's order, the root first, then the root's own. */
	expect_get(call, BASE "root.vxml");
	assert_int_equal(answer(call, BASE "root.vxml", 200, root_doc, 10, &err), TW_OK);
	expect_get(call, BASE "lib/s.js");
	assert_int_equal(answer(call, BASE "lib/s.js", 404, "gone", 10, &err), TW_OK);
	expect_get(call, BASE "g.grxml");
	assert_int_equal(answer(call, BASE "g.grxml", 200, "<grammar/>", 10, &err), TW_OK);
	expect_get(call, BASE "hello.wav");
	size_t len;
	unsigned char *w = wav(8000, 16000, &len);
	assert_int_equal(tw_call_document(call, BASE "hello.wav", 200, "audio/wav", (char *)w,
					  len, 10, &err),
			 TW_OK);
	free(w);
	expect_get(call, BASE "root.js");
	/* A transport failure is the resource's, not the call's; then the
	 * document ran (today's vxml.c stops at <script>: whatever it makes
	 * of them is the interpreter's), and no more GETs. */
	tw_call_resource_failed(call, "connection refused", 10, &err);
	tw_error_clear(&err);
	assert_false(tw_call_fetching_resource(call));
	assert_int_equal(tw_call_resource_failed(call, "x", 0, &err), TW_EUSAGE);
	tw_error_clear(&err);
	/* The fetches took the caller's time: 6 x 10 ms. */
	assert_true(tw_call_clock(call) >= 0.06 - 1e-9);

	const char *body = NULL, *type = NULL;
	size_t n = 0;
	assert_int_equal(tw_call_resource(call, URL, "g.grxml", &body, &n, &type, &err), TW_OK);
	assert_string_equal(body, "<grammar/>");
	assert_int_equal(n, 10);
	assert_string_equal(type, "text/xml");
	assert_int_equal(tw_call_resource(call, URL, "lib/s.js", &body, &n, &type, &err),
			 TW_ESERVICE);
	assert_non_null(strstr(err.message, "GET " BASE "lib/s.js answered 404"));
	tw_error_clear(&err);
	assert_int_equal(tw_call_resource(call, BASE, "root.js", NULL, NULL, NULL, &err),
			 TW_ESERVICE);
	assert_non_null(strstr(err.message, "connection refused"));
	tw_error_clear(&err);
	assert_int_equal(tw_call_resource(call, URL, "x.wav", &body, &n, &type, &err),
			 TW_CALL_NOT_FETCHED);
	assert_non_null(strstr(err.message, "was not fetched"));
	tw_error_clear(&err);
	/* The root of the root is not fetched: a root has none. */
	assert_int_equal(tw_call_resource(call, URL, "other.vxml", NULL, NULL, NULL, &err),
			 TW_CALL_NOT_FETCHED);
	tw_error_clear(&err);
	assert_true(fabs(tw_call_audio_s(call, URL, "hello.wav") - 2.0) < 1e-9);
	assert_true(fabs(tw_call_audio_s(call, BASE "x/y", "../hello.wav") - 2.0) < 1e-9);
	assert_true(tw_call_audio_s(call, URL, "x.wav") < 0);
	tw_call_free(call);

	/* The next call of the run does not fetch the audio again. */
	call = new_call(cache);
	assert_int_equal(tw_call_start(call, URL, &err), TW_OK);
	assert_int_equal(answer(call, URL, 200,
				"<Response><Play>hello.wav</Play><Play digits=\"1\"/></Response>",
				10, &err),
			 TW_OK);
	assert_false(tw_call_fetching_resource(call));
	assert_true(fabs(tw_call_audio_s(call, URL, "hello.wav") - 2.0) < 1e-9);
	tw_call_free(call);
	tw_audio_cache_free(cache);
}

static void audio_that_cannot_be_timed_is_noted_once(void **state)
{
	(void)state;
	tw_call *call = new_call(NULL);
	tw_error err = {0};
	assert_int_equal(tw_call_start(call, URL, &err), TW_OK);
	assert_int_equal(answer(call, URL, 200,
				"<Response><Play>missing.mp3</Play><Play>missing.mp3</Play>"
				"<Play>page.wav</Play></Response>",
				0, &err),
			 TW_OK);
	expect_get(call, BASE "missing.mp3");
	assert_int_equal(answer(call, BASE "missing.mp3", 404, "no", 0, &err), TW_OK);
	expect_get(call, BASE "page.wav");
	assert_int_equal(answer(call, BASE "page.wav", 200, "<html/>", 0, &err), TW_OK);
	assert_false(tw_call_fetching_resource(call));
	size_t before = tw_call_event_count(call);
	int rc;
	for (int i = 0; i < 2; i++) {
		double s = tw_call_audio_timed(call, URL, "missing.mp3", &rc);
		assert_int_equal(rc, TW_OK);
		assert_true(s == TW_CALL_AUDIO_DEFAULT_S);
	}
	assert_int_equal(tw_call_event_count(call), before + 1);
	const tw_call_event *e = tw_call_event_at(call, before);
	assert_int_equal(e->kind, TW_EV_NOTE);
	assert_string_equal(e->text, "could not time " BASE "missing.mp3 (answered 404); "
				     "counted as 3.0 s");
	tw_call_audio_timed(call, URL, "page.wav", &rc);
	e = tw_call_event_at(call, before + 1);
	assert_non_null(strstr(e->text, "not audio libsndfile can read"));
	double clock = tw_call_clock(call);
	assert_int_equal(tw_call_audio_event(call, "page.wav", 3.0), TW_OK);
	e = tw_call_event_at(call, tw_call_event_count(call) - 1);
	assert_true(e->audio);
	assert_true(e->duration_s == 3.0);
	assert_true(fabs(tw_call_clock(call) - clock - 3.0) < 1e-9);
	tw_call_free(call);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_wav_is_timed_from_memory),
		cmocka_unit_test(the_cache_keeps_the_first_answer),
		cmocka_unit_test(voicexml_resources_are_fetched_before_it_runs),
		cmocka_unit_test(audio_that_cannot_be_timed_is_noted_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
