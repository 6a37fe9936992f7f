#!/bin/sh
# t4040: mb-stat answers bad input and bad arguments with one line and the right exit code.
test_description='mb-stat errors'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup' '
	mb-gen -n 5000 -K 500 --seed 4 >g.bin &&
	mb-stat --json g.bin >full.json
'

test_expect_success 'garbage input: exit 1, one line' '
	printf "hello world, not a stream at all\n" >junk &&
	test_expect_code 1 mb-stat junk >out 2>err &&
	test_one_line_error mb-stat err && test ! -s out
'

test_expect_success 'empty input: exit 1, one line' '
	test_expect_code 1 mb-stat </dev/null >out 2>err &&
	test_one_line_error mb-stat err
'

test_expect_success 'a packet stream is refused with a hint' '
	printf "#membench\tversion=1\tkind=packets\n" | mb-cat -p >pk.bin &&
	test_expect_code 1 mb-stat pk.bin 2>err &&
	test_one_line_error mb-stat err && grep -q "packet" err
'

test_expect_success 'truncated stream: the report of what was read, then one line with the byte offset' '
	size=$(wc -c <g.bin) && head -c $((size / 2 + 7)) g.bin >cut.bin &&
	test_expect_code 1 mb-stat --json cut.bin >cut.json 2>err &&
	test_one_line_error mb-stat err && grep -q "at byte [0-9]" err &&
	"$MB_PYTHON" -c "import json,sys; a = json.load(open(\"cut.json\"))[\"overview\"][\"events\"]; b = json.load(open(\"full.json\"))[\"overview\"][\"events\"]; print(a, b); sys.exit(not 0 < a < b)"
'

test_expect_success 'missing file: exit 1, one line' '
	test_expect_code 1 mb-stat no-such-file 2>err && test_one_line_error mb-stat err
'

test_expect_success 'bad arguments: exit 2, one line each' '
	for a in "--top 0" "--top x" "--window nope" "--window 0" "--mrc-rate 2" "--mrc-rate 0" "--mrc-samples 3" \
		"--bogus" "--top" "-x" "g.bin g.bin" "--json --html -"; do
		test_expect_code 2 mb-stat $a <g.bin >out 2>err || { echo "args: $a"; exit 1; }
		test_one_line_error mb-stat err || { echo "args: $a"; exit 1; }
	done
'

test_expect_success 'unwritable --html: exit 1, one line' '
	test_expect_code 1 mb-stat --html /nonexistent/dir/r.html g.bin >out 2>err &&
	test_one_line_error mb-stat err && grep -q "r.html" err
'

test_expect_success 'a closed stdout ends quietly with 0' '
	mb-gen -n 200000 -K 20000 --seed 1 | mb-stat --json | head -c 10 >/dev/null &&
	( mb-stat --json g.bin; echo $? >rc ) | head -c 1 >/dev/null && test "$(cat rc)" = 0
'

test_expect_success 'SIGINT ends the input: the report of what was read, exit 0' '
	mkfifo fifo || exit 1
	( cat g.bin; sleep 20 ) >fifo &
	writer=$!
	mb-stat --json fifo >int.json 2>int.err &
	pid=$!
	sleep 2
	i=0 && while [ ! -s int.json ] && [ $i -lt 20 ]; do
		kill -INT $pid 2>/dev/null; sleep 0.5; i=$((i + 1))
	done &&
	rc=0 && wait $pid || rc=$?
	kill $writer 2>/dev/null
	test "$rc" = 0 &&
	"$MB_PYTHON" -c "import json,sys; sys.exit(json.load(open(\"int.json\"))[\"overview\"][\"events\"] != 5000)"
'

test_expect_success '--help and --version' '
	mb-stat --help | grep -q "^usage: mb-stat" && mb-stat --version | grep -q "^mb-stat"
'

test_expect_success '--help and the manual give the defaults the code uses' '
	mb-stat --help >help &&
	for o in top window mrc-rate mrc-samples max-keys; do
		h=$(tr "\n" " " <help | sed -n "s/.*--$o [^(]*(default \([0-9.]*\).*/\1/p") &&
		d=$(grep "^| .*--$o " "$MB_SRC/doc/mb-stat.md" | sed -n "s/.*default \([0-9.]*\).*/\1/p") &&
		echo "$o help=$h manual=$d" && test -n "$h" && test "$h" = "$d" || exit 1
	done &&
	grep -q "(default 16384)" help &&
	mb-gen -n 40000 -K 20000 -z 0 --seed 1 | mb-stat --json >d.json &&
	"$MB_PYTHON" -c "import json; m = json.load(open(\"d.json\"))[\"cache\"][\"mrc\"]; assert m[\"rate\"] < 1 and m[\"rate\"] >= 16384 / 20000 * 0.5, m[\"rate\"]"
'

test_done
