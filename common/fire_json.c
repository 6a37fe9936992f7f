/* fire_json.c - mb-fire's JSON report, schema membench-fire/1 (doc/fire-json.md): written from a run, read back and summed. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdio.h"
#include "fire_int.h"
#include "json.h"
#include "jsonread.h"
#include "mbtime.h"
#include "prog.h"

#define SCHEMA "membench-fire/1"
#define SCHEMA_BASE "membench-fire/" /* a report of another version has this prefix */
#define REPORT_MAX_BYTES (256u << 20) /* a report file read back */
#define REPORT_MAX_VALUES (32u << 20) /* JSON values in it */

uint64_t fire_start_unix_ns(const struct fire_run *r)
{
	if (r->reports || !r->start_ns)
		return r->start_unix_ns;
	uint64_t real = mb_real_ns(), mono = mb_mono_ns();
	return real - (mono - r->start_ns);
}

bool fire_priority_tried(const struct fire_run *r)
{
	if (r->reports)
		return r->priority_tried > 0;
	return r->opt.mode != FIRE_MAX && !r->opt.no_priority && !r->opt.boost_off;
}

uint64_t fire_cmd_ops(const struct fire_cmd_stats *cs)
{
	uint64_t n = 0;
	for (unsigned st = 0; st < MB_ST_COUNT; st++)
		n += cs->st[st];
	return n;
}

static const char *mode_name(enum fire_mode m)
{
	return m == FIRE_MAX ? "max" : m == FIRE_RATE ? "rate" : "recorded";
}

static const char *status_key(unsigned st)
{
	return st == MB_ST_NONE ? "noreply" : mb_status_name(st);
}

/* A ratio in [0, 1], or null with nothing to divide by. */
static void kratio(struct mb_json *j, const char *k, uint64_t a, uint64_t b)
{
	mb_json_key(j, k);
	if (b)
		mb_json_fixed(j, (double)a / (double)b, 6);
	else
		mb_json_null(j);
}

/* HIST: a latency histogram as member `name`: summary, exact extremes and sum, its non-empty buckets. */
static void json_hist(struct mb_json *j, const char *name, const struct mb_hist *h, unsigned indent)
{
	mb_json_key(j, name);
	mb_json_begin_object(j);
	uint64_t n = mb_hist_count(h);
	mb_json_ku64(j, "count", n);
	mb_json_kfixed(j, "mean_ns", mb_hist_mean(h), 0);
	mb_json_ku64(j, "p50_ns", mb_hist_percentile(h, 50));
	mb_json_ku64(j, "p90_ns", mb_hist_percentile(h, 90));
	mb_json_ku64(j, "p99_ns", mb_hist_percentile(h, 99));
	mb_json_ku64(j, "p999_ns", mb_hist_percentile(h, 99.9));
	mb_json_ku64(j, "min_ns", n ? h->min : 0);
	mb_json_ku64(j, "max_ns", mb_hist_max(h));
	mb_json_kfixed(j, "sum_ns", n ? h->sum : 0, 0);
	mb_json_wrap(j, indent);
	mb_json_ku64(j, "lowest_ns", h->lowest);
	mb_json_ku64(j, "highest_ns", h->highest);
	mb_json_ki64(j, "sigdigits", h->sigdigits);
	mb_json_ku64(j, "clamped_low", h->clamped_low);
	mb_json_ku64(j, "clamped_high", h->clamped_high);
	mb_json_wrap(j, indent);
	mb_json_key(j, "buckets");
	mb_json_begin_array(j);
	size_t cur = 0;
	uint64_t lo, hi, cnt;
	while (mb_hist_next(h, &cur, &lo, &hi, &cnt)) {
		mb_json_begin_array(j);
		mb_json_u64(j, lo);
		mb_json_u64(j, hi);
		mb_json_u64(j, cnt);
		mb_json_end_array(j);
	}
	mb_json_end_array(j);
	mb_json_end_object(j);
}

/* The series over time: one point per interval of the progress thread. */
static void json_series(struct mb_json *j, const struct fire_run *r)
{
	mb_json_key(j, "series");
	mb_json_begin_object(j);
	mb_json_ku64(j, "interval_s", (uint64_t)1 << r->series_shift);
	mb_json_key(j, "points");
	mb_json_begin_array(j);
	for (unsigned i = 0; i < r->nseries; i++) {
		const struct fire_point *p = &r->series[i];
		mb_json_newline(j, 2);
		mb_json_begin_object(j);
		mb_json_kfixed(j, "start_s", p->t, 6);
		mb_json_kfixed(j, "length_s", p->dt, 6);
		mb_json_ku64(j, "ops", p->ops);
		mb_json_kfixed(j, "ops_per_s", p->dt > 0 ? (double)p->ops / p->dt : 0.0, 1);
		mb_json_ku64(j, "errors", p->errors);
		mb_json_ku64(j, "latency_p50_ns", p->lat_p50);
		mb_json_ku64(j, "latency_p99_ns", p->lat_p99);
		mb_json_ku64(j, "latency_p999_ns", p->lat_p999);
		mb_json_ku64(j, "lateness_p50_ns", p->late_p50);
		mb_json_ku64(j, "lateness_p99_ns", p->late_p99);
		mb_json_ku64(j, "lateness_p999_ns", p->late_p999);
		mb_json_key(j, "commands");
		mb_json_begin_object(j);
		for (unsigned c = 0; c < MB_CMD_COUNT; c++) {
			if (!p->cmd_n[c])
				continue;
			mb_json_key(j, mb_cmd_name(c));
			mb_json_begin_object(j);
			mb_json_ku64(j, "count", p->cmd_n[c]);
			mb_json_ku64(j, "p50_ns", p->cmd_p[c][0]);
			mb_json_ku64(j, "p99_ns", p->cmd_p[c][1]);
			mb_json_ku64(j, "p999_ns", p->cmd_p[c][2]);
			mb_json_end_object(j);
		}
		mb_json_end_object(j);
		mb_json_end_object(j);
	}
	if (r->nseries)
		mb_json_newline(j, 1);
	mb_json_end_array(j);
	mb_json_end_object(j);
}

