#!/bin/sh
# t5055-fire-cas-workers: cas uniques are shared by every worker. A recording where one
# connection's gets hands out the unique that another connection's cas then sends replays
# with two worker threads (the two connections on different workers): each cas stores as
# recorded, and a cas recorded as `exists` still fails, at -s 1, -s 10 and --max.
test_description='mb-fire: a cas uses the unique another worker learnt'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'a recording: gets on connection 1, its cas on connection 2, then a stale cas' '
	"$MB_PYTHON" -c "
t = 1.0
print(\"#membench\tversion=1\tkind=events-hashed\")
def ev(conn, cmd, st, k, vlen, flags, resp):
    global t
    print(\"ev\t%.9f\t%d\ttext/tcp\t%s\t%s\t@%016x\t20\t%d\t0\t%s\t0\t%d\t1000\" % (t, conn, cmd, st, k, vlen, flags, resp))
    t += 1e-4
for i in range(200):
    k = i + 1
    ev(1, \"set\", \"stored\", k, 100, \"-\", 8)
    ev(1, \"gets\", \"hit\", k, 100, \"want_value\", 130)
    ev(2, \"cas\", \"stored\", k, 100, \"-\", 8)
    ev(2, \"gets\", \"hit\", k, 100, \"want_value\", 130)
    ev(1, \"set\", \"stored\", k, 100, \"-\", 8)
    ev(2, \"cas\", \"exists\", k, 100, \"-\", 8)
" >cas.txt &&
	mb-cat -p cas.txt >cas.bin &&
	printf "cas_badval 200\ncas_hits 200\ncas_misses 0\ncmd_get 400\ncmd_set 800\nget_hits 400\nget_misses 0\n" >expect
'

for speed in "-s 1" "-s 10" "--max"; do
	test_expect_success MEMCACHED "-T 2, $speed: every cas finds the unique the other worker learnt" '
		start_memcached &&
		mb-fire -q -T 2 -t 127.0.0.1:$MC_PORT '"$speed"' cas.bin >report &&
		grep "^errors: 0 " report &&
		grep "^cas  *400 .* stored=200 exists=200$" report &&
		mc_stats $MC_PORT | grep -E "^(cas_badval|cas_hits|cas_misses|cmd_get|cmd_set|get_hits|get_misses) " | sort >actual &&
		test_cmp expect actual
	'
done

test_done
