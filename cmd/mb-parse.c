/* mb-parse - decode memcached traffic (text, meta, binary; TCP and UDP) from packets into one event per key operation. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mbtime.h"
#include "mcpair.h"
#include "metrics.h"
#include "net.h"
#include "opt.h"
#include "pcapfile.h"
#include "prog.h"
#include "stream.h"
#include "tcpreasm.h"

static const char usage[] =
	"usage: mb-parse [options] [FILE | -r FILE]   packets (mb-capture stream, pcap or pcapng) -> events\n"
	"\n"
	"  -r, --read FILE       the input, as with mb-capture and tcpdump (same as FILE)\n"
	"  -P, --ports PORTS     memcached server ports, e.g. 11211,31411-31431 (default: the\n"
	"                        packet stream's `ports`, else 11211)\n"
	"  -M, --max-mem MIB     hard cap on flow-table memory in MiB (default 256)\n"
	"      --idle DURATION   close flows idle this long in capture time (default 300s)\n"
	"      --pending N       pending requests per connection before the oldest is dropped (default 4096)\n"
	"      --metrics HOST:PORT  serve the counters over HTTP while running (GET /metrics,\n"
	"                        Prometheus text format)\n"
	"  -q, --quiet           no summary line on stderr\n"
	"  -h, --help            this help\n"
	"      --version         print the version\n"
	"\n"
	"FILE '-' or none reads standard input. Output: an events-raw stream on stdout.\n"
	"Exit: 0 ok, 1 bad input or no flow on the server ports, 2 usage. Manual: mb-parse(1).\n";

#define BUSIEST_PORTS 3 /* other ports named when no flow used a server port */
#define RESET_LINGER_NS (1 * MB_NS_PER_SEC)

/* Everything one run holds. */
struct run {
	struct mb_writer w;
	struct mc_ctx ctx;
	struct mb_flowtab tab;
	struct mb_err werr;
	int wrc;                  /* first output failure */
	const char *ports_s;      /* the server ports in use (text) */
	bool ports_given;         /* -p given: a packet stream's `ports` does not replace it */
	uint64_t packets, payload_bytes, upstream_summaries;
	uint32_t servers_out;     /* servers announced by a SERVER frame so far */
	uint64_t net[MB_NET_LINKTYPE + 1];
	struct mb_metrics *metrics; /* --metrics, or NULL */
	uint64_t next_publish;      /* CLOCK_MONOTONIC of the next publication */
};

static void fill_summary(struct run *r, struct mb_summary *s);

/* --metrics: hand the counters to the responder, at most once a second unless `now`. */
static void publish(struct run *r, bool now)
{
	uint64_t t = mb_mono_ns();
	if (!now && t < r->next_publish)
		return;
	struct mb_summary s;
	fill_summary(r, &s);
	mb_metrics_publish(r->metrics, &s);
	r->next_publish = t + MB_NS_PER_SEC;
}

/* Event callback: one frame per key operation. */
static void emit(void *arg, const struct mb_event *ev)
{
	struct run *r = arg;
	/* a server's SERVER frame goes before its first event (stream.md) */
	while (r->wrc == MB_OK && r->servers_out <= ev->sem.server && r->servers_out < r->tab.nservers) {
		const struct mb_flow_server *fs = &r->tab.servers[r->servers_out];
		struct mb_server s = { .number = (uint16_t)r->servers_out, .port = fs->port, .family = fs->family };
		memcpy(s.addr, fs->addr, 16);
		uint8_t p[MB_SERVER_LEN];
		mb_server_encode(p, &s);
		r->wrc = mb_writer_frame(&r->w, MB_FRAME_SERVER, 0, p, MB_SERVER_LEN, &r->werr);
		r->servers_out++;
	}
	if (r->wrc != MB_OK)
		return;
	r->wrc = mb_writer_event(&r->w, ev, &r->werr);
}

/* One captured packet. */
static void packet(struct run *r, const struct mb_packet *pkt)
{
	struct mb_l4 l4;
	r->packets++;
	if (r->metrics)
		publish(r, false);
	enum mb_net_rc nrc = mb_net_decode(pkt->linktype, pkt->data, pkt->caplen, &l4);
	r->net[nrc]++;
	if (nrc != MB_NET_OK)
		return;
	r->payload_bytes += l4.len;
	mb_flowtab_packet(&r->tab, &l4, pkt->ts_ns, pkt->elided);
}

