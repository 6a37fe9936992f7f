/* fire_int.h - the replay engine's internals shared by common/fire_*.c: items, connections, workers, the run. */
/* The files: fire_sched (the input reader: intended times, speed, rate, loops, routing, the
   workers' rings), fire_conn (the connection state machine, reconnects, back-pressure, resumed
   sends, responses), fire_order (the per-key dependency tracker), fire_worker (a worker's event
   loop on evloop.c, the end of a run), fire_cas (the uniques learnt), fire_report (text and
   HTML, the progress thread), fire_json (the JSON report, written and read back),
   fire_compare, fire_warm, fire_udp and fire_run (one struct fire_run holds everything a run
   shares, also a run read back from JSON reports). Requests are built only by mcreq.c, answers parsed
   only by mcresp.c; cmd/mb-fire.c only reads options. */
#ifndef MB_FIRE_INT_H
#define MB_FIRE_INT_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "connmap.h"
#include "event.h"
#include "evloop.h"
#include "fire.h"
#include "hist.h"
#include "mcreq.h"
#include "mcresp.h"
#include "uring.h"

#define FIRE_RING_BITS 16
#define FIRE_RING (1u << FIRE_RING_BITS) /* items per worker ring */
#define FIRE_NONE UINT64_MAX
#define FIRE_NOCONN UINT32_MAX
#define FIRE_HOLD_SENT UINT64_MAX      /* an item's hold once it is sent: nothing can hold it back */
/* requests queued before the clock starts: a ring, so the reader's decoding of it is done
   before the first sends, not beside them on the server's core (doc/bench.md, fifteenth
   session) */
#define FIRE_PREFILL FIRE_RING
#define FIRE_HIST_LO 1000ull
#define FIRE_HIST_HI 60000000000ull
#define FIRE_WORKER_NICE (-20)         /* timed-mode workers: preempted by nothing of normal priority */
#define FIRE_CONN_CHUNK 1024           /* connections are allocated in chunks that never move */
#define FIRE_IO_BUF (16u * 1024)       /* a connection's input (and first output) buffer */
#define FIRE_UDP_HDR 8                 /* memcached's UDP frame header: request id, sequence, total, reserved */

enum fire_item_state { IT_QUEUED = 1, IT_SENT, IT_DONE };
enum fire_conn_state { CS_IDLE = 0, CS_CONNECTING, CS_UP, CS_DOWN };

/* The commands the order tracker (and the shard accounting) treat as writes and as reads of their key. */
static inline bool fire_cmd_writes(unsigned cmd)
{
	return mb_cmd_is_store(cmd) || cmd == MB_CMD_DELETE || cmd == MB_CMD_INCR || cmd == MB_CMD_DECR;
}
static inline bool fire_cmd_reads(unsigned cmd)
{
	return mb_cmd_is_read(cmd) || cmd == MB_CMD_TOUCH;
}

/* One request (or one member of a multi-key request), in a worker's ring. */
struct fire_item {
	uint64_t t;          /* intended send time, ns after the start (0 in closed loop) */
	uint64_t key_hash;
	uint64_t next;       /* next item of the same connection, or FIRE_NONE */
	uint64_t sent_at;    /* CLOCK_MONOTONIC at sending (head items) */
	uint64_t ttl_rec_ns; /* TTLs still to place on the target's clock when sent: their recorded
				time (ns since the epoch, at least 1); 0 when they are final */
	uint32_t conn;       /* index in the worker's connection table */
	uint32_t value_len;
	uint32_t slot;       /* order slot of the key, or FIRE_NOCONN */
	uint32_t need_reads; /* order: reads of the slot that must be done first */
	uint32_t dep_conn;   /* order: connection of the write it waits for, or FIRE_NOCONN */
	uint32_t dep_seq;    /* ... and that write's sequence number there */
	uint32_t seq;        /* sequence number on its connection (from 1) */
	uint32_t quiet_before; /* quiet operations sent on the connection before it (set when sent) */
	int32_t ttl;
	uint16_t key_len;
	uint16_t nkeys;      /* head of a request: members that follow (1 = single key); 0 = member */
	uint8_t cmd, proto, rec_status, quiet;
	uint8_t is_write;
	uint8_t udp;          /* recorded over UDP */
	uint8_t expect;      /* enum mb_expect, set when sent */
	uint8_t state;       /* enum fire_item_state; the ring's head/tail carry the ordering */
	_Atomic uint64_t hold; /* order: 0, FIRE_HOLD_SENT, or a later request (pid << 32 | seq) it waits for */
	struct mb_sem sem;   /* recorded request semantics, replayed by mb_mcreq_build */
};

