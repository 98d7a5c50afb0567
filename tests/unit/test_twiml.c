/*
 * The TwiML interpreter, through the call's public API: fixed documents
 * answered to a call, the caller's actions, and what the caller heard
 * (the transcript), what the carrier asks for next (the pending request),
 * what is being collected (listen) and how the call ends. No network: the
 * call does no I/O.
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

#include "channels/ivr/call.h"

#define URL "http://127.0.0.1:1/voice"
#define NEAR(a, b) (fabs((a) - (b)) < 1e-9)

#include "call_fixture.h"

static void answer(tw_call *call, const char *twiml)
{
	tw_error err = {0};
	ok(answer_from(call, URL, twiml, &err), &err);
}

/* A call that has placed itself and run twiml. */
static tw_call *run(const char *twiml)
{
	tw_call *call = call_started();
	answer(call, twiml);
	return call;
}

/* A call whose document the interpreter refused: the error's message. */
static char *run_failing(const char *twiml, int code)
{
	tw_call *call = call_started();
	tw_error err = {0};
	assert_int_equal(answer_from(call, URL, twiml, &err), code);
	assert_int_equal(tw_call_end_reason(call), TW_END_FAILED);
	assert_int_equal(tw_call_error(call)->code, code);
	char *msg = strdup(err.message);
	tw_error_clear(&err);
	tw_call_free(call);
	return msg;
}

static const char *kind_name(tw_call_event_kind k)
{
	static const char *const names[] = {
		[TW_EV_SAY] = "SAY",       [TW_EV_PLAY] = "PLAY",         [TW_EV_PAUSE] = "PAUSE",
		[TW_EV_PRESS] = "PRESS",   [TW_EV_SPEAK] = "SPEAK",       [TW_EV_SILENCE] = "SILENCE",
		[TW_EV_HANGUP] = "HANGUP", [TW_EV_TRANSFER] = "TRANSFER", [TW_EV_RECORD] = "RECORD",
		[TW_EV_REJECT] = "REJECT", [TW_EV_NOTE] = "NOTE",
	};
	return names[k];
}

/* The transcript in one line, "SAY Hello | PAUSE | NOTE | HANGUP ivr";
 * notes are shown without their text (note_with checks it). */
static void assert_transcript(const tw_call *call, const char *want)
{
	char got[4096] = "";
	size_t n = 0;
	for (size_t i = 0; i < tw_call_event_count(call); i++) {
		const tw_call_event *e = tw_call_event_at(call, i);
		bool text = e->text && e->kind != TW_EV_NOTE;
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s%s%s", i ? " | " : "",
				      kind_name(e->kind), text ? " " : "", text ? e->text : "");
	}
	if (strcmp(got, want) != 0)
		fail_msg("transcript\n  got:  %s\n  want: %s", got, want);
}

/* The first note containing part, or fails. */
static const tw_call_event *note_with(const tw_call *call, const char *part)
{
	for (size_t i = 0; i < tw_call_event_count(call); i++) {
		const tw_call_event *e = tw_call_event_at(call, i);
		if (e->kind == TW_EV_NOTE && e->text && strstr(e->text, part))
			return e;
	}
	fail_msg("no note containing \"%s\"", part);
	return NULL;
}

static const tw_call_event *last_event(const tw_call *call)
{
	return tw_call_event_at(call, tw_call_event_count(call) - 1);
}

/* A parameter of the pending request, or NULL. */
static const char *param(const tw_call *call, const char *name)
{
	const tw_call_request *r = tw_call_pending(call);
	assert_non_null(r);
	for (size_t i = 0; i < r->param_count; i++)
		if (strcmp(r->params[i].name, name) == 0)
			return r->params[i].value;
	return NULL;
}

static void assert_pending(const tw_call *call, const char *method, const char *url)
{
	const tw_call_request *r = tw_call_pending(call);
	assert_non_null(r);
	assert_string_equal(r->method, method);
	if (strcmp(method, "GET") == 0)
		assert_memory_equal(r->url, url, strlen(url)); /* params follow */
	else
		assert_string_equal(r->url, url);
}

static void assert_ended(const tw_call *call, tw_call_end why)
{
	assert_int_equal(tw_call_state_of(call), TW_CALL_ENDED);
	assert_int_equal(tw_call_end_reason(call), why);
}

static void press(tw_call *call, const char *keys)
{
	tw_error err = {0};
	ok(tw_call_press(call, keys, &err), &err);
}

static void speak(tw_call *call, const char *phrase, double confidence)
{
	tw_error err = {0};
	ok(tw_call_say(call, phrase, confidence, &err), &err);
}

static void silence(tw_call *call)
{
	tw_error err = {0};
	ok(tw_call_silence(call, &err), &err);
}

static void hangup(tw_call *call)
{
	tw_error err = {0};
	ok(tw_call_hangup(call, &err), &err);
}

/* The caller hangs up during a verb with an action: the carrier tells the
 * app (the pending request, checked by the caller of this), and the app's
 * answer, whatever it is, ends the call. */
static void answer_the_last_request(tw_call *call)
{
	assert_int_equal(tw_call_state_of(call), TW_CALL_FETCHING);
	tw_error err = {0};
	ok(tw_call_document(call, URL, 500, "text/plain", "oops", 4, 0, &err), &err);
	assert_ended(call, TW_END_CALLER);
}

/* ---- Say, Play, Pause, running out ---------------------------------------- */

static void say_collapses_text_and_ends_when_verbs_run_out(void **state)
{
	(void)state;
	tw_call *call = run("<Response>\n  <Say voice=\"alice\">  Welcome\n\t to   the\n"
			    " shop. </Say>\n  <!-- a comment -->\n</Response>");
	assert_transcript(call, "SAY Welcome to the shop. | NOTE | HANGUP ivr");
	const tw_call_event *say = tw_call_event_at(call, 0);
	assert_true(NEAR(say->duration_s, tw_call_speech_s(NULL, "Welcome to the shop.")));
	assert_true(NEAR(tw_call_clock(call), say->duration_s));
	note_with(call, "no more verbs in " URL);
	assert_ended(call, TW_END_HANGUP);
	assert_string_equal(tw_call_hung_up(call), "hangup");
	tw_call_free(call);
}

static void say_ssml_text_is_spoken(void **state)
{
	(void)state;
	tw_call *call = run("<Response><Say>Press <emphasis>one</emphasis> now"
			    "<break time=\"1s\"/></Say></Response>");
	assert_transcript(call, "SAY Press one now | NOTE | HANGUP ivr");
	tw_call_free(call);

	call = run("<Response><Say><![CDATA[Fish & chips]]></Say></Response>");
	assert_transcript(call, "SAY Fish & chips | NOTE | HANGUP ivr");
	tw_call_free(call);
}

static void say_loop_plays_each_time(void **state)
{
	(void)state;
	tw_call *call = run("<Response><Say loop=\"2\">Hi</Say><Hangup/></Response>");
	assert_transcript(call, "SAY Hi | SAY Hi | HANGUP ivr");
	tw_call_free(call);
}

static void say_loop_zero_is_capped_with_a_note(void **state)
{
	(void)state;
	tw_call *call = run("<Response><Say loop=\"0\">Hold on</Say><Hangup/></Response>");
	assert_transcript(call, "SAY Hold on | SAY Hold on | SAY Hold on | NOTE | HANGUP ivr");
	note_with(call, "<Say loop=\"0\"> at line 1 repeats until the caller hangs up");
	tw_call_free(call);
}

