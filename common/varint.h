/* varint.h - LEB128 unsigned varints and zigzag signed mapping. */
#ifndef MB_VARINT_H
#define MB_VARINT_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

#define MB_VARINT_MAX 10 /* bytes a u64 can take */

/* Append v as LEB128 at p (room for MB_VARINT_MAX bytes); returns bytes written. */
static inline size_t mb_put_uvarint(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/* Read a LEB128 value; sets c->bad on truncation or on more than 10 bytes / overflow. */
static inline uint64_t mb_get_uvarint(struct mb_cur *c)
{
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		uint8_t b = mb_get_u8(c);
		if (c->bad)
			return 0;
		if (shift == 63 && b > 1) {
			c->bad = true;
			return 0;
		}
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	c->bad = true;
	return 0;
}

/* Zigzag: small magnitudes of either sign become small unsigned numbers. */
static inline uint64_t mb_zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static inline int64_t mb_unzigzag(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

#endif
