/* mb-stat - what a workload is, in numbers and pictures: one pass over a profile or event stream. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mbtime.h"
#include "fdio.h"
#include "live.h"
#include "opt.h"
#include "prog.h"
#include "stat.h"
#include "stat_compare.h"
#include "stream.h"
#include "textfmt.h"

/* The help text; the defaults come from mb_stat_opts_default, so help and code cannot disagree. */
static void usage(const struct mb_stat_opts *d)
{
	printf("usage: mb-stat [OPTIONS] [FILE]\n"
	       "       mb-stat --compare [--json] A B\n"
	       "Report on a profile or an event stream (raw or hashed keys) read from FILE or stdin;\n"
	       "with --compare, where B departs from A (a replay's --record from its input): command mix,\n"
	       "hit ratio per command, inter-arrival shape, per-connection rates.\n"
	       "\n"
	       "  -j, --json              the report as JSON (schema: stat-json) instead of text\n"
	       "      --html FILE         also write a self-contained HTML page with SVG charts ('-': to stdout,\n"
	       "                          instead of the text report)\n"
	       "  -k, --top K             top keys and namespaces to list (default %u, at most 100000)\n"
	       "  -w, --window SECONDS    time-series window, and the --live refresh interval (default %g,\n"
	       "                          at least 1ms; 500ms, 2m, ...)\n"
	       "      --show-keys         print the real names of hot keys (raw streams, before mb-anon)\n"
	       "      --namespaces DELIMS group keys by namespace: the bytes before the first of DELIMS (raw\n"
	       "                          keys), or the tag of mb-anon --prefix DELIMS (hashed keys)\n"
	       "      --live              a top-like view of a live stream, redrawn every --window (no report)\n"
	       "      --no-mrc            skip the LRU miss-ratio curve\n"
	       "      --mrc-rate R        initial SHARDS sampling rate, 0 < R <= 1 (default %g)\n"
	       "      --mrc-samples N     most keys the miss-ratio sampler tracks (default %u)\n"
	       "      --max-keys N        keys counted exactly (default %u; beyond: estimates)\n"
	       "      --allow-truncated   report on a profile cut short up to the cut (a warning, not an error)\n"
	       "  -h, --help              this help\n"
	       "      --version           print the version\n"
	       "\n"
	       "Exit: 0 ok, 1 bad input (the report of what was read is still written), 2 usage.\n"
	       "Manual: mb-stat(1).\n",
	       d->top, (double)d->window_ns / 1e9, d->mrc_rate, d->mrc_samples, d->max_keys);
}

enum { O_HTML = 256, O_NOMRC, O_RATE, O_SAMPLES, O_MAXKEYS, O_SHOWKEYS, O_NS, O_LIVE, O_CUT, O_COMPARE };

/* --compare A B: the comparison to stdout. */
static int compare_main(int n, char **args, bool json, bool other_view, bool allow_truncated)
{
	if (n != 2)
		mb_usage_error("--compare takes two inputs: A B");
	if (other_view)
		mb_usage_error("--compare writes text or --json: it takes neither --html nor --live");
	if (!strcmp(args[0], "-") && !strcmp(args[1], "-"))
		mb_usage_error("--compare: standard input can be one of the inputs, not both");
	mb_prog_signals();
	struct mb_buf out = { 0 };
	struct mb_err err;
	int rc = mb_stat_compare(args[0], args[1], json, allow_truncated, &out, &err);
	if (rc == MB_OK)
		rc = mb_write_all_at(1, out.p, out.len, "stdout", 0, &err);
	mb_buf_free(&out);
	if (rc != MB_OK && rc != MB_EPIPE)
		mb_msg_err(&err);
	return mb_exit_code(rc);
}

