/* fire_warm.c - --warm: before the replay, store the keys that existed when the recording began. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fire_int.h"
#include "prog.h"
#include "stream.h"

struct wkey {
	uint64_t hash;
	uint32_t size;
	uint16_t len;
	uint16_t target;     /* where the replay sends it (fire_topo.c) */
	uint8_t used, warm;
};

/* Send a version request behind the noreply sets and read up to its answer: the sets were
   processed by then (their own answers can only be errors, which are skipped). */
static int sync_version(int fd, uint8_t *buf, const char *name, struct mb_err *err)
{
	struct mb_mcreq q = { .proto = MB_PROTO_TEXT, .cmd = MB_CMD_VERSION };
	enum mb_expect ex;
	size_t len = mb_mcreq_build(buf, 4096, &q, &ex);
	if (send(fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len)
		return mb_err_set(err, MB_EIO, "--warm: write failed: '%s'", name);
	size_t have = 0, skip = 0;
	for (;;) {
		ssize_t m = recv(fd, buf + have, 4096 - have, 0);
		if (m <= 0)
			return mb_err_set(err, MB_EIO, "--warm: connection closed: '%s'", name);
		have += (size_t)m;
		size_t off = 0;
		for (;;) {
			if (skip) {
				size_t k = have - off < skip ? have - off : skip;
				off += k;
				skip -= k;
				if (skip)
					break;
			}
			struct mb_mcresp u;
			int rc = mb_mcresp_parse(0, buf + off, have - off, &u);
			if (rc == MB_MCRESP_MORE)
				break;
			if (rc == MB_MCRESP_BAD)
				return mb_err_set(err, MB_EIO, "--warm: not a memcached answer: '%s'", name);
			if (u.kind == MB_RK_VERSION)
				return MB_OK;
			off += u.hdr_len;
			skip = (size_t)u.value_len + u.trailer_len;
		}
		memmove(buf, buf + off, have - off);
		have -= off;
	}
}

/* Store every key whose first appearance is a read that hit (or has no recorded status). */
int fire_warm(struct fire_run *run, int fd, const char *name, struct mb_err *err)
{
	size_t cap = 1 << 16, n = 0;
	struct wkey *tab = calloc(cap, sizeof *tab);
	if (!tab)
		return mb_err_set(err, MB_EIO, "out of memory for --warm");
	struct mb_reader r;
	int rc = fire_input_open(run, &r, fd, name, err);
	struct mb_frame f;
	bool by_server = fire_by_server(run, &r.info);
	while (rc == MB_OK && (rc = mb_reader_next(&r, &f, err)) == MB_OK) {
		struct mb_event ev;
		if (f.type == MB_FRAME_SERVER && by_server && (rc = fire_topo_server(run, &f, err)) != MB_OK) {
			mb_err_at(err, name, f.offset);
			break;
		}
		if (f.type != MB_FRAME_EVENT)
			continue;
		if ((rc = fire_input_event(&r, &f, &ev, name, err)) != MB_OK)
			break;
		if (!mb_cmd_has_key(ev.cmd))
			continue;
		if (n * 2 >= cap) {
			struct wkey *nt = calloc(cap * 2, sizeof *nt);
			if (!nt) {
				rc = mb_err_set(err, MB_EIO, "out of memory for --warm");
				break;
			}
			for (size_t i = 0; i < cap; i++) {
				if (!tab[i].used)
					continue;
				size_t j = (tab[i].hash ^ tab[i].len) & (cap * 2 - 1);
				while (nt[j].used)
					j = (j + 1) & (cap * 2 - 1);
				nt[j] = tab[i];
			}
			free(tab);
			tab = nt;
			cap *= 2;
		}
		unsigned target = fire_target_of(run, by_server, ev.sem.server, ev.cmd, ev.key_hash);
		size_t j = (ev.key_hash ^ ev.key_len) & (cap - 1);
		while (tab[j].used && (tab[j].hash != ev.key_hash || tab[j].len != ev.key_len || tab[j].target != target))
			j = (j + 1) & (cap - 1);
		if (tab[j].used)
			continue;
		tab[j].used = 1;
		tab[j].hash = ev.key_hash;
		tab[j].len = ev.key_len;
		tab[j].target = (uint16_t)target;
		n++;
		if (mb_cmd_is_read(ev.cmd) && ev.status != MB_ST_MISS) {
			tab[j].warm = 1;
			tab[j].size = ev.resp_len;
		} else if ((ev.cmd == MB_CMD_INCR || ev.cmd == MB_CMD_DECR || ev.cmd == MB_CMD_TOUCH) &&
			   (ev.status == MB_ST_HIT || ev.status == MB_ST_TOUCHED)) {
			/* incr/decr/touch that found the item: it existed before */
			tab[j].warm = 1;
			tab[j].size = ev.cmd == MB_CMD_TOUCH ? 16 : 1;
		}
	}
	mb_reader_close(&r);
	if (rc != MB_OK && rc != MB_END) {
		free(tab);
		return rc;
	}
	/* one blocking connection per target, pipelined noreply sets, then a version to sync */
	int fds[FIRE_TARGETS_MAX];
	for (unsigned t = 0; t < run->opt.ntargets; t++)
		fds[t] = -1;
	rc = MB_OK;
	size_t bcap = MB_MCREQ_VALUE_MAX + 4096;
	uint8_t *buf = malloc(bcap);
	if (!buf)
		rc = mb_err_set(err, MB_EIO, "out of memory for --warm");
	uint64_t *stored = &run->warmed;
	*stored = 0;
	for (size_t i = 0; rc == MB_OK && i < cap; i++) {
		if (!tab[i].used || !tab[i].warm)
			continue;
		unsigned t = tab[i].target;
		if (fds[t] < 0 && (fds[t] = fire_connect_blocking(&run->opt.targets[t], err)) < 0) {
			rc = MB_EIO;
			break;
		}
		struct mb_mcreq_key k = { tab[i].hash, tab[i].len };
		struct mb_mcreq q = { .proto = MB_PROTO_TEXT, .cmd = MB_CMD_SET, .quiet = true, .value_len = tab[i].size,
				      .nkeys = 1, .keys = &k };
		enum mb_expect ex;
		size_t len = mb_mcreq_build(buf, bcap, &q, &ex);
		for (size_t off = 0; off < len;) {
			ssize_t m = send(fds[t], buf + off, len - off, MSG_NOSIGNAL);
			if (m <= 0) {
				if (m < 0 && errno == EINTR)
					continue;
				rc = mb_err_set(err, MB_EIO, "--warm: write failed: %s: '%s'", strerror(errno), run->opt.targets[t].name);
				break;
			}
			off += (size_t)m;
		}
		(*stored)++;
	}
	for (unsigned t = 0; t < run->opt.ntargets; t++) {
		if (fds[t] < 0)
			continue;
		if (rc == MB_OK)
			rc = sync_version(fds[t], buf, run->opt.targets[t].name, err);
		close(fds[t]);
	}
	free(buf);
	free(tab);
	return rc;
}

