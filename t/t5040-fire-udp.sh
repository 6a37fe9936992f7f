#!/bin/sh
# t5040-fire-udp: requests recorded over UDP replay over UDP. A raw client mixes text and
# mb-test: live (captures live traffic: runs alone, after the parallel tests)
# binary datagrams on one UDP socket (and a second socket speaks text) against memcached A,
# some of them quiet (binary SETQ, DELETEQ, INCREMENTQ, meta ms q) or noreply (text), which
# memcached never answers,
# while tcpdump captures; mb-parse | mb-anon | mb-pack makes the profile; mb-fire replays it
# over UDP, each request in its own protocol, against a fresh memcached B at -s 1, -s 10, -s 100
# and --max. B's counters must equal A's.
test_description='mb-fire replays UDP as UDP, text and binary datagrams each in their protocol'
. "$(dirname "$0")/test-lib.sh"

COUNTERS='^(cmd_get|cmd_set|get_hits|get_misses|delete_hits|delete_misses|incr_hits|incr_misses|decr_hits|decr_misses) '

# memcached with UDP on the same port number as TCP (test-lib's start_memcached turns UDP off),
# with ${1:-2} worker threads. Each of them reads the one UDP socket, so with several a
# datagram can be taken first and processed second: a quiet request, which the client does
# not wait for, then lands after the next request on memcached's side and before it in the
# capture, the recording contradicts itself, and every replay differs from it (the likely
# cause of a CI run where all six replays failed). The recording's server has one thread;
# the replays' have two.
mc_udp() {
	MC_PORT=$(free_port) &&
	{ memcached -u root -l 127.0.0.1 -p $MC_PORT -U $MC_PORT -t ${1:-2} -m 64 & } &&
	MC_PID=$! && mc_pids="${mc_pids:-} $MC_PID" &&
	trap 'kill $mc_pids 2>/dev/null' EXIT &&
	for i in $(seq 50); do
		"$MB_PYTHON" -c "import socket; socket.create_connection(('127.0.0.1', $MC_PORT), 0.2)" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

cat >drive.py <<'PY'
import random, socket, struct, sys, time
port = int(sys.argv[1])
rnd = random.Random(3)
rid = [0]
def call(s, payload):
    rid[0] = (rid[0] + 1) & 0xffff
    s.send(struct.pack(">HHHH", rid[0], 0, 1, 0) + payload)
    out, total, seen = {}, None, 0
    while total is None or len(out) < total:
        d = s.recv(65536)
        i, seq, tot, _ = struct.unpack(">HHHH", d[:8])
        if i != rid[0]:
            continue
        out[seq] = d[8:]; total = tot
    return b"".join(out[k] for k in sorted(out))
def tell(s, payload):
    # a quiet or noreply request: no answer comes; the pause lets loopback deliver it before
    # the next datagram, which may leave from another core
    rid[0] = (rid[0] + 1) & 0xffff
    s.send(struct.pack(">HHHH", rid[0], 0, 1, 0) + payload)
    time.sleep(0.003)
def binreq(op, key, extras=b"", value=b""):
    body = extras + key + value
    return struct.pack(">BBHBBHIIQ", 0x80, op, len(key), len(extras), 0, 0, len(body), 0, 0) + body
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); a.connect(("127.0.0.1", port)); a.settimeout(2)
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); b.connect(("127.0.0.1", port)); b.settimeout(2)
keys = [b"u%d" % i for i in range(40)]
for i in range(600):
    s = rnd.choice([a, b]); k = rnd.choice(keys); op = rnd.random()
    if op < 0.25:
        v = b"%d" % rnd.randint(0, 999)
        call(s, b"set " + k + b" 0 0 %d\r\n" % len(v) + v + b"\r\n")
    elif op < 0.45:
        call(s, b"get " + k + b"\r\n")
    elif op < 0.60 and s is a:
        call(s, binreq(0x00, k))                                 # binary GET
    elif op < 0.70 and s is a:
        call(s, binreq(0x01, k, struct.pack(">II", 0, 0), b"77"))  # binary SET
    elif op < 0.74 and s is a:
        tell(s, binreq(0x11, k, struct.pack(">II", 0, 0), b"5"))   # binary SETQ
    elif op < 0.76 and s is a:
        tell(s, binreq(0x14, k))                                  # binary DELETEQ
    elif op < 0.78 and s is a:
        tell(s, binreq(0x15, k, struct.pack(">QQI", 1, 7, 0)))    # binary INCREMENTQ, creates
    elif op < 0.78 and s is b:
        tell(s, b"set " + k + b" 0 0 1 noreply\r\n9\r\n")          # text noreply
    elif op < 0.79 and s is b:
        tell(s, b"ms " + k + b" 1 q\r\n8\r\n")                      # meta quiet set
    elif op < 0.80 and s is b:
        call(s, b"mg " + k + b" v\r\n")                               # meta get
    elif op < 0.80:
        call(s, b"delete " + k + b"\r\n")
    elif op < 0.90:
        call(s, b"incr " + k + b" 1\r\n")
    else:
        call(s, b"decr " + k + b" 1\r\n")
