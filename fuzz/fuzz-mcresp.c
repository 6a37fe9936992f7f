/* fuzz-mcresp.c - libFuzzer target: the client-side response parser over a whole response stream. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "mcresp.h"

/*
 * Input: byte 0 picks the mode (bit 0: binary) and a command for the status mapping;
 * the rest is parsed unit after unit as mb-fire's connection reader does, skipping
 * values, and once more in small pieces to exercise "need more" at every cut.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int binary = data[0] & 1;
	unsigned cmd = (data[0] >> 1) % MB_CMD_COUNT;
	const uint8_t *p = data + 1;
	size_t n = size - 1;
	size_t off = 0;
	while (off < n) {
		struct mb_mcresp u;
		int rc = mb_mcresp_parse(binary, p + off, n - off, &u);
		if (rc != MB_MCRESP_OK)
			break;
		if (mb_mcresp_status(cmd, &u) >= MB_ST_COUNT)
			abort();
		if (u.hdr_len == 0 || u.hdr_len > n - off)
			abort(); /* a unit's header lies inside what was parsed */
		size_t skip = (size_t)u.hdr_len + u.value_len + u.trailer_len;
		off = skip > n - off ? n : off + skip;
	}
	/* every prefix: more / bad / ok, and ok never reports a header past the prefix */
	for (size_t cut = 0; cut <= n && cut < 64; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		if (!copy)
			return 0;
		memcpy(copy, p, cut);
		struct mb_mcresp u;
		int rc = mb_mcresp_parse(binary, copy, cut, &u);
		if (rc == MB_MCRESP_OK && u.hdr_len > cut)
			abort();
		free(copy);
	}
	return 0;
}
