/*
 * Core modules: arena, capped buffer, errors and their rendering,
 * variables and variables files, templates, redaction, atomic files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/array.h"
#include "core/buf.h"
#include "core/fsutil.h"
#include "core/jsonread.h"
#include "core/number.h"
#include "core/redact.h"
#include "core/strmap.h"
#include "core/template.h"
#include "core/utf8.h"
#include "techweek.h"

static void arena_strings_survive_many_blocks(void **state)
{
	(void)state;
	tw_arena a = {0};
	char *first = tw_arena_strdup(&a, "first");
	char *big = tw_arena_alloc(&a, 100000);
	assert_non_null(big);
	for (int i = 0; i < 5000; i++)
		assert_non_null(tw_arena_printf(&a, "string number %d", i));
	char *last = tw_arena_printf(&a, "%s-%d", "last", 7);
	assert_string_equal(first, "first");
	assert_string_equal(last, "last-7");
	assert_int_equal(big[99999], 0);
	int *arr = NULL;
	size_t cap = 0;
	assert_int_equal(tw_arena_grow_array(&a, &arr, 0, &cap, 4, sizeof(int)), TW_OK);
	assert_int_equal(cap, 8);
	arr[3] = 42;
	int *before = arr;
	assert_int_equal(tw_arena_grow_array(&a, &arr, 4, &cap, 8, sizeof(int)), TW_OK);
	assert_ptr_equal(arr, before); /* room enough: untouched */
	assert_int_equal(tw_arena_grow_array(&a, &arr, 8, &cap, 9, sizeof(int)), TW_OK);
	assert_int_equal(cap, 16);
	assert_int_equal(arr[3], 42);
	assert_int_equal(tw_arena_grow_array(&a, &arr, 9, &cap, SIZE_MAX / 2, sizeof(int)), TW_ENOMEM);
	assert_int_equal(cap, 16);
	assert_int_equal(arr[3], 42);
	assert_null(tw_arena_strdup(&a, NULL));
	tw_arena_free(&a);
	assert_null(a.head);
}

/* A figure as messages write it: no trailing zeros, a sign when asked,
 * never "-0". */
