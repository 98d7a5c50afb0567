/*
 * The HTML readiness report: the one page a product owner reads before
 * saying whether the curtain goes up. It answers, top to bottom: the score
 * and the verdict, the journeys to look at first (those that failed, then
 * those that lost points, each with its cause and a link to its evidence),
 * the three things that cost the most points, what was run; then per
 * rehearsal, in that order (failing first), its outcome rate, its score and the four parts,
 * the journey (every scene and touchpoint in order, coloured by health, with
 * words and symbols so colour is never the only signal), a latency chart,
 * and for a failing performance what it was doing when it failed (the step,
 * expected vs actual, the pages visited, the call's transcript).
 *
 * How it works: the document is built with libxml2's tree API and
 * serialised as HTML by libxml2, which escapes every text and attribute: no
 * string is ever pasted into markup here. What libxml2 does not do is
 * refuse characters HTML should not carry (C0/C1 controls, broken UTF-8 from
 * an excerpt cut mid-character), so every text goes through clean() first.
 * The file is self-contained: inline CSS, inline SVG, no script, no font, no
 * URL that is fetched (URLs from the run are shown as text, never linked).
 * On a phone the stylesheet stacks each table row into a card, labelling
 * every value with its column's name (label_cells copies it into the
 * cell), so the page is never wider than the screen.
 * It is written with tw_write_file_atomic. The latency chart is drawn in
 * reports/chart.c with the builder this file shares through
 * reports/html_internal.h.
 *
 * Errors are sticky: the first failure is kept in the builder and later
 * calls do nothing, so the code reads top to bottom.
 */
#include "reports/html.h"
#include "reports/chart.h"
#include "reports/html_internal.h"
#include "reports/render.h"

#include <libxml/HTMLtree.h>
#include <libxml/tree.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/plural.h"
#include "core/utf8.h"
#include "metrics/histogram.h"
#include "metrics/metrics.h"
#include "readiness/baseline.h"
#include "runner/suite.h" /* issue 13, SUITE */
#include "tw_version.h"

/* Scratch text: one cleaned string, a few formatted ones. */
#define TEXT_MAX ((size_t)64 << 20)
/* Cuts, in characters, so one huge body cannot bury the page. */
#define NAME_MAX_CHARS 200
#define LINE_MAX_CHARS 600    /* messages, step sources, URLs */
#define EXCERPT_MAX_CHARS 4000 /* expected / actual */
#define TRANSCRIPT_MAX_CHARS 40000
#define TOP_LOSSES 3

/* The tables a phone shows as stacked cards (the 640 px @media). */
#define STACKED ":is(table.steps,table.pages,table.parts,table[id^=baseline-])"

static const char css[] =
	":root{--ink:#1f2328;--muted:#57606a;--line:#d0d7de;--panel:#f6f8fa;"
	"--good:#116329;--good-bg:#dafbe1;--fair:#6c4f00;--fair-bg:#fff8c5;"
	"--poor:#953800;--poor-bg:#ffefe2;--bad:#a40e26;--bad-bg:#ffebe9;"
	"--flaky:#5a32a3;--flaky-bg:#f1ebfc;--none:#57606a;--none-bg:#eef0f2}\n"
	"*{box-sizing:border-box}\n"
	"html{-webkit-text-size-adjust:100%}\n"
	"body{margin:0;color:var(--ink);background:#fff;"
	"font:15px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif;"
	"overflow-wrap:break-word}\n"
	".wrap{max-width:1120px;margin:0 auto;padding:0 24px}\n"
	"h1{font-size:22px;margin:24px 0 8px}h2{font-size:20px;margin:0 0 8px}"
	"h3{font-size:16px;margin:20px 0 8px}h4{font-size:15px;margin:0}\n"
	"code,pre,.mono{font-family:ui-monospace,\"SFMono-Regular\",\"DejaVu Sans Mono\",Menlo,Consolas,monospace;font-size:13px}\n"
	"pre{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--panel);border:1px solid var(--line);"
	"border-radius:6px;padding:10px 12px;margin:4px 0 12px}\n"
	".muted{color:var(--muted)}.small{font-size:13px}\n"
	".top{display:grid;grid-template-columns:minmax(280px,1fr) minmax(280px,1fr);gap:24px;margin:8px 0 24px;"
	"align-items:start}\n"
	".card{border:1px solid var(--line);border-radius:10px;padding:16px 20px;background:#fff}\n"
	".readiness{border-width:3px}.readiness.up{border-color:var(--good)}.readiness.down{border-color:var(--bad)}\n"
	".score{font-size:80px;font-weight:800;line-height:1;margin:4px 0;letter-spacing:-2px}\n"
	".score .of{font-size:28px;font-weight:600;color:var(--muted);letter-spacing:0}\n"
	".verdict{display:inline-block;font-size:22px;font-weight:700;padding:4px 14px;border-radius:999px;margin:4px 0 8px}\n"
	".verdict.up{background:var(--good-bg);color:var(--good)}.verdict.down{background:var(--bad-bg);color:var(--bad)}\n"
	"ol.losses{margin:6px 0 0;padding-left:22px}ol.losses li{margin:4px 0}\n"
	".pts{font-weight:700;color:var(--bad);white-space:nowrap}\n"
	"ol.attention{margin:6px 0 12px;padding-left:22px}ol.attention li{margin:8px 0}"
	"ol.attention .why{font-size:14px}\n"
	"dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:8px 0 0}\n"
	"dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:anywhere}\n"
	"nav.toc ul{list-style:none;padding:0;margin:0 0 24px;display:flex;flex-wrap:wrap;gap:8px}\n"
	"nav.toc a{display:inline-block;padding:4px 10px;border-radius:6px;text-decoration:none;color:inherit;border:1px solid var(--line)}\n"
	/* A name (a broken script's path, a name with the path that tells it
	 * from another) may hold no place to break: it breaks anywhere rather
	 * than widen a phone's page; break-word alone leaves the min-content
	 * width the grid and the chips size by. */
	":is(ul.reasons,ol.attention,ol.losses) li,.card>p,nav.toc a,section.rehearsal>:is(h2,p)"
	"{overflow-wrap:anywhere}nav.toc a{max-width:100%;box-sizing:border-box}\n"
	"section.rehearsal{border-top:2px solid var(--line);padding:20px 0 8px}\n"
	".status{font-weight:700;white-space:nowrap}\n"
	".figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:12px;margin:8px 0}\n"
	".figure{background:var(--panel);border-radius:8px;padding:10px 14px}\n"
	".figure .big{font-size:28px;font-weight:700;line-height:1.2}\n"
	"table{border-collapse:collapse;width:100%;margin:4px 0 12px}\n"
	"th,td{text-align:left;vertical-align:top;padding:4px 8px;border-bottom:1px solid var(--line)}\n"
	"th{font-size:13px;color:var(--muted);font-weight:600}\n"
	"td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}\n"
	".from{font-size:13px;color:var(--muted);overflow-wrap:anywhere}\n"
	"td.url,.chain .url{overflow-wrap:anywhere}\n"
	/* Read by screen readers, not shown. */
	".vh{position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}\n"
	".meter{background:var(--none-bg);border-radius:4px;height:12px;min-width:120px;overflow:hidden}\n"
	".meter>span{display:block;height:100%;background:#0969da}\n"
	"ol.journey{list-style:none;padding:0;margin:0}\n"
	"ol.journey>li{border:1px solid var(--line);border-left-width:8px;border-radius:8px;margin:0 0 10px;padding:8px 12px}\n"
	".scene-head{display:flex;flex-wrap:wrap;gap:4px 12px;align-items:baseline;margin-bottom:4px}\n"
	".tag{font-size:12px;border:1px solid var(--line);border-radius:4px;padding:0 6px;color:var(--muted)}\n"
	".health{font-weight:700;white-space:nowrap;border-radius:4px;padding:0 6px}\n"
	"tr.tp td:first-child{border-left:6px solid transparent}\n"
	/* h-*: a scene's or a row's border; b-*: a badge's colours. */
	".h-good{border-left-color:var(--good)!important}.b-good{background:var(--good-bg);color:var(--good)}\n"
	".h-fair{border-left-color:#bf8700!important}.b-fair{background:var(--fair-bg);color:var(--fair)}\n"
	".h-poor{border-left-color:#bc4c00!important}.b-poor{background:var(--poor-bg);color:var(--poor)}\n"
	".h-flaky{border-left-color:#8250df!important}.b-flaky{background:var(--flaky-bg);color:var(--flaky)}\n"
	".h-failing{border-left-color:#cf222e!important}.b-failing{background:var(--bad-bg);color:var(--bad)}\n"
	".h-none{border-left-color:#8c959f!important}.b-none{background:var(--none-bg);color:var(--none)}\n"
	".legend{display:flex;flex-wrap:wrap;gap:8px;margin:4px 0 10px;font-size:13px}\n"
	"figure.chart{margin:8px 0 16px}figure.chart .scroll{overflow-x:auto}\n"
	/* A shadow at an edge with more chart beyond it (phones hide scroll
	 * bars): white covers that scroll with the chart hide each shadow
	 * when its edge is reached. */
	"figure.chart .scroll{background:linear-gradient(90deg,#fff 30%,#fff0) 0 0/40px 100% no-repeat local,"
	"linear-gradient(270deg,#fff 30%,#fff0) 100% 0/40px 100% no-repeat local,"
	"radial-gradient(farthest-side at 0 50%,#0003,#0000) 0 0/14px 100% no-repeat scroll,"
	"radial-gradient(farthest-side at 100% 50%,#0003,#0000) 100% 0/14px 100% no-repeat scroll}\n"
	/* 540 px: the chart's 640-unit width at which its 11-unit labels are 9.3 px. */
	"figure.chart svg{width:100%;min-width:540px;max-width:720px;height:auto;display:block}\n"
	/* The latency chart (reports/chart.c): only inside svg.latency. */
	"svg.latency .ax{stroke:#57606a;stroke-width:1}svg.latency .grid{stroke:#d0d7de;stroke-width:1}\n"
	"svg.latency .lbl{font:11px sans-serif;fill:#1f2328}svg.latency .ttl{font:12px sans-serif;fill:#57606a}\n"
	"svg.latency .bin{fill:#0969da}\n"
	"svg.latency .p50{stroke:#1f2328;stroke-width:1.5;fill:#1f2328}\n"
	"svg.latency .p95{stroke:#a40e26;stroke-width:1.5;stroke-dasharray:5 3;fill:#a40e26}\n"
	"svg.latency .tee{stroke:#116329;stroke-width:1.5;stroke-dasharray:2 3;fill:#116329}\n"
	"svg.latency .tee4{stroke:#953800;stroke-width:1.5;stroke-dasharray:6 2 2 2;fill:#953800}\n"
	"svg.latency text.p50,svg.latency text.p95,svg.latency text.tee,svg.latency text.tee4"
	"{font:11px sans-serif;stroke:#fff;stroke-width:3px;stroke-linejoin:round;paint-order:stroke;"
	"stroke-dasharray:none}\n" /* a halo where a line passes behind */
	"figcaption{font-size:13px;color:var(--muted)}\n"
	".problem{border:2px solid var(--bad);border-radius:10px;padding:12px 16px;margin:12px 0;background:#fffafa}\n"
	".problem h3{margin-top:0;color:var(--bad)}\n"
	".ev{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px}.ev dt{font-weight:600}.ev dd{margin:0}\n"
	"footer{margin:24px auto;color:var(--muted);font-size:13px}\n"
	"@media (max-width:760px){.top{grid-template-columns:1fr}.score{font-size:64px}}\n"
	/* A phone: the tables' rows become stacked cards, each value beside its
	 * column's name (data-label), the step and the URL on lines of their
	 * own; the page is never wider than the screen. */
	"@media (max-width:640px){.wrap{padding:0 12px}.card{padding:12px 14px}"
	".ev{grid-template-columns:1fr}.ev dd{margin-bottom:6px}"
	STACKED "," STACKED " tbody{display:block}"
	STACKED " thead{position:absolute;width:1px;height:1px;overflow:hidden;"
	"clip-path:inset(50%);white-space:nowrap}"
	STACKED " tr{display:flex;flex-wrap:wrap;column-gap:12px;border-bottom:1px solid var(--line);"
	"padding:6px 0}"
	STACKED " tbody :is(td,th){flex:1 1 100%;display:flow-root;border:0;padding:1px 0 1px 120px;"
	"text-align:left;white-space:normal}"
	/* The label floats in the cell's padding; flow-root makes the cell as
	 * tall as a label that wraps. */
	STACKED " tbody :is(td,th)::before{content:attr(data-label);float:left;width:112px;"
	"margin-left:-120px;color:var(--muted);font:400 13px/1.7 system-ui,sans-serif}"
	/* Above its value: the step, a URL, and the figures, side by side so a
	 * card stays short. */
	STACKED " :is(td.url,td:has(>code),tbody th.mono,td.num:not(:first-child)){padding-left:0}"
	STACKED " :is(td.url,td:has(>code),tbody th.mono,td.num:not(:first-child))::before"
	"{float:none;display:block;margin:0;width:auto}"
	STACKED " td.num:not(:first-child){flex:1 1 25%}"
	"table.parts tbody td:nth-child(2)::before{visibility:hidden}"
	/* A request's later hops: part of its card, not cards of their own. */
	"table.pages tr:has(+tr.hop){border-bottom:0;padding-bottom:0}"
	"table.pages tr.hop{padding:0 0 0 24px}"
	"table.steps tr.tp{border-left:6px solid transparent;padding-left:8px}"
	"table.steps tr.tp td:first-child{border-left:0}}\n"
	"@page{margin:14mm}\n"
	"@media print{body{font-size:10pt}.wrap{max-width:none;padding:0}nav.toc{display:none}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
	"section.rehearsal{break-before:page}ol.journey>li,figure,.problem,tr{break-inside:avoid}"
	"h2,h3{break-after:avoid}.score{font-size:60px}a{color:inherit;text-decoration:none}}\n";

