#!/bin/sh
# t5050-fire-order: per-key happens-before at any speed. A noreply burst (3000 x 3 KB sets
# mb-test: live (captures live traffic: runs alone, after the parallel tests)
# 1 us apart, then a get of each key from another connection) and a captured pymemcache
# workload over 4 connections (noreply sets, gets/cas with stale uniques, deletes, incr,
# decr, touch) replay at -s 1, -s 10, -s 100 and --max, each against a fresh memcached:
# memcached's counters must equal the recording's exactly. SIGINT during a 60 s recorded gap
# stops mb-fire within 100 ms with the report; --json -, JSON write errors, bad targets.
test_description='mb-fire keeps the recorded order of every key at every speed'
. "$(dirname "$0")/test-lib.sh"


COUNTERS='^(cmd_get|cmd_set|cmd_touch|get_hits|get_misses|delete_hits|delete_misses|incr_hits|incr_misses|decr_hits|decr_misses|touch_hits|touch_misses|cas_hits|cas_badval|cas_misses) '

test_expect_success 'a noreply burst: 3000 sets of 3 KB 1 us apart, then a get of each from another connection' '
	"$MB_PYTHON" -c "
t = 1.0
print(\"#membench\tversion=1\tkind=events-hashed\")
for i in range(3000):
    print(\"ev\t%.9f\t1\ttext/tcp\tset\tnone\t@%016x\t20\t3000\t0\tnoreply\t0\t0\t0\" % (t, i + 1)); t += 1e-6
for i in range(3000):
    print(\"ev\t%.9f\t2\ttext/tcp\tget\thit\t@%016x\t20\t0\t0\t-\t0\t3000\t1000\" % (t, i + 1)); t += 1e-6
" >burst.txt &&
	mb-cat -p burst.txt >burst.bin &&
	printf "cmd_get 3000\ncmd_set 3000\nget_hits 3000\nget_misses 0\n" >expect.burst
'

for speed in "-s 1" "-s 10" "-s 100" "--max" "--max -T 3" "-s 10 -T 3"; do
	test_expect_success MEMCACHED "noreply burst, $speed: every set reaches the server before its get" '
		start_memcached &&
		mb-fire -q -t 127.0.0.1:$MC_PORT '"$speed"' burst.bin >report &&
		grep "^errors: 0 " report &&
		grep "^mb-fire: 6000 operations" report &&
		mc_stats $MC_PORT | grep -E "^(cmd_get|cmd_set|get_hits|get_misses) " | sort >actual &&
		test_cmp expect.burst actual
	'
done

cat >drive.py <<'PY'
import random, sys
from pymemcache.client.base import Client
port = int(sys.argv[1])
cs = [Client(("127.0.0.1", port), default_noreply=False) for _ in range(4)]
rnd = random.Random(11)
keys = ["acct:%d" % i for i in range(60)]
pending = {}
for i in range(1500):
    # a few operations on one connection; noreply sets are followed there by an answered
    # request, so the recording itself settled their order
    c = rnd.choice(cs)
    for j in range(rnd.randint(1, 4)):
        k = rnd.choice(keys)
        op = rnd.random()
        if op < 0.30:
            c.get(k)
        elif op < 0.40:
            c.set(k, str(rnd.randint(0, 10**6)), noreply=True)
            c.get(rnd.choice(keys))
        elif op < 0.50:
            c.set(k, str(rnd.randint(0, 999)))
        elif op < 0.55:
            c.add(k, "7")
        elif op < 0.60:
            c.delete(k)
        elif op < 0.66:
            c.incr(k, 1)
        elif op < 0.70:
            c.decr(k, 1)
        elif op < 0.74:
            c.touch(k, 100)
        elif op < 0.87:
            v, u = c.gets(k)
            pending[k] = (c, u)
        else:
            # the cas of an earlier gets, often from another connection's point of view stale
            if k in pending:
                c2, u = pending.pop(k)
                c2.cas(k, "9", u if u is not None else b"1")
            else:
                c.get(k)
for c in cs:
    c.close()
PY

test_expect_success ROOT,TCPDUMP,MEMCACHED,PYMEMCACHE 'capture pymemcache over 4 connections (noreply, gets/cas)' '
	{ capture_workload "$MB_PYTHON" drive.py || capture_workload "$MB_PYTHON" drive.py ||
	  capture_workload "$MB_PYTHON" drive.py; } &&
	grep -q "^cas_hits [1-9]" expect && grep -q "^cas_badval [1-9]" expect && grep -q "^get_hits [1-9]" expect &&
	mb-parse -q -P $pa cap.pcap | mb-anon | mb-pack >p.prof &&
	test "$(mb-cat -H p.prof | awk -F"\t" "\$1 == \"ev\" { print \$3 }" | sort -u | wc -l)" = 4 &&
	mb-cat -H p.prof | grep -q "noreply"
'

# -T 3: in the timed modes the default is one worker on two cores, and only several workers
# make conflicting requests of different workers wait for each other
for speed in "-s 1" "-s 10" "-s 100" "--max" "--max -T 3" "-s 10 -T 3"; do
	test_expect_success ROOT,TCPDUMP,MEMCACHED,PYMEMCACHE "captured, $speed: counters equal the recording's" '
		start_memcached &&
		mb-fire -q -t 127.0.0.1:$MC_PORT '"$speed"' p.prof >report &&
		cat report &&
		grep "^errors: 0 " report &&
		mc_stats $MC_PORT | grep -E "$COUNTERS" | sort >actual &&
		test_cmp expect actual
	'
done

test_expect_success MEMCACHED 'SIGINT during a 60 s recorded gap: stopped within 100 ms, with the report' '
	start_memcached &&
	printf "#membench\tversion=1\tkind=events-hashed\nev\t1.0\t1\ttext/tcp\tset\tstored\t@0000000000000001\t9\t5\t0\t-\t0\t0\t0\nev\t61.0\t1\ttext/tcp\tget\thit\t@0000000000000001\t9\t0\t0\t-\t0\t5\t0\n" | mb-cat -p >gap.bin &&
	sigint_within_100ms report mb-fire -q -t 127.0.0.1:$MC_PORT gap.bin &&
	grep "(interrupted)" report &&
	grep "^mb-fire: 1 operations" report
'

test_expect_success MEMCACHED '--json -: JSON on standard output, the text report on standard error' '
	start_memcached &&
	mb-fire -q -t 127.0.0.1:$MC_PORT --json - burst.bin >out.json 2>report &&
	"$MB_PYTHON" -c "import json; r = json.load(open(\"out.json\")); assert r[\"ops\"] == 6000 and r[\"order\"][\"on\"], r" &&
	grep "^mb-fire: 6000 operations" report
'

test_expect_success MEMCACHED 'a JSON report that cannot be written: exit 1, the text report still out' '
	test -w /dev/full || { echo "# no /dev/full"; return 0; }
	start_memcached &&
	test_expect_code 1 mb-fire -q -t 127.0.0.1:$MC_PORT --json /dev/full burst.bin >report 2>err &&
	test_one_line_error mb-fire err &&
	grep "^mb-fire: write error: No space left on device: ./dev/full. at byte 0$" err &&
	grep "^mb-fire: 6000 operations" report
'

test_expect_success MEMCACHED 'a report to a full stdout: exit 1, one line (text, JSON, --compare)' '
	test -w /dev/full || { echo "# no /dev/full"; return 0; }
	start_memcached &&
	test_expect_code 1 mb-fire -q -t 127.0.0.1:$MC_PORT --json r.json burst.bin >/dev/full 2>err &&
	test_one_line_error mb-fire err &&
	grep "^mb-fire: write error: No space left on device: .stdout. at byte 0$" err &&
	test_expect_code 1 mb-fire -q -t 127.0.0.1:$MC_PORT --json - burst.bin >/dev/full 2>err &&
	grep "^mb-fire: 6000 operations" err &&
	grep -c "^mb-fire: write error: No space left on device: .stdout. at byte 0$" err >n &&
	echo 1 >expect && test_cmp expect n &&
	test_expect_code 1 mb-fire --compare r.json r.json >/dev/full 2>err &&
	test_one_line_error mb-fire err &&
	grep "^mb-fire: write error: No space left on device: .stdout. at byte 0$" err
'

test_expect_success 'an unresolvable target exits 1 with one line' '
	test_expect_code 1 mb-fire -q -t no-such-host.invalid:11211 burst.bin 2>err &&
	test_one_line_error mb-fire err &&
	grep "cannot resolve target" err
'

test_expect_success MEMCACHED '--no-order: still nothing lost' '
	start_memcached &&
	mb-fire -q -t 127.0.0.1:$MC_PORT --no-order --max burst.bin >report &&
	grep "^order: off" report &&
	mc_stats $MC_PORT | grep -x "cmd_set 3000"
'

test_done
