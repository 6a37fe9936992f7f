#!/bin/sh
# t5090-fire-topology: mb-parse records which server each connection talked to, and mb-fire
# mb-test: live (captures live traffic: runs alone, after the parallel tests)
# replays each recorded server on its own target. A raw client drives two memcached servers
# A and B with different loads (A first, so A is server 0) while tcpdump captures both;
# mb-parse | mb-anon | mb-pack make a profile; mb-fire -t C,D replays it on two fresh
# servers: C's counters must equal A's and D's equal B's. With --hash the same keys are
# spread by consistent hashing instead, so the per-server counts no longer match.
test_description='mb-fire maps recorded servers to targets in order of first appearance'
. "$(dirname "$0")/test-lib.sh"

COUNTERS='^(cmd_get|cmd_set|get_hits|get_misses|delete_hits|delete_misses|incr_hits|incr_misses) '

cat >drive.py <<'PY'
import socket, sys
def conn(port):
    return socket.create_connection(("127.0.0.1", int(port)), 5)
def ask(s, req, ends):
    s.sendall(req)
    buf = b""
    while not any(buf.endswith(e) for e in ends):
        d = s.recv(65536)
        if not d:
            raise SystemExit("server closed")
        buf += d
    return buf
a, b = conn(sys.argv[1]), conn(sys.argv[2])
ask(a, b"version\r\n", [b"\r\n"])  # A is the first server seen
ask(b, b"version\r\n", [b"\r\n"])
for i in range(40):        # A: 40 sets, 60 get hits, 20 misses, 10 deletes
    ask(a, b"set a%d 0 0 3\r\nabc\r\n" % i, [b"STORED\r\n"])
for i in range(60):
    ask(a, b"get a%d\r\n" % (i % 40), [b"END\r\n"])
for i in range(20):
    ask(a, b"get nope%d\r\n" % i, [b"END\r\n"])
for i in range(10):
    ask(a, b"delete a%d\r\n" % i, [b"\r\n"])
for i in range(7):         # B: 7 sets, 5 incr hits, 3 incr misses, 9 get hits, 4 deletes misses
    ask(b, b"set b%d 0 0 1\r\n5\r\n" % i, [b"STORED\r\n"])
for i in range(5):
    ask(b, b"incr b%d 2\r\n" % i, [b"\r\n"])
for i in range(3):
    ask(b, b"incr nob%d 2\r\n" % i, [b"NOT_FOUND\r\n"])
for i in range(9):
    ask(b, b"get b%d\r\n" % (i % 7), [b"END\r\n"])
for i in range(4):
    ask(b, b"delete gone%d\r\n" % i, [b"NOT_FOUND\r\n"])
PY

capture_once() {
	rm -f cap.pcap cap.pcap.err &&
	start_memcached && pa=$MC_PORT &&
	start_memcached && pb=$MC_PORT &&
	tcpdump_lo cap.pcap "tcp port $pa or tcp port $pb" &&
	"$MB_PYTHON" drive.py $pa $pb &&
	tcpdump_stop cap.pcap &&
	cat cap.pcap.err &&
	grep -q "^0 packets dropped by kernel" cap.pcap.err &&
	mc_stats $pa | grep -E "$COUNTERS" | sort >expect.a &&
	mc_stats $pb | grep -E "$COUNTERS" | sort >expect.b &&
	echo $pa $pb >ports
}

test_expect_success ROOT,TCPDUMP,MEMCACHED 'capture a client of two servers; mb-parse numbers them' '
	{ capture_once || capture_once || capture_once; } &&
	cat expect.a expect.b &&
	grep -q "^get_hits 60$" expect.a && grep -q "^incr_hits 5$" expect.b &&
	mb-parse -q -P $pa,$pb cap.pcap >ev.stream &&
	test "$(sumval ev.stream mb-parse servers)" = 2 &&
	mb-cat ev.stream >ev.txt &&
	grep -q "^#membench.*servers=numbered" ev.txt &&
	test $(awk -F"\t" "\$1 == \"ev\" && \$15 ~ /server=1$/" ev.txt | wc -l) = 29 &&
	test $(awk -F"\t" "\$1 == \"ev\" && \$15 == \"\"" ev.txt | wc -l) = 131 &&
	mb-anon <ev.stream | mb-pack >p.prof
'

replay() {
	start_memcached && pc=$MC_PORT &&
	start_memcached && pd=$MC_PORT &&
	mb-fire -q "$@" -t 127.0.0.1:$pc,127.0.0.1:$pd p.prof >report &&
	cat report && grep "^errors: 0 " report &&
	mc_stats $pc | grep -E "$COUNTERS" | sort >actual.c &&
	mc_stats $pd | grep -E "$COUNTERS" | sort >actual.d
}

test_expect_success ROOT,TCPDUMP,MEMCACHED 'replayed on two fresh servers, each recorded server lands on its own target' '
	replay &&
	grep "^targets: .*recorded server" report &&
	test_cmp expect.a actual.c &&
	test_cmp expect.b actual.d
'

test_expect_success ROOT,TCPDUMP,MEMCACHED '--max as well' '
	replay --max &&
	test_cmp expect.a actual.c &&
	test_cmp expect.b actual.d
'

test_expect_success ROOT,TCPDUMP,MEMCACHED '--target-map sends each recorded server where the file says' '
	read pa pb <ports &&
	start_memcached && pc=$MC_PORT &&
	start_memcached && pd=$MC_PORT &&
	printf "# recorded  target\n127.0.0.1:%s 127.0.0.1:%s\n127.0.0.1:%s 127.0.0.1:%s\n" $pa $pd $pb $pc >map &&
	mb-fire -q --target-map map -t 127.0.0.1:$pc,127.0.0.1:$pd p.prof >report &&
	grep "^errors: 0 " report &&
	mc_stats $pc | grep -E "$COUNTERS" | sort >actual.c &&
	mc_stats $pd | grep -E "$COUNTERS" | sort >actual.d &&
	test_cmp expect.b actual.c &&
	test_cmp expect.a actual.d
'

test_expect_success ROOT,TCPDUMP,MEMCACHED '--target-map without a recorded server, or naming an unknown target: one line, exit 1 / 2' '
	read pa pb <ports &&
	start_memcached && pc=$MC_PORT &&
	printf "127.0.0.1:%s 127.0.0.1:%s\n" $pa $pc >map1 &&
	test_expect_code 1 mb-fire -q --target-map map1 -t 127.0.0.1:$pc p.prof >report 2>err &&
	test_one_line_error mb-fire err && grep "recorded server 1 (127.0.0.1:$pb) is not in the --target-map file" err &&
	printf "127.0.0.1:%s 127.0.0.1:1\n" $pa >map2 &&
	test_expect_code 2 mb-fire -q --target-map map2 -t 127.0.0.1:$pc p.prof 2>err &&
	test_one_line_error mb-fire err && grep "line 1: target .127.0.0.1:1. is not one of -t" err &&
	mb-gen -n 10 >gen.bin &&
	test_expect_code 1 mb-fire -q --target-map map1 -t 127.0.0.1:$pc gen.bin 2>err &&
	test_one_line_error mb-fire err && grep "records no servers" err
'

test_expect_success ROOT,TCPDUMP,MEMCACHED '--hash spreads keys by consistent hashing instead' '
	replay --hash &&
	grep "^targets: .*hash" report &&
	g=$(( $(sed -n "s/^cmd_get //p" actual.c) + $(sed -n "s/^cmd_get //p" actual.d) )) &&
	test $g = $(( 80 + 9 )) &&
	! test_cmp expect.a actual.c
'

test_done