void tw_page_fail(html *h, int rc)
{
	if (!h->rc)
		h->rc = rc;
}

/* ---- text ---- */

/* Characters HTML text should not carry: C0 controls other than tab and
 * line breaks, DEL, C1 controls (ESC and CSI start terminal sequences),
 * and non-characters. */
static bool html_char_ok(uint32_t c)
{
	if (c == 0x9 || c == 0xA || c == 0xD)
		return true;
	if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
		return false;
	if (c >= 0xFDD0 && c <= 0xFDEF)
		return false;
	return (c & 0xFFFE) != 0xFFFE;
}

/*
 * s as text HTML can carry, in valid UTF-8: forbidden characters and bytes
 * that are not UTF-8 become U+FFFD; one_line folds line breaks and tabs into
 * spaces; at most max characters, "…" marking a cut. Lives in h->clean
 * until the next call.
 */
static const char *clean(html *h, const char *s, size_t max, bool one_line)
{
	static const char replacement[] = "\xEF\xBF\xBD";
	tw_buf_reset(&h->clean);
	if (h->rc)
		return "";
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t left = strlen((const char *)p), chars = 0;
	int rc = TW_OK;
	while (left && !rc) {
		if (chars == max) {
			rc = tw_buf_puts(&h->clean, "\xE2\x80\xA6"); /* … */
			break;
		}
		uint32_t c = 0;
		size_t n = tw_utf8_decode(p, left, &c);
		if (n == 0) {
			rc = tw_buf_puts(&h->clean, replacement);
			n = 1;
		} else if (!html_char_ok(c)) {
			rc = tw_buf_puts(&h->clean, replacement);
		} else if (c == '\r' && !one_line) {
			rc = (n < left && p[1] == '\n') ? TW_OK : tw_buf_puts(&h->clean, "\n");
		} else if (one_line && (c == '\n' || c == '\r' || c == '\t')) {
			rc = tw_buf_puts(&h->clean, " ");
		} else {
			rc = tw_buf_append(&h->clean, p, n);
		}
		p += n;
		left -= n;
		chars++;
	}
	if (rc)
		tw_page_fail(h, rc);
	return tw_buf_str(&h->clean);
}

/* printf into the next of h->text; the result lives there through the
 * next FMT_RING - 1 calls, so a call may take another's result. */
const char *tw_page_fmt(html *h, const char *f, ...)
{
	tw_buf *b = &h->text[h->next_text];
	h->next_text = (h->next_text + 1) % FMT_RING;
	tw_buf_reset(b);
	if (h->rc)
		return "";
	va_list ap;
	va_start(ap, f);
	int rc = tw_buf_vprintf(b, f, ap);
	va_end(ap);
	if (rc)
		tw_page_fail(h, rc);
	return tw_buf_str(b);
}

/* ---- the tree ---- */

void tw_page_attr(html *h, node n, const char *name, const char *value)
{
	if (h->rc || !n)
		return;
	const char *v = clean(h, value, LINE_MAX_CHARS, true);
	if (!h->rc && !xmlSetProp(n, BAD_CAST name, BAD_CAST v))
		tw_page_fail(h, TW_ENOMEM);
}

/* A new element under parent; cls may be NULL. NULL once anything failed. */
node tw_page_el(html *h, node parent, const char *name, const char *cls)
{
	if (h->rc || !parent)
		return NULL;
	node n = xmlNewChild(parent, NULL, BAD_CAST name, NULL);
	if (!n) {
		tw_page_fail(h, TW_ENOMEM);
		return NULL;
	}
	if (cls)
		tw_page_attr(h, n, "class", cls);
	return n;
}

/* Appends s as text (escaped by libxml2 when serialised). */
static void add_text_max(html *h, node parent, const char *s, size_t max, bool one_line)
{
	if (h->rc || !parent)
		return;
	const char *v = clean(h, s, max, one_line);
	if (h->rc || !*v)
		return;
	node t = xmlNewDocText(h->doc, BAD_CAST v);
	if (!t) {
		tw_page_fail(h, TW_ENOMEM);
		return;
	}
	xmlAddChild(parent, t); /* merges with a text node before it */
}

void tw_page_add_text(html *h, node parent, const char *s)
{
	add_text_max(h, parent, s, LINE_MAX_CHARS, true);
}

node tw_page_el_text(html *h, node parent, const char *name, const char *cls, const char *s)
{
	node n = tw_page_el(h, parent, name, cls);
	tw_page_add_text(h, n, s);
	return n;
}

/*
 * Copies each column's header into its body cells' data-label, which the
 * phone layout (the stylesheet's narrow @media) shows beside each value
 * when it stacks a table's rows. One pass after a table is built, so
 * whoever builds the cells need not know. A row with a spanning cell is
 * labelled up to that cell.
 */
static void label_cells(html *h, node table)
{
	node head = NULL, body = NULL;
	for (node c = table ? xmlFirstElementChild(table) : NULL; c; c = xmlNextElementSibling(c)) {
		if (xmlStrEqual(c->name, BAD_CAST "thead"))
			head = c;
		else if (xmlStrEqual(c->name, BAD_CAST "tbody"))
			body = c;
	}
	/* The header cells by column, and for each column how many more rows
	 * a cell above still covers (rowspan): a request's later hops fill
	 * only the columns its first hop's row leaves open. */
	enum { COLUMNS = 16 };
	node th[COLUMNS];
	unsigned covered[COLUMNS] = {0};
	size_t cols = 0;
	node heads = head ? xmlFirstElementChild(head) : NULL;
	for (node c = heads ? xmlFirstElementChild(heads) : NULL; c && cols < COLUMNS;
	     c = xmlNextElementSibling(c))
		th[cols++] = c;
	for (node tr = body && cols ? xmlFirstElementChild(body) : NULL; tr && !h->rc;
	     tr = xmlNextElementSibling(tr)) {
		size_t col = 0;
		for (node td = xmlFirstElementChild(tr); td && !h->rc; td = xmlNextElementSibling(td)) {
			for (; col < cols && covered[col]; col++)
				covered[col]--;
			if (col >= cols || xmlHasProp(td, BAD_CAST "colspan"))
				break;
			xmlChar *label = xmlNodeGetContent(th[col]);
			if (!label) {
				tw_page_fail(h, TW_ENOMEM);
				break;
			}
			tw_page_attr(h, td, "data-label", (const char *)label);
			xmlFree(label);
			xmlChar *span = xmlGetProp(td, BAD_CAST "rowspan");
			if (span) {
				long n = strtol((const char *)span, NULL, 10);
				covered[col] = n > 1 && n < 100000 ? (unsigned)(n - 1) : 0;
				xmlFree(span);
			}
			col++;
		}
		for (; col < cols; col++)
			if (covered[col])
				covered[col]--;
	}
}

static node el_pre(html *h, node parent, const char *s, size_t max)
{
	node n = tw_page_el(h, parent, "pre", NULL);
	add_text_max(h, n, s, max, false);
	return n;
}

/* ---- reading the run ---- */

static const char *str_or(const char *s, const char *fallback)
{
	return s && *s ? s : fallback;
}

/* The step's source as written, without its indentation. */
const char *tw_page_step_source(const tw_touchpoint *st)
{
	return st && st->source ? st->source : "";
}

/* Rehearsal i's name as every report shows it (tw_run_put_rehearsal_name):
 * a name longer than max cut, the path that tells two of one name apart
 * whole. */
static void add_rehearsal_name(html *h, node parent, size_t i, size_t max)
{
	tw_buf *b = &h->text[h->next_text];
	h->next_text = (h->next_text + 1) % FMT_RING;
	tw_buf_reset(b);
	int rc = h->rc ? h->rc : tw_run_put_rehearsal_name(b, h->run, i, max);
	if (rc)
		tw_page_fail(h, rc);
	else
		add_text_max(h, parent, tw_buf_str(b), SIZE_MAX, true);
}

static const char *scene_name(const tw_plan_scene *sc)
{
	return sc ? str_or(sc->name, "scene") : "scene";
}

const tw_rehearsal_metrics *tw_page_metrics_of(const html *h, size_t i)
{
	return h->run->metrics ? &h->run->metrics[i] : NULL;
}

const tw_rehearsal_score *tw_page_score_of(const html *h, size_t i)
{
	if (!h->score || !h->score->rehearsals || i >= h->score->count)
		return NULL;
	return &h->score->rehearsals[i];
}

static const tw_touchpoint_metrics *touchpoint_of(const tw_rehearsal_metrics *m, size_t scene,
						  size_t step)
{
	if (!m || !m->scenes || scene >= m->scene_count)
		return NULL;
	const tw_scene_metrics *sm = &m->scenes[scene];
	if (!sm->steps || step >= sm->step_count)
		return NULL;
	return &sm->steps[step];
}

const tw_touchpoint_score *tw_page_apdex_of(const tw_rehearsal_score *rs, size_t scene, size_t step)
{
	for (size_t i = 0; rs && rs->touchpoints && i < rs->touchpoint_count; i++)
		if (rs->touchpoints[i].scene == scene && rs->touchpoints[i].step == step)
			return &rs->touchpoints[i];
	return NULL;
}

bool tw_page_step_timed(const tw_touchpoint *st, const tw_touchpoint_score *ap)
{
	return ap || (st && st->apdex != TW_STEP_APDEX_NONE);
}

/* ---- words ---- */

static const char *part_title(tw_part p)
{
	switch (p) {
	case TW_PART_OUTCOME: return "Outcome";
	case TW_PART_RESPONSIVENESS: return "Responsiveness";
	case TW_PART_CONSISTENCY: return "Consistency";
	case TW_PART_EFFORT: return "Customer effort";
	case TW_PART_COUNT: break;
	}
	return "?";
}

static const char *part_help(tw_part p)
{
	switch (p) {
	case TW_PART_OUTCOME: return "performances that achieved the outcome";
	case TW_PART_RESPONSIVENESS: return "Apdex of its touchpoints";
	case TW_PART_CONSISTENCY: return "steady, not flaky";
	case TW_PART_EFFORT: return "time and steps against the budget; prompts heard again";
	case TW_PART_COUNT: break;
	}
	return "";
}

static const char *status_symbol(tw_status s)
{
	return tw_status_symbol(s); /* the terminal's (reports/render.h) */
}

/* A journey that met its required outcome rate though some of its
 * performances failed: the terminal's ◐, never a plain failure (the run
 * can be READY beside it). */
static bool met_despite(const html *h, size_t i)
{
	return h->score && tw_readiness_met_despite_failures(h->run, h->score, i);
}

static const char *rehearsal_symbol(const html *h, size_t i)
{
	return met_despite(h, i) ? TW_SYMBOL_MET_DESPITE : status_symbol(h->run->rehearsals[i].status);
}

static const char *status_words(tw_status s)
{
	switch (s) {
	case TW_STATUS_PASSED: return "passed";
	case TW_STATUS_FAILED: return "failed";
	case TW_STATUS_SKIPPED: return "not reached";
	case TW_STATUS_UNREACHABLE: return "unreachable";
	case TW_STATUS_BROKEN: return "broken script";
	case TW_STATUS_LIMITED: return "techweek's limit";
	}
	return "?";
}

/* Health, mildest first: the worst of a scene's touchpoints is the
 * scene's. */
