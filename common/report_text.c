/* report_text.c - the readable mb-stat report: aligned tables with units. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbtime.h"
#include "report.h"

#define SERIES_ROWS 40

static void dur(char *out, size_t cap, uint64_t ns) { mb_dur_format(out, cap, ns); }

static double share(uint64_t a, uint64_t b) { return b ? 100.0 * (double)a / (double)b : 0; }

/* One distribution row: count, mean, percentiles, max; durations or plain numbers. */
static bool dist_row(struct mb_buf *b, const char *label, const struct mb_dist *d, bool time)
{
	char v[MB_REPORT_NPCT + 2][24];
	if (time) {
		dur(v[0], sizeof v[0], (uint64_t)llround(mb_dist_mean(d)));
		for (int i = 0; i < MB_REPORT_NPCT; i++)
			dur(v[i + 1], sizeof v[i + 1], mb_dist_pct(d, mb_report_pct[i]));
		dur(v[MB_REPORT_NPCT + 1], sizeof v[0], d->max);
	} else {
		snprintf(v[0], sizeof v[0], "%.1f", mb_dist_mean(d));
		for (int i = 0; i < MB_REPORT_NPCT; i++)
			snprintf(v[i + 1], sizeof v[i + 1], "%" PRIu64, mb_dist_pct(d, mb_report_pct[i]));
		snprintf(v[MB_REPORT_NPCT + 1], sizeof v[0], "%" PRIu64, d->max);
	}
	return mb_bprintf(b, "  %-22s %10" PRIu64 " %10s %6.2f %9s %9s %9s %9s %9s\n", label, d->n, v[0], mb_dist_cv(d), v[1],
			  v[2], v[3], v[4], v[5]);
}

static bool dist_head(struct mb_buf *b, const char *what)
{
	return mb_bprintf(b, "  %-22s %10s %10s %6s %9s %9s %9s %9s %9s\n", what, "count", "mean", "cv", "p50", "p90", "p99",
			  "p99.9", "max");
}

/* log2 buckets of a distribution, with a bar. */
static bool log2_rows(struct mb_buf *b, const char *label, const struct mb_dist *d)
{
	if (!d->n)
		return true;
	bool ok = mb_bprintf(b, "\n  %s, log2 buckets:\n", label);
	for (int i = 0; i < MB_DIST_LOG2 && ok; i++) {
		if (!d->log2[i])
			continue;
		uint64_t lo = i ? UINT64_C(1) << (i - 1) : 0, hi = i ? (i == 64 ? UINT64_MAX : (UINT64_C(1) << i) - 1) : 0;
		double sh = share(d->log2[i], d->n);
		char bar[41];
		int nb = (int)lround(sh * 0.4);
		memset(bar, '#', (size_t)nb);
		bar[nb] = 0;
		ok = mb_bprintf(b, "    %10" PRIu64 " .. %-10" PRIu64 " %10" PRIu64 " %6.2f%% %s\n", lo, hi, d->log2[i], sh, bar);
	}
	return ok;
}

