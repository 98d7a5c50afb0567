/*
 * TwiML, run the way Twilio's carrier runs it for a caller.
 *
 * Why: an IVR built on Twilio is a web service answering TwiML documents.
 * To rehearse it without a phone network, techweek plays the carrier: it
 * reads each <Response>, plays what the caller would hear into the call's
 * transcript, and stops where the carrier would wait for the caller, ask
 * for another document, or put the caller through to someone.
 *
 * How: a document is run verb by verb from a cursor. Each verb either
 * lets the run go on (Say, Play, Pause) or stops it, leaving the call
 * FETCHING (Redirect, an action), LISTENING (Gather, Record), HOLDING
 * (Dial, Enqueue, endless hold music) or ENDED (Hangup, Reject, no verbs
 * left). A verb that waits for the caller stays the cursor: when input
 * comes, it decides between requesting its action and falling through to
 * the verb after it, as the carrier does when a Gather times out. The
 * instance owns the current document, so the cursor is only valid until
 * the next document loads, which resets it.
 *
 * Time: speech takes tw_call_speech_s, pauses and timeouts the caller sat
 * through move the clock on, and a <Play> of a URL its file's length (the
 * call fetched it before the document ran: call.h, "Resources").
 *
 * What the carrier would do with attributes it cannot read (a loop of
 * "abc", a method of "PUT") the caller does too: the default is used and
 * the transcript gets a note saying so, for the IVR's authors to see.
 * Verbs a caller cannot meet in a rehearsal (Connect, Pay, ...) stop the
 * call at techweek's limit (TW_EUNSUPPORTED: not the IVR's fault);
 * unknown verbs stop it as the service's fault. Both name the verb, its
 * line and the document's URL.
 */
#include "channels/ivr/call.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "channels/web/html.h" /* issue 14, AUDIO: tw_url_resolve */
#include "core/buf.h"

#define URL_CHARS 200            /* of a document URL quoted in a message */
#define NOTE_MAX 512             /* a transcript note */
#define KEYS_MAX ((size_t)4096)  /* keys collected by one Gather */
#define MESSAGE_MAX ((size_t)1 << 16) /* what one Record keeps of the caller */
#define TONE_S 0.1               /* a DTMF tone played by <Play digits> */
#define BEEP_S 0.5               /* <Record>'s beep */
#define AUTO_SPEECH_END_S 1.0    /* speechTimeout="auto": the pause the
				    carrier takes as the end of speech */
#define RECORD_KEYS "1234567890*#"
#define LENGTH_MAX 86400L        /* seconds: longer is surely a typo */

enum waiting {
	WAIT_NONE,   /* nothing, or endless hold music */
	WAIT_GATHER,
	WAIT_RECORD,
	WAIT_DIAL,
	WAIT_QUEUE,
};

/* A Gather's attributes, read when it starts listening. */
struct gather {
	bool dtmf, speech, action_on_empty;
	int num_digits;        /* 0: any number */
	char finish_key;       /* '\0': none */
	double timeout_s, speech_end_s;
};

/* A Record's attributes and what the caller has said into it so far. */
struct record {
	char finish[sizeof(RECORD_KEYS)]; /* keys that end it */
	double timeout_s, max_s;
	tw_buf message;
	double message_s;
};

struct twiml {
	xmlDocPtr doc;           /* owned */
	char *url;               /* owned: the document's URL, base of refs */
	char shown_url[URL_CHARS + 1]; /* url as messages quote it: masked
					  (tw_call_quote), then cut */
	enum waiting waiting;
	xmlNodePtr verb;         /* the verb waiting for the caller */
	struct gather gather;
	struct record record;
	double connected_at_s;   /* clock when a Dial or Enqueue connected */
	unsigned long serial;    /* SIDs made by this instance */
};

/* ---- small helpers ------------------------------------------------------- */

static int oom(tw_error *err)
{
	return tw_error_set(err, TW_ENOMEM, "out of memory");
}

static const char *name_of(xmlNodePtr v)
{
	return (const char *)v->name;
}

static long line_of(xmlNodePtr v)
{
	return xmlGetLineNo(v);
}

/* The first element at or after n among its siblings. */
static xmlNodePtr element_from(xmlNodePtr n)
{
	while (n && n->type != XML_ELEMENT_NODE)
		n = n->next;
	return n;
}

static bool is_named(xmlNodePtr v, const char *name)
{
	return strcmp(name_of(v), name) == 0;
}

/* An attribute's value (free with xmlFree), NULL when absent. */
static char *attr(xmlNodePtr v, const char *name)
{
	return (char *)xmlGetNoNsProp(v, (const xmlChar *)name);
}

/* tw_call_param holds non-const strings for the call's own use; ours are
 * only read (tw_call_fetch copies them), so casting here is safe. */
static tw_call_param param(const char *name, const char *value)
{
	return (tw_call_param){.name = (char *)name, .value = (char *)value};
}

/* A line the call would not add: out of memory, or the call halted (it
 * gives its own cause, see call.h). */
static int line_failed(int rc, tw_error *err)
{
	return rc == TW_ENOMEM ? oom(err) : rc;
}

