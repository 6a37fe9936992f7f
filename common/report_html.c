/* report_html.c - the mb-stat report as one self-contained HTML page with inline SVG charts (no scripts, no links). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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

/* What an axis or a tooltip value measures: it decides tick places and how numbers print. */
enum unit { U_NUM, U_COUNT, U_BYTES, U_NS, U_SEC, U_PCT };

/* A value with its unit, short: "5k", "2.5 KiB", "120 us", "5 min", "87.5%". */
static void fmt_val(char *out, size_t cap, double v, enum unit u)
{
	static const char *const cnt[] = { "", "k", "M", "G", "T" };
	static const char *const bin[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned i = 0;
	switch (u) {
	case U_COUNT:
		while (fabs(v) >= 1000 && i < 4) {
			v /= 1000;
			i++;
		}
		snprintf(out, cap, "%.3g%s", v, cnt[i]);
		break;
	case U_BYTES:
		while (fabs(v) >= 1024 && i < 4) {
			v /= 1024;
			i++;
		}
		snprintf(out, cap, "%.4g %s", v, bin[i]);
		break;
	case U_NS:
		if (v < 1e3)
			snprintf(out, cap, "%.4g ns", v);
		else if (v < 1e6)
			snprintf(out, cap, "%.4g us", v / 1e3);
		else if (v < 1e9)
			snprintf(out, cap, "%.4g ms", v / 1e6);
		else
			snprintf(out, cap, "%.4g s", v / 1e9);
		break;
	case U_SEC:
		/* Whole days, hours and minutes by name (TTLs are set that way), other values in seconds. */
		if (v >= 86400 && fmod(v, 86400) == 0)
			snprintf(out, cap, "%.0f d", v / 86400);
		else if (v >= 3600 && fmod(v, 3600) == 0)
			snprintf(out, cap, "%.0f h", v / 3600);
		else if (v >= 60 && fmod(v, 60) == 0)
			snprintf(out, cap, "%.0f min", v / 60);
		else if (v == floor(v))
			snprintf(out, cap, "%.0f s", v);
		else
			snprintf(out, cap, "%.3g s", v);
		break;
	case U_PCT:
		snprintf(out, cap, "%.4g%%", v * 100);
		break;
	default:
		snprintf(out, cap, "%.4g", v);
		break;
	}
}

/* An axis mapping data to pixels, linear or log; `label` names the quantity and its unit. */
struct axis {
	double lo, hi;
	bool log;
	int p0, p1;
	enum unit unit;
	const char *label;  /* the axis title, with the unit */
	const char *tip;    /* the quantity's short name in tooltips */
};

/* One series of a line/point chart. */
struct series {
	const double *x, *y;
	size_t n;
	const char *color;
	const char *name;
	bool points; /* dots instead of a line */
};

/* Log axes of bytes step by powers of 2, others by powers of 10. */
static double log_base(const struct axis *a) { return a->unit == U_BYTES ? 2 : 10; }

static double ax_map(const struct axis *a, double v)
{
	double t;
	if (a->log)
		t = (log(v > 0 ? v : a->lo) - log(a->lo)) / (log(a->hi) - log(a->lo));
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
		double b = log_base(a), lb = log(b);
		lo = pow(b, floor(log(lo) / lb + 1e-9));
		hi = pow(b, ceil(log(hi) / lb - 1e-9));
		if (hi <= lo)
			hi = lo * b;
	} else {
		if (zero && lo > 0)
			lo = 0;
		if (hi <= lo)
			hi = lo + 1;
	}
	a->lo = lo;
	a->hi = hi;
}

/* Tick values of an axis (at most 32): decades (or powers of 4.. of 2 for bytes), or 1/2/2.5/5 steps. */
static int ticks(const struct axis *a, double *t)
{
	int nt = 0;
	if (a->log) {
		double b = log_base(a), m = b;
		/* Widen the step until there are at most 9 ticks. */
		while (log(a->hi / a->lo) / log(m) > 8.5)
			m *= b;
		for (double v = a->lo; v <= a->hi * 1.0001 && nt < 32; v *= m)
			t[nt++] = v;
		return nt;
	}
	double span = a->hi - a->lo, step;
	if (a->unit == U_BYTES && span >= 1024) {
		step = pow(2, ceil(log2(span / 6)));
	} else {
		step = pow(10, floor(log10(span / 5)));
		static const double mult[] = { 1, 2, 2.5, 5, 10 };
		for (size_t i = 0; i < 5; i++)
			if (span / (step * mult[i]) <= 6) {
				step *= mult[i];
				break;
			}
	}
	for (double v = ceil(a->lo / step - 1e-9) * step; v <= a->hi + step * 1e-6 && nt < 32; v += step)
		t[nt++] = fabs(v) < step * 1e-9 ? 0 : v;
	return nt;
}

