/*
 * Issue 14, F3: the resources a document needs, bounded (a grammar that
 * names a new grammar for ever), failures kept per call, fetch time on
 * the clock when a file is used, and the call's status word mid-call.
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

#include "wav_fixture.h"

#define BASE "http://127.0.0.1:1/ivr/"
#define URL BASE "voice"

static tw_call *new_call(tw_audio_cache *cache, double prefetch_s)
{
	tw_call_options o = {.from = "+15550001111", .to = "+15550002222", .seed = 7,
			     .audio_cache = cache};
	tw_call_limits_init(&o.limits);
	if (prefetch_s > 0)
		o.limits.prefetch_s = prefetch_s;
	tw_call *call = tw_call_new(&o);
	assert_non_null(call);
	return call;
}

static int answer(tw_call *call, const char *url, long status, const char *body, double ms,
		  tw_error *err)
{
	return tw_call_document(call, url, status, "text/xml", body, strlen(body), ms, err);
}

static const char menu[] = "<?xml version=\"1.0\"?>\n"
			   "<vxml version=\"2.1\">\n"
			   "<form><field name=\"n\">\n"
			   "<grammar src=\"g/0.grxml\"/>\n"
			   "<prompt>Say a number</prompt>\n"
			   "</field></form></vxml>\n";

/* Grammar n names grammar n + 1 (or, wide, 100 grammars of its own). */
static void grammar(char *out, size_t size, int n, bool wide)
{
	int w = snprintf(out, size,
			 "<grammar xmlns=\"http://www.w3.org/2001/06/grammar\" root=\"r\">"
			 "<rule id=\"r\"><one-of>");
	for (int i = 0; i < (wide ? 100 : 1); i++)
		w += snprintf(out + w, size - (size_t)w, "<item><ruleref uri=\"%d.grxml#r\"/></item>",
			      wide ? 1000 + i : n + 1);
	snprintf(out + w, size - (size_t)w, "</one-of></rule></grammar>");
}

/* Answers every resource GET with a grammar; the number of GETs. */
static int follow(tw_call *call, bool wide, double ms)
{
	tw_error err = {0};
	int gets = 0;
	char body[16384];
	while (tw_call_fetching_resource(call) && gets < 1000) {
		const char *u = tw_call_pending(call)->url;
		int n = atoi(strrchr(u, '/') + 1);
		grammar(body, sizeof(body), n, wide && gets == 0);
		gets++;
		answer(call, u, 200, body, ms, &err);
		tw_error_clear(&err);
	}
	return gets;
}

static void a_grammar_chain_stops_at_the_depth_the_reader_takes(void **state)
{
	(void)state;
	tw_call *call = new_call(NULL, 0);
	tw_error err = {0};
	assert_int_equal(tw_call_start(call, URL, &err), TW_OK);
	assert_int_equal(answer(call, URL, 200, menu, 0, &err), TW_OK);
	int gets = follow(call, false, 0);
	assert_true(gets <= 17);
	assert_int_equal(tw_call_state_of(call), TW_CALL_ENDED);
	assert_int_equal(tw_call_end_reason(call), TW_END_FAILED);
	assert_int_equal(tw_call_error(call)->code, TW_ESERVICE);
	assert_non_null(strstr(tw_call_error(call)->message, "more than 16 deep"));
	tw_call_free(call);
}

static void the_files_of_a_documents_grammars_share_its_cap(void **state)
{
	(void)state;
	tw_call *call = new_call(NULL, 0);
	tw_error err = {0};
	assert_int_equal(tw_call_start(call, URL, &err), TW_OK);
	assert_int_equal(answer(call, URL, 200, menu, 0, &err), TW_OK);
	int gets = follow(call, true, 0);
	assert_true(gets <= TW_CALL_MAX_RESOURCES);
	assert_int_equal(tw_call_end_reason(call), TW_END_FAILED);
	assert_int_equal(tw_call_error(call)->code, TW_ESERVICE);
	assert_non_null(strstr(tw_call_error(call)->message, "more than 64 files"));
	tw_call_free(call);
}

static void the_prefetch_of_a_document_has_a_time_budget(void **state)
{
	(void)state;
	tw_call *call = new_call(NULL, 2);
	tw_error err = {0};
	assert_int_equal(tw_call_start(call, URL, &err), TW_OK);
	assert_int_equal(answer(call, URL, 200, menu, 0, &err), TW_OK);
	int gets = follow(call, false, 900);
	assert_int_equal(gets, 3);
	assert_int_equal(tw_call_end_reason(call), TW_END_FAILED);
	assert_int_equal(tw_call_error(call)->code, TW_ESERVICE);
	assert_non_null(strstr(tw_call_error(call)->message, "more than 2 s (--timeout)"));
	tw_call_free(call);
}

