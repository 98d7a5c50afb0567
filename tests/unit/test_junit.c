/*
 * The JUnit report (reports/junit.c) as CI reads it: every report written
 * here is validated against tests/schemas/junit.xsd (the shared schema, copied) with xmllint, then
 * parsed back with libxml2 to check the mapping documented in
 * docs/reports.md (counts, names, types, messages, texts). A report CI cannot
 * parse is worse than none, so the nasty inputs (XML specials, non-ASCII,
 * control characters, broken UTF-8) are part of the one fixture every test
 * writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "readiness/score.h"
#include "reports/render.h"
#include "reports_fixture.h"
#define REPORT_FILE "junit.xml"
#include "report_files.h"

/* A copy of ../shared/schemas/junit.xsd kept in the tree, so that a clone
 * tests on its own. */
#define SCHEMA TW_SOURCE_ROOT "/tests/schemas/junit.xsd"

static bool have_xmllint(void)
{
	return system("command -v xmllint >/dev/null 2>&1") == 0;
}

/* xmllint --schema, with its complaints shown when it refuses the file. */
static void assert_valid(const char *path)
{
	struct stat st;
	if (stat(SCHEMA, &st) != 0)
		fail_msg("the JUnit schema is not at %s", SCHEMA);
	char cmd[512], log[256];
	snprintf(log, sizeof(log), "%s.xmllint.log", path);
	snprintf(cmd, sizeof(cmd), "xmllint --noout --schema '%s' '%s' >'%s' 2>&1", SCHEMA, path, log);
	int rc = system(cmd);
	if (rc != 0) {
		char cat[300];
		snprintf(cat, sizeof(cat), "cat '%s' >&2; cat '%s' >&2", log, path);
		(void)!system(cat);
		fail_msg("%s does not validate against %s", path, SCHEMA);
	}
	unlink(log);
}

static xmlDocPtr load(const char *path)
{
	/* No recovery: the report must be well-formed as written. */
	xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
	assert_non_null(doc);
	return doc;
}


/* Writes the full fixture's report, validates it, parses it back. */
static xmlDocPtr full_report(fixture *fx, scratch *s)
{
	fx_full(fx);
	scratch_make(s);
	tw_error err = {0};
	int rc = tw_report_junit(fx->run, NULL, s->path, &err);
	if (rc != TW_OK)
		fail_msg("tw_report_junit: %s", err.message ? err.message : "?");
	assert_valid(s->path);
	return load(s->path);
}

/* A step's request chain in the failure text and in the step log: one hop
 * a line, each with its own method and status; past 32 the ones between
 * the first 31 and the last are counted. */
static void test_chain(void **state)
{
	fixture *fx = *state;
	scratch s;
	fx_add_chain(fx);
	fx_metrics(fx);
	scratch_make(&s);
	assert_int_equal(tw_report_junit(fx->run, NULL, s.path, NULL), TW_OK);
	xmlDocPtr doc = load(s.path);
	assert_xp_contains(doc, "//testcase[1]/failure",
			   "response: HTTP 303 from POST http://127.0.0.1:8080/a?hop=0\n"
			   "  \xE2\x86\x92 HTTP 303 from GET http://127.0.0.1:8080/a?hop=1\n");
	assert_xp_contains(doc, "//testcase[1]/failure",
			   "  \xE2\x86\x92 HTTP 303 from GET http://127.0.0.1:8080/a?hop=30\n"
			   "  \xE2\x80\xA6 8 more requests\n"
			   "  \xE2\x86\x92 HTTP 500 from GET http://127.0.0.1:8080/a?hop=39\n");
	assert_xp_contains(doc, "//testcase[1]/system-out",
			   "  FAIL    4 submit \"Place order\"  303  POST "
			   "http://127.0.0.1:8080/a?hop=0  2.0 ms\n"
			   "          \xE2\x86\x92 303  GET http://127.0.0.1:8080/a?hop=1\n");
	assert_xp_contains(doc, "//testcase[1]/system-out",
			   "          \xE2\x80\xA6 8 more requests\n"
			   "          \xE2\x86\x92 500  GET http://127.0.0.1:8080/a?hop=39\n");
	xmlFreeDoc(doc);
	scratch_remove(&s);
}

static void test_validates_against_schema(void **state)
{
	if (!have_xmllint()) {
		print_message("xmllint is not installed (apt-get install libxml2-utils): "
			      "cannot validate against the JUnit schema\n");
		skip();
	}
	scratch s;
	xmlDocPtr doc = full_report(*state, &s);
	xmlFreeDoc(doc);
	scratch_remove(&s);
}

