/* mcproto.c - unit tests of the mb-parse decoders (text, meta, binary), pairing rules and packet decoding. */
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "event.h"
#include "mcpair.h"
#include "mcproto.h"
#include "net.h"
#include "tap.h"

#define S(lit) (const uint8_t *)(lit), sizeof(lit) - 1

static struct mc_req rq;
static struct mc_resp rs;

static int keyeq(const struct mc_key *k, const char *s)
{
	return k->len == strlen(s) && memcmp(k->p, s, k->len) == 0;
}

static void text_requests(void)
{
	is_int(mc_text_req(S("get a bb ccc\r\n"), &rq), MC_OK, "get: ok");
	ok(eq(rq.cmd, MB_CMD_GET) && eq(rq.nkeys, 3) && keyeq(&rq.keys[2], "ccc") && eq(rq.expect, MC_EXP_VALUES),
	   "get: three keys, VALUES expected");
	is_int(rq.hdr_len, 14, "get: line length with CRLF");
	is_int(mc_text_req(S("get a bb"), &rq), MC_NEED_MORE, "partial line: need more");
	is_int(mc_text_req(S("set k 5 -1 3 noreply\r\nabc\r\n"), &rq), MC_OK, "set noreply: ok");
	ok(eq(rq.cmd, MB_CMD_SET) && eq(rq.value_len, 3) && eq(rq.skip, 5) && eq(rq.ttl, -1) &&
	   (rq.flags & MB_EF_NOREPLY) && eq(rq.expect, MC_EXP_NONE), "set noreply: value 3, skip 5, ttl -1");
	is_int(mc_text_req(S("cas k 0 0 3 99\r\n"), &rq), MC_OK, "cas: ok");
	ok(eq(rq.cmd, MB_CMD_CAS) && eq(rq.skip, 5) && !rq.malformed, "cas: value skipped");
	mc_text_req(S("set k 0 0 notanumber\r\n"), &rq);
	ok(rq.malformed && eq(rq.skip, 0) && eq(rq.expect, MC_EXP_LINE), "set with a bad length: malformed, nothing skipped");
	mc_text_req(S("gats 300 x y\r\n"), &rq);
	ok(eq(rq.cmd, MB_CMD_GATS) && eq(rq.ttl, 300) && eq(rq.nkeys, 2) && (rq.flags & MB_EF_WANT_CAS), "gats: ttl and keys");
	mc_text_req(S("delete k noreply\r\n"), &rq);
	ok(eq(rq.cmd, MB_CMD_DELETE) && (rq.flags & MB_EF_NOREPLY) && !rq.malformed, "delete noreply");
	mc_text_req(S("incr k 5\r\n"), &rq);
	ok(eq(rq.cmd, MB_CMD_INCR) && eq(rq.nkeys, 1) && !rq.malformed, "incr");
	mc_text_req(S("touch k 10\r\n"), &rq);
	ok(eq(rq.cmd, MB_CMD_TOUCH) && eq(rq.ttl, 10), "touch ttl");
	mc_text_req(S("stats items\r\n"), &rq);
	ok(eq(rq.cmd, MB_CMD_STATS) && eq(rq.expect, MC_EXP_MULTI), "stats: multi-line reply");
	mc_text_req(S("lru_crawler metadump all\r\n"), &rq);
	ok(eq(rq.cmd, MB_CMD_ADMIN) && eq(rq.expect, MC_EXP_MULTI), "lru_crawler metadump: admin, multi-line");
	mc_text_req(S("GET / HTTP/1.1\r\n"), &rq);
	ok(eq(rq.cmd, MB_CMD_UNKNOWN) && eq(rq.expect, MC_EXP_LINE), "HTTP request line: unknown command");
	mc_text_req(S("quit\r\n"), &rq);
	ok(eq(rq.cmd, MB_CMD_QUIT) && eq(rq.expect, MC_EXP_NONE), "quit: no reply");
	mc_text_req(S("flush_all 0 noreply\n"), &rq);
	ok(eq(rq.cmd, MB_CMD_FLUSH_ALL) && eq(rq.expect, MC_EXP_NONE) && eq(rq.hdr_len, 20), "flush_all noreply, bare LF");

	char *big = malloc(MC_LINE_MAX + 10);
	memset(big, 'a', MC_LINE_MAX + 10);
	is_int(mc_text_req((uint8_t *)big, MC_LINE_MAX + 10, &rq), MC_INVALID, "line over the cap: invalid");
	is_int(mc_text_req((uint8_t *)big, MC_LINE_MAX - 1, &rq), MC_NEED_MORE, "line under the cap: need more");
	free(big);

	char line[4096] = "get";
	for (int i = 0; i < 100; i++)
		strcat(line, " k");
	strcat(line, "\r\n");
	mc_text_req((uint8_t *)line, strlen(line), &rq);
	ok(eq(rq.nkeys, MC_KEYS_MAX) && rq.partial, "get with 100 keys: the first 64, partial");
	size_t used = rq.hdr_len;
	is_int(mc_text_getcont((uint8_t *)line + used, strlen(line) - used, MB_CMD_GET, &rq), MC_OK, "get continuation");
	ok(eq(rq.nkeys, 100 - MC_KEYS_MAX) && !rq.partial && eq(rq.hdr_len, strlen(line) - used), "continuation: the other 36 keys, line end");
	is_int(mc_text_getcont(S(" abc de"), MB_CMD_GETS, &rq), MC_OK, "continuation cut inside a key");
	ok(eq(rq.nkeys, 1) && rq.partial && eq(rq.hdr_len, 5), "continuation: complete keys only");
}

