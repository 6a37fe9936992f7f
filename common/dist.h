/* dist.h - a distribution of u64 values for reports: exact count/mean/CV/max, log2 buckets, percentiles. */
#ifndef MB_DIST_H
#define MB_DIST_H

#include <stdint.h>

#include "hist.h"

#define MB_DIST_LOG2 65          /* bucket 0 holds 0, bucket b >= 1 holds [2^(b-1), 2^b) */
#define MB_DIST_EXACT_MAX 65535  /* ranges up to this are counted value by value */

/*
 * Small ranges (highest <= MB_DIST_EXACT_MAX, e.g. key lengths) are counted per
 * value, so their percentiles are exact. Larger ranges use an HDR histogram from
 * 1 with 3 significant digits, zero being counted apart; their percentiles are
 * within 0.1% (the histogram's bucket width).
 */
struct mb_dist {
	uint64_t n;
	uint64_t max;
	uint64_t zeros;
	double sum, sumsq;
	uint64_t log2[MB_DIST_LOG2];
	uint64_t *exact;    /* exact_max + 1 counts, or NULL */
	uint64_t exact_max;
	struct mb_hist h;   /* when exact is NULL */
};

/* Empty distribution for values up to `highest` (larger values are clamped in the percentiles only). */
int mb_dist_init(struct mb_dist *d, uint64_t highest);
/* Record one value. */
static inline void mb_dist_add(struct mb_dist *d, uint64_t v)
{
	d->n++;
	d->sum += (double)v;
	d->sumsq += (double)v * (double)v;
	if (v > d->max)
		d->max = v;
	d->log2[v ? 64 - __builtin_clzll(v) : 0]++;
	if (d->exact)
		d->exact[v <= d->exact_max ? v : d->exact_max]++;
	else if (v == 0)
		d->zeros++;
	else
		mb_hist_record(&d->h, v);
}
/* Add src into dst (both initialised with the same highest). */
void mb_dist_merge(struct mb_dist *dst, const struct mb_dist *src);
/* Value at percentile pct (0..100) by the nearest-rank rule; 0 when empty. */
uint64_t mb_dist_pct(const struct mb_dist *d, double pct);
/* Mean, and coefficient of variation (stddev / mean, population; 0 when the mean is 0). */
double mb_dist_mean(const struct mb_dist *d);
double mb_dist_cv(const struct mb_dist *d);
void mb_dist_free(struct mb_dist *d);

#endif
