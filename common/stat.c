/* stat.c - the mb-stat accumulator: counters, distributions, key and connection tables, time series. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anon.h"
#include "hugemem.h"
#include "mbtime.h"
#include "rng.h"
#include "mclimits.h"
#include "prog.h"
#include "stat.h"

#define SIZE_MAX_V (UINT64_C(1) << 32)                 /* sizes and TTLs: up to 4 GiB / 136 years */
#define TIME_MAX_V (UINT64_C(3600) * MB_NS_PER_SEC)    /* inter-arrivals and latencies: up to 1 h */

void mb_stat_opts_default(struct mb_stat_opts *o)
{
	/* every field: the options a caller does not set keep these (no --show-keys, no
	   --namespaces) */
	*o = (struct mb_stat_opts){
		.top = 10,
		.window_ns = MB_NS_PER_SEC,
		.mrc = true,
		.mrc_rate = 1.0,
		.mrc_samples = 16384,
		.max_keys = 1u << 20,
		.max_conns = 1u << 18,
	};
}

const char *mb_stat_class_name(unsigned c)
{
	static const char *const n[MB_SC_COUNT] = { "all", "get", "set", "other" };
	return c < MB_SC_COUNT ? n[c] : "?";
}

/* mb-stat's hash of raw key bytes: 8 bytes at a time, multiply-rotate, then finalized. */
static uint64_t key_hash_raw(const uint8_t *p, size_t n)
{
	uint64_t h = 0x243f6a8885a308d3ull ^ (n * 0x9e3779b97f4a7c15ull);
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x9fb21c651e98df25ull;
		h = (h << 29) | (h >> 35);
		p += 8;
		n -= 8;
	}
	uint64_t w = 0;
	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)p[i] << (8 * i);
	h = (h ^ w) * 0x9fb21c651e98df25ull;
	return mb_fmix64(h);
}

uint64_t mb_stat_key_id(bool hashed, const struct mb_event *ev)
{
	uint64_t id = hashed ? ev->key_hash : key_hash_raw(ev->key, ev->key_len);
	return id + !id;
}

/* A delimiter table by mb-anon's rules for --prefix (1..16 distinct printable bytes). */
static int delim_table(const char *delims, uint8_t out[256], struct mb_err *err)
{
	struct mb_anon a;
	memset(&a, 0, sizeof a);
	if (mb_anon_set_prefix(&a, delims, err) != MB_OK)
		return MB_ERR;
	memcpy(out, a.delim, 256);
	return MB_OK;
}

int mb_ns_setup(struct mb_ns *ns, const char *delims, const struct mb_stream_info *info, struct mb_err *err)
{
	memset(ns, 0, sizeof *ns);
	if (!delims)
		return MB_OK;
	if (delim_table(delims, ns->delim, err) != MB_OK)
		return MB_ERR;
	if (info->kind == MB_KIND_EVENTS_HASHED) {
		const char *p = mb_info_get(info, "anon_prefix");
		uint8_t theirs[256];
		struct mb_err e2;
		if (!p)
			return mb_err_set(err, MB_ERR, "--namespaces: the keys were hashed without mb-anon --prefix, so they carry no namespace");
		if (delim_table(p, theirs, &e2) != MB_OK || memcmp(theirs, ns->delim, sizeof theirs))
			return mb_err_set(err, MB_ERR, "--namespaces: the keys were hashed with mb-anon --prefix '%s', not '%s'", p, delims);
		ns->tags = true;
	}
	ns->on = true;
	return MB_OK;
}

uint64_t mb_ns_of(const struct mb_ns *ns, const struct mb_event *ev, const uint8_t **seg, size_t *len)
{
	*seg = NULL;
	*len = 0;
	if (ns->tags)
		return ev->key_hash >> (64 - MB_ANON_FIRST_BITS);
	size_t n = 0;
	while (n < ev->key_len && !ns->delim[ev->key[n]])
		n++;
	*seg = ev->key;
	*len = n;
	uint64_t id = key_hash_raw(ev->key, n);
	return id + !id;
}

