/* profile_read.c - the profile reader: verifies and decompresses blocks, decodes columns back into stream frames. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "bitio.h"
#include "bytes.h"
#include "crc32c.h"
#include "profile.h"
#include "profile_dict.h"
#include "profile_format.h"
#include "prog.h"
#include "varint.h"


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
	struct mb_dict dict;
	struct mb_buf dec;               /* decoded block */
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
	uint64_t prev_ts, prev_end;   /* the previous event's ts and ts + latency */
	uint32_t prev_batch;          /* the previous batch_id (version 4: the last non-zero one) */
	int32_t last_ttl[256];        /* by command, the last event's ttl (what version 4 codes against) */
	struct mb_conn_last clast[CONN_SLOTS]; /* each connection's last dictionary entry (version 4's key symbols) */
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
	mb_dict_free(&pr->dict);
	free(pr->dec.u);
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
	struct mb_cur h = mb_cur_make(pr->dec.u, pr->dec.len);
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
	col[C_SEM] = mb_cur_make(pr->dec.u, 0); /* version 2: no sem column, every event without */
	for (int c = 0; c < ncols; c++) {
		if (lens[c] > pr->dec.len - pos)
			return corrupt(r, at, "column length", err);
		col[c] = mb_cur_make(pr->dec.u + pos, (size_t)lens[c]);
		pos += (size_t)lens[c];
	}
	if (pos != pr->dec.len)
		return corrupt(r, at, "trailing bytes after the columns", err);
	if (bflags & MB_PB_F_DICT_RESET) {
		mb_dict_reset(&pr->dict);
		memset(pr->clast, 0, sizeof pr->clast);
	}
	bool v4 = pr->version >= 4;

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
	unsigned ets = tsb & ~(v4 ? TS_END : TS_SIGNED);
	bool sgn = !v4 && (tsb & TS_SIGNED), end = v4 && (tsb & TS_END);
	if (ets > UNIT_EXP_MAX || elat > UNIT_EXP_MAX)
		return corrupt(r, at, "time unit", err);
	uint64_t kbase = v4 ? KEY_RANK0 : 1; /* key symbol of rank 0 */
	struct bitr tsr = br_make(&col[C_TS_BITS]), latr = br_make(&col[C_LAT_BITS]);
	struct bitr keyr = br_make(&col[C_KEY_BITS]), sizer = br_make(&col[C_SIZE_BITS]);
	struct bitr connr = br_make(&col[C_CONN_BITS]);
	/* Key references first, so the loop below can prefetch the entries it will need. */
	for (uint32_t i = 0; i < pr->nrec; i++) {
		uint64_t ref = get_bucket(&col[C_KEY], &keyr);
		if (ref >= MB_PROFILE_DICT_MAX + kbase)
			return corrupt(r, at, "key reference", err);
		pr->ref[i] = (uint32_t)ref;
	}
	const struct mb_rank *rk = &pr->dict.rank;
	for (uint32_t i = 0; i < pr->nrec; i++) {
		struct mb_event *ev = &pr->ev[i];
		if (i + 2 * PREFETCH_AHEAD < pr->nrec && pr->ref[i + 2 * PREFETCH_AHEAD] - kbase < rk->n)
			__builtin_prefetch(&rk->at[pr->ref[i + 2 * PREFETCH_AHEAD] - kbase]);
		if (i + PREFETCH_AHEAD < pr->nrec && pr->ref[i + PREFETCH_AHEAD] - kbase < rk->n) {
			uint32_t id = rk->at[pr->ref[i + PREFETCH_AHEAD] - kbase];
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
		ev->latency_ns = get_bucket(&col[C_LAT], &latr) * pow10[elat];
		if (v4) {
			uint64_t d = (uint64_t)get_sbucket(&col[C_TS], &tsr) * pow10[ets];
			ev->ts_ns = end ? pr->prev_end + d - ev->latency_ns : pr->prev_ts + d;
		} else {
			uint64_t tv = get_bucket(&col[C_TS], &tsr);
			ev->ts_ns = pr->prev_ts + (sgn ? (uint64_t)mb_unzigzag(tv) : tv) * pow10[ets];
		}
		pr->prev_ts = ev->ts_ns;
		pr->prev_end = ev->ts_ns + ev->latency_ns;
		uint64_t conn = get_bucket(&col[C_CONN], &connr);
		uint32_t ref = pr->ref[i];
		if (conn > UINT32_MAX)
			return corrupt(r, at, "connection id", err);
		ev->conn_id = (uint32_t)conn;
		struct mb_dict_entry *e;
		if (ref == 0) {
			uint64_t klen = mb_get_uvarint(&col[C_NEWLEN]);
			if (klen > UINT16_MAX || pr->dict.n >= MB_PROFILE_DICT_MAX ||
			    (pr->raw && pr->dict.alen + klen > MB_PROFILE_ARENA_MAX))
				return corrupt(r, at, "new key entry", err);
			int rc = mb_dict_grow(&pr->dict, pr->raw ? (size_t)klen : 0, err);
			if (rc == MB_OK)
				rc = mb_rank_add(&pr->dict.rank, err);
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
			struct mb_conn_last *cl = &pr->clast[ev->conn_id % CONN_SLOTS];
			bool known = cl->conn1 == (uint64_t)ev->conn_id + 1;
			uint32_t id;
			if (ref >= kbase) {
				if (ref - kbase >= pr->dict.n)
					return corrupt(r, at, "key reference", err);
				id = pr->dict.rank.at[ref - kbase];
			} else if (known && (ref == KEY_SAME || cl->id + 1u < pr->dict.n)) {
				id = cl->id + (ref == KEY_NEXT);
			} else {
				return corrupt(r, at, "key reference to the connection's last entry", err);
			}
			mb_rank_use(&pr->dict.rank, id);
			e = &pr->dict.e[id];
		}
		pr->clast[ev->conn_id % CONN_SLOTS] = (struct mb_conn_last){ (uint64_t)ev->conn_id + 1, (uint32_t)(e - pr->dict.e) };
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
		uint64_t tv = mb_get_uvarint(&col[C_TTL]), bv = mb_get_uvarint(&col[C_BATCH]);
		/* tv's top bit is cleared so that the sum cannot overflow; a tv with it set is refused below */
		int64_t ttl = (v4 ? pr->last_ttl[ev->cmd] : 0) + mb_unzigzag(tv & (UINT64_MAX >> 1));
		int64_t db = v4 && bv ? mb_unzigzag(bv - 1) : mb_unzigzag(bv);
		if (tv >> 63 || ttl < INT32_MIN || ttl > INT32_MAX || db < INT32_MIN || db > INT32_MAX ||
		    (v4 && bv && pr->prev_batch + (uint32_t)db == 0))
			return corrupt(r, at, "ttl or batch", err);
		ev->ttl = (int32_t)ttl;
		pr->last_ttl[ev->cmd] = ev->ttl;
		if (!v4 || bv) {
			pr->prev_batch += (uint32_t)db;
			ev->batch_id = pr->prev_batch;
		} else {
			ev->batch_id = 0;
		}
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
		size_t z = ZSTD_decompressDCtx(pr->dctx, pr->dec.u, dlen, h + MB_PROFILE_BLOCK_HDR, stored);
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
		if (mb_summary_decode(pr->dec.u, (uint32_t)pr->dec.len, &s, err) != MB_OK)
			return corrupt(r, pr->block_at, "end block summary", err);
		f->type = MB_FRAME_SUMMARY;
		f->flags = 0;
		f->len = (uint32_t)pr->dec.len;
		f->payload = pr->dec.u;
		f->offset = pr->block_at;
		pr->next = pr->nrec;
		return MB_OK;
	}
	struct mb_cur c = mb_cur_make(pr->dec.u, pr->dec.len);
	uint16_t type = mb_get_le16(&c), flags = mb_get_le16(&c);
	uint32_t len = mb_get_le32(&c);
	if (c.bad || type == 0 || type == MB_FRAME_HEADER_MARK || type == MB_FRAME_EVENT || len != mb_cur_left(&c))
		return corrupt(r, pr->block_at, "stored frame", err);
	f->type = type;
	f->flags = flags;
	f->len = len;
	f->payload = pr->dec.u + MB_FRAME_HDR;
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
			mb_dict_reset(&pr->dict);
			memset(pr->clast, 0, sizeof pr->clast);
			memset(pr->last_ttl, 0, sizeof pr->last_ttl);
			pr->prev_ts = pr->prev_end = 0;
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

