/* header_meta.c - unit tests of common/header_meta.c: one metadata codec, one behaviour for streams and profiles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "header_meta.h"
#include "profile.h"
#include "stream.h"
#include "tap.h"

/* A temporary file holding p[0..n), opened for reading. */
static int file_of(const void *p, size_t n)
{
	FILE *f = tmpfile();
	if (!f || fwrite(p, 1, n, f) != n || fflush(f))
		return -1;
	int fd = dup(fileno(f));
	fclose(f);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* One metadata entry appended at q; returns its length. */
static size_t entry(uint8_t *q, const char *k, size_t kl, const char *v, size_t vl)
{
	q[0] = (uint8_t)kl;
	memcpy(q + 1, k, kl);
	mb_st_le16(q + 1 + kl, (uint16_t)vl);
	memcpy(q + 3 + kl, v, vl);
	return 3 + kl + vl;
}

/* Open a stream, then a profile, whose header carries meta[0..n); returns the reader's rc, err for each. */
static int open_both(const uint8_t *meta, size_t n, struct mb_err *es, struct mb_err *ep)
{
	static uint8_t b[512];
	struct mb_reader r;
	memcpy(b, MB_STREAM_MAGIC, 8);
	mb_st_le16(b + 8, MB_STREAM_VERSION);
	mb_st_le16(b + 10, MB_KIND_EVENTS_HASHED);
	mb_st_le32(b + 12, (uint32_t)n);
	memcpy(b + 16, meta, n);
	int fd = file_of(b, 16 + n);
	int rs = mb_reader_open(&r, fd, "s", 0, es);
	mb_reader_close(&r);
	close(fd);
	memcpy(b, MB_PROFILE_MAGIC, 8);
	mb_st_le16(b + 8, MB_PROFILE_VERSION);
	mb_st_le16(b + 10, MB_KIND_EVENTS_HASHED);
	mb_st_le32(b + 12, 0);
	mb_st_le32(b + 16, (uint32_t)n);
	memcpy(b + 20, meta, n);
	mb_st_le32(b + 20 + n, mb_crc32c(0, b, 20 + n));
	fd = file_of(b, 24 + n);
	int rp = mb_reader_open(&r, fd, "p", 0, ep);
	mb_reader_close(&r);
	close(fd);
	return rs == rp ? rs : -99;
}

int main(void)
{
	struct mb_stream_info a, b;
	mb_info_init(&a, MB_KIND_EVENTS_HASHED);
	ok(mb_info_set(&a, "source", "x.pcap") == MB_OK, "set source");
	ok(mb_info_set(&a, "program", "mb-parse") == MB_OK, "set program");
	ok(mb_info_add_program(&a, "mb-anon") == MB_OK, "add program");
	ok(mb_info_set(&a, "bad key", "v") == MB_ERR, "a key with a space is refused when set");
	ok(mb_info_set(&a, "k=v", "v") == MB_ERR, "a key with '=' is refused when set");
	ok(mb_info_set(&a, "", "v") == MB_ERR, "an empty key is refused when set");
	uint8_t buf[4096];
	size_t n = mb_meta_encode(&a, NULL);
	is_int(mb_meta_encode(&a, buf), n, "measured and written lengths agree");
	is_int(n, 3 + 6 + 6 + 3 + 7 + 16, "encoded length");
	struct mb_err err;
	size_t bad = 99;
	mb_info_init(&b, MB_KIND_EVENTS_HASHED);
	ok(mb_meta_decode(buf, n, &b, &bad, &err) == MB_OK, "decode what was encoded");
	is_int(b.nmeta, 2, "two entries");
	ok(strcmp(mb_info_get(&b, "program"), "mb-parse,mb-anon") == 0, "program chain decoded");

	/* Each bad entry: refused at its offset, with the same words by stream and profile readers. */
	uint8_t m[256];
	size_t o = entry(m, "good", 4, "v", 1);
	struct {
		const char *k, *v;
		size_t kl, vl;
		const char *why;
	} cases[] = {
		{ "a b", "1", 3, 1, "not a name" },
		{ "a=b", "1", 3, 1, "not a name" },
		{ "ok", "x\0y", 2, 3, "NUL" },
		{ "good", "w", 4, 1, "appears twice" },
		{ "", "w", 0, 1, "not a name" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len = o + entry(m + o, cases[i].k, cases[i].kl, cases[i].v, cases[i].vl);
		mb_info_init(&b, MB_KIND_EVENTS_HASHED);
		bad = 99;
		ok(mb_meta_decode(m, len, &b, &bad, &err) == MB_ERR && strstr(err.msg, cases[i].why), "case %zu refused: %s",
		   i, err.msg);
		is_int(bad, o, "case %zu: offset of the bad entry", i);
		struct mb_err es, ep;
		is_int(open_both(m, len, &es, &ep), MB_ERR, "case %zu: stream and profile readers both refuse", i);
		char want_s[64], want_p[64];
		snprintf(want_s, sizeof want_s, "at byte %zu", 16 + o);
		snprintf(want_p, sizeof want_p, "at byte %zu", 20 + o);
		ok(strstr(es.msg, cases[i].why) && strstr(es.msg, want_s), "case %zu stream: %s", i, es.msg);
		ok(strstr(ep.msg, cases[i].why) && strstr(ep.msg, want_p), "case %zu profile: %s", i, ep.msg);
	}
	/* An entry cut by the end of the block. */
	mb_info_init(&b, MB_KIND_EVENTS_HASHED);
	ok(mb_meta_decode(m, o + 2, &b, &bad, &err) == MB_ERR && bad == o, "an entry past the block is refused at its offset");
	/* Good metadata opens both. */
	struct mb_err es, ep;
	is_int(open_both(buf, n, &es, &ep), MB_OK, "stream and profile with good metadata open");
	return done_testing();
}
