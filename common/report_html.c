/* report_html.c - the mb-stat report as one self-contained HTML page with inline SVG charts (no scripts, no links). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbtime.h"
#include "report.h"
#include "report_svg.h"

#define MAXPTS 4096

/* The charts' points: 192 KiB, too much for the stack; one allocation per report, reused chart after chart. */
struct chart_points {
	double xs[MAXPTS], y1[MAXPTS], y2[MAXPTS];
	double hit_x[MAXPTS], hit_ratio[MAXPTS];                  /* read hit ratio over time */
	double lat_x[MB_STAT_LAT_SLOTS], lat_pct[3][MB_STAT_LAT_SLOTS]; /* latency percentiles over time */
};

/* Key sizes at their real resolution: one bar per byte length seen (the counts are exact). */
static bool key_size_chart(struct mb_buf *b, const struct mb_dist *d)
{
	bool ok = mb_svg_open(b, "chart-key-size", "Key size: requests per length");
	uint64_t first = UINT64_MAX, last = 0, hi = 0;
	for (uint64_t v = 0; d->exact && v <= d->exact_max; v++) {
		if (!d->exact[v])
			continue;
		first = first == UINT64_MAX ? v : first;
		last = v;
		hi = d->exact[v] > hi ? d->exact[v] : hi;
	}
	if (first == UINT64_MAX)
		return ok && mb_svg_no_data(b, NULL) && mb_svg_close(b);
	/* Half a byte of room on each side, so the end bars are whole. */
	struct mb_axis x = { (double)first - 0.5, (double)last + 0.5, false, MB_SVG_ML, MB_SVG_W - MB_SVG_MR, MB_U_BYTES, "key length (B)", "key length" };
	struct mb_axis y = { 0, (double)hi, false, MB_SVG_H - MB_SVG_MB, MB_SVG_MT, MB_U_COUNT, "requests", "requests" };
	ok = ok && mb_svg_axes(b, &x, &y);
	double bw = (double)(MB_SVG_W - MB_SVG_ML - MB_SVG_MR) / (x.hi - x.lo);
	for (uint64_t v = first; v <= last && ok; v++) {
		if (!d->exact[v])
			continue;
		double top = mb_svg_map(&y, (double)d->exact[v]);
		ok = mb_bprintf(b, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"%s\"><title>%" PRIu64
				   " B: %" PRIu64 " requests (%.2f%%)</title></rect>\n",
				mb_svg_map(&x, (double)v - 0.5) + bw * 0.05, top, bw * 0.9, (MB_SVG_H - MB_SVG_MB) - top, mb_svg_palette[0], v, d->exact[v],
				100.0 * (double)d->exact[v] / (double)d->n);
	}
	return ok && mb_svg_close(b);
}

/* A distribution as a cumulative curve at the histogram's resolution (0.1%), on a log x axis. */
static bool cdf_chart(struct mb_buf *b, const char *id, const char *title, const struct mb_dist *d, enum mb_unit xu, const char *xl,
		      const char *xtip, double *xs, double *ys, const char *empty)
{
	size_t n = 0, cur = 0;
	uint64_t lo, hi, cnt, cum = d->zeros;
	while (d->n && !d->exact && n + 2 < MAXPTS && mb_hist_next(&d->h, &cur, &lo, &hi, &cnt)) {
		if (!n || xs[n - 1] != (double)lo) {
			xs[n] = (double)lo;
			ys[n++] = (double)cum / (double)d->n;
		}
		cum += cnt;
		xs[n] = (double)hi;
		ys[n++] = (double)cum / (double)d->n;
	}
	struct mb_series s = { xs, ys, n, mb_svg_palette[0], "", false };
	struct mb_axis x = { 0, 1, true, 0, 0, xu, xl, xtip }, y = { 0, 1, false, 0, 0, MB_U_PCT, "share of requests at or below (%)", "at or below" };
	return mb_svg_line_chart(b, id, title, &s, 1, x, y, empty);
}

