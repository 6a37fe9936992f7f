/* stream.c - unit tests of common/stream.c, textfmt.c, varint.h, bytes.h, opt.c, mbtime.c. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "mbtime.h"
#include "opt.h"
#include "stream.h"
#include "tap.h"
#include "textfmt.h"
#include "varint.h"

/* A reader over a byte string, fed through a pipe by a child. */
static int pipe_of(const void *p, size_t n)
{
	int fd[2];
	if (pipe(fd))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(fd[0]);
		size_t off = 0;
		while (off < n) {
			ssize_t w = write(fd[1], (const char *)p + off, n - off);
			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(fd[1]);
	return fd[0];
}

/* Serialize a stream with a writer into a malloc'd buffer via a temp file. */
static size_t build_stream(uint8_t **out, unsigned kind, int nevents)
{
	FILE *tmp = tmpfile();
	struct mb_writer w;
	struct mb_err err = { .msg = "" };
	struct mb_stream_info info;
	mb_writer_init(&w, fileno(tmp), &err);
	mb_info_init(&info, kind);
	mb_info_set(&info, "program", "unit");
	mb_writer_header(&w, &info, &err);
	for (int i = 0; i < nevents; i++) {
		struct mb_event ev;
		memset(&ev, 0, sizeof ev);
		ev.ts_ns = 1000u + (uint64_t)i;
		ev.conn_id = (uint32_t)i;
		ev.cmd = MB_CMD_GET;
		ev.key = (const uint8_t *)"abc";
		ev.key_len = 3;
		ev.key_hash = 0x1122334455667788ull + (uint64_t)i;
		mb_writer_event(&w, &ev, &err);
	}
	struct mb_summary s;
	mb_summary_init(&s, "unit");
	mb_summary_add(&s, "events", (uint64_t)nevents);
	mb_writer_summary(&w, &s, &err);
	mb_writer_close(&w, &err);
	long n = ftell(tmp);
	*out = malloc((size_t)n);
	rewind(tmp);
	size_t got = fread(*out, 1, (size_t)n, tmp);
	fclose(tmp);
	return got;
}

/* Read all frames; returns the final rc and the frame count. */
static int read_all(const void *p, size_t n, unsigned want, uint64_t *frames, struct mb_err *err)
{
	struct mb_reader r;
	int fd = pipe_of(p, n);
	int rc = mb_reader_open(&r, fd, "<test>", want, err);
	struct mb_frame f;
	*frames = 0;
	while (rc == MB_OK && (rc = mb_reader_next(&r, &f, err)) == MB_OK)
		(*frames)++;
	mb_reader_close(&r);
	close(fd);
	return rc;
}

static void test_event_codec(void)
{
	struct mb_event ev, back;
	struct mb_err err = { .msg = "" };
	uint8_t buf[128];
	memset(&ev, 0, sizeof ev);
	ev.ts_ns = 0x0102030405060708ull;
	ev.latency_ns = 99;
	ev.conn_id = 7;
	ev.batch_id = 8;
	ev.value_len = 9;
	ev.resp_len = 10;
	ev.ttl = -1;
	ev.flags = MB_EF_NOREPLY | MB_EF_MULTI;
	ev.key_len = 3;
	ev.key = (const uint8_t *)"k\0y";
	ev.proto = MB_PROTO_META;
	ev.transport = MB_TRANSPORT_UDP;
	ev.cmd = MB_CMD_SET;
	ev.status = MB_ST_STORED;
	mb_event_encode(buf, &ev, MB_KIND_EVENTS_RAW);
	is_int(mb_event_payload_len(&ev, MB_KIND_EVENTS_RAW), 47, "raw event payload is 44 + key_len");
	ok(eq(mb_event_decode(buf, 47, MB_KIND_EVENTS_RAW, &back, &err), MB_OK), "raw event decodes");
	ok(eq(back.ts_ns, ev.ts_ns) && eq(back.ttl, -1) && eq(back.flags, ev.flags) && eq(back.key_len, 3) &&
		   eq_mem(back.key, "k\0y", 3) && eq(back.transport, MB_TRANSPORT_UDP),
	   "raw event fields survive");
	ok(eq(buf[0], 0x08) && eq(buf[7], 0x01), "timestamp is little-endian at offset 0");
	ok(eq(mb_event_decode(buf, 46, MB_KIND_EVENTS_RAW, &back, &err), MB_ERR) && contains(err.msg, "key_len"),
	   "a length that disagrees with key_len is refused: %s", err.msg);
	ev.key_hash = 42;
	mb_event_encode(buf, &ev, MB_KIND_EVENTS_HASHED);
	ok(eq(mb_event_decode(buf, 52, MB_KIND_EVENTS_HASHED, &back, &err), MB_OK) && eq(back.key_hash, 42) &&
		   eq(back.key_len, 3) && back.key == NULL,
	   "hashed event keeps key_len and hash");
	ok(eq(mb_event_decode(buf, 20, MB_KIND_EVENTS_HASHED, &back, &err), MB_ERR), "short event refused");
}

/* The event extension (stream version 2): request semantics after the key. */
/* SERVER frames: round trip, name, and each layout rule refused by the frame check. */
static void test_server(void)
{
	struct mb_err err = { .msg = "" };
	struct mb_server s = { .number = 7, .port = 11211, .family = 4, .addr = { 10, 0, 0, 5 } }, back;
	uint8_t p[MB_SERVER_LEN];
	char name[64];
	mb_server_encode(p, &s);
	ok(eq(mb_frame_check(MB_KIND_EVENTS_HASHED, MB_FRAME_SERVER, p, MB_SERVER_LEN, &err), MB_OK) &&
		   eq(mb_server_decode(p, MB_SERVER_LEN, &back, &err), MB_OK) && eq(back.number, 7) &&
		   eq(back.port, 11211) && eq(back.family, 4) && eq_mem(back.addr, s.addr, sizeof s.addr),
	   "a server frame round-trips");
	mb_server_name(&back, name, sizeof name);
	eq_str(name, "10.0.0.5:11211");
	struct mb_server v6 = { .number = 1, .port = 5, .family = 6, .addr = { [0] = 0xfe, [1] = 0x80, [15] = 1 } };
	mb_server_encode(p, &v6);
	mb_server_decode(p, MB_SERVER_LEN, &back, &err);
	mb_server_name(&back, name, sizeof name);
	eq_str(name, "[fe80::1]:5");
	ok(eq(mb_frame_check(MB_KIND_EVENTS_RAW, MB_FRAME_SERVER, p, 23, &err), MB_ERR) && contains(err.msg, "23 bytes"),
	   "a short server frame is refused (%s)", err.msg);
	p[4] = 5;
	ok(eq(mb_frame_check(MB_KIND_EVENTS_RAW, MB_FRAME_SERVER, p, MB_SERVER_LEN, &err), MB_ERR) && contains(err.msg, "family"),
	   "family 5 is refused (%s)", err.msg);
	mb_server_encode(p, &s);
	p[6] = 1;
	ok(eq(mb_frame_check(MB_KIND_EVENTS_RAW, MB_FRAME_SERVER, p, MB_SERVER_LEN, &err), MB_ERR) && contains(err.msg, "reserved"),
	   "reserved bytes must be 0 (%s)", err.msg);
	mb_server_encode(p, &s);
	p[8 + 4] = 1;
	ok(eq(mb_frame_check(MB_KIND_EVENTS_RAW, MB_FRAME_SERVER, p, MB_SERVER_LEN, &err), MB_ERR) && contains(err.msg, "IPv4"),
	   "IPv4 with bytes after its 4th is refused (%s)", err.msg);
	ok(eq(mb_frame_check(MB_KIND_PACKETS, MB_FRAME_SERVER, p, 3, &err), MB_OK), "in a packets stream it is opaque");
	struct mb_server parsed = { .number = 9 };
	ok(mb_server_parse("[fe80::1]:5", 11, &parsed) == NULL && eq(parsed.number, 9) && eq(parsed.family, 6) &&
		   eq(parsed.port, 5) && eq_mem(parsed.addr, v6.addr, 16),
	   "mb_server_parse reads what mb_server_name wrote, and keeps the number");
	ok(mb_server_parse("10.0.0.5:11211xyz", 14, &parsed) == NULL && eq(parsed.family, 4) && eq(parsed.port, 11211) &&
		   eq_mem(parsed.addr, s.addr, 16),
	   "an IPv4 address and port, reading only n bytes");
	is_str(mb_server_parse("10.0.0.5", 8, &parsed), "address", "no port: the address is bad");
	is_str(mb_server_parse("10.0\0.0.5:1", 12, &parsed), "address", "a NUL in the address");
	is_str(mb_server_parse("[::1]:65536", 11, &parsed), "port", "port above 65535");
	is_str(mb_server_parse("10.0.0.5:", 9, &parsed), "port", "empty port");
	ok(eq(parsed.family, 4) && eq(parsed.port, 11211), "a refused name leaves the server as it was");
}

static void test_event_sem(void)
{
	struct mb_event ev, back;
	struct mb_err err = { .msg = "" };
	uint8_t buf[256];
	memset(&ev, 0, sizeof ev);
	ev.key_len = 3;
	ev.key = (const uint8_t *)"abc";
	ev.cmd = MB_CMD_INCR;
	ev.sem = (struct mb_sem){ .has = MB_SEM_HAS_ALL, .mflags = UINT64_C(0xfffffffffffff), .delta = 5, .initial = 100,
				  .cas = UINT64_MAX, .new_cas = 7, .vivify_ttl = -1, .recache_ttl = 30,
				  .client_flags = 0xdeadbeef, .mode = 'D', .server = 513 };
	uint32_t len = mb_event_payload_len(&ev, MB_KIND_EVENTS_RAW);
	is_int(len, 44 + 3 + 1 + 2 + 5 * 8 + 3 * 4 + 1 + 2, "an event with every semantic field: key, u8 length, has, fields");
	mb_event_encode(buf, &ev, MB_KIND_EVENTS_RAW);
	ok(eq(buf[47], len - 48) && eq(buf[48], 0xff) && eq(buf[49], 0x03), "the extension starts with its length and the has bits");
	ok(eq(mb_event_decode(buf, len, MB_KIND_EVENTS_RAW, &back, &err), MB_OK) && eq_mem(&back.sem, &ev.sem, sizeof ev.sem),
	   "every field survives");
	ev.sem = (struct mb_sem){ .has = MB_SEM_DELTA, .delta = 9 };
	ev.key_hash = 1;
	len = mb_event_payload_len(&ev, MB_KIND_EVENTS_HASHED);
	mb_event_encode(buf, &ev, MB_KIND_EVENTS_HASHED);
	ok(eq(len, 52 + 1 + 2 + 8) && eq(mb_event_decode(buf, len, MB_KIND_EVENTS_HASHED, &back, &err), MB_OK) &&
		   eq(back.sem.has, MB_SEM_DELTA) && eq(back.sem.delta, 9) && eq(back.key_hash, 1),
	   "hashed events carry it after the hash");
	ev.sem.has = 0;
	is_int(mb_event_payload_len(&ev, MB_KIND_EVENTS_HASHED), 52, "no semantics: no extension, the version 1 layout");
	/* a later version's field (has bit 10, 4 bytes) after the known ones is skipped */
	ev.sem = (struct mb_sem){ .has = MB_SEM_DELTA, .delta = 9 };
	mb_event_encode(buf, &ev, MB_KIND_EVENTS_HASHED);
	buf[52] = 2 + 8 + 4;
	buf[54] = 0x04;
	memcpy(buf + 63, "\1\2\3\4", 4);
	ok(eq(mb_event_decode(buf, 52 + 1 + 14, MB_KIND_EVENTS_HASHED, &back, &err), MB_OK) && eq(back.sem.has, MB_SEM_DELTA) &&
		   eq(back.sem.delta, 9),
	   "a field of a later version is skipped by its length: %s", err.msg);
	buf[54] = 0;
	ok(eq(mb_event_decode(buf, 52 + 1 + 14, MB_KIND_EVENTS_HASHED, &back, &err), MB_ERR) && contains(err.msg, "after its last field"),
	   "bytes after the last field without a later bit: refused (%s)", err.msg);
	buf[52] = 5;
	ok(eq(mb_event_decode(buf, 52 + 1 + 5, MB_KIND_EVENTS_HASHED, &back, &err), MB_ERR) && contains(err.msg, "field delta"),
	   "a field past the extension's end: refused naming it (%s)", err.msg);
	buf[52] = 9;
	ok(eq(mb_event_decode(buf, 52 + 1 + 5, MB_KIND_EVENTS_HASHED, &back, &err), MB_ERR) && contains(err.msg, "extension says 9"),
	   "an extension length that disagrees with the frame: refused (%s)", err.msg);
	buf[52] = 0;
	ok(eq(mb_event_decode(buf, 53, MB_KIND_EVENTS_HASHED, &back, &err), MB_ERR), "an empty extension is refused");
	buf[52] = 2;
	buf[53] = buf[54] = 0;
	ok(eq(mb_event_decode(buf, 55, MB_KIND_EVENTS_HASHED, &back, &err), MB_ERR) && contains(err.msg, "has 0"),
	   "an extension without fields is refused (%s)", err.msg);
}

static void test_reader(void)
{
	uint8_t *s;
	uint64_t frames;
	struct mb_err err = { .msg = "" };
	size_t n = build_stream(&s, MB_KIND_EVENTS_RAW, 1000);
	ok(cmp(n, >, 16) && eq_mem(s, "MBSTREAM", 8), "stream starts with the magic");
	is_int(read_all(s, n, 0, &frames, &err), MB_END, "whole stream reads to a clean end");
	is_int(frames, 1001, "1000 events + 1 summary");

	/* Cut mid-frame: everything before is read, then an error with the offset. */
	is_int(read_all(s, n - 5, 0, &frames, &err), MB_ERR, "truncated stream is an error");
	ok(contains(err.msg, "truncated frame") && contains(err.msg, "at byte"), "message says truncated and where: %s", err.msg);
	is_int(frames, 1000, "frames before the cut were delivered");

	/* Oversized length field. */
	uint8_t *bad = malloc(n);
	memcpy(bad, s, n);
	size_t first = 16 + mb_ld_le32(s + 12);
	mb_st_le32(bad + first + 4, MB_FRAME_MAX + 1);
	is_int(read_all(bad, n, 0, &frames, &err), MB_ERR, "oversized length refused");
	ok(contains(err.msg, "exceeds maximum"), "message names the maximum: %s", err.msg);
	mb_st_le16(bad + first, 0);
	is_int(read_all(bad, n, 0, &frames, &err), MB_ERR, "frame type 0 refused");

	/* Wrong kind and wrong input. */
	is_int(read_all(s, n, 1u << MB_KIND_EVENTS_HASHED, &frames, &err), MB_ERR, "raw stream refused by a hashed reader");
	ok(contains(err.msg, "mb-anon"), "hint names mb-anon: %s", err.msg);
	is_int(read_all("", 0, 0, &frames, &err), MB_ERR, "empty input is an error");
	ok(contains(err.msg, "empty"), "empty input message: %s", err.msg);
	static const uint8_t pcap[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0 };
	is_int(read_all(pcap, sizeof pcap, 0, &frames, &err), MB_ERR, "pcap refused");
	ok(contains(err.msg, "pcap capture"), "message says pcap: %s", err.msg);
	is_int(read_all("hello world\n", 12, 0, &frames, &err), MB_ERR, "text refused");
	ok(contains(err.msg, "text"), "message says text: %s", err.msg);
	memcpy(bad, s, n);
	mb_st_le16(bad + 8, 9);
	is_int(read_all(bad, n, 0, &frames, &err), MB_ERR, "future version refused");
	ok(contains(err.msg, "version 9"), "message names the version: %s", err.msg);
	memcpy(bad, s, n);
	mb_st_le16(bad + 8, 1);
	uint64_t frames2;
	int rc = read_all(bad, n, 0, &frames, &err);
	ok(eq(rc, read_all(s, n, 0, &frames2, &err)) && eq(frames, frames2) && cmp(frames, >, 1000),
	   "a version 1 stream is read as the version 2 one (%d, %llu frames)", rc, (unsigned long long)frames);
	mb_st_le16(bad + 8, 3);
	ok(eq(read_all(bad, n, 0, &frames, &err), MB_ERR) && contains(err.msg, "version 3 is not supported (this program reads versions 1-2)"),
	   "version 3 is refused naming the versions read: %s", err.msg);
	is_int(read_all(s, 10, 0, &frames, &err), MB_ERR, "truncated header refused");

	/* Concatenated streams of one kind read as one; of two kinds, refused. */
	uint8_t *cat = malloc(2 * n);
	memcpy(cat, s, n);
	memcpy(cat + n, s, n);
	is_int(read_all(cat, 2 * n, 0, &frames, &err), MB_END, "concatenation reads through");
	is_int(frames, 2002, "both halves' frames");
	uint8_t *h;
	size_t hn = build_stream(&h, MB_KIND_EVENTS_HASHED, 3);
	memcpy(cat + n, h, hn);
	is_int(read_all(cat, n + hn, 0, &frames, &err), MB_ERR, "kind change refused");
	free(h);
	free(cat);
	free(bad);
	free(s);
}

static void test_text(void)
{
	struct mb_buf b = { 0 };
	uint8_t key[] = { 'a', ' ', '\\', 0, 0xff, '\t' };
	uint8_t back[32];
	mb_text_escape(&b, key, sizeof key);
	ok(eq(b.len, 19) && eq_mem(b.p, "a\\x20\\\\\\x00\\xff\\x09", 19), "escape: %.*s", (int)b.len, b.p);
	is_int(mb_text_unescape(b.p, b.len, back), 6, "unescape length");
	ok(eq_mem(back, key, 6), "unescape restores bytes");
	is_int(mb_text_unescape("\\x4", 3, back), -1, "cut escape refused");
	is_int(mb_text_unescape("\\q", 2, back), -1, "unknown escape refused");
	mb_buf_free(&b);

	unsigned kind = MB_KIND_NONE;
	struct mb_stream_info info;
	uint16_t type, flags;
	uint8_t *payload = malloc(MB_FRAME_MAX);
	uint32_t len;
	enum mb_text_line what;
	struct mb_err err = { .msg = "" };
	const char *line = "ev\t1.5\t1\ttext/tcp\tget\thit\t@00000000000000ff\t3\t0\t0\t-\t0\t5\t7";
	ok(eq(mb_text_parse(line, strlen(line), &kind, &info, &type, &flags, payload, &len, &what, &err), MB_OK) &&
		   eq(what, MB_TL_FRAME) && eq(kind, MB_KIND_EVENTS_HASHED) && eq(len, 52),
	   "hashed event line parses and sets the kind");
	const char *badts = "ev\tx\t1\ttext/tcp\tget\thit\t@00000000000000ff\t3\t0\t0\t-\t0\t5\t7";
	ok(eq(mb_text_parse(badts, strlen(badts), &kind, &info, &type, &flags, payload, &len, &what, &err), MB_ERR) &&
		   contains(err.msg, "field ts"),
	   "bad field named: %s", err.msg);
	free(payload);
}

static void test_varint_bytes(void)
{
	uint8_t buf[16];
	uint64_t vals[] = { 0, 1, 127, 128, 300, 1ull << 35, UINT64_MAX };
	int good = 1;
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		size_t n = mb_put_uvarint(buf, vals[i]);
		struct mb_cur c = mb_cur_make(buf, n);
		if (mb_get_uvarint(&c) != vals[i] || c.bad || mb_cur_left(&c))
			good = 0;
	}
	ok(good, "uvarint round trips");
	struct mb_cur c = mb_cur_make("\x80\x80", 2);
	mb_get_uvarint(&c);
	ok(c.bad, "truncated varint flagged");
	ok(eq(mb_unzigzag(mb_zigzag(-5)), -5) && eq(mb_zigzag(-1), 1), "zigzag");
	c = mb_cur_make("\x01\x02\x03", 3);
	is_int(mb_get_le16(&c), 0x0201, "le16");
	is_int(mb_get_le32(&c), 0, "read past the end gives 0");
	ok(c.bad && eq(c.off, 2), "and flags the cursor without moving it");
}

