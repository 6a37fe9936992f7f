/* hot.h - hot items (keys or namespaces): per-item counters and names over a bounded space-saving sketch. */
#ifndef MB_HOT_H
#define MB_HOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "event.h"
#include "topk.h"

#define MB_HOT_NAME_MAX 250 /* name bytes kept per item (memcached's key limit); longer names are cut */

/* What is counted per item while it is monitored (from the reference that made it enter). */
struct mb_hot_stats {
	uint64_t ops;
	uint64_t hits, misses;  /* get-family statuses hit and miss */
	uint64_t bytes;         /* value bytes stored plus value bytes returned */
	uint64_t keys;          /* distinct keys (namespaces; the caller counts them) */
	uint64_t lat_n, lat_sum, lat_max; /* latencies of answered requests, ns */
	uint16_t name_len;      /* bytes of the name kept */
	bool name_cut;          /* the name was longer than MB_HOT_NAME_MAX */
};

/* At most `cap` monitored items, each with stats and (optionally) up to MB_HOT_NAME_MAX name bytes. */
struct mb_hot {
	struct mb_topk *tk;
	uint32_t cap;
	struct mb_hot_stats *s;
	uint8_t *names;         /* cap * MB_HOT_NAME_MAX bytes, or NULL when names are not kept */
	uint64_t refs;          /* references counted */
};

/* One listed item. `count` bounds the item's references from above, count - error from below;
   s counts only what happened while the item was monitored (all of it when error is 0). */
struct mb_hot_item {
	uint64_t id, count, error;
	const struct mb_hot_stats *s;
	const uint8_t *name;    /* NULL when names are not kept */
};

/* Set up for cap (>= 1) items; names kept when `names`. MB_OK or MB_EIO. */
int mb_hot_init(struct mb_hot *h, uint32_t cap, bool names, struct mb_err *err);
/* Count one reference to item id (name: its bytes, may be NULL); returns the item's counters to update. */
struct mb_hot_stats *mb_hot_ref(struct mb_hot *h, uint64_t id, const uint8_t *name, size_t len);
/* Add an event to an item's counters: ops; hit/miss of get-family commands; value bytes stored or
   returned (hits); latency when a response was captured. */
void mb_hot_account(struct mb_hot_stats *s, const struct mb_event *ev);
/* The counters of a monitored item and its name (NULL when not kept), or NULL when id is not monitored. */
const struct mb_hot_stats *mb_hot_find(const struct mb_hot *h, uint64_t id, const uint8_t **name);
/* The k most referenced items, most first, into out (room for k); returns how many. */
size_t mb_hot_list(const struct mb_hot *h, struct mb_hot_item *out, size_t k);
/* Forget every item (a new interval). */
void mb_hot_clear(struct mb_hot *h);
void mb_hot_free(struct mb_hot *h);

#endif
