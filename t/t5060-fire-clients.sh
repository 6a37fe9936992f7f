#!/bin/sh
# t5060-fire-clients: captured real clients (pylibmc text and binary, php-memcached text and binary, memjs, libmemcached's tools), replayed at -s 1, 10, 100 and --max: memcached's counters equal the recording's.
# mb-test: live (captures live traffic: runs alone, after the parallel tests)
# Each client runs its bounded workload (t/lib/client-workload.py, .php and .js, several
# connections, a few hundred key operations; libmemcached's tools as t2171 drives them)
# against a fresh memcached A while tcpdump captures it. The capture goes through
# mb-parse -P | mb-anon | mb-pack; mb-fire replays the profile against a fresh memcached B at
# each speed (and -s 10 with three workers, whose conflicting requests wait for each other
# across threads), and B's counters (cmd_get, cmd_set, cmd_touch, get/delete/incr/decr/touch
# hits and misses, cas_hits/badval/misses) must equal A's exactly.
test_description='mb-fire replays of real clients end with the recording counters at every speed'
. "$(dirname "$0")/test-lib.sh"

COUNTERS='^(cmd_get|cmd_set|cmd_touch|get_hits|get_misses|delete_hits|delete_misses|incr_hits|incr_misses|decr_hits|decr_misses|touch_hits|touch_misses|cas_hits|cas_badval|cas_misses) '
PRE=ROOT,TCPDUMP,MEMCACHED
"$MB_PYTHON" -c 'import pylibmc' 2>/dev/null && test_set_prereq PYLIBMC
php -r 'exit(class_exists("Memcached") ? 0 : 1);' 2>/dev/null && test_set_prereq PHPMEMCACHED
command -v memccp >/dev/null 2>&1 && command -v memcslap >/dev/null 2>&1 && test_set_prereq MEMCTOOLS
: "${MB_NODE_PREFIX:=/usr/local/lib/membench-node}"
command -v node >/dev/null 2>&1 && NODE_PATH=$MB_NODE_PREFIX/node_modules node -e 'require("memjs")' 2>/dev/null &&
	test_set_prereq MEMJS

# libmemcached's tools against PORT, text and binary (t/lib/tools-workload.sh).
tools() { sh "$MB_SRC/t/lib/tools-workload.sh" "$1"; }

# record_once NAME CMD...: CMD (given the port as its last argument) against a fresh
# memcached under tcpdump; NAME.expect holds that server's counters, NAME.prof the profile.
record_once() {
	name=$1
	shift
	rm -f $name.pcap $name.pcap.err &&
	start_memcached && pa=$MC_PORT &&
	tcpdump_lo $name.pcap "tcp port $pa" &&
	"$@" $pa >$name.out &&
	tcpdump_stop $name.pcap &&
	grep -q "^0 packets dropped by kernel" $name.pcap.err &&
	mc_stats $pa | grep -E "$COUNTERS" | sort >$name.expect &&
	mb-parse -q -P $pa $name.pcap >$name.stream &&
	for c in desyncs unmatched_responses ambiguous invalid; do
		v=$(sumval $name.stream mb-parse $c)
		test "$v" = 0 || { echo "$name: $c=$v"; return 1; }
	done &&
	mb-anon <$name.stream | mb-pack >$name.prof
}

# record NAME CMD...: record_once, retried twice when the kernel dropped packets.
record() {
	record_once "$@" || record_once "$@" || record_once "$@" || return 1
	cat $1.expect &&
	test "$(mb-cat -H $1.prof | awk -F"\t" "\$1 == \"ev\" { print \$3 }" | sort -u | wc -l)" -ge 3
}

# replay NAME SPEED: NAME.prof against a fresh memcached at SPEED; counters equal NAME.expect.
replay() {
	start_memcached &&
	mb-fire -q -t 127.0.0.1:$MC_PORT $2 $1.prof >report &&
	cat report &&
	grep "^errors: 0 " report &&
	mc_stats $MC_PORT | grep -E "$COUNTERS" | sort >actual &&
	test_cmp $1.expect actual
}

pylibmc_text() { "$MB_PYTHON" "$MB_SRC/t/lib/client-workload.py" pylibmc $1; }
pylibmc_binary() { "$MB_PYTHON" "$MB_SRC/t/lib/client-workload.py" pylibmc $1 binary; }
php_text() { php "$MB_SRC/t/lib/client-workload.php" $1; }
php_binary() { php "$MB_SRC/t/lib/client-workload.php" $1 binary; }
memjs() { NODE_PATH=$MB_NODE_PREFIX/node_modules node "$MB_SRC/t/lib/client-workload.js" $1; }

for c in pylibmc_text:PYLIBMC pylibmc_binary:PYLIBMC php_binary:PHPMEMCACHED php_text:PHPMEMCACHED memjs:MEMJS tools:MEMCTOOLS; do
	name=${c%:*} req=$PRE,${c#*:}
	test_expect_success $req "$name: capture" '
		record '$name' '$name' &&
		case '$name' in
		tools) ;;
		memjs) grep -q "^incr_hits [1-9]" '$name'.expect && grep -q "^touch_misses [1-9]" '$name'.expect ;; # no cas in memjs
		*) grep -q "^cas_hits [1-9]" '$name'.expect ;;
		esac
	'
	for speed in "-s 1" "-s 10" "-s 100" "--max" "--max -T 3" "-s 10 -T 3"; do
		test_expect_success $req "$name, $speed: counters equal the recording's" '
			replay '$name' "'"$speed"'"
		'
	done
done

test_done
