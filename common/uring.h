/* uring.h - batches of non-blocking socket sends and receives in one system call, and receives armed in the kernel (io_uring, raw system calls). */
#ifndef MB_URING_H
#define MB_URING_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct mb_uring;

/* A finished operation (or one completion of an armed one). */
struct mb_uring_done_info {
	uint64_t tag;
	int res;          /* bytes moved, or -errno (-EAGAIN where a send found the socket full
			     or a receive found nothing); an armed receive: 0 at the end of input */
	const void *data; /* an armed receive's res bytes, valid during the call only; else NULL */
	bool armed;       /* an armed operation that stays armed: more completions follow */
};
/* Called once per completion. */
typedef void mb_uring_done(void *ctx, const struct mb_uring_done_info *d);

/* A ring for the calling thread only, holding up to `entries` operations per batch (a
   power of two). NULL with err filled where the kernel refuses (no io_uring, disabled by
   kernel.io_uring_disabled, or denied by a seccomp filter): the caller then makes the
   system calls itself. */
struct mb_uring *mb_uring_open(unsigned entries, struct mb_err *err);
void mb_uring_close(struct mb_uring *u);

/* Tags are the caller's, below 2^63. */

/* Queue a send of len bytes at buf (MSG_NOSIGNAL) or a receive into buf, on fd, both never
   waiting (MSG_DONTWAIT). False when the batch is full. buf must stay where it is, and the
   fd open, until mb_uring_run returns. */
bool mb_uring_send(struct mb_uring *u, int fd, const void *buf, uint32_t len, uint64_t tag);
bool mb_uring_recv(struct mb_uring *u, int fd, void *buf, uint32_t len, uint64_t tag);

/* Submit the queued operations in one system call and call done for each as it finishes;
   done may queue more, which run before it returns. Every operation has finished when it
   returns 0; -1 with err filled when the kernel refused the batch. */
int mb_uring_run(struct mb_uring *u, mb_uring_done *done, void *ctx, struct mb_err *err);

/* 0 when operations can be armed, else why not: EOPNOTSUPP before Linux 6.1 (deferred task
   work), or the errno of the registration of the ring's buffers. */
int mb_uring_arm_error(const struct mb_uring *u);
/* Queue a receive on fd that stays armed: each arrival of bytes completes it once, with the
   bytes in a buffer of the ring's, until it completes without `armed` (the end of input,
   an error, or the kernel's buffers or queue ran short: arm it again). Before fd is
   closed, shutdown(fd, SHUT_RD) ends it. False when the batch is full. */
bool mb_uring_recv_armed(struct mb_uring *u, int fd, uint64_t tag);
/* Queue a poll for fd's readability that stays armed: a completion each time it becomes
   readable. False when the batch is full. */
bool mb_uring_poll_armed(struct mb_uring *u, int fd, uint64_t tag);
/* Register fd in the ring's file table where there is one (with armed receives, Linux 6.1):
   operations on it then skip the kernel's lookup and reference count of the descriptor. A
   refusal leaves it looked up as usual. Unregister it before closing it (the table holds
   the socket open). */
void mb_uring_register_fd(struct mb_uring *u, int fd);
void mb_uring_unregister_fd(struct mb_uring *u, int fd);
/* Submit what is queued and wait up to timeout_ns for a completion (none when some are
   already there); call done for them, stopping after the first one once the clock has
   passed yield_at (not 0: the rest waits for the next call). Every inline operation has
   finished when it returns the number of completions, or -1 with err filled. */
int mb_uring_wait(struct mb_uring *u, uint64_t timeout_ns, uint64_t yield_at, mb_uring_done *done, void *ctx,
		  struct mb_err *err);

#endif
