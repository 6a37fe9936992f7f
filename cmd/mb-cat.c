/* mb-cat - print membench streams and profiles as text lines, turn lines back into a stream, or concatenate. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"
#include "join.h"
#include "prog.h"
#include "stream.h"
#include "textfmt.h"
#include "trace.h"
#include "zio.h"

static const char usage[] =
	"usage: mb-cat [FILE...]          print streams or profiles as tab-separated lines\n"
	"       mb-cat -p [FILE...]       turn such lines back into a binary stream\n"
	"       mb-cat -b [FILE...]       copy streams or profiles into one binary stream\n"
	"       mb-cat --from FMT [FILE...]  cache trace -> event stream (hashed keys)\n"
	"       mb-cat --to FMT [FILE...]    event stream or profile -> cache trace\n"
	"\n"
	"  -p, --pack        text lines -> binary stream (exact inverse of the text form)\n"
	"  -b, --binary      binary -> binary: validate, concatenate (same kind), decode profiles\n"
	"  -k, --kind KIND   with -p and no #membench line: packets, events-raw or events-hashed\n"
	"  -H, --no-header   text output without the #membench and #fields lines\n"
	"      --from FMT    read a trace: twitter, cachelib or oracle (plain or zstd)\n"
	"      --to FMT      write a trace: twitter, cachelib or oracle\n"
	"      --skip-bad    with --from: skip bad rows and count them instead of failing\n"
	"      --key-file F  secret for string keys (--from) and raw keys (--to); else $MB_ANON_KEY_FILE\n"
	"      --allow-truncated  read a profile cut short up to the cut (a warning, not an error)\n"
	"  -h, --help        this help\n"
	"      --version     print the version\n"
	"\n"
	"FILE '-' or none reads standard input. Exit: 0 ok, 1 bad input, 2 usage.\n"
	"Manual: mb-cat(1); the text form: stream.md, traces: traces.md of the documentation.\n";

struct opts {
	int mode; /* 't' text, 'p' pack, 'b' binary, 'F' trace in, 'T' trace out */
	unsigned kind;
	int header;
	unsigned fmt;         /* --from / --to */
	bool skip_bad;
	const char *key_file;
	bool allow_truncated;
};

/* Open a named input, or stdin for "-"; returns fd or -1 (message printed). */
static int open_input(const char *name)
{
	struct mb_err err;
	int fd = mb_open_input(name, &err);
	if (fd < 0)
		mb_msg_err(&err);
	return fd;
}

/* Write the text buffer when it is large (or always when `force`); *at counts the bytes written. */
static int drain(struct mb_buf *b, int force, uint64_t *at, struct mb_err *err)
{
	if (!force && b->len < (1u << 20))
		return MB_OK;
	int rc = mb_write_all_at(1, b->p, b->len, "stdout", *at, err);
	*at += b->len;
	b->len = 0;
	return rc;
}

/* binary -> text for one input. */
static int cat_text(const struct opts *o, int fd, const char *name, struct mb_buf *out, uint64_t *at, struct mb_err *err)
{
	struct mb_reader r;
	int rc = mb_reader_open(&r, fd, name, 0, err);
	r.allow_truncated = o->allow_truncated;
	if (rc == MB_OK && o->header) {
		rc = mb_text_header(out, &r.info);
		if (rc == MB_OK)
			rc = mb_text_fields(out, r.info.kind);
	}
	uint64_t headers = r.headers;
	struct mb_frame f;
	while (rc == MB_OK && (rc = mb_reader_next(&r, &f, err)) == MB_OK) {
		if (o->header && r.headers != headers) {
			headers = r.headers;
			rc = mb_text_header(out, &r.info);
		}
		if (rc == MB_OK)
			rc = mb_text_frame(out, r.info.kind, &f, err);
		if (rc == MB_ERR)
			rc = mb_err_at(err, name, (unsigned long long)f.offset);
		if (rc == MB_OK)
			rc = drain(out, 0, at, err);
	}
	mb_reader_close(&r);
	return rc == MB_END ? MB_OK : rc;
}

/* binary -> binary for one input; the first input's header is written, later ones must match its kind.
   With `join` (several inputs), events and SERVER frames are numbered as join.h says, so the
   inputs' connections and servers stay apart; alone, the input is copied as it is. */