typedef enum health {
	H_NONE,    /* not performed */
	H_GOOD,
	H_FAIR,
	H_POOR,
	H_FLAKY,   /* passed and failed, or passed only after a retry */
	H_ROWS,    /* issue 13, F3: passed and failed, following the data rows */
	H_FAILING, /* never passed */
} health;

static const char *health_class(health x)
{
	static const char *const cls[] = {"h-none", "h-good", "h-fair", "h-poor", "h-flaky", "h-poor",
					     "h-failing"};
	return cls[x];
}

static const char *badge_class(health x)
{
	static const char *const cls[] = {"b-none", "b-good", "b-fair", "b-poor", "b-flaky", "b-poor",
					     "b-failing"};
	return cls[x];
}

static const char *health_symbol(health x)
{
	/* Not reached, good and failing as the terminal marks skipped,
	 * passed and failed steps. */
	static const char *const sym[] = {
		TW_SYMBOL_SKIPPED, TW_SYMBOL_PASSED, TW_SYMBOL_FAIR,
		TW_SYMBOL_POOR,    TW_SYMBOL_FLAKY,  TW_SYMBOL_POOR, TW_SYMBOL_FAILED,
	};
	return sym[x];
}

static const char *health_word(health x)
{
	static const char *const word[] = {"not reached", "good", "fair", "poor", "flaky",
					      "fails on some rows", "failing"};
	return word[x];
}

/* Apdex's usual bands: 0.94 excellent, 0.85 good, 0.70 fair, below poor. */
static health apdex_health(double apdex)
{
	if (apdex >= 0.85)
		return H_GOOD;
	if (apdex >= 0.70)
		return H_FAIR;
	return H_POOR;
}

/* rows (issue 13, F3): the performances take data rows (metrics.h). */
static health touchpoint_health(const tw_touchpoint_metrics *t, const tw_touchpoint_score *ap,
				const tw_step_result *shown, bool rows)
{
	if (!t) {
		/* No figures: what the shown performance did. */
		if (!shown || shown->status == TW_STATUS_SKIPPED)
			return H_NONE;
		return tw_status_is_problem(shown->status) ? H_FAILING : H_GOOD;
	}
	if (t->count == 0)
		return H_NONE;
	if (t->failed && !t->passed)
		return H_FAILING;
	if (tw_touchpoint_flaky_rows(t, rows))
		return H_FLAKY;
	if (tw_touchpoint_fails_on_rows(t, rows))
		return H_ROWS;
	return ap ? apdex_health(ap->apdex) : H_GOOD;
}

static void health_badge(html *h, node parent, health x)
{
	node s = tw_page_el(h, parent, "span", NULL);
	tw_page_attr(h, s, "class", tw_page_fmt(h, "health %s", badge_class(x)));
	tw_page_add_text(h, s, tw_page_fmt(h, "%s %s", health_symbol(x), health_word(x)));
}

/* ---- numbers ---- */

void tw_page_fmt_ms(char *out, size_t size, double ms)
{
	if (!isfinite(ms) || ms < 0)
		snprintf(out, size, "\xE2\x80\x94"); /* — */
	else if (ms < 1)
		snprintf(out, size, "%.2f ms", ms);
	else if (ms < 1000)
		snprintf(out, size, "%.0f ms", ms);
	else if (ms < 60000)
		snprintf(out, size, "%.2f s", ms / 1000);
	else
		snprintf(out, size, "%.0fm %02.0fs", floor(ms / 60000), fmod(floor(ms / 1000), 60));
}

const char *tw_page_plural(uint64_t n, const char *one, const char *many)
{
	return tw_plural(n, one, many); /* the engine's one rule (core/plural.h) */
}

/* ---- the page's top: score, verdict, losses, the run ---- */

/* Points as shown beside a loss; losses below 0.05 are not worth a line
 * (as in the terminal's verdict). */
#define LOSS_SHOWN_MIN 0.05

/* A loss's why without the rehearsal's name in front ("Order a pizza: 2
 * of 50 ..."): the report shows the name itself. */
static const char *loss_cause(const tw_loss *l)
{
	return l->cause ? l->cause : str_or(l->why, "no reason given");
}

static void loss_item(html *h, node ol, const tw_loss *l)
{
	node li = tw_page_el(h, ol, "li", NULL);
	tw_page_el_text(h, li, "span", "pts",
			tw_page_fmt(h, "\xE2\x88\x92%.1f points", l->points)); /* − */
	tw_page_add_text(h, li, tw_page_fmt(h, " \xC2\xB7 %s \xC2\xB7 ", part_title(l->part)));
	const char *why = str_or(l->why, "no reason given");
	if (l->rehearsal < h->run->count) {
		node a = tw_page_el(h, li, "a", NULL);
		tw_page_attr(h, a, "href", tw_page_fmt(h, "#r%zu", l->rehearsal));
		add_rehearsal_name(h, a, l->rehearsal, NAME_MAX_CHARS);
		tw_page_add_text(h, li, ": ");
		why = loss_cause(l);
	}
	tw_page_add_text(h, li, why);
}

/* ---- the journeys to look at first ---- */

/* A journey's place on the page: those that failed come first, then those
 * that passed but lost points (or met techweek's limit), then the rest;
 * run order within each. */
typedef enum rank { RANK_FAILED, RANK_LOST, RANK_FINE } rank;

/* The points rehearsal i lost, over every part. */
static double points_lost(const html *h, size_t i)
{
	double points = 0;
	for (size_t k = 0; h->score && h->score->losses && k < h->score->loss_count; k++)
		if (h->score->losses[k].rehearsal == i)
			points += h->score->losses[k].points;
	return points;
}

static rank journey_rank(const html *h, size_t i)
{
	const tw_rehearsal_result *r = &h->run->rehearsals[i];
	if (tw_status_is_problem(r->status) && !met_despite(h, i))
		return RANK_FAILED;
	const tw_rehearsal_score *rs = tw_page_score_of(h, i);
	if (r->status == TW_STATUS_LIMITED || (rs && rs->below_minimum) ||
	    points_lost(h, i) >= LOSS_SHOWN_MIN)
		return RANK_LOST;
	return RANK_FINE;
}

/* The rehearsals' indexes in the page's order (journey_rank, then run
 * order): the top summary, the contents and the sections all follow it.
 * NULL, with h->rc set, when out of memory. */
static size_t *journey_order(html *h)
{
	size_t n = h->run->count, k = 0;
	size_t *order = malloc((n ? n : 1) * sizeof(*order));
	if (!order) {
		tw_page_fail(h, TW_ENOMEM);
		return NULL;
	}
	for (rank x = RANK_FAILED; x <= RANK_FINE; x++)
		for (size_t i = 0; i < n; i++)
			if (journey_rank(h, i) == x)
				order[k++] = i;
	return order;
}

/* The shown performance's first step that did not hold (or where techweek
 * reached its limit): the one write_problem shows first. */
static const tw_step_result *first_problem_step(const tw_rehearsal_result *r,
						const tw_scene_result **scene)
{
	for (size_t s = 0; s < r->scene_count; s++)
		for (size_t j = 0; j < tw_scene_result_steps(&r->scenes[s]); j++) {
			const tw_step_result *st = &r->scenes[s].steps[j];
			if (tw_status_is_problem(st->status) || st->status == TW_STATUS_LIMITED) {
				if (scene)
					*scene = &r->scenes[s];
				return st;
			}
		}
	return NULL;
}

/* The rehearsal's largest loss; NULL when it lost nothing. */
static const tw_loss *largest_loss(const html *h, size_t i)
{
	const tw_loss *most = NULL;
	for (size_t k = 0; h->score && h->score->losses && k < h->score->loss_count; k++) {
		const tw_loss *l = &h->score->losses[k];
		if (l->rehearsal == i && (!most || l->points > most->points))
			most = l;
	}
	return most;
}

/* A step's message without libcurl's own words, which channels/web/
 * transfer.c appends to its plain sentence as the evidence: "PLAIN
 * (libcurl: DETAIL)" becomes "PLAIN", "PLAIN (EXTRA; libcurl: DETAIL)"
 * "PLAIN (EXTRA)". For the top of the page; the evidence box, the
 * terminal and JUnit keep the whole. */
static const char *plain_cause(html *h, const char *message)
{
	const char *at = strstr(message, "libcurl: ");
	if (!at || at - message < 2)
		return message;
	bool inner = strncmp(at - 2, "; ", 2) == 0; /* after EXTRA: keep its "(" */
	if (!inner && strncmp(at - 2, " (", 2) != 0)
		return message;
	const char *end = at;
	for (int depth = 0; *end && (*end != ')' || depth > 0); end++)
		depth += *end == '(' ? 1 : *end == ')' ? -1 : 0;
	if (!*end)
		return message;
	return tw_page_fmt(h, "%.*s%s%s", (int)(at - 2 - message), message, inner ? ")" : "",
			   end + 1);
}

/* One summary line: the journey's status (flaky when some of its
 * performances failed and others did not), its name linking to its
 * evidence, its score, and why in the engine's words (the failing step's
 * message, or what cost the most points). Its score, not the points it
 * lost: the sum of its losses beside the losses themselves would read as
 * two different figures for one thing. */
static void attention_item(html *h, node ol, size_t i)
{
	const tw_rehearsal_result *r = &h->run->rehearsals[i];
	rank x = journey_rank(h, i);
	const tw_scene_result *in = NULL;
	const tw_step_result *st = first_problem_step(r, &in);
	const tw_loss *l = largest_loss(h, i);
	const tw_rehearsal_metrics *m = tw_page_metrics_of(h, i);
	const tw_rehearsal_score *rs = tw_page_score_of(h, i);
	bool despite = met_despite(h, i);
	bool evidence = x == RANK_FAILED || r->status == TW_STATUS_LIMITED || despite;
	bool flaky = x == RANK_FAILED && m && tw_rehearsal_flaky_rows(m, r->data_row > 0);
	/* issue 13, F3: failed on some data rows, passed on others */
	bool rows = x == RANK_FAILED && m && tw_rehearsal_fails_on_rows(m, r->data_row > 0);

	node li = tw_page_el(h, ol, "li", NULL);
	node badge = tw_page_el(h, li, "span", NULL);
	tw_page_attr(h, badge, "class",
		     tw_page_fmt(h, "health %s",
				 flaky                            ? "b-flaky"
				 : rows                           ? "b-poor"
				 : x == RANK_FAILED               ? "b-failing"
				 : r->status == TW_STATUS_LIMITED ? "b-fair"
								  : "b-poor"));
	if (despite && m) /* as the terminal's ◐ line says it */
		tw_page_add_text(h, badge,
				 tw_page_fmt(h, TW_SYMBOL_MET_DESPITE
					     " met its required rate despite %llu of %llu failed",
					     (unsigned long long)(m->performances - m->achieved),
					     (unsigned long long)m->performances));
	else if (flaky) /* as JUnit says it: "flaky: 3 of 40 failed" */
		tw_page_add_text(h, badge,
				 tw_page_fmt(h, TW_SYMBOL_FLAKY " flaky: %llu of %llu failed",
					     (unsigned long long)(m->performances - m->achieved),
					     (unsigned long long)m->performances));
	else if (rows) /* issue 13, F3: as JUnit says it */
		tw_page_add_text(h, badge,
				 tw_page_fmt(h, TW_SYMBOL_POOR " fails on some rows: %llu of %llu failed",
					     (unsigned long long)(m->performances - m->achieved),
					     (unsigned long long)m->performances));
	else
		tw_page_add_text(h, badge,
				 tw_page_fmt(h, "%s %s", status_symbol(r->status),
					     status_words(r->status)));
	tw_page_add_text(h, li, " ");
	node a = tw_page_el(h, li, "a", NULL);
	tw_page_attr(h, a, "href",
		     tw_page_fmt(h, evidence ? "#r%zu-evidence" : l ? "#r%zu-losses" : "#r%zu", i));
	add_rehearsal_name(h, a, i, NAME_MAX_CHARS);
	char num[TW_SCORE_SHOWN_SIZE];
	if (rs && (rs->scored || rs->counted))
		tw_page_el_text(h, li, "span", "pts",
				tw_page_fmt(h, " scores %s/100",
					    tw_score_shown(num, sizeof(num), rs->score)));
	node why = tw_page_el(h, li, "div", "why");
	if (evidence && st && st->message) {
		tw_page_add_text(h, why, plain_cause(h, st->message));
		/* issue 13: a used step's own file and the use that led there;
		 * the data row it took */
		const char *file = st->step ? st->step->file : NULL;
		const char *used_by = in && in->scene ? in->scene->used_by : NULL;
		const char *where = file && r->path && strcmp(file, r->path) != 0
				      ? tw_page_fmt(h, "%s:%d", file, tw_step_result_line(st))
				      : tw_page_fmt(h, "line %d", tw_step_result_line(st));
		if (used_by)
			where = tw_page_fmt(h, "%s, used by %s", where, used_by);
		if (r->data_row > 0)
			where = tw_page_fmt(h, "%s; performance %llu, %s line %ld", where, r->seq,
					    r->data_file ? r->data_file : "?", r->data_row);
		tw_page_add_text(h, why, tw_page_fmt(h, " (%s)", where));
	} else if (evidence && !st && r->problem.message) {
		tw_page_add_text(h, why, plain_cause(h, r->problem.message));
	} else if (l) {
		tw_page_add_text(h, why, loss_cause(l));
	} else if (evidence) {
		tw_page_add_text(h, why,
				 tw_page_fmt(h, "The rehearsal %s before any scene ran.",
					     status_words(r->status)));
	}
	/* Over many performances the step's message is one of them: say how
	 * many fell short too. */
	if (evidence && l && m && m->performances > 1)
		tw_page_el_text(h, li, "div", "small muted", loss_cause(l));
}

