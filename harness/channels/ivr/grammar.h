/*
 * VoiceXML grammars: what a caller may key or say at a field or a menu, and
 * whether what they gave matches.
 *
 * Why apart from the interpreter (vxml.c): reading grammars and matching
 * input against them is its own language (SRGS, builtin types, DTMF key
 * sequences) that grows without touching the Form Interpretation Algorithm.
 *
 * How: tw_grammar_field and tw_grammar_menu read an element's grammars into
 * a vxml_grammar: the builtins digits (length, minlength, maxlength),
 * boolean and number, by type or by src="builtin:...", <option>s, a menu's
 * <choice>s, plain lists ("1 | 2 | 3"), and SRGS. What techweek
 * cannot follow ends at its limit (TW_EUNSUPPORTED), a grammar that is wrong
 * is the service's fault (TW_ESERVICE), both through the interpreter's
 * errors (vxml.h). Grammars made of <rule>s, inline or fetched by src
 * before the document ran (tw_call_resource), are SRGS rule graphs
 * (grammar_srgs.h); ABNF is techweek's limit. tw_grammar_match_dtmf and
 * tw_grammar_match_speech judge input: keys exactly, speech word for word
 * (or approximately), SRGS by walking its rules.
 *
 * Ownership: the grammar owns its alternatives' strings and its SRGS rule
 * graphs (tw_grammar_free);
 * an alternative's node is borrowed from the document, so a grammar lives
 * no longer than the document it was read from. Matched values are
 * malloc'd for the caller.
 */
#ifndef TW_IVR_GRAMMAR_H
#define TW_IVR_GRAMMAR_H

#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>

#include "channels/ivr/grammar_srgs.h"
#include "channels/ivr/vxml.h"
#include "techweek/error.h"

/* One thing the caller may say or key. */
typedef struct vxml_alt {
	char *dtmf;   /* NULL: not by key */
	char *phrase; /* normalised words; NULL: not by voice */
	char *text;   /* as written, for <enumerate> */
	char *value;  /* the interpretation; NULL: the input itself */
	bool approximate;
	xmlNodePtr node; /* the <choice>, <option> or <item> */
	/* issue 14, SRGS: a <choice>'s own grammar (then phrase is NULL);
	 * borrowed from the grammar's srgs, which owns it */
	const tw_srgs *srgs;
} vxml_alt;

typedef enum vxml_builtin {
	B_NONE,
	B_DIGITS,
	B_BOOLEAN,
	B_NUMBER,
} vxml_builtin;

typedef struct vxml_grammar {
	vxml_builtin builtin;
	bool builtin_dtmf, builtin_voice;
	int minlen, maxlen; /* digits; 0: unbounded */
	vxml_alt *alts;
	size_t nalts, cap;
	/* issue 14, SRGS: grammars made of <rule>s, inline or by src (owned) */
	tw_srgs **srgs;
	size_t nsrgs, srgs_cap;
	char *slot; /* the field's slot: an object interpretation gives this property */
} vxml_grammar;

/* Frees the alternatives and zeroes g (ready to read again). */
void tw_grammar_free(vxml_grammar *g);

/* A menu's choices: dtmf="true" numbers those without keys 1 to 9. */
int tw_grammar_menu(vxml *v, xmlNodePtr menu, vxml_grammar *g, tw_error *err);

/* A field's grammars: its type, <grammar>s and <option>s. */
int tw_grammar_field(vxml *v, xmlNodePtr field, vxml_grammar *g, tw_error *err);

/* Does g listen for keys / for speech? */
bool tw_grammar_dtmf(const vxml_grammar *g);
bool tw_grammar_voice(const vxml_grammar *g);

/* issue 14, SRGS: does an SRGS DTMF grammar of g have key as a token? (It
 * cannot then also end the input, as for the alternatives' keys.) */
bool tw_grammar_uses_key(const vxml_grammar *g, char key);

/* The number of keys every DTMF match has, or 0 when it varies. */
int tw_grammar_fixed_keys(const vxml_grammar *g);

/* Keys, or a phrase, against the grammar: *value is malloc'd (NULL: no
 * match), *alt the alternative matched (NULL for a builtin or an SRGS rule
 * grammar), borrowed from g. Returns TW_ENOMEM on out of memory, TW_ELIMIT
 * when an SRGS grammar is too ambiguous to follow, else TW_OK. */
int tw_grammar_match_dtmf(const vxml_grammar *g, const char *keys, char **value,
			  const vxml_alt **alt);
int tw_grammar_match_speech(const vxml_grammar *g, const char *phrase, char **value,
			    const vxml_alt **alt);

/* issue 14, F2: could keys longer than keys (keys, then more) match g's
 * DTMF? True when it cannot tell (an SRGS grammar of varying length): the
 * platform then waits out interdigittimeout, as it must for one that
 * can. VoiceXML 2.0 6.3.3: a complete match that accepts no more ends
 * the input (termtimeout, 0 s by default). */
bool tw_grammar_dtmf_longer(const vxml_grammar *g, const char *keys);

#endif
