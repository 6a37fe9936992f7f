/* mc_text.c - classic memcached text protocol decoder: request lines and response lines. */
#include <string.h>

#include "event.h"
#include "mcproto.h"
#include "mcstatus.h"

/* A token of a line. */
struct tok {
	const uint8_t *p;
	uint32_t n;
};

/* Find the end of the line starting at p: its length without CR/LF, and the total with them. */
static int line_end(const uint8_t *p, size_t n, size_t *linelen, size_t *total)
{
	size_t lim = n < MC_LINE_MAX ? n : MC_LINE_MAX;
	const uint8_t *nl = memchr(p, '\n', lim);
	if (!nl)
		return n >= MC_LINE_MAX ? MC_INVALID : MC_NEED_MORE;
	size_t l = (size_t)(nl - p);
	*total = l + 1;
	if (l > 0 && p[l - 1] == '\r')
		l--;
	*linelen = l;
	return MC_OK;
}

/* Split a line on spaces (empty tokens skipped like memcached's tokenizer); returns the count (capped). */
static unsigned tokenize(const uint8_t *p, size_t n, struct tok *t, unsigned max, unsigned *over)
{
	unsigned k = 0;
	size_t i = 0;
	*over = 0;
	while (i < n) {
		while (i < n && p[i] == ' ')
			i++;
		if (i >= n)
			break;
		size_t s = i;
		const uint8_t *sp = memchr(p + i, ' ', n - i);
		i = sp ? (size_t)(sp - p) : n;
		if (k < max) {
			t[k].p = p + s;
			t[k].n = (uint32_t)(i - s);
			k++;
		} else {
			(*over)++;
		}
	}
	return k;
}

static bool tok_is(const struct tok *t, const char *s)
{
	size_t n = strlen(s);
	return t->n == n && memcmp(t->p, s, n) == 0;
}

bool mc_parse_u64(const uint8_t *p, size_t n, uint64_t max, uint64_t *v)
{
	if (n == 0 || n > 20)
		return false;
	uint64_t r = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		uint64_t d = (uint64_t)(p[i] - '0');
		if (r > (UINT64_MAX - d) / 10)
			return false;
		r = r * 10 + d;
	}
	if (r > max)
		return false;
	*v = r;
	return true;
}

bool mc_parse_i64(const uint8_t *p, size_t n, int64_t *v)
{
	bool neg = n > 0 && p[0] == '-';
	uint64_t u;
	if (!mc_parse_u64(p + neg, n - neg, (uint64_t)INT64_MAX, &u))
		return false;
	*v = neg ? -(int64_t)u : (int64_t)u;
	return true;
}