/* At the top: the journeys that failed, then those that lost points, each
 * in a line with its cause and a link to its evidence. */
static void write_attention(html *h, node parent, const size_t *order)
{
	size_t n = 0;
	for (size_t k = 0; order && k < h->run->count; k++)
		n += journey_rank(h, order[k]) != RANK_FINE;
	node box = tw_page_el(h, parent, "div", "attention");
	tw_page_attr(h, box, "id", "attention");
	if (!n) {
		if (h->run->count)
			tw_page_el_text(h, box, "p", NULL,
					"Every journey passed, and none lost points.");
		return;
	}
	/* Under the readiness card's h2, or on its own when nothing is scored. */
	tw_page_el_text(h, box, h->score ? "h3" : "h2", NULL, "Journeys to look at first");
	node ol = tw_page_el(h, box, "ol", "attention");
	for (size_t k = 0; k < h->run->count; k++)
		if (journey_rank(h, order[k]) != RANK_FINE)
			attention_item(h, ol, order[k]);
}

static void write_readiness(html *h, node parent, const size_t *order)
{
	const tw_run_score *sc = h->score;
	bool up = sc->verdict == TW_VERDICT_READY;
	node card =
		tw_page_el(h, parent, "section", up ? "card readiness up" : "card readiness down");
	tw_page_attr(h, card, "id", "readiness");
	tw_page_attr(h, card, "aria-label", "Curtain-up readiness");
	tw_page_el_text(h, card, "h2", NULL, "Curtain-up readiness");
	node p = tw_page_el(h, card, "p", "score");
	tw_page_attr(h, p, "id", "score");
	bool scored = sc->weakest < sc->count;
	char num[TW_SCORE_SHOWN_SIZE];
	tw_page_add_text(h, p,
			 scored ? tw_score_shown(num, sizeof(num), sc->score) : "\xE2\x80\x94");
	tw_page_el_text(h, p, "span", "of", "/100");
	node v = tw_page_el(h, card, "p", NULL);
	/* The run's one verdict, in the words the terminal uses. */
	tw_page_el_text(h, v, "span", up ? "verdict up" : "verdict down",
			tw_page_fmt(h, "%s %s", up ? TW_SYMBOL_PASSED : TW_SYMBOL_FAILED,
				    tw_verdict_title(sc->verdict)));
	tw_page_attr(h, v, "id", "verdict");
	/* Why the verdict is what it is, right under it: the engine's one
	 * list, which the terminal, JUnit and the JSON give too. */
	struct tw_reasons reasons;
	int rrc = tw_readiness_reasons(&reasons, h->run, sc, sc->verdict);
	if (rrc)
		tw_page_fail(h, rrc);
	node ul = rrc || !reasons.count ? NULL : tw_page_el(h, card, "ul", "reasons");
	if (ul)
		tw_page_attr(h, ul, "id", "reasons");
	for (size_t i = 0; ul && i < reasons.count; i++) {
		node li = tw_page_el(h, ul, "li", "small");
		tw_page_el_text(h, li, "span", "sym", TW_SYMBOL_FAILED " ");
		add_text_max(h, li, reasons.items[i].why, LINE_MAX_CHARS, true);
	}
	tw_reasons_clear(&reasons);
	write_attention(h, card, order);

	node why = tw_page_el(h, card, "p", "small muted");
	if (sc->gate >= 0)
		tw_page_add_text(h, why,
				 tw_page_fmt(h, "The gate is %g: %s", sc->gate,
					     !scored          ? "nothing could be scored."
					     : sc->below_gate ? "the score is below it."
							      : "the score meets it."));
	else if (sc->gate_set)
		tw_page_add_text(h, why, "No run-wide gate; rehearsals have minimums.");
	else
		tw_page_add_text(h, why,
				 "No minimum score was set for this run; READY means every "
				 "critical journey reached its required outcome rate.");
	if (sc->weakest < h->run->count && sc->count > 1) {
		node q = tw_page_el(h, card, "p", "small");
		tw_page_add_text(h, q, "The run scores as its weakest critical journey: ");
		add_rehearsal_name(h, q, sc->weakest, NAME_MAX_CHARS);
		tw_page_add_text(h, q, ".");
	}
	if (sc->verdict == TW_VERDICT_NOT_READY && sc->gate_held && !sc->regressed)
		tw_page_el_text(
			h, card, "p", "small",
			TW_SYMBOL_FAILED " Not every journey achieved its outcome in the share of "
			"performances it requires: not ready, whatever the score.");
	if (sc->capped)
		tw_page_el_text(
			h, card, "p", "small",
			TW_SYMBOL_FAILED " The weakest journey never achieved its outcome: it scores no "
			"more than the cap, however fast it is.");
	/* A minor journey that fell short beside critical ones does not decide
	 * the verdict, but the product owner must still see it here. */
	bool exempt = tw_readiness_minor_exempt(h->run, sc);
	for (size_t i = 0; exempt && i < h->run->count; i++) {
		const tw_rehearsal_score *rs = tw_page_score_of(h, i);
		if (!rs || !rs->scored || !rs->minor || rs->met)
			continue;
		node q = tw_page_el(h, card, "p", "small");
		tw_page_add_text(h, q, TW_SYMBOL_FAILED " ");
		add_rehearsal_name(h, q, i, NAME_MAX_CHARS);
		char req[TW_RATE_SHOWN_SIZE];
		tw_page_add_text(
			h, q,
			tw_page_fmt(h,
				    " fell short of its required outcome rate of %s; it is "
				    "minor, so it does not block the launch alone.",
				    tw_required_shown(req, sizeof(req), rs->required)));
	}
	size_t shown = 0;
	node ol = NULL;
	bool others = false;
	for (size_t i = 0; sc->losses && i < sc->loss_count && shown < TOP_LOSSES; i++) {
		const tw_loss *l = &sc->losses[i];
		if (l->points < LOSS_SHOWN_MIN)
			continue;
		if (shown++ == 0)
			tw_page_el_text(h, card, "h3", NULL, "What cost the most points");
		/* The run's own losses come first; the rest did not lower its
		 * score, which a reader would otherwise assume. */
		if (!l->in_run && !others) {
			others = true;
			tw_page_el_text(h, card, "h4", NULL,
					"Other journeys (not in the run's score)");
			ol = NULL;
		}
		if (!ol)
			ol = tw_page_el(h, card, "ol", "losses");
		loss_item(h, ol, l);
	}
	if (!shown)
		tw_page_el_text(h, card, "p", NULL, "Nothing cost any points.");
}

static void fact(html *h, node dl, const char *term, const char *value)
{
	tw_page_el_text(h, dl, "dt", NULL, term);
	tw_page_el_text(h, dl, "dd", NULL, value);
}

static void write_schedule(html *h, node dl)
{
	const tw_run_options *o = &h->run->opts;
	char d[48], r[48], threads[48] = "";
	if (o->jobs > 1)
		snprintf(threads, sizeof(threads), ", %u worker threads", o->jobs);
	if (o->rate > 0) {
		tw_page_fmt_ms(d, sizeof(d), (double)o->duration_ms);
		tw_page_fmt_ms(r, sizeof(r), (double)o->ramp_ms);
		fact(h, dl, "Schedule",
		     tw_page_fmt(
			     h,
			     "customers arriving at %g a second for %s%s%s, at most %lu at once%s",
			     o->rate, d, o->ramp_ms > 0 ? ", rising over " : "",
			     o->ramp_ms > 0 ? r : "", o->customers, threads));
	} else {
		unsigned long n = o->performances ? o->performances : 1;
		unsigned long c = o->customers ? o->customers : 1;
		fact(h, dl, "Schedule",
		     tw_page_fmt(h, "%s: each rehearsal %lu %s, %lu %s at once%s",
				 n == 1 ? "a tech run" : "a dress rehearsal", n,
				 tw_page_plural(n, "time", "times"), c,
				 tw_page_plural(c, "customer", "customers"), threads));
	}
}

/* issue 13, SUITE: the --env environment, and what --tag, --skip-tag and
 * --name selected ("selected 3 of 7 rehearsals: 4 without tag smoke
 * (--tag smoke)"). */
static void write_suite_facts(html *h, node dl)
{
	const tw_run *run = h->run;
	if (run->environment)
		fact(h, dl, "Environment", run->environment);
	char *line = tw_suite_selection_line(run), *options = tw_suite_selection_options(run);
	if (line && options)
		fact(h, dl, "Selection", tw_page_fmt(h, "%s (%s)", line, options));
	free(line);
	free(options);
}

static void write_run(html *h, node parent)
{
	const tw_run *run = h->run;
	node card = tw_page_el(h, parent, "section", "card");
	tw_page_attr(h, card, "id", "run");
	tw_page_el_text(h, card, "h2", NULL, "The run");
	node dl = tw_page_el(h, card, "dl", "facts");
	char zoned[TW_STAMP_SHOWN_SIZE];
	fact(h, dl, "Started",
	     run->started_at[0] ? tw_stamp_shown(zoned, sizeof(zoned), run->started_at)
				: "not started");
	fact(h, dl, "Host", str_or(run->hostname, "unknown"));
	write_schedule(h, dl);
	write_suite_facts(h, dl); /* issue 13, SUITE */

	uint64_t performed = 0, achieved = 0;
	for (size_t i = 0; run->metrics && i < run->count; i++) {
		performed += run->metrics[i].performances;
		achieved += run->metrics[i].achieved;
	}
	const char *perf;
	if (run->metrics) {
		char more[160] = "";
		if (run->planned)
			snprintf(more, sizeof(more), "; %llu planned",
				 (unsigned long long)run->planned);
		if (run->dropped)
			snprintf(more + strlen(more), sizeof(more) - strlen(more),
				 "; %llu %s dropped (no free customer)",
				 (unsigned long long)run->dropped,
				 tw_page_plural(run->dropped, "arrival", "arrivals"));
		perf = tw_page_fmt(h, "%llu performed, %llu achieved the outcome%s",
				   (unsigned long long)performed, (unsigned long long)achieved,
				   more);
	} else {
		perf = tw_page_fmt(h, "%zu shown", run->count);
	}
	fact(h, dl, "Performances", perf);
	if (run->stop_reason != TW_STOP_NONE)
		fact(h, dl, "Stopped early",
		     run->stop_reason == TW_STOP_INTERRUPTED
			     ? "interrupted: the report holds what was performed"
			     : "too many failures (--max-failures): the report holds what was performed");
	char el_ms[48];
	tw_page_fmt_ms(el_ms, sizeof(el_ms), run->elapsed_ms);
	fact(h, dl, "Elapsed", el_ms);
	const tw_comparison *cmp = h->score ? h->score->baseline : NULL;
	if (cmp) {
		node dd = NULL;
		tw_page_el_text(h, dl, "dt", NULL, "Baseline");
		dd = tw_page_el(h, dl, "dd", NULL);
		add_text_max(h, dd, cmp->file, LINE_MAX_CHARS, true);
		if (cmp->started_at)
			tw_page_add_text(h, dd, tw_page_fmt(h, " (run %s)",
							    tw_stamp_shown(zoned, sizeof(zoned),
									   cmp->started_at)));
		for (size_t i = 0; i < cmp->gone_count; i++) {
			node p = tw_page_el(h, dd, "div", "small muted");
			add_text_max(h, p, cmp->gone[i], NAME_MAX_CHARS, true);
			tw_page_add_text(h, p, ": in the baseline, not in this run");
		}
	}

	size_t passed = 0;
	for (size_t i = 0; i < run->count; i++)
		passed += run->rehearsals[i].status == TW_STATUS_PASSED;
	fact(h, dl, "Rehearsals",
	     tw_page_fmt(h, "%zu, %zu passed, %zu did not", run->count, passed,
			 run->count - passed));
}

