/*
 * The customer on the phone. See caller.h.
 *
 * `hear` looks at the prompts heard since the last `hear` that matched and
 * since the caller last acted: the first prompt that satisfies it is
 * consumed with everything before it, so a rehearsal can skip prompts it
 * does not care about but never matches one said before the caller's last
 * key.
 */
#include "runner/caller.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "expectations/expect.h"

/* How many unmatched prompts a failing `hear` quotes. */
#define HEARD_SHOWN 6
/* How much of the last prompt a failure message quotes. */
#define LAST_HEARD_QUOTED 200
_Static_assert(TW_CALL_MENU_SIZE == TW_MENU_SIZE, "a call's menu fits the result's");

/* A scene's transcript: hours of call at most. */
#define TRANSCRIPT_MAX ((size_t)1 << 22)
/* Its last line once it reached TRANSCRIPT_MAX: nothing follows it. */
#define TRANSCRIPT_CUT "(transcript cut at 4 MiB)\n"

/* ---- the transcript ---- */

static void render_event(tw_buf *b, const tw_call_event *e)
{
	tw_buf_printf(b, "%7.1fs  ", e->at_s);
	const char *t = e->text ? e->text : "";
	switch (e->kind) {
	case TW_EV_SAY:
		tw_buf_printf(b, "IVR says \"%s\"", t);
		break;
	case TW_EV_PLAY:
		tw_buf_printf(b, "IVR plays %s", t);
		break;
	case TW_EV_PAUSE:
		tw_buf_printf(b, "IVR is silent for %.1fs", e->duration_s);
		break;
	case TW_EV_PRESS:
		tw_buf_printf(b, "caller presses %s", t);
		break;
	case TW_EV_SPEAK:
		tw_buf_printf(b, "caller says \"%s\"", t);
		break;
	case TW_EV_SILENCE:
		tw_buf_puts(b, "caller stays silent");
		break;
	case TW_EV_HANGUP:
		tw_buf_printf(b, "%s hangs up", strcmp(t, "caller") == 0 ? "caller" : "IVR");
		break;
	case TW_EV_TRANSFER:
		tw_buf_printf(b, "IVR transfers the call to %s", t);
		break;
	case TW_EV_RECORD:
		tw_buf_puts(b, "IVR records the caller");
		if (e->text)
			tw_buf_printf(b, ": \"%s\"", t);
		break;
	case TW_EV_REJECT:
		tw_buf_printf(b, "IVR rejects the call (%s)", t);
		break;
	case TW_EV_NOTE:
		tw_buf_printf(b, "note: %s", t);
		break;
	}
	if (e->asks_again)
		tw_buf_puts(b, "  (asked again)");
	else if (e->repeat)
		tw_buf_puts(b, "  (heard before)");
	tw_buf_puts(b, "\n");
}

/* Appends the events not yet written to the scene's transcript. */
static void transcribe(tw_customer *c)
{
	if (!c->call)
		return;
	size_t n = tw_call_event_count(c->call);
	if (c->transcribed >= n)
		return;
	tw_scene_result *sc = &c->result->scenes[c->scene];
	size_t old = sc->transcript ? strlen(sc->transcript) : 0;
	size_t cut_len = sizeof(TRANSCRIPT_CUT) - 1;
	if (old >= cut_len && strcmp(sc->transcript + old - cut_len, TRANSCRIPT_CUT) == 0) {
		c->transcribed = n; /* cut already: the rest is left out */
		return;
	}
	/* Only the new lines are rendered and redacted: what is already in
	 * the transcript was redacted when it was written. Whole lines up to
	 * the transcript's limit, then the cut line once. */
	tw_buf b;
	size_t room = TRANSCRIPT_MAX - cut_len;
	tw_buf_init(&b, old < room ? room - old : 0);
	bool cut = false;
	for (size_t i = c->transcribed; i < n && !cut; i++) {
		size_t before = b.len;
		render_event(&b, tw_call_event_at(c->call, i));
		if (tw_buf_failed(&b) == TW_ELIMIT) {
			/* The line that did not fit is left out whole. */
			if (b.data)
				b.data[before] = '\0';
			cut = true;
		}
	}
	/* Out of memory, the lines stay untranscribed: the next call tries
	 * again, rather than leaving a transcript with lines missing. */
	char *lines = tw_buf_failed(&b) && !cut ? NULL
						: tw_run_redact(c->run, b.data ? b.data : "");
	tw_buf_free(&b);
	if (!lines)
		return;
	/* A string grown by what each step adds (not an array: no
	 * tw_array_grow), once per step. */
	size_t len = strlen(lines), more = cut ? cut_len : 0;
	char *text = realloc(sc->transcript, old + len + more + 1);
	if (text) {
		memcpy(text + old, lines, len);
		memcpy(text + old + len, TRANSCRIPT_CUT, more);
		text[old + len + more] = '\0';
		sc->transcript = text;
		c->transcribed = n;
	}
	free(lines);
}

