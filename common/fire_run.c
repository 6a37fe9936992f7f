/* fire_run.c - one replay run: set up the workers, read the input (warm, loops), stop, sum up. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "fire_int.h"
#include "hdrlog.h"
#include "mbtime.h"
#include "prog.h"

struct fire_run *fire_run_new(const struct fire_opts *opts, struct mb_err *err)
{
	struct fire_run *r = calloc(1, sizeof *r);
	if (!r) {
		mb_err_set(err, MB_EIO, "out of memory");
		return NULL;
	}
	r->opt = *opts;
	r->sched.rng = 0x9e3779b97f4a7c15ull;
	r->steal_ms = -1;
	fire_cas_init(&r->cas);
	r->main_bell = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	r->prog_bell = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->main_bell < 0 || r->prog_bell < 0) {
		mb_err_set(err, MB_EIO, "cannot make an eventfd: %s", strerror(errno));
		fire_run_free(r);
		return NULL;
	}
	const char *names[FIRE_TARGETS_MAX];
	for (unsigned t = 0; t < r->opt.ntargets; t++)
		names[t] = r->opt.targets[t].name;
	if (mb_chash_init(&r->ring, names, r->opt.ntargets, err) != MB_OK ||
	    fire_order_init(&r->order, r->opt.order, r->opt.threads, err) != MB_OK || fire_record_open(r, err) != MB_OK) {
		fire_run_free(r);
		return NULL;
	}
	r->workers = calloc(r->opt.threads, sizeof *r->workers);
	if (!r->workers) {
		mb_err_set(err, MB_EIO, "out of memory");
		fire_run_free(r);
		return NULL;
	}
	for (unsigned i = 0; i < r->opt.threads; i++) {
		struct fire_worker *w = &r->workers[i];
		w->id = (int)i;
		w->run = r;
		w->efd = -1;
		w->items = calloc(FIRE_RING, sizeof *w->items);
		if (w->items)
			memset(w->items, 0, FIRE_RING * sizeof *w->items); /* fault the pages in now, not on the clock */
		w->loop = mb_evloop_create(err);
		w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		pthread_mutex_init(&w->mu, NULL);
		if (!w->items || !w->loop || w->efd < 0 ||
		    mb_hist_init(&w->s.late, FIRE_HIST_LO, FIRE_HIST_HI, 3) != MB_OK ||
		    mb_hist_init(&w->s.late_own, FIRE_HIST_LO, FIRE_HIST_HI, 3) != MB_OK ||
		    mb_hist_init(&w->ival_lat, FIRE_HIST_LO, FIRE_HIST_HI, 3) != MB_OK ||
		    mb_hist_init(&w->ival_late, FIRE_HIST_LO, FIRE_HIST_HI, 3) != MB_OK ||
		    mb_hist_init(&w->shared_lat, FIRE_HIST_LO, FIRE_HIST_HI, 3) != MB_OK ||
		    mb_hist_init(&w->shared_late, FIRE_HIST_LO, FIRE_HIST_HI, 3) != MB_OK) {
			if (w->loop)
				mb_err_set(err, MB_EIO, "cannot set up worker %u: out of memory", i);
			fire_run_free(r);
			return NULL;
		}
	}
	return r;
}

static void stats_free(struct fire_stats *s)
{
	for (unsigned c = 0; c < MB_CMD_COUNT; c++) {
		if (s->cmd[c].lat_int) {
			mb_hist_free(s->cmd[c].lat_int);
			mb_hist_free(s->cmd[c].lat_act);
			free(s->cmd[c].lat_int);
			free(s->cmd[c].lat_act);
		}
	}
	mb_hist_free(&s->late);
	mb_hist_free(&s->late_own);
}

