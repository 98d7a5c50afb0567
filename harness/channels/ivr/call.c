/*
 * The simulated call. See call.h for the contract.
 *
 * The call is the carrier's half: it builds every webhook request the way
 * a carrier does (its parameters, form encoding, the signature), keeps the
 * transcript and the clock, enforces the limits, and picks the interpreter
 * by each document's root element. The interpreters only walk documents.
 */
#include "channels/ivr/call.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdarg.h>
#include <libxml/parser.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "channels/ivr/grammar_srgs.h"
#include "channels/web/html.h"
#include "core/array.h"
#include "core/buf.h"
#include "core/strmap.h"

/* Quoting a prompt or URL in a message: long enough to recognise it. */
#define QUOTE_CHARS 120
typedef char quote_buf[QUOTE_CHARS + 1];
/* A webhook request's form body or signed data: far above any real one. */
#define REQUEST_MAX ((size_t)1 << 24)

enum { DIALECT_TWIML, DIALECT_VXML, DIALECT_COUNT };

static const tw_dialect *const dialects[DIALECT_COUNT] = {
	[DIALECT_TWIML] = &tw_twiml_dialect,
	[DIALECT_VXML] = &tw_vxml_dialect,
};

/* issue 14, AUDIO: a resource a document refers to (call.h). */
typedef struct resource {
	char *url;          /* owned; absolute, as asked; res_map's key */
	tw_call_res_kind kind;
	long line;          /* of the first element that named it */
	bool done;          /* answered, failed, or timed by the run already */
	long status;
	char *content_type; /* owned; NULL when none */
	char *body;         /* owned, NUL-terminated; NULL for audio */
	size_t len;
	char *failure;      /* owned; why the fetch failed, or NULL */
	bool noted;         /* its audio's "could not time" note is written */
	int depth;          /* issue 14, F3: grammars between it and the
			       document (0: the document names it) */
	char *audio_why;    /* issue 14, F3: owned; why its audio could not be
			       timed (this call's alone: the run's cache
			       keeps only lengths), or NULL */
	double fetch_s;     /* issue 14, F3: the real time its fetch took,
			       on the call clock when first used (charge) */
	bool charged;
	double est_s;       /* issue 14, F3: the length of audio larger than
			       --max-body, estimated; < 0: none */
	char *est_note;     /* owned; the note its first play adds, or NULL */
} resource;

struct tw_call {
	char *from, *to, *token, *method;
	tw_call_limits limits;
	const tw_redact *redact;
	char account_sid[35]; /* AC + 32 hex */
	char call_sid[35];    /* CA + 32 hex */

	tw_call_state state;
	tw_call_end end;
	tw_error error;
	tw_listen listen;
	tw_call_request pending;
	bool started;

	void *interp[DIALECT_COUNT]; /* made on the first document of each */
	int current;                 /* the dialect of the last document, -1 */

	tw_call_event *events;
	size_t event_count, event_cap;
	tw_strmap heard;             /* prompt text -> the turn it was first
					heard in; keys borrowed from events */
	tw_strmap questions;         /* the last prompt of an ask -> the turn
					it first asked in; keys borrowed from
					events */
	double clock_s;
	int fetches_since_input;
	int turn;                    /* the IVR's turn: caller inputs so far */
	int turn_lines;              /* lines the IVR added since the last
					document or caller input */

	bool (*stop)(void *ctx);     /* the owner's stop request */
	void *stop_ctx;
	xmlNodePtr at;               /* where the interpreter is, or NULL */
	tw_error halt;               /* why the call stopped where it was */
	bool stopped;                /* the halt was the owner's stop */

	char *transfer;  /* destinations and reasons, as the subjects see them */
	bool recording;
	char *rejected;
	bool hung_up;
	bool caller_left;  /* the caller hung up; a last request may remain */
	/* issue 14, CLOCK */
	double speaking_rate;  /* words a minute */
	double key_time_s;     /* per key */
	bool bargein;          /* prompts recorded now may be barged into */
	bool barge_ask;        /* the current listen's ask began at barge_from */
	size_t barge_from;     /* the first event the listen's ask played */
	int barge_turn;        /* the turn it asked in */
	bool barged;           /* a barge-in cut the ask: the caller's next
				  input is marked barged_in */

	/* issue 14, AUDIO: resources (call.h) */
	resource *res;
	size_t res_count, res_cap;
	tw_strmap res_map;       /* absolute URL -> index in res */
	size_t res_next;         /* where the search for the next to fetch
				    starts */
	size_t res_current;      /* the one being fetched, when res_fetching */
	bool res_fetching;       /* the pending request is res_current's */
	xmlDocPtr held;          /* the document waiting for its resources */
	char *held_url;
	int held_dialect;
	tw_audio_cache *audio;   /* the run's, or own_audio */
	bool own_audio;
	bool ran_out;      /* issue 14, MATCH: the IVR's hang-up was its
			      document running out, not a <Hangup/> */
	double script_time_s; /* issue 14, F2: 0: TW_JS_TIME_S */
	/* issue 14, F3: the prefetch of the held document, all of its
	 * files (the grammars' and the root's too) */
	size_t res_doc_count;    /* files it added, audio apart */
	size_t res_doc_audio;    /* audio files it added: a cap of their own,
				    so that a menu's recordings never crowd
				    out the grammars it needs */
	double res_doc_ms;       /* real time their fetches took */
	bool res_partial;        /* the answer being kept is the first bytes
				    of a file larger than --max-body */
	double res_size;         /* its Content-Length; 0: not given */
};

void tw_call_limits_init(tw_call_limits *l)
{
	l->max_fetches = 20;
	l->max_call_s = 3600;
	l->max_prompt_loops = 3;
	l->max_lines = TW_CALL_MAX_LINES;
	l->prefetch_s = 30;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* A SID: two letters then 32 hex digits, from the seed and a salt, so
 * that performances get distinct SIDs and a seed repeats them. splitmix64
 * is enough: these only need to look real and not collide in a run. */
static void make_sid(char out[35], const char *prefix, unsigned long long seed,
		     unsigned long long salt)
{
	unsigned long long x = seed ^ (salt * 0x9E3779B97F4A7C15ULL);
	int n = snprintf(out, 35, "%s", prefix);
	for (int i = 0; i < 2; i++) {
		x += 0x9E3779B97F4A7C15ULL;
		unsigned long long z = x;
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
		z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
		z ^= z >> 31;
		n += snprintf(out + n, (size_t)(35 - n), "%016llx", z);
	}
}

tw_call *tw_call_new(const tw_call_options *opts)
{
	tw_call *call = calloc(1, sizeof(*call));
	if (!call)
		return NULL;
	call->from = strdup(opts->from ? opts->from : "");
	call->to = strdup(opts->to ? opts->to : "");
	call->token = dup_or_null(opts->token);
	call->method = strdup(opts->method ? opts->method : "POST");
	call->limits = opts->limits;
	call->redact = opts->redact;
	if (call->limits.max_lines <= 0)
		call->limits.max_lines = TW_CALL_MAX_LINES;
	call->stop = opts->stop;
	call->stop_ctx = opts->stop_ctx;
	call->speaking_rate = opts->speaking_rate > 0 ? opts->speaking_rate
						     : TW_CALL_WORDS_PER_MINUTE;
	call->key_time_s = opts->key_time_s >= 0 ? opts->key_time_s : TW_CALL_KEY_TIME_S;
	call->bargein = true;
	call->current = -1;
	call->state = TW_CALL_ENDED;
	make_sid(call->account_sid, "AC", opts->seed, 1);
	make_sid(call->call_sid, "CA", opts->seed, 2);
	call->script_time_s = opts->script_time_s > 0 ? opts->script_time_s : 0; /* issue 14, F2 */
	call->audio = opts->audio_cache; /* issue 14, AUDIO */
	if (!call->audio && (call->audio = tw_audio_cache_new()))
		call->own_audio = true;
	if (!call->from || !call->to || !call->method || (opts->token && !call->token) ||
	    !call->audio) {
		tw_call_free(call);
		return NULL;
	}
	return call;
}

const char *tw_call_quote(const tw_call *call, const char *text, char *buf, size_t size)
{
	char *masked = tw_redact_apply(call->redact, text ? text : "");
	size_t n = masked ? strlen(masked) : 0;
	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)masked[n] & 0xc0) == 0x80)
			n--;
	}
	if (n)
		memcpy(buf, masked, n);
	buf[n] = '\0';
	free(masked);
	return buf;
}

const char *tw_call_vquote(const tw_call *call, char *buf, size_t size, const char *fmt,
			   va_list ap)
{
	/* Whole, then masked, then cut: a cut first could leave part of a
	 * secret that the run's redaction would no longer recognise. */
	tw_buf full;
	tw_buf_init(&full, (size_t)1 << 24);
	int rc = tw_buf_vprintf(&full, fmt, ap);
	tw_call_quote(call, rc == TW_OK ? tw_buf_str(&full) : "", buf, size);
	tw_buf_free(&full);
	return rc == TW_OK ? buf : NULL;
}

