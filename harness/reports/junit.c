/*
 * JUnit XML: how CI sees a run. CI servers (Jenkins, GitLab, GitHub
 * actions) understand only tests that pass, fail, error or are skipped, so a
 * rehearsal becomes a <testsuite> and each scene a <testcase>: the scene is
 * the smallest part of a journey a person can name, and a failed scene is
 * what the CI page should show. The exact mapping is in docs/reports.md.
 *
 * How it works: the whole document is built in memory with libxml2's
 * xmlTextWriter (which escapes & < > " for us) and then written with
 * tw_write_file_atomic, so CI never reads half a report. What libxml2 does
 * not do is refuse text XML 1.0 cannot carry: response bodies bring C0
 * control characters and broken UTF-8 (an excerpt cut mid-character), and one
 * such byte makes the whole report unreadable. Every string therefore goes
 * through clean() on its way into the document.
 *
 * Errors are sticky: the first failure is kept in the writer context and
 * every later write is skipped, so the code reads top to bottom.
 */
#include "techweek/report.h"

#include <libxml/xmlwriter.h>
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
#include "readiness/baseline.h"
#include "readiness/score.h"
#include "reports/render.h"
#include "runner/run.h"
#include "runner/suite.h" /* issue 13, SUITE */

/* Attribute messages are a one-line cause; a CI page shows them in a
 * table, so an accidental body dump must not land there. */
#define MESSAGE_MAX_CHARS 300
/* Scratch text: failure texts and step logs of one scene. */
#define TEXT_MAX ((size_t)64 << 20)

typedef struct junit_writer {
	xmlTextWriterPtr w;
	tw_buf clean;  /* the last cleaned string */
	tw_buf text;   /* a failure text or step log being built */
	const tw_run_score *score; /* may be NULL */
	char **ids;    /* each rehearsal's classname (see identities()) */
	bool locations; /* TW_REPORT_JUNIT_LOCATIONS: file and line on testcases */
	int rc;        /* the first failure; TW_OK while all is well */
} junit_writer;

static bool xml_char_ok(uint32_t c)
{
	return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c != 0xFFFE && c != 0xFFFF);
}

static void fail(junit_writer *j, int rc)
{
	if (!j->rc)
		j->rc = rc;
}

/*
 * Returns s as text XML 1.0 can carry: characters it forbids and bytes that
 * are not UTF-8 become U+FFFD. one_line also turns line breaks and tabs into
 * spaces and cuts the text at MESSAGE_MAX_CHARS characters, for attributes.
 * The result lives in j->clean until the next call.
 */
static const char *clean(junit_writer *j, const char *s, bool one_line)
{
	static const char replacement[] = "\xEF\xBF\xBD";
	tw_buf_reset(&j->clean);
	if (j->rc)
		return "";
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t left = strlen((const char *)p), chars = 0;
	int rc = TW_OK;
	while (left && !rc) {
		if (one_line && chars == MESSAGE_MAX_CHARS) {
			rc = tw_buf_puts(&j->clean, "\xE2\x80\xA6"); /* … */
			break;
		}
		uint32_t c = 0;
		size_t n = tw_utf8_decode(p, left, &c);
		if (n == 0) {
			rc = tw_buf_puts(&j->clean, replacement);
			n = 1;
		} else if (!xml_char_ok(c)) {
			rc = tw_buf_puts(&j->clean, replacement);
		} else if (one_line && (c == '\n' || c == '\r' || c == '\t')) {
			rc = tw_buf_puts(&j->clean, " ");
		} else {
			rc = tw_buf_append(&j->clean, p, n);
		}
		p += n;
		left -= n;
		chars++;
	}
	if (rc)
		fail(j, rc);
	return tw_buf_str(&j->clean);
}

static void check(junit_writer *j, int xml_rc)
{
	if (xml_rc < 0)
		fail(j, TW_ENOMEM);
}

static void start(junit_writer *j, const char *name)
{
	if (!j->rc)
		check(j, xmlTextWriterStartElement(j->w, BAD_CAST name));
}

static void end(junit_writer *j)
{
	if (!j->rc)
		check(j, xmlTextWriterEndElement(j->w));
}

static void attr(junit_writer *j, const char *name, const char *value, bool one_line)
{
	const char *v = clean(j, value, one_line);
	if (!j->rc)
		check(j, xmlTextWriterWriteAttribute(j->w, BAD_CAST name, BAD_CAST v));
}

static void attr_long(junit_writer *j, const char *name, long value)
{
	char num[32];
	snprintf(num, sizeof(num), "%ld", value);
	attr(j, name, num, false);
}

/* Seconds with three decimals, as Surefire writes them; never negative,
 * never "nan": the schema's SUREFIRE_TIME pattern allows digits only. */
static void attr_time(junit_writer *j, double ms)
{
	char num[48];
	if (!isfinite(ms) || ms < 0)
		ms = 0;
	snprintf(num, sizeof(num), "%.3f", ms / 1000.0);
	attr(j, "time", num, false);
}

static void text(junit_writer *j, const char *s)
{
	const char *v = clean(j, s, false);
	if (!j->rc)
		check(j, xmlTextWriterWriteString(j->w, BAD_CAST v));
}

static void element_text(junit_writer *j, const char *name, const char *s)
{
	start(j, name);
	text(j, s);
	end(j);
}

/* With TW_REPORT_JUNIT_LOCATIONS, a testcase's place as GitLab (file),
 * dorny/test-reporter and mikepenz/action-junit-report (file and line)
 * read it from its attributes; the schema allows neither, so only when
 * asked. */
static void location(junit_writer *j, const char *file, int line)
{
	if (!j->locations || !file || !*file)
		return;
	attr(j, "file", file, true);
	if (line > 0)
		attr_long(j, "line", line);
}

/* <skipped> says why twice: GitLab shows the element's text, the other
 * tools its message. */
static void skipped(junit_writer *j, const char *why)
{
	start(j, "skipped");
	attr(j, "message", why, true);
	text(j, why);
	end(j);
}

static void property(junit_writer *j, const char *name, const char *value)
{
	start(j, "property");
	attr(j, "name", name, true);
	attr(j, "value", value, true);
	end(j);
}

