/* ebpf.h - kernel-side capture backend of mb-capture: TC eBPF program + ring buffer (doc/ebpf.md). */
#ifndef MB_EBPF_H
#define MB_EBPF_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "opt.h"
#include "stream.h"

/* What mb-capture asks of the eBPF backend. */
struct mb_ebpf_opts {
	const char *iface;                   /* interface name, e.g. "eth0" or "lo" */
	const struct mb_portset *ports;      /* memcached ports; TCP and UDP segments to or from them pass */
	uint32_t snaplen;                    /* most bytes per frame (0 = MB_PACKET_MAX) */
	uint64_t max_packets;                /* stop after this many packet frames (0 = no limit) */
	uint64_t duration_ns;                /* stop after this long (0 = no limit) */
	bool progress;                       /* a progress line on stderr about once a second */
	/*
	 * Stream header to write once the program is attached, before the first packet
	 * (NULL: the caller wrote it already). Passing it here keeps w untouched when
	 * loading fails, so the caller can fall back to libpcap with its own header.
	 * Its "backend" value should be mb_ebpf_backend_name().
	 */
	const struct mb_stream_info *header;
};

/*
 * Load the kernel program (skeleton of bpf/capture.bpf.c), attach it to iface
 * (TC clsact ingress and egress; ingress only on loopback), and write one PACKET frame per captured TCP/UDP
 * segment to w until max_packets, duration_ns, or mb_stop_requested. Frames are
 * Ethernet (LINKTYPE_ETHERNET = 1), caplen = bytes delivered, wirelen = skb length,
 * elided = value-body payload bytes withheld at the end of the frame's TCP payload
 * (caplen + elided <= wirelen; elided bytes are bytes of a value body the protocol
 * line before them announced). The program is detached before returning.
 *
 * Adds counters to sum: packets, bytes_delivered, bytes_wire, bytes_elided,
 * ring_drops (segments lost because the ring buffer was full), ring_records,
 * ring_wakeups. Prints nothing (except progress lines): the caller reports
 * ring_drops on stderr like any kernel drop count.
 *
 * Returns MB_OK; MB_EPIPE when w's reader went away; MB_EIO on an output error;
 * MB_ERR with err saying why eBPF capture is unavailable (built without the
 * backend, no privilege, verifier rejection, an interface that is not Ethernet
 * or loopback, no free TC slot), ending with a hint to use the libpcap mode
 * (except for a missing interface, where libpcap would fail too). On that MB_ERR nothing was written
 * to w, so the caller can fall back (--ebpf=auto) or fail.
 */
int mb_ebpf_capture(const struct mb_ebpf_opts *o, struct mb_writer *w, struct mb_summary *sum, struct mb_err *err);

/* The backend's name for the stream header's "backend" metadata: "ebpf-tc". */
const char *mb_ebpf_backend_name(void);

/* True when this mb-capture was built with the eBPF backend (false: bpf/ebpf-none.c). */
bool mb_ebpf_built(void);

/* Pcap link type of the frames the backend writes (LINKTYPE_ETHERNET). */
uint32_t mb_ebpf_linktype(void);

#endif
