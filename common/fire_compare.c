/* fire_compare.c - two replays side by side (mb-fire --compare): throughput, latency per command, hit ratio, errors; text and HTML. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fire_int.h"
#include "mbtime.h"
#include "report_svg.h"

#define CMP_ROWS_MAX (16 + MB_CMD_COUNT * 8)

/* One line of the comparison: what, A's and B's values, and how B differs from A. */
struct cmp_row {
	char what[48], a[40], b[40], d[24];
};

struct cmp {
	struct cmp_row row[CMP_ROWS_MAX];
	size_t n, ncmd_from; /* rows; the first per-command row */
};

static struct cmp_row *add(struct cmp *t, const char *what)
{
	struct cmp_row *r = &t->row[t->n < CMP_ROWS_MAX ? t->n++ : CMP_ROWS_MAX - 1];
	memset(r, 0, sizeof *r);
	snprintf(r->what, sizeof r->what, "%s", what);
	return r;
}

/* B relative to A: "+3.2%", "-0.5%", "=" when equal, "new" when A is 0. */
static void rel(char *d, size_t n, double a, double b)
{
	if (a == b)
		snprintf(d, n, "=");
	else if (a == 0)
		snprintf(d, n, "new");
	else
		snprintf(d, n, "%+.1f%%", (b - a) / a * 100.0);
}

/* A count row: the values and B's relative change (or, with absolute, the difference). */
static void row_count(struct cmp *t, const char *what, uint64_t a, uint64_t b, bool absolute)
{
	struct cmp_row *r = add(t, what);
	snprintf(r->a, sizeof r->a, "%" PRIu64, a);
	snprintf(r->b, sizeof r->b, "%" PRIu64, b);
	if (absolute)
		snprintf(r->d, sizeof r->d, a == b ? "=" : "%+" PRId64, (int64_t)(b - a));
	else
		rel(r->d, sizeof r->d, (double)a, (double)b);
}

static void row_dur(struct cmp *t, const char *what, uint64_t a, uint64_t b)
{
	struct cmp_row *r = add(t, what);
	mb_dur_format(r->a, sizeof r->a, a);
	mb_dur_format(r->b, sizeof r->b, b);
	rel(r->d, sizeof r->d, (double)a, (double)b);
}

/* A hit ratio row in percent, the difference in percentage points; "-" without reads. */
static void row_ratio(struct cmp *t, const char *what, uint64_t ha, uint64_t na, uint64_t hb, uint64_t nb)
{
	struct cmp_row *r = add(t, what);
	double a = na ? 100.0 * (double)ha / (double)na : 0, b = nb ? 100.0 * (double)hb / (double)nb : 0;
	snprintf(r->a, sizeof r->a, na ? "%.2f%%" : "-", a);
	snprintf(r->b, sizeof r->b, nb ? "%.2f%%" : "-", b);
	if (na && nb)
		snprintf(r->d, sizeof r->d, a == b ? "=" : "%+.2f pt", b - a);
	else
		snprintf(r->d, sizeof r->d, "-");
}

static double ops_per_s(const struct fire_run *r)
{
	return r->elapsed > 0 ? (double)r->total.ops / r->elapsed : 0;
}

/* A throughput cell: "9.33 ops/s". */
static void rate_cell(char *out, size_t cap, double per_s)
{
	size_t n = mb_rate_format(out, cap, per_s);
	snprintf(out + n, cap - n, " ops/s");
}

static uint64_t pct_of(const struct mb_hist *h, double p)
{
	return h ? mb_hist_percentile(h, p) : 0;
}

