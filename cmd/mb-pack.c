/* mb-pack - write a hashed event stream as a compact profile, or merge profiles and streams in timestamp order. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"
#include "join.h"
#include "opt.h"
#include "prog.h"
#include "profile.h"
#include "stream.h"

static const char usage[] =
	"usage: mb-pack [OPTIONS] [FILE] > profile\n"
	"       mb-pack -m [OPTIONS] FILE... > profile\n"
	"Write a hashed event stream (mb-anon, mb-gen) as a compact profile (the format: profile.md of the documentation).\n"
	"\n"
	"  -l, --level LEVEL  zstd level, 1..19 (default 3)\n"
	"  -b, --block-events N\n"
	"                     events per block, 1..65536 (default 65536; smaller blocks lose\n"
	"                     less when a profile is cut short, and compress worse)\n"
	"      --dict-max N   key dictionary entries before it starts over (default 4194304;\n"
	"                     bounds readers' memory; at least the events per block)\n"
	"  -m, --merge        merge the inputs (profiles or streams) in timestamp order, keeping\n"
	"                     connections of different inputs apart (conn ids renumbered)\n"
	"      --raw-keys     accept raw keys (events-raw) and keep them; the profile is marked and\n"
	"                     every reader warns\n"
	"      --allow-truncated\n"
	"                     read an input profile cut short up to the cut (a warning, not an error)\n"
	"  -h, --help         this help\n"
	"      --version      print the version\n"
	"\n"
	"FILE '-' or none reads standard input. Exit: 0 ok, 1 bad input, 2 usage. Manual: mb-pack(1).\n";

#define MERGE_MAX 1000

/* One merge input: its reader, the event it is holding, and its connection renumbering. */
struct input {
	struct mb_reader r;
	const char *name;
	int fd;
	bool have;           /* ev is valid */
	bool open;
	struct mb_event ev;
	uint16_t fflags;
	uint8_t *key;        /* raw keys: a copy of ev.key */
	struct mb_join_input join; /* its connections' and servers' numbers in the output */
};

static int open_fd(const char *name)
{
	struct mb_err err;
	int fd = mb_open_input(name, &err);
	if (fd < 0)
		mb_msg_err(&err);
	return fd;
}

/* Kinds an input may have. */
static unsigned want_kinds(bool raw_keys)
{
	return 1u << MB_KIND_EVENTS_HASHED | (raw_keys ? 1u << MB_KIND_EVENTS_RAW : 0);
}

/* Header of the profile from the (first) input's header. */
static int out_info(const struct mb_stream_info *in, struct mb_stream_info *out, struct mb_err *err)
{
	*out = *in;
	if (mb_info_add_program(out, "mb-pack") != MB_OK)
		return mb_err_set(err, MB_ERR, "input header has too much metadata to add mb-pack to its program chain");
	return MB_OK;
}

/* The options. */
struct pack_opts {
	int level;
	uint32_t block_events, dict_max;
	bool raw_keys, allow_truncated;
};

/* Start the output profile with the chosen options. */
static int start(struct mb_profile_writer **pw, const struct mb_stream_info *info, bool raw, const struct pack_opts *o,
		 struct mb_err *err)
{
	int rc = mb_profile_writer_open(pw, 1, info, raw, o->level, err);
	if (*pw) {
		mb_profile_writer_set_block_events(*pw, o->block_events);
		rc = rc == MB_OK ? mb_profile_writer_set_dict_max(*pw, o->dict_max, err) : rc; /* in range: main checked */
	}
	return rc;
}

