/*
 * A simulated phone call: the caller's side of an IVR served over HTTP, as
 * a carrier and a patient caller would play it, without a telephone
 * network.
 *
 * The call does no I/O. Its owner (the runner's customer) asks what to
 * fetch (tw_call_pending), fetches it on the multi loop, and hands the
 * answer back (tw_call_document). The call parses it, picks the dialect by
 * the root element (<Response>: TwiML, <vxml>: VoiceXML) and runs it until
 * the IVR listens for the caller, asks for another document, holds (music,
 * an agent), or the call ends. Caller actions (tw_call_press, _say,
 * _silence, _hangup) resume it. Everything heard and done goes into the
 * transcript, stamped on the call clock.
 *
 * The call clock: seconds since the call was placed, made of the real time
 * the webhooks took (tw_call_document's fetch_ms) plus the simulated time of
 * what was played (speech at the call's speaking rate, default
 * TW_CALL_WORDS_PER_MINUTE, pauses, timeouts the caller sat through) and of
 * the caller's keys (the key time, default TW_CALL_KEY_TIME_S), less what
 * a barge-in cut (tw_call_barge_in). No real time is spent waiting: a
 * rehearsal runs flat out, the transcript says what the caller would have
 * lived through.
 *
 * Ownership: tw_call_new allocates, tw_call_free frees everything the call
 * holds (documents, transcript, pending request). Strings passed in are
 * copied.
 */
#ifndef TW_IVR_CALL_H
#define TW_IVR_CALL_H

#include <libxml/tree.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "channels/ivr/audio.h" /* issue 14, AUDIO */
#include "core/redact.h"
#include "techweek/error.h"

#define TW_CALL_WORDS_PER_MINUTE 150.0

typedef struct tw_call tw_call;

typedef struct tw_call_limits {
	int max_fetches;       /* documents fetched between two caller actions
				  (Redirect loops, re-prompt loops); default 20 */
	double max_call_s;     /* call clock; default 3600 */
	int max_prompt_loops;  /* a Say/Play with loop="0" or a huge loop count
				  plays at most this many times; default 3 */
	int max_lines;         /* transcript lines one document may add before
				  the IVR waits for the caller, fetches or
				  ends; default TW_CALL_MAX_LINES */
	double prefetch_s;     /* issue 14, F3: real seconds the files one
				  document refers to may take to fetch, all
				  of them (the run's --timeout); default 30 */
} tw_call_limits;

/* Far above any real menu (a carrier's 64 KB TwiML holds a few thousand
 * verbs), far below what the interpreters get through in a second. */
#define TW_CALL_MAX_LINES 10000

void tw_call_limits_init(tw_call_limits *l);

typedef struct tw_call_options {
	const char *from;    /* caller number */
	const char *to;      /* called number */
	const char *token;   /* auth token for X-Twilio-Signature; NULL: unsigned */
	const char *method;  /* first request's method; NULL: POST */
	unsigned long long seed; /* makes CallSid/AccountSid (distinct per
				    performance, repeatable per seed) */
	tw_call_limits limits;
	const tw_redact *redact;        /* the run's secrets, masked in what
					   messages quote before it is cut;
					   NULL: none. Borrowed: must outlive
					   the call */
	/* Asked at every verb or element and every transcript line while a
	 * document is followed: true cuts the call short there, FAILED
	 * ("cut off: the run was ending"). It runs on the thread that calls
	 * into the call, so it reads only what another thread may write
	 * atomically. NULL: never asked. */
	bool (*stop)(void *ctx);
	void *stop_ctx;
	/* issue 14, CLOCK: the caller's pace (docs/phone.md "The call
	 * clock"). */
	double speaking_rate; /* words a minute the IVR's speech takes; 0 or
				 less: TW_CALL_WORDS_PER_MINUTE */
	double key_time_s;    /* seconds a caller takes to key one digit,
				 '*' or '#'; 0: none; less than 0:
				 TW_CALL_KEY_TIME_S */
	/* issue 14, AUDIO: the run's audio lengths, so that a URL is fetched
	 * once per run. Borrowed: must outlive the call. NULL: the call
	 * keeps its own (fetched once per call). */
	tw_audio_cache *audio_cache;
	/* issue 14, F2: the CPU time the call's ECMAScript may take in all
	 * (script.h); 0 or less: TW_JS_TIME_S. */
	double script_time_s;
} tw_call_options;