static void buf_puts_decimals_as_messages_write_them(void **state)
{
	(void)state;
	static const struct {
		double v;
		int decimals;
		bool sign;
		const char *want;
	} cases[] = {
		{5, 2, false, "5"},          {5.1, 2, false, "5.1"},    {4.25, 2, false, "4.25"},
		{0.25, 2, false, "0.25"},    {0, 2, false, "0"},        {50, 2, false, "50"},
		{10, 1, false, "10"},        {1.5, 1, false, "1.5"},    {2, 0, true, "+2"},
		{-0.5, 1, true, "-0.5"},     {-0.01, 1, true, "+0"},    {-0.01, 1, false, "0"},
		{33.333, 0, true, "+33"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tw_buf b;
		tw_buf_init(&b, 64);
		assert_int_equal(tw_buf_put_decimal(&b, cases[i].v, cases[i].decimals, cases[i].sign),
				 TW_OK);
		assert_string_equal(tw_buf_str(&b), cases[i].want);
		tw_buf_free(&b);
	}
}

/* A max at SIZE_MAX (no cap) still grows, and a reserve for SIZE_MAX bytes
 * (no room for the NUL) is refused, not wrapped to a 0-byte buffer. */
static void buf_max_at_size_max_grows_and_refuses_overflow(void **state)
{
	(void)state;
	tw_buf b;
	tw_buf_init(&b, SIZE_MAX);
	assert_int_equal(tw_buf_puts(&b, "hello"), TW_OK);
	for (int i = 0; i < 100; i++)
		assert_int_equal(tw_buf_puts(&b, "0123456789"), TW_OK);
	assert_int_equal(b.len, 1005);
	assert_int_equal(tw_buf_reserve(&b, SIZE_MAX), TW_ELIMIT);
	assert_int_equal(b.len, 1005);
	tw_buf_free(&b);
	tw_buf_init(&b, SIZE_MAX - 1);
	for (int i = 0; i < 100; i++)
		assert_int_equal(tw_buf_puts(&b, "0123456789"), TW_OK);
	assert_int_equal(b.len, 1000);
	tw_buf_free(&b);
}

static void buf_refuses_to_pass_its_cap(void **state)
{
	(void)state;
	tw_buf b;
	tw_buf_init(&b, 10);
	assert_string_equal(tw_buf_str(&b), "");
	assert_int_equal(tw_buf_puts(&b, "hello"), TW_OK);
	assert_int_equal(tw_buf_puts(&b, "world"), TW_OK);
	assert_int_equal(tw_buf_failed(&b), TW_OK);
	assert_int_equal(tw_buf_puts(&b, "!"), TW_ELIMIT);
	assert_string_equal(tw_buf_str(&b), "helloworld");
	assert_int_equal(b.len, 10);
	tw_buf_reset(&b);
	assert_int_equal(tw_buf_failed(&b), TW_OK);
	assert_int_equal(tw_buf_printf(&b, "%d-%s", 12, "ab"), TW_OK);
	assert_string_equal(tw_buf_str(&b), "12-ab");
	char *s = tw_buf_steal(&b);
	assert_string_equal(s, "12-ab");
	free(s);
	assert_null(b.data);
	s = tw_buf_steal(&b);
	assert_string_equal(s, "");
	free(s);
	tw_buf_free(&b);
}

/* The first failed append sticks: what comes after it is not appended
 * (no message with a hole in it), the buffer keeps the code, and the
 * content cannot be taken as whole. */
static void buf_failure_sticks_until_reset(void **state)
{
	(void)state;
	tw_buf b;
	tw_buf_init(&b, 10);
	assert_int_equal(tw_buf_puts(&b, "hello"), TW_OK);
	assert_int_equal(tw_buf_printf(&b, "%s", "0123456"), TW_ELIMIT);
	assert_int_equal(tw_buf_failed(&b), TW_ELIMIT);
	/* each of these would fit; none is appended, each says why */
	assert_int_equal(tw_buf_puts(&b, "!"), TW_ELIMIT);
	assert_int_equal(tw_buf_append(&b, "x", 1), TW_ELIMIT);
	assert_int_equal(tw_buf_printf(&b, "%d", 1), TW_ELIMIT);
	assert_int_equal(tw_buf_put_quoted(&b, "q", 5), TW_ELIMIT);
	assert_int_equal(tw_buf_put_decimal(&b, 1, 0, false), TW_ELIMIT);
	assert_int_equal(tw_buf_reserve(&b, 1), TW_ELIMIT);
	assert_string_equal(tw_buf_str(&b), "hello");
	/* the one taking the content learns of it */
	assert_null(tw_buf_steal(&b));
	assert_null(b.data);
	assert_int_equal(tw_buf_failed(&b), TW_OK); /* empty and usable again */
	assert_int_equal(tw_buf_puts(&b, "again"), TW_OK);
	/* a part made elsewhere that could not be made fails it too */
	tw_buf_fail(&b, TW_ENOMEM);
	assert_int_equal(tw_buf_puts(&b, "!"), TW_ENOMEM);
	tw_buf_fail(&b, TW_ELIMIT); /* the first failure is the one kept */
	assert_int_equal(tw_buf_failed(&b), TW_ENOMEM);
	tw_buf_reset(&b);
	assert_int_equal(tw_buf_failed(&b), TW_OK);
	assert_int_equal(tw_buf_puts(&b, "ok"), TW_OK);
	assert_string_equal(tw_buf_str(&b), "ok");
	tw_buf_free(&b);
}

/* Room is made by doubling, for any need at once; a size that would
 * overflow is out of memory, and leaves the array as it was. */
static void array_grows_by_doubling_and_refuses_overflow(void **state)
{
	(void)state;
	int *items = NULL;
	size_t cap = 0;
	assert_int_equal(tw_array_grow(&items, &cap, 0, sizeof(*items)), TW_OK);
	assert_null(items);
	assert_int_equal(tw_array_grow(&items, &cap, 1, sizeof(*items)), TW_OK);
	assert_int_equal(cap, 8);
	items[7] = 7;
	int *before = items;
	assert_int_equal(tw_array_grow(&items, &cap, 8, sizeof(*items)), TW_OK);
	assert_ptr_equal(items, before); /* room enough: nothing done */
	assert_int_equal(tw_array_grow(&items, &cap, 100, sizeof(*items)), TW_OK);
	assert_int_equal(cap, 128);
	assert_int_equal(items[7], 7);
	items[99] = 99;
	before = items;
	assert_int_equal(tw_array_grow(&items, &cap, SIZE_MAX / 2, sizeof(*items)), TW_ENOMEM);
	assert_int_equal(tw_array_grow(&items, &cap, SIZE_MAX, 1), TW_ENOMEM);
	assert_ptr_equal(items, before);
	assert_int_equal(cap, 128);
	assert_int_equal(items[99], 99);
	free(items);
}

/* A cut is shown, and never taken for the text. */
static void buf_cut_marks_what_it_leaves_out(void **state)
{
	(void)state;
	tw_buf b;
	tw_buf_init(&b, 64);
	assert_int_equal(tw_buf_put_cut(&b, "d\xC3\xA9j\xC3\xA0 vu", 4), TW_OK);
	assert_string_equal(tw_buf_str(&b), "d\xC3\xA9j\xC3\xA0\xE2\x80\xA6");
	tw_buf_reset(&b);
	assert_int_equal(tw_buf_put_cut(&b, "short", 5), TW_OK);
	assert_int_equal(tw_buf_put_quoted(&b, "abc", 2), TW_OK);
	assert_string_equal(tw_buf_str(&b), "short'ab\xE2\x80\xA6'");
	tw_buf_free(&b);
}

static void error_renders_place_line_and_caret(void **state)
{
	(void)state;
	tw_error e = {0};
	assert_int_equal(tw_error_set_at(&e, TW_ESYNTAX, "shop.rehearsal", 12, 3,
					 "  clik \"Margherita\"", "unknown step '%s'", "clik"),
			 TW_ESYNTAX);
	char *s = tw_error_format(&e);
	assert_string_equal(s, "shop.rehearsal:12:3: syntax error: unknown step 'clik'\n"
			       "    12 |   clik \"Margherita\"\n"
			       "       |   ^");
	free(s);
	/* The caret counts characters, not bytes. */
	tw_error_set_at(&e, TW_ECHECK, "f", 1, 7, "café x", "bad");
	s = tw_error_format(&e);
	assert_non_null(strstr(s, "\n       |      ^"));
	free(s);
	tw_error_set(&e, TW_EIO, "cannot open %s", "x");
	s = tw_error_format(&e);
	assert_string_equal(s, "i/o error: cannot open x");
	free(s);
	tw_errors list = {0};
	tw_errors_push(&list, &e);
	tw_errors_push(&list, &e);
	assert_int_equal(list.count, 2);
	assert_string_equal(list.items[1].message, "cannot open x");
	tw_errors_clear(&list);
	tw_error_clear(&e);
	assert_null(e.message);
	assert_int_equal(e.code, TW_OK);
}

static void vars_set_get_and_assignments(void **state)
{
	(void)state;
	tw_vars *v = tw_vars_new();
	tw_error e = {0};
	assert_int_equal(tw_vars_set(v, "name", "Ada", false), TW_OK);
	assert_int_equal(tw_vars_set(v, "card", "4111", true), TW_OK);
	assert_int_equal(tw_vars_set(v, "name", "Grace", false), TW_OK);
	bool secret;
	assert_string_equal(tw_vars_get(v, "name", &secret), "Grace");
	assert_false(secret);
	assert_string_equal(tw_vars_get(v, "card", &secret), "4111");
	assert_true(secret);
	assert_null(tw_vars_get(v, "nope", NULL));
	assert_int_equal(tw_vars_count(v), 2);
	assert_int_equal(tw_vars_set_assignment(v, "stage=http://127.0.0.1:8080/a=b", &e), TW_OK);
	assert_string_equal(tw_vars_get(v, "stage", NULL), "http://127.0.0.1:8080/a=b");
	assert_int_equal(tw_vars_set_assignment(v, "no-equals", &e), TW_EUSAGE);
	assert_non_null(strstr(e.message, "expected NAME=VALUE"));
	assert_int_equal(tw_vars_set_assignment(v, "9x=1", &e), TW_EUSAGE);
	assert_true(tw_vars_valid_name("order_id.2-b"));
	assert_false(tw_vars_valid_name("2nd"));
	assert_false(tw_vars_valid_name("a b"));
	tw_error_clear(&e);
	tw_vars_free(v);
}

/* 50 000 keys: every one found at its index after the table grew many
 * times, the first index kept on a repeat, and near misses not found. */
static void strmap_finds_every_key_after_growing(void **state)
{
	(void)state;
	enum { N = 50000 };
	char (*keys)[16] = malloc(N * sizeof(*keys));
	assert_non_null(keys);
	tw_strmap m = {0};
	size_t index;
	assert_false(tw_strmap_get(&m, "k0", &index));
	for (size_t i = 0; i < N; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%zu", i);
		bool found = true;
		assert_int_equal(tw_strmap_put(&m, keys[i], i, &found, NULL), TW_OK);
		assert_false(found);
	}
	assert_int_equal(m.count, N);
	for (size_t i = 0; i < N; i++) {
		assert_true(tw_strmap_get(&m, keys[i], &index));
		assert_int_equal(index, i);
	}
	bool found = false;
	size_t first = 0;
	assert_int_equal(tw_strmap_put(&m, "k123", 7, &found, &first), TW_OK);
	assert_true(found);
	assert_int_equal(first, 123);
	assert_true(tw_strmap_get(&m, "k123", &index));
	assert_int_equal(index, 123);
	assert_int_equal(m.count, N);
	assert_false(tw_strmap_get(&m, "k", NULL));
	assert_false(tw_strmap_get(&m, "k50000", NULL));
	assert_false(tw_strmap_get(&m, "", NULL));
	assert_int_equal(tw_strmap_put(&m, "", 9, NULL, NULL), TW_OK);
	assert_true(tw_strmap_get(&m, "", &index));
	assert_int_equal(index, 9);
	tw_strmap_free(&m);
	assert_false(tw_strmap_get(&m, "k1", NULL));
	free(keys);
}

/* A vars file of 40 000 lines: the last value of a repeated name wins, the
 * order of first setting is kept. */
static void vars_many_names(void **state)
{
	(void)state;
	tw_vars *v = tw_vars_new();
	char name[32], value[32];
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 40000; i++) {
			snprintf(name, sizeof(name), "v%d", i);
			snprintf(value, sizeof(value), "%d-%d", round, i);
			assert_int_equal(tw_vars_set(v, name, value, false), TW_OK);
		}
	assert_int_equal(tw_vars_count(v), 40000);
	assert_string_equal(tw_vars_get(v, "v39999", NULL), "1-39999");
	const char *n;
	tw_vars_at(v, 17, &n, NULL, NULL);
	assert_string_equal(n, "v17");
	tw_vars_free(v);
}