/* Pack one input. */
static int pack_one(const char *name, int fd, const struct pack_opts *o, struct mb_err *err)
{
	struct mb_reader r;
	struct mb_profile_writer *pw = NULL;
	struct mb_stream_info *info = malloc(sizeof *info);
	int rc = info ? mb_reader_open(&r, fd, name, want_kinds(o->raw_keys), err) : mb_err_set(err, MB_EIO, "out of memory");
	if (!info)
		return rc;
	r.allow_truncated = o->allow_truncated;
	if (rc == MB_END && r.stopped) { /* stopped (SIGINT/SIGTERM) before a header came: nothing to write */
		mb_reader_close(&r);
		free(info);
		return MB_OK;
	}
	if (rc == MB_END)
		rc = MB_ERR;
	if (rc == MB_OK)
		rc = out_info(&r.info, info, err);
	if (rc == MB_OK)
		rc = start(&pw, info, r.info.kind == MB_KIND_EVENTS_RAW, o, err);
	struct mb_frame f;
	struct mb_event ev;
	while (rc == MB_OK && !mb_stop_requested && (rc = mb_reader_next(&r, &f, err)) == MB_OK) {
		if (f.type == MB_FRAME_EVENT) {
			rc = mb_event_decode(f.payload, f.len, r.info.kind, &ev, err);
			if (rc != MB_OK)
				rc = mb_err_at(err, name, f.offset);
			else
				rc = mb_profile_write_event(pw, &ev, f.flags, err);
		} else {
			rc = mb_profile_write_frame(pw, f.type, f.flags, f.payload, f.len, err);
		}
	}
	if (rc == MB_END)
		rc = MB_OK;
	/* Finish the profile even after bad input: what was read stays readable. */
	if (pw) {
		struct mb_err cerr;
		int crc = rc == MB_EPIPE || rc == MB_EIO ? (mb_profile_writer_free(pw), rc) : mb_profile_writer_close(pw, &cerr);
		if (rc == MB_OK && crc != MB_OK) {
			rc = crc;
			*err = cerr;
		}
	}
	mb_reader_close(&r);
	free(info);
	return rc;
}

/* Advance input `in` to its next event, writing any non-event frame it passes to the profile
   (a SERVER frame renumbered, once per address: join.h). */
static int advance(struct input *in, struct mb_join *join, struct mb_profile_writer *pw, struct mb_err *err)
{
	struct mb_frame f;
	in->have = false;
	for (;;) {
		int rc = mb_stop_requested ? MB_END : mb_reader_next(&in->r, &f, err);
		if (rc == MB_END)
			return MB_OK;
		if (rc != MB_OK)
			return rc;
		if (f.type == MB_FRAME_SERVER) {
			uint8_t p[MB_SERVER_LEN];
			bool fresh;
			if ((rc = mb_join_server(join, &in->join, &f, in->name, p, &fresh, err)) != MB_OK)
				return rc;
			if (fresh && (rc = mb_profile_write_frame(pw, f.type, f.flags, p, MB_SERVER_LEN, err)) != MB_OK)
				return rc;
			continue;
		}
		if (f.type != MB_FRAME_EVENT) {
			if ((rc = mb_profile_write_frame(pw, f.type, f.flags, f.payload, f.len, err)) != MB_OK)
				return rc;
			continue;
		}
		if (mb_event_decode(f.payload, f.len, in->r.info.kind, &in->ev, err) != MB_OK)
			return mb_err_at(err, in->name, f.offset);
		if (in->ev.key) {
			memcpy(in->key, in->ev.key, in->ev.key_len);
			in->ev.key = in->key;
		}
		in->fflags = f.flags;
		in->have = true;
		return MB_OK;
	}
}

/* Heap order: earlier timestamp first, then lower input index (a stable merge). */
static bool before(const struct input *in, uint32_t a, uint32_t b)
{
	return in[a].ev.ts_ns < in[b].ev.ts_ns || (in[a].ev.ts_ns == in[b].ev.ts_ns && a < b);
}

static void sift_down(const struct input *in, uint32_t *heap, uint32_t n, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, m = i;
		if (l < n && before(in, heap[l], heap[m]))
			m = l;
		if (l + 1 < n && before(in, heap[l + 1], heap[m]))
			m = l + 1;
		if (m == i)
			return;
		uint32_t t = heap[i];
		heap[i] = heap[m];
		heap[m] = t;
		i = m;
	}
}

