/* mb-gen - synthesize an event stream with known parameters (popularity, sizes, arrivals, mix). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mclimits.h"
#include "mbtime.h"
#include "opt.h"
#include "prog.h"
#include "rng.h"
#include "stream.h"

static const char usage[] =
	"usage: mb-gen [OPTIONS] > stream\n"
	"Write a synthetic event stream (hashed keys by default) with known parameters.\n"
	"\n"
	"  -n, --count N          events (default 1000000; k/M/G suffixes)\n"
	"  -K, --keys N           distinct keys (default 100000)\n"
	"  -z, --zipf S           Zipf exponent of key popularity, 0 = uniform (default 0.99)\n"
	"  -c, --conns N          connections (default 50)\n"
	"  -r, --rate OPS         mean request rate, exponential inter-arrivals (default 100000)\n"
	"      --uniform          constant inter-arrival time 1/rate instead of exponential\n"
	"  -m, --mix LIST         command weights, e.g. get=90,set=9,delete=1 (default get=90,set=10)\n"
	"      --key-size MIN-MAX key length per key, uniform (default 10-40)\n"
	"      --value-size MIN-MAX value size per key, log-uniform (default 10-1000)\n"
	"      --ttl SECONDS      TTL on storage commands (default 0)\n"
	"      --proto P          text, meta or binary (default text)\n"
	"      --latency NS       mean server latency, exponential (default 50000); 0 = no responses\n"
	"      --start SECONDS    first timestamp, seconds since the epoch (default 1700000000)\n"
	"      --seed N           random seed (default 1)\n"
	"      --raw              raw keys (\"k<id>\" padded to the key size) instead of hashes\n"
	"      --key-prefix P     raw keys P0 .. P<keys-1> by popularity, as mc-crusher and\n"
	"                         memtier_benchmark name theirs (replaces --key-size)\n"
	"  -h, --help             this help\n"
	"      --version          print the version\n"
	"\n"
	"Statuses follow an unbounded cache: a get hits when its key was stored before.\n"
	"Exit: 0 ok, 1 output failure, 2 usage. Manual: mb-gen(1).\n";

#define MIX_MAX 16

struct gen {
	uint64_t count, keys, conns, seed, ttl, start_ns;
	double zipf, rate, latency;
	bool uniform, raw, key_size_set;
	const char *key_prefix; /* raw keys <prefix><rank - 1>, or NULL */
	unsigned proto;
	uint32_t key_min, key_max, val_min, val_max;
	unsigned nmix;
	uint8_t mix_cmd[MIX_MAX];
	double mix_cum[MIX_MAX];
};

static void parse_range(const char *s, uint32_t lo_cap, uint32_t hi_cap, uint32_t *lo, uint32_t *hi, const char *what)
{
	struct mb_err err;
	char buf[64];
	uint64_t a, b;
	const char *dash = strchr(s, '-');
	if (strlen(s) >= sizeof buf)
		mb_usage_error("bad %s range: '%s'", what, s);
	strcpy(buf, s);
	if (dash) {
		buf[dash - s] = 0;
		if (mb_opt_u64(buf, lo_cap, hi_cap, false, &a, &err) || mb_opt_u64(buf + (dash - s) + 1, lo_cap, hi_cap, false, &b, &err) || b < a)
			mb_usage_error("bad %s range (%u..%u, MIN-MAX): '%s'", what, lo_cap, hi_cap, s);
	} else {
		if (mb_opt_u64(buf, lo_cap, hi_cap, false, &a, &err))
			mb_usage_error("bad %s (%u..%u): '%s'", what, lo_cap, hi_cap, s);
		b = a;
	}
	*lo = (uint32_t)a;
	*hi = (uint32_t)b;
}

