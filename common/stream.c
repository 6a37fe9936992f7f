/* stream.c - the only implementation of the membench stream: header, frames, reader, writer. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "fdio.h"
#include "siphash.h"
#include "stream.h"

#define WRITER_FLUSH_AT (1u << 18)                     /* write(2) in 256 KiB steps into 1 MiB pipes: measured best */
#define WRITER_CAP (WRITER_FLUSH_AT + MB_FRAME_HDR + MB_FRAME_MAX)
#define HEADER_FIXED 16                                /* magic, version, kind, meta_len */

/* ------------------------------------------------------------------- kinds */

static const char *const kind_names[MB_KIND_COUNT] = { "none", "packets", "events-raw", "events-hashed" };

const char *mb_kind_name(unsigned kind) { return kind < MB_KIND_COUNT ? kind_names[kind] : "?"; }

int mb_kind_parse(const char *s)
{
	for (int i = 1; i < MB_KIND_COUNT; i++)
		if (strcmp(s, kind_names[i]) == 0)
			return i;
	return -1;
}

/* --------------------------------------------------------------- summaries */

static void copy_name(char *dst, const char *src)
{
	size_t n = strlen(src);
	if (n > MB_SUMMARY_NAME_MAX)
		n = MB_SUMMARY_NAME_MAX;
	memcpy(dst, src, n);
	dst[n] = 0;
}

void mb_summary_init(struct mb_summary *s, const char *program)
{
	copy_name(s->program, program);
	s->n = 0;
}

void mb_summary_add(struct mb_summary *s, const char *name, uint64_t val)
{
	for (unsigned i = 0; i < s->n; i++) {
		if (strcmp(s->c[i].name, name) == 0) {
			s->c[i].val += val;
			return;
		}
	}
	if (s->n >= MB_SUMMARY_MAX)
		return;
	copy_name(s->c[s->n].name, name);
	s->c[s->n].val = val;
	s->n++;
}

uint64_t mb_summary_get(const struct mb_summary *s, const char *name)
{
	for (unsigned i = 0; i < s->n; i++)
		if (strcmp(s->c[i].name, name) == 0)
			return s->c[i].val;
	return 0;
}

/* ------------------------------------------------------------- frame codecs */

void mb_event_encode(uint8_t *p, const struct mb_event *ev, unsigned kind)
{
	mb_st_le64(p + 0, ev->ts_ns);
	mb_st_le64(p + 8, ev->latency_ns);
	mb_st_le32(p + 16, ev->conn_id);
	mb_st_le32(p + 20, ev->batch_id);
	mb_st_le32(p + 24, ev->value_len);
	mb_st_le32(p + 28, ev->resp_len);
	mb_st_le32(p + 32, (uint32_t)ev->ttl);
	mb_st_le16(p + 36, ev->flags);
	mb_st_le16(p + 38, ev->key_len);
	p[40] = ev->proto;
	p[41] = ev->transport;
	p[42] = ev->cmd;
	p[43] = ev->status;
	size_t at = 44;
	if (kind == MB_KIND_EVENTS_HASHED) {
		mb_st_le64(p + 44, ev->key_hash);
		at += 8;
	} else if (ev->key_len) {
		memcpy(p + 44, ev->key, ev->key_len);
		at += ev->key_len;
	}
	if (ev->sem.has)
		p[at] = (uint8_t)mb_sem_body_encode(p + at + 1, &ev->sem);
}