/* The JSON report, spaced, a few members to a line; MB_OK once written and flushed. */
static int report_json(const struct fire_run *r, FILE *f)
{
	const struct fire_stats *s = &r->total;
	const struct fire_opts *opt = &r->opt;
	struct mb_json j;
	mb_json_init_file(&j, f, true);
	mb_json_begin_object(&j);
	mb_json_kstr(&j, "schema", SCHEMA);
	mb_json_kstr(&j, "program", "mb-fire");
	mb_json_kstr(&j, "version", MB_VERSION);
	mb_json_ku64(&j, "reports", r->reports ? r->reports : 1);
	mb_json_wrap(&j, 1);
	mb_json_kstr(&j, "mode", mode_name(opt->mode));
	mb_json_kbool(&j, "interrupted", r->interrupted);
	mb_json_kbool(&j, "duration_reached", atomic_load(&((struct fire_run *)r)->duration_hit));
	mb_json_wrap(&j, 1);
	mb_json_ku64(&j, "start_unix_ns", fire_start_unix_ns(r));
	mb_json_ku64(&j, "start_spread_ns", r->start_spread_ns);
	mb_json_wrap(&j, 1);
	mb_json_kfixed(&j, "elapsed_s", r->elapsed, 6);
	mb_json_ku64(&j, "ops", s->ops);
	mb_json_ku64(&j, "requests", s->requests);
	mb_json_kfixed(&j, "ops_per_s", r->elapsed > 0 ? (double)s->ops / r->elapsed : 0.0, 1);
	mb_json_wrap(&j, 1);
	mb_json_kfixed(&j, "cpu_s", r->cpu, 6);
	mb_json_kfixed(&j, "cpu_us_per_op", s->ops ? r->cpu * 1e6 / (double)s->ops : 0.0, 4);
	if (r->steal_ms >= 0)
		mb_json_ki64(&j, "host_steal_ms", r->steal_ms);
	mb_json_wrap(&j, 1);
	mb_json_ku64(&j, "workers", opt->threads);
	mb_json_ku64(&j, "workers_boosted", atomic_load(&((struct fire_run *)r)->boosted));
	mb_json_ku64(&j, "workers_io_uring", atomic_load(&((struct fire_run *)r)->uring_workers));
	mb_json_ku64(&j, "workers_io_uring_armed", atomic_load(&((struct fire_run *)r)->uring_armed));
	mb_json_ku64(&j, "priority_tried", r->reports ? r->priority_tried : fire_priority_tried(r));
	if (!r->reports) {
		mb_json_kstr(&j, "reader_class", fire_reader_class_name(r->reader_class));
		mb_json_ku64(&j, "reader_raised", atomic_load(&((struct fire_run *)r)->reader_raised));
	}
	mb_json_wrap(&j, 1);
	mb_json_key(&j, "targets");
	mb_json_begin_array(&j);
	for (unsigned t = 0; t < opt->ntargets; t++)
		mb_json_str(&j, opt->targets[t].name);
	mb_json_end_array(&j);
	mb_json_kstr(&j, "routing", opt->ntargets < 2 ? "single" : r->sched.by_server ? "by-server" : "hash");
	if (r->clock) {
		mb_json_wrap(&j, 1);
		mb_json_key(&j, "ttl_clocks");
		mb_json_begin_array(&j);
		for (unsigned t = 0; t < opt->ntargets; t++) {
			struct fire_clock_stats cs;
			if (!fire_clock_stats(r, t, &cs))
				continue;
			mb_json_begin_object(&j);
			mb_json_kstr(&j, "target", opt->targets[t].name);
			mb_json_ku64(&j, "ticks_located", cs.located);
			mb_json_ku64(&j, "watches_late", cs.missed);
			mb_json_ku64(&j, "period_ns", cs.period_ns);
			mb_json_ku64(&j, "worst_error_ns", cs.worst_error_ns);
			mb_json_end_object(&j);
		}
		mb_json_end_array(&j);
	}
	mb_json_wrap(&j, 1);
	mb_json_ku64(&j, "input_events", r->in_events);
	mb_json_ku64(&j, "not_replayable", r->in_skipped);
	mb_json_key(&j, "input_error");
	if (r->input_rc != MB_OK)
		mb_json_str(&j, r->input_err.msg);
	else
		mb_json_null(&j);
	mb_json_wrap(&j, 1);
	mb_json_key(&j, "connections");
	mb_json_begin_object(&j);
	mb_json_ku64(&j, "opened", s->connects);
	mb_json_ku64(&j, "failed", s->connect_fail);
	mb_json_ku64(&j, "broke", s->resets);
	mb_json_ku64(&j, "given_up", s->given_up);
	mb_json_end_object(&j);
	mb_json_wrap(&j, 1);
	mb_json_ku64(&j, "errors", s->errors);
	mb_json_ku64(&j, "lost", s->lost);
	mb_json_ku64(&j, "unanswered", s->cancelled);
	mb_json_ku64(&j, "unconfirmed", s->unconfirmed);
	mb_json_ku64(&j, "unsent", s->unsent);
	mb_json_ku64(&j, "desync", s->desync);
	fire_shard_report_json(r, &j);
	mb_json_wrap(&j, 1);
	mb_json_key(&j, "order");
	mb_json_begin_object(&j);
	mb_json_kbool(&j, "on", opt->order);
	mb_json_ku64(&j, "waited", s->waited);
	mb_json_ku64(&j, "wait_ns", s->wait_ns);
	mb_json_ku64(&j, "barriers", s->barriers);
	mb_json_ku64(&j, "overlaps", r->order.overlaps);
	mb_json_ku64(&j, "told", r->order.told);
	mb_json_ku64(&j, "reversed", r->order.reversed);
	mb_json_ku64(&j, "reversed_kept", r->order.reversed_kept);
	mb_json_ku64(&j, "ambiguous", r->order.ambiguous);
	mb_json_end_object(&j);
	mb_json_wrap(&j, 1);
	mb_json_key(&j, "hit_ratio");
	mb_json_begin_object(&j);
	kratio(&j, "recorded", s->rec_hits, s->rec_reads);
	kratio(&j, "replayed", s->rep_hits, s->rep_reads);
	mb_json_ku64(&j, "recorded_reads", s->rec_reads);
	mb_json_ku64(&j, "recorded_hits", s->rec_hits);
	mb_json_ku64(&j, "replayed_reads", s->rep_reads);
	mb_json_ku64(&j, "replayed_hits", s->rep_hits);
	mb_json_end_object(&j);
	mb_json_wrap(&j, 1);
	json_hist(&j, "lateness", &s->late, 2);
	mb_json_wrap(&j, 1);
	json_hist(&j, "lateness_own", &s->late_own, 2);
	mb_json_wrap(&j, 1);
	mb_json_key(&j, "commands");
	mb_json_begin_object(&j);
	for (unsigned c = 0; c < MB_CMD_COUNT; c++) {
		const struct fire_cmd_stats *cs = &s->cmd[c];
		uint64_t n = fire_cmd_ops(cs);
		if (!n)
			continue;
		mb_json_newline(&j, 2);
		mb_json_key(&j, mb_cmd_name(c));
		mb_json_begin_object(&j);
		mb_json_ku64(&j, "ops", n);
		mb_json_key(&j, "status");
		mb_json_begin_object(&j);
		for (unsigned st = 0; st < MB_ST_COUNT; st++)
			if (cs->st[st])
				mb_json_ku64(&j, status_key(st), cs->st[st]);
		mb_json_end_object(&j);
		if (cs->lat_int) {
			mb_json_wrap(&j, 3);
			json_hist(&j, "latency_intended", cs->lat_int, 4);
			mb_json_wrap(&j, 3);
			json_hist(&j, "latency_actual", cs->lat_act, 4);
		}
		mb_json_end_object(&j);
	}
	mb_json_newline(&j, 1);
	mb_json_end_object(&j);
	mb_json_wrap(&j, 1);
	json_series(&j, r);
	mb_json_newline(&j, 0);
	mb_json_end_object(&j);
	return mb_json_finish(&j);
}

