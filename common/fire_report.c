/* fire_report.c - the replay's text and HTML reports, the progress line, statistics summed over workers. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fire_int.h"
#include "hdrlog.h"
#include "mbtime.h"
#include "prog.h"
#include "report_svg.h"

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
	mb_hist_init(&tot->late_own, FIRE_HIST_LO, FIRE_HIST_HI, 3);
	for (unsigned i = 0; i < r->opt.threads; i++) {
		struct fire_stats *s = &r->workers[i].s;
		for (unsigned c = 0; c < MB_CMD_COUNT; c++) {
			for (unsigned st = 0; st < MB_ST_COUNT; st++)
				tot->cmd[c].st[st] += s->cmd[c].st[st];
			if (s->cmd[c].lat_int && fire_cmd_hists(&tot->cmd[c])) {
				mb_hist_merge(tot->cmd[c].lat_int, s->cmd[c].lat_int);
				mb_hist_merge(tot->cmd[c].lat_act, r->opt.mode == FIRE_MAX ? s->cmd[c].lat_int : s->cmd[c].lat_act);
			}
		}
		mb_hist_merge(&tot->late, &s->late);
		mb_hist_merge(&tot->late_own, &s->late_own);
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
		tot->given_up += s->given_up;
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

void fire_report_text(const struct fire_run *r, FILE *o)
{
	const struct fire_stats *s = &r->total;
	const struct fire_opts *opt = &r->opt;
	double elapsed = r->elapsed, cpu = r->cpu;
	int64_t steal_ms = r->steal_ms;
	char b1[32], b2[32], b3[32], b4[32], b5[32];
	/* the rate counts answered operations: lost ones can all end at once (a queue given up) */
	mb_rate_format(b1, sizeof b1, elapsed > 0 && s->ops > s->errors ? (double)(s->ops - s->errors) / elapsed : 0.0);
	fprintf(o, "mb-fire: %" PRIu64 " operations (%" PRIu64 " requests) in %.3f s: %s ops/s", s->ops, s->requests, elapsed, b1);
	if (s->errors)
		fprintf(o, " answered, %" PRIu64 " errors", s->errors);
	fprintf(o, "%s\n", r->interrupted ? " (interrupted)" : atomic_load(&r->duration_hit) ? " (duration reached)" : "");
	fprintf(o, "targets:");
	for (unsigned t = 0; t < opt->ntargets; t++)
		fprintf(o, " %s", opt->targets[t].name);
	if (opt->ntargets > 1)
		fprintf(o, r->sched.by_server ? " (recorded server N to target N)" : " (keys by consistent hashing)");
	fprintf(o, "\ninput: %" PRIu64 " events, %" PRIu64 " not replayable (quit, auth, admin, debug, verbosity, unknown)\n",
		r->in_events, r->in_skipped);
	if (r->input_rc != MB_OK)
		fprintf(o, "input error: %s (the events before it were replayed)\n", r->input_err.msg);
	fprintf(o, "connections: %" PRIu64 " opened, %" PRIu64 " failed to open, %" PRIu64 " broke", s->connects,
		s->connect_fail, s->resets);
	if (s->given_up)
		fprintf(o, ", %" PRIu64 " given up (no answer for the --drain time)", s->given_up);
	fputc('\n', o);
	fprintf(o, "errors: %" PRIu64 " (lost in transit %" PRIu64 ", unanswered at the end %" PRIu64
		   ", quiet unconfirmed %" PRIu64 ", never sent %" PRIu64 ", out of sync %" PRIu64 ")\n", s->errors, s->lost,
		s->cancelled, s->unconfirmed, s->unsent, s->desync);
	fire_shard_report_text(r, o);
	if (opt->order)
		fprintf(o, "order: %" PRIu64 " requests waited for their key's order, %.3f ms in all; %" PRIu64
			   " barriers; recorded overlaps %" PRIu64 " (%" PRIu64 " told by statuses; %" PRIu64
			   " statuses say the other order: %" PRIu64 " replayed so, %" PRIu64 " could not be; %" PRIu64
			   " ambiguous)\n", s->waited, (double)s->wait_ns / 1e6,
			s->barriers, r->order.overlaps, r->order.told, r->order.reversed, r->order.reversed - r->order.reversed_kept,
			r->order.reversed_kept, r->order.ambiguous);
	else
		fprintf(o, "order: off\n");
	if (opt->mode != FIRE_MAX) {
		fmt_dur(b1, sizeof b1, mb_hist_percentile(&s->late, 50));
		fmt_dur(b2, sizeof b2, mb_hist_percentile(&s->late, 99));
		fmt_dur(b3, sizeof b3, mb_hist_percentile(&s->late, 99.9));
		fmt_dur(b4, sizeof b4, mb_hist_max(&s->late));
		fprintf(o, "lateness: p50 %s p99 %s p99.9 %s max %s\n", b1, b2, b3, b4);
		if (opt->order) { /* what the sender added: the lateness up to a wait for the key's order */
			fmt_dur(b1, sizeof b1, mb_hist_percentile(&s->late_own, 50));
			fmt_dur(b2, sizeof b2, mb_hist_percentile(&s->late_own, 99));
			fmt_dur(b3, sizeof b3, mb_hist_percentile(&s->late_own, 99.9));
			fmt_dur(b4, sizeof b4, mb_hist_max(&s->late_own));
			fprintf(o, "lateness less order waits: p50 %s p99 %s p99.9 %s max %s\n", b1, b2, b3, b4);
		}
	}
	for (unsigned t = 0; t < opt->ntargets; t++) {
		struct fire_clock_stats cs;
		if (fire_clock_stats(r, t, &cs))
			fprintf(o, "ttl clock: %s: %" PRIu64 " ticks located (%" PRIu64 " watches began late), %.6f s apart, "
				   "predicted within %.3f ms\n", opt->targets[t].name, cs.located, cs.missed,
				(double)cs.period_ns / 1e9, (double)cs.worst_error_ns / 1e6);
	}
	if (steal_ms >= 0)
		fprintf(o, "host: %" PRId64 " ms of CPU time taken by the hypervisor (steal) during the replay\n",
			steal_ms);
	if (r->reports > 1)
		fprintf(o, "merged: %u reports, their starts %.3f ms apart at most\n", r->reports, (double)r->start_spread_ns / 1e6);
	if (r->reports) {
		if (fire_priority_tried(r))
			fprintf(o, "priority: %u of %u workers at nice %d\n", atomic_load(&((struct fire_run *)r)->boosted), opt->threads,
				FIRE_WORKER_NICE);
	} else if (opt->mode != FIRE_MAX && !opt->no_priority && opt->boost_off)
		fprintf(o, "priority: workers at the inherited nice value (%s)\n", opt->boost_off);
	else if (opt->mode != FIRE_MAX && !opt->no_priority) {
		if (atomic_load(&((struct fire_run *)r)->boosted) == opt->threads)
			fprintf(o, "priority: %u workers at nice %d\n", opt->threads, FIRE_WORKER_NICE);
		else
			fprintf(o, "priority: %u of %u workers at nice %d (%s: root or CAP_SYS_NICE makes timing steadier)\n",
				atomic_load(&((struct fire_run *)r)->boosted), opt->threads, FIRE_WORKER_NICE, strerror(atomic_load(&((struct fire_run *)r)->boost_errno)));
	}
	unsigned uw = atomic_load(&((struct fire_run *)r)->uring_workers);
	unsigned ua = atomic_load(&((struct fire_run *)r)->uring_armed);
	if (opt->no_uring)
		fprintf(o, "io: a system call per send and receive (--no-uring)\n");
	else if (uw == opt->threads)
		fprintf(o, "io: sends and receives batched through io_uring in %u workers", uw);
	else if (r->reports)
		fprintf(o, "io: sends and receives batched through io_uring in %u of %u workers", uw, opt->threads);
	else
		fprintf(o, "io: sends and receives batched through io_uring in %u of %u workers, the others make a system call each (io_uring: %s)",
			uw, opt->threads, strerror(atomic_load(&((struct fire_run *)r)->uring_errno)));
	if (!opt->no_uring && (ua == uw || r->reports))
		fprintf(o, ", receives armed in %u\n", ua);
	else if (!opt->no_uring)
		fprintf(o, ", receives armed in %u (%s)\n", ua, strerror(atomic_load(&((struct fire_run *)r)->arm_errno)));
	if (!r->reports && r->reader_class != FIRE_READER_NORMAL)
		fprintf(o, "priority: input reader in the %s class once a ring ahead, moved back %u times for a worker short of requests\n",
			fire_reader_class_name(r->reader_class), atomic_load(&((struct fire_run *)r)->reader_raised));
	if (s->rec_reads || s->rep_reads)
		fprintf(o, "hit ratio: recorded %.1f%%, replayed %.1f%%\n", pct(s->rec_hits, s->rec_reads),
			pct(s->rep_hits, s->rep_reads));
	fprintf(o, "cpu: %.3f s, %.2f us/op\n", cpu, s->ops ? cpu * 1e6 / (double)s->ops : 0.0);
	fprintf(o, "%-10s %10s %9s %9s %9s %9s %9s  %s\n", "command", "ops", "p50", "p90", "p99", "p99.9", "max",
		"statuses (latency from the intended send time)");
	for (unsigned c = 0; c < MB_CMD_COUNT; c++) {
		const struct fire_cmd_stats *cs = &s->cmd[c];
		uint64_t n = fire_cmd_ops(cs);
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

/* ---------------------------------------------------------------- HTML */

/* A key-value row of the overview; the value printf-formatted. */
static bool kv(struct mb_buf *b, const char *k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool kv(struct mb_buf *b, const char *k, const char *fmt, ...)
{
	char v[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v, sizeof v, fmt, ap);
	va_end(ap);
	return mb_bprintf(b, "<tr><th>%s</th><td>", k) && mb_html_esc(b, v) && mb_bprintf(b, "</td></tr>\n");
}

static bool html_overview(const struct fire_run *r, struct mb_buf *b)
{
	const struct fire_stats *s = &r->total;
	const struct fire_opts *opt = &r->opt;
	char t[1024] = "", rate[32];
	for (unsigned i = 0; i < opt->ntargets; i++)
		snprintf(t + strlen(t), sizeof t - strlen(t), "%s%s", i ? ", " : "", opt->targets[i].name);
	mb_rate_format(rate, sizeof rate, r->elapsed > 0 ? (double)s->ops / r->elapsed : 0.0);
	bool ok = mb_bprintf(b, "<h2>Overview</h2><table class=\"kv\">\n") &&
		  kv(b, "targets", "%s", t) &&
		  kv(b, "mode", "%s%s", opt->mode == FIRE_MAX ? "closed loop (--max)" : opt->mode == FIRE_RATE ? "open loop (--rate)" : "recorded timing",
		     r->interrupted ? ", interrupted" : atomic_load(&((struct fire_run *)r)->duration_hit) ? ", duration reached" : "") &&
		  kv(b, "operations", "%" PRIu64 " (%" PRIu64 " requests) in %.3f s", s->ops, s->requests, r->elapsed) &&
		  kv(b, "throughput", "%s ops/s", rate) &&
		  kv(b, "input", "%" PRIu64 " events, %" PRIu64 " not replayable%s%s", r->in_events, r->in_skipped,
		     r->input_rc != MB_OK ? "; then an error (the events before it were replayed): " : "",
		     r->input_rc != MB_OK ? r->input_err.msg : "") &&
		  kv(b, "connections", "%" PRIu64 " opened, %" PRIu64 " failed to open, %" PRIu64 " broke", s->connects, s->connect_fail,
		     s->resets) &&
		  kv(b, "workers", "%u", opt->threads) &&
		  kv(b, "cpu", "%.3f s, %.2f us/op", r->cpu, s->ops ? r->cpu * 1e6 / (double)s->ops : 0.0);
	if (ok && (s->rec_reads || s->rep_reads))
		ok = kv(b, "read hit ratio", "recorded %.1f%%, replayed %.1f%%", pct(s->rec_hits, s->rec_reads), pct(s->rep_hits, s->rep_reads));
	return ok && mb_bprintf(b, "</table>\n");
}

/* ops/s, latency and lateness percentiles per interval of the progress thread. */
static bool html_series(const struct fire_run *r, struct mb_buf *b)
{
	double x[FIRE_SERIES_MAX], ops[FIRE_SERIES_MAX], lx[FIRE_SERIES_MAX], p50[FIRE_SERIES_MAX], p99[FIRE_SERIES_MAX],
		late[FIRE_SERIES_MAX], tx[FIRE_SERIES_MAX]; /* 56 KiB on the caller's (main) stack */
	size_t n = 0, nl = 0, nt = 0;
	for (unsigned i = 0; i < r->nseries; i++) {
		const struct fire_point *p = &r->series[i];
		x[n] = p->t;
		ops[n++] = p->dt > 0 ? (double)p->ops / p->dt : 0;
		if (p->lat_p50) {
			lx[nl] = p->t;
			p50[nl] = (double)p->lat_p50;
			p99[nl++] = (double)p->lat_p99;
		}
		if (p->late_p99) {
			tx[nt] = p->t;
			late[nt++] = (double)p->late_p99;
		}
	}
	const struct mb_axis t = { 0, 1, false, 0, 0, MB_U_SEC, "time since the first send (s)", "time" };
	struct mb_series so = { x, ops, n, mb_svg_palette[0], "ops/s", false };
	struct mb_series sl[2] = { { lx, p50, nl, mb_svg_palette[0], "p50", false }, { lx, p99, nl, mb_svg_palette[3], "p99", false } };
	struct mb_series st = { tx, late, nt, mb_svg_palette[1], "p99", false };
	bool ok = mb_bprintf(b, "<h2>Over time</h2><p>One point per %u s of the run (%u points).</p><div class=\"charts\">",
			     1u << r->series_shift, r->nseries) &&
		  mb_svg_line_chart(b, "chart-ops", "Operations per second over time", &so, 1, t,
				    (struct mb_axis){ 0, 1, false, 0, 0, MB_U_COUNT, "operations per second (ops/s)", "ops/s" }, "the run was too short") &&
		  mb_svg_line_chart(b, "chart-latency-time", "Latency percentiles over time (from the intended send time)", sl, 2, t,
				    (struct mb_axis){ 0, 1, true, 0, 0, MB_U_NS, "latency (log scale)", "latency" }, "no answers");
	if (ok && r->opt.mode != FIRE_MAX)
		ok = mb_svg_line_chart(b, "chart-lateness-time", "Lateness of the sends over time", &st, 1, t,
				       (struct mb_axis){ 0, 1, true, 0, 0, MB_U_NS, "lateness (log scale)", "lateness" }, "no sends");
	return ok && mb_bprintf(b, "</div>\n");
}

/* A row of a histogram's percentiles (mb_report_pct) and max, as durations. */
static bool hist_row(struct mb_buf *b, const char *label, uint64_t n, const struct mb_hist *h)
{
	char v[MB_REPORT_NPCT + 1][32];
	for (int i = 0; i < MB_REPORT_NPCT; i++)
		mb_svg_fmt(v[i], sizeof v[i], h ? (double)mb_hist_percentile(h, mb_report_pct[i]) : 0, MB_U_NS);
	mb_svg_fmt(v[MB_REPORT_NPCT], sizeof v[0], h ? (double)mb_hist_max(h) : 0, MB_U_NS);
	return mb_bprintf(b, "<tr><td>%s</td><td>%" PRIu64 "</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", label, n, v[0],
			  v[1], v[2], v[3], v[4]);
}

static const char hist_head[] = "<tr><th></th><th>count</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr>\n";

/* Latency per command (from the intended and from the actual send time) and the statuses. */
static bool html_latency(const struct fire_run *r, struct mb_buf *b)
{
	const struct fire_stats *s = &r->total;
	const char *labels[MB_CMD_COUNT];
	double v[MB_CMD_COUNT * MB_REPORT_NPCT];
	size_t n = 0;
	bool ok = mb_bprintf(b, "<h2>Latency per command</h2><p>From the intended send time (the recorded or scheduled one), and "
				"below it from the time the request was actually sent.</p><table>%s", hist_head);
	for (unsigned c = 0; c < MB_CMD_COUNT && ok; c++) {
		const struct fire_cmd_stats *cs = &s->cmd[c];
		uint64_t cnt = fire_cmd_ops(cs);
		if (!cnt)
			continue;
		char act[64];
		snprintf(act, sizeof act, "%s (actual)", mb_cmd_name(c));
		ok = hist_row(b, mb_cmd_name(c), cnt, cs->lat_int) && (!cs->lat_act || hist_row(b, act, mb_hist_count(cs->lat_act), cs->lat_act));
		if (cs->lat_int && mb_hist_count(cs->lat_int)) {
			labels[n] = mb_cmd_name(c);
			for (int i = 0; i < MB_REPORT_NPCT; i++)
				v[n * MB_REPORT_NPCT + (size_t)i] = (double)mb_hist_percentile(cs->lat_int, mb_report_pct[i]);
			n++;
		}
	}
	ok = ok && mb_bprintf(b, "</table>\n") &&
	     mb_svg_bar_chart(b, "chart-latency", "Latency percentiles per command (from the intended send time)", labels, v, n, MB_REPORT_NPCT,
			      mb_svg_palette, mb_report_pct_name, true, MB_U_NS, "latency (log scale)") &&
	     mb_bprintf(b, "<h3>Statuses</h3><table><tr><th>command</th><th>status</th><th>answers</th></tr>\n");
	for (unsigned c = 0; c < MB_CMD_COUNT && ok; c++)
		for (unsigned st = 0; st < MB_ST_COUNT && ok; st++)
			if (s->cmd[c].st[st])
				ok = mb_bprintf(b, "<tr><td>%s</td><td>%s</td><td>%" PRIu64 "</td></tr>\n", mb_cmd_name(c),
						st == MB_ST_NONE ? "noreply" : mb_status_name(st), s->cmd[c].st[st]);
	return ok && mb_bprintf(b, "</table>\n");
}

/* A counter row, only when it is not zero. */
static bool counter(struct mb_buf *b, const char *name, uint64_t v, unsigned *shown, unsigned *total)
{
	++*total;
	if (!v)
		return true;
	++*shown;
	return mb_bprintf(b, "<tr><td>%s</td><td>%" PRIu64 "</td></tr>\n", name, v);
}

/* Errors and requests lost, lateness, the per-key order's waits. */
static bool html_faults(const struct fire_run *r, struct mb_buf *b)
{
	const struct fire_stats *s = &r->total;
	unsigned shown = 0, total = 0;
	bool ok = mb_bprintf(b, "<h2>Errors and lost requests</h2><table class=\"anomalies\">\n") &&
		  counter(b, "error answers", s->errors, &shown, &total) &&
		  counter(b, "lost in transit", s->lost, &shown, &total) &&
		  counter(b, "unanswered at the end", s->cancelled, &shown, &total) &&
		  counter(b, "quiet requests unconfirmed", s->unconfirmed, &shown, &total) &&
		  counter(b, "never sent", s->unsent, &shown, &total) &&
		  counter(b, "answers out of sync", s->desync, &shown, &total) &&
		  counter(b, "connections that failed to open", s->connect_fail, &shown, &total) &&
		  counter(b, "connections that broke", s->resets, &shown, &total) &&
		  counter(b, "connections given up (no answer for --drain)", s->given_up, &shown, &total) &&
		  mb_bprintf(b, "</table>\n<p>%u of %u counters are not zero%s; %" PRIu64 " requests were not sent or not answered.</p>\n",
			     shown, total, shown ? ", the others are left out" : "", fire_run_lost(r));
	if (ok && r->opt.mode != FIRE_MAX)
		ok = mb_bprintf(b, "<h2>Lateness</h2><p>How long after its intended time each request was sent.</p><table>%s", hist_head) &&
		     hist_row(b, "lateness", mb_hist_count(&s->late), &s->late) &&
		     (!r->opt.order || hist_row(b, "lateness less order waits", mb_hist_count(&s->late_own), &s->late_own)) &&
		     mb_bprintf(b, "</table>\n");
	ok = ok && mb_bprintf(b, "<h2>Per-key order</h2>");
	if (!r->opt.order)
		return ok && mb_bprintf(b, "<p>Off (--no-order).</p>\n");
	return ok && mb_bprintf(b, "<table class=\"kv\">\n") &&
	       kv(b, "requests that waited", "%" PRIu64 ", %.3f ms in all", s->waited, (double)s->wait_ns / 1e6) &&
	       kv(b, "barriers", "%" PRIu64, s->barriers) &&
	       kv(b, "recorded overlaps", "%" PRIu64 " (%" PRIu64 " told by statuses; %" PRIu64 " statuses say the other order: %" PRIu64
		  " replayed so, %" PRIu64 " could not be; %" PRIu64 " ambiguous)", r->order.overlaps,
		  r->order.told, r->order.reversed, r->order.reversed - r->order.reversed_kept, r->order.reversed_kept,
		  r->order.ambiguous) &&
	       mb_bprintf(b, "</table>\n");
}

int fire_report_html(const struct fire_run *r, struct mb_buf *out)
{
	bool ok = mb_html_page_start(out, "mb-fire report") && html_overview(r, out) && html_series(r, out) && html_latency(r, out) &&
		  html_faults(r, out) && mb_bprintf(out, "</body></html>\n");
	return ok ? MB_OK : MB_EIO;
}

/* ---------------------------------------------------------------- progress */

struct mb_hist *fire_hist_new(void)
{
	struct mb_hist *h = malloc(sizeof *h);
	if (h && mb_hist_init(h, FIRE_HIST_LO, FIRE_HIST_HI, 3) != MB_OK) {
		free(h);
		h = NULL;
	}
	return h;
}

void fire_hist_del(struct mb_hist *h)
{
	if (h) {
		mb_hist_free(h);
		free(h);
	}
}

/* What the progress thread gathers over one interval (and, for a point of the series, over
   the intervals it spans): counts, latency per command (made when first needed), lateness. */
struct interval {
	uint64_t t0, ops, errors;
	unsigned ticks;
	struct mb_hist lat, late;
	struct mb_hist *cmd[MB_CMD_COUNT];
};

static bool interval_init(struct interval *v, uint64_t t0)
{
	memset(v, 0, sizeof *v);
	v->t0 = t0;
	return mb_hist_init(&v->lat, FIRE_HIST_LO, FIRE_HIST_HI, 3) == MB_OK &&
	       mb_hist_init(&v->late, FIRE_HIST_LO, FIRE_HIST_HI, 3) == MB_OK;
}

static void interval_reset(struct interval *v, uint64_t t0)
{
	v->t0 = t0;
	v->ops = v->errors = 0;
	v->ticks = 0;
	mb_hist_reset(&v->lat);
	mb_hist_reset(&v->late);
	for (unsigned c = 0; c < MB_CMD_COUNT; c++)
		if (v->cmd[c])
			mb_hist_reset(v->cmd[c]);
}

static void interval_free(struct interval *v)
{
	mb_hist_free(&v->lat);
	mb_hist_free(&v->late);
	for (unsigned c = 0; c < MB_CMD_COUNT; c++)
		fire_hist_del(v->cmd[c]);
}

/* Add src's latency of command c to dst's (made when first needed). */
static void merge_cmd(struct interval *dst, unsigned c, const struct mb_hist *src)
{
	if (src && mb_hist_count(src) && (dst->cmd[c] || (dst->cmd[c] = fire_hist_new())))
		mb_hist_merge(dst->cmd[c], src);
}

/* Sum the workers' published counters into *ops and *errs, and move their interval
   histograms into v. */
static void collect(struct fire_run *r, struct interval *v, uint64_t *ops, uint64_t *errs)
{
	for (unsigned i = 0; i < r->opt.threads; i++) {
		struct fire_worker *w = &r->workers[i];
		*ops += atomic_load_explicit(&w->p_ops, memory_order_relaxed);
		*errs += atomic_load_explicit(&w->p_err, memory_order_relaxed);
		pthread_mutex_lock(&w->mu);
		mb_hist_merge(&v->lat, &w->shared_lat);
		mb_hist_merge(&v->late, &w->shared_late);
		mb_hist_reset(&w->shared_lat);
		mb_hist_reset(&w->shared_late);
		for (unsigned c = 0; c < MB_CMD_COUNT; c++)
			if (w->shared_cmd[c]) {
				merge_cmd(v, c, w->shared_cmd[c]);
				mb_hist_reset(w->shared_cmd[c]);
			}
		pthread_mutex_unlock(&w->mu);
	}
}

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

void fire_point_add(struct fire_point *a, const struct fire_point *b)
{
	a->ops += b->ops;
	a->errors += b->errors;
	a->lat_p50 = max64(a->lat_p50, b->lat_p50);
	a->lat_p99 = max64(a->lat_p99, b->lat_p99);
	a->lat_p999 = max64(a->lat_p999, b->lat_p999);
	a->late_p50 = max64(a->late_p50, b->late_p50);
	a->late_p99 = max64(a->late_p99, b->late_p99);
	a->late_p999 = max64(a->late_p999, b->late_p999);
	for (unsigned c = 0; c < MB_CMD_COUNT; c++) {
		a->cmd_n[c] += b->cmd_n[c];
		for (int k = 0; k < 3; k++)
			a->cmd_p[c][k] = max64(a->cmd_p[c][k], b->cmd_p[c][k]);
	}
}

/* When the series is full, merge its points in pairs and let each new point span twice the
   intervals. */
static void series_halve(struct fire_run *r)
{
	unsigned n = 0;
	for (unsigned i = 0; i + 1 < r->nseries; i += 2) {
		struct fire_point a = r->series[i];
		a.dt += r->series[i + 1].dt;
		fire_point_add(&a, &r->series[i + 1]);
		r->series[n++] = a;
	}
	if (r->nseries % 2)
		r->series[n++] = r->series[r->nseries - 1];
	r->nseries = n;
	r->series_shift++;
}

/* One progress interval `v` ending at now: write it to the --hdr-log, add it to the point
   being gathered (acc), and close the point when it spans its intervals, or at the end
   (`last`, if it holds anything). */
static void series_tick(struct fire_run *r, struct interval *acc, uint64_t now, const struct interval *v, bool last)
{
	if (r->hdr_log && now > v->t0) {
		double t = (double)(v->t0 - r->start_ns) / 1e9, dt = (double)(now - v->t0) / 1e9;
		for (unsigned c = 0; c < MB_CMD_COUNT; c++)
			if (v->cmd[c] && mb_hist_count(v->cmd[c]))
				mb_hdrlog_write(r->hdr_log, mb_cmd_name(c), t, dt, v->cmd[c]);
		if (mb_hist_count(&v->late))
			mb_hdrlog_write(r->hdr_log, "lateness", t, dt, &v->late);
	}
	acc->ops += v->ops;
	acc->errors += v->errors;
	acc->ticks++;
	mb_hist_merge(&acc->lat, &v->lat);
	mb_hist_merge(&acc->late, &v->late);
	for (unsigned c = 0; c < MB_CMD_COUNT; c++)
		merge_cmd(acc, c, v->cmd[c]);
	if (!last && acc->ticks < (1u << r->series_shift))
		return;
	if (now > acc->t0 && (!last || acc->ops || acc->errors || mb_hist_count(&acc->lat))) {
		if (r->nseries == FIRE_SERIES_MAX)
			series_halve(r);
		struct fire_point *p = &r->series[r->nseries++];
		memset(p, 0, sizeof *p);
		p->t = (double)(acc->t0 - r->start_ns) / 1e9;
		p->dt = (double)(now - acc->t0) / 1e9;
		p->ops = acc->ops;
		p->errors = acc->errors;
		p->lat_p50 = mb_hist_percentile(&acc->lat, 50);
		p->lat_p99 = mb_hist_percentile(&acc->lat, 99);
		p->lat_p999 = mb_hist_percentile(&acc->lat, 99.9);
		p->late_p50 = mb_hist_percentile(&acc->late, 50);
		p->late_p99 = mb_hist_percentile(&acc->late, 99);
		p->late_p999 = mb_hist_percentile(&acc->late, 99.9);
		for (unsigned c = 0; c < MB_CMD_COUNT; c++)
			if (acc->cmd[c] && (p->cmd_n[c] = mb_hist_count(acc->cmd[c]))) {
				p->cmd_p[c][0] = mb_hist_percentile(acc->cmd[c], 50);
				p->cmd_p[c][1] = mb_hist_percentile(acc->cmd[c], 99);
				p->cmd_p[c][2] = mb_hist_percentile(acc->cmd[c], 99.9);
			}
	}
	interval_reset(acc, now);
}

void *fire_progress_main(void *arg)
{
	struct fire_run *r = arg;
	const struct fire_opts *opt = &r->opt;
	fire_block_signals();
	struct interval v, acc;
	bool ok = interval_init(&v, 0);
	ok = interval_init(&acc, 0) && ok; /* both set up, so both can be freed */
	while (!atomic_load(&r->started) && !atomic_load(&r->stop))
		fire_bell_wait(r->prog_bell, UINT64_MAX, NULL); /* rung at the start and at the stop */
	acc.t0 = v.t0 = r->start_ns;
	if (r->hdr_log)
		mb_hdrlog_start(r->hdr_log, fire_start_unix_ns(r));
	uint64_t last_ops = 0, last_errs = 0;
	uint64_t stop_at = opt->duration ? r->start_ns + opt->duration : UINT64_MAX;
	while (!atomic_load(&r->stop)) {
		/* sleep to the end of this interval or the --duration, whichever comes first; a stop
		   rings the bell */
		uint64_t tick = ok ? v.t0 + 1000000000ull : UINT64_MAX;
		fire_bell_wait(r->prog_bell, tick < stop_at ? tick : stop_at, NULL);
		uint64_t now = mb_mono_ns();
		if (now >= stop_at) {
			atomic_store(&r->duration_hit, 1);
			atomic_store(&r->stop, 1);
			pthread_kill(r->main_thread, SIGUSR1); /* out of a blocking read */
			break;
		}
		if (!ok || now < v.t0 || now - v.t0 < 1000000000ull) /* the start is set a little ahead */
			continue;
		uint64_t ops = 0, errs = 0;
		collect(r, &v, &ops, &errs);
		v.ops = ops - last_ops;
		v.errors = errs - last_errs;
		if (opt->progress) {
			char b0[32], b1[32], b2[32];
			mb_rate_format(b0, sizeof b0, (double)v.ops * 1e9 / (double)(now - v.t0));
			mb_dur_format(b1, sizeof b1, mb_hist_percentile(&v.lat, 99));
			mb_dur_format(b2, sizeof b2, mb_hist_percentile(&v.late, 99));
			fprintf(opt->progress, "mb-fire: %.0fs %s ops/s p99 %s errors %" PRIu64 " lateness p99 %s\n",
				(double)(now - r->start_ns) / 1e9, b0, b1, errs,
				opt->mode == FIRE_MAX ? "-" : b2);
		}
		series_tick(r, &acc, now, &v, false);
		interval_reset(&v, now);
		last_ops = ops;
		last_errs = errs;
	}
	/* what came since the last interval, once every worker has handed its last over */
	for (unsigned i = 0; ok && i < opt->threads;) {
		if (atomic_load(&r->workers[i].finished)) {
			i++;
			continue;
		}
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	if (ok) {
		uint64_t ops = 0, errs = 0;
		collect(r, &v, &ops, &errs);
		v.ops = ops - last_ops;
		v.errors = errs - last_errs;
		series_tick(r, &acc, mb_mono_ns(), &v, true);
	}
	interval_free(&v);
	interval_free(&acc);
	if (r->hdr_log)
		r->hdr_rc = mb_hdrlog_close(r->hdr_log, &r->hdr_err);
	if (!ok && r->hdr_rc == MB_OK)
		r->hdr_rc = mb_err_set(&r->hdr_err, MB_EIO, "out of memory for the series over time");
	return NULL;
}

int fire_run_hdr_log(struct fire_run *r, const char *path, struct mb_err *err)
{
	if (!(r->hdr_log = calloc(1, sizeof *r->hdr_log)))
		return mb_err_set(err, MB_EIO, "out of memory");
	int rc = mb_hdrlog_open(r->hdr_log, path, err);
	if (rc != MB_OK) {
		free(r->hdr_log);
		r->hdr_log = NULL;
	}
	return rc;
}

int fire_run_hdr_log_status(const struct fire_run *r, struct mb_err *err)
{
	if (r->hdr_rc != MB_OK)
		*err = r->hdr_err;
	return r->hdr_rc;
}
