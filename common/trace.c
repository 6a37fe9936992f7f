/* trace.c - trace formats: names, key mapping, CSV helpers, and the reader/writer dispatch (trace.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "trace.h"

static const char *const fmt_names[MB_TRACE_COUNT] = { NULL, "twitter", "cachelib", "oracle" };

int mb_trace_fmt_parse(const char *s)
{
	for (int i = 1; i < MB_TRACE_COUNT; i++)
		if (!strcmp(s, fmt_names[i]))
			return i;
	return -1;
}

const char *mb_trace_fmt_name(unsigned fmt)
{
	return fmt > 0 && fmt < MB_TRACE_COUNT ? fmt_names[fmt] : "?";
}

bool mb_trace_fmt_has_string_keys(unsigned fmt)
{
	return fmt == MB_TRACE_TWITTER || fmt == MB_TRACE_CACHELIB;
}

uint64_t mb_trace_key_id(const struct mb_anon *a, const char *key, size_t len, bool *hashed)
{
	if (len == 16) {
		uint64_t v = 0;
		size_t i;
		for (i = 0; i < 16; i++) {
			int h = mb_hexval(key[i]);
			if (h < 0)
				break;
			v = v << 4 | (uint64_t)h;
		}
		if (i == 16) {
			*hashed = false;
			return v;
		}
	}
	*hashed = true;
	return mb_anon_hash(a, (const uint8_t *)key, len);
}

unsigned mb_trace_split(const char *line, size_t n, struct mb_field *f, unsigned max)
{
	unsigned nf = 0;
	size_t at = 0;
	for (;;) {
		const char *c = memchr(line + at, ',', n - at);
		size_t end = c ? (size_t)(c - line) : n;
		if (nf == max)
			return max + 1;
		f[nf].s = line + at;
		f[nf].n = end - at;
		nf++;
		if (!c)
			return nf;
		at = end + 1;
	}
}

bool mb_trace_u64(struct mb_field f, uint64_t max, uint64_t *v)
{
	if (f.n == 0 || f.n > 20)
		return false;
	uint64_t x = 0;
	for (size_t i = 0; i < f.n; i++) {
		unsigned d = (unsigned)(f.s[i] - '0');
		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	if (x > max)
		return false;
	*v = x;
	return true;
}

bool mb_trace_i64(struct mb_field f, int64_t min, int64_t max, int64_t *v)
{
	bool neg = f.n > 0 && f.s[0] == '-';
	struct mb_field m = { f.s + neg, f.n - neg };
	uint64_t x;
	if (!mb_trace_u64(m, neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, &x))
		return false;
	int64_t r = neg ? (int64_t)(0 - x) : (int64_t)x;
	if (r < min || r > max)
		return false;
	*v = r;
	return true;
}

char *mb_trace_put_u64(char *p, uint64_t v)
{
	char tmp[20];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

char *mb_trace_put_i64(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		return mb_trace_put_u64(p, 0 - (uint64_t)v);
	}
	return mb_trace_put_u64(p, (uint64_t)v);
}

char *mb_trace_put_hex16(char *p, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	for (int s = 60; s >= 0; s -= 4)
		*p++ = hex[(v >> s) & 15];
	return p;
}

char *mb_trace_put_lead(char *p, const struct mb_event *ev)
{
	p = mb_trace_put_u64(p, ev->ts_ns / 1000000000u);
	*p++ = ',';
	p = mb_trace_put_hex16(p, ev->key_hash);
	*p++ = ',';
	p = mb_trace_put_u64(p, ev->key_len);
	*p++ = ',';
	return p;
}

int mb_trace_bad(struct mb_err *err, const char *name, struct mb_field f)
{
	return mb_err_set(err, MB_ERR, "bad field %s: '%.*s'", name, (int)(f.n > 80 ? 80 : f.n), f.s);
}

void mb_trace_reader_init(struct mb_trace_reader *t, unsigned fmt, struct mb_zin *in, const char *name,
			  const struct mb_anon *anon, bool skip_bad)
{
	memset(t, 0, sizeof *t);
	t->fmt = fmt;
	t->in = in;
	t->name = name;
	t->anon = anon;
	t->skip_bad = skip_bad;
	for (int i = 0; i < MB_CL_NCOLS; i++)
		t->col[i] = -1;
}

/* Append "'name' line N" to the message in err. */
static int at_line(struct mb_trace_reader *t, int rc, struct mb_err *err)
{
	char msg[MB_ERR_MAX];
	snprintf(msg, sizeof msg, "%s", err->msg);
	return mb_err_set(err, rc, "%s: '%s' line %llu", msg, t->name, (unsigned long long)t->in->line);
}

