/*
 * The JSON result (reports/json.c) as a program reads it: every report
 * written here is loaded back with jansson (which refuses invalid JSON and
 * invalid UTF-8) and its fields checked against the run it came from:
 * counts, failures by cause, percentiles, buckets, flaky flags, a broken
 * script, text a hostile server sent, the readiness score (built by hand
 * here: reports only read it), the settings (variable names, never their
 * values), the transcripts of failing scenes, and a report that cannot be
 * written. tests/integration/json_schema.sh validates real output against
 * docs/results-schema.json.
 * There is no byte-exact golden file: the layout is checked field by field
 * (docs/reports.md), so adding a field breaks nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "readiness/score.h"
#include "reports_fixture.h"
#define REPORT_FILE "result.json"
#include "report_files.h"

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

/* Writes the run's report and loads it back; strict: no duplicate keys,
 * valid UTF-8, one document. */
static json_t *report(fixture *fx, scratch *s)
{
	scratch_make(s);
	tw_error err = {0};
	int rc = tw_report_json(fx->run, NULL, s->path, &err);
	if (rc != TW_OK)
		fail_msg("tw_report_json: %s", err.message ? err.message : "?");
	json_error_t jerr;
	json_t *doc = json_load_file(s->path, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		fail_msg("%s is not valid JSON: %s at line %d col %d", s->path, jerr.text, jerr.line,
			 jerr.column);
	return doc;
}

/* The value at a path of keys and array indexes ("rehearsals/1/name");
 * fails the test when it is not there. */
static json_t *at(json_t *doc, const char *path)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	json_t *v = doc;
	for (char *save = NULL, *seg = strtok_r(buf, "/", &save); seg;
	     seg = strtok_r(NULL, "/", &save)) {
		if (json_is_array(v))
			v = json_array_get(v, strtoul(seg, NULL, 10));
		else
			v = json_object_get(v, seg);
		if (!v)
			fail_msg("no %s in the report (missing at '%s')", path, seg);
	}
	return v;
}

static double num(json_t *doc, const char *path)
{
	json_t *v = at(doc, path);
	if (!json_is_number(v))
		fail_msg("%s is not a number", path);
	return json_number_value(v);
}

/* Counts are JSON integers, never reals. */
static long long integer(json_t *doc, const char *path)
{
	json_t *v = at(doc, path);
	if (!json_is_integer(v))
		fail_msg("%s is not an integer", path);
	return json_integer_value(v);
}

static const char *text(json_t *doc, const char *path)
{
	json_t *v = at(doc, path);
	if (!json_is_string(v))
		fail_msg("%s is not a string", path);
	return json_string_value(v);
}

static bool boolean(json_t *doc, const char *path)
{
	json_t *v = at(doc, path);
	if (!json_is_boolean(v))
		fail_msg("%s is not a boolean", path);
	return json_is_true(v);
}

#define assert_num(doc, path, want)                                                                \
	do {                                                                                       \
		double got_ = num(doc, path);                                                      \
		if (fabs(got_ - (want)) > 1e-9)                                                    \
			fail_msg("%s: got %.9g, want %.9g", path, got_, (double)(want));          \
	} while (0)
#define assert_int_at(doc, path, want) assert_int_equal(integer(doc, path), want)
#define assert_text(doc, path, want) assert_string_equal(text(doc, path), want)
#define assert_null_at(doc, path) assert_true(json_is_null(at(doc, path)))

/* What every STATS object must hold: the keys, ordered figures, buckets
 * that are non-empty, ascending, disjoint and sum to count. */
static void assert_stats_shape(json_t *doc, const char *path)
{
	json_t *s = at(doc, path);
	static const char *keys[] = {"count", "min", "mean", "p50", "p90", "p95", "p99", "max"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!json_is_number(json_object_get(s, keys[i])))
			fail_msg("%s.%s is not a number", path, keys[i]);
	/* format 3: the exact sum, for merging */
	if (!json_is_number(json_object_get(s, "sum")))
		fail_msg("%s.sum is not a number", path);
	double mean = json_number_value(json_object_get(s, "mean"));
	long long cnt = json_integer_value(json_object_get(s, "count"));
	assert_true(fabs(json_number_value(json_object_get(s, "sum")) - mean * (double)cnt) <
		    0.001 * (double)(cnt + 1));
	json_t *buckets = json_object_get(s, "buckets");
	assert_true(json_is_array(buckets));
	long long n = json_integer_value(json_object_get(s, "count"));
	long long sum = 0;
	double prev_high = 0;
	size_t i;
	json_t *b;
	json_array_foreach(buckets, i, b) {
		assert_int_equal(json_array_size(b), 3);
		double low = json_number_value(json_array_get(b, 0));
		double high = json_number_value(json_array_get(b, 1));
		long long k = json_integer_value(json_array_get(b, 2));
		assert_true(low < high);
		assert_true(low >= prev_high);
		assert_true(k > 0);
		prev_high = high;
		sum += k;
	}
	assert_int_equal(sum, n);
	if (n == 0) {
		for (size_t k = 1; k < sizeof(keys) / sizeof(keys[0]); k++)
			assert_true(json_number_value(json_object_get(s, keys[k])) == 0);
		return;
	}
	double min = json_number_value(json_object_get(s, "min"));
	double max = json_number_value(json_object_get(s, "max"));
	double last = min;
	for (size_t k = 3; k < 8; k++) {
		double v = json_number_value(json_object_get(s, keys[k]));
		assert_true(v >= last && v <= max);
		last = v;
	}
}