/* A customer's set reads through to the run's shared one: the base's
 * values are seen, never copied, and setting a name only shadows it. */
static void vars_over_a_base_share_it(void **state)
{
	(void)state;
	tw_vars *given = tw_vars_new();
	assert_int_equal(tw_vars_set(given, "stage", "http://127.0.0.1:1", false), TW_OK);
	tw_vars *cast = tw_vars_new_over(given);
	assert_int_equal(tw_vars_set(cast, "card", "4111", true), TW_OK);
	tw_vars *mine = tw_vars_new_over(cast);
	assert_non_null(mine);

	bool secret = false;
	const char *card = tw_vars_get(mine, "card", &secret);
	assert_ptr_equal(card, tw_vars_get(cast, "card", NULL)); /* the same bytes */
	assert_true(secret);
	assert_string_equal(tw_vars_get(mine, "stage", NULL), "http://127.0.0.1:1");
	assert_int_equal(tw_vars_count(mine), 0);

	assert_int_equal(tw_vars_set(mine, "card", "5500", false), TW_OK);
	assert_string_equal(tw_vars_get(mine, "card", &secret), "5500");
	assert_false(secret);
	assert_string_equal(tw_vars_get(cast, "card", NULL), "4111");
	assert_int_equal(tw_vars_count(mine), 1);
	assert_int_equal(tw_vars_count(cast), 1);
	assert_null(tw_vars_get(mine, "nope", NULL));

	tw_vars_free(mine);
	tw_vars_free(cast);
	tw_vars_free(given);
}

