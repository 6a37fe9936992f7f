/* mb-fire - replay an event stream or profile against memcached servers, measuring latency and lateness. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event.h"
#include "fdio.h"
#include "fire.h"
#include "mbtime.h"
#include "opt.h"
#include "prog.h"
#include "textfmt.h"

static const char usage[] =
	"usage: mb-fire -t TARGET[,TARGET...] [OPTIONS] [FILE]\n"
	"       mb-fire --merge REPORT.json... [--json FILE] [--html FILE]\n"
	"       mb-fire --compare OLD.json NEW.json [--html FILE]\n"
	"Replay an event stream or profile (FILE or standard input) against memcached; or read\n"
	"the JSON reports of replays back: merge them into one, or compare two.\n"
	"\n"
	"  -t, --target LIST    host:port, [v6addr]:port or /unix/socket; with several, recorded\n"
	"                       server N (by first appearance) goes to target N (modulo their count),\n"
	"                       or keys are spread by consistent hashing when no servers are recorded\n"
	"      --hash           spread keys by consistent hashing even when servers are recorded\n"
	"      --target-map FILE  lines `RECORDED TARGET`: recorded server ADDR:PORT goes to TARGET\n"
	"                       (one of -t)\n"
	"  -c, --conns N        remap the recorded connections onto N connections (default: as recorded)\n"
	"  -T, --threads N      worker threads, 1..64 (default: the usable cores with --max, half of\n"
	"                       them in the timed modes or when a target runs on this host)\n"
	"  -P, --proto P        send text, meta or binary instead of the recorded protocol\n"
	"  -s, --speed FACTOR   recorded timing, FACTOR times as fast (default 1); expiration\n"
	"                       times are scaled with it (at least 1 s)\n"
	"      --keep-ttl       send expiration times as recorded\n"
	"      --rate OPS       open loop at OPS requests/s instead of the recorded times\n"
	"      --poisson        with --rate: exponential gaps instead of uniform ones\n"
	"      --max            closed loop, as fast as the server answers\n"
	"      --depth N        with --max: outstanding requests per connection (default 1)\n"
	"      --loop N|inf     replay the input N times (default 1)\n"
	"  -d, --duration TIME  stop after TIME (e.g. 10s)\n"
	"      --no-order       let requests of a key from different connections overtake each other\n"
	"                       (default: per-key order as recorded; --causal is accepted, the default)\n"
	"      --no-priority    timed modes: leave the workers and the reader at their priority\n"
	"      --no-uring       a system call per send and receive (default: batched through io_uring)\n"
	"      --allow-truncated\n"
	"                       replay a profile cut short up to the cut (a warning, not an error)\n"
	"      --warm           first store every key the input reads before writing it\n"
	"      --shard I/N      replay only shard I (0..N-1) of the recorded connections\n"
	"      --shard-keys     with --shard: connections that share keys go to the same shard\n"
	"      --start-at TIME  start the clock at TIME: unix seconds (fractional) or RFC 3339\n"
	"      --drain TIME     after the last request, wait this long for answers; with --max, give\n"
	"                       up a connection that fails this long without an answer (default 5s)\n"
	"      --json FILE      also write the report as JSON (with histogram buckets); - is standard\n"
	"                       output, and the text report then goes to standard error\n"
	"      --html FILE      also write the report as a self-contained HTML page with SVG charts;\n"
	"                       - is standard output, and the text report then goes to standard error\n"
	"      --hdr-log FILE   also write each command's latency and the lateness per second as an\n"
	"                       HdrHistogram interval log\n"
	"      --metrics HOST:PORT  serve the running counters and latency summaries over HTTP\n"
	"                       (GET /metrics, Prometheus text format) during the replay\n"
	"      --record FILE    write each request sent and its answer as an event stream\n"
	"                       (compare it with the input: mb-stat --compare INPUT FILE)\n"
	"  -q, --quiet          no progress line on stderr\n"
	"      --merge          one report (text, --json, --html) from the JSON reports of several\n"
	"                       runs, such as shards: counts and histograms summed\n"
	"      --compare        two JSON reports side by side (text, --html): NEW's changes against OLD\n"
	"  -h, --help           this help\n"
	"      --version        print the version\n"
	"\n"
	"The report goes to standard output. Exit: 0 ok, 1 bad input, unreachable target or requests\n"
	"not sent or not answered, 2 usage.\n"
	"Manual: mb-fire(1).\n";

/* An input fd that can be read more than once (for --warm and --loop): stdin is spooled. */
static int rereadable(int fd, struct mb_err *err)
{
	if (lseek(fd, 0, SEEK_CUR) == 0)
		return fd;
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	int t = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (t < 0) {
		mb_err_set(err, MB_EIO, "cannot spool standard input: %s: '%s'", strerror(errno), dir);
		return -1;
	}
	uint8_t *buf = malloc(1 << 16);
	if (!buf) {
		mb_err_set(err, MB_EIO, "out of memory");
		close(t);
		return -1;
	}
	for (;;) {
		ssize_t n = read(fd, buf, 1 << 16);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR && !mb_stop_requested)
				continue;
			mb_err_set(err, MB_EIO, "read error: %s: '<stdin>'", strerror(errno));
			free(buf);
			close(t);
			return -1;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t m = write(t, buf + off, (size_t)(n - off));
			if (m <= 0) {
				mb_err_set(err, MB_EIO, "cannot spool standard input: %s: '%s'", strerror(errno), dir);
				free(buf);
				close(t);
				return -1;
			}
			off += m;
		}
	}
	free(buf);
	lseek(t, 0, SEEK_SET);
	return t;
}

