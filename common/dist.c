/* dist.c - percentiles over zeros + an HDR histogram, exact moments. */
#include <math.h>
#include <string.h>

#include "dist.h"

int mb_dist_init(struct mb_dist *d, uint64_t highest)
{
	memset(d, 0, sizeof *d);
	return mb_hist_init(&d->h, 1, highest < 2 ? 2 : highest, 3);
}

uint64_t mb_dist_pct(const struct mb_dist *d, double pct)
{
	if (d->n == 0)
		return 0;
	double r = ceil(pct / 100.0 * (double)d->n);
	uint64_t rank = r < 1 ? 1 : (uint64_t)r;
	if (rank <= d->zeros)
		return 0;
	uint64_t nz = d->n - d->zeros;
	/* The same rank among the non-zero values, as a percentile the histogram answers. */
	double p = ((double)(rank - d->zeros) - 0.25) / (double)nz * 100.0;
	uint64_t v = mb_hist_percentile(&d->h, p);
	return v > d->max ? d->max : v;
}

double mb_dist_mean(const struct mb_dist *d) { return d->n ? (double)(d->sum / d->n) : 0; }

double mb_dist_cv(const struct mb_dist *d)
{
	if (d->n == 0 || d->sum == 0)
		return 0;
	long double mean = d->sum / d->n;
	long double var = d->sumsq / d->n - mean * mean;
	return var > 0 ? (double)(sqrtl(var) / mean) : 0;
}

void mb_dist_free(struct mb_dist *d) { mb_hist_free(&d->h); }
