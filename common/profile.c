/* profile.c - profile writer and reader: key dictionary, per-column number encodings, zstd blocks, CRC-32C. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "bytes.h"
#include "fdio.h"
#include "profile.h"
#include "siphash.h"
#include "varint.h"

/* Columns of an events block, in storage order (doc/profile.md). */
enum col {
	C_SHAPES,    /* table: count, then per shape cmd, status, proto, transport, size classes, flags, frame flags */
	C_SHAPE,     /* per event: shape index, several to a byte when the table is small */
	C_TS,        /* unit and sign byte, then per event the bucket of (ts - previous ts) / unit */
	C_TS_BITS,   /* per event: the bits of that value below its bucket */
	C_LAT,       /* unit exponent byte, then per event the bucket of latency / unit */
	C_LAT_BITS,  /* per event: the bits below the bucket */
	C_CONN,      /* per event: bucket of conn_id */
	C_CONN_BITS, /* per event: the bits below the bucket */
	C_KEY,       /* per event: bucket of 0 = new dictionary entry, else entry id + 1 */
	C_KEY_BITS,  /* per event: the bits below the bucket */
	C_NEWKEY,    /* per new entry: 8-byte hash (hashed) or key_len raw bytes (raw keys) */
	C_NEWLEN,    /* per new entry: key_len */
	C_SIZE,      /* per size of class "new" (shape): bucket of the size */
	C_SIZE_BITS, /* per such size: the bits below the bucket */
	C_TTL,       /* per event: zigzag(ttl) */
	C_BATCH,     /* per event: zigzag(batch_id - previous batch_id) */
	C_SEM,       /* per event: varint n, then n bytes of the event extension body (0: none); version 3 */
	NCOLS
};
#define NCOLS_V2 C_SEM /* version 2 blocks end with the batch column */
/*
 * Numbers (times, latencies, connections, key ids, sizes) are coded as a bucket byte,
 * which zstd's Huffman stage codes by its frequency, and the bits below the bucket,
 * stored raw: v < 4 is bucket v; else with L the position of v's leading one, the bucket
 * is 4 (L - 1) + the two bits after the leading one, and the L - 2 bits below follow.
 * Size classes (in the shape): 0 = zero, 1 = the entry's last non-zero size, 2 = a new
 * size, which the size columns hold.
 */

#define SHAPES_MAX 4096
#define SIZE_CLASSES 9                       /* (value_len, resp_len) size class pairs */
#define BASE_SHAPES_MAX (SHAPES_MAX / SIZE_CLASSES) /* writer: shapes without size classes per block */
#define EVENT_WORST 53 /* most column bytes one event takes, besides its new key and its sem body */
#define BUCKET_MAX 251
#define TS_SIGNED 0x10 /* ts column's first byte: deltas are zigzag-coded (some are negative) */
#define UNIT_EXP_MAX 9
#define END_PROGRAM "mb-pack"

/* ------------------------------------------------------------------ CRC-32C */

static uint32_t crc_table[8][256];

static void crc_init(void)
{
	if (crc_table[0][1])
		return;
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		crc_table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xff];
}

uint32_t mb_crc32c(uint32_t crc, const void *data, size_t n)
{
	const uint8_t *p = data;
	crc_init();
	crc = ~crc;
	while (n >= 8) { /* slicing by 8 */
		uint32_t lo = mb_ld_le32(p) ^ crc, hi = mb_ld_le32(p + 4);
		crc = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^ crc_table[5][(lo >> 16) & 0xff] ^
		      crc_table[4][lo >> 24] ^ crc_table[3][hi & 0xff] ^ crc_table[2][(hi >> 8) & 0xff] ^
		      crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
		p += 8;
		n -= 8;
	}
	while (n--)
		crc = (crc >> 8) ^ crc_table[0][(crc ^ *p++) & 0xff];
	return ~crc;
}

/* ------------------------------------------------------------- key ranks */

#define RANK_COUNT_MAX 65535 /* references counted per entry; an entry at this count stays in place */

/*
 * The entries ordered by how often they were referenced (count, descending), as writer
 * and reader both keep them: an event names an earlier key by its rank here, and popular
 * keys have small ranks whatever their age. Per reference one swap (doc/profile.md).
 */
struct rank {
	uint32_t *at;                       /* rank -> entry id */
	struct rank_of {
		uint32_t pos, cnt;          /* the entry's rank, its references so far */
	} *of;                              /* by entry id */
	uint32_t n, cap, maxc;              /* entries, allocated, largest count */
	uint32_t first[RANK_COUNT_MAX + 1]; /* first[c]: entries with a count above c */
};

static void rank_reset(struct rank *k)
{
	memset(k->first, 0, ((size_t)k->maxc + 1) * sizeof k->first[0]);
	k->n = k->maxc = 0;
}

static void rank_free(struct rank *k)
{
	free(k->at);
	free(k->of);
}

/* Append entry id k->n (a new key, referenced once). MB_EIO when memory runs out. */
static int rank_add(struct rank *k, struct mb_err *err)
{
	if (k->n == k->cap) {
		uint32_t cap = k->cap ? k->cap * 2 : 4096;
		uint32_t *at = realloc(k->at, (size_t)cap * sizeof *at);
		if (at)
			k->at = at;
		struct rank_of *of = at ? realloc(k->of, (size_t)cap * sizeof *of) : NULL;
		if (!of)
			return mb_err_set(err, MB_EIO, "out of memory for the key dictionary (%u entries)", k->n);
		k->of = of;
		k->cap = cap;
	}
	k->at[k->n] = k->n;
	k->of[k->n] = (struct rank_of){ k->n, 1 };
	k->maxc = k->maxc ? k->maxc : 1;
	k->n++;
	return MB_OK;
}

/* A reference to entry id: returns its rank, then counts it (it moves to the front of its count group). */
static inline uint32_t rank_use(struct rank *k, uint32_t id)
{
	struct rank_of *o = &k->of[id];
	uint32_t p = o->pos, c = o->cnt;
	if (c < RANK_COUNT_MAX) {
		uint32_t f = k->first[c], other = k->at[f];
		k->at[f] = id;
		k->at[p] = other;
		k->of[other].pos = p;
		o->pos = f;
		k->first[c] = f + 1;
		o->cnt = ++c;
		if (c > k->maxc)
			k->maxc = c;
	}
	return p;
}