/* Adds an ended call's figures to the rehearsal's and frees it. */
static void close_call(tw_customer *c)
{
	if (!c->call)
		return;
	if (tw_call_state_of(c->call) != TW_CALL_ENDED) {
		tw_error e = {0};
		tw_call_hangup(c->call, &e);
		tw_error_clear(&e);
	}
	tw_call_figures f;
	tw_call_figures_of(c->call, &f);
	tw_call_totals *t = &c->result->phone;
	if (t->calls++ == 0) {
		t->first_prompt_s = -1;
		t->transfer_s = -1;
	}
	if (t->first_prompt_s < 0)
		t->first_prompt_s = f.first_prompt_s;
	if (t->transfer_s < 0)
		t->transfer_s = f.transfer_s;
	t->prompts += f.prompts;
	t->inputs += f.inputs;
	t->repeats += f.repeats;
	/* The performance's menu: the one most of its calls' re-prompt
	 * turns named (a performance makes a call or two). */
	if (f.menu_turns > 0 && strcmp(f.menu, t->menu) == 0) {
		t->menu_turns += f.menu_turns;
	} else if (f.menu_turns > t->menu_turns) {
		memcpy(t->menu, f.menu, sizeof(t->menu));
		t->menu_turns = f.menu_turns;
	}
	tw_call_free(c->call);
	c->call = NULL;
	c->transcribed = 0;
	c->heard = 0;
}

void tw_caller_finish(tw_customer *c)
{
	if (c->call && c->scene < c->script->scene_count) {
		transcribe(c);
	}
	close_call(c);
}

/* ---- steps ---- */

/* The call's stop request: the run's second stop (a second Ctrl-C, or a
 * first one not heeded within the step timeout) cuts a document being
 * followed short, as it cuts the transfers under way, and the performance
 * counts as interrupted, not performed. */
static bool run_cut(void *ctx)
{
	const tw_run *run = ctx;
	return run->stop > 1;
}

/* The call's failure, or err, as the step's failure, with the transcript
 * brought up to date so the report shows what led there. */
static void fail_call(tw_customer *c, tw_step_result *sr, const tw_error *err, double now_ms)
{
	const tw_error *why = tw_call_error(c->call);
	if (why->code == TW_OK)
		why = err;
	const char *last = tw_call_last_prompt(c->call);
	if (tw_call_was_stopped(c->call))
		c->interrupted = c->result->interrupted = true;
	/* The call adds the last prompt to its own failures; a refused
	 * caller action (the call goes on) gets it here. */
	if ((why->code == TW_EUSAGE || (why->code == TW_EUNSUPPORTED && why == err)) && last)
		tw_customer_fail(c, sr,
				 why->code == TW_EUNSUPPORTED ? TW_STATUS_LIMITED : TW_STATUS_FAILED,
				 now_ms, NULL, NULL, "%s (last heard: \"%s\")", why->message, last);
	else
		tw_customer_fail_error(c, sr, now_ms, why);
	transcribe(c);
}

