/* mcpair.c - framing of both directions of a memcached connection and pairing of requests with responses. */
#include "mcpair.h"
#include "mcstatus.h"

#include <stdlib.h>
#include <string.h>

static inline bool seq_ge(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

void mc_ctx_init(struct mc_ctx *ctx, void (*emit)(void *, const struct mb_event *), void *arg)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->emit = emit;
	ctx->arg = arg;
	ctx->pending_cap = MC_PENDING_DEFAULT;
}

void mc_conn_init(struct mc_conn *c, uint32_t conn_id, uint8_t transport, bool joined)
{
	memset(c, 0, sizeof *c);
	c->conn_id = conn_id;
	c->transport = transport;
	c->seq_valid = transport == MB_TRANSPORT_TCP;
	c->half[1].server = true;
	if (joined) {
		c->half[0].state = MC_H_HUNT;
		c->half[1].state = MC_H_HUNT;
	}
}

size_t mc_conn_mem(const struct mc_conn *c)
{
	return (size_t)c->qcap * sizeof(struct mc_pend) + c->half[0].ccap + c->half[1].ccap;
}

/* ---- the pending queue: a ring of key operations in request order ---- */

static inline struct mc_pend *q_at(const struct mc_conn *c, uint32_t i)
{
	return &c->q[(c->qhead + i) & (c->qcap - 1)];
}

/* Write one entry as an event. */
static void emit_entry(struct mc_ctx *ctx, const struct mc_conn *c, const struct mc_pend *e)
{
	struct mb_event ev;
	ev.ts_ns = e->ts;
	ev.latency_ns = e->resp_ts && e->resp_ts >= e->ts ? e->resp_ts - e->ts : 0;
	ev.conn_id = c->conn_id;
	ev.batch_id = e->batch_id;
	ev.value_len = e->value_len;
	ev.resp_len = e->resp_len;
	ev.ttl = e->ttl;
	ev.flags = e->flags;
	ev.key_len = e->key_len;
	ev.proto = e->proto;
	ev.transport = c->transport;
	ev.cmd = e->cmd;
	ev.status = e->status;
	ev.key_hash = 0;
	ev.key = e->key;
	ev.sem = e->sem;
	if (c->server) { /* the first server is the default: single-server streams do not grow */
		ev.sem.server = c->server;
		ev.sem.has |= MB_SEM_SERVER;
	}
	ctx->cnt.events++;
	ctx->cnt.ev_proto[e->proto < MB_PROTO_COUNT ? e->proto : 0]++;
	ctx->cnt.ev_cmd[e->cmd < MB_CMD_COUNT ? e->cmd : 0]++;
	ctx->cnt.ev_status[e->status < MB_ST_COUNT ? e->status : 0]++;
	if (e->flags & MB_EF_INFERRED)
		ctx->cnt.inferred++;
	if (e->flags & MB_EF_AMBIGUOUS)
		ctx->cnt.ambiguous++;
	ctx->emit(ctx->arg, &ev);
}

/* Emit and remove the head entry. */
static void pop_head(struct mc_ctx *ctx, struct mc_conn *c)
{
	emit_entry(ctx, c, q_at(c, 0));
	c->qhead = (c->qhead + 1) & (c->qcap - 1);
	c->qlen--;
	if (c->batch_cursor)
		c->batch_cursor--;
}

/* Emit head entries whose outcome is known, in request order. */
static void q_drain(struct mc_ctx *ctx, struct mc_conn *c)
{
	while (c->qlen) {
		struct mc_pend *e = q_at(c, 0);
		if (!e->done || !e->body_done)
			break;
		pop_head(ctx, c);
	}
}

/* Room for one more entry: grow the ring, or drop the oldest as unanswered at the cap. */
static struct mc_pend *q_push(struct mc_ctx *ctx, struct mc_conn *c)
{
	if (c->qlen == c->qcap) {
		if (c->qcap >= ctx->pending_cap) {
			ctx->cnt.pending_overflow++;
			struct mc_pend *h = q_at(c, 0);
			if (!h->done)
				h->status = MB_ST_UNANSWERED;
			pop_head(ctx, c);
		} else {
			uint32_t ncap = c->qcap ? c->qcap * 2 : 8;
			struct mc_pend *nq = malloc((size_t)ncap * sizeof *nq);
			if (!nq) {
				ctx->cnt.pending_overflow++;
				struct mc_pend *h = q_at(c, 0);
				if (!h->done)
					h->status = MB_ST_UNANSWERED;
				pop_head(ctx, c);
			} else {
				for (uint32_t i = 0; i < c->qlen; i++)
					nq[i] = *q_at(c, i);
				free(c->q);
				ctx->mem += (uint64_t)(ncap - c->qcap) * sizeof *nq;
				c->q = nq;
				c->qcap = ncap;
				c->qhead = 0;
			}
		}
	}
	struct mc_pend *e = q_at(c, c->qlen);
	c->qlen++;
	return e;
}

