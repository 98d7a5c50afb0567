/*
 * The terminal summary: what a person reads at 2 a.m. before a launch. It
 * answers, in this order: did everything pass; if not, which rehearsal,
 * which scene, which line of the script, and what came back instead. One
 * line per rehearsal; details only under what did not pass (every scene and
 * step with TW_SUMMARY_VERBOSE); the counts and the verdict last, where the
 * eye lands when the output stops scrolling.
 *
 * Text from the network (body excerpts, URLs) reaches a terminal here, so
 * every string goes through put_text(): control characters and broken UTF-8
 * are replaced (a server must not be able to send escape sequences to the
 * reader's terminal), line breaks are folded, and long text is cut so one
 * huge body cannot push the verdict off the screen. Colour escapes are
 * written only with TW_SUMMARY_COLOR, never otherwise.
 *
 * Nothing is printed anywhere but the FILE* the caller gives.
 */
#include "techweek/report.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/plural.h"
#include "core/utf8.h"
#include "readiness/baseline.h"
#include "readiness/score.h"
#include "reports/render.h"
#include "reports/wrap.h"
#include "runner/run.h"
#include "runner/suite.h" /* issue 13, SUITE */
#include "techweek.h"

#define NAME_WIDTH 40    /* the rehearsal-name column */
#define NAME_MAX_CHARS 80
#define DETAIL_MAX_CHARS 150 /* with its indentation, a line stays near 160 */
#define CAUSE_MAX_CHARS 300  /* a step's cause is the point of its lines:
				whole but for a huge one (JUnit's message) */
#define WHY_NAME_MAX_CHARS 70 /* a name in front of a verdict's why */
#define METHOD_MAX_CHARS 16  /* a request's method and URL in a step row */
#define URL_MAX_CHARS 80
#define REQUEST_COLUMN 19    /* after the indent, symbol and line number */
#define TRANSCRIPT_TAIL 8    /* transcript lines shown under a failure */
#define WHOLE ((size_t)-1 / 2) /* no cut: --verbose is where a cause, what
				  was expected and what came back are read
				  whole (issue 14); half, so "max - label"
				  cannot wrap */

#define GREEN "\033[32m"
#define RED "\033[31m"
#define YELLOW "\033[33m"
#define MAGENTA "\033[35m"
#define DIM "\033[2m"
#define BOLD "\033[1m"
#define RESET "\033[0m"

typedef struct summary {
	FILE *out;
	bool color;
	bool verbose;
	size_t width; /* the terminal's columns: tables are cut to fit it */
	size_t request_col; /* with verbose: where every request of a step row
			       starts (request_column) */
} summary;

/* An escape sequence when colour is on, else nothing at all. */
static const char *esc(const summary *s, const char *code)
{
	return s->color ? code : "";
}

static bool is_fold(uint32_t c)
{
	return c == '\n' || c == '\r' || c == '\t';
}

/* How many bytes of text (len) put_text_n shows to show at most max
 * characters: all when they fit, else up to the end of the last word that
 * fits, so no word is cut in two, unless that keeps less than half of max
 * (a long URL has no space): then max characters. Counted as shown: a run
 * of line breaks and tabs is one character. */
static size_t cut_at(const char *text, size_t len, size_t max)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t at = 0, chars = 0, word_end = 0, word_chars = 0;
	bool folding = false, spaced = false;
	while (at < len) {
		uint32_t c = 0;
		size_t n = tw_utf8_decode(p + at, len - at, &c);
		bool fold = n && is_fold(c), space = fold || (n && c == ' ');
		if (!(fold && folding)) {
			if (chars == max) {
				if (space && !spaced)
					return at;
				return word_chars > 0 && word_chars >= max / 2 ? word_end : at;
			}
			if (space && !spaced) {
				word_end = at;
				word_chars = chars;
			}
			chars++;
		}
		folding = fold;
		spaced = space;
		at += n ? n : 1;
	}
	return len;
}

/*
 * Writes text (len bytes) safe for a terminal: line breaks and tabs folded into one
 * space, other control characters (C0, DEL, C1: the ESC and CSI that start
 * terminal sequences) and invalid UTF-8 shown as U+FFFD, and at most max
 * characters, cut between words (cut_at), "…" marking a cut. Returns the
 * characters written, for column alignment.
 */
static size_t put_text_n(const summary *s, const char *text, size_t len, size_t max)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t left = cut_at(text, len, max), chars = 0;
	bool cut = left < len, folding = false;
	while (left) {
		uint32_t c = 0;
		size_t n = tw_utf8_decode(p, left, &c);
		bool fold = n && is_fold(c);
		if (fold && folding) {
			p += n;
			left -= n;
			continue;
		}
		if (fold)
			fputc(' ', s->out);
		else if (n == 0 || c < 0x20 || (c >= 0x7F && c <= 0x9F))
			fputs("\xEF\xBF\xBD", s->out);
		else
			fwrite(p, 1, n, s->out);
		folding = fold;
		n = n ? n : 1;
		p += n;
		left -= n;
		chars++;
	}
	if (cut) {
		fputs("\xE2\x80\xA6", s->out);
		chars++;
	}
	return chars;
}

static size_t put_text(const summary *s, const char *text, size_t max)
{
	return put_text_n(s, text ? text : "", text ? strlen(text) : 0, max);
}

/* The next cell of a table row starts at column at; the line writer
 * (reports/wrap.h) pads to it, or moves the cell to the next line at the
 * same column when the one before is too wide. */
static void tab(const summary *s, size_t at)
{
	fprintf(s->out, TW_WRAP_COLUMN "%zu%c", at, TW_WRAP_COLUMN_END);
}

/* Where the cells after a table's first column start, on every row: the
 * first column (after used columns of indent and symbols) is want wide, or
 * what the width leaves beside rest columns for the other cells. Narrower
 * than least, it would be a column of a few letters: then the other cells
 * go to a line of their own on every row, at the first column's start. */
static size_t cell_column(const summary *s, size_t used, size_t want, size_t rest, size_t least)
{
	size_t room = s->width > used + rest + 2 ? s->width - used - rest - 2 : 0;
	if (room >= least)
		return used + (room < want ? room : want) + 2;
	return s->width > rest && s->width - rest < used ? s->width - rest : used;
}

static const char *str_or(const char *str, const char *fallback)
{
	return str && *str ? str : fallback;
}

/* Rehearsal i's name as every report shows it (tw_run_put_rehearsal_name):
 * a name longer than max cut, the path that tells two of one name apart
 * whole. TW_OK or TW_ENOMEM. */