/* A stolen buffer is handed over at its size, not at the doubling it grew
 * to; tw_buf_reserve makes room once for a size known in advance. */
static void buf_reserve_exact_and_steal_to_fit(void **state)
{
	(void)state;
	tw_buf b;
	tw_buf_init(&b, 1 << 20);
	assert_int_equal(tw_buf_reserve(&b, 1000), TW_OK);
	assert_int_equal(b.cap, 1001);
	char *before = b.data;
	for (int i = 0; i < 100; i++)
		assert_int_equal(tw_buf_append(&b, "0123456789", 10), TW_OK);
	assert_ptr_equal(b.data, before); /* no growth on the way */
	assert_int_equal(tw_buf_append(&b, "x", 1), TW_OK);
	assert_true(b.cap > 1002);
	size_t len = b.len;
	char *s = tw_buf_steal(&b);
	assert_int_equal(strlen(s), len);
	assert_int_equal(malloc_usable_size(s) < len + 64, true);
	free(s);
	assert_int_equal(tw_buf_reserve(&b, (1 << 20) + 1), TW_ELIMIT);
	assert_int_equal(tw_buf_failed(&b), TW_ELIMIT);
	tw_buf_free(&b);
}

/* Every code point a character can be reads back through the decoder at
 * its length; surrogates and values past U+10FFFF have no encoding. */
