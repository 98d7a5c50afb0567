/*
 * The allocation hook (torture.h). The program is linked with
 * -Wl,--wrap=malloc,... so that the engine's calls reach __wrap_malloc
 * here, which fails the armed call and hands the others to the C library
 * (__real_malloc). jansson and libxml2 allocate inside their own shared
 * objects, where --wrap does not reach, so their allocator hooks point
 * here too. PCRE2 allocates with its default allocator unless given a
 * general context, which the engine does not make: its allocations are
 * not counted.
 */
#include "torture.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>

#include "techweek/error.h"

#ifdef TW_HAVE_VALGRIND_H
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
int __real_vasprintf(char **out, const char *fmt, va_list ap);
char *__real_realpath(const char *path, char *resolved);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
int __wrap_asprintf(char **out, const char *fmt, ...);
int __wrap_vasprintf(char **out, const char *fmt, va_list ap);
char *__wrap_realpath(const char *path, char *resolved);
json_t *__real_json_loads(const char *input, size_t flags, json_error_t *error);
json_t *__real_json_loadb(const char *buffer, size_t buflen, size_t flags, json_error_t *error);
json_t *__real_json_load_file(const char *path, size_t flags, json_error_t *error);
json_t *__wrap_json_loads(const char *input, size_t flags, json_error_t *error);
json_t *__wrap_json_loadb(const char *buffer, size_t buflen, size_t flags, json_error_t *error);
json_t *__wrap_json_load_file(const char *path, size_t flags, json_error_t *error);

/* The test's own state, never the engine's. */
static bool armed;
static long fail_at; /* the call that fails; 0: none */
static long calls;   /* allocations made since armed */
static bool fired;
static const char *fired_in; /* whose allocation failed */
static const char *caller;   /* set by the library hooks around a call */
static bool decoding;        /* inside json_load* */

/* Counts one allocation; true when it is the one to fail. */
static bool failing(void)
{
	if (!armed)
		return false;
	if (++calls != fail_at)
		return false;
	fired = true;
	fired_in = caller ? caller : "the engine";
	errno = ENOMEM;
	return true;
}

void *__wrap_malloc(size_t size)
{
	return failing() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return failing() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
	return failing() ? NULL : __real_realloc(p, size);
}

char *__wrap_strdup(const char *s)
{
	return failing() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
	return failing() ? NULL : __real_strndup(s, n);
}

int __wrap_vasprintf(char **out, const char *fmt, va_list ap)
{
	return failing() ? -1 : __real_vasprintf(out, fmt, ap);
}

int __wrap_asprintf(char **out, const char *fmt, ...)
{
	if (failing())
		return -1;
	va_list ap;
	va_start(ap, fmt);
	int n = __real_vasprintf(out, fmt, ap);
	va_end(ap);
	return n;
}

/* Only realpath(path, NULL) allocates. */
char *__wrap_realpath(const char *path, char *resolved)
{
	return !resolved && failing() ? NULL : __real_realpath(path, resolved);
}

/* jansson's decoder, told apart from the rest of jansson: the torture
 * forgives it what it cannot help (torture.h). */
#define DECODER "jansson's decoder"

json_t *__wrap_json_loads(const char *input, size_t flags, json_error_t *error)
{
	decoding = true;
	json_t *j = __real_json_loads(input, flags, error);
	decoding = false;
	return j;
}

json_t *__wrap_json_loadb(const char *buffer, size_t buflen, size_t flags, json_error_t *error)
{
	decoding = true;
	json_t *j = __real_json_loadb(buffer, buflen, flags, error);
	decoding = false;
	return j;
}

json_t *__wrap_json_load_file(const char *path, size_t flags, json_error_t *error)
{
	decoding = true;
	json_t *j = __real_json_load_file(path, flags, error);
	decoding = false;
	return j;
}

static void *json_malloc(size_t size)
{
	caller = decoding ? DECODER : "jansson";
	void *p = __wrap_malloc(size);
	caller = NULL;
	return p;
}

static void *xml_malloc(size_t size)
{
	caller = "libxml2";
	void *p = __wrap_malloc(size);
	caller = NULL;
	return p;
}

static void *xml_realloc(void *p, size_t size)
{
	caller = "libxml2";
	p = __wrap_realloc(p, size);
	caller = NULL;
	return p;
}

static char *xml_strdup(const char *s)
{
	caller = "libxml2";
	char *p = __wrap_strdup(s);
	caller = NULL;
	return p;
}

static void hooked_free(void *p)
{
	free(p);
}

/* libxml2 prints each failed allocation through its generic handler; the
 * engine reads what it needs from the error itself. */