/* issue 14, CLOCK: the default time to key one digit, from typical
 * inter-digit times of callers keying a known number (about 0.3 s). */
#define TW_CALL_KEY_TIME_S 0.3
/* issue 14, CLOCK: the speaking rates a call accepts (--speaking-rate). */
#define TW_CALL_RATE_MIN 60.0
#define TW_CALL_RATE_MAX 400.0

typedef enum tw_call_state {
	TW_CALL_FETCHING,  /* tw_call_pending has a request to send */
	TW_CALL_LISTENING, /* collecting input: tw_call_listening says what */
	TW_CALL_HOLDING,   /* hold music, or with an agent: no input is
			      collected; the caller can only hang up */
	TW_CALL_ENDED,     /* tw_call_end_reason says why */
} tw_call_state;

typedef enum tw_call_end {
	TW_END_NONE,     /* not ended */
	TW_END_HANGUP,   /* the IVR hung up: <Hangup/>, <disconnect/>, or the
			    document ran out of verbs */
	TW_END_CALLER,   /* the caller hung up */
	TW_END_REJECTED, /* <Reject>: tw_call_rejected gives the reason */
	TW_END_FAILED,   /* the IVR could not be followed: see tw_call_error */
} tw_call_end;

typedef enum tw_call_event_kind {
	TW_EV_SAY,      /* IVR: text = the words */
	TW_EV_PLAY,     /* IVR: text = the audio URL, or "DTMF 1234" */
	TW_EV_PAUSE,    /* IVR: silence, text = NULL; seconds in duration_s */
	TW_EV_PRESS,    /* caller: text = the keys */
	TW_EV_SPEAK,    /* caller: text = the phrase */
	TW_EV_SILENCE,  /* caller: stayed silent; the IVR timed out */
	TW_EV_HANGUP,   /* text = "caller" or "ivr" */
	TW_EV_TRANSFER, /* IVR: text = destination ("+1555...", "client:x",
			   "queue:x", "sip:...") */
	TW_EV_RECORD,   /* IVR: recorded the caller; text = what they said,
			   or NULL */
	TW_EV_REJECT,   /* IVR: text = reason */
	TW_EV_NOTE,     /* techweek: something a reader should know (keys
			   dropped past numDigits, a loop cut short) */
} tw_call_event_kind;

typedef struct tw_call_event {
	tw_call_event_kind kind;
	double at_s;       /* call clock when it began */
	double duration_s; /* simulated length (speech, pause) */
	char *text;        /* owned; may be NULL */
	bool repeat;       /* a prompt heard in an earlier turn of this call
			      (a loop or a Redirect within one turn is
			      not); heard again is not asked again: see
			      asks_again */
	bool asks;         /* a prompt the IVR asked the caller with: what
			      it played as it began to listen (tw_call_ask) */
	bool asks_again;   /* a prompt of an ask that was the question (the
			      last prompt) of an earlier turn's ask: the IVR
			      asks again, and the turn is a re-prompt */
	bool is_prompt;    /* SAY or PLAY */
	int turn;          /* the IVR's turn: how many times the caller had
			      acted (pressed, spoken, stayed silent) before */
	/* issue 14, CLOCK: barge-in (tw_call_barge_in). */
	bool cut;          /* the caller pressed or spoke while it played:
			      duration_s is what was heard of it (maybe 0) */
	bool unplayed;     /* never played: the caller barged in before it
			      began. Left out of the transcript, figures and
			      hear */
	bool no_barge;     /* played with barge-in off (VoiceXML bargein
			      false): input waits for its end */
	bool audio;        /* issue 14, AUDIO: a PLAY of an audio file,
			      duration_s its length (tw_call_audio_event) */
	int heard_words;   /* a cut SAY: the words the caller heard before
			      acting (the transcript shows those, not words
			      never played) */
	bool barged_in;    /* a PRESS or SPEAK that cut the IVR's prompts
			      short (tw_call_barge_in): the transcript says
			      so even when what it cut never began */
	bool estimated;    /* issue 14, F3: an audio PLAY whose length is
			      estimated (a file past --max-body, its kept
			      part scaled): "(61.2 s, estimated)" */
} tw_call_event;

