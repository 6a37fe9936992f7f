/* ebpf.c - mb-capture's eBPF backend: load capture.bpf.c, attach it with TC, turn ring records into packet frames. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/types.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bytes.h"
#include "capture.h"
#include "capture.skel.h"
#include "ebpf.h"
#include "mbtime.h"
#include "prog.h"

#define RING_BYTES (32u << 20)        /* ring buffer shared by all CPUs */
#define WAKE_BYTES (1u << 20)         /* the program wakes the reader above this much unread data */
#define POLL_MS 50                    /* the reader also drains the ring this often */
#define TC_HANDLE 0x4d42              /* "MB": our filters' handle on each hook */
#define TC_PRIO 0x4d42                /* preferences TC_PRIO .. TC_PRIO + TC_SLOTS - 1, one per capture */
#define TC_SLOTS 16
#define LINKTYPE_ETHERNET 1
#define HINT "; use the libpcap mode instead (mb-capture without --ebpf)"

const char *mb_ebpf_backend_name(void) { return "ebpf-tc"; }

bool mb_ebpf_built(void) { return true; }

uint32_t mb_ebpf_linktype(void) { return LINKTYPE_ETHERNET; }

/* libbpf's last warning and the verifier's verdict, kept for error messages instead of being printed. */
static char libbpf_last[256], verifier_said[256];

/* The verifier's reason in a load log: the last line before the statistics that end it. */
static void keep_verdict(const char *log)
{
	const char *end = strstr(log, "-- END PROG LOAD LOG --");
	if (!end || verifier_said[0])
		return;
	while (end > log) {
		const char *e = end;
		while (e > log && e[-1] == '\n')
			e--;
		const char *b = e;
		while (b > log && b[-1] != '\n')
			b--;
		size_t n = (size_t)(e - b);
		end = b;
		if (n == 0 || strncmp(b, "processed ", 10) == 0 || strncmp(b, "verification time", 17) == 0 ||
		    strncmp(b, "stack depth", 11) == 0)
			continue;
		if (n >= sizeof verifier_said)
			n = sizeof verifier_said - 1;
		memcpy(verifier_said, b, n);
		verifier_said[n] = 0;
		return;
	}
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *line = NULL;
	if (level == LIBBPF_DEBUG || vasprintf(&line, fmt, ap) < 0)
		return 0;
	keep_verdict(line);
	size_t n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = 0;
	if (n)
		snprintf(libbpf_last, sizeof libbpf_last, "%s", line);
	free(line);
	return 0;
}

/* One capture run. */
struct run {
	const struct mb_ebpf_opts *o;
	struct mb_writer *w;
	struct mb_err *err;
	uint32_t snap;
	uint64_t mono_to_real;   /* add to bpf_ktime_get_ns() for wall-clock ns */
	uint64_t frames, records, ring_bytes, wire, elided, delivered;
	int rc;                  /* first output error */
	bool full;               /* max_packets reached */
};

/* Explain a failed bpf(2)/netlink call in words a user can act on. */
static int load_error(struct mb_err *err, const char *what, int e)
{
	e = e < 0 ? -e : e;
	if (verifier_said[0])
		return mb_err_set(err, MB_ERR, "eBPF capture: %s: the kernel's verifier rejected the program: %s" HINT,
				  what, verifier_said);
	if ((e == EPERM || e == EACCES) && geteuid() != 0)
		return mb_err_set(err, MB_ERR,
				  "eBPF capture: %s: permission denied: it needs root (CAP_BPF, CAP_NET_ADMIN and "
				  "CAP_PERFMON)" HINT,
				  what);
	if (e == EPERM)
		return mb_err_set(err, MB_ERR,
				  "eBPF capture: %s: permission denied even as root (kernel lockdown or a security "
				  "module?)" HINT,
				  what);
	if (e == ENOSYS || e == EOPNOTSUPP)
		return mb_err_set(err, MB_ERR, "eBPF capture: %s: this kernel has no BPF support for it (%s)" HINT, what,
				  strerror(e));
	return mb_err_set(err, MB_ERR, "eBPF capture: %s: %s%s%s" HINT, what, strerror(e), libbpf_last[0] ? ": " : "",
			  libbpf_last);
}

