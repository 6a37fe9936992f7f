/* pcapfile.c - raw pcap and pcapng reader: strict where a file is broken, lenient where it is sloppy. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "pcapfile.h"
#include "prog.h"

#define PCAP_HDR 24           /* classic pcap file header */
#define PCAP_REC 16           /* classic pcap record header */
#define NG_BLOCK_MAX (2u << 20) /* largest pcapng block held in memory (others are skipped in pieces) */
#define NG_IF_MAX 4096        /* interfaces per section */
#define NG_SKIP_CHUNK 65536
#define NG_TSOFFSET_MAX 9223372036ll /* |if_tsoffset| in seconds that 64-bit nanoseconds can hold */

enum { NG_SHB = 0x0a0d0d0a, NG_IDB = 1, NG_OPB = 2, NG_SPB = 3, NG_EPB = 6 };
enum { NG_BOM = 0x1a2b3c4d };
enum { LT_RAW = 101 };

/* How an interface's timestamp units become nanoseconds. */
enum ts_mode { TS_MUL, TS_DIV, TS_SHIFT };

struct ng_if {
	uint32_t linktype;
	uint32_t snaplen;
	enum ts_mode mode;
	uint64_t factor;   /* TS_MUL: multiplier; TS_DIV: divisor; TS_SHIFT: shift (bits) */
	int64_t offset_s;  /* if_tsoffset, in seconds (signed) */
};

struct mb_pcapfile {
	struct mb_reader *r;
	bool ng;       /* pcapng (else classic pcap) */
	bool be;       /* the file (or current section) is big-endian */
	bool nsec;     /* classic: nanosecond timestamps */
	uint32_t linktype, snaplen; /* classic: from the header; pcapng: the first interface */
	bool have_first;
	struct ng_if *ifs;
	unsigned nif, capif;
};

static inline uint16_t g16(struct mb_cur *c, bool be) { return be ? mb_get_be16(c) : mb_get_le16(c); }
static inline uint32_t g32(struct mb_cur *c, bool be) { return be ? mb_get_be32(c) : mb_get_le32(c); }
static inline uint64_t g64(struct mb_cur *c, bool be) { return be ? mb_get_be64(c) : mb_get_le64(c); }

static inline uint64_t offset_of(const struct mb_reader *r) { return r->base + r->start; }

/* DLT_RAW's platform values (12, 14) written into files by some old tools mean LINKTYPE_RAW. */
static uint32_t norm_linktype(uint32_t lt) { return lt == 12 || lt == 14 ? LT_RAW : lt; }

/* ---- classic pcap ---- */

static int pcap_open_hdr(struct mb_pcapfile *pf, struct mb_err *err)
{
	struct mb_reader *r = pf->r;
	long got = mb_reader_fill(r, PCAP_HDR, err);
	if (got < 0)
		return MB_EIO;
	if (got < PCAP_HDR)
		return mb_err_set(err, MB_ERR, "truncated pcap file header (%ld of %u bytes): '%s' at byte 0", got, PCAP_HDR,
				  r->name);
	struct mb_cur c = mb_cur_make(mb_reader_peek(r), PCAP_HDR);
	uint32_t magic = mb_get_le32(&c);
	pf->be = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
	pf->nsec = magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
	uint16_t major = g16(&c, pf->be), minor = g16(&c, pf->be);
	mb_skip(&c, 8); /* thiszone, sigfigs: unused by every writer in practice */
	pf->snaplen = g32(&c, pf->be);
	uint32_t network = g32(&c, pf->be);
	if (major == 0x0200) {
		/* Some writers put the version in the other byte order than the magic and every
		   other field (tshark reads such files, libpcap refuses them): read it, say so. */
		mb_warn("pcap version fields are byte-swapped relative to the magic (%u.%u read as 2.%u): '%s' at byte 4",
			major, minor, (unsigned)__builtin_bswap16(minor), r->name);
		major = 2;
	}
	if (major != 2)
		return mb_err_set(err, MB_ERR, "unsupported pcap format version %u.%u (only 2.x is read): '%s' at byte 4",
				  major, minor, r->name);
	pf->linktype = norm_linktype(network & 0xffff); /* upper bits: FCS annotations */
	pf->have_first = true;
	mb_reader_consume(r, PCAP_HDR);
	return MB_OK;
}