/* Merge several inputs into one profile. */
static int merge(char **names, int n, const struct pack_opts *o, struct mb_err *err)
{
	struct input *in = calloc((size_t)n, sizeof *in);
	uint32_t *heap = calloc((size_t)n, sizeof *heap);
	struct mb_stream_info *info = malloc(sizeof *info);
	struct mb_join *join = mb_join_new();
	struct mb_profile_writer *pw = NULL;
	int rc = in && heap && info && join ? MB_OK : mb_err_set(err, MB_EIO, "out of memory");
	const char *fp0 = NULL;
	for (int i = 0; i < n && rc == MB_OK; i++) {
		in[i].name = !strcmp(names[i], "-") ? "<stdin>" : names[i];
		in[i].fd = open_fd(names[i]);
		if (in[i].fd < 0) {
			rc = MB_ERR;
			err->msg[0] = 0;
			break;
		}
		in[i].key = malloc(65536);
		if (!in[i].key) {
			rc = mb_err_set(err, MB_EIO, "out of memory");
			break;
		}
		rc = mb_reader_open(&in[i].r, in[i].fd, in[i].name, want_kinds(o->raw_keys), err);
		in[i].open = true;
		in[i].r.allow_truncated = o->allow_truncated;
		if (rc == MB_END)
			rc = MB_ERR;
		if (rc != MB_OK)
			break;
		const char *fp = mb_info_get(&in[i].r.info, "anon_fp");
		if (i == 0) {
			fp0 = fp;
		} else if (in[i].r.info.kind != in[0].r.info.kind) {
			rc = mb_err_set(err, MB_ERR, "cannot merge an %s input with an %s one: '%s' at byte 0",
					mb_kind_name(in[i].r.info.kind), mb_kind_name(in[0].r.info.kind), in[i].name);
		} else if ((fp0 == NULL) != (fp == NULL) || (fp && strcmp(fp, fp0))) {
			rc = mb_err_set(err, MB_ERR, "inputs were anonymized with different secrets (anon_fp %s vs %s), their keys are not comparable: '%s' at byte 0",
					fp ? fp : "none", fp0 ? fp0 : "none", in[i].name);
		}
	}
	if (rc == MB_OK)
		rc = out_info(&in[0].r.info, info, err);
	if (rc == MB_OK) {
		char v[32];
		snprintf(v, sizeof v, "%d", n);
		if (mb_info_set(info, "merged_inputs", v) != MB_OK)
			rc = mb_err_set(err, MB_ERR, "input header has too much metadata to add merged_inputs");
	}
	if (rc == MB_OK)
		rc = start(&pw, info, in[0].r.info.kind == MB_KIND_EVENTS_RAW, o, err);
	uint32_t nheap = 0;
	for (int i = 0; i < n && rc == MB_OK; i++) {
		rc = advance(&in[i], join, pw, err);
		if (rc == MB_OK && in[i].have)
			heap[nheap++] = (uint32_t)i;
	}
	for (uint32_t i = nheap / 2; i-- > 0;)
		sift_down(in, heap, nheap, i);
	while (rc == MB_OK && nheap) {
		struct input *top = &in[heap[0]];
		rc = mb_join_event(join, &top->join, &top->ev, top->name, err);
		if (rc == MB_OK)
			rc = mb_profile_write_event(pw, &top->ev, top->fflags, err);
		if (rc == MB_OK)
			rc = advance(top, join, pw, err);
		if (rc != MB_OK)
			break;
		if (!top->have)
			heap[0] = heap[--nheap];
		sift_down(in, heap, nheap, 0);
	}
	if (pw) {
		struct mb_err cerr;
		int crc = rc == MB_EPIPE || rc == MB_EIO ? (mb_profile_writer_free(pw), rc) : mb_profile_writer_close(pw, &cerr);
		if (rc == MB_OK && crc != MB_OK) {
			rc = crc;
			*err = cerr;
		}
	}
	for (int i = 0; in && i < n; i++) {
		if (in[i].open)
			mb_reader_close(&in[i].r);
		if (in[i].fd > 0)
			close(in[i].fd);
		free(in[i].key);
		mb_join_input_free(&in[i].join);
	}
	free(in);
	free(heap);
	free(info);
	mb_join_free(join);
	return rc;
}

