/* live.c - mb-stat --live: hot keys, namespaces and commands per interval, drawn by a timer thread. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "fdio.h"
#include "live.h"
#include "mbtime.h"
#include "prog.h"
#include "report.h"

#define LAT_MAX_NS (UINT64_C(3600) * MB_NS_PER_SEC)

int mb_live_init(struct mb_live *lv, const struct mb_stat_opts *o, const struct mb_stream_info *info, struct mb_err *err)
{
	memset(lv, 0, sizeof *lv);
	lv->o = *o;
	lv->hashed = info->kind == MB_KIND_EVENTS_HASHED;
	if (mb_ns_setup(&lv->ns, o->namespaces, info, err) != MB_OK)
		return MB_ERR;
	uint32_t cap = o->top * 16 < 4096 ? 4096 : o->top * 16;
	if (mb_hot_init(&lv->keys, cap < MB_STAT_NAMES_MAX ? cap : MB_STAT_NAMES_MAX, o->show_keys && !lv->hashed, err) != MB_OK)
		return MB_EIO;
	if (lv->ns.on && mb_hot_init(&lv->nsh, MB_STAT_NS_MAX, o->show_keys && !lv->ns.tags, err) != MB_OK)
		return MB_EIO;
	return MB_OK;
}

void mb_live_free(struct mb_live *lv)
{
	if (lv->keys.tk)
		mb_hot_free(&lv->keys);
	if (lv->nsh.tk)
		mb_hot_free(&lv->nsh);
	for (unsigned c = 0; c < MB_CMD_COUNT; c++) {
		if (lv->cmd[c].lat) {
			mb_hist_free(lv->cmd[c].lat);
			free(lv->cmd[c].lat);
		}
	}
	memset(lv, 0, sizeof *lv);
}

void mb_live_event(struct mb_live *lv, const struct mb_event *ev)
{
	unsigned c = ev->cmd < MB_CMD_COUNT ? ev->cmd : MB_CMD_UNKNOWN;
	struct mb_live_cmd *lc = &lv->cmd[c];
	lv->events++;
	lv->total_events++;
	lc->ops++;
	if (mb_cmd_is_read(c)) {
		lc->hits += ev->status == MB_ST_HIT;
		lc->misses += ev->status == MB_ST_MISS;
		lv->total_hits += ev->status == MB_ST_HIT;
		lv->total_misses += ev->status == MB_ST_MISS;
	}
	lc->bytes += mb_cmd_is_store(c) ? ev->value_len : ev->status == MB_ST_HIT ? ev->resp_len : 0;
	if (ev->status != MB_ST_NONE && ev->status != MB_ST_UNANSWERED && ev->status < MB_ST_COUNT) {
		if (!lc->lat) {
			lc->lat = malloc(sizeof *lc->lat);
			if (lc->lat && mb_hist_init(lc->lat, 1, LAT_MAX_NS, 3) != MB_OK) {
				free(lc->lat);
				lc->lat = NULL;
			}
		}
		if (lc->lat) /* without memory for it the command shows no latency ("-") */
			mb_hist_record(lc->lat, ev->latency_ns ? ev->latency_ns : 1);
	}
	if (!mb_cmd_has_key(c))
		return;
	mb_hot_account(mb_hot_ref(&lv->keys, mb_stat_key_id(lv->hashed, ev), ev->key, ev->key_len), ev);
	if (lv->ns.on) {
		const uint8_t *seg;
		size_t len;
		uint64_t id = mb_ns_of(&lv->ns, ev, &seg, &len);
		mb_hot_account(mb_hot_ref(&lv->nsh, id, seg, len), ev);
	}
}

static void ratio(char *out, size_t cap, uint64_t h, uint64_t m)
{
	if (h + m)
		snprintf(out, cap, "%.2f", 100.0 * (double)h / (double)(h + m));
	else
		snprintf(out, cap, "-");
}

static void rate_bytes(char *out, size_t cap, uint64_t bytes, double s)
{
	char t[24];
	mb_fmt_bytes(t, sizeof t, (double)bytes / s);
	snprintf(out, cap, "%s/s", t);
}

