/* jsonread.c - the bounded JSON reader: an explicit-stack parser into offsets, and checked accessors. */
#include "jsonread.h"

#include <stdlib.h>
#include <string.h>

#include "bytes.h"

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "what: 'name' at byte at" in err; MB_ERR. */
static int bad(struct mb_err *err, const char *name, size_t at, const char *what)
{
	mb_err_set(err, MB_ERR, "not JSON: %s", what);
	return mb_err_at(err, name, at);
}

/* A new value of type t at offset off; MB_JR_NONE when the cap is reached or memory runs out. */
static uint32_t new_val(struct mb_jr *d, uint8_t t, size_t off, bool *oom)
{
	if (d->n == d->max)
		return MB_JR_NONE;
	if (d->n == d->cap) {
		uint32_t cap = d->cap ? d->cap * 2 : 64;
		if (cap > d->max || cap < d->cap)
			cap = d->max;
		struct mb_jr_val *v = realloc(d->v, (size_t)cap * sizeof *v);
		if (!v) {
			*oom = true;
			return MB_JR_NONE;
		}
		d->v = v;
		d->cap = cap;
	}
	struct mb_jr_val *v = &d->v[d->n];
	memset(v, 0, sizeof *v);
	v->type = t;
	v->off = (uint32_t)off;
	v->first = v->next = MB_JR_NONE;
	return d->n++;
}

/* The end of the string whose opening quote is at s[p - 1]: the offset of its closing quote,
   or (size_t)-1 with *at on the offending byte. */
static size_t scan_string(const char *s, size_t n, size_t p, size_t *at)
{
	while (p < n) {
		unsigned char c = (unsigned char)s[p];
		if (c == '"')
			return p;
		if (c < 0x20) {
			*at = p;
			return (size_t)-1;
		}
		if (c != '\\') {
			p++;
			continue;
		}
		if (p + 1 >= n) {
			*at = p;
			return (size_t)-1;
		}
		char e = s[p + 1];
		if (e == 'u') {
			for (size_t k = 2; k < 6; k++)
				if (p + k >= n || mb_hexval(s[p + k]) < 0) {
					*at = p;
					return (size_t)-1;
				}
			p += 6;
		} else if (strchr("\"\\/bfnrt", e) && e) {
			p += 2;
		} else {
			*at = p;
			return (size_t)-1;
		}
	}
	*at = n;
	return (size_t)-1;
}

/* The end of the number starting at p (one past its last byte), or p when it is not one. */
static size_t scan_number(const char *s, size_t n, size_t p)
{
	size_t q = p;
	if (q < n && s[q] == '-')
		q++;
	if (q >= n || !is_digit(s[q]))
		return p;
	if (s[q] == '0')
		q++;
	else
		while (q < n && is_digit(s[q]))
			q++;
	if (q < n && s[q] == '.') {
		q++;
		if (q >= n || !is_digit(s[q]))
			return p;
		while (q < n && is_digit(s[q]))
			q++;
	}
	if (q < n && (s[q] == 'e' || s[q] == 'E')) {
		q++;
		if (q < n && (s[q] == '+' || s[q] == '-'))
			q++;
		if (q >= n || !is_digit(s[q]))
			return p;
		while (q < n && is_digit(s[q]))
			q++;
	}
	return q;
}

/*
 * States: a value is wanted (after '[', ',' in an array, ':' or at the start), a key is
 * wanted (after '{' or ',' in an object), or a value just ended (a ',' or the closing
 * bracket of the container on top of the stack comes next, or the end of the text).
 */