/* What the IVR is collecting while LISTENING. */
typedef struct tw_listen {
	bool dtmf;          /* keys accepted */
	bool speech;        /* speech accepted */
	bool record;        /* a recording: say = the message, press = the
			       finishing key, silence = the end */
	int num_digits;     /* 0: no fixed count */
	char finish_key;    /* '\0': none */
	double timeout_s;
} tw_listen;

/* A webhook request to send. params go in the query for GET and as an
 * application/x-www-form-urlencoded body for POST; they include the
 * carrier's own (AccountSid, CallSid, From, To, Caller, Called, CallStatus,
 * Direction, ApiVersion) and, when the call is signed, the request carries
 * its X-Twilio-Signature in headers. */
typedef struct tw_call_param {
	char *name;  /* owned */
	char *value; /* owned */
} tw_call_param;

typedef struct tw_call_request {
	char *method;          /* "GET" or "POST" */
	char *url;             /* absolute; for GET, params already in it */
	tw_call_param *params; /* POST: the form fields, in order */
	size_t param_count, param_cap;
	char *body;            /* POST: params form-encoded; NULL for GET */
	char *signature;       /* X-Twilio-Signature value, or NULL */
	/* issue 14, AUDIO: the Accept header of a resource's GET (static
	 * storage); NULL for a webhook (the owner's own Accept) */
	const char *accept;
} tw_call_request;

/* X-Twilio-Signature: Base64(HMAC-SHA1(token, url followed by every
 * parameter, sorted by name, as name then value)). out gets 28 characters
 * and a NUL. TW_OK or TW_ENOMEM. */
#define TW_SIGNATURE_SIZE 29
int tw_call_signature(const char *token, const char *url, const tw_call_param *params,
		      size_t count, char out[TW_SIGNATURE_SIZE]);

/* ---- for the owner ---- */

/* NULL on out of memory. */
tw_call *tw_call_new(const tw_call_options *opts);
void tw_call_free(tw_call *call);

/* Places the call: the first webhook request becomes pending (FETCHING).
 * url is absolute. */
int tw_call_start(tw_call *call, const char *url, tw_error *err);

tw_call_state tw_call_state_of(const tw_call *call);

/* The request to send while FETCHING; NULL otherwise. Borrowed until the
 * next call into the call. */
const tw_call_request *tw_call_pending(const tw_call *call);

/* The answer to the pending request: final URL (after HTTP redirects),
 * status, content type (may be NULL), body, and how long the fetch took.
 * Parses and runs it. A status >= 400, a body that is not XML, or an
 * unknown root element ends the call as FAILED, with a cause that names
 * the URL and the last thing heard; that failure is also returned (code
 * TW_ESERVICE, TW_ELIMIT for a cap, TW_EUNSUPPORTED for what techweek
 * cannot follow yet). */
int tw_call_document(tw_call *call, const char *url, long status,
		     const char *content_type, const char *body, size_t len,
		     double fetch_ms, tw_error *err);

/* The caller's actions. Each needs the call to be LISTENING for that kind
 * of input (hang up works in any state, and does nothing once the call
 * has ended; when a <Dial>, <Record>
 * or <Enqueue> has an action, the call stays FETCHING for that one last
 * request, as a carrier tells the app the caller left, and ends with its
 * answer, whatever it is); otherwise TW_EUSAGE
 * with the reason ("no input is being collected: the IVR is holding"), or
 * TW_EUNSUPPORTED for keys to a listen that takes speech only or words to
 * one that takes keys only (techweek's limit: it does not play out input
 * the IVR would not hear), and the call is unchanged. keys:
 * digits, '*', '#', 'w' (half a second), 'W' (a second). */
