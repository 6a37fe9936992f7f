/* anon.h - keyed key anonymization: SipHash-2-4 of each key under a 128-bit secret (doc/mb-anon.md). */
#ifndef MB_ANON_H
#define MB_ANON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define MB_ANON_SECRET_BYTES 16   /* the SipHash key */
#define MB_ANON_KEYFILE_CHARS 32  /* a key file: 32 lowercase/uppercase hex digits and one newline */
#define MB_ANON_DELIMS_MAX 16     /* distinct delimiter characters for --prefix */

/*
 * Prefix mode (--prefix): a key is split at every delimiter byte into segments
 * (first = bytes before the first delimiter, last = bytes after the last one;
 * a key without delimiter is one segment that is both). The 64-bit hash is then
 *   bits 63..48  16-bit tag of the first segment   (MB_ANON_FIRST_BITS)
 *   bits 47..40   8-bit tag of the last segment    (MB_ANON_LAST_BITS)
 *   bits 39..0   40-bit hash of the whole key
 * The whole-key bits are the low 40 bits of the plain hash; the segment tags are
 * SipHash under subkeys derived from the secret (doc/mb-anon.md).
 */
#define MB_ANON_FIRST_BITS 16
#define MB_ANON_LAST_BITS 8
#define MB_ANON_FULL_BITS 40

/* A secret and the prefix delimiter set. Plain data: copy freely, no cleanup. */
struct mb_anon {
	uint64_t k0, k1;                     /* SipHash key, little-endian halves of the secret */
	uint64_t kfirst[2], klast[2];        /* subkeys for the prefix-mode segment tags */
	bool prefix;                         /* prefix mode on */
	uint8_t delim[256];                  /* delim[c] != 0 when byte c is a delimiter */
	char delims[MB_ANON_DELIMS_MAX + 1]; /* the delimiter set as given, for the stream header */
};

/* Every init_* clears prefix mode. Load the secret from a key file (32 hex digits + newline); MB_ERR/MB_EIO with a one-line reason. */
int mb_anon_init_file(struct mb_anon *a, const char *path, struct mb_err *err);
/* A fresh secret from getrandom(2), valid for this run only. */
void mb_anon_init_random(struct mb_anon *a);
/* Set the secret from 16 bytes (tests, --new-key). */
void mb_anon_init_secret(struct mb_anon *a, const uint8_t secret[MB_ANON_SECRET_BYTES]);
/* Fill out with 16 random bytes from getrandom(2); MB_EIO when the kernel refuses. */
int mb_anon_random_secret(uint8_t out[MB_ANON_SECRET_BYTES], struct mb_err *err);
/* Format a secret as a key file's text: 32 lowercase hex digits, newline, NUL. */
void mb_anon_format_secret(const uint8_t secret[MB_ANON_SECRET_BYTES], char out[MB_ANON_KEYFILE_CHARS + 2]);
/* After an init_*: turn on prefix mode with these delimiter bytes (1..16 distinct printable, non-space); MB_ERR otherwise. */
int mb_anon_set_prefix(struct mb_anon *a, const char *delims, struct mb_err *err);
/* The key's 64-bit hash: plain SipHash-2-4, or the prefix-mode composition above. */
uint64_t mb_anon_hash(const struct mb_anon *a, const uint8_t *key, size_t len);
/* The secret's fingerprint (a one-way SipHash of a constant under it) as 16 hex digits + NUL. */
void mb_anon_fingerprint(const struct mb_anon *a, char out[17]);

#endif
