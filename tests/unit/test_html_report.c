/*
 * The HTML readiness report (reports/html.c) as a product owner's browser
 * reads it: every report written here is parsed back with libxml2's HTML
 * parser and checked for the score and verdict, the losses, the journey,
 * the chart and a failing performance's details; for hostile text shown as
 * text (never markup); for valid UTF-8; for nothing fetched from anywhere
 * (no script, no external src/href, no CSS url()); and for a write failure
 * that names the path. The score is built by hand so this test does not
 * depend on how readiness/score.c computes it.
 *
 * tests/integration/html_report.sh renders a real report in Chromium.
 */
#define _GNU_SOURCE /* strcasestr */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/utf8.h"
#include "reports/html.h"
#include "reports_fixture.h"
#define REPORT_FILE "readiness.html"
#include "report_files.h"

#define HOSTILE "<script>alert('owned')</script> & <img src=\"http://evil.example/x.png\">"

/* ---- a score, by hand ---- */

static char *dup_or_die(const char *s)
{
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

/* A score for fx_full's run: 72.96, NOT READY (gate set), four losses, the
 * first rehearsal's timed touchpoints with their Apdex. */
static tw_run_score *make_score(const tw_run *run)
{
	tw_run_score *sc = calloc(1, sizeof(*sc));
	assert_non_null(sc);
	sc->run = run;
	sc->score = 72.96; /* shown rounded down to one decimal: 72.9 */
	sc->gate_set = true;
	sc->gate = 80;
	sc->capped = true;
	sc->gate_held = false;
	sc->below_gate = true;
	sc->verdict = TW_VERDICT_NOT_READY;
	for (int p = 0; p < TW_PART_COUNT; p++)
		sc->weight[p] = 0.25;
	sc->count = run->count;
	sc->rehearsals = calloc(run->count ? run->count : 1, sizeof(*sc->rehearsals));
	assert_non_null(sc->rehearsals);
	for (size_t i = 0; i < run->count; i++) {
		tw_rehearsal_score *rs = &sc->rehearsals[i];
		rs->minimum = -1;
		rs->scored = run->rehearsals[i].status != TW_STATUS_BROKEN;
		rs->counted = true;
		rs->irregular = 1;
		rs->steps_mean = 3;
		rs->budget_steps = 10;
		rs->budget_ms = 90000;
		rs->time_p90_ms = 810;
		rs->score = run->rehearsals[i].status == TW_STATUS_PASSED ? 97.96 : 20;
		rs->capped = run->rehearsals[i].status != TW_STATUS_PASSED;
		for (int p = 0; p < TW_PART_COUNT; p++)
			rs->part[p] = rs->capped ? 0.25 * p : 0.9 + 0.02 * p;
	}
	/* The passed rehearsal: its visit and its API call, each with a T. */
	tw_rehearsal_score *r0 = &sc->rehearsals[0];
	r0->minimum = 99;
	r0->below_minimum = true;
	r0->required = 0.995;
	r0->met = true;
	/* The failing one: short of its rate, but minor. */
	sc->rehearsals[1].required = 0.99;
	sc->rehearsals[1].minor = true;
	r0->touchpoint_count = 2;
	r0->touchpoints = calloc(2, sizeof(*r0->touchpoints));
	assert_non_null(r0->touchpoints);
	r0->touchpoints[0] = (tw_touchpoint_score){
		.scene = 0, .step = 0, .t_ms = 500, .apdex = 0.849, .satisfied = 1};
	r0->touchpoints[1] = (tw_touchpoint_score){
		.scene = 1, .step = 0, .t_ms = 300, .apdex = 0.62, .tolerating = 1};

	static const struct {
		size_t r;
		tw_part part;
		double points;
		const char *why;
	} losses[] = {
		{1, TW_PART_OUTCOME, 12.5, FX_FAILING_NAME ": 1 of 1 performances did not see the order " HOSTILE},
		{3, TW_PART_OUTCOME, 8.25, "nothing answered at 127.0.0.1:9"},
		{0, TW_PART_RESPONSIVENESS, 3.1, "the kitchen API is slow: Apdex 0.62"},
		{2, TW_PART_CONSISTENCY, 0.5, "the fourth loss, not in the top three"},
	};
	sc->loss_count = sizeof(losses) / sizeof(losses[0]);
	sc->losses = calloc(sc->loss_count, sizeof(*sc->losses));
	assert_non_null(sc->losses);
	for (size_t i = 0; i < sc->loss_count; i++) {
		char *why = dup_or_die(losses[i].why);
		/* As readiness/score.c writes it: "NAME: cause". */
		const char *cause = strncmp(why, FX_FAILING_NAME ": ", strlen(FX_FAILING_NAME ": ")) == 0
					    ? why + strlen(FX_FAILING_NAME ": ")
					    : NULL;
		sc->losses[i] = (tw_loss){losses[i].r, losses[i].part, losses[i].points, why, cause,
					  i < 2};
	}
	return sc;
}

static void free_score(tw_run_score *sc)
{
	for (size_t i = 0; i < sc->count; i++)
		free(sc->rehearsals[i].touchpoints);
	for (size_t i = 0; i < sc->loss_count; i++)
		free(sc->losses[i].why);
	free(sc->rehearsals);
	free(sc->losses);
	free(sc);
}

/* ---- reading the report back ---- */

static char *slurp(const char *path, size_t *len)
{
	char *data = NULL;
	tw_error err = {0};
	if (tw_read_file(path, (size_t)64 << 20, &data, len, &err) != TW_OK)
		fail_msg("cannot read %s: %s", path, err.message ? err.message : "?");
	return data;
}

static htmlDocPtr load(const char *path)
{
	htmlDocPtr doc = htmlReadFile(path, "UTF-8",
				      HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
	assert_non_null(doc);
	return doc;
}

#define assert_xp_some(doc, expr)                                                                  \
	do {                                                                                       \
		if (xp_num(doc, "count(" expr ")") < 1)                                            \
			fail_msg("nothing matches %s", expr);                                      \
	} while (0)

/* Every byte of the file is well-formed UTF-8. */
static void assert_utf8(const char *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t at = 0;
	while (at < len) {
		uint32_t c;
		size_t n = tw_utf8_decode(p + at, len - at, &c);
		if (n == 0)
			fail_msg("byte %zu (0x%02x) is not UTF-8", at, p[at]);
		if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
			fail_msg("control character 0x%02x at byte %zu", c, at);
		at += n;
	}
}

/* Self-contained: nothing the browser would fetch, nothing it would run. */
static void assert_self_contained(htmlDocPtr doc, const char *data)
{
	assert_xp_count(doc, "//script", 0);
	assert_xp_count(doc, "//link | //img | //iframe | //object | //embed | //audio | //video", 0);
	assert_xp_count(doc, "//@*[starts-with(name(), 'on')]", 0);
	/* Every reference is to a place in the page itself. */
	assert_xp_count(doc, "//@src | //@srcset | //@action | //@data | //@poster", 0);
	assert_xp_count(doc, "//@*[contains(name(), 'href')][not(starts-with(., '#'))]", 0);
	char *style = xp(doc, "//head/style");
	assert_true(strlen(style) > 100);
	assert_null(strstr(style, "url("));
	assert_null(strstr(style, "@import"));
	assert_null(strstr(style, "@font-face"));
	free(style);
	/* And the raw bytes agree: no script tag survived as markup. */
	assert_null(strcasestr(data, "<script"));
	/* (an escaped "src=" in a message is text, checked above as attributes) */
}

/* A failing scene's call, with hostile prompt text. */
static void add_transcript(fixture *fx)
{
	tw_rehearsal_result *r = &fx->run->rehearsals[1];
	r->scenes[1].transcript = dup_or_die("    0.0s  IVR says \"Welcome " HOSTILE "\"\n"
					     "    1.6s  caller presses 1\n"
					     "    2.0s  IVR says \"Sorry\x1b[31m.\"\n");
	free(r->scenes[1].steps[1].message);
	r->scenes[1].steps[1].message = dup_or_die("expected \"baking\", got " HOSTILE);
}

static htmlDocPtr write_and_load(fixture *fx, const tw_run_score *score, scratch *s, char **data,
				 size_t *len)
{
	scratch_make(s);
	tw_error err = {0};
	int rc = tw_report_html(fx->run, score, s->path, &err);
	if (rc != TW_OK)
		fail_msg("tw_report_html: %s", err.message ? err.message : "?");
	*data = slurp(s->path, len);
	assert_utf8(*data, *len);
	htmlDocPtr doc = load(s->path);
	assert_self_contained(doc, *data);
	return doc;
}

/* ---- tests ---- */

/* A step's request chain: a row per hop in the requests table, the step's
 * cells spanning them, each hop after the first "→ GET"; past 32 the ones
 * between the first 31 and the last are one row that counts them. The
 * failed step's response lists the chain too. */
static void test_chain(void **state)
{
	fixture *fx = *state;
	fx_add_chain(fx);
	fx_metrics(fx);
	scratch s;
	char *data = NULL;
	size_t len = 0;
	htmlDocPtr doc = write_and_load(fx, NULL, &s, &data, &len);
	assert_xp_count(doc, "//table[@class='pages']/tbody/tr", 33);
	assert_xp(doc, "//table[@class='pages']/tbody/tr[1]/td[1]/@rowspan", "33");
	assert_xp(doc, "//table[@class='pages']/tbody/tr[1]/td[4]", "POST");
	assert_xp(doc, "//table[@class='pages']/tbody/tr[1]/td[5]", "http://127.0.0.1:8080/a?hop=0");
	assert_xp(doc, "//table[@class='pages']/tbody/tr[1]/td[6]", "303");
	assert_xp(doc, "//table[@class='pages']/tbody/tr[2]/td[1]", "\xE2\x86\x92 GET");
	assert_xp(doc, "//table[@class='pages']/tbody/tr[2]/td[2]", "http://127.0.0.1:8080/a?hop=1");
	assert_xp(doc, "//table[@class='pages']/tbody/tr[32]/td[1]", "\xE2\x80\xA6 8 more requests");
	assert_xp(doc, "//table[@class='pages']/tbody/tr[33]/td[2]", "http://127.0.0.1:8080/a?hop=39");
	assert_xp(doc, "//table[@class='pages']/tbody/tr[33]/td[3]", "500");
	assert_xp_contains(doc, "//div[@class='failed-step']//dd[contains(@class,'chain')]",
			   "HTTP 303 from POST http://127.0.0.1:8080/a?hop=0\xE2\x86\x92 HTTP 303 from GET");
	assert_xp_contains(doc, "//div[@class='failed-step']//dd[contains(@class,'chain')]",
			   "\xE2\x80\xA6 8 more requests\xE2\x86\x92 HTTP 500 from GET "
			   "http://127.0.0.1:8080/a?hop=39");
	xmlFreeDoc(doc);
	free(data);
	scratch_remove(&s);
}

static void test_score_and_verdict(void **state)
{
	fixture *fx = *state;
	fx_full(fx);
	tw_run_score *score = make_score(fx->run);
	scratch s;
	char *data;
	size_t len;
	htmlDocPtr doc = write_and_load(fx, score, &s, &data, &len);

	assert_non_null(strstr(data, "<!DOCTYPE html>"));
	assert_xp(doc, "/html/@lang", "en");
	assert_xp_contains(doc, "//title", "Readiness 72.9/100");
	assert_xp(doc, "//*[@id='score']", "72.9/100");
	assert_xp_contains(doc, "//title", "NOT READY");
	assert_xp_contains(doc, "//*[@id='verdict']", "NOT READY");
	/* Only the three costliest losses at the top, most points first. */
	assert_xp_count(doc, "//*[@id='readiness']//ol[@class='losses']/li", 3);
	assert_xp_contains(doc, "//*[@id='readiness']//ol[@class='losses']/li[1]", "12.5 points");
	assert_xp_contains(doc, "//*[@id='readiness']//ol[@class='losses']/li[2]", "nothing answered");
	/* The name is the link, not repeated in the why. */
	assert_xp(doc, "//*[@id='readiness']//ol[@class='losses']/li[1]/a", FX_FAILING_NAME);
	char *first = xp(doc, "//*[@id='readiness']//ol[@class='losses']/li[1]");
	assert_non_null(strstr(first, "Outcome"));
	assert_null(strstr(strstr(first, FX_FAILING_NAME) + 1, FX_FAILING_NAME));
	free(first);
	assert_xp_count(doc, "//*[@id='readiness']//li[contains(., 'fourth loss')]", 0);
	/* The third is not the run's (in_run false): under its own heading. */
	assert_xp(doc, "//*[@id='readiness']/h4", "Other journeys (not in the run's score)");
	assert_xp_count(doc, "//*[@id='readiness']/h4/following-sibling::ol/li", 1);
	assert_xp_contains(doc, "//*[@id='readiness']/h4/following-sibling::ol/li", "Apdex 0.62");
	/* A loss links to its rehearsal's section. */
	assert_xp(doc, "//*[@id='readiness']//ol[@class='losses']/li[1]/a/@href", "#r1");
	assert_xp_count(doc, "//section[@id='r1']", 1);
	/* Below its minimum, said in words. */
	assert_xp_count(doc, "//*[@id='reasons']/li[contains(., 'scored 97.9, below its minimum of 99')]", 1);
	assert_xp_contains(doc, "//*[@id='readiness']", "The gate is 80: the score is below it.");
	assert_xp_contains(doc, "//*[@id='readiness']", "never achieved its outcome");
	/* Right under the verdict, the journeys to look at: the failing ones
	 * first, each with its cause and a link to its evidence (the step,
	 * expected vs actual); the contents and the sections in that order. */
	assert_xp(doc, "//*[@id='readiness']/*[@id='attention']/preceding-sibling::p[1]/@id", "verdict");
	assert_xp(doc, "//*[@id='attention']//li[1]/a/@href", "#r1-evidence");
	assert_xp_contains(doc, "//*[@id='attention']//li[1]", "failed");
	/* Beside the journey its score, never a sum of its losses that the
	 * losses' own "points" would contradict (issue 11, trial finding 2). */
	assert_xp(doc, "normalize-space(//*[@id='attention']//li[1]/span[@class='pts'])",
		  "scores 20/100");
	assert_xp_count(doc, "//*[@id='attention']//li[contains(., 'points')]", 0);
	assert_xp_count(doc, "//*[@id='attention']//li[not(contains(span[1]/@class, 'b-failing'))]"
			     "/following-sibling::li[contains(span[1]/@class, 'b-failing')]", 0);
	assert_xp_contains(doc, "//*[@id='r1-evidence']//dl", "json $.status == \"baking\"");
	assert_xp(doc, "(//section[@class='rehearsal'])[1]/@id", "r1");
	assert_xp(doc, "(//nav//a)[1]/@href", "#r1");
	assert_xp(doc, "(//section[@class='rehearsal'])[last()]/@id", "r0");
	/* No header a screen reader cannot say (axe-core: empty-table-header);
	 * every body cell has its column's name for the phone layout. */
	assert_xp_count(doc, "//th[normalize-space(.)='']", 0);
	assert_xp(doc, "//section[@id='r1']//table[@class='pages']/tbody/tr[1]/td[5]/@data-label", "URL");
	assert_xp_count(doc, "//table[@class='steps' or @class='pages' or @class='parts']/tbody//td[not(@data-label)]", 0);

	/* The run. */
	assert_xp_contains(doc, "//*[@id='run']", "2024-05-01T02:00:00Z");
	assert_xp_contains(doc, "//*[@id='run']", "ci-runner-1");
	assert_xp_contains(doc, "//*[@id='run']", "a tech run");
	assert_xp_contains(doc, "//*[@id='run']", "1.42 s");

	xmlFreeDoc(doc);
	free(data);
	free_score(score);
	scratch_remove(&s);
}

static void test_rehearsal_sections(void **state)
{
	fixture *fx = *state;
	fx_full(fx);
	tw_run_score *score = make_score(fx->run);
	scratch s;
	char *data;
	size_t len;
	htmlDocPtr doc = write_and_load(fx, score, &s, &data, &len);

	assert_xp_count(doc, "//section[@class='rehearsal']", (long)fx->run->count);
	/* The passed one: outcome rate, score and its four parts. */
	assert_xp_contains(doc, "//section[@id='r0']/h2", "passed");
	assert_xp_contains(doc, "//section[@id='r0']/h2", "Order a pizza online");
	assert_xp_contains(doc, "//section[@id='r0']", "Ada knows when her pizza arrives");
	assert_xp_contains(doc, "//section[@id='r0']//div[@class='figures']", "100%");
	assert_xp_contains(doc, "//section[@id='r0']//div[@class='figures']", "97.9/100");
	assert_xp_contains(doc, "//nav//a[@href='#r0']", " \xC2\xB7 97.9");
	/* The required outcome rate beside the rate reached, met or not. */
	assert_xp_contains(doc, "//section[@id='r0']//div[@class='figures']/div[1]",
			   "\xE2\x9C\x94 required 99.5%");
	assert_xp_contains(doc, "//section[@id='r1']//div[@class='figures']/div[1]",
			   "\xE2\x9C\x98 required 99% \xC2\xB7 minor: it cannot block the launch alone");
	assert_xp_count(doc, "//section[@id='r0']//table[@class='parts']/tbody/tr", 4);
	assert_xp_contains(doc, "//section[@id='r0']//table[@class='parts']/tbody/tr[4]",
			   "3.0 of 10 steps");
	assert_xp(doc, "//section[@id='r0']//table[@class='parts']/tbody/tr[4]/td[4]", "25%");
	assert_xp_contains(doc, "//section[@id='r0']", "Customer effort");
	assert_xp_contains(doc, "//section[@id='r0']//ul[@class='losses']", "Apdex 0.62");

	/* The journey: scenes in order, each touchpoint with health in words. */
	assert_xp_count(doc, "//section[@id='r0']//ol[@class='journey']/li", 2);
	assert_xp_count(doc, "//section[@id='r0']//ol[@class='journey']/li[1]//tr[contains(@class,'tp')]",
			3);
	assert_xp_contains(doc, "//section[@id='r0']//ol[@class='journey']/li[1]//tr[1]/td[2]",
			   "visit {{stage}}/");
	/* Apdex 0.849: fair (below 0.85), and shown rounded down, 0.84: a
	 * rounded "0.85" would read as good's band (issue 11). */
	assert_xp_contains(doc, "//section[@id='r0']//ol[@class='journey']/li[1]//tr[1]/td[3]",
			   "fair");
	assert_xp_contains(doc, "//section[@id='r0']//ol[@class='journey']/li[1]//tr[1]/td[4]",
			   "0.84");
	assert_xp_count(doc,
			"//section[@id='r0']//ol[@class='journey']/li[1]//tr[1]/td[4][contains(., '0.85')]",
			0);
	/* Apdex 0.62: poor, in words and by class. */
	assert_xp_contains(doc, "//section[@id='r0']//ol[@class='journey']/li[2]//tr[1]/td[3]",
			   "poor");
	assert_xp_contains(doc, "//section[@id='r0']//ol[@class='journey']/li[2]/@class", "h-poor");
	assert_xp_contains(doc, "//section[@id='r0']//ol[@class='journey']/li[2]", "backstage");

	/* The chart: an inline SVG with bars, axis labels and a title. */
	assert_xp_count(doc, "//section[@id='r0']//figure//svg", 1);
	assert_xp_some(doc, "//section[@id='r0']//svg//rect");
	assert_xp_contains(doc, "//section[@id='r0']//svg/title", "timings");
	assert_xp_some(doc, "//section[@id='r0']//svg/text[contains(., 'latency')]");
	assert_xp_contains(doc, "//section[@id='r0']//figcaption", "2 timed touchpoints");

	/* The failing one: where, expected vs actual, the pages, the call. */
	assert_xp_contains(doc, "//section[@id='r1']/h2", "failed");
	assert_xp_contains(doc, "//section[@id='r1']//div[@class='problem']", "line 14");
	assert_xp_contains(doc, "//section[@id='r1']//div[@class='problem']//dl",
			   "json $.status == \"baking\"");
	assert_xp_contains(doc, "//section[@id='r1']//div[@class='problem']//dl", "\"status\":\"cold\"");
	assert_xp_count(doc, "//section[@id='r1']//table[@class='pages']/tbody/tr", 2);
	assert_xp_contains(doc, "//section[@id='r1']//table[@class='pages']/tbody/tr[1]",
			   "http://127.0.0.1:8080/api/orders");
	assert_xp_contains(doc, "//section[@id='r1']//table[@class='pages']/tbody/tr[1]", "201");
	assert_xp_contains(doc, "//section[@id='r1']//ol[@class='journey']/li[2]/@class", "h-failing");
	assert_xp_contains(doc, "//section[@id='r1']//ol[@class='journey']/li[3]", "not reached");
	/* The transport failure says there was no response. */
	assert_xp_contains(doc, "//section[@id='r2']//table[@class='pages']", "no response");
	/* Broken and setup problems show the error as techweek renders it. */
	assert_xp_contains(doc, "//section[@id='r4']//div[@class='problem']/pre",
			   "unknown step 'clik'");
	assert_xp_contains(doc, "//section[@id='r5']//div[@class='problem']/pre", "CARD_NUMBER");

	xmlFreeDoc(doc);
	free(data);
	free_score(score);
	scratch_remove(&s);
}

static void test_hostile_text(void **state)
{
	fixture *fx = *state;
	fx_full(fx);
	add_transcript(fx);
	tw_run_score *score = make_score(fx->run);
	scratch s;
	char *data;
	size_t len;
	htmlDocPtr doc = write_and_load(fx, score, &s, &data, &len);

	/* Shown as text, in the loss, the message and the transcript. */
	assert_xp_contains(doc, "//*[@id='readiness']//ol[@class='losses']/li[1]", "<script>alert('owned')</script>");
	assert_xp_contains(doc, "//section[@id='r1']//p[@class='message']",
			   "<script>alert('owned')</script> & <img src=");
	assert_xp_contains(doc, "//section[@id='r1']//pre[@class='transcript']",
			   "IVR says \"Welcome <script>");
	assert_xp_contains(doc, "//section[@id='r1']//pre[@class='transcript']", "caller presses 1");
	/* The name with & < > " ' and non-ASCII, intact. */
	assert_xp_contains(doc, "//section[@id='r1']/h2", FX_FAILING_NAME);
	/* The escape and the broken byte became U+FFFD. */
	assert_xp_contains(doc, "//section[@id='r1']//pre[@class='transcript']",
			   "Sorry\xEF\xBF\xBD[31m.");
	assert_xp_contains(doc, "//section[@id='r1']//dl", "\xEF\xBF\xBD ]]> tail");
	assert_null(strchr(data, '\x1b'));
	assert_null(strstr(data, "<img"));

	/* TW_HTML_KEEP=FILE keeps this report, to look at in a browser. */
	const char *keep = getenv("TW_HTML_KEEP");
	if (keep && *keep) {
		tw_error err = {0};
		assert_int_equal(tw_write_file_atomic(keep, data, len, &err), TW_OK);
	}

	xmlFreeDoc(doc);
	free(data);
	free_score(score);
	scratch_remove(&s);
}

/* No gate and no minimum: still a verdict, and a run in which a journey
 * failed is never called curtain up (issue 9: the title said so). */
static void test_no_gate(void **state)
{
	fixture *fx = *state;
	fx_full(fx);
	tw_run_score *score = make_score(fx->run);
	score->gate_set = false;
	score->gate = -1;
	score->gate_held = true;
	score->score = 20;
	score->rehearsals[0].minimum = -1;
	score->rehearsals[0].below_minimum = false;
	score->verdict = tw_readiness_verdict(fx->run, score);
	assert_int_not_equal(score->verdict, TW_VERDICT_READY);
	scratch s;
	char *data;
	size_t len;
	htmlDocPtr doc = write_and_load(fx, score, &s, &data, &len);
	assert_xp(doc, "//*[@id='score']", "20/100");
	assert_xp_contains(doc, "//title", tw_verdict_title(score->verdict));
	assert_xp_contains(doc, "//*[@id='verdict']", tw_verdict_title(score->verdict));
	assert_xp_count(doc, "//*[contains(translate(., 'CURTAINUP', 'curtainup'), 'curtain up')]", 0);
	/* Said in the product's words, not the option's. */
	assert_xp_contains(doc, "//*[@id='readiness']",
			   "No minimum score was set for this run; READY means every critical "
			   "journey reached its required outcome rate.");
	assert_xp_count(doc, "//*[@id='readiness']//text()[contains(., '--gate')]", 0);
	xmlFreeDoc(doc);
	free(data);
	free_score(score);
	scratch_remove(&s);
}

static void test_without_score(void **state)
{
	fixture *fx = *state;
	fx_full(fx);
	scratch s;
	char *data;
	size_t len;
	htmlDocPtr doc = write_and_load(fx, NULL, &s, &data, &len);

	assert_xp_count(doc, "//*[@id='score']", 0);
	assert_xp_count(doc, "//*[@id='readiness']", 0);
	assert_xp_count(doc, "//table[@class='parts']", 0);
	assert_xp_contains(doc, "//*[@id='run']", "ci-runner-1");
	assert_xp_count(doc, "//section[@class='rehearsal']", (long)fx->run->count);
	assert_xp_some(doc, "//ol[@class='journey']");

	xmlFreeDoc(doc);
	free(data);
	scratch_remove(&s);
}

/* A dress rehearsal: 40 performances of the passed script, every tenth
 * failing its API call: the touchpoint is flaky, the chart has bars. */
static void test_dress_rehearsal(void **state)
{
	fixture *fx = *state;
	fx_add_passed(fx);
	fx->run->opts.performances = 40;
	fx->run->opts.customers = 4;
	fx->run->opts.jobs = 2;
	fx->run->planned = 40;
	fx->run->started = 40;
	fx_metrics(fx);
	tw_rehearsal_metrics *m = &fx->run->metrics[0];
	for (int k = 1; k < 40; k++) {
		tw_rehearsal_result perf;
		fx_perf(fx, &perf, fx->scripts[0], TW_STATUS_PASSED, 700 + k);
		perf.scenes[0].steps[0].elapsed_ms = 20 + k * 7.5;
		perf.scenes[1].steps[0].elapsed_ms = 2 + k % 5;
		if (k % 10 == 0) {
			perf.status = TW_STATUS_FAILED;
			perf.scenes[1].status = TW_STATUS_FAILED;
			perf.scenes[1].steps[0].status = TW_STATUS_FAILED;
			perf.scenes[1].steps[0].message = dup_or_die("HTTP 503");
		}
		assert_int_equal(tw_rehearsal_metrics_add(m, &perf), TW_OK);
		tw_rehearsal_result_free(&perf);
	}
	scratch s;
	char *data;
	size_t len;
	htmlDocPtr doc = write_and_load(fx, NULL, &s, &data, &len);

	assert_xp_contains(doc, "//*[@id='run']", "a dress rehearsal: each rehearsal 40 times, 4 customers");
	assert_xp_contains(doc, "//*[@id='run']", "2 worker threads");
	assert_xp_contains(doc, "//section[@id='r0']//div[@class='figures']", "37 of 40 performances");
	assert_xp_contains(doc, "//section[@id='r0']//ol[@class='journey']/li[2]//tr[1]/td[3]",
			   "flaky");
	assert_xp_contains(doc, "//section[@id='r0']//ol[@class='journey']/li[2]//tr[1]/td[8]",
			   "3 expectations");
	assert_xp_contains(doc, "//section[@id='r0']//ol[@class='journey']/li[1]//tr[1]/td[7]", "40");
	assert_true(xp_num(doc, "count(//section[@id='r0']//svg//rect)") >= 5);
	assert_xp_contains(doc, "//section[@id='r0']//figcaption", "80 timings");
	assert_xp_some(doc, "//section[@id='r0']//svg//text[starts-with(., 'median')]");
	assert_xp_some(doc, "//section[@id='r0']//svg//text[starts-with(., 'p95')]");

	xmlFreeDoc(doc);
	free(data);
	scratch_remove(&s);
}

static void test_empty_run(void **state)
{
	fixture *fx = *state;
	scratch s;
	char *data;
	size_t len;
	htmlDocPtr doc = write_and_load(fx, NULL, &s, &data, &len);
	assert_xp_contains(doc, "//main", "No rehearsal was run.");
	xmlFreeDoc(doc);
	free(data);
	scratch_remove(&s);
}

static void test_write_failure(void **state)
{
	fixture *fx = *state;
	fx_full(fx);
	scratch s;
	scratch_make(&s);
	/* A folder where the report's parent folder should be. */
	char path[200];
	scratch_blocked(&s, path, sizeof(path));

	tw_error err = {0};
	assert_int_equal(tw_report_html(fx->run, NULL, path, &err), TW_EIO);
	char *shown = tw_error_format(&err);
	assert_non_null(shown);
	if (!strstr(shown, path))
		fail_msg("the error does not name %s: %s", path, shown);
	free(shown);
	tw_error_clear(&err);

	/* And no run or path is a usage error. */
	assert_int_equal(tw_report_html(NULL, NULL, path, &err), TW_EUSAGE);
	tw_error_clear(&err);
	assert_int_equal(tw_report_html(fx->run, NULL, "", &err), TW_EUSAGE);
	tw_error_clear(&err);
	scratch_remove(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_score_and_verdict, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rehearsal_sections, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_hostile_text, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_chain, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_no_gate, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_without_score, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_dress_rehearsal, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_empty_run, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_write_failure, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
