/*
 * Generated values (issue 13, GEN): the per-performance generator
 * (core/generate.c) and {{seq}}, {{customer}}, {{uuid}}, {{random KIND N}},
 * {{now ...}} and {{today ...}} as templates scan and expand them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/generate.h"
#include "core/template.h"
#include "techweek.h"

/* 2026-12-02T13:45:07Z */
static time_t fixed_clock(void)
{
	struct tm tm = {.tm_year = 126, .tm_mon = 11, .tm_mday = 2, .tm_hour = 13, .tm_min = 45,
			.tm_sec = 7};
	return timegm(&tm);
}

/* vars with a performance's context attached: seq 7, customer 3. */
typedef struct fixture {
	tw_vars *vars;
	tw_gen gen;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	f->vars = tw_vars_new();
	tw_gen_init(&f->gen, 42, 0, 7, 3);
	f->gen.fixed_clock = true;
	f->gen.clock = fixed_clock();
	tw_vars_set_gen(f->vars, &f->gen);
	tw_vars_set(f->vars, "name", "ada", false);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	tw_vars_free(f->vars);
	free(f);
	return 0;
}

static char *expand(const tw_vars *vars, const char *tpl, tw_expand_mode mode)
{
	char *out = NULL;
	tw_error e = {0};
	int rc = tw_template_expand(tpl, vars, mode, &out, NULL, &e);
	if (rc != TW_OK)
		fail_msg("'%s': %s", tpl, e.message ? e.message : "?");
	tw_error_clear(&e);
	return out;
}

static void assert_expands(const tw_vars *vars, const char *tpl, const char *want)
{
	char *out = expand(vars, tpl, TW_EXPAND_PLAIN);
	assert_string_equal(out, want);
	free(out);
}

/* ---- the generator ---- */

static void rng_same_seed_same_values(void **state)
{
	(void)state;
	tw_rng a, b, c, d;
	tw_rng_seed(&a, 42, 1, 7);
	tw_rng_seed(&b, 42, 1, 7);
	tw_rng_seed(&c, 42, 1, 8); /* the next performance */
	tw_rng_seed(&d, 42, 2, 7); /* another rehearsal */
	bool differs_c = false, differs_d = false;
	for (int i = 0; i < 16; i++) {
		uint64_t x = tw_rng_next(&a);
		assert_true(x == tw_rng_next(&b));
		differs_c |= x != tw_rng_next(&c);
		differs_d |= x != tw_rng_next(&d);
	}
	assert_true(differs_c);
	assert_true(differs_d);
}

static void rng_below_stays_below_and_covers(void **state)
{
	(void)state;
	tw_rng r;
	tw_rng_seed(&r, 1, 2, 3);
	int seen[10] = {0};
	for (int i = 0; i < 10000; i++) {
		uint64_t v = tw_rng_below(&r, 10);
		assert_true(v < 10);
		seen[v]++;
	}
	for (int i = 0; i < 10; i++)
		assert_true(seen[i] > 800 && seen[i] < 1200); /* about 1000 each */
	assert_int_equal(tw_rng_below(&r, 1), 0);
}

static void seed_draw_fits_json(void **state)
{
	(void)state;
	for (int i = 0; i < 100; i++)
		assert_true(tw_seed_draw() <= TW_SEED_MAX);
}

/* ---- parsing ---- */

static void reserved_names(void **state)
{
	(void)state;
	const char *names[] = {"seq", "customer", "uuid", "random", "now", "today"};
	for (size_t i = 0; i < 6; i++) {
		assert_true(tw_gen_reserved(names[i]));
		assert_non_null(tw_gen_reserved_why(names[i]));
	}
	assert_false(tw_gen_reserved("sequence"));
	assert_false(tw_gen_reserved("user"));
	assert_null(tw_gen_reserved_why("now2"));
}

/* The parse error for the inside of the braces, and where. */
static void assert_parse_error(const char *text, size_t want_at, const char *want_why)
{
	tw_gen_ref ref;
	const char *why = NULL;
	size_t at = 999;
	assert_int_equal(tw_gen_parse(text, strlen(text), &ref, &why, &at), -1);
	assert_non_null(strstr(why, want_why));
	assert_int_equal(at, want_at);
}

