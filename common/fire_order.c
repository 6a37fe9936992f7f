/* fire_order.c - per-key happens-before: conflicting requests from different connections reach the server in the recorded order. */
#include <stdlib.h>

#include "fire_int.h"
#include "hugemem.h"

/*
 * The reader walks the input in recorded order and gives every request
 *   - its sequence number on its connection (seq, from 1);
 *   - the last write of its key slot made by another connection (dep_conn, dep_seq):
 *     a read or a write waits until that connection has confirmed dep_seq;
 *   - for a write, the number of reads of its slot assigned before it (need_reads): it
 *     waits until that many reads of the slot are done.
 * A connection confirms seq when an answer to a request at or after seq comes back
 * (responses come in order, so everything before it was processed), or when it gives
 * them up (broken connection). Quiet requests are confirmed by the next answer on their
 * connection; when someone waits for one and nothing answered follows, the owner sends a
 * barrier (meta mn / binary NOOP) whose answer confirms them.
 * Each key has a slot of its own, numbered densely in order of first use (so a replay of
 * few keys touches little memory), up to 2^20 keys; later keys share a slot chosen by
 * hash, where a collision only adds a wait. Every wait points to a request earlier in
 * the input, so waits never form a cycle.
 * Where the recording itself overlapped (the later request b arrived before the earlier
 * one a was answered), the recorded statuses tell whether the input's order is the only
 * one that explains them (told: kept), the other one (reversed) or either (ambiguous):
 *   - reversed: b goes first. a's ring item gets a hold on b (an atomic word the reader
 *     sets only while a is unsent, and a worker seals when it sends a), and b waits for
 *     what a waited for instead of a. Only where that cannot form a cycle: b's connection
 *     sent nothing after a, and a write b has no read between a and itself. Otherwise, or
 *     when a is already out, the input order stays (reversed_kept).
 *   - ambiguous: the input's order is kept. Sending such a pair without waiting would be
 *     timelier, but wherever the replay's key state differs from the recorded one (a
 *     synthetic trace, an eviction, an expiry) its statuses would then vary from run to run.
 */

#define SLOT_BITS FIRE_ORDER_SLOT_BITS
#define SLOTS FIRE_ORDER_SLOTS
#define CONN_CHUNKS 65536 /* x FIRE_CONN_CHUNK connections */

int fire_order_init(struct fire_order *o, bool on, unsigned threads, struct mb_err *err)
{
	o->on = on;
	o->threads = threads;
	o->chunks = calloc(CONN_CHUNKS, sizeof *o->chunks);
	if (!o->chunks)
		return mb_err_set(err, MB_EIO, "out of memory for the order tracker");
	if (!on)
		return MB_OK;
	/* untouched pages of the reader's table cost nothing: slots are dense, so its memory
	   grows with the keys in use. The workers' counters (4 MiB) sit on huge pages: with many
	   keys, each answer to a read counts in a random one, and on small pages that was a TLB
	   miss almost every time. */
	o->rs = calloc(SLOTS, sizeof *o->rs);
	o->reads_done = mb_table_calloc(SLOTS, sizeof *o->reads_done);
	if (!o->rs || !o->reads_done)
		return mb_err_set(err, MB_EIO, "out of memory for the order tracker");
	return MB_OK;
}

void fire_order_free(struct fire_order *o)
{
	for (unsigned i = 0; o->chunks && i < CONN_CHUNKS && o->chunks[i]; i++)
		free(o->chunks[i]);
	free(o->chunks);
	free(o->rs);
	free((void *)o->reads_done);
	mb_connmap_free(&o->keys);
	o->chunks = NULL;
	o->rs = NULL;
	o->reads_done = NULL;
}

struct fire_oconn *fire_order_conn(struct fire_order *o, uint32_t pid, unsigned worker)
{
	uint32_t k = pid / FIRE_CONN_CHUNK;
	if (k >= CONN_CHUNKS)
		return NULL;
	if (!o->chunks[k]) {
		/* chunks are made in order of pid, so the non-NULL ones stay a prefix */
		for (uint32_t j = 0; j <= k; j++)
			if (!o->chunks[j] && !(o->chunks[j] = calloc(FIRE_CONN_CHUNK, sizeof **o->chunks)))
				return NULL;
	}
	struct fire_oconn *c = &o->chunks[k][pid % FIRE_CONN_CHUNK];
	if (c->worker != worker) /* a pid stays on its worker: written once, before workers read it */
		c->worker = worker;
	return c;
}