/* Axis lines, ticks and their labels, and the axis titles (with units). No x ticks when x is NULL. */
static bool axes(struct mb_buf *b, const struct axis *x, const struct axis *y)
{
	bool ok = mb_bprintf(b, "<g class=\"axes\" stroke=\"#888\" fill=\"none\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
				"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/></g>\n",
			     ML, H - MB, W - MR, H - MB, ML, MT, ML, H - MB);
	for (int k = 0; k < 2 && ok; k++) {
		const struct axis *a = k ? y : x;
		if (!a)
			continue;
		double t[32];
		int nt = ticks(a, t);
		for (int i = 0; i < nt && ok; i++) {
			char lab[32];
			fmt_val(lab, sizeof lab, t[i], a->unit);
			double p = ax_map(a, t[i]);
			if (k == 0)
				ok = mb_bprintf(b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#888\"/>"
						   "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
						p, H - MB, p, H - MB + 4, p, H - MB + 16, lab);
			else
				ok = mb_bprintf(b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
						   "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
						ML, p, W - MR, p, ML - 4, p + 4, lab);
		}
	}
	if (ok && x)
		ok = mb_bprintf(b, "<text class=\"xlabel\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", (ML + W - MR) / 2, H - 8,
				x->label);
	return ok && mb_bprintf(b, "<text class=\"ylabel\" x=\"12\" y=\"%d\" transform=\"rotate(-90 12 %d)\" text-anchor=\"middle\">%s</text>\n",
				(MT + H - MB) / 2, (MT + H - MB) / 2, y->label);
}

static bool svg_open(struct mb_buf *b, const char *id, const char *title)
{
	return mb_bprintf(b, "<figure><svg id=\"%s\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
			     "viewBox=\"0 0 %d %d\" font-size=\"11\" font-family=\"sans-serif\">\n"
			     "<text x=\"%d\" y=\"16\" font-size=\"13\" font-weight=\"bold\">%s</text>\n",
			  id, W, H, W, H, ML, title);
}

static bool svg_close(struct mb_buf *b) { return mb_bprintf(b, "</svg></figure>\n"); }

static bool no_data(struct mb_buf *b, const char *why)
{
	return mb_bprintf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f6f6f6\"/>"
			     "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#888\">no data%s%s</text>\n",
			  ML, MT, W - ML - MR, H - MT - MB, (ML + W - MR) / 2, (MT + H - MB) / 2, why ? ": " : "", why ? why : "");
}

/* A hover target whose tooltip names both quantities with their units: "p99: time 3 s, latency 120 us". */
static bool tip(struct mb_buf *b, const struct axis *x, const struct axis *y, double xv, double yv, const char *name, const char *fill)
{
	char tx[32], ty[32];
	fmt_val(tx, sizeof tx, xv, x->unit);
	fmt_val(ty, sizeof ty, yv, y->unit);
	return mb_bprintf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\"><title>%s%s%s %s, %s %s</title></circle>", ax_map(x, xv),
			  ax_map(y, yv), fill ? "2.5" : "4", fill ? fill : "transparent", name && *name ? name : "", name && *name ? ": " : "",
			  x->tip, tx, y->tip, ty);
}

#define MAXTIPS 160 /* hover targets per series */