static void parse_mix(struct gen *g, const char *s)
{
	char buf[256];
	double total = 0, w[MIX_MAX];
	if (strlen(s) >= sizeof buf)
		mb_usage_error("bad mix: '%s'", s);
	strcpy(buf, s);
	g->nmix = 0;
	for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
		char *eq = strchr(tok, '=');
		struct mb_err err;
		if (!eq || g->nmix >= MIX_MAX)
			mb_usage_error("bad mix item (cmd=weight): '%s'", tok);
		int cmd = mb_cmd_parse(tok, (size_t)(eq - tok));
		if (cmd < 0 || !mb_cmd_has_key((unsigned)cmd) || cmd == MB_CMD_CAS || cmd == MB_CMD_GAT || cmd == MB_CMD_GATS)
			mb_usage_error("mix command must be get, gets, set, add, replace, append, prepend, delete, incr, decr or touch: '%s'", tok);
		if (mb_opt_double(eq + 1, 0, 1e9, &w[g->nmix], &err))
			mb_usage_error("bad mix weight: '%s'", tok);
		g->mix_cmd[g->nmix++] = (uint8_t)cmd;
		total += w[g->nmix - 1];
	}
	if (g->nmix == 0 || total <= 0)
		mb_usage_error("mix needs a positive weight: '%s'", s);
	double cum = 0;
	for (unsigned i = 0; i < g->nmix; i++) {
		cum += w[i] / total;
		g->mix_cum[i] = cum;
	}
	g->mix_cum[g->nmix - 1] = 1.0;
}

/* Per-key properties derived from the key id alone, so they are the same on every run. */
static uint32_t key_len_of(const struct gen *g, uint64_t id)
{
	if (g->key_prefix)
		return (uint32_t)(strlen(g->key_prefix) + (size_t)snprintf(NULL, 0, "%llu", (unsigned long long)(id - 1)));
	uint64_t h = mb_mix64(id ^ 0x6b65796c656e ^ g->seed);
	return g->key_min + (uint32_t)(h % ((uint64_t)g->key_max - g->key_min + 1));
}

static uint32_t value_len_of(const struct gen *g, uint64_t id)
{
	double u = (double)(mb_mix64(id ^ 0x76616c ^ g->seed) >> 11) * 0x1.0p-53;
	double lo = log((double)g->val_min + 1), hi = log((double)g->val_max + 1);
	double v = exp(lo + u * (hi - lo)) - 1;
	uint32_t r = (uint32_t)llround(v);
	return r < g->val_min ? g->val_min : r > g->val_max ? g->val_max : r;
}

/* Write the raw key of id (length len, from key_len_of) into out. */
static void raw_key(const struct gen *g, uint64_t id, uint32_t len, uint8_t *out)
{
	char tmp[24];
	if (g->key_prefix) { /* ids are ranks from 1: the keys count from 0, as the peers' do */
		size_t pl = strlen(g->key_prefix);
		memcpy(out, g->key_prefix, pl);
		snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)(id - 1));
		memcpy(out + pl, tmp, len - pl);
		return;
	}
	int n = snprintf(tmp, sizeof tmp, "k%llu", (unsigned long long)id);
	for (uint32_t i = 0; i < len; i++)
		out[i] = i < (uint32_t)n ? (uint8_t)tmp[i] : (uint8_t)('a' + (id + i) % 26);
}

/* Status under an unbounded cache, updating its stored bitmap. */
static uint8_t apply(uint8_t cmd, uint64_t *stored, uint64_t id)
{
	bool have = (stored[id >> 6] >> (id & 63)) & 1;
	uint64_t bit = 1ull << (id & 63);
	switch (cmd) {
	case MB_CMD_GET:
	case MB_CMD_GETS:
		return have ? MB_ST_HIT : MB_ST_MISS;
	case MB_CMD_SET:
		stored[id >> 6] |= bit;
		return MB_ST_STORED;
	case MB_CMD_ADD:
		stored[id >> 6] |= bit;
		return have ? MB_ST_NOT_STORED : MB_ST_STORED;
	case MB_CMD_REPLACE:
	case MB_CMD_APPEND:
	case MB_CMD_PREPEND:
		return have ? MB_ST_STORED : MB_ST_NOT_STORED;
	case MB_CMD_DELETE:
		stored[id >> 6] &= ~bit;
		return have ? MB_ST_DELETED : MB_ST_NOT_FOUND;
	case MB_CMD_INCR:
	case MB_CMD_DECR:
		return have ? MB_ST_HIT : MB_ST_NOT_FOUND;
	case MB_CMD_TOUCH:
		return have ? MB_ST_TOUCHED : MB_ST_NOT_FOUND;
	default:
		return MB_ST_NONE;
	}
}

