#!/bin/sh
# t9110: one frame validator for every reader and writer, endless lines, truncated profiles and
# one-line messages. A malformed frame (a key_len that lies, a short event, a bad summary, a
# caplen that lies) is refused by every program that reads its kind with the same message and
# byte offset, and no program writes a frame another refuses. Also runs under the sanitizer build.
test_description='frame validation, line caps, truncated profiles, one-line errors'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup' '
	mb-anon --new-key >key &&
	for c in raw-keylen raw-short hashed-len sum-count sum-name sum-trailing pkt-caplen; do
		"$MB_PYTHON" "$MB_SRC/t/lib/badframes.py" $c 5 >$c.bin 2>$c.info || return 1
	done
'

# Programs reading each kind (args before the file; "| out" programs write a stream or profile).
readers_for() {
	case $1 in
	events-raw) echo "mb-stat|mb-cat|mb-cat -b|mb-cat --to twitter --key-file key|mb-anon -k key|mb-pack --raw-keys" ;;
	events-hashed) echo "mb-stat|mb-cat|mb-cat -b|mb-cat --to twitter|mb-pack|mb-pack -m" ;;
	packets) echo "mb-cat|mb-cat -b|mb-parse" ;;
	esac
}

for c in raw-keylen raw-short hashed-len sum-count sum-name sum-trailing pkt-caplen; do
	test_expect_success "$c: every reader refuses it with the same one line and offset, exit 1" '
		read kind at <'$c'.info &&
		: >msgs &&
		IFS="|" && set -- $(readers_for $kind) && unset IFS &&
		for cmd in "$@"; do
			prog=${cmd%% *} &&
			test_expect_code 1 $cmd '$c'.bin >out 2>err && test_one_line_error $prog err &&
			grep -q ": .'$c'.bin. at byte $at\$" err &&
			sed "s/^$prog: //" err >>msgs || { echo "$cmd:"; cat err; return 1; }
		done &&
		test "$(sort -u msgs | wc -l)" = 1
	'
	test_expect_success "$c: what the writers wrote before it is read to the end by mb-cat and mb-stat" '
		read kind at <'$c'.info &&
		case $kind in
		events-raw) writers="mb-cat -b|mb-anon -k key|mb-pack --raw-keys" ;;
		events-hashed) writers="mb-cat -b|mb-pack|mb-pack -m" ;;
		packets) writers="mb-cat -b|mb-parse" ;;
		esac &&
		IFS="|" && set -- $writers && unset IFS &&
		for cmd in "$@"; do
			test_expect_code 1 $cmd '$c'.bin >out 2>err &&
			mb-cat out >text 2>err && ! grep -v "warning: this profile holds raw keys" err &&
			case $cmd in
			mb-parse) ;;
			*) test "$(grep -c "^[ep][vk]" text)" = 5 ;;
			esac &&
			case $kind in packets) ;; *) mb-stat out >/dev/null ;; esac || { echo "$cmd:"; cat err; return 1; }
		done
	'
done

test_expect_success 'mb-cat -p refuses a frame line no reader would accept: exit 1, one line with the line number' '
	printf "#membench\tversion=1\tkind=events-raw\nframe\t2\t0\t00\n" >short.txt &&
	test_expect_code 1 mb-cat -p short.txt >out 2>err && test_one_line_error mb-cat err &&
	grep -q "^mb-cat: event frame too short (1 bytes, at least 44): .short.txt. line 2$" err &&
	printf "#membench\tversion=1\tkind=events-hashed\nsum\tx\ta=1\nframe\t3\t0\t01780000ff\n" >sum.txt &&
	test_expect_code 1 mb-cat -p sum.txt >out 2>err && test_one_line_error mb-cat err &&
	grep -q "^mb-cat: summary frame has 1 trailing bytes: .sum.txt. line 3$" err &&
	mb-cat out | grep -q "^sum	x	a=1$"
'

# peak_kib PID: the process's peak resident memory in KiB.
peak_kib() { sed -n "s/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p" /proc/$1/status; }

test_expect_success 'mb-cat -p on an endless line (/dev/zero): exit 1 at line 1, bounded memory' '
	test_expect_code 1 mb-cat -p /dev/zero >out 2>err && test_one_line_error mb-cat err &&
	grep -q "^mb-cat: line longer than [0-9]* bytes: ./dev/zero. line 1$" err &&
	{ printf "#membench\tversion=1\tkind=events-hashed\n"; head -c 5000000 /dev/zero; } >zeros.txt &&
	test_expect_code 1 mb-cat -p <zeros.txt >out 2>err && test_one_line_error mb-cat err &&
	grep -q "^mb-cat: line longer than [0-9]* bytes: .<stdin>. line 2$" err &&
	mb-cat out >/dev/null
