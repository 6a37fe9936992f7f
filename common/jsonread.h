/* jsonread.h - a bounded JSON (RFC 8259) reader: one document parsed in place into a tree of values. */
#ifndef MB_JSONREAD_H
#define MB_JSONREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define MB_JR_MAX_DEPTH 32     /* deepest nesting of objects and arrays */
#define MB_JR_MAX_NUM 64       /* longest number, in bytes */
#define MB_JR_NONE UINT32_MAX  /* "no such value" */

enum mb_jr_type { MB_JR_NULL, MB_JR_FALSE, MB_JR_TRUE, MB_JR_NUM, MB_JR_STR, MB_JR_ARR, MB_JR_OBJ };

/* One value. Scalars and keys are offsets into the document (strings without their quotes,
   escapes undecoded); containers link their members in order. */
struct mb_jr_val {
	uint32_t off, len;       /* the value's text (a string: between the quotes) */
	uint32_t key_off, key_len; /* a member of an object: its key, between the quotes */
	uint32_t first, next;    /* first member / next sibling, MB_JR_NONE when none */
	uint32_t count;          /* members of a container */
	uint8_t type;            /* enum mb_jr_type */
};

/* A parsed document: the text stays the caller's and must outlive it. Value 0 is the root. */
struct mb_jr {
	const char *s;
	size_t len;
	struct mb_jr_val *v;
	uint32_t n, cap, max;
};

/*
 * Parse the n bytes at s as one JSON value (whitespace around it allowed), holding at most
 * max_values values (1..2^31); name is the document's name in messages. MB_OK; MB_ERR with
 * err saying "not JSON: what: 'name' at byte N" for text
 * that is not JSON, nested deeper than MB_JR_MAX_DEPTH, a number longer than MB_JR_MAX_NUM or
 * more values than max_values; MB_EIO when memory runs out. Never reads past s + n.
 */
int mb_jr_parse(struct mb_jr *d, const char *s, size_t n, uint32_t max_values, const char *name,
		 struct mb_err *err);
/* Release the tree (not the text). */
void mb_jr_free(struct mb_jr *d);

/* The member `key` of object value i (keys compared byte for byte as written), or MB_JR_NONE
   (also when i is MB_JR_NONE or not an object). */
uint32_t mb_jr_get(const struct mb_jr *d, uint32_t i, const char *key);
/* Whether value i exists and has type t. */
bool mb_jr_is(const struct mb_jr *d, uint32_t i, enum mb_jr_type t);
/* A non-negative integer without fraction or exponent that fits 64 bits: true and *out. */
bool mb_jr_u64(const struct mb_jr *d, uint32_t i, uint64_t *out);
/* Any number: true and *out. */
bool mb_jr_double(const struct mb_jr *d, uint32_t i, double *out);
/* true or false: true and *out. */
bool mb_jr_bool(const struct mb_jr *d, uint32_t i, bool *out);
/* A string decoded into out (cap bytes, NUL-terminated; \u escapes above 0xff are refused):
   true when it was a string that fit. */
bool mb_jr_str(const struct mb_jr *d, uint32_t i, char *out, size_t cap);

#endif
