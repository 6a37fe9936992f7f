/* topk.h - bounded heavy-hitter counter (space-saving with a min-heap) over 64-bit keys. */
#ifndef MB_TOPK_H
#define MB_TOPK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct mb_topk;

/* One reported key: count is an upper bound, count - error a lower bound of its true count. */
struct mb_topk_item {
	uint64_t key;
	uint64_t count;
	uint64_t error;
	uint32_t slot;  /* the key's slot (see mb_topk_count) */
};

/* A counter that monitors at most `capacity` keys (>= 1). MB_OK or MB_EIO. */
int mb_topk_new(struct mb_topk **t, uint32_t capacity, struct mb_err *err);
/* Count key n more times; an unmonitored key replaces the least counted one (space-saving). */
void mb_topk_add(struct mb_topk *t, uint64_t key, uint64_t n);
/*
 * mb_topk_add that also returns the key's slot: a number below the capacity that stays the
 * key's while it is monitored, so callers can keep per-key data in arrays of `capacity`.
 * *fresh is set true when the key has just entered the slot (its data must be reset).
 */
uint32_t mb_topk_count(struct mb_topk *t, uint64_t key, uint64_t n, bool *fresh);
/* The slot of a monitored key, or UINT32_MAX. */
uint32_t mb_topk_find(const struct mb_topk *t, uint64_t key);
/* Keys monitored now. */
uint32_t mb_topk_size(const struct mb_topk *t);
/* Forget every key (the capacity stays). */
void mb_topk_clear(struct mb_topk *t);
/* The k most counted keys, highest first, into out; returns how many (<= k). */
size_t mb_topk_list(const struct mb_topk *t, struct mb_topk_item *out, size_t k);
void mb_topk_free(struct mb_topk *t);

#endif