/* One table of hot items (keys or namespaces). */
static bool hot_table(const struct mb_live *lv, const struct mb_hot *h, bool ns, double s, unsigned rows, struct mb_buf *out)
{
	struct mb_hot_item *it = malloc(sizeof *it * (rows ? rows : 1));
	if (!it)
		return false;
	size_t n = mb_hot_list(h, it, rows);
	bool tags = ns ? lv->ns.tags : lv->hashed;
	bool ok = mb_bprintf(out, "%s\n%10s %10s %7s %11s %9s %9s  %s\n", ns ? "NAMESPACES" : "HOT KEYS", "ops", "ops/s", "hit%", "bytes/s",
			     "lat mean", "lat max", ns ? "namespace" : "key");
	for (size_t i = 0; i < n && ok; i++) {
		const struct mb_hot_stats *st = it[i].s;
		char hr[16], by[32], lm[24] = "-", lx[24] = "-";
		ratio(hr, sizeof hr, st->hits, st->misses);
		rate_bytes(by, sizeof by, st->bytes, s);
		if (st->lat_n) {
			mb_dur_format(lm, sizeof lm, st->lat_sum / st->lat_n);
			mb_dur_format(lx, sizeof lx, st->lat_max);
		}
		ok = mb_bprintf(out, "%10" PRIu64 " %10.1f %7s %11s %9s %9s  ", it[i].count, (double)it[i].count / s, hr, by, lm, lx) &&
		     mb_report_name(out, tags, ns, it[i].id, it[i].name, st) && mb_bprintf(out, "%s\n", it[i].error ? " (estimate)" : "");
	}
	free(it);
	return ok;
}

bool mb_live_render(struct mb_live *lv, double interval_s, double elapsed_s, bool final, unsigned rows, struct mb_buf *out)
{
	double s = interval_s > 1e-3 ? interval_s : 1e-3;
	uint64_t h = 0, m = 0;
	for (unsigned c = 0; c < MB_CMD_COUNT; c++) {
		h += lv->cmd[c].hits;
		m += lv->cmd[c].misses;
	}
	char hr[16], th[16];
	ratio(hr, sizeof hr, h, m);
	ratio(th, sizeof th, lv->total_hits, lv->total_misses);
	bool ok = mb_bprintf(out, "mb-stat live%s: interval %.2f s, elapsed %.1f s, %" PRIu64 " events (%.1f ops/s), read hit%% %s; total %" PRIu64
				  " events, read hit%% %s\n",
			     final ? " (final)" : "", interval_s, elapsed_s, lv->events, (double)lv->events / s, hr, lv->total_events, th);
	ok = ok && mb_bprintf(out, "%-12s %10s %10s %7s %11s %9s %9s\n", "COMMANDS", "ops", "ops/s", "hit%", "bytes/s", "lat p50", "lat p99");
	for (unsigned c = 0; c < MB_CMD_COUNT && ok; c++) {
		struct mb_live_cmd *lc = &lv->cmd[c];
		if (!lc->ops)
			continue;
		char r[16], by[32], p50[24] = "-", p99[24] = "-";
		ratio(r, sizeof r, lc->hits, lc->misses);
		rate_bytes(by, sizeof by, lc->bytes, s);
		if (lc->lat && mb_hist_count(lc->lat)) {
			mb_dur_format(p50, sizeof p50, mb_hist_percentile(lc->lat, 50));
			mb_dur_format(p99, sizeof p99, mb_hist_percentile(lc->lat, 99));
		}
		ok = mb_bprintf(out, "  %-10s %10" PRIu64 " %10.1f %7s %11s %9s %9s\n", mb_cmd_name(c), lc->ops, (double)lc->ops / s, r, by, p50,
				p99);
	}
	ok = ok && hot_table(lv, &lv->keys, false, s, rows, out);
	if (ok && lv->ns.on)
		ok = hot_table(lv, &lv->nsh, true, s, rows, out);
	/* A new interval. */
	for (unsigned c = 0; c < MB_CMD_COUNT; c++) {
		struct mb_hist *l = lv->cmd[c].lat;
		if (l)
			mb_hist_reset(l);
		lv->cmd[c] = (struct mb_live_cmd){ .lat = l };
	}
	lv->events = 0;
	mb_hot_clear(&lv->keys);
	if (lv->ns.on)
		mb_hot_clear(&lv->nsh);
	return ok;
}

/* ---- the loop: the main thread reads, a timer thread draws ---- */