'

test_expect_success 'mb-cat --from on an endless line: exit 1 at line 1; with --skip-bad it runs in bounded memory until SIGINT or SIGTERM' '
	test_expect_code 1 mb-cat --from twitter --key-file key /dev/zero >out 2>err && test_one_line_error mb-cat err &&
	grep -q "^mb-cat: line longer than [0-9]* bytes: ./dev/zero. line 1$" err &&
	for sig in INT TERM; do
		mb-cat --from twitter --key-file key --skip-bad /dev/zero >out 2>err &
		pid=$! && sleep 1 &&
		kb=$(peak_kib $pid) && kill -$sig $pid &&
		wait_for "! kill -0 $pid 2>/dev/null" 20 &&
		wait $pid &&
		echo "peak $kb KiB" && test "$kb" -lt $(test_have_prereq SAN && echo 400000 || echo 65536) &&
		mb-cat out >text && grep -q "^sum	mb-cat	trace_rows=1	events=0	bad_rows=1" text || return 1
	done
'

test_expect_success 'mb-cat -p on endless comment lines stops promptly on SIGINT and SIGTERM with a valid stream' '
	for sig in INT TERM; do
		{ printf "#membench\tversion=1\tkind=events-hashed\n"; yes "# comment"; } | mb-cat -p >out 2>err &
		pid=$! && sleep 1 &&
		kb=$(peak_kib $pid) && kill -$sig $pid &&
		wait_for "! kill -0 $pid 2>/dev/null" 20 && wait $pid &&
		echo "peak $kb KiB" && test "$kb" -lt $(test_have_prereq SAN && echo 400000 || echo 65536) &&
		test ! -s err && mb-cat out >/dev/null || return 1
	done
'

test_expect_success 'a truncated profile: exit 1 and one line in every reader; --allow-truncated reads it with a warning' '
	mb-gen -n 5000 >in.bin && mb-pack -b 500 in.bin >p.bin &&
	head -c $(($(wc -c <p.bin) * 6 / 10)) p.bin >cut.p &&
	for cmd in "mb-stat" "mb-cat" "mb-cat -b" "mb-pack" "mb-pack -m"; do
		prog=${cmd%% *} &&
		test_expect_code 1 $cmd cut.p >out 2>err && test_one_line_error $prog err &&
		grep -q "^$prog: profile cut short (partial block) after [0-9]* complete blocks (--allow-truncated reads them): .cut.p. at byte [0-9]*$" err &&
		$cmd --allow-truncated cut.p >out 2>err && test_one_line_error $prog err &&
		grep -q "^$prog: warning: profile cut short" err || { echo "$cmd:"; cat err; return 1; }
	done &&
	test_expect_code 1 mb-cat --to twitter cut.p >/dev/null 2>err && test_one_line_error mb-cat err &&
	test_expect_code 2 mb-cat --to twitter --allow-truncated cut.p >/dev/null 2>err && test_one_line_error mb-cat err
'

test_expect_success 'a name with a newline or escape in it still makes one line' '
	nl="
" &&
	test_expect_code 1 mb-stat "no${nl}such" 2>err && test_one_line_error mb-stat err &&
	grep -q "^mb-stat: cannot open input: No such file or directory: .no?such.$" err &&
	printf "x\033[2J\n" >"esc${nl}name" &&
	test_expect_code 1 mb-cat "esc${nl}name" 2>err && test_one_line_error mb-cat err &&
	test_expect_code 1 mb-cat -p "esc${nl}name" >out 2>err && test_one_line_error mb-cat err &&
	! grep -q "$(printf "\033")" err &&
	test_expect_code 1 mb-capture -r "esc${nl}name" >out 2>err && test_one_line_error mb-capture err &&
	test_expect_code 1 mb-parse "esc${nl}name" >out 2>err && test_one_line_error mb-parse err
'

test_expect_success 'corrupt and cut zstd input (its library message) makes one line' '
	mb-cat --to twitter in.bin | zstd -q >t.zst &&
	head -c $(($(wc -c <t.zst) / 2)) t.zst >cut.zst &&
	test_expect_code 1 mb-cat --from twitter --key-file key cut.zst >out 2>err && test_one_line_error mb-cat err &&
	grep -q "truncated zstd input" err &&
	{ head -c 100 t.zst; head -c 300 /dev/urandom; } >bad.zst &&
	test_expect_code 1 mb-cat --from twitter --key-file key bad.zst >out 2>err && test_one_line_error mb-cat err &&
	zstd -q <p.bin >p.zst && cp p.zst pp &&
	test_expect_code 1 mb-stat pp 2>err && test_one_line_error mb-stat err
'

test_done
