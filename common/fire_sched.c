/* fire_sched.c - the input reader: intended send times (speed, rate, loops), routing, the workers' rings. */
#include <math.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/futex.h>
#include <time.h>
#include <unistd.h>

#include "fire_int.h"
#include "mbtime.h"
#include "prog.h"
#include "stream.h"

/* Dense number of a recorded connection id, in order of appearance; UINT32_MAX without memory. */
static uint32_t conn_dense(struct fire_sched *s, uint32_t id)
{
	bool fresh;
	uint64_t *v = mb_connmap_put(&s->conns, id, &fresh);
	if (!v)
		return UINT32_MAX;
	if (fresh)
		*v = s->conns.n - 1;
	return (uint32_t)*v;
}

void fire_sched_free(struct fire_sched *s)
{
	mb_connmap_free(&s->conns);
	free(s->srv_target);
	s->srv_target = NULL;
	free(s->srv_seen);
	s->srv_seen = NULL;
}

void fire_sched_start(struct fire_run *r, bool force)
{
	if (atomic_load(&r->started) || (!force && r->sched.published_total < FIRE_PREFILL))
		return;
	/* connections opened by then get their first request on time */
	r->start_ns = r->opt.start_at ? fire_shard_start_at(r) : fire_clock_start(r, mb_mono_ns() + 10000000);
	atomic_store(&r->started, 1);
	fire_bell_ring(r->prog_bell);
	for (unsigned i = 0; i < r->opt.threads; i++) { /* out of their wait for the start */
		uint64_t one = 1;
		if (write(r->workers[i].efd, &one, sizeof one) < 0)
			continue; /* the eventfd is full: a wake-up is pending anyway */
	}
}

/*
 * The reader's scheduling class in the timed modes. Once the replay has started and a
 * worker's ring is full, the reader is a ring (65,536 requests, 1.3 s at 50k requests/s)
 * ahead, and its work can wait for CPU time that nothing else wants. In the normal class
 * each refill (an eighth of a ring, about 4 ms of decoding) took its share of a core from a
 * polling worker or from a server on the same host: with memcached -t 1 alone on one of two
 * cores, its p90 answer time at 50k requests/s was 1.4-2.1 ms, and 120-300 us with the
 * reader in the idle class (doc/bench.md, seventh session). The idle class (SCHED_IDLE) runs
 * only where a core has nothing else to do, and the kernel counts a core running only such
 * threads as free when it places a waking one. An unprivileged thread cannot leave that
 * class, though, so without CAP_SYS_NICE (or RLIMIT_NICE 20) the reader takes the batch
 * class instead (SCHED_BATCH: never preempts anyone on waking, and can be undone). A worker
 * short of requests (a reader starved on a busy host) and a stop move it back.
 */

/* Whether this thread may return from the idle class to the normal one. */
static bool may_leave_idle_class(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NICE, &rl) == 0 && rl.rlim_cur >= 20)
		return true;
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3];
	return syscall(SYS_capget, &hdr, caps) == 0 && (caps[CAP_SYS_NICE >> 5].effective & (1u << (CAP_SYS_NICE & 31)));
}

/* The reader, a ring ahead after the start: into the idle (or batch) class. */
static void reader_lower(struct fire_run *r)
{
	if (r->opt.mode == FIRE_MAX || r->opt.no_priority || !atomic_load(&r->started) || atomic_load(&r->reader_low))
		return;
	int cls = r->reader_class ? r->reader_class : may_leave_idle_class() ? FIRE_READER_IDLE : FIRE_READER_BATCH;
	struct sched_param sp = { 0 };
	if (sched_setscheduler(0, cls == FIRE_READER_IDLE ? SCHED_IDLE : SCHED_BATCH, &sp) != 0)
		return;
	r->reader_tid = (pid_t)syscall(SYS_gettid);
	r->reader_class = cls;
	atomic_store(&r->reader_low, 1); /* after the thread id: a worker that sees the flag may use it */
}

