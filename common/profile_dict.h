/* profile_dict.h - the profile's key dictionary: entries ranked by reference count, and the reader's entry table. */
#ifndef MB_PROFILE_DICT_H
#define MB_PROFILE_DICT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"


#define RANK_COUNT_MAX 65535 /* references counted per entry; an entry at this count stays in place */

/*
 * The entries ordered by how often they were referenced (count, descending), as writer
 * and reader both keep them: an event names an earlier key by its rank here, and popular
 * keys have small ranks whatever their age. Per reference one swap (doc/profile.md).
 */
struct mb_rank {
	uint32_t *at;                       /* rank -> entry id */
	struct mb_rank_of {
		uint32_t pos, cnt;          /* the entry's rank, its references so far */
	} *of;                              /* by entry id */
	uint32_t n, cap, maxc;              /* entries, allocated, largest count */
	uint32_t first[RANK_COUNT_MAX + 1]; /* first[c]: entries with a count above c */
};

/* Empty the ranking (keeps its memory). */
void mb_rank_reset(struct mb_rank *k);

/* Free the ranking's arrays. */
void mb_rank_free(struct mb_rank *k);

/* Append entry id k->n (a new key, referenced once). MB_EIO when memory runs out. */
int mb_rank_add(struct mb_rank *k, struct mb_err *err);

/* A reference to entry id: returns its rank, then counts it (it moves to the front of its count group). */
static inline uint32_t mb_rank_use(struct mb_rank *k, uint32_t id)
{
	struct mb_rank_of *o = &k->of[id];
	uint32_t p = o->pos, c = o->cnt;
	if (c < RANK_COUNT_MAX) {
		uint32_t f = k->first[c], other = k->at[f];
		k->at[f] = id;
		k->at[p] = other;
		k->of[other].pos = p;
		o->pos = f;
		k->first[c] = f + 1;
		o->cnt = ++c;
		if (c > k->maxc)
			k->maxc = c;
	}
	return p;
}


#define CONN_SLOTS 4096 /* connections whose last entry is remembered: slot conn_id mod CONN_SLOTS */

/*
 * The dictionary entry the connection in this slot named last (version 4), for the key
 * symbols KEY_SAME and KEY_NEXT: a client reading back what it just wrote, or keys in
 * the order they were created. Writer and reader keep the same table; a slot whose
 * conn1 is not the event's conn_id + 1 (0: empty) offers no prediction.
 */
struct mb_conn_last {
	uint64_t conn1;  /* conn_id + 1 */
	uint32_t id;     /* entry id */
};

/* One distinct key as the reader keeps it: its identity and the last non-zero size seen with it. */
struct mb_dict_entry {
	uint64_t h;      /* key hash (0 in raw-key profiles) */
	uint32_t off;    /* raw keys: offset of the bytes in the arena */
	uint32_t size;   /* last non-zero value_len/resp_len */
	uint16_t klen;
};

/* The reader's dictionary: entries by id, raw key bytes in an arena, their ranks. */
struct mb_dict {
	struct mb_dict_entry *e;
	uint32_t n, cap;
	uint8_t *arena;  /* raw keys */
	size_t alen, acap;
	struct mb_rank rank;
};

/* Empty the dictionary at a reset block (keeps its memory). */
void mb_dict_reset(struct mb_dict *d);

/* Free everything the dictionary holds; it is zeroed. */
void mb_dict_free(struct mb_dict *d);

/* Room for klen more arena bytes; MB_EIO when memory runs out. */
int mb_arena_room(uint8_t **arena, size_t *acap, size_t alen, size_t klen, struct mb_err *err);

/* Room for one more entry (and klen arena bytes); MB_EIO when memory runs out. */
int mb_dict_grow(struct mb_dict *d, size_t klen, struct mb_err *err);

#endif
