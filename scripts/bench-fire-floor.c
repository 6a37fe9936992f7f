/* bench-fire-floor.c - the send lateness an ideal sender gets on this machine: a thread that polls the clock for uniform deadlines, sending nothing or a plain request at each.
 *
 * usage: bench-fire-floor RATE COUNT [HOST PORT CONNS [REQUESTS]]
 *
 * The peers of mb-fire's timing-fidelity figure. It waits for COUNT deadlines RATE per
 * second apart exactly as a replaying worker would: it polls CLOCK_MONOTONIC and records,
 * per deadline, how late the first clock reading at or after it came. It also counts the
 * gaps between consecutive clock readings that exceed 10 us: how often, and for how long in
 * all, the polling thread did not run.
 *   - Without HOST: it sends nothing. Whatever lateness it sees is the machine's (timer
 *     interrupts, other tasks, the hypervisor descheduling the virtual CPU), so no
 *     replayer on the same machine at the same moment can do better.
 *   - With HOST PORT CONNS: at each deadline it sends one request over the next of CONNS
 *     TCP connections to a memcached (every 11th a 100-byte set, the others gets, keys
 *     "mbk" and a number below 10000: the bench's mix), or with REQUESTS, a file of lines
 *     "CONN get|set KEY VALUE_LEN" (a replay profile's requests, as mb-cat prints them),
 *     request i of the file over connection CONN modulo CONNS; between deadlines it reads
 *     whatever came back without parsing it, one connection at a time until the next
 *     deadline. It makes the sends a replayer makes, with
 *     nothing else: no input, no order, no statistics, so its lateness is the least a
 *     sender of the same requests gets on this machine, and the difference to the first
 *     is what sending costs here.
 *
 * One line on stdout:
 *   p50_us P90_us P99_us P999_us MAX_us GAPS_OVER_50US LOST_MS
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 1024

static uint64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Open conns TCP connections to host:port into fds, all in epoll set ep; 0 or -1. */
static int open_conns(const char *host, const char *port, int conns, int *fds, int ep)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "bench-fire-floor: HOST %s: not an IPv4 address\n", host);
		return -1;
	}
	for (int i = 0; i < conns; i++) {
		int one = 1;
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fds[i] < 0 || connect(fds[i], (struct sockaddr *)&sa, sizeof sa) != 0) {
			fprintf(stderr, "bench-fire-floor: connect %s:%s: %s\n", host, port, strerror(errno));
			return -1;
		}
		setsockopt(fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) != 0)
			return -1;
	}
	return 0;
}

/* Read and drop what the connections have ready, up to the instant until (CLOCK_MONOTONIC
   ns): the bytes read, or -1 on a closed one. */
static long drain(int ep, const int *fds, uint64_t until)
{
	struct epoll_event evs[64];
	char buf[65536];
	long got = 0;
	int n = epoll_wait(ep, evs, 64, 0);
	for (int i = 0; i < n && (i == 0 || mono_ns() < until); i++) {
		ssize_t r;
		while ((r = recv(fds[evs[i].data.u32], buf, sizeof buf, MSG_DONTWAIT)) > 0)
			got += r;
		if (r == 0)
			return -1;
	}
	return got;
}

/* Requests read from a file, built before the first deadline: request i is the bytes from
   at[i] to at[i + 1] of wire, sent over connection conn[i]. */
struct reqs {
	uint64_t n;
	char *wire;
	size_t *at;
	int *conn;
};

#define VALUE_MAX 1048576

/* Read at least count requests ("CONN get|set KEY VALUE_LEN" lines) from path into q,
   their connections taken modulo conns; 0 or -1 (with a line on stderr). */
static int load_requests(const char *path, uint64_t count, int conns, struct reqs *q)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "bench-fire-floor: %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t cap = 1 << 20, len = 0;
	q->wire = malloc(cap);
	q->at = malloc((count + 1) * sizeof *q->at);
	q->conn = malloc(count * sizeof *q->conn);
	char *value = calloc(1, VALUE_MAX), line[512];
	if (!q->wire || !q->at || !q->conn || !value) {
		fprintf(stderr, "bench-fire-floor: out of memory\n");
		fclose(f);
		return -1;
	}
	memset(value, 'v', VALUE_MAX);
	for (q->n = 0; q->n < count && fgets(line, sizeof line, f); q->n++) {
		char cmd[8], key[251];
		unsigned conn, vlen;
		if (sscanf(line, "%u %7s %250s %u", &conn, cmd, key, &vlen) != 4 || vlen >= VALUE_MAX ||
		    (strcmp(cmd, "get") && strcmp(cmd, "set"))) {
			fprintf(stderr, "bench-fire-floor: %s: line %" PRIu64 ": not CONN get|set KEY VALUE_LEN\n", path, q->n + 1);
			fclose(f);
			return -1;
		}
		size_t need = strlen(key) + vlen + 64;
		if (len + need > cap) {
			char *w = realloc(q->wire, cap = 2 * (len + need));
			if (!w) {
				fprintf(stderr, "bench-fire-floor: out of memory\n");
				fclose(f);
				return -1;
			}
			q->wire = w;
		}
		q->at[q->n] = len;
		q->conn[q->n] = (int)(conn % (unsigned)conns);
		if (!strcmp(cmd, "get"))
			len += (size_t)sprintf(q->wire + len, "get %s\r\n", key);
		else
			len += (size_t)sprintf(q->wire + len, "set %s 0 0 %u\r\n%.*s\r\n", key, vlen, (int)vlen, value);
	}
	q->at[q->n] = len;
	free(value);
	fclose(f);
	if (q->n < count) {
		fprintf(stderr, "bench-fire-floor: %s: %" PRIu64 " requests, %" PRIu64 " wanted\n", path, q->n, count);
		return -1;
	}
	return 0;
}