static void say_loop_above_limit_is_cut(void **state)
{
	(void)state;
	tw_call *call = run("<Response><Say loop=\"50\">Hi</Say><Hangup/></Response>");
	assert_transcript(call, "SAY Hi | SAY Hi | SAY Hi | NOTE | HANGUP ivr");
	note_with(call, "<Say loop=\"50\"> at line 1 cut to 3 plays");
	tw_call_free(call);
}

static void say_bad_loop_plays_once_with_a_note(void **state)
{
	(void)state;
	tw_call *call = run("<Response><Say loop=\"twice\">Hi</Say><Hangup/></Response>");
	assert_transcript(call, "NOTE | SAY Hi | HANGUP ivr");
	note_with(call, "ignored loop=\"twice\" on <Say> at line 1");
	tw_call_free(call);
}

static void say_empty_is_noted(void **state)
{
	(void)state;
	tw_call *call = run("<Response><Say>  </Say><Hangup/></Response>");
	assert_transcript(call, "NOTE | HANGUP ivr");
	note_with(call, "<Say> at line 1 has nothing to say");
	tw_call_free(call);
}

static void play_url(void **state)
{
	(void)state;
	tw_call *call = run("<Response><Play> http://cdn.test/menu.mp3 </Play><Hangup/></Response>");
	assert_transcript(call, "PLAY http://cdn.test/menu.mp3 | HANGUP ivr");
	assert_true(tw_call_event_at(call, 0)->is_prompt);
	tw_call_free(call);
}

static void play_digits_with_pauses(void **state)
{
	(void)state;
	tw_call *call = run("<Response><Play digits=\"12w3W\"/><Hangup/></Response>");
	assert_transcript(call, "PLAY DTMF 12w3W | HANGUP ivr");
	/* three tones, half a second, a second */
	assert_true(NEAR(tw_call_event_at(call, 0)->duration_s, 3 * 0.1 + 0.5 + 1.0));
	tw_call_free(call);
}

static void play_loop_zero_last_is_hold_music(void **state)
{
	(void)state;
	tw_call *call = run("<Response><Say>Please hold</Say>"
			    "<Play loop=\"0\">http://cdn.test/hold.mp3</Play></Response>");
	assert_transcript(call, "SAY Please hold | PLAY http://cdn.test/hold.mp3 | "
				"PLAY http://cdn.test/hold.mp3 | PLAY http://cdn.test/hold.mp3 | NOTE");
	assert_int_equal(tw_call_state_of(call), TW_CALL_HOLDING);
	assert_null(tw_call_transfer(call));
	tw_error err = {0};
	assert_int_equal(tw_call_press(call, "1", &err), TW_EUSAGE);
	tw_error_clear(&err);
	hangup(call);
	assert_ended(call, TW_END_CALLER);
	tw_call_free(call);
}

static void play_loop_zero_not_last_goes_on(void **state)
{
	(void)state;
	tw_call *call = run("<Response><Play loop=\"0\">http://cdn.test/a.mp3</Play>"
			    "<Say>Goodbye</Say></Response>");
	assert_transcript(call, "PLAY http://cdn.test/a.mp3 | PLAY http://cdn.test/a.mp3 | "
				"PLAY http://cdn.test/a.mp3 | NOTE | SAY Goodbye | NOTE | HANGUP ivr");
	assert_ended(call, TW_END_HANGUP);
	tw_call_free(call);
}

static void play_nothing_is_noted(void **state)
{
	(void)state;
	tw_call *call = run("<Response><Play/><Hangup/></Response>");
	assert_transcript(call, "NOTE | HANGUP ivr");
	note_with(call, "<Play> at line 1 has no URL and no digits");
	tw_call_free(call);
}

static void pause_default_and_length(void **state)
{
	(void)state;
	tw_call *call = run("<Response><Pause/><Pause length=\"3\"/><Say>Hi</Say>"
			    "<Hangup/></Response>");
	assert_transcript(call, "PAUSE | PAUSE | SAY Hi | HANGUP ivr");
	assert_null(tw_call_event_at(call, 0)->text);
	assert_true(NEAR(tw_call_event_at(call, 0)->duration_s, 1));
	assert_true(NEAR(tw_call_event_at(call, 1)->duration_s, 3));
	assert_true(NEAR(tw_call_event_at(call, 2)->at_s, 4));
	tw_call_free(call);
}

static void pause_bad_length_is_one_second(void **state)
{
	(void)state;
	tw_call *call = run("<Response><Pause length=\"-2\"/><Hangup/></Response>");
	assert_transcript(call, "NOTE | PAUSE | HANGUP ivr");
	assert_true(NEAR(tw_call_event_at(call, 1)->duration_s, 1));
	tw_call_free(call);
}

/* ---- Gather ---------------------------------------------------------------- */

#define MENU                                                                                   \
	"<Response>"                                                                           \
	"<Gather%s><Say>For sales press 1.</Say><Pause/><Play>http://cdn.test/b.mp3</Play>"    \
	"</Gather>"                                                                            \
	"<Say>We did not get your choice.</Say>"                                               \
	"</Response>"

/* A call at a menu with these Gather attributes. */
static tw_call *menu(const char *attrs)
{
	char doc[1024];
	snprintf(doc, sizeof(doc), MENU, attrs);
	return run(doc);
}

static void gather_plays_children_then_listens_with_defaults(void **state)
{
	(void)state;
	tw_call *call = menu("");
	assert_transcript(call, "SAY For sales press 1. | PAUSE | PLAY http://cdn.test/b.mp3");
	const tw_listen *l = tw_call_listening(call);
	assert_non_null(l);
	assert_true(l->dtmf);
	assert_false(l->speech);
	assert_false(l->record);
	assert_int_equal(l->num_digits, 0);
	assert_int_equal(l->finish_key, '#');
	assert_true(NEAR(l->timeout_s, 5));
	tw_call_free(call);
}

static void gather_keys_go_to_the_current_document_by_post(void **state)
{
	(void)state;
	tw_call *call = menu("");
	press(call, "12#");
	assert_pending(call, "POST", URL);
	assert_string_equal(param(call, "Digits"), "12");
	assert_string_equal(param(call, "CallStatus"), "in-progress");
	assert_null(param(call, "SpeechResult"));
	tw_call_free(call);
}

static void gather_action_is_relative_and_method_get(void **state)
{
	(void)state;
	tw_call *call = menu(" action=\"menu/choice?step=2\" method=\"GET\"");
	press(call, "3#");
	assert_pending(call, "GET", "http://127.0.0.1:1/menu/choice?step=2&");
	assert_string_equal(param(call, "Digits"), "3");
	assert_non_null(strstr(tw_call_pending(call)->url, "Digits=3"));
	tw_call_free(call);
}

static void gather_action_with_an_escaped_query(void **state)
{
	(void)state;
	tw_call *call = menu(" action=\"/menu?a=1&amp;b=2\"");
	press(call, "5#");
	assert_pending(call, "POST", "http://127.0.0.1:1/menu?a=1&b=2");
	tw_call_free(call);
}

static void gather_bad_method_is_post_with_a_note(void **state)
{
	(void)state;
	tw_call *call = menu(" method=\"PUT\"");
	press(call, "1#");
	assert_pending(call, "POST", URL);
	note_with(call, "ignored method=\"PUT\" on <Gather> at line 1: TwiML allows GET or POST");
	tw_call_free(call);
}

static void gather_num_digits_ends_and_drops_extra_keys(void **state)
{
	(void)state;
	tw_call *call = menu(" numDigits=\"1\"");
	assert_int_equal(tw_call_listening(call)->num_digits, 1);
	double before = tw_call_clock(call);
	press(call, "23#");
	assert_string_equal(param(call, "Digits"), "2");
	note_with(call, "keys \"3#\" came after <Gather> at line 1 had its input");
	assert_true(NEAR(tw_call_clock(call), before)); /* no timeout waited */
	tw_call_free(call);
}

