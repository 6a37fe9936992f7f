/* report_util.c - buffer printf and number formatting for the mb-stat reports. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "report.h"
#include "textfmt.h"

const double mb_report_pct[MB_REPORT_NPCT] = { 50, 90, 99, 99.9 };
const char *const mb_report_pct_name[MB_REPORT_NPCT] = { "p50", "p90", "p99", "p99.9" };

bool mb_bprintf(struct mb_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !mb_buf_reserve(b, (size_t)n + 1))
		return false;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return true;
}

void mb_fmt_bytes(char *out, size_t cap, double v)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	unsigned u = 0;
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, cap, "%.0f B", v);
	else
		snprintf(out, cap, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

void mb_fmt_count(char *out, size_t cap, double v)
{
	static const char *const unit[] = { "", "k", "M", "G", "T", "P" };
	unsigned u = 0;
	while (v >= 1000 && u < 5) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(out, cap, v == (double)(uint64_t)v ? "%.0f" : "%.2f", v);
	else
		snprintf(out, cap, v < 10 ? "%.2f%s" : v < 100 ? "%.1f%s" : "%.0f%s", v, unit[u]);
}

double mb_mrc_at(const struct mb_mrc_point *p, size_t n, double size)
{
	double mr = 1;
	for (size_t i = 0; i < n && p[i].size <= size; i++)
		mr = p[i].miss_ratio;
	return mr;
}

uint32_t mb_report_group(uint32_t n, uint32_t max)
{
	return n <= max ? 1 : (n + max - 1) / max;
}

bool mb_report_name(struct mb_buf *b, bool hashed, bool ns, uint64_t id, const uint8_t *name, const struct mb_hot_stats *s)
{
	if (name && s)
		return mb_text_escape(b, name, s->name_len) == MB_OK && mb_bprintf(b, "%s", s->name_cut ? "..." : "");
	if (ns && hashed)
		return mb_bprintf(b, "@%04" PRIx64, id);
	return mb_bprintf(b, "%c%016" PRIx64, hashed ? '@' : '#', id);
}