/* A bad row: fail, or count it and go on (returns MB_OK then). */
static int bad_row(struct mb_trace_reader *t, struct mb_err *err)
{
	if (!t->skip_bad)
		return at_line(t, MB_ERR, err);
	t->bad++;
	return MB_OK;
}

/* The next non-blank line with a trailing '\r' removed: MB_OK, MB_END, MB_ERR, MB_EIO. Overlong lines are bad rows. */
static int next_line(struct mb_trace_reader *t, const char **line, size_t *n, struct mb_err *err)
{
	for (;;) {
		int rc = mb_zin_line(t->in, line, n, err);
		if (rc == MB_ERR && t->in->rc == MB_OK) {
			t->rows++;
			if ((rc = bad_row(t, err)) != MB_OK)
				return rc;
			continue;
		}
		if (rc == MB_ERR) {
			char msg[MB_ERR_MAX];
			snprintf(msg, sizeof msg, "%s", err->msg);
			return mb_err_set(err, rc, "%s: '%s'", msg, t->name);
		}
		if (rc != MB_OK)
			return rc;
		if (*n > 0 && (*line)[*n - 1] == '\r')
			(*n)--;
		if (*n > 0)
			return MB_OK;
	}
}

/* Return the next event of the cachelib row being expanded. */
static void take_pending(struct mb_trace_reader *t, struct mb_event *ev)
{
	*ev = t->pend;
	if (t->pend_split) {
		if (t->pend_hits > 0) {
			ev->status = MB_ST_HIT;
			t->pend_hits--;
		} else {
			ev->status = MB_ST_MISS;
			ev->resp_len = 0;
		}
	}
	t->pend_left--;
	t->events++;
}

static int next_oracle(struct mb_trace_reader *t, struct mb_event *ev, struct mb_err *err)
{
	long got = mb_zin_fill(t->in, MB_ORACLE_RECORD, err);
	if (got < 0) {
		char msg[MB_ERR_MAX];
		snprintf(msg, sizeof msg, "%s", err->msg);
		return mb_err_set(err, t->in->rc, "%s: '%s'", msg, t->name);
	}
	if (got == 0)
		return MB_END;
	uint64_t at = mb_zin_offset(t->in);
	t->rows++;
	if (got < MB_ORACLE_RECORD) {
		mb_zin_consume(t->in, (size_t)got);
		if (!t->skip_bad)
			return mb_err_set(err, MB_ERR, "truncated record (%ld of %d bytes): '%s' at byte %llu", got,
					  MB_ORACLE_RECORD, t->name, (unsigned long long)at);
		t->bad++;
		return MB_END;
	}
	mb_oracle_record(mb_zin_peek(t->in), ev);
	mb_zin_consume(t->in, MB_ORACLE_RECORD);
	t->events++;
	return MB_OK;
}

