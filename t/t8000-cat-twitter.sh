#!/bin/sh
# t8000: mb-cat --from/--to twitter: exact round trips, key mapping, zstd input, bad rows.
test_description='twitter cache-trace interop'
. "$(dirname "$0")/test-lib.sh"


test_expect_success 'setup: a twitter trace with hex keys, every operation' '
	cat >tw.csv <<-\EOF
	0,0123456789abcdef,38,0,1,get,0
	0,00000000000000ff,12,120,1,set,3600
	1,0123456789abcdef,38,512,7,gets,0
	1,fedcba9876543210,200,77,4294967295,add,-1
	2,00000000000000ff,12,0,2,replace,86400
	2,1111111111111111,65535,4294967295,2,cas,2147483647
	3,2222222222222222,16,10,3,append,0
	3,2222222222222222,16,11,3,prepend,0
	4294967295,0123456789abcdef,38,0,3,delete,0
	5,3333333333333333,20,8,9,incr,0
	5,3333333333333333,20,7,9,decr,-2147483648
	EOF
'

test_expect_success 'twitter -> events -> twitter is byte-identical for hex keys' '
	mb-cat --from twitter tw.csv >tw.bin 2>err &&
	test_must_be_empty err &&
	mb-cat --to twitter tw.bin >back.csv &&
	cmp tw.csv back.csv
'

test_expect_success 'events carry the documented mapping' '
	mb-cat -H tw.bin >tw.txt &&
	grep -c "^ev" tw.txt >n && echo 11 >expect && test_cmp expect n &&
	printf "ev\t0.000000000\t1\ttext/tcp\tget\tnone\t@0123456789abcdef\t38\t0\t0\twant_value\t0\t0\t0\n" >expect &&
	sed -n 1p tw.txt >got && test_cmp expect got &&
	printf "ev\t1.000000000\t7\ttext/tcp\tgets\tnone\t@0123456789abcdef\t38\t0\t0\twant_value,want_cas\t0\t512\t0\n" >expect &&
	sed -n 3p tw.txt >got && test_cmp expect got &&
	printf "ev\t1.000000000\t4294967295\ttext/tcp\tadd\tnone\t@fedcba9876543210\t200\t77\t-1\t-\t0\t0\t0\n" >expect &&
	sed -n 4p tw.txt >got && test_cmp expect got &&
	printf "ev\t4294967295.000000000\t3\ttext/tcp\tdelete\tnone\t@0123456789abcdef\t38\t0\t0\t-\t0\t0\t0\n" >expect &&
	sed -n 9p tw.txt >got && test_cmp expect got &&
	grep "^sum" tw.txt >got &&
	printf "sum\tmb-cat\ttrace_rows=11\tevents=11\tbad_rows=0\thashed_keys=0\n" >expect && test_cmp expect got
'

test_expect_success 'a profile (mb-pack) exports the same twitter file, extreme sizes included' '
	mb-cat --from twitter tw.csv | mb-pack | mb-cat --to twitter >pback.csv &&
	cmp tw.csv pback.csv
'

test_expect_success 'zstd-compressed input is detected and gives the same events' '
	zstd -q -c tw.csv >tw.csv.zst &&
	mb-cat --from twitter tw.csv.zst | mb-cat -H >z.txt &&
	test_cmp tw.txt z.txt &&
	mb-cat --from twitter <tw.csv.zst | mb-cat --to twitter >zback.csv &&
	cmp tw.csv zback.csv
'

test_expect_success 'string keys: hashed consistently, other columns kept, second round trip exact' '
	cat >s.csv <<-\EOF &&
	10,nz:u:eeW511W3dcH3de3d15ec,24,0,1,get,0
	10,q:q:1:8WTfjZU__7j,17,300,2,set,600
	11,nz:u:eeW511W3dcH3de3d15ec,24,0,1,get,0
	12,0123456789ABCDEF,16,0,1,get,0
	12,q:q:1:8WTfjZU__7j,17,0,5,delete,0
	EOF
	mb-cat --from twitter s.csv 2>err | mb-cat --to twitter >s1.csv &&
	grep -q "hashed 4 string keys with a random secret" err &&
	cut -d, -f1,3- s.csv >a && cut -d, -f1,3- s1.csv >b && test_cmp a b &&
	cut -d, -f2 s1.csv >keys &&
	grep -c "^[0-9a-f]\{16\}$" keys >n && echo 5 >expect && test_cmp expect n &&
	test "$(sed -n 1p keys)" = "$(sed -n 3p keys)" &&
	test "$(sed -n 2p keys)" = "$(sed -n 5p keys)" &&
	test "$(sed -n 1p keys)" != "$(sed -n 2p keys)" &&
	test "$(sed -n 4p keys)" = 0123456789abcdef &&
	mb-cat --from twitter s1.csv 2>err2 | mb-cat --to twitter >s2.csv &&
	test_must_be_empty err2 &&
	cmp s1.csv s2.csv
