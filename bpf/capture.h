/* capture.h - the ring-buffer record and counters shared by bpf/capture.bpf.c and bpf/ebpf.c. */
#ifndef MB_BPF_CAPTURE_H
#define MB_BPF_CAPTURE_H

/*
 * Plain fixed-width types only: this header is compiled both against vmlinux.h
 * (kernel side, where __u32 and friends come from) and against <linux/types.h>.
 */

#define MB_CAP_PIECES 8          /* most frames one captured segment is split into */
#define MB_CAP_HDR_MAX 192       /* most link+network+transport header bytes copied */
#define MB_CAP_DATA_MAX 131072   /* most bytes (headers + delivered payload) in one record */
#define MB_CAP_LINE_MAX 320      /* protocol line window the kernel scans for "\r\n" */
#define MB_CAP_MSGS 64           /* most protocol messages walked in one segment */
#define MB_CAP_SPLIT_MIN 256     /* a value body inside a segment is cut out only from this size */

/* Record flags. */
#define MB_CAP_F_TCP 0x02        /* transport is TCP (else UDP) */
#define MB_CAP_F_IPV6 0x04       /* network is IPv6 (else IPv4) */
#define MB_CAP_F_TRUNC 0x08      /* delivered bytes were cut at MB_CAP_DATA_MAX */

/*
 * One piece of a segment's TCP payload: `del` bytes delivered (they follow in the
 * record's data), then `eli` value-body bytes withheld. Pieces are contiguous and
 * cover the payload in order; user space turns each into one Ethernet frame whose
 * TCP sequence number is the segment's plus `off`.
 */
struct mb_cap_piece {
	__u32 off;
	__u32 del;
	__u32 eli;
};

/*
 * Ring-buffer record: this fixed part, then data_len bytes: the hdr_len header
 * bytes of the frame (link layer first) and the delivered bytes of every piece
 * in order, then npieces struct mb_cap_piece. npieces == 0 means no elision:
 * data is the frame's first data_len bytes.
 */
struct mb_cap_rec {
	__u64 ts_ns;        /* bpf_ktime_get_ns() (CLOCK_MONOTONIC) */
	__u32 wirelen;      /* skb->len: bytes of the whole frame */
	__u32 data_len;     /* frame bytes following this struct */
	__u32 payload_len;  /* transport payload bytes (from the IP length) */
	__u16 hdr_len;      /* link + network + transport header bytes */
	__u8 npieces;       /* 0 = frame delivered as is (maybe truncated) */
	__u8 flags;         /* MB_CAP_F_* */
	__u16 l3_off;       /* offset of the IP header in the frame */
	__u16 l4_off;       /* offset of the TCP/UDP header in the frame */
};

/* Per-CPU counters (array map "counters", one __u64 per index and CPU). */
enum mb_cap_counter {
	MB_CTR_SEGMENTS,     /* matching segments seen by the program */
	MB_CTR_RECORDS,      /* records written to the ring */
	MB_CTR_RING_DROPS,   /* records lost: ring buffer full */
	MB_CTR_WIRE_BYTES,   /* skb->len of matching segments */
	MB_CTR_ELIDED,       /* payload bytes withheld */
	MB_CTR_TRUNCATED,    /* records cut at MB_CAP_DATA_MAX */
	MB_CTR_LOST_SYNC,    /* flow directions that lost protocol sync (captured whole since) */
	MB_CTR_RESYNC,       /* flow directions that regained sync */
	MB_CTR_WAKEUPS,      /* forced consumer wakeups (ring above the threshold) */
	MB_CTR_COUNT
};

#endif