void fire_reader_raise(struct fire_run *r, bool hungry)
{
	if (!atomic_load_explicit(&r->reader_low, memory_order_relaxed) || !atomic_exchange(&r->reader_low, 0))
		return;
	struct sched_param sp = { 0 };
	if (sched_setscheduler(r->reader_tid, SCHED_OTHER, &sp) == 0 && hungry)
		atomic_fetch_add(&r->reader_raised, 1);
}

const char *fire_reader_class_name(int cls)
{
	return cls == FIRE_READER_IDLE ? "idle" : cls == FIRE_READER_BATCH ? "batch" : "normal";
}

/* Wait until worker w has room for n items; false when stopping. The reader sleeps until an
   eighth of a full ring is free and the worker wakes it (one wake-up per 8192 requests). */
static bool ring_room(struct fire_run *r, struct fire_worker *w, uint64_t head, unsigned n)
{
	if (head + n - atomic_load_explicit(&w->tail, memory_order_acquire) <= FIRE_RING)
		return true;
	uint64_t want = head + n - FIRE_RING + FIRE_RING / 8;
	for (;;) {
		fire_sched_start(r, true);
		if (mb_stop_requested || atomic_load(&r->stop))
			return false;
		reader_lower(r);
		uint32_t seq = atomic_load(&w->room_seq);
		atomic_store(&w->room_want, want);
		if (atomic_load(&w->tail) >= want) /* freed meanwhile */
			break;
		struct timespec ts = { 0, 20000000 }; /* re-check the stop flags now and then */
		syscall(SYS_futex, &w->room_seq, FUTEX_WAIT_PRIVATE, seq, &ts, NULL, 0);
	}
	atomic_store(&w->room_want, 0);
	return true;
}

static void publish(struct fire_run *r, struct fire_worker *w, uint64_t head)
{
	r->sched.published_total += head - atomic_load_explicit(&w->head, memory_order_relaxed);
	fire_sched_start(r, false);
	atomic_store(&w->head, head); /* seq_cst: pairs with the worker's hungry flag */
	/* one wake-up per sleep: taking the flag keeps the next requests from writing again
	   before the worker is up (they did 4 times in 5 at the start of a --max run) */
	if (atomic_load(&w->hungry) && atomic_exchange(&w->hungry, 0)) {
		uint64_t one = 1;
		if (write(w->efd, &one, sizeof one) < 0)
			return;
	}
}

static double rnd01(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return ((double)(*s >> 11) + 0.5) / 9007199254740992.0;
}

/* Intended time of the next request relative to the start. */
static uint64_t intended(struct fire_run *r, uint64_t ts)
{
	struct fire_sched *s = &r->sched;
	switch (r->opt.mode) {
	case FIRE_MAX:
		return 0;
	case FIRE_RATE:
		s->index++;
		if (r->opt.poisson) {
			s->pois_t += -log(rnd01(&s->rng)) / r->opt.rate;
			return (uint64_t)(s->pois_t * 1e9);
		}
		return (uint64_t)((double)(s->index - 1) * 1e9 / r->opt.rate);
	default:
		if (!s->have_ts0) {
			s->ts0 = ts;
			s->have_ts0 = true;
		}
		if (ts > s->last_ts)
			s->last_ts = ts;
		return s->offset + (uint64_t)((double)(ts > s->ts0 ? ts - s->ts0 : 0) / r->opt.speed);
	}
}

void fire_sched_next_loop(struct fire_run *r, uint64_t loop)
{
	struct fire_sched *s = &r->sched;
	uint64_t span = s->have_ts0 ? (uint64_t)((double)(s->last_ts - s->ts0) / r->opt.speed) : 0;
	uint64_t gap = r->in_events > 1 ? span / (r->in_events / loop) : 0;
	s->offset += span + gap;
	fire_ttl_next_pass(r);
	s->have_ts0 = false;
	s->last_ts = 0;
}

/* Route an event: worker, connection index in it. */
static void route(const struct fire_run *r, const struct mb_event *ev, unsigned *wi, uint32_t *ci)
{
	uint32_t dense = ev->conn_id;
	unsigned t = fire_target_of(r, r->sched.by_server, ev->sem.server, ev->cmd, ev->key_hash);
	uint64_t slot = (uint64_t)dense * r->opt.ntargets + t;
	*wi = (unsigned)(slot % r->opt.threads);
	*ci = (uint32_t)(slot / r->opt.threads);
}