static void test_totals_and_suites(void **state)
{
	fixture *fx = *state;
	scratch s;
	fx_full(fx);
	scratch_make(&s);
	assert_int_equal(tw_report_junit(fx->run, NULL, s.path, NULL), TW_OK);
	xmlDocPtr doc = load(s.path);

	/* 2 + 3 + 1 + 2 scenes, plus the broken script and two setups, plus
	 * the verdict. */
	assert_xp(doc, "/testsuites/@name", "techweek");
	assert_xp(doc, "/testsuites/@tests", "12");
	assert_xp(doc, "/testsuites/@failures", "3");
	assert_xp(doc, "/testsuites/@errors", "4");
	assert_xp(doc, "/testsuites/@time", "1.420");
	/* Not allowed on <testsuites> by the schema. */
	assert_xp_count(doc, "/testsuites/@skipped", 0);
	assert_xp_count(doc, "/testsuites/testsuite", 8);
	assert_xp_count(doc, "//testcase", 12);
	/* The verdict is a testcase of its own, last: CI counts it. */
	assert_xp(doc, "/testsuites/testsuite[8]/@name", "curtain-up readiness");
	assert_xp(doc, "/testsuites/testsuite[8]/testcase/@name", "readiness verdict");
	assert_xp(doc, "/testsuites/testsuite[8]/testcase/@classname", "techweek");
	assert_xp(doc, "/testsuites/testsuite[8]/testcase/failure/@type", "script_error");
	assert_xp_contains(doc, "/testsuites/testsuite[8]/testcase/failure/@message",
			   "NOT READY: a script could not run: ");

	const char *p = "/testsuites/testsuite[1]";
	char e[256];
#define AT(rest) (snprintf(e, sizeof(e), "%s%s", p, rest), e)
	assert_xp(doc, AT("/@name"), "Order a pizza online");
	assert_xp(doc, AT("/@tests"), "2");
	assert_xp(doc, AT("/@failures"), "0");
	assert_xp(doc, AT("/@errors"), "0");
	assert_xp(doc, AT("/@skipped"), "0");
	assert_xp(doc, AT("/@time"), "0.810");
	assert_xp(doc, AT("/@timestamp"), "2024-05-01T02:00:00Z");
	assert_xp(doc, AT("/@hostname"), "ci-runner-1");
	assert_xp(doc, AT("/@id"), "0");
	assert_xp(doc, AT("/@file"), "rehearsals/pizza.rehearsal");
	assert_xp(doc, AT("/properties/property[@name='file']/@value"), "rehearsals/pizza.rehearsal");
	assert_xp(doc, AT("/properties/property[@name='outcome']/@value"),
		  "Ada knows when her pizza arrives");
	assert_xp(doc, AT("/properties/property[@name='budget']/@value"), "90s, 10 steps");
	assert_xp(doc, AT("/properties/property[@name='tags']/@value"), "smoke, web");
	assert_xp(doc, AT("/properties/property[@name='frontstage_steps']/@value"), "3");
	assert_xp(doc, AT("/properties/property[@name='frontstage_time']/@value"), "0.500");
	assert_xp_count(doc, "/testsuites/testsuite[1]/properties/property", 7);
	assert_xp(doc, AT("/testcase[1]/@name"), "Find the menu");
	/* The rehearsal's identity, not its prose name (docs/reports.md). */
	assert_xp(doc, AT("/testcase[1]/@classname"), "rehearsals.pizza");
	assert_xp(doc, AT("/testcase[1]/@time"), "0.010");
	assert_xp(doc, AT("/testcase[2]/@name"), "backstage: The kitchen has it");
	assert_xp_count(doc, "/testsuites/testsuite[1]/testcase/*[name()!='system-out']", 0);
	/* The step log: status, line, source, HTTP status, request, time. */
	assert_xp(doc, AT("/testcase[1]/system-out"),
		  "  PASS   12 visit {{stage}}/  200  GET http://127.0.0.1:8080/  35.2 ms\n"
		  "  PASS   13 expect status 200  1.5 ms\n"
		  "  PASS   14 expect text \"Today's menu\"  1.5 ms\n");

	/* Names with XML specials and non-ASCII survive the round trip. */
	p = "/testsuites/testsuite[2]";
	assert_xp(doc, AT("/@name"), FX_FAILING_NAME);
	assert_xp(doc, AT("/@tests"), "3");
	assert_xp(doc, AT("/@failures"), "1");
	assert_xp(doc, AT("/@errors"), "0");
	assert_xp(doc, AT("/@skipped"), "1");
	assert_xp(doc, AT("/@id"), "1");
	assert_xp(doc, AT("/testcase[2]/@classname"), "rehearsals.api");
	/* Only what the script has (no outcome, budget or tags here), and
	 * the run's verdict, the same in every suite. */
	assert_xp_count(doc, "/testsuites/testsuite[2]/properties/property", 4);
	assert_xp_count(doc, "//property[@name='verdict' and @value='NOT READY: a script could not run']",
			8);
	assert_xp_count(doc, "/testsuites/testsuite", 8);

	p = "/testsuites/testsuite[4]";
	assert_xp(doc, AT("/@name"), "Nobody home");
	assert_xp(doc, AT("/@tests"), "2");
	assert_xp(doc, AT("/@errors"), "1");
	assert_xp(doc, AT("/@skipped"), "1");
#undef AT
	xmlFreeDoc(doc);
	scratch_remove(&s);
}

/*
 * The line mikepenz/action-junit-report annotates when a testcase has no
 * line attribute (the schema allows none): in the failure's text, the last
 * match of / [^ ]*FILE.*?:\d+/ (a space, the file, the first ":digits"
 * after it on that line), FILE being the suite's file; 1 when none.
 */
static long annotated_line(const char *text, const char *file)
{
	long line = 1;
	size_t n = strlen(file);
	for (const char *at = strstr(text, file); at; at = strstr(at + 1, file)) {
		const char *b = at;
		while (b > text && b[-1] != ' ' && b[-1] != '\n')
			b--;
		if (b == text || b[-1] != ' ')
			continue;
		for (const char *c = at + n; *c && *c != '\n'; c++)
			if (*c == ':' && c[1] >= '0' && c[1] <= '9') {
				line = strtol(c + 1, NULL, 10);
				break;
			}
	}
	return line;
}

