/* mb-fire - replay an event stream or profile against memcached servers, measuring latency and lateness. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <linux/futex.h>
#include <unistd.h>

#include "chash.h"
#include "evloop.h"
#include "hist.h"
#include "mbtime.h"
#include "mcreq.h"
#include "mcresp.h"
#include "opt.h"
#include "prog.h"
#include "stream.h"

static const char usage[] =
	"usage: mb-fire -t TARGET[,TARGET...] [OPTIONS] [FILE]\n"
	"Replay an event stream or profile (FILE or standard input) against memcached.\n"
	"\n"
	"  -t, --target LIST    host:port, [v6addr]:port or /unix/socket; several are spread by\n"
	"                       consistent hashing on the key\n"
	"  -c, --conns N        remap the recorded connections onto N connections (default: as recorded)\n"
	"  -T, --threads N      worker threads (default: cores with --max, half the cores otherwise)\n"
	"  -P, --proto P        send text, meta or binary instead of the recorded protocol\n"
	"  -s, --speed FACTOR   recorded timing, FACTOR times as fast (default 1)\n"
	"      --rate OPS       open loop at OPS requests/s instead of the recorded times\n"
	"      --poisson        with --rate: exponential gaps instead of uniform ones\n"
	"      --max            closed loop, as fast as the server answers\n"
	"      --depth N        with --max: outstanding requests per connection (default 1)\n"
	"      --loop N|inf     replay the input N times (default 1)\n"
	"  -d, --duration TIME  stop after TIME (e.g. 10s)\n"
	"      --causal         a read waits until earlier writes of its key were answered\n"
	"      --no-priority    timed modes: leave the workers at the inherited nice value\n"
	"      --warm           first store every key the input reads before writing it\n"
	"      --drain TIME     after the last request, wait this long for answers (default 5s)\n"
	"      --json FILE      also write the report as JSON (with histogram buckets)\n"
	"  -q, --quiet          no progress line on stderr\n"
	"  -h, --help           this help\n"
	"      --version        print the version\n"
	"\n"
	"The report goes to standard output. Exit: 0 ok, 1 bad input or unreachable target, 2 usage.\n"
	"Manual: doc/mb-fire.md.\n";

#define RING_BITS 16
#define RING (1u << RING_BITS)
#define NONE UINT64_MAX
#define OUT_HIGH (64u * 1024)       /* stop queueing requests on a connection past this much unsent */
#define IN_BUF (16u * 1024)
#define OUT_BUF IN_BUF
#define BUF_CACHE 64               /* idle I/O buffers a worker keeps for reuse */
#define CAUSAL_SLOTS (1u << 20)
#define SPIN_MAX_NS 250000ull       /* polling margin before a deadline: at most (and at start) */
#define SPIN_MIN_NS 5000ull         /* ... and at least */
#define SPIN_PAD_NS 5000ull         /* margin above the latest wake-up overshoot seen */
#define SPIN_WINDOW_NS 100000000ull /* overshoot is tracked per window of this length */
#define BACKOFF_MIN_NS 10000000ull
#define BACKOFF_MAX_NS 1000000000ull
#define IDLE_FREE_NS 1000000000ull  /* connection buffers are freed after this long idle */
#define CAS_TAB_MAX (1u << 22)      /* cas uniques remembered per worker (64 MiB) at most */
#define HIST_LO 1000ull
#define HIST_HI 60000000000ull

enum mode { MODE_RECORDED, MODE_RATE, MODE_MAX };
enum item_state { IT_QUEUED = 1, IT_SENT, IT_DONE };
enum conn_state { CS_IDLE = 0, CS_CONNECTING, CS_UP, CS_DOWN };

/* One request (or one member of a multi-key request), in a worker's ring. */
struct item {
	uint64_t t;          /* intended send time, ns after the start (0 in closed loop) */
	uint64_t key_hash;
	uint64_t next;       /* next item of the same connection, or NONE */
	uint64_t sent_at;    /* CLOCK_MONOTONIC at sending (head items) */
	uint32_t conn;       /* index in the worker's connection table */
	uint32_t value_len;
	uint32_t cneed;      /* --causal read: writes of its slot that must be answered first */
	uint32_t cslot;      /* --causal slot, or UINT32_MAX */
	int32_t ttl;
	uint16_t key_len;
	uint16_t nkeys;      /* head of a request: members that follow (1 = single key); 0 = member */
	uint8_t cmd, proto, rec_status, quiet;
	uint8_t is_write;
	uint8_t expect;      /* enum mb_expect, set when sent */
	uint8_t state;       /* enum item_state; the ring's head/tail carry the ordering */
	struct mb_sem sem;   /* recorded request semantics, replayed by mb_mcreq_build */
};

struct target {
	char name[256];
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int family;
};

/* A connection; buffers exist only while it is busy. */
struct conn {
	int fd;
	uint8_t state;
	uint8_t target;
	bool in_wait;        /* on the worker's causal wait list */
	uint8_t wid;         /* owning worker */
	uint32_t outstanding;
	uint64_t q_head, q_send, q_tail;
	uint8_t *out;
	uint32_t out_len, out_off, out_cap;
	uint8_t *in;
	uint32_t in_len;
	uint32_t skip;       /* value bytes of the current unit still to skip */
	uint32_t r_hits;     /* values/successes seen for the request at q_head */
	uint8_t r_status;    /* last non-success status seen for it */
	uint64_t backoff;
	uint64_t last_active;
};

struct cmd_stats {
	uint64_t st[MB_ST_COUNT];
	struct mb_hist *lat_int, *lat_act;
};

struct stats {
	struct cmd_stats cmd[MB_CMD_COUNT];
	struct mb_hist late;
	uint64_t ops, requests, errors, lost, cancelled;
	uint64_t rec_hits, rec_reads, rep_hits, rep_reads;
	uint64_t connects, connect_fail, resets, desync;
	uint64_t first_send, last_done;
};

struct worker {
	int id;
	pthread_t th;
	struct item *items;
	_Atomic uint64_t head;     /* published by the reader */
	_Atomic uint64_t tail;     /* freed by the worker */
	_Atomic uint64_t room_want; /* reader asleep until tail reaches this (0: not waiting) */
	_Atomic uint32_t room_seq; /* futex word: bumped when the worker wakes the reader */
	_Atomic int sleeping;
	int efd;
	uint64_t linked, due;
	struct conn *conns;
	uint32_t nconns, capconns;
	uint32_t *waitlist;
	uint32_t nwait, capwait;
	struct mb_evloop *loop;
	struct stats s;
	struct mb_hist ival_lat, ival_late; /* since the last progress hand-over */
	pthread_mutex_t mu;
	struct mb_hist shared_lat, shared_late;
	_Atomic uint64_t p_ops, p_err;
	uint64_t next_handover, next_sweep;
	uint64_t last_progress;    /* last send or answer: --drain counts from here */
	uint8_t *bufs[BUF_CACHE];  /* I/O buffers not lent to a connection */
	unsigned nbufs;
	uint64_t spin_ns;          /* wake this long before a deadline and poll the rest */
	uint64_t wake_late, wake_late_prev; /* largest wake-up overshoot of this and the last window */
	uint64_t wake_window_end;
	uint64_t *cas_key, *cas_val; /* key hash -> cas unique last answered (open addressing) */
	uint32_t cas_cap, cas_n;
	struct mb_err err;
	int failed;
};

/* Options and shared state. */
static struct {
	struct target targets[64];
	unsigned ntargets;
	struct mb_chash ring;
	uint64_t conns_n;
	unsigned threads;
	int proto;
	double speed;
	double rate;
	bool poisson;
	enum mode mode;
	unsigned depth;
	uint64_t loops; /* 0 = forever */
	uint64_t duration;
	bool causal, warm, quiet;
	bool no_priority;
	uint64_t drain;
	const char *json;
	const char *input;
} opt = { .threads = 0, .speed = 1.0, .mode = MODE_RECORDED, .depth = 1, .loops = 1, .drain = 5000000000ull };

static struct worker *workers;
static uint64_t start_ns;           /* written once before g_started is set */
static _Atomic int g_started;
static uint64_t published_total;
#define PREFILL 8192                /* requests queued before the clock starts */
static _Atomic int g_stop;          /* workers stop now */
static _Atomic int g_reader_done;   /* no more items will be published */
static _Atomic int g_cas_seen;      /* the reader met a cas: workers remember uniques */
static _Atomic unsigned g_boosted;  /* workers that raised their priority */
static _Atomic int g_boost_errno;   /* why a worker could not */
static const char *boost_off;       /* why the workers do not even try */
#define WORKER_NICE (-20)           /* timed-mode workers: preempted by nothing of normal priority */
static _Atomic uint32_t *c_issued, *c_done;
static uint64_t in_events, in_skipped;
static volatile sig_atomic_t duration_hit;
static pthread_t main_thread;

/* ---------------------------------------------------------------- targets */

/* Parse one target: /path (unix), [v6]:port or host:port. */
static int parse_target(const char *s, struct target *t, struct mb_err *err)
{
	snprintf(t->name, sizeof t->name, "%s", s);
	if (s[0] == '/') {
		struct sockaddr_un *un = (struct sockaddr_un *)&t->addr;
		if (strlen(s) >= sizeof un->sun_path)
			return mb_err_set(err, MB_ERR, "unix socket path too long: '%s'", s);
		un->sun_family = AF_UNIX;
		strcpy(un->sun_path, s);
		t->addrlen = sizeof *un;
		t->family = AF_UNIX;
		return MB_OK;
	}
	char host[256];
	const char *port;
	if (s[0] == '[') {
		const char *e = strchr(s, ']');
		if (!e || e[1] != ':' || (size_t)(e - s - 1) >= sizeof host)
			return mb_err_set(err, MB_ERR, "bad target, want [addr]:port: '%s'", s);
		memcpy(host, s + 1, (size_t)(e - s - 1));
		host[e - s - 1] = 0;
		port = e + 2;
	} else {
		const char *c = strrchr(s, ':');
		if (!c || (size_t)(c - s) >= sizeof host)
			return mb_err_set(err, MB_ERR, "bad target, want host:port or /path: '%s'", s);
		memcpy(host, s, (size_t)(c - s));
		host[c - s] = 0;
		port = c + 1;
	}
	uint64_t p;
	if (mb_opt_u64(port, 1, 65535, false, &p, err) != MB_OK)
		return mb_err_set(err, MB_ERR, "bad port in target: '%s'", s);
	struct addrinfo hints = { 0 }, *res;
	hints.ai_socktype = SOCK_STREAM;
	int rc = getaddrinfo(host, port, &hints, &res);
	if (rc)
		return mb_err_set(err, MB_ERR, "cannot resolve target: %s: '%s'", gai_strerror(rc), s);
	memcpy(&t->addr, res->ai_addr, res->ai_addrlen);
	t->addrlen = res->ai_addrlen;
	t->family = res->ai_family;
	freeaddrinfo(res);
	return MB_OK;
}

