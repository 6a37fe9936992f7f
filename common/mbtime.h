/* mbtime.h - clocks and timestamp formatting in nanoseconds. */
#ifndef MB_TIME_H
#define MB_TIME_H

#include <stddef.h>
#include <stdint.h>

#define MB_NS_PER_SEC UINT64_C(1000000000)

/* CLOCK_MONOTONIC in ns. */
uint64_t mb_mono_ns(void);
/* CLOCK_REALTIME in ns since the epoch. */
uint64_t mb_real_ns(void);
/* Format ns since epoch as "SECONDS.NNNNNNNNN" (exact, round-trips with mb_ts_parse). */
size_t mb_ts_format(char *buf, size_t cap, uint64_t ns);
/* Parse "SECONDS[.FRACTION]" (up to 9 fraction digits) into ns; -1 on bad input. */
int mb_ts_parse(const char *s, size_t n, uint64_t *out);
/* Parse a wall-clock instant into ns since the epoch: unix seconds ("1765000000.25", as
   mb_ts_parse) or RFC 3339 ("2026-12-06T11:40:00.5Z", "...+01:00"; 't' or ' ' for 'T', 'z'
   for 'Z', up to 9 fraction digits, no leap second). 0, or -1 on bad input or before 1970. */
int mb_time_parse(const char *s, uint64_t *out);
/* Format a duration in ns with a unit ("812ns", "3.41us", "12.0ms", "4.20s"). */
size_t mb_dur_format(char *buf, size_t cap, uint64_t ns);
/* Format a rate per second without its unit: whole from 100 ("48213"), three significant
   digits from 1 ("9.33", "12.3"), three decimals below ("0.467"), none for 0, so a slow replay's rate
   does not print as 0. Returns the length written (cut to fit cap). */
size_t mb_rate_format(char *buf, size_t cap, double per_s);

#endif
