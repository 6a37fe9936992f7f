/* fire_ttl.c - expiration times scaled with the replay's speed, placed on the target's own clock ticks, so items expire at the same point of the replay. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
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
#define CLOCK_EPOCH_LEAD_NS 30000000ull           /* from learning to the planned start */
#define STATS_MAX 65536                           /* bytes of one stats answer */

/* ceil(secs / speed), at least 1, as a count of seconds that fits an int32. */
static int64_t scaled(int64_t secs, double speed)
{
	double d = ceil((double)secs / speed);
	if (d < 1)
		return 1;
	return d > (double)INT32_MAX ? INT32_MAX : (int64_t)d;
}

int32_t fire_ttl_scale(int32_t ttl, double speed, uint64_t rec_ns, int64_t now_s, uint64_t tick_in_ns)
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
	if (tick_in_ns && life / speed <= MB_MC_TTL_RELATIVE_MAX) {
		/* exptime k expires at the (k-1)-th tick after the first one, tick_in_ns away */
		double k = 1 + round(life / speed - (double)tick_in_ns / 1e9);
		return k < 1 ? 1 : (int32_t)k;
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

void fire_clock_learn(struct fire_run *r)
{
	struct fire_clock *c = &r->clock;
	memset(c, 0, sizeof *c);
	if (r->opt.mode != FIRE_RECORDED || r->opt.keep_ttl || r->opt.speed == 1.0)
		return; /* at speed 1, exptime k is the recorded k wherever the ticks fall */
	uint8_t *buf = malloc(STATS_MAX);
	if (!buf)
		return;
	unsigned n = r->opt.ntargets, asking = 0;
	int fd[FIRE_TARGETS_MAX];
	int64_t last[FIRE_TARGETS_MAX];
	uint64_t last_sent[FIRE_TARGETS_MAX], tick[FIRE_TARGETS_MAX], rtt[FIRE_TARGETS_MAX];
	for (unsigned t = 0; t < n; t++) {
		struct mb_err e;
		/* a target that cannot be reached now says so in the replay's own report */
		fd[t] = fire_connect_blocking(&r->opt.targets[t], &e);
		last[t] = -1;
		rtt[t] = UINT64_MAX / 4;
		if (fd[t] < 0)
			continue;
		struct timeval tv = { 0, 200000 };
		setsockopt(fd[t], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		asking++;
	}
	uint64_t t0 = mb_mono_ns();
	while (asking && !mb_stop_requested) {
		bool late = mb_mono_ns() - t0 > CLOCK_WAIT_NS;
		for (unsigned t = 0; t < n; t++) {
			if (fd[t] < 0)
				continue;
			const char *why = "no tick of its clock seen in 2.2 s";
			uint64_t sent = mb_mono_ns();
			int64_t v = late ? -1 : ask_time(fd[t], buf, &why);
			uint64_t got = mb_mono_ns();
			if (got - sent < rtt[t])
				rtt[t] = got - sent;
			/* the server read its clock between sent and got; a tick seen across a wider
			   gap than CLOCK_GAP_NS (a stall on either side) is not placed well enough:
			   the next one is */
			if (v >= 0 && (last[t] < 0 || v == last[t] || got - last_sent[t] > CLOCK_GAP_NS + 2 * rtt[t])) {
				last[t] = v;
				last_sent[t] = sent;
				continue;
			}
			if (v >= 0) { /* it ticked after the last question was sent, before this answer */
				tick[t] = last_sent[t] + (got - last_sent[t]) / 2;
				c->known[t] = 1;
			} else if (!mb_stop_requested) {
				mb_warn("the clock of target '%s' is not known (%s): its TTLs are scaled to whole seconds, rounded up",
					r->opt.targets[t].name, why);
			}
			close(fd[t]);
			fd[t] = -1;
			asking--;
		}
		struct timespec ts = { 0, (long)CLOCK_POLL_NS };
		if (asking)
			nanosleep(&ts, NULL); /* a signal ends it at once */
	}
	for (unsigned t = 0; t < n; t++)
		if (fd[t] >= 0)
			close(fd[t]);
	free(buf);
	bool any = false;
	for (unsigned t = 0; t < n; t++)
		any |= c->known[t] != 0;
	if (!any)
		return;
	/* with --start-at the start is fixed (a start already past is taken as it comes, and
	   then the phases are off by that much); otherwise fire_clock_start places it */
	uint64_t now = mb_mono_ns();
	if (!r->opt.start_at)
		c->epoch = now + CLOCK_EPOCH_LEAD_NS;
	else if (!(c->epoch = fire_shard_start_mono(r, now)))
		c->epoch = 1; /* before this boot: 0 would mean no clock */
	for (unsigned t = 0; t < n; t++) {
		if (!c->known[t])
			continue;
		int64_t d = (int64_t)(tick[t] - c->epoch) % (int64_t)MB_NS_PER_SEC;
		c->phase[t] = (uint32_t)(d < 0 ? d + (int64_t)MB_NS_PER_SEC : d);
	}
}

uint64_t fire_clock_tick_in(const struct fire_run *r, unsigned target, uint64_t t)
{
	if (!r->clock.epoch || !r->clock.known[target])
		return 0;
	uint64_t d = (r->clock.phase[target] + MB_NS_PER_SEC - t % MB_NS_PER_SEC) % MB_NS_PER_SEC;
	return d ? d : MB_NS_PER_SEC;
}

uint64_t fire_clock_start(const struct fire_run *r, uint64_t planned)
{
	uint64_t e = r->clock.epoch;
	if (!e || planned <= e)
		return e ? e : planned;
	return e + (planned - e + MB_NS_PER_SEC - 1) / MB_NS_PER_SEC * MB_NS_PER_SEC;
}