int fire_write_report(FILE *f, const char *name, int (*render)(const void *ctx, FILE *m), const void *ctx,
		      struct mb_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return mb_err_set(err, MB_EIO, "out of memory for the report: '%s'", name);
	int rc = render(ctx, m);
	if (fclose(m) != 0 || rc != MB_OK)
		rc = mb_err_set(err, MB_EIO, "out of memory for the report: '%s'", name);
	else if (fflush(f) != 0)
		rc = mb_err_set(err, MB_EIO, "write error: %s: '%s'", strerror(errno), name);
	else if ((rc = mb_write_all_at(fileno(f), buf, len, name, 0, err)) == MB_EPIPE)
		rc = MB_OK; /* the reader went away: end quietly */
	free(buf);
	return rc;
}

static int render_text(const void *ctx, FILE *m)
{
	fire_report_text(ctx, m);
	return MB_OK;
}

static int render_json(const void *ctx, FILE *m) { return report_json(ctx, m); }

int fire_report(struct fire_run *r, FILE *text, FILE *json, const char *json_name, struct mb_err *err)
{
	int rc = fire_write_report(text, text == stderr ? "stderr" : "stdout", render_text, r, err);
	struct mb_err jerr;
	if (json) { /* written even when the text was not: the replay happened */
		int jrc = fire_write_report(json, json == stdout ? "stdout" : json_name, render_json, r, &jerr);
		if (rc == MB_OK && jrc != MB_OK) {
			rc = jrc;
			*err = jerr;
		}
	}
	return rc;
}

