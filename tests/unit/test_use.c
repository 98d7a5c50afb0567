/*
 * Unit tests for shared scenes (issue 13, stream USE): harness/language/
 * parse_use.c, the checker's part (check.c) and the carets' lines
 * (tw_script_line_of). Each test writes its files in a folder of its own
 * under /tmp and parses the using script as text named in that folder, as
 * tw_script_parse resolves a use relative to the name's folder.
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

#include "language/ast.h"
#include "language/parser.h"
#include "techweek/script.h"
#include "techweek/vars.h"

typedef struct dir {
	char path[64];
	char files[16][160];
	size_t count;
} dir;

static void put(dir *d, const char *name, const char *text)
{
	assert_true(d->count < 16);
	char full[160];
	snprintf(full, sizeof(full), "%s/%s", d->path, name);
	memcpy(d->files[d->count++], full, sizeof(full));
	char *slash = strrchr(full, '/');
	*slash = '\0';
	mkdir(full, 0700);
	*slash = '/';
	FILE *f = fopen(full, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void make_dir(dir *d)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->path, sizeof(d->path), "/tmp/tw-test-use-XXXXXX");
	assert_non_null(mkdtemp(d->path));
}

static void remove_dir(dir *d)
{
	for (size_t i = d->count; i-- > 0;)
		unlink(d->files[i]);
	char sub[200];
	snprintf(sub, sizeof(sub), "%s/shared", d->path);
	rmdir(sub);
	rmdir(d->path);
}

/* Parses text as DIR/NAME; the script or NULL with err set. */
static tw_script *parse_in(dir *d, const char *name, const char *text, tw_error *err)
{
	char full[200];
	snprintf(full, sizeof(full), "%s/%s", d->path, name);
	tw_script *s = NULL;
	tw_script_parse(&s, full, text, strlen(text), err);
	return s;
}

/* The message without the folder: "DIR/" taken out everywhere. */
static char *local(const dir *d, const char *text)
{
	char *out = strdup(text ? text : "");
	assert_non_null(out);
	char needle[80];
	snprintf(needle, sizeof(needle), "%s/", d->path);
	size_t n = strlen(needle);
	for (char *at; (at = strstr(out, needle));)
		memmove(at, at + n, strlen(at + n) + 1);
	return out;
}

static const char LOGIN[] = "rehearsal \"ignored: the user's header rules\"\n"
			    "budget 1s\n"
			    "cast\n"
			    "  user\n"
			    "  password\n"
			    "  greeting = Welcome back, {{user}}\n"
			    "\n"
			    "scene \"Log in\" on web\n"
			    "  visit {{stage}}/login\n"
			    "  fill username with {{user}}\n"
			    "  fill password with {{password}}\n"
			    "  submit \"Log in\"\n"
			    "  expect text \"{{greeting}}\"\n";

static void test_scenes_in_place(void **state)
{
	(void)state;
	dir d;
	make_dir(&d);
	put(&d, "shared/login.scene", LOGIN);
	tw_error err = {0};
	tw_script *s = parse_in(&d, "checkout.rehearsal",
				"rehearsal \"Checkout\"\n"
				"cast\n"
				"  stage\n"
				"  admin = ada\n"
				"scene \"Menu\"\n"
				"  visit {{stage}}/\n"
				"use \"shared/login.scene\" with user = {{admin}}\n"
				"  with password = {{secret STAGE_PASSWORD}}\n"
				"\n"
				"scene \"Pay\"\n"
				"  visit {{stage}}/pay\n"
				"use \"shared/login.scene\" with user = grace\n"
				"  with password = x\n",
				&err);
	assert_non_null(s);
	assert_string_equal(s->name, "Checkout");
	assert_int_equal(s->budget_ms, 0); /* the used file's header is ignored */
	assert_int_equal(s->scene_count, 4);
	assert_string_equal(s->scenes[0].name, "Menu");
	assert_null(s->scenes[0].use);
	assert_string_equal(s->scenes[1].name, "Log in");
	assert_string_equal(s->scenes[2].name, "Pay");
	assert_string_equal(s->scenes[3].name, "Log in (2)");
	const tw_use *u = s->scenes[1].use;
	assert_non_null(u);
	assert_int_equal(s->use_count, 2);
	assert_ptr_equal(s->uses[0], u);
	assert_string_equal(u->path, "shared/login.scene");
	assert_int_equal(u->loc.line, 7);
	assert_int_equal(u->ordinal, 1);
	assert_int_equal(s->uses[1]->ordinal, 2);
	assert_int_equal(u->first_scene, 1);
	assert_int_equal(s->uses[1]->first_scene, 3);
	assert_int_equal(u->with.count, 2);
	assert_string_equal(u->with.items[0].name, "user");
	assert_string_equal(u->with.items[0].value, "{{admin}}");
	assert_int_equal(u->with.items[1].loc.line, 8);
	assert_int_equal(u->params.count, 3);
	assert_null(u->params.items[0].value);
	assert_string_equal(u->params.items[2].value, "Welcome back, {{user}}");

	/* Each used step at its own file and line; carets read that file. */
	const tw_step *st = &s->scenes[1].steps[1];
	assert_ptr_equal(st->loc.file, u->file);
	char *file = local(&d, st->loc.file);
	assert_string_equal(file, "shared/login.scene");
	free(file);
	assert_int_equal(st->loc.line, 10);
	assert_string_equal(tw_script_line_of(s, st->loc.file, 10),
			    "  fill username with {{user}}");
	assert_string_equal(tw_script_line_of(s, s->path, 6), "  visit {{stage}}/");
	assert_string_equal(tw_script_line_of(s, NULL, 6), "  visit {{stage}}/");
	assert_string_equal(tw_script_line_of(s, st->loc.file, 99), "");

	tw_errors problems = {0};
	assert_int_equal(tw_script_check(s, NULL, &problems), 0);
	tw_errors_clear(&problems);
	tw_script_free(s);
	remove_dir(&d);
}

