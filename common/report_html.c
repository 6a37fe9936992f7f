/* report_html.c - the mb-stat report as one self-contained HTML page with inline SVG charts (no scripts, no links). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mbtime.h"
#include "report.h"

#define W 640
#define H 280
#define ML 64 /* margins: left, right, top, bottom */
#define MR 16
#define MT 28
#define MB 44
#define MAXPTS 4096

/* One series of a line/point chart. */
struct series {
	const double *x, *y;
	size_t n;
	const char *color;
	const char *name;
	bool points; /* dots instead of a line */
};

/* An axis mapping data to pixels, linear or log10. */
struct axis {
	double lo, hi;
	bool log;
	int p0, p1;
};

static double ax_map(const struct axis *a, double v)
{
	double t;
	if (a->log)
		t = (log10(v > 0 ? v : a->lo) - log10(a->lo)) / (log10(a->hi) - log10(a->lo));
	else
		t = (v - a->lo) / (a->hi - a->lo);
	return a->p0 + t * (a->p1 - a->p0);
}

static void ax_fit(struct axis *a, const struct series *s, size_t ns, bool xaxis, bool zero)
{
	double lo = INFINITY, hi = -INFINITY;
	for (size_t k = 0; k < ns; k++) {
		for (size_t i = 0; i < s[k].n; i++) {
			double v = xaxis ? s[k].x[i] : s[k].y[i];
			if (a->log && v <= 0)
				continue;
			lo = v < lo ? v : lo;
			hi = v > hi ? v : hi;
		}
	}
	if (!isfinite(lo)) {
		lo = a->log ? 1 : 0;
		hi = 1;
	}
	if (a->log) {
		lo = pow(10, floor(log10(lo)));
		hi = pow(10, ceil(log10(hi)));
		if (hi <= lo)
			hi = lo * 10;
	} else {
		if (zero && lo > 0)
			lo = 0;
		if (hi <= lo)
			hi = lo + 1;
	}
	a->lo = lo;
	a->hi = hi;
}

static void tick_label(char *out, size_t cap, double v, bool bytes)
{
	if (bytes)
		mb_fmt_bytes(out, cap, v);
	else
		mb_fmt_count(out, cap, v);
}

/* Axis lines, ticks and labels. */
static bool axes(struct mb_buf *b, const struct axis *x, const struct axis *y, const char *xl, const char *yl, bool xbytes)
{
	bool ok = mb_bprintf(b, "<g class=\"axes\" stroke=\"#888\" fill=\"none\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
				"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/></g>\n",
			     ML, H - MB, W - MR, H - MB, ML, MT, ML, H - MB);
	for (int k = 0; k < 2 && ok; k++) {
		const struct axis *a = k ? y : x;
		double t[32];
		int nt = 0;
		if (a->log) {
			for (double v = a->lo; v <= a->hi * 1.0001 && nt < 32; v *= 10)
				t[nt++] = v;
		} else {
			double step = pow(10, floor(log10((a->hi - a->lo) / 4)));
			if ((a->hi - a->lo) / step > 10)
				step *= 2.5;
			if ((a->hi - a->lo) / step > 10)
				step *= 2;
			for (double v = ceil(a->lo / step) * step; v <= a->hi * 1.0000001 && nt < 32; v += step)
				t[nt++] = v;
		}
		for (int i = 0; i < nt && ok; i++) {
			char lab[32];
			tick_label(lab, sizeof lab, t[i], k == 0 && xbytes);
			double p = ax_map(a, t[i]);
			if (k == 0)
				ok = mb_bprintf(b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#888\"/>"
						   "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
						p, H - MB, p, H - MB + 4, p, H - MB + 16, lab);
			else
				ok = mb_bprintf(b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
						   "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
						ML, p, W - MR, p, ML - 4, p + 4, lab);
		}
	}
	return ok && mb_bprintf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>"
				   "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">%s</text>\n",
				(ML + W - MR) / 2, H - 8, xl, (MT + H - MB) / 2, (MT + H - MB) / 2, yl);
}