/* ---------------------------------------------------------------- reading back */

/* The series' points of every report read so far, at their times from the earliest start. */
struct points {
	struct fire_point *p;
	size_t n, cap;
};

/* One report being read: its document and name, for the checked getters below. */
struct rd {
	struct mb_jr d;
	const char *name;
	struct mb_err *err;
};

static int bad(struct rd *x, const char *field, const char *what)
{
	return mb_err_set(x->err, MB_ERR, "bad report: %s %s: '%s'", field, what, x->name);
}

/* Member `k` of object o as a u64 into *v. */
static bool get_u64(struct rd *x, uint32_t o, const char *k, uint64_t *v, int *rc)
{
	if (*rc != MB_OK)
		return false;
	if (!mb_jr_u64(&x->d, mb_jr_get(&x->d, o, k), v)) {
		*rc = bad(x, k, "is missing or not a count");
		return false;
	}
	return true;
}

/* Add member k of o (a count) to *acc, refusing an overflow. */
static void add_u64(struct rd *x, uint32_t o, const char *k, uint64_t *acc, int *rc)
{
	uint64_t v;
	if (!get_u64(x, o, k, &v, rc))
		return;
	if (v > UINT64_MAX - *acc)
		*rc = bad(x, k, "overflows the sum");
	else
		*acc += v;
}

/* Member k of o, a number from 0 up to (not including) max. */
static double get_double_max(struct rd *x, uint32_t o, const char *k, double max, int *rc)
{
	double v = 0;
	if (*rc == MB_OK && (!mb_jr_double(&x->d, mb_jr_get(&x->d, o, k), &v) || !(v >= 0 && v < max)))
		*rc = mb_err_set(x->err, MB_ERR, "bad report: %s is missing or not a number from 0 to %g: '%s'", k, max, x->name);
	return *rc == MB_OK ? v : 0;
}

static double get_double(struct rd *x, uint32_t o, const char *k, int *rc)
{
	return get_double_max(x, o, k, 1e15, rc);
}

static bool get_bool(struct rd *x, uint32_t o, const char *k, int *rc)
{
	bool v = false;
	if (*rc == MB_OK && !mb_jr_bool(&x->d, mb_jr_get(&x->d, o, k), &v))
		*rc = bad(x, k, "is missing or not true/false");
	return v;
}

/* A HIST member k of o, merged into dst; `label` names it in messages. */
static void add_hist(struct rd *x, uint32_t o, const char *k, const char *label, struct mb_hist *dst, int *rc)
{
	uint32_t h = mb_jr_get(&x->d, o, k);
	uint64_t lowest = 0, highest = 0, sig = 0, count = 0, min = 0, max = 0, cl = 0, ch = 0;
	if (*rc != MB_OK)
		return;
	if (!mb_jr_is(&x->d, h, MB_JR_OBJ)) {
		*rc = bad(x, label, "is missing or not an object");
		return;
	}
	get_u64(x, h, "lowest_ns", &lowest, rc);
	get_u64(x, h, "highest_ns", &highest, rc);
	get_u64(x, h, "sigdigits", &sig, rc);
	get_u64(x, h, "count", &count, rc);
	get_u64(x, h, "min_ns", &min, rc);
	get_u64(x, h, "max_ns", &max, rc);
	get_u64(x, h, "clamped_low", &cl, rc);
	get_u64(x, h, "clamped_high", &ch, rc);
	double sum = get_double_max(x, h, "sum_ns", 1e300, rc);
	if (*rc != MB_OK)
		return;
	if (lowest != dst->lowest || highest != dst->highest || sig != (uint64_t)dst->sigdigits) {
		*rc = mb_err_set(x->err, MB_ERR, "bad report: %s: histogram range %" PRIu64 "..%" PRIu64 " ns, %" PRIu64
					       " digits, not %" PRIu64 "..%" PRIu64 ", %d: '%s'", k, lowest, highest, sig,
				 dst->lowest, dst->highest, dst->sigdigits, x->name);
		return;
	}
	uint32_t b = mb_jr_get(&x->d, h, "buckets");
	if (!mb_jr_is(&x->d, b, MB_JR_ARR)) {
		*rc = bad(x, label, "buckets are missing");
		return;
	}
	struct mb_hist tmp;
	if (mb_hist_init(&tmp, dst->lowest, dst->highest, dst->sigdigits) != MB_OK) {
		*rc = mb_err_set(x->err, MB_EIO, "out of memory reading '%s'", x->name);
		return;
	}
	for (uint32_t e = x->d.v[b].first; e != MB_JR_NONE && *rc == MB_OK; e = x->d.v[e].next) {
		uint64_t v[3];
		uint32_t m = mb_jr_is(&x->d, e, MB_JR_ARR) && x->d.v[e].count == 3 ? x->d.v[e].first : MB_JR_NONE;
		bool ok = m != MB_JR_NONE;
		for (int i = 0; i < 3 && ok; i++, m = x->d.v[m].next)
			ok = mb_jr_u64(&x->d, m, &v[i]);
		if (!ok || !mb_hist_restore_bucket(&tmp, v[0], v[1], v[2]))
			*rc = bad(x, label, "has a bucket that is not [lowest, highest, count] of its histogram");
	}
	if (*rc == MB_OK && mb_hist_count(&tmp) != count)
		*rc = bad(x, label, "buckets do not add up to its count");
	if (*rc == MB_OK && !mb_hist_restore_summary(&tmp, min, max, sum, cl, ch))
		*rc = bad(x, label, "min, max, sum or clamps do not fit its buckets");
	if (*rc == MB_OK && mb_hist_merge(dst, &tmp) != MB_OK)
		*rc = bad(x, label, "cannot be merged");
	mb_hist_free(&tmp);
}

