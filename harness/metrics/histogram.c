/*
 * Latency histogram: one flat array of counters indexed by a bit trick.
 *
 * For a value of us microseconds, let s = (position of the highest set bit)
 * - 7, or 0 when us < 128. Then us >> s lies in 128..255 (or is us itself
 * below 128), and
 *
 *	index = s * 128 + (us >> s)
 *
 * numbers the buckets densely: 0..255 are the single microseconds 0..255,
 * and each later power of two adds 128 buckets twice as wide as the one
 * before. Recording is one clz, a shift, an add and an increment, plus the
 * running min, max and sum; no loop and no table.
 */
#include "metrics/histogram.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SUB_BITS 7 /* log2(TW_HIST_SUB_BUCKETS) */
#define POWERS 30  /* 0..127 us, then 2^7..2^35 us */
#define NBUCKETS (POWERS * TW_HIST_SUB_BUCKETS)

_Static_assert(TW_HIST_SUB_BUCKETS == 1 << SUB_BITS, "SUB_BITS must match");
_Static_assert(TW_HIST_MAX_US >> (POWERS - 2) == 2 * TW_HIST_SUB_BUCKETS - 1,
	       "the top bucket must hold TW_HIST_MAX_US");

struct tw_histogram {
	uint64_t count;
	uint64_t overflow;
	double min; /* meaningful only when count > 0 */
	double max;
	double sum;
	uint64_t buckets[NBUCKETS];
};

static inline size_t bucket_index(uint64_t us)
{
	/* us | 1: clz(0) is undefined, and 0 and 1 share s = 0 anyway */
	int s = 63 - SUB_BITS - __builtin_clzll(us | 1);
	if (s < 0)
		s = 0;
	return ((size_t)s << SUB_BITS) + (size_t)(us >> s);
}

/* The first microsecond of bucket i and its width. */
static void bucket_bounds(size_t i, uint64_t *low_us, uint64_t *width_us)
{
	size_t power = i >> SUB_BITS;
	if (power == 0) {
		*low_us = i;
		*width_us = 1;
		return;
	}
	unsigned s = (unsigned)power - 1;
	uint64_t sub = (uint64_t)(i & (TW_HIST_SUB_BUCKETS - 1));
	*low_us = (TW_HIST_SUB_BUCKETS + sub) << s;
	*width_us = UINT64_C(1) << s;
}

/*
 * ms to whole microseconds, with *ms clamped to the range. The plain
 * floor(ms * 1000) can land one off when the product rounds across an
 * integer (0.57 * 1000 is 569.99999999999994); readers compare v against
 * low_us / 1000.0, so when the product is that close to an integer we settle
 * the question with those very divisions. The margin is wider than the
 * product's rounding error anywhere in range (half an ulp of 2^36 is 2^-17),
 * and the slow path is taken only for values that sit on a microsecond.
 * Returns false for values to ignore.
 */
static inline bool to_us(double *ms, uint64_t *us, bool *overflowed)
{
	double v = *ms;
	if (!(v >= 0)) /* negative or NaN */
		return false;
	double x = v * 1000.0;
	*overflowed = false;
	if (x < (double)(TW_HIST_MAX_US + 1)) {
		uint64_t u = (uint64_t)x;
		double frac = x - (double)u;
		if (__builtin_expect(frac < 1e-4 || frac > 1 - 1e-4, 0)) {
			if (u > 0 && (double)u / 1000.0 > v)
				u--;
			else if ((double)(u + 1) / 1000.0 <= v)
				u++;
		}
		if (u <= TW_HIST_MAX_US) {
			*us = u;
			return true;
		}
	}
	*overflowed = true;
	*us = TW_HIST_MAX_US;
	*ms = (double)TW_HIST_MAX_US / 1000.0;
	return true;
}

tw_histogram *tw_histogram_new(void)
{
	return calloc(1, sizeof(tw_histogram));
}

void tw_histogram_free(tw_histogram *h)
{
	free(h);
}

void tw_histogram_reset(tw_histogram *h)
{
	memset(h, 0, sizeof(*h));
}

