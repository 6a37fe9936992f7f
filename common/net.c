/* net.c - link layer, IPv4/IPv6 and TCP/UDP header decoding of captured packets (untrusted bytes). */
#include "net.h"

#include <string.h>

#include "bytes.h"

/* An IP packet: version from the first nibble. */
static enum mb_net_rc decode_ip(const uint8_t *p, uint32_t n, struct mb_l4 *o);

/* Decode an IPv4 or IPv6 packet given its ethertype (or 0: look at the version nibble). */
static enum mb_net_rc decode_ethertype(uint16_t type, const uint8_t *p, uint32_t n, struct mb_l4 *o)
{
	if (type == 0x0800 || type == 0x86dd)
		return decode_ip(p, n, o);
	return MB_NET_NOT_IP;
}

/* Ethernet II with up to MB_NET_MAX_VLAN 802.1Q/802.1ad tags. */
static enum mb_net_rc decode_ether(const uint8_t *p, uint32_t n, struct mb_l4 *o)
{
	struct mb_cur c = mb_cur_make(p, n);
	mb_skip(&c, 12);
	uint16_t type = mb_get_be16(&c);
	for (int i = 0; i < MB_NET_MAX_VLAN && (type == 0x8100 || type == 0x88a8 || type == 0x9100); i++) {
		mb_skip(&c, 2);
		type = mb_get_be16(&c);
	}
	if (c.bad)
		return MB_NET_TRUNCATED;
	if (type == 0x8100 || type == 0x88a8 || type == 0x9100)
		return MB_NET_BAD;
	return decode_ethertype(type, p + c.off, (uint32_t)mb_cur_left(&c), o);
}

/* A BSD address family value -> IP or not. */
static enum mb_net_rc decode_af(uint32_t af, const uint8_t *p, uint32_t n, struct mb_l4 *o)
{
	/* AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24 (BSDs), 28 (FreeBSD), 30 (Darwin). */
	if (af == 2 || af == 10 || af == 24 || af == 28 || af == 30)
		return decode_ip(p, n, o);
	return MB_NET_NOT_IP;
}

static uint32_t bswap32(uint32_t v) { return __builtin_bswap32(v); }

enum mb_net_rc mb_net_decode(uint32_t linktype, const uint8_t *data, uint32_t caplen, struct mb_l4 *out)
{
	memset(out, 0, offsetof(struct mb_l4, payload));
	out->payload = NULL;
	out->len = out->wire_len = 0;
	struct mb_cur c = mb_cur_make(data, caplen);
	switch (linktype) {
	case MB_LT_EN10MB:
		return decode_ether(data, caplen, out);
	case MB_LT_NULL: {
		uint32_t af = mb_get_le32(&c);
		if (c.bad)
			return MB_NET_TRUNCATED;
		if (af > 0xffff)
			af = bswap32(af);
		return decode_af(af, data + 4, caplen - 4, out);
	}
	case MB_LT_LOOP: {
		uint32_t af = mb_get_be32(&c);
		if (c.bad)
			return MB_NET_TRUNCATED;
		if (af > 0xffff)
			af = bswap32(af);
		return decode_af(af, data + 4, caplen - 4, out);
	}
	case MB_LT_RAW_OLD:
	case MB_LT_RAW_OLD2:
	case MB_LT_RAW:
	case MB_LT_IPV4:
	case MB_LT_IPV6:
		return decode_ip(data, caplen, out);
	case MB_LT_LINUX_SLL: {
		mb_skip(&c, 14);
		uint16_t type = mb_get_be16(&c);
		if (c.bad)
			return MB_NET_TRUNCATED;
		return decode_ethertype(type, data + 16, caplen - 16, out);
	}
	case MB_LT_LINUX_SLL2: {
		uint16_t type = mb_get_be16(&c);
		mb_skip(&c, 18);
		if (c.bad)
			return MB_NET_TRUNCATED;
		return decode_ethertype(type, data + 20, caplen - 20, out);
	}
	default:
		return MB_NET_LINKTYPE;
	}
}

/* TCP or UDP header at p (n captured bytes, wire bytes of the IP payload). */
static enum mb_net_rc decode_l4(uint8_t proto, const uint8_t *p, uint32_t n, uint32_t wire, struct mb_l4 *o)
{
	struct mb_cur c = mb_cur_make(p, n);
	o->proto = proto;
	if (proto == 6) {
		o->sport = mb_get_be16(&c);
		o->dport = mb_get_be16(&c);
		o->seq = mb_get_be32(&c);
		o->ack = mb_get_be32(&c);
		uint8_t doff = mb_get_u8(&c) >> 4;
		o->tcp_flags = mb_get_u8(&c);
		if (c.bad)
			return MB_NET_TRUNCATED;
		uint32_t hl = (uint32_t)doff * 4;
		if (hl < 20 || hl > wire)
			return MB_NET_BAD;
		if (hl > n)
			return MB_NET_TRUNCATED;
		o->payload = p + hl;
		o->len = n - hl;
		o->wire_len = wire - hl;
		return MB_NET_OK;
	}
	if (proto == 17) {
		o->sport = mb_get_be16(&c);
		o->dport = mb_get_be16(&c);
		uint16_t ulen = mb_get_be16(&c);
		if (c.bad)
			return MB_NET_TRUNCATED;
		if (ulen < 8 || ulen > wire)
			return MB_NET_BAD;
		if (n < 8)
			return MB_NET_TRUNCATED;
		o->payload = p + 8;
		o->wire_len = ulen - 8u;
		o->len = n - 8 < o->wire_len ? n - 8 : o->wire_len;
		return MB_NET_OK;
	}
	return MB_NET_OTHER_L4;
}

