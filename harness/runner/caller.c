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

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "expectations/compiled.h"
#include "expectations/expect.h"
#include "expectations/fuzzy.h"
#include "expectations/regex.h"

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

/* A prompt the caller cut short: its first `words` words, then "…". */
static void say_heard(tw_buf *b, const char *t, int words)
{
	const char *p = t;
	for (int w = 0; *p && w < words; w++) {
		while (*p && isspace((unsigned char)*p))
			p++;
		while (*p && !isspace((unsigned char)*p))
			p++;
	}
	tw_buf_printf(b, "IVR says \"%.*s…\"", (int)(p - t), t);
}

/* barge: what a barged-in key or phrase says it cut (NULL: "(barging
 * in)"), from barge_words. */
static void render_event(tw_buf *b, const tw_call_event *e, const char *barge)
{
	tw_buf_printf(b, "%7.1fs  ", e->at_s);
	const char *t = e->text ? e->text : "";
	switch (e->kind) {
	case TW_EV_SAY:
		if (e->cut) /* issue 14: only the words the caller heard */
			say_heard(b, t, e->heard_words);
		else
			tw_buf_printf(b, "IVR says \"%s\"", t);
		break;
	case TW_EV_PLAY:
		tw_buf_printf(b, "IVR plays %s", t);
		if (e->audio) /* issue 14, AUDIO: a file, for its length */
			tw_buf_printf(b, e->estimated ? " (%.1f s, estimated)" : " (%.1f s)",
				      e->duration_s);
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
	if (e->cut) /* issue 14, CLOCK */
		tw_buf_puts(b, "  (cut off by the caller)");
	else if (e->barged_in)
		tw_buf_printf(b, "  (%s)", barge ? barge : "barging in");
	else if (e->asks_again)
		tw_buf_puts(b, "  (asked again)");
	else if (e->repeat)
		tw_buf_puts(b, "  (heard before)");
	tw_buf_puts(b, "\n");
}

/* issue 14, CLOCK: what a barge-in cut before it began (a loop play, a
 * pause, audio: heard whole or not at all) was never played: the
 * transcript leaves it out, as the figures do. */
static bool never_played(const tw_call_event *e)
{
	return e->unplayed || (e->cut && e->duration_s <= 0);
}

/* issue 14, F4 (trial F8): the words a key or phrase that barged in (event
 * i) says, when what it cut is left out of the transcript (a loop play cut
 * at its start): "barging in: the next play of "Stage Pizza. For orders,…"
 * was not played", so that the reader sees what was barged into. NULL
 * when a cut prompt is shown ("(cut off by the caller)" says it). The
 * turn's events are those after the caller's last input. */
static char *barge_words(const tw_call *call, size_t i, char *out, size_t size)
{
	const tw_call_event *left = NULL;
	size_t j = i;
	while (j-- > 0) {
		const tw_call_event *e = tw_call_event_at(call, j);
		if (e->kind == TW_EV_PRESS || e->kind == TW_EV_SPEAK || e->kind == TW_EV_SILENCE)
			break;
		if (!e->is_prompt || !e->cut)
			continue;
		if (!never_played(e))
			return NULL;
		left = e; /* the earliest cut at its start */
	}
	if (!left || !left->text)
		return NULL;
	bool again = false; /* a loop's next play: the same words played whole */
	for (size_t k = j + 1; k < i && !again; k++) {
		const tw_call_event *e = tw_call_event_at(call, k);
		again = e != left && e->is_prompt && !never_played(e) && e->text &&
			e->kind == left->kind && strcmp(e->text, left->text) == 0;
	}
	/* its first words, as say_heard cuts */
	const char *t = left->text, *p = t;
	for (int w = 0; *p && w < 4; w++) {
		while (*p && isspace((unsigned char)*p))
			p++;
		while (*p && !isspace((unsigned char)*p))
			p++;
	}
	int n = (int)(p - t) > 60 ? 60 : (int)(p - t);
	snprintf(out, size, "barging in: %s\"%.*s%s\" was not played", again ? "the next play of " : "",
		 n, t, *p ? "\xE2\x80\xA6" : "");
	return out;
}

/* Appends the events not yet written to the scene's transcript: all of
 * them with all, else those the caller's next action cannot cut
 * (tw_call_settled). */
static void transcribe_upto(tw_customer *c, bool all)
{
	if (!c->call)
		return;
	size_t n = all ? tw_call_event_count(c->call) : tw_call_settled(c->call);
	if (c->transcribed >= n)
		return;
	/* issue 14, CLOCK: after the last step, the scene the call was
	 * placed in */
	size_t scene = c->scene < c->script->scene_count ? c->scene : c->calls_scene - 1;
	if (scene >= c->script->scene_count)
		return;
	tw_scene_result *sc = &c->result->scenes[scene];
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
		if (never_played(tw_call_event_at(c->call, i)))
			continue;
		char barge[160];
		const tw_call_event *e = tw_call_event_at(c->call, i);
		render_event(&b, e, e->barged_in ? barge_words(c->call, i, barge, sizeof(barge)) : NULL);
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

static void transcribe(tw_customer *c)
{
	transcribe_upto(c, false);
}

/* issue 14, CLOCK: the line between two calls of a scene's transcript,
 * "call 2 (URL)": each call has its own clock from 0.0 s. */
static void transcript_separator(tw_customer *c, const char *url)
{
	if (c->calls_scene != c->scene + 1) {
		c->calls_scene = c->scene + 1;
		c->scene_calls = 0;
	}
	if (++c->scene_calls < 2)
		return;
	tw_scene_result *sc = &c->result->scenes[c->scene];
	size_t old = sc->transcript ? strlen(sc->transcript) : 0;
	size_t cut_len = sizeof(TRANSCRIPT_CUT) - 1;
	if (old >= cut_len && strcmp(sc->transcript + old - cut_len, TRANSCRIPT_CUT) == 0)
		return;
	tw_buf b;
	tw_buf_init(&b, TRANSCRIPT_MAX);
	tw_buf_printf(&b, "call %u (%s)\n", c->scene_calls, url);
	char *line = tw_buf_failed(&b) ? NULL : tw_run_redact(c->run, tw_buf_str(&b));
	tw_buf_free(&b);
	if (!line)
		return;
	size_t len = strlen(line);
	char *text = old + len < TRANSCRIPT_MAX ? realloc(sc->transcript, old + len + 1) : NULL;
	if (text) {
		memcpy(text + old, line, len + 1);
		sc->transcript = text;
	}
	free(line);
}

/* Adds an ended call's figures to the rehearsal's and frees it. */
/* issue 14, AUDIO: resources a document needs are fetched into resp like
 * any request; the webhook's response is kept aside meanwhile, so that the
 * step's status and timings (its latency in the figures), and the
 * expectations after it, are the webhook's, not a sound file's. */
static void stash_webhook_response(tw_customer *c, bool resource)
{
	if (resource && !c->webhook_stashed) {
		c->webhook_resp = c->resp;
		tw_response_init(&c->resp, c->run->opts.max_body);
		c->resp.easy = c->webhook_resp.easy;
		c->webhook_stashed = true;
	} else if (!resource && c->webhook_stashed) {
		/* a new webhook: its answer is the step's */
		tw_response_free(&c->webhook_resp);
		c->webhook_stashed = false;
	}
}

static void restore_webhook_response(tw_customer *c, tw_step_result *sr)
{
	if (!c->webhook_stashed)
		return;
	tw_response_free(&c->resp);
	c->resp = c->webhook_resp;
	memset(&c->webhook_resp, 0, sizeof(c->webhook_resp));
	c->webhook_stashed = false;
	c->have_response = true;
	if (sr) {
		sr->http_status = c->resp.status;
		sr->timings = c->resp.timings;
	}
}

static void close_call(tw_customer *c)
{
	restore_webhook_response(c, NULL); /* issue 14, AUDIO */
	if (!c->call)
		return;
	/* issue 14, CLOCK: a listen's prompts no action cut are heard whole */
	transcribe_upto(c, true);
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
	c->heard_byte = 0; /* issue 14, MATCH */
	c->hearing = NULL;
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
 * counts as interrupted, not performed. issue 14, F6: so does an open
 * model past its duration plus the step timeout (run->cut), and the
 * request reaches a script in the sandbox (script.h stop). */
static bool run_cut(void *ctx)
{
	tw_run *run = ctx;
	return run->stop > 1 || atomic_load(&run->cut);
}

/* The call's failure, or err, as the step's failure, with the transcript
 * brought up to date so the report shows what led there. */
static void fail_call(tw_customer *c, tw_step_result *sr, const tw_error *err, double now_ms)
{
	restore_webhook_response(c, sr); /* issue 14, AUDIO */
	const tw_error *why = tw_call_error(c->call);
	c->hearing = NULL; /* issue 14, MATCH */
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

static void hear(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms);
static void expect_call(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms);

/* Sends the call's pending request, or completes the step. */
static void fetch_or_pass(tw_customer *c, tw_step_result *sr, double now_ms)
{
	const tw_call_request *r = tw_call_pending(c->call);
	if (!r && c->hearing) { /* issue 14, MATCH: a handler was answered */
		const tw_step *st = c->hearing;
		c->hearing = NULL;
		if (st->kind == TW_STEP_HEAR)
			hear(c, sr, st, now_ms);
		else
			expect_call(c, sr, st, now_ms);
		return;
	}
	if (!r) {
		restore_webhook_response(c, sr); /* issue 14, AUDIO */
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
		stash_webhook_response(c, r->accept != NULL); /* issue 14, AUDIO */
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
	transcript_separator(c, url); /* issue 14, CLOCK */
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
		.speaking_rate = c->run->opts.speaking_rate, /* issue 14, CLOCK */
		.key_time_s = c->run->opts.key_time_s,
		.audio_cache = c->run->audio, /* issue 14, AUDIO */
		.script_time_s = c->run->opts.script_time_s, /* issue 14, F2 */
	};
	tw_call_limits_init(&o.limits);
	o.limits.max_fetches = c->run->opts.call_max_fetches;
	o.limits.max_call_s = c->run->opts.call_max_seconds;
	o.limits.prefetch_s = c->run->opts.timeout_ms / 1000.0; /* issue 14, F3 */
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

/* ---- issue 14, MATCH: hear's cursor, fuzzy, maybe, standing handlers ---- */

/* What press, say and silence do to the call, with the step's value
 * expanded (NULL when it has none). */
typedef int call_action(tw_call *call, const tw_step *st, const char *value, tw_error *e);

/* How often `when hear` handlers may act within one step. */
#define HANDLER_ACTIONS_MAX 10
/* A regex's groups a handler's action can use: $1..$9, and the match. */
#define GROUPS 10


/* Where looking starts in event i: the cursor's byte in its own event. */
static size_t from_byte(const tw_customer *c, size_t i)
{
	return i == c->heard ? c->heard_byte : 0;
}

/* A prompt event's text; NULL for what is not a prompt. */
static const char *prompt_text(const tw_call *call, size_t i)
{
	const tw_call_event *ev = tw_call_event_at(call, i);
	return ev->is_prompt && ev->text ? ev->text : NULL;
}

/* What one look at a prompt found. */
typedef struct look {
	bool found;
	size_t start, end;      /* what matched, in the prompt's bytes */
	size_t ovec[2 * GROUPS]; /* a regex's groups (SIZE_MAX: none) */
	double similarity;      /* fuzzy: the best stretch's */
	tw_expect_outcome out;  /* the verdict on the rest (not fuzzy) */
	/* issue 14, F4: fuzzy */
	size_t word_start, word_end; /* start..end in whole words, to quote */
	bool truncated;              /* only the prompt's first part was read */
} look;

/* The shortest start of rest (n bytes) the expectation holds on: where
 * contains or a regex written with templates ends its first match. */
static int shortest(tw_customer *c, const tw_expect *ex, const char *rest, size_t n,
		    size_t *end)
{
	char *buf = malloc(n + 1);
	if (!buf)
		return TW_ENOMEM;
	memcpy(buf, rest, n + 1);
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		buf[mid] = '\0';
		tw_expect_outcome o = {0};
		int rc = tw_expect_eval_given(ex, buf, NULL, c->vars, NULL, &o);
		buf[mid] = rest[mid];
		bool yes = o.passed;
		tw_expect_outcome_free(&o);
		if (rc != TW_OK) {
			free(buf);
			return rc;
		}
		if (yes)
			hi = mid;
		else
			lo = mid + 1;
	}
	free(buf);
	*end = hi;
	return TW_OK;
}

/* Looks for ex in text from byte from on; want is its words expanded
 * (fuzzy). TW_OK, TW_ENOMEM, or TW_ELIMIT for fuzzy words too long. */
static int look_at(tw_customer *c, const tw_expect *ex, const char *want, const char *text,
		   size_t from, look *lk)
{
	memset(lk, 0, sizeof(*lk));
	for (size_t i = 0; i < 2 * GROUPS; i++)
		lk->ovec[i] = SIZE_MAX;
	size_t len = strlen(text);
	if (from > len)
		from = len;
	const char *rest = text + from;
	size_t n = len - from;
	lk->start = lk->end = from;
	if (ex->fuzzy > 0) {
		/* issue 14, F4: the step's work is bounded, whatever the
		 * handlers and prompts (an upper bound: bytes, not characters) */
		uint64_t cells = (uint64_t)(n < TW_FUZZY_MAX_PROMPT ? n : TW_FUZZY_MAX_PROMPT) *
				 (want ? strlen(want) : 0);
		if (c->fuzzy_cells + cells > TW_FUZZY_STEP_CELLS)
			return TW_EUNSUPPORTED;
		c->fuzzy_cells += cells;
		tw_fuzzy_match m;
		int rc = tw_fuzzy_find(want ? want : "", rest, n, &m);
		if (rc)
			return rc;
		lk->similarity = m.similarity;
		lk->start = from + m.start;
		lk->end = from + m.end;
		lk->word_start = from + m.word_start;
		lk->word_end = from + m.word_end;
		lk->truncated = m.truncated;
		/* `hear not ... fuzzy`: found is "said", as for the rest */
		lk->found = m.similarity + 1e-9 >= ex->fuzzy;
		return TW_OK;
	}
	if (tw_expect_eval_given(ex, rest, NULL, c->vars, &c->run->redact, &lk->out) != TW_OK)
		return TW_ENOMEM;
	lk->found = lk->out.passed;
	if (!lk->found || ex->negate)
		return TW_OK;
	const tw_regex *re = ex->code ? ex->code->regex : NULL;
	if (ex->op == TW_OP_MATCHES && re) {
		bool m = false;
		tw_error e = {0};
		int rc = tw_regex_find(re, rest, n, 0, &m, lk->ovec, GROUPS, &e);
		tw_error_clear(&e);
		if (rc == TW_ENOMEM)
			return rc;
		if (m)
			for (size_t i = 0; i < 2 * GROUPS; i++)
				if (lk->ovec[i] != SIZE_MAX)
					lk->ovec[i] += from;
		lk->start = m ? lk->ovec[0] : from;
		lk->end = m ? lk->ovec[1] : len;
		return TW_OK;
	}
	if (ex->op == TW_OP_CONTAINS || ex->op == TW_OP_MATCHES) {
		size_t end = n;
		int rc = shortest(c, ex, rest, n, &end);
		if (rc)
			return rc;
		lk->end = from + end;
		return TW_OK;
	}
	lk->end = len; /* ==, starts with, ends with: the rest of the prompt */
	return TW_OK;
}

/* The cursor after a match ending at byte end of event i. */
static void move_cursor(tw_customer *c, size_t i, size_t end)
{
	const char *t = prompt_text(c->call, i);
	if (!t || end >= strlen(t)) {
		c->heard = i + 1;
		c->heard_byte = 0;
	} else {
		c->heard = i;
		c->heard_byte = end;
	}
}

/* The step's handlers: the `when hear` lines of its scene above it. */
static const tw_step *handler_at(const tw_customer *c, const tw_step *st, size_t *k)
{
	const tw_scene *sc = &c->script->scenes[c->scene];
	for (; *k < sc->step_count && &sc->steps[*k] != st; (*k)++)
		if (sc->steps[*k].kind == TW_STEP_WHEN)
			return &sc->steps[(*k)++];
	return NULL;
}

/* value with $1..$9 replaced by the groups of text (empty when a group
 * took no part) and $$ by $. malloc'd. */
static char *with_groups(const char *value, const char *text, const size_t *ovec)
{
	tw_buf b;
	tw_buf_init(&b, 1 << 16);
	tw_buf_puts(&b, "");
	for (const char *s = value; *s; s++) {
		if (s[0] == '$' && s[1] >= '1' && s[1] <= '9') {
			size_t g = (size_t)(s[1] - '0');
			if (ovec[2 * g] != SIZE_MAX)
				tw_buf_printf(&b, "%.*s", (int)(ovec[2 * g + 1] - ovec[2 * g]),
					      text + ovec[2 * g]);
			s++;
		} else if (s[0] == '$' && s[1] == '$') {
			tw_buf_puts(&b, "$");
			s++;
		} else {
			tw_buf_printf(&b, "%c", *s);
		}
	}
	char *out = tw_buf_failed(&b) ? NULL : strdup(tw_buf_str(&b));
	tw_buf_free(&b);
	return out;
}

static int press(tw_call *call, const tw_step *st, const char *value, tw_error *e);
static int say(tw_call *call, const tw_step *st, const char *value, tw_error *e);
static int silence(tw_call *call, const tw_step *st, const char *value, tw_error *e);

static call_action silence;
static void fuzzy_refused(tw_customer *c, tw_step_result *sr, int rc, double now_ms);

/* ---- issue 14, F1: call operations off the loop ----
 *
 * An operation that may run the VoiceXML interpreter (and so wait for the
 * call's ECMAScript sandbox: a fork, round trips, up to the call's script
 * time) runs on a thread of its own (runner/offload.h) while the customer
 * is SCRIPTING, so the worker's other customers are not kept waiting and
 * do not measure someone else's script. The thread touches only the call
 * (what it borrows may be read off the loop: channels/ivr/call.h, "Off
 * the loop") and the op; what follows the operation (continue_op) runs on
 * the loop's thread once the loop has joined it. TwiML runs inline: its
 * interpreter never waits. */

typedef enum op_kind {
	OP_DOCUMENT,
	OP_RESOURCE_FAILED,
	OP_RESOURCE_PARTIAL, /* issue 14, F3: a file past --max-body */
	OP_ACTION,
	OP_HANGUP,
} op_kind;

typedef struct call_op {
	op_kind kind;
	tw_call *call;
	/* OP_DOCUMENT, OP_RESOURCE_PARTIAL: the answer, borrowed from c->resp
	 * (the loop leaves a SCRIPTING customer's response alone) */
	const char *url, *content_type, *body;
	size_t len;
	long status;
	double total_ms;    /* OP_DOCUMENT, OP_RESOURCE_FAILED, _PARTIAL */
	double size;        /* OP_RESOURCE_PARTIAL: its Content-Length; 0: none */
	bool resource;      /* OP_DOCUMENT: it was a resource's fetch */
	char *text;         /* owned: OP_RESOURCE_FAILED's why, OP_ACTION's value */
	const tw_step *st;  /* OP_ACTION */
	call_action *action;
	int rc;             /* the operation's answer */
	tw_error e;
} call_op;

static void run_op(void *arg)
{
	call_op *op = arg;
	switch (op->kind) {
	case OP_DOCUMENT:
		op->rc = tw_call_document(op->call, op->url, op->status, op->content_type, op->body,
					  op->len, op->total_ms, &op->e);
		break;
	case OP_RESOURCE_FAILED:
		op->rc = tw_call_resource_failed(op->call, op->text, op->total_ms, &op->e);
		break;
	case OP_RESOURCE_PARTIAL:
		op->rc = tw_call_resource_partial(op->call, op->status, op->content_type, op->body,
						  op->len, op->size, op->total_ms, &op->e);
		break;
	case OP_ACTION:
		op->rc = op->action(op->call, op->st, op->text, &op->e);
		break;
	case OP_HANGUP:
		op->rc = tw_call_hangup(op->call, &op->e);
		break;
	}
}

/* What follows an operation, on the loop's thread; op's own memory is
 * the caller's. */
static void continue_op(tw_customer *c, tw_step_result *sr, call_op *op, double now_ms)
{
	if (op->rc == TW_OK) {
		fetch_or_pass(c, sr, now_ms);
	} else if (op->kind == OP_DOCUMENT && !op->resource && op->status >= 400 &&
		   op->e.code == TW_ESERVICE) {
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
		fail_call(c, sr, &op->e, now_ms);
	}
	tw_error_clear(&op->e);
	free(op->text);
	op->text = NULL;
}

/* True when op may run the VoiceXML interpreter: the call speaks it
 * already, or the document that comes is one (its root, looked for
 * cheaply: a TwiML document naming <vxml> only costs a thread). */
static bool may_script(const call_op *op)
{
	if (tw_call_speaks_vxml(op->call))
		return true;
	if (op->kind != OP_DOCUMENT || !op->body)
		return false;
	/* the root, as the call will read it */
	size_t n;
	bool declared;
	const char *root = tw_body_first_element(op->body, op->len, &n, &declared);
	return root && n == 4 && memcmp(root, "vxml", 4) == 0;
}

/* Performs op: off the loop when it may script and the customer has a
 * loop to wake (the customer is then SCRIPTING and op is taken over),
 * else here and now. */
static void perform_op(tw_customer *c, tw_step_result *sr, call_op *op, double now_ms)
{
	if (c->wake && !c->call_op && may_script(op)) {
		call_op *off = malloc(sizeof(*off));
		if (off) {
			*off = *op;
			if (tw_offload_start(&c->offload, run_op, off, c->wake) == TW_OK) {
				c->call_op = off;
				c->state = TW_CUSTOMER_SCRIPTING;
				return;
			}
			free(off); /* no thread: inline, as before */
		}
	}
	run_op(op);
	continue_op(c, sr, op, now_ms);
}

void tw_caller_offload_done(tw_customer *c, tw_step_result *sr, double now_ms)
{
	tw_offload_join(&c->offload);
	call_op *op = c->call_op;
	c->call_op = NULL;
	if (!op)
		return;
	continue_op(c, sr, op, now_ms);
	free(op);
}

void tw_caller_offload_free(tw_customer *c)
{
	tw_offload_cancel(&c->offload); /* issue 14, F5: a queued op is dropped */
	call_op *op = c->call_op;
	c->call_op = NULL;
	if (!op)
		return;
	tw_error_clear(&op->e);
	free(op->text);
	free(op);
}

/* issue 14, CLOCK: the caller barges in. The steps before this one
 * counted the ask's prompts whole as they played; what was cut comes off
 * them, the latest first, so the scene's time to outcome is the clock's. */
static void barge_in(tw_customer *c)
{
	double before = tw_call_clock(c->call);
	tw_call_barge_in(c->call, c->heard, c->heard_byte);
	double cut_ms = (before - tw_call_clock(c->call)) * 1000;
	if (cut_ms <= 0)
		return;
	c->step_clock_s = tw_call_clock(c->call);
	tw_scene_result *sc = &c->result->scenes[c->scene];
	for (size_t j = c->step; j-- > 0 && cut_ms > 0;) {
		tw_step_result *sr = &sc->steps[j];
		double take = sr->customer_ms < cut_ms ? sr->customer_ms : cut_ms;
		if (!sr->step || !sr->step->ast || !tw_step_is_phone(sr->step->ast))
			continue;
		sr->customer_ms -= take;
		cut_ms -= take;
	}
}

/* issue 14, MATCH: the caller acts with value (expanded): a step's press,
 * say or silence, or a handler's (answer). The caller has heard up to the
 * cursor; after the action, what was said before no longer counts. */
static void act_with(tw_customer *c, tw_step_result *sr, const tw_step *st, const char *value,
		     double now_ms, call_action *action)
{
	/* issue 14, CLOCK: a caller who acts having heard enough cuts the
	 * ask short; one who waits for the timeout hears it all */
	if (action != silence)
		barge_in(c);
	c->heard = tw_call_event_count(c->call);
	c->heard_byte = 0;
	/* issue 14, F1: maybe off the loop */
	call_op op = {.kind = OP_ACTION, .call = c->call, .st = st, .action = action};
	if (value && !(op.text = strdup(value))) {
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, NULL, NULL, "out of memory");
		return;
	}
	perform_op(c, sr, &op, now_ms);
}

/* A handler of the step answers what the IVR said from the cursor on,
 * while it listens. True when one acted (the step goes on in
 * fetch_or_pass, or failed); false when none matched. */
static bool answer(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms)
{
	if (tw_call_state_of(c->call) != TW_CALL_LISTENING ||
	    c->handler_actions >= HANDLER_ACTIONS_MAX)
		return false;
	size_t n = tw_call_event_count(c->call), k = 0;
	for (const tw_step *h; (h = handler_at(c, st, &k));) {
		char *want = h->expect.fuzzy > 0
				     ? tw_customer_expand(c, sr, h->expect.value.text, now_ms)
				     : NULL;
		if (h->expect.fuzzy > 0 && !want)
			return true; /* failed: the template */
		for (size_t i = c->heard; i < n; i++) {
			const char *t = prompt_text(c->call, i);
			if (!t)
				continue;
			look lk;
			int rc = look_at(c, &h->expect, want, t, from_byte(c, i), &lk);
			tw_expect_outcome_free(&lk.out);
			if (rc == TW_EUNSUPPORTED) { /* issue 14, F4: the step's work */
				free(want);
				fuzzy_refused(c, sr, rc, now_ms);
				return true;
			}
			if (rc != TW_OK || !lk.found)
				continue;
			free(want);
			char *tpl = tw_customer_expand(c, sr, h->value, now_ms);
			if (h->value && !tpl)
				return true;
			char *value = tpl ? with_groups(tpl, t, lk.ovec) : NULL;
			free(tpl);
			if (tpl && !value) {
				tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, NULL, NULL,
						 "out of memory");
				return true;
			}
			char did[160];
			if (h->when_action == TW_STEP_PRESS)
				snprintf(did, sizeof(did), "press %s", value);
			else if (h->when_action == TW_STEP_SAY)
				snprintf(did, sizeof(did), "say \"%s\"", value);
			else
				snprintf(did, sizeof(did), "silence");
			char q[LAST_HEARD_QUOTED];
			tw_buf note;
			tw_buf_init(&note, 1 << 16);
			tw_buf_printf(&note, "%s%sanswered \"%s\" with %s (when hear, line %d)",
				      c->handler_note ? c->handler_note : "",
				      c->handler_note ? "; " : "",
				      tw_call_quote(c->call, t, q, sizeof(q)), did, h->loc.line);
			free(c->handler_note);
			c->handler_note = tw_buf_failed(&note) ? NULL : strdup(tw_buf_str(&note));
			tw_buf_free(&note);
			char line[200];
			snprintf(line, sizeof(line), "when hear (line %d): %s", h->loc.line, did);
			tw_call_event_add(c->call, TW_EV_NOTE, line, 0);
			c->handler_actions++;
			c->hearing = st;
			/* The caller answers having heard up to the handler's match. */
			move_cursor(c, i, lk.end);
			call_action *action = h->when_action == TW_STEP_PRESS ? press
					      : h->when_action == TW_STEP_SAY ? say
									     : silence;
			act_with(c, sr, h, value, now_ms, action);
			free(value);
			return true;
		}
		free(want);
	}
	return false;
}

/* issue 14, F4: says (appended to note) that a fuzzy look read only the
 * first part of a long prompt. */
static void truncated_note(char *note, size_t size)
{
	size_t k = strlen(note);
	snprintf(note + k, size - k,
		 "%sfuzzy read only the first %d KiB of a longer prompt (techweek's limit)",
		 k ? "; " : "", TW_FUZZY_MAX_PROMPT / 1024);
}

/* The step passes, saying what its handlers did. */
static void hear_passed(tw_customer *c, tw_step_result *sr, double now_ms, const char *more)
{
	if (c->handler_note || more) {
		char *note = NULL;
		size_t n = (c->handler_note ? strlen(c->handler_note) : 0) + (more ? strlen(more) : 0) + 3;
		if ((note = malloc(n)))
			snprintf(note, n, "%s%s%s", c->handler_note ? c->handler_note : "",
				 c->handler_note && more ? "; " : "", more ? more : "");
		free(sr->note);
		sr->note = note ? tw_run_redact(c->run, note) : NULL;
		free(note);
	}
	free(c->handler_note);
	c->handler_note = NULL;
	tw_customer_finish_step(c, sr, TW_STATUS_PASSED, now_ms);
}

/* issue 14, F4: a fuzzy look the words cannot make (too long, nothing to
 * compare once expanded): the step is broken, as the script wrote it. */
static void fuzzy_refused(tw_customer *c, tw_step_result *sr, int rc, double now_ms)
{
	if (rc == TW_ELIMIT)
		tw_customer_fail(c, sr, TW_STATUS_BROKEN, now_ms, NULL, NULL,
				 "the words of a fuzzy hear pass %d characters: write the "
				 "part that matters",
				 TW_FUZZY_MAX_EXPECTED);
	else if (rc == TW_EUNSUPPORTED)
		tw_customer_fail(c, sr, TW_STATUS_LIMITED, now_ms, NULL, NULL,
				 "techweek's limit: the step's fuzzy looks passed %llu million "
				 "cells (words x prompt, for each prompt and each fuzzy handler): "
				 "hear fewer words, or fewer prompts at once",
				 TW_FUZZY_STEP_CELLS / 1000000ULL);
	else if (rc == TW_EUSAGE)
		tw_customer_fail(c, sr, TW_STATUS_BROKEN, now_ms, NULL, NULL,
				 "the words of a fuzzy hear have no letter or digit once "
				 "punctuation is dropped: nothing to compare, it would match "
				 "any prompt; write words the IVR says");
	else
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, NULL, NULL, "out of memory");
}

/* `hear not "x"`: nothing said from the cursor on says it. Nothing is
 * consumed: what was not said cannot be heard past. */
static void hear_not(tw_customer *c, tw_step_result *sr, const tw_step *st, const char *want,
		     double now_ms)
{
	size_t n = tw_call_event_count(c->call);
	bool truncated = false; /* issue 14, F4 */
	for (size_t i = c->heard; i < n; i++) {
		const char *t = prompt_text(c->call, i);
		if (!t)
			continue;
		look lk;
		int rc = look_at(c, &st->expect, want, t, from_byte(c, i), &lk);
		if (rc != TW_OK) {
			tw_expect_outcome_free(&lk.out);
			fuzzy_refused(c, sr, rc, now_ms);
			return;
		}
		if (st->expect.fuzzy > 0 && lk.found) {
			char q[LAST_HEARD_QUOTED];
			tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, want, t,
					 "heard \"%s\" (fuzzy %.2g): \"%.*s\" is %.2f similar, in \"%s\"",
					 want, st->expect.fuzzy, (int)(lk.end - lk.start),
					 t + lk.start, lk.similarity,
					 tw_call_quote(c->call, t, q, sizeof(q)));
			return;
		}
		if (st->expect.fuzzy == 0 && !lk.found) {
			tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, lk.out.expected,
					 lk.out.actual, "%s",
					 lk.out.message ? lk.out.message : "heard it");
			tw_expect_outcome_free(&lk.out);
			return;
		}
		truncated = truncated || lk.truncated;
		tw_expect_outcome_free(&lk.out);
	}
	/* issue 14, F4: not heard in what a fuzzy look read, but the rest of
	 * a long prompt was not looked at: techweek cannot say */
	if (truncated) {
		tw_customer_fail(c, sr, TW_STATUS_LIMITED, now_ms, NULL, NULL,
				 "techweek's limit: not heard in the first %d KiB of a longer "
				 "prompt, the most a fuzzy look reads; the rest was not looked at "
				 "(hear not without fuzzy looks at all of it)",
				 TW_FUZZY_MAX_PROMPT / 1024);
		return;
	}
	hear_passed(c, sr, now_ms, NULL);
}