int mb_trace_next(struct mb_trace_reader *t, struct mb_event *ev, struct mb_err *err)
{
	if (t->fmt == MB_TRACE_ORACLE)
		return next_oracle(t, ev, err);
	for (;;) {
		if (t->pend_left > 0) {
			take_pending(t, ev);
			return MB_OK;
		}
		const char *line;
		size_t n;
		int rc = next_line(t, &line, &n, err);
		if (rc != MB_OK)
			return rc;
		bool hashed = false;
		if (t->fmt == MB_TRACE_CACHELIB && !t->header_done) {
			if (mb_cachelib_header(t, line, n, err) != MB_OK)
				return at_line(t, MB_ERR, err);
			t->header_done = true;
			continue;
		}
		t->rows++;
		if (t->fmt == MB_TRACE_TWITTER) {
			rc = mb_twitter_row(line, n, t->anon, ev, &hashed, err);
			if (rc == MB_OK) {
				t->hashed += hashed;
				t->events++;
				return MB_OK;
			}
		} else {
			rc = mb_cachelib_row(t, line, n, &hashed, err);
			if (rc == MB_OK) {
				t->hashed += hashed ? t->pend_left : 0;
				continue;
			}
		}
		if ((rc = bad_row(t, err)) != MB_OK)
			return rc;
	}
}

/* ---- writer ---- */

#define SPOOL_RECORDS 8192

int mb_trace_writer_init(struct mb_trace_writer *w, unsigned fmt, int fd, struct mb_err *err)
{
	memset(w, 0, sizeof *w);
	w->fmt = fmt;
	w->spool_fd = -1;
	int rc = mb_zout_init(&w->out, fd, err);
	if (rc != MB_OK)
		return rc;
	if (fmt == MB_TRACE_CACHELIB)
		return mb_cachelib_write_header(&w->out, err);
	if (fmt != MB_TRACE_ORACLE)
		return MB_OK;
	const char *dir = getenv("TMPDIR");
	char path[4096];
	snprintf(path, sizeof path, "%s/mb-oracle-XXXXXX", dir && *dir ? dir : "/tmp");
	w->spool_fd = mkstemp(path);
	if (w->spool_fd < 0)
		return mb_err_set(err, MB_EIO, "cannot create a spool file: %s: '%s'", strerror(errno), path);
	unlink(path);
	w->scap = SPOOL_RECORDS * MB_ORACLE_RECORD;
	w->sbuf = malloc(w->scap);
	if (!w->sbuf)
		return mb_err_set(err, MB_EIO, "out of memory");
	return MB_OK;
}

/* Write the spool buffer to the spool file. */
static int spool_flush(struct mb_trace_writer *w, struct mb_err *err)
{
	size_t done = 0;
	while (done < w->slen) {
		ssize_t n = write(w->spool_fd, w->sbuf + done, w->slen - done);
		if (n > 0)
			done += (size_t)n;
		else if (n < 0 && errno == EINTR)
			continue;
		else
			return mb_err_set(err, MB_EIO, "write error on the spool file: %s",
					  n < 0 ? strerror(errno) : "no progress");
	}
	w->slen = 0;
	return MB_OK;
}

int mb_trace_writer_event(struct mb_trace_writer *w, const struct mb_event *ev, struct mb_err *err)
{
	int r;
	w->events++;
	switch (w->fmt) {
	case MB_TRACE_TWITTER: r = mb_twitter_write(&w->out, ev, err); break;
	case MB_TRACE_CACHELIB: r = mb_cachelib_write(&w->out, ev, err); break;
	case MB_TRACE_ORACLE:
		if (w->slen + MB_ORACLE_RECORD > w->scap && spool_flush(w, err) != MB_OK)
			return MB_EIO;
		r = mb_oracle_encode(ev, w->sbuf + w->slen, err);
		if (r == 1)
			w->slen += MB_ORACLE_RECORD;
		break;
	default: return mb_err_set(err, MB_ERR, "no writer for format %u", w->fmt);
	}
	if (r < 0)
		return r;
	if (r == 1)
		w->records++;
	else
		w->skipped++;
	return MB_OK;
}

