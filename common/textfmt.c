/* textfmt.c - frames to tab-separated text lines and back, exactly (doc/stream.md, "Text form"). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "mbtime.h"
#include "textfmt.h"

#define EVENT_FIELDS 14 /* and a 15th, sem, when the event carries request semantics */
#define SERVER_LINE_MAX (7 + 5 + 1 + 64 + 1) /* "server\t", number, tab, address, newline */

static void put_str(struct mb_buf *b, const char *s)
{
	size_t n = strlen(s);
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void put_ch(struct mb_buf *b, char c) { b->p[b->len++] = c; }

static void put_u64(struct mb_buf *b, uint64_t v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		b->p[b->len++] = tmp[--n];
}

static void put_i64(struct mb_buf *b, int64_t v)
{
	if (v < 0) {
		put_ch(b, '-');
		put_u64(b, (uint64_t)0 - (uint64_t)v);
	} else {
		put_u64(b, (uint64_t)v);
	}
}

static const char hexdig[] = "0123456789abcdef";

static void put_hex(struct mb_buf *b, const uint8_t *p, size_t n)
{
	if (n == 0) {
		put_ch(b, '-');
		return;
	}
	for (size_t i = 0; i < n; i++) {
		b->p[b->len++] = hexdig[p[i] >> 4];
		b->p[b->len++] = hexdig[p[i] & 15];
	}
}

/* A name from a table, or the decimal value when the table has none. */
static void put_name(struct mb_buf *b, const char *name, unsigned v)
{
	if (name[0] == '?')
		put_u64(b, v);
	else
		put_str(b, name);
}

int mb_text_escape(struct mb_buf *b, const uint8_t *s, size_t n)
{
	if (!mb_buf_reserve(b, n * 4 + 4))
		return MB_EIO;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];
		if (c == '\\') {
			put_ch(b, '\\');
			put_ch(b, '\\');
		} else if (c > ' ' && c < 0x7f) {
			put_ch(b, (char)c);
		} else {
			put_ch(b, '\\');
			put_ch(b, 'x');
			put_ch(b, hexdig[c >> 4]);
			put_ch(b, hexdig[c & 15]);
		}
	}
	return MB_OK;
}

long mb_text_unescape(const char *s, size_t n, uint8_t *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			out[o++] = (uint8_t)s[i];
			continue;
		}
		if (i + 1 < n && s[i + 1] == '\\') {
			out[o++] = '\\';
			i++;
		} else if (i + 3 < n && s[i + 1] == 'x' && mb_hexval(s[i + 2]) >= 0 && mb_hexval(s[i + 3]) >= 0) {
			out[o++] = (uint8_t)(mb_hexval(s[i + 2]) << 4 | mb_hexval(s[i + 3]));
			i += 3;
		} else {
			return -1;
		}
	}
	return (long)o;
}

int mb_text_header(struct mb_buf *b, const struct mb_stream_info *info)
{
	if (!mb_buf_reserve(b, 64))
		return MB_EIO;
	put_str(b, "#membench\tversion=");
	put_u64(b, info->version);
	put_str(b, "\tkind=");
	put_name(b, mb_kind_name(info->kind), info->kind);
	for (unsigned i = 0; i < info->nmeta; i++) {
		if (!mb_buf_reserve(b, 8 + strlen(info->meta[i].key)))
			return MB_EIO;
		put_ch(b, '\t');
		put_str(b, info->meta[i].key);
		put_ch(b, '=');
		if (mb_text_escape(b, (const uint8_t *)info->meta[i].val, strlen(info->meta[i].val)))
			return MB_EIO;
	}
	if (!mb_buf_reserve(b, 1))
		return MB_EIO;
	put_ch(b, '\n');
	return MB_OK;
}

int mb_text_fields(struct mb_buf *b, unsigned kind)
{
	const char *f = kind == MB_KIND_PACKETS
		? "#pkt\tts\tlinktype\tcaplen\twirelen\telided\tdata\n"
		: "#ev\tts\tconn\tproto\tcmd\tstatus\tkey\tkey_len\tvalue_len\tttl\tflags\tbatch\tresp_len\tlatency_ns\n";
	if (!mb_buf_reserve(b, strlen(f)))
		return MB_EIO;
	put_str(b, f);
	return MB_OK;
}