/* Send request number i over its connection (from q when it has requests); 0 or -1. */
static int send_request(const int *fds, int conns, const struct reqs *q, uint64_t i)
{
	char buf[256];
	const char *req = buf;
	unsigned key = (unsigned)(i * 7919 % 10000);
	int fd = fds[i % (unsigned)conns], len;
	if (q->n) {
		req = q->wire + q->at[i];
		len = (int)(q->at[i + 1] - q->at[i]);
		fd = fds[q->conn[i]];
	} else
		len = i % 11 == 10 ? snprintf(buf, sizeof buf, "set mbk%u 0 0 100\r\n%0100u\r\n", key, 0u)
				   : snprintf(buf, sizeof buf, "get mbk%u\r\n", key);
	for (int off = 0; off < len;) {
		ssize_t w = send(fd, req + off, (size_t)(len - off), MSG_NOSIGNAL);
		if (w < 0 && errno != EINTR)
			return -1;
		off += w > 0 ? (int)w : 0;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3 && argc != 6 && argc != 7) {
		fprintf(stderr, "usage: bench-fire-floor RATE COUNT [HOST PORT CONNS [REQUESTS]]\n");
		return 2;
	}
	int conns = argc >= 6 ? atoi(argv[5]) : 0, fds[MAX_CONNS], ep = -1;
	struct reqs q = { 0 };
	if (argc >= 6 && (conns < 1 || conns > MAX_CONNS)) {
		fprintf(stderr, "bench-fire-floor: CONNS in [1, %d]\n", MAX_CONNS);
		return 2;
	}
	if (conns && ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0 || open_conns(argv[3], argv[4], conns, fds, ep) != 0))
		return 1;
	double rate = strtod(argv[1], NULL);
	uint64_t n = strtoull(argv[2], NULL, 10);
	if (!(rate > 0 && rate <= 1e8) || n == 0 || n > 100000000) {
		fprintf(stderr, "bench-fire-floor: RATE in (0, 1e8], COUNT in [1, 1e8]\n");
		return 2;
	}
	if (argc == 7 && load_requests(argv[6], n, conns, &q) != 0)
		return 1;
	uint64_t *late = malloc(n * sizeof *late);
	if (!late) {
		fprintf(stderr, "bench-fire-floor: out of memory\n");
		return 1;
	}
	double gap_ns = 1e9 / rate;
	uint64_t start = mono_ns() + 10000000, prev = mono_ns(), gaps50 = 0, lost = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t due = start + (uint64_t)((double)i * gap_ns), t;
		for (;;) {
			t = mono_ns();
			if (t - prev > 10000) {
				lost += t - prev;
				gaps50 += t - prev > 50000;
			}
			prev = t;
			if (t >= due)
				break;
			if (conns && drain(ep, fds, due) < 0) {
				fprintf(stderr, "bench-fire-floor: the server closed a connection\n");
				return 1;
			}
		}
		late[i] = t - due;
		if (conns && send_request(fds, conns, &q, i) != 0) {
			fprintf(stderr, "bench-fire-floor: send: %s\n", strerror(errno));
			return 1;
		}
		if (conns && i % 64 == 63 && drain(ep, fds, start + (uint64_t)((double)(i + 1) * gap_ns)) < 0) { /* behind: still read */
			fprintf(stderr, "bench-fire-floor: the server closed a connection\n");
			return 1;
		}
	}
	qsort(late, n, sizeof *late, cmp_u64);
	printf("%.1f %.1f %.1f %.1f %.1f %" PRIu64 " %.1f\n", late[n / 2] / 1e3, late[n * 9 / 10] / 1e3,
	       late[n * 99 / 100] / 1e3, late[n * 999 / 1000] / 1e3, late[n - 1] / 1e3, gaps50, lost / 1e6);
	free(late);
	free(q.wire);
	free(q.at);
	free(q.conn);
	for (int i = 0; i < conns; i++)
		close(fds[i]);
	return 0;
}
