#!/bin/sh
# t3100: mb-pack profiles decode to exactly the events, summaries and frames they were made from.
test_description='mb-pack: round trips, refusals, summary, merge, cut-short profiles'
. "$(dirname "$0")/test-lib.sh"

# Text of a stream or profile without header lines and without the profile's own summary.
body() { mb-cat -H "$1" | grep -v "^sum	mb-pack	"; }

for args in "-n 20000 --seed 1" "-n 20000 -K 500 -z 1.2 -c 300 --seed 2 --proto meta --ttl 300" \
	"-n 20000 --seed 3 --proto binary --uniform --latency 0 -m get=50,set=30,delete=10,incr=5,touch=5" \
	"-n 70000 -K 100000 -z 0 --key-size 1-250 --value-size 1-1000000 --seed 4"; do
	test_expect_success "mb-gen $args: profile reads back as the same events" "
		mb-gen $args >in.bin &&
		mb-pack in.bin >p.bin &&
		body in.bin >expect && body p.bin >actual && test_cmp expect actual &&
		test \$(wc -c <p.bin) -lt \$(( \$(wc -c <in.bin) / 4 ))
	"
done

for seed in 1 2 3; do
	test_expect_success "random hashed stream $seed (every field random, summaries, unknown frames)" "
		'$MB_PYTHON' '$MB_SRC/t/lib/randstream.py' events-hashed $seed 3000 >r.bin &&
		mb-pack -b 100 r.bin >p.bin && body r.bin >expect && body p.bin >actual && test_cmp expect actual
	"
	test_expect_success "random raw stream $seed with --raw-keys (and a warning from every read)" "
		'$MB_PYTHON' '$MB_SRC/t/lib/randstream.py' events-raw $seed 3000 >r.bin &&
		mb-pack --raw-keys -b 300 r.bin >p.bin &&
		body r.bin >expect && mb-cat -H p.bin 2>err | grep -v '^sum	mb-pack	' >actual && test_cmp expect actual &&
		test_one_line_error mb-cat err && grep -q 'holds raw keys' err
	"
done

test_expect_success 'extreme field values round-trip (sizes 2^32-1, time jumps both ways, max ids)' '
	cat >edge.txt <<-\EOF &&
	#membench	version=1	kind=events-hashed
	ev	1.000000001	4294967295	text/tcp	set	stored	@0000000000000001	5	4294967295	-2147483648	-	4294967295	0	18446744073709551615
	ev	0.000000000	0	text/tcp	get	hit	@0000000000000001	5	0	2147483647	-	0	4294967295	0
	ev	9000000000.000000001	1	binary/udp	set	stored	@0000000000000001	5	4294967294	0	noreply	1	0	1000
	ev	1.000000000	1	meta/unix	get	hit	@ffffffffffffffff	65535	0	0	0xffff	0	4294967294	7
	ev	1.000000000	1	meta/unix	get	hit	@ffffffffffffffff	65535	0	0	0xffff	0	4294967294	7
	ev	0.000000010	7	200/9	250	99	@ffffffffffffffff	0	1	1	-	2147483648	2	3
	EOF
	mb-cat -p edge.txt >edge.bin && mb-pack edge.bin >edge.p &&
	body edge.bin >expect && body edge.p >actual && test_cmp expect actual &&
	mb-cat -H edge.p | grep -q "^sum	mb-pack	events=6	first_ts_ns=0	last_ts_ns=9000000000000000001	connections=4	distinct_keys=3	"
'

test_expect_success 'a bounded dictionary (--dict-max) starts over and still round-trips' '
	mb-gen -n 20000 -K 5000 -z 0.5 --seed 8 >in.bin &&
	mb-pack -b 100 --dict-max 500 in.bin >p.bin &&
	body in.bin >expect && body p.bin >actual && test_cmp expect actual &&
	keys=$(mb-cat -H in.bin | grep "^ev" | cut -f7,8 | sort -u | wc -l) &&
	sent=$(mb-cat -H p.bin | grep "^sum	mb-pack" | tr "\t" "\n" | sed -n "s/^distinct_keys=//p") &&
	test $sent -gt $keys &&
	test_expect_code 2 mb-pack -b 1000 --dict-max 500 in.bin >out 2>err && test ! -s out
'

test_expect_success 'the same through pipes (no seeking), at several zstd levels' '
	mb-gen -n 30000 --seed 5 >in.bin && body in.bin >expect &&
	for l in 1 3 9 19; do
		cat in.bin | mb-pack -l $l | cat | mb-cat -H | grep -v "^sum	mb-pack	" >actual &&
		test_cmp expect actual || return 1
	done
'

