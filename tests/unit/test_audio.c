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

#include <sndfile.h>

#include "channels/ivr/audio.h"
#include "channels/ivr/call.h"

#include "wav_fixture.h"

#define BASE "http://127.0.0.1:1/ivr/"
#define URL BASE "voice"

/* The length, or negative, without a note. */
static double audio_s(tw_call *call, const char *base, const char *ref)
{
	char why[TW_AUDIO_WHY_SIZE];
	int rc;
	double s = tw_call_audio_timed(call, base, ref, why, &rc);
	assert_int_equal(rc, TW_OK);
	return s;
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
	unsigned char *w = fixture_wav(8000, 12000, &len);
	char why[TW_AUDIO_WHY_SIZE];
	assert_true(fabs(tw_audio_duration(w, len, why) - 1.5) < 1e-9);
	free(w);
	assert_true(tw_audio_duration("<html>not found</html>", 22, why) < 0);
	assert_non_null(strstr(why, "not audio libsndfile can read"));
	assert_true(tw_audio_duration(NULL, 0, why) < 0);
}

/* A growable file in memory for libsndfile to write. */
typedef struct membuf {
	unsigned char *data;
	sf_count_t len, pos, cap;
} membuf;

static sf_count_t mb_length(void *u)
{
	return ((membuf *)u)->len;
}

static sf_count_t mb_seek(sf_count_t off, int whence, void *u)
{
	membuf *m = u;
	sf_count_t to = whence == SEEK_SET ? off : whence == SEEK_CUR ? m->pos + off : m->len + off;
	if (to < 0)
		return -1;
	m->pos = to;
	return to;
}

static sf_count_t mb_read(void *ptr, sf_count_t n, void *u)
{
	membuf *m = u;
	sf_count_t k = m->pos < m->len ? (n < m->len - m->pos ? n : m->len - m->pos) : 0;
	memcpy(ptr, m->data + m->pos, (size_t)k);
	m->pos += k;
	return k;
}

static sf_count_t mb_write(const void *ptr, sf_count_t n, void *u)
{
	membuf *m = u;
	if (m->pos + n > m->cap) {
		m->cap = (m->pos + n) * 2;
		m->data = realloc(m->data, (size_t)m->cap);
		assert_non_null(m->data);
	}
	memcpy(m->data + m->pos, ptr, (size_t)n);
	m->pos += n;
	if (m->pos > m->len)
		m->len = m->pos;
	return n;
}

static sf_count_t mb_tell(void *u)
{
	return ((membuf *)u)->pos;
}

/* seconds of a tone at rate Hz, written by libsndfile as format. */
static membuf encoded(int format, int rate, double seconds)
{
	membuf m = {0};
	SF_VIRTUAL_IO io = {mb_length, mb_seek, mb_read, mb_write, mb_tell};
	SF_INFO info = {.samplerate = rate, .channels = 1, .format = format};
	SNDFILE *f = sf_open_virtual(&io, SFM_WRITE, &info, &m);
	if (!f)
		fail_msg("libsndfile cannot write format %#x: %s", format, sf_strerror(NULL));
	sf_count_t frames = (sf_count_t)(rate * seconds);
	short *pcm = calloc((size_t)frames, sizeof(*pcm));
	assert_non_null(pcm);
	for (sf_count_t i = 0; i < frames; i++)
		pcm[i] = (short)(8000 * sin(2 * M_PI * 440 * (double)i / rate));
	assert_int_equal(sf_write_short(f, pcm, frames), frames);
	free(pcm);
	sf_close(f);
	return m;
}

/* Debian 12's libsndfile (1.2.0) reads all of these from memory: what
 * docs/phone.md promises. Lossy codecs pad to whole frames: MP3 by its
 * encoder's delay and padding (under 0.2 s here), Vorbis and Opus not at
 * all (their granule positions say where the samples end). */
