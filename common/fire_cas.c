/* fire_cas.c - the cas uniques a replay learnt, one table for the whole run: a cas sends the unique its key last got, whichever worker's connection heard it. */
#include <stdlib.h>

#include "fire_int.h"

#define CAS_TAB_MAX (1u << 22) /* uniques remembered (64 MiB) at most */

static uint32_t cas_slot(uint64_t key, uint32_t cap)
{
	return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
}

void fire_cas_init(struct fire_cas *t)
{
	pthread_mutex_init(&t->mu, NULL);
	t->key = t->val = NULL;
	t->cap = t->n = 0;
}

void fire_cas_free(struct fire_cas *t)
{
	free(t->key);
	free(t->val);
	t->key = t->val = NULL;
	t->cap = t->n = 0;
	pthread_mutex_destroy(&t->mu);
}

/* Double the table (t->mu held); at CAS_TAB_MAX it starts over, so memory stays bounded.
   False without memory. */
static bool grow(struct fire_cas *t)
{
	uint32_t ncap = t->cap ? t->cap * 2 : 1024;
	if (ncap > CAS_TAB_MAX)
		ncap = CAS_TAB_MAX;
	uint64_t *nk = calloc(ncap, sizeof *nk), *nv = calloc(ncap, sizeof *nv);
	if (!nk || !nv) {
		free(nk);
		free(nv);
		return false;
	}
	uint32_t n = 0;
	for (uint32_t i = 0; ncap > t->cap && i < t->cap; i++) {
		if (!t->val[i])
			continue;
		uint32_t j = cas_slot(t->key[i], ncap);
		while (nv[j])
			j = (j + 1) & (ncap - 1);
		nk[j] = t->key[i];
		nv[j] = t->val[i];
		n++;
	}
	free(t->key);
	free(t->val);
	t->key = nk;
	t->val = nv;
	t->cap = ncap;
	t->n = n;
	return true;
}

void fire_cas_put(struct fire_cas *t, uint64_t key, uint64_t cas)
{
	pthread_mutex_lock(&t->mu);
	if (t->n >= t->cap / 2 && !grow(t) && !t->cap) {
		pthread_mutex_unlock(&t->mu);
		return; /* no memory: the cas goes out with the recorded unique */
	}
	uint32_t j = cas_slot(key, t->cap);
	while (t->val[j] && t->key[j] != key)
		j = (j + 1) & (t->cap - 1);
	t->n += !t->val[j];
	t->key[j] = key;
	t->val[j] = cas;
	pthread_mutex_unlock(&t->mu);
}

uint64_t fire_cas_get(struct fire_cas *t, uint64_t key)
{
	uint64_t v = 0;
	pthread_mutex_lock(&t->mu);
	for (uint32_t j = t->n ? cas_slot(key, t->cap) : 0; t->n && t->val[j]; j = (j + 1) & (t->cap - 1))
		if (t->key[j] == key) {
			v = t->val[j];
			break;
		}
	pthread_mutex_unlock(&t->mu);
	return v;
}