static void test_failure_details(void **state)
{
	fixture *fx = *state;
	scratch s;
	fx_full(fx);
	scratch_make(&s);
	assert_int_equal(tw_report_junit(fx->run, NULL, s.path, NULL), TW_OK);
	xmlDocPtr doc = load(s.path);

	const char *kitchen = "/testsuites/testsuite[2]/testcase[2]";
	char e[256];
	snprintf(e, sizeof(e), "%s/@name", kitchen);
	assert_xp(doc, e, "backstage: Kitchen");
	snprintf(e, sizeof(e), "count(%s/failure)", kitchen);
	assert_int_equal((long)xp_num(doc, e), 1);
	snprintf(e, sizeof(e), "%s/failure/@type", kitchen);
	assert_xp(doc, e, "expectation");
	snprintf(e, sizeof(e), "%s/failure/@message", kitchen);
	assert_xp(doc, e,
		  "rehearsals/api.rehearsal:14: expected json $.status == \"baking\", got \"cold\"");

	/* Both failed expectations, each with place, line, expected, actual
	 * and the response; control characters and the stray byte replaced. */
	snprintf(e, sizeof(e), "%s/failure", kitchen);
	assert_xp(doc, e,
		  "rehearsals/api.rehearsal:14: expected json $.status == \"baking\", got \"cold\"\n"
		  "    expect json $.status == \"baking\"\n"
		  "expected: json $.status == \"baking\"\n"
		  "actual: {\"id\":1001,\xEF\xBF\xBD\xEF\xBF\xBD[31m\"status\":\"cold\"}\xEF\xBF\xBD ]]> tail\n"
		  "response: HTTP 200 from GET http://127.0.0.1:8080/api/orders/1001\n"
		  "\n"
		  "rehearsals/api.rehearsal:15: expected header Content-Type contains \"json\", got "
		  "\"text/html\"\n"
		  "    expect header Content-Type contains json\n"
		  "expected: header Content-Type contains \"json\"\n"
		  "actual: text/html\n"
		  "response: HTTP 200 from GET http://127.0.0.1:8080/api/orders/1001\n"
		  "\n"
		  "    at rehearsals/api.rehearsal:14\n");
	/* GitHub's annotation lands on the failing step, not on line 1. */
	char *text = xp(doc, e);
	assert_int_equal(annotated_line(text, "rehearsals/api.rehearsal"), 14);
	free(text);

	/* The step log shows the skipped step without a time. */
	snprintf(e, sizeof(e), "%s/system-out", kitchen);
	assert_xp_contains(doc, e, "  FAIL   14 expect json $.status == \"baking\"  200  GET "
				   "http://127.0.0.1:8080/api/orders/1001  0.1 ms\n"
				   "          expected json $.status == \"baking\", got \"cold\"\n");
	assert_xp_contains(doc, e, "  SKIP   16 expect status 200\n");

	assert_xp(doc, "/testsuites/testsuite[2]/testcase[3]/skipped/@message",
		  "not reached: scene 'Kitchen' failed");
	/* GitLab shows the element's text, not the attribute: both say it. */
	assert_xp(doc, "/testsuites/testsuite[2]/testcase[3]/skipped",
		  "not reached: scene 'Kitchen' failed");
	assert_xp_count(doc, "/testsuites/testsuite[2]/testcase[1]/*[name()!='system-out']", 0);

	/* The response never completed: a transport failure. */
	assert_xp(doc, "/testsuites/testsuite[3]/testcase[1]/failure/@type", "transport");
	assert_xp(doc, "/testsuites/testsuite[3]/testcase[1]/failure/@message",
		  "rehearsals/reset.rehearsal:4: connection reset by peer (Recv failure)");
	assert_xp_contains(doc, "/testsuites/testsuite[3]/testcase[1]/failure",
			   "request: GET http://127.0.0.1:8080/fault/reset (no response)\n");
	text = xp(doc, "/testsuites/testsuite[3]/testcase[1]/failure");
	assert_int_equal(annotated_line(text, "rehearsals/reset.rehearsal"), 4);
	free(text);
	text = xp(doc, "/testsuites/testsuite[4]/testcase[1]/error");
	assert_int_equal(annotated_line(text, "rehearsals/down.rehearsal"), 4);
	free(text);

	assert_xp(doc, "/testsuites/testsuite[4]/testcase[1]/error/@type", "unreachable");
	assert_xp(doc, "/testsuites/testsuite[4]/testcase[1]/error/@message",
		  "rehearsals/down.rehearsal:4: could not connect to 127.0.0.1:9: Connection refused");
	assert_xp(doc, "/testsuites/testsuite[4]/testcase[2]/skipped/@message",
		  "not reached: scene 'Find the menu' was unreachable");
	assert_xp(doc, "/testsuites/testsuite[4]/testcase[2]/skipped",
		  "not reached: scene 'Find the menu' was unreachable");
	xmlFreeDoc(doc);
	scratch_remove(&s);
}

