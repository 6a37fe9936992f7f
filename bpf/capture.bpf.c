/* capture.bpf.c - TC program: pass memcached-port segments to user space, withholding value bodies. */
/*
 * Kernel types come from the UAPI headers (linux-libc-dev), not from a BTF dump: the
 * program reads only __sk_buff, a stable UAPI context, and copies packet headers into
 * locals with bpf_skb_load_bytes, so no kernel-internal layout is involved and the
 * build needs no /sys/kernel/btf/vmlinux. See doc/ebpf.md "Build".
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "capture.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define SCRATCH_SIZE (2 * MB_CAP_DATA_MAX)
#define SCAN_CHUNK 32 /* divides MB_CAP_LINE_MAX */

/*
 * Tunables, set by the loader before the program is loaded (read-only to the
 * program, so the verifier sees constants).
 */
const volatile __u64 port_bits[1024];        /* memcached ports: bit p set = port p */
const volatile __u64 wake_bytes = 1 << 20;    /* force a consumer wakeup above this much unread data */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 24);
} ring SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MB_CTR_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* One direction of a TCP connection. */
struct flow_key {
	__u8 src[16];
	__u8 dst[16];
	__u16 sport;
	__u16 dport;
	__u32 family;
};

/*
 * Protocol position of one direction. FLOW_SYNC: `bound` is the sequence number
 * of the next message boundary; bytes from next_seq up to bound are value body.
 * FLOW_LOST: position unknown (capture began mid-stream, a line was split across
 * segments, a gap, too many messages in one segment): segments pass whole until
 * one that follows a segment ending in "\r\n" starts with a well-formed line.
 */
enum { FLOW_SYNC = 1, FLOW_LOST = 2 };
struct flow_state {
	__u32 next_seq;
	__u32 bound;
	__u32 mode;
	__u32 crlf; /* the last in-order segment ended with "\r\n" */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct flow_key);
	__type(value, struct flow_state);
} flows SEC(".maps");

/* Record under construction, one per CPU (an array indexed by CPU: too big for a per-CPU map). */
struct scratch {
	struct mb_cap_piece piece[MB_CAP_PIECES];
	struct mb_cap_rec rec; /* the ring record starts here */
	__u8 data[SCRATCH_SIZE];
};
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* the loader sets the number of possible CPUs */
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

/* Result of mb_parse_msg, per CPU. */
struct scan {
	__u8 line[MB_CAP_LINE_MAX];
	__u64 head;  /* bytes of the message before its body (line, or binary header+extras+key) */
	__u64 body;  /* body bytes that may be withheld */
	__u64 tok;   /* line classification, passed through map memory so that the */
	__u64 known; /* verifier does not split the scan loop by its constant values */
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scan);
} scans SEC(".maps");

/* What mb_parse_msg found at an offset (low byte), plus MSG_KNOWN. */
enum {
	MSG_NOBODY = 1, /* a line without a body: head = its length */
	MSG_BODY = 2,   /* head bytes of line/header, then body bytes of value */
	MSG_SHORT = 3,  /* the message does not end within the segment */
	MSG_LONG = 4,   /* no line end within MB_CAP_LINE_MAX bytes of a line without a body */
	MSG_BAD = 5,    /* not a message this program understands */
};
#define MSG_KNOWN 0x100 /* the first word is a memcached command or response */

static __always_inline void count(__u32 idx, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &idx);
	if (v)
		*v += n;
}

/* Hide a value from the optimizer so branch-free arithmetic stays branch-free. */
#define OPAQUE(x) asm volatile("" : "+r"(x))

/* 1 when x == 0, else 0, for x < 2^63, without a branch. */
static __always_inline __u64 is_zero(__u64 x)
{
	__u64 y = x - 1;
	OPAQUE(y);
	return y >> 63;
}

static __always_inline __u64 word(const __u8 *b, int n)
{
	__u64 w = 0;
	for (int i = n - 1; i >= 0; i--)
		w = (w << 8) | b[i];
	return w;
}

