#!/bin/sh
# t2181-parse-reset-live.sh - real capture: a client resets while its GET and QUIT replies are in flight; they still pair.
# mb-test: live (captures live traffic: runs alone, after the parallel tests)
test_description='mb-parse: replies captured after the client RST, from a real memcached behind a slow link'
. "$(dirname "$0")/test-lib.sh"

# The server lives in its own network namespace behind a veth pair whose server side sends
# through a token bucket (tbf, 100 kbit/s): the 6000-byte GET reply and the QUIT reply take
# about 0.4 s to drain. The client (a raw binary-protocol socket client) sends GET and QUIT,
# shuts down its side (FIN), waits for the first reply byte, then closes with SO_LINGER 0
# (RST). tcpdump on the client side of the link sees the RST before most of the GET reply
# and before the QUIT reply, as a capture near a client does in production.
NS=mbrst$$
V=mbc$$
S=mbs$$
NET=10.231.$(($$ % 250))
PORT=22122

mc_up() { "$MB_PYTHON" -c 'import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 0.2)' "$NET.2" $PORT 2>/dev/null; }

cleanup_net() { ip netns del "$NS" 2>/dev/null; ip link del "$V" 2>/dev/null; return 0; }

setup_net() {
	ip netns add "$NS" &&
	ip link add "$V" type veth peer name "$S" &&
	ip link set "$S" netns "$NS" &&
	ip addr add "$NET.1/30" dev "$V" && ip link set "$V" up &&
	ip netns exec "$NS" ip addr add "$NET.2/30" dev "$S" &&
	ip netns exec "$NS" ip link set "$S" up &&
	ip netns exec "$NS" tc qdisc add dev "$S" root tbf rate 100kbit burst 2000 limit 100000
}

if ! test_have_prereq ROOT,MEMCACHED,TCPDUMP,TSHARK; then
	test_skip_all 'needs root, memcached, tcpdump and tshark'
fi
test_atexit cleanup_net
if ! setup_net 2>netsetup.err; then
	cleanup_net
	test_skip_all "no network namespace, veth or tbf qdisc here: $(head -1 netsetup.err)"
fi

cat >client.py <<'PY'
import socket, struct, sys
host, port, vlen = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def req(op, key=b"", extra=b"", value=b"", opaque=0):
    return struct.pack("!BBHBBHIIQ", 0x80, op, len(key), len(extra), 0, 0,
                       len(extra) + len(key) + len(value), opaque, 0) + extra + key + value
s = socket.create_connection((host, port), 5)
s.sendall(req(0x01, b"big", struct.pack("!II", 0, 0), b"v" * vlen, 1))
hdr = b""
while len(hdr) < 24:
    d = s.recv(24 - len(hdr))
    if not d:
        sys.exit("set: connection closed")
    hdr += d
if hdr[1] != 0x01 or hdr[6:8] != b"\0\0":
    sys.exit("set failed: %r" % hdr)
s.close()
c = socket.create_connection((host, port), 5)
c.sendall(req(0x00, b"big", opaque=2) + req(0x07, opaque=3))
c.shutdown(socket.SHUT_WR)
c.settimeout(5)
c.recv(1, socket.MSG_PEEK)
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
c.close()
PY

test_expect_success 'capture: set, then get + quit + FIN + RST while the replies drain' '
	ip netns exec "$NS" memcached -u root -l "$NET.2" -p $PORT -U 0 -t 2 -m 64 >mc.log 2>&1 &
	MCPID=$! &&
	test_atexit "stop_pid $MCPID" &&
	wait_for mc_up 50 &&
	tcpdump -i "$V" -s 0 -U -n -w cap.pcap "tcp port $PORT" 2>tcpdump.err &
	TDPID=$! &&
	test_when_finished "stop_pid $TDPID" &&
	wait_for "grep -q \"listening on\" tcpdump.err" 100 &&
	"$MB_PYTHON" client.py "$NET.2" $PORT 6000 &&
	sleep 1.5 &&
	mc_stats $PORT "$NET.2" >stats &&
	stop_pid $TDPID &&
	grep -q "^cmd_get 1$" stats && grep -q "^get_hits 1$" stats && grep -q "^cmd_set 1$" stats
'

# Server payload segments captured after the client first reset the GET connection.
test_expect_success 'the capture has the RST before the QUIT reply' '
	tshark -r cap.pcap -T fields -e tcp.srcport -e tcp.flags.reset -e tcp.len 2>/dev/null >pkts &&
	awk -v p=$PORT "\$1 != p && \$2 == 1 {rst = 1} rst && \$1 == p && \$3 > 0 {n++} END {print n + 0}" pkts >after &&
	test "$(cat after)" -ge 1 &&
	awk -v p=$PORT "\$1 != p && \$2 == 1 {rst = 1} rst && \$1 == p && \$3 > 0 {last = NR} END {exit !last}" pkts
'

test_expect_success 'mb-parse: get hit with the whole value, quit ok, two flows, no phantom' '
	mb-parse -P $PORT cap.pcap >ev 2>err &&
	mb-cat ev | awk -F "\t" "\$1 == \"ev\" {print \$3, \$5, \$6, \$9, \$13}" >got &&
	printf "%s\n" "0 set stored 6000 0" "1 get hit 0 6000" "1 quit ok 0 0" >expect &&
	test_cmp expect got &&
	test "$(sumval ev mb-parse flows)" = 2 &&
	test "$(sumval ev mb-parse segments_after_reset)" = "$(cat after)" &&
	test "$(sumval ev mb-parse unparsed_bytes)" = 0 &&
	test "$(sumval ev mb-parse unmatched_responses)" = 0 &&
	test "$(sumval ev mb-parse resyncs)" = 0
'

test_expect_success 'the events agree with memcached: get_hits, cmd_get, cmd_set' '
	test "$(sumval ev mb-parse status.hit)" = "$(sed -n "s/^get_hits //p" stats)" &&
	test "$(sumval ev mb-parse cmd.get)" = "$(sed -n "s/^cmd_get //p" stats)" &&
	test "$(sumval ev mb-parse cmd.set)" = "$(sed -n "s/^cmd_set //p" stats)"
'

test_done