static void put_flags(struct mb_buf *b, uint16_t flags)
{
	if (!flags) {
		put_ch(b, '-');
		return;
	}
	bool first = true;
	for (unsigned i = 0; i < 16; i++) {
		if (!(flags & (1u << i)))
			continue;
		if (!first)
			put_ch(b, ',');
		first = false;
		if (i < MB_EF_NAMED_COUNT) {
			put_str(b, mb_flag_name(i));
		} else {
			put_str(b, "0x");
			uint16_t bit = (uint16_t)(1u << i);
			for (int s = 12; s >= 0; s -= 4)
				put_ch(b, hexdig[(bit >> s) & 15]);
		}
	}
}

/* Names of the numeric sem items, in field order after meta (enum mb_sem_has bits 1-7). */
static const char *const sem_item[] = { "delta", "initial", "cas", "new_cas", "vivify", "recache", "cflags" };

/* A mode byte as text: itself when alphanumeric, + or -, else \xNN. */
static void put_mode(struct mb_buf *b, uint8_t m)
{
	if ((m >= 'A' && m <= 'Z') || (m >= 'a' && m <= 'z') || (m >= '0' && m <= '9') || m == '+' || m == '-') {
		put_ch(b, (char)m);
	} else {
		put_str(b, "\\x");
		put_ch(b, hexdig[m >> 4]);
		put_ch(b, hexdig[m & 15]);
	}
}

/* The sem field: comma-separated items in bit order (doc/stream.md, "Text form"). */
static void put_sem(struct mb_buf *b, const struct mb_sem *sem)
{
	bool first = true;
	if (sem->has & MB_SEM_META) {
		put_str(b, "meta=");
		if (sem->mflags >> 52) {
			put_str(b, "0x");
			for (int sh = 60; sh >= 0; sh -= 4)
				put_ch(b, hexdig[(sem->mflags >> sh) & 15]);
		} else {
			for (int i = 0; i < 52; i++)
				if (sem->mflags >> i & 1)
					put_ch(b, (char)(i < 26 ? 'A' + i : 'a' + i - 26));
		}
		first = false;
	}
	const uint64_t v[] = { sem->delta, sem->initial, sem->cas, sem->new_cas, (uint64_t)(int64_t)sem->vivify_ttl,
			       (uint64_t)(int64_t)sem->recache_ttl, sem->client_flags };
	for (unsigned i = 0; i < 7; i++) {
		if (!(sem->has >> (i + 1) & 1))
			continue;
		if (!first)
			put_ch(b, ',');
		first = false;
		put_str(b, sem_item[i]);
		put_ch(b, '=');
		if (i == 4 || i == 5)
			put_i64(b, (int64_t)v[i]);
		else
			put_u64(b, v[i]);
	}
	if (sem->has & MB_SEM_MODE) {
		if (!first)
			put_ch(b, ',');
		first = false;
		put_str(b, "mode=");
		put_mode(b, sem->mode);
	}
	if (sem->has & MB_SEM_SERVER) {
		if (!first)
			put_ch(b, ',');
		put_str(b, "server=");
		put_u64(b, sem->server);
	}
}

static int text_event(struct mb_buf *b, unsigned kind, const struct mb_frame *f, struct mb_err *err)
{
	struct mb_event ev;
	int rc = mb_event_decode(f->payload, f->len, kind, &ev, err);
	if (rc)
		return rc;
	if (!mb_buf_reserve(b, 400 + (size_t)ev.key_len * 4))
		return mb_err_set(err, MB_EIO, "out of memory");
	char ts[32];
	put_str(b, "ev\t");
	mb_ts_format(ts, sizeof ts, ev.ts_ns);
	put_str(b, ts);
	put_ch(b, '\t');
	put_u64(b, ev.conn_id);
	put_ch(b, '\t');
	put_name(b, mb_proto_name(ev.proto), ev.proto);
	put_ch(b, '/');
	put_name(b, mb_transport_name(ev.transport), ev.transport);
	put_ch(b, '\t');
	put_name(b, mb_cmd_name(ev.cmd), ev.cmd);
	put_ch(b, '\t');
	put_name(b, mb_status_name(ev.status), ev.status);
	put_ch(b, '\t');
	if (kind == MB_KIND_EVENTS_HASHED) {
		put_ch(b, '@');
		for (int s = 60; s >= 0; s -= 4)
			put_ch(b, hexdig[(ev.key_hash >> s) & 15]);
	} else if (ev.key_len == 0) {
		put_ch(b, '-');
	} else {
		size_t at = b->len;
		mb_text_escape(b, ev.key, ev.key_len);
		/* Keep "-" and a leading '@' unambiguous: they mean "no key" and "hash". */
		if (b->p[at] == '@' || (b->len - at == 1 && b->p[at] == '-')) {
			memmove(b->p + at + 4, b->p + at + 1, b->len - at - 1);
			memcpy(b->p + at, b->p[at] == '@' ? "\\x40" : "\\x2d", 4);
			b->len += 3;
		}
	}
	put_ch(b, '\t');
	put_u64(b, ev.key_len);
	put_ch(b, '\t');
	put_u64(b, ev.value_len);
	put_ch(b, '\t');
	put_i64(b, ev.ttl);
	put_ch(b, '\t');
	put_flags(b, ev.flags);
	put_ch(b, '\t');
	put_u64(b, ev.batch_id);
	put_ch(b, '\t');
	put_u64(b, ev.resp_len);
	put_ch(b, '\t');
	put_u64(b, ev.latency_ns);
	if (ev.sem.has) {
		put_ch(b, '\t');
		put_sem(b, &ev.sem);
	}
	put_ch(b, '\n');
	return MB_OK;
}

