/* mc_meta.c - memcached meta protocol decoder: mg/ms/md/ma/mn/me requests and HD/VA/EN/... responses. */
#include <string.h>

#include "base64.h"
#include "event.h"
#include "mcproto.h"

#define META_KEY_WIRE_MAX 512 /* a base64 key of MC_KEY_MAX bytes takes 336; longer is refused */
#define META_FLAGS "bcfhklqstuvCDFIJLMNOPRT" /* the flag letters memcached 1.6.18 accepts */

/* Next space-separated token of [*i, n); false at the end. */
static bool next_tok(const uint8_t *p, size_t n, size_t *i, const uint8_t **tp, size_t *tn)
{
	while (*i < n && p[*i] == ' ')
		(*i)++;
	if (*i >= n)
		return false;
	size_t s = *i;
	const uint8_t *sp = memchr(p + s, ' ', n - s);
	*i = sp ? (size_t)(sp - p) : n;
	*tp = p + s;
	*tn = *i - s;
	return true;
}

/* Meta flag letters a replay sends again (memcached 1.6 proto_text.c): flags, then flags with a token. */
static const char sem_letters[] = "bcfhklqstuvxI" "CDEFJMNORT";

/* Record token tp (a flag letter and its argument) in sem; false when its number does not parse. */
static bool sem_record(struct mb_sem *sem, const uint8_t *tp, size_t tn)
{
	if (!memchr(sem_letters, tp[0], sizeof sem_letters - 1))
		return true;
	sem->mflags |= UINT64_C(1) << mb_sem_letter_bit(tp[0]);
	uint64_t u;
	int64_t v;
	bool ok = true;
	switch (tp[0]) {
	case 'C': case 'D': case 'E': case 'J':
		ok = mc_parse_u64(tp + 1, tn - 1, UINT64_MAX, &u);
		if (ok) {
			uint16_t bit = tp[0] == 'C' ? MB_SEM_CAS : tp[0] == 'D' ? MB_SEM_DELTA :
				       tp[0] == 'E' ? MB_SEM_NEW_CAS : MB_SEM_INITIAL;
			sem->has |= bit;
			*(tp[0] == 'C' ? &sem->cas : tp[0] == 'D' ? &sem->delta : tp[0] == 'E' ? &sem->new_cas :
			  &sem->initial) = u;
		}
		break;
	case 'F':
		ok = mc_parse_u64(tp + 1, tn - 1, UINT32_MAX, &u);
		if (ok) {
			sem->has |= MB_SEM_CLIENT_FLAGS;
			sem->client_flags = (uint32_t)u;
		}
		break;
	case 'N': case 'R':
		ok = mc_parse_i64(tp + 1, tn - 1, &v) && v >= INT32_MIN && v <= INT32_MAX;
		if (ok) {
			sem->has |= tp[0] == 'N' ? MB_SEM_VIVIFY : MB_SEM_RECACHE;
			*(tp[0] == 'N' ? &sem->vivify_ttl : &sem->recache_ttl) = (int32_t)v;
		}
		break;
	case 'M':
		ok = tn == 2;
		if (ok) {
			sem->has |= MB_SEM_MODE;
			sem->mode = tp[1];
		}
		break;
	default:
		break;
	}
	return ok;
}

