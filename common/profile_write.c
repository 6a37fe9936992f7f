/* profile_write.c - the profile writer: buffers events, ranks keys, encodes columns, compresses and checksums blocks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "bitio.h"
#include "bytes.h"
#include "connmap.h"
#include "crc32c.h"
#include "fdio.h"
#include "profile.h"
#include "profile_dict.h"
#include "profile_format.h"
#include "siphash.h"
#include "varint.h"


/* One pending event, as the writer buffers it until the block is encoded. */
struct pend {
	uint64_t ts, lat, vlen, rlen;          /* vlen, rlen: sizes, turned into size codes at flush */
	uint64_t h;                            /* the key hash (raw keys: SipHash of the bytes) */
	uint32_t conn, batch, key;             /* key: dictionary id, set at flush */
	uint32_t koff;                         /* raw keys: the key bytes in the block's key buffer */
	uint32_t off;                          /* fresh raw entries: key bytes in the arena */
	int32_t ttl;
	uint16_t shape, klen;
	bool fresh;                            /* first use of the entry */
	struct mb_sem sem;                     /* request semantics, written to the sem column */
};

/*
 * The writer's dictionary: one open-addressing table whose slots hold the
 * entries themselves, so a lookup costs one cache miss on a large dictionary.
 */
struct wslot {
	uint64_t h;     /* key hash, or SipHash of the raw bytes */
	uint32_t id1;   /* entry id + 1; 0 = empty slot */
	uint32_t size;  /* last non-zero value_len/resp_len */
	uint32_t off;   /* raw keys: offset in the arena */
	uint16_t klen;
};

struct mb_profile_writer {
	int fd;
	bool raw;
	int level;
	uint64_t written;
	ZSTD_CCtx *cctx;
	struct wslot *ws;             /* dictionary slots, nws a power of two, load <= 1/2 */
	uint32_t nws, nkeys;
	struct mb_rank rank;             /* the entries by reference count */
	uint8_t *arena;               /* raw keys */
	size_t alen, acap;
	struct pend *ev;
	uint32_t nev, block_events;   /* pending events, and how many make a block */
	uint32_t dict_max;            /* reset the dictionary before it could pass this */
	size_t est;                   /* estimate of the block's decoded bytes */
	struct shape shapes[BASE_SHAPES_MAX];
	uint32_t nshapes;
	uint16_t xmap[BASE_SHAPES_MAX * SIZE_CLASSES]; /* shape * 9 + size classes -> block shape index + 1 */
	uint16_t xshape[SHAPES_MAX];  /* block shapes: shape * 9 + size classes, in order of first use */
	bool reset_next;              /* the next events block starts with an empty dictionary */
	uint64_t prev_ts, prev_end;   /* the previous event's ts and ts + latency */
	uint32_t prev_batch;          /* the last non-zero batch_id */
	int32_t last_ttl[256];        /* by command: the last event's ttl */
	struct mb_conn_last clast[CONN_SLOTS]; /* each connection's last dictionary entry */
	struct mb_buf col[NCOLS], raw_block, out;
	struct mb_buf keys;              /* raw keys of the pending events */
	/* the end block's counters */
	uint64_t events, blocks, first_ts, last_ts, dict_entries, cmd_count[256];
	struct mb_connmap conns;      /* distinct connection ids */
};

/* write(2) all of p; MB_EPIPE or MB_EIO on failure. */
static int write_all(struct mb_profile_writer *pw, const uint8_t *p, size_t n, struct mb_err *err)
{
	int rc = mb_write_all_at(pw->fd, p, n, pw->fd == 1 ? "stdout" : "output", pw->written, err);
	if (rc == MB_OK)
		pw->written += n;
	return rc;
}

/*
 * Compress data into one block of `type` and write it. The zstd frame ends a zstd block
 * at each of the ncut offsets cut[] (ascending), so every column gets zstd blocks, and
 * Huffman tables, of its own: columns of different statistics never share one.
 */