/* Write the HTML report of run (with b: the comparison of run and b, named by files) to the
   file name ('-': standard output). */
static int write_html(const struct fire_run *run, const struct fire_run *b, char **files, const char *name, struct mb_err *err)
{
	struct mb_buf out = { 0 };
	int rc = b ? fire_compare_html(run, b, files[0], files[1], &out) : fire_report_html(run, &out);
	if (rc != MB_OK) {
		rc = mb_err_set(err, MB_EIO, "out of memory for the HTML report: '%s'", name);
	} else if (!strcmp(name, "-")) {
		if ((rc = mb_write_all_at(1, out.p, out.len, "stdout", 0, err)) == MB_EPIPE)
			rc = MB_OK; /* the reader went away: end quietly */
	} else {
		int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			rc = mb_err_set(err, MB_EIO, "cannot create the HTML report: %s: '%s'", strerror(errno), name);
		else if ((rc = mb_write_all_at(fd, out.p, out.len, name, 0, err)) == MB_OK && close(fd) != 0)
			rc = mb_err_set(err, MB_EIO, "cannot write the HTML report: %s: '%s'", strerror(errno), name);
		else if (rc != MB_OK)
			close(fd);
	}
	mb_buf_free(&out);
	return rc;
}

/* --compare's text, for fire_write_report */
struct comparison {
	const struct fire_run *a, *b;
	char **files;
};

static int render_comparison(const void *ctx, FILE *m)
{
	const struct comparison *c = ctx;
	return fire_compare_text(c->a, c->b, c->files[0], c->files[1], m);
}

/* --merge: one report from the JSON reports files[0..n), written as a run's would be;
   --compare: the two reports side by side. */
static int from_reports(bool compare, char **files, int n, const char *json, const char *html)
{
	if (compare ? n != 2 : n < 1)
		mb_usage_error(compare ? "--compare wants two JSON reports: OLD NEW" : "--merge wants JSON reports");
	struct mb_err err;
	struct fire_run *run = fire_report_load((const char *const *)files, compare ? 1 : (unsigned)n, &err), *b = NULL;
	if (run && compare && !(b = fire_report_load((const char *const *)files + 1, 1, &err))) {
		fire_run_free(run);
		run = NULL;
	}
	if (!run) {
		mb_msg_err(&err);
		return MB_EXIT_DATA;
	}
	FILE *text = (json && !strcmp(json, "-")) || (html && !strcmp(html, "-")) ? stderr : stdout, *jf = NULL;
	int rc = MB_OK;
	if (json && !(jf = !strcmp(json, "-") ? stdout : fopen(json, "w")))
		rc = mb_err_set(&err, MB_EIO, "cannot write the JSON report: %s: '%s'", strerror(errno), json);
	if (rc == MB_OK && compare) {
		struct comparison c = { run, b, files };
		rc = fire_write_report(text, text == stderr ? "stderr" : "stdout", render_comparison, &c, &err);
	} else if (rc == MB_OK) {
		rc = fire_report(run, text, jf, json, &err);
	}
	if (jf && jf != stdout && fclose(jf) != 0 && rc == MB_OK)
		rc = mb_err_set(&err, MB_EIO, "cannot write the JSON report: %s: '%s'", strerror(errno), json);
	if (rc == MB_OK && html)
		rc = write_html(run, b, files, html, &err);
	uint64_t lost = compare ? 0 : fire_run_lost(run);
	fire_run_free(run);
	fire_run_free(b);
	if (rc != MB_OK) {
		mb_msg_err(&err);
		return MB_EXIT_DATA;
	}
	if (lost) {
		mb_msg("%" PRIu64 " requests were not sent or not answered (see the report)", lost);
		return MB_EXIT_DATA;
	}
	return MB_EXIT_OK;
}