static int pcap_next_rec(struct mb_pcapfile *pf, struct mb_packet *pkt, struct mb_err *err)
{
	struct mb_reader *r = pf->r;
	uint64_t at = offset_of(r);
	long got = mb_reader_fill(r, PCAP_REC, err);
	if (got < 0)
		return MB_EIO;
	if (got == 0)
		return MB_END;
	if (got < PCAP_REC)
		return mb_err_set(err, MB_ERR, "truncated packet record header (%ld of %u bytes): '%s' at byte %llu", got,
				  PCAP_REC, r->name, (unsigned long long)at);
	struct mb_cur c = mb_cur_make(mb_reader_peek(r), PCAP_REC);
	uint32_t sec = g32(&c, pf->be), frac = g32(&c, pf->be);
	uint32_t incl = g32(&c, pf->be), orig = g32(&c, pf->be);
	if (incl > MB_PACKET_MAX)
		return mb_err_set(err, MB_ERR, "packet record length %u exceeds maximum %u: '%s' at byte %llu", incl,
				  MB_PACKET_MAX, r->name, (unsigned long long)at + 8);
	if ((size_t)got < PCAP_REC + incl) {
		got = mb_reader_fill(r, PCAP_REC + incl, err);
		if (got < 0)
			return MB_EIO;
		if ((size_t)got < PCAP_REC + incl)
			return mb_err_set(err, MB_ERR, "truncated packet record (%ld of %u bytes): '%s' at byte %llu", got,
					  PCAP_REC + incl, r->name, (unsigned long long)at);
	}
	pkt->ts_ns = (uint64_t)sec * 1000000000u + (pf->nsec ? frac : (uint64_t)frac * 1000u);
	pkt->caplen = incl;
	pkt->wirelen = orig < incl ? incl : orig; /* incl > orig: sloppy writer, keep what was captured */
	pkt->linktype = pf->linktype;
	pkt->elided = 0;
	pkt->data = mb_reader_peek(r) + PCAP_REC;
	mb_reader_consume(r, PCAP_REC + incl);
	return MB_OK;
}

/* ---- pcapng ---- */

/* Outcomes of one pcapng block besides MB_OK (a packet), MB_END, MB_ERR, MB_EIO. */
enum { NG_OTHER = 2, NG_PACKET_AHEAD = 3 };

static bool is_packet_block(uint32_t type) { return type == NG_EPB || type == NG_SPB || type == NG_OPB; }

/* Parse an SHB body (after type and length): byte order already set. */
static int ng_shb(struct mb_pcapfile *pf, struct mb_cur *c, uint64_t at, struct mb_err *err)
{
	mb_skip(c, 4); /* byte-order magic, checked by the caller */
	uint16_t major = g16(c, pf->be), minor = g16(c, pf->be);
	if (c->bad)
		return mb_err_set(err, MB_ERR, "pcapng section header block too short: '%s' at byte %llu", pf->r->name,
				  (unsigned long long)at);
	if (major != 1)
		return mb_err_set(err, MB_ERR, "unsupported pcapng version %u.%u (only 1.x is read): '%s' at byte %llu", major,
				  minor, pf->r->name, (unsigned long long)at + 12);
	pf->nif = 0; /* interfaces are per section */
	return NG_OTHER;
}

/* Set an interface's timestamp conversion from if_tsresol (default 10^-6). */
static bool ng_tsresol(struct ng_if *i, uint8_t v)
{
	unsigned e = v & 0x7f;
	if (v & 0x80) {
		if (e > 63)
			return false;
		i->mode = TS_SHIFT;
		i->factor = e;
		return true;
	}
	if (e > 19)
		return false;
	uint64_t p = 1;
	for (unsigned k = 0; k < (e <= 9 ? 9 - e : e - 9); k++)
		p *= 10;
	i->mode = e <= 9 ? TS_MUL : TS_DIV;
	i->factor = p;
	return true;
}

