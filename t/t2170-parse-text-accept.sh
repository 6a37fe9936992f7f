#!/bin/sh
# t2170: mb-parse accepts and refuses text and meta request lines exactly as a live memcached does (one connection per hostile case, replies as the oracle).
# mb-test: live (captures live traffic: runs alone, after the parallel tests)
test_description='mb-parse accepts what memcached tokenizer accepts (live memcached as oracle)'
. "$(dirname "$0")/test-lib.sh"

# t/t2170/cases.txt holds the hostile lines (extra tokens, noreply anywhere, signs, tabs,
# CRs, overflowing numbers, 251-byte keys, meta without a length ...); t/lib/text-accept.py
# sends each on its own connection followed by a "version" fence and records memcached's
# replies; mb-parse's events of the capture must carry exactly those replies, connection
# by connection, with no desync and no unmatched reply.
PRE=ROOT,MEMCACHED,TCPDUMP
if test_have_prereq $PRE; then
	start_memcached || test_skip_all 'memcached does not start'
	echo "$MC_PORT" >"$TRASH/port"
fi

test_expect_success $PRE 'capture every case against memcached' '
	port=$(cat port)
	tcpdump_lo cap.pcap "tcp port $port" &&
	test_when_finished "kill $TCPDUMP_PID 2>/dev/null" &&
	"$MB_PYTHON" "$MB_SRC/t/lib/text-accept.py" run $port "$MB_SRC/t/t2170/cases.txt" truth.txt &&
	test $(grep -vc "^skip" truth.txt) -ge 160 &&
	last=-1 && same=0 &&
	for i in $(seq 1 30); do
		sleep 0.5
		size=$(stat -c %s cap.pcap)
		if test "$size" = "$last"; then same=$((same + 1)); else same=0; fi
		last=$size
		test $same -ge 3 && break
	done &&
	kill -INT $TCPDUMP_PID && wait $TCPDUMP_PID &&
	grep -q "^0 packets dropped by kernel" cap.pcap.err
'

test_expect_success $PRE 'every event carries the reply memcached gave, no desync, nothing unmatched' '
	port=$(cat port) &&
	mb-parse -P $port <cap.pcap >ev.bin &&
	mb-cat ev.bin >ev.txt &&
	test "$(sumval ev.bin mb-parse desyncs)" = 0 &&
	test "$(sumval ev.bin mb-parse unmatched_responses)" = 0 &&
	"$MB_PYTHON" "$MB_SRC/t/lib/text-accept.py" check truth.txt ev.txt
'

test_done
