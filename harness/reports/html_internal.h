/*
 * What the HTML report's files share (reports/html.c builds the page,
 * reports/chart.c its latency chart): the builder with its sticky error,
 * the tree helpers that clean every text, and the readers of the run.
 * Their prefix is tw_page_ (tw_html_ is the web channel's HTML parser).
 * Not installed; the public entry points are in techweek/report.h and
 * reports/render.h.
 */
#ifndef TW_REPORTS_HTML_INTERNAL_H
#define TW_REPORTS_HTML_INTERNAL_H

#include <libxml/HTMLtree.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "metrics/metrics.h"
#include "readiness/score.h"
#include "runner/run.h"

/* tw_page_fmt()'s buffers, used in turn: a result stays valid through
 * the next FMT_RING - 1 calls, so one tw_page_fmt() may take others'
 * results as arguments and never writes the buffer it is reading. */
#define FMT_RING 4

typedef struct html {
	htmlDocPtr doc;
	const tw_run *run;
	const tw_run_score *score;
	tw_buf clean; /* the last cleaned string */
	tw_buf text[FMT_RING]; /* the strings tw_page_fmt() formatted last */
	unsigned next_text;    /* the one tw_page_fmt() writes next */
	int rc;       /* the first failure; TW_OK while all is well */
} html;

typedef xmlNodePtr node;

/* Keeps the first failure; later calls do nothing once h->rc is set. */
void tw_page_fail(html *h, int rc);
/* printf into the next of h->text; the result lives there through the
 * next FMT_RING - 1 calls, so one call may take another's result. */
const char *tw_page_fmt(html *h, const char *f, ...) __attribute__((format(printf, 2, 3)));
void tw_page_attr(html *h, node n, const char *name, const char *value);
/* A new element under parent; cls may be NULL. NULL once anything failed. */
node tw_page_el(html *h, node parent, const char *name, const char *cls);
/* Appends s as one line of text (escaped by libxml2 when serialised). */
void tw_page_add_text(html *h, node parent, const char *s);
node tw_page_el_text(html *h, node parent, const char *name, const char *cls, const char *s);

/* "850 ms", "1.20 s", "2m 05s"; a dash when ms is not a duration. */
void tw_page_fmt_ms(char *out, size_t size, double ms);
const char *tw_page_plural(uint64_t n, const char *one, const char *many);

/* The step's source as written, without its indentation. */
const char *tw_page_step_source(const tw_touchpoint *st);
/* Rehearsal i's metrics and score; NULL when the run has none. */
const tw_rehearsal_metrics *tw_page_metrics_of(const html *h, size_t i);
const tw_rehearsal_score *tw_page_score_of(const html *h, size_t i);
const tw_touchpoint_score *tw_page_apdex_of(const tw_rehearsal_score *rs, size_t scene,
					    size_t step);
bool tw_page_step_timed(const tw_touchpoint *st, const tw_touchpoint_score *ap);

#endif