static int put_name(const summary *s, const tw_run *run, size_t i, size_t max)
{
	tw_buf b;
	tw_buf_init(&b, SIZE_MAX / 2);
	int rc = tw_run_put_rehearsal_name(&b, run, i, max);
	if (rc == TW_OK)
		put_text(s, tw_buf_str(&b), SIZE_MAX);
	tw_buf_free(&b);
	return rc;
}

static const char *status_color(tw_status st)
{
	switch (st) {
	case TW_STATUS_PASSED: return GREEN;
	case TW_STATUS_FAILED: return RED;
	case TW_STATUS_UNREACHABLE: return YELLOW;
	case TW_STATUS_BROKEN: return MAGENTA;
	case TW_STATUS_SKIPPED: return DIM;
	case TW_STATUS_LIMITED: return YELLOW;
	}
	return "";
}

/* Shown in detail: what did not hold, and where techweek reached its own
 * limit (worded as techweek's, by the channel that hit it). */
static bool worth_showing(tw_status st)
{
	return tw_status_is_problem(st) || st == TW_STATUS_LIMITED;
}

static void put_symbol(const summary *s, tw_status st)
{
	fprintf(s->out, "%s%s%s", esc(s, status_color(st)), tw_status_symbol(st), esc(s, RESET));
}

/* 0.81 s; minutes stay in seconds: a run's length is compared, not read. */
static void put_secs(const summary *s, double ms)
{
	if (!isfinite(ms) || ms < 0)
		ms = 0;
	fprintf(s->out, "%.2f" TW_WRAP_NBSP "s", ms / 1000.0);
}

static void put_step_time(const summary *s, double ms)
{
	if (!isfinite(ms) || ms < 0)
		ms = 0;
	if (ms < 1000)
		fprintf(s->out, "%.1f" TW_WRAP_NBSP "ms", ms);
	else
		fprintf(s->out, "%.2f" TW_WRAP_NBSP "s", ms / 1000.0);
}

/* The plural's "s" by the engine's one rule (core/plural.h). */
static const char *plural(long n)
{
	return tw_plural(n < 0 ? 0 : (uint64_t)n, "", "s");
}

static void indent(const summary *s, int n)
{
	fprintf(s->out, "%*s", n, "");
}

/* A detail line under a step: label (may be ""), then text, dimmed; text
 * past max characters, with the label, is cut. */
static void detail(const summary *s, int at, const char *label, const char *text, size_t max,
		   bool dim)
{
	indent(s, at);
	fputs(TW_WRAP_BREAK, s->out);
	if (dim)
		fputs(esc(s, DIM), s->out);
	fputs(label, s->out);
	if (*label)
		fputs(TW_WRAP_HANG, s->out);
	put_text(s, text, max - strlen(label));
	if (dim)
		fputs(esc(s, RESET), s->out);
	fputc('\n', s->out);
}

/* Why a step did not hold: the cause, then what came back. */
static void step_details(const summary *s, const tw_step_result *st, int at, bool with_request)
{
	/* Without --verbose the cut keeps a huge body from pushing the
	 * verdict off the screen; with it, the reader asked for everything. */
	size_t cause_max = s->verbose ? WHOLE : CAUSE_MAX_CHARS;
	size_t detail_max = s->verbose ? WHOLE : DETAIL_MAX_CHARS;
	if (st->message)
		detail(s, at, "", st->message, cause_max, false);
	else if (st->expected)
		detail(s, at, "expected: ", st->expected, detail_max, false);
	else
		detail(s, at, "", tw_status_str(st->status), detail_max, false);
	if (st->message && st->expected && s->verbose)
		detail(s, at, "expected: ", st->expected, detail_max, true);
	/* A message of the judge's shape ("json $.id: expected: 2 (integer) /
	 * actual: 3 (integer)") shows the actual already (issue 12, trial #1):
	 * its longer excerpt, like the expected field, only with -v. */
	if (st->actual && (s->verbose || !st->message || !strstr(st->message, " / actual: ")))
		detail(s, at, "actual: ", st->actual, detail_max, true);
	/* The request chain, one hop a line: "response: 303 from POST URL",
	 * then each hop it led to under it, "→ 200 from GET URL". */
	size_t hops = with_request ? tw_step_result_hop_count(st) : 0;
	tw_hop hop = TW_HOP_INIT;
	for (size_t i = 0; i < hops; i++) {
		/* A poll's first hop starts a try: "poll 1: 503 from GET URL". */
		int poll = hop.poll;
		tw_step_result_hop(&hop, st, i);
		bool again = i && hop.poll != poll;
		if (hop.left_out) {
			indent(s, at + 8);
			fprintf(s->out, "%s\xE2\x80\xA6 %llu more request%s%s\n", esc(s, DIM),
				(unsigned long long)hop.left_out, plural((long)hop.left_out),
				esc(s, RESET));
		}
		char lead[32] = "", line[64] = "";
		if (again)
			snprintf(lead, sizeof(lead), "poll %d: ", hop.poll);
		else if (i)
			snprintf(lead, sizeof(lead), "\xE2\x86\x92 "); /* → */
		else if (hop.status)
			snprintf(lead, sizeof(lead), "response: ");
		if (hop.status)
			snprintf(line, sizeof(line), "%s%ld from ", lead, hop.status);
		else
			snprintf(line, sizeof(line), "%sno response from ", lead);
		indent(s, i && !again ? at + 8 : at);
		fprintf(s->out, "%s%s", esc(s, DIM), line);
		put_text(s, hop.method, 16);
		fputs(TW_WRAP_NBSP, s->out);
		put_text(s, hop.url, DETAIL_MAX_CHARS - strlen(line));
		fprintf(s->out, "%s\n", esc(s, RESET));
	}
}

/* "  14 | expect status 200": the script line, as compilers show it. */
static void put_source(const summary *s, const tw_step_result *st)
{
	fprintf(s->out, "%4d | " TW_WRAP_HANG, tw_step_result_line(st));
	put_text(s, tw_step_result_source(st), s->verbose ? WHOLE : DETAIL_MAX_CHARS - 7);
}

