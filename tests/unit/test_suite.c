/*
 * issue 13, SUITE: the selection of a run's rehearsals (--tag, --skip-tag,
 * --name: techweek/suite.h, runner/suite.c) and the project file's
 * environments (--env: readiness/project.c): what is kept and why not, the
 * words every report uses, a bad "environments" refused as strictly as
 * the file's other keys, an environment's precedence and secrets, and the
 * one message naming every variable no one gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "readiness/project.h"
#include "runner/run.h"
#include "runner/suite.h"
#include "techweek.h"

static tw_selection *selection(const char *tags, const char *skip, const char *name)
{
	tw_selection *sel = NULL;
	tw_error err = {0};
	assert_int_equal(tw_selection_new(&sel, &err), TW_OK);
	if (tags)
		assert_int_equal(tw_selection_add(sel, TW_SELECT_TAG, tags, &err), TW_OK);
	if (skip)
		assert_int_equal(tw_selection_add(sel, TW_SELECT_SKIP_TAG, skip, &err), TW_OK);
	if (name)
		assert_int_equal(tw_selection_add(sel, TW_SELECT_NAME, name, &err), TW_OK);
	return sel;
}

static tw_script *parse(const char *name, const char *text)
{
	tw_script *s = NULL;
	tw_error err = {0};
	if (tw_script_parse(&s, name, text, strlen(text), &err) != TW_OK)
		fail_msg("%s: %s", name, err.message);
	return s;
}

static void test_empty_keeps_everything(void **st)
{
	(void)st;
	tw_selection *sel = selection(NULL, NULL, NULL);
	char why[64] = "x";
	assert_false(tw_selection_active(sel));
	assert_true(tw_selection_keeps(sel, "Anything", NULL, 0, why, sizeof(why)));
	assert_string_equal(why, "");
	tw_selection_free(sel);
}

static void test_tags(void **st)
{
	(void)st;
	/* "smoke,api" is two tags; blanks around them do not count. */
	tw_selection *sel = selection(" smoke , api", "slow", NULL);
	const char *smoke[] = {"smoke"}, *slow_api[] = {"api", "slow"}, *none[] = {"checkout"};
	char why[128];
	assert_true(tw_selection_keeps(sel, "A", smoke, 1, why, sizeof(why)));
	assert_false(tw_selection_keeps(sel, "B", slow_api, 2, why, sizeof(why)));
	assert_string_equal(why, "with tag slow");
	assert_false(tw_selection_keeps(sel, "C", none, 1, why, sizeof(why)));
	assert_string_equal(why, "without tag smoke or api");
	assert_false(tw_selection_keeps(sel, "D", NULL, 0, why, sizeof(why)));
	assert_string_equal(why, "without tag smoke or api");
	char *options = tw_selection_describe(sel);
	assert_string_equal(options, "--tag smoke,api --skip-tag slow");
	free(options);
	tw_selection_free(sel);
}

static void test_empty_tag_refused(void **st)
{
	(void)st;
	tw_selection *sel = selection(NULL, NULL, NULL);
	tw_error err = {0};
	assert_int_equal(tw_selection_add(sel, TW_SELECT_TAG, "smoke,,api", &err), TW_EUSAGE);
	assert_string_equal(err.message,
			    "--tag: 'smoke,,api' has an empty tag (give tags as smoke or smoke,api)");
	tw_error_clear(&err);
	assert_int_equal(tw_selection_add(sel, TW_SELECT_NAME, "", &err), TW_EUSAGE);
	tw_error_clear(&err);
	assert_false(tw_selection_active(sel));
	tw_selection_free(sel);
}

static void test_names(void **st)
{
	(void)st;
	/* A shell glob, any case; any of them matches. */
	tw_selection *sel = selection(NULL, NULL, "order*");
	tw_error err = {0};
	assert_int_equal(tw_selection_add(sel, TW_SELECT_NAME, "*[Kk]itchen?API", &err), TW_OK);
	char why[128];
	assert_true(tw_selection_keeps(sel, "Order a pizza", NULL, 0, why, sizeof(why)));
	assert_true(tw_selection_keeps(sel, "The KITCHEN API", NULL, 0, why, sizeof(why)));
	assert_false(tw_selection_keeps(sel, "A returning customer", NULL, 0, why, sizeof(why)));
	assert_string_equal(why, "not matching --name 'order*' or '*[Kk]itchen?API'");
	tw_selection_free(sel);
}

