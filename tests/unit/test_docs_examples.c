/*
 * Keeps docs/language.md honest: every ```rehearsal block in it must parse
 * and pass the checker (with `stage` given, as `techweek check --var
 * stage=...` would), and every ```rehearsal-error block must fail with the
 * error its last line announces:
 *
 *   # error: LINE:COL: message prefix
 *
 * A reference whose examples do not run teaches the wrong language; this
 * test makes that a build failure.
 *
 * The doc's path comes from argv[1], else TW_SOURCE_ROOT/docs/language.md.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "techweek/script.h"
#include "techweek/vars.h"

#ifndef TW_SOURCE_ROOT
#define TW_SOURCE_ROOT "."
#endif

typedef struct example {
	char *text;  /* the block's content, malloc'd */
	int doc_line; /* the line of its opening fence */
	bool is_error;
	/* issue 13, USE: a ```rehearsal file NAME block: a file the examples
	 * use, written as NAME beside them (not an example of its own) */
	char *file;
} example;

typedef struct examples {
	example *items;
	size_t count;
} examples;

static const char *doc_path = TW_SOURCE_ROOT "/docs/language.md";

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	size_t r;
	while (buf && (r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (n + 1 == cap) {
			char *p = realloc(buf, cap * 2);
			if (!p) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = p;
			cap *= 2;
		}
	}
	fclose(f);
	if (buf)
		buf[n] = '\0';
	return buf;
}

/* Collects the ```rehearsal and ```rehearsal-error blocks. */
static void extract(const char *doc, examples *out)
{
	const char *p = doc;
	int line = 1;
	example cur = {0};
	bool inside = false, other_fence = false;
	size_t cap = 0;
	char *body = NULL;
	size_t body_len = 0;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		if (!inside && !other_fence && len >= 3 && strncmp(p, "```", 3) == 0) {
			/* "```rehearsal sketch": checked, but docs-run does not run it
			 * (it needs a service the stage does not play). */
			if ((len == 12 || (len == 19 && strncmp(p + 12, " sketch", 7) == 0)) &&
			    strncmp(p, "```rehearsal", 12) == 0) {
				inside = true;
				cur.is_error = false;
			} else if (len == 18 && strncmp(p, "```rehearsal-error", 18) == 0) {
				inside = true;
				cur.is_error = true;
			} else if (len > 18 && strncmp(p, "```rehearsal file ", 18) == 0) {
				/* issue 13, USE */
				inside = true;
				cur.is_error = false;
				cur.file = strndup(p + 18, len - 18);
				assert_non_null(cur.file);
			} else {
				other_fence = true;
			}
			if (inside) {
				cur.doc_line = line;
				body = NULL;
				body_len = 0;
			}
		} else if ((inside || other_fence) && len == 3 && strncmp(p, "```", 3) == 0) {
			if (inside) {
				if (out->count == cap) {
					cap = cap ? cap * 2 : 16;
					out->items = realloc(out->items, cap * sizeof(example));
					assert_non_null(out->items);
				}
				cur.text = body ? body : strdup("");
				out->items[out->count++] = cur;
				cur.file = NULL;
			}
			inside = other_fence = false;
		} else if (inside) {
			body = realloc(body, body_len + len + 2);
			assert_non_null(body);
			memcpy(body + body_len, p, len);
			body_len += len;
			body[body_len++] = '\n';
			body[body_len] = '\0';
		}
		line++;
		p = eol ? eol + 1 : p + len;
	}
	assert_false(inside); /* an unclosed fence */
}

static void free_examples(examples *ex)
{
	for (size_t i = 0; i < ex->count; i++) {
		free(ex->items[i].text);
		free(ex->items[i].file);
	}
	free(ex->items);
}

/* The expected error from the block's last non-empty line. */
static void expected_error(const example *e, int *line, int *col, char *msg, size_t n)
{
	const char *last = NULL;
	for (const char *p = e->text; *p;) {
		const char *eol = strchr(p, '\n');
		if (eol != p)
			last = p;
		p = eol ? eol + 1 : p + strlen(p);
	}
	if (!last || sscanf(last, "# error: %d:%d: ", line, col) != 2)
		fail_msg("docs line %d: a rehearsal-error block must end with "
			 "'# error: LINE:COL: message'",
			 e->doc_line);
	const char *m = strstr(last, ": ");
	m = m ? strstr(m + 2, ": ") : NULL;
	assert_non_null(m);
	m += 2;
	size_t len = strcspn(m, "\n");
	if (len >= n)
		len = n - 1;
	memcpy(msg, m, len);
	msg[len] = '\0';
}

