/* fire_worker.c - a replay worker: its event loop, due requests, waits for order, the end of a run. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/futex.h>
#include <unistd.h>

#include "fire_int.h"
#include "mbtime.h"
#include "prog.h"

#define SPIN_MAX_NS 250000ull       /* polling margin before a deadline: at most (and at start) */
#define SPIN_MIN_NS 5000ull         /* ... and at least */
#define SPIN_PAD_NS 5000ull         /* margin above the latest wake-up overshoot seen */
#define SPIN_WINDOW_NS 100000000ull /* overshoot is tracked per window of this length */
#define IDLE_FREE_NS 1000000000ull  /* connection buffers are freed after this long idle */
#define WAIT_MAX_NS 20000000ull     /* longest sleep: a stop request is seen within this */
#define STOP_GRACE_NS 50000000ull   /* after a stop, answers to what is out are awaited this long */
#define URING_ENTRIES 1024u         /* sends and receives per io_uring batch */

void fire_count_op(struct fire_worker *w, const struct fire_item *it, unsigned st)
{
	struct fire_stats *s = &w->s;
	s->cmd[it->cmd].st[st]++;
	s->ops++;
	if (fire_status_is_error(st))
		s->errors++;
	if (mb_cmd_is_read(it->cmd)) {
		if (it->rec_status == MB_ST_HIT || it->rec_status == MB_ST_MISS) {
			s->rec_reads++;
			s->rec_hits += it->rec_status == MB_ST_HIT;
		}
		if (st == MB_ST_HIT || st == MB_ST_MISS) {
			s->rep_reads++;
			s->rep_hits += st == MB_ST_HIT;
		}
	}
}

void fire_finish(struct fire_worker *w, struct fire_conn *c, uint64_t seq, unsigned st, unsigned hits, uint64_t now)
{
	struct fire_run *r = w->run;
	struct fire_item *h = &w->items[seq & (FIRE_RING - 1)];
	unsigned n = h->nkeys;
	bool read_batch = n > 1 && mb_cmd_is_read(h->cmd) && !fire_status_is_error(st);
	for (unsigned i = 0; i < n; i++) {
		struct fire_item *m = &w->items[(seq + i) & (FIRE_RING - 1)];
		unsigned mst = read_batch ? (i < hits ? MB_ST_HIT : MB_ST_MISS) : st;
		fire_count_op(w, m, mst);
		if (r->rec)
			fire_record_op(w, c, h, i, mst, now);
		if (r->order.on && m->slot != FIRE_NOCONN && !m->is_write && fire_cmd_reads(m->cmd))
			fire_order_read_done(w, m->slot);
	}
	if (h->state == IT_SENT && st != MB_ST_UNANSWERED && h->expect != MB_EXP_NONE) {
		struct fire_cmd_stats *cs = &w->s.cmd[h->cmd];
		if (fire_cmd_hists(cs)) {
			/* --max: intended is the send, and fire_stats_sum fills lat_act from lat_int; the
			   interval's all-command histogram is the sum of its per-command ones (handover) */
			uint64_t intended = r->opt.mode == FIRE_MAX ? h->sent_at : r->start_ns + h->t;
			uint64_t lat = now > intended ? now - intended : 0;
			mb_hist_record(cs->lat_int, lat);
			if (r->opt.mode != FIRE_MAX)
				mb_hist_record(cs->lat_act, now > h->sent_at ? now - h->sent_at : 0);
			if (w->ival_cmd[h->cmd] || (w->ival_cmd[h->cmd] = fire_hist_new()))
				mb_hist_record(w->ival_cmd[h->cmd], lat);
			else
				mb_hist_record(&w->ival_lat, lat);
		}
	}
	if (h->state == IT_SENT && h->expect != MB_EXP_NONE && c->outstanding)
		c->outstanding--;
	for (unsigned i = 0; i < n; i++)
		w->items[(seq + i) & (FIRE_RING - 1)].state = IT_DONE;
	if (now > w->s.last_done)
		w->s.last_done = now;
	w->last_progress = now;
	/* advance the connection's head over finished items */
	while (c->q_head != FIRE_NONE && w->items[c->q_head & (FIRE_RING - 1)].state == IT_DONE)
		c->q_head = w->items[c->q_head & (FIRE_RING - 1)].next;
	if (c->q_head == FIRE_NONE)
		c->q_tail = c->q_send = FIRE_NONE;
	atomic_store_explicit(&w->p_ops, w->s.ops, memory_order_relaxed);
	atomic_store_explicit(&w->p_err, w->s.errors, memory_order_relaxed);
}