static void request_clear(tw_call_request *r)
{
	free(r->method);
	free(r->url);
	for (size_t i = 0; i < r->param_count; i++) {
		free(r->params[i].name);
		free(r->params[i].value);
	}
	free(r->params);
	free(r->body);
	free(r->signature);
	memset(r, 0, sizeof(*r));
}

static void resources_free(tw_call *call);

void tw_call_free(tw_call *call)
{
	if (!call)
		return;
	for (int d = 0; d < DIALECT_COUNT; d++)
		if (call->interp[d])
			dialects[d]->destroy(call->interp[d]);
	for (size_t i = 0; i < call->event_count; i++)
		free(call->events[i].text);
	free(call->events);
	tw_strmap_free(&call->heard);
	tw_strmap_free(&call->questions);
	request_clear(&call->pending);
	tw_error_clear(&call->error);
	tw_error_clear(&call->halt);
	free(call->from);
	free(call->to);
	free(call->token);
	free(call->method);
	free(call->transfer);
	free(call->rejected);
	resources_free(call); /* issue 14, AUDIO */
	free(call);
}

/* ---- halting ---- */

/* Where the call is, for a halt's message. */
static void where(const tw_call *call, char *out, size_t size)
{
	const xmlNode *n = call->at;
	quote_buf q;
	char name[41];
	if (n)
		snprintf(out, size, "during <%s> at line %ld of %s",
			 tw_call_quote(call, (const char *)n->name, name, sizeof(name)),
			 xmlGetLineNo(n),
			 tw_call_quote(call, n->doc && n->doc->URL ? (const char *)n->doc->URL
								   : "the document",
				       q, sizeof(q)));
	else if (call->state == TW_CALL_FETCHING && call->pending.url)
		snprintf(out, size, "while fetching %s",
			 tw_call_quote(call, call->pending.url, q, sizeof(q)));
	else
		snprintf(out, size, "while the caller answered");
}

static int halt(tw_call *call, tw_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Stops the call where it is: the first cause is kept. */
static int halt(tw_call *call, tw_code code, const char *fmt, ...)
{
	if (call->halt.code != TW_OK)
		return call->halt.code;
	char why[256], at[QUOTE_CHARS + 100];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	where(call, at, sizeof(at));
	tw_error_set(&call->halt, code, "%s, %s", why, at);
	call->halt.code = code; /* even with no memory left for the words */
	return code;
}

/* The halt's cause, as err: its code. */
static int halt_error(const tw_call *call, tw_error *err)
{
	const char *why = call->halt.message;
	return tw_error_set(err, call->halt.code, "%s", why ? why : "the call was stopped");
}

/* The call clock's limit, checked wherever the clock moves, and the
 * owner's stop request (ask_stop), asked wherever interpretation goes on:
 * neither waits for a document to end. */
/* issue 14, F3: the interpreter is inside an element that listens (a
 * <Gather>, a field, a menu): what it plays there is an ask the caller may
 * still cut short (barge-in), so the clock limit waits for the caller's
 * move, or for the interpreter to stop without listening (settle). The
 * max_lines cap bounds such an element that never ends. */
static bool in_listening_element(const tw_call *call)
{
	static const char *const listens[] = {"Gather", "field", "menu", "initial"};
	if (call->state == TW_CALL_LISTENING) /* the caller's move */
		return false;
	for (const xmlNode *n = call->at; n && n->type == XML_ELEMENT_NODE; n = n->parent)
		for (size_t i = 0; i < sizeof(listens) / sizeof(listens[0]); i++)
			if (strcmp((const char *)n->name, listens[i]) == 0)
				return true;
	return false;
}

static int check(tw_call *call, bool ask_stop)
{
	if (call->halt.code != TW_OK)
		return call->halt.code;
	/* A hair over: 9000 prompts of 0.4 s add up to 3600.0000001 s. */
	if (call->clock_s > call->limits.max_call_s + 1e-6 && !in_listening_element(call))
		return halt(call, TW_ELIMIT,
			    "the call went past %.0f s of call time (--call-max-time): "
			    "%.2f s on the call clock", call->limits.max_call_s, call->clock_s);
	if (ask_stop && call->stop && call->stop(call->stop_ctx)) {
		call->stopped = true;
		return halt(call, TW_ELIMIT,
			    "cut off: the run was ending while the IVR's document was "
			    "being followed"); /* issue 14, F6: also --duration's end */
	}
	return TW_OK;
}

bool tw_call_was_stopped(const tw_call *call)
{
	return call->stopped;
}

int tw_call_at(tw_call *call, xmlNodePtr node)
{
	call->at = node;
	return check(call, true);
}

/* ---- the transcript ---- */

static bool is_prompt(tw_call_event_kind k)
{
	return k == TW_EV_SAY || k == TW_EV_PLAY;
}

/* ivr: a line the IVR's document adds (counted against max_lines), not
 * one the caller's action does. */
static int add_event(tw_call *call, tw_call_event_kind kind, const char *text,
		     double duration_s, bool ivr)
{
	int rc = check(call, ivr);
	if (rc != TW_OK)
		return rc;
	if (ivr && ++call->turn_lines > call->limits.max_lines)
		return halt(call, TW_ELIMIT,
			    "the IVR's document went on for more than %d transcript lines "
			    "without waiting for the caller", call->limits.max_lines);
	if (tw_array_grow(&call->events, &call->event_cap, call->event_count + 1,
			  sizeof(*call->events)))
		return TW_ENOMEM;
	tw_call_event ev = {
		.kind = kind,
		.at_s = call->clock_s,
		.duration_s = duration_s > 0 ? duration_s : 0,
		.is_prompt = is_prompt(kind),
		.no_barge = is_prompt(kind) && !call->bargein,
		.barged_in = (kind == TW_EV_PRESS || kind == TW_EV_SPEAK) && call->barged,
	};
	if (kind == TW_EV_PRESS || kind == TW_EV_SPEAK)
		call->barged = false;
	if (text && !(ev.text = strdup(text)))
		return TW_ENOMEM;
	ev.turn = call->turn;
	/* Heard in an earlier turn, for the transcript; whether the IVR
	 * asks again is tw_call_ask's to say. A loop or a Redirect within
	 * one turn (Say loop="2", hold music, a welcome that redirects to the
	 * menu) is not heard again. Turns only grow, so "an earlier turn" is
	 * "first heard before this one". */
	if (ev.is_prompt && ev.text) {
		/* One lookup however long the call: texts are borrowed from the
		 * events, which live as long as the call. */
		bool heard = false;
		size_t first = 0;
		if (tw_strmap_put(&call->heard, ev.text, (size_t)ev.turn, &heard, &first) != TW_OK) {
			free(ev.text);
			return TW_ENOMEM;
		}
		ev.repeat = heard && first != (size_t)ev.turn;
	}
	call->events[call->event_count++] = ev;
	call->clock_s += ev.duration_s;
	return check(call, false);
}

int tw_call_event_add(tw_call *call, tw_call_event_kind kind, const char *text,
		      double duration_s)
{
	return add_event(call, kind, text, duration_s, true);
}

/* Event i is a prompt of the IVR's current turn. */
static bool in_turn_prompt(const tw_call *call, size_t i)
{
	const tw_call_event *e = &call->events[i];
	return e->is_prompt && e->text && e->turn == call->turn;
}

int tw_call_ask(tw_call *call, size_t from)
{
	size_t first = from, end = call->event_count;
	while (first < end && !in_turn_prompt(call, first))
		first++;
	if (first == end) {
		/* The listening element played nothing: the IVR asks with the
		 * last prompt it played before it, in this turn. Events are in
		 * turn order, so the turn's start ends the search. */
		size_t i = from < end ? from : end;
		while (i > 0 && call->events[i - 1].turn == call->turn && !in_turn_prompt(call, i - 1))
			i--;
		if (i == 0 || !in_turn_prompt(call, i - 1))
			return TW_OK;
		first = i - 1;
		end = i;
	}
	/* The ask's question is its last prompt, the words the caller hears
	 * just before the IVR listens; what comes before it (a greeting, an
	 * apology, a "Thank you.") only leads up to it. The IVR asks again
	 * when the ask holds the question of an earlier turn, whatever it
	 * says around it: the menu after an apology, without its greeting,
	 * or before the next question. Prompts that are never a question
	 * make no re-prompt, however often they are heard. */
	/* issue 14, CLOCK: what the listen's own element played can be
	 * barged into; what it borrowed from before it (first < from) was
	 * over before the IVR listened. */
	call->barge_ask = from < call->event_count;
	call->barge_from = from;
	call->barge_turn = call->turn;
	size_t question = end;
	for (size_t i = first; i < end; i++) {
		if (!in_turn_prompt(call, i))
			continue;
		call->events[i].asks = true;
		question = i;
		size_t turn;
		if (tw_strmap_get(&call->questions, call->events[i].text, &turn) &&
		    turn < (size_t)call->turn)
			call->events[i].asks_again = true;
	}
	return tw_strmap_put(&call->questions, call->events[question].text, (size_t)call->turn,
			     NULL, NULL) == TW_OK ? TW_OK : TW_ENOMEM;
}

double tw_call_speech_s(const tw_call *call, const char *text)
{
	int words = 0;
	bool in_word = false;
	for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p; p++) {
		bool space = isspace(*p);
		if (!space && !in_word)
			words++;
		in_word = !space;
	}
	return words * 60.0 / (call ? call->speaking_rate : TW_CALL_WORDS_PER_MINUTE);
}