struct runner {
	struct mb_live lv;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t reader;
	bool done;           /* the input ended: the drawer draws the last screen itself */
	int out_fd;
	bool tty;
	int rc;              /* the drawer's write result */
	struct mb_err err;
	uint64_t start_ns, last_ns;
	struct mb_buf buf;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * MB_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Cut every line of b after `cols` bytes (the screen is ASCII: names are escaped), so none wraps. */
static void clip_lines(struct mb_buf *b, unsigned cols)
{
	size_t o = 0, col = 0;
	bool esc = false; /* inside an escape sequence: no columns, up to its final letter */
	for (size_t i = 0; i < b->len; i++) {
		char c = b->p[i];
		if (esc || c == '\033') {
			esc = c == '\033' || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'));
		} else if (c == '\n') {
			col = 0;
		} else if (col++ >= cols) {
			continue;
		}
		b->p[o++] = c;
	}
	b->len = o;
}

/* Draw the interval that ends now; called with the lock held. */
static void draw(struct runner *ru, bool final)
{
	uint64_t t = now_ns();
	unsigned rows = ru->lv.o.top, cols = 0;
	ru->buf.len = 0;
	if (ru->tty) {
		struct winsize ws;
		unsigned fixed = 4 + 2 * 2 + (unsigned)MB_CMD_COUNT / 4;
		if (ioctl(ru->out_fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row > fixed + 2) {
			unsigned fit = (ws.ws_row - fixed) / (ru->lv.ns.on ? 2u : 1u);
			rows = rows < fit ? rows : fit;
			cols = ws.ws_col;
		}
	}
	bool ok = (!ru->tty || mb_bprintf(&ru->buf, "\033[H\033[2J")) &&
		  mb_live_render(&ru->lv, (double)(t - ru->last_ns) / 1e9, (double)(t - ru->start_ns) / 1e9, final, rows, &ru->buf) &&
		  (ru->tty || mb_bprintf(&ru->buf, "\n"));
	ru->last_ns = t;
	if (ok && cols)
		clip_lines(&ru->buf, cols);
	if (!ok && ru->rc == MB_OK)
		ru->rc = mb_err_set(&ru->err, MB_EIO, "out of memory for the live screen");
	if (ru->rc == MB_OK)
		ru->rc = mb_write_all(ru->out_fd, ru->buf.p, ru->buf.len, "stdout", &ru->err);
}

static void *drawer(void *arg)
{
	struct runner *ru = arg;
	uint64_t tick = ru->lv.o.window_ns, next = ru->start_ns + tick;
	pthread_mutex_lock(&ru->mu);
	while (!ru->done && ru->rc == MB_OK) {
		struct timespec dl = { (time_t)(next / MB_NS_PER_SEC), (long)(next % MB_NS_PER_SEC) };
		int w = pthread_cond_timedwait(&ru->cv, &ru->mu, &dl);
		if (w == ETIMEDOUT && !ru->done) {
			/* A stop signal that came while the reader was not in read(2) left it blocked: wake it. */
			if (mb_stop_requested)
				pthread_kill(ru->reader, SIGTERM);
			draw(ru, false);
			next += tick;
			uint64_t t = now_ns();
			if (next <= t) /* fell behind (a stopped terminal): skip the missed ticks */
				next = t + tick;
		}
	}
	bool failed = ru->rc != MB_OK;
	pthread_mutex_unlock(&ru->mu);
	/* The output is gone: end the read, which may be blocked, as SIGTERM would. */
	if (failed)
		pthread_kill(ru->reader, SIGTERM);
	return NULL;
}

int mb_live_run(struct mb_reader *r, const struct mb_stat_opts *o, int out_fd, struct mb_err *err)
{
	struct runner *ru = calloc(1, sizeof *ru);
	if (!ru)
		return mb_err_set(err, MB_EIO, "out of memory for the live view");
	int rc = mb_live_init(&ru->lv, o, &r->info, err);
	if (rc != MB_OK) {
		mb_live_free(&ru->lv);
		free(ru);
		return rc;
	}
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&ru->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&ru->mu, NULL);
	ru->out_fd = out_fd;
	ru->tty = isatty(out_fd);
	ru->reader = pthread_self();
	ru->start_ns = ru->last_ns = now_ns();
	/* SIGINT/SIGTERM must reach this (the reading) thread: the drawer starts with them blocked. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	pthread_t th;
	int prc = pthread_create(&th, NULL, drawer, ru);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (prc != 0) {
		rc = mb_err_set(err, MB_EIO, "cannot start the live view's timer thread: %s", strerror(prc));
	} else {
		struct mb_frame f;
		struct mb_event ev;
		while ((rc = mb_reader_next(r, &f, err)) == MB_OK) {
			if (f.type != MB_FRAME_EVENT)
				continue;
			if (mb_event_decode(f.payload, f.len, r->info.kind, &ev, err) != MB_OK) {
				rc = mb_err_at(err, r->name, f.offset);
				break;
			}
			pthread_mutex_lock(&ru->mu);
			mb_live_event(&ru->lv, &ev);
			pthread_mutex_unlock(&ru->mu);
		}
		if (rc == MB_END)
			rc = MB_OK;
		pthread_mutex_lock(&ru->mu);
		ru->done = true;
		pthread_cond_signal(&ru->cv);
		pthread_mutex_unlock(&ru->mu);
		pthread_join(th, NULL);
		if (ru->rc == MB_OK)
			draw(ru, true);
		/* An output failure outranks the end of input it caused. */
		if (ru->rc != MB_OK) {
			rc = ru->rc;
			*err = ru->err;
		}
	}
	pthread_cond_destroy(&ru->cv);
	pthread_mutex_destroy(&ru->mu);
	mb_buf_free(&ru->buf);
	mb_live_free(&ru->lv);
	free(ru);
	return rc;
}
