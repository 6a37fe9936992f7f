/* fire_shard.c - --shard I/N: a stable partition of the recorded connections, the key orders it cuts, --shard-keys's plan, --start-at. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "connmap.h"
#include "fire_int.h"
#include "json.h"
#include "jsonread.h"
#include "mbtime.h"
#include "prog.h"
#include "stream.h"

/*
 * Every shard reads the whole input and numbers the recorded connections in order of first
 * appearance (the reader's dense numbers), so all shards agree on the partition without
 * talking: connection d goes to shard d mod N, or with --shard-keys to the shard the plan
 * gives its group. A shard replays only its connections, at the intended times of the whole
 * input (the timeline, --rate's slots and -d are the fleet's), and follows every key of the
 * input to count the requests of its own that come after a conflicting request of another
 * shard (the order tracker's dependencies: a write or read after another connection's
 * write, a write after other connections' reads): those orders cannot be kept.
 *
 * The plan (--shard-keys) joins connections that touch a common key (union-find over the
 * key -> first connection map), weighs each group by its requests, and deals the groups,
 * heaviest first, to the least loaded shard (ties: lowest shard, then lowest connection), so
 * every shard computes the same plan. A group heavier than an even share stays whole: its
 * shard carries more than the others, and the report says how much.
 */

#define KEYS_MAX (1ull << 26)       /* key table slots (half of them usable): 24 bytes each */
#define START_LEAD_NS 20000000ull   /* the workers get the clock this long before --start-at */

int fire_shard_parse(const char *s, struct fire_opts *opt, struct mb_err *err)
{
	char *end;
	unsigned long i, n;
	if (*s < '0' || *s > '9')
		return mb_err_set(err, MB_ERR, "--shard: want I/N (0 <= I < N): '%s'", s);
	i = strtoul(s, &end, 10);
	if (*end != '/' || end[1] < '0' || end[1] > '9')
		return mb_err_set(err, MB_ERR, "--shard: want I/N (0 <= I < N): '%s'", s);
	n = strtoul(end + 1, &end, 10);
	if (*end || n < 1 || n > FIRE_SHARDS_MAX || i >= n)
		return mb_err_set(err, MB_ERR, "--shard: want I/N with 0 <= I < N <= %d: '%s'", FIRE_SHARDS_MAX, s);
	opt->shard = (unsigned)i;
	opt->shards = (unsigned)n;
	return MB_OK;
}

void fire_shard_free(struct fire_shard *s)
{
	free(s->keys);
	free(s->of);
	s->keys = NULL;
	s->of = NULL;
	s->kcap = s->kn = 0;
}

static uint32_t shard_of(const struct fire_run *r, uint32_t dense)
{
	const struct fire_shard *s = &r->shard;
	return s->of && dense < s->nof ? s->of[dense] : dense % r->opt.shards;
}

/* The key's entry, added (zeroed, used) when new; NULL when full or out of memory. */
static struct fire_skey *key_entry(struct fire_shard *s, uint64_t hash, bool *fresh, struct mb_err *err)
{
	if ((s->kn + 1) * 2 > s->kcap) {
		uint64_t cap = s->kcap ? s->kcap * 2 : 1u << 16;
		struct fire_skey *t = cap <= KEYS_MAX ? calloc(cap, sizeof *t) : NULL;
		if (!t) {
			mb_err_set(err, MB_EIO, "--shard: %s for %" PRIu64 " distinct keys",
				   cap > KEYS_MAX ? "too many keys (the limit is half of 67108864)" : "out of memory", s->kn + 1);
			return NULL;
		}
		for (uint64_t i = 0; i < s->kcap; i++) {
			if (!s->keys[i].used)
				continue;
			uint64_t j = (s->keys[i].hash * 0x9e3779b97f4a7c15ull) & (cap - 1);
			while (t[j].used)
				j = (j + 1) & (cap - 1);
			t[j] = s->keys[i];
		}
		free(s->keys);
		s->keys = t;
		s->kcap = cap;
	}
	uint64_t j = (hash * 0x9e3779b97f4a7c15ull) & (s->kcap - 1);
	while (s->keys[j].used && s->keys[j].hash != hash)
		j = (j + 1) & (s->kcap - 1);
	*fresh = !s->keys[j].used;
	if (*fresh) {
		s->keys[j] = (struct fire_skey){ .hash = hash, .conn = FIRE_NOCONN, .rshard = FIRE_NOCONN, .used = 1 };
		s->kn++;
	}
	return &s->keys[j];
}