/* issue 13, USE: the ```rehearsal file blocks, written in dir (made by
 * the caller), so that the examples' uses find them. */
static void write_files(const examples *ex, const char *dir, bool remove)
{
	for (size_t i = 0; i < ex->count; i++) {
		const example *e = &ex->items[i];
		if (!e->file)
			continue;
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", dir, e->file);
		if (remove) {
			unlink(path);
			char *slash = strrchr(path, '/');
			*slash = '\0';
			if (strcmp(path, dir) != 0)
				rmdir(path);
			continue;
		}
		char *slash = strrchr(path, '/');
		*slash = '\0';
		mkdir(path, 0700);
		*slash = '/';
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(e->text, f);
		fclose(f);
	}
}

static void run_example(const example *e, const tw_vars *given, const char *dir)
{
	if (e->file)
		return; /* issue 13, USE: checked through the examples using it */
	char name[600];
	snprintf(name, sizeof(name), "%s/language.md:%d", dir, e->doc_line);
	tw_script *s = NULL;
	tw_error err = {0};
	tw_errors problems = {0};
	int rc = tw_script_parse(&s, name, e->text, strlen(e->text), &err);
	if (rc == TW_OK)
		tw_script_check(s, given, &problems);
	const tw_error *got = rc ? &err : problems.count ? &problems.items[0] : NULL;

	if (!e->is_error) {
		if (got) {
			char *f = tw_error_format(got);
			fail_msg("docs example at line %d should be valid:\n%s\n%s", e->doc_line,
				 e->text, f ? f : "?");
		}
	} else {
		int line, col;
		char msg[512];
		expected_error(e, &line, &col, msg, sizeof(msg));
		if (!got)
			fail_msg("docs example at line %d should fail with %d:%d: %s", e->doc_line,
				 line, col, msg);
		if (got->line != line || got->col != col || !got->message ||
		    strncmp(got->message, msg, strlen(msg)) != 0)
			fail_msg("docs example at line %d:\nexpected %d:%d: %s\ngot      %d:%d: %s",
				 e->doc_line, line, col, msg, got->line, got->col,
				 got->message ? got->message : "?");
	}
	tw_error_clear(&err);
	tw_errors_clear(&problems);
	tw_script_free(s);
}

static void test_docs_examples(void **state)
{
	(void)state;
	char *doc = read_all(doc_path);
	if (!doc)
		fail_msg("cannot read %s", doc_path);
	examples ex = {0};
	extract(doc, &ex);
	free(doc);

	size_t valid = 0, errors = 0;
	for (size_t i = 0; i < ex.count; i++)
		ex.items[i].is_error ? errors++ : valid++;
	/* The doc has an example per construct and a gallery of errors; far
	 * fewer means the extraction broke, not that the doc got shorter. */
	assert_true(valid >= 8);
	assert_true(errors >= 10);

	tw_vars *given = tw_vars_new();
	assert_non_null(given);
	assert_int_equal(tw_vars_set(given, "stage", "http://127.0.0.1:8080", false), TW_OK);
	char dir[] = "/tmp/tw-docs-examples-XXXXXX";
	assert_non_null(mkdtemp(dir));
	write_files(&ex, dir, false);
	for (size_t i = 0; i < ex.count; i++)
		run_example(&ex.items[i], given, dir);
	write_files(&ex, dir, true);
	rmdir(dir);
	tw_vars_free(given);
	free_examples(&ex);
}

/* The extractor itself: fences of other languages are skipped, even when
 * they contain a rehearsal fence line. */
static void test_extractor(void **state)
{
	(void)state;
	const char *doc = "text\n```\n```rehearsal\n```\n"
			  "```rehearsal\nscene \"A\"\n  visit /\n```\n"
			  "```sh\necho\n```\n"
			  "```rehearsal-error\nclik\n# error: 1:1: unknown\n```\n";
	examples ex = {0};
	extract(doc, &ex);
	assert_int_equal(ex.count, 2);
	assert_false(ex.items[0].is_error);
	assert_int_equal(ex.items[0].doc_line, 5);
	assert_string_equal(ex.items[0].text, "scene \"A\"\n  visit /\n");
	assert_true(ex.items[1].is_error);
	int line, col;
	char msg[64];
	expected_error(&ex.items[1], &line, &col, msg, sizeof(msg));
	assert_int_equal(line, 1);
	assert_int_equal(col, 1);
	assert_string_equal(msg, "unknown");
	free_examples(&ex);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		doc_path = argv[1];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extractor),
		cmocka_unit_test(test_docs_examples),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