/* Folds n values totalling sum, the smallest lo and the largest hi, into the
 * summary fields. */
static void add_summary(tw_histogram *h, uint64_t n, double lo, double hi, double sum)
{
	if (h->count == 0) {
		h->min = lo;
		h->max = hi;
	} else {
		if (lo < h->min)
			h->min = lo;
		if (hi > h->max)
			h->max = hi;
	}
	h->count += n;
	h->sum += sum;
}

void tw_histogram_record(tw_histogram *h, double ms)
{
	uint64_t us;
	bool over;
	if (!to_us(&ms, &us, &over))
		return;
	h->buckets[bucket_index(us)]++;
	h->overflow += over;
	add_summary(h, 1, ms, ms, ms);
}

void tw_histogram_add_count(tw_histogram *h, double value_ms, uint64_t count)
{
	uint64_t us, low, width;
	bool over;
	if (count == 0 || !to_us(&value_ms, &us, &over))
		return;
	size_t i = bucket_index(us);
	h->buckets[i] += count;
	if (over)
		h->overflow += count;
	bucket_bounds(i, &low, &width);
	double mid = ((double)low + (double)width / 2) / 1000.0;
	add_summary(h, count, mid, mid, mid * (double)count);
}

void tw_histogram_set_extremes(tw_histogram *h, double min_ms, double max_ms, double sum_ms)
{
	if (h->count == 0 || !(min_ms >= 0) || !(max_ms >= min_ms) || !(sum_ms >= 0) ||
	    !isfinite(max_ms) || !isfinite(sum_ms))
		return;
	h->min = min_ms;
	h->max = max_ms;
	h->sum = sum_ms;
}

void tw_histogram_merge(tw_histogram *dst, const tw_histogram *src)
{
	if (src->count == 0)
		return;
	for (size_t i = 0; i < NBUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	dst->overflow += src->overflow;
	/* read src's fields first: dst may be src */
	double lo = src->min, hi = src->max, sum = src->sum;
	add_summary(dst, src->count, lo, hi, sum);
}

uint64_t tw_histogram_count(const tw_histogram *h)
{
	return h->count;
}

uint64_t tw_histogram_overflow(const tw_histogram *h)
{
	return h->overflow;
}

double tw_histogram_min(const tw_histogram *h)
{
	return h->count ? h->min : 0;
}

double tw_histogram_max(const tw_histogram *h)
{
	return h->count ? h->max : 0;
}

double tw_histogram_mean(const tw_histogram *h)
{
	return h->count ? h->sum / (double)h->count : 0;
}

double tw_histogram_sum(const tw_histogram *h)
{
	return h->sum;
}

double tw_histogram_percentile(const tw_histogram *h, double p)
{
	if (h->count == 0)
		return 0;
	if (!(p > 0))
		return h->min;
	if (p >= 100)
		return h->max;
	/* p * count first: exact for whole p, where p / 100 is not */
	double want = ceil(p * (double)h->count / 100);
	uint64_t rank = want < 1 ? 1 : want > (double)h->count ? h->count : (uint64_t)want;
	uint64_t seen = 0;
	size_t i = 0;
	for (; i < NBUCKETS - 1; i++) {
		seen += h->buckets[i];
		if (seen >= rank)
			break;
	}
	uint64_t low, width;
	bucket_bounds(i, &low, &width);
	double v = (double)(low + width - 1) / 1000.0;
	if (v < h->min)
		return h->min;
	if (v > h->max)
		return h->max;
	return v;
}

bool tw_histogram_bucket(const tw_histogram *h, size_t *i, double *low_ms, double *high_ms,
			 uint64_t *count)
{
	for (size_t j = *i; j < NBUCKETS; j++) {
		if (h->buckets[j] == 0)
			continue;
		uint64_t low, width;
		bucket_bounds(j, &low, &width);
		*low_ms = (double)low / 1000.0;
		*high_ms = (double)(low + width) / 1000.0;
		*count = h->buckets[j];
		*i = j + 1;
		return true;
	}
	*i = NBUCKETS;
	return false;
}
