/*
 * The call's own work, apart from either dialect: the requests a carrier
 * sends (parameters, encoding, X-Twilio-Signature), what a document must
 * be, the limits, the transcript's repeats and figures, and the caller's
 * actions refused when nothing listens.
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

static tw_call *new_call(const char *token, const char *method)
{
	tw_call_options o = {.from = "+15550001111", .to = "+15550002222", .token = token,
			     .method = method, .seed = 42};
	tw_call_limits_init(&o.limits);
	tw_call *call = tw_call_new(&o);
	assert_non_null(call);
	return call;
}

static const char *param(const tw_call_request *r, const char *name)
{
	for (size_t i = 0; i < r->param_count; i++)
		if (strcmp(r->params[i].name, name) == 0)
			return r->params[i].value;
	return NULL;
}

static int answer(tw_call *call, const char *doc, tw_error *err)
{
	int rc = tw_call_document(call, URL, 200, "text/xml", doc, strlen(doc), 12.5, err);
	/* Audio a document plays is fetched before it runs: here it is not
	 * found, and counts as TW_CALL_AUDIO_DEFAULT_S with a note. */
	while (rc == TW_OK && tw_call_fetching_resource(call))
		rc = tw_call_document(call, tw_call_pending(call)->url, 404, "text/plain", "no", 2,
				      0, err);
	return rc;
}

static void carrier_parameters_on_the_first_request(void **state)
{
	(void)state;
	tw_call *call = new_call(NULL, NULL);
	tw_error err = {0};
	assert_int_equal(tw_call_start(call, URL, &err), TW_OK);
	const tw_call_request *r = tw_call_pending(call);
	assert_non_null(r);
	assert_string_equal(r->method, "POST");
	assert_string_equal(r->url, URL);
	assert_string_equal(param(r, "From"), "+15550001111");
	assert_string_equal(param(r, "Caller"), "+15550001111");
	assert_string_equal(param(r, "To"), "+15550002222");
	assert_string_equal(param(r, "Called"), "+15550002222");
	assert_string_equal(param(r, "Direction"), "inbound");
	assert_string_equal(param(r, "ApiVersion"), "2010-04-01");
	assert_string_equal(param(r, "CallStatus"), "ringing");
	const char *sid = param(r, "CallSid");
	assert_int_equal(strlen(sid), 34);
	assert_memory_equal(sid, "CA", 2);
	assert_string_equal(sid, tw_call_sid(call));
	assert_memory_equal(param(r, "AccountSid"), "AC", 2);
	/* Form-encoded, '+' in numbers escaped. */
	assert_non_null(strstr(r->body, "From=%2B15550001111"));
	assert_null(r->signature);
	tw_call_free(call);
}

static void sids_differ_by_seed_and_repeat_for_one(void **state)
{
	(void)state;
	tw_call_options o = {.from = "a", .to = "b", .seed = 1};
	tw_call_limits_init(&o.limits);
	tw_call *a = tw_call_new(&o), *b = tw_call_new(&o);
	o.seed = 2;
	tw_call *c = tw_call_new(&o);
	assert_string_equal(tw_call_sid(a), tw_call_sid(b));
	assert_string_not_equal(tw_call_sid(a), tw_call_sid(c));
	tw_call_free(a);
	tw_call_free(b);
	tw_call_free(c);
}

static void get_puts_parameters_in_the_query(void **state)
{
	(void)state;
	tw_call *call = new_call(NULL, "GET");
	tw_error err = {0};
	assert_int_equal(tw_call_start(call, URL "?lang=en", &err), TW_OK);
	const tw_call_request *r = tw_call_pending(call);
	assert_string_equal(r->method, "GET");
	assert_null(r->body);
	assert_non_null(strstr(r->url, URL "?lang=en&AccountSid=AC"));
	assert_non_null(strstr(r->url, "&From=%2b15550001111") ? strstr(r->url, "&From=%2b15550001111")
							   : strstr(r->url, "&From=%2B15550001111"));
	tw_call_free(call);
}

