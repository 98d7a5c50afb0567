/*
 * SRGS XML grammars (W3C Speech Recognition Grammar Specification 1.0):
 * rules, rule references, alternatives, repeats and the simple semantic
 * tags, read into a rule graph and matched against a caller's keys or words.
 *
 * Why apart from grammar.c: an SRGS grammar with <item repeat="1-"> or rule
 * references is not a list of phrases; it is matched by walking its rules
 * (backtracking, with a step budget so an ambiguous grammar cannot stall a
 * run). grammar.c keeps the builtins, options and plain lists.
 *
 * What is read (anything else is TW_EUNSUPPORTED, techweek's limit, with the
 * reason worded for the tester; a grammar that is wrong is TW_ESERVICE):
 * - <grammar root= mode= tag-format=>, <rule id=>, <ruleref uri="#r">,
 *   <ruleref uri="other.grxml#r"> (the other grammar must have been fetched
 *   before the document ran; see tw_srgs_fetcher), <ruleref special="NULL"|
 *   "VOID">, <one-of>, <item repeat="n|n-m|n-">, text tokens, <token>.
 * - <tag>: with tag-format="semantics/1.0-literals" the tag's text is the
 *   value. Otherwise statements separated by ';' of the forms
 *     out = E;   out.NAME = E;   out += E;   out.NAME += E;
 *   where E is terms joined by '+': a string or number literal, true/false,
 *   out, out.NAME, rules.NAME, rules.NAME.PROP, rules.latest(),
 *   meta.current().text. '+' is JavaScript's (numbers add, else strings
 *   join).
 * - ABNF (a body that is not XML, or type application/srgs) is refused.
 *
 * A rule whose out was never assigned has the text it matched as its value
 * (words joined by spaces; DTMF keys joined without them, as the builtins
 * give digits). The root rule's value is the interpretation.
 *
 * Ownership: a tw_srgs owns everything it read (it copies out of the XML,
 * so the document may go); free with tw_srgs_free. Matched values are
 * malloc'd for the caller.
 */
#ifndef TW_IVR_GRAMMAR_SRGS_H
#define TW_IVR_GRAMMAR_SRGS_H

#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>

#include "techweek/error.h"

typedef struct tw_srgs tw_srgs;

/* Where a grammar's external references come from: fetch gives the body
 * of ref resolved against base (borrowed; it must outlive tw_srgs_read's
 * call only), or an error as tw_call_resource gives it (TW_CALL_NOT_FETCHED
 * for a file not fetched before the document ran, TW_ESERVICE for one
 * whose fetch failed).
 * NULL fetcher: external references are techweek's limit. */
typedef struct tw_srgs_fetcher {
	int (*fetch)(void *ctx, const char *base, const char *ref, const char **body,
		     size_t *len, const char **content_type, tw_error *err);
	void *ctx;
} tw_srgs_fetcher;

/* The budget of one match: steps of the backtracking walk. Over it the
 * match is TW_ELIMIT (an ambiguous grammar), never a wrong answer. */
#define TW_SRGS_MAX_STEPS 200000
/* ... and its depth (each token and rule nests the walk once or twice;
 * a left-recursive rule, which SRGS forbids, stops here). */
#define TW_SRGS_MAX_DEPTH 3000
/* Rules, tokens and nodes one grammar (with its references) may have, and
 * the grammars it may draw on: over either, reading is TW_ELIMIT (with
 * words for the tester: techweek's cap). */
#define TW_SRGS_MAX_NODES 20000
#define TW_SRGS_MAX_DOCS 16

/* An inline <grammar> element. url is the document's (the base of
 * external references). dtmf_default: the mode when the element has none.
 * On failure *at is the node at fault in this document (NULL when the
 * fault lies in a fetched grammar: the message then names its URL and
 * line). */
int tw_srgs_read_node(xmlNodePtr grammar, const char *url, bool dtmf_default,
		      const tw_srgs_fetcher *f, tw_srgs **out, xmlNodePtr *at, tw_error *err);

/* A grammar fetched from url (absolute; a '#rule' fragment picks the
 * root), body as served with its content type (NULL: unknown). */
int tw_srgs_read_bytes(const char *body, size_t len, const char *content_type,
		       const char *url, bool dtmf_default, const tw_srgs_fetcher *f,
		       tw_srgs **out, tw_error *err);

void tw_srgs_free(tw_srgs *g);

/* Words as a recogniser compares them: lower case, letters, digits and
 * apostrophes, anything else a space, blanks collapsed and trimmed. What
 * a grammar's words and a caller's phrase are both turned into, here and
 * in grammar.c. malloc'd; NULL out of memory; NULL s reads as "". */
char *tw_srgs_words(const char *s);

/* The grammar's mode. */
bool tw_srgs_dtmf(const tw_srgs *g);

/* Is token (a word, or a key of a DTMF grammar) one of the grammar's? */
bool tw_srgs_has_token(const tw_srgs *g, const char *token);

/* The number of tokens (keys) every match has, or 0 when it varies: a
 * DTMF grammar of fixed length ends the caller's input at its last key. */
int tw_srgs_fixed_length(const tw_srgs *g);

/* Input against the grammar: keys ("123#") for a DTMF grammar, words for a
 * voice one (compared case-folded, punctuation dropped). *value is the
 * interpretation, malloc'd (NULL: no match); an object interpretation
 * gives its property slot when it has one, else the object written as
 * {name: "value", ...}. TW_ENOMEM, TW_ELIMIT (the step budget), else
 * TW_OK. */
int tw_srgs_match(const tw_srgs *g, const char *input, const char *slot, char **value,
		  tw_error *err);

#endif