static void verbose_step(const summary *s, const tw_step_result *st)
{
	indent(s, 10);
	put_symbol(s, st->status);
	fputc(' ', s->out);
	put_source(s, st);
	/* The step's first request on its line, each hop it led to under it:
	 * "→ 200  GET URL". */
	size_t hops = st->status != TW_STATUS_SKIPPED ? tw_step_result_hop_count(st) : 0;
	tw_hop hop = TW_HOP_INIT;
	if (st->status != TW_STATUS_SKIPPED) {
		/* After 19 columns of indent, symbol and line number and the
		 * source, the status and the time (3 + 2 + 8) as columns; the
		 * request on a line of its own, where every request of every
		 * step starts at one column. */
		tab(s, cell_column(s, 19, 40, 3 + 2 + 8, 12));
		fputs(esc(s, DIM), s->out);
		const char *method = st->method, *url = st->url;
		long status = st->http_status;
		if (hops) {
			tw_step_result_hop(&hop, st, 0);
			method = hop.method, url = hop.url, status = hop.status;
		}
		if (status)
			fprintf(s->out, "%ld  ", status);
		else
			fputs("     ", s->out);
		put_step_time(s, st->elapsed_ms);
		if (method || url) {
			fprintf(s->out, "%s\n%*s%s", esc(s, RESET), (int)s->request_col, "",
				esc(s, DIM));
			put_text(s, str_or(method, "?"), METHOD_MAX_CHARS);
			fputs(TW_WRAP_NBSP, s->out);
			put_text(s, str_or(url, "?"), URL_MAX_CHARS);
		}
		fputs(esc(s, RESET), s->out);
	}
	fputc('\n', s->out);
	/* Each later hop "→ 200  " left of the requests' column, so that its
	 * request starts there too; continued there when it does not fit. A
	 * poll's first hop is no hop the one above led to: "poll N:" above
	 * it, and no arrow. */
	size_t arrow = s->request_col >= 7 ? s->request_col - 7 : 0;
	for (size_t i = 1; i < hops; i++) {
		int poll = hop.poll;
		tw_step_result_hop(&hop, st, i);
		indent(s, (int)arrow);
		fputs(esc(s, DIM), s->out);
		if (hop.left_out)
			fprintf(s->out, "\xE2\x80\xA6 %llu more request%s\n%*s",
				(unsigned long long)hop.left_out, plural((long)hop.left_out),
				(int)arrow, "");
		if (hop.poll != poll)
			fprintf(s->out, "poll %d:\n%*s", hop.poll, (int)arrow, "");
		fprintf(s->out, TW_WRAP_HANG "%zu;%s", s->request_col,
			hop.poll != poll ? "  " : "\xE2\x86\x92 "); /* → */
		if (hop.status)
			fprintf(s->out, "%ld  ", hop.status);
		else
			fputs("     ", s->out);
		put_text(s, hop.method, METHOD_MAX_CHARS);
		fputs(TW_WRAP_NBSP, s->out);
		put_text(s, hop.url, URL_MAX_CHARS);
		if (!hop.status)
			fputs(" (no response)", s->out);
		fputs(esc(s, RESET), s->out);
		fputc('\n', s->out);
	}
	if (tw_status_is_problem(st->status))
		step_details(s, st, 16, false);
	else if (st->note) /* issue 14, F4: what a passed step did besides
			      (a handler's answer, "not heard") */
		detail(s, 16, "note: ", st->note, WHOLE, true);
}

/* A call's transcript, or its last `tail` lines (0: all): what led to a
 * failure is at the end. */
static void put_transcript(const summary *s, const char *text, size_t tail)
{
	size_t lines = 0;
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	size_t skip = tail && lines > tail ? lines - tail : 0;
	indent(s, 10);
	fprintf(s->out, "%scall transcript%s%s\n", esc(s, DIM), skip ? " (the end)" : "",
		esc(s, RESET));
	const char *line = text;
	for (size_t i = 0; *line; i++) {
		size_t len = strcspn(line, "\n");
		if (i >= skip) {
			/* In place: a copy of the line could fail, and the line
			 * would silently be missing. */
			indent(s, 10);
			fputs(esc(s, DIM), s->out);
			put_text_n(s, line, len, s->verbose ? WHOLE : DETAIL_MAX_CHARS);
			fputs(esc(s, RESET), s->out);
			fputc('\n', s->out);
		}
		line += len;
		if (*line == '\n')
			line++;
	}
}

static void scene_title(const summary *s, const tw_scene_result *sc)
{
	bool backstage = sc->scene && sc->scene->backstage;
	fprintf(s->out, "%s \"", backstage ? "backstage" : "scene");
	put_text(s, sc->scene ? str_or(sc->scene->name, "?") : "?", NAME_MAX_CHARS);
	fputc('"', s->out);
}

/* issue 13, FLOW: a scene its `when` left out: neither a failure nor
 * a scene not reached, so said apart, and only with --verbose.
 * "- Pay: not run (when {{card}}: card is not set)" */
static void put_not_run(const summary *s, const tw_scene_result *sc)
{
	indent(s, 6);
	fprintf(s->out, "%s- ", esc(s, DIM));
	put_text(s, sc->scene ? sc->scene->name : "?", DETAIL_MAX_CHARS);
	fputs(": not run (", s->out);
	if (sc->scene && sc->scene->when) {
		fputs("when ", s->out);
		put_text(s, sc->scene->when, DETAIL_MAX_CHARS);
		fputs(": ", s->out);
	}
	put_text(s, sc->not_run, DETAIL_MAX_CHARS);
	fprintf(s->out, ")%s\n", esc(s, RESET));
}

static void put_scene(const summary *s, const tw_rehearsal_result *r, const tw_scene_result *sc)
{
	const tw_step_result *first = NULL;
	for (size_t i = 0; i < tw_scene_result_steps(sc) && !first; i++)
		if (worth_showing(sc->steps[i].status))
			first = &sc->steps[i];

	indent(s, 6);
	put_symbol(s, sc->status);
	fputc(' ', s->out);
	scene_title(s, sc);
	if (s->verbose) {
		size_t n = tw_scene_result_steps(sc);
		fprintf(s->out, "  %s%zu step%s  ", esc(s, DIM), n, plural((long)n));
		put_secs(s, sc->elapsed_ms);
		/* issue 13: a used scene's step lines are its own file's */
		const char *from = sc->scene ? sc->scene->file : NULL;
		if (from && r->path && strcmp(from, r->path) != 0) {
			fputs("  in ", s->out);
			put_text(s, from, DETAIL_MAX_CHARS);
		}
		fputs(esc(s, RESET), s->out);
	} else {
		/* Where to look: the first step that did not hold. */
		const char *file = first && first->step ? first->step->file
					: sc->scene ? sc->scene->file : NULL;
		int line = first ? tw_step_result_line(first) : sc->scene ? sc->scene->line : 0;
		fputs(" \xE2\x80\x94 ", s->out); /* — */
		put_text(s, str_or(file, str_or(r->path, "?")), DETAIL_MAX_CHARS);
		if (line > 0)
			fprintf(s->out, ":%d", line);
		/* issue 13, F1: which use led there */
		if (sc->scene && sc->scene->used_by) {
			fputs(" (used by ", s->out);
			put_text(s, sc->scene->used_by, DETAIL_MAX_CHARS);
			fputc(')', s->out);
		}
		/* issue 13, DATA: the row it took, so a failing row can be found */
		if (r->data_row > 0 && worth_showing(sc->status)) {
			fprintf(s->out, " (performance %llu, ", r->seq);
			put_text(s, str_or(r->data_file, "?"), DETAIL_MAX_CHARS);
			fprintf(s->out, " line %ld)", r->data_row);
		}
	}
	fputc('\n', s->out);

	for (size_t i = 0; i < tw_scene_result_steps(sc); i++) {
		const tw_step_result *st = &sc->steps[i];
		if (s->verbose) {
			verbose_step(s, st);
		} else if (worth_showing(st->status)) {
			indent(s, 10);
			put_source(s, st);
			fputc('\n', s->out);
			step_details(s, st, 10, true);
		}
	}
	if (sc->transcript && (s->verbose || worth_showing(sc->status)))
		put_transcript(s, sc->transcript, s->verbose ? 0 : TRANSCRIPT_TAIL);
}