static bool svg_open(struct mb_buf *b, const char *id, const char *title)
{
	return mb_bprintf(b, "<figure><svg id=\"%s\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
			     "viewBox=\"0 0 %d %d\" font-size=\"11\" font-family=\"sans-serif\">\n"
			     "<text x=\"%d\" y=\"16\" font-size=\"13\" font-weight=\"bold\">%s</text>\n",
			  id, W, H, W, H, ML, title);
}

static bool svg_close(struct mb_buf *b) { return mb_bprintf(b, "</svg></figure>\n"); }

static bool no_data(struct mb_buf *b)
{
	return mb_bprintf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f6f6f6\"/>"
			     "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#888\">no data</text>\n",
			  ML, MT, W - ML - MR, H - MT - MB, (ML + W - MR) / 2, (MT + H - MB) / 2);
}

/* A line or point chart of one or more series. */
static bool line_chart(struct mb_buf *b, const char *id, const char *title, const struct series *s, size_t ns, bool xlog,
		       bool ylog, const char *xl, const char *yl, bool xbytes)
{
	bool ok = svg_open(b, id, title);
	size_t total = 0;
	for (size_t k = 0; k < ns; k++)
		total += s[k].n;
	if (!total)
		return ok && no_data(b) && svg_close(b);
	struct axis x = { 0, 1, xlog, ML, W - MR }, y = { 0, 1, ylog, H - MB, MT };
	ax_fit(&x, s, ns, true, false);
	ax_fit(&y, s, ns, false, true);
	ok = ok && axes(b, &x, &y, xl, yl, xbytes);
	for (size_t k = 0; k < ns && ok; k++) {
		if (s[k].points) {
			ok = mb_bprintf(b, "<g fill=\"%s\">", s[k].color);
			for (size_t i = 0; i < s[k].n && ok; i++)
				if ((!xlog || s[k].x[i] > 0) && (!ylog || s[k].y[i] > 0))
					ok = mb_bprintf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\"/>", ax_map(&x, s[k].x[i]), ax_map(&y, s[k].y[i]));
			ok = ok && mb_bprintf(b, "</g>\n");
		} else {
			ok = mb_bprintf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"", s[k].color);
			for (size_t i = 0; i < s[k].n && ok; i++)
				if ((!xlog || s[k].x[i] > 0) && (!ylog || s[k].y[i] > 0))
					ok = mb_bprintf(b, "%.1f,%.1f ", ax_map(&x, s[k].x[i]), ax_map(&y, s[k].y[i]));
			ok = ok && mb_bprintf(b, "\"/>\n");
		}
		if (ns > 1 && ok)
			ok = mb_bprintf(b, "<rect x=\"%d\" y=\"%zu\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"%zu\">%s</text>\n",
					W - MR - 150, MT + 4 + 14 * k, s[k].color, W - MR - 135, MT + 13 + 14 * k, s[k].name);
	}
	return ok && svg_close(b);
}

