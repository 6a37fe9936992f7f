/* gen-memcache-pcap.c - writes a synthetic, protocol-correct memcached TCP capture (text or binary). */
/*
 * Built and run by scripts/gen-memcache-pcap (see its usage). Model:
 *  - C client connections (10.1.x.y:port) to one server (10.0.0.1:PORT), each opened
 *    with a three-way handshake and closed with FIN/ACK from both sides; seq/ack exact,
 *    IPv4 and TCP checksums computed; Ethernet link type, microsecond pcap. With -6 the
 *    same over IPv6 (fd00::a.b.c.d addresses). -R PCT sends that share of segments
 *    after their successor (out of order), -D PCT sends that share twice (retransmitted).
 *    -E fills values with text and binary protocol lines (a trap for resynchronization).
 *  - N requests drawn from a mix of get, set, multi-key get and delete over K keys
 *    (uniform); the server is an infinite cache, so a get hits once its key was set.
 *  - Each connection has one message of requests in flight (one request, or with -P up
 *    to DEPTH requests back to back, answered by one message); connections interleave: a
 *    random connection either sends its next request or, when it has one in flight,
 *    receives the response. Messages longer than the MSS are split into segments.
 *  - With -t FILE, the truth: one line per key operation in wire order of requests,
 *    "client_port<TAB>cmd<TAB>status<TAB>key<TAB>value_len<TAB>resp_len".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSS 1448
#define MAX_MULTI 8
#define MAX_VALUE (1u << 20)

enum op { OP_GET, OP_SET, OP_MGET, OP_DELETE, OP_N };
static const char *op_names[OP_N] = {"get", "set", "mget", "delete"};

struct conn {
	uint32_t cip;
	uint16_t cport;
	uint32_t cseq, sseq; /* next sequence number each side sends */
	int state;           /* 0 not opened, 1 open and idle, 2 request in flight, 3 closed */
	size_t resp_len;     /* response bytes prepared in resp */
	uint8_t *resp;
	size_t resp_cap;
};

static uint64_t rng_state = 88172645463325252ull;

/* xorshift64*: a fast deterministic generator (seeded by -s). */
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static uint64_t rnd_below(uint64_t n) { return n ? rnd() % n : 0; }

static FILE *out, *truth;
static uint64_t ts_us = 1700000000ull * 1000000ull;
static uint32_t server_ip = 0x0a000001;
static uint16_t server_port = 11211;
static int binary_proto, ipv6;
static uint64_t packets, payload_bytes;

static void die(const char *msg)
{
	fprintf(stderr, "gen-memcache-pcap: %s\n", msg);
	exit(1);
}