/* The message of a parse error, folder taken out, and its place. */
static void refused_as(dir *d, tw_code code, const char *text, const char *file, int line,
		       int col, const char *message)
{
	tw_error err = {0};
	tw_script *s = parse_in(d, "main.rehearsal", text, &err);
	assert_null(s);
	assert_int_equal(err.code, code);
	char *got = local(d, err.message), *where = local(d, err.file);
	if (strcmp(got, message) != 0 || strcmp(where, file) != 0 || err.line != line ||
	    err.col != col)
		fail_msg("got %s:%d:%d: %s\nwanted %s:%d:%d: %s", where, err.line, err.col, got,
			 file, line, col, message);
	free(got);
	free(where);
	tw_error_clear(&err);
}

static void refused(dir *d, const char *text, const char *file, int line, int col,
		    const char *message)
{
	refused_as(d, TW_ESYNTAX, text, file, line, col, message);
}

static void test_refused_at_the_use(void **state)
{
	(void)state;
	dir d;
	make_dir(&d);
	put(&d, "a.scene", "scene \"A\"\n  visit /\nuse \"b.scene\"\n");
	put(&d, "b.scene", "scene \"B\"\n  visit /\nuse \"main.rehearsal\"\n");
	put(&d, "main.rehearsal", "use \"a.scene\"\n");
	put(&d, "cast-only.scene", "cast\n  x = 1\n");
	put(&d, "plain.scene", "cast\n  x = 1\nscene \"Plain\"\n  visit /\n");
	put(&d, "shared/bad.scene", "scene \"Bad\"\n  visit /\n  clik \"Log in\"\n");
	put(&d, "deep.scene", "use \"deep2.scene\"\n");
	put(&d, "deep2.scene", "use \"deep.scene\"\n");

	/* issue 13, F1 (trial T12): neither a missing file nor a cycle is a
	 * syntax error. */
	refused_as(&d, TW_EIO, "use \"missing.scene\"\n", "main.rehearsal", 1, 5,
		"cannot read 'missing.scene': No such file or directory (a used file's path "
		"is relative to the using file's folder)");
	refused_as(&d, TW_ECHECK, "cast\n  x\nuse \"a.scene\"\n", "b.scene", 3, 5,
		"use cycle: main.rehearsal:3 uses a.scene, a.scene:3 uses b.scene, b.scene:3 "
		"uses main.rehearsal\n"
		"  used by a.scene:3:1\n"
		"  used by main.rehearsal:3:1");
	refused(&d, "use \"cast-only.scene\"\n", "main.rehearsal", 1, 5,
		"'cast-only.scene' has no scene: a used file brings its scenes (scene or "
		"backstage blocks) to the rehearsal");
	refused(&d, "scene \"S\"\n  visit /\n\nuse \"shared/bad.scene\"\n", "shared/bad.scene", 3,
		3,
		"unknown step 'clik' (did you mean 'click'?)\n"
		"  used by main.rehearsal:4:1");
	refused(&d, "use \"{{x}}.scene\"\n", "main.rehearsal", 1, 5,
		"the used file's name is written out, without {{...}}: it is read before the "
		"rehearsal runs "
		"(give the used file's cast its values with 'with')");
	refused(&d, "use a.scene\n", "main.rehearsal", 1, 5,
		"expected the used file in double quotes after 'use', like use "
		"\"scenes/login.scene\"");
	refused(&d, "use \"plain.scene\" user = x\n", "main.rehearsal", 1, 19,
		"unexpected 'user' after the used file: expected 'with NAME = VALUE' or the end "
		"of the line");
	refused(&d, "use \"plain.scene\"\n  visit /\n", "main.rehearsal", 2, 3,
		"'visit' cannot follow a use: expected 'with NAME = VALUE' right under it, "
		"another use, or a scene or backstage block");
	refused(&d, "use \"plain.scene\" with x = 1\n  with x = 2\n", "main.rehearsal", 2, 8,
		"duplicate 'with x' (first on line 1)");
	refused(&d, "use \"cast-only.scene\" with x\n", "main.rehearsal", 1, 29,
		"expected '=' after the with name 'x', like name = value");
	refused(&d, "scene \"S\"\n  visit /\n  with x = 1\n", "main.rehearsal", 3, 3,
		"'with' gives a used file's cast a value: it goes right under a use line, like "
		"with user = {{admin}}");

	/* A cycle among used files, not through the script. */
	tw_error err = {0};
	tw_script *s = parse_in(&d, "main.rehearsal", "use \"deep.scene\"\n", &err);
	assert_null(s);
	assert_int_equal(err.code, TW_ECHECK);
	char *msg = local(&d, err.message);
	assert_non_null(strstr(msg, "use cycle: deep.scene:1 uses deep2.scene, deep2.scene:1 uses "
				    "deep.scene"));
	free(msg);
	tw_error_clear(&err);
	remove_dir(&d);
}

