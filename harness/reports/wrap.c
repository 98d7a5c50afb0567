/*
 * Fitting the terminal summary's lines into the terminal's width
 * (reports/wrap.h). A line is read as words (runs of anything but a space
 * or a marker; escape sequences belong to the word they touch) and the
 * spaces between them; words are written one by one, the spaces before a
 * word only once the word is known to fit after them, so a broken line
 * never ends in spaces and a line that fits comes out byte for byte. On a
 * line marked TW_WRAP_BREAK, a word wider than the whole line is broken:
 * its first piece fills the line, the others hang.
 */
#include "reports/wrap.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/utf8.h"

#define DEFAULT_WIDTH 80
#define CELL_GAP 2 /* the least room between two cells of a table */
#define MIN_PIECE 20 /* the narrowest piece of a broken word worth a line */

typedef struct layout {
	FILE *out;
	size_t width;
	size_t col;     /* columns written on the output line */
	size_t pending; /* spaces owed before the next word: its indentation
			   when the output line holds no word yet */
	size_t hang;    /* where continuation lines start */
	bool words;     /* the output line holds a word */
	bool breaks;    /* TW_WRAP_BREAK: a word wider than width is broken */
} layout;

static void spaces(layout *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fputc(' ', l->out);
}

static void new_line(layout *l)
{
	fputc('\n', l->out);
	l->col = 0;
	l->pending = 0;
	l->words = false;
}

/* The bytes of an escape sequence at p (ESC [ parameters final), or 0. */
static size_t escape_len(const unsigned char *p, size_t left)
{
	if (left < 2 || p[0] != 0x1b || p[1] != '[')
		return 0;
	size_t i = 2;
	while (i < left && p[i] >= 0x30 && p[i] <= 0x3f)
		i++;
	return i < left && p[i] >= 0x40 && p[i] <= 0x7e ? i + 1 : i;
}

/* The columns of [s, s + n): code points, escape sequences left out. */
static size_t columns(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	size_t w = 0;
	while (p < end) {
		size_t esc = escape_len(p, (size_t)(end - p));
		if (esc) {
			p += esc;
			continue;
		}
		uint32_t c;
		size_t k = tw_utf8_decode(p, (size_t)(end - p), &c);
		p += k ? k : 1;
		w++;
	}
	return w;
}

static void put_word(layout *l, const char *word, size_t len)
{
	for (size_t i = 0; i < len; i++)
		fputc(word[i] == TW_WRAP_NBSP[0] ? ' ' : word[i], l->out);
}

static void place(layout *l, const char *word, size_t len, size_t w);

/* A word wider than the whole line (a long value in a failure's cause), in
 * pieces: the first after what the line holds, the others at the hanging
 * indent, so that the value stays inside the indentation of the message it
 * belongs to instead of starting at column 0 (issue 12, trial #16). */
static void place_pieces(layout *l, const char *word, size_t len)
{
	const unsigned char *p = (const unsigned char *)word, *end = p + len;
	size_t at = l->hang + MIN_PIECE > l->width ? 0 : l->hang;
	size_t gap = l->pending;
	if (l->col + gap + MIN_PIECE > l->width) {
		if (l->words)
			new_line(l);
		gap = at;
	}
	while (p < end) {
		const unsigned char *piece = p;
		size_t room = l->width - l->col - gap, w = 0;
		while (p < end) {
			size_t esc = escape_len(p, (size_t)(end - p));
			if (esc) {
				p += esc;
				continue;
			}
			if (w == room)
				break;
			uint32_t c;
			size_t k = tw_utf8_decode(p, (size_t)(end - p), &c);
			p += k ? k : 1;
			w++;
		}
		spaces(l, gap);
		put_word(l, (const char *)piece, (size_t)(p - piece));
		l->col += gap + w;
		l->pending = 0;
		l->words = true;
		if (p < end) {
			new_line(l);
			gap = at;
		}
	}
}

/* Words joined by TW_WRAP_NBSP, placed apart: together they are wider
 * than a line. */