static void utf8_encode_reads_back(void **state)
{
	(void)state;
	unsigned char out[4];
	for (uint32_t cp = 0; cp <= 0x10ffff; cp += cp < 0x800 ? 1 : 7) {
		size_t n = tw_utf8_encode(cp, out);
		if (cp >= 0xd800 && cp <= 0xdfff) {
			assert_int_equal(n, 0);
			continue;
		}
		assert_int_equal(n, cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4);
		uint32_t back = 0;
		assert_int_equal(tw_utf8_decode(out, n, &back), n);
		assert_int_equal(back, cp);
	}
	assert_int_equal(tw_utf8_encode(0x110000, out), 0);
}

/* Plain decimals only: what strtod takes besides (nan, inf, hex,
 * exponents, signs, blanks) is refused; a unit may follow. */
static void decimal_reads_plain_decimals_only(void **state)
{
	(void)state;
	double v;
	char *end;
	assert_true(tw_decimal("1.5s", &v, &end));
	assert_true(v == 1.5);
	assert_string_equal(end, "s");
	assert_true(tw_decimal("30", &v, &end) && v == 30 && *end == '\0');
	assert_true(tw_decimal(".5", &v, &end) && v == 0.5);
	static const char *const bad[] = {"nan", "inf", "0x1A", "1e3", "-1", "+1", " 1", "1.2.3",
					  "", "s", "."};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (tw_decimal(bad[i], &v, &end) && *end == '\0')
			fail_msg("'%s' was read as %g", bad[i], v);
	/* 400 digits overflow a double: not a number. */
	char big[401];
	memset(big, '9', 400);
	big[400] = '\0';
	assert_false(tw_decimal(big, &v, &end));
}

static void vars_file_loads_and_reports_its_line(void **state)
{
	(void)state;
	char path[] = "/tmp/tw-vars-XXXXXX";
	int fd = mkstemp(path);
	const char *text = "# comment\n\nstage = http://127.0.0.1:1\nname=\"Ada Lovelace\"\nbroken line\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	tw_vars *v = tw_vars_new();
	tw_error e = {0};
	assert_int_equal(tw_vars_load_file(v, path, &e), TW_EUSAGE);
	assert_int_equal(e.line, 5);
	assert_string_equal(e.file, path);
	assert_string_equal(tw_vars_get(v, "name", NULL), "Ada Lovelace");
	assert_string_equal(tw_vars_get(v, "stage", NULL), "http://127.0.0.1:1");
	unlink(path);
	assert_int_equal(tw_vars_load_file(v, path, &e), TW_EIO);
	assert_non_null(strstr(e.message, "No such file"));
	tw_error_clear(&e);
	tw_vars_free(v);
}

typedef struct seen {
	char names[8][32];
	tw_ref_kind kinds[8];
	size_t offsets[8];
	int n;
} seen;

static int record(const tw_ref *ref, void *ud)
{
	seen *s = ud;
	snprintf(s->names[s->n], 32, "%.*s", (int)ref->name_len, ref->name);
	s->kinds[s->n] = ref->kind;
	s->offsets[s->n] = ref->offset;
	s->n++;
	return 0;
}

static void template_scan_finds_every_kind(void **state)
{
	(void)state;
	seen s = {0};
	tw_error e = {0};
	assert_int_equal(tw_template_scan("a {{name}} b {{ env HOME }} {{secret CARD}}", record,
					  &s, NULL, &e),
			 TW_OK);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.names[0], "name");
	assert_int_equal(s.kinds[0], TW_REF_VAR);
	assert_int_equal(s.offsets[0], 2);
	assert_string_equal(s.names[1], "HOME");
	assert_int_equal(s.kinds[1], TW_REF_ENV);
	assert_string_equal(s.names[2], "CARD");
	assert_int_equal(s.kinds[2], TW_REF_SECRET);
	size_t bad = 0;
	assert_int_equal(tw_template_scan("ok {{name", record, &s, &bad, &e), TW_ESYNTAX);
	assert_int_equal(bad, 3);
	assert_non_null(strstr(e.message, "unclosed"));
	assert_int_equal(tw_template_scan("{{ }}", record, &s, &bad, &e), TW_ESYNTAX);
	assert_int_equal(tw_template_scan("{{shout X}}", record, &s, &bad, &e), TW_ESYNTAX);
	assert_int_equal(tw_template_scan("{{1abc}}", record, &s, &bad, &e), TW_ESYNTAX);
	tw_error_clear(&e);
}