/* A problem that no scene explains (a script error, a missing secret,
 * nothing listening): tw_error's own rendering, caret and all. */
static int put_problem(const summary *s, const tw_rehearsal_result *r)
{
	char *text = tw_error_format(&r->problem);
	if (!text)
		return TW_ENOMEM;
	const char *line = text;
	for (bool first = true; *line; first = false) {
		size_t len = strcspn(line, "\n");
		char *one = strndup(line, len);
		if (!one) {
			free(text);
			return TW_ENOMEM;
		}
		indent(s, 6);
		fputs(first ? "" : esc(s, DIM), s->out);
		put_text(s, one, DETAIL_MAX_CHARS);
		fputs(first ? "" : esc(s, RESET), s->out);
		fputc('\n', s->out);
		free(one);
		line += len;
		if (*line == '\n')
			line++;
	}
	free(text);
	return TW_OK;
}

/* The caller's experience in one line: how soon the IVR spoke, the
 * effort, the failure demand, and when a human answered. */
static void put_phone(const summary *s, const tw_call_totals *p)
{
	fprintf(s->out, "      %sphone:", esc(s, DIM));
	if (p->first_prompt_s >= 0)
		fprintf(s->out, " first prompt at %.1fs,", p->first_prompt_s);
	fprintf(s->out, " %d prompt%s heard, %d input%s", p->prompts, plural(p->prompts),
		p->inputs, plural(p->inputs));
	if (p->repeats > 0)
		fprintf(s->out, ", %d re-prompt%s", p->repeats, plural(p->repeats));
	if (p->menu_turns > 0) {
		fputs(" (most of \"", s->out);
		put_text(s, p->menu, SIZE_MAX);
		fputs("\")", s->out);
	}
	if (p->transfer_s >= 0)
		fprintf(s->out, ", an agent at %.1fs", p->transfer_s);
	if (p->calls > 1)
		fprintf(s->out, " (%d calls)", p->calls);
	fprintf(s->out, "%s\n", esc(s, RESET));
}

static void put_ms(const summary *s, double ms)
{
	if (ms < 1)
		fprintf(s->out, "%.2fms", ms);
	else if (ms < 1000)
		fprintf(s->out, "%.0fms", ms);
	else
		fprintf(s->out, "%.2fs", ms / 1000);
}

static void put_latency(const summary *s, const tw_histogram *h)
{
	fputs("p50" TW_WRAP_NBSP, s->out);
	put_ms(s, tw_histogram_percentile(h, 50));
	fputs(" p95" TW_WRAP_NBSP, s->out);
	put_ms(s, tw_histogram_percentile(h, 95));
	fputs(" p99" TW_WRAP_NBSP, s->out);
	put_ms(s, tw_histogram_percentile(h, 99));
	fputs(" max" TW_WRAP_NBSP, s->out);
	put_ms(s, tw_histogram_max(h));
}

/* A dress rehearsal's figures for one rehearsal: outcome rate, time to
 * outcome, flakiness; then its touchpoints that failed (all of them with
 * --verbose). */
/* rows (issue 13, F3): the performances take data rows, so what failed in
 * some of them fails on some rows, not flaky (metrics.h). */
static void put_figures(const summary *s, const tw_rehearsal_metrics *m, double required,
			bool rows)
{
	char rate[TW_RATE_SHOWN_SIZE];
	fprintf(s->out, "      %llu performances: %llu achieved (%s)",
		(unsigned long long)m->performances, (unsigned long long)m->achieved,
		tw_rate_shown(rate, sizeof(rate), (double)m->achieved / (double)m->performances,
			      required));
	uint64_t not = m->performances - m->achieved;
	if (not)
		fprintf(s->out, ", %s%llu not%s", esc(s, RED), (unsigned long long)not, esc(s, RESET));
	if (tw_histogram_count(m->time_to_outcome)) {
		fputs("; time to outcome on the customer's clock ", s->out);
		put_latency(s, m->time_to_outcome);
	}
	if (tw_rehearsal_flaky_rows(m, rows))
		fprintf(s->out, "  %sflaky%s", esc(s, YELLOW), esc(s, RESET));
	else if (tw_rehearsal_fails_on_rows(m, rows))
		fprintf(s->out, "  %sfails on some rows%s", esc(s, YELLOW), esc(s, RESET));
	fputc('\n', s->out);
	for (size_t i = 0; i < m->scene_count; i++)
		for (size_t j = 0; j < m->scenes[i].step_count; j++) {
			const tw_touchpoint_metrics *t = &m->scenes[i].steps[j];
			if (!t->count || (!s->verbose && !t->failed && !t->retries && !t->polls))
				continue;
			indent(s, 8);
			fprintf(s->out, "%4d | " TW_WRAP_HANG, t->step->line);
			const char *src = t->step->source ? t->step->source : "";
			put_text(s, src + strspn(src, " \t"), 48);
			tab(s, cell_column(s, 15, 48, 40, 16));
			fprintf(s->out, "%s%llu\xC3\x97 ", esc(s, DIM), (unsigned long long)t->count);
			put_latency(s, t->latency);
			if (t->failed) {
				fprintf(s->out, ", %s%llu failed%s (", esc(s, RED),
					(unsigned long long)t->failed, esc(s, DIM));
				bool first = true;
				for (int k = 0; k < TW_CAUSE_COUNT; k++)
					if (t->failures[k]) {
						fprintf(s->out, "%s%llu %s", first ? "" : ", ",
							(unsigned long long)t->failures[k],
							tw_cause_words((tw_cause)k, t->failures[k]));
						first = false;
					}
				fputc(')', s->out);
			}
			if (t->retries)
				fprintf(s->out, ", %llu retried", (unsigned long long)t->retries);
			if (t->polls)
				fprintf(s->out, ", %llu %s", (unsigned long long)t->polls,
					tw_plural(t->polls, "poll", "polls"));
			if (tw_touchpoint_flaky_rows(t, rows))
				fprintf(s->out, " %sflaky", esc(s, YELLOW));
			else if (tw_touchpoint_fails_on_rows(t, rows))
				fprintf(s->out, " %sfails on some rows", esc(s, YELLOW));
			fprintf(s->out, "%s\n", esc(s, RESET));
		}
}