static int text_packet(struct mb_buf *b, const struct mb_frame *f, struct mb_err *err)
{
	struct mb_packet pkt;
	int rc = mb_packet_decode(f->payload, f->len, &pkt, err);
	if (rc)
		return rc;
	if (!mb_buf_reserve(b, 160 + (size_t)pkt.caplen * 2))
		return mb_err_set(err, MB_EIO, "out of memory");
	char ts[32];
	put_str(b, "pkt\t");
	mb_ts_format(ts, sizeof ts, pkt.ts_ns);
	put_str(b, ts);
	put_ch(b, '\t');
	put_u64(b, pkt.linktype);
	put_ch(b, '\t');
	put_u64(b, pkt.caplen);
	put_ch(b, '\t');
	put_u64(b, pkt.wirelen);
	put_ch(b, '\t');
	put_u64(b, pkt.elided);
	put_ch(b, '\t');
	put_hex(b, pkt.data, pkt.caplen);
	put_ch(b, '\n');
	return MB_OK;
}

static int text_summary(struct mb_buf *b, const struct mb_frame *f, struct mb_err *err)
{
	struct mb_summary *s = malloc(sizeof *s);
	if (!s)
		return mb_err_set(err, MB_EIO, "out of memory");
	int rc = mb_summary_decode(f->payload, f->len, s, err);
	if (rc == MB_OK && !mb_buf_reserve(b, 16 + (s->n + 1) * (MB_SUMMARY_NAME_MAX + 24)))
		rc = mb_err_set(err, MB_EIO, "out of memory");
	if (rc == MB_OK) {
		put_str(b, "sum\t");
		put_str(b, s->program);
		for (unsigned i = 0; i < s->n; i++) {
			put_ch(b, '\t');
			put_str(b, s->c[i].name);
			put_ch(b, '=');
			put_u64(b, s->c[i].val);
		}
		put_ch(b, '\n');
	}
	free(s);
	return rc;
}

/* A SERVER frame as "server NUMBER ADDRESS" (b has room for SERVER_LINE_MAX); false, writing
   nothing, when its payload does not decode. */
static bool text_server(struct mb_buf *b, const struct mb_frame *f)
{
	struct mb_server s;
	struct mb_err ignored;
	char name[64];
	if (mb_server_decode(f->payload, f->len, &s, &ignored) != MB_OK)
		return false;
	mb_server_name(&s, name, sizeof name);
	put_str(b, "server\t");
	put_u64(b, s.number);
	put_ch(b, '\t');
	put_str(b, name);
	put_ch(b, '\n');
	return true;
}