static void the_formats_a_carrier_plays(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		int format, rate;
		double slack;
	} formats[] = {
		{"WAV", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 0},
		{"WAV u-law", SF_FORMAT_WAV | SF_FORMAT_ULAW, 8000, 0},
		{"FLAC", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 8000, 0},
		{"Ogg Vorbis", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 8000, 0},
		{"Ogg Opus", SF_FORMAT_OGG | SF_FORMAT_OPUS, 8000, 0},
		{"MP3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 8000, 0.2},
	};
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		membuf m = encoded(formats[i].format, formats[i].rate, 1.25);
		char why[TW_AUDIO_WHY_SIZE] = "";
		double s = tw_audio_duration(m.data, (size_t)m.len, why);
		if (s < 1.25 - 1e-9 || s > 1.25 + formats[i].slack + 1e-9)
			fail_msg("%s: %g s (%s)", formats[i].name, s, why);
		free(m.data);
	}
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
	unsigned char *w = fixture_wav(8000, 16000, &len);
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
	/* issue 14, F3: a fetch is on the caller's clock when the document
	 * first uses the file, not all six before it ran. */
	assert_true(tw_call_clock(call) < 0.06 - 1e-9);

	const char *body = NULL, *type = NULL;
	size_t n = 0;
	double t = tw_call_clock(call);
	assert_int_equal(tw_call_resource(call, URL, "g.grxml", &body, &n, &type, &err), TW_OK);
	assert_true(tw_call_clock(call) <= t + 0.01 + 1e-9);
	t = tw_call_clock(call);
	assert_int_equal(tw_call_resource(call, URL, "g.grxml", &body, &n, &type, &err), TW_OK);
	assert_true(tw_call_clock(call) == t); /* once */
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
	assert_true(fabs(audio_s(call, URL, "hello.wav") - 2.0) < 1e-9);
	assert_true(fabs(audio_s(call, BASE "x/y", "../hello.wav") - 2.0) < 1e-9);
	assert_true(audio_s(call, URL, "x.wav") < 0);
	tw_call_free(call);

	/* The next call of the run does not fetch the audio again. */
	call = new_call(cache);
	assert_int_equal(tw_call_start(call, URL, &err), TW_OK);
	assert_int_equal(answer(call, URL, 200,
				"<Response><Play>hello.wav</Play><Play digits=\"1\"/></Response>",
				10, &err),
			 TW_OK);
	assert_false(tw_call_fetching_resource(call));
	assert_true(fabs(audio_s(call, URL, "hello.wav") - 2.0) < 1e-9);
	tw_call_free(call);
	tw_audio_cache_free(cache);
}

/* The transcript: "KIND text(duration)" lines, one per event. */
static void transcript(const tw_call *call, char *out, size_t size)
{
	static const char *const kinds[] = {[TW_EV_SAY] = "SAY", [TW_EV_PLAY] = "PLAY",
					    [TW_EV_NOTE] = "NOTE", [TW_EV_HANGUP] = "HANGUP"};
	size_t n = 0;
	out[0] = '\0';
	for (size_t i = 0; i < tw_call_event_count(call); i++) {
		const tw_call_event *e = tw_call_event_at(call, i);
		n += (size_t)snprintf(out + n, size - n, "%s %s (%.3f%s)\n",
				      kinds[e->kind] ? kinds[e->kind] : "?", e->text ? e->text : "",
				      e->duration_s, e->audio ? " audio" : "");
	}
}

static void plays_take_their_length_and_the_default_when_untimed(void **state)
{
	(void)state;
	tw_call *call = new_call(NULL);
	tw_error err = {0};
	assert_int_equal(tw_call_start(call, URL, &err), TW_OK);
	assert_int_equal(answer(call, URL, 200,
				"<Response><Play loop=\"2\">missing.mp3</Play><Play>missing.mp3</Play>"
				"<Play>page.wav</Play><Play> tone.wav </Play>"
				"<Play digits=\"1\"/></Response>",
				0, &err),
			 TW_OK);
	expect_get(call, BASE "missing.mp3");
	assert_int_equal(answer(call, BASE "missing.mp3", 404, "no", 0, &err), TW_OK);
	expect_get(call, BASE "page.wav");
	assert_int_equal(answer(call, BASE "page.wav", 200, "<html/>", 0, &err), TW_OK);
	expect_get(call, BASE "tone.wav");
	size_t len;
	unsigned char *w = fixture_wav(8000, 8000 * 4 + 1600, &len);
	assert_int_equal(tw_call_document(call, BASE "tone.wav", 200, "audio/wav", (char *)w,
					  len, 0, &err),
			 TW_OK);
	free(w);
	assert_false(tw_call_fetching_resource(call));
	char got[4096];
	transcript(call, got, sizeof(got));
	assert_string_equal(got,
			    "NOTE could not time " BASE "missing.mp3 (answered 404); counted as "
			    "3.0 s (0.000)\n"
			    "PLAY " BASE "missing.mp3 (3.000 audio)\n"
			    "PLAY " BASE "missing.mp3 (3.000 audio)\n"
			    "PLAY " BASE "missing.mp3 (3.000 audio)\n"
			    "NOTE could not time " BASE "page.wav (not audio libsndfile can read: "
			    "Format not recognised); counted as 3.0 s (0.000)\n"
			    "PLAY " BASE "page.wav (3.000 audio)\n"
			    "PLAY " BASE "tone.wav (4.200 audio)\n"
			    "PLAY DTMF 1 (0.100)\n"
			    "NOTE no more verbs in " URL ": the carrier hangs up (0.000)\n"
			    "HANGUP ivr (0.000)\n");
	assert_true(fabs(tw_call_clock(call) - (4 * 3.0 + 4.2 + 0.1)) < 1e-9);
	tw_call_free(call);
}