int fire_shard_take(struct fire_run *r, uint32_t dense, const struct mb_event *ev, uint64_t t, bool *mine,
		    struct mb_err *err)
{
	struct fire_shard *s = &r->shard;
	uint32_t me = r->opt.shard, sh = shard_of(r, dense);
	*mine = sh == me;
	if (*mine) {
		s->mine++;
		if (!s->first_t || t + 1 < s->first_t)
			s->first_t = t + 1;
	} else {
		s->others++;
	}
	bool w = fire_cmd_writes(ev->cmd), rd = !w && fire_cmd_reads(ev->cmd);
	if (!mb_cmd_has_key(ev->cmd) || (!w && !rd))
		return MB_OK;
	bool fresh;
	struct fire_skey *k = key_entry(s, ev->key_hash, &fresh, err);
	if (!k)
		return MB_EIO;
	if (*mine) {
		bool cross = k->conn != FIRE_NOCONN && k->conn != dense && shard_of(r, k->conn) != me;
		if (w && k->rshard != FIRE_NOCONN && k->rshard != me)
			cross = true; /* reads of another shard (or of several) since the last write */
		s->cross += cross;
	}
	if (w) {
		k->conn = dense;
		k->rshard = FIRE_NOCONN;
	} else {
		k->rshard = k->rshard == FIRE_NOCONN || k->rshard == sh ? sh : FIRE_SHARD_MIXED;
	}
	return MB_OK;
}

/* ---------------------------------------------------------------- --shard-keys plan */

struct plan {
	uint32_t *parent;
	uint64_t *weight;
	uint32_t n, cap;
	struct mb_connmap ids;   /* recorded connection id -> dense number (the reader's numbering) */
};

static uint32_t find(struct plan *p, uint32_t a)
{
	while (p->parent[a] != a) {
		p->parent[a] = p->parent[p->parent[a]];
		a = p->parent[a];
	}
	return a;
}

/* Join the groups of a and b; the lower number stays the root (a stable choice). */
static void join(struct plan *p, uint32_t a, uint32_t b)
{
	a = find(p, a);
	b = find(p, b);
	if (a == b)
		return;
	if (b < a) {
		uint32_t x = a;
		a = b;
		b = x;
	}
	p->parent[b] = a;
}

/* The dense number of recorded connection id, added when new; UINT32_MAX without memory. */
static uint32_t plan_conn(struct plan *p, uint32_t id)
{
	bool fresh;
	uint64_t *v = mb_connmap_put(&p->ids, id, &fresh);
	if (!v)
		return UINT32_MAX;
	if (!fresh)
		return (uint32_t)*v;
	if (p->n == p->cap) {
		uint32_t cap = p->cap ? p->cap * 2 : 1024;
		uint32_t *np = realloc(p->parent, cap * sizeof *np);
		if (np)
			p->parent = np;
		uint64_t *nw = np ? realloc(p->weight, cap * sizeof *nw) : NULL;
		if (!nw)
			return UINT32_MAX;
		p->weight = nw;
		p->cap = cap;
	}
	*v = p->n;
	p->parent[p->n] = p->n;
	p->weight[p->n] = 0;
	return p->n++;
}

struct group {
	uint64_t weight;
	uint32_t root;  /* its lowest connection number */
};

static int group_cmp(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return x->root < y->root ? -1 : x->root > y->root;
}

/* A min-heap of shards by (load, index). */
static bool heap_less(const uint64_t *load, uint32_t a, uint32_t b)
{
	return load[a] != load[b] ? load[a] < load[b] : a < b;
}

static void heap_down(uint32_t *h, uint32_t n, const uint64_t *load, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, m = i;
		if (l < n && heap_less(load, h[l], h[m]))
			m = l;
		if (l + 1 < n && heap_less(load, h[l + 1], h[m]))
			m = l + 1;
		if (m == i)
			return;
		uint32_t x = h[i];
		h[i] = h[m];
		h[m] = x;
		i = m;
	}
}