/* Raise the open-file limit towards what many connections need; returns the limit. */
static uint64_t raise_nofile(void)
{
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rlim_t want = 1 << 20;
	FILE *f = fopen("/proc/sys/fs/nr_open", "r");
	unsigned long nr = 0;
	if (f) {
		if (fscanf(f, "%lu", &nr) == 1 && nr < want)
			want = nr;
		fclose(f);
	}
	struct rlimit nl = { want, want };
	if (setrlimit(RLIMIT_NOFILE, &nl) == 0)
		return want;
	nl.rlim_cur = nl.rlim_max = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &nl) == 0)
		return rl.rlim_max;
	return rl.rlim_cur;
}

int main(int argc, char **argv)
{
	mb_prog_init();
	enum { O_RATE = 256, O_POISSON, O_MAX, O_DEPTH, O_LOOP, O_CAUSAL, O_NOORDER, O_NOPRIO, O_NOURING, O_KEEPTTL, O_HASH, O_TMAP, O_WARM, O_DRAIN,
	       O_JSON, O_HTML, O_VERSION, O_CUT, O_MERGE, O_HDRLOG, O_COMPARE, O_RECORD, O_METRICS, O_SHARD, O_SHARDKEYS,
	       O_STARTAT };
	static const struct option lopts[] = {
		{ "target", required_argument, NULL, 't' }, { "conns", required_argument, NULL, 'c' },
		{ "threads", required_argument, NULL, 'T' }, { "proto", required_argument, NULL, 'P' },
		{ "speed", required_argument, NULL, 's' }, { "rate", required_argument, NULL, O_RATE },
		{ "poisson", no_argument, NULL, O_POISSON }, { "max", no_argument, NULL, O_MAX },
		{ "depth", required_argument, NULL, O_DEPTH }, { "loop", required_argument, NULL, O_LOOP },
		{ "duration", required_argument, NULL, 'd' }, { "causal", no_argument, NULL, O_CAUSAL },
		{ "no-order", no_argument, NULL, O_NOORDER }, { "allow-truncated", no_argument, NULL, O_CUT },
		{ "no-priority", no_argument, NULL, O_NOPRIO }, { "no-uring", no_argument, NULL, O_NOURING },
		{ "keep-ttl", no_argument, NULL, O_KEEPTTL },
		{ "hash", no_argument, NULL, O_HASH }, { "target-map", required_argument, NULL, O_TMAP },
		{ "warm", no_argument, NULL, O_WARM }, { "drain", required_argument, NULL, O_DRAIN },
		{ "json", required_argument, NULL, O_JSON }, { "html", required_argument, NULL, O_HTML }, { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, O_VERSION },
		{ "merge", no_argument, NULL, O_MERGE }, { "compare", no_argument, NULL, O_COMPARE }, /* reports */
		{ "hdr-log", required_argument, NULL, O_HDRLOG },
		{ "record", required_argument, NULL, O_RECORD }, { "metrics", required_argument, NULL, O_METRICS },
		{ "shard", required_argument, NULL, O_SHARD }, { "shard-keys", no_argument, NULL, O_SHARDKEYS },
		{ "start-at", required_argument, NULL, O_STARTAT }, { NULL, 0, NULL, 0 },
	};
	struct fire_opts opt = { .speed = 1.0, .mode = FIRE_RECORDED, .depth = 1, .loops = 1, .order = true,
				 .drain = 5000000000ull };
	const char *json = NULL, *html = NULL, *hdr_log = NULL, *metrics = NULL;
	bool quiet = false, merge = false, compare = false;
	struct mb_err err;
	const char *targets = NULL, *tmap = NULL;
	uint64_t u;
	int ch;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "t:c:T:P:s:d:qh", lopts, NULL)) != -1) {
		switch (ch) {
		case 't': targets = optarg; break;
		case 'c':
			if (mb_opt_u64(optarg, 1, 10000000, true, &opt.conns_n, &err) != MB_OK)
				mb_usage_error("-c: %s", err.msg);
			break;
		case 'T':
			if (mb_opt_u64(optarg, 1, 64, false, &u, &err) != MB_OK)
				mb_usage_error("-T: %s", err.msg);
			opt.threads = (unsigned)u;
			break;
		case 'P':
			opt.proto = mb_proto_parse(optarg, strlen(optarg));
			if (opt.proto <= 0)
				mb_usage_error("-P: want text, meta or binary: '%s'", optarg);
			break;
		case 's':
			if (mb_opt_double(optarg, 0.000001, 1000000, &opt.speed, &err) != MB_OK)
				mb_usage_error("-s: %s", err.msg);
			break;
		case O_RATE:
			if (mb_opt_double(optarg, 0.001, 1e9, &opt.rate, &err) != MB_OK)
				mb_usage_error("--rate: %s", err.msg);
			opt.mode = FIRE_RATE;
			break;
		case O_POISSON: opt.poisson = true; break;
		case O_MAX: opt.mode = FIRE_MAX; break;
		case O_DEPTH:
			if (mb_opt_u64(optarg, 1, 4096, false, &u, &err) != MB_OK)
				mb_usage_error("--depth: %s", err.msg);
			opt.depth = (unsigned)u;
			break;
		case O_LOOP:
			if (!strcmp(optarg, "inf"))
				opt.loops = 0;
			else if (mb_opt_u64(optarg, 1, UINT32_MAX, true, &opt.loops, &err) != MB_OK)
				mb_usage_error("--loop: %s", err.msg);
			break;
		case 'd':
			if (mb_opt_duration(optarg, &opt.duration, &err) != MB_OK || !opt.duration)
				mb_usage_error("-d: bad duration: '%s'", optarg);
			break;
		case O_CAUSAL: opt.order = true; break;
		case O_NOORDER: opt.order = false; break;
		case O_CUT: opt.allow_truncated = true; break;
		case O_NOPRIO: opt.no_priority = true; break;
		case O_NOURING: opt.no_uring = true; break;
		case O_KEEPTTL: opt.keep_ttl = true; break;
		case O_HASH: opt.hash_keys = true; break;
		case O_TMAP: tmap = optarg; break;
		case O_WARM: opt.warm = true; break;
		case O_DRAIN:
			if (mb_opt_duration(optarg, &opt.drain, &err) != MB_OK)
				mb_usage_error("--drain: bad duration: '%s'", optarg);
			break;
		case O_JSON: json = optarg; break;
		case O_HTML: html = optarg; break;
		case O_RECORD: opt.record = optarg; break;
		case O_METRICS: metrics = optarg; break;
		case O_SHARD:
			if (fire_shard_parse(optarg, &opt, &err) != MB_OK)
				mb_usage_error("%s", err.msg);
			break;
		case O_SHARDKEYS: opt.shard_keys = true; break;
		case O_STARTAT:
			if (mb_time_parse(optarg, &opt.start_at) != 0 || !opt.start_at)
				mb_usage_error("--start-at: want unix seconds or an RFC 3339 time: '%s'", optarg);
			break;
		case 'q': quiet = true; break;
		case O_MERGE: merge = true; break;
		case O_COMPARE: compare = true; break;
		case O_HDRLOG: hdr_log = optarg; break;
		case 'h': return mb_print_help(usage);
		case O_VERSION: mb_print_version();
		default: mb_usage_bad_option(argv);
		}
	}
	if (json && html && !strcmp(json, "-") && !strcmp(html, "-"))
		mb_usage_error("--json - and --html - both want standard output");
	if (hdr_log && !strcmp(hdr_log, "-"))
		mb_usage_error("--hdr-log wants a file (standard output has the report)");
	if ((merge || compare) && hdr_log)
		mb_usage_error("--hdr-log is written by a replay, not by --merge or --compare");
	if (merge && compare)
		mb_usage_error("--merge and --compare exclude each other");
	if (compare && json)
		mb_usage_error("--compare writes text and --html, not --json");
	if (merge || compare) {
		mb_prog_signals(); /* a reader gone (EPIPE) ends the writing quietly, not by SIGPIPE */
		return from_reports(compare, argv + optind, argc - optind, json, html);
	}
	if (!targets)
		mb_usage_error("no target: give -t host:port");
	if (argc - optind > 1)
		mb_usage_error("one input at most: '%s'", argv[optind + 1]);
	if (opt.shard_keys && !opt.shards)
		mb_usage_error("--shard-keys needs --shard");
	if (opt.poisson && opt.mode != FIRE_RATE)
		mb_usage_error("--poisson needs --rate");
	const char *input = optind < argc ? argv[optind] : "-";
	/* targets: a bad form is a usage error, a name that does not resolve a runtime one */
	char tcopy[4096];
	snprintf(tcopy, sizeof tcopy, "%s", targets);
	for (char *save = NULL, *tok = strtok_r(tcopy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (opt.ntargets == FIRE_TARGETS_MAX)
			mb_usage_error("at most %d targets", FIRE_TARGETS_MAX);
		int rc = fire_target_parse(tok, &opt.targets[opt.ntargets], &err);
		if (rc == MB_ERR)
			mb_usage_error("%s", err.msg);
		if (rc != MB_OK) {
			mb_msg_err(&err);
			return MB_EXIT_DATA;
		}
		opt.ntargets++;
	}
	if (!opt.ntargets)
		mb_usage_error("no target: give -t host:port");
	if (tmap && opt.hash_keys)
		mb_usage_error("--target-map and --hash exclude each other");
	if (tmap) {
		if (!(opt.map = calloc(FIRE_MAP_MAX, sizeof *opt.map))) {
			mb_msg("out of memory for --target-map");
			return MB_EXIT_DATA;
		}
		if (fire_target_map_load(&opt, tmap, &err) != MB_OK)
			mb_usage_error("%s", err.msg);
	}
	/* the cores this process may run on (taskset, cpusets) */
	cpu_set_t cs;
	long ncores = sched_getaffinity(0, sizeof cs, &cs) == 0 ? CPU_COUNT(&cs) : sysconf(_SC_NPROCESSORS_ONLN);
	bool threads_given = opt.threads != 0, target_local = false;
	for (unsigned t = 0; t < opt.ntargets && !target_local; t++)
		target_local = fire_target_local(&opt.targets[t]);
	if (!opt.threads) {
		/* in the timed modes half of them, since a worker polls its core near deadlines
		   and the input reader, the progress thread (and often the server) need the rest;
		   at --max too when a server runs here: it answers from the same cores (2 cores,
		   depth 1: one worker made 143,000 ops/s, two 90,000) */
		long n = opt.mode != FIRE_MAX || target_local ? ncores / 2 : ncores;
		opt.threads = n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
	}
	/* boosted pollers on every core would starve a server on the same machine */
	if (opt.mode != FIRE_MAX && !opt.no_priority && (long)opt.threads >= ncores)
		opt.boost_off = "as many workers as cores";
	/* ... and a server on this host whose answers their per-key order waits for */
	if (opt.mode != FIRE_MAX && opt.order && !opt.no_priority && !opt.boost_off && target_local)
		opt.boost_off = "a target runs on this host";
	if (threads_given && opt.mode != FIRE_MAX && opt.threads > 1 && (long)opt.threads >= ncores && !quiet)
		mb_msg("warning: -T %u in a timed mode on %ld cores: workers poll their cores near deadlines and leave none "
		       "to the input reader or a server on this host; expect late sends (default: half the cores)", opt.threads, ncores);
	opt.progress = quiet ? NULL : stderr;
	mb_prog_signals();
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

	/* --json -: the JSON is the data on standard output, the text report goes to stderr */
	FILE *text = stdout, *jf = NULL;
	bool json_out = json && !strcmp(json, "-");
	if ((json && !strcmp(json, "-")) || (html && !strcmp(html, "-"))) {
		jf = json_out ? stdout : NULL;
		text = stderr;
	}
	int fd = 0;
	const char *iname = "<stdin>";
	if (strcmp(input, "-")) {
		fd = open(input, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			mb_msg("cannot open input: %s: '%s'", strerror(errno), input);
			free(opt.map);
			return MB_EXIT_DATA;
		}
		iname = input;
	}
	struct stat si, sr; /* the record is created (truncated) before the input is read */
	if (opt.record && fstat(fd, &si) == 0 && stat(opt.record, &sr) == 0 && si.st_dev == sr.st_dev && si.st_ino == sr.st_ino)
		mb_usage_error("--record would overwrite the input: '%s'", opt.record);
	struct fire_run *run = fire_run_new(&opt, &err);
	if (!run) {
		mb_msg_err(&err);
		free(opt.map);
		return MB_EXIT_DATA;
	}
	int rc = hdr_log ? fire_run_hdr_log(run, hdr_log, &err) : MB_OK;
	if (rc == MB_OK && metrics && (rc = fire_run_metrics(run, metrics, &err)) == MB_ERR)
		mb_usage_error("%s", err.msg);
	if (rc == MB_OK)
		rc = fire_run_check_targets(run, &err);
	raise_nofile();
	if (rc == MB_OK && (opt.warm || opt.loops != 1 || opt.shard_keys) && (fd = rereadable(fd, &err)) < 0)
		rc = MB_EIO;
	if (rc == MB_OK && opt.shard_keys)
		rc = fire_run_shard_plan(run, fd, iname, &err);
	uint64_t warmed;
	if (rc == MB_OK && opt.warm && (rc = fire_run_warm(run, fd, iname, &warmed, &err)) == MB_OK && !quiet)
		mb_msg("warmed %" PRIu64 " keys", warmed);
	if (rc == MB_OK)
		rc = fire_run_replay(run, fd, iname, &err);
	if (rc == MB_OK && json && !jf && !(jf = fopen(json, "w"))) {
		mb_err_set(&err, MB_EIO, "cannot write the JSON report: %s: '%s'", strerror(errno), json);
		rc = MB_EIO;
		fire_report(run, text, NULL, NULL, &err); /* the replay happened: its report still goes out */
	} else if (rc == MB_OK) {
		rc = fire_report(run, text, jf, json, &err);
	}
	if (jf && jf != stdout && fclose(jf) != 0 && rc == MB_OK)
		rc = mb_err_set(&err, MB_EIO, "cannot write the JSON report: %s: '%s'", strerror(errno), json);
	if (rc == MB_OK && html)
		rc = write_html(run, NULL, NULL, html, &err);
	if (rc == MB_OK && hdr_log)
		rc = fire_run_hdr_log_status(run, &err);
	struct mb_err in_err;
	int in_rc = rc == MB_OK ? fire_run_input_error(run, &in_err) : MB_OK;
	uint64_t lost = rc == MB_OK ? fire_run_lost(run) : 0, recorded;
	struct mb_err rec_err;
	bool rec_failed = fire_run_record_end(run, &recorded, &rec_err) != MB_OK; /* every event recorded, or exit 1 */
	if (rec_failed)
		mb_msg_err(&rec_err);
	else if (opt.record && !quiet)
		mb_msg("recorded %" PRIu64 " events: '%s'", recorded, opt.record);
	fire_run_free(run);
	free(opt.map);
	if (rc != MB_OK || in_rc != MB_OK) { /* an input error after its report: the error is the one line */
		mb_msg_err(rc != MB_OK ? &err : &in_err);
		return MB_EXIT_DATA;
	}
	if (lost)
		mb_msg("%" PRIu64 " requests were not sent or not answered (see the report)", lost);
	return lost || rec_failed ? MB_EXIT_DATA : MB_EXIT_OK;
}
