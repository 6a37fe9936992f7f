/* evloop.c - epoll loop with fd-indexed handler tables and a binary heap of timers. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "evloop.h"
#include "mbtime.h"

#define EV_BATCH 256

struct fd_slot {
	unsigned mask;
	mb_ev_proc *proc;
	void *ptr;
};

struct timer {
	uint64_t when;
	uint64_t id;
	mb_timer_proc *proc; /* NULL once cancelled */
	void *ptr;
};

struct mb_evloop {
	int epfd;
	struct fd_slot *fds;
	size_t nfds;
	struct timer *heap;
	size_t ntimers, captimers;
	uint64_t next_id;
	uint64_t yield_at; /* run_once runs no more handlers once the clock passes it; 0: none */
	bool ms_wait;      /* epoll_pwait2 is missing (kernel before 5.11, valgrind): epoll_wait */
	struct epoll_event ev[EV_BATCH];
};

struct mb_evloop *mb_evloop_create(struct mb_err *err)
{
	struct mb_evloop *l = calloc(1, sizeof *l);
	if (!l) {
		mb_err_set(err, MB_EIO, "out of memory");
		return NULL;
	}
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		mb_err_set(err, MB_EIO, "epoll_create1: %s", strerror(errno));
		free(l);
		return NULL;
	}
	return l;
}

void mb_evloop_free(struct mb_evloop *l)
{
	if (!l)
		return;
	close(l->epfd);
	free(l->fds);
	free(l->heap);
	free(l);
}

int mb_evloop_set(struct mb_evloop *l, int fd, unsigned mask, mb_ev_proc *proc, void *ptr, struct mb_err *err)
{
	if (fd < 0)
		return mb_err_set(err, MB_ERR, "bad fd %d", fd);
	if ((size_t)fd >= l->nfds) {
		size_t n = l->nfds ? l->nfds : 64;
		while (n <= (size_t)fd)
			n *= 2;
		struct fd_slot *f = realloc(l->fds, n * sizeof *f);
		if (!f)
			return mb_err_set(err, MB_EIO, "out of memory");
		memset(f + l->nfds, 0, (n - l->nfds) * sizeof *f);
		l->fds = f;
		l->nfds = n;
	}
	struct fd_slot *s = &l->fds[fd];
	struct epoll_event e = { 0 };
	e.events = (mask & MB_EV_READ ? EPOLLIN : 0) | (mask & MB_EV_WRITE ? EPOLLOUT : 0);
	e.data.fd = fd;
	if (s->mask != mask || !s->proc) {
		int op = s->proc ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
		if (epoll_ctl(l->epfd, op, fd, &e) < 0)
			return mb_err_set(err, MB_EIO, "epoll_ctl: %s", strerror(errno));
	}
	s->mask = mask;
	s->proc = proc;
	s->ptr = ptr;
	return MB_OK;
}

int mb_evloop_fd(const struct mb_evloop *l)
{
	return l->epfd;
}

void mb_evloop_del(struct mb_evloop *l, int fd)
{
	if (fd < 0 || (size_t)fd >= l->nfds || !l->fds[fd].proc)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	memset(&l->fds[fd], 0, sizeof l->fds[fd]);
}

unsigned mb_evloop_mask(const struct mb_evloop *l, int fd)
{
	return fd >= 0 && (size_t)fd < l->nfds ? l->fds[fd].mask : 0;
}