/* printf into j->text, keeping the first failure. */
static void textf(junit_writer *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void textf(junit_writer *j, const char *fmt, ...)
{
	if (j->rc)
		return;
	va_list ap;
	va_start(ap, fmt);
	int rc = tw_buf_vprintf(&j->text, fmt, ap);
	va_end(ap);
	if (rc)
		fail(j, rc);
}

/* ---- reading the result model ---- */

static const char *str_or(const char *s, const char *fallback)
{
	return s && *s ? s : fallback;
}

static const char *step_file(const tw_rehearsal_result *r, const tw_step_result *st)
{
	return str_or(st->step ? st->step->file : NULL, str_or(r->path, "?"));
}

/* The first scene that failed, was unreachable or broken, or went beyond
 * techweek's limits: the reason later
 * scenes were not reached. NULL when none did. */
static const tw_scene_result *first_problem_scene(const tw_rehearsal_result *r)
{
	for (size_t i = 0; i < r->scene_count; i++)
		if (tw_status_is_problem(r->scenes[i].status) ||
		    r->scenes[i].status == TW_STATUS_LIMITED)
			return &r->scenes[i];
	return NULL;
}

/*
 * A rehearsal that did not pass although no scene says why (a syntax error,
 * a missing secret, nothing listening before the first step) gets one extra
 * testcase, so CI shows the problem instead of a green or empty suite.
 */
static bool needs_extra_case(const tw_rehearsal_result *r)
{
	return tw_status_is_problem(r->status) && !first_problem_scene(r);
}

static const char *scene_name(const tw_scene_result *sc)
{
	return sc->scene ? str_or(sc->scene->name, "scene") : "scene";
}

typedef struct counts {
	long tests, failures, errors, skipped;
} counts;

/* The scene of a performance the run's end cut off: it was not
 * performed, so CI sees it skipped, not failed. */
static bool cut_off(const tw_rehearsal_result *r, const tw_scene_result *sc)
{
	return r->interrupted && sc->status == TW_STATUS_FAILED;
}

/* A journey that met its required outcome rate although some performances
 * failed (the one shown among them): CI sees its scenes pass, and their
 * system-out says how many failed. NULL otherwise. */
static const tw_rehearsal_metrics *met_with_failures(const junit_writer *j, const tw_run *run,
						     size_t index)
{
	return tw_readiness_met_despite_failures(run, j->score, index) ? &run->metrics[index]
								       : NULL;
}

static counts count_rehearsal(const tw_rehearsal_result *r, bool met)
{
	counts c = {0, 0, 0, 0};
	for (size_t i = 0; i < r->scene_count; i++) {
		c.tests++;
		if (cut_off(r, &r->scenes[i])) {
			c.skipped++;
			continue;
		}
		switch (r->scenes[i].status) {
		case TW_STATUS_FAILED: c.failures += !met; break;
		case TW_STATUS_UNREACHABLE:
		case TW_STATUS_BROKEN: c.errors++; break;
		case TW_STATUS_SKIPPED:
		case TW_STATUS_LIMITED: c.skipped++; break;
		case TW_STATUS_PASSED: break;
		}
	}
	if (needs_extra_case(r)) {
		c.tests++;
		c.errors++;
	}
	return c;
}

/*
 * A rehearsal's identity, its testcases' classname: CI tools key a testcase
 * on suite, classname and name (GitLab keeps one of two alike), and Jenkins
 * splits classname at its last dot into package and class. So the identity
 * is the path, which is unique where the prose name is not, written as a
 * Java class name: folders joined by '.', the file without ".rehearsal" as
 * the class, a '.' inside a name made '_' so it cannot split, and "", "."
 * and ".." left out ("./a/../b.rehearsal" is "a.b"). Into j->text.
 */
static void identity(junit_writer *j, const char *path)
{
	static const char ext[] = ".rehearsal";
	tw_buf_reset(&j->text);
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, "/");
		bool last = p[n] == '\0';
		if (last && n > strlen(ext) && !strcmp(p + n - strlen(ext), ext))
			n -= strlen(ext);
		bool dots = (n == 1 || n == 2) && !strncmp(p, "..", n);
		if (n && !dots) {
			if (j->text.len)
				textf(j, ".");
			for (size_t i = 0; i < n; i++)
				textf(j, "%c", p[i] == '.' ? '_' : p[i]);
		}
		p += n + !last;
		if (last)
			break;
	}
}

/* Every rehearsal's identity into j->ids. One that an earlier rehearsal
 * (the same file given twice, a.b.rehearsal beside a_b.rehearsal) or the
 * verdict's "techweek" already has gets its suite's id after a '-' until
 * it is unique. */
static void identities(junit_writer *j, const tw_run *run)
{
	j->ids = calloc(run->count ? run->count : 1, sizeof(*j->ids));
	if (!j->ids)
		fail(j, TW_ENOMEM);
	for (size_t i = 0; i < run->count && !j->rc; i++) {
		const tw_rehearsal_result *r = &run->rehearsals[i];
		identity(j, str_or(r->path, str_or(r->name, "rehearsal")));
		if (!j->text.len)
			textf(j, "rehearsal");
		for (bool taken = true; taken && !j->rc;) {
			taken = !strcmp(tw_buf_str(&j->text), "techweek");
			for (size_t k = 0; k < i && !taken; k++)
				taken = !strcmp(tw_buf_str(&j->text), j->ids[k]);
			if (taken)
				textf(j, "-%zu", i);
		}
		if (j->rc)
			break;
		j->ids[i] = tw_buf_steal(&j->text);
		if (!j->ids[i])
			fail(j, TW_ENOMEM);
	}
}

/* ---- writing ---- */

/*
 * A testcase's time: what GitLab adds up into the suite's duration (it
 * reads no testsuite time) and mikepenz/action-junit-report prints beside
 * each test. In a dress rehearsal (more than one performance) that is the
 * time the scene took over every performance (tw_run_scene_ms); else the
 * one performance's. Performances cut off by the run's end or ended at
 * techweek's limit are in no figure, nor here.
 */
static double scene_ms(const tw_rehearsal_metrics *m, size_t i, const tw_scene_result *sc)
{
	return tw_run_scene_ms(m, i, sc);
}

/* The time of the "script" or "setup" testcase: the performance's until
 * it stopped; none for a script that could not run. */
static double extra_case_ms(const tw_rehearsal_result *r)
{
	return r->status == TW_STATUS_BROKEN ? 0 : r->elapsed_ms;
}

