#!/bin/sh
# t5130-fire-record: mb-fire --record writes what a replay sent and got back; mb-stat --compare of it against its input shows the same command mix and hit ratios.
# mb-test: live (captures live traffic: runs alone, after the parallel tests)
# Real clients (pylibmc text: multi-gets, cas, incr/decr, touch; pylibmc binary: quiet
# requests) run against a fresh memcached A under tcpdump; the capture goes
# through mb-parse | mb-anon | mb-pack. mb-fire replays the profile against a fresh memcached
# B with --record at -s 1 and --max. B's counters equal A's; the record's events agree with
# B's own stats (t/lib/stats-oracle.py); mb-stat --compare profile record says "identical"
# for the command mix and the hit ratios, with the exact figures memcached counted (get, delete,
# incr, decr, touch hits and misses), the same events, connections and operations per
# connection. Then the failure paths: a record that cannot be written exits 1 after the report.
test_description='mb-fire --record and mb-stat --compare against the recording'
. "$(dirname "$0")/test-lib.sh"

COUNTERS='^(cmd_get|cmd_set|cmd_touch|get_hits|get_misses|delete_hits|delete_misses|incr_hits|incr_misses|decr_hits|decr_misses|touch_hits|touch_misses|cas_hits|cas_badval|cas_misses) '
"$MB_PYTHON" -c 'import pylibmc' 2>/dev/null && test_set_prereq PYLIBMC

# check.py COMPARE.json EXPECT: the comparison is exact, and its figures are memcached's.
cat >check.py <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
mc = dict(l.split() for l in open(sys.argv[2]))
mc = {k: int(v) for k, v in mc.items()}
a, b = c["a"], c["b"]
assert c["mix_identical"] and c["hit_ratio_identical"], c["commands"]
assert a["events"] == b["events"] > 0, (a["events"], b["events"])
assert a["connections"] == b["connections"] >= 3, (a["connections"], b["connections"])
assert a["conn_ops"] == b["conn_ops"], (a["conn_ops"], b["conn_ops"])
assert b["errors"] == 0, b["errors"]
cmds = {x["command"]: x for x in c["commands"]}
def side(cmd, s, k):
    return cmds[cmd][s][k] if cmd in cmds else 0
for s in ("a", "b"):
    got = {
        "get_hits": side("get", s, "hits") + side("gets", s, "hits"),
        "get_misses": side("get", s, "misses") + side("gets", s, "misses"),
        "delete_hits": side("delete", s, "hits"), "delete_misses": side("delete", s, "misses"),
        "incr_hits": side("incr", s, "hits"), "incr_misses": side("incr", s, "misses"),
        "decr_hits": side("decr", s, "hits"), "decr_misses": side("decr", s, "misses"),
        "touch_hits": side("touch", s, "hits"), "touch_misses": side("touch", s, "misses"),
    }
    for k, v in got.items():
        assert v == mc[k], (s, k, v, mc[k])
    sets = sum(side(x, s, "count") for x in ("set", "add", "replace", "append", "prepend", "cas"))
    assert sets == mc["cmd_set"], (s, "cmd_set", sets, mc["cmd_set"])
print("# exact: %d events, %d connections, get hits %d misses %d" % (b["events"], b["connections"], mc["get_hits"], mc["get_misses"]))
PY

pylibmc_text() { "$MB_PYTHON" "$MB_SRC/t/lib/client-workload.py" pylibmc $1; }
pylibmc_binary() { "$MB_PYTHON" "$MB_SRC/t/lib/client-workload.py" pylibmc $1 binary; }

# capture NAME CMD: CMD PORT captured; NAME.prof the profile, NAME.expect A's counters.
capture() {
	name=$1
	shift
	{ capture_workload "$@" || capture_workload "$@"; } &&
	mv expect $name.expect &&
	mb-parse -q -P $pa cap.pcap | mb-anon | mb-pack >$name.prof
}

