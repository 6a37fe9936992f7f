/* shards.c - fixed-size SHARDS: sampled keys, Fenwick trees over last-access times, distance histograms. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "shards.h"

#define PBITS 24
#define PMOD (1u << PBITS)
#define NONE UINT32_MAX
#define LIN 64      /* distances below LIN have one bucket each */
#define SUB 16      /* sub-buckets per power of two above LIN */
#define NBUCKET (LIN + (64 - 6) * SUB)

/* One sampled key. */
struct ent {
	uint64_t hash;
	uint32_t time;    /* logical time of its last reference (its mark in the Fenwick trees) */
	uint32_t size;    /* bytes of its object at that reference */
	uint32_t heappos; /* position in the eviction heap */
};

/*
 * Histogram counts are kept divided by `scale`, so lowering the rate rescales
 * everything already counted by changing one number.
 */
struct dhist {
	double cnt[NBUCKET];
};

struct mb_shards {
	uint32_t T;             /* sample when hash >> (64 - PBITS) < T */
	uint32_t max, n;        /* sample bound, keys tracked */
	struct ent *ent;        /* max + 1 entries; free ones chained through .time */
	uint32_t free_head;
	uint32_t *tab, mask;    /* hash -> entry index, linear probing */
	uint32_t *heap;         /* max-heap of entry indices by hash prefix */
	uint32_t tcap, now;     /* logical times in [0, tcap) */
	int32_t *fcnt;          /* Fenwick trees, 1-based, tcap entries */
	int64_t *fbytes;
	uint32_t *bytime;       /* scratch for compaction */
	int64_t total_cnt, total_bytes;
	uint64_t refs;          /* sampled references (unscaled) */
	uint64_t all_refs;      /* every reference, sampled or not */
	double scale;           /* true weight of a stored count */
	double w_refs, w_cold;  /* weighted references and cold misses (stored units) */
	struct dhist obj, bytes;
};

static inline uint32_t prefix_of(uint64_t hash) { return (uint32_t)(hash >> (64 - PBITS)); }

static inline uint32_t home_of(const struct mb_shards *s, uint64_t hash)
{
	hash *= 0x9e3779b97f4a7c15ull;
	return (uint32_t)(hash >> 32) & s->mask;
}

int mb_shards_new(struct mb_shards **out, double rate, uint32_t max_samples, struct mb_err *err)
{
	if (!(rate > 0 && rate <= 1))
		return mb_err_set(err, MB_ERR, "sampling rate must be in (0, 1]");
	if (max_samples < 16)
		max_samples = 16;
	struct mb_shards *s = calloc(1, sizeof *s);
	if (!s)
		return mb_err_set(err, MB_EIO, "out of memory for the miss-ratio curve");
	uint32_t size = 16;
	while (size < 2 * (max_samples + 1))
		size <<= 1;
	s->T = (uint32_t)ceil(rate * PMOD);
	if (s->T < 1)
		s->T = 1;
	s->max = max_samples;
	s->mask = size - 1;
	s->tcap = 4 * (max_samples + 1);
	s->scale = 1;
	s->ent = malloc(sizeof *s->ent * (max_samples + 1));
	s->tab = malloc(sizeof *s->tab * size);
	s->heap = malloc(sizeof *s->heap * (max_samples + 1));
	s->fcnt = calloc(s->tcap + 1, sizeof *s->fcnt);
	s->fbytes = calloc(s->tcap + 1, sizeof *s->fbytes);
	s->bytime = malloc(sizeof *s->bytime * s->tcap);
	if (!s->ent || !s->tab || !s->heap || !s->fcnt || !s->fbytes || !s->bytime) {
		mb_shards_free(s);
		return mb_err_set(err, MB_EIO, "out of memory for the miss-ratio curve");
	}
	memset(s->tab, 0xff, sizeof *s->tab * size);
	for (uint32_t i = 0; i <= max_samples; i++)
		s->ent[i].time = i + 1 <= max_samples ? i + 1 : NONE;
	s->free_head = 0;
	*out = s;
	return MB_OK;
}

void mb_shards_free(struct mb_shards *s)
{
	if (!s)
		return;
	free(s->ent);
	free(s->tab);
	free(s->heap);
	free(s->fcnt);
	free(s->fbytes);
	free(s->bytime);
	free(s);
}