/* A suite's time: in a dress rehearsal the sum of its testcases', as
 * GitLab and Jenkins add them up (customers overlap, so the suites of a
 * run may add up to more than its wall time); else the performance's wall
 * time. The terminal's row gives the same (tw_run_rehearsal_ms). */
static double rehearsal_ms(const tw_run *run, size_t index)
{
	return tw_run_rehearsal_ms(run, index);
}

static void format_duration(char *out, size_t size, long ms)
{
	if (ms >= 60000 && ms % 60000 == 0)
		snprintf(out, size, "%ldm", ms / 60000);
	else if (ms >= 1000)
		snprintf(out, size, "%gs", (double)ms / 1000.0);
	else
		snprintf(out, size, "%ldms", ms);
}

static void write_readiness(junit_writer *j, const tw_run *run, size_t index);
static void write_baseline(junit_writer *j, const tw_run *run, size_t index);

static void write_properties(junit_writer *j, const tw_run *run, size_t index)
{
	const tw_rehearsal_result *r = &run->rehearsals[index];
	const tw_plan *s = r->plan;
	start(j, "properties");
	property(j, "file", str_or(r->path, ""));
	if (s && s->outcome)
		property(j, "outcome", s->outcome);
	if (s && (s->budget_ms > 0 || s->budget_steps > 0)) {
		char budget[96] = "", d[32];
		if (s->budget_ms > 0)
			format_duration(d, sizeof(d), s->budget_ms);
		if (s->budget_ms > 0 && s->budget_steps > 0)
			snprintf(budget, sizeof(budget), "%s, %ld %s", d, s->budget_steps,
				 tw_plural((uint64_t)s->budget_steps, "step", "steps"));
		else if (s->budget_ms > 0)
			snprintf(budget, sizeof(budget), "%s", d);
		else
			snprintf(budget, sizeof(budget), "%ld %s", s->budget_steps,
				 tw_plural((uint64_t)s->budget_steps, "step", "steps"));
		property(j, "budget", budget);
	}
	if (s && s->tag_count > 0) {
		tw_buf_reset(&j->text);
		for (size_t i = 0; i < s->tag_count; i++)
			textf(j, "%s%s", i ? ", " : "", str_or(s->tags[i], ""));
		property(j, "tags", tw_buf_str(&j->text));
	}
	if (s) {
		char num[48];
		snprintf(num, sizeof(num), "%ld", r->frontstage_steps);
		property(j, "frontstage_steps", num);
		double ms = isfinite(r->frontstage_ms) && r->frontstage_ms > 0 ? r->frontstage_ms : 0;
		snprintf(num, sizeof(num), "%.3f", ms / 1000.0);
		property(j, "frontstage_time", num);
	}
	if (r->phone.calls > 0) {
		const tw_call_totals *p = &r->phone;
		char num[48];
		snprintf(num, sizeof(num), "%d", p->calls);
		property(j, "calls", num);
		if (p->first_prompt_s >= 0) {
			snprintf(num, sizeof(num), "%.3f", p->first_prompt_s);
			property(j, "time_to_first_prompt", num);
		}
		if (p->transfer_s >= 0) {
			snprintf(num, sizeof(num), "%.3f", p->transfer_s);
			property(j, "time_to_agent", num);
		}
		snprintf(num, sizeof(num), "%d", p->prompts);
		property(j, "prompts_heard", num);
		snprintf(num, sizeof(num), "%d", p->inputs);
		property(j, "caller_inputs", num);
		snprintf(num, sizeof(num), "%d", p->repeats);
		property(j, "prompts_heard_again", num);
		if (p->menu_turns > 0)
			property(j, "reprompted_menu", p->menu);
	}
	write_readiness(j, run, index);
	write_baseline(j, run, index);
	end(j);
}

/* "file:line: cause" for the message attribute of a failure or an error;
 * appended to j->text. */
static void step_message(junit_writer *j, const tw_rehearsal_result *r, const tw_step_result *st)
{
	textf(j, "%s:%d: ", step_file(r, st), tw_step_result_line(st));
	if (st->message)
		textf(j, "%s", st->message);
	else if (st->expected)
		textf(j, "expected %s", st->expected);
	else
		textf(j, "step %s", tw_status_str(st->status));
}

/* The body of a failure or an error: for each step that did not hold, where
 * it is, what it says, what was expected, what came back; then, last, the
 * first such step's place as a stack frame ("    at FILE:LINE"). The
 * schema allows no file or line on <testcase>, and tools that want them
 * look for the last "FILE:LINE" after a space in this text
 * (mikepenz/action-junit-report); without it they annotate line 1.
 * Appended to j->text. */
static void step_details(junit_writer *j, const tw_rehearsal_result *r,
			 const tw_scene_result *sc)
{
	bool first = true;
	const char *at_file = str_or(sc->scene ? sc->scene->file : NULL, str_or(r->path, "?"));
	int at_line = sc->scene ? sc->scene->line : 0;
	for (size_t i = 0; i < tw_scene_result_steps(sc); i++) {
		const tw_step_result *st = &sc->steps[i];
		if (!tw_status_is_problem(st->status))
			continue;
		if (first) {
			at_file = step_file(r, st);
			at_line = tw_step_result_line(st);
		}
		textf(j, "%s%s:%d: %s\n", first ? "" : "\n", step_file(r, st), tw_step_result_line(st),
		      str_or(st->message, tw_status_str(st->status)));
		first = false;
		textf(j, "    %s\n", tw_step_result_source(st));
		if (st->expected)
			textf(j, "expected: %s\n", st->expected);
		if (st->actual)
			textf(j, "actual: %s\n", st->actual);
		/* The request chain, one hop a line, each led to by the one
		 * above it, but a poll's first ("poll 1: HTTP 503 from ..."). */
		tw_hop hop = TW_HOP_INIT;
		for (size_t h = 0; h < tw_step_result_hop_count(st); h++) {
			int poll = hop.poll;
			tw_step_result_hop(&hop, st, h);
			if (hop.left_out)
				textf(j, "  \xE2\x80\xA6 %llu more %s\n", (unsigned long long)hop.left_out,
				      tw_plural(hop.left_out, "request", "requests"));
			if (h && hop.poll != poll)
				textf(j, "poll %d: ", hop.poll);
			else if (h)
				textf(j, "  \xE2\x86\x92 "); /* → */
			if (hop.status)
				textf(j, "%sHTTP %ld from %s %s\n", h ? "" : "response: ", hop.status,
				      hop.method, hop.url);
			else
				textf(j, "%s%s %s (no response)\n", h ? "" : "request: ", hop.method,
				      hop.url);
		}
	}
	if (first)
		textf(j, "%s:%d: scene %s\n", at_file, at_line, tw_status_str(sc->status));
	textf(j, "\n    at %s:%d", at_file, at_line);
	if (sc->scene && sc->scene->used_by) /* issue 13, F1: which use led there */
		textf(j, " (used by %s)", sc->scene->used_by);
	if (r->data_row > 0) /* issue 13: the data row it took, as the summary says */
		textf(j, " (performance %llu, %s line %ld)", r->seq, str_or(r->data_file, "?"),
		      r->data_row);
	textf(j, "\n");
}