int mb_stat_init(struct mb_stat *st, const struct mb_stat_opts *o, const struct mb_stream_info *info, struct mb_err *err)
{
	memset(st, 0, sizeof *st);
	st->o = *o;
	st->info = *info;
	st->hashed = info->kind == MB_KIND_EVENTS_HASHED;
	int rc = MB_OK;
	for (unsigned c = 0; c < MB_SC_COUNT && rc == MB_OK; c++) {
		rc = mb_dist_init(&st->key_size[c], 65535);
		if (rc == MB_OK)
			rc = mb_dist_init(&st->value_size[c], SIZE_MAX_V);
	}
	if (rc == MB_OK)
		rc = mb_dist_init(&st->ttl, SIZE_MAX_V);
	if (rc == MB_OK)
		rc = mb_dist_init(&st->iat, TIME_MAX_V);
	if (rc == MB_OK)
		rc = mb_dist_init(&st->iat_conn, TIME_MAX_V);
	if (rc == MB_OK)
		rc = mb_dist_init(&st->lat_all, TIME_MAX_V);
	mb_hll_init(&st->hll);
	st->key_mask = 4095;
	st->keys = calloc(st->key_mask + 1, sizeof *st->keys);
	st->win_cap = 64;
	st->win = calloc(st->win_cap, sizeof *st->win);
	st->sec_cap = 64;
	st->sec = calloc(st->sec_cap, sizeof *st->sec);
	st->sums_cap = 16;
	st->sums = calloc(st->sums_cap, sizeof *st->sums);
	if (rc == MB_OK && (!st->keys || !st->win || !st->sec || !st->sums))
		rc = MB_EIO;
	if (rc != MB_OK)
		return mb_err_set(err, MB_EIO, "out of memory for the statistics");
	if (mb_ns_setup(&st->ns, o->namespaces, info, err) != MB_OK)
		return MB_ERR;
	if (st->ns.on && mb_hot_init(&st->nsh, MB_STAT_NS_MAX, !st->ns.tags && o->show_keys, err) != MB_OK)
		return MB_EIO;
	if (o->show_keys && !st->hashed) {
		uint32_t cap = o->top * 16 < 4096 ? 4096 : o->top * 16;
		if (mb_hot_init(&st->names, cap < MB_STAT_NAMES_MAX ? cap : MB_STAT_NAMES_MAX, true, err) != MB_OK)
			return MB_EIO;
	}
	if (o->mrc)
		return mb_shards_new(&st->shards, o->mrc_rate, o->mrc_samples, err);
	return MB_OK;
}

void mb_stat_free(struct mb_stat *st)
{
	for (unsigned c = 0; c < MB_SC_COUNT; c++) {
		mb_dist_free(&st->key_size[c]);
		mb_dist_free(&st->value_size[c]);
	}
	mb_dist_free(&st->ttl);
	mb_dist_free(&st->iat);
	mb_dist_free(&st->iat_conn);
	mb_dist_free(&st->lat_all);
	for (unsigned c = 0; c < MB_CMD_COUNT; c++) {
		if (st->lat[c]) {
			mb_dist_free(st->lat[c]);
			free(st->lat[c]);
		}
	}
	free(st->keys);
	mb_connmap_free(&st->conns);
	free(st->win);
	free(st->sec);
	free(st->sums);
	mb_topk_free(st->topk);
	if (st->names.tk)
		mb_hot_free(&st->names);
	if (st->nsh.tk)
		mb_hot_free(&st->nsh);
	free(st->lat_slot);
	mb_shards_free(st->shards);
	free(st->r.top);
	free(st->r.rank_counts);
	free(st->r.mrc_obj);
	free(st->r.mrc_bytes);
	memset(st, 0, sizeof *st);
}

void mb_stat_key_name(const struct mb_stat *st, uint64_t id, char out[20])
{
	snprintf(out, 20, "%c%016" PRIx64, st->hashed ? '@' : '#', id);
}

/* ---- time series ---- */

