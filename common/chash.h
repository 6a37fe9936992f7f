/* chash.h - ketama-style consistent hashing of 64-bit key hashes onto several targets. */
#ifndef MB_CHASH_H
#define MB_CHASH_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define MB_CHASH_POINTS 160 /* points on the ring per target (weight 1) */

struct mb_chash_point {
	uint64_t at;
	unsigned target;
};

/* A ring of MB_CHASH_POINTS points per target, placed by hashing "name-i". */
struct mb_chash {
	struct mb_chash_point *pts;
	size_t n;
	unsigned ntargets;
};

/* Build the ring for ntargets names (the same names give the same ring on every machine).
   MB_OK, MB_ERR (no targets) or MB_EIO (memory), err filled. */
int mb_chash_init(struct mb_chash *c, const char *const *names, unsigned ntargets, struct mb_err *err);
/* The target of a key hash: the first point at or after it on the ring (wrapping). */
unsigned mb_chash_lookup(const struct mb_chash *c, uint64_t key_hash);
void mb_chash_free(struct mb_chash *c);

#endif
