/* fire_record.c - mb-fire --record: what a replay sent and what came back, as an event stream (doc/mb-fire.md, Recording). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "fdio.h"
#include "fire_int.h"
#include "mbtime.h"
#include "prog.h"
#include "stream.h"

#define REC_BUF (256u * 1024) /* a buffer: about 4000 events */
#define REC_SPARE 2           /* buffers beyond one per worker: full ones waiting for the writer */

/* A buffer of whole event frames: a worker's current one, queued for the writer, or spare. */
struct rec_buf {
	uint8_t *p;
	size_t len;
	uint64_t events;      /* events in p */
	struct rec_buf *next; /* in the queue or the spare list */
};

/* The recorder: per-worker buffers, and a writer thread that writes full ones in the order
   they were handed over, so no worker waits for the file unless every spare buffer is full
   (then it waits: memory stays bounded and nothing is dropped). */
struct fire_recorder {
	int fd;
	const char *name;
	pthread_mutex_t mu;       /* guards the queue, the spare list and closing */
	pthread_cond_t cv;        /* the queue grew, a buffer was freed, or closing */
	struct rec_buf *qhead, *qtail, *spare;
	bool closing, started;
	pthread_t th;
	struct rec_buf **cur;     /* per worker: its current buffer (that worker's alone) */
	struct rec_buf *all;      /* every buffer, threads + REC_SPARE */
	unsigned nworkers, nall;
	/* the writer thread's during the run; the main thread's before and after it */
	uint64_t off;             /* bytes written so far */
	uint64_t events;          /* events written */
	uint64_t lost;            /* events not written because of a failure */
	int rc;                   /* MB_OK or the first failure */
	struct mb_err fail;
	bool header;              /* the header is out */
	uint64_t real_off;        /* CLOCK_REALTIME - CLOCK_MONOTONIC at the start, ns */
};

static void *writer_main(void *arg);

