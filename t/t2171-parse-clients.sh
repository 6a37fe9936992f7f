#!/bin/sh
# t2171: captures of real clients (pylibmc and php-memcached text and binary, memjs, libmemcached's tools, pymemcache, a raw meta client), several connections each: the counters mb-parse's events imply equal memcached's own stats deltas.
# mb-test: live (captures live traffic: runs alone, after the parallel tests)
test_description='mb-parse against memcached stats for real clients (pylibmc, php-memcached, libmemcached tools, pymemcache, meta)'
. "$(dirname "$0")/test-lib.sh"

# Each client group runs alone between two stats snapshots, captured by tcpdump on lo;
# mb-parse reads the capture and t/lib/stats-oracle.py checks cmd_get, cmd_set, cmd_touch,
# cmd_flush, get/delete/incr/decr/cas/touch hits and misses against the deltas (rules
# and memcached's own accounting: doc/parse-truth.md). Every capture must decode without
# a desync, an unmatched reply or an ambiguous event. Workloads: t/lib/client-workload.py
# (pylibmc, pymemcache, meta) and t/lib/client-workload.php, bounded (a few hundred key
# operations each, multi-gets up to 150 keys, values up to 3000 bytes).
PRE=ROOT,MEMCACHED,TCPDUMP
"$MB_PYTHON" -c 'import pylibmc' 2>/dev/null && test_set_prereq PYLIBMC
php -r 'exit(class_exists("Memcached") ? 0 : 1);' 2>/dev/null && test_set_prereq PHPMEMCACHED
command -v memccp >/dev/null 2>&1 && command -v memcslap >/dev/null 2>&1 && test_set_prereq MEMCTOOLS
: "${MB_NODE_PREFIX:=/usr/local/lib/membench-node}"
command -v node >/dev/null 2>&1 && NODE_PATH=$MB_NODE_PREFIX/node_modules node -e 'require("memjs")' 2>/dev/null &&
	test_set_prereq MEMJS
if test_have_prereq $PRE; then
	start_memcached || test_skip_all 'memcached does not start'
	echo "$MC_PORT" >"$TRASH/port"
fi

# capture NAME CMD...: stats, capture of CMD's traffic in NAME.pcap, stats again.
capture() {
	name=$1
	shift
	port=$(cat port)
	mc_stats $port >$name.before &&
	tcpdump_lo $name.pcap "tcp port $port" || return 1
	"$@" >$name.out
	rc=$?
	tcpdump_stop $name.pcap || return 1
	mc_stats $port >$name.after &&
	test $rc = 0 &&
	grep -q "^0 packets dropped by kernel" $name.pcap.err
}

# check NAME [MIN_EVENTS [CMD:STATUS=N...]]: decode NAME.pcap and hold its events against the stats deltas.
check() {
	port=$(cat port)
	mb-parse -P $port <$1.pcap >$1.bin 2>$1.err &&
	mb-cat $1.bin >$1.txt &&
	for c in desyncs unmatched_responses ambiguous invalid; do
		v=$(sumval $1.bin mb-parse $c)
		test "$v" = 0 || { echo "$1: $c=$v"; return 1; }
	done &&
	test $(grep -c "^ev" $1.txt) -ge ${2:-100} &&
	name=$1 && shift 2 &&
	"$MB_PYTHON" "$MB_SRC/t/lib/stats-oracle.py" $name.before $name.after $name.txt "$@"
}

# libmemcached's tools, text and binary (t/lib/tools-workload.sh), ending with memcflush.
tools() { sh "$MB_SRC/t/lib/tools-workload.sh" "$(cat port)" --flush; }

test_expect_success $PRE,PYLIBMC 'pylibmc, text protocol' '
	capture pylibmc-text "$MB_PYTHON" "$MB_SRC/t/lib/client-workload.py" pylibmc $(cat port) &&
	check pylibmc-text 700
'
test_expect_success $PRE,PYLIBMC 'pylibmc, binary protocol (cas as SET with a CAS, GETKQ multi-gets)' '
	capture pylibmc-binary "$MB_PYTHON" "$MB_SRC/t/lib/client-workload.py" pylibmc $(cat port) binary &&
	check pylibmc-binary 700 &&
	grep -q "	cas	.*cas_store" pylibmc-binary.txt
'
test_expect_success $PRE,PHPMEMCACHED 'php-memcached, text protocol' '
	capture php-text php "$MB_SRC/t/lib/client-workload.php" $(cat port) &&
	check php-text 700
'
test_expect_success $PRE,PHPMEMCACHED 'php-memcached, binary protocol' '
	capture php-binary php "$MB_SRC/t/lib/client-workload.php" $(cat port) binary &&
	check php-binary 700 &&
	grep -q "	cas	.*cas_store" php-binary.txt
'
test_expect_success $PRE,MEMJS 'memjs, binary protocol (pipelined gets with opaque numbers, incr and decr carrying an initial value)' '
	capture memjs env NODE_PATH=$MB_NODE_PREFIX/node_modules node "$MB_SRC/t/lib/client-workload.js" $(cat port) preset &&
	check memjs 700
'
test_expect_success $PRE,MEMCTOOLS "libmemcached's tools, text and binary" '
	capture tools tools &&
	check tools 500
'
test_expect_success $PRE,PYMEMCACHE 'pymemcache' '
	capture pymemcache "$MB_PYTHON" "$MB_SRC/t/lib/client-workload.py" pymemcache $(cat port) &&
	check pymemcache 700
'
test_expect_success $PRE 'a raw meta client: quiet pipelines whose replies the wire can attribute' '
	capture meta "$MB_PYTHON" "$MB_SRC/t/lib/client-workload.py" meta $(cat port) &&
	check meta 200 incr:client_error=$(sed -n 2p meta.out) &&
	test "$(sumval meta.bin mb-parse inferred)" -gt 20
'
test_expect_success $PRE 'get/gets lines of 65-400 keys, gat/gats of 65 and 150, cut into 1-200 byte segments: every key an event' '
	capture segmented "$MB_PYTHON" "$MB_SRC/t/lib/client-workload.py" segmented $(cat port) &&
	check segmented 1600 &&
	test "$(sumval segmented.bin mb-parse segments)" -gt 100
'
test_expect_success $PRE 'what the wire cannot attribute is flagged and counted, not guessed silently' '
	port=$(cat port) &&
	tcpdump_lo amb.pcap "tcp port $port" &&
	"$MB_PYTHON" "$MB_SRC/t/lib/client-workload.py" meta-ambiguous $port &&
	sleep 1.5 && kill -INT $TCPDUMP_PID && wait $TCPDUMP_PID &&
	mb-parse -P $port <amb.pcap >amb.bin &&
	test "$(sumval amb.bin mb-parse ambiguous)" = 20 &&
	test "$(sumval amb.bin mb-parse desyncs)" = 0 &&
	test "$(sumval amb.bin mb-parse unmatched_responses)" = 0 &&
	test $(mb-cat amb.bin | grep "	delete	" | grep -c ambiguous) = 20
'

test_done
