/* fire_ttl.c - unit tests of the expiration times mb-fire scales with its speed (common/fire_ttl.c). */
#include "fire_int.h"
#include "tap.h"

#define S UINT64_C(1000000000)
/* a clock seen from the intended send: next tick in, period per (no lifetime bounds) */
#define TK(in, per) (&(struct fire_ticks){ .tick_in_ns = (in), .period_ns = (per) })
/* ... with the lifetime the input showed: alive then, expired then (0: none) */
/* ... with the first tick unsure: it may come early or late by these */
#define TU(in, early, late, alive, expired) (&(struct fire_ticks){ .tick_in_ns = (in), .early_ns = (early), .late_ns = (late), \
	.period_ns = S, .alive_ns = (alive), .expired_ns = (expired) })
#define TB(in, alive, expired) (&(struct fire_ticks){ .tick_in_ns = (in), .period_ns = S, .alive_ns = (alive), .expired_ns = (expired) })

int main(void)
{
	const int64_t now = 1800000000; /* the replay's wall clock */
	const uint64_t rec = UINT64_C(1700000000) * S + 400000000; /* recorded at 1700000000.4 s */

	is_int(fire_ttl_scale(0, 10, rec, now, NULL), 0, "0 (never expires) stays 0");
	is_int(fire_ttl_scale(-1, 10, rec, now, NULL), -1, "negative (expired at once) stays negative");
	is_int(fire_ttl_scale(-30, 0.5, rec, now, NULL), -30, "... at any speed");
	is_int(fire_ttl_scale(20, 10, rec, now, NULL), 2, "20 s at -s 10: 2 s");
	is_int(fire_ttl_scale(21, 10, rec, now, NULL), 3, "21 s at -s 10: rounded up to 3 s");
	is_int(fire_ttl_scale(5, 10, rec, now, NULL), 1, "5 s at -s 10: at least 1 s");
	is_int(fire_ttl_scale(1, 1000000, rec, now, NULL), 1, "1 s at -s 1000000: 1 s");
	is_int(fire_ttl_scale(100, 1, rec, now, NULL), 100, "speed 1 keeps relative times");
	is_int(fire_ttl_scale(60, 0.5, rec, now, NULL), 120, "half speed doubles");
	is_int(fire_ttl_scale(2592000, 1, rec, now, NULL), 2592000, "30 days at speed 1 stays relative");
	is_int(fire_ttl_scale(2592000, 0.5, rec, now, NULL), now + 5184000,
	       "60 days after scaling: sent as a unix time from the replay's clock");
	is_int(fire_ttl_scale(INT32_MAX - 5, 0.001, rec, now, NULL), INT32_MAX, "a unix time past 2038 is capped");

	/* unix times: the lifetime left at the recorded time, scaled */
	is_int(fire_ttl_scale(1700000100, 1, rec, now, NULL), 100, "unix time 100 s after the recording: 100 s");
	is_int(fire_ttl_scale(1700000100, 10, rec, now, NULL), 10, "... at -s 10: 10 s");
	is_int(fire_ttl_scale(1700000001, 10, rec, now, NULL), 1, "... at least 1 s");
	is_int(fire_ttl_scale(1700000000, 1, rec, now, NULL), -1, "a unix time already reached: expired at once");
	is_int(fire_ttl_scale(1600000000, 1, rec, now, NULL), -1, "... also long past");
	is_int(fire_ttl_scale(1700000000 + 2592001, 1, rec, now, NULL), now + 2592001,
	       "a lifetime over 30 days stays a unix time, re-based on the replay's clock");
	is_int(fire_ttl_scale(1700000000 + 2592001, 2, rec, now, NULL), 1296001, "... or relative once scaled under 30 days");

	/* on a known clock: the exptime whose tick falls nearest to the scaled lifetime (the
	   recorded item lived ttl - 0.5 s on average, its server ticking at a random point) */
	const uint64_t ms = 1000000;
	is_int(fire_ttl_scale(100, 100, rec, now, TK(200 * ms, S)), 2, "100 s at -s 100, tick in 0.2 s: expires at 1.2 s, not 0.2 s");
	is_int(fire_ttl_scale(100, 100, rec, now, TK(600 * ms, S)), 1, "... tick in 0.6 s: at 0.6 s, nearer 0.995 s than 1.6 s");
	is_int(fire_ttl_scale(20, 10, rec, now, TK(S, S)), 2, "20 s at -s 10, tick in 1 s: at 2 s");
	is_int(fire_ttl_scale(20, 10, rec, now, TK(1, S)), 3, "... tick in 1 ns: at 2 s (1.95 s wanted)");
	is_int(fire_ttl_scale(5, 10, rec, now, TK(900 * ms, S)), 1, "5 s at -s 10: at least 1, the next tick");
	is_int(fire_ttl_scale(100, 1, rec, now, TK(1, S)), 100, "speed 1: the recorded exptime, tick in 1 ns");
	is_int(fire_ttl_scale(100, 1, rec, now, TK(S, S)), 100, "... tick in 1 s");
	is_int(fire_ttl_scale(100, 1, rec, now, TK(500 * ms, S)), 100, "... tick in 0.5 s");
	is_int(fire_ttl_scale(1700000100, 10, rec, now, TK(300 * ms, S)), 11,
	       "unix time: 100.1 s left on average, at -s 10 with a tick in 0.3 s: 10.3 s");
	is_int(fire_ttl_scale(1700000000, 10, rec, now, TK(300 * ms, S)), -1, "a unix time reached stays expired");
	is_int(fire_ttl_scale(2592000, 0.5, rec, now, TK(300 * ms, S)), now + 5184000, "over 30 days: a unix time as before");
	is_int(fire_ttl_scale(0, 10, rec, now, TK(300 * ms, S)), 0, "0 stays 0");
	/* a clock whose ticks come 1.005 s apart (its timer runs 5 ms late each second) */
	is_int(fire_ttl_scale(2000, 10, rec, now, TK(500 * ms, S)), 200, "2000 s at -s 10, tick in 0.5 s, 1 s apart: 200 ticks");
	is_int(fire_ttl_scale(2000, 10, rec, now, TK(500 * ms, 1005 * ms)), 199, "... 1.005 s apart: 199 ticks (199.49 s)");
	is_int(fire_ttl_scale(2000, 10, rec, now, TK(500 * ms, 0)), 200, "... period 0: 1 s");
	is_int(fire_ttl_scale(20, 10, rec, now, TK(1500 * ms, S)), 1, "sent 0.5 s late, tick 1.5 s after the intended send: 1");

	/* what later requests of the input showed of the item's lifetime moves the tick */
	is_int(fire_ttl_scale(100, 100, rec, now, TB(200 * ms, 0, 0)), 2, "100 s at -s 100, tick in 0.2 s: 1.2 s");
	is_int(fire_ttl_scale(100, 100, rec, now, TB(600 * ms, 0, 0)), 1, "... tick in 0.6 s: at 0.6 s");
	is_int(fire_ttl_scale(100, 100, rec, now, TB(600 * ms, 800 * ms, 0)), 2,
	       "... but a hit at 0.8 s: at 1.6 s, the first tick after it");
	is_int(fire_ttl_scale(100, 100, rec, now, TB(600 * ms, 595 * ms, 0)), 2, "... a hit 5 ms before the tick: too near, 1.6 s");
	is_int(fire_ttl_scale(100, 100, rec, now, TB(600 * ms, 580 * ms, 0)), 1, "... 20 ms before it: 0.6 s");
	is_int(fire_ttl_scale(100, 100, rec, now, TB(200 * ms, 0, 1100 * ms)), 1,
	       "tick in 0.2 s, a miss at 1.1 s: at 0.2 s, not 1.2 s");
	is_int(fire_ttl_scale(100, 100, rec, now, TB(200 * ms, 0, 1205 * ms)), 1, "... a miss 5 ms after 1.2 s: too near, 0.2 s");
	is_int(fire_ttl_scale(100, 100, rec, now, TB(200 * ms, 0, 1300 * ms)), 2, "... a miss at 1.3 s: 1.2 s as it was");
	is_int(fire_ttl_scale(100, 100, rec, now, TB(200 * ms, 300 * ms, 1100 * ms)), 2,
	       "a hit at 0.3 s and a miss at 1.1 s, no tick between: the nearest, 1.2 s");
	is_int(fire_ttl_scale(1000, 100, rec, now, TB(200 * ms, 0, 3100 * ms)), 3,
	       "1000 s at -s 100 (10 s), a miss at 3.1 s: the last tick before it, 2.2 s");
	is_int(fire_ttl_scale(1000, 100, rec, now, TB(200 * ms, 30 * S, 0)), 31,
	       "... a hit at 30 s: the first tick after it, 30.2 s");
	is_int(fire_ttl_scale(100, 100, rec, now, TB(998 * ms, 2 * ms, 0)), 1,
	       "the last tick predicted 2 ms before the send, a hit 2 ms after it: 0.998 s");
	is_int(fire_ttl_scale(100, 100, rec, now, TU(998 * ms, 998 * ms, 0, 2 * ms, 0)), 2,
	       "... that tick may still come: 1.998 s, after the hit either way");
	is_int(fire_ttl_scale(100, 100, rec, now, TU(998 * ms, 998 * ms, 0, 0, 0)), 1, "... without a hit: 0.998 s");
	is_int(fire_ttl_scale(100, 100, rec, now, TU(3 * ms, 0, S, 0, 1500 * ms)), 1,
	       "a tick predicted 3 ms after the send, a miss at 1.5 s: 0.003 s, before it either way");
	is_int(fire_ttl_scale(100, 100, rec, now, TU(3 * ms, 0, S, 0, 900 * ms)), 1,
	       "... a miss at 0.9 s, which no exptime meets if the tick came late: 0.003 s as predicted");
	is_int(fire_ttl_scale(100, 100, rec, now, TU(3 * ms, 0, S, 0, 0)), 2, "... without a miss: 1.003 s, the nearest");
	is_int(fire_ttl_scale(2592000, 1, rec, now, TB(S, 90 * 86400 * S, 0)), 2592000,
	       "a bound past 30 days: exptime stays relative, 30 days at most");

	/* a target's stats answer, walked unit by unit */
	static const char st[] = "STAT pid 7\r\nSTAT uptime 3\r\nSTAT time 1700000123\r\nSTAT version 1.6\r\nEND\r\n";
	int64_t t = 0;
	is_int(fire_stats_time((const uint8_t *)st, sizeof st - 1, &t), 0, "a stats answer ends at END");
	is_int(t, 1700000123, "... with its clock");
	is_int(fire_stats_time((const uint8_t *)st, sizeof st - 3, &t), 1, "without END's CRLF: more to come");
	is_int(fire_stats_time((const uint8_t *)st, 40, &t), 1, "... or in the middle of the time line");
	is_int(fire_stats_time((const uint8_t *)"STAT pid 7\r\nEND\r\n", 17, &t), 0, "no time line: an answer ...");
	is_int(t, -1, "... without a clock");
	is_int(fire_stats_time((const uint8_t *)"STAT time 12x\r\nEND\r\n", 20, &t), 0, "a time that is not a number ...");
	is_int(t, -1, "... is no clock");
	is_int(fire_stats_time((const uint8_t *)"STAT time 1234567890123456789\r\nEND\r\n", 36, &t), 0, "19 digits ...");
	is_int(t, -1, "... are no clock either");
	is_int(fire_stats_time((const uint8_t *)"STAT times 5\r\nSTAT time 9\r\nEND\r\n", 32, &t), 0, "another stat's name ...");
	is_int(t, 9, "... is not the time");
	is_int(fire_stats_time((const uint8_t *)"ERROR\r\n", 7, &t), -1, "an error line is not a stats answer");
	is_int(fire_stats_time((const uint8_t *)"VALUE k 0 1\r\nx\r\nEND\r\n", 21, &t), -1, "nor is a value");
	is_int(fire_stats_time((const uint8_t *)"STAT time 5\nEND\r\n", 17, &t), -1, "nor a line without CR");
	return done_testing();
}
