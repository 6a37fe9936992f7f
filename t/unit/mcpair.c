/* mcpair.c - unit tests of issue-15 pairing fixes: binary stores with a CAS, long multi-get lines cut at every byte. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "mcpair.h"
#include "mcproto.h"
#include "tap.h"

#define NKEYS_MAX 2000

/* Events of one run, with their keys copied. */
struct run {
	int n;
	int bad_key;      /* index of the first event whose key is not the expected one, or -1 */
	int bad_status;   /* same for the status */
	unsigned batches; /* distinct batch ids seen */
	uint32_t last_batch;
	const char *const *want;
	const uint8_t *hit; /* per key: 1 when the reply has its VALUE */
	int nwant;
	int32_t ttl;      /* every event's: the gat/gats exptime, else 0 */
};

static void collect(void *arg, const struct mb_event *ev)
{
	struct run *r = arg;
	int i = r->n++;
	if (i >= r->nwant) {
		if (r->bad_key < 0)
			r->bad_key = i;
		return;
	}
	if (r->bad_key < 0 && (ev->key_len != strlen(r->want[i]) || memcmp(ev->key, r->want[i], ev->key_len) != 0))
		r->bad_key = i;
	uint8_t st = r->hit[i] ? MB_ST_HIT : MB_ST_MISS;
	if (r->bad_status < 0 && (ev->status != st || ev->ttl != r->ttl))
		r->bad_status = i;
	if (ev->batch_id != r->last_batch) {
		r->batches++;
		r->last_batch = ev->batch_id;
	}
}

/* Deterministic generator (xorshift). */
static uint64_t rng = 88172645463325252ull;
static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static char *keys[NKEYS_MAX];
static uint8_t hit[NKEYS_MAX];

/* Build "get k0 k1 ...\r\n" (keys of 1..maxlen bytes, sometimes two spaces) and its reply. */
static void build(int nkeys, int maxlen, const char *cmd, char **line, size_t *ll, char **resp, size_t *rl)
{
	size_t lcap = 16 + (size_t)nkeys * (maxlen + 3), rcap = 16 + (size_t)nkeys * (maxlen + 40);
	*line = malloc(lcap);
	*resp = malloc(rcap);
	size_t l = (size_t)snprintf(*line, lcap, "%s", cmd), r = 0;
	for (int i = 0; i < nkeys; i++) {
		int len = 1 + (int)rnd((uint32_t)maxlen);
		free(keys[i]);
		keys[i] = malloc((size_t)len + 16);
		int kl = snprintf(keys[i], (size_t)len + 16, "%d", i);
		while (kl < len)
			keys[i][kl++] = (char)('a' + rnd(26));
		keys[i][kl] = 0;
		l += (size_t)snprintf(*line + l, lcap - l, rnd(9) == 0 ? "  %s" : " %s", keys[i]);
		hit[i] = rnd(3) != 0;
		if (hit[i])
			r += (size_t)snprintf(*resp + r, rcap - r, "VALUE %s 0 3\r\nabc\r\n", keys[i]);
	}
	l += (size_t)snprintf(*line + l, lcap - l, "\r\n");
	r += (size_t)snprintf(*resp + r, rcap - r, "END\r\n");
	*ll = l;
	*rl = r;
}

/* Feed [p, p+n) of direction dir in pieces ending at the cut positions. */
static void feed_cuts(struct mc_ctx *ctx, struct mc_conn *c, int dir, const char *p, size_t n, const size_t *cuts,
		      int ncuts, uint32_t seq0, uint32_t ack)
{
	size_t at = 0;
	for (int i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : n;
		if (end <= at)
			continue;
		struct mc_chunk ch = { .ts = 1000 + (uint64_t)i, .seq = seq0 + (uint32_t)at, .ack = ack, .has_ack = true,
				       .seg_start = true };
		mc_conn_data(ctx, c, dir, (const uint8_t *)p + at, end - at, &ch);
		at = end;
	}
}

/* One get line and its reply, each cut at the given positions: every key an event, in order, right status and ttl. */
static int check_run(const char *line, size_t ll, const size_t *lcuts, int nl, const char *resp, size_t rl,
		     const size_t *rcuts, int nr, int nkeys, char *why, size_t whyn)
{
	static struct mc_ctx ctx;
	struct mc_conn c;
	struct run r = { .bad_key = -1, .bad_status = -1, .want = (const char *const *)keys, .hit = hit, .nwant = nkeys,
			 .ttl = strncmp(line, "gat", 3) == 0 ? atoi(line + (line[3] == 's' ? 5 : 4)) : 0 };
	mc_ctx_init(&ctx, collect, &r);
	mc_conn_init(&c, 1, MB_TRANSPORT_TCP, false);
	feed_cuts(&ctx, &c, 0, line, ll, lcuts, nl, 0, 0);
	feed_cuts(&ctx, &c, 1, resp, rl, rcuts, nr, 0, (uint32_t)ll);
	mc_conn_close(&ctx, &c);
	int good = r.n == nkeys && r.bad_key < 0 && r.bad_status < 0 && r.batches == 1 && ctx.cnt.unmatched_resp == 0 &&
		   ctx.cnt.desyncs == 0 && ctx.cnt.keys_over_cap == 0;
	if (!good)
		snprintf(why, whyn, "events %d of %d, bad key at %d, bad status at %d, batches %u, unmatched %llu, desyncs %llu",
			 r.n, nkeys, r.bad_key, r.bad_status, r.batches, (unsigned long long)ctx.cnt.unmatched_resp,
			 (unsigned long long)ctx.cnt.desyncs);
	return good;
}

