/* bytes.h - bounds-checked reads of untrusted bytes, and little-endian stores. */
#ifndef MB_BYTES_H
#define MB_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * A cursor over untrusted bytes. Every get_* checks the remaining length first;
 * a read past the end sets `bad`, returns 0 and leaves `off` where it was, so a
 * decoder can read a whole fixed layout and check `bad` once at the end
 * (tcpdump's GET_U_1 idea, without longjmp).
 */
struct mb_cur {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool bad;
};

/* Make a cursor over [p, p+len). */
static inline struct mb_cur mb_cur_make(const void *p, size_t len)
{
	struct mb_cur c = { (const uint8_t *)p, len, 0, false };
	return c;
}

/* Bytes left to read. */
static inline size_t mb_cur_left(const struct mb_cur *c) { return c->len - c->off; }

/* True when n more bytes can be read; sets `bad` otherwise. */
static inline bool mb_cur_need(struct mb_cur *c, size_t n)
{
	if (c->bad || n > c->len - c->off) {
		c->bad = true;
		return false;
	}
	return true;
}

/* Pointer to the next n bytes and advance, or NULL (and `bad`) when short. */
static inline const uint8_t *mb_get_bytes(struct mb_cur *c, size_t n)
{
	if (!mb_cur_need(c, n))
		return NULL;
	const uint8_t *r = c->p + c->off;
	c->off += n;
	return r;
}

/* Skip n bytes; false (and `bad`) when short. */
static inline bool mb_skip(struct mb_cur *c, size_t n)
{
	return mb_get_bytes(c, n) != NULL;
}

static inline uint8_t mb_get_u8(struct mb_cur *c)
{
	const uint8_t *b = mb_get_bytes(c, 1);
	return b ? b[0] : 0;
}

static inline uint16_t mb_get_le16(struct mb_cur *c)
{
	const uint8_t *b = mb_get_bytes(c, 2);
	return b ? (uint16_t)(b[0] | b[1] << 8) : 0;
}

static inline uint32_t mb_get_le32(struct mb_cur *c)
{
	const uint8_t *b = mb_get_bytes(c, 4);
	return b ? (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24 : 0;
}

static inline uint64_t mb_get_le64(struct mb_cur *c)
{
	uint64_t lo = mb_get_le32(c);
	uint64_t hi = mb_get_le32(c);
	return c->bad ? 0 : lo | hi << 32;
}

static inline uint16_t mb_get_be16(struct mb_cur *c)
{
	const uint8_t *b = mb_get_bytes(c, 2);
	return b ? (uint16_t)(b[0] << 8 | b[1]) : 0;
}

static inline uint32_t mb_get_be32(struct mb_cur *c)
{
	const uint8_t *b = mb_get_bytes(c, 4);
	return b ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | (uint32_t)b[3] : 0;
}

static inline uint64_t mb_get_be64(struct mb_cur *c)
{
	uint64_t hi = mb_get_be32(c);
	uint64_t lo = mb_get_be32(c);
	return c->bad ? 0 : hi << 32 | lo;
}

/* Unchecked little-endian loads/stores for buffers whose size the caller owns. */
static inline uint16_t mb_ld_le16(const uint8_t *b) { return (uint16_t)(b[0] | b[1] << 8); }
static inline uint32_t mb_ld_le32(const uint8_t *b)
{
	uint32_t v;
	memcpy(&v, b, 4);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}
static inline uint64_t mb_ld_le64(const uint8_t *b)
{
	uint64_t v;
	memcpy(&v, b, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}
static inline void mb_st_le16(uint8_t *b, uint16_t v) { b[0] = (uint8_t)v; b[1] = (uint8_t)(v >> 8); }
static inline void mb_st_le32(uint8_t *b, uint32_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	memcpy(b, &v, 4);
}
static inline void mb_st_le64(uint8_t *b, uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	memcpy(b, &v, 8);
}

/* Value of one hex digit (either case), or -1. */
static inline int mb_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