/* Add the run's counters to the summary. */
static void fill_summary(struct run *r, struct mb_summary *s)
{
	const struct mc_counters *c = &r->ctx.cnt;
	const struct mb_flow_counters *f = &r->tab.cnt;
	mb_summary_init(s, "mb-parse");
	mb_summary_add(s, "packets", r->packets);
	mb_summary_add(s, "payload_bytes", r->payload_bytes);
	mb_summary_add(s, "flows", f->flows);
	mb_summary_add(s, "flows.tcp", f->tcp_flows);
	mb_summary_add(s, "flows.udp", f->udp_flows);
	mb_summary_add(s, "servers", f->servers);
	if (f->servers_over)
		mb_summary_add(s, "servers_over", f->servers_over);
	mb_summary_add(s, "events", c->events);
	for (unsigned p = 1; p < MB_PROTO_COUNT; p++) {
		char name[MB_SUMMARY_NAME_MAX + 1];
		snprintf(name, sizeof name, "events.%s", mb_proto_name(p));
		mb_summary_add(s, name, c->ev_proto[p]);
	}
	for (unsigned i = 0; i < MB_CMD_COUNT; i++) {
		if (!c->ev_cmd[i])
			continue;
		char name[MB_SUMMARY_NAME_MAX + 1];
		snprintf(name, sizeof name, "cmd.%s", mb_cmd_name(i));
		mb_summary_add(s, name, c->ev_cmd[i]);
	}
	for (unsigned i = 0; i < MB_ST_COUNT; i++) {
		if (!c->ev_status[i])
			continue;
		char name[MB_SUMMARY_NAME_MAX + 1];
		snprintf(name, sizeof name, "status.%s", mb_status_name(i));
		mb_summary_add(s, name, c->ev_status[i]);
	}
	mb_summary_add(s, "batches", c->batches);
	mb_summary_add(s, "inferred", c->inferred);
	mb_summary_add(s, "ambiguous", c->ambiguous);
	mb_summary_add(s, "desyncs", c->desyncs);
	mb_summary_add(s, "resyncs", c->resyncs);
	mb_summary_add(s, "evictions", f->evictions);
	mb_summary_add(s, "idle_closed", f->idle_closed);
	mb_summary_add(s, "unparsed_bytes", c->unparsed_bytes);
	mb_summary_add(s, "errors", c->unknown_cmds + c->malformed + c->invalid);
	mb_summary_add(s, "unknown_cmds", c->unknown_cmds);
	mb_summary_add(s, "malformed", c->malformed);
	mb_summary_add(s, "invalid", c->invalid);
	mb_summary_add(s, "unmatched_responses", c->unmatched_resp);
	mb_summary_add(s, "dropped_untrusted", c->dropped_untrusted);
	mb_summary_add(s, "keys_over_cap", c->keys_over_cap);
	mb_summary_add(s, "pending_overflow", c->pending_overflow);
	mb_summary_add(s, "elided_bytes", c->elided_bytes);
	mb_summary_add(s, "elided_overrun", c->elided_overrun);
	mb_summary_add(s, "lost_body_bytes", c->lost_body_bytes);
	mb_summary_add(s, "udp_dropped", c->udp_dropped);
	mb_summary_add(s, "segments", f->segments);
	mb_summary_add(s, "retransmissions", f->retrans);
	mb_summary_add(s, "overlaps", f->overlaps);
	mb_summary_add(s, "out_of_order", f->ooo);
	mb_summary_add(s, "holes", f->holes);
	mb_summary_add(s, "hole_bytes", f->hole_bytes);
	mb_summary_add(s, "truncated_bytes", f->truncated_bytes);
	mb_summary_add(s, "closed", f->closed);
	mb_summary_add(s, "segments_after_reset", f->after_reset);
	mb_summary_add(s, "not_memcached", f->not_memcached);
	for (unsigned i = 1; i <= MB_NET_LINKTYPE; i++)
		if (r->net[i])
			mb_summary_add(s, mb_net_rc_name((enum mb_net_rc)i), r->net[i]);
	if (r->upstream_summaries)
		mb_summary_add(s, "upstream_summaries", r->upstream_summaries);
}

