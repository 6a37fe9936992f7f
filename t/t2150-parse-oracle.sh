#!/bin/sh
# t2150: a real memcached's own stats deltas equal the counts of the events mb-parse decodes from a capture of real clients.
# mb-test: live (captures live traffic: runs alone, after the parallel tests)
test_description='mb-parse against memcached stats (real-server oracle)'
. "$(dirname "$0")/test-lib.sh"

# Workload (bounded: about 5,300 key operations, a few seconds): t/lib/oracle-workload.py
# (pymemcache text commands incl. noreply, get_many, gets/cas, incr/decr, delete, touch; a
# raw socket with gat/gats and meta ms/mg/md/ma incl. quiet pipelines closed by mn; a raw
# binary socket with every keyed opcode family, quiet gets/deletes fenced by NOOP; a final
# flush_all) and memcslap (text and --binary: set, get, mget, binary set with noreply), all captured
# by tcpdump on lo. The rules mapping events to stats are in t/lib/stats-oracle.py.
# tcpdump is stopped once its file has not grown for 1.5 s: packets still in the kernel
# ring's current block (retired after tcpdump's 1 s timeout) would be lost without being
# counted as drops. (--immediate-mode avoids that but drops packets on a busy 2-core
# machine.)
PRE=ROOT,MEMCACHED,TCPDUMP,PYMEMCACHE,MEMCSLAP
if test_have_prereq $PRE; then
	start_memcached || test_skip_all 'memcached does not start'
	echo "$MC_PORT" >"$TRASH/port"
fi

test_expect_success $PRE 'capture a mixed workload of real clients' '
	port=$(cat port)
	mc_stats $port >stats.before
	tcpdump_lo cap.pcap "tcp port $port" &&
	test_when_finished "kill $TCPDUMP_PID 2>/dev/null" &&
	"$MB_PYTHON" "$MB_SRC/t/lib/oracle-workload.py" $port >workload.out &&
	s=127.0.0.1:$port &&
	memcslap -q -s $s -t set -e 200 -c 2 &&
	memcslap -q -s $s -t get -e 200 -c 2 &&
	memcslap -q -s $s -t mget -e 60 -c 2 &&
	memcslap -q -s $s -b -t set -e 200 -c 2 &&
	memcslap -q -s $s -b -t get -e 200 -c 2 &&
	memcslap -q -s $s -b -t mget -e 60 -c 2 &&
	memcslap -q -s $s -b -R -t set -e 50 -c 1 &&
	tcpdump_stop cap.pcap &&
	mc_stats $port >stats.after &&
	cat cap.pcap.err &&
	grep -q "^0 packets dropped by kernel" cap.pcap.err
'

test_expect_success $PRE 'mb-parse decodes the capture (raw pcap on stdin) without desyncs' '
	port=$(cat port) &&
	mb-parse -P $port <cap.pcap >ev.bin 2>parse.err &&
	cat parse.err &&
	mb-cat ev.bin >ev.txt &&
	grep "^sum" ev.txt >sum.txt &&
	! tr "\t" "\n" <sum.txt | grep -E "^desyncs?=[1-9]" &&
	test $(grep -c "^ev" ev.txt) -gt 4000
'

test_expect_success $PRE 'event counts equal the memcached stats deltas' '
	"$MB_PYTHON" "$MB_SRC/t/lib/stats-oracle.py" stats.before stats.after ev.txt
'

test_done