int mb_jr_parse(struct mb_jr *d, const char *s, size_t n, uint32_t max_values, const char *name, struct mb_err *err)
{
	memset(d, 0, sizeof *d);
	d->s = s;
	d->len = n;
	d->max = max_values < 1 ? 1 : max_values > (1u << 31) ? (1u << 31) : max_values;
	if (n >= UINT32_MAX)
		return mb_err_set(err, MB_ERR, "JSON document over 4 GiB: '%s'", name);
	uint32_t stack[MB_JR_MAX_DEPTH], last[MB_JR_MAX_DEPTH]; /* open containers, their last member */
	unsigned depth = 0;
	enum { WANT_VALUE, WANT_KEY, AFTER_VALUE } st = WANT_VALUE;
	bool oom = false, first_key = false, first_value = false;
	size_t key_off = 0, key_len = 0;
	bool have_key = false;
	size_t p = 0;
	for (;;) {
		while (p < n && is_ws(s[p]))
			p++;
		if (st == AFTER_VALUE) {
			if (!depth) {
				if (p != n)
					return bad(err, name, p, "text after the value");
				return MB_OK;
			}
			struct mb_jr_val *top = &d->v[stack[depth - 1]];
			char close = top->type == MB_JR_OBJ ? '}' : ']';
			if (p < n && s[p] == ',') {
				p++;
				st = top->type == MB_JR_OBJ ? WANT_KEY : WANT_VALUE;
				first_key = first_value = false;
				continue;
			}
			if (p < n && s[p] == close) {
				top->len = (uint32_t)(p + 1 - top->off);
				p++;
				depth--;
				continue;
			}
			return bad(err, name, p, top->type == MB_JR_OBJ ? "expected ',' or '}'" : "expected ',' or ']'");
		}
		if (st == WANT_KEY) {
			if (first_key && p < n && s[p] == '}') {
				st = AFTER_VALUE; /* the empty object closes in AFTER_VALUE */
				continue;
			}
			if (p >= n || s[p] != '"')
				return bad(err, name, p, "expected a key");
			size_t at, e = scan_string(s, n, p + 1, &at);
			if (e == (size_t)-1)
				return bad(err, name, at, "bad string");
			key_off = p + 1;
			key_len = e - p - 1;
			p = e + 1;
			while (p < n && is_ws(s[p]))
				p++;
			if (p >= n || s[p] != ':')
				return bad(err, name, p, "expected ':'");
			p++;
			have_key = true;
			st = WANT_VALUE;
			continue;
		}
		/* WANT_VALUE */
		if (first_value && p < n && s[p] == ']') {
			st = AFTER_VALUE;
			continue;
		}
		if (p >= n)
			return bad(err, name, p, "expected a value");
		char c = s[p];
		uint8_t t;
		size_t end = p;
		if (c == '{' || c == '[') {
			t = c == '{' ? MB_JR_OBJ : MB_JR_ARR;
			if (depth == MB_JR_MAX_DEPTH)
				return bad(err, name, p, "nested too deep");
		} else if (c == '"') {
			size_t at, e = scan_string(s, n, p + 1, &at);
			if (e == (size_t)-1)
				return bad(err, name, at, "bad string");
			t = MB_JR_STR;
			end = e + 1;
		} else if (c == '-' || is_digit(c)) {
			end = scan_number(s, n, p);
			if (end == p)
				return bad(err, name, p, "bad number");
			if (end - p > MB_JR_MAX_NUM)
				return bad(err, name, p, "number too long");
			t = MB_JR_NUM;
		} else if (n - p >= 4 && !memcmp(s + p, "null", 4)) {
			t = MB_JR_NULL;
			end = p + 4;
		} else if (n - p >= 4 && !memcmp(s + p, "true", 4)) {
			t = MB_JR_TRUE;
			end = p + 4;
		} else if (n - p >= 5 && !memcmp(s + p, "false", 5)) {
			t = MB_JR_FALSE;
			end = p + 5;
		} else {
			return bad(err, name, p, "expected a value");
		}
		uint32_t i = new_val(d, t, t == MB_JR_STR ? p + 1 : p, &oom);
		if (i == MB_JR_NONE) {
			if (oom)
				return mb_err_set(err, MB_EIO, "out of memory reading '%s'", name);
			return bad(err, name, p, "too many values");
		}
		struct mb_jr_val *v = &d->v[i];
		v->len = (uint32_t)(t == MB_JR_STR ? end - p - 2 : end - p);
		if (have_key) {
			v->key_off = (uint32_t)key_off;
			v->key_len = (uint32_t)key_len;
			have_key = false;
		}
		if (depth) {
			struct mb_jr_val *parent = &d->v[stack[depth - 1]];
			if (parent->first == MB_JR_NONE)
				parent->first = i;
			else
				d->v[last[depth - 1]].next = i;
			last[depth - 1] = i;
			parent->count++;
		}
		if (t == MB_JR_OBJ || t == MB_JR_ARR) {
			stack[depth] = i;
			last[depth] = MB_JR_NONE;
			depth++;
			p++;
			st = t == MB_JR_OBJ ? WANT_KEY : WANT_VALUE;
			first_key = t == MB_JR_OBJ;
			first_value = t == MB_JR_ARR;
			continue;
		}
		p = end;
		st = AFTER_VALUE;
	}
}