/* ------------------------------------------------------------- dictionary */

/* One distinct key as the reader keeps it: its identity and the last non-zero size seen with it. */
struct entry {
	uint64_t h;      /* key hash (0 in raw-key profiles) */
	uint32_t off;    /* raw keys: offset of the bytes in the arena */
	uint32_t size;   /* last non-zero value_len/resp_len */
	uint16_t klen;
};

/* The reader's dictionary: entries by id, raw key bytes in an arena, their ranks. */
struct dict {
	struct entry *e;
	uint32_t n, cap;
	uint8_t *arena;  /* raw keys */
	size_t alen, acap;
	struct rank rank;
};

static void dict_reset(struct dict *d)
{
	d->n = 0;
	d->alen = 0;
	rank_reset(&d->rank);
}

static void dict_free(struct dict *d)
{
	free(d->e);
	free(d->arena);
	rank_free(&d->rank);
	memset(d, 0, sizeof *d);
}

/* Room for klen more arena bytes; MB_EIO when memory runs out. */
static int arena_room(uint8_t **arena, size_t *acap, size_t alen, size_t klen, struct mb_err *err)
{
	if (!*arena || *acap - alen < klen) { /* never NULL after: memcpy of 0 bytes needs a pointer */
		size_t cap = *acap ? *acap : 65536;
		while (cap - alen < klen)
			cap *= 2;
		uint8_t *a = realloc(*arena, cap);
		if (!a)
			return mb_err_set(err, MB_EIO, "out of memory for the key dictionary (%zu key bytes)", alen);
		*arena = a;
		*acap = cap;
	}
	return MB_OK;
}

/* Room for one more entry (and klen arena bytes); MB_EIO when memory runs out. */
static int dict_grow(struct dict *d, size_t klen, struct mb_err *err)
{
	if (d->n == d->cap) {
		uint32_t cap = d->cap ? d->cap * 2 : 4096;
		struct entry *e = realloc(d->e, (size_t)cap * sizeof *e);
		if (!e)
			return mb_err_set(err, MB_EIO, "out of memory for the key dictionary (%u entries)", d->n);
		d->e = e;
		d->cap = cap;
	}
	return arena_room(&d->arena, &d->acap, d->alen, klen, err);
}

/* ------------------------------------------------------------ byte buffers */

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static int buf_room(struct buf *b, size_t n, struct mb_err *err)
{
	if (b->cap - b->len >= n)
		return MB_OK;
	size_t cap = b->cap ? b->cap : 65536;
	while (cap - b->len < n)
		cap *= 2;
	uint8_t *p = realloc(b->p, cap);
	if (!p)
		return mb_err_set(err, MB_EIO, "out of memory for a profile block (%zu bytes)", cap);
	b->p = p;
	b->cap = cap;
	return MB_OK;
}

/* Append a varint; the caller made room (MB_VARINT_MAX). */
static inline void put_uv(struct buf *b, uint64_t v) { b->len += mb_put_uvarint(b->p + b->len, v); }

/* Bits appended least significant first to a column; the caller made room (8 bytes per 61 bits). */
struct bitw {
	struct buf *b;
	uint64_t acc;
	unsigned n;     /* bits in acc, < 32 between calls */
};

static inline void bw_put32(struct bitw *w, uint64_t v, unsigned nb)
{
	w->acc |= v << w->n;
	w->n += nb;
	if (w->n >= 32) {
		mb_st_le32(w->b->p + w->b->len, (uint32_t)w->acc);
		w->b->len += 4;
		w->acc >>= 32;
		w->n -= 32;
	}
}

/* Append the nb (<= 62) low bits of v (the higher bits of v are zero). */
static inline void bw_put(struct bitw *w, uint64_t v, unsigned nb)
{
	if (nb > 32) {
		bw_put32(w, v & 0xffffffffu, 32);
		v >>= 32;
		nb -= 32;
	}
	bw_put32(w, v, nb);
}

/* Write the last partial byte(s), zero-padded. */
static void bw_end(struct bitw *w)
{
	for (; w->n > 0; w->n = w->n > 8 ? w->n - 8 : 0) {
		w->b->p[w->b->len++] = (uint8_t)w->acc;
		w->acc >>= 8;
	}
}

/* Append v as its bucket (to col) and the bits below it (to w). */
static inline void put_bucket(struct buf *col, struct bitw *w, uint64_t v)
{
	if (v < 4) {
		col->p[col->len++] = (uint8_t)v;
		return;
	}
	unsigned l = 63 - (unsigned)__builtin_clzll(v), nb = l - 2;
	col->p[col->len++] = (uint8_t)(4 * (l - 1) + ((v >> nb) & 3));
	bw_put(w, v & ((1ULL << nb) - 1), nb);
}

/* Bits read least significant first from a column; bad once a read passes its end. */
struct bitr {
	const uint8_t *p;
	size_t len, pos;
	uint64_t acc;
	unsigned n;     /* bits in acc */
	bool bad;
};

static struct bitr br_make(const struct mb_cur *c)
{
	return (struct bitr){ .p = c->p + c->off, .len = mb_cur_left(c) };
}

/* The next nb (<= 32) bits. */
static inline uint64_t br_get32(struct bitr *r, unsigned nb)
{
	if (r->n < nb) {
		if (r->len - r->pos >= 4) {
			r->acc |= (uint64_t)mb_ld_le32(r->p + r->pos) << r->n;
			r->pos += 4;
			r->n += 32;
		} else {
			while (r->n < nb && r->pos < r->len) {
				r->acc |= (uint64_t)r->p[r->pos++] << r->n;
				r->n += 8;
			}
			if (r->n < nb) {
				r->bad = true;
				return 0;
			}
		}
	}
	uint64_t v = r->acc & ((1ULL << nb) - 1);
	r->acc >>= nb;
	r->n -= nb;
	return v;
}

