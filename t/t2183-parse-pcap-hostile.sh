#!/bin/sh
# t2183-parse-pcap-hostile.sh - pcap headers with byte-swapped version fields are read with a warning; pcapng if_tsoffset overflows are errors.
test_description='mb-parse and mb-capture -r: swapped pcap versions, if_tsoffset limits (generated captures)'
. "$(dirname "$0")/test-lib.sh"

gen() { "$MB_PYTHON" "$MB_SRC/t/lib/capture_pcap.py" "$@"; }

# swapver.py IN OUT: swap the bytes of the two 16-bit version fields of a classic pcap header.
cat >swapver.py <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[4:6], b[6:8] = b[5:3:-1], b[7:5:-1]
open(sys.argv[2], "wb").write(b)
PY

# ng.py IN OUT TSRESOL TSOFFSET TS...: the frames of classic pcap IN as a pcapng with one interface
# (if_tsresol, if_tsoffset in signed seconds), the k-th packet with raw timestamp TS[k].
cat >ng.py <<'PY'
import struct, sys
sys.path.insert(0, sys.argv[-1])
import pcaplib
src, out, res, off = sys.argv[1], sys.argv[2], int(sys.argv[3], 0), int(sys.argv[4])
stamps = [int(x) for x in sys.argv[5:-1]]
buf = open(src, "rb").read()
frames = [d for s, e, lt, d in pcaplib.packets_pcap(buf)]
def block(t, body):
    body += b"\0" * (-len(body) % 4)
    return struct.pack("<II", t, len(body) + 12) + body + struct.pack("<I", len(body) + 12)
o = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
opts = struct.pack("<HHq", 14, 8, off) + struct.pack("<HHB3x", 9, 1, res) + struct.pack("<HH", 0, 0)
o += block(1, struct.pack("<HHI", 1, 0, 0) + opts)
for ts, f in zip(stamps, frames):
    o += block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(f), len(f)) + f)
open(out, "wb").write(o)
PY
ng() { "$MB_PYTHON" ng.py "$@" "$MB_SRC/t/lib"; }

pkts() { mb-cat "$1" | grep -c "^pkt	" || true; }
pkt_ts() { mb-cat "$1" | awk -F '\t' '$1 == "pkt" {print $2}'; }

test_expect_success 'setup: a capture in each byte order, versions swapped' '
	gen le.pcap --count 6 &&
	gen be.pcap --count 6 --format pcap-be &&
	"$MB_PYTHON" swapver.py le.pcap le-sw.pcap &&
	"$MB_PYTHON" swapver.py be.pcap be-sw.pcap &&
	test "$(od -An -tx1 -j4 -N4 le-sw.pcap | tr -d " ")" = 00020004 &&
	test "$(od -An -tx1 -j4 -N4 be-sw.pcap | tr -d " ")" = 02000400
'

test_expect_success TCPDUMP 'libpcap refuses the swapped file (why this matters)' '
	test_must_fail tcpdump -r le-sw.pcap -n >/dev/null 2>err &&
	grep -q "version 512.1024" err
'

test_expect_success TSHARK 'tshark reads it as the intact file' '
	tshark -r le.pcap -T fields -e frame.time_epoch -e tcp.len >want 2>/dev/null &&
	tshark -r le-sw.pcap -T fields -e frame.time_epoch -e tcp.len >got 2>/dev/null &&
	test_cmp want got && test "$(wc -l <got)" = 6
'

for bo in le be; do
	test_expect_success "mb-parse reads a $bo file with swapped versions: one warning, the same events" "
		mb-parse -q $bo.pcap >ev.want 2>err.want &&
		test ! -s err.want &&
		mb-parse -q $bo-sw.pcap >ev.got 2>err &&
		echo \"mb-parse: warning: pcap version fields are byte-swapped relative to the magic (512.1024 read as 2.4): '$bo-sw.pcap' at byte 4\" >expect &&
		test_cmp expect err &&
		mb-cat ev.want | grep -v \"^#membench\" >a && mb-cat ev.got | grep -v \"^#membench\" >b &&
		test_cmp a b &&
		test \"\$(sumval ev.got mb-parse events)\" = 3
	"

	test_expect_success "mb-capture -r reads a $bo file with swapped versions: one warning, the same packets" "
		mb-capture -r $bo.pcap >pk.want 2>/dev/null &&
		mb-capture -r $bo-sw.pcap >pk.got 2>err &&
		test \"\$(wc -l <err)\" = 2 &&
		grep -q \"^mb-capture: warning: pcap version fields are byte-swapped relative to the magic (512.1024 read as 2.4): '$bo-sw.pcap' at byte 4\\$\" err &&
		grep -q \"^mb-capture: 6 packets\" err &&
		mb-cat pk.want | grep \"^pkt\" >a && mb-cat pk.got | grep \"^pkt\" >b &&
		test_cmp a b
	"