static void hear(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms)
{
	const tw_expect *ex = &st->expect;
	char *want = NULL, *expected = NULL;
	if (ex->fuzzy > 0 && !(want = tw_customer_expand(c, sr, ex->value.text, now_ms)))
		return;
	if (ex->negate) {
		hear_not(c, sr, st, want, now_ms);
		free(want);
		return;
	}
	size_t n = tw_call_event_count(c->call);
	double best = -1;
	size_t best_event = 0, best_start = 0, best_end = 0;
	bool truncated = false; /* issue 14, F4 */
	for (size_t i = c->heard; i < n; i++) {
		const char *t = prompt_text(c->call, i);
		if (!t)
			continue;
		look lk;
		int rc = look_at(c, ex, want, t, from_byte(c, i), &lk);
		if (rc == TW_ELIMIT || rc == TW_EUSAGE || rc == TW_EUNSUPPORTED) {
			fuzzy_refused(c, sr, rc, now_ms);
			free(want);
			return;
		}
		if (rc != TW_OK) {
			tw_expect_outcome_free(&lk.out);
			goto oom;
		}
		if (lk.found) {
			move_cursor(c, i, lk.end);
			char *captured = lk.out.captured;
			bool secret = lk.out.captured_secret;
			char *fuzzy_capture = NULL;
			if (ex->fuzzy > 0 && ex->capture &&
			    !(captured = fuzzy_capture = strndup(t + lk.start, lk.end - lk.start))) {
				tw_expect_outcome_free(&lk.out);
				goto oom;
			}
			if (ex->capture && captured &&
			    tw_vars_set(c->vars, ex->capture, captured, secret) != TW_OK) {
				free(fuzzy_capture);
				tw_expect_outcome_free(&lk.out);
				goto oom;
			}
			free(fuzzy_capture);
			tw_expect_outcome_free(&lk.out);
			char note[160] = "";
			if (ex->fuzzy > 0 && lk.similarity < 1)
				snprintf(note, sizeof(note), "heard %.2f similar", lk.similarity);
			if (ex->fuzzy > 0 && lk.truncated)
				truncated_note(note, sizeof(note));
			hear_passed(c, sr, now_ms, note[0] ? note : NULL);
			free(want);
			free(expected);
			return;
		}
		truncated = truncated || lk.truncated;
		if (ex->fuzzy > 0 && lk.similarity > best) {
			best = lk.similarity;
			best_event = i;
			best_start = lk.word_start;
			best_end = lk.word_end;
		}
		if (!expected) {
			expected = lk.out.expected;
			lk.out.expected = NULL;
		}
		tw_expect_outcome_free(&lk.out);
	}
	/* A standing handler answers the IVR; the step looks again when it
	 * has (fetch_or_pass). */
	if (answer(c, sr, st, now_ms)) {
		free(want);
		free(expected);
		return;
	}
	if (ex->maybe) {
		hear_passed(c, sr, now_ms, "not heard");
		free(want);
		free(expected);
		return;
	}
	/* Not heard: say what was said instead, beside what was expected. */
	tw_buf said;
	tw_buf_init(&said, TRANSCRIPT_MAX);
	size_t shown = 0, prompts = 0;
	for (size_t i = c->heard; i < n; i++) {
		const char *t = prompt_text(c->call, i);
		if (!t)
			continue;
		if (shown < HEARD_SHOWN) {
			tw_buf_printf(&said, "%s\"%s\"", shown ? "\n" : "", t + from_byte(c, i));
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
	tw_expect_outcome out = {0};
	if (!expected && ex->fuzzy == 0 &&
	    tw_expect_eval_given(ex, "", NULL, c->vars, &c->run->redact, &out) == TW_OK) {
		expected = out.expected;
		out.expected = NULL;
		tw_expect_outcome_free(&out);
	}
	if (ex->fuzzy > 0) {
		free(expected);
		size_t m = strlen(want) + 32;
		if ((expected = malloc(m)))
			snprintf(expected, m, "\"%s\" fuzzy %.2g", want, ex->fuzzy);
	}
	/* `hear "x"` reads as contains: the message says it the same way. */
	const char *what = expected ? expected : "the prompt";
	if (strncmp(what, "contains ", 9) == 0)
		what += 9;
	char more[256] = "";
	if (c->handler_actions >= HANDLER_ACTIONS_MAX)
		snprintf(more, sizeof(more), " (after %d handler actions, the most a step takes)",
			 HANDLER_ACTIONS_MAX);
	/* issue 14, F4: said before the quotes, which a report may cut */
	char lim[128] = "";
	if (ex->fuzzy > 0 && truncated)
		snprintf(lim, sizeof(lim),
			 " in the first %d KiB of a longer prompt (a fuzzy look reads no more: "
			 "techweek's limit)",
			 TW_FUZZY_MAX_PROMPT / 1024);
	if (prompts == 0) {
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, expected, NULL,
				 "did not hear %s: the IVR said nothing more (%s)%s", what,
				 tw_call_state_of(c->call) == TW_CALL_ENDED ? "the call has ended"
									    : "it is waiting for the caller",
				 more);
	} else if (ex->fuzzy > 0 && best >= 0 && best_end == best_start) {
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, expected, tw_buf_str(&said),
				 "did not hear %s%s: nothing said came close%s", what, lim, more);
	} else if (ex->fuzzy > 0 && best >= 0) {
		const char *t = prompt_text(c->call, best_event);
		char q[LAST_HEARD_QUOTED];
		/* issue 14, F4: what was not read may hold it: techweek's limit */
		tw_customer_fail(c, sr, truncated ? TW_STATUS_LIMITED : TW_STATUS_FAILED, now_ms,
				 expected, tw_buf_str(&said),
				 "did not hear %s%s: the closest was \"%.*s\", %.2f similar, in "
				 "\"%s\"%s",
				 what, lim, (int)(best_end - best_start), t + best_start, best,
				 tw_call_quote(c->call, t, q, sizeof(q)), more);
	} else {
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, expected, tw_buf_str(&said),
				 "did not hear %s%s", what, more);
	}
	tw_buf_free(&said);
	free(expected);
	free(want);
	return;
