/* hdrlog.h - HdrHistogram interval logs (.hlog, format 1.3, V2 compressed histograms) written from mb_hist. */
#ifndef MB_HDRLOG_H
#define MB_HDRLOG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "hist.h"

/*
 * An mb_hist has HdrHistogram's layout (hist.c): the same (lowest, highest, significant
 * digits) give the same counts array, index for index, so a histogram is written as its
 * counts without conversion. One line per interval and tag:
 * `Tag=NAME,START,LENGTH,MAX,BASE64`, START seconds after the log's BaseTime, MAX in ms
 * (values / 10^6, HdrHistogram's default unit ratio for ns values), BASE64 the V2
 * compressed encoding (zlib) of the counts. Every write error is sticky and reported by
 * mb_hdrlog_close.
 */
struct mb_hdrlog {
	FILE *f;
	char name[256];
	int err;              /* errno of the first failure, 0 while none */
	uint8_t *buf;         /* encoding scratch: counts, then compressed, then base64 */
	size_t cap;
};

/* Create the log at path (truncated). MB_OK, or MB_EIO with err naming the file. */
int mb_hdrlog_open(struct mb_hdrlog *l, const char *path, struct mb_err *err);
/* Write the header, once, before the first interval: start_unix_ns (ns since the epoch) is
   both StartTime and BaseTime. */
void mb_hdrlog_start(struct mb_hdrlog *l, uint64_t start_unix_ns);
/* Append the interval [start_s, start_s + length_s) of histogram h under tag (no commas or
   spaces). Failures are remembered for mb_hdrlog_close. */
void mb_hdrlog_write(struct mb_hdrlog *l, const char *tag, double start_s, double length_s, const struct mb_hist *h);
/* Close the log: MB_OK when everything was written, else MB_EIO with err naming the file. */
int mb_hdrlog_close(struct mb_hdrlog *l, struct mb_err *err);

#endif
