/* json.c - the streaming JSON writer: separators, escaping, number forms, sticky errors. */
#include "json.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "err.h"

static void init(struct mb_json *w, struct mb_buf *b, FILE *f, bool spaced)
{
	memset(w, 0, sizeof *w);
	w->buf = b;
	w->f = f;
	w->spaced = spaced;
	w->rc = MB_OK;
}

void mb_json_init_buf(struct mb_json *w, struct mb_buf *b, bool spaced)
{
	init(w, b, NULL, spaced);
}

void mb_json_init_file(struct mb_json *w, FILE *f, bool spaced)
{
	init(w, NULL, f, spaced);
}

static void fail(struct mb_json *w, int rc)
{
	if (w->rc == MB_OK)
		w->rc = rc;
}

/* The one place bytes leave the writer. */
static void put(struct mb_json *w, const char *s, size_t n)
{
	if (w->rc != MB_OK || !n)
		return;
	if (w->f) {
		if (fwrite(s, 1, n, w->f) != n)
			fail(w, MB_EIO);
		return;
	}
	if (!mb_buf_reserve(w->buf, n + 1)) {
		fail(w, MB_EIO);
		return;
	}
	memcpy(w->buf->p + w->buf->len, s, n);
	w->buf->len += n;
	w->buf->p[w->buf->len] = '\0';
}

static void puts_(struct mb_json *w, const char *s)
{
	put(w, s, strlen(s));
}

static void line_break(struct mb_json *w)
{
	static const char spaces[] = "                                ";
	put(w, "\n", 1);
	for (unsigned left = w->indent; left;) {
		unsigned k = left < sizeof spaces - 1 ? left : (unsigned)(sizeof spaces - 1);
		put(w, spaces, k);
		left -= k;
	}
	w->wrap = w->newline = false;
}

/* Before any value or key: check it may come here, and write the separator. */
static bool item(struct mb_json *w, bool is_key)
{
	if (w->rc != MB_OK)
		return false;
	if (w->after_key) {
		if (is_key) {
			fail(w, MB_ERR);
			return false;
		}
		w->after_key = false;
		return true;
	}
	if (!w->depth) {
		if (is_key || w->done) { /* a key outside an object, or a second document */
			fail(w, MB_ERR);
			return false;
		}
		return true;
	}
	unsigned d = w->depth - 1;
	if (w->is_obj[d] != is_key) { /* a bare value in an object, or a key in an array */
		fail(w, MB_ERR);
		return false;
	}
	if (!w->empty[d]) {
		put(w, ",", 1);
		if (w->wrap || w->newline)
			line_break(w);
		else if (w->spaced)
			put(w, " ", 1);
	} else if (w->newline) {
		line_break(w);
	}
	w->wrap = w->newline = false;
	w->empty[d] = false;
	return true;
}

/* After a complete value. */
static void value_done(struct mb_json *w)
{
	if (!w->depth)
		w->done = true;
}

static void begin(struct mb_json *w, bool obj)
{
	if (!item(w, false))
		return;
	if (w->depth == MB_JSON_MAX_DEPTH) {
		fail(w, MB_ERR);
		return;
	}
	w->is_obj[w->depth] = obj;
	w->empty[w->depth] = true;
	w->depth++;
	put(w, obj ? "{" : "[", 1);
}

static void end(struct mb_json *w, bool obj)
{
	if (w->rc != MB_OK)
		return;
	if (!w->depth || w->is_obj[w->depth - 1] != obj || w->after_key) {
		fail(w, MB_ERR);
		return;
	}
	if (w->newline)
		line_break(w);
	w->wrap = false;
	w->depth--;
	put(w, obj ? "}" : "]", 1);
	value_done(w);
}

void mb_json_begin_object(struct mb_json *w) { begin(w, true); }
void mb_json_end_object(struct mb_json *w) { end(w, true); }
void mb_json_begin_array(struct mb_json *w) { begin(w, false); }
void mb_json_end_array(struct mb_json *w) { end(w, false); }

