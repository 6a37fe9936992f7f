/* mcstatus.c - answer-to-status table shared by mb-parse (mcpair.c) and mb-fire (mcresp.c). */
#include "mcstatus.h"

#include "event.h"

/* Command sets of a rule. */
#define C(x) (UINT32_C(1) << MB_CMD_##x)
#define READS (C(GET) | C(GETS) | C(GAT) | C(GATS))
#define STORES (C(SET) | C(ADD) | C(REPLACE) | C(APPEND) | C(PREPEND) | C(CAS))
#define ARITH (C(INCR) | C(DECR))
#define ANY UINT32_MAX

/*
 * The table: the answer's wire value picks a short list of rules, and the first rule whose
 * command set holds the command gives the status (a list ends at its ANY rule; a command
 * none matches, or a wire value without a list, maps to the protocol's error status).
 * Where the protocols answer one situation with different words, the rules make the
 * statuses agree, as memcached 1.6.18 answers (t/unit/mcstatus.c checks each situation in
 * the three protocols):
 *   replace of a missing item: NOT_STORED / NS / binary 0x01   -> not_stored
 *   add of an existing item:   NOT_STORED / NS / binary 0x02   -> not_stored
 *   cas of a missing item:     NOT_FOUND / NF / binary 0x01    -> not_found
 *   cas with a stale unique:   EXISTS / EX / binary 0x02       -> exists
 *   append of a missing item:  NOT_STORED / NS / binary 0x05   -> not_stored
 *   incr of a missing item:    NOT_FOUND / NF / binary 0x01    -> not_found
 *   touch of a missing item:   NOT_FOUND / (mg T) EN / 0x01    -> not_found (mg T is a gat: miss)
 */
#define RULES 6
struct rule {
	uint32_t cmds; /* 0 ends a list that has no ANY rule */
	uint8_t status;
};

/* A suppressed answer (any protocol) is the quiet form's success, or a retrieval's miss. */
static const struct rule silent[RULES] = {
	{ READS, MB_ST_MISS }, { STORES, MB_ST_STORED }, { C(DELETE), MB_ST_DELETED },
	{ ARITH, MB_ST_HIT }, { C(TOUCH), MB_ST_TOUCHED }, { ANY, MB_ST_OK },
};

/* Text words and meta codes (a meta request gets a text ERROR for an unknown command or bad
   syntax), by enum mb_wire. */
static const struct rule text[MB_W_COUNT][RULES] = {
	[MB_W_VALUE] = { { ANY, MB_ST_HIT } },
	[MB_W_END] = { { READS, MB_ST_MISS }, { ANY, MB_ST_OK } },
	[MB_W_NUMBER] = { { ANY, MB_ST_HIT } },
	[MB_W_STORED] = { { ANY, MB_ST_STORED } },
	[MB_W_NOT_STORED] = { { ANY, MB_ST_NOT_STORED } },
	[MB_W_EXISTS] = { { ANY, MB_ST_EXISTS } },
	[MB_W_NOT_FOUND] = { { ANY, MB_ST_NOT_FOUND } },
	[MB_W_DELETED] = { { ANY, MB_ST_DELETED } },
	[MB_W_TOUCHED] = { { ANY, MB_ST_TOUCHED } },
	[MB_W_OK] = { { ANY, MB_ST_OK } },
	[MB_W_VERSION] = { { ANY, MB_ST_OK } },
	[MB_W_STAT] = { { ANY, MB_ST_OK } },
	[MB_W_ERROR] = { { ANY, MB_ST_ERROR } },
	[MB_W_CLIENT_ERROR] = { { ANY, MB_ST_CLIENT_ERROR } },
	[MB_W_SERVER_ERROR] = { { ANY, MB_ST_SERVER_ERROR } },
	[MB_W_SLABS_BUSY] = { { ANY, MB_ST_SERVER_ERROR } },
	[MB_W_SLABS_BAD] = { { ANY, MB_ST_CLIENT_ERROR } },
	[MB_W_VA] = { { ANY, MB_ST_HIT } },
	[MB_W_HD] = { { READS | ARITH, MB_ST_HIT }, { STORES, MB_ST_STORED }, { C(DELETE), MB_ST_DELETED },
		      { C(TOUCH), MB_ST_TOUCHED }, { ANY, MB_ST_OK } },
	[MB_W_EN] = { { READS | C(DEBUG), MB_ST_MISS }, { ANY, MB_ST_NOT_FOUND } },
	[MB_W_NF] = { { READS, MB_ST_MISS }, { ANY, MB_ST_NOT_FOUND } },
	[MB_W_NS] = { { ANY, MB_ST_NOT_STORED } },
	[MB_W_EX] = { { ANY, MB_ST_EXISTS } },
	[MB_W_MN] = { { ANY, MB_ST_OK } },
	[MB_W_ME] = { { ANY, MB_ST_HIT } },
};

/* Binary status codes (protocol_binary.h) 0x00 .. 0x06; 0x20, 0x21 and 0x81 below. */
static const struct rule binary[7][RULES] = {
	[0x00] = { { READS | ARITH, MB_ST_HIT }, { STORES, MB_ST_STORED }, { C(DELETE), MB_ST_DELETED },
		   { C(TOUCH), MB_ST_TOUCHED }, { ANY, MB_ST_OK } },
	[0x01] = { { READS, MB_ST_MISS }, { C(REPLACE), MB_ST_NOT_STORED }, { ANY, MB_ST_NOT_FOUND } }, /* key not found */
	[0x02] = { { C(ADD), MB_ST_NOT_STORED }, { ANY, MB_ST_EXISTS } },     /* key exists */
	[0x03] = { { ANY, MB_ST_SERVER_ERROR } },                             /* value too large */
	[0x04] = { { ANY, MB_ST_CLIENT_ERROR } },                             /* invalid arguments */
	[0x05] = { { ANY, MB_ST_NOT_STORED } },                               /* item not stored */
	[0x06] = { { ANY, MB_ST_CLIENT_ERROR } },                             /* incr/decr on a non-numeric value */
};
static const struct rule bin_auth_error[RULES] = { { ANY, MB_ST_CLIENT_ERROR } };
static const struct rule bin_auth_continue[RULES] = { { ANY, MB_ST_OK } };
static const struct rule bin_unknown_command[RULES] = { { ANY, MB_ST_ERROR } };

/* The rule list of an answer; NULL: the protocol's error status. */
static const struct rule *rules_of(unsigned proto, unsigned wire)
{
	if (wire == MB_WIRE_SILENT)
		return silent;
	if (proto != MB_PROTO_BINARY)
		return wire < MB_W_COUNT ? text[wire] : NULL;
	switch (wire) {
	case 0x20: return bin_auth_error;
	case 0x21: return bin_auth_continue;
	case 0x81: return bin_unknown_command;
	default: return wire < 7 ? binary[wire] : NULL; /* out of memory, busy, any other */
	}
}

unsigned mb_status_map(unsigned proto, unsigned cmd, unsigned wire)
{
	unsigned error = proto == MB_PROTO_BINARY ? MB_ST_SERVER_ERROR : MB_ST_ERROR;
	const struct rule *r = rules_of(proto, wire);
	uint32_t cbit = cmd < 32 ? UINT32_C(1) << cmd : 0;
	for (unsigned i = 0; r && i < RULES && r[i].cmds; i++)
		if (r[i].cmds & cbit || r[i].cmds == ANY)
			return r[i].status;
	return error;
}
