/* mcstatus.c - unit tests of common/mcstatus: one situation answered in three protocols is one status. */
#include "tap.h"

#include "event.h"
#include "mcstatus.h"

/*
 * Situations and the answers memcached 1.6.18 gave to them on this machine (a raw client
 * sent each request in text, meta and binary; doc/parse.md lists the probe). The binary
 * column is the status code; 0xffff means the protocol has no such request.
 */
static const struct situation {
	const char *what;
	uint8_t cmd, meta_cmd;       /* command of the text/binary request, of the meta one */
	uint16_t text, meta, binary; /* the answers */
	uint8_t status;              /* the event status all three must map to */
} cases[] = {
	{ "replace of a missing item", MB_CMD_REPLACE, MB_CMD_REPLACE, MB_W_NOT_STORED, MB_W_NS, 0x01, MB_ST_NOT_STORED },
	{ "add of an existing item", MB_CMD_ADD, MB_CMD_ADD, MB_W_NOT_STORED, MB_W_NS, 0x02, MB_ST_NOT_STORED },
	{ "cas of a missing item", MB_CMD_CAS, MB_CMD_CAS, MB_W_NOT_FOUND, MB_W_NF, 0x01, MB_ST_NOT_FOUND },
	{ "cas with a stale unique", MB_CMD_CAS, MB_CMD_CAS, MB_W_EXISTS, MB_W_EX, 0x02, MB_ST_EXISTS },
	{ "append to a missing item", MB_CMD_APPEND, MB_CMD_APPEND, MB_W_NOT_STORED, MB_W_NS, 0x05, MB_ST_NOT_STORED },
	{ "prepend to a missing item", MB_CMD_PREPEND, MB_CMD_PREPEND, MB_W_NOT_STORED, MB_W_NS, 0x05, MB_ST_NOT_STORED },
	{ "set", MB_CMD_SET, MB_CMD_SET, MB_W_STORED, MB_W_HD, 0x00, MB_ST_STORED },
	{ "incr of a missing item", MB_CMD_INCR, MB_CMD_INCR, MB_W_NOT_FOUND, MB_W_NF, 0x01, MB_ST_NOT_FOUND },
	{ "decr of a missing item", MB_CMD_DECR, MB_CMD_DECR, MB_W_NOT_FOUND, MB_W_NF, 0x01, MB_ST_NOT_FOUND },
	{ "incr of a number", MB_CMD_INCR, MB_CMD_INCR, MB_W_NUMBER, MB_W_HD, 0x00, MB_ST_HIT },
	{ "incr of a number, value asked", MB_CMD_INCR, MB_CMD_INCR, MB_W_NUMBER, MB_W_VA, 0x00, MB_ST_HIT },
	{ "incr of a non-number", MB_CMD_INCR, MB_CMD_INCR, MB_W_CLIENT_ERROR, MB_W_CLIENT_ERROR, 0x06,
	  MB_ST_CLIENT_ERROR },
	{ "delete of a missing item", MB_CMD_DELETE, MB_CMD_DELETE, MB_W_NOT_FOUND, MB_W_NF, 0x01, MB_ST_NOT_FOUND },
	{ "delete", MB_CMD_DELETE, MB_CMD_DELETE, MB_W_DELETED, MB_W_HD, 0x00, MB_ST_DELETED },
	{ "delete with a stale unique", MB_CMD_DELETE, MB_CMD_DELETE, 0xffff, MB_W_EX, 0x02, MB_ST_EXISTS },
	{ "get of a missing item", MB_CMD_GET, MB_CMD_GET, MB_W_END, MB_W_EN, 0x01, MB_ST_MISS },
	{ "get", MB_CMD_GET, MB_CMD_GET, MB_W_VALUE, MB_W_VA, 0x00, MB_ST_HIT },
	{ "touch", MB_CMD_TOUCH, MB_CMD_GAT, MB_W_TOUCHED, 0xffff, 0x00, MB_ST_TOUCHED },
	{ "touch of a missing item", MB_CMD_TOUCH, MB_CMD_TOUCH, MB_W_NOT_FOUND, 0xffff, 0x01, MB_ST_NOT_FOUND },
	{ "gat of a missing item (mg T)", MB_CMD_GAT, MB_CMD_GAT, MB_W_END, MB_W_EN, 0x01, MB_ST_MISS },
	{ "value too large", MB_CMD_SET, MB_CMD_SET, MB_W_SERVER_ERROR, MB_W_SERVER_ERROR, 0x03, MB_ST_SERVER_ERROR },
	{ "unknown command", MB_CMD_UNKNOWN, MB_CMD_UNKNOWN, MB_W_ERROR, MB_W_ERROR, 0x81, MB_ST_ERROR },
	{ "stats", MB_CMD_STATS, MB_CMD_STATS, MB_W_END, 0xffff, 0x00, MB_ST_OK },
	{ "no-op", MB_CMD_NOOP, MB_CMD_NOOP, 0xffff, MB_W_MN, 0x00, MB_ST_OK },
	{ "me of a missing item", MB_CMD_DEBUG, MB_CMD_DEBUG, 0xffff, MB_W_EN, 0xffff, MB_ST_MISS },
	{ "me of an item", MB_CMD_DEBUG, MB_CMD_DEBUG, 0xffff, MB_W_ME, 0xffff, MB_ST_HIT },
	{ "version", MB_CMD_VERSION, MB_CMD_VERSION, MB_W_VERSION, 0xffff, 0x00, MB_ST_OK },
	{ "flush_all", MB_CMD_FLUSH_ALL, MB_CMD_FLUSH_ALL, MB_W_OK, 0xffff, 0x00, MB_ST_OK },
};