/* ---- Fenwick trees over logical time ---- */

static void fen_add(struct mb_shards *s, uint32_t t, int32_t c, int64_t b)
{
	s->total_cnt += c;
	s->total_bytes += b;
	for (uint32_t i = t + 1; i <= s->tcap; i += i & -i) {
		s->fcnt[i] += c;
		s->fbytes[i] += b;
	}
}

/* Marks at times <= t. */
static void fen_prefix(const struct mb_shards *s, uint32_t t, int64_t *c, int64_t *b)
{
	int64_t cc = 0, bb = 0;
	for (uint32_t i = t + 1; i > 0; i -= i & -i) {
		cc += s->fcnt[i];
		bb += s->fbytes[i];
	}
	*c = cc;
	*b = bb;
}

/* Renumber live marks 0..n-1 in time order and rebuild the trees in O(tcap). */
static void compact(struct mb_shards *s)
{
	memset(s->bytime, 0xff, sizeof *s->bytime * s->tcap);
	for (uint32_t h = 0; h < s->n; h++) {
		uint32_t e = s->heap[h];
		s->bytime[s->ent[e].time] = e;
	}
	memset(s->fcnt, 0, sizeof *s->fcnt * (s->tcap + 1));
	memset(s->fbytes, 0, sizeof *s->fbytes * (s->tcap + 1));
	uint32_t next = 0;
	for (uint32_t t = 0; t < s->tcap; t++) {
		uint32_t e = s->bytime[t];
		if (e == NONE)
			continue;
		s->ent[e].time = next;
		s->fcnt[next + 1] = 1;
		s->fbytes[next + 1] = s->ent[e].size;
		next++;
	}
	for (uint32_t i = 1; i <= s->tcap; i++) {
		uint32_t j = i + (i & -i);
		if (j <= s->tcap) {
			s->fcnt[j] += s->fcnt[i];
			s->fbytes[j] += s->fbytes[i];
		}
	}
	s->now = next;
}

/* ---- eviction heap (max by hash prefix) ---- */

static inline void heap_place(struct mb_shards *s, uint32_t pos, uint32_t e)
{
	s->heap[pos] = e;
	s->ent[e].heappos = pos;
}

static void heap_up(struct mb_shards *s, uint32_t pos)
{
	uint32_t e = s->heap[pos], p = prefix_of(s->ent[e].hash);
	while (pos > 0) {
		uint32_t up = (pos - 1) / 2;
		if (prefix_of(s->ent[s->heap[up]].hash) >= p)
			break;
		heap_place(s, pos, s->heap[up]);
		pos = up;
	}
	heap_place(s, pos, e);
}

static void heap_down(struct mb_shards *s, uint32_t pos)
{
	uint32_t e = s->heap[pos], p = prefix_of(s->ent[e].hash);
	for (;;) {
		uint32_t c = 2 * pos + 1;
		if (c >= s->n)
			break;
		if (c + 1 < s->n && prefix_of(s->ent[s->heap[c + 1]].hash) > prefix_of(s->ent[s->heap[c]].hash))
			c++;
		if (prefix_of(s->ent[s->heap[c]].hash) <= p)
			break;
		heap_place(s, pos, s->heap[c]);
		pos = c;
	}
	heap_place(s, pos, e);
}

/* ---- key index ---- */

static uint32_t *tab_find(struct mb_shards *s, uint64_t hash)
{
	uint32_t i = home_of(s, hash);
	while (s->tab[i] != NONE && s->ent[s->tab[i]].hash != hash)
		i = (i + 1) & s->mask;
	return &s->tab[i];
}