static void test_broken_and_setup(void **state)
{
	fixture *fx = *state;
	scratch s;
	fx_full(fx);
	scratch_make(&s);
	assert_int_equal(tw_report_junit(fx->run, NULL, s.path, NULL), TW_OK);
	xmlDocPtr doc = load(s.path);

	const char *b = "/testsuites/testsuite[5]";
	char e[256];
#define AT(rest) (snprintf(e, sizeof(e), "%s%s", b, rest), e)
	assert_xp(doc, AT("/@name"), "rehearsals/broken.rehearsal");
	assert_xp(doc, AT("/@tests"), "1");
	assert_xp(doc, AT("/@errors"), "1");
	assert_xp(doc, AT("/@failures"), "0");
	assert_xp(doc, AT("/testcase/@name"), "script");
	assert_xp(doc, AT("/testcase/error/@type"), "script");
	assert_xp(doc, AT("/testcase/error/@message"),
		  "rehearsals/broken.rehearsal:3:5: syntax error: unknown step 'clik' (did you "
		  "mean 'click'?)");
	assert_xp(doc, AT("/testcase/error"),
		  "rehearsals/broken.rehearsal:3:5: syntax error: unknown step 'clik' (did you "
		  "mean 'click'?)\n"
		  "     3 |   clik \"Margherita\"\n"
		  "       |     ^\n"
		  "\n"
		  "    at rehearsals/broken.rehearsal:3\n");
	char *text = xp(doc, AT("/testcase/error"));
	assert_int_equal(annotated_line(text, "rehearsals/broken.rehearsal"), 3);
	free(text);
	/* No script: only the file is known, and the run's verdict. */
	assert_xp_count(doc, "/testsuites/testsuite[5]/properties/property", 2);
	assert_xp(doc, AT("/properties/property[@name='verdict']/@value"),
		  "NOT READY: a script could not run");

	b = "/testsuites/testsuite[6]";
	assert_xp(doc, AT("/@name"), "Pay by card");
	assert_xp(doc, AT("/@tests"), "1");
	assert_xp(doc, AT("/@errors"), "1");
	assert_xp(doc, AT("/testcase/@name"), "setup");
	assert_xp(doc, AT("/testcase/error/@type"), "setup");
	assert_xp(doc, AT("/testcase/error/@message"),
		  "rehearsals/pay.rehearsal:6: error: secret CARD_NUMBER is not set in the "
		  "environment");

	b = "/testsuites/testsuite[7]";
	assert_xp(doc, AT("/testcase/@name"), "setup");
	assert_xp(doc, AT("/testcase/error/@type"), "unreachable");
	assert_xp(doc, AT("/testcase/error/@message"),
		  "transport error: could not resolve host: stage.invalid");
#undef AT
	xmlFreeDoc(doc);
	scratch_remove(&s);
}

/* Attributes are one line, cut; text keeps what XML 1.0 can carry. */
static void test_hostile_text(void **state)
{
	fixture *fx = *state;
	tw_script *sc = fx_script(fx, "rehearsals/x.rehearsal", "Line\nbreak\ttab\x02name", 1);
	tw_scene *scene = fx_scene(sc, 0, "Scene \xc3\x28 broken \xed\xa0\x80 surrogate", 2, false, 1);
	fx_step(sc, scene, 0, TW_STEP_EXPECT, 3, "expect body contains \"\xef\xbf\xbe\"");
	tw_rehearsal_result *r = fx_result(fx, sc, TW_STATUS_FAILED, 1);
	r->scenes[0].status = TW_STATUS_FAILED;
	char longmsg[2000];
	memset(longmsg, 'x', sizeof(longmsg) - 1);
	longmsg[sizeof(longmsg) - 1] = '\0';
	tw_step_result *st = fx_set(r, 0, 0, TW_STATUS_FAILED, longmsg);
	st->actual = fx_dup("line one\r\nline\ttwo\x7f\x1f\x0b\x0c end \xf4\x90\x80\x80 \xc0\xaf");

	scratch s;
	scratch_make(&s);
	assert_int_equal(tw_report_junit(fx->run, NULL, s.path, NULL), TW_OK);
	if (have_xmllint())
		assert_valid(s.path);
	xmlDocPtr doc = load(s.path);
	assert_xp(doc, "/testsuites/testsuite/@name", "Line break tab\xEF\xBF\xBDname");
	assert_xp(doc, "//testcase/@name",
		  "Scene \xEF\xBF\xBD( broken \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD surrogate");
	/* rehearsals/x.rehearsal:3: is 26 characters, then x up to 300, then "…". */
	char *msg = xp(doc, "//failure/@message");
	assert_int_equal(strlen(msg), 300 + 3);
	assert_memory_equal(msg, "rehearsals/x.rehearsal:3: xxx", 29);
	assert_string_equal(msg + 300, "\xE2\x80\xA6");
	free(msg);
	assert_xp_contains(doc, "//failure",
			   "actual: line one\r\nline\ttwo\x7f\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD end "
			   "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD\n");
	assert_xp_contains(doc, "//failure", "    expect body contains \"\xEF\xBF\xBD\"\n");
	xmlFreeDoc(doc);
	scratch_remove(&s);
}

static void test_empty_run(void **state)
{
	fixture *fx = *state;
	scratch s;
	scratch_make(&s);
	assert_int_equal(tw_report_junit(fx->run, NULL, s.path, NULL), TW_OK);
	if (have_xmllint())
		assert_valid(s.path);
	xmlDocPtr doc = load(s.path);
	assert_xp(doc, "/testsuites/@tests", "0");
	assert_xp(doc, "/testsuites/@time", "0.000");
	assert_xp_count(doc, "/testsuites/*", 0);
	xmlFreeDoc(doc);
	scratch_remove(&s);
}

/* A report that cannot be written says why and leaves nothing behind. */
static void test_write_failure(void **state)
{
	fixture *fx = *state;
	fx_full(fx);
	scratch s;
	scratch_make(&s);
	char path[200];
	scratch_blocked(&s, path, sizeof(path));

	tw_error err = {0};
	assert_int_equal(tw_report_junit(fx->run, NULL, path, &err), TW_EIO);
	assert_non_null(err.message);
	tw_error_clear(&err);
	struct stat st;
	assert_int_not_equal(stat(path, &st), 0);

	assert_int_equal(tw_report_junit(fx->run, NULL, NULL, &err), TW_EUSAGE);
	assert_non_null(err.message);
	tw_error_clear(&err);
	scratch_remove(&s);
}