static int put_block(struct mb_profile_writer *pw, unsigned type, unsigned flags, const uint8_t *data, size_t len,
		     const size_t *cut, unsigned ncut, uint32_t records, struct mb_err *err)
{
	size_t bound = ZSTD_compressBound(len) + 8 * (size_t)ncut + 64;
	int rc = buf_room(&pw->out, MB_PROFILE_BLOCK_HDR + bound, err);
	if (rc != MB_OK)
		return rc;
	uint8_t *h = pw->out.u;
	ZSTD_CCtx_reset(pw->cctx, ZSTD_reset_session_only);
	ZSTD_CCtx_setPledgedSrcSize(pw->cctx, len);
	ZSTD_outBuffer out = { h + MB_PROFILE_BLOCK_HDR, bound, 0 };
	ZSTD_inBuffer in = { data, 0, 0 };
	for (unsigned k = 0; k <= ncut; k++) {
		in.size = k < ncut ? cut[k] : len;
		ZSTD_EndDirective how = k < ncut ? ZSTD_e_flush : ZSTD_e_end;
		size_t left;
		do
			left = ZSTD_compressStream2(pw->cctx, &out, &in, how);
		while (!ZSTD_isError(left) && left && out.pos < out.size);
		if (ZSTD_isError(left) || left)
			return mb_err_set(err, MB_EIO, "zstd compression failed: %s",
					  ZSTD_isError(left) ? ZSTD_getErrorName(left) : "output bound exceeded");
	}
	size_t z = out.pos;
	memcpy(h, "MBBK", 4);
	h[4] = (uint8_t)type;
	h[5] = (uint8_t)flags;
	mb_st_le16(h + 6, 0);
	mb_st_le32(h + 8, (uint32_t)z);
	mb_st_le32(h + 12, (uint32_t)len);
	mb_st_le32(h + 16, records);
	mb_st_le32(h + 20, mb_crc32c(0, h + MB_PROFILE_BLOCK_HDR, z));
	mb_st_le32(h + 24, mb_crc32c(0, h, 24));
	pw->blocks++;
	return write_all(pw, h, MB_PROFILE_BLOCK_HDR + z, err);
}

/* Largest e <= UNIT_EXP_MAX with 10^e dividing v (v = 0 divides everything). */
static unsigned pow10_of(uint64_t v, unsigned cap)
{
	unsigned e = 0;
	while (e < cap && v % 10 == 0 && v) {
		v /= 10;
		e++;
	}
	return v ? e : cap;
}

static inline uint32_t slot_of(uint64_t h, uint16_t klen, uint32_t mask)
{
	return (uint32_t)(((h ^ klen) * 0x9e3779b97f4a7c15ULL) >> 32) & mask;
}

/* Double the dictionary table. */
static int ws_grow(struct mb_profile_writer *pw, struct mb_err *err)
{
	uint32_t ns = pw->nws * 2;
	struct wslot *t = calloc(ns, sizeof *t);
	if (!t)
		return mb_err_set(err, MB_EIO, "out of memory for the key dictionary (%u entries)", pw->nkeys);
	for (uint32_t k = 0; k < pw->nws; k++) {
		if (!pw->ws[k].id1)
			continue;
		uint32_t j = slot_of(pw->ws[k].h, pw->ws[k].klen, ns - 1);
		while (t[j].id1)
			j = (j + 1) & (ns - 1);
		t[j] = pw->ws[k];
	}
	free(pw->ws);
	pw->ws = t;
	pw->nws = ns;
	return MB_OK;
}

/* The dictionary slot of the event's key, adding an entry (*fresh) when new. */
static int dict_lookup(struct mb_profile_writer *pw, uint64_t h, const uint8_t *key, uint16_t klen, struct wslot **out,
		       bool *fresh, struct mb_err *err)
{
	int rc;
	if ((pw->nkeys + 1) * 2 > pw->nws && (rc = ws_grow(pw, err)) != MB_OK)
		return rc;
	uint32_t mask = pw->nws - 1, i = slot_of(h, klen, mask);
	for (;; i = (i + 1) & mask) {
		struct wslot *w = &pw->ws[i];
		if (!w->id1)
			break;
		if (w->h == h && w->klen == klen && (!pw->raw || !memcmp(pw->arena + w->off, key, klen))) {
			*out = w;
			*fresh = false;
			return MB_OK;
		}
	}
	struct wslot *w = &pw->ws[i];
	if (pw->raw) {
		if ((rc = mb_arena_room(&pw->arena, &pw->acap, pw->alen, klen, err)) != MB_OK)
			return rc;
		memcpy(pw->arena + pw->alen, key, klen);
	}
	*w = (struct wslot){ .h = h, .id1 = ++pw->nkeys, .size = 0, .off = (uint32_t)pw->alen, .klen = klen };
	if (pw->raw)
		pw->alen += klen;
	pw->dict_entries++;
	*out = w;
	*fresh = true;
	return MB_OK;
}