/* Deal the groups to the shards; fills r->shard.of and the plan's numbers. */
static int deal(struct fire_run *r, struct plan *p, struct mb_err *err)
{
	struct fire_shard *s = &r->shard;
	unsigned n = r->opt.shards;
	struct group *g = calloc(p->n ? p->n : 1, sizeof *g);
	uint32_t *gi = calloc(p->n ? p->n : 1, sizeof *gi); /* root -> group index */
	uint64_t *load = calloc(n, sizeof *load);
	uint32_t *heap = calloc(n, sizeof *heap), *gshard = calloc(p->n ? p->n : 1, sizeof *gshard);
	s->of = calloc(p->n ? p->n : 1, sizeof *s->of);
	int rc = MB_OK;
	if (!g || !gi || !load || !heap || !gshard || !s->of) {
		rc = mb_err_set(err, MB_EIO, "--shard-keys: out of memory for %u connections", p->n);
		goto out;
	}
	uint32_t ng = 0;
	for (uint32_t c = 0; c < p->n; c++) {
		uint32_t root = find(p, c);
		if (root == c) {
			gi[c] = ng;
			g[ng++] = (struct group){ 0, c };
		}
		g[gi[root]].weight += p->weight[c];
	}
	qsort(g, ng, sizeof *g, group_cmp);
	for (unsigned i = 0; i < n; i++)
		heap[i] = i;
	for (uint32_t k = 0; k < ng; k++) {
		uint32_t sh = heap[0];
		load[sh] += g[k].weight;
		gshard[k] = sh;
		gi[g[k].root] = k;
		heap_down(heap, n, load, 0);
		s->total += g[k].weight;
	}
	for (uint32_t c = 0; c < p->n; c++)
		s->of[c] = gshard[gi[find(p, c)]];
	s->nof = p->n;
	s->groups = ng;
	s->largest = ng ? g[0].weight : 0;
	s->load = load[r->opt.shard];
	for (unsigned i = 0; i < n; i++)
		if (load[i] > s->max_load)
			s->max_load = load[i];
out:
	free(g);
	free(gi);
	free(load);
	free(heap);
	free(gshard);
	return rc;
}

int fire_run_shard_plan(struct fire_run *r, int fd, const char *name, struct mb_err *err)
{
	struct fire_shard *s = &r->shard;
	struct mb_reader rd;
	int rc = fire_input_open(r, &rd, fd, name, err);
	struct plan p = { 0 };
	struct mb_frame f;
	while (rc == MB_OK && (rc = mb_reader_next(&rd, &f, err)) == MB_OK) {
		if (f.type != MB_FRAME_EVENT)
			continue;
		struct mb_event ev;
		if ((rc = fire_input_event(&rd, &f, &ev, name, err)) != MB_OK)
			break;
		if (!mb_mcreq_replayable(ev.cmd))
			continue;
		uint32_t c = plan_conn(&p, ev.conn_id);
		if (c == UINT32_MAX) {
			rc = mb_err_set(err, MB_EIO, "--shard-keys: out of memory for the connections");
			break;
		}
		p.weight[c]++;
		if (!mb_cmd_has_key(ev.cmd))
			continue;
		bool fresh;
		struct fire_skey *k = key_entry(s, ev.key_hash, &fresh, err);
		if (!k) {
			rc = MB_EIO;
			break;
		}
		if (fresh)
			k->conn = c;
		else
			join(&p, k->conn, c);
	}
	mb_reader_close(&rd);
	if (rc == MB_END)
		rc = MB_OK;
	if (rc == MB_OK && mb_stop_requested)
		rc = mb_err_set(err, MB_EIO, "--shard-keys: interrupted while planning: '%s'", name);
	if (rc == MB_OK)
		rc = deal(r, &p, err);
	/* the replay's accounting starts with an empty key table */
	free(s->keys);
	s->keys = NULL;
	s->kcap = s->kn = 0;
	free(p.parent);
	free(p.weight);
	mb_connmap_free(&p.ids);
	if (rc == MB_OK)
		lseek(fd, 0, SEEK_SET);
	return rc;
}

/* ---------------------------------------------------------------- --start-at */

/* The --start-at instant on CLOCK_MONOTONIC, as read at now (0 when it was before the
   monotonic clock began). */
static uint64_t start_mono(const struct fire_run *r, uint64_t now)
{
	uint64_t real = mb_real_ns();
	if (r->opt.start_at >= real)
		return now + (r->opt.start_at - real);
	return now > real - r->opt.start_at ? now - (real - r->opt.start_at) : 0;
}

uint64_t fire_shard_start_at(struct fire_run *r)
{
	struct fire_shard *s = &r->shard;
	for (;;) {
		/* the instant on the monotonic clock, again on each turn (the wall clock may be slewed) */
		uint64_t now = mb_mono_ns();
		s->start_mono = start_mono(r, now);
		if (mb_stop_requested || atomic_load(&r->stop) || now + START_LEAD_NS >= s->start_mono)
			return s->start_mono > now ? s->start_mono : now;
		uint64_t left = s->start_mono - START_LEAD_NS - now;
		struct timespec ts = { 0, (long)(left < 10000000 ? left : 10000000) };
		nanosleep(&ts, NULL); /* a signal ends it at once */
	}
}

