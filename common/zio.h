/* zio.h - byte input that transparently undoes zstd compression, a line reader over it, and a plain buffered output. */
#ifndef MB_ZIO_H
#define MB_ZIO_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define MB_ZIN_BUF (256u * 1024)  /* decompressed bytes buffered at a time (> 2 lines of the maximum) */
#define MB_ZOUT_BUF (256u * 1024) /* output bytes buffered before a write(2) */
#define MB_ZIN_LINE_MAX 65536     /* longest text line mb_zin_line accepts by default, without its '\n' */

/*
 * A byte source: a file descriptor or a memory block. When the first four bytes
 * are the zstd frame magic (28 b5 2f fd) the source is decompressed on the fly
 * (concatenated frames too); otherwise bytes pass through. Offsets and line
 * numbers count decompressed bytes.
 */
struct mb_zin {
	int fd;                     /* -1 for a memory source */
	const uint8_t *mem;         /* memory source */
	size_t mem_len, mem_pos;
	bool zstd;                  /* the input is zstd-compressed */
	bool sniffed;               /* the first bytes were looked at */
	bool in_eof;                /* the underlying source is exhausted */
	bool frame_open;            /* inside a zstd frame (more input required to finish it) */
	void *zs;                   /* ZSTD_DStream */
	uint8_t *raw;               /* compressed bytes read, not yet decompressed */
	size_t raw_pos, raw_len, raw_cap;
	uint8_t *buf;               /* decompressed (or plain) bytes */
	size_t start, end, cap;
	uint64_t base;              /* offset of buf[0] in the decompressed input */
	uint64_t line;              /* lines returned by mb_zin_line so far */
	size_t line_max;            /* longest line mb_zin_line accepts (MB_ZIN_LINE_MAX unless set) */
	bool skip;                  /* an overlong line was refused: its rest is dropped first */
	volatile sig_atomic_t *stop; /* when *stop is set (SIGINT/SIGTERM), nothing more is read: the input ends */
	bool stopped;               /* the input ended because *stop was set */
	int rc;                     /* MB_ERR or MB_EIO after a failed fill */
};

/*
 * Attach to fd (not closed by mb_zin_close). MB_OK or MB_EIO (out of memory).
 * z->stop starts as the program's stop flag (mb_stop_requested, prog.h).
 */
int mb_zin_open_fd(struct mb_zin *z, int fd, struct mb_err *err);
/* Attach to n bytes at p (kept by the caller until mb_zin_close). */
int mb_zin_open_mem(struct mb_zin *z, const void *p, size_t n, struct mb_err *err);
/*
 * Make at least n (<= MB_ZIN_BUF) bytes available: returns how many are (fewer
 * only at the end of input), or -1 with err set and z->rc MB_EIO (read error)
 * or MB_ERR (corrupt or truncated zstd stream).
 */
long mb_zin_fill(struct mb_zin *z, size_t n, struct mb_err *err);
/* The available bytes (after mb_zin_fill). */
static inline const uint8_t *mb_zin_peek(const struct mb_zin *z) { return z->buf + z->start; }
/* Consume n available bytes. */
static inline void mb_zin_consume(struct mb_zin *z, size_t n) { z->start += n; }
/* Decompressed offset of the next unconsumed byte. */
static inline uint64_t mb_zin_offset(const struct mb_zin *z) { return z->base + z->start; }
/*
 * Next line without its newline (a last line without one counts): MB_OK with
 * line and len valid until the next call, MB_END at the end (or when stopped),
 * MB_ERR for a line longer than z->line_max (returned as soon as the line passes
 * the cap, so an endless line costs bounded memory and time; a caller that goes
 * on gets the line after it) or a bad zstd stream, MB_EIO on a read error.
 * z->line is the 1-based number of the returned (or refused) line.
 */
int mb_zin_line(struct mb_zin *z, const char **line, size_t *len, struct mb_err *err);
/* Accept lines up to n bytes (more than MB_ZIN_LINE_MAX: the buffer grows). MB_OK or MB_EIO (out of memory). */
int mb_zin_set_line_max(struct mb_zin *z, size_t n, struct mb_err *err);
/* Release buffers (does not close fd). */
void mb_zin_close(struct mb_zin *z);

/* Buffered plain output to a file descriptor. */
struct mb_zout {
	int fd;
	const char *name;           /* for messages: "stdout" for fd 1, else "output" */
	uint8_t *buf;
	size_t len, cap;
	uint64_t written;           /* bytes handed to write(2) */
	int rc;                     /* MB_OK, or MB_EPIPE / MB_EIO once the output failed (writes are then dropped) */
	struct mb_err fail;         /* the message of that failure, copied into err by every later call */
};

/* Set up with an MB_ZOUT_BUF buffer. MB_OK or MB_EIO. */
int mb_zout_init(struct mb_zout *o, int fd, struct mb_err *err);
/* Room for n (<= MB_ZOUT_BUF) bytes at o->buf + o->len, flushing first if needed; the caller then adds what it wrote to o->len. NULL on output failure (o->rc, err set). */
uint8_t *mb_zout_reserve(struct mb_zout *o, size_t n, struct mb_err *err);
/* Append n bytes: MB_OK, MB_EPIPE (reader gone) or MB_EIO. */
int mb_zout_write(struct mb_zout *o, const void *p, size_t n, struct mb_err *err);
/* Write out buffered bytes: MB_OK, MB_EPIPE or MB_EIO. */
int mb_zout_flush(struct mb_zout *o, struct mb_err *err);
/* Release the buffer (does not flush or close fd). */
void mb_zout_free(struct mb_zout *o);

#endif