int mb_event_decode(const uint8_t *p, uint32_t len, unsigned kind, struct mb_event *ev, struct mb_err *err)
{
	if (len < MB_EVENT_FIXED)
		return mb_err_set(err, MB_ERR, "event frame too short (%u bytes, at least %u)", len, MB_EVENT_FIXED);
	ev->ts_ns = mb_ld_le64(p + 0);
	ev->latency_ns = mb_ld_le64(p + 8);
	ev->conn_id = mb_ld_le32(p + 16);
	ev->batch_id = mb_ld_le32(p + 20);
	ev->value_len = mb_ld_le32(p + 24);
	ev->resp_len = mb_ld_le32(p + 28);
	ev->ttl = (int32_t)mb_ld_le32(p + 32);
	ev->flags = mb_ld_le16(p + 36);
	ev->key_len = mb_ld_le16(p + 38);
	ev->proto = p[40];
	ev->transport = p[41];
	ev->cmd = p[42];
	ev->status = p[43];
	uint32_t base;
	if (kind == MB_KIND_EVENTS_HASHED) {
		base = MB_EVENT_FIXED + 8;
		if (len < base)
			return mb_err_set(err, MB_ERR, "hashed event frame has %u bytes, expected %u", len, base);
		ev->key_hash = mb_ld_le64(p + 44);
		ev->key = NULL;
	} else {
		base = MB_EVENT_FIXED + (uint32_t)ev->key_len;
		if (len < base)
			return mb_err_set(err, MB_ERR, "event frame has %u bytes but field key_len says %u", len, base);
		ev->key_hash = 0;
		ev->key = p + 44;
	}
	memset(&ev->sem, 0, sizeof ev->sem);
	if (len == base)
		return MB_OK;
	uint32_t ext = p[base];
	if (ext == 0 || len != base + 1 + ext)
		return mb_err_set(err, MB_ERR, "event extension says %u bytes but the frame has %u after the key", ext,
				  len - base - 1);
	return mb_sem_body_decode(p + base + 1, ext, &ev->sem, err);
}

/* Field sizes of the extension, in bit order (enum mb_sem_has). */
static const uint8_t sem_field_size[] = { 8, 8, 8, 8, 8, 4, 4, 4, 1, 2 };
static const char *const sem_field_name[] = { "mflags", "delta", "initial", "cas", "new_cas", "vivify_ttl",
					      "recache_ttl", "client_flags", "mode", "server" };

size_t mb_sem_body_size(const struct mb_sem *sem)
{
	unsigned has = sem->has & MB_SEM_HAS_ALL;
	if (!has)
		return 0;
	size_t n = 2;
	for (unsigned b = 0; b < sizeof sem_field_size; b++)
		if (has >> b & 1)
			n += sem_field_size[b];
	return n;
}

size_t mb_sem_body_encode(uint8_t *p, const struct mb_sem *sem)
{
	uint16_t has = (uint16_t)(sem->has & MB_SEM_HAS_ALL);
	if (!has)
		return 0;
	uint8_t *q = p;
	mb_st_le16(q, has);
	q += 2;
	const uint64_t v[] = { sem->mflags, sem->delta, sem->initial, sem->cas, sem->new_cas,
			       (uint32_t)sem->vivify_ttl, (uint32_t)sem->recache_ttl, sem->client_flags, sem->mode, sem->server };
	for (unsigned b = 0; b < sizeof sem_field_size; b++) {
		if (!(has >> b & 1))
			continue;
		switch (sem_field_size[b]) {
		case 8: mb_st_le64(q, v[b]); break;
		case 4: mb_st_le32(q, (uint32_t)v[b]); break;
		case 2: mb_st_le16(q, (uint16_t)v[b]); break;
		default: *q = (uint8_t)v[b]; break;
		}
		q += sem_field_size[b];
	}
	return (size_t)(q - p);
}

int mb_sem_body_decode(const uint8_t *p, size_t n, struct mb_sem *sem, struct mb_err *err)
{
	memset(sem, 0, sizeof *sem);
	if (n == 0)
		return MB_OK;
	if (n < 2)
		return mb_err_set(err, MB_ERR, "event extension of %zu byte has no field has", n);
	uint16_t has = mb_ld_le16(p);
	if (!has)
		return mb_err_set(err, MB_ERR, "event extension with field has 0");
	size_t at = 2;
	uint64_t v[sizeof sem_field_size] = { 0 };
	for (unsigned b = 0; b < sizeof sem_field_size; b++) {
		if (!(has >> b & 1))
			continue;
		if (at + sem_field_size[b] > n)
			return mb_err_set(err, MB_ERR, "event extension field %s past its end (%zu bytes)",
					  sem_field_name[b], n);
		switch (sem_field_size[b]) {
		case 8: v[b] = mb_ld_le64(p + at); break;
		case 4: v[b] = mb_ld_le32(p + at); break;
		case 2: v[b] = mb_ld_le16(p + at); break;
		default: v[b] = p[at]; break;
		}
		at += sem_field_size[b];
	}
	/* bits above MB_SEM_HAS_ALL are fields of a later version: their bytes follow, skipped */
	if (at != n && !(has & ~MB_SEM_HAS_ALL))
		return mb_err_set(err, MB_ERR, "event extension has %zu bytes after its last field", n - at);
	sem->has = has & MB_SEM_HAS_ALL;
	sem->mflags = v[0];
	sem->delta = v[1];
	sem->initial = v[2];
	sem->cas = v[3];
	sem->new_cas = v[4];
	sem->vivify_ttl = (int32_t)(uint32_t)v[5];
	sem->recache_ttl = (int32_t)(uint32_t)v[6];
	sem->client_flags = (uint32_t)v[7];
	sem->mode = (uint8_t)v[8];
	sem->server = (uint16_t)v[9];
	return MB_OK;
}

