/* hist.h - log-linear (HDR-style) histogram of u64 values: O(1) record, mergeable, percentiles. */
#ifndef MB_HIST_H
#define MB_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Values are grouped into buckets whose width doubles every power of two and
 * which are split into 2^k linear sub-buckets, 2^k >= 2 * 10^sigdigits, so any
 * recorded value is known to `sigdigits` significant digits. Two histograms
 * with the same (lowest, highest, sigdigits) can be merged. Values outside
 * [lowest, highest] are clamped into it and counted in clamped_low/high.
 */
struct mb_hist {
	uint64_t lowest, highest;
	int sigdigits;
	unsigned unit_mag;     /* floor(log2(lowest)): the finest resolution is 2^unit_mag */
	unsigned half_mag;     /* log2(sub-bucket count) - 1 */
	size_t ncounts;
	uint64_t *counts;
	uint64_t total;
	uint64_t min, max;     /* exact recorded extremes (after clamping); min = UINT64_MAX when empty */
	double sum;            /* for the mean */
	uint64_t clamped_low, clamped_high;
};

/* Set up h for values in [lowest, highest] (1 <= lowest < highest) with sigdigits in 1..5.
   MB_OK, MB_ERR on bad parameters, MB_EIO when memory runs out. */
int mb_hist_init(struct mb_hist *h, uint64_t lowest, uint64_t highest, int sigdigits);
/* Record one value (clamped to the range; clamps counted). */
void mb_hist_record(struct mb_hist *h, uint64_t v);
/* Record a value n times. */
void mb_hist_record_n(struct mb_hist *h, uint64_t v, uint64_t n);
/* Value at percentile pct (0..100): the highest value equivalent to the bucket holding
   that rank, never above the exact max; 0 when empty. */
uint64_t mb_hist_percentile(const struct mb_hist *h, double pct);
/* Number of recorded values. */
uint64_t mb_hist_count(const struct mb_hist *h);
/* Largest recorded value (0 when empty). */
uint64_t mb_hist_max(const struct mb_hist *h);
/* Mean of the recorded values (0 when empty). */
double mb_hist_mean(const struct mb_hist *h);
/* Add src's counts to dst: MB_OK, or MB_ERR when their parameters differ. */
int mb_hist_merge(struct mb_hist *dst, const struct mb_hist *src);
/* Add n values to the bucket holding value `lo` (to merge iterated buckets, e.g. from JSON). */
void mb_hist_add_bucket(struct mb_hist *h, uint64_t lo, uint64_t n);
/* Restoring a histogram written bucket by bucket (mb_hist_next's lo, hi and count): add n
   values to the bucket [lo, hi]; false (nothing added) when that is not one of h's buckets
   or the total would pass 2^62. */
bool mb_hist_restore_bucket(struct mb_hist *h, uint64_t lo, uint64_t hi, uint64_t n);
/* ... then set the exact extremes, sum and clamp counts that were written with it; false
   (h unchanged) when they do not fit the buckets restored (min and max in non-empty buckets,
   clamps at most the count). */
bool mb_hist_restore_summary(struct mb_hist *h, uint64_t min, uint64_t max, double sum, uint64_t clamped_low,
			     uint64_t clamped_high);
/* Iterate non-empty buckets: start with *cursor = 0; each true return gives the lowest
   and highest value of a bucket and its count; false at the end. */
bool mb_hist_next(const struct mb_hist *h, size_t *cursor, uint64_t *lo, uint64_t *hi, uint64_t *count);
/* Forget all recorded values, keep the parameters. */
void mb_hist_reset(struct mb_hist *h);
/* Release the counts (h may be initialised again). */
void mb_hist_free(struct mb_hist *h);

#endif
