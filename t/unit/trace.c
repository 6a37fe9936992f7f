/* trace.c - unit tests of common/zio (plain/zstd lines and records) and common/trace* (CSV helpers, key ids, rows, next access). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "bytes.h"
#include "tap.h"
#include "trace.h"

static struct mb_anon anon;

static struct mb_field fld(const char *s)
{
	struct mb_field f = { s, strlen(s) };
	return f;
}

static void test_split_numbers(void)
{
	struct mb_field f[4];
	is_int(mb_trace_split("a,,b", 4, f, 4), 3, "split: empty middle field counts");
	ok(eq(f[1].n, 0) && eq(f[2].n, 1) && eq(f[2].s[0], 'b'), "split: field bounds");
	is_int(mb_trace_split("", 0, f, 4), 1, "split: empty line is one empty field");
	is_int(mb_trace_split("1,2,3,4,5", 9, f, 4), 5, "split: more than max gives max + 1");
	is_int(mb_trace_split("1,2,3,4", 7, f, 4), 4, "split: exactly max");

	uint64_t v = 7;
	ok(mb_trace_u64(fld("0"), 10, &v) && eq(v, 0), "u64: 0");
	ok(mb_trace_u64(fld("18446744073709551615"), UINT64_MAX, &v) && eq(v, UINT64_MAX), "u64: 2^64-1");
	ok(!mb_trace_u64(fld("18446744073709551616"), UINT64_MAX, &v), "u64: 2^64 overflows");
	ok(!mb_trace_u64(fld("11"), 10, &v), "u64: above max");
	ok(!mb_trace_u64(fld(""), 10, &v) && !mb_trace_u64(fld("+1"), 10, &v) && !mb_trace_u64(fld(" 1"), 10, &v) &&
		   !mb_trace_u64(fld("1x"), 10, &v),
	   "u64: empty, sign, space, trailing junk refused");
	int64_t i = 0;
	ok(mb_trace_i64(fld("-2147483648"), INT32_MIN, INT32_MAX, &i) && eq(i, INT32_MIN), "i64: int32 min");
	ok(!mb_trace_i64(fld("-2147483649"), INT32_MIN, INT32_MAX, &i), "i64: below min");
	ok(mb_trace_i64(fld("-9223372036854775808"), INT64_MIN, INT64_MAX, &i) && eq(i, INT64_MIN), "i64: int64 min");
	ok(!mb_trace_i64(fld("-"), INT32_MIN, INT32_MAX, &i) && !mb_trace_i64(fld("--1"), INT32_MIN, INT32_MAX, &i),
	   "i64: lone or double sign refused");
}

static void test_key_id(void)
{
	bool h = true;
	ok(eq(mb_trace_key_id(&anon, "0123456789abcdef", 16, &h), 0x0123456789abcdefULL) && !h, "key: 16 hex digits are the id");
	ok(eq(mb_trace_key_id(&anon, "FEDCBA9876543210", 16, &h), 0xfedcba9876543210ULL) && !h, "key: upper case hex too");
	ok(eq(mb_trace_key_id(&anon, "0123456789abcdeg", 16, &h), mb_anon_hash(&anon, (const uint8_t *)"0123456789abcdeg", 16)) && h,
	   "key: a non-hex digit means hashing");
	ok(eq(mb_trace_key_id(&anon, "0123456789abcde", 15, &h), mb_anon_hash(&anon, (const uint8_t *)"0123456789abcde", 15)) && h,
	   "key: 15 hex digits are hashed");
	ok(eq(mb_trace_key_id(&anon, "nz:u:x", 6, &h), mb_anon_hash(&anon, (const uint8_t *)"nz:u:x", 6)) && h,
	   "key: strings are hashed with the secret");
}

/* Read every line of a zin; returns the count, -1 on error. Checks each line against want (NULL: no check). */
static long count_lines(struct mb_zin *z, const char *want, struct mb_err *err)
{
	const char *line;
	size_t n;
	long c = 0;
	int rc;
	while ((rc = mb_zin_line(z, &line, &n, err)) == MB_OK) {
		if (want && (n != strlen(want) || memcmp(line, want, n)))
			return -1;
		c++;
	}
	return rc == MB_END ? c : -1;
}