static void test_document(void **state)
{
	fixture *fx = *state;
	fx_full(fx);
	scratch s;
	json_t *doc = report(fx, &s);

	assert_text(doc, "techweek", tw_version());
	assert_int_at(doc, "format", 9);
	/* Not sharded, never executed: no shard, no plan. */
	assert_null_at(doc, "shard");
	assert_null_at(doc, "plan");
	assert_text(doc, "started_at", "2024-05-01T02:00:00Z");
	assert_text(doc, "host", "ci-runner-1");
	assert_num(doc, "elapsed_ms", 1420);

	assert_text(doc, "schedule/model", "closed");
	assert_int_at(doc, "schedule/performances", 1);
	assert_int_at(doc, "schedule/customers", 1);
	assert_num(doc, "schedule/rate", 0);
	assert_int_at(doc, "schedule/jobs", 1);
	assert_num(doc, "schedule/think_scale", 1);
	assert_int_at(doc, "schedule/max_failures", 0);
	assert_int_at(doc, "schedule/retries", 0);

	/* Seven rehearsals; the broken file is not performed. */
	assert_int_at(doc, "totals/rehearsals", 7);
	assert_int_at(doc, "totals/performances", 6);
	assert_int_at(doc, "totals/achieved", 1);
	assert_int_at(doc, "totals/failed", 3);
	assert_int_at(doc, "totals/unreachable", 2);
	assert_int_at(doc, "totals/broken", 1);
	/* Steps performed (not skipped): 5 + 4 + 1 + 1; requests sent: 2 + 2
	 * + 1 + 1. */
	assert_int_at(doc, "totals/steps", 11);
	assert_int_at(doc, "totals/requests", 6);
	assert_int_at(doc, "totals/planned", 0);
	assert_int_at(doc, "totals/dropped", 0);
	assert_null_at(doc, "totals/stopped");
	assert_text(doc, "verdict", "script_error");
	assert_int_equal(json_array_size(at(doc, "rehearsals")), 7);

	/* No score given: null everywhere it would be. */
	assert_null_at(doc, "readiness");
	assert_null_at(doc, "rehearsals/0/readiness");
	assert_null_at(doc, "rehearsals/0/scenes/0/touchpoints/0/apdex");

	/* The defaults of tw_run_options_init. */
	assert_int_at(doc, "settings/connect_timeout_ms", 10000);
	assert_int_at(doc, "settings/timeout_ms", 30000);
	assert_int_at(doc, "settings/max_redirects", 10);
	assert_int_at(doc, "settings/max_body", 8 << 20);
	assert_false(boolean(doc, "settings/insecure"));
	assert_null_at(doc, "settings/cacert");
	assert_null_at(doc, "settings/user_agent");
	assert_int_at(doc, "settings/call_max_fetches", 20);
	assert_num(doc, "settings/call_max_seconds", 3600);
	assert_int_at(doc, "settings/call_max_loops", 3);
	assert_int_equal(json_array_size(at(doc, "settings/variables")), 0);
	json_decref(doc);
	scratch_remove(&s);
}

static void test_rehearsal_and_touchpoints(void **state)
{
	fixture *fx = *state;
	fx_full(fx);
	scratch s;
	json_t *doc = report(fx, &s);

	assert_text(doc, "rehearsals/0/name", "Order a pizza online");
	assert_text(doc, "rehearsals/0/path", "rehearsals/pizza.rehearsal");
	assert_text(doc, "rehearsals/0/status", "passed");
	assert_null_at(doc, "rehearsals/0/problem");
	assert_int_at(doc, "rehearsals/0/performances", 1);
	assert_int_at(doc, "rehearsals/0/achieved", 1);
	assert_int_at(doc, "rehearsals/0/retried_achieved", 0);
	assert_int_at(doc, "rehearsals/0/failed", 0);
	assert_num(doc, "rehearsals/0/outcome_rate", 1);
	assert_false(boolean(doc, "rehearsals/0/flaky"));
	assert_stats_shape(doc, "rehearsals/0/time_to_outcome");
	assert_int_at(doc, "rehearsals/0/time_to_outcome/count", 1);
	assert_num(doc, "rehearsals/0/time_to_outcome/min", 810);
	assert_num(doc, "rehearsals/0/time_to_outcome/max", 810);
	assert_num(doc, "rehearsals/0/frontstage_steps_mean", 3);
	assert_num(doc, "rehearsals/0/frontstage_ms_mean", 500);
	assert_text(doc, "rehearsals/0/outcome", "Ada knows when her pizza arrives");
	assert_int_at(doc, "rehearsals/0/budget/ms", 90000);
	assert_int_at(doc, "rehearsals/0/budget/steps", 10);
	assert_int_equal(json_array_size(at(doc, "rehearsals/0/tags")), 2);
	assert_text(doc, "rehearsals/0/tags/0", "smoke");
	assert_text(doc, "rehearsals/0/tags/1", "web");
	assert_null_at(doc, "rehearsals/0/phone");

	assert_int_equal(json_array_size(at(doc, "rehearsals/0/scenes")), 2);
	assert_text(doc, "rehearsals/0/scenes/0/name", "Find the menu");
	assert_text(doc, "rehearsals/0/scenes/0/channel", "web");
	assert_false(boolean(doc, "rehearsals/0/scenes/0/backstage"));
	assert_true(boolean(doc, "rehearsals/0/scenes/1/backstage"));
	assert_int_at(doc, "rehearsals/0/scenes/0/passed", 1);
	assert_int_equal(json_array_size(at(doc, "rehearsals/0/scenes/0/touchpoints")), 3);

	const char *visit = "rehearsals/0/scenes/0/touchpoints/0";
	char p[160];
#define AT(rest) (snprintf(p, sizeof(p), "%s/%s", visit, rest), p)
	assert_int_at(doc, AT("line"), 12);
	assert_text(doc, AT("source"), "visit {{stage}}/"); /* trimmed */
	assert_text(doc, AT("kind"), "visit");
	assert_int_at(doc, AT("count"), 1);
	assert_int_at(doc, AT("passed"), 1);
	assert_int_at(doc, AT("failed"), 0);
	assert_int_at(doc, AT("requests"), 1);
	assert_false(boolean(doc, AT("flaky")));
	assert_null_at(doc, AT("first_failure"));
	assert_stats_shape(doc, AT("latency"));
	assert_num(doc, AT("latency/min"), 35.2);
	assert_num(doc, AT("latency/mean"), 35.2);
	/* The fixture's request has only a total: it is all transfer. */
	assert_stats_shape(doc, AT("phases/dns"));
	assert_int_at(doc, AT("phases/transfer/count"), 1);
	assert_num(doc, AT("phases/transfer/max"), 35.2);
	assert_num(doc, AT("phases/dns/max"), 0);

	/* An expectation sends nothing: no phases. */
	visit = "rehearsals/0/scenes/0/touchpoints/2";
	assert_text(doc, AT("source"), "expect text \"Today's menu\"");
	assert_text(doc, AT("kind"), "expect");
	assert_int_at(doc, AT("requests"), 0);
	assert_null_at(doc, AT("phases"));
	assert_num(doc, AT("latency/p99"), 1.5);

	visit = "rehearsals/0/scenes/1/touchpoints/0";
	assert_text(doc, AT("kind"), "request");
	assert_text(doc, AT("source"), "get {{stage}}/api/orders/1001");
#undef AT
	json_decref(doc);
	scratch_remove(&s);
}

