/* stat.c - unit tests of mb-stat's building blocks: top-K, HyperLogLog, Zipf fit, distributions, SHARDS. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "dist.h"
#include "hll.h"
#include "shards.h"
#include "tap.h"
#include "topk.h"
#include "zipf_fit.h"

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static void test_topk(void)
{
	struct mb_topk *t;
	struct mb_topk_item it[8];
	ok(eq(mb_topk_new(&t, 8, NULL), MB_OK), "topk: created");
	for (uint64_t k = 1; k <= 5; k++)
		mb_topk_add(t, k * 100, k * 10);
	mb_topk_add(t, 300, 1);
	size_t n = mb_topk_list(t, it, 8);
	is_int(n, 5, "topk: 5 keys below capacity");
	ok(eq(it[0].key, 500) && eq(it[0].count, 50) && eq(it[0].error, 0), "topk: largest first, exact");
	ok(eq(it[2].key, 300) && eq(it[2].count, 31), "topk: increments add up");
	mb_topk_free(t);

	/* A heavy key among many one-offs is kept; counts bound the truth. */
	ok(eq(mb_topk_new(&t, 16, NULL), MB_OK), "topk: small table");
	uint64_t heavy = 0;
	for (uint64_t i = 0; i < 20000; i++) {
		if (i % 5 == 0) {
			mb_topk_add(t, 7, 1);
			heavy++;
		} else {
			mb_topk_add(t, 1000 + i, 1);
		}
	}
	n = mb_topk_list(t, it, 1);
	ok(eq(n, 1) && eq(it[0].key, 7), "topk: the heavy hitter survives 16000 one-offs");
	ok(cmp(it[0].count, >=, heavy) && cmp(it[0].count - it[0].error, <=, heavy), "topk: count - error <= true <= count");
	mb_topk_free(t);
}

static void test_hll(void)
{
	static struct mb_hll h;
	mb_hll_init(&h);
	ok(eq(mb_hll_estimate(&h), 0), "hll: empty is 0");
	for (uint64_t i = 0; i < 1000; i++)
		mb_hll_add(&h, mix(i));
	ok(cmp(fabs(mb_hll_estimate(&h) - 1000), <, 20), "hll: 1000 within 2%% (linear counting)");
	for (uint64_t i = 0; i < 200000; i++)
		mb_hll_add(&h, mix(i));
	double e = mb_hll_estimate(&h);
	ok(cmp(fabs(e - 200000), <, 0.03 * 200000), "hll: 200000 within 3%% (%.0f)", e);
}

static void test_zipf(void)
{
	uint64_t c[2000];
	struct mb_zipf_fit f = { 0, 0, 0 };
	for (int r = 1; r <= 2000; r++)
		c[r - 1] = (uint64_t)llround(1e6 * pow(r, -1.1));
	ok(eq(mb_zipf_fit(c, 2000, &f), 0) && cmp(fabs(f.s - 1.1), <, 0.005), "zipf: exact power law, s = %.4f", f.s);
	ok(cmp(f.r2, >, 0.999), "zipf: R^2 of a clean power law");
	uint64_t few[4] = { 100, 50, 9, 1 };
	ok(eq(mb_zipf_fit(few, 4, &f), -1), "zipf: fewer than 3 ranks with >= 10 requests: no fit");
}

