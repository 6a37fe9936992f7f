/* net.h - decode one captured packet: link layer -> IPv4/IPv6 -> TCP/UDP header and payload. */
#ifndef MB_NET_H
#define MB_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* pcap LINKTYPE_* values the decoder understands. */
enum {
	MB_LT_NULL = 0,        /* BSD loopback: 4-byte AF in host order of the capturing machine */
	MB_LT_EN10MB = 1,      /* Ethernet, with 802.1Q / 802.1ad / QinQ tags */
	MB_LT_RAW_OLD = 12,    /* raw IP (OpenBSD's DLT_RAW value) */
	MB_LT_RAW_OLD2 = 14,   /* raw IP (BSD/OS DLT_RAW value) */
	MB_LT_RAW = 101,       /* raw IP */
	MB_LT_LOOP = 108,      /* OpenBSD loopback: 4-byte AF in network order */
	MB_LT_LINUX_SLL = 113, /* Linux cooked capture v1, 16-byte header */
	MB_LT_IPV4 = 228,      /* raw IPv4 */
	MB_LT_IPV6 = 229,      /* raw IPv6 */
	MB_LT_LINUX_SLL2 = 276,/* Linux cooked capture v2, 20-byte header */
};

#define MB_NET_MAX_VLAN 4      /* stacked VLAN tags followed */
#define MB_NET_MAX_EXTHDR 8    /* IPv6 extension headers followed */

/* What a packet turned out to be. */
enum mb_net_rc {
	MB_NET_OK = 0,        /* TCP or UDP: the l4 fields are valid */
	MB_NET_NOT_IP,        /* ARP, LLDP, ...: not counted as an error */
	MB_NET_OTHER_L4,      /* IP but neither TCP nor UDP (ICMP, ...) */
	MB_NET_FRAGMENT,      /* an IP fragment: counted and skipped */
	MB_NET_TRUNCATED,     /* headers cut by the snap length */
	MB_NET_BAD,           /* malformed header (bad version, length, offsets) */
	MB_NET_LINKTYPE,      /* link type not supported */
};

/* The transport view of one packet. Addresses are 16 bytes; IPv4 uses the first 4 (rest zero). */
struct mb_l4 {
	uint8_t family;         /* 4 or 6 */
	uint8_t proto;          /* 6 TCP, 17 UDP */
	uint8_t tcp_flags;      /* TCP flags byte (FIN 0x01, SYN 0x02, RST 0x04, ACK 0x10) */
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint32_t seq, ack;      /* TCP only */
	const uint8_t *payload; /* captured payload bytes */
	uint32_t len;           /* payload bytes present in the capture */
	uint32_t wire_len;      /* payload bytes on the wire per the IP/UDP length (>= len) */
};

/*
 * Decode caplen bytes captured on a link of `linktype` down to TCP/UDP. The
 * payload pointer refers into data. wire_len comes from the IP header (UDP
 * length for UDP), so wire_len - len is what the snap length cut off.
 */
enum mb_net_rc mb_net_decode(uint32_t linktype, const uint8_t *data, uint32_t caplen, struct mb_l4 *out);

/* Short name of a result, for counters ("not_ip", "fragment", ...). */
const char *mb_net_rc_name(enum mb_net_rc rc);

#endif