int tw_call_press(tw_call *call, const char *keys, tw_error *err);
int tw_call_say(tw_call *call, const char *phrase, double confidence, tw_error *err);
int tw_call_silence(tw_call *call, tw_error *err);
int tw_call_hangup(tw_call *call, tw_error *err);

const tw_listen *tw_call_listening(const tw_call *call); /* NULL unless LISTENING */
tw_call_end tw_call_end_reason(const tw_call *call);
/* Why the call FAILED (code TW_OK otherwise). Borrowed. */
const tw_error *tw_call_error(const tw_call *call);

size_t tw_call_event_count(const tw_call *call);
const tw_call_event *tw_call_event_at(const tw_call *call, size_t i);
/* The text of the last prompt heard, or NULL: failure messages quote it. */
const char *tw_call_last_prompt(const tw_call *call);
/* text for a message, masked with the run's secrets and then cut to fit
 * buf (size bytes, on a character boundary): masked first, so a cut never
 * leaves part of a secret. Returns buf. */
const char *tw_call_quote(const tw_call *call, const char *text, char *buf, size_t size);
/* The same for a message formatted from fmt: formatted whole, masked, then
 * cut to fit buf. Returns buf, or NULL (buf "") when the message could not
 * be formatted (out of memory). */
const char *tw_call_vquote(const tw_call *call, char *buf, size_t size, const char *fmt,
			   va_list ap);
double tw_call_clock(const tw_call *call);
const tw_call_limits *tw_call_limits_of(const tw_call *call);
/* "CA" + 32 hex digits, as the carrier sends it. */
const char *tw_call_sid(const tw_call *call);

/* A re-prompted menu as reports name it: its first TW_CALL_MENU_WORDS
 * words, "…" when there were more, masked with the run's secrets. */
#define TW_CALL_MENU_WORDS 6
#define TW_CALL_MENU_SIZE 96

/*
 * Figures for reports: the call clock at the first prompt and at the
 * first transfer (negative when none); prompts heard, keys pressed and
 * phrases said; failure demand in re-prompt turns.
 *
 * A re-prompt turn is a turn of the IVR, after the caller acted or timed
 * out, in which it asks again: the prompts it asks with as it listens
 * (tw_call_ask) hold the question (the last prompt) of an earlier turn's
 * ask. It counts once however many <Say>s, <Play>s, <prompt>s or loop
 * plays carry it: the caller lives one more round of the menu, whatever
 * its markup. Prompts that do not ask (a "Thank you.", "Please hold.", a
 * goodbye) make no re-prompt, however often they are heard. The menu it
 * names is the last prompt it asked again with; menu is the one the most
 * re-prompt turns named (the first of a tie), "" when none.
 */
typedef struct tw_call_figures {
	double first_prompt_s;
	double transfer_s;
	int prompts;
	int inputs;
	int repeats;     /* re-prompt turns */
	char menu[TW_CALL_MENU_SIZE];
	int menu_turns;  /* re-prompt turns that named menu */
} tw_call_figures;
void tw_call_figures_of(const tw_call *call, tw_call_figures *out);

/* What tw_subject TRANSFER/RECORDING/REJECTED/HANGUP see: the
 * destination, "recording", the reason, "hangup"; NULL when it did not
 * happen. Borrowed. */
const char *tw_call_transfer(const tw_call *call);
const char *tw_call_recording(const tw_call *call);
const char *tw_call_rejected(const tw_call *call);
const char *tw_call_hung_up(const tw_call *call);

/* ---- for the interpreters (twiml.c, vxml.c) ---- */

/* The caller's input as an interpreter receives it. */
typedef enum tw_input_kind {
	TW_INPUT_DTMF,    /* digits: the keys, finishing key included */
	TW_INPUT_SPEECH,  /* speech, confidence */
	TW_INPUT_SILENCE, /* nothing before the timeout */
	TW_INPUT_HANGUP,  /* the caller hung up: an interpreter may ask for
			     one last fetch (a Dial's or Record's action),
			     whose answer the call ignores */
} tw_input_kind;