/* Is a BPF program of this id held open by a running process (another mb-capture)? */
static bool prog_held(uint32_t id)
{
	DIR *proc = opendir("/proc");
	struct dirent *pe;
	bool held = false;
	if (!proc)
		return true;
	while (!held && (pe = readdir(proc))) {
		char path[600], line[128];
		if (pe->d_name[0] < '0' || pe->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/fdinfo", pe->d_name);
		DIR *fds = opendir(path);
		struct dirent *fe;
		if (!fds)
			continue;
		while (!held && (fe = readdir(fds))) {
			if (fe->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "/proc/%s/fdinfo/%s", pe->d_name, fe->d_name);
			FILE *f = fopen(path, "r");
			if (!f)
				continue;
			while (fgets(line, sizeof line, f)) {
				unsigned v;
				if (sscanf(line, "prog_id: %u", &v) == 1 && v == id) {
					held = true;
					break;
				}
			}
			fclose(f);
		}
		closedir(fds);
	}
	closedir(proc);
	return held;
}

/* One TC attachment (hook + our filter). */
struct tc_att {
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts;
	bool attached;
};

static int tc_attach(struct tc_att *a, int ifindex, enum bpf_tc_attach_point point, int prog_fd, const char *iface,
		     struct mb_err *err)
{
	const char *dir = point == BPF_TC_INGRESS ? "ingress" : "egress";
	char what[128];
	memset(a, 0, sizeof *a);
	a->hook.sz = sizeof a->hook;
	a->hook.ifindex = ifindex;
	a->hook.attach_point = point;
	a->opts.sz = sizeof a->opts;
	a->opts.handle = TC_HANDLE;
	a->opts.priority = TC_PRIO;
	a->opts.prog_fd = prog_fd;
	snprintf(what, sizeof what, "attaching to '%s' %s", iface, dir);
	int e = bpf_tc_hook_create(&a->hook);
	if (e && e != -EEXIST)
		return load_error(err, what, e);
	/*
	 * One preference per running capture: a taken one belongs to a live capture
	 * (skip it) or was left by a killed one (take it over).
	 */
	for (unsigned i = 0; i < TC_SLOTS; i++) {
		a->opts.priority = TC_PRIO + i;
		a->opts.flags = 0;
		e = bpf_tc_attach(&a->hook, &a->opts);
		if (e != -EEXIST)
			break;
		struct bpf_tc_opts q = { .sz = sizeof q, .handle = TC_HANDLE, .priority = TC_PRIO + i };
		if (bpf_tc_query(&a->hook, &q) == 0 && prog_held(q.prog_id))
			continue;
		a->opts.flags = BPF_TC_F_REPLACE;
		e = bpf_tc_attach(&a->hook, &a->opts);
		break;
	}
	if (e == -EEXIST)
		return mb_err_set(err, MB_ERR, "eBPF capture: %u mb-capture --ebpf are already attached to '%s' %s" HINT,
				  TC_SLOTS, iface, dir);
	if (e)
		return load_error(err, what, e);
	a->attached = true;
	return MB_OK;
}

static void tc_detach(struct tc_att *a)
{
	if (!a->attached)
		return;
	struct bpf_tc_opts d = { .sz = sizeof d, .handle = TC_HANDLE, .priority = a->opts.priority };
	bpf_tc_detach(&a->hook, &d);
	a->attached = false;
}

/* Reserve and fill the fixed part of one packet frame; returns where caplen data bytes go. */
static uint8_t *frame_begin(struct run *r, uint64_t ts, uint32_t caplen, uint32_t wirelen, uint32_t elided)
{
	uint32_t len = MB_PACKET_FIXED + caplen;
	uint8_t *p = mb_writer_reserve(r->w, MB_FRAME_HDR + len, r->err);
	if (!p) {
		r->rc = r->w->rc;
		return NULL;
	}
	mb_st_le16(p, MB_FRAME_PACKET);
	mb_st_le16(p + 2, 0);
	mb_st_le32(p + 4, len);
	mb_st_le64(p + 8, ts);
	mb_st_le32(p + 16, caplen);
	mb_st_le32(p + 20, wirelen);
	mb_st_le32(p + 24, LINKTYPE_ETHERNET);
	mb_st_le32(p + 28, elided);
	return p + MB_FRAME_HDR + MB_PACKET_FIXED;
}

static void frame_end(struct run *r, uint32_t caplen, uint32_t elided)
{
	mb_writer_commit(r->w, MB_FRAME_HDR + MB_PACKET_FIXED + caplen);
	r->frames++;
	r->delivered += caplen;
	r->elided += elided;
	if (r->o->max_packets && r->frames >= r->o->max_packets)
		r->full = true;
}

static uint16_t ip_checksum(const uint8_t *h, size_t n)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void st_be16(uint8_t *b, uint32_t v) { b[0] = (uint8_t)(v >> 8); b[1] = (uint8_t)v; }
static void st_be32(uint8_t *b, uint32_t v) { st_be16(b, v >> 16); st_be16(b + 2, v); }
static uint32_t ld_be32(const uint8_t *b) { return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]; }