static void text_responses(void)
{
	is_int(mc_text_resp(S("VALUE foo 5 3 77\r\nabc\r\n"), &rs), MC_OK, "VALUE with cas: ok");
	ok(eq(rs.kind, MC_R_VALUE) && eq(rs.value_len, 3) && eq(rs.skip, 5) && eq(rs.key_len, 3), "VALUE: body framed");
	is_int(mc_text_resp(S("VALUE foo 5 x\r\n"), &rs), MC_INVALID, "VALUE with a bad length: invalid");
	mc_text_resp(S("END\r\n"), &rs);
	ok(eq(rs.kind, MC_R_END), "END");
	mc_text_resp(S("NOT_FOUND\r\n"), &rs);
	ok(eq(rs.kind, MC_R_STATUS) && eq(rs.status, MB_ST_NOT_FOUND), "NOT_FOUND");
	mc_text_resp(S("SERVER_ERROR out of memory\r\n"), &rs);
	ok(eq(rs.kind, MC_R_STATUS) && eq(rs.status, MB_ST_SERVER_ERROR), "SERVER_ERROR");
	mc_text_resp(S("12345\r\n"), &rs);
	ok(eq(rs.kind, MC_R_NUMBER), "incr result");
	mc_text_resp(S("STAT pid 1\r\n"), &rs);
	ok(eq(rs.kind, MC_R_DATA), "STAT line");
	mc_text_resp(S("VA 4 t10 Oab kfoo\r\nabcd\r\n"), &rs);
	ok(eq(rs.kind, MC_R_META) && eq(rs.meta, MC_M_VA) && eq(rs.skip, 6) && rs.has_opaque && eq(rs.opq_len, 2) &&
	   eq(rs.key_len, 3), "VA: body, opaque and key");
	mc_text_resp(S("EN\r\n"), &rs);
	ok(eq(rs.kind, MC_R_META) && eq(rs.meta, MC_M_EN), "EN");
	is_int(mc_text_resp(S("VA x\r\n"), &rs), MC_INVALID, "VA without a size: invalid");
	ok(mc_plausible_resp(S("42\r\n")) && mc_plausible_resp(S("STORED\r\n")) && !mc_plausible_resp(S("xyz\r\n")),
	   "plausible reply starts");
	ok(mc_plausible_req(S("get k\r\n")) && !mc_plausible_req(S("getaway\r\n")), "plausible request starts");
}