int mb_packet_decode(const uint8_t *p, uint32_t len, struct mb_packet *pkt, struct mb_err *err)
{
	if (len < MB_PACKET_FIXED)
		return mb_err_set(err, MB_ERR, "packet frame too short (%u bytes, at least %u)", len, MB_PACKET_FIXED);
	pkt->ts_ns = mb_ld_le64(p);
	pkt->caplen = mb_ld_le32(p + 8);
	pkt->wirelen = mb_ld_le32(p + 12);
	pkt->linktype = mb_ld_le32(p + 16);
	pkt->elided = mb_ld_le32(p + 20);
	if (pkt->caplen > MB_PACKET_MAX)
		return mb_err_set(err, MB_ERR, "packet field caplen %u exceeds maximum %u", pkt->caplen, MB_PACKET_MAX);
	if (len != MB_PACKET_FIXED + pkt->caplen)
		return mb_err_set(err, MB_ERR, "packet frame has %u bytes but field caplen says %u", len,
				  MB_PACKET_FIXED + pkt->caplen);
	pkt->data = p + MB_PACKET_FIXED;
	return MB_OK;
}

int mb_summary_decode(const uint8_t *p, uint32_t len, struct mb_summary *s, struct mb_err *err)
{
	struct mb_cur c = mb_cur_make(p, len);
	uint8_t nl = mb_get_u8(&c);
	const uint8_t *name = mb_get_bytes(&c, nl);
	uint16_t count = mb_get_le16(&c);
	if (c.bad || nl > MB_SUMMARY_NAME_MAX || !mb_name_ok(name, nl))
		return mb_err_set(err, MB_ERR, "summary frame has a bad field program");
	if (count > MB_SUMMARY_MAX)
		return mb_err_set(err, MB_ERR, "summary field count %u exceeds maximum %u", count, MB_SUMMARY_MAX);
	memcpy(s->program, name, nl);
	s->program[nl] = 0;
	s->n = 0;
	for (unsigned i = 0; i < count; i++) {
		uint8_t kl = mb_get_u8(&c);
		const uint8_t *k = mb_get_bytes(&c, kl);
		uint64_t v = mb_get_le64(&c);
		if (c.bad || kl > MB_SUMMARY_NAME_MAX || !mb_name_ok(k, kl))
			return mb_err_set(err, MB_ERR, "summary counter %u is malformed", i);
		memcpy(s->c[i].name, k, kl);
		s->c[i].name[kl] = 0;
		s->c[i].val = v;
		s->n++;
	}
	if (mb_cur_left(&c))
		return mb_err_set(err, MB_ERR, "summary frame has %zu trailing bytes", mb_cur_left(&c));
	return MB_OK;
}

int mb_frame_check(unsigned kind, uint16_t type, const uint8_t *payload, uint32_t len, struct mb_err *err)
{
	if (type == MB_FRAME_EVENT && (kind == MB_KIND_EVENTS_RAW || kind == MB_KIND_EVENTS_HASHED)) {
		struct mb_event ev;
		return mb_event_decode(payload, len, kind, &ev, err);
	}
	if (type == MB_FRAME_PACKET && kind == MB_KIND_PACKETS) {
		struct mb_packet pkt;
		return mb_packet_decode(payload, len, &pkt, err);
	}
	if (type == MB_FRAME_SUMMARY) {
		struct mb_summary s;
		return mb_summary_decode(payload, len, &s, err);
	}
	if (type == MB_FRAME_SERVER && (kind == MB_KIND_EVENTS_RAW || kind == MB_KIND_EVENTS_HASHED)) {
		struct mb_server s;
		return mb_server_decode(payload, len, &s, err);
	}
	return MB_OK;
}

void mb_server_encode(uint8_t *p, const struct mb_server *s)
{
	memset(p, 0, MB_SERVER_LEN);
	mb_st_le16(p, s->number);
	mb_st_le16(p + 2, s->port);
	p[4] = s->family;
	memcpy(p + 8, s->addr, s->family == 4 ? 4 : 16);
}