/* The series' points, at `offset_s` after the earliest start, into r's series (rebinned
   later) in pts. */
static void add_series(struct rd *x, uint32_t root, double offset_s, struct points *pts, unsigned *shift, int *rc)
{
	uint32_t s = mb_jr_get(&x->d, root, "series");
	uint64_t ival = 0;
	if (*rc != MB_OK)
		return;
	if (!mb_jr_is(&x->d, s, MB_JR_OBJ) || !get_u64(x, s, "interval_s", &ival, rc) || !ival ||
	    (ival & (ival - 1)) || ival > (1u << 30)) {
		if (*rc == MB_OK)
			*rc = bad(x, "series", "is missing or its interval_s is not a power of 2");
		return;
	}
	unsigned sh = 0;
	while ((1ull << sh) < ival)
		sh++;
	if (sh > *shift)
		*shift = sh;
	uint32_t a = mb_jr_get(&x->d, s, "points");
	if (!mb_jr_is(&x->d, a, MB_JR_ARR) || x->d.v[a].count > FIRE_SERIES_MAX) {
		*rc = bad(x, "series.points", "is missing or longer than 1024");
		return;
	}
	if (pts->n + x->d.v[a].count > pts->cap) {
		size_t cap = (pts->n + x->d.v[a].count) * 2;
		struct fire_point *np = realloc(pts->p, cap * sizeof *np);
		if (!np) {
			*rc = mb_err_set(x->err, MB_EIO, "out of memory reading '%s'", x->name);
			return;
		}
		pts->p = np;
		pts->cap = cap;
	}
	for (uint32_t e = x->d.v[a].first; e != MB_JR_NONE && *rc == MB_OK; e = x->d.v[e].next) {
		struct fire_point p = { 0 };
		p.t = get_double(x, e, "start_s", rc) + offset_s;
		p.dt = get_double(x, e, "length_s", rc);
		get_u64(x, e, "ops", &p.ops, rc);
		get_u64(x, e, "errors", &p.errors, rc);
		get_u64(x, e, "latency_p50_ns", &p.lat_p50, rc);
		get_u64(x, e, "latency_p99_ns", &p.lat_p99, rc);
		get_u64(x, e, "latency_p999_ns", &p.lat_p999, rc);
		get_u64(x, e, "lateness_p50_ns", &p.late_p50, rc);
		get_u64(x, e, "lateness_p99_ns", &p.late_p99, rc);
		get_u64(x, e, "lateness_p999_ns", &p.late_p999, rc);
		uint32_t cm = mb_jr_get(&x->d, e, "commands");
		if (*rc == MB_OK && !mb_jr_is(&x->d, cm, MB_JR_OBJ))
			*rc = bad(x, "series.points", "commands are missing");
		for (uint32_t m = *rc == MB_OK ? x->d.v[cm].first : MB_JR_NONE; m != MB_JR_NONE && *rc == MB_OK; m = x->d.v[m].next) {
			int c = mb_cmd_parse(x->d.s + x->d.v[m].key_off, x->d.v[m].key_len);
			if (c < 0 || c >= MB_CMD_COUNT) {
				*rc = bad(x, "series.points", "name an unknown command");
				break;
			}
			get_u64(x, m, "count", &p.cmd_n[c], rc);
			get_u64(x, m, "p50_ns", &p.cmd_p[c][0], rc);
			get_u64(x, m, "p99_ns", &p.cmd_p[c][1], rc);
			get_u64(x, m, "p999_ns", &p.cmd_p[c][2], rc);
		}
		pts->p[pts->n++] = p;
	}
}

