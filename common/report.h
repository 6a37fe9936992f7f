/* report.h - helpers shared by the mb-stat report writers (text, JSON, HTML). */
#ifndef MB_REPORT_H
#define MB_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "stat.h"
#include "bytebuf.h"

/* The percentiles every distribution reports, and their labels. */
#define MB_REPORT_NPCT 4
extern const double mb_report_pct[MB_REPORT_NPCT];
extern const char *const mb_report_pct_name[MB_REPORT_NPCT];

/* Append printf-style text; false when memory runs out (the buffer keeps what it had). */
bool mb_bprintf(struct mb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Bytes with a binary unit: "812 B", "3.4 KiB", "1.20 GiB". */
void mb_fmt_bytes(char *out, size_t cap, double v);
/* A count with a decimal unit: "812", "3.41k", "12.0M". */
void mb_fmt_count(char *out, size_t cap, double v);
/* Miss ratio of a cache of `size` on a curve from mb_shards_curve (1 below its first point). */
double mb_mrc_at(const struct mb_mrc_point *p, size_t n, double size);
/* Append the printable name of a hot key or namespace: with a kept name, its bytes escaped as mb-cat
   escapes keys ("..." appended when cut); else "@<16 hex>"/"#<16 hex>" for a key, "@<4 hex>" for a
   namespace tag and "#<16 hex>" for a raw namespace. b stays NUL-terminated; false when memory runs out. */
bool mb_report_name(struct mb_buf *b, bool hashed, bool ns, uint64_t id, const uint8_t *name, const struct mb_hot_stats *s);
struct mb_json;
/* Write a distribution as doc/stat-json.md's DIST shape. */
void mb_report_json_dist(struct mb_json *j, const struct mb_dist *d);
/* Rows to show a time series of n windows in at most max rows: windows per row. */
uint32_t mb_report_group(uint32_t n, uint32_t max);

#endif