/*
 * Turn one piece of a segment into a frame: the segment's headers with the IP
 * length, the IPv4 checksum and the TCP sequence number rewritten for this
 * piece, then its delivered bytes; the piece's withheld bytes are the frame's
 * elided tail.
 */
static int emit_piece(struct run *r, const struct mb_cap_rec *rec, const uint8_t *hdr, const struct mb_cap_piece *pc,
		      const uint8_t *bytes, bool last)
{
	uint32_t hl = rec->hdr_len, l3 = rec->l3_off, l4 = rec->l4_off;
	uint32_t wire = hl + pc->del + pc->eli;
	uint32_t cap = hl + pc->del < r->snap ? hl + pc->del : r->snap;
	uint8_t *d = frame_begin(r, rec->ts_ns + r->mono_to_real, cap, wire, pc->eli);
	if (!d)
		return -1;
	uint8_t h[MB_CAP_HDR_MAX];
	memcpy(h, hdr, hl);
	if (rec->flags & MB_CAP_F_IPV6) {
		st_be16(h + l3 + 4, wire - l3 - 40);
	} else {
		st_be16(h + l3 + 2, wire - l3);
		st_be16(h + l3 + 10, 0);
		st_be16(h + l3 + 10, ip_checksum(h + l3, l4 - l3));
	}
	st_be32(h + l4 + 4, ld_be32(h + l4 + 4) + pc->off);
	if (!last)
		h[l4 + 13] &= (uint8_t)~0x09; /* FIN and PSH belong to the segment's last piece */
	memcpy(d, h, cap < hl ? cap : hl);
	if (cap > hl)
		memcpy(d + hl, bytes, cap - hl);
	frame_end(r, cap, pc->eli);
	return 0;
}