static void parse_refuses_at_the_argument(void **state)
{
	(void)state;
	assert_parse_error("random emoji 3", 7, "unknown kind of random text");
	assert_parse_error("random digits 0", 14, "from 1 to 256");
	assert_parse_error("random digits 257", 14, "from 1 to 256");
	assert_parse_error("random digits", 13, "from 1 to 256");
	assert_parse_error("random", 6, "expected {{random KIND N}}");
	assert_parse_error("random hex 4 more", 13, "nothing after N");
	assert_parse_error("seq 2", 4, "{{seq}} takes nothing");
	assert_parse_error("customer x", 9, "{{customer}} takes nothing");
	assert_parse_error("uuid v4", 5, "{{uuid}} takes nothing");
	assert_parse_error("now +2x", 4, "expected an offset");
	assert_parse_error("now +d", 4, "expected an offset");
	assert_parse_error("today -99999999999d", 6, "expected an offset");
	assert_parse_error("now %Y-%Q", 7, "unknown conversion");
	assert_parse_error("today +1d %", 10, "unknown conversion");
	/* issue 13, F4 (T10): a "format" without a conversion is a mistyped
	 * offset, not text to send */
	assert_parse_error("now 2d", 4,
			   "expected an offset like +2d or a strftime format like %Y-%m-%d");
	assert_parse_error("now +1d +2h", 8, "expected an offset like +2d or a strftime format");
	assert_parse_error("today tomorrow", 6, "expected an offset like +2d or a strftime");
}

static void parse_reads_the_arguments(void **state)
{
	(void)state;
	tw_gen_ref ref;
	const char *why;
	size_t at;
	const char *t = "now +2d %Y-%m-%d";
	assert_int_equal(tw_gen_parse(t, strlen(t), &ref, &why, &at), 0);
	assert_int_equal(ref.kind, TW_GEN_NOW);
	assert_int_equal(ref.offset_s, 2 * 86400);
	assert_int_equal(ref.format_len, 8);
	assert_memory_equal(ref.format, "%Y-%m-%d", 8);
	t = "today %d/%m/%Y";
	assert_int_equal(tw_gen_parse(t, strlen(t), &ref, &why, &at), 0);
	assert_int_equal(ref.offset_s, 0);
	assert_memory_equal(ref.format, "%d/%m/%Y", 8);
	t = "now -90m";
	assert_int_equal(tw_gen_parse(t, strlen(t), &ref, &why, &at), 0);
	assert_int_equal(ref.offset_s, -5400);
	assert_null(ref.format);
	t = "random alnum 12";
	assert_int_equal(tw_gen_parse(t, strlen(t), &ref, &why, &at), 0);
	assert_int_equal(ref.random, TW_RANDOM_ALNUM);
	assert_int_equal(ref.count, 12);
}

/* The scanner reports a generated value as one (never a variable), and a
 * bad argument at its own offset. */
static int collect_kind(const tw_ref *ref, void *ud)
{
	tw_ref_kind *kinds = ud;
	for (int i = 0; i < 8; i++)
		if (kinds[i] == (tw_ref_kind)-1) {
			kinds[i] = ref->kind;
			break;
		}
	return 0;
}

static void scan_sees_generated_values(void **state)
{
	(void)state;
	tw_ref_kind kinds[8];
	for (int i = 0; i < 8; i++)
		kinds[i] = (tw_ref_kind)-1;
	tw_error e = {0};
	assert_int_equal(tw_template_scan("{{name}}-{{ seq }}-{{random hex 4}}-{{env HOME}}",
					  collect_kind, kinds, NULL, &e),
			 TW_OK);
	assert_int_equal(kinds[0], TW_REF_VAR);
	assert_int_equal(kinds[1], TW_REF_GEN);
	assert_int_equal(kinds[2], TW_REF_GEN);
	assert_int_equal(kinds[3], TW_REF_ENV);
	size_t bad = 0;
	assert_int_equal(tw_template_scan("id={{random emoji 3}}", collect_kind, kinds, &bad, &e),
			 TW_ESYNTAX);
	assert_int_equal(bad, strlen("id={{random "));
	tw_error_clear(&e);
	/* a malformed variable is still reported at its "{{" */
	assert_int_equal(tw_template_scan("a {{1x}}", collect_kind, kinds, &bad, &e), TW_ESYNTAX);
	assert_int_equal(bad, 2);
	tw_error_clear(&e);
}

