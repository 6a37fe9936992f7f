/* profile-codec.c - unit tests of the profile's column codes: edge values of every number, shape tables of every size, dictionary resets. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "profile.h"
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

int main(void)
{
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
	static const uint32_t nbs[] = { 1, 2, 3, 4, 5, 6, 7, 16, 17, 28, 29, 255, 256, 257, 455 };
	for (unsigned k = 0; k < N_OF(nbs); k++) {
		shapes(nbs[k] * 20, nbs[k], false);
		ok(round_trip(nbs[k] * 20, false, 65536, MB_PROFILE_DICT_MAX, &blocks) && blocks == 2,
		   "%u shapes in one block", nbs[k]);
		shapes(nbs[k] * 9 * 3, nbs[k], true);
		ok(round_trip(nbs[k] * 9 * 3, false, 65536, MB_PROFILE_DICT_MAX, &blocks) && blocks == 2,
		   "%u shapes x 9 size classes = %u in one block", nbs[k], nbs[k] * 9);
	}
	shapes(456 * 9 * 3, 456, true);
	ok(round_trip(456 * 9 * 3, false, 65536, MB_PROFILE_DICT_MAX, &blocks) && blocks > 2,
	   "a 456th shape (4104 with size classes) closes the block first");
	shapes(60000, 4000, true);
	ok(round_trip(60000, false, 65536, MB_PROFILE_DICT_MAX, &blocks) && blocks > 9, "4000 shapes in 60000 events");
	many_keys(NMAX, false);
	ok(round_trip(NMAX, false, 65536, MB_PROFILE_DICT_MAX, &blocks), "70000 new keys, then ids up to 70000");
	many_keys(NMAX, true);
	ok(round_trip(NMAX, true, 1000, 3000, &blocks) && blocks == 141, "raw keys with a dictionary reset every 3 blocks");
	many_keys(20000, false);
	ok(round_trip(20000, false, 1, 1, &blocks) && blocks == 20001, "a dictionary of one entry, reset at every event");
	return done_testing();
}