static void test_consider_and_summary(void **st)
{
	(void)st;
	tw_selection *sel = selection("smoke", "slow", NULL);
	tw_script *a = parse("a.rehearsal", "rehearsal \"A\"\ntags smoke\nscene \"S\"\n  get https://x.test/\n");
	tw_script *b = parse("b.rehearsal", "rehearsal \"B\"\ntags smoke, slow\nscene \"S\"\n  get https://x.test/\n");
	tw_script *c = parse("c.rehearsal", "rehearsal \"C\"\ntags checkout\nscene \"S\"\n  get https://x.test/\n");
	tw_script *d = parse("d.rehearsal", "rehearsal \"D\"\nscene \"S\"\n  get https://x.test/\n");
	bool keep;
	tw_error err = {0};
	assert_int_equal(tw_selection_consider(sel, "a.rehearsal", a, &keep, &err), TW_OK);
	assert_true(keep);
	assert_int_equal(tw_selection_consider(sel, "b.rehearsal", b, &keep, &err), TW_OK);
	assert_false(keep);
	assert_int_equal(tw_selection_consider(sel, "c.rehearsal", c, &keep, &err), TW_OK);
	assert_false(keep);
	assert_int_equal(tw_selection_consider(sel, "d.rehearsal", d, &keep, &err), TW_OK);
	assert_false(keep);
	/* A file that did not parse is kept: reported broken as ever. */
	assert_int_equal(tw_selection_consider(sel, "e.rehearsal", NULL, &keep, &err), TW_OK);
	assert_true(keep);
	assert_int_equal(tw_selection_considered(sel), 5);
	assert_int_equal(tw_selection_selected(sel), 2);
	const char *path, *name, *why;
	assert_true(tw_selection_left_out(sel, 0, &path, &name, &why));
	assert_string_equal(path, "b.rehearsal");
	assert_string_equal(name, "B");
	assert_string_equal(why, "with tag slow");
	assert_false(tw_selection_left_out(sel, 3, &path, &name, &why));
	char *line = tw_selection_summary(sel);
	assert_string_equal(line, "selected 2 of 5 rehearsals: 1 with tag slow, 2 without tag smoke");
	free(line);
	char *nothing = tw_selection_nothing(sel);
	assert_string_equal(nothing, "no rehearsal selected by --tag smoke --skip-tag slow (tags in "
				     "these files: checkout, slow, smoke)");
	free(nothing);

	/* The run keeps a copy for its reports: JSON's "selection". */
	tw_run *run = NULL;
	assert_int_equal(tw_run_new(&run, NULL, &err), TW_OK);
	assert_int_equal(tw_run_set_selection(run, sel, &err), TW_OK);
	assert_int_equal(tw_run_set_environment(run, "staging", &err), TW_OK);
	tw_selection_free(sel);
	/* A gates rule for a rehearsal left out is for it (by name or tag). */
	assert_true(tw_suite_left_out_matches(run, "B", NULL));
	assert_true(tw_suite_left_out_matches(run, NULL, "checkout"));
	assert_false(tw_suite_left_out_matches(run, "A", NULL));
	assert_false(tw_suite_left_out_matches(run, NULL, "smokee"));
	json_t *j = tw_suite_selection_json(run);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "selected")), 2);
	assert_int_equal(json_array_size(json_object_get(j, "left_out")), 3);
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "skip_tags"), 0)),
			    "slow");
	/* ... which merge reads back. */
	tw_run *back = NULL;
	assert_int_equal(tw_run_new(&back, NULL, &err), TW_OK);
	json_t *doc = json_pack("{s:O,s:s}", "selection", j, "environment", "staging");
	assert_int_equal(tw_suite_read_json(back, doc, "part.json", &err), TW_OK);
	char *again = tw_suite_selection_line(back);
	assert_string_equal(again, "selected 2 of 5 rehearsals: 1 with tag slow, 2 without tag smoke");
	assert_string_equal(back->environment, "staging");
	free(again);
	json_decref(doc);
	json_decref(j);
	tw_run_free(back);
	tw_run_free(run);
	tw_script_free(a);
	tw_script_free(b);
	tw_script_free(c);
	tw_script_free(d);
}

static void test_nothing_without_tags(void **st)
{
	(void)st;
	tw_selection *sel = selection(NULL, NULL, "x*");
	char *nothing = tw_selection_nothing(sel);
	assert_string_equal(nothing, "no rehearsal selected by --name 'x*' (no rehearsal names in "
				     "these files)");
	free(nothing);
	tw_selection_free(sel);
}

/* issue 13, F4 (T12): a --name that matches nothing lists the rehearsals'
 * names (a few, sorted, then "..."), not their tags; with --tag too, both. */