int fire_record_open(struct fire_run *r, struct mb_err *err)
{
	if (!r->opt.record)
		return MB_OK;
	struct fire_recorder *rec = calloc(1, sizeof *rec);
	if (!rec)
		return mb_err_set(err, MB_EIO, "out of memory for --record");
	r->rec = rec;
	rec->fd = -1;
	rec->name = r->opt.record;
	rec->nworkers = r->opt.threads;
	rec->nall = r->opt.threads + REC_SPARE;
	pthread_mutex_init(&rec->mu, NULL);
	pthread_cond_init(&rec->cv, NULL);
	if (!(rec->cur = calloc(rec->nworkers, sizeof *rec->cur)) || !(rec->all = calloc(rec->nall, sizeof *rec->all)))
		return mb_err_set(err, MB_EIO, "out of memory for --record");
	for (unsigned i = 0; i < rec->nall; i++) {
		if (!(rec->all[i].p = malloc(REC_BUF)))
			return mb_err_set(err, MB_EIO, "out of memory for --record");
		if (i < rec->nworkers) {
			rec->cur[i] = &rec->all[i];
		} else {
			rec->all[i].next = rec->spare;
			rec->spare = &rec->all[i];
		}
	}
	rec->fd = open(rec->name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (rec->fd < 0)
		return mb_err_set(err, MB_EIO, "--record: cannot create: %s: '%s'", strerror(errno), rec->name);
	mb_grow_pipe(rec->fd);
	rec->real_off = mb_real_ns() - mb_mono_ns();
	if (pthread_create(&rec->th, NULL, writer_main, rec) != 0)
		return mb_err_set(err, MB_EIO, "--record: cannot start its writer thread");
	rec->started = true;
	return MB_OK;
}

/* Write n bytes holding `events` events, or count them lost after a failure (the writer thread,
   or the main thread when it is not running). */
static void rec_write(struct fire_recorder *rec, const uint8_t *p, size_t n, uint64_t events)
{
	if (rec->rc == MB_OK) {
		rec->rc = mb_write_all_at(rec->fd, p, n, rec->name, rec->off, &rec->fail);
		if (rec->rc == MB_EPIPE) /* a reader that went away loses events too: not quiet here */
			mb_err_set(&rec->fail, MB_EIO, "--record: its reader went away: '%s' at byte %" PRIu64, rec->name, rec->off);
	}
	if (rec->rc != MB_OK) {
		rec->lost += events;
		return;
	}
	rec->off += n;
	rec->events += events;
}

void fire_record_header(struct fire_run *r, const struct mb_stream_info *in)
{
	struct fire_recorder *rec = r->rec;
	if (!rec || rec->header)
		return;
	/* the input's metadata, less what no longer holds, and how the events were made */
	struct mb_stream_info info;
	mb_info_init(&info, MB_KIND_EVENTS_HASHED);
	for (unsigned i = 0; i < in->nmeta; i++)
		if (strcmp(in->meta[i].key, "raw_keys") && strcmp(in->meta[i].key, "servers"))
			mb_info_set(&info, in->meta[i].key, in->meta[i].val);
	mb_info_add_program(&info, "mb-fire");
	mb_info_set(&info, "record", in->kind == MB_KIND_EVENTS_RAW ? "replay,keys=mcreq" : "replay");
	/* a failure sticks: the replay goes on, and every event is then counted lost */
	struct mb_writer w;
	int rc = mb_writer_init(&w, rec->fd, &rec->fail);
	if (rc == MB_OK) {
		w.name = rec->name;
		if ((rc = mb_writer_header(&w, &info, &rec->fail)) == MB_OK)
			rc = mb_writer_flush(&w, &rec->fail);
		rec->off = w.written;
		mb_writer_close(&w, NULL);
	}
	if (rc != MB_OK)
		rec->rc = MB_EIO;
	rec->header = true;
}

/* Append b to the writer's queue. Caller holds mu. */
static void enqueue(struct fire_recorder *rec, struct rec_buf *b)
{
	b->next = NULL;
	if (rec->qtail)
		rec->qtail->next = b;
	else
		rec->qhead = b;
	rec->qtail = b;
	pthread_cond_broadcast(&rec->cv);
}

/* Worker id's buffer is full: queue it and take a spare one, waiting for the writer to free
   one when there is none. */
static struct rec_buf *hand_over(struct fire_recorder *rec, unsigned id)
{
	pthread_mutex_lock(&rec->mu);
	enqueue(rec, rec->cur[id]);
	while (!rec->spare)
		pthread_cond_wait(&rec->cv, &rec->mu);
	struct rec_buf *b = rec->spare;
	rec->spare = b->next;
	pthread_mutex_unlock(&rec->mu);
	b->len = 0;
	b->events = 0;
	return rec->cur[id] = b;
}

static void *writer_main(void *arg)
{
	struct fire_recorder *rec = arg;
	fire_block_signals();
	pthread_mutex_lock(&rec->mu);
	for (;;) {
		while (!rec->qhead && !rec->closing)
			pthread_cond_wait(&rec->cv, &rec->mu);
		struct rec_buf *b = rec->qhead;
		if (!b)
			break; /* closing, and everything queued is written */
		if (!(rec->qhead = b->next))
			rec->qtail = NULL;
		pthread_mutex_unlock(&rec->mu);
		rec_write(rec, b->p, b->len, b->events);
		pthread_mutex_lock(&rec->mu);
		b->next = rec->spare;
		rec->spare = b;
		pthread_cond_broadcast(&rec->cv);
	}
	pthread_mutex_unlock(&rec->mu);
	return NULL;
}

/* Queue what the workers still hold (they have ended), let the writer finish, join it. */
static void writer_stop(struct fire_recorder *rec)
{
	if (!rec->started)
		return;
	pthread_mutex_lock(&rec->mu);
	for (unsigned i = 0; i < rec->nworkers; i++)
		if (rec->cur[i] && rec->cur[i]->len) {
			enqueue(rec, rec->cur[i]);
			rec->cur[i] = NULL;
		}
	rec->closing = true;
	pthread_cond_broadcast(&rec->cv);
	pthread_mutex_unlock(&rec->mu);
	pthread_join(rec->th, NULL);
	rec->started = false;
}

void fire_record_op(struct fire_worker *w, const struct fire_conn *c, const struct fire_item *h, unsigned i,
		    unsigned st, uint64_t now)
{
	struct fire_run *r = w->run;
	struct fire_recorder *rec = r->rec;
	struct rec_buf *b = rec->cur[w->id];
	const struct fire_item *m = &w->items[(h - w->items + i) & (FIRE_RING - 1)];
	bool sent = h->state == IT_SENT;
	uint64_t at = sent ? h->sent_at : r->start_ns + h->t;
	struct mb_event ev = {
		.ts_ns = at + rec->real_off,
		.latency_ns = sent && st != MB_ST_NONE && st != MB_ST_UNANSWERED && now > h->sent_at ? now - h->sent_at : 0,
		.conn_id = c->pid,
		.value_len = m->value_len,
		.ttl = m->ttl,
		.key_len = m->key_len,
		.proto = m->proto,
		.transport = c->udp ? MB_TRANSPORT_UDP : MB_TRANSPORT_TCP,
		.cmd = m->cmd,
		.status = (uint8_t)st,
		.key_hash = m->key_hash,
		.sem = m->sem,
	};
	if (m->quiet)
		ev.flags |= MB_EF_NOREPLY;
	if (h->nkeys > 1) {
		ev.batch_id = h->seq;
		ev.flags |= MB_EF_MULTI | (i + 1 == h->nkeys ? MB_EF_BATCH_END : 0);
	}
	/* where it went is the replay's connection, not a recorded server */
	ev.sem.has &= (uint16_t)~MB_SEM_SERVER;
	ev.sem.server = 0;
	size_t body = 52 + (ev.sem.has ? 1 + mb_sem_body_size(&ev.sem) : 0);
	if (REC_BUF - b->len < MB_FRAME_HDR + body)
		b = hand_over(rec, (unsigned)w->id);
	uint8_t *p = b->p + b->len;
	mb_st_le16(p, MB_FRAME_EVENT);
	mb_st_le16(p + 2, 0);
	mb_st_le32(p + 4, (uint32_t)body);
	mb_event_encode(p + MB_FRAME_HDR, &ev, MB_KIND_EVENTS_HASHED);
	b->len += MB_FRAME_HDR + body;
	b->events++;
}

int fire_record_end(struct fire_run *r, uint64_t *events, struct mb_err *err)
{
	struct fire_recorder *rec = r->rec;
	*events = 0;
	if (!rec)
		return MB_OK;
	writer_stop(rec); /* from here on only this thread writes */
	if (rec->fd >= 0 && !rec->header) {
		/* no input header was read (empty input): the file still is a valid, empty stream */
		struct mb_stream_info none;
		mb_info_init(&none, MB_KIND_EVENTS_RAW);
		fire_record_header(r, &none);
	}
	if (rec->rc == MB_OK && rec->fd >= 0) {
		/* the counters of the recording, as every stage ends its stream */
		struct mb_summary s;
		mb_summary_init(&s, "mb-fire");
		mb_summary_add(&s, "events", rec->events);
		mb_summary_add(&s, "ops", r->total.ops);
		mb_summary_add(&s, "errors", r->total.errors);
		uint8_t p[MB_FRAME_HDR + MB_SUMMARY_BYTES_MAX];
		size_t n = mb_summary_encode(&s, p + MB_FRAME_HDR);
		mb_st_le16(p, MB_FRAME_SUMMARY);
		mb_st_le16(p + 2, 0);
		mb_st_le32(p + 4, (uint32_t)n);
		rec_write(rec, p, MB_FRAME_HDR + n, 0);
	}
	if (rec->fd >= 0 && close(rec->fd) != 0 && rec->rc == MB_OK)
		rec->rc = mb_err_set(&rec->fail, MB_EIO, "--record: write error: %s: '%s'", strerror(errno), rec->name);
	rec->fd = -1;
	*events = rec->events;
	if (rec->rc != MB_OK)
		return mb_err_set(err, MB_EIO, "%s (%" PRIu64 " events not recorded)", rec->fail.msg, rec->lost);
	return MB_OK;
}

void fire_record_free(struct fire_run *r)
{
	struct fire_recorder *rec = r->rec;
	if (!rec)
		return;
	writer_stop(rec);
	if (rec->fd >= 0)
		close(rec->fd);
	for (unsigned i = 0; rec->all && i < rec->nall; i++)
		free(rec->all[i].p);
	free(rec->all);
	free(rec->cur);
	pthread_cond_destroy(&rec->cv);
	pthread_mutex_destroy(&rec->mu);
	free(rec);
	r->rec = NULL;
}
