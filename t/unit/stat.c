/* stat.c - unit tests of mb-stat's building blocks: command-name lengths, top-K, HyperLogLog, Zipf fit, distributions, SHARDS. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "hll.h"
#include "hot.h"
#include "shards.h"
#include "stat.h"
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

/* Slots stay with their key while it is monitored; a newcomer takes the evicted key's slot. */
static void test_topk_slots(void)
{
	struct mb_topk *t;
	bool fresh;
	ok(mb_topk_new(&t, 4, NULL) == MB_OK, "topk slots: created");
	uint32_t s[5];
	for (uint64_t k = 1; k <= 4; k++) {
		for (uint64_t i = 0; i < k; i++)
			s[k] = mb_topk_count(t, k, 1, &fresh);
	}
	ok(s[1] != s[2] && s[2] != s[3] && s[3] != s[4] && s[1] < 4 && s[4] < 4, "topk slots: distinct, below capacity");
	ok(mb_topk_count(t, 3, 1, &fresh) == s[3] && !fresh, "topk slots: a counted key keeps its slot");
	uint32_t n = mb_topk_count(t, 99, 1, &fresh);
	ok(fresh && n == s[1] && mb_topk_find(t, 1) == UINT32_MAX, "topk slots: a newcomer takes the least counted key's slot");
	ok(mb_topk_find(t, 99) == n && mb_topk_size(t) == 4, "topk slots: find");
	mb_topk_clear(t);
	ok(mb_topk_size(t) == 0 && mb_topk_find(t, 99) == UINT32_MAX, "topk slots: clear");
	mb_topk_free(t);

	struct mb_hot h;
	ok(mb_hot_init(&h, 2, true, NULL) == MB_OK, "hot: created");
	struct mb_event ev = { .cmd = MB_CMD_GET, .status = MB_ST_HIT, .resp_len = 7, .latency_ns = 100 };
	mb_hot_account(mb_hot_ref(&h, 5, (const uint8_t *)"five", 4), &ev);
	ev.status = MB_ST_MISS;
	mb_hot_account(mb_hot_ref(&h, 5, (const uint8_t *)"five", 4), &ev);
	const uint8_t *name;
	const struct mb_hot_stats *hs = mb_hot_find(&h, 5, &name);
	ok(hs && hs->ops == 2 && hs->hits == 1 && hs->misses == 1 && hs->bytes == 7 && hs->lat_n == 2 && hs->lat_max == 100,
	   "hot: counters of an item");
	ok(hs && hs->name_len == 4 && !memcmp(name, "five", 4), "hot: its name");
	mb_hot_free(&h);
}

/* Latency over time: each window's percentile is the upper end of its bucket, within 1/16 above. */
static void test_lat_slots(void)
{
	static struct mb_stat st;
	struct mb_stat_opts o;
	struct mb_stream_info info;
	struct mb_err err;
	mb_stat_opts_default(&o);
	o.mrc = false;
	mb_info_init(&info, MB_KIND_EVENTS_HASHED);
	ok(mb_stat_init(&st, &o, &info, &err) == MB_OK, "lat slots: accumulator");
	uint64_t vals[] = { 0, 7, 15, 16, 17, 1000, 123456, 3600000000000ull };
	size_t nv = sizeof vals / sizeof vals[0];
	for (size_t i = 0; i < nv; i++) {
		struct mb_event ev = { .ts_ns = 1700000000000000000ull + i * 1000000000ull, .cmd = MB_CMD_GET, .status = MB_ST_MISS,
				       .latency_ns = vals[i], .key_hash = i + 1, .key_len = 3 };
		ok(mb_stat_event(&st, &ev, &err) == MB_OK, "lat slots: event %zu", i);
	}
	is_int(st.nlat, nv, "lat slots: one per window");
	for (size_t i = 0; i < nv && i < st.nlat; i++) {
		uint64_t got = mb_stat_lat_pct(st.lat_slot[i], 99), v = vals[i];
		ok(got >= v && (double)got <= (double)v * (1 + 1.0 / 16) + 1, "lat slots: %llu -> %llu", (unsigned long long)v,
		   (unsigned long long)got);
	}
	mb_stat_free(&st);
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

/* The command-name lengths (the text request line's verb in the estimated wire bytes) match the names. */
static void test_cmd_name_len(void)
{
	bool same = true;
	for (unsigned c = 0; c < MB_CMD_COUNT; c++)
		same &= mb_cmd_name_len[c] == strlen(mb_cmd_name(c));
	ok(same, "the length of every command name, for all %d commands", MB_CMD_COUNT);
}

int main(void)
{
	test_cmd_name_len();
	test_topk();
	test_topk_slots();
	test_lat_slots();
	test_hll();
	test_zipf();
	test_dist();
	test_shards();
	return done_testing();
}
