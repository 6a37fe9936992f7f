/* mbtime.c - unit tests of the wall-clock instants mb-fire --start-at takes (mb_time_parse in common/mbtime.c), the rates reports print and --shard. */
#include <math.h>
#include <string.h>

#include "fire.h"
#include "mbtime.h"
#include "tap.h"

#define S UINT64_C(1000000000)

static uint64_t at(const char *s)
{
	uint64_t v = 0;
	return mb_time_parse(s, &v) == 0 ? v : UINT64_MAX;
}

int main(void)
{
	ok(at("1796557020") == UINT64_C(1796557020) * S, "unix seconds");
	ok(at("1796557020.25") == UINT64_C(1796557020) * S + 250000000, "fractional unix seconds");
	ok(at("1796557020.123456789") == UINT64_C(1796557020) * S + 123456789, "nine decimals");
	ok(at("1796557020.1234567891") == UINT64_MAX, "ten decimals are refused");
	ok(at("1970-01-01T00:00:00Z") == 0, "the epoch");
	ok(at("2026-12-06T11:40:00Z") == UINT64_C(1796557200) * S, "RFC 3339, Z");
	ok(at("2026-12-06t11:40:00z") == UINT64_C(1796557200) * S, "lower-case t and z");
	ok(at("2026-12-06 11:40:00Z") == UINT64_C(1796557200) * S, "a space for T");
	ok(at("2026-12-06T12:40:00.5+01:00") == UINT64_C(1796557200) * S + 500000000, "an offset east, a fraction");
	ok(at("2026-12-06T06:10:00-05:30") == UINT64_C(1796557200) * S, "an offset west with minutes");
	ok(at("2024-02-29T00:00:00Z") == UINT64_C(1709164800) * S, "29 February of a leap year");
	ok(at("2100-03-01T00:00:00Z") == UINT64_C(4107542400) * S, "past 2038 and a century not a leap year");
	ok(at("2023-02-29T00:00:00Z") == UINT64_MAX, "29 February of another year is refused");
	ok(at("2100-02-29T00:00:00Z") == UINT64_MAX, "... also of 2100");
	ok(at("2026-13-01T00:00:00Z") == UINT64_MAX, "month 13");
	ok(at("2026-04-31T00:00:00Z") == UINT64_MAX, "31 April");
	ok(at("2026-12-06T24:00:00Z") == UINT64_MAX, "hour 24");
	ok(at("2026-12-06T11:40:60Z") == UINT64_MAX, "second 60 (no leap second)");
	ok(at("2026-12-06T11:40:00") == UINT64_MAX, "no zone");
	ok(at("2026-12-06T11:40:00.Z") == UINT64_MAX, "a point without digits");
	ok(at("2026-12-06T11:40:00+0100") == UINT64_MAX, "an offset without colon");
	ok(at("2026-12-06T11:40:00Zx") == UINT64_MAX, "bytes after the zone");
	ok(at("1969-12-31T23:59:59Z") == UINT64_MAX, "before 1970");
	ok(at("1970-01-01T00:30:00+01:00") == UINT64_MAX, "before the epoch through the offset");
	ok(at("") == UINT64_MAX && at("12:00") == UINT64_MAX && at("-5") == UINT64_MAX, "not a time");

	char rate[8];
	ok(mb_rate_format(rate, sizeof rate, 48213.4) == 5 && !strcmp(rate, "48213"), "a rate from 100 is whole");
	ok(mb_rate_format(rate, sizeof rate, 9.3333) == 4 && !strcmp(rate, "9.33"), "below 100, three significant digits");
	ok(mb_rate_format(rate, sizeof rate, 0.46666) == 5 && !strcmp(rate, "0.467"), "below 1, three decimals");
	ok(mb_rate_format(rate, sizeof rate, 0) == 1 && !strcmp(rate, "0"), "none is 0");
	ok(mb_rate_format(rate, sizeof rate, -1) == 1 && !strcmp(rate, "0") && mb_rate_format(rate, sizeof rate, NAN) == 1 &&
	   !strcmp(rate, "0"), "a negative rate or not a number is 0");
	ok(mb_rate_format(rate, sizeof rate, 1e12) == 7 && !strcmp(rate, "1000000"), "cut to fit, the length written");

	struct fire_opts o;
	struct mb_err err;
	memset(&o, 0, sizeof o);
	ok(fire_shard_parse("2/3", &o, &err) == MB_OK && o.shard == 2 && o.shards == 3, "--shard 2/3");
	ok(fire_shard_parse("0/1", &o, &err) == MB_OK && o.shard == 0 && o.shards == 1, "--shard 0/1");
	ok(fire_shard_parse("4095/4096", &o, &err) == MB_OK, "--shard 4095/4096");
	ok(fire_shard_parse("3/3", &o, &err) == MB_ERR, "I must be below N");
	ok(fire_shard_parse("0/4097", &o, &err) == MB_ERR, "N at most 4096");
	ok(fire_shard_parse("0/0", &o, &err) == MB_ERR, "N at least 1");
	ok(fire_shard_parse("1", &o, &err) == MB_ERR && fire_shard_parse("/3", &o, &err) == MB_ERR &&
	   fire_shard_parse("1/", &o, &err) == MB_ERR && fire_shard_parse("-1/3", &o, &err) == MB_ERR &&
	   fire_shard_parse("1/3x", &o, &err) == MB_ERR && fire_shard_parse("1/+3", &o, &err) == MB_ERR,
	   "malformed");
	ok(fire_shard_parse("99999999999999999999/3", &o, &err) == MB_ERR, "an index that overflows");
	return done_testing();
}