/* Every row of the comparison of a (the old) and b (the new). */
static void build(struct cmp *t, const struct fire_run *a, const struct fire_run *b)
{
	const struct fire_stats *sa = &a->total, *sb = &b->total;
	t->n = 0;
	row_count(t, "operations", sa->ops, sb->ops, false);
	row_count(t, "requests", sa->requests, sb->requests, false);
	struct cmp_row *r = add(t, "elapsed");
	snprintf(r->a, sizeof r->a, "%.3f s", a->elapsed);
	snprintf(r->b, sizeof r->b, "%.3f s", b->elapsed);
	rel(r->d, sizeof r->d, a->elapsed, b->elapsed);
	r = add(t, "throughput");
	rate_cell(r->a, sizeof r->a, ops_per_s(a));
	rate_cell(r->b, sizeof r->b, ops_per_s(b));
	rel(r->d, sizeof r->d, ops_per_s(a), ops_per_s(b));
	row_count(t, "errors", sa->errors, sb->errors, true);
	row_count(t, "not sent or not answered", fire_run_lost(a), fire_run_lost(b), true);
	row_count(t, "connections broke", sa->resets, sb->resets, true);
	row_ratio(t, "hit ratio (replayed)", sa->rep_hits, sa->rep_reads, sb->rep_hits, sb->rep_reads);
	row_ratio(t, "hit ratio (recorded)", sa->rec_hits, sa->rec_reads, sb->rec_hits, sb->rec_reads);
	r = add(t, "cpu per operation");
	double ca = sa->ops ? a->cpu * 1e6 / (double)sa->ops : 0, cb = sb->ops ? b->cpu * 1e6 / (double)sb->ops : 0;
	snprintf(r->a, sizeof r->a, "%.2f us", ca);
	snprintf(r->b, sizeof r->b, "%.2f us", cb);
	rel(r->d, sizeof r->d, ca, cb);
	if (mb_hist_count(&sa->late) || mb_hist_count(&sb->late)) {
		row_dur(t, "lateness p99", mb_hist_percentile(&sa->late, 99), mb_hist_percentile(&sb->late, 99));
		row_dur(t, "lateness max", mb_hist_max(&sa->late), mb_hist_max(&sb->late));
	}
	t->ncmd_from = t->n;
	for (unsigned c = 0; c < MB_CMD_COUNT; c++) {
		const struct fire_cmd_stats *ca_ = &sa->cmd[c], *cb_ = &sb->cmd[c];
		uint64_t na = fire_cmd_ops(ca_), nb = fire_cmd_ops(cb_);
		if (!na && !nb)
			continue;
		char w[48];
		snprintf(w, sizeof w, "%s ops", mb_cmd_name(c));
		row_count(t, w, na, nb, false);
		for (int i = 0; i < MB_REPORT_NPCT; i++) {
			snprintf(w, sizeof w, "%s %s", mb_cmd_name(c), mb_report_pct_name[i]);
			row_dur(t, w, pct_of(ca_->lat_int, mb_report_pct[i]), pct_of(cb_->lat_int, mb_report_pct[i]));
		}
		snprintf(w, sizeof w, "%s max", mb_cmd_name(c));
		row_dur(t, w, ca_->lat_int ? mb_hist_max(ca_->lat_int) : 0, cb_->lat_int ? mb_hist_max(cb_->lat_int) : 0);
		uint64_t ea = 0, eb = 0;
		for (unsigned st = 0; st < MB_ST_COUNT; st++)
			if (fire_status_is_error(st)) {
				ea += ca_->st[st];
				eb += cb_->st[st];
			}
		snprintf(w, sizeof w, "%s errors", mb_cmd_name(c));
		row_count(t, w, ea, eb, true);
		if (mb_cmd_is_read(c)) {
			snprintf(w, sizeof w, "%s hit ratio", mb_cmd_name(c));
			row_ratio(t, w, ca_->st[MB_ST_HIT], ca_->st[MB_ST_HIT] + ca_->st[MB_ST_MISS], cb_->st[MB_ST_HIT],
				  cb_->st[MB_ST_HIT] + cb_->st[MB_ST_MISS]);
		}
	}
}

int fire_compare_text(const struct fire_run *a, const struct fire_run *b, const char *na, const char *nb, FILE *o)
{
	struct cmp *t = malloc(sizeof *t);
	if (!t)
		return MB_EIO;
	build(t, a, b);
	fprintf(o, "mb-fire: A %s (%u report%s), B %s (%u report%s); latency from the intended send time\n", na,
		a->reports, a->reports == 1 ? "" : "s", nb, b->reports, b->reports == 1 ? "" : "s");
	fprintf(o, "%-26s %16s %16s %10s\n", "", "A", "B", "B vs A");
	for (size_t i = 0; i < t->n; i++) {
		if (i == t->ncmd_from)
			fprintf(o, "%-26s %16s %16s %10s\n", "per command", "", "", "");
		fprintf(o, "%-26s %16s %16s %10s\n", t->row[i].what, t->row[i].a, t->row[i].b, t->row[i].d);
	}
	free(t);
	return MB_OK;
}

