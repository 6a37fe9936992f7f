/* mb-anon - replace every raw key of an event stream by its keyed SipHash-2-4 hash (events-raw -> events-hashed). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "anon.h"
#include "bytes.h"
#include "fdio.h"
#include "prog.h"
#include "stream.h"

static const char usage[] =
	"usage: mb-anon [-k KEYFILE] [--prefix CHARS] [FILE] > hashed-stream\n"
	"       mb-anon --new-key > KEYFILE\n"
	"Replace every key of an events-raw stream (mb-parse) by a keyed 64-bit SipHash-2-4 hash.\n"
	"\n"
	"  -k, --key-file FILE  the secret (32 hex digits); default $MB_ANON_KEY_FILE, else a random\n"
	"                       secret for this run only\n"
	"      --new-key        write a fresh secret from getrandom(2) to stdout (mode 0600 when a file)\n"
	"  -p, --prefix CHARS   hash delimited segments too: top 16 bits name the first segment,\n"
	"                       the next 8 bits the last one (mb-anon(1) says what that reveals)\n"
	"      --keep-unknown   pass frames of unknown types through (default: drop them, they may hold keys)\n"
	"  -h, --help           this help\n"
	"      --version        print the version\n"
	"\n"
	"FILE '-' or none reads standard input. Exit: 0 ok, 1 bad input, 2 usage. Manual: mb-anon(1).\n";

#define HASHED_LEN (MB_EVENT_FIXED + 8)

/* --new-key: a secret on stdout, never on a terminal, private when stdout is a file. */
static int new_key(void)
{
	if (isatty(1)) {
		mb_msg("refusing to write a secret to a terminal: 'stdout' (redirect it to a file)");
		return MB_EXIT_DATA;
	}
	struct stat st;
	if (fstat(1, &st) == 0 && S_ISREG(st.st_mode) && fchmod(1, 0600) != 0) {
		mb_msg("cannot make the key file private: %s: 'stdout'", strerror(errno));
		return MB_EXIT_DATA;
	}
	uint8_t secret[MB_ANON_SECRET_BYTES];
	char text[MB_ANON_KEYFILE_CHARS + 2];
	struct mb_err err;
	if (mb_anon_random_secret(secret, &err) != MB_OK) {
		mb_msg_err(&err);
		return MB_EXIT_DATA;
	}
	mb_anon_format_secret(secret, text);
	memset(secret, 0, sizeof secret);
	size_t len = strlen(text), done = 0;
	while (done < len) {
		ssize_t n = write(1, text + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			mb_msg("write error: %s: 'stdout'", n < 0 ? strerror(errno) : "no progress");
			return MB_EXIT_DATA;
		}
		done += (size_t)n;
	}
	memset(text, 0, sizeof text);
	return MB_EXIT_OK;
}

/*
 * Copy the stream: events hashed in place into the output buffer, summaries kept,
 * unknown frames counted. Every frame was checked by the reader (mb_frame_check).
 */
static int anonymize(struct mb_reader *r, struct mb_writer *w, const struct mb_anon *a, bool keep_unknown,
		     struct mb_summary *sum, struct mb_err *err)
{
	struct mb_frame f;
	uint64_t events = 0, dropped = 0, kept = 0, summaries = 0;
	int rc;
	while ((rc = mb_reader_next(r, &f, err)) == MB_OK) {
		if (f.type == MB_FRAME_EVENT) {
			/* the key is hashed; the extension after it (request semantics) is kept as it is */
			uint32_t klen = f.len < MB_EVENT_FIXED ? 0 : mb_ld_le16(f.payload + 38);
			if (f.len < MB_EVENT_FIXED || f.len > MB_EVENT_FIXED + klen) {
				struct mb_event ev;
				if (mb_event_decode(f.payload, f.len, MB_KIND_EVENTS_RAW, &ev, err) != MB_OK) {
					rc = mb_err_at(err, r->name, f.offset);
					break;
				}
			} else if (f.len != MB_EVENT_FIXED + klen) {
				struct mb_event ev;
				mb_event_decode(f.payload, f.len, MB_KIND_EVENTS_RAW, &ev, err);
				rc = mb_err_at(err, r->name, f.offset);
				break;
			}
			uint32_t ext = f.len - MB_EVENT_FIXED - klen;
			uint8_t *p = mb_writer_reserve(w, MB_FRAME_HDR + HASHED_LEN + ext, err);
			if (!p) {
				rc = w->rc;
				break;
			}
			mb_st_le16(p, MB_FRAME_EVENT);
			mb_st_le16(p + 2, f.flags);
			mb_st_le32(p + 4, HASHED_LEN + ext);
			memcpy(p + MB_FRAME_HDR, f.payload, MB_EVENT_FIXED);
			mb_st_le64(p + MB_FRAME_HDR + MB_EVENT_FIXED, mb_anon_hash(a, f.payload + MB_EVENT_FIXED, klen));
			memcpy(p + MB_FRAME_HDR + HASHED_LEN, f.payload + MB_EVENT_FIXED + klen, ext);
			mb_writer_commit(w, MB_FRAME_HDR + HASHED_LEN + ext);
			events++;
		} else if (f.type == MB_FRAME_SUMMARY || f.type == MB_FRAME_SERVER || keep_unknown) {
			/* server frames hold addresses and ports, never keys */
			rc = mb_writer_frame(w, f.type, f.flags, f.payload, f.len, err);
			if (rc != MB_OK)
				break;
			if (f.type == MB_FRAME_SUMMARY)
				summaries++;
			else if (f.type != MB_FRAME_SERVER)
				kept++;
		} else {
			dropped++;
		}
		if (mb_stop_requested)
			break;
	}
	mb_summary_add(sum, "events", events);
	mb_summary_add(sum, "summaries_passed", summaries);
	mb_summary_add(sum, "unknown_frames_dropped", dropped);
	if (keep_unknown)
		mb_summary_add(sum, "unknown_frames_kept", kept);
	return rc == MB_END || (rc == MB_OK && mb_stop_requested) ? MB_OK : rc;
}

