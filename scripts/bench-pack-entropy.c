/* bench-pack-entropy.c - the empirical information floor of an event stream, and what each column of its profile costs.
 *
 * usage: bench-pack-entropy STREAM PROFILE
 *
 * STREAM is the events-hashed stream PROFILE was packed from. Written apart from the
 * profile code (common/profile.c): it reads the stream with mb_reader and the profile's
 * blocks with its own parser, so it checks the profile rather than repeating it.
 *
 * Floor: the order-0 empirical entropy, over the whole stream, of each field as a coder
 * that codes the fields apart would see it: H0(x) = sum over distinct values v of
 * count(v) * log2(N / count(v)), the least any coder spends on x with per-value
 * probabilities fixed for the whole stream (the probability table itself free):
 *   key    the key reference of each event: "a new key" at a key's first event, else
 *          which key (hash, length); the new key itself is in dict
 *   conn   connection id
 *   shape  cmd, status, proto, transport, event flags
 *   ts     ts - previous ts (signed), in the stream's own resolution
 *   lat    latency
 *   sizes  value_len, resp_len (each: 0, the key's last non-zero size, the key's first
 *          size, or a new size), ttl and batch_id delta, given the shape: H(X,shape) - H(shape)
 *   dict   per distinct key, once: its 64-bit hash, H0 of key lengths over distinct
 *          keys, H0 of first sizes over the keys that have one
 * Apart, within ts and lat: H0 of their sub-microsecond digits (ns mod 1000 of each time and
 * latency; 0 when the source has microseconds), what a cut to microseconds would drop.
 * Near log2(1000) = 9.97 bits each, they are noise no lossless coder can shed.
 * Columns: every zstd block of every events block is decoded with the buffer-less API,
 * its stored bytes (with its 3-byte header) charged to the columns its output covers
 * (pro rata when one zstd block spans several columns). The rest (profile header, block
 * headers, zstd frame headers, column directories, frames and end blocks) is "overhead".
 * The rows add up to the file size.
 */
#define ZSTD_STATIC_LINKING_ONLY
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "bytes.h"
#include "varint.h"
#include "stream.h"

/* ---------------------------------------------------------------- counting */

/* Counts of distinct (a, b, c) values, open addressing; cnt 0 = empty slot. */
struct ent {
	uint64_t a, b, c;
	uint32_t cnt;
	uint32_t aux;   /* key table: last non-zero size */
};
struct tab {
	struct ent *e;
	size_t cap, n;
};

static void *xcalloc(size_t n, size_t s)
{
	void *p = calloc(n, s);
	if (!p) {
		fprintf(stderr, "bench-pack-entropy: out of memory\n");
		exit(1);
	}
	return p;
}

static size_t slot(uint64_t a, uint64_t b, uint64_t c, size_t mask)
{
	uint64_t h = (a ^ (b * 0xff51afd7ed558ccdULL) ^ (c * 0xc4ceb9fe1a85ec53ULL)) * 0x9e3779b97f4a7c15ULL;
	return (size_t)(h >> 17) & mask;
}