static int ng_idb(struct mb_pcapfile *pf, struct mb_cur *c, uint64_t at, struct mb_err *err)
{
	const char *name = pf->r->name;
	struct ng_if i;
	i.linktype = norm_linktype(g16(c, pf->be));
	mb_skip(c, 2);
	i.snaplen = g32(c, pf->be);
	i.offset_s = 0;
	ng_tsresol(&i, 6);
	if (c->bad)
		return mb_err_set(err, MB_ERR, "pcapng interface description block too short: '%s' at byte %llu", name,
				  (unsigned long long)at);
	while (mb_cur_left(c) >= 4) {
		uint64_t oat = at + 8 + c->off;
		uint16_t code = g16(c, pf->be), len = g16(c, pf->be);
		if (code == 0)
			break;
		const uint8_t *v = mb_get_bytes(c, len);
		mb_skip(c, (4 - (len & 3)) & 3);
		if (c->bad)
			return mb_err_set(err, MB_ERR, "pcapng option %u overruns its block: '%s' at byte %llu", code, name,
					  (unsigned long long)oat);
		if (code == 9 && len == 1) {
			if (!ng_tsresol(&i, v[0]))
				return mb_err_set(err, MB_ERR, "unsupported pcapng if_tsresol 0x%02x: '%s' at byte %llu", v[0],
						  name, (unsigned long long)oat);
		} else if (code == 14 && len == 8) {
			struct mb_cur vc = mb_cur_make(v, 8);
			i.offset_s = (int64_t)g64(&vc, pf->be);
			if (i.offset_s > NG_TSOFFSET_MAX || i.offset_s < -NG_TSOFFSET_MAX)
				return mb_err_set(err, MB_ERR, "pcapng if_tsoffset %lld s overflows 64-bit nanosecond time: '%s' at byte %llu",
						  (long long)i.offset_s, name, (unsigned long long)oat);
		}
	}
	if (pf->nif >= NG_IF_MAX)
		return mb_err_set(err, MB_ERR, "more than %u pcapng interfaces in a section: '%s' at byte %llu", NG_IF_MAX,
				  name, (unsigned long long)at);
	if (pf->nif == pf->capif) {
		unsigned cap = pf->capif ? pf->capif * 2 : 8;
		struct ng_if *n = realloc(pf->ifs, cap * sizeof *n);
		if (!n)
			return mb_err_set(err, MB_EIO, "out of memory for pcapng interfaces: '%s' at byte %llu", name,
					  (unsigned long long)at);
		pf->ifs = n;
		pf->capif = cap;
	}
	pf->ifs[pf->nif++] = i;
	if (!pf->have_first) {
		pf->have_first = true;
		pf->linktype = i.linktype;
		pf->snaplen = i.snaplen;
	}
	return NG_OTHER;
}

/* A packet's timestamp in ns since the epoch: false when it (or it plus if_tsoffset) leaves 0..2^64-1 ns. */
static bool ng_ts(const struct ng_if *i, uint64_t ts, uint64_t *out)
{
	unsigned __int128 ns;
	switch (i->mode) {
	case TS_MUL:
		ns = (unsigned __int128)ts * i->factor;
		break;
	case TS_DIV:
		ns = ts / i->factor;
		break;
	default:
		ns = ((unsigned __int128)ts * 1000000000u) >> i->factor;
		break;
	}
	__int128 t = (__int128)ns + (__int128)i->offset_s * 1000000000;
	if (t < 0 || t > (__int128)UINT64_MAX)
		return false;
	*out = (uint64_t)t;
	return true;
}

/* EPB, SPB or OPB body -> packet. */
static int ng_packet(struct mb_pcapfile *pf, uint32_t type, struct mb_cur *c, uint64_t at, struct mb_packet *pkt,
		     struct mb_err *err)
{
	const char *name = pf->r->name;
	uint32_t ifid, caplen, wirelen;
	uint64_t ts = 0;
	bool has_ts = true;
	if (type == NG_SPB) {
		ifid = 0;
		wirelen = g32(c, pf->be);
		caplen = wirelen;
		has_ts = false;
	} else {
		if (type == NG_EPB) {
			ifid = g32(c, pf->be);
		} else {
			ifid = g16(c, pf->be);
			mb_skip(c, 2); /* drops count */
		}
		uint64_t hi = g32(c, pf->be), lo = g32(c, pf->be);
		ts = hi << 32 | lo;
		caplen = g32(c, pf->be);
		wirelen = g32(c, pf->be);
	}
	if (c->bad)
		return mb_err_set(err, MB_ERR, "pcapng packet block too short: '%s' at byte %llu", name, (unsigned long long)at);
	if (ifid >= pf->nif)
		return mb_err_set(err, MB_ERR, "pcapng packet block names interface %u but the section defines %u: '%s' at byte %llu",
				  ifid, pf->nif, name, (unsigned long long)at + 8);
	const struct ng_if *i = &pf->ifs[ifid];
	if (type == NG_SPB) {
		/* The captured length is implied: the block's room, the snap length, the wire length. */
		if (caplen > mb_cur_left(c))
			caplen = (uint32_t)mb_cur_left(c);
		if (i->snaplen && caplen > i->snaplen)
			caplen = i->snaplen;
	}
	if (caplen > MB_PACKET_MAX)
		return mb_err_set(err, MB_ERR, "packet record length %u exceeds maximum %u: '%s' at byte %llu", caplen,
				  MB_PACKET_MAX, name, (unsigned long long)at + (type == NG_SPB ? 8 : 20));
	const uint8_t *data = mb_get_bytes(c, caplen);
	if (!data)
		return mb_err_set(err, MB_ERR, "pcapng packet data (%u bytes) overruns its block: '%s' at byte %llu", caplen,
				  name, (unsigned long long)at);
	pkt->ts_ns = 0;
	if (has_ts && !ng_ts(i, ts, &pkt->ts_ns))
		return mb_err_set(err, MB_ERR,
				  "pcapng timestamp %llu of interface %u with if_tsoffset %lld s is outside 64-bit nanosecond time: '%s' at byte %llu",
				  (unsigned long long)ts, ifid, (long long)i->offset_s, name, (unsigned long long)at + 12);
	pkt->caplen = caplen;
	pkt->wirelen = wirelen < caplen ? caplen : wirelen;
	pkt->linktype = i->linktype;
	pkt->elided = 0;
	pkt->data = data;
	return MB_OK;
}