/* The next nb (<= 62) bits. */
static inline uint64_t br_get(struct bitr *r, unsigned nb)
{
	if (nb > 32) {
		uint64_t lo = br_get32(r, 32);
		return lo | br_get32(r, nb - 32) << 32;
	}
	return br_get32(r, nb);
}

/* Whether the bits were read exactly: every byte, and only zero padding left over. */
static bool br_done(const struct bitr *r)
{
	return !r->bad && r->pos == r->len && r->n < 8 && r->acc == 0;
}

/* Read a value coded by put_bucket (sets bad on the cursor for a bucket out of range). */
static inline uint64_t get_bucket(struct mb_cur *col, struct bitr *r)
{
	unsigned b = mb_get_u8(col);
	if (b < 4)
		return b;
	if (b > BUCKET_MAX) {
		col->bad = true;
		return 0;
	}
	unsigned nb = b / 4 - 1;
	return (uint64_t)(4 | (b & 3)) << nb | br_get(r, nb);
}

/* Shape indexes per byte of the shape column for a table of n shapes (0: one varint each). */
static unsigned shapes_per_byte(uint32_t n)
{
	if (n > 256)
		return 0;
	unsigned k = 1;
	for (uint32_t pw = n; k < 8 && pw * n <= 256; pw *= n)
		k++;
	return k;
}

/* ------------------------------------------------------------------ writer */

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

struct shape {
	uint8_t cmd, status, proto, transport;
	uint16_t flags, fflags;
};