static void test_zio_lines(void)
{
	struct mb_zin z;
	struct mb_err err;
	const char *line;
	size_t n;
	mb_zin_open_mem(&z, "a\nbb\nccc", 8, &err);
	ok(eq(mb_zin_line(&z, &line, &n, &err), MB_OK) && eq(n, 1) && eq(line[0], 'a') && eq(z.line, 1), "line 1");
	ok(eq(mb_zin_line(&z, &line, &n, &err), MB_OK) && eq(n, 2) && eq(z.line, 2), "line 2");
	ok(eq(mb_zin_line(&z, &line, &n, &err), MB_OK) && eq(n, 3) && eq_mem(line, "ccc", 3) && eq(z.line, 3),
	   "last line without newline");
	ok(eq(mb_zin_line(&z, &line, &n, &err), MB_END), "then the end");
	mb_zin_close(&z);

	size_t big = 2 * MB_ZIN_LINE_MAX + 16;
	char *buf = malloc(big);
	memset(buf, 'x', big);
	buf[MB_ZIN_LINE_MAX] = '\n';     /* line 1: exactly the maximum */
	buf[2 * MB_ZIN_LINE_MAX + 2] = '\n'; /* line 2: one byte over */
	memcpy(buf + 2 * MB_ZIN_LINE_MAX + 3, "ok\n", 3);
	size_t len = 2 * MB_ZIN_LINE_MAX + 6;
	mb_zin_open_mem(&z, buf, len, &err);
	ok(eq(mb_zin_line(&z, &line, &n, &err), MB_OK) && eq(n, MB_ZIN_LINE_MAX), "a line of exactly the maximum");
	ok(eq(mb_zin_line(&z, &line, &n, &err), MB_ERR) && eq(z.line, 2) && contains(err.msg, "longer than"), "one byte more is refused");
	ok(eq(mb_zin_line(&z, &line, &n, &err), MB_OK) && eq(n, 2) && eq_mem(line, "ok", 2) && eq(z.line, 3),
	   "the reader goes on after an overlong line");
	mb_zin_close(&z);
	free(buf);

	/* 3 MiB of lines, plain and as two zstd frames: both cross buffer refills. */
	const char *row = "1700000000,nz:u:eeW511W3dcH3de3d15ec,25,100,7,get,0";
	size_t rl = strlen(row) + 1, rows = (3u << 20) / rl;
	char *plain = malloc(rows * rl);
	for (size_t i = 0; i < rows; i++) {
		memcpy(plain + i * rl, row, rl - 1);
		plain[i * rl + rl - 1] = '\n';
	}
	mb_zin_open_mem(&z, plain, rows * rl, &err);
	is_int(count_lines(&z, row, &err), rows, "plain: every line back across refills");
	ok(!z.zstd, "plain input is not taken for zstd");
	mb_zin_close(&z);
	size_t half = rows / 2 * rl, cap = ZSTD_compressBound(rows * rl) + 64;
	char *comp = malloc(cap);
	size_t c1 = ZSTD_compress(comp, cap, plain, half, 3);
	size_t c2 = ZSTD_compress(comp + c1, cap - c1, plain + half, rows * rl - half, 3);
	mb_zin_open_mem(&z, comp, c1 + c2, &err);
	is_int(count_lines(&z, row, &err), rows, "zstd, two frames: the same lines");
	ok(z.zstd, "zstd detected by its magic");
	mb_zin_close(&z);
	mb_zin_open_mem(&z, comp, c1 + c2 - 5, &err);
	ok(cmp(count_lines(&z, row, &err), <, 0) && contains(err.msg, "truncated zstd"), "zstd cut short is an error");
	mb_zin_close(&z);
	free(comp);
	free(plain);
}