/* Bars: n groups of m values (m series, colors/names given), labels under each group. */
static bool bar_chart(struct mb_buf *b, const char *id, const char *title, const char *const *labels, const double *v, size_t n,
		      size_t m, const char *const *colors, const char *const *names, bool ylog, const char *yl)
{
	bool ok = svg_open(b, id, title);
	double hi = 0, lo = INFINITY;
	for (size_t i = 0; i < n * m; i++) {
		hi = v[i] > hi ? v[i] : hi;
		if (v[i] > 0 && v[i] < lo)
			lo = v[i];
	}
	if (!n || hi <= 0)
		return ok && no_data(b) && svg_close(b);
	struct axis x = { 0, 1, false, ML, W - MR }, y = { ylog ? lo : 0, hi, ylog, H - MB, MT };
	if (ylog) {
		y.lo = pow(10, floor(log10(lo)));
		y.hi = pow(10, ceil(log10(hi)));
		if (y.hi <= y.lo || names)
			y.hi *= 10; /* headroom for the legend */
	}
	ok = ok && mb_bprintf(b, "<g class=\"axes\" stroke=\"#888\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/></g>\n", ML, H - MB,
			      W - MR, H - MB);
	struct axis yy = y;
	ok = ok && axes(b, &(struct axis){ 0, 0, false, ML, ML }, &yy, "", yl, false);
	double gw = (double)(W - ML - MR) / (double)n, bw = gw * 0.8 / (double)m;
	for (size_t i = 0; i < n && ok; i++) {
		for (size_t j = 0; j < m && ok; j++) {
			double val = v[i * m + j];
			if (val <= 0)
				continue;
			double top = ax_map(&y, val), px = ML + gw * (double)i + gw * 0.1 + bw * (double)j;
			ok = mb_bprintf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s %s: %.6g</title></rect>\n",
					px, top, bw, (H - MB) - top, colors[j], labels[i], names ? names[j] : "", val);
		}
		ok = ok && mb_bprintf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", ML + gw * ((double)i + 0.5),
				      H - MB + 14, labels[i]);
	}
	for (size_t j = 0; names && j < m && ok; j++)
		ok = mb_bprintf(b, "<rect x=\"%d\" y=\"%zu\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"%zu\">%s</text>\n",
				W - MR - 90, MT + 4 + 14 * j, colors[j], W - MR - 75, MT + 13 + 14 * j, names[j]);
	(void)x;
	return ok && svg_close(b);
}

static const char *const palette[] = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd" };

/* A log2 size histogram as bars, one per bucket from the first to the last non-empty one. */
static bool size_chart(struct mb_buf *b, const char *id, const char *title, const struct mb_dist *d)
{
	char lab[MB_DIST_LOG2][16];
	const char *labels[MB_DIST_LOG2];
	double v[MB_DIST_LOG2];
	int first = -1, last = -1;
	for (int i = 0; i < MB_DIST_LOG2; i++)
		if (d->log2[i]) {
			first = first < 0 ? i : first;
			last = i;
		}
	size_t n = 0;
	for (int i = first; first >= 0 && i <= last; i++) {
		if (i == 0)
			strcpy(lab[n], "0");
		else
			mb_fmt_count(lab[n], sizeof lab[n], ldexp(1, i - 1));
		labels[n] = lab[n];
		v[n++] = (double)d->log2[i];
	}
	return bar_chart(b, id, title, labels, v, n, 1, palette, NULL, false, "requests");
}

static bool esc(struct mb_buf *b, const char *s)
{
	bool ok = true;
	for (; *s && ok; s++) {
		if (*s == '<')
			ok = mb_bprintf(b, "&lt;");
		else if (*s == '>')
			ok = mb_bprintf(b, "&gt;");
		else if (*s == '&')
			ok = mb_bprintf(b, "&amp;");
		else if (*s == '"')
			ok = mb_bprintf(b, "&quot;");
		else
			ok = mb_bprintf(b, "%c", *s);
	}
	return ok;
}

static bool dist_table_row(struct mb_buf *b, const char *label, const struct mb_dist *d, bool time)
{
	char v[MB_REPORT_NPCT + 2][24];
	if (time) {
		mb_dur_format(v[0], sizeof v[0], (uint64_t)llround(mb_dist_mean(d)));
		for (int i = 0; i < MB_REPORT_NPCT; i++)
			mb_dur_format(v[i + 1], sizeof v[i + 1], mb_dist_pct(d, mb_report_pct[i]));
		mb_dur_format(v[MB_REPORT_NPCT + 1], sizeof v[0], d->max);
	} else {
		snprintf(v[0], sizeof v[0], "%.1f", mb_dist_mean(d));
		for (int i = 0; i < MB_REPORT_NPCT; i++)
			snprintf(v[i + 1], sizeof v[i + 1], "%" PRIu64, mb_dist_pct(d, mb_report_pct[i]));
		snprintf(v[MB_REPORT_NPCT + 1], sizeof v[0], "%" PRIu64, d->max);
	}
	return mb_bprintf(b, "<tr><td>%s</td><td>%" PRIu64 "</td><td>%s</td><td>%.2f</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
			  label, d->n, v[0], mb_dist_cv(d), v[1], v[2], v[3], v[4], v[5]);
}