/* A rehearsal passed on `path`, named `name`, of one scene of one step. */
static void add_named(fixture *fx, const char *path, const char *name)
{
	tw_script *s = fx_script(fx, path, name, 1);
	tw_scene *a = fx_scene(s, 0, "Look", 2, false, 1);
	fx_step(s, a, 0, TW_STEP_EXPECT, 3, "expect status 200");
	fx_result(fx, s, TW_STATUS_PASSED, 1);
}

/*
 * classname is the rehearsal's identity, unique in the run: CI tools key a
 * testcase on suite, classname and name (GitLab dropped one of two
 * rehearsals of the same name as a duplicate), and Jenkins splits it at its
 * last dot into package and class. So it is the path without .rehearsal,
 * folders joined by dots, a dot inside a name made '_', and a later
 * rehearsal that would repeat one gets its suite's id after '-'.
 */
static void test_classname_identity(void **state)
{
	fixture *fx = *state;
	add_named(fx, "rehearsals/pizza.rehearsal", "Checkout");
	add_named(fx, "rehearsals/fail/pizza.rehearsal", "Checkout");
	add_named(fx, "./rehearsals/v1.2/menu.prices.rehearsal", "Menu");
	add_named(fx, "rehearsals/pizza.rehearsal", "Checkout");
	add_named(fx, "techweek.rehearsal", "Mine");
	add_named(fx, "../shared/smoke.rehearsal", "Smoke");
	add_named(fx, "rehearsals/fail.pizza.rehearsal", "Checkout");
	fx_metrics(fx);
	scratch s;
	scratch_make(&s);
	assert_int_equal(tw_report_junit(fx->run, NULL, s.path, NULL), TW_OK);
	if (have_xmllint())
		assert_valid(s.path);
	xmlDocPtr doc = load(s.path);
	assert_xp(doc, "/testsuites/testsuite[1]/testcase/@classname", "rehearsals.pizza");
	assert_xp(doc, "/testsuites/testsuite[2]/testcase/@classname", "rehearsals.fail.pizza");
	assert_xp(doc, "/testsuites/testsuite[3]/testcase/@classname", "rehearsals.v1_2.menu_prices");
	/* The same file twice: the second is told apart by its suite's id. */
	assert_xp(doc, "/testsuites/testsuite[4]/@id", "3");
	assert_xp(doc, "/testsuites/testsuite[4]/testcase/@classname", "rehearsals.pizza-3");
	/* "techweek" is the verdict's classname. */
	assert_xp(doc, "/testsuites/testsuite[5]/testcase/@classname", "techweek-4");
	assert_xp(doc, "/testsuites/testsuite[6]/testcase/@classname", "shared.smoke");
	assert_xp(doc, "/testsuites/testsuite[7]/testcase/@classname", "rehearsals.fail_pizza");
	assert_xp(doc, "/testsuites/testsuite[8]/testcase/@classname", "techweek");
	/* Suites are named as every other report names the rehearsal: its
	 * name, with its path when another has the same name (xunit-viewer
	 * merges suites of one name into one). */
	assert_xp(doc, "/testsuites/testsuite[2]/@name", "Checkout (rehearsals/fail/pizza.rehearsal)");
	assert_xp(doc, "/testsuites/testsuite[3]/@name", "Menu");
	xmlFreeDoc(doc);
	scratch_remove(&s);
}

/* A passed and a failed rehearsal, scored; the figures a report is
 * handed are then set by the test. The caller frees the score. */
static void scored_run(fixture *fx, tw_run_score *sc, double gate)
{
	fx_add_passed(fx);
	fx_add_failed(fx);
	fx_metrics(fx);
	tw_readiness_config cfg;
	tw_readiness_config_init(&cfg);
	cfg.gate = gate;
	assert_int_equal(tw_readiness_score(fx->run, &cfg, sc, NULL), TW_OK);
	tw_readiness_config_free(&cfg);
}

static xmlDocPtr write_scored(fixture *fx, const tw_run_score *sc, scratch *s)
{
	scratch_make(s);
	tw_error err = {0};
	if (tw_report_junit(fx->run, sc, s->path, &err) != TW_OK)
		fail_msg("tw_report_junit: %s", err.message ? err.message : "?");
	if (have_xmllint())
		assert_valid(s->path);
	return load(s->path);
}

/* The score as shown: rounded down to one decimal like every report
 * (97.959 is 97.9, not 98.0), and a minimum as it was set. */
static void test_readiness_shown(void **state)
{
	fixture *fx = *state;
	tw_run_score sc;
	scored_run(fx, &sc, -1);
	sc.rehearsals[0].score = 97.959;
	sc.rehearsals[0].minimum = 99.75;
	scratch s;
	xmlDocPtr doc = write_scored(fx, &sc, &s);
	const char *p = "/testsuites/testsuite[1]/properties/property";
	char e[256];
	snprintf(e, sizeof(e), "%s[@name='readiness']/@value", p);
	assert_xp(doc, e, "97.9");
	snprintf(e, sizeof(e), "%s[@name='readiness_minimum']/@value", p);
	assert_xp(doc, e, "99.75");
	xmlFreeDoc(doc);
	scratch_remove(&s);
	tw_run_score_free(&sc);
}

/* Every score figure JUnit writes follows the one rule the other reports
 * follow (tw_score_shown): rounded down, so that a score or part just
 * below a round number never reads as that number. 79.958 is 79.9 in
 * JUnit and the HTML (the JSON keeps 79.958); a part of 0.99975 (2 of 8000
 * performances missed) is 0.999 in JUnit and the JSON, not 1.000, which
 * would read as every performance achieving the outcome. */