/* A distribution's row: count, mean, cv, percentiles and max, each in the unit u. */
static bool dist_table_row(struct mb_buf *b, const char *label, const struct mb_dist *d, enum mb_unit u)
{
	char v[MB_REPORT_NPCT + 2][32];
	mb_svg_fmt(v[0], sizeof v[0], mb_dist_mean(d), u);
	for (int i = 0; i < MB_REPORT_NPCT; i++)
		mb_svg_fmt(v[i + 1], sizeof v[i + 1], (double)mb_dist_pct(d, mb_report_pct[i]), u);
	mb_svg_fmt(v[MB_REPORT_NPCT + 1], sizeof v[0], (double)d->max, u);
	return mb_bprintf(b, "<tr><td>%s</td><td>%" PRIu64 "</td><td>%s</td><td>%.2f</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
			  label, d->n, v[0], mb_dist_cv(d), v[1], v[2], v[3], v[4], v[5]);
}

static const char dist_head[] =
	"<tr><th></th><th>count</th><th>mean</th><th>cv</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr>\n";

static bool overview(const struct mb_stat *st, struct mb_buf *b)
{
	const struct mb_stat_result *r = &st->r;
	char t1[32], t2[32];
	bool ok = mb_bprintf(b, "<h2>Overview</h2><table class=\"kv\">\n<tr><td>stream</td><td>%s", mb_kind_name(st->info.kind));
	const char *prog = mb_info_get(&st->info, "program");
	if (prog)
		ok = ok && mb_bprintf(b, " from ") && mb_html_esc(b, prog);
	ok = ok && mb_bprintf(b, "</td></tr>\n<tr><td>duration</td><td>%.3f s</td></tr>\n<tr><td>events</td><td>%" PRIu64 "</td></tr>\n",
			      r->duration_s, st->events);
	ok = ok && mb_bprintf(b, "<tr><td>ops/s</td><td>%.1f mean, %.0f peak (per second), burstiness %.2f</td></tr>\n", r->mean_ops,
			      r->peak_ops, r->burstiness);
	ok = ok && mb_bprintf(b, "<tr><td>connections</td><td>%u</td></tr>\n<tr><td>distinct keys</td><td>%.0f (%s)</td></tr>\n",
			      st->conns.n, r->distinct_keys, r->keys_exact ? "exact" : "HyperLogLog estimate");
	mb_fmt_bytes(t1, sizeof t1, (double)st->req_bytes_est);
	mb_fmt_bytes(t2, sizeof t2, (double)st->resp_bytes_est);
	ok = ok && mb_bprintf(b, "<tr><td>wire bytes (estimate)</td><td>%s read, %s written</td></tr>\n", t1, t2);
	ok = ok && mb_bprintf(b, "<tr><td>responses captured</td><td>%.2f%%</td></tr></table>\n",
			      st->events ? 100.0 * (double)st->answered / (double)st->events : 0);
	ok = ok && mb_bprintf(b, "<h2>Command mix</h2><table><tr><th>command</th><th>count</th><th>share</th><th>hits</th><th>misses</th>"
				 "<th>hit ratio</th><th>errors</th></tr>\n");
	for (unsigned c = 0; c < MB_CMD_COUNT && ok; c++) {
		if (!st->cmd[c])
			continue;
		uint64_t h, m;
		mb_stat_hits(st, c, &h, &m);
		char hr[16] = "-";
		if (h + m)
			snprintf(hr, sizeof hr, "%.2f%%", 100.0 * (double)h / (double)(h + m));
		ok = mb_bprintf(b, "<tr><td>%s</td><td>%" PRIu64 "</td><td>%.2f%%</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%s</td><td>%" PRIu64
				   "</td></tr>\n",
				mb_cmd_name(c), st->cmd[c], 100.0 * (double)st->cmd[c] / (double)st->events, h, m, hr, mb_stat_errors(st, c));
	}
	for (unsigned p = 0; p < MB_PROTO_COUNT && ok; p++)
		if (st->proto[p])
			ok = mb_bprintf(b, "<tr><td><i>protocol %s</i></td><td>%" PRIu64 "</td><td>%.2f%%</td></tr>\n", mb_proto_name(p), st->proto[p],
					100.0 * (double)st->proto[p] / (double)st->events);
	return ok && mb_bprintf(b, "</table>\n");
}