static void write_toc(html *h, node parent, const size_t *order)
{
	if (h->run->count == 0 || !order)
		return;
	node nav = tw_page_el(h, parent, "nav", "toc");
	tw_page_attr(h, nav, "aria-label", "Rehearsals");
	node ul = tw_page_el(h, nav, "ul", NULL);
	for (size_t k = 0; k < h->run->count; k++) {
		size_t i = order[k];
		const tw_rehearsal_score *rs = tw_page_score_of(h, i);
		node a = tw_page_el(h, tw_page_el(h, ul, "li", NULL), "a", NULL);
		tw_page_attr(h, a, "href", tw_page_fmt(h, "#r%zu", i));
		tw_page_add_text(h, a, tw_page_fmt(h, "%s ", rehearsal_symbol(h, i)));
		add_rehearsal_name(h, a, i, 80);
		char num[TW_SCORE_SHOWN_SIZE];
		if (rs && (rs->scored || rs->counted))
			tw_page_add_text(h, a,
					 tw_page_fmt(h, " \xC2\xB7 %s", /* · */
						     tw_score_shown(num, sizeof(num), rs->score)));
	}
}

/* ---- a rehearsal ---- */

static void write_outcome_figures(html *h, node parent, size_t i)
{
	const tw_rehearsal_result *r = &h->run->rehearsals[i];
	const tw_rehearsal_metrics *m = tw_page_metrics_of(h, i);
	const tw_rehearsal_score *rs = tw_page_score_of(h, i);
	node grid = tw_page_el(h, parent, "div", "figures");

	node f = tw_page_el(h, grid, "div", "figure");
	tw_page_el_text(h, f, "div", "muted small", "Outcome rate");
	if (m && m->performances > 0) {
		char rate[TW_RATE_SHOWN_SIZE], req[TW_RATE_SHOWN_SIZE];
		tw_rate_shown(rate, sizeof(rate), (double)m->achieved / (double)m->performances,
			      rs ? rs->required : TW_READINESS_REQUIRE);
		tw_page_el_text(h, f, "div", "big", rate);
		tw_page_el_text(h, f, "div", "small",
				tw_page_fmt(h, "%llu of %llu %s achieved the outcome",
					    (unsigned long long)m->achieved,
					    (unsigned long long)m->performances,
					    tw_page_plural(m->performances, "performance",
							   "performances")));
		if (m->failed || m->unreachable || m->broken)
			tw_page_el_text(h, f, "div", "small muted",
					tw_page_fmt(h, "%llu failed, %llu unreachable, %llu broken",
						    (unsigned long long)m->failed,
						    (unsigned long long)m->unreachable,
						    (unsigned long long)m->broken));
		if (rs && rs->scored)
			tw_page_el_text(
				h, f, "div", "small",
				tw_page_fmt(
					h, "%s required %s%s",
					rs->met ? TW_SYMBOL_PASSED : TW_SYMBOL_FAILED,
					tw_required_shown(req, sizeof(req), rs->required),
					rs->minor
						? " \xC2\xB7 minor: it cannot block the launch alone"
						: ""));
	} else {
		tw_page_el_text(h, f, "div", "big", "\xE2\x80\x94");
		tw_page_el_text(h, f, "div", "small", "never performed");
	}
	if (m && m->interrupted)
		tw_page_el_text(
			h, f, "div", "small muted",
			tw_page_fmt(
				h,
				"%llu interrupted: cut off by the run's end, not performed, not "
				"counted or scored",
				(unsigned long long)m->interrupted));
	if (m && m->limited)
		tw_page_el_text(
			h, f, "div", "small muted",
			tw_page_fmt(
				h,
				"%llu limited: techweek could not do what was asked (its limit, "
				"not the service's fault), not counted or scored",
				(unsigned long long)m->limited));

	if (rs) {
		node g = tw_page_el(h, grid, "div", "figure");
		tw_page_el_text(h, g, "div", "muted small", "Score");
		if (rs->scored || rs->counted) {
			char num[TW_SCORE_SHOWN_SIZE];
			tw_page_el_text(h, g, "div", "big",
					tw_page_fmt(h, "%s/100",
						    tw_score_shown(num, sizeof(num), rs->score)));
			if (rs->capped)
				tw_page_el_text(
					h, g, "div", "small",
					TW_SYMBOL_FAILED " capped: it never achieved its outcome");
			if (rs->minimum >= 0)
				tw_page_el_text(
					h, g, "div", "small",
					rs->below_minimum
						? tw_page_fmt(
							  h, TW_SYMBOL_FAILED " below its minimum of %g",
							  rs->minimum)
						: tw_page_fmt(
							  h, TW_SYMBOL_PASSED " meets its minimum of %g",
							  rs->minimum));
		} else {
			tw_page_el_text(h, g, "div", "big", "\xE2\x80\x94");
			tw_page_el_text(h, g, "div", "small",
					"not scored: broken, or never performed");
		}
	}

	if (m && tw_histogram_count(m->time_to_outcome)) {
		char p50[48], p95[48];
		tw_page_fmt_ms(p50, sizeof(p50), tw_histogram_percentile(m->time_to_outcome, 50));
		tw_page_fmt_ms(p95, sizeof(p95), tw_histogram_percentile(m->time_to_outcome, 95));
		node g = tw_page_el(h, grid, "div", "figure");
		tw_page_el_text(h, g, "div", "muted small",
				"Time to outcome on the customer's clock");
		tw_page_el_text(h, g, "div", "big", p50);
		tw_page_el_text(h, g, "div", "small", tw_page_fmt(h, "median; p95 %s", p95));
	}

	if (m && m->performances > 0 && r->plan) {
		const tw_plan *s = r->plan;
		double steps = (double)m->frontstage_steps / (double)m->performances;
		double ms = m->frontstage_ms / (double)m->performances;
		char t[48];
		tw_page_fmt_ms(t, sizeof(t), ms);
		node g = tw_page_el(h, grid, "div", "figure");
		tw_page_el_text(h, g, "div", "muted small", "Customer effort (frontstage)");
		tw_page_el_text(h, g, "div", "big",
				tw_page_fmt(h, "%.1f %s", steps, steps == 1 ? "step" : "steps"));
		tw_page_el_text(h, g, "div", "small",
				tw_page_fmt(h, "%s on average a performance", t));
		if (s->budget_ms > 0 || s->budget_steps > 0) {
			char b[48] = "";
			if (s->budget_ms > 0)
				tw_page_fmt_ms(b, sizeof(b), (double)s->budget_ms);
			if (s->budget_ms > 0 && s->budget_steps > 0)
				tw_page_el_text(h, g, "div", "small muted",
						tw_page_fmt(h, "budget %s, %ld %s", b,
							    s->budget_steps,
							    tw_page_plural((uint64_t)s->budget_steps,
									   "step", "steps")));
			else if (s->budget_ms > 0)
				tw_page_el_text(h, g, "div", "small muted",
						tw_page_fmt(h, "budget %s", b));
			else
				tw_page_el_text(h, g, "div", "small muted",
						tw_page_fmt(h, "budget %ld %s",
							    s->budget_steps,
							    tw_page_plural((uint64_t)s->budget_steps,
									   "step", "steps")));
		}
	}

	if (m && m->calls > 0) {
		node g = tw_page_el(h, grid, "div", "figure");
		tw_page_el_text(h, g, "div", "muted small", "Phone");
		tw_page_el_text(h, g, "div", "big",
				tw_page_fmt(h, "%llu %s", (unsigned long long)m->calls,
					    tw_page_plural(m->calls, "call", "calls")));
		tw_page_el_text(h, g, "div", "small",
				tw_page_fmt(h, "%llu %s heard, %llu %s, %llu %s",
					    (unsigned long long)m->prompts,
					    tw_page_plural(m->prompts, "prompt", "prompts"),
					    (unsigned long long)m->inputs,
					    tw_page_plural(m->inputs, "key or phrase", "keys or phrases"),
					    (unsigned long long)m->repeats,
					    tw_page_plural(m->repeats, "re-prompt", "re-prompts")));
		const tw_menu_turns *menu = tw_rehearsal_reprompted_menu(m);
		if (menu)
			tw_page_el_text(
				h, g, "div", "small muted",
				tw_page_fmt(
					h, "re-prompted most: \xE2\x80\x9C%s\xE2\x80\x9D (%llu %s)",
					menu->text, (unsigned long long)menu->turns,
					tw_page_plural(menu->turns, "turn", "turns")));
		if (tw_histogram_count(m->first_prompt)) {
			char t[48];
			tw_page_fmt_ms(t, sizeof(t), tw_histogram_percentile(m->first_prompt, 50));
			tw_page_el_text(h, g, "div", "small muted",
					tw_page_fmt(h, "first prompt after %s (median)", t));
		}
		if (tw_histogram_count(m->time_to_agent)) {
			char t[48];
			tw_page_fmt_ms(t, sizeof(t), tw_histogram_percentile(m->time_to_agent, 50));
			tw_page_el_text(h, g, "div", "small muted",
					tw_page_fmt(h, "reached a person after %s (median)", t));
		}
	}
}

/* What a part measured, in words, from the score's own figures. */
static const char *part_figures(html *h, const tw_rehearsal_score *rs, tw_part p)
{
	char a[48], b[48];
	switch (p) {
	case TW_PART_RESPONSIVENESS:
		return tw_page_fmt(h, "Apdex of its %zu timed %s", rs->touchpoint_count,
				   tw_page_plural(rs->touchpoint_count, "touchpoint",
						  "touchpoints"));
	case TW_PART_CONSISTENCY:
		return tw_page_fmt(h, "%llu irregular %s: failed, or sent a request again",
				   (unsigned long long)rs->irregular,
				   tw_page_plural(rs->irregular, "performance", "performances"));
	case TW_PART_EFFORT: {
		char steps[96];
		tw_page_fmt_ms(a, sizeof(a), rs->time_p90_ms);
		if (rs->budget_ms > 0) {
			tw_page_fmt_ms(b, sizeof(b), rs->budget_ms);
		} else {
			/* issue 14, F4: the steps may still have a budget */
			snprintf(b, sizeof(b), "no time budget");
		}
		/* the steps judged: the actions and the failure demand (re-prompt
		 * turns, retries), as the terminal's loss counts them */
		double judged = rs->steps_mean + rs->demand_mean;
		if (rs->budget_steps > 0)
			snprintf(steps, sizeof(steps), "%.1f of %.0f steps%s%s", judged,
				 rs->budget_steps,
				 rs->demand_mean > 0 ? " with failure demand" : "",
				 rs->budget_steps_implied ? " (budget: the frontstage actions)"
							  : "");
		else
			snprintf(steps, sizeof(steps), "%.1f steps", judged);
		/* issue 14, F4: under 10 customers the p90 is the slowest */
		const char *which = rs->achieved >= 10 ? "p90 time to outcome"
				    : rs->achieved == 1 ? "the customer's time to outcome"
							: "the slowest time to outcome";
		return tw_page_fmt(
			h,
			"%s on the customer's clock %s (%s%s); %s; failure demand %.1f a performance",
			which, rs->time_p90_ms > 0 ? a : "\xE2\x80\x94",
			rs->budget_ms > 0 ? "budget " : "", b, steps, rs->demand_mean);
	}
	default:
		return part_help(p);
	}
}