static const char dist_head[] =
	"<tr><th></th><th>count</th><th>mean</th><th>cv</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr>\n";

static bool overview(const struct mb_stat *st, struct mb_buf *b)
{
	const struct mb_stat_result *r = &st->r;
	char t1[32], t2[32];
	bool ok = mb_bprintf(b, "<h2>Overview</h2><table class=\"kv\">\n<tr><td>stream</td><td>%s", mb_kind_name(st->info.kind));
	const char *prog = mb_info_get(&st->info, "program");
	if (prog)
		ok = ok && mb_bprintf(b, " from ") && esc(b, prog);
	ok = ok && mb_bprintf(b, "</td></tr>\n<tr><td>duration</td><td>%.3f s</td></tr>\n<tr><td>events</td><td>%" PRIu64 "</td></tr>\n",
			      r->duration_s, st->events);
	ok = ok && mb_bprintf(b, "<tr><td>ops/s</td><td>%.1f mean, %.0f peak (per second), burstiness %.2f</td></tr>\n", r->mean_ops,
			      r->peak_ops, r->burstiness);
	ok = ok && mb_bprintf(b, "<tr><td>connections</td><td>%u</td></tr>\n<tr><td>distinct keys</td><td>%.0f (%s)</td></tr>\n",
			      st->nconns, r->distinct_keys, r->keys_exact ? "exact" : "HyperLogLog estimate");
	mb_fmt_bytes(t1, sizeof t1, (double)st->req_bytes_est);
	mb_fmt_bytes(t2, sizeof t2, (double)st->resp_bytes_est);
	ok = ok && mb_bprintf(b, "<tr><td>wire bytes (estimate)</td><td>%s read, %s written</td></tr>\n", t1, t2);
	ok = ok && mb_bprintf(b, "<tr><td>responses captured</td><td>%.2f%%</td></tr></table>\n",
			      st->events ? 100.0 * (double)st->answered / (double)st->events : 0);
	ok = ok && mb_bprintf(b, "<h2>Command mix</h2><table><tr><th>command</th><th>count</th><th>share</th><th>hits</th><th>misses</th>"
				 "<th>hit ratio</th><th>errors</th></tr>\n");
	for (unsigned c = 0; c < MB_CMD_COUNT && ok; c++) {
		if (!st->cmd[c])
			continue;
		uint64_t h, m;
		mb_stat_hits(st, c, &h, &m);
		char hr[16] = "-";
		if (h + m)
			snprintf(hr, sizeof hr, "%.2f%%", 100.0 * (double)h / (double)(h + m));
		ok = mb_bprintf(b, "<tr><td>%s</td><td>%" PRIu64 "</td><td>%.2f%%</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%s</td><td>%" PRIu64
				   "</td></tr>\n",
				mb_cmd_name(c), st->cmd[c], 100.0 * (double)st->cmd[c] / (double)st->events, h, m, hr, mb_stat_errors(st, c));
	}
	for (unsigned p = 0; p < MB_PROTO_COUNT && ok; p++)
		if (st->proto[p])
			ok = mb_bprintf(b, "<tr><td><i>protocol %s</i></td><td>%" PRIu64 "</td><td>%.2f%%</td></tr>\n", mb_proto_name(p), st->proto[p],
					100.0 * (double)st->proto[p] / (double)st->events);
	return ok && mb_bprintf(b, "</table>\n");
}