'

test_expect_success 'a key file makes hashes stable and equal to mb-anon of the same key' '
	echo 000102030405060708090a0b0c0d0e0f >secret &&
	mb-cat --from twitter --key-file secret s.csv 2>err | mb-cat --to twitter >k1.csv &&
	test_must_be_empty err &&
	MB_ANON_KEY_FILE=secret mb-cat --from twitter s.csv | mb-cat --to twitter >k2.csv &&
	cmp k1.csv k2.csv &&
	printf "#membench\tversion=1\tkind=events-raw\nev\t10.000000000\t1\ttext/tcp\tget\tnone\tnz:u:eeW511W3dcH3de3d15ec\t25\t0\t0\t-\t0\t0\t0\n" |
		mb-cat -p | mb-anon -k secret | mb-cat -H | grep "^ev" | cut -f7 >anon.key &&
	echo "@$(sed -n 1p k1.csv | cut -d, -f2)" >ours.key &&
	test_cmp anon.key ours.key &&
	fp=$(mb-cat --from twitter --key-file secret s.csv | mb-cat | sed -n 1p | tr "\t" "\n" | grep "^anon_fp=") &&
	fp2=$(printf "#membench\tversion=1\tkind=events-raw\n" | mb-cat -p | mb-anon -k secret | mb-cat | sed -n 1p | tr "\t" "\n" | grep "^anon_fp=") &&
	test -n "$fp" && test "$fp" = "$fp2"
'

test_expect_success 'CRLF line ends and blank lines are normalized away' '
	printf "0,0123456789abcdef,38,0,1,get,0\r\n\n1,00000000000000ff,12,120,1,set,3600\r\n" >crlf.csv &&
	mb-cat --from twitter crlf.csv | mb-cat --to twitter >crlf.out &&
	printf "0,0123456789abcdef,38,0,1,get,0\n1,00000000000000ff,12,120,1,set,3600\n" >expect &&
	test_cmp expect crlf.out
'

test_expect_success 'a last line without newline counts' '
	printf "0,0123456789abcdef,38,0,1,get,0\n1,00000000000000ff,12,120,1,set,3600" >nonl.csv &&
	mb-cat --from twitter nonl.csv | mb-cat --to twitter >nonl.out &&
	printf "0,0123456789abcdef,38,0,1,get,0\n1,00000000000000ff,12,120,1,set,3600\n" >expect &&
	test_cmp expect nonl.out
'

bad_row_test() {
	# $1 title, $2 the bad line (3rd row), $3 expected message tail
	test_expect_success "bad row: $1" "
		{ sed -n 1,2p tw.csv && printf '%s\n' '$2' && sed -n 4p tw.csv; } >bad.csv &&
		test_expect_code 1 mb-cat --from twitter bad.csv >bad.bin 2>err &&
		test_one_line_error mb-cat err &&
		echo \"mb-cat: $3: 'bad.csv' line 3\" >expect && test_cmp expect err &&
		mb-cat -H bad.bin | grep -c '^ev' >n && echo 2 >expect && test_cmp expect n
	"
}
bad_row_test 'unknown op' '1,0123456789abcdef,38,0,1,FOO,0' "bad field op: 'FOO'"
bad_row_test 'missing field' '1,0123456789abcdef,38,0,1,get' 'row has 6 fields, expected 7'
bad_row_test 'extra field' '1,0123456789abcdef,38,0,1,get,0,9' 'row has more than 7 fields, expected 7'
bad_row_test 'timestamp not a number' 'x1,0123456789abcdef,38,0,1,get,0' "bad field timestamp: 'x1'"
bad_row_test 'negative value size' '1,0123456789abcdef,38,-5,1,get,0' "bad field value_size: '-5'"
bad_row_test 'key size over 16 bits' '1,0123456789abcdef,65536,0,1,get,0' "bad field key_size: '65536'"
bad_row_test 'client not a number' '1,0123456789abcdef,38,0,web,get,0' "bad field client: 'web'"
bad_row_test 'ttl out of range' '1,0123456789abcdef,38,0,1,set,2147483648' "bad field ttl: '2147483648'"
bad_row_test 'empty key' '1,,38,0,1,get,0' "bad field key: ''"
bad_row_test 'timestamp over 32 bits' '4294967296,0123456789abcdef,38,0,1,get,0' "bad field timestamp: '4294967296'"