static void voicexml_audio_takes_its_length_or_plays_its_fallback(void **state)
{
	(void)state;
	tw_call *call = new_call(NULL);
	tw_error err = {0};
	assert_int_equal(tw_call_start(call, URL, &err), TW_OK);
	assert_int_equal(answer(call, URL, 200,
				"<vxml version=\"2.1\"><form><block><prompt>"
				"<audio src=\"hi.wav\">Hi there</audio>"
				"<audio src=\"gone.wav\">Sorry</audio>"
				"<audio src=\"gone.wav\"/>"
				"</prompt></block></form></vxml>",
				0, &err),
			 TW_OK);
	expect_get(call, BASE "hi.wav");
	size_t len;
	unsigned char *w = fixture_wav(8000, 12000, &len);
	assert_int_equal(tw_call_document(call, BASE "hi.wav", 200, "audio/wav", (char *)w, len,
					  0, &err),
			 TW_OK);
	free(w);
	expect_get(call, BASE "gone.wav");
	assert_int_equal(answer(call, BASE "gone.wav", 404, "no", 0, &err), TW_OK);
	char got[4096];
	transcript(call, got, sizeof(got));
	assert_string_equal(got,
			    "PLAY " BASE "hi.wav (1.500 audio)\n"
			    "NOTE could not play " BASE "gone.wav (answered 404) at line 1; its "
			    "fallback content is spoken instead (0.000)\n"
			    "SAY Sorry (0.400)\n"
			    "NOTE could not time " BASE "gone.wav (answered 404); counted as 3.0 s "
			    "(0.000)\n"
			    "PLAY " BASE "gone.wav (3.000 audio)\n"
			    "HANGUP ivr (0.000)\n");
	tw_call_free(call);
}

static void at_most_64_files_per_document(void **state)
{
	(void)state;
	tw_call *call = new_call(NULL);
	tw_error err = {0};
	char doc[8192] = "<Response>";
	for (int i = 0; i < TW_CALL_MAX_RESOURCES + 6; i++)
		snprintf(doc + strlen(doc), sizeof(doc) - strlen(doc), "<Play>f%d.wav</Play>", i);
	strcat(doc, "<Hangup/></Response>");
	assert_int_equal(tw_call_start(call, URL, &err), TW_OK);
	assert_int_equal(answer(call, URL, 200, doc, 0, &err), TW_OK);
	int gets = 0;
	while (tw_call_fetching_resource(call)) {
		gets++;
		assert_int_equal(answer(call, tw_call_pending(call)->url, 404, "", 0, &err), TW_OK);
	}
	assert_int_equal(gets, TW_CALL_MAX_RESOURCES);
	const tw_call_event *e = tw_call_event_at(call, 0);
	assert_int_equal(e->kind, TW_EV_NOTE);
	assert_string_equal(e->text, "the document refers to 6 more files than techweek fetches "
				     "before it runs (64): those are not fetched");
	/* The ones left out count the default, with a note saying why. */
	char last[64];
	snprintf(last, sizeof(last), "%s", "could not time " BASE "f69.wav (not fetched");
	bool noted = false;
	for (size_t i = 0; i < tw_call_event_count(call); i++) {
		e = tw_call_event_at(call, i);
		noted |= e->kind == TW_EV_NOTE && strncmp(e->text, last, strlen(last)) == 0;
	}
	assert_true(noted);
	tw_call_free(call);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_wav_is_timed_from_memory),
		cmocka_unit_test(the_formats_a_carrier_plays),
		cmocka_unit_test(the_cache_keeps_the_first_answer),
		cmocka_unit_test(voicexml_resources_are_fetched_before_it_runs),
		cmocka_unit_test(plays_take_their_length_and_the_default_when_untimed),
		cmocka_unit_test(voicexml_audio_takes_its_length_or_plays_its_fallback),
		cmocka_unit_test(at_most_64_files_per_document),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