void fire_run_free(struct fire_run *r)
{
	if (!r)
		return;
	fire_metrics_free(r); /* its responder reads the workers */
	fire_clock_free(r);
	for (unsigned i = 0; r->workers && i < r->opt.threads; i++) {
		struct fire_worker *w = &r->workers[i];
		for (uint32_t k = 0; k < w->nchunks; k++)
			free(w->chunks[k]);
		free(w->chunks);
		free(w->waitlist);
		free(w->taillist);
		free(w->iolist);
		mb_uring_close(w->ring);
		free(w->items);
		mb_evloop_free(w->loop);
		if (w->efd >= 0)
			close(w->efd);
		stats_free(&w->s);
		mb_hist_free(&w->ival_lat);
		mb_hist_free(&w->ival_late);
		mb_hist_free(&w->shared_lat);
		mb_hist_free(&w->shared_late);
		for (unsigned c = 0; c < MB_CMD_COUNT; c++) {
			fire_hist_del(w->ival_cmd[c]);
			fire_hist_del(w->shared_cmd[c]);
		}
		pthread_mutex_destroy(&w->mu);
	}
	free(r->workers);
	if (r->hdr_log) /* not started: the progress thread closes it */
		mb_hdrlog_close(r->hdr_log, NULL);
	free(r->hdr_log);
	fire_record_free(r);
	if (r->main_bell >= 0)
		close(r->main_bell);
	if (r->prog_bell >= 0)
		close(r->prog_bell);
	stats_free(&r->total);
	fire_order_free(&r->order);
	fire_cas_free(&r->cas);
	fire_sched_free(&r->sched);
	fire_shard_free(&r->shard);
	mb_chash_free(&r->ring);
	free(r);
}

int fire_run_check_targets(struct fire_run *r, struct mb_err *err)
{
	for (unsigned t = 0; t < r->opt.ntargets; t++) {
		int s = fire_connect_blocking(&r->opt.targets[t], err);
		if (s < 0)
			return MB_EIO;
		close(s);
	}
	return MB_OK;
}

int fire_run_warm(struct fire_run *r, int fd, const char *name, uint64_t *stored, struct mb_err *err)
{
	int rc = fire_warm(r, fd, name, err);
	*stored = r->warmed;
	if (rc == MB_OK)
		lseek(fd, 0, SEEK_SET);
	return rc;
}

static void on_usr1(int sig)
{
	(void)sig;
	mb_stop_requested = 1;
}

void fire_bell_ring(int bell)
{
	uint64_t one = 1;
	if (write(bell, &one, sizeof one) < 0)
		return; /* full: a wake-up is pending anyway */
}

void fire_bell_wait(int bell, uint64_t deadline, const sigset_t *mask)
{
	struct pollfd pfd = { .fd = bell, .events = POLLIN };
	struct timespec ts, *tp = NULL;
	if (deadline != UINT64_MAX) {
		uint64_t now = mb_mono_ns(), left = deadline > now ? deadline - now : 0;
		ts.tv_sec = (time_t)(left / 1000000000u);
		ts.tv_nsec = (long)(left % 1000000000u);
		tp = &ts;
	}
	uint64_t v;
	if (ppoll(&pfd, 1, tp, mask) > 0 && read(bell, &v, sizeof v) < 0)
		return; /* another waiter drained it */
}

/* Read the input as many times as asked. */
static int read_input(struct fire_run *r, int fd, const char *name, struct mb_err *err)
{
	int rc = MB_OK;
	for (uint64_t loop = 0; rc == MB_OK && (r->opt.loops == 0 || loop < r->opt.loops); loop++) {
		if (loop) {
			lseek(fd, 0, SEEK_SET);
			fire_sched_next_loop(r, loop);
		}
		rc = fire_sched_pass(r, fd, name, err);
		fire_sched_start(r, true);
		if (r->sched.past_duration || (rc == MB_OK && loop == 0 && r->in_events == 0))
			break;
	}
	return rc;
}

static double cpu_s(const struct rusage *a, const struct rusage *b)
{
	return (double)(b->ru_utime.tv_sec - a->ru_utime.tv_sec) + (double)(b->ru_stime.tv_sec - a->ru_stime.tv_sec) +
	       ((double)(b->ru_utime.tv_usec - a->ru_utime.tv_usec) + (double)(b->ru_stime.tv_usec - a->ru_stime.tv_usec)) / 1e6;
}