static void test_depth(void **state)
{
	(void)state;
	dir d;
	make_dir(&d);
	/* 17 files, each using the next: the 17th use is one too deep. */
	char name[32], text[64];
	for (int i = 1; i <= 16; i++) {
		snprintf(name, sizeof(name), "d%02d.scene", i);
		snprintf(text, sizeof(text), "use \"d%02d.scene\"\n", i + 1);
		put(&d, name, text);
	}
	refused(&d, "use \"d01.scene\"\n", "d16.scene", 1, 5,
		"uses nest deeper than 16 files here: a used file may use others, 16 deep at "
		"most\n"
		"  used by d15.scene:1:1\n  used by d14.scene:1:1\n  used by d13.scene:1:1\n"
		"  used by d12.scene:1:1\n  used by d11.scene:1:1\n  used by d10.scene:1:1\n"
		"  used by d09.scene:1:1\n  used by d08.scene:1:1\n  used by d07.scene:1:1\n"
		"  used by d06.scene:1:1\n  used by d05.scene:1:1\n  used by d04.scene:1:1\n"
		"  used by d03.scene:1:1\n  used by d02.scene:1:1\n  used by d01.scene:1:1\n"
		"  used by main.rehearsal:1:1");
	remove_dir(&d);
}

static void test_refused_without_files(void **state)
{
	(void)state;
	const tw_parse_opts no_files = {.refuse_use = true};
	tw_script *s = NULL;
	tw_error err = {0};
	const char *text = "scene \"S\"\n  visit /\nuse \"/etc/passwd\"\n";
	assert_int_equal(tw_parse_with(&s, "fuzz.rehearsal", text, strlen(text), &no_files, &err),
			 TW_ESYNTAX);
	assert_null(s);
	assert_int_equal(err.line, 3);
	assert_string_equal(err.message,
			    "'use' reads another file, and this text is parsed without reading "
			    "files");
	tw_error_clear(&err);
	/* A cast entry named use is still one. */
	text = "cast\n  use = 1\nscene \"S\"\n  visit /{{use}}\n";
	assert_int_equal(tw_parse_with(&s, "fuzz.rehearsal", text, strlen(text), &no_files, &err),
			 TW_OK);
	assert_int_equal(s->cast.count, 1);
	tw_script_free(s);
}

/* issue 13, F1 (review R1): every scene and step a use moves in, and every
 * pass a repeat adds, in any file, counts against one budget for the
 * script (100 000): a file used many times by a file used many times
 * cannot make the parse ask for gigabytes. */