static void gather_finish_key_is_never_in_digits(void **state)
{
	(void)state;
	tw_call *call = menu(" finishOnKey=\"*\"");
	assert_int_equal(tw_call_listening(call)->finish_key, '*');
	press(call, "4#*9");
	assert_string_equal(param(call, "Digits"), "4#");
	note_with(call, "keys \"9\" came after");
	tw_call_free(call);
}

static void gather_empty_finish_key_collects_hash(void **state)
{
	(void)state;
	tw_call *call = menu(" finishOnKey=\"\" timeout=\"3\"");
	assert_int_equal(tw_call_listening(call)->finish_key, '\0');
	double before = tw_call_clock(call);
	press(call, "12#");
	assert_string_equal(param(call, "Digits"), "12#");
	assert_true(NEAR(tw_call_clock(call), before + 3)); /* waited the timeout */
	tw_call_free(call);
}

static void gather_keys_without_finish_submit_after_timeout(void **state)
{
	(void)state;
	tw_call *call = menu(" numDigits=\"4\" timeout=\"7\"");
	double before = tw_call_clock(call);
	press(call, "12");
	assert_string_equal(param(call, "Digits"), "12");
	assert_true(NEAR(tw_call_clock(call), before + 7));
	tw_call_free(call);
}

static void gather_key_pauses_move_the_clock(void **state)
{
	(void)state;
	tw_call *call = menu(" numDigits=\"3\"");
	double before = tw_call_clock(call);
	press(call, "1w2W3");
	assert_string_equal(param(call, "Digits"), "123");
	assert_true(NEAR(tw_call_clock(call), before + 1.5));
	tw_call_free(call);
}

static void gather_hash_first_is_no_input_and_falls_through(void **state)
{
	(void)state;
	tw_call *call = menu("");
	press(call, "#");
	assert_transcript(call, "SAY For sales press 1. | PAUSE | PLAY http://cdn.test/b.mp3 | "
				"PRESS # | SAY We did not get your choice. | NOTE | HANGUP ivr");
	assert_ended(call, TW_END_HANGUP);
	tw_call_free(call);
}

static void gather_silence_waits_and_falls_through(void **state)
{
	(void)state;
	tw_call *call = menu(" timeout=\"4\"");
	double before = tw_call_clock(call);
	silence(call);
	const tw_call_event *e = tw_call_event_at(call, 4);
	assert_int_equal(e->kind, TW_EV_SAY);
	assert_true(NEAR(e->at_s, before + 4));
	assert_ended(call, TW_END_HANGUP);
	tw_call_free(call);
}

static void gather_silence_with_no_next_verb_ends(void **state)
{
	(void)state;
	tw_call *call = run("<Response><Gather><Say>Choose.</Say></Gather></Response>");
	silence(call);
	assert_transcript(call, "SAY Choose. | SILENCE | NOTE | HANGUP ivr");
	assert_ended(call, TW_END_HANGUP);
	tw_call_free(call);
}

static void gather_fall_through_reaches_another_gather(void **state)
{
	(void)state;
	tw_call *call = run("<Response><Gather numDigits=\"1\"><Say>Choose.</Say></Gather>"
			    "<Gather numDigits=\"1\" action=\"/again\"><Say>Choose again.</Say>"
			    "</Gather></Response>");
	silence(call);
	assert_non_null(tw_call_listening(call));
	press(call, "2");
	assert_pending(call, "POST", "http://127.0.0.1:1/again");
	assert_string_equal(param(call, "Digits"), "2");
	assert_true(tw_call_event_at(call, 0)->is_prompt);
	tw_call_free(call);
}

static void gather_action_on_empty_result(void **state)
{
	(void)state;
	tw_call *call = menu(" actionOnEmptyResult=\"true\" action=\"/empty\"");
	silence(call);
	assert_pending(call, "POST", "http://127.0.0.1:1/empty");
	assert_string_equal(param(call, "Digits"), "");
	tw_call_free(call);

	call = menu(" actionOnEmptyResult=\"true\"");
	press(call, "#");
	assert_pending(call, "POST", URL);
	assert_string_equal(param(call, "Digits"), "");
	tw_call_free(call);
}

static void gather_speech(void **state)
{
	(void)state;
	tw_call *call = menu(" input=\"speech\" speechTimeout=\"2\"");
	const tw_listen *l = tw_call_listening(call);
	assert_false(l->dtmf);
	assert_true(l->speech);
	assert_int_equal(l->finish_key, '\0');
	double before = tw_call_clock(call);
	speak(call, "billing please", 0.9);
	assert_pending(call, "POST", URL);
	assert_string_equal(param(call, "SpeechResult"), "billing please");
	assert_string_equal(param(call, "Confidence"), "0.9");
	assert_null(param(call, "Digits"));
	assert_true(NEAR(tw_call_clock(call),
			 before + tw_call_speech_s(NULL, "billing please") + 2));
	tw_call_free(call);
}

static void gather_speech_refuses_keys(void **state)
{
	(void)state;
	tw_call *call = menu(" input=\"speech\"");
	tw_error err = {0};
	/* keys nobody hears: techweek's limit, not the IVR's fault */
	assert_int_equal(tw_call_press(call, "1", &err), TW_EUNSUPPORTED);
	tw_error_clear(&err);
	assert_non_null(tw_call_listening(call));
	tw_call_free(call);
}

static void gather_dtmf_refuses_speech(void **state)
{
	(void)state;
	tw_call *call = menu("");
	tw_error err = {0};
	assert_int_equal(tw_call_say(call, "sales", 1, &err), TW_EUNSUPPORTED);
	tw_error_clear(&err);
	assert_non_null(tw_call_listening(call));
	tw_call_free(call);
}

static void gather_dtmf_and_speech_take_both(void **state)
{
	(void)state;
	tw_call *call = menu(" input=\"speech dtmf\" numDigits=\"1\"");
	assert_true(tw_call_listening(call)->dtmf);
	assert_true(tw_call_listening(call)->speech);
	press(call, "1");
	assert_string_equal(param(call, "Digits"), "1");
	tw_call_free(call);

	call = menu(" input=\"dtmf speech\" speechTimeout=\"auto\"");
	speak(call, "sales", 0.25);
	assert_string_equal(param(call, "SpeechResult"), "sales");
	assert_string_equal(param(call, "Confidence"), "0.25");
	tw_call_free(call);
}

static void gather_bad_input_is_dtmf_with_a_note(void **state)
{
	(void)state;
	tw_call *call = menu(" input=\"voice\"");
	assert_true(tw_call_listening(call)->dtmf);
	assert_false(tw_call_listening(call)->speech);
	note_with(call, "ignored input=\"voice\" on <Gather>");
	tw_call_free(call);
}

static void gather_with_another_verb_inside_fails(void **state)
{
	(void)state;
	char *msg = run_failing("<Response>\n<Gather>\n<Say>Hi</Say>\n<Dial>+15551234567</Dial>"
				"</Gather></Response>", TW_ESERVICE);
	assert_non_null(strstr(msg, "<Gather> at line 2 of " URL " may hold only <Say>, <Play> "
				    "and <Pause>, not <Dial> (line 4)"));
	free(msg);
}

static void gather_caller_hangs_up(void **state)
{
	(void)state;
	tw_call *call = menu("");
	hangup(call);
	assert_ended(call, TW_END_CALLER);
	tw_call_free(call);
}

/* ---- Redirect, Hangup, Reject ------------------------------------------------ */

