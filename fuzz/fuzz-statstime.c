/* fuzz-statstime.c - libFuzzer target: the walk of a target's stats answer for its clock (fire_stats_time), on any bytes. */
#include <stdlib.h>

#include "fire_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t t = 0;
	int rc = fire_stats_time(data, size, &t);
	if (rc < -1 || rc > 1 || t < -1 || t > INT64_C(999999999999999999))
		abort(); /* three outcomes; the clock -1 or a number of at most 18 digits */
	return 0;
}
