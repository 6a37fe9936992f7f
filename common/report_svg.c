/* report_svg.c - the HTML report pages' shared pieces: page header and style, units, SVG axes, line and bar charts. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_svg.h"

#define W MB_SVG_W
#define H MB_SVG_H
#define ML MB_SVG_ML
#define MR MB_SVG_MR
#define MT MB_SVG_MT
#define MB MB_SVG_MB

/* A value with its unit, short: "5k", "2.5 KiB", "120 us", "5 min", "87.5%". */
void mb_svg_fmt(char *out, size_t cap, double v, enum mb_unit u)
{
	static const char *const cnt[] = { "", "k", "M", "G", "T" };
	static const char *const bin[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned i = 0;
	switch (u) {
	case MB_U_COUNT:
		while (fabs(v) >= 1000 && i < 4) {
			v /= 1000;
			i++;
		}
		snprintf(out, cap, "%.3g%s", v, cnt[i]);
		break;
	case MB_U_BYTES:
		while (fabs(v) >= 1024 && i < 4) {
			v /= 1024;
			i++;
		}
		snprintf(out, cap, "%.4g %s", v, bin[i]);
		break;
	case MB_U_NS:
		if (v < 1e3)
			snprintf(out, cap, "%.4g ns", v);
		else if (v < 1e6)
			snprintf(out, cap, "%.4g us", v / 1e3);
		else if (v < 1e9)
			snprintf(out, cap, "%.4g ms", v / 1e6);
		else
			snprintf(out, cap, "%.4g s", v / 1e9);
		break;
	case MB_U_SEC:
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
	case MB_U_PCT:
		snprintf(out, cap, "%.4g%%", v * 100);
		break;
	default:
		snprintf(out, cap, "%.4g", v);
		break;
	}
}



/* Log axes of bytes step by powers of 2, others by powers of 10. */
static double log_base(const struct mb_axis *a) { return a->unit == MB_U_BYTES ? 2 : 10; }

double mb_svg_map(const struct mb_axis *a, double v)
{
	double t;
	if (a->log)
		t = (log(v > 0 ? v : a->lo) - log(a->lo)) / (log(a->hi) - log(a->lo));
	else
		t = (v - a->lo) / (a->hi - a->lo);
	return a->p0 + t * (a->p1 - a->p0);
}

static void ax_fit(struct mb_axis *a, const struct mb_series *s, size_t ns, bool xaxis, bool zero)
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
static int ticks(const struct mb_axis *a, double *t)
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
	if (a->unit == MB_U_BYTES && span >= 1024) {
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
bool mb_svg_axes(struct mb_buf *b, const struct mb_axis *x, const struct mb_axis *y)
{
	bool ok = mb_bprintf(b, "<g class=\"axes\" stroke=\"#888\" fill=\"none\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
				"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/></g>\n",
			     ML, H - MB, W - MR, H - MB, ML, MT, ML, H - MB);
	for (int k = 0; k < 2 && ok; k++) {
		const struct mb_axis *a = k ? y : x;
		if (!a)
			continue;
		double t[32];
		int nt = ticks(a, t);
		for (int i = 0; i < nt && ok; i++) {
			char lab[32];
			mb_svg_fmt(lab, sizeof lab, t[i], a->unit);
			double p = mb_svg_map(a, t[i]);
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

bool mb_svg_open(struct mb_buf *b, const char *id, const char *title)
{
	return mb_bprintf(b, "<figure><svg id=\"%s\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
			     "viewBox=\"0 0 %d %d\" font-size=\"11\" font-family=\"sans-serif\">\n"
			     "<text x=\"%d\" y=\"16\" font-size=\"13\" font-weight=\"bold\">%s</text>\n",
			  id, W, H, W, H, ML, title);
}

bool mb_svg_close(struct mb_buf *b) { return mb_bprintf(b, "</svg></figure>\n"); }

bool mb_svg_no_data(struct mb_buf *b, const char *why)
{
	return mb_bprintf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f6f6f6\"/>"
			     "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#888\">no data%s%s</text>\n",
			  ML, MT, W - ML - MR, H - MT - MB, (ML + W - MR) / 2, (MT + H - MB) / 2, why ? ": " : "", why ? why : "");
}

/* A hover target whose tooltip names both quantities with their units: "p99: time 3 s, latency 120 us". */
static bool tip(struct mb_buf *b, const struct mb_axis *x, const struct mb_axis *y, double xv, double yv, const char *name, const char *fill)
{
	char tx[32], ty[32];
	mb_svg_fmt(tx, sizeof tx, xv, x->unit);
	mb_svg_fmt(ty, sizeof ty, yv, y->unit);
	return mb_bprintf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\"><title>%s%s%s %s, %s %s</title></circle>", mb_svg_map(x, xv),
			  mb_svg_map(y, yv), fill ? "2.5" : "4", fill ? fill : "transparent", name && *name ? name : "", name && *name ? ": " : "",
			  x->tip, tx, y->tip, ty);
}

#define MAXTIPS 160 /* hover targets per series */

/* A line or point chart of one or more series; every point (or a sample of MAXTIPS) has a tooltip. */
bool mb_svg_line_chart(struct mb_buf *b, const char *id, const char *title, const struct mb_series *s, size_t ns, struct mb_axis x,
		       struct mb_axis y, const char *empty)
{
	bool ok = mb_svg_open(b, id, title);
	size_t total = 0;
	for (size_t k = 0; k < ns; k++)
		total += s[k].n;
	if (!total)
		return ok && mb_svg_no_data(b, empty) && mb_svg_close(b);
	x.p0 = ML, x.p1 = W - MR, y.p0 = H - MB, y.p1 = MT;
	ax_fit(&x, s, ns, true, false);
	ax_fit(&y, s, ns, false, true);
	ok = ok && mb_svg_axes(b, &x, &y);
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
				ok = mb_bprintf(b, "%.1f,%.1f ", mb_svg_map(&x, s[k].x[i]), mb_svg_map(&y, s[k].y[i]));
		ok = ok && mb_bprintf(b, "\"><title>%s</title></polyline>\n<g>", s[k].name);
		size_t stride = s[k].n / MAXTIPS + 1;
		for (size_t i = 0; i < s[k].n && ok; i += stride)
			if ((!xlog || s[k].x[i] > 0) && (!ylog || s[k].y[i] > 0))
				ok = tip(b, &x, &y, s[k].x[i], s[k].y[i], ns > 1 ? s[k].name : NULL, NULL);
		ok = ok && mb_bprintf(b, "</g>\n");
	}
	return ok && mb_svg_close(b);
}

/* Bars: n groups of m values (m series, colors/names given), labels under each group; y in unit yu. */
bool mb_svg_bar_chart(struct mb_buf *b, const char *id, const char *title, const char *const *labels, const double *v, size_t n,
		      size_t m, const char *const *colors, const char *const *names, bool ylog, enum mb_unit yu, const char *yl)
{
	bool ok = mb_svg_open(b, id, title);
	double hi = 0, lo = INFINITY;
	for (size_t i = 0; i < n * m; i++) {
		hi = v[i] > hi ? v[i] : hi;
		if (v[i] > 0 && v[i] < lo)
			lo = v[i];
	}
	if (!n || hi <= 0)
		return ok && mb_svg_no_data(b, NULL) && mb_svg_close(b);
	struct mb_axis y = { ylog ? lo : 0, hi, ylog, H - MB, MT, yu, yl, yl };
	if (ylog) {
		y.lo = pow(10, floor(log10(lo)));
		y.hi = pow(10, ceil(log10(hi)));
		if (y.hi <= y.lo || names)
			y.hi *= 10; /* headroom for the legend */
	}
	ok = ok && mb_svg_axes(b, NULL, &y);
	double gw = (double)(W - ML - MR) / (double)n, bw = gw * 0.8 / (double)m;
	for (size_t i = 0; i < n && ok; i++) {
		for (size_t j = 0; j < m && ok; j++) {
			double val = v[i * m + j];
			if (val <= 0)
				continue;
			char tv[32];
			mb_svg_fmt(tv, sizeof tv, val, yu);
			double top = mb_svg_map(&y, val), px = ML + gw * (double)i + gw * 0.1 + bw * (double)j;
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
	       mb_svg_close(b);
}

bool mb_html_esc(struct mb_buf *b, const char *s)
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

const char *const mb_svg_palette[MB_SVG_NCOLORS] = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd" };

bool mb_html_page_start(struct mb_buf *b, const char *title)
{
	return mb_bprintf(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title>\n"
			     "<style>body{font-family:sans-serif;margin:1.5em;max-width:1340px;color:#222}"
			     "table{border-collapse:collapse;margin:.5em 0}td,th{padding:2px 10px;text-align:right;border-bottom:1px solid #eee}"
			     "td:first-child,th:first-child{text-align:left}h2{border-bottom:2px solid #1f77b4;padding-bottom:2px;margin-top:1.4em}"
			     ".kv td{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0;border:1px solid #ddd}</style></head><body>\n"
			     "<h1>%s</h1>\n",
			  title, title);
}