/* The test vector from twilio-node's own tests. */
static void signature_matches_the_reference(void **state)
{
	(void)state;
	const tw_call_param params[] = {
		{"To", "+18005551212"},     {"From", "+14158675309"}, {"Digits", "1234"},
		{"Caller", "+14158675309"}, {"CallSid", "CA1234567890ABCDE"},
	};
	char sig[TW_SIGNATURE_SIZE];
	assert_int_equal(tw_call_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2",
					   params, 5, sig),
			 TW_OK);
	assert_string_equal(sig, "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
}

/* Computes the reference signature with the openssl command line over
 * exactly the data the carrier signs, and compares. */
static void signature_equals_openssl(void **state)
{
	(void)state;
	if (system("command -v openssl >/dev/null 2>&1") != 0)
		skip();
	tw_call *call = new_call("12345", NULL);
	tw_error err = {0};
	assert_int_equal(tw_call_start(call, "https://mycompany.com/myapp.php?foo=1&bar=2", &err),
			 TW_OK);
	const tw_call_request *r = tw_call_pending(call);
	/* URL, then name+value sorted by name. */
	const char *order[] = {"AccountSid", "ApiVersion", "CallSid", "CallStatus", "Called",
			       "Caller", "Direction", "From", "To"};
	char data[2048];
	int n = snprintf(data, sizeof(data), "%s", r->url);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		n += snprintf(data + n, sizeof(data) - (size_t)n, "%s%s", order[i], param(r, order[i]));
	char cmd[2600];
	snprintf(cmd, sizeof(cmd),
		 "printf '%%s' '%s' | openssl dgst -sha1 -hmac 12345 -binary | base64", data);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	char want[64] = "";
	assert_non_null(fgets(want, sizeof(want), p));
	pclose(p);
	want[strcspn(want, "\n")] = '\0';
	assert_string_equal(r->signature, want);
	tw_call_free(call);
}

static void documents_must_be_twiml_or_voicexml(void **state)
{
	(void)state;
	struct {
		long status;
		const char *body;
		const char *says;
	} cases[] = {
		{404, "<Response/>", "answered 404"},
		{200, "this is not xml <", "did not answer XML"},
		{200, "", "did not answer XML"},
		{200, "<html><body>hi</body></html>", "a <html> document, not TwiML"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tw_call *call = new_call(NULL, NULL);
		tw_error err = {0};
		assert_int_equal(tw_call_start(call, URL, &err), TW_OK);
		int rc = tw_call_document(call, URL, cases[i].status, "text/xml", cases[i].body,
					  strlen(cases[i].body), 1, &err);
		assert_int_equal(rc, TW_ESERVICE);
		if (!strstr(err.message, cases[i].says))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.message, cases[i].says);
		assert_non_null(strstr(err.message, "(nothing heard yet)"));
		assert_int_equal(tw_call_end_reason(call), TW_END_FAILED);
		assert_string_equal(tw_call_error(call)->message, err.message);
		tw_error_clear(&err);
		tw_call_free(call);
	}
}

static void a_redirect_loop_hits_the_fetch_limit(void **state)
{
	(void)state;
	tw_call *call = new_call(NULL, NULL);
	tw_error err = {0};
	assert_int_equal(tw_call_start(call, URL, &err), TW_OK);
	int rc = TW_OK, fetched = 0;
	while (rc == TW_OK && tw_call_state_of(call) == TW_CALL_FETCHING && fetched < 100) {
		rc = answer(call, "<Response><Say>Again.</Say><Redirect>/voice</Redirect></Response>", &err);
		fetched++;
	}
	assert_int_equal(rc, TW_ELIMIT);
	assert_int_equal(fetched, 20);
	assert_non_null(strstr(err.message, "more than 20 documents"));
	assert_non_null(strstr(err.message, "last heard: \"Again.\""));
	tw_error_clear(&err);
	tw_call_free(call);
}

