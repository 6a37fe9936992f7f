/* profile-codec.c - unit tests of the profile's column codes: edge values of every number, shape tables of every size, dictionary resets. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <zstd.h>

#include "bytes.h"
#include "profile.h"
#include "profile_format.h"
#include "stream.h"
#include "tap.h"

#define NMAX 140000

/* The events a case writes, and their frame flags. */
static struct mb_event evs[NMAX];
static uint16_t fflags[NMAX];
static uint8_t keys[NMAX][8]; /* raw keys: 8 bytes of the key id, key_len of them used */

/* Print what differs in event i. */
static void diag_event(uint32_t i, const struct mb_event *got, const struct mb_event *want)
{
	printf("# event %u: ts %llu/%llu lat %llu/%llu conn %u/%u sizes %u,%u/%u,%u ttl %d/%d batch %u/%u\n", i,
	       (unsigned long long)got->ts_ns, (unsigned long long)want->ts_ns, (unsigned long long)got->latency_ns,
	       (unsigned long long)want->latency_ns, got->conn_id, want->conn_id, got->value_len, got->resp_len,
	       want->value_len, want->resp_len, got->ttl, want->ttl, got->batch_id, want->batch_id);
}

/* Write n events of evs[] as a profile (block events, dictionary limit), read it back, compare every field. */
static int round_trip(uint32_t n, bool raw, uint32_t block, uint32_t dict_max, uint64_t *blocks)
{
	int fd = memfd_create("unit-profile-codec", 0);
	struct mb_stream_info info;
	struct mb_profile_writer *pw;
	struct mb_err err;
	mb_info_init(&info, raw ? MB_KIND_EVENTS_RAW : MB_KIND_EVENTS_HASHED);
	if (fd < 0 || mb_profile_writer_open(&pw, fd, &info, raw, 3, &err) != MB_OK)
		return 0;
	mb_profile_writer_set_block_events(pw, block);
	if (mb_profile_writer_set_dict_max(pw, dict_max, &err) != MB_OK)
		return 0;
	for (uint32_t i = 0; i < n; i++)
		if (mb_profile_write_event(pw, &evs[i], fflags[i], &err) != MB_OK)
			return 0;
	if (mb_profile_writer_close(pw, &err) != MB_OK || lseek(fd, 0, SEEK_SET) != 0)
		return 0;

	struct mb_reader r;
	struct mb_frame f;
	struct mb_event ev;
	uint32_t i = 0, bad = 0;
	int rc = mb_reader_open(&r, fd, "<unit>", 0, &err);
	while (rc == MB_OK && (rc = mb_reader_next(&r, &f, &err)) == MB_OK) {
		if (f.type == MB_FRAME_SUMMARY) {
			struct mb_summary s;
			if (mb_summary_decode(f.payload, f.len, &s, &err) != MB_OK)
				bad++;
			*blocks = mb_summary_get(&s, "blocks");
			continue;
		}
		if (i >= n || mb_event_decode(f.payload, f.len, r.info.kind, &ev, &err) != MB_OK) {
			bad++;
			break;
		}
		const struct mb_event *w = &evs[i];
		if (ev.ts_ns != w->ts_ns || ev.latency_ns != w->latency_ns || ev.conn_id != w->conn_id ||
		    ev.batch_id != w->batch_id || ev.value_len != w->value_len || ev.resp_len != w->resp_len ||
		    ev.ttl != w->ttl || ev.flags != w->flags || ev.key_len != w->key_len || ev.proto != w->proto ||
		    ev.transport != w->transport || ev.cmd != w->cmd || ev.status != w->status || f.flags != fflags[i] ||
		    (raw ? memcmp(ev.key, w->key, w->key_len) != 0 : ev.key_hash != w->key_hash)) {
			if (bad++ < 3)
				diag_event(i, &ev, w);
		}
		i++;
	}
	if (rc != MB_END)
		printf("# reader: %s\n", err.msg);
	mb_reader_close(&r);
	close(fd);
	return rc == MB_END && !bad && i == n;
}