/* Sends the call's pending request, or completes the step. */
static void fetch_or_pass(tw_customer *c, tw_step_result *sr, double now_ms)
{
	const tw_call_request *r = tw_call_pending(c->call);
	if (!r) {
		transcribe(c);
		tw_customer_finish_step(c, sr, TW_STATUS_PASSED, now_ms);
		return;
	}
	tw_http_request req = {0};
	int rc = tw_http_request_set(&req, r->method, r->url);
	if (rc == TW_OK)
		rc = tw_http_request_add_header(&req, "Accept",
						r->accept ? r->accept /* issue 14, AUDIO */
							  : "text/xml, application/xml, text/html");
	if (rc == TW_OK && r->body) {
		rc = tw_http_request_set_body(&req, r->body, strlen(r->body));
		if (rc == TW_OK)
			rc = tw_http_request_add_header(&req, "Content-Type",
							"application/x-www-form-urlencoded");
	}
	if (rc == TW_OK && r->signature)
		rc = tw_http_request_add_header(&req, "X-Twilio-Signature", r->signature);
	if (rc == TW_OK) {
		tw_customer_start_transfer(c, sr, &req, now_ms);
		c->webhook = c->state == TW_CUSTOMER_WAITING;
	} else {
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, NULL, NULL, "out of memory");
	}
	tw_http_request_free(&req);
}

void tw_caller_call(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms)
{
	const tw_call_spec *spec = &st->call;
	char *url = tw_customer_expand(c, sr, spec->url, now_ms);
	char *from = url ? tw_customer_expand(c, sr, spec->from ? spec->from : TW_CALL_DEFAULT_FROM, now_ms) : NULL;
	char *to = from ? tw_customer_expand(c, sr, spec->to ? spec->to : TW_CALL_DEFAULT_TO, now_ms) : NULL;
	char *token = to && spec->token ? tw_customer_expand(c, sr, spec->token, now_ms) : NULL;
	if (!to || (spec->token && !token))
		goto out;
	/* A new call: the caller hangs up the one before, if it is open. */
	close_call(c);
	c->step_clock_s = 0; /* the step lives the new call's clock */
	tw_call_options o = {
		.from = from,
		.to = to,
		.token = token,
		.method = spec->method,
		.seed = c->performance ^ (uint64_t)(uintptr_t)st,
		.redact = &c->run->redact,
		.stop = run_cut,
		.stop_ctx = c->run,
		.audio_cache = c->run->audio, /* issue 14, AUDIO */
	};
	tw_call_limits_init(&o.limits);
	o.limits.max_fetches = c->run->opts.call_max_fetches;
	o.limits.max_call_s = c->run->opts.call_max_seconds;
	o.limits.max_prompt_loops = c->run->opts.call_max_loops;
	if (!(c->call = tw_call_new(&o))) {
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, NULL, NULL, "out of memory");
		goto out;
	}
	tw_error e = {0};
	if (tw_call_start(c->call, url, &e) != TW_OK)
		fail_call(c, sr, &e, now_ms);
	else
		fetch_or_pass(c, sr, now_ms);
	tw_error_clear(&e);
out:
	free(url);
	free(from);
	free(to);
	free(token);
}