/* Make room for window index i: grow, or merge neighbours (doubling the width) past the bound. */
static int win_slot(struct mb_stat *st, uint64_t base, uint32_t *out)
{
	uint64_t i = base >> st->win_shift;
	while (i >= MB_STAT_MAX_WINDOWS) {
		for (uint32_t j = 0; j < st->nwin; j++) {
			struct mb_stat_window *a = &st->win[j], w = *a;
			if (j % 2 == 0) {
				st->win[j / 2] = w;
			} else {
				struct mb_stat_window *d = &st->win[j / 2];
				d->ops += a->ops;
				d->reads += a->reads;
				d->hits += a->hits;
				d->misses += a->misses;
				d->keys += a->keys;
				d->new_keys += a->new_keys;
				d->cum_keys = a->cum_keys;
				d->cum_bytes = a->cum_bytes;
			}
		}
		st->nwin = (st->nwin + 1) / 2;
		memset(st->win + st->nwin, 0, sizeof *st->win * (st->win_cap - st->nwin));
		st->win_shift++;
		i = base >> st->win_shift;
	}
	if (i >= st->win_cap) {
		uint32_t cap = st->win_cap;
		while (cap <= i)
			cap *= 2;
		struct mb_stat_window *w = realloc(st->win, sizeof *w * cap);
		if (!w)
			return MB_EIO;
		memset(w + st->win_cap, 0, sizeof *w * (cap - st->win_cap));
		st->win = w;
		st->win_cap = cap;
	}
	for (uint32_t j = st->nwin; j <= i; j++) {
		st->win[j].cum_keys = st->nwin ? st->win[st->nwin - 1].cum_keys : 0;
		st->win[j].cum_bytes = st->nwin ? st->win[st->nwin - 1].cum_bytes : 0;
	}
	if (i >= st->nwin)
		st->nwin = (uint32_t)i + 1;
	*out = (uint32_t)i;
	return MB_OK;
}

static int sec_count(struct mb_stat *st, uint64_t s)
{
	uint64_t i = s >> st->sec_shift;
	while (i >= MB_STAT_MAX_SECONDS) {
		for (uint32_t j = 0; j < st->nsec; j++)
			st->sec[j / 2] = (j % 2 ? st->sec[j / 2] : 0) + st->sec[j];
		st->nsec = (st->nsec + 1) / 2;
		memset(st->sec + st->nsec, 0, sizeof *st->sec * (st->sec_cap - st->nsec));
		st->sec_shift++;
		i = s >> st->sec_shift;
	}
	if (i >= st->sec_cap) {
		uint32_t cap = st->sec_cap;
		while (cap <= i)
			cap *= 2;
		uint64_t *p = realloc(st->sec, sizeof *p * cap);
		if (!p)
			return MB_EIO;
		memset(p + st->sec_cap, 0, sizeof *p * (cap - st->sec_cap));
		st->sec = p;
		st->sec_cap = cap;
	}
	st->sec[i]++;
	if (i >= st->nsec)
		st->nsec = (uint32_t)i + 1;
	return MB_OK;
}

/* ---- connections ---- */

/* One event on connection id at ts: its inter-arrival on that connection; past max_conns, or out of memory, untracked. */
static void conn_event(struct mb_stat *st, uint32_t id, uint64_t ts)
{
	uint64_t *last = mb_connmap_get(&st->conns, id);
	if (last) {
		mb_dist_add(&st->iat_conn, ts >= *last ? ts - *last : 0);
		*last = ts > *last ? ts : *last;
		return;
	}
	bool fresh;
	if (st->conns.n >= st->o.max_conns || !(last = mb_connmap_put(&st->conns, id, &fresh))) {
		st->conns_overflow = true;
		st->conns_untracked_events++;
		return;
	}
	*last = ts;
}

/* ---- keys ---- */

static int keys_grow(struct mb_stat *st)
{
	uint32_t mask = st->key_mask * 2 + 1;
	struct mb_stat_key *n = mb_table_calloc((size_t)mask + 1, sizeof(struct mb_stat_key));
	if (!n)
		return MB_EIO;
	for (uint32_t j = 0; j <= st->key_mask; j++) {
		if (!st->keys[j].id)
			continue;
		uint32_t k = (uint32_t)mb_fmix64(st->keys[j].id) & mask;
		while (n[k].id)
			k = (k + 1) & mask;
		n[k] = st->keys[j];
	}
	free(st->keys);
	st->keys = n;
	st->key_mask = mask;
	return MB_OK;
}

