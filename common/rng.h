/* rng.h - small deterministic random numbers: splitmix64, uniform doubles, exponential and Zipf samples. */
#ifndef MB_RNG_H
#define MB_RNG_H

#include <stdint.h>

/* splitmix64's finalizer: a bijection that spreads any 64-bit id (tables, sampling; mb-stat's key hash). */
static inline uint64_t mb_fmix64(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* splitmix64 step: a well-mixed 64-bit value from a counter-like state (the golden increment, then mb_fmix64). */
static inline uint64_t mb_mix64(uint64_t x) { return mb_fmix64(x + 0x9e3779b97f4a7c15ull); }

/* A generator state (xoshiro256**). */
struct mb_rng {
	uint64_t s[4];
};

/* Seed a generator; the same seed gives the same sequence on every machine. */
void mb_rng_seed(struct mb_rng *r, uint64_t seed);
/* Next 64 random bits. */
uint64_t mb_rng_next(struct mb_rng *r);
/* Uniform double in [0, 1). */
double mb_rng_unit(struct mb_rng *r);
/* Uniform integer in [lo, hi]. */
uint64_t mb_rng_range(struct mb_rng *r, uint64_t lo, uint64_t hi);
/* Exponential sample with the given mean. */
double mb_rng_exp(struct mb_rng *r, double mean);

/* Zipf(s) sampler over ranks 1..n by rejection-inversion (Hormann & Derflinger): O(1) per sample. */
struct mb_zipf {
	uint64_t n;
	double s;
	double h_x1, h_n, cut;
};
/* Prepare a sampler; s >= 0 (0 = uniform), n >= 1. */
void mb_zipf_init(struct mb_zipf *z, uint64_t n, double s);
/* A rank in [1, n]; rank 1 is the most popular. */
uint64_t mb_zipf_next(const struct mb_zipf *z, struct mb_rng *r);

#endif