/* Bring item it into the cache ahead of its use. The reader writes items far ahead of the
   worker, so at its turn an item is often out of the cache: loading it stalled on most of
   the worker's own time in fire_conn_pump before. */
static inline void fire_item_prefetch(const struct fire_item *it)
{
	const char *p = (const char *)it;
	for (size_t off = 0; off < sizeof *it; off += 64)
		__builtin_prefetch(p + off, 1);
	__builtin_prefetch(p + sizeof *it - 1, 1);
}

/* A connection; buffers exist only while it is busy. It never moves in memory. */
struct fire_conn {
	int fd;
	uint8_t state;       /* enum fire_conn_state */
	uint8_t target;
	bool in_wait;        /* on the worker's wait list */
	bool in_tail;        /* on the worker's list of unconfirmed quiet tails */
	bool barrier;        /* a barrier (mn / NOOP) is out; its answer confirms up to bar_seq */
	uint8_t bar_proto;
	bool udp;            /* a datagram socket: one request at a time, framed (fire_udp.c) */
	bool udp_lost;       /* a datagram of the current reply did not come in sequence */
	bool given_up;       /* --max: broke for --drain without an answer; stays down, its requests are lost */
	bool io_listed;      /* on the worker's I/O batch list (io_uring) */
	bool want_recv, want_send; /* ... for a receive (readable), a send (bytes buffered) */
	uint32_t io_gen;     /* bumped when the socket closes: a batch's result for an older one is dropped */
	uint16_t udp_id, udp_seq; /* request id of the datagram out, next reply sequence expected */
	uint64_t udp_timer;  /* gives the request up when its reply does not come */
	uint32_t pid;        /* run-wide connection number (order tracker) */
	struct fire_worker *w; /* owner */
	uint32_t outstanding;
	uint32_t sent_seq;   /* sequence number of the last request sent */
	uint32_t bar_seq;
	uint64_t quiet_sent, quiet_confirmed; /* quiet operations sent / known processed */
	uint64_t bar_quiet;  /* quiet operations sent before the barrier */
	uint64_t timer;      /* reconnect timer id, 0 when none */
	uint64_t q_head, q_send, q_tail;
	uint8_t *out;
	uint32_t out_len, out_off, out_cap;
	uint8_t *in;
	uint32_t in_len;
	uint32_t skip;       /* value bytes of the current unit still to skip */
	uint32_t r_hits;     /* values/successes seen for the request at q_head */
	uint8_t r_status;    /* last non-success status seen for it */
	uint64_t backoff;    /* next reconnect delay; 0 once an answer came */
	uint64_t failing_since; /* when it first broke after its last answer */
	uint64_t last_active;
	uint64_t order_sent;  /* when the last request that waited for its order was sent */
};

struct fire_cmd_stats {
	uint64_t st[MB_ST_COUNT];
	struct mb_hist *lat_int, *lat_act;
};

/* What one worker (and, summed, the run) did. */
struct fire_stats {
	struct fire_cmd_stats cmd[MB_CMD_COUNT];
	struct mb_hist late;
	struct mb_hist late_own; /* lateness less the time it waited for its key's order: the sender's own */
	uint64_t ops, requests, errors, lost, cancelled, unconfirmed, unsent;
	uint64_t rec_hits, rec_reads, rep_hits, rep_reads;
	uint64_t connects, connect_fail, resets, desync, given_up;
	uint64_t waited, wait_ns, barriers;
	uint64_t first_send, last_done;
};

/* Per-key happens-before (fire_order.c). Reader side: each key's slot, per slot the last
   write and the reads since; shared: per slot the reads done, per connection the
   confirmed sequence. */
struct fire_oslot {
	uint32_t wconn, wseq;   /* last write: connection and sequence, wconn FIRE_NOCONN if none */
	uint32_t pwconn, pwseq; /* the write the server saw before it (what a request put ahead of it waits for) */
	uint32_t reads;         /* reads assigned so far */
	uint32_t wreads;        /* ... when the last write was assigned */
	uint32_t rconn, rseq;   /* connection and sequence of the last read since the last write */
	uint64_t wend, rend;    /* recorded end (ts + latency) of that write / read */
	uint64_t wn, rn;        /* their places in the input (fire_order.n) */
	struct fire_item *wit, *rit; /* their ring items, which a later request may hold back */
	uint8_t state, wbefore, rbefore; /* key existence now (as the statuses tell), before the last write / read */
	uint8_t wcmd, wst, rcmd, rst; /* command and status of that write / read */
	bool wsingle, rsingle;  /* that write / read is a single-key request */
	uint8_t touched;        /* written first on every use (fire_order_assign) */
};