static void test_nothing_lists_names(void **st)
{
	(void)st;
	tw_selection *sel = selection(NULL, NULL, "nothing*");
	static const char *const names[] = {"Order pizza", "Kitchen", "Basket", "Refund",
					    "Sign in", "Track", "Zebra"};
	tw_script *s[7];
	bool keep;
	tw_error err = {0};
	for (size_t i = 0; i < 7; i++) {
		char text[160];
		snprintf(text, sizeof(text), "rehearsal \"%s\"\ntags t%zu\nscene \"S\"\n  get https://x.test/\n",
			 names[i], i % 2);
		s[i] = parse("x.rehearsal", text);
		assert_int_equal(tw_selection_consider(sel, "x.rehearsal", s[i], &keep, &err), TW_OK);
		assert_false(keep);
	}
	char *nothing = tw_selection_nothing(sel);
	assert_string_equal(nothing, "no rehearsal selected by --name 'nothing*' (rehearsals in these "
				     "files: 'Basket', 'Kitchen', 'Order pizza', 'Refund', 'Sign in', "
				     "...)");
	free(nothing);
	tw_selection_free(sel);
	sel = selection("t9", NULL, "nothing*");
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(tw_selection_consider(sel, "x.rehearsal", s[i], &keep, &err), TW_OK);
	nothing = tw_selection_nothing(sel);
	assert_string_equal(nothing, "no rehearsal selected by --tag t9 --name 'nothing*' (tags in "
				     "these files: t0, t1; rehearsals in these files: 'Kitchen', "
				     "'Order pizza')");
	free(nothing);
	tw_selection_free(sel);
	for (size_t i = 0; i < 7; i++)
		tw_script_free(s[i]);
}

static void test_bad_selection_json(void **st)
{
	(void)st;
	tw_run *run = NULL;
	tw_error err = {0};
	assert_int_equal(tw_run_new(&run, NULL, &err), TW_OK);
	json_t *doc = json_loads("{\"selection\": {\"tags\": 3}, \"environment\": null}", 0, NULL);
	assert_int_equal(tw_suite_read_json(run, doc, "part.json", &err), TW_EUSAGE);
	assert_non_null(strstr(err.message, "part.json: selection: expected"));
	tw_error_clear(&err);
	json_decref(doc);
	tw_run_free(run);
}

/* ---- the environments ---- */

static int load(tw_readiness_config *c, const char *text, tw_error *err)
{
	tw_readiness_config_init(c);
	return tw_project_parse(c, "techweek.json", text, strlen(text), err);
}

static void refused(const char *text, const char *message)
{
	tw_readiness_config c;
	tw_error err = {0};
	assert_int_equal(load(&c, text, &err), TW_EUSAGE);
	if (strcmp(err.message, message) != 0)
		fail_msg("%s\n  said: %s\n  want: %s", text, err.message, message);
	tw_error_clear(&err);
	assert_int_equal(tw_project_env_count(&c), 0);
	tw_readiness_config_free(&c);
}

static void test_environments_strict(void **st)
{
	(void)st;
	refused("{\"environments\": [1]}",
		"environments: must be an object: {\"staging\": {\"vars\": {\"stage\": \"https://...\"}}}");
	refused("{\"environments\": {\"staging\": {\"var\": {}}}}",
		"environments.staging.var: unknown key (did you mean 'vars'?)");
	refused("{\"environments\": {\"staging\": {\"gate\": 101}}}",
		"environments.staging.gate: must be a number from 0 to 100, not 101");
	refused("{\"environments\": {\"staging\": {\"vars\": {\"n\": 5}}}}",
		"environments.staging.vars.n: must be text (in quotes)");
	refused("{\"environments\": {\"staging\": {\"vars\": {\"stage\": \"{{host}}/x\"}}}}",
		"environments.staging.vars.stage: only {{env NAME}} and {{secret NAME}} may stand in "
		"an environment's value");
	refused("{\"environments\": {\"staging\": {\"vars\": {\"a b\": \"x\"}}}}",
		"environments.staging.vars.a b: not a variable name (letters, digits, _ . -)");
	refused("{\"environments\": {\"staging\": 3}}",
		"environments.staging: must be an object: {\"vars\": {...}, \"gate\": 95}");
}

