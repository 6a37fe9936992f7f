/* bytebuf.c - the growable byte buffer. */
#include <stdlib.h>

#include "bytebuf.h"

bool mb_buf_reserve(struct mb_buf *b, size_t n)
{
	if (b->cap - b->len >= n)
		return true;
	size_t cap = b->cap ? b->cap : 65536;
	while (cap - b->len < n)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p)
		return false;
	b->p = p;
	b->cap = cap;
	return true;
}

void mb_buf_free(struct mb_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
