/* hist.c - log-linear histogram: index arithmetic after the HdrHistogram layout. */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "hist.h"

/* Position of the highest set bit of v (v > 0). */
static unsigned msb(uint64_t v)
{
	return 63u - (unsigned)__builtin_clzll(v);
}

/* Counts index of a value inside [0, highest]. */
static size_t hist_index(const struct mb_hist *h, uint64_t v)
{
	uint64_t mask = ((UINT64_C(2) << h->half_mag) - 1) << h->unit_mag;
	unsigned bucket = msb(v | mask) - h->unit_mag - h->half_mag;
	uint64_t sub = v >> (bucket + h->unit_mag);
	return ((size_t)bucket << h->half_mag) + (size_t)sub;
}

/* Lowest value and width of the counts slot `i`. */
static void hist_slot(const struct mb_hist *h, size_t i, uint64_t *lo, uint64_t *width)
{
	size_t half = (size_t)1 << h->half_mag;
	size_t bucket = i >> h->half_mag;
	uint64_t sub = i & (half - 1);
	if (bucket == 0) {
		/* bucket 0 holds the whole first linear range [0, 2*half) */
		*lo = (uint64_t)i << h->unit_mag;
		*width = UINT64_C(1) << h->unit_mag;
		return;
	}
	bucket -= 1;
	sub += half;
	*lo = sub << (bucket + h->unit_mag);
	*width = UINT64_C(1) << (bucket + h->unit_mag);
}

int mb_hist_init(struct mb_hist *h, uint64_t lowest, uint64_t highest, int sigdigits)
{
	memset(h, 0, sizeof *h);
	if (lowest < 1 || highest <= lowest || sigdigits < 1 || sigdigits > 5 || highest > (UINT64_C(1) << 62))
		return MB_ERR;
	uint64_t need = 2;
	for (int i = 0; i < sigdigits; i++)
		need *= 10;
	unsigned k = 0;
	while ((UINT64_C(1) << k) < need)
		k++;
	h->lowest = lowest;
	h->highest = highest;
	h->sigdigits = sigdigits;
	h->unit_mag = msb(lowest);
	h->half_mag = k - 1;
	if (h->unit_mag + k > 62)
		return MB_ERR;
	/* buckets needed so that the top of the last one covers `highest` */
	unsigned buckets = 1;
	while (buckets + h->unit_mag + k - 1 < 63 && (UINT64_C(1) << (h->unit_mag + k + buckets - 1)) <= highest)
		buckets++;
	h->ncounts = (size_t)(buckets + 1) << h->half_mag;
	h->counts = calloc(h->ncounts, sizeof *h->counts);
	if (!h->counts)
		return MB_EIO;
	h->min = UINT64_MAX;
	return MB_OK;
}

