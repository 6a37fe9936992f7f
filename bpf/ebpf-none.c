/* ebpf-none.c - the eBPF backend of a build made without clang, bpftool or libbpf: every capture request says why. */
#include "ebpf.h"

const char *mb_ebpf_backend_name(void) { return "ebpf-tc"; }

bool mb_ebpf_built(void) { return false; }

uint32_t mb_ebpf_linktype(void) { return 1; }

int mb_ebpf_capture(const struct mb_ebpf_opts *o, struct mb_writer *w, struct mb_summary *sum, struct mb_err *err)
{
	(void)w;
	(void)sum;
	return mb_err_set(err, MB_ERR,
			  "eBPF capture on '%s': this mb-capture was built without the eBPF backend (the build machine had "
			  "no clang, bpftool, libbpf or UAPI headers, or EBPF=0 was given); use the libpcap mode instead "
			  "(mb-capture without --ebpf)",
			  o->iface);
}