/* Entries of the head request (a multi-key batch, or 1). */
static uint32_t head_batch_len(const struct mc_conn *c)
{
	const struct mc_pend *h = q_at(c, 0);
	if (!h->batch_id)
		return 1;
	uint32_t n = 1;
	while (n < c->qlen && q_at(c, n)->batch_id == h->batch_id)
		n++;
	return n;
}

/* ---- requests ---- */

/* Queue the key operations of one request. */
static void handle_req(struct mc_ctx *ctx, struct mc_conn *c, const struct mc_req *rq, uint64_t ts, uint32_t end_seq)
{
	struct mc_half *h = &c->half[0];
	uint16_t extra = 0;
	if (h->resync_mark) {
		extra = MB_EF_RESYNC;
		h->resync_mark = false;
	}
	if (!c->proto_lock)
		c->proto_lock = rq->proto == MB_PROTO_BINARY ? 2 : 1;
	if (rq->cmd == MB_CMD_UNKNOWN)
		ctx->cnt.unknown_cmds++;
	if (rq->malformed)
		ctx->cnt.malformed++;
	ctx->cnt.keys_over_cap += rq->keys_over;
	bool cont = h->cont_cmd != 0;
	unsigned n = rq->nkeys || cont ? rq->nkeys : 1;
	uint32_t batch = 0;
	if (cont) {
		batch = c->cont_batch;
	} else if (n > 1 || rq->partial) {
		batch = ++ctx->next_batch;
		if (!batch)
			batch = ++ctx->next_batch;
		ctx->cnt.batches++;
	}
	int32_t ttl = cont ? h->cont_ttl : rq->ttl;
	h->cont_cmd = rq->partial ? rq->cmd : 0;
	h->cont_ttl = ttl;
	c->cont_batch = batch;
	if (cont && !rq->partial) {
		/* the line is complete now: that is when its keys were requested */
		for (uint32_t i = c->qlen; i > 0 && q_at(c, i - 1)->batch_id == batch; i--) {
			q_at(c, i - 1)->ts = ts;
			if (n == 0 && i == c->qlen)
				q_at(c, i - 1)->flags |= MB_EF_BATCH_END;
		}
	}
	bool body = rq->skip > 0;
	for (unsigned i = 0; i < n; i++) {
		struct mc_pend *e = q_push(ctx, c);
		e->ts = ts;
		e->resp_ts = 0;
		e->batch_id = batch;
		e->value_len = rq->value_len;
		e->resp_len = 0;
		e->opaque = rq->opaque;
		e->end_seq = end_seq;
		e->udp_reqid = c->udp_req;
		e->ttl = ttl;
		e->flags = rq->flags | extra;
		if (batch)
			e->flags |= MB_EF_MULTI | (i == n - 1 && !rq->partial ? MB_EF_BATCH_END : 0);
		extra = 0;
		e->proto = rq->proto;
		e->cmd = rq->cmd;
		e->expect = rq->expect;
		e->status = MB_ST_NONE;
		e->bin_opcode = rq->bin_opcode;
		e->has_opaque = rq->has_opaque;
		e->malformed = rq->malformed;
		e->want_key = rq->want_key;
		e->cas_cmp = rq->cas_cmp;
		e->amb = false;
		e->tentative = c->tentative;
		e->opq_len = rq->opq_len;
		e->sem = rq->sem;
		if (rq->opq_len)
			memcpy(e->opq, rq->opq, rq->opq_len);
		e->done = rq->expect == MC_EXP_NONE;
		e->body_done = !body;
		if (rq->nkeys) {
			e->key_len = rq->keys[i].len;
			memcpy(e->key, rq->keys[i].p, rq->keys[i].len);
			if (rq->keys[i].cut)
				e->flags |= MB_EF_KEY_CUT;
		} else {
			e->key_len = 0;
		}
	}
	h->body_open = body;
	q_drain(ctx, c);
}