void fire_poke(struct fire_worker *w)
{
	atomic_store(&w->poke, 1);
	if (atomic_load(&w->sleeping)) {
		uint64_t one = 1;
		if (write(w->efd, &one, sizeof one) < 0)
			return;
	}
}

void fire_wake_waiters(struct fire_worker *self)
{
	struct fire_run *r = self->run;
	for (unsigned i = 0; r->opt.threads > 1 && i < r->opt.threads; i++)
		if (i != (unsigned)self->id && atomic_load(&r->workers[i].waiting))
			fire_poke(&r->workers[i]);
}

static void wake_event(struct mb_evloop *l, int fd, void *ptr, unsigned mask)
{
	(void)l;
	(void)ptr;
	(void)mask;
	uint64_t v;
	if (read(fd, &v, sizeof v) < 0)
		return;
}

void fire_block_signals(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* The worker cannot go on: the whole run stops (the reader, waiting for room in this
   worker's ring, and the other workers see the flag), and its error is the outcome. */
static void worker_fail(struct fire_worker *w)
{
	w->failed = 1;
	atomic_store(&w->run->stop, 1);
}

/* Link newly published items into their connections. */
static void link_items(struct fire_worker *w)
{
	const struct fire_run *r = w->run;
	uint64_t head = atomic_load_explicit(&w->head, memory_order_acquire);
	for (; w->linked < head; w->linked++) {
		struct fire_item *it = &w->items[w->linked & (FIRE_RING - 1)];
		struct fire_conn *c = fire_conn_get(w, it->conn);
		if (!c) {
			mb_err_set(&w->err, MB_EIO, "out of memory for %u connections", it->conn);
			worker_fail(w);
			return;
		}
		it->next = FIRE_NONE;
		if (c->q_tail != FIRE_NONE)
			w->items[c->q_tail & (FIRE_RING - 1)].next = w->linked;
		if (c->q_head == FIRE_NONE)
			c->q_head = w->linked;
		if (c->q_send == FIRE_NONE)
			c->q_send = w->linked;
		c->q_tail = w->linked;
		if (c->state == CS_IDLE) {
			/* over UDP as recorded (a unix socket target is a stream) */
			c->udp = it->udp && r->opt.targets[c->target].family != AF_UNIX;
			fire_conn_connect(w, c); /* opened when the reader first sees it, ahead of its first request */
		}
	}
}

/* Free ring slots of finished items, in order; wake the reader when it waits for them. */
static void free_items(struct fire_worker *w)
{
	uint64_t t = atomic_load_explicit(&w->tail, memory_order_relaxed);
	uint64_t t0 = t;
	while (t < w->linked && w->items[t & (FIRE_RING - 1)].state == IT_DONE)
		t++;
	if (t == t0)
		return;
	atomic_store(&w->tail, t); /* seq_cst: pairs with the reader's room_want */
	uint64_t want = atomic_load(&w->room_want);
	if (want && t >= want) {
		atomic_store(&w->room_want, 0);
		atomic_fetch_add(&w->room_seq, 1);
		syscall(SYS_futex, &w->room_seq, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	}
}

/* Release buffers of connections idle for a while (the per-idle-connection memory bound). */
static void sweep_idle(struct fire_worker *w, uint64_t now)
{
	for (uint32_t i = 0; i < w->nconns; i++) {
		struct fire_conn *c = fire_conn_at(w, i);
		if ((c->in || c->out) && c->outstanding == 0 && c->in_len == 0 && c->out_len == c->out_off &&
		    now - c->last_active > IDLE_FREE_NS)
			fire_conn_free_buffers(w, c);
	}
}

/* Learn the polling margin from a timed-out wait that was meant to end at wake_at. */
static void track_wakeup(struct fire_worker *w, uint64_t wake_at)
{
	uint64_t now = mb_mono_ns();
	if (now > wake_at && now - wake_at > w->wake_late)
		w->wake_late = now - wake_at;
	if (now < w->wake_window_end)
		return;
	uint64_t late = w->wake_late > w->wake_late_prev ? w->wake_late : w->wake_late_prev;
	uint64_t m = late + SPIN_PAD_NS;
	w->spin_ns = m < SPIN_MIN_NS ? SPIN_MIN_NS : m > SPIN_MAX_NS ? SPIN_MAX_NS : m;
	w->wake_late_prev = w->wake_late;
	w->wake_late = 0;
	w->wake_window_end = now + SPIN_WINDOW_NS;
}

/* Pass the interval histograms to the progress thread; unless `wait`, never block on it. */
static bool handover(struct fire_worker *w, bool wait)
{
	if (wait)
		pthread_mutex_lock(&w->mu);
	else if (pthread_mutex_trylock(&w->mu))
		return false;
	for (unsigned c = 0; c < MB_CMD_COUNT; c++)
		if (w->ival_cmd[c] && mb_hist_count(w->ival_cmd[c]) && (w->shared_cmd[c] || (w->shared_cmd[c] = fire_hist_new()))) {
			mb_hist_merge(&w->ival_lat, w->ival_cmd[c]);
			mb_hist_merge(w->shared_cmd[c], w->ival_cmd[c]);
			mb_hist_reset(w->ival_cmd[c]);
		}
	mb_hist_merge(&w->shared_lat, &w->ival_lat);
	mb_hist_merge(&w->shared_late, &w->ival_late);
	if (w->run->metrics)
		fire_metrics_publish(w);
	pthread_mutex_unlock(&w->mu);
	mb_hist_reset(&w->ival_lat);
	mb_hist_reset(&w->ival_late);
	return true;
}

/* Pump the connections that waited for their order. */
static void recheck_waits(struct fire_worker *w)
{
	uint32_t n = w->nwait;
	w->nwait = 0;
	for (uint32_t i = 0; i < n; i++)
		fire_conn_at(w, w->waitlist[i])->in_wait = false;
	for (uint32_t i = 0; i < n; i++)
		fire_conn_pump(w, fire_conn_at(w, w->waitlist[i]));
}

/* Drop confirmed connections from the tail list; send a barrier where one is wanted (or
   `all`). Returns the connections still unconfirmed. */
static uint32_t check_tails(struct fire_worker *w, bool all)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < w->ntail; i++) {
		struct fire_conn *c = fire_conn_at(w, w->taillist[i]);
		if (c->quiet_sent == c->quiet_confirmed || c->fd < 0) {
			c->in_tail = false;
			continue;
		}
		if (all || (w->run->order.on && fire_order_wanted(&w->run->order, c->pid)))
			fire_conn_barrier(w, c);
		w->taillist[k++] = w->taillist[i];
	}
	return w->ntail = k;
}

/* Whether every connection has nothing sent that is not answered or confirmed. */
static bool all_settled(struct fire_worker *w)
{
	for (uint32_t i = 0; i < w->nconns; i++) {
		struct fire_conn *c = fire_conn_at(w, i);
		if (c->fd >= 0 && (c->outstanding || c->barrier))
			return false;
	}
	return check_tails(w, true) == 0;
}

/* Timed modes: raise the worker's priority where allowed (doc/mb-fire.md, Timing). */
static void boost(struct fire_worker *w)
{
	struct fire_run *r = w->run;
	if (r->opt.mode == FIRE_MAX || r->opt.no_priority || r->opt.boost_off)
		return;
	if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), FIRE_WORKER_NICE) == 0)
		atomic_fetch_add(&r->boosted, 1);
	else
		atomic_store(&r->boost_errno, errno);
}

