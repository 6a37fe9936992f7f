/* connmap.c - the id map: open addressing on splitmix64 of the id, doubled at half load. */
#include <stdlib.h>

#include "connmap.h"
#include "rng.h"

#define CONNMAP_FIRST 256 /* slots of the first table */

/* Where the search for id starts. */
static uint32_t home(const struct mb_connmap *m, uint64_t id1)
{
	return (uint32_t)mb_mix64(id1) & m->mask;
}

/* The slot holding id, or the empty slot where it goes. */
static struct mb_connmap_slot *slot_of(const struct mb_connmap *m, uint64_t id1)
{
	uint32_t i = home(m, id1);
	while (m->slot[i].id1 && m->slot[i].id1 != id1)
		i = (i + 1) & m->mask;
	return &m->slot[i];
}

uint64_t *mb_connmap_get64(const struct mb_connmap *m, uint64_t id1)
{
	if (!m->slot)
		return NULL;
	struct mb_connmap_slot *s = slot_of(m, id1);
	return s->id1 ? &s->val : NULL;
}

uint64_t *mb_connmap_get(const struct mb_connmap *m, uint32_t id)
{
	return mb_connmap_get64(m, (uint64_t)id + 1);
}

void mb_connmap_prefetch64(const struct mb_connmap *m, uint64_t id1)
{
	if (m->slot)
		__builtin_prefetch(&m->slot[home(m, id1)]);
}

/* Double the table (or make the first one); false when memory runs out. */
static bool grow(struct mb_connmap *m)
{
	uint32_t slots = m->slot ? (m->mask + 1) * 2 : CONNMAP_FIRST;
	if (slots == 0) /* 2^32 slots: past what a uint32_t mask holds */
		return false;
	struct mb_connmap old = *m;
	m->slot = calloc(slots, sizeof *m->slot);
	if (!m->slot) {
		*m = old;
		return false;
	}
	m->mask = slots - 1;
	for (uint32_t i = 0; old.slot && i <= old.mask; i++)
		if (old.slot[i].id1)
			*slot_of(m, old.slot[i].id1) = old.slot[i];
	free(old.slot);
	return true;
}

uint64_t *mb_connmap_put64(struct mb_connmap *m, uint64_t id1, bool *fresh)
{
	*fresh = false;
	if (m->slot) {
		struct mb_connmap_slot *s = slot_of(m, id1);
		if (s->id1)
			return &s->val;
	}
	if ((!m->slot || (uint64_t)(m->n + 1) * 2 > (uint64_t)m->mask + 1) && !grow(m))
		return NULL;
	struct mb_connmap_slot *s = slot_of(m, id1);
	s->id1 = id1;
	s->val = 0;
	m->n++;
	*fresh = true;
	return &s->val;
}

uint64_t *mb_connmap_put(struct mb_connmap *m, uint32_t id, bool *fresh)
{
	return mb_connmap_put64(m, (uint64_t)id + 1, fresh);
}

void mb_connmap_free(struct mb_connmap *m)
{
	free(m->slot);
	m->slot = NULL;
	m->mask = m->n = 0;
}