static int32_t ttl_tok(const uint8_t *p, size_t n, bool *ok)
{
	int64_t v;
	if (!mc_parse_strtol(p, n, &v)) {
		*ok = false;
		return 0;
	}
	return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

int mc_meta_req(const uint8_t *p, size_t ll, size_t total, struct mc_req *rq)
{
	mc_req_start(rq, MB_PROTO_META, (uint32_t)total);
	switch (p[1]) {
	case 'g': rq->cmd = MB_CMD_GET; break;
	case 's': rq->cmd = MB_CMD_SET; break;
	case 'd': rq->cmd = MB_CMD_DELETE; break;
	case 'a': rq->cmd = MB_CMD_INCR; break;
	case 'n': rq->cmd = MB_CMD_NOOP; break;
	case 'e': rq->cmd = MB_CMD_DEBUG; break;
	default:
		rq->cmd = MB_CMD_UNKNOWN; /* memcached answers ERROR */
		return MC_OK;
	}
	if (rq->cmd == MB_CMD_NOOP)
		return MC_OK;
	size_t i = 2;
	const uint8_t *kp, *tp;
	size_t kn, tn;
	if (!next_tok(p, ll, &i, &kp, &kn) || kn > META_KEY_WIRE_MAX) {
		rq->malformed = true;
		return MC_OK;
	}
	bool ok = true, b64 = false, have_mode = false, cas_cmp = false, have_ttl = false;
	uint8_t mode = 0;
	if (kn > MC_KEY_MAX && rq->cmd != MB_CMD_DEBUG) {
		/* memcached checks the key token (base64 or not) first: CLIENT_ERROR, an ms value is not read */
		rq->malformed = true;
		rq->keys[0].p = kp;
		rq->keys[0].cut = true;
		rq->keys[0].len = MC_KEY_MAX;
		rq->nkeys = 1;
		return MC_OK;
	}
	if (rq->cmd == MB_CMD_SET) {
		int64_t dl;
		/* memcached: safe_strtol, 0 to INT_MAX - 2, else CLIENT_ERROR bad data chunk (the value is not read) */
		if (!next_tok(p, ll, &i, &tp, &tn) || !mc_parse_strtol(tp, tn, &dl) || dl < 0 || dl > INT32_MAX - 2) {
			rq->malformed = true;
			rq->keys[0].p = kp;
			rq->keys[0].cut = kn > MC_KEY_MAX;
			rq->keys[0].len = (uint16_t)(kn > MC_KEY_MAX ? MC_KEY_MAX : kn);
			rq->nkeys = 1;
			return MC_OK;
		}
		rq->value_len = (uint32_t)dl;
		rq->skip = (uint32_t)dl + 2;
	}
	if (rq->cmd == MB_CMD_DEBUG)
		goto key;
	rq->sem.has = MB_SEM_META;
	uint64_t seen = 0, u;
	int64_t sv;
	while (next_tok(p, ll, &i, &tp, &tn)) {
		/* memcached 1.6.18 (checked live): these flag letters for every meta command; any other, or one twice, is CLIENT_ERROR */
		const char *f = strchr(META_FLAGS, tp[0]);
		if (tp[0] == 0 || !f || (seen >> (f - META_FLAGS) & 1)) {
			ok = false;
			continue;
		}
		seen |= UINT64_C(1) << (f - META_FLAGS);
		sem_record(&rq->sem, tp, tn);
		switch (tp[0]) {
		case 'b': b64 = true; break;
		case 'q': rq->flags |= MB_EF_NOREPLY; break;
		case 'v': rq->flags |= MB_EF_WANT_VALUE; break;
		case 'c': rq->flags |= MB_EF_WANT_CAS; break;
		case 'I': rq->flags |= MB_EF_INVALIDATE; break;
		case 'C':
			cas_cmp = true;
			rq->cas_cmp = true;
			ok = ok && (rq->cmd == MB_CMD_GET || mc_parse_strtoul(tp + 1, tn - 1, &u));
			break;
		case 'F':
			ok = ok && (rq->cmd != MB_CMD_SET || mc_parse_strtoul(tp + 1, tn - 1, &u));
			break;
		case 'J': case 'D':
			ok = ok && (rq->cmd != MB_CMD_INCR || mc_parse_strtoul(tp + 1, tn - 1, &u));
			break;
		case 'R':
			ok = ok && mc_parse_strtol(tp + 1, tn - 1, &sv);
			break;
		case 'k': rq->want_key = true; break;
		case 'N':
			rq->flags |= MB_EF_VIVIFY;
			if (!have_ttl)
				rq->ttl = ttl_tok(tp + 1, tn - 1, &ok);
			break;
		case 'T':
			have_ttl = true;
			rq->ttl = ttl_tok(tp + 1, tn - 1, &ok);
			if (rq->cmd == MB_CMD_GET)
				rq->cmd = MB_CMD_GAT;
			break;
		case 'O':
			if (tn > MC_OPAQUE_MAX) { /* the whole token, O included: at most 32 bytes */
				ok = false;
				break;
			}
			rq->has_opaque = true;
			rq->flags |= MB_EF_OPAQUE;
			rq->opq_len = (uint8_t)(tn - 1);
			memcpy(rq->opq, tp + 1, tn - 1);
			break;
		case 'M':
			have_mode = true;
			mode = tn >= 2 ? tp[1] : 0;
			break;
		default:
			break;
		}
	}
	if (have_mode && rq->cmd == MB_CMD_SET) {
		switch (mode) {
		case 'S': case 's': rq->cmd = MB_CMD_SET; break;
		case 'E': case 'e': rq->cmd = MB_CMD_ADD; break;
		case 'A': case 'a': rq->cmd = MB_CMD_APPEND; break;
		case 'P': case 'p': rq->cmd = MB_CMD_PREPEND; break;
		case 'R': case 'r': rq->cmd = MB_CMD_REPLACE; break;
		default: ok = false; break;
		}
	} else if (have_mode && rq->cmd == MB_CMD_INCR) {
		switch (mode) {
		case 'I': case 'i': case '+': rq->cmd = MB_CMD_INCR; break;
		case 'D': case 'd': case '-': rq->cmd = MB_CMD_DECR; break;
		default: ok = false; break;
		}
	}
	if (cas_cmp && rq->cmd == MB_CMD_SET)
		rq->cmd = MB_CMD_CAS;
key:
	if (b64) {
		int dn = mb_base64_decode(kp, kn, rq->kbuf, sizeof rq->kbuf);
		if (dn <= 0) {
			ok = false;
			dn = 0;
		}
		rq->flags |= MB_EF_BASE64;
		rq->keys[0].p = rq->kbuf;
		rq->keys[0].len = (uint16_t)dn;
		rq->keys[0].cut = false;
	} else {
		rq->keys[0].p = kp;
		rq->keys[0].cut = kn > MC_KEY_MAX;
		rq->keys[0].len = (uint16_t)(kn > MC_KEY_MAX ? MC_KEY_MAX : kn);
		if (kn > MC_KEY_MAX)
			ok = false;
	}
	rq->nkeys = 1;
	if (!ok) {
		/* memcached answers CLIENT_ERROR (and swallows an ms value), whatever q says */
		rq->malformed = true;
		rq->flags &= (uint16_t)~MB_EF_NOREPLY;
	}
	return MC_OK;
}

int mc_meta_resp(const uint8_t *p, size_t ll, size_t total, struct mc_resp *rs)
{
	uint8_t code;
	uint16_t w = (uint16_t)(p[0] << 8 | p[1]);
	switch (w) {
	case 'H' << 8 | 'D': code = MC_M_HD; break;
	case 'V' << 8 | 'A': code = MC_M_VA; break;
	case 'E' << 8 | 'N': code = MC_M_EN; break;
	case 'N' << 8 | 'F': code = MC_M_NF; break;
	case 'N' << 8 | 'S': code = MC_M_NS; break;
	case 'E' << 8 | 'X': code = MC_M_EX; break;
	case 'M' << 8 | 'N': code = MC_M_MN; break;
	case 'M' << 8 | 'E': code = MC_M_ME; break;
	default: return MC_INVALID;
	}
	memset(rs, 0, sizeof *rs);
	rs->kind = MC_R_META;
	rs->meta = code;
	rs->hdr_len = (uint32_t)total;
	size_t i = 2;
	const uint8_t *tp;
	size_t tn;
	if (code == MC_M_VA) {
		uint64_t size;
		if (!next_tok(p, ll, &i, &tp, &tn) || !mc_parse_u64(tp, tn, MC_VALUE_MAX, &size))
			return MC_INVALID;
		rs->value_len = (uint32_t)size;
		rs->skip = (uint32_t)size + 2;
	}
	if (code == MC_M_ME) {
		if (next_tok(p, ll, &i, &tp, &tn)) {
			rs->key = tp;
			rs->key_len = (uint16_t)(tn > MC_KEY_MAX ? MC_KEY_MAX : tn);
		}
		return MC_OK;
	}
	while (next_tok(p, ll, &i, &tp, &tn)) {
		if (tp[0] == 'O' && tn - 1 <= MC_OPAQUE_MAX) {
			rs->has_opaque = true;
			rs->opq = tp + 1;
			rs->opq_len = (uint8_t)(tn - 1);
		} else if (tp[0] == 'k') {
			rs->key = tp + 1;
			rs->key_len = (uint16_t)(tn - 1 > MC_KEY_MAX ? MC_KEY_MAX : tn - 1);
		}
	}
	return MC_OK;
}