int mb_text_frame(struct mb_buf *b, unsigned kind, const struct mb_frame *f, struct mb_err *err)
{
	if (f->flags == 0) {
		if (f->type == MB_FRAME_EVENT && kind != MB_KIND_PACKETS)
			return text_event(b, kind, f, err);
		if (f->type == MB_FRAME_SERVER && kind != MB_KIND_PACKETS) {
			if (!mb_buf_reserve(b, SERVER_LINE_MAX))
				return mb_err_set(err, MB_EIO, "out of memory");
			if (text_server(b, f))
				return MB_OK;
			/* a malformed one keeps its bytes as a frame line */
		}
		if (f->type == MB_FRAME_PACKET && kind == MB_KIND_PACKETS)
			return text_packet(b, f, err);
		if (f->type == MB_FRAME_SUMMARY)
			return text_summary(b, f, err);
	}
	if (!mb_buf_reserve(b, 40 + (size_t)f->len * 2))
		return mb_err_set(err, MB_EIO, "out of memory");
	put_str(b, "frame\t");
	put_u64(b, f->type);
	put_ch(b, '\t');
	put_u64(b, f->flags);
	put_ch(b, '\t');
	put_hex(b, f->payload, f->len);
	put_ch(b, '\n');
	return MB_OK;
}

/* ------------------------------------------------------------- text -> bin */

struct field {
	const char *s;
	size_t n;
};

static unsigned split(const char *line, size_t n, struct field *f, unsigned max)
{
	unsigned k = 0;
	size_t i = 0;
	while (i < n) {
		while (i < n && (line[i] == '\t' || line[i] == ' ' || line[i] == '\r'))
			i++;
		if (i >= n)
			break;
		size_t st = i;
		while (i < n && line[i] != '\t' && line[i] != ' ' && line[i] != '\r')
			i++;
		if (k < max) {
			f[k].s = line + st;
			f[k].n = i - st;
		}
		k++;
	}
	return k;
}

