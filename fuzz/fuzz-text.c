/* fuzz-text.c - libFuzzer target: text protocol decoders, alone and through a connection's framing and pairing. */
#include "fuzz-mc.h"

/* Each chunk alone as a text request and a response, and through the resync checks. */
static void text_alone(uint8_t *p, size_t n, int dir, struct mc_req *rq, struct mc_resp *rs)
{
	(void)dir;
	mc_text_req(p, n, rq);
	mc_text_resp(p, n, rs);
	mc_plausible_req(p, n);
	mc_plausible_resp(p, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_mc_run(data, size, text_alone); }
