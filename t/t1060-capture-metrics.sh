#!/bin/sh
# t1060-capture-metrics: mb-capture --metrics serves its counters in the Prometheus text format while it reads or captures.
# mb-test: live (captures live traffic: runs alone, after the parallel tests)
# The bundled demo capture (13211 packets) is fed to mb-capture -r - in 32 pieces 0.1 s apart;
# two scrapes 1 s apart in the middle: promtool accepts both, the counters only grow, the
# second's packets are in 1..13211, and the stream's summary at the end says 13211 packets.
# Live on lo (root): a scrape during the capture of a memcached workload counts the packets
# so far. --metrics with --ebpf is a usage error; a port in use, one line and exit 1.
test_description='mb-capture --metrics: live counters while capturing'
. "$(dirname "$0")/test-lib.sh"

command -v promtool >/dev/null 2>&1 && test_set_prereq PROMTOOL

test_expect_success PROMTOOL 'two scrapes while mb-capture reads a capture: valid, growing, within it' '
	zstd -dqc "$MB_SRC/scripts/demo-data/demo.pcap.zst" >demo.pcap &&
	port=$(free_port) &&
	"$MB_PYTHON" "$MB_SRC/t/lib/metrics-feed.py" $port demo.pcap out.mb mb_capture 13211 \
		mb-capture -r - -P 22122 --metrics 127.0.0.1:$port &&
	promtool check metrics <s1.txt &&
	promtool check metrics <s2.txt &&
	grep "^mb_capture_bytes_total [1-9]" s2.txt &&
	test "$(sumval out.mb mb-capture packets)" = 13211
'

test_expect_success ROOT,MEMCACHED,PROMTOOL 'live on lo: a scrape counts the packets captured so far' '
	start_memcached &&
	port=$(free_port) &&
	{ mb-capture -i lo -P $MC_PORT --duration 20s --metrics 127.0.0.1:$port >live.mb 2>err & } &&
	cap=$! &&
	test_when_finished "kill $cap 2>/dev/null" &&
	wait_for "test -s live.mb" &&
	"$MB_PYTHON" -c "
import socket
for i in range(200):
    s = socket.create_connection((\"127.0.0.1\", $MC_PORT)); s.sendall(b\"get k%d\\r\\n\" % i); s.recv(100); s.close()
" &&
	sleep 1.5 &&
	"$MB_PYTHON" -c "
import socket
s = socket.create_connection((\"127.0.0.1\", $port)); s.sendall(b\"GET /metrics HTTP/1.0\\r\\n\\r\\n\")
b = b\"\"
while True:
    d = s.recv(65536)
    if not d: break
    b += d
open(\"live.txt\", \"wb\").write(b.split(b\"\\r\\n\\r\\n\", 1)[1])
" &&
	promtool check metrics <live.txt &&
	n=$(sed -n "s/^mb_capture_packets_total //p" live.txt) &&
	echo "# $n packets at the scrape" &&
	test "$n" -ge 800 &&
	kill -INT $cap && wait $cap &&
	test "$(sumval live.mb mb-capture packets)" -ge "$n"
'

test_expect_success 'usage: --metrics with --ebpf; a bad address' '
	test_expect_code 2 mb-capture -i lo --ebpf --metrics 127.0.0.1:1 2>err &&
	grep "not available with --ebpf" err &&
	test_expect_code 2 mb-capture -r demo.pcap --metrics nonsense 2>err &&
	grep "want host:port" err
'

test_expect_success 'a metrics port in use: exit 1 with one line' '
	test_expect_code 1 "$MB_PYTHON" -c "
import socket, subprocess, sys
s = socket.socket(); s.bind((\"127.0.0.1\", 0)); s.listen(1)
sys.exit(subprocess.call([\"mb-capture\", \"-r\", \"demo.pcap\", \"--metrics\", \"127.0.0.1:%d\" % s.getsockname()[1]],
                         stdout=open(\"out2\", \"wb\"), stderr=open(\"err\", \"wb\")))
	" &&
	test_one_line_error mb-capture err &&
	grep "cannot listen" err
'

test_done
