/* bitio.h - bit writer and reader (least significant bit first) and the bucket code of profile numbers. */
#ifndef MB_BITIO_H
#define MB_BITIO_H

#include <stdbool.h>
#include <stdint.h>

#include "bytebuf.h"
#include "bytes.h"
#include "varint.h"

#define BUCKET_MAX 251 /* largest bucket byte: a value of 62 bits */
#define BUCKET_NEG 252 /* signed values: the bucket after this byte is of -v - 1 */

/* Append a varint; the caller made room (MB_VARINT_MAX). */
static inline void put_uv(struct mb_buf *b, uint64_t v) { b->len += mb_put_uvarint(b->u + b->len, v); }

/* Bits appended least significant first to a column; the caller made room (8 bytes per 61 bits). */
struct bitw {
	struct mb_buf *b;
	uint64_t acc;
	unsigned n;     /* bits in acc, < 32 between calls */
};

static inline void bw_put32(struct bitw *w, uint64_t v, unsigned nb)
{
	w->acc |= v << w->n;
	w->n += nb;
	if (w->n >= 32) {
		mb_st_le32(w->b->u + w->b->len, (uint32_t)w->acc);
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
static inline void bw_end(struct bitw *w)
{
	for (; w->n > 0; w->n = w->n > 8 ? w->n - 8 : 0) {
		w->b->u[w->b->len++] = (uint8_t)w->acc;
		w->acc >>= 8;
	}
}

/* Append v as its bucket (to col) and the bits below it (to w). */
static inline void put_bucket(struct mb_buf *col, struct bitw *w, uint64_t v)
{
	if (v < 4) {
		col->u[col->len++] = (uint8_t)v;
		return;
	}
	unsigned l = 63 - (unsigned)__builtin_clzll(v), nb = l - 2;
	col->u[col->len++] = (uint8_t)(4 * (l - 1) + ((v >> nb) & 3));
	bw_put(w, v & ((1ULL << nb) - 1), nb);
}

/* Append a signed v: its bucket when v >= 0, else BUCKET_NEG and the bucket of -v - 1. */
static inline void put_sbucket(struct mb_buf *col, struct bitw *w, int64_t v)
{
	if (v < 0) {
		col->u[col->len++] = BUCKET_NEG;
		v = -(v + 1);
	}
	put_bucket(col, w, (uint64_t)v);
}

/* Bits read least significant first from a column; bad once a read passes its end. */
struct bitr {
	const uint8_t *p;
	size_t len, pos;
	uint64_t acc;
	unsigned n;     /* bits in acc */
	bool bad;
};

static inline struct bitr br_make(const struct mb_cur *c)
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
static inline bool br_done(const struct bitr *r)
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

/* Read a value coded by put_sbucket (a magnitude past INT64_MAX, or a second BUCKET_NEG, sets bad). */
static inline int64_t get_sbucket(struct mb_cur *col, struct bitr *r)
{
	bool neg = mb_cur_left(col) && col->p[col->off] == BUCKET_NEG;
	col->off += neg;
	uint64_t v = get_bucket(col, r);
	if (v > INT64_MAX) {
		col->bad = true;
		return 0;
	}
	return neg ? -(int64_t)v - 1 : (int64_t)v;
}

#endif