#define W4(a, b, c, d) ((__u64)(a) | (__u64)(b) << 8 | (__u64)(c) << 16 | (__u64)(d) << 24)
#define W8(a, b, c, d, e, f, g, h) (W4(a, b, c, d) | W4(e, f, g, h) << 32)

/*
 * Look at the message starting `off` bytes into the frame, with `avail` bytes of
 * the segment left from there. `cont`: off is inside a long line without body
 * (only its end is wanted). Returns MSG_* (| MSG_KNOWN) and fills the CPU's scan.
 * A global function: the verifier checks it once, not once per call site.
 *
 * Text lines are scanned byte by byte without data-dependent branches: the
 * state (line end, token number, the byte-count token's value) is kept in
 * arithmetic masks, so the verifier walks one path through the loop.
 */
__attribute__((noinline)) int mb_parse_msg(struct __sk_buff *skb, __u32 off, __u32 avail, __u32 cont)
{
	__u32 zero = 0;
	struct scan *s = bpf_map_lookup_elem(&scans, &zero);
	if (!s || avail == 0)
		return MSG_BAD;
	__u64 n = avail < MB_CAP_LINE_MAX ? avail : MB_CAP_LINE_MAX;
	OPAQUE(n);
	if (n == 0 || n > MB_CAP_LINE_MAX || bpf_skb_load_bytes(skb, off, s->line, (__u32)n) < 0)
		return MSG_BAD;
	const __u8 *b = s->line;

	if (!cont && (b[0] == 0x80 || b[0] == 0x81)) {
		/* binary: magic, opcode, key length, extras length, data type, ..., body length */
		if (n < 24)
			return MSG_SHORT;
		__u64 keylen = (__u64)b[2] << 8 | b[3];
		__u64 extlen = b[4];
		__u64 bodylen = (__u64)b[8] << 24 | (__u64)b[9] << 16 | (__u64)b[10] << 8 | b[11];
		if (extlen + keylen > bodylen || bodylen > (1u << 30) || b[5] != 0)
			return MSG_BAD;
		s->head = 24 + extlen + keylen;
		s->body = bodylen - extlen - keylen;
		return (s->body ? MSG_BODY : MSG_NOBODY) | (keylen <= 250 && extlen <= 32 ? MSG_KNOWN : 0);
	}

	/* T: 1-based number of the token holding the body length (0: no body) */
	__u64 T = 0;
	int known = 0;
	__u64 w4 = word(b, 4), w8 = word(b, 8);
	if (!cont) {
		__u64 m7 = 0xffffffffffffffull, m6 = 0xffffffffffffull, m3 = 0xffffff, m2 = 0xffff;
		if (w4 == W4('s', 'e', 't', ' ') || w4 == W4('a', 'd', 'd', ' ') || w4 == W4('c', 'a', 's', ' ') ||
		    w8 == W8('r', 'e', 'p', 'l', 'a', 'c', 'e', ' ') || w8 == W8('p', 'r', 'e', 'p', 'e', 'n', 'd', ' ') ||
		    (w8 & m7) == W8('a', 'p', 'p', 'e', 'n', 'd', ' ', 0))
			T = 5;
		else if ((w8 & m6) == W8('V', 'A', 'L', 'U', 'E', ' ', 0, 0))
			T = 4;
		else if ((w4 & m3) == W4('m', 's', ' ', 0))
			T = 3;
		else if ((w4 & m3) == W4('V', 'A', ' ', 0))
			T = 2;
		else if (w4 == W4('g', 'e', 't', ' ') || w4 == W4('g', 'e', 't', 's') || w4 == W4('g', 'a', 't', ' ') ||
			 w4 == W4('g', 'a', 't', 's') || w4 == W4('E', 'N', 'D', '\r') || w4 == W4('S', 'T', 'O', 'R') ||
			 w4 == W4('N', 'O', 'T', '_') || w4 == W4('D', 'E', 'L', 'E') || w4 == W4('d', 'e', 'l', 'e') ||
			 w4 == W4('i', 'n', 'c', 'r') || w4 == W4('d', 'e', 'c', 'r') || w4 == W4('t', 'o', 'u', 'c') ||
			 w4 == W4('T', 'O', 'U', 'C') || w4 == W4('E', 'X', 'I', 'S') || (w4 & m3) == W4('m', 'g', ' ', 0) ||
			 (w4 & m3) == W4('m', 'd', ' ', 0) || (w4 & m3) == W4('m', 'a', ' ', 0) ||
			 (w4 & m2) == W4('H', 'D', 0, 0) || (w4 & m2) == W4('E', 'N', 0, 0) ||
			 (w4 & m2) == W4('N', 'F', 0, 0) || (w4 & m2) == W4('N', 'S', 0, 0) ||
			 (w4 & m2) == W4('E', 'X', 0, 0) || w4 == W4('m', 'n', '\r', '\n'))
			known = 1;
	}

	s->tok = T;
	s->known = known;
	T = s->tok;
	__u64 done = 0, eol = 0, t = 0, prev_sp = 1, acc = 0, bad = 0, ndig = 0;
	__u64 nn = n;
	/* chunks of SCAN_CHUNK bytes without branches; stop after the chunk holding the line end */
	for (__u32 base = 0; base < MB_CAP_LINE_MAX; base += SCAN_CHUNK) {
		for (__u32 j = 0; j < SCAN_CHUNK; j++) {
			__u32 i = base + j;
			__u64 c = b[i];
			OPAQUE(c);
			__u64 valid = ((__u64)i - nn) >> 63; /* i < n */
			__u64 live = valid & (done ^ 1);
			__u64 nl = is_zero(c ^ '\n');
			__u64 sp = is_zero(c ^ ' ');
			__u64 cr = is_zero(c ^ '\r');
			__u64 d = c - '0';
			__u64 dg = ((d - 10) >> 63) & ((d >> 63) ^ 1);
			__u64 word_byte = (sp | nl | cr) ^ 1;
			t += live & word_byte & prev_sp;
			prev_sp = sp;
			__u64 intok = live & word_byte & is_zero(t ^ T);
			__u64 m = 0 - intok;
			OPAQUE(m);
			acc = (acc & ~m) | ((acc * 10 + d) & m);
			bad |= intok & (dg ^ 1);
			ndig += intok;
			__u64 hit = live & nl;
			__u64 hm = 0 - hit;
			OPAQUE(hm);
			eol += hm & (i + 1);
			done |= hit;
		}
		__u64 stop = done | (((__u64)base + SCAN_CHUNK - nn - 1) >> 63 ^ 1);
		OPAQUE(stop);
		if (stop)
			break;
	}

	if (!done) {
		if (n < MB_CAP_LINE_MAX)
			return MSG_SHORT;
		if (T != 0)
			return MSG_BAD;
		s->head = MB_CAP_LINE_MAX;
		return MSG_LONG;
	}
	s->head = eol;
	s->body = 0;
	T = s->tok;
	if (T == 0)
		return MSG_NOBODY | (s->known ? MSG_KNOWN : 0);
	if (ndig > 10)
		return MSG_BAD;
	if (bad || ndig == 0 || t < T)
		return MSG_NOBODY; /* memcached rejects the line and reads no body */
	s->body = acc + 2;        /* data block and its "\r\n" */
	return MSG_BODY | MSG_KNOWN;
}

