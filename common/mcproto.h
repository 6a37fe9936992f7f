/* mcproto.h - memcached request/response decoders (text, meta, binary): parse in place, never block. */
#ifndef MB_MCPROTO_H
#define MB_MCPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "event.h"
#include "mclimits.h"

/*
 * Every decoder takes the bytes available at a message boundary and answers one of:
 *   MC_NEED_MORE  the message is not complete yet: call again with more bytes
 *   MC_INVALID    these bytes cannot start a message (framing lost)
 *   MC_OK         a message: hdr_len bytes of line/header parsed, then `skip`
 *                 bytes (value body and its CRLF) belong to it and are skipped
 * Pointers in the result point into the caller's bytes (or into the result for
 * decoded base64 keys) and live as long as those bytes.
 */
enum mc_rc { MC_INVALID = -1, MC_NEED_MORE = 0, MC_OK = 1 };

/* Hard caps (doc/parse.md). */
#define MC_LINE_MAX MB_MC_LINE_MAX /* longest text/meta line (common/mclimits.h); memcached reads 2048 but allows long multigets */
#define MC_KEY_MAX MB_MC_KEY_MAX   /* longer keys are cut and flagged MB_EF_KEY_CUT */
#define MC_KEYS_MAX 64       /* keys of one decoding step of a get/gets/gat/gats line (a longer line continues) */
#define MC_TOKENS_MAX 80     /* tokens of one line looked at */
#define MC_OPAQUE_MAX MB_MC_OPAQUE_MAX
#define MC_VALUE_MAX MB_MC_VALUE_MAX /* largest value length accepted */
#define MC_BIN_HDR MB_MC_BIN_HDR

/* How the response to a request is framed (request field `expect`). */
enum mc_expect {
	MC_EXP_NONE = 0,   /* no response (text noreply, quit) */
	MC_EXP_LINE,       /* one line (or one binary response) */
	MC_EXP_MULTI,      /* data lines until END (stats, lru_crawler metadump) / binary STAT until empty key */
	MC_EXP_VALUES,     /* VALUE ... lines until END (get family) */
};

/* Meta response codes. */
enum mc_meta_code { MC_M_NONE = 0, MC_M_HD, MC_M_VA, MC_M_EN, MC_M_NF, MC_M_NS, MC_M_EX, MC_M_MN, MC_M_ME };

struct mc_key {
	const uint8_t *p;
	uint16_t len;
	bool cut;              /* longer than MC_KEY_MAX on the wire */
};

/* One request. */
struct mc_req {
	uint8_t proto;         /* MB_PROTO_* */
	uint8_t cmd;           /* MB_CMD_* */
	uint8_t expect;        /* enum mc_expect */
	uint8_t bin_opcode;    /* binary opcode */
	uint16_t flags;        /* MB_EF_* (NOREPLY, WANT_VALUE, BASE64, ...) */
	bool malformed;        /* known command with bad arguments: memcached answers an error */
	bool has_opaque;
	bool want_key;         /* meta k: every reply carries the key */
	bool cas_cmp;          /* meta C: EX/NF replies become possible */
	bool partial;          /* get/gets: more keys of this line follow (mc_text_getcont) */
	uint8_t opq_len;
	uint32_t hdr_len;
	uint32_t skip;
	uint32_t value_len;
	int32_t ttl;
	uint32_t opaque;       /* binary opaque */
	uint8_t opq[MC_OPAQUE_MAX]; /* meta O token */
	unsigned nkeys;
	unsigned keys_over;    /* keys beyond MC_KEYS_MAX on the line */
	struct mc_key keys[MC_KEYS_MAX];
	uint8_t kbuf[MC_KEY_MAX]; /* decoded base64 key (meta b) */
	struct mb_sem sem;     /* flags, modes and numbers a replay must send again (event.h) */
};

/* Kind of one response message. */
enum mc_rkind {
	MC_R_VALUE = 1,  /* VALUE <key> <flags> <bytes> [<cas>] + body */
	MC_R_END,        /* END */
	MC_R_STATUS,     /* STORED, NOT_FOUND, OK, ERROR, VERSION ..., RESET, ... (status set) */
	MC_R_NUMBER,     /* incr/decr result */
	MC_R_DATA,       /* STAT/ITEM/other data line of a multi-line response */
	MC_R_META,       /* HD, VA (+ body), EN, NF, NS, EX, MN, ME (meta set) */
	MC_R_BINARY,     /* one binary response packet */
};

