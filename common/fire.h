/* fire.h - the replay engine behind mb-fire: options, one run, its report (doc/mb-fire.md). */
#ifndef MB_FIRE_H
#define MB_FIRE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "chash.h"
#include "err.h"
#include "stream.h"

#define FIRE_TARGETS_MAX 64
#define FIRE_MAP_MAX 4096 /* recorded servers a --target-map file may name */

/* How requests are timed. */
enum fire_mode {
	FIRE_RECORDED = 0, /* recorded times, scaled by speed */
	FIRE_RATE,         /* a fixed rate (uniform or Poisson gaps) */
	FIRE_MAX,          /* closed loop, depth requests outstanding per connection */
};

/* One server to replay against. */
struct fire_target {
	char name[256];
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int family;
};

/* One line of a --target-map file: recorded server (number unused) -> target index. */
struct fire_map_entry {
	struct mb_server server;
	unsigned target;
};

/* Everything a run is configured with (mb-fire's options). */
struct fire_opts {
	struct fire_target targets[FIRE_TARGETS_MAX];
	unsigned ntargets;
	uint64_t conns_n;  /* remap recorded connections onto this many; 0 = as recorded */
	unsigned threads;  /* workers, 1..64 (set by the caller) */
	int proto;         /* enum mb_proto to force, 0 = as recorded */
	double speed;
	double rate;
	bool poisson;
	enum fire_mode mode;
	unsigned depth;
	uint64_t loops;    /* 0 = forever */
	uint64_t duration; /* ns, 0 = none */
	bool order;        /* per-key happens-before (default on) */
	bool keep_ttl;     /* send expiration times as recorded, not scaled with the speed */
	bool hash_keys;    /* spread keys by consistent hashing even when the input records servers */
	struct fire_map_entry *map; /* --target-map (owned by the caller), nmap entries */
	unsigned nmap;
	bool warm, no_priority;
	bool no_uring;     /* --no-uring: a system call per send and receive, no io_uring batches */
	bool allow_truncated; /* a profile cut short replays up to the cut, with a warning */
	const char *boost_off; /* why the workers do not even try to raise their priority, or NULL */
	uint64_t drain;    /* ns without progress after the input before giving up */
	FILE *progress;    /* a progress line every second goes here; NULL: none */
	const char *record; /* --record FILE: the events sent and answered (fire_record.c), or NULL */
	unsigned shard, shards; /* --shard I/N: replay shard I (0..N-1) of N; shards 0 = all */
	bool shard_keys;   /* --shard-keys: connections that share keys go to the same shard */
	uint64_t start_at; /* --start-at: the clock starts at this wall-clock instant (ns since the epoch); 0 = none */
};

struct fire_run;

/* Parse --shard I/N (0 <= I < N <= FIRE_SHARDS_MAX) into opt. MB_OK or MB_ERR (err says why). */
#define FIRE_SHARDS_MAX 4096
int fire_shard_parse(const char *s, struct fire_opts *opt, struct mb_err *err);

/* --shard-keys: read the whole input (rereadable fd, rewound after) and plan which shard
   each recorded connection goes to (fire_shard.c). MB_OK or an error with err filled. */
int fire_run_shard_plan(struct fire_run *r, int fd, const char *name, struct mb_err *err);

/* Read a --target-map file into opt->map (room for FIRE_MAP_MAX): lines `RECORDED TARGET`,
   RECORDED a recorded server as ADDR:PORT or [V6ADDR]:PORT, TARGET one of opt's targets as
   written in -t; blank lines and lines starting with # are skipped. MB_OK or MB_ERR (err
   names the line). */
int fire_target_map_load(struct fire_opts *opt, const char *path, struct mb_err *err);

/* Whether the target runs on this host (a unix socket, a loopback address or one of this
   host's own addresses), so that it shares the CPUs with mb-fire. */
bool fire_target_local(const struct fire_target *t);

/* Parse one target: /path (unix), [v6]:port or host:port. MB_ERR for a bad form (usage),
   MB_EIO when the name does not resolve. */
int fire_target_parse(const char *s, struct fire_target *t, struct mb_err *err);

/* A run for opts (copied). NULL with err filled on failure. */
struct fire_run *fire_run_new(const struct fire_opts *opts, struct mb_err *err);
void fire_run_free(struct fire_run *r);