/* Header of the output: upstream metadata (packet streams) plus ours. */
static int write_header(struct run *r, const struct mb_stream_info *up, const char *source, uint32_t linktype,
			struct mb_err *err)
{
	struct mb_stream_info *info = malloc(sizeof *info);
	if (!info)
		return mb_err_set(err, MB_EIO, "out of memory");
	if (up) {
		*info = *up;
		info->kind = MB_KIND_EVENTS_RAW;
	} else {
		mb_info_init(info, MB_KIND_EVENTS_RAW);
		char num[16];
		snprintf(num, sizeof num, "%u", linktype);
		mb_info_set_source(info, source);
		mb_info_set(info, "linktype", num);
	}
	int rc = mb_info_add_program(info, "mb-parse");
	if (rc == MB_OK)
		rc = mb_info_set(info, "ports", r->ports_s);
	if (rc == MB_OK) /* events carry their connection's server number (stream.md, extension) */
		rc = mb_info_set(info, "servers", "numbered");
	if (rc != MB_OK)
		rc = mb_err_set(err, MB_ERR, "stream header metadata too long: '%s'", source);
	else
		rc = mb_writer_header(&r->w, info, err);
	free(info);
	return rc;
}

/* Read a pcap/pcapng capture. */
static int read_pcap(struct run *r, struct mb_reader *rd, const char *name, struct mb_err *err)
{
	struct mb_pcapfile *pf;
	int rc = mb_pcapfile_open(&pf, rd, err);
	if (rc != MB_OK)
		return rc == MB_END ? MB_OK : rc; /* MB_END: stopped before the file header */
	rc = write_header(r, NULL, name, mb_pcapfile_linktype(pf), err);
	struct mb_packet pkt;
	while (rc == MB_OK && r->wrc == MB_OK && !mb_stop_requested && (rc = mb_pcapfile_next(pf, &pkt, err)) == MB_OK)
		packet(r, &pkt);
	mb_pcapfile_close(pf);
	return rc == MB_END ? MB_OK : rc;
}

/* Without -p, the server ports mb-capture recorded in the stream header (`ports`) are the ones. */
static int stream_ports(struct run *r, const struct mb_reader *rd, struct mb_err *err)
{
	const char *up = mb_info_get(&rd->info, "ports");
	if (r->ports_given || !up)
		return MB_OK;
	struct mb_portset ps;
	struct mb_err why;
	memset(&ps, 0, sizeof ps);
	if (mb_opt_ports(up, &ps, &why) != MB_OK)
		return mb_err_set(err, MB_ERR, "bad `ports` in the stream header (%s): '%s' at byte 0", why.msg, rd->name);
	r->tab.ports = ps;
	r->ports_s = up;
	return MB_OK;
}

/* Read a packet stream. */
static int read_stream(struct run *r, struct mb_reader *rd, struct mb_err *err)
{
	int rc = mb_reader_begin(rd, 1u << MB_KIND_PACKETS, err);
	if (rc == MB_OK)
		rc = stream_ports(r, rd, err);
	if (rc != MB_OK)
		return rc == MB_END ? MB_OK : rc; /* MB_END: stopped before the stream header */
	rc = write_header(r, &rd->info, rd->name, 0, err);
	struct mb_frame f;
	while (rc == MB_OK && r->wrc == MB_OK && !mb_stop_requested && (rc = mb_reader_next(rd, &f, err)) == MB_OK) {
		if (f.type == MB_FRAME_PACKET) {
			struct mb_packet pkt;
			rc = mb_packet_decode(f.payload, f.len, &pkt, err);
			if (rc != MB_OK) {
				rc = mb_err_at(err, rd->name, f.offset);
				break;
			}
			packet(r, &pkt);
		} else {
			/* upstream summaries (and frames we do not know) travel on unchanged */
			if (f.type == MB_FRAME_SUMMARY)
				r->upstream_summaries++;
			r->wrc = mb_writer_frame(&r->w, f.type, f.flags, f.payload, f.len, &r->werr);
		}
	}
	return rc == MB_END ? MB_OK : rc;
}

/*
 * Packets came but no TCP/UDP packet to or from a server port: the ports are wrong
 * (or the capture holds no memcached traffic). MB_ERR naming the busiest other ports.
 */
