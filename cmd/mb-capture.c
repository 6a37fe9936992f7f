/* mb-capture - capture memcached packets live (libpcap) or from a pcap/pcapng file into a packet stream. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ebpf.h"
#include "metrics.h"
#include "opt.h"
#include "pcapfile.h"
#include "prog.h"
#include "stream.h"

static const char usage[] =
	"usage: mb-capture [options] [-i IFACE] [EXPRESSION]   capture live (libpcap; default: the first interface)\n"
	"       mb-capture [options] -r FILE [EXPRESSION]      read a pcap or pcapng file ('-' = stdin)\n"
	"       mb-capture -D                                  list the interfaces\n"
	"\n"
	"As in tcpdump:\n"
	"  -i, --interface IFACE        capture live on IFACE (default: the first interface -D lists)\n"
	"  -r, --read FILE              read a pcap or pcapng file instead\n"
	"  -w, --write FILE             also write the packets to a pcap file (nanosecond timestamps)\n"
	"  -c, --count N                stop after N packets\n"
	"  -s, --snapshot-length BYTES  bytes kept per packet, 64..262144, 0 = 262144 (default 262144)\n"
	"  -B, --buffer-size KIB        kernel capture buffer in KiB, live (default 32768)\n"
	"  -p, --no-promiscuous-mode    do not put the interface into promiscuous mode (live)\n"
	"  -n                           accepted and ignored: mb-capture never resolves names\n"
	"  -D, --list-interfaces        list the interfaces that can capture, then exit\n"
	"  EXPRESSION                   a pcap-filter(7) expression instead of the port filter;\n"
	"                               '' passes every packet\n"
	"membench's own:\n"
	"  -P, --ports LIST             memcached ports, TCP and UDP, e.g. 11211,31411-31431 (default 11211)\n"
	"      --duration TIME          stop after TIME (10s, 2m, 500ms); with -r: a span of packet times\n"
	"      --flush TIME             live: hand buffered packets on at least this often (default 100ms)\n"
	"      --progress               a status line on stderr, once per second\n"
	"      --metrics HOST:PORT      serve the counters over HTTP while capturing (GET /metrics,\n"
	"                               Prometheus text format; libpcap backend)\n"
	"      --ebpf[=auto]            live: capture with the kernel-side eBPF backend (value bodies\n"
	"                               elided); =auto falls back to libpcap when eBPF is unavailable\n"
	"  -h, --help                   this help\n"
	"      --version                print the version\n"
	"\n"
	"stdout carries the packet stream (kind packets); pipe it into mb-parse.\n"
	"Exit: 0 ok, 1 capture or input error, 2 usage. Manual: mb-capture(1).\n";

/* Link types whose frames common/net.c decodes (pcap LINKTYPE_* values). */
static bool linktype_supported(uint32_t lt)
{
	switch (lt) {
	case 0:   /* NULL (BSD loopback) */
	case 1:   /* EN10MB */
	case 101: /* RAW */
	case 108: /* LOOP */
	case 113: /* LINUX_SLL */
	case 228: /* IPV4 */
	case 229: /* IPV6 */
	case 276: /* LINUX_SLL2 */
		return true;
	default:
		return false;
	}
}

/* LINKTYPE_* -> this platform's DLT_* (they differ only for RAW). */
static int linktype_to_dlt(uint32_t lt) { return lt == 101 ? DLT_RAW : (int)lt; }
/* DLT_* -> LINKTYPE_*. */
static uint32_t dlt_to_linktype(int dlt) { return dlt == DLT_RAW || dlt == 12 || dlt == 14 ? 101 : (uint32_t)dlt; }

static const char *linktype_name(uint32_t lt)
{
	const char *n = pcap_datalink_val_to_name(linktype_to_dlt(lt));
	return n ? n : "unknown";
}

enum ebpf_mode { EBPF_OFF, EBPF_ON, EBPF_AUTO };

struct opts {
	const char *iface, *file, *filter, *wfile;
	const char *ports_arg;
	const char *metrics;          /* --metrics HOST:PORT, or NULL */
	struct mb_portset ports;
	char *filter_buf;             /* the trailing words joined, as tcpdump joins them */
	char *iface_buf;              /* the default interface's name, when no -i was given */
	bool have_filter, no_promisc, progress;
	enum ebpf_mode ebpf;
	uint64_t count, duration_ns, flush_ns;
	uint32_t snaplen, buffer_kib;
};

/* A compiled filter per link type (offline pcapng may mix link types). */
#define FILTER_SLOTS 8
struct filter_slot {
	uint32_t linktype;
	bool big_endian;
	struct bpf_program prog;
};

