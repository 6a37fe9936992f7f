/* trace_oracle.c - libCacheSim oracleGeneral records (u32 ts, u64 id, u32 size, i64 next vtime) to and from events. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "trace.h"

#define BLOCK_RECORDS 8192

void mb_oracle_record(const uint8_t *rec, struct mb_event *ev)
{
	struct mb_cur c = mb_cur_make(rec, MB_ORACLE_RECORD);
	memset(ev, 0, sizeof *ev);
	ev->ts_ns = (uint64_t)mb_get_le32(&c) * 1000000000u;
	ev->key_hash = mb_get_le64(&c);
	ev->resp_len = mb_get_le32(&c);
	/* The next-access field is derived data: it is recomputed on export, not kept. */
	ev->proto = MB_PROTO_TEXT;
	ev->transport = MB_TRANSPORT_TCP;
	ev->cmd = MB_CMD_GET;
	ev->status = MB_ST_NONE;
	ev->flags = MB_EF_WANT_VALUE;
	ev->key_len = MB_ORACLE_KEY_LEN;
}

int mb_oracle_encode(const struct mb_event *ev, uint8_t *rec, struct mb_err *err)
{
	if (!mb_cmd_has_key(ev->cmd))
		return 0;
	uint64_t ts = ev->ts_ns / 1000000000u;
	if (ts > UINT32_MAX)
		return mb_err_set(err, MB_ERR, "timestamp %llu s does not fit the format's 32 bits", (unsigned long long)ts);
	mb_st_le32(rec, (uint32_t)ts);
	mb_st_le64(rec + 4, ev->key_hash);
	mb_st_le32(rec + 12, mb_cmd_is_store(ev->cmd) ? ev->value_len : ev->resp_len);
	mb_st_le64(rec + 16, UINT64_MAX); /* -1: filled in by mb_oracle_finish */
	return 1;
}

/* Open-addressing table id -> vtime of its latest (in the reverse pass: nearest later) request; vtime 0 = empty slot. */
struct idtab {
	uint64_t *slot; /* pairs: id, vtime */
	size_t cap, used;
};

static size_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return (size_t)x;
}

/* The slot of id (found, or the empty one where it goes). */
static uint64_t *idtab_find(const struct idtab *t, uint64_t id)
{
	size_t i = mix(id) & (t->cap - 1);
	for (;;) {
		uint64_t *s = t->slot + 2 * i;
		if (s[1] == 0 || s[0] == id)
			return s;
		i = (i + 1) & (t->cap - 1);
	}
}

static int idtab_grow(struct idtab *t)
{
	struct idtab n = { calloc(t->cap * 4, sizeof(uint64_t)), t->cap * 2, t->used };
	if (!n.slot)
		return -1;
	for (size_t i = 0; i < t->cap; i++) {
		uint64_t *s = t->slot + 2 * i;
		if (s[1]) {
			uint64_t *d = idtab_find(&n, s[0]);
			d[0] = s[0];
			d[1] = s[1];
		}
	}
	free(t->slot);
	*t = n;
	return 0;
}

/* pread/pwrite all of n bytes at off. */
static int pio(int fd, uint8_t *buf, size_t n, uint64_t off, bool wr, struct mb_err *err)
{
	size_t done = 0;
	while (done < n) {
		ssize_t r = wr ? pwrite(fd, buf + done, n - done, (off_t)(off + done))
			       : pread(fd, buf + done, n - done, (off_t)(off + done));
		if (r > 0)
			done += (size_t)r;
		else if (r < 0 && errno == EINTR)
			continue;
		else
			return mb_err_set(err, MB_EIO, "%s error on the spool file: %s", wr ? "write" : "read",
					  r < 0 ? strerror(errno) : "short file");
	}
	return MB_OK;
}

int mb_oracle_finish(int fd, uint64_t n, struct mb_zout *o, struct mb_err *err)
{
	uint8_t *blk = malloc((size_t)BLOCK_RECORDS * MB_ORACLE_RECORD);
	struct idtab t = { calloc(2u << 10, sizeof(uint64_t)), 1u << 10, 0 };
	int rc = MB_OK;
	if (!blk || !t.slot)
		rc = mb_err_set(err, MB_EIO, "out of memory");
	/* Reverse pass: each record learns the vtime (1-based index) of the next request to its id. */
	uint64_t first = n == 0 ? 0 : (n - 1) / BLOCK_RECORDS * BLOCK_RECORDS;
	for (uint64_t b = first; rc == MB_OK && n > 0; b -= BLOCK_RECORDS) {
		size_t cnt = (size_t)(n - b < BLOCK_RECORDS ? n - b : BLOCK_RECORDS);
		uint64_t off = b * MB_ORACLE_RECORD;
		rc = pio(fd, blk, cnt * MB_ORACLE_RECORD, off, false, err);
		for (size_t j = cnt; rc == MB_OK && j-- > 0;) {
			uint8_t *rec = blk + j * MB_ORACLE_RECORD;
			uint64_t id = mb_ld_le64(rec + 4);
			uint64_t *s = idtab_find(&t, id);
			mb_st_le64(rec + 16, s[1] ? s[1] : UINT64_MAX);
			if (!s[1]) {
				s[0] = id;
				t.used++;
			}
			s[1] = b + j + 1;
			if (t.used * 2 > t.cap && idtab_grow(&t) < 0)
				rc = mb_err_set(err, MB_EIO, "out of memory for %zu distinct objects", t.used);
		}
		if (rc == MB_OK)
			rc = pio(fd, blk, cnt * MB_ORACLE_RECORD, off, true, err);
		if (b == 0)
			break;
	}
	free(t.slot);
	/* Forward copy to the output. */
	for (uint64_t b = 0; rc == MB_OK && b < n; b += BLOCK_RECORDS) {
		size_t cnt = (size_t)(n - b < BLOCK_RECORDS ? n - b : BLOCK_RECORDS);
		rc = pio(fd, blk, cnt * MB_ORACLE_RECORD, b * MB_ORACLE_RECORD, false, err);
		if (rc == MB_OK)
			rc = mb_zout_write(o, blk, cnt * MB_ORACLE_RECORD, err);
	}
	free(blk);
	return rc;
}