static bool num_u64(struct field f, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	if (f.n == 0 || f.n > 20)
		return false;
	for (size_t i = 0; i < f.n; i++) {
		if (f.s[i] < '0' || f.s[i] > '9')
			return false;
		unsigned d = (unsigned)(f.s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

/* A table name or a decimal value below 256. */
static bool name_or_num(struct field f, int (*parse)(const char *, size_t), uint8_t *out)
{
	int v = parse(f.s, f.n);
	uint64_t u;
	if (v >= 0) {
		*out = (uint8_t)v;
		return true;
	}
	if (num_u64(f, 255, &u)) {
		*out = (uint8_t)u;
		return true;
	}
	return false;
}

static bool parse_flags(struct field f, uint16_t *out)
{
	uint16_t flags = 0;
	if (f.n == 1 && f.s[0] == '-') {
		*out = 0;
		return true;
	}
	size_t i = 0;
	while (i < f.n) {
		size_t st = i;
		while (i < f.n && f.s[i] != ',')
			i++;
		const char *t = f.s + st;
		size_t tn = i - st;
		int bit = mb_flag_parse(t, tn);
		if (bit >= 0) {
			flags |= (uint16_t)(1u << bit);
		} else if (tn > 2 && t[0] == '0' && t[1] == 'x') {
			unsigned v = 0;
			for (size_t j = 2; j < tn; j++) {
				int h = mb_hexval(t[j]);
				if (h < 0 || v > 0xfff)
					return false;
				v = v << 4 | (unsigned)h;
			}
			if (v == 0 || v > 0xffff)
				return false;
			flags |= (uint16_t)v;
		} else {
			return false;
		}
		i++;
	}
	*out = flags;
	return true;
}

static long parse_hex(struct field f, uint8_t *out, size_t max)
{
	if (f.n == 1 && f.s[0] == '-')
		return 0;
	if (f.n % 2 || f.n / 2 > max)
		return -1;
	for (size_t i = 0; i < f.n; i += 2) {
		int h = mb_hexval(f.s[i]), l = mb_hexval(f.s[i + 1]);
		if (h < 0 || l < 0)
			return -1;
		out[i / 2] = (uint8_t)(h << 4 | l);
	}
	return (long)(f.n / 2);
}

static int bad(struct mb_err *err, const char *field, struct field f)
{
	return mb_err_set(err, MB_ERR, "bad field %s: '%.*s'", field, (int)(f.n > 80 ? 80 : f.n), f.s);
}

/* A signed decimal within int32. */
static bool num_i32(struct field t, int32_t *out)
{
	uint64_t v;
	bool neg = t.n > 1 && t.s[0] == '-';
	struct field m = { t.s + neg, t.n - neg };
	if (!num_u64(m, neg ? 2147483648u : INT32_MAX, &v))
		return false;
	*out = neg ? (int32_t)(0 - v) : (int32_t)v;
	return true;
}

/* The sem field: items in bit order, each at most once. */
static bool parse_sem(struct field f, struct mb_sem *sem)
{
	size_t i = 0;
	int last = -1;
	while (i < f.n) {
		size_t e = i;
		while (e < f.n && f.s[e] != ',')
			e++;
		const char *eq = memchr(f.s + i, '=', e - i);
		if (!eq)
			return false;
		struct field name = { f.s + i, (size_t)(eq - f.s - i) }, val = { eq + 1, (size_t)(f.s + e - eq - 1) };
		int bit = -1;
		if (name.n == 4 && memcmp(name.s, "meta", 4) == 0)
			bit = 0;
		else if (name.n == 4 && memcmp(name.s, "mode", 4) == 0)
			bit = 8;
		else if (name.n == 6 && memcmp(name.s, "server", 6) == 0)
			bit = 9;
		for (unsigned k = 0; k < 7 && bit < 0; k++)
			if (strlen(sem_item[k]) == name.n && memcmp(sem_item[k], name.s, name.n) == 0)
				bit = (int)k + 1;
		if (bit <= last)
			return false;
		last = bit;
		sem->has |= (uint16_t)(1u << bit);
		uint64_t u;
		if (bit == 0) {
			if (val.n > 2 && val.s[0] == '0' && val.s[1] == 'x') {
				if (val.n != 18)
					return false;
				for (size_t k = 2; k < 18; k++) {
					int h = mb_hexval(val.s[k]);
					if (h < 0)
						return false;
					sem->mflags = sem->mflags << 4 | (uint64_t)h;
				}
				if (!(sem->mflags >> 52))
					return false; /* letters are written as letters */
			} else {
				for (size_t k = 0; k < val.n; k++) {
					int lb = mb_sem_letter_bit((unsigned char)val.s[k]);
					if (lb < 0 || (sem->mflags >> lb & 1) || (sem->mflags >> lb) > 1)
						return false; /* one letter once, in bit order */
					sem->mflags |= UINT64_C(1) << lb;
				}
			}
		} else if (bit == 8) {
			char m = val.n == 1 ? val.s[0] : 0;
			if ((m >= 'A' && m <= 'Z') || (m >= 'a' && m <= 'z') || (m >= '0' && m <= '9') || m == '+' || m == '-') {
				sem->mode = (uint8_t)val.s[0];
			} else if (val.n == 4 && val.s[0] == '\\' && val.s[1] == 'x' && mb_hexval(val.s[2]) >= 0 &&
				   mb_hexval(val.s[3]) >= 0) {
				sem->mode = (uint8_t)(mb_hexval(val.s[2]) << 4 | mb_hexval(val.s[3]));
			} else {
				return false;
			}
		} else if (bit == 9) {
			if (!num_u64(val, UINT16_MAX, &u))
				return false;
			sem->server = (uint16_t)u;
		} else if (bit == 5 || bit == 6) {
			if (!num_i32(val, bit == 5 ? &sem->vivify_ttl : &sem->recache_ttl))
				return false;
		} else {
			if (!num_u64(val, bit == 7 ? UINT32_MAX : UINT64_MAX, &u))
				return false;
			switch (bit) {
			case 1: sem->delta = u; break;
			case 2: sem->initial = u; break;
			case 3: sem->cas = u; break;
			case 4: sem->new_cas = u; break;
			default: sem->client_flags = (uint32_t)u; break;
			}
		}
		i = e + 1;
		if (e + 1 == f.n)
			return false; /* a trailing comma */
	}
	return sem->has != 0;
}

static int parse_event(struct field *f, unsigned nf, unsigned *kind, uint8_t *payload, uint32_t *len, struct mb_err *err)
{
	struct mb_event ev;
	uint64_t v;
	memset(&ev, 0, sizeof ev);
	if (nf != EVENT_FIELDS && nf != EVENT_FIELDS + 1)
		return mb_err_set(err, MB_ERR, "event line has %u fields, expected %u or %u", nf, EVENT_FIELDS,
				  EVENT_FIELDS + 1);
	if (mb_ts_parse(f[1].s, f[1].n, &ev.ts_ns))
		return bad(err, "ts", f[1]);
	if (!num_u64(f[2], UINT32_MAX, &v))
		return bad(err, "conn", f[2]);
	ev.conn_id = (uint32_t)v;
	const char *slash = memchr(f[3].s, '/', f[3].n);
	if (!slash)
		return bad(err, "proto", f[3]);
	struct field pf = { f[3].s, (size_t)(slash - f[3].s) }, tf = { slash + 1, f[3].n - pf.n - 1 };
	if (!name_or_num(pf, mb_proto_parse, &ev.proto) || !name_or_num(tf, mb_transport_parse, &ev.transport))
		return bad(err, "proto", f[3]);
	if (!name_or_num(f[4], mb_cmd_parse, &ev.cmd))
		return bad(err, "cmd", f[4]);
	if (!name_or_num(f[5], mb_status_parse, &ev.status))
		return bad(err, "status", f[5]);
	if (!num_u64(f[7], UINT16_MAX, &v))
		return bad(err, "key_len", f[7]);
	ev.key_len = (uint16_t)v;
	bool hashed = f[6].n == 17 && f[6].s[0] == '@';
	if (*kind == MB_KIND_NONE)
		*kind = hashed ? MB_KIND_EVENTS_HASHED : MB_KIND_EVENTS_RAW;
	if (*kind == MB_KIND_PACKETS)
		return mb_err_set(err, MB_ERR, "event line in a packet stream");
	uint8_t keybuf[65536];
	if (*kind == MB_KIND_EVENTS_HASHED) {
		if (!hashed)
			return bad(err, "key (a hashed stream needs @ and 16 hex digits)", f[6]);
		for (int i = 1; i < 17; i++) {
			int h = mb_hexval(f[6].s[i]);
			if (h < 0)
				return bad(err, "key", f[6]);
			ev.key_hash = ev.key_hash << 4 | (uint64_t)h;
		}
	} else {
		if (f[6].s[0] == '@')
			return bad(err, "key (a hashed key in a raw-key stream)", f[6]);
		long kl = (f[6].n == 1 && f[6].s[0] == '-') ? 0 : mb_text_unescape(f[6].s, f[6].n, keybuf);
		if (kl < 0 || kl > UINT16_MAX)
			return bad(err, "key", f[6]);
		if ((uint64_t)kl != ev.key_len)
			return mb_err_set(err, MB_ERR, "field key_len %u does not match the key's %ld bytes", ev.key_len, kl);
		ev.key = keybuf;
	}
	if (!num_u64(f[8], UINT32_MAX, &v))
		return bad(err, "value_len", f[8]);
	ev.value_len = (uint32_t)v;
	{
		struct field t = f[9];
		bool neg = t.n > 1 && t.s[0] == '-';
		struct field m = { t.s + neg, t.n - neg };
		if (!num_u64(m, neg ? 2147483648u : INT32_MAX, &v))
			return bad(err, "ttl", t);
		ev.ttl = neg ? (int32_t)(0 - v) : (int32_t)v;
	}
	if (!parse_flags(f[10], &ev.flags))
		return bad(err, "flags", f[10]);
	if (!num_u64(f[11], UINT32_MAX, &v))
		return bad(err, "batch", f[11]);
	ev.batch_id = (uint32_t)v;
	if (!num_u64(f[12], UINT32_MAX, &v))
		return bad(err, "resp_len", f[12]);
	ev.resp_len = (uint32_t)v;
	if (!num_u64(f[13], UINT64_MAX, &ev.latency_ns))
		return bad(err, "latency_ns", f[13]);
	if (nf == EVENT_FIELDS + 1 && !parse_sem(f[14], &ev.sem))
		return bad(err, "sem", f[14]);
	mb_event_encode(payload, &ev, *kind);
	*len = mb_event_payload_len(&ev, *kind);
	return MB_OK;
}

static int parse_packet(struct field *f, unsigned nf, unsigned *kind, uint8_t *payload, uint32_t *len, struct mb_err *err)
{
	uint64_t v;
	if (nf != 7)
		return mb_err_set(err, MB_ERR, "packet line has %u fields, expected 7", nf);
	if (*kind == MB_KIND_NONE)
		*kind = MB_KIND_PACKETS;
	if (*kind != MB_KIND_PACKETS)
		return mb_err_set(err, MB_ERR, "packet line in an event stream");
	uint64_t ts;
	if (mb_ts_parse(f[1].s, f[1].n, &ts))
		return bad(err, "ts", f[1]);
	mb_st_le64(payload, ts);
	if (!num_u64(f[2], UINT32_MAX, &v))
		return bad(err, "linktype", f[2]);
	mb_st_le32(payload + 16, (uint32_t)v);
	uint64_t caplen;
	if (!num_u64(f[3], MB_PACKET_MAX, &caplen))
		return bad(err, "caplen", f[3]);
	mb_st_le32(payload + 8, (uint32_t)caplen);
	if (!num_u64(f[4], UINT32_MAX, &v))
		return bad(err, "wirelen", f[4]);
	mb_st_le32(payload + 12, (uint32_t)v);
	if (!num_u64(f[5], UINT32_MAX, &v))
		return bad(err, "elided", f[5]);
	mb_st_le32(payload + 20, (uint32_t)v);
	long dl = parse_hex(f[6], payload + MB_PACKET_FIXED, MB_PACKET_MAX);
	if (dl < 0)
		return bad(err, "data", f[6]);
	if ((uint64_t)dl != caplen)
		return mb_err_set(err, MB_ERR, "field caplen %llu does not match the data's %ld bytes", (unsigned long long)caplen, dl);
	*len = MB_PACKET_FIXED + (uint32_t)dl;
	return MB_OK;
}

static int parse_server(struct field *f, unsigned nf, unsigned *kind, uint8_t *payload, uint32_t *len, struct mb_err *err)
{
	struct mb_server s;
	uint64_t v;
	if (nf != 3)
		return mb_err_set(err, MB_ERR, "server line has %u fields, expected 3", nf);
	if (*kind == MB_KIND_PACKETS)
		return mb_err_set(err, MB_ERR, "server line in a packet stream");
	memset(&s, 0, sizeof s);
	if (!num_u64(f[1], UINT16_MAX, &v))
		return bad(err, "number", f[1]);
	s.number = (uint16_t)v;
	const char *part = mb_server_parse(f[2].s, f[2].n, &s);
	if (part)
		return bad(err, part, f[2]);
	mb_server_encode(payload, &s);
	*len = MB_SERVER_LEN;
	return MB_OK;
}

static int parse_summary(struct field *f, unsigned nf, uint8_t *payload, uint32_t *len, struct mb_err *err)
{
	if (nf < 2 || f[1].n == 0 || f[1].n > MB_SUMMARY_NAME_MAX)
		return mb_err_set(err, MB_ERR, "summary line needs a program name");
	if (nf - 2 > MB_SUMMARY_MAX)
		return mb_err_set(err, MB_ERR, "summary line has more than %u counters", MB_SUMMARY_MAX);
	size_t n = 0;
	payload[n++] = (uint8_t)f[1].n;
	memcpy(payload + n, f[1].s, f[1].n);
	n += f[1].n;
	mb_st_le16(payload + n, (uint16_t)(nf - 2));
	n += 2;
	for (unsigned i = 2; i < nf; i++) {
		const char *eq = memchr(f[i].s, '=', f[i].n);
		uint64_t v;
		if (!eq || eq == f[i].s || (size_t)(eq - f[i].s) > MB_SUMMARY_NAME_MAX)
			return bad(err, "counter", f[i]);
		struct field vf = { eq + 1, f[i].n - (size_t)(eq - f[i].s) - 1 };
		if (!num_u64(vf, UINT64_MAX, &v))
			return bad(err, "counter", f[i]);
		size_t kl = (size_t)(eq - f[i].s);
		payload[n++] = (uint8_t)kl;
		memcpy(payload + n, f[i].s, kl);
		n += kl;
		mb_st_le64(payload + n, v);
		n += 8;
	}
	*len = (uint32_t)n;
	return MB_OK;
}

static int parse_header(struct field *f, unsigned nf, unsigned *kind, struct mb_stream_info *info, struct mb_err *err)
{
	uint64_t v;
	if (nf < 3 || f[1].n < 9 || memcmp(f[1].s, "version=", 8) || f[2].n < 6 || memcmp(f[2].s, "kind=", 5))
		return mb_err_set(err, MB_ERR, "header line needs version= and kind=");
	struct field vf = { f[1].s + 8, f[1].n - 8 };
	if (!num_u64(vf, UINT16_MAX, &v) || v < MB_STREAM_VERSION_MIN || v > MB_STREAM_VERSION)
		return bad(err, "version", f[1]);
	char kname[32];
	size_t kn = f[2].n - 5 < sizeof kname - 1 ? f[2].n - 5 : sizeof kname - 1;
	memcpy(kname, f[2].s + 5, kn);
	kname[kn] = 0;
	int k = mb_kind_parse(kname);
	if (k < 0)
		return bad(err, "kind", f[2]);
	if (*kind != MB_KIND_NONE && *kind != (unsigned)k)
		return mb_err_set(err, MB_ERR, "header changes the stream kind from %s to %s", mb_kind_name(*kind), kname);
	*kind = (unsigned)k;
	mb_info_init(info, (unsigned)k);
	for (unsigned i = 3; i < nf; i++) {
		const char *eq = memchr(f[i].s, '=', f[i].n);
		if (!eq || eq == f[i].s || (size_t)(eq - f[i].s) > MB_META_KEY_MAX)
			return bad(err, "metadata", f[i]);
		char key[MB_META_KEY_MAX + 1];
		uint8_t val[MB_META_VAL_MAX * 4 + 1];
		size_t kl = (size_t)(eq - f[i].s), vl = f[i].n - kl - 1;
		memcpy(key, f[i].s, kl);
		key[kl] = 0;
		if (vl > MB_META_VAL_MAX * 4)
			return bad(err, "metadata", f[i]);
		long n = mb_text_unescape(eq + 1, vl, val);
		if (n < 0 || n > MB_META_VAL_MAX || memchr(val, 0, (size_t)n))
			return bad(err, "metadata", f[i]);
		val[n] = 0;
		if (mb_info_set(info, key, (const char *)val))
			return bad(err, "metadata", f[i]);
	}
	return MB_OK;
}

int mb_text_parse(const char *line, size_t n, unsigned *kind, struct mb_stream_info *info, uint16_t *type,
		  uint16_t *flags, uint8_t *payload, uint32_t *len, enum mb_text_line *what, struct mb_err *err)
{
	struct field f[MB_SUMMARY_MAX + 3];
	unsigned max = MB_SUMMARY_MAX + 3;
	*what = MB_TL_SKIP;
	unsigned nf = split(line, n, f, max);
	if (nf == 0)
		return MB_OK;
	if (nf > max)
		return mb_err_set(err, MB_ERR, "too many fields (%u)", nf);
	if (f[0].n == 9 && !memcmp(f[0].s, "#membench", 9)) {
		int rc = parse_header(f, nf, kind, info, err);
		if (rc == MB_OK)
			*what = MB_TL_HEADER;
		return rc;
	}
	if (f[0].s[0] == '#')
		return MB_OK;
	*flags = 0;
	int rc;
	if (f[0].n == 2 && !memcmp(f[0].s, "ev", 2)) {
		*type = MB_FRAME_EVENT;
		rc = parse_event(f, nf, kind, payload, len, err);
	} else if (f[0].n == 3 && !memcmp(f[0].s, "pkt", 3)) {
		*type = MB_FRAME_PACKET;
		rc = parse_packet(f, nf, kind, payload, len, err);
	} else if (f[0].n == 3 && !memcmp(f[0].s, "sum", 3)) {
		*type = MB_FRAME_SUMMARY;
		rc = parse_summary(f, nf, payload, len, err);
	} else if (f[0].n == 6 && !memcmp(f[0].s, "server", 6)) {
		*type = MB_FRAME_SERVER;
		rc = parse_server(f, nf, kind, payload, len, err);
	} else if (f[0].n == 5 && !memcmp(f[0].s, "frame", 5)) {
		uint64_t t, fl;
		if (nf != 4)
			return mb_err_set(err, MB_ERR, "frame line has %u fields, expected 4", nf);
		if (!num_u64(f[1], UINT16_MAX, &t) || t == 0 || t == MB_FRAME_HEADER_MARK)
			return bad(err, "type", f[1]);
		if (!num_u64(f[2], UINT16_MAX, &fl))
			return bad(err, "flags", f[2]);
		long pl = parse_hex(f[3], payload, MB_FRAME_MAX);
		if (pl < 0)
			return bad(err, "payload", f[3]);
		*type = (uint16_t)t;
		*flags = (uint16_t)fl;
		*len = (uint32_t)pl;
		rc = MB_OK;
	} else {
		return mb_err_set(err, MB_ERR, "unknown line type: '%.*s'", (int)(f[0].n > 40 ? 40 : f[0].n), f[0].s);
	}
	if (rc == MB_OK)
		*what = MB_TL_FRAME;
	return rc;
}