/* The table is full: from now on heavy hitters come from a space-saving counter seeded with it. */
static int keys_overflow(struct mb_stat *st, struct mb_err *err)
{
	uint32_t cap = st->o.top * 16 < 4096 ? 4096 : st->o.top * 16;
	int rc = mb_topk_new(&st->topk, cap, err);
	if (rc != MB_OK)
		return rc;
	for (uint32_t j = 0; j <= st->key_mask; j++)
		if (st->keys[j].id)
			mb_topk_add(st->topk, st->keys[j].id, st->keys[j].count);
	st->keys_overflow = true;
	return MB_OK;
}

/* Object size as a cache would hold it: key plus the last value size known for the key. */
static inline uint32_t object_size(const struct mb_event *ev, uint32_t old)
{
	uint64_t v;
	if (mb_cmd_is_store(ev->cmd))
		v = (uint64_t)ev->key_len + ev->value_len;
	else if (ev->status == MB_ST_HIT && ev->resp_len)
		v = (uint64_t)ev->key_len + ev->resp_len;
	else
		return old ? old : (ev->key_len ? ev->key_len : 1);
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static int key_event(struct mb_stat *st, const struct mb_event *ev, uint64_t id, uint64_t mixed, uint64_t base, uint32_t w,
		     struct mb_hot_stats *ns, struct mb_err *err)
{
	mb_hll_add(&st->hll, mixed);
	st->keyed++;
	if (st->topk)
		mb_topk_add(st->topk, id, 1);
	uint32_t i = (uint32_t)mixed & st->key_mask;
	while (st->keys[i].id && st->keys[i].id != id)
		i = (i + 1) & st->key_mask;
	struct mb_stat_window *win = &st->win[w];
	uint32_t lastwin = base >= UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)base + 1;
	uint32_t size;
	if (st->keys[i].id) {
		struct mb_stat_key *k = &st->keys[i];
		k->count++;
		if (!k->lastwin || ((uint64_t)(k->lastwin - 1) >> st->win_shift) != w)
			win->keys++;
		k->lastwin = lastwin;
		size = object_size(ev, k->size);
		st->cum_bytes += (uint64_t)size - k->size;
		k->size = size;
	} else if (!st->keys_overflow) {
		size = object_size(ev, 0);
		st->keys[i] = (struct mb_stat_key){ id, 1, lastwin, size };
		st->nkeys++;
		st->cum_bytes += size;
		win->keys++;
		win->new_keys++;
		if (ns)
			ns->keys++;
		if (st->nkeys >= st->o.max_keys) {
			int rc = keys_overflow(st, err);
			if (rc != MB_OK)
				return rc;
		} else if (st->nkeys * 2 > st->key_mask && keys_grow(st) != MB_OK) {
			return mb_err_set(err, MB_EIO, "out of memory for the key table (%u keys)", st->nkeys);
		}
	} else {
		st->untracked_refs++;
		size = object_size(ev, 0);
	}
	win->cum_keys = st->nkeys;
	win->cum_bytes = st->cum_bytes;
	if (st->shards)
		mb_shards_access(st->shards, mixed, size);
	return MB_OK;
}

/* ---- latency over time ---- */

/* Bucket of a latency: values below 16 exactly, then 16 sub-buckets per power of two. */
static inline unsigned lat_bucket(uint64_t v)
{
	if (v < MB_STAT_LAT_SUB)
		return (unsigned)v;
	unsigned e = 63u - (unsigned)__builtin_clzll(v);
	unsigned b = (e - 3) * MB_STAT_LAT_SUB + (unsigned)((v >> (e - 4)) & (MB_STAT_LAT_SUB - 1));
	return b < MB_STAT_LAT_BUCKETS ? b : MB_STAT_LAT_BUCKETS - 1;
}

/* The largest value of bucket b. */
static uint64_t lat_bucket_hi(unsigned b)
{
	if (b < MB_STAT_LAT_SUB)
		return b;
	unsigned e = b / MB_STAT_LAT_SUB + 3, sub = b % MB_STAT_LAT_SUB;
	return ((UINT64_C(1) << e) | ((uint64_t)sub << (e - 4))) + (UINT64_C(1) << (e - 4)) - 1;
}