static void redirect_fetches_and_ends_the_document(void **state)
{
	(void)state;
	tw_call *call = run("<Response><Say>One moment.</Say><Redirect>/next</Redirect>"
			    "<Say>Never heard.</Say></Response>");
	assert_transcript(call, "SAY One moment.");
	assert_pending(call, "POST", "http://127.0.0.1:1/next");
	answer(call, "<Response><Redirect method=\"GET\">http://other.test/x?a=1</Redirect>"
		     "</Response>");
	assert_pending(call, "GET", "http://other.test/x?a=1&");
	tw_call_free(call);
}

static void redirect_without_url_fails(void **state)
{
	(void)state;
	char *msg = run_failing("<Response><Redirect> </Redirect></Response>", TW_ESERVICE);
	assert_non_null(strstr(msg, "<Redirect> at line 1 of " URL " has no URL"));
	free(msg);
}

static void hangup_ends_the_call(void **state)
{
	(void)state;
	tw_call *call = run("<Response><Say>Bye.</Say><Hangup/><Say>Never.</Say></Response>");
	assert_transcript(call, "SAY Bye. | HANGUP ivr");
	assert_ended(call, TW_END_HANGUP);
	tw_call_free(call);
}

static void reject_default_and_busy(void **state)
{
	(void)state;
	tw_call *call = run("<Response><Reject/></Response>");
	assert_transcript(call, "REJECT rejected");
	assert_ended(call, TW_END_REJECTED);
	assert_string_equal(tw_call_rejected(call), "rejected");
	tw_call_free(call);

	call = run("<Response><Reject reason=\"busy\"/><Say>Never.</Say></Response>");
	assert_transcript(call, "REJECT busy");
	assert_string_equal(tw_call_rejected(call), "busy");
	tw_call_free(call);

	call = run("<Response><Reject reason=\"closed\"/></Response>");
	assert_transcript(call, "NOTE | REJECT rejected");
	tw_call_free(call);
}

/* ---- Dial, Enqueue, Leave ------------------------------------------------------ */

static void assert_dials(const char *dial, const char *dest)
{
	char doc[512];
	snprintf(doc, sizeof(doc), "<Response><Say>Connecting.</Say>%s<Say>Never.</Say></Response>",
		 dial);
	tw_call *call = run(doc);
	const tw_call_event *e = last_event(call);
	assert_int_equal(e->kind, TW_EV_TRANSFER);
	assert_string_equal(e->text, dest);
	assert_string_equal(tw_call_transfer(call), dest);
	assert_int_equal(tw_call_state_of(call), TW_CALL_HOLDING);
	tw_call_figures f;
	tw_call_figures_of(call, &f);
	assert_true(f.transfer_s >= 0);
	hangup(call);
	assert_ended(call, TW_END_CALLER);
	tw_call_free(call);
}

static void dial_destinations(void **state)
{
	(void)state;
	assert_dials("<Dial> +15551234567 </Dial>", "+15551234567");
	assert_dials("<Dial timeout=\"10\" callerId=\"+1555\"><Number>+15557654321</Number></Dial>",
		     "+15557654321");
	assert_dials("<Dial><Client>alice</Client></Dial>", "client:alice");
	assert_dials("<Dial><Client><Identity>bob</Identity></Client></Dial>", "client:bob");
	assert_dials("<Dial><Queue>support</Queue></Dial>", "queue:support");
	assert_dials("<Dial><Sip>sip:agent@pbx.test;transport=tls</Sip></Dial>",
		     "sip:agent@pbx.test;transport=tls");
	assert_dials("<Dial><Conference>room-1</Conference></Dial>", "conference:room-1");
}

static void dial_notes_what_the_caller_cannot_hear(void **state)
{
	(void)state;
	tw_call *call = run("<Response><Dial record=\"record-from-answer\" timeLimit=\"60\">"
			    "<Number sendDigits=\"ww1234\" url=\"/whisper\">+15550000001</Number>"
			    "<Number>+15550000002</Number></Dial></Response>");
	note_with(call, "sends DTMF ww1234 to +15550000001");
	note_with(call, "+15550000001 hears /whisper");
	note_with(call, "rings 2 destinations at once");
	note_with(call, "records the call");
	assert_string_equal(tw_call_transfer(call), "+15550000001");
	tw_call_free(call);
}

static void dial_with_action_ends_as_caller_on_hangup(void **state)
{
	(void)state;
	tw_call *call = run("<Response><Dial action=\"/after\" hangupOnStar=\"true\">"
			    "+15551234567</Dial></Response>");
	assert_int_equal(tw_call_state_of(call), TW_CALL_HOLDING);
	hangup(call);
	assert_pending(call, "POST", "http://127.0.0.1:1/after");
	assert_string_equal(param(call, "DialCallStatus"), "completed");
	assert_string_equal(param(call, "CallStatus"), "completed");
	assert_memory_equal(param(call, "DialCallSid"), "CA", 2);
	assert_non_null(param(call, "DialCallDuration"));
	answer_the_last_request(call);
	assert_null(tw_call_pending(call));
	tw_call_free(call);

	/* Without an action there is nothing to tell. */
	call = run("<Response><Dial>+15551234567</Dial></Response>");
	hangup(call);
	assert_ended(call, TW_END_CALLER);
	tw_call_free(call);
}

static void dial_nothing_fails(void **state)
{
	(void)state;
	char *msg = run_failing("<Response><Dial/></Response>", TW_ESERVICE);
	assert_non_null(strstr(msg, "<Dial> at line 1 of " URL " has nothing to dial"));
	free(msg);
	msg = run_failing("<Response><Dial><Number/></Dial></Response>", TW_ESERVICE);
	assert_non_null(strstr(msg, "<Number> at line 1 of " URL " names nobody to dial"));
	free(msg);
	msg = run_failing("<Response><Dial><Phone>1</Phone></Dial></Response>", TW_ESERVICE);
	assert_non_null(strstr(msg, "unknown noun <Phone> in <Dial> at line 1 of " URL));
	free(msg);
}

static void enqueue_holds_in_the_queue(void **state)
{
	(void)state;
	tw_call *call = run("<Response><Enqueue waitUrl=\"/wait\" action=\"/left\">support"
			    "</Enqueue><Say>Never.</Say></Response>");
	assert_transcript(call, "TRANSFER queue:support");
	assert_int_equal(tw_call_state_of(call), TW_CALL_HOLDING);
	hangup(call);
	assert_string_equal(param(call, "QueueResult"), "hangup");
	answer_the_last_request(call);
	tw_call_free(call);

	char *msg = run_failing("<Response><Enqueue/></Response>", TW_ESERVICE);
	assert_non_null(strstr(msg, "<Enqueue> at line 1 of " URL " names no queue"));
	free(msg);
}

static void leave_ends_the_document(void **state)
{
	(void)state;
	tw_call *call = run("<Response><Leave/><Say>Never.</Say></Response>");
	assert_transcript(call, "NOTE | HANGUP ivr");
	note_with(call, "<Leave> at line 1 outside a queue");
	assert_ended(call, TW_END_HANGUP);
	tw_call_free(call);
}

/* ---- Record -------------------------------------------------------------------- */

#define VOICEMAIL                                                                              \
	"<Response><Say>Leave a message.</Say><Record%s/>"                                     \
	"<Say>No message.</Say></Response>"

static tw_call *voicemail(const char *attrs)
{
	char doc[512];
	snprintf(doc, sizeof(doc), VOICEMAIL, attrs);
	return run(doc);
}