static void repeats_count_across_turns_not_within_one(void **state)
{
	(void)state;
	tw_call *call = new_call(NULL, NULL);
	tw_error err = {0};
	assert_int_equal(tw_call_start(call, URL, &err), TW_OK);
	const char *menu = "<Response><Gather numDigits=\"1\"><Say loop=\"2\">Press 1.</Say></Gather>"
			   "</Response>";
	assert_int_equal(answer(call, menu, &err), TW_OK);
	assert_int_equal(tw_call_press(call, "9", &err), TW_OK);
	assert_int_equal(answer(call, menu, &err), TW_OK);
	tw_call_figures f;
	tw_call_figures_of(call, &f);
	assert_int_equal(f.prompts, 4);
	assert_int_equal(f.inputs, 1);
	assert_int_equal(f.repeats, 1); /* one re-prompt turn, however many plays */
	assert_string_equal(f.menu, "Press 1.");
	assert_int_equal(f.menu_turns, 1);
	assert_true(f.first_prompt_s > 0.012 && f.first_prompt_s < 0.013); /* the fetch */
	assert_true(f.transfer_s < 0);
	tw_call_free(call);
}

/* A balance call: three asks, each answer met with "Thank you." in the
 * markup style says (1: in the ask's <Say>, 2: its own <Say> in the
 * Gather, 3: before the Gather, 4: said with the ask before an empty
 * Gather), then the balance. */
static tw_call *thanked_call(int style)
{
	static const char *const asks[] = {"Enter your account number.", "Enter your PIN.",
					   "Enter your date of birth.", NULL};
	tw_call *call = new_call(NULL, NULL);
	tw_error err = {0};
	assert_int_equal(tw_call_start(call, URL, &err), TW_OK);
	for (size_t i = 0; i < 4; i++) {
		const char *thanks = i ? "Thank you." : "";
		char doc[512];
		if (!asks[i])
			snprintf(doc, sizeof(doc), "<Response><Say>%s</Say><Say>Your balance is 42 "
				 "pounds.</Say><Hangup/></Response>", thanks);
		else if (style == 1)
			snprintf(doc, sizeof(doc), "<Response><Gather><Say>%s %s</Say></Gather>"
				 "</Response>", thanks, asks[i]);
		else if (style == 2)
			snprintf(doc, sizeof(doc), "<Response><Gather><Say>%s</Say><Say>%s</Say>"
				 "</Gather></Response>", thanks, asks[i]);
		else if (style == 3)
			snprintf(doc, sizeof(doc), "<Response><Say>%s</Say><Gather><Say>%s</Say>"
				 "</Gather></Response>", thanks, asks[i]);
		else
			snprintf(doc, sizeof(doc), "<Response><Say>%s</Say><Say>%s</Say><Gather/>"
				 "</Response>", thanks, asks[i]);
		assert_int_equal(answer(call, doc, &err), TW_OK);
		if (asks[i])
			assert_int_equal(tw_call_press(call, "1234#", &err), TW_OK);
	}
	assert_int_equal(tw_call_end_reason(call), TW_END_HANGUP);
	return call;
}

static void thanks_between_asks_is_not_a_reprompt(void **state)
{
	(void)state;
	for (int style = 1; style <= 4; style++) {
		tw_call *call = thanked_call(style);
		tw_call_figures f;
		tw_call_figures_of(call, &f);
		if (f.repeats != 0)
			fail_msg("style %d: %d re-prompt turns (named \"%s\"), want none", style,
				 f.repeats, f.menu);
		assert_string_equal(f.menu, "");
		assert_int_equal(f.menu_turns, 0);
		tw_call_free(call);
	}
}

