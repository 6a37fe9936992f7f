/* mcreq.c - request builders: deterministic keys and filler values, one function per protocol. */
#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "event.h"
#include "mcproto.h"
#include "mcreq.h"
#include "rng.h"

static const char key_alphabet[64] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

/* Value filler: digits, so short values are numbers incr/decr can work on. */
static const char filler[64] = "1234567890123456789012345678901234567890123456789012345678901234";

size_t mb_mcreq_key(uint8_t *out, uint64_t hash, uint16_t len)
{
	size_t n = len < 1 ? 1 : len > MB_MCREQ_KEY_MAX ? MB_MCREQ_KEY_MAX : len;
	/* 10 characters carry 60 bits of one mixed word; the first word is a bijection of the hash */
	for (size_t i = 0; i < n; i += 10) {
		uint64_t w = mb_mix64(hash + (uint64_t)(i / 10) * UINT64_C(0x632be59bd9b4e019));
		for (size_t j = i; j < n && j < i + 10; j++, w >>= 6)
			out[j] = (uint8_t)key_alphabet[w & 63];
	}
	return n;
}

uint64_t mb_mcreq_hash_bytes(const uint8_t *p, size_t n)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * UINT64_C(0x100000001b3);
	return mb_mix64(h);
}

bool mb_mcreq_replayable(unsigned cmd)
{
	switch (cmd) {
	case MB_CMD_GET: case MB_CMD_GETS: case MB_CMD_GAT: case MB_CMD_GATS:
	case MB_CMD_SET: case MB_CMD_ADD: case MB_CMD_REPLACE: case MB_CMD_APPEND: case MB_CMD_PREPEND:
	case MB_CMD_CAS: case MB_CMD_DELETE: case MB_CMD_INCR: case MB_CMD_DECR: case MB_CMD_TOUCH:
	case MB_CMD_FLUSH_ALL: case MB_CMD_VERSION: case MB_CMD_STATS: case MB_CMD_NOOP:
		return true;
	default:
		return false;
	}
}

static uint32_t value_len(const struct mb_mcreq *r)
{
	return r->value_len > MB_MCREQ_VALUE_MAX ? MB_MCREQ_VALUE_MAX : r->value_len;
}

size_t mb_mcreq_size(const struct mb_mcreq *r)
{
	size_t per_key = MB_MCREQ_KEY_MAX + 64 + (r->sem ? 512 : 0); /* base64 key, 23 flags with numbers */
	return 128 + (size_t)(r->nkeys ? r->nkeys : 1) * per_key + (mb_cmd_is_store(r->cmd) ? value_len(r) + 2 : 0);
}

/* Copy n filler bytes. */
static uint8_t *put_value(uint8_t *p, uint32_t n)
{
	while (n >= sizeof filler) {
		memcpy(p, filler, sizeof filler);
		p += sizeof filler;
		n -= sizeof filler;
	}
	memcpy(p, filler, n);
	return p + n;
}

static uint8_t *put_str(uint8_t *p, const char *s)
{
	size_t n = strlen(s);
	memcpy(p, s, n);
	return p + n;
}

/* Decimal of an unsigned number. */
static uint8_t *put_u64(uint8_t *p, uint64_t u)
{
	char tmp[24];
	int n = 0;
	do
		tmp[n++] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	while (n)
		*p++ = (uint8_t)tmp[--n];
	return p;
}