uint64_t mb_stat_lat_pct(const uint64_t *slot, double pct)
{
	uint64_t n = 0, seen = 0;
	for (unsigned b = 0; b < MB_STAT_LAT_BUCKETS; b++)
		n += slot[b];
	if (!n)
		return 0;
	double r = ceil(pct / 100.0 * (double)n - 1e-9);
	uint64_t rank = r < 1 ? 1 : (uint64_t)r;
	for (unsigned b = 0; b < MB_STAT_LAT_BUCKETS; b++) {
		seen += slot[b];
		if (seen >= rank)
			return lat_bucket_hi(b);
	}
	return lat_bucket_hi(MB_STAT_LAT_BUCKETS - 1);
}

/* Count a latency in the slot of base window `base`; past MB_STAT_LAT_SLOTS neighbours merge. */
static int lat_record(struct mb_stat *st, uint64_t base, uint64_t ns)
{
	uint64_t i = base >> st->lat_shift;
	while (i >= MB_STAT_LAT_SLOTS) {
		for (uint32_t j = 0; j < st->nlat; j++) {
			if (j % 2 == 0)
				memcpy(st->lat_slot[j / 2], st->lat_slot[j], sizeof st->lat_slot[0]);
			else
				for (unsigned b = 0; b < MB_STAT_LAT_BUCKETS; b++)
					st->lat_slot[j / 2][b] += st->lat_slot[j][b];
		}
		st->nlat = (st->nlat + 1) / 2;
		if (st->lat_cap > st->nlat) /* none yet when the first latency falls this far */
			memset(st->lat_slot + st->nlat, 0, sizeof st->lat_slot[0] * (st->lat_cap - st->nlat));
		st->lat_shift++;
		i = base >> st->lat_shift;
	}
	if (i >= st->lat_cap) {
		uint32_t cap = st->lat_cap ? st->lat_cap : 8;
		while (cap <= i)
			cap *= 2;
		void *p = realloc(st->lat_slot, sizeof st->lat_slot[0] * cap);
		if (!p)
			return MB_EIO;
		st->lat_slot = p;
		memset(st->lat_slot + st->lat_cap, 0, sizeof st->lat_slot[0] * (cap - st->lat_cap));
		st->lat_cap = cap;
	}
	st->lat_slot[i][lat_bucket(ns)]++;
	if (i >= st->nlat)
		st->nlat = (uint32_t)i + 1;
	return MB_OK;
}

/* Estimated wire bytes: request and response lines per protocol (doc/mb-stat.md, "Bytes"). */
static void wire_bytes(struct mb_stat *st, const struct mb_event *ev, bool answered)
{
	uint64_t req, resp = 0;
	bool store = mb_cmd_is_store(ev->cmd);
	switch (ev->proto) {
	case MB_PROTO_BINARY:
		req = 24 + ev->key_len + ev->value_len + (store ? 8 : 0);
		if (answered)
			resp = 24 + ev->resp_len + (ev->resp_len ? 4 : 0);
		break;
	case MB_PROTO_META:
		req = 3 + ev->key_len + 4 + (store ? ev->value_len + 2 + 8 : 0);
		if (answered)
			resp = 4 + (ev->resp_len ? ev->resp_len + 2 + 8 : 0);
		break;
	default:
		req = mb_cmd_name_len[ev->cmd < MB_CMD_COUNT ? ev->cmd : 0] + 1 + ev->key_len + 2 + (store ? ev->value_len + 2 + 12 : 0);
		if (answered)
			resp = mb_cmd_is_read(ev->cmd) ? 5 + (ev->status == MB_ST_HIT ? 6 + ev->key_len + 14 + ev->resp_len + 2 : 0)
							: 8 + (ev->resp_len ? ev->resp_len + 2 : 0);
		break;
	}
	st->req_bytes_est += req;
	st->resp_bytes_est += resp;
}