/* The entry of (a, b, c), added with count 0 when new (*fresh). */
static struct ent *find(struct tab *t, uint64_t a, uint64_t b, uint64_t c, int *fresh)
{
	if ((t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		struct ent *e = xcalloc(cap, sizeof *e);
		for (size_t i = 0; i < t->cap; i++) {
			if (!t->e[i].cnt)
				continue;
			size_t j = slot(t->e[i].a, t->e[i].b, t->e[i].c, cap - 1);
			while (e[j].cnt)
				j = (j + 1) & (cap - 1);
			e[j] = t->e[i];
		}
		free(t->e);
		t->e = e;
		t->cap = cap;
	}
	size_t i = slot(a, b, c, t->cap - 1);
	while (t->e[i].cnt && (t->e[i].a != a || t->e[i].b != b || t->e[i].c != c))
		i = (i + 1) & (t->cap - 1);
	*fresh = !t->e[i].cnt;
	if (*fresh) {
		t->e[i] = (struct ent){ a, b, c, 0, 0 };
		t->n++;
	}
	return &t->e[i];
}

static void add(struct tab *t, uint64_t a, uint64_t b, uint64_t c)
{
	int fresh;
	struct ent *e = find(t, a, b, c, &fresh);
	e->cnt++;
}

/* H0 of the counted sequence, in bits (total, not per element). */
static double h0(const struct tab *t)
{
	double n = 0, bits = 0;
	for (size_t i = 0; i < t->cap; i++)
		n += t->e[i].cnt;
	for (size_t i = 0; i < t->cap; i++)
		if (t->e[i].cnt)
			bits += t->e[i].cnt * log2(n / t->e[i].cnt);
	return bits;
}

/* H0 of the key references: each key's repeats (count - 1), and one "new key" per key. */
static double h0_refs(const struct tab *t)
{
	double n = 0, bits = 0, d = (double)t->n;
	for (size_t i = 0; i < t->cap; i++)
		n += t->e[i].cnt;
	for (size_t i = 0; i < t->cap; i++)
		if (t->e[i].cnt > 1)
			bits += (t->e[i].cnt - 1) * log2(n / (t->e[i].cnt - 1));
	return d ? bits + d * log2(n / d) : bits;
}

/* Symbol of a size against the key's last non-zero size (updated); a first size is counted in firsts. */
static uint64_t size_sym(uint32_t v, uint32_t *last, struct tab *firsts)
{
	if (v == 0)
		return 0;
	if (v == *last)
		return 1;
	uint64_t s = *last ? 3 + (uint64_t)v : 2;
	if (!*last)
		add(firsts, v, 0, 0);
	*last = v;
	return s;
}

/* ----------------------------------------------------------- the columns */

/* Column names by layout (column count): version 3's (doc/profile.md), and versions 2 and 1, to compare with old profiles. */
static const char *const names17[] = { "shapes", "shape", "ts", "ts_bits", "lat", "lat_bits", "conn", "conn_bits", "key",
				       "key_bits", "newkey", "newlen", "size", "size_bits", "ttl", "batch", "sem" };
static const char *const names16[] = { "shapes", "shape", "ts", "ts_bits", "lat", "lat_bits", "conn", "conn_bits", "key",
				       "key_bits", "newkey", "newlen", "size", "size_bits", "ttl", "batch" };
static const char *const names15[] = { "shapes", "shape", "ts", "ts_hi", "lat", "lat_hi", "conn", "conn_hi",
				       "key", "newkey", "newlen", "vlen", "rlen", "ttl", "batch" };
#define COLS_MAX 64

struct cols {
	unsigned ncols;
	double stored[COLS_MAX], decoded[COLS_MAX];
	double overhead, events;
};

/* A zstd block's output range and stored cost. */
struct zb {
	size_t from, to;
	double cost;
};

/* Decode one events block payload (a zstd frame), charging its bytes to columns. */
static int events_block(struct cols *c, const uint8_t *p, size_t stored, size_t decoded, ZSTD_DCtx *d, uint8_t *dec,
			struct zb *zb, size_t zbcap)
{
	size_t pos = 0, out = 0, nzb = 0, pending = 0;
	if (ZSTD_isError(ZSTD_decompressBegin(d)))
		return -1;
	for (;;) {
		size_t want = ZSTD_nextSrcSizeToDecompress(d);
		if (want == 0)
			break;
		if (want > stored - pos)
			return -1;
		ZSTD_nextInputType_e type = ZSTD_nextInputType(d);
		size_t got = ZSTD_decompressContinue(d, dec + out, decoded - out, p + pos, want);
		if (ZSTD_isError(got))
			return -1;
		if (type == ZSTDnit_blockHeader) {
			pending += want;
		} else if (type == ZSTDnit_block || type == ZSTDnit_lastBlock) {
			if (nzb == zbcap)
				return -1;
			zb[nzb++] = (struct zb){ out, out + got, (double)(want + pending) };
			pending = 0;
		} else {
			c->overhead += (double)want; /* frame header, checksum */
		}
		pos += want;
		out += got;
	}
	c->overhead += (double)(stored - pos + pending);
	if (out != decoded)
		return -1;
	/* the column directory */
	struct mb_cur h = mb_cur_make(dec, decoded);
	uint64_t ncols = mb_get_uvarint(&h);
	if (h.bad || ncols == 0 || ncols > COLS_MAX || (c->ncols && c->ncols != ncols))
		return -1;
	c->ncols = (unsigned)ncols;
	size_t start[COLS_MAX + 1];
	uint64_t len[COLS_MAX];
	for (unsigned i = 0; i < ncols; i++)
		len[i] = mb_get_uvarint(&h);
	if (h.bad)
		return -1;
	start[0] = h.off;
	for (unsigned i = 0; i < ncols; i++) {
		start[i + 1] = start[i] + (size_t)len[i];
		c->decoded[i] += (double)len[i];
	}
	if (start[ncols] != decoded)
		return -1;
	for (size_t k = 0; k < nzb; k++) {
		double span = (double)(zb[k].to - zb[k].from);
		if (span == 0) {
			c->overhead += zb[k].cost;
			continue;
		}
		size_t a = zb[k].from < start[0] ? start[0] : zb[k].from;
		if (a > zb[k].from) /* directory bytes in this block */
			c->overhead += zb[k].cost * (double)((a < zb[k].to ? a : zb[k].to) - zb[k].from) / span;
		for (unsigned i = 0; i < ncols; i++) {
			size_t lo = a > start[i] ? a : start[i], hi = zb[k].to < start[i + 1] ? zb[k].to : start[i + 1];
			if (hi > lo)
				c->stored[i] += zb[k].cost * (double)(hi - lo) / span;
		}
	}
	return 0;
}

/* Walk the profile's blocks; 0, or -1 with a message. */
static int profile_cols(const char *path, struct cols *c, double *total)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *p = malloc((size_t)size + 1);
	if (!p || fread(p, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "bench-pack-entropy: cannot read %s\n", path);
		return -1;
	}
	fclose(f);
	*total = (double)size;
	ZSTD_DCtx *d = ZSTD_createDCtx();
	size_t zbcap = 4096;
	struct zb *zb = malloc(zbcap * sizeof *zb);
	uint8_t *dec = malloc(8u << 20);
	size_t at = 0, n = (size_t)size;
	while (at < n) {
		if (n - at < 24 || memcmp(p + at, "MBPROFIL", 8)) {
			fprintf(stderr, "bench-pack-entropy: no profile header at byte %zu of %s\n", at, path);
			return -1;
		}
		size_t hl = 24 + mb_ld_le32(p + at + 16);
		c->overhead += (double)hl;
		at += hl;
		for (;;) {
			if (n - at < 28 || memcmp(p + at, "MBBK", 4)) {
				fprintf(stderr, "bench-pack-entropy: no block at byte %zu of %s\n", at, path);
				return -1;
			}
			unsigned type = p[at + 4];
			uint32_t stored = mb_ld_le32(p + at + 8), decoded = mb_ld_le32(p + at + 12);
			uint32_t records = mb_ld_le32(p + at + 16);
			if (stored > n - at - 28 || decoded > (8u << 20)) {
				fprintf(stderr, "bench-pack-entropy: bad block at byte %zu of %s\n", at, path);
				return -1;
			}
			c->overhead += 28;
			if (type == 1) {
				if (events_block(c, p + at + 28, stored, decoded, d, dec, zb, zbcap)) {
					fprintf(stderr, "bench-pack-entropy: events block at byte %zu of %s does not decode\n", at,
						path);
					return -1;
				}
				c->events += records;
			} else {
				c->overhead += stored;
			}
			at += 28 + stored;
			if (type == 3)
				break;
		}
	}
	ZSTD_freeDCtx(d);
	free(zb);
	free(dec);
	free(p);
	return 0;
}