static void hear(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms)
{
	size_t n = tw_call_event_count(c->call);
	tw_expect_outcome out = {0};
	char *expected = NULL;
	/* `hear not "x"`: no prompt since the last hear says it. Nothing is
	 * consumed: what was not said cannot be heard past. */
	if (st->expect.negate) {
		for (size_t i = c->heard; i < n; i++) {
			const tw_call_event *ev = tw_call_event_at(c->call, i);
			if (!ev->is_prompt || !ev->text)
				continue;
			if (tw_expect_eval_given(&st->expect, ev->text, NULL, c->vars,
						 &c->run->redact, &out) != TW_OK)
				goto oom;
			if (!out.passed) {
				tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, out.expected,
						 out.actual, "%s",
						 out.message ? out.message : "heard it");
				tw_expect_outcome_free(&out);
				return;
			}
			tw_expect_outcome_free(&out);
		}
		tw_customer_finish_step(c, sr, TW_STATUS_PASSED, now_ms);
		return;
	}
	for (size_t i = c->heard; i < n; i++) {
		const tw_call_event *ev = tw_call_event_at(c->call, i);
		if (!ev->is_prompt || !ev->text)
			continue;
		if (tw_expect_eval_given(&st->expect, ev->text, NULL, c->vars, &c->run->redact,
					 &out) != TW_OK)
			goto oom;
		if (out.passed) {
			c->heard = i + 1;
			if (st->expect.capture && out.captured &&
			    tw_vars_set(c->vars, st->expect.capture, out.captured,
					out.captured_secret) != TW_OK)
				goto oom;
			tw_customer_finish_step(c, sr, TW_STATUS_PASSED, now_ms);
			tw_expect_outcome_free(&out);
			free(expected);
			return;
		}
		if (!expected) {
			expected = out.expected;
			out.expected = NULL;
		}
		tw_expect_outcome_free(&out);
	}
	/* Not heard: say what was said instead, beside what was expected. */
	tw_buf said;
	tw_buf_init(&said, TRANSCRIPT_MAX);
	size_t shown = 0, prompts = 0;
	for (size_t i = c->heard; i < n; i++) {
		const tw_call_event *ev = tw_call_event_at(c->call, i);
		if (!ev->is_prompt || !ev->text)
			continue;
		if (shown < HEARD_SHOWN) {
			tw_buf_printf(&said, "%s\"%s\"", shown ? "\n" : "", ev->text);
			shown++;
		}
		prompts++;
	}
	if (prompts > shown)
		tw_buf_printf(&said, "\n(and %zu more)", prompts - shown);
	if (tw_buf_failed(&said)) {
		tw_buf_free(&said);
		goto oom;
	}
	if (!expected && tw_expect_eval_given(&st->expect, "", NULL, c->vars, &c->run->redact,
					      &out) == TW_OK) {
		expected = out.expected;
		out.expected = NULL;
		tw_expect_outcome_free(&out);
	}
	/* `hear "x"` reads as contains: the message says it the same way. */
	const char *what = expected ? expected : "the prompt";
	if (strncmp(what, "contains ", 9) == 0)
		what += 9;
	if (prompts == 0)
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, expected, NULL,
				 "did not hear %s: the IVR said nothing more (%s)", what,
				 tw_call_state_of(c->call) == TW_CALL_ENDED ? "the call has ended"
									    : "it is waiting for the caller");
	else
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, expected, tw_buf_str(&said),
				 "did not hear %s", what);
	tw_buf_free(&said);
	free(expected);
	return;
oom:
	tw_expect_outcome_free(&out);
	free(expected);
	tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, NULL, NULL, "out of memory");
}

static void expect_call(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms)
{
	const char *value = NULL, *absent = NULL;
	switch (st->expect.subject) {
	case TW_SUBJ_TRANSFER:
		value = tw_call_transfer(c->call);
		absent = "the call was not transferred to anyone";
		break;
	case TW_SUBJ_RECORDING:
		value = tw_call_recording(c->call);
		absent = "nothing was recorded";
		break;
	case TW_SUBJ_REJECTED:
		value = tw_call_rejected(c->call);
		absent = "the call was not rejected";
		break;
	default:
		value = tw_call_hung_up(c->call);
		absent = tw_call_state_of(c->call) == TW_CALL_ENDED ? "the IVR did not hang up"
								     : "the call is still going on";
		break;
	}
	tw_expect_outcome out = {0};
	if (tw_expect_eval_given(&st->expect, value, absent, c->vars, &c->run->redact, &out) !=
	    TW_OK) {
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, NULL, NULL, "out of memory");
		return;
	}
	if (!out.passed)
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, out.expected, out.actual, "%s",
				 out.message ? out.message : "expectation failed");
	else if (st->expect.capture && out.captured &&
		 tw_vars_set(c->vars, st->expect.capture, out.captured,
					out.captured_secret) != TW_OK)
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, NULL, NULL, "out of memory");
	else
		tw_customer_finish_step(c, sr, TW_STATUS_PASSED, now_ms);
	tw_expect_outcome_free(&out);
}

/* What press, say and silence do to the call, with the step's value
 * expanded (NULL when it has none). */
typedef int call_action(tw_call *call, const tw_step *st, const char *value, tw_error *e);

/* press, say, silence: the caller acts; prompts said before no longer
 * count for `hear`. */
static void act(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms,
		call_action *action)
{
	char *value = NULL;
	if (st->value && !(value = tw_customer_expand(c, sr, st->value, now_ms)))
		return;
	c->heard = tw_call_event_count(c->call);
	tw_error e = {0};
	if (action(c->call, st, value, &e) != TW_OK)
		fail_call(c, sr, &e, now_ms);
	else
		fetch_or_pass(c, sr, now_ms);
	tw_error_clear(&e);
	free(value);
}