typedef struct tw_call_input {
	tw_input_kind kind;
	const char *digits;
	const char *speech;
	double confidence;
} tw_call_input;

/* issue 14, AUDIO: what a resource is for (see "Resources" below). */
typedef enum tw_call_res_kind {
	TW_RES_AUDIO,       /* TwiML <Play>, VoiceXML <audio src> */
	TW_RES_GRAMMAR,     /* VoiceXML <grammar src>, not builtin: */
	TW_RES_SCRIPT,      /* VoiceXML <script src> */
	TW_RES_APPLICATION, /* VoiceXML <vxml application>: the root document */
} tw_call_res_kind;

/* A collector's callback: ref (as written; the call resolves it against
 * the document's URL) of element line. TW_OK, or a code that stops the
 * collection (TW_ENOMEM). */
typedef int tw_call_ref_fn(void *ctx, tw_call_res_kind kind, const char *ref, long line);

/*
 * An interpreter. The call owns one instance per dialect it has met, made
 * by create on the first document of that dialect. Each function returns
 * TW_OK, or an error that ends the call as FAILED (TW_ESERVICE: the
 * document cannot be followed, saying which element and why;
 * TW_EUNSUPPORTED: it asks for what techweek cannot do yet, in words for
 * the tester; TW_ENOMEM).
 * Before returning TW_OK, load and input must leave the call FETCHING
 * (tw_call_fetch), LISTENING (tw_call_listen), HOLDING (tw_call_hold) or
 * ENDED (tw_call_finish); input is called only while LISTENING with an
 * input the listen accepts (TW_INPUT_HANGUP: in any state, and then
 * whatever it does, the call ends as TW_END_CALLER).
 */
typedef struct tw_dialect {
	const char *name; /* "TwiML", "VoiceXML" */
	const char *root; /* the root element's name */
	void *(*create)(tw_call *call);
	/* doc (owned by the interpreter from now on, even on error) came
	 * from url: run it from the start. */
	int (*load)(void *self, tw_call *call, xmlDocPtr doc, const char *url, tw_error *err);
	int (*input)(void *self, tw_call *call, const tw_call_input *in, tw_error *err);
	void (*destroy)(void *self);
	/* issue 14, AUDIO: the resources doc refers to by static URLs
	 * (calling found for each); NULL: none. */
	int (*resources)(xmlDocPtr doc, tw_call_ref_fn *found, void *ctx);
} tw_dialect;

/*
 * Stopping in the middle of a document. The call checks its limits as the
 * clock moves and as lines are added, and asks the owner's stop function
 * at every verb: the call clock passing max_call_s (wherever it happens: a
 * prompt, a pause, a timeout waited out, a fetch), a document adding more
 * than max_lines lines, or a stop request halts the call there. From then
 * on tw_call_at, tw_call_event_add and tw_call_fetch return that code
 * (TW_ELIMIT) and do nothing; the interpreter only has to return a code
 * that is not TW_OK, and the call fails with its own cause, which names
 * the limit and where it was crossed (the element tw_call_at was last
 * given), whatever err the interpreter filled.
 */

/* The interpreter is at node (an element of the document it runs; kept
 * until the next document and used only to say where the call stopped).
 * TW_OK, or the code of a halt: stop interpreting. */
int tw_call_at(tw_call *call, xmlNodePtr node);

/* True when the owner's stop request cut the call short: what was
 * interrupted, not a failure of the IVR. */
bool tw_call_was_stopped(const tw_call *call);

/* Records what the caller heard or what happened; text copied (NULL ok).
 * Advances the call clock by duration_s. Prompts (SAY, PLAY) heard in an
 * earlier turn are marked as repeats. TW_OK, TW_ENOMEM, or a halt's code
 * (the line that crossed the clock limit is recorded; a line past
 * max_lines is not). */
