/* pcapfile.c - unit tests of common/pcapfile: hand-built pcap and pcapng files, sloppy and broken ones. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pcapfile.h"
#include "tap.h"

/* ---- a byte builder with a selectable byte order ---- */

struct buf {
	uint8_t *p;
	size_t len, cap;
	int be;
};

static void put(struct buf *b, const void *src, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

static void put8(struct buf *b, uint8_t v) { put(b, &v, 1); }
static void put16(struct buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(b->be ? v >> 8 : v), (uint8_t)(b->be ? v : v >> 8) };
	put(b, x, 2);
}
static void put32(struct buf *b, uint32_t v)
{
	uint8_t x[4];
	for (int i = 0; i < 4; i++)
		x[b->be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
	put(b, x, 4);
}
static void put64(struct buf *b, uint64_t v)
{
	if (b->be) {
		put32(b, (uint32_t)(v >> 32));
		put32(b, (uint32_t)v);
	} else {
		put32(b, (uint32_t)v);
		put32(b, (uint32_t)(v >> 32));
	}
}
static void pad4(struct buf *b)
{
	while (b->len % 4)
		put8(b, 0);
}

/* Packet data: byte i is (seed + i). */
static void put_data(struct buf *b, uint32_t n, uint8_t seed)
{
	for (uint32_t i = 0; i < n; i++)
		put8(b, (uint8_t)(seed + i));
}

static int data_ok(const struct mb_packet *p, uint8_t seed)
{
	for (uint32_t i = 0; i < p->caplen; i++)
		if (p->data[i] != (uint8_t)(seed + i))
			return 0;
	return 1;
}

/* ---- classic pcap ---- */

static void pcap_hdr(struct buf *b, int be, int nsec, uint32_t snaplen, uint32_t network)
{
	b->be = be;
	put32(b, nsec ? 0xa1b23c4d : 0xa1b2c3d4);
	put16(b, 2);
	put16(b, 4);
	put32(b, 0);
	put32(b, 0);
	put32(b, snaplen);
	put32(b, network);
}

static void pcap_rec(struct buf *b, uint32_t sec, uint32_t frac, uint32_t incl, uint32_t orig, uint8_t seed)
{
	put32(b, sec);
	put32(b, frac);
	put32(b, incl);
	put32(b, orig);
	put_data(b, incl, seed);
}

/* ---- pcapng ---- */

/* Begin a block: returns the offset of its length field. */
static size_t blk_begin(struct buf *b, uint32_t type)
{
	put32(b, type);
	size_t at = b->len;
	put32(b, 0);
	return at;
}

static void blk_end(struct buf *b, size_t at)
{
	pad4(b);
	uint32_t total = (uint32_t)(b->len - (at - 4) + 4);
	put32(b, total);
	struct buf t = { NULL, 0, 0, b->be };
	put32(&t, total);
	memcpy(b->p + at, t.p, 4);
	free(t.p);
}

static void shb(struct buf *b, int be)
{
	b->be = be;
	size_t at = blk_begin(b, 0x0a0d0d0a);
	put32(b, 0x1a2b3c4d);
	put16(b, 1);
	put16(b, 0);
	put64(b, UINT64_MAX);
	blk_end(b, at);
}

/* IDB; tsresol < 0: none; tsoffset: seconds (0 = none). */
static void idb(struct buf *b, uint16_t linktype, uint32_t snaplen, int tsresol, int64_t tsoffset)
{
	size_t at = blk_begin(b, 1);
	put16(b, linktype);
	put16(b, 0);
	put32(b, snaplen);
	put16(b, 2); /* if_name */
	put16(b, 2);
	put8(b, 'l');
	put8(b, 'o');
	pad4(b);
	if (tsresol >= 0) {
		put16(b, 9);
		put16(b, 1);
		put8(b, (uint8_t)tsresol);
		pad4(b);
	}
	if (tsoffset) {
		put16(b, 14);
		put16(b, 8);
		put64(b, (uint64_t)tsoffset);
	}
	put16(b, 0);
	put16(b, 0);
	blk_end(b, at);
}

static void epb(struct buf *b, uint32_t ifid, uint64_t ts, uint32_t caplen, uint32_t wirelen, uint8_t seed)
{
	size_t at = blk_begin(b, 6);
	put32(b, ifid);
	put32(b, (uint32_t)(ts >> 32));
	put32(b, (uint32_t)ts);
	put32(b, caplen);
	put32(b, wirelen);
	put_data(b, caplen, seed);
	blk_end(b, at);
}

static void spb(struct buf *b, uint32_t wirelen, uint32_t present, uint8_t seed)
{
	size_t at = blk_begin(b, 3);
	put32(b, wirelen);
	put_data(b, present, seed);
	blk_end(b, at);
}

static void opb(struct buf *b, uint16_t ifid, uint64_t ts, uint32_t caplen, uint32_t wirelen, uint8_t seed)
{
	size_t at = blk_begin(b, 2);
	put16(b, ifid);
	put16(b, 0);
	put32(b, (uint32_t)(ts >> 32));
	put32(b, (uint32_t)ts);
	put32(b, caplen);
	put32(b, wirelen);
	put_data(b, caplen, seed);
	blk_end(b, at);
}

static void other(struct buf *b, uint32_t type, uint32_t body)
{
	size_t at = blk_begin(b, type);
	put_data(b, body, 0);
	blk_end(b, at);
}

/* ---- running the reader over bytes ---- */

struct run {
	int fd;
	struct mb_reader r;
	struct mb_pcapfile *pf;
	struct mb_err err;
	int open_rc;
};

static void run_open(struct run *x, const struct buf *b)
{
	memset(x, 0, sizeof *x);
	x->fd = memfd_create("pcapfile-test", 0);
	if (x->fd < 0 || (b->len && write(x->fd, b->p, b->len) != (ssize_t)b->len) || lseek(x->fd, 0, SEEK_SET) != 0)
		abort();
	x->open_rc = mb_reader_attach(&x->r, x->fd, "t.pcap", &x->err);
	if (x->open_rc == MB_OK)
		x->open_rc = mb_pcapfile_open(&x->pf, &x->r, &x->err);
}

static void run_close(struct run *x)
{
	mb_pcapfile_close(x->pf);
	mb_reader_close(&x->r);
	close(x->fd);
}

/* Read all packets; returns the final rc, *n the packets read. */
static int drain(struct run *x, int *n)
{
	struct mb_packet p;
	int rc;
	*n = 0;
	while ((rc = mb_pcapfile_next(x->pf, &p, &x->err)) == MB_OK)
		(*n)++;
	return rc;
}

static int has(const struct run *x, const char *s) { return contains(x->err.msg, s); }

/* ---- tests ---- */

static void test_pcap_basic(void)
{
	struct buf b = { 0 };
	pcap_hdr(&b, 0, 0, 65535, 1);
	pcap_rec(&b, 10, 999999, 60, 60, 1);
	pcap_rec(&b, 11, 5, 40, 1500, 2);
	pcap_rec(&b, 12, 0, 0, 0, 3);
	struct run x;
	run_open(&x, &b);
	is_int(x.open_rc, MB_OK, "classic pcap opens");
	is_int(mb_pcapfile_linktype(x.pf), 1, "linktype from the header");
	is_int(mb_pcapfile_snaplen(x.pf), 65535, "snaplen from the header");
	struct mb_packet p;
	is_int(mb_pcapfile_next(x.pf, &p, &x.err), MB_OK, "first record");
	ok(eq(p.ts_ns, 10999999000ull) && eq(p.caplen, 60) && eq(p.wirelen, 60) && eq(p.linktype, 1) && eq(p.elided, 0) && data_ok(&p, 1),
	   "first record's fields and bytes (us -> ns)");
	is_int(mb_pcapfile_next(x.pf, &p, &x.err), MB_OK, "second record");
	ok(eq(p.ts_ns, 11000005000ull) && eq(p.caplen, 40) && eq(p.wirelen, 1500) && data_ok(&p, 2), "snapped record keeps wire length");
	is_int(mb_pcapfile_next(x.pf, &p, &x.err), MB_OK, "empty record");
	is_int(p.caplen, 0, "empty record has caplen 0");
	is_int(mb_pcapfile_next(x.pf, &p, &x.err), MB_END, "clean end");
	is_int(mb_pcapfile_next(x.pf, &p, &x.err), MB_END, "end stays end");
	run_close(&x);
	free(b.p);
}

static void test_pcap_be_nsec(void)
{
	struct buf b = { 0 };
	pcap_hdr(&b, 1, 1, 262144, 12 | 0x04000000u); /* DLT_RAW's value, FCS annotation bits */
	pcap_rec(&b, 1, 123456789, 20, 20, 7);
	struct run x;
	run_open(&x, &b);
	is_int(x.open_rc, MB_OK, "big-endian nanosecond pcap opens");
	is_int(mb_pcapfile_linktype(x.pf), 101, "linktype 12 reads as LINKTYPE_RAW, upper bits ignored");
	struct mb_packet p;
	is_int(mb_pcapfile_next(x.pf, &p, &x.err), MB_OK, "big-endian record");
	ok(eq(p.ts_ns, 1123456789ull) && eq(p.caplen, 20) && eq(p.linktype, 101) && data_ok(&p, 7), "big-endian ns fields");
	run_close(&x);
	free(b.p);
}

static void test_pcap_sloppy(void)
{
	struct buf b = { 0 };
	pcap_hdr(&b, 0, 0, 64, 1);
	pcap_rec(&b, 1, 0, 100, 100, 1);        /* incl > snaplen */
	pcap_rec(&b, 1, 0, 80, 50, 2);          /* incl > orig */
	pcap_rec(&b, 1, 0, MB_PACKET_MAX, MB_PACKET_MAX, 3);
	struct run x;
	run_open(&x, &b);
	struct mb_packet p;
	is_int(mb_pcapfile_next(x.pf, &p, &x.err), MB_OK, "record longer than the snap length is read");
	is_int(p.caplen, 100, "all its bytes");
	is_int(mb_pcapfile_next(x.pf, &p, &x.err), MB_OK, "record longer than its wire length is read");
	ok(eq(p.caplen, 80) && eq(p.wirelen, 80) && data_ok(&p, 2), "wire length raised to the captured length");
	is_int(mb_pcapfile_next(x.pf, &p, &x.err), MB_OK, "record of exactly MB_PACKET_MAX bytes");
	ok(eq(p.caplen, MB_PACKET_MAX) && data_ok(&p, 3), "its bytes");
	is_int(mb_pcapfile_next(x.pf, &p, &x.err), MB_END, "then the end");
	run_close(&x);
	free(b.p);
}

static void test_pcap_broken(void)
{
	struct buf b = { 0 };
	struct run x;
	int n;
	pcap_hdr(&b, 0, 0, 65535, 1);
	pcap_rec(&b, 1, 0, 30, 30, 1);
	pcap_rec(&b, 2, 0, 30, 30, 1);
	size_t good = b.len; /* 24 + 2 * 46 = 116 */
	pcap_rec(&b, 3, 0, 30, 30, 1);

	b.len = good + 20; /* third record cut inside its data */
	run_open(&x, &b);
	is_int(drain(&x, &n), MB_ERR, "truncated record: an error");
	is_int(n, 2, "truncated record: the two packets before it were returned");
	ok(has(&x, "truncated packet record (20 of 46 bytes): 't.pcap' at byte 116"), "truncated record message: %s", x.err.msg);
	run_close(&x);

	b.len = good + 5; /* cut inside the record header */
	run_open(&x, &b);
	is_int(drain(&x, &n), MB_ERR, "truncated record header: an error");
	is_int(n, 2, "truncated record header: two packets first");
	ok(has(&x, "truncated packet record header (5 of 16 bytes): 't.pcap' at byte 116"), "message: %s", x.err.msg);
	run_close(&x);

	b.len = good;
	pcap_rec(&b, 3, 0, 0, 0, 0);
	memcpy(b.p + good + 8, "\x01\x00\x04\x00", 4); /* incl_len 262145 */
	run_open(&x, &b);
	is_int(drain(&x, &n), MB_ERR, "oversized record length: an error");
	is_int(n, 2, "oversized record: two packets first");
	ok(has(&x, "packet record length 262145 exceeds maximum 262144: 't.pcap' at byte 124"), "message: %s", x.err.msg);
	run_close(&x);

	b.len = 10;
	run_open(&x, &b);
	is_int(x.open_rc, MB_ERR, "truncated file header: open fails");
	ok(has(&x, "truncated pcap file header (10 of 24 bytes): 't.pcap' at byte 0"), "message: %s", x.err.msg);
	run_close(&x);

	b.len = 24;
	b.p[4] = 3; /* version 3.4 */
	run_open(&x, &b);
	is_int(x.open_rc, MB_ERR, "unknown major version: open fails");
	ok(has(&x, "unsupported pcap format version 3.4"), "message: %s", x.err.msg);
	run_close(&x);

	b.len = 24;
	b.p[4] = 2;
	run_open(&x, &b);
	is_int(x.open_rc, MB_OK, "header only: opens");
	is_int(drain(&x, &n), MB_END, "header only: clean end");
	is_int(n, 0, "header only: no packets");
	run_close(&x);
	free(b.p);
}

static void test_not_pcap(void)
{
	struct buf b = { 0 };
	struct run x;
	run_open(&x, &b);
	is_int(x.open_rc, MB_ERR, "empty input: open fails");
	ok(has(&x, "empty input"), "message: %s", x.err.msg);
	run_close(&x);

	put(&b, "get foo\r\nget bar\r\n", 18);
	run_open(&x, &b);
	is_int(x.open_rc, MB_ERR, "text: open fails");
	ok(has(&x, "not a pcap or pcapng capture: 't.pcap' at byte 0"), "message: %s", x.err.msg);
	run_close(&x);

	b.len = 0;
	put(&b, MB_STREAM_MAGIC "\x01\x00\x01\x00\x00\x00\x00\x00", 16);
	run_open(&x, &b);
	is_int(x.open_rc, MB_ERR, "membench stream: open fails");
	ok(has(&x, "membench stream"), "message names a membench stream: %s", x.err.msg);
	run_close(&x);

	b.len = 0;
	put(&b, "\x00\x01\x02\xff\xfe\x80\x81\x82\x83\x84\x85", 11);
	run_open(&x, &b);
	is_int(x.open_rc, MB_ERR, "garbage: open fails");
	run_close(&x);
	free(b.p);
}

static void test_ng_basic(int be)
{
	struct buf b = { 0 };
	shb(&b, be);
	other(&b, 0x0bad, 10);             /* unknown block before the interface */
	idb(&b, 1, 96, -1, 0);             /* default resolution: us */
	epb(&b, 0, 5000001, 50, 60, 1);
	other(&b, 5, 20);                  /* interface statistics */
	spb(&b, 200, 96, 2);               /* wire 200, snapped to 96 */
	spb(&b, 10, 12, 3);                /* wire 10 in a padded 12-byte body */
	opb(&b, 0, 7, 4, 4, 4);
	other(&b, 0x40000bad, 0);          /* custom block, empty */
	struct run x;
	run_open(&x, &b);
	is_int(x.open_rc, MB_OK, "pcapng (%s) opens", be ? "big-endian" : "little-endian");
	is_int(mb_pcapfile_linktype(x.pf), 1, "pcapng linktype of the first interface, known after open");
	is_int(mb_pcapfile_snaplen(x.pf), 96, "pcapng snaplen of the first interface");
	struct mb_packet p;
	is_int(mb_pcapfile_next(x.pf, &p, &x.err), MB_OK, "EPB");
	ok(eq(p.ts_ns, 5000001000ull) && eq(p.caplen, 50) && eq(p.wirelen, 60) && eq(p.linktype, 1) && data_ok(&p, 1), "EPB fields");
	is_int(mb_pcapfile_next(x.pf, &p, &x.err), MB_OK, "SPB after a skipped statistics block");
	ok(eq(p.ts_ns, 0) && eq(p.caplen, 96) && eq(p.wirelen, 200) && data_ok(&p, 2), "SPB snapped to the interface snaplen");
	is_int(mb_pcapfile_next(x.pf, &p, &x.err), MB_OK, "short SPB");
	ok(eq(p.caplen, 10) && eq(p.wirelen, 10) && data_ok(&p, 3), "SPB caplen is its wire length, not its padding");
	is_int(mb_pcapfile_next(x.pf, &p, &x.err), MB_OK, "obsolete packet block");
	ok(eq(p.ts_ns, 7000) && eq(p.caplen, 4) && data_ok(&p, 4), "OPB fields");
	is_int(mb_pcapfile_next(x.pf, &p, &x.err), MB_END, "custom block skipped, clean end");
	run_close(&x);
	free(b.p);
}

static void test_ng_tsresol(void)
{
	struct buf b = { 0 };
	shb(&b, 0);
	idb(&b, 1, 0, 9, 0);              /* ns */
	idb(&b, 101, 0, 0x80 | 20, 0);    /* 2^-20 s */
	idb(&b, 1, 0, 3, 100);            /* ms, offset 100 s */
	idb(&b, 1, 0, 12, 0);             /* ps */
	epb(&b, 0, 1234567890123ull, 1, 1, 0);
	epb(&b, 1, (3ull << 20) | (1u << 19), 1, 1, 0);
	epb(&b, 2, 1500, 1, 1, 0);
	epb(&b, 3, 2000000000999ull, 1, 1, 0);
	struct run x;
	run_open(&x, &b);
	struct mb_packet p;
	mb_pcapfile_next(x.pf, &p, &x.err);
	ok(eq(p.ts_ns, 1234567890123ull) && eq(p.linktype, 1), "if_tsresol 9: nanoseconds as they are");
	mb_pcapfile_next(x.pf, &p, &x.err);
	ok(eq(p.ts_ns, 3500000000ull) && eq(p.linktype, 101), "if_tsresol 2^-20: 3.5 s, second interface's linktype");
	mb_pcapfile_next(x.pf, &p, &x.err);
	ok(eq(p.ts_ns, 101500000000ull), "if_tsresol 3 with if_tsoffset 100: 101.5 s");
	mb_pcapfile_next(x.pf, &p, &x.err);
	ok(eq(p.ts_ns, 2000000000ull), "if_tsresol 12: picoseconds truncated to ns");
	run_close(&x);

	b.len = 0;
	shb(&b, 0);
	idb(&b, 1, 0, 25, 0);
	run_open(&x, &b);
	is_int(x.open_rc, MB_ERR, "if_tsresol 10^-25: refused");
	ok(has(&x, "unsupported pcapng if_tsresol 0x19"), "message: %s", x.err.msg);
	run_close(&x);
	free(b.p);
}

static void test_ng_sections(void)
{
	struct buf b = { 0 };
	shb(&b, 0);
	idb(&b, 1, 0, -1, 0);
	idb(&b, 113, 0, -1, 0);
	epb(&b, 1, 1, 8, 8, 1);
	shb(&b, 1);                        /* new section, other byte order: interfaces start over */
	idb(&b, 276, 0, -1, 0);
	epb(&b, 0, 2, 8, 8, 2);
	size_t cut = b.len;
	epb(&b, 1, 3, 8, 8, 3);            /* interface 1 no longer exists */
	struct run x;
	run_open(&x, &b);
	struct mb_packet p;
	is_int(mb_pcapfile_next(x.pf, &p, &x.err), MB_OK, "section 1 packet");
	ok(eq(p.linktype, 113) && data_ok(&p, 1), "section 1 packet is on interface 1 (LINUX_SLL)");
	is_int(mb_pcapfile_next(x.pf, &p, &x.err), MB_OK, "section 2 packet (big-endian)");
	ok(eq(p.linktype, 276) && eq(p.ts_ns, 2000) && data_ok(&p, 2), "section 2 interface 0 is LINUX_SLL2");
	is_int(mb_pcapfile_next(x.pf, &p, &x.err), MB_ERR, "stale interface id: an error");
	char want[128];
	snprintf(want, sizeof want, "names interface 1 but the section defines 1: 't.pcap' at byte %zu", cut + 8);
	ok(has(&x, want), "message: %s", x.err.msg);
	is_int(mb_pcapfile_linktype(x.pf), 1, "linktype stays the first interface's");
	run_close(&x);
	free(b.p);
}

static void test_ng_broken(void)
{
	struct buf b = { 0 };
	struct run x;
	int n;
	shb(&b, 0);
	idb(&b, 1, 0, -1, 0);
	epb(&b, 0, 1, 10, 10, 1);
	size_t good = b.len;
	epb(&b, 0, 2, 10, 10, 2);
	size_t full = b.len;

	b.len = full - 3;
	run_open(&x, &b);
	is_int(drain(&x, &n), MB_ERR, "truncated EPB: an error");
	is_int(n, 1, "truncated EPB: the packet before it was returned");
	char want[128];
	snprintf(want, sizeof want, "truncated pcapng block (%zu of 44 bytes): 't.pcap' at byte %zu", full - 3 - good, good);
	ok(has(&x, want), "message: %s", x.err.msg);
	run_close(&x);

	b.len = good + 6;
	run_open(&x, &b);
	is_int(drain(&x, &n), MB_ERR, "truncated block header: an error");
	ok(eq(n, 1) && has(&x, "truncated pcapng block header (6 of 8 bytes)"), "message: %s", x.err.msg);
	run_close(&x);

	b.len = full;
	b.p[full - 1 - 3] ^= 0x40; /* trailer */
	run_open(&x, &b);
	is_int(drain(&x, &n), MB_ERR, "trailer mismatch: an error");
	snprintf(want, sizeof want, "trailer length 108 does not match its header length 44: 't.pcap' at byte %zu", full - 4);
	ok(eq(n, 1) && has(&x, want), "message: %s", x.err.msg);
	b.p[full - 1 - 3] ^= 0x40;
	run_close(&x);

	b.p[good + 4] = 46; /* length not a multiple of 4 */
	run_open(&x, &b);
	is_int(drain(&x, &n), MB_ERR, "odd block length: an error");
	snprintf(want, sizeof want, "bad pcapng block length 46 (a multiple of 4, at least 12): 't.pcap' at byte %zu", good + 4);
	ok(eq(n, 1) && has(&x, want), "message: %s", x.err.msg);
	run_close(&x);
	b.p[good + 4] = 8;
	run_open(&x, &b);
	is_int(drain(&x, &n), MB_ERR, "block length 8: an error");
	run_close(&x);
	b.p[good + 4] = 44;

	b.p[good + 20] = 40; /* EPB caplen 40 does not fit in the block */
	run_open(&x, &b);
	is_int(drain(&x, &n), MB_ERR, "EPB caplen beyond its block: an error");
	ok(eq(n, 1) && has(&x, "pcapng packet data (40 bytes) overruns its block"), "message: %s", x.err.msg);
	run_close(&x);
	b.p[good + 20] = 10;

	/* A big unknown block is skipped in pieces; cut, it is a truncation. */
	b.len = good;
	other(&b, 0x0bad, 3u << 20);
	epb(&b, 0, 3, 10, 10, 3);
	run_open(&x, &b);
	is_int(drain(&x, &n), MB_END, "3 MiB unknown block skipped");
	is_int(n, 2, "packets around it read");
	run_close(&x);
	b.len = good + (2u << 20);
	run_open(&x, &b);
	is_int(drain(&x, &n), MB_ERR, "truncated big unknown block: an error");
	snprintf(want, sizeof want, "truncated pcapng block (2097152 of %u bytes): 't.pcap' at byte %zu", (3u << 20) + 12, good);
	ok(eq(n, 1) && has(&x, want), "message: %s", x.err.msg);
	run_close(&x);

	/* A packet block before any interface. */
	b.len = 0;
	shb(&b, 0);
	epb(&b, 0, 1, 4, 4, 0);
	run_open(&x, &b);
	is_int(x.open_rc, MB_OK, "no interface yet: open still succeeds");
	is_int(mb_pcapfile_linktype(x.pf), 0, "linktype 0 without an interface");
	is_int(drain(&x, &n), MB_ERR, "packet without interface: an error");
	run_close(&x);

	/* A bad byte-order magic, a short SHB, an unknown major version. */
	b.len = 0;
	shb(&b, 0);
	b.p[8] = 0x99;
	run_open(&x, &b);
	ok(eq(x.open_rc, MB_ERR) && has(&x, "bad pcapng byte-order magic"), "bad byte-order magic: %s", x.err.msg);
	run_close(&x);
	b.len = 10;
	run_open(&x, &b);
	ok(eq(x.open_rc, MB_ERR) && has(&x, "truncated pcapng section header"), "10-byte pcapng: %s", x.err.msg);
	run_close(&x);
	b.len = 0;
	shb(&b, 0);
	b.p[12] = 2;
	run_open(&x, &b);
	ok(eq(x.open_rc, MB_ERR) && has(&x, "unsupported pcapng version 2.0"), "pcapng 2.0: %s", x.err.msg);
	run_close(&x);

	/* An IDB option overrunning its block. */
	b.len = 0;
	shb(&b, 0);
	size_t at = blk_begin(&b, 1);
	put16(&b, 1);
	put16(&b, 0);
	put32(&b, 0);
	put16(&b, 9);
	put16(&b, 200);
	blk_end(&b, at);
	run_open(&x, &b);
	ok(eq(x.open_rc, MB_ERR) && has(&x, "pcapng option 9 overruns its block"), "overrunning option: %s", x.err.msg);
	run_close(&x);
	free(b.p);
}

int main(void)
{
	test_pcap_basic();
	test_pcap_be_nsec();
	test_pcap_sloppy();
	test_pcap_broken();
	test_not_pcap();
	test_ng_basic(0);
	test_ng_basic(1);
	test_ng_tsresol();
	test_ng_sections();
	test_ng_broken();
	return done_testing();
}
