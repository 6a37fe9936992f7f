#!/bin/sh
# t5070-fire-ttl: mb-fire scales expiration times with -s, so items expire at the same point
# of the replay as in the recording, and --keep-ttl sends them as recorded. A recorded
# workload (30 s long) sets keys with a 20 s TTL, a 20 s unix-time TTL and no TTL, reads
# them at 2 s (hits) and at 30 s (the TTL keys miss). At -s 10 (3 s) a fresh memcached
# must count the recorded hits and misses exactly; with --keep-ttl the 2 s TTLs outlive the
# replay and the unix time (2023) has passed, so the counts differ in a known way.
# (get_expired is not compared: memcached's LRU crawler may reap an expired item first.)
# mb-test: alone (it watches memcached's clock tick by tick; another test's timed workers at
# nice -20 on the two cores starved that memcached of ticks once, in a CI run)
test_description='mb-fire scales TTLs with the speed factor; --keep-ttl keeps them'
. "$(dirname "$0")/test-lib.sh"

COUNTERS='^(cmd_get|cmd_set|get_hits|get_misses) '

# ev ts conn proto cmd status key key_len value_len ttl flags batch resp_len latency_ns
ev() { printf 'ev\t%s\t%s\ttext/tcp\t%s\t%s\t%s\t%s\t%s\t%s\t-\t0\t%s\t1000\n' "$@"; }
T0=1700000000
{
	for i in 1 2 3 4 5; do
		ev $T0.0000$i 1 set stored k$i 2 10 20 0
		ev $T0.0001$i 1 set stored p$i 2 10 0 0
	done
	ev $T0.000200 1 set stored a1 2 10 $((T0 + 20)) 0
	for i in 1 2 3 4 5; do ev $((T0 + 2)).0000$i 2 get hit k$i 2 0 0 10; done
	ev $((T0 + 2)).000100 2 get hit a1 2 0 0 10
	for i in 1 2 3 4 5; do
		ev $((T0 + 30)).0000$i 2 get miss k$i 2 0 0 0
		ev $((T0 + 30)).0001$i 2 get hit p$i 2 0 0 10
	done
	ev $((T0 + 30)).000200 2 get miss a1 2 0 0 0
} >w.txt

# replay_counts STREAM ARGS...: replay STREAM with mb-fire ARGS against a fresh memcached;
# the text report in report, what the replay added to the counters in got
replay_counts() {
	local stream=$1
	shift
	start_memcached &&
	mc_stats | grep -E "$COUNTERS" | sort >before &&
	mb-fire -q -t 127.0.0.1:$MC_PORT "$@" "$stream" >report &&
	mc_stats | grep -E "$COUNTERS" | sort >after &&
	for k in cmd_get cmd_set get_hits get_misses; do
		echo "$k $(stat_delta $k)"
	done >got
}

# expect_counts GET SET HITS MISSES: what got must say (cmd_get, cmd_set, get_hits, get_misses)
expect_counts() {
	printf "cmd_get %s\ncmd_set %s\nget_hits %s\nget_misses %s\n" "$@" >want &&
	test_cmp want got
}

# replay ARGS...: the 30 s workload at -s 10 (or as ARGS say)
replay() {
	replay_counts w.stream -s 10 "$@"
}

test_expect_success 'a 30 s recorded workload with 20 s TTLs' '
	mb-cat -p w.txt >w.stream &&
	mb-cat w.stream | awk -F"\t" "\$1 == \"ev\"" >lines &&
	test $(wc -l <lines) = 28 &&
	test $(awk -F"\t" "\$5 == \"get\" && \$6 == \"hit\"" lines | wc -l) = 11 &&
	test $(awk -F"\t" "\$5 == \"get\" && \$6 == \"miss\"" lines | wc -l) = 6
'

test_expect_success MEMCACHED 'at -s 10 the TTLs expire where they did: recorded hits and misses' '
	replay &&
	cat got &&
	expect_counts 17 11 11 6 &&
	# 28 operations in about 3 s: the rate is not rounded to a whole number
	sed -n "s/^mb-fire: 28 operations (28 requests) in \([0-9.]*\) s: \([0-9.]*\) ops\/s\$/\1 \2/p" report >rate &&
	awk "NF == 2 { d = \$2 - 28 / \$1; ok = \$2 < 10 && d < 0.006 && d > -0.006 } END { exit !ok }" rate
'

test_expect_success MEMCACHED '--keep-ttl at -s 10: the 20 s TTLs outlive the replay, the past unix time expires at once' '
	replay --keep-ttl &&
	cat got &&
	expect_counts 17 11 15 2
'

# At -s 100 a 100 s TTL becomes about 1 s, where memcached's whole-second clock matters: an
# exptime of 1 expires at its next tick, anywhere from 0 to 1 s after the set. Ten keys are
# set a tenth of a second apart in the replay (10 s in the recording), each read 0.3 s and
# 1.7 s later (30 s and 170 s): a hit, then a miss. Sent as exptime 1, the three keys whose
# set fell in the 0.3 s before a tick would miss early; mb-fire learns the tick of the
# target's clock and sends the exptime whose tick falls nearest to 0.995 s (within 0.5 s).
test_expect_success MEMCACHED 'at -s 100, 1 s TTLs expire on the ticks nearest to their scaled lifetime' '
	for i in 0 1 2 3 4 5 6 7 8 9; do
		t=$((T0 + 10 * i))
		ev $t.000001 1 set stored s$i 2 10 100 0
		ev $((t + 30)).000001 1 get hit s$i 2 0 0 10
		ev $((t + 170)).000001 1 get miss s$i 2 0 0 0
	done | sort -t "	" -k2,2n >near.txt &&
	mb-cat -p near.txt >near.stream &&
	replay_counts near.stream -s 100 &&
	expect_counts 20 10 10 10