oom:
	free(expected);
	free(want);
	tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, NULL, NULL, "out of memory");
}

/* issue 14, MATCH: `expect hangup by WHO`: "hangup" when WHO ended the
 * call, else NULL with *absent saying who did. */
static const char *hangup_by(tw_customer *c, const char *who, const char **absent, char *why,
			     size_t size)
{
	const char *by = tw_call_hangup_by(c->call);
	if (by && strcmp(by, who) == 0)
		return "hangup";
	static const char *const said[][2] = {
		{"ivr", "the IVR hung up (<Hangup/>, <disconnect/> or <exit/>)"},
		{"end", "the IVR's document ran out, and the carrier hung up"},
		{"caller", "the caller hung up"},
	};
	const char *what = "the call is still going on";
	for (size_t i = 0; by && i < sizeof(said) / sizeof(said[0]); i++)
		if (strcmp(by, said[i][0]) == 0)
			what = said[i][1];
	if (!by && tw_call_state_of(c->call) == TW_CALL_ENDED)
		what = "the call ended otherwise (rejected, or it could not be followed)";
	snprintf(why, size, "not hung up by %s: %s%s", who, what,
		 by ? " (expect hangup by " : "");
	if (by) {
		size_t n = strlen(why);
		snprintf(why + n, size - n, "%s)", by);
	}
	*absent = why;
	return NULL;
}

