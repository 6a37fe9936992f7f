/* mbtime.c - clocks and exact timestamp formatting. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
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

size_t mb_rate_format(char *buf, size_t cap, double per_s)
{
	if (!(per_s > 0)) /* none, or not a number */
		per_s = 0;
	int n = snprintf(buf, cap, per_s >= 100 || per_s == 0 ? "%.0f" : per_s >= 1 ? "%.3g" : "%.3f", per_s);
	return n < 0 || !cap ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

/* n decimal digits of s as a number, or -1. */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Days from 1970-01-01 to the proleptic Gregorian date y-m-d (m 1..12). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int mb_time_parse(const char *s, uint64_t *out)
{
	size_t n = strlen(s);
	if (mb_ts_parse(s, n, out) == 0)
		return 0;
	/* YYYY-MM-DDTHH:MM:SS */
	if (n < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' ||
	    s[16] != ':')
		return -1;
	int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
	int h = digits(s + 11, 2), mi = digits(s + 14, 2), se = digits(s + 17, 2);
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h < 0 || h > 23 || mi < 0 || mi > 59 ||
	    se < 0 || se > 59)
		return -1;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return -1;
	size_t i = 19;
	uint64_t frac = 0;
	if (s[i] == '.') {
		size_t fd = 0;
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, fd++) {
			if (fd >= 9)
				return -1;
			frac = frac * 10 + (uint64_t)(s[i] - '0');
		}
		if (fd == 0)
			return -1;
		for (; fd < 9; fd++)
			frac *= 10;
	}
	int64_t off = 0;
	if (i + 1 == n && (s[i] == 'Z' || s[i] == 'z')) {
		off = 0;
	} else if (i + 6 == n && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
		int oh = digits(s + i + 1, 2), om = digits(s + i + 4, 2);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return -1;
		off = (s[i] == '+' ? 1 : -1) * (int64_t)(oh * 3600 + om * 60);
	} else {
		return -1;
	}
	int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
	if (secs < 0)
		return -1;
	*out = (uint64_t)secs * MB_NS_PER_SEC + frac;
	return 0;
}
