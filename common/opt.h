/* opt.h - command-line value parsers: numbers with ranges, sizes, durations, port lists, targets. */
#ifndef MB_OPT_H
#define MB_OPT_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

/* Parse a decimal unsigned integer (with optional k/M/G multiplier when `suffix`) in [min, max]. */
int mb_opt_u64(const char *s, uint64_t min, uint64_t max, bool suffix, uint64_t *out, struct mb_err *err);
/* Parse a floating-point number in [min, max]. */
int mb_opt_double(const char *s, double min, double max, double *out, struct mb_err *err);
/* Parse a duration "1.5", "500ms", "10s", "2m", "1h", "20us" into nanoseconds. */
int mb_opt_duration(const char *s, uint64_t *out_ns, struct mb_err *err);

/* A set of TCP/UDP ports (bitmap of 65536 bits). */
struct mb_portset {
	uint64_t bits[1024];
	unsigned count;
};
/* Parse "11211", "11211,31411-31431" into a set; MB_ERR names the bad item. */
int mb_opt_ports(const char *s, struct mb_portset *ps, struct mb_err *err);
static inline bool mb_port_in(const struct mb_portset *ps, uint16_t port)
{
	return (ps->bits[port >> 6] >> (port & 63)) & 1;
}
static inline void mb_port_add(struct mb_portset *ps, uint16_t port)
{
	if (!mb_port_in(ps, port))
		ps->count++;
	ps->bits[port >> 6] |= 1ull << (port & 63);
}

#endif