int main(int argc, char **argv)
{
	enum { O_RAW = 256, O_DICT, O_CUT };
	static const struct option longopts[] = {
		{ "level", required_argument, NULL, 'l' }, { "merge", no_argument, NULL, 'm' },
		{ "block-events", required_argument, NULL, 'b' }, { "dict-max", required_argument, NULL, O_DICT },
		{ "raw-keys", no_argument, NULL, O_RAW },  { "allow-truncated", no_argument, NULL, O_CUT },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },     { NULL, 0, NULL, 0 },
	};
	struct pack_opts o = { .level = MB_PROFILE_LEVEL_DEFAULT, .block_events = MB_PROFILE_BLOCK_EVENTS,
			       .dict_max = MB_PROFILE_DICT_MAX };
	int c;
	bool merging = false;
	struct mb_err err = { "" };
	mb_prog_init();
	opterr = 0;
	while ((c = getopt_long(argc, argv, "l:b:mh", longopts, NULL)) != -1) {
		switch (c) {
		case 'l': {
			uint64_t v;
			if (mb_opt_u64(optarg, 1, 19, false, &v, &err) != MB_OK)
				mb_usage_error("bad zstd level (1..19): '%s'", optarg);
			o.level = (int)v;
			break;
		}
		case 'b': {
			uint64_t v;
			if (mb_opt_u64(optarg, 1, MB_PROFILE_BLOCK_EVENTS, false, &v, &err) != MB_OK)
				mb_usage_error("bad events per block (1..%d): '%s'", MB_PROFILE_BLOCK_EVENTS, optarg);
			o.block_events = (uint32_t)v;
			break;
		}
		case O_DICT: {
			uint64_t v;
			if (mb_opt_u64(optarg, 1, MB_PROFILE_DICT_MAX, false, &v, &err) != MB_OK)
				mb_usage_error("bad dictionary size (1..%d): '%s'", MB_PROFILE_DICT_MAX, optarg);
			o.dict_max = (uint32_t)v;
			break;
		}
		case 'm': merging = true; break;
		case O_RAW: o.raw_keys = true; break;
		case O_CUT: o.allow_truncated = true; break;
		case 'h': return mb_print_help(usage);
		case 'V': mb_print_version();
		default: mb_usage_bad_option(argv);
		}
	}
	if (o.dict_max < o.block_events)
		mb_usage_error("--dict-max %u is below the events per block (%u)", o.dict_max, o.block_events);
	int ninputs = argc - optind;
	if (!merging && ninputs > 1)
		mb_usage_error("one input unless merging (-m): '%s'", argv[optind + 1]);
	if (merging && ninputs < 1)
		mb_usage_error("-m wants the inputs to merge");
	if (ninputs > MERGE_MAX)
		mb_usage_error("at most %d inputs", MERGE_MAX);
	int stdin_uses = 0;
	for (int i = optind; i < argc; i++)
		stdin_uses += !strcmp(argv[i], "-");
	if (stdin_uses > 1)
		mb_usage_error("standard input ('-') named more than once");
	if (!mb_binary_output_ok(1))
		return MB_EXIT_DATA;
	mb_prog_signals();
	int rc;
	if (merging) {
		rc = merge(argv + optind, ninputs, &o, &err);
	} else {
		const char *arg = ninputs ? argv[optind] : "-";
		int fd = open_fd(arg);
		if (fd < 0)
			return MB_EXIT_DATA;
		rc = pack_one(!strcmp(arg, "-") ? "<stdin>" : arg, fd, &o, &err);
		if (fd > 0)
			close(fd);
	}
	if (rc != MB_OK && rc != MB_EPIPE && err.msg[0])
		mb_msg_err(&err);
	return mb_exit_code(rc);
}