static void meta(void)
{
	mc_text_req(S("ms k 2 q T30 O99 MA\r\nab\r\n"), &rq);
	ok(eq(rq.proto, MB_PROTO_META) && eq(rq.cmd, MB_CMD_APPEND) && eq(rq.ttl, 30) && eq(rq.skip, 4) &&
	   (rq.flags & MB_EF_NOREPLY) && rq.has_opaque && eq(rq.opq_len, 2), "ms append quiet with opaque and ttl");
	mc_text_req(S("mg Zm9v b v\r\n"), &rq);
	ok(eq(rq.cmd, MB_CMD_GET) && (rq.flags & MB_EF_BASE64) && keyeq(&rq.keys[0], "foo"), "mg base64 key decoded");
	mc_text_req(S("mg Zm9 b\r\n"), &rq);
	ok(rq.malformed, "bad base64: malformed");
	mc_text_req(S("ma k MD N90\r\n"), &rq);
	ok(eq(rq.cmd, MB_CMD_DECR) && eq(rq.ttl, 90) && (rq.flags & MB_EF_VIVIFY), "ma decr, autovivify ttl");
	mc_text_req(S("md k I T5\r\n"), &rq);
	ok(eq(rq.cmd, MB_CMD_DELETE) && (rq.flags & MB_EF_INVALIDATE), "md invalidate");
	mc_text_req(S("mn\r\n"), &rq);
	ok(eq(rq.cmd, MB_CMD_NOOP) && eq(rq.nkeys, 0), "mn");
	mc_text_req(S("ms k\r\n"), &rq);
	ok(eq(rq.cmd, MB_CMD_SET) && rq.malformed && eq(rq.nkeys, 1) && keyeq(&rq.keys[0], "k"), "ms without length: malformed, key kept");
	mc_text_req(S("mg k T30 v\r\n"), &rq);
	ok(eq(rq.cmd, MB_CMD_GAT), "mg with T is a get-and-touch");
	uint8_t out[8];
	is_int(mb_base64_decode(S("YWJj"), out, sizeof out), 3, "base64 decode");
	is_int(mb_base64_decode(S("YQ=="), out, sizeof out), 1, "base64 padding");
	is_int(mb_base64_decode(S("Y=Q="), out, sizeof out), -1, "base64 bad padding");
}

static void binary(void)
{
	uint8_t b[64] = { 0x80, 0x11, 0, 1, 8, 0, 0, 0, 0, 0, 0, 12, 0, 0, 0, 7 };
	b[MC_BIN_HDR + 4] = 0; /* flags */
	b[MC_BIN_HDR + 7] = 60; /* expiry */
	b[MC_BIN_HDR + 8] = 'k';
	is_int(mc_bin_req(b, 10, &rq), MC_NEED_MORE, "binary header cut: need more");
	is_int(mc_bin_req(b, MC_BIN_HDR + 9, &rq), MC_OK, "binary SETQ: ok without the value");
	ok(eq(rq.cmd, MB_CMD_SET) && (rq.flags & MB_EF_NOREPLY) && eq(rq.ttl, 60) && eq(rq.value_len, 3) && eq(rq.skip, 3) &&
	   eq(rq.opaque, 7) && keyeq(&rq.keys[0], "k"), "SETQ: quiet, ttl, value, opaque, key");
	b[11] = 4; /* body shorter than extras + key */
	is_int(mc_bin_req(b, MC_BIN_HDR + 9, &rq), MC_INVALID, "extras+key beyond the body: invalid");
	uint8_t r[32] = { 0x81, 0x00, 0, 0, 4, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 7 };
	is_int(mc_bin_resp(r, MC_BIN_HDR + 4, &rs), MC_OK, "binary response");
	ok(eq(rs.bin_status, 1) && eq(rs.opaque, 7) && eq(rs.value_len, 0), "binary response: status, opaque");
	ok(mc_bin_quiet(0x0d) && !mc_bin_quiet(0x0c), "GETKQ quiet, GETK not");
}

