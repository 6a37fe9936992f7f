/* fire_report.c - the replay's report (text and JSON), the progress line, statistics summed over workers. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fire_int.h"
#include "mbtime.h"
#include "prog.h"

bool fire_status_is_error(unsigned st)
{
	return st == MB_ST_ERROR || st == MB_ST_CLIENT_ERROR || st == MB_ST_SERVER_ERROR || st == MB_ST_UNANSWERED;
}

bool fire_cmd_hists(struct fire_cmd_stats *cs)
{
	if (cs->lat_int)
		return true;
	struct mb_hist *a = malloc(sizeof *a), *b = malloc(sizeof *b);
	if (!a || !b || mb_hist_init(a, FIRE_HIST_LO, FIRE_HIST_HI, 3) != MB_OK) {
		free(a);
		free(b);
		return false;
	}
	if (mb_hist_init(b, FIRE_HIST_LO, FIRE_HIST_HI, 3) != MB_OK) {
		mb_hist_free(a);
		free(a);
		free(b);
		return false;
	}
	cs->lat_int = a;
	cs->lat_act = b;
	return true;
}

void fire_stats_sum(struct fire_run *r)
{
	struct fire_stats *tot = &r->total;
	mb_hist_init(&tot->late, FIRE_HIST_LO, FIRE_HIST_HI, 3);
	for (unsigned i = 0; i < r->opt.threads; i++) {
		struct fire_stats *s = &r->workers[i].s;
		for (unsigned c = 0; c < MB_CMD_COUNT; c++) {
			for (unsigned st = 0; st < MB_ST_COUNT; st++)
				tot->cmd[c].st[st] += s->cmd[c].st[st];
			if (s->cmd[c].lat_int && fire_cmd_hists(&tot->cmd[c])) {
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
		tot->unconfirmed += s->unconfirmed;
		tot->unsent += s->unsent;
		tot->rec_hits += s->rec_hits;
		tot->rec_reads += s->rec_reads;
		tot->rep_hits += s->rep_hits;
		tot->rep_reads += s->rep_reads;
		tot->connects += s->connects;
		tot->connect_fail += s->connect_fail;
		tot->resets += s->resets;
		tot->desync += s->desync;
		tot->waited += s->waited;
		tot->wait_ns += s->wait_ns;
		tot->barriers += s->barriers;
		if (s->first_send && (!tot->first_send || s->first_send < tot->first_send))
			tot->first_send = s->first_send;
		if (s->last_done > tot->last_done)
			tot->last_done = s->last_done;
	}
}

uint64_t fire_run_lost(const struct fire_run *r)
{
	return r->total.lost + r->total.cancelled + r->total.unconfirmed + r->total.unsent;
}

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
int64_t fire_host_steal_ms(void)
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

/* The text report. */
static void report_text(const struct fire_run *r, FILE *o)
{
	const struct fire_stats *s = &r->total;
	const struct fire_opts *opt = &r->opt;
	double elapsed = r->elapsed, cpu = r->cpu;
	int64_t steal_ms = r->steal_ms;
	char b1[32], b2[32], b3[32], b4[32], b5[32];
	fprintf(o, "mb-fire: %" PRIu64 " operations (%" PRIu64 " requests) in %.3f s: %.0f ops/s%s\n", s->ops,
		s->requests, elapsed, elapsed > 0 ? (double)s->ops / elapsed : 0.0,
		r->interrupted ? " (interrupted)" : atomic_load(&r->duration_hit) ? " (duration reached)" : "");
	fprintf(o, "targets:");
	for (unsigned t = 0; t < opt->ntargets; t++)
		fprintf(o, " %s", opt->targets[t].name);
	if (opt->ntargets > 1)
		fprintf(o, r->sched.by_server ? " (recorded server N to target N)" : " (keys by consistent hashing)");
	fprintf(o, "\ninput: %" PRIu64 " events, %" PRIu64 " not replayable (quit, auth, admin, debug, verbosity, unknown)\n",
		r->in_events, r->in_skipped);
	fprintf(o, "connections: %" PRIu64 " opened, %" PRIu64 " failed to open, %" PRIu64 " broke\n", s->connects,
		s->connect_fail, s->resets);
	fprintf(o, "errors: %" PRIu64 " (lost to broken connections %" PRIu64 ", unanswered at the end %" PRIu64
		   ", quiet unconfirmed %" PRIu64 ", never sent %" PRIu64 ", out of sync %" PRIu64 ")\n", s->errors, s->lost,
		s->cancelled, s->unconfirmed, s->unsent, s->desync);
	if (opt->order)
		fprintf(o, "order: %" PRIu64 " requests waited for their key's order, %.3f ms in all; %" PRIu64
			   " barriers; recorded overlaps %" PRIu64 " (%" PRIu64 " told by statuses, %" PRIu64
			   " statuses say the other order, %" PRIu64 " ambiguous)\n", s->waited, (double)s->wait_ns / 1e6,
			s->barriers, r->order.overlaps, r->order.told, r->order.reversed, r->order.ambiguous);
	else
		fprintf(o, "order: off\n");
	if (opt->mode != FIRE_MAX) {
		fmt_dur(b1, sizeof b1, mb_hist_percentile(&s->late, 50));
		fmt_dur(b2, sizeof b2, mb_hist_percentile(&s->late, 99));
		fmt_dur(b3, sizeof b3, mb_hist_percentile(&s->late, 99.9));
		fmt_dur(b4, sizeof b4, mb_hist_max(&s->late));
		fprintf(o, "lateness: p50 %s p99 %s p99.9 %s max %s\n", b1, b2, b3, b4);
	}
	if (steal_ms >= 0)
		fprintf(o, "host: %" PRId64 " ms of CPU time taken by the hypervisor (steal) during the replay\n",
			steal_ms);
	if (opt->mode != FIRE_MAX && !opt->no_priority && opt->boost_off)
		fprintf(o, "priority: workers at the inherited nice value (%s)\n", opt->boost_off);
	else if (opt->mode != FIRE_MAX && !opt->no_priority) {
		if (atomic_load(&((struct fire_run *)r)->boosted) == opt->threads)
			fprintf(o, "priority: %u workers at nice %d\n", opt->threads, FIRE_WORKER_NICE);
		else
			fprintf(o, "priority: %u of %u workers at nice %d (%s: root or CAP_SYS_NICE makes timing steadier)\n",
				atomic_load(&((struct fire_run *)r)->boosted), opt->threads, FIRE_WORKER_NICE, strerror(atomic_load(&((struct fire_run *)r)->boost_errno)));
	}
	if (s->rec_reads || s->rep_reads)
		fprintf(o, "hit ratio: recorded %.1f%%, replayed %.1f%%\n", pct(s->rec_hits, s->rec_reads),
			pct(s->rep_hits, s->rep_reads));
	fprintf(o, "cpu: %.3f s, %.2f us/op\n", cpu, s->ops ? cpu * 1e6 / (double)s->ops : 0.0);
	fprintf(o, "%-10s %10s %9s %9s %9s %9s %9s  %s\n", "command", "ops", "p50", "p90", "p99", "p99.9", "max",
		"statuses (latency from the intended send time)");
	for (unsigned c = 0; c < MB_CMD_COUNT; c++) {
		const struct fire_cmd_stats *cs = &s->cmd[c];
		uint64_t n = 0;
		for (unsigned st = 0; st < MB_ST_COUNT; st++)
			n += cs->st[st];
		if (!n)
			continue;
		const struct mb_hist *h = cs->lat_int;
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
}

/* The JSON report. */
static void report_json(const struct fire_run *r, FILE *f)
{
	const struct fire_stats *s = &r->total;
	const struct fire_opts *opt = &r->opt;
	double elapsed = r->elapsed, cpu = r->cpu;
	int64_t steal_ms = r->steal_ms;
	bool interrupted = r->interrupted;
	fprintf(f, "{\"program\": \"mb-fire\", \"version\": \"%s\", \"mode\": \"%s\", \"interrupted\": %s,\n",
		MB_VERSION, opt->mode == FIRE_MAX ? "max" : opt->mode == FIRE_RATE ? "rate" : "recorded",
		interrupted ? "true" : "false");
	fprintf(f, " \"elapsed_s\": %.6f, \"ops\": %" PRIu64 ", \"requests\": %" PRIu64 ", \"ops_per_s\": %.1f,\n", elapsed,
		s->ops, s->requests, elapsed > 0 ? (double)s->ops / elapsed : 0.0);
	fprintf(f, " \"cpu_s\": %.6f, \"cpu_us_per_op\": %.4f,\n", cpu, s->ops ? cpu * 1e6 / (double)s->ops : 0.0);
	if (steal_ms >= 0)
		fprintf(f, " \"host_steal_ms\": %" PRId64 ",\n", steal_ms);
	fprintf(f, " \"workers\": %u, \"workers_boosted\": %u,\n", opt->threads, atomic_load(&((struct fire_run *)r)->boosted));
	fprintf(f, " \"input_events\": %" PRIu64 ", \"not_replayable\": %" PRIu64 ",\n", r->in_events, r->in_skipped);
	fprintf(f, " \"connections\": {\"opened\": %" PRIu64 ", \"failed\": %" PRIu64 ", \"broke\": %" PRIu64 "},\n",
		s->connects, s->connect_fail, s->resets);
	fprintf(f, " \"errors\": %" PRIu64 ", \"lost\": %" PRIu64 ", \"unanswered\": %" PRIu64 ", \"unconfirmed\": %" PRIu64
		   ", \"unsent\": %" PRIu64 ", \"desync\": %" PRIu64 ",\n", s->errors, s->lost, s->cancelled, s->unconfirmed,
		s->unsent, s->desync);
	fprintf(f, " \"order\": {\"on\": %s, \"waited\": %" PRIu64 ", \"wait_ms\": %.3f, \"barriers\": %" PRIu64
		   ", \"overlaps\": %" PRIu64 ", \"told\": %" PRIu64 ", \"reversed\": %" PRIu64 ", \"ambiguous\": %" PRIu64 "},\n",
		opt->order ? "true" : "false", s->waited, (double)s->wait_ns / 1e6, s->barriers, r->order.overlaps,
		r->order.told, r->order.reversed, r->order.ambiguous);
	fprintf(f, " \"hit_ratio\": {\"recorded\": %.4f, \"replayed\": %.4f, \"recorded_reads\": %" PRIu64
		   ", \"replayed_reads\": %" PRIu64 "},\n", pct(s->rec_hits, s->rec_reads), pct(s->rep_hits, s->rep_reads),
		s->rec_reads, s->rep_reads);
	fprintf(f, " ");
	json_hist(f, "lateness", &s->late);
	fprintf(f, ",\n \"commands\": {");
	bool first = true;
	for (unsigned c = 0; c < MB_CMD_COUNT; c++) {
		const struct fire_cmd_stats *cs = &s->cmd[c];
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
}

int fire_report(struct fire_run *r, FILE *text, FILE *json, struct mb_err *err)
{
	report_text(r, text);
	if (fflush(text) != 0 || ferror(text))
		return mb_err_set(err, MB_EIO, "cannot write the report: %s", strerror(errno));
	if (!json)
		return MB_OK;
	report_json(r, json);
	if (fflush(json) != 0 || ferror(json))
		return mb_err_set(err, MB_EIO, "cannot write the JSON report: %s", strerror(errno));
	return MB_OK;
}

/* ---------------------------------------------------------------- progress */

void *fire_progress_main(void *arg)
{
	struct fire_run *r = arg;
	const struct fire_opts *opt = &r->opt;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	struct mb_hist lat, late;
	mb_hist_init(&lat, FIRE_HIST_LO, FIRE_HIST_HI, 3);
	mb_hist_init(&late, FIRE_HIST_LO, FIRE_HIST_HI, 3);
	while (!atomic_load(&r->started) && !atomic_load(&r->stop)) {
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	uint64_t last_ops = 0, t_last = mb_mono_ns();
	uint64_t stop_at = opt->duration ? r->start_ns + opt->duration : UINT64_MAX;
	while (!atomic_load(&r->stop)) {
		struct timespec ts = { 0, 5000000 };
		nanosleep(&ts, NULL);
		uint64_t now = mb_mono_ns();
		if (now >= stop_at) {
			atomic_store(&r->duration_hit, 1);
			atomic_store(&r->stop, 1);
			pthread_kill(r->main_thread, SIGUSR1); /* out of a blocking read */
			break;
		}
		if (now - t_last < 1000000000ull)
			continue;
		uint64_t ops = 0, errs = 0;
		for (unsigned i = 0; i < opt->threads; i++) {
			struct fire_worker *w = &r->workers[i];
			ops += atomic_load_explicit(&w->p_ops, memory_order_relaxed);
			errs += atomic_load_explicit(&w->p_err, memory_order_relaxed);
			pthread_mutex_lock(&w->mu);
			mb_hist_merge(&lat, &w->shared_lat);
			mb_hist_merge(&late, &w->shared_late);
			mb_hist_reset(&w->shared_lat);
			mb_hist_reset(&w->shared_late);
			pthread_mutex_unlock(&w->mu);
		}
		if (opt->progress) {
			char b1[32], b2[32];
			mb_dur_format(b1, sizeof b1, mb_hist_percentile(&lat, 99));
			mb_dur_format(b2, sizeof b2, mb_hist_percentile(&late, 99));
			fprintf(opt->progress, "mb-fire: %.0fs %.0f ops/s p99 %s errors %" PRIu64 " lateness p99 %s\n",
				(double)(now - r->start_ns) / 1e9, (double)(ops - last_ops) * 1e9 / (double)(now - t_last), b1,
				errs, opt->mode == FIRE_MAX ? "-" : b2);
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
