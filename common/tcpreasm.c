/* tcpreasm.c - flow table (hash + LRU), TCP in-order delivery, out-of-order buffering, holes, eviction. */
#include "tcpreasm.h"

#include <stdlib.h>
#include <string.h>

/* One buffered out-of-order segment. */
struct seg {
	struct seg *next;
	uint64_t ts;
	uint32_t seq, len, gap, ack;
	bool gap_elided, fin, has_ack;
	uint8_t data[];
};

/* One direction of a TCP flow. */
struct tdir {
	uint32_t next;        /* next expected sequence number */
	uint32_t peer_ack;    /* highest ack the other side sent for this direction */
	bool init, fin, peer_ack_valid;
	struct seg *ooo;      /* sorted by seq */
	uint32_t ooo_n, ooo_bytes;
};

struct mb_flow {
	struct mb_flow *hnext;
	struct mb_flow *lprev, *lnext;
	uint32_t hash;
	uint8_t family, proto;
	uint16_t cport, sport;
	uint8_t cli[16], srv[16];
	uint64_t last_ts;
	uint64_t reset_ts;    /* capture time of the RST, when reset */
	bool reset;           /* an RST was seen: lingers (on the reset list) for replies still due */
	struct mb_flow *rprev, *rnext;
	struct tdir d[2];
	struct mc_conn conn;
};

static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }

int mb_flowtab_init(struct mb_flowtab *t, const struct mb_portset *ports, const struct mb_flow_limits *lim,
		    struct mc_ctx *ctx)
{
	memset(t, 0, sizeof *t);
	t->nbuckets = 1024;
	t->buckets = calloc(t->nbuckets, sizeof *t->buckets);
	if (!t->buckets)
		return -1;
	t->ports = *ports;
	t->lim = *lim;
	t->ctx = ctx;
	return 0;
}

static uint32_t key_hash(uint8_t proto, const uint8_t *cli, const uint8_t *srv, uint16_t cport, uint16_t sport)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ proto ^ (uint64_t)cport << 16 ^ (uint64_t)sport << 32;
	for (int i = 0; i < 16; i += 8) {
		uint64_t a, b;
		memcpy(&a, cli + i, 8);
		memcpy(&b, srv + i, 8);
		h = (h ^ a) * 0xff51afd7ed558ccdull;
		h = (h ^ b ^ (h >> 29)) * 0xc4ceb9fe1a85ec53ull;
	}
	h ^= h >> 32;
	return (uint32_t)h;
}

static void lru_unlink(struct mb_flowtab *t, struct mb_flow *f)
{
	if (f->lprev)
		f->lprev->lnext = f->lnext;
	else
		t->lru_head = f->lnext;
	if (f->lnext)
		f->lnext->lprev = f->lprev;
	else
		t->lru_tail = f->lprev;
	f->lprev = f->lnext = NULL;
}

static void lru_front(struct mb_flowtab *t, struct mb_flow *f)
{
	f->lprev = NULL;
	f->lnext = t->lru_head;
	if (t->lru_head)
		t->lru_head->lprev = f;
	t->lru_head = f;
	if (!t->lru_tail)
		t->lru_tail = f;
}

/* Double the bucket array (best effort: a failed allocation keeps the old one). */
static void grow(struct mb_flowtab *t)
{
	size_t nb = t->nbuckets * 2;
	struct mb_flow **b = calloc(nb, sizeof *b);
	if (!b)
		return;
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct mb_flow *f = t->buckets[i];
		while (f) {
			struct mb_flow *nx = f->hnext;
			f->hnext = b[f->hash & (nb - 1)];
			b[f->hash & (nb - 1)] = f;
			f = nx;
		}
	}
	t->ctx->mem += (nb - t->nbuckets) * sizeof *b;
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = nb;
}

/* Free the buffered segments of one direction. */
static void free_ooo(struct mb_flowtab *t, struct tdir *d)
{
	while (d->ooo) {
		struct seg *s = d->ooo;
		d->ooo = s->next;
		t->ctx->mem -= sizeof *s + s->len;
		free(s);
	}
	d->ooo_n = d->ooo_bytes = 0;
}

