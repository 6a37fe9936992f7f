/* tap.h - TAP output for C unit tests: ok(), comparisons that print got and expected, done_testing(). */
#ifndef MB_TAP_H
#define MB_TAP_H

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/*
 * One assertion is one ok() (or one is_*()): the plan counts them.
 *
 *   ok(cond, fmt, ...)                 a boolean condition
 *   is_int(got, want, fmt, ...)        signed 64-bit equality
 *   is_uint(got, want, fmt, ...)       unsigned 64-bit equality
 *   is_str(got, want, fmt, ...)        C strings (NULL allowed) equal
 *   is_mem(got, want, len, fmt, ...)   len bytes equal; a failure dumps the first difference
 *   is_near(got, want, tol, fmt, ...)  |got - want| < tol
 *
 * Checks are expressions of the same comparisons that count no assertion: each returns the
 * verdict and, when false, notes what it got and expected; the next ok() prints the notes if
 * it fails (and drops them if it passes). They combine one assertion's conditions:
 *
 *   ok(eq(rq.cmd, MB_CMD_GET) && eq(rq.nkeys, 3) && eq_str(key, "ccc"), "get: three keys");
 *
 *   eq(got, want)            ==, in C's own arithmetic (operands of integer or floating type)
 *   cmp(got, op, want)       op is one of == != < <= > >=, also in C's arithmetic
 *   eq_str(got, want)        strcmp() == 0, NULL equals only NULL
 *   eq_mem(got, want, len)   memcmp() == 0
 *   contains(got, part)      strstr() != NULL (a NULL got contains nothing)
 *   near(got, want, tol)     fabs(got - want) < tol
 */

static int tap_n, tap_failed;
static char tap_notes[4096];
static size_t tap_notes_len;

/* Append one line to the notes the next failing ok() prints. */
static inline void tap_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void tap_note(const char *fmt, ...)
{
	va_list ap;
	size_t room = sizeof tap_notes - tap_notes_len;
	if (room < 2)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(tap_notes + tap_notes_len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	tap_notes_len += (size_t)n < room ? (size_t)n : room - 1;
}

/* Report one test; returns cond. */
#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
static inline int tap_ok(int cond, const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
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
		fputs(tap_notes, stdout);
	}
	tap_notes_len = 0;
	tap_notes[0] = '\0';
	return cond;
}

/* Relational operator by name, as the cmp() macro spells it; an unknown one is false. */
static inline int tap_op(int c, const char *op)
{
	if (!strcmp(op, "=="))
		return c == 0;
	if (!strcmp(op, "!="))
		return c != 0;
	if (!strcmp(op, "<"))
		return c < 0;
	if (!strcmp(op, "<="))
		return c <= 0;
	if (!strcmp(op, ">"))
		return c > 0;
	if (!strcmp(op, ">="))
		return c >= 0;
	tap_note("#   unknown operator %s\n", op);
	return 0;
}

/* The operator before the expected value ("==" goes without saying), and the expected
   expression after it unless it is the number itself. */
#define TAP_OP(op) strcmp(op, "==") ? op : "", strcmp(op, "==") ? " " : ""
#define TAP_EXPR(ws, wv) strncmp(wv, ws, strlen(ws)) ? " (" : "", strncmp(wv, ws, strlen(ws)) ? ws : "", strncmp(wv, ws, strlen(ws)) ? ")" : ""

/* Integer and floating checks: the verdict of got OP want in the operands' common type. */
static inline int tap_cmp_i64(int64_t g, const char *op, int64_t w, const char *gs, const char *ws)
{
	if (tap_op(g < w ? -1 : g > w, op))
		return 1;
	char wv[32];
	snprintf(wv, sizeof wv, "%" PRId64, w);
	tap_note("#   %s: got %" PRId64 ", expected %s%s%s%s%s%s\n", gs, g, TAP_OP(op), wv, TAP_EXPR(ws, wv));
	return 0;
}

static inline int tap_cmp_u64(uint64_t g, const char *op, uint64_t w, const char *gs, const char *ws)
{
	if (tap_op(g < w ? -1 : g > w, op))
		return 1;
	char wv[48];
	snprintf(wv, sizeof wv, "%" PRIu64 " (0x%" PRIx64 ")", w, w);
	tap_note("#   %s: got %" PRIu64 " (0x%" PRIx64 "), expected %s%s%s%s%s%s\n", gs, g, g, TAP_OP(op), wv, TAP_EXPR(ws, wv));
	return 0;
}

