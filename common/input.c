/* input.c - the input layer: sniff what an input is and dispatch to the stream or profile reader. */
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "fdio.h"
#include "profile.h"
#include "prog.h"
#include "stream.h"

#define READER_CAP (4u << 20) /* >= MB_FRAME_HDR + MB_FRAME_MAX, and a profile block (MB_PROFILE_STORED_MAX) */

enum mb_input_type mb_input_sniff(const uint8_t *p, size_t n)
{
	if (n == 0)
		return MB_INPUT_EMPTY;
	if (n >= 8 && memcmp(p, MB_STREAM_MAGIC, 8) == 0)
		return MB_INPUT_STREAM;
	if (n >= 8 && memcmp(p, MB_PROFILE_MAGIC, 8) == 0)
		return MB_INPUT_PROFILE;
	if (n >= 4) {
		uint32_t m = mb_ld_le32(p);
		if (m == 0xa1b2c3d4 || m == 0xd4c3b2a1 || m == 0xa1b23c4d || m == 0x4d3cb2a1)
			return MB_INPUT_PCAP;
		if (m == 0x0a0d0d0a)
			return MB_INPUT_PCAPNG;
		if (m == 0xfd2fb528)
			return MB_INPUT_ZSTD;
	}
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return MB_INPUT_GZIP;
	size_t look = n < 512 ? n : 512, printable = 0;
	for (size_t i = 0; i < look; i++)
		if ((p[i] >= ' ' && p[i] < 0x7f) || p[i] == '\n' || p[i] == '\r' || p[i] == '\t')
			printable++;
	if (printable == look)
		return MB_INPUT_TEXT;
	return MB_INPUT_UNKNOWN;
}

const char *mb_input_describe(enum mb_input_type t)
{
	switch (t) {
	case MB_INPUT_EMPTY: return "empty";
	case MB_INPUT_STREAM: return "a membench stream";
	case MB_INPUT_PROFILE: return "a membench profile";
	case MB_INPUT_PCAP: return "a pcap capture";
	case MB_INPUT_PCAPNG: return "a pcapng capture";
	case MB_INPUT_ZSTD: return "zstd-compressed data";
	case MB_INPUT_GZIP: return "gzip-compressed data";
	case MB_INPUT_TEXT: return "text";
	case MB_INPUT_UNKNOWN: break;
	}
	return "not a membench stream";
}

int mb_reader_attach(struct mb_reader *r, int fd, const char *name, struct mb_err *err)
{
	memset(r, 0, sizeof *r);
	r->fd = fd;
	r->name = name;
	r->stop = &mb_stop_requested; /* set by a program's SIGINT/SIGTERM handler (prog.h), else never */
	r->cap = READER_CAP;
	mb_grow_pipe(fd);
	r->buf = malloc(r->cap);
	if (!r->buf)
		return mb_err_set(err, MB_EIO, "out of memory for the input buffer of '%s'", name);
	long got = mb_reader_fill(r, 8, err);
	if (got < 0)
		return MB_EIO;
	r->input = mb_input_sniff(mb_reader_peek(r), (size_t)got);
	return MB_OK;
}

static int wrong_input(struct mb_reader *r, struct mb_err *err)
{
	const char *what = mb_input_describe(r->input);
	switch (r->input) {
	case MB_INPUT_EMPTY:
		return mb_err_set(err, MB_ERR, "empty input, no stream header: '%s' at byte 0", r->name);
	case MB_INPUT_PCAP:
	case MB_INPUT_PCAPNG:
		return mb_err_set(err, MB_ERR, "input is %s, not a membench stream (read it with mb-parse or mb-capture -r): '%s' at byte 0",
				  what, r->name);
	case MB_INPUT_TEXT:
		return mb_err_set(err, MB_ERR, "input is text, not a membench stream (mb-cat -p turns mb-cat lines back into one): '%s' at byte 0",
				  r->name);
	case MB_INPUT_ZSTD:
	case MB_INPUT_GZIP:
		return mb_err_set(err, MB_ERR, "input is %s, not a membench stream (decompress it; a cache trace is read by mb-cat --from): '%s' at byte 0",
				  what, r->name);
	default:
		break;
	}
	if (r->end - r->start < 8)
		return mb_err_set(err, MB_ERR, "input too short for a stream header (%zu bytes): '%s' at byte 0",
				  r->end - r->start, r->name);
	const uint8_t *p = mb_reader_peek(r);
	return mb_err_set(err, MB_ERR, "input is not a membench stream (starts %02x %02x %02x %02x): '%s' at byte 0",
			  p[0], p[1], p[2], p[3], r->name);
}

static int wrong_kind(struct mb_reader *r, unsigned kind, unsigned want, struct mb_err *err)
{
	const char *hint = "";
	if (kind == MB_KIND_PACKETS)
		hint = " (run mb-parse on it first)";
	else if (kind == MB_KIND_EVENTS_RAW && (want & (1u << MB_KIND_EVENTS_HASHED)))
		hint = " (run mb-anon on it first)";
	else if (kind == MB_KIND_EVENTS_HASHED && (want & (1u << MB_KIND_EVENTS_RAW)))
		hint = " (this program needs raw keys, as mb-parse writes them)";
	else if (want == (1u << MB_KIND_PACKETS))
		hint = " (this program reads packets, as mb-capture writes them)";
	return mb_err_set(err, MB_ERR, "input is a %s stream, which this program does not read%s: '%s' at byte %llu",
			  mb_kind_name(kind), hint, r->name, (unsigned long long)(r->base + r->start));
}

int mb_reader_begin(struct mb_reader *r, unsigned want, struct mb_err *err)
{
	if (r->stopped && r->end - r->start < 8)
		return mb_reader_cut(r, MB_ERR, err);
	if (r->input != MB_INPUT_STREAM && r->input != MB_INPUT_PROFILE)
		return wrong_input(r, err);
	int rc = r->input == MB_INPUT_PROFILE ? mb_profile_open(r, err) : mb_stream_read_header(r, &r->info, err);
	if (rc != MB_OK)
		return rc;
	if (want && !(want & (1u << r->info.kind)))
		return wrong_kind(r, r->info.kind, want, err);
	return MB_OK;
}

int mb_reader_open(struct mb_reader *r, int fd, const char *name, unsigned want, struct mb_err *err)
{
	int rc = mb_reader_attach(r, fd, name, err);
	if (rc != MB_OK)
		return rc;
	return mb_reader_begin(r, want, err);
}

int mb_reader_next(struct mb_reader *r, struct mb_frame *f, struct mb_err *err)
{
	if (!r->profile)
		return mb_stream_next(r, f, err);
	int rc = mb_profile_next(r, f, err);
	if (rc == MB_OK && mb_frame_check(r->info.kind, f->type, f->payload, f->len, err) != MB_OK)
		return mb_frame_bad(r, f, err);
	return rc;
}

void mb_reader_close(struct mb_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	mb_profile_close(r->profile);
	r->profile = NULL;
}