/* Every single cut position of the request line (and of the reply). */
static void every_cut(int nkeys, int maxlen, const char *cmd)
{
	char *line, *resp;
	size_t ll, rl;
	build(nkeys, maxlen, cmd, &line, &ll, &resp, &rl);
	char why[200] = "";
	size_t bad = 0, fails = 0;
	for (size_t cut = 1; cut < ll; cut++) {
		size_t rc = 1 + (cut * 7919) % (rl - 1);
		if (!check_run(line, ll, &cut, 1, resp, rl, &rc, 1, nkeys, why, sizeof why)) {
			if (!fails++)
				bad = cut;
		}
	}
	char where[240] = "";
	if (fails)
		snprintf(where, sizeof where, ": first bad cut at %zu: %s", bad, why);
	ok(fails == 0, "%s: %d keys (%zu-byte line) cut once at each of its %zu positions: every key an event%s", cmd, nkeys,
	   ll, ll - 1, where);
	free(line);
	free(resp);
}

/* Many random cuts (small pieces, pieces ending inside keys, CR and LF apart). */
static void random_cuts(int nkeys, int maxlen, int piece_max, int rounds, const char *cmd)
{
	char *line, *resp;
	size_t ll, rl;
	build(nkeys, maxlen, cmd, &line, &ll, &resp, &rl);
	size_t *lc = malloc((ll + 1) * sizeof *lc), *rcuts = malloc((rl + 1) * sizeof *rcuts);
	char why[200] = "";
	int fails = 0;
	for (int round = 0; round < rounds; round++) {
		int nl = 0, nr = 0;
		for (size_t at = 1 + rnd((uint32_t)piece_max); at < ll; at += 1 + rnd((uint32_t)piece_max))
			lc[nl++] = at;
		for (size_t at = 1 + rnd(3000); at < rl; at += 1 + rnd(3000))
			rcuts[nr++] = at;
		if (!check_run(line, ll, lc, nl, resp, rl, rcuts, nr, nkeys, why, sizeof why))
			fails++;
	}
	ok(fails == 0, "%s: %d keys (%zu-byte line), %d random segmentations (pieces up to %d bytes): every key an event%s%s", cmd,
	   nkeys, ll, rounds, piece_max, fails ? ": " : "", why);
	free(lc);
	free(rcuts);
	free(line);
	free(resp);
}

/* A binary store header (opcode, key "k", value "v", 8 bytes of extras) with the given CAS. */
static size_t bin_store(uint8_t *p, uint8_t op, uint64_t cas)
{
	memset(p, 0, 34);
	p[0] = 0x80;
	p[1] = op;
	p[3] = 1;     /* key length */
	p[4] = 8;     /* extras */
	p[11] = 10;   /* body: extras + key + value */
	for (int i = 0; i < 8; i++)
		p[16 + i] = (uint8_t)(cas >> (56 - 8 * i));
	p[32] = 'k';
	p[33] = 'v';
	return 34;
}

/* memcached runs SET/ADD/REPLACE (and quiet forms) carrying a CAS as a cas; APPEND/PREPEND stay. */
static void binary_cas_store(void)
{
	static const struct { uint8_t op, cmd; } ops[] = {
		{ 0x01, MB_CMD_SET }, { 0x02, MB_CMD_ADD }, { 0x03, MB_CMD_REPLACE },
		{ 0x11, MB_CMD_SET }, { 0x12, MB_CMD_ADD }, { 0x13, MB_CMD_REPLACE },
	};
	uint8_t p[34];
	struct mc_req rq;
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		bin_store(p, ops[i].op, 77);
		int rc = mc_bin_req(p, sizeof p, &rq);
		ok(rc == MC_OK && rq.cmd == MB_CMD_CAS && (rq.flags & MB_EF_CAS_STORE) && rq.value_len == 1 &&
		   (!(ops[i].op & 0x10) || (rq.flags & MB_EF_NOREPLY)),
		   "binary opcode 0x%02x with a CAS: cmd cas, flag cas_store", ops[i].op);
		bin_store(p, ops[i].op, 0);
		rc = mc_bin_req(p, sizeof p, &rq);
		ok(rc == MC_OK && rq.cmd == ops[i].cmd && !(rq.flags & MB_EF_CAS_STORE),
		   "binary opcode 0x%02x without a CAS: its own command", ops[i].op);
	}
	struct mc_req rq2;
	bin_store(p, 0x0e, 77);
	p[4] = 0; /* APPEND has no extras */
	p[11] = 2;
	memmove(p + 24, p + 32, 2);
	ok(mc_bin_req(p, 26, &rq2) == MC_OK && rq2.cmd == MB_CMD_APPEND && !(rq2.flags & MB_EF_CAS_STORE),
	   "binary APPEND with a CAS stays append (memcached counts no cas_*)");
	ok(strcmp(mb_flag_name(12), "cas_store") == 0 && strcmp(mb_flag_name(13), "ambiguous") == 0 &&
	   mb_flag_parse("cas_store", 9) == 12, "flag names: 12 cas_store, 13 ambiguous");
}