static const char *step_word(tw_status s)
{
	switch (s) {
	case TW_STATUS_PASSED: return "PASS";
	case TW_STATUS_FAILED: return "FAIL";
	case TW_STATUS_SKIPPED: return "SKIP";
	case TW_STATUS_UNREACHABLE: return "UNREACHABLE";
	case TW_STATUS_BROKEN: return "BROKEN";
	case TW_STATUS_LIMITED: return "LIMIT";
	}
	return "?";
}

/* The scene's step log for <system-out>: one line per step, and the cause
 * under each step that did not hold. */
static void step_log(junit_writer *j, const tw_scene_result *sc)
{
	tw_buf_reset(&j->text);
	for (size_t i = 0; i < tw_scene_result_steps(sc); i++) {
		const tw_step_result *st = &sc->steps[i];
		textf(j, "  %-4s %4d %s", step_word(st->status), tw_step_result_line(st), tw_step_result_source(st));
		/* The first request on the step's line, each hop it led to
		 * under it: "→ 200  GET URL". */
		size_t hops = tw_step_result_hop_count(st);
		tw_hop hop = TW_HOP_INIT;
		if (hops) {
			tw_step_result_hop(&hop, st, 0);
			if (hop.status)
				textf(j, "  %ld", hop.status);
			textf(j, "  %s %s", hop.method, hop.url);
		}
		if (st->status != TW_STATUS_SKIPPED) {
			double ms = isfinite(st->elapsed_ms) && st->elapsed_ms > 0 ? st->elapsed_ms : 0;
			textf(j, "  %.1f ms", ms);
		}
		textf(j, "\n");
		for (size_t h = 1; h < hops; h++) {
			int poll = hop.poll;
			tw_step_result_hop(&hop, st, h);
			if (hop.left_out)
				textf(j, "          \xE2\x80\xA6 %llu more %s\n",
				      (unsigned long long)hop.left_out,
				      tw_plural(hop.left_out, "request", "requests"));
			/* A poll's first hop: no hop the one above led to. */
			const char *lead = hop.poll != poll ? "" : "\xE2\x86\x92 ";
			if (hop.poll != poll)
				textf(j, "          poll %d: ", hop.poll);
			else
				textf(j, "          ");
			if (hop.status)
				textf(j, "%s%ld  %s %s\n", lead, hop.status, hop.method, hop.url);
			else
				textf(j, "%s%s %s (no response)\n", lead, hop.method, hop.url);
		}
		if ((tw_status_is_problem(st->status) || st->status == TW_STATUS_LIMITED) &&
		    st->message)
			textf(j, "          %s\n", st->message);
		else if (st->note) /* issue 14, F4: a handler's answer, "not heard" */
			textf(j, "          note: %s\n", st->note);
	}
}

/* How many performances of a dress rehearsal failed in scene i, as CI
 * should read it first: "flaky: 80 of 300 failed" when the scene also
 * passed, "300 of 300 failed" when it never did ("of the 220 performances
 * that reached it" when an earlier scene stopped the others). Appended to
 * j->text; nothing for a single performance. Returns whether it wrote. */
static bool dress_failures(junit_writer *j, const tw_rehearsal_metrics *m, size_t i, bool rows)
{
	if (!m || m->performances < 2 || i >= m->scene_count || !m->scenes[i].failed)
		return false;
	const tw_scene_metrics *sm = &m->scenes[i];
	unsigned long long reached = sm->passed + sm->failed;
	/* issue 13, F3: with data rows, what failed in some performances
	 * follows the rows (metrics.h) */
	textf(j, "%s%llu of ", !sm->passed ? "" : rows ? "fails on some rows: " : "flaky: ",
	      (unsigned long long)sm->failed);
	if (reached == m->performances)
		textf(j, "%llu failed", reached);
	else
		textf(j, "the %llu %s that reached it failed", reached,
		      tw_plural(reached, "performance", "performances"));
	return true;
}

/* issue 13, F3: a conditional scene left out of the performance shown, in a
 * dress rehearsal: CI counts the test case skipped, so the message says
 * how many performances left it out and how many ran it ("not run in 6 of
 * 11 performances; ran in 5"), the merge's figures as the run's. False
 * (nothing written) for one performance: its own why says it all. */
static bool dress_not_run(junit_writer *j, const tw_rehearsal_metrics *m, size_t i)
{
	if (!m || m->performances < 2 || i >= m->scene_count || !m->scenes[i].not_run)
		return false;
	const tw_scene_metrics *sm = &m->scenes[i];
	unsigned long long ran = sm->passed + sm->failed;
	textf(j, "not run in %llu of %llu performances; ran in ", (unsigned long long)sm->not_run,
	      (unsigned long long)m->performances);
	if (ran)
		textf(j, "%llu", ran);
	else
		textf(j, "none");
	return true;
}

/*
 * What a scene that did not hold shows CI: a <failure> (an <error> when it
 * was unreachable or could not run), or, in a journey that met its
 * required outcome rate, Surefire's <flakyFailure>: the failed run of a
 * test that passed, which Jenkins' junit plugin parses and
 * mikepenz/action-junit-report counts as a retry. The message is the
 * first step that did not hold, on one line; the text every such step, in
 * a <stackTrace> for a flakyFailure as Surefire writes it. In a dress
 * rehearsal both start with how many performances failed (Jenkins and
 * mikepenz show the message, GitLab the text): one element for all of
 * them, with the first one's details, the only ones kept.
 */
