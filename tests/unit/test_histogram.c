/*
 * tw_histogram: the summary figures are exact, percentiles are within a
 * bucket (< 1%) of the exact sorted answer, merging and reading a bucket
 * list back lose nothing, and values out of range end where the header says.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "metrics/histogram.h"

/* A small deterministic generator, so failures reproduce. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Uniform in [0, 1). */
static double next_unit(uint64_t *s)
{
	return (double)(next_rand(s) >> 11) / 9007199254740992.0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The exact answer the histogram approximates: the value of rank
 * ceil(p/100 * n) in sorted order. */
static double exact_percentile(const double *sorted, size_t n, double p)
{
	double want = ceil(p * (double)n / 100);
	size_t rank = want < 1 ? 1 : (size_t)want;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

static tw_histogram *new_hist(void)
{
	tw_histogram *h = tw_histogram_new();
	assert_non_null(h);
	return h;
}

static void test_empty(void **state)
{
	(void)state;
	tw_histogram *h = new_hist();
	assert_int_equal(tw_histogram_count(h), 0);
	assert_int_equal(tw_histogram_overflow(h), 0);
	assert_true(tw_histogram_min(h) == 0);
	assert_true(tw_histogram_max(h) == 0);
	assert_true(tw_histogram_mean(h) == 0);
	assert_true(tw_histogram_sum(h) == 0);
	assert_true(tw_histogram_percentile(h, 0) == 0);
	assert_true(tw_histogram_percentile(h, 50) == 0);
	assert_true(tw_histogram_percentile(h, 100) == 0);
	size_t i = 0;
	double lo = -1, hi = -1;
	uint64_t n = 7;
	assert_false(tw_histogram_bucket(h, &i, &lo, &hi, &n));
	assert_true(lo == -1 && hi == -1 && n == 7);

	/* merging an empty one changes nothing, in either direction */
	tw_histogram *e = new_hist();
	tw_histogram_merge(h, e);
	assert_int_equal(tw_histogram_count(h), 0);
	assert_true(tw_histogram_min(h) == 0);
	tw_histogram_add_count(h, 5, 0); /* zero count: nothing */
	assert_int_equal(tw_histogram_count(h), 0);
	tw_histogram_free(e);
	tw_histogram_free(h);
	tw_histogram_free(NULL);
}

static void test_single_value(void **state)
{
	(void)state;
	tw_histogram *h = new_hist();
	tw_histogram_record(h, 12.345);
	assert_int_equal(tw_histogram_count(h), 1);
	assert_true(tw_histogram_min(h) == 12.345);
	assert_true(tw_histogram_max(h) == 12.345);
	assert_true(tw_histogram_mean(h) == 12.345);
	assert_true(tw_histogram_sum(h) == 12.345);
	/* one value: every percentile is it, thanks to the clamp to [min, max] */
	assert_true(tw_histogram_percentile(h, 0) == 12.345);
	assert_true(tw_histogram_percentile(h, 1) == 12.345);
	assert_true(tw_histogram_percentile(h, 50) == 12.345);
	assert_true(tw_histogram_percentile(h, 99.99) == 12.345);
	assert_true(tw_histogram_percentile(h, 100) == 12.345);

	size_t i = 0;
	double lo, hi;
	uint64_t n;
	assert_true(tw_histogram_bucket(h, &i, &lo, &hi, &n));
	assert_int_equal(n, 1);
	assert_true(lo <= 12.345 && 12.345 < hi);
	/* 12345 us is in [2^13, 2^14): buckets 2^6 us wide */
	assert_true(fabs((hi - lo) - 0.064) < 1e-12);
	assert_false(tw_histogram_bucket(h, &i, &lo, &hi, &n));

	tw_histogram_reset(h);
	assert_int_equal(tw_histogram_count(h), 0);
	assert_true(tw_histogram_max(h) == 0);
	i = 0;
	assert_false(tw_histogram_bucket(h, &i, &lo, &hi, &n));
	tw_histogram_free(h);
}

static void test_exact_summary(void **state)
{
	(void)state;
	tw_histogram *h = new_hist();
	const double v[] = {3.5, 0.25, 1000.125, 42, 7.75, 0.25};
	double sum = 0;
	for (size_t k = 0; k < sizeof(v) / sizeof(v[0]); k++) {
		tw_histogram_record(h, v[k]);
		sum += v[k];
	}
	assert_int_equal(tw_histogram_count(h), 6);
	assert_true(tw_histogram_min(h) == 0.25);
	assert_true(tw_histogram_max(h) == 1000.125);
	assert_true(tw_histogram_sum(h) == sum);
	assert_true(tw_histogram_mean(h) == sum / 6);

	/* negative values and NaN are ignored altogether */
	tw_histogram_record(h, -1);
	tw_histogram_record(h, -1e-300);
	tw_histogram_record(h, NAN);
	tw_histogram_record(h, -INFINITY);
	assert_int_equal(tw_histogram_count(h), 6);
	assert_true(tw_histogram_min(h) == 0.25);
	assert_true(tw_histogram_sum(h) == sum);
	tw_histogram_free(h);
}

/* 1..100000 us, in a shuffled order: every percentile within 1% of the
 * exact answer, and the edges exact. */
static void test_uniform_percentiles(void **state)
{
	(void)state;
	enum { N = 100000 };
	double *v = malloc(N * sizeof(*v));
	assert_non_null(v);
	for (size_t k = 0; k < N; k++)
		v[k] = (double)(k + 1) / 1000;
	uint64_t seed = 0x9e3779b97f4a7c15u;
	for (size_t k = N - 1; k > 0; k--) {
		size_t j = (size_t)(next_rand(&seed) % (k + 1));
		double t = v[k];
		v[k] = v[j];
		v[j] = t;
	}
	tw_histogram *h = new_hist();
	for (size_t k = 0; k < N; k++)
		tw_histogram_record(h, v[k]);
	qsort(v, N, sizeof(*v), cmp_double);

	assert_int_equal(tw_histogram_count(h), N);
	assert_true(tw_histogram_min(h) == 0.001);
	assert_true(tw_histogram_max(h) == 100.0);
	assert_true(fabs(tw_histogram_mean(h) - 50.0005) < 1e-9);
	assert_true(tw_histogram_percentile(h, 0) == 0.001);
	assert_true(tw_histogram_percentile(h, 100) == 100.0);

	const double ps[] = {0.001, 0.1, 1, 5, 10, 25, 33.3, 50, 66.7, 75, 90, 95, 99, 99.9, 99.99};
	for (size_t k = 0; k < sizeof(ps) / sizeof(ps[0]); k++) {
		double want = exact_percentile(v, N, ps[k]);
		double got = tw_histogram_percentile(h, ps[k]);
		/* below 128 us the buckets are 1 us wide, exact here */
		double tol = want * 0.01;
		if (fabs(got - want) > tol)
			fail_msg("p%g: got %.6f ms, exact %.6f ms", ps[k], got, want);
		/* the highest value of the bucket: never below the answer */
		assert_true(got >= want);
	}
	/* fine percentiles too: all 1000 steps of 0.1 */
	for (int k = 1; k < 1000; k++) {
		double p = k / 10.0;
		double want = exact_percentile(v, N, p);
		double got = tw_histogram_percentile(h, p);
		if (fabs(got - want) > want * 0.01)
			fail_msg("p%g: got %.6f ms, exact %.6f ms", p, got, want);
	}
	/* percentiles never go down as p goes up */
	double prev = 0;
	for (int k = 0; k <= 1000; k++) {
		double got = tw_histogram_percentile(h, k / 10.0);
		assert_true(got >= prev);
		prev = got;
	}
	tw_histogram_free(h);
	free(v);
}

/* 90% of steps take 1..2 ms, 10% take 400..600 ms (a slow backend now and
 * then): the median is fast, p99 is slow. */
static void test_bimodal(void **state)
{
	(void)state;
	enum { N = 20000 };
	double *v = malloc(N * sizeof(*v));
	assert_non_null(v);
	uint64_t seed = 12345;
	tw_histogram *h = new_hist();
	for (size_t k = 0; k < N; k++) {
		bool slow = next_rand(&seed) % 10 == 0;
		double u = next_unit(&seed);
		v[k] = slow ? 400 + 200 * u : 1 + u;
		tw_histogram_record(h, v[k]);
	}
	qsort(v, N, sizeof(*v), cmp_double);
	double p50 = tw_histogram_percentile(h, 50);
	double p99 = tw_histogram_percentile(h, 99);
	assert_true(p50 >= 1 && p50 <= 2);
	assert_true(p99 >= 400 && p99 <= 600);
	const double ps[] = {10, 50, 80, 95, 99, 99.9};
	for (size_t k = 0; k < sizeof(ps) / sizeof(ps[0]); k++) {
		double want = exact_percentile(v, N, ps[k]);
		double got = tw_histogram_percentile(h, ps[k]);
		if (fabs(got - want) > want * 0.01)
			fail_msg("p%g: got %.6f ms, exact %.6f ms", ps[k], got, want);
	}
	tw_histogram_free(h);
	free(v);
}

/* Two histograms compared bucket by bucket. */
static void assert_same_buckets(const tw_histogram *a, const tw_histogram *b)
{
	size_t i = 0, j = 0;
	double alo, ahi, blo, bhi;
	uint64_t an, bn;
	while (tw_histogram_bucket(a, &i, &alo, &ahi, &an)) {
		assert_true(tw_histogram_bucket(b, &j, &blo, &bhi, &bn));
		assert_true(alo == blo);
		assert_true(ahi == bhi);
		assert_int_equal(an, bn);
	}
	assert_false(tw_histogram_bucket(b, &j, &blo, &bhi, &bn));
}

static void test_merge(void **state)
{
	(void)state;
	tw_histogram *a = new_hist(), *b = new_hist(), *all = new_hist();
	uint64_t seed = 777;
	for (int k = 0; k < 50000; k++) {
		/* log-uniform from 1 us to 100 s */
		double ms = 0.001 * pow(10, 8 * next_unit(&seed));
		tw_histogram_record(k % 3 ? a : b, ms);
		tw_histogram_record(all, ms);
	}
	tw_histogram_record(b, 1e12); /* an overflow, to see it carried over */
	tw_histogram_record(all, 1e12);
	tw_histogram_merge(a, b);
	assert_int_equal(tw_histogram_count(a), tw_histogram_count(all));
	assert_int_equal(tw_histogram_overflow(a), 1);
	assert_true(tw_histogram_min(a) == tw_histogram_min(all));
	assert_true(tw_histogram_max(a) == tw_histogram_max(all));
	/* the sum was added in another order: rounding only */
	assert_true(fabs(tw_histogram_sum(a) - tw_histogram_sum(all)) <=
		    1e-9 * tw_histogram_sum(all));
	for (int k = 0; k <= 100; k++)
		assert_true(tw_histogram_percentile(a, k) == tw_histogram_percentile(all, k));
	assert_true(tw_histogram_percentile(a, 99.9) == tw_histogram_percentile(all, 99.9));
	assert_same_buckets(a, all);

	/* into an empty one: a copy, min included (not min(0, ...)) */
	tw_histogram *c = new_hist();
	tw_histogram_merge(c, all);
	assert_true(tw_histogram_min(c) == tw_histogram_min(all));
	assert_true(tw_histogram_sum(c) == tw_histogram_sum(all));
	assert_same_buckets(c, all);

	/* into itself: every count doubles */
	tw_histogram_merge(c, c);
	assert_int_equal(tw_histogram_count(c), 2 * tw_histogram_count(all));
	assert_int_equal(tw_histogram_overflow(c), 2);
	assert_true(tw_histogram_min(c) == tw_histogram_min(all));
	assert_true(tw_histogram_max(c) == tw_histogram_max(all));
	assert_true(tw_histogram_percentile(c, 50) == tw_histogram_percentile(all, 50));

	tw_histogram_free(a);
	tw_histogram_free(b);
	tw_histogram_free(c);
	tw_histogram_free(all);
}

static void test_huge_values(void **state)
{
	(void)state;
	const double limit_ms = (double)TW_HIST_MAX_US / 1000; /* ~19 h */
	tw_histogram *h = new_hist();
	tw_histogram_record(h, limit_ms); /* the last value kept as it is */
	assert_int_equal(tw_histogram_overflow(h), 0);
	assert_true(tw_histogram_max(h) == limit_ms);
	tw_histogram_record(h, (double)(TW_HIST_MAX_US + 1) / 1000); /* 2^36 us */
	tw_histogram_record(h, 1e15);
	tw_histogram_record(h, INFINITY);
	tw_histogram_record(h, 5);
	assert_int_equal(tw_histogram_count(h), 5);
	assert_int_equal(tw_histogram_overflow(h), 3);
	/* clamped before anything sees them: max and sum stay finite */
	assert_true(tw_histogram_max(h) == limit_ms);
	assert_true(isfinite(tw_histogram_sum(h)));
	assert_true(tw_histogram_sum(h) == limit_ms + limit_ms + limit_ms + limit_ms + 5);
	assert_true(tw_histogram_percentile(h, 100) == limit_ms);
	assert_true(tw_histogram_percentile(h, 90) == limit_ms);
	assert_true(tw_histogram_percentile(h, 0) == 5);
	/* 5 ms is in a bucket 32 us wide */
	double p10 = tw_histogram_percentile(h, 10);
	assert_true(p10 >= 5 && p10 < 5.032);

	/* all four in the top bucket, which ends at 2^36 us */
	size_t i = 0;
	double lo, hi, last_hi = 0;
	uint64_t n, top = 0;
	while (tw_histogram_bucket(h, &i, &lo, &hi, &n)) {
		top = n;
		last_hi = hi;
	}
	assert_int_equal(top, 4);
	assert_true(last_hi == (double)(TW_HIST_MAX_US + 1) / 1000);

	/* add_count clamps and counts overflow the same way */
	tw_histogram *b = new_hist();
	tw_histogram_add_count(b, 1e20, 3);
	assert_int_equal(tw_histogram_count(b), 3);
	assert_int_equal(tw_histogram_overflow(b), 3);
	assert_true(tw_histogram_max(b) <= last_hi);
	tw_histogram_free(b);
	tw_histogram_free(h);
}

/* Below 1 us everything, 0 included, shares the first bucket [0, 1 us). */
static void test_tiny_values(void **state)
{
	(void)state;
	tw_histogram *h = new_hist();
	tw_histogram_record(h, 0);
	tw_histogram_record(h, -0.0);
	tw_histogram_record(h, 1e-300);
	tw_histogram_record(h, 0.0004);
	tw_histogram_record(h, 0.000999);
	tw_histogram_record(h, 0.001); /* 1 us: a bucket of its own */
	assert_int_equal(tw_histogram_count(h), 6);
	assert_int_equal(tw_histogram_overflow(h), 0);
	assert_true(tw_histogram_min(h) == 0);
	assert_true(tw_histogram_max(h) == 0.001);

	size_t i = 0;
	double lo, hi;
	uint64_t n;
	assert_true(tw_histogram_bucket(h, &i, &lo, &hi, &n));
	assert_true(lo == 0 && hi == 0.001);
	assert_int_equal(n, 5);
	assert_true(tw_histogram_bucket(h, &i, &lo, &hi, &n));
	assert_true(lo == 0.001 && hi == 0.002);
	assert_int_equal(n, 1);
	assert_false(tw_histogram_bucket(h, &i, &lo, &hi, &n));

	/* the first bucket's highest value is 0 us; p50 falls in it */
	assert_true(tw_histogram_percentile(h, 50) == 0);
	assert_true(tw_histogram_percentile(h, 90) == 0.001);
	tw_histogram_free(h);
}

/* Values that sit exactly on a microsecond, where ms * 1000 rounds the
 * wrong way for some (0.57 * 1000 < 570 in doubles), and random ones: each
 * lands in a bucket with low <= v < high, and the counts add up. */
static void test_bucket_iteration(void **state)
{
	(void)state;
	enum { N = 30000 };
	double *v = malloc(N * sizeof(*v));
	assert_non_null(v);
	uint64_t seed = 4242;
	for (size_t k = 0; k < N; k++) {
		if (k < 5000)
			v[k] = (double)k / 1000; /* 0..4.999 ms on the microsecond */
		else if (k < 10000)
			v[k] = (double)(next_rand(&seed) % 100000000) / 1000;
		else
			v[k] = 0.001 * pow(2, 36 * next_unit(&seed));
	}
	tw_histogram *one = new_hist();
	for (size_t k = 0; k < N; k++) {
		tw_histogram_reset(one);
		tw_histogram_record(one, v[k]);
		size_t i = 0;
		double lo, hi;
		uint64_t n;
		assert_true(tw_histogram_bucket(one, &i, &lo, &hi, &n));
		if (!(lo <= v[k] && v[k] < hi))
			fail_msg("%.17g ms landed in [%.17g, %.17g)", v[k], lo, hi);
		/* the bucket is as narrow as promised */
		if (lo >= 0.128)
			assert_true(hi - lo <= lo / TW_HIST_SUB_BUCKETS * (1 + 1e-12));
		else
			assert_true(fabs(hi - lo - 0.001) < 1e-15);
	}
	tw_histogram_free(one);

	tw_histogram *h = new_hist();
	for (size_t k = 0; k < N; k++)
		tw_histogram_record(h, v[k]);
	size_t i = 0, buckets = 0;
	double lo, hi, prev_hi = 0;
	uint64_t n, total = 0;
	while (tw_histogram_bucket(h, &i, &lo, &hi, &n)) {
		assert_true(n > 0);
		assert_true(lo >= prev_hi); /* increasing, never overlapping */
		assert_true(lo < hi);
		prev_hi = hi;
		total += n;
		buckets++;
	}
	assert_int_equal(total, N);
	assert_int_equal(total, tw_histogram_count(h));
	/* 0..4999 us alone fill 797 buckets: 256 of 1 us, 128 each of 2, 4, 8
	 * and 16 us, 29 of 32 us */
	assert_true(buckets > 797);
	tw_histogram_free(h);
	free(v);
}

/* The width of the bucket holding ms, at most. */
static double within(double ms)
{
	double rel = ms / TW_HIST_SUB_BUCKETS;
	return rel > 0.001 ? rel : 0.001;
}

/* The round trip of a result file: A's bucket list read into B. */
static void test_add_count_round_trip(void **state)
{
	(void)state;
	tw_histogram *a = new_hist(), *b = new_hist();
	uint64_t seed = 31337;
	for (int k = 0; k < 40000; k++) {
		double ms = k % 5 ? 20 + 30 * next_unit(&seed) : 0.05 + 3000 * next_unit(&seed);
		tw_histogram_record(a, ms);
	}
	size_t i = 0;
	double lo, hi;
	uint64_t n;
	while (tw_histogram_bucket(a, &i, &lo, &hi, &n))
		tw_histogram_add_count(b, lo, n);

	assert_int_equal(tw_histogram_count(b), tw_histogram_count(a));
	assert_same_buckets(a, b);
	/* min, max and mean from midpoints: within a bucket, which is < 1% of
	 * the value or, below 128 us, 1 us */
	assert_true(fabs(tw_histogram_min(b) - tw_histogram_min(a)) <= within(tw_histogram_min(a)));
	assert_true(fabs(tw_histogram_max(b) - tw_histogram_max(a)) <= within(tw_histogram_max(a)));
	assert_true(fabs(tw_histogram_mean(b) - tw_histogram_mean(a)) <=
		    within(tw_histogram_mean(a)));
	for (int k = 0; k <= 1000; k++) {
		double p = k / 10.0;
		double pa = tw_histogram_percentile(a, p), pb = tw_histogram_percentile(b, p);
		if (fabs(pa - pb) > within(pa))
			fail_msg("p%g: %.6f ms recorded, %.6f ms read back", p, pa, pb);
	}

	/* any value in a bucket names that bucket: the high end minus a bit too */
	tw_histogram *c = new_hist();
	i = 0;
	while (tw_histogram_bucket(a, &i, &lo, &hi, &n))
		tw_histogram_add_count(c, lo + (hi - lo) * 0.999, n);
	assert_same_buckets(a, c);
	tw_histogram_free(a);
	tw_histogram_free(b);
	tw_histogram_free(c);
}

/* Buckets read back plus set_extremes: the very histogram that was written,
 * percentiles, min, max and mean included; and several read back and
 * merged equal the merge of the originals. */
static void test_set_extremes_round_trip(void **state)
{
	(void)state;
	uint64_t seed = 0x5eed5eedULL;
	tw_histogram *a = new_hist(), *b = new_hist(), *both = new_hist();
	for (int i = 0; i < 5000; i++) {
		double v = next_unit(&seed) * 3000;
		tw_histogram_record(i % 3 ? a : b, v);
	}
	tw_histogram_merge(both, a);
	tw_histogram_merge(both, b);
	tw_histogram *back = new_hist(), *part = new_hist();
	tw_histogram *srcs[] = {a, b};
	for (int k = 0; k < 2; k++) {
		tw_histogram_reset(part);
		size_t it = 0;
		double lo, hi;
		uint64_t n;
		while (tw_histogram_bucket(srcs[k], &it, &lo, &hi, &n))
			tw_histogram_add_count(part, lo, n);
		tw_histogram_set_extremes(part, tw_histogram_min(srcs[k]), tw_histogram_max(srcs[k]),
					  tw_histogram_sum(srcs[k]));
		assert_true(tw_histogram_min(part) == tw_histogram_min(srcs[k]));
		assert_true(tw_histogram_max(part) == tw_histogram_max(srcs[k]));
		assert_true(tw_histogram_mean(part) == tw_histogram_mean(srcs[k]));
		assert_same_buckets(part, srcs[k]);
		tw_histogram_merge(back, part);
	}
	assert_int_equal(tw_histogram_count(back), tw_histogram_count(both));
	assert_same_buckets(back, both);
	assert_true(tw_histogram_min(back) == tw_histogram_min(both));
	assert_true(tw_histogram_max(back) == tw_histogram_max(both));
	assert_true(fabs(tw_histogram_mean(back) - tw_histogram_mean(both)) < 1e-9);
	static const double ps[] = {1, 25, 50, 90, 95, 99, 99.9};
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
		assert_true(tw_histogram_percentile(back, ps[i]) ==
			    tw_histogram_percentile(both, ps[i]));

	/* ignored: empty, out of order, negative, NaN */
	tw_histogram *e = new_hist();
	tw_histogram_set_extremes(e, 1, 2, 3);
	assert_true(tw_histogram_min(e) == 0 && tw_histogram_max(e) == 0 &&
		    tw_histogram_sum(e) == 0);
	double min = tw_histogram_min(back), max = tw_histogram_max(back);
	tw_histogram_set_extremes(back, 5, 4, 10);
	tw_histogram_set_extremes(back, -1, 4, 10);
	tw_histogram_set_extremes(back, NAN, 4, 10);
	tw_histogram_set_extremes(back, 1, 4, NAN);
	assert_true(tw_histogram_min(back) == min && tw_histogram_max(back) == max);
	tw_histogram_free(e);
	tw_histogram_free(a);
	tw_histogram_free(b);
	tw_histogram_free(both);
	tw_histogram_free(back);
	tw_histogram_free(part);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_single_value),
		cmocka_unit_test(test_exact_summary),
		cmocka_unit_test(test_uniform_percentiles),
		cmocka_unit_test(test_bimodal),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_huge_values),
		cmocka_unit_test(test_tiny_values),
		cmocka_unit_test(test_bucket_iteration),
		cmocka_unit_test(test_add_count_round_trip),
		cmocka_unit_test(test_set_extremes_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
