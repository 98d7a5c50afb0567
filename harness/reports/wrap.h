/*
 * Laying out a line of the terminal summary in the terminal's width.
 *
 * The summary is written as logical lines (one fprintf after another, as
 * if the terminal were endless), with two markers among the text where a
 * table needs them; tw_wrap_line then fits each line into width columns:
 * prose breaks at spaces, never inside a word, continuation lines start at
 * the line's hanging indent, and a cell too wide for its column pushes the
 * next cell to a line of its own at the same column, so columns stay
 * aligned. A word wider than the room at the hanging indent starts a line
 * of its own, moved left as far as it must; only a word wider than the
 * whole width (a long URL) makes a line longer than width, and then it is
 * alone on it, whole, so that it can be copied. On a line marked
 * TW_WRAP_BREAK such a word is broken instead.
 *
 * Width is counted in code points (the summary's symbols, ✔ ✘ —, are one
 * column each); an ANSI escape sequence (ESC [ ... letter) takes none.
 * The markers are control characters the summary never lets through from
 * the network (its put_text shows them as U+FFFD), so only the summary's
 * own code writes them.
 */
#ifndef TW_REPORTS_WRAP_H
#define TW_REPORTS_WRAP_H

#include <stddef.h>
#include <stdio.h>

/* "\x1d" "46" ";": the next cell starts at column 46 (0-based). With at
 * least two columns of room it is padded there; otherwise the line breaks
 * and the cell starts at column 46 of the next. Continuation lines of the
 * rest of the line hang at that column too. */
#define TW_WRAP_COLUMN "\x1d"
#define TW_WRAP_COLUMN_END ';'
/* Continuation lines of this line start where the next word does, or,
 * followed by a number and TW_WRAP_COLUMN_END ("\x1f" "19" ";"), at that
 * column. Without it, two columns right of the line's indentation. */
#define TW_WRAP_HANG "\x1f"
/* At the start of a line: a word of it wider than the whole width is
 * broken, its first piece where it stands (on the next line when fewer
 * than 20 columns are left), the others at the hanging indent (at column
 * 0 when that leaves fewer than 20), so that it stays inside its message
 * (issue 12, trial #16). For a failure's cause and excerpt, values already
 * cut, whose whole text the JSON and HTML reports keep. */
#define TW_WRAP_BREAK "\x1e"
/* A space no line breaks at ("GET" and its URL, "0.81" and "s"), unless
 * what it joins is wider than the whole width. */
#define TW_WRAP_NBSP "\x1c"

/* Writes line (len bytes, no line break in it) to out fitted into width
 * columns (0: 80), each output line ending with '\n'. */
void tw_wrap_line(FILE *out, const char *line, size_t len, size_t width);

/* Every line of text (len bytes; the last one need not end with '\n')
 * through tw_wrap_line. */
void tw_wrap_text(FILE *out, const char *text, size_t len, size_t width);

#endif