static void put16be(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i;
	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (i < n)
		sum += (uint32_t)(p[i] << 8);
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The 16-byte IPv6 address of a v4-style address: fd00::<a>. */
static void v6addr(uint8_t *out, uint32_t a)
{
	memset(out, 0, 16);
	out[0] = 0xfd;
	put32be(out + 12, a);
}

/* One Ethernet/IPv4 (or IPv6 with -6)/TCP packet with payload p[0..n) from the client
   (to_server) or the server. */
static void emit_seg(struct conn *c, int to_server, uint8_t tcpflags, const uint8_t *p, size_t n, uint32_t seqno)
{
	static uint8_t pkt[14 + 40 + 20 + MSS];
	static uint16_t ipid;
	uint32_t sip = to_server ? c->cip : server_ip, dip = to_server ? server_ip : c->cip;
	uint16_t sport = to_server ? c->cport : server_port, dport = to_server ? server_port : c->cport;
	uint32_t ack = to_server ? c->sseq : c->cseq;
	size_t iplen = ipv6 ? 40 : 20;
	size_t len = 14 + iplen + 20 + n;
	uint8_t *eth = pkt, *ip = pkt + 14, *tcp = pkt + 14 + iplen;
	uint32_t pseudo_sum;

	memcpy(eth, to_server ? "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02"
			      : "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	if (ipv6) {
		eth[12] = 0x86; eth[13] = 0xdd;
		put32be(ip, 0x60000000u);
		put16be(ip + 4, (uint16_t)(20 + n));
		ip[6] = 6; ip[7] = 64;
		v6addr(ip + 8, sip);
		v6addr(ip + 24, dip);
		uint8_t ph[8] = {0};
		put32be(ph, (uint32_t)(20 + n));
		ph[7] = 6;
		pseudo_sum = csum_add(csum_add(0, ip + 8, 32), ph, 8);
	} else {
		eth[12] = 0x08; eth[13] = 0x00;
		ip[0] = 0x45; ip[1] = 0;
		put16be(ip + 2, (uint16_t)(20 + 20 + n));
		put16be(ip + 4, ipid++);
		put16be(ip + 6, 0x4000);
		ip[8] = 64; ip[9] = 6;
		put16be(ip + 10, 0);
		put32be(ip + 12, sip);
		put32be(ip + 16, dip);
		put16be(ip + 10, csum_fold(csum_add(0, ip, 20)));
		uint8_t ph[12];
		put32be(ph, sip);
		put32be(ph + 4, dip);
		ph[8] = 0; ph[9] = 6;
		put16be(ph + 10, (uint16_t)(20 + n));
		pseudo_sum = csum_add(0, ph, 12);
	}
	put16be(tcp, sport);
	put16be(tcp + 2, dport);
	put32be(tcp + 4, seqno);
	put32be(tcp + 8, (tcpflags & 0x10) ? ack : 0);
	tcp[12] = 5 << 4;
	tcp[13] = tcpflags;
	put16be(tcp + 14, 65535);
	put16be(tcp + 16, 0);
	put16be(tcp + 18, 0);
	if (n)
		memcpy(tcp + 20, p, n);
	put16be(tcp + 16, csum_fold(csum_add(pseudo_sum, tcp, 20 + n)));

	uint8_t rec[16];
	uint32_t sec = (uint32_t)(ts_us / 1000000), usec = (uint32_t)(ts_us % 1000000);
	memcpy(rec, &sec, 4);
	memcpy(rec + 4, &usec, 4);
	uint32_t l32 = (uint32_t)len;
	memcpy(rec + 8, &l32, 4);
	memcpy(rec + 12, &l32, 4);
	if (fwrite(rec, 16, 1, out) != 1 || fwrite(pkt, len, 1, out) != 1)
		die("write failed");
	packets++;
	payload_bytes += n;
}

/* One packet at the side's next sequence number, which it then advances. */
static void emit(struct conn *c, int to_server, uint8_t tcpflags, const uint8_t *p, size_t n)
{
	uint32_t *seq = to_server ? &c->cseq : &c->sseq;
	emit_seg(c, to_server, tcpflags, p, n, *seq);
	*seq += (uint32_t)n + ((tcpflags & 0x03) ? 1u : 0u);
}

/* A whole message, split into MSS-sized segments, each a little later than the last. */
static unsigned reorder_pct, dup_pct; /* -R, -D */
static unsigned long pipeline = 1;      /* -P */
static int evil_values;                 /* -E */

/* A whole message, split into MSS-sized segments, each a little later than the last.
   With -R a segment is sent after its successor (out of order) with that probability;
   with -D a segment is sent twice (a retransmission). The byte stream is unchanged. */
static void emit_msg(struct conn *c, int to_server, const uint8_t *p, size_t n)
{
	uint32_t *seq = to_server ? &c->cseq : &c->sseq, base = *seq;
	size_t nseg = (n + MSS - 1) / MSS;
	for (size_t i = 0; i < nseg; i++) {
		size_t order[2] = {i, i}, cnt = 1;
		if (i + 1 < nseg && rnd() % 100 < reorder_pct) {
			order[0] = i + 1;
			order[1] = i;
			cnt = 2;
		}
		for (size_t j = 0; j < cnt; j++) {
			size_t s = order[j], off = s * MSS, k = n - off > MSS ? MSS : n - off;
			uint8_t fl = s + 1 == nseg ? 0x18 : 0x10;
			emit_seg(c, to_server, fl, p + off, k, base + (uint32_t)off);
			if (rnd() % 100 < dup_pct) {
				ts_us += 1;
				emit_seg(c, to_server, fl, p + off, k, base + (uint32_t)off);
			}
			if (s + 1 < nseg || j + 1 < cnt)
				ts_us += 1;
		}
		i += cnt - 1;
	}
	*seq = base + (uint32_t)n;
}

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void buf_need(struct buf *b, size_t n)
{
	if (b->cap - b->len >= n)
		return;
	while (b->cap - b->len < n)
		b->cap = b->cap ? b->cap * 2 : 4096;
	b->p = realloc(b->p, b->cap);
	if (!b->p)
		die("out of memory");
}

static void buf_put(struct buf *b, const void *p, size_t n)
{
	buf_need(b, n);
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	buf_need(b, 512);
	va_start(ap, fmt);
	int n = vsnprintf((char *)b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len)
		die("format overflow");
	b->len += (size_t)n;
}

static uint8_t filler[MAX_VALUE];

static void bin_header(struct buf *b, uint8_t magic, uint8_t opcode, uint16_t keylen, uint8_t extlen,
		       uint16_t status, uint32_t bodylen, uint32_t opaque)
{
	uint8_t h[24] = {0};
	h[0] = magic;
	h[1] = opcode;
	put16be(h + 2, keylen);
	h[4] = extlen;
	put16be(h + 6, status);
	put32be(h + 8, bodylen);
	put32be(h + 12, opaque);
	buf_put(b, h, 24);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: gen-memcache-pcap [-n REQUESTS] [-c CONNS] [-K KEYS] [-m get=P,set=P,mget=P,delete=P]\n"
		"                         [-v MIN-MAX] [-p PORT] [-s SEED] [-B] [-6] [-E] [-P DEPTH] [-R PCT] [-D PCT]\n"
		"                         [-t TRUTHFILE] [-o OUT.pcap]\n");
	exit(2);
}

