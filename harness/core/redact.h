/*
 * Redaction: every secret value known to a run, replaced by *** in any text
 * before it leaves the engine (reports, messages, transcripts). The list is
 * filled before the first request and only read afterwards, so performances
 * on several threads can share it without a lock.
 *
 * A secret is masked in every spelling techweek (or libcurl for it) puts
 * on the wire and a server commonly echoes back:
 *   - as is;
 *   - percent-encoded (%20 or + for a space, hex in either case, whichever
 *     characters the encoder chose to leave bare): URLs, query strings,
 *     form bodies;
 *   - with HTML/XML character references (&amp; &lt; &gt; &quot; &apos;,
 *     &#NN; and &#xHH;);
 *   - with JSON string escapes (\" \\ \/ \b \f \n \r \t, \uXXXX and
 *     surrogate pairs);
 *   - in base64 at any offset, as inside "user:secret" in Authorization:
 *     Basic (secrets of 6 bytes or more: a shorter one has too few base64
 *     characters of its own to tell apart from other base64 text). The one
 *     character on either side that mixes the secret's bits with its
 *     neighbours' is masked too.
 * One layer of encoding only: a secret percent-encoded and then
 * HTML-escaped, or transformed any other way by a server (hashed,
 * upper-cased, split), is not recognised.
 */
#ifndef TW_CORE_REDACT_H
#define TW_CORE_REDACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/strmap.h"

typedef struct tw_redact_pattern {
	char *text;  /* owned: a secret, or the base64 characters of one */
	size_t len;
	bool base64; /* text is base64, matched exactly; otherwise escapes
			in the text are decoded as it is compared */
	bool lead;   /* base64: one character before text carries bits of
			the secret too */
	bool trail;  /* base64: and one after */
} tw_redact_pattern;

typedef struct tw_redact {
	tw_redact_pattern *patterns; /* owned */
	size_t count, cap;
	/* by_first[i][b]..by_first[i][b+1]: the indexes in slots of the
	 * patterns that can start with byte b (i = 0), or whose base64
	 * text starts with b after a leading character (i = 1). Rebuilt by
	 * every tw_redact_add outside a batch, and at a batch's end. */
	uint32_t by_first[2][257];
	uint32_t *slots[2]; /* owned */
	size_t reach;       /* the longest text one match can cover */
	/* issue 13, F2: the patterns already there, for a dedupe in O(1):
	 * seen[0] the secrets, seen[1 + 2*lead + trail] the base64 texts
	 * (keys are the patterns' own texts). */
	tw_strmap seen[5];
	int batch;   /* open tw_redact_batch_begin calls: no index until 0 */
	bool stale;  /* patterns added since the tables were built */
} tw_redact;

#define TW_REDACTED "***"

/* Adds a copy of secret and its base64 forms (empty strings are ignored:
 * they would mask everything). */
int tw_redact_add(tw_redact *r, const char *secret);
/* issue 13, F2: the fewest bytes a secret that comes with the data a run is
 * given (a credential header, a cookie, an `auth` password, a value of a
 * data file's secret column) must have to be masked: a shorter one would
 * mask those letters in every text ("1" in 127.0.0.1). A {{secret NAME}}
 * the script asks for by name is masked whatever its length. */
#define TW_REDACT_MIN_GIVEN 4

/* issue 13, F2: the one registration of such a secret: the first n bytes
 * of s, when n >= TW_REDACT_MIN_GIVEN (shorter ones are skipped: TW_OK). */
int tw_redact_add_given(tw_redact *r, const char *s, size_t n);

/* issue 13, F2: many secrets at once (every row of a data file): between
 * tw_redact_batch_begin and tw_redact_batch_end, adds only append (dedupe
 * by hash), and the tables are built once at the end, so n secrets cost
 * O(n) rather than O(n^2). Calls nest; nothing may be masked with r while
 * a batch is open (the tables are stale until the end). */
void tw_redact_batch_begin(tw_redact *r);
int tw_redact_batch_end(tw_redact *r);

/* A malloc'd copy of text with every secret, in every spelling above,
 * replaced by ***; NULL when text is NULL or on out of memory. One pass
 * over text. */
char *tw_redact_apply(const tw_redact *r, const char *text);
/* How many bytes of text (len bytes, may hold NULs), from at, are a
 * secret in some spelling; 0 when none starts there. The longest wins. r
 * may be NULL. For code that cuts text: it masks as it goes, so a cut
 * never leaves part of a secret. */
size_t tw_redact_span(const tw_redact *r, const char *text, size_t len, size_t at);
/* The most bytes one span can cover: a cut at position p is safe once
 * positions from p - reach on were checked. 0 when r is NULL or empty. */
size_t tw_redact_reach(const tw_redact *r);
void tw_redact_free(tw_redact *r);

/* Quoting, in a message, text that may hold a secret when the secrets are
 * not at hand (the web channel's page and URL errors): the text goes in
 * whole, in single quotes, with marks saying to cut it after max
 * characters (UTF-8 aware); tw_redact_message masks the message and then
 * cuts. Cutting first could leave a head of a secret the mask no longer
 * recognises. A byte 0x1e or 0x1f of text, which the marks use, is written
 * %1E or %1F, a spelling the mask still knows. */
int tw_redact_put_quoted(tw_buf *b, const char *text, size_t max);
/* The same, as a malloc'd string; NULL on out of memory. */
char *tw_redact_quote(const char *text, size_t max);
/* tw_redact_apply (r may be NULL: nothing masked), then the cuts
 * tw_redact_put_quoted marked: a cut quote ends in an ellipsis, as
 * tw_buf_put_quoted writes it. malloc'd; NULL when text is NULL or on out
 * of memory. */
char *tw_redact_message(const tw_redact *r, const char *text);

#endif