static void test_failures_by_cause(void **state)
{
	fixture *fx = *state;
	fx_full(fx);
	scratch s;
	json_t *doc = report(fx, &s);

	/* Names with JSON specials and non-ASCII survive the round trip. */
	assert_text(doc, "rehearsals/1/name", FX_FAILING_NAME);
	assert_text(doc, "rehearsals/1/status", "failed");
	assert_int_at(doc, "rehearsals/1/failed", 1);
	assert_num(doc, "rehearsals/1/outcome_rate", 0);
	assert_int_at(doc, "rehearsals/1/time_to_outcome/count", 0);
	assert_stats_shape(doc, "rehearsals/1/time_to_outcome");
	assert_null_at(doc, "rehearsals/1/outcome");
	assert_null_at(doc, "rehearsals/1/budget");
	assert_int_equal(json_array_size(at(doc, "rehearsals/1/tags")), 0);

	const char *kitchen = "rehearsals/1/scenes/1";
	char p[160];
#define AT(rest) (snprintf(p, sizeof(p), "%s/%s", kitchen, rest), p)
	assert_int_at(doc, AT("failed"), 1);
	assert_int_at(doc, AT("passed"), 0);
	assert_int_at(doc, AT("touchpoints/1/line"), 14);
	assert_int_at(doc, AT("touchpoints/1/failed"), 1);
	assert_int_at(doc, AT("touchpoints/1/failures/expectation"), 1);
	assert_int_at(doc, AT("touchpoints/1/failures/transport"), 0);
	assert_int_at(doc, AT("touchpoints/1/failures/unreachable"), 0);
	assert_int_at(doc, AT("touchpoints/1/failures/script"), 0);
	assert_text(doc, AT("touchpoints/1/first_failure"),
		    "expected json $.status == \"baking\", got \"cold\"");
	/* Not reached: counted nowhere, empty figures. */
	assert_int_at(doc, AT("touchpoints/3/count"), 0);
	assert_int_at(doc, AT("touchpoints/3/latency/count"), 0);
	assert_int_equal(json_array_size(at(doc, AT("touchpoints/3/latency/buckets"))), 0);
	assert_stats_shape(doc, AT("touchpoints/3/latency"));
#undef AT
	assert_int_at(doc, "rehearsals/1/scenes/2/skipped", 1);

	/* The connection was reset: transport; nothing listened: unreachable. */
	assert_int_at(doc, "rehearsals/2/scenes/0/touchpoints/0/failures/transport", 1);
	assert_int_at(doc, "rehearsals/2/scenes/0/touchpoints/0/failures/expectation", 0);
	assert_text(doc, "rehearsals/2/scenes/0/touchpoints/0/first_failure",
		    "connection reset by peer (Recv failure)");
	assert_text(doc, "rehearsals/3/status", "unreachable");
	assert_int_at(doc, "rehearsals/3/unreachable", 1);
	assert_int_at(doc, "rehearsals/3/scenes/0/touchpoints/0/failures/unreachable", 1);
	assert_int_at(doc, "rehearsals/3/scenes/1/skipped", 1);
	json_decref(doc);
	scratch_remove(&s);
}

/* Three more performances of the failing rehearsal: one achieves the
 * outcome, one passes only after a retry, one fails the same way. */
static void test_flaky(void **state)
{
	fixture *fx = *state;
	fx_full(fx);
	tw_script *api = fx->scripts[1];
	tw_rehearsal_metrics *m = &fx->run->metrics[1];
	tw_rehearsal_result r;
	fx_perf(fx, &r, api, TW_STATUS_PASSED, 100);
	assert_int_equal(tw_rehearsal_metrics_add(m, &r), TW_OK);
	tw_rehearsal_result_free(&r);
	fx_perf(fx, &r, api, TW_STATUS_PASSED, 300);
	r.scenes[0].steps[0].retries = 2;
	assert_int_equal(tw_rehearsal_metrics_add(m, &r), TW_OK);
	tw_rehearsal_result_free(&r);
	/* The pizza rehearsal passes twice: steady. */
	fx_perf(fx, &r, fx->scripts[0], TW_STATUS_PASSED, 790);
	assert_int_equal(tw_rehearsal_metrics_add(&fx->run->metrics[0], &r), TW_OK);
	tw_rehearsal_result_free(&r);

	scratch s;
	json_t *doc = report(fx, &s);
	assert_int_at(doc, "rehearsals/1/performances", 3);
	assert_int_at(doc, "rehearsals/1/achieved", 2);
	assert_num(doc, "rehearsals/1/outcome_rate", 2.0 / 3.0);
	assert_true(boolean(doc, "rehearsals/1/flaky"));
	assert_int_at(doc, "rehearsals/1/time_to_outcome/count", 2);
	assert_num(doc, "rehearsals/1/time_to_outcome/min", 100);
	assert_num(doc, "rehearsals/1/time_to_outcome/max", 300);
	assert_num(doc, "rehearsals/1/time_to_outcome/mean", 200);
	assert_stats_shape(doc, "rehearsals/1/time_to_outcome");
	/* Passed and failed: flaky. */
	assert_true(boolean(doc, "rehearsals/1/scenes/1/touchpoints/1/flaky"));
	assert_int_at(doc, "rehearsals/1/scenes/1/touchpoints/1/passed", 2);
	assert_int_at(doc, "rehearsals/1/scenes/1/touchpoints/1/failed", 1);
	/* Always passed, but once only after retries: flaky too. */
	assert_true(boolean(doc, "rehearsals/1/scenes/0/touchpoints/0/flaky"));
	assert_int_at(doc, "rehearsals/1/scenes/0/touchpoints/0/failed", 0);
	assert_int_at(doc, "rehearsals/1/scenes/0/touchpoints/0/retries", 2);
	assert_int_at(doc, "rehearsals/1/scenes/0/touchpoints/0/retried_passes", 1);
	/* Never failed: not flaky. */
	assert_false(boolean(doc, "rehearsals/1/scenes/1/touchpoints/0/flaky"));
	assert_false(boolean(doc, "rehearsals/0/flaky"));
	assert_num(doc, "rehearsals/0/outcome_rate", 1);
	assert_int_at(doc, "totals/performances", 9);
	assert_int_at(doc, "totals/achieved", 4);
	json_decref(doc);
	scratch_remove(&s);
}