/* The steps after `call` act on the call under way. */
static bool on_call(tw_customer *c, tw_step_result *sr, double now_ms)
{
	if (c->call)
		return true;
	tw_customer_fail(c, sr, TW_STATUS_BROKEN, now_ms, NULL, NULL,
			 "no call has been placed: start the scene with 'call URL'");
	return false;
}

void tw_caller_hear(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms)
{
	if (on_call(c, sr, now_ms))
		hear(c, sr, st, now_ms);
}

static int press(tw_call *call, const tw_step *st, const char *value, tw_error *e)
{
	(void)st;
	return tw_call_press(call, value, e);
}

static int say(tw_call *call, const tw_step *st, const char *value, tw_error *e)
{
	return tw_call_say(call, value ? value : "", st->confidence, e);
}

static int silence(tw_call *call, const tw_step *st, const char *value, tw_error *e)
{
	(void)st;
	(void)value;
	return tw_call_silence(call, e);
}

void tw_caller_press(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms)
{
	if (on_call(c, sr, now_ms))
		act(c, sr, st, now_ms, press);
}

void tw_caller_say(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms)
{
	if (on_call(c, sr, now_ms))
		act(c, sr, st, now_ms, say);
}

void tw_caller_silence(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms)
{
	if (on_call(c, sr, now_ms))
		act(c, sr, st, now_ms, silence);
}

void tw_caller_hangup(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms)
{
	(void)st;
	if (!on_call(c, sr, now_ms))
		return;
	tw_error e = {0};
	if (tw_call_hangup(c->call, &e) != TW_OK)
		fail_call(c, sr, &e, now_ms);
	else
		fetch_or_pass(c, sr, now_ms); /* a Dial's action is told */
	tw_error_clear(&e);
}

void tw_caller_expect(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms)
{
	if (on_call(c, sr, now_ms))
		expect_call(c, sr, st, now_ms);
}

void tw_caller_webhook_done(tw_customer *c, tw_step_result *sr, double now_ms)
{
	c->webhook = false;
	const tw_response *r = &c->resp;
	tw_error e = {0};
	/* issue 14, AUDIO: a resource's error status is not the call's */
	bool resource = tw_call_fetching_resource(c->call);
	if (tw_call_document(c->call, r->url, r->status, r->content_type, r->body.data,
			     r->body.len, r->timings.total_ms, &e) == TW_OK) {
		fetch_or_pass(c, sr, now_ms);
	} else if (!resource && r->status >= 400 && e.code == TW_ESERVICE) {
		/* The call ends on an error answer (it has no document to
		 * go on with); whether that fails the step that fetched it is
		 * the rule of every request step. */
		const char *last = tw_call_last_prompt(c->call);
		transcribe(c);
		if (!tw_customer_status_unexpected(c)) {
			tw_customer_finish_step(c, sr, TW_STATUS_PASSED, now_ms);
		} else if (last) {
			char q[LAST_HEARD_QUOTED], after[LAST_HEARD_QUOTED + 20];
			snprintf(after, sizeof(after), " (last heard: \"%s\")",
				 tw_call_quote(c->call, last, q, sizeof(q)));
			tw_customer_fail_status(c, sr, now_ms, after);
		} else {
			tw_customer_fail_status(c, sr, now_ms, " (nothing heard yet)");
		}
	} else {
		fail_call(c, sr, &e, now_ms);
	}
	tw_error_clear(&e);
}

/* issue 14, AUDIO */
bool tw_caller_resource_failed(tw_customer *c, tw_step_result *sr, const char *why,
			       double now_ms)
{
	if (!c->call || !tw_call_fetching_resource(c->call))
		return false;
	c->webhook = false;
	tw_error e = {0};
	if (tw_call_resource_failed(c->call, why, c->resp.timings.total_ms, &e) == TW_OK)
		fetch_or_pass(c, sr, now_ms);
	else
		fail_call(c, sr, &e, now_ms);
	tw_error_clear(&e);
	return true;
}