int main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct situation *c = &cases[i];
		if (c->text != 0xffff)
			is_int(mb_status_map(MB_PROTO_TEXT, c->cmd, c->text), c->status, "%s: text", c->what);
		if (c->meta != 0xffff)
			is_int(mb_status_map(MB_PROTO_META, c->meta_cmd, c->meta), c->status, "%s: meta", c->what);
		if (c->binary != 0xffff)
			is_int(mb_status_map(MB_PROTO_BINARY, c->cmd, c->binary), c->status, "%s: binary", c->what);
	}
	/* a suppressed answer: the quiet form's success in every protocol, a retrieval's miss */
	static const uint8_t quiet[][2] = { { MB_CMD_GET, MB_ST_MISS },	 { MB_CMD_SET, MB_ST_STORED },
					    { MB_CMD_CAS, MB_ST_STORED }, { MB_CMD_DELETE, MB_ST_DELETED },
					    { MB_CMD_INCR, MB_ST_HIT },	 { MB_CMD_TOUCH, MB_ST_TOUCHED },
					    { MB_CMD_NOOP, MB_ST_OK } };
	for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++)
		for (unsigned p = MB_PROTO_TEXT; p <= MB_PROTO_BINARY; p++)
			is_int(mb_status_map(p, quiet[i][0], MB_WIRE_SILENT), quiet[i][1], "suppressed answer to %s (%s)",
			       mb_cmd_name(quiet[i][0]), mb_proto_name(p));
	/* every (protocol, command, wire) has a status in range: the table never falls through */
	int in_range = 1;
	for (unsigned p = 0; p < MB_PROTO_COUNT + 2; p++)
		for (unsigned c = 0; c < 40; c++)
			for (unsigned w = 0; w < 0x120; w++)
				if (mb_status_map(p, c, w) == MB_ST_NONE || mb_status_map(p, c, w) >= MB_ST_COUNT)
					in_range = 0;
	ok(in_range, "every protocol, command and wire value maps to a status other than none");
	is_int(mb_status_map(MB_PROTO_BINARY, MB_CMD_GET, 0x82), MB_ST_SERVER_ERROR, "binary out of memory: server error");
	is_int(mb_status_map(MB_PROTO_BINARY, MB_CMD_AUTH, 0x20), MB_ST_CLIENT_ERROR, "binary auth error: client error");
	is_int(mb_status_map(MB_PROTO_BINARY, MB_CMD_AUTH, 0x21), MB_ST_OK, "binary auth continue: ok");
	is_int(mb_status_map(MB_PROTO_TEXT, MB_CMD_ADMIN, MB_W_SLABS_BUSY), MB_ST_SERVER_ERROR, "slabs BUSY: server error");
	return done_testing();
}
