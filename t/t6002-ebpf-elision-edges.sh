#!/bin/sh
# t6002-ebpf-elision-edges.sh - eBPF value elision at protocol edges: meta ms/VA, split lines, deep pipelines, binary keys cut by a segment end.
# mb-test: live (captures live traffic: runs alone, after the parallel tests)
test_description='mb-capture --ebpf next to libpcap while a raw-socket client writes awkward segment boundaries'
. "$(dirname "$0")/test-lib.sh"

for p in ROOT MEMCACHED; do
	test_have_prereq $p || test_skip_all "the eBPF edge test needs $p (root, memcached)"
done

conns() {
	mb-cat "$1" | grep "^ev	" | cut -f3-13 |
		awk -F'\t' '{ c = $1; sub(/^[^\t]*\t/, ""); b[c] = b[c] "|" $0 } END { for (c in b) print b[c] }' | sort
}

start_memcached -m 64 >/dev/null 2>&1 || test_skip_all 'could not start memcached'
test_skip_all_without_ebpf "$MC_PORT"

# Each scenario on its own connection; TCP_NODELAY and pauses make the segment boundaries.
client() {
	"$MB_PYTHON" - "$MC_PORT" <<'PY'
import socket, struct, sys, time
port = int(sys.argv[1])

def conn():
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s

def until(s, end):
    b = b""
    while not b.endswith(end):
        d = s.recv(1 << 20)
        assert d, b[-80:]
        b += d
    return b

# 1. meta: ms with bodies of 300 B .. 70 KB, read back with mg v (VA responses)
s = conn()
for n in (300, 1000, 20000, 70000):
    s.sendall(b"ms mk%d %d T0\r\n" % (n, n) + b"m" * n + b"\r\n")
    until(s, b"\r\n")
    s.sendall(b"mg mk%d v\r\n" % n)
    until(s, b"m" * 10 + b"\r\n")
s.close()

# 2. a storage line split across two segments, then normal traffic (the flow resyncs)
s = conn()
for i in range(3):
    s.sendall(b"set split%d 0 0 2" % i)
    time.sleep(0.05)
    s.sendall(b"000\r\n" + b"s" * 2000 + b"\r\n")
    until(s, b"STORED\r\n")
for i in range(3):
    s.sendall(b"set after%d 0 0 3000\r\n" % i + b"a" * 3000 + b"\r\n")
    until(s, b"STORED\r\n")
    s.sendall(b"get after%d\r\n" % i)
    until(s, b"END\r\n")
s.close()

# 3. 150 pipelined gets in one segment (more messages than the kernel walks), then sets
s = conn()
s.sendall(b"set deep 0 0 400\r\n" + b"d" * 400 + b"\r\n")
until(s, b"STORED\r\n")
s.sendall(b"".join(b"get deep\r\n" for _ in range(150)))
got = b""
while got.count(b"END\r\n") < 150:
    got += s.recv(1 << 20)
for i in range(3):
    s.sendall(b"set deep%d 0 0 5000\r\n" % i + b"e" * 5000 + b"\r\n")
    until(s, b"STORED\r\n")
s.close()

# 4. binary: a SET whose key is cut by the segment end, then whole requests
s = conn()
def bset(key, val, split=None):
    body = struct.pack(">II", 0, 0) + key + val
    hdr = struct.pack(">BBHBBHIIQ", 0x80, 0x01, len(key), 8, 0, 0, len(body), 0, 0)
    pkt = hdr + body
    if split:
        s.sendall(pkt[:split])
        time.sleep(0.05)
        pkt = pkt[split:]
    s.sendall(pkt)
    r = s.recv(24)
    assert r[0] == 0x81, r
    rest = struct.unpack(">I", r[8:12])[0]
    while rest:
        rest -= len(s.recv(rest))
bset(b"binkey-cut", b"b" * 3000, split=24 + 8 + 3)
for i in range(3):
    bset(b"binkey%d" % i, b"c" * 4000)
s.close()
PY
}

test_expect_success 'both backends capture the edge cases' '
	capture_both_backends client &&
	test "$(sumval ebpf.mb mb-capture segments_seen)" = "$(sumval pcap.mb mb-capture packets)" &&
	test "$(sumval ebpf.mb mb-capture ring_drops)" = 0
'

test_expect_success 'split lines and deep pipelines lose sync and regain it; values were still elided' '
	lost=$(sumval ebpf.mb mb-capture flows_lost_sync) &&
	resynced=$(sumval ebpf.mb mb-capture flows_resynced) &&
	echo "lost $lost, resynced $resynced" &&
	test "$lost" -ge 3 &&
	test "$resynced" -ge 2 &&
	test "$(sumval ebpf.mb mb-capture bytes_elided)" -gt 150000
'

test_expect_success 'mb-parse: the same events per connection, every elided byte a value byte' '
	mb-parse -P "$MC_PORT" ebpf.mb >ebpf.ev 2>/dev/null &&
	mb-parse -P "$MC_PORT" pcap.mb >pcap.ev 2>/dev/null &&
	conns ebpf.ev >ebpf.txt &&
	conns pcap.ev >pcap.txt &&
	test "$(wc -l <pcap.txt)" = 4 &&
	test "$(mb-cat pcap.ev | grep -c "^ev	")" -ge 170 &&
	test_cmp pcap.txt ebpf.txt &&
	test "$(sumval ebpf.ev mb-parse elided_bytes)" = "$(sumval ebpf.mb mb-capture bytes_elided)" &&
	test "$(sumval ebpf.ev mb-parse elided_overrun)" = 0 &&
	test "$(sumval ebpf.ev mb-parse desyncs)" = "$(sumval pcap.ev mb-parse desyncs)" &&
	test "$(sumval ebpf.ev mb-parse events.meta)" -ge 8
'

test_done
