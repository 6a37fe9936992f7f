/* report_svg.h - the HTML report pages' shared pieces (mb-stat's and mb-fire's): page header, units, SVG charts. */
#ifndef MB_REPORT_SVG_H
#define MB_REPORT_SVG_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"

/* A chart's size and margins (left, right, top, bottom), in pixels. */
#define MB_SVG_W 640
#define MB_SVG_H 280
#define MB_SVG_ML 64
#define MB_SVG_MR 16
#define MB_SVG_MT 28
#define MB_SVG_MB 44

/* What an axis or a tooltip value measures: it decides tick places and how numbers print. */
enum mb_unit { MB_U_NUM, MB_U_COUNT, MB_U_BYTES, MB_U_NS, MB_U_SEC, MB_U_PCT };

/* An axis mapping data to pixels, linear or log; `label` names the quantity and its unit. */
struct mb_axis {
	double lo, hi;
	bool log;
	int p0, p1;
	enum mb_unit unit;
	const char *label;  /* the axis title, with the unit */
	const char *tip;    /* the quantity's short name in tooltips */
};

/* One series of a line/point chart. */
struct mb_series {
	const double *x, *y;
	size_t n;
	const char *color;
	const char *name;
	bool points; /* dots instead of a line */
};

#define MB_SVG_NCOLORS 5
/* The series colours, in order. */
extern const char *const mb_svg_palette[MB_SVG_NCOLORS];

/* A value with its unit, short: "5k", "2.5 KiB", "120 us", "5 min", "87.5%". */
void mb_svg_fmt(char *out, size_t cap, double v, enum mb_unit u);
/* The pixel position of value v on axis a (p0, p1, lo and hi set). */
double mb_svg_map(const struct mb_axis *a, double v);
/* Axis lines, ticks with labels and the axis titles; no x ticks when x is NULL. False without memory. */
bool mb_svg_axes(struct mb_buf *b, const struct mb_axis *x, const struct mb_axis *y);
/* Open a chart figure with id and title; mb_svg_close ends it. False without memory. */
bool mb_svg_open(struct mb_buf *b, const char *id, const char *title);
bool mb_svg_close(struct mb_buf *b);
/* A grey "no data" placeholder in the plot area, with why when not NULL. */
bool mb_svg_no_data(struct mb_buf *b, const char *why);
/* A whole line or point chart of ns series, axes fitted to the data (set log, unit, label and tip;
   lo, hi, p0 and p1 are computed); empty says why a chart without points is empty. */
bool mb_svg_line_chart(struct mb_buf *b, const char *id, const char *title, const struct mb_series *s, size_t ns, struct mb_axis x,
		       struct mb_axis y, const char *empty);
/* A whole bar chart: n groups (labels under each) of m values v[i*m+j] in colors[j], legend names
   (or NULL); y linear or log in unit yu titled yl, the x axis titled "command". */
bool mb_svg_bar_chart(struct mb_buf *b, const char *id, const char *title, const char *const *labels, const double *v, size_t n,
		      size_t m, const char *const *colors, const char *const *names, bool ylog, enum mb_unit yu, const char *yl);
/* Append s with <, >, & and " escaped for HTML. */
bool mb_html_esc(struct mb_buf *b, const char *s);
/* The page's start: doctype, title, the style every report page shares, and the h1 title. */
bool mb_html_page_start(struct mb_buf *b, const char *title);

#endif