static bool overview(const struct mb_stat *st, struct mb_buf *b)
{
	const struct mb_stat_result *r = &st->r;
	char t1[32], t2[32], t3[32];
	bool ok = mb_bprintf(b, "mb-stat report: %s stream", mb_kind_name(st->info.kind));
	const char *prog = mb_info_get(&st->info, "program");
	if (prog)
		ok = ok && mb_bprintf(b, " from %s", prog);
	ok = ok && mb_bprintf(b, "\n\nOVERVIEW\n");
	if (st->have_ts) {
		mb_ts_format(t1, sizeof t1, st->min_ts);
		mb_ts_format(t2, sizeof t2, st->max_ts);
		ok = ok && mb_bprintf(b, "  %-26s %.3f s  (%s .. %s)\n", "duration", r->duration_s, t1, t2);
	}
	ok = ok && mb_bprintf(b, "  %-26s %" PRIu64 "\n", "events", st->events);
	ok = ok && mb_bprintf(b, "  %-26s %.1f ops/s mean, %.0f ops/s peak (per second over %" PRIu64 " s)\n", "rate",
			      r->mean_ops, r->peak_ops, r->nsec);
	ok = ok && mb_bprintf(b, "  %-26s %.2f (peak-to-mean per second)\n", "burstiness", r->burstiness);
	if (st->conns_overflow)
		ok = ok && mb_bprintf(b, "  %-26s %u (table full: %" PRIu64 " events of later connections not tracked)\n", "connections",
				      st->conns.n, st->conns_untracked_events);
	else
		ok = ok && mb_bprintf(b, "  %-26s %u\n", "connections", st->conns.n);
	if (r->keys_exact)
		ok = ok && mb_bprintf(b, "  %-26s %.0f (exact)\n", "distinct keys", r->distinct_keys);
	else
		ok = ok && mb_bprintf(b, "  %-26s %.0f (HyperLogLog estimate, +-0.8%%; %u counted exactly)\n", "distinct keys",
				      r->distinct_keys, st->nkeys);
	mb_fmt_bytes(t1, sizeof t1, (double)st->req_bytes_est);
	mb_fmt_bytes(t2, sizeof t2, (double)st->resp_bytes_est);
	ok = ok && mb_bprintf(b, "  %-26s %s read by the server, %s written (estimate)\n", "wire bytes", t1, t2);
	mb_fmt_bytes(t1, sizeof t1, (double)st->key_bytes);
	mb_fmt_bytes(t2, sizeof t2, (double)st->value_bytes);
	mb_fmt_bytes(t3, sizeof t3, (double)st->resp_bytes);
	ok = ok && mb_bprintf(b, "  %-26s keys %s, values stored %s, values returned %s\n", "payload bytes", t1, t2, t3);
	ok = ok && mb_bprintf(b, "  %-26s %.2f%% (%" PRIu64 " of %" PRIu64 ")\n", "responses captured",
			      share(st->answered, st->events), st->answered, st->events);
	return ok;
}

static bool command_mix(const struct mb_stat *st, struct mb_buf *b)
{
	bool ok = mb_bprintf(b, "\nCOMMAND MIX\n  %-12s %12s %8s %12s %12s %12s\n", "command", "count", "share", "text", "meta", "binary");
	for (unsigned c = 0; c < MB_CMD_COUNT && ok; c++) {
		if (!st->cmd[c])
			continue;
		ok = mb_bprintf(b, "  %-12s %12" PRIu64 " %7.2f%% %12" PRIu64 " %12" PRIu64 " %12" PRIu64 "\n", mb_cmd_name(c),
				st->cmd[c], share(st->cmd[c], st->events), st->cmd_proto[c][MB_PROTO_TEXT],
				st->cmd_proto[c][MB_PROTO_META], st->cmd_proto[c][MB_PROTO_BINARY]);
	}
	ok = ok && mb_bprintf(b, "\n  %-12s %12s %8s\n", "protocol", "count", "share");
	for (unsigned p = 0; p < MB_PROTO_COUNT && ok; p++)
		if (st->proto[p])
			ok = mb_bprintf(b, "  %-12s %12" PRIu64 " %7.2f%%\n", mb_proto_name(p), st->proto[p], share(st->proto[p], st->events));
	for (unsigned t = 0; t < MB_TRANSPORT_COUNT && ok; t++)
		if (st->transport[t])
			ok = mb_bprintf(b, "  %-12s %12" PRIu64 " %7.2f%%\n", mb_transport_name(t), st->transport[t],
					share(st->transport[t], st->events));
	return ok;
}

static bool sizes(const struct mb_stat *st, struct mb_buf *b)
{
	bool ok = mb_bprintf(b, "\nKEY, VALUE AND TTL SIZES (bytes, seconds)\n") && dist_head(b, "distribution");
	char label[48];
	for (unsigned c = 0; c < MB_SC_COUNT && ok; c++) {
		if (!st->key_size[c].n)
			continue;
		snprintf(label, sizeof label, "key size %s", mb_stat_class_name(c));
		ok = dist_row(b, label, &st->key_size[c], false);
	}
	for (unsigned c = 0; c < MB_SC_COUNT && ok; c++) {
		if (!st->value_size[c].n)
			continue;
		snprintf(label, sizeof label, "value size %s", mb_stat_class_name(c));
		ok = dist_row(b, label, &st->value_size[c], false);
	}
	if (ok && st->ttl.n)
		ok = dist_row(b, "ttl (s)", &st->ttl, false);
	if (ok && st->ttl_negative)
		ok = mb_bprintf(b, "  %" PRIu64 " negative TTLs (already expired) left out\n", st->ttl_negative);
	ok = ok && log2_rows(b, "key size (all)", &st->key_size[MB_SC_ALL]);
	ok = ok && log2_rows(b, "value size set (stored)", &st->value_size[MB_SC_SET]);
	ok = ok && log2_rows(b, "value size get (returned)", &st->value_size[MB_SC_GET]);
	ok = ok && log2_rows(b, "ttl (s)", &st->ttl);
	return ok;
}