/* ring_buffer callback: one record -> one or more packet frames. Negative stops the drain. */
static int on_record(void *ctx, void *data, size_t size)
{
	struct run *r = ctx;
	struct mb_cap_rec rec;
	if (size < sizeof rec)
		return 0;
	memcpy(&rec, data, sizeof rec);
	const uint8_t *d = (const uint8_t *)data + sizeof rec;
	if (rec.data_len > size - sizeof rec)
		return 0;
	r->records++;
	r->ring_bytes += size;
	r->wire += rec.wirelen;
	size_t pieces = (size - sizeof rec - rec.data_len) / sizeof(struct mb_cap_piece);
	if (rec.npieces == 0 || rec.npieces > pieces || rec.hdr_len > rec.data_len || rec.hdr_len > MB_CAP_HDR_MAX ||
	    rec.l3_off >= rec.l4_off || rec.l4_off + 20u > rec.hdr_len) {
		uint32_t cap = rec.data_len < r->snap ? rec.data_len : r->snap;
		uint8_t *p = frame_begin(r, rec.ts_ns + r->mono_to_real, cap, rec.wirelen, 0);
		if (!p)
			return -1;
		memcpy(p, d, cap);
		frame_end(r, cap, 0);
	} else {
		const uint8_t *bytes = d + rec.hdr_len, *pd = d + rec.data_len;
		uint32_t left = rec.data_len - rec.hdr_len;
		for (unsigned k = 0; k < rec.npieces; k++) {
			struct mb_cap_piece pc;
			memcpy(&pc, pd + k * sizeof pc, sizeof pc);
			if (pc.del > left)
				pc.del = left;
			if (emit_piece(r, &rec, d, &pc, bytes, k + 1 == rec.npieces) < 0)
				return -1;
			bytes += pc.del;
			left -= pc.del;
		}
	}
	return r->full ? -1 : 0;
}

/* Sum a per-CPU counter over all CPUs. */
static uint64_t counter(int fd, uint32_t idx, int ncpu)
{
	uint64_t vals[ncpu > 0 ? ncpu : 1], sum = 0;
	if (bpf_map_lookup_elem(fd, &idx, vals) != 0)
		return 0;
	for (int i = 0; i < ncpu; i++)
		sum += vals[i];
	return sum;
}

/* Link type of an interface from sysfs (ARPHRD_*), -1 when unknown. */
static int arphrd(const char *iface)
{
	char path[128];
	int t = -1;
	snprintf(path, sizeof path, "/sys/class/net/%s/type", iface);
	FILE *f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%d", &t) != 1)
			t = -1;
		fclose(f);
	}
	return t;
}

