/* report_json.c - the mb-stat report as JSON, schema "membench-stat/1" (doc/stat-json.md). */
#include <math.h>
#include <stdlib.h>

#include "json.h"
#include "report.h"

/* Numbers are compact (mb_json_double: 9 significant digits, null when not finite); line
   breaks fall where doc/stat-json.md's example shows them. */

void mb_report_json_dist(struct mb_json *j, const struct mb_dist *d)
{
	mb_json_begin_object(j);
	mb_json_ku64(j, "count", d->n);
	mb_json_kdouble(j, "mean", mb_dist_mean(d));
	mb_json_kdouble(j, "cv", mb_dist_cv(d));
	for (int i = 0; i < MB_REPORT_NPCT; i++)
		mb_json_ku64(j, mb_report_pct_name[i], mb_dist_pct(d, mb_report_pct[i]));
	mb_json_ku64(j, "max", d->max);
	mb_json_key(j, "log2");
	mb_json_begin_array(j);
	for (int i = 0; i < MB_DIST_LOG2; i++) {
		if (!d->log2[i])
			continue;
		uint64_t lo = i ? UINT64_C(1) << (i - 1) : 0, hi = i ? (i == 64 ? UINT64_MAX : (UINT64_C(1) << i) - 1) : 0;
		mb_json_begin_object(j);
		mb_json_ku64(j, "lo", lo);
		mb_json_ku64(j, "hi", hi);
		mb_json_ku64(j, "count", d->log2[i]);
		mb_json_end_object(j);
	}
	mb_json_end_array(j);
	mb_json_end_object(j);
}

static double ratio(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : 0; }

/* A hit ratio, null when there was nothing to hit or miss. */
static void hit_ratio(struct mb_json *j, const char *key, uint64_t h, uint64_t m)
{
	mb_json_key(j, key);
	if (h + m)
		mb_json_double(j, ratio(h, h + m));
	else
		mb_json_null(j);
}

static void stream_overview(const struct mb_stat *st, struct mb_json *j)
{
	const struct mb_stat_result *r = &st->r;
	mb_json_kstr(j, "schema", "membench-stat/1");
	mb_json_key(j, "stream");
	mb_json_begin_object(j);
	mb_json_kstr(j, "kind", mb_kind_name(st->info.kind));
	mb_json_key(j, "meta");
	mb_json_begin_object(j);
	for (unsigned i = 0; i < st->info.nmeta; i++)
		mb_json_kstr(j, st->info.meta[i].key, st->info.meta[i].val);
	mb_json_end_object(j);
	mb_json_end_object(j);
	mb_json_wrap(j, 0);
	mb_json_key(j, "overview");
	mb_json_begin_object(j);
	mb_json_kdouble(j, "duration_s", r->duration_s);
	mb_json_ku64(j, "first_ts_ns", st->min_ts);
	mb_json_ku64(j, "last_ts_ns", st->max_ts);
	mb_json_ku64(j, "events", st->events);
	mb_json_ku64(j, "seconds", r->nsec);
	mb_json_kdouble(j, "mean_ops_per_s", r->mean_ops);
	mb_json_kdouble(j, "peak_ops_per_s", r->peak_ops);
	mb_json_kdouble(j, "burstiness", r->burstiness);
	mb_json_ku64(j, "connections", st->conns.n);
	mb_json_kbool(j, "connections_exact", !st->conns_overflow);
	mb_json_ku64(j, "untracked_conn_events", st->conns_untracked_events);
	mb_json_kdouble(j, "distinct_keys", round(r->distinct_keys));
	mb_json_kbool(j, "distinct_keys_exact", r->keys_exact);
	mb_json_ku64(j, "keyed_events", st->keyed);
	mb_json_ku64(j, "wire_bytes_read_est", st->req_bytes_est);
	mb_json_ku64(j, "wire_bytes_written_est", st->resp_bytes_est);
	mb_json_ku64(j, "key_bytes", st->key_bytes);
	mb_json_ku64(j, "value_bytes_stored", st->value_bytes);
	mb_json_ku64(j, "value_bytes_returned", st->resp_bytes);
	mb_json_ku64(j, "answered", st->answered);
	mb_json_kdouble(j, "answered_share", ratio(st->answered, st->events));
	mb_json_end_object(j);
	mb_json_wrap(j, 0);
}

