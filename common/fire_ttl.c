/* fire_ttl.c - expiration times scaled with the replay's speed, placed when sent on the target's clock ticks (learnt, then followed) within the lifetime the input shows. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fire_int.h"
#include "mbtime.h"
#include "mclimits.h"
#include "mcresp.h"
#include "prog.h"

#define CLOCK_WAIT_NS (2200 * UINT64_C(1000000)) /* a clock that ticks each second moves twice within this */
#define CLOCK_GAP_NS (10 * UINT64_C(1000000))    /* widest gap between two questions that place a tick, */
							  /* beyond twice the shortest round trip */
#define CLOCK_POLL_NS 1000000ull                  /* between two questions to one target */
#define CLOCK_WINDOW_NS 8000000ull                /* a watch begins this long before the predicted tick, */
#define CLOCK_WINDOW_MAX_NS 400000000ull          /* ... and at most this long, after watches that began late */
#define CLOCK_PERIOD_MIN_NS 990000000ull          /* a period measured outside these bounds is a stall, */
#define CLOCK_PERIOD_MAX_NS 1050000000ull         /* ... not the clock's */
#define CLOCK_START_AFTER_NS 30000000ull          /* a replay starts this long after a tick of its first target */
#define CLOCK_PERIODS_MAX 4                       /* ticks this far apart still measure the period */
#define STATS_MAX 65536                           /* bytes of one stats answer */
#define BOUND_MARGIN_S 0.010                      /* a tick this near a request the input bounds a lifetime
							     with could fall on either side of it */
#define CLOCK_UNSURE_NS 6000000ull                /* a predicted tick may be this far off */
#define BOUND_UNIT_NS 100000ull                   /* lifetime bounds are kept in these units */

/* ceil(secs / speed), at least 1, as a count of seconds that fits an int32. */
static int64_t scaled(int64_t secs, double speed)
{
	double d = ceil((double)secs / speed);
	if (d < 1)
		return 1;
	return d > (double)INT32_MAX ? INT32_MAX : (int64_t)d;
}

/* The exptime k nearest to want_k (1 or more) whose tick, first_in + (k-1) periods after
   the intended send (first tick at first_in for the alive bound, at last_in for the expired
   one), falls after alive and before expired, each with a margin; 0 when none does. */
static double bounded(double want_k, const struct fire_ticks *tk, double period, double first_in, double last_in)
{
	double lo = 1, hi = INFINITY;
	if (tk->alive_ns)
		lo = fmax(1, floor(((double)tk->alive_ns / 1e9 + BOUND_MARGIN_S - first_in) / period) + 2);
	if (tk->expired_ns)
		hi = floor(((double)tk->expired_ns / 1e9 - BOUND_MARGIN_S - last_in) / period) + 1;
	return lo > hi ? 0 : fmin(fmax(want_k, lo), hi);
}

/* want_k moved within the lifetime the input showed: for the first tick early or late
   alike when some exptime fits both, else for the first tick predicted, else unmoved (the
   recording's lifetime was shorter than a tick). */
static double within_bounds(double want_k, const struct fire_ticks *tk, double period)
{
	double in = (double)tk->tick_in_ns / 1e9;
	double early = (double)(tk->tick_in_ns - (tk->early_ns < tk->tick_in_ns ? tk->early_ns : tk->tick_in_ns)) / 1e9;
	double k = bounded(want_k, tk, period, early, (double)(tk->tick_in_ns + tk->late_ns) / 1e9);
	if (!k)
		k = bounded(want_k, tk, period, in, in);
	return k ? k : want_k;
}