test_expect_success '--skip-bad skips bad rows and counts them on stderr' '
	{ sed -n 1,2p tw.csv && echo "1,k,3,0,1,FOO,0" && sed -n 3,4p tw.csv && echo "garbage" && echo "7,k,1,2,3,get" ; } >mixed.csv &&
	mb-cat --from twitter --skip-bad mixed.csv >m.bin 2>err &&
	echo "mb-cat: skipped 3 bad rows" >expect && test_cmp expect err &&
	mb-cat -H m.bin | grep "^sum" >got &&
	printf "sum\tmb-cat\ttrace_rows=7\tevents=4\tbad_rows=3\thashed_keys=0\n" >expect && test_cmp expect got &&
	mb-cat --to twitter m.bin >m.csv && sed -n 1,4p tw.csv >expect && test_cmp expect m.csv
'

test_expect_success 'an overlong line is a bad row; --skip-bad goes past it' '
	{ sed -n 1p tw.csv && head -c 70000 /dev/zero | tr "\000" "a" && echo && sed -n 2p tw.csv; } >long.csv &&
	test_expect_code 1 mb-cat --from twitter long.csv >/dev/null 2>err &&
	echo "mb-cat: line longer than 65536 bytes: '"'"'long.csv'"'"' line 2" >expect && test_cmp expect err &&
	mb-cat --from twitter --skip-bad long.csv 2>err | mb-cat --to twitter >got &&
	sed -n 1,2p tw.csv >expect && test_cmp expect got &&
	echo "mb-cat: skipped 1 bad rows" >expect && test_cmp expect err
'

test_expect_success 'export: gat/gats become get/gets, commands without a twitter form are counted' '
	printf "#membench\tversion=1\tkind=events-hashed\n" >h.txt &&
	printf "ev\t3.5\t4\tmeta/tcp\tgat\thit\t@00000000000000aa\t5\t0\t100\t-\t0\t42\t900\n" >>h.txt &&
	printf "ev\t3.9\t4\ttext/tcp\ttouch\ttouched\t@00000000000000aa\t5\t0\t100\t-\t0\t0\t900\n" >>h.txt &&
	printf "ev\t4.0\t4\ttext/tcp\tversion\tok\t@0000000000000000\t0\t0\t0\t-\t0\t0\t900\n" >>h.txt &&
	printf "ev\t4.2\t5\tbinary/tcp\tgats\tmiss\t@00000000000000bb\t6\t0\t0\t-\t0\t0\t900\n" >>h.txt &&
	mb-cat -p h.txt | mb-cat --to twitter >h.csv 2>err &&
	printf "3,00000000000000aa,5,42,4,get,100\n4,00000000000000bb,6,0,5,gets,0\n" >expect && test_cmp expect h.csv &&
	echo "mb-cat: left out 2 events the twitter format cannot express (traces.md of the documentation says which)" >expect && test_cmp expect err
'

test_expect_success 'export hashes the keys of a raw-key stream exactly as mb-anon does' '
	printf "#membench\tversion=1\tkind=events-raw\n" >raw.txt &&
	printf "ev\t1.000000000\t1\ttext/tcp\tget\thit\tfoo\t3\t0\t0\t-\t0\t5\t0\n" >>raw.txt &&
	printf "ev\t2.000000000\t2\ttext/tcp\tset\tstored\tuser:42\t7\t10\t60\t-\t0\t0\t0\n" >>raw.txt &&
	mb-cat -p raw.txt >raw.bin &&
	mb-cat --to twitter --key-file secret raw.bin >r1.csv 2>err &&
	test_must_be_empty err &&
	mb-anon -k secret <raw.bin | mb-cat --to twitter >r2.csv &&
	test_cmp r2.csv r1.csv &&
	! grep -e foo -e user r1.csv &&
	mb-cat --to twitter raw.bin >r3.csv 2>err &&
	echo "mb-cat: hashed 2 raw keys with a random secret valid for this run only (--key-file or MB_ANON_KEY_FILE makes them stable)" >expect &&
	test_cmp expect err && cut -d, -f1,3- r1.csv >a && cut -d, -f1,3- r3.csv >b && test_cmp a b
'

test_expect_success 'empty trace input is an error; usage errors exit 2' '
	: >empty.csv &&
	test_expect_code 1 mb-cat --from twitter empty.csv >out 2>err &&
	echo "mb-cat: empty input: '"'"'empty.csv'"'"' at byte 0" >expect && test_cmp expect err &&
	test_expect_code 2 mb-cat --from bogus tw.csv 2>err && grep -q "unknown trace format" err &&
	test_expect_code 2 mb-cat --skip-bad tw.bin 2>err &&
	test_expect_code 2 mb-cat --from twitter --to oracle tw.csv 2>err &&
	test_expect_code 2 mb-cat -p --from twitter tw.csv >out 2>err && test_must_be_empty out &&
	test_expect_code 2 mb-cat --to twitter -b tw.bin >out 2>err && test_must_be_empty out
'

test_done