static void test_opt_time(void)
{
	struct mb_portset ps;
	struct mb_err err = { .msg = "" };
	uint64_t v;
	ok(eq(mb_opt_ports("11211,31411-31431", &ps, &err), MB_OK) && eq(ps.count, 22) && mb_port_in(&ps, 31420) &&
		   !mb_port_in(&ps, 31432),
	   "port list with a range");
	ok(eq(mb_opt_ports("11211,", &ps, &err), MB_ERR), "trailing comma refused");
	ok(eq(mb_opt_ports("70000", &ps, &err), MB_ERR), "port out of range refused");
	ok(eq(mb_opt_u64("10M", 0, UINT64_MAX, true, &v, &err), MB_OK) && eq(v, 10000000), "10M");
	ok(eq(mb_opt_u64("-1", 0, 10, false, &v, &err), MB_ERR), "negative refused");
	ok(eq(mb_opt_duration("250ms", &v, &err), MB_OK) && eq(v, 250000000), "250ms");
	ok(eq(mb_opt_duration("2x", &v, &err), MB_ERR), "bad unit refused");
	char ts[32];
	mb_ts_format(ts, sizeof ts, 1700000000123456789ull);
	ok(eq_str(ts, "1700000000.123456789"), "timestamp format %s", ts);
	ok(eq(mb_ts_parse("1.5", 3, &v), 0) && eq(v, 1500000000), "timestamp parse with short fraction");
	ok(eq(mb_ts_parse("1.0000000001", 12, &v), -1), "more than 9 fraction digits refused");
	ok(eq(mb_ts_parse("18446744073.709551615", 21, &v), 0) && eq(v, UINT64_MAX), "the largest timestamp parses");
	ok(eq(mb_ts_parse("18446744073.709551616", 21, &v), -1), "one past it is refused");
	ok(eq(mb_ts_parse("99999999999", 11, &v), -1), "too many seconds refused");
}

