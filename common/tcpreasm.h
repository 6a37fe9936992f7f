/* tcpreasm.h - flow table and TCP reassembly feeding per-connection memcached parsers (doc/parse.md). */
#ifndef MB_TCPREASM_H
#define MB_TCPREASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mcpair.h"
#include "net.h"
#include "opt.h"

/* Limits of the flow table. */
struct mb_flow_limits {
	uint64_t mem_cap;        /* bytes of flow state, buffers and queues (-M) */
	uint64_t idle_ns;        /* a flow silent this long (capture time) is closed */
	uint64_t reset_linger_ns;/* a reset flow with requests still unanswered waits this long for their replies */
	uint32_t ooo_segs;       /* out-of-order segments buffered per direction */
	uint32_t ooo_bytes;      /* out-of-order bytes buffered per direction */
};

/* Counters of the flow table (summary frame). */
struct mb_flow_counters {
	uint64_t flows;          /* flows created (TCP and UDP) */
	uint64_t servers;        /* distinct server addresses (address and port) numbered */
	uint64_t tcp_flows, udp_flows;
	uint64_t segments;       /* TCP segments of memcached flows */
	uint64_t retrans;        /* segments wholly seen before (dropped) */
	uint64_t overlaps;       /* segments partly seen before (trimmed) */
	uint64_t ooo;            /* segments buffered out of order */
	uint64_t holes;          /* holes given up on (bytes never captured) */
	uint64_t hole_bytes;
	uint64_t evictions;      /* flows closed to respect the memory cap */
	uint64_t idle_closed;    /* flows closed after being idle */
	uint64_t closed;         /* flows ended by FIN/RST */
	uint64_t after_reset;    /* segments that arrived after their flow's RST and were still paired */
	uint64_t not_memcached;  /* TCP/UDP packets on other ports */
	uint64_t truncated_bytes;/* payload bytes cut by the snap length */
	uint64_t servers_over;   /* flows to servers past MB_FLOW_SERVERS_MAX or memory (given the last number) */
};

struct mb_flow;

#define MB_FLOW_SERVERS_MAX 65536 /* servers numbered; later ones share the last number */

/* A server side seen: address (IPv4 in the first 4 bytes) and port. */
struct mb_flow_server {
	uint8_t addr[16];
	uint16_t port;
	uint8_t family;
};

/* The flow table. */
struct mb_flowtab {
	struct mb_flow **buckets;
	size_t nbuckets, nflows;
	struct mb_flow *lru_head, *lru_tail; /* most / least recently used */
	struct mb_flow *reset_head, *reset_tail; /* reset flows lingering for replies, oldest first */
	uint64_t *port_packets;  /* TCP/UDP packets on other ports, per port (both ends counted) */
	uint64_t *port_listens;  /* bitmap of those ports a bare SYN was sent to (a server side) */
	struct mb_portset ports;
	struct mb_flow_limits lim;
	struct mb_flow_counters cnt;
	struct mc_ctx *ctx;
	uint32_t next_conn_id;
	struct mb_flow_server *servers; /* in order of first appearance: a connection's server is its index */
	uint32_t nservers, servers_cap;
	uint64_t packets_since_sweep;
	uint64_t now;
};

/* Set up a table for server ports `ports`; connections report into ctx. MB_OK or MB_ERR (no memory). */
int mb_flowtab_init(struct mb_flowtab *t, const struct mb_portset *ports, const struct mb_flow_limits *lim,
		    struct mc_ctx *ctx);
/* One decoded TCP/UDP packet captured at ts; `elided` value bytes were left out of its payload. */
void mb_flowtab_packet(struct mb_flowtab *t, const struct mb_l4 *l4, uint64_t ts, uint32_t elided);
/* End of input: give up remaining holes, close every flow (pending requests become unanswered), free. */
void mb_flowtab_finish(struct mb_flowtab *t);
/*
 * The n busiest ports of the TCP/UDP packets that matched no server port (each
 * packet counts for both its ports), most packets first; of ports with as many
 * packets, one that received a bare SYN (a server side) first, then the lower:
 * fills port[] and packets[], returns how many (fewer when fewer ports were seen).
 * Valid until mb_flowtab_finish.
 */
unsigned mb_flowtab_busiest_ports(const struct mb_flowtab *t, uint16_t *port, uint64_t *packets, unsigned n);

#endif
