/* opt.c - strict parsers for command-line values. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mbtime.h"
#include "opt.h"

int mb_opt_u64(const char *s, uint64_t min, uint64_t max, bool suffix, uint64_t *out, struct mb_err *err)
{
	char *end;
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return mb_err_set(err, MB_ERR, "not a number: '%s'", s ? s : "");
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return mb_err_set(err, MB_ERR, "not a number: '%s'", s);
	uint64_t mul = 1;
	if (suffix && *end) {
		switch (*end) {
		case 'k': case 'K': mul = 1000ull; break;
		case 'm': case 'M': mul = 1000000ull; break;
		case 'g': case 'G': mul = 1000000000ull; break;
		default: return mb_err_set(err, MB_ERR, "not a number: '%s'", s);
		}
		end++;
	}
	if (*end)
		return mb_err_set(err, MB_ERR, "not a number: '%s'", s);
	if (v > UINT64_MAX / mul)
		return mb_err_set(err, MB_ERR, "number out of range: '%s'", s);
	v *= mul;
	if (v < min || v > max)
		return mb_err_set(err, MB_ERR, "number out of range %llu..%llu: '%s'", (unsigned long long)min,
				  (unsigned long long)max, s);
	*out = v;
	return MB_OK;
}

int mb_opt_double(const char *s, double min, double max, double *out, struct mb_err *err)
{
	char *end;
	if (!s || !*s)
		return mb_err_set(err, MB_ERR, "not a number: '%s'", s ? s : "");
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v))
		return mb_err_set(err, MB_ERR, "not a number: '%s'", s);
	if (v < min || v > max)
		return mb_err_set(err, MB_ERR, "number out of range %g..%g: '%s'", min, max, s);
	*out = v;
	return MB_OK;
}

int mb_opt_duration(const char *s, uint64_t *out_ns, struct mb_err *err)
{
	char *end;
	if (!s || !*s || *s == '-')
		return mb_err_set(err, MB_ERR, "not a duration: '%s'", s ? s : "");
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0)
		return mb_err_set(err, MB_ERR, "not a duration: '%s'", s);
	double scale;
	if (!*end || !strcmp(end, "s"))
		scale = 1e9;
	else if (!strcmp(end, "ms"))
		scale = 1e6;
	else if (!strcmp(end, "us"))
		scale = 1e3;
	else if (!strcmp(end, "ns"))
		scale = 1;
	else if (!strcmp(end, "m"))
		scale = 60e9;
	else if (!strcmp(end, "h"))
		scale = 3600e9;
	else
		return mb_err_set(err, MB_ERR, "not a duration (units: ns us ms s m h): '%s'", s);
	double ns = v * scale;
	if (ns > 1e18)
		return mb_err_set(err, MB_ERR, "duration too long: '%s'", s);
	*out_ns = (uint64_t)ns;
	return MB_OK;
}

static int port_num(const char *s, size_t n, uint16_t *out)
{
	unsigned v = 0;
	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

int mb_opt_ports(const char *s, struct mb_portset *ps, struct mb_err *err)
{
	memset(ps, 0, sizeof *ps);
	const char *p = s;
	if (!s || !*s)
		return mb_err_set(err, MB_ERR, "empty port list");
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		const char *dash = memchr(p, '-', n);
		uint16_t lo, hi;
		if (dash) {
			if (port_num(p, (size_t)(dash - p), &lo) || port_num(dash + 1, n - (size_t)(dash - p) - 1, &hi) || hi < lo)
				return mb_err_set(err, MB_ERR, "bad port range '%.*s' in port list: '%s'", (int)n, p, s);
		} else {
			if (port_num(p, n, &lo))
				return mb_err_set(err, MB_ERR, "bad port '%.*s' in port list: '%s'", (int)n, p, s);
			hi = lo;
		}
		for (unsigned q = lo; q <= hi; q++)
			mb_port_add(ps, (uint16_t)q);
		if (!comma)
			break;
		p = comma + 1;
		if (!*p)
			return mb_err_set(err, MB_ERR, "trailing comma in port list: '%s'", s);
	}
	return MB_OK;
}
