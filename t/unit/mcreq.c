/* mcreq.c - unit tests of common/mcreq, common/mcresp and common/chash: exact request bytes,
   response units and statuses, the three parser outcomes, key legality, ring balance. */
#include <stdio.h>
#include <string.h>

#include "chash.h"
#include "event.h"
#include "mcreq.h"
#include "mcresp.h"
#include "tap.h"

static uint8_t buf[1 << 21];

/* Build r and compare with the expected bytes. */
static int built(const struct mb_mcreq *r, const char *want, size_t wlen, enum mb_expect wexp)
{
	enum mb_expect ex;
	size_t n = mb_mcreq_build(buf, sizeof buf, r, &ex);
	if (n != wlen || memcmp(buf, want, wlen) || ex != wexp) {
		tap_note("#   got %zu bytes, expect %d: '%.*s'\n", n, (int)ex, (int)(n > 200 ? 200 : n), buf);
		return 0;
	}
	return 1;
}

int main(void)
{
	uint8_t k1[MB_MCREQ_KEY_MAX], k2[MB_MCREQ_KEY_MAX];
	char kb[16];

	/* keys */
	size_t n1 = mb_mcreq_key(k1, 42, 12), n2 = mb_mcreq_key(k2, 42, 12);
	ok(eq(n1, 12) && eq(n2, 12) && eq_mem(k1, k2, 12), "same hash and length, same key");
	mb_mcreq_key(k2, 43, 12);
	ok(cmp(memcmp(k1, k2, 12), !=, 0), "another hash, another key");
	ok(eq(mb_mcreq_key(k1, 1, 0), 1) && eq(mb_mcreq_key(k1, 1, 9999), 250), "lengths clamped to 1..250");
	int legal = 1;
	for (uint64_t h = 0; h < 2000; h++) {
		size_t n = mb_mcreq_key(k1, h * 0x9e3779b97f4a7c15ull, (uint16_t)(h % 300));
		for (size_t i = 0; i < n; i++)
			if (k1[i] <= ' ' || k1[i] >= 0x7f)
				legal = 0;
	}
	ok(legal, "keys have no spaces or control characters");
	/* 10-character prefixes of distinct hashes differ (60 bits of a bijection) */
	int distinct = 1;
	for (uint64_t h = 0; h < 1000; h++) {
		mb_mcreq_key(k1, h, 10);
		mb_mcreq_key(k2, h + 1, 10);
		if (!memcmp(k1, k2, 10))
			distinct = 0;
	}
	ok(distinct, "10-character keys of neighbouring hashes differ");

	/* text requests */
	struct mb_mcreq_key keys[3] = { { 1, 5 }, { 2, 5 }, { 3, 5 } };
	char key0[6], key1[6], key2[6];
	mb_mcreq_key((uint8_t *)key0, 1, 5);
	mb_mcreq_key((uint8_t *)key1, 2, 5);
	mb_mcreq_key((uint8_t *)key2, 3, 5);
	key0[5] = key1[5] = key2[5] = 0;
	char want[512];
	struct mb_mcreq r = { .proto = MB_PROTO_TEXT, .cmd = MB_CMD_GET, .nkeys = 3, .keys = keys };
	int wl = snprintf(want, sizeof want, "get %s %s %s\r\n", key0, key1, key2);
	ok(built(&r, want, (size_t)wl, MB_EXP_TEXT_VALUES), "text multi-get is one line");
	r = (struct mb_mcreq){ .proto = MB_PROTO_TEXT, .cmd = MB_CMD_SET, .ttl = 30, .value_len = 5, .nkeys = 1, .keys = keys };
	wl = snprintf(want, sizeof want, "set %s 0 30 5\r\n12345\r\n", key0);
	ok(built(&r, want, (size_t)wl, MB_EXP_TEXT_LINE), "text set with value filler");
	r.quiet = true;
	wl = snprintf(want, sizeof want, "set %s 0 30 5 noreply\r\n12345\r\n", key0);
	ok(built(&r, want, (size_t)wl, MB_EXP_NONE), "text noreply expects nothing");
	r = (struct mb_mcreq){ .proto = MB_PROTO_TEXT, .cmd = MB_CMD_INCR, .nkeys = 1, .keys = keys };
	wl = snprintf(want, sizeof want, "incr %s 1\r\n", key0);
	ok(built(&r, want, (size_t)wl, MB_EXP_TEXT_LINE), "text incr");
	r = (struct mb_mcreq){ .proto = MB_PROTO_TEXT, .cmd = MB_CMD_GAT, .ttl = -1, .nkeys = 1, .keys = keys };
	wl = snprintf(want, sizeof want, "gat -1 %s\r\n", key0);
	ok(built(&r, want, (size_t)wl, MB_EXP_TEXT_VALUES), "text gat with a negative ttl");
	r = (struct mb_mcreq){ .proto = MB_PROTO_TEXT, .cmd = MB_CMD_CAS, .value_len = 2, .nkeys = 1, .keys = keys,
			       .cas = 18446744073709551615ull };
	wl = snprintf(want, sizeof want, "cas %s 0 0 2 18446744073709551615\r\n12\r\n", key0);
	ok(built(&r, want, (size_t)wl, MB_EXP_TEXT_LINE), "text cas sends the unique it is given");
	r.cas = 0;
	wl = snprintf(want, sizeof want, "cas %s 0 0 2 1\r\n12\r\n", key0);
	ok(built(&r, want, (size_t)wl, MB_EXP_TEXT_LINE), "text cas without a known unique sends 1");
	r = (struct mb_mcreq){ .proto = MB_PROTO_TEXT, .cmd = MB_CMD_QUIT };
	enum mb_expect ex;
	ok(eq(mb_mcreq_build(buf, sizeof buf, &r, &ex), 0) && !mb_mcreq_replayable(MB_CMD_QUIT), "quit is not replayed");

	/* meta requests */
	r = (struct mb_mcreq){ .proto = MB_PROTO_META, .cmd = MB_CMD_GETS, .nkeys = 1, .keys = keys };
	wl = snprintf(want, sizeof want, "mg %s v c\r\n", key0);
	ok(built(&r, want, (size_t)wl, MB_EXP_META_ONE), "meta gets");
	r = (struct mb_mcreq){ .proto = MB_PROTO_META, .cmd = MB_CMD_GET, .nkeys = 2, .keys = keys };
	wl = snprintf(want, sizeof want, "mg %s v q\r\nmg %s v q\r\nmn\r\n", key0, key1);
	ok(built(&r, want, (size_t)wl, MB_EXP_META_UNTIL_MN), "meta multi-get: quiet gets closed by mn");
	r = (struct mb_mcreq){ .proto = MB_PROTO_META, .cmd = MB_CMD_ADD, .ttl = 5, .value_len = 3, .quiet = true, .nkeys = 1, .keys = keys };
	wl = snprintf(want, sizeof want, "ms %s 3 T5 ME q\r\n123\r\nmn\r\n", key0);
	ok(built(&r, want, (size_t)wl, MB_EXP_META_UNTIL_MN), "meta quiet add");
	r = (struct mb_mcreq){ .proto = MB_PROTO_META, .cmd = MB_CMD_CAS, .value_len = 1, .nkeys = 1, .keys = keys, .cas = 77 };
	wl = snprintf(want, sizeof want, "ms %s 1 C77\r\n1\r\n", key0);
	ok(built(&r, want, (size_t)wl, MB_EXP_META_ONE), "meta cas: ms with C<unique>");
	r = (struct mb_mcreq){ .proto = MB_PROTO_META, .cmd = MB_CMD_DECR, .nkeys = 1, .keys = keys };
	wl = snprintf(want, sizeof want, "ma %s MD\r\n", key0);
	ok(built(&r, want, (size_t)wl, MB_EXP_META_ONE), "meta decr");

	/* binary requests */
	r = (struct mb_mcreq){ .proto = MB_PROTO_BINARY, .cmd = MB_CMD_SET, .ttl = 7, .value_len = 2, .nkeys = 1, .keys = keys };
	size_t n = mb_mcreq_build(buf, sizeof buf, &r, &ex);
	static const uint8_t bset[32] = { 0x80, 0x01, 0, 5, 8, 0, 0, 0, 0, 0, 0, 15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					  0, 0, 0, 0, 0, 0, 0, 7 };
	ok(eq(n, 24 + 8 + 5 + 2) && eq_mem(buf, bset, 32) && eq_mem(buf + 32, key0, 5) && eq_mem(buf + 37, "12", 2) &&
	   eq(ex, MB_EXP_BIN_ONE), "binary set: header, extras, key, value");
	r = (struct mb_mcreq){ .proto = MB_PROTO_BINARY, .cmd = MB_CMD_CAS, .value_len = 2, .nkeys = 1, .keys = keys,
			       .cas = 0x0102030405060708ull };
	n = mb_mcreq_build(buf, sizeof buf, &r, &ex);
	static const uint8_t bcas[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	ok(eq(n, 24 + 8 + 5 + 2) && eq(buf[1], 0x01) && eq_mem(buf + 16, bcas, 8), "binary cas: a set with the unique in the header");
	r.cas = 0;
	n = mb_mcreq_build(buf, sizeof buf, &r, &ex);
	ok(eq(n, 39) && eq(buf[23], 1) && eq_mem(buf + 16, "\0\0\0\0\0\0\0", 7), "binary cas without a known unique: 1, never 0 (a plain set)");
	r = (struct mb_mcreq){ .proto = MB_PROTO_BINARY, .cmd = MB_CMD_GET, .nkeys = 3, .keys = keys };
	n = mb_mcreq_build(buf, sizeof buf, &r, &ex);
	ok(eq(n, 3 * 29 + 24) && eq(buf[1], 0x0d) && eq(buf[30], 0x0d) && eq(buf[3 * 29 + 1], 0x0a) && eq(ex, MB_EXP_BIN_UNTIL_NOOP),
	   "binary multi-get: GETKQ x3 then NOOP");
	ok(eq(mb_mcreq_build(buf, 10, &r, &ex), 0), "too small a buffer builds nothing");

	/* responses: units, three outcomes */
	struct mb_mcresp u;
	const char *v = "VALUE abc 0 5 99\r\nhello\r\nEND\r\n";
	ok(eq(mb_mcresp_parse(0, (const uint8_t *)v, strlen(v), &u), MB_MCRESP_OK) && eq(u.kind, MB_RK_VALUE) &&
	   eq(u.hdr_len, 18) && eq(u.value_len, 5) && eq(u.trailer_len, 2) && eq(u.cas, 99), "VALUE line with cas: header, value length, unique");
	ok(eq(mb_mcresp_parse(0, (const uint8_t *)"VALUE abc 0 5\r\n", 15, &u), MB_MCRESP_OK) && eq(u.value_len, 5) && eq(u.cas, 0),
	   "VALUE line of a get: no unique");
	ok(eq(mb_mcresp_parse(0, (const uint8_t *)"VALUE abc 0 5 18446744073709551616\r\n", 36, &u), MB_MCRESP_OK) && eq(u.cas, 0),
	   "a unique past 64 bits is not taken");
	ok(eq(mb_mcresp_parse(0, (const uint8_t *)"VA 3 t-1 c123 f0\r\n", 19, &u), MB_MCRESP_OK) && eq(u.value_len, 3) && eq(u.cas, 123),
	   "meta VA: the c flag's unique among others");
	ok(eq(mb_mcresp_parse(0, (const uint8_t *)"HD c5\r\n", 7, &u), MB_MCRESP_OK) && eq(u.kind, MB_RK_HD) && eq(u.cas, 5),
	   "meta HD with c");
	ok(eq(mb_mcresp_parse(0, (const uint8_t *)v, 10, &u), MB_MCRESP_MORE), "partial line: need more");
	ok(eq(mb_mcresp_parse(0, (const uint8_t *)"VA 12 f3\r\n", 10, &u), MB_MCRESP_OK) && eq(u.kind, MB_RK_VALUE) &&
	   eq(u.value_len, 12), "meta VA");
	ok(eq(mb_mcresp_parse(0, (const uint8_t *)"HD\r\n", 4, &u), MB_MCRESP_OK) && eq(mb_mcresp_status(MB_CMD_DELETE, &u), MB_ST_DELETED),
	   "meta HD after md means deleted");
	ok(eq(mb_mcresp_parse(0, (const uint8_t *)"EN\r\n", 4, &u), MB_MCRESP_OK) && eq(mb_mcresp_status(MB_CMD_GET, &u), MB_ST_MISS),
	   "meta EN is a miss");
	ok(eq(mb_mcresp_parse(0, (const uint8_t *)"12345\r\n", 7, &u), MB_MCRESP_OK) && eq(u.kind, MB_RK_NUMBER) &&
	   eq(mb_mcresp_status(MB_CMD_INCR, &u), MB_ST_HIT), "incr result number");
	ok(eq(mb_mcresp_parse(0, (const uint8_t *)"SERVER_ERROR out of memory\r\n", 28, &u), MB_MCRESP_OK) &&
	   eq(mb_mcresp_status(MB_CMD_SET, &u), MB_ST_SERVER_ERROR), "SERVER_ERROR");
	ok(eq(mb_mcresp_parse(0, (const uint8_t *)"NOT_FOUND\r\n", 11, &u), MB_MCRESP_OK) &&
	   eq(mb_mcresp_status(MB_CMD_TOUCH, &u), MB_ST_NOT_FOUND), "NOT_FOUND");
	ok(eq(mb_mcresp_parse(0, (const uint8_t *)"BOGUS\r\n", 7, &u), MB_MCRESP_BAD), "unknown word: bad");
	ok(eq(mb_mcresp_parse(0, (const uint8_t *)"END\n", 4, &u), MB_MCRESP_BAD), "bare LF: bad");
	ok(eq(mb_mcresp_parse(0, (const uint8_t *)"VALUE k 0 x\r\n", 13, &u), MB_MCRESP_BAD), "VALUE without a size: bad");
	ok(eq(mb_mcresp_parse(0, (const uint8_t *)"VALUE k 0 99999999999\r\n", 23, &u), MB_MCRESP_BAD), "absurd size: bad");
	memset(buf, 'A', MB_MCRESP_LINE_MAX);
	ok(eq(mb_mcresp_parse(0, buf, MB_MCRESP_LINE_MAX, &u), MB_MCRESP_BAD), "a line longer than the cap: bad");
	static const uint8_t bhit[] = { 0x81, 0x00, 0, 0, 4, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
					0, 0, 0, 0, 'a', 'b', 'c' };
	ok(eq(mb_mcresp_parse(1, bhit, sizeof bhit, &u), MB_MCRESP_OK) && eq(u.hdr_len, 28) && eq(u.value_len, 3) &&
	   eq(u.cas, 1) && eq(mb_mcresp_status(MB_CMD_GET, &u), MB_ST_HIT), "binary GET hit: extras skipped, value length, cas");
	ok(eq(mb_mcresp_parse(1, bhit, 23, &u), MB_MCRESP_MORE), "binary short header: need more");
	uint8_t bmiss[24] = { 0x81, 0x00, 0, 0, 0, 0, 0, 1 };
	ok(eq(mb_mcresp_parse(1, bmiss, 24, &u), MB_MCRESP_OK) && eq(mb_mcresp_status(MB_CMD_GET, &u), MB_ST_MISS) &&
	   eq(mb_mcresp_status(MB_CMD_DELETE, &u), MB_ST_NOT_FOUND), "binary status 1: miss / not found");
	ok(eq(mb_mcresp_status(MB_CMD_REPLACE, &u), MB_ST_NOT_STORED),
	   "binary status 1 on a replace: not_stored, as mb-parse records it (common/mcstatus.c)");
	uint8_t bbad[24] = { 0x80 };
	ok(eq(mb_mcresp_parse(1, bbad, 24, &u), MB_MCRESP_BAD), "binary request magic in a response: bad");
	uint8_t bbody[24] = { 0x81, 0x00, 0, 9, 0, 0, 0, 0, 0, 0, 0, 4 };
	ok(eq(mb_mcresp_parse(1, bbody, 24, &u), MB_MCRESP_BAD), "binary key longer than the body: bad");

	/* recorded semantics (struct mb_sem): every flag and number goes out again */
	struct mb_sem sem = { .has = MB_SEM_META | MB_SEM_VIVIFY | MB_SEM_RECACHE };
	for (const char *l = "NORTcfhkl" "stuvq"; *l; l++)
		sem.mflags |= UINT64_C(1) << mb_sem_letter_bit((unsigned char)*l);
	sem.vivify_ttl = 30;
	sem.recache_ttl = 10;
	r = (struct mb_mcreq){ .proto = MB_PROTO_META, .cmd = MB_CMD_GAT, .ttl = 100, .nkeys = 1, .keys = keys, .sem = &sem };
	wl = snprintf(want, sizeof want, "mg %s N30 O1 R10 T100 c f h k l s t u v\r\n", key0);
	ok(built(&r, want, (size_t)wl, MB_EXP_META_ONE), "meta mg: every recorded letter in letter order with its number; q only when quiet");
	r.quiet = true;
	wl = snprintf(want, sizeof want, "mg %s N30 O1 R10 T100 c f h k l s t u v q\r\nmn\r\n", key0);
	ok(built(&r, want, (size_t)wl, MB_EXP_META_UNTIL_MN), "meta mg q: quiet, closed by mn");
	sem = (struct mb_sem){ .has = MB_SEM_META };
	sem.mflags = UINT64_C(1) << mb_sem_letter_bit('b') | UINT64_C(1) << mb_sem_letter_bit('v');
	r = (struct mb_mcreq){ .proto = MB_PROTO_META, .cmd = MB_CMD_GET, .nkeys = 1, .keys = keys, .sem = &sem };
	{
		/* base64 of the 5-byte key: 8 characters, one '=' */
		static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		const uint8_t *k = (const uint8_t *)key0;
		char b64[9] = { a[k[0] >> 2], a[(k[0] & 3) << 4 | k[1] >> 4], a[(k[1] & 15) << 2 | k[2] >> 6], a[k[2] & 63],
				a[k[3] >> 2], a[(k[3] & 3) << 4 | k[4] >> 4], a[(k[4] & 15) << 2], '=', 0 };
		wl = snprintf(want, sizeof want, "mg %s b v\r\n", b64);
	}
	ok(built(&r, want, (size_t)wl, MB_EXP_META_ONE), "meta b: the generated key goes out base64-encoded");
	sem = (struct mb_sem){ .has = MB_SEM_META | MB_SEM_CAS | MB_SEM_NEW_CAS | MB_SEM_CLIENT_FLAGS | MB_SEM_MODE,
			       .cas = 77, .new_cas = 500, .client_flags = 7, .mode = 'S' };
	for (const char *l = "CEFIMTck"; *l; l++)
		sem.mflags |= UINT64_C(1) << mb_sem_letter_bit((unsigned char)*l);
	r = (struct mb_mcreq){ .proto = MB_PROTO_META, .cmd = MB_CMD_CAS, .ttl = 30, .value_len = 2, .nkeys = 1, .keys = keys,
			       .sem = &sem };
	wl = snprintf(want, sizeof want, "ms %s 2 C77 E500 F7 I MS T30 c k\r\n12\r\n", key0);
	ok(built(&r, want, (size_t)wl, MB_EXP_META_ONE), "meta ms: C with the recorded unique, E, F, I, M mode, T, c, k");
	r.cas = 99;
	wl = snprintf(want, sizeof want, "ms %s 2 C99 E500 F7 I MS T30 c k\r\n12\r\n", key0);
	ok(built(&r, want, (size_t)wl, MB_EXP_META_ONE), "meta ms: a unique the replay learnt wins over the recorded one");
	sem = (struct mb_sem){ .has = MB_SEM_META | MB_SEM_MODE | MB_SEM_VIVIFY, .mode = 'A', .vivify_ttl = 60 };
	sem.mflags = UINT64_C(1) << mb_sem_letter_bit('M') | UINT64_C(1) << mb_sem_letter_bit('N');
	r = (struct mb_mcreq){ .proto = MB_PROTO_META, .cmd = MB_CMD_APPEND, .value_len = 1, .nkeys = 1, .keys = keys, .sem = &sem };
	wl = snprintf(want, sizeof want, "ms %s 1 MA N60\r\n1\r\n", key0);
	ok(built(&r, want, (size_t)wl, MB_EXP_META_ONE), "meta ms MA N: append mode and its vivify ttl");
	sem = (struct mb_sem){ .has = MB_SEM_META | MB_SEM_CAS, .cas = 9 };
	for (const char *l = "CIOTkxq"; *l; l++)
		sem.mflags |= UINT64_C(1) << mb_sem_letter_bit((unsigned char)*l);
	r = (struct mb_mcreq){ .proto = MB_PROTO_META, .cmd = MB_CMD_DELETE, .ttl = 30, .quiet = true, .nkeys = 1, .keys = keys,
			       .sem = &sem };
	wl = snprintf(want, sizeof want, "md %s C9 I O1 T30 k x q\r\nmn\r\n", key0);
	ok(built(&r, want, (size_t)wl, MB_EXP_META_UNTIL_MN), "meta md: C, I, O, T, k, x, q");
	r.cas = 4242;
	wl = snprintf(want, sizeof want, "md %s C4242 I O1 T30 k x q\r\nmn\r\n", key0);
	ok(built(&r, want, (size_t)wl, MB_EXP_META_UNTIL_MN), "meta md C: the unique the replay learnt, not the recorded one");
	ok(mb_mcreq_compares_cas(MB_CMD_DELETE, &sem) && mb_mcreq_compares_cas(MB_CMD_CAS, NULL) &&
	   !mb_mcreq_compares_cas(MB_CMD_DELETE, NULL) && !mb_mcreq_compares_cas(MB_CMD_INCR, &(struct mb_sem){ .has = MB_SEM_DELTA }),
	   "a cas, and any command with a recorded unique, compares one");
	sem = (struct mb_sem){ .has = MB_SEM_META | MB_SEM_DELTA | MB_SEM_NEW_CAS | MB_SEM_INITIAL | MB_SEM_MODE | MB_SEM_VIVIFY,
			       .delta = 5, .new_cas = 7, .initial = 100, .mode = 'D', .vivify_ttl = 60 };
	for (const char *l = "DEJMNTctv"; *l; l++)
		sem.mflags |= UINT64_C(1) << mb_sem_letter_bit((unsigned char)*l);
	r = (struct mb_mcreq){ .proto = MB_PROTO_META, .cmd = MB_CMD_DECR, .nkeys = 1, .keys = keys, .sem = &sem };
	wl = snprintf(want, sizeof want, "ma %s D5 E7 J100 MD N60 T0 c t v\r\n", key0);
	ok(built(&r, want, (size_t)wl, MB_EXP_META_ONE), "meta ma: D, E, J, MD, N, T, c, t, v");
	struct mb_sem msem = sem;
	for (const char *m = "I+-"; *m; m++) {
		sem = (struct mb_sem){ .has = MB_SEM_META | MB_SEM_MODE, .mode = (uint8_t)*m,
				       .mflags = UINT64_C(1) << mb_sem_letter_bit('M') };
		r = (struct mb_mcreq){ .proto = MB_PROTO_META, .cmd = *m == '-' ? MB_CMD_DECR : MB_CMD_INCR, .nkeys = 1,
				       .keys = keys, .sem = &sem };
		wl = snprintf(want, sizeof want, "ma %s M%c\r\n", key0, *m);
		ok(built(&r, want, (size_t)wl, MB_EXP_META_ONE), "meta ma mode spelled as recorded");
	}
	/* text- or binary-recorded numbers */
	sem = (struct mb_sem){ .has = MB_SEM_DELTA, .delta = 25 };
	r = (struct mb_mcreq){ .proto = MB_PROTO_TEXT, .cmd = MB_CMD_INCR, .nkeys = 1, .keys = keys, .sem = &sem };
	wl = snprintf(want, sizeof want, "incr %s 25\r\n", key0);
	ok(built(&r, want, (size_t)wl, MB_EXP_TEXT_LINE), "text incr with the recorded delta");
	r = (struct mb_mcreq){ .proto = MB_PROTO_TEXT, .cmd = MB_CMD_DECR, .quiet = true, .nkeys = 1, .keys = keys, .sem = &sem };
	wl = snprintf(want, sizeof want, "decr %s 25 noreply\r\n", key0);
	ok(built(&r, want, (size_t)wl, MB_EXP_NONE), "text decr noreply with the recorded delta");
	r.proto = MB_PROTO_META;
	r.quiet = false;
	wl = snprintf(want, sizeof want, "ma %s MD D25\r\n", key0);
	ok(built(&r, want, (size_t)wl, MB_EXP_META_ONE), "a text-recorded delta replayed as meta: D");
	sem = (struct mb_sem){ .has = MB_SEM_CLIENT_FLAGS | MB_SEM_CAS, .client_flags = 7, .cas = 1234 };
	r = (struct mb_mcreq){ .proto = MB_PROTO_TEXT, .cmd = MB_CMD_CAS, .value_len = 2, .nkeys = 1, .keys = keys, .sem = &sem };
	wl = snprintf(want, sizeof want, "cas %s 7 0 2 1234\r\n12\r\n", key0);
	ok(built(&r, want, (size_t)wl, MB_EXP_TEXT_LINE), "text cas: recorded client flags and unique");
	r.proto = MB_PROTO_META;
	wl = snprintf(want, sizeof want, "ms %s 2 F7 C1234\r\n12\r\n", key0);
	ok(built(&r, want, (size_t)wl, MB_EXP_META_ONE), "the same replayed as meta: F and C");
	/* binary incr/decr: delta, initial value, expiration; create only as recorded */
	sem = (struct mb_sem){ .has = MB_SEM_DELTA | MB_SEM_INITIAL, .delta = 5, .initial = 1000 };
	r = (struct mb_mcreq){ .proto = MB_PROTO_BINARY, .cmd = MB_CMD_INCR, .ttl = 300, .nkeys = 1, .keys = keys, .sem = &sem };
	n = mb_mcreq_build(buf, sizeof buf, &r, &ex);
	static const uint8_t bext[20] = { 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 3, 0xe8, 0, 0, 1, 44 };
	ok(eq(n, 24 + 20 + 5) && eq(buf[1], 0x05) && eq(buf[4], 20) && eq_mem(buf + 24, bext, 20) && eq(ex, MB_EXP_BIN_ONE),
	   "binary incr: recorded delta 5, initial 1000, expiration 300 (creates)");
	r.ttl = -1;
	mb_mcreq_build(buf, sizeof buf, &r, &ex);
	ok(eq_mem(buf + 24, bext, 16) && eq_mem(buf + 40, "\xff\xff\xff\xff", 4),
	   "binary incr recorded with expiration 0xffffffff: does not create");
	r.proto = MB_PROTO_META;
	r.ttl = 300;
	wl = snprintf(want, sizeof want, "ma %s D5 N300 J1000\r\n", key0);
	ok(built(&r, want, (size_t)wl, MB_EXP_META_ONE), "a creating binary incr replayed as meta: N with the expiration, J");
	r.ttl = -1;
	wl = snprintf(want, sizeof want, "ma %s D5\r\n", key0);
	ok(built(&r, want, (size_t)wl, MB_EXP_META_ONE), "a binary incr that does not create, replayed as meta: no N");
	r.proto = MB_PROTO_BINARY;
	r.quiet = true;
	r.cmd = MB_CMD_DECR;
	n = mb_mcreq_build(buf, sizeof buf, &r, &ex);
	ok(eq(n, 24 + 20 + 5 + 24) && eq(buf[1], 0x16) && eq(buf[49 + 1], 0x0a) && eq(ex, MB_EXP_BIN_UNTIL_NOOP),
	   "binary quiet decr: DECRQ closed by NOOP");
	r = (struct mb_mcreq){ .proto = MB_PROTO_BINARY, .cmd = MB_CMD_INCR, .ttl = 0, .nkeys = 1, .keys = keys, .sem = &msem };
	mb_mcreq_build(buf, sizeof buf, &r, &ex);
	static const uint8_t mext[20] = { 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0, 60 };
	ok(eq_mem(buf + 24, mext, 20), "a meta ma N60 J100 D5 replayed as binary: creates with 100, expiration 60");
	sem = (struct mb_sem){ .has = MB_SEM_DELTA, .delta = 1 };
	r.sem = &sem;
	mb_mcreq_build(buf, sizeof buf, &r, &ex);
	ok(eq_mem(buf + 40, "\xff\xff\xff\xff", 4), "a text incr replayed as binary does not create");
	sem = (struct mb_sem){ .has = MB_SEM_CLIENT_FLAGS | MB_SEM_CAS, .client_flags = 9, .cas = 0x0102030405060708ull };
	r = (struct mb_mcreq){ .proto = MB_PROTO_BINARY, .cmd = MB_CMD_REPLACE, .value_len = 1, .nkeys = 1, .keys = keys, .sem = &sem };
	mb_mcreq_build(buf, sizeof buf, &r, &ex);
	ok(eq_mem(buf + 16, "\x01\x02\x03\x04\x05\x06\x07\x08", 8) && eq_mem(buf + 24, "\0\0\0\x09", 4),
	   "binary replace: recorded cas in the header, client flags in the extras");

	/* consistent hashing */
	const char *names[3] = { "a:1", "b:1", "c:1" };
	struct mb_chash c2, c3;
	mb_chash_init(&c2, names, 2, NULL);
	mb_chash_init(&c3, names, 3, NULL);
	unsigned cnt[3] = { 0 }, moved_wrong = 0, moved = 0;
	for (uint64_t i = 0; i < 30000; i++) {
		uint64_t h = mb_mcreq_hash_bytes((const uint8_t *)kb, (size_t)snprintf(kb, sizeof kb, "%llu", (unsigned long long)i));
		unsigned t3 = mb_chash_lookup(&c3, h), t2 = mb_chash_lookup(&c2, h);
		cnt[t3]++;
		if (t3 != t2) {
			moved++;
			if (t3 != 2)
				moved_wrong++;
		}
	}
	ok(cmp(cnt[0], >, 7000) && cmp(cnt[1], >, 7000) && cmp(cnt[2], >, 7000), "three targets each get a fair share");
	ok(eq(moved_wrong, 0) && cmp(moved, >, 7000) && cmp(moved, <, 13000), "adding a target moves keys only to it (about a third)");
	mb_chash_free(&c2);
	mb_chash_free(&c3);
	return done_testing();
}
