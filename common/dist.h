/* dist.h - a distribution of u64 values for reports: exact count/mean/CV/max, log2 buckets, HDR percentiles. */
#ifndef MB_DIST_H
#define MB_DIST_H

#include <stdint.h>

#include "hist.h"

#define MB_DIST_LOG2 65 /* bucket 0 holds 0, bucket b >= 1 holds [2^(b-1), 2^b) */

/*
 * Zero is counted apart (the HDR histogram starts at 1), so percentiles are exact
 * for zeros and within the histogram's 3 significant digits otherwise.
 */
struct mb_dist {
	uint64_t n;
	uint64_t max;
	uint64_t zeros;
	long double sum, sumsq;
	uint64_t log2[MB_DIST_LOG2];
	struct mb_hist h;
};

/* Empty distribution for values up to `highest` (larger values are clamped in the percentiles only). */
int mb_dist_init(struct mb_dist *d, uint64_t highest);
/* Record one value. */
static inline void mb_dist_add(struct mb_dist *d, uint64_t v)
{
	d->n++;
	d->sum += v;
	d->sumsq += (long double)v * v;
	if (v > d->max)
		d->max = v;
	if (v == 0) {
		d->zeros++;
		d->log2[0]++;
		return;
	}
	d->log2[64 - __builtin_clzll(v)]++;
	mb_hist_record(&d->h, v);
}
/* Value at percentile pct (0..100) by the nearest-rank rule; 0 when empty. */
uint64_t mb_dist_pct(const struct mb_dist *d, double pct);
/* Mean, and coefficient of variation (stddev / mean, population; 0 when the mean is 0). */
double mb_dist_mean(const struct mb_dist *d);
double mb_dist_cv(const struct mb_dist *d);
void mb_dist_free(struct mb_dist *d);

#endif
