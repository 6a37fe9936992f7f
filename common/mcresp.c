/* mcresp.c - response units: the text/meta line grammar and the binary header, parsed in place. */
#include <string.h>

#include "bytes.h"
#include "event.h"
#include "mcresp.h"
#include "mcstatus.h"

/* First token words and their kinds; longest names first where one prefixes another. */
static const struct {
	const char *word;
	uint8_t len;
	uint8_t kind;
} words[] = {
	{ "VALUE", 5, MB_RK_VALUE }, { "END", 3, MB_RK_END }, { "STORED", 6, MB_RK_STORED },
	{ "NOT_STORED", 10, MB_RK_NOT_STORED }, { "EXISTS", 6, MB_RK_EXISTS },
	{ "NOT_FOUND", 9, MB_RK_NOT_FOUND }, { "DELETED", 7, MB_RK_DELETED },
	{ "TOUCHED", 7, MB_RK_TOUCHED }, { "OK", 2, MB_RK_OK }, { "VERSION", 7, MB_RK_VERSION },
	{ "STAT", 4, MB_RK_STAT }, { "ERROR", 5, MB_RK_ERROR }, { "CLIENT_ERROR", 12, MB_RK_CLIENT_ERROR },
	{ "SERVER_ERROR", 12, MB_RK_SERVER_ERROR }, { "RESET", 5, MB_RK_OK }, { "VA", 2, MB_RK_VALUE },
	{ "HD", 2, MB_RK_HD }, { "EN", 2, MB_RK_EN }, { "NF", 2, MB_RK_NF }, { "NS", 2, MB_RK_NS },
	{ "EX", 2, MB_RK_EX }, { "MN", 2, MB_RK_MN }, { "ME", 2, MB_RK_ME },
};

/* Parse a decimal u32 token at *i (in a line of length n); -1 when absent or too large. */
static int64_t token_u32(const uint8_t *line, size_t n, size_t *i)
{
	while (*i < n && line[*i] == ' ')
		(*i)++;
	size_t start = *i;
	uint64_t v = 0;
	while (*i < n && line[*i] >= '0' && line[*i] <= '9') {
		v = v * 10 + (uint64_t)(line[*i] - '0');
		if (v > MB_MCRESP_VALUE_MAX)
			return -1;
		(*i)++;
	}
	if (*i == start || (*i < n && line[*i] != ' '))
		return -1;
	return (int64_t)v;
}

/* Parse a decimal u64 token at *i, at most 20 digits and no overflow; 0 when absent or bad
   (memcached never hands out cas unique 0). */
