/* fuzz-binary.c - libFuzzer target: binary protocol decoders, alone and through a connection's framing and pairing. */
#include "fuzz-mc.h"

/* Each chunk starts with its direction's magic byte (so framing sees binary) and is decoded alone. */
static void binary_alone(uint8_t *p, size_t n, int dir, struct mc_req *rq, struct mc_resp *rs)
{
	p[0] = dir ? 0x81 : 0x80;
	mc_bin_req(p, n, rq);
	mc_bin_resp(p, n, rs);
	mc_plausible_req(p, n);
	mc_plausible_resp(p, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_mc_run(data, size, binary_alone); }
