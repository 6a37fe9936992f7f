#!/bin/sh
# t5140-fire-metrics: mb-fire --metrics serves Prometheus text during a replay: promtool accepts it, counters only grow and never exceed memcached's own.
# A 6 s replay (30000 operations at 5000/s over 20 connections) against a fresh memcached with
# --metrics on a free port. Two scrapes 1 s apart in the middle of it: `promtool check metrics`
# accepts both, mb_fire_running is 1, every counter and summary count of the second is at
# least the first's, and the get and set operations of each scrape are at most what memcached
# counted (its stats read right after the scrape). The report's operations equal memcached's
# cmd_get + cmd_set at the end, its get hits and misses memcached's, its sets stored cmd_set. The responder answers 404, 405 and 431 (an oversized request)
# and drops a client that sends nothing after 2 s. Asked for OpenMetrics (as Prometheus asks),
# it answers in it: the prometheus_client reference parser accepts it, with the same samples. A port in use and a bad address fail
# with one line before anything is sent.
test_description='mb-fire --metrics: live counters in the Prometheus text format'
. "$(dirname "$0")/test-lib.sh"

command -v promtool >/dev/null 2>&1 && test_set_prereq PROMTOOL
"$MB_PYTHON" -c "import prometheus_client.openmetrics.parser" 2>/dev/null && test_set_prereq PROMCLIENT

test_expect_success 'a 6 s workload' '
	mb-gen -n 30000 -r 5000 -c 20 --uniform --seed 3 >w.ev
'

cat >scrape.py <<'PY'
import socket, subprocess, sys, time
mc_port, m_port = int(sys.argv[1]), int(sys.argv[2])

def http(req, timeout=5):
    s = socket.create_connection(("127.0.0.1", m_port), timeout)
    s.sendall(req)
    buf = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        buf += d
    s.close()
    return buf

def stats():
    s = socket.create_connection(("127.0.0.1", mc_port), 5)
    s.sendall(b"stats\r\n")
    buf = b""
    while not buf.endswith(b"END\r\n"):
        buf += s.recv(65536)
    return {p[1]: int(p[2]) for p in (l.split() for l in buf.decode().splitlines()) if len(p) == 3 and p[2].isdigit()}