static void record_beeps_and_listens(void **state)
{
	(void)state;
	tw_call *call = voicemail("");
	assert_transcript(call, "SAY Leave a message. | PLAY beep");
	const tw_listen *l = tw_call_listening(call);
	assert_non_null(l);
	assert_true(l->record);
	assert_int_equal(l->finish_key, '#');
	assert_true(NEAR(l->timeout_s, 5));
	tw_call_free(call);
}

static void record_message_ended_by_silence(void **state)
{
	(void)state;
	tw_call *call = voicemail(" action=\"/saved\" timeout=\"3\" transcribe=\"true\"");
	speak(call, "please call me back", 1);
	assert_non_null(tw_call_listening(call)); /* still recording */
	double before = tw_call_clock(call);
	silence(call);
	assert_true(NEAR(tw_call_clock(call), before + 3));
	assert_transcript(call, "SAY Leave a message. | PLAY beep | SPEAK please call me back | "
				"SILENCE | RECORD please call me back");
	assert_string_equal(tw_call_recording(call), "recording");
	assert_pending(call, "POST", "http://127.0.0.1:1/saved");
	const char *rec = param(call, "RecordingUrl");
	assert_non_null(rec);
	assert_memory_equal(rec, "http://127.0.0.1/recordings/RE", 30);
	assert_int_equal(strlen(rec), 28 + 34);
	assert_string_equal(param(call, "RecordingDuration"), "2"); /* 4 words: 1.6 s */
	assert_null(param(call, "Digits"));
	tw_call_free(call);
}

static void record_message_ended_by_a_key(void **state)
{
	(void)state;
	tw_call *call = voicemail(" method=\"GET\"");
	speak(call, "hello", 1);
	press(call, "#");
	assert_pending(call, "GET", URL "?");
	assert_string_equal(param(call, "Digits"), "#");
	assert_string_equal(param(call, "RecordingDuration"), "1");
	tw_call_free(call);
}

static void record_finish_keys_are_a_set(void **state)
{
	(void)state;
	tw_call *call = voicemail(" finishOnKey=\"*9\" playBeep=\"false\"");
	assert_transcript(call, "SAY Leave a message.");
	assert_int_equal(tw_call_listening(call)->finish_key, '*');
	speak(call, "hello", 1);
	press(call, "1#");
	assert_non_null(tw_call_listening(call)); /* not a finishing key */
	press(call, "92");
	assert_string_equal(param(call, "Digits"), "9");
	note_with(call, "keys \"2\" came after <Record> at line 1 ended");
	tw_call_free(call);
}

static void record_nothing_goes_to_the_next_verb(void **state)
{
	(void)state;
	tw_call *call = voicemail("");
	silence(call);
	assert_transcript(call, "SAY Leave a message. | PLAY beep | SILENCE | NOTE | "
				"SAY No message. | NOTE | HANGUP ivr");
	note_with(call, "<Record> at line 1 recorded nothing");
	assert_null(tw_call_recording(call));
	tw_call_free(call);

	call = voicemail("");
	press(call, "#");
	assert_int_equal(tw_call_event_at(call, 4)->kind, TW_EV_SAY);
	tw_call_free(call);
}

static void record_stops_at_max_length(void **state)
{
	(void)state;
	tw_call *call = voicemail(" maxLength=\"2\"");
	speak(call, "one two three four five six seven", 1);
	note_with(call, "the recording reached maxLength (2 s)");
	assert_string_equal(param(call, "RecordingDuration"), "2");
	tw_call_free(call);
}

static void record_caller_hangs_up(void **state)
{
	(void)state;
	tw_call *call = voicemail("");
	speak(call, "bye", 1);
	hangup(call);
	assert_string_equal(param(call, "Digits"), "hangup");
	assert_non_null(param(call, "RecordingUrl"));
	answer_the_last_request(call);
	assert_string_equal(tw_call_recording(call), "recording");
	tw_call_free(call);
}

/* ---- unsupported and unknown -------------------------------------------------- */

/* Real TwiML techweek's caller cannot meet: its limit, not the IVR's fault. */
static void unsupported_verbs_fail_clearly(void **state)
{
	(void)state;
	static const char *const names[] = {"Connect", "Echo",   "Pay",  "Refer", "Start",
					    "Stop",    "Prompt", "Sms", "Message"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char doc[256], want[256];
		snprintf(doc, sizeof(doc), "<Response>\n<Say>Hi</Say>\n<%s/></Response>", names[i]);
		snprintf(want, sizeof(want),
			 "techweek cannot follow TwiML <%s> yet: its caller takes no media streams, "
			 "AI agents, payments, SIP or messages (line 3 of " URL ")",
			 names[i]);
		char *msg = run_failing(doc, TW_EUNSUPPORTED);
		if (!strstr(msg, want))
			fail_msg("got \"%s\", want \"%s\"", msg, want);
		free(msg);
	}
}

static void unknown_verb_fails_with_its_line(void **state)
{
	(void)state;
	char *msg = run_failing("<Response>\n<Say>Hi</Say>\n\n<Dance/></Response>", TW_ESERVICE);
	assert_non_null(strstr(msg, "unknown TwiML verb <Dance> at line 4 of " URL));
	free(msg);
	/* names are case-sensitive */
	msg = run_failing("<Response><say>Hi</say></Response>", TW_ESERVICE);
	assert_non_null(strstr(msg, "unknown TwiML verb <say> at line 1"));
	free(msg);
}

/* ---- documents one after another ------------------------------------------------ */

static void a_journey_through_documents(void **state)
{
	(void)state;
	tw_call *call = run("<Response><Gather numDigits=\"1\" action=\"/menu\">"
			    "<Say>Main menu.</Say></Gather></Response>");
	press(call, "2");
	assert_pending(call, "POST", "http://127.0.0.1:1/menu");
	tw_error err = {0};
	ok(answer_from(call, "http://127.0.0.1:1/menu",
		       "<Response><Gather numDigits=\"1\" action=\"orders\">"
		       "<Say>Orders menu.</Say></Gather><Redirect>/voice</Redirect></Response>",
		       &err),
	   &err);
	silence(call); /* falls through to the Redirect, in the new document */
	assert_pending(call, "POST", URL);
	answer(call, "<Response><Gather numDigits=\"1\" action=\"/menu\">"
		     "<Say>Main menu.</Say></Gather></Response>");
	assert_true(last_event(call)->repeat); /* back at the main menu */
	press(call, "9");
	ok(answer_from(call, "http://127.0.0.1:1/menu", "<Response><Dial>+15550009999</Dial>"
		       "</Response>", &err), &err);
	assert_string_equal(tw_call_transfer(call), "+15550009999");
	tw_call_free(call);
}

/* ---- failure demand: re-prompt turns ------------------------------------------- */

#define MENU_ACTION "<Gather numDigits=\"1\" action=\"/choice\">"
#define WRONG_KEY "<Response><Say>Sorry, that is not an option.</Say><Redirect>/menu</Redirect></Response>"

/* A caller who presses a wrong key once and is sent back to menu: the
 * call after the menu was heard again. */
static tw_call *wrong_key_once(const char *menu)
{
	tw_call *call = run(menu);
	press(call, "7");
	tw_error err = {0};
	ok(answer_from(call, "http://127.0.0.1:1/choice", WRONG_KEY, &err), &err);
	ok(answer_from(call, "http://127.0.0.1:1/menu", menu, &err), &err);
	assert_non_null(tw_call_listening(call));
	return call;
}

static void reprompt_turns_of(const char *menu, int prompts, int repeats, const char *named)
{
	tw_call *call = wrong_key_once(menu);
	tw_call_figures f;
	tw_call_figures_of(call, &f);
	assert_int_equal(f.prompts, prompts);
	assert_int_equal(f.repeats, repeats);
	assert_string_equal(f.menu, named);
	assert_int_equal(f.menu_turns, repeats);
	tw_call_free(call);
}