static uint64_t token_u64(const uint8_t *line, size_t n, size_t *i)
{
	while (*i < n && line[*i] == ' ')
		(*i)++;
	uint64_t v = 0;
	size_t start = *i;
	while (*i < n && line[*i] >= '0' && line[*i] <= '9') {
		uint64_t d = (uint64_t)(line[*i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
		(*i)++;
	}
	return *i > start && (*i == n || line[*i] == ' ') ? v : 0;
}

/* The value of a meta flag c<unique> among the flag tokens from *i; 0 when absent. */
static uint64_t meta_cas(const uint8_t *line, size_t n, size_t i)
{
	while (i < n) {
		while (i < n && line[i] == ' ')
			i++;
		if (i < n && line[i] == 'c') {
			i++;
			return token_u64(line, n, &i);
		}
		while (i < n && line[i] != ' ')
			i++;
	}
	return 0;
}

/* Skip one space-separated token. */
static int skip_token(const uint8_t *line, size_t n, size_t *i)
{
	while (*i < n && line[*i] == ' ')
		(*i)++;
	size_t start = *i;
	while (*i < n && line[*i] != ' ')
		(*i)++;
	return *i > start;
}

/* States of the text line parser: find CRLF, classify the first token, read the size token. */
static int parse_line(const uint8_t *p, size_t n, struct mb_mcresp *r)
{
	size_t lim = n < MB_MCRESP_LINE_MAX ? n : MB_MCRESP_LINE_MAX;
	const uint8_t *nl = memchr(p, '\n', lim);
	if (!nl)
		return n >= MB_MCRESP_LINE_MAX ? MB_MCRESP_BAD : MB_MCRESP_MORE;
	size_t len = (size_t)(nl - p);
	if (len == 0 || p[len - 1] != '\r')
		return MB_MCRESP_BAD;
	len--; /* without CR */
	r->hdr_len = (uint32_t)(len + 2);
	if (p[0] >= '0' && p[0] <= '9') {
		for (size_t i = 0; i < len; i++)
			if (p[i] < '0' || p[i] > '9')
				return MB_MCRESP_BAD;
		r->kind = MB_RK_NUMBER;
		return MB_MCRESP_OK;
	}
	size_t w = 0;
	while (w < len && p[w] != ' ')
		w++;
	for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
		if (words[k].len != w || memcmp(p, words[k].word, w))
			continue;
		r->kind = words[k].kind;
		if (r->kind == MB_RK_HD)
			r->cas = meta_cas(p, len, w);
		if (r->kind != MB_RK_VALUE)
			return MB_MCRESP_OK;
		size_t i = w;
		int64_t vl;
		if (w == 5) { /* VALUE <key> <flags> <bytes> [<cas>] */
			if (!skip_token(p, len, &i) || !skip_token(p, len, &i))
				return MB_MCRESP_BAD;
		}
		vl = token_u32(p, len, &i); /* VA <size> <flags>* */
		if (vl < 0)
			return MB_MCRESP_BAD;
		r->cas = w == 5 ? token_u64(p, len, &i) : meta_cas(p, len, i);
		r->value_len = (uint32_t)vl;
		r->trailer_len = 2;
		return MB_MCRESP_OK;
	}
	return MB_MCRESP_BAD;
}

/* A 24-byte binary response header (magic 0x81) with its extras and key. */
static int parse_binary(const uint8_t *p, size_t n, struct mb_mcresp *r)
{
	struct mb_cur c = mb_cur_make(p, n);
	uint8_t magic = mb_get_u8(&c);
	if (!c.bad && magic != 0x81)
		return MB_MCRESP_BAD;
	r->opcode = mb_get_u8(&c);
	uint16_t keylen = mb_get_be16(&c);
	uint8_t extlen = mb_get_u8(&c);
	mb_get_u8(&c); /* data type */
	r->status = mb_get_be16(&c);
	uint32_t body = mb_get_be32(&c);
	mb_skip(&c, 4); /* opaque */
	r->cas = mb_get_be64(&c);
	if (c.bad)
		return MB_MCRESP_MORE;
	if ((uint32_t)keylen + extlen > body || body > MB_MCRESP_VALUE_MAX || keylen > MB_MCRESP_KEY_MAX)
		return MB_MCRESP_BAD;
	if (n < MB_MC_BIN_HDR + (size_t)extlen + keylen)
		return MB_MCRESP_MORE; /* the unit's header includes its extras and key */
	r->kind = MB_RK_BINARY;
	r->key_len = keylen;
	r->hdr_len = MB_MC_BIN_HDR + (uint32_t)extlen + keylen;
	r->value_len = body - extlen - keylen;
	return MB_MCRESP_OK;
}

int mb_mcresp_parse(int binary, const uint8_t *p, size_t n, struct mb_mcresp *r)
{
	memset(r, 0, sizeof *r);
	if (n == 0)
		return MB_MCRESP_MORE;
	return binary ? parse_binary(p, n, r) : parse_line(p, n, r);
}

unsigned mb_mcresp_status(unsigned cmd, const struct mb_mcresp *r)
{
	/* the wire word of each unit kind; the status comes from the one table (common/mcstatus.c) */
	static const uint8_t wire[] = {
		[MB_RK_VALUE] = MB_W_VALUE, [MB_RK_END] = MB_W_END, [MB_RK_STORED] = MB_W_STORED,
		[MB_RK_NOT_STORED] = MB_W_NOT_STORED, [MB_RK_EXISTS] = MB_W_EXISTS, [MB_RK_NOT_FOUND] = MB_W_NOT_FOUND,
		[MB_RK_DELETED] = MB_W_DELETED, [MB_RK_TOUCHED] = MB_W_TOUCHED, [MB_RK_OK] = MB_W_OK,
		[MB_RK_NUMBER] = MB_W_NUMBER, [MB_RK_VERSION] = MB_W_VERSION, [MB_RK_STAT] = MB_W_STAT,
		[MB_RK_ERROR] = MB_W_ERROR, [MB_RK_CLIENT_ERROR] = MB_W_CLIENT_ERROR,
		[MB_RK_SERVER_ERROR] = MB_W_SERVER_ERROR, [MB_RK_HD] = MB_W_HD, [MB_RK_EN] = MB_W_EN,
		[MB_RK_NF] = MB_W_NF, [MB_RK_NS] = MB_W_NS, [MB_RK_EX] = MB_W_EX, [MB_RK_MN] = MB_W_MN,
		[MB_RK_ME] = MB_W_ME,
	};
	if (r->kind == MB_RK_BINARY)
		return mb_status_map(MB_PROTO_BINARY, cmd, r->status);
	return mb_status_map(MB_PROTO_TEXT, cmd, r->kind < sizeof wire ? wire[r->kind] : 0);
}
