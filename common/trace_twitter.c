/* trace_twitter.c - twitter/cache-trace CSV rows (ts,key,key size,value size,client,op,ttl) to and from events. */
#include <string.h>

#include "trace.h"

/* The eleven operations of the format, in the order of the published README, and the command each is. */
static const struct {
	const char *name;
	uint8_t cmd;
} twitter_ops[] = {
	{ "get", MB_CMD_GET },         { "gets", MB_CMD_GETS },   { "set", MB_CMD_SET },
	{ "add", MB_CMD_ADD },         { "replace", MB_CMD_REPLACE }, { "cas", MB_CMD_CAS },
	{ "append", MB_CMD_APPEND },   { "prepend", MB_CMD_PREPEND }, { "delete", MB_CMD_DELETE },
	{ "incr", MB_CMD_INCR },       { "decr", MB_CMD_DECR },
};
#define NOPS (sizeof twitter_ops / sizeof twitter_ops[0])

enum { F_TS, F_KEY, F_KEY_SIZE, F_VALUE_SIZE, F_CLIENT, F_OP, F_TTL, NFIELDS };

int mb_twitter_row(const char *line, size_t n, const struct mb_anon *a, struct mb_event *ev, bool *hashed,
		   struct mb_err *err)
{
	struct mb_field f[NFIELDS];
	unsigned nf = mb_trace_split(line, n, f, NFIELDS);
	if (nf != NFIELDS)
		return mb_err_set(err, MB_ERR, "row has %s%u fields, expected %d", nf > NFIELDS ? "more than " : "",
				  nf > NFIELDS ? NFIELDS : nf, NFIELDS);
	uint64_t ts, key_size, value_size, client;
	int64_t ttl;
	if (!mb_trace_u64(f[F_TS], UINT32_MAX, &ts))
		return mb_trace_bad(err, "timestamp", f[F_TS]);
	if (f[F_KEY].n == 0)
		return mb_trace_bad(err, "key", f[F_KEY]);
	if (!mb_trace_u64(f[F_KEY_SIZE], UINT16_MAX, &key_size))
		return mb_trace_bad(err, "key_size", f[F_KEY_SIZE]);
	if (!mb_trace_u64(f[F_VALUE_SIZE], UINT32_MAX, &value_size))
		return mb_trace_bad(err, "value_size", f[F_VALUE_SIZE]);
	if (!mb_trace_u64(f[F_CLIENT], UINT32_MAX, &client))
		return mb_trace_bad(err, "client", f[F_CLIENT]);
	unsigned op = 0;
	while (op < NOPS && !(strlen(twitter_ops[op].name) == f[F_OP].n &&
			      !memcmp(twitter_ops[op].name, f[F_OP].s, f[F_OP].n)))
		op++;
	if (op == NOPS)
		return mb_trace_bad(err, "op", f[F_OP]);
	if (!mb_trace_i64(f[F_TTL], INT32_MIN, INT32_MAX, &ttl))
		return mb_trace_bad(err, "ttl", f[F_TTL]);

	memset(ev, 0, sizeof *ev);
	ev->ts_ns = ts * 1000000000u;
	ev->conn_id = (uint32_t)client;
	ev->proto = MB_PROTO_TEXT;
	ev->transport = MB_TRANSPORT_TCP;
	ev->cmd = twitter_ops[op].cmd;
	ev->status = MB_ST_NONE;
	ev->key_len = (uint16_t)key_size;
	ev->key_hash = mb_trace_key_id(a, f[F_KEY].s, f[F_KEY].n, hashed);
	if (mb_cmd_is_store(ev->cmd))
		ev->value_len = (uint32_t)value_size;
	else
		ev->resp_len = (uint32_t)value_size;
	ev->ttl = (int32_t)ttl;
	if (ev->cmd == MB_CMD_GET)
		ev->flags = MB_EF_WANT_VALUE;
	else if (ev->cmd == MB_CMD_GETS)
		ev->flags = MB_EF_WANT_VALUE | MB_EF_WANT_CAS;
	return MB_OK;
}

/* The twitter operation name of a command, or NULL when the format has none (gat/gats read as get/gets). */
static const char *op_name(unsigned cmd)
{
	if (cmd == MB_CMD_GAT)
		cmd = MB_CMD_GET;
	else if (cmd == MB_CMD_GATS)
		cmd = MB_CMD_GETS;
	for (unsigned i = 0; i < NOPS; i++)
		if (twitter_ops[i].cmd == cmd)
			return twitter_ops[i].name;
	return NULL;
}

int mb_twitter_write(struct mb_zout *o, const struct mb_event *ev, struct mb_err *err)
{
	const char *op = op_name(ev->cmd);
	if (!op)
		return 0;
	/* 11 + 16 + 5 + 10 + 10 + 7 + 11 digits, signs and names, 6 commas, newline */
	uint8_t *p = mb_zout_reserve(o, 96, err);
	if (!p)
		return o->rc;
	char *q = (char *)p;
	q = mb_trace_put_lead(q, ev);
	q = mb_trace_put_u64(q, mb_cmd_is_store(ev->cmd) ? ev->value_len : ev->resp_len);
	*q++ = ',';
	q = mb_trace_put_u64(q, ev->conn_id);
	*q++ = ',';
	size_t ol = strlen(op);
	memcpy(q, op, ol);
	q += ol;
	*q++ = ',';
	q = mb_trace_put_i64(q, ev->ttl);
	*q++ = '\n';
	o->len += (size_t)(q - (char *)p);
	return 1;
}