/* mb_frame_check, the writer's sticky failure, and a stop request inside a frame. */
static void test_errors(void)
{
	struct mb_err err = { .msg = "" };
	uint8_t p[64];
	memset(p, 0, sizeof p);
	mb_st_le16(p + 38, 7); /* key_len 7 */
	ok(mb_frame_check(MB_KIND_EVENTS_RAW, MB_FRAME_EVENT, p, MB_EVENT_FIXED + 5, &err) == MB_ERR &&
		   strstr(err.msg, "key_len"), "a key_len that lies is refused: %s", err.msg);
	ok(mb_frame_check(MB_KIND_EVENTS_RAW, MB_FRAME_EVENT, p, MB_EVENT_FIXED + 7, &err) == MB_OK, "a raw event that agrees");
	ok(mb_frame_check(MB_KIND_EVENTS_HASHED, MB_FRAME_EVENT, p, 20, &err) == MB_ERR, "a short event is refused");
	ok(mb_frame_check(MB_KIND_EVENTS_HASHED, MB_FRAME_EVENT, p, 48, &err) == MB_ERR, "a hashed event of 48 bytes is refused");
	ok(mb_frame_check(MB_KIND_EVENTS_HASHED, MB_FRAME_EVENT, p, 52, &err) == MB_OK, "a hashed event of 52 bytes");
	ok(mb_frame_check(MB_KIND_PACKETS, MB_FRAME_EVENT, p, 3, &err) == MB_OK, "an event in a packet stream is opaque");
	ok(mb_frame_check(MB_KIND_EVENTS_RAW, 9, p, 3, &err) == MB_OK, "an unknown frame type is opaque");
	static const uint8_t sum_trailing[] = { 1, 'x', 0, 0, 0xff };
	ok(mb_frame_check(MB_KIND_PACKETS, MB_FRAME_SUMMARY, sum_trailing, sizeof sum_trailing, &err) == MB_ERR,
	   "a summary with trailing bytes is refused in any kind");
	ok(mb_frame_check(MB_KIND_PACKETS, MB_FRAME_SUMMARY, sum_trailing, 4, &err) == MB_OK, "a summary of no counters");

	/* The writer: a frame no reader accepts is refused; the first write error sticks with its message. */
	int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
	struct mb_writer w;
	struct mb_stream_info info;
	ok(fd >= 0 && mb_writer_init(&w, fd, &err) == MB_OK, "writer on /dev/full");
	mb_info_init(&info, MB_KIND_EVENTS_RAW);
	ok(mb_writer_header(&w, &info, &err) == MB_OK, "the header is buffered");
	ok(mb_writer_frame(&w, MB_FRAME_EVENT, 0, p, 20, &err) == MB_ERR && w.frames == 0, "a short event is not written");
	int rc = mb_writer_flush(&w, &err);
	is_int(rc, MB_EIO, "ENOSPC is an I/O error, not a closed pipe");
	ok(!strcmp(err.msg, "write error: No space left on device: 'output' at byte 0"), "it names the cause and the output: %s", err.msg);
	struct mb_err later = { "" };
	struct mb_event ev;
	memset(&ev, 0, sizeof ev);
	ok(mb_writer_reserve(&w, 100, &later) == NULL, "nothing more is written");
	is_int(mb_writer_event(&w, &ev, &later), MB_EIO, "a later write gives the same failure");
	ok(!strcmp(later.msg, err.msg), "with the same message");
	is_int(mb_writer_close(&w, &later), MB_EIO, "and so does close");
	close(fd);

	/* A stop request while a frame is half read: the frames before it, then a clean end. */
	uint8_t *s;
	size_t n = build_stream(&s, MB_KIND_EVENTS_RAW, 10);
	size_t cut = n - 20; /* inside the summary frame */
	int pfd[2];
	ok(pipe(pfd) == 0 && write(pfd[1], s, cut) == (ssize_t)cut, "a pipe holding a stream cut inside a frame");
	struct mb_reader r;
	volatile sig_atomic_t stop = 0;
	rc = mb_reader_open(&r, pfd[0], "<pipe>", 0, &err);
	r.stop = &stop;
	stop = 1; /* the writer end stays open: without the stop the reader would wait for the rest */
	struct mb_frame f;
	uint64_t frames = 0;
	while (rc == MB_OK && (rc = mb_reader_next(&r, &f, &err)) == MB_OK)
		frames++;
	is_int(rc, MB_END, "a clean end, not a truncated frame");
	ok(r.stopped, "the reader says it was stopped");
	is_int(frames, 10, "every whole frame was returned");
	mb_reader_close(&r);
	close(pfd[0]);
	close(pfd[1]);
	free(s);
}

int main(void)
{
	test_errors();
	test_event_codec();
	test_event_sem();
	test_server();
	test_reader();
	test_text();
	test_varint_bytes();
	test_opt_time();
	return done_testing();
}