/* Size code of v for an entry whose last non-zero size is *last (updated). */
static inline uint64_t size_code(uint32_t v, uint32_t *last)
{
	if (v == 0)
		return 0;
	if (v == *last)
		return 1;
	*last = v;
	return (uint64_t)v + 2;
}


/*
 * Look the pending events' keys up in the dictionary, in event order, prefetching the
 * slot of the event PREFETCH_AHEAD ahead: a large dictionary costs one cache miss per
 * lookup, which the prefetches overlap. Sizes become size codes here. Then turn the
 * entry ids into ranks (p->key), prefetching the same way.
 */
static int resolve_keys(struct mb_profile_writer *pw, struct mb_err *err)
{
	for (uint32_t i = 0; i < pw->nev; i++) {
		struct pend *p = &pw->ev[i];
		if (i + PREFETCH_AHEAD < pw->nev) {
			const struct pend *q = &pw->ev[i + PREFETCH_AHEAD];
			__builtin_prefetch(&pw->ws[slot_of(q->h, q->klen, pw->nws - 1)]);
		}
		struct wslot *e;
		int rc = dict_lookup(pw, p->h, pw->raw ? pw->keys.u + p->koff : NULL, p->klen, &e, &p->fresh, err);
		if (rc != MB_OK)
			return rc;
		p->key = e->id1 - 1;
		p->off = e->off;
		p->vlen = size_code((uint32_t)p->vlen, &e->size);
		p->rlen = size_code((uint32_t)p->rlen, &e->size);
	}
	pw->keys.len = 0;
	/* entry ids -> key symbols (new, the connection's last entry, the one after it, a rank), in event order */
	for (uint32_t i = 0; i < pw->nev; i++) {
		struct pend *p = &pw->ev[i];
		if (i + PREFETCH_AHEAD < pw->nev && !pw->ev[i + PREFETCH_AHEAD].fresh)
			__builtin_prefetch(&pw->rank.of[pw->ev[i + PREFETCH_AHEAD].key]);
		struct mb_conn_last *cl = &pw->clast[p->conn % CONN_SLOTS];
		bool known = cl->conn1 == (uint64_t)p->conn + 1;
		uint32_t id = p->key;
		int rc;
		if (p->fresh) {
			if ((rc = mb_rank_add(&pw->rank, err)) != MB_OK)
				return rc;
			p->key = 0;
		} else {
			uint32_t r = mb_rank_use(&pw->rank, id);
			p->key = known && id == cl->id ? KEY_SAME : known && id == cl->id + 1 ? KEY_NEXT : r + KEY_RANK0;
		}
		cl->conn1 = (uint64_t)p->conn + 1;
		cl->id = id;
	}
	return MB_OK;
}

/* Bits of v's magnitude, plus a byte's worth for the escape of a negative one: what a time delta roughly costs. */
static inline unsigned delta_cost(int64_t d)
{
	uint64_t m = d < 0 ? (uint64_t)-(d + 1) : (uint64_t)d;
	return (m ? 64 - (unsigned)__builtin_clzll(m) : 0) + (d < 0 ? 8 : 0);
}

