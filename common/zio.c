/* zio.c - zstd-or-plain byte input with a line reader, and a plain buffered output (zio.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "prog.h"
#include "zio.h"

#define RAW_CAP (128u * 1024)
static const uint8_t zstd_magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };

static int zin_alloc(struct mb_zin *z, struct mb_err *err)
{
	z->line_max = MB_ZIN_LINE_MAX;
	z->stop = &mb_stop_requested;
	z->cap = MB_ZIN_BUF;
	z->buf = malloc(z->cap);
	if (!z->buf)
		return mb_err_set(err, MB_EIO, "out of memory");
	return MB_OK;
}

int mb_zin_open_fd(struct mb_zin *z, int fd, struct mb_err *err)
{
	memset(z, 0, sizeof *z);
	z->fd = fd;
	return zin_alloc(z, err);
}

int mb_zin_open_mem(struct mb_zin *z, const void *p, size_t n, struct mb_err *err)
{
	memset(z, 0, sizeof *z);
	z->fd = -1;
	z->mem = p;
	z->mem_len = n;
	return zin_alloc(z, err);
}

int mb_zin_set_line_max(struct mb_zin *z, size_t n, struct mb_err *err)
{
	size_t cap = n + 2 > MB_ZIN_BUF ? n + 2 : MB_ZIN_BUF; /* the line, its '\n' and one byte past the cap */
	if (cap > z->cap) {
		uint8_t *p = realloc(z->buf, cap);
		if (!p)
			return mb_err_set(err, MB_EIO, "out of memory for lines of %zu bytes", n);
		z->buf = p;
		z->cap = cap;
	}
	z->line_max = n;
	return MB_OK;
}

void mb_zin_close(struct mb_zin *z)
{
	free(z->buf);
	free(z->raw);
	if (z->zs)
		ZSTD_freeDStream(z->zs);
	memset(z, 0, sizeof *z);
	z->fd = -1;
}

/* Read up to n bytes of the underlying source into p: count, 0 at its end, -1 on error. */
static long src_read(struct mb_zin *z, uint8_t *p, size_t n, struct mb_err *err)
{
	if (z->fd < 0) {
		size_t k = z->mem_len - z->mem_pos;
		if (k > n)
			k = n;
		memcpy(p, z->mem + z->mem_pos, k);
		z->mem_pos += k;
		return (long)k;
	}
	for (;;) {
		if (z->stop && *z->stop) {
			z->stopped = true;
			return 0; /* a stop request ends the input */
		}
		ssize_t r = read(z->fd, p, n);
		if (r >= 0)
			return (long)r;
		if (errno == EINTR)
			continue;
		z->rc = mb_err_set(err, MB_EIO, "read error: %s", strerror(errno));
		return -1;
	}
}

/* Refill the compressed buffer when it is drained; -1 on error. */
static int raw_refill(struct mb_zin *z, struct mb_err *err)
{
	if (z->raw_pos < z->raw_len || z->in_eof)
		return 0;
	long r = src_read(z, z->raw, z->raw_cap, err);
	if (r < 0)
		return -1;
	z->raw_pos = 0;
	z->raw_len = (size_t)r;
	if (r == 0)
		z->in_eof = true;
	return 0;
}

/* Look at the first bytes: a zstd magic switches decompression on (the magic stays in raw). */
static int sniff(struct mb_zin *z, struct mb_err *err)
{
	z->sniffed = true;
	z->raw_cap = RAW_CAP;
	z->raw = malloc(z->raw_cap);
	if (!z->raw)
		return z->rc = mb_err_set(err, MB_EIO, "out of memory"), -1;
	while (z->raw_len < 4 && !z->in_eof) {
		long r = src_read(z, z->raw + z->raw_len, z->raw_cap - z->raw_len, err);
		if (r < 0)
			return -1;
		if (r == 0)
			z->in_eof = true;
		z->raw_len += (size_t)r;
	}
	if (z->raw_len >= 4 && !memcmp(z->raw, zstd_magic, 4)) {
		z->zstd = true;
		z->zs = ZSTD_createDStream();
		if (!z->zs || ZSTD_isError(ZSTD_initDStream(z->zs)))
			return z->rc = mb_err_set(err, MB_EIO, "out of memory"), -1;
	}
	return 0;
}

/* Append more bytes to buf[end..cap): plain copy or decompression. -1 on error. */
static int produce(struct mb_zin *z, struct mb_err *err)
{
	if (!z->zstd) {
		if (z->raw_pos < z->raw_len) {
			size_t k = z->raw_len - z->raw_pos;
			if (k > z->cap - z->end)
				k = z->cap - z->end;
			memcpy(z->buf + z->end, z->raw + z->raw_pos, k);
			z->raw_pos += k;
			z->end += k;
			return 0;
		}
		if (z->in_eof)
			return 0;
		long r = src_read(z, z->buf + z->end, z->cap - z->end, err);
		if (r < 0)
			return -1;
		if (r == 0)
			z->in_eof = true;
		z->end += (size_t)r;
		return 0;
	}
	for (;;) {
		if (raw_refill(z, err) < 0)
			return -1;
		if (z->raw_pos == z->raw_len) {
			if (z->frame_open && !z->stopped)
				return z->rc = mb_err_set(err, MB_ERR, "truncated zstd input after %llu decompressed bytes",
							  (unsigned long long)(z->base + z->end)),
				       -1;
			return 0;
		}
		ZSTD_inBuffer in = { z->raw, z->raw_len, z->raw_pos };
		ZSTD_outBuffer out = { z->buf, z->cap, z->end };
		size_t r = ZSTD_decompressStream(z->zs, &out, &in);
		if (ZSTD_isError(r))
			return z->rc = mb_err_set(err, MB_ERR, "corrupt zstd input (%s) after %llu decompressed bytes",
						  ZSTD_getErrorName(r), (unsigned long long)(z->base + z->end)),
			       -1;
		z->raw_pos = in.pos;
		z->frame_open = r != 0;
		size_t got = out.pos - z->end;
		z->end = out.pos;
		if (got > 0 || z->end == z->cap)
			return 0;
	}
}

