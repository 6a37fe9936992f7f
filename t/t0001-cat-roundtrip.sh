#!/bin/sh
# t0001: mb-cat prints every frame type as text and mb-cat -p restores the exact bytes.
test_description='mb-cat text form round trip'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'hand-written lines round-trip byte for byte' '
	printf "#membench\tversion=1\tkind=events-raw\tprogram=test\tsource=a\\\\x20b\n" >in.txt &&
	printf "ev\t1700000000.000000001\t3\ttext/tcp\tget\thit\tfoo\\\\x00bar\t7\t0\t0\tmulti,batch_end\t5\t100\t12000\n" >>in.txt &&
	printf "ev\t1.5\t4\tmeta/udp\tset\tstored\t-\t0\t10\t-1\tnoreply,0x8000\t0\t0\t0\n" >>in.txt &&
	printf "sum\tmb-parse\tpackets=10\tdesyncs=0\n" >>in.txt &&
	printf "frame\t999\t3\tdeadbeef\n" >>in.txt &&
	mb-cat -p in.txt >a.bin &&
	mb-cat a.bin >a.txt &&
	mb-cat -p a.txt >b.bin &&
	cmp a.bin b.bin &&
	grep -c "^ev" a.txt >n && echo 2 >expect && test_cmp expect n
'

test_expect_success 'awk filter without header lines still packs' '
	mb-cat a.bin | awk "\$5==\"get\"" | mb-cat -p | mb-cat -H >got &&
	printf "ev\t1700000000.000000001\t3\ttext/tcp\tget\thit\tfoo\\\\x00bar\t7\t0\t0\tmulti,batch_end\t5\t100\t12000\n" >expect &&
	test_cmp expect got
'

test_expect_success 'keys that look like markers are escaped' '
	printf "ev\t1.000000000\t1\ttext/tcp\tget\tmiss\t\\\\x40abc\t4\t0\t0\t-\t0\t0\t0\nev\t1.000000000\t1\ttext/tcp\tget\tmiss\t\\\\x2d\t1\t0\t0\t-\t0\t0\t0\n" >m.txt &&
	mb-cat -p m.txt >m.bin && mb-cat -H m.bin >m2.txt && test_cmp m.txt m2.txt
'

test_done