static void write_parts(html *h, node parent, const tw_rehearsal_score *rs)
{
	if (!rs || !rs->scored)
		return;
	bool weights = false;
	for (int p = 0; p < TW_PART_COUNT; p++)
		weights = weights || (h->score->weight[p] > 0 && isfinite(h->score->weight[p]));
	node table = tw_page_el(h, parent, "table", "parts");
	node tr = tw_page_el(h, tw_page_el(h, table, "thead", NULL), "tr", NULL);
	tw_page_el_text(h, tr, "th", NULL, "Part of the score");
	/* A header a screen reader can say (axe-core: empty-table-header). */
	tw_page_el_text(h, tw_page_el(h, tr, "th", NULL), "span", "vh", "As a bar");
	tw_page_el_text(h, tr, "th", "num", "Value");
	if (weights)
		tw_page_el_text(h, tr, "th", "num", "Weight");
	tw_page_el_text(h, tr, "th", NULL, "Measures");
	node tb = tw_page_el(h, table, "tbody", NULL);
	for (int p = 0; p < TW_PART_COUNT; p++) {
		double v = rs->part[p];
		if (!isfinite(v) || v < 0)
			v = 0;
		if (v > 1)
			v = 1;
		tr = tw_page_el(h, tb, "tr", NULL);
		tw_page_el_text(h, tr, "td", NULL, part_title((tw_part)p));
		node bar = tw_page_el(h, tw_page_el(h, tr, "td", NULL), "div", "meter");
		tw_page_attr(h, bar, "role", "img");
		/* The one rule, rounded down; the outcome is the outcome rate,
		 * shown as everywhere else on the page (tw_rate_shown against its
		 * required rate): one text for one figure. */
		char num[TW_FLOOR_SHOWN_SIZE], rate[TW_RATE_SHOWN_SIZE];
		const char *pct =
			p == TW_PART_OUTCOME
				? tw_rate_shown(rate, sizeof(rate), v, rs->required)
				: tw_page_fmt(h, "%s%%", tw_floor_shown(num, sizeof(num), v * 100, 0));
		tw_page_attr(h, bar, "aria-label", pct);
		node fill = tw_page_el(h, bar, "span", NULL);
		tw_page_attr(h, fill, "style", tw_page_fmt(h, "width:%.1f%%", v * 100));
		tw_page_el_text(h, tr, "td", "num", pct);
		if (weights)
			tw_page_el_text(h, tr, "td", "num",
					tw_page_fmt(h, "%.0f%%", h->score->weight[p] * 100));
		tw_page_el_text(h, tr, "td", "small muted", part_figures(h, rs, (tw_part)p));
	}
	label_cells(h, table);
}

static void write_losses(html *h, node parent, size_t i)
{
	if (!h->score || !h->score->losses)
		return;
	node ul = NULL;
	for (size_t k = 0; k < h->score->loss_count; k++) {
		const tw_loss *l = &h->score->losses[k];
		if (l->rehearsal != i)
			continue;
		if (!ul) {
			node h3 = tw_page_el_text(h, parent, "h3", NULL, "What cost points");
			tw_page_attr(h, h3, "id", tw_page_fmt(h, "r%zu-losses", i));
			ul = tw_page_el(h, parent, "ul", "losses");
		}
		node li = tw_page_el(h, ul, "li", NULL);
		tw_page_el_text(h, li, "span", "pts",
				tw_page_fmt(h, "\xE2\x88\x92%.1f points", l->points));
		tw_page_add_text(h, li, tw_page_fmt(h, " \xC2\xB7 %s: ", part_title(l->part)));
		tw_page_add_text(h, li, loss_cause(l));
	}
	if (!ul && tw_page_score_of(h, i) && tw_page_score_of(h, i)->scored)
		tw_page_el_text(h, parent, "p", "muted", "Nothing in this rehearsal cost points.");
}

/* A figure's cell: before → after (change), marked when it regressed. */
static void change_cell(html *h, node tr, tw_figure f, const tw_change *c, bool applies)
{
	/* fig-KEY: the stylesheet's .score is the big number on top. */
	const char *cls = tw_page_fmt(h, "fig-%s", tw_figure_key(f));
	if (!applies || !c->known) {
		tw_page_el_text(h, tr, "td", applies ? cls : NULL, applies ? "\xE2\x80\x94" : "");
		return;
	}
	char words[128];
	int rc = tw_change_str(words, sizeof(words), f, c);
	if (rc)
		tw_page_fail(h, rc);
	node td = tw_page_el_text(h, tr, "td", cls, words);
	if (c->regressed)
		tw_page_el_text(h, td, "span", "health b-failing",
				" " TW_SYMBOL_FAILED " beyond the limit");
}

/* The rehearsal against --baseline: its figures, then each touchpoint's
 * that is new, regressed or timed. */
static void write_baseline(html *h, node parent, size_t i)
{
	const tw_comparison *cmp = h->score ? h->score->baseline : NULL;
	if (!cmp || i >= cmp->count)
		return;
	const tw_rehearsal_change *rc = &cmp->rehearsals[i];
	const tw_rehearsal_result *r = &h->run->rehearsals[i];
	tw_page_el_text(h, parent, "h3", NULL, "Against the baseline");
	if (rc->is_new) {
		node p = tw_page_el_text(h, parent, "p", "muted", "New: not in the baseline.");
		tw_page_attr(h, p, "id", tw_page_fmt(h, "baseline-r%zu", i));
		return;
	}
	node table = tw_page_el(h, parent, "table", NULL);
	tw_page_attr(h, table, "id", tw_page_fmt(h, "baseline-r%zu", i));
	node tr = tw_page_el(h, tw_page_el(h, table, "thead", NULL), "tr", NULL);
	static const char *const heads[] = {"Rehearsal or touchpoint", "Score", "Outcome rate", "p95", "Steps per performance",
					    "Time to outcome (p90)"};
	for (size_t k = 0; k < sizeof(heads) / sizeof(heads[0]); k++)
		tw_page_el_text(h, tr, "th", NULL, heads[k]);
	node tbody = tw_page_el(h, table, "tbody", NULL);
	tr = tw_page_el(h, tbody, "tr", NULL);
	tw_page_el_text(h, tr, "th", NULL,
			rc->by_name ? "The rehearsal (matched by name)" : "The rehearsal");
	for (int f = 0; f < TW_FIGURE_COUNT; f++)
		change_cell(h, tr, (tw_figure)f, &rc->figure[f], f != TW_FIGURE_P95);
	for (size_t k = 0; k < rc->touchpoint_count; k++) {
		const tw_touchpoint_change *tc = &rc->touchpoints[k];
		const tw_touchpoint *st = &r->plan->scenes[tc->scene].touchpoints[tc->step];
		tr = tw_page_el(h, tbody, "tr", NULL);
		const char *at = tw_touchpoint_elsewhere(r->plan, st); /* issue 13, USE */
		node th = tw_page_el_text(h, tr, "th", "mono", tw_page_fmt(h, "%d ", st->line));
		if (at)
			tw_page_el_text(h, th, "div", "from", tw_page_fmt(h, "in %s", at));
		add_text_max(h, th, tw_page_step_source(st), LINE_MAX_CHARS, true);
		if (tc->is_new) {
			node td = tw_page_el_text(h, tr, "td", NULL, "new: not in the baseline");
			tw_page_attr(h, td, "colspan", "5");
			continue;
		}
		for (int f = 0; f < TW_FIGURE_COUNT; f++)
			change_cell(h, tr, (tw_figure)f, &tc->figure[f],
				    f == TW_FIGURE_SCORE || f == TW_FIGURE_OUTCOME || f == TW_FIGURE_P95);
	}
	label_cells(h, table);
	if (rc->touchpoints_gone)
		tw_page_el_text(h, parent, "p", "small muted",
				tw_page_fmt(h, "%zu touchpoint%s of the baseline %s no match here.",
					    rc->touchpoints_gone,
					    rc->touchpoints_gone == 1 ? "" : "s",
					    rc->touchpoints_gone == 1 ? "has" : "have"));
}

static void write_legend(html *h, node parent)
{
	node d = tw_page_el(h, parent, "div", "legend");
	tw_page_attr(h, d, "aria-label", "Health legend");
	for (health x = H_GOOD; x <= H_FAILING; x++)
		health_badge(h, d, x);
	health_badge(h, d, H_NONE);
	tw_page_el_text(
		h, d, "span", "muted",
		"good: Apdex 0.85 or more \xC2\xB7 fair: 0.70 or more \xC2\xB7 poor: below \xC2\xB7 "
		"flaky: passed and failed \xC2\xB7 fails on some rows: passed and failed, "
		"following the data rows \xC2\xB7 failing: never passed");
}

static void failures_text(html *h, node td, const tw_touchpoint_metrics *t)
{
	tw_page_add_text(h, td, tw_page_fmt(h, "%llu", (unsigned long long)(t ? t->failed : 0)));
	if (t && t->failed) {
		node s = tw_page_el(h, td, "div", "small muted");
		bool first = true;
		for (int k = 0; k < TW_CAUSE_COUNT; k++)
			if (t->failures[k]) {
				tw_page_add_text(h, s,
						 tw_page_fmt(h, "%s%llu %s", first ? "" : ", ",
							     (unsigned long long)t->failures[k],
							     tw_cause_words((tw_cause)k, t->failures[k])));
				first = false;
			}
	}
	/* Not failures either: `retry N every D` asked again until its
	 * expectations held (issue 12). */
	if (t && t->polls)
		tw_page_el_text(h, td, "div", "small muted",
				tw_page_fmt(h, "%llu %s", (unsigned long long)t->polls,
					    tw_page_plural(t->polls, "poll", "polls")));
	/* Not failures: techweek could not go on there. */
	if (t && t->limited)
		tw_page_el_text(h, td, "div", "small muted",
				tw_page_fmt(h, "%llu at techweek's limit",
					    (unsigned long long)t->limited));
}

/* issue 13, FLOW: whether the scene's `when` left it out of every
 * performance (of the shown one, without figures): then what was not
 * performed reads "not run", not "not reached". */
static bool scene_left_out(const tw_plan_scene *scene, const tw_rehearsal_metrics *m, size_t si,
			   const tw_scene_result *shown)
{
	if (!scene->when)
		return false;
	if (m && si < m->scene_count) {
		const tw_scene_metrics *sm = &m->scenes[si];
		return sm->not_run > 0 && sm->passed + sm->failed + sm->skipped == 0;
	}
	return shown && shown->not_run;
}

static void health_or_not_run(html *h, node parent, health x, bool left_out)
{
	if (x != H_NONE || !left_out) {
		health_badge(h, parent, x);
		return;
	}
	node s = tw_page_el(h, parent, "span", NULL);
	tw_page_attr(h, s, "class", tw_page_fmt(h, "health %s", badge_class(H_NONE)));
	tw_page_add_text(h, s, tw_page_fmt(h, "%s not run", health_symbol(H_NONE)));
}

/* issue 13, FLOW: a scene's `when`, and the performances it left the
 * scene out of (not failures, not scenes unreached). */
static void write_scene_flow(html *h, node li, const tw_plan_scene *scene,
			     const tw_rehearsal_metrics *m, size_t si, const tw_scene_result *shown)
{
	if (!scene->when)
		return;
	uint64_t not_run = m && si < m->scene_count ? m->scenes[si].not_run : 0;
	node p = tw_page_el(h, li, "div", "small muted");
	tw_page_add_text(h, p, "runs when ");
	add_text_max(h, tw_page_el(h, p, "code", NULL), scene->when, NAME_MAX_CHARS, true);
	if (not_run)
		tw_page_add_text(h, p, tw_page_fmt(h, "; not run in %llu %s",
						   (unsigned long long)not_run,
						   tw_page_plural(not_run, "performance",
								  "performances")));
	if (shown && shown->not_run) {
		tw_page_add_text(h, p, "; not run in the performance shown: ");
		add_text_max(h, p, shown->not_run, NAME_MAX_CHARS, true);
	}
}