static bool sizes(const struct mb_stat *st, struct mb_buf *b)
{
	bool ok = mb_bprintf(b, "<h2>Key, value and TTL sizes</h2><table>%s", dist_head);
	char label[48];
	for (unsigned c = 0; c < MB_SC_COUNT && ok; c++)
		if (st->key_size[c].n) {
			snprintf(label, sizeof label, "key size %s", mb_stat_class_name(c));
			ok = dist_table_row(b, label, &st->key_size[c], false);
		}
	for (unsigned c = 0; c < MB_SC_COUNT && ok; c++)
		if (st->value_size[c].n) {
			snprintf(label, sizeof label, "value size %s", mb_stat_class_name(c));
			ok = dist_table_row(b, label, &st->value_size[c], false);
		}
	if (ok && st->ttl.n)
		ok = dist_table_row(b, "ttl (s)", &st->ttl, false);
	ok = ok && mb_bprintf(b, "</table>\n<div class=\"charts\">");
	ok = ok && size_chart(b, "chart-key-size", "Key size (bytes, log2 buckets)", &st->key_size[MB_SC_ALL]);
	ok = ok && size_chart(b, "chart-value-size-set", "Value size stored (bytes, log2 buckets)", &st->value_size[MB_SC_SET]);
	ok = ok && size_chart(b, "chart-value-size-get", "Value size returned (bytes, log2 buckets)", &st->value_size[MB_SC_GET]);
	return ok && mb_bprintf(b, "</div>\n");
}

static bool series(const struct mb_stat *st, struct mb_buf *b, double *xs, double *y1, double *y2)
{
	bool ok = mb_bprintf(b, "<h2>Arrival process</h2><table>%s", dist_head) &&
		  dist_table_row(b, "inter-arrival overall", &st->iat, true) &&
		  dist_table_row(b, "inter-arrival per connection", &st->iat_conn, true) && mb_bprintf(b, "</table>\n");
	double wsec = (double)(st->o.window_ns << st->win_shift) / 1e9;
	uint32_t g = mb_report_group(st->nwin, MAXPTS);
	size_t n = 0;
	for (uint32_t i = 0; i < st->nwin; i += g) {
		uint64_t ops = 0;
		uint32_t e = i + g < st->nwin ? i + g : st->nwin;
		for (uint32_t j = i; j < e; j++)
			ops += st->win[j].ops;
		xs[n] = i * wsec;
		y1[n] = (double)ops / (wsec * (e - i));
		y2[n++] = (double)st->win[e - 1].cum_keys;
	}
	struct series s1 = { xs, y1, n, palette[0], "ops/s", false };
	ok = ok && mb_bprintf(b, "<div class=\"charts\">") &&
	     line_chart(b, "chart-ops", "Requests per second over time", &s1, 1, false, false, "time (s)", "ops/s", false);
	struct series s2 = { xs, y2, n, palette[2], "keys", false };
	ok = ok && line_chart(b, "chart-working-set", "Working set: distinct keys so far", &s2, 1, false, false, "time (s)", "keys", false);
	/* Observed read hit ratio per window (windows without reads left out). */
	static double hx[MAXPTS], hy[MAXPTS];
	size_t nh = 0;
	for (uint32_t i = 0; i < st->nwin; i += g) {
		uint64_t h = 0, m = 0;
		uint32_t e = i + g < st->nwin ? i + g : st->nwin;
		for (uint32_t j = i; j < e; j++) {
			h += st->win[j].hits;
			m += st->win[j].misses;
		}
		if (h + m) {
			hx[nh] = i * wsec;
			hy[nh++] = (double)h / (double)(h + m);
		}
	}
	struct series s3 = { hx, hy, nh, palette[1], "hit ratio", false };
	ok = ok && line_chart(b, "chart-hit-ratio", "Observed read hit ratio over time", &s3, 1, false, false, "time (s)", "hit ratio", false);
	return ok && mb_bprintf(b, "</div>\n");
}

