#!/bin/sh
# t1030-capture-live.sh - live capture on loopback: mb-capture sees exactly the packets tcpdump sees.
# mb-test: live (captures live traffic: runs alone, after the parallel tests)
test_description='mb-capture -i lo -P PORT next to tcpdump -i lo while pymemcache talks to a real memcached'
. "$(dirname "$0")/test-lib.sh"

for p in ROOT MEMCACHED PYMEMCACHE TCPDUMP; do
	test_have_prereq $p || test_skip_all "live capture needs $p (root, memcached, python3-pymemcache, tcpdump)"
done

# ops N: N sets then N gets on one connection, then close.
ops() {
	"$MB_PYTHON" - "$MC_PORT" "$1" <<'PY'
import sys
from pymemcache.client.base import Client
port, n = int(sys.argv[1]), int(sys.argv[2])
c = Client(("127.0.0.1", port), no_delay=True, connect_timeout=5, timeout=5)
for i in range(n):
    c.set("key%d" % i, b"v" * (10 + i % 50))
hits = sum(1 for i in range(n) if c.get("key%d" % i) is not None)
c.close()
assert hits == n, hits
PY
}

pkts() { mb-cat "$1" | grep -c '^pkt	' || true; }

start_memcached >/dev/null 2>&1 || test_skip_all 'could not start memcached'

test_expect_success 'mb-capture and tcpdump count the same packets of 300 sets + 300 gets' '
	tcpdump -i lo -n -U --immediate-mode -B 65536 -w td.pcap "tcp port $MC_PORT or udp port $MC_PORT" 2>td.err &
	td=$!
	timeout 60 mb-capture -i lo -P "$MC_PORT" --duration 30 -w mine.pcap >mc.mb 2>mc.err &
	mc=$!
	test_when_finished "kill $td $mc 2>/dev/null" &&
	wait_for "grep -q listening td.err" &&
	wait_for "test -s mc.mb" &&
	ops 300 &&
	sleep 0.5 &&
	kill -INT $mc $td &&
	wait $mc && wait $td &&
	n_td=$(tcpdump -r td.pcap -n 2>/dev/null | wc -l) &&
	n_mc=$(pkts mc.mb) &&
	echo "tcpdump $n_td, mb-capture $n_mc" &&
	test "$n_mc" = "$n_td" &&
	test "$n_mc" -ge 600 &&
	grep -q "^0 packets dropped by kernel" td.err &&
	grep -q "^mb-capture: $n_mc packets, [0-9]* bytes, 0 kernel drops, 0 interface drops\$" mc.err &&
	test "$(wc -l <mc.err)" = 1 &&
	mb-cat mc.mb | grep -q "^#membench	.*	linktype=1	linktype_name=EN10MB	.*	source=lo	capture=live	" &&
	mb-cat mc.mb | grep -q "^sum	mb-capture	packets=$n_mc	.*kernel_drops=0	if_drops=0	"
'

# same_packets WANT GOT: two `tshark -x` dumps hold the same packets in the same order, but
# for neighbours swapped. Two capture sockets see two CPUs' concurrent sends on lo each in
# the order it reached that socket, so an ACK may trade places with the packet beside it.
same_packets() {
	"$MB_PYTHON" - "$1" "$2" <<'PY'
import sys
a, b = ([p for p in open(f).read().split("\n\n") if p.strip()] for f in sys.argv[1:3])
i, swaps = 0, 0
while i < len(a) or i < len(b):
    if i < len(a) and i < len(b) and a[i] == b[i]:
        i += 1
    elif i + 1 < min(len(a), len(b)) and a[i] == b[i + 1] and a[i + 1] == b[i]:
        i, swaps = i + 2, swaps + 1
    else:
        sys.exit("packet %d differs (%d packets vs %d)" % (i + 1, len(a), len(b)))
print("%d packets, %d neighbour swaps" % (len(a), swaps))
PY
}

test_expect_success TSHARK 'the same packet bytes as tcpdump captured' '
	tshark -n -r td.pcap -x 2>/dev/null >want &&
	tshark -n -r mine.pcap -x 2>/dev/null >got &&
	same_packets want got
'