/* A menu's recordings have a cap of their own: 70 of them (6 past the
 * cap, played for the default length with a note) do not crowd out the
 * grammar chain the field needs. */
static void audio_does_not_crowd_out_grammars(void **state)
{
	(void)state;
	char doc[16384];
	int w = snprintf(doc, sizeof(doc), "<?xml version=\"1.0\"?>\n<vxml version=\"2.1\"><form>"
			 "<field name=\"n\"><grammar src=\"g/0.grxml\"/><prompt>");
	for (int i = 0; i < 70; i++)
		w += snprintf(doc + w, sizeof(doc) - (size_t)w, "<audio src=\"a%d.wav\"/>", i);
	snprintf(doc + w, sizeof(doc) - (size_t)w, "</prompt></field></form></vxml>");
	tw_call *call = new_call(NULL, 0);
	tw_error err = {0};
	assert_int_equal(tw_call_start(call, URL, &err), TW_OK);
	assert_int_equal(answer(call, URL, 200, doc, 0, &err), TW_OK);
	int audio = 0, grammars = 0;
	while (tw_call_fetching_resource(call)) {
		const char *u = tw_call_pending(call)->url;
		if (strstr(u, ".wav")) {
			audio++;
			answer(call, u, 404, "no", 0, &err);
		} else {
			/* grammar n names n + 1 up to 3, which is a plain one */
			int n = atoi(strrchr(u, '/') + 1);
			char g[1024];
			if (n < 3)
				grammar(g, sizeof(g), n, false);
			else
				snprintf(g, sizeof(g), "<grammar xmlns=\"http://www.w3.org/2001/06/grammar\" "
					 "root=\"r\" mode=\"dtmf\"><rule id=\"r\"><item>1</item></rule>"
					 "</grammar>");
			grammars++;
			answer(call, u, 200, g, 0, &err);
		}
		tw_error_clear(&err);
	}
	assert_int_equal(audio, TW_CALL_MAX_RESOURCES);
	assert_int_equal(grammars, 4);
	assert_int_not_equal(tw_call_end_reason(call), TW_END_FAILED);
	tw_call_free(call);
}

/* Past the time budget, the recordings not fetched yet are skipped (a
 * carrier skips what it cannot get): the document runs, with a note. */
static void past_the_budget_audio_is_skipped(void **state)
{
	(void)state;
	tw_call *call = new_call(NULL, 2);
	tw_error err = {0};
	assert_int_equal(tw_call_start(call, URL, &err), TW_OK);
	assert_int_equal(answer(call, URL, 200,
				"<Response><Play>a.wav</Play><Play>b.wav</Play><Play>c.wav</Play>"
				"<Play>d.wav</Play><Play>e.wav</Play><Hangup/></Response>", 0, &err),
			 TW_OK);
	int gets = 0;
	while (tw_call_fetching_resource(call)) {
		gets++;
		answer(call, tw_call_pending(call)->url, 404, "no", 900, &err);
		tw_error_clear(&err);
	}
	assert_int_equal(gets, 3);
	assert_int_equal(tw_call_end_reason(call), TW_END_HANGUP);
	bool noted = false;
	for (size_t i = 0; i < tw_call_event_count(call); i++) {
		const tw_call_event *e = tw_call_event_at(call, i);
		noted |= e->kind == TW_EV_NOTE && e->text &&
			 strstr(e->text, "took more than 2 s (--timeout)");
	}
	assert_true(noted);
	tw_call_free(call);
}

static const char plays[] = "<Response><Play>x.wav</Play><Hangup/></Response>";

/* One call of the run: x.wav answered with status (a 1 s WAV on 200);
 * true when the call asked for it. */
static bool one_call(tw_audio_cache *cache, long status, char *transcript, size_t size)
{
	tw_call *call = new_call(cache, 0);
	tw_error err = {0};
	assert_int_equal(tw_call_start(call, URL, &err), TW_OK);
	assert_int_equal(answer(call, URL, 200, plays, 0, &err), TW_OK);
	bool asked = tw_call_fetching_resource(call);
	if (asked) {
		size_t len;
		unsigned char *w = fixture_wav(8000, 8000, &len);
		assert_int_equal(tw_call_document(call, BASE "x.wav", status, "audio/wav",
						  status == 200 ? (char *)w : "busy",
						  status == 200 ? len : 4, 0, &err),
				 TW_OK);
		free(w);
	}
	size_t n = 0;
	transcript[0] = '\0';
	for (size_t i = 0; i < tw_call_event_count(call); i++) {
		const tw_call_event *e = tw_call_event_at(call, i);
		n += (size_t)snprintf(transcript + n, size - n, "%s (%.1f)\n",
				      e->text ? e->text : "", e->duration_s);
	}
	tw_call_free(call);
	return asked;
}

