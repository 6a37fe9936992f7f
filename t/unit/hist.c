/* hist.c - unit tests of common/hist: precision, percentiles, clamps, merge, bucket iteration. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "hist.h"
#include "tap.h"

/* Relative distance of got from want. */
static double rel(uint64_t got, uint64_t want)
{
	return fabs((double)got - (double)want) / (double)want;
}

int main(void)
{
	struct mb_hist h, g, m;
	const uint64_t lo = 1000, hi = UINT64_C(60000000000);

	ok(eq(mb_hist_init(&h, 0, hi, 3), MB_ERR), "lowest 0 rejected");
	ok(eq(mb_hist_init(&h, lo, lo, 3), MB_ERR), "empty range rejected");
	ok(eq(mb_hist_init(&h, lo, hi, 6), MB_ERR), "6 significant digits rejected");
	ok(eq(mb_hist_init(&h, lo, hi, 3), MB_OK), "init 1us..60s, 3 digits");
	ok(eq(mb_hist_count(&h), 0) && eq(mb_hist_percentile(&h, 50), 0) && eq(mb_hist_max(&h), 0), "empty histogram");

	/* Every value from 1us to 60s keeps 3 significant digits. */
	int precise = 1;
	for (uint64_t v = lo; v <= hi; v = v + v / 7 + 1) {
		struct mb_hist one;
		mb_hist_init(&one, lo, hi, 3);
		mb_hist_record(&one, v);
		size_t cur = 0;
		uint64_t blo, bhi, cnt;
		if (!mb_hist_next(&one, &cur, &blo, &bhi, &cnt) || cnt != 1 || v < blo || v > bhi ||
		    (double)(bhi - blo + 1) > (double)v / 1000.0 + 512) {
			printf("# value %" PRIu64 " bucket %" PRIu64 "..%" PRIu64 "\n", v, blo, bhi);
			precise = 0;
		}
		mb_hist_free(&one);
	}
	ok(precise, "every bucket holding v is at most v/1000 wide and contains v");

	/* 1..100000 us uniformly: percentiles within 0.1%. */
	for (uint64_t i = 1; i <= 100000; i++)
		mb_hist_record(&h, i * 1000);
	ok(eq(mb_hist_count(&h), 100000), "count 100000");
	ok(eq(mb_hist_max(&h), 100000000), "exact max");
	ok(cmp(rel(mb_hist_percentile(&h, 50), 50000000), <, 0.001), "p50 within 0.1%%");
	ok(cmp(rel(mb_hist_percentile(&h, 99), 99000000), <, 0.001), "p99 within 0.1%%");
	ok(cmp(rel(mb_hist_percentile(&h, 99.9), 99900000), <, 0.001), "p99.9 within 0.1%%");
	ok(eq(mb_hist_percentile(&h, 100), 100000000), "p100 is the max");
	ok(cmp(fabs(mb_hist_mean(&h) - 50000500.0), <, 1.0), "exact mean");

	/* Clamps. */
	mb_hist_init(&g, lo, hi, 3);
	mb_hist_record(&g, 5);
	mb_hist_record_n(&g, UINT64_C(100000000000), 3);
	ok(eq(g.clamped_low, 1) && eq(g.clamped_high, 3) && eq(mb_hist_count(&g), 4), "clamps counted");
	ok(eq(mb_hist_max(&g), hi) && eq(g.min, lo), "clamped values land on the range ends");

	/* Merge. */
	ok(eq(mb_hist_merge(&h, &g), MB_OK) && eq(mb_hist_count(&h), 100004) && eq(mb_hist_max(&h), hi), "merge adds counts");
	mb_hist_init(&m, 1, 1000, 3);
	ok(eq(mb_hist_merge(&h, &m), MB_ERR), "merge of different ranges refused");
	mb_hist_free(&m);

	/* Iterating and re-adding the buckets reproduces the percentiles. */
	mb_hist_init(&m, lo, hi, 3);
	size_t cur = 0;
	uint64_t blo, bhi, cnt, sum = 0, buckets = 0, prev_hi = 0;
	int ordered = 1;
	while (mb_hist_next(&h, &cur, &blo, &bhi, &cnt)) {
		if (buckets && blo <= prev_hi)
			ordered = 0;
		prev_hi = bhi;
		sum += cnt;
		buckets++;
		mb_hist_add_bucket(&m, blo, cnt);
	}
	ok(eq(sum, 100004) && ordered, "bucket iteration covers every value in order");
	ok(eq(mb_hist_percentile(&m, 50), mb_hist_percentile(&h, 50)) &&
	   eq(mb_hist_percentile(&m, 99), mb_hist_percentile(&h, 99)), "rebuilt from buckets: same percentiles");

	/* Restored bucket by bucket with the exact summary: the same histogram, slot for slot. */
	struct mb_hist r;
	mb_hist_init(&r, lo, hi, 3);
	cur = 0;
	int restored = 1;
	while (mb_hist_next(&h, &cur, &blo, &bhi, &cnt))
		restored &= mb_hist_restore_bucket(&r, blo, bhi, cnt);
	ok(restored && mb_hist_restore_summary(&r, h.min, h.max, h.sum, h.clamped_low, h.clamped_high), "restored");
	ok(eq(memcmp(r.counts, h.counts, h.ncounts * sizeof *h.counts), 0) && eq(r.total, h.total) && eq(r.min, h.min) &&
	   eq(r.max, h.max) && eq(r.sum, h.sum) && eq(r.clamped_low, h.clamped_low) && eq(r.clamped_high, h.clamped_high),
	   "restored: every slot, extremes, sum and clamps as written");
	mb_hist_next(&h, &(size_t){ 0 }, &blo, &bhi, &cnt);
	ok(!mb_hist_restore_bucket(&r, blo + 1, bhi, 1) && !mb_hist_restore_bucket(&r, blo, bhi + 1, 1) &&
	   !mb_hist_restore_bucket(&r, bhi, blo, 1) && !mb_hist_restore_bucket(&r, hi + 1, hi + 2, 1) &&
	   !mb_hist_restore_bucket(&r, blo, bhi, UINT64_MAX) && eq(r.total, h.total), "a range that is not a bucket is refused, nothing added");
	ok(!mb_hist_restore_summary(&r, h.min, h.max, h.sum, h.total, 1) && !mb_hist_restore_summary(&r, h.max + 1000000, h.max, h.sum, 0, 0) &&
	   !mb_hist_restore_summary(&r, lo - 1, h.max, h.sum, 0, 0) && !mb_hist_restore_summary(&r, h.min, h.max, -1, 0, 0) &&
	   eq(r.min, h.min) && eq(r.max, h.max), "a summary that does not fit the buckets is refused, nothing changed");
	mb_hist_free(&r);

	mb_hist_reset(&h);
	ok(eq(mb_hist_count(&h), 0) && eq(mb_hist_percentile(&h, 99), 0), "reset empties");
	int zero = 1;
	for (size_t i = 0; i < h.ncounts; i++)
		zero &= h.counts[i] == 0;
	ok(zero, "reset clears every bucket between the extremes (and there are none outside)");

	/* Merge and reset touch only the recorded range: values at both ends survive a merge. */
	mb_hist_reset(&g);
	mb_hist_record(&g, lo);
	mb_hist_record_n(&g, hi, 2);
	mb_hist_merge(&h, &g);
	mb_hist_merge(&h, &g);
	ok(eq(mb_hist_count(&h), 6) && cmp(mb_hist_percentile(&h, 30), <, lo + lo / 1000 + 24) && eq(mb_hist_max(&h), hi) &&
	   eq(mb_hist_percentile(&h, 60), hi), "merges keep the lowest and the highest bucket");
	mb_hist_reset(&g);
	ok(eq(mb_hist_merge(&h, &g), MB_OK) && eq(mb_hist_count(&h), 6), "merging an empty histogram adds nothing");
	mb_hist_free(&h);
	mb_hist_free(&g);
	mb_hist_free(&m);
	return done_testing();
}
