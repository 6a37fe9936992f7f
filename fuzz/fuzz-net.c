/* fuzz-net.c - libFuzzer target: packet decoding (link layers, IPv4/IPv6, TCP/UDP) into the flow table. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "tcpreasm.h"

static void sink(void *arg, const struct mb_event *ev)
{
	(void)arg;
	volatile uint8_t x = 0;
	for (uint16_t i = 0; i < ev->key_len; i++)
		x ^= ev->key[i];
	(void)x;
}

static const uint32_t linktypes[] = { 0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 999 };

/*
 * Input: records [u8 linktype index][u8 elided][u16 length][bytes]: each record is one
 * packet, decoded and (when TCP/UDP) handed to a flow table with a small memory cap.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mc_ctx ctx;
	static struct mb_flowtab t;
	struct mb_portset ports;
	memset(&ports, 0, sizeof ports);
	mb_port_add(&ports, 11211);
	mb_port_add(&ports, 0x0101);
	struct mb_flow_limits lim = { .mem_cap = 1u << 20, .idle_ns = 1000, .reset_linger_ns = 500, .ooo_segs = 4,
				      .ooo_bytes = 4096 };
	mc_ctx_init(&ctx, sink, NULL);
	if (mb_flowtab_init(&t, &ports, &lim, &ctx) != 0)
		return 0;
	size_t off = 0;
	uint64_t ts = 1;
	while (size - off >= 4) {
		uint32_t lt = linktypes[data[off] % (sizeof linktypes / sizeof linktypes[0])];
		uint32_t elided = data[off + 1] & 0x0f;
		size_t n = (size_t)data[off + 2] << 8 | data[off + 3];
		off += 4;
		if (n > size - off)
			n = size - off;
		uint8_t *pkt = malloc(n ? n : 1);
		memcpy(pkt, data + off, n);
		struct mb_l4 l4;
		if (mb_net_decode(lt, pkt, (uint32_t)n, &l4) == MB_NET_OK) {
			if (l4.payload)
				(void)l4.payload[l4.len ? l4.len - 1 : 0];
			mb_flowtab_packet(&t, &l4, ts, elided);
		}
		ts += 100;
		free(pkt);
		off += n;
	}
	mb_flowtab_finish(&t);
	return 0;
}
