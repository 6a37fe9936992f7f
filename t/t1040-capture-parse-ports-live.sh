#!/bin/sh
# t1040-capture-parse-ports-live.sh - a live capture on a non-default port piped to mb-parse without -P agrees with memcached.
# mb-test: live (captures live traffic: runs alone, after the parallel tests)
test_description='mb-capture -i lo -P PORT | mb-parse (no -p): the stream header carries the port; events equal memcached stats deltas'
. "$(dirname "$0")/test-lib.sh"

for p in ROOT MEMCACHED PYMEMCACHE TCPDUMP; do
	test_have_prereq $p || test_skip_all "live capture needs $p (root, memcached, python3-pymemcache, tcpdump)"
done
start_memcached >/dev/null 2>&1 || test_skip_all 'could not start memcached'

# 100 sets, 150 single gets (100 hits, 50 misses), one 10-key get_many (5 hits, 5 misses).
workload() {
	"$MB_PYTHON" - "$MC_PORT" <<'PY'
import sys
from pymemcache.client.base import Client
c = Client(("127.0.0.1", int(sys.argv[1])), no_delay=True, connect_timeout=5, timeout=5)
for i in range(100):
    c.set("k%d" % i, b"v" * (5 + i % 40), noreply=False)
hits = sum(1 for i in range(150) if c.get("k%d" % i) is not None)
many = c.get_many(["k%d" % i for i in range(95, 105)])
c.close()
assert hits == 100 and len(many) == 5, (hits, len(many))
PY
}

stat() { sed -n "s/^$1 //p" "$2"; }
evs() { mb-cat "$1" | awk -F '\t' -v c="$2" -v s="$3" '$1 == "ev" && $5 == c && $6 == s {n++} END {print n + 0}'; }

test_expect_success 'capture the workload on a free port (not 11211)' '
	test "$MC_PORT" != 11211 &&
	mc_stats >before &&
	timeout 60 mb-capture -i lo -P "$MC_PORT" --duration 30 >pk 2>cap.err &
	mc=$!
	test_when_finished "kill $mc 2>/dev/null" &&
	wait_for "test -s pk" &&
	workload &&
	sleep 0.5 &&
	kill -INT $mc &&
	wait $mc &&
	mc_stats >after &&
	grep -q " 0 kernel drops, 0 interface drops$" cap.err &&
	mb-cat pk | head -1 | tr "\t" "\n" | grep -qx "ports=$MC_PORT"
'

test_expect_success 'mb-parse without -P takes the port from the stream and pairs everything' '
	mb-parse <pk >ev 2>err &&
	test "$(wc -l <err)" = 1 &&
	grep -q "^mb-parse: [0-9]* packets, 1 flows, 260 events (text 260, meta 0, binary 0), 0 desyncs" err &&
	test "$(evs ev set stored)" = 100 &&
	test "$(evs ev get hit)" = 105 &&
	test "$(evs ev get miss)" = 55 &&
	test "$(sumval ev mb-parse events)" = 260 &&
	test "$(sumval ev mb-parse unmatched_responses)" = 0 &&
	test "$(sumval ev mb-parse not_memcached)" = 0 &&
	mb-cat ev | head -1 | tr "\t" "\n" | grep -qx "ports=$MC_PORT"
'

test_expect_success 'the events equal memcached stats deltas' '
	test $(( $(stat cmd_set after) - $(stat cmd_set before) )) = "$(evs ev set stored)" &&
	test $(( $(stat get_hits after) - $(stat get_hits before) )) = "$(evs ev get hit)" &&
	test $(( $(stat get_misses after) - $(stat get_misses before) )) = "$(evs ev get miss)" &&
	test $(( $(stat cmd_get after) - $(stat cmd_get before) )) = "$(sumval ev mb-parse cmd.get)"
'

test_expect_success 'with -P of the same port: the same events' '
	mb-parse -q -P "$MC_PORT" <pk >ev2 &&
	mb-cat ev | grep "^ev" >a && mb-cat ev2 | grep "^ev" >b &&
	test_cmp a b
'

test_expect_success 'with -P 11211 (the old default): one line naming the real port first, exit 1' '
	test_expect_code 1 mb-parse -P 11211 <pk >ev3 2>err &&
	test_one_line_error mb-parse err &&
	grep -q "no flow on server ports 11211: [0-9]* TCP/UDP packets use other ports, the busiest $MC_PORT (" err &&
	grep -q "(try -P $MC_PORT): .<stdin>.$" err
'

test_done