def scrape(name):
    r = http(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    head, body = r.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200 "), head
    assert b"text/plain; version=0.0.4" in head, head
    open(name, "wb").write(body)
    # the same as OpenMetrics, as Prometheus asks for it
    r = http(b"GET /metrics HTTP/1.1\r\nAccept: application/openmetrics-text; version=1.0.0,text/plain;q=0.5\r\n\r\n")
    head, om = r.split(b"\r\n\r\n", 1)
    assert b"Content-Type: application/openmetrics-text; version=1.0.0" in head, head
    open(name + ".om", "wb").write(om)
    return body.decode(), stats()

def samples(text):
    out = {}
    for l in text.splitlines():
        if l and not l.startswith("#"):
            k, v = l.rsplit(" ", 1)
            out[k] = float(v)
    return out

fire = subprocess.Popen(["mb-fire", "-q", "-t", "127.0.0.1:%d" % mc_port, "--metrics", "127.0.0.1:%d" % m_port, "w.ev"],
                        stdout=open("report", "w"))
t0 = time.monotonic()
while True:
    try:
        http(b"GET /metrics HTTP/1.0\r\n\r\n")
        break
    except OSError:
        assert time.monotonic() - t0 < 5, "no metrics after 5 s"
        time.sleep(0.05)
time.sleep(1.0)
a_text, a_mc = scrape("s1.txt")
time.sleep(1.0)
b_text, b_mc = scrape("s2.txt")
idle = socket.create_connection(("127.0.0.1", m_port), 5)  # sends nothing: dropped after 2 s
t1 = time.monotonic()
scrape("s3.txt")
print("# a scrape behind an idle client took %.2f s" % (time.monotonic() - t1))
assert time.monotonic() - t1 < 3
assert http(b"GET /other HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.1 404 ")
assert http(b"POST /metrics HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.1 405 ")
assert http(b"GET /metrics HTTP/1.1\r\nX: " + b"a" * 9000 + b"\r\n\r\n").startswith(b"HTTP/1.1 431 ")
idle.close()
rc = fire.wait(30)
assert rc == 0, rc
a, b = samples(a_text), samples(b_text)
assert a["mb_fire_running"] == 1 and b["mb_fire_running"] == 1, (a["mb_fire_running"], b["mb_fire_running"])
for k, v in a.items():
    if k.split("{")[0].endswith(("_total", "_count", "_sum")):
        assert b.get(k, 0) >= v, (k, v, b.get(k))
def ops(s, cmd, status=None):
    return sum(v for k, v in s.items() if k.startswith('mb_fire_operations_total{command="%s"' % cmd) and
               (status is None or 'status="%s"' % status in k))
for s, mc in ((a, a_mc), (b, b_mc)):
    assert 0 < ops(s, "get") <= mc["cmd_get"], (ops(s, "get"), mc["cmd_get"])
    assert 0 < ops(s, "set") <= mc["cmd_set"], (ops(s, "set"), mc["cmd_set"])
    assert ops(s, "get", "hit") <= mc["get_hits"], (ops(s, "get", "hit"), mc["get_hits"])
assert ops(b, "get") + ops(b, "set") > ops(a, "get") + ops(a, "set")
assert b["mb_fire_latency_seconds_count"] > a["mb_fire_latency_seconds_count"] > 0
final = stats()
report = open("report").read().splitlines()
total = int(report[0].split()[1])
assert total == 30000 == final["cmd_get"] + final["cmd_set"], (total, final["cmd_get"], final["cmd_set"])
st = {l.split()[0]: dict(w.split("=") for w in l.split() if "=" in w) for l in report if l.startswith(("get ", "set "))}
assert int(st["get"]["hit"]) == final["get_hits"] and int(st["get"]["miss"]) == final["get_misses"], (st, final["get_hits"])
assert int(st["set"]["stored"]) == final["cmd_set"], (st, final["cmd_set"])
print("# scrapes: %d then %d operations; memcached at the end: %d" % (ops(a, "get") + ops(a, "set"), ops(b, "get") + ops(b, "set"), total))
PY

test_expect_success MEMCACHED,PROMTOOL 'two scrapes in the middle of a replay: valid, growing, within memcached counts' '
	start_memcached &&
	"$MB_PYTHON" scrape.py $MC_PORT $(free_port) &&
	cat report &&
	grep "^errors: 0 " report &&
	promtool check metrics <s1.txt &&
	promtool check metrics <s2.txt &&
	cp s1.txt.om s1.om && cp s2.txt.om s2.om
'

test_expect_success MEMCACHED,PROMTOOL,PROMCLIENT 'the OpenMetrics scrapes: the reference parser accepts them, the same samples' '
	"$MB_PYTHON" -c "
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families as om
from prometheus_client.parser import text_string_to_metric_families as prom
for n in (\"s1\", \"s2\"):
    a = {(s.name, tuple(sorted(s.labels.items()))): s.value for f in om(open(n + \".om\").read()) for s in f.samples}
    b = {(s.name, tuple(sorted(s.labels.items()))): s.value for f in prom(open(n + \".txt\").read()) for s in f.samples}
    # the text scrape came first: every OpenMetrics sample is there, and no counter is lower
    assert set(a) == set(b), set(a) ^ set(b)
    assert all(a[k] >= b[k] for k in a if k[0].endswith((\"_total\", \"_count\"))), n
    print(\"# %s: %d samples\" % (n, len(a)))
"
'

test_expect_success MEMCACHED 'a metrics port in use: exit 1 with one line, nothing sent' '
	start_memcached &&
	test_expect_code 1 mb-fire -q -t 127.0.0.1:$MC_PORT --metrics 127.0.0.1:$MC_PORT w.ev >report 2>err &&
	test_one_line_error mb-fire err &&
	grep "cannot listen: Address already in use" err &&
	test_must_be_empty report &&
	test "$(mc_stats | sed -n "s/^cmd_get //p")" = 0
'

test_expect_success 'a bad metrics address: usage error' '
	test_expect_code 2 mb-fire -q -t 127.0.0.1:1 --metrics nonsense w.ev 2>err &&
	grep "metrics: want host:port" err &&
	test_expect_code 2 mb-fire -q -t 127.0.0.1:1 --metrics 127.0.0.1:99999 w.ev 2>err &&
	grep "bad port" err
'

test_done
