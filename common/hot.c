/* hot.c - hot items: a space-saving sketch whose stable slots index per-item counters and names. */
#include <stdlib.h>
#include <string.h>

#include "hot.h"

int mb_hot_init(struct mb_hot *h, uint32_t cap, bool names, struct mb_err *err)
{
	memset(h, 0, sizeof *h);
	if (cap < 1)
		cap = 1;
	h->cap = cap;
	h->s = calloc(cap, sizeof *h->s);
	if (names)
		h->names = malloc((size_t)cap * MB_HOT_NAME_MAX);
	if (!h->s || (names && !h->names)) {
		mb_hot_free(h);
		return mb_err_set(err, MB_EIO, "out of memory for the hot-item table (%u items)", cap);
	}
	return mb_topk_new(&h->tk, cap, err);
}

struct mb_hot_stats *mb_hot_ref(struct mb_hot *h, uint64_t id, const uint8_t *name, size_t len)
{
	bool fresh;
	uint32_t slot = mb_topk_count(h->tk, id, 1, &fresh);
	struct mb_hot_stats *s = &h->s[slot];
	h->refs++;
	if (fresh) {
		memset(s, 0, sizeof *s);
		if (h->names && name) {
			s->name_cut = len > MB_HOT_NAME_MAX;
			s->name_len = (uint16_t)(s->name_cut ? MB_HOT_NAME_MAX : len);
			memcpy(h->names + (size_t)slot * MB_HOT_NAME_MAX, name, s->name_len);
		}
	}
	return s;
}

void mb_hot_account(struct mb_hot_stats *s, const struct mb_event *ev)
{
	s->ops++;
	if (mb_cmd_is_read(ev->cmd)) {
		s->hits += ev->status == MB_ST_HIT;
		s->misses += ev->status == MB_ST_MISS;
	}
	s->bytes += mb_cmd_is_store(ev->cmd) ? ev->value_len : ev->status == MB_ST_HIT ? ev->resp_len : 0;
	if (ev->status != MB_ST_NONE && ev->status != MB_ST_UNANSWERED && ev->status < MB_ST_COUNT) {
		s->lat_n++;
		s->lat_sum += ev->latency_ns;
		if (ev->latency_ns > s->lat_max)
			s->lat_max = ev->latency_ns;
	}
}

const struct mb_hot_stats *mb_hot_find(const struct mb_hot *h, uint64_t id, const uint8_t **name)
{
	uint32_t slot = mb_topk_find(h->tk, id);
	if (slot == UINT32_MAX)
		return NULL;
	if (name)
		*name = h->names ? h->names + (size_t)slot * MB_HOT_NAME_MAX : NULL;
	return &h->s[slot];
}

size_t mb_hot_list(const struct mb_hot *h, struct mb_hot_item *out, size_t k)
{
	struct mb_topk_item *it = malloc(sizeof *it * (k ? k : 1));
	if (!it)
		return 0;
	size_t n = mb_topk_list(h->tk, it, k);
	for (size_t i = 0; i < n; i++)
		out[i] = (struct mb_hot_item){ it[i].key, it[i].count, it[i].error, &h->s[it[i].slot],
					       h->names ? h->names + (size_t)it[i].slot * MB_HOT_NAME_MAX : NULL };
	free(it);
	return n;
}

void mb_hot_clear(struct mb_hot *h)
{
	mb_topk_clear(h->tk);
	h->refs = 0;
}

void mb_hot_free(struct mb_hot *h)
{
	mb_topk_free(h->tk);
	free(h->s);
	free(h->names);
	memset(h, 0, sizeof *h);
}