static bool sizes(const struct mb_stat *st, struct mb_buf *b, double *xs, double *ys)
{
	bool ok = mb_bprintf(b, "<h2>Key, value and TTL sizes</h2><table>%s", dist_head);
	char label[48];
	for (unsigned c = 0; c < MB_SC_COUNT && ok; c++)
		if (st->key_size[c].n) {
			snprintf(label, sizeof label, "key size %s", mb_stat_class_name(c));
			ok = dist_table_row(b, label, &st->key_size[c], MB_U_BYTES);
		}
	for (unsigned c = 0; c < MB_SC_COUNT && ok; c++)
		if (st->value_size[c].n) {
			snprintf(label, sizeof label, "value size %s", mb_stat_class_name(c));
			ok = dist_table_row(b, label, &st->value_size[c], MB_U_BYTES);
		}
	if (ok && st->ttl.n)
		ok = dist_table_row(b, "ttl", &st->ttl, MB_U_SEC);
	ok = ok && mb_bprintf(b, "</table>\n");
	if (ok && st->ttl_negative)
		ok = mb_bprintf(b, "<p>%" PRIu64 " negative TTLs (already expired) left out.</p>\n", st->ttl_negative);
	ok = ok && mb_bprintf(b, "<div class=\"charts\">") && key_size_chart(b, &st->key_size[MB_SC_ALL]);
	ok = ok && cdf_chart(b, "chart-value-size-set", "Value size stored (cumulative)", &st->value_size[MB_SC_SET], MB_U_BYTES,
			     "value size (B, log scale)", "value size", xs, ys, NULL);
	ok = ok && cdf_chart(b, "chart-value-size-get", "Value size returned by hits (cumulative)", &st->value_size[MB_SC_GET], MB_U_BYTES,
			     "value size (B, log scale)", "value size", xs, ys, NULL);
	char why[96] = "no command carried a TTL";
	if (st->ttl.n)
		snprintf(why, sizeof why, "all %" PRIu64 " TTLs are 0 (never expire)", st->ttl.n);
	char title[96];
	snprintf(title, sizeof title, "TTL (cumulative; %.1f%% are 0 = never expire)", st->ttl.n ? 100.0 * (double)st->ttl.zeros / (double)st->ttl.n : 0);
	ok = ok && cdf_chart(b, "chart-ttl", title, &st->ttl, MB_U_SEC, "TTL (log scale)", "TTL", xs, ys, why);
	return ok && mb_bprintf(b, "</div>\n");
}

static bool series(const struct mb_stat *st, struct mb_buf *b, struct chart_points *pt)
{
	double *xs = pt->xs, *y1 = pt->y1, *y2 = pt->y2;
	bool ok = mb_bprintf(b, "<h2>Arrival process and time series</h2><table>%s", dist_head) &&
		  dist_table_row(b, "inter-arrival overall", &st->iat, MB_U_NS) &&
		  dist_table_row(b, "inter-arrival per connection", &st->iat_conn, MB_U_NS) && mb_bprintf(b, "</table>\n");
	double wsec = (double)(st->o.window_ns << st->win_shift) / 1e9;
	uint32_t g = mb_report_group(st->nwin, MAXPTS);
	size_t n = 0;
	for (uint32_t i = 0; i < st->nwin; i += g) {
		uint64_t ops = 0;
		uint32_t e = i + g < st->nwin ? i + g : st->nwin;
		for (uint32_t j = i; j < e; j++)
			ops += st->win[j].ops;
		xs[n] = i * wsec;
		y1[n] = (double)ops / (wsec * (e - i));
		y2[n++] = (double)st->win[e - 1].cum_keys;
	}
	const struct mb_axis tx = { 0, 1, false, 0, 0, MB_U_SEC, "time since the first event (s)", "time" };
	struct mb_series s1 = { xs, y1, n, mb_svg_palette[0], "ops/s", false };
	ok = ok && mb_bprintf(b, "<div class=\"charts\">") &&
	     mb_svg_line_chart(b, "chart-ops", "Requests per second over time", &s1, 1, tx, (struct mb_axis){ 0, 1, false, 0, 0, MB_U_COUNT, "requests per second (ops/s)", "ops/s" }, NULL);
	struct mb_series s2 = { xs, y2, n, mb_svg_palette[2], "keys", false };
	ok = ok && mb_svg_line_chart(b, "chart-working-set", "Working set: distinct keys so far", &s2, 1, tx,
			      (struct mb_axis){ 0, 1, false, 0, 0, MB_U_COUNT, "distinct keys", "keys" }, NULL);
	/* Observed read hit ratio per window (windows without reads left out). */
	size_t nh = 0;
	for (uint32_t i = 0; i < st->nwin; i += g) {
		uint64_t h = 0, m = 0;
		uint32_t e = i + g < st->nwin ? i + g : st->nwin;
		for (uint32_t j = i; j < e; j++) {
			h += st->win[j].hits;
			m += st->win[j].misses;
		}
		if (h + m) {
			pt->hit_x[nh] = i * wsec;
			pt->hit_ratio[nh++] = (double)h / (double)(h + m);
		}
	}
	struct mb_series s3 = { pt->hit_x, pt->hit_ratio, nh, mb_svg_palette[1], "hit ratio", false };
	ok = ok && mb_svg_line_chart(b, "chart-hit-ratio", "Observed read hit ratio over time", &s3, 1, tx,
			      (struct mb_axis){ 0, 1, false, 0, 0, MB_U_PCT, "read hit ratio (%)", "hit ratio" }, "no reads with a captured response");
	/* Latency percentiles per slot (slots without responses left out). */
	static const double pcts[3] = { 50, 90, 99 };
	static const char *const pname[3] = { "p50", "p90", "p99" };
	double lsec = (double)(st->o.window_ns << st->lat_shift) / 1e9;
	size_t nl = 0;
	for (uint32_t i = 0; i < st->nlat; i++) {
		uint64_t cnt = 0;
		for (unsigned k = 0; k < MB_STAT_LAT_BUCKETS; k++)
			cnt += st->lat_slot[i][k];
		if (!cnt)
			continue;
		pt->lat_x[nl] = i * lsec;
		for (int k = 0; k < 3; k++)
			pt->lat_pct[k][nl] = (double)mb_stat_lat_pct(st->lat_slot[i], pcts[k]);
		nl++;
	}
	struct mb_series s4[3];
	for (int k = 0; k < 3; k++)
		s4[k] = (struct mb_series){ pt->lat_x, pt->lat_pct[k], nl, mb_svg_palette[k], pname[k], false };
	ok = ok && mb_svg_line_chart(b, "chart-latency-time", "Server latency percentiles over time (6% resolution)", s4, 3, tx,
			      (struct mb_axis){ 0, 1, true, 0, 0, MB_U_NS, "latency (log scale)", "latency" }, "no responses captured");
	return ok && mb_bprintf(b, "</div>\n");
}