/* Signed start skew in ns: this shard's first send minus its intended time on the common
   clock (merged reports: the largest); false when nothing was sent. */
static bool start_skew(const struct fire_run *r, int64_t *skew)
{
	const struct fire_shard *s = &r->shard;
	if (r->reports) {
		*skew = s->skew_max_ns;
		return s->have_skew;
	}
	if (!r->opt.start_at || !r->total.first_send || !s->start_mono)
		return false;
	uint64_t intended = s->start_mono + (s->first_t ? s->first_t - 1 : 0);
	*skew = (int64_t)(r->total.first_send - intended);
	return true;
}

/* ---------------------------------------------------------------- report */

void fire_shard_report_text(const struct fire_run *r, FILE *o)
{
	const struct fire_shard *s = &r->shard;
	const char *how = r->opt.shard_keys ? "connections that share keys together" : "connections in turn";
	if (r->opt.shards && r->reports)
		fprintf(o, "shards: %u of %u (%s): %" PRIu64 " of %" PRIu64 " requests; %" PRIu64
			   " follow a conflicting request of another shard (that order is not kept)\n",
			s->merged, r->opt.shards, how, s->mine, s->mine + s->others, s->cross);
	else if (r->opt.shards)
		fprintf(o, "shard: %u/%u (%s): %" PRIu64 " of %" PRIu64 " requests; %" PRIu64
			   " follow a conflicting request of another shard (that order is not kept)\n",
			r->opt.shard, r->opt.shards, how, s->mine, s->mine + s->others, s->cross);
	if (r->opt.shards && r->opt.shard_keys && !r->reports)
		fprintf(o, "shard plan: %" PRIu64 " groups of connections, the largest %" PRIu64
			   " requests; this shard %" PRIu64 ", the heaviest %" PRIu64 ", an even share %.0f\n",
			s->groups, s->largest, s->load, s->max_load, (double)s->total / r->opt.shards);
	if (r->opt.start_at) {
		char ts[32];
		mb_ts_format(ts, sizeof ts, r->opt.start_at);
		int64_t skew;
		if (!start_skew(r, &skew))
			fprintf(o, "start: at %s (unix s); nothing sent\n", ts);
		else if (r->reports)
			fprintf(o, "start: at %s (unix s); the first requests sent at most %+.3f ms from their intended "
				   "time (start skew, the largest of %u)\n", ts, (double)skew / 1e6, s->merged);
		else
			fprintf(o, "start: at %s (unix s); first request sent %+.3f ms from its intended time (start skew)\n",
				ts, (double)skew / 1e6);
	}
}

void fire_shard_report_json(const struct fire_run *r, struct mb_json *j)
{
	const struct fire_shard *s = &r->shard;
	if (r->opt.shards) {
		mb_json_wrap(j, 1);
		mb_json_key(j, "shard");
		mb_json_begin_object(j);
		if (r->reports)
			mb_json_ku64(j, "merged", s->merged);
		else
			mb_json_ku64(j, "index", r->opt.shard);
		mb_json_ku64(j, "count", r->opt.shards);
		mb_json_kbool(j, "by_keys", r->opt.shard_keys);
		mb_json_ku64(j, "requests", s->mine);
		mb_json_ku64(j, "input_requests", s->mine + s->others);
		mb_json_ku64(j, "cross_shard_orders", s->cross);
		if (r->opt.shard_keys && !r->reports) {
			mb_json_ku64(j, "groups", s->groups);
			mb_json_ku64(j, "largest_group_requests", s->largest);
			mb_json_ku64(j, "heaviest_shard_requests", s->max_load);
		}
		mb_json_end_object(j);
	}
	if (r->opt.start_at) {
		mb_json_wrap(j, 1);
		mb_json_kfixed(j, "start_at_unix_s", (double)r->opt.start_at / 1e9, 6);
		int64_t skew;
		if (start_skew(r, &skew)) {
			mb_json_kfixed(j, "start_skew_ms", (double)skew / 1e6, 6);
		} else {
			mb_json_key(j, "start_skew_ms");
			mb_json_null(j);
		}
	}
}

/* A count member k of object o into *v; false (err filled) when it is not one. */
static bool jr_count(const struct mb_jr *d, uint32_t o, const char *k, uint64_t *v, const char *name, struct mb_err *err)
{
	if (mb_jr_u64(d, mb_jr_get(d, o, k), v) && *v <= UINT64_MAX / 2)
		return true;
	mb_err_set(err, MB_ERR, "bad report: shard.%s is missing or not a count: '%s'", k, name);
	return false;
}

