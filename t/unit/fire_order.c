/* fire_order.c - unit tests of the per-key order tracker (common/fire_order.c), evloop's cancellable timers and its yield. */
#include <stdlib.h>
#include <unistd.h>

#include "evloop.h"
#include "fire_int.h"
#include "mbtime.h"
#include "tap.h"

/* An event of cmd with status st on key k, recorded at ts with latency lat (ns). */
static struct mb_event ev(unsigned cmd, unsigned st, uint64_t k, uint64_t ts, uint64_t lat)
{
	struct mb_event e = { 0 };
	e.cmd = (uint8_t)cmd;
	e.status = (uint8_t)st;
	e.key_hash = k;
	e.key_len = 8;
	e.ts_ns = ts;
	e.latency_ns = lat;
	return e;
}

/* The ring: the tracker remembers where the last write and read of a key are. */
static struct fire_item ring[64];
static unsigned nring;

/* Assign the next ring item to the request e of connection pid (one worker). */
static struct fire_item *assign(struct fire_order *o, uint32_t pid, struct mb_event e)
{
	struct fire_item *it = &ring[nring++ % 64];
	*it = (struct fire_item){ 0 };
	it->is_write = mb_cmd_is_store(e.cmd) || e.cmd == MB_CMD_DELETE || e.cmd == MB_CMD_INCR || e.cmd == MB_CMD_DECR;
	it->cmd = e.cmd;
	it->conn = pid;
	fire_order_assign(o, it, pid, &e);
	return it;
}

static uint64_t held_by(const struct fire_item *it)
{
	return atomic_load(&((struct fire_item *)it)->hold);
}

static int fired;
static void on_timer(struct mb_evloop *l, void *ptr)
{
	(void)l;
	fired += (int)(intptr_t)ptr;
}

/* A readable pipe's handler: drains it and counts the call in *(int *)ptr. */
static void on_readable(struct mb_evloop *l, int fd, void *ptr, unsigned mask)
{
	(void)l;
	(void)mask;
	char buf[16];
	if (read(fd, buf, sizeof buf) > 0)
		++*(int *)ptr;
}