/* A line or point chart of one or more series; every point (or a sample of MAXTIPS) has a tooltip. */
static bool line_chart(struct mb_buf *b, const char *id, const char *title, const struct series *s, size_t ns, struct axis x,
		       struct axis y, const char *empty)
{
	bool ok = svg_open(b, id, title);
	size_t total = 0;
	for (size_t k = 0; k < ns; k++)
		total += s[k].n;
	if (!total)
		return ok && no_data(b, empty) && svg_close(b);
	x.p0 = ML, x.p1 = W - MR, y.p0 = H - MB, y.p1 = MT;
	ax_fit(&x, s, ns, true, false);
	ax_fit(&y, s, ns, false, true);
	ok = ok && axes(b, &x, &y);
	for (size_t k = 0; k < ns && ok; k++) {
		bool xlog = x.log, ylog = y.log;
		if (ns > 1)
			ok = mb_bprintf(b, "<rect x=\"%d\" y=\"%zu\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"%zu\">%s</text>\n",
					W - MR - 150, MT + 4 + 14 * k, s[k].color, W - MR - 135, MT + 13 + 14 * k, s[k].name);
		if (s[k].points) {
			ok = mb_bprintf(b, "<g>");
			for (size_t i = 0; i < s[k].n && ok; i++)
				if ((!xlog || s[k].x[i] > 0) && (!ylog || s[k].y[i] > 0))
					ok = tip(b, &x, &y, s[k].x[i], s[k].y[i], ns > 1 ? s[k].name : NULL, s[k].color);
			ok = ok && mb_bprintf(b, "</g>\n");
			continue;
		}
		ok = mb_bprintf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"", s[k].color);
		for (size_t i = 0; i < s[k].n && ok; i++)
			if ((!xlog || s[k].x[i] > 0) && (!ylog || s[k].y[i] > 0))
				ok = mb_bprintf(b, "%.1f,%.1f ", ax_map(&x, s[k].x[i]), ax_map(&y, s[k].y[i]));
		ok = ok && mb_bprintf(b, "\"><title>%s</title></polyline>\n<g>", s[k].name);
		size_t stride = s[k].n / MAXTIPS + 1;
		for (size_t i = 0; i < s[k].n && ok; i += stride)
			if ((!xlog || s[k].x[i] > 0) && (!ylog || s[k].y[i] > 0))
				ok = tip(b, &x, &y, s[k].x[i], s[k].y[i], ns > 1 ? s[k].name : NULL, NULL);
		ok = ok && mb_bprintf(b, "</g>\n");
	}
	return ok && svg_close(b);
}

/* Bars: n groups of m values (m series, colors/names given), labels under each group; y in unit yu. */
static bool bar_chart(struct mb_buf *b, const char *id, const char *title, const char *const *labels, const double *v, size_t n,
		      size_t m, const char *const *colors, const char *const *names, bool ylog, enum unit yu, const char *yl)
{
	bool ok = svg_open(b, id, title);
	double hi = 0, lo = INFINITY;
	for (size_t i = 0; i < n * m; i++) {
		hi = v[i] > hi ? v[i] : hi;
		if (v[i] > 0 && v[i] < lo)
			lo = v[i];
	}
	if (!n || hi <= 0)
		return ok && no_data(b, NULL) && svg_close(b);
	struct axis y = { ylog ? lo : 0, hi, ylog, H - MB, MT, yu, yl, yl };
	if (ylog) {
		y.lo = pow(10, floor(log10(lo)));
		y.hi = pow(10, ceil(log10(hi)));
		if (y.hi <= y.lo || names)
			y.hi *= 10; /* headroom for the legend */
	}
	ok = ok && axes(b, NULL, &y);
	double gw = (double)(W - ML - MR) / (double)n, bw = gw * 0.8 / (double)m;
	for (size_t i = 0; i < n && ok; i++) {
		for (size_t j = 0; j < m && ok; j++) {
			double val = v[i * m + j];
			if (val <= 0)
				continue;
			char tv[32];
			fmt_val(tv, sizeof tv, val, yu);
			double top = ax_map(&y, val), px = ML + gw * (double)i + gw * 0.1 + bw * (double)j;
			ok = mb_bprintf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s %s: %s</title></rect>\n",
					px, top, bw, (H - MB) - top, colors[j], labels[i], names ? names[j] : "", tv);
		}
		ok = ok && mb_bprintf(b, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", ML + gw * ((double)i + 0.5),
				      H - MB + 14, labels[i]);
	}
	for (size_t j = 0; names && j < m && ok; j++)
		ok = mb_bprintf(b, "<rect x=\"%d\" y=\"%zu\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"%zu\">%s</text>\n",
				W - MR - 90, MT + 4 + 14 * j, colors[j], W - MR - 75, MT + 13 + 14 * j, names[j]);
	return ok && mb_bprintf(b, "<text class=\"xlabel\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">command</text>\n", (ML + W - MR) / 2, H - 8) &&
	       svg_close(b);
}