/*
 * Store piece k of the record under construction on this CPU if `keep` more
 * pieces still fit after it; 1 when stored, 0 otherwise. A global function, so the piece count stays an
 * unknown value to the verifier and loop states merge.
 */
__attribute__((noinline)) int mb_put_piece(__u32 k, __u32 off, __u32 del, __u32 eli, __u32 keep)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct scratch *s = bpf_map_lookup_elem(&scratch, &cpu);
	__u64 kk = k;
	OPAQUE(kk);
	if (!s || keep > 1 || kk >= MB_CAP_PIECES || kk + keep >= MB_CAP_PIECES)
		return 0;
	s->piece[kk].off = off;
	s->piece[kk].del = del;
	s->piece[kk].eli = eli;
	return 1;
}

static __always_inline void lose(struct flow_state *fl)
{
	if (fl->mode != FLOW_LOST)
		count(MB_CTR_LOST_SYNC, 1);
	fl->mode = FLOW_LOST;
}

/*
 * Walk the messages of a TCP payload of L bytes at sequence number seq (payload at
 * frame offset poff), starting from the flow's boundary, fill the record's pieces
 * and advance the flow. Returns the number of pieces (0: deliver the frame whole).
 */
static __always_inline __u32 walk(struct __sk_buff *skb, struct flow_state *fl, __u32 seq,
				  __u32 poff, __u32 L)
{
	__u32 np = 0, ds = 0, cont = 0, zero = 0;
	__u32 p = fl->bound - seq;

	fl->next_seq = seq + L;
	if (p >= L) {
		return mb_put_piece(0, 0, 0, L, 0);
	}
	if (p >= MB_CAP_SPLIT_MIN) {
		np = mb_put_piece(0, 0, 0, p, 1);
		ds = p;
	}
	for (int i = 0; i < MB_CAP_MSGS; i++) {
		if (p >= L)
			break;
		int kind = mb_parse_msg(skb, poff + p, L - p, cont) & 0xff;
		struct scan *s = bpf_map_lookup_elem(&scans, &zero);
		if (!s)
			break;
		__u64 head = s->head, body = s->body;
		cont = 0;
		if (kind == MSG_LONG) {
			p += MB_CAP_LINE_MAX;
			cont = 1;
			continue;
		}
		if (kind == MSG_NOBODY) {
			p += head;
			continue;
		}
		if (kind != MSG_BODY)
			break;
		__u64 bs = p + head, be = bs + body;
		if (bs > L)
			break; /* a binary header or key continues in the next segment */
		if (be >= L) {
			/* the body runs to the end of the segment or beyond: withhold its tail */
			np += mb_put_piece(np, ds, bs - ds, L - bs, 0);
			fl->bound = seq + (__u32)be;
			return np;
		}
		if (body >= MB_CAP_SPLIT_MIN && mb_put_piece(np, ds, bs - ds, body, 1)) {
			np++;
			ds = be;
		}
		p = be;
	}
	if (p == L) {
		fl->bound = seq + L;
	} else {
		lose(fl);
	}
	if (np)
		np += mb_put_piece(np, ds, L - ds, 0, 0);
	return np;
}