uint64_t mb_evloop_timer(struct mb_evloop *l, uint64_t when_ns, mb_timer_proc *proc, void *ptr, struct mb_err *err)
{
	if (l->ntimers == l->captimers) {
		size_t n = l->captimers ? l->captimers * 2 : 64;
		struct timer *h = realloc(l->heap, n * sizeof *h);
		if (!h) {
			mb_err_set(err, MB_EIO, "out of memory");
			return 0;
		}
		l->heap = h;
		l->captimers = n;
	}
	size_t i = l->ntimers++;
	while (i > 0 && l->heap[(i - 1) / 2].when > when_ns) {
		l->heap[i] = l->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	l->heap[i] = (struct timer){ when_ns, ++l->next_id, proc, ptr };
	return l->next_id;
}

void mb_evloop_timer_cancel(struct mb_evloop *l, uint64_t id)
{
	/* the heap stays as it is: a cancelled entry is dropped when it comes to the top */
	for (size_t i = 0; id && i < l->ntimers; i++)
		if (l->heap[i].id == id)
			l->heap[i].proc = NULL;
}

uint64_t mb_evloop_next_timer(const struct mb_evloop *l)
{
	return l->ntimers ? l->heap[0].when : UINT64_MAX;
}


/* Remove the earliest timer. */
static struct timer timer_pop(struct mb_evloop *l)
{
	struct timer top = l->heap[0];
	struct timer last = l->heap[--l->ntimers];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= l->ntimers)
			break;
		if (c + 1 < l->ntimers && l->heap[c + 1].when < l->heap[c].when)
			c++;
		if (l->heap[c].when >= last.when)
			break;
		l->heap[i] = l->heap[c];
		i = c;
	}
	if (l->ntimers)
		l->heap[i] = last;
	return top;
}

void mb_evloop_yield_at(struct mb_evloop *l, uint64_t when_ns)
{
	l->yield_at = when_ns;
}

/* epoll_pwait2, or where the kernel lacks it epoll_wait with the timeout rounded down to a
   millisecond (a caller that must not oversleep polls the rest). */
static int wait_events(struct mb_evloop *l, uint64_t timeout_ns)
{
	if (!l->ms_wait) {
		struct timespec ts = { (time_t)(timeout_ns / MB_NS_PER_SEC), (long)(timeout_ns % MB_NS_PER_SEC) };
		int n = epoll_pwait2(l->epfd, l->ev, EV_BATCH, &ts, NULL);
		if (n >= 0 || errno != ENOSYS)
			return n;
		l->ms_wait = true;
	}
	uint64_t ms = timeout_ns / 1000000u;
	return epoll_wait(l->epfd, l->ev, EV_BATCH, ms > INT32_MAX ? INT32_MAX : (int)ms);
}

int mb_evloop_run_once(struct mb_evloop *l, uint64_t timeout_ns, struct mb_err *err)
{
	uint64_t next = mb_evloop_next_timer(l);
	if (next != UINT64_MAX) {
		uint64_t now = mb_mono_ns();
		uint64_t left = next > now ? next - now : 0;
		if (left < timeout_ns)
			timeout_ns = left;
	}
	int n = wait_events(l, timeout_ns);
	if (n < 0) {
		if (errno != EINTR)
			return mb_err_set(err, -1, "%s: %s", l->ms_wait ? "epoll_wait" : "epoll_pwait2", strerror(errno));
		n = 0;
	}
	for (int i = 0; i < n; i++) {
		if (i && l->yield_at && mb_mono_ns() >= l->yield_at) {
			n = i; /* the rest is reported again by the next wait: level-triggered */
			break;
		}
		int fd = l->ev[i].data.fd;
		if ((size_t)fd >= l->nfds || !l->fds[fd].proc)
			continue; /* deleted by an earlier handler of this batch */
		uint32_t e = l->ev[i].events;
		unsigned mask = (e & (EPOLLIN | EPOLLERR | EPOLLHUP) ? MB_EV_READ : 0) | (e & EPOLLOUT ? MB_EV_WRITE : 0);
		l->fds[fd].proc(l, fd, l->fds[fd].ptr, mask & (l->fds[fd].mask | MB_EV_READ));
	}
	if (l->ntimers) {
		uint64_t now = mb_mono_ns();
		while (l->ntimers && l->heap[0].when <= now) {
			struct timer t = timer_pop(l);
			if (t.proc)
				t.proc(l, t.ptr);
		}
	}
	return n;
}