int mb_server_decode(const uint8_t *p, uint32_t len, struct mb_server *s, struct mb_err *err)
{
	memset(s, 0, sizeof *s);
	if (len != MB_SERVER_LEN)
		return mb_err_set(err, MB_ERR, "server frame of %u bytes, expected %u", len, MB_SERVER_LEN);
	s->number = mb_ld_le16(p);
	s->port = mb_ld_le16(p + 2);
	s->family = p[4];
	if (s->family != 4 && s->family != 6)
		return mb_err_set(err, MB_ERR, "server frame field family is %u, expected 4 or 6", p[4]);
	if (p[5] || p[6] || p[7])
		return mb_err_set(err, MB_ERR, "server frame field reserved is not 0");
	for (unsigned i = s->family == 4 ? 4 : 16; i < 16; i++)
		if (p[8 + i])
			return mb_err_set(err, MB_ERR, "server frame field addr: IPv4 with bytes after its 4th");
	memcpy(s->addr, p + 8, 16);
	return MB_OK;
}

void mb_server_name(const struct mb_server *s, char *buf, size_t n)
{
	char a[INET6_ADDRSTRLEN] = "?";
	inet_ntop(s->family == 4 ? AF_INET : AF_INET6, s->addr, a, sizeof a);
	snprintf(buf, n, s->family == 4 ? "%s:%u" : "[%s]:%u", a, s->port);
}

const char *mb_server_parse(const char *str, size_t n, struct mb_server *s)
{
	size_t colon = n;
	while (colon > 0 && str[colon - 1] != ':')
		colon--;
	if (colon == 0)
		return "address";
	colon--; /* the last ':' separates the port; an IPv6 address has its own inside [] */
	const char *host = str;
	size_t hl = colon;
	int af = AF_INET;
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		host++;
		hl -= 2;
		af = AF_INET6;
	}
	char text[INET6_ADDRSTRLEN];
	uint8_t addr[16] = { 0 };
	if (hl == 0 || hl >= sizeof text || memchr(host, 0, hl))
		return "address";
	memcpy(text, host, hl);
	text[hl] = 0;
	if (inet_pton(af, text, addr) != 1)
		return "address";
	size_t pl = n - colon - 1;
	unsigned port = 0;
	if (pl == 0 || pl > 5)
		return "port";
	for (size_t i = colon + 1; i < n; i++) {
		if (str[i] < '0' || str[i] > '9')
			return "port";
		port = port * 10 + (unsigned)(str[i] - '0');
	}
	if (port > UINT16_MAX)
		return "port";
	s->family = af == AF_INET ? 4 : 6;
	s->port = (uint16_t)port;
	memcpy(s->addr, addr, sizeof s->addr);
	return NULL;
}

bool mb_server_same(const struct mb_server *a, const struct mb_server *b)
{
	return a->family == b->family && a->port == b->port && !memcmp(a->addr, b->addr, sizeof a->addr);
}

uint64_t mb_server_hash(const struct mb_server *s)
{
	uint8_t k[19];
	k[0] = s->family;
	mb_st_le16(k + 1, s->port);
	memcpy(k + 3, s->addr, sizeof s->addr);
	return mb_siphash24(0, 0, k, sizeof k);
}

/* ------------------------------------------------------------------ reader */

long mb_reader_fill(struct mb_reader *r, size_t n, struct mb_err *err)
{
	if (n > r->cap)
		n = r->cap;
	if (r->end - r->start >= n)
		return (long)(r->end - r->start);
	if (r->cap - r->start < n) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->base += r->start;
		r->end -= r->start;
		r->start = 0;
	}
	while (r->end - r->start < n && !r->eof) {
		if (r->stop && *r->stop) {
			r->eof = r->stopped = true; /* a stop request: the input ends here */
			break;
		}
		ssize_t got = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (got > 0) {
			r->end += (size_t)got;
		} else if (got == 0) {
			r->eof = true;
		} else if (errno == EINTR) {
			continue; /* the loop looks at *stop again */
		} else {
			return mb_err_set(err, -1, "read error: %s: '%s' at byte %llu", strerror(errno), r->name,
					  (unsigned long long)(r->base + r->end));
		}
	}
	return (long)(r->end - r->start);
}