static void an_ask_heard_again_is_a_reprompt_whatever_came_before_it(void **state)
{
	(void)state;
	/* The menu said before an empty Gather, as many apps write it; a
	 * wrong key, "Sorry" and the menu again: one re-prompt turn. A
	 * "Thank you." the IVR says every time is no part of the count. */
	tw_call *call = new_call(NULL, NULL);
	tw_error err = {0};
	assert_int_equal(tw_call_start(call, URL, &err), TW_OK);
	const char *menu = "<Response><Say>Thank you for calling.</Say><Say>Press 1 for orders, "
			   "press 2 for opening hours.</Say><Gather numDigits=\"1\"/></Response>";
	assert_int_equal(answer(call, menu, &err), TW_OK);
	assert_int_equal(tw_call_press(call, "7", &err), TW_OK);
	assert_int_equal(answer(call, "<Response><Say>Sorry, that is not an option.</Say>"
				      "<Redirect>/voice</Redirect></Response>", &err), TW_OK);
	assert_int_equal(answer(call, menu, &err), TW_OK);
	tw_call_figures f;
	tw_call_figures_of(call, &f);
	assert_int_equal(f.repeats, 1);
	assert_string_equal(f.menu, "Press 1 for orders, press 2\xE2\x80\xA6");
	assert_int_equal(f.menu_turns, 1);
	/* both prompts were heard before; only the one that asks asks again */
	const tw_call_event *thanks = tw_call_event_at(call, tw_call_event_count(call) - 2);
	const tw_call_event *ask = tw_call_event_at(call, tw_call_event_count(call) - 1);
	assert_true(thanks->repeat && !thanks->asks && !thanks->asks_again);
	assert_true(ask->repeat && ask->asks && ask->asks_again);
	tw_call_free(call);
}

static void actions_refused_when_nothing_listens(void **state)
{
	(void)state;
	tw_call *call = new_call(NULL, NULL);
	tw_error err = {0};
	assert_int_equal(tw_call_start(call, URL, &err), TW_OK);
	assert_int_equal(tw_call_press(call, "1", &err), TW_EUSAGE);
	assert_non_null(strstr(err.message, "still fetching"));
	assert_int_equal(answer(call, "<Response><Gather input=\"dtmf\"><Say>Hi.</Say></Gather></Response>",
				&err),
			 TW_OK);
	/* techweek's limit, not the IVR's fault */
	assert_int_equal(tw_call_say(call, "hello", 0.9, &err), TW_EUNSUPPORTED);
	assert_non_null(strstr(err.message, "techweek cannot rehearse speaking while the IVR "
					    "collects keys only"));
	assert_int_equal(tw_call_press(call, "1x", &err), TW_EUSAGE);
	assert_non_null(strstr(err.message, "'x' is not a key"));
	assert_int_equal(tw_call_state_of(call), TW_CALL_LISTENING); /* unchanged */
	assert_int_equal(tw_call_hangup(call, &err), TW_OK);
	assert_int_equal(tw_call_end_reason(call), TW_END_CALLER);
	assert_int_equal(tw_call_silence(call, &err), TW_EUSAGE);
	assert_non_null(strstr(err.message, "the call has ended"));
	size_t events = tw_call_event_count(call);
	assert_int_equal(tw_call_hangup(call, &err), TW_OK); /* nothing more */
	assert_int_equal(tw_call_event_count(call), events);
	tw_error_clear(&err);
	tw_call_free(call);
}

static void the_call_clock_limit(void **state)
{
	(void)state;
	tw_call_options o = {.from = "a", .to = "b"};
	tw_call_limits_init(&o.limits);
	o.limits.max_call_s = 5;
	tw_call *call = tw_call_new(&o);
	tw_error err = {0};
	assert_int_equal(tw_call_start(call, URL, &err), TW_OK);
	assert_int_equal(answer(call, "<Response><Pause length=\"10\"/><Gather/></Response>", &err),
			 TW_ELIMIT);
	assert_non_null(strstr(err.message, "past 5 s of call time"));
	tw_error_clear(&err);
	tw_call_free(call);
}

static tw_call *limited_call(double max_s)
{
	tw_call_options o = {.from = "a", .to = "b"};
	tw_call_limits_init(&o.limits);
	o.limits.max_call_s = max_s;
	tw_call *call = tw_call_new(&o);
	assert_non_null(call);
	tw_error err = {0};
	assert_int_equal(tw_call_start(call, URL, &err), TW_OK);
	return call;
}

