/* mc_binary.c - memcached binary protocol decoder: 24-byte headers, extras, key, body. */
#include <string.h>

#include "bytes.h"
#include "event.h"
#include "mcproto.h"

/* Binary opcodes (memcached-protocol-binary.txt section 3.3). */
enum {
	OP_GET = 0x00, OP_SET, OP_ADD, OP_REPLACE, OP_DELETE, OP_INCR, OP_DECR, OP_QUIT, OP_FLUSH, OP_GETQ,
	OP_NOOP, OP_VERSION, OP_GETK, OP_GETKQ, OP_APPEND, OP_PREPEND, OP_STAT, OP_SETQ, OP_ADDQ, OP_REPLACEQ,
	OP_DELETEQ, OP_INCRQ, OP_DECRQ, OP_QUITQ, OP_FLUSHQ, OP_APPENDQ, OP_PREPENDQ, OP_VERBOSITY, OP_TOUCH,
	OP_GAT, OP_GATQ,
	OP_SASL_LIST = 0x20, OP_SASL_AUTH, OP_SASL_STEP, OP_GATK, OP_GATKQ,
};

/* Command of each opcode 0x00-0x24 (MB_CMD_UNKNOWN for gaps). */
static const uint8_t op_cmd[0x25] = {
	[OP_GET] = MB_CMD_GET, [OP_SET] = MB_CMD_SET, [OP_ADD] = MB_CMD_ADD, [OP_REPLACE] = MB_CMD_REPLACE,
	[OP_DELETE] = MB_CMD_DELETE, [OP_INCR] = MB_CMD_INCR, [OP_DECR] = MB_CMD_DECR, [OP_QUIT] = MB_CMD_QUIT,
	[OP_FLUSH] = MB_CMD_FLUSH_ALL, [OP_GETQ] = MB_CMD_GET, [OP_NOOP] = MB_CMD_NOOP,
	[OP_VERSION] = MB_CMD_VERSION, [OP_GETK] = MB_CMD_GET, [OP_GETKQ] = MB_CMD_GET,
	[OP_APPEND] = MB_CMD_APPEND, [OP_PREPEND] = MB_CMD_PREPEND, [OP_STAT] = MB_CMD_STATS,
	[OP_SETQ] = MB_CMD_SET, [OP_ADDQ] = MB_CMD_ADD, [OP_REPLACEQ] = MB_CMD_REPLACE,
	[OP_DELETEQ] = MB_CMD_DELETE, [OP_INCRQ] = MB_CMD_INCR, [OP_DECRQ] = MB_CMD_DECR,
	[OP_QUITQ] = MB_CMD_QUIT, [OP_FLUSHQ] = MB_CMD_FLUSH_ALL, [OP_APPENDQ] = MB_CMD_APPEND,
	[OP_PREPENDQ] = MB_CMD_PREPEND, [OP_VERBOSITY] = MB_CMD_VERBOSITY, [OP_TOUCH] = MB_CMD_TOUCH,
	[OP_GAT] = MB_CMD_GAT, [OP_GATQ] = MB_CMD_GAT, [OP_SASL_LIST] = MB_CMD_AUTH,
	[OP_SASL_AUTH] = MB_CMD_AUTH, [OP_SASL_STEP] = MB_CMD_AUTH, [OP_GATK] = MB_CMD_GAT,
	[OP_GATKQ] = MB_CMD_GAT,
};

bool mc_bin_quiet(uint8_t op)
{
	switch (op) {
	case OP_GETQ: case OP_GETKQ: case OP_SETQ: case OP_ADDQ: case OP_REPLACEQ: case OP_DELETEQ:
	case OP_INCRQ: case OP_DECRQ: case OP_QUITQ: case OP_FLUSHQ: case OP_APPENDQ: case OP_PREPENDQ:
	case OP_GATQ: case OP_GATKQ:
		return true;
	default:
		return false;
	}
}

/* The fixed header fields shared by requests and responses. */
struct bhdr {
	uint8_t magic, opcode, extlen, datatype;
	uint16_t keylen, vb_status;
	uint32_t body, opaque;
	uint64_t cas;
};

/* Read and frame-check a header: MC_OK when extras+key are available too. */
static int read_hdr(const uint8_t *p, size_t n, uint8_t magic, struct bhdr *h, uint32_t *keyshown)
{
	if (n < 1)
		return MC_NEED_MORE;
	if (p[0] != magic)
		return MC_INVALID;
	if (n < MC_BIN_HDR)
		return MC_NEED_MORE;
	struct mb_cur c = mb_cur_make(p, MC_BIN_HDR);
	h->magic = mb_get_u8(&c);
	h->opcode = mb_get_u8(&c);
	h->keylen = mb_get_be16(&c);
	h->extlen = mb_get_u8(&c);
	h->datatype = mb_get_u8(&c);
	h->vb_status = mb_get_be16(&c);
	h->body = mb_get_be32(&c);
	h->opaque = mb_get_be32(&c);
	h->cas = mb_get_be64(&c);
	if ((uint32_t)h->keylen + h->extlen > h->body || h->body > MC_VALUE_MAX + 512u)
		return MC_INVALID;
	*keyshown = h->keylen > MC_KEY_MAX ? MC_KEY_MAX : h->keylen;
	if (n < MC_BIN_HDR + (size_t)h->extlen + *keyshown)
		return MC_NEED_MORE;
	return MC_OK;
}

