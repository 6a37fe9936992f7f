/* fire_ttl.c - unit tests of the expiration times mb-fire scales with its speed (common/fire_ttl.c). */
#include "fire_int.h"
#include "tap.h"

#define S UINT64_C(1000000000)

int main(void)
{
	const int64_t now = 1800000000; /* the replay's wall clock */
	const uint64_t rec = UINT64_C(1700000000) * S + 400000000; /* recorded at 1700000000.4 s */

	is_int(fire_ttl_scale(0, 10, rec, now), 0, "0 (never expires) stays 0");
	is_int(fire_ttl_scale(-1, 10, rec, now), -1, "negative (expired at once) stays negative");
	is_int(fire_ttl_scale(-30, 0.5, rec, now), -30, "... at any speed");
	is_int(fire_ttl_scale(20, 10, rec, now), 2, "20 s at -s 10: 2 s");
	is_int(fire_ttl_scale(21, 10, rec, now), 3, "21 s at -s 10: rounded up to 3 s");
	is_int(fire_ttl_scale(5, 10, rec, now), 1, "5 s at -s 10: at least 1 s");
	is_int(fire_ttl_scale(1, 1000000, rec, now), 1, "1 s at -s 1000000: 1 s");
	is_int(fire_ttl_scale(100, 1, rec, now), 100, "speed 1 keeps relative times");
	is_int(fire_ttl_scale(60, 0.5, rec, now), 120, "half speed doubles");
	is_int(fire_ttl_scale(2592000, 1, rec, now), 2592000, "30 days at speed 1 stays relative");
	is_int(fire_ttl_scale(2592000, 0.5, rec, now), now + 5184000,
	       "60 days after scaling: sent as a unix time from the replay's clock");
	is_int(fire_ttl_scale(INT32_MAX - 5, 0.001, rec, now), INT32_MAX, "a unix time past 2038 is capped");

	/* unix times: the lifetime left at the recorded time, scaled */
	is_int(fire_ttl_scale(1700000100, 1, rec, now), 100, "unix time 100 s after the recording: 100 s");
	is_int(fire_ttl_scale(1700000100, 10, rec, now), 10, "... at -s 10: 10 s");
	is_int(fire_ttl_scale(1700000001, 10, rec, now), 1, "... at least 1 s");
	is_int(fire_ttl_scale(1700000000, 1, rec, now), -1, "a unix time already reached: expired at once");
	is_int(fire_ttl_scale(1600000000, 1, rec, now), -1, "... also long past");
	is_int(fire_ttl_scale(1700000000 + 2592001, 1, rec, now), now + 2592001,
	       "a lifetime over 30 days stays a unix time, re-based on the replay's clock");
	is_int(fire_ttl_scale(1700000000 + 2592001, 2, rec, now), 1296001, "... or relative once scaled under 30 days");
	return done_testing();
}