static const char *const palette[] = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd" };

/* Key sizes at their real resolution: one bar per byte length seen (the counts are exact). */
static bool key_size_chart(struct mb_buf *b, const struct mb_dist *d)
{
	bool ok = svg_open(b, "chart-key-size", "Key size: requests per length");
	uint64_t first = UINT64_MAX, last = 0, hi = 0;
	for (uint64_t v = 0; d->exact && v <= d->exact_max; v++) {
		if (!d->exact[v])
			continue;
		first = first == UINT64_MAX ? v : first;
		last = v;
		hi = d->exact[v] > hi ? d->exact[v] : hi;
	}
	if (first == UINT64_MAX)
		return ok && no_data(b, NULL) && svg_close(b);
	/* Half a byte of room on each side, so the end bars are whole. */
	struct axis x = { (double)first - 0.5, (double)last + 0.5, false, ML, W - MR, U_BYTES, "key length (B)", "key length" };
	struct axis y = { 0, (double)hi, false, H - MB, MT, U_COUNT, "requests", "requests" };
	ok = ok && axes(b, &x, &y);
	double bw = (double)(W - ML - MR) / (x.hi - x.lo);
	for (uint64_t v = first; v <= last && ok; v++) {
		if (!d->exact[v])
			continue;
		double top = ax_map(&y, (double)d->exact[v]);
		ok = mb_bprintf(b, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"%s\"><title>%" PRIu64
				   " B: %" PRIu64 " requests (%.2f%%)</title></rect>\n",
				ax_map(&x, (double)v - 0.5) + bw * 0.05, top, bw * 0.9, (H - MB) - top, palette[0], v, d->exact[v],
				100.0 * (double)d->exact[v] / (double)d->n);
	}
	return ok && svg_close(b);
}

