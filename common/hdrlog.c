/* hdrlog.c - HdrHistogram interval log writer: V2 encoding (zig-zag LEB128 counts, runs of zeros), zlib, base64. */
#include "hdrlog.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "base64.h"

#define V2_ENCODING_COOKIE 0x1c849313u    /* V2 encoding, LEB128 counts (the 0x10 bit) */
#define V2_COMPRESSION_COOKIE 0x1c849314u /* V2 compressed: cookie, length, zlib stream */
#define HEADER_BYTES 40                   /* of the V2 encoding, before the counts */
#define LEB_MAX 9                         /* bytes of one zig-zag LEB128 number */

static uint8_t *put_be32(uint8_t *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--)
		*p++ = (uint8_t)(v >> (8 * i));
	return p;
}

static uint8_t *put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--)
		*p++ = (uint8_t)(v >> (8 * i));
	return p;
}

/* v zig-zag encoded, then 7 bits a byte, least significant first; the ninth byte carries 8. */
static uint8_t *put_zigzag(uint8_t *p, int64_t v)
{
	uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
	for (int i = 0; i < 8; i++) {
		if (u < 0x80) {
			*p++ = (uint8_t)u;
			return p;
		}
		*p++ = (uint8_t)(u | 0x80);
		u >>= 7;
	}
	*p++ = (uint8_t)u;
	return p;
}

static void fail(struct mb_hdrlog *l, int e)
{
	if (!l->err)
		l->err = e ? e : EIO;
}

int mb_hdrlog_open(struct mb_hdrlog *l, const char *path, struct mb_err *err)
{
	memset(l, 0, sizeof *l);
	snprintf(l->name, sizeof l->name, "%s", path);
	l->f = fopen(path, "w");
	if (!l->f)
		return mb_err_set(err, MB_EIO, "cannot create the HdrHistogram log: %s: '%s'", strerror(errno), path);
	return MB_OK;
}

void mb_hdrlog_start(struct mb_hdrlog *l, uint64_t start_unix_ns)
{
	if (!l->f || l->err)
		return;
	time_t secs = (time_t)(start_unix_ns / 1000000000u);
	struct tm tm;
	char date[64] = "";
	if (gmtime_r(&secs, &tm))
		strftime(date, sizeof date, "%a %b %d %H:%M:%S UTC %Y", &tm);
	double start = (double)start_unix_ns / 1e9;
	if (fprintf(l->f, "#[mb-fire: latency from the intended send time per command (Tag=command) and lateness "
			  "(Tag=lateness), ns]\n#[Histogram log format version 1.3]\n"
			  "#[StartTime: %.3f (seconds since epoch), %s]\n#[BaseTime: %.3f (seconds since epoch)]\n"
			  "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n",
		    start, date, start) < 0)
		fail(l, errno);
}

void mb_hdrlog_write(struct mb_hdrlog *l, const char *tag, double start_s, double length_s, const struct mb_hist *h)
{
	if (!l->f || l->err)
		return;
	size_t last = h->ncounts; /* the counts up to the last non-empty one */
	while (last && !h->counts[last - 1])
		last--;
	/* room: the encoding, its compression (zlib's bound), and the base64 of that */
	size_t enc_max = HEADER_BYTES + LEB_MAX * last;
	size_t z_max = 8 + compressBound((uLong)enc_max);
	size_t need = enc_max + z_max + (z_max + 2) / 3 * 4 + 1;
	if (need > l->cap) {
		uint8_t *b = realloc(l->buf, need);
		if (!b) {
			fail(l, ENOMEM);
			return;
		}
		l->buf = b;
		l->cap = need;
	}
	uint8_t *enc = l->buf, *z = l->buf + enc_max, *b64 = z + z_max;
	uint8_t *p = enc + HEADER_BYTES;
	for (size_t i = 0; i < last;) {
		if (h->counts[i]) {
			p = put_zigzag(p, (int64_t)h->counts[i++]);
			continue;
		}
		int64_t zeros = 0;
		while (i < last && !h->counts[i]) {
			zeros++;
			i++;
		}
		p = put_zigzag(p, -zeros);
	}
	uint32_t payload = (uint32_t)(p - enc - HEADER_BYTES);
	double one = 1.0;
	uint64_t ratio_bits;
	memcpy(&ratio_bits, &one, sizeof ratio_bits);
	uint8_t *q = put_be32(enc, V2_ENCODING_COOKIE);
	q = put_be32(q, payload);
	q = put_be32(q, 0); /* normalizing index offset */
	q = put_be32(q, (uint32_t)h->sigdigits);
	q = put_be64(q, h->lowest);
	q = put_be64(q, h->highest);
	put_be64(q, ratio_bits); /* integer to double conversion ratio */
	uLongf zlen = (uLongf)(z_max - 8);
	if (compress(z + 8, &zlen, enc, (uLong)(p - enc)) != Z_OK) {
		fail(l, ENOMEM);
		return;
	}
	put_be32(put_be32(z, V2_COMPRESSION_COOKIE), (uint32_t)zlen);
	uint8_t *e = mb_base64_encode(b64, z, 8 + (size_t)zlen);
	*e = '\0';
	if (fprintf(l->f, "Tag=%s,%.3f,%.3f,%.3f,%s\n", tag, start_s, length_s, (double)mb_hist_max(h) / 1e6,
		    (const char *)b64) < 0)
		fail(l, errno);
}

int mb_hdrlog_close(struct mb_hdrlog *l, struct mb_err *err)
{
	if (!l->f)
		return MB_OK;
	if (fflush(l->f) != 0 || ferror(l->f))
		fail(l, errno);
	if (fclose(l->f) != 0)
		fail(l, errno);
	l->f = NULL;
	free(l->buf);
	l->buf = NULL;
	if (l->err)
		return mb_err_set(err, MB_EIO, "cannot write the HdrHistogram log: %s: '%s'", strerror(l->err), l->name);
	return MB_OK;
}