int32_t fire_ttl_scale(int32_t ttl, double speed, uint64_t rec_ns, int64_t now_s, const struct fire_ticks *tk)
{
	if (ttl <= 0)
		return ttl;
	int64_t left = ttl;
	/* the recorded server expired the item at one of its ticks: a relative ttl 0-1 s before
	   ttl seconds were up, a unix time within the second after it; the middle of that is
	   the lifetime to reproduce */
	double life = (double)ttl - 0.5;
	if (ttl > MB_MC_TTL_RELATIVE_MAX) {
		left = (int64_t)ttl - (int64_t)(rec_ns / MB_NS_PER_SEC);
		if (left <= 0)
			return -1; /* it had expired when it was sent: it expires at once again */
		life = (double)ttl + 0.5 - (double)rec_ns / 1e9;
	}
	if (tk && life / speed <= MB_MC_TTL_RELATIVE_MAX) {
		/* exptime k expires at the (k-1)-th tick after the first one, tick_in_ns away */
		double period = tk->period_ns ? (double)tk->period_ns / 1e9 : 1.0;
		double k = within_bounds(fmax(1, 1 + round((life / speed - (double)tk->tick_in_ns / 1e9) / period)), tk, period);
		return k > MB_MC_TTL_RELATIVE_MAX ? MB_MC_TTL_RELATIVE_MAX : (int32_t)k;
	}
	int64_t out = scaled(left, speed);
	if (out <= MB_MC_TTL_RELATIVE_MAX)
		return (int32_t)out;
	out += now_s; /* too long to be relative: a unix time again, from the replay's clock */
	return out > INT32_MAX ? INT32_MAX : (int32_t)out;
}

/* ---------------------------------------------------------------- the targets' clocks */

int fire_stats_time(const uint8_t *buf, size_t n, int64_t *time)
{
	static const char key[] = "STAT time ";
	const size_t kl = sizeof key - 1;
	*time = -1;
	for (size_t off = 0;;) {
		struct mb_mcresp u;
		int rc = mb_mcresp_parse(0, buf + off, n - off, &u);
		if (rc == MB_MCRESP_MORE)
			return 1;
		if (rc != MB_MCRESP_OK || (u.kind != MB_RK_STAT && u.kind != MB_RK_END))
			return -1;
		if (u.kind == MB_RK_END)
			return 0;
		const uint8_t *line = buf + off;
		size_t len = u.hdr_len - 2, j = kl, v = 0; /* without its CRLF */
		if (len > kl && memcmp(line, key, kl) == 0) {
			for (; j < len && line[j] >= '0' && line[j] <= '9' && j - kl < 18; j++)
				v = v * 10 + (size_t)(line[j] - '0');
			*time = j == len ? (int64_t)v : -1;
		}
		off += u.hdr_len;
	}
}

/* Ask fd for its stats: its clock, or -1 with why set (no answer, not a stats answer, no
   clock in it). */
static int64_t ask_time(int fd, uint8_t *buf, const char **why)
{
	static const char q[] = "stats\r\n";
	*why = "no answer to stats";
	if (send(fd, q, sizeof q - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof q - 1))
		return -1;
	size_t n = 0;
	while (!mb_stop_requested && n < STATS_MAX) {
		ssize_t m = recv(fd, buf + n, STATS_MAX - n, 0);
		if (m < 0 && errno == EINTR)
			continue;
		if (m <= 0)
			return -1;
		n += (size_t)m;
		int64_t time;
		int rc = fire_stats_time(buf, n, &time);
		if (rc == 1)
			continue;
		*why = rc < 0 ? "not a stats answer" : "no time in its stats";
		return time;
	}
	*why = "a stats answer over 64 KiB";
	return -1;
}

/* One target's clock as mb-fire sees it. tick_at and period are the model the workers read
   (each on its own: a tick read with the period before it is off by microseconds); the rest
   is the watcher's. */
struct clock_target {
	_Atomic uint64_t tick_at; /* CLOCK_MONOTONIC ns of its latest located tick; 0: not known */
	_Atomic uint64_t period;  /* ns from one of its ticks to the next, as measured */
	const char *name;
	int fd;                   /* the connection its stats are asked on, or -1 */
	bool lost;                /* fd no longer answers: the model stays as last located */
	bool measured;            /* period was measured (else it is a whole second) */
	int64_t value;            /* its time in the latest answer */
	uint64_t seen;            /* when that answer came */
	uint64_t rtt;             /* the shortest round trip of a question */
	uint64_t window;          /* a watch begins this long before the predicted tick */
	struct fire_clock_stats st;
};

/* The reader's view of a key's lifetime since the request that set its TTL. */
struct ttl_life {
	uint64_t key_hash;
	uint64_t seq;    /* that request's place in its worker's ring */
	uint64_t t;      /* its intended send time */
	uint32_t worker;
	uint32_t pass;   /* the pass over the input (--loop) it began in */
	bool open;       /* later requests still tell about that lifetime */
};

