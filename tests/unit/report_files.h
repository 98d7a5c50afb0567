/*
 * What the report tests share: a scratch folder per test, the report
 * written to REPORT_FILE (defined by the test before including this) in a
 * folder that does not exist yet, so the writer must create it; and
 * XPath checks on a parsed XML or HTML report. Static functions: each test
 * program includes this once.
 */
#ifndef TW_TEST_REPORT_FILES_H
#define TW_TEST_REPORT_FILES_H

#include <libxml/xpath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct scratch {
	char dir[64];
	char path[160];
} scratch;

static void scratch_make(scratch *s)
{
	strcpy(s->dir, "/tmp/tw-report-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->path, sizeof(s->path), "%s/reports/%s", s->dir, REPORT_FILE);
}

static void scratch_remove(scratch *s)
{
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
	assert_int_equal(system(cmd), 0);
}

/* A report path no writer can create: under a regular file. */
static void scratch_blocked(const scratch *s, char *path, size_t n)
{
	char blocker[96];
	snprintf(blocker, sizeof(blocker), "%s/file", s->dir);
	FILE *f = fopen(blocker, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(path, n, "%s/%s", blocker, REPORT_FILE);
}

/* The string value of an XPath expression; malloc'd. */
static inline char *xp(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	assert_non_null(ctx);
	char wrapped[512];
	snprintf(wrapped, sizeof(wrapped), "string(%s)", expr);
	xmlXPathObjectPtr obj = xmlXPathEvalExpression(BAD_CAST wrapped, ctx);
	assert_non_null(obj);
	char *s = strdup((const char *)(obj->stringval ? obj->stringval : BAD_CAST ""));
	xmlXPathFreeObject(obj);
	xmlXPathFreeContext(ctx);
	return s;
}

static inline double xp_num(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr obj = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	assert_non_null(obj);
	double n = obj->floatval;
	xmlXPathFreeObject(obj);
	xmlXPathFreeContext(ctx);
	return n;
}

#define assert_xp(doc, expr, want)                                                                 \
	do {                                                                                       \
		char *got_ = xp(doc, expr);                                                        \
		if (strcmp(got_, want) != 0)                                                       \
			fail_msg("%s\n  got:  \"%s\"\n  want: \"%s\"", expr, got_, want);          \
		free(got_);                                                                        \
	} while (0)

#define assert_xp_contains(doc, expr, want)                                                        \
	do {                                                                                       \
		char *got_ = xp(doc, expr);                                                        \
		if (!strstr(got_, want))                                                           \
			fail_msg("%s\n  got:  \"%s\"\n  does not contain: \"%s\"", expr, got_,     \
				 want);                                                            \
		free(got_);                                                                        \
	} while (0)

#define assert_xp_count(doc, expr, n) assert_int_equal((long)xp_num(doc, "count(" expr ")"), n)

#endif