int main(int argc, char **argv)
{
	enum { O_NEWKEY = 256, O_KEEP };
	static const struct option longopts[] = {
		{ "key-file", required_argument, NULL, 'k' }, { "new-key", no_argument, NULL, O_NEWKEY },
		{ "prefix", required_argument, NULL, 'p' },   { "keep-unknown", no_argument, NULL, O_KEEP },
		{ "help", no_argument, NULL, 'h' },          { "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *keyfile = NULL, *prefix = NULL;
	bool newkey = false, keep_unknown = false;
	int c;
	mb_prog_init();
	opterr = 0;
	while ((c = getopt_long(argc, argv, "k:p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': keyfile = optarg; break;
		case 'p': prefix = optarg; break;
		case O_NEWKEY: newkey = true; break;
		case O_KEEP: keep_unknown = true; break;
		case 'h': return mb_print_help(usage);
		case 'V': mb_print_version();
		default: mb_usage_bad_option(argv);
		}
	}
	if (newkey) {
		if (optind < argc || keyfile || prefix || keep_unknown)
			mb_usage_error("--new-key takes no other argument");
		return new_key();
	}
	if (argc - optind > 1)
		mb_usage_error("one input at most (concatenate streams with mb-cat -b): '%s'", argv[optind + 1]);

	struct mb_err err = { "" };
	struct mb_anon a;
	if (!keyfile) {
		const char *env = getenv("MB_ANON_KEY_FILE");
		if (env && *env)
			keyfile = env;
	}
	if (keyfile) {
		if (mb_anon_init_file(&a, keyfile, &err) != MB_OK) {
			mb_msg_err(&err);
			return MB_EXIT_DATA;
		}
	} else {
		mb_anon_init_random(&a);
	}
	if (prefix && mb_anon_set_prefix(&a, prefix, &err) != MB_OK)
		mb_usage_error("%s", err.msg);

	const char *name = mb_input_name(optind < argc ? argv[optind] : "-");
	int fd = mb_open_input(optind < argc ? argv[optind] : "-", &err);
	if (fd < 0) {
		mb_msg_err(&err);
		return MB_EXIT_DATA;
	}
	if (!mb_binary_output_ok(1))
		return MB_EXIT_DATA;
	mb_prog_signals();

	struct mb_reader r = { 0 };
	struct mb_writer w;
	struct mb_summary *sum = malloc(sizeof *sum);
	int rc = sum ? mb_reader_open(&r, fd, name, 1u << MB_KIND_EVENTS_RAW, &err)
		     : mb_err_set(&err, MB_EIO, "out of memory");
	if (rc == MB_END) { /* stopped (SIGINT/SIGTERM) before the input's header came: nothing to write */
		mb_reader_close(&r);
		free(sum);
		return MB_EXIT_OK;
	}
	if (rc == MB_OK)
		rc = mb_writer_init(&w, 1, &err);
	if (rc == MB_OK) {
		struct mb_stream_info info = r.info;
		char fp[17];
		mb_anon_fingerprint(&a, fp);
		info.kind = MB_KIND_EVENTS_HASHED;
		if (mb_info_set(&info, "anon_fp", fp) != MB_OK ||
		    (a.prefix && mb_info_set(&info, "anon_prefix", a.delims) != MB_OK) ||
		    mb_info_add_program(&info, "mb-anon") != MB_OK)
			rc = mb_err_set(&err, MB_ERR, "input header has too much metadata to add the anonymization's: '%s' at byte 0",
					name);
		if (rc == MB_OK)
			rc = mb_writer_header(&w, &info, &err);
		mb_summary_init(sum, "mb-anon");
		if (rc == MB_OK)
			rc = anonymize(&r, &w, &a, keep_unknown, sum, &err);
		/* The summary goes out even after bad input, so what was written is accounted for. */
		if (w.rc == MB_OK) {
			struct mb_err werr;
			int src = mb_writer_summary(&w, sum, &werr);
			if (rc == MB_OK && src != MB_OK) {
				rc = src;
				err = werr;
			}
		}
		struct mb_err cerr = { "" };
		int frc = mb_writer_close(&w, &cerr);
		if (rc == MB_OK || frc == MB_EPIPE) {
			rc = frc;
			err = cerr;
		}
	}
	mb_reader_close(&r);
	free(sum);
	memset(&a, 0, sizeof a);
	if (rc != MB_OK && rc != MB_EPIPE && err.msg[0])
		mb_msg_err(&err);
	else if (rc == MB_OK && !keyfile) /* a notice; after an error, only the error */
		mb_msg("no secret given (-k or MB_ANON_KEY_FILE): used a random secret for this run only; hashes will not match other runs");
	return mb_exit_code(rc);
}