struct fire_clock {
	struct clock_target tg[FIRE_TARGETS_MAX];
	struct ttl_life *lives;     /* reader: per order slot (with the order on), or NULL */
	uint32_t pass;              /* reader: the pass over the input it is in */
	_Atomic uint64_t *bounds;   /* per worker and ring place: the lifetime the input showed for
				       the request there, alive (high 32 bits) and expired (low),
				       in BOUND_UNIT_NS after its intended send, each plus 1; 0: none */
	unsigned n;
	uint8_t *buf;        /* one stats answer */
	int bell;            /* rung to stop the watcher */
	_Atomic int stop;
	bool watching;
	pthread_t watcher;
};

/* The tick expected first after instant t, and the period it is predicted with. */
static uint64_t next_tick(const struct clock_target *c, uint64_t t, uint64_t *period)
{
	uint64_t at = atomic_load_explicit(&c->tick_at, memory_order_relaxed);
	uint64_t p = atomic_load_explicit(&c->period, memory_order_relaxed);
	*period = p;
	return t < at ? at : at + ((t - at) / p + 1) * p;
}

/* The watcher waits until deadline (monotonic ns); true when it is to stop. */
static bool watch_wait(struct fire_clock *k, uint64_t deadline)
{
	if (!atomic_load(&k->stop) && mb_mono_ns() < deadline)
		fire_bell_wait(k->bell, deadline, NULL);
	return atomic_load(&k->stop) != 0;
}

/* A tick of c was located at instant tick: it becomes the model's, and the time since the
   last one measures the period (memcached re-arms a one-second timer after each tick, so
   its ticks come a little more than a second apart, by how late the timer runs). */
static void located(struct clock_target *c, uint64_t tick)
{
	uint64_t last = atomic_load(&c->tick_at), p = atomic_load(&c->period);
	uint64_t d = tick - last, n = (d + MB_NS_PER_SEC / 2) / MB_NS_PER_SEC;
	uint64_t pred = last + (d + p / 2) / p * p; /* the prediction nearest to it */
	uint64_t err = tick > pred ? tick - pred : pred - tick;
	if (err > c->st.worst_error_ns)
		c->st.worst_error_ns = err;
	if (n >= 1 && n <= CLOCK_PERIODS_MAX && d / n > CLOCK_PERIOD_MIN_NS && d / n < CLOCK_PERIOD_MAX_NS) {
		p = c->measured ? (3 * p + d / n) / 4 : d / n;
		c->measured = true;
		atomic_store(&c->period, p);
	}
	atomic_store(&c->tick_at, tick);
	c->st.located++;
	c->st.period_ns = p;
}

/* Ask c's time about once a millisecond from shortly before its predicted tick until it
   moves, and locate that tick (between the last question that saw the old time and the
   answer with the new one). A tick that came before the first question widens the next
   watch; one that does not come within a second ends this one. */
static void watch_tick(struct fire_clock *k, struct clock_target *c)
{
	uint64_t period, tick = next_tick(c, c->seen, &period), asked_at = 0;
	uint64_t give_up = tick + c->window + MB_NS_PER_SEC;
	for (;;) {
		const char *why;
		uint64_t sent = mb_mono_ns();
		int64_t v = ask_time(c->fd, k->buf, &why);
		uint64_t got = mb_mono_ns();
		if (v < 0) {
			if (!atomic_load(&k->stop))
				mb_warn("the clock of target '%s' is no longer watched (%s): its TTLs are placed on its last known ticks",
					c->name, why);
			c->lost = true;
			return;
		}
		if (got - sent < c->rtt)
			c->rtt = got - sent;
		c->seen = got;
		if (v != c->value) {
			if (!asked_at) {
				c->st.missed++;
				c->window = c->window * 2 < CLOCK_WINDOW_MAX_NS ? c->window * 2 : CLOCK_WINDOW_MAX_NS;
			} else if (got - asked_at <= CLOCK_GAP_NS + 2 * c->rtt) {
				located(c, asked_at + (got - asked_at) / 2);
				c->window = c->window / 2 > CLOCK_WINDOW_NS ? c->window / 2 : CLOCK_WINDOW_NS;
			}
			c->value = v;
			return;
		}
		asked_at = sent;
		if (got > give_up || watch_wait(k, sent + CLOCK_POLL_NS))
			return;
	}
}

