/* metrics.c - live metrics over HTTP: a small responder on its own thread serving the Prometheus text format (doc/mb-fire.md, Live metrics). */
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "mbtime.h"
#include "metrics.h"

struct mb_metrics {
	int lfd, efd;            /* listening socket; eventfd that asks the thread to end */
	unsigned port;
	mb_metrics_render_fn fn;
	void *ctx;
	pthread_t th;
	pthread_mutex_t mu;      /* guards pub */
	struct mb_summary *pub;  /* mb_metrics_start_summary: the counters last published */
	const char *pub_help;
	struct mb_buf body, head, om; /* om: the body in OpenMetrics */
	char req[MB_METRICS_REQ_MAX];
};

/* Split HOST:PORT / [V6]:PORT / :PORT; MB_ERR for another form. */
static int split(const char *s, char *host, size_t cap, const char **port, struct mb_err *err)
{
	const char *c;
	if (s[0] == '[') {
		const char *e = strchr(s, ']');
		if (!e || e[1] != ':' || (size_t)(e - s - 1) >= cap)
			return mb_err_set(err, MB_ERR, "--metrics: want [addr]:port: '%s'", s);
		memcpy(host, s + 1, (size_t)(e - s - 1));
		host[e - s - 1] = 0;
		c = e + 1;
	} else {
		if (!(c = strrchr(s, ':')) || (size_t)(c - s) >= cap)
			return mb_err_set(err, MB_ERR, "--metrics: want host:port: '%s'", s);
		memcpy(host, s, (size_t)(c - s));
		host[c - s] = 0;
	}
	*port = c + 1;
	char *end;
	unsigned long p = strtoul(*port, &end, 10);
	if (!**port || *end || p > 65535)
		return mb_err_set(err, MB_ERR, "--metrics: bad port: '%s'", s);
	return MB_OK;
}

/* Wait until fd is ready for ev, the stop request comes or the deadline passes: 1 ready, 0 not. */
static int wait_fd(const struct mb_metrics *m, int fd, short ev, uint64_t deadline)
{
	for (;;) {
		uint64_t now = mb_mono_ns();
		if (now >= deadline)
			return 0;
		struct pollfd p[2] = { { fd, ev, 0 }, { m->efd, POLLIN, 0 } };
		int n = poll(p, 2, (int)((deadline - now) / 1000000 + 1));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || p[1].revents)
			return 0;
		return 1;
	}
}

/* Send all of p before the deadline; false when the client is gone or too slow. */
static bool send_all(const struct mb_metrics *m, int fd, const char *p, size_t n, uint64_t deadline)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
		} else if (w < 0 && errno == EINTR) {
			continue;
		} else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (!wait_fd(m, fd, POLLOUT, deadline))
				return false;
		} else {
			return false;
		}
	}
	return true;
}

static bool vput(struct mb_buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0 || !mb_buf_reserve(b, (size_t)n + 1))
		return false;
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return true;
}

