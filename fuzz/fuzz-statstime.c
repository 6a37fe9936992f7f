/* fuzz-statstime.c - libFuzzer target: the scan of a target's stats answer for its clock (fire_stats_time), on any bytes. */
#include <stdlib.h>

#include "fire_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t t = fire_stats_time((const char *)data, size);
	if (t < -1 || t > INT64_C(999999999999999999))
		abort(); /* -1, or a number of at most 18 digits */
	return 0;
}
