/* fire_metrics.c - mb-fire --metrics: the replay's running counters and latency summaries for Prometheus (doc/mb-fire.md, Live metrics). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fire_int.h"
#include "mbtime.h"
#include "metrics.h"

/* The counters a worker publishes. */
struct fire_mcounts {
	uint64_t st[MB_CMD_COUNT][MB_ST_COUNT];
	uint64_t requests, errors, lost, connects, resets;
};

/* What a worker last published (under its mu): counts so far, histograms since the start. */
struct fire_mpub {
	struct fire_mcounts c;
	struct mb_hist lat, late;
};

struct fire_metrics {
	struct mb_metrics *srv;
	struct fire_mpub *pub;  /* one per worker */
	unsigned npub;
	struct mb_hist lat, late; /* the sums, for one scrape at a time (the responder's thread) */
};

void fire_metrics_publish(struct fire_worker *w)
{
	struct fire_mpub *p = &w->run->metrics->pub[w->id];
	const struct fire_stats *s = &w->s;
	for (unsigned c = 0; c < MB_CMD_COUNT; c++)
		memcpy(p->c.st[c], s->cmd[c].st, sizeof p->c.st[c]);
	p->c.requests = s->requests;
	p->c.errors = s->errors;
	p->c.lost = s->lost;
	p->c.connects = s->connects;
	p->c.resets = s->resets;
	mb_hist_merge(&p->lat, &w->ival_lat);
	mb_hist_merge(&p->late, &w->ival_late);
}

/* A summary family: quantiles, sum and count of h (ns), in seconds. */
static bool summary(struct mb_buf *b, const char *name, const char *help, const struct mb_hist *h)
{
	static const double q[] = { 0.5, 0.9, 0.99, 0.999 };
	char label[32], sum[96], count[96];
	bool ok = mb_metrics_family(b, name, "summary", help);
	for (size_t i = 0; ok && i < sizeof q / sizeof q[0]; i++) {
		snprintf(label, sizeof label, "quantile=\"%g\"", q[i]);
		ok = mb_metrics_double(b, name, label, (double)mb_hist_percentile(h, q[i] * 100) / 1e9);
	}
	snprintf(sum, sizeof sum, "%s_sum", name);
	snprintf(count, sizeof count, "%s_count", name);
	return ok && mb_metrics_double(b, sum, NULL, h->sum / 1e9) && mb_metrics_u64(b, count, NULL, mb_hist_count(h));
}