/* ---------------------------------------------------------------- the floor */

struct floor {
	double n, key, conn, shape, ts, lat, sizes, dict_hash, dict_len, dict_size, keys;
	double ts_sub, lat_sub; /* H0 of the sub-microsecond digits */
};

static int stream_floor(const char *path, struct floor *fl)
{
	FILE *in = fopen(path, "rb");
	struct mb_reader r;
	struct mb_err err;
	struct mb_frame f;
	struct mb_event ev;
	if (!in) {
		perror(path);
		return -1;
	}
	if (mb_reader_open(&r, fileno(in), path, 1u << MB_KIND_EVENTS_HASHED, &err) != MB_OK) {
		fprintf(stderr, "bench-pack-entropy: %s\n", err.msg);
		return -1;
	}
	struct tab keys = { 0 }, conn = { 0 }, shape = { 0 }, ts = { 0 }, lat = { 0 }, xs = { 0 }, klen = { 0 },
		   firsts = { 0 }, ts_sub = { 0 }, lat_sub = { 0 };
	uint64_t prev_ts = 0, n = 0;
	uint32_t prev_batch = 0;
	int rc;
	while ((rc = mb_reader_next(&r, &f, &err)) == MB_OK) {
		if (f.type != MB_FRAME_EVENT)
			continue;
		if (mb_event_decode(f.payload, f.len, r.info.kind, &ev, &err) != MB_OK)
			break;
		n++;
		int fresh;
		struct ent *k = find(&keys, ev.key_hash, ev.key_len, 0, &fresh);
		k->cnt++;
		if (fresh)
			add(&klen, ev.key_len, 0, 0);
		add(&conn, ev.conn_id, 0, 0);
		uint64_t s = ev.cmd | (uint64_t)ev.status << 8 | (uint64_t)ev.proto << 16 | (uint64_t)ev.transport << 24 |
			     (uint64_t)ev.flags << 32;
		add(&shape, s, 0, 0);
		add(&ts, ev.ts_ns - prev_ts, 0, 0);
		prev_ts = ev.ts_ns;
		add(&lat, ev.latency_ns, 0, 0);
		add(&ts_sub, ev.ts_ns % 1000, 0, 0);
		add(&lat_sub, ev.latency_ns % 1000, 0, 0);
		uint64_t vs = size_sym(ev.value_len, &k->aux, &firsts);
		uint64_t rs = size_sym(ev.resp_len, &k->aux, &firsts);
		uint64_t other = (uint64_t)(uint32_t)ev.ttl << 32 | (uint32_t)(ev.batch_id - prev_batch);
		prev_batch = ev.batch_id;
		add(&xs, vs, rs * 0x100000001b3ULL ^ other, s);
	}
	if (rc != MB_END) {
		fprintf(stderr, "bench-pack-entropy: %s\n", err.msg);
		return -1;
	}
	mb_reader_close(&r);
	fclose(in);
	fl->n = (double)n;
	fl->key = h0_refs(&keys);
	fl->conn = h0(&conn);
	fl->shape = h0(&shape);
	fl->ts = h0(&ts);
	fl->lat = h0(&lat);
	fl->ts_sub = h0(&ts_sub);
	fl->lat_sub = h0(&lat_sub);
	fl->sizes = h0(&xs) - fl->shape;
	fl->keys = (double)keys.n;
	fl->dict_hash = 64.0 * (double)keys.n;
	fl->dict_len = h0(&klen);
	fl->dict_size = h0(&firsts);
	return 0;
}