/* A quoted, escaped string (see json.h for the rules). */
static void quoted(struct mb_json *w, const unsigned char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	put(w, "\"", 1);
	size_t run = 0; /* bytes s[0..run) still to copy as they are */
	for (size_t i = 0; i < n && w->rc == MB_OK; i++) {
		unsigned char c = s[i];
		char esc[6];
		size_t k = 2;
		esc[0] = '\\';
		if (c == '"' || c == '\\') {
			esc[1] = (char)c;
		} else if (c >= 0x20 && c < 0x7f) {
			continue;
		} else {
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			k = 6;
		}
		put(w, (const char *)s + run, i - run);
		put(w, esc, k);
		run = i + 1;
	}
	put(w, (const char *)s + run, n - run);
	put(w, "\"", 1);
}

void mb_json_key_n(struct mb_json *w, const void *k, size_t n)
{
	if (!item(w, true))
		return;
	quoted(w, k, n);
	put(w, w->spaced ? ": " : ":", w->spaced ? 2 : 1);
	w->after_key = true;
}

void mb_json_key(struct mb_json *w, const char *k)
{
	mb_json_key_n(w, k, strlen(k));
}

void mb_json_str_n(struct mb_json *w, const void *s, size_t n)
{
	if (!item(w, false))
		return;
	quoted(w, s, n);
	value_done(w);
}

void mb_json_str(struct mb_json *w, const char *s)
{
	mb_json_str_n(w, s, strlen(s));
}

/* A number or literal already formatted in tmp. */
static void scalar(struct mb_json *w, const char *tmp)
{
	if (!item(w, false))
		return;
	puts_(w, tmp);
	value_done(w);
}

void mb_json_u64(struct mb_json *w, uint64_t v)
{
	char tmp[24];
	snprintf(tmp, sizeof tmp, "%" PRIu64, v);
	scalar(w, tmp);
}

void mb_json_i64(struct mb_json *w, int64_t v)
{
	char tmp[24];
	snprintf(tmp, sizeof tmp, "%" PRId64, v);
	scalar(w, tmp);
}

void mb_json_double(struct mb_json *w, double v)
{
	char tmp[32];
	if (!isfinite(v))
		snprintf(tmp, sizeof tmp, "null");
	else
		snprintf(tmp, sizeof tmp, "%.9g", v);
	scalar(w, tmp);
}

void mb_json_fixed(struct mb_json *w, double v, int decimals)
{
	char tmp[352]; /* DBL_MAX has 309 digits before the point */
	if (decimals < 0 || decimals > 17) {
		if (item(w, false))
			fail(w, MB_ERR);
		return;
	}
	if (!isfinite(v))
		snprintf(tmp, sizeof tmp, "null");
	else
		snprintf(tmp, sizeof tmp, "%.*f", decimals, v);
	scalar(w, tmp);
}

void mb_json_bool(struct mb_json *w, bool v) { scalar(w, v ? "true" : "false"); }
void mb_json_null(struct mb_json *w) { scalar(w, "null"); }

void mb_json_kstr(struct mb_json *w, const char *k, const char *s) { mb_json_key(w, k); mb_json_str(w, s); }
void mb_json_ku64(struct mb_json *w, const char *k, uint64_t v) { mb_json_key(w, k); mb_json_u64(w, v); }
void mb_json_ki64(struct mb_json *w, const char *k, int64_t v) { mb_json_key(w, k); mb_json_i64(w, v); }
void mb_json_kdouble(struct mb_json *w, const char *k, double v) { mb_json_key(w, k); mb_json_double(w, v); }
void mb_json_kfixed(struct mb_json *w, const char *k, double v, int decimals) { mb_json_key(w, k); mb_json_fixed(w, v, decimals); }
void mb_json_kbool(struct mb_json *w, const char *k, bool v) { mb_json_key(w, k); mb_json_bool(w, v); }

void mb_json_wrap(struct mb_json *w, unsigned indent)
{
	w->wrap = true;
	w->indent = indent;
}

void mb_json_newline(struct mb_json *w, unsigned indent)
{
	w->newline = true;
	w->indent = indent;
}

int mb_json_finish(struct mb_json *w)
{
	if (w->rc == MB_OK && (!w->done || w->depth || w->after_key))
		fail(w, MB_ERR);
	put(w, "\n", 1);
	if (w->f && w->rc == MB_OK && (fflush(w->f) != 0 || ferror(w->f)))
		fail(w, MB_EIO);
	return w->rc;
}

bool mb_json_failed(const struct mb_json *w)
{
	return w->rc != MB_OK;
}