/* Close a flow: pending requests are emitted, state freed. */
static void flow_close(struct mb_flowtab *t, struct mb_flow *f)
{
	mc_conn_close(t->ctx, &f->conn);
	free_ooo(t, &f->d[0]);
	free_ooo(t, &f->d[1]);
	struct mb_flow **pp = &t->buckets[f->hash & (t->nbuckets - 1)];
	while (*pp != f)
		pp = &(*pp)->hnext;
	*pp = f->hnext;
	lru_unlink(t, f);
	if (f->reset) {
		if (f->rprev)
			f->rprev->rnext = f->rnext;
		else
			t->reset_head = f->rnext;
		if (f->rnext)
			f->rnext->rprev = f->rprev;
		else
			t->reset_tail = f->rprev;
	}
	t->ctx->mem -= sizeof *f;
	t->nflows--;
	free(f);
}

/*
 * An RST ends flow f. Requests still waiting for replies keep it open for a short
 * while: a reply the server sent before the RST reached it can be captured after
 * the RST (the two cross on the wire, or share one timestamp), and it belongs here,
 * not to a new flow. Without such requests the flow closes at once.
 */
static void flow_reset(struct mb_flowtab *t, struct mb_flow *f, uint64_t ts)
{
	t->cnt.closed++;
	if (!f->conn.qlen) {
		flow_close(t, f);
		return;
	}
	f->reset = true;
	f->reset_ts = ts;
	f->rnext = NULL;
	f->rprev = t->reset_tail;
	if (t->reset_tail)
		t->reset_tail->rnext = f;
	else
		t->reset_head = f;
	t->reset_tail = f;
}

/* A reset flow's wait is over: replies still buffered out of order are delivered first. */
static void reset_done(struct mb_flowtab *t, struct mb_flow *f);

/* Deliver in-order bytes (data then a gap of missing bytes) of direction dir. */
static void deliver(struct mb_flow *f, struct mc_ctx *ctx, int dir, const uint8_t *data, uint32_t len, uint32_t gap,
		    bool gap_elided, bool seg_start, uint64_t ts, uint32_t ack, bool has_ack)
{
	struct tdir *d = &f->d[dir];
	if (len) {
		struct mc_chunk ch = { .ts = ts, .seq = d->next, .ack = ack, .has_ack = has_ack, .seg_start = seg_start };
		mc_conn_data(ctx, &f->conn, dir, data, len, &ch);
	}
	if (gap)
		mc_conn_gap(ctx, &f->conn, dir, gap, gap_elided, ts);
	d->next += len + gap;
}

/* Deliver a segment that starts at or before next (trimming what was seen); FIN noted. */
static void deliver_seg(struct mb_flowtab *t, struct mb_flow *f, int dir, uint32_t seq, const uint8_t *data,
			uint32_t len, uint32_t gap, bool gap_elided, bool fin, uint64_t ts, uint32_t ack, bool has_ack)
{
	struct tdir *d = &f->d[dir];
	uint32_t cut = d->next - seq;
	bool start = cut == 0;
	if (cut) {
		t->cnt.overlaps++;
		if (cut <= len) {
			data += cut;
			len -= cut;
		} else {
			gap -= cut - len;
			len = 0;
		}
	}
	deliver(f, t->ctx, dir, data, len, gap, gap_elided, start, ts, ack, has_ack);
	if (fin && !d->fin) {
		d->fin = true;
		d->next++;
	}
}

/* Deliver buffered segments that have become in order. */
static void drain_ooo(struct mb_flowtab *t, struct mb_flow *f, int dir)
{
	struct tdir *d = &f->d[dir];
	while (d->ooo && seq_le(d->ooo->seq, d->next)) {
		struct seg *s = d->ooo;
		d->ooo = s->next;
		d->ooo_n--;
		d->ooo_bytes -= s->len;
		t->ctx->mem -= sizeof *s + s->len;
		if (seq_lt(d->next, s->seq + s->len + s->gap + s->fin))
			deliver_seg(t, f, dir, s->seq, s->data, s->len, s->gap, s->gap_elided, s->fin, s->ts, s->ack,
				    s->has_ack);
		else
			t->cnt.retrans++;
		free(s);
	}
}

/* The bytes before the first buffered segment will never come: skip them (the parser resyncs). */
static void give_up_hole(struct mb_flowtab *t, struct mb_flow *f, int dir, uint64_t ts)
{
	struct tdir *d = &f->d[dir];
	if (!d->ooo)
		return;
	uint32_t n = d->ooo->seq - d->next;
	t->cnt.holes++;
	t->cnt.hole_bytes += n;
	mc_conn_gap(t->ctx, &f->conn, dir, n, false, ts);
	d->next = d->ooo->seq;
	drain_ooo(t, f, dir);
}

