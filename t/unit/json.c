/* json.c - unit tests of common/json: escaping of every byte, commas and nesting, number extremes, errors. */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "json.h"
#include "tap.h"

/* A compact writer over a fresh buffer. */
static void start(struct mb_json *j, struct mb_buf *b, bool spaced)
{
	b->len = 0;
	mb_json_init_buf(j, b, spaced);
}

/* The document so far, NUL-terminated ("" when empty). */
static const char *text(const struct mb_buf *b)
{
	return b->len ? b->p : "";
}

int main(void)
{
	struct mb_buf b = { 0 };
	struct mb_json j;
	char want[64];

	/* Every byte value alone in a string: printable ASCII as is, " and \ escaped by backslash,
	   control bytes and 0x7f-0xff as \u00XX. */
	int bytes_ok = 1;
	for (unsigned c = 0; c < 256; c++) {
		unsigned char in = (unsigned char)c;
		start(&j, &b, false);
		mb_json_str_n(&j, &in, 1);
		if (c == '"')
			snprintf(want, sizeof want, "\"\\\"\"");
		else if (c == '\\')
			snprintf(want, sizeof want, "\"\\\\\"");
		else if (c < 0x20 || c >= 0x7f)
			snprintf(want, sizeof want, "\"\\u%04x\"", c);
		else
			snprintf(want, sizeof want, "\"%c\"", c);
		if (!eq_str(text(&b), want) || !eq(mb_json_failed(&j), false)) {
			bytes_ok = 0;
			tap_note("#   at byte 0x%02x\n", c);
			break;
		}
	}
	ok(bytes_ok, "each of the 256 byte values escaped as documented");

	start(&j, &b, false);
	mb_json_str_n(&j, "a\0b\n\t\x1f\x7f\xc3\xa9\"q\\", 12);
	is_str(text(&b), "\"a\\u0000b\\u000a\\u0009\\u001f\\u007f\\u00c3\\u00a9\\\"q\\\\\"", "embedded NUL, controls, DEL, UTF-8 bytes, quote, backslash");

	start(&j, &b, false);
	mb_json_begin_object(&j);
	mb_json_key_n(&j, "k\"\x01", 3);
	mb_json_str(&j, "");
	mb_json_end_object(&j);
	is_str(text(&b), "{\"k\\\"\\u0001\":\"\"}", "keys are escaped like strings; empty string");

	/* Commas and nesting, compact and spaced. */
	start(&j, &b, false);
	mb_json_begin_object(&j);
	mb_json_key(&j, "a");
	mb_json_begin_array(&j);
	mb_json_begin_array(&j);
	mb_json_end_array(&j);
	mb_json_begin_object(&j);
	mb_json_end_object(&j);
	mb_json_u64(&j, 1);
	mb_json_begin_array(&j);
	mb_json_null(&j);
	mb_json_bool(&j, true);
	mb_json_bool(&j, false);
	mb_json_end_array(&j);
	mb_json_end_array(&j);
	mb_json_ku64(&j, "b", 2);
	mb_json_key(&j, "c");
	mb_json_begin_object(&j);
	mb_json_kstr(&j, "d", "e");
	mb_json_end_object(&j);
	mb_json_end_object(&j);
	is_int(mb_json_finish(&j), MB_OK, "nested document finishes ok");
	is_str(text(&b), "{\"a\":[[],{},1,[null,true,false]],\"b\":2,\"c\":{\"d\":\"e\"}}\n", "compact: commas between items only, final newline");

	start(&j, &b, true);
	mb_json_begin_object(&j);
	mb_json_ku64(&j, "a", 1);
	mb_json_key(&j, "b");
	mb_json_begin_array(&j);
	mb_json_u64(&j, 2);
	mb_json_u64(&j, 3);
	mb_json_end_array(&j);
	mb_json_end_object(&j);
	is_str(text(&b), "{\"a\": 1, \"b\": [2, 3]}", "spaced: \", \" and \": \"");

	/* Line breaks: wrap only after a comma, newline always. */
	start(&j, &b, true);
	mb_json_begin_object(&j);
	mb_json_wrap(&j, 1);
	mb_json_ku64(&j, "a", 1);
	mb_json_wrap(&j, 1);
	mb_json_ku64(&j, "b", 2);
	mb_json_key(&j, "c");
	mb_json_begin_object(&j);
	mb_json_newline(&j, 2);
	mb_json_ku64(&j, "d", 3);
	mb_json_newline(&j, 2);
	mb_json_ku64(&j, "e", 4);
	mb_json_newline(&j, 1);
	mb_json_end_object(&j);
	mb_json_newline(&j, 0);
	mb_json_end_object(&j);
	is_str(text(&b), "{\"a\": 1,\n \"b\": 2, \"c\": {\n  \"d\": 3,\n  \"e\": 4\n }\n}", "wrap after commas, newline before items and closers");

	/* Numbers at their extremes. */
	start(&j, &b, false);
	mb_json_begin_array(&j);
	mb_json_u64(&j, 0);
	mb_json_u64(&j, UINT64_MAX);
	mb_json_i64(&j, INT64_MIN);
	mb_json_i64(&j, INT64_MAX);
	mb_json_i64(&j, -1);
	mb_json_end_array(&j);
	is_str(text(&b), "[0,18446744073709551615,-9223372036854775808,9223372036854775807,-1]", "integers exact at the 64-bit limits");

	start(&j, &b, false);
	mb_json_begin_array(&j);
	mb_json_double(&j, 0.0);
	mb_json_double(&j, -0.0);
	mb_json_double(&j, 0.1);
	mb_json_double(&j, 1.0 / 3);
	mb_json_double(&j, DBL_MAX);
	mb_json_double(&j, -DBL_MAX);
	mb_json_double(&j, DBL_MIN);
	mb_json_double(&j, 4.9e-324);
	mb_json_double(&j, 1e21);
	mb_json_end_array(&j);
	is_str(text(&b), "[0,-0,0.1,0.333333333,1.79769313e+308,-1.79769313e+308,2.22507386e-308,4.94065646e-324,1e+21]",
	       "doubles: 9 significant digits, exponents at the extremes");

	start(&j, &b, false);
	mb_json_begin_array(&j);
	mb_json_double(&j, NAN);
	mb_json_double(&j, INFINITY);
	mb_json_double(&j, -INFINITY);
	mb_json_fixed(&j, NAN, 3);
	mb_json_fixed(&j, -INFINITY, 0);
	mb_json_fixed(&j, 2.5, 0);
	mb_json_fixed(&j, 1.0 / 3, 4);
	mb_json_fixed(&j, -0.0005, 3);
	mb_json_end_array(&j);
	is_int(mb_json_finish(&j), MB_OK, "NaN and infinities are no error");
	is_str(text(&b), "[null,null,null,null,null,2,0.3333,-0.001]\n", "NaN and infinities as null; fixed point rounds half to even");

	start(&j, &b, false);
	mb_json_fixed(&j, DBL_MAX, 17);
	ok(eq(mb_json_failed(&j), false) && eq(b.len, 309 + 1 + 17) && eq(strncmp(b.p, "17976931348623157", 17), 0),
	   "fixed point of DBL_MAX: all 309 integer digits and 17 decimals");

	/* Depth cap: MB_JSON_MAX_DEPTH levels are fine, one more fails and stays failed. */
	start(&j, &b, false);
	for (int i = 0; i < MB_JSON_MAX_DEPTH; i++)
		mb_json_begin_array(&j);
	ok(eq(mb_json_failed(&j), false) && eq(b.len, (size_t)MB_JSON_MAX_DEPTH), "%d levels of nesting", MB_JSON_MAX_DEPTH);
	mb_json_begin_array(&j);
	size_t len = b.len;
	for (int i = 0; i < MB_JSON_MAX_DEPTH; i++)
		mb_json_end_array(&j);
	ok(eq(mb_json_failed(&j), true) && eq(b.len, len), "one level more fails; nothing written after the failure");
	is_int(mb_json_finish(&j), MB_ERR, "finish reports the misuse");

	/* Misuse. */
	start(&j, &b, false);
	mb_json_begin_array(&j);
	mb_json_key(&j, "x");
	is_int(mb_json_finish(&j), MB_ERR, "a key in an array is an error");
	start(&j, &b, false);
	mb_json_begin_object(&j);
	mb_json_u64(&j, 1);
	is_int(mb_json_finish(&j), MB_ERR, "a value without a key in an object is an error");
	start(&j, &b, false);
	mb_json_begin_object(&j);
	mb_json_end_array(&j);
	is_int(mb_json_finish(&j), MB_ERR, "a mismatched closer is an error");
	start(&j, &b, false);
	mb_json_begin_object(&j);
	mb_json_key(&j, "k");
	mb_json_end_object(&j);
	is_int(mb_json_finish(&j), MB_ERR, "a key without a value is an error");
	start(&j, &b, false);
	mb_json_begin_object(&j);
	is_int(mb_json_finish(&j), MB_ERR, "an unclosed object is an error");
	start(&j, &b, false);
	mb_json_u64(&j, 1);
	mb_json_u64(&j, 2);
	is_int(mb_json_finish(&j), MB_ERR, "a second top-level value is an error");
	start(&j, &b, false);
	is_int(mb_json_finish(&j), MB_ERR, "an empty document is an error");
	start(&j, &b, false);
	mb_json_fixed(&j, 1, 18);
	is_int(mb_json_finish(&j), MB_ERR, "more than 17 decimals is an error");

	/* A write failure: /dev/full refuses every byte. */
	FILE *f = fopen("/dev/full", "w");
	ok(f != NULL, "open /dev/full");
	if (f) {
		mb_json_init_file(&j, f, true);
		mb_json_begin_object(&j);
		mb_json_kstr(&j, "a", "b");
		mb_json_end_object(&j);
		is_int(mb_json_finish(&j), MB_EIO, "buffered: the failed flush is reported");
		fclose(f);
	}
	f = fopen("/dev/full", "w");
	if (f) {
		setvbuf(f, NULL, _IONBF, 0);
		mb_json_init_file(&j, f, false);
		mb_json_begin_array(&j);
		ok(eq(mb_json_failed(&j), true), "unbuffered: the first short write fails the writer at once");
		mb_json_u64(&j, 1);
		mb_json_end_array(&j);
		is_int(mb_json_finish(&j), MB_EIO, "and the failure is sticky");
		fclose(f);
	}

	/* A FILE that works gets the same bytes as a buffer. */
	f = tmpfile();
	ok(f != NULL, "tmpfile");
	if (f) {
		mb_json_init_file(&j, f, false);
		mb_json_begin_array(&j);
		mb_json_str(&j, "\xff");
		mb_json_i64(&j, -5);
		mb_json_end_array(&j);
		is_int(mb_json_finish(&j), MB_OK, "file writer finishes ok");
		char got[64] = { 0 };
		rewind(f);
		size_t n = fread(got, 1, sizeof got - 1, f);
		ok(eq(n, 14) && eq_str(got, "[\"\\u00ff\",-5]\n"), "file writer output");
		fclose(f);
	}

	mb_buf_free(&b);
	return done_testing();
}
