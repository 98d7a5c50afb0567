/*
 * A latency histogram of fixed size (after HdrHistogram): the runner records
 * the duration of every step of every performance into one, so recording
 * must cost a few nanoseconds and memory must not grow with the number of
 * samples, however long the run.
 *
 * Values are milliseconds (double) at the API and are stored as whole
 * microseconds: a value v ms lands in microsecond floor(v * 1000), chosen so
 * that the bucket reported for v always satisfies low_ms <= v < high_ms.
 *
 * Log-linear buckets: microseconds 0..127 each have a bucket of their own
 * (width 1 us); from there on every power of two [2^k, 2^(k+1)) us, k = 7..35,
 * is split into TW_HIST_SUB_BUCKETS (128) equal sub-buckets of width
 * 2^(k-7) us. So a recorded value is known to within 1 us below 128 us and
 * to within 1/128 (< 0.8%) of itself above; 30 x 128 buckets in all.
 *
 * Range: values below 1 us (0 included) all land in the first bucket
 * [0, 1 us); 0 is a legal value. Values of 2^36 us (~19 h) or more, and
 * +infinity, are clamped to TW_HIST_MAX_US (the top bucket) and counted in
 * tw_histogram_overflow(); the clamped value is also what min, max and sum
 * see, so they stay finite. Negative values and NaN are ignored.
 *
 * Nothing is allocated after tw_histogram_new. A histogram is not
 * thread-safe: give each thread its own and merge them.
 */
#ifndef TW_METRICS_HISTOGRAM_H
#define TW_METRICS_HISTOGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TW_HIST_SUB_BUCKETS 128
/* The largest value kept as it is, in microseconds: 2^36 - 1. */
#define TW_HIST_MAX_US ((UINT64_C(1) << 36) - 1)

typedef struct tw_histogram tw_histogram; /* opaque; about 30 KB */

/* A new, empty histogram; NULL when out of memory. Free with
 * tw_histogram_free. */
tw_histogram *tw_histogram_new(void);
void tw_histogram_free(tw_histogram *h); /* NULL is fine */
/* Empties h, as if new. */
void tw_histogram_reset(tw_histogram *h);

/* Counts one value of ms milliseconds (see the top of this file for the
 * range); negative values and NaN are ignored. */
void tw_histogram_record(tw_histogram *h, double ms);
/* Adds every count of src to dst (src unchanged; dst == src is fine):
 * the result equals having recorded both streams into dst, except that sum
 * may differ by floating-point rounding. */
void tw_histogram_merge(tw_histogram *dst, const tw_histogram *src);

/* Number of values counted, overflowed ones included. */
uint64_t tw_histogram_count(const tw_histogram *h);
/* Of those, how many were 2^36 us or more and were clamped. */
uint64_t tw_histogram_overflow(const tw_histogram *h);
/* Exact smallest and largest value recorded, in ms (after clamping);
 * 0 when empty. */
double tw_histogram_min(const tw_histogram *h);
double tw_histogram_max(const tw_histogram *h);
/* Exact mean and sum of the values recorded (the sum is kept as a double);
 * 0 when empty. */
double tw_histogram_mean(const tw_histogram *h);
double tw_histogram_sum(const tw_histogram *h);

/*
 * The value at percentile p (0..100), in ms: the highest value equivalent
 * to the bucket where the cumulative count reaches ceil(p / 100 * count),
 * i.e. the last whole microsecond of that bucket, clamped to [min, max].
 * p <= 0 (and NaN) gives min, p >= 100 gives max; 0 when empty. Scans the
 * buckets: cheap, but not for every step.
 */
double tw_histogram_percentile(const tw_histogram *h, double p);

/*
 * Iterates the non-empty buckets in increasing order, for the JSON result
 * and for merging shards from other machines. Start with *i = 0; each call
 * that returns true gives one bucket, [low_ms, high_ms) and its count, and
 * advances *i; false when there are no more (low_ms, high_ms and count are
 * then left as they were).
 */
bool tw_histogram_bucket(const tw_histogram *h, size_t *i, double *low_ms, double *high_ms,
			 uint64_t *count);

/*
 * Adds count values to the bucket holding value_ms (negative or NaN
 * ignored; clamped and counted in overflow like tw_histogram_record): how a
 * bucket list written by tw_histogram_bucket is read back. The values
 * themselves are gone by then, so min, max and sum are updated as if all
 * count values sat at the bucket's midpoint: approximate, to within the
 * bucket's width. Percentiles come out equal to within that width too.
 */
void tw_histogram_add_count(tw_histogram *h, double value_ms, uint64_t count);

/*
 * Sets the exact smallest and largest value and the sum, as written next
 * to the buckets (STATS' min, max and sum), after the buckets were read
 * back with tw_histogram_add_count: the histogram then equals the one that
 * was written, min, max and mean included. Ignored on an empty histogram
 * and for values that are negative, NaN or out of order (min > max).
 */
void tw_histogram_set_extremes(tw_histogram *h, double min_ms, double max_ms, double sum_ms);

#endif
