/* fire_conn.c - replay connections: sockets, the connection state machine, reconnects, back-pressure, resumed sends, armed receives, responses. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fire_int.h"
#include "mbtime.h"

/*
 * Connection states:
 *   IDLE        no socket; the first due request (or the reader's first request) connects
 *   CONNECTING  non-blocking connect under way: EV_WRITE says how it went
 *   UP          requests are built into `out` (never more than OUT_HIGH unsent) and sent
 *               as the socket takes them; a partial send resumes on EV_WRITE. With an
 *               armed ring (w->armed) the socket's receive stays armed in the kernel, and
 *               the event loop watches it only for EV_WRITE
 *   DOWN        broken: what was sent is lost, a timer (10 ms doubling to 1 s) brings it
 *               back to IDLE; requests whose time comes meanwhile are lost. With --max, one
 *               that failed for --drain without an answer is given up: it stays DOWN and
 *               its timer loses what is queued
 */

#define OUT_HIGH (64u * 1024)      /* stop queueing requests on a connection past this much unsent */
#define IO_BUF FIRE_IO_BUF
#define BUF_CACHE 64               /* idle I/O buffers a worker keeps for reuse */
#define BACKOFF_MIN_NS 10000000ull
#define BACKOFF_MAX_NS 1000000000ull
#define CAS_STALE (UINT64_MAX - 1) /* a unique memcached never hands out: reproduces `exists` */