struct fire_oconn {
	_Atomic uint32_t done;  /* every request up to this sequence was processed by the server */
	_Atomic uint32_t want;  /* someone waits for it: confirm quiet requests with a barrier */
	uint32_t next_seq;      /* reader: last sequence handed out */
	uint32_t worker;
	uint64_t last_n;        /* reader: place in the input of its last request */
};

/* What the statuses tell of a key's existence. */
enum fire_key_state { FIRE_KEY_ANY = 0, FIRE_KEY_EXISTS, FIRE_KEY_ABSENT };

#define FIRE_ORDER_SLOT_BITS 20
#define FIRE_ORDER_SLOTS (1u << FIRE_ORDER_SLOT_BITS) /* keys with an order slot of their own */

struct fire_order {
	bool on;
	struct mb_connmap keys;     /* reader: key hash -> its slot, numbered densely from 0 */
	struct fire_oslot *rs;
	_Atomic uint32_t *reads_done;
	struct fire_oconn **chunks; /* FIRE_ORDER_CHUNKS pointers, each FIRE_CONN_CHUNK records */
	unsigned threads;           /* workers: a connection's pid is its index * threads + worker */
	uint64_t n;                 /* requests assigned */
	/* reader-side counts of overlapped pairs: the statuses tell the input's order, say the
	   other one (replayed so, or kept in the input's: the earlier request was out, or a
	   cycle could form), or either one */
	uint64_t overlaps, told, reversed, reversed_kept, ambiguous;
};

struct fire_run;

struct fire_worker {
	int id;
	struct fire_run *run;
	pthread_t th;
	struct fire_item *items;
	_Atomic uint64_t head;      /* published by the reader */
	_Atomic uint64_t tail;      /* freed by the worker */
	_Atomic uint64_t room_want; /* reader asleep until tail reaches this (0: not waiting) */
	_Atomic uint32_t room_seq;  /* futex word: bumped when the worker wakes the reader */
	_Atomic int sleeping;       /* blocked in its event loop: a poke must write its eventfd */
	_Atomic int hungry;         /* ... and wants the reader's next requests at once */
	_Atomic int poke;           /* something was confirmed or a barrier is wanted: recheck */
	_Atomic int waiting;        /* its wait list is not empty */
	_Atomic int finished;       /* the worker's thread is done */
	int efd;
	uint64_t linked, due;
	struct fire_conn **chunks;  /* connection chunks (stable addresses) */
	uint32_t nconns, nchunks;
	uint32_t *waitlist, *taillist;
	uint32_t nwait, capwait, ntail, captail;
	struct mb_evloop *loop;
	struct mb_uring *ring;      /* sends and receives batched in one system call; NULL: one call each */
	bool armed;                 /* ... and receives armed in it: the worker waits in the ring */
	bool loop_ready;            /* armed: the event loop has events to run */
	bool loop_unarmed;          /* armed: the poll of the event loop's fd is to be armed again */
	uint32_t io_events;         /* armed: receives and event loop events of the current wait */
	uint32_t *iolist;           /* connections with a send or receive for the next batch */
	uint32_t niolist, capiolist;
	struct fire_stats s;
	struct mb_hist ival_lat, ival_late; /* since the last progress hand-over */
	pthread_mutex_t mu;
	struct mb_hist shared_lat, shared_late;
	struct mb_hist *ival_cmd[MB_CMD_COUNT];   /* latency per command since the last hand-over (made when first needed) */
	struct mb_hist *shared_cmd[MB_CMD_COUNT]; /* ... handed over to the progress thread (under mu) */
	_Atomic uint64_t p_ops, p_err;
	uint64_t next_handover, next_sweep;
	uint64_t last_progress;    /* last send or answer: --drain counts from here */
	uint8_t *bufs[64];         /* I/O buffers not lent to a connection */
	unsigned nbufs;
	uint64_t spin_ns;          /* wake this long before a deadline and poll the rest */
	uint64_t wake_late, wake_late_prev, wake_window_end;
	bool stopping;             /* stopped: nothing more is sent, answers are awaited briefly */
	struct mb_err err;
	int failed;
};

