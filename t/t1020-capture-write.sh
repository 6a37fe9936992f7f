#!/bin/sh
# t1020-capture-write.sh - every link type and file format through mb-capture -r -w: tshark sees the same packets.
test_description='mb-capture -r x -w y.pcap: y.pcap has the same packet bytes (and times) as tshark reads in x'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq TSHARK || test_skip_all 'tshark not installed'

gen() { "$MB_PYTHON" "$MB_SRC/t/lib/capture_pcap.py" "$@"; }

# tshark's hex dump of every packet of a capture (with an optional display filter).
hex() { tshark -n -r "$1" ${2:+-Y "$2"} -x 2>/dev/null; }
# tshark's time and lengths of every packet.
ts_view() { tshark -n -r "$1" ${2:+-Y "$2"} -T fields -e frame.time_epoch -e frame.len -e frame.cap_len 2>/dev/null; }

# check NAME LINKTYPE ARGS...: generate 64 packets (16 on port 80, IPv4 and IPv6, TCP and UDP),
# capture with the default port filter and -w, compare bytes with tshark's filtered view of the input.
check() {
	name=$1 lt=$2
	shift 2
	gen "$name.in" --count 64 --other-every 4 --udp-every 5 --ipv6-every 3 "$@" &&
	mb-capture -r "$name.in" -w "$name.out.pcap" >"$name.mb" 2>"$name.err" &&
	grep -q "^mb-capture: 48 packets, " "$name.err" &&
	test "$(mb-cat "$name.mb" | grep -c "^pkt	[0-9.]*	$lt	")" = 48 &&
	mb-cat "$name.mb" | grep -q "^#membench	.*	linktype=$lt	" &&
	hex "$name.in" "tcp.port==11211 || udp.port==11211" >"$name.want" &&
	hex "$name.out.pcap" >"$name.got" &&
	test "$(grep -c "^0000 " "$name.got")" -ge 48 &&
	test_cmp "$name.want" "$name.got"
}

test_expect_success 'Ethernet, IPv4 and IPv6' 'check en 1 --link en10mb'
test_expect_success 'Ethernet, 802.1Q VLAN, IPv4 and IPv6' 'check vlan 1 --link en10mb --vlan'
test_expect_success 'RAW (101)' 'check raw 101 --link raw'
test_expect_success 'DLT_RAW value 12 in the file reads as RAW (101)' 'check raw12 101 --link raw12'
test_expect_success 'IPV4 (228)' 'check ipv4 228 --link ipv4'
test_expect_success 'IPV6 (229)' 'check ipv6 229 --link ipv6'
test_expect_success 'LINUX_SLL' 'check sll 113 --link sll'
test_expect_success 'LINUX_SLL2' 'check sll2 276 --link sll2'
test_expect_success 'NULL (IPv6 with the BSD AF value)' 'check null 0 --link null'
test_expect_success 'NULL, big-endian file' 'check nullbe 0 --link null --format pcap-be'
test_expect_success 'LOOP' 'check loop 108 --link loop'
test_expect_success 'nanosecond pcap' 'check ns 1 --format pcap-ns'
test_expect_success 'big-endian pcapng, if_tsresol 10^-9' 'check ngbe 1 --format pcapng-be --tsresol 9'
test_expect_success 'pcapng, if_tsresol 2^-20 (not a power of 10)' 'check ng2 1 --format pcapng --tsresol 0x94'

test_expect_success 'times survive exactly (us, ns, 2^-20 resolutions)' '
	for f in en ns ngbe ng2; do
		ts_view $f.in "tcp.port==11211 || udp.port==11211" >want &&
		ts_view $f.out.pcap >got &&
		test "$(wc -l <got)" = 48 &&
		test_cmp want got || { echo "differs: $f"; exit 1; }
	done &&
	mb-cat ng2.mb | grep "^pkt" | cut -f2 | head -1 >first &&
	head -1 want | cut -f1 >tshark-first &&
	test_cmp tshark-first first
'

test_expect_success 'pcapng simple packet blocks (no timestamp): same bytes' '
	gen spb.in --count 64 --other-every 4 --format pcapng --spb-every 3 &&
	mb-capture -r spb.in -w spb.out.pcap >spb.mb 2>err &&
	grep -q "^mb-capture: 48 packets, " err &&
	hex spb.in "tcp.port==11211" >want &&
	hex spb.out.pcap >got &&
	test_cmp want got
'

test_expect_success CORPUS 'corpus captures: an empty expression and -w keeps every packet byte and time' '
	for f in memcached-t/binary.first900.pcap percona/memc_tcpdump008.pcap packetbeat/bin_udp_multi_store.pcap; do
		mb-capture -r "$MB_CORPUS/pcaps/$f" -w out.pcap "" >out.mb 2>err &&
		hex "$MB_CORPUS/pcaps/$f" >want && hex out.pcap >got &&
		test_cmp want got &&
		ts_view "$MB_CORPUS/pcaps/$f" >want && ts_view out.pcap >got &&
		test_cmp want got || { echo "differs: $f"; exit 1; }
	done
'

test_expect_success '-w to an unwritable place: one line, exit 1' '
	test_expect_code 1 mb-capture -r en.in -w no/such/dir/x.pcap >out 2>err &&
	test_one_line_error mb-capture err &&
	grep -q "cannot write the pcap file: .*no/such/dir/x.pcap" err
'

test_done