/* Clamp an exptime to the event's int32. */
static int32_t ttl_clamp(int64_t v)
{
	return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

static bool is_cspace(uint8_t c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/*
 * A number token as memcached's safe_strto* read it (strtol/strtoul, base 10):
 * leading whitespace (a token may start with a tab), an optional sign, at least
 * one digit, then the token's end or whitespace followed by anything ("2\t"
 * and "2\r" are 2). Magnitude in *mag (false on overflow), sign in *neg.
 */
static bool num_tok(const struct tok *t, uint64_t *mag, bool *neg)
{
	size_t i = 0, n = t->n;
	while (i < n && is_cspace(t->p[i]))
		i++;
	*neg = false;
	if (i < n && (t->p[i] == '+' || t->p[i] == '-'))
		*neg = t->p[i++] == '-';
	size_t d = i;
	uint64_t r = 0;
	while (i < n && t->p[i] >= '0' && t->p[i] <= '9') {
		uint64_t v = (uint64_t)(t->p[i++] - '0');
		if (r > (UINT64_MAX - v) / 10)
			return false;
		r = r * 10 + v;
	}
	if (i == d || (i < n && !is_cspace(t->p[i])))
		return false;
	*mag = r;
	return true;
}

/* safe_strtoul/safe_strtoull: unsigned; a minus sign only on zero. */
static bool num_u(const struct tok *t, uint64_t *v)
{
	bool neg;
	if (!num_tok(t, v, &neg) || (neg && *v != 0))
		return false;
	return true;
}

/* safe_strtol: a signed long (64 bits), which memcached then keeps as an int32. */
static bool num_l(const struct tok *t, int64_t *v)
{
	uint64_t m;
	bool neg;
	if (!num_tok(t, &m, &neg) || m > (uint64_t)INT64_MAX + neg)
		return false;
	*v = neg ? (int64_t)(0 - m) : (int64_t)m;
	return true;
}

bool mc_parse_strtol(const uint8_t *p, size_t n, int64_t *v)
{
	struct tok t = { p, (uint32_t)n };
	return num_l(&t, v);
}

bool mc_parse_strtoul(const uint8_t *p, size_t n, uint64_t *v)
{
	struct tok t = { p, (uint32_t)n };
	return num_u(&t, v);
}

/* Set key i of rq from a token (cut at MC_KEY_MAX). */
static void set_key(struct mc_req *rq, unsigned i, const struct tok *t)
{
	rq->keys[i].p = t->p;
	rq->keys[i].cut = t->n > MC_KEY_MAX;
	rq->keys[i].len = (uint16_t)(t->n > MC_KEY_MAX ? MC_KEY_MAX : t->n);
}

/* get/gets/gat/gats: keys from token `first` on. */
static void parse_retrieval(struct mc_req *rq, struct tok *t, unsigned nt, unsigned first, unsigned over)
{
	rq->expect = MC_EXP_VALUES;
	rq->flags |= MB_EF_WANT_VALUE;
	if (rq->cmd == MB_CMD_GETS || rq->cmd == MB_CMD_GATS)
		rq->flags |= MB_EF_WANT_CAS;
	if (nt <= first) {
		rq->malformed = true;
		rq->expect = MC_EXP_LINE;
		return;
	}
	unsigned n = nt - first;
	if (n > MC_KEYS_MAX) {
		over += n - MC_KEYS_MAX;
		n = MC_KEYS_MAX;
	}
	for (unsigned i = 0; i < n; i++)
		set_key(rq, i, &t[first + i]);
	rq->nkeys = n;
	rq->keys_over = over;
}

/* gat/gats <exptime> <key>*: a bad exptime makes memcached answer CLIENT_ERROR. */
static void parse_gat(struct mc_req *rq, struct tok *t, unsigned nt, unsigned over)
{
	int64_t e;
	bool ok = nt >= 2 && num_l(&t[1], &e);
	parse_retrieval(rq, t, nt, 2, over);
	if (ok) {
		rq->ttl = ttl_clamp(e);
	} else {
		rq->malformed = true;
		rq->expect = MC_EXP_LINE;
		rq->nkeys = 0;
		rq->keys_over = 0;
	}
}

/*
 * memcached's set_noreply_maybe: the last token is "noreply". Once set, it
 * silences the command's errors (CLIENT_ERROR included), not only its success.
 */
static void noreply_maybe(struct mc_req *rq, const struct tok *t, unsigned nt)
{
	if (nt > 0 && tok_is(&t[nt - 1], "noreply")) {
		rq->flags |= MB_EF_NOREPLY;
		rq->expect = MC_EXP_NONE;
	}
}

/* A command memcached refuses (ERROR, or CLIENT_ERROR unless noreply was seen): nothing is read after the line. */
static void refuse(struct mc_req *rq)
{
	rq->malformed = true;
	rq->skip = 0;
	rq->value_len = 0;
}

/*
 * set/add/replace/append/prepend <key> <flags> <exptime> <bytes> [noreply|anything]
 * cas <key> <flags> <exptime> <bytes> <cas> [noreply|anything]
 * (memcached 1.6 ignores an extra last token that is not noreply).
 */
static void parse_storage(struct mc_req *rq, struct tok *t, unsigned nt)
{
	unsigned min = rq->cmd == MB_CMD_CAS ? 6 : 5;
	if (nt >= 2) {
		set_key(rq, 0, &t[1]);
		rq->nkeys = 1;
	}
	if (nt != min && nt != min + 1) {
		refuse(rq); /* a token count out of range is ERROR, before noreply is looked at: the value is read as a command */
		return;
	}
	noreply_maybe(rq, t, nt);
	uint64_t fl, cas = 0;
	int64_t exp, bytes;
	if (t[1].n > MC_KEY_MAX || !num_u(&t[2], &fl) || !num_l(&t[3], &exp) || !num_l(&t[4], &bytes) ||
	    (min == 6 && !num_u(&t[5], &cas))) {
		refuse(rq); /* CLIENT_ERROR bad command line format: the value is read as a command */
		return;
	}
	int32_t vlen = (int32_t)(uint32_t)(uint64_t)bytes; /* memcached keeps an int32 */
	if (vlen < 0 || vlen > INT32_MAX - 2) {
		refuse(rq);
		return;
	}
	rq->ttl = ttl_clamp(exp);
	rq->value_len = (uint32_t)vlen;
	if (fl) {
		rq->sem.has |= MB_SEM_CLIENT_FLAGS;
		rq->sem.client_flags = (uint32_t)fl;
	}
	if (min == 6) {
		rq->sem.has |= MB_SEM_CAS;
		rq->sem.cas = cas;
	}
	rq->skip = (uint32_t)vlen + 2; /* read (or swallowed after SERVER_ERROR object too large) */
}

/* delete <key> [0] [noreply], incr/decr <key> <delta> [noreply|anything], touch <key> <exptime> [noreply|anything] */
static void parse_keyed(struct mc_req *rq, struct tok *t, unsigned nt)
{
	bool del = rq->cmd == MB_CMD_DELETE;
	if (nt >= 2) {
		set_key(rq, 0, &t[1]);
		rq->nkeys = 1;
	}
	if (del ? nt < 2 || nt > 4 : nt != 3 && nt != 4) {
		refuse(rq); /* ERROR (noreply not looked at) */
		return;
	}
	bool ok = t[1].n <= MC_KEY_MAX;
	if (del) {
		if (nt > 2) {
			noreply_maybe(rq, t, nt);
			bool zero = tok_is(&t[2], "0"), nr = (rq->flags & MB_EF_NOREPLY) != 0;
			ok = ok && ((nt == 3 && (zero || nr)) || (nt == 4 && zero && nr));
		}
	} else {
		noreply_maybe(rq, t, nt);
		uint64_t u;
		int64_t e;
		if (rq->cmd == MB_CMD_TOUCH) {
			ok = ok && num_l(&t[2], &e);
			rq->ttl = ok ? ttl_clamp(e) : 0;
		} else {
			ok = ok && num_u(&t[2], &u);
			if (ok) {
				rq->sem.has |= MB_SEM_DELTA;
				rq->sem.delta = u;
			}
		}
	}
	if (!ok)
		refuse(rq); /* CLIENT_ERROR, silenced by noreply */
}

/* flush_all [delay] [noreply], verbosity <level> [noreply]: token counts memcached accepts. */
static void parse_admin_noreply(struct mc_req *rq, struct tok *t, unsigned nt, unsigned min, unsigned max)
{
	if (nt < min || nt > max) {
		refuse(rq); /* ERROR (noreply not looked at) */
		return;
	}
	noreply_maybe(rq, t, nt);
}

/* Administrative command words answered with a line (or lines, see below). */
static const char *const admin_words[] = {
	"slabs", "lru", "lru_crawler", "watch", "shutdown", "cache_memlimit", "misbehave",
	"debugtime", "extstore", "refresh_certs", "stats_reset", NULL,
};

/* Reset the fields of a get/gets/gat/gats request. */
static void get_init(struct mc_req *rq, uint8_t cmd)
{
	mc_req_start(rq, MB_PROTO_TEXT, 0); /* get_keys sets hdr_len */
	rq->cmd = cmd;
	rq->expect = MC_EXP_VALUES;
	rq->flags = MB_EF_WANT_VALUE | (cmd == MB_CMD_GETS || cmd == MB_CMD_GATS ? MB_EF_WANT_CAS : 0);
}

/*
 * Keys of a get/gets/gat/gats line from p + i on: up to MC_KEYS_MAX of them, then a
 * partial request (hdr_len = bytes consumed) when the line goes on or the
 * bytes end before it does. `first`: the line's first message (it needs one
 * key at least; later pieces may consume spaces only).
 */
static int get_keys(const uint8_t *p, size_t n, size_t i, bool first, struct mc_req *rq)
{
	for (;;) {
		while (i < n && p[i] == ' ')
			i++;
		if (i < n && p[i] == '\n') {
			rq->hdr_len = (uint32_t)(i + 1);
			break;
		}
		if (i + 1 < n && p[i] == '\r' && p[i + 1] == '\n') {
			rq->hdr_len = (uint32_t)(i + 2);
			break;
		}
		size_t j = i;
		while (j < n && p[j] != ' ' && p[j] != '\n' && !(p[j] == '\r' && (j + 1 >= n || p[j + 1] == '\n')))
			j++;
		if (j >= n || (p[j] == '\r' && j + 1 >= n)) {
			/* the bytes end inside a key or before the line end */
			if (rq->nkeys || (!first && i > 0)) {
				rq->hdr_len = (uint32_t)i;
				rq->partial = true;
				return MC_OK;
			}
			return (n - i > MC_KEY_MAX + 2 || n >= MC_LINE_MAX) ? MC_INVALID : MC_NEED_MORE;
		}
		struct mc_key *k = &rq->keys[rq->nkeys++];
		k->p = p + i;
		k->cut = j - i > MC_KEY_MAX;
		k->len = (uint16_t)(j - i > MC_KEY_MAX ? MC_KEY_MAX : j - i);
		i = j;
		if (rq->nkeys == MC_KEYS_MAX) {
			size_t e = i;
			while (e < n && p[e] == ' ')
				e++;
			if (e < n && p[e] == '\n') {
				rq->hdr_len = (uint32_t)(e + 1);
			} else if (e + 1 < n && p[e] == '\r' && p[e + 1] == '\n') {
				rq->hdr_len = (uint32_t)(e + 2);
			} else {
				rq->hdr_len = (uint32_t)i;
				rq->partial = true;
			}
			return MC_OK;
		}
	}
	if (first && rq->nkeys == 0) {
		rq->malformed = true; /* "get" without keys: memcached answers ERROR */
		rq->expect = MC_EXP_LINE;
	}
	return MC_OK;
}

int mc_text_getcont(const uint8_t *p, size_t n, uint8_t cmd, struct mc_req *rq)
{
	get_init(rq, cmd);
	return get_keys(p, n, 0, false, rq);
}

int mc_text_req(const uint8_t *p, size_t n, struct mc_req *rq)
{
	size_t ll, total;
	size_t w = n >= 4 && memcmp(p, "get ", 4) == 0 ? 4 : n >= 5 && memcmp(p, "gets ", 5) == 0 ? 5 : 0;
	if (w) {
		/* get lines may be longer than any buffer: keys are taken as they come */
		if (n < MC_LINE_MAX && !memchr(p, '\n', n))
			return MC_NEED_MORE;
		get_init(rq, w == 4 ? MB_CMD_GET : MB_CMD_GETS);
		return get_keys(p, n, w, true, rq);
	}
	w = n >= 4 && memcmp(p, "gat ", 4) == 0 ? 4 : n >= 5 && memcmp(p, "gats ", 5) == 0 ? 5 : 0;
	if (w) {
		/* gat/gats <exptime> <key>*: keys taken as they come like get's once the exptime is read */
		if (n < MC_LINE_MAX && !memchr(p, '\n', n))
			return MC_NEED_MORE;
		size_t i = w, j;
		while (i < n && p[i] == ' ')
			i++;
		for (j = i; j < n && p[j] != ' ' && p[j] != '\n';)
			j++;
		struct tok e = { p + i, (uint32_t)(j - i) };
		int64_t ttl;
		if (j < n && p[j] == ' ' && num_l(&e, &ttl)) {
			get_init(rq, w == 4 ? MB_CMD_GAT : MB_CMD_GATS);
			rq->ttl = ttl_clamp(ttl);
			return get_keys(p, n, j, true, rq);
		}
		/* no key or a bad exptime: one line, decoded below */
	}
	int rc = line_end(p, n, &ll, &total);
	if (rc != MC_OK)
		return rc;
	if (ll >= 2 && p[0] == 'm' && p[1] >= 'a' && p[1] <= 'z' && (ll == 2 || p[2] == ' '))
		return mc_meta_req(p, ll, total, rq);
	mc_req_start(rq, MB_PROTO_TEXT, (uint32_t)total);
	struct tok t[MC_TOKENS_MAX];
	unsigned over;
	unsigned nt = tokenize(p, ll, t, MC_TOKENS_MAX, &over);
	if (nt == 0)
		return MC_OK; /* empty line: memcached answers ERROR */
	const struct tok *c = &t[0];
	switch (c->n) {
	case 3:
		if (tok_is(c, "get")) {
			rq->cmd = MB_CMD_GET;
			parse_retrieval(rq, t, nt, 1, over);
		} else if (tok_is(c, "set") || tok_is(c, "add") || tok_is(c, "cas")) {
			rq->cmd = c->p[0] == 's' ? MB_CMD_SET : c->p[0] == 'a' ? MB_CMD_ADD : MB_CMD_CAS;
			parse_storage(rq, t, nt);
		} else if (tok_is(c, "gat")) {
			rq->cmd = MB_CMD_GAT;
			parse_gat(rq, t, nt, over);
		} else if (tok_is(c, "lru")) {
			rq->cmd = MB_CMD_ADMIN;
		}
		break;
	case 4:
		if (tok_is(c, "gets")) {
			rq->cmd = MB_CMD_GETS;
			parse_retrieval(rq, t, nt, 1, over);
		} else if (tok_is(c, "gats")) {
			rq->cmd = MB_CMD_GATS;
			parse_gat(rq, t, nt, over);
		} else if (tok_is(c, "incr") || tok_is(c, "decr")) {
			rq->cmd = c->p[0] == 'i' ? MB_CMD_INCR : MB_CMD_DECR;
			parse_keyed(rq, t, nt);
		} else if (tok_is(c, "quit")) {
			rq->cmd = MB_CMD_QUIT;
			rq->expect = MC_EXP_NONE;
		}
		break;
	case 5:
		if (tok_is(c, "touch")) {
			rq->cmd = MB_CMD_TOUCH;
			parse_keyed(rq, t, nt);
		} else if (tok_is(c, "stats")) {
			rq->cmd = MB_CMD_STATS;
			rq->expect = MC_EXP_MULTI;
		} else if (tok_is(c, "slabs") || tok_is(c, "watch")) {
			rq->cmd = MB_CMD_ADMIN;
		}
		break;
	case 6:
		if (tok_is(c, "delete")) {
			rq->cmd = MB_CMD_DELETE;
			parse_keyed(rq, t, nt);
		} else if (tok_is(c, "append")) {
			rq->cmd = MB_CMD_APPEND;
			parse_storage(rq, t, nt);
		}
		break;
	case 7:
		if (tok_is(c, "replace") || tok_is(c, "prepend")) {
			rq->cmd = c->p[0] == 'r' ? MB_CMD_REPLACE : MB_CMD_PREPEND;
			parse_storage(rq, t, nt);
		} else if (tok_is(c, "version")) {
			rq->cmd = MB_CMD_VERSION;
		}
		break;
	case 9:
		if (tok_is(c, "flush_all")) {
			rq->cmd = MB_CMD_FLUSH_ALL;
			parse_admin_noreply(rq, t, nt, 1, 3);
		} else if (tok_is(c, "verbosity")) {
			rq->cmd = MB_CMD_VERBOSITY;
			parse_admin_noreply(rq, t, nt, 2, 3);
		}
		break;
	default:
		break;
	}
	if (rq->cmd == MB_CMD_UNKNOWN) {
		for (const char *const *w = admin_words; *w; w++) {
			if (tok_is(c, *w)) {
				rq->cmd = MB_CMD_ADMIN;
				break;
			}
		}
	}
	if (rq->cmd == MB_CMD_ADMIN && (tok_is(c, "lru_crawler") && nt >= 2 &&
					(tok_is(&t[1], "metadump") || tok_is(&t[1], "mgdump"))))
		rq->expect = MC_EXP_MULTI;
	return MC_OK;
}

/* Classic response words; their statuses come from the one table (common/mcstatus.c). */
static const struct {
	const char *w;
	uint8_t wire;
} status_words[] = {
	{ "STORED", MB_W_STORED }, { "NOT_STORED", MB_W_NOT_STORED }, { "EXISTS", MB_W_EXISTS },
	{ "NOT_FOUND", MB_W_NOT_FOUND }, { "DELETED", MB_W_DELETED }, { "TOUCHED", MB_W_TOUCHED },
	{ "OK", MB_W_OK }, { "RESET", MB_W_OK }, { "ERROR", MB_W_ERROR },
	{ "CLIENT_ERROR", MB_W_CLIENT_ERROR }, { "SERVER_ERROR", MB_W_SERVER_ERROR }, { "VERSION", MB_W_VERSION },
	{ "BUSY", MB_W_SLABS_BUSY }, { "BADCLASS", MB_W_SLABS_BAD }, { "NOSPARE", MB_W_SLABS_BUSY },
	{ "NOTFULL", MB_W_SLABS_BUSY }, { "UNSAFE", MB_W_SLABS_BUSY }, { "SAME", MB_W_SLABS_BAD },
};

/* Error messages that only one kind of request can cause (memcached 1.6 wording). */
static const struct {
	const char *msg;
	uint8_t kind;
} err_msgs[] = {
	{ "CLIENT_ERROR cannot increment or decrement non-numeric value", MC_E_ARITH },
	{ "CLIENT_ERROR bad data chunk", MC_E_STORE },
	{ "SERVER_ERROR object too large for cache", MC_E_STORE },
	{ "SERVER_ERROR out of memory storing object", MC_E_STORE },
};

static uint8_t err_kind(const uint8_t *p, size_t ll)
{
	for (size_t i = 0; i < sizeof err_msgs / sizeof err_msgs[0]; i++) {
		size_t k = strlen(err_msgs[i].msg);
		if (ll == k && memcmp(p, err_msgs[i].msg, k) == 0)
			return err_msgs[i].kind;
	}
	return MC_E_OTHER;
}

int mc_text_resp(const uint8_t *p, size_t n, struct mc_resp *rs)
{
	size_t ll, total;
	int rc = line_end(p, n, &ll, &total);
	if (rc != MC_OK)
		return rc;
	memset(rs, 0, sizeof *rs);
	rs->hdr_len = (uint32_t)total;
	if (ll >= 2 && p[0] >= 'A' && p[0] <= 'Z' && p[1] >= 'A' && p[1] <= 'Z' && (ll == 2 || p[2] == ' ') &&
	    (p[0] != 'O' || p[1] != 'K')) {
		if (mc_meta_resp(p, ll, total, rs) == MC_OK)
			return MC_OK;
		if (p[0] == 'V' && p[1] == 'A')
			return MC_INVALID; /* a VA line without a size: the body cannot be framed */
		memset(rs, 0, sizeof *rs);
		rs->hdr_len = (uint32_t)total;
	}
	size_t w = 0;
	while (w < ll && p[w] != ' ')
		w++;
	if (w == 5 && memcmp(p, "VALUE", 5) == 0) {
		struct tok t[6];
		unsigned over;
		unsigned nt = tokenize(p, ll, t, 6, &over);
		uint64_t fl, bytes, cas = 0;
		if ((nt != 4 && nt != 5) || over || !mc_parse_u64(t[2].p, t[2].n, UINT32_MAX, &fl) ||
		    !mc_parse_u64(t[3].p, t[3].n, MC_VALUE_MAX, &bytes) ||
		    (nt == 5 && !mc_parse_u64(t[4].p, t[4].n, UINT64_MAX, &cas)))
			return MC_INVALID; /* a VALUE line we cannot frame: the body length is unknown */
		rs->kind = MC_R_VALUE;
		rs->status = MB_ST_HIT;
		rs->key = t[1].p;
		rs->key_len = (uint16_t)(t[1].n > MC_KEY_MAX ? MC_KEY_MAX : t[1].n);
		rs->value_len = (uint32_t)bytes;
		rs->skip = (uint32_t)bytes + 2;
		return MC_OK;
	}
	if (w == 3 && memcmp(p, "END", 3) == 0 && ll == 3) {
		rs->kind = MC_R_END;
		return MC_OK;
	}
	for (size_t i = 0; i < sizeof status_words / sizeof status_words[0]; i++) {
		size_t k = strlen(status_words[i].w);
		if (w == k && memcmp(p, status_words[i].w, k) == 0) {
			rs->kind = MC_R_STATUS;
			rs->status = (uint8_t)mb_status_map(MB_PROTO_TEXT, MB_CMD_UNKNOWN, status_words[i].wire);
			rs->err = err_kind(p, ll);
			return MC_OK;
		}
	}
	uint64_t v;
	if (w == ll && mc_parse_u64(p, ll, UINT64_MAX, &v)) {
		rs->kind = MC_R_NUMBER;
		rs->status = MB_ST_HIT;
		return MC_OK;
	}
	rs->kind = MC_R_DATA;
	return MC_OK;
}

/* Command words a resynchronizing request stream may start at. */
static const char *const req_words[] = {
	"get ", "gets ", "gat ", "gats ", "set ", "add ", "replace ", "append ", "prepend ", "cas ",
	"delete ", "incr ", "decr ", "touch ", "flush_all", "version", "stats", "verbosity ", "quit",
	"mg ", "ms ", "md ", "ma ", "mn\r", "mn\n", "me ", NULL,
};
/* Response words a resynchronizing response stream may start at. */
static const char *const resp_words[] = {
	"VALUE ", "END\r", "STORED\r", "NOT_STORED\r", "EXISTS\r", "NOT_FOUND\r", "DELETED\r", "TOUCHED\r",
	"OK\r", "ERROR", "CLIENT_ERROR ", "SERVER_ERROR ", "VERSION ", "STAT ", "HD", "VA ", "EN\r", "NF", "NS",
	"EX", "MN\r", NULL,
};

/* Binary header sanity: magic, known opcode range, lengths that fit the body. */
static bool bin_plausible(const uint8_t *p, size_t n, uint8_t magic)
{
	if (n < MC_BIN_HDR || p[0] != magic || p[5] != 0)
		return false;
	uint32_t keylen = (uint32_t)p[2] << 8 | p[3];
	uint32_t body = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 | (uint32_t)p[10] << 8 | p[11];
	return p[1] <= 0x24 && keylen + p[4] <= body && keylen <= MC_KEY_MAX && body <= MC_VALUE_MAX;
}

static bool starts_word(const uint8_t *p, size_t n, const char *const *words)
{
	for (const char *const *w = words; *w; w++) {
		size_t k = strlen(*w);
		if (n >= k && memcmp(p, *w, k) == 0)
			return true;
	}
	return false;
}

bool mc_plausible_req(const uint8_t *p, size_t n)
{
	if (n > 0 && p[0] == 0x80)
		return bin_plausible(p, n, 0x80);
	return starts_word(p, n, req_words);
}

bool mc_plausible_resp(const uint8_t *p, size_t n)
{
	if (n > 0 && p[0] == 0x81)
		return bin_plausible(p, n, 0x81);
	size_t d = 0;
	while (d < n && d < 20 && p[d] >= '0' && p[d] <= '9')
		d++;
	if (d > 0 && n - d >= 2 && p[d] == '\r' && p[d + 1] == '\n')
		return true; /* an incr/decr result */
	return starts_word(p, n, resp_words);
}
