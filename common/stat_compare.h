/* stat_compare.h - mb-stat --compare: where one workload departs from another (a replay from its recording). */
#ifndef MB_STAT_COMPARE_H
#define MB_STAT_COMPARE_H

#include <stdbool.h>

#include "bytebuf.h"
#include "err.h"

/*
 * Read inputs a and b (profiles or event streams; "-" is standard input, for one of them)
 * and append to out their comparison: command mix, hit ratio per command, inter-arrival
 * shape (per connection and overall), per-connection rates; text, or JSON (schema
 * "membench-stat-compare/1", doc/stat-json.md) when json. allow_truncated as mb-stat's
 * --allow-truncated. MB_OK, or MB_ERR/MB_EIO with err naming the input (nothing appended).
 */
int mb_stat_compare(const char *a, const char *b, bool json, bool allow_truncated, struct mb_buf *out, struct mb_err *err);

#endif
