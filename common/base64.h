/* base64.h - standard base64 (RFC 4648 alphabet, = padding): meta keys, HdrHistogram log lines. */
#ifndef MB_BASE64_H
#define MB_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Base64 of the n bytes at s, with = padding, written at p (room for 4 * ceil(n / 3) bytes);
   returns the end of what was written. */
uint8_t *mb_base64_encode(uint8_t *p, const uint8_t *s, size_t n);
/* Decode base64 [p, p+n) into out (cap bytes); the decoded length or -1. */
int mb_base64_decode(const uint8_t *p, size_t n, uint8_t *out, size_t cap);

#endif
