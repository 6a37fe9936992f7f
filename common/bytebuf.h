/* bytebuf.h - the growable byte buffer: text lines, report pages, profile columns and blocks. */
#ifndef MB_BYTEBUF_H
#define MB_BYTEBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer: len bytes used of cap at p (u: the same bytes, unsigned). Zero-initialised is empty. */
struct mb_buf {
	union {
		char *p;
		uint8_t *u;
	};
	size_t len, cap;
};

/* Make room for n more bytes (at least 64 KiB, doubling); false on allocation failure, the buffer unchanged. */
bool mb_buf_reserve(struct mb_buf *b, size_t n);
/* Free the bytes; the buffer is empty again. */
void mb_buf_free(struct mb_buf *b);

#endif
