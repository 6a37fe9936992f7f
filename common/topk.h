/* topk.h - bounded heavy-hitter counter (space-saving with a min-heap) over 64-bit keys. */
#ifndef MB_TOPK_H
#define MB_TOPK_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct mb_topk;

/* One reported key: count is an upper bound, count - error a lower bound of its true count. */
struct mb_topk_item {
	uint64_t key;
	uint64_t count;
	uint64_t error;
};

/* A counter that monitors at most `capacity` keys (>= 1). MB_OK or MB_EIO. */
int mb_topk_new(struct mb_topk **t, uint32_t capacity, struct mb_err *err);
/* Count key n more times; an unmonitored key replaces the least counted one (space-saving). */
void mb_topk_add(struct mb_topk *t, uint64_t key, uint64_t n);
/* The k most counted keys, highest first, into out; returns how many (<= k). */
size_t mb_topk_list(const struct mb_topk *t, struct mb_topk_item *out, size_t k);
void mb_topk_free(struct mb_topk *t);

#endif