done

test_expect_success 'other versions are still refused' '
	"$MB_PYTHON" -c "
import sys
b = bytearray(open(\"le.pcap\", \"rb\").read()); b[4:6] = b\"\x03\x00\"
open(\"v3.pcap\", \"wb\").write(b)" &&
	test_expect_code 1 mb-parse v3.pcap >out 2>err &&
	test_one_line_error mb-parse err &&
	grep -q "unsupported pcap format version 3.4 (only 2.x is read): .v3.pcap. at byte 4" err
'

T0=1700000000000000000
test_expect_success 'setup: pcapng with if_tsoffset 0, +1000 s and -1000 s (ns units)' '
	gen src.pcap --count 2 &&
	ng src.pcap off0.pcapng 9 0 $T0 $((T0 + 5)) &&
	ng src.pcap offp.pcapng 9 1000 $T0 $((T0 + 5)) &&
	ng src.pcap offm.pcapng 9 -1000 $T0 $((T0 + 5)) &&
	mb-capture -r off0.pcapng >p0 2>/dev/null &&
	mb-capture -r offp.pcapng >pp 2>/dev/null &&
	mb-capture -r offm.pcapng >pm 2>/dev/null &&
	printf "%s\n" 1700000000.000000000 1700000000.000000005 >expect && pkt_ts p0 >got && test_cmp expect got &&
	printf "%s\n" 1700001000.000000000 1700001000.000000005 >expect && pkt_ts pp >got && test_cmp expect got &&
	printf "%s\n" 1699999000.000000000 1699999000.000000005 >expect && pkt_ts pm >got && test_cmp expect got
'

test_expect_success 'if_tsoffset at the limit (9223372036 s) is read' '
	ng src.pcap max.pcapng 9 9223372036 0 1 &&
	mb-capture -r max.pcapng >pk 2>/dev/null &&
	test "$(pkts pk)" = 2
'

for off in 9223372037 -9223372037 4611686018427387904 -9223372036854775808; do
	test_expect_success "if_tsoffset $off s overflows: one line naming it, exit 1 (mb-parse, mb-capture -r)" "
		ng src.pcap big.pcapng 9 $off $T0 $T0 &&
		test_expect_code 1 mb-parse big.pcapng >out 2>err &&
		test_one_line_error mb-parse err &&
		echo \"mb-parse: pcapng if_tsoffset $off s overflows 64-bit nanosecond time: 'big.pcapng' at byte 44\" >expect &&
		test_cmp expect err &&
		test_expect_code 1 mb-capture -r big.pcapng >out 2>err &&
		test_one_line_error mb-capture err &&
		grep -q \"pcapng if_tsoffset $off s overflows 64-bit nanosecond time: 'big.pcapng' at byte 44\\$\" err
	"
done

test_expect_success 'a time pushed before 1970 by a negative if_tsoffset: the packets before it, then one line' '
	ng src.pcap neg.pcapng 9 -1000 $T0 999999999999 &&
	test_expect_code 1 mb-capture -r neg.pcapng >pk 2>err &&
	test_one_line_error mb-capture err &&
	off2=$(( 72 + $(od -An -tu4 -j76 -N4 neg.pcapng) )) &&
	echo "mb-capture: pcapng timestamp 999999999999 of interface 0 with if_tsoffset -1000 s is outside 64-bit nanosecond time: '"'"'neg.pcapng'"'"' at byte $((off2 + 12))" >expect &&
	test_cmp expect err &&
	test "$(pkts pk)" = 1
'

test_expect_success 'a time pushed past 2^64 ns by a positive if_tsoffset: one line' '
	ng src.pcap pos.pcapng 9 9000000000 18000000000000000000 0 &&
	test_expect_code 1 mb-parse pos.pcapng >out 2>err &&
	test_one_line_error mb-parse err &&
	grep -q "pcapng timestamp 18000000000000000000 of interface 0 with if_tsoffset 9000000000 s is outside 64-bit nanosecond time: .pos.pcapng. at byte 84$" err
'

test_expect_success 'a raw timestamp too large for its resolution (seconds): one line, not a wrapped time' '
	ng src.pcap sec.pcapng 0 0 18446744073 18446744074 &&
	test_expect_code 1 mb-capture -r sec.pcapng >pk 2>err &&
	test_one_line_error mb-capture err &&
	grep -q "pcapng timestamp 18446744074 of interface 0 with if_tsoffset 0 s is outside 64-bit nanosecond time" err &&
	test "$(pkt_ts pk)" = 18446744073.000000000
'

test_done