void tw_call_wait(tw_call *call, double seconds)
{
	if (seconds > 0)
		call->clock_s += seconds;
	check(call, false);
}

size_t tw_call_event_count(const tw_call *call)
{
	return call->event_count;
}

const tw_call_event *tw_call_event_at(const tw_call *call, size_t i)
{
	return i < call->event_count ? &call->events[i] : NULL;
}

const char *tw_call_last_prompt(const tw_call *call)
{
	for (size_t i = call->event_count; i-- > 0;)
		if (call->events[i].is_prompt && call->events[i].text && !call->events[i].unplayed)
			return call->events[i].text;
	return NULL;
}

double tw_call_clock(const tw_call *call)
{
	return call->clock_s;
}

const tw_call_limits *tw_call_limits_of(const tw_call *call)
{
	return &call->limits;
}

const char *tw_call_sid(const tw_call *call)
{
	return call->call_sid;
}

/* The next re-prompt turn from event *pos on: true with *menu the index
 * of the last prompt it asked again with, and *pos past the turn. Events
 * are in turn order: a turn is a run of events. */
static bool next_reprompt(const tw_call *call, size_t *pos, size_t *menu)
{
	size_t i = *pos, n = call->event_count;
	while (i < n) {
		int turn = call->events[i].turn;
		size_t last = n;
		for (; i < n && call->events[i].turn == turn; i++)
			if (call->events[i].asks_again)
				last = i;
		if (last < n) {
			*pos = i;
			*menu = last;
			return true;
		}
	}
	*pos = n;
	return false;
}

/* The first TW_CALL_MENU_WORDS words of text, masked first (a cut never
 * leaves part of a secret), one space between them, "…" when there were
 * more; cut on a character boundary to fit out. */
static void menu_words(const tw_call *call, const char *text, char out[TW_CALL_MENU_SIZE])
{
	char *masked = tw_redact_apply(call->redact, text);
	const unsigned char *p = (const unsigned char *)(masked ? masked : "");
	tw_buf b;
	tw_buf_init(&b, (size_t)1 << 16);
	int words = 0;
	while (*p) {
		while (*p && isspace(*p))
			p++;
		if (!*p)
			break;
		const unsigned char *w = p;
		while (*p && !isspace(*p))
			p++;
		if (words == TW_CALL_MENU_WORDS) {
			tw_buf_puts(&b, "\xE2\x80\xA6");
			break;
		}
		if (words++)
			tw_buf_puts(&b, " ");
		/* out holds less than a word of this size: the cap is never met */
		size_t len = (size_t)(p - w);
		tw_buf_append(&b, w, len < TW_CALL_MENU_SIZE ? len : TW_CALL_MENU_SIZE);
	}
	free(masked);
	tw_call_quote(call, tw_buf_str(&b), out, TW_CALL_MENU_SIZE);
	tw_buf_free(&b);
}

void tw_call_figures_of(const tw_call *call, tw_call_figures *out)
{
	memset(out, 0, sizeof(*out));
	out->first_prompt_s = -1;
	out->transfer_s = -1;
	/* Re-prompt turns, and the menu most of them named: a call has as
	 * many turns as the caller acted, so counting each menu's turns
	 * again is cheap and needs no memory. */
	size_t pos = 0, menu = 0, best = call->event_count;
	while (next_reprompt(call, &pos, &menu)) {
		out->repeats++;
		const char *text = call->events[menu].text;
		size_t p = 0, m = 0;
		int turns = 0;
		bool named_before = false;
		while (!named_before && next_reprompt(call, &p, &m)) {
			if (strcmp(call->events[m].text, text) != 0)
				continue;
			named_before = m < menu;
			turns++;
		}
		if (!named_before && turns > out->menu_turns) {
			out->menu_turns = turns;
			best = menu;
		}
	}
	if (best < call->event_count)
		menu_words(call, call->events[best].text, out->menu);
	for (size_t i = 0; i < call->event_count; i++) {
		const tw_call_event *e = &call->events[i];
		/* issue 14, CLOCK: what a barge-in cut before it began was not
		 * heard */
		if (e->unplayed || (e->is_prompt && e->cut && e->duration_s <= 0))
			continue;
		if (e->is_prompt) {
			if (out->first_prompt_s < 0)
				out->first_prompt_s = e->at_s;
			out->prompts++;
		} else if (e->kind == TW_EV_PRESS || e->kind == TW_EV_SPEAK) {
			out->inputs++;
		} else if (e->kind == TW_EV_TRANSFER && out->transfer_s < 0) {
			out->transfer_s = e->at_s;
		}
	}
}

/* ---- state ---- */

tw_call_state tw_call_state_of(const tw_call *call)
{
	return call->state;
}

const tw_call_request *tw_call_pending(const tw_call *call)
{
	return call->state == TW_CALL_FETCHING ? &call->pending : NULL;
}

const tw_listen *tw_call_listening(const tw_call *call)
{
	return call->state == TW_CALL_LISTENING ? &call->listen : NULL;
}

tw_call_end tw_call_end_reason(const tw_call *call)
{
	return call->end;
}

const tw_error *tw_call_error(const tw_call *call)
{
	return &call->error;
}

void tw_call_listen(tw_call *call, const tw_listen *l)
{
	call->listen = *l;
	call->state = TW_CALL_LISTENING;
}

void tw_call_hold(tw_call *call)
{
	call->state = TW_CALL_HOLDING;
}

int tw_call_finish(tw_call *call, tw_call_end why, const char *detail)
{
	call->state = TW_CALL_ENDED;
	call->end = why;
	if (why == TW_END_HANGUP)
		call->hung_up = true;
	if (why == TW_END_REJECTED) {
		free(call->rejected);
		if (!(call->rejected = strdup(detail ? detail : "rejected")))
			return TW_ENOMEM;
	}
	return TW_OK;
}

int tw_call_transferred(tw_call *call, const char *destination)
{
	free(call->transfer);
	if (!(call->transfer = strdup(destination ? destination : "")))
		return TW_ENOMEM;
	return tw_call_event_add(call, TW_EV_TRANSFER, call->transfer, 0);
}

int tw_call_recorded(tw_call *call, const char *text)
{
	call->recording = true;
	return tw_call_event_add(call, TW_EV_RECORD, text, 0);
}

const char *tw_call_transfer(const tw_call *call)
{
	return call->transfer;
}

const char *tw_call_recording(const tw_call *call)
{
	return call->recording ? "recording" : NULL;
}

const char *tw_call_rejected(const tw_call *call)
{
	return call->rejected;
}

const char *tw_call_hung_up(const tw_call *call)
{
	return call->hung_up ? "hangup" : NULL;
}

const char *tw_call_status_word(const tw_call *call)
{
	/* The first webhook of an inbound call is told it is ringing. */
	if (!call->started)
		return "ringing";
	if (call->caller_left)
		return "completed";
	switch (call->state) {
	case TW_CALL_ENDED:
		/* issue 14, F3: ENDED with no end yet is a document being
		 * followed (a Redirect, a submit, a subdialog): in progress */
		if (call->end == TW_END_NONE)
			return "in-progress";
		return call->end == TW_END_REJECTED ? (call->rejected && strcmp(call->rejected, "busy") == 0
						       ? "busy" : "canceled")
						    : "completed";
	default:
		return "in-progress";
	}
}

/* ---- requests ---- */

static int add_param(tw_call_request *r, const char *name, const char *value)
{
	if (tw_array_grow(&r->params, &r->param_cap, r->param_count + 1, sizeof(*r->params)))
		return TW_ENOMEM;
	tw_call_param *p = &r->params[r->param_count];
	p->name = strdup(name);
	p->value = strdup(value ? value : "");
	if (!p->name || !p->value) {
		free(p->name);
		free(p->value);
		return TW_ENOMEM;
	}
	r->param_count++;
	return TW_OK;
}

