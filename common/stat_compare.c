/* stat_compare.c - mb-stat --compare: command mix, hit ratios, inter-arrivals and per-connection rates of two workloads side by side. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"
#include "json.h"
#include "mcreq.h"
#include "prog.h"
#include "report.h"
#include "stat.h"
#include "stat_compare.h"

/* One connection's span and count. */
struct cmp_conn {
	uint64_t first, last, n;
};

/* One input: the whole mb-stat accumulator, plus per-connection spans. */
struct cmp_side {
	const char *name;
	struct mb_stat st;
	bool st_ok;
	struct mb_connmap idx;   /* connection id -> 1 + index in conns */
	struct cmp_conn *conns;
	uint32_t nconns, cap;
	uint64_t untracked;      /* events of connections past the cap (or without memory) */
	uint64_t skipped[MB_CMD_COUNT]; /* events of commands a replay does not send, left out */
	double *rates, *ops;     /* per connection (sorted): ops/s over its span, ops */
	uint32_t nrates, nops;
};

/* Keep the events a replay can send (mb_mcreq_replayable) and account their connection. */
static bool side_event(void *ctx, const struct mb_event *ev)
{
	struct cmp_side *s = ctx;
	if (!mb_mcreq_replayable(ev->cmd)) {
		s->skipped[ev->cmd < MB_CMD_COUNT ? ev->cmd : MB_CMD_UNKNOWN]++;
		return false;
	}
	uint64_t *v = mb_connmap_get(&s->idx, ev->conn_id);
	if (!v) {
		bool fresh;
		if (s->nconns >= s->st.o.max_conns) {
			s->untracked++;
			return true;
		}
		if (s->nconns == s->cap) {
			uint32_t cap = s->cap ? s->cap * 2 : 1024;
			struct cmp_conn *c = realloc(s->conns, cap * sizeof *c);
			if (!c) {
				s->untracked++;
				return true;
			}
			s->conns = c;
			s->cap = cap;
		}
		if (!(v = mb_connmap_put(&s->idx, ev->conn_id, &fresh))) {
			s->untracked++;
			return true;
		}
		*v = ++s->nconns;
		s->conns[*v - 1] = (struct cmp_conn){ ev->ts_ns, ev->ts_ns, 0 };
	}
	struct cmp_conn *c = &s->conns[*v - 1];
	c->n++;
	if (ev->ts_ns < c->first)
		c->first = ev->ts_ns;
	if (ev->ts_ns > c->last)
		c->last = ev->ts_ns;
	return true;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Read one input completely. */
static int side_read(struct cmp_side *s, const char *arg, bool allow_truncated, struct mb_err *err)
{
	s->name = mb_input_name(arg);
	int fd = mb_open_input(arg, err);
	if (fd < 0)
		return MB_EIO;
	struct mb_reader r;
	int rc = mb_reader_open(&r, fd, s->name, (1u << MB_KIND_EVENTS_RAW) | (1u << MB_KIND_EVENTS_HASHED), err);
	if (rc == MB_END)
		rc = mb_err_set(err, MB_ERR, "empty input: '%s'", s->name);
	if (rc == MB_OK) {
		r.allow_truncated = allow_truncated;
		r.stop = &mb_stop_requested;
		struct mb_stat_opts o;
		mb_stat_opts_default(&o);
		o.mrc = false;
		o.max_keys = 1u << 16; /* keys are not compared: a small exact table */
		rc = mb_stat_init(&s->st, &o, &r.info, err);
		s->st_ok = true;
	}
	if (rc == MB_OK)
		rc = mb_stat_read(&r, &s->st, side_event, s, err);
	if (rc == MB_OK)
		rc = mb_stat_finish(&s->st, err);
	mb_reader_close(&r);
	if (fd > 0)
		close(fd);
	if (rc != MB_OK)
		return rc;
	/* per-connection rates: ops after the first over the span (connections of 2+ events) */
	s->rates = malloc((s->nconns + 1) * sizeof *s->rates);
	s->ops = malloc((s->nconns + 1) * sizeof *s->ops);
	if (!s->rates || !s->ops)
		return mb_err_set(err, MB_EIO, "out of memory");
	for (uint32_t i = 0; i < s->nconns; i++) {
		const struct cmp_conn *c = &s->conns[i];
		s->ops[s->nops++] = (double)c->n;
		if (c->n >= 2 && c->last > c->first)
			s->rates[s->nrates++] = (double)(c->n - 1) * 1e9 / (double)(c->last - c->first);
	}
	qsort(s->rates, s->nrates, sizeof *s->rates, by_value);
	qsort(s->ops, s->nops, sizeof *s->ops, by_value);
	return MB_OK;
}

static void side_free(struct cmp_side *s)
{
	if (s->st_ok)
		mb_stat_free(&s->st);
	mb_connmap_free(&s->idx);
	free(s->conns);
	free(s->rates);
	free(s->ops);
}

/* Nearest-rank percentile of a sorted array; 0 when empty. */
static double pct(const double *v, uint32_t n, double p)
{
	if (!n)
		return 0;
	uint64_t rank = (uint64_t)((p / 100.0) * n + 0.999999999);
	return v[rank ? (rank > n ? n - 1 : rank - 1) : 0];
}

static const double conn_pct[] = { 10, 50, 90, 100 };
static const char *const conn_pct_name[] = { "p10", "p50", "p90", "max" };
#define NCONN_PCT 4

static uint64_t errors_of(const struct mb_stat *st)
{
	uint64_t e = st->status[MB_ST_UNANSWERED];
	for (unsigned c = 0; c < MB_CMD_COUNT; c++)
		e += mb_stat_errors(st, c);
	return e;
}

/* Whether the two inputs have the same count of every command; the same hits and misses. */
static bool same_mix(const struct mb_stat *a, const struct mb_stat *b)
{
	return !memcmp(a->cmd, b->cmd, sizeof a->cmd);
}

static bool same_hits(const struct mb_stat *a, const struct mb_stat *b, unsigned c)
{
	uint64_t ha, ma, hb, mb;
	mb_stat_hits(a, c, &ha, &ma);
	mb_stat_hits(b, c, &hb, &mb);
	return ha == hb && ma == mb;
}

static double share(const struct mb_stat *st, unsigned c) { return st->events ? (double)st->cmd[c] / (double)st->events : 0; }

static double hit_ratio(const struct mb_stat *st, unsigned c, bool *some)
{
	uint64_t h, m;
	mb_stat_hits(st, c, &h, &m);
	*some = h + m != 0;
	return h + m ? (double)h / (double)(h + m) : 0;
}

/* How far apart two distributions' shapes are: the largest gap between their cumulative
   shares over the log2 buckets (a Kolmogorov-Smirnov distance at power-of-two resolution), 0
   for the same shape, 1 for disjoint ones; 0 when either is empty. */
static double shape_distance(const struct mb_dist *a, const struct mb_dist *b)
{
	if (!a->n || !b->n)
		return 0;
	uint64_t ca = 0, cb = 0;
	double d = 0;
	for (int i = 0; i < MB_DIST_LOG2; i++) {
		ca += a->log2[i];
		cb += b->log2[i];
		double g = (double)ca / (double)a->n - (double)cb / (double)b->n;
		if (g < 0)
			g = -g;
		if (g > d)
			d = g;
	}
	return d;
}

/* ---- text ---- */

static bool text_dist(struct mb_buf *o, const char *label, const struct mb_dist *d)
{
	char v[MB_REPORT_NPCT + 2][24];
	for (int i = 0; i < MB_REPORT_NPCT; i++)
		mb_fmt_count(v[i], sizeof v[i], (double)mb_dist_pct(d, mb_report_pct[i]));
	mb_fmt_count(v[MB_REPORT_NPCT], sizeof v[0], (double)d->max);
	mb_fmt_count(v[MB_REPORT_NPCT + 1], sizeof v[0], mb_dist_mean(d));
	return mb_bprintf(o, "  %-22s %10llu %8s %6.2f %8s %8s %8s %8s %8s\n", label, (unsigned long long)d->n,
			  v[5], mb_dist_cv(d), v[0], v[1], v[2], v[3], v[4]);
}

static bool text_conns(struct mb_buf *o, const char *label, const double *v, uint32_t n)
{
	bool ok = mb_bprintf(o, "  %-22s %10u", label, n);
	for (int i = 0; i < NCONN_PCT; i++)
		ok = ok && mb_bprintf(o, " %10.1f", pct(v, n, conn_pct[i]));
	return ok && mb_bprintf(o, "\n");
}

static bool text_report(const struct cmp_side *A, const struct cmp_side *B, struct mb_buf *o)
{
	const struct mb_stat *a = &A->st, *b = &B->st;
	const char *pa = mb_info_get(&a->info, "program"), *pb = mb_info_get(&b->info, "program");
	bool ok = mb_bprintf(o, "mb-stat --compare: A '%s' (%s), B '%s' (%s)\n\n", A->name, pa ? pa : "-", B->name, pb ? pb : "-");
	ok = ok && mb_bprintf(o, "OVERVIEW                          A              B            B-A\n");
	ok = ok && mb_bprintf(o, "  events              %14llu %14llu %+14lld\n", (unsigned long long)a->events,
			      (unsigned long long)b->events, (long long)(b->events - a->events));
	ok = ok && mb_bprintf(o, "  duration (s)        %14.3f %14.3f %+14.3f\n", a->r.duration_s, b->r.duration_s,
			      b->r.duration_s - a->r.duration_s);
	ok = ok && mb_bprintf(o, "  rate (ops/s mean)   %14.1f %14.1f %+14.1f\n", a->r.mean_ops, b->r.mean_ops, b->r.mean_ops - a->r.mean_ops);
	ok = ok && mb_bprintf(o, "  connections         %14u %14u %+14lld\n", A->nconns, B->nconns, (long long)B->nconns - A->nconns);
	ok = ok && mb_bprintf(o, "  errors              %14llu %14llu %+14lld\n", (unsigned long long)errors_of(a),
			      (unsigned long long)errors_of(b), (long long)(errors_of(b) - errors_of(a)));

	ok = ok && mb_bprintf(o, "\nCOMMAND MIX           A count  A share    B count  B share  B-A (points)\n");
	unsigned mix_diff = 0, hit_diff = 0;
	for (unsigned c = 0; c < MB_CMD_COUNT; c++) {
		if (!a->cmd[c] && !b->cmd[c])
			continue;
		mix_diff += a->cmd[c] != b->cmd[c];
		ok = ok && mb_bprintf(o, "  %-12s %10llu %7.2f%% %10llu %7.2f%% %+8.2f\n", mb_cmd_name(c), (unsigned long long)a->cmd[c],
				      100 * share(a, c), (unsigned long long)b->cmd[c], 100 * share(b, c), 100 * (share(b, c) - share(a, c)));
	}
	for (unsigned c = 0; c < MB_CMD_COUNT; c++)
		if (A->skipped[c] || B->skipped[c])
			ok = ok && mb_bprintf(o, "  %-12s %10llu %19llu   not replayable: left out of every figure\n", mb_cmd_name(c),
					      (unsigned long long)A->skipped[c], (unsigned long long)B->skipped[c]);
	ok = ok && (mix_diff ? mb_bprintf(o, "  command mix: differs (%u commands)\n", mix_diff) : mb_bprintf(o, "  command mix: identical\n"));

	ok = ok && mb_bprintf(o, "\nHIT RATIO              A hits  A misses  A ratio     B hits  B misses  B ratio  B-A (points)\n");
	for (unsigned c = 0; c < MB_CMD_COUNT; c++) {
		uint64_t ha, ma, hb, mb;
		mb_stat_hits(a, c, &ha, &ma);
		mb_stat_hits(b, c, &hb, &mb);
		if (!ha && !ma && !hb && !mb)
			continue;
		hit_diff += !same_hits(a, b, c);
		bool sa, sb;
		double ra = hit_ratio(a, c, &sa), rb = hit_ratio(b, c, &sb);
		ok = ok && mb_bprintf(o, "  %-12s %9llu %9llu %7.2f%% %10llu %9llu %7.2f%% %+8.2f\n", mb_cmd_name(c),
				      (unsigned long long)ha, (unsigned long long)ma, 100 * ra, (unsigned long long)hb,
				      (unsigned long long)mb, 100 * rb, sa && sb ? 100 * (rb - ra) : 0.0);
	}
	ok = ok && (hit_diff ? mb_bprintf(o, "  hit ratio: differs (%u commands)\n", hit_diff) : mb_bprintf(o, "  hit ratio: identical\n"));

	ok = ok && mb_bprintf(o, "\nINTER-ARRIVAL (ns)              count     mean     cv      p50      p90      p99    p99.9      max\n");
	ok = ok && text_dist(o, "per connection A", &a->iat_conn) && text_dist(o, "per connection B", &b->iat_conn);
	ok = ok && text_dist(o, "all events A", &a->iat) && text_dist(o, "all events B", &b->iat);
	ok = ok && mb_bprintf(o, "  shape distance (largest gap of the cumulative shares over powers of two, 0 same, 1 disjoint):\n"
			      "  per connection %.3f, all events %.3f\n",
			      shape_distance(&a->iat_conn, &b->iat_conn), shape_distance(&a->iat, &b->iat));
	if (a->out_of_order || b->out_of_order)
		ok = ok && mb_bprintf(o, "  events out of time order: A %llu, B %llu (their gaps count as 0: compare per connection)\n",
				      (unsigned long long)a->out_of_order, (unsigned long long)b->out_of_order);

	ok = ok && mb_bprintf(o, "\nPER CONNECTION                  conns        p10        p50        p90        max\n");
	ok = ok && text_conns(o, "ops/s A", A->rates, A->nrates) && text_conns(o, "ops/s B", B->rates, B->nrates);
	ok = ok && text_conns(o, "ops A", A->ops, A->nops) && text_conns(o, "ops B", B->ops, B->nops);
	if (A->untracked || B->untracked)
		ok = ok && mb_bprintf(o, "  events of untracked connections (past %u): A %llu, B %llu\n", a->o.max_conns,
				      (unsigned long long)A->untracked, (unsigned long long)B->untracked);
	return ok;
}

/* ---- JSON ---- */

static void json_side(struct mb_json *j, const struct cmp_side *s)
{
	const struct mb_stat *st = &s->st;
	mb_json_begin_object(j);
	mb_json_kstr(j, "name", s->name);
	mb_json_kstr(j, "kind", mb_kind_name(st->info.kind));
	const char *p = mb_info_get(&st->info, "program");
	if (p)
		mb_json_kstr(j, "program", p);
	else {
		mb_json_key(j, "program");
		mb_json_null(j);
	}
	mb_json_ku64(j, "events", st->events);
	mb_json_kdouble(j, "duration_s", st->r.duration_s);
	mb_json_kdouble(j, "mean_ops_per_s", st->r.mean_ops);
	mb_json_ku64(j, "connections", s->nconns);
	mb_json_ku64(j, "errors", errors_of(st));
	mb_json_key(j, "interarrival_per_conn_ns");
	mb_report_json_dist(j, &st->iat_conn);
	mb_json_key(j, "interarrival_ns");
	mb_report_json_dist(j, &st->iat);
	mb_json_ku64(j, "out_of_order", st->out_of_order);
	const double *v[2] = { s->rates, s->ops };
	uint32_t n[2] = { s->nrates, s->nops };
	const char *k[2] = { "conn_ops_per_s", "conn_ops" };
	for (int i = 0; i < 2; i++) {
		mb_json_key(j, k[i]);
		mb_json_begin_object(j);
		mb_json_ku64(j, "count", n[i]);
		for (int q = 0; q < NCONN_PCT; q++)
			mb_json_kdouble(j, conn_pct_name[q], pct(v[i], n[i], conn_pct[q]));
		mb_json_end_object(j);
	}
	mb_json_ku64(j, "untracked_conn_events", s->untracked);
	mb_json_key(j, "not_replayable");
	mb_json_begin_object(j);
	for (unsigned c = 0; c < MB_CMD_COUNT; c++)
		if (s->skipped[c])
			mb_json_ku64(j, mb_cmd_name(c), s->skipped[c]);
	mb_json_end_object(j);
	mb_json_end_object(j);
}

static void json_cmd_side(struct mb_json *j, const char *key, const struct mb_stat *st, unsigned c)
{
	uint64_t h, m;
	bool some;
	mb_stat_hits(st, c, &h, &m);
	double r = hit_ratio(st, c, &some);
	mb_json_key(j, key);
	mb_json_begin_object(j);
	mb_json_ku64(j, "count", st->cmd[c]);
	mb_json_kdouble(j, "share", share(st, c));
	mb_json_ku64(j, "hits", h);
	mb_json_ku64(j, "misses", m);
	mb_json_key(j, "hit_ratio");
	if (some)
		mb_json_double(j, r);
	else
		mb_json_null(j);
	mb_json_end_object(j);
}

static int json_report(const struct cmp_side *A, const struct cmp_side *B, struct mb_buf *o)
{
	const struct mb_stat *a = &A->st, *b = &B->st;
	struct mb_json j;
	mb_json_init_buf(&j, o, false);
	mb_json_begin_object(&j);
	mb_json_kstr(&j, "schema", "membench-stat-compare/1");
	mb_json_key(&j, "a");
	json_side(&j, A);
	mb_json_key(&j, "b");
	json_side(&j, B);
	bool hits_same = true;
	mb_json_key(&j, "commands");
	mb_json_begin_array(&j);
	for (unsigned c = 0; c < MB_CMD_COUNT; c++) {
		if (!a->cmd[c] && !b->cmd[c])
			continue;
		hits_same = hits_same && same_hits(a, b, c);
		mb_json_begin_object(&j);
		mb_json_kstr(&j, "command", mb_cmd_name(c));
		json_cmd_side(&j, "a", a, c);
		json_cmd_side(&j, "b", b, c);
		mb_json_kdouble(&j, "share_diff", share(b, c) - share(a, c));
		mb_json_end_object(&j);
	}
	mb_json_end_array(&j);
	mb_json_kbool(&j, "mix_identical", same_mix(a, b));
	mb_json_kbool(&j, "hit_ratio_identical", hits_same);
	mb_json_kdouble(&j, "interarrival_per_conn_distance", shape_distance(&a->iat_conn, &b->iat_conn));
	mb_json_kdouble(&j, "interarrival_distance", shape_distance(&a->iat, &b->iat));
	mb_json_end_object(&j);
	mb_json_newline(&j, 0);
	return mb_json_finish(&j);
}

int mb_stat_compare(const char *a, const char *b, bool json, bool allow_truncated, struct mb_buf *out, struct mb_err *err)
{
	struct cmp_side *s = calloc(2, sizeof *s);
	if (!s)
		return mb_err_set(err, MB_EIO, "out of memory");
	int rc = side_read(&s[0], a, allow_truncated, err);
	if (rc == MB_OK)
		rc = side_read(&s[1], b, allow_truncated, err);
	if (rc == MB_OK) {
		size_t len0 = out->len;
		rc = json ? json_report(&s[0], &s[1], out) : text_report(&s[0], &s[1], out) ? MB_OK : MB_EIO;
		if (rc != MB_OK) {
			out->len = len0;
			mb_err_set(err, MB_EIO, "out of memory for the report");
		}
	}
	side_free(&s[0]);
	side_free(&s[1]);
	free(s);
	return rc;
}