static void write_problem(junit_writer *j, const tw_rehearsal_result *r,
			  const tw_scene_result *sc, const tw_step_result *culprit,
			  const tw_rehearsal_metrics *m, bool passed)
{
	size_t i = (size_t)(sc - r->scenes);
	if (sc->status == TW_STATUS_FAILED) {
		start(j, passed ? "flakyFailure" : "failure");
		attr(j, "type",
		     culprit && culprit->service     ? "service" /* issue 14, F2 */
		     : culprit && culprit->transport ? "transport"
						     : "expectation",
		     true);
	} else {
		start(j, "error");
		attr(j, "type", sc->status == TW_STATUS_UNREACHABLE ? "unreachable" : "script", true);
	}
	tw_buf_reset(&j->text);
	if (dress_failures(j, m, i, r->data_row > 0))
		textf(j, "; ");
	if (culprit)
		step_message(j, r, culprit);
	else
		textf(j, "scene %s", tw_status_str(sc->status));
	attr(j, "message", tw_buf_str(&j->text), true);
	tw_buf_reset(&j->text);
	if (dress_failures(j, m, i, r->data_row > 0))
		textf(j, "; the first that failed:\n");
	step_details(j, r, sc);
	if (passed)
		element_text(j, "stackTrace", tw_buf_str(&j->text));
	else
		text(j, tw_buf_str(&j->text));
	end(j);
}

/* m: the rehearsal's figures over every performance (NULL when none); met:
 * the same when the journey met its required rate despite failures. */
static void write_scene(junit_writer *j, const tw_rehearsal_result *r, const tw_scene_result *sc,
			const char *classname, const tw_rehearsal_metrics *met, double required,
			const tw_rehearsal_metrics *m)
{
	start(j, "testcase");
	if (sc->scene && sc->scene->backstage) {
		tw_buf_reset(&j->text);
		textf(j, "backstage: %s", scene_name(sc));
		attr(j, "name", tw_buf_str(&j->text), true);
	} else {
		attr(j, "name", scene_name(sc), true);
	}
	attr(j, "classname", classname, true);
	attr_time(j, scene_ms(m, (size_t)(sc - r->scenes), sc));

	const tw_step_result *culprit = NULL;
	for (size_t i = 0; i < tw_scene_result_steps(sc) && !culprit; i++)
		if (tw_status_is_problem(sc->steps[i].status))
			culprit = &sc->steps[i];
	/* The place step_details ends with: the first step that did not
	 * hold, else where the scene starts. */
	if (culprit)
		location(j, step_file(r, culprit), tw_step_result_line(culprit));
	else
		location(j, str_or(sc->scene ? sc->scene->file : NULL, r->path),
			 sc->scene ? sc->scene->line : 0);

	if (cut_off(r, sc)) {
		tw_buf_reset(&j->text);
		textf(j, "interrupted: cut off by the run's end, not performed");
		if (culprit && culprit->message)
			textf(j, " (line %d: %s)", tw_step_result_line(culprit), culprit->message);
		skipped(j, tw_buf_str(&j->text));
	} else if (met && sc->status == TW_STATUS_FAILED) {
		/* It passes: the journey met its required rate. */
		write_problem(j, r, sc, culprit, m, true);
	} else if (tw_status_is_problem(sc->status)) {
		write_problem(j, r, sc, culprit, m, false);
	} else if (sc->status == TW_STATUS_LIMITED) {
		/* techweek's limit is not the service's failure: CI sees it
		 * skipped, saying whose limit it was. */
		const tw_step_result *limit = NULL;
		for (size_t i = 0; i < tw_scene_result_steps(sc) && !limit; i++)
			if (sc->steps[i].status == TW_STATUS_LIMITED)
				limit = &sc->steps[i];
		tw_buf_reset(&j->text);
		textf(j, "techweek's limit, not the service's fault");
		if (limit)
			textf(j, " (line %d: %s)", tw_step_result_line(limit),
			      str_or(limit->message, "not supported"));
		skipped(j, tw_buf_str(&j->text));
	} else if (sc->not_run) {
		/* issue 13, FLOW: its `when` left it out, as it was to start */
		tw_buf_reset(&j->text);
		if (sc->scene && sc->scene->when)
			textf(j, "when %s: ", sc->scene->when);
		if (!dress_not_run(j, m, (size_t)(sc - r->scenes)))
			textf(j, "%s", sc->not_run);
		skipped(j, tw_buf_str(&j->text));
	} else if (sc->status == TW_STATUS_SKIPPED) {
		const tw_scene_result *why = first_problem_scene(r);
		tw_buf_reset(&j->text);
		if (why && why->status == TW_STATUS_FAILED)
			textf(j, "not reached: scene '%s' failed", scene_name(why));
		else if (why && why->status == TW_STATUS_UNREACHABLE)
			textf(j, "not reached: scene '%s' was unreachable", scene_name(why));
		else if (why && why->status == TW_STATUS_LIMITED)
			textf(j, "not reached: scene '%s' went beyond what techweek can rehearse",
			      scene_name(why));
		else if (why)
			textf(j, "not reached: scene '%s' could not run", scene_name(why));
		else if (r->problem.message)
			textf(j, "not reached: %s", r->problem.message);
		else
			textf(j, "not reached");
		skipped(j, tw_buf_str(&j->text));
	}

	if (tw_scene_result_steps(sc) > 0 && !sc->not_run /* issue 13, FLOW */) {
		step_log(j, sc);
		if (met && sc->status == TW_STATUS_FAILED) {
			char head[256], rate[TW_RATE_SHOWN_SIZE], req[TW_RATE_SHOWN_SIZE];
			snprintf(head, sizeof(head),
				 "%llu of %llu %s failed; the journey met its required "
				 "outcome rate (%s achieved, required %s). The first that "
				 "failed:\n",
				 (unsigned long long)(met->performances - met->achieved),
				 (unsigned long long)met->performances,
				 tw_plural(met->performances, "performance", "performances"),
				 tw_rate_shown(rate, sizeof(rate),
					       (double)met->achieved / (double)met->performances,
					       required),
				 tw_required_shown(req, sizeof(req), required));
			char *log = tw_buf_steal(&j->text);
			tw_buf_reset(&j->text);
			textf(j, "%s%s", head, log ? log : "");
			if (!log)
				fail(j, TW_ENOMEM);
			free(log);
		}
		if (sc->transcript)
			textf(j, "transcript (call clock):\n%s", sc->transcript);
		element_text(j, "system-out", tw_buf_str(&j->text));
	}
	end(j);
}