static bool arrivals(const struct mb_stat *st, struct mb_buf *b)
{
	const struct mb_stat_result *r = &st->r;
	bool ok = mb_bprintf(b, "\nARRIVAL PROCESS\n") && dist_head(b, "inter-arrival");
	ok = ok && dist_row(b, "overall", &st->iat, true) && dist_row(b, "per connection", &st->iat_conn, true);
	if (st->out_of_order)
		ok = ok && mb_bprintf(b, "  %" PRIu64 " events earlier than the previous one (counted as 0)\n", st->out_of_order);
	ok = ok && mb_bprintf(b, "  burstiness (peak/mean ops per second): %.2f\n", r->burstiness);
	double wsec = (double)(st->o.window_ns << st->win_shift) / 1e9;
	uint32_t g = mb_report_group(st->nwin, SERIES_ROWS);
	ok = ok && mb_bprintf(b, "\nTIME SERIES AND WORKING SET (window %g s%s)\n", wsec * g, g > 1 ? ", windows merged for display" : "");
	ok = ok && mb_bprintf(b, "  %10s %10s %12s %8s %10s %10s %12s %12s\n", "start (s)", "ops", "ops/s", "hit%", "keys",
			      "new keys", "total keys", "total bytes");
	for (uint32_t i = 0; i < st->nwin && ok; i += g) {
		struct mb_stat_window s = { 0 };
		uint32_t e = i + g < st->nwin ? i + g : st->nwin;
		for (uint32_t j = i; j < e; j++) {
			s.ops += st->win[j].ops;
			s.hits += st->win[j].hits;
			s.misses += st->win[j].misses;
			s.keys += st->win[j].keys;
			s.new_keys += st->win[j].new_keys;
			s.cum_keys = st->win[j].cum_keys;
			s.cum_bytes = st->win[j].cum_bytes;
		}
		char hr[16], by[24];
		if (s.hits + s.misses)
			snprintf(hr, sizeof hr, "%.2f", share(s.hits, s.hits + s.misses));
		else
			strcpy(hr, "-");
		mb_fmt_bytes(by, sizeof by, (double)s.cum_bytes);
		ok = mb_bprintf(b, "  %10.1f %10" PRIu64 " %12.1f %8s %10" PRIu64 " %10" PRIu64 " %12" PRIu64 " %12s\n", i * wsec,
				s.ops, (double)s.ops / (wsec * (e - i)), hr, s.keys, s.new_keys, s.cum_keys, by);
	}
	return ok;
}

