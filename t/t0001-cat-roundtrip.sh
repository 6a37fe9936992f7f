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

# SERVER frames (a recorded server's number and address) read as "server NUMBER ADDRESS".
test_expect_success 'server lines (IPv4, IPv6) round-trip byte for byte, as the spec lays them out' '
	printf "#membench\tversion=2\tkind=events-raw\tprogram=test\n" >hdr.txt &&
	{ cat hdr.txt &&
	  printf "server\t1\t10.0.0.1:11211\n" &&
	  printf "server\t65535\t[2001:db8::1]:0\n" &&
	  printf "ev\t1.000000000\t1\ttext/tcp\tget\thit\tk\t1\t0\t0\t-\t0\t0\t0\tserver=1\n"; } >s.txt &&
	mb-cat -p s.txt >s.bin &&
	mb-cat s.bin | grep -v "^#ev" >s2.txt && test_cmp s.txt s2.txt &&
	mb-cat -p s2.txt >s3.bin && cmp s.bin s3.bin &&
	{ cat hdr.txt &&
	  printf "frame\t5\t0\t0100cb2b040000000a000001000000000000000000000000\n" &&
	  printf "frame\t5\t0\tffff00000600000020010db8000000000000000000000001\n" &&
	  printf "ev\t1.000000000\t1\ttext/tcp\tget\thit\tk\t1\t0\t0\t-\t0\t0\t0\tserver=1\n"; } >old.txt &&
	mb-cat -p old.txt >old.bin && cmp s.bin old.bin
'

test_expect_success 'SERVER frames of every address form survive binary -> text -> binary' '
	"$MB_PYTHON" - <<-\PY &&
	import random, struct
	rnd = random.Random(5)
	lines = ["#membench\tversion=2\tkind=events-hashed\tprogram=test"]
	for i in range(300):
	    fam = rnd.choice([4, 6])
	    if fam == 4:
	        addr = bytes(rnd.choice([0, 1, 255, rnd.getrandbits(8)]) for _ in range(4)) + bytes(12)
	    else:
	        addr = bytearray(rnd.choice([0, 0, 0xff, rnd.getrandbits(8)]) for _ in range(16))
	        if rnd.random() < 0.2:
	            addr[:12] = bytes(10) + b"\xff\xff"  # IPv4-mapped
	        addr = bytes(addr)
	    num, port = rnd.choice([0, 65535, rnd.getrandbits(16)]), rnd.choice([0, 65535, rnd.getrandbits(16)])
	    lines.append("frame\t5\t0\t" + (struct.pack("<HHB3x", num, port, fam) + addr).hex())
	open("rs.txt", "w").write("\n".join(lines) + "\n")
	PY
	mb-cat -p rs.txt >rs.bin &&
	mb-cat -H rs.bin >rs2.txt &&
	test "$(grep -c "^server	" rs2.txt)" = 300 && ! grep -q "^frame" rs2.txt &&
	mb-cat -p -k events-hashed rs2.txt >rs3.bin && mb-cat -H rs3.bin >rs4.txt && test_cmp rs2.txt rs4.txt &&
	mb-cat rs.bin | mb-cat -p >rs5.bin && cmp rs.bin rs5.bin
'

test_expect_success 'a bad server line: exit 1, one line on stderr naming the field' '
	for case in "number:x	1.2.3.4:11211" "number:65536	1.2.3.4:11211" "number:-1	1.2.3.4:11211" \
		"address:1	1.2.3.256:11211" "address:1	1.2.3.4" "address:1	::1:11211" "address:1	[1.2.3.4]:11211" \
		"address:1	[::1:11211" "port:1	1.2.3.4:65536" "port:1	[::1]:" "port:1	1.2.3.4:0x10"; do
		field=${case%%:*} && line=${case#*:} &&
		{ cat hdr.txt && printf "server\t%s\n" "$line"; } >bad.txt &&
		test_expect_code 1 mb-cat -p bad.txt >out 2>err &&
		test_one_line_error mb-cat err &&
		grep -q "bad field $field: .* line 2\$" err || exit 1
	done &&
	printf "server\t1\n" >short.txt &&
	test_expect_code 1 mb-cat -p short.txt >out 2>err && test_one_line_error mb-cat err &&
	grep -q "server line has 2 fields, expected 3" err
'

test_expect_success 'a server line in a packets stream is refused; SERVER frames there, or with flags, stay frame lines' '
	printf "#membench\tversion=2\tkind=packets\nserver\t1\t1.2.3.4:1\n" >p.txt &&
	test_expect_code 1 mb-cat -p p.txt >out 2>err && test_one_line_error mb-cat err &&
	grep -q "server line in a packet stream" err &&
	printf "server\t1\t1.2.3.4:1\n" >nohdr.txt &&
	test_expect_code 1 mb-cat -p -k packets nohdr.txt >out 2>err && test_one_line_error mb-cat err &&
	printf "#membench\tversion=2\tkind=packets\nframe\t5\t0\t0100cb2b040000000a000001000000000000000000000000\n" >pf.txt &&
	mb-cat -p pf.txt | mb-cat >pf2.txt && grep -v "^#pkt" pf2.txt | test_cmp pf.txt - &&
	{ cat hdr.txt && printf "frame\t5\t1\t0100cb2b040000000a000001000000000000000000000000\n"; } >fl.txt &&
	mb-cat -p fl.txt | mb-cat | grep -v "^#ev" | test_cmp fl.txt -
'

test_expect_success CORPUS,MBPARSE 'a parsed capture: its server as a server line, the stream back byte for byte' '
	mb-parse -q -P 31411 <"$MB_CORPUS/pcaps/memcached-t/metaget.pcap" >mg.bin &&
	mb-cat -H mg.bin | grep "^server" >srv &&
	printf "server\t0\t127.0.0.1:31411\n" >expect && test_cmp expect srv &&
	mb-cat mg.bin | mb-cat -p >mg2.bin && cmp mg.bin mg2.bin
'

test_done
