/* fuzz-profile.c - libFuzzer target: the profile reader on raw bytes, on valid blocks with arbitrary columns, and writer/reader round trips. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <zstd.h>

#include "bytes.h"
#include "profile.h"
#include "stream.h"
#include "varint.h"

/* A memory file holding p[0..n), positioned at 0; -1 on failure. */
static int memfile(const uint8_t *p, size_t n)
{
	int fd = memfd_create("fuzz-profile", 0);
	if (fd < 0)
		return -1;
	if (write(fd, p, n) != (ssize_t)n || lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Read a whole input through mb_reader, touching every returned byte; returns events read. */
static uint64_t drain(int fd)
{
	struct mb_reader r;
	struct mb_err err;
	struct mb_frame f;
	uint64_t events = 0;
	int rc = mb_reader_open(&r, fd, "<fuzz>", 0, &err);
	while (rc == MB_OK && (rc = mb_reader_next(&r, &f, &err)) == MB_OK) {
		volatile uint8_t x = 0;
		for (uint32_t i = 0; i < f.len; i++)
			x ^= f.payload[i];
		(void)x;
		events += f.type == MB_FRAME_EVENT;
	}
	mb_reader_close(&r);
	return events;
}

/* Append a block of `type` whose decoded payload is p[0..n) with valid checksums. */
static size_t put_block(uint8_t *out, unsigned type, unsigned flags, uint32_t records, const uint8_t *p, size_t n)
{
	size_t z = ZSTD_compress(out + MB_PROFILE_BLOCK_HDR, ZSTD_compressBound(n), p, n, 1);
	if (ZSTD_isError(z))
		abort();
	memcpy(out, "MBBK", 4);
	out[4] = (uint8_t)type;
	out[5] = (uint8_t)flags;
	mb_st_le16(out + 6, 0);
	mb_st_le32(out + 8, (uint32_t)z);
	mb_st_le32(out + 12, (uint32_t)n);
	mb_st_le32(out + 16, records);
	mb_st_le32(out + 20, mb_crc32c(0, out + MB_PROFILE_BLOCK_HDR, z));
	mb_st_le32(out + 24, mb_crc32c(0, out, 24));
	return MB_PROFILE_BLOCK_HDR + z;
}

#define EVENT_COLS_MAX 17 /* columns of an events block: 17, 16 in version 2 (doc/profile.md) */

/*
 * An events block payload of ncols columns from chunk bytes p[0..n): a column directory
 * whose lengths are p[0..ncols-1) (the last column takes what is left), then the rest of p
 * as columns. Returns the payload length written to out.
 */
static size_t with_directory(uint8_t *out, unsigned ncols, const uint8_t *p, size_t n)
{
	size_t head = n < ncols - 1 ? n : ncols - 1, left = n - head, o = 0;
	out[o++] = (uint8_t)ncols;
	for (size_t i = 0; i < ncols; i++) {
		size_t l = i < head ? (p[i] < left ? p[i] : left) : left;
		if (i + 1 == ncols)
			l = left;
		o += mb_put_uvarint(out + o, l);
		left -= l;
	}
	memcpy(out + o, p + head, n - head);
	return o + n - head;
}

/*
 * Mode 1: a valid header of version 2, 3 or 4 (bits 1-2 of the first byte: every version
 * read has its own column decoder), then blocks whose decoded payloads are chunks of the input:
 * each chunk is [u8 type/flags][u8 records][u16 length][bytes], so the fuzzer reaches the
 * column decoder behind the checksums and zstd. Type/flags bit 3 on an events block: the
 * chunk's first bytes give the column lengths and a valid directory is put in front.
 */
static void columns(const uint8_t *data, size_t size)
{
	size_t cap = 64 + size * 2 + 64 * ZSTD_compressBound(0) + 65536;
	uint8_t *out = malloc(cap), *h = out, *payload = malloc(65536 + EVENT_COLS_MAX * 10 + 1);
	size_t n = 0;
	bool raw = size && (data[0] & 1);
	unsigned version = MB_PROFILE_VERSION_MIN + (size ? data[0] >> 1 : 0) % (MB_PROFILE_VERSION - MB_PROFILE_VERSION_MIN + 1);
	memcpy(h, MB_PROFILE_MAGIC, 8);
	mb_st_le16(h + 8, (uint16_t)version);
	mb_st_le16(h + 10, raw ? MB_KIND_EVENTS_RAW : MB_KIND_EVENTS_HASHED);
	mb_st_le32(h + 12, raw ? MB_PROFILE_F_RAW_KEYS : 0);
	mb_st_le32(h + 16, 0);
	mb_st_le32(h + 20, mb_crc32c(0, h, 20));
	n = 24;
	struct mb_cur c = mb_cur_make(data, size);
	mb_skip(&c, 1);
	for (int blocks = 0; mb_cur_left(&c) >= 4 && blocks < 64; blocks++) {
		uint8_t tf = mb_get_u8(&c), rec = mb_get_u8(&c);
		uint16_t len = mb_get_le16(&c);
		if (len > mb_cur_left(&c))
			len = (uint16_t)mb_cur_left(&c);
		const uint8_t *p = mb_get_bytes(&c, len);
		unsigned type = 1 + (tf & 3) % 3;
		if (type == MB_PB_EVENTS && (tf & 8)) {
			len = (uint16_t)with_directory(payload, version == 2 ? 16 : 17, p, len);
			p = payload;
		}
		n += put_block(out + n, type, (tf >> 2) & 1, type == MB_PB_EVENTS ? rec + 1u : 1u, p, len);
	}
	int fd = memfile(out, n);
	if (fd >= 0) {
		drain(fd);
		close(fd);
	}
	free(out);
	free(payload);
}

/* Mode 2: events made from the input, written by the profile writer, must read back exactly. */
static void roundtrip(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-profile-out", 0);
	if (fd < 0)
		return;
	bool raw = size && (data[0] & 1);
	struct mb_stream_info info;
	mb_info_init(&info, raw ? MB_KIND_EVENTS_RAW : MB_KIND_EVENTS_HASHED);
	struct mb_profile_writer *pw;
	struct mb_err err;
	if (mb_profile_writer_open(&pw, fd, &info, raw, 1, &err) != MB_OK)
		abort();
	mb_profile_writer_set_block_events(pw, 1 + (size > 1 ? data[1] % 8 : 0));
	/* each event: 44 fixed bytes as in a frame + key byte count (raw) or 8 hash bytes */
	struct mb_cur c = mb_cur_make(data, size);
	mb_skip(&c, 2);
	uint8_t *frames = malloc(size * 2 + 64);
	size_t nf = 0;
	uint64_t events = 0;
	while (mb_cur_left(&c) >= MB_EVENT_FIXED + 1) {
		const uint8_t *p = mb_get_bytes(&c, MB_EVENT_FIXED);
		uint8_t kl = mb_get_u8(&c) & 15;
		struct mb_event ev;
		uint8_t payload[MB_EVENT_FIXED + 16];
		memcpy(payload, p, MB_EVENT_FIXED);
		if (raw) {
			if (mb_cur_left(&c) < kl)
				break;
			mb_st_le16(payload + 38, kl);
			memcpy(payload + MB_EVENT_FIXED, mb_get_bytes(&c, kl), kl);
		} else {
			if (mb_cur_left(&c) < 8)
				break;
			memcpy(payload + MB_EVENT_FIXED, mb_get_bytes(&c, 8), 8);
		}
		uint32_t len = MB_EVENT_FIXED + (raw ? kl : 8u);
		if (mb_event_decode(payload, len, info.kind, &ev, &err) != MB_OK)
			abort();
		if (mb_profile_write_event(pw, &ev, 0, &err) != MB_OK)
			abort();
		memcpy(frames + nf, payload, len);
		nf += len;
		events++;
	}
	if (mb_profile_writer_close(pw, &err) != MB_OK || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	struct mb_reader r;
	struct mb_frame f;
	int rc = mb_reader_open(&r, fd, "<fuzz>", 0, &err);
	size_t at = 0;
	uint64_t got = 0;
	while (rc == MB_OK && (rc = mb_reader_next(&r, &f, &err)) == MB_OK) {
		if (f.type != MB_FRAME_EVENT)
			continue;
		if (at + f.len > nf || memcmp(frames + at, f.payload, f.len))
			abort(); /* the profile did not give back the event written */
		at += f.len;
		got++;
	}
	if (rc != MB_END || got != events || at != nf)
		abort();
	mb_reader_close(&r);
	close(fd);
	free(frames);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0 || size > 200000)
		return 0;
	switch (data[0] % 3) {
	case 0: {
		int fd = memfile(data + 1, size - 1);
		if (fd >= 0) {
			drain(fd);
			close(fd);
		}
		break;
	}
	case 1: columns(data + 1, size - 1); break;
	default: roundtrip(data + 1, size - 1); break;
	}
	return 0;
}