/* Events of a quiet meta exchange: "status:flags" strings. */
static char qev[16][96];
static int nq;
static void qcollect(void *arg, const struct mb_event *ev)
{
	(void)arg;
	if (nq >= 16)
		return;
	int n = snprintf(qev[nq], sizeof qev[nq], "%.*s %s", ev->key_len, (const char *)ev->key, mb_status_name(ev->status));
	for (unsigned b = 0; b < 16; b++)
		if (ev->flags & (1u << b) && (b == 9 || b == 13))
			n += snprintf(qev[nq] + n, sizeof qev[nq] - (size_t)n, ",%s", mb_flag_name(b));
	nq++;
}

/* Feed requests then replies on a fresh connection; the events joined by "|". */
static const char *quiet_run(const char *req, const char *resp, uint64_t *ambiguous)
{
	static struct mc_ctx ctx;
	static char out[512];
	struct mc_conn c;
	mc_ctx_init(&ctx, qcollect, NULL);
	mc_conn_init(&c, 1, MB_TRANSPORT_TCP, false);
	nq = 0;
	struct mc_chunk ch = { .ts = 1, .seq = 0, .ack = (uint32_t)strlen(req), .has_ack = true, .seg_start = true };
	mc_conn_data(&ctx, &c, 0, (const uint8_t *)req, strlen(req), &ch);
	mc_conn_data(&ctx, &c, 1, (const uint8_t *)resp, strlen(resp), &ch);
	mc_conn_close(&ctx, &c);
	out[0] = 0;
	for (int i = 0; i < nq; i++) {
		strcat(out, i ? "|" : "");
		strcat(out, qev[i]);
	}
	*ambiguous = ctx.cnt.ambiguous;
	return out;
}

/* A reply goes only to a quiet meta request that could have sent it; ambiguity is flagged and counted. */
static void quiet_meta(void)
{
	static const struct { const char *req, *resp, *want; uint64_t amb; } cases[] = {
		{ "ms a 1 q\r\nx\r\nmd nokey q\r\nmn\r\n", "NF\r\nMN\r\n", "a stored,inferred|nokey not_found| ok", 0 },
		{ "ms a 1 q C5\r\nx\r\nms b 1 q\r\ny\r\nmn\r\n", "NF\r\nMN\r\n", "a not_found|b stored,inferred| ok", 0 },
		{ "mg a v q\r\nma b q\r\nmn\r\n", "CLIENT_ERROR cannot increment or decrement non-numeric value\r\nMN\r\n",
		  "a miss,inferred|b client_error| ok", 0 },
		{ "ma b q\r\nmg k q zz\r\n", "CLIENT_ERROR invalid flag\r\n", "b hit,inferred|k client_error", 0 },
		{ "ms a 1 q\r\nxyz\r\nmn\r\n", "CLIENT_ERROR bad data chunk\r\nERROR\r\nMN\r\n", "a client_error| error| ok", 0 },
		{ "md a q\r\nmd b q\r\nmn\r\n", "NF\r\nMN\r\n", "a not_found,ambiguous|b deleted,inferred,ambiguous| ok", 2 },
		{ "md a q\r\nmd b q\r\nmn\r\n", "NF\r\nNF\r\nMN\r\n", "a not_found,ambiguous|b not_found| ok", 1 },
		{ "md a q k\r\nmd b q k\r\nmn\r\n", "NF kb\r\nMN\r\n", "a deleted,inferred|b not_found| ok", 0 },
		{ "ma n q N0\r\nmn\r\n", "HD\r\nMN\r\n", "n hit| ok", 0 },
		{ "ma n q v\r\nmn\r\n", "MN\r\n", "n hit,inferred| ok", 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint64_t amb;
		const char *got = quiet_run(cases[i].req, cases[i].resp, &amb);
		ok(strcmp(got, cases[i].want) == 0 && amb == cases[i].amb, "quiet meta %zu: %s -> %s (ambiguous %llu)", i,
		   cases[i].want, got, (unsigned long long)amb);
	}
}

int main(void)
{
	quiet_meta();
	binary_cas_store();
	every_cut(65, 12, "get");
	every_cut(130, 8, "gets");
	every_cut(200, 3, "get");
	random_cuts(100, 20, 40, 200, "get");
	random_cuts(500, 30, 1500, 100, "gets");
	random_cuts(2000, 250, 9000, 10, "get");
	random_cuts(1000, 1, 3, 20, "get");
	every_cut(130, 8, "gats 30");
	random_cuts(400, 5, 60, 50, "gat -1");
	for (int i = 0; i < NKEYS_MAX; i++)
		free(keys[i]);
	return done_testing();
}