static bool popularity(const struct mb_stat *st, struct mb_buf *b, double *xs, double *ys, double *fy)
{
	const struct mb_stat_result *r = &st->r;
	bool names = st->names.tk != NULL;
	bool ok = mb_bprintf(b, "<h2>Key popularity</h2><table><tr><th>rank</th><th>key</th><th>requests</th><th>share</th></tr>\n");
	struct mb_buf nb = { 0 };
	for (size_t i = 0; i < r->ntop && ok; i++) {
		const uint8_t *kn = NULL;
		const struct mb_hot_stats *hs = names ? mb_hot_find(&st->names, r->top[i].id, &kn) : NULL;
		nb.len = 0;
		ok = mb_report_name(&nb, st->hashed, false, r->top[i].id, hs ? kn : NULL, hs) &&
		     mb_bprintf(b, "<tr><td>%zu</td><td><code>", i + 1) && mb_html_esc(b, nb.p) &&
		     mb_bprintf(b, "</code>%s</td><td>%" PRIu64 "</td><td>%.3f%%</td></tr>\n", names && !hs ? " (name not kept)" : "",
				r->top[i].count, st->keyed ? 100.0 * (double)r->top[i].count / (double)st->keyed : 0);
	}
	ok = ok && mb_bprintf(b, "</table><p>");
	if (r->zipf_ok)
		ok = ok && mb_bprintf(b, "Zipf exponent <b>%.3f</b> (weighted log-log least squares over ranks 1..%zu, R&sup2; %.3f). ", r->zipf.s,
				      r->zipf.ranks, r->zipf.r2);
	ok = ok && mb_bprintf(b, "Top 1%% of keys (%" PRIu64 "): %.2f%% of keyed requests. One-hit wonders: %" PRIu64 " keys.</p>\n",
			      r->top1pct_keys, 100 * r->top1pct_share, r->one_hit);
	if (ok && st->ns.on) {
		struct mb_hot_item *it = malloc(sizeof *it * st->o.top);
		size_t n = it ? mb_hot_list(&st->nsh, it, st->o.top) : 0;
		ok = it && mb_bprintf(b, "<h3>Namespaces (%u, by %s)</h3><table><tr><th>namespace</th><th>requests</th><th>share</th><th>keys</th>"
					  "<th>read hit ratio</th><th>value bytes</th><th>mean latency</th></tr>\n",
				      mb_topk_size(st->nsh.tk), st->ns.tags ? "mb-anon --prefix tag" : "first segment");
		for (size_t i = 0; i < n && ok; i++) {
			const struct mb_hot_stats *hs = it[i].s;
			char hr[16] = "-", by[32], lat[32] = "-";
			if (hs->hits + hs->misses)
				snprintf(hr, sizeof hr, "%.2f%%", 100.0 * (double)hs->hits / (double)(hs->hits + hs->misses));
			mb_svg_fmt(by, sizeof by, (double)hs->bytes, MB_U_BYTES);
			if (hs->lat_n)
				mb_svg_fmt(lat, sizeof lat, (double)hs->lat_sum / (double)hs->lat_n, MB_U_NS);
			nb.len = 0;
			ok = mb_report_name(&nb, st->ns.tags, true, it[i].id, it[i].name, hs) &&
			     mb_bprintf(b, "<tr><td><code>") && mb_html_esc(b, nb.p) &&
			     mb_bprintf(b, "</code></td><td>%" PRIu64 "</td><td>%.3f%%</td><td>%" PRIu64 "</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
					it[i].count, st->keyed ? 100.0 * (double)it[i].count / (double)st->keyed : 0, hs->keys, hr, by, lat);
		}
		free(it);
		ok = ok && mb_bprintf(b, "</table>\n");
	}
	mb_buf_free(&nb);
	size_t n = 0, rank = 1;
	while (rank <= r->nranks && n < MAXPTS) {
		xs[n] = (double)rank;
		ys[n] = (double)r->rank_counts[rank - 1];
		fy[n] = r->zipf_ok ? (double)r->rank_counts[0] * pow((double)rank, -r->zipf.s) : 0;
		n++;
		size_t next = (size_t)((double)rank * 1.05);
		rank = next > rank ? next : rank + 1;
	}
	struct mb_series s[2] = { { xs, ys, n, mb_svg_palette[0], "observed", true }, { xs, fy, r->zipf_ok ? n : 0, mb_svg_palette[3], "Zipf fit", false } };
	return ok && mb_svg_line_chart(b, "chart-rank", "Rank-frequency (log-log)", s, 2, (struct mb_axis){ 0, 1, true, 0, 0, MB_U_COUNT, "key rank (log scale)", "rank" },
				(struct mb_axis){ 0, 1, true, 0, 0, MB_U_COUNT, "requests (log scale)", "requests" }, NULL);
}

