/* bench-pack-ref.c - write the two reference encodings bench-pack.sh compares profiles with, from one event stream.
 *
 * usage: bench-pack-ref IN MEMBENCH_OUT ORACLE_OUT
 *        bench-pack-ref --usec IN OUT    copy IN with timestamps and latencies cut to whole
 *                                        microseconds, as a libpcap capture records them
 * MEMBENCH_OUT: the original Rust membench record per event: u16 length prefix, then the
 *   bincode (fixed-int, little-endian) Event { ts: u64, conn_id: u16, cmd: enum (u32 variant
 *   index), flags: u8, key_hash: u64, key_size: u32, value_size: Option<NonZero<u32>> (u8
 *   tag, + u32 when Some) }: 30 bytes, 34 with a value size.
 * ORACLE_OUT: libCacheSim oracleGeneral records, 24 bytes packed: u32 clock time (seconds
 *   since the first event), u64 object id (the key hash), u32 object size, i64 next access
 *   (index of the next request of the same object, -1 if none).
 * The value size of an event is value_len, else resp_len, else 0 (None).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "stream.h"

struct rec {
	uint64_t ts, id;
	uint32_t size;
};

/* --usec: the stream with microsecond times. */
static int usec(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	struct mb_reader r;
	struct mb_writer w;
	struct mb_err err;
	struct mb_frame f;
	struct mb_event ev;
	int rc;
	if (!in || !out) {
		perror("bench-pack-ref");
		return 1;
	}
	if (mb_reader_open(&r, fileno(in), from, 0, &err) != MB_OK || mb_writer_init(&w, fileno(out), &err) != MB_OK ||
	    mb_writer_header(&w, &r.info, &err) != MB_OK) {
		fprintf(stderr, "bench-pack-ref: %s\n", err.msg);
		return 1;
	}
	while ((rc = mb_reader_next(&r, &f, &err)) == MB_OK) {
		if (f.type == MB_FRAME_EVENT && mb_event_decode(f.payload, f.len, r.info.kind, &ev, &err) == MB_OK) {
			ev.ts_ns -= ev.ts_ns % 1000;
			ev.latency_ns -= ev.latency_ns % 1000;
			rc = mb_writer_event(&w, &ev, &err);
		} else {
			rc = mb_writer_frame(&w, f.type, f.flags, f.payload, f.len, &err);
		}
		if (rc != MB_OK)
			break;
	}
	if (rc != MB_END || mb_writer_close(&w, &err) != MB_OK) {
		fprintf(stderr, "bench-pack-ref: %s\n", err.msg);
		return 1;
	}
	fclose(out);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--usec"))
		return usec(argv[2], argv[3]);
	if (argc != 4) {
		fprintf(stderr, "usage: bench-pack-ref IN MEMBENCH_OUT ORACLE_OUT\n");
		return 2;
	}
	FILE *in = fopen(argv[1], "rb"), *mb = fopen(argv[2], "wb"), *og = fopen(argv[3], "wb");
	if (!in || !mb || !og) {
		perror("bench-pack-ref");
		return 1;
	}
	struct mb_reader r;
	struct mb_err err;
	if (mb_reader_open(&r, fileno(in), argv[1], 1u << MB_KIND_EVENTS_HASHED, &err) != MB_OK) {
		fprintf(stderr, "bench-pack-ref: %s\n", err.msg);
		return 1;
	}
	size_t n = 0, cap = 1 << 20;
	struct rec *v = malloc(cap * sizeof *v);
	struct mb_frame f;
	struct mb_event ev;
	int rc;
	while ((rc = mb_reader_next(&r, &f, &err)) == MB_OK) {
		if (f.type != MB_FRAME_EVENT)
			continue;
		if (mb_event_decode(f.payload, f.len, r.info.kind, &ev, &err) != MB_OK)
			break;
		uint32_t size = ev.value_len ? ev.value_len : ev.resp_len;
		uint8_t b[34];
		mb_st_le16(b, size ? 32 : 28);
		mb_st_le64(b + 2, ev.ts_ns);
		mb_st_le16(b + 10, (uint16_t)ev.conn_id);
		mb_st_le32(b + 12, ev.cmd);
		b[16] = (uint8_t)ev.flags;
		mb_st_le64(b + 17, ev.key_hash);
		mb_st_le32(b + 25, ev.key_len);
		b[29] = size != 0;
		if (size)
			mb_st_le32(b + 30, size);
		fwrite(b, 1, size ? 34 : 30, mb);
		if (n == cap && !(v = realloc(v, (cap *= 2) * sizeof *v))) {
			fprintf(stderr, "bench-pack-ref: out of memory\n");
			return 1;
		}
		v[n++] = (struct rec){ ev.ts_ns, ev.key_hash, size };
	}
	if (rc != MB_END) {
		fprintf(stderr, "bench-pack-ref: %s\n", err.msg);
		return 1;
	}
	/* next access: a backward pass with an open-addressing table id -> latest index */
	size_t slots = 1;
	while (slots < 2 * n + 2)
		slots <<= 1;
	uint64_t *key = calloc(slots, sizeof *key);
	int64_t *at = malloc(slots * sizeof *at), *next = malloc((n ? n : 1) * sizeof *next);
	uint8_t *used = calloc(slots, 1);
	for (size_t i = n; i-- > 0;) {
		size_t s = (size_t)(v[i].id * 0x9e3779b97f4a7c15ULL >> 20) & (slots - 1);
		while (used[s] && key[s] != v[i].id)
			s = (s + 1) & (slots - 1);
		next[i] = used[s] ? at[s] : -1;
		used[s] = 1;
		key[s] = v[i].id;
		at[s] = (int64_t)i;
	}
	uint64_t t0 = n ? v[0].ts : 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t b[24];
		mb_st_le32(b, (uint32_t)((v[i].ts - t0) / 1000000000u));
		mb_st_le64(b + 4, v[i].id);
		mb_st_le32(b + 12, v[i].size);
		mb_st_le64(b + 16, (uint64_t)next[i]);
		fwrite(b, 1, 24, og);
	}
	fclose(mb);
	fclose(og);
	printf("%zu\n", n);
	return 0;
}
