#!/bin/sh
# t2190-parse-metrics: mb-parse --metrics serves its summary counters in the Prometheus text format while it reads.
# The bundled demo capture (13211 packets of real pymemcache traffic) is fed to mb-parse in 32
# pieces 0.1 s apart; two scrapes 1 s apart in the middle: promtool accepts both, the second's
# counters are at least the first's, its packets are more than 0 and at most 13211; the
# stream's own summary at the end says 13211 packets. A port in use fails with one line.
test_description='mb-parse --metrics: live counters while parsing'
. "$(dirname "$0")/test-lib.sh"

command -v promtool >/dev/null 2>&1 && test_set_prereq PROMTOOL

cat >feed.py <<'PY'
import socket, subprocess, sys, time
port = int(sys.argv[1])
data = open("demo.pcap", "rb").read()

def scrape(name):
    s = socket.create_connection(("127.0.0.1", port), 5)
    s.sendall(b"GET /metrics HTTP/1.0\r\n\r\n")
    buf = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        buf += d
    head, body = buf.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200 "), head
    open(name, "wb").write(body)
    return {l.rsplit(" ", 1)[0]: int(l.rsplit(" ", 1)[1]) for l in body.decode().splitlines() if l and l[0] != "#"}

p = subprocess.Popen(["mb-parse", "-q", "-P", "22122", "--metrics", "127.0.0.1:%d" % port],
                     stdin=subprocess.PIPE, stdout=open("out.mb", "wb"))
step = len(data) // 32 + 1
t0 = time.monotonic()
got = []
for i in range(32):
    p.stdin.write(data[i * step:(i + 1) * step])
    p.stdin.flush()
    time.sleep(0.1)
    if len(got) < 2 and time.monotonic() - t0 >= 1.3 + len(got):
        got.append(scrape("s%d.txt" % (len(got) + 1)))
p.stdin.close()
assert p.wait(30) == 0
a, b = got
for k, v in a.items():
    assert b[k] >= v, (k, v, b[k])
assert 0 < b["mb_parse_packets_total"] <= 13211, b["mb_parse_packets_total"]
assert b["mb_parse_events_total"] > 0
print("# scrapes: %d then %d packets" % (a["mb_parse_packets_total"], b["mb_parse_packets_total"]))
PY

test_expect_success PROMTOOL 'two scrapes while mb-parse reads: valid, growing, within the capture' '
	zstd -dqc "$MB_SRC/scripts/demo-data/demo.pcap.zst" >demo.pcap &&
	"$MB_PYTHON" feed.py $(free_port) &&
	promtool check metrics <s1.txt &&
	promtool check metrics <s2.txt &&
	test "$(sumval out.mb mb-parse packets)" = 13211
'

test_expect_success 'a metrics port in use: exit 1 with one line' '
	test_expect_code 1 "$MB_PYTHON" -c "
import socket, subprocess, sys
s = socket.socket(); s.bind((\"127.0.0.1\", 0)); s.listen(1)
sys.exit(subprocess.call([\"mb-parse\", \"--metrics\", \"127.0.0.1:%d\" % s.getsockname()[1], \"demo.pcap\"],
                         stdout=open(\"out2\", \"wb\"), stderr=open(\"err\", \"wb\")))
	" &&
	test_one_line_error mb-parse err &&
	grep "cannot listen" err
'

test_done