/* The watcher's thread: the watch of the target whose predicted tick comes first, in turn,
   until fire_clock_free stops it. */
static void *watch_main(void *arg)
{
	struct fire_clock *k = arg;
	fire_block_signals(); /* the main thread takes them */
	for (unsigned t = 0; t < k->n; t++) {
		/* a slow answer is waited for (fire_clock_stop shuts the socket to end the wait):
		   given up, it would come as the answer to the next question */
		struct timeval forever = { 0, 0 };
		if (k->tg[t].fd >= 0)
			setsockopt(k->tg[t].fd, SOL_SOCKET, SO_RCVTIMEO, &forever, sizeof forever);
	}
	for (;;) {
		struct clock_target *first = NULL;
		uint64_t at = UINT64_MAX;
		for (unsigned t = 0; t < k->n; t++) {
			struct clock_target *c = &k->tg[t];
			if (c->fd < 0 || c->lost)
				continue;
			uint64_t period, tick = next_tick(c, c->seen, &period);
			uint64_t begin = tick > c->window ? tick - c->window : 0;
			if (begin < at) {
				at = begin;
				first = c;
			}
		}
		if (!first || watch_wait(k, at))
			return NULL;
		watch_tick(k, first);
	}
}

void fire_clock_learn(struct fire_run *r)
{
	r->clock = NULL;
	if (r->opt.mode != FIRE_RECORDED || r->opt.keep_ttl || r->opt.speed == 1.0)
		return; /* at speed 1, exptime k is the recorded k wherever the ticks fall */
	struct fire_clock *k = calloc(1, sizeof *k);
	if (!k || !(k->buf = malloc(STATS_MAX)) || (k->bell = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		if (k)
			free(k->buf);
		free(k);
		mb_warn("no memory to learn the targets' clocks: TTLs are scaled to whole seconds, rounded up");
		return;
	}
	unsigned n = k->n = r->opt.ntargets, asking = 0;
	uint64_t last_sent[FIRE_TARGETS_MAX];
	for (unsigned t = 0; t < n; t++) {
		struct clock_target *c = &k->tg[t];
		struct mb_err e;
		c->name = r->opt.targets[t].name;
		c->value = -1;
		c->rtt = UINT64_MAX / 4;
		c->window = CLOCK_WINDOW_NS;
		atomic_init(&c->period, MB_NS_PER_SEC);
		/* a target that cannot be reached now says so in the replay's own report */
		c->fd = fire_connect_blocking(&r->opt.targets[t], &e);
		if (c->fd < 0)
			continue;
		struct timeval tv = { 0, 200000 };
		setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		asking++;
	}
	uint64_t t0 = mb_mono_ns();
	bool any = false;
	while (asking && !mb_stop_requested) {
		bool late = mb_mono_ns() - t0 > CLOCK_WAIT_NS;
		for (unsigned t = 0; t < n; t++) {
			struct clock_target *c = &k->tg[t];
			if (c->fd < 0 || atomic_load(&c->tick_at))
				continue;
			const char *why = "no tick of its clock seen in 2.2 s";
			uint64_t sent = mb_mono_ns();
			int64_t v = late ? -1 : ask_time(c->fd, k->buf, &why);
			uint64_t got = mb_mono_ns();
			if (got - sent < c->rtt)
				c->rtt = got - sent;
			/* the server read its clock between sent and got; a tick seen across a wider
			   gap than CLOCK_GAP_NS (a stall on either side) is not placed well enough:
			   the next one is */
			if (v >= 0 && (c->value < 0 || v == c->value || got - last_sent[t] > CLOCK_GAP_NS + 2 * c->rtt)) {
				c->value = v;
				last_sent[t] = sent;
				continue;
			}
			asking--;
			if (v >= 0) { /* it ticked after the last question was sent, before this answer */
				atomic_store(&c->tick_at, last_sent[t] + (got - last_sent[t]) / 2);
				c->value = v;
				c->seen = got;
				c->st.located = 1;
				c->st.period_ns = MB_NS_PER_SEC;
				any = true;
				continue;
			}
			if (!mb_stop_requested)
				mb_warn("the clock of target '%s' is not known (%s): its TTLs are scaled to whole seconds, rounded up",
					c->name, why);
			close(c->fd);
			c->fd = -1;
		}
		struct timespec ts = { 0, (long)CLOCK_POLL_NS };
		if (asking)
			nanosleep(&ts, NULL); /* a signal ends it at once */
	}
	r->clock = k;
	if (!any) {
		fire_clock_free(r);
		return;
	}
	/* the slots' table grows with the keys in use (untouched pages cost nothing) */
	if (r->order.on && (!(k->lives = calloc(FIRE_ORDER_SLOTS, sizeof *k->lives)) ||
			    !(k->bounds = calloc((size_t)r->opt.threads * FIRE_RING, sizeof *k->bounds)))) {
		free(k->lives);
		k->lives = NULL;
		mb_warn("no memory to follow the keys' lifetimes: TTLs are placed on the ticks nearest to their lifetimes");
	}
	/* the requests read from now on are placed on these clocks when sent, and the watcher
	   follows them meanwhile */
	if (pthread_create(&k->watcher, NULL, watch_main, k) == 0)
		k->watching = true;
	else
		mb_warn("cannot start the thread that watches the targets' clocks: TTLs are placed on their first ticks");
}

void fire_clock_stop(struct fire_run *r)
{
	struct fire_clock *k = r->clock;
	if (k && k->watching) {
		atomic_store(&k->stop, 1);
		fire_bell_ring(k->bell);
		for (unsigned t = 0; t < k->n; t++)
			if (k->tg[t].fd >= 0)
				shutdown(k->tg[t].fd, SHUT_RDWR); /* out of a question the server does not answer */
		pthread_join(k->watcher, NULL);
		k->watching = false;
	}
}

void fire_clock_free(struct fire_run *r)
{
	struct fire_clock *k = r->clock;
	if (!k)
		return;
	fire_clock_stop(r);
	for (unsigned t = 0; t < k->n; t++)
		if (k->tg[t].fd >= 0)
			close(k->tg[t].fd);
	close(k->bell);
	free(k->lives);
	free((void *)k->bounds);
	free(k->buf);
	free(k);
	r->clock = NULL;
}

uint64_t fire_clock_start(const struct fire_run *r, uint64_t planned)
{
	for (unsigned t = 0; r->clock && t < r->clock->n; t++) {
		if (!fire_clock_known(r, t))
			continue;
		uint64_t period, tick = next_tick(&r->clock->tg[t], planned - CLOCK_START_AFTER_NS, &period);
		return tick + CLOCK_START_AFTER_NS;
	}
	return planned;
}

bool fire_clock_known(const struct fire_run *r, unsigned target)
{
	return r->clock && atomic_load_explicit(&r->clock->tg[target].tick_at, memory_order_relaxed) != 0;
}

bool fire_clock_stats(const struct fire_run *r, unsigned target, struct fire_clock_stats *st)
{
	if (!fire_clock_known(r, target))
		return false;
	*st = r->clock->tg[target].st;
	return true;
}

void fire_ttl_scale_item(const struct fire_run *r, struct fire_item *it, uint64_t rec_ns, const struct fire_ticks *tk)
{
	double speed = r->opt.mode == FIRE_RECORDED ? r->opt.speed : 1.0;
	int64_t now_s = (int64_t)time(NULL);
	struct fire_ticks plain;
	if (tk) {
		plain = *tk;
		plain.alive_ns = plain.expired_ns = 0;
	}
	it->ttl = fire_ttl_scale(it->ttl, speed, rec_ns, now_s, tk);
	if ((it->sem.has & MB_SEM_VIVIFY) && it->sem.vivify_ttl > 0)
		it->sem.vivify_ttl = fire_ttl_scale(it->sem.vivify_ttl, speed, rec_ns, now_s, tk ? &plain : NULL);
	if ((it->sem.has & MB_SEM_RECACHE) && it->sem.recache_ttl > 0)
		it->sem.recache_ttl = fire_ttl_scale(it->sem.recache_ttl, speed, rec_ns, now_s, tk ? &plain : NULL);
}

void fire_ttl_place(const struct fire_run *r, const struct fire_worker *w, struct fire_item *it, unsigned target, uint64_t now)
{
	const struct fire_clock *k = r->clock;
	struct fire_ticks tk = { 0 };
	uint64_t tick = next_tick(&k->tg[target], now, &tk.period_ns);
	uint64_t intended = r->start_ns + it->t;
	tk.tick_in_ns = tick > intended ? tick - intended : 1;
	/* a tick predicted this near the send may fall on the other side of it */
	if (tick - tk.period_ns + CLOCK_UNSURE_NS > now) {
		uint64_t prev = tick - tk.period_ns > now ? tick - tk.period_ns : now;
		tk.early_ns = tick - (prev > intended ? prev : intended);
	}
	if (tick < now + CLOCK_UNSURE_NS)
		tk.late_ns = tk.period_ns;
	if (k->bounds) {
		uint64_t b = atomic_load_explicit(&k->bounds[(size_t)w->id * FIRE_RING + (size_t)(it - w->items)],
						  memory_order_relaxed);
		tk.alive_ns = (b >> 32) * BOUND_UNIT_NS;
		tk.expired_ns = (b & UINT32_MAX) * BOUND_UNIT_NS;
	}
	fire_ttl_scale_item(r, it, it->ttl_rec_ns, &tk);
	it->ttl_rec_ns = 0;
}

/* Whether request it leaves its key's item and expiry as they were (a read without a TTL,
   or arithmetic, append and prepend, which keep the item's exptime). */
static bool keeps_lifetime(const struct fire_item *it)
{
	switch (it->cmd) {
	case MB_CMD_GET: case MB_CMD_GETS: case MB_CMD_INCR: case MB_CMD_DECR: case MB_CMD_APPEND: case MB_CMD_PREPEND:
		return !it->ttl_rec_ns;
	default:
		return false;
	}
}

void fire_ttl_follow(struct fire_run *r, const struct fire_item *it, unsigned worker, uint64_t seq)
{
	struct fire_clock *k = r->clock;
	if (!k || !k->lives || it->slot == FIRE_NOCONN)
		return;
	struct ttl_life *l = &k->lives[it->slot % FIRE_ORDER_SLOTS];
	if (l->open && l->key_hash == it->key_hash && l->pass == k->pass) {
		uint8_t was = fire_key_before(it->cmd, it->rec_status);
		/* the request that started the lifetime may have been sent and its ring place
		   reused: then what follows is too late for it */
		if (was != FIRE_KEY_ANY && it->t >= l->t && l->seq >= atomic_load_explicit(&r->workers[l->worker].tail, memory_order_acquire)) {
			_Atomic uint64_t *b = &k->bounds[(size_t)l->worker * FIRE_RING + (l->seq & (FIRE_RING - 1))];
			uint64_t v = atomic_load_explicit(b, memory_order_relaxed), d = (it->t - l->t) / BOUND_UNIT_NS + 1;
			uint64_t alive = v >> 32, expired = v & UINT32_MAX;
			if (was == FIRE_KEY_EXISTS)
				alive = d > alive ? (d < UINT32_MAX ? d : UINT32_MAX) : alive;
			else if (d < UINT32_MAX) /* a later bound than that says nothing */
				expired = expired && expired < d ? expired : d;
			atomic_store_explicit(b, alive << 32 | expired, memory_order_relaxed);
		}
		l->open = was != FIRE_KEY_ABSENT && keeps_lifetime(it);
	}
	if (it->ttl_rec_ns && it->ttl > 0) {
		*l = (struct ttl_life){ .key_hash = it->key_hash, .seq = seq, .t = it->t, .worker = worker, .pass = k->pass, .open = true };
		atomic_store_explicit(&k->bounds[(size_t)worker * FIRE_RING + (seq & (FIRE_RING - 1))], 0, memory_order_relaxed);
	}
}

void fire_ttl_next_pass(struct fire_run *r)
{
	if (r->clock)
		r->clock->pass++;
}
