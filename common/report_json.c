/* report_json.c - the mb-stat report as JSON, schema "membench-stat/1" (doc/stat-json.md). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* A JSON number: finite doubles with 9 significant digits, null otherwise. */
static bool num(struct mb_buf *b, double v)
{
	return isfinite(v) ? mb_bprintf(b, "%.9g", v) : mb_bprintf(b, "null");
}

static bool str(struct mb_buf *b, const char *s)
{
	bool ok = mb_bprintf(b, "\"");
	for (; *s && ok; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			ok = mb_bprintf(b, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			ok = mb_bprintf(b, "\\u%04x", c);
		else
			ok = mb_bprintf(b, "%c", c);
	}
	return ok && mb_bprintf(b, "\"");
}

static bool dist(struct mb_buf *b, const struct mb_dist *d)
{
	bool ok = mb_bprintf(b, "{\"count\":%" PRIu64 ",\"mean\":", d->n) && num(b, mb_dist_mean(d)) &&
		  mb_bprintf(b, ",\"cv\":") && num(b, mb_dist_cv(d));
	for (int i = 0; i < MB_REPORT_NPCT && ok; i++)
		ok = mb_bprintf(b, ",\"%s\":%" PRIu64, mb_report_pct_name[i], mb_dist_pct(d, mb_report_pct[i]));
	ok = ok && mb_bprintf(b, ",\"max\":%" PRIu64 ",\"log2\":[", d->max);
	bool first = true;
	for (int i = 0; i < MB_DIST_LOG2 && ok; i++) {
		if (!d->log2[i])
			continue;
		uint64_t lo = i ? UINT64_C(1) << (i - 1) : 0, hi = i ? (i == 64 ? UINT64_MAX : (UINT64_C(1) << i) - 1) : 0;
		ok = mb_bprintf(b, "%s{\"lo\":%" PRIu64 ",\"hi\":%" PRIu64 ",\"count\":%" PRIu64 "}", first ? "" : ",", lo, hi, d->log2[i]);
		first = false;
	}
	return ok && mb_bprintf(b, "]}");
}

static double ratio(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : 0; }

static bool stream_overview(const struct mb_stat *st, struct mb_buf *b)
{
	const struct mb_stat_result *r = &st->r;
	bool ok = mb_bprintf(b, "{\"schema\":\"membench-stat/1\",\"stream\":{\"kind\":") && str(b, mb_kind_name(st->info.kind)) &&
		  mb_bprintf(b, ",\"meta\":{");
	for (unsigned i = 0; i < st->info.nmeta && ok; i++)
		ok = mb_bprintf(b, "%s", i ? "," : "") && str(b, st->info.meta[i].key) && mb_bprintf(b, ":") && str(b, st->info.meta[i].val);
	ok = ok && mb_bprintf(b, "}},\n\"overview\":{\"duration_s\":") && num(b, r->duration_s);
	ok = ok && mb_bprintf(b, ",\"first_ts_ns\":%" PRIu64 ",\"last_ts_ns\":%" PRIu64 ",\"events\":%" PRIu64 ",\"seconds\":%" PRIu64,
			      st->min_ts, st->max_ts, st->events, r->nsec);
	ok = ok && mb_bprintf(b, ",\"mean_ops_per_s\":") && num(b, r->mean_ops) && mb_bprintf(b, ",\"peak_ops_per_s\":") &&
	     num(b, r->peak_ops) && mb_bprintf(b, ",\"burstiness\":") && num(b, r->burstiness);
	ok = ok && mb_bprintf(b, ",\"connections\":%u,\"connections_exact\":%s,\"untracked_conn_events\":%" PRIu64 ",\"distinct_keys\":",
			      st->conns.n, st->conns_overflow ? "false" : "true", st->conns_untracked_events) && num(b, round(r->distinct_keys));
	ok = ok && mb_bprintf(b, ",\"distinct_keys_exact\":%s,\"keyed_events\":%" PRIu64, r->keys_exact ? "true" : "false", st->keyed);
	ok = ok && mb_bprintf(b, ",\"wire_bytes_read_est\":%" PRIu64 ",\"wire_bytes_written_est\":%" PRIu64, st->req_bytes_est,
			      st->resp_bytes_est);
	ok = ok && mb_bprintf(b, ",\"key_bytes\":%" PRIu64 ",\"value_bytes_stored\":%" PRIu64 ",\"value_bytes_returned\":%" PRIu64,
			      st->key_bytes, st->value_bytes, st->resp_bytes);
	ok = ok && mb_bprintf(b, ",\"answered\":%" PRIu64 ",\"answered_share\":", st->answered) && num(b, ratio(st->answered, st->events));
	return ok && mb_bprintf(b, "},\n");
}

static bool commands(const struct mb_stat *st, struct mb_buf *b)
{
	bool ok = mb_bprintf(b, "\"commands\":[");
	bool first = true;
	for (unsigned c = 0; c < MB_CMD_COUNT && ok; c++) {
		if (!st->cmd[c])
			continue;
		uint64_t h, m;
		mb_stat_hits(st, c, &h, &m);
		ok = mb_bprintf(b, "%s{\"cmd\":", first ? "" : ",\n ") && str(b, mb_cmd_name(c)) &&
		     mb_bprintf(b, ",\"count\":%" PRIu64 ",\"share\":", st->cmd[c]) && num(b, ratio(st->cmd[c], st->events)) &&
		     mb_bprintf(b, ",\"by_proto\":{\"text\":%" PRIu64 ",\"meta\":%" PRIu64 ",\"binary\":%" PRIu64 ",\"unknown\":%" PRIu64 "}",
				st->cmd_proto[c][MB_PROTO_TEXT], st->cmd_proto[c][MB_PROTO_META], st->cmd_proto[c][MB_PROTO_BINARY],
				st->cmd_proto[c][MB_PROTO_UNKNOWN]) &&
		     mb_bprintf(b, ",\"hits\":%" PRIu64 ",\"misses\":%" PRIu64 ",\"hit_ratio\":", h, m) &&
		     (h + m ? num(b, ratio(h, h + m)) : mb_bprintf(b, "null")) &&
		     mb_bprintf(b, ",\"errors\":%" PRIu64 ",\"status\":{", mb_stat_errors(st, c));
		bool f2 = true;
		for (unsigned s = 0; s < MB_ST_COUNT && ok; s++) {
			if (!st->cmd_status[c][s])
				continue;
			ok = mb_bprintf(b, "%s", f2 ? "" : ",") && str(b, mb_status_name(s)) && mb_bprintf(b, ":%" PRIu64, st->cmd_status[c][s]);
			f2 = false;
		}
		ok = ok && mb_bprintf(b, "}}");
		first = false;
	}
	ok = ok && mb_bprintf(b, "],\n\"protocols\":{");
	for (unsigned p = 0; p < MB_PROTO_COUNT && ok; p++)
		ok = mb_bprintf(b, "%s", p ? "," : "") && str(b, mb_proto_name(p)) && mb_bprintf(b, ":%" PRIu64, st->proto[p]);
	ok = ok && mb_bprintf(b, "},\"transports\":{");
	for (unsigned t = 0; t < MB_TRANSPORT_COUNT && ok; t++)
		ok = mb_bprintf(b, "%s", t ? "," : "") && str(b, mb_transport_name(t)) && mb_bprintf(b, ":%" PRIu64, st->transport[t]);
	return ok && mb_bprintf(b, "},\n");
}

static bool sizes(const struct mb_stat *st, struct mb_buf *b)
{
	bool ok = mb_bprintf(b, "\"sizes\":{\"key\":{");
	for (unsigned c = 0; c < MB_SC_COUNT && ok; c++)
		ok = mb_bprintf(b, "%s\"%s\":", c ? ",\n  " : "", mb_stat_class_name(c)) && dist(b, &st->key_size[c]);
	ok = ok && mb_bprintf(b, "},\n \"value\":{");
	for (unsigned c = 0; c < MB_SC_COUNT && ok; c++)
		ok = mb_bprintf(b, "%s\"%s\":", c ? ",\n  " : "", mb_stat_class_name(c)) && dist(b, &st->value_size[c]);
	ok = ok && mb_bprintf(b, "},\n \"ttl\":") && dist(b, &st->ttl);
	return ok && mb_bprintf(b, ",\"ttl_negative\":%" PRIu64 "},\n", st->ttl_negative);
}

static bool arrivals(const struct mb_stat *st, struct mb_buf *b)
{
	bool ok = mb_bprintf(b, "\"arrivals\":{\"interarrival_ns\":") && dist(b, &st->iat) &&
		  mb_bprintf(b, ",\n \"interarrival_per_conn_ns\":") && dist(b, &st->iat_conn) &&
		  mb_bprintf(b, ",\n \"out_of_order\":%" PRIu64 ",\"burstiness\":", st->out_of_order) && num(b, st->r.burstiness);
	double wsec = (double)(st->o.window_ns << st->win_shift) / 1e9;
	ok = ok && mb_bprintf(b, "},\n\"series\":{\"window_s\":") && num(b, wsec) && mb_bprintf(b, ",\"windows\":[");
	for (uint32_t i = 0; i < st->nwin && ok; i++) {
		const struct mb_stat_window *w = &st->win[i];
		ok = mb_bprintf(b, "%s{\"start_s\":", i ? ",\n " : "") && num(b, i * wsec) &&
		     mb_bprintf(b, ",\"ops\":%" PRIu64 ",\"reads\":%" PRIu64 ",\"hits\":%" PRIu64 ",\"misses\":%" PRIu64
				   ",\"keys\":%" PRIu64 ",\"new_keys\":%" PRIu64 ",\"total_keys\":%" PRIu64 ",\"total_bytes\":%" PRIu64 "}",
				w->ops, w->reads, w->hits, w->misses, w->keys, w->new_keys, w->cum_keys, w->cum_bytes);
	}
	/* Latency percentiles per slot (slots without responses left out). */
	double lsec = (double)(st->o.window_ns << st->lat_shift) / 1e9;
	ok = ok && mb_bprintf(b, "],\n \"latency_slot_s\":") && num(b, lsec) && mb_bprintf(b, ",\"latency_ns\":[");
	bool first = true;
	for (uint32_t i = 0; i < st->nlat && ok; i++) {
		uint64_t n = 0;
		for (unsigned k = 0; k < MB_STAT_LAT_BUCKETS; k++)
			n += st->lat_slot[i][k];
		if (!n)
			continue;
		ok = mb_bprintf(b, "%s{\"start_s\":", first ? "" : ",\n ") && num(b, i * lsec) &&
		     mb_bprintf(b, ",\"count\":%" PRIu64 ",\"p50\":%" PRIu64 ",\"p90\":%" PRIu64 ",\"p99\":%" PRIu64 "}", n,
				mb_stat_lat_pct(st->lat_slot[i], 50), mb_stat_lat_pct(st->lat_slot[i], 90), mb_stat_lat_pct(st->lat_slot[i], 99));
		first = false;
	}
	ok = ok && mb_bprintf(b, "],\n \"per_second_width_s\":%u,\"per_second\":[", 1u << st->sec_shift);
	for (uint32_t i = 0; i < st->nsec && ok; i++)
		ok = mb_bprintf(b, "%s%" PRIu64, i ? "," : "", st->sec[i]);
	return ok && mb_bprintf(b, "]},\n");
}

static bool popularity(const struct mb_stat *st, struct mb_buf *b)
{
	const struct mb_stat_result *r = &st->r;
	bool names = st->names.tk != NULL;
	bool ok = mb_bprintf(b, "\"popularity\":{\"exact\":%s,\"names\":%s,\"top\":[", r->keys_exact ? "true" : "false",
			     names ? "true" : "false");
	struct mb_buf nb = { 0 };
	for (size_t i = 0; i < r->ntop && ok; i++) {
		char name[20];
		mb_stat_key_name(st, r->top[i].id, name);
		ok = mb_bprintf(b, "%s{\"rank\":%zu,\"key\":\"%s\",\"count\":%" PRIu64 ",\"error\":%" PRIu64 ",\"share\":", i ? ",\n " : "",
				i + 1, name, r->top[i].count, r->top[i].error) && num(b, ratio(r->top[i].count, st->keyed));
		if (ok && names) {
			const uint8_t *kn = NULL;
			const struct mb_hot_stats *hs = mb_hot_find(&st->names, r->top[i].id, &kn);
			nb.len = 0;
			ok = mb_bprintf(b, ",\"name\":") &&
			     (hs ? mb_report_name(&nb, false, false, 0, kn, hs) && str(b, nb.p) : mb_bprintf(b, "null"));
		}
		ok = ok && mb_bprintf(b, "}");
	}
	mb_buf_free(&nb);
	ok = ok && mb_bprintf(b, "],\n \"zipf\":");
	if (r->zipf_ok)
		ok = ok && mb_bprintf(b, "{\"s\":") && num(b, r->zipf.s) && mb_bprintf(b, ",\"r2\":") && num(b, r->zipf.r2) &&
		     mb_bprintf(b, ",\"ranks\":%zu,\"min_count\":%d,\"method\":\"wls-loglog-1/rank\"}", r->zipf.ranks, MB_ZIPF_MIN_COUNT);
	else
		ok = ok && mb_bprintf(b, "null");
	ok = ok && mb_bprintf(b, ",\"top1pct_keys\":%" PRIu64 ",\"top1pct_share\":", r->top1pct_keys) && num(b, r->top1pct_share) &&
	     mb_bprintf(b, ",\"one_hit_wonders\":%" PRIu64 ",\"counted_keys\":%zu,\"untracked_refs\":%" PRIu64 ",\n \"rank_counts\":[",
			r->one_hit, r->nranks, st->untracked_refs);
	/* Ranks 1..8 one by one, then about 20 per decade, and the last: enough for the log-log plot. */
	size_t rank = 1, last = 0;
	while (rank <= r->nranks && ok) {
		ok = mb_bprintf(b, "%s[%zu,%" PRIu64 "]", last ? "," : "", rank, r->rank_counts[rank - 1]);
		last = rank;
		size_t next = (size_t)((double)rank * 1.122);
		rank = next > rank ? next : rank + 1;
	}
	if (ok && last && last != r->nranks)
		ok = mb_bprintf(b, ",[%zu,%" PRIu64 "]", r->nranks, r->rank_counts[r->nranks - 1]);
	return ok && mb_bprintf(b, "]},\n");
}

static bool namespaces(const struct mb_stat *st, struct mb_buf *b)
{
	if (!st->ns.on)
		return mb_bprintf(b, "\"namespaces\":null,\n");
	size_t k = st->o.top;
	struct mb_hot_item *it = malloc(sizeof *it * k);
	if (!it)
		return false;
	size_t n = mb_hot_list(&st->nsh, it, k);
	bool ok = mb_bprintf(b, "\"namespaces\":{\"by\":\"%s\",\"count\":%u,\"top\":[", st->ns.tags ? "anon-prefix-tag" : "first-segment",
			     mb_topk_size(st->nsh.tk));
	struct mb_buf nb = { 0 };
	for (size_t i = 0; i < n && ok; i++) {
		const struct mb_hot_stats *s = it[i].s;
		nb.len = 0;
		ok = mb_report_name(&nb, st->ns.tags, true, it[i].id, it[i].name, s) &&
		     mb_bprintf(b, "%s{\"rank\":%zu,\"namespace\":", i ? ",\n " : "", i + 1) && str(b, nb.p) &&
		     mb_bprintf(b, ",\"requests\":%" PRIu64 ",\"error\":%" PRIu64 ",\"share\":", it[i].count, it[i].error) &&
		     num(b, ratio(it[i].count, st->keyed)) &&
		     mb_bprintf(b, ",\"keys\":%" PRIu64 ",\"hits\":%" PRIu64 ",\"misses\":%" PRIu64 ",\"hit_ratio\":", s->keys, s->hits,
				s->misses) &&
		     (s->hits + s->misses ? num(b, ratio(s->hits, s->hits + s->misses)) : mb_bprintf(b, "null")) &&
		     mb_bprintf(b, ",\"bytes\":%" PRIu64 ",\"latency_mean_ns\":", s->bytes) &&
		     (s->lat_n ? num(b, (double)s->lat_sum / (double)s->lat_n) : mb_bprintf(b, "null")) &&
		     mb_bprintf(b, ",\"latency_max_ns\":%" PRIu64 "}", s->lat_max);
	}
	mb_buf_free(&nb);
	free(it);
	return ok && mb_bprintf(b, "]},\n");
}

static bool curve(struct mb_buf *b, const struct mb_mrc_point *p, size_t n)
{
	bool ok = mb_bprintf(b, "[");
	for (size_t i = 0; i < n && ok; i++)
		ok = mb_bprintf(b, "%s[", i ? "," : "") && num(b, p[i].size) && mb_bprintf(b, ",") && num(b, p[i].miss_ratio) &&
		     mb_bprintf(b, "]");
	return ok && mb_bprintf(b, "]");
}

static bool cache_latency(const struct mb_stat *st, struct mb_buf *b)
{
	const struct mb_stat_result *r = &st->r;
	uint64_t h = 0, m = 0;
	for (unsigned c = 0; c < MB_CMD_COUNT; c++) {
		if (mb_cmd_is_read(c)) {
			h += st->cmd_status[c][MB_ST_HIT];
			m += st->cmd_status[c][MB_ST_MISS];
		}
	}
	bool ok = mb_bprintf(b, "\"cache\":{\"read_hits\":%" PRIu64 ",\"read_misses\":%" PRIu64 ",\"read_hit_ratio\":", h, m) &&
		  (h + m ? num(b, ratio(h, h + m)) : mb_bprintf(b, "null")) && mb_bprintf(b, ",\"mrc\":");
	if (st->shards)
		ok = ok && mb_bprintf(b, "{\"rate\":") && num(b, r->mrc_rate) &&
		     mb_bprintf(b, ",\"sampled_refs\":%" PRIu64 ",\n  \"objects\":", r->mrc_refs) && curve(b, r->mrc_obj, r->nmrc_obj) &&
		     mb_bprintf(b, ",\n  \"bytes\":") && curve(b, r->mrc_bytes, r->nmrc_bytes) && mb_bprintf(b, "}");
	else
		ok = ok && mb_bprintf(b, "null");
	ok = ok && mb_bprintf(b, "},\n\"latency_ns\":{");
	bool first = true;
	for (unsigned c = 0; c < MB_CMD_COUNT && ok; c++) {
		if (!st->lat[c])
			continue;
		ok = mb_bprintf(b, "%s", first ? "" : ",\n ") && str(b, mb_cmd_name(c)) && mb_bprintf(b, ":") && dist(b, st->lat[c]);
		first = false;
	}
	ok = ok && mb_bprintf(b, "%s\"all\":", first ? "" : ",\n ") && dist(b, &st->lat_all);
	return ok && mb_bprintf(b, "},\n");
}

static bool anomalies(const struct mb_stat *st, struct mb_buf *b)
{
	bool ok = mb_bprintf(b, "\"anomalies\":{\"error\":%" PRIu64 ",\"client_error\":%" PRIu64 ",\"server_error\":%" PRIu64
				 ",\"unanswered\":%" PRIu64 ",\"unknown_commands\":%" PRIu64,
			     st->status[MB_ST_ERROR], st->status[MB_ST_CLIENT_ERROR], st->status[MB_ST_SERVER_ERROR],
			     st->status[MB_ST_UNANSWERED], st->cmd[MB_CMD_UNKNOWN]);
	ok = ok && mb_bprintf(b, ",\"resync\":%" PRIu64 ",\"key_cut\":%" PRIu64 ",\"inferred\":%" PRIu64 ",\"out_of_order\":%" PRIu64
				 ",\"other_frames\":%" PRIu64 ",\"upstream\":{",
			      st->flag[10], st->flag[11], st->flag[9], st->out_of_order, st->other_frames);
	for (unsigned i = 0; i < st->nsums && ok; i++) {
		ok = mb_bprintf(b, "%s", i ? ",\n " : "") && str(b, st->sums[i].program) && mb_bprintf(b, ":{");
		for (unsigned j = 0; j < st->sums[i].n && ok; j++)
			ok = mb_bprintf(b, "%s", j ? "," : "") && str(b, st->sums[i].c[j].name) &&
			     mb_bprintf(b, ":%" PRIu64, st->sums[i].c[j].val);
		ok = ok && mb_bprintf(b, "}");
	}
	return ok && mb_bprintf(b, "}}\n}\n");
}

int mb_report_json(const struct mb_stat *st, struct mb_buf *out)
{
	bool ok = stream_overview(st, out) && commands(st, out) && sizes(st, out) && arrivals(st, out) && popularity(st, out) && namespaces(st, out) &&
		  cache_latency(st, out) && anomalies(st, out);
	return ok ? MB_OK : MB_EIO;
}
