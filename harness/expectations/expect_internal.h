/*
 * What expect.c (the operators, messages and captures: the predicate) and
 * subject.c (the actual value a subject reads from the response: the
 * query) share: the evaluation's state and the helpers that allocate
 * into it, each marking ev->oom when memory runs out. Not installed.
 */
#ifndef TW_EXPECTATIONS_EXPECT_INTERNAL_H
#define TW_EXPECTATIONS_EXPECT_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "expectations/expect.h"

/* How much of a value goes inside a one-line message. */
#define MSG_EXCERPT 120

typedef enum actual_kind {
	ACT_STRING,
	ACT_NUMBER,
	ACT_BOOL,
	ACT_JSON,
} actual_kind;

/* What came back, as the operator sees it. */
typedef struct actual {
	bool present;
	char *missing;        /* why it is absent: the failure message; owned */
	char *missing_actual; /* what there is instead, for reports; owned */
	actual_kind kind;
	const char *str;      /* the string form: len bytes, may hold NULs */
	size_t len;
	char *owned;          /* the storage behind str when it is ours */
	double number;        /* ACT_NUMBER */
	bool boolean;         /* ACT_BOOL */
	json_t *json;         /* ACT_JSON; borrowed from the response */
	json_t *json_owned;   /* a list of matches subject.c built; owned */
	size_t matches;       /* json and xpath: how many were selected */
	bool empty_is_absent; /* text, body, title, xpath string */
	bool long_text;       /* text and body: an excerpt, not a quote */
} actual;

typedef struct eval {
	const tw_expect *ex;
	tw_response *resp;    /* NULL when the subject's value is given */
	const char *given;    /* the value of a call subject; NULL: absent */
	const char *absent;   /* why a given value is absent */
	const tw_vars *vars;
	const tw_redact *redact; /* excerpts mask secrets before they cut */
	tw_expect_outcome *out;
	char *arg;      /* ex->arg, expanded */
	char *want;     /* ex->value.text, expanded (STRING and REGEX); the
			   value as shown for other kinds */
	char *label;    /* "status", "header Content-Type", "json $.items count" */
	char *expected; /* the right-hand side for reports */
	actual act;
	bool done;      /* the outcome is decided */
	bool oom;
} eval;

/* malloc'd printf; NULL (and ev->oom) when out of memory. */
char *tw_expect_format(eval *ev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* len bytes of s, NUL-terminated, malloc'd. */
char *tw_expect_copy(eval *ev, const char *s, size_t len);
/* tw_excerpt with the evaluation's secrets masked. */
char *tw_expect_excerpt(eval *ev, const char *s, size_t len, const char *focus, size_t max);
/* Sets the outcome once; takes ownership of actual_text. */
void tw_expect_decide(eval *ev, bool passed, char *actual_text, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A number as a person writes it: integers without a point, other values
 * in the shortest form that reads back the same. */
void tw_expect_format_number(double v, char *buf, size_t n);

/* subject.c: sets ev->act to the value ev->ex's subject reads from
 * ev->resp (or ev->given), or to its absence with the reason; may decide
 * the outcome itself when the response cannot be read (not JSON, an
 * invalid query). */
void tw_subject_fetch(eval *ev);

#endif
