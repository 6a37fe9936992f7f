/* fuzz-textfmt.c - libFuzzer target: mb-cat -p's line parser on arbitrary text, and re-printing what parses. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stream.h"
#include "textfmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *payload;
	static struct mb_stream_info info;
	if (!payload)
		payload = malloc(MB_FRAME_MAX + 16);
	unsigned kind = MB_KIND_NONE;
	const char *p = (const char *)data, *end = p + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		uint16_t type, flags;
		uint32_t len;
		enum mb_text_line what;
		struct mb_err err;
		if (mb_text_parse(p, n, &kind, &info, &type, &flags, payload, &len, &what, &err) == MB_OK &&
		    what == MB_TL_FRAME) {
			struct mb_frame f = { type, flags, len, payload, 0 };
			struct mb_buf b = { 0 };
			mb_text_frame(&b, kind, &f, &err);
			mb_buf_free(&b);
		}
		p += n + 1;
	}
	return 0;
}