/* A non-blocking socket towards t (a datagram one when udp), connect started; -1 with errno. */
static int open_socket(const struct fire_target *t, bool udp, int *in_progress)
{
	int fd = socket(t->family, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (t->family != AF_UNIX && !udp) {
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
	*in_progress = 0;
	if (connect(fd, (const struct sockaddr *)&t->addr, t->addrlen) < 0) {
		if (errno == EINPROGRESS || errno == EAGAIN) {
			*in_progress = 1;
			return fd;
		}
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int fire_connect_blocking(const struct fire_target *t, struct mb_err *err)
{
	int inprog;
	int fd = open_socket(t, false, &inprog);
	if (fd >= 0 && inprog) {
		fd_set w;
		FD_ZERO(&w);
		FD_SET(fd, &w);
		struct timeval tv = { 3, 0 };
		int e = 0;
		socklen_t el = sizeof e;
		if (select(fd + 1, NULL, &w, NULL, &tv) <= 0)
			e = ETIMEDOUT;
		else
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el);
		if (e) {
			close(fd);
			fd = -1;
			errno = e;
		}
	}
	if (fd < 0) {
		mb_err_set(err, MB_EIO, "cannot connect to target: %s: '%s'", strerror(errno), t->name);
		return -1;
	}
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

/* ---------------------------------------------------------------- cas uniques */

/* The unique a request that compares one (a cas, meta C, a binary header cas) sends: a stale
   one where the recording says `exists`, else the latest this replay learnt (0 when none: the
   recorded one). Recorded uniques come from the recording's server: its global counter moved
   with every connection's stores, so a replay that interleaves them otherwise hands out others. */
static uint64_t cas_for(struct fire_worker *w, const struct fire_item *h)
{
	if (!mb_mcreq_compares_cas(h->cmd, &h->sem))
		return 0;
	return h->rec_status == MB_ST_EXISTS ? CAS_STALE : fire_cas_get(&w->run->cas, h->key_hash);
}

/* ---------------------------------------------------------------- connections */

struct fire_conn *fire_conn_at(struct fire_worker *w, uint32_t i)
{
	return &w->chunks[i / FIRE_CONN_CHUNK][i % FIRE_CONN_CHUNK];
}

struct fire_conn *fire_conn_get(struct fire_worker *w, uint32_t i)
{
	while (i >= w->nconns) {
		uint32_t k = w->nconns / FIRE_CONN_CHUNK;
		if (k == w->nchunks) {
			struct fire_conn **p = realloc(w->chunks, (size_t)(k + 1) * sizeof *p);
			if (!p)
				return NULL;
			w->chunks = p;
			if (!(p[k] = calloc(FIRE_CONN_CHUNK, sizeof **p)))
				return NULL;
			w->nchunks = k + 1;
		}
		struct fire_conn *c = fire_conn_at(w, w->nconns);
		const struct fire_opts *o = &w->run->opt;
		c->fd = -1;
		c->q_head = c->q_send = c->q_tail = FIRE_NONE;
		c->w = w;
		uint64_t slot = (uint64_t)w->nconns * o->threads + (uint64_t)w->id;
		c->target = (uint8_t)(slot % o->ntargets);
		c->pid = (uint32_t)slot;
		w->nconns++;
	}
	return fire_conn_at(w, i);
}

static void conn_event(struct mb_evloop *l, int fd, void *ptr, unsigned mask);
static void conn_arm(struct fire_worker *w, struct fire_conn *c);
static bool list_add(uint32_t **l, uint32_t *n, uint32_t *cap, uint32_t idx);
static uint32_t conn_index(const struct fire_worker *w, const struct fire_conn *c);

/* Connections borrow I/O buffers only while bytes are in flight: an idle connection holds none. */
static uint8_t *buf_get(struct fire_worker *w)
{
	return w->nbufs ? w->bufs[--w->nbufs] : malloc(IO_BUF);
}

static void buf_put(struct fire_worker *w, uint8_t *b, uint32_t cap)
{
	if (b && cap == IO_BUF && w->nbufs < BUF_CACHE)
		w->bufs[w->nbufs++] = b;
	else
		free(b);
}

void fire_conn_free_buffers(struct fire_worker *w, struct fire_conn *c)
{
	buf_put(w, c->in, IO_BUF);
	buf_put(w, c->out, c->out_cap);
	c->in = c->out = NULL;
	c->in_len = c->out_len = c->out_off = c->out_cap = 0;
}

static void reconnect_timer(struct mb_evloop *l, void *ptr);

/* Requests up to seq of the connection are processed (answered, or given up). */
static void conn_confirm(struct fire_worker *w, struct fire_conn *c, uint32_t seq, uint64_t quiet_before)
{
	if (quiet_before > c->quiet_confirmed)
		c->quiet_confirmed = quiet_before;
	if (w->run->order.on)
		fire_order_confirm(w, c->pid, seq);
}

/* Sent requests of a broken or abandoned connection: unanswered (counted in *lost). */
static void conn_drop_sent(struct fire_worker *w, struct fire_conn *c, uint64_t now, uint64_t *lost)
{
	while (c->q_head != FIRE_NONE && c->q_head != c->q_send) {
		struct fire_item *h = &w->items[c->q_head & (FIRE_RING - 1)];
		if (h->state == IT_DONE || h->nkeys == 0) {
			c->q_head = h->next;
			continue;
		}
		*lost += h->nkeys;
		uint64_t q = c->q_head;
		fire_finish(w, c, q, MB_ST_UNANSWERED, 0, now);
		if (c->q_head == q)
			break;
	}
	/* quiet requests nobody confirmed: the server may not have seen them */
	uint64_t unconf = c->quiet_sent - c->quiet_confirmed;
	w->s.unconfirmed += unconf;
	w->s.errors += unconf;
	c->quiet_confirmed = c->quiet_sent;
	if (w->run->order.on && c->sent_seq)
		fire_order_confirm(w, c->pid, c->sent_seq); /* given up: nobody waits for them */
	c->barrier = false;
}

/* Close the socket: a batch's result or an armed receive's for it counts no more. */
static void conn_close(struct fire_worker *w, struct fire_conn *c)
{
	if (c->fd >= 0) {
		mb_evloop_del(w->loop, c->fd);
		if (w->armed && !c->udp) {
			shutdown(c->fd, SHUT_RD); /* ends the armed receive, which holds the socket */
			mb_uring_unregister_fd(w->ring, c->fd);
		}
		close(c->fd);
		c->fd = -1;
	}
	c->io_gen++;
	c->want_recv = c->want_send = false;
}

/* The connection broke: sent requests are lost (errors), the rest waits for a reconnect. */
static void conn_fail(struct fire_worker *w, struct fire_conn *c, bool reset)
{
	uint64_t now = mb_mono_ns();
	conn_close(w, c);
	if (reset)
		w->s.resets++;
	conn_drop_sent(w, c, now, &w->s.lost);
	if (c->q_head == FIRE_NONE)
		c->q_tail = c->q_send = FIRE_NONE;
	c->outstanding = 0;
	c->skip = 0;
	c->r_hits = 0;
	c->r_status = 0;
	fire_conn_free_buffers(w, c);
	c->state = CS_DOWN;
	if (!c->backoff)
		c->failing_since = now;
	c->backoff = c->backoff ? c->backoff * 2 : BACKOFF_MIN_NS;
	if (c->backoff > BACKOFF_MAX_NS)
		c->backoff = BACKOFF_MAX_NS;
	/* --max: every request is due, so one that broke and never answered since would send one
	   request per reconnect (1 s) for ever; past --drain it stays down and its timer loses
	   what is queued (the timed modes lose requests at their times anyway) */
	if (w->run->opt.mode == FIRE_MAX && now - c->failing_since >= w->run->opt.drain && !c->given_up) {
		c->given_up = true;
		w->s.given_up++;
	}
	c->timer = mb_evloop_timer(w->loop, c->given_up ? now : now + c->backoff, reconnect_timer, c, &w->err);
}

void fire_conn_abandon(struct fire_worker *w, struct fire_conn *c, uint64_t now)
{
	conn_drop_sent(w, c, now, &w->s.cancelled);
	if (c->timer)
		mb_evloop_timer_cancel(w->loop, c->timer);
	c->timer = 0;
	conn_close(w, c);
	fire_conn_free_buffers(w, c);
}

bool fire_conn_connect(struct fire_worker *w, struct fire_conn *c)
{
	int inprog;
	c->fd = open_socket(&w->run->opt.targets[c->target], c->udp, &inprog);
	if (c->fd < 0) {
		w->s.connect_fail++;
		conn_fail(w, c, false);
		return false;
	}
	w->s.connects++;
	if (w->armed && !c->udp)
		mb_uring_register_fd(w->ring, c->fd);
	c->state = inprog ? CS_CONNECTING : CS_UP;
	if (!inprog && w->armed && !c->udp) {
		conn_arm(w, c);
		return c->fd >= 0;
	}
	if (mb_evloop_set(w->loop, c->fd, inprog ? MB_EV_READ | MB_EV_WRITE : MB_EV_READ, conn_event, c, &w->err) != MB_OK) {
		w->s.connect_fail++;
		conn_fail(w, c, false);
		return false;
	}
	return true;
}

static void reconnect_timer(struct mb_evloop *l, void *ptr)
{
	(void)l;
	struct fire_conn *c = ptr;
	c->timer = 0;
	if (c->state != CS_DOWN)
		return;
	if (!c->given_up)
		c->state = CS_IDLE;
	if (c->q_send != FIRE_NONE)
		fire_conn_pump(c->w, c);
}

/* Everything buffered went out: the buffer goes back, and so does the wish to write. */
static void conn_sent_all(struct fire_worker *w, struct fire_conn *c)
{
	c->out_off = c->out_len = 0;
	buf_put(w, c->out, c->out_cap);
	c->out = NULL;
	c->out_cap = 0;
	if (!(mb_evloop_mask(w->loop, c->fd) & MB_EV_WRITE))
		return;
	if (w->armed && !c->udp)
		mb_evloop_del(w->loop, c->fd); /* its receive is armed */
	else
		mb_evloop_set(w->loop, c->fd, MB_EV_READ, conn_event, c, &w->err);
}

/* The socket is full: the loop says when it takes more. */
static void conn_want_write(struct fire_worker *w, struct fire_conn *c)
{
	if (!(mb_evloop_mask(w->loop, c->fd) & MB_EV_WRITE))
		mb_evloop_set(w->loop, c->fd, w->armed && !c->udp ? MB_EV_WRITE : MB_EV_READ | MB_EV_WRITE, conn_event, c,
			      &w->err);
}

/* Put c on the list of the worker's next I/O batch. */
static void io_list(struct fire_worker *w, struct fire_conn *c)
{
	if (c->io_listed)
		return;
	if (!list_add(&w->iolist, &w->niolist, &w->capiolist, conn_index(w, c))) {
		conn_fail(w, c, false); /* no memory for the list: as if no buffer */
		return;
	}
	c->io_listed = true;
}

/* Arm the receive of an armed ring's connection that just came up (in the next batch). */
static void conn_arm(struct fire_worker *w, struct fire_conn *c)
{
	c->want_recv = true;
	io_list(w, c);
}

/* Send what is buffered, resuming a partial send (with a ring: in the worker's next batch);
   false when the connection failed. */
static bool conn_flush(struct fire_worker *w, struct fire_conn *c)
{
	if (w->ring && !c->udp && c->out_off < c->out_len) {
		c->want_send = true;
		io_list(w, c);
		return c->fd >= 0;
	}
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
		if (n > 0) {
			c->out_off += c->udp ? c->out_len - c->out_off : (uint32_t)n; /* a datagram goes whole */
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			/* EINTR too: the loop calls again (level-triggered), and sees a stop between */
			conn_want_write(w, c);
			return true;
		}
		conn_fail(w, c, true);
		return false;
	}
	conn_sent_all(w, c);
	return true;
}

/* Room for n more bytes in the output buffer. */
static bool out_room(struct fire_worker *w, struct fire_conn *c, size_t n)
{
	if (!c->out) {
		if (!(c->out = buf_get(w)))
			return false;
		c->out_cap = IO_BUF;
	}
	if (c->out_off && c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (c->out_len + n <= c->out_cap)
		return true;
	if (c->out_off) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
		if (c->out_len + n <= c->out_cap)
			return true;
	}
	size_t cap = c->out_cap ? c->out_cap : IO_BUF;
	while (cap < c->out_len + n)
		cap *= 2;
	uint8_t *p = realloc(c->out, cap);
	if (!p)
		return false;
	c->out = p;
	c->out_cap = (uint32_t)cap;
	return true;
}

/* Put c on the worker's list l (a wait list or the tail list); false without memory. */
static bool list_add(uint32_t **l, uint32_t *n, uint32_t *cap, uint32_t idx)
{
	if (*n == *cap) {
		uint32_t ncap = *cap ? *cap * 2 : 64;
		uint32_t *p = realloc(*l, ncap * sizeof *p);
		if (!p)
			return false;
		*l = p;
		*cap = ncap;
	}
	(*l)[(*n)++] = idx;
	return true;
}

static uint32_t conn_index(const struct fire_worker *w, const struct fire_conn *c)
{
	return (c->pid - (uint32_t)w->id) / w->run->opt.threads;
}

/* Whether the request h may go now (depth, a cas after its gets, back-pressure, order). */
static bool may_send(struct fire_worker *w, struct fire_conn *c, const struct fire_item *h)
{
	const struct fire_run *r = w->run;
	if (r->opt.mode == FIRE_MAX && c->outstanding >= r->opt.depth)
		return false;
	if (c->outstanding && mb_mcreq_compares_cas(h->cmd, &h->sem))
		return false; /* it sends the unique an earlier answer (its gets, a meta c) hands out */
	if (c->udp && (c->outstanding || c->out_len != c->out_off))
		return false; /* one datagram request at a time: replies may come in any order or not at all */
	if (c->out_len - c->out_off >= OUT_HIGH)
		return false;
	if (r->order.on && !fire_order_ready(w, h)) {
		if (!c->in_wait) {
			if (!list_add(&w->waitlist, &w->nwait, &w->capwait, conn_index(w, c)))
				return false;
			c->in_wait = true;
			if (!h->sent_at) {
				w->s.waited++;
				((struct fire_item *)h)->sent_at = mb_mono_ns(); /* wait start, until sent */
			}
		}
		return false;
	}
	return true;
}

/* Append the bytes of a request built by mcreq; false when the connection failed. */
static bool conn_build(struct fire_worker *w, struct fire_conn *c, const struct mb_mcreq *q, enum mb_expect *ex, size_t *len)
{
	uint32_t frame = c->udp ? FIRE_UDP_HDR : 0;
	if (!out_room(w, c, frame + mb_mcreq_size(q))) {
		conn_fail(w, c, false);
		return false;
	}
	*len = mb_mcreq_build(c->out + c->out_len + frame, c->out_cap - c->out_len - frame, q, ex);
	if (frame)
		fire_udp_frame(w, c, c->out + c->out_len);
	c->out_len += frame + (uint32_t)*len;
	return true;
}

/* fire_conn_pump, with now a clock reading to send by (0: read the clock when needed). */
static void pump_at(struct fire_worker *w, struct fire_conn *c, uint64_t now)
{
	struct fire_run *r = w->run;
	if (c->state == CS_CONNECTING || w->stopping)
		return;
	if (c->state == CS_IDLE && c->q_send != FIRE_NONE && c->q_send < w->due) {
		if (!fire_conn_connect(w, c) || c->state != CS_UP)
			return;
		now = 0; /* connecting took its time */
	}
	struct mb_mcreq_key keys[MB_MCREQ_BATCH_MAX];
	bool wrote = false;
again:
	while (c->q_send != FIRE_NONE && c->q_send < w->due) {
		/* full: leave the head alone. The worker pumps the connection of every request it
		   links, and loading a head that cannot go was a cache miss most of the time */
		if (r->opt.mode == FIRE_MAX && c->outstanding >= r->opt.depth && c->state != CS_DOWN)
			break;
		uint64_t seq = c->q_send;
		struct fire_item *h = &w->items[seq & (FIRE_RING - 1)];
		if (!now)
			now = mb_mono_ns();
		uint64_t after = w->items[(seq + h->nkeys - 1) & (FIRE_RING - 1)].next;
		if (c->state == CS_DOWN) {
			/* --max has no times: what is queued waits for the reconnect, unless the
			   connection was given up */
			if (r->opt.mode == FIRE_MAX && !c->given_up)
				break;
			/* no connection at its time: the request is lost */
			c->q_send = after;
			h->state = IT_QUEUED;
			w->s.lost += h->nkeys;
			c->sent_seq = w->items[(seq + h->nkeys - 1) & (FIRE_RING - 1)].seq;
			fire_finish(w, c, seq, MB_ST_UNANSWERED, 0, now);
			conn_confirm(w, c, c->sent_seq, c->quiet_sent);
			continue;
		}
		if (!may_send(w, c, h))
			break;
		uint64_t wait_start = h->sent_at;
		if (wait_start) /* it waited for its order */
			w->s.wait_ns += now - wait_start;
		if (h->ttl_rec_ns)
			fire_ttl_place(r, w, h, c->target, now);
		struct mb_mcreq q = { .proto = h->proto, .cmd = h->cmd, .quiet = h->quiet, .ttl = h->ttl,
				      .value_len = h->value_len, .nkeys = h->nkeys, .keys = keys, .cas = cas_for(w, h),
				      .sem = &h->sem };
		for (unsigned i = 0; i < h->nkeys; i++) {
			const struct fire_item *m = &w->items[(seq + i) & (FIRE_RING - 1)];
			keys[i].hash = m->key_hash;
			keys[i].len = m->key_len;
		}
		if (!mb_cmd_has_key(h->cmd))
			q.nkeys = 0;
		enum mb_expect ex;
		size_t len;
		if (!conn_build(w, c, &q, &ex, &len))
			return;
		h->expect = (uint8_t)ex;
		h->sent_at = now;
		h->quiet_before = (uint32_t)c->quiet_sent;
		if (!w->s.first_send)
			w->s.first_send = now;
		if (r->opt.mode != FIRE_MAX) {
			uint64_t intended = r->start_ns + h->t;
			uint64_t late = now > intended ? now - intended : 0;
			mb_hist_record(&w->s.late, late);
			mb_hist_record(&w->ival_late, late);
			/* the sender's own: from when it was due and free to go (not behind a request of
			   its connection that waited for its order) until it was sent or began to wait */
			uint64_t free_at = c->order_sent > intended ? c->order_sent : intended;
			uint64_t until = wait_start ? wait_start : now;
			mb_hist_record(&w->s.late_own, until > free_at ? until - free_at : 0);
			if (wait_start)
				c->order_sent = now;
		}
		w->s.requests++;
		c->q_send = after;
		/* the connection's next request is needed when this one's answer comes, and a
		   read's answer counts in its key slot: fetch both meanwhile */
		if (after != FIRE_NONE)
			fire_item_prefetch(&w->items[after & (FIRE_RING - 1)]);
		if (h->slot != FIRE_NOCONN && !h->is_write)
			__builtin_prefetch(&r->order.reads_done[h->slot], 1);
		for (unsigned i = 0; i < h->nkeys; i++)
			w->items[(seq + i) & (FIRE_RING - 1)].state = IT_SENT;
		c->sent_seq = w->items[(seq + h->nkeys - 1) & (FIRE_RING - 1)].seq;
		wrote = true;
		c->last_active = now;
		if (ex == MB_EXP_NONE) {
			/* processed once a later answer (or a barrier's) comes back on this connection */
			c->quiet_sent += h->nkeys;
			if (!c->in_tail && list_add(&w->taillist, &w->ntail, &w->captail, conn_index(w, c)))
				c->in_tail = true;
			fire_finish(w, c, seq, MB_ST_NONE, 0, now);
		} else {
			c->outstanding++;
		}
	}
	if (wrote) {
		w->last_progress = now;
		wrote = false;
		/* the socket took everything: go on with what back-pressure held back */
		if (c->state == CS_UP && conn_flush(w, c) && c->out_len == c->out_off && c->state == CS_UP)
			goto again;
	}
}

void fire_conn_pump(struct fire_worker *w, struct fire_conn *c)
{
	pump_at(w, c, 0);
}

void fire_conn_barrier(struct fire_worker *w, struct fire_conn *c)
{
	if (c->state != CS_UP || c->barrier || c->outstanding || c->quiet_sent == c->quiet_confirmed || c->udp)
		return;
	uint64_t hs = c->q_tail;
	uint8_t proto = hs != FIRE_NONE ? w->items[hs & (FIRE_RING - 1)].proto : c->bar_proto;
	struct mb_mcreq q = { .proto = proto ? proto : MB_PROTO_TEXT, .cmd = MB_CMD_NOOP };
	enum mb_expect ex;
	size_t len;
	if (!conn_build(w, c, &q, &ex, &len))
		return;
	c->barrier = true;
	c->bar_proto = q.proto;
	c->bar_seq = c->sent_seq;
	c->bar_quiet = c->quiet_sent;
	w->s.barriers++;
	conn_flush(w, c);
}

/* The answer to a barrier: everything sent before it was processed. */
static bool barrier_unit(struct fire_worker *w, struct fire_conn *c, const struct mb_mcresp *u)
{
	if (u->kind != MB_RK_MN && !(u->kind == MB_RK_BINARY && u->opcode == 0x0a))
		return false;
	c->barrier = false;
	conn_confirm(w, c, c->bar_seq, c->bar_quiet);
	return true;
}

/* One response unit for the request at the connection's head. */
static bool conn_unit(struct fire_worker *w, struct fire_conn *c, const struct mb_mcresp *u, uint64_t now)
{
	if (c->barrier) /* sent when nothing else was out: its answer comes first */
		return barrier_unit(w, c, u);
	uint64_t seq = c->q_head;
	while (seq != FIRE_NONE && w->items[seq & (FIRE_RING - 1)].state == IT_DONE)
		seq = w->items[seq & (FIRE_RING - 1)].next;
	if (seq == FIRE_NONE || w->items[seq & (FIRE_RING - 1)].state != IT_SENT)
		return false; /* an answer nobody asked for */
	c->q_head = seq;
	struct fire_item *h = &w->items[seq & (FIRE_RING - 1)];
	unsigned st = mb_mcresp_status(h->cmd, u);
	/* every answer that carries a unique teaches it: text gets/gats, meta c, binary headers */
	if (u->cas && h->nkeys == 1 && atomic_load_explicit(&w->run->cas_seen, memory_order_relaxed))
		fire_cas_put(&w->run->cas, h->key_hash, u->cas);
	bool err = u->kind == MB_RK_ERROR || u->kind == MB_RK_CLIENT_ERROR || u->kind == MB_RK_SERVER_ERROR;
	switch (h->expect) {
	case MB_EXP_TEXT_VALUES:
		if (u->kind == MB_RK_VALUE) {
			c->r_hits++;
			return true;
		}
		if (u->kind != MB_RK_END && !err)
			return false;
		if (h->nkeys == 1 && !err)
			st = c->r_hits ? MB_ST_HIT : MB_ST_MISS;
		break;
	case MB_EXP_TEXT_STATS:
		if (u->kind == MB_RK_STAT)
			return true;
		if (u->kind != MB_RK_END && !err)
			return false;
		st = err ? st : MB_ST_OK;
		break;
	case MB_EXP_META_UNTIL_MN:
	case MB_EXP_BIN_UNTIL_NOOP:
		if (u->kind == MB_RK_MN || (u->kind == MB_RK_BINARY && u->opcode == 0x0a)) {
			unsigned ok = mb_mcresp_status(h->cmd, &(struct mb_mcresp){ .kind = MB_RK_HD });
			if (c->r_status && h->nkeys == 1)
				st = c->r_status;
			else if (mb_cmd_is_read(h->cmd))
				st = c->r_hits ? MB_ST_HIT : MB_ST_MISS;
			else /* quiet success stays silent */
				st = ok;
			break;
		}
		if (st == MB_ST_HIT || st == MB_ST_STORED || st == MB_ST_DELETED || st == MB_ST_TOUCHED || st == MB_ST_OK)
			c->r_hits++;
		else
			c->r_status = (uint8_t)st;
		return true;
	case MB_EXP_BIN_STATS:
		if (u->kind != MB_RK_BINARY)
			return false;
		if (u->status == 0 && (u->key_len != 0 || u->value_len != 0))
			return true;
		break;
	case MB_EXP_BIN_ONE:
		if (u->kind != MB_RK_BINARY)
			return false;
		break;
	default: /* one line / one meta response */
		if (u->kind == MB_RK_BINARY)
			return false;
		break;
	}
	uint32_t last = w->items[(seq + h->nkeys - 1) & (FIRE_RING - 1)].seq;
	uint64_t quiet_before = h->quiet_before;
	fire_finish(w, c, seq, st, c->r_hits, now);
	conn_confirm(w, c, last, quiet_before);
	c->r_hits = 0;
	c->r_status = 0;
	c->backoff = 0;
	return true;
}

/* Whether the next response unit on c is binary. */
static int next_binary(const struct fire_worker *w, const struct fire_conn *c)
{
	if (c->barrier)
		return c->bar_proto == MB_PROTO_BINARY;
	uint64_t hs = c->q_head;
	while (hs != FIRE_NONE && w->items[hs & (FIRE_RING - 1)].state == IT_DONE)
		hs = w->items[hs & (FIRE_RING - 1)].next;
	return hs != FIRE_NONE && w->items[hs & (FIRE_RING - 1)].proto == MB_PROTO_BINARY;
}

bool fire_conn_parse(struct fire_worker *w, struct fire_conn *c, uint64_t now)
{
	c->last_active = now;
	uint32_t off = 0;
	while (off < c->in_len) {
		if (c->skip) {
			uint32_t k = c->in_len - off < c->skip ? c->in_len - off : c->skip;
			off += k;
			c->skip -= k;
			continue;
		}
		struct mb_mcresp u;
		int rc = mb_mcresp_parse(next_binary(w, c), c->in + off, c->in_len - off, &u);
		if (rc == MB_MCRESP_MORE)
			break;
		if (rc == MB_MCRESP_BAD || !conn_unit(w, c, &u, now)) {
			w->s.desync++;
			conn_fail(w, c, true);
			return false;
		}
		w->last_progress = now;
		off += u.hdr_len;
		c->skip = u.value_len + u.trailer_len;
	}
	if (off) {
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
	}
	return true;
}

bool fire_conn_in_room(struct fire_worker *w, struct fire_conn *c)
{
	if (!c->in && !(c->in = buf_get(w))) {
		conn_fail(w, c, false);
		return false;
	}
	return true;
}

void fire_conn_idle_in(struct fire_worker *w, struct fire_conn *c)
{
	if (c->in && c->in_len == 0) {
		buf_put(w, c->in, IO_BUF);
		c->in = NULL;
	}
}

void fire_conn_lose(struct fire_worker *w, struct fire_conn *c)
{
	conn_drop_sent(w, c, mb_mono_ns(), &w->s.lost);
	c->outstanding = 0;
	c->skip = c->r_hits = 0;
	c->r_status = 0;
	c->in_len = 0;
}

/* Take n bytes just received into c->in: parse them. False when the connection failed. */
static bool conn_got(struct fire_worker *w, struct fire_conn *c, uint32_t n, uint64_t *now)
{
	c->in_len += n;
	*now = mb_mono_ns();
	return fire_conn_parse(w, c, *now);
}

/* After the answers read: the input buffer back if empty, and the requests they free go. */
static void conn_read_done(struct fire_worker *w, struct fire_conn *c, uint64_t now)
{
	fire_conn_idle_in(w, c);
	/* --max: the requests these answers free are meant to go at their arrival (a closed
	   loop), so that clock reading is their send time too; one reading per answer */
	pump_at(w, c, w->run->opt.mode == FIRE_MAX ? now : 0);
}

/* Read and parse what the server sent. */
static void conn_read(struct fire_worker *w, struct fire_conn *c)
{
	if (!fire_conn_in_room(w, c))
		return;
	uint64_t now = 0;
	for (;;) {
		ssize_t n = recv(c->fd, c->in + c->in_len, IO_BUF - c->in_len, 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
			conn_fail(w, c, true);
			return;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (!conn_got(w, c, (uint32_t)n, &now))
			return;
		if (c->in_len < IO_BUF / 2)
			break;
	}
	conn_read_done(w, c, now);
}

/* Batch tags: the connection's socket generation (30 bits), its index, and send (1) or
   receive (0); LOOP_TAG, above them all, is the event loop's armed poll. */
#define LOOP_TAG (1ull << 62)
static uint64_t io_tag(const struct fire_conn *c, uint32_t idx, bool send)
{
	return (uint64_t)(c->io_gen & 0x3fffffffu) << 32 | (uint64_t)idx << 1 | send;
}

/* Bytes an armed receive brought: into the input buffer and parsed, a buffer's room at a
   time; false when the connection failed. */
static bool conn_got_armed(struct fire_worker *w, struct fire_conn *c, const uint8_t *data, uint32_t n)
{
	uint64_t now = 0;
	while (n) {
		if (!fire_conn_in_room(w, c))
			return false;
		uint32_t k = IO_BUF - c->in_len < n ? IO_BUF - c->in_len : n;
		if (!k) { /* an answer's line longer than the buffer: as a read that found no room */
			conn_fail(w, c, true);
			return false;
		}
		memcpy(c->in + c->in_len, data, k);
		data += k;
		n -= k;
		if (!conn_got(w, c, k, &now))
			return false;
	}
	conn_read_done(w, c, now);
	return true;
}

/* One finished operation of a batch, or an armed receive's bytes: the same outcomes as
   conn_flush's and conn_read's calls. */
static void io_done(void *ctx, const struct mb_uring_done_info *d)
{
	struct fire_worker *w = ctx;
	if (d->tag == LOOP_TAG) {
		w->loop_ready = true; /* the event loop has events: fire_conn_io_wait runs them */
		w->loop_unarmed |= !d->armed; /* ... and arms the poll again */
		return;
	}
	struct fire_conn *c = fire_conn_at(w, (uint32_t)d->tag >> 1);
	if ((c->io_gen & 0x3fffffffu) != (uint32_t)(d->tag >> 32) || c->fd < 0)
		return; /* its socket closed meanwhile: what it moved counts no more */
	int res = d->res;
	bool again = res == -EAGAIN || res == -EWOULDBLOCK || res == -EINTR;
	if (d->tag & 1) {
		if (res > 0) {
			c->out_off += (uint32_t)res;
			if (c->out_off < c->out_len)
				conn_want_write(w, c); /* a part: the socket is full (or more came meanwhile) */
			else {
				conn_sent_all(w, c);
				fire_conn_pump(w, c);
			}
		} else if (again || res == 0)
			conn_want_write(w, c);
		else
			conn_fail(w, c, true);
		return;
	}
	if (d->data) {
		w->io_events++;
		if (!conn_got_armed(w, c, d->data, (uint32_t)res))
			return;
		if (!d->armed)
			conn_arm(w, c); /* the kernel ended it (its queue or buffers ran short) */
		return;
	}
	uint64_t now = 0;
	if (w->armed && res == -ENOBUFS)
		conn_arm(w, c); /* the ring's buffers ran short: the bytes wait in the socket */
	else if (w->armed)
		conn_fail(w, c, true); /* the end of input, or an error */
	else if (res > 0) {
		if (conn_got(w, c, (uint32_t)res, &now))
			conn_read_done(w, c, now);
	} else if (again)
		fire_conn_idle_in(w, c);
	else
		conn_fail(w, c, true);
}

bool fire_conn_io_run(struct fire_worker *w, bool submit)
{
	while (w->niolist) {
		uint32_t n = w->niolist, k = 0;
		for (uint32_t i = 0; i < n; i++) {
			uint32_t idx = w->iolist[i];
			struct fire_conn *c = fire_conn_at(w, idx);
			if (c->fd < 0 || c->state != CS_UP)
				c->want_recv = c->want_send = false;
			if (c->want_recv && (w->armed ? mb_uring_recv_armed(w->ring, c->fd, io_tag(c, idx, false)) :
					     fire_conn_in_room(w, c) && mb_uring_recv(w->ring, c->fd, c->in + c->in_len,
										      IO_BUF - c->in_len, io_tag(c, idx, false))))
				c->want_recv = false;
			if (c->want_send && (c->fd < 0 || c->out_off == c->out_len ||
					     mb_uring_send(w->ring, c->fd, c->out + c->out_off, c->out_len - c->out_off, io_tag(c, idx, true))))
				c->want_send = false;
			if (c->fd >= 0 && (c->want_recv || c->want_send))
				w->iolist[k++] = idx; /* the batch is full: in the next one */
			else
				c->io_listed = c->want_recv = c->want_send = false;
		}
		w->niolist = k;
		if (!submit && !k)
			break; /* all queued: fire_conn_io_wait submits them */
		if (mb_uring_run(w->ring, io_done, w, &w->err) != 0)
			return false;
	}
	return true;
}

int fire_conn_io_wait(struct fire_worker *w, uint64_t timeout, uint64_t yield_at)
{
	if (w->loop_unarmed && mb_uring_poll_armed(w->ring, mb_evloop_fd(w->loop), LOOP_TAG))
		w->loop_unarmed = false;
	if (w->loop_ready || w->loop_unarmed)
		timeout = 0;
	uint64_t next = mb_evloop_next_timer(w->loop);
	if (next != UINT64_MAX) { /* a timer may fall due first */
		uint64_t now = mb_mono_ns(), left = next > now ? next - now : 0;
		if (left < timeout)
			timeout = left;
	}
	w->io_events = 0;
	if (!fire_conn_io_run(w, false) || mb_uring_wait(w->ring, timeout, yield_at, io_done, w, &w->err) < 0)
		return -1;
	int n = (int)w->io_events;
	next = mb_evloop_next_timer(w->loop);
	if (w->loop_ready || w->loop_unarmed || (next != UINT64_MAX && next <= mb_mono_ns())) {
		int m = mb_evloop_run_once(w->loop, 0, &w->err);
		if (m < 0)
			return -1;
		w->loop_ready = m > 0; /* level-triggered: look again until it finds nothing */
		n += m;
	}
	return n;
}

static void conn_event(struct mb_evloop *l, int fd, void *ptr, unsigned mask)
{
	(void)l;
	(void)fd;
	struct fire_conn *c = ptr;
	struct fire_worker *w = c->w;
	if (c->state == CS_CONNECTING) {
		int e = 0;
		socklen_t el = sizeof e;
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &el);
		if (e) {
			w->s.connect_fail++;
			conn_fail(w, c, false);
			return;
		}
		c->state = CS_UP;
		if (w->armed && !c->udp) {
			mb_evloop_del(w->loop, c->fd);
			conn_arm(w, c);
		} else
			mb_evloop_set(w->loop, c->fd, MB_EV_READ, conn_event, c, &w->err);
		fire_conn_pump(w, c);
		return;
	}
	if (mask & MB_EV_WRITE) {
		if (!conn_flush(w, c))
			return;
		fire_conn_pump(w, c);
	}
	if ((mask & MB_EV_READ) && c->fd >= 0 && !(w->armed && !c->udp)) {
		if (c->udp)
			fire_udp_read(w, c);
		else if (w->ring) {
			c->want_recv = true; /* in the batch after this round of events */
			io_list(w, c);
		} else
			conn_read(w, c);
	}
}