/* One performance's polls (`retry N every D`), a line per step that polled:
 * a pass after polls is a pass, and still worth knowing (a dress rehearsal
 * shows them among its figures). */
static void put_polls(const summary *s, const tw_rehearsal_metrics *m)
{
	for (size_t i = 0; i < m->scene_count; i++)
		for (size_t j = 0; j < m->scenes[i].step_count; j++) {
			const tw_touchpoint_metrics *t = &m->scenes[i].steps[j];
			if (!t->polls)
				continue;
			indent(s, 8);
			fprintf(s->out, "%4d | " TW_WRAP_HANG, t->step->line);
			const char *src = t->step->source ? t->step->source : "";
			put_text(s, src + strspn(src, " \t"), 48);
			fprintf(s->out, "  %s%llu %s%s\n", esc(s, DIM), (unsigned long long)t->polls,
				tw_plural(t->polls, "poll", "polls"), esc(s, RESET));
		}
}

static int put_rehearsal(const summary *s, const tw_run *run, size_t i,
			 const tw_rehearsal_metrics *m, bool met_despite_failures, double required)
{
	const tw_rehearsal_result *r = &run->rehearsals[i];
	fputs("  ", s->out);
	if (met_despite_failures)
		fprintf(s->out, "%s" TW_SYMBOL_MET_DESPITE "%s", esc(s, YELLOW), esc(s, RESET));
	else
		put_symbol(s, r->status);
	fputc(' ', s->out);
	if (put_name(s, run, i, NAME_MAX_CHARS))
		return TW_ENOMEM;
	/* "2 scenes   0.81 s" after the name: 2 + 9 + 2 + 8 columns. */
	tab(s, cell_column(s, 4, NAME_WIDTH, 9 + 2 + 8, 16));
	if (r->status == TW_STATUS_BROKEN && r->scene_count == 0) {
		fprintf(s->out, "%sbroken%s\n", esc(s, MAGENTA), esc(s, RESET));
	} else {
		char scenes[48];
		snprintf(scenes, sizeof(scenes), "%zu scene%s", r->scene_count,
			 plural((long)r->scene_count));
		fprintf(s->out, "%-9s  ", scenes);
		/* JUnit's suite time: over every performance of a dress
		 * rehearsal. */
		put_secs(s, tw_run_rehearsal_ms(run, i));
		fputc('\n', s->out);
	}
	if (r->phone.calls > 0)
		put_phone(s, &r->phone);
	if (m && m->performances > 1)
		put_figures(s, m, required, r->data_row > 0);
	else if (m)
		put_polls(s, m);
	if (m && m->interrupted)
		fprintf(s->out, "      %s%llu interrupted%s: cut off by the run's end, not performed, "
				"not counted\n",
			esc(s, YELLOW), (unsigned long long)m->interrupted, esc(s, RESET));
	if (m && m->limited)
		fprintf(s->out, "      %s%llu limited%s: techweek could not do what was asked (its "
				"limit, not the service's fault), not scored\n",
			esc(s, YELLOW), (unsigned long long)m->limited, esc(s, RESET));

	bool explained = false;
	size_t not_reached = 0;
	for (size_t i = 0; i < r->scene_count; i++) {
		const tw_scene_result *sc = &r->scenes[i];
		explained = explained || tw_status_is_problem(sc->status);
		if (sc->not_run) { /* issue 13, FLOW */
			if (s->verbose)
				put_not_run(s, sc);
		} else if (s->verbose || worth_showing(sc->status))
			put_scene(s, r, sc);
		else if (sc->status == TW_STATUS_SKIPPED)
			not_reached++;
	}
	if (not_reached)
		fprintf(s->out, "      %s- %zu scene%s not reached%s\n", esc(s, DIM), not_reached,
			plural((long)not_reached), esc(s, RESET));
	if (!explained && tw_status_is_problem(r->status) &&
	    (r->problem.code != TW_OK || r->problem.message))
		return put_problem(s, r);
	return TW_OK;
}

/* Adds what rehearsal i performed to *steps and *requests: in a run with
 * figures, over every performance, as the JSON result's totals count them
 * (steps not skipped; requests as they went on the wire, each redirect hop
 * and webhook fetch); else in the one performance shown. */
static void performed(const tw_run *run, size_t i, unsigned long long *steps,
		      unsigned long long *requests)
{
	const tw_rehearsal_metrics *m = run->metrics ? &run->metrics[i] : NULL;
	if (m && m->scenes) {
		for (size_t k = 0; k < m->scene_count; k++)
			for (size_t j = 0; m->scenes[k].steps && j < m->scenes[k].step_count; j++) {
				*steps += m->scenes[k].steps[j].count;
				*requests += m->scenes[k].steps[j].requests;
			}
		return;
	}
	const tw_rehearsal_result *r = &run->rehearsals[i];
	for (size_t k = 0; k < r->scene_count; k++)
		for (size_t j = 0; j < tw_scene_result_steps(&r->scenes[k]); j++) {
			const tw_step_result *st = &r->scenes[k].steps[j];
			*steps += st->status != TW_STATUS_SKIPPED;
			*requests += (unsigned long long)(st->requests > 0 ? st->requests : 0);
		}
}

/* The columns text takes as put_text shows it, cut at max. */
static size_t shown_width(const char *text, size_t max)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)str_or(text, "?"); *p; p++)
		n += (*p & 0xC0) != 0x80;
	return n > max ? max + 1 : n;
}

/* Where the verbose step rows start every request ("GET URL"), one column
 * for the whole summary so the requests line up: under the source
 * (REQUEST_COLUMN), or as far left as the widest request needs to fit the
 * width. A request wider than the whole width is left out of the
 * reckoning: it is alone on its line whatever the column. */