/* Decimal of a signed number. */
static uint8_t *put_i64(uint8_t *p, int64_t v)
{
	if (v < 0)
		*p++ = '-';
	return put_u64(p, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
}

/* The unique a CAS request sends: the one the replay learnt, else the recorded one, else 1. */
static uint64_t cas_unique(const struct mb_mcreq *r)
{
	return r->cas ? r->cas : r->sem && (r->sem->has & MB_SEM_CAS) ? r->sem->cas : 1;
}

bool mb_mcreq_compares_cas(unsigned cmd, const struct mb_sem *sem)
{
	return cmd == MB_CMD_CAS || (sem && (sem->has & MB_SEM_CAS));
}

/* Whether the recorded request compared a unique (a cas, or C / a binary cas on any command). */
static bool sends_cas(const struct mb_mcreq *r)
{
	return mb_mcreq_compares_cas(r->cmd, r->sem);
}

static uint32_t client_flags(const struct mb_mcreq *r)
{
	return r->sem && (r->sem->has & MB_SEM_CLIENT_FLAGS) ? r->sem->client_flags : 0;
}

static uint64_t delta(const struct mb_mcreq *r)
{
	return r->sem && (r->sem->has & MB_SEM_DELTA) ? r->sem->delta : 1;
}

static uint8_t *put_key(uint8_t *p, const struct mb_mcreq_key *k)
{
	return p + mb_mcreq_key(p, k->hash, k->len);
}

static uint8_t *put_crlf(uint8_t *p)
{
	p[0] = '\r';
	p[1] = '\n';
	return p + 2;
}

static const char *text_store_name(unsigned cmd)
{
	switch (cmd) {
	case MB_CMD_ADD: return "add ";
	case MB_CMD_REPLACE: return "replace ";
	case MB_CMD_APPEND: return "append ";
	case MB_CMD_PREPEND: return "prepend ";
	case MB_CMD_CAS: return "cas ";
	default: return "set ";
	}
}

/* Classic text protocol. */
static size_t build_text(uint8_t *out, const struct mb_mcreq *r, enum mb_expect *expect)
{
	uint8_t *p = out;
	bool nr = r->quiet;
	*expect = MB_EXP_TEXT_LINE;
	switch (r->cmd) {
	case MB_CMD_GET: case MB_CMD_GETS: case MB_CMD_GAT: case MB_CMD_GATS:
		p = put_str(p, r->cmd == MB_CMD_GET ? "get" : r->cmd == MB_CMD_GETS ? "gets" :
			    r->cmd == MB_CMD_GAT ? "gat " : "gats ");
		if (r->cmd == MB_CMD_GAT || r->cmd == MB_CMD_GATS)
			p = put_i64(p, r->ttl);
		for (unsigned i = 0; i < r->nkeys; i++) {
			*p++ = ' ';
			p = put_key(p, &r->keys[i]);
		}
		*expect = MB_EXP_TEXT_VALUES;
		return (size_t)(put_crlf(p) - out);
	case MB_CMD_SET: case MB_CMD_ADD: case MB_CMD_REPLACE: case MB_CMD_APPEND: case MB_CMD_PREPEND:
	case MB_CMD_CAS: {
		uint32_t vl = value_len(r);
		p = put_str(p, text_store_name(r->cmd));
		p = put_key(p, &r->keys[0]);
		*p++ = ' ';
		p = put_u64(p, client_flags(r));
		*p++ = ' ';
		p = put_i64(p, r->ttl);
		*p++ = ' ';
		p = put_i64(p, vl);
		if (r->cmd == MB_CMD_CAS) {
			*p++ = ' ';
			p = put_u64(p, cas_unique(r));
		}
		break;
	}
	case MB_CMD_DELETE:
		p = put_str(p, "delete ");
		p = put_key(p, &r->keys[0]);
		break;
	case MB_CMD_INCR: case MB_CMD_DECR:
		p = put_str(p, r->cmd == MB_CMD_INCR ? "incr " : "decr ");
		p = put_key(p, &r->keys[0]);
		*p++ = ' ';
		p = put_u64(p, delta(r));
		break;
	case MB_CMD_TOUCH:
		p = put_str(p, "touch ");
		p = put_key(p, &r->keys[0]);
		*p++ = ' ';
		p = put_i64(p, r->ttl);
		break;
	case MB_CMD_FLUSH_ALL:
		p = put_str(p, "flush_all");
		break;
	case MB_CMD_VERSION:
		nr = false;
		p = put_str(p, "version");
		break;
	case MB_CMD_STATS:
		*expect = MB_EXP_TEXT_STATS;
		return (size_t)(put_str(p, "stats\r\n") - out);
	case MB_CMD_NOOP:
		/* the text protocol has no no-op: the meta one works on the same port */
		*expect = MB_EXP_META_ONE;
		return (size_t)(put_str(p, "mn\r\n") - out);
	default:
		return 0;
	}
	if (nr) {
		p = put_str(p, " noreply");
		*expect = MB_EXP_NONE;
	}
	p = put_crlf(p);
	if (mb_cmd_is_store(r->cmd))
		p = put_crlf(put_value(p, value_len(r)));
	return (size_t)(p - out);
}

/* The end of a meta command: q when quiet, the line's end, and a store's value. */
static uint8_t *meta_end(uint8_t *p, const struct mb_mcreq *r, bool quiet)
{
	if (quiet)
		p = put_str(p, " q");
	p = put_crlf(p);
	if (mb_cmd_is_store(r->cmd))
		p = put_crlf(put_value(p, value_len(r)));
	return p;
}

/*
 * One meta command for one key with exactly the recorded flag letters (sem has
 * MB_SEM_META), in letter order, each with its recorded number; q comes from `quiet`,
 * b re-encodes the generated key, O sends a fixed opaque (its bytes were not kept).
 */
static uint8_t *meta_exact(uint8_t *p, const struct mb_mcreq *r, const struct mb_mcreq_key *k, bool quiet)
{
	const struct mb_sem *sem = r->sem;
	bool b64 = sem->mflags >> mb_sem_letter_bit('b') & 1;
	p = put_str(p, mb_cmd_is_read(r->cmd) || r->cmd == MB_CMD_TOUCH ? "mg " : mb_cmd_is_store(r->cmd) ? "ms " :
		    r->cmd == MB_CMD_DELETE ? "md " : "ma ");
	if (b64) {
		uint8_t key[MB_MCREQ_KEY_MAX];
		p = mb_base64_encode(p, key, mb_mcreq_key(key, k->hash, k->len));
	} else {
		p = put_key(p, k);
	}
	if (mb_cmd_is_store(r->cmd)) {
		*p++ = ' ';
		p = put_i64(p, value_len(r));
	}
	for (int bit = 0; bit < 52; bit++) {
		if (!(sem->mflags >> bit & 1))
			continue;
		char c = (char)(bit < 26 ? 'A' + bit : 'a' + bit - 26);
		if (c == 'q')
			continue;
		switch (c) {
		case 'C':
			if (!(sem->has & MB_SEM_CAS) && !r->cas)
				continue;
			p = put_str(p, " C");
			p = put_u64(p, cas_unique(r));
			continue;
		case 'D': case 'E': case 'J':
			if (!(sem->has & (c == 'D' ? MB_SEM_DELTA : c == 'E' ? MB_SEM_NEW_CAS : MB_SEM_INITIAL)))
				continue;
			*p++ = ' ';
			*p++ = (uint8_t)c;
			p = put_u64(p, c == 'D' ? sem->delta : c == 'E' ? sem->new_cas : sem->initial);
			continue;
		case 'F':
			if (!(sem->has & MB_SEM_CLIENT_FLAGS))
				continue;
			p = put_str(p, " F");
			p = put_u64(p, sem->client_flags);
			continue;
		case 'N': case 'R':
			if (!(sem->has & (c == 'N' ? MB_SEM_VIVIFY : MB_SEM_RECACHE)))
				continue;
			*p++ = ' ';
			*p++ = (uint8_t)c;
			p = put_i64(p, c == 'N' ? sem->vivify_ttl : sem->recache_ttl);
			continue;
		case 'M':
			if (!(sem->has & MB_SEM_MODE))
				continue;
			p = put_str(p, " M");
			*p++ = sem->mode;
			continue;
		case 'T':
			p = put_str(p, " T");
			p = put_i64(p, r->ttl);
			continue;
		case 'O':
			p = put_str(p, " O1");
			continue;
		default:
			*p++ = ' ';
			*p++ = (uint8_t)c;
			continue;
		}
	}
	return meta_end(p, r, quiet);
}

/* One meta command for one key; `quiet` adds q. */
static uint8_t *meta_one(uint8_t *p, const struct mb_mcreq *r, const struct mb_mcreq_key *k, bool quiet)
{
	if (r->sem && (r->sem->has & MB_SEM_META))
		return meta_exact(p, r, k, quiet);
	switch (r->cmd) {
	case MB_CMD_GET: case MB_CMD_GETS: case MB_CMD_GAT: case MB_CMD_GATS: case MB_CMD_TOUCH:
		p = put_str(p, "mg ");
		p = put_key(p, k);
		if (r->cmd != MB_CMD_TOUCH)
			p = put_str(p, " v");
		if (r->cmd == MB_CMD_GETS || r->cmd == MB_CMD_GATS)
			p = put_str(p, " c");
		if (r->cmd == MB_CMD_GAT || r->cmd == MB_CMD_GATS || r->cmd == MB_CMD_TOUCH) {
			p = put_str(p, " T");
			p = put_i64(p, r->ttl);
		}
		break;
	case MB_CMD_SET: case MB_CMD_ADD: case MB_CMD_REPLACE: case MB_CMD_APPEND: case MB_CMD_PREPEND:
	case MB_CMD_CAS:
		p = put_str(p, "ms ");
		p = put_key(p, k);
		*p++ = ' ';
		p = put_i64(p, value_len(r));
		if (r->ttl) {
			p = put_str(p, " T");
			p = put_i64(p, r->ttl);
		}
		if (client_flags(r)) {
			p = put_str(p, " F");
			p = put_u64(p, client_flags(r));
		}
		p = put_str(p, r->cmd == MB_CMD_ADD ? " ME" : r->cmd == MB_CMD_REPLACE ? " MR" :
			    r->cmd == MB_CMD_APPEND ? " MA" : r->cmd == MB_CMD_PREPEND ? " MP" :
			    r->cmd == MB_CMD_CAS ? " C" : "");
		if (r->cmd == MB_CMD_CAS)
			p = put_u64(p, cas_unique(r));
		break;
	case MB_CMD_DELETE:
		p = put_str(p, "md ");
		p = put_key(p, k);
		break;
	case MB_CMD_INCR: case MB_CMD_DECR:
		p = put_str(p, "ma ");
		p = put_key(p, k);
		if (r->cmd == MB_CMD_DECR)
			p = put_str(p, " MD");
		if (delta(r) != 1) {
			p = put_str(p, " D");
			p = put_u64(p, delta(r));
		}
		if (r->sem && (r->sem->has & MB_SEM_INITIAL) && r->ttl != -1) {
			/* a binary incr/decr that creates the item: vivify with its expiration and value */
			p = put_str(p, " N");
			p = put_i64(p, r->ttl);
			p = put_str(p, " J");
			p = put_u64(p, r->sem->initial);
		}
		break;
	default:
		return p;
	}
	return meta_end(p, r, quiet);
}

/* Meta protocol: quiet requests and multi-key gets are closed by mn so their end is known. */
static size_t build_meta(uint8_t *out, const struct mb_mcreq *r, enum mb_expect *expect)
{
	uint8_t *p = out;
	switch (r->cmd) {
	case MB_CMD_FLUSH_ALL: case MB_CMD_VERSION: case MB_CMD_STATS: case MB_CMD_NOOP: {
		struct mb_mcreq t = *r;
		t.proto = MB_PROTO_TEXT;
		return build_text(out, &t, expect);
	}
	default:
		break;
	}
	if (r->nkeys > 1 || r->quiet) {
		for (unsigned i = 0; i < r->nkeys; i++)
			p = meta_one(p, r, &r->keys[i], true);
		p = put_str(p, "mn\r\n");
		*expect = MB_EXP_META_UNTIL_MN;
	} else {
		p = meta_one(p, r, &r->keys[0], false);
		*expect = MB_EXP_META_ONE;
	}
	return (size_t)(p - out);
}

static uint8_t *put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static uint8_t *put_be32(uint8_t *p, uint32_t v)
{
	p = put_be16(p, (uint16_t)(v >> 16));
	return put_be16(p, (uint16_t)v);
}

/* A 24-byte binary request header. */
static uint8_t *bin_header(uint8_t *p, uint8_t opcode, uint16_t keylen, uint8_t extlen, uint32_t bodylen, uint64_t cas)
{
	p[0] = 0x80;
	p[1] = opcode;
	put_be16(p + 2, keylen);
	p[4] = extlen;
	p[5] = 0;
	put_be16(p + 6, 0);
	put_be32(p + 8, bodylen);
	put_be32(p + 12, 0);
	put_be32(p + 16, (uint32_t)(cas >> 32));
	put_be32(p + 20, (uint32_t)cas);
	return p + MB_MC_BIN_HDR;
}

/* Binary opcode of cmd, quiet variant when asked and one exists. */
static int bin_opcode(unsigned cmd, bool quiet, bool batch)
{
	switch (cmd) {
	case MB_CMD_GET: case MB_CMD_GETS: return batch ? (quiet ? 0x0d : 0x0c) : (quiet ? 0x09 : 0x00);
	case MB_CMD_GAT: case MB_CMD_GATS: return batch ? (quiet ? 0x24 : 0x23) : (quiet ? 0x1e : 0x1d);
	case MB_CMD_SET: case MB_CMD_CAS: return quiet ? 0x11 : 0x01;
	case MB_CMD_ADD: return quiet ? 0x12 : 0x02;
	case MB_CMD_REPLACE: return quiet ? 0x13 : 0x03;
	case MB_CMD_APPEND: return quiet ? 0x19 : 0x0e;
	case MB_CMD_PREPEND: return quiet ? 0x1a : 0x0f;
	case MB_CMD_DELETE: return quiet ? 0x14 : 0x04;
	case MB_CMD_INCR: return quiet ? 0x15 : 0x05;
	case MB_CMD_DECR: return quiet ? 0x16 : 0x06;
	case MB_CMD_TOUCH: return 0x1c;
	case MB_CMD_FLUSH_ALL: return quiet ? 0x18 : 0x08;
	case MB_CMD_NOOP: return 0x0a;
	case MB_CMD_VERSION: return 0x0b;
	case MB_CMD_STATS: return 0x10;
	default: return -1;
	}
}

/* One binary request for one key (or none). */
static uint8_t *bin_one(uint8_t *p, const struct mb_mcreq *r, const struct mb_mcreq_key *k, bool quiet, bool batch)
{
	int op = bin_opcode(r->cmd, quiet, batch);
	uint8_t key[MB_MCREQ_KEY_MAX];
	size_t kl = k ? mb_mcreq_key(key, k->hash, k->len) : 0;
	uint8_t ext[20];
	uint8_t extlen = 0;
	uint32_t vl = 0;
	uint32_t ttl = (uint32_t)r->ttl;
	switch (r->cmd) {
	case MB_CMD_SET: case MB_CMD_ADD: case MB_CMD_REPLACE: case MB_CMD_CAS:
		put_be32(ext, client_flags(r));
		put_be32(ext + 4, ttl);
		extlen = 8;
		vl = value_len(r);
		break;
	case MB_CMD_APPEND: case MB_CMD_PREPEND:
		vl = value_len(r);
		break;
	case MB_CMD_INCR: case MB_CMD_DECR: {
		/* create a missing item only as recorded: a binary initial value with an expiration
		   other than 0xffffffff, or a meta N (vivify) with J; else as the text command */
		const struct mb_sem *sem = r->sem;
		bool meta = sem && (sem->has & MB_SEM_META);
		bool create = sem && (meta ? (sem->has & MB_SEM_VIVIFY) != 0 :
				      (sem->has & MB_SEM_INITIAL) && ttl != 0xffffffffu);
		uint64_t d = delta(r), init = sem && (sem->has & MB_SEM_INITIAL) ? sem->initial : 0;
		put_be32(ext, (uint32_t)(d >> 32));
		put_be32(ext + 4, (uint32_t)d);
		put_be32(ext + 8, (uint32_t)(init >> 32));
		put_be32(ext + 12, (uint32_t)init);
		put_be32(ext + 16, !create ? 0xffffffffu : meta ? (uint32_t)sem->vivify_ttl : ttl);
		extlen = 20;
		break;
	}
	case MB_CMD_TOUCH: case MB_CMD_GAT: case MB_CMD_GATS:
		put_be32(ext, ttl);
		extlen = 4;
		break;
	default:
		break;
	}
	p = bin_header(p, (uint8_t)op, (uint16_t)kl, extlen, (uint32_t)(extlen + kl + vl), k && sends_cas(r) ? cas_unique(r) : 0);
	memcpy(p, ext, extlen);
	p += extlen;
	memcpy(p, key, kl);
	p += kl;
	return put_value(p, vl);
}

/* Binary protocol: quiet requests and multi-key gets are closed by a NOOP. */
static size_t build_binary(uint8_t *out, const struct mb_mcreq *r, enum mb_expect *expect)
{
	uint8_t *p = out;
	if (!mb_cmd_has_key(r->cmd) || r->nkeys == 0) {
		p = bin_one(p, r, NULL, false, false);
		*expect = r->cmd == MB_CMD_STATS ? MB_EXP_BIN_STATS : MB_EXP_BIN_ONE;
		return (size_t)(p - out);
	}
	bool quiet = r->quiet && r->cmd != MB_CMD_TOUCH;
	if (r->nkeys > 1 || quiet) {
		for (unsigned i = 0; i < r->nkeys; i++)
			p = bin_one(p, r, &r->keys[i], r->cmd != MB_CMD_TOUCH, r->nkeys > 1);
		p = bin_header(p, 0x0a, 0, 0, 0, 0);
		*expect = MB_EXP_BIN_UNTIL_NOOP;
	} else {
		p = bin_one(p, r, &r->keys[0], false, false);
		*expect = MB_EXP_BIN_ONE;
	}
	return (size_t)(p - out);
}

size_t mb_mcreq_build(uint8_t *out, size_t cap, const struct mb_mcreq *r, enum mb_expect *expect)
{
	*expect = MB_EXP_NONE;
	if (!mb_mcreq_replayable(r->cmd) || cap < mb_mcreq_size(r) || r->nkeys > MB_MCREQ_BATCH_MAX ||
	    (mb_cmd_has_key(r->cmd) && r->nkeys == 0))
		return 0;
	switch (r->proto) {
	case MB_PROTO_META:
		return build_meta(out, r, expect);
	case MB_PROTO_BINARY:
		return build_binary(out, r, expect);
	default:
		return build_text(out, r, expect);
	}
}