static void a_failed_audio_fetch_is_the_calls_alone(void **state)
{
	(void)state;
	tw_audio_cache *cache = tw_audio_cache_new();
	char t[2048];
	assert_true(one_call(cache, 503, t, sizeof(t)));
	assert_non_null(strstr(t, "could not time " BASE "x.wav (answered 503)"));
	/* The next call tries again, and times what it gets. */
	assert_true(one_call(cache, 200, t, sizeof(t)));
	assert_null(strstr(t, "could not time"));
	assert_non_null(strstr(t, BASE "x.wav (1.0)"));
	/* A success is kept for the run. */
	assert_false(one_call(cache, 200, t, sizeof(t)));
	assert_non_null(strstr(t, BASE "x.wav (1.0)"));
	tw_audio_cache_free(cache);
}

/* Each play waits for its own file's fetch, when it plays. */
static void a_fetch_is_on_the_clock_when_the_file_plays(void **state)
{
	(void)state;
	tw_audio_cache *cache = tw_audio_cache_new();
	tw_call *call = new_call(cache, 0);
	tw_error err = {0};
	assert_int_equal(tw_call_start(call, URL, &err), TW_OK);
	assert_int_equal(answer(call, URL, 200,
				"<Response><Play>a.wav</Play><Say>Hi</Say><Play>b.wav</Play>"
				"</Response>", 0, &err),
			 TW_OK);
	size_t len;
	unsigned char *w = fixture_wav(8000, 8000, &len);
	assert_true(tw_call_fetching_resource(call));
	assert_int_equal(tw_call_document(call, BASE "a.wav", 200, "audio/wav", (char *)w, len,
					  500, &err), TW_OK);
	assert_true(tw_call_fetching_resource(call));
	assert_int_equal(tw_call_document(call, BASE "b.wav", 200, "audio/wav", (char *)w, len,
					  700, &err), TW_OK);
	free(w);
	assert_true(tw_call_event_count(call) >= 3);
	assert_true(fabs(tw_call_event_at(call, 0)->at_s - 0.5) < 1e-9);       /* a */
	assert_true(fabs(tw_call_event_at(call, 1)->at_s - 1.5) < 1e-9);       /* Hi */
	assert_true(fabs(tw_call_event_at(call, 2)->at_s - (1.9 + 0.7)) < 1e-9); /* b */
	tw_call_free(call);
	/* The run has them: the next call waits for neither. */
	call = new_call(cache, 0);
	assert_int_equal(tw_call_start(call, URL, &err), TW_OK);
	assert_int_equal(answer(call, URL, 200,
				"<Response><Play>a.wav</Play><Say>Hi</Say><Play>b.wav</Play>"
				"</Response>", 0, &err),
			 TW_OK);
	assert_false(tw_call_fetching_resource(call));
	assert_true(fabs(tw_call_event_at(call, 2)->at_s - 1.4) < 1e-9);
	tw_call_free(call);
	tw_audio_cache_free(cache);
}

/* The collector and the interpreter name a file by the same URL: a src
 * with blanks around it is fetched once and timed when it plays, not
 * "not fetched" and the default length. */
static void a_src_with_blanks_is_the_file_fetched(void **state)
{
	(void)state;
	tw_call *call = new_call(NULL, 0);
	tw_error err = {0};
	assert_int_equal(tw_call_start(call, URL, &err), TW_OK);
	assert_int_equal(answer(call, URL, 200,
				"<?xml version=\"1.0\"?>\n<vxml version=\"2.1\"><form><block>"
				"<prompt><audio src=\" a.wav \"/></prompt></block></form></vxml>",
				0, &err),
			 TW_OK);
	assert_true(tw_call_fetching_resource(call));
	assert_string_equal(tw_call_pending(call)->url, BASE "a.wav");
	size_t len;
	unsigned char *w = fixture_wav(8000, 8000, &len); /* 1 s */
	assert_int_equal(tw_call_document(call, BASE "a.wav", 200, "audio/wav", (char *)w, len, 0,
					  &err),
			 TW_OK);
	free(w);
	bool played = false;
	for (size_t i = 0; i < tw_call_event_count(call); i++) {
		const tw_call_event *e = tw_call_event_at(call, i);
		assert_false(e->kind == TW_EV_NOTE);
		played |= e->kind == TW_EV_PLAY && fabs(e->duration_s - 1.0) < 1e-9;
	}
	assert_true(played);
	tw_call_free(call);
}