struct cap {
	const struct opts *o;
	struct mb_writer w;
	struct mb_stream_info info;
	struct mb_summary sum;
	bool header_done;
	uint32_t linktype, snaplen;
	const char *source, *capture;
	char *expr_plain, *expr_vlan; /* port filters without / with 802.1Q */
	struct filter_slot filters[FILTER_SLOTS];
	unsigned nfilters;
	pcap_t *live;
	bool draining;                /* live: after the loop, a stop request no longer cuts a read short */
	pcap_t *dead;                 /* offline -w: the handle the dumper belongs to */
	pcap_dumper_t *dump;
	uint32_t dump_linktype;
	uint64_t packets, bytes, wire_bytes, records;
	uint64_t t0_ns, next_progress_ns, last_progress_ns, last_progress_packets;
	struct mb_metrics *metrics;   /* --metrics, or NULL */
	uint64_t next_metrics_ns;
	int rc;                       /* first failure inside the packet loop */
	struct mb_err err;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- filters ---- */

/* Append printf output to a growing string; false when out of memory. */
static bool append(char **s, size_t *len, size_t *cap, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static bool append(char **s, size_t *len, size_t *cap, const char *fmt, ...)
{
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(*s ? *s + *len : NULL, *s ? *cap - *len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return false;
		if (*s && *len + (size_t)n < *cap) {
			*len += (size_t)n;
			return true;
		}
		size_t ncap = (*cap ? *cap * 2 : 256) + (size_t)n;
		char *ns = realloc(*s, ncap);
		if (!ns)
			return false;
		if (!*s)
			ns[0] = 0;
		*s = ns;
		*cap = ncap;
	}
}

/* The port filter "(tcp or udp) and (port A or portrange B-C ...)", optionally also behind an 802.1Q tag. */
static char *ports_expr(const struct mb_portset *ps, bool vlan)
{
	char *ports = NULL, *out = NULL;
	size_t len = 0, cap = 0, olen = 0, ocap = 0;
	bool ok = true;
	for (unsigned p = 0; p < 65536 && ok;) {
		if (!mb_port_in(ps, (uint16_t)p)) {
			p++;
			continue;
		}
		unsigned q = p;
		while (q + 1 < 65536 && mb_port_in(ps, (uint16_t)(q + 1)))
			q++;
		const char *sep = len ? " or " : "";
		ok = q == p ? append(&ports, &len, &cap, "%sport %u", sep, p)
			    : append(&ports, &len, &cap, "%sportrange %u-%u", sep, p, q);
		p = q + 1;
	}
	if (ok)
		/* One or two VLAN tags (802.1Q, QinQ): each "vlan" shifts the offsets of what follows it,
		   so the tagged cases nest inside the first "vlan" rather than sit beside it. */
		ok = vlan ? append(&out, &olen, &ocap,
				   "((tcp or udp) and (%s)) or (vlan and (((tcp or udp) and (%s)) or (vlan and (tcp or udp) and (%s))))",
				   ports, ports, ports)
			  : append(&out, &olen, &ocap, "(tcp or udp) and (%s)", ports);
	free(ports);
	if (!ok) {
		free(out);
		return NULL;
	}
	return out;
}

/* The expression used for a link type: the one given, or the port filter. */
static const char *filter_expr(const struct cap *c, uint32_t lt)
{
	if (c->o->have_filter)
		return c->o->filter;
	return lt == 1 ? c->expr_vlan : c->expr_plain;
}

/*
 * A libpcap handle that believes it reads a file of link type lt written in the
 * given byte order: filters compiled on it match what tcpdump -r would (e.g. the
 * BSD AF_INET6 values of LINKTYPE_NULL, not this host's). NULL when out of memory.
 */
static pcap_t *file_handle(uint32_t lt, bool big_endian)
{
	uint8_t hdr[24];
	uint32_t v[] = { 0xa1b23c4d, 0x00040002, 0, 0, MB_PACKET_MAX, lt };
	for (unsigned i = 0; i < 6; i++)
		for (unsigned k = 0; k < 4; k++) {
			unsigned shift = big_endian ? 24 - 8 * k : 8 * k;
			hdr[4 * i + k] = (uint8_t)(v[i] >> shift);
		}
	if (big_endian) { /* version: two 16-bit fields */
		hdr[4] = 0, hdr[5] = 2, hdr[6] = 0, hdr[7] = 4;
	}
	FILE *f = fmemopen(NULL, sizeof hdr + 1, "w+"); /* +1: room for the NUL glibc appends */
	if (!f)
		return NULL;
	if (fwrite(hdr, 1, sizeof hdr, f) != sizeof hdr || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!p)
		fclose(f);
	return p;
}

/* Compiled filter for an offline link type and byte order, or NULL when everything passes. */
static int offline_filter(struct cap *c, uint32_t lt, bool big_endian, const struct bpf_program **out)
{
	*out = NULL;
	const char *expr = filter_expr(c, lt);
	if (!*expr)
		return MB_OK;
	for (unsigned i = 0; i < c->nfilters; i++)
		if (c->filters[i].linktype == lt && c->filters[i].big_endian == big_endian) {
			*out = &c->filters[i].prog;
			return MB_OK;
		}
	if (c->nfilters == FILTER_SLOTS)
		return mb_err_set(&c->err, MB_ERR, "more than %u link types in one capture: '%s'", FILTER_SLOTS, c->source);
	pcap_t *fh = file_handle(lt, big_endian);
	if (!fh)
		return mb_err_set(&c->err, MB_EIO, "out of memory compiling the filter");
	struct filter_slot *s = &c->filters[c->nfilters];
	int rc = MB_OK;
	if (pcap_compile(fh, &s->prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0)
		rc = mb_err_set(&c->err, MB_ERR, "bad filter expression for link type %s: %s: '%s'", linktype_name(lt),
				pcap_geterr(fh), expr);
	pcap_close(fh);
	if (rc != MB_OK)
		return rc;
	s->linktype = lt;
	s->big_endian = big_endian;
	c->nfilters++;
	*out = &s->prog;
	return MB_OK;
}

/* ---- output ---- */

/* The packet stream's header metadata into c->info: c's link type, snaplen, source and
   capture, then the filter expression and the server ports when given (NULL: none), and the
   backend. Non-zero when a value does not fit. */
static int fill_info(struct cap *c, const char *filter, const char *ports, const char *backend)
{
	char num[32];
	mb_info_init(&c->info, MB_KIND_PACKETS);
	int rc = mb_info_add_program(&c->info, "mb-capture");
	snprintf(num, sizeof num, "%" PRIu32, c->linktype);
	rc |= mb_info_set(&c->info, "linktype", num);
	rc |= mb_info_set(&c->info, "linktype_name", linktype_name(c->linktype));
	snprintf(num, sizeof num, "%" PRIu32, c->snaplen);
	rc |= mb_info_set(&c->info, "snaplen", num);
	rc |= mb_info_set_source(&c->info, c->source);
	rc |= mb_info_set(&c->info, "capture", c->capture);
	if (filter)
		rc |= mb_info_set(&c->info, "filter", filter);
	if (ports)
		rc |= mb_info_set(&c->info, "ports", ports);
	rc |= mb_info_set(&c->info, "backend", backend);
	return rc;
}

static int write_header(struct cap *c)
{
	/* mb-parse's server ports; unknown under a filter expression */
	int rc = fill_info(c, filter_expr(c, c->linktype), c->o->have_filter ? NULL : c->o->ports_arg, "libpcap");
	if (rc != MB_OK)
		return mb_err_set(&c->err, MB_ERR, "stream header metadata too long (filter expression?): '%s'", c->source);
	c->header_done = true;
	return mb_writer_header(&c->w, &c->info, &c->err);
}

static void progress(struct cap *c, bool final)
{
	uint64_t t = now_ns();
	if (!final && t < c->next_progress_ns)
		return;
	c->next_progress_ns = t + 1000000000u;
	uint64_t drops = 0;
	struct pcap_stat st;
	if (c->live && pcap_stats(c->live, &st) == 0)
		drops = st.ps_drop;
	double span = (double)(t - c->last_progress_ns) / 1e9;
	double rate = span > 0 ? (double)(c->packets - c->last_progress_packets) / span : 0;
	bool tty = isatty(2);
	fprintf(stderr, "%s%s: %.1f s, %" PRIu64 " packets (%.0f pkt/s), %.1f MB, %" PRIu64 " kernel drops%s",
		tty ? "\r" : "", mb_prog_name(), (double)(t - c->t0_ns) / 1e9, c->packets, rate, (double)c->bytes / 1e6,
		drops, tty ? (final ? "\033[K\n" : "\033[K") : "\n");
	c->last_progress_packets = c->packets;
	c->last_progress_ns = t;
}

/* One packet that passed the filter: stream frame and pcap record. */
static int emit(struct cap *c, struct mb_packet *pkt)
{
	if (!c->header_done) {
		int rc = write_header(c);
		if (rc != MB_OK)
			return rc;
	}
	if (pkt->caplen > c->o->snaplen)
		pkt->caplen = c->o->snaplen;
	int rc = mb_writer_packet(&c->w, pkt, &c->err);
	if (rc != MB_OK)
		return rc;
	if (c->dump) {
		if (pkt->linktype != c->dump_linktype)
			return mb_err_set(&c->err, MB_ERR, "cannot write link type %s into the pcap file of link type %s: '%s'",
					  linktype_name(pkt->linktype), linktype_name(c->dump_linktype), c->o->wfile);
		struct pcap_pkthdr h;
		h.ts.tv_sec = (time_t)(pkt->ts_ns / 1000000000u);
		h.ts.tv_usec = (suseconds_t)(pkt->ts_ns % 1000000000u); /* nanoseconds: the dumper's precision */
		h.caplen = pkt->caplen;
		h.len = pkt->wirelen;
		pcap_dump((u_char *)c->dump, &h, pkt->data);
		if (ferror(pcap_dump_file(c->dump)))
			return mb_err_set(&c->err, MB_EIO, "write error: %s: '%s'", strerror(errno), c->o->wfile);
	}
	c->packets++;
	c->bytes += pkt->caplen;
	c->wire_bytes += pkt->wirelen;
	return MB_OK;
}

static int open_dump(struct cap *c, pcap_t *p)
{
	c->dump = pcap_dump_open(p, c->o->wfile);
	if (!c->dump)
		return mb_err_set(&c->err, MB_ERR, "cannot write the pcap file: %s: '%s'", pcap_geterr(p), c->o->wfile);
	return MB_OK;
}

/* The standard counters of a capture so far (the summary frame's, and --metrics'). */
static void fill_counters(const struct cap *c, struct mb_summary *s, uint64_t kernel_drops, uint64_t if_drops, uint64_t received)
{
	mb_summary_init(s, "mb-capture");
	mb_summary_add(s, "packets", c->packets);
	mb_summary_add(s, "bytes", c->bytes);
	mb_summary_add(s, "wire_bytes", c->wire_bytes);
	mb_summary_add(s, "kernel_drops", kernel_drops);
	mb_summary_add(s, "if_drops", if_drops);
	mb_summary_add(s, c->live ? "received" : "records", c->live ? received : c->records);
}

/* --metrics: publish the counters, at most once a second unless `now`. */
static void metrics_tick(struct cap *c, bool now)
{
	if (!c->metrics)
		return;
	uint64_t t = now_ns();
	if (!now && t < c->next_metrics_ns)
		return;
	c->next_metrics_ns = t + 1000000000u;
	struct pcap_stat st;
	memset(&st, 0, sizeof st);
	if (c->live)
		pcap_stats(c->live, &st);
	struct mb_summary s;
	fill_counters(c, &s, st.ps_drop, st.ps_ifdrop, st.ps_recv);
	mb_metrics_publish(c->metrics, &s);
}

/* Finish: header (if no packet came), summary frame, flush, stderr line. */
static int finish(struct cap *c, uint64_t kernel_drops, uint64_t if_drops, uint64_t received)
{
	int rc = c->header_done ? MB_OK : write_header(c);
	if (c->dump) {
		FILE *f = pcap_dump_file(c->dump);
		if ((pcap_dump_flush(c->dump) != 0 || ferror(f)) && rc == MB_OK)
			rc = mb_err_set(&c->err, MB_EIO, "write error: %s: '%s'", strerror(errno), c->o->wfile);
		pcap_dump_close(c->dump);
		c->dump = NULL;
	}
	fill_counters(c, &c->sum, kernel_drops, if_drops, received);
	if (c->metrics)
		mb_metrics_publish(c->metrics, &c->sum); /* the final counts, for a scrape before the exit */
	if (rc == MB_OK)
		rc = mb_writer_summary(&c->w, &c->sum, &c->err);
	if (rc == MB_OK)
		rc = mb_writer_flush(&c->w, &c->err);
	if (rc == MB_OK || rc == MB_EPIPE) {
		if (c->o->progress)
			progress(c, true);
		if (rc == MB_OK)
			mb_msg("%" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64 " kernel drops, %" PRIu64 " interface drops",
			       c->packets, c->bytes, kernel_drops, if_drops);
	}
	return rc;
}

/* ---- offline ---- */

static int run_file(struct cap *c)
{
	const struct opts *o = c->o;
	int fd = 0;
	if (strcmp(o->file, "-")) {
		fd = open(o->file, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return mb_err_set(&c->err, MB_ERR, "cannot open capture file: %s: '%s'", strerror(errno), o->file);
	}
	struct mb_reader r;
	struct mb_pcapfile *pf = NULL;
	int rc = mb_reader_attach(&r, fd, strcmp(o->file, "-") ? o->file : "<stdin>", &c->err);
	r.stop = &mb_stop_requested;
	if (rc == MB_OK)
		rc = mb_pcapfile_open(&pf, &r, &c->err);
	if (rc == MB_OK) {
		c->linktype = mb_pcapfile_linktype(pf);
		c->snaplen = mb_pcapfile_snaplen(pf);
		if (!c->snaplen || c->snaplen > o->snaplen)
			c->snaplen = o->snaplen;
	}
	const struct bpf_program *prog = NULL;
	uint32_t prog_lt = UINT32_MAX;
	bool prog_be = false;
	uint64_t ts_end = 0;
	struct mb_packet pkt;
	while (rc == MB_OK && !mb_stop_requested && c->packets < o->count) {
		rc = mb_pcapfile_next(pf, &pkt, &c->err);
		if (rc != MB_OK)
			break;
		if (pkt.linktype != prog_lt || mb_pcapfile_big_endian(pf) != prog_be) {
			if (!linktype_supported(pkt.linktype)) {
				rc = mb_err_set(&c->err, MB_ERR, "unsupported link type %" PRIu32 " (%s): '%s' at packet %" PRIu64,
						pkt.linktype, linktype_name(pkt.linktype), r.name, c->records + 1);
				break;
			}
			prog_be = mb_pcapfile_big_endian(pf);
			if ((rc = offline_filter(c, pkt.linktype, prog_be, &prog)) != MB_OK)
				break;
			if (c->records == 0)
				c->linktype = pkt.linktype;
			prog_lt = pkt.linktype;
			if (o->wfile && !c->dump) {
				c->dead = pcap_open_dead_with_tstamp_precision(linktype_to_dlt(pkt.linktype), c->snaplen,
									      PCAP_TSTAMP_PRECISION_NANO);
				if (!c->dead || (rc = open_dump(c, c->dead)) != MB_OK) {
					if (!c->dead)
						rc = mb_err_set(&c->err, MB_EIO, "out of memory for the pcap writer");
					break;
				}
				c->dump_linktype = pkt.linktype;
			}
		}
		if (c->records++ == 0 && o->duration_ns)
			ts_end = pkt.ts_ns + o->duration_ns;
		if (o->duration_ns && pkt.ts_ns > ts_end)
			break;
		if (prog) {
			struct pcap_pkthdr h = { .caplen = pkt.caplen, .len = pkt.wirelen };
			if (!pcap_offline_filter(prog, &h, pkt.data))
				continue;
		}
		rc = emit(c, &pkt);
		if (o->progress && (c->records & 4095) == 0)
			progress(c, false);
		metrics_tick(c, false);
	}
	if (rc == MB_END) /* also a stop request during a read: the input ends where it stands (mb_pcapfile_next) */
		rc = MB_OK;
	if (rc == MB_OK)
		rc = finish(c, 0, 0, 0);
	else if (rc != MB_EPIPE && c->header_done)
		mb_writer_flush(&c->w, NULL); /* everything before a broken record still goes out */
	mb_pcapfile_close(pf);
	if (r.buf)
		mb_reader_close(&r);
	if (fd > 0)
		close(fd);
	return rc;
}

/* ---- live ---- */

/*
 * The longest wait for packets: a stop request that arrives between the loop's check
 * and the wait (no signal then interrupts it) is seen this soon, whatever --flush says.
 */
#define STOP_WAIT_MS 100

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct cap *c = (struct cap *)user;
	struct mb_packet pkt;
	pkt.ts_ns = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec; /* nanosecond handle */
	pkt.caplen = h->caplen;
	pkt.wirelen = h->len;
	pkt.linktype = c->linktype;
	pkt.elided = 0;
	pkt.data = bytes;
	c->records++;
	int rc = emit(c, &pkt);
	if (rc != MB_OK) {
		c->rc = rc;
		pcap_breakloop(c->live);
	} else if (c->packets >= c->o->count || (mb_stop_requested && !c->draining)) {
		pcap_breakloop(c->live); /* a stop ends the read after this block of the ring */
	}
}

static int activate_error(struct cap *c, int rc, const char *iface)
{
	switch (rc) {
	case PCAP_ERROR_NO_SUCH_DEVICE:
		return mb_err_set(&c->err, MB_ERR, "no such interface: '%s'", iface);
	case PCAP_ERROR_PERM_DENIED:
		return mb_err_set(&c->err, MB_ERR, "no permission to capture (run as root or give the program CAP_NET_RAW): '%s'",
				  iface);
	case PCAP_ERROR_IFACE_NOT_UP:
		return mb_err_set(&c->err, MB_ERR, "interface is down: '%s'", iface);
	case PCAP_ERROR_PROMISC_PERM_DENIED:
		return mb_err_set(&c->err, MB_ERR, "no permission for promiscuous mode (run as root, or with -p): '%s'",
				  iface);
	default:
		return mb_err_set(&c->err, MB_ERR, "cannot capture: %s: '%s'", pcap_geterr(c->live), iface);
	}
}

static int run_live(struct cap *c)
{
	const struct opts *o = c->o;
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_create(o->iface, errbuf);
	if (!p)
		return mb_err_set(&c->err, MB_ERR, "cannot capture: %s: '%s'", errbuf, o->iface);
	c->live = p;
	pcap_set_snaplen(p, (int)o->snaplen);
	pcap_set_promisc(p, !o->no_promisc);
	pcap_set_timeout(p, (int)(o->flush_ns / 1000000u ? o->flush_ns / 1000000u : 1));
	pcap_set_buffer_size(p, (int)(o->buffer_kib << 10));
	pcap_set_immediate_mode(p, 0);
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
	int rc = pcap_activate(p);
	if (rc < 0)
		return activate_error(c, rc, o->iface);
	if (pcap_get_tstamp_precision(p) != PCAP_TSTAMP_PRECISION_NANO)
		return mb_err_set(&c->err, MB_ERR, "interface cannot give nanosecond timestamps: '%s'", o->iface);
	c->linktype = dlt_to_linktype(pcap_datalink(p));
	c->snaplen = (uint32_t)pcap_snapshot(p);
	if (!linktype_supported(c->linktype))
		return mb_err_set(&c->err, MB_ERR, "unsupported link type %" PRIu32 " (%s): '%s'", c->linktype,
				  linktype_name(c->linktype), o->iface);
	const char *expr = filter_expr(c, c->linktype);
	if (*expr) {
		struct bpf_program prog;
		if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0)
			return mb_err_set(&c->err, MB_ERR, "bad filter expression for link type %s: %s: '%s'",
					  linktype_name(c->linktype), pcap_geterr(p), expr);
		rc = pcap_setfilter(p, &prog);
		pcap_freecode(&prog);
		if (rc < 0)
			return mb_err_set(&c->err, MB_ERR, "cannot set the filter: %s: '%s'", pcap_geterr(p), o->iface);
	}
	if (o->wfile && (rc = open_dump(c, p)) != MB_OK)
		return rc;
	c->dump_linktype = c->linktype;
	/*
	 * Non-blocking reads paced by poll: with TPACKET_V3 a blocking pcap_dispatch may
	 * never return while the interface is idle, which would defeat -d and the flush.
	 */
	if (pcap_setnonblock(p, 1, errbuf) < 0)
		return mb_err_set(&c->err, MB_ERR, "cannot capture: %s: '%s'", errbuf, o->iface);
	int fd = pcap_get_selectable_fd(p);
	if (fd < 0)
		return mb_err_set(&c->err, MB_ERR, "cannot capture: no pollable descriptor: '%s'", o->iface);
	/* The header goes out at once: a reader (or a test) sees that the capture is running. */
	if ((rc = write_header(c)) != MB_OK || (rc = mb_writer_flush(&c->w, &c->err)) != MB_OK)
		return rc;
	uint64_t deadline = o->duration_ns ? c->t0_ns + o->duration_ns : UINT64_MAX;
	uint64_t flush_ms = o->flush_ns / 1000000u ? o->flush_ns / 1000000u : 1;
	while (!mb_stop_requested && c->packets < o->count && c->rc == MB_OK) {
		uint64_t now = now_ns();
		if (now >= deadline)
			break;
		uint64_t wait_ms = flush_ms < STOP_WAIT_MS ? flush_ms : STOP_WAIT_MS;
		if ((deadline - now) / 1000000u + 1 < wait_ms)
			wait_ms = (deadline - now) / 1000000u + 1;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		if (poll(&pfd, 1, (int)wait_ms) < 0 && errno != EINTR) {
			c->rc = mb_err_set(&c->err, MB_EIO, "poll error: %s: '%s'", strerror(errno), o->iface);
			break;
		}
		int n = pcap_dispatch(p, -1, on_packet, (u_char *)c);
		if (n == PCAP_ERROR) {
			c->rc = mb_err_set(&c->err, MB_ERR, "capture failed: %s: '%s'", pcap_geterr(p), o->iface);
			break;
		}
		if (c->rc == MB_OK && c->w.len && (c->rc = mb_writer_flush(&c->w, &c->err)) != MB_OK)
			break;
		if (o->progress)
			progress(c, false);
		metrics_tick(c, false);
	}
	/* Packets already delivered to the ring when the capture stopped still go out (a bounded drain). */
	c->draining = true;
	for (int round = 0; round < 4 && c->rc == MB_OK && c->packets < o->count; round++) {
		int n = pcap_dispatch(p, -1, on_packet, (u_char *)c);
		if (n == 0 || n == PCAP_ERROR)
			break;
	}
	if (c->rc != MB_OK)
		return c->rc;
	struct pcap_stat st;
	memset(&st, 0, sizeof st);
	pcap_stats(p, &st);
	return finish(c, st.ps_drop, st.ps_ifdrop, st.ps_recv);
}

/* ---- live, kernel-side (bpf/ebpf.h) ---- */

/*
 * Capture with the eBPF backend. MB_ERR with *unavailable set when nothing was
 * written (the backend could not start), so --ebpf=auto can fall back to libpcap.
 */
static int run_ebpf(struct cap *c, bool *unavailable)
{
	const struct opts *o = c->o;
	*unavailable = false;
	c->linktype = mb_ebpf_linktype();
	c->snaplen = o->snaplen;
	int rc = fill_info(c, NULL, o->ports_arg, mb_ebpf_backend_name());
	if (rc != MB_OK)
		return mb_err_set(&c->err, MB_ERR, "stream header metadata too long (port list?): '%s'", c->source);
	struct mb_ebpf_opts eo = {
		.iface = o->iface,
		.ports = &o->ports,
		.snaplen = o->snaplen,
		.max_packets = o->count == UINT64_MAX ? 0 : o->count,
		.duration_ns = o->duration_ns,
		.progress = o->progress,
		.header = &c->info,
	};
	struct mb_summary ks;
	mb_summary_init(&ks, "mb-capture");
	rc = mb_ebpf_capture(&eo, &c->w, &ks, &c->err);
	if (rc == MB_ERR && c->w.written == 0 && c->w.len == 0) {
		*unavailable = true;
		return rc;
	}
	if (rc != MB_OK)
		return rc;
	/* The standard counters first, then everything the backend reported. */
	uint64_t packets = mb_summary_get(&ks, "packets"), drops = mb_summary_get(&ks, "ring_drops");
	mb_summary_init(&c->sum, "mb-capture");
	mb_summary_add(&c->sum, "packets", packets);
	mb_summary_add(&c->sum, "bytes", mb_summary_get(&ks, "bytes_delivered"));
	mb_summary_add(&c->sum, "wire_bytes", mb_summary_get(&ks, "bytes_wire"));
	mb_summary_add(&c->sum, "kernel_drops", drops);
	mb_summary_add(&c->sum, "if_drops", 0);
	for (unsigned i = 0; i < ks.n; i++)
		if (strcmp(ks.c[i].name, "packets"))
			mb_summary_add(&c->sum, ks.c[i].name, ks.c[i].val);
	rc = mb_writer_summary(&c->w, &c->sum, &c->err);
	if (rc == MB_OK)
		rc = mb_writer_flush(&c->w, &c->err);
	if (rc == MB_OK)
		mb_msg("%" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64 " kernel drops, 0 interface drops (eBPF: %" PRIu64
		       " value bytes elided)",
		       packets, mb_summary_get(&ks, "bytes_delivered"), drops, mb_summary_get(&ks, "bytes_elided"));
	return rc;
}

/* ---- main ---- */

/* -D: the interfaces libpcap can open, numbered as tcpdump -D numbers them. */
static _Noreturn void list_interfaces(void)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_if_t *all = NULL;
	if (pcap_findalldevs(&all, errbuf) < 0) {
		mb_msg("cannot list the interfaces: %s: '-D'", errbuf);
		exit(MB_EXIT_DATA);
	}
	unsigned n = 0;
	for (pcap_if_t *d = all; d; d = d->next) {
		printf("%u.%s", ++n, d->name);
		if (d->description)
			printf(" (%s)", d->description);
		printf(" [%s%s%s]\n", d->flags & PCAP_IF_UP ? "Up" : "Down", d->flags & PCAP_IF_RUNNING ? ", Running" : "",
		       d->flags & PCAP_IF_LOOPBACK ? ", Loopback" : "");
	}
	pcap_freealldevs(all);
	if (fflush(stdout) != 0 && errno != EPIPE) {
		mb_msg("write error: %s: 'stdout'", strerror(errno));
		exit(MB_EXIT_DATA);
	}
	exit(n ? MB_EXIT_OK : MB_EXIT_DATA);
}

/* No -i and no -r: the first interface libpcap lists, as tcpdump chooses it (the caller frees it). */
static char *default_interface(void)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_if_t *all = NULL;
	if (pcap_findalldevs(&all, errbuf) < 0 || !all) {
		if (all)
			pcap_freealldevs(all);
		mb_usage_error("no interface given (-i IFACE or -r FILE), and none found to capture on%s%s",
			       *errbuf ? ": " : "", errbuf);
	}
	char *name = strdup(all->name);
	pcap_freealldevs(all);
	if (!name)
		mb_usage_error("out of memory for the interface name");
	return name;
}

