#!/bin/sh
# t5000-fire-oracle: mb-fire replays a profile against a fresh memcached; memcached's own
# counters must equal the profile's counts exactly (text, meta, binary), and --warm must
# reproduce the recorded hit ratio. The profiles are generated (mb-gen), not captured.
test_description='mb-fire oracle against memcached stats'
. "$(dirname "$0")/test-lib.sh"

MIX=get=40,set=15,delete=10,add=8,replace=8,touch=7,incr=6,decr=6

# expected NAME VALUE lines from a profile (its recorded statuses); with "meta" as $2 the
# touches are meta gets with T, which memcached 1.6 counts as get misses when they miss
expected_stats() {
	mb-cat -H "$1" | awk -F'\t' -v meta="${2:-}" '$1 == "ev" {
		if (meta == "meta" && $5 == "touch" && $6 == "not_found") { $5 = "get"; $6 = "miss" }
		c = $5; s = $6
		if (c == "get") { get++; if (s == "hit") gh++; else if (s == "miss") gm++ }
		if (c == "set" || c == "add" || c == "replace" || c == "append" || c == "prepend" || c == "cas") set++
		if (c == "delete") { if (s == "deleted") dh++; else if (s == "not_found") dm++ }
		if (c == "incr") { if (s == "hit") ih++; else if (s == "not_found") im++ }
		if (c == "decr") { if (s == "hit") xh++; else if (s == "not_found") xm++ }
		if (c == "touch") { touch++; if (s == "touched") th++; else if (s == "not_found") tm++ }
	} END {
		printf "cas_badval 0\ncas_hits 0\ncas_misses 0\n"
		printf "cmd_get %d\ncmd_set %d\ncmd_touch %d\n", get, set, touch
		printf "decr_hits %d\ndecr_misses %d\ndelete_hits %d\ndelete_misses %d\n", xh, xm, dh, dm
		printf "get_hits %d\nget_misses %d\nincr_hits %d\nincr_misses %d\n", gh, gm, ih, im
		printf "touch_hits %d\ntouch_misses %d\n", th, tm
	}'
}

actual_stats() {
	mc_stats "$1" | grep -E '^(cmd_get|cmd_set|cmd_touch|get_hits|get_misses|delete_hits|delete_misses|incr_hits|incr_misses|decr_hits|decr_misses|touch_hits|touch_misses|cas_hits|cas_misses|cas_badval) ' | sort
}

test_expect_success 'generate a profile with every counted command' '
	mb-gen -n 6000 -K 500 -c 4 -r 50000 -m $MIX --value-size 1-19 --seed 7 >p.bin &&
	expected_stats p.bin >expect &&
	grep -q "^get_hits [1-9]" expect && grep -q "^incr_hits [1-9]" expect && grep -q "^touch_misses [1-9]" expect
'

for proto in text meta binary; do
	test_expect_success MEMCACHED "$proto: stats deltas equal the profile counts (recorded timing, one connection)" '
		start_memcached &&
		mb-fire -q -t 127.0.0.1:$MC_PORT -c 1 -P '$proto' p.bin >report &&
		grep "^errors: 0 " report &&
		actual_stats $MC_PORT >actual &&
		expected_stats p.bin '$proto' >expect.'$proto' &&
		test_cmp expect.'$proto' actual
	'
done

test_expect_success MEMCACHED 'text, four connections --max --depth 4 --causal: command counts exact' '
	start_memcached &&
	mb-fire -q -t 127.0.0.1:$MC_PORT --max --depth 4 --causal p.bin >report &&
	grep "^connections: 4 opened" report &&
	actual_stats $MC_PORT >actual &&
	grep -E "^cmd_(get|set|touch) " expect >e && grep -E "^cmd_(get|set|touch) " actual >a &&
	test_cmp e a
'

test_expect_success MEMCACHED 'the report counts the profile'"'"'s gets' '
	n=$(mb-cat -H p.bin | awk -F"\t" "\$5 == \"get\"" | wc -l) &&
	grep "^get  *$n " report
'

test_expect_success MEMCACHED '--warm: replayed hit ratio within 1 point of the recorded one' '
	mb-gen -n 40000 -K 2000 -c 8 -r 200000 -m get=90,set=10 --seed 3 >full.bin &&
	mb-cat full.bin >full.txt &&
	{ grep "^#" full.txt; grep "^ev" full.txt | tail -n 10000; } | mb-cat -p >tail.bin &&
	start_memcached &&
	mb-fire -q -t 127.0.0.1:$MC_PORT --warm -c 1 --max --depth 8 tail.bin >report &&
	cat report &&
	line=$(grep "^hit ratio: " report) &&
	rec=$(echo "$line" | sed -e "s/.*recorded \([0-9.]*\)%.*/\1/") &&
	rep=$(echo "$line" | sed -e "s/.*replayed \([0-9.]*\)%.*/\1/") &&
	awk -v a=$rec -v b=$rep "BEGIN { d = a - b; if (d < 0) d = -d; exit !(a > 50 && d <= 1.0) }"
'

test_expect_success MEMCACHED 'without --warm the same tail misses far more' '
	start_memcached &&
	mb-fire -q -t 127.0.0.1:$MC_PORT -c 1 --max --depth 8 tail.bin >report &&
	line=$(grep "^hit ratio: " report) &&
	rec=$(echo "$line" | sed -e "s/.*recorded \([0-9.]*\)%.*/\1/") &&
	rep=$(echo "$line" | sed -e "s/.*replayed \([0-9.]*\)%.*/\1/") &&
	awk -v a=$rec -v b=$rep "BEGIN { exit !(a - b > 10) }"
'

test_expect_success MEMCACHED 'multi-key gets are rebuilt as one request (text, meta, binary)' '
	cat >multi.txt <<-\EOT &&
	#membench	version=1	kind=events-hashed
	ev	1.000000000	1	text/tcp	set	stored	@0000000000000001	12	5	0	-	0	0	0
	ev	1.000001000	1	text/tcp	get	hit	@0000000000000001	12	0	0	multi	7	5	0
	ev	1.000001000	1	text/tcp	get	miss	@0000000000000002	12	0	0	multi	7	0	0
	ev	1.000001000	1	text/tcp	get	miss	@0000000000000003	12	0	0	multi,batch_end	7	0	0
	EOT
	mb-cat -p multi.txt >multi.bin &&
	for p in text meta binary; do
		start_memcached &&
		mb-fire -q -t 127.0.0.1:$MC_PORT -P $p multi.bin >report &&
		grep "^mb-fire: 4 operations (2 requests)" report &&
		grep "^get .* hit=1 miss=2" report &&
		mc_stats $MC_PORT | grep -x "get_hits 1" &&
		mc_stats $MC_PORT | grep -x "get_misses 2" || return 1
	done
'

test_done
