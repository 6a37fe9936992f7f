/* mcstatus.c - answer-to-status table shared by mb-parse (mcpair.c) and mb-fire (mcresp.c). */
#include "mcstatus.h"

#include "event.h"

/* Command sets of a row. */
#define C(x) (UINT32_C(1) << MB_CMD_##x)
#define READS (C(GET) | C(GETS) | C(GAT) | C(GATS))
#define STORES (C(SET) | C(ADD) | C(REPLACE) | C(APPEND) | C(PREPEND) | C(CAS))
#define ARITH (C(INCR) | C(DECR))
#define ANY UINT32_MAX

/* Protocol sets of a row. */
#define P_TEXT (1u << MB_PROTO_TEXT | 1u << MB_PROTO_META | 1u << MB_PROTO_UNKNOWN)
#define P_BIN (1u << MB_PROTO_BINARY)
#define P_ALL (P_TEXT | P_BIN)

/*
 * The table: the first row whose protocol set, wire value and command set match gives
 * the status. Where the protocols answer one situation with different words, the rows
 * make the statuses agree, as memcached 1.6.18 answers (t/unit/mcstatus.c checks each
 * situation in the three protocols):
 *   replace of a missing item: NOT_STORED / NS / binary 0x01   -> not_stored
 *   add of an existing item:   NOT_STORED / NS / binary 0x02   -> not_stored
 *   cas of a missing item:     NOT_FOUND / NF / binary 0x01    -> not_found
 *   cas with a stale unique:   EXISTS / EX / binary 0x02       -> exists
 *   append of a missing item:  NOT_STORED / NS / binary 0x05   -> not_stored
 *   incr of a missing item:    NOT_FOUND / NF / binary 0x01    -> not_found
 *   touch of a missing item:   NOT_FOUND / (mg T) EN / 0x01    -> not_found (mg T is a gat: miss)
 */