static void test_environment_use(void **st)
{
	(void)st;
	setenv("TW_SUITE_TOKEN", "s3cret-token", 1);
	setenv("TW_SUITE_HOST", "staging.example.test", 1);
	tw_readiness_config c;
	tw_error err = {0};
	assert_int_equal(load(&c,
			      "{\"gate\": 80, \"environments\": {"
			      "\"staging\": {\"vars\": {\"stage\": \"https://{{env TW_SUITE_HOST}}\", "
			      "\"token\": \"{{secret TW_SUITE_TOKEN}}\", \"user\": \"ada\"}, \"gate\": 95},"
			      "\"local\": {\"vars\": {\"stage\": \"http://127.0.0.1:8080\"}}}}",
			      &err),
			 TW_OK);
	assert_int_equal(tw_project_env_count(&c), 2);
	assert_string_equal(tw_project_env_name(&c, 0), "staging");
	assert_null(tw_project_env_name(&c, 2));
	tw_vars *vars = tw_vars_new();
	/* --var user=grace was given: it wins over the environment. */
	tw_vars_set(vars, "user", "grace", false);
	assert_int_equal(tw_project_env_use(&c, "staging", vars, &err), TW_OK);
	bool secret = false;
	assert_string_equal(tw_vars_get(vars, "stage", &secret), "https://staging.example.test");
	assert_false(secret);
	assert_string_equal(tw_vars_get(vars, "token", &secret), "s3cret-token");
	assert_true(secret);
	assert_string_equal(tw_vars_get(vars, "user", NULL), "grace");
	assert_true(c.gate == 95);

	/* A secret given so is masked by the run as a {{secret}} is. */
	tw_run_options o = TW_RUN_OPTIONS_INIT;
	o.vars = vars;
	tw_run *run = NULL;
	assert_int_equal(tw_run_new(&run, &o, &err), TW_OK);
	char *shown = tw_run_redact(run, "Bearer s3cret-token");
	assert_string_equal(shown, "Bearer ***");
	free(shown);
	tw_run_free(run);

	/* An unknown name: did you mean, and what the file has. */
	assert_int_equal(tw_project_env_use(&c, "stagin", vars, &err), TW_EUSAGE);
	assert_string_equal(err.message, "unknown environment 'stagin' (did you mean 'staging'? "
					 "techweek.json has: local, staging)");
	tw_error_clear(&err);
	assert_int_equal(tw_project_env_use(&c, "prod", vars, &err), TW_EUSAGE);
	assert_string_equal(err.message, "unknown environment 'prod' (techweek.json has: local, staging)");
	tw_error_clear(&err);

	/* An environment variable a value reads must be set. */
	unsetenv("TW_SUITE_TOKEN");
	tw_vars *fresh = tw_vars_new();
	assert_int_equal(tw_project_env_use(&c, "staging", fresh, &err), TW_EUSAGE);
	assert_string_equal(err.message,
			    "environment 'staging': \"token\" reads {{secret TW_SUITE_TOKEN}}, and the "
			    "environment variable TW_SUITE_TOKEN is not set");
	tw_error_clear(&err);
	tw_vars_free(fresh);
	tw_vars_free(vars);
	tw_readiness_config_free(&c);
}

static void test_no_environments(void **st)
{
	(void)st;
	tw_readiness_config c;
	tw_error err = {0};
	assert_int_equal(load(&c, "{\"gate\": 80}", &err), TW_OK);
	tw_vars *vars = tw_vars_new();
	assert_int_equal(tw_project_env_use(&c, "staging", vars, &err), TW_EUSAGE);
	assert_non_null(strstr(err.message, "--env staging: no environments"));
	tw_error_clear(&err);
	tw_vars_free(vars);
	tw_readiness_config_free(&c);

	/* The public handle says the same. */
	tw_project *p = NULL;
	assert_int_equal(tw_project_new(&p, &err), TW_OK);
	assert_int_equal(tw_project_environment_count(p), 0);
	vars = tw_vars_new();
	assert_int_equal(tw_project_use_environment(p, "x", vars, &err), TW_EUSAGE);
	tw_error_clear(&err);
	tw_vars_free(vars);
	tw_project_free(p);
}

static void test_missing(void **st)
{
	(void)st;
	tw_script *a = parse("order-pizza.rehearsal",
			     "rehearsal \"A\"\ncast\n  stage\n  token\nscene \"S\"\n  get {{stage}}/{{token}}\n");
	tw_script *b = parse("kitchen-api.rehearsal",
			     "rehearsal \"B\"\ncast\n  stage\n  user = ada\nscene \"S\"\n  get {{stage}}/\n");
	const tw_script *list[] = {a, NULL, b};
	tw_vars *given = tw_vars_new();
	char *message = NULL;
	tw_error err = {0};
	assert_int_equal(tw_scripts_missing(&message, list, 3, given, NULL, "staging", &err), TW_OK);
	assert_string_equal(message, "environment 'staging' does not give: stage "
				     "(order-pizza.rehearsal:3:3, kitchen-api.rehearsal:3:3), token "
				     "(order-pizza.rehearsal:4:3)");
	free(message);
	tw_vars_set(given, "stage", "https://x.test", false);
	tw_vars_set(given, "token", "t", true);
	assert_int_equal(tw_scripts_missing(&message, list, 3, given, NULL, "staging", &err), TW_OK);
	assert_null(message);
	tw_vars_free(given);
	tw_script_free(a);
	tw_script_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_keeps_everything),
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_empty_tag_refused),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_consider_and_summary),
		cmocka_unit_test(test_nothing_without_tags),
		cmocka_unit_test(test_nothing_lists_names),
		cmocka_unit_test(test_bad_selection_json),
		cmocka_unit_test(test_environments_strict),
		cmocka_unit_test(test_environment_use),
		cmocka_unit_test(test_no_environments),
		cmocka_unit_test(test_missing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