int tw_call_event_add(tw_call *call, tw_call_event_kind kind, const char *text,
		      double duration_s);

/* The IVR is about to listen (before tw_call_listen): it asks with the
 * prompts it played in this turn from event from on (tw_call_event_count
 * when the listening element began: a Gather's nested verbs, a field's or
 * a menu's prompts), or, when it played none there, with the last prompt
 * it played before them in this turn (a <Say> before an empty <Gather>, a
 * catch's words, the words before a <Record>'s beep). Those prompts are
 * marked asks; the last of them is the ask's question. A prompt of the ask
 * that was the question of an earlier turn's ask is marked asks_again:
 * the turn is a re-prompt. Nothing played in this turn asks nothing.
 * TW_OK or TW_ENOMEM. */
int tw_call_ask(tw_call *call, size_t from);

/* The simulated time of speaking text at the call's speaking rate
 * (tw_call_options.speaking_rate; call NULL: TW_CALL_WORDS_PER_MINUTE).
 * issue 14, CLOCK: takes the call. */
double tw_call_speech_s(const tw_call *call, const char *text);

/* Moves the call clock on (a timeout sat through, a pause); past the
 * limit, the call halts (the next tw_call_at, event or fetch says so). */
void tw_call_wait(tw_call *call, double seconds);

/* Asks for a document: ref resolved against base (the current document's
 * URL) with libcurl's URL API; method "GET" or "POST" (NULL: POST);
 * extra params (name, value pairs, count of them) are added after the
 * carrier's own. FETCHING after this. */
int tw_call_fetch(tw_call *call, const char *base, const char *ref, const char *method,
		  const tw_call_param *extra, size_t count, tw_error *err);

/* LISTENING for what l says (copied). */
void tw_call_listen(tw_call *call, const tw_listen *l);
/* HOLDING. */
void tw_call_hold(tw_call *call);
/* ENDED: why; detail is the reject reason for REJECTED (copied). */
int tw_call_finish(tw_call *call, tw_call_end why, const char *detail);
/* Sets the transfer destination and records a TRANSFER event. */
int tw_call_transferred(tw_call *call, const char *destination);
/* Records that a recording was made; text may be NULL. */
int tw_call_recorded(tw_call *call, const char *text);

/* The value the carrier sends as CallStatus now ("in-progress", ...). */
const char *tw_call_status_word(const tw_call *call);

/* ---- issue 14, CLOCK: barge-in ---- */

/* The caller is about to press or speak, having heard events [0, heard)
 * whole and heard_byte bytes of event heard's text (0: none; the runner's
 * hear cursor). While LISTENING to a listen that allows barge-in (every
 * TwiML <Gather>; a VoiceXML field or menu unless its prompts have
 * bargein="false"; never a recording), the prompts the ask played after
 * that point are cut: the clock goes back to the moment the caller had
 * heard up to there (speech: the share of the prompt's words up to the end
 * of the word holding byte heard_byte; audio: whole or nothing), the
 * prompt playing then is marked cut and those after it unplayed. With no
 * hear in this turn (heard at or before the turn's first event), the
 * caller acts once the ask's first play is over: loop plays after it are
 * cut. A prompt with no_barge plays out before the input is taken.
 * Nothing happens in any other state. */
void tw_call_barge_in(tw_call *call, size_t heard, size_t heard_byte);

/* The events that can no longer change: all of them, except while
 * LISTENING, when the ask's prompts may still be cut by a barge-in. The
 * transcript is written up to here. */
size_t tw_call_settled(const tw_call *call);

/* VoiceXML: whether the prompts recorded from now on may be barged into
 * (true until said otherwise, and again at every document). */
void tw_call_set_bargein(tw_call *call, bool on);

/* The call's options as given (speaking rate and key time resolved). */
double tw_call_speaking_rate(const tw_call *call);
double tw_call_key_time(const tw_call *call);
/* issue 14, MATCH: the IVR's hang-up about to be recorded (TW_END_HANGUP)
 * is its document running out of verbs or elements, not an explicit
 * <Hangup/>, <disconnect/> or <exit/>: `expect hangup by end`. */