/* 13 words, 5.2 s: the hang-up after it is never reached. */
static void a_call_ending_by_itself_past_the_limit_fails(void **state)
{
	(void)state;
	tw_call *call = limited_call(5);
	tw_error err = {0};
	assert_int_equal(answer(call, "<Response><Say>one two three four five six seven eight nine "
				"ten eleven twelve thirteen</Say><Hangup/></Response>", &err),
			 TW_ELIMIT);
	assert_non_null(strstr(err.message, "past 5 s of call time"));
	assert_non_null(strstr(err.message, "during <Say> at line 1 of " URL));
	assert_int_equal(tw_call_end_reason(call), TW_END_FAILED);
	assert_int_equal(tw_call_event_count(call), 1);
	assert_null(tw_call_hung_up(call));
	tw_error_clear(&err);
	tw_call_free(call);
}

/* A webhook that took longer than the call may last: the document is not
 * followed at all. */
static void a_slow_webhook_counts_against_the_limit(void **state)
{
	(void)state;
	tw_call *call = limited_call(5);
	tw_error err = {0};
	const char *doc = "<Response><Say>Hello.</Say><Hangup/></Response>";
	assert_int_equal(tw_call_document(call, URL, 200, "text/xml", doc, strlen(doc), 6000, &err),
			 TW_ELIMIT);
	assert_non_null(strstr(err.message, "past 5 s of call time"));
	assert_non_null(strstr(err.message, "while fetching " URL));
	assert_int_equal(tw_call_event_count(call), 0);
	tw_error_clear(&err);
	tw_call_free(call);
}

static void the_callers_speech_counts_against_the_limit(void **state)
{
	(void)state;
	tw_call *call = limited_call(5);
	tw_error err = {0};
	assert_int_equal(answer(call, "<Response><Gather input=\"speech\"><Say>Speak.</Say></Gather>"
				"</Response>", &err),
			 TW_OK);
	assert_int_equal(tw_call_say(call, "one two three four five six seven eight nine ten "
					   "eleven twelve thirteen", 0.9, &err),
			 TW_ELIMIT);
	assert_non_null(strstr(err.message, "past 5 s of call time"));
	assert_non_null(strstr(err.message, "while the caller answered"));
	assert_int_equal(tw_call_end_reason(call), TW_END_FAILED);
	assert_null(tw_call_pending(call)); /* the Gather's action is not asked for */
	tw_error_clear(&err);
	tw_call_free(call);
}

/* ---- issue 14, CLOCK: the caller's pace and barge-in ---- */

#define NEAR(a, b) (fabs((a) - (b)) < 1e-9)
#define FETCH_S 0.0125 /* answer()'s fetch */

static tw_call *paced_call(double rate, double key_s)
{
	tw_call_options o = {.from = "+15550001111", .to = "+15550002222", .seed = 42,
			     .speaking_rate = rate, .key_time_s = key_s};
	tw_call_limits_init(&o.limits);
	tw_call *call = tw_call_new(&o);
	assert_non_null(call);
	tw_error err = {0};
	assert_int_equal(tw_call_start(call, URL, &err), TW_OK);
	return call;
}

static void speech_takes_the_calls_speaking_rate(void **state)
{
	(void)state;
	tw_call *call = paced_call(300, 0);
	assert_true(NEAR(tw_call_speech_s(call, "one two three four five"), 1.0));
	assert_true(NEAR(tw_call_speech_s(NULL, "one two three four five"), 2.0));
	assert_true(NEAR(tw_call_speaking_rate(call), 300));
	tw_call_free(call);
	call = paced_call(0, -1); /* the defaults */
	assert_true(NEAR(tw_call_speaking_rate(call), TW_CALL_WORDS_PER_MINUTE));
	assert_true(NEAR(tw_call_key_time(call), TW_CALL_KEY_TIME_S));
	tw_call_free(call);
}

/* Each key the carrier sends takes the key time, before the request; keys
 * past numDigits or the finishing key are not waited for. */