int mb_stat_event(struct mb_stat *st, const struct mb_event *ev, struct mb_err *err)
{
	unsigned cmd = ev->cmd < MB_CMD_COUNT ? ev->cmd : MB_CMD_UNKNOWN;
	unsigned proto = ev->proto < MB_PROTO_COUNT ? ev->proto : MB_PROTO_UNKNOWN;
	unsigned status = ev->status < MB_ST_COUNT ? ev->status : MB_ST_NONE;
	uint64_t ts = ev->ts_ns;
	uint64_t id = 0, mixed = 0;
	if (mb_cmd_has_key(cmd)) {
		/* Start loading the key's table slot now; the other counters hide the cache miss. */
		id = mb_stat_key_id(st->hashed, ev);
		mixed = mb_fmix64(id);
		__builtin_prefetch(&st->keys[(uint32_t)mixed & st->key_mask]);
	}
	st->events++;
	if (!st->have_ts) {
		st->have_ts = true;
		st->first_ts = st->prev_ts = st->min_ts = st->max_ts = ts;
	} else {
		if (ts >= st->prev_ts) {
			mb_dist_add(&st->iat, ts - st->prev_ts);
		} else {
			mb_dist_add(&st->iat, 0);
			st->out_of_order++;
		}
		st->prev_ts = ts;
		if (ts < st->min_ts)
			st->min_ts = ts;
		if (ts > st->max_ts)
			st->max_ts = ts;
	}
	uint64_t rel = ts > st->first_ts ? ts - st->first_ts : 0;
	uint32_t w;
	if (win_slot(st, rel / st->o.window_ns, &w) != MB_OK || sec_count(st, rel / MB_NS_PER_SEC) != MB_OK)
		return mb_err_set(err, MB_EIO, "out of memory for the time series");
	struct mb_stat_window *win = &st->win[w];
	win->ops++;
	st->cmd[cmd]++;
	st->proto[proto]++;
	st->transport[ev->transport < MB_TRANSPORT_COUNT ? ev->transport : 0]++;
	st->cmd_proto[cmd][proto]++;
	st->cmd_status[cmd][status]++;
	st->status[status]++;
	for (uint16_t f = ev->flags; f; f &= (uint16_t)(f - 1))
		st->flag[__builtin_ctz(f)]++;
	bool answered = status != MB_ST_NONE && status != MB_ST_UNANSWERED;
	st->answered += answered;
	bool read = mb_cmd_is_read(cmd), store = mb_cmd_is_store(cmd);
	if (read) {
		win->reads++;
		win->hits += status == MB_ST_HIT;
		win->misses += status == MB_ST_MISS;
	}
	conn_event(st, ev->conn_id, ts);
	wire_bytes(st, ev, answered);
	if (answered) {
		if (!st->lat[cmd]) {
			struct mb_dist *d = malloc(sizeof *d);
			if (!d || mb_dist_init(d, TIME_MAX_V) != MB_OK) {
				free(d);
				return mb_err_set(err, MB_EIO, "out of memory for latencies");
			}
			st->lat[cmd] = d;
		}
		mb_dist_add(st->lat[cmd], ev->latency_ns);
		if (lat_record(st, rel / st->o.window_ns, ev->latency_ns) != MB_OK)
			return mb_err_set(err, MB_EIO, "out of memory for latencies over time");
	}
	if (!id)
		return MB_OK;
	struct mb_hot_stats *nss = NULL;
	if (st->ns.on) {
		const uint8_t *seg;
		size_t len;
		uint64_t nsid = mb_ns_of(&st->ns, ev, &seg, &len);
		nss = mb_hot_ref(&st->nsh, nsid, seg, len);
		mb_hot_account(nss, ev);
	}
	if (st->names.tk)
		mb_hot_account(mb_hot_ref(&st->names, id, ev->key, ev->key_len), ev);
	unsigned cls = read ? MB_SC_GET : store ? MB_SC_SET : MB_SC_OTHER;
	st->key_bytes += ev->key_len;
	mb_dist_add(&st->key_size[cls], ev->key_len);
	if (store) {
		st->value_bytes += ev->value_len;
		mb_dist_add(&st->value_size[MB_SC_SET], ev->value_len);
	} else if (status == MB_ST_HIT && ev->resp_len) {
		st->resp_bytes += ev->resp_len;
		mb_dist_add(&st->value_size[read ? MB_SC_GET : MB_SC_OTHER], ev->resp_len);
	}
	if (store || cmd == MB_CMD_TOUCH || cmd == MB_CMD_GAT || cmd == MB_CMD_GATS) {
		int64_t ttl = ev->ttl;
		if (ttl > MB_MC_TTL_RELATIVE_MAX)
			ttl -= (int64_t)(ts / MB_NS_PER_SEC);
		if (ttl < 0)
			st->ttl_negative++;
		else
			mb_dist_add(&st->ttl, (uint64_t)ttl);
	}
	return key_event(st, ev, id, mixed, rel / st->o.window_ns, w, nss, err);
}

