#!/bin/sh
# t7001: live capture on loopback with real traffic, as root:
# mb-test: live (captures live traffic: runs alone, after the parallel tests)
# mb-capture -i lo | mb-parse | mb-anon | mb-pack > p.bin, then mb-stat and mb-fire on it.
test_description='live pipeline on lo'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq ROOT || test_skip_all 'live capture needs root (or CAP_NET_RAW)'
test_have_prereq MEMCACHED,PYMEMCACHE || test_skip_all 'needs memcached and python3-pymemcache'

test_expect_success 'capture a known workload live and stop the pipeline with SIGINT' '
	start_memcached && port=$MC_PORT &&
	mb-anon --new-key >key &&
	mkfifo pk &&
	{ mb-capture -i lo -P $port --duration 30 >pk 2>capture.err & } && cap=$! &&
	{ mb-parse -P $port <pk | mb-anon -k key | mb-pack >p.bin 2>pipe.err & } && pipe=$! &&
	sleep 1 &&
	"$MB_PYTHON" - $port <<-\PY &&
	import sys
	from pymemcache.client.base import Client
	c = Client(("127.0.0.1", int(sys.argv[1])))
	for i in range(200):
	    c.set("live:%d" % i, b"v" * (i + 1), noreply=False)
	for i in range(300):
	    c.get("live:%d" % i)          # 200 hits, 100 misses
	for i in range(50):
	    c.delete("live:%d" % i, noreply=False)
	c.close()
	PY
	sleep 1 &&
	kill -INT $cap && wait $cap && wait $pipe &&
	grep -q "packets" capture.err &&
	mb-cat -H p.bin >p.txt &&
	test "$(awk "\$1==\"ev\" && \$5==\"set\" && \$6==\"stored\"" p.txt | wc -l)" = 200 &&
	test "$(awk "\$1==\"ev\" && \$5==\"get\" && \$6==\"hit\"" p.txt | wc -l)" = 200 &&
	test "$(awk "\$1==\"ev\" && \$5==\"get\" && \$6==\"miss\"" p.txt | wc -l)" = 100 &&
	test "$(awk "\$1==\"ev\" && \$5==\"delete\" && \$6==\"deleted\"" p.txt | wc -l)" = 50
'

test_expect_success 'mb-stat < p.bin: 550 events, hit ratio of gets 66.67%' '
	mb-stat --json <p.bin >stat.json &&
	"$MB_PYTHON" -c "
import json,sys
j=json.load(open(\"stat.json\"))
assert j[\"overview\"][\"events\"] == 550, j[\"overview\"][\"events\"]
" &&
	mb-stat <p.bin >stat.txt && grep -E "^ +events +550\$" stat.txt
'

test_expect_success 'mb-fire -t 127.0.0.1:PORT < p.bin on a fresh memcached repeats the counts' '
	start_memcached &&
	mc_stats >before &&
	mb-fire -t 127.0.0.1:$MC_PORT <p.bin >fire.txt 2>fire.err &&
	mc_stats >after &&
	test "$(stat_delta cmd_set)" = 200 && test "$(stat_delta cmd_get)" = 300 &&
	test "$(stat_delta get_hits)" = 200 && test "$(stat_delta get_misses)" = 100 &&
	test "$(stat_delta delete_hits)" = 50
'

test_done