int mc_bin_req(const uint8_t *p, size_t n, struct mc_req *rq)
{
	struct bhdr h;
	uint32_t ks;
	int rc = read_hdr(p, n, 0x80, &h, &ks);
	if (rc != MC_OK)
		return rc;
	mc_req_start(rq, MB_PROTO_BINARY, MC_BIN_HDR + h.extlen + ks);
	rq->bin_opcode = h.opcode;
	rq->cmd = h.opcode < sizeof op_cmd ? op_cmd[h.opcode] : MB_CMD_UNKNOWN;
	if (h.opcode == OP_GET || h.opcode == OP_GETQ || h.opcode == OP_GETK || h.opcode == OP_GETKQ)
		rq->cmd = MB_CMD_GET;
	rq->expect = h.opcode == OP_STAT ? MC_EXP_MULTI : MC_EXP_LINE;
	if (mc_bin_quiet(h.opcode))
		rq->flags |= MB_EF_NOREPLY;
	rq->has_opaque = true;
	rq->opaque = h.opaque;
	if (h.opaque)
		rq->flags |= MB_EF_OPAQUE;
	rq->skip = h.body - h.extlen - ks;
	struct mb_cur x = mb_cur_make(p + MC_BIN_HDR, h.extlen);
	switch (rq->cmd) {
	case MB_CMD_GET:
	case MB_CMD_GAT:
		rq->flags |= MB_EF_WANT_VALUE;
		if (rq->cmd == MB_CMD_GAT)
			rq->ttl = (int32_t)mb_get_be32(&x);
		break;
	case MB_CMD_SET: case MB_CMD_ADD: case MB_CMD_REPLACE: {
		uint32_t cf = mb_get_be32(&x);
		rq->ttl = (int32_t)mb_get_be32(&x);
		if (cf && !x.bad) {
			rq->sem.has |= MB_SEM_CLIENT_FLAGS;
			rq->sem.client_flags = cf;
		}
		if (h.cas != 0) {
			/* memcached runs any of the three with a CAS as a cas (cas_hits/badval/misses) */
			rq->cmd = MB_CMD_CAS;
			rq->flags |= MB_EF_CAS_STORE;
		}
		rq->value_len = h.body - h.extlen - h.keylen;
		break;
	}
	case MB_CMD_APPEND: case MB_CMD_PREPEND:
		rq->value_len = h.body - h.extlen - h.keylen;
		break;
	case MB_CMD_INCR: case MB_CMD_DECR:
		rq->sem.delta = mb_get_be64(&x);
		rq->sem.initial = mb_get_be64(&x);
		rq->ttl = (int32_t)mb_get_be32(&x); /* 0xffffffff: do not create a missing item */
		if (!x.bad)
			rq->sem.has |= MB_SEM_DELTA | MB_SEM_INITIAL;
		break;
	case MB_CMD_TOUCH:
		rq->ttl = (int32_t)mb_get_be32(&x);
		break;
	default:
		break;
	}
	if (h.cas && mb_cmd_has_key(rq->cmd)) {
		rq->sem.has |= MB_SEM_CAS;
		rq->sem.cas = h.cas;
	}
	if (x.bad)
		rq->malformed = true; /* memcached answers "Invalid arguments" */
	if (h.keylen > 0 && rq->cmd != MB_CMD_AUTH && rq->cmd != MB_CMD_STATS) {
		rq->keys[0].p = p + MC_BIN_HDR + h.extlen;
		rq->keys[0].len = (uint16_t)ks;
		rq->keys[0].cut = h.keylen > MC_KEY_MAX;
		rq->nkeys = 1;
	}
	return MC_OK;
}

int mc_bin_resp(const uint8_t *p, size_t n, struct mc_resp *rs)
{
	struct bhdr h;
	uint32_t ks;
	int rc = read_hdr(p, n, 0x81, &h, &ks);
	if (rc != MC_OK)
		return rc;
	memset(rs, 0, sizeof *rs);
	rs->kind = MC_R_BINARY;
	rs->bin_opcode = h.opcode;
	rs->bin_status = h.vb_status;
	rs->has_opaque = true;
	rs->opaque = h.opaque;
	rs->hdr_len = MC_BIN_HDR + h.extlen + ks;
	rs->skip = h.body - h.extlen - ks;
	rs->value_len = h.body - h.extlen - h.keylen;
	rs->key = p + MC_BIN_HDR + h.extlen;
	rs->key_len = (uint16_t)ks;
	return MC_OK;
}