static void test_rows(void)
{
	struct mb_event ev;
	struct mb_err err;
	bool h;
	const char *r = "12,0000000000000abc,30,400,9,cas,-5";
	ok(eq(mb_twitter_row(r, strlen(r), &anon, &ev, &h, &err), MB_OK), "twitter: good row");
	ok(eq(ev.ts_ns, 12000000000ULL) && eq(ev.key_hash, 0xabc) && eq(ev.key_len, 30) && eq(ev.value_len, 400) &&
		   eq(ev.resp_len, 0) && eq(ev.conn_id, 9) && eq(ev.cmd, MB_CMD_CAS) && eq(ev.ttl, -5) && eq(ev.status, MB_ST_NONE),
	   "twitter: fields mapped");
	r = "12,0000000000000abc,30,400,9,decr,0";
	ok(eq(mb_twitter_row(r, strlen(r), &anon, &ev, &h, &err), MB_OK) && eq(ev.resp_len, 400) && eq(ev.value_len, 0),
	   "twitter: a non-storage size is the response size");
	r = "12,k,30,400,9,GET,0";
	ok(eq(mb_twitter_row(r, strlen(r), &anon, &ev, &h, &err), MB_ERR) && eq_str(err.msg, "bad field op: 'GET'"),
	   "twitter: ops are lower case");

	struct mb_trace_reader t;
	mb_trace_reader_init(&t, MB_TRACE_CACHELIB, NULL, "x", &anon, false);
	const char *hdr = "extra,op,key,op_count,op_time,cache_hits,size";
	ok(eq(mb_cachelib_header(&t, hdr, strlen(hdr), &err), MB_OK) && eq(t.ncols, 7) && eq(t.col[MB_CL_OP], 1) &&
		   eq(t.col[MB_CL_TTL], -1),
	   "cachelib: header by name, unknown columns ignored");
	r = "zz,GET_LEASE,0000000000000001,5,77,2,100";
	ok(eq(mb_cachelib_row(&t, r, strlen(r), &h, &err), MB_OK) && eq(t.pend_left, 5) && eq(t.pend_hits, 2) && t.pend_split &&
		   eq(t.pend.flags, (MB_EF_WANT_VALUE | MB_EF_VIVIFY)) && eq(t.pend.resp_len, 100) && eq(t.pend.key_len, 16),
	   "cachelib: lease get, op_count, hits, key_size from the key");
	r = "zz,SET,0000000000000001,1,77,0";
	ok(eq(mb_cachelib_row(&t, r, strlen(r), &h, &err), MB_ERR) && eq_str(err.msg, "row has 6 fields, the header has 7"),
	   "cachelib: short row");
}

static void test_oracle_next(void)
{
	/* ids A B A C B A -> next access (1-based vtime) 3 5 6 -1 -1 -1 */
	static const uint64_t ids[] = { 10, 20, 10, 30, 20, 10 };
	static const int64_t want[] = { 3, 5, 6, -1, -1, -1 };
	FILE *f = tmpfile();
	struct mb_trace_writer w;
	struct mb_err err;
	ok(eq(mb_trace_writer_init(&w, MB_TRACE_ORACLE, fileno(f), &err), MB_OK), "oracle writer");
	for (unsigned i = 0; i < 6; i++) {
		struct mb_event ev = { .ts_ns = (uint64_t)i * 1000000000u, .cmd = i == 1 ? MB_CMD_SET : MB_CMD_GET,
				       .value_len = 7, .resp_len = 9, .key_hash = ids[i] };
		mb_trace_writer_event(&w, &ev, &err);
	}
	struct mb_event nokey = { .cmd = MB_CMD_STATS };
	mb_trace_writer_event(&w, &nokey, &err);
	ok(eq(mb_trace_writer_finish(&w, &err), MB_OK) && eq(w.records, 6) && eq(w.skipped, 1), "six records, stats skipped");
	mb_trace_writer_free(&w);
	uint8_t buf[6 * 24 + 1];
	rewind(f);
	size_t got = fread(buf, 1, sizeof buf, f);
	is_int(got, 6 * 24, "six 24-byte records");
	int good = 1;
	for (unsigned i = 0; i < 6 && got == 6 * 24; i++) {
		struct mb_event ev;
		mb_oracle_record(buf + i * 24, &ev);
		int64_t nx = (int64_t)mb_ld_le64(buf + i * 24 + 16);
		good &= ev.key_hash == ids[i] && ev.ts_ns == (uint64_t)i * 1000000000u && nx == want[i] &&
			ev.resp_len == (i == 1 ? 7u : 9u);
	}
	ok(good, "ids, timestamps, sizes and next access as computed by hand");
	fclose(f);
}

int main(void)
{
	static const uint8_t secret[MB_ANON_SECRET_BYTES] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	mb_anon_init_secret(&anon, secret);
	test_split_numbers();
	test_key_id();
	test_zio_lines();
	test_rows();
	test_oracle_next();
	return done_testing();
}