static void tab_delete(struct mb_shards *s, uint32_t *slot)
{
	uint32_t i = (uint32_t)(slot - s->tab), j = i;
	for (;;) {
		j = (j + 1) & s->mask;
		if (s->tab[j] == NONE)
			break;
		uint32_t home = home_of(s, s->ent[s->tab[j]].hash);
		if ((i <= j) ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		s->tab[i] = s->tab[j];
		i = j;
	}
	s->tab[i] = NONE;
}

/* Drop every key with the largest hash prefix and lower the threshold to it. */
static void evict(struct mb_shards *s)
{
	uint32_t top = prefix_of(s->ent[s->heap[0]].hash);
	while (s->n > 0 && prefix_of(s->ent[s->heap[0]].hash) == top) {
		uint32_t e = s->heap[0];
		fen_add(s, s->ent[e].time, -1, -(int64_t)s->ent[e].size);
		tab_delete(s, tab_find(s, s->ent[e].hash));
		s->n--;
		if (s->n > 0) {
			heap_place(s, 0, s->heap[s->n]);
			heap_down(s, 0);
		}
		s->ent[e].time = s->free_head;
		s->free_head = e;
	}
	s->scale *= (double)top / s->T;
	s->T = top;
}

/* ---- distance histograms ---- */

static inline unsigned bucket_of(double v)
{
	if (v < LIN)
		return v < 0 ? 0 : (unsigned)v;
	int e;
	double m = frexp(v, &e); /* v = m * 2^e, m in [0.5, 1) */
	unsigned sub = (unsigned)((m * 2 - 1) * SUB);
	unsigned idx = LIN + (unsigned)(e - 1 - 6) * SUB + sub;
	return idx < NBUCKET ? idx : NBUCKET - 1;
}

/* Lowest value of bucket i (the upper edge of bucket i - 1). */
static double bucket_lo(unsigned i)
{
	if (i <= LIN)
		return i;
	i -= LIN;
	return ldexp(1.0 + (double)(i % SUB) / SUB, 6 + (int)(i / SUB));
}

void mb_shards_access(struct mb_shards *s, uint64_t hash, uint32_t size)
{
	s->all_refs++;
	if (prefix_of(hash) >= s->T)
		return;
	if (size < 1)
		size = 1;
	s->refs++;
	if (s->now == s->tcap)
		compact(s); /* before any change, so every tracked key holds exactly one mark */
	double w = 1 / s->scale, inv_rate = (double)PMOD / s->T;
	s->w_refs += w;
	uint32_t *slot = tab_find(s, hash);
	uint32_t e = *slot;
	if (e != NONE) {
		struct ent *x = &s->ent[e];
		int64_t c, b;
		fen_prefix(s, x->time, &c, &b);
		double dobj = (double)(s->total_cnt - c) * inv_rate;
		double dbytes = (double)(s->total_bytes - b) * inv_rate + size - 1;
		s->obj.cnt[bucket_of(dobj)] += w;
		s->bytes.cnt[bucket_of(dbytes)] += w;
		fen_add(s, x->time, -1, -(int64_t)x->size);
	} else {
		s->w_cold += w;
		e = s->free_head;
		s->free_head = s->ent[e].time;
		*slot = e;
		s->ent[e].hash = hash;
		s->heap[s->n] = e;
		s->ent[e].heappos = s->n;
		s->n++;
		heap_up(s, s->n - 1);
	}
	s->ent[e].time = s->now++;
	s->ent[e].size = size;
	fen_add(s, s->ent[e].time, 1, size);
	if (s->n > s->max)
		evict(s);
}

double mb_shards_rate(const struct mb_shards *s) { return (double)s->T / PMOD; }
uint64_t mb_shards_sampled_refs(const struct mb_shards *s) { return s->refs; }
uint32_t mb_shards_tracked(const struct mb_shards *s) { return s->n; }

size_t mb_shards_curve(const struct mb_shards *s, bool bytes, struct mb_mrc_point *out)
{
	const struct dhist *h = bytes ? &s->bytes : &s->obj;
	size_t n = 0;
	if (s->w_refs <= 0)
		return 0;
	/*
	 * SHARDS-adj: the sample holds w_refs references where all_refs * R were expected
	 * (a hot key in or out of the sample skews it); the difference goes to distance 0,
	 * so the ratios are over the expected count.
	 */
	double expected = (double)s->all_refs * mb_shards_rate(s) / s->scale;
	double hits = expected - s->w_refs;
	for (unsigned i = 0; i < NBUCKET && n < MB_MRC_MAX_POINTS; i++) {
		if (h->cnt[i] <= 0)
			continue;
		hits += h->cnt[i];
		double mr = 1 - hits / expected;
		out[n++] = (struct mb_mrc_point){ bucket_lo(i + 1), mr < 0 ? 0 : mr > 1 ? 1 : mr };
	}
	if (n == 0)
		out[n++] = (struct mb_mrc_point){ 1, 1 };
	return n;
}