static bool popularity(const struct mb_stat *st, struct mb_buf *b)
{
	const struct mb_stat_result *r = &st->r;
	bool names = st->names.tk != NULL;
	bool ok = mb_bprintf(b, "\nKEY POPULARITY (%" PRIu64 " keyed requests)\n", st->keyed);
	if (names)
		ok = ok && mb_bprintf(b, "  %4s %12s %8s %8s%s  %s\n", "rank", "count", "share", "cum", r->keys_exact ? "" : "  (+- error)", "key");
	else
		ok = ok && mb_bprintf(b, "  %4s %-18s %12s %8s %8s%s\n", "rank", "key", "count", "share", "cum", r->keys_exact ? "" : "  (+- error)");
	double cum = 0;
	struct mb_buf nb = { 0 };
	for (size_t i = 0; i < r->ntop && ok; i++) {
		double sh = share(r->top[i].count, st->keyed);
		cum += sh;
		if (names) {
			const uint8_t *name = NULL;
			const struct mb_hot_stats *hs = mb_hot_find(&st->names, r->top[i].id, &name);
			nb.len = 0;
			ok = mb_bprintf(b, "  %4zu %12" PRIu64 " %7.3f%% %7.2f%%", i + 1, r->top[i].count, sh, cum) &&
			     (r->keys_exact || mb_bprintf(b, "  (%" PRIu64 ")", r->top[i].error)) &&
			     mb_report_name(&nb, false, false, r->top[i].id, hs ? name : NULL, hs) &&
			     mb_bprintf(b, "  %.*s%s\n", (int)nb.len, nb.p, hs ? "" : " (name not kept)");
			continue;
		}
		char name[20];
		mb_stat_key_name(st, r->top[i].id, name);
		ok = mb_bprintf(b, "  %4zu %-18s %12" PRIu64 " %7.3f%% %7.2f%%", i + 1, name, r->top[i].count, sh, cum);
		ok = ok && (r->keys_exact ? mb_bprintf(b, "\n") : mb_bprintf(b, "  (%" PRIu64 ")\n", r->top[i].error));
	}
	mb_buf_free(&nb);
	if (r->zipf_ok)
		ok = ok && mb_bprintf(b, "  zipf exponent       %.3f  (log-log least squares, 1/rank weights, ranks 1..%zu with >= %d "
				      "requests, R^2 %.3f)\n", r->zipf.s, r->zipf.ranks, MB_ZIPF_MIN_COUNT, r->zipf.r2);
	else
		ok = ok && mb_bprintf(b, "  zipf exponent       - (fewer than 3 keys with >= %d requests)\n", MB_ZIPF_MIN_COUNT);
	ok = ok && mb_bprintf(b, "  top 1%% of keys      %" PRIu64 " keys get %.2f%% of keyed requests\n", r->top1pct_keys,
			      100 * r->top1pct_share);
	if (!r->keys_exact)
		ok = ok && mb_bprintf(b, "  untracked requests  %" PRIu64 " to keys first seen after the key table filled\n", st->untracked_refs);
	ok = ok && mb_bprintf(b, "  one-hit wonders     %" PRIu64 " keys (%.2f%% of keys) referenced once%s\n", r->one_hit,
			      r->nranks ? share(r->one_hit, r->nranks) : 0, r->keys_exact ? "" : " (among exactly counted keys)");
	return ok;
}

/* Namespaces (--namespaces): the K with most requests. */
static bool namespaces(const struct mb_stat *st, struct mb_buf *b)
{
	if (!st->ns.on)
		return true;
	size_t k = st->o.top;
	struct mb_hot_item *it = malloc(sizeof *it * k);
	if (!it)
		return false;
	size_t n = mb_hot_list(&st->nsh, it, k);
	bool ok = mb_bprintf(b, "\nNAMESPACES (%u, by %s)\n", mb_topk_size(st->nsh.tk),
			     st->ns.tags ? "mb-anon --prefix tag of the first segment" : "first segment");
	ok = ok && mb_bprintf(b, "  %4s %12s %8s %10s %8s %10s %10s  %s\n", "rank", "requests", "share", "keys", "hit%", "bytes",
			      "lat mean", "namespace");
	struct mb_buf nb = { 0 };
	for (size_t i = 0; i < n && ok; i++) {
		const struct mb_hot_stats *s = it[i].s;
		char hr[16] = "-", by[24], lat[24] = "-";
		if (s->hits + s->misses)
			snprintf(hr, sizeof hr, "%.2f", share(s->hits, s->hits + s->misses));
		mb_fmt_bytes(by, sizeof by, (double)s->bytes);
		if (s->lat_n)
			dur(lat, sizeof lat, s->lat_sum / s->lat_n);
		nb.len = 0;
		ok = mb_report_name(&nb, st->ns.tags, true, it[i].id, it[i].name, s) &&
		     mb_bprintf(b, "  %4zu %12" PRIu64 " %7.3f%% %10" PRIu64 " %8s %10s %10s  %.*s%s\n", i + 1, it[i].count,
				share(it[i].count, st->keyed), s->keys, hr, by, lat, (int)nb.len, nb.p, it[i].error ? " (estimate)" : "");
	}
	mb_buf_free(&nb);
	free(it);
	return ok;
}