static void keys_take_the_key_time(void **state)
{
	(void)state;
	const char *doc = "<Response><Gather numDigits=\"4\" action=\"/next\"><Say>Code.</Say>"
			  "</Gather></Response>";
	const char *keys[] = {"1234", "123456", "1#"};
	double want[] = {1.2, 1.2, 0.6};
	for (int k = 0; k < 3; k++) {
		tw_call *call = paced_call(150, 0.3);
		tw_error err = {0};
		assert_int_equal(answer(call, doc, &err), TW_OK);
		double before = tw_call_clock(call);
		tw_call_barge_in(call, 1, 0); /* heard it all: nothing to cut */
		assert_true(NEAR(tw_call_clock(call), before));
		assert_int_equal(tw_call_press(call, keys[k], &err), TW_OK);
		const tw_call_event *press = tw_call_event_at(call, 1);
		assert_int_equal(press->kind, TW_EV_PRESS);
		assert_true(NEAR(press->at_s, before));
		assert_true(NEAR(press->duration_s, want[k]));
		assert_true(NEAR(tw_call_clock(call), before + want[k]));
		tw_call_free(call);
	}
}

static const char looped[] =
	"<Response><Gather numDigits=\"1\" action=\"/next\">"
	"<Say loop=\"3\">one two three four five six seven eight nine ten</Say>"
	"</Gather></Response>";

/* The caller heard up to byte 9 ("one two t"): the word it began is heard
 * to its end, three words of ten, 1.2 s of 4 s; the loop plays after it
 * were never played. */
static void barge_in_cuts_at_the_word_heard(void **state)
{
	(void)state;
	tw_call *call = paced_call(150, 0);
	tw_error err = {0};
	assert_int_equal(answer(call, looped, &err), TW_OK);
	assert_int_equal(tw_call_event_count(call), 3);
	assert_true(NEAR(tw_call_clock(call), FETCH_S + 12.0));
	assert_int_equal(tw_call_settled(call), 0); /* the ask may still be cut */
	tw_call_barge_in(call, 0, 9);
	assert_true(NEAR(tw_call_clock(call), FETCH_S + 1.2));
	const tw_call_event *e0 = tw_call_event_at(call, 0);
	assert_true(e0->cut);
	assert_true(NEAR(e0->duration_s, 1.2));
	assert_true(tw_call_event_at(call, 1)->unplayed);
	assert_true(tw_call_event_at(call, 2)->unplayed);
	assert_int_equal(tw_call_press(call, "1", &err), TW_OK);
	assert_int_equal(tw_call_settled(call), tw_call_event_count(call));
	tw_call_figures f;
	tw_call_figures_of(call, &f);
	assert_int_equal(f.prompts, 1);
	tw_call_free(call);
}

/* No hear in the turn: the caller knows the key and presses once the first
 * play is over. A hear of the whole first play does the same. */
static void barge_in_without_a_hear_waits_for_the_first_play(void **state)
{
	(void)state;
	for (size_t heard = 0; heard < 2; heard++) {
		tw_call *call = paced_call(150, 0);
		tw_error err = {0};
		assert_int_equal(answer(call, looped, &err), TW_OK);
		tw_call_barge_in(call, heard, 0);
		assert_true(NEAR(tw_call_clock(call), FETCH_S + 4.0));
		assert_false(tw_call_event_at(call, 0)->cut);
		assert_true(tw_call_event_at(call, 1)->cut);
		assert_true(NEAR(tw_call_event_at(call, 1)->duration_s, 0));
		assert_true(tw_call_event_at(call, 2)->unplayed);
		tw_call_free(call);
	}
}

/* What was played before the Gather was over before it listened; audio is
 * heard whole or not at all. */
