/*
 * How long tw_histogram_record takes: it runs for every step of every
 * performance, so it must stay at a few nanoseconds. Records 10 million
 * latencies spread like real ones (log-uniform, 50 us to 30 s) and prints
 * ns per record; also the percentile and bucket-iteration costs the report
 * writers pay. Prints timings, never judges them.
 *
 * The values come from a table small enough to stay in cache, so the time
 * measured is the histogram's, not the generator's or main memory's.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "metrics/histogram.h"

#define RECORDS 10000000u
#define TABLE (1u << 14)

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(void)
{
	double *values = malloc(TABLE * sizeof(*values));
	tw_histogram *h = tw_histogram_new();
	if (!values || !h) {
		fprintf(stderr, "bench_histogram: out of memory\n");
		return 1;
	}
	uint64_t s = 88172645463325252u;
	for (unsigned k = 0; k < TABLE; k++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		double u = (double)(s >> 11) / 9007199254740992.0;
		values[k] = 0.05 * pow(600000, u); /* 0.05 ms .. 30 s */
	}

	/* warm up: page in the counters, train the branch predictor */
	for (unsigned k = 0; k < TABLE; k++)
		tw_histogram_record(h, values[k]);
	tw_histogram_reset(h);

	double t0 = now_ns();
	for (unsigned k = 0; k < RECORDS; k++)
		tw_histogram_record(h, values[k & (TABLE - 1)]);
	double t1 = now_ns();
	printf("record: %u values in %.1f ms, %.2f ns/record\n", RECORDS, (t1 - t0) / 1e6,
	       (t1 - t0) / RECORDS);

	/* values on whole microseconds take the careful rounding path */
	for (unsigned k = 0; k < TABLE; k++)
		values[k] = round(values[k] * 1000) / 1000;
	tw_histogram *w = tw_histogram_new();
	if (!w) {
		fprintf(stderr, "bench_histogram: out of memory\n");
		return 1;
	}
	t0 = now_ns();
	for (unsigned k = 0; k < RECORDS; k++)
		tw_histogram_record(w, values[k & (TABLE - 1)]);
	t1 = now_ns();
	printf("record (whole-microsecond values): %.2f ns/record\n", (t1 - t0) / RECORDS);

	enum { REPEAT = 1000 };
	double sink = 0;
	t0 = now_ns();
	for (int r = 0; r < REPEAT; r++)
		sink += tw_histogram_percentile(h, 99.9);
	t1 = now_ns();
	printf("percentile: %.0f ns each\n", (t1 - t0) / REPEAT);

	size_t nonempty = 0;
	t0 = now_ns();
	for (int r = 0; r < REPEAT; r++) {
		size_t i = 0;
		double lo, hi;
		uint64_t n;
		while (tw_histogram_bucket(h, &i, &lo, &hi, &n)) {
			sink += n;
			nonempty++;
		}
	}
	t1 = now_ns();
	printf("bucket iteration: %.0f ns for all %zu non-empty buckets\n", (t1 - t0) / REPEAT,
	       nonempty / REPEAT);

	/* uses the results, so the loops above are not optimised away */
	printf("count %llu, p50 %.3f ms, p99 %.3f ms, max %.3f ms (%g)\n",
	       (unsigned long long)tw_histogram_count(h), tw_histogram_percentile(h, 50),
	       tw_histogram_percentile(h, 99), tw_histogram_max(h), sink > 0 ? 1.0 : 0.0);
	tw_histogram_free(w);
	tw_histogram_free(h);
	free(values);
	return 0;
}