/* A distribution as a cumulative curve at the histogram's resolution (0.1%), on a log x axis. */
static bool cdf_chart(struct mb_buf *b, const char *id, const char *title, const struct mb_dist *d, enum unit xu, const char *xl,
		      const char *xtip, double *xs, double *ys, const char *empty)
{
	size_t n = 0, cur = 0;
	uint64_t lo, hi, cnt, cum = d->zeros;
	while (d->n && !d->exact && n + 2 < MAXPTS && mb_hist_next(&d->h, &cur, &lo, &hi, &cnt)) {
		if (!n || xs[n - 1] != (double)lo) {
			xs[n] = (double)lo;
			ys[n++] = (double)cum / (double)d->n;
		}
		cum += cnt;
		xs[n] = (double)hi;
		ys[n++] = (double)cum / (double)d->n;
	}
	struct series s = { xs, ys, n, palette[0], "", false };
	struct axis x = { 0, 1, true, 0, 0, xu, xl, xtip }, y = { 0, 1, false, 0, 0, U_PCT, "share of requests at or below (%)", "at or below" };
	return line_chart(b, id, title, &s, 1, x, y, empty);
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

/* A distribution's row: count, mean, cv, percentiles and max, each in the unit u. */
static bool dist_table_row(struct mb_buf *b, const char *label, const struct mb_dist *d, enum unit u)
{
	char v[MB_REPORT_NPCT + 2][32];
	fmt_val(v[0], sizeof v[0], mb_dist_mean(d), u);
	for (int i = 0; i < MB_REPORT_NPCT; i++)
		fmt_val(v[i + 1], sizeof v[i + 1], (double)mb_dist_pct(d, mb_report_pct[i]), u);
	fmt_val(v[MB_REPORT_NPCT + 1], sizeof v[0], (double)d->max, u);
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
			      st->conns.n, r->distinct_keys, r->keys_exact ? "exact" : "HyperLogLog estimate");
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

static bool sizes(const struct mb_stat *st, struct mb_buf *b, double *xs, double *ys)
{
	bool ok = mb_bprintf(b, "<h2>Key, value and TTL sizes</h2><table>%s", dist_head);
	char label[48];
	for (unsigned c = 0; c < MB_SC_COUNT && ok; c++)
		if (st->key_size[c].n) {
			snprintf(label, sizeof label, "key size %s", mb_stat_class_name(c));
			ok = dist_table_row(b, label, &st->key_size[c], U_BYTES);
		}
	for (unsigned c = 0; c < MB_SC_COUNT && ok; c++)
		if (st->value_size[c].n) {
			snprintf(label, sizeof label, "value size %s", mb_stat_class_name(c));
			ok = dist_table_row(b, label, &st->value_size[c], U_BYTES);
		}
	if (ok && st->ttl.n)
		ok = dist_table_row(b, "ttl", &st->ttl, U_SEC);
	ok = ok && mb_bprintf(b, "</table>\n");
	if (ok && st->ttl_negative)
		ok = mb_bprintf(b, "<p>%" PRIu64 " negative TTLs (already expired) left out.</p>\n", st->ttl_negative);
	ok = ok && mb_bprintf(b, "<div class=\"charts\">") && key_size_chart(b, &st->key_size[MB_SC_ALL]);
	ok = ok && cdf_chart(b, "chart-value-size-set", "Value size stored (cumulative)", &st->value_size[MB_SC_SET], U_BYTES,
			     "value size (B, log scale)", "value size", xs, ys, NULL);
	ok = ok && cdf_chart(b, "chart-value-size-get", "Value size returned by hits (cumulative)", &st->value_size[MB_SC_GET], U_BYTES,
			     "value size (B, log scale)", "value size", xs, ys, NULL);
	char why[96] = "no command carried a TTL";
	if (st->ttl.n)
		snprintf(why, sizeof why, "all %" PRIu64 " TTLs are 0 (never expire)", st->ttl.n);
	char title[96];
	snprintf(title, sizeof title, "TTL (cumulative; %.1f%% are 0 = never expire)", st->ttl.n ? 100.0 * (double)st->ttl.zeros / (double)st->ttl.n : 0);
	ok = ok && cdf_chart(b, "chart-ttl", title, &st->ttl, U_SEC, "TTL (log scale)", "TTL", xs, ys, why);
	return ok && mb_bprintf(b, "</div>\n");
}

static bool series(const struct mb_stat *st, struct mb_buf *b, double *xs, double *y1, double *y2)
{
	bool ok = mb_bprintf(b, "<h2>Arrival process and time series</h2><table>%s", dist_head) &&
		  dist_table_row(b, "inter-arrival overall", &st->iat, U_NS) &&
		  dist_table_row(b, "inter-arrival per connection", &st->iat_conn, U_NS) && mb_bprintf(b, "</table>\n");
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
	const struct axis tx = { 0, 1, false, 0, 0, U_SEC, "time since the first event (s)", "time" };
	struct series s1 = { xs, y1, n, palette[0], "ops/s", false };
	ok = ok && mb_bprintf(b, "<div class=\"charts\">") &&
	     line_chart(b, "chart-ops", "Requests per second over time", &s1, 1, tx, (struct axis){ 0, 1, false, 0, 0, U_COUNT, "requests per second (ops/s)", "ops/s" }, NULL);
	struct series s2 = { xs, y2, n, palette[2], "keys", false };
	ok = ok && line_chart(b, "chart-working-set", "Working set: distinct keys so far", &s2, 1, tx,
			      (struct axis){ 0, 1, false, 0, 0, U_COUNT, "distinct keys", "keys" }, NULL);
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
	ok = ok && line_chart(b, "chart-hit-ratio", "Observed read hit ratio over time", &s3, 1, tx,
			      (struct axis){ 0, 1, false, 0, 0, U_PCT, "read hit ratio (%)", "hit ratio" }, "no reads with a captured response");
	/* Latency percentiles per slot (slots without responses left out). */
	static double lx[MB_STAT_LAT_SLOTS], lp[3][MB_STAT_LAT_SLOTS];
	static const double pcts[3] = { 50, 90, 99 };
	static const char *const pname[3] = { "p50", "p90", "p99" };
	double lsec = (double)(st->o.window_ns << st->lat_shift) / 1e9;
	size_t nl = 0;
	for (uint32_t i = 0; i < st->nlat; i++) {
		uint64_t cnt = 0;
		for (unsigned k = 0; k < MB_STAT_LAT_BUCKETS; k++)
			cnt += st->lat_slot[i][k];
		if (!cnt)
			continue;
		lx[nl] = i * lsec;
		for (int k = 0; k < 3; k++)
			lp[k][nl] = (double)mb_stat_lat_pct(st->lat_slot[i], pcts[k]);
		nl++;
	}
	struct series s4[3];
	for (int k = 0; k < 3; k++)
		s4[k] = (struct series){ lx, lp[k], nl, palette[k], pname[k], false };
	ok = ok && line_chart(b, "chart-latency-time", "Server latency percentiles over time (6% resolution)", s4, 3, tx,
			      (struct axis){ 0, 1, true, 0, 0, U_NS, "latency (log scale)", "latency" }, "no responses captured");
	return ok && mb_bprintf(b, "</div>\n");
}

static bool popularity(const struct mb_stat *st, struct mb_buf *b, double *xs, double *ys, double *fy)
{
	const struct mb_stat_result *r = &st->r;
	bool names = st->names.tk != NULL;
	bool ok = mb_bprintf(b, "<h2>Key popularity</h2><table><tr><th>rank</th><th>key</th><th>requests</th><th>share</th></tr>\n");
	struct mb_buf nb = { 0 };
	for (size_t i = 0; i < r->ntop && ok; i++) {
		const uint8_t *kn = NULL;
		const struct mb_hot_stats *hs = names ? mb_hot_find(&st->names, r->top[i].id, &kn) : NULL;
		nb.len = 0;
		ok = mb_report_name(&nb, st->hashed, false, r->top[i].id, hs ? kn : NULL, hs) &&
		     mb_bprintf(b, "<tr><td>%zu</td><td><code>", i + 1) && esc(b, nb.p) &&
		     mb_bprintf(b, "</code>%s</td><td>%" PRIu64 "</td><td>%.3f%%</td></tr>\n", names && !hs ? " (name not kept)" : "",
				r->top[i].count, st->keyed ? 100.0 * (double)r->top[i].count / (double)st->keyed : 0);
	}
	ok = ok && mb_bprintf(b, "</table><p>");
	if (r->zipf_ok)
		ok = ok && mb_bprintf(b, "Zipf exponent <b>%.3f</b> (weighted log-log least squares over ranks 1..%zu, R&sup2; %.3f). ", r->zipf.s,
				      r->zipf.ranks, r->zipf.r2);
	ok = ok && mb_bprintf(b, "Top 1%% of keys (%" PRIu64 "): %.2f%% of keyed requests. One-hit wonders: %" PRIu64 " keys.</p>\n",
			      r->top1pct_keys, 100 * r->top1pct_share, r->one_hit);
	if (ok && st->ns.on) {
		struct mb_hot_item *it = malloc(sizeof *it * st->o.top);
		size_t n = it ? mb_hot_list(&st->nsh, it, st->o.top) : 0;
		ok = it && mb_bprintf(b, "<h3>Namespaces (%u, by %s)</h3><table><tr><th>namespace</th><th>requests</th><th>share</th><th>keys</th>"
					  "<th>read hit ratio</th><th>value bytes</th><th>mean latency</th></tr>\n",
				      mb_topk_size(st->nsh.tk), st->ns.tags ? "mb-anon --prefix tag" : "first segment");
		for (size_t i = 0; i < n && ok; i++) {
			const struct mb_hot_stats *hs = it[i].s;
			char hr[16] = "-", by[32], lat[32] = "-";
			if (hs->hits + hs->misses)
				snprintf(hr, sizeof hr, "%.2f%%", 100.0 * (double)hs->hits / (double)(hs->hits + hs->misses));
			fmt_val(by, sizeof by, (double)hs->bytes, U_BYTES);
			if (hs->lat_n)
				fmt_val(lat, sizeof lat, (double)hs->lat_sum / (double)hs->lat_n, U_NS);
			nb.len = 0;
			ok = mb_report_name(&nb, st->ns.tags, true, it[i].id, it[i].name, hs) &&
			     mb_bprintf(b, "<tr><td><code>") && esc(b, nb.p) &&
			     mb_bprintf(b, "</code></td><td>%" PRIu64 "</td><td>%.3f%%</td><td>%" PRIu64 "</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
					it[i].count, st->keyed ? 100.0 * (double)it[i].count / (double)st->keyed : 0, hs->keys, hr, by, lat);
		}
		free(it);
		ok = ok && mb_bprintf(b, "</table>\n");
	}
	mb_buf_free(&nb);
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
	return ok && line_chart(b, "chart-rank", "Rank-frequency (log-log)", s, 2, (struct axis){ 0, 1, true, 0, 0, U_COUNT, "key rank (log scale)", "rank" },
				(struct axis){ 0, 1, true, 0, 0, U_COUNT, "requests (log scale)", "requests" }, NULL);
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
				&s, 1, (struct axis){ 0, 1, false, 0, 0, k ? U_BYTES : U_COUNT, k ? "cache size (B)" : "cache size (objects)", k ? "cache size" : "cache objects" },
				(struct axis){ 0, 1, false, 0, 0, U_PCT, "miss ratio (%)", "miss ratio" }, NULL);
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
			v[n * MB_REPORT_NPCT + (size_t)i] = (double)mb_dist_pct(d, mb_report_pct[i]);
		ok = dist_table_row(b, labels[n], d, U_NS);
		n++;
	}
	ok = ok && mb_bprintf(b, "</table>\n");
	return ok && bar_chart(b, "chart-latency", "Latency percentiles per command", labels, v, n, MB_REPORT_NPCT, palette,
			       mb_report_pct_name, true, U_NS, "latency (log scale)");
}