/* Track one TCP segment's flow; fills the record's pieces. */
static __always_inline void track(struct __sk_buff *skb, struct mb_cap_rec *r, struct flow_key *key, __u32 seq,
				  __u8 tflags, __u32 poff, __u32 L)
{
	struct flow_state *fl = bpf_map_lookup_elem(&flows, key);
	if (tflags & (TCP_RST | TCP_FIN)) {
		if (fl)
			bpf_map_delete_elem(&flows, key);
		return;
	}
	if (tflags & TCP_SYN) {
		struct flow_state st = { .next_seq = seq + 1, .bound = seq + 1, .mode = L ? FLOW_LOST : FLOW_SYNC };
		bpf_map_update_elem(&flows, key, &st, BPF_ANY);
		return;
	}
	if (L == 0)
		return;
	if (!fl) {
		struct flow_state st = { .next_seq = seq + L, .bound = seq, .mode = FLOW_LOST };
		__u8 tail[2];
		if (L >= 2 && bpf_skb_load_bytes(skb, poff + L - 2, tail, 2) == 0)
			st.crlf = tail[0] == '\r' && tail[1] == '\n';
		bpf_map_update_elem(&flows, key, &st, BPF_ANY);
		count(MB_CTR_LOST_SYNC, 1);
		return;
	}
	if (fl->mode == FLOW_LOST) {
		int in_order = seq == fl->next_seq, crlf = fl->crlf;
		__u8 tail[2];
		fl->crlf = L >= 2 && bpf_skb_load_bytes(skb, poff + L - 2, tail, 2) == 0 && tail[0] == '\r' &&
			   tail[1] == '\n';
		fl->next_seq = seq + L;
		if (!in_order || !crlf)
			return;
		int k = mb_parse_msg(skb, poff, L, 0);
		if (!(k & MSG_KNOWN) || ((k & 0xff) != MSG_NOBODY && (k & 0xff) != MSG_BODY))
			return;
		fl->mode = FLOW_SYNC;
		fl->bound = seq;
		count(MB_CTR_RESYNC, 1);
	} else {
		__s32 d = (__s32)(seq - fl->next_seq);
		if (d < 0) {
			/* retransmission: whole; a partial overlap brings new bytes never walked */
			if ((__s32)(seq + L - fl->next_seq) > 0) {
				lose(fl);
				fl->next_seq = seq + L;
			}
			return;
		}
		if ((__s32)(fl->bound - seq) < 0) {
			/* a gap past the known boundary: messages were missed */
			lose(fl);
			fl->next_seq = seq + L;
			return;
		}
	}
	__u32 np = walk(skb, fl, seq, poff, L);
	r->npieces = np;
}

