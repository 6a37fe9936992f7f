/* uring.c - batches of non-blocking socket sends and receives in one system call (io_uring, raw system calls).
 *
 * A replayer at depth 1 makes a send and a receive per operation, each a system call whose
 * entry and exit cost about as much as the work it asks for on a small request (doc/bench.md,
 * twelfth session). Here the worker queues them and submits the batch with one
 * io_uring_enter. Every operation carries MSG_DONTWAIT, so the kernel runs it inline during
 * the submission (a full socket or an empty one answers -EAGAIN instead of arming a wait):
 * when the call returns, every buffer is free again and nothing is left in flight. The ring
 * is the thread's own (single issuer; completions are run only when it asks).
 */
#include <errno.h>
#include <linux/io_uring.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "uring.h"

struct mb_uring {
	int fd;
	unsigned entries;
	_Atomic unsigned *sq_tail, *cq_head, *cq_tail;
	unsigned sq_mask, cq_mask;
	unsigned *sq_array;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	void *ring_map;
	size_t ring_len, sqes_len;
	unsigned tail;     /* our submission tail, published at run */
	unsigned queued;   /* entries written and not yet submitted */
	unsigned inflight; /* submitted and not yet reaped */
};

static int ring_setup(unsigned entries, struct io_uring_params *p)
{
	/* newest flags first (5.18 / 6.0 / 6.1); an older kernel refuses them with EINVAL */
	unsigned flagsets[2] = { IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN, 0 };
	int fd = -1;
	for (unsigned i = 0; i < 2 && fd < 0; i++) {
		memset(p, 0, sizeof *p);
		p->flags = flagsets[i];
		fd = (int)syscall(__NR_io_uring_setup, entries, p);
		if (fd < 0 && errno != EINVAL)
			break;
	}
	return fd;
}

struct mb_uring *mb_uring_open(unsigned entries, struct mb_err *err)
{
	struct io_uring_params p;
	struct mb_uring *u = calloc(1, sizeof *u);
	if (!u) {
		mb_err_set(err, MB_EIO, "io_uring: out of memory");
		return NULL;
	}
	u->fd = ring_setup(entries, &p);
	if (u->fd < 0) {
		mb_err_set(err, MB_EIO, "io_uring_setup: %s", strerror(errno));
		free(u);
		return NULL;
	}
	if (!(p.features & IORING_FEAT_SINGLE_MMAP)) { /* before 5.4: not worth a second layout */
		mb_err_set(err, MB_EIO, "io_uring: kernel too old (no single mapping of the rings)");
		goto fail;
	}
	size_t sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	size_t cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	u->ring_len = sq_len > cq_len ? sq_len : cq_len;
	u->ring_map = mmap(NULL, u->ring_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->fd, IORING_OFF_SQ_RING);
	if (u->ring_map == MAP_FAILED) {
		u->ring_map = NULL;
		mb_err_set(err, MB_EIO, "io_uring: mmap: %s", strerror(errno));
		goto fail;
	}
	u->sqes_len = p.sq_entries * sizeof(struct io_uring_sqe);
	u->sqes = mmap(NULL, u->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->fd, IORING_OFF_SQES);
	if (u->sqes == MAP_FAILED) {
		u->sqes = NULL;
		mb_err_set(err, MB_EIO, "io_uring: mmap: %s", strerror(errno));
		goto fail;
	}
	char *m = u->ring_map;
	u->sq_tail = (_Atomic unsigned *)(m + p.sq_off.tail);
	u->sq_mask = *(unsigned *)(m + p.sq_off.ring_mask);
	u->sq_array = (unsigned *)(m + p.sq_off.array);
	u->cq_head = (_Atomic unsigned *)(m + p.cq_off.head);
	u->cq_tail = (_Atomic unsigned *)(m + p.cq_off.tail);
	u->cq_mask = *(unsigned *)(m + p.cq_off.ring_mask);
	u->cqes = (struct io_uring_cqe *)(m + p.cq_off.cqes);
	u->entries = p.sq_entries;
	u->tail = atomic_load_explicit(u->sq_tail, memory_order_relaxed);
	return u;
fail:
	mb_uring_close(u);
	return NULL;
}

void mb_uring_close(struct mb_uring *u)
{
	if (!u)
		return;
	if (u->sqes)
		munmap(u->sqes, u->sqes_len);
	if (u->ring_map)
		munmap(u->ring_map, u->ring_len);
	close(u->fd);
	free(u);
}

/* The next free submission entry, zeroed, or NULL when the batch is full. */
static struct io_uring_sqe *next_sqe(struct mb_uring *u)
{
	if (u->queued + u->inflight >= u->entries)
		return NULL;
	unsigned i = u->tail & u->sq_mask;
	struct io_uring_sqe *s = &u->sqes[i];
	memset(s, 0, sizeof *s);
	u->sq_array[i] = i;
	u->tail++;
	u->queued++;
	return s;
}

static bool queue(struct mb_uring *u, uint8_t op, int fd, const void *buf, uint32_t len, unsigned flags, uint64_t tag)
{
	struct io_uring_sqe *s = next_sqe(u);
	if (!s)
		return false;
	s->opcode = op;
	s->fd = fd;
	s->addr = (uint64_t)(uintptr_t)buf;
	s->len = len;
	s->msg_flags = flags | MSG_DONTWAIT;
	s->user_data = tag;
	return true;
}

bool mb_uring_send(struct mb_uring *u, int fd, const void *buf, uint32_t len, uint64_t tag)
{
	return queue(u, IORING_OP_SEND, fd, buf, len, MSG_NOSIGNAL, tag);
}

bool mb_uring_recv(struct mb_uring *u, int fd, void *buf, uint32_t len, uint64_t tag)
{
	return queue(u, IORING_OP_RECV, fd, buf, len, 0, tag);
}

int mb_uring_run(struct mb_uring *u, mb_uring_done *done, void *ctx, struct mb_err *err)
{
	while (u->queued || u->inflight) {
		unsigned submit = u->queued;
		atomic_store_explicit(u->sq_tail, u->tail, memory_order_release);
		/* wait for everything submitted: with MSG_DONTWAIT it has finished inline already */
		long n = syscall(__NR_io_uring_enter, u->fd, submit, submit + u->inflight, IORING_ENTER_GETEVENTS, NULL, 0);
		if (n < 0 && errno != EINTR && errno != EAGAIN && errno != EBUSY)
			return mb_err_set(err, -1, "io_uring_enter: %s", strerror(errno));
		if (n > 0) {
			u->queued -= (unsigned)n;
			u->inflight += (unsigned)n;
		}
		unsigned head = atomic_load_explicit(u->cq_head, memory_order_relaxed);
		unsigned tail = atomic_load_explicit(u->cq_tail, memory_order_acquire);
		while (head != tail) {
			const struct io_uring_cqe *c = &u->cqes[head & u->cq_mask];
			uint64_t tag = c->user_data;
			int res = c->res;
			atomic_store_explicit(u->cq_head, ++head, memory_order_release);
			u->inflight--;
			done(ctx, tag, res); /* may queue more: the loop submits them */
		}
	}
	return 0;
}
