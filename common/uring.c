/* uring.c - batches of non-blocking socket sends and receives in one system call, and receives armed in the kernel (io_uring, raw system calls).
 *
 * A replayer at depth 1 makes a send and a receive per operation, each a system call whose
 * entry and exit cost about as much as the work it asks for on a small request (doc/bench.md,
 * twelfth session). Here the worker queues them and submits the batch with one
 * io_uring_enter. A send carries MSG_DONTWAIT, so the kernel runs it inline during the
 * submission (a full socket answers -EAGAIN instead of arming a wait): when the call
 * returns, its buffer is free again.
 *
 * Where the kernel has deferred task work (Linux 6.1), a receive can instead stay armed: a
 * multishot receive per socket that the kernel completes whenever bytes arrive, into buffers
 * of a ring the kernel picks from (provided buffers). The thread then waits in
 * io_uring_enter itself, so one system call submits the sends and collects the answers
 * that came meanwhile, without an epoll_wait and a receive per socket (doc/bench.md,
 * seventeenth session). The ring is the thread's own (single issuer; completions are run
 * only when it asks).
 */
#include <errno.h>
#include <linux/io_uring.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "mbtime.h"
#include "uring.h"

#define ARMED_BIT (1ull << 63) /* user_data of an armed operation: no inline completion to wait for */
#define PBUF_COUNT 256u        /* provided buffers (a power of two) */
#define PBUF_SIZE 4096u        /* bytes each: an armed receive delivers at most this much at once */
#define PBUF_GROUP 0

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
	unsigned queued_inline; /* ... of them, not armed */
	unsigned inflight; /* inline operations submitted and not yet reaped */
	struct io_uring_buf_ring *pbufs; /* provided buffers' ring (NULL: nothing can be armed) */
	uint8_t *pbuf_mem;               /* PBUF_COUNT buffers of PBUF_SIZE */
	int arm_errno;                   /* why nothing can be armed (0: it can) */
	uint8_t *fixed;                  /* by descriptor: 1 when registered in the ring's file table */
	unsigned nfixed;                 /* the table's slots (descriptors below it can be registered) */
	unsigned short pbuf_tail;        /* our tail of the provided buffers' ring */
};

static int ring_setup(unsigned entries, struct io_uring_params *p)
{
	/* newest flags first (5.18 / 6.0 / 6.1); an older kernel refuses them with EINVAL. The
	   completion queue has room for a burst of answers from many armed sockets (one that
	   overflows ends their receives, which are armed again) */
	unsigned flagsets[2] = { IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
					 IORING_SETUP_CQSIZE,
				 0 };
	int fd = -1;
	for (unsigned i = 0; i < 2 && fd < 0; i++) {
		memset(p, 0, sizeof *p);
		p->flags = flagsets[i];
		p->cq_entries = entries * 8;
		fd = (int)syscall(__NR_io_uring_setup, entries, p);
		if (fd < 0 && errno != EINVAL)
			break;
	}
	return fd;
}

/* An empty table of registered files, a slot per descriptor the process may open (Linux
   5.19): the ring then looks up a registered socket without taking a reference each time.
   On a refusal, none (descriptors are looked up as usual). */
static void register_file_table(struct mb_uring *u)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == 0)
		return;
	unsigned n = rl.rlim_cur > (1u << 16) ? 1u << 16 : (unsigned)rl.rlim_cur; /* 1 MiB of the kernel's at most */
	struct io_uring_rsrc_register reg = { .nr = n, .flags = IORING_RSRC_REGISTER_SPARSE };
	u->fixed = calloc(n, 1);
	if (u->fixed && syscall(__NR_io_uring_register, u->fd, IORING_REGISTER_FILES2, &reg, sizeof reg) == 0)
		u->nfixed = n;
	else {
		free(u->fixed);
		u->fixed = NULL;
	}
}

/* Put fd in its slot of the file table (or -1 there); false when refused. */
static bool update_file(struct mb_uring *u, int fd, int value)
{
	struct io_uring_files_update up = { .offset = (unsigned)fd, .fds = (uint64_t)(uintptr_t)&value };
	return syscall(__NR_io_uring_register, u->fd, IORING_REGISTER_FILES_UPDATE, &up, 1) == 1;
}

void mb_uring_register_fd(struct mb_uring *u, int fd)
{
	if (fd >= 0 && (unsigned)fd < u->nfixed && !u->fixed[fd] && update_file(u, fd, fd))
		u->fixed[fd] = 1;
}

void mb_uring_unregister_fd(struct mb_uring *u, int fd)
{
	if (fd >= 0 && (unsigned)fd < u->nfixed && u->fixed[fd]) {
		update_file(u, fd, -1);
		u->fixed[fd] = 0;
	}
}