/* ------------------------------------------------------------------- report */

/* Which floor field a column belongs to, by name. */
static const char *group_of(const char *col)
{
	static const char *const map[][2] = {
		{ "shape", "shape" },	 { "ts", "ts" },       { "ts_hi", "ts" },     { "ts_bits", "ts" },   { "lat", "lat" },
		{ "lat_hi", "lat" },	 { "lat_bits", "lat" }, { "conn", "conn" },   { "conn_hi", "conn" }, { "conn_bits", "conn" }, { "key", "key" },
		{ "key_bits", "key" },	 { "newkey", "dict" },  { "newlen", "dict" }, { "vlen", "sizes" },  { "rlen", "sizes" }, { "size", "sizes" },
		{ "size_bits", "sizes" }, { "ttl", "sizes" },	{ "batch", "sizes" }, { "sem", "sem" },
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(map[i][0], col))
			return map[i][1];
	return "overhead";
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: bench-pack-entropy STREAM PROFILE\n");
		return 2;
	}
	struct floor fl = { 0 };
	struct cols c = { 0 };
	double total;
	if (stream_floor(argv[1], &fl) || profile_cols(argv[2], &c, &total))
		return 1;
	if (c.events != fl.n) {
		fprintf(stderr, "bench-pack-entropy: the profile holds %.0f events, the stream %.0f\n", c.events, fl.n);
		return 1;
	}
	double n = fl.n > 0 ? fl.n : 1;
	const char *const *names = c.ncols == 17 ? names17 : c.ncols == 16 ? names16 : c.ncols == 15 ? names15 : NULL;
	char buf[COLS_MAX][16];

	printf("%-10s %10s %10s %10s\n", "column", "raw B/ev", "zstd B/ev", "bits/ev");
	double sum = c.overhead;
	for (unsigned i = 0; i < c.ncols; i++) {
		const char *nm = names ? names[i] : (snprintf(buf[i], sizeof buf[i], "col%u", i), buf[i]);
		printf("%-10s %10.3f %10.3f %10.2f\n", nm, c.decoded[i] / n, c.stored[i] / n, 8 * c.stored[i] / n);
		sum += c.stored[i];
	}
	printf("%-10s %10s %10.3f %10.2f\n", "overhead", "", c.overhead / n, 8 * c.overhead / n);
	printf("%-10s %10s %10.3f %10.2f   (file: %.3f)\n", "total", "", sum / n, 8 * sum / n, total / n);
	printf("\n");

	struct {
		const char *name;
		double floor_bits;
	} g[] = {
		{ "key", fl.key },
		{ "conn", fl.conn },
		{ "shape", fl.shape },
		{ "ts", fl.ts },
		{ "lat", fl.lat },
		{ "sizes", fl.sizes + fl.dict_size },
		{ "dict", fl.dict_hash + fl.dict_len },
		{ "sem", 0 }, /* request semantics (version 3): no floor computed */
		{ "overhead", 0 },
	};
	printf("%-9s %10s %10s %10s %8s\n", "field", "floor b/ev", "floor B/ev", "prof B/ev", "ratio");
	double ftot = 0;
	for (size_t k = 0; k < sizeof g / sizeof g[0]; k++) {
		double prof = strcmp(g[k].name, "overhead") ? 0 : c.overhead;
		for (unsigned i = 0; i < c.ncols && names; i++)
			if (!strcmp(group_of(names[i]), g[k].name))
				prof += c.stored[i];
		ftot += g[k].floor_bits;
		if (g[k].floor_bits > 0)
			printf("%-9s %10.2f %10.3f %10.3f %8.2f\n", g[k].name, g[k].floor_bits / n, g[k].floor_bits / 8 / n,
			       prof / n, prof / (g[k].floor_bits / 8));
		else
			printf("%-9s %10.2f %10.3f %10.3f %8s\n", g[k].name, 0.0, 0.0, prof / n, "-");
	}
	printf("%-9s %10.2f %10.3f %10.3f %8.2f\n", "total", ftot / n, ftot / 8 / n, total / n, total / (ftot / 8));
	printf("(sizes: value/resp sizes, ttl, batch given the shape, and each key's first size; dict: %.0f keys x (64 bits "
	       "+ %.2f bits of key length))\n",
	       fl.keys, fl.keys ? fl.dict_len / fl.keys : 0.0);
	printf("sub-us digits (ns mod 1000) of ts %.2f and lat %.2f bits/ev, %.3f B/ev (uniform: 2 x 9.97 bits)\n", fl.ts_sub / n,
	       fl.lat_sub / n, (fl.ts_sub + fl.lat_sub) / 8 / n);
	return 0;
}
