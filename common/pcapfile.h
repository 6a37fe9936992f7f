/* pcapfile.h - the project's one raw pcap/pcapng reader (no libpcap), over an attached mb_reader. */
#ifndef MB_PCAPFILE_H
#define MB_PCAPFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "stream.h"

/* An open capture: format state (byte order, timestamp resolution, pcapng interfaces). */
struct mb_pcapfile;

/*
 * Start reading a pcap or pcapng capture from an attached reader (r->input is
 * MB_INPUT_PCAP or MB_INPUT_PCAPNG, see mb_reader_attach). Reads the file header
 * (pcap) or the first section header (pcapng). MB_OK, MB_END when the input
 * ended by a stop request (mb_reader.stop) before the header was whole, or
 * MB_ERR/MB_EIO with err set; *pf is NULL unless MB_OK. The reader stays owned by the caller and must
 * outlive *pf.
 */
int mb_pcapfile_open(struct mb_pcapfile **pf, struct mb_reader *r, struct mb_err *err);

/*
 * Next packet: MB_OK (pkt filled; pkt->data valid until the next call;
 * pkt->linktype per packet, pcapng interfaces may differ; pkt->ts_ns in
 * nanoseconds; pkt->elided 0), MB_END at a clean end (also when a stop request
 * cut the input inside a record), MB_ERR on a truncated or
 * broken record (err has "... at byte N"; every packet before it was returned),
 * MB_EIO on a read error.
 */
int mb_pcapfile_next(struct mb_pcapfile *pf, struct mb_packet *pkt, struct mb_err *err);

/* The link type of the (first) interface, for stream metadata (pcapng: 0 until an IDB was read). */
uint32_t mb_pcapfile_linktype(const struct mb_pcapfile *pf);

/* The snap length of the (first) interface (0 = unlimited / unknown). */
uint32_t mb_pcapfile_snaplen(const struct mb_pcapfile *pf);

/*
 * Whether the current file (pcap) or section (pcapng) was written big-endian:
 * link layers that carry host-order fields (LINKTYPE_NULL) need it to be read.
 */
bool mb_pcapfile_big_endian(const struct mb_pcapfile *pf);

/* Release the reader state (does not close the mb_reader). NULL is fine. */
void mb_pcapfile_close(struct mb_pcapfile *pf);

#endif
