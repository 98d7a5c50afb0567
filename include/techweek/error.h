/*
 * Errors are values: a code, a message and, when the error is about a
 * script, the place in it. Nothing in the engine prints; the caller decides
 * how to show a tw_error (tw_error_format gives the standard rendering).
 *
 * A function that can fail returns a tw_code and fills the tw_error passed
 * last (which may be NULL) when it fails. A successful call leaves err as
 * it was, as libgit2 does: clear a tw_error (tw_error_clear) before using
 * it again, or a stale message stays beside TW_OK. Read err only when the
 * code is not TW_OK.
 */
#ifndef TECHWEEK_ERROR_H
#define TECHWEEK_ERROR_H

#include <stddef.h>

#include "common.h"

typedef enum tw_code {
	TW_OK = 0,
	TW_ENOMEM,     /* out of memory */
	TW_EUSAGE,     /* the caller asked for something impossible */
	TW_ESYNTAX,    /* a script does not parse */
	TW_ECHECK,     /* a script parses but cannot run as written */
	TW_EIO,        /* a file could not be read or written */
	TW_ETRANSPORT, /* the network failed us (runtime) */
	TW_ELIMIT,     /* a documented cap was exceeded */
	TW_ESERVICE,   /* the service answered what cannot be followed (a
			  document that is not TwiML, an unknown verb) */
	TW_EUNSUPPORTED, /* techweek's own limit: the service asked for
			    something techweek cannot do yet (VoiceXML
			    <script>, an external grammar, a file upload);
			    not the service's fault */
	TW_EINTERNAL,  /* a bug in techweek */
} tw_code;

typedef struct tw_error {
	tw_code code;
	char *message;     /* owned; NULL when code is TW_OK */
	char *file;        /* owned; NULL unless about a script */
	int line;          /* 1-based; 0 when unknown */
	int col;           /* 1-based; 0 when unknown */
	char *source_line; /* owned; the script line, shown with a caret */
} tw_error;

/* A growable list of errors, for passes that report every problem. An
 * error that could not be appended (out of memory) is still counted, in
 * lost, so a list is never taken for complete when it is not. */
typedef struct tw_errors {
	tw_error *items; /* owned */
	size_t count;
	size_t cap;
	size_t lost;     /* errors that could not be appended */
} tw_errors;

/* A short name for a code ("syntax error", "i/o error"...). Static storage. */
TW_EXTERN(const char *) tw_code_str(tw_code code);

/* Releases what err owns and sets it back to TW_OK. Safe on a cleared error. */
TW_EXTERN(void) tw_error_clear(tw_error *err);

/* Sets err (clearing it first) and returns code. err may be NULL. When
 * the message (or, below, the file or line) cannot be allocated, err is
 * left saying out of memory, without a message, and TW_ENOMEM is returned. */
TW_EXTERN(int) tw_error_set(tw_error *err, tw_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As tw_error_set, with a place in a script. file and source_line are copied;
 * either may be NULL. */
TW_EXTERN(int) tw_error_set_at(tw_error *err, tw_code code, const char *file, int line,
			       int col, const char *source_line, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* Moves src into dst (dst cleared first; src left cleared). With either
 * NULL, the other is cleared. */
TW_EXTERN(void) tw_error_move(tw_error *dst, tw_error *src);

/* Renders err as the user sees it:
 *   file:line:col: syntax error: message
 *      12 |   fill "Your name" wiht x
 *         |                    ^
 * A cleared error (or NULL) renders as "no error". The result is
 * malloc'd; the caller frees it. NULL on out of memory. */
TW_EXTERN(char *) tw_error_format(const tw_error *err);

/* Appends a copy of err to list. Returns TW_OK, TW_ENOMEM with nothing
 * appended and list->lost counting it, or TW_EUSAGE when either is NULL. */
TW_EXTERN(int) tw_errors_push(tw_errors *list, const tw_error *err);
TW_EXTERN(void) tw_errors_clear(tw_errors *list);

#endif