static bool render(void *ctx, struct mb_buf *b)
{
	struct fire_run *r = ctx;
	struct fire_metrics *m = r->metrics;
	struct fire_mcounts t;
	memset(&t, 0, sizeof t);
	mb_hist_reset(&m->lat);
	mb_hist_reset(&m->late);
	for (unsigned i = 0; i < m->npub; i++) {
		struct fire_worker *w = &r->workers[i];
		const struct fire_mpub *p = &m->pub[i];
		pthread_mutex_lock(&w->mu);
		for (unsigned c = 0; c < MB_CMD_COUNT; c++)
			for (unsigned s = 0; s < MB_ST_COUNT; s++)
				t.st[c][s] += p->c.st[c][s];
		t.requests += p->c.requests;
		t.errors += p->c.errors;
		t.lost += p->c.lost;
		t.connects += p->c.connects;
		t.resets += p->c.resets;
		mb_hist_merge(&m->lat, &p->lat);
		mb_hist_merge(&m->late, &p->late);
		pthread_mutex_unlock(&w->mu);
	}
	bool ok = mb_metrics_family(b, "mb_fire_operations_total", "counter",
				    "Key operations finished, by command and status (doc/stream.md).");
	char label[96];
	for (unsigned c = 0; ok && c < MB_CMD_COUNT; c++)
		for (unsigned s = 0; ok && s < MB_ST_COUNT; s++)
			if (t.st[c][s]) {
				snprintf(label, sizeof label, "command=\"%s\",status=\"%s\"", mb_cmd_name(c), mb_status_name(s));
				ok = mb_metrics_u64(b, "mb_fire_operations_total", label, t.st[c][s]);
			}
	struct {
		const char *name, *help;
		uint64_t v;
	} counters[] = {
		{ "mb_fire_requests_total", "Requests sent (a multi-key get is one).", t.requests },
		{ "mb_fire_errors_total", "Operations that failed or were not answered.", t.errors },
		{ "mb_fire_lost_total", "Operations lost in transit: a connection broke before their answer, was down at their time, or a datagram went unanswered.", t.lost },
		{ "mb_fire_connects_total", "Connections opened.", t.connects },
		{ "mb_fire_resets_total", "Connections that broke.", t.resets },
	};
	for (size_t i = 0; ok && i < sizeof counters / sizeof counters[0]; i++)
		ok = mb_metrics_family(b, counters[i].name, "counter", counters[i].help) &&
		     mb_metrics_u64(b, counters[i].name, NULL, counters[i].v);
	ok = ok && summary(b, "mb_fire_latency_seconds", "Latency from the intended send time to the answer.", &m->lat);
	ok = ok && summary(b, "mb_fire_lateness_seconds", "How late requests were sent after their intended time.", &m->late);
	bool started = atomic_load(&r->started), running = started && !atomic_load(&r->stop);
	uint64_t now = mb_mono_ns();
	ok = ok && mb_metrics_family(b, "mb_fire_running", "gauge", "1 while the replay runs.") &&
	     mb_metrics_u64(b, "mb_fire_running", NULL, running) &&
	     mb_metrics_family(b, "mb_fire_elapsed_seconds", "gauge", "Time since the replay's start.") &&
	     mb_metrics_double(b, "mb_fire_elapsed_seconds", NULL, started && now > r->start_ns ? (double)(now - r->start_ns) / 1e9 : 0);
	return ok;
}

static void metrics_free(struct fire_metrics *m)
{
	for (unsigned i = 0; m->pub && i < m->npub; i++) {
		mb_hist_free(&m->pub[i].lat);
		mb_hist_free(&m->pub[i].late);
	}
	free(m->pub);
	mb_hist_free(&m->lat);
	mb_hist_free(&m->late);
	free(m);
}

int fire_run_metrics(struct fire_run *r, const char *addr, struct mb_err *err)
{
	struct fire_metrics *m = calloc(1, sizeof *m);
	if (!m || !(m->pub = calloc(r->opt.threads, sizeof *m->pub))) {
		free(m);
		return mb_err_set(err, MB_EIO, "out of memory for --metrics");
	}
	m->npub = r->opt.threads;
	bool ok = mb_hist_init(&m->lat, FIRE_HIST_LO, FIRE_HIST_HI, 3) == MB_OK &&
		  mb_hist_init(&m->late, FIRE_HIST_LO, FIRE_HIST_HI, 3) == MB_OK;
	for (unsigned i = 0; ok && i < m->npub; i++)
		ok = mb_hist_init(&m->pub[i].lat, FIRE_HIST_LO, FIRE_HIST_HI, 3) == MB_OK &&
		     mb_hist_init(&m->pub[i].late, FIRE_HIST_LO, FIRE_HIST_HI, 3) == MB_OK;
	if (!ok) {
		metrics_free(m);
		return mb_err_set(err, MB_EIO, "out of memory for --metrics");
	}
	r->metrics = m; /* before the responder starts: it renders from r->metrics */
	int rc = mb_metrics_start(&m->srv, addr, render, r, err);
	if (rc != MB_OK) {
		r->metrics = NULL;
		metrics_free(m);
	}
	return rc;
}

void fire_metrics_free(struct fire_run *r)
{
	if (!r->metrics)
		return;
	mb_metrics_stop(r->metrics->srv);
	metrics_free(r->metrics);
	r->metrics = NULL;
}