static int cat_binary(const struct opts *o, int fd, const char *name, struct mb_writer *w, int *have_header,
		      struct mb_join *join, struct mb_err *err)
{
	struct mb_reader r;
	struct mb_join_input in = { 0 };
	int rc = mb_reader_open(&r, fd, name, 0, err);
	r.allow_truncated = o->allow_truncated;
	if (rc == MB_OK) {
		if (!*have_header) {
			struct mb_stream_info info = r.info;
			mb_info_add_program(&info, "mb-cat");
			rc = mb_writer_header(w, &info, err);
			*have_header = 1;
		} else if (r.info.kind != w->kind) {
			rc = mb_err_set(err, MB_ERR, "input is a %s stream but the output is %s: '%s' at byte 0",
					mb_kind_name(r.info.kind), mb_kind_name(w->kind), name);
		}
	}
	bool events = rc == MB_OK && (r.info.kind == MB_KIND_EVENTS_RAW || r.info.kind == MB_KIND_EVENTS_HASHED);
	struct mb_frame f;
	while (rc == MB_OK && (rc = mb_reader_next(&r, &f, err)) == MB_OK) {
		if (join && events && f.type == MB_FRAME_EVENT) {
			struct mb_event ev;
			if ((rc = mb_event_decode(f.payload, f.len, r.info.kind, &ev, err)) != MB_OK)
				rc = mb_err_at(err, name, f.offset);
			else if ((rc = mb_join_event(join, &in, &ev, name, err)) == MB_OK)
				rc = mb_writer_event(w, &ev, err);
		} else if (join && events && f.type == MB_FRAME_SERVER && f.flags == 0) { /* with flags: opaque */
			uint8_t p[MB_SERVER_LEN];
			bool fresh;
			if ((rc = mb_join_server(join, &in, &f, name, p, &fresh, err)) == MB_OK && fresh)
				rc = mb_writer_frame(w, f.type, f.flags, p, MB_SERVER_LEN, err);
		} else {
			rc = mb_writer_frame(w, f.type, f.flags, f.payload, f.len, err);
		}
	}
	mb_join_input_free(&in);
	mb_reader_close(&r);
	return rc == MB_END ? MB_OK : rc;
}

/* text -> binary for one input (plain or zstd-compressed; lines of at most MB_TEXT_LINE_MAX bytes). */
static int cat_pack(const struct opts *o, int fd, const char *name, struct mb_writer *w, unsigned *kind,
		    uint8_t *payload, struct mb_err *err)
{
	struct mb_zin in;
	const char *line;
	size_t n;
	int rc = mb_zin_open_fd(&in, fd, err);
	if (rc == MB_OK)
		rc = mb_zin_set_line_max(&in, MB_TEXT_LINE_MAX, err);
	struct mb_stream_info *info = malloc(sizeof *info);
	if (!info && rc == MB_OK)
		rc = mb_err_set(err, MB_EIO, "out of memory");
	while (rc == MB_OK && !mb_stop_requested && (rc = mb_zin_line(&in, &line, &n, err)) == MB_OK) {
		uint64_t lineno = in.line;
		uint16_t type, flags;
		uint32_t len;
		enum mb_text_line what;
		unsigned before = *kind;
		rc = mb_text_parse(line, (size_t)n, kind, info, &type, &flags, payload, &len, &what, err);
		if (rc != MB_OK) {
			rc = mb_err_at_line(err, name, (unsigned long long)lineno);
			break;
		}
		if (what == MB_TL_HEADER) {
			rc = mb_writer_header(w, info, err);
		} else if (what == MB_TL_FRAME) {
			if (before == MB_KIND_NONE) {
				/* No header line (e.g. filtered out by awk): the kind comes from -k or from this line. */
				if (o->kind)
					*kind = o->kind;
				else if (*kind == MB_KIND_NONE)
					*kind = MB_KIND_EVENTS_RAW;
				mb_info_init(info, *kind);
				mb_info_set(info, "program", "mb-cat");
				rc = mb_writer_header(w, info, err);
				if (rc == MB_OK && (type == MB_FRAME_EVENT || type == MB_FRAME_SERVER)) {
					/* Re-parse now that the kind is fixed, so a -k mismatch is caught. */
					rc = mb_text_parse(line, (size_t)n, kind, info, &type, &flags, payload, &len, &what, err);
					if (rc != MB_OK)
						rc = mb_err_at_line(err, name, (unsigned long long)lineno);
				}
			}
			if (rc == MB_OK && (rc = mb_writer_frame(w, type, flags, payload, len, err)) == MB_ERR)
				rc = mb_err_at_line(err, name, (unsigned long long)lineno); /* a frame no reader would accept */
		}
	}
	if (rc == MB_ERR && in.skip) /* a line over the cap */
		rc = mb_err_at_line(err, name, (unsigned long long)in.line);
	else if (in.rc != MB_OK) /* a read error or bad zstd input, after the last whole line */
		rc = mb_err_at_line(err, name, (unsigned long long)in.line);
	free(info);
	mb_zin_close(&in);
	return rc == MB_END ? MB_OK : rc;
}