/* The item's expiration times scaled with the speed: placed on its target's clock when it
   is sent where that clock is known (recorded times only), else now (the other modes keep
   relative times and re-base unix times at speed 1). */
static void scale_ttls(const struct fire_run *r, struct fire_item *it, uint64_t rec_ns, unsigned target)
{
	bool viv = (it->sem.has & MB_SEM_VIVIFY) && it->sem.vivify_ttl > 0;
	bool rec = (it->sem.has & MB_SEM_RECACHE) && it->sem.recache_ttl > 0;
	if (it->ttl <= 0 && !viv && !rec)
		return;
	if (fire_clock_known(r, target))
		it->ttl_rec_ns = rec_ns ? rec_ns : 1;
	else
		fire_ttl_scale_item(r, it, rec_ns, NULL);
}

/* Fill it, request seq of pid's worker, from ev. */
static void fill_item(struct fire_run *r, struct fire_item *it, const struct mb_event *ev, uint64_t t, uint32_t ci, uint32_t pid,
		      uint64_t seq)
{
	memset(it, 0, sizeof *it);
	it->t = t;
	it->key_hash = ev->key_hash;
	it->conn = ci;
	it->value_len = ev->value_len;
	it->ttl = ev->ttl;
	it->key_len = ev->key_len;
	it->cmd = ev->cmd;
	it->proto = r->opt.proto ? (uint8_t)r->opt.proto : ev->proto ? ev->proto : MB_PROTO_TEXT;
	it->rec_status = ev->status;
	it->sem = ev->sem;
	if (!r->opt.keep_ttl)
		scale_ttls(r, it, ev->ts_ns, pid % r->opt.ntargets); /* route() gave pid's target */
	it->udp = ev->transport == MB_TRANSPORT_UDP;
	/* over UDP a noreply or quiet request is sent with its reply (text without noreply,
	   binary by its loud opcode, meta without q): a lost datagram must show, and no
	   barrier can confirm it */
	it->quiet = (ev->flags & MB_EF_NOREPLY) != 0 && !it->udp;
	it->is_write = fire_cmd_writes(ev->cmd);
	fire_order_assign(&r->order, it, pid, ev);
	fire_ttl_follow(r, it, pid % r->opt.threads, seq);
	it->state = IT_QUEUED;
	if (mb_mcreq_compares_cas(ev->cmd, &ev->sem) && !atomic_load_explicit(&r->cas_seen, memory_order_relaxed))
		atomic_store(&r->cas_seen, 1);
}

/* Publish events [0, n) of the same request group as one request per (worker, connection).
   MB_OK, MB_END (stopped) or MB_EIO (memory, err filled). */
static int emit_group(struct fire_run *r, const struct mb_event *evs, const uint64_t *ts, unsigned n, struct mb_err *err)
{
	bool used[MB_MCREQ_BATCH_MAX];
	memset(used, 0, n * sizeof used[0]); /* most groups are one event: clear only what is used */
	for (unsigned i = 0; i < n; i++) {
		if (used[i])
			continue;
		unsigned wi;
		uint32_t ci;
		route(r, &evs[i], &wi, &ci);
		uint32_t pid = ci * r->opt.threads + wi;
		if (!fire_order_conn(&r->order, pid, wi))
			return mb_err_set(err, MB_EIO, "out of memory for %u connections", pid);
		unsigned members[MB_MCREQ_BATCH_MAX], m = 0;
		unsigned proto = r->opt.proto ? (unsigned)r->opt.proto : evs[i].proto ? evs[i].proto : MB_PROTO_TEXT;
		bool can_batch = proto != MB_PROTO_TEXT || mb_cmd_is_read(evs[i].cmd);
		for (unsigned j = i; j < n; j++) {
			if (used[j])
				continue;
			unsigned wj = wi;
			uint32_t cj = ci;
			if (j != i)
				route(r, &evs[j], &wj, &cj);
			if (wj == wi && cj == ci && evs[j].cmd == evs[i].cmd && (j == i || can_batch)) {
				members[m++] = j;
				used[j] = true;
			}
		}
		struct fire_worker *w = &r->workers[wi];
		uint64_t head = atomic_load_explicit(&w->head, memory_order_relaxed);
		if (!ring_room(r, w, head, can_batch ? m : 1))
			return MB_END;
		if (!can_batch) {
			for (unsigned k = 0; k < m; k++) {
				if (k && !ring_room(r, w, head, 1))
					return MB_END;
				struct fire_item *it = &w->items[head & (FIRE_RING - 1)];
				fill_item(r, it, &evs[members[k]], ts[members[k]], ci, pid, head);
				it->nkeys = 1;
				head++;
				publish(r, w, head);
			}
			continue;
		}
		for (unsigned k = 0; k < m; k++) {
			struct fire_item *it = &w->items[(head + k) & (FIRE_RING - 1)];
			fill_item(r, it, &evs[members[k]], ts[members[0]], ci, pid, head + k);
			it->nkeys = k == 0 ? (uint16_t)m : 0;
		}
		publish(r, w, head + m);
	}
	return MB_OK;
}