static void a_reprompt_counts_one_turn_however_many_says_carry_it(void **state)
{
	(void)state;
	reprompt_turns_of("<Response>" MENU_ACTION "<Say>Main menu. Press 1 for orders, press 2 "
			  "for opening hours.</Say></Gather></Response>",
			  3, 1, "Main menu. Press 1 for orders,\xE2\x80\xA6");
	/* the same words in two <Say>s: the same cost, the menu's last words */
	reprompt_turns_of("<Response>" MENU_ACTION "<Say>Main menu.</Say><Say>Press 1 for orders, "
			  "press 2 for opening hours.</Say></Gather></Response>",
			  5, 1, "Press 1 for orders, press 2\xE2\x80\xA6");
	/* and in <Play>s */
	reprompt_turns_of("<Response>" MENU_ACTION "<Play>http://cdn.test/menu.mp3</Play>"
			  "<Play>http://cdn.test/options.mp3</Play></Gather></Response>",
			  5, 1, "http://cdn.test/options.mp3");
}

static void loop_plays_in_one_turn_are_not_failure_demand(void **state)
{
	(void)state;
	const char *menu = "<Response>" MENU_ACTION "<Say loop=\"3\">Press 1.</Say></Gather>"
			   "</Response>";
	tw_call *call = run(menu);
	tw_call_figures f;
	tw_call_figures_of(call, &f);
	assert_int_equal(f.prompts, 3);
	assert_int_equal(f.repeats, 0);
	assert_string_equal(f.menu, "");
	tw_call_free(call);
	/* after one redirect, three plays again: one re-prompt turn */
	reprompt_turns_of(menu, 7, 1, "Press 1.");
}

static void a_redirect_without_the_caller_is_not_a_reprompt(void **state)
{
	(void)state;
	/* The IVR says the same twice before the caller did anything: that
	 * is its design, not a prompt the caller has to hear again. */
	tw_call *call = run("<Response><Say>Welcome.</Say><Redirect>/again</Redirect></Response>");
	tw_error err = {0};
	ok(answer_from(call, "http://127.0.0.1:1/again",
		       "<Response><Say>Welcome.</Say>" MENU_ACTION "<Say>Press 1.</Say></Gather>"
		       "</Response>", &err), &err);
	tw_call_figures f;
	tw_call_figures_of(call, &f);
	assert_int_equal(f.repeats, 0);
	assert_false(tw_call_event_at(call, 2)->repeat);
	tw_call_free(call);
}

static void silence_then_the_menu_again_is_a_reprompt_turn(void **state)
{
	(void)state;
	const char *menu = "<Response>" MENU_ACTION "<Say>Main menu.</Say><Say>Press 1.</Say>"
			   "</Gather><Say>Sorry, I didn't get that.</Say><Redirect>/menu</Redirect>"
			   "</Response>";
	tw_call *call = run(menu);
	double before = tw_call_clock(call);
	silence(call);
	tw_error err = {0};
	ok(answer_from(call, "http://127.0.0.1:1/menu", menu, &err), &err);
	silence(call);
	ok(answer_from(call, "http://127.0.0.1:1/menu", menu, &err), &err);
	tw_call_figures f;
	tw_call_figures_of(call, &f);
	/* two turns; the second also re-plays the apology: still one each */
	assert_int_equal(f.repeats, 2);
	assert_string_equal(f.menu, "Press 1.");
	assert_int_equal(f.menu_turns, 2);
	/* dead air and the re-prompts are on the call clock: two timeouts
	 * of 5 s, the apology (2 s) and the menu (1.6 s) twice */
	assert_true(NEAR(tw_call_clock(call) - before, 2 * (5 + 2.0 + 1.6)));
	tw_call_free(call);
}

static void a_menu_said_before_an_empty_gather_is_asked_again(void **state)
{
	(void)state;
	/* the common <Say>menu</Say><Gather/>: what asks is the last prompt
	 * before the Gather listens, its loop plays one ask */
	reprompt_turns_of("<Response><Say>Welcome.</Say><Say>Press 1 for orders, press 2 for "
			  "opening hours.</Say>" MENU_ACTION "</Gather></Response>",
			  5, 1, "Press 1 for orders, press 2\xE2\x80\xA6");
	reprompt_turns_of("<Response><Say loop=\"3\">Press 1.</Say>" MENU_ACTION "</Gather>"
			  "</Response>", 7, 1, "Press 1.");
}

static void an_ask_holding_an_earlier_question_asks_again(void **state)
{
	(void)state;
	/* the menu asked again after an apology in the same Gather */
	tw_call *call = run("<Response>" MENU_ACTION "<Say>Main menu.</Say><Say>Press 1.</Say>"
			    "</Gather></Response>");
	press(call, "7");
	tw_error err = {0};
	ok(answer_from(call, "http://127.0.0.1:1/choice",
		       "<Response>" MENU_ACTION "<Say>Sorry, that is not an option.</Say>"
		       "<Say>Main menu.</Say><Say>Press 1.</Say></Gather></Response>", &err),
	   &err);
	/* and once more before the next question, in its Gather, without
	 * the greeting */
	press(call, "1");
	ok(answer_from(call, "http://127.0.0.1:1/choice",
		       "<Response>" MENU_ACTION "<Say>Press 1.</Say>"
		       "<Say>Enter your order number.</Say></Gather></Response>", &err),
	   &err);
	tw_call_figures f;
	tw_call_figures_of(call, &f);
	assert_int_equal(f.repeats, 2);
	assert_string_equal(f.menu, "Press 1."); /* what asked again, not the apology or after */
	assert_int_equal(f.menu_turns, 2);
	assert_false(last_event(call)->asks_again);
	assert_true(last_event(call)->asks);
	tw_call_free(call);
}

static void prompts_that_do_not_ask_make_no_reprompt(void **state)
{
	(void)state;
	/* Two asks that begin alike, a thank-you after every answer, two
	 * recordings after the same beep, a goodbye: nothing is asked twice,
	 * though most of it is heard again. */
	tw_call *call = run("<Response>" MENU_ACTION "<Say>Please listen carefully.</Say>"
			    "<Say>Enter your PIN.</Say></Gather></Response>");
	press(call, "1");
	tw_error err = {0};
	ok(answer_from(call, "http://127.0.0.1:1/choice",
		       "<Response><Say>Thank you.</Say>" MENU_ACTION "<Say>Please listen "
		       "carefully.</Say><Say>Enter your date of birth.</Say></Gather></Response>",
		       &err),
	   &err);
	press(call, "1");
	ok(answer_from(call, "http://127.0.0.1:1/choice",
		       "<Response><Say>Thank you.</Say><Say>Leave your name after the beep.</Say>"
		       "<Record action=\"/name\"/></Response>", &err),
	   &err);
	speak(call, "Ada Lovelace", 0.9);
	press(call, "#");
	ok(answer_from(call, "http://127.0.0.1:1/name",
		       "<Response><Say>Thank you.</Say><Say>Now your address, after the beep.</Say>"
		       "<Record action=\"/address\"/></Response>", &err),
	   &err);
	speak(call, "Twelve St James's Square", 0.9);
	press(call, "#");
	ok(answer_from(call, "http://127.0.0.1:1/address",
		       "<Response><Say>Thank you.</Say><Say>Goodbye.</Say><Hangup/></Response>",
		       &err),
	   &err);
	assert_ended(call, TW_END_HANGUP);
	tw_call_figures f;
	tw_call_figures_of(call, &f);
	assert_int_equal(f.repeats, 0);
	assert_string_equal(f.menu, "");
	size_t heard_again = 0;
	for (size_t i = 0; i < tw_call_event_count(call); i++)
		heard_again += tw_call_event_at(call, i)->repeat;
	assert_int_equal(heard_again, 5); /* listen, three thank-yous, the second beep */
	tw_call_free(call);
}

