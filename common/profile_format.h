/* profile_format.h - the profile's block layout shared by its writer and reader: columns, limits, shape packing (doc/profile.md). */
#ifndef MB_PROFILE_FORMAT_H
#define MB_PROFILE_FORMAT_H

#include <stdint.h>

#include "bytebuf.h"
#include "err.h"

/* Columns of an events block, in storage order (doc/profile.md). */
enum col {
	C_SHAPES,    /* table: count, then per shape cmd, status, proto, transport, size classes, flags, frame flags */
	C_SHAPE,     /* per event: shape index, several to a byte when the table is small */
	C_TS,        /* unit and mode byte, then per event the bucket of the time delta / unit (v4: negative ones escaped) */
	C_TS_BITS,   /* per event: the bits of that value below its bucket */
	C_LAT,       /* unit exponent byte, then per event the bucket of latency / unit */
	C_LAT_BITS,  /* per event: the bits below the bucket */
	C_CONN,      /* per event: bucket of conn_id */
	C_CONN_BITS, /* per event: the bits below the bucket */
	C_KEY,       /* per event: bucket of 0 = new entry; v4: 1 = the connection's last entry, 2 = the entry after it, else rank + 3 (v2, v3: rank + 1) */
	C_KEY_BITS,  /* per event: the bits below the bucket */
	C_NEWKEY,    /* per new entry: 8-byte hash (hashed) or key_len raw bytes (raw keys) */
	C_NEWLEN,    /* per new entry: key_len */
	C_SIZE,      /* per size of class "new" (shape): bucket of the size */
	C_SIZE_BITS, /* per such size: the bits below the bucket */
	C_TTL,       /* per event: zigzag(ttl) (v4: of ttl - the last ttl of the event's command) */
	C_BATCH,     /* per event: zigzag(batch_id - previous batch_id) (v4: 0, or 1 + that against the last non-zero one) */
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
#define EVENT_WORST 54 /* most column bytes one event takes, besides its new key and its sem body (a negative time delta: 1 escape byte) */
#define BUCKET_MAX 251
#define TS_SIGNED 0x10 /* ts column's first byte, versions 2-3: deltas are zigzag-coded (some are negative) */
#define TS_END 0x20    /* ts column's first byte, version 4: deltas of end times (ts + latency), not of ts */
#define KEY_SAME 1     /* version 4 key symbols: the connection's last entry, */
#define KEY_NEXT 2     /* the entry created after that one, */
#define KEY_RANK0 3    /* and rank r as r + KEY_RANK0 */
#define UNIT_EXP_MAX 9
#define END_PROGRAM "mb-pack"


/* The fields of an event that make its shape, with the event frame's flags. */
struct shape {
	uint8_t cmd, status, proto, transport;
	uint16_t flags, fflags;
};

/* Powers of ten: the units (exponents) of the time and latency columns. */
static const uint64_t pow10[UNIT_EXP_MAX + 1] = { 1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
						  1000000000 };

#define PREFETCH_AHEAD 8 /* events ahead whose dictionary entries are prefetched */

/* Room for n more bytes in a column or block buffer; MB_EIO when memory runs out. */
static inline int buf_room(struct mb_buf *b, size_t n, struct mb_err *err)
{
	if (!mb_buf_reserve(b, n))
		return mb_err_set(err, MB_EIO, "out of memory for a profile block (%zu more bytes after %zu)", n, b->len);
	return MB_OK;
}

/* Shape indexes per byte of the shape column for a table of n shapes (0: one varint each). */
static inline unsigned shapes_per_byte(uint32_t n)
{
	if (n > 256)
		return 0;
	unsigned k = 1;
	for (uint32_t pw = n; k < 8 && pw * n <= 256; pw *= n)
		k++;
	return k;
}

#endif