static void expect_call(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms)
{
	const char *value = NULL, *absent = NULL;
	char count[32], why[200]; /* issue 14, MATCH */
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
	case TW_SUBJ_REPROMPTS: { /* issue 14, MATCH */
		tw_call_figures f;
		tw_call_figures_of(c->call, &f);
		snprintf(count, sizeof(count), "%d", f.repeats);
		value = count;
		break;
	}
	default:
		value = tw_call_hung_up(c->call);
		absent = tw_call_state_of(c->call) == TW_CALL_ENDED ? "the IVR did not hang up"
								     : "the call is still going on";
		if (st->expect.hangup_by) /* issue 14, MATCH */
			value = hangup_by(c, st->expect.hangup_by, &absent, why, sizeof(why));
		break;
	}
	tw_expect_outcome out = {0};
	if (tw_expect_eval_given(&st->expect, value, absent, c->vars, &c->run->redact, &out) !=
	    TW_OK) {
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, NULL, NULL, "out of memory");
		return;
	}
	if (!out.passed && answer(c, sr, st, now_ms)) /* issue 14, MATCH: look again */
		;
	else if (!out.passed)
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, out.expected, out.actual, "%s",
				 out.message ? out.message : "expectation failed");
	else if (st->expect.capture && out.captured &&
		 tw_vars_set(c->vars, st->expect.capture, out.captured,
					out.captured_secret) != TW_OK)
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, NULL, NULL, "out of memory");
	else
		hear_passed(c, sr, now_ms, NULL); /* with what handlers did, if any */
	tw_expect_outcome_free(&out);
}