/* name=value&... with both form-encoded, as a browser or carrier sends. */
static char *form_encode(const tw_call_request *r)
{
	tw_buf b;
	tw_buf_init(&b, REQUEST_MAX);
	for (size_t i = 0; i < r->param_count; i++) {
		char *n = curl_easy_escape(NULL, r->params[i].name, 0);
		char *v = curl_easy_escape(NULL, r->params[i].value, 0);
		if (!n || !v || (i && tw_buf_puts(&b, "&")) ||
		    tw_buf_printf(&b, "%s=%s", n, v)) {
			curl_free(n);
			curl_free(v);
			tw_buf_free(&b);
			return NULL;
		}
		curl_free(n);
		curl_free(v);
	}
	return tw_buf_steal(&b);
}

static int by_name(const void *a, const void *b)
{
	const tw_call_param *x = *(const tw_call_param *const *)a;
	const tw_call_param *y = *(const tw_call_param *const *)b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->value, y->value);
}

int tw_call_signature(const char *token, const char *url, const tw_call_param *params,
		      size_t count, char out[TW_SIGNATURE_SIZE])
{
	tw_buf data;
	tw_buf_init(&data, REQUEST_MAX);
	const tw_call_param **sorted = calloc(count + 1, sizeof(*sorted));
	int rc = sorted ? tw_buf_puts(&data, url) : TW_ENOMEM;
	for (size_t i = 0; i < count; i++)
		sorted[i] = &params[i];
	if (rc == TW_OK)
		qsort(sorted, count, sizeof(*sorted), by_name);
	for (size_t i = 0; rc == TW_OK && i < count; i++)
		if ((rc = tw_buf_puts(&data, sorted[i]->name)) == TW_OK)
			rc = tw_buf_puts(&data, sorted[i]->value);
	free(sorted);
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	if (rc == TW_OK && !HMAC(EVP_sha1(), token, (int)strlen(token),
				 (const unsigned char *)tw_buf_str(&data), data.len, mac, &mac_len))
		rc = TW_ENOMEM;
	tw_buf_free(&data);
	if (rc == TW_OK)
		EVP_EncodeBlock((unsigned char *)out, mac, (int)mac_len);
	return rc;
}

/* GET requests sign the URL alone: their parameters are in it. */
static int sign(tw_call_request *r, const char *token)
{
	if (!(r->signature = malloc(TW_SIGNATURE_SIZE)))
		return TW_ENOMEM;
	bool post = strcmp(r->method, "POST") == 0;
	return tw_call_signature(token, r->url, post ? r->params : NULL, post ? r->param_count : 0,
				 r->signature);
}

/* Appends the params to url's query with libcurl's URL API, which encodes
 * them and keeps whatever query the URL had. */
static int query_append(tw_call_request *r)
{
	CURLU *h = curl_url();
	if (!h)
		return TW_ENOMEM;
	int rc = TW_OK;
	if (curl_url_set(h, CURLUPART_URL, r->url, 0) != CURLUE_OK)
		rc = TW_EINTERNAL;
	for (size_t i = 0; rc == TW_OK && i < r->param_count; i++) {
		char *pair = malloc(strlen(r->params[i].name) + strlen(r->params[i].value) + 2);
		if (!pair) {
			rc = TW_ENOMEM;
			break;
		}
		sprintf(pair, "%s=%s", r->params[i].name, r->params[i].value);
		if (curl_url_set(h, CURLUPART_QUERY, pair, CURLU_APPENDQUERY | CURLU_URLENCODE) !=
		    CURLUE_OK)
			rc = TW_ENOMEM;
		free(pair);
	}
	char *url = NULL;
	if (rc == TW_OK && curl_url_get(h, CURLUPART_URL, &url, 0) != CURLUE_OK)
		rc = TW_ENOMEM;
	curl_url_cleanup(h);
	if (rc != TW_OK)
		return rc;
	free(r->url);
	r->url = strdup(url);
	curl_free(url);
	return r->url ? TW_OK : TW_ENOMEM;
}

static int build_request(tw_call *call, const char *url, const char *method,
			 const tw_call_param *extra, size_t count, tw_error *err)
{
	tw_call_request r = {0};
	const char *m = method && strcasecmp(method, "GET") == 0 ? "GET" : "POST";
	int rc = TW_ENOMEM;
	if (!(r.method = strdup(m)) || !(r.url = strdup(url)))
		goto out;
	const char *carrier[][2] = {
		{"AccountSid", call->account_sid},
		{"CallSid", call->call_sid},
		{"From", call->from},
		{"To", call->to},
		{"Caller", call->from},
		{"Called", call->to},
		{"CallStatus", tw_call_status_word(call)},
		{"Direction", "inbound"},
		{"ApiVersion", "2010-04-01"},
	};
	for (size_t i = 0; i < sizeof(carrier) / sizeof(carrier[0]); i++)
		if (add_param(&r, carrier[i][0], carrier[i][1]))
			goto out;
	for (size_t i = 0; i < count; i++)
		if (add_param(&r, extra[i].name, extra[i].value))
			goto out;
	if (strcmp(m, "GET") == 0) {
		if ((rc = query_append(&r)) != TW_OK)
			goto out;
	} else if (!(r.body = form_encode(&r))) {
		rc = TW_ENOMEM;
		goto out;
	}
	if (call->token && (rc = sign(&r, call->token)) != TW_OK)
		goto out;
	request_clear(&call->pending);
	call->pending = r;
	call->state = TW_CALL_FETCHING;
	return TW_OK;
out:
	request_clear(&r);
	if (rc == TW_ENOMEM)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	quote_buf q;
	return tw_error_set(err, rc, "cannot build the webhook request for '%s'",
			    tw_call_quote(call, url, q, sizeof(q)));
}

int tw_call_fetch(tw_call *call, const char *base, const char *ref, const char *method,
		  const tw_call_param *extra, size_t count, tw_error *err)
{
	quote_buf q;
	if (call->halt.code != TW_OK)
		return halt_error(call, err);
	if (++call->fetches_since_input > call->limits.max_fetches)
		return tw_error_set(err, TW_ELIMIT,
				    "the IVR asked for more than %d documents without waiting "
				    "for the caller (a Redirect or goto loop?); the next was '%s'",
				    call->limits.max_fetches, tw_call_quote(call, ref, q, sizeof(q)));
	char *url = NULL;
	tw_error e = {0};
	if (tw_url_resolve(base, ref && *ref ? ref : base, &url, &e) != TW_OK) {
		/* masked, then cut where the quotes in it say */
		char *shown = tw_redact_message(call->redact, e.message);
		int rc = tw_error_set(err, e.code == TW_ENOMEM || !shown ? TW_ENOMEM : TW_ESERVICE,
				      "%s", shown ? shown : "out of memory");
		free(shown);
		tw_error_clear(&e);
		return rc;
	}
	int rc = build_request(call, url, method, extra, count, err);
	free(url);
	return rc;
}

/* ---- running ---- */

/* Ends the call as FAILED with err's cause, naming the last prompt heard,
 * keeps a copy and returns the code. */
static int fail(tw_call *call, tw_error *err)
{
	if (err->code == TW_OK)
		tw_error_set(err, TW_EINTERNAL, "the IVR interpreter stopped without a cause");
	const char *last = tw_call_last_prompt(call);
	if (err->code != TW_ENOMEM) {
		char *msg = err->message;
		err->message = NULL;
		quote_buf q;
		if (last)
			tw_error_set(err, err->code, "%s (last heard: \"%s\")", msg,
				     tw_call_quote(call, last, q, sizeof(q)));
		else
			tw_error_set(err, err->code, "%s (nothing heard yet)", msg);
		free(msg);
	}
	tw_error_clear(&call->error);
	call->error.code = err->code;
	call->error.message = dup_or_null(err->message);
	call->state = TW_CALL_ENDED;
	call->end = TW_END_FAILED;
	return err->code;
}

/* After an interpreter ran: the call's halt (whatever the interpreter
 * made of it), or the interpreter's own failure. */
static bool barge_open(const tw_call *call);

static int settle(tw_call *call, int rc, tw_error *err)
{
	/* issue 14, F3: an ask the caller may cut is judged on the clock
	 * after the caller's move; anything else now */
	if (rc == TW_OK && call->halt.code == TW_OK && !barge_open(call) &&
	    call->clock_s > call->limits.max_call_s + 1e-6)
		halt(call, TW_ELIMIT,
		     "the call went past %.0f s of call time (--call-max-time): "
		     "%.2f s on the call clock", call->limits.max_call_s, call->clock_s);
	if (call->halt.code != TW_OK) {
		halt_error(call, err);
		return fail(call, err);
	}
	if (rc != TW_OK)
		return fail(call, err);
	return TW_OK;
}