/* Pairing through a connection: events collected. */
static struct mb_event evs[64];
static char keys[64][16];
static int nev;
static void collect(void *arg, const struct mb_event *ev)
{
	(void)arg;
	if (nev < 64) {
		evs[nev] = *ev;
		memcpy(keys[nev], ev->key, ev->key_len < 15 ? ev->key_len : 15);
		keys[nev][ev->key_len < 15 ? ev->key_len : 15] = 0;
		nev++;
	}
}

static void feed(struct mc_ctx *ctx, struct mc_conn *c, int dir, const char *s, uint64_t ts, uint32_t seq, uint32_t ack)
{
	struct mc_chunk ch = { .ts = ts, .seq = seq, .ack = ack, .has_ack = true, .seg_start = true };
	mc_conn_data(ctx, c, dir, (const uint8_t *)s, strlen(s), &ch);
}

static void pairing(void)
{
	static struct mc_ctx ctx;
	struct mc_conn c;
	mc_ctx_init(&ctx, collect, NULL);
	mc_conn_init(&c, 5, MB_TRANSPORT_TCP, false);
	nev = 0;
	const char *req = "get a b c\r\nset k 0 0 3\r\nabc\r\n";
	feed(&ctx, &c, 0, req, 1000, 0, 0);
	feed(&ctx, &c, 1, "VALUE b 0 2\r\nxy\r\nEND\r\nSTO", 1500, 0, (uint32_t)strlen(req));
	is_int(nev, 3, "multi-get emitted at END");
	ok(eq(evs[0].status, MB_ST_MISS) && eq(evs[1].status, MB_ST_HIT) && eq(evs[1].resp_len, 2) && eq(evs[2].status, MB_ST_MISS),
	   "multi-get: miss, hit (2 bytes), miss");
	ok((evs[0].flags & MB_EF_MULTI) && (evs[2].flags & MB_EF_BATCH_END) && evs[0].batch_id && eq(evs[0].batch_id, evs[2].batch_id),
	   "multi-get: one batch, last flagged");
	is_int(evs[0].latency_ns, 500, "latency: request packet to first reply packet");
	feed(&ctx, &c, 1, "RED\r\n", 1700, 27, (uint32_t)strlen(req));
	ok(eq(nev, 4) && eq(evs[3].cmd, MB_CMD_SET) && eq(evs[3].status, MB_ST_STORED) && eq(evs[3].latency_ns, 500),
	   "reply split over two packets: latency from its first packet");
	/* a reply sent before the server had the request answers one we never saw */
	feed(&ctx, &c, 0, "get z\r\n", 2000, (uint32_t)strlen(req), 0);
	feed(&ctx, &c, 1, "END\r\n", 2100, 32, (uint32_t)strlen(req));
	is_int(nev, 4, "ack rule: an older reply is not paired");
	is_int(ctx.cnt.unmatched_resp, 1, "ack rule: counted unmatched");
	feed(&ctx, &c, 1, "END\r\n", 2200, 37, (uint32_t)strlen(req) + 7);
	ok(eq(nev, 5) && eq(evs[4].status, MB_ST_MISS), "ack rule: the right reply pairs");
	/* quiet meta pipeline closed by mn */
	uint32_t s0 = (uint32_t)strlen(req) + 7;
	const char *pipe = "mg a v q k\r\nmg b v q k\r\nms c 1 q\r\nx\r\nmn\r\n";
	feed(&ctx, &c, 0, pipe, 3000, s0, 0);
	feed(&ctx, &c, 1, "VA 1 kb\r\nq\r\nMN\r\n", 3100, 0, s0 + (uint32_t)strlen(pipe));
	is_int(nev, 9, "quiet pipeline: four events");
	ok(eq(evs[5].status, MB_ST_MISS) && (evs[5].flags & MB_EF_INFERRED), "quiet mg miss inferred");
	ok(eq(evs[6].status, MB_ST_HIT) && !(evs[6].flags & MB_EF_INFERRED) && eq(evs[6].resp_len, 1), "quiet mg hit paired");
	ok(eq(evs[7].status, MB_ST_STORED) && (evs[7].flags & MB_EF_INFERRED), "quiet ms success inferred");
	ok(eq(evs[8].cmd, MB_CMD_NOOP) && eq(evs[8].status, MB_ST_OK), "mn answered");
	/* close with a request outstanding */
	feed(&ctx, &c, 0, "delete q\r\n", 4000, s0 + (uint32_t)strlen(pipe), 0);
	mc_conn_close(&ctx, &c);
	ok(eq(nev, 10) && eq(evs[9].status, MB_ST_UNANSWERED) && eq(evs[9].conn_id, 5), "close: unanswered");
	/* elided value bytes never desynchronize */
	mc_conn_init(&c, 6, MB_TRANSPORT_TCP, false);
	feed(&ctx, &c, 0, "set k 0 0 10\r\nab", 5000, 0, 0);
	mc_conn_gap(&ctx, &c, 0, 10, true, 5000);
	feed(&ctx, &c, 0, "get k\r\n", 5100, 26, 0);
	ok(eq(ctx.cnt.desyncs, 0) && eq(ctx.cnt.elided_bytes, 10), "elided bytes: no desync");
	mc_conn_gap(&ctx, &c, 0, 5, false, 5200);
	is_int(ctx.cnt.desyncs, 1, "lost bytes outside a body: desync");
	feed(&ctx, &c, 0, "xx\r\nget n\r\n", 5300, 38, 0);
	is_int(ctx.cnt.resyncs, 0, "no resync in the middle of a segment (could be inside a value)");
	feed(&ctx, &c, 0, "get m\r\n", 5400, 49, 0);
	is_int(ctx.cnt.resyncs, 1, "resync at the next segment starting with a command");
	mc_conn_close(&ctx, &c);
	ok(eq(nev, 13) && eq_str(keys[12], "m") && (evs[12].flags & MB_EF_RESYNC), "first event after resync flagged");
}