/* Buffer an out-of-order segment; false when over the caps. */
static bool buffer_seg(struct mb_flowtab *t, struct mb_flow *f, int dir, uint32_t seq, const uint8_t *data,
		       uint32_t len, uint32_t gap, bool gap_elided, bool fin, uint64_t ts, uint32_t ack, bool has_ack)
{
	struct tdir *d = &f->d[dir];
	if (d->ooo_n >= t->lim.ooo_segs || d->ooo_bytes + len > t->lim.ooo_bytes)
		return false;
	struct seg *s = malloc(sizeof *s + len);
	if (!s)
		return false;
	s->ts = ts;
	s->seq = seq;
	s->len = len;
	s->gap = gap;
	s->ack = ack;
	s->gap_elided = gap_elided;
	s->fin = fin;
	s->has_ack = has_ack;
	memcpy(s->data, data, len);
	struct seg **pp = &d->ooo;
	while (*pp && seq_le((*pp)->seq, seq))
		pp = &(*pp)->next;
	s->next = *pp;
	*pp = s;
	d->ooo_n++;
	d->ooo_bytes += len;
	t->ctx->mem += sizeof *s + len;
	t->cnt.ooo++;
	return true;
}

static struct mb_flow *lookup(struct mb_flowtab *t, uint32_t h, uint8_t proto, const uint8_t *cli, const uint8_t *srv,
			      uint16_t cport, uint16_t sport)
{
	for (struct mb_flow *f = t->buckets[h & (t->nbuckets - 1)]; f; f = f->hnext)
		if (f->hash == h && f->cport == cport && f->sport == sport && f->proto == proto &&
		    !memcmp(f->cli, cli, 16) && !memcmp(f->srv, srv, 16))
			return f;
	return NULL;
}

/* The number of the server at srv:sport (family), added in order of first appearance; the last
   number when the table is full or out of memory (counted). */
static uint16_t server_index(struct mb_flowtab *t, uint8_t family, const uint8_t *srv, uint16_t sport)
{
	for (uint32_t i = 0; i < t->nservers; i++)
		if (t->servers[i].port == sport && t->servers[i].family == family && !memcmp(t->servers[i].addr, srv, 16))
			return (uint16_t)i;
	if (t->nservers == t->servers_cap) {
		uint32_t ncap = t->servers_cap ? t->servers_cap * 2 : 8;
		struct mb_flow_server *n = t->nservers < MB_FLOW_SERVERS_MAX ? realloc(t->servers, ncap * sizeof *n) : NULL;
		if (!n) {
			t->cnt.servers_over++;
			return (uint16_t)(t->nservers ? t->nservers - 1 : 0);
		}
		t->servers = n;
		t->servers_cap = ncap;
	}
	struct mb_flow_server *s = &t->servers[t->nservers];
	memcpy(s->addr, srv, 16);
	s->port = sport;
	s->family = family;
	t->cnt.servers++;
	return (uint16_t)t->nservers++;
}

static struct mb_flow *create(struct mb_flowtab *t, uint32_t h, const struct mb_l4 *l4, const uint8_t *cli,
			      const uint8_t *srv, uint16_t cport, uint16_t sport, bool joined)
{
	struct mb_flow *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->hash = h;
	f->family = l4->family;
	f->proto = l4->proto;
	f->cport = cport;
	f->sport = sport;
	memcpy(f->cli, cli, 16);
	memcpy(f->srv, srv, 16);
	mc_conn_init(&f->conn, t->next_conn_id++, l4->proto == 6 ? MB_TRANSPORT_TCP : MB_TRANSPORT_UDP, joined);
	f->conn.server = server_index(t, l4->family, srv, sport);
	if (t->nflows >= t->nbuckets)
		grow(t);
	f->hnext = t->buckets[h & (t->nbuckets - 1)];
	t->buckets[h & (t->nbuckets - 1)] = f;
	lru_front(t, f);
	t->nflows++;
	t->ctx->mem += sizeof *f;
	t->cnt.flows++;
	if (l4->proto == 6)
		t->cnt.tcp_flows++;
	else
		t->cnt.udp_flows++;
	return f;
}

