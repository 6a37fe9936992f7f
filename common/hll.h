/* hll.h - HyperLogLog distinct counter (2^14 registers, ~0.8% standard error) over 64-bit hashes. */
#ifndef MB_HLL_H
#define MB_HLL_H

#include <stdint.h>

#define MB_HLL_P 14
#define MB_HLL_M (1u << MB_HLL_P)

/* Registers: the largest leading-zero rank seen per bucket. */
struct mb_hll {
	uint8_t reg[MB_HLL_M];
};

/* Empty counter. */
void mb_hll_init(struct mb_hll *h);
/* Add one uniformly distributed 64-bit hash. */
static inline void mb_hll_add(struct mb_hll *h, uint64_t hash)
{
	unsigned idx = (unsigned)(hash >> (64 - MB_HLL_P));
	uint64_t w = (hash << MB_HLL_P) | (1ull << (MB_HLL_P - 1));
	uint8_t rank = (uint8_t)(__builtin_clzll(w) + 1);
	if (rank > h->reg[idx])
		h->reg[idx] = rank;
}
/* Estimated number of distinct hashes added (linear counting for small sets). */
double mb_hll_estimate(const struct mb_hll *h);

#endif
