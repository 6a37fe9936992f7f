/* siphash.c - SipHash-2-4 written from the paper's definition: 2 compression rounds, 4 finalization rounds. */
#include <string.h>

#include "bytes.h"
#include "siphash.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

/* One SipRound over the four state words. */
#define SIPROUND(v0, v1, v2, v3)             \
	do {                                     \
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                    \
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                    \
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
	} while (0)

uint64_t mb_siphash24(uint64_t k0, uint64_t k1, const void *msg, size_t len)
{
	const uint8_t *p = msg;
	/* Initialization: the key XORed with "somepseudorandomlygeneratedbytes". */
	uint64_t v0 = k0 ^ 0x736f6d6570736575ULL;
	uint64_t v1 = k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ULL;
	uint64_t v3 = k1 ^ 0x7465646279746573ULL;
	size_t whole = len & ~(size_t)7;

	/* Compression: each little-endian 8-byte word m is XORed into v3, two rounds, then into v0. */
	for (size_t i = 0; i < whole; i += 8) {
		uint64_t m = mb_ld_le64(p + i);
		v3 ^= m;
		SIPROUND(v0, v1, v2, v3);
		SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	/* Last word: the 0..7 remaining bytes, with len mod 256 in the top byte. */
	uint8_t tail[8] = { 0 };
	memcpy(tail, p + whole, len - whole);
	uint64_t b = mb_ld_le64(tail) | (uint64_t)(len & 0xff) << 56;
	v3 ^= b;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	/* Finalization: 0xff into v2, four rounds, XOR of the state. */
	v2 ^= 0xff;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}