static bool put(struct mb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool put(struct mb_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bool ok = vput(b, fmt, ap);
	va_end(ap);
	return ok;
}

int mb_metrics_route(const char *req, size_t n, bool *head)
{
	*head = false;
	if (memchr(req, 0, n))
		return 400;
	size_t ml = strcspn(req, " \r\n");
	if (req[ml] != ' ')
		return 400;
	const char *path = req + ml + 1;
	size_t pl = strcspn(path, " ?\r\n");
	*head = ml == 4 && !memcmp(req, "HEAD", 4);
	if (!(ml == 3 && !memcmp(req, "GET", 3)) && !*head)
		return 405;
	return pl == 8 && !memcmp(path, "/metrics", 8) ? 200 : 404;
}

/* The text format in OpenMetrics 1.0: a counter family is named without its samples' `_total`
   in the HELP and TYPE lines, and the exposition ends with `# EOF`. Appends to out. */
static bool to_openmetrics(const struct mb_buf *in, struct mb_buf *out)
{
	for (size_t at = 0; at < in->len;) {
		const char *l = in->p + at, *e = memchr(l, '\n', in->len - at);
		size_t n = e ? (size_t)(e - l) : in->len - at, name = 0;
		at += n + 1;
		if (n > 7 && (!memcmp(l, "# HELP ", 7) || !memcmp(l, "# TYPE ", 7)))
			name = strcspn(l + 7, " \n");
		if (name > 6 && !memcmp(l + 7 + name - 6, "_total", 6)) {
			if (!put(out, "%.*s%.*s\n", (int)(7 + name - 6), l, (int)(n - 7 - name), l + 7 + name))
				return false;
		} else if (!put(out, "%.*s\n", (int)n, l)) {
			return false;
		}
	}
	return put(out, "# EOF\n");
}

/* Answer one request head of n bytes (NUL-terminated in m->req), or `status` when it is already known. */
static void respond(struct mb_metrics *m, int fd, size_t n, int status, uint64_t deadline)
{
	const char *reason = "OK", *type = "text/plain; version=0.0.4; charset=utf-8";
	bool head_only = false;
	m->body.len = m->head.len = m->om.len = 0;
	if (!status && (status = mb_metrics_route(m->req, n, &head_only)) == 200)
		status = m->fn(m->ctx, &m->body) ? 200 : 500;
	/* what a client that asks for OpenMetrics (Prometheus does) gets */
	if (status == 200 && strstr(m->req, "application/openmetrics-text")) {
		if (!to_openmetrics(&m->body, &m->om))
			status = 500;
		struct mb_buf t = m->body;
		m->body = m->om;
		m->om = t;
		type = "application/openmetrics-text; version=1.0.0; charset=utf-8";
	}
	if (status != 200) {
		m->body.len = 0;
		reason = status == 404 ? "Not Found" : status == 405 ? "Method Not Allowed" : status == 431 ? "Request Header Fields Too Large"
			 : status == 400 ? "Bad Request" : "Internal Server Error";
		if (!put(&m->body, "%d %s: this server answers GET /metrics\n", status, reason))
			return;
	}
	if (!put(&m->head,
		 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n", status, reason,
		 status == 200 ? type : "text/plain; charset=utf-8", m->body.len,
		 status == 405 ? "Allow: GET, HEAD\r\n" : ""))
		return;
	if (send_all(m, fd, m->head.p, m->head.len, deadline) && !head_only)
		send_all(m, fd, m->body.p, m->body.len, deadline);
}

/* After the answer: read and drop what the client still sends until it closes (or the deadline),
   so that closing with unread input does not reset the connection before it read the answer. */
static void drain(const struct mb_metrics *m, int fd, uint64_t deadline)
{
	char sink[4096];
	shutdown(fd, SHUT_WR);
	while (wait_fd(m, fd, POLLIN, deadline)) {
		ssize_t r = recv(fd, sink, sizeof sink, MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK))
			return;
	}
}

/* Read one request head (bounded, with a deadline) and answer it. */
static void serve(struct mb_metrics *m, int fd)
{
	uint64_t deadline = mb_mono_ns() + (uint64_t)MB_METRICS_IO_TIMEOUT_MS * 1000000;
	size_t n = 0;
	for (;;) {
		if (!wait_fd(m, fd, POLLIN, deadline))
			return;
		ssize_t r = recv(fd, m->req + n, sizeof m->req - 1 - n, MSG_DONTWAIT);
		if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (r <= 0)
			return;
		n += (size_t)r;
		m->req[n] = 0;
		if (strstr(m->req, "\r\n\r\n") || strstr(m->req, "\n\n"))
			break;
		if (n == sizeof m->req - 1) {
			respond(m, fd, n, 431, deadline);
			drain(m, fd, deadline);
			return;
		}
	}
	respond(m, fd, n, 0, deadline);
	drain(m, fd, deadline);
}

static void *metrics_main(void *arg)
{
	struct mb_metrics *m = arg;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL); /* the program's main thread takes its signals */
	for (;;) {
		struct pollfd p[2] = { { m->lfd, POLLIN, 0 }, { m->efd, POLLIN, 0 } };
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (!p[0].revents)
			continue;
		int fd = accept4(m->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0) {
			/* a client that went away: the next one may do; out of descriptors (a replay may
			   hold them all) or memory: the client waits in the backlog, so pause instead of
			   spinning on a listening socket that stays readable */
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				struct pollfd e = { m->efd, POLLIN, 0 };
				poll(&e, 1, 100);
			}
			continue;
		}
		serve(m, fd);
		close(fd);
	}
	return NULL;
}