/* Sum one parsed report into r; MB_OK or MB_ERR (x->err filled). */
static int add_report(struct rd *x, struct fire_run *r, struct points *pts, unsigned *shift,
		      uint64_t *start, uint64_t *last_start, uint64_t *end)
{
	struct mb_jr *d = &x->d;
	struct fire_stats *s = &r->total;
	int rc = MB_OK;
	char str[256];
	uint32_t root = 0;
	if (!mb_jr_is(d, root, MB_JR_OBJ) || !mb_jr_str(d, mb_jr_get(d, root, "schema"), str, sizeof str) ||
	    strncmp(str, SCHEMA_BASE, strlen(SCHEMA_BASE)))
		return mb_err_set(x->err, MB_ERR, "not an mb-fire JSON report (no \"schema\": \"%s\"): '%s'", SCHEMA, x->name);
	if (strcmp(str, SCHEMA))
		return mb_err_set(x->err, MB_ERR, "report of schema '%s', this mb-fire reads %s: '%s'", str, SCHEMA, x->name);
	if (!mb_jr_str(d, mb_jr_get(d, root, "mode"), str, sizeof str))
		return bad(x, "mode", "is missing");
	enum fire_mode mode = !strcmp(str, "max") ? FIRE_MAX : !strcmp(str, "rate") ? FIRE_RATE : FIRE_RECORDED;
	if (strcmp(str, mode_name(mode)))
		return bad(x, "mode", "is not recorded, rate or max");
	if (r->reports && mode != r->opt.mode)
		return mb_err_set(x->err, MB_ERR, "report of mode %s, the reports before it are of mode %s: '%s'", str,
				  mode_name(r->opt.mode), x->name);
	r->opt.mode = mode;
	uint64_t n = 0, workers = 0, boosted = 0, tried = 0, st0 = 0, spread = 0, steal = 0;
	get_u64(x, root, "reports", &n, &rc);
	if (rc == MB_OK && (n < 1 || n > 1000000 || r->reports + n > 1000000))
		return bad(x, "reports", "is not 1 to 1000000, or the reports sum more");
	r->interrupted |= get_bool(x, root, "interrupted", &rc);
	if (get_bool(x, root, "duration_reached", &rc))
		atomic_store(&r->duration_hit, 1);
	get_u64(x, root, "start_unix_ns", &st0, &rc);
	get_u64(x, root, "start_spread_ns", &spread, &rc);
	if (rc == MB_OK && (st0 > UINT64_MAX / 2 || spread > UINT64_MAX / 4))
		return bad(x, "start_unix_ns", "or start_spread_ns out of range");
	if (st0 + spread > *last_start)
		*last_start = st0 + spread;
	double elapsed = get_double(x, root, "elapsed_s", &rc);
	if (rc == MB_OK && elapsed > 1e9)
		return bad(x, "elapsed_s", "is over 10^9");
	add_u64(x, root, "ops", &s->ops, &rc);
	add_u64(x, root, "requests", &s->requests, &rc);
	r->cpu += get_double(x, root, "cpu_s", &rc);
	uint32_t hs = mb_jr_get(d, root, "host_steal_ms");
	if (hs != MB_JR_NONE && get_u64(x, root, "host_steal_ms", &steal, &rc))
		r->steal_ms = (r->steal_ms < 0 ? 0 : r->steal_ms) + (int64_t)(steal > INT32_MAX ? INT32_MAX : steal);
	get_u64(x, root, "workers", &workers, &rc);
	get_u64(x, root, "workers_boosted", &boosted, &rc);
	get_u64(x, root, "priority_tried", &tried, &rc);
	if (rc == MB_OK && (workers > 64 * n || boosted > workers || tried > n))
		return bad(x, "workers", "workers_boosted or priority_tried out of range");
	uint64_t uring = 0, armed = 0;
	if (rc == MB_OK && mb_jr_get(d, root, "workers_io_uring") != MB_JR_NONE && get_u64(x, root, "workers_io_uring", &uring, &rc) &&
	    uring > workers)
		return bad(x, "workers_io_uring", "more than the workers");
	if (rc == MB_OK && mb_jr_get(d, root, "workers_io_uring_armed") != MB_JR_NONE &&
	    get_u64(x, root, "workers_io_uring_armed", &armed, &rc) && armed > uring)
		return bad(x, "workers_io_uring_armed", "more than the workers batching through io_uring");
	r->opt.threads += (unsigned)workers;
	atomic_fetch_add(&r->boosted, (unsigned)boosted);
	atomic_fetch_add(&r->uring_workers, (unsigned)uring);
	atomic_fetch_add(&r->uring_armed, (unsigned)armed);
	r->priority_tried += (unsigned)tried;
	uint32_t tg = mb_jr_get(d, root, "targets");
	if (rc == MB_OK && !mb_jr_is(d, tg, MB_JR_ARR))
		return bad(x, "targets", "is missing");
	for (uint32_t e = rc == MB_OK ? d->v[tg].first : MB_JR_NONE; e != MB_JR_NONE; e = d->v[e].next) {
		if (!mb_jr_str(d, e, str, sizeof r->opt.targets[0].name))
			return bad(x, "targets", "has a name that is not a string of up to 255 bytes");
		unsigned t = 0;
		while (t < r->opt.ntargets && strcmp(r->opt.targets[t].name, str))
			t++;
		if (t == r->opt.ntargets && t < FIRE_TARGETS_MAX)
			snprintf(r->opt.targets[r->opt.ntargets++].name, sizeof r->opt.targets[0].name, "%s", str);
	}
	if (rc == MB_OK && mb_jr_str(d, mb_jr_get(d, root, "routing"), str, sizeof str) && !strcmp(str, "by-server"))
		r->sched.by_server = true;
	add_u64(x, root, "input_events", &r->in_events, &rc);
	add_u64(x, root, "not_replayable", &r->in_skipped, &rc);
	uint32_t o = mb_jr_get(d, root, "connections");
	add_u64(x, o, "opened", &s->connects, &rc);
	add_u64(x, o, "failed", &s->connect_fail, &rc);
	add_u64(x, o, "broke", &s->resets, &rc);
	if (mb_jr_get(&x->d, o, "given_up") != MB_JR_NONE) /* added to membench-fire/1 later */
		add_u64(x, o, "given_up", &s->given_up, &rc);
	add_u64(x, root, "errors", &s->errors, &rc);
	add_u64(x, root, "lost", &s->lost, &rc);
	add_u64(x, root, "unanswered", &s->cancelled, &rc);
	add_u64(x, root, "unconfirmed", &s->unconfirmed, &rc);
	add_u64(x, root, "unsent", &s->unsent, &rc);
	add_u64(x, root, "desync", &s->desync, &rc);
	o = mb_jr_get(d, root, "order");
	if (get_bool(x, o, "on", &rc))
		r->opt.order = true;
	add_u64(x, o, "waited", &s->waited, &rc);
	add_u64(x, o, "wait_ns", &s->wait_ns, &rc);
	add_u64(x, o, "barriers", &s->barriers, &rc);
	add_u64(x, o, "overlaps", &r->order.overlaps, &rc);
	add_u64(x, o, "told", &r->order.told, &rc);
	add_u64(x, o, "reversed", &r->order.reversed, &rc);
	add_u64(x, o, "reversed_kept", &r->order.reversed_kept, &rc);
	add_u64(x, o, "ambiguous", &r->order.ambiguous, &rc);
	o = mb_jr_get(d, root, "hit_ratio");
	add_u64(x, o, "recorded_reads", &s->rec_reads, &rc);
	add_u64(x, o, "recorded_hits", &s->rec_hits, &rc);
	add_u64(x, o, "replayed_reads", &s->rep_reads, &rc);
	add_u64(x, o, "replayed_hits", &s->rep_hits, &rc);
	add_hist(x, root, "lateness", "lateness", &s->late, &rc);
	add_hist(x, root, "lateness_own", "lateness_own", &s->late_own, &rc);
	o = mb_jr_get(d, root, "commands");
	if (rc == MB_OK && !mb_jr_is(d, o, MB_JR_OBJ))
		return bad(x, "commands", "is missing");
	uint64_t sum_ops = 0;
	for (uint32_t e = rc == MB_OK ? d->v[o].first : MB_JR_NONE; e != MB_JR_NONE && rc == MB_OK; e = d->v[e].next) {
		const struct mb_jr_val *v = &d->v[e];
		int c = mb_cmd_parse(d->s + v->key_off, v->key_len);
		if (c < 0 || c >= MB_CMD_COUNT)
			return bad(x, "commands", "names an unknown command");
		struct fire_cmd_stats *cs = &s->cmd[c];
		uint64_t cops = 0, stsum = 0;
		get_u64(x, e, "ops", &cops, &rc);
		uint32_t so = mb_jr_get(d, e, "status");
		if (rc == MB_OK && !mb_jr_is(d, so, MB_JR_OBJ))
			return bad(x, "status", "is missing");
		for (uint32_t m = rc == MB_OK ? d->v[so].first : MB_JR_NONE; m != MB_JR_NONE && rc == MB_OK; m = d->v[m].next) {
			int st = d->v[m].key_len == 7 && !memcmp(d->s + d->v[m].key_off, "noreply", 7)
					 ? MB_ST_NONE
					 : mb_status_parse(d->s + d->v[m].key_off, d->v[m].key_len);
			uint64_t k;
			if (st < 0 || st >= MB_ST_COUNT)
				return bad(x, "status", "names an unknown status");
			if (!mb_jr_u64(d, m, &k) || k > UINT64_MAX - cs->st[st] || k > UINT64_MAX - stsum)
				return bad(x, "status", "has a count that is not one or overflows");
			cs->st[st] += k;
			stsum += k;
		}
		if (rc == MB_OK && stsum != cops)
			return bad(x, mb_cmd_name((unsigned)c), "statuses do not add up to its ops");
		sum_ops += cops;
		if (mb_jr_get(d, e, "latency_intended") != MB_JR_NONE) {
			if (!fire_cmd_hists(cs))
				return mb_err_set(x->err, MB_EIO, "out of memory reading '%s'", x->name);
			char label[64];
			snprintf(label, sizeof label, "%s latency_intended", mb_cmd_name((unsigned)c));
			add_hist(x, e, "latency_intended", label, cs->lat_int, &rc);
			snprintf(label, sizeof label, "%s latency_actual", mb_cmd_name((unsigned)c));
			add_hist(x, e, "latency_actual", label, cs->lat_act, &rc);
		}
	}
	uint64_t ops = 0;
	if (rc == MB_OK && get_u64(x, root, "ops", &ops, &rc) && sum_ops != ops)
		return bad(x, "commands", "do not add up to ops");
	if (rc == MB_OK)
		rc = fire_shard_report_add(r, d, root, x->name, x->err);
	if (rc != MB_OK)
		return rc;
	double off = *start && st0 < *start ? 0 : *start ? (double)(st0 - *start) / 1e9 : 0;
	if (*start && st0 < *start) {
		/* an earlier start: move the points read so far */
		for (size_t i = 0; i < pts->n; i++)
			pts->p[i].t += (double)(*start - st0) / 1e9;
	}
	add_series(x, root, off, pts, shift, &rc);
	if (rc != MB_OK)
		return rc;
	if (!*start || st0 < *start)
		*start = st0;
	uint64_t e_ns = st0 + (uint64_t)(elapsed * 1e9);
	if (e_ns > *end)
		*end = e_ns;
	r->reports += (unsigned)n;
	return MB_OK;
}