/* Which requests an error reply can come from (memcached returns errors even to quiet requests). */
enum mc_err_kind {
	MC_E_OTHER = 0, /* a refused request line (malformed, unknown), or any request (SERVER_ERROR out of memory ...) */
	MC_E_ARITH,     /* CLIENT_ERROR cannot increment or decrement non-numeric value: an incr/decr/ma */
	MC_E_STORE,     /* CLIENT_ERROR bad data chunk, SERVER_ERROR object too large / out of memory storing: a store */
};

/* One response message. */
struct mc_resp {
	uint8_t kind;          /* enum mc_rkind */
	uint8_t err;           /* enum mc_err_kind, for ERROR/CLIENT_ERROR/SERVER_ERROR */
	uint8_t status;        /* MB_ST_* for STATUS; error statuses for ERROR/CLIENT_ERROR/SERVER_ERROR */
	uint8_t meta;          /* enum mc_meta_code */
	uint8_t bin_opcode;
	uint16_t bin_status;
	bool has_opaque;
	uint8_t opq_len;
	uint32_t hdr_len;
	uint32_t skip;
	uint32_t value_len;    /* VALUE/VA body bytes, binary value bytes */
	uint32_t opaque;       /* binary opaque */
	const uint8_t *opq;    /* meta O token */
	const uint8_t *key;    /* VALUE key, meta k token, binary key */
	uint16_t key_len;
};

/*
 * Start decoding a request: every field to its neutral value (no keys, no flags, no
 * value, nothing to skip) except the protocol and header length given. The key array
 * is left alone: nkeys says how much of it is valid.
 */
static inline void mc_req_start(struct mc_req *rq, uint8_t proto, uint32_t hdr_len)
{
	rq->proto = proto;
	rq->cmd = MB_CMD_UNKNOWN;
	rq->expect = MC_EXP_LINE;
	rq->bin_opcode = 0;
	rq->flags = 0;
	rq->malformed = false;
	rq->has_opaque = false;
	rq->want_key = false;
	rq->cas_cmp = false;
	rq->partial = false;
	rq->opq_len = 0;
	rq->hdr_len = hdr_len;
	rq->skip = 0;
	rq->value_len = 0;
	rq->ttl = 0;
	rq->opaque = 0;
	rq->nkeys = 0;
	rq->keys_over = 0;
	memset(&rq->sem, 0, sizeof rq->sem);
}

/* Text protocol request (classic and meta: a line starting with m<letter> goes to the meta decoder). */
int mc_text_req(const uint8_t *p, size_t n, struct mc_req *rq);
/*
 * The rest of a get/gets/gat/gats line whose first keys came in a partial request
 * (memcached reads get lines of any length): up to MC_KEYS_MAX more keys, partial
 * again when the line goes on. cmd is the line's command.
 */
int mc_text_getcont(const uint8_t *p, size_t n, uint8_t cmd, struct mc_req *rq);
/* Text protocol response (classic and meta codes). */
int mc_text_resp(const uint8_t *p, size_t n, struct mc_resp *rs);
/* Meta request whose line [p, p+linelen) is complete; total = linelen incl. the line end. */
int mc_meta_req(const uint8_t *p, size_t linelen, size_t total, struct mc_req *rq);
/* Meta response line (HD/VA/EN/...): MC_OK when it is one, MC_INVALID otherwise. */
int mc_meta_resp(const uint8_t *p, size_t linelen, size_t total, struct mc_resp *rs);
/* Binary request (magic 0x80). */
int mc_bin_req(const uint8_t *p, size_t n, struct mc_req *rq);
/* Binary response (magic 0x81). */
int mc_bin_resp(const uint8_t *p, size_t n, struct mc_resp *rs);

/* True when a binary opcode is a quiet variant (GETQ, SETQ, ...). */
bool mc_bin_quiet(uint8_t opcode);

/* Cheap plausibility check used to resynchronize: could a request / response start at p? */
bool mc_plausible_req(const uint8_t *p, size_t n);
bool mc_plausible_resp(const uint8_t *p, size_t n);

/* Parse an unsigned decimal token into *v (<= max); false on anything else. */
bool mc_parse_u64(const uint8_t *p, size_t n, uint64_t max, uint64_t *v);
/* Parse a signed decimal token (exptime); false on anything else. */
bool mc_parse_i64(const uint8_t *p, size_t n, int64_t *v);
/*
 * A number token of a request as memcached's safe_strtol / safe_strtoul(l) read it:
 * leading whitespace, a sign, digits, then the end or whitespace and anything.
 */
bool mc_parse_strtol(const uint8_t *p, size_t n, int64_t *v);
bool mc_parse_strtoul(const uint8_t *p, size_t n, uint64_t *v); /* unsigned: a minus sign only on 0 */

#endif