static __always_inline int port_in(__u16 port)
{
	return (port_bits[port >> 6] >> (port & 63)) & 1;
}

/* Attached to TC ingress and egress (ingress only on loopback, where egress would repeat it). */
SEC("tc")
int mb_capture(struct __sk_buff *skb)
{
	__u32 len = skb->len;
	__u8 l2[ETH_HLEN];
	struct flow_key key = {};
	__u32 l3 = ETH_HLEN, l4, hdr_len, ip_end, flags = 0;
	__u8 proto;

	if (bpf_skb_load_bytes(skb, 0, l2, ETH_HLEN) < 0)
		return TC_ACT_UNSPEC;
	__u16 ethertype = (__u16)l2[12] << 8 | l2[13];
	if (ethertype == ETH_P_IP) {
		struct iphdr ip;
		if (bpf_skb_load_bytes(skb, l3, &ip, sizeof ip) < 0 || ip.version != 4 || ip.ihl < 5)
			return TC_ACT_UNSPEC;
		if (bpf_ntohs(ip.frag_off) & 0x1fff)
			return TC_ACT_UNSPEC; /* later fragments carry no ports */
		proto = ip.protocol;
		l4 = l3 + ip.ihl * 4;
		ip_end = l3 + bpf_ntohs(ip.tot_len);
		__builtin_memcpy(key.src, &ip.saddr, 4);
		__builtin_memcpy(key.dst, &ip.daddr, 4);
		key.family = 4;
	} else if (ethertype == ETH_P_IPV6) {
		struct ipv6hdr ip6;
		if (bpf_skb_load_bytes(skb, l3, &ip6, sizeof ip6) < 0)
			return TC_ACT_UNSPEC;
		proto = ip6.nexthdr;
		l4 = l3 + sizeof ip6;
		ip_end = l4 + bpf_ntohs(ip6.payload_len);
		__builtin_memcpy(key.src, &ip6.saddr, 16);
		__builtin_memcpy(key.dst, &ip6.daddr, 16);
		key.family = 6;
		flags |= MB_CAP_F_IPV6;
	} else {
		return TC_ACT_UNSPEC;
	}

	__u32 seq = 0;
	__u8 tflags = 0;
	if (proto == IPPROTO_TCP) {
		struct tcphdr th;
		if (bpf_skb_load_bytes(skb, l4, &th, sizeof th) < 0 || th.doff < 5)
			return TC_ACT_UNSPEC;
		key.sport = bpf_ntohs(th.source);
		key.dport = bpf_ntohs(th.dest);
		hdr_len = l4 + th.doff * 4;
		seq = bpf_ntohl(th.seq);
		tflags = ((__u8 *)&th)[13];
		flags |= MB_CAP_F_TCP;
	} else if (proto == IPPROTO_UDP) {
		struct udphdr uh;
		if (bpf_skb_load_bytes(skb, l4, &uh, sizeof uh) < 0)
			return TC_ACT_UNSPEC;
		key.sport = bpf_ntohs(uh.source);
		key.dport = bpf_ntohs(uh.dest);
		hdr_len = l4 + sizeof uh;
	} else {
		return TC_ACT_UNSPEC;
	}
	if (!port_in(key.sport) && !port_in(key.dport))
		return TC_ACT_UNSPEC;
	count(MB_CTR_SEGMENTS, 1);
	count(MB_CTR_WIRE_BYTES, len);

	__u32 cpu = bpf_get_smp_processor_id();
	struct scratch *s = bpf_map_lookup_elem(&scratch, &cpu);
	if (!s)
		return TC_ACT_UNSPEC;
	struct mb_cap_rec *r = &s->rec;
	if (ip_end > len)
		ip_end = len;
	__u32 payload = ip_end > hdr_len ? ip_end - hdr_len : 0;
	r->ts_ns = bpf_ktime_get_ns();
	r->wirelen = len;
	r->payload_len = payload;
	r->hdr_len = hdr_len;
	r->flags = flags;
	r->l3_off = l3;
	r->l4_off = l4;
	r->npieces = 0;
	if (flags & MB_CAP_F_TCP)
		track(skb, r, &key, seq, tflags, hdr_len, payload);

	__u32 pos;
	__u32 np = r->npieces;
	if (np == 0 || hdr_len > MB_CAP_HDR_MAX) {
		/* the frame as it is */
		r->npieces = 0;
		pos = len < MB_CAP_DATA_MAX ? len : MB_CAP_DATA_MAX;
		if (pos < len)
			r->flags |= MB_CAP_F_TRUNC;
		__u64 n = pos;
		OPAQUE(n);
		if (n == 0 || n > MB_CAP_DATA_MAX || bpf_skb_load_bytes(skb, 0, s->data, (__u32)n) < 0)
			return TC_ACT_UNSPEC;
	} else {
		__u64 elided = 0;
		pos = hdr_len;
		if (pos == 0 || pos > MB_CAP_HDR_MAX || bpf_skb_load_bytes(skb, 0, s->data, pos) < 0)
			return TC_ACT_UNSPEC;
		for (int k = 0; k < MB_CAP_PIECES; k++) {
			if (k >= np)
				break;
			__u32 off = s->piece[k].off, del = s->piece[k].del;
			elided += s->piece[k].eli;
			if (del == 0)
				continue;
			__u64 at = pos, room = MB_CAP_DATA_MAX - pos, n = del;
			if (pos > MB_CAP_DATA_MAX)
				break;
			if (n > room) {
				n = room;
				s->piece[k].del = (__u32)n;
				r->flags |= MB_CAP_F_TRUNC;
			}
			OPAQUE(n);
			OPAQUE(at);
			if (n == 0 || n > MB_CAP_DATA_MAX || at > MB_CAP_DATA_MAX)
				break;
			if (bpf_skb_load_bytes(skb, hdr_len + off, s->data + at, (__u32)n) < 0)
				return TC_ACT_UNSPEC;
			del = (__u32)n;
			pos += del;
		}
		count(MB_CTR_ELIDED, elided);
	}
	if (r->flags & MB_CAP_F_TRUNC)
		count(MB_CTR_TRUNCATED, 1);
	r->data_len = pos;
	/* the pieces follow the data */
	__u64 at = pos;
	OPAQUE(at);
	if (at > MB_CAP_DATA_MAX)
		return TC_ACT_UNSPEC;
	for (int k = 0; k < MB_CAP_PIECES; k++) {
		if (k >= r->npieces)
			break;
		__builtin_memcpy(s->data + at + k * sizeof(struct mb_cap_piece), &s->piece[k], sizeof(struct mb_cap_piece));
	}

	__u64 avail = bpf_ringbuf_query(&ring, BPF_RB_AVAIL_DATA);
	__u64 wake = avail >= wake_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	__u64 size = sizeof(struct mb_cap_rec) + at + r->npieces * sizeof(struct mb_cap_piece);
	OPAQUE(size);
	if (size > sizeof(struct mb_cap_rec) + SCRATCH_SIZE)
		return TC_ACT_UNSPEC;
	if (bpf_ringbuf_output(&ring, r, size, wake) < 0) {
		count(MB_CTR_RING_DROPS, 1);
		return TC_ACT_UNSPEC;
	}
	count(MB_CTR_RECORDS, 1);
	if (wake == BPF_RB_FORCE_WAKEUP)
		count(MB_CTR_WAKEUPS, 1);
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
