#!/bin/sh
# t5057-fire-overlaps: where the recording overlapped two requests of a key, the recorded
# statuses choose the replay's order. A get that hit a just-deleted key while an overlapping
# set was answered must follow that set although it came first in the input; a get next to
# a set on a key that exists either way keeps the input's order. Against a fresh memcached at
# -s 1, -s 10, -s 100 and --max, memcached's counters equal the recording's.
# The sender's own lateness (less order waits) never exceeds the lateness.
test_description='mb-fire replays overlapped requests in the order their statuses tell'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'a recording whose statuses say the server took the later request first' '
	"$MB_PYTHON" -c "
t = 1.0
print(\"#membench\tversion=1\tkind=events-hashed\")
def ev(conn, cmd, st, k, vlen, flags, resp, lat):
    global t
    print(\"ev\t%.9f\t%d\ttext/tcp\t%s\t%s\t@%016x\t20\t%d\t0\t%s\t0\t%d\t%d\" % (t, conn, cmd, st, k, vlen, flags, resp, lat))
for i in range(200):
    k = i + 1
    ev(1, \"delete\", \"not_found\", k, 0, \"-\", 11, 50000); t += 1e-3
    ev(2, \"get\", \"hit\", k, 100, \"want_value\", 130, 3000000); t += 1e-4   # answered after the set
    ev(3, \"set\", \"stored\", k, 100, \"-\", 8, 100000); t += 1e-3
for i in range(100):
    k = 1000 + i
    ev(1, \"set\", \"stored\", k, 100, \"-\", 8, 50000); t += 1e-3
    ev(2, \"get\", \"hit\", k, 100, \"want_value\", 130, 3000000); t += 1e-4   # hit either way
    ev(3, \"set\", \"stored\", k, 100, \"-\", 8, 100000); t += 1e-3
" >ov.txt &&
	mb-cat -p ov.txt >ov.bin &&
	printf "cmd_get 300\ncmd_set 400\ndelete_hits 0\ndelete_misses 200\nget_hits 300\nget_misses 0\n" >expect
'

for speed in "-s 1" "-s 10" "-s 100" "--max" "--max -T 3" "-s 10 -T 3"; do
	test_expect_success MEMCACHED "$speed: each get follows the set its status saw" '
		start_memcached &&
		mb-fire -q -t 127.0.0.1:$MC_PORT '"$speed"' ov.bin >report &&
		grep "^errors: 0 " report &&
		grep "recorded overlaps 300 (0 told by statuses; 200 statuses say the other order: 200 replayed so, 0 could not be; 100 ambiguous)" report &&
		mc_stats $MC_PORT | grep -E "^(cmd_get|cmd_set|delete_hits|delete_misses|get_hits|get_misses) " | sort >actual &&
		test_cmp expect actual
	'
done

test_expect_success MEMCACHED 'lateness less order waits: never above the lateness, equal to it without order' '
	start_memcached &&
	mb-fire -q -t 127.0.0.1:$MC_PORT --json on.json ov.bin >report.on &&
	grep "^lateness less order waits: p50 " report.on &&
	start_memcached &&
	mb-fire -q --no-order -t 127.0.0.1:$MC_PORT --json off.json ov.bin >report.off &&
	! grep "^lateness less order waits" report.off &&
	"$MB_PYTHON" -c "
import json
on, off = json.load(open(\"on.json\")), json.load(open(\"off.json\"))
for r in on, off:
    a, b = r[\"lateness\"], r[\"lateness_own\"]
    assert a[\"count\"] == b[\"count\"] == r[\"requests\"] == 900, (a[\"count\"], b[\"count\"])
    assert b[\"max_ns\"] <= a[\"max_ns\"] and b[\"sum_ns\"] <= a[\"sum_ns\"]
assert on[\"order\"][\"waited\"] > 0 and on[\"lateness_own\"][\"sum_ns\"] < on[\"lateness\"][\"sum_ns\"]
assert off[\"lateness_own\"] == off[\"lateness\"]
"
'

test_done
