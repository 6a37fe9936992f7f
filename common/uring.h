/* uring.h - batches of non-blocking socket sends and receives in one system call (io_uring, raw system calls). */
#ifndef MB_URING_H
#define MB_URING_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct mb_uring;

/* Called once per finished operation with its tag and result: bytes moved, or -errno
   (-EAGAIN where a send found the socket full or a receive found nothing). */
typedef void mb_uring_done(void *ctx, uint64_t tag, int res);

/* A ring for the calling thread only, holding up to `entries` operations per batch (a
   power of two). NULL with err filled where the kernel refuses (no io_uring, disabled by
   kernel.io_uring_disabled, or denied by a seccomp filter): the caller then makes the
   system calls itself. */
struct mb_uring *mb_uring_open(unsigned entries, struct mb_err *err);
void mb_uring_close(struct mb_uring *u);

/* Queue a send of len bytes at buf (MSG_NOSIGNAL) or a receive into buf, on fd, both never
   waiting (MSG_DONTWAIT). False when the batch is full. buf must stay where it is, and the
   fd open, until mb_uring_run returns. */
bool mb_uring_send(struct mb_uring *u, int fd, const void *buf, uint32_t len, uint64_t tag);
bool mb_uring_recv(struct mb_uring *u, int fd, void *buf, uint32_t len, uint64_t tag);

/* Submit the queued operations in one system call and call done for each as it finishes;
   done may queue more, which run before it returns. Every operation has finished when it
   returns 0; -1 with err filled when the kernel refused the batch. */
int mb_uring_run(struct mb_uring *u, mb_uring_done *done, void *ctx, struct mb_err *err);

#endif