static void write_scene(html *h, node ol, size_t ri, size_t si)
{
	const tw_rehearsal_result *r = &h->run->rehearsals[ri];
	const tw_plan_scene *scene = &r->plan->scenes[si];
	const tw_scene_result *shown = si < r->scene_count ? &r->scenes[si] : NULL;
	const tw_rehearsal_metrics *m = tw_page_metrics_of(h, ri);
	const tw_rehearsal_score *rs = tw_page_score_of(h, ri);

	health worst = H_NONE;
	for (size_t j = 0; j < scene->touchpoint_count; j++) {
		const tw_step_result *st = shown && j < tw_scene_result_steps(shown) ? &shown->steps[j]
										    : NULL;
		health x =
			touchpoint_health(touchpoint_of(m, si, j), tw_page_apdex_of(rs, si, j), st,
					  r->data_row > 0);
		if (x > worst)
			worst = x;
	}

	node li = tw_page_el(h, ol, "li", health_class(worst));
	node head = tw_page_el(h, li, "div", "scene-head");
	tw_page_el_text(h, head, "h4", NULL, tw_page_fmt(h, "Scene %zu", si + 1));
	node name = tw_page_el(h, head, "strong", NULL);
	add_text_max(h, name, scene_name(scene), NAME_MAX_CHARS, true);
	tw_page_el_text(h, head, "span", "tag",
			scene->channel == TW_CHANNEL_IVR ? "phone (ivr)" : "web");
	if (scene->backstage)
		tw_page_el_text(h, head, "span", "tag", "backstage: the customer never sees it");
	bool left_out = scene_left_out(scene, m, si, shown); /* issue 13, FLOW */
	health_or_not_run(h, head, worst, left_out);
	if (m && si < m->scene_count)
		tw_page_el_text(h, head, "span", "small muted",
				tw_page_fmt(h, "%llu passed, %llu failed, %llu not reached",
					    (unsigned long long)m->scenes[si].passed,
					    (unsigned long long)m->scenes[si].failed,
					    (unsigned long long)m->scenes[si].skipped));
	write_scene_flow(h, li, scene, m, si, shown); /* issue 13, FLOW */

	if (scene->touchpoint_count == 0)
		return;
	node table = tw_page_el(h, li, "table", "steps");
	node tr = tw_page_el(h, tw_page_el(h, table, "thead", NULL), "tr", NULL);
	tw_page_el_text(h, tr, "th", "num", "Line");
	tw_page_el_text(h, tr, "th", NULL, "Touchpoint");
	tw_page_el_text(h, tr, "th", NULL, "Health");
	tw_page_el_text(h, tr, "th", "num", "Apdex");
	tw_page_el_text(h, tr, "th", "num", "p50");
	tw_page_el_text(h, tr, "th", "num", "p95");
	tw_page_el_text(h, tr, "th", "num", "Performed");
	tw_page_el_text(h, tr, "th", "num", "Failed");
	node tb = tw_page_el(h, table, "tbody", NULL);
	for (size_t j = 0; j < scene->touchpoint_count; j++) {
		const tw_touchpoint *step = &scene->touchpoints[j];
		const tw_touchpoint_metrics *t = touchpoint_of(m, si, j);
		const tw_touchpoint_score *ap = tw_page_apdex_of(rs, si, j);
		const tw_step_result *st = shown && j < tw_scene_result_steps(shown) ? &shown->steps[j]
										    : NULL;
		health x = touchpoint_health(t, ap, st, r->data_row > 0);
		tr = tw_page_el(h, tb, "tr", NULL);
		tw_page_attr(h, tr, "class", tw_page_fmt(h, "tp %s", health_class(x)));
		const char *at = tw_touchpoint_elsewhere(r->plan, step); /* issue 13, USE */
		tw_page_el_text(h, tr, "td", "num", tw_page_fmt(h, "%d", step->line));
		/* A used step's file goes above its code, where a long path can
		 * wrap: the line column stays narrow on a phone. */
		node code_td = tw_page_el(h, tr, "td", NULL);
		if (at)
			tw_page_el_text(h, code_td, "div", "from", tw_page_fmt(h, "in %s", at));
		tw_page_el_text(h, code_td, "code", NULL, tw_page_step_source(step));
		/* issue 14, F4: what the shown performance's step did besides
		 * (a handler's answer, "not heard"), where the step is read */
		if (st && st->note && !tw_status_is_problem(st->status))
			add_text_max(h, tw_page_el(h, code_td, "div", "small muted note"),
				     tw_page_fmt(h, "note: %s", st->note), 200, true);
		health_or_not_run(h, tw_page_el(h, tr, "td", NULL), x, left_out);
		if (ap) {
			char tms[48], apdex[TW_FLOOR_SHOWN_SIZE];
			tw_page_fmt_ms(tms, sizeof(tms), ap->t_ms);
			/* Rounded down, as every figure shown: 0.849 is fair, not a "0.85". */
			node td = tw_page_el_text(h, tr, "td", "num",
						  tw_floor_shown(apdex, sizeof(apdex), ap->apdex, 2));
			tw_page_el_text(h, td, "div", "small muted", tw_page_fmt(h, "T %s", tms));
			if (ap->satisfied + ap->tolerating + ap->frustrated > 0) {
				/* The Apdex's frustrated are its failures and those
				 * answered after 4T: a failure is no wait, so apart.
				 * Estimates, rounded down as every figure shown. */
				char ok[TW_FLOOR_SHOWN_SIZE], slow[TW_FLOOR_SHOWN_SIZE],
					too_slow[TW_FLOOR_SHOWN_SIZE];
				double late = ap->frustrated - (double)ap->failed;
				tw_page_el_text(
					h, td, "div", "small muted",
					tw_page_fmt(
						h,
						"%s ok \xC2\xB7 %s slow \xC2\xB7 %s too slow \xC2\xB7 "
						"%llu failed",
						tw_floor_shown(ok, sizeof(ok), ap->satisfied, 0),
						tw_floor_shown(slow, sizeof(slow), ap->tolerating, 0),
						tw_floor_shown(too_slow, sizeof(too_slow),
							       late > 0 ? late : 0, 0),
						(unsigned long long)ap->failed));
			}
		} else {
			tw_page_el_text(h, tr, "td", "num", "\xE2\x80\x94");
		}
		bool timed = tw_page_step_timed(step, ap);
		if (timed && t && t->latency && tw_histogram_count(t->latency)) {
			char p50[48], p95[48];
			tw_page_fmt_ms(p50, sizeof(p50), tw_histogram_percentile(t->latency, 50));
			tw_page_fmt_ms(p95, sizeof(p95), tw_histogram_percentile(t->latency, 95));
			tw_page_el_text(h, tr, "td", "num", p50);
			tw_page_el_text(h, tr, "td", "num", p95);
		} else if (timed && !t && st && st->status != TW_STATUS_SKIPPED) {
			char ms[48];
			tw_page_fmt_ms(ms, sizeof(ms), st->elapsed_ms);
			tw_page_el_text(h, tr, "td", "num", ms);
			tw_page_el_text(h, tr, "td", "num", ms);
		} else {
			tw_page_el_text(h, tr, "td", "num", "\xE2\x80\x94");
			tw_page_el_text(h, tr, "td", "num", "\xE2\x80\x94");
		}
		if (t) {
			tw_page_el_text(h, tr, "td", "num",
					tw_page_fmt(h, "%llu", (unsigned long long)t->count));
			failures_text(h, tw_page_el(h, tr, "td", "num"), t);
		} else {
			bool ran = st && st->status != TW_STATUS_SKIPPED;
			tw_page_el_text(h, tr, "td", "num", ran ? "1" : "0");
			node failed_td = tw_page_el_text(h, tr, "td", "num",
					st && tw_status_is_problem(st->status) ? "1" : "0");
			/* issue 12: a pass after polls is a pass; the polls show */
			if (st && st->polls)
				tw_page_el_text(h, failed_td, "div", "small muted",
						tw_page_fmt(h, "%d %s", st->polls,
							    tw_page_plural((uint64_t)st->polls, "poll",
									   "polls")));
		}
	}
	label_cells(h, table);
}

static void write_journey(html *h, node parent, size_t i)
{
	const tw_rehearsal_result *r = &h->run->rehearsals[i];
	if (!r->plan || r->plan->scene_count == 0)
		return;
	tw_page_el_text(h, parent, "h3", NULL, "The journey");
	write_legend(h, parent);
	node ol = tw_page_el(h, parent, "ol", "journey");
	for (size_t s = 0; s < r->plan->scene_count; s++)
		write_scene(h, ol, i, s);
}

/* ---- a failing performance ---- */

/* The requests the step made, as a term and its description in dl: each
 * hop of its chain, its method, URL (a line of its own on a phone) and
 * status. */
static void write_request_chain(html *h, node dl, const tw_step_result *st)
{
	if (!st->method && !st->url)
		return;
	size_t hops = tw_step_result_hop_count(st);
	tw_page_el_text(h, dl, "dt", NULL, hops > 1 ? "Requests" : "Response");
	node dd = tw_page_el(h, dl, "dd", "mono chain");
	/* One hop a line, each led to by the one above it, but a poll's
	 * first ("poll 1: HTTP 503 from GET URL"). */
	tw_hop hop = TW_HOP_INIT;
	for (size_t i = 0; i < hops; i++) {
		int poll = hop.poll;
		tw_step_result_hop(&hop, st, i);
		if (i)
			tw_page_el(h, dd, "br", NULL);
		if (hop.left_out) {
			tw_page_add_text(h, dd,
					 tw_page_fmt(h, "\xE2\x80\xA6 %llu more %s",
						     (unsigned long long)hop.left_out,
						     tw_page_plural(hop.left_out, "request", "requests")));
			tw_page_el(h, dd, "br", NULL);
		}
		if (i && hop.poll != poll)
			tw_page_add_text(h, dd, tw_page_fmt(h, "poll %d: ", hop.poll));
		else if (i)
			tw_page_add_text(h, dd, "\xE2\x86\x92 "); /* → */
		if (hop.status)
			tw_page_add_text(h, dd, tw_page_fmt(h, "HTTP %ld from ", hop.status));
		else
			tw_page_add_text(h, dd, "no response to ");
		tw_page_add_text(h, dd, tw_page_fmt(h, "%s ", hop.method));
		tw_page_el_text(h, dd, "span", "url", hop.url);
	}
}

static void write_failed_step(html *h, node parent, const tw_scene_result *sc,
			      const tw_step_result *st)
{
	node box = tw_page_el(h, parent, "div", "failed-step");
	node p = tw_page_el(h, box, "p", NULL);
	tw_page_el_text(h, p, "strong", NULL,
			tw_page_fmt(h, "%s %s at line %d", status_symbol(st->status),
				    status_words(st->status), tw_step_result_line(st)));
	tw_page_add_text(h, p, " in scene ");
	add_text_max(h, p, scene_name(sc->scene), NAME_MAX_CHARS, true);
	tw_page_add_text(h, p, ": ");
	tw_page_el_text(h, p, "code", NULL, tw_step_result_source(st));
	if (st->message)
		tw_page_el_text(h, box, "p", "message", st->message);
	if (st->expected || st->actual || st->url) {
		node dl = tw_page_el(h, box, "dl", "ev");
		if (st->expected) {
			tw_page_el_text(h, dl, "dt", NULL, "Expected");
			el_pre(h, tw_page_el(h, dl, "dd", NULL), st->expected, EXCERPT_MAX_CHARS);
		}
		if (st->actual) {
			tw_page_el_text(h, dl, "dt", NULL, "Actual");
			el_pre(h, tw_page_el(h, dl, "dd", NULL), st->actual, EXCERPT_MAX_CHARS);
		}
		write_request_chain(h, dl, st);
	}
}

/* A hop's method, URL and status cells; a hop after the first is led to
 * by the one above it. */
/* next: the hop after the one before; poll: it starts a poll's try. */
static void write_hop_cells(html *h, node tr, const tw_hop *hop, bool next, bool poll)
{
	tw_page_el_text(h, tr, "td", "mono",
			poll   ? tw_page_fmt(h, "poll %d: %s", hop->poll, hop->method)
			: next ? tw_page_fmt(h, "\xE2\x86\x92 %s", hop->method)
			       : hop->method);
	tw_page_el_text(h, tr, "td", "url mono", hop->url);
	tw_page_el_text(h, tr, "td", "num",
			hop->status ? tw_page_fmt(h, "%ld", hop->status) : "no response");
}

