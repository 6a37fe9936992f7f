/* tap.h - minimal TAP output for C unit tests: ok(), is_int(), done_testing(). */
#ifndef MB_TAP_H
#define MB_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

/* Report one test; returns cond. */
#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
static inline int tap_ok(int cond, const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
#include <stdarg.h>
static inline int tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	return cond;
}

/* Compare two integers, printing both on failure. */
#define is_int(got, want, ...)                                                                \
	do {                                                                                  \
		long long g_ = (long long)(got), w_ = (long long)(want);                      \
		if (!ok(g_ == w_, __VA_ARGS__))                                               \
			printf("#   got %lld, want %lld\n", g_, w_);                              \
	} while (0)

/* Print the plan and return the exit status. */
static inline int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
