#!/bin/sh
# t2000: mb-parse command line, input kinds (pcap, pcapng via stdin, packet streams), hostile captures, bad input.
test_description='mb-parse basics'
. "$(dirname "$0")/test-lib.sh"

gen() { "$MB_PYTHON" "$MB_SRC/t/t2001/gen.py" "$@"; }
# projection of events: conn proto cmd status key flags batch resp_len
proj() { mb-cat -H "$1" | grep '^ev' | cut -f3-7,11-13; }

test_expect_success 'help and version exit 0; bad options exit 2 with one line' '
	mb-parse --help >out && grep -q "^usage: mb-parse" out &&
	mb-parse --version >out && grep -q "membench" out &&
	test_expect_code 2 mb-parse --bogus 2>err && test_one_line_error mb-parse err &&
	test_expect_code 2 mb-parse -P 0x 2>err && test_one_line_error mb-parse err &&
	test_expect_code 2 mb-parse -M 0 2>err && test_one_line_error mb-parse err &&
	test_expect_code 2 mb-parse a b 2>err && test_one_line_error mb-parse err
'

test_expect_success 'garbage, empty input and an events stream: exit 1, one line, nothing on stdout' '
	printf "hello, this is not a capture\n" >garbage &&
	test_expect_code 1 mb-parse <garbage >out 2>err && test_one_line_error mb-parse err && ! test -s out &&
	test_expect_code 1 mb-parse </dev/null >out 2>err && test_one_line_error mb-parse err &&
	gen basic 1 >basic.pcap &&
	mb-parse -q basic.pcap >ev.bin &&
	test_expect_code 1 mb-parse <ev.bin >out 2>err && test_one_line_error mb-parse err &&
	grep -q "events-raw" err &&
	test_expect_code 1 mb-parse missing-file 2>err && test_one_line_error mb-parse err
'

test_expect_success 'a truncated capture: events before the cut, summary, exit 1' '
	gen basic 1 >basic.pcap &&
	head -c 1000 basic.pcap >cut.pcap &&
	test_expect_code 1 mb-parse cut.pcap >ev.bin 2>err &&
	test_one_line_error mb-parse err &&
	mb-cat ev.bin >ev.txt &&
	grep -c "^ev" ev.txt >n && test "$(cat n)" -ge 1 &&
	grep -q "^sum	mb-parse" ev.txt
'

cat >expect.basic <<EOF
0	text/tcp	set	stored	k1	-	0	0
0	text/tcp	get	hit	k1	multi,want_value	1	10
0	text/tcp	get	miss	k2	multi,batch_end,want_value	1	0
0	text/tcp	delete	not_found	k2	-	0	0
0	text/tcp	incr	hit	n	-	0	0
0	meta/tcp	get	hit	k1	want_value	0	10
EOF

test_expect_success 'pcap on stdin, pcap file and a packet stream give the same events; one summary line' '
	gen basic 1 >basic.pcap &&
	mb-parse <basic.pcap >a.bin 2>err &&
	test_one_line_error mb-parse err &&
	grep -q "16 packets, 1 flows, 6 events (text 5, meta 1, binary 0), 0 desyncs" err &&
	mb-parse -q basic.pcap >b.bin &&
	gen basic 101 >raw.pcap &&
	mb-capture -r raw.pcap 2>/dev/null | mb-parse -q >c.bin &&
	proj a.bin >a && proj b.bin >b && proj c.bin >c &&
	test_cmp expect.basic a && test_cmp a b && test_cmp a c &&
	mb-cat c.bin | head -1 >hdr && grep -q "program=mb-capture,mb-parse" hdr &&
	mb-cat c.bin | grep "^sum" >sums && grep -q "^sum	mb-capture" sums && grep -q "^sum	mb-parse" sums
'

test_expect_success 'latency is reply packet minus request packet, ts is the request packet' '
	mb-cat -H a.bin | grep "^ev" | head -1 | cut -f2,14 >got &&
	printf "1700000000.001040000\t10000\n" >want &&
	test_cmp want got
'

test_expect_success CORPUS 'hostile: malicious-commands (HTTP and garbage sent to memcached)' '
	mb-parse -P 31423 "$MB_CORPUS/pcaps/memcached-t/malicious-commands.pcap" >ev.bin 2>err &&
	mb-cat ev.bin >ev.txt &&
	test "$(grep -c "^ev" ev.txt)" = 3 &&
	test "$(grep -c "^ev.*unknown" ev.txt)" = 3 &&
	grep -q "3 errors" err
'

test_expect_success CORPUS 'hostile: bogus-commands gets one unknown command answered ERROR' '
	mb-parse -q -P 31421 "$MB_CORPUS/pcaps/memcached-t/bogus-commands.pcap" >ev.bin &&
	proj ev.bin >got &&
	printf "0\ttext/tcp\tunknown\terror\t-\t-\t0\t0\n" >want &&
	test_cmp want got
'

test_expect_success CORPUS 'hostile: percona 008, a VALUE cut mid-body then a new connection' '
	mb-parse -q "$MB_CORPUS/pcaps/percona/memc_tcpdump008.pcap" >ev.bin &&
	proj ev.bin | cut -f1-7 | sort >got &&
	printf "0\ttext/tcp\tget\tunanswered\tmy_key\twant_value,resync\t0\n1\ttext/tcp\tget\thit\tmy_key\twant_value,resync\t0\n" >want &&
	test_cmp want got
'

test_expect_success 'every link type and IPv6 give the same events' '
	for lt in 0 1 12 14 101 108 113 228 276; do
		gen basic $lt >lt$lt.pcap && mb-parse -q lt$lt.pcap >lt$lt.bin && proj lt$lt.bin >lt$lt.txt &&
		test_cmp expect.basic lt$lt.txt || return 1
	done &&
	for lt in 1 229 113 0; do
		gen basic $lt 6 >v6.pcap && mb-parse -q v6.pcap >v6.bin && proj v6.bin >v6.txt &&
		test_cmp expect.basic v6.txt || return 1
	done
'

test_expect_success 'stdout closed early: exit 0 quietly' '
	gen many 1 4 300 >many.pcap &&
	mb-parse many.pcap 2>err | head -c 10 >/dev/null &&
	! grep -v "packets," err
'

test_done
