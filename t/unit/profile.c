/* profile.c - unit tests of common/profile: CRC-32C (check value, every table entry), writer -> mb_reader round trip, dictionary reset. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "profile.h"
#include "stream.h"
#include "tap.h"

/* Write n events (keys cycling over nkeys) as a profile into a memory file; returns the fd at offset 0. */
static int write_profile(bool raw, uint32_t n, uint32_t nkeys, uint32_t block, uint32_t dict_max)
{
	int fd = memfd_create("unit-profile", 0);
	struct mb_stream_info info;
	struct mb_profile_writer *pw;
	struct mb_err err;
	mb_info_init(&info, raw ? MB_KIND_EVENTS_RAW : MB_KIND_EVENTS_HASHED);
	mb_info_set(&info, "source", "unit");
	if (fd < 0 || mb_profile_writer_open(&pw, fd, &info, raw, 3, &err) != MB_OK)
		return -1;
	mb_profile_writer_set_block_events(pw, block);
	if (mb_profile_writer_set_dict_max(pw, dict_max, &err) != MB_OK)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		char key[32];
		struct mb_event ev = { 0 };
		int kl = snprintf(key, sizeof key, "key:%u", i * 7919 % nkeys);
		ev.ts_ns = 1000000000ull + i * 1000ull - (i % 3) * 500;
		ev.latency_ns = i % 5 ? 20000 + i : 0;
		ev.conn_id = i % 13;
		ev.cmd = i % 4 ? MB_CMD_GET : MB_CMD_SET;
		ev.status = i % 4 ? MB_ST_HIT : MB_ST_STORED;
		ev.value_len = i % 4 ? 0 : 100 + i % 9;
		ev.resp_len = i % 4 ? 100 + i % 9 : 0;
		ev.key_len = (uint16_t)kl;
		ev.key = (const uint8_t *)key;
		ev.key_hash = 0x9e3779b97f4a7c15ULL * (i * 7919 % nkeys + 1);
		if (mb_profile_write_event(pw, &ev, 0, &err) != MB_OK)
			return -1;
	}
	if (mb_profile_writer_close(pw, &err) != MB_OK || lseek(fd, 0, SEEK_SET) != 0)
		return -1;
	return fd;
}

/* Read the profile back and check every event against what write_profile made. */
static int read_back(int fd, bool raw, uint32_t n, uint32_t nkeys, uint64_t *distinct)
{
	struct mb_reader r;
	struct mb_err err;
	struct mb_frame f;
	struct mb_event ev;
	uint32_t i = 0;
	int good = 1, rc = mb_reader_open(&r, fd, "<unit>", 0, &err);
	good &= rc == MB_OK && r.info.kind == (raw ? MB_KIND_EVENTS_RAW : MB_KIND_EVENTS_HASHED) &&
		mb_info_get(&r.info, "source") && !strcmp(mb_info_get(&r.info, "source"), "unit");
	while (rc == MB_OK && (rc = mb_reader_next(&r, &f, &err)) == MB_OK) {
		if (f.type == MB_FRAME_SUMMARY) {
			struct mb_summary s;
			good &= mb_summary_decode(f.payload, f.len, &s, &err) == MB_OK && !strcmp(s.program, "mb-pack") &&
				mb_summary_get(&s, "events") == n;
			*distinct = mb_summary_get(&s, "distinct_keys");
			continue;
		}
		char key[32];
		int kl = snprintf(key, sizeof key, "key:%u", i * 7919 % nkeys);
		good &= mb_event_decode(f.payload, f.len, r.info.kind, &ev, &err) == MB_OK;
		good &= ev.ts_ns == 1000000000ull + i * 1000ull - (i % 3) * 500 && ev.conn_id == i % 13 &&
			ev.latency_ns == (i % 5 ? 20000 + i : 0) && ev.key_len == kl &&
			ev.value_len == (i % 4 ? 0 : 100 + i % 9) && ev.resp_len == (i % 4 ? 100 + i % 9 : 0);
		good &= raw ? !memcmp(ev.key, key, (size_t)kl) : ev.key_hash == 0x9e3779b97f4a7c15ULL * (i * 7919 % nkeys + 1);
		i++;
	}
	mb_reader_close(&r);
	close(fd);
	return good && rc == MB_END && i == n;
}

/* CRC-32C one bit at a time: the definition the sliced tables must agree with. */
static uint32_t crc32c_bitwise(const uint8_t *p, size_t n)
{
	uint32_t crc = ~0u;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ 0x82f63b78u : crc >> 1;
	}
	return ~crc;
}

/* Every byte value at every position of an 8-byte slice: each entry of each of the 8 tables is looked up. */
static bool crc32c_every_table_entry(void)
{
	for (unsigned pos = 0; pos < 8; pos++)
		for (unsigned v = 0; v < 256; v++) {
			uint8_t b[9] = { 0 };
			b[pos] = (uint8_t)v;
			b[8] = (uint8_t)(v ^ pos); /* and the byte-at-a-time tail */
			if (mb_crc32c(0, b, sizeof b) != crc32c_bitwise(b, sizeof b))
				return false;
		}
	return true;
}

int main(void)
{
	uint64_t distinct = 0;
	ok(eq(mb_crc32c(0, "123456789", 9), 0xe3069283), "CRC-32C check value of \"123456789\"");
	ok(eq(mb_crc32c(mb_crc32c(0, "1234", 4), "56789", 5), 0xe3069283), "CRC-32C continues across calls");
	ok(crc32c_every_table_entry(), "CRC-32C by slices of 8 equals CRC-32C bit by bit, for every table entry");
	ok(read_back(write_profile(false, 10000, 700, 1000, MB_PROFILE_DICT_MAX), false, 10000, 700, &distinct) &&
		   eq(distinct, 700), "hashed profile: every event back, 700 dictionary entries");
	ok(read_back(write_profile(true, 10000, 700, 333, MB_PROFILE_DICT_MAX), true, 10000, 700, &distinct) &&
		   eq(distinct, 700), "raw-key profile: every event back");
	ok(read_back(write_profile(false, 10000, 700, 100, 300), false, 10000, 700, &distinct) && cmp(distinct, >, 700),
	   "a dictionary reset every few blocks: every event back, entries re-sent");
	ok(read_back(write_profile(true, 3, 3, 1, 1), true, 3, 3, &distinct) && eq(distinct, 3), "one event per block, one entry");
	return done_testing();
}