/* Skip the body of a block we do not hold in memory (its 8 header bytes are consumed), checking its trailer. */
static int ng_skip(struct mb_pcapfile *pf, uint32_t len, uint64_t at, struct mb_err *err)
{
	struct mb_reader *r = pf->r;
	size_t left = len - 12;
	while (left > 0) {
		long got = mb_reader_fill(r, left < NG_SKIP_CHUNK ? left : NG_SKIP_CHUNK, err);
		if (got < 0)
			return MB_EIO;
		if (got == 0)
			return mb_err_set(err, MB_ERR, "truncated pcapng block (%llu of %u bytes): '%s' at byte %llu",
					  (unsigned long long)(offset_of(r) - at), len, r->name, (unsigned long long)at);
		size_t n = (size_t)got < left ? (size_t)got : left;
		mb_reader_consume(r, n);
		left -= n;
	}
	long got = mb_reader_fill(r, 4, err);
	if (got < 0)
		return MB_EIO;
	if (got < 4)
		return mb_err_set(err, MB_ERR, "truncated pcapng block (%llu of %u bytes): '%s' at byte %llu",
				  (unsigned long long)(offset_of(r) - at + (uint64_t)got), len, r->name, (unsigned long long)at);
	struct mb_cur c = mb_cur_make(mb_reader_peek(r), 4);
	uint32_t trailer = g32(&c, pf->be);
	if (trailer != len)
		return mb_err_set(err, MB_ERR, "pcapng block trailer length %u does not match its header length %u: '%s' at byte %llu",
				  trailer, len, r->name, (unsigned long long)at + len - 4);
	mb_reader_consume(r, 4);
	return NG_OTHER;
}

/*
 * Process one pcapng block. MB_OK: a packet; NG_OTHER: a non-packet block was
 * consumed; NG_PACKET_AHEAD (only when stop_at_packet): the next block is a
 * packet block, left unconsumed; MB_END, MB_ERR, MB_EIO.
 */
