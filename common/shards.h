/* shards.h - LRU miss-ratio curves (by objects and by bytes) with SHARDS spatial sampling in bounded memory. */
#ifndef MB_SHARDS_H
#define MB_SHARDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/*
 * A key is sampled when the top 24 bits of its (uniform) 64-bit hash are below a
 * threshold T, i.e. at rate R = T / 2^24. Sampled references get exact LRU stack
 * distances (distinct sampled keys, and their bytes, touched since the key's previous
 * reference, from a Fenwick tree over last-access times), scaled by 1/R. When more
 * than max_samples keys are sampled, the keys with the largest hash prefix are
 * dropped and T lowered to it (fixed-size SHARDS); counts already recorded are
 * rescaled to the new rate. Memory is about 100 bytes per max_samples.
 */
struct mb_shards;

/* One point of a curve: a cache of `size` (objects or bytes) misses `miss_ratio` of the references. */
struct mb_mrc_point {
	double size;
	double miss_ratio;
};

/* New sampler with initial rate (0 < rate <= 1) and a bound on tracked keys (>= 16). */
int mb_shards_new(struct mb_shards **s, double rate, uint32_t max_samples, struct mb_err *err);
/* One reference to a key (hash uniform over 64 bits) whose object takes `size` bytes (>= 1). */
void mb_shards_access(struct mb_shards *s, uint64_t hash, uint32_t size);
/* The sampling rate now in effect (it only goes down). */
double mb_shards_rate(const struct mb_shards *s);
/* Sampled references seen, and keys tracked now. */
uint64_t mb_shards_sampled_refs(const struct mb_shards *s);
uint32_t mb_shards_tracked(const struct mb_shards *s);
#define MB_MRC_MAX_POINTS 1024
/* The curve by objects (bytes = false) or by bytes into out (room for MB_MRC_MAX_POINTS):
   one point at the upper edge of each distance bucket that holds references, smallest
   first; the last point's miss ratio is the cold-miss ratio. Returns the number of points. */
size_t mb_shards_curve(const struct mb_shards *s, bool bytes, struct mb_mrc_point *out);
void mb_shards_free(struct mb_shards *s);

#endif