int main(void)
{
	struct mb_err err;
	struct fire_order o = { 0 };
	ok(fire_order_init(&o, true, 1, &err) == MB_OK, "tracker set up");
	for (uint32_t pid = 0; pid < 4; pid++)
		ok(fire_order_conn(&o, pid, 0) != NULL, "connection %u", pid);

	/* conn 0 sets k; conn 1 reads it twice; conn 2 deletes it; conn 1 reads again */
	struct fire_item *a = assign(&o, 0, ev(MB_CMD_SET, MB_ST_STORED, 7, 1000, 100));
	is_int(a->seq, 1, "first request of conn 0 is seq 1");
	is_int(a->dep_conn, FIRE_NOCONN, "the first write waits for nobody");
	is_int(a->need_reads, 0, "... and for no read");
	struct fire_item *b = assign(&o, 1, ev(MB_CMD_GET, MB_ST_HIT, 7, 2000, 100));
	is_int(b->dep_conn, 0, "a read waits for the write of another connection");
	is_int(b->dep_seq, 1, "... that write's sequence");
	struct fire_item *c = assign(&o, 1, ev(MB_CMD_GET, MB_ST_HIT, 7, 3000, 100));
	is_int(c->seq, 2, "second request of conn 1 is seq 2");
	struct fire_item *d = assign(&o, 2, ev(MB_CMD_DELETE, MB_ST_DELETED, 7, 4000, 100));
	is_int(d->dep_conn, 0, "a write waits for the earlier write");
	is_int(d->need_reads, 2, "... and for the two earlier reads");
	struct fire_item *e = assign(&o, 1, ev(MB_CMD_GET, MB_ST_MISS, 7, 5000, 100));
	is_int(e->dep_conn, 2, "the next read waits for the delete");
	struct fire_item *f = assign(&o, 2, ev(MB_CMD_SET, MB_ST_NONE, 7, 6000, 0));
	is_int(f->dep_conn, FIRE_NOCONN, "a write after its own connection's write needs no other");
	is_int(f->need_reads, 3, "... but waits for every earlier read");
	struct fire_item *g = assign(&o, 0, ev(MB_CMD_GET, MB_ST_HIT, 99, 7000, 100));
	is_int(g->dep_conn, FIRE_NOCONN, "another key: no wait");
	is_int(o.overlaps, 0, "no recorded overlap so far");

	/* overlaps: a get that missed while an add was answered: only get-then-add fits */
	assign(&o, 0, ev(MB_CMD_DELETE, MB_ST_DELETED, 55, 10000, 10));
	assign(&o, 1, ev(MB_CMD_GET, MB_ST_MISS, 55, 20000, 5000));
	assign(&o, 2, ev(MB_CMD_ADD, MB_ST_STORED, 55, 21000, 100));
	is_int(o.overlaps, 1, "an add during a get's answer overlaps it");
	is_int(o.told, 1, "... and the statuses tell the order");
	/* a get that hit while a set overlapped on a missing key: only set-then-get fits */
	struct fire_item *del = assign(&o, 0, ev(MB_CMD_DELETE, MB_ST_DELETED, 56, 30000, 10));
	struct fire_item *set = assign(&o, 1, ev(MB_CMD_SET, MB_ST_STORED, 56, 40000, 5000));
	struct fire_item *get = assign(&o, 2, ev(MB_CMD_GET, MB_ST_MISS, 56, 41000, 100));
	is_int(o.reversed, 1, "a miss after an overlapping set: the statuses say the other order");
	ok(held_by(set) == ((uint64_t)2 << 32 | get->seq), "... so the unsent set is held until the get is done");
	is_int(get->dep_conn, 0, "... and the get waits for what the set waited for: the delete");
	is_int(get->dep_seq, del->seq, "... that delete's sequence");
	is_int(o.reversed_kept, 0, "... the other order is replayed");
	struct fire_item *get2 = assign(&o, 3, ev(MB_CMD_GET, MB_ST_HIT, 56, 60000, 100));
	is_int(get2->dep_conn, 1, "a later read still waits for the set, the key's last write");

	/* the same, but the set is out already: the input order stays */
	assign(&o, 0, ev(MB_CMD_DELETE, MB_ST_DELETED, 60, 70000, 10));
	set = assign(&o, 1, ev(MB_CMD_SET, MB_ST_STORED, 60, 80000, 5000));
	atomic_store(&set->hold, FIRE_HOLD_SENT);
	get = assign(&o, 2, ev(MB_CMD_GET, MB_ST_MISS, 60, 81000, 100));
	is_int(o.reversed_kept, 1, "a set already sent cannot be held: counted");
	is_int(get->dep_conn, 1, "... and the get waits for it");
	ok(held_by(set) == FIRE_HOLD_SENT, "... which stays sealed");

	/* a get that hit next to a set, on a key known to exist: either order fits */
	assign(&o, 0, ev(MB_CMD_GET, MB_ST_HIT, 57, 90000, 10));
	set = assign(&o, 1, ev(MB_CMD_SET, MB_ST_STORED, 57, 100000, 5000));
	get = assign(&o, 2, ev(MB_CMD_GET, MB_ST_HIT, 57, 101000, 100));
	is_int(o.ambiguous, 1, "an ambiguous pair is counted");
	is_int(get->dep_conn, 1, "... and kept in the input's order: the read waits for the write");
	is_int(held_by(set), 0, "... which nothing holds back");

	/* a set next to the only read since the last write, either order fitting */
	assign(&o, 0, ev(MB_CMD_SET, MB_ST_STORED, 58, 110000, 10));
	assign(&o, 1, ev(MB_CMD_GET, MB_ST_HIT, 58, 120000, 5000));
	set = assign(&o, 2, ev(MB_CMD_SET, MB_ST_STORED, 58, 121000, 100));
	is_int(o.ambiguous, 2, "an ambiguous write after a read is counted");
	is_int(set->need_reads, 1, "... and waits for that read");
	is_int(set->dep_conn, 0, "... and for the last write");

	/* a get that hit on a deleted key, overlapped by a set: the set went first */
	assign(&o, 0, ev(MB_CMD_DELETE, MB_ST_DELETED, 59, 130000, 10));
	get = assign(&o, 1, ev(MB_CMD_GET, MB_ST_HIT, 59, 140000, 5000));
	set = assign(&o, 3, ev(MB_CMD_SET, MB_ST_STORED, 59, 141000, 100));
	is_int(o.reversed, 3, "a hit on a deleted key before an overlapping set: the other order");
	ok(held_by(get) == ((uint64_t)3 << 32 | set->seq), "... the get is held until the set is done");
	is_int(set->need_reads, 0, "... and the set does not wait for the get");
	get2 = assign(&o, 2, ev(MB_CMD_DELETE, MB_ST_DELETED, 59, 200000, 100));
	is_int(get2->need_reads, 1, "a later write waits for that get");
	is_int(get2->dep_conn, 3, "... and for the set");

	/* a get overlapped by a set while its connection sent more since: kept, no cycle */
	assign(&o, 0, ev(MB_CMD_DELETE, MB_ST_DELETED, 61, 300000, 10));
	get = assign(&o, 1, ev(MB_CMD_GET, MB_ST_HIT, 61, 310000, 5000));
	assign(&o, 3, ev(MB_CMD_GET, MB_ST_MISS, 62, 311000, 100));
	set = assign(&o, 3, ev(MB_CMD_SET, MB_ST_STORED, 61, 312000, 100));
	is_int(o.reversed, 4, "a hit on a deleted key overlapped by a set, again the other order");
	is_int(o.reversed_kept, 2, "... but the set's connection sent after the get: the order is kept");
	is_int(held_by(get), 0, "... nothing is held");
	is_int(set->need_reads, 1, "... the set waits for the get");
	fire_order_free(&o);

	struct fire_order off = { 0 };
	ok(fire_order_init(&off, false, 1, &err) == MB_OK && fire_order_conn(&off, 0, 0), "tracker off");
	struct fire_item *h = assign(&off, 0, ev(MB_CMD_SET, MB_ST_STORED, 7, 1, 1));
	ok(h->seq == 1 && h->dep_conn == FIRE_NOCONN && h->slot == FIRE_NOCONN, "off: sequence only");
	fire_order_free(&off);

	/* slots: dense in order of first use; hash 0 shares with hash 1; past 2^20 keys, a new
	   key shares a slot chosen by its hash, the same one every time */
	struct fire_order dense = { 0 };
	ok(fire_order_init(&dense, true, 1, &err) == MB_OK && fire_order_conn(&dense, 0, 0) && fire_order_conn(&dense, 1, 0),
	   "tracker for the slots");
	uint32_t s0 = assign(&dense, 0, ev(MB_CMD_SET, MB_ST_STORED, 0x5555, 1, 1))->slot;
	uint32_t s1 = assign(&dense, 0, ev(MB_CMD_GET, MB_ST_HIT, 0x7777, 2, 1))->slot;
	uint32_t s2 = assign(&dense, 1, ev(MB_CMD_GET, MB_ST_HIT, 0x5555, 3, 1))->slot;
	ok(s0 == 0 && s1 == 1 && s2 == 0, "keys take slots 0, 1, and a known key its own again (%u %u %u)", s0, s1, s2);
	uint32_t z0 = assign(&dense, 0, ev(MB_CMD_SET, MB_ST_STORED, 0, 4, 1))->slot;
	uint32_t z1 = assign(&dense, 0, ev(MB_CMD_SET, MB_ST_STORED, 1, 5, 1))->slot;
	ok(z0 == 2 && z1 == 2, "hash 0 has a slot, shared with hash 1 (%u %u)", z0, z1);
	uint32_t first = dense.keys.n, wrong = 0;
	for (uint32_t i = first; i < (1u << 20); i++)
		wrong += assign(&dense, 0, ev(MB_CMD_GET, MB_ST_HIT, 0x100000000ull + i, 10 + i, 1))->slot != i;
	is_int(wrong, 0, "keys up to 2^20 each get the next slot");
	is_int(dense.keys.n, 1u << 20, "... and then the map holds 2^20 keys");
	struct fire_item *w1 = assign(&dense, 0, ev(MB_CMD_SET, MB_ST_STORED, 0xabcdef12345ull, 1u << 21, 1));
	struct fire_item *r1 = assign(&dense, 1, ev(MB_CMD_GET, MB_ST_HIT, 0xabcdef12345ull, (1u << 21) + 10, 1));
	ok(w1->slot < (1u << 20) && r1->slot == w1->slot, "a key past them shares a slot, the same each time (%u)", w1->slot);
	ok(r1->dep_conn == 0 && r1->dep_seq == w1->seq, "... and its order holds: the read waits for the write");
	is_int(dense.keys.n, 1u << 20, "... and the map takes no more keys");
	fire_order_free(&dense);

	/* evloop: a cancelled timer does not run, the others do, in order of their deadlines */
	struct mb_evloop *l = mb_evloop_create(&err);
	uint64_t now = mb_mono_ns();
	uint64_t t1 = mb_evloop_timer(l, now, on_timer, (void *)(intptr_t)1, &err);
	uint64_t t2 = mb_evloop_timer(l, now, on_timer, (void *)(intptr_t)10, &err);
	uint64_t t3 = mb_evloop_timer(l, now + 1000000000000ull, on_timer, (void *)(intptr_t)100, &err);
	ok(t1 && t2 && t3 && t1 != t2, "timers get distinct ids");
	mb_evloop_timer_cancel(l, t2);
	mb_evloop_run_once(l, 0, &err);
	is_int(fired, 1, "the cancelled timer did not run");
	ok(mb_evloop_next_timer(l) == now + 1000000000000ull, "the far timer is still armed");
	mb_evloop_timer_cancel(l, t3);
	mb_evloop_timer_cancel(l, 12345);

	/* evloop yield: past the instant, a call runs one handler; the event left comes next */
	int p[3][2], runs = 0;
	for (int i = 0; i < 3; i++)
		ok(pipe(p[i]) == 0 && write(p[i][1], "x", 1) == 1 &&
			   mb_evloop_set(l, p[i][0], MB_EV_READ, on_readable, &runs, &err) == MB_OK,
		   "pipe %d readable", i);
	mb_evloop_yield_at(l, 1);
	is_int(mb_evloop_run_once(l, 0, &err), 1, "yield passed: one handler ran");
	is_int(runs, 1, "one pipe drained");
	is_int(mb_evloop_run_once(l, 0, &err), 1, "the next call runs the next one");
	mb_evloop_yield_at(l, 0);
	is_int(mb_evloop_run_once(l, 0, &err), 1, "no yield: the one left runs");
	is_int(runs, 3, "every pipe drained, none twice");
	is_int(mb_evloop_run_once(l, 0, &err), 0, "nothing left");
	for (int i = 0; i < 3; i++) {
		close(p[i][0]);
		close(p[i][1]);
	}
	mb_evloop_free(l);
	return done_testing();
}