/* The caller's own line could not be added: out of memory (the call is
 * unchanged), or a halt (the call fails). */
static int caller_line_failed(tw_call *call, int rc, tw_error *err)
{
	if (call->halt.code == TW_OK)
		return tw_error_set(err, rc, "out of memory");
	return settle(call, rc, err);
}

int tw_call_start(tw_call *call, const char *url, tw_error *err)
{
	call->started = false;
	call->state = TW_CALL_ENDED;
	int rc = tw_call_fetch(call, NULL, url, call->method, NULL, 0, err);
	if (rc != TW_OK)
		return fail(call, err);
	call->started = true;
	return TW_OK;
}

static const char *root_name(xmlDocPtr doc)
{
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	return root ? (const char *)root->name : NULL;
}

/* issue 14, F3: the one way the IVR's bytes become a tree. NONET and no
 * entity substitution: a hostile document fetches nothing and expands
 * nothing. */
xmlDocPtr tw_call_parse_xml(const char *body, size_t len, const char *url, char *why,
			    size_t why_size)
{
	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	if (!ctxt) {
		if (why)
			snprintf(why, why_size, "out of memory");
		return NULL;
	}
	xmlDocPtr doc = xmlCtxtReadMemory(ctxt, body ? body : "",
					  (int)(len > 0x7fffffff ? 0x7fffffff : len), url, NULL,
					  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc && why) {
		const xmlError *xe = xmlCtxtGetLastError(ctxt);
		snprintf(why, why_size, "an empty document");
		if (xe && xe->message) {
			snprintf(why, why_size, "line %d: %s", xe->line, xe->message);
			why[strcspn(why, "\n")] = '\0';
		}
	}
	xmlFreeParserCtxt(ctxt);
	return doc;
}

static int resource_answer(tw_call *call, long status, const char *content_type,
			   const char *body, size_t len, double fetch_ms, const char *failed,
			   tw_error *err);
static int hold_for_resources(tw_call *call, int d, xmlDocPtr doc, const char *url,
			      tw_error *err);

int tw_call_document(tw_call *call, const char *url, long status, const char *content_type,
		     const char *body, size_t len, double fetch_ms, tw_error *err)
{
	if (call->state != TW_CALL_FETCHING)
		return tw_error_set(err, TW_EUSAGE, "no document was asked for");
	call->at = NULL; /* the last document's nodes may go with it */
	call->bargein = true; /* issue 14, CLOCK: each document says its own */
	if (call->caller_left) {
		/* The app was told the caller left; nobody listens to its
		 * answer, whatever it is. */
		request_clear(&call->pending);
		call->state = TW_CALL_ENDED;
		call->end = TW_END_CALLER;
		return TW_OK;
	}
	if (call->res_fetching) /* issue 14, AUDIO */
		return resource_answer(call, status, content_type, body, len, fetch_ms, NULL, err);
	tw_call_wait(call, fetch_ms / 1000.0);
	if (call->halt.code != TW_OK)
		return settle(call, call->halt.code, err);
	request_clear(&call->pending);
	call->state = TW_CALL_ENDED; /* until the interpreter says otherwise */
	quote_buf q;
	if (status < 200 || status >= 300) {
		tw_error_set(err, TW_ESERVICE, "the webhook %s answered %ld",
			     tw_call_quote(call, url, q, sizeof(q)), status);
		return fail(call, err);
	}
	char why[200];
	xmlDocPtr doc = tw_call_parse_xml(body, len, url, why, sizeof(why));
	if (!doc) {
		quote_buf w;
		tw_error_set(err, TW_ESERVICE,
			     "the webhook %s did not answer XML (Content-Type %s): %s",
			     tw_call_quote(call, url, q, sizeof(q)),
			     content_type ? content_type : "none",
			     tw_call_quote(call, why, w, sizeof(w)));
		return fail(call, err);
	}
	const char *root = root_name(doc);
	int d = -1;
	for (int i = 0; i < DIALECT_COUNT; i++)
		if (root && strcmp(root, dialects[i]->root) == 0)
			d = i;
	if (d < 0) {
		tw_error_set(err, TW_ESERVICE,
			     "the webhook %s answered a <%s> document, not TwiML (<Response>) "
			     "or VoiceXML (<vxml>)", tw_call_quote(call, url, q, sizeof(q)),
			     root ? root : "?");
		xmlFreeDoc(doc);
		return fail(call, err);
	}
	if (!call->interp[d] && !(call->interp[d] = dialects[d]->create(call))) {
		xmlFreeDoc(doc);
		tw_error_set(err, TW_ENOMEM, "out of memory");
		return fail(call, err);
	}
	call->current = d;
	call->turn_lines = 0;
	/* issue 14, AUDIO: what the document needs is fetched first */
	int held = hold_for_resources(call, d, doc, url, err);
	if (held)
		return held < 0 ? fail(call, err) : TW_OK;
	int rc = dialects[d]->load(call->interp[d], call, doc, url, err);
	return settle(call, rc, err);
}

static int resume(tw_call *call, const tw_call_input *in, tw_error *err)
{
	call->fetches_since_input = 0;
	call->turn++;
	call->turn_lines = 0;
	int rc = dialects[call->current]->input(call->interp[call->current], call, in, err);
	return settle(call, rc, err);
}

static int not_listening(const tw_call *call, const char *action, tw_error *err)
{
	const char *why = "";
	switch (call->state) {
	case TW_CALL_HOLDING:
		why = call->transfer ? "the caller is with an agent or in a queue"
				     : "the IVR is playing something without end (hold music?)";
		break;
	case TW_CALL_ENDED:
		why = "the call has ended";
		break;
	case TW_CALL_FETCHING:
		why = "the IVR is still fetching its next document";
		break;
	case TW_CALL_LISTENING:
		break;
	}
	return tw_error_set(err, TW_EUSAGE, "cannot %s: no input is being collected (%s)",
			    action, why);
}

/* issue 14, CLOCK: the time the caller takes to key what the carrier
 * sends: each key up to the finishing key or the listen's fixed count
 * (keys past it are dropped, and the request does not wait for them);
 * w and W are the interpreters' waits. */
static double keys_s(const tw_call *call, const char *keys)
{
	int n = 0, digits = 0;
	for (const char *k = keys; *k; k++) {
		if (*k == 'w' || *k == 'W')
			continue;
		n++;
		if (call->listen.finish_key && *k == call->listen.finish_key)
			break;
		if (call->listen.num_digits > 0 && ++digits >= call->listen.num_digits)
			break;
	}
	return n * call->key_time_s;
}

int tw_call_press(tw_call *call, const char *keys, tw_error *err)
{
	if (call->state != TW_CALL_LISTENING)
		return not_listening(call, "press keys", err);
	if (!keys || !*keys)
		return tw_error_set(err, TW_EUSAGE, "no keys to press");
	for (const char *k = keys; *k; k++)
		if (!strchr("0123456789*#wW", *k))
			return tw_error_set(err, TW_EUSAGE,
					    "'%c' is not a key: keys are 0-9, *, # (w and W wait "
					    "half a second and a second)", *k);
	/* A real caller's keys would go unheard, which techweek cannot play
	 * out yet: its limit, not the IVR's fault. */
	if (!call->listen.dtmf && !call->listen.record)
		return tw_error_set(err, TW_EUNSUPPORTED,
				    "techweek cannot rehearse pressing keys while the IVR collects "
				    "speech only: the keys would go unheard; say the words, or use "
				    "silence to rehearse a caller it does not hear");
	call->at = NULL;
	int rc = add_event(call, TW_EV_PRESS, keys, keys_s(call, keys), false);
	if (rc)
		return caller_line_failed(call, rc, err);
	tw_call_input in = {.kind = TW_INPUT_DTMF, .digits = keys};
	return resume(call, &in, err);
}

int tw_call_say(tw_call *call, const char *phrase, double confidence, tw_error *err)
{
	if (call->state != TW_CALL_LISTENING)
		return not_listening(call, "speak", err);
	/* A real caller's words would go unheard, which techweek cannot play
	 * out yet: its limit, not the IVR's fault. */
	if (!call->listen.speech && !call->listen.record)
		return tw_error_set(err, TW_EUNSUPPORTED,
				    "techweek cannot rehearse speaking while the IVR collects keys "
				    "only (dtmf): the words would go unheard; press keys, or use "
				    "silence to rehearse a caller it does not hear");
	call->at = NULL;
	int rc = add_event(call, TW_EV_SPEAK, phrase, tw_call_speech_s(call, phrase), false);
	if (rc)
		return caller_line_failed(call, rc, err);
	tw_call_input in = {.kind = TW_INPUT_SPEECH, .speech = phrase, .confidence = confidence};
	return resume(call, &in, err);
}