static void test_score_figures_round_down(void **state)
{
	fixture *fx = *state;
	tw_run_score sc;
	scored_run(fx, &sc, -1);
	tw_rehearsal_score *rs = &sc.rehearsals[0];
	rs->score = 79.958;
	rs->part[TW_PART_OUTCOME] = 0.99975;
	rs->part[TW_PART_RESPONSIVENESS] = 2.0 / 3.0;
	rs->part[TW_PART_CONSISTENCY] = 0.875;
	rs->part[TW_PART_EFFORT] = 1;

	scratch s;
	xmlDocPtr doc = write_scored(fx, &sc, &s);
	const char *p = "/testsuites/testsuite[1]/properties/property";
	char e[256];
#define PROP(n) (snprintf(e, sizeof(e), "%s[@name='%s']/@value", p, n), e)
	assert_xp(doc, PROP("readiness"), "79.9");
	assert_xp(doc, PROP("readiness_outcome"), "0.999");
	assert_xp(doc, PROP("readiness_responsiveness"), "0.666");
	assert_xp(doc, PROP("readiness_consistency"), "0.875");
	assert_xp(doc, PROP("readiness_effort"), "1");
#undef PROP
	xmlFreeDoc(doc);
	scratch_remove(&s);

	/* The JSON result and the HTML report, from the same score. */
	tw_buf out;
	tw_error err = {0};
	assert_int_equal(tw_report_json_render(fx->run, &sc, &out, &err), TW_OK);
	json_error_t jerr;
	json_t *json = json_loadb(tw_buf_str(&out), out.len, 0, &jerr);
	assert_non_null(json);
	tw_buf_free(&out);
	json_t *readiness = json_object_get(json_array_get(json_object_get(json, "rehearsals"), 0),
					    "readiness");
	char shown[TW_SCORE_SHOWN_SIZE];
	assert_string_equal(tw_score_shown(shown, sizeof(shown),
					   json_real_value(json_object_get(readiness, "score"))),
			    "79.9");
	json_t *parts = json_object_get(readiness, "parts");
	assert_true(json_real_value(json_object_get(parts, "outcome")) == 0.999);
	assert_true(json_real_value(json_object_get(parts, "responsiveness")) == 0.666);
	json_decref(json);

	assert_int_equal(tw_report_html_render(fx->run, &sc, &out, &err), TW_OK);
	assert_non_null(strstr(tw_buf_str(&out), ">79.9/100<"));
	assert_null(strstr(tw_buf_str(&out), ">80/100<"));
	tw_buf_free(&out);
	tw_run_score_free(&sc);
}

/* A dress rehearsal of fx_add_failed's journey: its first performance is
 * the shown one (scene 2 fails, scene 3 is not reached), then three more
 * pass, every step taking 2 ms. */
static void dress_run(fixture *fx)
{
	fx_add_failed(fx);
	fx_metrics(fx);
	for (int k = 0; k < 3; k++) {
		tw_rehearsal_result r;
		fx_perf(fx, &r, fx->scripts[0], TW_STATUS_PASSED, 50);
		for (size_t i = 0; i < r.scene_count; i++)
			for (size_t j = 0; j < r.scenes[i].scene->touchpoint_count; j++)
				r.scenes[i].steps[j].elapsed_ms = 2;
		assert_int_equal(tw_rehearsal_metrics_add(&fx->run->metrics[0], &r), TW_OK);
		tw_rehearsal_result_free(&r);
	}
}

#define KITCHEN "/testsuites/testsuite[1]/testcase[2]"
#define KITCHEN_CAUSE                                                                              \
	"rehearsals/api.rehearsal:14: expected json $.status == \"baking\", got \"cold\""

/* A scene that failed in 1 of 4 performances says so where CI looks: the
 * failure's message (Jenkins, mikepenz/action-junit-report) and the head
 * of its text (GitLab). */
static void test_dress_flaky_failure(void **state)
{
	fixture *fx = *state;
	dress_run(fx);
	tw_run_score sc;
	tw_readiness_config cfg;
	tw_readiness_config_init(&cfg);
	assert_int_equal(tw_readiness_score(fx->run, &cfg, &sc, NULL), TW_OK);
	tw_readiness_config_free(&cfg);
	assert_false(sc.rehearsals[0].met);

	scratch s;
	xmlDocPtr doc = write_scored(fx, &sc, &s);
	assert_xp(doc, "/testsuites/testsuite[1]/@failures", "1");
	assert_xp(doc, KITCHEN "/failure/@type", "expectation");
	assert_xp(doc, KITCHEN "/failure/@message", "flaky: 1 of 4 failed; " KITCHEN_CAUSE);
	assert_xp_contains(doc, KITCHEN "/failure",
			   "flaky: 1 of 4 failed; the first that failed:\n" KITCHEN_CAUSE "\n"
			   "    expect json $.status == \"baking\"\n");
	assert_xp_count(doc, KITCHEN "/flakyFailure", 0);
	/* Not the failing scene: as before. */
	assert_xp_count(doc, "/testsuites/testsuite[1]/testcase[1]/*[name()!='system-out']", 0);
	assert_xp(doc, "/testsuites/testsuite[1]/testcase[3]/skipped/@message",
		  "not reached: scene 'Kitchen' failed");
	xmlFreeDoc(doc);
	scratch_remove(&s);

	/* Met its required rate: the testcase passes, and the failed
	 * performances are Surefire's flakyFailure (a test that passed with
	 * runs that failed), its details in a stackTrace. */
	sc.rehearsals[0].met = true;
	doc = write_scored(fx, &sc, &s);
	assert_xp(doc, "/testsuites/testsuite[1]/@failures", "0");
	assert_xp_count(doc, KITCHEN "/failure", 0);
	assert_xp_count(doc, KITCHEN "/flakyFailure", 1);
	assert_xp(doc, KITCHEN "/flakyFailure/@type", "expectation");
	assert_xp(doc, KITCHEN "/flakyFailure/@message", "flaky: 1 of 4 failed; " KITCHEN_CAUSE);
	assert_xp_contains(doc, KITCHEN "/flakyFailure/stackTrace",
			   KITCHEN_CAUSE "\n    expect json $.status == \"baking\"\n");
	assert_xp_contains(doc, KITCHEN "/system-out",
			   "1 of 4 performances failed; the journey met its required outcome rate");
	xmlFreeDoc(doc);
	scratch_remove(&s);
	tw_run_score_free(&sc);
}

