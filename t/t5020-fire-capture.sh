#!/bin/sh
# t5020-fire-capture: the oracle on real traffic. A pymemcache client drives memcached A
# mb-test: live (captures live traffic: runs alone, after the parallel tests)
# while tcpdump captures it; mb-parse | mb-anon | mb-pack turn the capture into a profile;
# mb-fire replays the profile against a fresh memcached B. B's counters must equal A's,
# cas_hits/cas_badval/cas_misses included: mb-fire sends each cas with the unique its own
# replayed gets was answered.
test_description='mb-fire replays a real capture: memcached stats equal the original run'
. "$(dirname "$0")/test-lib.sh"

COUNTERS='^(cmd_get|cmd_set|cmd_touch|get_hits|get_misses|delete_hits|delete_misses|incr_hits|incr_misses|decr_hits|decr_misses|touch_hits|touch_misses|cas_hits|cas_badval|cas_misses) '

cat >drive.py <<'PY'
import random, sys
from pymemcache.client.base import Client
c = Client(("127.0.0.1", int(sys.argv[1])), default_noreply=False)
rnd = random.Random(5)
keys = ["user:%d:profile" % i for i in range(150)]
for i in range(2500):
    k = rnd.choice(keys)
    op = rnd.random()
    if op < 0.35:
        c.get(k)
    elif op < 0.45:
        c.get_many(rnd.sample(keys, rnd.randint(2, 6)))
    elif op < 0.65:
        c.set(k, str(rnd.randint(0, 10**6)))
    elif op < 0.70:
        c.add(k, "7")
    elif op < 0.74:
        c.replace(k, "8")
    elif op < 0.82:
        c.delete(k)
    elif op < 0.88:
        c.incr(k, 1)
    elif op < 0.93:
        c.decr(k, 1)
    elif op < 0.96:
        c.touch(k, 100)
    else:
        v, u = c.gets(k)
        if rnd.random() < 0.3:
            c.set(k, "4242")  # the unique is stale now: EXISTS
        c.cas(k, "9", u if u is not None else b"1")
c.close()
PY

test_expect_success ROOT,TCPDUMP,MEMCACHED,PYMEMCACHE 'capture a pymemcache workload, replay it on a fresh server' '
	{ capture_workload "$MB_PYTHON" drive.py || capture_workload "$MB_PYTHON" drive.py ||
	  capture_workload "$MB_PYTHON" drive.py; } &&
	grep -q "^get_hits [1-9]" expect && grep -q "^incr_hits [1-9]" expect &&
	grep -q "^cas_hits [1-9]" expect && grep -q "^cas_badval [1-9]" expect && grep -q "^cas_misses [1-9]" expect &&
	mb-parse -q -P $pa cap.pcap | mb-anon | mb-pack >p.prof &&
	start_memcached && pb=$MC_PORT &&
	mb-fire -q -c 1 -t 127.0.0.1:$pb p.prof >report &&
	cat report &&
	grep "^errors: 0 " report &&
	mc_stats $pb | grep -E "$COUNTERS" | sort >actual &&
	test_cmp expect actual &&
	line=$(grep "^hit ratio: " report) &&
	rec=$(echo "$line" | sed -e "s/.*recorded \([0-9.]*\)%.*/\1/") &&
	rep=$(echo "$line" | sed -e "s/.*replayed \([0-9.]*\)%.*/\1/") &&
	test "$rec" = "$rep"
'

# Forced to meta or binary the other counters differ by design (a meta touch is an mg), but a
# cas must still find the unique its gets was answered: ms C<unique>, binary set with cas
test_expect_success ROOT,TCPDUMP,MEMCACHED,PYMEMCACHE 'forced to meta and to binary, the cas outcomes still equal the original run' '
	grep "^cas_" expect >expect.cas &&
	for proto in meta binary; do
		start_memcached && pc=$MC_PORT &&
		mb-fire -q -c 1 -P $proto -t 127.0.0.1:$pc p.prof >report.$proto &&
		grep "^errors: 0 " report.$proto &&
		mc_stats $pc | grep "^cas_" | sort >actual.$proto &&
		test_cmp expect.cas actual.$proto || return 1
	done
'

test_done