/* The body of the last request ended at ts: that is when the request completed. */
static void body_end(struct mc_ctx *ctx, struct mc_conn *c, uint64_t ts)
{
	c->half[0].body_open = false;
	if (c->qlen) {
		struct mc_pend *t = q_at(c, c->qlen - 1);
		if (!t->body_done) {
			t->ts = ts;
			t->body_done = true;
		}
	}
	q_drain(ctx, c);
}

/* ---- responses ---- */

/* Status a quiet request had when its reply was suppressed. */
static uint8_t quiet_status(uint8_t cmd)
{
	return (uint8_t)mb_status_map(MB_PROTO_TEXT, cmd, MB_WIRE_SILENT);
}

static bool is_read(uint8_t cmd)
{
	return cmd == MB_CMD_GET || cmd == MB_CMD_GETS || cmd == MB_CMD_GAT || cmd == MB_CMD_GATS;
}

static bool is_store(uint8_t cmd)
{
	return cmd >= MB_CMD_SET && cmd <= MB_CMD_CAS;
}

/* Status of a meta response code for a request command (common/mcstatus.c). */
static uint8_t meta_status(uint8_t cmd, uint8_t code)
{
	static const uint8_t wire[] = { [MC_M_HD] = MB_W_HD, [MC_M_VA] = MB_W_VA, [MC_M_EN] = MB_W_EN,
					[MC_M_NF] = MB_W_NF, [MC_M_NS] = MB_W_NS, [MC_M_EX] = MB_W_EX,
					[MC_M_MN] = MB_W_MN, [MC_M_ME] = MB_W_ME };
	return (uint8_t)mb_status_map(MB_PROTO_META, cmd, code < sizeof wire ? wire[code] : 0);
}

/* Status of a binary response status code for a request command (common/mcstatus.c). */
static uint8_t bin_status(uint8_t cmd, uint16_t st)
{
	return (uint8_t)mb_status_map(MB_PROTO_BINARY, cmd, st);
}

/* The meta reply codes a request can get (bit per enum mc_meta_code), memcached 1.6.18. */
static unsigned meta_codes(const struct mc_pend *e)
{
	unsigned cas = e->cas_cmp ? 1u << MC_M_EX | 1u << MC_M_NF : 0;
	if (is_read(e->cmd))
		return 1u << MC_M_VA | 1u << MC_M_HD | 1u << MC_M_EN;
	if (is_store(e->cmd))
		return 1u << MC_M_HD | 1u << MC_M_NS | cas; /* NF and EX only answer a C compare */
	if (e->cmd == MB_CMD_DELETE)
		return 1u << MC_M_HD | 1u << MC_M_NF | cas;
	if (e->cmd == MB_CMD_INCR || e->cmd == MB_CMD_DECR)
		return 1u << MC_M_HD | 1u << MC_M_VA | 1u << MC_M_NF | 1u << MC_M_NS | cas;
	if (e->cmd == MB_CMD_DEBUG)
		return 1u << MC_M_ME | 1u << MC_M_EN;
	if (e->cmd == MB_CMD_NOOP)
		return 1u << MC_M_MN;
	return 0;
}

/*
 * Could quiet meta entry e have sent reply rs? memcached (1.6.18, checked live)
 * suppresses under q: EN of mg, HD of ms and md, HD and VA of ma (but an ma
 * with N that creates its item answers HD); it returns every other code, and
 * errors. Errors: the one about a non-numeric value only comes from an ma, bad
 * data chunk / object too large only from an ms; others come from refused
 * lines, which are never quiet (an error clears q).
 */