/* A WAV's header states its length: the first bytes are enough when the
 * file's size is known; without it, what came is timed and marked. */
static void a_wav_past_the_cap_is_timed_from_its_header(void **state)
{
	(void)state;
	size_t len;
	unsigned char *w = fixture_wav(8000, 80000, &len); /* 10 s */
	char why[TW_AUDIO_WHY_SIZE];
	bool estimated = true;
	double s = tw_audio_duration_prefix(w, 4096, len, &estimated, why);
	assert_true(fabs(s - 10.0) < 1e-9);
	assert_false(estimated);
	s = tw_audio_duration_prefix(w, 4096, 0, &estimated, why);
	assert_true(s >= 0 && s < 10.0);
	assert_true(estimated);
	free(w);
}

/* The owner hands over the first bytes of a file past --max-body: a WAV
 * with its size known plays its length; with none, what came plays,
 * estimated, after a note. */
static void a_file_past_the_cap_plays_what_its_first_bytes_say(void **state)
{
	(void)state;
	size_t len;
	unsigned char *w = fixture_wav(8000, 80000, &len); /* 10 s */
	for (int known = 1; known >= 0; known--) {
		tw_call *call = new_call(NULL, 0);
		tw_error err = {0};
		assert_int_equal(tw_call_start(call, URL, &err), TW_OK);
		assert_int_equal(answer(call, URL, 200, plays, 0, &err), TW_OK);
		assert_true(tw_call_fetching_resource(call));
		assert_int_equal(tw_call_resource_partial(call, 200, "audio/wav", (char *)w, 4096,
							  known ? (double)len : 0, 0, &err),
				 TW_OK);
		const tw_call_event *play = NULL, *note = NULL;
		for (size_t i = 0; i < tw_call_event_count(call); i++) {
			const tw_call_event *e = tw_call_event_at(call, i);
			if (e->kind == TW_EV_PLAY)
				play = e;
			if (e->kind == TW_EV_NOTE)
				note = e;
		}
		assert_non_null(play);
		if (known) {
			assert_true(fabs(play->duration_s - 10.0) < 1e-9);
			assert_false(play->estimated);
			assert_null(note);
		} else {
			assert_true(play->duration_s < 10.0);
			assert_true(play->estimated);
			assert_non_null(note);
			assert_non_null(strstr(note->text, "did not say how large"));
		}
		tw_call_free(call);
	}
	free(w);
}

static const char *param(const tw_call_request *r, const char *name)
{
	for (size_t i = 0; i < r->param_count; i++)
		if (strcmp(r->params[i].name, name) == 0)
			return r->params[i].value;
	return NULL;
}

static void a_request_made_mid_call_is_in_progress(void **state)
{
	(void)state;
	tw_call *call = new_call(NULL, 0);
	tw_error err = {0};
	assert_int_equal(tw_call_start(call, URL, &err), TW_OK);
	assert_string_equal(param(tw_call_pending(call), "CallStatus"), "ringing");
	assert_int_equal(answer(call, URL, 200,
				"<Response><Say>Hi</Say><Redirect>next</Redirect></Response>", 0,
				&err),
			 TW_OK);
	assert_int_equal(tw_call_state_of(call), TW_CALL_FETCHING);
	assert_string_equal(param(tw_call_pending(call), "CallStatus"), "in-progress");
	tw_call_free(call);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_grammar_chain_stops_at_the_depth_the_reader_takes),
		cmocka_unit_test(the_files_of_a_documents_grammars_share_its_cap),
		cmocka_unit_test(the_prefetch_of_a_document_has_a_time_budget),
		cmocka_unit_test(audio_does_not_crowd_out_grammars),
		cmocka_unit_test(past_the_budget_audio_is_skipped),
		cmocka_unit_test(a_failed_audio_fetch_is_the_calls_alone),
		cmocka_unit_test(a_request_made_mid_call_is_in_progress),
		cmocka_unit_test(a_fetch_is_on_the_clock_when_the_file_plays),
		cmocka_unit_test(a_src_with_blanks_is_the_file_fetched),
		cmocka_unit_test(a_wav_past_the_cap_is_timed_from_its_header),
		cmocka_unit_test(a_file_past_the_cap_plays_what_its_first_bytes_say),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
