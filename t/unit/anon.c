/* anon.c - unit tests of common/siphash (reference vectors) and common/anon (key files, prefix mode, fingerprint). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anon.h"
#include "siphash.h"
#include "tap.h"

/* The 64 outputs of the SipHash-2-4 paper's test setup: key 00..0f, message 00..(len-1). */
static const uint64_t vectors[64] = {
	0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL, 0x0d6c8009d9a94f5aULL, 0x85676696d7fb7e2dULL,
	0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL, 0xcbc9466e58fee3ceULL, 0xab0200f58b01d137ULL,
	0x93f5f5799a932462ULL, 0x9e0082df0ba9e4b0ULL, 0x7a5dbbc594ddb9f3ULL, 0xf4b32f46226bada7ULL,
	0x751e8fbc860ee5fbULL, 0x14ea5627c0843d90ULL, 0xf723ca908e7af2eeULL, 0xa129ca6149be45e5ULL,
	0x3f2acc7f57c29bdbULL, 0x699ae9f52cbe4794ULL, 0x4bc1b3f0968dd39cULL, 0xbb6dc91da77961bdULL,
	0xbed65cf21aa2ee98ULL, 0xd0f2cbb02e3b67c7ULL, 0x93536795e3a33e88ULL, 0xa80c038ccd5ccec8ULL,
	0xb8ad50c6f649af94ULL, 0xbce192de8a85b8eaULL, 0x17d835b85bbb15f3ULL, 0x2f2e6163076bcfadULL,
	0xde4daaaca71dc9a5ULL, 0xa6a2506687956571ULL, 0xad87a3535c49ef28ULL, 0x32d892fad841c342ULL,
	0x7127512f72f27cceULL, 0xa7f32346f95978e3ULL, 0x12e0b01abb051238ULL, 0x15e034d40fa197aeULL,
	0x314dffbe0815a3b4ULL, 0x027990f029623981ULL, 0xcadcd4e59ef40c4dULL, 0x9abfd8766a33735cULL,
	0x0e3ea96b5304a7d0ULL, 0xad0c42d6fc585992ULL, 0x187306c89bc215a9ULL, 0xd4a60abcf3792b95ULL,
	0xf935451de4f21df2ULL, 0xa9538f0419755787ULL, 0xdb9acddff56ca510ULL, 0xd06c98cd5c0975ebULL,
	0xe612a3cb9ecba951ULL, 0xc766e62cfcadaf96ULL, 0xee64435a9752fe72ULL, 0xa192d576b245165aULL,
	0x0a8787bf8ecb74b2ULL, 0x81b3e73d20b49b6fULL, 0x7fa8220ba3b2eceaULL, 0x245731c13ca42499ULL,
	0xb78dbfaf3a8d83bdULL, 0xea1ad565322a1a0bULL, 0x60e61c23a3795013ULL, 0x6606d7e446282b93ULL,
	0x6ca4ecb15c5f91e1ULL, 0x9f626da15c9625f3ULL, 0xe51b38608ef25f57ULL, 0x958a324ceb064572ULL,
};

static int write_file(const char *path, const char *text, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	fwrite(text, 1, n, f);
	return fclose(f);
}

#define H(a, s) mb_anon_hash((a), (const uint8_t *)(s), strlen(s))