'

# The nearest tick can be on the wrong side of a later request: at -s 100 the replay's
# ticks come 0.97 s, 1.97 s, ... after its start (placed 30 ms after a tick). Keys a1 and a2,
# set at 0.3 s and 0.35 s with 100 s TTLs, would expire at 0.97 s, before their recorded
# hits at 1.1 s and 1.15 s; key b, set at 0.5 s, would live until 1.97 s, past its recorded
# miss at 1.499 s. mb-fire reads those requests before it sends the sets and places the
# expiries after the hits and before the miss; with the order off it cannot (the key
# slots are the order's), and the three reads come out the other way.
test_expect_success MEMCACHED 'at -s 100 the expiry falls between the hits and the misses that follow' '
	{
		ev $T0.000001 1 get miss z 1 0 0 0
		ev $((T0 + 30)).000001 1 set stored a1 2 10 100 0
		ev $((T0 + 35)).000001 1 set stored a2 2 10 100 0
		ev $((T0 + 50)).000001 2 set stored b 1 10 100 0
		ev $((T0 + 110)).000001 1 get hit a1 2 0 0 10
		ev $((T0 + 115)).000001 1 get hit a2 2 0 0 10
		ev $((T0 + 149)).900001 2 get miss b 1 0 0 0
	} >bounds.txt &&
	mb-cat -p bounds.txt >bounds.stream &&
	replay_counts bounds.stream -s 100 &&
	expect_counts 4 3 2 2 &&
	replay_counts bounds.stream -s 100 --no-order &&
	expect_counts 4 3 1 3
'

# A second pass (--loop 2) is not bound by the first one's statuses: its first read of x,
# recorded as a miss on the recording's fresh server, comes 0.67 s after the first pass set
# x with a 100 s TTL. Were it taken as the end of x's lifetime, x would expire at 0.97 s; it
# lives to 1.97 s, its nearest tick, and the second pass's read hits.
test_expect_success MEMCACHED 'with --loop the statuses of one pass do not bound the TTLs of the last' '
	{
		ev $T0.000001 1 get miss x 1 0 0 0
		ev $((T0 + 60)).000001 1 set stored x 1 10 100 0
		ev $((T0 + 95)).000001 1 get miss z 1 0 0 0
	} >loop.txt &&
	mb-cat -p loop.txt >loop.stream &&
	replay_counts loop.stream -s 100 --loop 2 &&
	expect_counts 4 2 1 3
'

# memcached's ticks come a little more than a second apart, by how late its timer runs, so
# the clock learnt before the replay is followed during it: a 6 s replay locates a tick in
# most seconds, and the report says how many and how far they were from their prediction.
# (Located to about a millisecond, the period may come out a little under a second.)
test_expect_success MEMCACHED 'the clock of the target is followed during the replay and reported' '
	replay -s 5 --json report.json &&
	expect_counts 17 11 11 6 &&
	grep -E "^ttl clock: 127\.0\.0\.1:$MC_PORT: [0-9]+ ticks located \([0-9]+ watches began late\), [01]\.[0-9]{6} s apart, predicted within [0-9]+\.[0-9]{3} ms$" report &&
	"$MB_PYTHON" -c "
import json, sys
c = json.load(open(\"report.json\"))[\"ttl_clocks\"]
assert len(c) == 1 and c[0][\"target\"] == \"127.0.0.1:$MC_PORT\", c
assert c[0][\"ticks_located\"] >= 3, c
assert 990000000 < c[0][\"period_ns\"] < 1050000000, c
" &&
	replay --keep-ttl --json report.json &&
	"$MB_PYTHON" -c "import json; assert \"ttl_clocks\" not in json.load(open(\"report.json\"))" &&
	! grep "^ttl clock" report
'

test_expect_success 'a target whose stats have no clock: one warning, then the replay goes on' '
	cat >noclock.py <<-\PY &&
	import socket, sys, time
	s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8); s.settimeout(0.5)
	print(s.getsockname()[1], flush=True)
	end = time.time() + 20
	while time.time() < end:
	    try:
	        c, _ = s.accept()
	    except OSError:
	        continue
	    c.settimeout(2)
	    try:
	        c.recv(4096)
	        c.sendall(b"STAT pid 1\r\nEND\r\n")
	    except OSError:
	        pass
	    c.close()
	PY
	{ "$MB_PYTHON" noclock.py >port & } && pid=$! &&
	test_when_finished "kill $pid" &&
	wait_for "test -s port" &&
	test_expect_code 1 mb-fire -q -t 127.0.0.1:$(cat port) -s 100 near.stream >report 2>err &&
	cat err &&
	grep -c "" err >lines && echo 2 >want && test_cmp want lines &&
	head -1 err | grep "^mb-fire: warning: the clock of target .127.0.0.1:$(cat port). is not known (no time in its stats): its TTLs are scaled to whole seconds, rounded up$" &&
	tail -1 err | grep "^mb-fire: [0-9]* requests were not sent or not answered (see the report)$"
'

test_done