/* Event i's key: id, hashed (key_hash from the id, key_len given) or raw (8 bytes of the id). */
static void set_key(uint32_t i, uint32_t id, uint16_t klen)
{
	evs[i].key_hash = 0x9e3779b97f4a7c15ULL * (id + 1);
	evs[i].key_len = klen;
	for (int b = 0; b < 8; b++)
		keys[i][b] = (uint8_t)((uint64_t)id >> (8 * b));
	evs[i].key = keys[i];
}

#define N_OF(a) (sizeof a / sizeof a[0])

/* Case A: every number at its edges, in changing combinations. */
static void edges(uint32_t n, bool raw)
{
	static const uint64_t ts[] = { 0, 0, 1, 2, 3, 4, 7, 8, 1ull << 62, (1ull << 63) - 1, UINT64_MAX, 0, 1ull << 63,
				       5, 4, 1000000, 999999, 999999 };
	static const uint64_t lat[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 255, 256, 1ull << 32, UINT64_MAX, UINT64_MAX - 1,
					1ull << 63, 1000, 0 };
	static const uint32_t conn[] = { 0, 1, 3, 4, 255, 256, UINT32_MAX, UINT32_MAX - 1, 1u << 31, 7 };
	static const int32_t ttl[] = { 0, -1, 1, INT32_MIN, INT32_MAX };
	static const uint32_t batch[] = { 0, 1, UINT32_MAX, 0, 1u << 31, 5 };
	static const uint32_t vlen[] = { 0, 1, UINT32_MAX, UINT32_MAX, 2, 0, 3 };
	static const uint32_t rlen[] = { 1, 0, UINT32_MAX, 4, 4, 0, 0, 5 };
	static const uint16_t klen[] = { 0, 1, 250, 65535 };
	for (uint32_t i = 0; i < n; i++) {
		struct mb_event *e = &evs[i];
		memset(e, 0, sizeof *e);
		e->ts_ns = ts[i % N_OF(ts)];
		e->latency_ns = lat[i % N_OF(lat)];
		e->conn_id = conn[i % N_OF(conn)];
		e->ttl = ttl[i % N_OF(ttl)];
		e->batch_id = batch[i % N_OF(batch)];
		e->value_len = vlen[i % N_OF(vlen)];
		e->resp_len = rlen[i % N_OF(rlen)];
		e->cmd = (uint8_t)(i % 3 ? MB_CMD_GET : MB_CMD_SET);
		e->status = (uint8_t)(i % 5 ? MB_ST_HIT : MB_ST_MISS);
		e->proto = MB_PROTO_TEXT;
		e->flags = i % 11 ? 0 : 0xffff;
		fflags[i] = i % 13 ? 0 : 0xffff;
		set_key(i, i % 37, raw ? 8 : klen[i % 37 % N_OF(klen)]);
	}
}

/* Case B: times in whole units of 10^unit ns (some going back), latencies in microseconds. */
static void units(uint32_t n, unsigned unit)
{
	uint64_t u = 1;
	for (unsigned k = 0; k < unit; k++)
		u *= 10;
	for (uint32_t i = 0; i < n; i++) {
		struct mb_event *e = &evs[i];
		memset(e, 0, sizeof *e);
		e->ts_ns = 1000000000000000000ull + (i % 10 == 9 ? i - 3 : i) * u;
		e->latency_ns = (i % 7) * 1000;
		e->conn_id = i % 3;
		e->cmd = MB_CMD_GET;
		e->status = MB_ST_MISS;
		e->proto = MB_PROTO_META;
		fflags[i] = 0;
		set_key(i, i % 100, 10);
	}
}

/*
 * Case C: nb shapes (without sizes) cycling, each with all nine value/resp size classes
 * (zero, the key's last size, a new size) when classes, else sizes 0.
 */
