/* crc32c.h - CRC-32C (Castagnoli), the checksum of profile headers and blocks. */
#ifndef MB_CRC32C_H
#define MB_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32C (Castagnoli) of p[0..n), continuing from crc (start with 0). */
uint32_t mb_crc32c(uint32_t crc, const void *p, size_t n);

#endif