/* The trailing words, joined by spaces into one filter expression (tcpdump's rule); NULL when there are none. */
static char *join_words(int n, char **words)
{
	if (n <= 0)
		return NULL;
	size_t len = 1;
	for (int i = 0; i < n; i++)
		len += strlen(words[i]) + 1;
	char *s = malloc(len);
	if (!s)
		mb_usage_error("out of memory for the filter expression");
	s[0] = 0;
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, words[i]);
	}
	return s;
}

/* A filter that is only a port list ("11211", "11211,11311") is an old `-p PORTS` meant as --ports. */
static bool looks_like_ports(const char *s)
{
	return *s && strspn(s, "0123456789,-") == strlen(s);
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	enum { OPT_VERSION = 256, OPT_PROGRESS, OPT_FLUSH, OPT_EBPF, OPT_DURATION, OPT_METRICS };
	static const struct option longopts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "read", required_argument, NULL, 'r' },
		{ "write", required_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 'c' },
		{ "snapshot-length", required_argument, NULL, 's' },
		{ "buffer-size", required_argument, NULL, 'B' },
		{ "no-promiscuous-mode", no_argument, NULL, 'p' },
		{ "list-interfaces", no_argument, NULL, 'D' },
		{ "ports", required_argument, NULL, 'P' },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "flush", required_argument, NULL, OPT_FLUSH },
		{ "progress", no_argument, NULL, OPT_PROGRESS }, { "metrics", required_argument, NULL, OPT_METRICS },
		{ "ebpf", optional_argument, NULL, OPT_EBPF },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	struct mb_err err;
	uint64_t v;
	bool have_ports = false, list = false;
	memset(o, 0, sizeof *o);
	o->count = UINT64_MAX;
	o->snaplen = MB_PACKET_MAX;
	o->buffer_kib = 32768;
	o->flush_ns = 100000000u;
	o->ports_arg = "11211";
	mb_opt_ports(o->ports_arg, &o->ports, &err);
	int ch;
	opterr = 0; /* one message of our own, not getopt's */
	while ((ch = getopt_long(argc, argv, ":i:r:w:c:s:B:pDnP:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			o->iface = optarg;
			break;
		case 'r':
			o->file = optarg;
			break;
		case 'w':
			o->wfile = optarg;
			break;
		case 'c':
			if (mb_opt_u64(optarg, 1, UINT64_MAX, true, &o->count, &err) != MB_OK)
				mb_usage_error("-c: %s", err.msg);
			break;
		case 's':
			if (!strcmp(optarg, "0"))
				v = MB_PACKET_MAX; /* tcpdump: 0 means the maximum */
			else if (mb_opt_u64(optarg, 64, MB_PACKET_MAX, true, &v, &err) != MB_OK)
				mb_usage_error("-s: %s (0 = the maximum)", err.msg);
			o->snaplen = (uint32_t)v;
			break;
		case 'B':
			if (mb_opt_u64(optarg, 1, 2047u << 10, false, &v, &err) != MB_OK)
				mb_usage_error("-B: %s (KiB)", err.msg);
			o->buffer_kib = (uint32_t)v;
			break;
		case 'p':
			o->no_promisc = true;
			break;
		case 'D':
			list = true;
			break;
		case 'n':
			break; /* tcpdump's "do not resolve names": mb-capture never resolves any */
		case 'P':
			if (mb_opt_ports(optarg, &o->ports, &err) != MB_OK)
				mb_usage_error("%s", err.msg);
			have_ports = true;
			o->ports_arg = optarg;
			break;
		case OPT_DURATION:
			if (mb_opt_duration(optarg, &o->duration_ns, &err) != MB_OK || o->duration_ns == 0)
				mb_usage_error("--duration: bad duration: '%s'", optarg);
			break;
		case OPT_FLUSH:
			if (mb_opt_duration(optarg, &o->flush_ns, &err) != MB_OK || o->flush_ns == 0 ||
			    o->flush_ns > 60000000000ull)
				mb_usage_error("--flush: bad duration (1ms .. 60s): '%s'", optarg);
			break;
		case OPT_PROGRESS:
			o->progress = true;
			break;
		case OPT_METRICS:
			o->metrics = optarg;
			break;
		case OPT_EBPF:
			if (optarg && strcmp(optarg, "auto"))
				mb_usage_error("--ebpf takes no value or '=auto': '%s'", optarg);
			o->ebpf = optarg ? EBPF_AUTO : EBPF_ON;
			break;
		case 'h':
			exit(mb_print_help(usage));
		case OPT_VERSION:
			printf("capture backends: libpcap%s\n", mb_ebpf_built() ? ", ebpf-tc" : " (built without eBPF)");
			mb_print_version();
		case ':':
			mb_usage_error("option needs a value: '%s'", argv[optind - 1]);
		default:
			if (optopt)
				mb_usage_error("unknown option: '-%c'", optopt);
			mb_usage_error("unknown option: '%s'", argv[optind - 1]);
		}
	}
	if (list)
		list_interfaces();
	o->filter_buf = join_words(argc - optind, argv + optind);
	if (o->filter_buf) {
		o->filter = o->filter_buf;
		o->have_filter = true;
	}
	if (o->file && o->iface)
		mb_usage_error("give either -r FILE or -i IFACE, not both: '%s'", o->iface);
	if (have_ports && o->have_filter)
		mb_usage_error("--ports and a filter expression exclude each other (put the ports into the expression): '%s'",
			       o->filter);
	if (o->have_filter && looks_like_ports(o->filter))
		mb_usage_error("a filter expression of port numbers only (-p is tcpdump's no-promiscuous-mode now): did you "
			       "mean --ports %s?", o->filter);
	if (o->ebpf && o->file)
		mb_usage_error("--ebpf captures live: it does not read files");
	if (o->ebpf == EBPF_ON && o->metrics)
		mb_usage_error("--metrics serves the libpcap backend's counters: not available with --ebpf");
	if (o->ebpf && (o->have_filter || o->wfile))
		mb_usage_error("--ebpf filters by port only and writes no pcap: %s is not available with it",
			       o->have_filter ? "a filter expression" : "-w");
	if (o->wfile && !strcmp(o->wfile, "-"))
		mb_usage_error("-w needs a file: stdout carries the packet stream");
	if (o->have_filter && *o->filter) {
		/* Syntax check now (a usage error); link-type-specific failures come when the capture's type is known. */
		pcap_t *dead = pcap_open_dead(DLT_EN10MB, MB_PACKET_MAX);
		struct bpf_program prog;
		if (dead && pcap_compile(dead, &prog, o->filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
			/* `mb-capture eth0` (the old positional interface) reads as a one-word expression. */
			if (!o->iface && !o->file && !strchr(o->filter, ' '))
				mb_usage_error("bad filter expression: %s: '%s' (an interface is given with -i IFACE)",
					       pcap_geterr(dead), o->filter);
			mb_usage_error("bad filter expression: %s: '%s'", pcap_geterr(dead), o->filter);
		}
		if (dead) {
			pcap_freecode(&prog);
			pcap_close(dead);
		}
	}
	if (!o->file && !o->iface)
		o->iface = o->iface_buf = default_interface();
}

int main(int argc, char **argv)
{
	mb_prog_init();
	struct opts o;
	parse_args(argc, argv, &o);
	mb_prog_signals();
	if (!mb_binary_output_ok(1))
		return MB_EXIT_DATA;
	struct cap *c = calloc(1, sizeof *c); /* some 80 KiB (the summary, the stream header): not on the stack */
	if (!c) {
		mb_msg("out of memory");
		return MB_EXIT_DATA;
	}
	c->o = &o;
	c->source = o.file ? o.file : o.iface;
	c->capture = o.file ? "file" : "live";
	c->t0_ns = now_ns();
	c->next_progress_ns = c->t0_ns + 1000000000u;
	c->last_progress_ns = c->t0_ns;
	if (!o.have_filter) {
		c->expr_plain = ports_expr(&o.ports, false);
		c->expr_vlan = ports_expr(&o.ports, true);
		if (!c->expr_plain || !c->expr_vlan) {
			mb_msg("out of memory building the port filter");
			free(c->expr_plain);
			free(c->expr_vlan);
			free(c);
			return MB_EXIT_DATA;
		}
	}
	int rc = o.metrics ? mb_metrics_start_summary(&c->metrics, o.metrics, "mb-capture's summary counter", &c->err) : MB_OK;
	if (rc == MB_ERR)
		mb_usage_error("%s", c->err.msg);
	if (rc == MB_OK)
		metrics_tick(c, true);
	if (rc == MB_OK)
		rc = mb_writer_init(&c->w, 1, &c->err);
	if (rc == MB_OK && o.ebpf && !c->metrics) { /* --ebpf=auto with --metrics: libpcap, whose counters it serves */
		bool unavailable;
		rc = run_ebpf(c, &unavailable);
		if (unavailable && o.ebpf == EBPF_AUTO) {
			mb_msg("%s; falling back to libpcap (--ebpf=auto)", c->err.msg);
			rc = run_live(c);
		}
	} else if (rc == MB_OK) {
		rc = o.file ? run_file(c) : run_live(c);
	}
	struct mb_err werr;
	int wrc = mb_writer_close(&c->w, &werr);
	if (rc == MB_OK && wrc != MB_OK) {
		rc = wrc;
		c->err = werr;
	}
	if (rc != MB_OK && rc != MB_EPIPE)
		mb_msg_err(&c->err);
	if (c->dump)
		pcap_dump_close(c->dump);
	if (c->dead)
		pcap_close(c->dead);
	if (c->live)
		pcap_close(c->live);
	for (unsigned i = 0; i < c->nfilters; i++)
		pcap_freecode(&c->filters[i].prog);
	free(c->expr_plain);
	free(c->expr_vlan);
	free(o.filter_buf);
	free(o.iface_buf);
	mb_metrics_stop(c->metrics);
	free(c);
	return mb_exit_code(rc);
}