/* Read the whole file into a buffer of at most REPORT_MAX_BYTES. */
static char *slurp(const char *name, size_t *len, struct mb_err *err)
{
	int fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		mb_err_set(err, MB_EIO, "cannot open report: %s: '%s'", strerror(errno), name);
		return NULL;
	}
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap);
	for (;;) {
		if (!b) {
			mb_err_set(err, MB_EIO, "out of memory reading '%s'", name);
			break;
		}
		if (n == cap) {
			if (cap >= REPORT_MAX_BYTES) {
				mb_err_set(err, MB_ERR, "report larger than %u MiB: '%s'", REPORT_MAX_BYTES >> 20, name);
				break;
			}
			char *nb = realloc(b, cap * 2);
			if (!nb) {
				mb_err_set(err, MB_EIO, "out of memory reading '%s'", name);
				break;
			}
			b = nb;
			cap *= 2;
		}
		ssize_t k = read(fd, b + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			mb_err_set(err, MB_EIO, "read error: %s: '%s'", strerror(errno), name);
			break;
		}
		if (k == 0) {
			close(fd);
			*len = n;
			return b;
		}
		n += (size_t)k;
	}
	free(b);
	close(fd);
	return NULL;
}

/* Put the points gathered from the reports into r's series: bins of 1 << shift seconds from
   the earliest start (counts summed, percentiles the highest: an upper bound), halving
   while more than FIRE_SERIES_MAX bins are needed. */