static int note(tw_call *call, tw_error *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Adds a techweek note to the transcript. */
static int note(tw_call *call, tw_error *err, const char *fmt, ...)
{
	char text[NOTE_MAX];
	va_list ap;
	va_start(ap, fmt);
	const char *made = tw_call_vquote(call, text, sizeof(text), fmt, ap);
	va_end(ap);
	if (!made)
		return oom(err);
	return line_failed(tw_call_event_add(call, TW_EV_NOTE, text, 0), err);
}

static int event(tw_call *call, tw_call_event_kind kind, const char *text, double s,
		 tw_error *err)
{
	return line_failed(tw_call_event_add(call, kind, text, s), err);
}

/* The text inside v (SSML markup in a Say included), whitespace collapsed
 * and trimmed: what a text-to-speech engine would say. NULL on OOM. */
static char *text_of(xmlNodePtr v)
{
	xmlChar *raw = xmlNodeGetContent(v);
	if (!raw)
		return strdup("");
	char *out = malloc(strlen((const char *)raw) + 1);
	if (out) {
		char *o = out;
		for (const unsigned char *p = raw; *p; p++) {
			if (!isspace(*p))
				*o++ = (char)*p;
			else if (o > out && !isspace((unsigned char)p[1]) && p[1])
				*o++ = ' ';
		}
		*o = '\0';
	}
	xmlFree(raw);
	return out;
}

/* The text of v's own text children only (a Dial's bare number, not its
 * nouns), trimmed. NULL on OOM. */
static char *own_text(xmlNodePtr v)
{
	/* No cap of its own: text in a document is never more than the
	 * document, which the run's --max-body caps. */
	tw_buf b;
	tw_buf_init(&b, SIZE_MAX / 2);
	for (xmlNodePtr c = v->children; c; c = c->next)
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
			tw_buf_puts(&b, (const char *)c->content);
	char *s = tw_buf_steal(&b);
	if (!s)
		return NULL;
	size_t start = 0, end = strlen(s);
	while (start < end && isspace((unsigned char)s[start]))
		start++;
	while (end > start && isspace((unsigned char)s[end - 1]))
		end--;
	memmove(s, s + start, end - start);
	s[end - start] = '\0';
	return s;
}

/* A whole number in [lo, hi], nothing else around it but spaces. */
static bool parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s || !(isdigit((unsigned char)*s) || *s == '-' || *s == '+'))
		return false;
	long v = strtol(s, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	if (*end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* The note for an attribute the carrier cannot use. */
static int ignored(tw_call *call, xmlNodePtr v, const char *name, const char *value,
		   const char *why, tw_error *err)
{
	char q[61];
	return note(call, err,
		    "ignored %s=\"%s\" on <%s> at line %ld: %s; the carrier uses its default",
		    name, tw_call_quote(call, value, q, sizeof(q)), name_of(v), line_of(v), why);
}

/* A whole-number attribute: def when absent or unusable (noted). */
static int long_attr(tw_call *call, xmlNodePtr v, const char *name, long lo, long hi,
		     long def, long *out, tw_error *err)
{
	char *s = attr(v, name);
	*out = def;
	int rc = TW_OK;
	if (s && !parse_long(s, lo, hi, out)) {
		char why[80];
		snprintf(why, sizeof(why), "not a whole number from %ld to %ld", lo, hi);
		*out = def;
		rc = ignored(call, v, name, s, why, err);
	}
	xmlFree(s);
	return rc;
}

static int bool_attr(tw_call *call, xmlNodePtr v, const char *name, bool def, bool *out,
		     tw_error *err)
{
	char *s = attr(v, name);
	*out = def;
	int rc = TW_OK;
	if (s && strcasecmp(s, "true") == 0)
		*out = true;
	else if (s && strcasecmp(s, "false") == 0)
		*out = false;
	else if (s)
		rc = ignored(call, v, name, s, "not true or false", err);
	xmlFree(s);
	return rc;
}

/* method: GET or POST (POST by default). */
static int method_attr(tw_call *call, xmlNodePtr v, const char **out, tw_error *err)
{
	char *s = attr(v, "method");
	*out = "POST";
	int rc = TW_OK;
	if (s && strcasecmp(s, "GET") == 0)
		*out = "GET";
	else if (s && strcasecmp(s, "POST") != 0)
		rc = ignored(call, v, "method", s, "TwiML allows GET or POST", err);
	xmlFree(s);
	return rc;
}

/* Requests v's action (the current document when it has none) with the
 * extra params, by v's method. */
static int fetch_action(struct twiml *t, tw_call *call, xmlNodePtr v,
			const tw_call_param *extra, size_t count, tw_error *err)
{
	const char *method;
	int rc = method_attr(call, v, &method, err);
	if (rc)
		return rc;
	char *action = attr(v, "action");
	rc = tw_call_fetch(call, t->url, action && *action ? action : t->url, method, extra,
			   count, err);
	xmlFree(action);
	return rc;
}

/* A SID (two letters, 32 hex digits) for things the carrier names: the
 * dialled leg, a recording. FNV-1a over the CallSid and a serial, mixed
 * with splitmix64: only needs to look real and differ between calls. */
static void make_sid(struct twiml *t, tw_call *call, const char *prefix, char out[35])
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (const unsigned char *p = (const unsigned char *)tw_call_sid(call); *p; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	h ^= ++t->serial;
	int n = snprintf(out, 35, "%.2s", prefix);
	for (int i = 0; i < 2; i++) {
		uint64_t z = (h += 0x9E3779B97F4A7C15ULL);
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
		z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
		z ^= z >> 31;
		n += snprintf(out + n, (size_t)(35 - n), "%016llx", (unsigned long long)z);
	}
}

/* How many times a prompt loops at most. */
static int max_loops(const tw_call *call)
{
	int n = tw_call_limits_of(call)->max_prompt_loops;
	return n > 0 ? n : 1;
}

/* ---- prompts: Say, Play, Pause ------------------------------------------- */

/* How a verb runs: at the top of a document or inside a Gather. */
struct run {
	bool stop;       /* the verb left the call waiting, fetching or ended */
	bool in_gather;
};

/* loop="n": plays, and whether the loop was cut short (0 = until the
 * caller hangs up, or more than the limit). */
static int loop_attr(tw_call *call, xmlNodePtr v, int *plays, long *asked, tw_error *err)
{
	int rc = long_attr(call, v, "loop", 0, LONG_MAX, 1, asked, err);
	int cap = max_loops(call);
	*plays = *asked == 0 || *asked > cap ? cap : (int)*asked;
	return rc;
}

static int loop_note(tw_call *call, xmlNodePtr v, int plays, long asked, tw_error *err)
{
	if (asked == 0)
		return note(call, err,
			    "<%s loop=\"0\"> at line %ld repeats until the caller hangs up; "
			    "techweek played it %d times", name_of(v), line_of(v), plays);
	if (asked > plays)
		return note(call, err,
			    "<%s loop=\"%ld\"> at line %ld cut to %d plays (max_prompt_loops)",
			    name_of(v), asked, line_of(v), plays);
	return TW_OK;
}

static int verb_say(struct twiml *t, tw_call *call, xmlNodePtr v, struct run *r,
		    tw_error *err)
{
	(void)t;
	(void)r;
	int plays;
	long asked;
	int rc = loop_attr(call, v, &plays, &asked, err);
	if (rc)
		return rc;
	char *text = text_of(v);
	if (!text)
		return oom(err);
	if (!*text) {
		rc = note(call, err, "<Say> at line %ld has nothing to say", line_of(v));
		free(text);
		return rc;
	}
	for (int i = 0; i < plays && rc == TW_OK; i++)
		rc = event(call, TW_EV_SAY, text, tw_call_speech_s(call, text), err);
	free(text);
	return rc ? rc : loop_note(call, v, plays, asked, err);
}

/* "DTMF 1234" and how long playing it takes. */
static char *dtmf_text(const char *digits, double *s)
{
	*s = 0;
	for (const char *d = digits; *d; d++)
		*s += *d == 'w' ? 0.5 : *d == 'W' ? 1.0 : TONE_S;
	size_t n = strlen(digits) + sizeof("DTMF ");
	char *text = malloc(n);
	if (text)
		snprintf(text, n, "DTMF %s", digits);
	return text;
}

/* What a Play plays: its digits, else its URL. NULL text with TW_OK:
 * nothing to play (noted). */
static int play_text(tw_call *call, xmlNodePtr v, char **text, double *s, tw_error *err)
{
	char *digits = attr(v, "digits");
	*s = 0;
	*text = digits ? dtmf_text(digits, s) : text_of(v);
	xmlFree(digits);
	if (!*text)
		return oom(err);
	if (**text)
		return TW_OK;
	free(*text);
	*text = NULL;
	return note(call, err, "<Play> at line %ld has no URL and no digits", line_of(v));
}

static int verb_play(struct twiml *t, tw_call *call, xmlNodePtr v, struct run *r,
		     tw_error *err)
{
	int plays;
	long asked;
	char *text;
	double s;
	int rc = loop_attr(call, v, &plays, &asked, err);
	if (rc || (rc = play_text(call, v, &text, &s, err)) || !text)
		return rc;
	/* issue 14, AUDIO: a file plays for its length, fetched before the
	 * document ran */
	bool audio = !xmlHasProp(v, (const xmlChar *)"digits");
	if (audio && (s = tw_call_audio_timed(call, t->url, text, NULL, &rc), rc)) {
		free(text);
		return line_failed(rc, err);
	}
	/* The transcript names the file the carrier fetched, as the note
	 * does: a relative URL is resolved against the document's. */
	char *url = NULL;
	tw_error e = {0};
	if (audio && tw_url_resolve(t->url, text, &url, &e) == TW_OK) {
		free(text);
		text = url;
	}
	tw_error_clear(&e);
	for (int i = 0; i < plays && rc == TW_OK; i++)
		rc = audio ? line_failed(tw_call_audio_event(call, text, s), err)
			   : event(call, TW_EV_PLAY, text, s, err);
	free(text);
	if (rc || (rc = loop_note(call, v, plays, asked, err)))
		return rc;
	/* Endless audio with nothing after it is hold music: the caller
	 * waits until they give up. */
	if (asked == 0 && !r->in_gather && !element_from(v->next)) {
		tw_call_hold(call);
		r->stop = true;
	}
	return TW_OK;
}

static int verb_pause(struct twiml *t, tw_call *call, xmlNodePtr v, struct run *r,
		      tw_error *err)
{
	(void)t;
	(void)r;
	long s;
	int rc = long_attr(call, v, "length", 0, LENGTH_MAX, 1, &s, err);
	return rc ? rc : event(call, TW_EV_PAUSE, NULL, (double)s, err);
}

/* ---- Gather --------------------------------------------------------------- */

static bool is_prompt_verb(xmlNodePtr v)
{
	return is_named(v, "Say") || is_named(v, "Play") || is_named(v, "Pause");
}

static int gather_children_check(struct twiml *t, xmlNodePtr v, tw_error *err)
{
	for (xmlNodePtr c = element_from(v->children); c; c = element_from(c->next))
		if (!is_prompt_verb(c))
			return tw_error_set(err, TW_ESERVICE,
					    "<Gather> at line %ld of %s may hold only <Say>, "
					    "<Play> and <Pause>, not <%s> (line %ld)",
					    line_of(v), t->shown_url, name_of(c), line_of(c));
	return TW_OK;
}

/* input="dtmf", "speech" or both, in any order. */
static int input_attr(tw_call *call, xmlNodePtr v, struct gather *g, tw_error *err)
{
	char *s = attr(v, "input");
	char *words = s ? strdup(s) : NULL;
	g->dtmf = true;
	g->speech = false;
	if (s && !words) {
		xmlFree(s);
		return oom(err);
	}
	bool dtmf = false, speech = false, bad = false;
	char *save = NULL;
	for (char *w = words ? strtok_r(words, " \t\r\n", &save) : NULL; w;
	     w = strtok_r(NULL, " \t\r\n", &save)) {
		if (strcmp(w, "dtmf") == 0)
			dtmf = true;
		else if (strcmp(w, "speech") == 0)
			speech = true;
		else
			bad = true;
	}
	int rc = TW_OK;
	if (s && (bad || (!dtmf && !speech))) {
		rc = ignored(call, v, "input", s, "not dtmf, speech or both", err);
	} else if (s) {
		g->dtmf = dtmf;
		g->speech = speech;
	}
	free(words);
	xmlFree(s);
	return rc;
}

/* finishOnKey: one key, or "" for none. */
static int finish_attr(tw_call *call, xmlNodePtr v, struct gather *g, tw_error *err)
{
	char *s = attr(v, "finishOnKey");
	g->finish_key = '#';
	int rc = TW_OK;
	if (s && !*s)
		g->finish_key = '\0';
	else if (s && strlen(s) == 1 && strchr(RECORD_KEYS, *s))
		g->finish_key = *s;
	else if (s)
		rc = ignored(call, v, "finishOnKey", s, "not one of 0-9, * and #", err);
	xmlFree(s);
	return rc;
}

/* speechTimeout: seconds of silence ending speech, "auto", or (absent)
 * the timeout. */
static int speech_timeout_attr(tw_call *call, xmlNodePtr v, struct gather *g, tw_error *err)
{
	char *s = attr(v, "speechTimeout");
	g->speech_end_s = g->timeout_s;
	int rc = TW_OK;
	long n;
	if (s && strcmp(s, "auto") == 0)
		g->speech_end_s = AUTO_SPEECH_END_S;
	else if (s && parse_long(s, 0, LENGTH_MAX, &n))
		g->speech_end_s = (double)n;
	else if (s)
		rc = ignored(call, v, "speechTimeout", s, "not a number of seconds or auto", err);
	xmlFree(s);
	return rc;
}

static int gather_attrs(tw_call *call, xmlNodePtr v, struct gather *g, tw_error *err)
{
	long timeout, digits;
	int rc;
	if ((rc = input_attr(call, v, g, err)) || (rc = finish_attr(call, v, g, err)) ||
	    (rc = long_attr(call, v, "timeout", 1, LENGTH_MAX, 5, &timeout, err)) ||
	    (rc = long_attr(call, v, "numDigits", 1, (long)KEYS_MAX, 0, &digits, err)) ||
	    (rc = bool_attr(call, v, "actionOnEmptyResult", false, &g->action_on_empty, err)))
		return rc;
	g->timeout_s = (double)timeout;
	g->num_digits = (int)digits;
	return speech_timeout_attr(call, v, g, err);
}

static int run_verb(struct twiml *t, tw_call *call, xmlNodePtr v, struct run *r,
		    tw_error *err);

static int verb_gather(struct twiml *t, tw_call *call, xmlNodePtr v, struct run *r,
		       tw_error *err)
{
	struct gather g = {0};
	int rc = gather_children_check(t, v, err);
	if (rc || (rc = gather_attrs(call, v, &g, err)))
		return rc;
	struct run inner = {.in_gather = true};
	size_t from = tw_call_event_count(call);
	for (xmlNodePtr c = element_from(v->children); c; c = element_from(c->next))
		if ((rc = run_verb(t, call, c, &inner, err)))
			return rc;
	/* what it says, or the last words before it when it says nothing */
	if (tw_call_ask(call, from))
		return oom(err);
	t->gather = g;
	t->waiting = WAIT_GATHER;
	t->verb = v;
	tw_listen l = {
		.dtmf = g.dtmf,
		.speech = g.speech,
		.num_digits = g.dtmf ? g.num_digits : 0,
		.finish_key = g.dtmf ? g.finish_key : '\0',
		.timeout_s = g.timeout_s,
	};
	tw_call_listen(call, &l);
	r->stop = true;
	return TW_OK;
}

/* ---- Redirect, Hangup, Reject ---------------------------------------------- */

/* The IVR ends the call: the caller hears the line drop. */
static int ivr_hangs_up(tw_call *call, tw_error *err)
{
	int rc = event(call, TW_EV_HANGUP, "ivr", 0, err);
	return rc ? rc : (tw_call_finish(call, TW_END_HANGUP, NULL) ? oom(err) : TW_OK);
}

static int verb_redirect(struct twiml *t, tw_call *call, xmlNodePtr v, struct run *r,
			 tw_error *err)
{
	char *to = text_of(v);
	const char *method;
	if (!to)
		return oom(err);
	int rc = TW_OK;
	if (!*to)
		rc = tw_error_set(err, TW_ESERVICE, "<Redirect> at line %ld of %s has no URL",
				  line_of(v), t->shown_url);
	if (rc == TW_OK && (rc = method_attr(call, v, &method, err)) == TW_OK)
		rc = tw_call_fetch(call, t->url, to, method, NULL, 0, err);
	free(to);
	r->stop = true;
	return rc;
}

static int verb_hangup(struct twiml *t, tw_call *call, xmlNodePtr v, struct run *r,
		       tw_error *err)
{
	(void)t;
	(void)v;
	r->stop = true;
	return ivr_hangs_up(call, err);
}

static int verb_reject(struct twiml *t, tw_call *call, xmlNodePtr v, struct run *r,
		       tw_error *err)
{
	(void)t;
	char *s = attr(v, "reason");
	const char *reason = "rejected";
	int rc = TW_OK;
	if (s && strcmp(s, "busy") == 0)
		reason = "busy";
	else if (s && strcmp(s, "rejected") != 0)
		rc = ignored(call, v, "reason", s, "not rejected or busy", err);
	xmlFree(s);
	r->stop = true;
	if (rc || (rc = event(call, TW_EV_REJECT, reason, 0, err)))
		return rc;
	return tw_call_finish(call, TW_END_REJECTED, reason) ? oom(err) : TW_OK;
}

/* ---- Dial and Enqueue -------------------------------------------------------- */

/* Where a Dial noun puts the caller through: "+1555...", "client:x",
 * "queue:x", "sip:..." or "conference:x". *dest NULL with TW_OK: not a
 * noun of Dial. */
static int noun_destination(struct twiml *t, xmlNodePtr n, char **dest, tw_error *err)
{
	static const struct {
		const char *noun, *prefix;
	} nouns[] = {
		{"Number", ""}, {"Client", "client:"}, {"Queue", "queue:"},
		{"Sip", ""},    {"Conference", "conference:"},
	};
	*dest = NULL;
	for (size_t i = 0; i < sizeof(nouns) / sizeof(nouns[0]); i++) {
		if (!is_named(n, nouns[i].noun))
			continue;
		/* A Client may name itself in an <Identity> child. */
		xmlNodePtr id = element_from(n->children);
		char *name = id && is_named(id, "Identity") ? text_of(id) : own_text(n);
		if (!name)
			return oom(err);
		if (!*name) {
			free(name);
			return tw_error_set(err, TW_ESERVICE,
					    "<%s> at line %ld of %s names nobody to dial",
					    nouns[i].noun, line_of(n), t->shown_url);
		}
		size_t len = strlen(nouns[i].prefix) + strlen(name) + 1;
		if ((*dest = malloc(len)))
			snprintf(*dest, len, "%s%s", nouns[i].prefix, name);
		free(name);
		return *dest ? TW_OK : oom(err);
	}
	return tw_error_set(err, TW_ESERVICE, "unknown noun <%s> in <Dial> at line %ld of %s",
			    name_of(n), line_of(n), t->shown_url);
}

/* Notes what a Number's attributes do that the caller cannot hear. */
static int number_notes(tw_call *call, xmlNodePtr n, const char *dest, tw_error *err)
{
	char *digits = attr(n, "sendDigits");
	char *url = attr(n, "url");
	int rc = TW_OK;
	char qd[41], qdest[61], qurl[121];
	tw_call_quote(call, dest, qdest, sizeof(qdest));
	if (digits)
		rc = note(call, err, "the carrier sends DTMF %s to %s once it answers",
			  tw_call_quote(call, digits, qd, sizeof(qd)), qdest);
	if (rc == TW_OK && url)
		rc = note(call, err, "%s hears %s before being connected", qdest,
			  tw_call_quote(call, url, qurl, sizeof(qurl)));
	xmlFree(digits);
	xmlFree(url);
	return rc;
}

/* The first destination of a Dial; the others ring at the same time and
 * the first to answer wins, which for techweek's caller is the first. */
static int dial_destination(struct twiml *t, tw_call *call, xmlNodePtr v, char **dest,
			    tw_error *err)
{
	xmlNodePtr n = element_from(v->children);
	if (!n) {
		*dest = own_text(v);
		if (!*dest)
			return oom(err);
		if (**dest)
			return TW_OK;
		free(*dest);
		*dest = NULL;
		return tw_error_set(err, TW_ESERVICE, "<Dial> at line %ld of %s has nothing to dial",
				    line_of(v), t->shown_url);
	}
	int more = 0;
	for (xmlNodePtr o = element_from(n->next); o; o = element_from(o->next))
		more++;
	int rc = noun_destination(t, n, dest, err);
	if (rc == TW_OK && is_named(n, "Number"))
		rc = number_notes(call, n, *dest, err);
	if (rc == TW_OK && more)
		rc = note(call, err,
			  "<Dial> at line %ld rings %d destinations at once; techweek's "
			  "caller is put through to the first", line_of(v), more + 1);
	if (rc) {
		free(*dest);
		*dest = NULL;
	}
	return rc;
}

/* The caller reaches a person, or a queue: the IVR's part ends here and
 * the caller holds until they hang up. */
static int connect_caller(struct twiml *t, tw_call *call, xmlNodePtr v, const char *dest,
			  enum waiting how, struct run *r, tw_error *err)
{
	int rc = tw_call_transferred(call, dest);
	if (rc)
		return line_failed(rc, err);
	t->waiting = how;
	t->verb = v;
	t->connected_at_s = tw_call_clock(call);
	tw_call_hold(call);
	r->stop = true;
	return TW_OK;
}

static int verb_dial(struct twiml *t, tw_call *call, xmlNodePtr v, struct run *r,
		     tw_error *err)
{
	char *dest = NULL;
	int rc = dial_destination(t, call, v, &dest, err);
	if (rc)
		return rc;
	char *record = attr(v, "record"), q[41];
	if (record && strcmp(record, "false") != 0 && strcmp(record, "do-not-record") != 0)
		rc = note(call, err, "<Dial> at line %ld records the call (record=\"%s\")",
			  line_of(v), tw_call_quote(call, record, q, sizeof(q)));
	xmlFree(record);
	if (rc == TW_OK)
		rc = connect_caller(t, call, v, dest, WAIT_DIAL, r, err);
	free(dest);
	return rc;
}

static int verb_enqueue(struct twiml *t, tw_call *call, xmlNodePtr v, struct run *r,
			tw_error *err)
{
	char *name = own_text(v);
	if (!name)
		return oom(err);
	int rc = TW_OK;
	if (!*name)
		rc = tw_error_set(err, TW_ESERVICE, "<Enqueue> at line %ld of %s names no queue",
				  line_of(v), t->shown_url);
	size_t len = strlen(name) + sizeof("queue:");
	char *dest = rc ? NULL : malloc(len);
	if (rc == TW_OK && !dest)
		rc = oom(err);
	if (rc == TW_OK) {
		snprintf(dest, len, "queue:%s", name);
		rc = connect_caller(t, call, v, dest, WAIT_QUEUE, r, err);
	}
	free(dest);
	free(name);
	return rc;
}

/* <Leave> belongs to a queue's waitUrl document, which techweek does not
 * fetch; met anywhere else, the carrier has no queue to leave and the
 * document ends here. */
static int verb_leave(struct twiml *t, tw_call *call, xmlNodePtr v, struct run *r,
		      tw_error *err)
{
	(void)t;
	r->stop = true;
	int rc = note(call, err,
		      "<Leave> at line %ld outside a queue's wait music: the document ends",
		      line_of(v));
	return rc ? rc : ivr_hangs_up(call, err);
}

/* ---- Record ----------------------------------------------------------------- */

/* finishOnKey for Record: a set of keys ("" = none). */
static int record_keys_attr(tw_call *call, xmlNodePtr v, struct record *rec, tw_error *err)
{
	char *s = attr(v, "finishOnKey");
	snprintf(rec->finish, sizeof(rec->finish), "%s", RECORD_KEYS);
	if (!s)
		return TW_OK;
	size_t n = 0;
	bool bad = false;
	for (const char *k = s; *k; k++) {
		if (!strchr(RECORD_KEYS, *k))
			bad = true;
		else if (!memchr(rec->finish, *k, n))
			rec->finish[n++] = *k;
	}
	int rc = TW_OK;
	if (bad)
		rc = ignored(call, v, "finishOnKey", s, "keys are 0-9, * and #", err);
	else
		rec->finish[n] = '\0';
	if (bad)
		snprintf(rec->finish, sizeof(rec->finish), "%s", RECORD_KEYS);
	xmlFree(s);
	return rc;
}

static int verb_record(struct twiml *t, tw_call *call, xmlNodePtr v, struct run *r,
		       tw_error *err)
{
	struct record *rec = &t->record;
	long timeout, max;
	bool beep;
	int rc;
	tw_buf_reset(&rec->message);
	rec->message_s = 0;
	if ((rc = record_keys_attr(call, v, rec, err)) ||
	    (rc = long_attr(call, v, "timeout", 1, LENGTH_MAX, 5, &timeout, err)) ||
	    (rc = long_attr(call, v, "maxLength", 1, LENGTH_MAX, 3600, &max, err)) ||
	    (rc = bool_attr(call, v, "playBeep", true, &beep, err)))
		return rc;
	/* transcribe: the text goes to transcribeCallback, not to the
	 * caller, so it changes nothing here. */
	rec->timeout_s = (double)timeout;
	rec->max_s = (double)max;
	/* The words before it ask for the message; the beep, the same for
	 * every recording, asks nothing. */
	if (tw_call_ask(call, tw_call_event_count(call)))
		return oom(err);
	if (beep && (rc = event(call, TW_EV_PLAY, "beep", BEEP_S, err)))
		return rc;
	t->waiting = WAIT_RECORD;
	t->verb = v;
	tw_listen l = {
		.dtmf = true,
		.speech = true,
		.record = true,
		.finish_key = strchr(rec->finish, '#') ? '#' : rec->finish[0],
		.timeout_s = rec->timeout_s,
	};
	tw_call_listen(call, &l);
	r->stop = true;
	return TW_OK;
}

/* ---- verbs ------------------------------------------------------------------- */

typedef int (*verb_fn)(struct twiml *t, tw_call *call, xmlNodePtr v, struct run *r,
		       tw_error *err);

static const struct {
	const char *name;
	verb_fn run;
} verbs[] = {
	{"Say", verb_say},       {"Play", verb_play},       {"Pause", verb_pause},
	{"Gather", verb_gather}, {"Redirect", verb_redirect}, {"Hangup", verb_hangup},
	{"Reject", verb_reject}, {"Dial", verb_dial},       {"Enqueue", verb_enqueue},
	{"Leave", verb_leave},   {"Record", verb_record},
};

/* Real TwiML a caller cannot meet in a rehearsal: media streams, AI
 * agents, payments, SMS. */
static const char *const unsupported[] = {
	"Connect", "Echo", "Pay", "Refer", "Start", "Stop", "Prompt", "Sms", "Message",
};

static int run_verb(struct twiml *t, tw_call *call, xmlNodePtr v, struct run *r,
		    tw_error *err)
{
	int rc = tw_call_at(call, v);
	if (rc)
		return rc;
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (is_named(v, verbs[i].name))
			return verbs[i].run(t, call, v, r, err);
	for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
		if (is_named(v, unsupported[i]))
			return tw_error_set(err, TW_EUNSUPPORTED,
					    "techweek cannot follow TwiML <%s> yet: its caller takes no "
					    "media streams, AI agents, payments, SIP or messages "
					    "(line %ld of %s)",
					    name_of(v), line_of(v), t->shown_url);
	char q[61];
	return tw_error_set(err, TW_ESERVICE, "unknown TwiML verb <%s> at line %ld of %s",
			    tw_call_quote(call, name_of(v), q, sizeof(q)), line_of(v), t->shown_url);
}

/* Runs the document's verbs from v on until one stops the run; verbs
 * running out end the call, as the carrier hangs up. */
static int run_from(struct twiml *t, tw_call *call, xmlNodePtr v, tw_error *err)
{
	t->waiting = WAIT_NONE;
	t->verb = NULL;
	for (v = element_from(v); v; v = element_from(v->next)) {
		struct run r = {0};
		int rc = run_verb(t, call, v, &r, err);
		if (rc || r.stop)
			return rc;
	}
	int rc = note(call, err, "no more verbs in %s: the carrier hangs up", t->shown_url);
	tw_call_ran_out(call); /* issue 14, MATCH */
	return rc ? rc : ivr_hangs_up(call, err);
}

/* The verb after the one that was waiting. */
static int fall_through(struct twiml *t, tw_call *call, tw_error *err)
{
	return run_from(t, call, t->verb->next, err);
}

/* ---- the caller's input ------------------------------------------------------ */

/* Nothing came: the action anyway (actionOnEmptyResult), else the next
 * verb. */
static int gather_empty(struct twiml *t, tw_call *call, tw_error *err)
{
	if (!t->gather.action_on_empty)
		return fall_through(t, call, err);
	tw_call_param digits = param("Digits", "");
	return fetch_action(t, call, t->verb, &digits, t->gather.dtmf ? 1 : 0, err);
}

/* Keys as the carrier collects them: up to the finish key or numDigits;
 * what follows is not heard by the IVR. w and W are the caller pausing. */
static int gather_keys(struct twiml *t, tw_call *call, const char *keys, tw_error *err)
{
	const struct gather *g = &t->gather;
	char *got = malloc(strlen(keys) + 1), *dropped = malloc(strlen(keys) + 1);
	size_t n = 0, d = 0;
	bool done = false;
	int rc = TW_OK;
	if (!got || !dropped) {
		free(got);
		free(dropped);
		return oom(err);
	}
	for (const char *k = keys; *k; k++) {
		if (*k == 'w' || *k == 'W') {
			if (!done)
				tw_call_wait(call, *k == 'w' ? 0.5 : 1.0);
		} else if (done) {
			dropped[d++] = *k;
		} else if (*k == g->finish_key) {
			done = true;
		} else {
			got[n++] = *k;
			done = g->num_digits > 0 && n == (size_t)g->num_digits;
		}
	}
	got[n] = dropped[d] = '\0';
	char q[41];
	if (d)
		rc = note(call, err,
			  "keys \"%s\" came after <Gather> at line %ld had its input; the IVR "
			  "never heard them", tw_call_quote(call, dropped, q, sizeof(q)),
			  line_of(t->verb));
	/* Without a finishing key the carrier waits out the timeout. */
	if (!done)
		tw_call_wait(call, g->timeout_s);
	tw_call_param p = param("Digits", got);
	if (rc == TW_OK)
		rc = n ? fetch_action(t, call, t->verb, &p, 1, err) : gather_empty(t, call, err);
	free(got);
	free(dropped);
	return rc;
}

static int gather_speech(struct twiml *t, tw_call *call, const tw_call_input *in,
			 tw_error *err)
{
	char confidence[32];
	double c = in->confidence < 0 ? 0 : in->confidence > 1 ? 1 : in->confidence;
	snprintf(confidence, sizeof(confidence), "%g", c);
	tw_call_wait(call, t->gather.speech_end_s);
	if (!in->speech || !*in->speech)
		return gather_empty(t, call, err);
	tw_call_param p[] = {param("SpeechResult", in->speech), param("Confidence", confidence)};
	return fetch_action(t, call, t->verb, p, 2, err);
}

static int gather_input(struct twiml *t, tw_call *call, const tw_call_input *in,
			tw_error *err)
{
	const struct gather *g = &t->gather;
	switch (in->kind) {
	case TW_INPUT_DTMF:
		if (g->dtmf)
			return gather_keys(t, call, in->digits ? in->digits : "", err);
		break;
	case TW_INPUT_SPEECH:
		if (g->speech)
			return gather_speech(t, call, in, err);
		break;
	case TW_INPUT_SILENCE:
		break;
	case TW_INPUT_HANGUP:
		t->waiting = WAIT_NONE;
		return TW_OK;
	}
	/* Silence, or input this Gather does not take (the call refuses it
	 * before we see it; if it came anyway, the carrier would not hear
	 * it): the timeout passes with nothing. */
	tw_call_wait(call, g->timeout_s);
	return gather_empty(t, call, err);
}

/* The recording is over: the action gets it, unless it is empty, when the
 * carrier goes on with the next verb. key: what ended it (NULL: silence or
 * maxLength; "hangup"). */
static int record_end(struct twiml *t, tw_call *call, const char *key, tw_error *err)
{
	struct record *rec = &t->record;
	if (rec->message.len == 0) {
		int rc = note(call, err, "<Record> at line %ld recorded nothing: the carrier "
			      "goes on with the next verb", line_of(t->verb));
		return rc ? rc : fall_through(t, call, err);
	}
	int rc = tw_call_recorded(call, tw_buf_str(&rec->message));
	if (rc)
		return line_failed(rc, err);
	char sid[35], url[80], duration[24];
	make_sid(t, call, "RE", sid);
	snprintf(url, sizeof(url), "http://127.0.0.1/recordings/%s", sid);
	snprintf(duration, sizeof(duration), "%ld", (long)(rec->message_s + 0.999));
	tw_call_param p[] = {
		param("RecordingUrl", url),
		param("RecordingDuration", duration),
		param("Digits", key),
	};
	return fetch_action(t, call, t->verb, p, key ? 3 : 2, err);
}

static int record_keys(struct twiml *t, tw_call *call, const char *keys, tw_error *err)
{
	for (const char *k = keys; *k; k++) {
		if (*k == 'w' || *k == 'W') {
			tw_call_wait(call, *k == 'w' ? 0.5 : 1.0);
			continue;
		}
		if (!strchr(t->record.finish, *k))
			continue; /* a tone in the recording, nothing more */
		char key[2] = {*k, '\0'}, q[41];
		int rc = TW_OK;
		if (k[1])
			rc = note(call, err, "keys \"%s\" came after <Record> at line %ld "
				  "ended; the IVR never heard them",
				  tw_call_quote(call, k + 1, q, sizeof(q)), line_of(t->verb));
		return rc ? rc : record_end(t, call, key, err);
	}
	return TW_OK; /* still recording */
}

/* What the caller says is the message; it goes on until silence, a
 * finishing key or maxLength. */
static int record_speech(struct twiml *t, tw_call *call, const char *phrase, tw_error *err)
{
	struct record *rec = &t->record;
	if (!phrase || !*phrase)
		return TW_OK;
	int rc = rec->message.len ? tw_buf_puts(&rec->message, " ") : TW_OK;
	if (rc == TW_OK)
		rc = tw_buf_puts(&rec->message, phrase);
	if (rc == TW_ENOMEM)
		return oom(err);
	if (rc)
		return tw_error_set(err, TW_ELIMIT, "the caller said more than %zu bytes into "
				    "<Record> at line %ld", MESSAGE_MAX, line_of(t->verb));
	rec->message_s += tw_call_speech_s(call, phrase);
	if (rec->message_s < rec->max_s)
		return TW_OK;
	rec->message_s = rec->max_s;
	rc = note(call, err, "the recording reached maxLength (%.0f s)", rec->max_s);
	return rc ? rc : record_end(t, call, NULL, err);
}

static int record_input(struct twiml *t, tw_call *call, const tw_call_input *in,
			tw_error *err)
{
	switch (in->kind) {
	case TW_INPUT_DTMF:
		return record_keys(t, call, in->digits ? in->digits : "", err);
	case TW_INPUT_SPEECH:
		return record_speech(t, call, in->speech, err);
	case TW_INPUT_SILENCE:
		tw_call_wait(call, t->record.timeout_s);
		return record_end(t, call, NULL, err);
	case TW_INPUT_HANGUP:
		t->waiting = WAIT_NONE;
		return t->record.message.len ? record_end(t, call, "hangup", err) : TW_OK;
	}
	return TW_OK;
}

/* The caller hung up on the person or queue they reached: the carrier
 * tells the action how it went. call.h lets an interpreter do so, but
 * tw_call_hangup drops whatever request this leaves pending, so for now
 * the request is built and never sent. */
static int connected_input(struct twiml *t, tw_call *call, const tw_call_input *in,
			   tw_error *err)
{
	enum waiting how = t->waiting;
	if (in->kind != TW_INPUT_HANGUP)
		return tw_error_set(err, TW_EINTERNAL, "TwiML: input while the caller is held");
	t->waiting = WAIT_NONE;
	char *action = attr(t->verb, "action");
	bool told = action != NULL;
	xmlFree(action);
	if (!told)
		return TW_OK;
	char sid[35], duration[24];
	make_sid(t, call, "CA", sid);
	snprintf(duration, sizeof(duration), "%ld",
		 (long)(tw_call_clock(call) - t->connected_at_s + 0.5));
	tw_call_param dial[] = {
		param("DialCallStatus", "completed"),
		param("DialCallSid", sid),
		param("DialCallDuration", duration),
	};
	tw_call_param queue[] = {param("QueueResult", "hangup"), param("QueueTime", duration)};
	if (how == WAIT_DIAL)
		return fetch_action(t, call, t->verb, dial, 3, err);
	return fetch_action(t, call, t->verb, queue, 2, err);
}

/* ---- the dialect ------------------------------------------------------------- */

static void *twiml_create(tw_call *call)
{
	(void)call;
	struct twiml *t = calloc(1, sizeof(*t));
	if (t)
		tw_buf_init(&t->record.message, MESSAGE_MAX);
	return t;
}

/* Forgets the current document and every cursor into it. */
static void twiml_reset(struct twiml *t)
{
	t->waiting = WAIT_NONE;
	t->verb = NULL;
	xmlFreeDoc(t->doc);
	t->doc = NULL;
	free(t->url);
	t->url = NULL;
	tw_buf_reset(&t->record.message);
}

static int twiml_load(void *self, tw_call *call, xmlDocPtr doc, const char *url,
		      tw_error *err)
{
	struct twiml *t = self;
	twiml_reset(t);
	t->doc = doc;
	if (!(t->url = strdup(url ? url : "")))
		return oom(err);
	tw_call_quote(call, url, t->shown_url, sizeof(t->shown_url));
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root || !is_named(root, "Response"))
		return tw_error_set(err, TW_ESERVICE, "%s is not a TwiML <Response>", t->shown_url);
	return run_from(t, call, root->children, err);
}

static int twiml_input(void *self, tw_call *call, const tw_call_input *in, tw_error *err)
{
	struct twiml *t = self;
	int rc = t->verb ? tw_call_at(call, t->verb) : TW_OK;
	if (rc)
		return rc;
	switch (t->waiting) {
	case WAIT_GATHER:
		return gather_input(t, call, in, err);
	case WAIT_RECORD:
		return record_input(t, call, in, err);
	case WAIT_DIAL:
	case WAIT_QUEUE:
		return connected_input(t, call, in, err);
	case WAIT_NONE:
		break;
	}
	if (in->kind == TW_INPUT_HANGUP)
		return TW_OK; /* hold music, or nothing playing */
	return tw_error_set(err, TW_EINTERNAL, "TwiML: caller input while no verb waits for it");
}

static void twiml_destroy(void *self)
{
	struct twiml *t = self;
	if (!t)
		return;
	twiml_reset(t);
	tw_buf_free(&t->record.message);
	free(t);
}

const tw_dialect tw_twiml_dialect = {
	.name = "TwiML",
	.root = "Response",
	.create = twiml_create,
	.load = twiml_load,
	.input = twiml_input,
	.destroy = twiml_destroy,
	.resources = tw_twiml_resources, /* issue 14, AUDIO */
};