/* The rows [from, to) as an HTML table. */
static bool html_rows(struct mb_buf *out, const struct cmp *t, size_t from, size_t to)
{
	bool ok = mb_bprintf(out, "<table><tr><th></th><th>A</th><th>B</th><th>B vs A</th></tr>\n");
	for (size_t i = from; i < to && ok; i++)
		ok = mb_bprintf(out, "<tr><td>") && mb_html_esc(out, t->row[i].what) && mb_bprintf(out, "</td><td>") &&
		     mb_html_esc(out, t->row[i].a) && mb_bprintf(out, "</td><td>") && mb_html_esc(out, t->row[i].b) &&
		     mb_bprintf(out, "</td><td>") && mb_html_esc(out, t->row[i].d) && mb_bprintf(out, "</td></tr>\n");
	return ok && mb_bprintf(out, "</table>\n");
}

/* ops/s over time of both runs, each from its own start. */
static bool html_ops_chart(struct mb_buf *out, const struct fire_run *a, const struct fire_run *b)
{
	double *v = malloc(4 * FIRE_SERIES_MAX * sizeof *v);
	if (!v)
		return false;
	const struct fire_run *run[2] = { a, b };
	struct mb_series s[2];
	for (int k = 0; k < 2; k++) {
		double *x = v + 2 * k * FIRE_SERIES_MAX, *y = x + FIRE_SERIES_MAX;
		for (unsigned i = 0; i < run[k]->nseries; i++) {
			x[i] = run[k]->series[i].t;
			y[i] = run[k]->series[i].dt > 0 ? (double)run[k]->series[i].ops / run[k]->series[i].dt : 0;
		}
		s[k] = (struct mb_series){ x, y, run[k]->nseries, mb_svg_palette[k ? 3 : 0], k ? "B" : "A", false };
	}
	bool ok = mb_svg_line_chart(out, "chart-ops", "Operations per second over time, A and B", s, 2,
				    (struct mb_axis){ 0, 1, false, 0, 0, MB_U_SEC, "time since the run's start (s)", "time" },
				    (struct mb_axis){ 0, 1, false, 0, 0, MB_U_COUNT, "operations per second (ops/s)", "ops/s" },
				    "the runs were too short");
	free(v);
	return ok;
}

/* p50 and p99 per command, A and B side by side. */
static bool html_latency_chart(struct mb_buf *out, const struct fire_run *a, const struct fire_run *b)
{
	const char *labels[MB_CMD_COUNT];
	double v[MB_CMD_COUNT * 4];
	size_t n = 0;
	for (unsigned c = 0; c < MB_CMD_COUNT; c++) {
		const struct mb_hist *ha = a->total.cmd[c].lat_int, *hb = b->total.cmd[c].lat_int;
		if ((!ha || !mb_hist_count(ha)) && (!hb || !mb_hist_count(hb)))
			continue;
		labels[n] = mb_cmd_name(c);
		v[n * 4] = (double)pct_of(ha, 50);
		v[n * 4 + 1] = (double)pct_of(hb, 50);
		v[n * 4 + 2] = (double)pct_of(ha, 99);
		v[n * 4 + 3] = (double)pct_of(hb, 99);
		n++;
	}
	static const char *const names[4] = { "A p50", "B p50", "A p99", "B p99" };
	const char *const colors[4] = { mb_svg_palette[0], mb_svg_palette[3], mb_svg_palette[1], mb_svg_palette[4] };
	return mb_svg_bar_chart(out, "chart-latency", "Latency p50 and p99 per command, A and B (from the intended send time)", labels,
				v, n, 4, colors, names, true, MB_U_NS, "latency (log scale)");
}

int fire_compare_html(const struct fire_run *a, const struct fire_run *b, const char *na, const char *nb, struct mb_buf *out)
{
	struct cmp *t = malloc(sizeof *t);
	if (!t)
		return MB_EIO;
	build(t, a, b);
	bool ok = mb_html_page_start(out, "mb-fire comparison") && mb_bprintf(out, "<p>A: ") && mb_html_esc(out, na) &&
		  mb_bprintf(out, " (%u report%s); B: ", a->reports, a->reports == 1 ? "" : "s") && mb_html_esc(out, nb) &&
		  mb_bprintf(out, " (%u report%s). Latency is from the intended send time.</p>\n<h2>Overview</h2>", b->reports,
			     b->reports == 1 ? "" : "s") &&
		  html_rows(out, t, 0, t->ncmd_from) && mb_bprintf(out, "<div class=\"charts\">") && html_ops_chart(out, a, b) &&
		  html_latency_chart(out, a, b) && mb_bprintf(out, "</div>\n<h2>Per command</h2>") &&
		  html_rows(out, t, t->ncmd_from, t->n) && mb_bprintf(out, "</body></html>\n");
	free(t);
	return ok ? MB_OK : MB_EIO;
}