static void shapes(uint32_t n, uint32_t nb, bool classes)
{
	uint32_t last[50] = { 0 };
	for (uint32_t i = 0; i < n; i++) {
		struct mb_event *e = &evs[i];
		uint32_t s = i % nb, c = classes ? i / nb % 9 : 0, id = i % 50;
		memset(e, 0, sizeof *e);
		e->ts_ns = 1000 * (uint64_t)i;
		e->cmd = (uint8_t)(1 + s % 23);
		e->status = (uint8_t)(s % 14);
		e->proto = (uint8_t)(s % 4);
		e->transport = (uint8_t)(s % 3);
		e->flags = (uint16_t)s;
		fflags[i] = (uint16_t)(s % 2);
		set_key(i, id, 12);
		uint32_t *sz[2] = { &e->value_len, &e->resp_len };
		for (unsigned k = 0; k < 2; k++) {
			unsigned cl = k ? c / 3 : c % 3;
			*sz[k] = cl == 0 ? 0 : cl == 1 && last[id] ? last[id] : last[id] + 1 + i % 3;
			if (*sz[k])
				last[id] = *sz[k];
		}
	}
}

/* Case D: n / 2 new keys, then n / 2 events naming earlier ones (ids past 2^16). */
static void many_keys(uint32_t n, bool raw)
{
	for (uint32_t i = 0; i < n; i++) {
		struct mb_event *e = &evs[i];
		memset(e, 0, sizeof *e);
		e->ts_ns = 5000 + i;
		e->cmd = MB_CMD_GET;
		e->status = MB_ST_HIT;
		e->resp_len = 1 + i % 3;
		fflags[i] = 0;
		set_key(i, i < n / 2 ? i : i * 7919 % (n / 2), raw ? 8 : 20);
	}
}

/*
 * Case E: events in order of completion, as mb-parse writes them: request times going back
 * and forth, end times (ts + latency) rising, both in whole units of 10^unit ns.
 */
static void completion(uint32_t n, unsigned unit)
{
	uint64_t u = 1, end = 1700000000000000000ull;
	for (unsigned k = 0; k < unit; k++)
		u *= 10;
	for (uint32_t i = 0; i < n; i++) {
		struct mb_event *e = &evs[i];
		memset(e, 0, sizeof *e);
		end += (1 + i * 7919 % 23) * u;
		e->latency_ns = (i % 5 == 4 ? 40 + i % 300 : 3 + i % 17) * u;
		e->ts_ns = end - e->latency_ns;
		e->conn_id = i % 4;
		e->cmd = i % 3 ? MB_CMD_GET : MB_CMD_SET;
		e->status = i % 3 ? MB_ST_HIT : MB_ST_STORED;
		e->proto = MB_PROTO_BINARY;
		e->value_len = i % 3 ? 0 : 100 + i % 7;
		e->resp_len = i % 3 ? 100 + i % 7 : 0;
		fflags[i] = 0;
		set_key(i, i % 1000, 16);
	}
}

/*
 * Case F: the key symbols of version 4 on connections whose slots collide (0, 4096, 8192,
 * 4095 and 2^32-1 share slots mod 4096): a get that misses then a set of the same key,
 * keys in creation order, keys named again at random; ttls and batches that repeat, change
 * and return to 0, at their limits.
 */
static void conn_keys(uint32_t n, bool raw)
{
	static const uint32_t conn[] = { 0, 4096, 8192, 4095, UINT32_MAX, 7 };
	static const int32_t ttl[] = { 300, 300, 0, INT32_MIN, INT32_MAX, -1, 300 };
	static const uint32_t batch[] = { 0, 9, 9, 0, 10, UINT32_MAX, 0, 1, 1 };
	uint32_t next = 0, id = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct mb_event *e = &evs[i];
		memset(e, 0, sizeof *e);
		e->ts_ns = 1000000 + i * 1000;
		e->latency_ns = 20000 + i % 9 * 1000;
		e->conn_id = conn[i / 2 % N_OF(conn)];
		switch (i % 8) {
		case 0: /* a get that misses, */
			id = next++;
			break;
		case 1: /* and the set of its key */
			break;
		case 2: case 3: case 4: /* in creation order */
			id = next++;
			break;
		default: /* an earlier key */
			id = next ? i * 7919 % next : 0;
		}
		e->cmd = i % 8 == 1 ? MB_CMD_SET : MB_CMD_GET;
		e->status = i % 8 == 0 ? MB_ST_MISS : MB_ST_HIT;
		e->proto = MB_PROTO_TEXT;
		e->ttl = e->cmd == MB_CMD_SET ? ttl[i / 8 % N_OF(ttl)] : i % 50 == 3 ? -5 : 0;
		e->batch_id = batch[i % N_OF(batch)];
		e->value_len = e->cmd == MB_CMD_SET ? 10 + i % 4 : 0;
		fflags[i] = 0;
		set_key(i, id, raw ? 8 : 12);
	}
}