static bool cache(const struct mb_stat *st, struct mb_buf *b)
{
	const struct mb_stat_result *r = &st->r;
	bool ok = mb_bprintf(b, "\nCACHE BEHAVIOUR\n  %-12s %12s %12s %9s\n", "command", "hits", "misses", "hit ratio");
	for (unsigned c = 0; c < MB_CMD_COUNT && ok; c++) {
		uint64_t h, m;
		mb_stat_hits(st, c, &h, &m);
		if (h + m)
			ok = mb_bprintf(b, "  %-12s %12" PRIu64 " %12" PRIu64 " %8.2f%%\n", mb_cmd_name(c), h, m, share(h, h + m));
	}
	if (!st->shards)
		return ok && mb_bprintf(b, "  LRU miss-ratio curve: not computed (--no-mrc)\n");
	ok = ok && mb_bprintf(b, "\n  LRU miss-ratio curve (SHARDS sampling rate %.6g, %" PRIu64 " sampled references)\n",
			      r->mrc_rate, r->mrc_refs);
	ok = ok && mb_bprintf(b, "  %14s %10s   %14s %10s\n", "cache objects", "miss ratio", "cache bytes", "miss ratio");
	double omax = r->nmrc_obj ? r->mrc_obj[r->nmrc_obj - 1].size : 1;
	double bmax = r->nmrc_bytes ? r->mrc_bytes[r->nmrc_bytes - 1].size : 1;
	for (int i = 0; i <= 16 && ok; i++) {
		double os = ceil(omax * i / 16), bs = ceil(bmax * i / 16);
		char bb[24];
		mb_fmt_bytes(bb, sizeof bb, bs);
		ok = mb_bprintf(b, "  %14.0f %10.4f   %14s %10.4f\n", os, mb_mrc_at(r->mrc_obj, r->nmrc_obj, os), bb,
				mb_mrc_at(r->mrc_bytes, r->nmrc_bytes, bs));
	}
	return ok;
}

static bool latency(const struct mb_stat *st, struct mb_buf *b)
{
	bool ok = mb_bprintf(b, "\nSERVER LATENCY (request complete -> response start)\n") && dist_head(b, "command");
	for (unsigned c = 0; c < MB_CMD_COUNT && ok; c++)
		if (st->lat[c])
			ok = dist_row(b, mb_cmd_name(c), st->lat[c], true);
	if (ok && st->lat_all.n)
		ok = dist_row(b, "all", &st->lat_all, true);
	if (ok && !st->lat_all.n)
		ok = mb_bprintf(b, "  no responses captured\n");
	return ok;
}

static bool anomalies(const struct mb_stat *st, struct mb_buf *b)
{
	bool ok = mb_bprintf(b, "\nANOMALIES\n");
	static const unsigned errs[] = { MB_ST_ERROR, MB_ST_CLIENT_ERROR, MB_ST_SERVER_ERROR, MB_ST_UNANSWERED };
	for (size_t i = 0; i < sizeof errs / sizeof errs[0] && ok; i++)
		ok = mb_bprintf(b, "  %-26s %" PRIu64 "\n", mb_status_name(errs[i]), st->status[errs[i]]);
	ok = ok && mb_bprintf(b, "  %-26s %" PRIu64 "\n", "unknown commands", st->cmd[MB_CMD_UNKNOWN]);
	static const unsigned flags[] = { 10, 11, 9 }; /* resync, key_cut, inferred */
	for (size_t i = 0; i < sizeof flags / sizeof flags[0] && ok; i++)
		ok = mb_bprintf(b, "  %-26s %" PRIu64 "\n", mb_flag_name(flags[i]), st->flag[flags[i]]);
	ok = ok && mb_bprintf(b, "  %-26s %" PRIu64 "\n", "out-of-order timestamps", st->out_of_order);
	if (st->other_frames)
		ok = ok && mb_bprintf(b, "  %-26s %" PRIu64 "\n", "non-event frames skipped", st->other_frames);
	for (unsigned i = 0; i < st->nsums && ok; i++) {
		ok = mb_bprintf(b, "  upstream %s:\n", st->sums[i].program);
		for (unsigned j = 0; j < st->sums[i].n && ok; j++)
			ok = mb_bprintf(b, "    %-24s %" PRIu64 "\n", st->sums[i].c[j].name, st->sums[i].c[j].val);
	}
	if (ok && !st->nsums)
		ok = mb_bprintf(b, "  no upstream summary frames\n");
	return ok;
}

int mb_report_text(const struct mb_stat *st, struct mb_buf *out)
{
	bool ok = overview(st, out) && command_mix(st, out) && sizes(st, out) && arrivals(st, out) && popularity(st, out) &&
		  namespaces(st, out) && cache(st, out) && latency(st, out) && anomalies(st, out);
	return ok ? MB_OK : MB_EIO;
}