/* A scene that failed in every performance of a dress rehearsal is not
 * flaky, and its message says that too. */
static void test_dress_steady_failure(void **state)
{
	fixture *fx = *state;
	fx_add_failed(fx);
	fx_metrics(fx);
	tw_rehearsal_result r;
	fx_perf(fx, &r, fx->scripts[0], TW_STATUS_FAILED, 50);
	r.scenes[1].status = TW_STATUS_FAILED;
	r.scenes[1].steps[1].status = TW_STATUS_FAILED;
	fx_skip_rest(&r, 1, 2);
	fx_skip_scene(&r, 2);
	assert_int_equal(tw_rehearsal_metrics_add(&fx->run->metrics[0], &r), TW_OK);
	tw_rehearsal_result_free(&r);

	scratch s;
	scratch_make(&s);
	assert_int_equal(tw_report_junit(fx->run, NULL, s.path, NULL), TW_OK);
	if (have_xmllint())
		assert_valid(s.path);
	xmlDocPtr doc = load(s.path);
	assert_xp(doc, KITCHEN "/failure/@message", "2 of 2 failed; " KITCHEN_CAUSE);
	assert_xp_contains(doc, KITCHEN "/failure", "2 of 2 failed; the first that failed:\n");
	xmlFreeDoc(doc);
	scratch_remove(&s);
}

/* In a dress rehearsal a testcase's time is the scene's time summed over
 * every performance, and a suite's the sum of its testcases': what
 * GitLab adds up (it reads no suite time) and Jenkins reads. Not the one
 * performance shown (10 + 20 + 30 ms here). */
static void test_dress_time(void **state)
{
	fixture *fx = *state;
	dress_run(fx);
	scratch s;
	scratch_make(&s);
	assert_int_equal(tw_report_junit(fx->run, NULL, s.path, NULL), TW_OK);
	xmlDocPtr doc = load(s.path);
	/* Scene 1: 12 ms shown + 3 x 2 ms; scene 2: 8 + 0.1 + 0.1 shown + 3
	 * x 4 x 2 ms; scene 3: not reached when shown, 3 x 2 ms. */
	assert_xp(doc, "/testsuites/testsuite[1]/testcase[1]/@time", "0.018");
	assert_xp(doc, "/testsuites/testsuite[1]/testcase[2]/@time", "0.032");
	assert_xp(doc, "/testsuites/testsuite[1]/testcase[3]/@time", "0.006");
	assert_xp(doc, "/testsuites/testsuite[1]/@time", "0.056");
	xmlFreeDoc(doc);
	scratch_remove(&s);
}

#define VERDICT_CASE "/testsuites/testsuite[@name='curtain-up readiness']/testcase"

/* The verdict as a testcase CI counts: passed when READY, a failure
 * giving the reasons otherwise, whatever the journeys' own testcases. */
static void test_verdict_case(void **state)
{
	fixture *fx = *state;
	tw_run_score sc;
	scored_run(fx, &sc, 99.8);
	scratch s;

	/* A journey short of its rate, a minimum and the gate missed. */
	sc.score = 99.75;
	sc.below_gate = true;
	sc.rehearsals[0].score = 89.95;
	sc.rehearsals[0].minimum = 90;
	sc.rehearsals[0].below_minimum = true;
	sc.gate_held = false;
	sc.verdict = tw_readiness_verdict(fx->run, &sc);
	assert_int_equal(sc.verdict, TW_VERDICT_NOT_READY);
	xmlDocPtr doc = write_scored(fx, &sc, &s);
	assert_xp_count(doc, "/testsuites/testsuite", 3);
	assert_xp(doc, "/testsuites/testsuite[3]/@name", "curtain-up readiness");
	assert_xp(doc, "/testsuites/testsuite[3]/@tests", "1");
	assert_xp(doc, "/testsuites/testsuite[3]/@failures", "1");
	assert_xp(doc, "/testsuites/testsuite[3]/properties/property[@name='verdict']/@value",
		  "NOT READY");
	assert_xp(doc, "/testsuites/testsuite[3]/properties/property[@name='readiness']/@value",
		  "99.7");
	assert_xp(doc, "/testsuites/testsuite[3]/properties/property[@name='gate']/@value", "99.8");
	assert_xp(doc, VERDICT_CASE "/@classname", "techweek");
	assert_xp(doc, VERDICT_CASE "/@name", "readiness verdict");
	assert_xp(doc, VERDICT_CASE "/failure/@type", "failed");
	assert_xp(doc, VERDICT_CASE "/failure/@message",
		  "NOT READY: " FX_FAILING_NAME ": achieved 0 of 1 performance (0%), short of its "
		  "required 99%; below the gate of 99.8: the run scores 99.7; Order a pizza online: "
		  "scored 89.9, below its minimum of 90");
	assert_xp_contains(doc, VERDICT_CASE "/failure",
			   "below the gate of 99.8: the run scores 99.7\n");
	/* the journeys' failures and the verdict's, counted together */
	assert_xp(doc, "/testsuites/@tests", "6");
	assert_xp(doc, "/testsuites/@failures", "2");
	xmlFreeDoc(doc);
	scratch_remove(&s);

	/* NOT READY on the gate alone: the verdict is the only failure. */
	sc.rehearsals[1].met = true;
	sc.rehearsals[0].below_minimum = false;
	sc.verdict = tw_readiness_verdict(fx->run, &sc);
	doc = write_scored(fx, &sc, &s);
	assert_xp(doc, "/testsuites/@failures", "1");
	assert_xp(doc, VERDICT_CASE "/failure/@message",
		  "NOT READY: below the gate of 99.8: the run scores 99.7");
	xmlFreeDoc(doc);
	scratch_remove(&s);

	/* READY: the verdict passes. */
	sc.below_gate = false;
	sc.gate_held = true;
	sc.verdict = TW_VERDICT_READY;
	doc = write_scored(fx, &sc, &s);
	assert_xp(doc, "/testsuites/@failures", "0");
	assert_xp_count(doc, VERDICT_CASE, 1);
	assert_xp_count(doc, VERDICT_CASE "/*", 0);
	assert_xp(doc, "/testsuites/testsuite[3]/@failures", "0");
	assert_xp(doc, "/testsuites/testsuite[3]/properties/property[@name='verdict']/@value",
		  "READY: curtain up");
	xmlFreeDoc(doc);
	scratch_remove(&s);
	tw_run_score_free(&sc);
}