/* Encode the pending events into columns, compress, write. */
static int flush_events(struct mb_profile_writer *pw, struct mb_err *err)
{
	if (!pw->nev)
		return MB_OK;
	uint32_t n = pw->nev;
	int rc = resolve_keys(pw, err);
	if (rc != MB_OK)
		return rc;
	/* Block shapes: the event's shape with its size classes, numbered in order of first use. */
	uint32_t nx = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct pend *e = &pw->ev[i];
		unsigned x = e->shape * SIZE_CLASSES + (e->vlen < 2 ? (unsigned)e->vlen : 2) +
			     3 * (e->rlen < 2 ? (unsigned)e->rlen : 2);
		if (!pw->xmap[x]) {
			pw->xshape[nx] = (uint16_t)x;
			pw->xmap[x] = (uint16_t)++nx;
		}
		e->shape = (uint16_t)(pw->xmap[x] - 1);
	}
	for (uint32_t i = 0; i < nx; i++)
		pw->xmap[pw->xshape[i]] = 0;
	for (int c = 0; c < NCOLS; c++) {
		pw->col[c].len = 0;
		size_t need = c == C_SHAPES ? 4 + (size_t)nx * 13 : 1 + (size_t)n * MB_VARINT_MAX;
		if (c == C_NEWKEY)
			need = (size_t)n * 8 + pw->alen;
		if (c == C_SEM)
			need = (size_t)n * MB_SEM_EXT_MAX;
		if ((rc = buf_room(&pw->col[c], need, err)) != MB_OK)
			return rc;
	}
	struct mb_buf *col = pw->col;
	put_uv(&col[C_SHAPES], nx);
	for (uint32_t i = 0; i < nx; i++) {
		const struct shape *s = &pw->shapes[pw->xshape[i] / SIZE_CLASSES];
		unsigned sc = pw->xshape[i] % SIZE_CLASSES;
		uint8_t *q = col[C_SHAPES].u + col[C_SHAPES].len;
		q[0] = s->cmd;
		q[1] = s->status;
		q[2] = s->proto;
		q[3] = s->transport;
		q[4] = (uint8_t)(sc % 3 | (sc / 3) << 2);
		col[C_SHAPES].len += 5;
		put_uv(&col[C_SHAPES], s->flags);
		put_uv(&col[C_SHAPES], s->fflags);
	}
	unsigned k = shapes_per_byte(nx);
	for (uint32_t i = 0; i < n; i += k ? k : 1) {
		if (!k) {
			put_uv(&col[C_SHAPE], pw->ev[i].shape);
			continue;
		}
		unsigned b = 0, m = 1;
		for (uint32_t j = i; j < i + k; j++, m *= nx)
			b += (j < n ? pw->ev[j].shape : 0) * m;
		col[C_SHAPE].u[col[C_SHAPE].len++] = (uint8_t)b;
	}
	/*
	 * Times: deltas of the request times, or of the end times (ts + latency) when those
	 * cost less: mb-parse writes events as their responses complete, so its end times
	 * rise while its request times go back and forth. Units: the largest power of ten
	 * dividing every delta (resp. latency) of the block, the source's resolution.
	 */
	unsigned ets[2] = { UNIT_EXP_MAX, UNIT_EXP_MAX }, elat = UNIT_EXP_MAX;
	uint64_t pt = pw->prev_ts, pe = pw->prev_end;
	for (uint32_t i = 0; i < n; i++) {
		const struct pend *e = &pw->ev[i];
		uint64_t d[2] = { e->ts - pt, e->ts + e->lat - pe };
		for (unsigned m = 0; m < 2; m++)
			if (ets[m])
				ets[m] = pow10_of((int64_t)d[m] < 0 ? -d[m] : d[m], ets[m]);
		if (elat)
			elat = pow10_of(e->lat, elat);
		pt = e->ts;
		pe = e->ts + e->lat;
	}
	uint64_t cost[2] = { 0, 0 };
	pt = pw->prev_ts;
	pe = pw->prev_end;
	for (uint32_t i = 0; i < n; i++) {
		const struct pend *e = &pw->ev[i];
		cost[0] += delta_cost((int64_t)(e->ts - pt) / (int64_t)pow10[ets[0]]);
		cost[1] += delta_cost((int64_t)(e->ts + e->lat - pe) / (int64_t)pow10[ets[1]]);
		pt = e->ts;
		pe = e->ts + e->lat;
	}
	bool end = cost[1] < cost[0];
	unsigned et = ets[end];
	col[C_TS].u[col[C_TS].len++] = (uint8_t)(et | (end ? TS_END : 0));
	col[C_LAT].u[col[C_LAT].len++] = (uint8_t)elat;
	struct bitw tsb = { &col[C_TS_BITS], 0, 0 }, latb = { &col[C_LAT_BITS], 0, 0 };
	struct bitw keyb = { &col[C_KEY_BITS], 0, 0 }, sizeb = { &col[C_SIZE_BITS], 0, 0 };
	struct bitw connb = { &col[C_CONN_BITS], 0, 0 };
	for (uint32_t i = 0; i < n; i++) {
		const struct pend *e = &pw->ev[i];
		uint64_t to = end ? e->ts + e->lat : e->ts, from = end ? pw->prev_end : pw->prev_ts;
		put_sbucket(&col[C_TS], &tsb, (int64_t)(to - from) / (int64_t)pow10[et]);
		pw->prev_ts = e->ts;
		pw->prev_end = e->ts + e->lat;
		put_bucket(&col[C_LAT], &latb, e->lat / pow10[elat]);
		put_bucket(&col[C_CONN], &connb, e->conn);
		if (e->fresh) {
			col[C_KEY].u[col[C_KEY].len++] = 0;
			if (pw->raw) {
				memcpy(col[C_NEWKEY].u + col[C_NEWKEY].len, pw->arena + e->off, e->klen);
				col[C_NEWKEY].len += e->klen;
			} else {
				mb_st_le64(col[C_NEWKEY].u + col[C_NEWKEY].len, e->h);
				col[C_NEWKEY].len += 8;
			}
			put_uv(&col[C_NEWLEN], e->klen);
		} else {
			put_bucket(&col[C_KEY], &keyb, e->key); /* its symbol */
		}
		if (e->vlen >= 2)
			put_bucket(&col[C_SIZE], &sizeb, e->vlen - 2);
		if (e->rlen >= 2)
			put_bucket(&col[C_SIZE], &sizeb, e->rlen - 2);
		uint8_t cmd = pw->shapes[pw->xshape[e->shape] / SIZE_CLASSES].cmd;
		put_uv(&col[C_TTL], mb_zigzag((int64_t)e->ttl - pw->last_ttl[cmd]));
		pw->last_ttl[cmd] = e->ttl;
		if (e->batch) {
			put_uv(&col[C_BATCH], 1 + mb_zigzag((int64_t)(int32_t)(e->batch - pw->prev_batch)));
			pw->prev_batch = e->batch;
		} else {
			put_uv(&col[C_BATCH], 0);
		}
		size_t sl = mb_sem_body_encode(col[C_SEM].u + col[C_SEM].len + 1, &e->sem);
		col[C_SEM].u[col[C_SEM].len] = (uint8_t)sl; /* < 128: a one-byte varint */
		col[C_SEM].len += 1 + sl;
	}
	bw_end(&tsb);
	bw_end(&latb);
	bw_end(&keyb);
	bw_end(&sizeb);
	bw_end(&connb);
	/* The decoded block: column count, column lengths, columns. */
	size_t total = 1 + NCOLS * MB_VARINT_MAX;
	for (int c = 0; c < NCOLS; c++)
		total += col[c].len;
	pw->raw_block.len = 0;
	if ((rc = buf_room(&pw->raw_block, total, err)) != MB_OK)
		return rc;
	put_uv(&pw->raw_block, NCOLS);
	for (int c = 0; c < NCOLS; c++)
		put_uv(&pw->raw_block, col[c].len);
	size_t cut[NCOLS];
	unsigned ncut = 0;
	for (int c = 0; c < NCOLS; c++) {
		if (c > 0)
			cut[ncut++] = pw->raw_block.len;
		memcpy(pw->raw_block.u + pw->raw_block.len, col[c].u, col[c].len);
		pw->raw_block.len += col[c].len;
	}
	unsigned flags = pw->reset_next ? MB_PB_F_DICT_RESET : 0;
	pw->reset_next = false;
	pw->nev = 0;
	pw->nshapes = 0;
	pw->est = 0;
	return put_block(pw, MB_PB_EVENTS, flags, pw->raw_block.u, pw->raw_block.len, cut, ncut, n, err);
}