static int flush_batch(struct fire_run *r, struct mb_err *err)
{
	struct fire_sched *s = &r->sched;
	int rc = s->nbatch ? emit_group(r, s->batch, s->batch_t, s->nbatch, err) : MB_OK;
	s->nbatch = 0;
	return rc;
}

/* One event in input order: a member of a multi-key request waits for its batch's end. */
static int take(struct fire_run *r, const struct mb_event *ev, uint64_t t, uint32_t *cur_batch, uint64_t *cur_conn, struct mb_err *err)
{
	struct fire_sched *s = &r->sched;
	int rc;
	if (ev->flags & MB_EF_MULTI) {
		if (s->nbatch && (ev->batch_id != *cur_batch || ev->conn_id != *cur_conn || s->nbatch == MB_MCREQ_BATCH_MAX))
			if ((rc = flush_batch(r, err)) != MB_OK)
				return rc;
		*cur_batch = ev->batch_id;
		*cur_conn = ev->conn_id;
		s->batch[s->nbatch] = *ev;
		s->batch_t[s->nbatch++] = t;
		return ev->flags & MB_EF_BATCH_END ? flush_batch(r, err) : MB_OK;
	}
	if (s->nbatch && (rc = flush_batch(r, err)) != MB_OK)
		return rc;
	return emit_group(r, ev, &t, 1, err);
}

int fire_input_open(const struct fire_run *r, struct mb_reader *rd, int fd, const char *name, struct mb_err *err)
{
	int rc = mb_reader_open(rd, fd, name, (1u << MB_KIND_EVENTS_RAW) | (1u << MB_KIND_EVENTS_HASHED), err);
	rd->stop = &mb_stop_requested;
	rd->allow_truncated = r->opt.allow_truncated;
	return rc;
}

int fire_input_event(const struct mb_reader *rd, const struct mb_frame *f, struct mb_event *ev, const char *name,
		     struct mb_err *err)
{
	if (mb_event_decode(f->payload, f->len, rd->info.kind, ev, err) != MB_OK)
		return mb_err_at(err, name, f->offset);
	if (rd->info.kind == MB_KIND_EVENTS_RAW)
		ev->key_hash = mb_mcreq_hash_bytes(ev->key, ev->key_len);
	return MB_OK;
}

/* Events decoded ahead of the one scheduled. The order tracker's two lookups of a key, its
   map bucket and then its slot, were cache misses on almost every request (a fifth of the
   reader's time at --max): the bucket is fetched when an event is read, the slot when it is
   half-way through this window, and both are in the cache when the event's turn comes. */
#define LOOKAHEAD 8

/* Schedule one event in input order: its connection, intended time, order and ring place.
   MB_OK, MB_END (the duration is reached, or stopped) or an error (err filled). */