static void place_apart(layout *l, const char *word, size_t len)
{
	const char *end = word + len;
	while (word < end) {
		const char *nb = memchr(word, TW_WRAP_NBSP[0], (size_t)(end - word));
		size_t n = nb ? (size_t)(nb - word) : (size_t)(end - word);
		place(l, word, n, columns(word, n));
		if (nb)
			l->pending++;
		word += n + (nb != NULL);
	}
}

/* A word of w columns (len bytes). One of escapes alone takes no room and
 * is written where it stands. */
static void place(layout *l, const char *word, size_t len, size_t w)
{
	if (!len)
		return;
	if (w == 0) {
		put_word(l, word, len);
		return;
	}
	if (w > l->width && memchr(word, TW_WRAP_NBSP[0], len)) {
		place_apart(l, word, len);
		return;
	}
	if (l->breaks && w > l->width) {
		place_pieces(l, word, len);
		return;
	}
	size_t gap = l->pending;
	if (l->words && l->col + gap + w > l->width) {
		new_line(l);
		gap = l->hang;
	}
	/* Too wide at its indentation: as far left as it must, alone. */
	if (!l->words && gap + w > l->width)
		gap = w >= l->width ? 0 : l->width - w;
	spaces(l, gap);
	put_word(l, word, len);
	l->col += gap + w;
	l->pending = 0;
	l->words = true;
}

/* The next cell starts at column at. */
static void column(layout *l, size_t at)
{
	if (l->words && l->col + CELL_GAP > at)
		new_line(l);
	l->pending = l->words ? at - l->col : at;
	l->hang = at;
}

void tw_wrap_line(FILE *out, const char *line, size_t len, size_t width)
{
	layout l = {.out = out, .width = width ? width : DEFAULT_WIDTH};
	const unsigned char *p = (const unsigned char *)line, *end = p + len;
	size_t lead = 0;
	while (lead < len && line[lead] == ' ')
		lead++;
	l.hang = lead + 2;
	const unsigned char *word = p;
	size_t word_w = 0;
	while (p < end) {
		size_t esc = escape_len(p, (size_t)(end - p));
		if (esc) {
			p += esc;
			continue;
		}
		if (*p != ' ' && *p != TW_WRAP_COLUMN[0] && *p != TW_WRAP_HANG[0] &&
		    *p != TW_WRAP_BREAK[0]) {
			uint32_t c;
			size_t n = tw_utf8_decode(p, (size_t)(end - p), &c);
			p += n ? n : 1;
			word_w++;
			continue;
		}
		place(&l, (const char *)word, (size_t)(p - word), word_w);
		word_w = 0;
		if (*p == ' ') {
			l.pending++;
			p++;
		} else if (*p == TW_WRAP_BREAK[0]) {
			l.breaks = true;
			p++;
		} else {
			bool hang = *p == TW_WRAP_HANG[0], given = false;
			size_t at = 0;
			const unsigned char *q = ++p;
			for (; q < end && *q >= '0' && *q <= '9'; q++)
				at = at < 100000 ? at * 10 + (size_t)(*q - '0') : at;
			/* Digits not closed by ';' are the text's own ("404"). */
			if (q > p && q < end && *q == TW_WRAP_COLUMN_END) {
				given = true;
				p = q + 1;
			} else {
				at = 0;
			}
			if (!hang)
				column(&l, at);
			else
				l.hang = given ? at : (l.words ? l.col : 0) + l.pending;
		}
		word = p;
	}
	place(&l, (const char *)word, (size_t)(p - word), word_w);
	fputc('\n', out);
}

void tw_wrap_text(FILE *out, const char *text, size_t len, size_t width)
{
	const char *end = text + len;
	while (text < end) {
		const char *nl = memchr(text, '\n', (size_t)(end - text));
		size_t n = nl ? (size_t)(nl - text) : (size_t)(end - text);
		tw_wrap_line(out, text, n, width);
		text += n + (nl != NULL);
	}
}
