/* dist.c - percentiles over exact counts or zeros + an HDR histogram, and moments. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "err.h"

int mb_dist_init(struct mb_dist *d, uint64_t highest)
{
	memset(d, 0, sizeof *d);
	if (highest <= MB_DIST_EXACT_MAX) {
		d->exact_max = highest;
		d->exact = calloc(highest + 1, sizeof *d->exact);
		return d->exact ? MB_OK : MB_EIO;
	}
	return mb_hist_init(&d->h, 1, highest, 3);
}

void mb_dist_merge(struct mb_dist *dst, const struct mb_dist *src)
{
	dst->n += src->n;
	dst->sum += src->sum;
	dst->sumsq += src->sumsq;
	dst->zeros += src->zeros;
	if (src->max > dst->max)
		dst->max = src->max;
	for (int i = 0; i < MB_DIST_LOG2; i++)
		dst->log2[i] += src->log2[i];
	if (dst->exact && src->exact)
		for (uint64_t v = 0; v <= dst->exact_max && v <= src->exact_max; v++)
			dst->exact[v] += src->exact[v];
	else if (!dst->exact && !src->exact)
		mb_hist_merge(&dst->h, &src->h);
}

uint64_t mb_dist_pct(const struct mb_dist *d, double pct)
{
	if (d->n == 0)
		return 0;
	double r = ceil(pct / 100.0 * (double)d->n - 1e-9);
	uint64_t rank = r < 1 ? 1 : (uint64_t)r;
	if (d->exact) {
		uint64_t seen = 0;
		for (uint64_t v = 0; v <= d->exact_max; v++) {
			seen += d->exact[v];
			if (seen >= rank)
				return v;
		}
		return d->max;
	}
	if (rank <= d->zeros)
		return 0;
	uint64_t nz = d->n - d->zeros;
	/* The same rank among the non-zero values, as a percentile the histogram rounds back to it. */
	double p = ((double)(rank - d->zeros) - 0.25) / (double)nz * 100.0;
	uint64_t v = mb_hist_percentile(&d->h, p);
	return v > d->max ? d->max : v;
}

double mb_dist_mean(const struct mb_dist *d) { return d->n ? d->sum / (double)d->n : 0; }

double mb_dist_cv(const struct mb_dist *d)
{
	if (d->n == 0 || d->sum == 0)
		return 0;
	double mean = d->sum / (double)d->n;
	double var = d->sumsq / (double)d->n - mean * mean;
	return var > 0 ? sqrt(var) / mean : 0;
}

void mb_dist_free(struct mb_dist *d)
{
	free(d->exact);
	d->exact = NULL;
	if (d->h.counts)
		mb_hist_free(&d->h);
}