static bool quiet_can(const struct mc_pend *e, const struct mc_resp *rs)
{
	if (rs->kind == MC_R_STATUS && rs->status >= MB_ST_ERROR) {
		if (e->malformed)
			return true;
		if (rs->err == MC_E_ARITH)
			return e->cmd == MB_CMD_INCR || e->cmd == MB_CMD_DECR;
		if (rs->err == MC_E_STORE)
			return is_store(e->cmd);
		return false;
	}
	if (rs->kind != MC_R_META)
		return false;
	if (rs->meta == MC_M_MN)
		return e->cmd == MB_CMD_NOOP;
	/* memcached echoes O and k exactly when the request had them */
	if (rs->has_opaque != e->has_opaque ||
	    (rs->has_opaque && (rs->opq_len != e->opq_len || memcmp(rs->opq, e->opq, e->opq_len) != 0)))
		return false;
	if ((rs->key != NULL) != e->want_key)
		return false;
	if (rs->key && !(e->flags & MB_EF_BASE64) &&
	    (rs->key_len != e->key_len || memcmp(rs->key, e->key, e->key_len) != 0))
		return false;
	unsigned codes = meta_codes(e);
	if (is_read(e->cmd) || e->cmd == MB_CMD_DEBUG)
		codes &= ~(1u << MC_M_EN);
	else if (e->cmd == MB_CMD_INCR || e->cmd == MB_CMD_DECR)
		codes &= ~((e->flags & MB_EF_VIVIFY ? 0 : 1u << MC_M_HD) | 1u << MC_M_VA);
	else
		codes &= ~(1u << MC_M_HD);
	return codes >> rs->meta & 1;
}

/* Could response rs be the reply of quiet head entry e, or was e's reply suppressed? */
static bool quiet_skipped(const struct mc_pend *e, const struct mc_resp *rs)
{
	if (e->proto == MB_PROTO_BINARY) {
		if (rs->kind != MC_R_BINARY)
			return true;
		if (rs->opaque != e->opaque || rs->bin_opcode != e->bin_opcode)
			return true;
		/* GETKQ/GATKQ replies carry the key: with equal opaques (libmemcached sends 0) it tells them apart */
		return rs->key_len > 0 && e->key_len > 0 && is_read(e->cmd) &&
		       (rs->key_len != e->key_len || memcmp(rs->key, e->key, e->key_len) != 0);
	}
	return !quiet_can(e, rs);
}

static bool fits(const struct mc_conn *c, const struct mc_pend *e, const struct mc_resp *rs);

/*
 * Quiet meta head e takes reply rs. When another pending request could have sent
 * it too (a later quiet one, or the first one that always answers), the wire
 * cannot tell which did: the head takes it (replies come in order and it is the
 * first that could) and is flagged ambiguous; the other quiet candidates are
 * flagged too if their status ends up inferred.
 */
static void quiet_mark_ambiguous(struct mc_conn *c, struct mc_pend *e, const struct mc_resp *rs)
{
	bool other = false;
	for (uint32_t i = 1; i < c->qlen; i++) {
		struct mc_pend *x = q_at(c, i);
		if (x->done)
			continue;
		if (x->proto != MB_PROTO_META || !(x->flags & MB_EF_NOREPLY)) {
			/* the first request that always answers: errors by what can cause them */
			if (rs->kind == MC_R_STATUS && rs->status >= MB_ST_ERROR && rs->err != MC_E_OTHER)
				other = other || quiet_can(x, rs);
			else
				other = other || fits(c, x, rs);
			break;
		}
		if (quiet_can(x, rs)) {
			x->amb = true;
			other = true;
		}
	}
	if (other)
		e->flags |= MB_EF_AMBIGUOUS;
}

/* Could rs be the reply of head entry e at all (command, reply kind, key, opcode, opaque)? */
static bool fits(const struct mc_conn *c, const struct mc_pend *e, const struct mc_resp *rs)
{
	if (rs->kind == MC_R_STATUS && rs->status >= MB_ST_ERROR)
		return true; /* any request can get an error */
	if (e->proto == MB_PROTO_BINARY)
		return rs->kind == MC_R_BINARY && rs->bin_opcode == e->bin_opcode && rs->opaque == e->opaque;
	if (rs->kind == MC_R_BINARY)
		return false;
	if (e->expect == MC_EXP_VALUES) {
		if (rs->kind == MC_R_END)
			return true;
		if (rs->kind != MC_R_VALUE)
			return false;
		uint32_t n = head_batch_len(c);
		for (uint32_t i = 0; i < n; i++) {
			const struct mc_pend *k = q_at(c, i);
			if (k->key_len == rs->key_len && memcmp(k->key, rs->key, rs->key_len) == 0)
				return true;
		}
		return false;
	}
	if (e->expect == MC_EXP_MULTI)
		return rs->kind == MC_R_DATA || rs->kind == MC_R_END || rs->kind == MC_R_STATUS;
	if (e->proto == MB_PROTO_META)
		return rs->kind == MC_R_META && (meta_codes(e) >> rs->meta & 1);
	uint8_t st = rs->kind == MC_R_STATUS ? rs->status : MB_ST_NONE;
	if (is_store(e->cmd))
		return st == MB_ST_STORED || st == MB_ST_NOT_STORED || st == MB_ST_EXISTS || st == MB_ST_NOT_FOUND;
	switch (e->cmd) {
	case MB_CMD_DELETE: return st == MB_ST_DELETED || st == MB_ST_NOT_FOUND;
	case MB_CMD_INCR: case MB_CMD_DECR: return rs->kind == MC_R_NUMBER || st == MB_ST_NOT_FOUND;
	case MB_CMD_TOUCH: return st == MB_ST_TOUCHED || st == MB_ST_NOT_FOUND;
	case MB_CMD_UNKNOWN: return false;
	default: return rs->kind == MC_R_STATUS || rs->kind == MC_R_DATA;
	}
}