static const struct row {
	uint32_t protos;
	uint32_t wire;
	uint32_t cmds;
	uint8_t status;
} table[] = {
	/* a suppressed answer is the quiet form's success, or a retrieval's miss */
	{ P_ALL, MB_WIRE_SILENT, READS, MB_ST_MISS },
	{ P_ALL, MB_WIRE_SILENT, STORES, MB_ST_STORED },
	{ P_ALL, MB_WIRE_SILENT, C(DELETE), MB_ST_DELETED },
	{ P_ALL, MB_WIRE_SILENT, ARITH, MB_ST_HIT },
	{ P_ALL, MB_WIRE_SILENT, C(TOUCH), MB_ST_TOUCHED },
	{ P_ALL, MB_WIRE_SILENT, ANY, MB_ST_OK },

	/* text words (also what a meta request gets for an unknown command or bad syntax) */
	{ P_TEXT, MB_W_VALUE, ANY, MB_ST_HIT },
	{ P_TEXT, MB_W_END, READS, MB_ST_MISS },
	{ P_TEXT, MB_W_END, ANY, MB_ST_OK },
	{ P_TEXT, MB_W_NUMBER, ANY, MB_ST_HIT },
	{ P_TEXT, MB_W_STORED, ANY, MB_ST_STORED },
	{ P_TEXT, MB_W_NOT_STORED, ANY, MB_ST_NOT_STORED },
	{ P_TEXT, MB_W_EXISTS, ANY, MB_ST_EXISTS },
	{ P_TEXT, MB_W_NOT_FOUND, ANY, MB_ST_NOT_FOUND },
	{ P_TEXT, MB_W_DELETED, ANY, MB_ST_DELETED },
	{ P_TEXT, MB_W_TOUCHED, ANY, MB_ST_TOUCHED },
	{ P_TEXT, MB_W_OK, ANY, MB_ST_OK },
	{ P_TEXT, MB_W_VERSION, ANY, MB_ST_OK },
	{ P_TEXT, MB_W_STAT, ANY, MB_ST_OK },
	{ P_TEXT, MB_W_ERROR, ANY, MB_ST_ERROR },
	{ P_TEXT, MB_W_CLIENT_ERROR, ANY, MB_ST_CLIENT_ERROR },
	{ P_TEXT, MB_W_SERVER_ERROR, ANY, MB_ST_SERVER_ERROR },
	{ P_TEXT, MB_W_SLABS_BUSY, ANY, MB_ST_SERVER_ERROR },
	{ P_TEXT, MB_W_SLABS_BAD, ANY, MB_ST_CLIENT_ERROR },

	/* meta codes */
	{ P_TEXT, MB_W_VA, ANY, MB_ST_HIT },
	{ P_TEXT, MB_W_HD, READS | ARITH, MB_ST_HIT },
	{ P_TEXT, MB_W_HD, STORES, MB_ST_STORED },
	{ P_TEXT, MB_W_HD, C(DELETE), MB_ST_DELETED },
	{ P_TEXT, MB_W_HD, C(TOUCH), MB_ST_TOUCHED },
	{ P_TEXT, MB_W_HD, ANY, MB_ST_OK },
	{ P_TEXT, MB_W_EN, READS | C(DEBUG), MB_ST_MISS },
	{ P_TEXT, MB_W_EN, ANY, MB_ST_NOT_FOUND },
	{ P_TEXT, MB_W_NF, READS, MB_ST_MISS },
	{ P_TEXT, MB_W_NF, ANY, MB_ST_NOT_FOUND },
	{ P_TEXT, MB_W_NS, ANY, MB_ST_NOT_STORED },
	{ P_TEXT, MB_W_EX, ANY, MB_ST_EXISTS },
	{ P_TEXT, MB_W_MN, ANY, MB_ST_OK },
	{ P_TEXT, MB_W_ME, ANY, MB_ST_HIT },

	/* binary status codes (protocol_binary.h) */
	{ P_BIN, 0x00, READS | ARITH, MB_ST_HIT },
	{ P_BIN, 0x00, STORES, MB_ST_STORED },
	{ P_BIN, 0x00, C(DELETE), MB_ST_DELETED },
	{ P_BIN, 0x00, C(TOUCH), MB_ST_TOUCHED },
	{ P_BIN, 0x00, ANY, MB_ST_OK },
	{ P_BIN, 0x01, READS, MB_ST_MISS },                  /* key not found */
	{ P_BIN, 0x01, C(REPLACE), MB_ST_NOT_STORED },
	{ P_BIN, 0x01, ANY, MB_ST_NOT_FOUND },
	{ P_BIN, 0x02, C(ADD), MB_ST_NOT_STORED },           /* key exists */
	{ P_BIN, 0x02, ANY, MB_ST_EXISTS },
	{ P_BIN, 0x03, ANY, MB_ST_SERVER_ERROR },            /* value too large */
	{ P_BIN, 0x04, ANY, MB_ST_CLIENT_ERROR },            /* invalid arguments */
	{ P_BIN, 0x05, ANY, MB_ST_NOT_STORED },              /* item not stored */
	{ P_BIN, 0x06, ANY, MB_ST_CLIENT_ERROR },            /* incr/decr on a non-numeric value */
	{ P_BIN, 0x20, ANY, MB_ST_CLIENT_ERROR },            /* authentication error */
	{ P_BIN, 0x21, ANY, MB_ST_OK },                      /* authentication continue */
	{ P_BIN, 0x81, ANY, MB_ST_ERROR },                   /* unknown command */
	{ P_BIN, UINT32_MAX, ANY, MB_ST_SERVER_ERROR },      /* out of memory, busy, any other */
	{ P_TEXT, UINT32_MAX, ANY, MB_ST_ERROR },
};

unsigned mb_status_map(unsigned proto, unsigned cmd, unsigned wire)
{
	uint32_t pbit = UINT32_C(1) << (proto < MB_PROTO_COUNT ? proto : MB_PROTO_UNKNOWN);
	uint32_t cbit = cmd < 32 ? UINT32_C(1) << cmd : 0;
	for (unsigned i = 0; i < sizeof table / sizeof table[0]; i++) {
		const struct row *r = &table[i];
		if ((r->protos & pbit) && (r->wire == wire || r->wire == UINT32_MAX) && (r->cmds & cbit || r->cmds == ANY))
			return r->status;
	}
	return MB_ST_ERROR;
}