static bool popularity(const struct mb_stat *st, struct mb_buf *b, double *xs, double *ys, double *fy)
{
	const struct mb_stat_result *r = &st->r;
	bool ok = mb_bprintf(b, "<h2>Key popularity</h2><table><tr><th>rank</th><th>key</th><th>count</th><th>share</th></tr>\n");
	for (size_t i = 0; i < r->ntop && ok; i++) {
		char name[20];
		mb_stat_key_name(st, r->top[i].id, name);
		ok = mb_bprintf(b, "<tr><td>%zu</td><td><code>%s</code></td><td>%" PRIu64 "</td><td>%.3f%%</td></tr>\n", i + 1, name,
				r->top[i].count, st->keyed ? 100.0 * (double)r->top[i].count / (double)st->keyed : 0);
	}
	ok = ok && mb_bprintf(b, "</table><p>");
	if (r->zipf_ok)
		ok = ok && mb_bprintf(b, "Zipf exponent <b>%.3f</b> (weighted log-log least squares over ranks 1..%zu, R&sup2; %.3f). ", r->zipf.s,
				      r->zipf.ranks, r->zipf.r2);
	ok = ok && mb_bprintf(b, "Top 1%% of keys (%" PRIu64 "): %.2f%% of keyed requests. One-hit wonders: %" PRIu64 " keys.</p>\n",
			      r->top1pct_keys, 100 * r->top1pct_share, r->one_hit);
	size_t n = 0, rank = 1;
	while (rank <= r->nranks && n < MAXPTS) {
		xs[n] = (double)rank;
		ys[n] = (double)r->rank_counts[rank - 1];
		fy[n] = r->zipf_ok ? (double)r->rank_counts[0] * pow((double)rank, -r->zipf.s) : 0;
		n++;
		size_t next = (size_t)((double)rank * 1.05);
		rank = next > rank ? next : rank + 1;
	}
	struct series s[2] = { { xs, ys, n, palette[0], "observed", true }, { xs, fy, r->zipf_ok ? n : 0, palette[3], "Zipf fit", false } };
	return ok && line_chart(b, "chart-rank", "Rank-frequency (log-log)", s, 2, true, true, "rank", "requests", false);
}

static bool cache(const struct mb_stat *st, struct mb_buf *b, double *xs, double *ys)
{
	const struct mb_stat_result *r = &st->r;
	bool ok = mb_bprintf(b, "<h2>Cache behaviour</h2>");
	if (!st->shards)
		return ok && mb_bprintf(b, "<p>LRU miss-ratio curve not computed (--no-mrc).</p>\n");
	ok = ok && mb_bprintf(b, "<p>LRU miss-ratio curve, SHARDS sampling rate %.6g, %" PRIu64 " sampled references.</p><div class=\"charts\">",
			      r->mrc_rate, r->mrc_refs);
	for (int k = 0; k < 2 && ok; k++) {
		const struct mb_mrc_point *p = k ? r->mrc_bytes : r->mrc_obj;
		size_t np = k ? r->nmrc_bytes : r->nmrc_obj, n = 0;
		/* A step curve: the ratio drops at each point's size. */
		xs[n] = 0;
		ys[n++] = 1;
		for (size_t i = 0; i < np && n + 2 < MAXPTS; i++) {
			xs[n] = p[i].size;
			ys[n++] = i ? p[i - 1].miss_ratio : 1;
			xs[n] = p[i].size;
			ys[n++] = p[i].miss_ratio;
		}
		struct series s = { xs, ys, n, palette[k ? 1 : 0], "", false };
		ok = line_chart(b, k ? "chart-mrc-bytes" : "chart-mrc-objects", k ? "LRU miss ratio by cache bytes" : "LRU miss ratio by cache objects",
				&s, 1, false, false, k ? "cache size (bytes)" : "cache size (objects)", "miss ratio", k == 1);
	}
	return ok && mb_bprintf(b, "</div>\n");
}

