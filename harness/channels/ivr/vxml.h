/*
 * The VoiceXML interpreter's (vxml.c) document helpers, shared with its
 * grammar module (grammar.c): reading the libxml2 tree, tidying words, and
 * errors that name the element, its line and the document.
 *
 * Ownership: the document and the interpreter (vxml) belong to vxml.c;
 * these helpers borrow them. Strings returned by tw_vxml_attr are the
 * document's; tw_vxml_dup returns a malloc'd copy.
 */
#ifndef TW_IVR_VXML_H
#define TW_IVR_VXML_H

#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "techweek/error.h"

#define VXML_MAX_VARS 4096       /* variables in one scope; alternatives in one grammar */
#define VXML_MAX_UTTERANCE 65536 /* bytes of one spoken prompt */

/* The interpreter: one call's VoiceXML state (vxml.c). */
typedef struct vxml vxml;

bool tw_vxml_is(xmlNodePtr n, const char *name);
bool tw_vxml_is_text(xmlNodePtr n);
bool tw_vxml_blank(const char *s);

/* An attribute's value, borrowed from the document; NULL when absent. */
const char *tw_vxml_attr(xmlNodePtr n, const char *name);

/* "<field name="x">" for messages, masked and cut to fit size. */
void tw_vxml_describe(vxml *v, xmlNodePtr n, char *out, size_t size);

/* TW_ESERVICE: the document is at fault. */
__attribute__((format(printf, 4, 5))) int tw_vxml_fail(vxml *v, tw_error *err, xmlNodePtr n,
						       const char *fmt, ...);

/* TW_EUNSUPPORTED: n needs ECMAScript (what: an attribute or a description,
 * value: what it holds, or NULL). */
int tw_vxml_needs_ecma(vxml *v, tw_error *err, xmlNodePtr n, const char *what, const char *value);

/* TW_EUNSUPPORTED: techweek cannot follow n; why says what it does instead. */
int tw_vxml_unsupported(vxml *v, tw_error *err, xmlNodePtr n, const char *why);

int tw_vxml_nomem(tw_error *err);

/* A malloc'd copy; NULL for NULL (or out of memory). */
char *tw_vxml_dup(const char *s);

/* Collapses whitespace runs to one space and trims, in place. */
void tw_vxml_squeeze(char *s);

/* Appends the plain text of an element's content, without nested
 * <grammar>s, to b (capped at VXML_MAX_UTTERANCE). TW_OK, or the error
 * of b, failed now or before (see tw_vxml_text_failed). */
int tw_vxml_text_of(xmlNodePtr n, tw_buf *b, tw_error *err);
/* TW_OK for a text buffer that holds all that was appended; else the
 * error: TW_ELIMIT past VXML_MAX_UTTERANCE, or TW_ENOMEM. */
int tw_vxml_text_failed(const tw_buf *b, tw_error *err);

/* issue 14, SRGS: the call the interpreter runs in (borrowed), for the
 * resources fetched before the document ran (grammar src). */
struct tw_call;
struct tw_call *tw_vxml_call(vxml *v);

#endif
