/* stat.h - one-pass, bounded-memory workload statistics over an event stream (the numbers behind mb-stat). */
#ifndef MB_STAT_H
#define MB_STAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytebuf.h"
#include "connmap.h"
#include "dist.h"
#include "err.h"
#include "event.h"
#include "hll.h"
#include "hot.h"
#include "shards.h"
#include "stream.h"
#include "topk.h"
#include "zipf_fit.h"

/* Settings (mb-stat options); mb_stat_opts_default fills the defaults. */
struct mb_stat_opts {
	uint32_t top;          /* top-K keys to report */
	uint64_t window_ns;    /* time-series window */
	bool mrc;              /* compute the miss-ratio curve */
	double mrc_rate;       /* initial SHARDS sampling rate (0, 1] */
	uint32_t mrc_samples;  /* most keys the SHARDS sampler tracks */
	uint32_t max_keys;     /* keys counted exactly; beyond: HyperLogLog + space-saving */
	uint32_t max_conns;    /* connections tracked for per-connection inter-arrivals */
	bool show_keys;        /* keep and print the names of raw keys (--show-keys) */
	const char *namespaces; /* delimiters of --namespaces, or NULL */
};

/*
 * Namespace grouping (--namespaces DELIMS). A key's namespace is its first segment: the bytes
 * before the first delimiter, or the whole key without one (mb-anon --prefix's rule, anon.h).
 * Raw keys are grouped by those bytes; keys hashed by mb-anon --prefix by the 16-bit tag of
 * their first segment (the top bits of the hash), when the delimiters are the same.
 */
struct mb_ns {
	bool on;
	bool tags;             /* hashed stream: the namespace is the tag in the hash's top bits */
	uint8_t delim[256];
};

/* Set up ns for a stream (delims NULL: grouping off). MB_OK, or MB_ERR when the stream cannot be grouped. */
int mb_ns_setup(struct mb_ns *ns, const char *delims, const struct mb_stream_info *info, struct mb_err *err);
/* The namespace id of a keyed event; raw streams also get the segment's bytes (else *seg = NULL). */
uint64_t mb_ns_of(const struct mb_ns *ns, const struct mb_event *ev, const uint8_t **seg, size_t *len);
/* The id of an event's key: the stream's hash, or mb-stat's 64-bit hash of a raw key; never 0. */
uint64_t mb_stat_key_id(bool hashed, const struct mb_event *ev);

/* Size classes: distributions that differ between reads and writes. */
enum mb_stat_class { MB_SC_ALL, MB_SC_GET, MB_SC_SET, MB_SC_OTHER, MB_SC_COUNT };

#define MB_STAT_LAT_SLOTS 1024      /* latency-over-time slots; beyond, neighbours merge */
#define MB_STAT_LAT_SUB 16          /* latency-over-time histogram: 16 sub-buckets per power of two (6%) */
#define MB_STAT_LAT_BUCKETS 640     /* covers 0 .. 2^42 ns (73 min) */
#define MB_STAT_NS_MAX 65536        /* namespaces tracked (hashed streams have at most 65536 tags) */
#define MB_STAT_NAMES_MAX 65536     /* hot keys whose names --show-keys keeps */

#define MB_STAT_MAX_WINDOWS 65536   /* time-series windows; beyond, neighbours merge (width doubles) */
#define MB_STAT_MAX_SECONDS 1048576 /* per-second counts (peak ops/s); beyond, pairs merge */
#define MB_STAT_MAX_SUMMARIES 1024  /* upstream programs whose summary counters are kept (beyond: a warning) */

/* One window of the time series. */
struct mb_stat_window {
	uint64_t ops, reads, hits, misses;
	uint64_t keys;      /* distinct keys referenced in the window (exact while the key table holds them) */
	uint64_t new_keys;  /* keys referenced for the first time */
	uint64_t cum_keys;  /* distinct keys so far, at the end of the window */
	uint64_t cum_bytes; /* bytes of those keys' objects (key + last value size), at the end */
};

/* A key in the exact table. */
struct mb_stat_key {
	uint64_t id;        /* key hash as shown (0 = empty slot) */
	uint64_t count;
	uint32_t lastwin;   /* 1 + base window index of the last reference (0 = none) */
	uint32_t size;      /* key + last known value bytes */
};

/* One reported top key. */
struct mb_stat_top {
	uint64_t id;
	uint64_t count;
	uint64_t error;     /* 0 when exact; else the count may be overestimated by this much */
};

/* Derived figures, filled by mb_stat_finish. */
struct mb_stat_result {
	double duration_s;
	uint64_t nsec;          /* per-second bins spanned */
	double mean_ops, peak_ops, burstiness;
	double distinct_keys;
	bool keys_exact;
	struct mb_stat_top *top;
	size_t ntop;
	bool zipf_ok;
	struct mb_zipf_fit zipf;
	uint64_t *rank_counts;  /* counts by rank (tracked keys), largest first */
	size_t nranks;
	double top1pct_share;   /* share of keyed requests going to the top 1% of keys */
	uint64_t top1pct_keys;
	uint64_t one_hit;       /* keys referenced exactly once */
	struct mb_mrc_point *mrc_obj, *mrc_bytes;
	size_t nmrc_obj, nmrc_bytes;
	double mrc_rate;
	uint64_t mrc_refs;
};