static void rebin(struct fire_run *r, const struct fire_point *pts, size_t np, unsigned shift)
{
	double maxt = 0;
	for (size_t i = 0; i < np; i++)
		if (pts[i].t > maxt)
			maxt = pts[i].t;
	while (shift < 30 && maxt / (double)(1ull << shift) >= FIRE_SERIES_MAX)
		shift++;
	double w = (double)(1ull << shift);
	unsigned nb = 0;
	double end[FIRE_SERIES_MAX] = { 0 };
	memset(r->series, 0, sizeof r->series);
	for (size_t i = 0; i < np; i++) {
		const struct fire_point *p = &pts[i];
		double fb = p->t / w + 1e-6;
		unsigned b = fb < FIRE_SERIES_MAX - 1 ? (unsigned)fb : FIRE_SERIES_MAX - 1;
		struct fire_point *q = &r->series[b];
		if (!q->ops && !q->errors && !q->dt) {
			q->t = p->t;
		} else if (p->t < q->t) {
			q->t = p->t;
		}
		if (p->t + p->dt > end[b])
			end[b] = p->t + p->dt;
		fire_point_add(q, p);
		q->dt = end[b] - q->t;
		if (b + 1 > nb)
			nb = b + 1;
	}
	for (unsigned b = 0; b < nb; b++)
		if (!r->series[b].dt && !r->series[b].ops) {
			r->series[b].t = (double)b * w;
			r->series[b].dt = w;
		}
	r->nseries = nb;
	r->series_shift = shift;
}

struct fire_run *fire_report_load(const char *const *files, unsigned n, struct mb_err *err)
{
	struct fire_run *r = calloc(1, sizeof *r);
	struct points pts = { 0 };
	if (r)
		r->main_bell = r->prog_bell = -1; /* a report read back runs nothing */
	if (!r || mb_hist_init(&r->total.late, FIRE_HIST_LO, FIRE_HIST_HI, 3) != MB_OK ||
	    mb_hist_init(&r->total.late_own, FIRE_HIST_LO, FIRE_HIST_HI, 3) != MB_OK) {
		mb_err_set(err, MB_EIO, "out of memory");
		fire_run_free(r);
		return NULL;
	}
	r->steal_ms = -1;
	unsigned shift = 0;
	uint64_t start = 0, last = 0, end = 0;
	int rc = MB_OK;
	for (unsigned i = 0; i < n && rc == MB_OK; i++) {
		size_t len;
		char *text = slurp(files[i], &len, err);
		if (!text) {
			rc = MB_ERR;
			break;
		}
		struct rd x = { .name = files[i], .err = err };
		rc = mb_jr_parse(&x.d, text, len, REPORT_MAX_VALUES, files[i], err);
		if (rc == MB_OK)
			rc = add_report(&x, r, &pts, &shift, &start, &last, &end);
		mb_jr_free(&x.d);
		free(text);
	}
	if (rc != MB_OK) {
		free(pts.p);
		fire_run_free(r);
		return NULL;
	}
	r->start_unix_ns = start;
	r->start_spread_ns = last > start ? last - start : 0;
	r->elapsed = end > start ? (double)(end - start) / 1e9 : 0;
	rebin(r, pts.p, pts.n, shift);
	free(pts.p);
	return r;
}