static int ng_block(struct mb_pcapfile *pf, struct mb_packet *pkt, bool stop_at_packet, struct mb_err *err)
{
	struct mb_reader *r = pf->r;
	uint64_t at = offset_of(r);
	long got = mb_reader_fill(r, 12, err);
	if (got < 0)
		return MB_EIO;
	if (got == 0)
		return MB_END;
	if (got < 8)
		return mb_err_set(err, MB_ERR, "truncated pcapng block header (%ld of 8 bytes): '%s' at byte %llu", got, r->name,
				  (unsigned long long)at);
	struct mb_cur c = mb_cur_make(mb_reader_peek(r), (size_t)got);
	uint32_t type = mb_get_le32(&c); /* SHB's type reads the same in both orders */
	if (type == NG_SHB) {
		struct mb_cur b = mb_cur_make(mb_reader_peek(r) + 8, (size_t)got - 8);
		uint32_t bom = mb_get_le32(&b);
		if (b.bad)
			return mb_err_set(err, MB_ERR, "truncated pcapng section header (%ld bytes): '%s' at byte %llu", got,
					  r->name, (unsigned long long)at);
		if (bom == NG_BOM)
			pf->be = false;
		else if (bom == 0x4d3c2b1a)
			pf->be = true;
		else
			return mb_err_set(err, MB_ERR, "bad pcapng byte-order magic 0x%08x: '%s' at byte %llu", bom, r->name,
					  (unsigned long long)at + 8);
	} else if (pf->be) {
		type = __builtin_bswap32(type);
	}
	uint32_t len = g32(&c, pf->be);
	if (len < 12 || len % 4)
		return mb_err_set(err, MB_ERR, "bad pcapng block length %u (a multiple of 4, at least 12): '%s' at byte %llu",
				  len, r->name, (unsigned long long)at + 4);
	if (stop_at_packet && is_packet_block(type))
		return NG_PACKET_AHEAD;
	if (type != NG_SHB && type != NG_IDB && !is_packet_block(type)) {
		mb_reader_consume(r, 8);
		return ng_skip(pf, len, at, err);
	}
	if (len > NG_BLOCK_MAX)
		return mb_err_set(err, MB_ERR, "pcapng block length %u exceeds maximum %u: '%s' at byte %llu", len,
				  NG_BLOCK_MAX, r->name, (unsigned long long)at + 4);
	if ((size_t)got < len) {
		got = mb_reader_fill(r, len, err);
		if (got < 0)
			return MB_EIO;
		if ((size_t)got < len)
			return mb_err_set(err, MB_ERR, "truncated pcapng block (%ld of %u bytes): '%s' at byte %llu", got, len,
					  r->name, (unsigned long long)at);
	}
	const uint8_t *p = mb_reader_peek(r);
	struct mb_cur t = mb_cur_make(p + len - 4, 4);
	uint32_t trailer = g32(&t, pf->be);
	if (trailer != len)
		return mb_err_set(err, MB_ERR, "pcapng block trailer length %u does not match its header length %u: '%s' at byte %llu",
				  trailer, len, r->name, (unsigned long long)at + len - 4);
	struct mb_cur body = mb_cur_make(p + 8, len - 12);
	int rc;
	if (type == NG_SHB)
		rc = ng_shb(pf, &body, at, err);
	else if (type == NG_IDB)
		rc = ng_idb(pf, &body, at, err);
	else
		rc = ng_packet(pf, type, &body, at, pkt, err);
	if (rc == MB_OK || rc == NG_OTHER)
		mb_reader_consume(r, len); /* pkt->data stays valid: the buffer moves only on the next fill */
	return rc;
}

static int ng_open(struct mb_pcapfile *pf, struct mb_err *err)
{
	/* The first block must be a section header; then read ahead to the first interface for metadata. */
	int rc = ng_block(pf, NULL, true, err);
	if (rc != NG_OTHER)
		return rc;
	while (!pf->have_first) {
		rc = ng_block(pf, NULL, true, err);
		if (rc == MB_END || rc == NG_PACKET_AHEAD)
			break;
		if (rc != NG_OTHER)
			return rc;
	}
	return MB_OK;
}

/* ---- public ---- */

int mb_pcapfile_open(struct mb_pcapfile **pfp, struct mb_reader *r, struct mb_err *err)
{
	*pfp = NULL;
	if (r->input != MB_INPUT_PCAP && r->input != MB_INPUT_PCAPNG) {
		if (r->input == MB_INPUT_EMPTY)
			return mb_reader_cut(r, mb_err_set(err, MB_ERR, "empty input, no pcap file header: '%s' at byte 0", r->name),
					     err);
		return mb_err_set(err, MB_ERR, "input is %s, not a pcap or pcapng capture: '%s' at byte 0",
				  mb_input_describe(r->input), r->name);
	}
	struct mb_pcapfile *pf = calloc(1, sizeof *pf);
	if (!pf)
		return mb_err_set(err, MB_EIO, "out of memory for the capture reader of '%s'", r->name);
	pf->r = r;
	pf->ng = r->input == MB_INPUT_PCAPNG;
	int rc = pf->ng ? ng_open(pf, err) : pcap_open_hdr(pf, err);
	if (rc != MB_OK) {
		mb_pcapfile_close(pf);
		return rc == MB_ERR ? mb_reader_cut(r, rc, err) : rc; /* cut by a stop request: a clean end */
	}
	*pfp = pf;
	return MB_OK;
}

int mb_pcapfile_next(struct mb_pcapfile *pf, struct mb_packet *pkt, struct mb_err *err)
{
	int rc;
	if (!pf->ng)
		rc = pcap_next_rec(pf, pkt, err);
	else
		while ((rc = ng_block(pf, pkt, false, err)) == NG_OTHER)
			;
	return rc == MB_ERR ? mb_reader_cut(pf->r, rc, err) : rc; /* a record cut by a stop request: a clean end */
}

uint32_t mb_pcapfile_linktype(const struct mb_pcapfile *pf) { return pf->linktype; }

uint32_t mb_pcapfile_snaplen(const struct mb_pcapfile *pf) { return pf->snaplen; }

bool mb_pcapfile_big_endian(const struct mb_pcapfile *pf) { return pf->be; }

void mb_pcapfile_close(struct mb_pcapfile *pf)
{
	if (!pf)
		return;
	free(pf->ifs);
	free(pf);
}