/* A TCP/IPv4 packet carrying "hi" from 10.0.0.1:40000 to 10.0.0.2:11211, after `pre` link bytes. */
static size_t ipv4_tcp(uint8_t *p)
{
	static const uint8_t ip[] = { 0x45, 0, 0, 42, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2 };
	static const uint8_t tcp[] = { 0x9c, 0x40, 0x2b, 0xcb, 0, 0, 0, 100, 0, 0, 0, 1, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0 };
	memcpy(p, ip, 20);
	memcpy(p + 20, tcp, 20);
	p[40] = 'h';
	p[41] = 'i';
	return 42;
}

static void net(void)
{
	uint8_t pkt[256];
	struct mb_l4 l4;
	/* Ethernet with QinQ */
	memset(pkt, 0, sizeof pkt);
	uint8_t eth[] = { 0x88, 0xa8, 0, 1, 0x81, 0x00, 0, 2, 0x08, 0x00 };
	memcpy(pkt + 12, eth, sizeof eth);
	size_t n = 22 + ipv4_tcp(pkt + 22);
	ok(eq(mb_net_decode(MB_LT_EN10MB, pkt, (uint32_t)n, &l4), MB_NET_OK) && eq(l4.dport, 11211) && eq(l4.len, 2) &&
	   eq(l4.payload[0], 'h') && eq(l4.seq, 100), "Ethernet QinQ IPv4 TCP");
	is_int(mb_net_decode(MB_LT_EN10MB, pkt, 30, &l4), MB_NET_TRUNCATED, "cut IP header: truncated");
	/* Linux cooked v1 and v2 */
	memset(pkt, 0, 16);
	pkt[14] = 0x08;
	n = 16 + ipv4_tcp(pkt + 16);
	ok(eq(mb_net_decode(MB_LT_LINUX_SLL, pkt, (uint32_t)n, &l4), MB_NET_OK) && eq(l4.len, 2), "LINUX_SLL");
	memset(pkt, 0, 20);
	pkt[0] = 0x08;
	n = 20 + ipv4_tcp(pkt + 20);
	ok(eq(mb_net_decode(MB_LT_LINUX_SLL2, pkt, (uint32_t)n, &l4), MB_NET_OK) && eq(l4.len, 2), "LINUX_SLL2");
	/* NULL in both byte orders, LOOP */
	uint8_t le[4] = { 2, 0, 0, 0 }, be[4] = { 0, 0, 0, 2 };
	memcpy(pkt, le, 4);
	n = 4 + ipv4_tcp(pkt + 4);
	ok(eq(mb_net_decode(MB_LT_NULL, pkt, (uint32_t)n, &l4), MB_NET_OK), "NULL, little-endian AF");
	memcpy(pkt, be, 4);
	ok(eq(mb_net_decode(MB_LT_NULL, pkt, (uint32_t)n, &l4), MB_NET_OK), "NULL, big-endian AF");
	ok(eq(mb_net_decode(MB_LT_LOOP, pkt, (uint32_t)n, &l4), MB_NET_OK), "LOOP");
	/* raw IP under every raw link type */
	n = ipv4_tcp(pkt);
	uint32_t raws[] = { 12, 14, 101, 228 };
	int all = 1;
	for (int i = 0; i < 4; i++)
		all &= mb_net_decode(raws[i], pkt, (uint32_t)n, &l4) == MB_NET_OK;
	ok(all, "RAW link types 12, 14, 101, 228");
	/* padding trimmed by the IP total length */
	ok(eq(mb_net_decode(MB_LT_RAW, pkt, (uint32_t)n + 6, &l4), MB_NET_OK) && eq(l4.len, 2), "Ethernet padding ignored");
	/* IPv4 options and fragments */
	pkt[6] = 0x20; /* MF */
	is_int(mb_net_decode(MB_LT_RAW, pkt, (uint32_t)n, &l4), MB_NET_FRAGMENT, "IPv4 fragment");
	/* IPv6 with a hop-by-hop header */
	uint8_t v6[128];
	memset(v6, 0, sizeof v6);
	v6[0] = 0x60;
	v6[5] = 8 + 20 + 3; /* payload length */
	v6[6] = 0;          /* hop-by-hop */
	v6[7] = 64;
	v6[23] = 1;
	v6[39] = 2;
	v6[40] = 6; /* next: TCP */
	v6[41] = 0; /* 8 bytes */
	uint8_t tcp[] = { 0x9c, 0x40, 0x2b, 0xcb, 0, 0, 0, 5, 0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0, 'a', 'b', 'c' };
	memcpy(v6 + 48, tcp, sizeof tcp);
	ok(eq(mb_net_decode(MB_LT_IPV6, v6, 48 + sizeof tcp, &l4), MB_NET_OK) && eq(l4.family, 6) && eq(l4.len, 3) &&
	   eq(l4.src[15], 1), "IPv6 with hop-by-hop options");
	v6[6] = 44; /* fragment header, offset 8 */
	v6[42] = 0;
	v6[43] = 8;
	is_int(mb_net_decode(MB_LT_IPV6, v6, 48 + sizeof tcp, &l4), MB_NET_FRAGMENT, "IPv6 fragment");
	is_int(mb_net_decode(147, v6, 60, &l4), MB_NET_LINKTYPE, "unknown link type");
}

int main(void)
{
	text_requests();
	text_responses();
	meta();
	binary();
	pairing();
	net();
	return done_testing();
}