static void limited(dir *d, const char *text, const char *file, int line, int col,
		    const char *message)
{
	tw_error err = {0};
	tw_script *s = parse_in(d, "main.rehearsal", text, &err);
	if (s)
		fail_msg("parsed: %zu scenes", s->scene_count);
	assert_int_equal(err.code, TW_ELIMIT);
	char *got = local(d, err.message), *where = local(d, err.file);
	if (strcmp(got, message) != 0 || strcmp(where, file) != 0 || err.line != line ||
	    err.col != col)
		fail_msg("got %s:%d:%d: %s\nwanted %s:%d:%d: %s", where, err.line, err.col, got,
			 file, line, col, message);
	free(got);
	free(where);
	tw_error_clear(&err);
}

static void test_fan_out_budget(void **state)
{
	(void)state;
	dir d;
	make_dir(&d);
	/* leaf: 1 scene and 999 steps; fan: 10 uses of leaf (10 000). */
	size_t n = 0, cap = 16 + 999 * 10;
	char *leaf = malloc(cap);
	assert_non_null(leaf);
	n += (size_t)snprintf(leaf + n, cap - n, "scene \"L\"\n");
	for (int i = 0; i < 999; i++)
		n += (size_t)snprintf(leaf + n, cap - n, "  visit /\n");
	put(&d, "leaf.scene", leaf);
	free(leaf);
	char fan[256] = "";
	for (int i = 0; i < 10; i++)
		strcat(fan, "use \"leaf.scene\"\n");
	put(&d, "fan.scene", fan);
	/* 10 uses of fan: 100 000, at the budget; one more passes it, in
	 * fan's first use of leaf. */
	char main_text[512] = "";
	for (int i = 0; i < 10; i++)
		strcat(main_text, "use \"fan.scene\"\n");
	tw_error err = {0};
	tw_script *s = parse_in(&d, "main.rehearsal", main_text, &err);
	assert_non_null(s);
	assert_int_equal(s->scene_count, 100);
	tw_script_free(s);
	strcat(main_text, "use \"fan.scene\"\n");
	limited(&d, main_text, "fan.scene", 1, 5,
		"the used files and repeated scenes add more than 100000 steps and scenes "
		"to the rehearsal (this use passes it): use fewer files, or use them fewer "
		"times\n"
		"  used by main.rehearsal:11:1");

	/* A repeat in a used file counts against the same budget: each use
	 * of rep brings 10 000 (99 passes of 100 added, the first pass's
	 * 100); the 11th use's repeat passes it. */
	n = 0;
	char *rep = malloc(cap);
	assert_non_null(rep);
	n += (size_t)snprintf(rep + n, cap - n, "scene \"R\" repeat 100\n");
	for (int i = 0; i < 99; i++)
		n += (size_t)snprintf(rep + n, cap - n, "  visit /\n");
	put(&d, "rep.scene", rep);
	free(rep);
	char reps[512] = "";
	for (int i = 0; i < 11; i++)
		strcat(reps, "use \"rep.scene\"\n");
	limited(&d, reps, "rep.scene", 1, 18,
		"the used files and repeated scenes add more than 100000 steps and scenes "
		"to the rehearsal (this repeat passes it): repeat fewer times\n"
		"  used by main.rehearsal:11:1");
	remove_dir(&d);
}

typedef struct want {
	const char *file;
	int line, col;
	const char *message;
} want;

static void check_finds(dir *d, const char *text, const tw_vars *given, const want *w,
			size_t n)
{
	tw_error err = {0};
	tw_script *s = parse_in(d, "main.rehearsal", text, &err);
	if (!s)
		fail_msg("does not parse: %s", err.message);
	tw_errors problems = {0};
	size_t found = tw_script_check(s, given, &problems);
	for (size_t i = 0; i < problems.count && i < n; i++) {
		const tw_error *e = &problems.items[i];
		char *got = local(d, e->message), *where = local(d, e->file);
		if (strcmp(got, w[i].message) != 0 || strcmp(where, w[i].file) != 0 ||
		    e->line != w[i].line || e->col != w[i].col)
			fail_msg("problem %zu: got %s:%d:%d: %s\nwanted %s:%d:%d: %s", i, where,
				 e->line, e->col, got, w[i].file, w[i].line, w[i].col,
				 w[i].message);
		/* The caret's line is the problem's file's. */
		assert_string_equal(e->source_line, tw_script_line_of(s, e->file, e->line));
		free(got);
		free(where);
	}
	if (found != n)
		fail_msg("%zu problems, wanted %zu (first: %s)", found, n,
			 problems.count ? problems.items[0].message : "none");
	tw_errors_clear(&problems);
	tw_script_free(s);
}

