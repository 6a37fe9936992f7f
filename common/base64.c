/* base64.c - standard base64 (RFC 4648 alphabet, = padding): meta keys, HdrHistogram log lines. */
#include "base64.h"

static int8_t b64val(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return (int8_t)(c - 'A');
	if (c >= 'a' && c <= 'z')
		return (int8_t)(c - 'a' + 26);
	if (c >= '0' && c <= '9')
		return (int8_t)(c - '0' + 52);
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static const char b64_alphabet[64] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

uint8_t *mb_base64_encode(uint8_t *p, const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i += 3) {
		uint32_t w = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0) | (i + 2 < n ? s[i + 2] : 0);
		*p++ = (uint8_t)b64_alphabet[w >> 18];
		*p++ = (uint8_t)b64_alphabet[(w >> 12) & 63];
		*p++ = i + 1 < n ? (uint8_t)b64_alphabet[(w >> 6) & 63] : '=';
		*p++ = i + 2 < n ? (uint8_t)b64_alphabet[w & 63] : '=';
	}
	return p;
}

int mb_base64_decode(const uint8_t *p, size_t n, uint8_t *out, size_t cap)
{
	if (n % 4 != 0)
		return -1;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 4) {
		int8_t v[4];
		int pad = 0;
		for (int j = 0; j < 4; j++) {
			if (p[i + j] == '=' && i + 4 == n && j >= 2) {
				v[j] = 0;
				pad++;
			} else if (pad || (v[j] = b64val(p[i + j])) < 0) {
				return -1;
			}
		}
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
		int k = 3 - pad;
		if (o + (size_t)k > cap)
			return -1;
		for (int j = 0; j < k; j++)
			out[o++] = (uint8_t)(w >> (16 - 8 * j));
	}
	return (int)o;
}