/* ---- expansion ---- */

static void seq_and_customer(void **state)
{
	fixture *f = *state;
	assert_expands(f->vars, "u{{seq}}-c{{customer}}-{{name}}", "u7-c3-ada");
	/* through a set over the one holding the context, as a customer's
	 * captures read through to the cast */
	tw_vars *over = tw_vars_new_over(f->vars);
	assert_expands(over, "{{ seq }}", "7");
	tw_vars_free(over);
}

static bool all_in(const char *s, const char *set)
{
	for (; *s; s++)
		if (!strchr(set, *s))
			return false;
	return true;
}

static void random_text_of_each_kind(void **state)
{
	fixture *f = *state;
	struct {
		const char *tpl, *set;
		size_t n;
	} cases[] = {
		{"{{random digits 6}}", "0123456789", 6},
		{"{{random letters 8}}", "abcdefghijklmnopqrstuvwxyz", 8},
		{"{{random alnum 12}}", "abcdefghijklmnopqrstuvwxyz0123456789", 12},
		{"{{random hex 16}}", "0123456789abcdef", 16},
		{"{{random hex 256}}", "0123456789abcdef", 256},
		{"{{random digits 1}}", "0123456789", 1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *a = expand(f->vars, cases[i].tpl, TW_EXPAND_PLAIN);
		char *b = expand(f->vars, cases[i].tpl, TW_EXPAND_PLAIN);
		assert_int_equal(strlen(a), cases[i].n);
		assert_true(all_in(a, cases[i].set));
		if (cases[i].n >= 6)
			assert_string_not_equal(a, b); /* new each time */
		free(a);
		free(b);
	}
}

static void uuid_is_version_4(void **state)
{
	fixture *f = *state;
	char *a = expand(f->vars, "{{uuid}}", TW_EXPAND_PLAIN);
	char *b = expand(f->vars, "{{uuid}}", TW_EXPAND_PLAIN);
	assert_int_equal(strlen(a), 36);
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			assert_int_equal(a[i], '-');
		else
			assert_true(isxdigit((unsigned char)a[i]) && !isupper((unsigned char)a[i]));
	}
	assert_int_equal(a[14], '4');
	assert_non_null(strchr("89ab", a[19]));
	assert_string_not_equal(a, b);
	free(a);
	free(b);
}

static void same_seed_same_values(void **state)
{
	(void)state;
	tw_gen g1, g2, g3;
	tw_gen_init(&g1, 99, 1, 5, 1);
	tw_gen_init(&g2, 99, 1, 5, 2); /* another customer: the same values */
	tw_gen_init(&g3, 100, 1, 5, 1);
	tw_vars *v1 = tw_vars_new(), *v2 = tw_vars_new(), *v3 = tw_vars_new();
	tw_vars_set_gen(v1, &g1);
	tw_vars_set_gen(v2, &g2);
	tw_vars_set_gen(v3, &g3);
	const char *tpl = "{{uuid}} {{random alnum 10}}";
	char *a = expand(v1, tpl, TW_EXPAND_PLAIN);
	char *b = expand(v2, tpl, TW_EXPAND_PLAIN);
	char *c = expand(v3, tpl, TW_EXPAND_PLAIN);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	free(a);
	free(b);
	free(c);
	tw_vars_free(v1);
	tw_vars_free(v2);
	tw_vars_free(v3);
}