/* The reader's scheduling state (fire_sched.c). */
struct fire_sched {
	uint64_t ts0, last_ts, offset, index;
	double pois_t;
	uint64_t rng;
	bool have_ts0, past_duration;
	bool by_server;         /* the input's recorded servers choose the targets (fire_topo.c) */
	uint8_t *srv_target;    /* with --target-map: per recorded server number, 1 + its target (0: none) */
	struct mb_server *srv_seen; /* by recorded server: per number, its declared address (family 0: none yet) */
	uint64_t published_total;
	struct mb_event batch[MB_MCREQ_BATCH_MAX];
	uint64_t batch_t[MB_MCREQ_BATCH_MAX];
	unsigned nbatch;
	struct mb_connmap conns;    /* recorded connection id -> dense number, in order of appearance */
};

/* --shard (fire_shard.c): which recorded connections this run replays, the key orders that
   cross shards, --shard-keys's plan, and --start-at's clock. */
struct fire_skey {
	uint64_t hash;
	uint32_t conn;       /* plan: a connection of the key's group; count: last writer (dense), or FIRE_NOCONN */
	uint32_t rshard;     /* count: shard of the reads since the last write, FIRE_NOCONN none, FIRE_SHARD_MIXED several */
	uint8_t used;
};
#define FIRE_SHARD_MIXED (UINT32_MAX - 1)

struct fire_shard {
	struct fire_skey *keys;
	uint64_t kcap, kn;
	uint32_t *of;        /* --shard-keys: shard of each dense connection (nof), else NULL */
	uint32_t nof;
	uint64_t mine, others;   /* replayable requests of this shard / of the other shards */
	uint64_t cross;      /* requests of this shard that follow a conflicting one of another shard */
	uint64_t groups, largest, total, load, max_load; /* --shard-keys plan, in requests */
	uint64_t first_t;    /* 1 + intended time of this shard's first request (0: none yet) */
	uint64_t start_mono; /* --start-at on CLOCK_MONOTONIC, set when the clock starts */
	/* a run read back from reports (--merge): shard reports summed, the largest skew */
	unsigned merged;
	bool have_skew;
	int64_t skew_max_ns;
	uint8_t seen[FIRE_SHARDS_MAX / 8]; /* shard indexes read */
};

#define FIRE_SERIES_MAX 1024 /* points of the report's series over time; when full, pairs merge */

/* One interval of the run as the progress thread saw it, for the JSON and HTML reports. */
struct fire_point {
	double t, dt;                   /* its start since the run's start, and its length, in s */
	uint64_t ops, errors;
	uint64_t lat_p50, lat_p99, lat_p999; /* latency from the intended send time, ns; 0 without answers */
	uint64_t late_p50, late_p99, late_p999; /* lateness of the sends, ns; 0 without sends */
	uint64_t cmd_n[MB_CMD_COUNT];   /* answers with a latency, per command */
	uint64_t cmd_p[MB_CMD_COUNT][3]; /* their latency p50, p99 and p99.9, ns */
};

/* The cas uniques the run learnt (fire_cas.c): key hash -> the unique last answered. */
struct fire_cas {
	pthread_mutex_t mu;
	uint64_t *key, *val; /* open addressing; val 0: empty */
	uint32_t cap, n;
};

enum { FIRE_READER_NORMAL, FIRE_READER_IDLE, FIRE_READER_BATCH };

struct fire_recorder;
struct fire_metrics;

/* The targets' expiration clocks (fire_ttl.c). memcached counts time in whole seconds, so an
   item sent with exptime k expires at the k-th tick of its clock after it arrives. Where
   those ticks fall is learnt before the replay and followed during it; a request's TTLs are
   placed on them when it is sent. */
struct fire_clock;

/* How well one target's clock was followed. */
struct fire_clock_stats {
	uint64_t located;        /* ticks located (the first one before the replay) */
	uint64_t missed;         /* watches that began after the tick they waited for */
	uint64_t period_ns;      /* the period last measured */
	uint64_t worst_error_ns; /* the largest distance of a located tick from its prediction */
};