/* IPv4: options skipped by IHL, fragments reported, Ethernet padding trimmed by total length. */
static enum mb_net_rc decode_ipv4(const uint8_t *p, uint32_t n, struct mb_l4 *o)
{
	struct mb_cur c = mb_cur_make(p, n);
	uint8_t vihl = mb_get_u8(&c);
	mb_skip(&c, 1);
	uint16_t total = mb_get_be16(&c);
	mb_skip(&c, 2);
	uint16_t frag = mb_get_be16(&c);
	mb_skip(&c, 1);
	uint8_t proto = mb_get_u8(&c);
	mb_skip(&c, 2);
	const uint8_t *src = mb_get_bytes(&c, 4);
	const uint8_t *dst = mb_get_bytes(&c, 4);
	if (c.bad)
		return MB_NET_TRUNCATED;
	uint32_t ihl = (uint32_t)(vihl & 15) * 4;
	if (ihl < 20 || total < ihl)
		return MB_NET_BAD;
	if (ihl > n)
		return MB_NET_TRUNCATED;
	o->family = 4;
	memcpy(o->src, src, 4);
	memcpy(o->dst, dst, 4);
	if (frag & 0x3fff)
		return MB_NET_FRAGMENT;
	uint32_t have = n < total ? n : total;
	return decode_l4(proto, p + ihl, have - ihl, total - ihl, o);
}

/* IPv6 with up to MB_NET_MAX_EXTHDR extension headers; non-atomic fragments reported. */
static enum mb_net_rc decode_ipv6(const uint8_t *p, uint32_t n, struct mb_l4 *o)
{
	struct mb_cur c = mb_cur_make(p, n);
	mb_skip(&c, 4);
	uint16_t plen = mb_get_be16(&c);
	uint8_t nh = mb_get_u8(&c);
	mb_skip(&c, 1);
	const uint8_t *src = mb_get_bytes(&c, 16);
	const uint8_t *dst = mb_get_bytes(&c, 16);
	if (c.bad)
		return MB_NET_TRUNCATED;
	o->family = 6;
	memcpy(o->src, src, 16);
	memcpy(o->dst, dst, 16);
	if (plen == 0)
		return MB_NET_BAD; /* jumbograms are not memcached traffic */
	uint32_t have = n - 40 < plen ? n - 40 : plen;
	uint32_t wire = plen;
	const uint8_t *q = p + 40;
	for (int i = 0; i <= MB_NET_MAX_EXTHDR; i++) {
		if (nh == 6 || nh == 17)
			return decode_l4(nh, q, have, wire, o);
		if (nh != 0 && nh != 43 && nh != 60 && nh != 44 && nh != 51 && nh != 135)
			return MB_NET_OTHER_L4;
		if (i == MB_NET_MAX_EXTHDR)
			break;
		struct mb_cur e = mb_cur_make(q, have);
		uint8_t next = mb_get_u8(&e);
		uint8_t hlen = mb_get_u8(&e);
		uint16_t fragoff = mb_get_be16(&e);
		if (e.bad)
			return MB_NET_TRUNCATED;
		uint32_t len;
		if (nh == 44) {
			if (fragoff & 0xfff9)
				return MB_NET_FRAGMENT;
			len = 8;
		} else if (nh == 51) {
			len = ((uint32_t)hlen + 2) * 4;
		} else {
			len = ((uint32_t)hlen + 1) * 8;
		}
		if (len > wire)
			return MB_NET_BAD;
		if (len > have)
			return MB_NET_TRUNCATED;
		q += len;
		have -= len;
		wire -= len;
		nh = next;
	}
	return MB_NET_BAD;
}

static enum mb_net_rc decode_ip(const uint8_t *p, uint32_t n, struct mb_l4 *o)
{
	if (n < 1)
		return MB_NET_TRUNCATED;
	switch (p[0] >> 4) {
	case 4:
		return decode_ipv4(p, n, o);
	case 6:
		return decode_ipv6(p, n, o);
	default:
		return MB_NET_BAD;
	}
}

const char *mb_net_rc_name(enum mb_net_rc rc)
{
	switch (rc) {
	case MB_NET_OK: return "ok";
	case MB_NET_NOT_IP: return "not_ip";
	case MB_NET_OTHER_L4: return "other_l4";
	case MB_NET_FRAGMENT: return "fragments";
	case MB_NET_TRUNCATED: return "truncated_headers";
	case MB_NET_BAD: return "bad_headers";
	case MB_NET_LINKTYPE: return "bad_linktype";
	}
	return "?";
}