/* The submission's file: fd's slot where it is registered. */
static void set_file(const struct mb_uring *u, struct io_uring_sqe *s, int fd)
{
	s->fd = fd;
	if ((unsigned)fd < u->nfixed && u->fixed[fd])
		s->flags |= IOSQE_FIXED_FILE;
}

/* The ring of provided buffers armed receives fill (Linux 5.19); on any refusal none, and
   false. */
static bool provide_buffers(struct mb_uring *u)
{
	size_t ring_len = PBUF_COUNT * sizeof(struct io_uring_buf);
	void *ring = mmap(NULL, ring_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *mem = mmap(NULL, (size_t)PBUF_COUNT * PBUF_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct io_uring_buf_reg reg = { .ring_addr = (uint64_t)(uintptr_t)ring, .ring_entries = PBUF_COUNT, .bgid = PBUF_GROUP };
	if (ring == MAP_FAILED || mem == MAP_FAILED || syscall(__NR_io_uring_register, u->fd, IORING_REGISTER_PBUF_RING, &reg, 1) < 0) {
		u->arm_errno = errno;
		if (ring != MAP_FAILED)
			munmap(ring, ring_len);
		if (mem != MAP_FAILED)
			munmap(mem, (size_t)PBUF_COUNT * PBUF_SIZE);
		return false;
	}
	u->pbufs = ring;
	u->pbuf_mem = mem;
	u->arm_errno = 0;
	for (unsigned i = 0; i < PBUF_COUNT; i++) {
		struct io_uring_buf *b = &u->pbufs->bufs[i];
		b->addr = (uint64_t)(uintptr_t)(mem + (size_t)i * PBUF_SIZE);
		b->len = PBUF_SIZE;
		b->bid = (unsigned short)i;
	}
	u->pbuf_tail = PBUF_COUNT;
	atomic_store_explicit((_Atomic unsigned short *)&u->pbufs->tail, u->pbuf_tail, memory_order_release);
	return true;
}

/* Buffer bid back to the kernel. */
static void pbuf_return(struct mb_uring *u, unsigned bid)
{
	struct io_uring_buf *b = &u->pbufs->bufs[u->pbuf_tail & (PBUF_COUNT - 1)];
	b->addr = (uint64_t)(uintptr_t)(u->pbuf_mem + (size_t)bid * PBUF_SIZE);
	b->len = PBUF_SIZE;
	b->bid = (unsigned short)bid;
	u->pbuf_tail++;
	atomic_store_explicit((_Atomic unsigned short *)&u->pbufs->tail, u->pbuf_tail, memory_order_release);
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
	u->arm_errno = EOPNOTSUPP; /* without buffers, receives are batched as sends are */
	if ((p.flags & IORING_SETUP_DEFER_TASKRUN) && (p.features & IORING_FEAT_EXT_ARG) &&
	    provide_buffers(u))
		register_file_table(u); /* the sockets an armed ring keeps receives on stay in it */
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
	close(u->fd); /* first: the kernel lets go of the provided buffers */
	if (u->pbufs) {
		munmap(u->pbufs, PBUF_COUNT * sizeof(struct io_uring_buf));
		munmap(u->pbuf_mem, (size_t)PBUF_COUNT * PBUF_SIZE);
	}
	free(u->fixed);
	free(u);
}

/* The next free submission entry, zeroed, or NULL when the batch is full. */
static struct io_uring_sqe *next_sqe(struct mb_uring *u)
{
	if (u->queued + u->inflight >= u->entries)
		return NULL; /* (a completion for each must fit: the queue holds eight times as many) */
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
	set_file(u, s, fd);
	s->addr = (uint64_t)(uintptr_t)buf;
	s->len = len;
	s->msg_flags = flags | MSG_DONTWAIT;
	s->user_data = tag;
	u->queued_inline++;
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

int mb_uring_arm_error(const struct mb_uring *u)
{
	return u->arm_errno;
}

/* Queue an armed operation op on fd; its entry to complete, or NULL when the batch is full. */
static struct io_uring_sqe *queue_armed(struct mb_uring *u, uint8_t op, int fd, uint64_t tag)
{
	struct io_uring_sqe *s = next_sqe(u);
	if (s) {
		s->opcode = op;
		set_file(u, s, fd);
		s->user_data = tag | ARMED_BIT;
	}
	return s;
}

bool mb_uring_recv_armed(struct mb_uring *u, int fd, uint64_t tag)
{
	struct io_uring_sqe *s = queue_armed(u, IORING_OP_RECV, fd, tag);
	if (s) {
		s->flags |= IOSQE_BUFFER_SELECT;
		s->buf_group = PBUF_GROUP;
		s->ioprio = IORING_RECV_MULTISHOT;
	}
	return s != NULL;
}

bool mb_uring_poll_armed(struct mb_uring *u, int fd, uint64_t tag)
{
	struct io_uring_sqe *s = queue_armed(u, IORING_OP_POLL_ADD, fd, tag);
	if (s) {
		s->len = IORING_POLL_ADD_MULTI;
		s->poll32_events = POLLIN;
	}
	return s != NULL;
}

/* Submit what is queued, waiting up to timeout_ns (with EXT_ARG) or for min_complete
   completions; -1 with err filled on a refusal. */
static int enter(struct mb_uring *u, unsigned min_complete, const struct timespec *ts, struct mb_err *err)
{
	unsigned submit = u->queued;
	atomic_store_explicit(u->sq_tail, u->tail, memory_order_release);
	unsigned flags = IORING_ENTER_GETEVENTS;
	struct io_uring_getevents_arg arg = { .sigmask_sz = _NSIG / 8 };
	void *argp = NULL;
	size_t argsz = 0;
	if (ts) {
		flags |= IORING_ENTER_EXT_ARG;
		arg.ts = (uint64_t)(uintptr_t)ts;
		argp = &arg;
		argsz = sizeof arg;
	}
	long n = syscall(__NR_io_uring_enter, u->fd, submit, min_complete, flags, argp, argsz);
	if (n < 0 && errno != EINTR && errno != EAGAIN && errno != EBUSY && errno != ETIME)
		return mb_err_set(err, -1, "io_uring_enter: %s", strerror(errno));
	for (unsigned i = 0; n > 0 && i < (unsigned)n; i++) /* what went in: inline unless armed */
		if (!(u->sqes[(u->tail - u->queued + i) & u->sq_mask].user_data & ARMED_BIT)) {
			u->inflight++;
			u->queued_inline--;
		}
	if (n > 0)
		u->queued -= (unsigned)n;
	return 0;
}

/* Call done for the completions there are, or (yield_at, not 0) up to the first one
   reaped once the clock passed it, with every inline operation reaped (a send's bytes count
   before more are queued); how many. */
static unsigned reap(struct mb_uring *u, mb_uring_done *done, void *ctx, uint64_t yield_at)
{
	unsigned head = atomic_load_explicit(u->cq_head, memory_order_relaxed);
	unsigned tail = atomic_load_explicit(u->cq_tail, memory_order_acquire);
	unsigned n = 0;
	for (; head != tail; n++) {
		if (n && yield_at && !u->inflight && mb_mono_ns() >= yield_at)
			break; /* the rest waits for the next call */
		const struct io_uring_cqe *c = &u->cqes[head & u->cq_mask];
		struct mb_uring_done_info d = { .tag = c->user_data & ~ARMED_BIT, .res = c->res };
		unsigned bid = c->flags >> IORING_CQE_BUFFER_SHIFT;
		bool has_buf = c->flags & IORING_CQE_F_BUFFER;
		if (c->user_data & ARMED_BIT)
			d.armed = c->flags & IORING_CQE_F_MORE;
		else
			u->inflight--;
		if (has_buf && d.res > 0)
			d.data = u->pbuf_mem + (size_t)bid * PBUF_SIZE;
		atomic_store_explicit(u->cq_head, ++head, memory_order_release);
		done(ctx, &d); /* may queue more: they go with the next submission */
		if (has_buf)
			pbuf_return(u, bid);
	}
	return n;
}

int mb_uring_run(struct mb_uring *u, mb_uring_done *done, void *ctx, struct mb_err *err)
{
	while (u->queued || u->inflight) {
		/* wait for everything submitted: with MSG_DONTWAIT it has finished inline already */
		if (enter(u, u->queued_inline + u->inflight, NULL, err) != 0)
			return -1;
		reap(u, done, ctx, 0);
	}
	return 0;
}

int mb_uring_wait(struct mb_uring *u, uint64_t timeout_ns, uint64_t yield_at, mb_uring_done *done, void *ctx,
		  struct mb_err *err)
{
	struct timespec ts = { (time_t)(timeout_ns / MB_NS_PER_SEC), (long)(timeout_ns % MB_NS_PER_SEC) };
	unsigned head = atomic_load_explicit(u->cq_head, memory_order_relaxed);
	bool have = head != atomic_load_explicit(u->cq_tail, memory_order_acquire);
	if (enter(u, have || !timeout_ns ? 0 : 1, &ts, err) != 0)
		return -1;
	unsigned n = reap(u, done, ctx, yield_at);
	if (u->inflight && mb_uring_run(u, done, ctx, err) != 0) /* a batch that did not fit */
		return -1;
	return (int)n;
}