/* Batch the sends and receives of TCP connections through io_uring where the kernel lets the
   thread have a ring (doc/mb-fire.md, I/O); without one, each is a system call. */
static void open_ring(struct fire_worker *w)
{
	struct fire_run *r = w->run;
	struct mb_err err = { 0 };
	if (r->opt.no_uring)
		return;
	w->ring = mb_uring_open(URING_ENTRIES, &err);
	if (w->ring) {
		atomic_fetch_add(&r->uring_workers, 1);
		/* receives armed, and the event loop's fd watched from the ring, where it waits */
		int e = mb_uring_arm_error(w->ring);
		w->armed = e == 0;
		w->loop_unarmed = w->armed;
		if (w->armed)
			atomic_fetch_add(&r->uring_armed, 1);
		else
			atomic_store(&r->arm_errno, e);
	} else
		atomic_store(&r->uring_errno, errno ? errno : ENOSYS);
}

/* How long to wait for events before the next deadline. */
static uint64_t wait_time(struct fire_worker *w, uint64_t now)
{
	struct fire_run *r = w->run;
	uint64_t timeout = WAIT_MAX_NS;
	if (!w->stopping && w->due < w->linked) {
		uint64_t at = r->start_ns + w->items[w->due & (FIRE_RING - 1)].t;
		timeout = at > now ? at - now : 0;
		if (timeout > WAIT_MAX_NS)
			timeout = WAIT_MAX_NS;
	}
	/* sleep until shortly before the deadline, then poll */
	timeout = timeout > w->spin_ns ? timeout - w->spin_ns : 0;
	/* the reader wakes it for new requests only when it is short of them, or (timed) has
	   nothing scheduled: newer requests are due later than the deadline it sleeps to */
	bool hungry = w->linked - atomic_load_explicit(&w->tail, memory_order_relaxed) < FIRE_RING / 4 ||
		      (r->opt.mode != FIRE_MAX && w->due == w->linked);
	if (hungry && !atomic_load_explicit(&r->reader_done, memory_order_relaxed))
		fire_reader_raise(r, true); /* a reader in the idle class may starve on a busy host */
	atomic_store(&w->waiting, w->nwait != 0);
	atomic_store(&w->hungry, hungry);
	atomic_store(&w->sleeping, 1);
	if (atomic_exchange(&w->poke, 0))
		timeout = 0;
	if (timeout && hungry && atomic_load(&w->head) != w->linked)
		timeout = 0;
	if (!timeout) { /* a poll: nobody needs to wake it */
		atomic_store_explicit(&w->sleeping, 0, memory_order_relaxed);
		atomic_store_explicit(&w->hungry, 0, memory_order_relaxed);
	}
	return timeout;
}