/* 100 performances of one step lasting 1, 2, ..., 100 ms. */
static void test_stats_percentiles(void **state)
{
	fixture *fx = *state;
	tw_script *sc = fx_script(fx, "rehearsals/timed.rehearsal", "Timed", 1);
	tw_scene *scene = fx_scene(sc, 0, "Home", 2, false, 1);
	fx_step(sc, scene, 0, TW_STEP_VISIT, 3, "visit {{stage}}/");
	tw_rehearsal_result *shown = fx_result(fx, sc, TW_STATUS_PASSED, 1);
	shown->scenes[0].steps[0].elapsed_ms = 1;
	fx_metrics(fx);
	tw_rehearsal_metrics *m = &fx->run->metrics[0];
	for (int i = 2; i <= 100; i++) {
		tw_rehearsal_result r;
		fx_perf(fx, &r, sc, TW_STATUS_PASSED, i);
		tw_step_result *st = &r.scenes[0].steps[0];
		fx_http(st, 200, "GET", "http://127.0.0.1:8080/", i);
		/* libcurl's cumulative timers: 1 ms DNS, connected at 3,
		 * first byte at 10, done at i (phases 1, 2, 7, i - 10). */
		if (i > 10)
			st->timings = (tw_timings){.dns_ms = 1, .connect_ms = 3, .first_byte_ms = 10,
						   .total_ms = i};
		assert_int_equal(tw_rehearsal_metrics_add(m, &r), TW_OK);
		tw_rehearsal_result_free(&r);
	}
	/* A value that is not whole microseconds is rounded to them. */
	tw_histogram_record(m->time_to_outcome, 1.0 / 3.0);

	scratch s;
	json_t *doc = report(fx, &s);
	const char *lat = "rehearsals/0/scenes/0/touchpoints/0/latency";
	char p[160];
#define AT(rest) (snprintf(p, sizeof(p), "%s/%s", lat, rest), p)
	assert_stats_shape(doc, lat);
	assert_int_at(doc, AT("count"), 100);
	assert_num(doc, AT("min"), 1);
	assert_num(doc, AT("max"), 100);
	assert_num(doc, AT("mean"), 50.5);
	/* What the histogram says, rounded to microseconds, and within its
	 * precision (1/128) of the exact percentile of 1..100. */
	const tw_histogram *h = m->scenes[0].steps[0].latency;
	static const struct {
		const char *key;
		double p, exact;
	} want[] = {{"p50", 50, 50}, {"p90", 90, 90}, {"p95", 95, 95}, {"p99", 99, 99}};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		double got = num(doc, AT(want[i].key));
		assert_true(fabs(got - round(tw_histogram_percentile(h, want[i].p) * 1000) / 1000) <
			    1e-9);
		if (fabs(got - want[i].exact) > want[i].exact / 128)
			fail_msg("%s: %g, want %g within 1/128", want[i].key, got, want[i].exact);
	}
	/* The buckets are enough to rebuild the distribution elsewhere. */
	tw_histogram *back = tw_histogram_new();
	assert_non_null(back);
	size_t i;
	json_t *b;
	json_array_foreach(at(doc, AT("buckets")), i, b)
		tw_histogram_add_count(back, json_number_value(json_array_get(b, 0)),
				       (uint64_t)json_integer_value(json_array_get(b, 2)));
	assert_int_equal(tw_histogram_count(back), 100);
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++)
		assert_true(fabs(tw_histogram_percentile(back, want[k].p) -
				 tw_histogram_percentile(h, want[k].p)) <= want[k].exact / 128);
	tw_histogram_free(back);
#undef AT

	/* Phases: the 90 performances with timings, and the 9 without. */
	const char *ph = "rehearsals/0/scenes/0/touchpoints/0/phases";
	snprintf(p, sizeof(p), "%s/dns", ph);
	assert_stats_shape(doc, p);
	snprintf(p, sizeof(p), "%s/connect/count", ph);
	assert_int_at(doc, p, 99);
	snprintf(p, sizeof(p), "%s/dns/max", ph);
	assert_num(doc, p, 1);
	snprintf(p, sizeof(p), "%s/connect/max", ph);
	assert_num(doc, p, 2);
	snprintf(p, sizeof(p), "%s/first_byte/max", ph);
	assert_num(doc, p, 7);
	snprintf(p, sizeof(p), "%s/tls/max", ph);
	assert_num(doc, p, 0);
	snprintf(p, sizeof(p), "%s/transfer/max", ph);
	assert_num(doc, p, 90);
	assert_int_at(doc, "rehearsals/0/scenes/0/touchpoints/0/requests", 99);

	assert_int_at(doc, "rehearsals/0/time_to_outcome/count", 101);
	assert_num(doc, "rehearsals/0/time_to_outcome/min", 0.333);
	assert_stats_shape(doc, "rehearsals/0/time_to_outcome");
	assert_int_at(doc, "totals/steps", 100);
	json_decref(doc);
	scratch_remove(&s);
}

static void test_broken_and_setup(void **state)
{
	fixture *fx = *state;
	fx_full(fx);
	scratch s;
	json_t *doc = report(fx, &s);
	const char *b = "rehearsals/4";
	char p[160];
#define AT(rest) (snprintf(p, sizeof(p), "%s/%s", b, rest), p)
	assert_text(doc, AT("name"), "rehearsals/broken.rehearsal");
	assert_text(doc, AT("path"), "rehearsals/broken.rehearsal");
	assert_text(doc, AT("status"), "broken");
	assert_text(doc, AT("problem/code"), "syntax error");
	assert_text(doc, AT("problem/message"), "unknown step 'clik' (did you mean 'click'?)");
	assert_text(doc, AT("problem/file"), "rehearsals/broken.rehearsal");
	assert_int_at(doc, AT("problem/line"), 3);
	assert_int_at(doc, AT("problem/col"), 5);
	assert_int_at(doc, AT("performances"), 0);
	assert_int_at(doc, AT("broken"), 1);
	assert_null_at(doc, AT("outcome_rate"));
	assert_false(boolean(doc, AT("flaky")));
	assert_num(doc, AT("frontstage_steps_mean"), 0);
	assert_null_at(doc, AT("outcome"));
	assert_null_at(doc, AT("budget"));
	assert_null_at(doc, AT("phone"));
	assert_int_equal(json_array_size(at(doc, AT("scenes"))), 0);
	assert_stats_shape(doc, AT("time_to_outcome"));

	/* Stopped before its first scene: the problem says why. */
	b = "rehearsals/5";
	assert_text(doc, AT("status"), "failed");
	assert_text(doc, AT("problem/message"), "secret CARD_NUMBER is not set in the environment");
	assert_int_at(doc, AT("problem/line"), 6);
	assert_int_at(doc, AT("scenes/0/touchpoints/0/count"), 0);
	b = "rehearsals/6";
	assert_text(doc, AT("status"), "unreachable");
	assert_null_at(doc, AT("problem/file"));
	assert_text(doc, AT("problem/code"), "transport error");
#undef AT
	json_decref(doc);
	scratch_remove(&s);
}