void tw_call_ran_out(tw_call *call);
/* Who ended the call: "ivr" (explicitly), "end" (the document ran out),
 * "caller"; NULL while it goes on or when it ended otherwise (rejected,
 * failed). Static. */
const char *tw_call_hangup_by(const tw_call *call);

extern const tw_dialect tw_twiml_dialect;
extern const tw_dialect tw_vxml_dialect;

/* ---- issue 14, AUDIO: resources a document needs ---- */

/*
 * Resources. Interpreters run a document synchronously, from load to
 * LISTENING, FETCHING, HOLDING or ENDED, so what it needs from the network
 * is fetched before it runs. When a document arrives (tw_call_document),
 * its dialect's collector names the static URLs it refers to (TwiML
 * <Play>; VoiceXML <audio src>, <grammar src>, <script src>, <vxml
 * application>, and those of the application root it names); each is
 * resolved against the document's URL and fetched with a GET, one at a
 * time, through tw_call_pending and tw_call_document like a webhook (the
 * owner needs no other path, and each fetch is a request of the step),
 * carrying no carrier parameters and no signature, as a carrier fetches
 * media. Then the document runs. The time the fetches took is on the call
 * clock: the caller waits while the carrier fetches.
 *
 * Answers are kept per call by absolute URL, fetched once per call; audio
 * is timed (audio.h) and only its length is kept, in the run's cache
 * (tw_call_options.audio_cache), so an audio URL is fetched once per run.
 * A failed fetch (status >= 400, a transport failure) is kept as such:
 * the call goes on, and the interpreter decides when it reaches the
 * element (audio: a note and TW_CALL_AUDIO_DEFAULT_S; grammar, script,
 * application root: the IVR's fault, as a platform raises
 * error.badfetch). At most TW_CALL_MAX_RESOURCES per document are fetched;
 * a note says when more were left.
 */
#define TW_CALL_MAX_RESOURCES 64

/* techweek/error.h has no TW_ENOENT: "not fetched" is TW_EUSAGE, the
 * interpreter asked for what the call does not have. */
#define TW_CALL_NOT_FETCHED TW_EUSAGE

/* The resource fetched for ref (resolved against base) before the
 * document ran: TW_OK with *body, *len, *content_type borrowed until the
 * call is freed (*content_type may be NULL; body is NUL-terminated);
 * TW_CALL_NOT_FETCHED (TW_EUSAGE, see above) when it was not fetched (a
 * computed src, audio, whose bytes are not kept), with err saying so;
 * TW_ESERVICE with err filled when its fetch failed (status >= 400,
 * transport), naming the URL. body, len, content_type may be NULL. */
int tw_call_resource(tw_call *call, const char *base, const char *ref,
		     const char **body, size_t *len, const char **content_type,
		     tw_error *err);

/* Seconds that audio takes (one lookup for every interpreter; issue 14,
 * F3): its length from the run's cache (fetched before the document ran),
 * or this call's estimate of a file past --max-body. The first use of
 * the file in the call puts its fetch's time on the clock. When it could
 * not be timed:
 * - why non-NULL (TW_AUDIO_WHY_SIZE bytes): a negative value, why saying
 *   why ("answered 404", "not audio libsndfile can read: ...", "not
 *   fetched before the document ran: a computed URL?"), no note: the
 *   interpreter decides (VoiceXML plays the fallback content);
 * - why NULL: a transcript note (once per URL per call) "could not time
 *   URL (why); counted as 3.0 s" and TW_CALL_AUDIO_DEFAULT_S.
 * *rc gets TW_OK, or a note's failure (TW_ENOMEM, a halt's code). */
double tw_call_audio_timed(tw_call *call, const char *base, const char *ref, char *why,
			   int *rc);

/* Records a PLAY of an audio file (text: as the transcript shows it) that
 * takes seconds: tw_call_event_add, with the event marked audio. */
