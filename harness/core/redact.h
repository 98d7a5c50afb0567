/*
 * Redaction: every secret value known to a run, replaced by *** in any text
 * before it leaves the engine (reports, messages, transcripts). The list is
 * filled before the first request and only read afterwards, so performances
 * on several threads can share it without a lock.
 */
#ifndef TW_CORE_REDACT_H
#define TW_CORE_REDACT_H

#include <stddef.h>

typedef struct tw_redact {
	char **secrets; /* owned; longest first so a secret containing
			   another is masked whole */
	size_t count;
} tw_redact;

#define TW_REDACTED "***"

/* Adds a copy of secret (empty strings are ignored: they would mask
 * everything). */
int tw_redact_add(tw_redact *r, const char *secret);
/* A malloc'd copy of text with every secret replaced by ***; NULL when text
 * is NULL or on out of memory. */
char *tw_redact_apply(const tw_redact *r, const char *text);
void tw_redact_free(tw_redact *r);

#endif