static bool latency(const struct mb_stat *st, struct mb_buf *b)
{
	bool ok = mb_bprintf(b, "<h2>Server latency</h2><table>%s", dist_head);
	const char *labels[MB_CMD_COUNT + 1];
	double v[(MB_CMD_COUNT + 1) * MB_REPORT_NPCT];
	size_t n = 0;
	for (unsigned c = 0; c <= MB_CMD_COUNT && ok; c++) {
		const struct mb_dist *d = c < MB_CMD_COUNT ? st->lat[c] : &st->lat_all;
		if (!d || !d->n)
			continue;
		labels[n] = c < MB_CMD_COUNT ? mb_cmd_name(c) : "all";
		for (int i = 0; i < MB_REPORT_NPCT; i++)
			v[n * MB_REPORT_NPCT + (size_t)i] = (double)mb_dist_pct(d, mb_report_pct[i]) / 1000.0;
		ok = dist_table_row(b, labels[n], d, true);
		n++;
	}
	ok = ok && mb_bprintf(b, "</table>\n");
	return ok && bar_chart(b, "chart-latency", "Latency percentiles per command (us, log scale)", labels, v, n, MB_REPORT_NPCT, palette,
			       mb_report_pct_name, true, "microseconds");
}

static bool anomalies(const struct mb_stat *st, struct mb_buf *b)
{
	bool ok = mb_bprintf(b, "<h2>Anomalies</h2><table>\n");
	static const unsigned errs[] = { MB_ST_ERROR, MB_ST_CLIENT_ERROR, MB_ST_SERVER_ERROR, MB_ST_UNANSWERED };
	for (size_t i = 0; i < sizeof errs / sizeof errs[0] && ok; i++)
		ok = mb_bprintf(b, "<tr><td>%s</td><td>%" PRIu64 "</td></tr>\n", mb_status_name(errs[i]), st->status[errs[i]]);
	ok = ok && mb_bprintf(b, "<tr><td>unknown commands</td><td>%" PRIu64 "</td></tr><tr><td>resync</td><td>%" PRIu64
				 "</td></tr><tr><td>key_cut</td><td>%" PRIu64 "</td></tr><tr><td>out-of-order timestamps</td><td>%" PRIu64 "</td></tr>\n",
			      st->cmd[MB_CMD_UNKNOWN], st->flag[10], st->flag[11], st->out_of_order);
	for (unsigned i = 0; i < st->nsums && ok; i++)
		for (unsigned j = 0; j < st->sums[i].n && ok; j++)
			ok = mb_bprintf(b, "<tr><td>") && esc(b, st->sums[i].program) && mb_bprintf(b, " ") && esc(b, st->sums[i].c[j].name) &&
			     mb_bprintf(b, "</td><td>%" PRIu64 "</td></tr>\n", st->sums[i].c[j].val);
	return ok && mb_bprintf(b, "</table>\n");
}

int mb_report_html(const struct mb_stat *st, struct mb_buf *out)
{
	static double xs[MAXPTS], y1[MAXPTS], y2[MAXPTS];
	bool ok = mb_bprintf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>mb-stat report</title>\n"
				  "<style>body{font-family:sans-serif;margin:1.5em;max-width:1340px;color:#222}"
				  "table{border-collapse:collapse;margin:.5em 0}td,th{padding:2px 10px;text-align:right;border-bottom:1px solid #eee}"
				  "td:first-child,th:first-child{text-align:left}h2{border-bottom:2px solid #1f77b4;padding-bottom:2px;margin-top:1.4em}"
				  ".kv td{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0;border:1px solid #ddd}</style></head><body>\n"
				  "<h1>mb-stat report</h1>\n");
	ok = ok && overview(st, out) && sizes(st, out) && series(st, out, xs, y1, y2) && popularity(st, out, xs, y1, y2) &&
	     cache(st, out, xs, y1) && latency(st, out) && anomalies(st, out) && mb_bprintf(out, "</body></html>\n");
	return ok ? MB_OK : MB_EIO;
}
