/* header_meta.h - header metadata of streams and profiles: ordered key=value pairs, their checks and their one byte encoding. */
#ifndef MB_HEADER_META_H
#define MB_HEADER_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define MB_META_MAX_BYTES 65536      /* largest header metadata block */
#define MB_META_MAX_ENTRIES 64
#define MB_META_KEY_MAX 63
#define MB_META_VAL_MAX 1023

/* Header metadata: ordered text key=value pairs. */
struct mb_meta {
	char key[MB_META_KEY_MAX + 1];
	char val[MB_META_VAL_MAX + 1];
};

/* What a stream (or profile) header says. */
struct mb_stream_info {
	uint16_t version;
	uint16_t kind;
	unsigned nmeta;
	struct mb_meta meta[MB_META_MAX_ENTRIES];
};

/* Whether s[0..n) is a name: printable ASCII without space or '=' (metadata keys, summary names). */
bool mb_name_ok(const uint8_t *s, size_t n);
/* Initialise an info of a kind, with no metadata (version: the stream format's). */
void mb_info_init(struct mb_stream_info *info, unsigned kind);
/* Set (replace or append) a metadata value; MB_ERR when full, too long, the key is not a name (mb_name_ok) or empty. */
int mb_info_set(struct mb_stream_info *info, const char *key, const char *val);
/* The value of key, or NULL. */
const char *mb_info_get(const struct mb_stream_info *info, const char *key);
/* Set `source` to the base name of path (what follows its last '/'): no directory name leaks into a stream. */
int mb_info_set_source(struct mb_stream_info *info, const char *path);
/* Append ",prog" to the "program" chain (or set it) so a stream tells which stages made it. */
int mb_info_add_program(struct mb_stream_info *info, const char *prog);

/*
 * The metadata block of a stream or profile header (doc/stream.md): per entry u8 key
 * length, key, u16 value length (little-endian), value. Encode into q (NULL: only
 * measure); returns the block's length.
 */
size_t mb_meta_encode(const struct mb_stream_info *info, uint8_t *q);
/*
 * Decode a metadata block of len bytes, appending its entries to info. Every entry must
 * fit, have a name as key (mb_name_ok, 1..MB_META_KEY_MAX bytes), a value of at most
 * MB_META_VAL_MAX bytes without NUL, a key not seen before, and at most
 * MB_META_MAX_ENTRIES in all. MB_OK, or MB_ERR with *bad set to the offset of the
 * offending entry in the block and err naming what is wrong (no location).
 */
int mb_meta_decode(const uint8_t *p, size_t len, struct mb_stream_info *info, size_t *bad, struct mb_err *err);

#endif
