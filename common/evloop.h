/* evloop.h - a small epoll event loop (redis ae style): fd events, timers, one step at a time. */
#ifndef MB_EVLOOP_H
#define MB_EVLOOP_H

#include <stdint.h>

#include "err.h"

#define MB_EV_READ 1u
#define MB_EV_WRITE 2u

struct mb_evloop;

/* Called with the ready mask (MB_EV_READ/WRITE, plus READ on hang-up or error). */
typedef void mb_ev_proc(struct mb_evloop *l, int fd, void *ptr, unsigned mask);
/* Called once when a timer's deadline (CLOCK_MONOTONIC ns) has passed. */
typedef void mb_timer_proc(struct mb_evloop *l, void *ptr);

/* A loop; fds may be any number (tables grow). NULL with err filled on failure. */
struct mb_evloop *mb_evloop_create(struct mb_err *err);
void mb_evloop_free(struct mb_evloop *l);
/* Watch fd for mask with proc(ptr); a second call for the same fd changes mask/proc/ptr.
   MB_OK or MB_EIO (err filled). */
int mb_evloop_set(struct mb_evloop *l, int fd, unsigned mask, mb_ev_proc *proc, void *ptr, struct mb_err *err);
/* The epoll descriptor: readable while events wait (for a caller that waits elsewhere). */
int mb_evloop_fd(const struct mb_evloop *l);
/* Stop watching fd (call before closing it). */
void mb_evloop_del(struct mb_evloop *l, int fd);
/* The mask fd is watched for (0 when not watched). */
unsigned mb_evloop_mask(const struct mb_evloop *l, int fd);
/* Run proc(ptr) once at or after `when_ns`. Returns the timer's id (never 0), or 0 with err
   filled (memory). */
uint64_t mb_evloop_timer(struct mb_evloop *l, uint64_t when_ns, mb_timer_proc *proc, void *ptr, struct mb_err *err);
/* Cancel a timer that has not run yet (an id that ran or is unknown is ignored). */
void mb_evloop_timer_cancel(struct mb_evloop *l, uint64_t id);
/* Earliest timer deadline, or UINT64_MAX. */
uint64_t mb_evloop_next_timer(const struct mb_evloop *l);
/* Wait up to timeout_ns (0 = poll) for events, run their handlers and the expired
   timers. Returns the number of fd events handled, or -1 (err filled) on epoll failure. */
int mb_evloop_run_once(struct mb_evloop *l, uint64_t timeout_ns, struct mb_err *err);
/* From now on, run_once runs no more fd handlers once CLOCK_MONOTONIC has passed when_ns
   (0: no such limit; it always runs one): the events left are reported by its next call. */
void mb_evloop_yield_at(struct mb_evloop *l, uint64_t when_ns);

#endif
