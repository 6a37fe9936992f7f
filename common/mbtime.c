/* mbtime.c - clocks and exact timestamp formatting. */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "mbtime.h"

uint64_t mb_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * MB_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

uint64_t mb_real_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * MB_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

size_t mb_ts_format(char *buf, size_t cap, uint64_t ns)
{
	int n = snprintf(buf, cap, "%" PRIu64 ".%09" PRIu64, ns / MB_NS_PER_SEC, ns % MB_NS_PER_SEC);
	return n < 0 ? 0 : (size_t)n;
}

int mb_ts_parse(const char *s, size_t n, uint64_t *out)
{
	uint64_t sec = 0, frac = 0;
	size_t i = 0, digits = 0;
	if (n == 0)
		return -1;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		sec = sec * 10 + (uint64_t)(s[i] - '0');
		if (++digits > 11 || sec > UINT64_MAX / MB_NS_PER_SEC)
			return -1;
	}
	if (digits == 0)
		return -1;
	if (i < n) {
		if (s[i++] != '.')
			return -1;
		size_t fd = 0;
		for (; i < n; i++, fd++) {
			if (s[i] < '0' || s[i] > '9' || fd >= 9)
				return -1;
			frac = frac * 10 + (uint64_t)(s[i] - '0');
		}
		for (; fd < 9; fd++)
			frac *= 10;
	}
	if (frac > UINT64_MAX - sec * MB_NS_PER_SEC)
		return -1;
	*out = sec * MB_NS_PER_SEC + frac;
	return 0;
}

size_t mb_dur_format(char *buf, size_t cap, uint64_t ns)
{
	int n;
	if (ns < 1000)
		n = snprintf(buf, cap, "%" PRIu64 "ns", ns);
	else if (ns < 1000000)
		n = snprintf(buf, cap, "%.2fus", (double)ns / 1e3);
	else if (ns < 1000000000)
		n = snprintf(buf, cap, "%.2fms", (double)ns / 1e6);
	else
		n = snprintf(buf, cap, "%.3fs", (double)ns / 1e9);
	return n < 0 ? 0 : (size_t)n;
}