static void template_expands_vars_env_and_regex_literals(void **state)
{
	(void)state;
	tw_vars *v = tw_vars_new();
	tw_vars_set(v, "order", "1001", false);
	tw_vars_set(v, "odd", "a.b\\Ec", false);
	setenv("TW_TEST_CARD", "4111-1111", 1);
	tw_error e = {0};
	char *out = NULL;
	bool secret = true;
	assert_int_equal(tw_template_expand("/orders/{{order}}", v, TW_EXPAND_PLAIN, &out, &secret, &e),
			 TW_OK);
	assert_string_equal(out, "/orders/1001");
	assert_false(secret);
	free(out);
	assert_int_equal(tw_template_expand("card {{secret TW_TEST_CARD}}", v, TW_EXPAND_PLAIN, &out,
					    &secret, &e),
			 TW_OK);
	assert_string_equal(out, "card 4111-1111");
	assert_true(secret);
	free(out);
	assert_int_equal(tw_template_expand("^{{odd}}$", v, TW_EXPAND_REGEX, &out, NULL, &e), TW_OK);
	assert_string_equal(out, "^\\Qa.b\\E\\\\E\\Qc\\E$");
	free(out);
	assert_int_equal(tw_template_expand("{{missing}}", v, TW_EXPAND_PLAIN, &out, NULL, &e),
			 TW_ECHECK);
	assert_null(out);
	assert_non_null(strstr(e.message, "'missing'"));
	unsetenv("TW_TEST_NOPE");
	assert_int_equal(tw_template_expand("{{env TW_TEST_NOPE}}", v, TW_EXPAND_PLAIN, &out, NULL, &e),
			 TW_ECHECK);
	assert_non_null(strstr(e.message, "TW_TEST_NOPE"));
	tw_error_clear(&e);
	tw_vars_free(v);
}

/* Issue 12: a value in a JSON body is escaped inside a string and typed
 * outside one; \{{ is a literal {{ in every mode. */
/* An integer beyond 64 bits is a number in a JSON template too, not a
 * string (review 12 #14). */
static void template_json_integer_beyond_64_bits(void **state)
{
	(void)state;
	tw_vars *v = tw_vars_new();
	tw_vars_set(v, "huge", "123456789012345678901234567890", false);
	tw_vars_set(v, "id", "-9223372036854775808", false);
	tw_error e = {0};
	char *out = NULL;
	assert_int_equal(tw_template_expand("[{{huge}}, {{id}}]", v, TW_EXPAND_JSON, &out, NULL, &e),
			 TW_OK);
	assert_string_equal(out, "[123456789012345678901234567890, -9223372036854775808]");
	free(out);
	tw_vars_free(v);
}

/* The one reader of JSON bodies: integers beyond 64 bits are reals, and
 * nothing else changes type or digits (review 12 #14). */
static void json_parse_keeps_every_other_number(void **state)
{
	(void)state;
	static const char text[] =
		"{\"s\": \"\\\"99999999999999999999\\\\\", \"big\": -99999999999999999999,"
		" \"max\": 9223372036854775807, \"over\": 9223372036854775808,"
		" \"min\": -9223372036854775808, \"under\": -9223372036854775809,"
		" \"r\": 2.0, \"e\": 1E2, \"x\": 12345678901234567890123e-3, \"l\": [0, -0, 5]}";
	json_error_t e;
	json_t *j = tw_json_parse(text, sizeof(text) - 1, 0, &e);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "s")), "\"99999999999999999999\\");
	assert_true(json_is_real(json_object_get(j, "big")));
	assert_true(json_real_value(json_object_get(j, "big")) == -1e20);
	assert_true(json_integer_value(json_object_get(j, "max")) == INT64_MAX);
	assert_true(json_is_real(json_object_get(j, "over")));
	assert_true(json_integer_value(json_object_get(j, "min")) == INT64_MIN);
	assert_true(json_is_real(json_object_get(j, "under")));
	assert_true(json_is_real(json_object_get(j, "r")));
	assert_true(json_is_real(json_object_get(j, "e")));
	assert_true(json_is_real(json_object_get(j, "x")));
	assert_true(json_is_integer(json_array_get(json_object_get(j, "l"), 1)));
	json_decref(j);
	/* Another fault is said where it is in the text as given. */
	static const char bad[] = "[123456789012345678901234567890, 123456789012345678901234567890,\n"
				  " 1, tru]";
	static const char same_length[] = "[1.3456789012345678901234567890, 1.3456789012345678901234567890,\n"
					  " 1, tru]";
	json_error_t want;
	assert_null(json_loadb(same_length, sizeof(same_length) - 1, 0, &want));
	assert_null(tw_json_parse(bad, sizeof(bad) - 1, 0, &e));
	assert_string_equal(e.text, want.text);
	assert_int_equal(e.line, 2);
	assert_int_equal(e.column, want.column);
	assert_int_equal(e.position, want.position);
	static const char real_overflow[] = "[123456789012345678901234567890, 1e400]";
	assert_null(tw_json_parse(real_overflow, sizeof(real_overflow) - 1, 0, &e));
	assert_int_equal(json_error_code(&e), json_error_numeric_overflow);
	assert_int_equal(e.column, 38); /* the end of 1e400 */
	assert_null(tw_json_parse("[1e400]", 7, 0, &e));
	assert_int_equal(json_error_code(&e), json_error_numeric_overflow);
}

