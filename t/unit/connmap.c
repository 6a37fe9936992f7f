/* connmap.c - unit tests of common/connmap.c: every connection id, 0xffffffff included, and every non-zero 64-bit id maps like any other. */
#include <stdint.h>

#include "connmap.h"
#include "tap.h"

int main(void)
{
	struct mb_connmap m = { 0 };
	bool fresh;
	ok(mb_connmap_get(&m, 0) == NULL, "an empty map holds nothing");
	static const uint32_t edge[] = { 0, 1, UINT32_MAX, UINT32_MAX - 1, 1u << 31 };
	for (unsigned i = 0; i < 5; i++) {
		uint64_t *v = mb_connmap_put(&m, edge[i], &fresh);
		ok(v && fresh, "id %u added", edge[i]);
		*v = 1000 + i;
	}
	for (unsigned i = 0; i < 5; i++) {
		uint64_t *v = mb_connmap_put(&m, edge[i], &fresh);
		ok(v && !fresh && *v == 1000 + i, "id %u found again with its value", edge[i]);
	}
	is_int(m.n, 5, "five connections");
	/* Many ids: the table grows several times and keeps every value. */
	for (uint32_t id = 2; id < 100000; id++) {
		uint64_t *v = mb_connmap_put(&m, id * 7919u, &fresh);
		if (!v)
			break;
		if (fresh)
			*v = id;
	}
	uint32_t wrong = 0;
	for (uint32_t id = 2; id < 100000; id++) {
		uint64_t *v = mb_connmap_get(&m, id * 7919u);
		wrong += !v || *v != id;
	}
	is_int(wrong, 0, "99998 more ids each keep their value");
	is_int(m.n, 5 + 99998, "count after growth");
	ok(m.mask + 1 >= 2 * m.n, "load at most one half (%u slots)", m.mask + 1);
	uint64_t *v = mb_connmap_get(&m, UINT32_MAX);
	ok(v && *v == 1002, "0xffffffff kept through growth");
	ok(mb_connmap_get(&m, 3) == NULL, "an id never added is absent");
	mb_connmap_free(&m);
	is_int(m.n, 0, "freed map is empty");
	ok(mb_connmap_get(&m, UINT32_MAX) == NULL, "and holds nothing");

	/* 64-bit ids (key hashes): the extremes, then many, through growth */
	static const uint64_t edge64[] = { 1, UINT64_MAX, 1ull << 63, (uint64_t)UINT32_MAX + 1 };
	mb_connmap_prefetch64(&m, 1); /* a hint on an empty map does nothing */
	for (unsigned i = 0; i < 4; i++) {
		uint64_t *v = mb_connmap_put64(&m, edge64[i], &fresh);
		ok(v && fresh, "64-bit id %#llx added", (unsigned long long)edge64[i]);
		*v = i;
	}
	for (uint64_t k = 1; k <= 50000; k++) {
		uint64_t *v = mb_connmap_put64(&m, k * 0x9e3779b97f4a7c15ull | 2, &fresh);
		if (v && fresh)
			*v = 100 + k;
	}
	wrong = 0;
	for (uint64_t k = 1; k <= 50000; k++) {
		mb_connmap_prefetch64(&m, k * 0x9e3779b97f4a7c15ull | 2);
		uint64_t *v64 = mb_connmap_get64(&m, k * 0x9e3779b97f4a7c15ull | 2);
		wrong += !v64 || *v64 != 100 + k;
	}
	is_int(wrong, 0, "50000 64-bit ids each keep their value");
	for (unsigned i = 0; i < 4; i++) {
		uint64_t *v64 = mb_connmap_get64(&m, edge64[i]);
		ok(v64 && *v64 == i, "64-bit id %#llx kept through growth", (unsigned long long)edge64[i]);
	}
	ok(mb_connmap_get64(&m, 3) == NULL, "a 64-bit id never added is absent");
	mb_connmap_free(&m);
	return done_testing();
}