static struct fire_oconn *oconn(const struct fire_order *o, uint32_t pid)
{
	return &o->chunks[pid / FIRE_CONN_CHUNK][pid % FIRE_CONN_CHUNK];
}

uint8_t fire_key_before(unsigned cmd, unsigned st)
{
	switch (st) {
	case MB_ST_HIT: case MB_ST_TOUCHED: case MB_ST_DELETED: case MB_ST_EXISTS:
		return FIRE_KEY_EXISTS;
	case MB_ST_MISS: case MB_ST_NOT_FOUND:
		return FIRE_KEY_ABSENT;
	case MB_ST_STORED:
		return cmd == MB_CMD_ADD ? FIRE_KEY_ABSENT : cmd == MB_CMD_SET ? FIRE_KEY_ANY : FIRE_KEY_EXISTS;
	case MB_ST_NOT_STORED:
		return cmd == MB_CMD_ADD ? FIRE_KEY_EXISTS : FIRE_KEY_ABSENT;
	default:
		return FIRE_KEY_ANY;
	}
}

/* The key's state after the command, from the state before. */
static uint8_t after_of(unsigned cmd, unsigned st, uint8_t before)
{
	if (st == MB_ST_STORED)
		return FIRE_KEY_EXISTS;
	if (st == MB_ST_DELETED)
		return FIRE_KEY_ABSENT;
	uint8_t n = fire_key_before(cmd, st);
	return n != FIRE_KEY_ANY ? n : (cmd == MB_CMD_SET && st == MB_ST_NONE) ? FIRE_KEY_EXISTS : before;
}

static bool fits(uint8_t need, uint8_t state)
{
	return need == FIRE_KEY_ANY || state == FIRE_KEY_ANY || need == state;
}

enum tie { TIE_TOLD, TIE_REVERSED, TIE_AMBIGUOUS };

/* An overlapped pair, a (earlier in the input) then b, from state s0 before a. */
static enum tie tie(struct fire_order *o, unsigned acmd, unsigned ast, unsigned bcmd, unsigned bst, uint8_t s0)
{
	bool ab = fits(fire_key_before(acmd, ast), s0) && fits(fire_key_before(bcmd, bst), after_of(acmd, ast, s0));
	bool ba = fits(fire_key_before(bcmd, bst), s0) && fits(fire_key_before(acmd, ast), after_of(bcmd, bst, s0));
	o->overlaps++;
	if (ab && !ba) {
		o->told++;
		return TIE_TOLD;
	}
	if (ba && !ab) {
		o->reversed++;
		return TIE_REVERSED;
	}
	o->ambiguous++;
	return TIE_AMBIGUOUS;
}

/* Make the unsent request a (pid a_pid, sequence a_seq, ring item it) wait for the later
   request b_pid/b_seq. False when a is out already or its ring item was reused. */
static bool hold(const struct fire_order *o, struct fire_item *it, uint32_t a_pid, uint32_t a_seq, uint32_t b_pid, uint32_t b_seq)
{
	if (!it || it->seq != a_seq || it->conn != a_pid / o->threads)
		return false; /* the reader refilled that place of the ring: a is long done */
	uint64_t none = 0;
	return atomic_compare_exchange_strong(&it->hold, &none, (uint64_t)b_pid << 32 | b_seq);
}

/* The key map's id for a key hash (the map takes no 0: hash 0 shares with hash 1). */
static uint64_t key_id(uint64_t key_hash)
{
	return key_hash ? key_hash : 1;
}

/* The slot of a key: its own, given at its first use, or once SLOTS keys have one (or
   memory for the map ran out) one chosen by hash that it shares. */
static uint32_t slot_of(struct fire_order *o, uint64_t key_hash)
{
	uint64_t id = key_id(key_hash), *v;
	bool fresh = false;
	if (o->keys.n < SLOTS)
		v = mb_connmap_put64(&o->keys, id, &fresh);
	else
		v = mb_connmap_get64(&o->keys, id);
	if (!v)
		return (uint32_t)((key_hash * 0x9e3779b97f4a7c15ull) >> (64 - SLOT_BITS));
	if (fresh)
		*v = o->keys.n - 1;
	return (uint32_t)*v;
}

