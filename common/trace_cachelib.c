/* trace_cachelib.c - CacheLib kvcache CSV (header row, columns by name, op_count expansion) to and from events. */
#include <string.h>

#include "trace.h"

static const char *const col_names[MB_CL_NCOLS] = {
	"op_time", "key", "key_size", "op", "op_count", "size", "cache_hits", "ttl", "usecase", "sub_usecase",
};

/* The operations of the format: lease variants are flagged as meta N (vivify-on-miss) gets, plain sets. */
static const struct {
	const char *name;
	uint8_t cmd;
	uint16_t flags;
} cl_ops[] = {
	{ "GET", MB_CMD_GET, MB_EF_WANT_VALUE },
	{ "GET_LEASE", MB_CMD_GET, MB_EF_WANT_VALUE | MB_EF_VIVIFY },
	{ "SET", MB_CMD_SET, 0 },
	{ "SET_LEASE", MB_CMD_SET, 0 },
	{ "DELETE", MB_CMD_DELETE, 0 },
};
#define NOPS (sizeof cl_ops / sizeof cl_ops[0])

static bool field_is(struct mb_field f, const char *s)
{
	return strlen(s) == f.n && !memcmp(s, f.s, f.n);
}

int mb_cachelib_header(struct mb_trace_reader *t, const char *line, size_t n, struct mb_err *err)
{
	struct mb_field f[MB_TRACE_FIELDS_MAX];
	unsigned nf = mb_trace_split(line, n, f, MB_TRACE_FIELDS_MAX);
	if (nf > MB_TRACE_FIELDS_MAX)
		return mb_err_set(err, MB_ERR, "header has more than %d columns", MB_TRACE_FIELDS_MAX);
	for (unsigned i = 0; i < nf; i++)
		for (int c = 0; c < MB_CL_NCOLS; c++)
			if (field_is(f[i], col_names[c])) {
				if (t->col[c] >= 0)
					return mb_err_set(err, MB_ERR, "header names column %s twice", col_names[c]);
				t->col[c] = (int)i;
			}
	static const int required[] = { MB_CL_OP_TIME, MB_CL_KEY, MB_CL_OP };
	for (unsigned i = 0; i < sizeof required / sizeof required[0]; i++)
		if (t->col[required[i]] < 0)
			return mb_err_set(err, MB_ERR, "header lacks column %s (a cachelib trace starts with a header row "
					  "naming at least op_time, key and op)", col_names[required[i]]);
	t->ncols = nf;
	return MB_OK;
}

/* Column c of a row, or an empty field when the header has no such column. */
static bool col(const struct mb_trace_reader *t, const struct mb_field *f, int c, struct mb_field *out)
{
	if (t->col[c] < 0)
		return false;
	*out = f[t->col[c]];
	return true;
}