static bool cache(const struct mb_stat *st, struct mb_buf *b, double *xs, double *ys)
{
	const struct mb_stat_result *r = &st->r;
	bool ok = mb_bprintf(b, "<h2>Cache behaviour</h2>");
	if (!st->shards)
		return ok && mb_bprintf(b, "<p>LRU miss-ratio curve not computed (--no-mrc).</p>\n");
	ok = ok && mb_bprintf(b, "<p>LRU miss-ratio curve, SHARDS sampling rate %.6g, %" PRIu64 " sampled references.</p><div class=\"charts\">",
			      r->mrc_rate, r->mrc_refs);
	for (int k = 0; k < 2 && ok; k++) {
		const struct mb_mrc_point *p = k ? r->mrc_bytes : r->mrc_obj;
		size_t np = k ? r->nmrc_bytes : r->nmrc_obj, n = 0;
		/* A step curve: the ratio drops at each point's size. */
		xs[n] = 0;
		ys[n++] = 1;
		for (size_t i = 0; i < np && n + 2 < MAXPTS; i++) {
			xs[n] = p[i].size;
			ys[n++] = i ? p[i - 1].miss_ratio : 1;
			xs[n] = p[i].size;
			ys[n++] = p[i].miss_ratio;
		}
		struct mb_series s = { xs, ys, n, mb_svg_palette[k ? 1 : 0], "", false };
		ok = mb_svg_line_chart(b, k ? "chart-mrc-bytes" : "chart-mrc-objects", k ? "LRU miss ratio by cache bytes" : "LRU miss ratio by cache objects",
				&s, 1, (struct mb_axis){ 0, 1, false, 0, 0, k ? MB_U_BYTES : MB_U_COUNT, k ? "cache size (B)" : "cache size (objects)", k ? "cache size" : "cache objects" },
				(struct mb_axis){ 0, 1, false, 0, 0, MB_U_PCT, "miss ratio (%)", "miss ratio" }, NULL);
	}
	return ok && mb_bprintf(b, "</div>\n");
}