static void quiet(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

void torture_init(void)
{
	json_set_alloc_funcs(json_malloc, hooked_free);
	/* Before libxml2 allocates anything: what it frees must be ours. */
	xmlMemSetup(hooked_free, xml_malloc, xml_realloc, xml_strdup);
	xmlSetGenericErrorFunc(NULL, quiet);
}

void torture_arm(long n)
{
	fail_at = n;
	calls = 0;
	fired = false;
	fired_in = NULL;
	armed = true;
}

long torture_disarm(void)
{
	armed = false;
	return calls;
}

bool torture_fired(void)
{
	return fired;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One run of op failing the nth allocation (0: none). *digest gets the
 * result's text when op returned the expected code. Returns the tw_code;
 * *made the allocations counted. */
static int once(const torture_op *op, long n, long *made, char **digest, int expected)
{
	torture_arm(n);
	int rc = op->run(op->ctx);
	*made = torture_disarm();
	*digest = rc == expected && op->digest ? op->digest(op->ctx) : NULL;
	if (rc != expected && rc != TW_ENOMEM && op->err) {
		char *text = tw_error_format(op->err);
		fprintf(stderr, "  N=%ld: %s\n", n, text ? text : "?");
		free(text);
	}
	op->cleanup(op->ctx);
	return rc;
}

/* Every N, but under valgrind (some 30 times slower, and each N renders
 * the whole report again) about MAX_UNDER_VALGRIND of them, evenly
 * spread: ASan's run still fails every one. TORTURE_STRIDE=K fails every
 * Kth allocation instead. */
#define MAX_UNDER_VALGRIND 200

static long stride_for(long total)
{
	const char *given = getenv("TORTURE_STRIDE");
	if (given && strtol(given, NULL, 10) > 0)
		return strtol(given, NULL, 10);
	if (RUNNING_ON_VALGRIND && total > MAX_UNDER_VALGRIND)
		return (total + MAX_UNDER_VALGRIND - 1) / MAX_UNDER_VALGRIND;
	return 1;
}

/* The N after n; a stride still ends on last + 1, the run that must see
 * no failure. */
static long next_n(long n, long stride, long last)
{
	return n <= last && n + stride > last ? last + 1 : n + stride;
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int torture_run(const torture_op *op)
{
	return torture_run_expecting(op, TW_OK);
}

int torture_run_expecting(const torture_op *op, int expected)
{
	double start = now_s();
	long total = 0;
	char *want = NULL;
	int rc = once(op, 0, &total, &want, expected);
	if (rc != expected) {
		fprintf(stderr, "%s: without an injected failure: %s\n", op->name,
			tw_code_str((tw_code)rc));
		free(want);
		return 1;
	}
	long first = 1, last = total;
	const char *only = getenv("TORTURE_N");
	if (only)
		first = last = strtol(only, NULL, 10);
	long stride = stride_for(total);
	int problems = 0;
	long tolerated = 0, altered = 0;
	for (long n = first; n <= last + 1 && !(only && n > last); n = next_n(n, stride, last)) {
		long made = 0;
		char *got = NULL;
		rc = once(op, n, &made, &got, expected);
		if (!fired) {
			/* Past the last allocation: done. Fewer allocations
			 * than the count made without failures would mean the
			 * operation is not repeatable. */
			if (rc != expected || !same(got, want)) {
				fprintf(stderr, "%s: N=%ld: no failure injected, yet %s\n",
					op->name, n,
					rc != expected ? tw_code_str((tw_code)rc) : "another result");
				problems++;
			}
			free(got);
			break;
		}
		bool decoder = strcmp(fired_in, DECODER) == 0;
		if (decoder && rc == expected && !same(got, want)) {
			/* jansson's decoder drops a byte it could not save and
			 * reads on (jansson issue #362): the text decodes
			 * altered, and nothing downstream can tell. */
			altered++;
		} else if (rc == expected && !same(got, want)) {
			fprintf(stderr, "%s: N=%ld of %ld: an allocation by %s failed, yet no out of "
				"memory: another result\n", op->name, n, total, fired_in);
			if (only) /* reproducing one N: show what differs */
				fprintf(stderr, "--- without the failure:\n%s\n--- with it:\n%s\n", want,
					got);
			problems++;
		} else if (decoder && rc != expected && rc != TW_ENOMEM && rc != TW_OK) {
			/* The same, when what is left looks malformed: the
			 * engine reports bad JSON. */
			tolerated++;
		} else if (rc != expected && rc != TW_ENOMEM) {
			fprintf(stderr, "%s: N=%ld of %ld: an allocation by %s failed, reported as "
				"'%s' instead of out of memory\n", op->name, n, total, fired_in,
				tw_code_str((tw_code)rc));
			problems++;
		}
		free(got);
	}
	free(want);
	if (stride > 1)
		fprintf(stderr, "%s: %ld allocations, 1 in %ld failed in turn: %d problem%s",
			op->name, total, stride, problems, problems == 1 ? "" : "s");
	else
		fprintf(stderr, "%s: %ld allocations, each failed in turn: %d problem%s",
			op->name, total, problems, problems == 1 ? "" : "s");
	if (tolerated)
		fprintf(stderr, ", %ld failure%s in jansson's decoder reported as bad JSON",
			tolerated, tolerated == 1 ? "" : "s");
	if (altered)
		fprintf(stderr, ", %ld decoded altered by jansson's decoder", altered);
	fprintf(stderr, " (%.2f s)\n", now_s() - start);
	return problems;
}