static void write_pages(html *h, node parent, const tw_rehearsal_result *r)
{
	size_t rows = 0;
	for (size_t s = 0; s < r->scene_count; s++)
		for (size_t j = 0; j < tw_scene_result_steps(&r->scenes[s]); j++) {
			const tw_step_result *st = &r->scenes[s].steps[j];
			rows += (st->method || st->url) && st->requested;
		}
	if (!rows)
		return;
	tw_page_el_text(h, parent, "h4", NULL, "Pages and requests, in order");
	node table = tw_page_el(h, parent, "table", "pages");
	node tr = tw_page_el(h, tw_page_el(h, table, "thead", NULL), "tr", NULL);
	tw_page_el_text(h, tr, "th", "num", "#");
	tw_page_el_text(h, tr, "th", NULL, "Scene");
	tw_page_el_text(h, tr, "th", "num", "Line");
	tw_page_el_text(h, tr, "th", NULL, "Method");
	tw_page_el_text(h, tr, "th", NULL, "URL");
	tw_page_el_text(h, tr, "th", "num", "Status");
	tw_page_el_text(h, tr, "th", "num", "Time");
	tw_page_el_text(h, tr, "th", NULL, "Result");
	node tb = tw_page_el(h, table, "tbody", NULL);
	size_t k = 0;
	for (size_t s = 0; s < r->scene_count; s++) {
		const tw_scene_result *sc = &r->scenes[s];
		for (size_t j = 0; j < tw_scene_result_steps(sc); j++) {
			const tw_step_result *st = &sc->steps[j];
			if (!((st->method || st->url) && st->requested))
				continue;
			/* A row per hop of the step's request chain: the step's
			 * cells span them, each hop after the first reads
			 * "→ GET". */
			size_t hops = tw_step_result_hop_count(st);
			tw_hop hop = TW_HOP_INIT;
			tw_step_result_hop(&hop, st, 0);
			const char *span = tw_page_fmt(h, "%zu", hops + (st->hops_left_out > 0));
			tr = tw_page_el(h, tb, "tr", NULL);
			node td = tw_page_el_text(h, tr, "td", "num", tw_page_fmt(h, "%zu", ++k));
			if (hops > 1)
				tw_page_attr(h, td, "rowspan", span);
			td = tw_page_el(h, tr, "td", NULL);
			if (hops > 1)
				tw_page_attr(h, td, "rowspan", span);
			add_text_max(h, td, scene_name(sc->scene), 80, true);
			td = tw_page_el_text(h, tr, "td", "num",
					     tw_page_fmt(h, "%d", tw_step_result_line(st)));
			if (hops > 1)
				tw_page_attr(h, td, "rowspan", span);
			write_hop_cells(h, tr, &hop, false, false);
			char ms[48];
			tw_page_fmt_ms(ms, sizeof(ms), st->elapsed_ms);
			td = tw_page_el_text(h, tr, "td", "num", ms);
			if (hops > 1)
				tw_page_attr(h, td, "rowspan", span);
			node res = tw_page_el(h, tr, "td", NULL);
			if (hops > 1)
				tw_page_attr(h, res, "rowspan", span);
			/* The request's own step: did the page come back? */
			health x = tw_status_is_problem(st->status) ? H_FAILING
				   : st->status == TW_STATUS_SKIPPED ? H_NONE
								     : H_GOOD;
			node b = tw_page_el(h, res, "span", NULL);
			tw_page_attr(h, b, "class", tw_page_fmt(h, "health %s", badge_class(x)));
			tw_page_add_text(h, b,
					 tw_page_fmt(h, "%s %s", status_symbol(st->status),
						     status_words(st->status)));
			if (st->polls)
				tw_page_el_text(h, res, "div", "small muted",
						tw_page_fmt(h, "after %d %s", st->polls,
							    tw_page_plural((uint64_t)st->polls, "poll",
									   "polls")));
			if (st->note)
				add_text_max(h, tw_page_el(h, res, "div", "small muted"), st->note,
					     200, true);
			for (size_t i = 1; i < hops; i++) {
				int poll = hop.poll;
				tw_step_result_hop(&hop, st, i);
				if (hop.left_out) {
					tr = tw_page_el(h, tb, "tr", "hop");
					td = tw_page_el_text(
						h, tr, "td", NULL,
						tw_page_fmt(h, "\xE2\x80\xA6 %llu more %s",
							    (unsigned long long)hop.left_out,
							    tw_page_plural(hop.left_out, "request",
									   "requests")));
					tw_page_attr(h, td, "colspan", "3");
				}
				write_hop_cells(h, tw_page_el(h, tb, "tr", "hop"), &hop, true,
						hop.poll != poll);
			}
		}
	}
	label_cells(h, table);
}

static void write_transcripts(html *h, node parent, const tw_rehearsal_result *r)
{
	for (size_t s = 0; s < r->scene_count; s++) {
		const tw_scene_result *sc = &r->scenes[s];
		if (!sc->transcript || !*sc->transcript)
			continue;
		node h4 = tw_page_el(h, parent, "h4", NULL);
		tw_page_add_text(h, h4, "The call in scene ");
		add_text_max(h, h4, scene_name(sc->scene), NAME_MAX_CHARS, true);
		tw_page_add_text(h, h4, ": what the caller heard and pressed");
		node pre = el_pre(h, parent, sc->transcript, TRANSCRIPT_MAX_CHARS);
		tw_page_attr(h, pre, "class", "transcript");
		tw_page_attr(h, pre, "aria-label", "call transcript, times on the call clock");
	}
}

static void write_problem(html *h, node parent, size_t i)
{
	const tw_rehearsal_result *r = &h->run->rehearsals[i];
	bool limited = r->status == TW_STATUS_LIMITED;
	if (!tw_status_is_problem(r->status) && !limited)
		return;
	const tw_rehearsal_metrics *m = tw_page_metrics_of(h, i);
	node box = tw_page_el(h, parent, "div", "problem");
	tw_page_attr(h, box, "id", tw_page_fmt(h, "r%zu-evidence", i)); /* the top's link */
	tw_page_el_text(
		h, box, "h3", NULL,
		tw_page_fmt(h, "%s %s", status_symbol(r->status),
			    limited ? "Where techweek reached its limit (not the service's fault)"
				    : "What went wrong"));
	if (m && m->performances + m->limited > 1)
		tw_page_el_text(
			h, box, "p", "small muted",
			limited ? "The performance shown is the first that techweek could not "
				  "rehearse to the end."
				: "The performance shown is the first that did not achieve the outcome.");

	size_t shown = 0;
	for (size_t s = 0; s < r->scene_count; s++) {
		const tw_scene_result *sc = &r->scenes[s];
		for (size_t j = 0; j < tw_scene_result_steps(sc); j++)
			if (tw_status_is_problem(sc->steps[j].status) ||
			    sc->steps[j].status == TW_STATUS_LIMITED) {
				write_failed_step(h, box, sc, &sc->steps[j]);
				shown++;
			}
	}
	if (!shown) {
		/* It stopped before any step could say why. */
		char *formatted = NULL;
		if (r->problem.code != TW_OK || r->problem.message) {
			formatted = tw_error_format(&r->problem);
			if (!formatted)
				tw_page_fail(h, TW_ENOMEM);
		}
		el_pre(h, box,
		       formatted ? formatted
				 : tw_page_fmt(h, "The rehearsal %s before any scene ran.",
					       status_words(r->status)),
		       EXCERPT_MAX_CHARS);
		free(formatted);
	}
	write_pages(h, box, r);
	write_transcripts(h, box, r);
}

static void write_rehearsal(html *h, node parent, size_t i)
{
	const tw_rehearsal_result *r = &h->run->rehearsals[i];
	node sec = tw_page_el(h, parent, "section", "rehearsal");
	tw_page_attr(h, sec, "id", tw_page_fmt(h, "r%zu", i));
	node h2 = tw_page_el(h, sec, "h2", NULL);
	node st = tw_page_el(h, h2, "span", NULL);
	tw_page_attr(h, st, "class",
		     tw_page_fmt(h, "status health %s",
				 r->status == TW_STATUS_PASSED    ? "b-good"
				 : r->status == TW_STATUS_SKIPPED ? "b-none"
				 : r->status == TW_STATUS_LIMITED ? "b-fair"
				 : met_despite(h, i)              ? "b-flaky"
								  : "b-failing"));
	tw_page_add_text(h, st,
			 met_despite(h, i)
				 ? TW_SYMBOL_MET_DESPITE " met despite failures"
				 : tw_page_fmt(h, "%s %s", status_symbol(r->status),
					       status_words(r->status)));
	tw_page_add_text(h, h2, " ");
	add_rehearsal_name(h, h2, i, NAME_MAX_CHARS);
	node meta = tw_page_el(h, sec, "p", "small muted");
	tw_page_add_text(h, meta, str_or(r->path, ""));
	if (r->plan && r->plan->tag_count) {
		for (size_t k = 0; k < r->plan->tag_count; k++) {
			tw_page_add_text(h, meta, " ");
			tw_page_el_text(h, meta, "span", "tag", str_or(r->plan->tags[k], ""));
		}
	}
	if (r->plan && r->plan->outcome) {
		node p = tw_page_el(h, sec, "p", NULL);
		tw_page_el_text(h, p, "strong", NULL, "Outcome: ");
		add_text_max(h, p, r->plan->outcome, NAME_MAX_CHARS, true);
	}
	write_outcome_figures(h, sec, i);
	write_parts(h, sec, tw_page_score_of(h, i));
	write_losses(h, sec, i);
	write_baseline(h, sec, i);
	write_problem(h, sec, i);
	write_journey(h, sec, i);
	tw_page_chart(h, sec, i);
}

/* ---- the document ---- */

static void meta(html *h, node head, const char *name, const char *value, const char *content)
{
	node m = tw_page_el(h, head, "meta", NULL);
	tw_page_attr(h, m, name, value);
	tw_page_attr(h, m, "content", content);
}

static void write_document(html *h)
{
	const tw_run *run = h->run;
	node root = xmlNewDocNode(h->doc, NULL, BAD_CAST "html", NULL);
	if (!root || !xmlCreateIntSubset(h->doc, BAD_CAST "html", NULL, NULL)) {
		xmlFreeNode(root);
		tw_page_fail(h, TW_ENOMEM);
		return;
	}
	xmlDocSetRootElement(h->doc, root);
	tw_page_attr(h, root, "lang", "en");

	node head = tw_page_el(h, root, "head", NULL);
	/* libxml2 serialises in the charset this names (raw UTF-8). */
	meta(h, head, "http-equiv", "Content-Type", "text/html; charset=utf-8");
	meta(h, head, "name", "viewport", "width=device-width, initial-scale=1");
	meta(h, head, "name", "generator", "techweek " TW_VERSION);
	const char *title;
	char num[TW_SCORE_SHOWN_SIZE];
	if (h->score && h->score->weakest < h->score->count)
		title = tw_page_fmt(h, "Readiness %s/100 \xE2\x80\x94 %s \xC2\xB7 techweek",
				    tw_score_shown(num, sizeof(num), h->score->score),
				    tw_verdict_title(h->score->verdict));
	else if (h->score)
		title = tw_page_fmt(h, "Readiness not scored \xE2\x80\x94 %s \xC2\xB7 techweek",
				    tw_verdict_title(h->score->verdict));
	else
		title = "Rehearsal report \xC2\xB7 techweek";
	tw_page_el_text(h, head, "title", NULL, title);
	node style = tw_page_el(h, head, "style", NULL);
	add_text_max(h, style, css, sizeof(css), false);

	node body = tw_page_el(h, root, "body", NULL);
	node header = tw_page_el(h, body, "header", "wrap");
	tw_page_el_text(h, header, "h1", NULL,
			h->score ? "Curtain-up readiness report" : "Rehearsal report");
	/* Failing journeys first, everywhere: the top, the contents, the
	 * sections. */
	size_t *order = journey_order(h);
	node top = tw_page_el(h, header, "div", "top");
	if (h->score)
		write_readiness(h, top, order);
	else
		write_attention(h, tw_page_el(h, top, "section", "card"), order);
	write_run(h, top);

	node content = tw_page_el(h, body, "main", "wrap");
	write_toc(h, content, order);
	if (run->count == 0)
		tw_page_el_text(h, content, "p", NULL, "No rehearsal was run.");
	for (size_t k = 0; order && k < run->count; k++)
		write_rehearsal(h, content, order[k]);
	free(order);

	node foot = tw_page_el(h, body, "footer", "wrap");
	tw_page_add_text(
		h, foot,
		tw_page_fmt(h,
			    "Written by techweek %s. Times are wall-clock; percentiles come from "
			    "histograms accurate to within 1%%. Call times are on the call clock.",
			    TW_VERSION));
}

int tw_report_html_render(const tw_run *run, const tw_run_score *score, tw_buf *out,
			  tw_error *err)
{
	tw_buf_init(out, SIZE_MAX / 2); /* bounded by TEXT_MAX already */
	if (!run)
		return tw_error_set(err, TW_EUSAGE, "tw_report_html_render needs a run");

	html h = {.run = run, .score = score};
	tw_buf_init(&h.clean, TEXT_MAX);
	for (int k = 0; k < FMT_RING; k++)
		tw_buf_init(&h.text[k], TEXT_MAX);
	/* libxml2 drops what it cannot allocate (a node's escaped text, the
	 * dump's buffer) and records the failure only as the thread's last
	 * error: read it after; building in memory, any error is out of
	 * memory. */
	xmlResetLastError();
	h.doc = htmlNewDocNoDtD(NULL, NULL);
	if (!h.doc)
		h.rc = TW_ENOMEM;
	else
		write_document(&h);

	xmlChar *mem = NULL;
	int size = 0;
	if (!h.rc) {
		htmlDocDumpMemoryFormat(h.doc, &mem, &size, 1);
		const xmlError *lost = xmlGetLastError();
		if (!mem || size <= 0 || (lost && lost->level >= XML_ERR_ERROR))
			h.rc = TW_ENOMEM;
	}
	tw_buf_free(&h.clean);
	for (int k = 0; k < FMT_RING; k++)
		tw_buf_free(&h.text[k]);
	if (h.doc)
		xmlFreeDoc(h.doc);
	if (!h.rc)
		h.rc = tw_buf_append(out, mem, (size_t)size);
	xmlFree(mem);

	if (h.rc == TW_ELIMIT)
		return tw_error_set(err, h.rc, "the HTML report grew past %zu bytes of text",
				    TEXT_MAX);
	if (h.rc)
		return tw_error_set(err, h.rc, "out of memory building the HTML report");
	return TW_OK;
}

int tw_report_html(const tw_run *run, const tw_run_score *score, const char *path, tw_error *err)
{
	return tw_report_write(tw_report_html_render, "tw_report_html", run, score, path, err);
}