/* A non-blocking stream socket towards t, connect started; -1 with errno. */
static int open_socket(const struct target *t, int *in_progress)
{
	int fd = socket(t->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (t->family != AF_UNIX) {
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

/* Blocking connect with a timeout: the target check at start and --warm. -1 with err. */
static int connect_blocking(const struct target *t, struct mb_err *err)
{
	int inprog;
	int fd = open_socket(t, &inprog);
	if (fd >= 0 && inprog) {
		fd_set w;
		FD_ZERO(&w);
		FD_SET(fd, &w);
		struct timeval tv = { 3, 0 };
		int e = 0;
		socklen_t el = sizeof e;
		if (select(fd + 1, NULL, &w, NULL, &tv) <= 0) {
			e = ETIMEDOUT;
		} else {
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el);
		}
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

/* ---------------------------------------------------------------- statistics */

static int cmd_hists(struct cmd_stats *cs)
{
	if (cs->lat_int)
		return 0;
	cs->lat_int = malloc(sizeof *cs->lat_int);
	cs->lat_act = malloc(sizeof *cs->lat_act);
	if (!cs->lat_int || !cs->lat_act || mb_hist_init(cs->lat_int, HIST_LO, HIST_HI, 3) != MB_OK ||
	    mb_hist_init(cs->lat_act, HIST_LO, HIST_HI, 3) != MB_OK) {
		mb_msg("out of memory for histograms");
		exit(MB_EXIT_DATA);
	}
	return 0;
}

static bool status_is_error(unsigned st)
{
	return st == MB_ST_ERROR || st == MB_ST_CLIENT_ERROR || st == MB_ST_SERVER_ERROR || st == MB_ST_UNANSWERED;
}

/* Count one finished key operation. */
static void count_op(struct worker *w, const struct item *it, unsigned st)
{
	struct stats *s = &w->s;
	s->cmd[it->cmd].st[st]++;
	s->ops++;
	if (status_is_error(st))
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

/* ---------------------------------------------------------------- cas uniques */

/* Home slot of a key hash in a table of cap (a power of two) slots. */
static uint32_t cas_slot(uint64_t key, uint32_t cap)
{
	return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
}

/* Remember cas, the unique the server last answered for key, for the key's next cas.
   The table doubles at half load up to CAS_TAB_MAX slots; past that it starts over, so
   the memory stays bounded and only long-unused uniques are lost. */
static void cas_put(struct worker *w, uint64_t key, uint64_t cas)
{
	if (w->cas_n >= w->cas_cap / 2) {
		uint32_t ncap = w->cas_cap ? w->cas_cap * 2 : 1024;
		if (ncap > CAS_TAB_MAX)
			ncap = CAS_TAB_MAX;
		uint64_t *nk = calloc(ncap, sizeof *nk), *nv = calloc(ncap, sizeof *nv);
		if (!nk || !nv) {
			free(nk);
			free(nv);
			return; /* no room: the cas goes out with unique 1 */
		}
		uint32_t n = 0;
		for (uint32_t i = 0; ncap > w->cas_cap && i < w->cas_cap; i++) {
			if (!w->cas_val[i])
				continue;
			uint32_t j = cas_slot(w->cas_key[i], ncap);
			while (nv[j])
				j = (j + 1) & (ncap - 1);
			nk[j] = w->cas_key[i];
			nv[j] = w->cas_val[i];
			n++;
		}
		free(w->cas_key);
		free(w->cas_val);
		w->cas_key = nk;
		w->cas_val = nv;
		w->cas_cap = ncap;
		w->cas_n = n;
	}
	uint32_t j = cas_slot(key, w->cas_cap);
	while (w->cas_val[j] && w->cas_key[j] != key)
		j = (j + 1) & (w->cas_cap - 1);
	if (!w->cas_val[j])
		w->cas_n++;
	w->cas_key[j] = key;
	w->cas_val[j] = cas;
}

/* The unique last answered for key; 0 when none is known. */
static uint64_t cas_get(const struct worker *w, uint64_t key)
{
	if (!w->cas_n)
		return 0;
	for (uint32_t j = cas_slot(key, w->cas_cap); w->cas_val[j]; j = (j + 1) & (w->cas_cap - 1))
		if (w->cas_key[j] == key)
			return w->cas_val[j];
	return 0;
}

/* ---------------------------------------------------------------- connections */

static void conn_event(struct mb_evloop *l, int fd, void *ptr, unsigned mask);
static void conn_pump(struct worker *w, struct conn *c);

static struct conn *conn_at(struct worker *w, uint32_t i)
{
	return &w->conns[i];
}

/* The write side of --causal: one more write of the slot answered (or given up). */
static void causal_done(const struct item *it)
{
	if (c_done && it->is_write && it->cslot != UINT32_MAX)
		atomic_fetch_add_explicit(&c_done[it->cslot], 1, memory_order_release);
}

/* Mark a request and its members done and counted with status st (members of a
   multi-key read: `hits` of them hit, the others missed). */
static void finish(struct worker *w, struct conn *c, uint64_t seq, unsigned st, unsigned hits, uint64_t now)
{
	struct item *h = &w->items[seq & (RING - 1)];
	unsigned n = h->nkeys;
	bool read_batch = n > 1 && mb_cmd_is_read(h->cmd) && !status_is_error(st);
	for (unsigned i = 0; i < n; i++) {
		struct item *m = &w->items[(seq + i) & (RING - 1)];
		unsigned mst = st;
		if (read_batch)
			mst = i < hits ? MB_ST_HIT : MB_ST_MISS;
		count_op(w, m, mst);
		causal_done(m);
	}
	if (h->state == IT_SENT && st != MB_ST_UNANSWERED && h->expect != MB_EXP_NONE) {
		struct cmd_stats *cs = &w->s.cmd[h->cmd];
		cmd_hists(cs);
		uint64_t intended = opt.mode == MODE_MAX ? h->sent_at : start_ns + h->t;
		mb_hist_record(cs->lat_int, now > intended ? now - intended : 0);
		mb_hist_record(cs->lat_act, now > h->sent_at ? now - h->sent_at : 0);
		mb_hist_record(&w->ival_lat, now > intended ? now - intended : 0);
	}
	if (h->state == IT_SENT && h->expect != MB_EXP_NONE && c->outstanding)
		c->outstanding--;
	for (unsigned i = 0; i < n; i++)
		w->items[(seq + i) & (RING - 1)].state = IT_DONE;
	if (now > w->s.last_done)
		w->s.last_done = now;
	w->last_progress = now;
	/* advance the connection's head over finished items */
	while (c->q_head != NONE && w->items[c->q_head & (RING - 1)].state == IT_DONE)
		c->q_head = w->items[c->q_head & (RING - 1)].next;
	if (c->q_head == NONE)
		c->q_tail = c->q_send = NONE;
	atomic_store_explicit(&w->p_ops, w->s.ops, memory_order_relaxed);
	atomic_store_explicit(&w->p_err, w->s.errors, memory_order_relaxed);
}

/* Connections borrow I/O buffers only while bytes are in flight: an idle connection holds none. */
static uint8_t *buf_get(struct worker *w)
{
	return w->nbufs ? w->bufs[--w->nbufs] : malloc(IN_BUF);
}

static void buf_put(struct worker *w, uint8_t *b, uint32_t cap)
{
	if (b && cap == IN_BUF && w->nbufs < BUF_CACHE)
		w->bufs[w->nbufs++] = b;
	else
		free(b);
}

static void conn_free_buffers(struct worker *w, struct conn *c)
{
	buf_put(w, c->in, IN_BUF);
	buf_put(w, c->out, c->out_cap);
	c->in = c->out = NULL;
	c->in_len = c->out_len = c->out_off = c->out_cap = 0;
}

static void reconnect_timer(struct mb_evloop *l, void *ptr);

/* The connection broke: sent requests are lost (errors), the rest waits for a reconnect. */
static void conn_fail(struct worker *w, struct conn *c, bool reset)
{
	uint64_t now = mb_mono_ns();
	if (c->fd >= 0) {
		mb_evloop_del(w->loop, c->fd);
		close(c->fd);
		c->fd = -1;
	}
	if (reset)
		w->s.resets++;
	while (c->q_head != NONE && c->q_head != c->q_send) {
		struct item *h = &w->items[c->q_head & (RING - 1)];
		if (h->state == IT_DONE || h->nkeys == 0) {
			c->q_head = h->next;
			continue;
		}
		w->s.lost += h->nkeys;
		finish(w, c, c->q_head, MB_ST_UNANSWERED, 0, now);
	}
	if (c->q_head == NONE)
		c->q_tail = c->q_send = NONE;
	c->outstanding = 0;
	c->skip = 0;
	c->r_hits = 0;
	c->r_status = 0;
	conn_free_buffers(w, c);
	c->state = CS_DOWN;
	c->backoff = c->backoff ? c->backoff * 2 : BACKOFF_MIN_NS;
	if (c->backoff > BACKOFF_MAX_NS)
		c->backoff = BACKOFF_MAX_NS;
	uint64_t idx = (uint64_t)(c - w->conns);
	mb_evloop_timer(w->loop, now + c->backoff, reconnect_timer, (void *)(uintptr_t)(idx * 64 + (uint64_t)w->id), &w->err);
}

/* Start connecting; false (connection DOWN, backoff armed) when that failed at once. */
static bool conn_connect(struct worker *w, struct conn *c)
{
	int inprog;
	c->fd = open_socket(&opt.targets[c->target], &inprog);
	if (c->fd < 0) {
		w->s.connect_fail++;
		conn_fail(w, c, false);
		return false;
	}
	w->s.connects++;
	c->state = inprog ? CS_CONNECTING : CS_UP;
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
	uint64_t v = (uint64_t)(uintptr_t)ptr;
	struct worker *w = &workers[v % 64];
	struct conn *c = conn_at(w, (uint32_t)(v / 64));
	if (c->state != CS_DOWN)
		return;
	c->state = CS_IDLE;
	if (c->q_send != NONE)
		conn_pump(w, c);
}

/* Send what is buffered; false when the connection failed. */
static bool conn_flush(struct worker *w, struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
		if (n > 0) {
			c->out_off += (uint32_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (!(mb_evloop_mask(w->loop, c->fd) & MB_EV_WRITE))
				mb_evloop_set(w->loop, c->fd, MB_EV_READ | MB_EV_WRITE, conn_event, c, &w->err);
			return true;
		}
		conn_fail(w, c, true);
		return false;
	}
	c->out_off = c->out_len = 0;
	buf_put(w, c->out, c->out_cap);
	c->out = NULL;
	c->out_cap = 0;
	if (mb_evloop_mask(w->loop, c->fd) & MB_EV_WRITE)
		mb_evloop_set(w->loop, c->fd, MB_EV_READ, conn_event, c, &w->err);
	return true;
}

/* Room for n more bytes in the output buffer. */
static bool out_room(struct worker *w, struct conn *c, size_t n)
{
	if (!c->out) {
		if (!(c->out = buf_get(w)))
			return false;
		c->out_cap = OUT_BUF;
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
	size_t cap = c->out_cap ? c->out_cap : OUT_BUF;
	while (cap < c->out_len + n)
		cap *= 2;
	uint8_t *p = realloc(c->out, cap);
	if (!p)
		return false;
	c->out = p;
	c->out_cap = (uint32_t)cap;
	return true;
}

/* Whether the request at seq may go now (ordering, depth, --causal). */
static bool may_send(struct worker *w, struct conn *c, const struct item *h)
{
	if (opt.mode == MODE_MAX && c->outstanding >= opt.depth)
		return false;
	if (h->cmd == MB_CMD_CAS && c->outstanding)
		return false; /* a cas sends the unique an earlier answer (its gets) hands out */
	if (c->out_len - c->out_off >= OUT_HIGH)
		return false;
	if (c_done && !h->is_write && h->cslot != UINT32_MAX && mb_cmd_has_key(h->cmd)) {
		for (unsigned i = 0; i < h->nkeys; i++) {
			const struct item *m = &w->items[(uint64_t)(h - w->items + i) & (RING - 1)];
			if (m->cslot == UINT32_MAX)
				continue;
			uint32_t done = atomic_load_explicit(&c_done[m->cslot], memory_order_acquire);
			if ((int32_t)(done - m->cneed) < 0) {
				if (!c->in_wait) {
					if (w->nwait == w->capwait) {
						uint32_t ncap = w->capwait ? w->capwait * 2 : 64;
						uint32_t *p = realloc(w->waitlist, ncap * sizeof *p);
						if (!p)
							return false;
						w->waitlist = p;
						w->capwait = ncap;
					}
					w->waitlist[w->nwait++] = (uint32_t)(c - w->conns);
					c->in_wait = true;
				}
				return false;
			}
		}
	}
	return true;
}

/* Send every due request of the connection that may go now. */
static void conn_pump(struct worker *w, struct conn *c)
{
	if (c->state == CS_CONNECTING)
		return;
	if (c->state == CS_IDLE && c->q_send != NONE && c->q_send < w->due) {
		if (!conn_connect(w, c))
			return;
		if (c->state != CS_UP)
			return;
	}
	uint64_t now = 0;
	struct mb_mcreq_key keys[MB_MCREQ_BATCH_MAX];
	bool wrote = false;
	while (c->q_send != NONE && c->q_send < w->due) {
		uint64_t seq = c->q_send;
		struct item *h = &w->items[seq & (RING - 1)];
		if (!now)
			now = mb_mono_ns();
		if (c->state == CS_DOWN) {
			/* no connection at its time: the request is lost */
			c->q_send = w->items[(seq + h->nkeys - 1) & (RING - 1)].next;
			h->state = IT_QUEUED;
			w->s.lost += h->nkeys;
			finish(w, c, seq, MB_ST_UNANSWERED, 0, now);
			continue;
		}
		if (!may_send(w, c, h))
			break;
		struct mb_mcreq r = { .proto = h->proto, .cmd = h->cmd, .quiet = h->quiet, .ttl = h->ttl,
				      .value_len = h->value_len, .nkeys = h->nkeys, .keys = keys,
				      .cas = h->cmd == MB_CMD_CAS ? cas_get(w, h->key_hash) : 0, .sem = &h->sem };
		for (unsigned i = 0; i < h->nkeys; i++) {
			const struct item *m = &w->items[(seq + i) & (RING - 1)];
			keys[i].hash = m->key_hash;
			keys[i].len = m->key_len;
		}
		if (!mb_cmd_has_key(h->cmd))
			r.nkeys = 0;
		size_t need = mb_mcreq_size(&r);
		if (!out_room(w, c, need)) {
			conn_fail(w, c, false);
			return;
		}
		enum mb_expect ex;
		size_t len = mb_mcreq_build(c->out + c->out_len, c->out_cap - c->out_len, &r, &ex);
		c->out_len += (uint32_t)len;
		h->expect = (uint8_t)ex;
		h->sent_at = now;
		if (!w->s.first_send)
			w->s.first_send = now;
		if (opt.mode != MODE_MAX) {
			uint64_t intended = start_ns + h->t;
			mb_hist_record(&w->s.late, now > intended ? now - intended : 0);
			mb_hist_record(&w->ival_late, now > intended ? now - intended : 0);
		}
		w->s.requests++;
		c->q_send = w->items[(seq + h->nkeys - 1) & (RING - 1)].next;
		for (unsigned i = 0; i < h->nkeys; i++)
			w->items[(seq + i) & (RING - 1)].state = IT_SENT;
		wrote = true;
		c->last_active = now;
		if (ex == MB_EXP_NONE)
			finish(w, c, seq, MB_ST_NONE, 0, now);
		else
			c->outstanding++;
	}
	if (wrote) {
		w->last_progress = now;
		if (c->state == CS_UP)
			conn_flush(w, c);
	}
}

/* One response unit for the request at the connection's head. */
static bool conn_unit(struct worker *w, struct conn *c, const struct mb_mcresp *u, uint64_t now)
{
	uint64_t seq = c->q_head;
	while (seq != NONE && w->items[seq & (RING - 1)].state == IT_DONE)
		seq = w->items[seq & (RING - 1)].next;
	if (seq == NONE || w->items[seq & (RING - 1)].state != IT_SENT)
		return false; /* an answer nobody asked for */
	c->q_head = seq;
	struct item *h = &w->items[seq & (RING - 1)];
	unsigned st = mb_mcresp_status(h->cmd, u);
	/* the unique a read hands out (gets, gats, mg c, any binary get), for a later cas of
	   the key; not a store's: a text client never sees that one */
	if (u->cas && h->nkeys == 1 && mb_cmd_is_read(h->cmd) && atomic_load_explicit(&g_cas_seen, memory_order_relaxed))
		cas_put(w, h->key_hash, u->cas);
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
			if (c->r_status && h->nkeys == 1)
				st = c->r_status;
			else if (c->r_hits)
				st = mb_cmd_is_read(h->cmd) ? MB_ST_HIT : mb_mcresp_status(h->cmd, &(struct mb_mcresp){ .kind = MB_RK_HD });
			else if (mb_cmd_is_read(h->cmd))
				st = MB_ST_MISS;
			else /* quiet success stays silent */
				st = mb_mcresp_status(h->cmd, &(struct mb_mcresp){ .kind = MB_RK_HD });
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
	finish(w, c, seq, st, c->r_hits, now);
	c->r_hits = 0;
	c->r_status = 0;
	c->backoff = 0;
	return true;
}

/* Read and parse what the server sent. */
static void conn_read(struct worker *w, struct conn *c)
{
	if (!c->in && !(c->in = buf_get(w))) {
		conn_fail(w, c, false);
		return;
	}
	for (;;) {
		ssize_t n = recv(c->fd, c->in + c->in_len, IN_BUF - c->in_len, 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
			conn_fail(w, c, true);
			return;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		c->in_len += (uint32_t)n;
		uint64_t now = mb_mono_ns();
		c->last_active = now;
		uint32_t off = 0;
		int binary;
		while (off < c->in_len) {
			if (c->skip) {
				uint32_t k = c->in_len - off < c->skip ? c->in_len - off : c->skip;
				off += k;
				c->skip -= k;
				continue;
			}
			uint64_t hs = c->q_head;
			while (hs != NONE && w->items[hs & (RING - 1)].state == IT_DONE)
				hs = w->items[hs & (RING - 1)].next;
			binary = hs != NONE && w->items[hs & (RING - 1)].proto == MB_PROTO_BINARY;
			struct mb_mcresp u;
			int rc = mb_mcresp_parse(binary, c->in + off, c->in_len - off, &u);
			if (rc == MB_MCRESP_MORE)
				break;
			if (rc == MB_MCRESP_BAD || !conn_unit(w, c, &u, now)) {
				w->s.desync++;
				conn_fail(w, c, true);
				return;
			}
			off += u.hdr_len;
			c->skip = u.value_len + u.trailer_len;
		}
		if (off) {
			memmove(c->in, c->in + off, c->in_len - off);
			c->in_len -= off;
		}
		if (c->in_len < IN_BUF / 2)
			break;
	}
	if (c->in_len == 0) {
		buf_put(w, c->in, IN_BUF);
		c->in = NULL;
	}
	conn_pump(w, c);
}

static void conn_event(struct mb_evloop *l, int fd, void *ptr, unsigned mask)
{
	(void)l;
	(void)fd;
	struct conn *c = ptr;
	struct worker *w = &workers[c->wid];
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
		mb_evloop_set(w->loop, c->fd, MB_EV_READ, conn_event, c, &w->err);
		conn_pump(w, c);
		return;
	}
	if (mask & MB_EV_WRITE) {
		if (!conn_flush(w, c))
			return;
		conn_pump(w, c);
	}
	if ((mask & MB_EV_READ) && c->fd >= 0)
		conn_read(w, c);
}

/* ---------------------------------------------------------------- worker */

static void wake_event(struct mb_evloop *l, int fd, void *ptr, unsigned mask)
{
	(void)l;
	(void)ptr;
	(void)mask;
	uint64_t v;
	if (read(fd, &v, sizeof v) < 0)
		return;
}

/* Link newly published items into their connections. */
static void link_items(struct worker *w)
{
	uint64_t head = atomic_load_explicit(&w->head, memory_order_acquire);
	for (; w->linked < head; w->linked++) {
		struct item *it = &w->items[w->linked & (RING - 1)];
		if (it->conn >= w->nconns) {
			uint32_t n = w->capconns ? w->capconns : 64;
			while (n <= it->conn)
				n *= 2;
			if (n != w->capconns) {
				struct conn *p = realloc(w->conns, (size_t)n * sizeof *p);
				if (!p) {
					mb_msg("out of memory for %u connections", n);
					exit(MB_EXIT_DATA);
				}
				/* handlers hold connection pointers: re-register them */
				for (uint32_t i = 0; i < w->nconns; i++)
					if (p[i].fd >= 0)
						mb_evloop_set(w->loop, p[i].fd, mb_evloop_mask(w->loop, p[i].fd), conn_event, &p[i], &w->err);
				w->conns = p;
				w->capconns = n;
			}
			for (uint32_t i = w->nconns; i <= it->conn; i++) {
				struct conn *c = &w->conns[i];
				memset(c, 0, sizeof *c);
				c->fd = -1;
				c->q_head = c->q_send = c->q_tail = NONE;
				c->wid = (uint8_t)w->id;
				c->target = (uint8_t)(((uint64_t)i * opt.threads + (uint64_t)w->id) % opt.ntargets);
			}
			w->nconns = it->conn + 1;
		}
		struct conn *c = &w->conns[it->conn];
		it->next = NONE;
		if (c->q_tail != NONE)
			w->items[c->q_tail & (RING - 1)].next = w->linked;
		if (c->q_head == NONE)
			c->q_head = w->linked;
		if (c->q_send == NONE)
			c->q_send = w->linked;
		c->q_tail = w->linked;
		if (c->state == CS_IDLE)
			conn_connect(w, c); /* opened when the reader first sees it, ahead of its first request */
	}
}

/* Free ring slots of finished items, in order; wake the reader when it waits for them. */
static void free_items(struct worker *w)
{
	uint64_t t = atomic_load_explicit(&w->tail, memory_order_relaxed);
	uint64_t t0 = t;
	while (t < w->linked && w->items[t & (RING - 1)].state == IT_DONE)
		t++;
	if (t == t0)
		return;
	atomic_store(&w->tail, t); /* seq_cst: pairs with the reader's room_want (ring_room) */
	uint64_t want = atomic_load(&w->room_want);
	if (want && t >= want) {
		atomic_store(&w->room_want, 0);
		atomic_fetch_add(&w->room_seq, 1);
		syscall(SYS_futex, &w->room_seq, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	}
}

/* Release buffers of connections idle for a while (the per-idle-connection memory bound). */
static void sweep_idle(struct worker *w, uint64_t now)
{
	for (uint32_t i = 0; i < w->nconns; i++) {
		struct conn *c = &w->conns[i];
		if ((c->in || c->out) && c->outstanding == 0 && c->in_len == 0 && c->out_len == c->out_off &&
		    now - c->last_active > IDLE_FREE_NS)
			conn_free_buffers(w, c);
	}
}

/* Learn the polling margin from a timed-out wait that was meant to end at wake_at. The
   margin moves only here, so a worker that polls all the time keeps what it learnt
   (lowering it then would trade the next wait for a late send). */
static void track_wakeup(struct worker *w, uint64_t wake_at)
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

/* Pass the interval histograms to the progress thread. Unless `wait`, a hand-over that
   would block is put off: a worker must never wait for a preempted lock holder. */
static bool handover(struct worker *w, bool wait)
{
	if (wait)
		pthread_mutex_lock(&w->mu);
	else if (pthread_mutex_trylock(&w->mu))
		return false;
	mb_hist_merge(&w->shared_lat, &w->ival_lat);
	mb_hist_merge(&w->shared_late, &w->ival_late);
	pthread_mutex_unlock(&w->mu);
	mb_hist_reset(&w->ival_lat);
	mb_hist_reset(&w->ival_late);
	return true;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	/* In the timed modes a worker that loses its core sends late: measured here, an
	   unboosted worker was off its core 38-53 ms per 3 s replay (memcached's threads,
	   kdamond), at nice -20 4-16 ms. Per thread: the reader and progress thread stay. */
	if (opt.mode != MODE_MAX && !opt.no_priority && !boost_off) {
		if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), WORKER_NICE) == 0)
			atomic_fetch_add(&g_boosted, 1);
		else
			atomic_store(&g_boost_errno, errno);
	}
	w->spin_ns = SPIN_MAX_NS;
	while (!atomic_load(&g_started) && !atomic_load(&g_stop)) {
		link_items(w); /* connections open while the reader fills the queues */
		mb_evloop_run_once(w->loop, 200000, &w->err);
	}
	w->last_progress = start_ns;
	for (;;) {
		if (atomic_load(&g_stop))
			break;
		link_items(w);
		uint64_t now = mb_mono_ns();
		/* items whose time has come */
		uint64_t old = w->due;
		while (w->due < w->linked && start_ns + w->items[w->due & (RING - 1)].t <= now)
			w->due++;
		for (uint64_t s = old; s < w->due; s++) {
			struct item *it = &w->items[s & (RING - 1)];
			if (it->nkeys && it->state == IT_QUEUED)
				conn_pump(w, &w->conns[it->conn]);
		}
		if (w->nwait) {
			uint32_t n = w->nwait;
			w->nwait = 0;
			for (uint32_t i = 0; i < n; i++) {
				struct conn *c = &w->conns[w->waitlist[i]];
				c->in_wait = false;
			}
			for (uint32_t i = 0; i < n; i++)
				conn_pump(w, &w->conns[w->waitlist[i]]);
		}
		free_items(w);
		if (atomic_load(&g_reader_done) && atomic_load_explicit(&w->tail, memory_order_relaxed) == atomic_load(&w->head))
			break;
		if (atomic_load(&g_reader_done) && now > w->last_progress + opt.drain &&
		    (w->due == w->linked || now > start_ns + w->items[w->due & (RING - 1)].t))
			break; /* input done, nothing sent or answered for --drain: give up on the rest */
		/* how long to wait */
		uint64_t timeout = 100000000;
		if (w->due < w->linked) {
			uint64_t at = start_ns + w->items[w->due & (RING - 1)].t;
			timeout = at > now ? at - now : 0;
		}
		if (w->nwait && timeout > 20000)
			timeout = 20000;
		/* sleep until shortly before the deadline, then poll: how early is learnt from
		   how late recent wake-ups were (tens of us on a busy host, a few when quiet) */
		timeout = timeout > w->spin_ns ? timeout - w->spin_ns : 0;
		/* ask the reader for a wake-up only when short of queued requests: with a
		   quarter ring queued, answers and deadlines wake the worker anyway, and a
		   wake-up per published request would cost a syscall per request */
		if (timeout && w->linked - atomic_load_explicit(&w->tail, memory_order_relaxed) < RING / 4) {
			atomic_store(&w->sleeping, 1);
			if (atomic_load(&w->head) != w->linked)
				timeout = 0;
		}
		uint64_t wake_at = timeout ? mb_mono_ns() + timeout : 0;
		int nev = mb_evloop_run_once(w->loop, timeout, &w->err);
		if (nev < 0) {
			w->failed = 1;
			break;
		}
		atomic_store(&w->sleeping, 0);
		if (wake_at && nev == 0)
			track_wakeup(w, wake_at);
		if (now >= w->next_handover)
			w->next_handover = now + (handover(w, false) ? 250000000 : 1000000);
		if (now >= w->next_sweep) {
			sweep_idle(w, now);
			w->next_sweep = now + IDLE_FREE_NS / 2;
		}
	}
	handover(w, true);
	/* what is still out is not answered */
	uint64_t now = mb_mono_ns();
	for (uint32_t i = 0; i < w->nconns; i++) {
		struct conn *c = &w->conns[i];
		while (c->q_head != NONE && c->q_head != c->q_send) {
			struct item *h = &w->items[c->q_head & (RING - 1)];
			if (h->state == IT_DONE || h->nkeys == 0) {
				c->q_head = h->next;
				continue;
			}
			w->s.cancelled += h->nkeys;
			uint64_t q = c->q_head;
			finish(w, c, q, MB_ST_UNANSWERED, 0, now);
			if (c->q_head == q)
				break;
		}
		if (c->fd >= 0) {
			mb_evloop_del(w->loop, c->fd);
			close(c->fd);
			c->fd = -1;
		}
		conn_free_buffers(w, c);
	}
	while (w->nbufs)
		free(w->bufs[--w->nbufs]);
	free(w->cas_key);
	free(w->cas_val);
	return NULL;
}

/* ---------------------------------------------------------------- reader */

/* conn_id -> dense index (open addressing). */
static struct {
	uint32_t *keys, *vals;
	uint8_t *used;
	size_t cap, n;
} cmap;

static uint32_t conn_dense(uint32_t id)
{
	if (cmap.n * 2 >= cmap.cap) {
		size_t ncap = cmap.cap ? cmap.cap * 2 : 1024;
		uint32_t *k = calloc(ncap, 4), *v = calloc(ncap, 4);
		uint8_t *u = calloc(ncap, 1);
		if (!k || !v || !u) {
			mb_msg("out of memory for the connection map");
			exit(MB_EXIT_DATA);
		}
		for (size_t i = 0; i < cmap.cap; i++) {
			if (!cmap.used[i])
				continue;
			size_t j = (cmap.keys[i] * 2654435761u) & (ncap - 1);
			while (u[j])
				j = (j + 1) & (ncap - 1);
			u[j] = 1;
			k[j] = cmap.keys[i];
			v[j] = cmap.vals[i];
		}
		free(cmap.keys);
		free(cmap.vals);
		free(cmap.used);
		cmap.keys = k;
		cmap.vals = v;
		cmap.used = u;
		cmap.cap = ncap;
	}
	size_t j = (id * 2654435761u) & (cmap.cap - 1);
	while (cmap.used[j]) {
		if (cmap.keys[j] == id)
			return cmap.vals[j];
		j = (j + 1) & (cmap.cap - 1);
	}
	cmap.used[j] = 1;
	cmap.keys[j] = id;
	cmap.vals[j] = (uint32_t)cmap.n;
	return (uint32_t)cmap.n++;
}

/* Start the clock once the workers have a head start of queued requests. */
static void maybe_start(bool force)
{
	if (atomic_load(&g_started) || (!force && published_total < PREFILL))
		return;
	start_ns = mb_mono_ns() + 10000000; /* connections opened by now get their first request on time */
	atomic_store(&g_started, 1);
}

/* Wait until worker w has room for n items; false when stopping. A full ring holds
   plenty of work, so the reader sleeps until an eighth of it is free again and is woken by
   the worker (free_items): one wake-up per 8192 requests instead of a timer that would
   keep preempting a worker sharing its core. */
static bool ring_room(struct worker *w, uint64_t head, unsigned n)
{
	if (head + n - atomic_load_explicit(&w->tail, memory_order_acquire) <= RING)
		return true;
	uint64_t want = head + n - RING + RING / 8;
	for (;;) {
		maybe_start(true);
		if (mb_stop_requested || atomic_load(&g_stop))
			return false;
		uint32_t seq = atomic_load(&w->room_seq);
		atomic_store(&w->room_want, want);
		if (atomic_load(&w->tail) >= want) /* freed meanwhile */
			break;
		struct timespec ts = { 0, 100000000 }; /* re-check the stop flags now and then */
		syscall(SYS_futex, &w->room_seq, FUTEX_WAIT_PRIVATE, seq, &ts, NULL, 0);
	}
	atomic_store(&w->room_want, 0);
	return true;
}

static void publish(struct worker *w, uint64_t head)
{
	published_total += head - atomic_load_explicit(&w->head, memory_order_relaxed);
	maybe_start(false);
	atomic_store(&w->head, head); /* seq_cst: pairs with the worker's sleeping flag */
	if (atomic_load(&w->sleeping)) {
		uint64_t one = 1;
		if (write(w->efd, &one, sizeof one) < 0)
			return;
	}
}

/* Pending multi-key request members. */
static struct mb_event batch[MB_MCREQ_BATCH_MAX];
static uint64_t batch_t[MB_MCREQ_BATCH_MAX];
static unsigned nbatch;

struct rstate {
	uint64_t ts0;       /* first recorded timestamp */
	uint64_t last_ts;
	uint64_t offset;    /* time offset of this loop */
	uint64_t index;     /* requests so far (rate mode) */
	double pois_t;
	uint64_t rng;
	bool have_ts0;
	bool past_duration; /* the input reached -d: no more passes */
};

static double rnd01(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return ((double)(*s >> 11) + 0.5) / 9007199254740992.0;
}

/* Intended time of the next request relative to the start. */
static uint64_t intended(struct rstate *rs, uint64_t ts)
{
	switch (opt.mode) {
	case MODE_MAX:
		return 0;
	case MODE_RATE:
		rs->index++;
		if (opt.poisson) {
			rs->pois_t += -log(rnd01(&rs->rng)) / opt.rate;
			return (uint64_t)(rs->pois_t * 1e9);
		}
		return (uint64_t)((double)(rs->index - 1) * 1e9 / opt.rate);
	default:
		if (!rs->have_ts0) {
			rs->ts0 = ts;
			rs->have_ts0 = true;
		}
		if (ts > rs->last_ts)
			rs->last_ts = ts;
		return rs->offset + (uint64_t)((double)(ts > rs->ts0 ? ts - rs->ts0 : 0) / opt.speed);
	}
}

/* Route a key: worker, connection index in it, target. */
static void route(uint32_t dense, uint64_t key_hash, unsigned cmd, unsigned *wi, uint32_t *ci)
{
	unsigned t = mb_cmd_has_key(cmd) ? mb_chash_lookup(&opt.ring, key_hash) : 0;
	uint64_t slot = (uint64_t)dense * opt.ntargets + t;
	*wi = (unsigned)(slot % opt.threads);
	*ci = (uint32_t)(slot / opt.threads);
}

static void fill_item(struct item *it, const struct mb_event *ev, uint64_t t, uint32_t ci)
{
	it->t = t;
	it->key_hash = ev->key_hash;
	it->conn = ci;
	it->value_len = ev->value_len;
	it->ttl = ev->ttl;
	it->key_len = ev->key_len;
	it->cmd = ev->cmd;
	it->proto = opt.proto ? (uint8_t)opt.proto : ev->proto ? ev->proto : MB_PROTO_TEXT;
	it->rec_status = ev->status;
	it->sem = ev->sem;
	it->quiet = (ev->flags & MB_EF_NOREPLY) != 0;
	it->is_write = mb_cmd_is_store(ev->cmd) || ev->cmd == MB_CMD_DELETE || ev->cmd == MB_CMD_INCR ||
		       ev->cmd == MB_CMD_DECR;
	it->cslot = UINT32_MAX;
	it->cneed = 0;
	it->expect = 0;
	it->sent_at = 0;
	if (c_issued && mb_cmd_has_key(ev->cmd)) {
		it->cslot = (uint32_t)(ev->key_hash & (CAUSAL_SLOTS - 1));
		if (it->is_write)
			atomic_fetch_add_explicit(&c_issued[it->cslot], 1, memory_order_relaxed);
		else
			it->cneed = atomic_load_explicit(&c_issued[it->cslot], memory_order_relaxed);
	}
	it->state = IT_QUEUED;
	if (ev->cmd == MB_CMD_CAS && !atomic_load_explicit(&g_cas_seen, memory_order_relaxed))
		atomic_store(&g_cas_seen, 1);
}

/* Publish events [0, n) of the same request group as one request per (worker, connection). */
static bool emit_group(struct mb_event *evs, const uint64_t *ts, unsigned n)
{
	bool used[MB_MCREQ_BATCH_MAX] = { false };
	for (unsigned i = 0; i < n; i++) {
		if (used[i])
			continue;
		unsigned wi;
		uint32_t ci;
		uint32_t dense = evs[i].conn_id;
		route(dense, evs[i].key_hash, evs[i].cmd, &wi, &ci);
		unsigned members[MB_MCREQ_BATCH_MAX], m = 0;
		unsigned proto = opt.proto ? (unsigned)opt.proto : evs[i].proto ? evs[i].proto : MB_PROTO_TEXT;
		bool can_batch = proto != MB_PROTO_TEXT || mb_cmd_is_read(evs[i].cmd);
		for (unsigned j = i; j < n; j++) {
			if (used[j])
				continue;
			unsigned wj;
			uint32_t cj;
			route(evs[j].conn_id, evs[j].key_hash, evs[j].cmd, &wj, &cj);
			if (wj == wi && cj == ci && evs[j].cmd == evs[i].cmd && (j == i || can_batch)) {
				members[m++] = j;
				used[j] = true;
			}
		}
		struct worker *w = &workers[wi];
		uint64_t head = atomic_load_explicit(&w->head, memory_order_relaxed);
		if (!ring_room(w, head, can_batch ? m : 1))
			return false;
		if (!can_batch) {
			for (unsigned k = 0; k < m; k++) {
				if (k && !ring_room(w, head, 1))
					return false;
				struct item *it = &w->items[head & (RING - 1)];
				fill_item(it, &evs[members[k]], ts[members[k]], ci);
				it->nkeys = 1;
				head++;
				publish(w, head);
			}
			continue;
		}
		for (unsigned k = 0; k < m; k++) {
			struct item *it = &w->items[(head + k) & (RING - 1)];
			fill_item(it, &evs[members[k]], ts[members[0]], ci);
			it->nkeys = k == 0 ? (uint16_t)m : 0;
		}
		publish(w, head + m);
	}
	return true;
}

static bool flush_batch(void)
{
	bool ok = nbatch == 0 || emit_group(batch, batch_t, nbatch);
	nbatch = 0;
	return ok;
}

/* Normalise an event for replay: key hash of raw keys, dense connection. */
static void prepare(struct mb_event *ev, unsigned kind)
{
	if (kind == MB_KIND_EVENTS_RAW)
		ev->key_hash = mb_mcreq_hash_bytes(ev->key, ev->key_len);
	uint32_t d = conn_dense(ev->conn_id);
	ev->conn_id = opt.conns_n ? (uint32_t)(d % opt.conns_n) : d;
}

/* One pass over the input: publish its requests. MB_OK, MB_END (stopped) or an error. */
static int replay_pass(int fd, const char *name, struct rstate *rs, struct mb_err *err)
{
	struct mb_reader r;
	int rc = mb_reader_open(&r, fd, name, (1u << MB_KIND_EVENTS_RAW) | (1u << MB_KIND_EVENTS_HASHED), err);
	r.stop = &mb_stop_requested;
	struct mb_frame f;
	uint32_t cur_batch = 0;
	uint64_t cur_conn = UINT64_MAX;
	while (rc == MB_OK && (rc = mb_reader_next(&r, &f, err)) == MB_OK) {
		if (f.type != MB_FRAME_EVENT)
			continue;
		struct mb_event ev;
		if (mb_event_decode(f.payload, f.len, r.info.kind, &ev, err) != MB_OK) {
			rc = mb_err_at(err, name, f.offset);
			break;
		}
		in_events++;
		if (!mb_mcreq_replayable(ev.cmd)) {
			in_skipped++;
			continue;
		}
		prepare(&ev, r.info.kind);
		uint64_t t = intended(rs, ev.ts_ns);
		if (opt.duration && opt.mode != MODE_MAX && t > opt.duration) {
			rs->past_duration = true;
			break;
		}
		if (ev.flags & MB_EF_MULTI) {
			if (nbatch && (ev.batch_id != cur_batch || ev.conn_id != cur_conn || nbatch == MB_MCREQ_BATCH_MAX))
				if (!flush_batch())
					break;
			cur_batch = ev.batch_id;
			cur_conn = ev.conn_id;
			batch[nbatch] = ev;
			batch_t[nbatch++] = t;
			if ((ev.flags & MB_EF_BATCH_END) && !flush_batch())
				break;
			continue;
		}
		if (nbatch && !flush_batch())
			break;
		if (!emit_group(&ev, &t, 1))
			break;
	}
	if (rc == MB_OK || rc == MB_END)
		flush_batch();
	mb_reader_close(&r);
	if (mb_stop_requested || atomic_load(&g_stop))
		return MB_END;
	return rc == MB_END || rc == MB_OK ? MB_OK : rc;
}

/* ---------------------------------------------------------------- --warm */

struct wkey {
	uint64_t hash;
	uint32_t size;
	uint16_t len;
	uint8_t used, warm;
};

/* Store every key whose first appearance is a read that hit (or has no recorded status). */
static int warm_pass(int fd, const char *name, uint64_t *stored, struct mb_err *err)
{
	struct mb_reader r;
	int rc = mb_reader_open(&r, fd, name, (1u << MB_KIND_EVENTS_RAW) | (1u << MB_KIND_EVENTS_HASHED), err);
	r.stop = &mb_stop_requested;
	size_t cap = 1 << 16, n = 0;
	struct wkey *tab = calloc(cap, sizeof *tab);
	if (!tab)
		return mb_err_set(err, MB_EIO, "out of memory for --warm");
	struct mb_frame f;
	while (rc == MB_OK && (rc = mb_reader_next(&r, &f, err)) == MB_OK) {
		struct mb_event ev;
		if (f.type != MB_FRAME_EVENT)
			continue;
		if (mb_event_decode(f.payload, f.len, r.info.kind, &ev, err) != MB_OK) {
			rc = mb_err_at(err, name, f.offset);
			break;
		}
		if (!mb_cmd_has_key(ev.cmd))
			continue;
		if (r.info.kind == MB_KIND_EVENTS_RAW)
			ev.key_hash = mb_mcreq_hash_bytes(ev.key, ev.key_len);
		if (n * 2 >= cap) {
			struct wkey *nt = calloc(cap * 2, sizeof *nt);
			if (!nt) {
				rc = mb_err_set(err, MB_EIO, "out of memory for --warm");
				break;
			}
			for (size_t i = 0; i < cap; i++) {
				if (!tab[i].used)
					continue;
				size_t j = (tab[i].hash ^ tab[i].len) & (cap * 2 - 1);
				while (nt[j].used)
					j = (j + 1) & (cap * 2 - 1);
				nt[j] = tab[i];
			}
			free(tab);
			tab = nt;
			cap *= 2;
		}
		size_t j = (ev.key_hash ^ ev.key_len) & (cap - 1);
		while (tab[j].used && (tab[j].hash != ev.key_hash || tab[j].len != ev.key_len))
			j = (j + 1) & (cap - 1);
		if (tab[j].used)
			continue;
		tab[j].used = 1;
		tab[j].hash = ev.key_hash;
		tab[j].len = ev.key_len;
		n++;
		if (mb_cmd_is_read(ev.cmd) && ev.status != MB_ST_MISS) {
			tab[j].warm = 1;
			tab[j].size = ev.resp_len;
		} else if ((ev.cmd == MB_CMD_INCR || ev.cmd == MB_CMD_DECR || ev.cmd == MB_CMD_TOUCH) &&
			   (ev.status == MB_ST_HIT || ev.status == MB_ST_TOUCHED)) {
			/* incr/decr/touch that found the item: it existed before */
			tab[j].warm = 1;
			tab[j].size = ev.cmd == MB_CMD_TOUCH ? 16 : 1;
		}
	}
	mb_reader_close(&r);
	if (rc != MB_OK && rc != MB_END) {
		free(tab);
		return rc;
	}
	/* one blocking connection per target, pipelined noreply sets, then a version to sync */
	int fds[64];
	for (unsigned t = 0; t < opt.ntargets; t++)
		fds[t] = -1;
	rc = MB_OK;
	size_t bcap = MB_MCREQ_VALUE_MAX + 4096;
	uint8_t *buf = malloc(bcap);
	if (!buf)
		rc = mb_err_set(err, MB_EIO, "out of memory for --warm");
	*stored = 0;
	for (size_t i = 0; rc == MB_OK && i < cap; i++) {
		if (!tab[i].used || !tab[i].warm)
			continue;
		unsigned t = mb_chash_lookup(&opt.ring, tab[i].hash);
		if (fds[t] < 0 && (fds[t] = connect_blocking(&opt.targets[t], err)) < 0) {
			rc = MB_EIO;
			break;
		}
		struct mb_mcreq_key k = { tab[i].hash, tab[i].len };
		struct mb_mcreq q = { .proto = MB_PROTO_TEXT, .cmd = MB_CMD_SET, .quiet = true, .value_len = tab[i].size,
				      .nkeys = 1, .keys = &k };
		enum mb_expect ex;
		size_t len = mb_mcreq_build(buf, bcap, &q, &ex);
		for (size_t off = 0; off < len;) {
			ssize_t m = send(fds[t], buf + off, len - off, MSG_NOSIGNAL);
			if (m <= 0) {
				if (m < 0 && errno == EINTR)
					continue;
				rc = mb_err_set(err, MB_EIO, "--warm: write failed: %s: '%s'", strerror(errno), opt.targets[t].name);
				break;
			}
			off += (size_t)m;
		}
		(*stored)++;
	}
	for (unsigned t = 0; t < opt.ntargets; t++) {
		if (fds[t] < 0)
			continue;
		if (rc == MB_OK) {
			if (send(fds[t], "version\r\n", 9, MSG_NOSIGNAL) != 9) {
				rc = mb_err_set(err, MB_EIO, "--warm: write failed: '%s'", opt.targets[t].name);
			} else {
				/* answers to noreply sets can only be errors: read up to the VERSION line */
				size_t have = 0;
				for (;;) {
					ssize_t m = recv(fds[t], buf + have, 4096 - have, 0);
					if (m <= 0) {
						rc = mb_err_set(err, MB_EIO, "--warm: connection closed: '%s'", opt.targets[t].name);
						break;
					}
					have += (size_t)m;
					buf[have] = 0;
					if (strstr((char *)buf, "VERSION "))
						break;
					if (have > 2048) {
						memmove(buf, buf + have - 16, 16);
						have = 16;
					}
				}
			}
		}
		close(fds[t]);
	}
	free(buf);
	free(tab);
	return rc;
}

/* ---------------------------------------------------------------- report */

static void fmt_dur(char *b, size_t n, uint64_t ns)
{
	mb_dur_format(b, n, ns);
}

static void json_hist(FILE *f, const char *name, const struct mb_hist *h)
{
	fprintf(f, "\"%s\": {\"count\": %" PRIu64 ", \"mean_ns\": %.0f, \"p50_ns\": %" PRIu64 ", \"p90_ns\": %" PRIu64
		   ", \"p99_ns\": %" PRIu64 ", \"p999_ns\": %" PRIu64 ", \"max_ns\": %" PRIu64
		   ", \"lowest_ns\": %" PRIu64 ", \"highest_ns\": %" PRIu64 ", \"sigdigits\": %d, \"buckets\": [",
		name, mb_hist_count(h), mb_hist_mean(h), mb_hist_percentile(h, 50), mb_hist_percentile(h, 90),
		mb_hist_percentile(h, 99), mb_hist_percentile(h, 99.9), mb_hist_max(h), h->lowest, h->highest, h->sigdigits);
	size_t cur = 0;
	uint64_t lo, hi, cnt;
	bool first = true;
	while (mb_hist_next(h, &cur, &lo, &hi, &cnt)) {
		fprintf(f, "%s[%" PRIu64 ", %" PRIu64 ", %" PRIu64 "]", first ? "" : ", ", lo, hi, cnt);
		first = false;
	}
	fprintf(f, "]}");
}

/* CPU time the hypervisor took from this machine's CPUs so far (steal in /proc/stat), in
   ms; -1 where the kernel does not say. */
static int64_t host_steal_ms(void)
{
	FILE *f = fopen("/proc/stat", "r");
	if (!f)
		return -1;
	unsigned long long v[8];
	int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
		       &v[7]);
	fclose(f);
	long hz = sysconf(_SC_CLK_TCK);
	return n == 8 && hz > 0 ? (int64_t)(v[7] * 1000 / (unsigned long long)hz) : -1;
}

static double pct(uint64_t a, uint64_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0.0;
}

static int report(struct stats *s, double elapsed, double cpu, int64_t steal_ms, bool interrupted)
{
	char b1[32], b2[32], b3[32], b4[32], b5[32];
	FILE *o = stdout;
	fprintf(o, "mb-fire: %" PRIu64 " operations (%" PRIu64 " requests) in %.3f s: %.0f ops/s%s\n", s->ops,
		s->requests, elapsed, elapsed > 0 ? (double)s->ops / elapsed : 0.0,
		interrupted ? " (interrupted)" : duration_hit ? " (duration reached)" : "");
	fprintf(o, "targets:");
	for (unsigned t = 0; t < opt.ntargets; t++)
		fprintf(o, " %s", opt.targets[t].name);
	fprintf(o, "\ninput: %" PRIu64 " events, %" PRIu64 " not replayable (quit, auth, admin, debug, verbosity, unknown)\n",
		in_events, in_skipped);
	fprintf(o, "connections: %" PRIu64 " opened, %" PRIu64 " failed to open, %" PRIu64 " broke\n", s->connects,
		s->connect_fail, s->resets);
	fprintf(o, "errors: %" PRIu64 " (lost to broken connections %" PRIu64 ", unanswered at the end %" PRIu64
		   ", out of sync %" PRIu64 ")\n", s->errors, s->lost, s->cancelled, s->desync);
	if (opt.mode != MODE_MAX) {
		fmt_dur(b1, sizeof b1, mb_hist_percentile(&s->late, 50));
		fmt_dur(b2, sizeof b2, mb_hist_percentile(&s->late, 99));
		fmt_dur(b3, sizeof b3, mb_hist_percentile(&s->late, 99.9));
		fmt_dur(b4, sizeof b4, mb_hist_max(&s->late));
		fprintf(o, "lateness: p50 %s p99 %s p99.9 %s max %s\n", b1, b2, b3, b4);
	}
	if (steal_ms >= 0)
		fprintf(o, "host: %" PRId64 " ms of CPU time taken by the hypervisor (steal) during the replay\n",
			steal_ms);
	if (opt.mode != MODE_MAX && !opt.no_priority && boost_off)
		fprintf(o, "priority: workers at the inherited nice value (%s)\n", boost_off);
	else if (opt.mode != MODE_MAX && !opt.no_priority) {
		if (atomic_load(&g_boosted) == opt.threads)
			fprintf(o, "priority: %u workers at nice %d\n", opt.threads, WORKER_NICE);
		else
			fprintf(o, "priority: %u of %u workers at nice %d (%s: root or CAP_SYS_NICE makes timing steadier)\n",
				atomic_load(&g_boosted), opt.threads, WORKER_NICE, strerror(atomic_load(&g_boost_errno)));
	}
	if (s->rec_reads || s->rep_reads)
		fprintf(o, "hit ratio: recorded %.1f%%, replayed %.1f%%\n", pct(s->rec_hits, s->rec_reads),
			pct(s->rep_hits, s->rep_reads));
	fprintf(o, "cpu: %.3f s, %.2f us/op\n", cpu, s->ops ? cpu * 1e6 / (double)s->ops : 0.0);
	fprintf(o, "%-10s %10s %9s %9s %9s %9s %9s  %s\n", "command", "ops", "p50", "p90", "p99", "p99.9", "max",
		"statuses (latency from the intended send time)");
	for (unsigned c = 0; c < MB_CMD_COUNT; c++) {
		struct cmd_stats *cs = &s->cmd[c];
		uint64_t n = 0;
		for (unsigned st = 0; st < MB_ST_COUNT; st++)
			n += cs->st[st];
		if (!n)
			continue;
		struct mb_hist *h = cs->lat_int;
		fmt_dur(b1, sizeof b1, h ? mb_hist_percentile(h, 50) : 0);
		fmt_dur(b2, sizeof b2, h ? mb_hist_percentile(h, 90) : 0);
		fmt_dur(b3, sizeof b3, h ? mb_hist_percentile(h, 99) : 0);
		fmt_dur(b4, sizeof b4, h ? mb_hist_percentile(h, 99.9) : 0);
		fmt_dur(b5, sizeof b5, h ? mb_hist_max(h) : 0);
		fprintf(o, "%-10s %10" PRIu64 " %9s %9s %9s %9s %9s ", mb_cmd_name(c), n, b1, b2, b3, b4, b5);
		for (unsigned st = 0; st < MB_ST_COUNT; st++)
			if (cs->st[st])
				fprintf(o, " %s=%" PRIu64, st == MB_ST_NONE ? "noreply" : mb_status_name(st), cs->st[st]);
		fprintf(o, "\n");
		if (cs->lat_act) {
			fmt_dur(b1, sizeof b1, mb_hist_percentile(cs->lat_act, 50));
			fmt_dur(b2, sizeof b2, mb_hist_percentile(cs->lat_act, 90));
			fmt_dur(b3, sizeof b3, mb_hist_percentile(cs->lat_act, 99));
			fmt_dur(b4, sizeof b4, mb_hist_percentile(cs->lat_act, 99.9));
			fmt_dur(b5, sizeof b5, mb_hist_max(cs->lat_act));
			fprintf(o, "%-10s %10s %9s %9s %9s %9s %9s  (from the actual send time)\n", "", "", b1, b2, b3, b4, b5);
		}
	}
	fflush(o);
	if (!opt.json)
		return MB_EXIT_OK;
	FILE *f = fopen(opt.json, "w");
	if (!f) {
		mb_msg("cannot write the JSON report: %s: '%s'", strerror(errno), opt.json);
		return MB_EXIT_DATA;
	}
	fprintf(f, "{\"program\": \"mb-fire\", \"version\": \"%s\", \"mode\": \"%s\", \"interrupted\": %s,\n",
		MB_VERSION, opt.mode == MODE_MAX ? "max" : opt.mode == MODE_RATE ? "rate" : "recorded",
		interrupted ? "true" : "false");
	fprintf(f, " \"elapsed_s\": %.6f, \"ops\": %" PRIu64 ", \"requests\": %" PRIu64 ", \"ops_per_s\": %.1f,\n", elapsed,
		s->ops, s->requests, elapsed > 0 ? (double)s->ops / elapsed : 0.0);
	fprintf(f, " \"cpu_s\": %.6f, \"cpu_us_per_op\": %.4f,\n", cpu, s->ops ? cpu * 1e6 / (double)s->ops : 0.0);
	if (steal_ms >= 0)
		fprintf(f, " \"host_steal_ms\": %" PRId64 ",\n", steal_ms);
	fprintf(f, " \"workers\": %u, \"workers_boosted\": %u,\n", opt.threads, atomic_load(&g_boosted));
	fprintf(f, " \"input_events\": %" PRIu64 ", \"not_replayable\": %" PRIu64 ",\n", in_events, in_skipped);
	fprintf(f, " \"connections\": {\"opened\": %" PRIu64 ", \"failed\": %" PRIu64 ", \"broke\": %" PRIu64 "},\n",
		s->connects, s->connect_fail, s->resets);
	fprintf(f, " \"errors\": %" PRIu64 ", \"lost\": %" PRIu64 ", \"unanswered\": %" PRIu64 ", \"desync\": %" PRIu64 ",\n",
		s->errors, s->lost, s->cancelled, s->desync);
	fprintf(f, " \"hit_ratio\": {\"recorded\": %.4f, \"replayed\": %.4f, \"recorded_reads\": %" PRIu64
		   ", \"replayed_reads\": %" PRIu64 "},\n", pct(s->rec_hits, s->rec_reads), pct(s->rep_hits, s->rep_reads),
		s->rec_reads, s->rep_reads);
	fprintf(f, " ");
	json_hist(f, "lateness", &s->late);
	fprintf(f, ",\n \"commands\": {");
	bool first = true;
	for (unsigned c = 0; c < MB_CMD_COUNT; c++) {
		struct cmd_stats *cs = &s->cmd[c];
		uint64_t n = 0;
		for (unsigned st = 0; st < MB_ST_COUNT; st++)
			n += cs->st[st];
		if (!n)
			continue;
		fprintf(f, "%s\n  \"%s\": {\"ops\": %" PRIu64 ", \"status\": {", first ? "" : ",", mb_cmd_name(c), n);
		first = false;
		bool fs = true;
		for (unsigned st = 0; st < MB_ST_COUNT; st++)
			if (cs->st[st]) {
				fprintf(f, "%s\"%s\": %" PRIu64, fs ? "" : ", ", st == MB_ST_NONE ? "noreply" : mb_status_name(st),
					cs->st[st]);
				fs = false;
			}
		fprintf(f, "}");
		if (cs->lat_int) {
			fprintf(f, ",\n   ");
			json_hist(f, "latency_intended", cs->lat_int);
			fprintf(f, ",\n   ");
			json_hist(f, "latency_actual", cs->lat_act);
		}
		fprintf(f, "}");
	}
	fprintf(f, "\n }\n}\n");
	if (fclose(f) != 0) {
		mb_msg("cannot write the JSON report: %s: '%s'", strerror(errno), opt.json);
		return MB_EXIT_DATA;
	}
	return MB_EXIT_OK;
}

/* ---------------------------------------------------------------- progress */

static void *progress_main(void *arg)
{
	(void)arg;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	struct mb_hist lat, late;
	mb_hist_init(&lat, HIST_LO, HIST_HI, 3);
	mb_hist_init(&late, HIST_LO, HIST_HI, 3);
	while (!atomic_load(&g_started) && !atomic_load(&g_stop)) {
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	uint64_t last_ops = 0, t_last = mb_mono_ns();
	uint64_t stop_at = opt.duration ? start_ns + opt.duration : UINT64_MAX;
	while (!atomic_load(&g_stop)) {
		struct timespec ts = { 0, 50000000 };
		nanosleep(&ts, NULL);
		uint64_t now = mb_mono_ns();
		if (now >= stop_at) {
			duration_hit = 1;
			atomic_store(&g_stop, 1);
			pthread_kill(main_thread, SIGUSR1);
			break;
		}
		if (now - t_last < 1000000000ull)
			continue;
		uint64_t ops = 0, errs = 0;
		for (unsigned i = 0; i < opt.threads; i++) {
			struct worker *w = &workers[i];
			ops += atomic_load_explicit(&w->p_ops, memory_order_relaxed);
			errs += atomic_load_explicit(&w->p_err, memory_order_relaxed);
			pthread_mutex_lock(&w->mu);
			mb_hist_merge(&lat, &w->shared_lat);
			mb_hist_merge(&late, &w->shared_late);
			mb_hist_reset(&w->shared_lat);
			mb_hist_reset(&w->shared_late);
			pthread_mutex_unlock(&w->mu);
		}
		if (!opt.quiet) {
			char b1[32], b2[32];
			mb_dur_format(b1, sizeof b1, mb_hist_percentile(&lat, 99));
			mb_dur_format(b2, sizeof b2, mb_hist_percentile(&late, 99));
			fprintf(stderr, "mb-fire: %.0fs %.0f ops/s p99 %s errors %" PRIu64 " lateness p99 %s\n",
				(double)(now - start_ns) / 1e9, (double)(ops - last_ops) * 1e9 / (double)(now - t_last), b1,
				errs, opt.mode == MODE_MAX ? "-" : b2);
		}
		mb_hist_reset(&lat);
		mb_hist_reset(&late);
		last_ops = ops;
		t_last = now;
	}
	mb_hist_free(&lat);
	mb_hist_free(&late);
	return NULL;
}

static void on_usr1(int sig)
{
	(void)sig;
	mb_stop_requested = 1;
}

/* ---------------------------------------------------------------- main */

/* An input fd that can be read more than once (for --warm and --loop): stdin is spooled. */
static int rereadable(int fd, struct mb_err *err)
{
	if (lseek(fd, 0, SEEK_CUR) == 0)
		return fd;
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	int t = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (t < 0) {
		mb_err_set(err, MB_EIO, "cannot spool standard input: %s: '%s'", strerror(errno), dir);
		return -1;
	}
	static uint8_t buf[1 << 16];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR && !mb_stop_requested)
				continue;
			mb_err_set(err, MB_EIO, "read error: %s: '<stdin>'", strerror(errno));
			close(t);
			return -1;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t m = write(t, buf + off, (size_t)(n - off));
			if (m <= 0) {
				mb_err_set(err, MB_EIO, "cannot spool standard input: %s: '%s'", strerror(errno), dir);
				close(t);
				return -1;
			}
			off += m;
		}
	}
	lseek(t, 0, SEEK_SET);
	return t;
}

/* Raise the open-file limit towards what many connections need; returns the limit. */
static uint64_t raise_nofile(void)
{
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rlim_t want = 1 << 20;
	FILE *f = fopen("/proc/sys/fs/nr_open", "r");
	unsigned long nr = 0;
	if (f) {
		if (fscanf(f, "%lu", &nr) == 1 && nr < want)
			want = nr;
		fclose(f);
	}
	struct rlimit nl = { want, want };
	if (setrlimit(RLIMIT_NOFILE, &nl) == 0)
		return want;
	nl.rlim_cur = nl.rlim_max = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &nl) == 0)
		return rl.rlim_max;
	return rl.rlim_cur;
}

