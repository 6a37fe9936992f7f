/* live.h - mb-stat --live: a top-like view of a live event stream, one screen per interval. */
#ifndef MB_LIVE_H
#define MB_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "hist.h"
#include "hot.h"
#include "stat.h"
#include "stream.h"
#include "bytebuf.h"

/* Counters of one command over the current interval. */
struct mb_live_cmd {
	uint64_t ops, hits, misses, bytes;
	struct mb_hist *lat; /* latencies of answered requests (allocated on the first one) */
};

/* The accumulator of the current interval, plus totals since the start. */
struct mb_live {
	struct mb_stat_opts o;
	bool hashed;
	struct mb_ns ns;
	struct mb_hot keys, nsh;
	struct mb_live_cmd cmd[MB_CMD_COUNT];
	uint64_t events, total_events, total_hits, total_misses;
	uint64_t bad_frames;
};

/* Set up for a stream (info) with mb-stat's options (top, show_keys, namespaces). MB_OK, MB_ERR or MB_EIO. */
int mb_live_init(struct mb_live *lv, const struct mb_stat_opts *o, const struct mb_stream_info *info, struct mb_err *err);
/* Account one event in the current interval. */
void mb_live_event(struct mb_live *lv, const struct mb_event *ev);
/*
 * Append the screen of the interval that lasted interval_s (elapsed_s since the start) to out and
 * start a new interval. final marks the last one. At most `rows` items per table. false: no memory.
 */
bool mb_live_render(struct mb_live *lv, double interval_s, double elapsed_s, bool final, unsigned rows, struct mb_buf *out);
void mb_live_free(struct mb_live *lv);

/*
 * Read the stream r until its end or SIGINT/SIGTERM, printing a screen to out_fd every
 * o->window_ns: redrawn in place with ANSI codes when out_fd is a terminal, else one plain
 * snapshot per interval; a last snapshot at the end. MB_OK, MB_EPIPE, or the error (err set).
 */
int mb_live_run(struct mb_reader *r, const struct mb_stat_opts *o, int out_fd, struct mb_err *err);

#endif