static void test_phone_and_schedule(void **state)
{
	fixture *fx = *state;
	tw_script *sc = fx_script(fx, "rehearsals/call.rehearsal", "Call about the order", 1);
	tw_scene *scene = fx_scene(sc, 0, "Ask", 2, false, 2);
	scene->channel = TW_CHANNEL_IVR;
	fx_step(sc, scene, 0, TW_STEP_CALL, 3, "call {{stage}}/ivr/voice");
	fx_step(sc, scene, 1, TW_STEP_PRESS, 4, "press \"1\"");
	tw_rehearsal_result *r = fx_result(fx, sc, TW_STATUS_PASSED, 42000);
	r->phone = (tw_call_totals){.calls = 1, .first_prompt_s = 1.25, .transfer_s = 30,
				    .prompts = 3, .inputs = 2, .repeats = 1,
				    .menu = "Press 1 for orders, press 2\xE2\x80\xA6", .menu_turns = 1};
	fx->run->opts.rate = 2.5;
	fx->run->opts.duration_ms = 60000;
	fx->run->opts.ramp_ms = 10000;
	fx->run->opts.customers = 1000;
	fx->run->opts.max_failures = 5;
	fx->run->started = 7;
	fx->run->dropped = 3;
	fx->run->stop_reason = TW_STOP_MAX_FAILURES;
	fx_metrics(fx);

	scratch s;
	json_t *doc = report(fx, &s);
	assert_text(doc, "schedule/model", "open");
	assert_num(doc, "schedule/rate", 2.5);
	assert_int_at(doc, "schedule/duration_ms", 60000);
	assert_int_at(doc, "schedule/ramp_ms", 10000);
	assert_int_at(doc, "schedule/customers", 1000);
	assert_int_at(doc, "schedule/max_failures", 5);
	assert_int_at(doc, "totals/started", 7);
	assert_int_at(doc, "totals/dropped", 3);
	assert_text(doc, "totals/stopped", "max_failures");
	assert_text(doc, "verdict", "passed");

	assert_int_at(doc, "rehearsals/0/phone/calls", 1);
	assert_int_at(doc, "rehearsals/0/phone/prompts", 3);
	assert_int_at(doc, "rehearsals/0/phone/inputs", 2);
	assert_int_at(doc, "rehearsals/0/phone/repeats", 1);
	assert_text(doc, "rehearsals/0/phone/reprompted_menu", "Press 1 for orders, press 2\xE2\x80\xA6");
	assert_int_at(doc, "rehearsals/0/phone/reprompted_menu_turns", 1);
	assert_text(doc, "rehearsals/0/shown/phone/reprompted_menu",
		    "Press 1 for orders, press 2\xE2\x80\xA6");
	assert_int_at(doc, "rehearsals/0/shown/phone/reprompted_menu_turns", 1);
	assert_stats_shape(doc, "rehearsals/0/phone/first_prompt");
	assert_num(doc, "rehearsals/0/phone/first_prompt/min", 1250);
	assert_num(doc, "rehearsals/0/phone/time_to_agent/max", 30000);
	assert_text(doc, "rehearsals/0/scenes/0/channel", "ivr");
	assert_text(doc, "rehearsals/0/scenes/0/touchpoints/0/kind", "call");
	assert_text(doc, "rehearsals/0/scenes/0/touchpoints/1/kind", "press");
	assert_text(doc, "rehearsals/0/scenes/0/touchpoints/1/source", "press \"1\"");
	json_decref(doc);

	fx->run->stop_reason = TW_STOP_INTERRUPTED;
	assert_int_equal(tw_report_json(fx->run, NULL, s.path, NULL), TW_OK);
	doc = json_load_file(s.path, 0, NULL);
	assert_non_null(doc);
	assert_text(doc, "totals/stopped", "interrupted");
	json_decref(doc);
	scratch_remove(&s);
}

/* The score as tw_readiness_score would leave it, built by hand: the pizza
 * rehearsal scored with two timed touchpoints, the failing one capped and
 * below its minimum, the broken script counted as 0, the rest not
 * counted. */