int main(int argc, char **argv)
{
	enum { O_UNIFORM = 256, O_KEYSIZE, O_VALSIZE, O_TTL, O_PROTO, O_LAT, O_START, O_SEED, O_RAW, O_KEYPREFIX, O_VERSION };
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'n' }, { "keys", required_argument, NULL, 'K' },
		{ "zipf", required_argument, NULL, 'z' },  { "conns", required_argument, NULL, 'c' },
		{ "rate", required_argument, NULL, 'r' },  { "uniform", no_argument, NULL, O_UNIFORM },
		{ "mix", required_argument, NULL, 'm' },   { "key-size", required_argument, NULL, O_KEYSIZE },
		{ "value-size", required_argument, NULL, O_VALSIZE }, { "ttl", required_argument, NULL, O_TTL },
		{ "proto", required_argument, NULL, O_PROTO }, { "latency", required_argument, NULL, O_LAT },
		{ "start", required_argument, NULL, O_START }, { "seed", required_argument, NULL, O_SEED },
		{ "raw", no_argument, NULL, O_RAW },        { "key-prefix", required_argument, NULL, O_KEYPREFIX },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION }, { NULL, 0, NULL, 0 },
	};
	struct gen g = {
		.count = 1000000, .keys = 100000, .conns = 50, .seed = 1, .ttl = 0,
		.start_ns = 1700000000ull * MB_NS_PER_SEC, .zipf = 0.99, .rate = 100000, .latency = 50000,
		.proto = MB_PROTO_TEXT, .key_min = 10, .key_max = 40, .val_min = 10, .val_max = 1000,
	};
	struct mb_err err;
	uint64_t v;
	int c;
	opterr = 0;
	mb_prog_init();
	parse_mix(&g, "get=90,set=10");
	while ((c = getopt_long(argc, argv, "n:K:z:c:r:m:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (mb_opt_u64(optarg, 0, UINT64_MAX / 2, true, &g.count, &err))
				mb_usage_error("-n: %s", err.msg);
			break;
		case 'K':
			if (mb_opt_u64(optarg, 1, 1ull << 32, true, &g.keys, &err))
				mb_usage_error("-K: %s", err.msg);
			break;
		case 'z':
			if (mb_opt_double(optarg, 0, 10, &g.zipf, &err))
				mb_usage_error("-z: %s", err.msg);
			break;
		case 'c':
			if (mb_opt_u64(optarg, 1, UINT32_MAX, true, &g.conns, &err))
				mb_usage_error("-c: %s", err.msg);
			break;
		case 'r':
			if (mb_opt_double(optarg, 1e-3, 1e12, &g.rate, &err))
				mb_usage_error("-r: %s", err.msg);
			break;
		case O_UNIFORM: g.uniform = true; break;
		case 'm': parse_mix(&g, optarg); break;
		case O_KEYSIZE:
			parse_range(optarg, 1, MB_MC_KEY_MAX, &g.key_min, &g.key_max, "key size");
			g.key_size_set = true;
			break;
		case O_VALSIZE: parse_range(optarg, 0, MB_MC_VALUE_MAX, &g.val_min, &g.val_max, "value size"); break;
		case O_TTL:
			if (mb_opt_u64(optarg, 0, INT32_MAX, false, &g.ttl, &err))
				mb_usage_error("--ttl: %s", err.msg);
			break;
		case O_PROTO: {
			int p = mb_proto_parse(optarg, strlen(optarg));
			if (p <= 0)
				mb_usage_error("--proto must be text, meta or binary: '%s'", optarg);
			g.proto = (unsigned)p;
			break;
		}
		case O_LAT:
			if (mb_opt_double(optarg, 0, 1e12, &g.latency, &err))
				mb_usage_error("--latency: %s", err.msg);
			break;
		case O_START:
			if (mb_opt_u64(optarg, 0, UINT64_MAX / MB_NS_PER_SEC / 2, false, &v, &err))
				mb_usage_error("--start: %s", err.msg);
			g.start_ns = v * MB_NS_PER_SEC;
			break;
		case O_SEED:
			if (mb_opt_u64(optarg, 0, UINT64_MAX, false, &g.seed, &err))
				mb_usage_error("--seed: %s", err.msg);
			break;
		case O_RAW: g.raw = true; break;
		case O_KEYPREFIX: {
			size_t pl = strlen(optarg);
			if (pl > MB_MC_KEY_MAX - 20)
				mb_usage_error("--key-prefix: longer than %d bytes", MB_MC_KEY_MAX - 20);
			for (size_t i = 0; i < pl; i++)
				if ((unsigned char)optarg[i] <= ' ' || (unsigned char)optarg[i] == 0x7f)
					mb_usage_error("--key-prefix: byte %zu is a space or a control character", i);
			g.key_prefix = optarg;
			g.raw = true;
			break;
		}
		case 'h': return mb_print_help(usage);
		case O_VERSION: mb_print_version();
		default: mb_usage_bad_option(argv);
		}
	}
	if (optind < argc)
		mb_usage_error("unexpected argument: '%s'", argv[optind]);
	if (g.key_prefix && g.key_size_set)
		mb_usage_error("--key-prefix sets the key sizes: no --key-size with it");
	if (!mb_binary_output_ok(1))
		return MB_EXIT_DATA;
	mb_prog_signals();

	struct mb_writer w;
	struct mb_stream_info info;
	uint64_t *stored = calloc(g.keys / 64 + 1, sizeof *stored);
	if (!stored || mb_writer_init(&w, 1, &err)) {
		mb_msg("out of memory for %llu keys", (unsigned long long)g.keys);
		return MB_EXIT_DATA;
	}
	char desc[200];
	snprintf(desc, sizeof desc, "mb-gen n=%llu keys=%llu zipf=%g conns=%llu rate=%g seed=%llu",
		 (unsigned long long)g.count, (unsigned long long)g.keys, g.zipf, (unsigned long long)g.conns, g.rate,
		 (unsigned long long)g.seed);
	mb_info_init(&info, g.raw ? MB_KIND_EVENTS_RAW : MB_KIND_EVENTS_HASHED);
	mb_info_set(&info, "program", "mb-gen");
	mb_info_set(&info, "source", desc);
	int rc = mb_writer_header(&w, &info, &err);

	struct mb_rng rng;
	struct mb_zipf zipf;
	mb_rng_seed(&rng, g.seed);
	mb_zipf_init(&zipf, g.keys, g.zipf);
	double t = 0, gap = 1e9 / g.rate;
	uint8_t keybuf[256];
	uint64_t i;
	for (i = 0; i < g.count && rc == MB_OK && !mb_stop_requested; i++) {
		struct mb_event ev;
		memset(&ev, 0, sizeof ev);
		t += g.uniform ? gap : mb_rng_exp(&rng, gap);
		uint64_t rank = mb_zipf_next(&zipf, &rng);
		/* The key id is its popularity rank; key_hash mixes it, so hot keys are spread over the hash space. */
		uint64_t id = rank;
		double u = mb_rng_unit(&rng);
		unsigned m = 0;
		while (m + 1 < g.nmix && u >= g.mix_cum[m])
			m++;
		ev.cmd = g.mix_cmd[m];
		ev.ts_ns = g.start_ns + (uint64_t)t;
		ev.conn_id = (uint32_t)mb_rng_range(&rng, 1, g.conns);
		ev.proto = (uint8_t)g.proto;
		ev.transport = MB_TRANSPORT_TCP;
		ev.key_len = (uint16_t)key_len_of(&g, id);
		ev.key_hash = mb_mix64(id * 0x9e3779b97f4a7c15ull + g.seed);
		if (g.raw) {
			raw_key(&g, id, ev.key_len, keybuf);
			ev.key = keybuf;
		}
		uint32_t vlen = value_len_of(&g, id);
		if (mb_cmd_is_store(ev.cmd)) {
			ev.value_len = vlen;
			ev.ttl = (int32_t)g.ttl;
		}
		if (ev.cmd == MB_CMD_GETS)
			ev.flags |= MB_EF_WANT_CAS;
		if (mb_cmd_is_read(ev.cmd))
			ev.flags |= MB_EF_WANT_VALUE;
		uint8_t st = apply(ev.cmd, stored, id);
		if (g.latency > 0) {
			ev.status = st;
			ev.latency_ns = (uint64_t)mb_rng_exp(&rng, g.latency) + 1;
			if (st == MB_ST_HIT && mb_cmd_is_read(ev.cmd))
				ev.resp_len = vlen;
		}
		rc = mb_writer_event(&w, &ev, &err);
	}
	if (rc == MB_OK) {
		struct mb_summary sum;
		mb_summary_init(&sum, "mb-gen");
		mb_summary_add(&sum, "events", i);
		rc = mb_writer_summary(&w, &sum, &err);
	}
	int frc = mb_writer_close(&w, &err);
	if (rc == MB_OK)
		rc = frc;
	free(stored);
	if (rc != MB_OK && rc != MB_EPIPE)
		mb_msg_err(&err);
	return mb_exit_code(rc);
}