/*
 * What a truncation found by the reader means: an error (rc, err already filled),
 * or, when the input ended because of a stop request, a clean end (MB_END).
 */
static int stopped_or(const struct mb_reader *r, struct mb_err *err, int rc)
{
	if (!r->stopped)
		return rc;
	return mb_err_set(err, MB_END, "stopped: '%s' at byte %llu", r->name, (unsigned long long)(r->base + r->start));
}

int mb_reader_cut(const struct mb_reader *r, int rc, struct mb_err *err) { return stopped_or(r, err, rc); }

int mb_stream_read_header(struct mb_reader *r, struct mb_stream_info *info, struct mb_err *err)
{
	uint64_t at = r->base + r->start;
	long got = mb_reader_fill(r, HEADER_FIXED, err);
	if (got < 0)
		return MB_EIO;
	if (got < HEADER_FIXED)
		return stopped_or(r, err, mb_err_set(err, MB_ERR, "truncated stream header (%ld of %u bytes): '%s' at byte %llu",
						     got, HEADER_FIXED, r->name, (unsigned long long)at));
	const uint8_t *p = mb_reader_peek(r);
	uint16_t version = mb_ld_le16(p + 8), kind = mb_ld_le16(p + 10);
	uint32_t meta_len = mb_ld_le32(p + 12);
	if (version < MB_STREAM_VERSION_MIN || version > MB_STREAM_VERSION)
		return mb_err_set(err, MB_ERR, "stream format version %u is not supported (this program reads versions %u-%u): '%s' at byte %llu",
				  version, MB_STREAM_VERSION_MIN, MB_STREAM_VERSION, r->name, (unsigned long long)at + 8);
	if (kind == MB_KIND_NONE || kind >= MB_KIND_COUNT)
		return mb_err_set(err, MB_ERR, "unknown stream kind %u: '%s' at byte %llu", kind, r->name,
				  (unsigned long long)at + 10);
	if (meta_len > MB_META_MAX_BYTES)
		return mb_err_set(err, MB_ERR, "header metadata length %u exceeds maximum %u: '%s' at byte %llu",
				  meta_len, MB_META_MAX_BYTES, r->name, (unsigned long long)at + 12);
	got = mb_reader_fill(r, HEADER_FIXED + meta_len, err);
	if (got < 0)
		return MB_EIO;
	if ((size_t)got < HEADER_FIXED + meta_len)
		return stopped_or(r, err, mb_err_set(err, MB_ERR, "truncated stream header (%ld of %u bytes): '%s' at byte %llu",
						     got, HEADER_FIXED + meta_len, r->name, (unsigned long long)at));
	p = mb_reader_peek(r);
	mb_info_init(info, kind);
	size_t bad;
	if (mb_meta_decode(p + HEADER_FIXED, meta_len, info, &bad, err) != MB_OK) {
		struct mb_err what = *err;
		return mb_err_set(err, MB_ERR, "bad stream header: %s: '%s' at byte %llu", what.msg, r->name,
				  (unsigned long long)(at + HEADER_FIXED + bad));
	}
	mb_reader_consume(r, HEADER_FIXED + meta_len);
	r->headers++;
	return MB_OK;
}

