/* fire_order.c - unit tests of the per-key order tracker (common/fire_order.c) and evloop's cancellable timers. */
#include <stdlib.h>

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

static struct fire_item assign(struct fire_order *o, uint32_t pid, struct mb_event e)
{
	struct fire_item it = { 0 };
	it.is_write = mb_cmd_is_store(e.cmd) || e.cmd == MB_CMD_DELETE || e.cmd == MB_CMD_INCR || e.cmd == MB_CMD_DECR;
	it.cmd = e.cmd;
	fire_order_assign(o, &it, pid, &e);
	return it;
}

static int fired;
static void on_timer(struct mb_evloop *l, void *ptr)
{
	(void)l;
	fired += (int)(intptr_t)ptr;
}

int main(void)
{
	struct mb_err err;
	struct fire_order o = { 0 };
	ok(fire_order_init(&o, true, &err) == MB_OK, "tracker set up");
	for (uint32_t pid = 0; pid < 3; pid++)
		ok(fire_order_conn(&o, pid, 0) != NULL, "connection %u", pid);

	/* conn 0 sets k; conn 1 reads it twice; conn 2 deletes it; conn 1 reads again */
	struct fire_item a = assign(&o, 0, ev(MB_CMD_SET, MB_ST_STORED, 7, 1000, 100));
	is_int(a.seq, 1, "first request of conn 0 is seq 1");
	is_int(a.dep_conn, FIRE_NOCONN, "the first write waits for nobody");
	is_int(a.need_reads, 0, "... and for no read");
	struct fire_item b = assign(&o, 1, ev(MB_CMD_GET, MB_ST_HIT, 7, 2000, 100));
	is_int(b.dep_conn, 0, "a read waits for the write of another connection");
	is_int(b.dep_seq, 1, "... that write's sequence");
	struct fire_item c = assign(&o, 1, ev(MB_CMD_GET, MB_ST_HIT, 7, 3000, 100));
	is_int(c.seq, 2, "second request of conn 1 is seq 2");
	struct fire_item d = assign(&o, 2, ev(MB_CMD_DELETE, MB_ST_DELETED, 7, 4000, 100));
	is_int(d.dep_conn, 0, "a write waits for the earlier write");
	is_int(d.need_reads, 2, "... and for the two earlier reads");
	struct fire_item e = assign(&o, 1, ev(MB_CMD_GET, MB_ST_MISS, 7, 5000, 100));
	is_int(e.dep_conn, 2, "the next read waits for the delete");
	struct fire_item f = assign(&o, 2, ev(MB_CMD_SET, MB_ST_NONE, 7, 6000, 0));
	is_int(f.dep_conn, FIRE_NOCONN, "a write after its own connection's write needs no other");
	is_int(f.need_reads, 3, "... but waits for every earlier read");
	struct fire_item g = assign(&o, 0, ev(MB_CMD_GET, MB_ST_HIT, 99, 7000, 100));
	is_int(g.dep_conn, FIRE_NOCONN, "another key: no wait");
	is_int(o.overlaps, 0, "no recorded overlap so far");

	/* overlaps: a get that missed while an add was answered: only get-then-add fits */
	assign(&o, 0, ev(MB_CMD_DELETE, MB_ST_DELETED, 55, 10000, 10));
	assign(&o, 1, ev(MB_CMD_GET, MB_ST_MISS, 55, 20000, 5000));
	assign(&o, 2, ev(MB_CMD_ADD, MB_ST_STORED, 55, 21000, 100));
	is_int(o.overlaps, 1, "an add during a get's answer overlaps it");
	is_int(o.told, 1, "... and the statuses tell the order");
	/* a get that hit while a set overlapped on a missing key: only set-then-get fits */
	assign(&o, 0, ev(MB_CMD_DELETE, MB_ST_DELETED, 56, 30000, 10));
	assign(&o, 1, ev(MB_CMD_SET, MB_ST_STORED, 56, 40000, 5000));
	assign(&o, 2, ev(MB_CMD_GET, MB_ST_MISS, 56, 41000, 100));
	is_int(o.reversed, 1, "a miss after an overlapping set: the statuses say the other order");
	fire_order_free(&o);

	struct fire_order off = { 0 };
	ok(fire_order_init(&off, false, &err) == MB_OK && fire_order_conn(&off, 0, 0), "tracker off");
	struct fire_item h = assign(&off, 0, ev(MB_CMD_SET, MB_ST_STORED, 7, 1, 1));
	ok(h.seq == 1 && h.dep_conn == FIRE_NOCONN && h.slot == FIRE_NOCONN, "off: sequence only");
	fire_order_free(&off);

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
	mb_evloop_free(l);
	return done_testing();
}