/* Listen and start the responder; with pub (owned from here on) it serves the published summary. */
static int start(struct mb_metrics **out, const char *addr, mb_metrics_render_fn fn, void *ctx, struct mb_summary *pub,
		 const char *help, struct mb_err *err)
{
	*out = NULL;
	char host[256];
	const char *port = NULL;
	if (split(addr, host, sizeof host, &port, err) != MB_OK) {
		free(pub);
		return MB_ERR;
	}
	struct addrinfo hints = { 0 }, *res;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	int rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (rc) {
		free(pub);
		return mb_err_set(err, MB_EIO, "--metrics: cannot resolve: %s: '%s'", gai_strerror(rc), addr);
	}
	int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 16) != 0) {
		mb_err_set(err, MB_EIO, "--metrics: cannot listen: %s: '%s'", strerror(errno), addr);
		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		free(pub);
		return MB_EIO;
	}
	freeaddrinfo(res);
	struct mb_metrics *m = calloc(1, sizeof *m);
	if (!m) {
		close(fd);
		free(pub);
		return mb_err_set(err, MB_EIO, "out of memory");
	}
	m->lfd = fd;
	m->fn = fn;
	m->ctx = pub ? m : ctx;
	m->pub = pub;
	m->pub_help = help;
	pthread_mutex_init(&m->mu, NULL);
	struct sockaddr_storage sa;
	socklen_t sl = sizeof sa;
	if (getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
		m->port = ntohs(sa.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&sa)->sin6_port : ((struct sockaddr_in *)&sa)->sin_port);
	if ((m->efd = eventfd(0, EFD_CLOEXEC)) < 0 || pthread_create(&m->th, NULL, metrics_main, m) != 0) {
		mb_err_set(err, MB_EIO, "--metrics: cannot start its thread: '%s'", addr);
		if (m->efd >= 0)
			close(m->efd);
		close(fd);
		pthread_mutex_destroy(&m->mu);
		free(m->pub);
		free(m);
		return MB_EIO;
	}
	*out = m;
	return MB_OK;
}

int mb_metrics_start(struct mb_metrics **out, const char *addr, mb_metrics_render_fn fn, void *ctx, struct mb_err *err)
{
	return start(out, addr, fn, ctx, NULL, NULL, err);
}

unsigned mb_metrics_port(const struct mb_metrics *m) { return m->port; }

/* A summary counter's metric name: mb_PROG_NAME_total, bytes outside [A-Za-z0-9_] made '_'. */
static void metric_name(char *out, size_t cap, const char *prog, const char *name)
{
	snprintf(out, cap, "mb_%s_%s_total", strncmp(prog, "mb-", 3) ? prog : prog + 3, name);
	for (char *p = out; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
			*p = '_';
}

/* Render what was last published (the responder's thread; m->mu guards pub). */
static bool render_summary(void *ctx, struct mb_buf *b)
{
	struct mb_metrics *m = ctx;
	char name[128];
	bool ok = true;
	pthread_mutex_lock(&m->mu);
	for (unsigned i = 0; ok && i < m->pub->n; i++) {
		metric_name(name, sizeof name, m->pub->program, m->pub->c[i].name);
		ok = put(b, "# HELP %s %s: %s\n# TYPE %s counter\n%s %" PRIu64 "\n", name, m->pub_help, m->pub->c[i].name, name, name,
			 m->pub->c[i].val);
	}
	pthread_mutex_unlock(&m->mu);
	return ok;
}

int mb_metrics_start_summary(struct mb_metrics **out, const char *addr, const char *help, struct mb_err *err)
{
	*out = NULL;
	struct mb_summary *pub = calloc(1, sizeof *pub);
	if (!pub)
		return mb_err_set(err, MB_EIO, "out of memory");
	return start(out, addr, render_summary, NULL, pub, help, err);
}

void mb_metrics_publish(struct mb_metrics *m, const struct mb_summary *s)
{
	pthread_mutex_lock(&m->mu);
	*m->pub = *s;
	pthread_mutex_unlock(&m->mu);
}

void mb_metrics_stop(struct mb_metrics *m)
{
	if (!m)
		return;
	uint64_t one = 1;
	if (write(m->efd, &one, sizeof one) == (ssize_t)sizeof one)
		pthread_join(m->th, NULL);
	close(m->efd);
	close(m->lfd);
	mb_buf_free(&m->body);
	mb_buf_free(&m->head);
	mb_buf_free(&m->om);
	pthread_mutex_destroy(&m->mu);
	free(m->pub);
	free(m);
}

bool mb_metrics_family(struct mb_buf *b, const char *name, const char *type, const char *help)
{
	return put(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

bool mb_metrics_u64(struct mb_buf *b, const char *name, const char *labels, uint64_t v)
{
	return put(b, "%s%s%s%s %" PRIu64 "\n", name, labels ? "{" : "", labels ? labels : "", labels ? "}" : "", v);
}

bool mb_metrics_double(struct mb_buf *b, const char *name, const char *labels, double v)
{
	return put(b, "%s%s%s%s %.9g\n", name, labels ? "{" : "", labels ? labels : "", labels ? "}" : "", v);
}