int mb_stream_next(struct mb_reader *r, struct mb_frame *f, struct mb_err *err)
{
	for (;;) {
		uint64_t at = r->base + r->start;
		long got = mb_reader_fill(r, MB_FRAME_HDR, err);
		if (got < 0)
			return MB_EIO;
		if (got == 0)
			return MB_END;
		if (got < MB_FRAME_HDR)
			return stopped_or(r, err, mb_err_set(err, MB_ERR, "truncated frame header (%ld of %u bytes): '%s' at byte %llu",
							     got, MB_FRAME_HDR, r->name, (unsigned long long)at));
		const uint8_t *p = mb_reader_peek(r);
		if (memcmp(p, MB_STREAM_MAGIC, 8) == 0) {
			struct mb_stream_info next;
			int rc = mb_stream_read_header(r, &next, err);
			if (rc != MB_OK)
				return rc;
			if (next.kind != r->info.kind)
				return mb_err_set(err, MB_ERR, "concatenated stream changes kind from %s to %s: '%s' at byte %llu",
						  mb_kind_name(r->info.kind), mb_kind_name(next.kind), r->name,
						  (unsigned long long)at);
			continue;
		}
		f->type = mb_ld_le16(p);
		f->flags = mb_ld_le16(p + 2);
		f->len = mb_ld_le32(p + 4);
		f->offset = at;
		if (f->type == 0 || f->type == MB_FRAME_HEADER_MARK)
			return mb_err_set(err, MB_ERR, "bad frame type %u: '%s' at byte %llu", f->type, r->name,
					  (unsigned long long)at);
		if (f->len > MB_FRAME_MAX)
			return mb_err_set(err, MB_ERR, "frame length %u exceeds maximum %u: '%s' at byte %llu", f->len,
					  MB_FRAME_MAX, r->name, (unsigned long long)at + 4);
		if ((size_t)got < MB_FRAME_HDR + f->len) {
			got = mb_reader_fill(r, MB_FRAME_HDR + f->len, err);
			if (got < 0)
				return MB_EIO;
			if ((size_t)got < MB_FRAME_HDR + f->len)
				return stopped_or(r, err, mb_err_set(err, MB_ERR, "truncated frame (%ld of %u bytes): '%s' at byte %llu",
								     got, MB_FRAME_HDR + f->len, r->name, (unsigned long long)at));
			p = mb_reader_peek(r);
		}
		f->payload = p + MB_FRAME_HDR;
		if (mb_frame_check(r->info.kind, f->type, f->payload, f->len, err) != MB_OK)
			return mb_frame_bad(r, f, err);
		mb_reader_consume(r, MB_FRAME_HDR + f->len);
		r->frames++;
		return MB_OK;
	}
}

int mb_frame_bad(const struct mb_reader *r, const struct mb_frame *f, struct mb_err *err)
{
	struct mb_err what = *err;
	return mb_err_set(err, MB_ERR, "%s: '%s' at byte %llu", what.msg, r->name, (unsigned long long)f->offset);
}

uint64_t mb_reader_offset(const struct mb_reader *r) { return r->base + r->start; }

/* ------------------------------------------------------------------ writer */

int mb_writer_init(struct mb_writer *w, int fd, struct mb_err *err)
{
	memset(w, 0, sizeof *w);
	w->fd = fd;
	w->name = fd == 1 ? "stdout" : "output";
	w->cap = WRITER_CAP;
	mb_grow_pipe(fd);
	w->buf = malloc(w->cap);
	if (!w->buf)
		return mb_err_set(err, MB_EIO, "out of memory for the output buffer");
	return MB_OK;
}

/* The writer's sticky failure: its rc, with its message copied into err. */
static int writer_failed(const struct mb_writer *w, struct mb_err *err)
{
	if (err)
		*err = w->fail;
	return w->rc;
}

int mb_writer_flush(struct mb_writer *w, struct mb_err *err)
{
	size_t done = 0;
	if (w->rc != MB_OK)
		return writer_failed(w, err);
	while (done < w->len) {
		ssize_t n = write(w->fd, w->buf + done, w->len - done);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		w->len = 0;
		if (n < 0 && errno == EPIPE)
			w->rc = mb_err_set(&w->fail, MB_EPIPE, "output closed by its reader: '%s' at byte %llu", w->name,
					   (unsigned long long)(w->written + done));
		else
			w->rc = mb_err_set(&w->fail, MB_EIO, "write error: %s: '%s' at byte %llu",
					   n < 0 ? strerror(errno) : "no progress", w->name, (unsigned long long)(w->written + done));
		w->written += done;
		return writer_failed(w, err);
	}
	w->written += w->len;
	w->len = 0;
	return MB_OK;
}

uint8_t *mb_writer_reserve(struct mb_writer *w, size_t n, struct mb_err *err)
{
	if (w->rc != MB_OK) {
		writer_failed(w, err);
		return NULL;
	}
	if ((w->len >= WRITER_FLUSH_AT || w->cap - w->len < n) && mb_writer_flush(w, err) != MB_OK)
		return NULL;
	return w->buf + w->len;
}

/* The rc of a failed mb_writer_reserve. */
static int reserve_rc(const struct mb_writer *w) { return w->rc; }