struct fire_run {
	struct fire_opts opt;
	struct fire_recorder *rec;  /* --record, or NULL (fire_record.c) */
	struct fire_metrics *metrics; /* --metrics, or NULL (fire_metrics.c) */
	struct mb_chash ring;
	struct fire_worker *workers;
	struct fire_order order;
	struct fire_cas cas;
	struct fire_sched sched;
	struct fire_shard shard;
	struct fire_clock *clock;  /* the targets' clocks, or NULL (fire_ttl.c) */
	uint64_t start_ns;          /* written once before started is set */
	_Atomic int started, stop, reader_done, cas_seen, duration_hit;
	int main_bell;              /* eventfd: a worker finished (the main thread waits on it) */
	int prog_bell;              /* eventfd: the run started or stops (the progress thread waits on it) */
	_Atomic unsigned boosted;
	_Atomic int boost_errno;
	_Atomic unsigned uring_workers; /* workers batching their sends and receives through io_uring */
	_Atomic unsigned uring_armed;   /* ... of them, with their receives armed in the ring (fire_conn_io_wait) */
	_Atomic int arm_errno;          /* why a ring could not arm receives */
	_Atomic int uring_errno;        /* why a worker could not (io_uring_setup's errno) */
	/* timed modes: the input reader's scheduling class while it is a ring ahead (fire_sched.c):
	   FIRE_READER_NORMAL, _IDLE or _BATCH; the class it is in now; its thread; how often a
	   hungry worker (or a stop) moved it back */
	int reader_class;
	_Atomic int reader_low;
	pid_t reader_tid;
	_Atomic unsigned reader_raised;
	uint64_t in_events, in_skipped, warmed;
	pthread_t main_thread;
	struct fire_stats total;
	double elapsed, cpu;
	int64_t steal_ms;
	bool interrupted;
	int input_rc;             /* MB_OK, or the error the input ended in, after the events before it were replayed */
	struct mb_err input_err;  /* ... and its message */
	/* written by the progress thread only, read after it ended */
	struct fire_point series[FIRE_SERIES_MAX];
	unsigned nseries, series_shift;  /* a point spans 1 << series_shift progress intervals */
	/* a run read back from JSON reports (--merge, --compare; fire_json.c): how many reports
	   it sums (0: a replay of this process), the earliest start and how far the starts spread */
	unsigned reports;
	uint64_t start_unix_ns, start_spread_ns;
	unsigned priority_tried;         /* reports whose workers tried to raise their priority */
	struct mb_hdrlog *hdr_log;       /* --hdr-log: written and closed by the progress thread */
	int hdr_rc;                      /* ... how that went, and its error */
	struct mb_err hdr_err;
};

/* fire_conn.c */
int fire_connect_blocking(const struct fire_target *t, struct mb_err *err);
struct fire_conn *fire_conn_at(struct fire_worker *w, uint32_t i);
/* The connection with index i of worker w, created (idle) when new; NULL without memory. */
struct fire_conn *fire_conn_get(struct fire_worker *w, uint32_t i);
/* Send every due request of the connection that may go now. */
void fire_conn_pump(struct fire_worker *w, struct fire_conn *c);
bool fire_conn_connect(struct fire_worker *w, struct fire_conn *c);
/* Send a barrier when quiet requests wait to be confirmed and nothing answered is out. */
void fire_conn_barrier(struct fire_worker *w, struct fire_conn *c);
void fire_conn_free_buffers(struct fire_worker *w, struct fire_conn *c);
/* Give up on the connection at the end: what is out is unanswered. */
void fire_conn_abandon(struct fire_worker *w, struct fire_conn *c, uint64_t now);
/* fire_cas.c: every worker's answers teach the one table; a key never answered gives 0. */
void fire_cas_init(struct fire_cas *t);
void fire_cas_free(struct fire_cas *t);
void fire_cas_put(struct fire_cas *t, uint64_t key, uint64_t cas);
uint64_t fire_cas_get(struct fire_cas *t, uint64_t key);
/* Parse the response bytes in c->in; false when the connection failed. */
bool fire_conn_parse(struct fire_worker *w, struct fire_conn *c, uint64_t now);
/* An input buffer for c; false (connection failed) without memory. */
bool fire_conn_in_room(struct fire_worker *w, struct fire_conn *c);
/* Give the input buffer back when it is empty. */
void fire_conn_idle_in(struct fire_worker *w, struct fire_conn *c);
/* What is out on c is lost (its reply did not come); the connection goes on. */
void fire_conn_lose(struct fire_worker *w, struct fire_conn *c);
/* With a ring: make the sends and receives the connections asked for, in batches, until none
   is left (submit false, with an armed ring: queue them, submitting only batches that are
   full); false when the ring failed (err filled). */
bool fire_conn_io_run(struct fire_worker *w, bool submit);
/* With an armed ring, the worker's wait in place of its event loop's: submit what is queued,
   wait up to timeout for answers (or the loop's events and timers, which it then runs),
   handling answers only until yield_at as the loop does. The number of answers and events
   handled, or -1 when the ring or the loop failed (err filled). */
int fire_conn_io_wait(struct fire_worker *w, uint64_t timeout, uint64_t yield_at);

/* fire_udp.c */
/* Write the frame header of the next request datagram of c at p (and arm its timeout). */
void fire_udp_frame(struct fire_worker *w, struct fire_conn *c, uint8_t *p);
/* Read the reply datagrams waiting on c. */
void fire_udp_read(struct fire_worker *w, struct fire_conn *c);