static void commands(const struct mb_stat *st, struct mb_json *j)
{
	mb_json_key(j, "commands");
	mb_json_begin_array(j);
	for (unsigned c = 0; c < MB_CMD_COUNT; c++) {
		if (!st->cmd[c])
			continue;
		uint64_t h, m;
		mb_stat_hits(st, c, &h, &m);
		mb_json_wrap(j, 1);
		mb_json_begin_object(j);
		mb_json_kstr(j, "cmd", mb_cmd_name(c));
		mb_json_ku64(j, "count", st->cmd[c]);
		mb_json_kdouble(j, "share", ratio(st->cmd[c], st->events));
		mb_json_key(j, "by_proto");
		mb_json_begin_object(j);
		mb_json_ku64(j, "text", st->cmd_proto[c][MB_PROTO_TEXT]);
		mb_json_ku64(j, "meta", st->cmd_proto[c][MB_PROTO_META]);
		mb_json_ku64(j, "binary", st->cmd_proto[c][MB_PROTO_BINARY]);
		mb_json_ku64(j, "unknown", st->cmd_proto[c][MB_PROTO_UNKNOWN]);
		mb_json_end_object(j);
		mb_json_ku64(j, "hits", h);
		mb_json_ku64(j, "misses", m);
		hit_ratio(j, "hit_ratio", h, m);
		mb_json_ku64(j, "errors", mb_stat_errors(st, c));
		mb_json_key(j, "status");
		mb_json_begin_object(j);
		for (unsigned s = 0; s < MB_ST_COUNT; s++)
			if (st->cmd_status[c][s])
				mb_json_ku64(j, mb_status_name(s), st->cmd_status[c][s]);
		mb_json_end_object(j);
		mb_json_end_object(j);
	}
	mb_json_end_array(j);
	mb_json_wrap(j, 0);
	mb_json_key(j, "protocols");
	mb_json_begin_object(j);
	for (unsigned p = 0; p < MB_PROTO_COUNT; p++)
		mb_json_ku64(j, mb_proto_name(p), st->proto[p]);
	mb_json_end_object(j);
	mb_json_key(j, "transports");
	mb_json_begin_object(j);
	for (unsigned t = 0; t < MB_TRANSPORT_COUNT; t++)
		mb_json_ku64(j, mb_transport_name(t), st->transport[t]);
	mb_json_end_object(j);
	mb_json_wrap(j, 0);
}

/* One distribution per size class, one class to a line. */
static void by_class(struct mb_json *j, const char *key, const struct mb_dist *d)
{
	mb_json_key(j, key);
	mb_json_begin_object(j);
	for (unsigned c = 0; c < MB_SC_COUNT; c++) {
		mb_json_wrap(j, 2);
		mb_json_key(j, mb_stat_class_name(c));
		mb_report_json_dist(j, &d[c]);
	}
	mb_json_end_object(j);
}

static void sizes(const struct mb_stat *st, struct mb_json *j)
{
	mb_json_key(j, "sizes");
	mb_json_begin_object(j);
	by_class(j, "key", st->key_size);
	mb_json_wrap(j, 1);
	by_class(j, "value", st->value_size);
	mb_json_wrap(j, 1);
	mb_json_key(j, "ttl");
	mb_report_json_dist(j, &st->ttl);
	mb_json_ku64(j, "ttl_negative", st->ttl_negative);
	mb_json_end_object(j);
	mb_json_wrap(j, 0);
}