int main(void)
{
	uint8_t key[16], msg[64];
	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	uint64_t k0 = 0x0706050403020100ULL, k1 = 0x0f0e0d0c0b0a0908ULL;
	int good = 0;
	for (int len = 0; len < 64; len++)
		good += mb_siphash24(k0, k1, msg, (size_t)len) == vectors[len];
	ok(eq(good, 64), "SipHash-2-4 matches all 64 reference vectors");

	struct mb_anon a, b, c;
	struct mb_err err;
	mb_anon_init_secret(&a, key);
	ok(eq(H(&a, ""), vectors[0]), "plain mode is SipHash-2-4 of the key");
	ok(eq(mb_anon_hash(&a, msg, 15), vectors[15]), "plain mode, 15-byte key");

	/* Key files: write, read back, strict validation. */
	char text[MB_ANON_KEYFILE_CHARS + 2], path[] = "/tmp/mb-anon-unit-XXXXXX";
	int fd = mkstemp(path);
	ok(cmp(fd, >=, 0), "temporary key file");
	close(fd);
	mb_anon_format_secret(key, text);
	ok(eq_str(text, "000102030405060708090a0b0c0d0e0f\n"), "key file text");
	ok(eq(write_file(path, text, strlen(text)), 0) && eq(mb_anon_init_file(&b, path, &err), MB_OK), "key file read back");
	ok(eq(H(&b, "user:1"), H(&a, "user:1")), "same secret from file, same hash");
	char fa[17], fb[17];
	mb_anon_fingerprint(&a, fa);
	mb_anon_fingerprint(&b, fb);
	ok(eq(strlen(fa), 16) && eq_str(fa, fb), "same secret, same fingerprint");
	ok(strstr(fa, "0001020304050607") == NULL && strstr(fa, "08090a0b0c0d0e0f") == NULL, "fingerprint is not the secret");

	ok(eq(write_file(path, text, 32), 0) && eq(mb_anon_init_file(&b, path, &err), MB_ERR) &&
		   contains(err.msg, "at byte 32"), "key file without newline refused");
	ok(eq(write_file(path, "000102030405060708090a0b0c0d0e0f\nx", 34), 0) && eq(mb_anon_init_file(&b, path, &err), MB_ERR),
	   "key file with trailing bytes refused");
	ok(eq(write_file(path, "0001020304050607g8090a0b0c0d0e0f\n", 33), 0) && eq(mb_anon_init_file(&b, path, &err), MB_ERR) &&
		   contains(err.msg, "at byte 16"), "key file with a non-hex digit refused at its offset");
	ok(eq(write_file(path, "0102\n", 5), 0) && eq(mb_anon_init_file(&b, path, &err), MB_ERR) && contains(err.msg, "at byte 4"),
	   "short key file refused");
	unlink(path);
	ok(eq(mb_anon_init_file(&b, path, &err), MB_EIO) && contains(err.msg, "cannot open"), "missing key file");

	/* Different secrets: different hashes and fingerprints. */
	key[0] ^= 1;
	mb_anon_init_secret(&c, key);
	mb_anon_fingerprint(&c, fb);
	ok(cmp(H(&c, "user:1"), !=, H(&a, "user:1")) && cmp(strcmp(fa, fb), !=, 0), "different secret, different hash and fingerprint");
	mb_anon_init_random(&b);
	mb_anon_init_random(&c);
	ok(cmp(H(&b, "k"), !=, H(&c, "k")), "two random secrets differ");

	/* Prefix mode. */
	ok(eq(mb_anon_set_prefix(&a, "", &err), MB_ERR), "empty delimiter set refused");
	ok(eq(mb_anon_set_prefix(&a, "::", &err), MB_ERR) && contains(err.msg, "at byte 1"), "repeated delimiter refused");
	ok(eq(mb_anon_set_prefix(&a, ": ", &err), MB_ERR), "space delimiter refused");
	ok(eq(mb_anon_set_prefix(&a, ":/", &err), MB_OK) && a.prefix && eq_str(a.delims, ":/"), "prefix ':/' set");
	uint64_t u1 = H(&a, "user:123:profile"), u2 = H(&a, "user:456:profile"), u3 = H(&a, "user:456/avatar");
	uint64_t s1 = H(&a, "session:123:profile");
	ok(eq(u1 >> 48, u2 >> 48) && eq(u1 >> 48, u3 >> 48), "same first segment, same top 16 bits");
	ok(eq((u1 >> 40 & 0xff), (u2 >> 40 & 0xff)), "same last segment, same 8-bit last tag");
	ok(cmp(u1 >> 48, !=, s1 >> 48), "different first segment, different top bits");
	ok(cmp(u1, !=, u2), "different keys, different hashes");
	struct mb_anon plain;
	mb_anon_init_secret(&plain, (const uint8_t *)"\0\1\2\3\4\5\6\7\10\11\12\13\14\15\16\17");
	ok(eq((u1 & 0xffffffffffULL), (H(&plain, "user:123:profile") & 0xffffffffffULL)), "low 40 bits are the plain hash's");
	uint64_t one = H(&a, "plainkey");
	ok(eq(one >> 48, H(&a, "plainkey:") >> 48), "a key without delimiter is its own first segment");
	ok(cmp(H(&a, ":x:"), !=, H(&a, "::x")), "empty segments are handled");

	return done_testing();
}