static void test_check(void **state)
{
	(void)state;
	dir d;
	make_dir(&d);
	put(&d, "shared/login.scene", LOGIN);
	put(&d, "shared/typo.scene", "scene \"Typo\"\n  visit {{stagee}}/\n");
	put(&d, "order.rehearsal", "cast\n  stage\nscene \"Order\"\n  visit {{stage}}/\n"
				   "  expect text ~ /Order #(\\d+)/ as order\n");
	put(&d, "call.rehearsal", "cast\n  stage\n  order\nscene \"Call\"\n"
				  "  get {{stage}}/api/orders/{{order}}\n");

	/* Everything given: clean. A parameter the rehearsal already has
	 * (its cast) needs no with. */
	want none[1] = {{0}};
	check_finds(&d,
		    "cast\n  stage\n  user = ada\nuse \"shared/login.scene\"\n"
		    "  with password = x\n",
		    NULL, none, 0);

	/* Journeys: a capture of the first is the second's parameter. */
	check_finds(&d, "cast\n  stage\nuse \"order.rehearsal\"\nuse \"call.rehearsal\"\n", NULL,
		    none, 0);
	want call_alone[] = {{"main.rehearsal", 3, 1,
			      "'call.rehearsal' needs 'order': give it with 'with order = ...'"}};
	check_finds(&d, "cast\n  stage\nuse \"call.rehearsal\"\nuse \"order.rehearsal\"\n", NULL,
		    call_alone, 1);

	want missing[] = {
		{"main.rehearsal", 3, 1,
		 "'shared/login.scene' needs 'password': give it with 'with password = ...'"},
	};
	check_finds(&d, "cast\n  stage\nuse \"shared/login.scene\" with user = ada\n", NULL,
		    missing, 1);

	want unknown_with[] = {
		{"main.rehearsal", 4, 8,
		 "'shared/login.scene' has no cast name 'pasword' (did you mean 'password'?): "
		 "'with' gives the used file's cast names"},
		{"main.rehearsal", 3, 1,
		 "'shared/login.scene' needs 'password': give it with 'with password = ...'"},
	};
	check_finds(&d,
		    "cast\n  stage\nuse \"shared/login.scene\" with user = ada\n"
		    "  with pasword = x\n",
		    NULL, unknown_with, 2);

	/* A with value is checked in the using file's variables, where it is. */
	want with_var[] = {
		{"main.rehearsal", 4, 38, "unknown variable 'admn' (did you mean 'admin'?)"},
	};
	check_finds(&d,
		    "cast\n  stage\n  admin = ada\nuse \"shared/login.scene\" with user = {{admn}}\n"
		    "  with password = x\n\nscene \"After\"\n  visit {{admin}}\n",
		    NULL, with_var, 1);
	(void)with_var;

	/* Inside the used file: its own place, then the chain. */
	want typo[] = {
		{"shared/typo.scene", 2, 9,
		 "unknown variable 'stagee' (did you mean 'stage'?)\n"
		 "  used by main.rehearsal:3:1"},
	};
	check_finds(&d, "cast\n  stage\nuse \"shared/typo.scene\"\n", NULL, typo, 1);

	/* A name clash with a scene of the rehearsal: at the use. */
	want clash[] = {
		{"main.rehearsal", 5, 1,
		 "'shared/typo.scene' brings scene 'Typo' (shared/typo.scene:1), and the "
		 "rehearsal has one so named (main.rehearsal:3): scene names are unique in a "
		 "rehearsal"},
	};
	check_finds(&d,
		    "cast\n  stagee\nscene \"Typo\"\n  visit {{stagee}}\nuse \"shared/typo.scene\"\n",
		    NULL, clash, 1);

	/* Given at run time (--var): a parameter so given needs no with. */
	tw_vars *given = tw_vars_new();
	assert_non_null(given);
	assert_int_equal(tw_vars_set(given, "stage", "http://x", false), TW_OK);
	assert_int_equal(tw_vars_set(given, "password", "pw", true), TW_OK);
	check_finds(&d, "cast\n  stage\nuse \"shared/login.scene\" with user = ada\n", given,
		    none, 0);
	tw_vars_free(given);
	remove_dir(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenes_in_place),
		cmocka_unit_test(test_refused_at_the_use),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_refused_without_files),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_fan_out_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