# replay NAME SPEED: NAME.prof against a fresh memcached with --record; then every check.
replay() {
	start_memcached &&
	mc_stats >before &&
	mb-fire -t 127.0.0.1:$MC_PORT $2 --record rec.ev $1.prof >report 2>err &&
	cat report err &&
	grep "^errors: 0 " report &&
	grep "^mb-fire: recorded [0-9]* events: 'rec.ev'" err &&
	mc_stats >after &&
	grep -E "$COUNTERS" after | sort >actual &&
	test_cmp $1.expect actual &&
	mb-cat rec.ev >rec.txt &&
	test "$(grep -c "^ev	" rec.txt)" = "$(sed -n "s/^mb-fire: \([0-9]*\) operations.*/\1/p" report)" &&
	"$MB_PYTHON" "$MB_SRC/t/lib/stats-oracle.py" before after rec.txt &&
	mb-stat --compare $1.prof rec.ev >compare.txt &&
	cat compare.txt &&
	grep "^  command mix: identical$" compare.txt &&
	grep "^  hit ratio: identical$" compare.txt &&
	mb-stat --compare --json $1.prof rec.ev >compare.json &&
	"$MB_PYTHON" check.py compare.json $1.expect
}

test_expect_success ROOT,TCPDUMP,MEMCACHED,PYLIBMC 'capture pylibmc (text)' '
	capture pylibmc pylibmc_text
'
test_expect_success ROOT,TCPDUMP,MEMCACHED,PYLIBMC 'capture pylibmc (binary: quiet requests)' '
	capture binary pylibmc_binary
'
for name in pylibmc:PYLIBMC binary:PYLIBMC; do
	for speed in "-s 1" "--max"; do
		test_expect_success ROOT,TCPDUMP,MEMCACHED,${name#*:} "${name%:*}, $speed: the record compares identical, with memcached's figures" '
			replay '${name%:*}' "'"$speed"'"
		'
	done
done

test_expect_success ROOT,TCPDUMP,MEMCACHED,PYLIBMC 'the record is an events-hashed stream from mb-fire, ending with its summary' '
	mb-cat rec.ev | head -1 >head &&
	grep "kind=events-hashed" head && grep "program=[^	]*mb-fire" head && grep "record=replay" head &&
	n=$(grep -c "^ev	" rec.txt) &&
	test "$(sumval rec.ev mb-fire events)" = "$n"
'

test_expect_success ROOT,TCPDUMP,MEMCACHED,PYLIBMC 'a record that cannot be written: exit 1 after the report, the loss counted' '
	test -w /dev/full || { echo "# no /dev/full"; return 0; }
	start_memcached &&
	test_expect_code 1 mb-fire -q -t 127.0.0.1:$MC_PORT --record /dev/full binary.prof >report 2>err &&
	cat err &&
	grep "^mb-fire: [0-9]* operations" report &&
	test_one_line_error mb-fire err &&
	grep "^mb-fire: write error: .*/dev/full.*events not recorded)" err
'

test_expect_success MEMCACHED 'a raw input: keys named by the replay hash, the same identities and mix' '
	mb-gen -n 3000 -K 300 -c 8 -r 20000 --raw --mix get=80,set=15,delete=5 >raw.ev &&
	start_memcached &&
	mb-fire -q -t 127.0.0.1:$MC_PORT --max --record rec-raw.ev raw.ev >report &&
	mb-cat rec-raw.ev | head -1 | grep "record=replay,keys=mcreq" &&
	test "$(mb-cat raw.ev | awk -F"\t" "\$1 == \"ev\" { print \$7 }" | sort -u | wc -l)" = \
	     "$(mb-cat rec-raw.ev | awk -F"\t" "\$1 == \"ev\" { print \$7 }" | sort -u | wc -l)" &&
	mb-stat --compare raw.ev rec-raw.ev >compare.txt &&
	grep "^  command mix: identical$" compare.txt &&
	grep "^  events  *3000  *3000 " compare.txt
