/* chash.c - consistent hash ring: sorted points, binary search. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chash.h"
#include "mcreq.h"

static int point_cmp(const void *a, const void *b)
{
	const struct mb_chash_point *x = a, *y = b;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return (x->target > y->target) - (x->target < y->target);
}

int mb_chash_init(struct mb_chash *c, const char *const *names, unsigned ntargets, struct mb_err *err)
{
	memset(c, 0, sizeof *c);
	if (ntargets == 0)
		return mb_err_set(err, MB_ERR, "no targets");
	c->pts = malloc((size_t)ntargets * MB_CHASH_POINTS * sizeof *c->pts);
	if (!c->pts)
		return mb_err_set(err, MB_EIO, "out of memory");
	char buf[512];
	for (unsigned t = 0; t < ntargets; t++) {
		for (unsigned i = 0; i < MB_CHASH_POINTS; i++) {
			int n = snprintf(buf, sizeof buf, "%s-%u", names[t], i);
			if (n < 0 || (size_t)n >= sizeof buf)
				n = (int)sizeof buf - 1;
			c->pts[c->n].at = mb_mcreq_hash_bytes((const uint8_t *)buf, (size_t)n);
			c->pts[c->n].target = t;
			c->n++;
		}
	}
	qsort(c->pts, c->n, sizeof *c->pts, point_cmp);
	c->ntargets = ntargets;
	return MB_OK;
}

unsigned mb_chash_lookup(const struct mb_chash *c, uint64_t key_hash)
{
	if (c->ntargets <= 1)
		return 0;
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->pts[mid].at < key_hash)
			lo = mid + 1;
		else
			hi = mid;
	}
	return c->pts[lo == c->n ? 0 : lo].target;
}

void mb_chash_free(struct mb_chash *c)
{
	free(c->pts);
	c->pts = NULL;
	c->n = 0;
}
