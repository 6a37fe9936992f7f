/* siphash.h - SipHash-2-4 (Aumasson & Bernstein, 2012): a keyed 64-bit pseudorandom function. */
#ifndef MB_SIPHASH_H
#define MB_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* SipHash-2-4 of msg[0..len) under the 128-bit key (k0 = bytes 0..7, k1 = bytes 8..15, little-endian). */
uint64_t mb_siphash24(uint64_t k0, uint64_t k1, const void *msg, size_t len);

#endif