static size_t request_column(const tw_run *run, size_t width)
{
	size_t widest = 0;
	for (size_t i = 0; i < run->count; i++) {
		const tw_rehearsal_result *r = &run->rehearsals[i];
		for (size_t k = 0; k < r->scene_count; k++)
			for (size_t j = 0; j < tw_scene_result_steps(&r->scenes[k]); j++) {
				const tw_step_result *st = &r->scenes[k].steps[j];
				size_t hops = tw_step_result_hop_count(st);
				for (size_t h = 0; h < (hops ? hops : 1); h++) {
					tw_hop hop = TW_HOP_INIT;
					if (hops)
						tw_step_result_hop(&hop, st, h);
					else
						hop.method = st->method, hop.url = st->url;
					if (!hop.method && !hop.url)
						continue;
					size_t w = shown_width(hop.method, METHOD_MAX_CHARS) + 1 +
						   shown_width(hop.url, URL_MAX_CHARS);
					if (w <= width && w > widest)
						widest = w;
				}
			}
	}
	return width >= REQUEST_COLUMN + widest ? REQUEST_COLUMN : width - widest;
}

static int write_summary(const tw_run *run, const tw_run_score *score, FILE *out,
			 unsigned flags, size_t width, tw_error *err)
{
	if (!run || !out)
		return tw_error_set(err, TW_EUSAGE, "tw_report_summary needs a run and a stream");
	int refused = tw_report_refuse(run, score, "tw_report_summary", err);
	if (refused)
		return refused;
	summary s = {out, (flags & TW_SUMMARY_COLOR) != 0, (flags & TW_SUMMARY_VERBOSE) != 0,
		     width, REQUEST_COLUMN};
	if (s.verbose)
		s.request_col = request_column(run, width);

	/* Steps counted are the ones performed: skipped steps cost nothing. */
	size_t scenes = 0;
	long by_status[TW_STATUS_LIMITED + 1] = {0}, interrupted = 0, met_despite = 0;
	unsigned long long steps = 0, requests = 0;
	for (size_t i = 0; i < run->count; i++) {
		const tw_rehearsal_result *r = &run->rehearsals[i];
		scenes += r->scene_count;
		if (r->interrupted)
			interrupted++; /* not performed: neither passed nor failed */
		else if (tw_readiness_met_despite_failures(run, score, i))
			met_despite++;
		else if ((unsigned)r->status <= TW_STATUS_LIMITED)
			by_status[r->status]++;
		performed(run, i, &steps, &requests);
	}

	fprintf(out,
		"%stechweek %s%s \xE2\x80\x94 %zu rehearsal%s, %zu scene%s, %llu step%s, %llu HTTP "
		"request%s in ",
		esc(&s, BOLD), tw_version(), esc(&s, RESET), run->count, plural((long)run->count),
		scenes, plural((long)scenes), steps, plural(steps == 1 ? 1 : 2), requests,
		plural(requests == 1 ? 1 : 2));
	put_secs(&s, run->elapsed_ms);
	fputc('\n', out);
	tw_suite_summary_lines(out, run, s.verbose); /* issue 13, SUITE */
	/* A dress rehearsal: the schedule as it went. */
	unsigned long long performed = 0;
	for (size_t i = 0; run->metrics && i < run->count; i++)
		performed += run->metrics[i].performances;
	if (performed > run->count || run->opts.rate > 0 || run->stop_reason) {
		double secs = run->elapsed_ms / 1000.0;
		fprintf(out, "  %llu performance%s by up to %lu customer%s", performed,
			plural((long)performed), run->opts.customers,
			plural((long)run->opts.customers));
		if (run->opts.jobs > 1)
			fprintf(out, " on %u jobs", run->opts.jobs);
		fprintf(out, ", %.1f/s", secs > 0 ? (double)performed / secs : 0.0);
		if (run->dropped)
			fprintf(out, ", %s%llu arrival%s dropped%s (no free customer)", esc(&s, YELLOW),
				(unsigned long long)run->dropped, plural((long)run->dropped),
				esc(&s, RESET));
		if (run->stop_reason == TW_STOP_INTERRUPTED)
			fprintf(out, " %s(interrupted: %llu of %llu planned)%s", esc(&s, YELLOW),
				performed, (unsigned long long)run->planned, esc(&s, RESET));
		else if (run->stop_reason == TW_STOP_MAX_FAILURES)
			fprintf(out, " %s(stopped after %lu failed)%s", esc(&s, YELLOW),
				run->opts.max_failures, esc(&s, RESET));
		fputc('\n', out);
	}
	fputc('\n', out);

	int rc = TW_OK;
	for (size_t i = 0; i < run->count && !rc; i++)
		rc = put_rehearsal(&s, run, i, run->metrics ? &run->metrics[i] : NULL,
				   tw_readiness_met_despite_failures(run, score, i),
				   score && i < score->count ? score->rehearsals[i].required
							     : TW_READINESS_REQUIRE);
	if (rc)
		return tw_error_set(err, rc, "out of memory writing the summary");

	long failed = by_status[TW_STATUS_FAILED], unreachable = by_status[TW_STATUS_UNREACHABLE],
	     broken = by_status[TW_STATUS_BROKEN], skipped = by_status[TW_STATUS_SKIPPED];
	fprintf(out, "\n  %s%ld passed%s, %s%ld failed%s, %s%ld unreachable%s, %s%ld broken%s",
		esc(&s, by_status[TW_STATUS_PASSED] ? GREEN : ""), by_status[TW_STATUS_PASSED],
		esc(&s, RESET), esc(&s, failed ? RED : ""), failed, esc(&s, RESET),
		esc(&s, unreachable ? YELLOW : ""), unreachable, esc(&s, RESET),
		esc(&s, broken ? MAGENTA : ""), broken, esc(&s, RESET));
	if (met_despite)
		fprintf(out, ", %s%ld met its required rate despite failures%s", esc(&s, YELLOW),
			met_despite, esc(&s, RESET));
	if (skipped)
		fprintf(out, ", %ld skipped", skipped);
	if (by_status[TW_STATUS_LIMITED])
		fprintf(out, ", %s%ld limited%s (techweek's limit)", esc(&s, YELLOW),
			by_status[TW_STATUS_LIMITED], esc(&s, RESET));
	if (interrupted)
		fprintf(out, ", %s%ld interrupted%s", esc(&s, YELLOW), interrupted, esc(&s, RESET));
	if (!run->count && run->opts.shard_count > 0)
		fprintf(out, " \xE2\x80\x94 nothing to rehearse in shard %u of %u (its share is "
			"empty): the merge of the shards gives the verdict",
			run->opts.shard_index, run->opts.shard_count);
	else if (!run->count)
		fputs(" \xE2\x80\x94 nothing rehearsed", out);
	/* The verdict is tw_report_verdict's line: only the score knows
	 * whether the gate held. */
	fputc('\n', out);

	if (fflush(out) != 0 || ferror(out))
		return tw_error_set(err, TW_EIO, "could not write the summary");
	return TW_OK;
}