/* unsigned int arithmetic wraps at 32 bits: compare there, as C does, then report. */
static inline int tap_cmp_u32(unsigned g, const char *op, unsigned w, const char *gs, const char *ws)
{
	return tap_cmp_u64(g, op, w, gs, ws);
}

static inline int tap_cmp_dbl(double g, const char *op, double w, const char *gs, const char *ws)
{
	/* NaN compares false with everything except through !=, as in C */
	int c = g < w ? -1 : g > w ? 1 : g == w ? 0 : 2;
	if (c == 2 ? !strcmp(op, "!=") : tap_op(c, op))
		return 1;
	char wv[32];
	snprintf(wv, sizeof wv, "%.17g", w);
	tap_note("#   %s: got %.17g, expected %s%s%s%s%s%s\n", gs, g, TAP_OP(op), wv, TAP_EXPR(ws, wv));
	return 0;
}

/* The function for the common type of got and want (the type of got + want, never evaluated). */
#define tap_cmp_fn(g, w)                                                                      \
	_Generic((g) + (w),                                                                   \
		unsigned int: tap_cmp_u32,                                                    \
		unsigned long: tap_cmp_u64,                                                   \
		unsigned long long: tap_cmp_u64,                                              \
		float: tap_cmp_dbl,                                                           \
		double: tap_cmp_dbl,                                                          \
		long double: tap_cmp_dbl,                                                     \
		default: tap_cmp_i64)

#define cmp(g, op, w) tap_cmp_fn(g, w)((g), #op, (w), #g, #w)
#define eq(g, w) tap_cmp_fn(g, w)((g), "==", (w), #g, #w)

/* C strings equal; NULL equals only NULL. */
static inline int tap_eq_str(const char *g, const char *w, const char *gs)
{
	if (g == w || (g && w && strcmp(g, w) == 0))
		return 1;
	if (!g || !w)
		tap_note("#   %s: got %s%s%s, expected %s%s%s\n", gs, g ? "\"" : "", g ? g : "NULL", g ? "\"" : "",
			 w ? "\"" : "", w ? w : "NULL", w ? "\"" : "");
	else
		tap_note("#   %s: got \"%s\", expected \"%s\"\n", gs, g, w);
	return 0;
}
#define eq_str(g, w) tap_eq_str((g), (w), #g)

/* got holds part. */
static inline int tap_contains(const char *g, const char *part, const char *gs)
{
	if (g && strstr(g, part))
		return 1;
	tap_note("#   %s: got %s%s%s, expected it to contain \"%s\"\n", gs, g ? "\"" : "", g ? g : "NULL", g ? "\"" : "", part);
	return 0;
}
#define contains(g, part) tap_contains((g), (part), #g)

/* len bytes equal; otherwise up to 16 bytes of each side from the first difference, in hex. */
static inline int tap_eq_mem(const void *gp, const void *wp, size_t len, const char *gs)
{
	const unsigned char *g = gp, *w = wp;
	size_t i = 0, k;
	if (len == 0 || memcmp(g, w, len) == 0)
		return 1;
	while (g[i] == w[i])
		i++;
	tap_note("#   %s: %zu bytes differ first at byte %zu\n#     got     ", gs, len, i);
	for (k = i; k < len && k < i + 16; k++)
		tap_note(" %02x", g[k]);
	tap_note("\n#     expected");
	for (k = i; k < len && k < i + 16; k++)
		tap_note(" %02x", w[k]);
	tap_note("\n");
	return 0;
}
#define eq_mem(g, w, len) tap_eq_mem((g), (w), (len), #g)

/* |got - want| < tol. */
static inline int tap_near(double g, double w, double tol, const char *gs)
{
	if (fabs(g - w) < tol)
		return 1;
	tap_note("#   %s: got %.17g, expected %.17g within %g (off by %g)\n", gs, g, w, tol, fabs(g - w));
	return 0;
}
#define near(g, w, tol) tap_near((g), (w), (tol), #g)

/* The assertions: one check each. */
#define is_int(got, want, ...) ok(tap_cmp_i64((got), "==", (want), #got, #want), __VA_ARGS__)
#define is_uint(got, want, ...) ok(tap_cmp_u64((got), "==", (want), #got, #want), __VA_ARGS__)
#define is_str(got, want, ...) ok(eq_str(got, want), __VA_ARGS__)
#define is_mem(got, want, len, ...) ok(eq_mem(got, want, len), __VA_ARGS__)
#define is_near(got, want, tol, ...) ok(near(got, want, tol), __VA_ARGS__)

/* Print the plan and return the exit status. */
static inline int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