/* One TCP segment of flow f in direction dir. */
static void tcp_segment(struct mb_flowtab *t, struct mb_flow *f, int dir, const struct mb_l4 *l4, uint64_t ts,
			uint32_t elided)
{
	struct tdir *d = &f->d[dir];
	struct tdir *o = &f->d[dir ^ 1];
	uint8_t fl = l4->tcp_flags;
	bool syn = fl & 0x02, fin = fl & 0x01, rst = fl & 0x04, has_ack = fl & 0x10;
	t->cnt.segments++;
	if (has_ack) {
		if (!o->peer_ack_valid || seq_lt(o->peer_ack, l4->ack)) {
			o->peer_ack = l4->ack;
			o->peer_ack_valid = true;
		}
		/* the other side's data before its first buffered segment reached the peer: it is lost to us */
		if (o->ooo && seq_le(o->ooo->seq, l4->ack))
			give_up_hole(t, f, dir ^ 1, ts);
	}
	if (syn) {
		d->init = true;
		d->next = l4->seq + 1;
		return;
	}
	uint32_t total = l4->wire_len > l4->len + elided ? l4->wire_len : l4->len + elided;
	uint32_t gap = total - l4->len;
	if (gap > elided)
		t->cnt.truncated_bytes += gap - elided;
	bool gap_elided = elided > 0;
	if (!d->init) {
		d->init = true;
		d->next = l4->seq;
	}
	if (total || fin) {
		uint32_t seq = l4->seq;
		if (seq == d->next) {
			deliver_seg(t, f, dir, seq, l4->payload, l4->len, gap, gap_elided, fin, ts, l4->ack, has_ack);
			drain_ooo(t, f, dir);
		} else if (seq_lt(seq, d->next)) {
			if (seq_le(seq + total + fin, d->next))
				t->cnt.retrans++;
			else
				deliver_seg(t, f, dir, seq, l4->payload, l4->len, gap, gap_elided, fin, ts, l4->ack, has_ack);
			drain_ooo(t, f, dir);
		} else {
			bool lost = d->peer_ack_valid && seq_le(seq, d->peer_ack);
			while (!lost && !buffer_seg(t, f, dir, seq, l4->payload, l4->len, gap, gap_elided, fin, ts, l4->ack,
						    has_ack)) {
				if (!d->ooo) {
					lost = true;
					break;
				}
				give_up_hole(t, f, dir, ts);
				if (seq_le(seq, d->next)) {
					lost = true; /* now in order (or old): deliver below */
					break;
				}
			}
			if (lost) {
				if (seq_lt(d->next, seq)) {
					give_up_hole(t, f, dir, ts);
					if (seq_lt(d->next, seq)) {
						uint32_t n = seq - d->next;
						t->cnt.holes++;
						t->cnt.hole_bytes += n;
						mc_conn_gap(t->ctx, &f->conn, dir, n, false, ts);
						d->next = seq;
					}
				}
				if (seq_lt(d->next, seq + total + fin))
					deliver_seg(t, f, dir, seq, l4->payload, l4->len, gap, gap_elided, fin, ts, l4->ack,
						    has_ack);
				drain_ooo(t, f, dir);
			}
		}
	}
	if (f->reset) {
		t->cnt.after_reset++;
		if (!f->conn.qlen)
			reset_done(t, f);
	} else if (rst) {
		flow_reset(t, f, ts);
	} else if (f->d[0].fin && f->d[1].fin) {
		t->cnt.closed++;
		flow_close(t, f);
	}
}

static void reset_done(struct mb_flowtab *t, struct mb_flow *f)
{
	give_up_hole(t, f, 0, t->now);
	give_up_hole(t, f, 1, t->now);
	flow_close(t, f);
}

/* A packet on other ports: per-port counts (allocated at the first; best effort without memory). */
static void count_other(struct mb_flowtab *t, const struct mb_l4 *l4)
{
	if (!t->port_packets) {
		t->port_packets = calloc(65536, sizeof *t->port_packets);
		t->port_listens = calloc(65536 / 64, sizeof *t->port_listens);
		if (!t->port_packets || !t->port_listens) {
			free(t->port_packets);
			free(t->port_listens);
			t->port_packets = NULL;
			t->port_listens = NULL;
			return;
		}
	}
	t->port_packets[l4->sport]++;
	t->port_packets[l4->dport]++;
	if (l4->proto == 6 && (l4->tcp_flags & 0x12) == 0x02)
		t->port_listens[l4->dport / 64] |= 1ull << (l4->dport % 64);
}