/* The "script" or "setup" testcase of a rehearsal that stopped before its
 * scenes could tell what went wrong. */
static void write_extra_case(junit_writer *j, const tw_rehearsal_result *r, const char *classname)
{
	bool broken = r->status == TW_STATUS_BROKEN;
	start(j, "testcase");
	attr(j, "name", broken ? "script" : "setup", true);
	attr(j, "classname", classname, true);
	attr_time(j, extra_case_ms(r));
	location(j, str_or(r->problem.file, r->path), r->problem.line);
	start(j, "error");
	attr(j, "type", broken ? "script" : r->status == TW_STATUS_UNREACHABLE ? "unreachable" : "setup",
	     true);

	char *formatted = NULL;
	if (r->problem.code != TW_OK || r->problem.message) {
		formatted = tw_error_format(&r->problem);
		if (!formatted)
			fail(j, TW_ENOMEM);
	}
	tw_buf_reset(&j->text);
	if (formatted) {
		/* The first line is the message; the rest is the line and caret. */
		textf(j, "%.*s", (int)strcspn(formatted, "\n"), formatted);
	} else {
		textf(j, "rehearsal %s before any scene ran", tw_status_str(r->status));
	}
	attr(j, "message", tw_buf_str(&j->text), true);
	if (formatted) {
		tw_buf_reset(&j->text);
		textf(j, "%s", formatted);
		/* The place as a stack frame, as step_details ends. */
		if (r->problem.file && r->problem.line > 0)
			textf(j, "\n\n    at %s:%d\n", r->problem.file, r->problem.line);
	}
	text(j, tw_buf_str(&j->text));
	free(formatted);
	end(j);
	end(j);
}

/* A part of the score (0-1) by the rule every report shows a score by
 * (tw_score_shown): rounded down, here to three decimals, as the JSON
 * result writes it. 0.99975 is 0.999: "1.000" would say that every
 * performance achieved the outcome. The nudge keeps a whole number of
 * thousandths that is a hair under in binary from losing one. */
static const char *part_shown(char *out, size_t size, double part)
{
	return tw_floor_shown(out, size, isfinite(part) && part > 0 ? part : 0, 3);
}

/* issue 13, SUITE: the options that selected the run's rehearsals (as
 * given) and its --env environment, in every suite as the verdict is. */
static void write_suite_facts(junit_writer *j, const tw_run *run)
{
	char *options = tw_suite_selection_options(run);
	if (options)
		property(j, "techweek.selection", options);
	else if (tw_selection_active(run->selection))
		fail(j, TW_ENOMEM);
	free(options);
	if (run->environment)
		property(j, "techweek.environment", run->environment);
}

/* The readiness score of a rehearsal, its parts and its minimum, and the
 * touchpoints that both passed and failed. */
static void write_readiness(junit_writer *j, const tw_run *run, size_t index)
{
	const tw_rehearsal_score *rs = j->score && index < j->score->count
					       ? &j->score->rehearsals[index] : NULL;
	char num[48];
	bool rows = run->rehearsals[index].data_row > 0; /* issue 13, F3 */
	if (rs && rs->scored) {
		property(j, "readiness", tw_score_shown(num, sizeof(num), rs->score));
		for (int p = 0; p < TW_PART_COUNT; p++) {
			char name[64];
			snprintf(name, sizeof(name), "readiness_%s", tw_part_str((tw_part)p));
			property(j, name, part_shown(num, sizeof(num), rs->part[p]));
		}
		if (rs->minimum >= 0) {
			snprintf(num, sizeof(num), "%g", rs->minimum); /* as it was set */
			property(j, "readiness_minimum", num);
		}
		/* The outcome rate it must reach, whether it did, and whether
		 * it is minor: what decides the verdict. */
		property(j, "required_outcome_rate", tw_required_shown(num, sizeof(num), rs->required));
		property(j, "required_outcome_rate_met", rs->met ? "true" : "false");
		if (rs->minor)
			property(j, "minor", "true");
	}
	/* The run's verdict, as the terminal and the other reports word it;
	 * in every suite, since the schema gives <testsuites> no properties. */
	property(j, "verdict",
		 tw_verdict_title(j->score ? j->score->verdict : tw_run_verdict(run)));
	write_suite_facts(j, run); /* issue 13, SUITE */
	const tw_rehearsal_metrics *m = run->metrics ? &run->metrics[index] : NULL;
	if (!m)
		return;
	if (m->performances > 1) {
		snprintf(num, sizeof(num), "%llu", (unsigned long long)m->performances);
		property(j, "performances", num);
		snprintf(num, sizeof(num), "%llu", (unsigned long long)m->achieved);
		property(j, "achieved", num);
		/* What went on the wire, as the service's log counts it. */
		uint64_t requests = 0, retries = 0;
		for (size_t i = 0; i < m->scene_count; i++)
			for (size_t k = 0; k < m->scenes[i].step_count; k++) {
				requests += m->scenes[i].steps[k].requests;
				retries += m->scenes[i].steps[k].retries;
			}
		snprintf(num, sizeof(num), "%llu", (unsigned long long)requests);
		property(j, "requests", num);
		snprintf(num, sizeof(num), "%llu", (unsigned long long)retries);
		property(j, "retries", num);
	}
	/* Polls (`retry N every D`): requests sent again until their
	 * expectations held, neither failures nor retries. */
	uint64_t polls = 0;
	for (size_t i = 0; i < m->scene_count; i++)
		for (size_t k = 0; k < m->scenes[i].step_count; k++)
			polls += m->scenes[i].steps[k].polls;
	if (polls) {
		snprintf(num, sizeof(num), "%llu", (unsigned long long)polls);
		property(j, "polls", num);
	}
	if (m->interrupted) {
		/* Cut off by the run's end: not performed, in no count above. */
		snprintf(num, sizeof(num), "%llu", (unsigned long long)m->interrupted);
		property(j, "interrupted", num);
	}
	if (m->limited) {
		/* Ended at techweek's limit: not the service's, in no count
		 * above. */
		snprintf(num, sizeof(num), "%llu", (unsigned long long)m->limited);
		property(j, "limited", num);
	}
	tw_buf_reset(&j->text);
	for (size_t i = 0; i < m->scene_count; i++)
		for (size_t k = 0; k < m->scenes[i].step_count; k++)
			if (tw_touchpoint_flaky_rows(&m->scenes[i].steps[k], rows))
				textf(j, "%s%d", j->text.len ? ", " : "",
				      m->scenes[i].steps[k].step->line);
	if (j->text.len)
		property(j, "flaky_lines", tw_buf_str(&j->text));
	if (tw_rehearsal_flaky_rows(m, rows))
		property(j, "flaky", "true");
	/* issue 13, F3: the touchpoints that failed on some data rows and
	 * passed on others (not flaky: the failure follows the row) */
	tw_buf_reset(&j->text);
	for (size_t i = 0; rows && i < m->scene_count; i++)
		for (size_t k = 0; k < m->scenes[i].step_count; k++)
			if (tw_touchpoint_fails_on_rows(&m->scenes[i].steps[k], rows))
				textf(j, "%s%d", j->text.len ? ", " : "",
				      m->scenes[i].steps[k].step->line);
	if (j->text.len)
		property(j, "rows_lines", tw_buf_str(&j->text));
}