PY

capture_once() {
	rm -f cap.pcap tcpdump.err &&
	mc_udp 1 && pa=$MC_PORT &&
	{ tcpdump -i lo -U -B 32768 -s 0 -w cap.pcap "udp port $pa" 2>tcpdump.err & } && td=$! &&
	for i in $(seq 50); do grep -q listening tcpdump.err && break; sleep 0.1; done &&
	"$MB_PYTHON" drive.py $pa &&
	sleep 1 && kill -INT $td && wait $td;
	cat tcpdump.err &&
	grep -q "^0 packets dropped by kernel" tcpdump.err &&
	mc_stats $pa | grep -E "$COUNTERS" | sort >expect
}

test_expect_success ROOT,TCPDUMP,MEMCACHED 'capture a UDP client mixing text and binary datagrams' '
	{ capture_once || capture_once; } &&
	grep -q "^get_hits [1-9]" expect && grep -q "^incr_hits [1-9]" expect &&
	mb-parse -q -P $pa cap.pcap | mb-anon | mb-pack >p.prof &&
	mb-cat -H p.prof | grep -q "binary/udp" && mb-cat -H p.prof | grep -q "text/udp" &&
	mb-cat -H p.prof | awk -F"\t" "\$1 == \"ev\" && \$4 == \"binary/udp\" && \$11 ~ /noreply/" >quiet &&
	test $(wc -l <quiet) -ge 5 &&
	mb-cat -H p.prof | awk -F"\t" "\$1 == \"ev\" && \$4 == \"text/udp\" && \$11 ~ /noreply/" >noreply &&
	test $(wc -l <noreply) -ge 5 &&
	mb-cat -H p.prof | awk -F"\t" "\$1 == \"ev\" && \$4 == \"meta/udp\" && \$11 ~ /noreply/" >metaq &&
	test $(wc -l <metaq) -ge 3
'

for speed in "-s 1" "-s 10" "-s 100" "--max" "--max -T 3" "-s 10 -T 3"; do
	test_expect_success ROOT,TCPDUMP,MEMCACHED "UDP replay, $speed: counters equal the recording's" '
		mc_udp &&
		mb-fire -q -t 127.0.0.1:$MC_PORT '"$speed"' p.prof >report &&
		grep "^errors: 0 " report &&
		mc_stats $MC_PORT | grep -E "$COUNTERS" | sort >actual &&
		test_cmp expect actual
	'
done

test_expect_success ROOT,TCPDUMP,MEMCACHED 'UDP off on the server: every request is lost after its timeout, exit 1' '
	start_memcached && mc_pids="${mc_pids:-} $MC_PID" &&
	mb-cat p.prof | awk -F"\t" "/^#/ || NR < 12" | mb-cat -p >few.bin &&
	n=$(mb-cat -H few.bin | grep -c "^ev") &&
	test_expect_code 1 mb-fire -q -t 127.0.0.1:$MC_PORT --max few.bin >report &&
	grep "^errors: $n " report
'

test_done