/* The accumulator. Fields are read by the report writers after mb_stat_finish. */
struct mb_stat {
	struct mb_stat_opts o;
	struct mb_stream_info info;
	bool hashed;
	uint64_t events, keyed, other_frames;
	bool have_ts;
	uint64_t first_ts, prev_ts, min_ts, max_ts, out_of_order;
	uint64_t cmd[MB_CMD_COUNT], proto[MB_PROTO_COUNT], transport[MB_TRANSPORT_COUNT];
	uint64_t cmd_proto[MB_CMD_COUNT][MB_PROTO_COUNT];
	uint64_t cmd_status[MB_CMD_COUNT][MB_ST_COUNT];
	uint64_t status[MB_ST_COUNT];
	uint64_t flag[16];
	uint64_t answered;      /* events with a captured response status */
	uint64_t key_bytes, value_bytes, resp_bytes;
	uint64_t req_bytes_est, resp_bytes_est;
	struct mb_dist key_size[MB_SC_COUNT];
	struct mb_dist value_size[MB_SC_COUNT]; /* SET: request values; GET: returned values */
	struct mb_dist ttl;     /* seconds, commands carrying an exptime; absolute times made relative */
	uint64_t ttl_negative;
	struct mb_dist iat, iat_conn;
	struct mb_dist *lat[MB_CMD_COUNT];
	struct mb_dist lat_all;
	/* connections */
	struct mb_connmap conns;      /* connection id -> time of its last event */
	uint64_t conns_untracked_events;
	bool conns_overflow;
	/* keys */
	struct mb_stat_key *keys;
	uint32_t key_mask, nkeys;
	bool keys_overflow;
	uint64_t untracked_refs;
	uint64_t cum_bytes;
	struct mb_hll hll;
	struct mb_topk *topk;
	struct mb_hot names;    /* names of the hot keys (raw streams, --show-keys) */
	struct mb_ns ns;        /* --namespaces */
	struct mb_hot nsh;      /* namespaces: requests, hits, bytes, latency per namespace */
	/* latency over time: slots of window_ns << lat_shift, each a compact histogram */
	uint64_t (*lat_slot)[MB_STAT_LAT_BUCKETS];
	uint32_t nlat, lat_cap, lat_shift;
	/* time series */
	struct mb_stat_window *win;
	uint32_t nwin, win_cap, win_shift;
	uint64_t *sec;
	uint32_t nsec, sec_cap, sec_shift;
	/* miss-ratio curve */
	struct mb_shards *shards;
	/* upstream summaries, merged by program */
	struct mb_summary *sums;
	unsigned nsums, sums_cap;
	uint64_t sums_dropped;      /* summary counters not kept (program or counter caps), warned about once */
	struct mb_stat_result r;
};

/* Fill every field of o with the defaults (no --show-keys, no --namespaces). */
void mb_stat_opts_default(struct mb_stat_opts *o);
/* Set up an accumulator for a stream described by info. MB_OK or MB_EIO/MB_ERR with err. */
int mb_stat_init(struct mb_stat *st, const struct mb_stat_opts *o, const struct mb_stream_info *info, struct mb_err *err);
/* Account one event. MB_OK or MB_EIO (memory). */
int mb_stat_event(struct mb_stat *st, const struct mb_event *ev, struct mb_err *err);
/* Account an upstream summary frame (counters of the same program are added). */
void mb_stat_summary(struct mb_stat *st, const struct mb_summary *s);
/* Read every frame of r into st (events, summaries; other frames counted). When keep is not NULL,
   an event is accounted only when keep(ctx, ev) says so. MB_OK at the end, or the error that
   stopped the read. */
int mb_stat_read(struct mb_reader *r, struct mb_stat *st, bool (*keep)(void *ctx, const struct mb_event *ev), void *ctx,
		 struct mb_err *err);
/* Compute the derived figures (st->r). MB_OK or MB_EIO. */
int mb_stat_finish(struct mb_stat *st, struct mb_err *err);
void mb_stat_free(struct mb_stat *st);

/* The printable name of a key id: "@<16 hex>" (hashed stream) or "#<16 hex>" (mb-stat's hash of a raw key). */
void mb_stat_key_name(const struct mb_stat *st, uint64_t id, char out[20]);
/* Hits and misses of a command (HIT/DELETED/TOUCHED vs MISS/NOT_FOUND). */
void mb_stat_hits(const struct mb_stat *st, unsigned cmd, uint64_t *hits, uint64_t *misses);
/* Error responses (ERROR, CLIENT_ERROR, SERVER_ERROR) of a command. */
uint64_t mb_stat_errors(const struct mb_stat *st, unsigned cmd);
/* Value at percentile pct of a latency-over-time slot (upper end of its bucket, ns); 0 when empty. */
uint64_t mb_stat_lat_pct(const uint64_t *slot, double pct);
/* Names of the size classes: "all", "get", "set", "other". */
const char *mb_stat_class_name(unsigned c);

/* ---- report writers (common/report_*.c), all reading a finished accumulator ---- */
struct mb_buf;
int mb_report_text(const struct mb_stat *st, struct mb_buf *out);
int mb_report_json(const struct mb_stat *st, struct mb_buf *out);
int mb_report_html(const struct mb_stat *st, struct mb_buf *out);

#endif