/* TW_REPORT_JUNIT_LOCATIONS (--junit-locations): file and line on each
 * testcase but the verdict's, where GitLab, dorny/test-reporter and
 * mikepenz read them: the first step that did not hold, else where the
 * scene starts; a script or setup testcase, its problem's place (no line
 * when it has none). Without it no testcase has either, as the schema
 * requires. */
static void test_locations(void **state)
{
	fixture *fx = *state;
	scratch s;
	xmlDocPtr plain = full_report(fx, &s);
	assert_int_equal((long)xp_num(plain, "count(//testcase[@file or @line])"), 0);
	xmlFreeDoc(plain);
	scratch_remove(&s);

	scratch_make(&s);
	tw_report_file_ext file = TW_REPORT_FILE_EXT_INIT;
	file.kind = TW_REPORT_JUNIT;
	file.path = s.path;
	file.options = TW_REPORT_JUNIT_LOCATIONS;
	tw_error err = {0};
	if (tw_report_write_set_ext(fx->run, NULL, &file, 1, &err) != TW_OK)
		fail_msg("tw_report_write_set_ext: %s", err.message ? err.message : "?");
	xmlDocPtr doc = load(s.path);
#define CASE(suite, test, what) "/testsuites/testsuite[" #suite "]/testcase[" #test "]/@" what
	assert_xp(doc, CASE(2, 1, "file"), "rehearsals/api.rehearsal");
	assert_xp(doc, CASE(2, 1, "line"), "5");   /* passed: the scene's line */
	assert_xp(doc, CASE(2, 2, "line"), "14");  /* the first expectation that failed */
	assert_xp(doc, CASE(2, 3, "line"), "20");  /* not reached */
	assert_xp(doc, CASE(3, 1, "line"), "4");   /* transport */
	assert_xp(doc, CASE(5, 1, "file"), "rehearsals/broken.rehearsal");
	assert_xp(doc, CASE(5, 1, "line"), "3");   /* the syntax error */
	assert_xp(doc, CASE(6, 1, "file"), "rehearsals/pay.rehearsal");
	assert_xp(doc, CASE(6, 1, "line"), "6");   /* the missing secret */
	assert_xp(doc, CASE(7, 1, "file"), "rehearsals/dns.rehearsal");
	assert_int_equal((long)xp_num(doc, "count(/testsuites/testsuite[7]/testcase[1]/@line)"), 0);
	assert_int_equal((long)xp_num(doc, "count(//testcase[@classname='techweek'][@file or @line])"), 0);
	assert_int_equal((long)xp_num(doc, "count(//testcase[not(@file)])"), 1);
#undef CASE
	xmlFreeDoc(doc);
	scratch_remove(&s);
}

/* Every time stamp shown says its zone (issue 11): techweek's are UTC,
 * and one from an older result without a zone gets its "Z"; one with a
 * zone is kept. */
static void test_stamp_zone(void **state)
{
	(void)state;
	static const struct {
		const char *stamp, *want;
	} cases[] = {
		{"2024-05-01T02:00:00", "2024-05-01T02:00:00Z"},
		{"2024-05-01T02:00:00Z", "2024-05-01T02:00:00Z"},
		{"2024-05-01T02:00:00.250", "2024-05-01T02:00:00.250Z"},
		{"2024-05-01T04:00:00+02:00", "2024-05-01T04:00:00+02:00"},
		{"2024-05-01T02:00:00-0500", "2024-05-01T02:00:00-0500"},
		{"", ""},
		{NULL, ""},
		{"not a time", "not a time"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[TW_STAMP_SHOWN_SIZE];
		assert_string_equal(tw_stamp_shown(out, sizeof(out), cases[i].stamp), cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_validates_against_schema, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_chain, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_totals_and_suites, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_failure_details, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_broken_and_setup, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_hostile_text, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_classname_identity, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_empty_run, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_write_failure, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_readiness_shown, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_verdict_case, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_score_figures_round_down, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_dress_flaky_failure, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_dress_steady_failure, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_dress_time, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_locations, fx_setup, fx_teardown),
		cmocka_unit_test(test_stamp_zone),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	xmlCleanupParser();
	return failed;
}