/* press, say, silence: the caller acts; prompts said before no longer
 * count for `hear`. */
static void act(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms,
		call_action *action)
{
	char *value = NULL;
	if (st->value && !(value = tw_customer_expand(c, sr, st->value, now_ms)))
		return;
	act_with(c, sr, st, value, now_ms, action);
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
	c->hearing = NULL; /* issue 14, MATCH: a new step, no handler acted yet */
	c->handler_actions = 0;
	c->fuzzy_cells = 0; /* issue 14, F4 */
	free(c->handler_note);
	c->handler_note = NULL;
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
	/* issue 14, F3: a caller who has heard enough leaves there, not
	 * after the ask's loop plays */
	barge_in(c);
	/* a Dial's action is told (fetch_or_pass); issue 14, F1: maybe off
	 * the loop */
	call_op op = {.kind = OP_HANGUP, .call = c->call};
	perform_op(c, sr, &op, now_ms);
}

void tw_caller_expect(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms)
{
	c->hearing = NULL; /* issue 14, MATCH: a new step, no handler acted yet */
	c->handler_actions = 0;
	c->fuzzy_cells = 0; /* issue 14, F4 */
	free(c->handler_note);
	c->handler_note = NULL;
	if (on_call(c, sr, now_ms))
		expect_call(c, sr, st, now_ms);
}