void fire_order_prefetch(const struct fire_order *o, uint64_t key_hash)
{
	if (o->on)
		mb_connmap_prefetch64(&o->keys, key_id(key_hash));
}

void fire_order_prefetch_slot(struct fire_order *o, const struct mb_event *ev)
{
	if (o->on && mb_cmd_has_key(ev->cmd))
		__builtin_prefetch(&o->rs[slot_of(o, ev->key_hash)], 1);
}

void fire_order_assign(struct fire_order *o, struct fire_item *it, uint32_t pid, const struct mb_event *ev)
{
	struct fire_oconn *c = oconn(o, pid);
	it->seq = ++c->next_seq;
	it->dep_conn = FIRE_NOCONN;
	it->dep_seq = 0;
	it->need_reads = 0;
	it->slot = FIRE_NOCONN;
	atomic_store_explicit(&it->hold, 0, memory_order_relaxed);
	uint64_t n = ++o->n, prev_n = c->last_n;
	c->last_n = n;
	if (!o->on || !mb_cmd_has_key(ev->cmd))
		return;
	uint32_t slot = slot_of(o, ev->key_hash);
	struct fire_oslot *s = &o->rs[slot];
	/* The first touch of a page of the table is a write. A read would map the shared zero
	   page, and the write after it would copy that page and flush the TLB of every core the
	   process runs on, an interprocessor interrupt each time (1.1% of the samples at --max). */
	s->touched = 1;
	atomic_signal_fence(memory_order_seq_cst); /* the store stays ahead of the loads below */
	if (!s->reads && !s->wseq) { /* first use */
		s->wconn = s->rconn = s->pwconn = FIRE_NOCONN;
	}
	it->slot = slot;
	uint64_t end = ev->ts_ns + ev->latency_ns;
	bool single = !(ev->flags & MB_EF_MULTI);
	bool read = !it->is_write && fire_cmd_reads(ev->cmd);
	uint8_t before = s->state;
	uint32_t since = s->reads - s->wreads; /* reads since the last write */
	bool before_w = false; /* b goes ahead of the last write */
	bool before_r = false; /* a write b goes ahead of the last read */
	if (s->wconn != FIRE_NOCONN && s->wconn != pid) {
		it->dep_conn = s->wconn;
		it->dep_seq = s->wseq;
		if (ev->ts_ns < s->wend && (read || it->is_write)) {
			enum tie k = tie(o, s->wcmd, s->wst, ev->cmd, ev->status, s->wbefore);
			bool can = single && s->wsingle && prev_n < s->wn && (read || since == 0);
			if (k == TIE_REVERSED) {
				if (can && hold(o, s->wit, s->wconn, s->wseq, pid, it->seq))
					before_w = true;
				else
					o->reversed_kept++;
			}
			if (before_w) { /* what the write waited for, b waits for */
				it->dep_conn = s->pwconn != pid ? s->pwconn : FIRE_NOCONN;
				it->dep_seq = s->pwseq;
			}
		}
	}
	if (it->is_write) {
		it->need_reads = s->reads;
		if (s->rconn != FIRE_NOCONN && s->rconn != pid && ev->ts_ns < s->rend) {
			enum tie k = tie(o, s->rcmd, s->rst, ev->cmd, ev->status, s->rbefore);
			/* the last read is the only one since the last write: every older read was done
			   before that write went out, so skipping one read skips exactly this one */
			bool exact = since == 1 && (s->wconn != FIRE_NOCONN || s->reads == 1);
			bool can = exact && single && s->rsingle && prev_n < s->rn;
			if (k == TIE_REVERSED) {
				if (can && hold(o, s->rit, s->rconn, s->rseq, pid, it->seq))
					before_r = true;
				else
					o->reversed_kept++;
			}
			if (before_r)
				it->need_reads--;
		}
	}
	if (before_w && it->is_write) {
		/* the server sees b, then the last write: that write stays the last one */
		s->pwconn = pid;
		s->pwseq = it->seq;
		s->wbefore = after_of(ev->cmd, ev->status, s->wbefore);
		s->state = after_of(s->wcmd, s->wst, s->wbefore);
		return;
	}
	if (before_w) { /* a read the last write waits for: one of the reads before it */
		s->reads++;
		s->wreads++;
		return;
	}
	if (it->is_write) {
		s->pwconn = s->wconn;
		s->pwseq = s->wseq;
		s->wconn = pid;
		s->wseq = it->seq;
		s->wend = end;
		s->wn = n;
		s->wit = it;
		s->wsingle = single;
		s->wcmd = ev->cmd;
		s->wst = ev->status;
		s->wbefore = before_r ? s->rbefore : before;
		s->wreads = s->reads - before_r; /* a read that goes after it counts as since */
		if (!before_r) {
			s->rconn = FIRE_NOCONN;
			s->rend = 0;
		}
		s->state = after_of(ev->cmd, ev->status, s->wbefore);
		if (before_r)
			s->state = after_of(s->rcmd, s->rst, s->state);
		return;
	}
	if (read) {
		s->reads++;
		s->rconn = pid;
		s->rseq = it->seq;
		s->rn = n;
		s->rit = it;
		s->rsingle = single;
		s->rcmd = ev->cmd;
		s->rst = ev->status;
		s->rbefore = before;
		if (end > s->rend)
			s->rend = end;
	}
	s->state = after_of(ev->cmd, ev->status, before);
}

