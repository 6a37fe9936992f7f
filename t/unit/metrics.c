/* metrics.c - unit tests of common/metrics.c: request routing, and a published summary served over a real socket. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "metrics.h"
#include "tap.h"

/* The status mb_metrics_route gives a C string, and whether it saw HEAD. */
static int route(const char *s, bool *head) { return mb_metrics_route(s, strlen(s), head); }

/* GET /metrics from the responder on port; the whole answer into buf. */
static size_t scrape(unsigned port, const char *req, char *buf, size_t cap)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	size_t n = 0;
	if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0 && write(fd, req, strlen(req)) == (ssize_t)strlen(req)) {
		ssize_t r;
		while (n < cap - 1 && (r = read(fd, buf + n, cap - 1 - n)) > 0)
			n += (size_t)r;
	}
	buf[n] = 0;
	close(fd);
	return n;
}

int main(void)
{
	bool head;
	is_int(route("GET /metrics HTTP/1.1\r\n\r\n", &head), 200, "GET /metrics");
	ok(!head, "a GET is not a HEAD");
	is_int(route("GET /metrics?x=1 HTTP/1.0\r\n\r\n", &head), 200, "a query is ignored");
	is_int(route("HEAD /metrics HTTP/1.1\r\n\r\n", &head), 200, "HEAD /metrics");
	ok(head, "HEAD seen");
	is_int(route("GET / HTTP/1.1\r\n\r\n", &head), 404, "another path");
	is_int(route("GET /metricsx HTTP/1.1\r\n\r\n", &head), 404, "a longer path");
	is_int(route("POST /metrics HTTP/1.1\r\n\r\n", &head), 405, "another method");
	is_int(route("GET\r\n\r\n", &head), 400, "no path");
	is_int(route("", &head), 400, "nothing");
	is_int(mb_metrics_route("GET /metrics\0 HTTP/1.1\r\n\r\n", 25, &head), 400, "a NUL inside");

	struct mb_err err;
	struct mb_metrics *m;
	is_int(mb_metrics_start_summary(&m, "nonsense", "x", &err), MB_ERR, "an address without a port is a usage error");
	is_int(mb_metrics_start_summary(&m, "127.0.0.1:70000", "x", &err), MB_ERR, "a port over 65535");
	if (!ok(mb_metrics_start_summary(&m, "127.0.0.1:0", "mb-test's counter", &err) == MB_OK, "listening on a free port"))
		return done_testing();
	static char buf[65536];
	scrape(mb_metrics_port(m), "GET /metrics HTTP/1.0\r\n\r\n", buf, sizeof buf);
	ok(strstr(buf, "HTTP/1.1 200 ") == buf && strstr(buf, "\r\n\r\n") && !strstr(buf, "_total"),
	   "before anything is published: 200 and no sample");
	struct mb_summary s;
	mb_summary_init(&s, "mb-test");
	mb_summary_add(&s, "packets", 42);
	mb_summary_add(&s, "cmd.get", 7);
	mb_metrics_publish(m, &s);
	scrape(mb_metrics_port(m), "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", buf, sizeof buf);
	ok(strstr(buf, "Content-Type: text/plain; version=0.0.4"), "the Prometheus text content type");
	ok(strstr(buf, "\n# TYPE mb_test_packets_total counter\nmb_test_packets_total 42\n"), "a counter, with its TYPE");
	ok(strstr(buf, "\nmb_test_cmd_get_total 7\n"), "a dotted name made a metric name");
	ok(strstr(buf, "# HELP mb_test_packets_total mb-test's counter: packets\n"), "its HELP names the summary counter");
	size_t n = scrape(mb_metrics_port(m), "GET /metrics HTTP/1.1\r\nAccept: application/openmetrics-text; version=1.0.0\r\n\r\n",
			  buf, sizeof buf);
	ok(strstr(buf, "Content-Type: application/openmetrics-text; version=1.0.0"), "OpenMetrics when asked for");
	ok(strstr(buf, "\n# TYPE mb_test_packets counter\nmb_test_packets_total 42\n"), "OpenMetrics: the family without _total");
	ok(strstr(buf, "\n# HELP mb_test_cmd_get mb-test's counter: cmd.get\n"), "OpenMetrics: HELP named the same");
	ok(n > 6 && !strcmp(buf + n - 6, "# EOF\n"), "OpenMetrics: it ends with # EOF");
	scrape(mb_metrics_port(m), "GET /nothing HTTP/1.1\r\n\r\n", buf, sizeof buf);
	ok(strstr(buf, "HTTP/1.1 404 ") == buf, "404 over the socket");
	scrape(mb_metrics_port(m), "HEAD /metrics HTTP/1.1\r\n\r\n", buf, sizeof buf);
	ok(strstr(buf, "HTTP/1.1 200 ") == buf && !strstr(buf, "mb_test_packets_total 42"), "HEAD: the head, no body");
	struct mb_metrics *again;
	char addr[32];
	snprintf(addr, sizeof addr, "127.0.0.1:%u", mb_metrics_port(m));
	is_int(mb_metrics_start_summary(&again, addr, "x", &err), MB_EIO, "the same port again: cannot listen");
	ok(strstr(err.msg, "cannot listen") != NULL, "the message says so: %s", err.msg);
	mb_metrics_stop(m);
	return done_testing();
}