int fire_shard_report_add(struct fire_run *r, const struct mb_jr *d, uint32_t root, const char *name,
			  struct mb_err *err)
{
	struct fire_shard *s = &r->shard;
	uint32_t o = mb_jr_get(d, root, "shard");
	if (o != MB_JR_NONE) {
		uint64_t count, idx = 0, merged = 1, req, in, cross;
		bool by_keys, one = mb_jr_get(d, o, "index") != MB_JR_NONE;
		if (!mb_jr_is(d, o, MB_JR_OBJ) || !jr_count(d, o, "count", &count, name, err) ||
		    !jr_count(d, o, one ? "index" : "merged", one ? &idx : &merged, name, err) ||
		    !jr_count(d, o, "requests", &req, name, err) || !jr_count(d, o, "input_requests", &in, name, err) ||
		    !jr_count(d, o, "cross_shard_orders", &cross, name, err))
			return MB_ERR;
		if (!mb_jr_bool(d, mb_jr_get(d, o, "by_keys"), &by_keys))
			return mb_err_set(err, MB_ERR, "bad report: shard.by_keys is missing or not true/false: '%s'", name);
		if (count < 1 || count > FIRE_SHARDS_MAX || idx >= count || merged < 1 || merged > count)
			return mb_err_set(err, MB_ERR, "bad report: shard index, merged or count out of range: '%s'", name);
		if (s->merged && (count != r->opt.shards || by_keys != r->opt.shard_keys))
			return mb_err_set(err, MB_ERR, "report of a partition in %" PRIu64 "%s, the reports before it are of %u%s: '%s'",
					  count, by_keys ? " by keys" : "", r->opt.shards, r->opt.shard_keys ? " by keys" : "", name);
		if (one && (s->seen[idx / 8] >> (idx % 8)) & 1)
			return mb_err_set(err, MB_ERR, "shard %" PRIu64 "/%" PRIu64 " given twice: '%s'", idx, count, name);
		if (one)
			s->seen[idx / 8] |= (uint8_t)(1u << (idx % 8));
		if (s->merged && in != s->mine + s->others)
			return mb_err_set(err, MB_ERR, "report of an input of %" PRIu64 " requests, the reports before it of %" PRIu64 ": '%s'",
					  in, s->mine + s->others, name);
		if (req > in || s->mine + req > in)
			return mb_err_set(err, MB_ERR, "bad report: shard.requests exceed its input_requests: '%s'", name);
		if (s->merged + merged > count)
			return mb_err_set(err, MB_ERR, "more shard reports than the %" PRIu64 " shards: '%s'", count, name);
		/* every shard read the whole input: count it once */
		uint64_t ev = 0, skipped = 0;
		if (s->merged && mb_jr_u64(d, mb_jr_get(d, root, "input_events"), &ev) &&
		    mb_jr_u64(d, mb_jr_get(d, root, "not_replayable"), &skipped) && ev <= r->in_events &&
		    skipped <= r->in_skipped) {
			r->in_events -= ev;
			r->in_skipped -= skipped;
		}
		r->opt.shards = (unsigned)count;
		r->opt.shard_keys = by_keys;
		s->merged += (unsigned)merged;
		s->mine += req;
		s->others = in - s->mine;
		s->cross += cross;
	}
	uint32_t a = mb_jr_get(d, root, "start_at_unix_s");
	if (a == MB_JR_NONE)
		return MB_OK;
	double at, skew;
	if (!mb_jr_double(d, a, &at) || !(at > 0 && at < 1e11))
		return mb_err_set(err, MB_ERR, "bad report: start_at_unix_s is not a time: '%s'", name);
	uint64_t at_ns = (uint64_t)(at * 1e6 + 0.5) * 1000; /* written to the microsecond */
	if (r->opt.start_at && r->opt.start_at != at_ns)
		return mb_err_set(err, MB_ERR, "report of another --start-at than the reports before it: '%s'", name);
	r->opt.start_at = at_ns;
	uint32_t k = mb_jr_get(d, root, "start_skew_ms");
	if (mb_jr_is(d, k, MB_JR_NULL))
		return MB_OK;
	if (!mb_jr_double(d, k, &skew) || !(skew > -1e9 && skew < 1e9))
		return mb_err_set(err, MB_ERR, "bad report: start_skew_ms is not a number of ms: '%s'", name);
	int64_t ns = (int64_t)(skew * 1e6);
	if (!s->have_skew || ns > s->skew_max_ns)
		s->skew_max_ns = ns;
	s->have_skew = true;
	return MB_OK;
}
