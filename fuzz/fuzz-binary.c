/* fuzz-binary.c - libFuzzer target: binary protocol decoders, alone and through a connection's framing and pairing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mcpair.h"
#include "mcproto.h"

static void sink(void *arg, const struct mb_event *ev)
{
	(void)arg;
	/* touch every key byte so ASan sees a stale pointer */
	volatile uint8_t x = 0;
	for (uint16_t i = 0; i < ev->key_len; i++)
		x ^= ev->key[i];
	(void)x;
}

/*
 * Input: a sequence of records [u8 ctl][bytes...]: ctl bit 7 = direction (response),
 * bits 0-6 = length of the chunk (rest of input when it runs out). Each chunk is also
 * starts with the direction's magic byte and is decoded alone as a binary request and response.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mc_ctx ctx;
	struct mc_conn c;
	mc_ctx_init(&ctx, sink, NULL);
	ctx.pending_cap = 16;
	mc_conn_init(&c, 1, 0, size > 0 && data[0] == 'J');
	struct mc_req *rq = malloc(sizeof *rq);
	struct mc_resp rs;
	size_t off = 0;
	uint32_t seq[2] = { 0, 0 };
	uint64_t ts = 1;
	while (off < size) {
		uint8_t ctl = data[off++];
		size_t n = ctl & 0x7f;
		if (n > size - off)
			n = size - off;
		int dir = ctl >> 7;
		uint8_t *copy = malloc(n ? n : 1);
		memcpy(copy, data + off, n);
		if (n) {
			/* framing and pairing see binary when the chunk starts with a magic byte */
			copy[0] = dir ? 0x81 : 0x80;
			mc_bin_req(copy, n, rq);
			mc_bin_resp(copy, n, &rs);
			mc_plausible_req(copy, n);
			mc_plausible_resp(copy, n);
		}
		struct mc_chunk ch = { .ts = ts++, .seq = seq[dir], .ack = seq[dir ^ 1], .has_ack = true,
				       .seg_start = true };
		if (n == 0)
			mc_conn_gap(&ctx, &c, dir, 3, ctl & 1, ts);
		else
			mc_conn_data(&ctx, &c, dir, copy, n, &ch);
		seq[dir] += (uint32_t)n;
		free(copy);
		off += n;
	}
	mc_conn_close(&ctx, &c);
	free(rq);
	return 0;
}