/* Append a block (type, decoded payload p[0..n), records) with valid checksums at out; returns its size. */
static size_t block(uint8_t *out, unsigned type, uint32_t records, const uint8_t *p, size_t n)
{
	size_t z = ZSTD_compress(out + MB_PROFILE_BLOCK_HDR, ZSTD_compressBound(n), p, n, 3);
	memcpy(out, "MBBK", 4);
	out[4] = (uint8_t)type;
	out[5] = 0;
	mb_st_le16(out + 6, 0);
	mb_st_le32(out + 8, (uint32_t)z);
	mb_st_le32(out + 12, (uint32_t)n);
	mb_st_le32(out + 16, records);
	mb_st_le32(out + 20, mb_crc32c(0, out + MB_PROFILE_BLOCK_HDR, z));
	mb_st_le32(out + 24, mb_crc32c(0, out, 24));
	return MB_PROFILE_BLOCK_HDR + z;
}

/* One column of a hand-written events block. */
struct hcol {
	const uint8_t *p;
	size_t n;
};

/*
 * Write a profile of `version` holding one events block of nrec events made of the ncols
 * columns col[], then an end block; read it into got[] (at most 5 events). Returns the
 * reader's last code, its message in msg (1024 bytes).
 */
static int read_hand(unsigned version, const struct hcol *col, int ncols, uint32_t nrec, struct mb_event *got,
		     uint32_t *ngot, char *msg)
{
	uint8_t pay[512], file[1024];
	size_t n = 0, f = 0;
	pay[n++] = (uint8_t)ncols;
	for (int c = 0; c < ncols; c++)
		pay[n++] = (uint8_t)col[c].n;
	for (int c = 0; c < ncols; c++) {
		if (col[c].n)
			memcpy(pay + n, col[c].p, col[c].n);
		n += col[c].n;
	}
	memcpy(file, MB_PROFILE_MAGIC, 8);
	mb_st_le16(file + 8, (uint16_t)version);
	mb_st_le16(file + 10, MB_KIND_EVENTS_HASHED);
	mb_st_le32(file + 12, 0);
	mb_st_le32(file + 16, 0);
	mb_st_le32(file + 20, mb_crc32c(0, file, 20));
	f = 24;
	f += block(file + f, MB_PB_EVENTS, nrec, pay, n);
	struct mb_summary sum;
	uint8_t sp[MB_SUMMARY_BYTES_MAX];
	mb_summary_init(&sum, "mb-pack");
	mb_summary_add(&sum, "events", nrec);
	f += block(file + f, MB_PB_END, 1, sp, mb_summary_encode(&sum, sp));

	int fd = memfd_create("unit-profile-hand", 0), rc;
	struct mb_reader r;
	struct mb_err err = { 0 };
	struct mb_frame fr;
	*ngot = 0;
	if (fd < 0 || write(fd, file, f) != (ssize_t)f || lseek(fd, 0, SEEK_SET) != 0)
		return MB_EIO;
	rc = mb_reader_open(&r, fd, "<hand>", 0, &err);
	while (rc == MB_OK && (rc = mb_reader_next(&r, &fr, &err)) == MB_OK)
		if (fr.type == MB_FRAME_EVENT && *ngot < 5 &&
		    mb_event_decode(fr.payload, fr.len, r.info.kind, &got[*ngot], &err) == MB_OK)
			++*ngot;
	snprintf(msg, 1024, "%s", rc == MB_END ? "" : err.msg);
	mb_reader_close(&r);
	close(fd);
	return rc;
}

