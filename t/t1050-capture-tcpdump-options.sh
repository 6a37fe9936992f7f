#!/bin/sh
# t1050: mb-capture takes tcpdump's flags (-i -r -w -s -B -c -D -n -p and a trailing filter
# expression) with tcpdump's meanings; membench's own options have long names and -P; mb-parse
# reads its input with -r and its ports with -P as mb-capture does.
test_description='mb-capture follows tcpdump where tcpdump has the flag'
. "$(dirname "$0")/test-lib.sh"

port=22122 # the demo capture's server port

test_expect_success 'setup: the demo capture' '
	zstd -dc "$MB_SRC/scripts/demo-data/demo.pcap.zst" >demo.pcap
'

test_expect_success TCPDUMP '-r FILE EXPRESSION passes the packets tcpdump -r FILE EXPRESSION passes' '
	tcpdump -r demo.pcap -w want.pcap tcp port $port and "tcp[tcpflags] & tcp-push != 0" 2>/dev/null &&
	want=$(tcpdump -r want.pcap 2>/dev/null | wc -l) &&
	test "$want" -gt 1000 &&
	mb-capture -r demo.pcap tcp port $port and "tcp[tcpflags] & tcp-push != 0" >s.mb 2>err &&
	test "$(sumval s.mb mb-capture packets)" = "$want" &&
	mb-cat s.mb | grep "^#membench" | grep -q "filter=tcp.x20port.x20$port.x20and" &&
	mb-capture -r demo.pcap -w mine.pcap tcp port $port and "tcp[tcpflags] & tcp-push != 0" >/dev/null 2>err &&
	tcpdump -r mine.pcap 2>/dev/null | wc -l >n && test "$(cat n)" = "$want"
'

test_expect_success TCPDUMP 'an empty expression passes every packet; the default is the port filter' '
	all=$(tcpdump -r demo.pcap 2>/dev/null | wc -l) &&
	test "$(mb-capture -r demo.pcap "" 2>/dev/null | mb-cat | grep -c "^pkt")" = "$all" &&
	onport=$(mb-capture -r demo.pcap -P $port 2>/dev/null | mb-cat | grep -c "^pkt") &&
	none=$(mb-capture -r demo.pcap 2>/dev/null | mb-cat | grep -c "^pkt" || :) &&
	test "$onport" -gt 1000 && test "$none" = 0 &&
	test "$(mb-capture -r demo.pcap --ports $port 2>/dev/null | mb-cat | grep -c "^pkt")" = "$onport"
'

test_expect_success '-s 0 is the maximum (262144); -s 100 cuts every packet to 100 bytes; -c counts' '
	mb-capture -r demo.pcap -s 0 -c 7 -P $port >s0.mb 2>/dev/null &&
	mb-cat s0.mb | grep "^#membench" | grep -q "snaplen=262144" &&
	test "$(sumval s0.mb mb-capture packets)" = 7 &&
	mb-capture -r demo.pcap --snapshot-length 100 --count 50 -P $port >s100.mb 2>/dev/null &&
	mb-cat s100.mb | awk -F "\t" "\$1==\"pkt\" && \$4 > 100 {bad++} \$1==\"pkt\" {n++} END {exit !(n == 50 && !bad)}" &&
	test "$(mb-cat s100.mb | awk -F "\t" "\$1==\"pkt\" && \$4 == 100" | wc -l)" -gt 0
'

test_expect_success '-n and -p are accepted; -B takes KiB; -D lists lo and exits 0' '
	mb-capture -n -p -B 4096 -r demo.pcap -P $port >np.mb 2>/dev/null &&
	test "$(sumval np.mb mb-capture packets)" = "$(mb-capture -r demo.pcap -P $port 2>/dev/null | mb-cat | grep -c "^pkt")" &&
	mb-capture -D >list && grep -q "^[0-9]*\.lo " list &&
	mb-capture --list-interfaces >list2 && test_cmp list list2
'

test_expect_success 'old spellings and mistakes are usage errors that say what to write' '
	test_expect_code 2 mb-capture -r demo.pcap -p 11211 >out 2>err && test_one_line_error mb-capture err &&
	grep -q "did you mean --ports 11211" err && test ! -s out &&
	test_expect_code 2 mb-capture eth0 >out 2>err && test_one_line_error mb-capture err &&
	grep -q -- "-i IFACE" err &&
	test_expect_code 2 mb-capture -r demo.pcap -f tcp >out 2>err && test_one_line_error mb-capture err &&
	test_expect_code 2 mb-capture -r demo.pcap -d 10s >out 2>err && test_one_line_error mb-capture err &&
	test_expect_code 2 mb-capture -r demo.pcap -s 63 >out 2>err && test_one_line_error mb-capture err &&
	test_expect_code 2 mb-capture -r demo.pcap -s 262145 >out 2>err && test_one_line_error mb-capture err &&
	test_expect_code 2 mb-capture -r demo.pcap -B 0 >out 2>err && test_one_line_error mb-capture err &&
	test_expect_code 2 mb-capture -r demo.pcap -P $port tcp >out 2>err && test_one_line_error mb-capture err &&
	test_expect_code 2 mb-capture -i lo -r demo.pcap >out 2>err && test_one_line_error mb-capture err
'

test_expect_success 'mb-parse: -r FILE is FILE; -P PORTS; the old -p is a usage error' '
	mb-capture -r demo.pcap -P $port >pk.mb 2>/dev/null &&
	mb-parse -q -P $port pk.mb | mb-cat -H >a &&
	mb-parse -q --ports $port -r pk.mb | mb-cat -H >b &&
	test_cmp a b && test "$(grep -c "^ev" a)" -gt 5000 &&
	test_expect_code 2 mb-parse -p $port pk.mb >out 2>err && test_one_line_error mb-parse err &&
	test_expect_code 2 mb-parse -r pk.mb pk.mb >out 2>err && test_one_line_error mb-parse err
'

test_expect_success ROOT,MEMCACHED 'live: tcpdump'"'"'s own argument list (-i lo -B -s 0 -n -p -c, expression) captures' '
	start_memcached &&
	{ timeout 30 mb-capture -i lo -B 16384 -s 0 -n -p -c 4 tcp port $MC_PORT >live.mb 2>live.err & } &&
	cap=$! &&
	wait_for "test -s live.mb" 100 &&
	"$MB_PYTHON" -c "
import socket
s = socket.create_connection((\"127.0.0.1\", $MC_PORT))
s.sendall(b\"version\\r\\n\"); s.recv(100); s.close()" &&
	wait $cap &&
	test "$(sumval live.mb mb-capture packets)" = 4 &&
	mb-cat live.mb | grep "^#membench" | grep -q "capture=live" &&
	grep -q "^mb-capture: 4 packets" live.err
'

test_expect_success ROOT 'live: without -i (and without -r) the first interface -D lists, as tcpdump' '
	first=$(mb-capture -D | sed -n "1s/^1\.\([^ ]*\).*/\1/p") && test -n "$first" &&
	timeout 30 mb-capture -p --duration 200ms >def.mb 2>def.err &&
	mb-cat def.mb | grep "^#membench" | grep -q "	source=$first	"
'

test_done
