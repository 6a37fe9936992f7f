#!/bin/sh
# t8020: mb-cat --from/--to oracle: corpus round trip, next-access computed independently, truncation, zstd.
test_description='libCacheSim oracleGeneral interop'
. "$(dirname "$0")/test-lib.sh"

OG=$MB_SHARED/corpus/traces/libcachesim-cloudPhysicsIO.oracleGeneral.bin
[ -f "$OG" ] && test_set_prereq OGTRACE


# Check an oracle file against the hashed events of a stream, independently of mb-cat's writer:
# one record per keyed event (ts s, id, size = value_len for stores else resp_len) and
# next access = 1-based index of the next record with the same id, -1 when none. Prints the record count.
oracle_check() {
	"$MB_PYTHON" - "$1" "$2" <<-\EOF
	import struct, sys
	data = open(sys.argv[1], "rb").read()
	assert len(data) % 24 == 0, "size %d not a multiple of 24" % len(data)
	recs = [struct.unpack_from("<IQIq", data, i) for i in range(0, len(data), 24)]
	keyed = {"get", "gets", "gat", "gats", "set", "add", "replace", "append", "prepend", "cas",
	         "delete", "incr", "decr", "touch"}
	store = {"set", "add", "replace", "append", "prepend", "cas"}
	want = []
	for line in open(sys.argv[2]):
	    f = line.rstrip("\n").split("\t")
	    if f[0] != "ev" or f[4] not in keyed:
	        continue
	    ts = int(f[1].split(".")[0])
	    size = int(f[8]) if f[4] in store else int(f[12])
	    want.append((ts, int(f[6][1:], 16), size))
	assert len(want) == len(recs), "%d records, %d keyed events" % (len(recs), len(want))
	nxt = [-1] * len(want)
	seen = {}
	for i in range(len(want) - 1, -1, -1):
	    nxt[i] = seen.get(want[i][1], -1)
	    seen[want[i][1]] = i + 1
	for i, r in enumerate(recs):
	    assert r[:3] == want[i], "record %d is %r, event says %r" % (i, r[:3], want[i])
	    assert r[3] == nxt[i], "record %d next access %d, expected %d" % (i, r[3], nxt[i])
	print(len(recs))
	EOF
}

test_expect_success OGTRACE 'corpus oracle -> events -> oracle is byte-identical' '
	mb-cat --from oracle "$OG" >og.bin 2>err &&
	test_must_be_empty err &&
	mb-cat --to oracle og.bin >back.bin &&
	cmp "$OG" back.bin &&
	mb-cat -H og.bin | grep "^sum" >got &&
	printf "sum\tmb-cat\ttrace_rows=113872\tevents=113872\tbad_rows=0\thashed_keys=0\n" >expect && test_cmp expect got
'

test_expect_success OGTRACE 'corpus: the record mapping, and next access agrees with the python check' '
	mb-cat -H og.bin >og.txt &&
	sed -n 1p og.txt >got &&
	printf "ev\t5633898.000000000\t0\ttext/tcp\tget\tnone\t@00000000028f1a09\t16\t0\t0\twant_value\t0\t512\t0\n" >expect &&
	test_cmp expect got &&
	oracle_check "$OG" og.txt >n && echo 113872 >expect && test_cmp expect n
'

test_expect_success OGTRACE 'a profile (mb-pack) exports the same oracle file as the plain stream' '
	mb-pack <og.bin >og.prof &&
	mb-cat --to oracle og.prof | cmp - "$OG"
'

test_expect_success OGTRACE 'zstd-compressed oracle input (several frames) is detected' '
	head -c 240000 "$OG" | zstd -q -c >a.zst && tail -c +240001 "$OG" | zstd -q -c >b.zst && cat a.zst b.zst >og.zst &&
	mb-cat --from oracle og.zst | mb-cat --to oracle | cmp - "$OG"
'

test_expect_success 'export of a generated stream: count, fields and next access computed independently' '
	mb-gen -n 30000 -K 700 -m get=70,set=20,delete=5,touch=5 --seed 7 >gen.bin &&
	printf "#membench\tversion=1\tkind=events-hashed\nev\t1700000100.000000000\t1\ttext/tcp\tversion\tok\t@0000000000000000\t0\t0\t0\t-\t0\t0\t0\n" |
		mb-cat -p >ver.bin &&
	mb-cat -b gen.bin ver.bin >in.bin &&
	mb-cat --to oracle in.bin >gen.og 2>err &&
	echo "mb-cat: left out 1 events the oracle format cannot express (traces.md of the documentation says which)" >expect && test_cmp expect err &&
	mb-cat -H in.bin >in.txt &&
	oracle_check gen.og in.txt >n && echo 30000 >expect && test_cmp expect n &&
	mb-cat --from oracle gen.og >back.bin && mb-cat -H back.bin | grep -c "^ev" >n && test_cmp expect n &&
	mb-cat --to oracle back.bin | cmp - gen.og
'

test_expect_success 'the spool file goes to TMPDIR and is gone afterwards' '
	mkdir tmp &&
	TMPDIR=$PWD/tmp mb-cat --to oracle in.bin >t.og 2>/dev/null &&
	cmp t.og gen.og && test -z "$(ls tmp)" &&
	test_expect_code 1 env TMPDIR=$PWD/nonexistent mb-cat --to oracle in.bin >out 2>err &&
	test_one_line_error mb-cat err && grep -q "cannot create a spool file" err
'

test_expect_success 'a truncated record: error with its byte offset, or skipped with --skip-bad' '
	mb-gen -n 10 --seed 3 | mb-cat --to oracle >ten.og &&
	head -c 230 ten.og >cut.og &&
	test_expect_code 1 mb-cat --from oracle cut.og >cut.bin 2>err &&
	echo "mb-cat: truncated record (14 of 24 bytes): '"'"'cut.og'"'"' at byte 216" >expect && test_cmp expect err &&
	mb-cat -H cut.bin | grep -c "^ev" >n && echo 9 >expect && test_cmp expect n &&
	mb-cat --from oracle --skip-bad cut.og >s.bin 2>err &&
	echo "mb-cat: skipped 1 bad rows" >expect && test_cmp expect err &&
	mb-cat -H s.bin | grep "^sum" | cut -f3-5 >got &&
	printf "trace_rows=10\tevents=9\tbad_rows=1\n" >expect && test_cmp expect got
'

test_expect_success 'corrupt and truncated zstd input: one line, exit 1' '
	zstd -q -c ten.og >ten.zst &&
	size=$(wc -c <ten.zst) && head -c $((size - 3)) ten.zst >tz.zst &&
	test_expect_code 1 mb-cat --from oracle tz.zst >out 2>err &&
	test_one_line_error mb-cat err && grep -q "truncated zstd input" err &&
	{ head -c 4 ten.zst && head -c 64 /dev/zero | tr "\\000" "\\377"; } >bad.zst &&
	test_expect_code 1 mb-cat --from oracle bad.zst >out 2>err &&
	test_one_line_error mb-cat err && grep -q "corrupt zstd input" err
'

test_expect_success 'timestamps past 32 bits of seconds cannot be exported' '
	printf "#membench\tversion=1\tkind=events-hashed\nev\t4294967296.000000000\t1\ttext/tcp\tget\tnone\t@0000000000000001\t3\t0\t0\t-\t0\t0\t0\n" |
		mb-cat -p >big.bin &&
	test_expect_code 1 mb-cat --to oracle big.bin >out 2>err &&
	test_one_line_error mb-cat err && grep -q "does not fit" err
'

test_done