/* The rehearsal's figures against the baseline, those both runs measured:
 * "score 98 → 97.1 (-0.9), steps 4 → 6 (+2)". */
static int put_changes(const summary *s, const tw_change *figure, bool touchpoint)
{
	static const char *const label[TW_FIGURE_COUNT] = {"score", "outcome", "p95", "steps",
							   "time p90"};
	bool first = true;
	for (int f = 0; f < TW_FIGURE_COUNT; f++) {
		bool shown = touchpoint ? f == TW_FIGURE_P95 || f == TW_FIGURE_OUTCOME
					: f != TW_FIGURE_P95;
		if (!shown || !figure[f].known)
			continue;
		char words[128];
		int rc = tw_change_str(words, sizeof(words), (tw_figure)f, &figure[f]);
		if (rc)
			return rc;
		fprintf(s->out, "%s%s%s %s%s", first ? "" : ", ", esc(s, figure[f].regressed ? RED : ""),
			label[f], words, esc(s, figure[f].regressed ? RESET : ""));
		first = false;
	}
	if (first)
		fputs("nothing both runs measured", s->out);
	return TW_OK;
}

/* This run against --baseline: a line per rehearsal, under it the
 * touchpoints that are new or regressed (every one with --verbose). */
static int put_baseline(const summary *s, const tw_run *run, const tw_comparison *cmp)
{
	fprintf(s->out, "\n  %sagainst the baseline %s", esc(s, DIM), esc(s, RESET));
	put_text(s, cmp->file, NAME_MAX_CHARS);
	if (cmp->started_at) {
		char zoned[TW_STAMP_SHOWN_SIZE];
		fputs(" (run ", s->out);
		put_text(s, tw_stamp_shown(zoned, sizeof(zoned), cmp->started_at), 40);
		fputc(')', s->out);
	}
	fputs(":\n", s->out);
	for (size_t i = 0; i < cmp->count && i < run->count; i++) {
		const tw_rehearsal_change *rc = &cmp->rehearsals[i];
		const tw_rehearsal_result *r = &run->rehearsals[i];
		fputs("    ", s->out);
		if (put_name(s, run, i, NAME_MAX_CHARS))
			return TW_ENOMEM;
		tab(s, cell_column(s, 4, NAME_WIDTH, 30, 16));
		if (rc->is_new)
			fputs("new: not in the baseline", s->out);
		else if (put_changes(s, rc->figure, false))
			return TW_ENOMEM;
		if (rc->touchpoints_gone)
			fprintf(s->out, "; %zu touchpoint%s of the baseline gone", rc->touchpoints_gone,
				plural((long)rc->touchpoints_gone));
		fputc('\n', s->out);
		for (size_t k = 0; !rc->is_new && k < rc->touchpoint_count; k++) {
			const tw_touchpoint_change *tc = &rc->touchpoints[k];
			bool regressed = false;
			for (int f = 0; f < TW_FIGURE_COUNT; f++)
				regressed |= tc->figure[f].regressed;
			if (!s->verbose && !tc->is_new && !regressed)
				continue;
			const tw_touchpoint *st = &r->plan->scenes[tc->scene].touchpoints[tc->step];
			const char *src = st->source ? st->source : "";
			fprintf(s->out, "        %4d | " TW_WRAP_HANG, st->line);
			put_text(s, src + strspn(src, " \t"), 48);
			tab(s, cell_column(s, 15, 48, 30, 16));
			if (tc->is_new)
				fputs("new: not in the baseline", s->out);
			else if (put_changes(s, tc->figure, true))
				return TW_ENOMEM;
			fputc('\n', s->out);
		}
	}
	for (size_t i = 0; i < cmp->gone_count; i++) {
		fputs("    ", s->out);
		put_text(s, cmp->gone[i], NAME_MAX_CHARS);
		tab(s, cell_column(s, 4, NAME_WIDTH, 30, 16));
		fputs("gone: in the baseline, not in this run\n", s->out);
	}
	return TW_OK;
}

/* A verdict's why, "NAME: cause", where the cause is the point: its
 * touchpoint and figures are always shown whole. Without --verbose a long
 * name is cut instead, so the line stays near the terminal's width. */
static int put_why(const summary *s, const tw_run *run, size_t rehearsal, const char *why,
		   const char *cause)
{
	if (cause && cause > why && rehearsal < run->count) {
		if (put_name(s, run, rehearsal, s->verbose ? SIZE_MAX : WHY_NAME_MAX_CHARS))
			return TW_ENOMEM;
		fputs(": ", s->out);
		why = cause;
	}
	put_text(s, why, SIZE_MAX);
	return TW_OK;
}