long mb_zin_fill(struct mb_zin *z, size_t n, struct mb_err *err)
{
	if (!z->sniffed && sniff(z, err) < 0)
		return -1;
	if (n > z->cap)
		n = z->cap;
	while (z->end - z->start < n) {
		if (z->start > 0 && z->cap - z->start < n) {
			memmove(z->buf, z->buf + z->start, z->end - z->start);
			z->base += z->start;
			z->end -= z->start;
			z->start = 0;
		}
		size_t before = z->end;
		if (produce(z, err) < 0)
			return -1;
		if (z->end == before)
			break; /* end of input */
	}
	return (long)(z->end - z->start);
}

/* Drop the rest of a refused overlong line, through its '\n' (or to the end of input). MB_OK or an error rc. */
static int skip_rest(struct mb_zin *z, struct mb_err *err)
{
	for (;;) {
		const uint8_t *p = z->buf + z->start;
		const uint8_t *nl = memchr(p, '\n', z->end - z->start);
		if (nl) {
			z->start += (size_t)(nl - p) + 1;
			break;
		}
		z->start = z->end;
		long got = mb_zin_fill(z, 1, err);
		if (got < 0)
			return z->rc;
		if (got == 0)
			break;
	}
	z->skip = false;
	return MB_OK;
}

int mb_zin_line(struct mb_zin *z, const char **line, size_t *len, struct mb_err *err)
{
	if (z->skip) {
		int rc = skip_rest(z, err);
		if (rc != MB_OK)
			return rc;
	}
	size_t scanned = 0;
	for (;;) {
		size_t avail = z->end - z->start;
		const uint8_t *p = z->buf + z->start;
		const uint8_t *nl = scanned < avail ? memchr(p + scanned, '\n', avail - scanned) : NULL;
		if (nl) {
			size_t n = (size_t)(nl - p);
			if (n > z->line_max)
				break;
			*line = (const char *)p;
			*len = n;
			z->start += n + 1;
			z->line++;
			return MB_OK;
		}
		scanned = avail;
		if (avail > z->line_max)
			break;
		long got = mb_zin_fill(z, avail + 1, err);
		if (got < 0)
			return z->rc;
		if ((size_t)got == avail) {
			if (avail == 0)
				return MB_END;
			*line = (const char *)z->buf + z->start;
			*len = avail;
			z->start += avail;
			z->line++;
			return MB_OK;
		}
	}
	/* Too long: refuse it now; the next call drops its rest first. */
	z->line++;
	z->skip = true;
	return mb_err_set(err, MB_ERR, "line longer than %zu bytes", z->line_max);
}

int mb_zout_init(struct mb_zout *o, int fd, struct mb_err *err)
{
	memset(o, 0, sizeof *o);
	o->fd = fd;
	o->name = fd == 1 ? "stdout" : "output";
	o->cap = MB_ZOUT_BUF;
	o->buf = malloc(o->cap);
	if (!o->buf)
		return mb_err_set(err, MB_EIO, "out of memory");
	return MB_OK;
}

/* The output's sticky failure: its rc, with its message copied into err. */
static int zout_failed(const struct mb_zout *o, struct mb_err *err)
{
	if (err)
		*err = o->fail;
	return o->rc;
}

int mb_zout_flush(struct mb_zout *o, struct mb_err *err)
{
	size_t done = 0;
	while (o->rc == MB_OK && done < o->len) {
		ssize_t n = write(o->fd, o->buf + done, o->len - done);
		if (n > 0) {
			done += (size_t)n;
			o->written += (uint64_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && errno == EPIPE) {
			o->rc = mb_err_set(&o->fail, MB_EPIPE, "output closed by its reader: '%s' at byte %llu", o->name,
					   (unsigned long long)o->written);
		} else {
			o->rc = mb_err_set(&o->fail, MB_EIO, "write error: %s: '%s' at byte %llu",
					   n < 0 ? strerror(errno) : "no progress", o->name, (unsigned long long)o->written);
		}
	}
	o->len = 0;
	return o->rc == MB_OK ? MB_OK : zout_failed(o, err);
}

uint8_t *mb_zout_reserve(struct mb_zout *o, size_t n, struct mb_err *err)
{
	if (o->rc == MB_OK && o->cap - o->len < n)
		mb_zout_flush(o, err);
	if (o->rc != MB_OK) {
		zout_failed(o, err);
		return NULL;
	}
	if (n > o->cap)
		return NULL;
	return o->buf + o->len;
}

int mb_zout_write(struct mb_zout *o, const void *p, size_t n, struct mb_err *err)
{
	const uint8_t *s = p;
	while (n > 0) {
		size_t k = n < o->cap ? n : o->cap;
		uint8_t *d = mb_zout_reserve(o, k, err);
		if (!d)
			return o->rc;
		memcpy(d, s, k);
		o->len += k;
		s += k;
		n -= k;
	}
	return MB_OK;
}

void mb_zout_free(struct mb_zout *o)
{
	free(o->buf);
	o->buf = NULL;
}