int mb_ebpf_capture(const struct mb_ebpf_opts *o, struct mb_writer *w, struct mb_summary *sum, struct mb_err *err)
{
	struct run r = { .o = o, .w = w, .err = err, .rc = MB_OK };
	struct capture *skel = NULL;
	struct ring_buffer *rb = NULL;
	struct tc_att att[2] = { 0 };
	int rc = MB_ERR, e;

	r.snap = o->snaplen && o->snaplen < MB_PACKET_MAX ? o->snaplen : MB_PACKET_MAX;
	libbpf_set_print(libbpf_quiet);
	libbpf_last[0] = 0;
	verifier_said[0] = 0;

	int ifindex = (int)if_nametoindex(o->iface);
	if (!ifindex)
		return mb_err_set(err, MB_ERR, "eBPF capture: no such interface: '%s'", o->iface);
	int type = arphrd(o->iface);
	bool loopback = type == 772; /* ARPHRD_LOOPBACK */
	if (type != 1 && !loopback)
		return mb_err_set(err, MB_ERR,
				  "eBPF capture: interface '%s' has link type %d; the eBPF backend reads Ethernet and loopback "
				  "interfaces only" HINT,
				  o->iface, type);

	skel = capture__open();
	if (!skel)
		return load_error(err, "opening the BPF object", errno);
	for (unsigned i = 0; i < 1024; i++)
		skel->rodata->port_bits[i] = o->ports->bits[i];
	skel->rodata->wake_bytes = WAKE_BYTES;
	int ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0) {
		load_error(err, "counting CPUs", ncpu);
		goto out;
	}
	if ((e = bpf_map__set_max_entries(skel->maps.scratch, (uint32_t)ncpu)) != 0 ||
	    (e = bpf_map__set_max_entries(skel->maps.ring, RING_BYTES)) != 0) {
		load_error(err, "sizing maps", e);
		goto out;
	}
	if ((e = capture__load(skel)) != 0) {
		load_error(err, "loading the program", e);
		goto out;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.ring), on_record, &r, NULL);
	if (!rb) {
		load_error(err, "opening the ring buffer", errno);
		goto out;
	}
	/*
	 * On loopback every packet passes egress and then ingress of the same device;
	 * libpcap shows it once, so only ingress is watched there.
	 */
	if (tc_attach(&att[0], ifindex, BPF_TC_INGRESS, bpf_program__fd(skel->progs.mb_capture), o->iface, err) != MB_OK)
		goto out;
	if (!loopback &&
	    tc_attach(&att[1], ifindex, BPF_TC_EGRESS, bpf_program__fd(skel->progs.mb_capture), o->iface, err) != MB_OK)
		goto out;

	/* attached: from here on the run produces output */
	rc = MB_OK;
	r.mono_to_real = mb_real_ns() - mb_mono_ns();
	if (o->header && (rc = mb_writer_header(w, o->header, err)) != MB_OK)
		goto out;
	uint64_t start = mb_mono_ns(), next_progress = start + MB_NS_PER_SEC;
	int cfd = bpf_map__fd(skel->maps.counters);
	for (;;) {
		if (mb_stop_requested || r.full || r.rc != MB_OK)
			break;
		uint64_t now = mb_mono_ns();
		if (o->duration_ns && now - start >= o->duration_ns)
			break;
		e = ring_buffer__poll(rb, POLL_MS);
		if (e >= 0 && !r.full && r.rc == MB_OK)
			e = ring_buffer__consume(rb); /* records whose wakeup was deferred */
		if (e < 0 && e != -EINTR && r.rc == MB_OK && !r.full) {
			rc = mb_err_set(err, MB_EIO, "eBPF capture: reading the ring buffer: %s", strerror(-e));
			goto out;
		}
		if (w->len && (rc = mb_writer_flush(w, err)) != MB_OK)
			goto out;
		if (o->progress && now >= next_progress) {
			next_progress += MB_NS_PER_SEC;
			mb_msg("%.0f s, %" PRIu64 " packets, %.1f MB delivered, %.1f MB elided, %" PRIu64 " ring drops",
			       (double)(now - start) / 1e9, r.frames, (double)r.ring_bytes / 1e6, (double)r.elided / 1e6,
			       counter(cfd, MB_CTR_RING_DROPS, ncpu));
		}
	}
	/* stop the program first so the final drain sees everything it produced */
	tc_detach(&att[0]);
	tc_detach(&att[1]);
	if (!r.full && r.rc == MB_OK)
		ring_buffer__consume(rb);
	rc = r.rc;
	if (rc == MB_OK)
		rc = mb_writer_flush(w, err);
	mb_summary_add(sum, "packets", r.frames);
	mb_summary_add(sum, "bytes_delivered", r.ring_bytes);
	mb_summary_add(sum, "bytes_captured", r.delivered);
	mb_summary_add(sum, "bytes_wire", r.wire);
	mb_summary_add(sum, "bytes_elided", r.elided);
	mb_summary_add(sum, "ring_records", r.records);
	mb_summary_add(sum, "ring_drops", counter(cfd, MB_CTR_RING_DROPS, ncpu));
	mb_summary_add(sum, "ring_wakeups", counter(cfd, MB_CTR_WAKEUPS, ncpu));
	mb_summary_add(sum, "segments_seen", counter(cfd, MB_CTR_SEGMENTS, ncpu));
	mb_summary_add(sum, "truncated", counter(cfd, MB_CTR_TRUNCATED, ncpu));
	mb_summary_add(sum, "flows_lost_sync", counter(cfd, MB_CTR_LOST_SYNC, ncpu));
	mb_summary_add(sum, "flows_resynced", counter(cfd, MB_CTR_RESYNC, ncpu));
out:
	tc_detach(&att[0]);
	tc_detach(&att[1]);
	ring_buffer__free(rb);
	capture__destroy(skel);
	return rc;
}
