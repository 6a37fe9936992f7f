#!/bin/sh
# t9400: every program under valgrind's memcheck: no uninitialised read, invalid access or definite leak.
# A bounded set of realistic runs (a few thousand events each) of mb-gen, mb-capture -r,
# mb-parse, mb-anon, mb-pack, mb-stat, mb-cat and mb-fire (against a fresh memcached), over
# generated streams, profiles, the real-capture corpus and bad inputs: each exits as its manual
# says (0, or 1 for bad input and a full output device) and memcheck reports nothing. ASan and
# UBSan do not see a read of an uninitialised field (mb_stat_opts_default once left show_keys
# and namespaces unset; the plain mb-stat run below reported it). Skipped without valgrind,
# and on the sanitizer build (valgrind does not run ASan binaries). MB_MEMCHECK_OPTS adds
# options, e.g. --track-origins=yes to say where an uninitialised value came from.
test_description='memcheck over every program'
. "$(dirname "$0")/test-lib.sh"

command -v valgrind >/dev/null 2>&1 && test_set_prereq VALGRIND
test_have_prereq VALGRIND || test_skip_all 'valgrind is missing (apt-get install valgrind)'
test_have_prereq SAN && test_skip_all 'a sanitizer build: valgrind does not run ASan binaries'

C=$MB_CORPUS/pcaps/memcached-t

# memcheck NAME EXIT OUT PROG ARGS...: PROG under memcheck (standard input as given), standard
# output to OUT, standard error to NAME.err, memcheck's report to NAME.vg. Fails unless PROG
# exits EXIT and the report holds no error (memcheck's errors are its "==PID==" lines; its
# warnings, "--PID--", are not: under valgrind epoll_pwait2 is an unknown system call and
# mb-fire falls back to epoll_wait, doc/mb-fire.md). A definite leak counts as an error.
# mb-fire replays with --no-uring: valgrind models the io_uring system calls but not what the
# kernel then writes into the receive buffers, and would call every answer uninitialised.
memcheck() {
	name=$1 want=$2 out=$3
	shift 3
	rc=0
	valgrind -q --error-exitcode=9 --leak-check=full --show-leak-kinds=definite \
		--errors-for-leak-kinds=definite ${MB_MEMCHECK_OPTS:-} --log-file="$name.vg" \
		"$@" >"$out" 2>"$name.err" || rc=$?
	if grep -q "^==[0-9]*==" "$name.vg"; then
		echo "memcheck reported errors (exit $rc): $*"
		cat "$name.vg"
		return 1
	fi
	if [ "$rc" != "$want" ]; then
		echo "exit $rc, want $want: $*"
		cat "$name.err"
		return 1
	fi
}

test_expect_success 'setup: generated streams, a profile, a profile cut short (without valgrind)' '
	mb-anon --new-key >key &&
	mb-gen -n 3000 -K 400 -c 4 -r 2000 --seed 3 -m get=80,set=12,delete=4,touch=2,add=2 >hashed.bin &&
	mb-gen -n 1000 -K 100 -c 2 --seed 5 >hashed2.bin &&
	mb-gen -n 2000 -K 300 -c 3 --raw --key-prefix "user:" --seed 4 >raw.bin &&
	mb-pack hashed.bin >p.prof &&
	size=$(wc -c <p.prof) && head -c $((size / 2)) p.prof >cut.prof &&
	mb-cat --to twitter raw.bin --key-file key >tw.csv 2>/dev/null
'

test_expect_success 'mb-gen: raw meta keys, a mix of eleven commands, TTLs' '
	memcheck gen 0 gen.bin mb-gen -n 3000 -K 300 --raw --key-prefix "s:" --proto meta --ttl 30 \
		-m get=50,gets=5,set=15,add=5,replace=5,append=3,delete=5,incr=4,decr=3,touch=5 &&
	test "$(mb-cat -H gen.bin | grep -c "^ev")" = 3000
'

test_expect_success CORPUS 'mb-capture -r: a filter expression and -w; a truncated pcap' '
	memcheck cap 0 cap.mb mb-capture -r "$C/metaget.pcap" -w mg.pcap "tcp port 31411" &&
	grep -q "^mb-capture: 200 packets" cap.err &&
	test "$(wc -c <mg.pcap)" -gt 16277 &&
	head -c 5000 "$C/cas.pcap" >cut.pcap &&
	memcheck capcut 1 /dev/null mb-capture -P 31413 -r cut.pcap &&
	grep -q "^mb-capture: truncated" capcut.err
'

test_expect_success CORPUS 'mb-parse: a packet stream on stdin; text and binary over UDP with tight limits' '
	memcheck parse 0 mg.ev mb-parse -P 31411 <cap.mb &&
	grep -q " 102 events (text 7, meta 95, binary 0)" parse.err &&
	memcheck parseudp 0 udp.ev mb-parse -P 31431 -M 1 --idle 1ms --pending 8 "$C/udp.pcap" &&
	grep -q " 22 events (text 15, meta 0, binary 7)" parseudp.err
'

test_expect_success CORPUS 'mb-anon --prefix: captured and generated raw keys' '
	mb-cat -b mg.ev udp.ev raw.bin >corpus.ev &&
	memcheck anon 0 corpus.h mb-anon -k key --prefix ":_" corpus.ev &&
	test "$(mb-cat -H corpus.h | grep -c "^ev")" = "$(mb-cat -H corpus.ev | grep -c "^ev")"
'