/* What a call quotes in a message (the last prompt, an attribute, a
 * document's element) is masked before it is cut: a secret straddling the
 * cut leaves no piece of itself, which the run's redaction of the whole
 * message afterwards could no longer recognise. */
#define SECRET "S3cr3tPa55"
#define PAD "Thank you for calling. Thank you for calling. Thank you for calling. " \
	    "Thank you for calling. Thank you for calling."

static tw_call *call_with_secret(tw_redact *r)
{
	assert_int_equal(tw_redact_add(r, SECRET), TW_OK);
	tw_call_options o = {.from = "+15550001111", .to = "+15550002222", .seed = 7,
			     .redact = r};
	tw_call_limits_init(&o.limits);
	tw_call *call = tw_call_new(&o);
	assert_non_null(call);
	tw_error err = {0};
	ok(tw_call_start(call, URL, &err), &err);
	return call;
}

static void assert_no_piece_of_the_secret(const char *text)
{
	if (strstr(text, "S3cr") || strstr(text, "Pa55"))
		fail_msg("a piece of the secret in: %s", text);
}

static void quotes_mask_secrets_before_cutting(void **state)
{
	(void)state;
	char doc[1024];
	/* The last prompt: 113 characters, then the secret; cut at 120. An
	 * attribute the carrier ignores: 55 characters, then the secret; cut
	 * at 60. */
	snprintf(doc, sizeof(doc),
		 "<Response><Say loop=\"%.55s" SECRET "\">%.113s" SECRET "</Say><Dance/></Response>",
		 PAD, PAD);
	tw_redact r = {0};
	tw_call *call = call_with_secret(&r);
	tw_error err = {0};
	assert_int_not_equal(answer_from(call, URL, doc, &err), TW_OK);
	assert_non_null(strstr(err.message, "last heard"));
	assert_no_piece_of_the_secret(err.message);
	size_t notes = 0;
	for (size_t i = 0; i < tw_call_event_count(call); i++) {
		const tw_call_event *ev = tw_call_event_at(call, i);
		if (ev->kind == TW_EV_NOTE && ev->text) {
			assert_no_piece_of_the_secret(ev->text);
			notes++;
		}
	}
	assert_true(notes > 0);
	tw_error_clear(&err);
	tw_call_free(call);
	tw_redact_free(&r);

	/* VoiceXML: an element named by an attribute (cut at 60) whose name
	 * ECMAScript cannot take (issue 14: cond makes the document's
	 * variables ECMAScript's). */
	snprintf(doc, sizeof(doc),
		 "<?xml version=\"1.0\"?>\n<vxml version=\"2.1\" "
		 "xmlns=\"http://www.w3.org/2001/vxml\"><form><field name=\"%.55s" SECRET
		 "\" type=\"digits\" cond=\"%.75s" SECRET "\"/></form></vxml>",
		 PAD, PAD);
	r = (tw_redact){0};
	call = call_with_secret(&r);
	assert_int_not_equal(answer_from(call, URL, doc, &err), TW_OK);
	assert_non_null(strstr(err.message, "its name is not an ECMAScript variable name"));
	assert_no_piece_of_the_secret(err.message);
	tw_error_clear(&err);
	tw_call_free(call);
	tw_redact_free(&r);

	/* An element VoiceXML does not have, named in a message (cut at 160
	 * bytes): 150 characters, then the secret. */
	char name[151];
	memset(name, 'a', 150);
	name[150] = '\0';
	snprintf(doc, sizeof(doc),
		 "<?xml version=\"1.0\"?>\n<vxml version=\"2.1\" "
		 "xmlns=\"http://www.w3.org/2001/vxml\"><form><%s" SECRET "/></form></vxml>",
		 name);
	r = (tw_redact){0};
	call = call_with_secret(&r);
	assert_int_not_equal(answer_from(call, URL, doc, &err), TW_OK);
	assert_non_null(strstr(err.message, "unknown element"));
	assert_no_piece_of_the_secret(err.message);
	tw_error_clear(&err);
	tw_call_free(call);
	tw_redact_free(&r);

	/* A URL the call cannot follow, quoted by URL resolution (cut at
	 * 200): 196 characters, then the secret. */
	snprintf(doc, sizeof(doc), "<Response><Redirect>javascript:%.89s%.89s%.7s" SECRET
		 "</Redirect></Response>", PAD, PAD, PAD);
	r = (tw_redact){0};
	call = call_with_secret(&r);
	assert_int_not_equal(answer_from(call, URL, doc, &err), TW_OK);
	assert_non_null(strstr(err.message, "not a web address"));
	assert_no_piece_of_the_secret(err.message);
	tw_error_clear(&err);
	tw_call_free(call);
	tw_redact_free(&r);
}

/* ---- the call clock's limit, as the clock moves ------------------------------ */

static void contains(const char *haystack, const char *needle)
{
	if (!haystack || !strstr(haystack, needle))
		fail_msg("expected \"%s\" in \"%s\"", needle, haystack ? haystack : "(null)");
}

static void clock_limit_crossed_by_a_pause(void **state)
{
	(void)state;
	char *msg;
	tw_call *call = past_the_clock(60,
				       "<Response>\n<Say>Hello.</Say>\n<Pause length=\"100\"/>\n"
				       "<Say>Never heard.</Say>\n<Hangup/>\n</Response>",
				       NULL, &msg);
	contains(msg, "past 60 s of call time (--call-max-time)");
	contains(msg, "during <Pause> at line 3 of " URL);
	assert_false(tw_call_was_stopped(call));
	assert_transcript(call, "SAY Hello. | PAUSE");
	free(msg);
	tw_call_free(call);
}

static void clock_limit_crossed_by_a_play_loop(void **state)
{
	(void)state;
	char *msg;
	/* Five seconds of pauses in the tones, three times: the third
	 * crosses 12 s. */
	tw_call *call = past_the_clock(12,
				       "<Response><Play loop=\"3\" digits=\"WWWWW\"/><Hangup/></Response>",
				       NULL, &msg);
	contains(msg, "during <Play> at line 1");
	assert_transcript(call, "PLAY DTMF WWWWW | PLAY DTMF WWWWW | PLAY DTMF WWWWW");
	free(msg);
	tw_call_free(call);
}

/* 0.4 s each: the 9001st of them crosses an hour; the document's other
 * 10 999 are never played, and the call, which would have ended by
 * itself, fails. */
static void clock_limit_crossed_by_many_says(void **state)
{
	(void)state;
	char *doc = repeated("<Response>", "<Say>a</Say>", 20000, "<Hangup/></Response>");
	char *msg;
	tw_call *call = past_the_clock(3600, doc, NULL, &msg);
	contains(msg, "past 3600 s of call time");
	contains(msg, "during <Say> at line 9002 of " URL);
	contains(msg, "(last heard: \"a\")");
	assert_int_equal(tw_call_event_count(call), 9001);
	free(msg);
	free(doc);
	tw_call_free(call);
}

static void clock_limit_crossed_by_a_gather_timeout(void **state)
{
	(void)state;
	char *msg;
	tw_call *call = past_the_clock(20,
				       "<Response>\n<Gather timeout=\"30\"><Say>Press a key.</Say></Gather>\n"
				       "<Say>Goodbye.</Say>\n</Response>",
				       "-", &msg);
	contains(msg, "during <Gather> at line 2");
	assert_transcript(call, "SAY Press a key. | SILENCE");
	free(msg);
	tw_call_free(call);
}