void tw_caller_webhook_done(tw_customer *c, tw_step_result *sr, double now_ms)
{
	c->webhook = false;
	const tw_response *r = &c->resp;
	/* issue 14, AUDIO: a resource's error status is not the call's;
	 * issue 14, F1: what follows is continue_op's, maybe off the loop */
	call_op op = {
		.kind = OP_DOCUMENT,
		.call = c->call,
		.url = r->url,
		.status = r->status,
		.content_type = r->content_type,
		.body = r->body.data,
		.len = r->body.len,
		.total_ms = r->timings.total_ms,
		.resource = tw_call_fetching_resource(c->call),
	};
	perform_op(c, sr, &op, now_ms);
}

/* issue 14, AUDIO */
bool tw_caller_resource_failed(tw_customer *c, tw_step_result *sr, const char *why,
			       double now_ms)
{
	if (!c->call || !tw_call_fetching_resource(c->call))
		return false;
	c->webhook = false;
	call_op op = {.kind = OP_RESOURCE_FAILED, .call = c->call,
		      .total_ms = c->resp.timings.total_ms};
	if (c->resp.truncated && c->resp.body.len > 0) {
		/* issue 14, F3: a file past --max-body: timed from what came */
		const char *cl = tw_response_header(&c->resp, "Content-Length");
		op.kind = OP_RESOURCE_PARTIAL;
		op.size = cl ? strtod(cl, NULL) : 0;
		op.status = c->resp.status;
		op.content_type = c->resp.content_type;
		op.body = c->resp.body.data;
		op.len = c->resp.body.len;
	} else if (why && !(op.text = strdup(why))) {
		tw_customer_fail(c, sr, TW_STATUS_FAILED, now_ms, NULL, NULL, "out of memory");
		return true;
	}
	perform_op(c, sr, &op, now_ms); /* issue 14, F1: maybe off the loop */
	return true;
}

/* issue 14, MATCH: `when hear ... ACTION` stands from its line on:
 * the hears after it read it (answer), the step itself does nothing. */
void tw_caller_when(tw_customer *c, tw_step_result *sr, const tw_step *st, double now_ms)
{
	(void)st;
	tw_customer_finish_step(c, sr, TW_STATUS_PASSED, now_ms);
}