/*
 * A reply that cannot belong to the head request, decoded after a resync,
 * proves the resync point was wrong (e.g. lines inside a value): drop every
 * unconfirmed request without emitting it and hunt again.
 */
static void drop_tentative(struct mc_ctx *ctx, struct mc_conn *c)
{
	struct mc_half *h = &c->half[0];
	ctx->cnt.dropped_untrusted += c->qlen;
	c->qlen = 0;
	c->batch_cursor = 0;
	ctx->cnt.desyncs++;
	h->state = MC_H_HUNT;
	h->clen = 0;
	h->skip = 0;
	h->body_open = false;
	h->no_cand_at_start = false;
	h->cont_cmd = 0;
}

/* A fitting reply confirms the requests decoded since the resync. */
static void confirm(struct mc_conn *c)
{
	c->tentative = false;
	for (uint32_t i = 0; i < c->qlen; i++)
		q_at(c, i)->tentative = false;
}

/* Mark the head entry finished with a status and emit what is ready. */
static void finish_head(struct mc_ctx *ctx, struct mc_conn *c, uint8_t st)
{
	struct mc_pend *e = q_at(c, 0);
	e->status = st;
	e->done = true;
	e->body_done = true;
	q_drain(ctx, c);
}

/* A classic get response piece (VALUE, END or an error) for the head batch. */
static void get_response(struct mc_ctx *ctx, struct mc_conn *c, const struct mc_resp *rs, uint64_t start)
{
	uint32_t n = head_batch_len(c);
	if (rs->kind == MC_R_VALUE) {
		for (uint32_t i = c->batch_cursor; i < n; i++) {
			struct mc_pend *e = q_at(c, i);
			if (e->key_len == rs->key_len && memcmp(e->key, rs->key, rs->key_len) == 0) {
				e->status = MB_ST_HIT;
				e->resp_len = rs->value_len;
				c->batch_cursor = i + 1;
				return;
			}
		}
		ctx->cnt.unmatched_resp++;
		return;
	}
	uint8_t st = rs->kind == MC_R_STATUS ? rs->status : MB_ST_MISS;
	if (rs->kind != MC_R_END && rs->kind != MC_R_STATUS)
		st = MB_ST_ERROR;
	for (uint32_t i = 0; i < n; i++) {
		struct mc_pend *e = q_at(c, i);
		if (e->status == MB_ST_NONE || rs->kind != MC_R_END)
			e->status = st;
		e->resp_ts = start;
		e->done = true;
		e->body_done = true;
	}
	c->batch_cursor = 0;
	q_drain(ctx, c);
}