static int schedule(struct fire_run *r, struct mb_event *ev, uint32_t *cur_batch, uint64_t *cur_conn, struct mb_err *err)
{
	r->in_events++;
	if (!mb_mcreq_replayable(ev->cmd)) {
		r->in_skipped++;
		return MB_OK;
	}
	uint32_t d = conn_dense(&r->sched, ev->conn_id);
	if (d == UINT32_MAX)
		return mb_err_set(err, MB_EIO, "out of memory for the connection map");
	ev->conn_id = r->opt.conns_n ? (uint32_t)(d % r->opt.conns_n) : d;
	uint64_t t = intended(r, ev->ts_ns);
	if (r->opt.duration && r->opt.mode != FIRE_MAX && t > r->opt.duration) {
		r->sched.past_duration = true;
		/* the run ends with its last request before the duration: reached, even when the
		   workers finish before the progress thread's own deadline */
		atomic_store(&r->duration_hit, 1);
		return MB_END;
	}
	bool mine = true;
	int rc = r->opt.shards ? fire_shard_take(r, d, ev, t, &mine, err) : MB_OK;
	if (rc == MB_OK && mine)
		rc = take(r, ev, t, cur_batch, cur_conn, err);
	return rc;
}

int fire_sched_pass(struct fire_run *r, int fd, const char *name, struct mb_err *err)
{
	struct mb_reader rd;
	int rc = fire_input_open(r, &rd, fd, name, err);
	r->sched.by_server = fire_by_server(r, &rd.info);
	if (rc == MB_OK && r->opt.nmap && !r->sched.by_server)
		rc = mb_err_set(err, MB_ERR, "--target-map: the input records no servers (no servers=numbered in its header): '%s'", name);
	if (rc == MB_OK)
		fire_record_header(r, &rd.info);
	struct mb_event ahead[LOOKAHEAD];
	unsigned first = 0, n = 0;
	struct mb_frame f;
	bool frame_waits = false; /* a server frame, taken once the events read before it are */
	int in_rc = rc;           /* the input: MB_OK while it may have more, then why it ended */
	struct mb_err in_err = { { 0 } };
	uint32_t cur_batch = 0;
	uint64_t cur_conn = UINT64_MAX;
	while (rc == MB_OK) {
		while (!frame_waits && in_rc == MB_OK && n < LOOKAHEAD) {
			if ((in_rc = mb_reader_next(&rd, &f, &in_err)) != MB_OK)
				break;
			if (f.type == MB_FRAME_SERVER && r->sched.by_server) {
				frame_waits = true;
				break;
			}
			if (f.type != MB_FRAME_EVENT)
				continue;
			struct mb_event *ev = &ahead[(first + n) % LOOKAHEAD];
			if ((in_rc = fire_input_event(&rd, &f, ev, name, &in_err)) != MB_OK)
				break;
			if (mb_mcreq_replayable(ev->cmd))
				fire_order_prefetch(&r->order, ev->key_hash);
			if (++n > LOOKAHEAD / 2) {
				const struct mb_event *mid = &ahead[(first + n - 1 - LOOKAHEAD / 2) % LOOKAHEAD];
				if (mb_mcreq_replayable(mid->cmd))
					fire_order_prefetch_slot(&r->order, mid);
			}
		}
		if (n) {
			rc = schedule(r, &ahead[first], &cur_batch, &cur_conn, err);
			first = (first + 1) % LOOKAHEAD;
			n--;
		} else if (frame_waits) {
			frame_waits = false;
			if ((rc = fire_topo_server(r, &f, err)) != MB_OK)
				mb_err_at(err, name, f.offset);
		} else {
			break; /* the input ended: every event read was scheduled */
		}
	}
	if (rc == MB_OK && in_rc != MB_END) { /* the input's own error, after what it held */
		rc = in_rc;
		*err = in_err;
	}
	if (rc == MB_OK || rc == MB_END) {
		int frc = flush_batch(r, err);
		if (frc == MB_EIO)
			rc = frc;
	}
	mb_reader_close(&rd);
	if (rc != MB_EIO && (mb_stop_requested || atomic_load(&r->stop)))
		return MB_END;
	return rc == MB_END || rc == MB_OK ? MB_OK : rc;
}