test_expect_success CORPUS 'mb-pack: small blocks and dictionary; a merge' '
	memcheck pack 0 corpus.prof mb-pack -l 6 -b 100 --dict-max 200 corpus.h &&
	test "$(mb-cat -H corpus.prof | grep -c "^ev")" = "$(mb-cat -H corpus.h | grep -c "^ev")" &&
	memcheck packm 0 m.prof mb-pack -m p.prof hashed2.bin &&
	test "$(mb-cat -H m.prof | grep -c "^ev")" = 4000
'

test_expect_success 'mb-stat: a profile at the defaults (tiny sampler and key table); a profile cut short' '
	memcheck stat 0 stat.txt mb-stat --mrc-samples 16 --max-keys 16 p.prof &&
	grep -q "^  events  *3000$" stat.txt &&
	memcheck statcut 1 /dev/null mb-stat cut.prof &&
	grep -q "cut short" statcut.err
'

test_expect_success CORPUS 'mb-stat: raw keys by name and namespace, JSON and HTML' '
	memcheck statkeys 0 stat.json mb-stat --json --show-keys --namespaces ":" -w 10ms --html stat.html corpus.ev &&
	grep -q "</html>" stat.html &&
	"$MB_PYTHON" -c "import json, sys; json.load(open(sys.argv[1]))" stat.json
'

test_expect_success 'mb-stat --compare: a profile and its stream' '
	memcheck statcmp 0 cmp.txt mb-stat --compare p.prof hashed.bin &&
	grep -q "command mix: identical" cmp.txt
'

test_expect_success 'mb-cat: text and back; twitter export; a full output device' '
	memcheck cat 0 raw.txt mb-cat raw.bin &&
	memcheck catp 0 raw2.bin mb-cat -p raw.txt &&
	cmp raw.bin raw2.bin &&
	memcheck cattw 0 tw2.csv mb-cat --to twitter --key-file key raw.bin &&
	test_cmp tw.csv tw2.csv &&
	memcheck catfull 1 /dev/full mb-cat --to oracle p.prof &&
	grep -q "^mb-cat: write error: No space left on device" catfull.err
'

test_expect_success CORPUS 'mb-cat --from cachelib: the corpus sample' '
	memcheck catcl 0 cl.bin mb-cat --from cachelib "$MB_CORPUS/traces/cachelib-kv_traces_1.csv" &&
	test "$(mb-cat -H cl.bin | grep -c "^ev")" -gt 0
'

test_expect_success MEMCACHED 'mb-fire -s 2 with every report: JSON, HTML, HdrHistogram log, record' '
	start_memcached &&
	memcheck fire 0 fire.txt mb-fire -q --no-uring -t 127.0.0.1:$MC_PORT -s 2 --json r1.json --html r1.html \
		--hdr-log r1.hlog --record rec.ev hashed.bin &&
	grep -q "^mb-fire: 3000 operations" fire.txt &&
	grep -q "^errors: 0 " fire.txt &&
	test "$(mb-cat -H rec.ev | grep -c "^ev")" = 3000
'

# The generated connections share keys: --shard-keys puts them all in shard 0.
test_expect_success MEMCACHED 'mb-fire --rate --poisson -T 2 --shard-keys; --max -T 2 --depth 4 --warm of a profile' '
	start_memcached &&
	memcheck firerate 0 rate.txt mb-fire -q --no-uring -t 127.0.0.1:$MC_PORT --rate 3000 --poisson -T 2 \
		--shard 0/2 --shard-keys hashed.bin &&
	grep -q "^mb-fire: 3000 operations" rate.txt &&
	grep -q "^shard: 0/2 (connections that share keys together): 3000 of 3000 requests" rate.txt &&
	memcheck firemax 0 max.txt mb-fire -q --no-uring -t 127.0.0.1:$MC_PORT --max -T 2 --depth 4 --warm --json r3.json p.prof &&
	grep -q "^mb-fire: 3000 operations" max.txt &&
	grep -q "^errors: 0 " max.txt
'

test_expect_success MEMCACHED 'mb-fire --shard 1/2: every other connection, the key orders it cuts counted' '
	start_memcached &&
	memcheck fireshard 0 shard.txt mb-fire -q --no-uring -t 127.0.0.1:$MC_PORT --max --shard 1/2 hashed.bin &&
	grep -q "^shard: 1/2 (connections in turn): [1-9][0-9]* of 3000 requests; [1-9][0-9]* follow" shard.txt
'

# One capture per replay: two captures in one stream share connection numbers, and a connection
# would mix the text and binary protocols, which memcached refuses.
test_expect_success MEMCACHED,CORPUS 'mb-fire replays captures: meta (quiet mode, base64 keys), binary' '
	mb-parse -q -P 31420 "$C/binary.first900.pcap" >bin.ev &&
	start_memcached &&
	memcheck firemeta 0 meta.txt mb-fire -q --no-uring -t 127.0.0.1:$MC_PORT --max -T 1 mg.ev &&
	grep -q "^mb-fire: 98 operations" meta.txt &&
	memcheck firebin 0 binr.txt mb-fire -q --no-uring -t 127.0.0.1:$MC_PORT --rate 5000 -T 1 bin.ev &&
	grep -q "^mb-fire: 429 operations" binr.txt
'

test_expect_success MEMCACHED 'mb-fire --merge and --compare of the reports' '
	memcheck firemerge 0 merge.txt mb-fire --merge r1.json r1.json --json m.json --html m.html &&
	grep -q "^mb-fire: 6000 operations" merge.txt &&
	memcheck firecmp 0 fcmp.txt mb-fire --compare r1.json r3.json --html cmp.html &&
	grep -q "^operations  *3000  *3000 " fcmp.txt
'

test_done