static bool latency(const struct mb_stat *st, struct mb_buf *b)
{
	bool ok = mb_bprintf(b, "<h2>Server latency</h2><table>%s", dist_head);
	const char *labels[MB_CMD_COUNT + 1];
	double v[(MB_CMD_COUNT + 1) * MB_REPORT_NPCT];
	size_t n = 0;
	for (unsigned c = 0; c <= MB_CMD_COUNT && ok; c++) {
		const struct mb_dist *d = c < MB_CMD_COUNT ? st->lat[c] : &st->lat_all;
		if (!d || !d->n)
			continue;
		labels[n] = c < MB_CMD_COUNT ? mb_cmd_name(c) : "all";
		for (int i = 0; i < MB_REPORT_NPCT; i++)
			v[n * MB_REPORT_NPCT + (size_t)i] = (double)mb_dist_pct(d, mb_report_pct[i]);
		ok = dist_table_row(b, labels[n], d, MB_U_NS);
		n++;
	}
	ok = ok && mb_bprintf(b, "</table>\n");
	return ok && mb_svg_bar_chart(b, "chart-latency", "Latency percentiles per command", labels, v, n, MB_REPORT_NPCT, mb_svg_palette,
			       mb_report_pct_name, true, MB_U_NS, "latency (log scale)");
}

/* A counter row, only when it is not zero. */
static bool counter(struct mb_buf *b, const char *prog, const char *name, uint64_t v, unsigned *shown)
{
	if (!v)
		return true;
	++*shown;
	return mb_bprintf(b, "<tr><td>") && (!prog || (mb_html_esc(b, prog) && mb_bprintf(b, " "))) && mb_html_esc(b, name) &&
	       mb_bprintf(b, "</td><td>%" PRIu64 "</td></tr>\n", v);
}

static bool anomalies(const struct mb_stat *st, struct mb_buf *b)
{
	unsigned shown = 0, total = 0;
	bool ok = mb_bprintf(b, "<h2>Anomalies</h2><table class=\"anomalies\">\n");
	static const unsigned errs[] = { MB_ST_ERROR, MB_ST_CLIENT_ERROR, MB_ST_SERVER_ERROR, MB_ST_UNANSWERED };
	for (size_t i = 0; i < sizeof errs / sizeof errs[0] && ok; i++, total++)
		ok = counter(b, NULL, mb_status_name(errs[i]), st->status[errs[i]], &shown);
	static const unsigned flags[] = { 10, 11, 9 }; /* resync, key_cut, inferred */
	for (size_t i = 0; i < sizeof flags / sizeof flags[0] && ok; i++, total++)
		ok = counter(b, NULL, mb_flag_name(flags[i]), st->flag[flags[i]], &shown);
	ok = ok && counter(b, NULL, "unknown commands", st->cmd[MB_CMD_UNKNOWN], &shown) &&
	     counter(b, NULL, "out-of-order timestamps", st->out_of_order, &shown) &&
	     counter(b, NULL, "non-event frames skipped", st->other_frames, &shown);
	total += 3;
	for (unsigned i = 0; i < st->nsums && ok; i++)
		for (unsigned j = 0; j < st->sums[i].n && ok; j++, total++)
			ok = counter(b, st->sums[i].program, st->sums[i].c[j].name, st->sums[i].c[j].val, &shown);
	ok = ok && mb_bprintf(b, "</table>\n");
	return ok && mb_bprintf(b, "<p>%u of %u counters are not zero%s.</p>\n", shown, total, shown ? "; the others are left out" : "");
}

int mb_report_html(const struct mb_stat *st, struct mb_buf *out)
{
	struct chart_points *pt = malloc(sizeof *pt);
	bool ok = pt && mb_html_page_start(out, "mb-stat report");
	ok = ok && overview(st, out) && sizes(st, out, pt->xs, pt->y1) && series(st, out, pt) &&
	     popularity(st, out, pt->xs, pt->y1, pt->y2) && cache(st, out, pt->xs, pt->y1) && latency(st, out) && anomalies(st, out) &&
	     mb_bprintf(out, "</body></html>\n");
	free(pt);
	return ok ? MB_OK : MB_EIO;
}