/* --show-keys on keys mb-anon hashed: the report can only show the hashes. */
static void warn_hashed_names(const char *name)
{
	mb_warn("--show-keys: the keys of '%s' were hashed by mb-anon; only their hashes can be shown", name);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },       { "html", required_argument, NULL, O_HTML },
		{ "top", required_argument, NULL, 'k' },  { "window", required_argument, NULL, 'w' },
		{ "no-mrc", no_argument, NULL, O_NOMRC }, { "mrc-rate", required_argument, NULL, O_RATE },
		{ "mrc-samples", required_argument, NULL, O_SAMPLES },
		{ "max-keys", required_argument, NULL, O_MAXKEYS },
		{ "show-keys", no_argument, NULL, O_SHOWKEYS }, { "namespaces", required_argument, NULL, O_NS },
		{ "live", no_argument, NULL, O_LIVE }, { "allow-truncated", no_argument, NULL, O_CUT },
		{ "compare", no_argument, NULL, O_COMPARE },
		{ "help", no_argument, NULL, 'h' },       { "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct mb_stat_opts o;
	struct mb_err err = { "" };
	const char *html = NULL;
	bool json = false, live = false, allow_truncated = false, compare = false;
	struct mb_ns ns_check;
	struct mb_stream_info raw_info;
	uint64_t v;
	int c;
	mb_prog_init();
	mb_stat_opts_default(&o);
	opterr = 0; /* getopt's own messages would make a second line */
	while ((c = getopt_long(argc, argv, ":jk:w:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case O_HTML: html = optarg; break;
		case 'k':
			if (mb_opt_u64(optarg, 1, 100000, false, &v, &err))
				mb_usage_error("--top: %s", err.msg);
			o.top = (uint32_t)v;
			break;
		case 'w':
			if (mb_opt_duration(optarg, &v, &err) || v < 1000000)
				mb_usage_error("--window: a duration of at least 1ms: '%s'", optarg);
			o.window_ns = v;
			break;
		case O_NOMRC: o.mrc = false; break;
		case O_RATE:
			if (mb_opt_double(optarg, 1e-6, 1, &o.mrc_rate, &err))
				mb_usage_error("--mrc-rate: %s", err.msg);
			break;
		case O_SAMPLES:
			if (mb_opt_u64(optarg, 16, 1u << 24, true, &v, &err))
				mb_usage_error("--mrc-samples: %s", err.msg);
			o.mrc_samples = (uint32_t)v;
			break;
		case O_MAXKEYS:
			if (mb_opt_u64(optarg, 16, 1u << 28, true, &v, &err))
				mb_usage_error("--max-keys: %s", err.msg);
			o.max_keys = (uint32_t)v;
			break;
		case O_CUT: allow_truncated = true; break;
		case O_SHOWKEYS: o.show_keys = true; break;
		case O_NS:
			/* The delimiters' rules are checked now, against a raw stream (no tags needed). */
			mb_info_init(&raw_info, MB_KIND_EVENTS_RAW);
			if (mb_ns_setup(&ns_check, optarg, &raw_info, &err) != MB_OK)
				mb_usage_error("--namespaces: %s", err.msg);
			o.namespaces = optarg;
			break;
		case O_LIVE: live = true; break;
		case O_COMPARE: compare = true; break;
		case 'h': {
			struct mb_stat_opts d;
			mb_stat_opts_default(&d);
			usage(&d);
			return MB_EXIT_OK;
		}
		case 'V': mb_print_version();
		case ':': mb_usage_error("option needs a value: '%s'", argv[optind - 1]);
		default: mb_usage_error("unknown option: '%s'", argv[optind - 1]);
		}
	}
	if (compare)
		return compare_main(argc - optind, argv + optind, json, html || live, allow_truncated);
	if (argc - optind > 1)
		mb_usage_error("one input at most: '%s'", argv[optind + 1]);
	if (html && !strcmp(html, "-") && json)
		mb_usage_error("--json and --html - both want stdout");
	if (live && (json || html))
		mb_usage_error("--live draws a screen: it takes neither --json nor --html");
	const char *name = mb_input_name(optind < argc ? argv[optind] : "-");
	int fd = mb_open_input(optind < argc ? argv[optind] : "-", &err);
	if (fd < 0) {
		mb_msg_err(&err);
		return MB_EXIT_DATA;
	}
	mb_prog_signals();
	struct mb_reader r;
	int rc = mb_reader_open(&r, fd, name, (1u << MB_KIND_EVENTS_RAW) | (1u << MB_KIND_EVENTS_HASHED), &err);
	if (rc != MB_OK) {
		if (rc != MB_END) /* MB_END: stopped (SIGINT/SIGTERM) before a header came, nothing to report */
			mb_msg_err(&err);
		mb_reader_close(&r);
		return rc == MB_END ? MB_EXIT_OK : MB_EXIT_DATA;
	}
	r.allow_truncated = allow_truncated;
	r.stop = &mb_stop_requested;
	/* said after a run that went well: an error or a refusal is then the only line */
	bool hashed_names = o.show_keys && r.info.kind == MB_KIND_EVENTS_HASHED;
	if (live) {
		rc = mb_live_run(&r, &o, 1, &err);
		mb_reader_close(&r);
		if (fd > 0)
			close(fd);
		if (rc != MB_OK && rc != MB_EPIPE)
			mb_msg_err(&err);
		else if (rc == MB_OK && hashed_names)
			warn_hashed_names(name);
		return mb_exit_code(rc);
	}
	struct mb_stat *st = malloc(sizeof *st);
	if (!st) {
		mb_msg("out of memory");
		mb_reader_close(&r);
		return MB_EXIT_DATA;
	}
	rc = mb_stat_init(st, &o, &r.info, &err);
	if (rc != MB_OK) {
		if (rc == MB_ERR) /* an option the input cannot serve: name the input */
			mb_msg("%s: '%s'", err.msg, name);
		else
			mb_msg_err(&err);
		mb_stat_free(st);
		free(st);
		mb_reader_close(&r);
		return MB_EXIT_DATA;
	}
	int read_rc = mb_stat_read(&r, st, NULL, NULL, &err);
	struct mb_err read_err = err;
	mb_reader_close(&r);
	if (fd > 0)
		close(fd);
	rc = mb_stat_finish(st, &err);
	struct mb_buf out = { 0 };
	if (rc == MB_OK && html) {
		rc = mb_report_html(st, &out);
		if (rc != MB_OK) {
			mb_err_set(&err, MB_EIO, "out of memory for the report");
		} else if (!strcmp(html, "-")) {
			rc = mb_write_all_at(1, out.p, out.len, "stdout", 0, &err);
		} else {
			int hfd = open(html, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			if (hfd < 0)
				rc = mb_err_set(&err, MB_EIO, "cannot create the HTML report: %s: '%s'", strerror(errno), html);
			else if ((rc = mb_write_all_at(hfd, out.p, out.len, html, 0, &err)) == MB_OK && close(hfd) != 0)
				rc = mb_err_set(&err, MB_EIO, "cannot write the HTML report: %s: '%s'", strerror(errno), html);
		}
		out.len = 0;
	}
	if (rc == MB_OK && !(html && !strcmp(html, "-"))) {
		rc = json ? mb_report_json(st, &out) : mb_report_text(st, &out);
		if (rc != MB_OK)
			mb_err_set(&err, MB_EIO, "out of memory for the report");
		else
			rc = mb_write_all_at(1, out.p, out.len, "stdout", 0, &err);
	}
	mb_buf_free(&out);
	mb_stat_free(st);
	free(st);
	if (read_rc != MB_OK && read_rc != MB_EPIPE) {
		mb_msg_err(&read_err);
		return MB_EXIT_DATA;
	}
	if (rc != MB_OK && rc != MB_EPIPE)
		mb_msg_err(&err);
	else if (rc == MB_OK && hashed_names)
		warn_hashed_names(name);
	return mb_exit_code(rc);
}
