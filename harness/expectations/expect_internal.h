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
	size_t matches;       /* json and xpath: how many were selected */
	bool empty_is_absent; /* text, body, title, xpath string */
	bool long_text;       /* text and body: an excerpt, not a quote */
	json_t *held;         /* a reference of ours behind json (filters,
				 selections): decref'd with the evaluation */
	bool bytes;           /* bytes, not text (the bytes subject, a
				 base64Decode): its type in messages */
	bool date;            /* a toDate value, str its ISO 8601 form */
	bool secret;          /* filters made it from a value holding a
				 secret: shown as ***, since the redactor
				 cannot follow a transform (filter.c) */
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
	char *want;     /* ex->value.text, expanded (STRING, TEMPLATE and
			   REGEX); the value as shown for other kinds */
	tw_value val;   /* ex->value with a TEMPLATE typed by its expansion:
			   what the operator compares with */
	char *label;    /* "status", "header Content-Type", "json $.items count" */
	char *expected; /* the right-hand side for reports */
	actual act;
	bool done;      /* the outcome is decided */
	bool oom;
	bool whole;     /* issue 14, CLOCK: quotes and excerpts are whole (up
			   to TW_EXPECT_WHOLE_MAX): a call subject's, which
			   only a report may cut */
	bool brief;     /* tw_expect_eval_brief: the verdict (and capture)
			   without words; a failure is evaluated again */
} eval;

/* issue 14, CLOCK: what "whole" holds at most: a step's message (64 KiB)
 * must still hold the quote and its words around it. */
#define TW_EXPECT_WHOLE_MAX ((size_t)48 << 10)

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

/* subject.c: ev->act becomes the JSON value v (borrowed: the caller keeps
 * it alive, through act.held when it is the caller's). */
void tw_subject_set_json(eval *ev, json_t *v);

/* filter.c: applies ev->ex's filters to ev->act, left to right; a filter
 * that cannot apply decides a failed outcome naming it, what it got and
 * that value's type. */
void tw_filter_apply(eval *ev);

/* filter.c: the digest of len bytes of data in lowercase hex, algo
 * "sha256" or "md5"; malloc'd, NULL when out of memory. */
char *tw_digest_hex(const char *algo, const char *data, size_t len);

#endif
