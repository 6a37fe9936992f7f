#!/bin/sh
# t5120: mb-fire --compare OLD.json NEW.json shows two replays side by side with B's changes:
# a report against its own double (a merge with itself) shows +100.0% operations and
# throughput and equal maxima, errors and hit ratios; a cold and a --warm replay show their
# exact hit ratios and the difference in points; each column carries the values of its run's
# own report; --html writes the same rows and two charts; bad arguments are refused.
# "cold" replays on an empty memcached, "warm" replays again on the cache the first left.
test_description='mb-fire --compare'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq MEMCACHED || test_skip_all 'memcached is missing (scripts/deps test)'

# row NAME FILE: the row NAME of a comparison, its cells separated by |.
row() {
	sed -n "s/^$1  *//p" "$2" | sed "s/   */|/g"
}

test_expect_success 'setup: a replay on an empty memcached, then on the cache it left; a report doubled' '
	mb-gen -n 4000 -r 20000 -K 400 -c 4 -m get=80,set=15,delete=5 --seed 21 >g.bin &&
	start_memcached &&
	mb-fire -q --max -T 1 -t 127.0.0.1:$MC_PORT --json cold.json g.bin >cold.txt &&
	mb-fire -q --max -T 1 -t 127.0.0.1:$MC_PORT --json warm.json g.bin >warm.txt &&
	mb-fire --merge cold.json cold.json --json double.json >double.txt
'

test_expect_success 'against its double: +100.0% operations and throughput, the rest equal' '
	mb-fire --compare cold.json double.json >c.txt &&
	head -1 c.txt | grep -x "mb-fire: A cold.json (1 report), B double.json (2 reports); latency from the intended send time" &&
	test "$(row operations c.txt)" = "4000|8000|+100.0%" &&
	test "$(row requests c.txt)" = "4000|8000|+100.0%" &&
	row throughput c.txt | grep -x "[0-9]* ops/s|[0-9]* ops/s|+100.0%" &&
	test "$(row errors c.txt)" = "0|0|=" &&
	row "get max" c.txt | grep -x "[0-9.]*[mun]*s|[0-9.]*[mun]*s|=" &&
	row "get hit ratio" c.txt | grep -x "[0-9.]*%|[0-9.]*%|=" &&
	test "$(row "get ops" c.txt)" = "$(awk "\$1 == \"get\" { print \$2 }" cold.txt)|$(awk "\$1 == \"get\" { print \$2 }" double.txt)|+100.0%"
'

test_expect_success 'each column holds its own report'"'"'s percentiles' '
	mb-fire --compare cold.json warm.json >cw.txt &&
	for c in get set delete; do
		awk -v c=$c "\$1 == c { print \$3, \$4, \$5, \$6, \$7 }" cold.txt >a.want &&
		awk -v c=$c "\$1 == c { print \$3, \$4, \$5, \$6, \$7 }" warm.txt >b.want &&
		for p in p50 p90 p99 p99.9 max; do row "$c $p" cw.txt; done | cut -d"|" -f1 | paste -sd" " >a.got &&
		for p in p50 p90 p99 p99.9 max; do row "$c $p" cw.txt; done | cut -d"|" -f2 | paste -sd" " >b.got &&
		test_cmp a.want a.got && test_cmp b.want b.got || return 1
	done
'

test_expect_success 'cold against warm: the exact hit ratios and their difference in points' '
	"$MB_PYTHON" -c "
import json
a, b = json.load(open(\"cold.json\")), json.load(open(\"warm.json\"))
ha, hb = a[\"hit_ratio\"], b[\"hit_ratio\"]
ra = 100.0 * ha[\"replayed_hits\"] / ha[\"replayed_reads\"]
rb = 100.0 * hb[\"replayed_hits\"] / hb[\"replayed_reads\"]
assert rb > ra, (ra, rb)
print(\"%.2f%%|%.2f%%|%+.2f pt\" % (ra, rb, rb - ra))
ga, gb = a[\"commands\"][\"get\"][\"status\"], b[\"commands\"][\"get\"][\"status\"]
ra = 100.0 * ga[\"hit\"] / (ga[\"hit\"] + ga[\"miss\"])
rb = 100.0 * gb[\"hit\"] / (gb[\"hit\"] + gb[\"miss\"])
print(\"%.2f%%|%.2f%%|%+.2f pt\" % (ra, rb, rb - ra))
" >want &&
	{ row "hit ratio (replayed)" cw.txt && row "get hit ratio" cw.txt; } >got &&
	test_cmp want got
'

test_expect_success '--html: the same rows, two charts, self-contained' '
	mb-fire --compare cold.json warm.json --html cw.html >cw2.txt &&
	test_cmp cw.txt cw2.txt &&
	test "$(grep -c "<svg" cw.html)" = 2 &&
	! grep -Ei "<script|<link|<img|src=|href=" cw.html &&
	grep -o "<tr><td>[^<]*</td><td>[^<]*</td><td>[^<]*</td><td>[^<]*</td></tr>" cw.html |
		sed "s/<\/td><td>/|/g; s/<[^>]*>//g; s/&amp;/\&/g" >html.rows &&
	sed -n "3,\$p" cw.txt | grep -v "^per command" | sed "s/   */|/g" >text.rows &&
	test_cmp text.rows html.rows &&
	mb-fire --compare cold.json warm.json --html - >page.html 2>text.err &&
	test_cmp cw.html page.html && test_cmp cw.txt text.err
'

test_expect_success 'bad arguments and reports' '
	test_expect_code 2 mb-fire --compare cold.json 2>err &&
	grep -x "mb-fire: --compare wants two JSON reports: OLD NEW (try '"'"'mb-fire --help'"'"')" err &&
	test_expect_code 2 mb-fire --compare cold.json warm.json double.json 2>err &&
	test_expect_code 2 mb-fire --compare cold.json warm.json --json x.json 2>err &&
	test_expect_code 2 mb-fire --merge --compare cold.json warm.json 2>err &&
	echo "[]" >bad.json &&
	test_expect_code 1 mb-fire --compare cold.json bad.json >out 2>err &&
	test $(wc -l <err) = 1 && grep "'"'"'bad.json'"'"'" err && test_must_be_empty out
'

test_done