int tw_call_silence(tw_call *call, tw_error *err)
{
	if (call->state != TW_CALL_LISTENING)
		return not_listening(call, "stay silent for an answer", err);
	call->at = NULL;
	int rc = add_event(call, TW_EV_SILENCE, NULL, 0, false);
	if (rc)
		return caller_line_failed(call, rc, err);
	tw_call_input in = {.kind = TW_INPUT_SILENCE};
	return resume(call, &in, err);
}

int tw_call_hangup(tw_call *call, tw_error *err)
{
	/* Putting the phone down after the IVR hung up is what callers do;
	 * `expect hangup` is how a rehearsal checks who ended the call. */
	if (call->state == TW_CALL_ENDED)
		return TW_OK;
	int rc = add_event(call, TW_EV_HANGUP, "caller", 0, false);
	if (rc)
		return caller_line_failed(call, rc, err);
	bool fetching = call->state == TW_CALL_FETCHING;
	call->caller_left = true;
	if (call->current >= 0 && !fetching) {
		/* A Dial's or Record's action is told the caller left, as a
		 * carrier does: that request stays pending, and its answer
		 * ends the call (tw_call_document). */
		tw_call_input in = {.kind = TW_INPUT_HANGUP};
		call->fetches_since_input = 0;
		call->state = TW_CALL_ENDED;
		int rc = dialects[call->current]->input(call->interp[call->current], call, &in, err);
		tw_error_clear(err);
		if (rc == TW_OK && call->state == TW_CALL_FETCHING)
			return TW_OK;
	}
	request_clear(&call->pending);
	call->state = TW_CALL_ENDED;
	call->end = TW_END_CALLER;
	return TW_OK;
}

/* ---- issue 14, CLOCK: barge-in ---- */

void tw_call_set_bargein(tw_call *call, bool on)
{
	call->bargein = on;
}

double tw_call_speaking_rate(const tw_call *call)
{
	return call->speaking_rate;
}

double tw_call_key_time(const tw_call *call)
{
	return call->key_time_s;
}

/* The listen's ask can still be cut: the caller has not acted on it. */
static bool barge_open(const tw_call *call)
{
	return call->state == TW_CALL_LISTENING && !call->listen.record && call->barge_ask &&
	       call->barge_turn == call->turn && call->barge_from <= call->event_count;
}

size_t tw_call_settled(const tw_call *call)
{
	return barge_open(call) ? call->barge_from : call->event_count;
}

/* Words in text that begin before byte end: a word the caller heard the
 * start of is heard to its end (a caller acts on whole words). */
static void words_upto(const char *text, size_t end, int *before, int *all)
{
	*before = *all = 0;
	bool in_word = false;
	for (size_t i = 0; text[i]; i++) {
		bool space = isspace((unsigned char)text[i]);
		if (!space && !in_word) {
			(*all)++;
			if (i < end)
				(*before)++;
		}
		in_word = !space;
	}
}

/* Plays of the ask after its first: a prompt that repeats one the ask
 * played before it (a loop="3", a menu said twice). */
static size_t first_loop_play(const tw_call *call, size_t from, size_t end)
{
	for (size_t k = from; k < end; k++) {
		const tw_call_event *e = &call->events[k];
		if (!e->is_prompt || !e->text)
			continue;
		for (size_t j = from; j < k; j++)
			if (call->events[j].is_prompt && call->events[j].text &&
			    strcmp(call->events[j].text, e->text) == 0)
				return k;
	}
	return end;
}

void tw_call_barge_in(tw_call *call, size_t heard, size_t heard_byte)
{
	if (!barge_open(call))
		return;
	size_t s = call->barge_from, e = call->event_count, turn_start = e;
	while (turn_start > 0 && call->events[turn_start - 1].turn == call->turn)
		turn_start--;
	/* The cut: event i, of which `into` seconds were heard. */
	size_t i;
	double into = 0;
	int heard_words = 0;
	if (heard_byte == 0 && heard <= turn_start) {
		/* No hear in this turn: the caller knew the key and acts once
		 * the ask has played once. */
		i = first_loop_play(call, s, e);
	} else if (heard_byte > 0 && heard >= s && heard < e) {
		const tw_call_event *ev = &call->events[heard];
		i = heard + 1;
		if (ev->kind == TW_EV_SAY && ev->text) {
			int before, all;
			words_upto(ev->text, heard_byte, &before, &all);
			if (all > 0 && before < all) {
				i = heard;
				into = ev->duration_s * before / all;
				heard_words = before;
			}
		}
	} else {
		i = heard_byte > 0 ? heard + 1 : heard;
		if (i < s)
			i = s;
	}
	/* Input is not taken during a prompt that does not allow barge-in:
	 * the caller's keys wait for its end. */
	while (i < e && call->events[i].no_barge) {
		i++;
		into = 0;
		heard_words = 0;
	}
	/* Notes (a loop cut short) are techweek's, not a prompt to cut. */
	while (i < e && into == 0 && !call->events[i].is_prompt &&
	       call->events[i].kind != TW_EV_PAUSE)
		i++;
	if (i >= e)
		return;
	double t = call->events[i].at_s + into;
	call->events[i].cut = true;
	call->events[i].duration_s = into;
	call->events[i].heard_words = heard_words;
	call->barged = true;
	for (size_t k = i + 1; k < e; k++) {
		tw_call_event *ev = &call->events[k];
		if (ev->kind == TW_EV_NOTE)
			ev->at_s = t;
		else
			ev->unplayed = true;
	}
	call->clock_s = t;
}

/* ---- issue 14, AUDIO: resources ---- */

/* Parsed as the call parses documents: NONET, no entities expanded. */
static xmlDocPtr parse_xml(const char *body, size_t len, const char *url)
{
	return tw_call_parse_xml(body, len, url, NULL, 0);
}

static void resource_clear(resource *r)
{
	free(r->url);
	free(r->content_type);
	free(r->body);
	free(r->failure);
	free(r->audio_why);
	free(r->est_note);
}

static void drop_held(tw_call *call)
{
	xmlFreeDoc(call->held);
	call->held = NULL;
}

static void resources_free(tw_call *call)
{
	for (size_t i = 0; i < call->res_count; i++)
		resource_clear(&call->res[i]);
	free(call->res);
	tw_strmap_free(&call->res_map);
	drop_held(call);
	free(call->held_url);
	if (call->own_audio)
		tw_audio_cache_free(call->audio);
}

static bool is_http(const char *url)
{
	return strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0;
}

/* ref against base, NULL when it is no URL (the interpreter says so when
 * it gets there) or out of memory. */
static char *absolute(const char *base, const char *ref)
{
	char *url = NULL;
	tw_error e = {0};
	if (tw_url_resolve(base, ref, &url, &e) != TW_OK)
		url = NULL;
	tw_error_clear(&e);
	return url;
}

static resource *find(const tw_call *call, const char *url)
{
	size_t i;
	return url && tw_strmap_get(&call->res_map, url, &i) ? &call->res[i] : NULL;
}

typedef struct collecting {
	tw_call *call;
	const char *base;
	bool no_root;   /* collecting an application root's or a grammar's: an
			   application root it names is not followed */
	size_t added;
	size_t left;    /* past TW_CALL_MAX_RESOURCES */
	/* issue 14, F3: collecting a fetched file's (a grammar's, the
	 * root's): what it names past the document's cap is the IVR's fault */
	bool fetched;
	int depth;      /* of what it names */
	long line;      /* of the first one past a cap */
	bool too_deep, too_many;
} collecting;

static int add_ref(void *ctx, tw_call_res_kind kind, const char *ref, long line)
{
	collecting *c = ctx;
	tw_call *call = c->call;
	if (c->no_root && kind == TW_RES_APPLICATION)
		return TW_OK;
	char *url = absolute(c->base, ref);
	if (!url || !is_http(url) || find(call, url)) {
		free(url);
		return TW_OK;
	}
	/* issue 14, F3: one cap for the document and every file its files
	 * name, so a grammar naming a new grammar for ever ends */
	size_t *count = kind == TW_RES_AUDIO ? &call->res_doc_audio : &call->res_doc_count;
	if (c->depth > TW_SRGS_MAX_DOCS || *count == TW_CALL_MAX_RESOURCES) {
		/* audio past the cap plays for the default length, with a
		 * note; a grammar, script or root past it is the IVR's fault */
		if (!c->fetched || kind == TW_RES_AUDIO) {
			c->left++;
		} else if (!c->too_deep && !c->too_many) {
			c->too_deep = c->depth > TW_SRGS_MAX_DOCS;
			c->too_many = !c->too_deep;
			c->line = line;
		}
		free(url);
		return TW_OK;
	}
	if (tw_array_grow(&call->res, &call->res_cap, call->res_count + 1, sizeof(*call->res))) {
		free(url);
		return TW_ENOMEM;
	}
	resource r = {.url = url, .kind = kind, .line = line, .depth = c->depth, .est_s = -1};
	double s;
	/* Timed by the run already: not fetched again. */
	if (kind == TW_RES_AUDIO && tw_audio_cache_get(call->audio, url, &s, NULL))
		r.done = true;
	if (tw_strmap_put(&call->res_map, url, call->res_count, NULL, NULL) != TW_OK) {
		free(url);
		return TW_ENOMEM;
	}
	call->res[call->res_count++] = r;
	c->added++;
	(*count)++;
	return TW_OK;
}