int mb_stat_read(struct mb_reader *r, struct mb_stat *st, bool (*keep)(void *ctx, const struct mb_event *ev), void *ctx,
		 struct mb_err *err)
{
	struct mb_frame f;
	struct mb_event ev;
	int rc;
	while ((rc = mb_reader_next(r, &f, err)) == MB_OK) {
		if (f.type == MB_FRAME_EVENT) {
			rc = mb_event_decode(f.payload, f.len, r->info.kind, &ev, err);
			if (rc == MB_OK && (!keep || keep(ctx, &ev)))
				rc = mb_stat_event(st, &ev, err);
		} else if (f.type == MB_FRAME_SUMMARY) {
			struct mb_summary s;
			rc = mb_summary_decode(f.payload, f.len, &s, err);
			if (rc == MB_OK)
				mb_stat_summary(st, &s);
		} else {
			st->other_frames++;
		}
		if (rc == MB_ERR)
			return mb_err_at(err, r->name, f.offset);
		if (rc != MB_OK)
			return rc;
	}
	return rc == MB_END ? MB_OK : rc;
}

void mb_stat_summary(struct mb_stat *st, const struct mb_summary *s)
{
	struct mb_summary *d = NULL;
	for (unsigned i = 0; i < st->nsums && !d; i++)
		if (!strcmp(st->sums[i].program, s->program))
			d = &st->sums[i];
	if (!d && st->nsums == st->sums_cap && st->sums_cap < MB_STAT_MAX_SUMMARIES) {
		struct mb_summary *n = realloc(st->sums, 2 * st->sums_cap * sizeof *n);
		if (n) {
			st->sums = n;
			st->sums_cap *= 2;
		}
	}
	if (!d && st->nsums < st->sums_cap) {
		d = &st->sums[st->nsums++];
		mb_summary_init(d, s->program);
	}
	if (!d) {
		if (!st->sums_dropped++)
			mb_warn("summaries of more than %u programs: '%s' and later ones are not reported",
				st->sums_cap, s->program);
		return;
	}
	for (unsigned i = 0; i < s->n; i++) {
		bool known = false;
		for (unsigned j = 0; j < d->n && !known; j++)
			known = !strcmp(d->c[j].name, s->c[i].name);
		if (known || d->n < MB_SUMMARY_MAX)
			mb_summary_add(d, s->c[i].name, s->c[i].val);
		else if (!st->sums_dropped++)
			mb_warn("summary of '%s': more than %u counters, '%s' and later ones are not reported", s->program,
				MB_SUMMARY_MAX, s->c[i].name);
	}
}

void mb_stat_hits(const struct mb_stat *st, unsigned cmd, uint64_t *hits, uint64_t *misses)
{
	const uint64_t *c = st->cmd_status[cmd];
	*hits = c[MB_ST_HIT] + c[MB_ST_DELETED] + c[MB_ST_TOUCHED];
	*misses = c[MB_ST_MISS] + c[MB_ST_NOT_FOUND];
}

uint64_t mb_stat_errors(const struct mb_stat *st, unsigned cmd)
{
	const uint64_t *c = st->cmd_status[cmd];
	return c[MB_ST_ERROR] + c[MB_ST_CLIENT_ERROR] + c[MB_ST_SERVER_ERROR];
}

/* ---- finishing ---- */