static int write_verdict(const tw_run *run, const tw_run_score *score, FILE *out,
			 unsigned flags, size_t width, tw_error *err)
{
	if (!run || !score || !out)
		return tw_error_set(err, TW_EUSAGE, "tw_report_verdict needs a run, a score and a stream");
	int refused = tw_report_refuse(run, score, "tw_report_verdict", err);
	if (refused)
		return refused;
	summary s = {out, (flags & TW_SUMMARY_COLOR) != 0, (flags & TW_SUMMARY_VERBOSE) != 0,
		     width, 0};
	if (score->baseline && put_baseline(&s, run, score->baseline))
		return tw_error_set(err, TW_ENOMEM, "out of memory writing the summary");
	bool up = score->verdict == TW_VERDICT_READY;
	char num[TW_SCORE_SHOWN_SIZE];
	bool scored = score->weakest < score->count;
	if (scored)
		fprintf(out, "\n  readiness %s%s%s/100", esc(&s, BOLD),
			tw_score_shown(num, sizeof(num), score->score), esc(&s, RESET));
	else /* nothing performed could be scored: no figure to show */
		fprintf(out, "\n  readiness not scored");
	fprintf(out, " \xE2\x80\x94 %s%s%s", esc(&s, up ? BOLD GREEN : BOLD RED),
		tw_verdict_title(score->verdict), esc(&s, RESET));
	if (score->gate >= 0)
		fprintf(out, " %s(gate %g)%s", esc(&s, DIM), score->gate, esc(&s, RESET));
	fputc('\n', out);
	/* Why the verdict is what it is: the engine's one list, which JUnit
	 * and HTML print too. */
	struct tw_reasons why;
	int rc = tw_readiness_reasons(&why, run, score, score->verdict);
	if (rc != TW_OK) {
		tw_reasons_clear(&why);
		return tw_reasons_failed(err, rc, "tw_report_verdict");
	}
	for (size_t i = 0; i < why.count && !rc; i++) {
		fprintf(out, "    %s", esc(&s, RED));
		rc = put_why(&s, run, why.items[i].rehearsal, why.items[i].why, why.items[i].cause);
		fprintf(out, "%s\n", esc(&s, RESET));
	}
	tw_reasons_clear(&why);
	if (rc)
		return tw_error_set(err, rc, "out of memory writing the verdict");
	/* The outcome rate where it is not simply every performance and no
	 * reason above says it: met despite failures, or a minor journey. */
	bool exempt = tw_readiness_minor_exempt(run, score);
	for (size_t i = 0; i < score->count && i < run->count; i++) {
		const tw_rehearsal_score *rs = &score->rehearsals[i];
		const tw_rehearsal_metrics *m = run->metrics ? &run->metrics[i] : NULL;
		if (!rs->scored || !m || run->rehearsals[i].interrupted)
			continue;
		bool short_minor = !rs->met && rs->minor && exempt;
		if (!(rs->met ? rs->minor || m->achieved < m->performances : short_minor))
			continue;
		char rate[TW_RATE_SHOWN_SIZE], req[TW_RATE_SHOWN_SIZE];
		/* The name is script text: through put_text, as every string. */
		fputs("    ", out);
		if (put_name(&s, run, i, NAME_MAX_CHARS))
			return tw_error_set(err, TW_ENOMEM, "out of memory writing the verdict");
		fprintf(out, " achieved %llu of %llu (%s, required %s%s)",
			(unsigned long long)m->achieved, (unsigned long long)m->performances,
			tw_rate_shown(rate, sizeof(rate),
				      (double)m->achieved / (double)m->performances, rs->required),
			tw_required_shown(req, sizeof(req), rs->required), rs->minor ? ", minor" : "");
		if (short_minor)
			fputs(": short, but a minor journey does not block the launch alone", out);
		fputc('\n', out);
	}
	size_t counted = 0;
	for (size_t i = 0; i < score->count; i++)
		counted += score->rehearsals[i].counted;
	if (counted > 1 && score->weakest < run->count) {
		fputs("    the run scores as its weakest critical journey, ", out);
		if (put_name(&s, run, score->weakest, NAME_MAX_CHARS))
			return tw_error_set(err, TW_ENOMEM, "out of memory writing the verdict");
		fputc('\n', out);
	}
	size_t shown = 0;
	bool others = false;
	for (size_t i = 0; i < score->loss_count && shown < 3; i++) {
		const tw_loss *l = &score->losses[i];
		if (l->points < 0.05)
			continue;
		if (shown++ == 0)
			fprintf(out, "  %swhat cost the most:%s\n", esc(&s, DIM), esc(&s, RESET));
		/* The run's own losses come first; the rest did not lower its
		 * score, which a reader would otherwise assume. */
		if (!l->in_run && !others) {
			others = true;
			fprintf(out, "  %sother journeys (not in the run's score):%s\n", esc(&s, DIM),
				esc(&s, RESET));
		}
		fprintf(out, "    -%.1f  " TW_WRAP_HANG, l->points);
		if (put_why(&s, run, l->rehearsal, str_or(l->why, tw_part_str(l->part)), l->cause))
			return tw_error_set(err, TW_ENOMEM, "out of memory writing the verdict");
		fputc('\n', out);
	}
	if (fflush(out) != 0 || ferror(out))
		return tw_error_set(err, TW_EIO, "could not write the verdict");
	return TW_OK;
}

/* The size of each version of tw_summary_options, a row per version
 * (TW_VERSION_END): a program built against version v declared no more. */
static const size_t options_size[] = {TW_VERSION_END(tw_summary_options, width)};
_Static_assert(sizeof(options_size) / sizeof(options_size[0]) == TW_SUMMARY_OPTIONS_VERSION,
	       "a size per version");

typedef int (*writer)(const tw_run *run, const tw_run_score *score, FILE *out, unsigned flags,
		      size_t width, tw_error *err);

/* What write wrote, laid out in the options' width (reports/wrap.h): the
 * summary is written as if the terminal were endless, into memory, then
 * each line is fitted as it goes to out. */
static int laid_out(writer write, const char *name, const tw_run *run, const tw_run_score *score,
		    FILE *out, const tw_summary_options *opts, tw_error *err)
{
	tw_summary_options o = TW_SUMMARY_OPTIONS_INIT;
	if (opts && (opts->version == 0 || opts->version > TW_SUMMARY_OPTIONS_VERSION))
		return tw_error_set(err, TW_EUSAGE,
				    "%s: tw_summary_options version %u; this library knows versions "
				    "1 to %u: initialise them with TW_SUMMARY_OPTIONS_INIT",
				    name, opts->version, TW_SUMMARY_OPTIONS_VERSION);
	/* Only the bytes of the caller's version; later fields keep their
	 * defaults. */
	if (opts)
		memcpy(&o, opts, options_size[opts->version - 1]);
	size_t width = o.width ? o.width : TW_SUMMARY_WIDTH;
	if (!out) /* the writer's own usage error */
		return write(run, score, NULL, o.flags, width, err);
	char *text = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&text, &size);
	if (!mem)
		return tw_error_set(err, TW_ENOMEM, "out of memory writing the summary");
	int rc = write(run, score, mem, o.flags, width, err);
	if (fclose(mem) != 0 && rc == TW_OK)
		rc = tw_error_set(err, TW_ENOMEM, "out of memory writing the summary");
	if (rc == TW_OK) {
		tw_wrap_text(out, text, size, width);
		if (fflush(out) != 0 || ferror(out))
			rc = tw_error_set(err, TW_EIO, "could not write the %s",
					  write == write_summary ? "summary" : "verdict");
	}
	free(text);
	return rc;
}

int tw_report_summary_ext(const tw_run *run, const tw_run_score *score, FILE *out,
			  const tw_summary_options *opts, tw_error *err)
{
	return laid_out(write_summary, "tw_report_summary", run, score, out, opts, err);
}

int tw_report_verdict_ext(const tw_run *run, const tw_run_score *score, FILE *out,
			  const tw_summary_options *opts, tw_error *err)
{
	return laid_out(write_verdict, "tw_report_verdict", run, score, out, opts, err);
}

int tw_report_summary(const tw_run *run, const tw_run_score *score, FILE *out, unsigned flags,
		      tw_error *err)
{
	tw_summary_options o = {.version = TW_SUMMARY_OPTIONS_VERSION, .flags = flags};
	return tw_report_summary_ext(run, score, out, &o, err);
}

int tw_report_verdict(const tw_run *run, const tw_run_score *score, FILE *out, unsigned flags,
		      tw_error *err)
{
	tw_summary_options o = {.version = TW_SUMMARY_OPTIONS_VERSION, .flags = flags};
	return tw_report_verdict_ext(run, score, out, &o, err);
}
