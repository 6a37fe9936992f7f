/* fuzz-stream.c - libFuzzer target: the stream reader and every frame decoder on arbitrary bytes;
   a decoded event re-encodes to its bytes, and its request (with its semantics) fits mb_mcreq_size. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "mcreq.h"
#include "stream.h"
#include "textfmt.h"

static uint8_t payload[MB_FRAME_MAX], req[1 << 16];

/* An event decoded from f: its encoding gives the same bytes back, and its request builds in bounds. */
static void check_event(unsigned kind, const struct mb_frame *f)
{
	struct mb_event ev;
	struct mb_err err;
	if (mb_event_decode(f->payload, f->len, kind, &ev, &err) != MB_OK)
		return;
	/* fields of a later version (has bits above the known ones) are skipped, so not re-encoded */
	uint32_t base = MB_EVENT_FIXED + (kind == MB_KIND_EVENTS_HASHED ? 8u : ev.key_len);
	bool later = f->len > base + 2 && (mb_ld_le16(f->payload + base + 1) & ~MB_SEM_HAS_ALL);
	if (!later) {
		if (mb_event_payload_len(&ev, kind) != f->len)
			abort();
		mb_event_encode(payload, &ev, kind);
		if (memcmp(payload, f->payload, f->len))
			abort();
	}
	struct mb_mcreq_key key = { ev.key_hash, ev.key_len };
	for (uint8_t proto = MB_PROTO_TEXT; proto <= MB_PROTO_BINARY; proto++) {
		struct mb_mcreq r = { .proto = proto, .cmd = ev.cmd, .quiet = (ev.flags & MB_EF_NOREPLY) != 0,
				      .ttl = ev.ttl, .value_len = ev.value_len & 0xfff, .nkeys = 1, .keys = &key,
				      .sem = &ev.sem };
		enum mb_expect ex;
		size_t need = mb_mcreq_size(&r);
		if (need > sizeof req)
			abort();
		size_t n = mb_mcreq_build(req, sizeof req, &r, &ex);
		if (n > need)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd[2];
	if (size > 60000 || pipe(fd))
		return 0; /* a pipe holds 64 KiB: keep the writer from blocking */
	if (write(fd[1], data, size) != (ssize_t)size)
		abort();
	close(fd[1]);
	struct mb_reader r;
	struct mb_err err;
	struct mb_buf text = { 0 };
	int rc = mb_reader_open(&r, fd[0], "<fuzz>", 0, &err);
	struct mb_frame f;
	while (rc == MB_OK && (rc = mb_reader_next(&r, &f, &err)) == MB_OK) {
		mb_text_frame(&text, r.info.kind, &f, &err);
		if (f.type == MB_FRAME_EVENT)
			check_event(r.info.kind, &f);
		text.len = 0;
	}
	mb_buf_free(&text);
	mb_reader_close(&r);
	close(fd[0]);
	return 0;
}
