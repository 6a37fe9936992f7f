#!/bin/sh
# t2001: TCP reassembly and resynchronization: reordering, retransmission, loss in and out of value bodies, joining mid-stream, snap length, elided bytes, the memory cap, UDP.
test_description='mb-parse reassembly, loss and resync'
. "$(dirname "$0")/test-lib.sh"

gen() { "$MB_PYTHON" "$MB_SRC/t/t2001/gen.py" "$@"; }
proj() { mb-cat -H "$1" | grep '^ev' | cut -f3-7,11-13; }
# value of one summary counter
counter() { mb-cat "$1" | grep "^sum	mb-parse" | tr '\t' '\n' | sed -n "s/^$2=//p"; }

test_expect_success 'out of order, retransmitted and overlapping segments: same events as in order' '
	gen basic 1 >basic.pcap && mb-parse -q basic.pcap >a.bin &&
	gen reorder 1 >reorder.pcap && mb-parse -q reorder.pcap >b.bin &&
	proj a.bin >a && proj b.bin >b && test_cmp a b &&
	test "$(counter b.bin out_of_order)" = 1 &&
	test "$(counter b.bin retransmissions)" -ge 1 &&
	test "$(counter b.bin overlaps)" = 1 &&
	test "$(counter b.bin desyncs)" = 0
'

test_expect_success 'a lost segment inside a value body: skipped by length, no desync' '
	gen bodyloss 1 >bl.pcap && mb-parse -q bl.pcap >bl.bin &&
	proj bl.bin >got &&
	printf "0\ttext/tcp\tset\tstored\tbig\t-\t0\t0\n0\ttext/tcp\tget\thit\tbig\twant_value\t0\t3000\n" >want &&
	test_cmp want got &&
	test "$(counter bl.bin desyncs)" = 0 &&
	test "$(counter bl.bin lost_body_bytes)" = 1000 &&
	test "$(counter bl.bin holes)" = 1
'

test_expect_success 'a lost request: desync counted, its reply not paired, the next request resyncs' '
	gen reqloss 1 >rl.pcap && mb-parse -q rl.pcap >rl.bin &&
	proj rl.bin >got &&
	printf "0\ttext/tcp\tget\tmiss\ta\twant_value\t0\t0\n0\ttext/tcp\tget\thit\tb\twant_value,resync\t0\t1\n" >want &&
	test_cmp want got &&
	test "$(counter rl.bin desyncs)" = 1 &&
	test "$(counter rl.bin unmatched_responses)" = 1
'

test_expect_success 'a flow joined in the middle of a value body: resync at the next command' '
	gen join 1 >j.pcap && mb-parse -q j.pcap >j.bin &&
	proj j.bin >got &&
	printf "0\ttext/tcp\tget\thit\tk1\twant_value,resync\t0\t10\n0\ttext/tcp\tdelete\tdeleted\tk1\t-\t0\t0\n" >want &&
	test_cmp want got &&
	test "$(counter j.bin unparsed_bytes)" = 7
'

test_expect_success 'snap length: a cut inside a body is harmless, a cut request is a desync' '
	gen snap 1 >s.pcap && mb-parse -q s.pcap >s.bin &&
	proj s.bin >got &&
	printf "0\ttext/tcp\tset\tstored\tk\t-\t0\t0\n0\ttext/tcp\tget\thit\tk\twant_value\t0\t100\n0\ttext/tcp\tget\tmiss\tm\twant_value,resync\t0\t0\n" >want &&
	test_cmp want got &&
	test "$(counter s.bin desyncs)" = 1 &&
	test "$(counter s.bin truncated_bytes)" = 65
'

test_expect_success 'elided value bytes in a packet stream are skipped as value bytes' '
	gen bodyloss 101 >b.pcap &&
	mb-capture -r b.pcap 2>/dev/null | mb-cat >pk.txt &&
	"$MB_PYTHON" - pk.txt >pk2.txt <<-\PY &&
	import sys
	# the first segment with 1000+ payload bytes: leave out its last 600 bytes, mark them elided
	done = False
	for line in open(sys.argv[1]):
	    f = line.rstrip("\n").split("\t")
	    if f[0] == "pkt" and not done and int(f[3]) > 1000:
	        f[3] = str(int(f[3]) - 600); f[5] = "600"; f[6] = f[6][:-1200]; done = True
	    print("\t".join(f))
	PY
	mb-cat -p pk2.txt | mb-parse -q >e.bin &&
	mb-parse -q b.pcap >b.bin &&
	proj b.bin >want && proj e.bin >got && test_cmp want got &&
	test "$(counter e.bin elided_bytes)" = 600 &&
	test "$(counter e.bin desyncs)" = 0
'

test_expect_success 'memory cap: flows evicted and counted, their requests unanswered, none lost' '
	gen many 1 4 2000 >m.pcap &&
	mb-parse -q m.pcap >all.bin &&
	test "$(counter all.bin evictions)" = 0 &&
	test "$(counter all.bin status.miss)" = 2000 &&
	mb-parse -q -M 1 m.pcap >cap.bin &&
	ev=$(counter cap.bin evictions) && test "$ev" -gt 0 &&
	test "$(counter cap.bin events)" = 2000 &&
	test "$(counter cap.bin status.unanswered)" -gt 0 &&
	test $(( $(counter cap.bin status.unanswered) + $(counter cap.bin status.miss) )) = 2000
'

test_expect_success 'idle flows are closed by capture time' '
	gen many 1 4 1100 >m.pcap &&
	mb-parse -q --idle 50ms m.pcap >i.bin &&
	test "$(counter i.bin idle_closed)" -gt 0 &&
	test "$(counter i.bin events)" = 1100
'

test_expect_success 'binary: quiet GETKQ miss inferred at the NOOP, hits paired by opaque' '
	gen binary 1 >bin.pcap && mb-parse -q bin.pcap >bin.bin &&
	proj bin.bin >got &&
	cat >want <<-\EOF &&
	0	binary/tcp	set	stored	a	opaque	0	0
	0	binary/tcp	get	hit	a	noreply,want_value,opaque	0	5
	0	binary/tcp	get	miss	b	noreply,want_value,opaque,inferred	0	0
	0	binary/tcp	noop	ok	-	opaque	0	0
	0	binary/tcp	delete	not_found	b	opaque	0	0
	0	binary/tcp	incr	not_found	n	opaque	0	0
	EOF
	test_cmp want got
'

test_expect_success 'UDP: a reply over three datagrams paired by request id' '
	gen udp 1 >u.pcap && mb-parse -q u.pcap >u.bin &&
	proj u.bin >got &&
	cat >want <<-\EOF &&
	0	text/udp	get	hit	big	multi,want_value	1	2000
	0	text/udp	get	hit	small	multi,batch_end,want_value	1	1
	0	text/udp	delete	deleted	small	-	0	0
	EOF
	test_cmp want got &&
	test "$(counter u.bin udp_dropped)" = 0
'

test_done