/* fire_order.c */
/* What recorded status st of command cmd says its key was before it (enum fire_key_state). */
uint8_t fire_key_before(unsigned cmd, unsigned st);

int fire_order_init(struct fire_order *o, bool on, unsigned threads, struct mb_err *err);
void fire_order_free(struct fire_order *o);
/* The record of run-wide connection pid, created by the reader when new; NULL without memory. */
struct fire_oconn *fire_order_conn(struct fire_order *o, uint32_t pid, unsigned worker);
/* Reader: give the item its sequence on connection pid and its dependencies (ev: its event). */
void fire_order_assign(struct fire_order *o, struct fire_item *it, uint32_t pid, const struct mb_event *ev);
/* Start loading the map bucket of a key the reader will assign soon (the map is far larger
   than the cache: a random bucket is a cache and TLB miss). */
void fire_order_prefetch(const struct fire_order *o, uint64_t key_hash);
/* Later, once that bucket is loaded: give the event's key its slot (if it has none yet)
   and start loading the slot's reader state, which fire_order_assign then finds cached. */
void fire_order_prefetch_slot(struct fire_order *o, const struct mb_event *ev);
/* Worker: whether the item's dependencies are done; when not, flags what it waits for and
   returns false. */
bool fire_order_ready(struct fire_worker *w, const struct fire_item *it);
/* Worker: requests up to seq on connection pid are processed; wakes whoever waits. */
void fire_order_confirm(struct fire_worker *w, uint32_t pid, uint32_t seq);
/* Worker: a read of slot is done. */
void fire_order_read_done(struct fire_worker *w, uint32_t slot);
/* Whether someone waits for connection pid (and clears the flag). */
bool fire_order_wanted(struct fire_order *o, uint32_t pid);

/* fire_sched.c */
/* Open the replay's input (event streams, raw or hashed) on rd: a signal stops the reading,
   --allow-truncated applies. MB_OK or an error in err. */
int fire_input_open(const struct fire_run *r, struct mb_reader *rd, int fd, const char *name, struct mb_err *err);
/* Decode the EVENT frame f of rd into ev, its key hashed as the replay hashes keys. MB_OK, or
   an error naming the file and the frame's offset. */
int fire_input_event(const struct mb_reader *rd, const struct mb_frame *f, struct mb_event *ev, const char *name,
		     struct mb_err *err);
/* Publish the input's requests to the workers (one pass). MB_OK, MB_END (stopped) or an error. */
int fire_sched_pass(struct fire_run *r, int fd, const char *name, struct mb_err *err);
/* Start the clock once the workers have a head start (or now when force). */
void fire_sched_start(struct fire_run *r, bool force);
/* Timed modes: put the input reader back in the normal scheduling class if it lowered itself
   (it does once a ring ahead); `hungry`: for a worker short of requests (counted). */
void fire_reader_raise(struct fire_run *r, bool hungry);
/* The name of a FIRE_READER_ class ("normal", "idle", "batch"), as the report and JSON say it. */
const char *fire_reader_class_name(int cls);
/* Prepare the next loop over the input. */
void fire_sched_next_loop(struct fire_run *r, uint64_t loop);
void fire_sched_free(struct fire_sched *s);

/* fire_topo.c */
struct mb_stream_info;
/* Whether requests go to their recorded server's target: several targets, no --hash, and an
   input whose header says its events carry server numbers (`servers=numbered`). */
bool fire_by_server(const struct fire_run *r, const struct mb_stream_info *info);
/* The target of a request: recorded server number modulo the targets when by_server, else
   its key's on the consistent-hash ring (keyless commands: the first target). */
/* A SERVER frame of the input: with a map, note its target. MB_ERR when it is not in the
   map (or the frame is bad), MB_EIO without memory; err filled. */
int fire_topo_server(struct fire_run *r, const struct mb_frame *f, struct mb_err *err);
unsigned fire_target_of(const struct fire_run *r, bool by_server, uint16_t server, unsigned cmd, uint64_t key_hash);

/* fire_shard.c */
/* Reader: account event ev of dense connection `dense` (intended time t); *mine says whether
   this shard replays it. MB_OK, or MB_EIO when the key table is full or memory runs out. */
int fire_shard_take(struct fire_run *r, uint32_t dense, const struct mb_event *ev, uint64_t t, bool *mine,
		    struct mb_err *err);
/* Reader, with --start-at: wait (interruptible) until shortly before the instant; returns the
   run's start on CLOCK_MONOTONIC (the instant, or now when it has passed). */