int mb_writer_frame(struct mb_writer *w, uint16_t type, uint16_t flags, const void *payload, uint32_t len, struct mb_err *err)
{
	if (len > MB_FRAME_MAX)
		return mb_err_set(err, MB_ERR, "frame length %u exceeds maximum %u", len, MB_FRAME_MAX);
	if (mb_frame_check(w->kind, type, payload, len, err) != MB_OK)
		return MB_ERR;
	uint8_t *p = mb_writer_reserve(w, MB_FRAME_HDR + len, err);
	if (!p)
		return reserve_rc(w);
	mb_st_le16(p, type);
	mb_st_le16(p + 2, flags);
	mb_st_le32(p + 4, len);
	if (len)
		memcpy(p + MB_FRAME_HDR, payload, len);
	mb_writer_commit(w, MB_FRAME_HDR + len);
	return MB_OK;
}

int mb_writer_header(struct mb_writer *w, const struct mb_stream_info *info, struct mb_err *err)
{
	size_t meta_len = mb_meta_encode(info, NULL);
	if (meta_len > MB_META_MAX_BYTES)
		return mb_err_set(err, MB_ERR, "header metadata too large (%zu bytes)", meta_len);
	uint8_t *p = mb_writer_reserve(w, HEADER_FIXED + meta_len, err);
	if (!p)
		return reserve_rc(w);
	memcpy(p, MB_STREAM_MAGIC, 8);
	mb_st_le16(p + 8, MB_STREAM_VERSION);
	mb_st_le16(p + 10, info->kind);
	mb_st_le32(p + 12, (uint32_t)meta_len);
	mb_meta_encode(info, p + HEADER_FIXED);
	w->len += HEADER_FIXED + meta_len;
	w->kind = info->kind;
	return MB_OK;
}

int mb_writer_event(struct mb_writer *w, const struct mb_event *ev, struct mb_err *err)
{
	uint32_t len = mb_event_payload_len(ev, w->kind);
	uint8_t *p = mb_writer_reserve(w, MB_FRAME_HDR + len, err);
	if (!p)
		return reserve_rc(w);
	mb_st_le16(p, MB_FRAME_EVENT);
	mb_st_le16(p + 2, 0);
	mb_st_le32(p + 4, len);
	mb_event_encode(p + MB_FRAME_HDR, ev, w->kind);
	mb_writer_commit(w, MB_FRAME_HDR + len);
	return MB_OK;
}

int mb_writer_packet(struct mb_writer *w, const struct mb_packet *pkt, struct mb_err *err)
{
	if (pkt->caplen > MB_PACKET_MAX)
		return mb_err_set(err, MB_ERR, "packet caplen %u exceeds maximum %u", pkt->caplen, MB_PACKET_MAX);
	uint32_t len = MB_PACKET_FIXED + pkt->caplen;
	uint8_t *p = mb_writer_reserve(w, MB_FRAME_HDR + len, err);
	if (!p)
		return reserve_rc(w);
	mb_st_le16(p, MB_FRAME_PACKET);
	mb_st_le16(p + 2, 0);
	mb_st_le32(p + 4, len);
	mb_st_le64(p + 8, pkt->ts_ns);
	mb_st_le32(p + 16, pkt->caplen);
	mb_st_le32(p + 20, pkt->wirelen);
	mb_st_le32(p + 24, pkt->linktype);
	mb_st_le32(p + 28, pkt->elided);
	memcpy(p + 8 + MB_PACKET_FIXED, pkt->data, pkt->caplen);
	mb_writer_commit(w, MB_FRAME_HDR + len);
	return MB_OK;
}

size_t mb_summary_encode(const struct mb_summary *s, uint8_t *p)
{
	size_t n = 0, pl = strlen(s->program);
	p[n++] = (uint8_t)pl;
	memcpy(p + n, s->program, pl);
	n += pl;
	mb_st_le16(p + n, (uint16_t)s->n);
	n += 2;
	for (unsigned i = 0; i < s->n; i++) {
		size_t kl = strlen(s->c[i].name);
		p[n++] = (uint8_t)kl;
		memcpy(p + n, s->c[i].name, kl);
		n += kl;
		mb_st_le64(p + n, s->c[i].val);
		n += 8;
	}
	return n;
}

int mb_writer_summary(struct mb_writer *w, const struct mb_summary *s, struct mb_err *err)
{
	uint8_t tmp[MB_SUMMARY_BYTES_MAX];
	size_t n = mb_summary_encode(s, tmp);
	return mb_writer_frame(w, MB_FRAME_SUMMARY, 0, tmp, (uint32_t)n, err);
}

int mb_writer_close(struct mb_writer *w, struct mb_err *err)
{
	int rc = mb_writer_flush(w, err);
	free(w->buf);
	w->buf = NULL;
	return rc;
}