void mb_hist_record_n(struct mb_hist *h, uint64_t v, uint64_t n)
{
	if (n == 0)
		return;
	if (v < h->lowest) {
		v = h->lowest;
		h->clamped_low += n;
	} else if (v > h->highest) {
		v = h->highest;
		h->clamped_high += n;
	}
	h->counts[hist_index(h, v)] += n;
	h->total += n;
	h->sum += (double)v * (double)n;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void mb_hist_record(struct mb_hist *h, uint64_t v)
{
	mb_hist_record_n(h, v, 1);
}

uint64_t mb_hist_percentile(const struct mb_hist *h, double pct)
{
	if (h->total == 0)
		return 0;
	if (pct < 0)
		pct = 0;
	if (pct > 100)
		pct = 100;
	uint64_t rank = (uint64_t)(pct / 100.0 * (double)h->total + 0.5);
	if (rank < 1)
		rank = 1;
	if (rank > h->total)
		rank = h->total;
	uint64_t seen = 0;
	for (size_t i = 0; i < h->ncounts; i++) {
		seen += h->counts[i];
		if (seen >= rank) {
			uint64_t lo, width;
			hist_slot(h, i, &lo, &width);
			uint64_t v = lo + width - 1;
			if (v > h->max)
				v = h->max;
			if (v < h->min)
				v = h->min;
			return v;
		}
	}
	return h->max;
}

uint64_t mb_hist_count(const struct mb_hist *h)
{
	return h->total;
}

uint64_t mb_hist_max(const struct mb_hist *h)
{
	return h->total ? h->max : 0;
}

double mb_hist_mean(const struct mb_hist *h)
{
	return h->total ? h->sum / (double)h->total : 0.0;
}

int mb_hist_merge(struct mb_hist *dst, const struct mb_hist *src)
{
	if (dst->lowest != src->lowest || dst->highest != src->highest || dst->sigdigits != src->sigdigits ||
	    dst->ncounts != src->ncounts)
		return MB_ERR;
	if (src->total) /* only the buckets between the extremes can be non-empty */
		for (size_t i = hist_index(src, src->min), e = hist_index(src, src->max); i <= e; i++)
			dst->counts[i] += src->counts[i];
	dst->total += src->total;
	dst->sum += src->sum;
	dst->clamped_low += src->clamped_low;
	dst->clamped_high += src->clamped_high;
	if (src->total) {
		if (src->min < dst->min)
			dst->min = src->min;
		if (src->max > dst->max)
			dst->max = src->max;
	}
	return MB_OK;
}

void mb_hist_add_bucket(struct mb_hist *h, uint64_t lo, uint64_t n)
{
	if (lo > h->highest)
		lo = h->highest;
	if (n == 0)
		return;
	size_t i = hist_index(h, lo);
	uint64_t blo, width;
	hist_slot(h, i, &blo, &width);
	uint64_t bhi = blo + width - 1;
	h->counts[i] += n;
	h->total += n;
	h->sum += ((double)blo + (double)bhi) / 2.0 * (double)n;
	if (blo < h->min)
		h->min = blo < h->lowest ? h->lowest : blo;
	if (bhi > h->max)
		h->max = bhi > h->highest ? h->highest : bhi;
}

bool mb_hist_restore_bucket(struct mb_hist *h, uint64_t lo, uint64_t hi, uint64_t n)
{
	if (lo > hi || lo > h->highest || n > (UINT64_C(1) << 62) - h->total)
		return false;
	size_t i = hist_index(h, lo);
	uint64_t blo, width;
	hist_slot(h, i, &blo, &width);
	if (blo != lo || blo + width - 1 != hi)
		return false;
	mb_hist_add_bucket(h, lo, n);
	return true;
}

bool mb_hist_restore_summary(struct mb_hist *h, uint64_t min, uint64_t max, double sum, uint64_t clamped_low,
			     uint64_t clamped_high)
{
	if (!h->total)
		return clamped_low == 0 && clamped_high == 0;
	if (min > max || max > h->highest || min < h->lowest || !h->counts[hist_index(h, min)] ||
	    !h->counts[hist_index(h, max)] || clamped_low > h->total || clamped_high > h->total - clamped_low ||
	    !(sum >= 0 && sum < 1e300))
		return false;
	for (size_t i = 0; i < hist_index(h, min); i++)
		if (h->counts[i])
			return false;
	for (size_t i = hist_index(h, max) + 1; i < h->ncounts; i++)
		if (h->counts[i])
			return false;
	h->min = min;
	h->max = max;
	h->sum = sum;
	h->clamped_low = clamped_low;
	h->clamped_high = clamped_high;
	return true;
}

bool mb_hist_next(const struct mb_hist *h, size_t *cursor, uint64_t *lo, uint64_t *hi, uint64_t *count)
{
	for (size_t i = *cursor; i < h->ncounts; i++) {
		if (!h->counts[i])
			continue;
		uint64_t width;
		hist_slot(h, i, lo, &width);
		*hi = *lo + width - 1;
		*count = h->counts[i];
		*cursor = i + 1;
		return true;
	}
	*cursor = h->ncounts;
	return false;
}

void mb_hist_reset(struct mb_hist *h)
{
	if (h->counts && h->total) {
		size_t lo = hist_index(h, h->min), hi = hist_index(h, h->max);
		memset(h->counts + lo, 0, (hi - lo + 1) * sizeof *h->counts);
	}
	h->total = 0;
	h->sum = 0;
	h->min = UINT64_MAX;
	h->max = 0;
	h->clamped_low = h->clamped_high = 0;
}

void mb_hist_free(struct mb_hist *h)
{
	free(h->counts);
	h->counts = NULL;
	h->ncounts = 0;
}