static void arrivals(const struct mb_stat *st, struct mb_json *j)
{
	mb_json_key(j, "arrivals");
	mb_json_begin_object(j);
	mb_json_key(j, "interarrival_ns");
	mb_report_json_dist(j, &st->iat);
	mb_json_wrap(j, 1);
	mb_json_key(j, "interarrival_per_conn_ns");
	mb_report_json_dist(j, &st->iat_conn);
	mb_json_wrap(j, 1);
	mb_json_ku64(j, "out_of_order", st->out_of_order);
	mb_json_kdouble(j, "burstiness", st->r.burstiness);
	mb_json_end_object(j);
	mb_json_wrap(j, 0);

	double wsec = (double)(st->o.window_ns << st->win_shift) / 1e9;
	mb_json_key(j, "series");
	mb_json_begin_object(j);
	mb_json_kdouble(j, "window_s", wsec);
	mb_json_key(j, "windows");
	mb_json_begin_array(j);
	for (uint32_t i = 0; i < st->nwin; i++) {
		const struct mb_stat_window *w = &st->win[i];
		mb_json_wrap(j, 1);
		mb_json_begin_object(j);
		mb_json_kdouble(j, "start_s", i * wsec);
		mb_json_ku64(j, "ops", w->ops);
		mb_json_ku64(j, "reads", w->reads);
		mb_json_ku64(j, "hits", w->hits);
		mb_json_ku64(j, "misses", w->misses);
		mb_json_ku64(j, "keys", w->keys);
		mb_json_ku64(j, "new_keys", w->new_keys);
		mb_json_ku64(j, "total_keys", w->cum_keys);
		mb_json_ku64(j, "total_bytes", w->cum_bytes);
		mb_json_end_object(j);
	}
	mb_json_end_array(j);
	/* Latency percentiles per slot (slots without responses left out). */
	double lsec = (double)(st->o.window_ns << st->lat_shift) / 1e9;
	mb_json_wrap(j, 1);
	mb_json_kdouble(j, "latency_slot_s", lsec);
	mb_json_key(j, "latency_ns");
	mb_json_begin_array(j);
	for (uint32_t i = 0; i < st->nlat; i++) {
		uint64_t n = 0;
		for (unsigned k = 0; k < MB_STAT_LAT_BUCKETS; k++)
			n += st->lat_slot[i][k];
		if (!n)
			continue;
		mb_json_wrap(j, 1);
		mb_json_begin_object(j);
		mb_json_kdouble(j, "start_s", i * lsec);
		mb_json_ku64(j, "count", n);
		mb_json_ku64(j, "p50", mb_stat_lat_pct(st->lat_slot[i], 50));
		mb_json_ku64(j, "p90", mb_stat_lat_pct(st->lat_slot[i], 90));
		mb_json_ku64(j, "p99", mb_stat_lat_pct(st->lat_slot[i], 99));
		mb_json_end_object(j);
	}
	mb_json_end_array(j);
	mb_json_wrap(j, 1);
	mb_json_ku64(j, "per_second_width_s", UINT64_C(1) << st->sec_shift);
	mb_json_key(j, "per_second");
	mb_json_begin_array(j);
	for (uint32_t i = 0; i < st->nsec; i++)
		mb_json_u64(j, st->sec[i]);
	mb_json_end_array(j);
	mb_json_end_object(j);
	mb_json_wrap(j, 0);
}

