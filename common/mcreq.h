/* mcreq.h - build memcached requests (text, meta, binary) from events, into a caller's buffer. */
#ifndef MB_MCREQ_H
#define MB_MCREQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "mclimits.h"

#define MB_MCREQ_KEY_MAX MB_MC_KEY_MAX /* longest key memcached accepts */
#define MB_MCREQ_BATCH_MAX 256   /* keys in one rebuilt multi-key request */
#define MB_MCREQ_VALUE_MAX MB_MC_ITEM_DEFAULT /* values are cut to memcached's default item limit */

/* What the server sends back to a built request, so the response reader knows when it ends. */
enum mb_expect {
	MB_EXP_NONE = 0,       /* text noreply: nothing comes back */
	MB_EXP_TEXT_LINE,      /* one line (STORED, DELETED, a number, VERSION ..., an error) */
	MB_EXP_TEXT_VALUES,    /* VALUE blocks until END */
	MB_EXP_TEXT_STATS,     /* STAT lines until END */
	MB_EXP_META_ONE,       /* one meta response (VA + data, HD, EN, NF, NS, EX, MN) */
	MB_EXP_META_UNTIL_MN,  /* quiet meta requests closed by mn: any responses, then MN */
	MB_EXP_BIN_ONE,        /* one binary response */
	MB_EXP_BIN_UNTIL_NOOP, /* quiet binary requests closed by NOOP */
	MB_EXP_BIN_STATS,      /* binary STAT responses until the empty one */
};

/* A key named by its hash and original length (the key bytes are regenerated). */
struct mb_mcreq_key {
	uint64_t hash;
	uint16_t len;
};

/* One request: one key, or up to MB_MCREQ_BATCH_MAX keys of a multi-key get. */
struct mb_mcreq {
	uint8_t proto;     /* enum mb_proto: TEXT, META or BINARY */
	uint8_t cmd;       /* enum mb_cmd */
	bool quiet;        /* noreply / meta q / binary quiet opcode */
	int32_t ttl;
	uint32_t value_len;
	unsigned nkeys;
	const struct mb_mcreq_key *keys;
	uint64_t cas;      /* the unique a CAS sends; 0 sends 1 (in binary 0 would make it a plain set) */
	/* Recorded semantics (event.h), or NULL for the defaults: flags 0, delta 1, incr/decr that
	   do not create, and for meta requests the flags that ask for what the command returns.
	   With a meta-recorded sem a meta request sends exactly the recorded flag letters. */
	const struct mb_sem *sem;
};

/* Write the legal memcached key for (hash, len) into out (room for MB_MCREQ_KEY_MAX bytes):
   characters from [A-Za-z0-9_-], len clamped to 1..250, the same bytes for the same input.
   Returns the key length. */
size_t mb_mcreq_key(uint8_t *out, uint64_t hash, uint16_t len);

/* A 64-bit hash of raw key bytes (to name raw-stream keys like hashed ones). */
uint64_t mb_mcreq_hash_bytes(const uint8_t *p, size_t n);

/* True when the request can be replayed (quit, auth, admin, debug, verbosity, unknown cannot). */
bool mb_mcreq_replayable(unsigned cmd);

/* True when a request of cmd with the recorded sem (NULL: none) compares a unique: a cas, or
   meta C / a binary header cas on any command. */
bool mb_mcreq_compares_cas(unsigned cmd, const struct mb_sem *sem);

/* Upper bound of the bytes mb_mcreq_build writes for r. */
size_t mb_mcreq_size(const struct mb_mcreq *r);

/* Build r into out (cap >= mb_mcreq_size(r)); returns the bytes written (0 when r is not
   replayable) and sets *expect to the shape of the response. No allocation. */
size_t mb_mcreq_build(uint8_t *out, size_t cap, const struct mb_mcreq *r, enum mb_expect *expect);

#endif