static void test_readiness(void **state)
{
	fixture *fx = *state;
	fx_full(fx);
	tw_touchpoint_score tps[] = {
		{.scene = 0, .step = 0, .t_ms = 500, .apdex = 1, .satisfied = 1},
		{.scene = 1, .step = 0, .t_ms = 100, .apdex = 0.75, .satisfied = 0.5,
		 .tolerating = 0.5},
	};
	tw_rehearsal_score rs[7] = {
		[0] = {.scored = true, .counted = true, .score = 96.25, .part = {1, 0.875, 1, 0.9},
		       .minimum = -1, .touchpoints = tps, .touchpoint_count = 2, .required = 0.995,
		       .met = true},
		[1] = {.scored = true, .counted = true, .score = 40.0 / 3.0, .part = {0, 1, 0.5, 1},
		       .capped = true, .minimum = 99, .below_minimum = true, .required = 0.99,
		       .minor = true, .irregular = 1},
		[4] = {.counted = true, .capped = true, .minimum = 90, .below_minimum = true,
		       .required = 0.99},
	};
	char why0[] = "1 of 1 performances did not achieve its outcome";
	char why1[] = "a touchpoint was slow \xff"; /* not UTF-8: cleaned */
	tw_loss losses[] = {
		{.rehearsal = 1, .part = TW_PART_OUTCOME, .points = 30.5, .why = why0, .in_run = true},
		{.rehearsal = 0, .part = TW_PART_RESPONSIVENESS, .points = 1.0 / 3.0, .why = why1},
		{.rehearsal = 99, .part = TW_PART_EFFORT, .points = 0, .why = NULL},
	};
	/* A hair under 90 is shown as 89.999, never 90: it fails a gate of
	 * 90. */
	tw_run_score score = {.run = fx->run,
			      .score = 89.9996, .rehearsals = rs, .count = 7, .losses = losses,
			      .loss_count = 3, .weight = {0.4, 0.3, 0.15, 0.15}, .gate = 90,
			      .capped = true, .gate_set = true, .gate_held = false, .verdict = TW_VERDICT_NOT_READY,
			      .weakest = 1};

	scratch s;
	scratch_make(&s);
	tw_error err = {0};
	assert_int_equal(tw_report_json(fx->run, &score, s.path, &err), TW_OK);
	json_t *doc = json_load_file(s.path, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(doc);

	assert_num(doc, "readiness/score", 89.999);
	assert_false(boolean(doc, "readiness/passed"));
	assert_true(boolean(doc, "readiness/capped"));
	assert_num(doc, "readiness/gate", 90);
	assert_num(doc, "readiness/parts_weights/outcome", 0.4);
	assert_num(doc, "readiness/parts_weights/responsiveness", 0.3);
	assert_num(doc, "readiness/parts_weights/consistency", 0.15);
	assert_num(doc, "readiness/parts_weights/effort", 0.15);
	assert_int_equal(json_array_size(at(doc, "readiness/losses")), 3);
	assert_int_at(doc, "readiness/losses/0/rehearsal", 1);
	assert_text(doc, "readiness/losses/0/part", "outcome");
	assert_num(doc, "readiness/losses/0/points", 30.5);
	assert_text(doc, "readiness/losses/0/why", why0);
	assert_true(boolean(doc, "readiness/losses/0/in_run"));
	assert_false(boolean(doc, "readiness/losses/1/in_run"));
	assert_int_at(doc, "readiness/weakest", 1);
	assert_text(doc, "readiness/losses/1/part", "responsiveness");
	assert_num(doc, "readiness/losses/1/points", 0.333);
	assert_text(doc, "readiness/losses/1/why", "a touchpoint was slow " REPLACEMENT);
	/* An index outside the run is not made up. */
	assert_null_at(doc, "readiness/losses/2/rehearsal");
	assert_text(doc, "readiness/losses/2/part", "effort");
	assert_text(doc, "readiness/losses/2/why", "");

	assert_num(doc, "rehearsals/0/readiness/score", 96.25);
	assert_false(boolean(doc, "rehearsals/0/readiness/capped"));
	assert_null_at(doc, "rehearsals/0/readiness/minimum");
	assert_false(boolean(doc, "rehearsals/0/readiness/below_minimum"));
	assert_num(doc, "rehearsals/0/readiness/required", 0.995);
	assert_false(boolean(doc, "rehearsals/0/readiness/minor"));
	assert_true(boolean(doc, "rehearsals/0/readiness/met"));
	assert_int_at(doc, "rehearsals/0/readiness/irregular", 0);
	assert_num(doc, "rehearsals/0/readiness/parts/outcome", 1);
	assert_num(doc, "rehearsals/0/readiness/parts/responsiveness", 0.875);
	assert_num(doc, "rehearsals/0/readiness/parts/consistency", 1);
	assert_num(doc, "rehearsals/0/readiness/parts/effort", 0.9);
	assert_num(doc, "rehearsals/1/readiness/score", 13.333);
	assert_true(boolean(doc, "rehearsals/1/readiness/capped"));
	assert_num(doc, "rehearsals/1/readiness/minimum", 99);
	assert_true(boolean(doc, "rehearsals/1/readiness/below_minimum"));
	assert_true(boolean(doc, "rehearsals/1/readiness/minor"));
	assert_false(boolean(doc, "rehearsals/1/readiness/met"));
	assert_int_at(doc, "rehearsals/1/readiness/irregular", 1);
	/* Broken: it counts, as 0. */
	assert_num(doc, "rehearsals/4/readiness/score", 0);
	assert_true(boolean(doc, "rehearsals/4/readiness/capped"));
	assert_num(doc, "rehearsals/4/readiness/minimum", 90);
	assert_num(doc, "rehearsals/4/readiness/parts/outcome", 0);
	/* Not counted: never performed. */
	for (int i = 2; i < 7; i++) {
		char p[64];
		snprintf(p, sizeof(p), "rehearsals/%d/readiness", i);
		if (i != 4)
			assert_null_at(doc, p);
	}

	/* Timed touchpoints carry their Apdex; the others null. */
	assert_num(doc, "rehearsals/0/scenes/0/touchpoints/0/apdex/t_ms", 500);
	assert_num(doc, "rehearsals/0/scenes/0/touchpoints/0/apdex/score", 1);
	assert_null_at(doc, "rehearsals/0/scenes/0/touchpoints/1/apdex");
	assert_num(doc, "rehearsals/0/scenes/1/touchpoints/0/apdex/t_ms", 100);
	assert_num(doc, "rehearsals/0/scenes/1/touchpoints/0/apdex/score", 0.75);
	assert_num(doc, "rehearsals/0/scenes/1/touchpoints/0/apdex/satisfied", 0.5);
	assert_num(doc, "rehearsals/0/scenes/1/touchpoints/0/apdex/tolerating", 0.5);
	assert_num(doc, "rehearsals/0/scenes/1/touchpoints/0/apdex/frustrated", 0);
	assert_null_at(doc, "rehearsals/1/scenes/0/touchpoints/0/apdex");
	json_decref(doc);

	/* tests/integration/json_schema.sh validates this document. */
	if (getenv("TW_JSON_KEEP")) {
		char cmd[400];
		snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", s.path, getenv("TW_JSON_KEEP"));
		assert_int_equal(system(cmd), 0);
	}

	/* No gate; a whole score stays whole. A score with fewer rehearsals
	 * than the run (never from tw_readiness_score) is not read past its
	 * end. */
	score.gate = -1;
	score.score = 90;
	score.count = 1;
	score.weakest = 0;
	assert_int_equal(tw_report_json(fx->run, &score, s.path, &err), TW_OK);
	doc = json_load_file(s.path, 0, NULL);
	assert_non_null(doc);
	assert_num(doc, "rehearsals/0/readiness/score", 96.25);
	assert_null_at(doc, "rehearsals/1/readiness");
	assert_null_at(doc, "readiness/gate");
	assert_num(doc, "readiness/score", 90);
	json_decref(doc);
	scratch_remove(&s);
}

/* Every option that shaped the run; variables by name only, and option
 * text passed through the run's redaction. */
static void test_settings(void **state)
{
	fixture *fx = *state;
	tw_vars *vars = tw_vars_new();
	assert_non_null(vars);
	assert_int_equal(tw_vars_set(vars, "stage", "http://127.0.0.1:8080", false), TW_OK);
	assert_int_equal(tw_vars_set(vars, "api_key", "sk-very-secret-value", true), TW_OK);
	tw_run_options *o = tw_run_options_of(fx->run);
	o->vars = vars;
	o->connect_timeout_ms = 2000;
	o->timeout_ms = 5000;
	o->max_redirects = 0;
	o->max_body = 1024;
	o->insecure = true;
	o->cacert = "/etc/ssl/stage.pem";
	o->user_agent = "probe sk-very-secret-value";
	o->call_max_fetches = 5;
	o->call_max_seconds = 90.5;
	o->call_max_loops = 1;
	assert_int_equal(tw_redact_add(&fx->run->redact, "sk-very-secret-value"), TW_OK);
	fx_full(fx);

	scratch s;
	json_t *doc = report(fx, &s);
	assert_int_at(doc, "settings/connect_timeout_ms", 2000);
	assert_int_at(doc, "settings/timeout_ms", 5000);
	assert_int_at(doc, "settings/max_redirects", 0);
	assert_int_at(doc, "settings/max_body", 1024);
	assert_true(boolean(doc, "settings/insecure"));
	assert_text(doc, "settings/cacert", "/etc/ssl/stage.pem");
	assert_text(doc, "settings/user_agent", "probe ***");
	assert_int_at(doc, "settings/call_max_fetches", 5);
	assert_num(doc, "settings/call_max_seconds", 90.5);
	assert_int_at(doc, "settings/call_max_loops", 1);
	assert_int_equal(json_array_size(at(doc, "settings/variables")), 2);
	assert_text(doc, "settings/variables/0", "stage");
	assert_text(doc, "settings/variables/1", "api_key");
	json_decref(doc);

	/* No variable's value anywhere in the file. */
	FILE *f = fopen(s.path, "rb");
	assert_non_null(f);
	char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_null(strstr(buf, "sk-very-secret-value"));
	assert_null(strstr(buf, "127.0.0.1:8080\"")); /* the value of stage */
	o->vars = NULL;
	tw_vars_free(vars);
	scratch_remove(&s);
}

/* The shown performance where it failed: steps performed, the failed step's
 * expected and actual; null where it did not fail. */
static void test_transcripts(void **state)
{
	fixture *fx = *state;
	fx_full(fx);
	scratch s;
	json_t *doc = report(fx, &s);

	assert_null_at(doc, "rehearsals/0/scenes/0/transcript");
	assert_null_at(doc, "rehearsals/0/scenes/1/transcript");
	assert_null_at(doc, "rehearsals/1/scenes/0/transcript"); /* passed there */
	assert_null_at(doc, "rehearsals/1/scenes/2/transcript"); /* not reached */

	const char *t = "rehearsals/1/scenes/1/transcript";
	char p[160];
#define AT(rest) (snprintf(p, sizeof(p), "%s/%s", t, rest), p)
	assert_text(doc, AT("status"), "failed");
	assert_num(doc, AT("elapsed_ms"), 20);
	assert_null_at(doc, AT("text")); /* a web scene */
	/* Three steps performed; the fourth was skipped. */
	assert_int_equal(json_array_size(at(doc, AT("steps"))), 3);
	assert_int_at(doc, AT("steps/0/line"), 13);
	assert_text(doc, AT("steps/0/source"), "get {{stage}}/api/orders/1001");
	assert_text(doc, AT("steps/0/status"), "passed");
	assert_text(doc, AT("steps/0/method"), "GET");
	assert_text(doc, AT("steps/0/url"), "http://127.0.0.1:8080/api/orders/1001");
	assert_int_at(doc, AT("steps/0/http_status"), 200);
	assert_num(doc, AT("steps/0/elapsed_ms"), 8);
	assert_text(doc, AT("steps/1/status"), "failed");
	assert_text(doc, AT("steps/2/status"), "failed");
	/* The first failed step. */
	assert_int_at(doc, AT("failed_step/line"), 14);
	assert_text(doc, AT("failed_step/source"), "expect json $.status == \"baking\"");
	assert_text(doc, AT("failed_step/message"),
		    "expected json $.status == \"baking\", got \"cold\"");
	assert_text(doc, AT("failed_step/expected"), "json $.status == \"baking\"");
	assert_text(doc, AT("failed_step/actual"),
		    "{\"id\":1001,\x01\x1b[31m\"status\":\"cold\"}" REPLACEMENT " ]]> tail");

	/* A connection reset: no HTTP status. */
	t = "rehearsals/2/scenes/0/transcript";
	assert_null_at(doc, AT("steps/0/http_status"));
	assert_null_at(doc, AT("failed_step/expected"));
	assert_text(doc, AT("failed_step/message"), "connection reset by peer (Recv failure)");
	t = "rehearsals/3/scenes/0/transcript";
	assert_text(doc, AT("status"), "unreachable");
	/* Stopped before its first scene: no scene results at all. */
	assert_null_at(doc, "rehearsals/5/scenes/0/transcript");
	json_decref(doc);
	scratch_remove(&s);

	/* A phone scene that failed: what the caller heard and did. */
	fixture *ph = fx;
	tw_script *sc = fx_script(ph, "rehearsals/call.rehearsal", "Call", 1);
	tw_scene *scene = fx_scene(sc, 0, "Ask", 2, false, 2);
	scene->channel = TW_CHANNEL_IVR;
	fx_step(sc, scene, 0, TW_STEP_CALL, 3, "call {{stage}}/ivr/voice");
	fx_step(sc, scene, 1, TW_STEP_HEAR, 4, "hear \"Welcome\"");
	tw_rehearsal_result *r = fx_result(ph, sc, TW_STATUS_FAILED, 3000);
	r->scenes[0].status = TW_STATUS_FAILED;
	r->scenes[0].transcript = fx_dup("  0.0s  call placed\n  1.2s  IVR says \"Goodbye\"\n");
	tw_step_result *st = fx_set(r, 0, 1, TW_STATUS_FAILED, "expected to hear \"Welcome\"");
	st->expected = fx_dup("\"Welcome\"");
	st->actual = fx_dup("\"Goodbye\"");
	fx_metrics(ph);
	doc = report(ph, &s);
	t = "rehearsals/7/scenes/0/transcript";
	assert_text(doc, AT("text"), "  0.0s  call placed\n  1.2s  IVR says \"Goodbye\"\n");
	assert_text(doc, AT("failed_step/actual"), "\"Goodbye\"");
	assert_null_at(doc, AT("steps/0/url"));
	assert_null_at(doc, AT("steps/0/method"));
#undef AT
	json_decref(doc);
	scratch_remove(&s);
}

/* Text from the network and from scripts: control characters stay (JSON
 * escapes them), bytes that are not UTF-8 become U+FFFD, so jansson (and
 * every other strict parser) loads the file. */
/* Format 3: the shown performance in full, every scene and step, whatever
 * its status, so that techweek merge can rebuild the reports. */
static void test_shown(void **state)
{
	fixture *fx = *state;
	fx_full(fx);
	scratch s;
	json_t *doc = report(fx, &s);
	const char *t = "rehearsals/1/shown";
	char p[160];
#define AT(rest) (snprintf(p, sizeof(p), "%s/%s", t, rest), p)
	assert_text(doc, AT("status"), "failed");
	assert_true(json_is_object(at(doc, AT("phone"))));
	assert_true(json_is_number(at(doc, AT("elapsed_ms"))));
	assert_true(json_is_integer(at(doc, AT("frontstage_steps"))));
	assert_null_at(doc, AT("problem"));
	/* every scene of the script, reached or not */
	assert_int_equal(json_array_size(at(doc, AT("scenes"))),
			 json_array_size(at(doc, "rehearsals/1/scenes")));
	assert_text(doc, AT("scenes/0/status"), "passed");
	t = "rehearsals/1/shown/scenes/1";
	assert_text(doc, AT("status"), "failed");
	assert_num(doc, AT("elapsed_ms"), 20);
	assert_null_at(doc, AT("transcript"));
	/* all four steps, the skipped one too */
	assert_int_equal(json_array_size(at(doc, AT("steps"))), 4);
	assert_text(doc, AT("steps/0/status"), "passed");
	assert_text(doc, AT("steps/0/method"), "GET");
	assert_text(doc, AT("steps/0/url"), "http://127.0.0.1:8080/api/orders/1001");
	assert_int_at(doc, AT("steps/0/http_status"), 200);
	assert_num(doc, AT("steps/0/elapsed_ms"), 8);
	assert_false(boolean(doc, AT("steps/0/transport")));
	assert_int_at(doc, AT("steps/0/retries"), 0);
	assert_true(json_is_number(at(doc, AT("steps/0/timings/total"))));
	assert_true(json_is_number(at(doc, AT("steps/0/timings/dns"))));
	assert_true(json_is_integer(at(doc, AT("steps/0/bytes_in"))));
	assert_text(doc, AT("steps/1/status"), "failed");
	assert_text(doc, AT("steps/1/message"),
		    "expected json $.status == \"baking\", got \"cold\"");
	assert_text(doc, AT("steps/1/expected"), "json $.status == \"baking\"");
	assert_text(doc, AT("steps/3/status"), "skipped");
	assert_null_at(doc, AT("steps/3/message"));
#undef AT
	/* a broken file performed nothing */
	size_t n = json_array_size(at(doc, "rehearsals"));
	bool saw_broken = false;
	for (size_t i = 0; i < n; i++) {
		char q[64];
		snprintf(q, sizeof(q), "rehearsals/%zu/status", i);
		if (strcmp(text(doc, q), "broken") != 0)
			continue;
		snprintf(q, sizeof(q), "rehearsals/%zu/shown/scenes", i);
		assert_null_at(doc, q);
		snprintf(q, sizeof(q), "rehearsals/%zu/shown/problem/message", i);
		assert_true(json_is_string(at(doc, q)));
		saw_broken = true;
	}
	assert_true(saw_broken);
	json_decref(doc);
	scratch_remove(&s);
}

static void test_hostile_text(void **state)
{
	fixture *fx = *state;
	tw_script *sc =
		fx_script(fx, "rehearsals/x\xff.rehearsal", "Line\nbreak\ttab\x02name\x1b[31m", 1);
	tw_scene *scene = fx_scene(sc, 0, "Scene \xc3\x28 broken \xed\xa0\x80 surrogate", 2, false, 1);
	fx_step(sc, scene, 0, TW_STEP_EXPECT, 3, "expect body contains \"\xef\xbf\xbe\" \"\\\"");
	sc->outcome = tw_arena_strdup(&sc->arena, "caf\xc3\xa9 \xe2\x98\x95 \xf0\x9f\x8d\x95");
	tw_rehearsal_result *r = fx_result(fx, sc, TW_STATUS_FAILED, 1);
	r->scenes[0].status = TW_STATUS_FAILED;
	fx_set(r, 0, 0, TW_STATUS_FAILED,
	       "got \"{\\\"a\\\":1}\x01\x7f \xf4\x90\x80\x80 \xc0\xaf end\xe2\x82");
	tw_error_set_at(&r->problem, TW_ECHECK, "x.rehearsal", 1, 1, NULL, "bad \xfe\xfe");
	fx_metrics(fx);

	scratch s;
	json_t *doc = report(fx, &s);
	assert_text(doc, "rehearsals/0/name", "Line\nbreak\ttab\x02name\x1b[31m");
	assert_text(doc, "rehearsals/0/path", "rehearsals/x" REPLACEMENT ".rehearsal");
	assert_text(doc, "rehearsals/0/scenes/0/name",
		    "Scene " REPLACEMENT "( broken " REPLACEMENT REPLACEMENT REPLACEMENT " surrogate");
	/* U+FFFE is a character: JSON carries it. */
	assert_text(doc, "rehearsals/0/scenes/0/touchpoints/0/source",
		    "expect body contains \"\xef\xbf\xbe\" \"\\\"");
	assert_text(doc, "rehearsals/0/outcome", "caf\xc3\xa9 \xe2\x98\x95 \xf0\x9f\x8d\x95");
	assert_text(doc, "rehearsals/0/scenes/0/touchpoints/0/first_failure",
		    "got \"{\\\"a\\\":1}\x01\x7f " REPLACEMENT REPLACEMENT REPLACEMENT REPLACEMENT
		    " " REPLACEMENT REPLACEMENT " end" REPLACEMENT REPLACEMENT);
	assert_text(doc, "rehearsals/0/problem/message", "bad " REPLACEMENT REPLACEMENT);
	json_decref(doc);

	/* Raw control characters never reach the file: they are escaped. */
	FILE *f = fopen(s.path, "rb");
	assert_non_null(f);
	int ch;
	size_t newlines = 0;
	while ((ch = fgetc(f)) != EOF) {
		assert_true(ch >= 0x20 || ch == '\n');
		newlines += ch == '\n';
	}
	fclose(f);
	assert_int_equal(newlines, 1); /* compact, one line, ending in a newline */
	scratch_remove(&s);
}

static void test_empty_run(void **state)
{
	fixture *fx = *state;
	scratch s;
	json_t *doc = report(fx, &s);
	assert_int_at(doc, "totals/rehearsals", 0);
	assert_int_at(doc, "totals/performances", 0);
	assert_int_at(doc, "totals/steps", 0);
	assert_num(doc, "elapsed_ms", 0);
	assert_null_at(doc, "started_at");
	/* Nothing rehearsed is never READY: the run was not carried out. */
	assert_text(doc, "verdict", "unreachable");
	assert_int_equal(json_array_size(at(doc, "rehearsals")), 0);
	json_decref(doc);
	scratch_remove(&s);
}

/* A run whose figures were never folded (built before metrics existed):
 * each shown result counts as one performance, which for this fixture is
 * exactly what fx_metrics folds, so the two reports are equal. */
static void test_without_metrics(void **state)
{
	fixture *fx = *state;
	fx_full(fx);
	scratch s;
	json_t *with = report(fx, &s);
	scratch_remove(&s);
	fx_drop_metrics(fx);
	json_t *without = report(fx, &s);
	if (!json_equal(with, without)) {
		char *a = json_dumps(with, JSON_INDENT(1));
		char *b = json_dumps(without, JSON_INDENT(1));
		fail_msg("reports differ:\n%s\n---\n%s", a, b);
	}
	json_decref(with);
	json_decref(without);
	scratch_remove(&s);
}

/* NaN and infinity are not JSON: they become 0 rather than a broken file. */
static void test_non_finite(void **state)
{
	fixture *fx = *state;
	fx_full(fx);
	fx->run->elapsed_ms = NAN;
	fx->run->opts.think_scale = INFINITY;
	fx->run->metrics[0].frontstage_ms = -INFINITY;
	fx->run->metrics[0].scenes[0].steps[0].bytes_in = NAN;
	scratch s;
	json_t *doc = report(fx, &s);
	assert_num(doc, "elapsed_ms", 0);
	assert_num(doc, "schedule/think_scale", 0);
	assert_num(doc, "rehearsals/0/frontstage_ms_mean", 0);
	assert_int_at(doc, "rehearsals/0/scenes/0/touchpoints/0/bytes_in", 0);
	json_decref(doc);
	scratch_remove(&s);
}

/* A report that cannot be written says where and why, and leaves nothing
 * behind; a previous report stays whole. */
static void test_write_failure(void **state)
{
	fixture *fx = *state;
	fx_full(fx);
	scratch s;
	scratch_make(&s);
	char path[200];
	scratch_blocked(&s, path, sizeof(path));

	tw_error err = {0};
	assert_int_equal(tw_report_json(fx->run, NULL, path, &err), TW_EIO);
	char *shown = tw_error_format(&err);
	assert_non_null(shown);
	if (!strstr(shown, path) || !strstr(shown, strerror(ENOTDIR)))
		fail_msg("the error does not name the path and the cause: %s", shown);
	free(shown);
	tw_error_clear(&err);
	struct stat st;
	assert_int_not_equal(stat(path, &st), 0);

	/* Over a folder: the old content is untouched and no temporary file
	 * is left beside it. */
	snprintf(path, sizeof(path), "%s/taken", s.dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(tw_report_json(fx->run, NULL, path, &err), TW_EIO);
	assert_non_null(err.file);
	assert_string_equal(err.file, path);
	tw_error_clear(&err);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "test $(ls -A '%s' | wc -l) -eq 2", s.dir);
	assert_int_equal(system(cmd), 0);

	assert_int_equal(tw_report_json(fx->run, NULL, NULL, &err), TW_EUSAGE);
	assert_non_null(err.message);
	tw_error_clear(&err);
	assert_int_equal(tw_report_json(NULL, NULL, s.path, &err), TW_EUSAGE);
	tw_error_clear(&err);
	scratch_remove(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_document, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_rehearsal_and_touchpoints, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_failures_by_cause, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_flaky, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_stats_percentiles, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_broken_and_setup, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_phone_and_schedule, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_readiness, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_settings, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_transcripts, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_shown, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_hostile_text, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_empty_run, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_without_metrics, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_non_finite, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_write_failure, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
