/* fuzz-stat.c - libFuzzer target: mb-stat's engine and its three reports on any stream of events;
   the first byte picks the window, the report (text, JSON or HTML) and the options (exact-key
   table, miss-ratio curve, names, namespaces, top K). */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "stat.h"
#include "stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd[2];
	if (size < 1 || size > 60000 || pipe(fd))
		return 0; /* a pipe holds 64 KiB: keep the writer from blocking */
	uint8_t pick = data[0];
	if (write(fd[1], data + 1, size - 1) != (ssize_t)(size - 1))
		abort();
	close(fd[1]);
	struct mb_stat_opts o;
	mb_stat_opts_default(&o);
	static const uint64_t windows[] = { 1000000, 1000000000, 3600000000000 };
	o.window_ns = windows[pick % 3];
	unsigned report = pick / 3 % 3, flags = pick / 9;
	o.max_keys = flags & 1 ? 16 : 4096; /* past 16 keys: the estimates; small tables keep it fast */
	o.max_conns = 64;
	o.mrc = !(flags & 2);
	o.mrc_samples = 16;
	o.show_keys = flags & 4;
	o.namespaces = flags & 8 ? ":/" : NULL;
	o.top = flags & 16 ? 1 : 10;
	struct mb_reader r;
	struct mb_err err;
	struct mb_stat *st = NULL;
	struct mb_buf out = { 0 };
	if (mb_reader_open(&r, fd[0], "<fuzz>", (1u << MB_KIND_EVENTS_RAW) | (1u << MB_KIND_EVENTS_HASHED), &err) != MB_OK)
		goto cleanup;
	st = malloc(sizeof *st);
	if (!st || mb_stat_init(st, &o, &r.info, &err) != MB_OK)
		goto cleanup; /* a failed set-up is freed as a finished one is */
	mb_stat_read(&r, st, NULL, NULL, &err); /* what was read before an error is reported on */
	if (mb_stat_finish(st, &err) == MB_OK) /* one report an input: a long span makes them large */
		(report == 0 ? mb_report_text : report == 1 ? mb_report_json : mb_report_html)(st, &out);
cleanup:
	if (st) {
		mb_stat_free(st);
		free(st);
	}
	mb_buf_free(&out);
	mb_reader_close(&r);
	close(fd[0]);
	return 0;
}