int mb_profile_writer_open(struct mb_profile_writer **pwp, int fd, const struct mb_stream_info *info, bool raw_keys,
			   int level, struct mb_err *err)
{
	*pwp = NULL;
	if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel())
		return mb_err_set(err, MB_ERR, "zstd level %d out of range %d..%d", level, ZSTD_minCLevel(), ZSTD_maxCLevel());
	struct mb_profile_writer *pw = calloc(1, sizeof *pw);
	if (!pw)
		return mb_err_set(err, MB_EIO, "out of memory for the profile writer");
	pw->fd = fd;
	pw->raw = raw_keys;
	pw->level = level;
	pw->block_events = MB_PROFILE_BLOCK_EVENTS;
	pw->dict_max = MB_PROFILE_DICT_MAX;
	pw->cctx = ZSTD_createCCtx();
	if (pw->cctx)
		ZSTD_CCtx_setParameter(pw->cctx, ZSTD_c_compressionLevel, level);
	pw->ev = malloc(MB_PROFILE_BLOCK_EVENTS * sizeof *pw->ev);
	pw->nws = 1u << 16;
	pw->ws = calloc(pw->nws, sizeof *pw->ws);
	pw->first_ts = UINT64_MAX;
	if (!pw->cctx || !pw->ev || !pw->ws) {
		mb_profile_writer_free(pw);
		return mb_err_set(err, MB_EIO, "out of memory for the profile writer");
	}
	*pwp = pw;
	size_t meta_len = mb_meta_encode(info, NULL);
	if (meta_len > MB_META_MAX_BYTES)
		return mb_err_set(err, MB_ERR, "header metadata too large (%zu bytes)", meta_len);
	uint8_t *h = malloc(MB_PROFILE_HDR_FIXED + meta_len + 4);
	if (!h)
		return mb_err_set(err, MB_EIO, "out of memory for the profile header");
	memcpy(h, MB_PROFILE_MAGIC, 8);
	mb_st_le16(h + 8, MB_PROFILE_VERSION);
	mb_st_le16(h + 10, raw_keys ? MB_KIND_EVENTS_RAW : MB_KIND_EVENTS_HASHED);
	mb_st_le32(h + 12, raw_keys ? MB_PROFILE_F_RAW_KEYS : 0);
	mb_st_le32(h + 16, (uint32_t)meta_len);
	mb_meta_encode(info, h + MB_PROFILE_HDR_FIXED);
	mb_st_le32(h + MB_PROFILE_HDR_FIXED + meta_len, mb_crc32c(0, h, MB_PROFILE_HDR_FIXED + meta_len));
	int rc = write_all(pw, h, MB_PROFILE_HDR_FIXED + meta_len + 4, err);
	free(h);
	return rc;
}

