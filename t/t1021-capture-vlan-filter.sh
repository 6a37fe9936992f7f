#!/bin/sh
# t1021: the default port filter of mb-capture -r passes untagged, 802.1Q and QinQ (802.1ad + 802.1Q)
# memcached packets and nothing else, and mb-parse decodes every one of them.
test_description='mb-capture filter with VLAN tags'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup: one packet per tagging, plus one on another port' '
	"$MB_PYTHON" - <<-\PY
	import struct
	def ip_tcp(sport, dport, payload=b"get foo\r\n"):
	    tcp = struct.pack(">HHIIBBHHH", sport, dport, 1, 0, 5 << 4, 0x18, 65535, 0, 0)
	    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 0, 0, 64, 6, 0,
	                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
	    return ip + tcp + payload
	def eth(tags):
	    return b"\x02" * 6 + b"\x04" * 6 + b"".join(tags) + b"\x08\x00"
	frames = [eth([]) + ip_tcp(40000, 11211),
	          eth([b"\x81\x00\x00\x05"]) + ip_tcp(40001, 11211),
	          eth([b"\x88\xa8\x00\x07", b"\x81\x00\x00\x05"]) + ip_tcp(40002, 11211),
	          eth([b"\x81\x00\x00\x07", b"\x81\x00\x00\x05"]) + ip_tcp(40003, 11211),
	          eth([b"\x81\x00\x00\x05"]) + ip_tcp(40004, 80)]
	out = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
	for i, f in enumerate(frames):
	    out += struct.pack("<IIII", 1700000000 + i, 0, len(f), len(f)) + f
	open("vlan.pcap", "wb").write(out)
	PY
'

test_expect_success 'mb-capture -r keeps the four memcached packets, drops port 80' '
	mb-capture -r vlan.pcap >vlan.stream 2>err &&
	test "$(mb-cat -H vlan.stream | grep -c "^pkt")" = 4
'

test_expect_success 'mb-parse decodes a get from each of them' '
	mb-parse <vlan.stream | mb-cat -H | awk "\$1==\"ev\" {print \$5, \$7}" >got &&
	printf "get foo\nget foo\nget foo\nget foo\n" >expect &&
	test_cmp expect got
'

test_done