test_expect_success 'header keeps the source metadata and adds mb-pack to the program chain' '
	mb-gen --raw -n 2000 --seed 6 >raw.bin && mb-anon --new-key >k && mb-anon -k k raw.bin >h.bin &&
	mb-pack h.bin >p.bin &&
	mb-cat p.bin | head -1 >hdr &&
	grep -q "kind=events-hashed" hdr && grep -q "program=mb-gen,mb-anon,mb-pack" hdr &&
	grep -q "$(mb-cat h.bin | head -1 | tr "\t" "\n" | grep anon_fp)" hdr &&
	mb-cat h.bin | head -1 | tr "\t" "\n" | grep source= >src && grep -qF "$(cat src)" hdr
'

test_expect_success 'end summary: events per command, time range, connections, distinct keys' '
	mb-gen -n 10000 -K 3000 -c 37 --seed 7 -m get=80,set=15,delete=5 >in.bin && mb-pack in.bin >p.bin &&
	mb-cat -H p.bin | grep "^sum	mb-pack	" | tr "\t" "\n" >sum &&
	mb-cat -H in.bin | grep "^ev" >ev &&
	grep -qx "events=10000" sum &&
	grep -qx "connections=$(cut -f3 ev | sort -u | wc -l)" sum &&
	grep -qx "distinct_keys=$(cut -f7,8 ev | sort -u | wc -l)" sum &&
	grep -qx "cmd_get=$(cut -f5 ev | grep -cx get)" sum &&
	grep -qx "cmd_delete=$(cut -f5 ev | grep -cx delete)" sum &&
	first=$(head -1 ev | cut -f2 | tr -d .) && last=$(tail -1 ev | cut -f2 | tr -d .) &&
	grep -qx "first_ts_ns=$first" sum && grep -qx "last_ts_ns=$last" sum
'

test_expect_success 'raw keys are refused unless --raw-keys; nothing is written' '
	test_expect_code 1 mb-pack raw.bin >out 2>err && test_one_line_error mb-pack err &&
	grep -q "run mb-anon on it first" err && test ! -s out &&
	mb-pack --raw-keys raw.bin >rp.bin 2>err && test ! -s err &&
	mb-cat rp.bin 2>err >/dev/null && grep -q "warning: this profile holds raw keys" err
'

test_expect_success 'other inputs are refused with one line' '
	"$MB_PYTHON" "$MB_SRC/t/lib/randstream.py" packets 1 20 >pk.bin &&
	test_expect_code 1 mb-pack pk.bin >out 2>err && test_one_line_error mb-pack err && grep -q "mb-parse" err &&
	test_expect_code 1 mb-pack </dev/null >out 2>err && test_one_line_error mb-pack err &&
	test_expect_code 2 mb-pack -l 0 in.bin >out 2>err && test_expect_code 2 mb-pack -l 20 in.bin >out 2>err &&
	test_expect_code 2 mb-pack -b 0 in.bin >out 2>err && test_expect_code 2 mb-pack in.bin in.bin >out 2>err &&
	test_expect_code 2 mb-pack -m - - >out 2>err
'

test_expect_success 'a profile is packed again unchanged (its events)' '
	mb-pack p.bin >pp.bin && body p.bin | grep -v "^sum	mb-pack" >a && body pp.bin | grep -v "^sum	mb-pack" >b && test_cmp a b
'

test_expect_success 'concatenated profiles read as one stream' '
	mb-gen -n 3000 --seed 11 >a.bin && mb-gen -n 3000 --seed 12 >b.bin &&
	mb-pack a.bin >a.p && mb-pack b.bin >b.p &&
	{ body a.bin; body b.bin; } | grep -v "^sum	mb-pack" >expect &&
	cat a.p b.p | mb-cat -H | grep -v "^sum	mb-pack	" >actual && test_cmp expect actual
'

test_expect_success 'merge: timestamp order, all events, connections of each input kept apart' '
	mb-gen -n 4000 -c 20 --seed 21 >m1.bin && mb-gen -n 3000 -c 30 --seed 22 -r 50000 >m2.bin && mb-pack m2.bin >m2.p &&
	mb-pack -m m1.bin m2.p >m.p &&
	mb-cat -H m.p | grep "^ev" >ev &&
	test $(wc -l <ev) = 7000 &&
	cut -f2 ev | sort -c &&
	test "$(cut -f3 ev | sort -u | wc -l)" = 50 &&
	mb-cat -H m.p | grep -q "^sum	mb-pack	events=7000	.*connections=50	" &&
	mb-cat m.p | head -1 | grep -q "merged_inputs=2" &&
	{ mb-cat -H m1.bin; mb-cat -H m2.bin; } | grep "^ev" | cut -f1,2,4- | sort >a &&
	cut -f1,2,4- ev | sort >b && test_cmp a b
'