static void now_and_today(void **state)
{
	fixture *f = *state;
	assert_expands(f->vars, "{{now}}", "2026-12-02T13:45:07Z");
	assert_expands(f->vars, "{{now %H:%M}}", "13:45");
	assert_expands(f->vars, "{{now -90m}}", "2026-12-02T12:15:07Z");
	assert_expands(f->vars, "{{now +2d %Y-%m-%d}}", "2026-12-04");
	assert_expands(f->vars, "{{ now +1w %d %B }}", "09 December");
	assert_expands(f->vars, "{{today}}", "2026-12-02");
	assert_expands(f->vars, "{{today +1d}}", "2026-12-03");
	assert_expands(f->vars, "{{today -2d %d/%m/%Y}}", "30/11/2026");
	assert_expands(f->vars, "{{today +30d}}", "2027-01-01");
	assert_expands(f->vars, "{{now +10s %S}}", "17");
	assert_expands(f->vars, "{{now +3h %H}}", "16");
	assert_expands(f->vars, "{{today %%}}", "%");
}

static void modes_insert_values_as_they_do_variables(void **state)
{
	fixture *f = *state;
	/* JSON: a number stays a number, a text outside a string is quoted */
	char *out = expand(f->vars, "{\"n\": {{seq}}, \"s\": \"u{{seq}}\", \"d\": {{today}}}",
			   TW_EXPAND_JSON);
	assert_string_equal(out, "{\"n\": 7, \"s\": \"u7\", \"d\": \"2026-12-02\"}");
	free(out);
	/* regex: matched literally */
	out = expand(f->vars, "^{{now %H.%M}}$", TW_EXPAND_REGEX);
	assert_string_equal(out, "^\\Q13.45\\E$");
	free(out);
}

static void outside_a_performance(void **state)
{
	(void)state;
	tw_vars *vars = tw_vars_new();
	char *out = NULL;
	tw_error e = {0};
	assert_int_equal(tw_template_expand("{{seq}}", vars, TW_EXPAND_PLAIN, &out, NULL, &e),
			 TW_ECHECK);
	assert_non_null(strstr(e.message, "{{seq}} has no value here"));
	tw_error_clear(&e);
	/* the clock and getrandom serve the others */
	out = expand(vars, "{{uuid}} {{random digits 4}} {{today}}", TW_EXPAND_PLAIN);
	assert_int_equal(strlen(out), 36 + 1 + 4 + 1 + 10);
	free(out);
	tw_vars_free(vars);
}

static void reserved_vars_are_refused(void **state)
{
	(void)state;
	tw_vars *vars = tw_vars_new();
	tw_error e = {0};
	assert_int_equal(tw_vars_set_assignment(vars, "seq=3", &e), TW_EUSAGE);
	assert_string_equal(e.message, "--var 'seq=3': 'seq' is reserved ({{seq}} is the "
				       "performance's number): choose another name");
	tw_error_clear(&e);
	assert_int_equal(tw_vars_set_assignment(vars, "sequence=3", &e), TW_OK);
	char path[] = "/tmp/tw-gen-vars-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *fp = fdopen(fd, "w");
	fputs("a = 1\ntoday = monday\n", fp);
	fclose(fp);
	assert_int_equal(tw_vars_load_file(vars, path, &e), TW_EUSAGE);
	assert_int_equal(e.line, 2);
	assert_non_null(strstr(e.message, "'today' is reserved ({{today}} is the date)"));
	tw_error_clear(&e);
	unlink(path);
	tw_vars_free(vars);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rng_same_seed_same_values),
		cmocka_unit_test(rng_below_stays_below_and_covers),
		cmocka_unit_test(seed_draw_fits_json),
		cmocka_unit_test(reserved_names),
		cmocka_unit_test(parse_refuses_at_the_argument),
		cmocka_unit_test(parse_reads_the_arguments),
		cmocka_unit_test(scan_sees_generated_values),
		cmocka_unit_test_setup_teardown(seq_and_customer, setup, teardown),
		cmocka_unit_test_setup_teardown(random_text_of_each_kind, setup, teardown),
		cmocka_unit_test_setup_teardown(uuid_is_version_4, setup, teardown),
		cmocka_unit_test(same_seed_same_values),
		cmocka_unit_test_setup_teardown(now_and_today, setup, teardown),
		cmocka_unit_test_setup_teardown(modes_insert_values_as_they_do_variables, setup,
						teardown),
		cmocka_unit_test(outside_a_performance),
		cmocka_unit_test(reserved_vars_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