static void barge_in_cuts_only_the_listens_own_prompts(void **state)
{
	(void)state;
	tw_call *call = paced_call(150, 0);
	tw_error err = {0};
	assert_int_equal(answer(call, "<Response><Say>one two three four five</Say>"
				"<Gather numDigits=\"1\"><Play>http://x/a.wav</Play>"
				"<Say>six seven</Say></Gather></Response>", &err),
			 TW_OK);
	tw_call_barge_in(call, 1, 3); /* part of the Play: heard whole */
	assert_false(tw_call_event_at(call, 1)->cut);
	assert_true(tw_call_event_at(call, 2)->cut);
	tw_call_free(call);
	call = paced_call(150, 0);
	assert_int_equal(answer(call, "<Response><Say>one two three four five</Say>"
				"<Gather numDigits=\"1\"><Say>six seven</Say></Gather></Response>",
				&err),
			 TW_OK);
	tw_call_barge_in(call, 0, 3); /* during the Say before the Gather */
	assert_false(tw_call_event_at(call, 0)->cut);
	assert_true(tw_call_event_at(call, 1)->cut);
	assert_true(NEAR(tw_call_clock(call), FETCH_S + 2.0));
	tw_call_free(call);
}

/* VoiceXML bargein="false": the keys wait for the prompt's end; a
 * recording is never cut. */
static void no_barge_in_where_it_is_off(void **state)
{
	(void)state;
	const char *docs[] = {
		"<vxml version=\"2.1\"><property name=\"bargein\" value=\"false\"/><form>"
		"<field name=\"f\" type=\"digits\"><prompt>one two</prompt><prompt>three four"
		"</prompt></field></form></vxml>",
		"<vxml version=\"2.1\"><form><field name=\"f\" type=\"digits\"><prompt>one two"
		"</prompt><prompt bargein=\"false\">three four</prompt></field></form></vxml>",
		"<Response><Say>one two</Say><Record/></Response>",
	};
	for (int d = 0; d < 3; d++) {
		tw_call *call = paced_call(150, 0);
		tw_error err = {0};
		assert_int_equal(answer(call, docs[d], &err), TW_OK);
		double before = tw_call_clock(call);
		tw_call_barge_in(call, 1, 0);
		assert_true(NEAR(tw_call_clock(call), before));
		for (size_t i = 0; i < tw_call_event_count(call); i++)
			assert_false(tw_call_event_at(call, i)->cut);
		tw_call_free(call);
	}
	/* bargein true (the default) cuts there */
	tw_call *call = paced_call(150, 0);
	tw_error err = {0};
	assert_int_equal(answer(call, "<vxml version=\"2.1\"><form><field name=\"f\" "
				"type=\"digits\"><prompt>one two</prompt><prompt>three four"
				"</prompt></field></form></vxml>", &err),
			 TW_OK);
	tw_call_barge_in(call, 1, 0);
	assert_true(tw_call_event_at(call, 1)->cut);
	assert_true(NEAR(tw_call_clock(call), FETCH_S + 0.8));
	tw_call_free(call);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(carrier_parameters_on_the_first_request),
		cmocka_unit_test(sids_differ_by_seed_and_repeat_for_one),
		cmocka_unit_test(get_puts_parameters_in_the_query),
		cmocka_unit_test(signature_matches_the_reference),
		cmocka_unit_test(signature_equals_openssl),
		cmocka_unit_test(documents_must_be_twiml_or_voicexml),
		cmocka_unit_test(a_redirect_loop_hits_the_fetch_limit),
		cmocka_unit_test(repeats_count_across_turns_not_within_one),
		cmocka_unit_test(thanks_between_asks_is_not_a_reprompt),
		cmocka_unit_test(an_ask_heard_again_is_a_reprompt_whatever_came_before_it),
		cmocka_unit_test(actions_refused_when_nothing_listens),
		cmocka_unit_test(the_call_clock_limit),
		cmocka_unit_test(a_call_ending_by_itself_past_the_limit_fails),
		cmocka_unit_test(a_slow_webhook_counts_against_the_limit),
		cmocka_unit_test(the_callers_speech_counts_against_the_limit),
		cmocka_unit_test(speech_takes_the_calls_speaking_rate),
		cmocka_unit_test(keys_take_the_key_time),
		cmocka_unit_test(barge_in_cuts_at_the_word_heard),
		cmocka_unit_test(barge_in_without_a_hear_waits_for_the_first_play),
		cmocka_unit_test(barge_in_cuts_only_the_listens_own_prompts),
		cmocka_unit_test(no_barge_in_where_it_is_off),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