/* The shape table both hand-written blocks use (S = 3). */
static const uint8_t hand_shapes[] = { 3,
				       MB_CMD_SET, MB_ST_STORED, 1, 0, 2, 0, 0, /* value_len new */
				       MB_CMD_GET, MB_ST_HIT, 1, 0, 4, 0, 0,    /* resp_len: the entry's last size */
				       MB_CMD_GET, MB_ST_MISS, 1, 0, 0, 0, 0 };

/*
 * A version 2 or 3 profile written by hand from doc/profile.md: three events, the ts_bits
 * column ending with `ts_pad`, the conn column holding `conn2` for the third event (28 is
 * right). Version 3 has the sem column too: the first event has delta 7, the others no
 * extension.
 */
static int by_hand_v3(unsigned version, uint8_t ts_pad, uint8_t conn2, struct mb_event *got, uint32_t *ngot, char *msg)
{
	const uint8_t shape[] = { 0 + 1 * 3 + 2 * 9 };		/* S = 3: 5 per byte */
	const uint8_t ts[] = { 0x10, 39, 13, 8 };		/* signed; zigzag 2000, 20, 9 */
	const uint8_t ts_bits[] = { 208, (uint8_t)(4 | ts_pad) }; /* 2000: 8 bits, 20: 2 bits, 9: 1 bit */
	const uint8_t lat[] = { 0, 0, 22, 3 };			/* 0, 100 (bits 4 of 4), 3 */
	const uint8_t lat_bits[] = { 4 };
	const uint8_t conn[] = { 5, 5, conn2 };			/* 5, 5, 300 (bits 44 of 6) */
	const uint8_t conn_bits[] = { 44 };
	const uint8_t key[] = { 0, 1, 0 };			/* new, rank 0, new */
	uint8_t newkey[16];
	const uint8_t newlen[] = { 10, 20 };
	const uint8_t size[] = { 28 }, size_bits[] = { 44 };	/* 300 */
	const uint8_t zero3[] = { 0, 0, 0 };
	const uint8_t sem[] = { 10, MB_SEM_DELTA, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	mb_st_le64(newkey, 0x1111111111111111ULL);
	mb_st_le64(newkey + 8, 0x2222222222222222ULL);
	const struct hcol col[17] = { { hand_shapes, sizeof hand_shapes }, { shape, 1 }, { ts, 4 },	  { ts_bits, 2 },
				      { lat, 4 },     { lat_bits, 1 },	 { conn, 3 },	  { conn_bits, 1 },
				      { key, 3 },     { NULL, 0 },	 { newkey, 16 }, { newlen, 2 },
				      { size, 1 },    { size_bits, 1 },	 { zero3, 3 },	  { zero3, 3 },
				      { sem, sizeof sem } };
	return read_hand(version, col, version >= 3 ? 17 : 16, 3, got, ngot, msg);
}

/*
 * A version 4 profile written by hand from doc/profile.md: five events, times as deltas of
 * end times (one negative), keys new, the connection's last entry, new, rank 0 and the
 * entry after the connection's last one; a ttl against its command's last one, batches
 * against the last non-zero one. The ts_bits column ends with `ts_pad`, the conn column
 * holds `conn2` for the third event (28 is right), the second event's key symbol is key1
 * (1 is right).
 */
static int by_hand_v4(uint8_t ts_pad, uint8_t conn2, uint8_t key1, struct mb_event *got, uint32_t *ngot, char *msg)
{
	const uint8_t shape[] = { 0 + 1 * 3 + 2 * 9 + 1 * 27 + 2 * 81 }; /* S = 3: 5 per byte */
	/* end times 1000, 1110, 1008, 1030, 1030: deltas 1000 (bucket 35, 7 bits 104), 110 (22, 4 bits 14),
	   -102 (escape, then 101: 22, 4 bits 5), 22 (13, 2 bits 2), 0 */
	const uint8_t ts[] = { TS_END, 35, 22, 252, 22, 13, 0 };
	const uint8_t ts_bits[] = { 0x68, 0x2f, (uint8_t)(0x01 | ts_pad) };
	const uint8_t lat[] = { 0, 0, 22, 3, 9, 0 };		/* 0, 100 (bits 4 of 4), 3, 10 (bit 0), 0 */
	const uint8_t lat_bits[] = { 4 };
	const uint8_t conn[] = { 5, 5, conn2, 28, 5 };		/* 5, 5, 300 (bits 44 of 6), 300, 5 */
	const uint8_t conn_bits[] = { 0x2c, 0x0b };
	const uint8_t key[] = { 0, key1, 0, KEY_RANK0 + 0, KEY_NEXT };
	uint8_t newkey[16];
	const uint8_t newlen[] = { 10, 20 };
	const uint8_t size[] = { 28 }, size_bits[] = { 44 };	/* 300 */
	const uint8_t ttl[] = { 0xd8, 0x04, 0, 0, 0, 0 };	/* set: 300 against 0; gets: 0 against 0 */
	const uint8_t batch[] = { 0, 0, 0, 15, 1 };		/* 0, 0, 0, 7 (1 + zigzag 7), 7 (1 + zigzag 0) */
	const uint8_t sem[] = { 10, MB_SEM_DELTA, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	mb_st_le64(newkey, 0x1111111111111111ULL);
	mb_st_le64(newkey + 8, 0x2222222222222222ULL);
	const struct hcol col[17] = { { hand_shapes, sizeof hand_shapes }, { shape, 1 }, { ts, sizeof ts }, { ts_bits, 3 },
				      { lat, sizeof lat }, { lat_bits, 1 },	 { conn, 5 },	  { conn_bits, 2 },
				      { key, 5 },	  { NULL, 0 },		 { newkey, 16 }, { newlen, 2 },
				      { size, 1 },	  { size_bits, 1 },	 { ttl, 6 },	  { batch, 5 },
				      { sem, sizeof sem } };
	return read_hand(4, col, 17, 5, got, ngot, msg);
}

/* Whether got is the event with these fields. */
static int same(const struct mb_event *e, uint64_t ts, uint64_t lat, uint32_t conn, uint64_t h, uint16_t kl, uint8_t cmd,
		uint8_t st, uint32_t vl, uint32_t rl, int32_t ttl, uint32_t batch)
{
	return e->ts_ns == ts && e->latency_ns == lat && e->conn_id == conn && e->key_hash == h && e->key_len == kl &&
	       e->cmd == cmd && e->status == st && e->proto == MB_PROTO_TEXT && e->value_len == vl && e->resp_len == rl &&
	       e->ttl == ttl && e->batch_id == batch && e->flags == 0;
}

int main(void)
{
	struct mb_event got[5];
	uint32_t ngot;
	char msg[1024];
	const uint64_t h1 = 0x1111111111111111ULL, h2 = 0x2222222222222222ULL;
	int rc = by_hand_v4(0, 28, KEY_SAME, got, &ngot, msg);
	ok(eq(rc, MB_END) && eq(ngot, 5) && same(&got[0], 1000, 0, 5, h1, 10, MB_CMD_SET, MB_ST_STORED, 300, 0, 300, 0) &&
		   same(&got[1], 1010, 100, 5, h1, 10, MB_CMD_GET, MB_ST_HIT, 0, 300, 0, 0) &&
		   same(&got[2], 1005, 3, 300, h2, 20, MB_CMD_GET, MB_ST_MISS, 0, 0, 0, 0) &&
		   same(&got[3], 1020, 10, 300, h1, 10, MB_CMD_GET, MB_ST_HIT, 0, 300, 0, 7) &&
		   same(&got[4], 1030, 0, 5, h2, 20, MB_CMD_GET, MB_ST_MISS, 0, 0, 0, 7),
	   "a version 4 block encoded by hand from doc/profile.md decodes to its five events %s", msg);
	ok(eq(rc, MB_END) && eq(got[0].sem.has, MB_SEM_DELTA) && eq(got[0].sem.delta, 7) && eq(got[1].sem.has, 0) &&
		   eq(got[4].sem.has, 0),
	   "its sem column gives the first event delta 7 and the others no extension");
	rc = by_hand_v4(0x80, 28, KEY_SAME, got, &ngot, msg);
	ok(eq(rc, MB_ERR) && eq(ngot, 0) &&
		   contains(msg, "corrupt profile block (column ts_bits: bits missing, left over or non-zero padding)") &&
		   contains(msg, "at byte 24"),
	   "a non-zero padding bit in a bits column: corrupt block at its offset (%s)", msg);
	rc = by_hand_v4(0, 252, KEY_SAME, got, &ngot, msg);
	ok(eq(rc, MB_ERR) && eq(ngot, 0) && contains(msg, "(column conn: too short or a value out of range)") &&
		   contains(msg, "at byte 24"),
	   "bucket 252 is invalid outside the ts column (%s)", msg);
	rc = by_hand_v4(0, 28, KEY_NEXT, got, &ngot, msg);
	ok(eq(rc, MB_ERR) && eq(ngot, 0) && contains(msg, "(key reference to the connection's last entry)"),
	   "the entry after the connection's last one before it exists: corrupt (%s)", msg);
	rc = by_hand_v4(0, 28, KEY_RANK0 + 1, got, &ngot, msg);
	ok(eq(rc, MB_ERR) && eq(ngot, 0) && contains(msg, "(key reference)"), "a rank past the dictionary: corrupt (%s)", msg);

	rc = by_hand_v3(3, 0, 28, got, &ngot, msg);
	ok(eq(rc, MB_END) && eq(ngot, 3) && same(&got[0], 1000, 0, 5, h1, 10, MB_CMD_SET, MB_ST_STORED, 300, 0, 0, 0) &&
		   same(&got[1], 1010, 100, 5, h1, 10, MB_CMD_GET, MB_ST_HIT, 0, 300, 0, 0) &&
		   same(&got[2], 1005, 3, 300, h2, 20, MB_CMD_GET, MB_ST_MISS, 0, 0, 0, 0),
	   "a version 3 profile (zigzag times, ranks + 1) is still read %s", msg);
	ok(eq(rc, MB_END) && eq(ngot, 3) && eq(got[0].sem.has, MB_SEM_DELTA) && eq(got[0].sem.delta, 7) && eq(got[1].sem.has, 0) &&
		   eq(got[2].sem.has, 0),
	   "its sem column gives the first event delta 7 and the others no extension");
	rc = by_hand_v3(2, 0, 28, got, &ngot, msg);
	ok(eq(rc, MB_END) && eq(ngot, 3) && eq(got[0].sem.has, 0) &&
		   same(&got[2], 1005, 3, 300, h2, 20, MB_CMD_GET, MB_ST_MISS, 0, 0, 0, 0),
	   "a version 2 profile (16 columns, no sem) is still read %s", msg);
	rc = by_hand_v3(3, 0x80, 28, got, &ngot, msg);
	ok(eq(rc, MB_ERR) && eq(ngot, 0) &&
		   contains(msg, "corrupt profile block (column ts_bits: bits missing, left over or non-zero padding)") &&
		   contains(msg, "at byte 24"),
	   "version 3: a non-zero padding bit in a bits column: corrupt block at its offset (%s)", msg);
	rc = by_hand_v3(3, 0, 252, got, &ngot, msg);
	ok(eq(rc, MB_ERR) && eq(ngot, 0) && contains(msg, "(column conn: too short or a value out of range)") &&
		   contains(msg, "at byte 24"),
	   "version 3: bucket 252 is invalid (%s)", msg);
	rc = by_hand_v3(1, 0, 28, got, &ngot, msg);
	ok(eq(rc, MB_ERR) && contains(msg, "profile format version 1 is not supported (this program reads versions 2-4)"),
	   "a version 1 profile is refused by its number (%s)", msg);
	rc = by_hand_v3(5, 0, 28, got, &ngot, msg);
	ok(eq(rc, MB_ERR) && contains(msg, "profile format version 5 is not supported (this program reads versions 2-4)"),
	   "a version 5 profile is refused by its number (%s)", msg);

	uint64_t blocks = 0;
	static const uint32_t bsizes[] = { 1, 7, 64, 65536 };
	for (unsigned k = 0; k < N_OF(bsizes); k++) {
		edges(2000, false);
		ok(round_trip(2000, false, bsizes[k], MB_PROFILE_DICT_MAX, &blocks),
		   "edge values (ts deltas 0, 1, 2^63, negative; latency 0..2^64-1; conn, ttl, batch, sizes at their limits), "
		   "blocks of %u", bsizes[k]);
		edges(2000, true);
		ok(round_trip(2000, true, bsizes[k], MB_PROFILE_DICT_MAX, &blocks), "the same with raw keys, blocks of %u",
		   bsizes[k]);
	}
	for (unsigned unit = 0; unit <= 12; unit += 3) {
		units(5000, unit);
		ok(round_trip(5000, false, 100, MB_PROFILE_DICT_MAX, &blocks),
		   "times in units of 10^%u ns with negative deltas, latencies in us", unit);
	}
	for (unsigned unit = 0; unit <= 9; unit += 3) {
		completion(20000, unit);
		ok(round_trip(20000, false, 4096, MB_PROFILE_DICT_MAX, &blocks),
		   "events in completion order (request times going back), units of 10^%u ns", unit);
	}
	completion(20000, 2);
	ok(round_trip(20000, false, 100, MB_PROFILE_DICT_MAX, &blocks), "the same in units of 100 ns (pcapng if_tsresol 7)");
	for (unsigned k = 0; k < N_OF(bsizes); k++) {
		conn_keys(20000, false);
		ok(round_trip(20000, false, bsizes[k], MB_PROFILE_DICT_MAX, &blocks),
		   "keys named as the connection's last entry or the one after it, colliding connection slots, "
		   "ttls and batches repeating and at their limits, blocks of %u", bsizes[k]);
		conn_keys(20000, true);
		ok(round_trip(20000, true, bsizes[k], bsizes[k] < 1000 ? 1000 : 70000, &blocks),
		   "the same with raw keys and dictionary resets, blocks of %u", bsizes[k]);
	}
	static const uint32_t nbs[] = { 1, 2, 3, 4, 5, 6, 7, 16, 17, 28, 29, 255, 256, 257, 455 };
	for (unsigned k = 0; k < N_OF(nbs); k++) {
		shapes(nbs[k] * 20, nbs[k], false);
		ok(round_trip(nbs[k] * 20, false, 65536, MB_PROFILE_DICT_MAX, &blocks) && eq(blocks, 2),
		   "%u shapes in one block", nbs[k]);
		shapes(nbs[k] * 9 * 3, nbs[k], true);
		ok(round_trip(nbs[k] * 9 * 3, false, 65536, MB_PROFILE_DICT_MAX, &blocks) && eq(blocks, 2),
		   "%u shapes x 9 size classes = %u in one block", nbs[k], nbs[k] * 9);
	}
	shapes(456 * 9 * 3, 456, true);
	ok(round_trip(456 * 9 * 3, false, 65536, MB_PROFILE_DICT_MAX, &blocks) && cmp(blocks, >, 2),
	   "a 456th shape (4104 with size classes) closes the block first");
	shapes(60000, 4000, true);
	ok(round_trip(60000, false, 65536, MB_PROFILE_DICT_MAX, &blocks) && cmp(blocks, >, 9), "4000 shapes in 60000 events");
	many_keys(NMAX, false);
	ok(round_trip(NMAX, false, 65536, MB_PROFILE_DICT_MAX, &blocks), "70000 new keys, then ids up to 70000");
	many_keys(NMAX, true);
	ok(round_trip(NMAX, true, 1000, 3000, &blocks) && eq(blocks, 141), "raw keys with a dictionary reset every 3 blocks");
	many_keys(20000, false);
	ok(round_trip(20000, false, 1, 1, &blocks) && eq(blocks, 20001), "a dictionary of one entry, reset at every event");
	return done_testing();
}
