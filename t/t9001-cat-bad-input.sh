#!/bin/sh
# t9001: mb-cat and mb-gen answer bad input with one line, a byte offset and a documented exit code.
# (t9xxx tests also run under the sanitizer build in make check.)
test_description='mb-cat bad input'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup: a good stream' '
	mb-gen -n 100 --raw >good.bin &&
	size=$(wc -c <good.bin) && test "$size" -gt 1000
'

test_expect_success 'empty input: one line, exit 1' '
	: >empty &&
	test_expect_code 1 mb-cat empty >out 2>err &&
	test_one_line_error mb-cat err && grep -q "empty input.*at byte 0" err
'

test_expect_success 'a pcap file: says so and what to run' '
	printf "\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\377\377\000\000\001\000\000\000" >x.pcap &&
	test_expect_code 1 mb-cat x.pcap >out 2>err &&
	test_one_line_error mb-cat err && grep -q "pcap capture.*mb-parse.*at byte 0" err
'

test_expect_success 'random bytes: one line with the first bytes' '
	head -c 4096 /dev/urandom | tr "\000" "\001" >rnd && printf "\377\376" | cat - rnd >rnd2 &&
	test_expect_code 1 mb-cat rnd2 >out 2>err &&
	test_one_line_error mb-cat err && grep -q "not a membench stream (starts ff fe" err
'

test_expect_success 'a stream cut mid-frame: frames before are printed, then the offset' '
	size=$(wc -c <good.bin) && head -c $((size - 20)) good.bin >cut.bin &&
	test_expect_code 1 mb-cat -H cut.bin >out 2>err &&
	test_one_line_error mb-cat err && grep -q "truncated frame.*cut.bin. at byte" err &&
	test "$(grep -c "^ev" out)" = 100
'

test_expect_success 'an oversized length field: refused before reading' '
	"$MB_PYTHON" -c "
import struct,sys
b=bytearray(open(\"good.bin\",\"rb\").read())
off=16+struct.unpack_from(\"<I\",b,12)[0]
struct.pack_into(\"<I\",b,off+4,0xfffffff0)
open(\"big.bin\",\"wb\").write(b)
print(off)" >off &&
	test_expect_code 1 mb-cat big.bin >out 2>err &&
	test_one_line_error mb-cat err && grep -q "exceeds maximum.*at byte $(($(cat off) + 4))" err
'

test_expect_success 'binary output to a terminal is refused (mb-cat -p, -b, mb-gen)' '
	mb-cat good.bin >good.txt &&
	test_expect_code 1 run_stdout_tty good.txt err mb-cat -p &&
	test_one_line_error mb-cat err && grep -q "terminal" err &&
	test_expect_code 1 run_stdout_tty good.bin err mb-cat -b &&
	test_one_line_error mb-cat err &&
	test_expect_code 1 run_stdout_tty /dev/null err mb-gen -n 1 &&
	test_one_line_error mb-gen err
'

test_expect_success 'closed stdout ends quietly with 0' '
	mb-gen -n 300000 >many.bin &&
	test_expect_code 0 run_stdout_closed many.bin err mb-cat &&
	test_expect_code 0 run_stdout_closed many.bin err mb-cat -b &&
	test_expect_code 0 run_stdout_closed /dev/null err mb-gen -n 1000000 &&
	test ! -s err
'

test_expect_success 'bad text for -p: line number and field' '
	printf "ev\t1.0\t1\ttext/tcp\tget\tmiss\tfoo\t3\t0\t0\t-\t0\t0\t0\nev\tnope\n" >bad.txt &&
	test_expect_code 1 mb-cat -p bad.txt >out.bin 2>err &&
	test_one_line_error mb-cat err && grep -q "bad.txt. line 2" err &&
	mb-cat -H out.bin >back && test "$(grep -c "^ev" back)" = 1
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 mb-cat --bogus 2>err && test_one_line_error mb-cat err &&
	test_expect_code 2 mb-cat -k nonsense 2>err && test_one_line_error mb-cat err &&
	test_expect_code 2 mb-gen -n abc 2>err && test_one_line_error mb-gen err &&
	test_expect_code 2 mb-gen --key-size 0-300 2>err && test_one_line_error mb-gen err
'

test_expect_success 'a missing file: one line, exit 1' '
	test_expect_code 1 mb-cat /nonexistent/x 2>err && test_one_line_error mb-cat err
'

test_expect_success 'SIGTERM mid-stream: a prompt stop, exit 0, a valid stream of every frame read' '
	mkfifo fifo &&
	mb-gen -n 100000 --raw >all.bin && mb-cat -H all.bin | grep "^ev" >all.txt &&
	{ { cat all.bin; sleep 5; } >fifo & } &&
	{ mb-cat -b fifo >part.bin & } && pid=$! &&
	sleep 0.5 && start=$(date +%s) && kill -TERM $pid && wait $pid; rc=$? &&
	test $rc = 0 && test $(($(date +%s) - start)) -lt 3 &&
	mb-cat -H part.bin >part.txt && grep "^ev" part.txt >part.ev &&
	n=$(wc -l <part.ev) && test $n -gt 0 &&
	head -n $n all.txt | cmp - part.ev
'

test_expect_success 'mb-cat -p: a bad sem field names the field and the line' '
	ev="ev\t1.0\t1\tmeta/tcp\tincr\thit\tk\t1\t0\t0\t-\t0\t0\t0" &&
	for sem in "delta=x" "delta=1,delta=2" "mode=E,delta=1" "meta=vc" "meta=cc" "mode=\\\\x4" "mode==" \
		"vivify=2147483648" "cflags=4294967296" "meta=0x0000000000000001" "bogus=1" "delta=1,"; do
		printf "#membench\tversion=2\tkind=events-raw\n$ev\t%s\n" "$sem" >bad.txt &&
		test_expect_code 1 mb-cat -p bad.txt >out 2>err &&
		test_one_line_error mb-cat err && grep -q "bad field sem.*line 2" err || return 1
	done &&
	printf "#membench\tversion=2\tkind=events-raw\n$ev\tmeta=Dv,delta=18446744073709551615,vivify=-5,mode=\\\\x00\n" >good.txt &&
	mb-cat -p good.txt | mb-cat -H >back.txt &&
	grep -q "meta=Dv,delta=18446744073709551615,vivify=-5,mode=\\\\x00$" back.txt
'

test_done
