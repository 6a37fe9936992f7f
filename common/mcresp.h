/* mcresp.h - client-side parser of memcached responses (text, meta, binary), one unit at a time. */
#ifndef MB_MCRESP_H
#define MB_MCRESP_H

#include <stddef.h>
#include <stdint.h>

#include "mclimits.h"

#define MB_MCRESP_LINE_MAX MB_MC_LINE_MAX   /* longest response line accepted */
#define MB_MCRESP_VALUE_MAX MB_MC_VALUE_MAX /* largest value length accepted */
#define MB_MCRESP_KEY_MAX MB_MC_KEY_MAX     /* longest key in a binary response */

/* Outcomes of mb_mcresp_parse. */
enum mb_mcresp_rc {
	MB_MCRESP_OK = 0,    /* one unit parsed into the result */
	MB_MCRESP_MORE = 1,  /* the unit's header is not complete yet: read more bytes */
	MB_MCRESP_BAD = -1,  /* not a memcached response: the connection is out of sync */
};

/* Kind of a response unit. */
enum mb_rk {
	MB_RK_VALUE = 1,    /* text VALUE or meta VA: a value of value_len bytes follows */
	MB_RK_END,          /* END */
	MB_RK_STORED,
	MB_RK_NOT_STORED,
	MB_RK_EXISTS,
	MB_RK_NOT_FOUND,
	MB_RK_DELETED,
	MB_RK_TOUCHED,
	MB_RK_OK,
	MB_RK_NUMBER,       /* incr/decr result */
	MB_RK_VERSION,
	MB_RK_STAT,
	MB_RK_ERROR,
	MB_RK_CLIENT_ERROR,
	MB_RK_SERVER_ERROR,
	MB_RK_HD,           /* meta success without value */
	MB_RK_EN,           /* meta miss */
	MB_RK_NF,           /* meta not found */
	MB_RK_NS,           /* meta not stored */
	MB_RK_EX,           /* meta exists */
	MB_RK_MN,           /* meta no-op */
	MB_RK_ME,           /* meta debug line */
	MB_RK_BINARY,       /* a binary response: see opcode and status */
};

/* One parsed unit. Its bytes are hdr_len + value_len + trailer_len; the value may be
   larger than what was parsed (the caller skips it as it arrives). */
struct mb_mcresp {
	uint8_t kind;         /* enum mb_rk */
	uint8_t opcode;       /* binary opcode */
	uint16_t status;      /* binary status */
	uint32_t hdr_len;     /* header line (with CRLF) or binary header + extras + key */
	uint32_t value_len;
	uint32_t trailer_len; /* 2 (CRLF) after a text/meta value, else 0 */
	uint32_t key_len;     /* binary key length (0 marks the end of binary stats) */
	uint64_t cas;         /* cas unique of a text VALUE, a meta VA/HD with c, a binary header; else 0 */
};

/* Parse one text or meta response unit (binary = 0) or one binary response (binary = 1)
   at the start of [p, p+n). Never reads past n; three outcomes as enum mb_mcresp_rc.
   On OK the header (hdr_len bytes) is complete within n; the value may not be. */
int mb_mcresp_parse(int binary, const uint8_t *p, size_t n, struct mb_mcresp *r);

/* The event status a unit means for a single-key request of command cmd (enum mb_cmd). */
unsigned mb_mcresp_status(unsigned cmd, const struct mb_mcresp *r);

#endif