uint64_t fire_shard_start_at(struct fire_run *r);
/* The shard and --start-at lines of the text report, and their JSON members. */
void fire_shard_report_text(const struct fire_run *r, FILE *o);
struct mb_json;
void fire_shard_report_json(const struct fire_run *r, struct mb_json *j);
void fire_shard_free(struct fire_shard *s);
struct mb_jr;
/* --merge: add the shard and --start-at members of report root of d (named name) to r.
   Reports without them are fine. MB_OK or MB_ERR (err: a bad member, a shard given twice,
   reports of different shard counts or start instants). */
int fire_shard_report_add(struct fire_run *r, const struct mb_jr *d, uint32_t root, const char *name,
			  struct mb_err *err);

/* fire_ttl.c */
/* Where a target's clock ticks, seen from a request's intended send time, and what the
   recording says about the item's lifetime there (ns after the intended send). */
struct fire_ticks {
	uint64_t tick_in_ns; /* to the first tick after the item arrives, at least 1 */
	uint64_t early_ns;   /* that tick may come this much earlier (a whole period when the */
	uint64_t late_ns;    /* ... last one may still be ahead), or this much later */
	uint64_t period_ns;  /* between two ticks (0: 1 s) */
	uint64_t alive_ns;   /* a later request of the input found the item then (0: none) */
	uint64_t expired_ns; /* one found it gone then (0: none) */
};
/* The exptime to send for ttl, recorded at rec_ns (ns since the epoch), in a replay speed
   times as fast whose wall clock reads now_s (unix seconds): 0 (never) and negative
   (expired) unchanged; a unix time becomes its remaining lifetime at rec_ns (-1 when none
   was left). With tk, the exptime is the one whose expiry tick falls nearest to the scaled
   lifetime, at least 1, among those after alive_ns and before expired_ns (10 ms apart from
   them, the first tick early or late) when there are any; without it (NULL) the lifetime is divided by speed, rounded up,
   at least 1. Results over 30 days are sent as now_s plus the lifetime. */
int32_t fire_ttl_scale(int32_t ttl, double speed, uint64_t rec_ns, int64_t now_s, const struct fire_ticks *tk);
/* Scale item it's TTLs (exptime, vivify, recache) recorded at rec_ns with fire_ttl_scale at
   the run's speed (1 but in the recorded mode); the lifetime bounds in tk apply to the
   exptime only. */
void fire_ttl_scale_item(const struct fire_run *r, struct fire_item *it, uint64_t rec_ns, const struct fire_ticks *tk);
/* Place item it of worker w, whose recorded TTLs are still to place (it->ttl_rec_ns), on
   target's clock, the item being sent at now (monotonic ns), with what the input read so
   far says of its lifetime; then mark them final. Only where fire_clock_known(r, target). */
void fire_ttl_place(const struct fire_run *r, const struct fire_worker *w, struct fire_item *it, unsigned target, uint64_t now);
/* Reader, for each item filled (after fire_order_assign) as request seq of worker: a
   request whose TTLs are placed when sent starts a lifetime of its key; a later read of
   the key (hit or miss recorded) bounds that lifetime for the placement, anything else
   ends it. Only with the order on and a known clock; otherwise nothing. */
void fire_ttl_follow(struct fire_run *r, const struct fire_item *it, unsigned worker, uint64_t seq);
/* Reader, at the start of another pass over the input (--loop): the lifetimes of the last
   pass end (the input's statuses are about its own timeline, not about a loop's). */
void fire_ttl_next_pass(struct fire_run *r);
/* Walk the text stats answer at the start of buf[0, n) unit by unit (any bytes): 1 while
   its END has not come, 0 at END with *time the value of its "STAT time" line (at most 18
   digits) or -1 when it has none, -1 when the bytes are not a stats answer. */
int fire_stats_time(const uint8_t *buf, size_t n, int64_t *time);
/* Learn where each target's clock ticks (memcached's "stats" time, polled until it moves,
   for at most about two seconds), set r->clock, and start a thread that follows the ticks
   (asking shortly before each one is due) until fire_clock_free. Only in the recorded mode
   at a speed other than 1 with scaled TTLs; a target that cannot be asked keeps the
   rounded-up scaling (a warning when it answered but gave no clock). */
void fire_clock_learn(struct fire_run *r);
/* Stop following the clocks (no-op without r->clock or when stopped). After the workers. */
void fire_clock_stop(struct fire_run *r);
/* Stop following the clocks and free them (no-op without r->clock). After the workers. */
void fire_clock_free(struct fire_run *r);
/* The start instant at or after planned (monotonic ns): 30 ms after a tick of the first
   target whose clock was learnt, so that a replay's TTLs meet the ticks the same way each
   time; planned when none was. */