int fire_run_replay(struct fire_run *r, int fd, const char *name, struct mb_err *err)
{
	struct sigaction sa = { 0 };
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	r->main_thread = pthread_self();
	struct rusage ru0, ru1;
	getrusage(RUSAGE_SELF, &ru0);
	int64_t steal0 = fire_host_steal_ms();
	fire_clock_learn(r); /* before the workers: none of the replay's own traffic is out yet */
	unsigned started = 0;
	for (; started < r->opt.threads; started++)
		if (pthread_create(&r->workers[started].th, NULL, fire_worker_main, &r->workers[started]))
			break;
	pthread_t prog;
	bool have_prog = started == r->opt.threads && !pthread_create(&prog, NULL, fire_progress_main, r);
	int rc = have_prog ? read_input(r, fd, name, err) : mb_err_set(err, MB_EIO, "cannot start threads");
	if (have_prog && rc != MB_OK && rc != MB_END) {
		/* the input ended in an error: what was read before it is replayed and reported,
		   and the run fails with that error (fire_run_input_error) */
		r->input_rc = rc;
		r->input_err = *err;
		rc = MB_OK;
	}
	fire_reader_raise(r, false); /* this thread waits for the workers and writes the reports */
	fire_sched_start(r, true);
	atomic_store(&r->reader_done, 1);
	if (rc != MB_OK && rc != MB_END) {
		atomic_store(&r->stop, 1); /* no threads to replay with: stop now */
		fire_bell_ring(r->prog_bell);
	}
	for (unsigned i = 0; i < started; i++)
		fire_poke(&r->workers[i]);
	/* wait for the workers, which ring the bell as they finish; signals come in only during
	   the wait, so one ends it at once and wakes them, and a stop does not wait for their
	   next look at the flag */
	sigset_t sigs, open_sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &sigs, &open_sigs);
	bool poked = false;
	for (unsigned i = 0; i < started;) {
		if (atomic_load(&r->workers[i].finished)) {
			i++;
			continue;
		}
		if (mb_stop_requested && !poked) {
			poked = true;
			for (unsigned k = 0; k < started; k++)
				fire_poke(&r->workers[k]);
		}
		fire_bell_wait(r->main_bell, UINT64_MAX, &open_sigs);
	}
	pthread_sigmask(SIG_SETMASK, &open_sigs, NULL);
	for (unsigned i = 0; i < started; i++)
		pthread_join(r->workers[i].th, NULL);
	fire_clock_stop(r);
	r->interrupted = mb_stop_requested && !atomic_load(&r->duration_hit);
	atomic_store(&r->stop, 1);
	fire_bell_ring(r->prog_bell);
	if (have_prog)
		pthread_join(prog, NULL);
	if (rc != MB_OK && rc != MB_END)
		return rc;
	for (unsigned i = 0; i < r->opt.threads; i++)
		if (r->workers[i].failed)
			return mb_err_set(err, MB_EIO, "event loop failed: %s", r->workers[i].err.msg);
	fire_stats_sum(r);
	getrusage(RUSAGE_SELF, &ru1);
	r->cpu = cpu_s(&ru0, &ru1);
	r->elapsed = r->total.last_done > r->start_ns ? (double)(r->total.last_done - r->start_ns) / 1e9 : 0.0;
	int64_t steal1 = fire_host_steal_ms();
	r->steal_ms = steal0 >= 0 && steal1 >= steal0 ? steal1 - steal0 : -1;
	return MB_OK;
}

int fire_run_input_error(const struct fire_run *r, struct mb_err *err)
{
	if (r->input_rc != MB_OK)
		*err = r->input_err;
	return r->input_rc;
}

int fire_run_record_end(struct fire_run *r, uint64_t *events, struct mb_err *err) { return fire_record_end(r, events, err); }