/*
 * Whether the worker is polling ahead of its next deadline in a timed mode, with nothing
 * due yet. Each such poll that finds nothing yields the core. A server on this host that
 * the worker's own sends wake is placed on the worker's core (the kernel takes a socket's
 * wake-up as a hand-over to the waker's core), and waited there behind the polling worker
 * until its time slice ended, 3-4 ms, while the other core idled. At 50k requests/s with
 * memcached -t 1 on two cores, the requests sent more than 100 us late went from 236-1,582
 * to 101-260 of 150,000 (doc/bench.md, fifteenth session).
 */
static bool polling_ahead(const struct fire_worker *w)
{
	const struct fire_run *r = w->run;
	return r->opt.mode != FIRE_MAX && !w->stopping && w->due < w->linked &&
	       r->start_ns + w->items[w->due & (FIRE_RING - 1)].t > mb_mono_ns();
}

void *fire_worker_main(void *arg)
{
	struct fire_worker *w = arg;
	struct fire_run *r = w->run;
	fire_block_signals();
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	boost(w);
	w->spin_ns = SPIN_MAX_NS;
	open_ring(w);
	if (mb_evloop_set(w->loop, w->efd, MB_EV_READ, wake_event, w, &w->err) != MB_OK) {
		worker_fail(w);
		atomic_store(&w->finished, 1);
		fire_bell_ring(r->main_bell);
		return NULL;
	}
	while (!atomic_load(&r->started) && !atomic_load(&r->stop) && !mb_stop_requested) {
		link_items(w); /* connections open while the reader fills the queues */
		atomic_store(&w->hungry, 1); /* then look: a request published after the look wakes it */
		if (atomic_load(&w->head) == w->linked)
			mb_evloop_run_once(w->loop, WAIT_MAX_NS, &w->err); /* so does the start */
		atomic_store(&w->hungry, 0);
	}
	w->last_progress = r->start_ns;
	uint64_t stop_at = 0;
	for (;;) {
		uint64_t now = mb_mono_ns();
		if (!w->stopping && (atomic_load(&r->stop) || mb_stop_requested)) {
			w->stopping = true; /* send nothing more; wait a little for what is out */
			stop_at = now + STOP_GRACE_NS;
			fire_reader_raise(r, false); /* a reader in the idle class must see the stop soon */
		}
		if (w->stopping && (now >= stop_at || all_settled(w)))
			break;
		if (!w->stopping) {
			link_items(w);
			uint64_t old = w->due;
			while (w->due < w->linked && r->start_ns + w->items[w->due & (FIRE_RING - 1)].t <= now)
				w->due++;
			for (uint64_t s = old; s < w->due; s++) {
				struct fire_item *it = &w->items[s & (FIRE_RING - 1)];
				if (it->nkeys && it->state == IT_QUEUED)
					fire_conn_pump(w, fire_conn_at(w, it->conn));
			}
			if (w->nwait) {
				/* flag first, then look: a confirmation after the look sees the flag */
				atomic_store(&w->waiting, 1);
				recheck_waits(w);
			}
		}
		if (w->ntail)
			check_tails(w, false);
		free_items(w);
		bool input_done = atomic_load(&r->reader_done) && atomic_load_explicit(&w->tail, memory_order_relaxed) == atomic_load(&w->head);
		if (input_done && all_settled(w))
			break;
		if (atomic_load(&r->reader_done) && now > w->last_progress + r->opt.drain &&
		    (w->due == w->linked || now > r->start_ns + w->items[w->due & (FIRE_RING - 1)].t))
			break; /* input done, nothing sent or answered for --drain: give up on the rest */
		uint64_t timeout = wait_time(w, now);
		/* timed: a burst of answers (after a server's pause) is read between the sends that
		   fall due, not ahead of them */
		uint64_t yield_at = r->opt.mode != FIRE_MAX && !w->stopping && w->due < w->linked ?
					    r->start_ns + w->items[w->due & (FIRE_RING - 1)].t : 0;
		mb_evloop_yield_at(w->loop, yield_at);
		if (w->ring && !w->armed && !fire_conn_io_run(w, true)) { /* the sends asked for so far go before the wait */
			worker_fail(w);
			break;
		}
		/* timed: when a wait that times out was meant to end (track_wakeup) */
		uint64_t wake_at = timeout && r->opt.mode != FIRE_MAX ? mb_mono_ns() + timeout : 0;
		int nev;
		if (w->armed) /* the sends go with the wait, and the answers it brings free more */
			nev = fire_conn_io_wait(w, timeout, yield_at);
		else {
			nev = mb_evloop_run_once(w->loop, timeout, &w->err);
			if (nev >= 0 && w->ring && !fire_conn_io_run(w, true)) /* the receives it found, and what they free */
				nev = -1;
		}
		atomic_store_explicit(&w->sleeping, 0, memory_order_relaxed);
		atomic_store_explicit(&w->hungry, 0, memory_order_relaxed);
		if (nev < 0) {
			worker_fail(w);
			break;
		}
		if (wake_at && nev == 0)
			track_wakeup(w, wake_at);
		else if (!wake_at && nev == 0 && polling_ahead(w))
			sched_yield(); /* a thread queued on this core runs now, not after our slice */
		if (now >= w->next_handover)
			w->next_handover = now + (handover(w, false) ? 250000000 : 1000000);
		if (now >= w->next_sweep) {
			sweep_idle(w, now);
			w->next_sweep = now + IDLE_FREE_NS / 2;
		}
	}
	atomic_store(&w->waiting, 0);
	handover(w, true);
	/* given up (--drain) rather than stopped: what was never sent is lost too */
	if (!w->stopping) {
		for (uint64_t s = atomic_load(&w->tail); s < w->linked; s++) {
			const struct fire_item *it = &w->items[s & (FIRE_RING - 1)];
			if (it->nkeys && it->state == IT_QUEUED) {
				w->s.unsent += it->nkeys;
				w->s.errors += it->nkeys;
			}
		}
	}
	/* what is still out is not answered */
	uint64_t now = mb_mono_ns();
	for (uint32_t i = 0; i < w->nconns; i++)
		fire_conn_abandon(w, fire_conn_at(w, i), now);
	if (w->armed) /* the ends of the armed receives: the kernel lets go of the sockets */
		fire_conn_io_wait(w, 0, 0);
	while (w->nbufs)
		free(w->bufs[--w->nbufs]);
	atomic_store(&w->finished, 1);
	fire_bell_ring(r->main_bell);
	return NULL;
}
