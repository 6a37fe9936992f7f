/* fuzz-meta.c - libFuzzer target: meta protocol decoders, alone and through a connection's framing and pairing. */
#include "base64.h"
#include "fuzz-mc.h"

/* Each chunk of 2+ bytes alone as one complete meta request line, response line, and base64. */
static void meta_alone(uint8_t *p, size_t n, int dir, struct mc_req *rq, struct mc_resp *rs)
{
	(void)dir;
	if (n < 2)
		return;
	mc_meta_req(p, n, n, rq);
	if (mc_meta_resp(p, n, n, rs) == MC_OK && rs->key)
		(void)rs->key[rs->key_len ? rs->key_len - 1 : 0];
	uint8_t out[MC_KEY_MAX];
	mb_base64_decode(p, n, out, sizeof out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_mc_run(data, size, meta_alone); }