/* Numbers compare exactly, an integer against a real too. */
static void jnum_compares_exactly(void **state)
{
	(void)state;
	tw_jnum a = {.is_int = true, .i = 9007199254740993};
	tw_jnum b = {.is_int = true, .i = 9007199254740992};
	assert_int_equal(tw_jnum_cmp(a, b), 1);
	assert_int_equal(tw_jnum_cmp(b, a), -1);
	assert_int_equal(tw_jnum_cmp(a, a), 0);
	assert_int_equal(tw_jnum_cmp(a, tw_jnum_real(9007199254740992.0)), 1);
	assert_int_equal(tw_jnum_cmp(tw_jnum_real(9007199254740992.0), a), -1);
	assert_int_equal(tw_jnum_cmp(b, tw_jnum_real(9007199254740992.0)), 0);
	assert_int_equal(tw_jnum_cmp(b, tw_jnum_real(9007199254740992.5)), 0);
	tw_jnum max = {.is_int = true, .i = INT64_MAX}, min = {.is_int = true, .i = INT64_MIN};
	assert_int_equal(tw_jnum_cmp(max, tw_jnum_real(0x1p63)), -1);
	assert_int_equal(tw_jnum_cmp(min, tw_jnum_real(-0x1p63)), 0);
	assert_int_equal(tw_jnum_cmp(min, tw_jnum_real(-1e19)), 1);
	tw_jnum two = {.is_int = true, .i = 2};
	assert_int_equal(tw_jnum_cmp(two, tw_jnum_real(2.5)), -1);
	assert_int_equal(tw_jnum_cmp(two, tw_jnum_real(1.5)), 1);
	assert_int_equal(tw_jnum_cmp(tw_jnum_real(-2.5), (tw_jnum){.is_int = true, .i = -2}), -1);
	assert_int_equal(tw_jnum_cmp(two, tw_jnum_real(INFINITY)), -1);
	assert_int_equal(tw_jnum_cmp(two, tw_jnum_real(-INFINITY)), 1);
	assert_int_equal(tw_jnum_cmp(two, tw_jnum_real(NAN)), 2);
	assert_int_equal(tw_jnum_cmp(tw_jnum_real(NAN), two), 2);
	assert_int_equal(tw_jnum_cmp(tw_jnum_real(NAN), tw_jnum_real(1)), 2);
}

static void template_expands_json_and_literal_braces(void **state)
{
	(void)state;
	tw_vars *v = tw_vars_new();
	tw_vars_set(v, "said", "say \"hi\" \\\n", false);
	tw_vars_set(v, "n", "42", false);
	tw_vars_set(v, "obj", "{\"a\": [1]}", false);
	tw_vars_set(v, "word", "pizza", false);
	tw_vars_set(v, "bad", "\xff", false);
	tw_error e = {0};
	char *out = NULL;
	assert_int_equal(tw_template_expand("{\"s\": \"<{{said}}>\", \"k\\\"{{n}}\": {{n}}, "
					    "\"o\": {{obj}}, \"w\": {{word}}}",
					    v, TW_EXPAND_JSON, &out, NULL, &e),
			 TW_OK);
	assert_string_equal(out, "{\"s\": \"<say \\\"hi\\\" \\\\\\n>\", \"k\\\"42\": 42, "
				 "\"o\": {\"a\": [1]}, \"w\": \"pizza\"}");
	free(out);
	assert_int_equal(tw_template_expand("[{{bad}}]", v, TW_EXPAND_JSON, &out, NULL, &e),
			 TW_ECHECK);
	assert_non_null(strstr(e.message, "'bad'"));
	tw_error_clear(&e);
	assert_int_equal(tw_template_expand("a \\{{n}} {{n}}", v, TW_EXPAND_PLAIN, &out, NULL, &e),
			 TW_OK);
	assert_string_equal(out, "a {{n}} 42");
	free(out);
	assert_int_equal(tw_template_expand("\\{{ no close", v, TW_EXPAND_PLAIN, &out, NULL, &e),
			 TW_OK);
	assert_string_equal(out, "{{ no close");
	free(out);
	tw_vars_free(v);
}