/* Every target must accept a connection: MB_OK or MB_EIO (err names the target). */
int fire_run_check_targets(struct fire_run *r, struct mb_err *err);

/* --warm: store the keys the input (rereadable fd, rewound after) reads before it writes
   them; *stored says how many. MB_OK or an error with err filled. */
int fire_run_warm(struct fire_run *r, int fd, const char *name, uint64_t *stored, struct mb_err *err);

/* Replay the input fd (rereadable when opts ask for --loop): start the workers, read the
   input, wait for them. MB_OK when the replay ran (also when stopped by a signal or -d, and
   when the input ended in an error: what was read before it is replayed, and
   fire_run_input_error tells), or a setup failure with err filled. */
int fire_run_replay(struct fire_run *r, int fd, const char *name, struct mb_err *err);
/* After a replay: MB_OK, or the error the input ended in (bad or cut input, a read error),
   err filled. The run then failed, though its report covers what was replayed. */
int fire_run_input_error(const struct fire_run *r, struct mb_err *err);

/* --hdr-log: write the latency of each command and the lateness, per second of the replay,
   to path as an HdrHistogram interval log (created now). MB_OK or MB_EIO (err filled). */
int fire_run_hdr_log(struct fire_run *r, const char *path, struct mb_err *err);
/* After the replay: MB_OK, or MB_EIO when the --hdr-log could not be written whole (err filled). */
int fire_run_hdr_log_status(const struct fire_run *r, struct mb_err *err);

/* Requests that were not sent or not answered (lost, unanswered, unconfirmed): any makes
   the run a failure. */
uint64_t fire_run_lost(const struct fire_run *r);

/* End --record (nothing when not asked): write what the workers still hold and the summary,
   close the file; *events says how many were recorded. MB_OK, or MB_EIO when any event could
   not be written (err says where and how many were lost). */
int fire_run_record_end(struct fire_run *r, uint64_t *events, struct mb_err *err);

/* --metrics: serve the running counters and latency summaries on addr (HOST:PORT, [V6]:PORT or
   :PORT) in the Prometheus text format until fire_run_free. MB_ERR for an address of the wrong
   form, MB_EIO when it cannot be bound (err says why). */
int fire_run_metrics(struct fire_run *r, const char *addr, struct mb_err *err);

/* Write the text report to text and, when json is not NULL, the JSON report to it (json_name
   names it in messages), each even when the other failed. MB_OK or MB_EIO when a write
   failed (err: the first failure). */
int fire_report(struct fire_run *r, FILE *text, FILE *json, const char *json_name, struct mb_err *err);
/* Render a report into memory with render(ctx, m) (MB_OK or MB_EIO), then write it to f's
   descriptor at once, name naming f in messages. A failed write is reported once, in err, and
   leaves nothing in f's stdio buffer for the check at exit to report again; a closed pipe
   ends quietly (MB_OK). */
int fire_write_report(FILE *f, const char *name, int (*render)(const void *ctx, FILE *m), const void *ctx,
		      struct mb_err *err);

/* Read the JSON reports files[0..n) (doc/fire-json.md) and sum them into one run for
   fire_report and fire_report_html: counts and histograms exactly, the series binned from the
   earliest start. NULL with err naming the file (not a report, another schema version or mode,
   inconsistent counts) or saying memory ran out. */
struct fire_run *fire_report_load(const char *const *files, unsigned n, struct mb_err *err);

struct mb_buf;
/* Two runs (usually read back with fire_report_load; a the old, b the new, named na and nb)
   side by side: throughput, errors, hit ratios, CPU, lateness, and per command the operations,
   latency percentiles, errors and hit ratio, each with B's change against A; as text to o, or
   as one self-contained HTML page appended to out. MB_OK, or MB_EIO when memory runs out. */
int fire_compare_text(const struct fire_run *a, const struct fire_run *b, const char *na, const char *nb, FILE *o);
int fire_compare_html(const struct fire_run *a, const struct fire_run *b, const char *na, const char *nb, struct mb_buf *out);

/* Append the report as one self-contained HTML page (the style of mb-stat's, SVG charts, no
   scripts) to out. MB_OK, or MB_EIO when memory runs out. */
int fire_report_html(const struct fire_run *r, struct mb_buf *out);

#endif
