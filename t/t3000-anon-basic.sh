#!/bin/sh
# t3000: mb-anon hashes keys with a keyed SipHash, keeps everything else, and handles its secret carefully.
test_description='mb-anon: key hashing, secrets, fingerprints, refusals'
. "$(dirname "$0")/test-lib.sh"

# Events of a stream without the key column (and without header lines).
nokey() { mb-cat -H "$1" | grep '^ev' | cut -f1-6,8-; }

test_expect_success 'setup: a raw stream and two secrets' '
	mb-gen --raw -n 5000 -K 800 -c 7 --seed 3 -m get=70,set=20,delete=5,incr=5 --ttl 60 >raw.bin &&
	mb-anon --new-key >k1 && mb-anon --new-key >k2 &&
	test "$(stat -c %a k1)" = 600 &&
	grep -Eq "^[0-9a-f]{32}$" k1 && test "$(wc -c <k1)" = 33 &&
	! cmp k1 k2
'

test_expect_success 'events keep every field but the key, which becomes a hash of the same length' '
	mb-anon -k k1 raw.bin >h1.bin &&
	nokey raw.bin >raw.txt && nokey h1.bin >h1.txt && test_cmp raw.txt h1.txt &&
	test "$(mb-cat -H h1.bin | grep -c "^ev	")" = 5000 &&
	test "$(mb-cat -H h1.bin | grep "^ev	" | cut -f7 | grep -vc "^@[0-9a-f]\{16\}$")" = 0
'

test_expect_success 'header: kind events-hashed, fingerprint, program chain; no prefix entry' '
	mb-cat h1.bin | head -1 >hdr &&
	grep -q "kind=events-hashed" hdr &&
	grep -q "program=mb-gen,mb-anon" hdr &&
	grep -q "anon_fp=[0-9a-f]\{16\}" hdr &&
	! grep -q anon_prefix hdr &&
	! grep -q "$(cat k1)" hdr
'

test_expect_success 'same secret: same hashes and fingerprint across runs; MB_ANON_KEY_FILE works like -k' '
	mb-anon -k k1 raw.bin >h1b.bin && cmp h1.bin h1b.bin &&
	MB_ANON_KEY_FILE=k1 mb-anon raw.bin >h1c.bin 2>err && cmp h1.bin h1c.bin && test ! -s err
'

test_expect_success 'equal raw keys map to equal hashes, distinct keys to distinct hashes' '
	mb-cat -H raw.bin | grep "^ev" | cut -f7 >rk && mb-cat -H h1.bin | grep "^ev" | cut -f7 >hk &&
	paste rk hk | sort -u >pairs &&
	test "$(cut -f1 pairs | sort -u | wc -l)" = "$(wc -l <pairs)" &&
	test "$(cut -f2 pairs | sort -u | wc -l)" = "$(wc -l <pairs)"
'

test_expect_success 'different secrets: different hashes for every key, different fingerprints' '
	mb-anon -k k2 raw.bin >h2.bin &&
	mb-cat -H h2.bin | grep "^ev" | cut -f7 >hk2 &&
	test "$(paste hk hk2 | awk "\$1 == \$2" | wc -l)" = 0 &&
	fp1=$(mb-cat h1.bin | head -1 | tr "\t" "\n" | grep anon_fp) &&
	fp2=$(mb-cat h2.bin | head -1 | tr "\t" "\n" | grep anon_fp) &&
	test "$fp1" != "$fp2"
'

test_expect_success 'no secret: a random one for this run, said once on stderr' '
	mb-anon raw.bin >r1.bin 2>err1 && mb-anon raw.bin >r2.bin 2>err2 &&
	test_one_line_error mb-anon err1 && grep -q "random secret for this run only" err1 &&
	! cmp r1.bin r2.bin
'

test_expect_success 'summary: events counted, the input summary passed through' '
	mb-cat -H h1.bin | grep "^sum" >sums &&
	grep -q "^sum	mb-gen	" sums &&
	grep -q "^sum	mb-anon	events=5000	summaries_passed=1	unknown_frames_dropped=0$" sums
'

test_expect_success 'bad key files: one line, exit 1' '
	printf "0123\n" >short.key &&
	test_expect_code 1 mb-anon -k short.key raw.bin >out 2>err && test_one_line_error mb-anon err &&
	grep -q "bad key file.*short.key.*at byte 4" err && test ! -s out &&
	printf "%s" "$(cat k1)" >nonl.key &&
	test_expect_code 1 mb-anon -k nonl.key raw.bin >out 2>err && test_one_line_error mb-anon err &&
	test_expect_code 1 mb-anon -k missing.key raw.bin >out 2>err && test_one_line_error mb-anon err &&
	grep -q "cannot open key file" err
'