/* False when memory runs out for a key's name. */
static bool popularity(const struct mb_stat *st, struct mb_json *j)
{
	const struct mb_stat_result *r = &st->r;
	bool names = st->names.tk != NULL, ok = true;
	mb_json_key(j, "popularity");
	mb_json_begin_object(j);
	mb_json_kbool(j, "exact", r->keys_exact);
	mb_json_kbool(j, "names", names);
	mb_json_key(j, "top");
	mb_json_begin_array(j);
	struct mb_buf nb = { 0 };
	for (size_t i = 0; i < r->ntop && ok; i++) {
		char name[20];
		mb_stat_key_name(st, r->top[i].id, name);
		mb_json_wrap(j, 1);
		mb_json_begin_object(j);
		mb_json_ku64(j, "rank", i + 1);
		mb_json_kstr(j, "key", name);
		mb_json_ku64(j, "count", r->top[i].count);
		mb_json_ku64(j, "error", r->top[i].error);
		mb_json_kdouble(j, "share", ratio(r->top[i].count, st->keyed));
		if (names) {
			const uint8_t *kn = NULL;
			const struct mb_hot_stats *hs = mb_hot_find(&st->names, r->top[i].id, &kn);
			nb.len = 0;
			mb_json_key(j, "name");
			if (!hs)
				mb_json_null(j);
			else if ((ok = mb_report_name(&nb, false, false, 0, kn, hs)))
				mb_json_str_n(j, nb.p, nb.len);
		}
		mb_json_end_object(j);
	}
	mb_buf_free(&nb);
	mb_json_end_array(j);
	mb_json_wrap(j, 1);
	mb_json_key(j, "zipf");
	if (r->zipf_ok) {
		mb_json_begin_object(j);
		mb_json_kdouble(j, "s", r->zipf.s);
		mb_json_kdouble(j, "r2", r->zipf.r2);
		mb_json_ku64(j, "ranks", r->zipf.ranks);
		mb_json_ki64(j, "min_count", MB_ZIPF_MIN_COUNT);
		mb_json_kstr(j, "method", "wls-loglog-1/rank");
		mb_json_end_object(j);
	} else {
		mb_json_null(j);
	}
	mb_json_ku64(j, "top1pct_keys", r->top1pct_keys);
	mb_json_kdouble(j, "top1pct_share", r->top1pct_share);
	mb_json_ku64(j, "one_hit_wonders", r->one_hit);
	mb_json_ku64(j, "counted_keys", r->nranks);
	mb_json_ku64(j, "untracked_refs", st->untracked_refs);
	mb_json_wrap(j, 1);
	mb_json_key(j, "rank_counts");
	mb_json_begin_array(j);
	/* Ranks 1..8 one by one, then about 20 per decade, and the last: enough for the log-log plot. */
	size_t rank = 1, last = 0;
	while (rank <= r->nranks) {
		mb_json_begin_array(j);
		mb_json_u64(j, rank);
		mb_json_u64(j, r->rank_counts[rank - 1]);
		mb_json_end_array(j);
		last = rank;
		size_t next = (size_t)((double)rank * 1.122);
		rank = next > rank ? next : rank + 1;
	}
	if (last && last != r->nranks) {
		mb_json_begin_array(j);
		mb_json_u64(j, r->nranks);
		mb_json_u64(j, r->rank_counts[r->nranks - 1]);
		mb_json_end_array(j);
	}
	mb_json_end_array(j);
	mb_json_end_object(j);
	mb_json_wrap(j, 0);
	return ok;
}

/* False when memory runs out. */
static bool namespaces(const struct mb_stat *st, struct mb_json *j)
{
	mb_json_key(j, "namespaces");
	if (!st->ns.on) {
		mb_json_null(j);
		mb_json_wrap(j, 0);
		return true;
	}
	size_t k = st->o.top;
	struct mb_hot_item *it = malloc(sizeof *it * k);
	if (!it)
		return false;
	size_t n = mb_hot_list(&st->nsh, it, k);
	bool ok = true;
	mb_json_begin_object(j);
	mb_json_kstr(j, "by", st->ns.tags ? "anon-prefix-tag" : "first-segment");
	mb_json_ku64(j, "count", mb_topk_size(st->nsh.tk));
	mb_json_key(j, "top");
	mb_json_begin_array(j);
	struct mb_buf nb = { 0 };
	for (size_t i = 0; i < n && ok; i++) {
		const struct mb_hot_stats *s = it[i].s;
		nb.len = 0;
		if (!(ok = mb_report_name(&nb, st->ns.tags, true, it[i].id, it[i].name, s)))
			break;
		mb_json_wrap(j, 1);
		mb_json_begin_object(j);
		mb_json_ku64(j, "rank", i + 1);
		mb_json_key(j, "namespace");
		mb_json_str_n(j, nb.p, nb.len);
		mb_json_ku64(j, "requests", it[i].count);
		mb_json_ku64(j, "error", it[i].error);
		mb_json_kdouble(j, "share", ratio(it[i].count, st->keyed));
		mb_json_ku64(j, "keys", s->keys);
		mb_json_ku64(j, "hits", s->hits);
		mb_json_ku64(j, "misses", s->misses);
		hit_ratio(j, "hit_ratio", s->hits, s->misses);
		mb_json_ku64(j, "bytes", s->bytes);
		mb_json_key(j, "latency_mean_ns");
		if (s->lat_n)
			mb_json_double(j, (double)s->lat_sum / (double)s->lat_n);
		else
			mb_json_null(j);
		mb_json_ku64(j, "latency_max_ns", s->lat_max);
		mb_json_end_object(j);
	}
	mb_buf_free(&nb);
	free(it);
	mb_json_end_array(j);
	mb_json_end_object(j);
	mb_json_wrap(j, 0);
	return ok;
}