int tw_call_audio_event(tw_call *call, const char *text, double seconds);

/* For the owner: true while the pending request is a resource's. */
bool tw_call_fetching_resource(const tw_call *call);

/* ---- issue 14, F1: off the loop ----
 * The owner may run tw_call_document, tw_call_resource_failed,
 * tw_call_press, tw_call_say, tw_call_silence and tw_call_hangup on a
 * thread other than its event loop's (runner/caller.c does so for a
 * VoiceXML call: the interpreter may wait for the ECMAScript sandbox),
 * one at a time, the owner touching neither the call nor the buffers it
 * passed until that thread is joined. What the call borrows meanwhile is
 * safe to read from there: tw_call_options.redact (the run's secrets are
 * all registered before the first performance starts, and only read
 * after), audio_cache (its own mutex), stop (run_cut reads an atomic);
 * the sandbox (script.c) is the call's own: its child is forked from
 * that thread, and outlives it (no PR_SET_PDEATHSIG: it ends on its
 * socket's EOF). */
/* True when the call's current document is VoiceXML, or a VoiceXML
 * document is held while the files it needs are fetched. */
bool tw_call_speaks_vxml(const tw_call *call);

/* For the owner: the pending resource request could not be sent or
 * answered (why: the transport's words); kept as that resource's failure
 * and the call goes on (the next resource, or the document). fetch_ms as
 * for tw_call_document. TW_EUSAGE when no resource is pending. */
int tw_call_resource_failed(tw_call *call, const char *why, double fetch_ms, tw_error *err);

/* issue 14, F3: for the owner: the pending resource's answer was larger
 * than --max-body and only its first kept bytes came (size: the
 * Content-Length the server gave, 0 when none). Audio is timed from them
 * (audio.h tw_audio_duration_prefix): its play is marked estimated when
 * the length is scaled, with a note when the size was not given; any
 * other resource fails as too large. As tw_call_document otherwise. */
int tw_call_resource_partial(tw_call *call, long status, const char *content_type,
			     const char *body, size_t kept, double size, double fetch_ms,
			     tw_error *err);

/* issue 14, F3: the IVR's bytes (a document, a root, a grammar) as XML,
 * as every reader of them parses them: no network, no entity expansion,
 * no messages. NULL when not well-formed, with why (why_size bytes; may be
 * NULL) saying where ("line 3: ..."). Freed with xmlFreeDoc. */
xmlDocPtr tw_call_parse_xml(const char *body, size_t len, const char *url, char *why,
			    size_t why_size);

/* The collectors (resources.c). */
int tw_twiml_resources(xmlDocPtr doc, tw_call_ref_fn *found, void *ctx);
int tw_vxml_resources(xmlDocPtr doc, tw_call_ref_fn *found, void *ctx);
/* issue 14, SRGS: the other grammars an SRGS grammar's <ruleref uri>s
 * name (without their #rule: each grammar is fetched once). */
int tw_srgs_resources(xmlDocPtr doc, tw_call_ref_fn *found, void *ctx);

/* ---- issue 14, JS ---- */

/* The caller's and the called number, as the carrier sends them (From,
 * To); borrowed. VoiceXML's session.connection reads them. */
const char *tw_call_from(const tw_call *call);
const char *tw_call_to(const tw_call *call);

/* issue 14, F2: the CPU time the call's ECMAScript may take in all
 * (tw_call_options.script_time_s); 0: the sandbox's default. */
double tw_call_script_time(const tw_call *call);

/* ---- issue 14, F6: a stop reaches the sandbox ----
 * The owner's stop request (tw_call_options.stop) as the sandbox's stop
 * hook (tw_js_limits.stop, ctx: the call): the interpreter asks it only
 * between elements, the sandbox while it waits for a script. */
bool tw_call_stop_asked(void *call);
/* The sandbox was cut off by that request: the call halts there as a
 * stop does (tw_call_was_stopped is true from then on), err says so. The
 * halt's code (TW_ELIMIT). */
int tw_call_cut(tw_call *call, tw_error *err);

#endif
