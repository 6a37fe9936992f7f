/* connmap.h - an id map, open addressing: every 32-bit connection id (0xffffffff too), or any non-zero 64-bit id, to a 64-bit value. */
#ifndef MB_CONNMAP_H
#define MB_CONNMAP_H

#include <stdbool.h>
#include <stdint.h>

/* The map. Zero-initialised is empty; it allocates on the first insert. */
struct mb_connmap {
	struct mb_connmap_slot {
		uint64_t id1;   /* connection id + 1 (64 bits: every id fits), or the 64-bit id; 0 = empty slot */
		uint64_t val;   /* the caller's value for the id */
	} *slot;
	uint32_t mask;      /* slots - 1 (a power of two minus one), load at most 1/2 */
	uint32_t n;         /* ids held */
};

/* The value of connection id, or NULL when the map does not hold it. */
uint64_t *mb_connmap_get(const struct mb_connmap *m, uint32_t id);
/*
 * The value of connection id, adding the connection with value 0 when new (*fresh then
 * true). NULL when memory runs out; the map is unchanged and still usable.
 */
uint64_t *mb_connmap_put(struct mb_connmap *m, uint32_t id, bool *fresh);
/* The same for a 64-bit id, which must not be 0 (a map holds one kind of id, not both). */
uint64_t *mb_connmap_get64(const struct mb_connmap *m, uint64_t id);
uint64_t *mb_connmap_put64(struct mb_connmap *m, uint64_t id, bool *fresh);
/* Start loading the slot where a 64-bit id is looked up first (a hint; nothing when empty). */
void mb_connmap_prefetch64(const struct mb_connmap *m, uint64_t id);
/* Free the slots; the map is empty again. */
void mb_connmap_free(struct mb_connmap *m);

#endif