/* The rehearsal against --baseline: its figures before and after, the
 * p95 of its touchpoints, the lines that are new, what regressed. */
static void write_baseline(junit_writer *j, const tw_run *run, size_t index)
{
	const tw_comparison *cmp = j->score ? j->score->baseline : NULL;
	if (!cmp || index >= cmp->count)
		return;
	const tw_rehearsal_change *rc = &cmp->rehearsals[index];
	const tw_plan *s = run->rehearsals[index].plan;
	property(j, "baseline", cmp->file);
	if (rc->is_new) {
		property(j, "baseline_new", "true");
		return;
	}
	char words[128];
	for (int f = 0; f < TW_FIGURE_COUNT; f++) {
		if (f == TW_FIGURE_P95 || !rc->figure[f].known)
			continue;
		char name[64];
		snprintf(name, sizeof(name), "baseline_%s", tw_figure_key((tw_figure)f));
		int wrc = tw_change_str(words, sizeof(words), (tw_figure)f, &rc->figure[f]);
		if (wrc)
			fail(j, wrc);
		property(j, name, words);
	}
	tw_buf_reset(&j->text);
	for (size_t k = 0; k < rc->touchpoint_count; k++) {
		const tw_touchpoint_change *tc = &rc->touchpoints[k];
		if (!tc->figure[TW_FIGURE_P95].known)
			continue;
		int wrc = tw_change_str(words, sizeof(words), TW_FIGURE_P95,
					&tc->figure[TW_FIGURE_P95]);
		if (wrc)
			fail(j, wrc);
		textf(j, "%sline %d %s", j->text.len ? "; " : "",
		      s->scenes[tc->scene].touchpoints[tc->step].line, words);
	}
	if (j->text.len)
		property(j, "baseline_p95", tw_buf_str(&j->text));
	tw_buf_reset(&j->text);
	for (size_t k = 0; k < rc->touchpoint_count; k++) {
		const tw_touchpoint_change *tc = &rc->touchpoints[k];
		if (tc->is_new)
			textf(j, "%s%d", j->text.len ? ", " : "",
			      s->scenes[tc->scene].touchpoints[tc->step].line);
	}
	if (j->text.len)
		property(j, "baseline_new_lines", tw_buf_str(&j->text));
	tw_buf_reset(&j->text);
	for (size_t i = 0; i < cmp->regression_count; i++)
		if (cmp->regressions[i].rehearsal == index)
			textf(j, "%s%s", j->text.len ? "; " : "", cmp->regressions[i].what);
	if (j->text.len)
		property(j, "baseline_regressions", tw_buf_str(&j->text));
}

static void write_suite(junit_writer *j, const tw_run *run, size_t index)
{
	const tw_rehearsal_result *r = &run->rehearsals[index];
	const tw_rehearsal_metrics *met = met_with_failures(j, run, index);
	counts c = count_rehearsal(r, met != NULL);

	start(j, "testsuite");
	/* The name people read, with its path when another suite has the
	 * same: viewers merge suites of one name (xunit-viewer). */
	tw_buf_reset(&j->text);
	if (tw_run_put_rehearsal_name(&j->text, run, index, SIZE_MAX))
		fail(j, tw_buf_failed(&j->text));
	attr(j, "name", tw_buf_str(&j->text), true);
	tw_buf_reset(&j->text);
	attr_long(j, "tests", c.tests);
	attr_long(j, "failures", c.failures);
	attr_long(j, "errors", c.errors);
	attr_long(j, "skipped", c.skipped);
	attr_time(j, rehearsal_ms(run, index));
	const char *stamp = str_or(r->started_at, run->started_at);
	char zoned[TW_STAMP_SHOWN_SIZE];
	if (*stamp)
		attr(j, "timestamp", tw_stamp_shown(zoned, sizeof(zoned), stamp), true);
	if (run->hostname[0])
		attr(j, "hostname", run->hostname, true);
	attr_long(j, "id", (long)index);
	if (r->path && *r->path)
		attr(j, "file", r->path, true);

	write_properties(j, run, index);
	const char *classname = j->ids ? j->ids[index] : NULL; /* NULL: out of memory */
	if (needs_extra_case(r))
		write_extra_case(j, r, classname);
	for (size_t i = 0; i < r->scene_count; i++)
		write_scene(j, r, &r->scenes[i], classname, met,
			    met ? j->score->rehearsals[index].required : 0,
			    run->metrics ? &run->metrics[index] : NULL);
	end(j);
}

/* ---- the verdict ---- */

/* Why the run is not READY, a reason a line: the engine's one list
 * (tw_readiness_reasons), which the terminal and the HTML print too. Into
 * j->text. */
static void verdict_reasons(junit_writer *j, const tw_run *run, tw_verdict v)
{
	tw_buf_reset(&j->text);
	struct tw_reasons why;
	int rc = tw_readiness_reasons(&why, run, j->score, v);
	if (rc)
		fail(j, rc);
	for (size_t i = 0; !rc && i < why.count; i++)
		textf(j, "%s\n", why.items[i].why);
	tw_reasons_clear(&why);
}

/* The run's verdict as one more testcase, so that CI, which counts
 * failures, agrees with it: it passes when READY and fails with the
 * reasons otherwise, whatever the journeys' own testcases say (a minor
 * journey's failure beside a READY verdict; a missed gate beside passing
 * journeys). */