static void test_dist(void)
{
	struct mb_dist d;
	ok(eq(mb_dist_init(&d, 65535), MB_OK) && d.exact, "dist: small range counted per value");
	for (uint64_t v = 1; v <= 1000; v++)
		mb_dist_add(&d, v);
	is_int(mb_dist_pct(&d, 50), 500, "dist: exact p50");
	is_int(mb_dist_pct(&d, 99.9), 999, "dist: exact p99.9");
	is_int(mb_dist_pct(&d, 100), 1000, "dist: p100 is the max");
	ok(cmp(fabs(mb_dist_mean(&d) - 500.5), <, 1e-9), "dist: mean");
	mb_dist_free(&d);

	ok(eq(mb_dist_init(&d, UINT64_C(1) << 40), MB_OK) && !d.exact, "dist: large range in a histogram");
	for (int i = 0; i < 300; i++)
		mb_dist_add(&d, 0);
	for (uint64_t v = 1; v <= 700; v++)
		mb_dist_add(&d, v * 1000003);
	is_int(mb_dist_pct(&d, 30), 0, "dist: zeros below their rank");
	uint64_t p = mb_dist_pct(&d, 65), want = 350 * 1000003;
	ok(cmp(p, >=, want) && cmp(p - want, <=, want / 1000), "dist: p65 within 0.1%% (%llu vs %llu)", (unsigned long long)p,
	   (unsigned long long)want);
	is_int(mb_dist_pct(&d, 100), 700 * 1000003, "dist: max exact");
	is_int(d.log2[0], 300, "dist: zero bucket");
	struct mb_dist e;
	mb_dist_init(&e, UINT64_C(1) << 40);
	mb_dist_add(&e, 5);
	mb_dist_merge(&e, &d);
	is_int(e.n, 1001, "dist: merge adds counts");
	mb_dist_free(&e);
	mb_dist_free(&d);
}

static void test_shards(void)
{
	struct mb_shards *s;
	struct mb_mrc_point *p = malloc(sizeof *p * MB_MRC_MAX_POINTS);
	/* Cycling over 50 keys: every reuse has distance 49 -> hits only from 50 objects. */
	ok(eq(mb_shards_new(&s, 1.0, 1000, NULL), MB_OK), "shards: created");
	for (int i = 0; i < 5000; i++)
		mb_shards_access(s, mix((uint64_t)(i % 50)), 10);
	size_t n = mb_shards_curve(s, false, p);
	is_int(n, 1, "shards: one distance bucket");
	ok(eq(p[0].size, 50) && cmp(fabs(p[0].miss_ratio - 0.01), <, 1e-12), "shards: size 50 misses only the 50 cold references");
	n = mb_shards_curve(s, true, p);
	ok(eq(n, 1) && cmp(p[0].size, >=, 500) && cmp(p[0].size, <=, 512), "shards: bytes curve drops at 500 bytes (bucket edge %g)", p[0].size);
	ok(cmp(fabs(mb_shards_rate(s) - 1), <, 1e-12) && eq(mb_shards_tracked(s), 50), "shards: rate 1, 50 keys tracked");
	mb_shards_free(s);

	/* Fixed size: 5000 keys in 64 samples; the rate drops, the bound holds, compaction runs. */
	ok(eq(mb_shards_new(&s, 1.0, 64, NULL), MB_OK), "shards: small sampler");
	for (int i = 0; i < 200000; i++)
		mb_shards_access(s, mix((uint64_t)(i % 5000)), 100);
	ok(cmp(mb_shards_tracked(s), <=, 64), "shards: at most 64 keys tracked (%u)", mb_shards_tracked(s));
	double r = mb_shards_rate(s);
	ok(cmp(r, >, 0.005) && cmp(r, <, 0.03), "shards: rate about 64/5000 (%g)", r);
	n = mb_shards_curve(s, false, p);
	ok(cmp(n, >=, 1) && cmp(fabs(p[n - 1].miss_ratio - 0.025), <, 0.01), "shards: cold-miss ratio about 5000/200000");
	double below = 1;
	for (size_t i = 0; i < n; i++)
		if (p[i].size < 4000)
			below = p[i].miss_ratio;
	ok(cmp(below, >, 0.9), "shards: a cache much smaller than the cycle misses (%g)", below);
	mb_shards_free(s);
	free(p);
}

int main(void)
{
	test_topk();
	test_hll();
	test_zipf();
	test_dist();
	test_shards();
	return done_testing();
}