test_expect_success '-c COUNT ends a live capture by itself' '
	timeout 60 mb-capture -i lo -P "$MC_PORT" -c 25 --duration 30 >c.mb 2>c.err &
	mc=$!
	test_when_finished "kill $mc 2>/dev/null" &&
	wait_for "test -s c.mb" &&
	ops 50 &&
	wait $mc &&
	test "$(pkts c.mb)" = 25 &&
	grep -q "^mb-capture: 25 packets, " c.err
'

test_expect_success '-d ends an idle capture: header and summary, no packets' '
	timeout 30 mb-capture -i lo -P "$(free_port)" --duration 1500ms --progress >d.mb 2>d.err &&
	test "$(pkts d.mb)" = 0 &&
	mb-cat d.mb | grep -q "^sum	mb-capture	packets=0	" &&
	grep -q "^mb-capture: 0 packets, 0 bytes, 0 kernel drops, 0 interface drops\$" d.err &&
	grep -q "^mb-capture: 1\.[0-9] s, 0 packets (0 pkt/s), 0.0 MB, 0 kernel drops\$" d.err
'

test_expect_success SCRIPT '--progress on a terminal rewrites one line in place' '
	script -qec "timeout 30 $MB_BIN/mb-capture -i lo -P $(free_port) --duration 1500ms --progress >/dev/null" /dev/null >tty.out &&
	test "$(tr -cd "\r" <tty.out | wc -c)" -ge 3 &&
	tr "\r" "\n" <tty.out | grep -q "^mb-capture: 1\.[0-9] s, 0 packets (0 pkt/s), 0.0 MB, 0 kernel drops.\[K\$" &&
	tr "\r" "\n" <tty.out | grep -q "^mb-capture: 0 packets, 0 bytes, 0 kernel drops, 0 interface drops\$"
'

test_expect_success 'SIGTERM finishes the stream (summary written)' '
	timeout 60 mb-capture -i lo -P "$MC_PORT" --duration 30 >t.mb 2>t.err &
	mc=$!
	test_when_finished "kill $mc 2>/dev/null" &&
	wait_for "test -s t.mb" &&
	ops 10 &&
	sleep 0.3 &&
	kill -TERM $mc &&
	wait $mc &&
	n=$(pkts t.mb) &&
	test "$n" -ge 40 &&
	mb-cat t.mb | grep -q "^sum	mb-capture	packets=$n	"
'

test_expect_success 'a -f expression instead of ports' '
	timeout 60 mb-capture -i lo -c 5 --duration 30 "tcp dst port $MC_PORT" >f.mb 2>f.err &
	mc=$!
	test_when_finished "kill $mc 2>/dev/null" &&
	wait_for "test -s f.mb" &&
	ops 20 &&
	wait $mc &&
	test "$(pkts f.mb)" = 5 &&
	mb-cat f.mb | grep -q "^#membench	.*	filter=tcp\\\\x20dst\\\\x20port\\\\x20$MC_PORT	"
'

test_expect_success '--ebpf=auto: a stream from the eBPF backend, or from libpcap after one line saying why' '
	timeout 150 mb-capture -i lo -P "$MC_PORT" --ebpf=auto -c 5 --duration 120 >e.mb 2>e.err &
	mc=$!
	test_when_finished "kill $mc 2>/dev/null" &&
	wait_for "test -s e.mb" 1200 &&
	ops 20 &&
	wait $mc &&
	test "$(pkts e.mb)" = 5 &&
	if mb-cat e.mb | grep -q "^#membench	.*	backend=ebpf-tc"; then
		test "$(wc -l <e.err)" = 1
	else
		mb-cat e.mb | grep -q "^#membench	.*	backend=libpcap" &&
		test "$(wc -l <e.err)" = 2 &&
		grep -q "^mb-capture: eBPF capture.*; falling back to libpcap (--ebpf=auto)\$" e.err
	fi &&
	grep -q "^mb-capture: 5 packets, " e.err
'

test_expect_success '--ebpf: a stream, or one line saying why eBPF is unavailable' '
	rc=0
	timeout 150 mb-capture -i lo -P "$(free_port)" --ebpf --duration 1s >b.mb 2>b.err || rc=$?
	case $rc in
	0) mb-cat b.mb | grep -q "^#membench	.*	backend=ebpf-tc" ;;
	1) test_one_line_error mb-capture b.err && grep -q "eBPF" b.err && test ! -s b.mb ;;
	*) echo "exit $rc" >&2; false ;;
	esac
'

test_done