'

test_expect_success MEMCACHED 'SIGINT in a 60 s recorded gap: the record holds what was done, with its summary' '
	start_memcached &&
	printf "#membench\tversion=1\tkind=events-hashed\nev\t1.0\t1\ttext/tcp\tset\tstored\t@0000000000000001\t9\t5\t0\t-\t0\t0\t0\nev\t61.0\t1\ttext/tcp\tget\thit\t@0000000000000001\t9\t0\t0\t-\t0\t5\t0\n" | mb-cat -p >gap.bin &&
	{ mb-fire -q -t 127.0.0.1:$MC_PORT --record gap.ev gap.bin >report 2>err & } &&
	pid=$! &&
	sleep 1 &&
	kill -INT $pid &&
	wait $pid &&
	mb-cat gap.ev >gap.txt &&
	test "$(grep -c "^ev	" gap.txt)" = 1 &&
	grep "^ev	.*	set	stored	@0000000000000001	" gap.txt &&
	test "$(sumval gap.ev mb-fire events)" = 1
'

test_expect_success 'a record that cannot be created: exit 1, one line' '
	test_expect_code 1 mb-fire -q -t 127.0.0.1:1 --record no/such/dir/rec.ev /dev/null 2>err &&
	test_one_line_error mb-fire err &&
	grep "cannot create" err
'

test_expect_success '--record naming the input is a usage error, the input untouched' '
	printf "#membench\tversion=1\tkind=events-hashed\nev\t1.0\t1\ttext/tcp\tget\thit\t@0000000000000001\t9\t0\t0\t-\t0\t5\t0\n" | mb-cat -p >in.bin &&
	cp in.bin in.orig &&
	test_expect_code 2 mb-fire -q -t 127.0.0.1:1 --record in.bin in.bin 2>err &&
	grep "would overwrite the input" err &&
	test_expect_code 2 mb-fire -q -t 127.0.0.1:1 --record ./in.bin - <in.bin 2>err &&
	cmp in.bin in.orig
'

test_expect_success '--compare: a workload against itself, and against itself ten times slower' '
	mb-gen -n 3000 -K 300 -c 8 -r 20000 --seed 5 >fast.ev &&
	mb-gen -n 3000 -K 300 -c 8 -r 2000 --seed 5 >slow.ev &&
	mb-stat --compare --json fast.ev fast.ev >same.json &&
	mb-stat --compare --json fast.ev slow.ev >slow.json &&
	"$MB_PYTHON" -c "
import json
s, t = json.load(open(\"same.json\")), json.load(open(\"slow.json\"))
assert s[\"mix_identical\"] and s[\"hit_ratio_identical\"], s
assert s[\"interarrival_per_conn_distance\"] == 0 and s[\"interarrival_distance\"] == 0, s
assert s[\"a\"][\"conn_ops_per_s\"] == s[\"b\"][\"conn_ops_per_s\"]
# the same events at a tenth of the rate: the same mix and hits, another shape and rate
assert t[\"mix_identical\"] and t[\"hit_ratio_identical\"], t
assert t[\"interarrival_per_conn_distance\"] > 0.5 and t[\"interarrival_distance\"] > 0.5, t
r = t[\"a\"][\"conn_ops_per_s\"][\"p50\"] / t[\"b\"][\"conn_ops_per_s\"][\"p50\"]
assert 8 < r < 12, r
print(\"# distances %.3f %.3f, per-connection rate ratio %.2f\" % (t[\"interarrival_per_conn_distance\"], t[\"interarrival_distance\"], r))
"
'

test_expect_success '--compare: usage errors' '
	test_expect_code 2 mb-stat --compare only-one 2>err &&
	grep "two inputs" err &&
	test_expect_code 2 mb-stat --compare - - 2>err &&
	grep "not both" err &&
	test_expect_code 1 mb-stat --compare no-such-file /dev/null 2>err &&
	test_one_line_error mb-stat err
'

test_done
