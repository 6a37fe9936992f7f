/* json.h - one streaming JSON writer (RFC 8259) for every JSON document membench writes. */
#ifndef MB_JSON_H
#define MB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "textfmt.h"

/* Deepest nesting of objects and arrays; one more is a usage error. */
#define MB_JSON_MAX_DEPTH 32

/*
 * The writer places commas, colons and quotes itself; the caller only says what comes next.
 * Output goes to a struct mb_buf (appended) or a FILE. Any failure (out of memory, a short
 * write, a misuse such as a key in an array, nesting past MB_JSON_MAX_DEPTH) is sticky: the
 * writer writes nothing more and mb_json_finish reports it.
 *
 * Strings are byte strings: '"' and '\\' are written \" and \\; every control byte (0x00-0x1f)
 * and every byte from 0x7f up is written \u00XX (lower-case hex), naming the code point of the
 * same value, never a short form such as \n. Output is thus always ASCII and always valid JSON,
 * whatever the bytes (binary keys, non-UTF-8 names); a reader gets the bytes back as code points
 * 0-255 (Latin-1), never a decoding error.
 *
 * Layout: compact ("a":1,"b":2) or spaced ("a": 1, "b": 2). Line breaks are the caller's,
 * through mb_json_wrap and mb_json_newline; nothing else adds whitespace.
 */
struct mb_json {
	struct mb_buf *buf; /* one of buf and f */
	FILE *f;
	bool spaced;
	int rc;			/* MB_OK until the first failure, then MB_EIO or MB_ERR */
	bool after_key;		/* a key was written: its value comes next */
	bool done;		/* the top-level value is complete */
	unsigned depth;
	bool wrap;		/* break the line after the next comma */
	bool newline;		/* break the line before the next item or closing bracket */
	unsigned indent;	/* spaces after such a break */
	bool is_obj[MB_JSON_MAX_DEPTH];
	bool empty[MB_JSON_MAX_DEPTH];
};

/* A writer appending to b (or writing to f); spaced selects ", " and ": " separators. */
void mb_json_init_buf(struct mb_json *w, struct mb_buf *b, bool spaced);
void mb_json_init_file(struct mb_json *w, FILE *f, bool spaced);

/* Open/close an object or array as the next value; the close must match the open. */
void mb_json_begin_object(struct mb_json *w);
void mb_json_end_object(struct mb_json *w);
void mb_json_begin_array(struct mb_json *w);
void mb_json_end_array(struct mb_json *w);

/* The key of the next member of the current object: a C string, or n bytes. */
void mb_json_key(struct mb_json *w, const char *k);
void mb_json_key_n(struct mb_json *w, const void *k, size_t n);

/* Values. Doubles that are NaN or infinite are written as null. */
void mb_json_str(struct mb_json *w, const char *s);
void mb_json_str_n(struct mb_json *w, const void *s, size_t n);
void mb_json_u64(struct mb_json *w, uint64_t v);
void mb_json_i64(struct mb_json *w, int64_t v);
void mb_json_double(struct mb_json *w, double v);		/* 9 significant digits (%.9g) */
void mb_json_fixed(struct mb_json *w, double v, int decimals);	/* fixed point (%.*f), decimals 0-17 */
void mb_json_bool(struct mb_json *w, bool v);
void mb_json_null(struct mb_json *w);

/* Key and value in one call, for members of the current object. */
void mb_json_kstr(struct mb_json *w, const char *k, const char *s);
void mb_json_ku64(struct mb_json *w, const char *k, uint64_t v);
void mb_json_ki64(struct mb_json *w, const char *k, int64_t v);
void mb_json_kdouble(struct mb_json *w, const char *k, double v);
void mb_json_kfixed(struct mb_json *w, const char *k, double v, int decimals);
void mb_json_kbool(struct mb_json *w, const char *k, bool v);

/* If the next item of the current container follows a comma, put a line break and `indent`
   spaces after that comma (and no other space). */
void mb_json_wrap(struct mb_json *w, unsigned indent);
/* Put a line break and `indent` spaces before the next item or closing bracket, comma or not. */
void mb_json_newline(struct mb_json *w, unsigned indent);

/* End the document with a newline (and flush a FILE). MB_OK if one complete value was written
   without failure; else MB_EIO after a write/memory failure, MB_ERR after misuse. */
int mb_json_finish(struct mb_json *w);
/* True once anything failed (sticky). */
bool mb_json_failed(const struct mb_json *w);

#endif