int mb_trace_writer_finish(struct mb_trace_writer *w, struct mb_err *err)
{
	if (w->fmt == MB_TRACE_ORACLE) {
		int rc = spool_flush(w, err);
		if (rc == MB_OK)
			rc = mb_oracle_finish(w->spool_fd, w->records, &w->out, err);
		if (rc != MB_OK)
			return rc;
	}
	return mb_zout_flush(&w->out, err);
}

void mb_trace_writer_free(struct mb_trace_writer *w)
{
	mb_zout_free(&w->out);
	free(w->sbuf);
	w->sbuf = NULL;
	if (w->spool_fd >= 0)
		close(w->spool_fd);
	w->spool_fd = -1;
}

/* ---- drivers ---- */

void mb_trace_info(struct mb_stream_info *info, unsigned fmt, const char *file, const struct mb_anon *anon)
{
	mb_info_init(info, MB_KIND_EVENTS_HASHED);
	mb_info_set(info, "program", "mb-cat");
	mb_info_set(info, "trace_format", mb_trace_fmt_name(fmt));
	mb_info_set_source(info, file);
	if (anon) {
		char fp[17];
		mb_anon_fingerprint(anon, fp);
		mb_info_set(info, "anon_fp", fp);
	}
}

int mb_trace_import(const struct mb_trace_import_opts *o, int fd, const char *name, struct mb_writer *w,
		    struct mb_summary *sum, struct mb_err *err)
{
	struct mb_zin in;
	struct mb_trace_reader t;
	int rc = mb_zin_open_fd(&in, fd, err);
	if (rc != MB_OK)
		return rc;
	mb_trace_reader_init(&t, o->fmt, &in, name, o->anon, o->skip_bad);
	struct mb_event ev;
	while (!(o->stop && *o->stop) && (rc = mb_trace_next(&t, &ev, err)) == MB_OK)
		rc = mb_writer_event(w, &ev, err);
	if (rc == MB_OK || rc == MB_END)
		rc = MB_OK;
	if (rc == MB_OK && mb_zin_offset(&in) == 0 && !(o->stop && *o->stop))
		rc = mb_err_set(err, MB_ERR, "empty input: '%s' at byte 0", name);
	mb_summary_add(sum, "trace_rows", t.rows);
	mb_summary_add(sum, "events", t.events);
	mb_summary_add(sum, "bad_rows", t.bad);
	mb_summary_add(sum, "hashed_keys", t.hashed);
	mb_zin_close(&in);
	return rc;
}

int mb_trace_export(struct mb_trace_writer *tw, int fd, const char *name, const struct mb_anon *anon,
		    volatile sig_atomic_t *stop, struct mb_err *err)
{
	struct mb_reader r;
	int rc = mb_reader_open(&r, fd, name, 1u << MB_KIND_EVENTS_HASHED | 1u << MB_KIND_EVENTS_RAW, err);
	r.stop = stop;
	struct mb_frame f;
	struct mb_event ev;
	while (rc == MB_OK && !(stop && *stop) && (rc = mb_reader_next(&r, &f, err)) == MB_OK) {
		if (f.type != MB_FRAME_EVENT)
			continue;
		rc = mb_event_decode(f.payload, f.len, r.info.kind, &ev, err);
		if (rc == MB_ERR) {
			char msg[MB_ERR_MAX];
			snprintf(msg, sizeof msg, "%s", err->msg);
			rc = mb_err_set(err, MB_ERR, "%s: '%s' at byte %llu", msg, name, (unsigned long long)f.offset);
		}
		if (rc == MB_OK && r.info.kind == MB_KIND_EVENTS_RAW) {
			ev.key_hash = mb_anon_hash(anon, ev.key, ev.key_len);
			tw->hashed += mb_cmd_has_key(ev.cmd);
		}
		if (rc == MB_OK)
			rc = mb_trace_writer_event(tw, &ev, err);
	}
	mb_reader_close(&r);
	return rc == MB_END ? MB_OK : rc;
}