/* Tell the owner of connection c that someone (worker self) waits for its quiet requests;
   an owner that is self looks at its tails on every turn of its loop anyway. */
static void want(struct fire_worker *self, struct fire_oconn *c)
{
	if (atomic_load_explicit(&c->want, memory_order_relaxed))
		return;
	atomic_store(&c->want, 1);
	if (c->worker != (unsigned)self->id)
		fire_poke(&self->run->workers[c->worker]);
}

bool fire_order_ready(struct fire_worker *w, const struct fire_item *h)
{
	struct fire_order *o = &w->run->order;
	uint64_t at = (uint64_t)(h - w->items);
	for (unsigned i = 0; i < h->nkeys; i++) {
		const struct fire_item *m = &w->items[(at + i) & (FIRE_RING - 1)];
		if (m->dep_conn != FIRE_NOCONN) {
			struct fire_oconn *c = oconn(o, m->dep_conn);
			if ((int32_t)(atomic_load_explicit(&c->done, memory_order_acquire) - m->dep_seq) < 0) {
				want(w, c);
				if ((int32_t)(atomic_load(&c->done) - m->dep_seq) < 0)
					return false;
			}
		}
		if (m->need_reads &&
		    (int32_t)(atomic_load_explicit(&o->reads_done[m->slot], memory_order_acquire) - m->need_reads) < 0)
			return false;
	}
	if (h->slot == FIRE_NOCONN)
		return true;
	/* a later request may hold it back (the statuses say the server saw that one first):
	   seal it as sent, or wait for that request */
	_Atomic uint64_t *hold = &((struct fire_item *)h)->hold;
	uint64_t hv = 0;
	if (atomic_compare_exchange_strong(hold, &hv, FIRE_HOLD_SENT) || hv == FIRE_HOLD_SENT)
		return true;
	struct fire_oconn *c = oconn(o, (uint32_t)(hv >> 32));
	if ((int32_t)(atomic_load_explicit(&c->done, memory_order_acquire) - (uint32_t)hv) < 0) {
		want(w, c);
		if ((int32_t)(atomic_load(&c->done) - (uint32_t)hv) < 0)
			return false;
	}
	return true;
}

void fire_order_confirm(struct fire_worker *w, uint32_t pid, uint32_t seq)
{
	struct fire_oconn *c = oconn(&w->run->order, pid);
	if ((int32_t)(seq - atomic_load_explicit(&c->done, memory_order_relaxed)) <= 0)
		return;
	atomic_store(&c->done, seq);
	atomic_store_explicit(&c->want, 0, memory_order_relaxed);
	fire_wake_waiters(w);
}

void fire_order_read_done(struct fire_worker *w, uint32_t slot)
{
	atomic_fetch_add(&w->run->order.reads_done[slot], 1);
	fire_wake_waiters(w);
}

bool fire_order_wanted(struct fire_order *o, uint32_t pid)
{
	return atomic_load_explicit(&oconn(o, pid)->want, memory_order_relaxed) != 0;
}
