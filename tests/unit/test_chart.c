/*
 * The latency chart's axis (tw_page_chart_axis): over a sweep of ranges and
 * targets, the ticks are few, increasing, round (1, 2 or 5 times a power
 * of ten, a linear axis's evenly spaced), their labels never repeat, and
 * the axis holds every timing and T; 4T when near. Then the cases the
 * issue named: a band just over a second that main labelled
 * "1.1 s, 1.1 s, 1.2 s, 1.3 s, 1.3 s", and a T every timing exceeded.
 * And the count axis (tw_page_chart_counts), by the same rule in whole
 * numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "reports/chart.h"

/* A small deterministic generator, so failures reproduce. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static double next_unit(uint64_t *s)
{
	return (double)(next_rand(s) >> 11) / 9007199254740992.0;
}

/* 1, 2 or 5 times a power of ten. */
static bool round_value(double v)
{
	double m = v / pow(10, floor(log10(v) + 1e-9));
	return fabs(m - 1) < 1e-6 || fabs(m - 2) < 1e-6 || fabs(m - 5) < 1e-6;
}

static bool near_int(double x)
{
	return fabs(x - round(x)) < 1e-6;
}

/* Every property the axis promises, for timings min..max and target t. */
static void check_axis(double min, double max, double t)
{
	tw_chart_axis ax;
	tw_page_chart_axis(&ax, min, max, t);
	char what[160];
	snprintf(what, sizeof(what), "timings %.6g..%.6g ms, T %.6g ms", min, max, t);

	if (ax.ticks < 2 || ax.ticks > TW_CHART_TICKS_MAX || (!ax.log && ax.ticks > 8))
		fail_msg("%s: %zu ticks", what, ax.ticks);
	assert_true(ax.lo == ax.at[0] && ax.hi == ax.at[ax.ticks - 1]);
	/* Holds every timing, and T. */
	if (ax.lo > min * (1 + 1e-9) || ax.hi < max * (1 - 1e-9))
		fail_msg("%s: axis %g..%g misses a timing", what, ax.lo, ax.hi);
	if (t > 0 && (ax.lo > t * (1 + 1e-9) || ax.hi < t * (1 - 1e-9)))
		fail_msg("%s: axis %g..%g misses T", what, ax.lo, ax.hi);
	/* 4T when within twice the top of the timings and T. */
	if (t > 0 && 4 * t <= 2 * fmax(max, t) && ax.hi < 4 * t * (1 - 1e-9))
		fail_msg("%s: axis %g..%g misses 4T", what, ax.lo, ax.hi);

	double step = ax.at[1] - ax.at[0];
	if (!ax.log && !round_value(step))
		fail_msg("%s: step %g is not round", what, step);
	for (size_t k = 0; k < ax.ticks; k++) {
		if (k && !(ax.at[k] > ax.at[k - 1]))
			fail_msg("%s: tick %zu (%g) after %g", what, k, ax.at[k], ax.at[k - 1]);
		if (ax.log && !round_value(ax.at[k]))
			fail_msg("%s: tick %g is not round", what, ax.at[k]);
		if (!ax.log && !near_int(ax.at[k] / step))
			fail_msg("%s: tick %g is not a multiple of the step %g", what, ax.at[k], step);
		if (!ax.label[k][0])
			fail_msg("%s: tick %g has no label", what, ax.at[k]);
		for (size_t j = 0; j < k; j++)
			if (!strcmp(ax.label[j], ax.label[k]))
				fail_msg("%s: label '%s' for %g and %g", what, ax.label[k], ax.at[j],
					 ax.at[k]);
	}
}

static void test_sweep(void **state)
{
	(void)state;
	uint64_t seed = 0x9e3779b97f4a7c15u;
	for (int i = 0; i < 20000; i++) {
		/* From a microsecond to ten minutes, widths from nothing to huge. */
		double min = pow(10, -3 + next_unit(&seed) * 8.8);
		double max = min * pow(10, next_unit(&seed) * (i % 3 == 0 ? 0.05 : 4));
		if (i % 7 == 0)
			max = min;
		double t = i % 4 == 0 ? -1 : pow(10, next_unit(&seed) * 5);
		check_axis(min, max, t);
	}
}

static void label_list(const tw_chart_axis *ax, char *out, size_t size)
{
	out[0] = '\0';
	for (size_t k = 0; k < ax->ticks; k++) {
		size_t len = strlen(out);
		snprintf(out + len, size - len, "%s%s", k ? ", " : "", ax->label[k]);
	}
}

/* A band just over a second: main's five labels at quarters of the range
 * read 1.1 s twice and 1.3 s twice. */