/* Pair one response with the request it answers. */
static void handle_resp(struct mc_ctx *ctx, struct mc_conn *c, const struct mc_resp *rs, uint64_t start,
			const struct mc_chunk *ch)
{
	struct mc_pend *e;
	for (;;) {
		q_drain(ctx, c);
		if (!c->qlen) {
			ctx->cnt.unmatched_resp++;
			return;
		}
		e = q_at(c, 0);
		if (e->done) {
			ctx->cnt.unmatched_resp++; /* the head only waits for its body: nothing answers it */
			return;
		}
		if (c->seq_valid && ch->has_ack && !seq_ge(ch->ack, e->end_seq)) {
			/* sent before the server had the request: it answers one we never saw */
			ctx->cnt.unmatched_resp++;
			return;
		}
		if ((e->flags & MB_EF_NOREPLY) && e->proto != MB_PROTO_TEXT) {
			if (quiet_skipped(e, rs)) {
				e->flags |= MB_EF_INFERRED | (e->amb ? MB_EF_AMBIGUOUS : 0);
				finish_head(ctx, c, quiet_status(e->cmd));
				continue;
			}
			if (e->proto == MB_PROTO_META)
				quiet_mark_ambiguous(c, e, rs);
		}
		if (e->proto == MB_PROTO_BINARY && rs->kind == MC_R_BINARY && rs->opaque != e->opaque) {
			bool later = false;
			for (uint32_t i = 1; i < c->qlen && !later; i++)
				later = q_at(c, i)->proto == MB_PROTO_BINARY && q_at(c, i)->opaque == rs->opaque;
			if (!later) {
				ctx->cnt.unmatched_resp++;
				return;
			}
			finish_head(ctx, c, MB_ST_UNANSWERED);
			continue;
		}
		break;
	}
	if (e->tentative) {
		if (!fits(c, e, rs)) {
			drop_tentative(ctx, c);
			ctx->cnt.unmatched_resp++;
			return;
		}
		confirm(c);
	}
	if (!e->resp_ts)
		e->resp_ts = start;
	if (e->expect == MC_EXP_VALUES) {
		if (rs->kind == MC_R_VALUE || rs->kind == MC_R_END || rs->kind == MC_R_STATUS)
			get_response(ctx, c, rs, start);
		else
			ctx->cnt.unmatched_resp++;
		return;
	}
	if (e->expect == MC_EXP_MULTI) {
		if (rs->kind == MC_R_DATA || rs->kind == MC_R_VALUE || (rs->kind == MC_R_BINARY && rs->key_len > 0 &&
									 rs->bin_status == 0))
			return;
		uint8_t st = rs->kind == MC_R_STATUS ? rs->status : rs->kind == MC_R_BINARY ?
			     bin_status(e->cmd, rs->bin_status) : MB_ST_OK;
		finish_head(ctx, c, st);
		return;
	}
	uint8_t st;
	switch (rs->kind) {
	case MC_R_STATUS: st = rs->status; break;
	case MC_R_NUMBER: st = (uint8_t)mb_status_map(MB_PROTO_TEXT, e->cmd, MB_W_NUMBER); break;
	case MC_R_META:
		st = meta_status(e->cmd, rs->meta);
		if (rs->meta == MC_M_VA)
			e->resp_len = rs->value_len;
		break;
	case MC_R_BINARY:
		st = bin_status(e->cmd, rs->bin_status);
		if (st == MB_ST_HIT && is_read(e->cmd))
			e->resp_len = rs->value_len;
		break;
	case MC_R_END: st = (uint8_t)mb_status_map(MB_PROTO_TEXT, e->cmd, MB_W_END); break;
	case MC_R_VALUE:
		st = (uint8_t)mb_status_map(MB_PROTO_TEXT, e->cmd, MB_W_VALUE);
		e->resp_len = rs->value_len;
		break;
	default: st = MB_ST_OK; break;
	}
	finish_head(ctx, c, st);
}

/* ---- framing ---- */

/* Framing of direction dir is lost: hunt for the next trusted message start. */
static void desync(struct mc_ctx *ctx, struct mc_conn *c, int dir)
{
	struct mc_half *h = &c->half[dir];
	ctx->cnt.desyncs++;
	ctx->cnt.unparsed_bytes += h->clen;
	h->state = MC_H_HUNT;
	h->clen = 0;
	h->skip = 0;
	h->no_cand_at_start = false;
	h->cont_cmd = 0;
	if (dir == 0) {
		if (h->body_open) {
			h->body_open = false;
			if (c->qlen)
				q_at(c, c->qlen - 1)->body_done = true;
			q_drain(ctx, c);
		}
		return;
	}
	/* responses were lost: whatever was pending may have been answered in the hole */
	while (c->qlen) {
		struct mc_pend *e = q_at(c, 0);
		if (!e->done)
			e->status = (e->flags & MB_EF_NOREPLY) ? MB_ST_NONE : MB_ST_UNANSWERED;
		e->done = true;
		e->body_done = true;
		pop_head(ctx, c);
	}
	c->batch_cursor = 0;
}

/*
 * Next resynchronization candidate at or after `from`: only the start of a
 * segment counts (a client starts a request in a new segment unless it
 * pipelines, while lines inside a value sit mid-segment), and only a message of
 * the connection's protocol. n when none.
 */