test_expect_success 'wrong inputs are refused with the reader message' '
	test_expect_code 1 mb-anon -k k1 h1.bin >out 2>err && test_one_line_error mb-anon err &&
	grep -q "events-hashed stream, which this program does not read" err &&
	echo "hello" >text.txt &&
	test_expect_code 1 mb-anon -k k1 text.txt >out 2>err && test_one_line_error mb-anon err &&
	test_expect_code 1 mb-anon -k k1 </dev/null >out 2>err && test_one_line_error mb-anon err &&
	grep -q "empty input" err
'

test_expect_success 'truncated input: what came before is written, one line, exit 1' '
	head -c 3000 raw.bin >cut.bin &&
	test_expect_code 1 mb-anon -k k1 cut.bin >out.bin 2>err && test_one_line_error mb-anon err &&
	grep -q "truncated frame.*at byte" err &&
	test "$(mb-cat -H out.bin | grep -c "^ev")" -gt 10
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 mb-anon --bogus 2>err &&
	test_expect_code 2 mb-anon -k k1 --prefix "" raw.bin 2>err &&
	test_expect_code 2 mb-anon -k k1 --prefix "::" raw.bin 2>err &&
	test_expect_code 2 mb-anon --new-key extra 2>err &&
	test_expect_code 2 mb-anon a b 2>err
'

test_expect_success 'unknown frames are dropped and counted; --keep-unknown passes them' '
	"$MB_PYTHON" "$MB_SRC/t/lib/randstream.py" events-raw 5 400 >rs.bin &&
	mb-cat -H rs.bin | grep -c "^frame" >n_unknown &&
	test "$(cat n_unknown)" -gt 5 &&
	mb-anon -k k1 rs.bin >rs.h &&
	test "$(mb-cat -H rs.h | grep -c "^frame")" = 0 &&
	mb-cat -H rs.h | grep -q "unknown_frames_dropped=$(cat n_unknown)" &&
	mb-anon -k k1 --keep-unknown rs.bin >rs.k &&
	test "$(mb-cat -H rs.k | grep -c "^frame")" = "$(cat n_unknown)" &&
	mb-cat -H rs.k | grep -q "unknown_frames_kept=$(cat n_unknown)"
'

test_expect_success 'privacy: no raw key (4+ bytes; every 8-byte window) appears in the hashed stream' '
	mb-gen --raw -n 30000 -K 20000 -z 0 --key-size 4-120 --seed 9 >many.bin &&
	{ mb-cat -H many.bin; mb-cat -H rs.bin; } | grep "^ev" | cut -f7 | sort -u >keys.txt &&
	test "$(wc -l <keys.txt)" -gt 10000 &&
	mb-anon -k k1 many.bin >many.h && mb-anon -k k1 rs.bin >rs.h2 &&
	"$MB_PYTHON" "$MB_SRC/t/lib/keyleak.py" keys.txt many.h rs.h2 >leak.out &&
	cat leak.out && grep -q "^checked" leak.out
'

test_expect_success 'the leak checker finds a leak (it can fail)' '
	test_must_fail "$MB_PYTHON" "$MB_SRC/t/lib/keyleak.py" keys.txt many.bin >leak2.out &&
	grep -q "^LEAK" leak2.out
'

test_expect_success '--prefix: segments share tags, header names the delimiters' '
	cat >pref.txt <<-\EOF &&
	#membench	version=1	kind=events-raw
	ev	1.000000001	1	text/tcp	get	miss	user:123:profile	16	0	0	-	0	0	0
	ev	1.000000002	1	text/tcp	get	miss	user:456:profile	16	0	0	-	0	0	0
	ev	1.000000003	1	text/tcp	get	miss	user:456/avatar	15	0	0	-	0	0	0
	ev	1.000000004	1	text/tcp	get	miss	session:9:profile	17	0	0	-	0	0	0
	ev	1.000000005	1	text/tcp	get	miss	plainkey	8	0	0	-	0	0	0
	EOF
	mb-cat -p pref.txt >pref.bin &&
	mb-anon -k k1 --prefix ":/" pref.bin >pref.h &&
	mb-cat pref.h | head -1 | grep -q "anon_prefix=:/" &&
	mb-cat -H pref.h | grep "^ev" | cut -f7 | sed "s/^@//" >ph &&
	test "$(cut -c1-4 ph | sed -n 1,3p | sort -u | wc -l)" = 1 &&
	test "$(cut -c1-4 ph | sed -n "1p;4p" | sort -u | wc -l)" = 2 &&
	test "$(cut -c5-6 ph | sed -n "1p;2p;4p" | sort -u | wc -l)" = 1 &&
	test "$(sort -u ph | wc -l)" = 5 &&
	mb-anon -k k1 pref.bin >plain.h &&
	mb-cat -H plain.h | grep "^ev" | cut -f7 | sed "s/^@//" | cut -c7- >pl &&
	cut -c7- ph >ph_low && test_cmp pl ph_low
'

test_done