static void test_narrow_band(void **state)
{
	(void)state;
	tw_chart_axis ax;
	char labels[256];
	tw_page_chart_axis(&ax, 1050, 1350, -1);
	label_list(&ax, labels, sizeof(labels));
	assert_false(ax.log);
	assert_string_equal(labels, "1.0 s, 1.1 s, 1.2 s, 1.3 s, 1.4 s");

	tw_page_chart_axis(&ax, 1101, 1152, -1);
	label_list(&ax, labels, sizeof(labels));
	assert_string_equal(labels, "1.10 s, 1.12 s, 1.14 s, 1.16 s");

	/* Under a second, in milliseconds; a zero is just 0. */
	tw_page_chart_axis(&ax, 1, 7, -1);
	label_list(&ax, labels, sizeof(labels));
	assert_false(ax.log);
	assert_string_equal(labels, "0, 2 ms, 4 ms, 6 ms, 8 ms");
	tw_page_chart_axis(&ax, 3, 170, -1);
	label_list(&ax, labels, sizeof(labels));
	assert_true(ax.log);
	assert_string_equal(labels, "2 ms, 5 ms, 10 ms, 20 ms, 50 ms, 100 ms, 200 ms");
	tw_page_chart_axis(&ax, 0, 180, -1);
	label_list(&ax, labels, sizeof(labels));
	assert_true(ax.log); /* from a microsecond, as nothing is measured below */
	assert_string_equal(labels, "0.001 ms, 0.01 ms, 0.1 ms, 1 ms, 10 ms, 100 ms, 1 s");
	tw_page_chart_axis(&ax, 20, 95, -1);
	label_list(&ax, labels, sizeof(labels));
	assert_false(ax.log);
	assert_string_equal(labels, "20 ms, 40 ms, 60 ms, 80 ms, 100 ms");

	/* One timing, over and over: a band around it. */
	tw_page_chart_axis(&ax, 250, 250, -1);
	label_list(&ax, labels, sizeof(labels));
	assert_true(ax.lo < 250 && ax.hi > 250);
	assert_string_equal(labels, "230 ms, 240 ms, 250 ms, 260 ms, 270 ms");
}

/* Every customer waited past T: the axis reaches down to T, and up to 4T. */
static void test_target_on_axis(void **state)
{
	(void)state;
	tw_chart_axis ax;
	char labels[256];
	tw_page_chart_axis(&ax, 1101, 1152, 300);
	label_list(&ax, labels, sizeof(labels));
	assert_false(ax.log);
	assert_string_equal(labels, "0.2 s, 0.4 s, 0.6 s, 0.8 s, 1.0 s, 1.2 s");
	assert_true(ax.lo <= 300 && ax.hi >= 1200);

	/* Far past T: logarithmic, down to T. */
	tw_page_chart_axis(&ax, 4000, 9000, 100);
	label_list(&ax, labels, sizeof(labels));
	assert_true(ax.log);
	assert_string_equal(labels, "100 ms, 200 ms, 500 ms, 1 s, 2 s, 5 s, 10 s");

	/* All within T: up to T, and 4T, far beyond, left off. */
	tw_page_chart_axis(&ax, 50, 250, 300);
	assert_true(ax.hi >= 300 && ax.hi < 1200);

	/* Between T and 4T: 4T on the axis, as it is near. */
	tw_page_chart_axis(&ax, 200, 700, 300);
	assert_true(ax.lo <= 200 && ax.hi >= 1200);
}

/* What is not a timing gives an axis all the same. */
static void test_nonsense(void **state)
{
	(void)state;
	tw_chart_axis ax;
	tw_page_chart_axis(&ax, NAN, NAN, NAN);
	assert_true(ax.ticks >= 2 && ax.lo < ax.hi);
	tw_page_chart_axis(&ax, -5, INFINITY, -1);
	assert_true(ax.ticks >= 2 && ax.lo < ax.hi);
	tw_page_chart_axis(&ax, 0, 0, 0);
	assert_true(ax.ticks >= 2 && ax.lo < ax.hi);
	tw_page_chart_axis(&ax, 1, 1e15, 1e14);
	assert_true(ax.ticks >= 2 && ax.ticks <= TW_CHART_TICKS_MAX);
	for (size_t k = 1; k < ax.ticks; k++)
		assert_true(strcmp(ax.label[k], ax.label[k - 1]) != 0);
}

/* The count axis, for every largest count up to a hundred thousand and
 * beyond: from 0 by a whole round step, a few ticks, the top the first
 * step at or above the largest count. Main labelled 38 timings
 * "0, 19, 38". */
static void test_counts(void **state)
{
	(void)state;
	tw_chart_axis ax;
	char labels[256];
	for (uint64_t most = 0; most <= 200000; most += most < 1000 ? 1 : 997) {
		tw_page_chart_counts(&ax, most);
		char what[64];
		snprintf(what, sizeof(what), "largest count %llu", (unsigned long long)most);
		if (ax.ticks < 2 || ax.ticks > 8 || ax.log)
			fail_msg("%s: %zu ticks", what, ax.ticks);
		double step = ax.at[1];
		if (ax.at[0] != 0 || ax.lo != 0 || ax.hi != ax.at[ax.ticks - 1])
			fail_msg("%s: from %g to %g", what, ax.lo, ax.hi);
		if (step < 1 || !near_int(step) || !round_value(step))
			fail_msg("%s: step %g", what, step);
		if (ax.hi < (double)most || ax.hi - step >= (double)(most ? most : 1))
			fail_msg("%s: top %g is not the first step at or above it", what, ax.hi);
		for (size_t k = 0; k < ax.ticks; k++) {
			if (ax.at[k] != (double)k * step)
				fail_msg("%s: tick %zu is %g", what, k, ax.at[k]);
			char want[32];
			snprintf(want, sizeof(want), "%.0f", ax.at[k]);
			if (strcmp(ax.label[k], want) != 0)
				fail_msg("%s: tick %g labelled '%s'", what, ax.at[k], ax.label[k]);
		}
	}
	tw_page_chart_counts(&ax, 38);
	label_list(&ax, labels, sizeof(labels));
	assert_string_equal(labels, "0, 10, 20, 30, 40");
	tw_page_chart_counts(&ax, 6);
	label_list(&ax, labels, sizeof(labels));
	assert_string_equal(labels, "0, 2, 4, 6");
	tw_page_chart_counts(&ax, 1);
	label_list(&ax, labels, sizeof(labels));
	assert_string_equal(labels, "0, 1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_narrow_band),
		cmocka_unit_test(test_target_on_axis),
		cmocka_unit_test(test_nonsense),
		cmocka_unit_test(test_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