/* A counter row, only when it is not zero. */
static bool counter(struct mb_buf *b, const char *prog, const char *name, uint64_t v, unsigned *shown)
{
	if (!v)
		return true;
	++*shown;
	return mb_bprintf(b, "<tr><td>") && (!prog || (esc(b, prog) && mb_bprintf(b, " "))) && esc(b, name) &&
	       mb_bprintf(b, "</td><td>%" PRIu64 "</td></tr>\n", v);
}

static bool anomalies(const struct mb_stat *st, struct mb_buf *b)
{
	unsigned shown = 0, total = 0;
	bool ok = mb_bprintf(b, "<h2>Anomalies</h2><table class=\"anomalies\">\n");
	static const unsigned errs[] = { MB_ST_ERROR, MB_ST_CLIENT_ERROR, MB_ST_SERVER_ERROR, MB_ST_UNANSWERED };
	for (size_t i = 0; i < sizeof errs / sizeof errs[0] && ok; i++, total++)
		ok = counter(b, NULL, mb_status_name(errs[i]), st->status[errs[i]], &shown);
	static const unsigned flags[] = { 10, 11, 9 }; /* resync, key_cut, inferred */
	for (size_t i = 0; i < sizeof flags / sizeof flags[0] && ok; i++, total++)
		ok = counter(b, NULL, mb_flag_name(flags[i]), st->flag[flags[i]], &shown);
	ok = ok && counter(b, NULL, "unknown commands", st->cmd[MB_CMD_UNKNOWN], &shown) &&
	     counter(b, NULL, "out-of-order timestamps", st->out_of_order, &shown) &&
	     counter(b, NULL, "non-event frames skipped", st->other_frames, &shown);
	total += 3;
	for (unsigned i = 0; i < st->nsums && ok; i++)
		for (unsigned j = 0; j < st->sums[i].n && ok; j++, total++)
			ok = counter(b, st->sums[i].program, st->sums[i].c[j].name, st->sums[i].c[j].val, &shown);
	ok = ok && mb_bprintf(b, "</table>\n");
	return ok && mb_bprintf(b, "<p>%u of %u counters are not zero%s.</p>\n", shown, total, shown ? "; the others are left out" : "");
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
	ok = ok && overview(st, out) && sizes(st, out, xs, y1) && series(st, out, xs, y1, y2) && popularity(st, out, xs, y1, y2) &&
	     cache(st, out, xs, y1) && latency(st, out) && anomalies(st, out) && mb_bprintf(out, "</body></html>\n");
	return ok ? MB_OK : MB_EIO;
}