static int by_count_desc(const void *a, const void *b)
{
	const struct mb_stat_top *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int popularity(struct mb_stat *st)
{
	struct mb_stat_result *r = &st->r;
	size_t n = st->nkeys;
	struct mb_stat_top *all = malloc(sizeof *all * (n ? n : 1));
	r->rank_counts = malloc(sizeof *r->rank_counts * (n ? n : 1));
	r->top = malloc(sizeof *r->top * (st->o.top ? st->o.top : 1));
	if (!all || !r->rank_counts || !r->top) {
		free(all);
		return MB_EIO;
	}
	size_t m = 0;
	for (uint32_t j = 0; j <= st->key_mask; j++) {
		if (!st->keys[j].id)
			continue;
		all[m++] = (struct mb_stat_top){ st->keys[j].id, st->keys[j].count, 0 };
		r->one_hit += st->keys[j].count == 1;
	}
	qsort(all, m, sizeof *all, by_count_desc);
	for (size_t i = 0; i < m; i++)
		r->rank_counts[i] = all[i].count;
	r->nranks = m;
	if (st->topk) {
		struct mb_topk_item *it = malloc(sizeof *it * (st->o.top ? st->o.top : 1));
		if (!it) {
			free(all);
			return MB_EIO;
		}
		r->ntop = mb_topk_list(st->topk, it, st->o.top);
		for (size_t i = 0; i < r->ntop; i++)
			r->top[i] = (struct mb_stat_top){ it[i].key, it[i].count, it[i].error };
		free(it);
	} else {
		r->ntop = m < st->o.top ? m : st->o.top;
		memcpy(r->top, all, sizeof *all * r->ntop);
	}
	free(all);
	r->zipf_ok = mb_zipf_fit(r->rank_counts, r->nranks, &r->zipf) == 0;
	uint64_t k1 = (uint64_t)ceil(r->distinct_keys * 0.01);
	if (k1 > m)
		k1 = m;
	uint64_t sum = 0;
	for (uint64_t i = 0; i < k1; i++)
		sum += r->rank_counts[i];
	r->top1pct_keys = k1;
	r->top1pct_share = st->keyed ? (double)sum / (double)st->keyed : 0;
	return MB_OK;
}

int mb_stat_finish(struct mb_stat *st, struct mb_err *err)
{
	struct mb_stat_result *r = &st->r;
	/* The "all" distributions are the sums of the per-class and per-command ones. */
	for (unsigned c = MB_SC_ALL + 1; c < MB_SC_COUNT; c++) {
		mb_dist_merge(&st->key_size[MB_SC_ALL], &st->key_size[c]);
		mb_dist_merge(&st->value_size[MB_SC_ALL], &st->value_size[c]);
	}
	for (unsigned c = 0; c < MB_CMD_COUNT; c++)
		if (st->lat[c])
			mb_dist_merge(&st->lat_all, st->lat[c]);
	r->duration_s = st->have_ts ? (double)(st->max_ts - st->min_ts) / 1e9 : 0;
	r->nsec = (uint64_t)st->nsec << st->sec_shift;
	uint64_t peak = 0;
	for (uint32_t i = 0; i < st->nsec; i++)
		if (st->sec[i] > peak)
			peak = st->sec[i];
	r->mean_ops = r->nsec ? (double)st->events / (double)r->nsec : 0;
	r->peak_ops = (double)peak / (double)(1u << st->sec_shift);
	r->burstiness = r->mean_ops > 0 ? r->peak_ops / r->mean_ops : 0;
	r->keys_exact = !st->keys_overflow;
	r->distinct_keys = r->keys_exact ? (double)st->nkeys : mb_hll_estimate(&st->hll);
	if (r->distinct_keys < st->nkeys)
		r->distinct_keys = st->nkeys;
	if (popularity(st) != MB_OK)
		return mb_err_set(err, MB_EIO, "out of memory for the key popularity");
	if (st->shards) {
		r->mrc_obj = malloc(sizeof *r->mrc_obj * MB_MRC_MAX_POINTS);
		r->mrc_bytes = malloc(sizeof *r->mrc_bytes * MB_MRC_MAX_POINTS);
		if (!r->mrc_obj || !r->mrc_bytes)
			return mb_err_set(err, MB_EIO, "out of memory for the miss-ratio curve");
		r->nmrc_obj = mb_shards_curve(st->shards, false, r->mrc_obj);
		r->nmrc_bytes = mb_shards_curve(st->shards, true, r->mrc_bytes);
		r->mrc_rate = mb_shards_rate(st->shards);
		r->mrc_refs = mb_shards_sampled_refs(st->shards);
	}
	return MB_OK;
}
