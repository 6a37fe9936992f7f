/* anon.c - the anonymization secret (key files, getrandom) and the key hash, plain or prefix-structured. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "anon.h"
#include "bytes.h"
#include "siphash.h"

/* Constants hashed under the secret: the fingerprint, and the derivation of the segment subkeys. */
#define FINGERPRINT_TEXT "membench anon fingerprint v1"
#define SUBKEY_FIRST "membench anon first segment"
#define SUBKEY_LAST "membench anon last segment"

/* A 128-bit subkey: SipHash of (label || 0) and (label || 1) under the secret. */
static void derive(const struct mb_anon *a, const char *label, uint64_t out[2])
{
	char m[64];
	size_t n = strlen(label);
	memcpy(m, label, n);
	for (int i = 0; i < 2; i++) {
		m[n] = (char)i;
		out[i] = mb_siphash24(a->k0, a->k1, m, n + 1);
	}
}

void mb_anon_init_secret(struct mb_anon *a, const uint8_t secret[MB_ANON_SECRET_BYTES])
{
	memset(a, 0, sizeof *a);
	a->k0 = mb_ld_le64(secret);
	a->k1 = mb_ld_le64(secret + 8);
	derive(a, SUBKEY_FIRST, a->kfirst);
	derive(a, SUBKEY_LAST, a->klast);
}

int mb_anon_random_secret(uint8_t out[MB_ANON_SECRET_BYTES], struct mb_err *err)
{
	size_t got = 0;
	while (got < MB_ANON_SECRET_BYTES) {
		ssize_t n = getrandom(out + got, MB_ANON_SECRET_BYTES - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return mb_err_set(err, MB_EIO, "getrandom failed: %s", strerror(errno));
		}
		got += (size_t)n;
	}
	return MB_OK;
}

void mb_anon_init_random(struct mb_anon *a)
{
	uint8_t s[MB_ANON_SECRET_BYTES];
	struct mb_err err;
	if (mb_anon_random_secret(s, &err) != MB_OK) {
		/* getrandom(2) with flags 0 only fails before the pool is seeded on ancient
		 * kernels; /dev/urandom is the documented equivalent. */
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		size_t got = 0;
		while (fd >= 0 && got < sizeof s) {
			ssize_t n = read(fd, s + got, sizeof s - got);
			if (n <= 0)
				break;
			got += (size_t)n;
		}
		if (fd >= 0)
			close(fd);
	}
	mb_anon_init_secret(a, s);
	memset(s, 0, sizeof s);
}

void mb_anon_format_secret(const uint8_t secret[MB_ANON_SECRET_BYTES], char out[MB_ANON_KEYFILE_CHARS + 2])
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < MB_ANON_SECRET_BYTES; i++) {
		out[2 * i] = hex[secret[i] >> 4];
		out[2 * i + 1] = hex[secret[i] & 15];
	}
	out[MB_ANON_KEYFILE_CHARS] = '\n';
	out[MB_ANON_KEYFILE_CHARS + 1] = '\0';
}

int mb_anon_init_file(struct mb_anon *a, const char *path, struct mb_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mb_err_set(err, MB_EIO, "cannot open key file: %s: '%s'", strerror(errno), path);
	uint8_t text[MB_ANON_KEYFILE_CHARS + 2];
	size_t got = 0;
	while (got < sizeof text) {
		ssize_t n = read(fd, text + got, sizeof text - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			return mb_err_set(err, MB_EIO, "cannot read key file: %s: '%s'", strerror(e), path);
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	uint8_t secret[MB_ANON_SECRET_BYTES];
	for (size_t i = 0; i < MB_ANON_KEYFILE_CHARS; i++) {
		int v = i < got ? mb_hexval(text[i]) : -1;
		if (v < 0)
			return mb_err_set(err, MB_ERR, "bad key file (want 32 hex digits and a newline, as mb-anon --new-key writes): '%s' at byte %zu",
					  path, i);
		if (i & 1)
			secret[i / 2] = (uint8_t)(secret[i / 2] << 4 | v);
		else
			secret[i / 2] = (uint8_t)v;
	}
	if (got != MB_ANON_KEYFILE_CHARS + 1 || text[MB_ANON_KEYFILE_CHARS] != '\n')
		return mb_err_set(err, MB_ERR, "bad key file (want 32 hex digits and a newline, as mb-anon --new-key writes): '%s' at byte %d",
				  path, MB_ANON_KEYFILE_CHARS);
	mb_anon_init_secret(a, secret);
	memset(secret, 0, sizeof secret);
	memset(text, 0, sizeof text);
	return MB_OK;
}

int mb_anon_set_prefix(struct mb_anon *a, const char *delims, struct mb_err *err)
{
	size_t n = strlen(delims);
	if (n == 0 || n > MB_ANON_DELIMS_MAX)
		return mb_err_set(err, MB_ERR, "--prefix wants 1 to %d delimiter characters: '%s'", MB_ANON_DELIMS_MAX, delims);
	memset(a->delim, 0, sizeof a->delim);
	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)delims[i];
		if (c <= ' ' || c >= 0x7f || c == ',' || c == '=')
			return mb_err_set(err, MB_ERR, "--prefix delimiters must be printable, not space, ',' or '=': '%s' at byte %zu", delims, i);
		if (a->delim[c])
			return mb_err_set(err, MB_ERR, "--prefix delimiter repeated: '%s' at byte %zu", delims, i);
		a->delim[c] = 1;
	}
	memcpy(a->delims, delims, n + 1);
	a->prefix = true;
	return MB_OK;
}

uint64_t mb_anon_hash(const struct mb_anon *a, const uint8_t *key, size_t len)
{
	uint64_t hk = mb_siphash24(a->k0, a->k1, key, len);
	if (!a->prefix)
		return hk;
	size_t first = 0, last = len;
	while (first < len && !a->delim[key[first]])
		first++;
	if (first < len)
		while (!a->delim[key[last - 1]])
			last--;
	else
		last = 0;
	/* key[0..first) is the first segment, key[last..len) the last one. */
	uint64_t hf = mb_siphash24(a->kfirst[0], a->kfirst[1], key, first);
	uint64_t hl = mb_siphash24(a->klast[0], a->klast[1], key + last, len - last);
	return (hf >> (64 - MB_ANON_FIRST_BITS)) << (64 - MB_ANON_FIRST_BITS) |
	       (hl >> (64 - MB_ANON_LAST_BITS)) << MB_ANON_FULL_BITS |
	       (hk & ((UINT64_C(1) << MB_ANON_FULL_BITS) - 1));
}

void mb_anon_fingerprint(const struct mb_anon *a, char out[17])
{
	uint64_t f = mb_siphash24(a->k0, a->k1, FINGERPRINT_TEXT, sizeof FINGERPRINT_TEXT - 1);
	snprintf(out, 17, "%016llx", (unsigned long long)f);
}