int mb_profile_write_event(struct mb_profile_writer *pw, const struct mb_event *ev, uint16_t frame_flags,
			   struct mb_err *err)
{
	int rc;
	struct shape s = { ev->cmd, ev->status, ev->proto, ev->transport, ev->flags, frame_flags };
	uint32_t si;
	for (si = 0; si < pw->nshapes; si++)
		if (!memcmp(&pw->shapes[si], &s, sizeof s))
			break;
	if (si == BASE_SHAPES_MAX) {
		if ((rc = flush_events(pw, err)) != MB_OK)
			return rc;
		si = 0;
	}
	if (pw->nev == 0 && ((uint64_t)pw->nkeys + pw->block_events > pw->dict_max ||
			     pw->alen > MB_PROFILE_ARENA_MAX - 2 * MB_PROFILE_BLOCK_TARGET)) {
		/* A block boundary: reset the dictionary when one more block could overflow it. */
		memset(pw->ws, 0, (size_t)pw->nws * sizeof *pw->ws);
		memset(pw->clast, 0, sizeof pw->clast);
		pw->nkeys = 0;
		mb_rank_reset(&pw->rank);
		pw->alen = 0;
		pw->reset_next = true;
	}
	if (si == pw->nshapes) {
		pw->shapes[si] = s;
		pw->nshapes = si + 1;
		pw->est += 13 * SIZE_CLASSES;
	}
	struct pend *p = &pw->ev[pw->nev];
	if (pw->raw) {
		if ((rc = buf_room(&pw->keys, ev->key_len ? ev->key_len : 1, err)) != MB_OK)
			return rc;
		p->koff = (uint32_t)pw->keys.len;
		memcpy(pw->keys.u + pw->keys.len, ev->key, ev->key_len);
		pw->keys.len += ev->key_len;
		p->h = mb_siphash24(0, 0, ev->key, ev->key_len);
	} else {
		p->koff = 0;
		p->h = ev->key_hash;
	}
	p->klen = ev->key_len;
	p->ts = ev->ts_ns;
	p->lat = ev->latency_ns;
	p->conn = ev->conn_id;
	p->batch = ev->batch_id;
	p->vlen = ev->value_len;
	p->rlen = ev->resp_len;
	p->ttl = ev->ttl;
	p->shape = (uint16_t)si;
	p->sem = ev->sem;
	bool fresh;
	if (!mb_connmap_put(&pw->conns, ev->conn_id, &fresh))
		return mb_err_set(err, MB_EIO, "out of memory counting connections (%u)", pw->conns.n);
	pw->nev++;
	pw->est += EVENT_WORST + (pw->raw ? ev->key_len : 8u) + 3 + mb_sem_body_size(&ev->sem); /* as if every key were new */
	pw->events++;
	pw->cmd_count[ev->cmd]++;
	if (ev->ts_ns < pw->first_ts)
		pw->first_ts = ev->ts_ns;
	if (ev->ts_ns > pw->last_ts)
		pw->last_ts = ev->ts_ns;
	if (pw->nev >= pw->block_events || pw->est >= MB_PROFILE_BLOCK_TARGET)
		return flush_events(pw, err);
	return MB_OK;
}