static int no_flow_error(struct run *r, const char *name, struct mb_err *err)
{
	uint16_t port[BUSIEST_PORTS];
	uint64_t pk[BUSIEST_PORTS];
	unsigned n = mb_flowtab_busiest_ports(&r->tab, port, pk, BUSIEST_PORTS);
	if (!r->tab.cnt.not_memcached)
		return mb_err_set(err, MB_ERR, "no TCP or UDP packet among %llu packets, so no flow on server ports %s: '%s'",
				  (unsigned long long)r->packets, r->ports_s, name);
	char busy[BUSIEST_PORTS * 48 + 32] = ""; /* each port at most 50 bytes, then " (try -P PORT)" */
	size_t len = 0;
	for (unsigned i = 0; i < n; i++)
		len += (size_t)snprintf(busy + len, sizeof busy - len, "%s%u (%llu packets)", i ? ", " : ", the busiest ",
					port[i], (unsigned long long)pk[i]);
	if (n)
		snprintf(busy + len, sizeof busy - len, " (try -P %u)", port[0]);
	return mb_err_set(err, MB_ERR, "no flow on server ports %s: %llu TCP/UDP packets use other ports%s: '%s'",
			  r->ports_s, (unsigned long long)r->tab.cnt.not_memcached, busy, name);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ports", required_argument, NULL, 'P' }, { "max-mem", required_argument, NULL, 'M' },
		{ "idle", required_argument, NULL, 'I' },  { "pending", required_argument, NULL, 'N' },
		{ "read", required_argument, NULL, 'r' },  { "metrics", required_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },       { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },     { NULL, 0, NULL, 0 },
	};
	mb_prog_init();
	struct mb_err err = { "" };
	struct mb_portset ports;
	memset(&ports, 0, sizeof ports);
	mb_port_add(&ports, 11211);
	const char *ports_s = "11211";
	bool ports_given = false;
	struct mb_flow_limits lim = { .mem_cap = 256ull << 20, .idle_ns = 300 * MB_NS_PER_SEC,
				      .reset_linger_ns = RESET_LINGER_NS, .ooo_segs = 64, .ooo_bytes = 1u << 20 };
	uint64_t pending = MC_PENDING_DEFAULT, v;
	bool quiet = false;
	int c;
	opterr = 0;
	const char *input = NULL, *metrics = NULL;
	while ((c = getopt_long(argc, argv, "P:M:r:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			input = optarg;
			break;
		case 'P':
			memset(&ports, 0, sizeof ports);
			if (mb_opt_ports(optarg, &ports, &err) != MB_OK)
				mb_usage_error("%s", err.msg);
			ports_s = optarg;
			ports_given = true;
			break;
		case 'M':
			if (mb_opt_u64(optarg, 1, 1u << 20, false, &v, &err) != MB_OK)
				mb_usage_error("bad --max-mem (MiB, 1..1048576): '%s'", optarg);
			lim.mem_cap = v << 20;
			break;
		case 'I':
			if (mb_opt_duration(optarg, &v, &err) != MB_OK || v == 0)
				mb_usage_error("bad --idle duration: '%s'", optarg);
			lim.idle_ns = v;
			break;
		case 'N':
			if (mb_opt_u64(optarg, 8, 1u << 20, false, &pending, &err) != MB_OK)
				mb_usage_error("bad --pending (8..1048576): '%s'", optarg);
			break;
		case 'm': metrics = optarg; break;
		case 'q': quiet = true; break;
		case 'h': return mb_print_help(usage);
		case 'V': mb_print_version();
		default: mb_usage_bad_option(argv);
		}
	}
	if (argc - optind > (input ? 0 : 1))
		mb_usage_error("one input at most: '%s'", argv[input ? optind : optind + 1]);
	if (!input && optind < argc)
		input = argv[optind];
	const char *name = input && strcmp(input, "-") ? input : "<stdin>";
	int fd = 0;
	if (input && strcmp(input, "-")) {
		fd = open(input, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			mb_msg("cannot open input: %s: '%s'", strerror(errno), input);
			return MB_EXIT_DATA;
		}
	}
	mb_prog_signals();
	if (!mb_binary_output_ok(1))
		return MB_EXIT_DATA;

	struct mb_metrics *mx = NULL;
	int mrc = metrics ? mb_metrics_start_summary(&mx, metrics, "mb-parse's summary counter", &err) : MB_OK;
	if (mrc == MB_ERR)
		mb_usage_error("%s", err.msg);
	if (mrc != MB_OK) {
		mb_msg_err(&err);
		return MB_EXIT_DATA;
	}
	struct run *r = calloc(1, sizeof *r);
	if (!r) {
		mb_msg("out of memory");
		mb_metrics_stop(mx);
		return MB_EXIT_DATA;
	}
	r->metrics = mx;
	r->ports_s = ports_s;
	r->ports_given = ports_given;
	mc_ctx_init(&r->ctx, emit, r);
	r->ctx.pending_cap = (uint32_t)pending;
	if (mb_writer_init(&r->w, 1, &err) != MB_OK || mb_flowtab_init(&r->tab, &ports, &lim, &r->ctx) != 0) {
		mb_msg("out of memory");
		return MB_EXIT_DATA;
	}
	if (r->metrics)
		publish(r, true);
	struct mb_reader rd;
	int rc = mb_reader_attach(&rd, fd, name, &err);
	rd.stop = &mb_stop_requested;
	if (rc == MB_OK) {
		switch (rd.input) {
		case MB_INPUT_PCAP:
		case MB_INPUT_PCAPNG:
			rc = read_pcap(r, &rd, name, &err);
			break;
		case MB_INPUT_STREAM:
			rc = read_stream(r, &rd, &err);
			break;
		case MB_INPUT_EMPTY:
			rc = mb_err_set(&err, MB_ERR, "empty input: '%s' at byte 0", name);
			break;
		default:
			rc = mb_err_set(&err, MB_ERR, "input is %s, not packets (a packet stream, pcap or pcapng): '%s' at byte 0",
					mb_input_describe(rd.input), name);
			break;
		}
	}
	bool header_written = r->w.kind != 0;
	struct mb_err nf_err;
	bool no_flow = rc == MB_OK && r->packets && r->net[MB_NET_OK] == r->tab.cnt.not_memcached;
	if (no_flow)
		no_flow_error(r, name, &nf_err);
	mb_flowtab_finish(&r->tab);
	struct mb_summary *sum = malloc(sizeof *sum);
	if (r->metrics)
		publish(r, true); /* the final counts, for a scrape before the exit */
	if (sum && header_written) {
		fill_summary(r, sum);
		if (r->wrc == MB_OK)
			r->wrc = mb_writer_summary(&r->w, sum, &r->werr);
	}
	int crc = mb_writer_close(&r->w, &r->werr);
	if (r->wrc == MB_OK)
		r->wrc = crc;
	if (no_flow && r->wrc == MB_OK) { /* the output is complete; a closed one ends quietly */
		rc = MB_ERR;
		err = nf_err;
	}
	if (rc != MB_OK)
		mb_msg_err(&err);
	else if (r->wrc != MB_OK && r->wrc != MB_EPIPE)
		mb_msg_err(&r->werr);
	if (!quiet && header_written && rc == MB_OK && r->wrc == MB_OK) {
		const struct mc_counters *k = &r->ctx.cnt;
		mb_msg("%llu packets, %llu flows, %llu events (text %llu, meta %llu, binary %llu), %llu desyncs, "
		       "%llu evictions, %llu unparsed bytes, %llu errors",
		       (unsigned long long)r->packets, (unsigned long long)r->tab.cnt.flows,
		       (unsigned long long)k->events, (unsigned long long)k->ev_proto[MB_PROTO_TEXT],
		       (unsigned long long)k->ev_proto[MB_PROTO_META], (unsigned long long)k->ev_proto[MB_PROTO_BINARY],
		       (unsigned long long)k->desyncs, (unsigned long long)r->tab.cnt.evictions,
		       (unsigned long long)k->unparsed_bytes,
		       (unsigned long long)(k->unknown_cmds + k->malformed + k->invalid));
	}
	int code = rc != MB_OK ? mb_exit_code(rc) : mb_exit_code(r->wrc);
	mb_metrics_stop(r->metrics);
	free(sum);
	mb_reader_close(&rd);
	free(r);
	if (fd > 0)
		close(fd);
	return code;
}
