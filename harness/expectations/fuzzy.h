/*
 * Fuzzy prompt matching (issue 14, MATCH): `hear "press one for sales"
 * fuzzy 0.8`. A text-to-speech prompt differs from the words a tester
 * writes down by case, punctuation, spacing and the odd word, and `hear`
 * means "the prompt contains this": so both sides are normalised and the
 * expected text is looked for as an approximate substring of the prompt
 * (Sellers 1980: edit distance to the best-matching stretch, any start).
 *
 * Normalisation: letters case-folded (ASCII, Latin-1 and Greek/Cyrillic
 * capitals by their simple lowercase), punctuation and symbols dropped
 * (ASCII ones and the general punctuation block U+2010..U+205E), every
 * run of whitespace one blank, blanks at the ends gone; digits stay
 * digits ("1" is not "one": that is for the tester to write).
 *
 * Pure functions, no state: safe from any thread.
 */
#ifndef TW_EXPECT_FUZZY_H
#define TW_EXPECT_FUZZY_H

#include <stdbool.h>
#include <stddef.h>

#include "techweek/error.h"

/* The longest expected text (in characters after normalisation) a fuzzy
 * match takes: the work is its length times the prompt's. */
#define TW_FUZZY_MAX_EXPECTED 2000

/* issue 14, F4: the most of a prompt (in bytes, from where the look
 * starts) one look reads: with TW_FUZZY_MAX_EXPECTED it bounds a look's
 * table to 2000 x 8192 cells (about 16 million, tens of milliseconds on
 * the worker's loop), however long the prompt and however many handlers
 * look at it. A longer prompt is read up to its first 8 KiB (at a word
 * end) and the match says so (truncated). */
#define TW_FUZZY_MAX_PROMPT 8192

/* issue 14, F4: the most fuzzy work one step does, in cells, over all its
 * looks (a hear's at each prompt from the cursor, each `when hear ...
 * fuzzy` handler's at each): about 6 looks of the largest size, and
 * thousands of the usual ones (30 characters against 200). */
#define TW_FUZZY_STEP_CELLS 100000000ULL

/* The default threshold of a bare `fuzzy`. */
#define TW_FUZZY_DEFAULT 0.8

typedef struct tw_fuzzy_match {
	double similarity; /* 1 - distance / length of the expected text, in
			      [0, 1]; 1 for an empty expected text */
	size_t distance;   /* edits (insert, delete, substitute a character) */
	size_t start, end; /* the best stretch of the prompt, as byte offsets
			      into the text given (end exclusive); the first
			      (leftmost-ending) of equally good ones */
	/* issue 14, F4 */
	size_t word_start, word_end; /* start..end widened to whole words:
					what a message quotes */
	bool truncated;              /* only the first TW_FUZZY_MAX_PROMPT
					bytes of the text were read */
} tw_fuzzy_match;

/* Writes the normalised form of text (len bytes) to a malloc'd string
 * in *out. Bytes that are not UTF-8 count as one character each. TW_OK or
 * TW_ENOMEM. */
int tw_fuzzy_normalise(const char *text, size_t len, char **out);

/* Finds expected (NUL-terminated) in text (len bytes) as an approximate
 * substring, both normalised first. TW_OK with *m filled; TW_ELIMIT when
 * expected is longer than TW_FUZZY_MAX_EXPECTED characters; TW_EUSAGE
 * when it has no letter or digit (nothing to compare: it would match
 * anything); TW_ENOMEM. Reads at most TW_FUZZY_MAX_PROMPT bytes of text. */
int tw_fuzzy_find(const char *expected, const char *text, size_t len, tw_fuzzy_match *m);

/* issue 14, F4: whether text (NUL-terminated) has something left to
 * compare after normalisation (a letter or a digit). */
bool tw_fuzzy_has_words(const char *text);

#endif