int mb_profile_write_frame(struct mb_profile_writer *pw, uint16_t type, uint16_t flags, const uint8_t *payload,
			   uint32_t len, struct mb_err *err)
{
	if (len > MB_FRAME_MAX)
		return mb_err_set(err, MB_ERR, "frame length %u exceeds maximum %u", len, MB_FRAME_MAX);
	int rc = flush_events(pw, err);
	if (rc != MB_OK)
		return rc;
	pw->raw_block.len = 0;
	if ((rc = buf_room(&pw->raw_block, MB_FRAME_HDR + len, err)) != MB_OK)
		return rc;
	uint8_t *q = pw->raw_block.u;
	mb_st_le16(q, type);
	mb_st_le16(q + 2, flags);
	mb_st_le32(q + 4, len);
	memcpy(q + MB_FRAME_HDR, payload, len);
	return put_block(pw, MB_PB_FRAMES, 0, q, MB_FRAME_HDR + len, NULL, 0, 1, err);
}

void mb_profile_writer_set_block_events(struct mb_profile_writer *pw, uint32_t n)
{
	pw->block_events = n < 1 ? 1 : n > MB_PROFILE_BLOCK_EVENTS ? MB_PROFILE_BLOCK_EVENTS : n;
}

int mb_profile_writer_set_dict_max(struct mb_profile_writer *pw, uint32_t n, struct mb_err *err)
{
	if (n < pw->block_events || n > MB_PROFILE_DICT_MAX)
		return mb_err_set(err, MB_ERR, "dictionary size %u out of range %u..%u (at least the events per block)", n,
				  pw->block_events, MB_PROFILE_DICT_MAX);
	pw->dict_max = n;
	return MB_OK;
}

void mb_profile_writer_free(struct mb_profile_writer *pw)
{
	if (!pw)
		return;
	ZSTD_freeCCtx(pw->cctx);
	free(pw->ws);
	mb_rank_free(&pw->rank);
	free(pw->arena);
	free(pw->ev);
	mb_connmap_free(&pw->conns);
	for (int c = 0; c < NCOLS; c++)
		free(pw->col[c].u);
	free(pw->raw_block.u);
	free(pw->keys.u);
	free(pw->out.u);
	free(pw);
}

int mb_profile_writer_close(struct mb_profile_writer *pw, struct mb_err *err)
{
	int rc = flush_events(pw, err);
	struct mb_summary *s = malloc(sizeof *s);
	uint8_t *q = malloc(MB_SUMMARY_BYTES_MAX);
	if (rc == MB_OK && (!s || !q))
		rc = mb_err_set(err, MB_EIO, "out of memory for the profile summary");
	if (rc == MB_OK) {
		mb_summary_init(s, END_PROGRAM);
		mb_summary_add(s, "events", pw->events);
		mb_summary_add(s, "first_ts_ns", pw->events ? pw->first_ts : 0);
		mb_summary_add(s, "last_ts_ns", pw->last_ts);
		mb_summary_add(s, "connections", pw->conns.n);
		mb_summary_add(s, "distinct_keys", pw->dict_entries);
		for (unsigned c = 0; c < 256; c++) {
			if (!pw->cmd_count[c])
				continue;
			char name[MB_SUMMARY_NAME_MAX + 1];
			const char *cn = mb_cmd_name(c);
			if (strcmp(cn, "?"))
				snprintf(name, sizeof name, "cmd_%s", cn);
			else
				snprintf(name, sizeof name, "cmd_%u", c);
			mb_summary_add(s, name, pw->cmd_count[c]);
		}
		mb_summary_add(s, "blocks", pw->blocks + 1);
		size_t n = mb_summary_encode(s, q);
		rc = put_block(pw, MB_PB_END, 0, q, n, NULL, 0, 1, err);
	}
	free(s);
	free(q);
	mb_profile_writer_free(pw);
	return rc;
}