test_expect_success 'merge: the same input twice gives twice the connections; a stable order' '
	mb-pack -m m1.bin m1.bin >mm.p &&
	mb-cat -H mm.p | grep "^ev" >ev2 && test $(wc -l <ev2) = 8000 &&
	test "$(cut -f3 ev2 | sort -u | wc -l)" = 40
'

# two client hosts' captures: each numbers the servers it saw from 0, so server 0 of one
# and server 0 of the other may be different machines, and one machine may have two numbers.
# The merge numbers addresses once, in order of first appearance, and renumbers the events.
test_expect_success 'merge: recorded servers numbered by address across the inputs' '
	"$MB_PYTHON" - <<-\PY &&
	import struct
	def server(num, ip):
	    return struct.pack("<HHB3x", num, 11211, 4).hex() + bytes(map(int, ip.split("."))).hex() + "00" * 12
	hdr = "#membench\tversion=2\tkind=events-hashed\tprogram=test\n"
	def ev(us, conn, key, srv):
	    sem = "\tserver=%d" % srv if srv else ""
	    return "ev\t1700000000.%06d000\t%d\ttext/tcp\tget\thit\t@%016x\t10\t3\t0\t-\t0\t0\t1000%s\n" % (us, conn, key, sem)
	open("sa.txt", "w").write(hdr + "frame\t5\t0\t" + server(0, "10.0.0.1") + "\n" + ev(1, 1, 1, 0) +
	    "frame\t5\t0\t" + server(1, "10.0.0.2") + "\n" + ev(3, 2, 2, 1))
	open("sb.txt", "w").write(hdr + "frame\t5\t0\t" + server(0, "10.0.0.2") + "\n" + ev(2, 1, 3, 0) +
	    "frame\t5\t0\t" + server(1, "10.0.0.3") + "\n" + ev(4, 1, 4, 1))
	PY
	mb-cat -p sa.txt >sa.bin && mb-cat -p sb.txt >sb.bin &&
	mb-pack -m sa.bin sb.bin >s.p &&
	mb-cat -H s.p | grep -v "^sum" >actual &&
	cat >expect <<-\EOF &&
	server	0	10.0.0.1:11211
	server	1	10.0.0.2:11211
	ev	1700000000.000001000	1	text/tcp	get	hit	@0000000000000001	10	3	0	-	0	0	1000
	ev	1700000000.000002000	2	text/tcp	get	hit	@0000000000000003	10	3	0	-	0	0	1000	server=1
	server	2	10.0.0.3:11211
	ev	1700000000.000003000	3	text/tcp	get	hit	@0000000000000002	10	3	0	-	0	0	1000	server=1
	ev	1700000000.000004000	2	text/tcp	get	hit	@0000000000000004	10	3	0	-	0	0	1000	server=2
	EOF
	test_cmp expect actual
'

test_expect_success 'merge refuses inputs hashed with different secrets' '
	mb-anon --new-key >k2 && mb-anon -k k2 raw.bin >h2.bin &&
	test_expect_code 1 mb-pack -m h.bin h2.bin >out 2>err && test_one_line_error mb-pack err &&
	grep -q "different secrets" err
'

test_expect_success 'a cut-short profile: its complete blocks, then an error (exit 1); a warning with --allow-truncated (exit 0)' '
	mb-gen -n 5000 --seed 31 >in.bin && mb-pack -b 500 in.bin >p.bin &&
	body p.bin | grep "^ev" >full &&
	size=$(wc -c <p.bin) &&
	head -c $((size * 6 / 10)) p.bin >cut.p &&
	test_expect_code 1 mb-cat -H cut.p >part1 2>err && test_one_line_error mb-cat err &&
	grep -q "^mb-cat: profile cut short (partial block) after [0-9]* complete blocks (--allow-truncated reads them): .cut.p. at byte" err &&
	mb-cat -H --allow-truncated cut.p >part 2>err && test_one_line_error mb-cat err &&
	grep -q "warning: profile cut short.*at byte" err && test_cmp part part1 &&
	n=$(grep -c "^ev" part) && test $n -gt 2000 && test $((n % 500)) = 0 &&
	head -n $n full >expect && grep "^ev" part >actual && test_cmp expect actual
'

test_expect_success 'mb-pack killed (SIGKILL) mid-way leaves a readable profile' '
	mb-gen -n 50000 --seed 32 >in.bin &&
	{ cat in.bin; sleep 3; } | mb-pack -b 1000 >k.p &
	pid=$! &&
	sleep 1 && kill -9 $pid && { wait $pid; true; } &&
	test_expect_code 1 mb-cat -H k.p >/dev/null 2>err && test_one_line_error mb-cat err &&
	mb-cat -H --allow-truncated k.p >part 2>err && test_one_line_error mb-cat err && grep -q "cut short (no end block)" err &&
	test "$(grep -c "^ev" part)" = 50000
'

test_done