/* --from: trace inputs -> one events-hashed stream; --to: streams -> one trace (doc/traces.md). */
static int cat_trace(const struct opts *o, char **inputs, int ninputs, struct mb_err *err)
{
	if ((o->mode == 'F' || o->fmt == MB_TRACE_ORACLE) && !mb_binary_output_ok(1))
		return MB_ERR;
	struct mb_anon anon;
	const char *kf = o->key_file ? o->key_file : getenv("MB_ANON_KEY_FILE");
	int rc = MB_OK;
	bool random_secret = !(kf && *kf) && (o->mode == 'T' || mb_trace_fmt_has_string_keys(o->fmt));
	if (kf && *kf)
		rc = mb_anon_init_file(&anon, kf, err);
	else if (random_secret)
		mb_anon_init_random(&anon);
	struct mb_writer w = { .fd = -1 };
	struct mb_trace_writer tw = { .spool_fd = -1 };
	struct mb_summary *sum = malloc(sizeof *sum);
	if (sum)
		mb_summary_init(sum, "mb-cat");
	else
		rc = mb_err_set(err, MB_EIO, "out of memory");
	if (rc == MB_OK && o->mode == 'F') {
		struct mb_stream_info *info = malloc(sizeof *info);
		rc = info ? mb_writer_init(&w, 1, err) : mb_err_set(err, MB_EIO, "out of memory");
		if (rc == MB_OK) {
			mb_trace_info(info, o->fmt, strcmp(inputs[0], "-") ? inputs[0] : "<stdin>",
				      random_secret || (kf && *kf) ? &anon : NULL);
			rc = mb_writer_header(&w, info, err);
		}
		free(info);
	} else if (rc == MB_OK) {
		rc = mb_trace_writer_init(&tw, o->fmt, 1, err);
	}
	struct mb_trace_import_opts io = { o->fmt, &anon, o->skip_bad, &mb_stop_requested };
	for (int i = 0; i < ninputs && rc == MB_OK && !mb_stop_requested; i++) {
		const char *name = !strcmp(inputs[i], "-") ? "<stdin>" : inputs[i];
		int fd = open_input(inputs[i]);
		if (fd < 0) {
			rc = MB_ERR;
			err->msg[0] = 0;
			break;
		}
		if (o->mode == 'F')
			rc = mb_trace_import(&io, fd, name, &w, sum, err);
		else
			rc = mb_trace_export(&tw, fd, name, &anon, &mb_stop_requested, err);
		if (fd > 0)
			close(fd);
	}
	int frc;
	if (o->mode == 'F') {
		if (rc == MB_OK)
			rc = mb_writer_summary(&w, sum, err);
		struct mb_err cerr = { "" };
		frc = mb_writer_close(&w, &cerr);
		if (rc == MB_OK && frc != MB_OK)
			*err = cerr;
		if (rc == MB_OK && frc == MB_OK && o->skip_bad && sum && mb_summary_get(sum, "bad_rows"))
			mb_msg("skipped %llu bad rows", (unsigned long long)mb_summary_get(sum, "bad_rows"));
	} else {
		frc = rc == MB_OK ? mb_trace_writer_finish(&tw, err) : MB_OK;
		if (rc == MB_OK && frc == MB_OK && tw.skipped)
			mb_msg("left out %llu events the %s format cannot express (traces.md of the documentation says which)",
			       (unsigned long long)tw.skipped, mb_trace_fmt_name(o->fmt));
	}
	uint64_t hashed = o->mode == 'T' ? tw.hashed : sum ? mb_summary_get(sum, "hashed_keys") : 0;
	if (rc == MB_OK && frc == MB_OK && random_secret && hashed) /* a notice; after an error, only the error */
		mb_msg("hashed %llu %s keys with a random secret valid for this run only "
		       "(--key-file or MB_ANON_KEY_FILE makes them stable)",
		       (unsigned long long)hashed, o->mode == 'F' ? "string" : "raw");
	mb_trace_writer_free(&tw);
	free(sum);
	return rc == MB_OK || frc == MB_EPIPE ? frc : rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pack", no_argument, NULL, 'p' },     { "binary", no_argument, NULL, 'b' },
		{ "kind", required_argument, NULL, 'k' }, { "no-header", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },     { "version", no_argument, NULL, 'V' },
		{ "from", required_argument, NULL, 'F' }, { "to", required_argument, NULL, 'T' },
		{ "skip-bad", no_argument, NULL, 'S' },  { "key-file", required_argument, NULL, 'K' },
		{ "allow-truncated", no_argument, NULL, 'A' }, { NULL, 0, NULL, 0 },
	};
	struct opts o = { 't', MB_KIND_NONE, 1, MB_TRACE_NONE, false, NULL, false };
	int c;
	opterr = 0;
	mb_prog_init();
	while ((c = getopt_long(argc, argv, "pbk:Hh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': o.mode = o.fmt ? 'x' : 'p'; break;
		case 'b': o.mode = o.fmt ? 'x' : 'b'; break;
		case 'k': {
			int k = mb_kind_parse(optarg);
			if (k < 0)
				mb_usage_error("unknown stream kind (packets, events-raw, events-hashed): '%s'", optarg);
			o.kind = (unsigned)k;
			break;
		}
		case 'H': o.header = 0; break;
		case 'F':
		case 'T': {
			int f = mb_trace_fmt_parse(optarg);
			if (f < 0)
				mb_usage_error("unknown trace format (twitter, cachelib, oracle): '%s'", optarg);
			o.mode = o.fmt || o.mode != 't' ? 'x' : c;
			o.fmt = (unsigned)f;
			break;
		}
		case 'S': o.skip_bad = true; break;
		case 'K': o.key_file = optarg; break;
		case 'A': o.allow_truncated = true; break;
		case 'h': return mb_print_help(usage);
		case 'V': mb_print_version();
		default: mb_usage_bad_option(argv);
		}
	}
	if (o.kind && o.mode != 'p')
		mb_usage_error("-k goes with -p");
	if (o.fmt && o.mode != 'F' && o.mode != 'T')
		mb_usage_error("--from, --to, -p and -b go alone");
	if (o.skip_bad && o.mode != 'F')
		mb_usage_error("--skip-bad goes with --from");
	if (o.key_file && !o.fmt)
		mb_usage_error("--key-file goes with --from or --to");
	if (o.allow_truncated && o.mode != 't' && o.mode != 'b')
		mb_usage_error("--allow-truncated goes with the text form or -b (the modes that read profiles)");
	char *stdin_only[] = { "-" };
	char **inputs = optind < argc ? argv + optind : stdin_only;
	int ninputs = optind < argc ? argc - optind : 1;

	mb_prog_signals();
	struct mb_err err = { "" };
	int rc = MB_OK;
	if (o.fmt) {
		rc = cat_trace(&o, inputs, ninputs, &err);
	} else if (o.mode == 't') {
		struct mb_buf out = { 0 };
		uint64_t at = 0;
		for (int i = 0; i < ninputs && rc == MB_OK && !mb_stop_requested; i++) {
			int fd = open_input(inputs[i]);
			if (fd < 0) {
				mb_buf_free(&out);
				return MB_EXIT_DATA;
			}
			rc = cat_text(&o, fd, !strcmp(inputs[i], "-") ? "<stdin>" : inputs[i], &out, &at, &err);
			if (fd > 0)
				close(fd);
			int drc = drain(&out, 1, &at, &err);
			if (rc == MB_OK || drc == MB_EPIPE)
				rc = drc;
		}
		mb_buf_free(&out);
	} else {
		if (!mb_binary_output_ok(1))
			return MB_EXIT_DATA;
		struct mb_writer w;
		if (mb_writer_init(&w, 1, &err) != MB_OK) {
			mb_msg_err(&err);
			return MB_EXIT_DATA;
		}
		int have_header = 0;
		unsigned kind = MB_KIND_NONE;
		struct mb_join *join = o.mode == 'b' && ninputs > 1 ? mb_join_new() : NULL;
		if (o.mode == 'b' && ninputs > 1 && !join)
			rc = mb_err_set(&err, MB_EIO, "out of memory");
		uint8_t *payload = o.mode == 'p' ? malloc(MB_FRAME_MAX + 16) : NULL;
		if (o.mode == 'p' && !payload)
			rc = mb_err_set(&err, MB_EIO, "out of memory");
		for (int i = 0; i < ninputs && rc == MB_OK && !mb_stop_requested; i++) {
			const char *name = !strcmp(inputs[i], "-") ? "<stdin>" : inputs[i];
			int fd = open_input(inputs[i]);
			if (fd < 0) {
				rc = MB_ERR;
				err.msg[0] = 0;
				break;
			}
			if (o.mode == 'b')
				rc = cat_binary(&o, fd, name, &w, &have_header, join, &err);
			else
				rc = cat_pack(&o, fd, name, &w, &kind, payload, &err);
			if (fd > 0)
				close(fd);
		}
		free(payload);
		mb_join_free(join);
		struct mb_err cerr = { "" };
		int frc = mb_writer_close(&w, &cerr);
		if (rc == MB_OK || frc == MB_EPIPE) {
			rc = frc;
			err = cerr;
		}
	}
	if (rc != MB_OK && rc != MB_END && rc != MB_EPIPE && err.msg[0])
		mb_msg_err(&err);
	return mb_exit_code(rc);
}