static void write_verdict_suite(junit_writer *j, const tw_run *run, tw_verdict v)
{
	const tw_run_score *sc = j->score;
	char num[TW_SCORE_SHOWN_SIZE];
	start(j, "testsuite");
	attr(j, "name", "curtain-up readiness", true);
	attr_long(j, "tests", 1);
	attr_long(j, "failures", v != TW_VERDICT_READY);
	attr_long(j, "errors", 0);
	attr_long(j, "skipped", 0);
	attr_time(j, 0);
	attr_long(j, "id", (long)run->count);
	start(j, "properties");
	if (sc && sc->weakest < sc->count)
		property(j, "readiness", tw_score_shown(num, sizeof(num), sc->score));
	if (sc && sc->gate >= 0) {
		char gate[48];
		snprintf(gate, sizeof(gate), "%g", sc->gate);
		property(j, "gate", gate);
	}
	property(j, "verdict", tw_verdict_title(v));
	end(j);
	start(j, "testcase");
	attr(j, "name", "readiness verdict", true);
	attr(j, "classname", "techweek", true);
	attr_time(j, 0);
	if (v != TW_VERDICT_READY) {
		verdict_reasons(j, run, v);
		/* The message: the verdict, then its reasons on one line. */
		tw_buf msg;
		tw_buf_init(&msg, TEXT_MAX);
		int rc = tw_buf_puts(&msg, tw_verdict_title(v));
		const char *at = tw_buf_str(&j->text);
		for (bool first = true; !rc && *at; first = false) {
			size_t n = strcspn(at, "\n");
			rc = tw_buf_puts(&msg, first ? ": " : "; ");
			if (!rc)
				rc = tw_buf_append(&msg, at, n);
			at += n + (at[n] == '\n');
		}
		if (rc)
			fail(j, rc);
		start(j, "failure");
		attr(j, "type", tw_verdict_key(v), true);
		attr(j, "message", tw_buf_str(&msg), true);
		text(j, tw_buf_str(&j->text));
		end(j);
		tw_buf_free(&msg);
	}
	end(j);
	end(j);
}

static void write_document(junit_writer *j, const tw_run *run)
{
	counts total = {0, 0, 0, 0};
	double sum_ms = 0;
	for (size_t i = 0; i < run->count; i++) {
		counts c = count_rehearsal(&run->rehearsals[i], met_with_failures(j, run, i) != NULL);
		total.tests += c.tests;
		total.failures += c.failures;
		total.errors += c.errors;
		if (isfinite(run->rehearsals[i].elapsed_ms))
			sum_ms += run->rehearsals[i].elapsed_ms;
	}

	check(j, xmlTextWriterSetIndent(j->w, 1));
	check(j, xmlTextWriterSetIndentString(j->w, BAD_CAST "  "));
	if (!j->rc)
		check(j, xmlTextWriterStartDocument(j->w, NULL, "UTF-8", NULL));
	/* The schema allows only these attributes on <testsuites>; skipped
	 * counts and timestamps live on each <testsuite>. */
	/* The verdict's own testcase, after the journeys'. */
	tw_verdict v = j->score ? j->score->verdict : tw_run_verdict(run);
	if (run->count) {
		total.tests++;
		total.failures += v != TW_VERDICT_READY;
	}
	identities(j, run);
	start(j, "testsuites");
	attr(j, "name", "techweek", false);
	attr_long(j, "tests", total.tests);
	attr_long(j, "failures", total.failures);
	attr_long(j, "errors", total.errors);
	attr_time(j, run->elapsed_ms > 0 ? run->elapsed_ms : sum_ms);
	for (size_t i = 0; i < run->count; i++)
		write_suite(j, run, i);
	if (run->count)
		write_verdict_suite(j, run, v);
	end(j);
	if (!j->rc)
		check(j, xmlTextWriterEndDocument(j->w));
}

int tw_report_junit_render(const tw_run *run, const tw_run_score *score, tw_buf *out,
			   tw_error *err)
{
	return tw_report_junit_render_with(run, score, 0, out, err);
}

int tw_report_junit_render_with(const tw_run *run, const tw_run_score *score, unsigned options,
				tw_buf *out, tw_error *err)
{
	tw_buf_init(out, SIZE_MAX / 2); /* bounded by TEXT_MAX already */
	if (!run)
		return tw_error_set(err, TW_EUSAGE, "tw_report_junit_render needs a run");

	/* libxml2's writer drops what it cannot allocate (escaped text, the
	 * final flush) and records the failure only as the thread's last
	 * error: read it after, and since the writer writes to memory, any
	 * error there is out of memory. */
	xmlResetLastError();
	xmlBufferPtr xml = xmlBufferCreate();
	junit_writer j = {.w = xml ? xmlNewTextWriterMemory(xml, 0) : NULL, .score = score,
			  .locations = (options & TW_REPORT_JUNIT_LOCATIONS) != 0};
	tw_buf_init(&j.clean, TEXT_MAX);
	tw_buf_init(&j.text, TEXT_MAX);
	if (!j.w)
		j.rc = TW_ENOMEM;
	else
		write_document(&j, run);
	if (j.w)
		xmlFreeTextWriter(j.w); /* flushes into xml */
	const xmlError *lost = xmlGetLastError();
	if (!j.rc && lost && lost->level >= XML_ERR_ERROR)
		j.rc = TW_ENOMEM;
	tw_buf_free(&j.clean);
	tw_buf_free(&j.text);
	for (size_t i = 0; j.ids && i < run->count; i++)
		free(j.ids[i]);
	free(j.ids);
	if (!j.rc)
		j.rc = tw_buf_append(out, xmlBufferContent(xml), (size_t)xmlBufferLength(xml));
	if (xml)
		xmlBufferFree(xml);

	if (j.rc == TW_ELIMIT)
		return tw_error_set(err, j.rc, "the JUnit report grew past %zu bytes of text",
				    TEXT_MAX);
	if (j.rc)
		return tw_error_set(err, j.rc, "out of memory building the JUnit report");
	return TW_OK;
}

int tw_report_junit(const tw_run *run, const tw_run_score *score, const char *path,
		    tw_error *err)
{
	return tw_report_write(tw_report_junit_render, "tw_report_junit", run, score, path, err);
}
