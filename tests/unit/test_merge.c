/*
 * tw_run_load_parts (runner/merge.c): two shards written by tw_report_json
 * come back as one run whose figures are the sums, histograms exact, the
 * shown performance the failing one with its steps pointing into the
 * re-parsed script; and bad parts are refused naming the file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/result.h"
#include "techweek.h"

static const char script_text[] =
	"rehearsal \"Unit merge\"\n"
	"scene \"One\" on web\n"
	"  get http://127.0.0.1:9/a\n"
	"  expect status 200\n";

typedef struct scratch {
	char dir[64];
	char old[4096];
} scratch;

/* A folder holding u.rehearsal, made the current one (the plan's paths
 * are relative). */
static void scratch_make(scratch *s)
{
	strcpy(s->dir, "/tmp/tw-merge-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	assert_non_null(getcwd(s->old, sizeof(s->old)));
	assert_int_equal(chdir(s->dir), 0);
	FILE *f = fopen("u.rehearsal", "w");
	assert_non_null(f);
	fputs(script_text, f);
	fclose(f);
}

static void scratch_remove(scratch *s)
{
	assert_int_equal(chdir(s->old), 0);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
	assert_int_equal(system(cmd), 0);
}

/* One performance: the request took ms, the expectation passed or not. */
static void perform(tw_run *run, double ms, bool pass)
{
	const tw_script *s = run->rehearsals[0].script;
	tw_rehearsal_result r = {.script = s, .status = pass ? TW_STATUS_PASSED : TW_STATUS_FAILED};
	r.elapsed_ms = ms + 1;
	r.frontstage_steps = 2;
	r.frontstage_ms = ms + 1;
	r.scene_count = s->scene_count;
	r.scenes = calloc(s->scene_count, sizeof(*r.scenes));
	assert_non_null(r.scenes);
	const tw_scene *sc = &s->scenes[0];
	tw_scene_result *sr = &r.scenes[0];
	sr->scene = sc;
	sr->status = r.status;
	sr->elapsed_ms = ms + 1;
	sr->steps = calloc(sc->step_count, sizeof(*sr->steps));
	assert_non_null(sr->steps);
	for (size_t j = 0; j < sc->step_count; j++) {
		sr->steps[j].step = &sc->steps[j];
		sr->steps[j].status = TW_STATUS_PASSED;
		sr->steps[j].elapsed_ms = j == 0 ? ms : 0.5;
	}
	sr->steps[0].requested = true;
	sr->steps[0].method = strdup("GET");
	sr->steps[0].url = strdup("http://127.0.0.1:9/a");
	sr->steps[0].http_status = pass ? 200 : 503;
	sr->steps[0].timings.total_ms = ms;
	sr->steps[0].timings.first_byte_ms = ms / 2;
	sr->steps[0].bytes_in = 100;
	if (!pass) {
		sr->steps[1].status = TW_STATUS_FAILED;
		sr->steps[1].message = strdup("expected status 200, got 503");
		sr->steps[1].expected = strdup("200");
		sr->steps[1].actual = strdup("503");
	}
	assert_int_equal(tw_rehearsal_metrics_add(&run->metrics[0], &r), TW_OK);
	tw_rehearsal_result *shown = &run->rehearsals[0];
	if (!shown->scenes || (!pass && shown->status == TW_STATUS_PASSED)) {
		char *path = shown->path, *name = shown->name;
		shown->path = shown->name = NULL;
		tw_rehearsal_result_free(shown);
		*shown = r;
		shown->path = path;
		shown->name = name;
	} else {
		tw_rehearsal_result_free(&r);
	}
}

/* Writes shard index/count with the given performances as FILE. */
static void write_part(const char *file, unsigned index, unsigned count, const double *ms,
		       const bool *pass, size_t n)
{
	tw_run_options o;
	tw_run_options_init(&o);
	o.performances = 5;
	o.shard_index = index;
	o.shard_count = count;
	tw_run *run = NULL;
	tw_error err = {0};
	assert_int_equal(tw_run_new(&run, &o, &err), TW_OK);
	tw_script *script = NULL;
	assert_int_equal(tw_script_load(&script, "u.rehearsal", &err), TW_OK);
	assert_int_equal(tw_run_add_script(run, script, &err), TW_OK);
	assert_int_equal(tw_run_record_plan(run), TW_OK);
	run->shard_mode = TW_SHARD_PERFORMANCES;
	strcpy(run->started_at, index == 1 ? "2024-05-01T02:00:01" : "2024-05-01T02:00:00");
	run->elapsed_ms = 100.0 * index;
	run->planned = run->started = n;
	run->metrics = calloc(1, sizeof(*run->metrics));
	assert_non_null(run->metrics);
	assert_int_equal(tw_rehearsal_metrics_init(&run->metrics[0], script), TW_OK);
	for (size_t i = 0; i < n; i++)
		perform(run, ms[i], pass[i]);
	assert_int_equal(tw_report_json(run, NULL, file, &err), TW_OK);
	tw_run_free(run);
}

static void write_both(void)
{
	static const double ms1[] = {10.25, 20.5, 3.125};
	static const bool pass1[] = {true, true, true};
	static const double ms2[] = {40.0, 0.75};
	static const bool pass2[] = {false, true};
	write_part("p1.json", 1, 2, ms1, pass1, 3);
	write_part("p2.json", 2, 2, ms2, pass2, 2);
}

static void test_merge_sums(void **state)
{
	(void)state;
	scratch s;
	scratch_make(&s);
	write_both();
	const char *paths[] = {"p2.json", "p1.json"}; /* any order */
	tw_run *run = NULL;
	tw_error err = {0};
	int rc = tw_run_load_parts(&run, paths, 2, &err);
	if (rc)
		fail_msg("%s", err.message);
	assert_int_equal(run->count, 1);
	const tw_rehearsal_metrics *m = &run->metrics[0];
	assert_int_equal(m->performances, 5);
	assert_int_equal(m->achieved, 4);
	assert_int_equal(m->failed, 1);
	assert_int_equal(m->frontstage_steps, 10);
	assert_int_equal(tw_histogram_count(m->time_to_outcome), 4);
	const tw_touchpoint_metrics *t = &m->scenes[0].steps[0];
	assert_int_equal(t->count, 5);
	assert_int_equal(t->requests, 5);
	assert_true(t->bytes_in == 500);
	assert_int_equal(tw_histogram_count(t->latency), 5);
	assert_true(tw_histogram_min(t->latency) == 0.75);
	assert_true(tw_histogram_max(t->latency) == 40.0);
	assert_true(tw_histogram_mean(t->latency) == (10.25 + 20.5 + 3.125 + 40.0 + 0.75) / 5);
	const tw_touchpoint_metrics *e = &m->scenes[0].steps[1];
	assert_int_equal(e->failed, 1);
	assert_int_equal(e->failures[TW_CAUSE_EXPECTATION], 1);
	assert_string_equal(e->first_failure, "expected status 200, got 503");
	assert_int_equal(run->planned, 5);
	assert_true(run->elapsed_ms == 200);
	assert_string_equal(run->started_at, "2024-05-01T02:00:00");

	/* The shown performance: the failing one, pointing into the script. */
	const tw_rehearsal_result *r = &run->rehearsals[0];
	assert_int_equal(r->status, TW_STATUS_FAILED);
	assert_non_null(r->script);
	assert_int_equal(r->scene_count, 1);
	assert_ptr_equal(r->scenes[0].scene, &r->script->scenes[0]);
	assert_ptr_equal(r->scenes[0].steps[1].step, &r->script->scenes[0].steps[1]);
	assert_int_equal(r->scenes[0].steps[0].http_status, 503);
	assert_string_equal(r->scenes[0].steps[1].message, "expected status 200, got 503");
	assert_string_equal(r->scenes[0].steps[1].actual, "503");
	assert_true(r->scenes[0].steps[0].timings.total_ms == 40.0);
	assert_int_equal(tw_run_verdict(run), TW_VERDICT_FAILED);
	assert_int_equal(run->plan_count, 1);

	/* The merged run writes a result that merges again, alone. */
	assert_int_equal(tw_report_json(run, NULL, "m.json", &err), TW_OK);
	tw_run_free(run);
	const char *again[] = {"m.json"};
	rc = tw_run_load_parts(&run, again, 1, &err);
	if (rc)
		fail_msg("%s", err.message);
	assert_int_equal(run->metrics[0].performances, 5);
	assert_true(tw_histogram_max(run->metrics[0].scenes[0].steps[0].latency) == 40.0);
	tw_run_free(run);
	scratch_remove(&s);
}

/* The part is refused, with TW_EUSAGE and a message naming want. */
static void refused(const char *const *paths, size_t n, const char *want)
{
	tw_run *run = NULL;
	tw_error err = {0};
	assert_int_equal(tw_run_load_parts(&run, paths, n, &err), TW_EUSAGE);
	assert_null(run);
	assert_non_null(err.message);
	if (!strstr(err.message, want))
		fail_msg("'%s' does not name %s", err.message, want);
	tw_error_clear(&err);
}

static void rewrite(const char *from, const char *to, const char *key, json_t *value)
{
	json_t *doc = json_load_file(from, 0, NULL);
	assert_non_null(doc);
	json_object_set_new(doc, key, value);
	assert_int_equal(json_dump_file(doc, to, JSON_COMPACT), 0);
	json_decref(doc);
}

static void test_bad_parts(void **state)
{
	(void)state;
	scratch s;
	scratch_make(&s);
	write_both();

	FILE *f = fopen("cut.json", "w");
	assert_non_null(f);
	fputs("{\"techweek\":\"0.1.0\",\"format\":3,\"plan\":{\"rehea", f);
	fclose(f);
	refused((const char *[]){"p1.json", "cut.json"}, 2, "cut.json");
	refused((const char *[]){"p1.json", "nope.json"}, 2, "nope.json");

	rewrite("p2.json", "f2.json", "format", json_integer(2));
	refused((const char *[]){"p1.json", "f2.json"}, 2, "f2.json");
	rewrite("p2.json", "v.json", "techweek", json_string("0.0.0"));
	refused((const char *[]){"p1.json", "v.json"}, 2, "v.json");
	rewrite("p2.json", "plan.json", "plan", json_pack("{s:[], s:{}}", "rehearsals", "schedule"));
	refused((const char *[]){"p1.json", "plan.json"}, 2, "plan.json");

	refused((const char *[]){"p1.json"}, 1, "shard 2/2 is missing");
	refused((const char *[]){"p1.json", "p2.json", "p1.json"}, 3, "repeats shard 1/2");
	refused((const char *[]){"p1.json", "p1.json"}, 2, "repeats shard 1/2");

	/* The script is gone, or changed. */
	assert_int_equal(rename("u.rehearsal", "gone.rehearsal"), 0);
	refused((const char *[]){"p1.json", "p2.json"}, 2, "u.rehearsal");
	f = fopen("u.rehearsal", "w");
	assert_non_null(f);
	fputs("rehearsal \"Another name\"\nscene \"One\" on web\n  get http://127.0.0.1:9/a\n", f);
	fclose(f);
	refused((const char *[]){"p1.json", "p2.json"}, 2, "changed");
	scratch_remove(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_sums),
		cmocka_unit_test(test_bad_parts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