static void curve(struct mb_json *j, const char *key, const struct mb_mrc_point *p, size_t n)
{
	mb_json_key(j, key);
	mb_json_begin_array(j);
	for (size_t i = 0; i < n; i++) {
		mb_json_begin_array(j);
		mb_json_double(j, p[i].size);
		mb_json_double(j, p[i].miss_ratio);
		mb_json_end_array(j);
	}
	mb_json_end_array(j);
}

static void cache_latency(const struct mb_stat *st, struct mb_json *j)
{
	const struct mb_stat_result *r = &st->r;
	uint64_t h = 0, m = 0;
	for (unsigned c = 0; c < MB_CMD_COUNT; c++) {
		if (mb_cmd_is_read(c)) {
			h += st->cmd_status[c][MB_ST_HIT];
			m += st->cmd_status[c][MB_ST_MISS];
		}
	}
	mb_json_key(j, "cache");
	mb_json_begin_object(j);
	mb_json_ku64(j, "read_hits", h);
	mb_json_ku64(j, "read_misses", m);
	hit_ratio(j, "read_hit_ratio", h, m);
	mb_json_key(j, "mrc");
	if (st->shards) {
		mb_json_begin_object(j);
		mb_json_kdouble(j, "rate", r->mrc_rate);
		mb_json_ku64(j, "sampled_refs", r->mrc_refs);
		mb_json_wrap(j, 2);
		curve(j, "objects", r->mrc_obj, r->nmrc_obj);
		mb_json_wrap(j, 2);
		curve(j, "bytes", r->mrc_bytes, r->nmrc_bytes);
		mb_json_end_object(j);
	} else {
		mb_json_null(j);
	}
	mb_json_end_object(j);
	mb_json_wrap(j, 0);
	mb_json_key(j, "latency_ns");
	mb_json_begin_object(j);
	for (unsigned c = 0; c < MB_CMD_COUNT; c++) {
		if (!st->lat[c])
			continue;
		mb_json_wrap(j, 1);
		mb_json_key(j, mb_cmd_name(c));
		mb_report_json_dist(j, st->lat[c]);
	}
	mb_json_wrap(j, 1);
	mb_json_key(j, "all");
	mb_report_json_dist(j, &st->lat_all);
	mb_json_end_object(j);
	mb_json_wrap(j, 0);
}

static void anomalies(const struct mb_stat *st, struct mb_json *j)
{
	mb_json_key(j, "anomalies");
	mb_json_begin_object(j);
	mb_json_ku64(j, "error", st->status[MB_ST_ERROR]);
	mb_json_ku64(j, "client_error", st->status[MB_ST_CLIENT_ERROR]);
	mb_json_ku64(j, "server_error", st->status[MB_ST_SERVER_ERROR]);
	mb_json_ku64(j, "unanswered", st->status[MB_ST_UNANSWERED]);
	mb_json_ku64(j, "unknown_commands", st->cmd[MB_CMD_UNKNOWN]);
	mb_json_ku64(j, "resync", st->flag[10]);
	mb_json_ku64(j, "key_cut", st->flag[11]);
	mb_json_ku64(j, "inferred", st->flag[9]);
	mb_json_ku64(j, "out_of_order", st->out_of_order);
	mb_json_ku64(j, "other_frames", st->other_frames);
	mb_json_key(j, "upstream");
	mb_json_begin_object(j);
	for (unsigned i = 0; i < st->nsums; i++) {
		mb_json_wrap(j, 1);
		mb_json_key(j, st->sums[i].program);
		mb_json_begin_object(j);
		for (unsigned k = 0; k < st->sums[i].n; k++)
			mb_json_ku64(j, st->sums[i].c[k].name, st->sums[i].c[k].val);
		mb_json_end_object(j);
	}
	mb_json_end_object(j);
	mb_json_end_object(j);
}

int mb_report_json(const struct mb_stat *st, struct mb_buf *out)
{
	struct mb_json j;
	mb_json_init_buf(&j, out, false);
	mb_json_begin_object(&j);
	stream_overview(st, &j);
	commands(st, &j);
	sizes(st, &j);
	arrivals(st, &j);
	bool ok = popularity(st, &j) && namespaces(st, &j);
	cache_latency(st, &j);
	anomalies(st, &j);
	mb_json_newline(&j, 0);
	mb_json_end_object(&j);
	return mb_json_finish(&j) == MB_OK && ok ? MB_OK : MB_EIO;
}