int mb_cachelib_row(struct mb_trace_reader *t, const char *line, size_t n, bool *hashed, struct mb_err *err)
{
	struct mb_field f[MB_TRACE_FIELDS_MAX];
	unsigned nf = mb_trace_split(line, n, f, MB_TRACE_FIELDS_MAX);
	if (nf != t->ncols)
		return mb_err_set(err, MB_ERR, "row has %s%u fields, the header has %u", nf > t->ncols ? "more than " : "",
				  nf > t->ncols ? t->ncols : nf, t->ncols);
	struct mb_field v;
	uint64_t op_time, key_size, count = 1, size = 0, hits = 0, usecase = 0, sub;
	int64_t ttl = 0;
	col(t, f, MB_CL_OP_TIME, &v);
	if (!mb_trace_u64(v, UINT32_MAX, &op_time))
		return mb_trace_bad(err, "op_time", v);
	struct mb_field key;
	col(t, f, MB_CL_KEY, &key);
	if (key.n == 0)
		return mb_trace_bad(err, "key", key);
	if (!col(t, f, MB_CL_KEY_SIZE, &v))
		key_size = key.n > UINT16_MAX ? UINT16_MAX : key.n;
	else if (!mb_trace_u64(v, UINT16_MAX, &key_size))
		return mb_trace_bad(err, "key_size", v);
	col(t, f, MB_CL_OP, &v);
	unsigned op = 0;
	while (op < NOPS && !field_is(v, cl_ops[op].name))
		op++;
	if (op == NOPS)
		return mb_trace_bad(err, "op", v);
	if (col(t, f, MB_CL_OP_COUNT, &v) && !mb_trace_u64(v, MB_TRACE_OPCOUNT_MAX, &count))
		return mb_trace_bad(err, "op_count", v);
	if (col(t, f, MB_CL_SIZE, &v) && !mb_trace_u64(v, UINT32_MAX, &size))
		return mb_trace_bad(err, "size", v);
	bool have_hits = col(t, f, MB_CL_CACHE_HITS, &v);
	if (have_hits && !mb_trace_u64(v, count, &hits))
		return mb_trace_bad(err, "cache_hits", v);
	if (col(t, f, MB_CL_TTL, &v) && !mb_trace_i64(v, INT32_MIN, INT32_MAX, &ttl))
		return mb_trace_bad(err, "ttl", v);
	if (col(t, f, MB_CL_USECASE, &v) && !mb_trace_u64(v, UINT32_MAX, &usecase))
		return mb_trace_bad(err, "usecase", v);
	if (col(t, f, MB_CL_SUB_USECASE, &v) && !mb_trace_u64(v, UINT64_MAX, &sub))
		return mb_trace_bad(err, "sub_usecase", v);

	struct mb_event *ev = &t->pend;
	memset(ev, 0, sizeof *ev);
	ev->ts_ns = op_time * 1000000000u;
	ev->conn_id = (uint32_t)usecase;
	ev->proto = MB_PROTO_TEXT;
	ev->transport = MB_TRANSPORT_TCP;
	ev->cmd = cl_ops[op].cmd;
	ev->flags = cl_ops[op].flags;
	ev->key_len = (uint16_t)key_size;
	ev->key_hash = mb_trace_key_id(t->anon, key.s, key.n, hashed);
	ev->ttl = (int32_t)ttl;
	if (mb_cmd_is_store(ev->cmd))
		ev->value_len = (uint32_t)size;
	else if (ev->cmd == MB_CMD_GET)
		ev->resp_len = (uint32_t)size;
	t->pend_left = (uint32_t)count;
	t->pend_split = have_hits && ev->cmd == MB_CMD_GET;
	t->pend_hits = (uint32_t)hits;
	return MB_OK;
}

int mb_cachelib_write_header(struct mb_zout *o, struct mb_err *err)
{
	static const char hdr[] = "op_time,key,key_size,op,op_count,size,cache_hits,ttl,usecase,sub_usecase\n";
	return mb_zout_write(o, hdr, sizeof hdr - 1, err);
}

int mb_cachelib_write(struct mb_zout *o, const struct mb_event *ev, struct mb_err *err)
{
	const char *op;
	uint32_t size;
	if (mb_cmd_is_read(ev->cmd)) {
		op = ev->flags & MB_EF_VIVIFY ? "GET_LEASE" : "GET";
		size = ev->resp_len;
	} else if (mb_cmd_is_store(ev->cmd)) {
		op = "SET";
		size = ev->value_len;
	} else if (ev->cmd == MB_CMD_DELETE) {
		op = "DELETE";
		size = 0;
	} else {
		return 0;
	}
	uint8_t *p = mb_zout_reserve(o, 128, err);
	if (!p)
		return o->rc;
	char *q = (char *)p;
	q = mb_trace_put_lead(q, ev);
	size_t ol = strlen(op);
	memcpy(q, op, ol);
	q += ol;
	memcpy(q, ",1,", 3);
	q += 3;
	q = mb_trace_put_u64(q, size);
	*q++ = ',';
	*q++ = ev->status == MB_ST_HIT ? '1' : '0';
	*q++ = ',';
	q = mb_trace_put_i64(q, ev->ttl);
	*q++ = ',';
	q = mb_trace_put_u64(q, ev->conn_id);
	memcpy(q, ",0\n", 3);
	q += 3;
	o->len += (size_t)(q - (char *)p);
	return 1;
}
