/* fuzz-stream.c - libFuzzer target: the stream reader and every frame decoder on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "stream.h"
#include "textfmt.h"

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
		text.len = 0;
	}
	mb_buf_free(&text);
	mb_reader_close(&r);
	close(fd[0]);
	return 0;
}
