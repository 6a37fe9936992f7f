/* profile_dict.c - the profile's key dictionary and ranks: growth and reset. */
#include <stdlib.h>
#include <string.h>

#include "profile_dict.h"
void mb_rank_reset(struct mb_rank *k)
{
	memset(k->first, 0, ((size_t)k->maxc + 1) * sizeof k->first[0]);
	k->n = k->maxc = 0;
}

void mb_rank_free(struct mb_rank *k)
{
	free(k->at);
	free(k->of);
}

int mb_rank_add(struct mb_rank *k, struct mb_err *err)
{
	if (k->n == k->cap) {
		uint32_t cap = k->cap ? k->cap * 2 : 4096;
		uint32_t *at = realloc(k->at, (size_t)cap * sizeof *at);
		if (at)
			k->at = at;
		struct mb_rank_of *of = at ? realloc(k->of, (size_t)cap * sizeof *of) : NULL;
		if (!of)
			return mb_err_set(err, MB_EIO, "out of memory for the key dictionary (%u entries)", k->n);
		k->of = of;
		k->cap = cap;
	}
	k->at[k->n] = k->n;
	k->of[k->n] = (struct mb_rank_of){ k->n, 1 };
	k->maxc = k->maxc ? k->maxc : 1;
	k->n++;
	return MB_OK;
}

void mb_dict_reset(struct mb_dict *d)
{
	d->n = 0;
	d->alen = 0;
	mb_rank_reset(&d->rank);
}

void mb_dict_free(struct mb_dict *d)
{
	free(d->e);
	free(d->arena);
	mb_rank_free(&d->rank);
	memset(d, 0, sizeof *d);
}

int mb_arena_room(uint8_t **arena, size_t *acap, size_t alen, size_t klen, struct mb_err *err)
{
	if (!*arena || *acap - alen < klen) { /* never NULL after: memcpy of 0 bytes needs a pointer */
		size_t cap = *acap ? *acap : 65536;
		while (cap - alen < klen)
			cap *= 2;
		uint8_t *a = realloc(*arena, cap);
		if (!a)
			return mb_err_set(err, MB_EIO, "out of memory for the key dictionary (%zu key bytes)", alen);
		*arena = a;
		*acap = cap;
	}
	return MB_OK;
}

int mb_dict_grow(struct mb_dict *d, size_t klen, struct mb_err *err)
{
	if (d->n == d->cap) {
		uint32_t cap = d->cap ? d->cap * 2 : 4096;
		struct mb_dict_entry *e = realloc(d->e, (size_t)cap * sizeof *e);
		if (!e)
			return mb_err_set(err, MB_EIO, "out of memory for the key dictionary (%u entries)", d->n);
		d->e = e;
		d->cap = cap;
	}
	return mb_arena_room(&d->arena, &d->acap, d->alen, klen, err);
}