int main(int argc, char **argv)
{
	mb_prog_init("mb-fire");
	enum { O_RATE = 256, O_POISSON, O_MAX, O_DEPTH, O_LOOP, O_CAUSAL, O_NOPRIO, O_WARM, O_DRAIN, O_JSON, O_VERSION };
	static const struct option lopts[] = {
		{ "target", required_argument, NULL, 't' }, { "conns", required_argument, NULL, 'c' },
		{ "threads", required_argument, NULL, 'T' }, { "proto", required_argument, NULL, 'P' },
		{ "speed", required_argument, NULL, 's' }, { "rate", required_argument, NULL, O_RATE },
		{ "poisson", no_argument, NULL, O_POISSON }, { "max", no_argument, NULL, O_MAX },
		{ "depth", required_argument, NULL, O_DEPTH }, { "loop", required_argument, NULL, O_LOOP },
		{ "duration", required_argument, NULL, 'd' }, { "causal", no_argument, NULL, O_CAUSAL },
		{ "no-priority", no_argument, NULL, O_NOPRIO },
		{ "warm", no_argument, NULL, O_WARM }, { "drain", required_argument, NULL, O_DRAIN },
		{ "json", required_argument, NULL, O_JSON }, { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, O_VERSION }, { NULL, 0, NULL, 0 },
	};
	struct mb_err err;
	const char *targets = NULL;
	uint64_t u;
	int ch;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "t:c:T:P:s:d:qh", lopts, NULL)) != -1) {
		switch (ch) {
		case 't': targets = optarg; break;
		case 'c':
			if (mb_opt_u64(optarg, 1, 10000000, true, &opt.conns_n, &err) != MB_OK)
				mb_usage_error("-c: %s", err.msg);
			break;
		case 'T':
			if (mb_opt_u64(optarg, 1, 64, false, &u, &err) != MB_OK)
				mb_usage_error("-T: %s", err.msg);
			opt.threads = (unsigned)u;
			break;
		case 'P':
			opt.proto = mb_proto_parse(optarg, strlen(optarg));
			if (opt.proto <= 0)
				mb_usage_error("-P: want text, meta or binary: '%s'", optarg);
			break;
		case 's':
			if (mb_opt_double(optarg, 0.000001, 1000000, &opt.speed, &err) != MB_OK)
				mb_usage_error("-s: %s", err.msg);
			break;
		case O_RATE:
			if (mb_opt_double(optarg, 0.001, 1e9, &opt.rate, &err) != MB_OK)
				mb_usage_error("--rate: %s", err.msg);
			opt.mode = MODE_RATE;
			break;
		case O_POISSON: opt.poisson = true; break;
		case O_MAX: opt.mode = MODE_MAX; break;
		case O_DEPTH:
			if (mb_opt_u64(optarg, 1, 4096, false, &u, &err) != MB_OK)
				mb_usage_error("--depth: %s", err.msg);
			opt.depth = (unsigned)u;
			break;
		case O_LOOP:
			if (!strcmp(optarg, "inf"))
				opt.loops = 0;
			else if (mb_opt_u64(optarg, 1, UINT32_MAX, true, &opt.loops, &err) != MB_OK)
				mb_usage_error("--loop: %s", err.msg);
			break;
		case 'd':
			if (mb_opt_duration(optarg, &opt.duration, &err) != MB_OK || !opt.duration)
				mb_usage_error("-d: bad duration: '%s'", optarg);
			break;
		case O_CAUSAL: opt.causal = true; break;
		case O_NOPRIO: opt.no_priority = true; break;
		case O_WARM: opt.warm = true; break;
		case O_DRAIN:
			if (mb_opt_duration(optarg, &opt.drain, &err) != MB_OK)
				mb_usage_error("--drain: bad duration: '%s'", optarg);
			break;
		case O_JSON: opt.json = optarg; break;
		case 'q': opt.quiet = true; break;
		case 'h': fputs(usage, stdout); return MB_EXIT_OK;
		case O_VERSION: mb_print_version();
		default: mb_usage_bad_option(argv);
		}
	}
	if (!targets)
		mb_usage_error("no target: give -t host:port");
	if (argc - optind > 1)
		mb_usage_error("one input at most: '%s'", argv[optind + 1]);
	if (opt.poisson && opt.mode != MODE_RATE)
		mb_usage_error("--poisson needs --rate");
	opt.input = optind < argc ? argv[optind] : "-";
	/* targets */
	char tcopy[4096];
	snprintf(tcopy, sizeof tcopy, "%s", targets);
	const char *names[64];
	for (char *save = NULL, *tok = strtok_r(tcopy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (opt.ntargets == 64)
			mb_usage_error("at most 64 targets");
		if (parse_target(tok, &opt.targets[opt.ntargets], &err) != MB_OK)
			mb_usage_error("%s", err.msg);
		names[opt.ntargets] = opt.targets[opt.ntargets].name;
		opt.ntargets++;
	}
	if (!opt.ntargets)
		mb_usage_error("no target: give -t host:port");
	if (mb_chash_init(&opt.ring, names, opt.ntargets, &err) != MB_OK) {
		mb_msg_err(&err);
		return MB_EXIT_DATA;
	}
	/* the cores this process may run on (taskset, cpusets) */
	cpu_set_t cs;
	long ncores = sched_getaffinity(0, sizeof cs, &cs) == 0 ? CPU_COUNT(&cs) : sysconf(_SC_NPROCESSORS_ONLN);
	if (!opt.threads) {
		/* in the timed modes half of them, since a worker polls its core near deadlines
		   and the input reader, the progress thread (and often the server) need the rest */
		long n = opt.mode != MODE_MAX ? ncores / 2 : ncores;
		opt.threads = n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
	}
	/* boosted pollers on every core would starve a server on the same machine */
	if (opt.mode != MODE_MAX && !opt.no_priority && (long)opt.threads >= ncores)
		boost_off = "as many workers as cores";
	mb_prog_signals();
	struct sigaction sa = { 0 };
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	main_thread = pthread_self();
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

	int fd = 0;
	const char *iname = "<stdin>";
	if (strcmp(opt.input, "-")) {
		fd = open(opt.input, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			mb_msg("cannot open input: %s: '%s'", strerror(errno), opt.input);
			return MB_EXIT_DATA;
		}
		iname = opt.input;
	}
	/* every target must answer a connect before anything starts */
	for (unsigned t = 0; t < opt.ntargets; t++) {
		int s = connect_blocking(&opt.targets[t], &err);
		if (s < 0) {
			mb_msg_err(&err);
			return MB_EXIT_DATA;
		}
		close(s);
	}
	raise_nofile();
	if (opt.warm || opt.loops != 1) {
		fd = rereadable(fd, &err);
		if (fd < 0) {
			mb_msg_err(&err);
			return MB_EXIT_DATA;
		}
	}
	if (opt.warm) {
		uint64_t stored;
		int rc = warm_pass(fd, iname, &stored, &err);
		if (rc != MB_OK) {
			mb_msg_err(&err);
			return MB_EXIT_DATA;
		}
		if (!opt.quiet)
			mb_msg("warmed %" PRIu64 " keys", stored);
		lseek(fd, 0, SEEK_SET);
	}
	if (opt.causal) {
		c_issued = calloc(CAUSAL_SLOTS, sizeof *c_issued);
		c_done = calloc(CAUSAL_SLOTS, sizeof *c_done);
		if (!c_issued || !c_done) {
			mb_msg("out of memory for --causal");
			return MB_EXIT_DATA;
		}
	}
	workers = calloc(opt.threads, sizeof *workers);
	if (!workers) {
		mb_msg("out of memory");
		return MB_EXIT_DATA;
	}
	for (unsigned i = 0; i < opt.threads; i++) {
		struct worker *w = &workers[i];
		w->id = (int)i;
		w->items = calloc(RING, sizeof *w->items);
		if (w->items)
			memset(w->items, 0, RING * sizeof *w->items); /* fault the pages in now, not on the clock */
		w->loop = mb_evloop_create(&err);
		w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (!w->items || !w->loop || w->efd < 0 || mb_hist_init(&w->s.late, HIST_LO, HIST_HI, 3) != MB_OK ||
		    mb_hist_init(&w->ival_lat, HIST_LO, HIST_HI, 3) != MB_OK ||
		    mb_hist_init(&w->ival_late, HIST_LO, HIST_HI, 3) != MB_OK ||
		    mb_hist_init(&w->shared_lat, HIST_LO, HIST_HI, 3) != MB_OK ||
		    mb_hist_init(&w->shared_late, HIST_LO, HIST_HI, 3) != MB_OK ||
		    mb_evloop_set(w->loop, w->efd, MB_EV_READ, wake_event, w, &err) != MB_OK) {
			mb_msg("cannot set up worker %u: %s", i, w->loop ? err.msg : "out of memory");
			return MB_EXIT_DATA;
		}
		pthread_mutex_init(&w->mu, NULL);
	}
	struct rusage ru0;
	getrusage(RUSAGE_SELF, &ru0);
	int64_t steal0 = host_steal_ms();
	for (unsigned i = 0; i < opt.threads; i++)
		pthread_create(&workers[i].th, NULL, worker_main, &workers[i]);
	pthread_t prog;
	pthread_create(&prog, NULL, progress_main, NULL);

	struct rstate rs = { .rng = 0x9e3779b97f4a7c15ull };
	int rc = MB_OK;
	for (uint64_t loop = 0; rc == MB_OK && (opt.loops == 0 || loop < opt.loops); loop++) {
		if (loop) {
			lseek(fd, 0, SEEK_SET);
			uint64_t span = rs.have_ts0 ? (uint64_t)((double)(rs.last_ts - rs.ts0) / opt.speed) : 0;
			uint64_t gap = in_events > 1 ? span / (in_events / loop) : 0;
			rs.offset += span + gap;
			rs.have_ts0 = false;
			rs.last_ts = 0;
		}
		rc = replay_pass(fd, iname, &rs, &err);
		maybe_start(true);
		if (rs.past_duration || (rc == MB_OK && loop == 0 && in_events == 0))
			break;
	}
	maybe_start(true);
	atomic_store(&g_reader_done, 1);
	bool interrupted = mb_stop_requested && !duration_hit;
	if (interrupted)
		atomic_store(&g_stop, 1);
	for (unsigned i = 0; i < opt.threads; i++) {
		uint64_t one = 1;
		if (write(workers[i].efd, &one, sizeof one) < 0)
			continue;
	}
	for (unsigned i = 0; i < opt.threads; i++)
		pthread_join(workers[i].th, NULL);
	interrupted = (mb_stop_requested && !duration_hit) || interrupted;
	atomic_store(&g_stop, 1);
	pthread_join(prog, NULL);
	if (rc != MB_OK && rc != MB_END) {
		mb_msg_err(&err);
		return MB_EXIT_DATA;
	}

	struct stats *tot = &workers[0].s;
	for (unsigned i = 1; i < opt.threads; i++) {
		struct stats *s = &workers[i].s;
		for (unsigned c = 0; c < MB_CMD_COUNT; c++) {
			for (unsigned st = 0; st < MB_ST_COUNT; st++)
				tot->cmd[c].st[st] += s->cmd[c].st[st];
			if (s->cmd[c].lat_int) {
				cmd_hists(&tot->cmd[c]);
				mb_hist_merge(tot->cmd[c].lat_int, s->cmd[c].lat_int);
				mb_hist_merge(tot->cmd[c].lat_act, s->cmd[c].lat_act);
			}
		}
		mb_hist_merge(&tot->late, &s->late);
		tot->ops += s->ops;
		tot->requests += s->requests;
		tot->errors += s->errors;
		tot->lost += s->lost;
		tot->cancelled += s->cancelled;
		tot->rec_hits += s->rec_hits;
		tot->rec_reads += s->rec_reads;
		tot->rep_hits += s->rep_hits;
		tot->rep_reads += s->rep_reads;
		tot->connects += s->connects;
		tot->connect_fail += s->connect_fail;
		tot->resets += s->resets;
		tot->desync += s->desync;
		if (s->first_send && (!tot->first_send || s->first_send < tot->first_send))
			tot->first_send = s->first_send;
		if (s->last_done > tot->last_done)
			tot->last_done = s->last_done;
	}
	for (unsigned i = 0; i < opt.threads; i++)
		if (workers[i].failed) {
			mb_msg("event loop failed: %s", workers[i].err.msg);
			return MB_EXIT_DATA;
		}
	struct rusage ru1;
	getrusage(RUSAGE_SELF, &ru1);
	double cpu = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) + (double)(ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
		     ((double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) + (double)(ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec)) / 1e6;
	double elapsed = tot->last_done > start_ns ? (double)(tot->last_done - start_ns) / 1e9 : 0.0;
	int64_t steal1 = host_steal_ms();
	return report(tot, elapsed, cpu, steal0 >= 0 && steal1 >= steal0 ? steal1 - steal0 : -1, interrupted);
}