/* ---- how much one document may do ------------------------------------------ */

/* URLs play in no call time, so only the cap on lines stops them. */
static void a_document_of_too_many_lines_fails(void **state)
{
	(void)state;
	/* issue 14, AUDIO: tones, a tenth of a second each: a file would take
	 * its length, and the clock's limit would come first */
	char *doc = repeated("<Response>", "<Play digits=\"1\"/>",
			     TW_CALL_MAX_LINES + 1, "</Response>");
	tw_call *call = call_started();
	tw_error err = {0};
	assert_int_equal(answer_from(call, URL, doc, &err), TW_ELIMIT);
	contains(err.message, "more than 10000 transcript lines without waiting for the caller");
	contains(err.message, "during <Play> at line 10002 of " URL);
	assert_int_equal(tw_call_event_count(call), TW_CALL_MAX_LINES);
	assert_int_equal(tw_call_end_reason(call), TW_END_FAILED);
	tw_error_clear(&err);
	free(doc);
	tw_call_free(call);
}

/* The lines are counted per document: a caller who keeps answering may
 * hear many more in one call. */
static void the_line_cap_is_per_document(void **state)
{
	(void)state;
	char *doc = repeated("<Response>", "<Play digits=\"1\"/>",
			     TW_CALL_MAX_LINES - 1, "<Gather/></Response>"); /* issue 14 */
	tw_call *call = call_started();
	tw_error err = {0};
	for (int i = 0; i < 3; i++) {
		ok(answer_from(call, URL, doc, &err), &err);
		press(call, "1");
	}
	assert_int_equal(tw_call_event_count(call), 3 * TW_CALL_MAX_LINES);
	free(doc);
	tw_call_free(call);
}

/* The owner's stop request is asked as the document is followed, not
 * after it. */
static void a_stop_request_cuts_a_document_short(void **state)
{
	(void)state;
	struct stop_after stop = {.at = 100};
	tw_call_options o = {.stop = stop_after, .stop_ctx = &stop};
	tw_call_limits_init(&o.limits);
	tw_call *call = call_placed(o);
	char *doc = repeated("<Response>", "<Say>Please hold.</Say>", 1000, "</Response>");
	tw_error err = {0};
	assert_int_equal(answer_from(call, URL, doc, &err), TW_ELIMIT);
	contains(err.message, "cut off: the run was ending");
	assert_true(tw_call_was_stopped(call));
	contains(err.message, "at line ");
	assert_true(tw_call_event_count(call) <= 100);
	assert_int_equal(tw_call_end_reason(call), TW_END_FAILED);
	tw_error_clear(&err);
	free(doc);
	tw_call_free(call);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(say_collapses_text_and_ends_when_verbs_run_out),
		cmocka_unit_test(say_ssml_text_is_spoken),
		cmocka_unit_test(say_loop_plays_each_time),
		cmocka_unit_test(say_loop_zero_is_capped_with_a_note),
		cmocka_unit_test(say_loop_above_limit_is_cut),
		cmocka_unit_test(say_bad_loop_plays_once_with_a_note),
		cmocka_unit_test(say_empty_is_noted),
		cmocka_unit_test(play_url),
		cmocka_unit_test(play_digits_with_pauses),
		cmocka_unit_test(play_loop_zero_last_is_hold_music),
		cmocka_unit_test(play_loop_zero_not_last_goes_on),
		cmocka_unit_test(play_nothing_is_noted),
		cmocka_unit_test(pause_default_and_length),
		cmocka_unit_test(pause_bad_length_is_one_second),
		cmocka_unit_test(gather_plays_children_then_listens_with_defaults),
		cmocka_unit_test(gather_keys_go_to_the_current_document_by_post),
		cmocka_unit_test(gather_action_is_relative_and_method_get),
		cmocka_unit_test(gather_action_with_an_escaped_query),
		cmocka_unit_test(gather_bad_method_is_post_with_a_note),
		cmocka_unit_test(gather_num_digits_ends_and_drops_extra_keys),
		cmocka_unit_test(gather_finish_key_is_never_in_digits),
		cmocka_unit_test(gather_empty_finish_key_collects_hash),
		cmocka_unit_test(gather_keys_without_finish_submit_after_timeout),
		cmocka_unit_test(gather_key_pauses_move_the_clock),
		cmocka_unit_test(gather_hash_first_is_no_input_and_falls_through),
		cmocka_unit_test(gather_silence_waits_and_falls_through),
		cmocka_unit_test(gather_silence_with_no_next_verb_ends),
		cmocka_unit_test(gather_fall_through_reaches_another_gather),
		cmocka_unit_test(gather_action_on_empty_result),
		cmocka_unit_test(gather_speech),
		cmocka_unit_test(gather_speech_refuses_keys),
		cmocka_unit_test(gather_dtmf_refuses_speech),
		cmocka_unit_test(gather_dtmf_and_speech_take_both),
		cmocka_unit_test(gather_bad_input_is_dtmf_with_a_note),
		cmocka_unit_test(gather_with_another_verb_inside_fails),
		cmocka_unit_test(gather_caller_hangs_up),
		cmocka_unit_test(redirect_fetches_and_ends_the_document),
		cmocka_unit_test(redirect_without_url_fails),
		cmocka_unit_test(hangup_ends_the_call),
		cmocka_unit_test(reject_default_and_busy),
		cmocka_unit_test(dial_destinations),
		cmocka_unit_test(dial_notes_what_the_caller_cannot_hear),
		cmocka_unit_test(dial_with_action_ends_as_caller_on_hangup),
		cmocka_unit_test(dial_nothing_fails),
		cmocka_unit_test(enqueue_holds_in_the_queue),
		cmocka_unit_test(leave_ends_the_document),
		cmocka_unit_test(record_beeps_and_listens),
		cmocka_unit_test(record_message_ended_by_silence),
		cmocka_unit_test(record_message_ended_by_a_key),
		cmocka_unit_test(record_finish_keys_are_a_set),
		cmocka_unit_test(record_nothing_goes_to_the_next_verb),
		cmocka_unit_test(record_stops_at_max_length),
		cmocka_unit_test(record_caller_hangs_up),
		cmocka_unit_test(unsupported_verbs_fail_clearly),
		cmocka_unit_test(unknown_verb_fails_with_its_line),
		cmocka_unit_test(a_journey_through_documents),
		cmocka_unit_test(a_reprompt_counts_one_turn_however_many_says_carry_it),
		cmocka_unit_test(loop_plays_in_one_turn_are_not_failure_demand),
		cmocka_unit_test(a_redirect_without_the_caller_is_not_a_reprompt),
		cmocka_unit_test(silence_then_the_menu_again_is_a_reprompt_turn),
		cmocka_unit_test(a_menu_said_before_an_empty_gather_is_asked_again),
		cmocka_unit_test(an_ask_holding_an_earlier_question_asks_again),
		cmocka_unit_test(prompts_that_do_not_ask_make_no_reprompt),
		cmocka_unit_test(quotes_mask_secrets_before_cutting),
		cmocka_unit_test(clock_limit_crossed_by_a_pause),
		cmocka_unit_test(clock_limit_crossed_by_a_play_loop),
		cmocka_unit_test(clock_limit_crossed_by_many_says),
		cmocka_unit_test(clock_limit_crossed_by_a_gather_timeout),
		cmocka_unit_test(a_document_of_too_many_lines_fails),
		cmocka_unit_test(the_line_cap_is_per_document),
		cmocka_unit_test(a_stop_request_cuts_a_document_short),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
