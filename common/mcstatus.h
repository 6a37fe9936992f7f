/* mcstatus.h - the one table from a memcached answer (protocol, command, wire status) to an event status. */
#ifndef MB_MCSTATUS_H
#define MB_MCSTATUS_H

#include <stdint.h>

/*
 * A text or meta answer as it appears on the wire (the first word of the line). Binary
 * answers are named by their 16-bit status code instead (protocol_binary.h).
 */
enum mb_wire {
	MB_W_VALUE = 1,     /* text VALUE block */
	MB_W_END,           /* END: a text retrieval found nothing; ends stats */
	MB_W_NUMBER,        /* incr/decr result */
	MB_W_STORED,
	MB_W_NOT_STORED,
	MB_W_EXISTS,
	MB_W_NOT_FOUND,
	MB_W_DELETED,
	MB_W_TOUCHED,
	MB_W_OK,            /* OK, RESET */
	MB_W_VERSION,
	MB_W_STAT,          /* a stats line */
	MB_W_ERROR,
	MB_W_CLIENT_ERROR,
	MB_W_SERVER_ERROR,
	MB_W_SLABS_BUSY,    /* slabs reassign: BUSY, NOSPARE, NOTFULL, UNSAFE */
	MB_W_SLABS_BAD,     /* slabs reassign: BADCLASS, SAME */
	MB_W_VA,            /* meta */
	MB_W_HD,
	MB_W_EN,
	MB_W_NF,
	MB_W_NS,
	MB_W_EX,
	MB_W_MN,
	MB_W_ME,
	MB_W_COUNT
};

/* Wire value of "no answer": a quiet request (noreply, meta q, binary quiet opcode) whose
   answer the server suppressed, as a later answer on the connection proved. */
#define MB_WIRE_SILENT 0x10000u

/*
 * The event status (enum mb_status) that answer `wire` to a request of command `cmd`
 * (enum mb_cmd) means. proto is the request's enum mb_proto: for MB_PROTO_BINARY wire is
 * the binary status code, otherwise an enum mb_wire (text and meta answers share a
 * port: a meta request can get a text ERROR). MB_WIRE_SILENT works for every protocol.
 * Never fails: an unknown wire value maps to the protocol's error status.
 */
unsigned mb_status_map(unsigned proto, unsigned cmd, unsigned wire);

#endif
