/* crc32c.c - CRC-32C (Castagnoli), slicing by 8 over constant tables generated at build time. */
#include "bytes.h"
#include "crc32c.h"
#include "crc32c_table.h" /* crc32c_table[8][256]: <build>/gen, from scripts/gen-crc32c-table.c */

uint32_t mb_crc32c(uint32_t crc, const void *data, size_t n)
{
	const uint8_t *p = data;
	crc = ~crc;
	while (n >= 8) { /* slicing by 8 */
		uint32_t lo = mb_ld_le32(p) ^ crc, hi = mb_ld_le32(p + 4);
		crc = crc32c_table[7][lo & 0xff] ^ crc32c_table[6][(lo >> 8) & 0xff] ^ crc32c_table[5][(lo >> 16) & 0xff] ^
		      crc32c_table[4][lo >> 24] ^ crc32c_table[3][hi & 0xff] ^ crc32c_table[2][(hi >> 8) & 0xff] ^
		      crc32c_table[1][(hi >> 16) & 0xff] ^ crc32c_table[0][hi >> 24];
		p += 8;
		n -= 8;
	}
	while (n--)
		crc = (crc >> 8) ^ crc32c_table[0][(crc ^ *p++) & 0xff];
	return ~crc;
}