uint64_t fire_clock_start(const struct fire_run *r, uint64_t planned);
/* Whether target's clock was learnt. */
bool fire_clock_known(const struct fire_run *r, unsigned target);
/* How target's clock was followed (after fire_clock_stop): false when it was not learnt. */
bool fire_clock_stats(const struct fire_run *r, unsigned target, struct fire_clock_stats *st);

/* fire_worker.c */
void *fire_worker_main(void *arg);
/* Wake the other workers that wait for an order dependency (self rechecks on its own). */
void fire_wake_waiters(struct fire_worker *self);
/* Wake worker w: someone wants a barrier from one of its connections. */
void fire_poke(struct fire_worker *w);
/* Count one finished key operation. */
void fire_count_op(struct fire_worker *w, const struct fire_item *it, unsigned st);
/* Mark a request and its members done with status st (`hits` members of a multi-key read hit). */
void fire_finish(struct fire_worker *w, struct fire_conn *c, uint64_t seq, unsigned st, unsigned hits, uint64_t now);

/* fire_record.c */
/* Set up --record when asked: per-worker buffers, the file created. MB_OK or MB_EIO. */
int fire_record_open(struct fire_run *r, struct mb_err *err);
/* Write the record's header once, from the input's (reader thread, before any item is published);
   a write failure sticks in the recorder (fire_record_end reports it). */
void fire_record_header(struct fire_run *r, const struct mb_stream_info *in);
/* Record member i of the request headed by h, finished with status st (its worker's thread). */
void fire_record_op(struct fire_worker *w, const struct fire_conn *c, const struct fire_item *h, unsigned i,
		    unsigned st, uint64_t now);
/* Flush, write the summary and close (after the workers ended); see fire_run_record_end. */
int fire_record_end(struct fire_run *r, uint64_t *events, struct mb_err *err);
void fire_record_free(struct fire_run *r);

/* fire_metrics.c */
/* Publish worker w's counters and interval histograms for --metrics (w's thread, holding w->mu). */
void fire_metrics_publish(struct fire_worker *w);
/* Stop serving --metrics and free it (before the workers are freed). */
void fire_metrics_free(struct fire_run *r);

/* fire_run.c */
/* Ring an eventfd bell: whoever waits on it wakes (a full counter means a wake-up is pending anyway). */
void fire_bell_ring(int bell);
/* Sleep until the bell rings, a signal comes, or the monotonic clock reaches deadline (ns,
   UINT64_MAX: none); the bell is then quiet again. mask: the signals blocked meanwhile, or
   NULL to keep the thread's own. */
void fire_bell_wait(int bell, uint64_t deadline, const sigset_t *mask);

/* fire_warm.c */
int fire_warm(struct fire_run *r, int fd, const char *name, struct mb_err *err);

/* fire_report.c */
void *fire_progress_main(void *arg);
/* Sum the workers' statistics into r->total. */
void fire_stats_sum(struct fire_run *r);
bool fire_status_is_error(unsigned st);
/* CPU time the hypervisor took from this machine (steal in /proc/stat) so far, in ms; -1 when unknown. */
int64_t fire_host_steal_ms(void);
/* Histograms of a command, made when first needed; false without memory. */
bool fire_cmd_hists(struct fire_cmd_stats *cs);
/* A new empty latency histogram of the run's range; NULL without memory. fire_hist_del frees one (or NULL). */
struct mb_hist *fire_hist_new(void);
void fire_hist_del(struct mb_hist *h);

/* Add point b's counts to a's; a's percentiles become the higher of the two (an upper bound
   of the percentile over both); times are the caller's. */
void fire_point_add(struct fire_point *a, const struct fire_point *b);
/* The text report (also of a run read back from JSON reports). */
void fire_report_text(const struct fire_run *r, FILE *o);

/* fire_json.c */
/* The run's start on the wall clock, ns since the epoch. */
uint64_t fire_start_unix_ns(const struct fire_run *r);
/* Whether the run's workers tried to raise their priority (a timed mode, allowed to). */
bool fire_priority_tried(const struct fire_run *r);
/* Requests of one command, over every status. */
uint64_t fire_cmd_ops(const struct fire_cmd_stats *cs);

/* Block SIGINT, SIGTERM and SIGUSR1 in the calling engine thread, so the main thread takes
 * them: the stop signals, and SIGUSR1, which interrupts its blocking read of the input. */
void fire_block_signals(void);

#endif