static const char *accept_of(tw_call_res_kind kind)
{
	switch (kind) {
	case TW_RES_AUDIO:
		return "audio/*, */*;q=0.5";
	case TW_RES_GRAMMAR:
		return "application/srgs+xml, application/srgs, text/xml, application/xml, "
		       "*/*;q=0.5";
	case TW_RES_SCRIPT:
		return "application/ecmascript, application/javascript, text/javascript, "
		       "*/*;q=0.5";
	case TW_RES_APPLICATION:
		break;
	}
	return "application/voicexml+xml, text/xml, application/xml";
}

/* The next resource not yet answered becomes the pending GET: true, or
 * false when none is left (or out of memory: *rc). */
static bool next_resource(tw_call *call, int *rc)
{
	*rc = TW_OK;
	while (call->res_next < call->res_count && call->res[call->res_next].done)
		call->res_next++;
	if (call->res_next == call->res_count)
		return false;
	resource *r = &call->res[call->res_next];
	tw_call_request q = {.accept = accept_of(r->kind)};
	if (!(q.method = strdup("GET")) || !(q.url = strdup(r->url))) {
		request_clear(&q);
		*rc = TW_ENOMEM;
		return false;
	}
	request_clear(&call->pending);
	call->pending = q;
	call->res_current = call->res_next++;
	call->res_fetching = true;
	call->state = TW_CALL_FETCHING;
	return true;
}

/* 1: doc is held until its resources are answered (FETCHING); 0: it
 * needs none fetched, run it; -1: err filled (doc freed). */
static int hold_for_resources(tw_call *call, int d, xmlDocPtr doc, const char *url,
			      tw_error *err)
{
	collecting c = {.call = call, .base = url};
	call->res_doc_count = 0;
	call->res_doc_audio = 0;
	call->res_doc_ms = 0;
	int rc = dialects[d]->resources ? dialects[d]->resources(doc, add_ref, &c) : TW_OK;
	if (rc == TW_OK && c.left) {
		char note[200];
		snprintf(note, sizeof(note),
			 "the document refers to %zu more files than techweek fetches before "
			 "it runs (%d): those are not fetched",
			 c.left, TW_CALL_MAX_RESOURCES);
		rc = add_event(call, TW_EV_NOTE, note, 0, true);
	}
	bool fetching = rc == TW_OK && next_resource(call, &rc);
	if (rc != TW_OK) {
		xmlFreeDoc(doc);
		if (call->halt.code != TW_OK)
			return halt_error(call, err), -1;
		tw_error_set(err, TW_ENOMEM, "out of memory");
		return -1;
	}
	if (!fetching)
		return 0;
	char *u = strdup(url);
	if (!u) {
		xmlFreeDoc(doc);
		tw_error_set(err, TW_ENOMEM, "out of memory");
		return -1;
	}
	drop_held(call);
	free(call->held_url);
	call->held = doc;
	call->held_url = u;
	call->held_dialect = d;
	return 1;
}

/* issue 14, F3: the first use of r in the call puts its fetch on the
 * clock: the caller waits for what the carrier fetched for the prompt or
 * grammar at hand. A file the run had timed costs nothing (fetch_s 0: a
 * carrier's cache). */
static void charge(tw_call *call, resource *r)
{
	if (!r || r->charged)
		return;
	r->charged = true;
	tw_call_wait(call, r->fetch_s);
}

/* The prefetch went past its time: the audio not fetched yet is skipped,
 * as a carrier skips a recording it cannot get (it plays for the default
 * length, with a note): 1 when a grammar, script or root is left, which
 * the document cannot run without, else 0; -1 out of memory. */
static int skip_audio_left(tw_call *call)
{
	int left = 0;
	for (size_t i = call->res_next; i < call->res_count; i++) {
		resource *r = &call->res[i];
		if (r->done)
			continue;
		if (r->kind != TW_RES_AUDIO) {
			left = 1;
			continue;
		}
		r->done = true;
		char why[160];
		snprintf(why, sizeof(why),
			 "not fetched: the document's files took more than %g s (--timeout)",
			 call->limits.prefetch_s);
		if (!(r->audio_why = strdup(why)))
			return -1;
	}
	return left;
}

/* issue 14, F3: the prefetch went past one of its caps (c's, or the
 * time budget): the IVR's fault, as a platform's error.badfetch. */
static void prefetch_over(tw_call *call, const collecting *c, tw_error *err)
{
	quote_buf q;
	const char *base = tw_call_quote(call, c->base, q, sizeof(q));
	if (c->too_deep)
		tw_error_set(err, TW_ESERVICE,
			     "the document's grammars refer to grammars more than %d deep "
			     "(what a grammar may nest): line %ld of %s names one more",
			     TW_SRGS_MAX_DOCS, c->line, base);
	else if (c->too_many)
		tw_error_set(err, TW_ESERVICE,
			     "the document and the files it refers to name more than %d files "
			     "(what techweek fetches for one document): line %ld of %s names "
			     "one more", TW_CALL_MAX_RESOURCES, c->line, base);
	else
		tw_error_set(err, TW_ESERVICE,
			     "fetching the files the document refers to took more than %g s "
			     "(--timeout), %zu files so far, the last %s",
			     call->limits.prefetch_s, call->res_doc_count, base);
}

/* The pending resource's answer (failed: the transport's words, or
 * NULL), kept; then the next resource, or the held document runs. */
static int resource_answer(tw_call *call, long status, const char *content_type,
			   const char *body, size_t len, double fetch_ms, const char *failed,
			   tw_error *err)
{
	/* issue 14, F3: the caller waits for a file when the document uses
	 * it (charge), not for every file of every branch now */
	call->res_fetching = false;
	if (fetch_ms > 0) {
		call->res_doc_ms += fetch_ms;
		call->res[call->res_current].fetch_s = fetch_ms / 1000.0;
	}
	if (call->halt.code != TW_OK) {
		drop_held(call);
		return settle(call, call->halt.code, err);
	}
	request_clear(&call->pending);
	call->state = TW_CALL_ENDED; /* until the document says otherwise */
	resource *r = &call->res[call->res_current];
	r->done = true;
	r->status = status;
	char why[TW_AUDIO_WHY_SIZE] = "";
	if (failed)
		snprintf(why, sizeof(why), "%s", failed);
	else if (status < 200 || status >= 300)
		snprintf(why, sizeof(why), "answered %ld", status);
	int rc = TW_OK;
	double seconds = -1;
	if (!why[0] && r->kind == TW_RES_AUDIO && call->res_partial) {
		/* issue 14, F3: a file past --max-body, timed from what came */
		bool estimated = false;
		seconds = tw_audio_duration_prefix(body, len, (size_t)call->res_size, &estimated,
						   why);
		if (seconds >= 0 && estimated) {
			r->est_s = seconds;
			seconds = -1; /* this call's, not the run's */
			if (call->res_size <= 0) {
				tw_buf b;
				tw_buf_init(&b, 4096);
				tw_buf_printf(&b, "%s is larger than --max-body and its server did "
					      "not say how large: timed from its first %zu bytes "
					      "only, %.1f s; it plays longer", r->url, len, r->est_s);
				if (!tw_buf_failed(&b))
					r->est_note = tw_buf_steal(&b);
				else
					tw_buf_free(&b);
			}
		}
	} else if (!why[0] && r->kind == TW_RES_AUDIO) {
		seconds = tw_audio_duration(body, len, why);
	}
	call->res_partial = false;
	if (why[0]) {
		quote_buf q;
		tw_buf b;
		tw_buf_init(&b, 1024);
		tw_buf_printf(&b, "GET %s %s", tw_call_quote(call, r->url, q, sizeof(q)), why);
		if (!tw_buf_failed(&b))
			r->failure = tw_buf_steal(&b);
		else
			tw_buf_free(&b);
		rc = r->failure ? TW_OK : TW_ENOMEM;
	} else if (r->kind != TW_RES_AUDIO) {
		r->len = len;
		if ((r->body = malloc(len + 1))) {
			if (len)
				memcpy(r->body, body, len);
			r->body[len] = '\0';
		}
		r->content_type = dup_or_null(content_type);
		if (!r->body || (content_type && !r->content_type))
			rc = TW_ENOMEM;
	}
	/* issue 14, F3: only a length is the run's; a failure (a 503, a
	 * timeout) is this call's, and the next call tries again */
	if (rc == TW_OK && r->kind == TW_RES_AUDIO && seconds >= 0)
		rc = tw_audio_cache_put(call->audio, r->url, seconds, NULL);
	else if (rc == TW_OK && r->kind == TW_RES_AUDIO && r->est_s < 0 &&
		 !(r->audio_why = strdup(why)))
		rc = TW_ENOMEM;
	collecting c = {.call = call, .base = r->url, .no_root = true, .fetched = true,
			.depth = r->depth + 1};
	if (rc == TW_OK && r->kind == TW_RES_APPLICATION && !r->failure) {
		/* The root document's own resources, before the document runs. */
		xmlDocPtr root = parse_xml(r->body, r->len, r->url);
		if (root) {
			c.depth = 0; /* the document's own, in effect */
			rc = tw_vxml_resources(root, add_ref, &c);
			xmlFreeDoc(root);
			r = NULL; /* res may have moved */
		}
	}
	if (rc == TW_OK && r && r->kind == TW_RES_GRAMMAR && !r->failure) {
		/* issue 14, SRGS: the grammars this grammar's rulerefs name */
		xmlDocPtr g = parse_xml(r->body, r->len, r->url);
		if (g) {
			rc = tw_srgs_resources(g, add_ref, &c);
			xmlFreeDoc(g);
			r = NULL;
		}
	}
	int left = 0;
	if (rc == TW_OK && !c.too_deep && !c.too_many &&
	    call->res_doc_ms > call->limits.prefetch_s * 1000 &&
	    (left = skip_audio_left(call)) < 0)
		rc = TW_ENOMEM;
	if (rc == TW_OK && (c.too_deep || c.too_many || left)) {
		prefetch_over(call, &c, err);
		drop_held(call);
		return fail(call, err);
	}
	if (rc == TW_OK && next_resource(call, &rc))
		return TW_OK;
	if (rc != TW_OK || !call->held) {
		drop_held(call);
		tw_error_set(err, TW_ENOMEM, "out of memory");
		return fail(call, err);
	}
	xmlDocPtr doc = call->held;
	call->held = NULL;
	int d = call->held_dialect;
	call->at = NULL;
	call->turn_lines = 0;
	rc = dialects[d]->load(call->interp[d], call, doc, call->held_url, err);
	return settle(call, rc, err);
}

