/* connmap.h - the connection-id map: every 32-bit connection id (0xffffffff too) to a 64-bit value, open addressing. */
#ifndef MB_CONNMAP_H
#define MB_CONNMAP_H

#include <stdbool.h>
#include <stdint.h>

/* The map. Zero-initialised is empty; it allocates on the first insert. */
struct mb_connmap {
	struct mb_connmap_slot {
		uint64_t id1;   /* connection id + 1 (64 bits: every id fits); 0 = empty slot */
		uint64_t val;   /* the caller's value for the connection */
	} *slot;
	uint32_t mask;      /* slots - 1 (a power of two minus one), load at most 1/2 */
	uint32_t n;         /* connections held */
};

/* The value of connection id, or NULL when the map does not hold it. */
uint64_t *mb_connmap_get(const struct mb_connmap *m, uint32_t id);
/*
 * The value of connection id, adding the connection with value 0 when new (*fresh then
 * true). NULL when memory runs out; the map is unchanged and still usable.
 */
uint64_t *mb_connmap_put(struct mb_connmap *m, uint32_t id, bool *fresh);
/* Free the slots; the map is empty again. */
void mb_connmap_free(struct mb_connmap *m);

#endif