void mb_flowtab_packet(struct mb_flowtab *t, const struct mb_l4 *l4, uint64_t ts, uint32_t elided)
{
	int dir;
	const uint8_t *cli, *srv;
	uint16_t cport, sport;
	if (mb_port_in(&t->ports, l4->dport)) {
		dir = 0;
		cli = l4->src;
		srv = l4->dst;
		cport = l4->sport;
		sport = l4->dport;
	} else if (mb_port_in(&t->ports, l4->sport)) {
		dir = 1;
		cli = l4->dst;
		srv = l4->src;
		cport = l4->dport;
		sport = l4->sport;
	} else {
		t->cnt.not_memcached++;
		count_other(t, l4);
		return;
	}
	t->now = ts;
	while (t->reset_head && ts > t->reset_head->reset_ts && ts - t->reset_head->reset_ts > t->lim.reset_linger_ns)
		reset_done(t, t->reset_head);
	uint32_t h = key_hash(l4->proto, cli, srv, cport, sport);
	struct mb_flow *f = lookup(t, h, l4->proto, cli, srv, cport, sport);
	bool syn_only = l4->proto == 6 && (l4->tcp_flags & 0x12) == 0x02;
	if (f && f->reset && l4->proto == 6 && (syn_only || (l4->tcp_flags & 0x04))) {
		/* a new connection on the tuple of a reset one, or one more RST of it */
		if (l4->tcp_flags & 0x04)
			return;
		reset_done(t, f);
		f = NULL;
	}
	if (f && syn_only && f->d[0].init && l4->seq + 1 != f->d[0].next) {
		/* a new connection on the same 4-tuple */
		t->cnt.closed++;
		flow_close(t, f);
		f = NULL;
	}
	if (!f) {
		if (l4->proto == 6 && ((l4->tcp_flags & 0x04) || (!syn_only && l4->wire_len == 0)))
			return; /* a reset, or a bare ACK/FIN, of a flow we do not know (or just closed) */
		f = create(t, h, l4, cli, srv, cport, sport, l4->proto == 6 && !syn_only);
		if (!f)
			return;
	} else if (t->lru_head != f) {
		lru_unlink(t, f);
		lru_front(t, f);
	}
	f->last_ts = ts;
	if (l4->proto == 6)
		tcp_segment(t, f, dir, l4, ts, elided);
	else
		mc_conn_udp(t->ctx, &f->conn, dir, l4->payload, l4->len, ts);
	while (t->ctx->mem > t->lim.mem_cap && t->lru_tail) {
		t->cnt.evictions++;
		flow_close(t, t->lru_tail);
	}
	if (++t->packets_since_sweep >= 1024) {
		t->packets_since_sweep = 0;
		while (t->lru_tail && t->lru_tail->last_ts + t->lim.idle_ns < ts) {
			t->cnt.idle_closed++;
			flow_close(t, t->lru_tail);
		}
	}
}

void mb_flowtab_finish(struct mb_flowtab *t)
{
	while (t->lru_tail) {
		struct mb_flow *f = t->lru_tail;
		give_up_hole(t, f, 0, t->now);
		give_up_hole(t, f, 1, t->now);
		flow_close(t, f);
	}
	free(t->buckets);
	free(t->port_packets);
	free(t->port_listens);
	free(t->servers);
	t->servers = NULL;
	t->buckets = NULL;
	t->port_packets = NULL;
	t->port_listens = NULL;
	t->nbuckets = 0;
}

static bool listens(const struct mb_flowtab *t, unsigned p) { return t->port_listens[p / 64] >> (p % 64) & 1; }

/* Whether port p with c packets ranks before port q with d packets (p > q: scanned later). */
static bool busier(const struct mb_flowtab *t, unsigned p, uint64_t c, unsigned q, uint64_t d)
{
	return c > d || (c == d && listens(t, p) && !listens(t, q));
}

unsigned mb_flowtab_busiest_ports(const struct mb_flowtab *t, uint16_t *port, uint64_t *packets, unsigned n)
{
	unsigned k = 0;
	for (unsigned p = 0; p < 65536 && t->port_packets && n; p++) {
		uint64_t c = t->port_packets[p];
		if (!c || (k == n && !busier(t, p, c, port[n - 1], packets[n - 1])))
			continue;
		unsigned i = k < n ? k++ : n - 1; /* insertion sort into the n best, scanning ports upwards */
		while (i > 0 && busier(t, p, c, port[i - 1], packets[i - 1])) {
			port[i] = port[i - 1];
			packets[i] = packets[i - 1];
			i--;
		}
		port[i] = (uint16_t)p;
		packets[i] = c;
	}
	return k;
}
