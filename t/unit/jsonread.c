/* jsonread.c - unit tests of common/jsonread: the tree, the accessors, every refusal with its byte offset, the caps. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "jsonread.h"
#include "tap.h"

/* Parse s (its own exact-size copy, not NUL-terminated) with room for max values: the rc, and the message in err. */
static int parse(const char *s, uint32_t max, struct mb_err *err)
{
	size_t n = strlen(s);
	char *copy = malloc(n ? n : 1);
	memcpy(copy, s, n);
	struct mb_jr d;
	err->msg[0] = '\0';
	int rc = mb_jr_parse(&d, copy, n, max, "t.json", err);
	mb_jr_free(&d);
	free(copy);
	return rc;
}

/* Whether s is refused with exactly the message want. */
static int refused(const char *s, uint32_t max, const char *want)
{
	struct mb_err err;
	int rc = parse(s, max, &err);
	if (rc == MB_ERR && !strcmp(err.msg, want))
		return 1;
	tap_note("'%s': rc %d, '%s'", s, rc, err.msg);
	return 0;
}

int main(void)
{
	struct mb_err err;
	struct mb_jr d;
	const char *doc = " {\"a\": [1, -2.5e3, \"x\\u0041\\n\\\"\", true, false, null], \"b\": {}, \"c\": 18446744073709551615,"
			  " \"d\": 18446744073709551616, \"e\": \"\\u0100\"} ";
	ok(eq(mb_jr_parse(&d, doc, strlen(doc), 100, "t.json", &err), MB_OK), "a document with every kind of value");
	uint32_t a = mb_jr_get(&d, 0, "a"), b = mb_jr_get(&d, 0, "b");
	ok(mb_jr_is(&d, a, MB_JR_ARR) && eq(d.v[a].count, 6) && mb_jr_is(&d, b, MB_JR_OBJ) && eq(d.v[b].count, 0) &&
	   eq(d.v[0].count, 5), "containers and their member counts");
	ok(eq(mb_jr_get(&d, 0, "z"), MB_JR_NONE) && eq(mb_jr_get(&d, a, "a"), MB_JR_NONE) &&
	   eq(mb_jr_get(&d, MB_JR_NONE, "a"), MB_JR_NONE), "a missing key, a key of an array, of no value");
	uint32_t v[6], i = 0;
	for (uint32_t c = d.v[a].first; c != MB_JR_NONE && i < 6; c = d.v[c].next)
		v[i++] = c;
	uint64_t u = 0;
	double x = 0;
	bool bl = false;
	char s[16];
	ok(eq(i, 6) && mb_jr_u64(&d, v[0], &u) && eq(u, 1) && !mb_jr_u64(&d, v[1], &u) && mb_jr_double(&d, v[1], &x) &&
	   eq(x, -2500.0), "numbers: a count, a negative one with an exponent");
	ok(mb_jr_str(&d, v[2], s, sizeof s) && eq_str(s, "xA\n\"") && !mb_jr_str(&d, v[2], s, 4) && !mb_jr_str(&d, v[0], s, sizeof s),
	   "a string decoded; too small a buffer, a number are refused");
	ok(mb_jr_bool(&d, v[3], &bl) && bl && mb_jr_bool(&d, v[4], &bl) && !bl && !mb_jr_bool(&d, v[5], &bl) &&
	   mb_jr_is(&d, v[5], MB_JR_NULL), "true, false, null");
	ok(mb_jr_u64(&d, mb_jr_get(&d, 0, "c"), &u) && eq(u, UINT64_MAX) && !mb_jr_u64(&d, mb_jr_get(&d, 0, "d"), &u),
	   "2^64-1 fits, 2^64 does not");
	ok(!mb_jr_str(&d, mb_jr_get(&d, 0, "e"), s, sizeof s), "\\u escapes above 0xff are refused");
	mb_jr_free(&d);

	ok(refused("", 10, "not JSON: expected a value: 't.json' at byte 0"), "empty");
	ok(refused("[1,]", 10, "not JSON: expected a value: 't.json' at byte 3"), "trailing comma in an array");
	ok(refused("{\"a\":1,}", 10, "not JSON: expected a key: 't.json' at byte 7"), "trailing comma in an object");
	ok(refused("{\"a\" 1}", 10, "not JSON: expected ':': 't.json' at byte 5"), "no colon");
	ok(refused("[1] x", 10, "not JSON: text after the value: 't.json' at byte 4"), "text after the value");
	ok(refused("[1", 10, "not JSON: expected ',' or ']': 't.json' at byte 2"), "cut short (no byte read past the end)");
	ok(refused("\"abc", 10, "not JSON: bad string: 't.json' at byte 4"), "unterminated string");
	ok(refused("\"a\001\"", 10, "not JSON: bad string: 't.json' at byte 2"), "control byte in a string");
	ok(refused("\"\\u00zz\"", 10, "not JSON: bad string: 't.json' at byte 1"), "bad \\u escape");
	ok(refused("\"\\x\"", 10, "not JSON: bad string: 't.json' at byte 1"), "unknown escape");
	ok(refused("01", 10, "not JSON: text after the value: 't.json' at byte 1"), "leading zero");
	ok(refused("-", 10, "not JSON: bad number: 't.json' at byte 0") && refused("1.", 10, "not JSON: bad number: 't.json' at byte 0") &&
	   refused("1e+", 10, "not JSON: bad number: 't.json' at byte 0"), "incomplete numbers");
	ok(refused("tru", 10, "not JSON: expected a value: 't.json' at byte 0"), "a cut literal");
	ok(refused("[1,2,3]", 3, "not JSON: too many values: 't.json' at byte 5") && eq(parse("[1,2]", 3, &err), MB_OK),
	   "the value cap");
	char num[80];
	memset(num, '1', 65);
	num[65] = '\0';
	ok(refused(num, 10, "not JSON: number too long: 't.json' at byte 0") && eq(parse(num + 1, 10, &err), MB_OK),
	   "numbers up to 64 bytes");
	char deep[80] = "";
	for (int k = 0; k < MB_JR_MAX_DEPTH; k++)
		strcat(deep, "[");
	for (int k = 0; k < MB_JR_MAX_DEPTH; k++)
		strcat(deep, "]");
	ok(eq(parse(deep, 100, &err), MB_OK), "nesting up to the limit");
	memmove(deep + 1, deep, strlen(deep) + 1);
	deep[0] = '[';
	strcat(deep, "]");
	ok(refused(deep, 100, "not JSON: nested too deep: 't.json' at byte 32"), "one deeper is refused");
	return done_testing();
}
