/*
 * Judging one expectation against the customer's last response. Every
 * outcome is a verdict with words a person can act on: what was expected,
 * what came back (cut to a readable size), and the value to capture.
 */
#ifndef TW_EXPECT_EXPECT_H
#define TW_EXPECT_EXPECT_H

#include <stdbool.h>

#include "channels/web/response.h"
#include "core/redact.h"
#include "language/ast.h"
#include "techweek/vars.h"

/* The most of a body or value that goes into a message or report. */
#define TW_EXCERPT_MAX 400

typedef struct tw_expect_outcome {
	bool passed;
	char *message;  /* one line: "expected status 200, got 404"; owned */
	char *expected; /* owned, may be NULL */
	char *actual;   /* owned, may be NULL; at most about TW_EXCERPT_MAX */
	char *captured; /* owned; set when passed and ex->capture is set */
	bool captured_secret; /* captured is what filters made of a secret:
				 the variable is to be kept secret */
} tw_expect_outcome;

/* Evaluates ex against resp, expanding templates in ex (arg, value, regex)
 * with vars; every text the outcome quotes is masked with redact (may be
 * NULL) before it is cut. Whatever goes wrong with the response (not JSON,
 * XPath finds nothing, regex hits its match limit) is a failed outcome,
 * never an error.
 * Returns TW_ENOMEM only. The caller frees out with tw_expect_outcome_free
 * and stores out->captured into ex->capture itself. */
int tw_expect_eval(const tw_expect *ex, tw_response *resp, const tw_vars *vars,
		   const tw_redact *redact, tw_expect_outcome *out);

/* As tw_expect_eval, for a caller that only needs the verdict: a pass
 * carries no words (message, expected and actual are NULL; captured is
 * set as tw_expect_eval sets it), and a failure is evaluated again in
 * full, so its outcome is exactly tw_expect_eval's. The runner's checks
 * pass far more often than they fail, and a pass's words were most of
 * its cost (issue 15, the web journey under callgrind: 44 k instructions
 * an expectation, 17 k without them). */
int tw_expect_eval_brief(const tw_expect *ex, tw_response *resp, const tw_vars *vars,
			 const tw_redact *redact, tw_expect_outcome *out);

/* As tw_expect_eval, for the subjects whose value comes from elsewhere
 * than a response (a prompt heard, a call's transfer destination): value,
 * or NULL when there is none, absent then saying why ("the call was not
 * transferred"). */
/* issue 14, CLOCK: its expected and actual and the quotes in its message
 * are whole (up to 48 KiB): --verbose and JUnit show a call's causes
 * whole, the terminal without --verbose cuts them. */
int tw_expect_eval_given(const tw_expect *ex, const char *value, const char *absent,
			 const tw_vars *vars, const tw_redact *redact, tw_expect_outcome *out);
void tw_expect_outcome_free(tw_expect_outcome *out);

/* True when ex holds on resp and that is decided without building any
 * words; false leaves the verdict to tw_expect_eval.
 * Only `expect status N` and `expect status != N` (N written as digits,
 * no filters, no capture) are decided here, and only when they hold: a
 * failure's message is tw_expect_eval's, so a fail always goes there.
 * What it saves is the label, the expected words and the message a pass
 * throws away (issue 15: about 14 000 instructions a check). */
bool tw_expect_quick(const tw_expect *ex, const tw_response *resp);

/* A readable excerpt of text for a message: at most max bytes (cut on a
 * UTF-8 boundary, "…" appended), control characters shown as spaces. When
 * focus is not NULL and inside text, the excerpt is centred on it. Secrets
 * known to redact (may be NULL) are masked in text before anything is cut
 * or folded. malloc'd. */
char *tw_excerpt(const char *text, size_t len, const char *focus, size_t max,
		 const tw_redact *redact);

#endif
