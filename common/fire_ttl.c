/* fire_ttl.c - expiration times scaled with the replay's speed, so items expire at the same point of the replay. */
#include <math.h>

#include "fire_int.h"
#include "mbtime.h"
#include "mclimits.h"

/* ceil(secs / speed), at least 1, as a count of seconds that fits an int32. */
static int64_t scaled(int64_t secs, double speed)
{
	double d = ceil((double)secs / speed);
	if (d < 1)
		return 1;
	return d > (double)INT32_MAX ? INT32_MAX : (int64_t)d;
}

int32_t fire_ttl_scale(int32_t ttl, double speed, uint64_t rec_ns, int64_t now_s)
{
	if (ttl <= 0)
		return ttl;
	int64_t left = ttl;
	if (ttl > MB_MC_TTL_RELATIVE_MAX) {
		left = (int64_t)ttl - (int64_t)(rec_ns / MB_NS_PER_SEC);
		if (left <= 0)
			return -1; /* it had expired when it was sent: it expires at once again */
	}
	int64_t out = scaled(left, speed);
	if (out <= MB_MC_TTL_RELATIVE_MAX)
		return (int32_t)out;
	out += now_s; /* too long to be relative: a unix time again, from the replay's clock */
	return out > INT32_MAX ? INT32_MAX : (int32_t)out;
}
