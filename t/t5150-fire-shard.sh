#!/bin/sh
# t5150-fire-shard: --shard I/N replays a stable share of the connections, counts the key orders it cuts; --shard-keys, --start-at.
# A 20000-request workload over 12 connections in 5 key groups (connections c and c+5 share
# keys) replays whole against one memcached and in 3 shards against another: the shards'
# requests add up to the input, memcached's command counters equal the whole replay's, and
# with --shard-keys (no cut order) its hits and misses too. The cut orders are checked on a
# four-request stream by hand, and on the workload against a count made here. --start-at
# (unix seconds and RFC 3339) starts on time (the skew is under 20 ms here, where memcached
# shares the cores; t5151 holds the fleet to 5 ms); SIGINT during its wait stops within 100 ms.
test_description='mb-fire --shard, --shard-keys and --start-at'
. "$(dirname "$0")/test-lib.sh"

COUNTERS='^(cmd_get|cmd_set|get_hits|get_misses|delete_hits|delete_misses) '
CMDS='^(cmd_get|cmd_set) '

# jv FILE EXPR: a value of a JSON report (EXPR indexes the parsed object j)
jv() { "$MB_PYTHON" -c 'import json, sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

test_expect_success 'a workload of 12 connections in 5 key groups' '
	mb-gen -n 20000 -c 12 -K 2000 -m get=70,set=25,delete=5 -r 20000 --raw --seed 7 | mb-cat |
		awk -F "	" "BEGIN { OFS = \"	\" } \$1 == \"ev\" { \$7 = \"g\" (\$3 % 5) \$7; \$8 = \$8 + 2 } { print }" >w.txt &&
	mb-cat -p w.txt >w.bin &&
	test $(grep -c "^ev" w.txt) = 20000
'

test_expect_success MEMCACHED 'the whole replay: the reference counters' '
	start_memcached &&
	mb-fire -q -t 127.0.0.1:$MC_PORT --max w.bin >whole.txt &&
	grep "^mb-fire: 20000 operations" whole.txt &&
	mc_stats $MC_PORT | grep -E "$COUNTERS" | sort >whole.stats
'

test_expect_success MEMCACHED '3 shards by connection: requests add up, command counters equal, cut orders as counted here' '
	start_memcached &&
	for i in 0 1 2; do
		mb-fire -q -t 127.0.0.1:$MC_PORT --max --shard $i/3 --json s$i.json w.bin >s$i.txt || return 1
	done &&
	test $(( $(jv s0.json "j[\"shard\"][\"requests\"]") + $(jv s1.json "j[\"shard\"][\"requests\"]") +
		$(jv s2.json "j[\"shard\"][\"requests\"]") )) = 20000 &&
	test $(( $(jv s0.json "j[\"ops\"]") + $(jv s1.json "j[\"ops\"]") + $(jv s2.json "j[\"ops\"]") )) = 20000 &&
	mc_stats $MC_PORT | grep -E "$CMDS" | sort >shards.stats &&
	grep -E "$CMDS" whole.stats >expect &&
	test_cmp expect shards.stats &&
	"$MB_PYTHON" - w.txt 3 >cross.expect <<-\PY &&
	import sys
	dense, keys, cross = {}, {}, [0, 0, 0]
	n = int(sys.argv[2])
	for line in open(sys.argv[1]):
	    f = line.rstrip("\n").split("\t")
	    if f[0] != "ev":
	        continue
	    d = dense.setdefault(f[2], len(dense))
	    sh, cmd = d % n, f[4]
	    w, r = cmd in ("set", "delete"), cmd == "get"
	    lw, rs = keys.get(f[6], (None, set()))
	    if (lw is not None and lw != d and lw % n != sh) or (w and rs - {sh}):
	        cross[sh] += 1
	    keys[f[6]] = (d, set()) if w else (lw, rs | {sh})
	print(" ".join(map(str, cross)))
	PY
	echo $(jv s0.json "j[\"shard\"][\"cross_shard_orders\"]") $(jv s1.json "j[\"shard\"][\"cross_shard_orders\"]") \
		$(jv s2.json "j[\"shard\"][\"cross_shard_orders\"]") >cross.actual &&
	test_cmp cross.expect cross.actual &&
	! grep -q "^0 0 0$" cross.actual
'

test_expect_success MEMCACHED 'a shard is stable: the same requests on every run' '
	start_memcached &&
	mb-fire -q -t 127.0.0.1:$MC_PORT --max --shard 1/3 --json again.json w.bin >again.txt &&
	test $(jv again.json "j[\"shard\"][\"requests\"]") = $(jv s1.json "j[\"shard\"][\"requests\"]") &&
	test $(jv again.json "j[\"shard\"][\"cross_shard_orders\"]") = $(jv s1.json "j[\"shard\"][\"cross_shard_orders\"]")
'

test_expect_success MEMCACHED '3 shards with --shard-keys: no cut order, every counter (hits too) equals the whole replay' '
	start_memcached &&
	for i in 0 1 2; do
		mb-fire -q -t 127.0.0.1:$MC_PORT --max --shard $i/3 --shard-keys --json k$i.json w.bin >k$i.txt || return 1
		test $(jv k$i.json "j[\"shard\"][\"cross_shard_orders\"]") = 0 || return 1
		test $(jv k$i.json "j[\"shard\"][\"groups\"]") = 5 || return 1
	done &&
	test $(( $(jv k0.json "j[\"shard\"][\"requests\"]") + $(jv k1.json "j[\"shard\"][\"requests\"]") +
		$(jv k2.json "j[\"shard\"][\"requests\"]") )) = 20000 &&
	mc_stats $MC_PORT | grep -E "$COUNTERS" | sort >keys.stats &&
	test_cmp whole.stats keys.stats
'

test_expect_success MEMCACHED '--merge of the 3 shards: one input, requests and cut orders summed; a shard given twice is refused' '
	mb-fire --merge k0.json k1.json k2.json --json km.json >km.txt &&
	grep "^mb-fire: 20000 operations" km.txt &&
	grep "^input: 20000 events" km.txt &&
	grep "^shards: 3 of 3 (connections that share keys together): 20000 of 20000 requests; 0 follow" km.txt &&
	test $(jv km.json "j[\"shard\"][\"merged\"]") = 3 &&
	mb-fire --merge s0.json s1.json s2.json >sm.txt &&
	grep "^shards: 3 of 3 (connections in turn): 20000 of 20000 requests; $(( $(cat cross.actual | tr " " "+") )) follow" sm.txt &&
	test_expect_code 1 mb-fire --merge s0.json s1.json s1.json 2>twice.err &&
	test_one_line_error mb-fire twice.err &&
	grep "^mb-fire: shard 1/3 given twice: .s1.json.$" twice.err &&
	test_expect_code 1 mb-fire --merge s0.json k1.json 2>mixed.err &&
	grep "^mb-fire: report of a partition in 3 by keys, the reports before it are of 3: .k1.json.$" mixed.err
'

test_expect_success MEMCACHED 'one group larger than a share stays whole: the other shards get nothing' '
	mb-gen -n 3000 -c 6 -K 100 --seed 3 >one.bin &&
	start_memcached &&
	mb-fire -q -t 127.0.0.1:$MC_PORT --max --shard 0/2 --shard-keys --json o0.json one.bin >o0.txt &&
	mb-fire -q -t 127.0.0.1:$MC_PORT --max --shard 1/2 --shard-keys --json o1.json one.bin >o1.txt &&
	test $(jv o0.json "j[\"shard\"][\"requests\"]") = 3000 &&
	test $(jv o1.json "j[\"shard\"][\"requests\"]") = 0 &&
	test $(jv o1.json "j[\"shard\"][\"heaviest_shard_requests\"]") = 3000 &&
	grep "^shard plan: 1 groups of connections, the largest 3000 requests; this shard 0, the heaviest 3000" o1.txt
'

test_expect_success MEMCACHED 'cut orders by hand: a read after a write of another shard, a write after reads of another' '
	printf "#membench\tversion=1\tkind=events-hashed\n" >h.txt &&
	printf "ev\t1.0\t1\ttext/tcp\tset\tstored\t@0000000000000001\t9\t5\t0\t-\t0\t0\t0\n" >>h.txt &&
	printf "ev\t1.1\t2\ttext/tcp\tget\thit\t@0000000000000001\t9\t0\t0\t-\t0\t5\t0\n" >>h.txt &&
	printf "ev\t1.2\t3\ttext/tcp\tget\thit\t@0000000000000001\t9\t0\t0\t-\t0\t5\t0\n" >>h.txt &&
	printf "ev\t1.3\t1\ttext/tcp\tset\tstored\t@0000000000000001\t9\t5\t0\t-\t0\t0\t0\n" >>h.txt &&
	mb-cat -p h.txt >h.bin &&
	start_memcached &&
	mb-fire -q -t 127.0.0.1:$MC_PORT --max --shard 0/2 h.bin >h0.txt &&
	mb-fire -q -t 127.0.0.1:$MC_PORT --max --shard 1/2 h.bin >h1.txt &&
	grep "^shard: 0/2 (connections in turn): 3 of 4 requests; 1 follow a conflicting request of another shard" h0.txt &&
	grep "^shard: 1/2 (connections in turn): 1 of 4 requests; 1 follow" h1.txt
'

test_expect_success MEMCACHED '--start-at: unix seconds and RFC 3339 start on time, the skew is reported' '
	start_memcached &&
	at=$("$MB_PYTHON" -c "import time; print(\"%.3f\" % (time.time() + 1.5))") &&
	mb-fire -q -t 127.0.0.1:$MC_PORT -s 4 --shard 0/3 --start-at $at --json a.json w.bin >a.txt &&
	grep "^start: at $at" a.txt &&
	"$MB_PYTHON" -c "import json, sys; j = json.load(open(\"a.json\")); s = j[\"start_skew_ms\"]; print(\"# skew %.3f ms\" % s); sys.exit(not 0 <= s < 20)" &&
	at=$("$MB_PYTHON" -c "import datetime, time; print(datetime.datetime.fromtimestamp(int(time.time()) + 2, datetime.timezone.utc).strftime(\"%Y-%m-%dT%H:%M:%S.25Z\"))") &&
	mb-fire -q -t 127.0.0.1:$MC_PORT -s 4 --start-at $at --json b.json w.bin >b.txt &&
	"$MB_PYTHON" -c "
import datetime, json, sys
j = json.load(open(\"b.json\"))
want = datetime.datetime.strptime(\"$at\", \"%Y-%m-%dT%H:%M:%S.%fZ\").replace(tzinfo=datetime.timezone.utc).timestamp()
print(\"# start %.6f want %.6f skew %.3f ms\" % (j[\"start_at_unix_s\"], want, j[\"start_skew_ms\"]))
sys.exit(not (abs(j[\"start_at_unix_s\"] - want) < 1e-6 and 0 <= j[\"start_skew_ms\"] < 20))"
'

test_expect_success MEMCACHED 'SIGINT while waiting for --start-at: stopped within 100 ms, with the report' '
	start_memcached &&
	sigint_within_100ms int.txt mb-fire -q -t 127.0.0.1:$MC_PORT --shard 0/2 \
		--start-at "$("$MB_PYTHON" -c "import time; print(\"%.3f\" % (time.time() + 60))")" w.bin &&
	grep "^mb-fire: 0 operations .*(interrupted)" int.txt &&
	grep "^start: at .* nothing sent" int.txt
'

test_expect_success MEMCACHED '--shard-keys from standard input (spooled), and on a cut input: one line, exit 1' '
	start_memcached &&
	mb-fire -q -t 127.0.0.1:$MC_PORT --max --shard 1/3 --shard-keys --json stdin.json <w.bin >stdin.txt &&
	test $(jv stdin.json "j[\"shard\"][\"requests\"]") = $(jv k1.json "j[\"shard\"][\"requests\"]") &&
	head -c 100000 w.bin >cut.bin &&
	test_expect_code 1 mb-fire -q -t 127.0.0.1:$MC_PORT --max --shard 0/3 --shard-keys cut.bin >cut.txt 2>cut.err &&
	test_one_line_error mb-fire cut.err &&
	grep "^mb-fire: truncated frame (.*): .cut.bin. at byte 999[0-9][0-9]$" cut.err &&
	test ! -s cut.txt
'

test_expect_success 'bad --shard and --start-at are usage errors' '
	test_expect_code 2 mb-fire -t 127.0.0.1:1 --shard 3/3 w.bin 2>e1 &&
	grep "^mb-fire: --shard: want I/N with 0 <= I < N <= 4096: .3/3. (try" e1 &&
	test_expect_code 2 mb-fire -t 127.0.0.1:1 --shard 1 w.bin 2>e2 &&
	test_expect_code 2 mb-fire -t 127.0.0.1:1 --shard 0/0 w.bin 2>e3 &&
	test_expect_code 2 mb-fire -t 127.0.0.1:1 --shard-keys w.bin 2>e4 &&
	grep "^mb-fire: --shard-keys needs --shard" e4 &&
	test_expect_code 2 mb-fire -t 127.0.0.1:1 --start-at 2026-13-01T00:00:00Z w.bin 2>e5 &&
	grep "^mb-fire: --start-at: want unix seconds or an RFC 3339 time: .2026-13-01T00:00:00Z. (try" e5 &&
	test_expect_code 2 mb-fire -t 127.0.0.1:1 --start-at 12:00 w.bin 2>e6
'

test_done
