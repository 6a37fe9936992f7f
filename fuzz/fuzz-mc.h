/* fuzz-mc.h - the driver shared by the text, meta and binary fuzz targets: chunks through a connection. */
#ifndef MB_FUZZ_MC_H
#define MB_FUZZ_MC_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mcpair.h"
#include "mcproto.h"

/* Decode one chunk on its own with a protocol's decoders (it may rewrite the chunk's first byte). */
typedef void (*fuzz_mc_alone)(uint8_t *chunk, size_t n, int dir, struct mc_req *rq, struct mc_resp *rs);

static void fuzz_mc_sink(void *arg, const struct mb_event *ev)
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
 * bits 0-6 = length of the chunk (rest of input when it runs out). Each chunk is decoded
 * alone by `alone`, then fed to one connection's framing and pairing; an empty chunk is a
 * capture gap.
 */
static int fuzz_mc_run(const uint8_t *data, size_t size, fuzz_mc_alone alone)
{
	static struct mc_ctx ctx;
	struct mc_conn c;
	mc_ctx_init(&ctx, fuzz_mc_sink, NULL);
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
		if (n)
			alone(copy, n, dir, rq, &rs);
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

#endif