static unsigned long num(const char *s)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	unsigned long n = 1000, nconn = 10, nkeys = 10000, vmin = 16, vmax = 256;
	unsigned mix[OP_N] = {90, 10, 0, 0};
	const char *outpath = NULL, *truthpath = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-B") || !strcmp(a, "-6") || !strcmp(a, "-E")) {
			*(a[1] == 'B' ? &binary_proto : a[1] == '6' ? &ipv6 : &evil_values) = 1;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		const char *v = argv[++i];
		if (!strcmp(a, "-n"))
			n = num(v);
		else if (!strcmp(a, "-c"))
			nconn = num(v);
		else if (!strcmp(a, "-K"))
			nkeys = num(v);
		else if (!strcmp(a, "-p"))
			server_port = (uint16_t)num(v);
		else if (!strcmp(a, "-s"))
			rng_state = 0x9e3779b97f4a7c15ull ^ (num(v) * 0xbf58476d1ce4e5b9ull) ^ 1;
		else if (!strcmp(a, "-P"))
			pipeline = num(v);
		else if (!strcmp(a, "-R"))
			reorder_pct = (unsigned)num(v);
		else if (!strcmp(a, "-D"))
			dup_pct = (unsigned)num(v);
		else if (!strcmp(a, "-o"))
			outpath = v;
		else if (!strcmp(a, "-t"))
			truthpath = v;
		else if (!strcmp(a, "-v")) {
			if (sscanf(v, "%lu-%lu", &vmin, &vmax) != 2 || vmin > vmax || vmax > MAX_VALUE - 64)
				usage();
		} else if (!strcmp(a, "-m")) {
			memset(mix, 0, sizeof mix);
			char tmp[256];
			snprintf(tmp, sizeof tmp, "%s", v);
			for (char *tok = strtok(tmp, ","); tok; tok = strtok(NULL, ",")) {
				char *eq = strchr(tok, '=');
				if (!eq)
					usage();
				*eq = 0;
				int k;
				for (k = 0; k < OP_N && strcmp(op_names[k], tok); k++)
					;
				if (k == OP_N)
					usage();
				mix[k] = (unsigned)num(eq + 1);
			}
		} else
			usage();
	}
	if (nconn < 1 || nconn > 60000 || nkeys < 1 || nkeys > 100000000 || pipeline < 1 || pipeline > 1000)
		usage();
	unsigned mixsum = 0;
	for (int k = 0; k < OP_N; k++)
		mixsum += mix[k];
	if (!mixsum || (binary_proto && mix[OP_MGET]))
		usage();
	/* -E: values made of protocol lines, a trap for a parser that resynchronizes inside one */
	static const char evil[] = "\r\nget evil:trap\r\nset evil:set 0 0 4\r\nVALUE evil:value 0 4\r\nEND\r\n"
				   "\x80\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00\x04\x00\x00\x00\x00"
				   "\x00\x00\x00\x00\x00\x00\x00\x00evil";
	for (size_t i = 0; i < sizeof filler; i++)
		filler[i] = evil_values ? (uint8_t)evil[i % (sizeof evil - 1)] : (uint8_t)('a' + i % 26);

	out = outpath ? fopen(outpath, "wb") : stdout;
	if (!out)
		die("cannot open output");
	static char obuf[1 << 20];
	setvbuf(out, obuf, _IOFBF, sizeof obuf);
	if (truthpath && !(truth = fopen(truthpath, "w")))
		die("cannot open truth file");

	uint32_t hdr[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 262144, 1};
	if (fwrite(hdr, 24, 1, out) != 1)
		die("write failed");

	uint32_t *stored = calloc(nkeys, sizeof *stored); /* value length + 1, 0 when absent */
	struct conn *conns = calloc(nconn, sizeof *conns);
	if (!stored || !conns)
		die("out of memory");
	for (unsigned long i = 0; i < nconn; i++) {
		conns[i].cip = 0x0a010000u | (uint32_t)((i / 250) << 8) | (uint32_t)(i % 250 + 1);
		conns[i].cport = (uint16_t)(20000 + i);
		conns[i].cseq = (uint32_t)rnd();
		conns[i].sseq = (uint32_t)rnd();
	}

	struct buf req = {0}, resp = {0};
	unsigned long sent = 0, open_conns = 0;
	uint32_t opaque = 0;
	while (sent < n || open_conns) {
		struct conn *c = &conns[rnd_below(nconn)];
		ts_us += 1 + rnd_below(20);
		if (c->state == 3)
			continue;
		if (c->state == 2) {
			emit_msg(c, 0, c->resp, c->resp_len);
			c->state = 1;
			continue;
		}
		if (sent >= n) {
			if (c->state == 1) {
				emit(c, 1, 0x11, NULL, 0);
				emit(c, 0, 0x11, NULL, 0);
				emit(c, 1, 0x10, NULL, 0);
				c->state = 3;
				open_conns--;
			}
			continue;
		}
		if (c->state == 0) {
			emit(c, 1, 0x02, NULL, 0);
			emit(c, 0, 0x12, NULL, 0);
			emit(c, 1, 0x10, NULL, 0);
			c->state = 1;
			open_conns++;
			ts_us += 1;
		}
		req.len = resp.len = 0;
		/* with -P, up to that many requests back to back in one message */
		unsigned long depth = 1 + rnd_below(pipeline);
		for (unsigned long d = 0; d < depth && sent < n; d++) {
			unsigned pick = (unsigned)rnd_below(mixsum), op = 0;
			while (pick >= mix[op])
				pick -= mix[op++];
			unsigned long nk = op == OP_MGET ? 2 + rnd_below(MAX_MULTI - 1) : 1;
			unsigned long keys[MAX_MULTI];
			char kbuf[MAX_MULTI][32];
			for (unsigned long j = 0; j < nk; j++) {
				keys[j] = rnd_below(nkeys);
				snprintf(kbuf[j], sizeof kbuf[j], "key:%08lu", keys[j]);
			}
			uint16_t klen = (uint16_t)strlen(kbuf[0]);
			if (op == OP_SET) {
				uint32_t vlen = (uint32_t)(vmin + rnd_below(vmax - vmin + 1));
				if (binary_proto) {
					uint8_t ext[8] = {0};
					bin_header(&req, 0x80, 0x01, klen, 8, 0, 8 + klen + vlen, ++opaque);
					buf_put(&req, ext, 8);
					buf_put(&req, kbuf[0], klen);
					buf_put(&req, filler, vlen);
					bin_header(&resp, 0x81, 0x01, 0, 0, 0, 0, opaque);
					/* the CAS field of a store response carries the new item's CAS */
					put32be(resp.p + resp.len - 4, (uint32_t)sent + 1);
				} else {
					buf_printf(&req, "set %s 0 0 %u\r\n", kbuf[0], vlen);
					buf_put(&req, filler, vlen);
					buf_put(&req, "\r\n", 2);
					buf_printf(&resp, "STORED\r\n");
				}
				stored[keys[0]] = vlen + 1;
				if (truth)
					fprintf(truth, "%u\tset\tstored\t%s\t%u\t0\n", c->cport, kbuf[0], vlen);
			} else if (op == OP_DELETE) {
				int hit = stored[keys[0]] != 0;
				if (binary_proto) {
					bin_header(&req, 0x80, 0x04, klen, 0, 0, klen, ++opaque);
					buf_put(&req, kbuf[0], klen);
					bin_header(&resp, 0x81, 0x04, 0, 0, hit ? 0 : 1, hit ? 0 : 9, opaque);
					if (!hit)
						buf_put(&resp, "Not found", 9);
				} else {
					buf_printf(&req, "delete %s\r\n", kbuf[0]);
					buf_printf(&resp, hit ? "DELETED\r\n" : "NOT_FOUND\r\n");
				}
				stored[keys[0]] = 0;
				if (truth)
					fprintf(truth, "%u\tdelete\t%s\t%s\t0\t0\n", c->cport, hit ? "deleted" : "not_found",
						kbuf[0]);
			} else {
				if (binary_proto) {
					uint32_t v = stored[keys[0]];
					bin_header(&req, 0x80, 0x00, klen, 0, 0, klen, ++opaque);
					buf_put(&req, kbuf[0], klen);
					if (v) {
						uint8_t ext[4] = {0};
						bin_header(&resp, 0x81, 0x00, 0, 4, 0, 4 + v - 1, opaque);
						buf_put(&resp, ext, 4);
						buf_put(&resp, filler, v - 1);
					} else {
						bin_header(&resp, 0x81, 0x00, 0, 0, 1, 9, opaque);
						buf_put(&resp, "Not found", 9);
					}
					if (truth)
						fprintf(truth, "%u\tget\t%s\t%s\t0\t%u\n", c->cport, v ? "hit" : "miss", kbuf[0],
							v ? v - 1 : 0);
				} else {
					buf_put(&req, "get", 3);
					for (unsigned long j = 0; j < nk; j++) {
						buf_put(&req, " ", 1);
						buf_put(&req, kbuf[j], strlen(kbuf[j]));
						uint32_t v = stored[keys[j]];
						if (v) {
							buf_printf(&resp, "VALUE %s 0 %u\r\n", kbuf[j], v - 1);
							buf_put(&resp, filler, v - 1);
							buf_put(&resp, "\r\n", 2);
						}
						if (truth)
							fprintf(truth, "%u\tget\t%s\t%s\t0\t%u\n", c->cport, v ? "hit" : "miss",
								kbuf[j], v ? v - 1 : 0);
					}
					buf_put(&req, "\r\n", 2);
					buf_put(&resp, "END\r\n", 5);
				}
			}
			sent++;
		}
		emit_msg(c, 1, req.p, req.len);
		if (c->resp_cap < resp.len) {
			c->resp = realloc(c->resp, resp.len);
			if (!c->resp)
				die("out of memory");
			c->resp_cap = resp.len;
		}
		memcpy(c->resp, resp.p, resp.len);
		c->resp_len = resp.len;
		c->state = 2;
	}
	if (fflush(out) || (outpath && fclose(out)))
		die("write failed");
	if (truth && fclose(truth))
		die("truth write failed");
	for (unsigned long i = 0; i < nconn; i++)
		free(conns[i].resp);
	free(conns);
	free(stored);
	free(req.p);
	free(resp.p);
	fprintf(stderr, "gen-memcache-pcap: %lu requests, %lu connections, %" PRIu64 " packets, %" PRIu64
		" payload bytes\n", n, nconn, packets, payload_bytes);
	return 0;
}
