#!/bin/sh
# t6000-ebpf-equivalence.sh - mb-capture --ebpf and libpcap capture the same loopback traffic; mb-parse gets the same events.
# mb-test: live (captures live traffic: runs alone, after the parallel tests)
test_description='mb-capture --ebpf -i lo next to mb-capture -i lo (libpcap) during pymemcache and memcslap (text and binary) traffic'
. "$(dirname "$0")/test-lib.sh"

for p in ROOT MEMCACHED PYMEMCACHE MEMCSLAP; do
	test_have_prereq $p || test_skip_all "the eBPF equivalence test needs $p (root, memcached, python3-pymemcache, memcslap)"
done

start_memcached -m 256 >/dev/null 2>&1 || test_skip_all 'could not start memcached'

# BPF check: can this machine load and attach the program at all?
test_skip_all_without_ebpf "$MC_PORT"

# Mixed text workload, values 1 byte to 100 KB, fixed seed; several connections.
work() {
	"$MB_PYTHON" - "$MC_PORT" <<'PY'
import random, sys
from pymemcache.client.base import Client
port = int(sys.argv[1])
rnd = random.Random(6000)
sizes = [1, 7, 100, 255, 256, 1000, 1460, 5000, 16384, 65000, 100000]
for conn in range(3):
    c = Client(("127.0.0.1", port), connect_timeout=5, timeout=5)
    for i in range(120):
        k = "k%d" % rnd.randrange(40)
        r = rnd.random()
        v = b"v" * rnd.choice(sizes)
        if r < 0.35: c.set(k, v, noreply=False)
        elif r < 0.60: c.get(k)
        elif r < 0.70: c.get_many(["k%d" % rnd.randrange(40) for _ in range(6)])
        elif r < 0.75: c.gets(k)
        elif r < 0.80: c.add(k, v, noreply=False)
        elif r < 0.85: c.append(k, b"a" * rnd.choice(sizes[:6]), noreply=False)
        elif r < 0.90: c.replace(k, v, noreply=False)
        elif r < 0.95: c.delete(k, noreply=False)
        else: c.set_many({"m%d" % j: b"s" * rnd.choice(sizes[:7]) for j in range(4)}, noreply=False)
    c.close()
PY
}

# The pymemcache workload, then memcslap binary and text.
traffic() {
	work &&
	memcslap --servers="127.0.0.1:$MC_PORT" --binary --concurrency=2 --execute-number=300 >slap-bin.out 2>&1 &&
	memcslap --servers="127.0.0.1:$MC_PORT" --concurrency=2 --execute-number=300 >slap-text.out 2>&1
}

test_expect_success 'both backends capture the same workload' '
	capture_both_backends traffic &&
	mb-cat ebpf.mb | grep -q "^#membench	.*	backend=ebpf-tc" &&
	test "$(wc -l <ebpf.err)" = 1 &&
	grep -q "^mb-capture: [0-9]* packets, [0-9]* bytes, 0 kernel drops, 0 interface drops (eBPF: [0-9]* value bytes elided)\$" ebpf.err
'

test_expect_success 'the kernel saw every segment libpcap saw, dropped none, and elided value bytes' '
	segs=$(sumval ebpf.mb mb-capture segments_seen) &&
	pkts=$(sumval pcap.mb mb-capture packets) &&
	echo "ebpf segments $segs, libpcap packets $pkts" &&
	test "$segs" = "$pkts" &&
	test "$(sumval ebpf.mb mb-capture ring_records)" = "$segs" &&
	test "$(sumval ebpf.mb mb-capture bytes_wire)" = "$(sumval pcap.mb mb-capture wire_bytes)" &&
	test "$(sumval ebpf.mb mb-capture ring_drops)" = 0 &&
	test "$(sumval ebpf.mb mb-capture kernel_drops)" = 0 &&
	test "$(sumval ebpf.mb mb-capture flows_lost_sync)" = 0 &&
	elided=$(sumval ebpf.mb mb-capture bytes_elided) &&
	wire=$(sumval ebpf.mb mb-capture bytes_wire) &&
	delivered=$(sumval ebpf.mb mb-capture bytes_delivered) &&
	echo "wire $wire, delivered $delivered, elided $elided" &&
	test "$elided" -gt $((wire * 8 / 10)) &&
	test $((delivered * 5)) -lt "$wire"
'

# Events per connection, in order, one line per connection (connection numbers and
# the interleaving of connections depend on which CPU saw a packet first: left out).
conns() {
	mb-cat "$1" | grep "^ev	" | cut -f3-13 |
		awk -F'\t' '{ c = $1; sub(/^[^\t]*\t/, ""); b[c] = b[c] "|" $0 } END { for (c in b) print b[c] }' | sort
}

test_expect_success 'mb-parse: the same events per connection from both captures (timestamps and latencies aside)' '
	mb-parse -P "$MC_PORT" ebpf.mb >ebpf.ev 2>parse-ebpf.err &&
	mb-parse -P "$MC_PORT" pcap.mb >pcap.ev 2>parse-pcap.err &&
	test "$(mb-cat pcap.ev | grep -c "^ev	")" -ge 1500 &&
	test "$(mb-cat ebpf.ev | grep -c "^ev	")" = "$(mb-cat pcap.ev | grep -c "^ev	")" &&
	conns ebpf.ev >ebpf.txt &&
	conns pcap.ev >pcap.txt &&
	test "$(wc -l <pcap.txt)" -ge 5 &&
	test_cmp pcap.txt ebpf.txt
'

test_expect_success 'mb-parse consumed every elided byte as value body, with no desync' '
	test "$(sumval ebpf.ev mb-parse elided_bytes)" = "$(sumval ebpf.mb mb-capture bytes_elided)" &&
	test "$(sumval ebpf.ev mb-parse elided_overrun)" = 0 &&
	test "$(sumval ebpf.ev mb-parse desyncs)" = 0 &&
	test "$(sumval ebpf.ev mb-parse unparsed_bytes)" = 0 &&
	test "$(sumval pcap.ev mb-parse desyncs)" = 0 &&
	test "$(sumval ebpf.ev mb-parse events.binary)" -gt 0 &&
	test "$(sumval ebpf.ev mb-parse events.binary)" = "$(sumval pcap.ev mb-parse events.binary)"
'

test_done