static size_t hunt(const struct mc_conn *c, const struct mc_half *h, const uint8_t *p, size_t n, size_t from,
		   bool seg_start)
{
	bool (*plausible)(const uint8_t *, size_t) = h->server ? mc_plausible_resp : mc_plausible_req;
	if (from != 0 || !seg_start || h->no_cand_at_start || n == 0)
		return n;
	bool bin = p[0] == 0x80 || p[0] == 0x81;
	if ((c->proto_lock == 1 && bin) || (c->proto_lock == 2 && !bin))
		return n;
	return plausible(p, n) ? 0 : n;
}

/* Make room for a carried partial message. */
static bool carry_room(struct mc_ctx *ctx, struct mc_half *h)
{
	if (h->carry)
		return true;
	h->carry = malloc(MC_LINE_MAX);
	if (!h->carry)
		return false;
	h->ccap = MC_LINE_MAX;
	ctx->mem += MC_LINE_MAX;
	return true;
}

/* Parse one message of direction dir at p. */
static int parse_one(struct mc_ctx *ctx, const struct mc_half *h, int dir, const uint8_t *p, size_t n)
{
	if (dir == 0) {
		if (h->cont_cmd)
			return mc_text_getcont(p, n, h->cont_cmd, &ctx->rq);
		return p[0] == 0x80 ? mc_bin_req(p, n, &ctx->rq) : mc_text_req(p, n, &ctx->rq);
	}
	return p[0] == 0x81 ? mc_bin_resp(p, n, &ctx->rs) : mc_text_resp(p, n, &ctx->rs);
}

void mc_conn_data(struct mc_ctx *ctx, struct mc_conn *c, int dir, const uint8_t *p, size_t n, const struct mc_chunk *ch)
{
	struct mc_half *h = &c->half[dir];
	size_t off = 0;
	bool seg_start = ch->seg_start;
	while (off < n) {
		if (h->skip) {
			size_t take = h->skip < n - off ? (size_t)h->skip : n - off;
			h->skip -= take;
			off += take;
			if (!h->skip && h->body_open)
				body_end(ctx, c, ch->ts);
			continue;
		}
		if (h->state == MC_H_HUNT) {
			size_t pos = hunt(c, h, p, n, off, seg_start && off == 0);
			ctx->cnt.unparsed_bytes += pos - off;
			off = pos;
			h->no_cand_at_start = false;
			if (pos >= n)
				break;
			h->state = MC_H_SYNC;
			h->resync_mark = true;
			ctx->cnt.resyncs++;
			if (dir == 0)
				c->tentative = true;
		}
		bool carried = h->clen > 0;
		size_t take = 0;
		const uint8_t *mp = p + off;
		size_t mn = n - off;
		if (carried) {
			take = n - off < h->ccap - h->clen ? n - off : h->ccap - h->clen;
			memcpy(h->carry + h->clen, p + off, take);
			mp = h->carry;
			mn = h->clen + take;
		}
		int rc = parse_one(ctx, h, dir, mp, mn);
		if (rc == MC_NEED_MORE && carried && mn >= h->ccap)
			rc = MC_INVALID; /* no message fits the carry buffer */
		if (rc == MC_NEED_MORE) {
			if (carried) {
				h->clen = (uint32_t)mn;
				off += take;
			} else if (mn <= MC_LINE_MAX && carry_room(ctx, h)) {
				memcpy(h->carry, p + off, mn);
				h->clen = (uint32_t)mn;
				h->carry_ts = ch->ts;
				off = n;
			} else {
				ctx->cnt.invalid++;
				desync(ctx, c, dir);
				h->no_cand_at_start = true;
			}
			continue;
		}
		if (rc == MC_INVALID) {
			ctx->cnt.invalid++;
			desync(ctx, c, dir);
			h->no_cand_at_start = !carried;
			continue;
		}
		uint32_t hdr = dir == 0 ? ctx->rq.hdr_len : ctx->rs.hdr_len;
		uint64_t start = carried ? h->carry_ts : ch->ts;
		/* a partial get line may end inside the carried bytes: the rest stays carried */
		uint32_t kept = carried && hdr < h->clen ? h->clen - hdr : 0;
		if (!kept)
			off += hdr - (carried ? h->clen : 0);
		if (dir == 0) {
			uint32_t end_seq = ch->seq + (uint32_t)off + ctx->rq.skip;
			handle_req(ctx, c, &ctx->rq, ch->ts, end_seq); /* reads the keys in the carry */
			h->skip = ctx->rq.skip;
			if (kept)
				memmove(h->carry, h->carry + hdr, kept);
			h->clen = kept;
		} else {
			h->clen = 0;
			if (h->resync_mark)
				h->resync_mark = false;
			uint64_t skip = ctx->rs.skip;
			handle_resp(ctx, c, &ctx->rs, start, ch);
			h->skip = skip;
		}
	}
}