struct mb_profile_writer {
	int fd;
	bool raw;
	int level;
	uint64_t written;
	ZSTD_CCtx *cctx;
	struct wslot *ws;             /* dictionary slots, nws a power of two, load <= 1/2 */
	uint32_t nws, nkeys;
	struct rank rank;             /* the entries by reference count */
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
	uint64_t prev_ts;
	uint32_t prev_batch;
	struct buf col[NCOLS], raw_block, out;
	struct buf keys;              /* raw keys of the pending events */
	/* the end block's counters */
	uint64_t events, blocks, first_ts, last_ts, dict_entries, cmd_count[256];
	uint32_t *conns;              /* distinct connection ids (open addressing, id + 1) */
	uint32_t nconn, conn_cap, nslots_used;
	bool saw_max_conn;
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
	uint8_t *h = pw->out.p;
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

static const uint64_t pow10[UNIT_EXP_MAX + 1] = { 1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
						  1000000000 };

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
		if ((rc = arena_room(&pw->arena, &pw->acap, pw->alen, klen, err)) != MB_OK)
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

#define PREFETCH_AHEAD 8

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
		int rc = dict_lookup(pw, p->h, pw->raw ? pw->keys.p + p->koff : NULL, p->klen, &e, &p->fresh, err);
		if (rc != MB_OK)
			return rc;
		p->key = e->id1 - 1;
		p->off = e->off;
		p->vlen = size_code((uint32_t)p->vlen, &e->size);
		p->rlen = size_code((uint32_t)p->rlen, &e->size);
	}
	pw->keys.len = 0;
	/* entry ids -> ranks, in event order */
	for (uint32_t i = 0; i < pw->nev; i++) {
		struct pend *p = &pw->ev[i];
		if (i + PREFETCH_AHEAD < pw->nev && !pw->ev[i + PREFETCH_AHEAD].fresh)
			__builtin_prefetch(&pw->rank.of[pw->ev[i + PREFETCH_AHEAD].key]);
		int rc;
		if (p->fresh && (rc = rank_add(&pw->rank, err)) != MB_OK)
			return rc;
		p->key = p->fresh ? 0 : rank_use(&pw->rank, p->key);
	}
	return MB_OK;
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
	struct buf *col = pw->col;
	put_uv(&col[C_SHAPES], nx);
	for (uint32_t i = 0; i < nx; i++) {
		const struct shape *s = &pw->shapes[pw->xshape[i] / SIZE_CLASSES];
		unsigned sc = pw->xshape[i] % SIZE_CLASSES;
		uint8_t *q = col[C_SHAPES].p + col[C_SHAPES].len;
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
		col[C_SHAPE].p[col[C_SHAPE].len++] = (uint8_t)b;
	}
	/* Units: the largest power of ten dividing every timestamp delta / every latency. */
	unsigned ets = UNIT_EXP_MAX, elat = UNIT_EXP_MAX;
	bool neg = false;
	uint64_t prev = pw->prev_ts;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t d = pw->ev[i].ts - prev;
		prev = pw->ev[i].ts;
		neg |= (int64_t)d < 0;
		if (ets)
			ets = pow10_of((int64_t)d < 0 ? -d : d, ets);
		if (elat)
			elat = pow10_of(pw->ev[i].lat, elat);
	}
	col[C_TS].p[col[C_TS].len++] = (uint8_t)(ets | (neg ? TS_SIGNED : 0));
	col[C_LAT].p[col[C_LAT].len++] = (uint8_t)elat;
	struct bitw tsb = { &col[C_TS_BITS], 0, 0 }, latb = { &col[C_LAT_BITS], 0, 0 };
	struct bitw keyb = { &col[C_KEY_BITS], 0, 0 }, sizeb = { &col[C_SIZE_BITS], 0, 0 };
	struct bitw connb = { &col[C_CONN_BITS], 0, 0 };
	for (uint32_t i = 0; i < n; i++) {
		const struct pend *e = &pw->ev[i];
		int64_t d = (int64_t)(e->ts - pw->prev_ts) / (int64_t)pow10[ets];
		put_bucket(&col[C_TS], &tsb, neg ? mb_zigzag(d) : (uint64_t)d);
		pw->prev_ts = e->ts;
		put_bucket(&col[C_LAT], &latb, e->lat / pow10[elat]);
		put_bucket(&col[C_CONN], &connb, e->conn);
		if (e->fresh) {
			col[C_KEY].p[col[C_KEY].len++] = 0;
			if (pw->raw) {
				memcpy(col[C_NEWKEY].p + col[C_NEWKEY].len, pw->arena + e->off, e->klen);
				col[C_NEWKEY].len += e->klen;
			} else {
				mb_st_le64(col[C_NEWKEY].p + col[C_NEWKEY].len, e->h);
				col[C_NEWKEY].len += 8;
			}
			put_uv(&col[C_NEWLEN], e->klen);
		} else {
			put_bucket(&col[C_KEY], &keyb, (uint64_t)e->key + 1); /* the key's rank + 1 */
		}
		if (e->vlen >= 2)
			put_bucket(&col[C_SIZE], &sizeb, e->vlen - 2);
		if (e->rlen >= 2)
			put_bucket(&col[C_SIZE], &sizeb, e->rlen - 2);
		put_uv(&col[C_TTL], mb_zigzag(e->ttl));
		put_uv(&col[C_BATCH], mb_zigzag((int64_t)(int32_t)(e->batch - pw->prev_batch)));
		pw->prev_batch = e->batch;
		size_t sl = mb_sem_body_encode(col[C_SEM].p + col[C_SEM].len + 1, &e->sem);
		col[C_SEM].p[col[C_SEM].len] = (uint8_t)sl; /* < 128: a one-byte varint */
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
		memcpy(pw->raw_block.p + pw->raw_block.len, col[c].p, col[c].len);
		pw->raw_block.len += col[c].len;
	}
	unsigned flags = pw->reset_next ? MB_PB_F_DICT_RESET : 0;
	pw->reset_next = false;
	pw->nev = 0;
	pw->nshapes = 0;
	pw->est = 0;
	return put_block(pw, MB_PB_EVENTS, flags, pw->raw_block.p, pw->raw_block.len, cut, ncut, n, err);
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
	pw->conn_cap = 1024;
	pw->conns = calloc(pw->conn_cap, sizeof *pw->conns);
	pw->first_ts = UINT64_MAX;
	if (!pw->cctx || !pw->ev || !pw->ws || !pw->conns) {
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

/* Count a connection id once. */
static int conn_note(struct mb_profile_writer *pw, uint32_t id, struct mb_err *err)
{
	uint32_t mask = pw->conn_cap - 1, i = (uint32_t)((id * 0x9e3779b97f4a7c15ULL) >> 32) & mask;
	for (;; i = (i + 1) & mask) {
		if (pw->conns[i] == 0)
			break;
		if (pw->conns[i] - 1 == id)
			return MB_OK;
	}
	if (id == UINT32_MAX) { /* not representable as id + 1: a flag instead */
		pw->nconn += !pw->saw_max_conn;
		pw->saw_max_conn = true;
		return MB_OK;
	}
	pw->conns[i] = id + 1;
	pw->nconn++;
	if (++pw->nslots_used * 2 > pw->conn_cap) {
		uint32_t cap = pw->conn_cap * 2, *t = calloc(cap, sizeof *t);
		if (!t)
			return mb_err_set(err, MB_EIO, "out of memory counting connections");
		for (uint32_t k = 0; k < pw->conn_cap; k++) {
			uint32_t v = pw->conns[k];
			if (!v)
				continue;
			uint32_t j = (uint32_t)(((v - 1) * 0x9e3779b97f4a7c15ULL) >> 32) & (cap - 1);
			while (t[j])
				j = (j + 1) & (cap - 1);
			t[j] = v;
		}
		free(pw->conns);
		pw->conns = t;
		pw->conn_cap = cap;
	}
	return MB_OK;
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
		pw->nkeys = 0;
		rank_reset(&pw->rank);
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
		memcpy(pw->keys.p + pw->keys.len, ev->key, ev->key_len);
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
	if ((rc = conn_note(pw, ev->conn_id, err)) != MB_OK)
		return rc;
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
	uint8_t *q = pw->raw_block.p;
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
	rank_free(&pw->rank);
	free(pw->arena);
	free(pw->ev);
	free(pw->conns);
	for (int c = 0; c < NCOLS; c++)
		free(pw->col[c].p);
	free(pw->raw_block.p);
	free(pw->keys.p);
	free(pw->out.p);
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
		mb_summary_add(s, "connections", pw->nconn);
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

/* ------------------------------------------------------------------ reader */

/* A shape of an events block as the reader keeps it: the event fields and size classes. */
struct rshape {
	struct shape s;
	uint8_t vc, rc;  /* size classes of value_len and resp_len */
};

/* Decoded events of the current block, as columns turned into arrays. */
struct mb_profile_reader {
	bool raw;
	uint16_t version;             /* of the profile being read (concatenated ones may differ) */
	ZSTD_DCtx *dctx;
	struct dict dict;
	struct buf dec;               /* decoded block */
	unsigned type;                /* type of the current block */
	uint64_t block_at;            /* input offset of the current block */
	uint32_t nrec, next;          /* records in the block, next one to return */
	size_t fpos;                  /* frames block: position of the next frame in dec */
	struct mb_event *ev;          /* events block, decoded */
	uint32_t *koff;               /* raw keys: arena offset of each event's key (the arena may move) */
	uint16_t *fflags;
	uint16_t *shape;              /* events block: each event's shape index */
	uint32_t *ref;                /* events block: each event's key reference */
	struct rshape *shapes;        /* events block: the shape table */
	uint8_t *frame;               /* one event frame payload as returned */
	uint64_t prev_ts;
	uint32_t prev_batch;
	uint64_t blocks;
	bool done;                    /* end block returned */
};

/* Read a profile header at the reader's position into info; consumes it. */
static int read_header(struct mb_reader *r, struct mb_stream_info *info, bool *raw, uint16_t *versionp,
		       struct mb_err *err)
{
	uint64_t at = mb_reader_offset(r);
	long got = mb_reader_fill(r, MB_PROFILE_HDR_FIXED, err);
	if (got < 0)
		return MB_EIO;
	if (got < MB_PROFILE_HDR_FIXED)
		return mb_reader_cut(r, mb_err_set(err, MB_ERR, "truncated profile header (%ld of %u bytes): '%s' at byte %llu",
						   got, MB_PROFILE_HDR_FIXED, r->name, (unsigned long long)at), err);
	const uint8_t *p = mb_reader_peek(r);
	uint16_t version = mb_ld_le16(p + 8), kind = mb_ld_le16(p + 10);
	uint32_t flags = mb_ld_le32(p + 12), meta_len = mb_ld_le32(p + 16);
	if (version < MB_PROFILE_VERSION_MIN || version > MB_PROFILE_VERSION)
		return mb_err_set(err, MB_ERR, "profile format version %u is not supported (this program reads versions %u-%u): '%s' at byte %llu",
				  version, MB_PROFILE_VERSION_MIN, MB_PROFILE_VERSION, r->name, (unsigned long long)at + 8);
	*versionp = version;
	bool rk = flags & MB_PROFILE_F_RAW_KEYS;
	if (kind != (rk ? MB_KIND_EVENTS_RAW : MB_KIND_EVENTS_HASHED) || (flags & ~MB_PROFILE_F_RAW_KEYS))
		return mb_err_set(err, MB_ERR, "bad profile header (kind %u, flags %u): '%s' at byte %llu", kind, flags, r->name,
				  (unsigned long long)at + 10);
	if (meta_len > MB_META_MAX_BYTES)
		return mb_err_set(err, MB_ERR, "profile metadata length %u exceeds maximum %u: '%s' at byte %llu", meta_len,
				  MB_META_MAX_BYTES, r->name, (unsigned long long)at + 16);
	size_t total = MB_PROFILE_HDR_FIXED + meta_len + 4;
	got = mb_reader_fill(r, total, err);
	if (got < 0)
		return MB_EIO;
	if ((size_t)got < total)
		return mb_reader_cut(r, mb_err_set(err, MB_ERR, "truncated profile header (%ld of %zu bytes): '%s' at byte %llu",
						   got, total, r->name, (unsigned long long)at), err);
	p = mb_reader_peek(r);
	if (mb_crc32c(0, p, total - 4) != mb_ld_le32(p + total - 4))
		return mb_err_set(err, MB_ERR, "profile header checksum mismatch: '%s' at byte %llu", r->name,
				  (unsigned long long)at);
	mb_info_init(info, kind);
	size_t bad;
	if (mb_meta_decode(p + MB_PROFILE_HDR_FIXED, meta_len, info, &bad, err) != MB_OK) {
		struct mb_err what = *err;
		return mb_err_set(err, MB_ERR, "bad profile header: %s: '%s' at byte %llu", what.msg, r->name,
				  (unsigned long long)(at + MB_PROFILE_HDR_FIXED + bad));
	}
	mb_reader_consume(r, total);
	r->headers++;
	*raw = rk;
	return MB_OK;
}

int mb_profile_open(struct mb_reader *r, struct mb_err *err)
{
	struct mb_profile_reader *pr = calloc(1, sizeof *pr);
	if (!pr)
		return mb_err_set(err, MB_EIO, "out of memory for the profile reader");
	r->profile = pr;
	pr->dctx = ZSTD_createDCtx();
	pr->ev = malloc(MB_PROFILE_BLOCK_EVENTS * sizeof *pr->ev);
	pr->fflags = malloc(MB_PROFILE_BLOCK_EVENTS * sizeof *pr->fflags);
	pr->koff = malloc(MB_PROFILE_BLOCK_EVENTS * sizeof *pr->koff);
	pr->shape = malloc(MB_PROFILE_BLOCK_EVENTS * sizeof *pr->shape);
	pr->ref = malloc(MB_PROFILE_BLOCK_EVENTS * sizeof *pr->ref);
	pr->shapes = malloc(SHAPES_MAX * sizeof *pr->shapes);
	pr->frame = malloc(MB_EVENT_FIXED + 65536 + MB_SEM_EXT_MAX);
	if (!pr->dctx || !pr->ev || !pr->fflags || !pr->koff || !pr->shape || !pr->ref || !pr->shapes || !pr->frame)
		return mb_err_set(err, MB_EIO, "out of memory for the profile reader");
	int rc = read_header(r, &r->info, &pr->raw, &pr->version, err);
	if (rc == MB_OK && pr->raw)
		mb_warn("this profile holds raw keys (packed with mb-pack --raw-keys), not hashes: '%s'", r->name);
	return rc;
}

void mb_profile_close(struct mb_profile_reader *pr)
{
	if (!pr)
		return;
	ZSTD_freeDCtx(pr->dctx);
	dict_free(&pr->dict);
	free(pr->dec.p);
	free(pr->ev);
	free(pr->fflags);
	free(pr->koff);
	free(pr->shape);
	free(pr->ref);
	free(pr->shapes);
	free(pr->frame);
	free(pr);
}

/* A corrupt-block error at offset `at`. */
static int corrupt(struct mb_reader *r, uint64_t at, const char *what, struct mb_err *err)
{
	return mb_err_set(err, MB_ERR, "corrupt profile block (%s): '%s' at byte %llu", what, r->name, (unsigned long long)at);
}

/* A corrupt-block error naming column c. */
static int corrupt_col(struct mb_reader *r, uint64_t at, int c, const char *what, struct mb_err *err)
{
	static const char *const name[NCOLS] = { "shapes", "shape",  "ts",   "ts_bits", "lat",  "lat_bits",
						 "conn",   "conn_bits", "key", "key_bits", "newkey", "newlen",
						 "size",   "size_bits", "ttl", "batch", "sem" };
	char buf[96];
	snprintf(buf, sizeof buf, "column %s: %s", name[c], what);
	return corrupt(r, at, buf, err);
}

/* Decode the events columns of pr->dec (nrec events) into pr->ev. */
static int decode_events(struct mb_reader *r, struct mb_profile_reader *pr, unsigned bflags, struct mb_err *err)
{
	uint64_t at = pr->block_at;
	struct mb_cur h = mb_cur_make(pr->dec.p, pr->dec.len);
	int ncols = pr->version >= 3 ? NCOLS : NCOLS_V2;
	if (mb_get_uvarint(&h) != (uint64_t)ncols || h.bad)
		return corrupt(r, at, "column count", err);
	struct mb_cur col[NCOLS];
	size_t pos = 0;
	uint64_t lens[NCOLS] = { 0 };
	for (int c = 0; c < ncols; c++)
		lens[c] = mb_get_uvarint(&h);
	if (h.bad)
		return corrupt(r, at, "column lengths", err);
	pos = h.off;
	col[C_SEM] = mb_cur_make(pr->dec.p, 0); /* version 2: no sem column, every event without */
	for (int c = 0; c < ncols; c++) {
		if (lens[c] > pr->dec.len - pos)
			return corrupt(r, at, "column length", err);
		col[c] = mb_cur_make(pr->dec.p + pos, (size_t)lens[c]);
		pos += (size_t)lens[c];
	}
	if (pos != pr->dec.len)
		return corrupt(r, at, "trailing bytes after the columns", err);
	if (bflags & MB_PB_F_DICT_RESET)
		dict_reset(&pr->dict);

	/* the shape table, and each event's shape index in pr->shape */
	struct rshape *shapes = pr->shapes;
	uint64_t nshapes = mb_get_uvarint(&col[C_SHAPES]);
	if (col[C_SHAPES].bad || nshapes == 0 || nshapes > SHAPES_MAX)
		return corrupt(r, at, "shape table", err);
	for (uint64_t i = 0; i < nshapes; i++) {
		const uint8_t *q = mb_get_bytes(&col[C_SHAPES], 5);
		uint64_t fl = mb_get_uvarint(&col[C_SHAPES]), ff = mb_get_uvarint(&col[C_SHAPES]);
		if (!q || fl > UINT16_MAX || ff > UINT16_MAX || (q[4] & 3) > 2 || q[4] >> 2 > 2)
			return corrupt(r, at, "shape table", err);
		shapes[i] = (struct rshape){ { q[0], q[1], q[2], q[3], (uint16_t)fl, (uint16_t)ff }, q[4] & 3, q[4] >> 2 };
	}
	unsigned k = shapes_per_byte((uint32_t)nshapes);
	if (k) {
		unsigned top = 1; /* nshapes^k: bytes at or above it hold no shapes */
		for (unsigned j = 0; j < k; j++)
			top *= (unsigned)nshapes;
		for (uint32_t i = 0; i < pr->nrec; i += k) {
			unsigned b = mb_get_u8(&col[C_SHAPE]);
			if (b >= top)
				return corrupt(r, at, "shape index", err);
			for (uint32_t j = i; j < i + k; j++, b /= (unsigned)nshapes) {
				if (j < pr->nrec)
					pr->shape[j] = (uint16_t)(b % nshapes);
				else if (b % nshapes)
					return corrupt(r, at, "shape padding", err);
			}
		}
	} else {
		for (uint32_t i = 0; i < pr->nrec; i++) {
			uint64_t si = mb_get_uvarint(&col[C_SHAPE]);
			if (si >= nshapes)
				return corrupt(r, at, "shape index", err);
			pr->shape[i] = (uint16_t)si;
		}
	}
	unsigned tsb = mb_get_u8(&col[C_TS]), elat = mb_get_u8(&col[C_LAT]);
	unsigned ets = tsb & ~TS_SIGNED;
	bool sgn = tsb & TS_SIGNED;
	if (ets > UNIT_EXP_MAX || elat > UNIT_EXP_MAX)
		return corrupt(r, at, "time unit", err);
	struct bitr tsr = br_make(&col[C_TS_BITS]), latr = br_make(&col[C_LAT_BITS]);
	struct bitr keyr = br_make(&col[C_KEY_BITS]), sizer = br_make(&col[C_SIZE_BITS]);
	struct bitr connr = br_make(&col[C_CONN_BITS]);
	/* Key references first, so the loop below can prefetch the entries it will need. */
	for (uint32_t i = 0; i < pr->nrec; i++) {
		uint64_t ref = get_bucket(&col[C_KEY], &keyr);
		if (ref > MB_PROFILE_DICT_MAX)
			return corrupt(r, at, "key reference", err);
		pr->ref[i] = (uint32_t)ref;
	}
	const struct rank *rk = &pr->dict.rank;
	for (uint32_t i = 0; i < pr->nrec; i++) {
		struct mb_event *ev = &pr->ev[i];
		if (i + 2 * PREFETCH_AHEAD < pr->nrec && pr->ref[i + 2 * PREFETCH_AHEAD] - 1u < rk->n)
			__builtin_prefetch(&rk->at[pr->ref[i + 2 * PREFETCH_AHEAD] - 1]);
		if (i + PREFETCH_AHEAD < pr->nrec && pr->ref[i + PREFETCH_AHEAD] - 1u < rk->n) {
			uint32_t id = rk->at[pr->ref[i + PREFETCH_AHEAD] - 1];
			__builtin_prefetch(&rk->of[id]);
			__builtin_prefetch(&pr->dict.e[id]);
		}
		const struct rshape *s = &shapes[pr->shape[i]];
		ev->cmd = s->s.cmd;
		ev->status = s->s.status;
		ev->proto = s->s.proto;
		ev->transport = s->s.transport;
		ev->flags = s->s.flags;
		pr->fflags[i] = s->s.fflags;
		uint64_t tv = get_bucket(&col[C_TS], &tsr);
		pr->prev_ts += (sgn ? (uint64_t)mb_unzigzag(tv) : tv) * pow10[ets];
		ev->ts_ns = pr->prev_ts;
		ev->latency_ns = get_bucket(&col[C_LAT], &latr) * pow10[elat];
		uint64_t conn = get_bucket(&col[C_CONN], &connr);
		uint32_t ref = pr->ref[i];
		if (conn > UINT32_MAX)
			return corrupt(r, at, "connection id", err);
		ev->conn_id = (uint32_t)conn;
		struct entry *e;
		if (ref == 0) {
			uint64_t klen = mb_get_uvarint(&col[C_NEWLEN]);
			if (klen > UINT16_MAX || pr->dict.n >= MB_PROFILE_DICT_MAX ||
			    (pr->raw && pr->dict.alen + klen > MB_PROFILE_ARENA_MAX))
				return corrupt(r, at, "new key entry", err);
			int rc = dict_grow(&pr->dict, pr->raw ? (size_t)klen : 0, err);
			if (rc == MB_OK)
				rc = rank_add(&pr->dict.rank, err);
			if (rc != MB_OK)
				return rc;
			e = &pr->dict.e[pr->dict.n];
			e->klen = (uint16_t)klen;
			e->size = 0;
			e->off = (uint32_t)pr->dict.alen;
			if (pr->raw) {
				const uint8_t *kb = mb_get_bytes(&col[C_NEWKEY], (size_t)klen);
				if (!kb)
					return corrupt(r, at, "new key bytes", err);
				memcpy(pr->dict.arena + pr->dict.alen, kb, (size_t)klen);
				pr->dict.alen += (size_t)klen;
				e->h = 0;
			} else {
				e->h = mb_get_le64(&col[C_NEWKEY]);
			}
			pr->dict.n++;
		} else {
			if (ref > pr->dict.n)
				return corrupt(r, at, "key reference", err);
			uint32_t id = pr->dict.rank.at[ref - 1];
			rank_use(&pr->dict.rank, id);
			e = &pr->dict.e[id];
		}
		ev->key_len = e->klen;
		ev->key_hash = e->h;
		ev->key = NULL;
		pr->koff[i] = e->off;
		if (s->vc == 2 || s->rc == 2) {
			uint64_t v = s->vc == 2 ? get_bucket(&col[C_SIZE], &sizer) : 0;
			uint64_t w = s->rc == 2 ? get_bucket(&col[C_SIZE], &sizer) : 0;
			if (v > UINT32_MAX || w > UINT32_MAX || (s->vc == 2 && v == 0) || (s->rc == 2 && w == 0))
				return corrupt(r, at, "size", err);
			ev->value_len = s->vc == 0 ? 0 : s->vc == 1 ? e->size : (e->size = (uint32_t)v);
			ev->resp_len = s->rc == 0 ? 0 : s->rc == 1 ? e->size : (e->size = (uint32_t)w);
		} else {
			ev->value_len = s->vc ? e->size : 0;
			ev->resp_len = s->rc ? e->size : 0;
		}
		int64_t ttl = mb_unzigzag(mb_get_uvarint(&col[C_TTL]));
		int64_t db = mb_unzigzag(mb_get_uvarint(&col[C_BATCH]));
		if (ttl < INT32_MIN || ttl > INT32_MAX || db < INT32_MIN || db > INT32_MAX)
			return corrupt(r, at, "ttl or batch", err);
		ev->ttl = (int32_t)ttl;
		pr->prev_batch += (uint32_t)db;
		ev->batch_id = pr->prev_batch;
		memset(&ev->sem, 0, sizeof ev->sem);
		if (ncols == NCOLS) {
			uint64_t sl = mb_get_uvarint(&col[C_SEM]);
			const uint8_t *sp = sl <= MB_SEM_EXT_MAX ? mb_get_bytes(&col[C_SEM], (size_t)sl) : NULL;
			if (!sp || col[C_SEM].bad)
				return corrupt_col(r, at, C_SEM, "extension length", err);
			struct mb_err e2;
			if (mb_sem_body_decode(sp, (size_t)sl, &ev->sem, &e2) != MB_OK)
				return corrupt_col(r, at, C_SEM, e2.msg, err);
		}
	}
	/* Every column read exactly: byte columns first (a bad bucket also leaves its bits unread). */
	const struct bitr *bits[NCOLS] = { [C_TS_BITS] = &tsr, [C_LAT_BITS] = &latr, [C_CONN_BITS] = &connr,
					   [C_KEY_BITS] = &keyr, [C_SIZE_BITS] = &sizer };
	for (int c = 0; c < NCOLS; c++)
		if (!bits[c] && col[c].bad)
			return corrupt_col(r, at, c, "too short or a value out of range", err);
	for (int c = 0; c < NCOLS; c++)
		if (bits[c] ? !br_done(bits[c]) : mb_cur_left(&col[c]) != 0)
			return corrupt_col(r, at, c, bits[c] ? "bits missing, left over or non-zero padding" : "too long", err);
	return MB_OK;
}

/*
 * A profile cut short (the events of every complete block were returned): an
 * error, or with r->allow_truncated a warning and the end; a clean end when the
 * input ended because of a stop request.
 */
static int cut_short(struct mb_reader *r, struct mb_profile_reader *pr, uint64_t at, const char *what, struct mb_err *err)
{
	pr->done = true;
	if (r->stopped)
		return MB_END;
	if (!r->allow_truncated)
		return mb_err_set(err, MB_ERR, "profile cut short (%s) after %llu complete blocks (--allow-truncated reads them): '%s' at byte %llu",
				  what, (unsigned long long)pr->blocks, r->name, (unsigned long long)at);
	mb_warn("profile cut short (%s) after %llu complete blocks; everything before was read: '%s' at byte %llu", what,
	       (unsigned long long)pr->blocks, r->name, (unsigned long long)at);
	return MB_END;
}

/* Read, verify and decode the next block. MB_OK, MB_END, MB_ERR, MB_EIO. */
static int next_block(struct mb_reader *r, struct mb_profile_reader *pr, struct mb_err *err)
{
	for (;;) {
		uint64_t at = mb_reader_offset(r);
		long got = mb_reader_fill(r, MB_PROFILE_BLOCK_HDR, err);
		if (got < 0)
			return MB_EIO;
		if (got == 0)
			return cut_short(r, pr, at, "no end block", err);
		const uint8_t *h = mb_reader_peek(r);
		if (got >= 8 && !memcmp(h, MB_PROFILE_MAGIC, 8))
			return corrupt(r, at, "a profile header where a block belongs", err);
		if (got < MB_PROFILE_BLOCK_HDR)
			return cut_short(r, pr, at, "partial block header", err);
		if (memcmp(h, "MBBK", 4))
			return corrupt(r, at, "bad block magic", err);
		if (mb_crc32c(0, h, 24) != mb_ld_le32(h + 24))
			return corrupt(r, at, "block header checksum mismatch", err);
		unsigned type = h[4], flags = h[5];
		uint32_t stored = mb_ld_le32(h + 8), dlen = mb_ld_le32(h + 12), nrec = mb_ld_le32(h + 16);
		uint32_t crc = mb_ld_le32(h + 20);
		if (type < MB_PB_EVENTS || type > MB_PB_END || (flags & ~MB_PB_F_DICT_RESET) || mb_ld_le16(h + 6) ||
		    stored > MB_PROFILE_STORED_MAX || dlen > MB_PROFILE_DECODED_MAX ||
		    (type == MB_PB_EVENTS ? nrec == 0 || nrec > MB_PROFILE_BLOCK_EVENTS : nrec != 1))
			return corrupt(r, at, "bad block header field", err);
		got = mb_reader_fill(r, MB_PROFILE_BLOCK_HDR + (size_t)stored, err);
		if (got < 0)
			return MB_EIO;
		if ((size_t)got < MB_PROFILE_BLOCK_HDR + (size_t)stored)
			return cut_short(r, pr, at, "partial block", err);
		h = mb_reader_peek(r);
		if (mb_crc32c(0, h + MB_PROFILE_BLOCK_HDR, stored) != crc)
			return corrupt(r, at, "block checksum mismatch", err);
		int rc = buf_room(&pr->dec, dlen ? dlen : 1, err);
		if (rc != MB_OK)
			return rc;
		size_t z = ZSTD_decompressDCtx(pr->dctx, pr->dec.p, dlen, h + MB_PROFILE_BLOCK_HDR, stored);
		if (ZSTD_isError(z) || z != dlen)
			return corrupt(r, at, ZSTD_isError(z) ? ZSTD_getErrorName(z) : "decoded length mismatch", err);
		pr->dec.len = dlen;
		mb_reader_consume(r, MB_PROFILE_BLOCK_HDR + stored);
		pr->block_at = at;
		pr->type = type;
		pr->nrec = nrec;
		pr->next = 0;
		pr->fpos = 0;
		if (type == MB_PB_EVENTS && (rc = decode_events(r, pr, flags, err)) != MB_OK) {
			pr->nrec = 0; /* nothing of a block that does not decode is returned */
			return rc;
		}
		pr->blocks++;
		return MB_OK;
	}
}

/* The frame at pr->fpos of a frames or end block. */
static int block_frame(struct mb_reader *r, struct mb_profile_reader *pr, struct mb_frame *f, struct mb_err *err)
{
	if (pr->type == MB_PB_END) {
		struct mb_summary s;
		if (mb_summary_decode(pr->dec.p, (uint32_t)pr->dec.len, &s, err) != MB_OK)
			return corrupt(r, pr->block_at, "end block summary", err);
		f->type = MB_FRAME_SUMMARY;
		f->flags = 0;
		f->len = (uint32_t)pr->dec.len;
		f->payload = pr->dec.p;
		f->offset = pr->block_at;
		pr->next = pr->nrec;
		return MB_OK;
	}
	struct mb_cur c = mb_cur_make(pr->dec.p, pr->dec.len);
	uint16_t type = mb_get_le16(&c), flags = mb_get_le16(&c);
	uint32_t len = mb_get_le32(&c);
	if (c.bad || type == 0 || type == MB_FRAME_HEADER_MARK || type == MB_FRAME_EVENT || len != mb_cur_left(&c))
		return corrupt(r, pr->block_at, "stored frame", err);
	f->type = type;
	f->flags = flags;
	f->len = len;
	f->payload = pr->dec.p + MB_FRAME_HDR;
	f->offset = pr->block_at;
	pr->next = pr->nrec;
	return MB_OK;
}

int mb_profile_next(struct mb_reader *r, struct mb_frame *f, struct mb_err *err)
{
	struct mb_profile_reader *pr = r->profile;
	for (;;) {
		if (pr->next < pr->nrec)
			break;
		if (pr->done) {
			/* After the end block: the end of input, or a concatenated profile. */
			uint64_t at = mb_reader_offset(r);
			long got = mb_reader_fill(r, 8, err);
			if (got < 0)
				return MB_EIO;
			if (got == 0 || pr->type != MB_PB_END || (got < 8 && r->stopped))
				return MB_END;
			if (got < 8 || memcmp(mb_reader_peek(r), MB_PROFILE_MAGIC, 8))
				return mb_err_set(err, MB_ERR, "trailing bytes after the profile's end block: '%s' at byte %llu", r->name,
						  (unsigned long long)at);
			struct mb_stream_info *next = malloc(sizeof *next);
			bool raw;
			if (!next)
				return mb_err_set(err, MB_EIO, "out of memory");
			int rc = read_header(r, next, &raw, &pr->version, err);
			unsigned kind = next->kind;
			free(next);
			if (rc != MB_OK)
				return rc;
			if (raw != pr->raw)
				return mb_err_set(err, MB_ERR, "concatenated profile changes kind from %s to %s: '%s' at byte %llu",
						  mb_kind_name(r->info.kind), mb_kind_name(kind), r->name, (unsigned long long)at);
			dict_reset(&pr->dict);
			pr->prev_ts = 0;
			pr->prev_batch = 0;
			pr->done = false;
			pr->nrec = pr->next = 0;
			continue;
		}
		int rc = next_block(r, pr, err);
		if (rc != MB_OK)
			return rc;
		if (pr->type == MB_PB_END)
			pr->done = true;
	}
	f->offset = pr->block_at;
	r->frames++;
	if (pr->type != MB_PB_EVENTS)
		return block_frame(r, pr, f, err);
	struct mb_event *ev = &pr->ev[pr->next];
	if (pr->raw)
		ev->key = pr->dict.arena + pr->koff[pr->next];
	f->type = MB_FRAME_EVENT;
	f->flags = pr->fflags[pr->next];
	f->len = mb_event_payload_len(ev, r->info.kind);
	mb_event_encode(pr->frame, ev, r->info.kind);
	f->payload = pr->frame;
	pr->next++;
	return MB_OK;
}