void mb_jr_free(struct mb_jr *d)
{
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}

bool mb_jr_is(const struct mb_jr *d, uint32_t i, enum mb_jr_type t)
{
	return i < d->n && d->v[i].type == t;
}

uint32_t mb_jr_get(const struct mb_jr *d, uint32_t i, const char *key)
{
	if (!mb_jr_is(d, i, MB_JR_OBJ))
		return MB_JR_NONE;
	size_t kl = strlen(key);
	for (uint32_t c = d->v[i].first; c != MB_JR_NONE; c = d->v[c].next)
		if (d->v[c].key_len == kl && !memcmp(d->s + d->v[c].key_off, key, kl))
			return c;
	return MB_JR_NONE;
}

bool mb_jr_u64(const struct mb_jr *d, uint32_t i, uint64_t *out)
{
	if (!mb_jr_is(d, i, MB_JR_NUM))
		return false;
	const char *p = d->s + d->v[i].off;
	uint64_t v = 0;
	for (uint32_t k = 0; k < d->v[i].len; k++) {
		if (!is_digit(p[k]))
			return false;
		unsigned dig = (unsigned)(p[k] - '0');
		if (v > (UINT64_MAX - dig) / 10)
			return false;
		v = v * 10 + dig;
	}
	*out = v;
	return true;
}

bool mb_jr_double(const struct mb_jr *d, uint32_t i, double *out)
{
	if (!mb_jr_is(d, i, MB_JR_NUM))
		return false;
	char tmp[MB_JR_MAX_NUM + 1];
	memcpy(tmp, d->s + d->v[i].off, d->v[i].len);
	tmp[d->v[i].len] = '\0';
	*out = strtod(tmp, NULL);
	return true;
}

bool mb_jr_bool(const struct mb_jr *d, uint32_t i, bool *out)
{
	if (i >= d->n || (d->v[i].type != MB_JR_TRUE && d->v[i].type != MB_JR_FALSE))
		return false;
	*out = d->v[i].type == MB_JR_TRUE;
	return true;
}

bool mb_jr_str(const struct mb_jr *d, uint32_t i, char *out, size_t cap)
{
	if (!mb_jr_is(d, i, MB_JR_STR) || !cap)
		return false;
	const char *p = d->s + d->v[i].off;
	size_t n = d->v[i].len, o = 0;
	for (size_t k = 0; k < n; k++) {
		char c = p[k];
		if (c == '\\') { /* the scanner checked every escape */
			char e = p[++k];
			if (e == 'u') {
				int v = mb_hexval(p[k + 1]) << 12 | mb_hexval(p[k + 2]) << 8 | mb_hexval(p[k + 3]) << 4 | mb_hexval(p[k + 4]);
				if (v > 0xff)
					return false;
				c = (char)v;
				k += 4;
			} else {
				c = e == 'b' ? '\b' : e == 'f' ? '\f' : e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e;
			}
		}
		if (o + 1 >= cap)
			return false;
		out[o++] = c;
	}
	out[o] = '\0';
	return true;
}
