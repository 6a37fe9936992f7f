/* mcpair.h - per-connection memcached stream state: framing of both directions and request/response pairing. */
#ifndef MB_MCPAIR_H
#define MB_MCPAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "mcproto.h"

#define MC_PENDING_DEFAULT 4096 /* pending key operations per connection before the oldest is dropped */

/* Counters of one run (printed in the summary frame, doc/mb-parse.md). */
struct mc_counters {
	uint64_t events;
	uint64_t ev_proto[MB_PROTO_COUNT];
	uint64_t ev_cmd[MB_CMD_COUNT];
	uint64_t ev_status[MB_ST_COUNT];
	uint64_t desyncs;          /* framing lost in a direction (hole, invalid message) */
	uint64_t resyncs;          /* framing found again at a trusted message start */
	uint64_t unparsed_bytes;   /* bytes dropped while looking for a message start */
	uint64_t invalid;          /* byte sequences that cannot start a message */
	uint64_t malformed;        /* known commands with bad arguments */
	uint64_t unknown_cmds;     /* unknown commands (the flow stays in sync) */
	uint64_t unmatched_resp;   /* responses with no request to pair with */
	uint64_t keys_over_cap;    /* get keys beyond MC_KEYS_MAX */
	uint64_t pending_overflow; /* requests dropped from a full pending queue (emitted unanswered) */
	uint64_t inferred;         /* quiet requests whose status was inferred */
	uint64_t elided_bytes;     /* value bytes the capture left out (mb_packet.elided) */
	uint64_t elided_overrun;   /* elided bytes outside a value body */
	uint64_t lost_body_bytes;  /* lost bytes that fell inside a value body (no desync needed) */
	uint64_t udp_dropped;      /* UDP datagrams out of sequence or without a request */
	uint64_t batches;          /* multi-key requests */
	uint64_t dropped_untrusted;/* requests decoded after a resync that a reply proved wrong (not emitted) */
	uint64_t ambiguous;        /* events flagged MB_EF_AMBIGUOUS: the wire cannot tell which quiet request a reply answered */
};

/* Shared context of all connections: output callback, counters, batch ids, memory accounting. */
struct mc_ctx {
	void (*emit)(void *arg, const struct mb_event *ev);
	void *arg;
	struct mc_counters cnt;
	uint32_t next_batch;
	uint32_t pending_cap;
	uint64_t mem;             /* bytes held by connection buffers and queues */
	struct mc_req rq;         /* scratch: the request being handled */
	struct mc_resp rs;        /* scratch: the response being handled */
};

/* State of one direction's byte stream. */
enum mc_half_state {
	MC_H_SYNC = 0, /* at a known message boundary (or inside a known body: skip > 0) */
	MC_H_HUNT,     /* framing unknown: look for a trusted message start */
};

struct mc_half {
	uint8_t state;     /* enum mc_half_state */
	bool resync_mark;  /* flag the next event MB_EF_RESYNC */
	bool server;       /* responses (true) or requests */
	uint32_t clen, ccap;
	uint8_t *carry;    /* a partial line/header carried to the next segment */
	uint64_t skip;     /* body bytes still to skip */
	uint64_t body_ts;  /* requests: the entry whose body is being skipped completes at the body end */
	bool body_open;
	bool no_cand_at_start; /* after an invalid message: the current position is not a candidate */
	uint64_t carry_ts; /* capture time of the first carried byte (response start) */
	uint8_t cont_cmd;  /* requests: the next bytes continue a long get/gets/gat/gats line (its command) */
	int32_t cont_ttl;  /* and its exptime (gat/gats) */
};

/* One pending key operation. */
struct mc_pend {
	uint64_t ts;
	uint64_t resp_ts;
	uint32_t batch_id;
	uint32_t value_len;
	uint32_t resp_len;
	uint32_t opaque;
	uint32_t end_seq;     /* client TCP sequence just after the request (ack rule) */
	uint16_t udp_reqid;
	int32_t ttl;
	uint16_t flags;
	uint16_t key_len;
	uint8_t proto, cmd, expect, status, bin_opcode, opq_len;
	bool done;            /* status known (or no response expected) */
	bool has_opaque;
	bool want_key;
	bool cas_cmp;         /* meta C */
	bool amb;             /* another quiet request took a reply this one could have had: ambiguous if inferred */
	bool tentative;        /* decoded after a resync, not yet confirmed by a fitting reply */
	bool malformed;        /* memcached will answer an error */
	bool body_done;       /* request body fully seen */
	uint8_t opq[MC_OPAQUE_MAX];
	uint8_t key[MC_KEY_MAX];
	struct mb_sem sem;    /* request semantics, copied to the event */
};

/* One connection (TCP flow or UDP client address:port). */
struct mc_conn {
	uint32_t conn_id;
	uint16_t server;      /* number of its server (tcpreasm.c), copied to the events */
	uint8_t transport;    /* MB_TRANSPORT_* */
	bool seq_valid;       /* TCP sequence numbers usable for the ack rule */
	struct mc_half half[2]; /* [0] client->server requests, [1] server->client responses */
	struct mc_pend *q;
	uint32_t qhead, qlen, qcap;
	uint32_t batch_cursor; /* next entry of the head batch a VALUE may match */
	uint16_t udp_cur;      /* UDP request id of the response being read */
	uint16_t udp_next_seq;
	bool udp_active;
	uint16_t udp_req;      /* request id of the request datagram being parsed */
	uint8_t proto_lock;    /* 0 unknown, 1 text/meta, 2 binary: fixed by the first request, as memcached does */
	bool tentative;        /* requests since the last resync are unconfirmed */
	uint32_t cont_batch;   /* batch id of the long get line being read */
};

/* Where a chunk of in-order bytes came from. */
struct mc_chunk {
	uint64_t ts;       /* capture time of its packet */
	uint32_t seq;      /* TCP sequence of its first byte */
	uint32_t ack;      /* TCP ack of its packet (responses: what the server had received) */
	bool has_ack;
	bool seg_start;    /* the chunk starts a segment (a resync candidate position) */
};

/* Initialise a context (emit callback and its argument). */
void mc_ctx_init(struct mc_ctx *ctx, void (*emit)(void *, const struct mb_event *), void *arg);
/* Initialise a connection; `joined` when seen mid-stream (both directions hunt for a message start). */
void mc_conn_init(struct mc_conn *c, uint32_t conn_id, uint8_t transport, bool joined);
/* Feed in-order bytes of direction dir (0 requests, 1 responses). */
void mc_conn_data(struct mc_ctx *ctx, struct mc_conn *c, int dir, const uint8_t *p, size_t n, const struct mc_chunk *ch);
/*
 * n bytes of direction dir are missing from the stream: `elided` ones were left out
 * on purpose (value bytes) and never desynchronize; lost ones do unless they fall in
 * a value body being skipped.
 */
void mc_conn_gap(struct mc_ctx *ctx, struct mc_conn *c, int dir, uint64_t n, bool elided, uint64_t ts);
/* One UDP datagram payload (with its 8-byte frame header) of direction dir. */
void mc_conn_udp(struct mc_ctx *ctx, struct mc_conn *c, int dir, const uint8_t *p, size_t n, uint64_t ts);
/* The connection ends (close, reset, eviction, end of input): pending requests are emitted unanswered. */
void mc_conn_close(struct mc_ctx *ctx, struct mc_conn *c);
/* Bytes a connection holds in buffers (for the flow-table memory cap). */
size_t mc_conn_mem(const struct mc_conn *c);

#endif
