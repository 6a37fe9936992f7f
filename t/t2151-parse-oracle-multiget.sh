#!/bin/sh
# t2151: multi-key get lines of 300 and 3000 keys (12 KB and 123 KB lines, which memcached accepts) give one event per key, as memcached's stats count them.
# mb-test: live (captures live traffic: runs alone, after the parallel tests)
test_description='mb-parse on long multi-key gets against memcached stats'
. "$(dirname "$0")/test-lib.sh"

PRE=ROOT,MEMCACHED,TCPDUMP
if test_have_prereq $PRE; then
	start_memcached || test_skip_all 'memcached does not start'
	echo "$MC_PORT" >"$TRASH/port"
fi

test_expect_success $PRE 'capture long multi-key gets' '
	port=$(cat port)
	mc_stats $port >stats.before
	tcpdump_lo cap.pcap "tcp port $port" &&
	test_when_finished "kill $TCPDUMP_PID 2>/dev/null" &&
	"$MB_PYTHON" "$MB_SRC/t/lib/multiget-workload.py" $port &&
	tcpdump_stop cap.pcap &&
	mc_stats $port >stats.after &&
	grep -q "^0 packets dropped by kernel" cap.pcap.err
'

test_expect_success $PRE 'one event per key, no desync, counts equal the stats deltas' '
	port=$(cat port) &&
	mb-parse -P $port <cap.pcap >ev.bin &&
	mb-cat ev.bin >ev.txt &&
	! grep "^sum" ev.txt | tr "\t" "\n" | grep -E "^(desyncs|keys_over_cap|invalid)=[1-9]" &&
	test $(grep -c "^ev" ev.txt) = 4641 &&
	"$MB_PYTHON" "$MB_SRC/t/lib/stats-oracle.py" stats.before stats.after ev.txt
'

test_done