static void redaction_masks_longest_secret_first(void **state)
{
	(void)state;
	tw_redact r = {0};
	assert_int_equal(tw_redact_add(&r, "4111"), TW_OK);
	assert_int_equal(tw_redact_add(&r, "4111-2222"), TW_OK);
	size_t count = r.count;
	assert_int_equal(tw_redact_add(&r, ""), TW_OK);
	assert_int_equal(tw_redact_add(&r, "4111"), TW_OK);
	assert_int_equal(r.count, count);
	char *s = tw_redact_apply(&r, "card 4111-2222 and 4111 and 41");
	assert_string_equal(s, "card *** and *** and 41");
	free(s);
	assert_null(tw_redact_apply(&r, NULL));
	tw_redact_free(&r);
	s = tw_redact_apply(&r, "nothing to hide");
	assert_string_equal(s, "nothing to hide");
	free(s);
}

static void atomic_write_replaces_whole_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/tw-fs-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/a/b/report.xml", dir);
	tw_error e = {0};
	assert_int_equal(tw_write_file_atomic(path, "first", 5, &e), TW_OK);
	assert_int_equal(tw_write_file_atomic(path, "second!", 7, &e), TW_OK);
	char *data;
	size_t len;
	assert_int_equal(tw_read_file(path, 100, &data, &len, &e), TW_OK);
	assert_string_equal(data, "second!");
	assert_int_equal(len, 7);
	free(data);
	assert_int_equal(tw_read_file(path, 3, &data, &len, &e), TW_ELIMIT);
	assert_null(data);
	/* A folder where the file should be: the error names the place and
	 * no temporary file is left behind. */
	char blocked[256];
	snprintf(blocked, sizeof(blocked), "%s/a/b", dir);
	assert_int_equal(tw_write_file_atomic(blocked, "x", 1, &e), TW_EIO);
	assert_string_equal(e.file, blocked);
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "test $(ls -A %s/a | wc -l) -eq 1", dir);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(tw_read_file("/nonexistent/x", 10, &data, &len, &e), TW_EIO);
	tw_error_clear(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arena_strings_survive_many_blocks),
		cmocka_unit_test(buf_refuses_to_pass_its_cap),
		cmocka_unit_test(buf_max_at_size_max_grows_and_refuses_overflow),
		cmocka_unit_test(buf_failure_sticks_until_reset),
		cmocka_unit_test(array_grows_by_doubling_and_refuses_overflow),
		cmocka_unit_test(buf_cut_marks_what_it_leaves_out),
		cmocka_unit_test(buf_puts_decimals_as_messages_write_them),
		cmocka_unit_test(error_renders_place_line_and_caret),
		cmocka_unit_test(vars_set_get_and_assignments),
		cmocka_unit_test(utf8_encode_reads_back),
		cmocka_unit_test(decimal_reads_plain_decimals_only),
		cmocka_unit_test(strmap_finds_every_key_after_growing),
		cmocka_unit_test(vars_many_names),
		cmocka_unit_test(vars_over_a_base_share_it),
		cmocka_unit_test(buf_reserve_exact_and_steal_to_fit),
		cmocka_unit_test(vars_file_loads_and_reports_its_line),
		cmocka_unit_test(template_scan_finds_every_kind),
		cmocka_unit_test(template_expands_vars_env_and_regex_literals),
		cmocka_unit_test(template_expands_json_and_literal_braces),
		cmocka_unit_test(template_json_integer_beyond_64_bits),
		cmocka_unit_test(json_parse_keeps_every_other_number),
		cmocka_unit_test(jnum_compares_exactly),
		cmocka_unit_test(redaction_masks_longest_secret_first),
		cmocka_unit_test(atomic_write_replaces_whole_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