bool tw_call_fetching_resource(const tw_call *call)
{
	return call->res_fetching && call->state == TW_CALL_FETCHING;
}

int tw_call_resource_failed(tw_call *call, const char *why, double fetch_ms, tw_error *err)
{
	if (!tw_call_fetching_resource(call))
		return tw_error_set(err, TW_EUSAGE, "no resource is being fetched");
	return resource_answer(call, 0, NULL, NULL, 0, fetch_ms,
			       why && *why ? why : "could not be fetched", err);
}

int tw_call_resource_partial(tw_call *call, long status, const char *content_type,
			     const char *body, size_t kept, double size, double fetch_ms,
			     tw_error *err)
{
	if (!tw_call_fetching_resource(call))
		return tw_error_set(err, TW_EUSAGE, "no resource is being fetched");
	if (call->res[call->res_current].kind != TW_RES_AUDIO || status < 200 || status >= 300)
		return resource_answer(call, 0, NULL, NULL, 0, fetch_ms,
				       "is larger than the --max-body limit", err);
	call->res_partial = true;
	call->res_size = size > (double)kept ? size : 0;
	return resource_answer(call, status, content_type, body, kept, fetch_ms, NULL, err);
}

int tw_call_resource(tw_call *call, const char *base, const char *ref, const char **body,
		     size_t *len, const char **content_type, tw_error *err)
{
	quote_buf q;
	char *url = absolute(base, ref ? ref : "");
	resource *r = find(call, url);
	if (!r || !r->done || r->kind == TW_RES_AUDIO) {
		tw_error_set(err, TW_CALL_NOT_FETCHED,
			     "%s was not fetched before the document ran (a computed URL?)",
			     tw_call_quote(call, url ? url : ref ? ref : "", q, sizeof(q)));
		free(url);
		return TW_CALL_NOT_FETCHED;
	}
	free(url);
	charge(call, r);
	if (r->failure)
		return tw_error_set(err, TW_ESERVICE, "%s", r->failure);
	if (body)
		*body = r->body;
	if (len)
		*len = r->len;
	if (content_type)
		*content_type = r->content_type;
	return TW_OK;
}

/* The length of ref's audio, or negative with why. */
static double audio_s(tw_call *call, const char *base, const char *ref,
		      char why[TW_AUDIO_WHY_SIZE], resource **r)
{
	char *url = absolute(base, ref ? ref : "");
	double s = -1;
	*r = find(call, url);
	charge(call, *r);
	if (*r && (*r)->est_s >= 0) {
		free(url);
		why[0] = '\0';
		return (*r)->est_s;
	}
	if (url && *r && (*r)->audio_why && !tw_audio_cache_get(call->audio, url, &s, NULL)) {
		snprintf(why, TW_AUDIO_WHY_SIZE, "%s", (*r)->audio_why);
		s = -1;
	} else if (!url || !tw_audio_cache_get(call->audio, url, &s, why)) {
		snprintf(why, TW_AUDIO_WHY_SIZE, "%s",
			 url && !is_http(url) ? "techweek fetches only http and https URLs"
			 : !*r ? "not fetched before the document ran: a computed URL, or "
				 "past the files fetched per document?"
			       : "not fetched before the document ran");
		s = -1;
	}
	free(url);
	return s;
}

double tw_call_audio_timed(tw_call *call, const char *base, const char *ref, char *why,
			   int *rc)
{
	char own[TW_AUDIO_WHY_SIZE];
	resource *r;
	double s = audio_s(call, base, ref, why ? why : own, &r);
	*rc = TW_OK;
	if (s >= 0 && r && r->est_note && !r->noted) {
		r->noted = true;
		*rc = add_event(call, TW_EV_NOTE, r->est_note, 0, true);
	}
	if (s >= 0 || why)
		return s;
	why = own;
	if (!r || !r->noted) {
		char *url = absolute(base, ref ? ref : "");
		tw_buf b;
		tw_buf_init(&b, 4096);
		tw_buf_printf(&b, "could not time %s (%s); counted as %.1f s",
			      url ? url : ref ? ref : "", why, TW_CALL_AUDIO_DEFAULT_S);
		free(url);
		*rc = tw_buf_failed(&b) ? TW_ENOMEM
					: add_event(call, TW_EV_NOTE, tw_buf_str(&b), 0, true);
		tw_buf_free(&b);
		if (r)
			r->noted = true;
	}
	return TW_CALL_AUDIO_DEFAULT_S;
}

int tw_call_audio_event(tw_call *call, const char *text, double seconds)
{
	size_t before = call->event_count;
	int rc = add_event(call, TW_EV_PLAY, text, seconds, true);
	if (call->event_count > before)
		call->events[before].audio = true;
	/* issue 14, F3: text is the absolute URL the file was fetched by */
	const resource *r = call->event_count > before ? find(call, text) : NULL;
	if (r && r->est_s >= 0)
		call->events[before].estimated = true;
	return rc;
}

/* ---- issue 14, MATCH: who ended the call ---- */

void tw_call_ran_out(tw_call *call)
{
	call->ran_out = true;
}

const char *tw_call_hangup_by(const tw_call *call)
{
	if (call->state != TW_CALL_ENDED)
		return NULL;
	if (call->end == TW_END_CALLER)
		return "caller";
	if (call->end == TW_END_HANGUP)
		return call->ran_out ? "end" : "ivr";
	return NULL;
}

/* ---- issue 14, JS ---- */

const char *tw_call_from(const tw_call *call)
{
	return call->from;
}

const char *tw_call_to(const tw_call *call)
{
	return call->to;
}

/* ---- issue 14, F2 ---- */

double tw_call_script_time(const tw_call *call)
{
	return call->script_time_s;
}

/* issue 14, F1 */
bool tw_call_speaks_vxml(const tw_call *call)
{
	/* a VoiceXML document held for its files runs when the last one is
	 * answered: that answer may script too */
	return call && (call->current == DIALECT_VXML ||
			(call->held && call->held_dialect == DIALECT_VXML));
}

/* ---- issue 14, F6 ---- */

bool tw_call_stop_asked(void *ctx)
{
	tw_call *call = ctx;
	return call->stop && call->stop(call->stop_ctx);
}

int tw_call_cut(tw_call *call, tw_error *err)
{
	call->stopped = call->halt.code == TW_OK || call->stopped;
	halt(call, TW_ELIMIT, "cut off: the run was ending while the IVR's script ran");
	return halt_error(call, err);
}
