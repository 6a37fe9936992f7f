/* metrics.h - live metrics over HTTP: a small responder on its own thread serving the Prometheus text format (--metrics). */
#ifndef MB_METRICS_H
#define MB_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "bytebuf.h"
#include "err.h"
#include "stream.h"

#define MB_METRICS_REQ_MAX 8192       /* bytes of an HTTP request head; longer ones get 431 */
#define MB_METRICS_IO_TIMEOUT_MS 2000 /* a client that neither sends its request nor reads the answer in this long is dropped */

/* Append the whole exposition (text format 0.0.4) to out; false when memory runs out. Called
   on the responder's thread, once per scrape. */
typedef bool (*mb_metrics_render_fn)(void *ctx, struct mb_buf *out);

struct mb_metrics;

/*
 * Listen on addr (HOST:PORT, [V6]:PORT, or :PORT for every address) and serve GET /metrics
 * from a thread of its own, one client at a time, until mb_metrics_stop. MB_ERR for an address
 * of the wrong form (usage), MB_EIO when it does not resolve or cannot be bound (err says which
 * and why). *out is NULL on failure.
 */
int mb_metrics_start(struct mb_metrics **out, const char *addr, mb_metrics_render_fn fn, void *ctx, struct mb_err *err);
/*
 * The same for a program whose counters are its summary (mb-parse, mb-capture): serve what
 * mb_metrics_publish last gave, each counter NAME as the counter `mb_PROG_NAME_total` (PROG
 * the summary's program, every byte outside [a-zA-Z0-9_] made '_'), help text `help`.
 */
int mb_metrics_start_summary(struct mb_metrics **out, const char *addr, const char *help, struct mb_err *err);
/* Replace the counters served by a copy of s (any thread; takes a lock). */
void mb_metrics_publish(struct mb_metrics *m, const struct mb_summary *s);
/* The status of a request head (req[n] is NUL): 200 for GET or HEAD of /metrics (a query is
   ignored; *head says HEAD), 404 another path, 405 another method, 400 no request line or a
   NUL byte inside. Reads only req[0..n]. */
int mb_metrics_route(const char *req, size_t n, bool *head);
/* Stop serving, close the socket, free; NULL is allowed. */
void mb_metrics_stop(struct mb_metrics *m);
/* The port bound (useful with port 0). */
unsigned mb_metrics_port(const struct mb_metrics *m);

/* Render helpers. A family's HELP and TYPE lines (type "counter", "gauge" or "summary"). */
bool mb_metrics_family(struct mb_buf *b, const char *name, const char *type, const char *help);
/* One sample: name, optional labels ("k=\"v\",k2=\"v2\"" or NULL) and an integer or a real value. */
bool mb_metrics_u64(struct mb_buf *b, const char *name, const char *labels, uint64_t v);
bool mb_metrics_double(struct mb_buf *b, const char *name, const char *labels, double v);

#endif