void mc_conn_gap(struct mc_ctx *ctx, struct mc_conn *c, int dir, uint64_t n, bool elided, uint64_t ts)
{
	struct mc_half *h = &c->half[dir];
	if (elided)
		ctx->cnt.elided_bytes += n;
	if (h->state == MC_H_HUNT) {
		ctx->cnt.unparsed_bytes += n;
		return;
	}
	uint64_t in_body = h->skip < n ? h->skip : n;
	h->skip -= in_body;
	if (!elided)
		ctx->cnt.lost_body_bytes += in_body;
	if (!h->skip && h->body_open)
		body_end(ctx, c, ts);
	uint64_t rest = n - in_body;
	if (!rest)
		return;
	if (elided) {
		ctx->cnt.elided_overrun += rest;
		return;
	}
	desync(ctx, c, dir);
	ctx->cnt.unparsed_bytes += rest;
}

void mc_conn_udp(struct mc_ctx *ctx, struct mc_conn *c, int dir, const uint8_t *p, size_t n, uint64_t ts)
{
	if (n < 8) {
		ctx->cnt.udp_dropped++;
		return;
	}
	uint16_t reqid = (uint16_t)(p[0] << 8 | p[1]);
	uint16_t seq = (uint16_t)(p[2] << 8 | p[3]);
	struct mc_half *h = &c->half[dir];
	struct mc_chunk ch = { .ts = ts, .seg_start = true };
	if (dir == 0) {
		/* a request is one datagram */
		h->state = MC_H_SYNC;
		h->clen = 0;
		h->skip = 0;
		h->body_open = false;
		h->cont_cmd = 0;
		c->udp_req = reqid;
		mc_conn_data(ctx, c, 0, p + 8, n - 8, &ch);
		if (h->clen || h->skip || h->cont_cmd) {
			ctx->cnt.unparsed_bytes += h->clen;
			h->clen = 0;
			h->skip = 0;
			h->cont_cmd = 0;
			if (h->body_open)
				body_end(ctx, c, ts);
		}
		return;
	}
	if (seq == 0) {
		bool known = false;
		for (uint32_t i = 0; i < c->qlen && !known; i++)
			known = q_at(c, i)->udp_reqid == reqid && !q_at(c, i)->done;
		if (!known) {
			ctx->cnt.udp_dropped++;
			c->udp_active = false;
			return;
		}
		/* requests ahead of this one lost their replies */
		while (c->qlen && (q_at(c, 0)->udp_reqid != reqid || q_at(c, 0)->done)) {
			if (!q_at(c, 0)->done)
				finish_head(ctx, c, MB_ST_UNANSWERED);
			else
				pop_head(ctx, c);
		}
		c->udp_active = true;
		c->udp_cur = reqid;
		c->udp_next_seq = 1;
		h->state = MC_H_SYNC;
		h->clen = 0;
		h->skip = 0;
		c->batch_cursor = 0;
	} else if (c->udp_active && reqid == c->udp_cur && seq == c->udp_next_seq) {
		c->udp_next_seq++;
	} else {
		ctx->cnt.udp_dropped++;
		return;
	}
	mc_conn_data(ctx, c, 1, p + 8, n - 8, &ch);
}

void mc_conn_close(struct mc_ctx *ctx, struct mc_conn *c)
{
	while (c->qlen) {
		struct mc_pend *e = q_at(c, 0);
		if (!e->done)
			e->status = (e->flags & MB_EF_NOREPLY) ? MB_ST_NONE : MB_ST_UNANSWERED;
		pop_head(ctx, c);
	}
	ctx->mem -= mc_conn_mem(c);
	free(c->q);
	free(c->half[0].carry);
	free(c->half[1].carry);
	c->q = NULL;
	c->qcap = 0;
	c->half[0].carry = c->half[1].carry = NULL;
	c->half[0].ccap = c->half[1].ccap = 0;
}
