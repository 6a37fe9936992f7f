/* topk.c - space-saving heavy hitters: a min-heap of monitored keys plus an open-addressing index. */
#include <stdlib.h>
#include <string.h>

#include "topk.h"

#define EMPTY UINT32_MAX

struct node {
	uint64_t key, count, error;
	uint32_t slot; /* index of this node's entry in tab */
	uint32_t id;   /* the caller's slot: stable while the key is monitored */
};

struct mb_topk {
	uint32_t cap, n;
	uint32_t mask;   /* tab size - 1 */
	uint32_t *tab;   /* heap index or EMPTY, linear probing on the key's mixed bits */
	struct node *heap;
};

static inline uint32_t slot_of(const struct mb_topk *t, uint64_t key)
{
	key ^= key >> 31;
	key *= 0x9e3779b97f4a7c15ull;
	return (uint32_t)(key >> 32) & t->mask;
}

int mb_topk_new(struct mb_topk **out, uint32_t capacity, struct mb_err *err)
{
	struct mb_topk *t = calloc(1, sizeof *t);
	uint32_t size = 16;
	if (capacity < 1)
		capacity = 1;
	while (size < capacity * 2u)
		size <<= 1;
	if (t) {
		t->cap = capacity;
		t->mask = size - 1;
		t->tab = malloc(sizeof *t->tab * size);
		t->heap = malloc(sizeof *t->heap * capacity);
	}
	if (!t || !t->tab || !t->heap) {
		mb_topk_free(t);
		return mb_err_set(err, MB_EIO, "out of memory for the top-K table");
	}
	memset(t->tab, 0xff, sizeof *t->tab * size);
	*out = t;
	return MB_OK;
}

void mb_topk_free(struct mb_topk *t)
{
	if (!t)
		return;
	free(t->tab);
	free(t->heap);
	free(t);
}

static inline void place(struct mb_topk *t, uint32_t i, struct node nd)
{
	t->heap[i] = nd;
	t->tab[nd.slot] = i;
}

/* Restore the heap below i after its count grew. */
static void sift_down(struct mb_topk *t, uint32_t i)
{
	struct node nd = t->heap[i];
	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= t->n)
			break;
		if (c + 1 < t->n && t->heap[c + 1].count < t->heap[c].count)
			c++;
		if (t->heap[c].count >= nd.count)
			break;
		place(t, i, t->heap[c]);
		i = c;
	}
	place(t, i, nd);
}

static void sift_up(struct mb_topk *t, uint32_t i)
{
	struct node nd = t->heap[i];
	while (i > 0) {
		uint32_t p = (i - 1) / 2;
		if (t->heap[p].count <= nd.count)
			break;
		place(t, i, t->heap[p]);
		i = p;
	}
	place(t, i, nd);
}

/* Remove the index entry at slot s (backward-shift deletion keeps probe chains intact). */
static void tab_delete(struct mb_topk *t, uint32_t s)
{
	uint32_t i = s, j = s;
	for (;;) {
		j = (j + 1) & t->mask;
		if (t->tab[j] == EMPTY)
			break;
		uint32_t home = slot_of(t, t->heap[t->tab[j]].key);
		/* Move j back to i unless its home lies cyclically in (i, j]. */
		if ((i <= j) ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		t->tab[i] = t->tab[j];
		t->heap[t->tab[i]].slot = i;
		i = j;
	}
	t->tab[i] = EMPTY;
}

uint32_t mb_topk_count(struct mb_topk *t, uint64_t key, uint64_t n, bool *fresh)
{
	uint32_t s = slot_of(t, key);
	*fresh = false;
	while (t->tab[s] != EMPTY) {
		uint32_t h = t->tab[s];
		if (t->heap[h].key == key) {
			uint32_t id = t->heap[h].id;
			t->heap[h].count += n;
			sift_down(t, h);
			return id;
		}
		s = (s + 1) & t->mask;
	}
	*fresh = true;
	if (t->n < t->cap) {
		uint32_t i = t->n++;
		t->tab[s] = i;
		t->heap[i] = (struct node){ key, n, 0, s, i };
		sift_up(t, i);
		return i;
	}
	/* Replace the minimum: the newcomer inherits its count as the error bound, and its slot. */
	struct node old = t->heap[0];
	tab_delete(t, old.slot);
	s = slot_of(t, key);
	while (t->tab[s] != EMPTY)
		s = (s + 1) & t->mask;
	t->tab[s] = 0;
	t->heap[0] = (struct node){ key, old.count + n, old.count, s, old.id };
	sift_down(t, 0);
	return old.id;
}

void mb_topk_add(struct mb_topk *t, uint64_t key, uint64_t n)
{
	bool fresh;
	mb_topk_count(t, key, n, &fresh);
}

uint32_t mb_topk_find(const struct mb_topk *t, uint64_t key)
{
	for (uint32_t s = slot_of(t, key); t->tab[s] != EMPTY; s = (s + 1) & t->mask)
		if (t->heap[t->tab[s]].key == key)
			return t->heap[t->tab[s]].id;
	return UINT32_MAX;
}

uint32_t mb_topk_size(const struct mb_topk *t) { return t->n; }

void mb_topk_clear(struct mb_topk *t)
{
	memset(t->tab, 0xff, sizeof *t->tab * ((size_t)t->mask + 1));
	t->n = 0;
}

static int by_count_desc(const void *a, const void *b)
{
	const struct mb_topk_item *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return x->key < y->key ? -1 : x->key > y->key;
}

size_t mb_topk_list(const struct mb_topk *t, struct mb_topk_item *out, size_t k)
{
	struct mb_topk_item *all = malloc(sizeof *all * (t->n ? t->n : 1));
	if (!all)
		return 0;
	for (uint32_t i = 0; i < t->n; i++)
		all[i] = (struct mb_topk_item){ t->heap[i].key, t->heap[i].count, t->heap[i].error, t->heap[i].id };
	qsort(all, t->n, sizeof *all, by_count_desc);
	size_t m = k < t->n ? k : t->n;
	memcpy(out, all, sizeof *all * m);
	free(all);
	return m;
}
