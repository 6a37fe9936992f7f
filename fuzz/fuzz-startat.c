/* fuzz-startat.c - libFuzzer target: mb-fire's --start-at (mb_time_parse) and --shard I/N parsers, on any bytes. */
#include <stdlib.h>
#include <string.h>

#include "fire.h"
#include "mbtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[128];
	size_t n = size < sizeof s - 1 ? size : sizeof s - 1;
	memcpy(s, data, n);
	s[n] = 0;
	uint64_t ns;
	if (mb_time_parse(s, &ns) == 0 && strlen(s) >= 20 && ns / 1000000000u > 253402300799u)
		abort(); /* an RFC 3339 time past 9999-12-31 */
	struct fire_opts o;
	struct mb_err err;
	memset(&o, 0, sizeof o);
	if (fire_shard_parse(s, &o, &err) == MB_OK && (o.shards < 1 || o.shards > FIRE_SHARDS_MAX || o.shard >= o.shards))
		abort();
	return 0;
}
