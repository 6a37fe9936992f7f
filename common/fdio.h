/* fdio.h - small file-descriptor helpers every program uses: open an input, write everything. */
#ifndef MB_FDIO_H
#define MB_FDIO_H

#include <stddef.h>

#include "err.h"

/* Open a named input read-only, or standard input for "-": the fd, or -1 with err set. */
int mb_open_input(const char *name, struct mb_err *err);
/* The name to show in messages for an input argument ("<stdin>" for "-"). */
const char *mb_input_name(const char *arg);
/* Write all n bytes, retrying on EINTR: MB_OK, MB_EPIPE (reader gone) or MB_EIO (err names `what`). */
int mb_write_all(int fd, const void *p, size_t n, const char *what, struct mb_err *err);
/* The same, for output that is `at` bytes along: the message says "'what' at byte N" where the write failed. */
int mb_write_all_at(int fd, const void *p, size_t n, const char *what, unsigned long long at, struct mb_err *err);
/* Grow a pipe's kernel buffer to 1 MiB so a pipeline moves data in large steps (best effort; other fds untouched). */
void mb_grow_pipe(int fd);

#endif
