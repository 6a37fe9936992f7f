/* fuzz-trace.c - libFuzzer target: the twitter, cachelib and oracle readers (plain or zstd) and the writers on what they read. */
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "trace.h"

/* First byte: format (bits 0-1), --skip-bad (bit 2). The rest is the trace. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int devnull = -1;
	if (devnull < 0)
		devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (size < 1)
		return 0;
	unsigned fmt = 1 + data[0] % 3;
	bool skip = data[0] & 4;
	static const uint8_t secret[MB_ANON_SECRET_BYTES] = { 1, 2, 3 };
	struct mb_anon a;
	mb_anon_init_secret(&a, secret);
	struct mb_err err = { "" };
	struct mb_zin z;
	if (mb_zin_open_mem(&z, data + 1, size - 1, &err) != MB_OK)
		return 0;
	struct mb_trace_reader t;
	mb_trace_reader_init(&t, fmt, &z, "fuzz", &a, skip);
	struct mb_trace_writer w[3];
	for (unsigned i = 0; i < 3; i++)
		mb_trace_writer_init(&w[i], 1 + i, devnull, &err);
	struct mb_event ev;
	uint64_t n = 0;
	while (n++ < (1u << 12) && mb_trace_next(&t, &ev, &err) == MB_OK)
		for (unsigned i = 0; i < 3; i++)
			mb_trace_writer_event(&w[i], &ev, &err);
	for (unsigned i = 0; i < 3; i++) {
		mb_trace_writer_finish(&w[i], &err);
		mb_trace_writer_free(&w[i]);
	}
	mb_zin_close(&z);
	return 0;
}
