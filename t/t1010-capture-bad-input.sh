#!/bin/sh
# t1010-capture-bad-input.sh - mb-capture answers bad files, bad arguments and bad places with one line.
test_description='mb-capture: empty, truncated, garbage and wrong-kind inputs; usage errors; tty; EPIPE'
. "$(dirname "$0")/test-lib.sh"

gen() { "$MB_PYTHON" "$MB_SRC/t/lib/capture_pcap.py" "$@"; }

# Packet frames in a stream (by its text form).
pkts() { mb-cat "$1" | grep -c '^pkt	' || true; }

test_expect_success 'setup: a good 3-packet capture' '
	gen good.pcap --count 3 &&
	test "$(wc -c <good.pcap)" = 272 &&
	mb-capture -r good.pcap >good.mb 2>err &&
	test "$(pkts good.mb)" = 3
'

test_expect_success 'empty file: one line, exit 1, nothing on stdout' '
	: >empty.pcap &&
	test_expect_code 1 mb-capture -r empty.pcap >out 2>err &&
	test_one_line_error mb-capture err &&
	grep -q "empty input, no pcap file header: .empty.pcap. at byte 0" err &&
	test ! -s out
'

test_expect_success 'truncated pcap file header' '
	head -c 10 good.pcap >short.pcap &&
	test_expect_code 1 mb-capture -r short.pcap >out 2>err &&
	test_one_line_error mb-capture err &&
	grep -q "truncated pcap file header (10 of 24 bytes): .short.pcap. at byte 0" err
'

test_expect_success 'truncated record: the packets before it, then one line, exit 1' '
	head -c 234 good.pcap >trunc.pcap &&
	test_expect_code 1 mb-capture -r trunc.pcap >out 2>err &&
	test_one_line_error mb-capture err &&
	grep -q "truncated packet record (40 of 78 bytes): .trunc.pcap. at byte 194" err &&
	test "$(pkts out)" = 2 &&
	mb-cat good.mb | grep "^pkt" | head -2 >want &&
	mb-cat out | grep "^pkt" >got &&
	test_cmp want got
'

test_expect_success 'truncated record from a pipe behaves the same' '
	test_expect_code 1 mb-capture -r - <trunc.pcap >out 2>err &&
	test_one_line_error mb-capture err &&
	grep -q "truncated packet record (40 of 78 bytes): .<stdin>. at byte 194" err &&
	test "$(pkts out)" = 2
'

test_expect_success 'truncated pcapng block: the packets before it, then one line' '
	gen good.pcapng --count 3 --format pcapng &&
	size=$(wc -c <good.pcapng) &&
	head -c $((size - 10)) good.pcapng >trunc.pcapng &&
	test_expect_code 1 mb-capture -r trunc.pcapng >out 2>err &&
	test_one_line_error mb-capture err &&
	grep -q "truncated pcapng block (.* of 96 bytes): .trunc.pcapng. at byte" err &&
	test "$(pkts out)" = 2
'

test_expect_success 'garbage' '
	printf "\001\002\003\377garbage\000\000\000\000\000\000" >garbage.bin &&
	test_expect_code 1 mb-capture -r garbage.bin >out 2>err &&
	test_one_line_error mb-capture err &&
	grep -q "not a pcap or pcapng capture: .garbage.bin. at byte 0" err
'

test_expect_success 'text' '
	printf "get foo\r\n" >text.txt &&
	test_expect_code 1 mb-capture -r text.txt >out 2>err &&
	test_one_line_error mb-capture err &&
	grep -q "input is text, not a pcap or pcapng capture" err
'

test_expect_success 'a membench stream given to -r' '
	test_expect_code 1 mb-capture -r good.mb >out 2>err &&
	test_one_line_error mb-capture err &&
	grep -q "membench stream, not a pcap or pcapng capture: .good.mb. at byte 0" err &&
	test ! -s out
'

test_expect_success 'unreadable and missing files' '
	test_expect_code 1 mb-capture -r no-such.pcap >out 2>err &&
	test_one_line_error mb-capture err &&
	grep -q "cannot open capture file: No such file or directory: .no-such.pcap." err &&
	test_expect_code 1 mb-capture -r . >out 2>err &&
	test_one_line_error mb-capture err &&
	grep -q "read error: Is a directory" err
'

test_expect_success 'unsupported link type' '
	gen good.pcap --count 3 &&
	cp good.pcap usr.pcap &&
	printf "\223" | dd of=usr.pcap bs=1 seek=20 conv=notrunc 2>/dev/null &&
	test_expect_code 1 mb-capture -r usr.pcap >out 2>err &&
	test_one_line_error mb-capture err &&
	grep -q "unsupported link type 147 (unknown): .usr.pcap. at packet 1" err
'

test_expect_success 'a filter that does not fit the link type' '
	gen raw.pcap --count 3 --link raw &&
	test_expect_code 1 mb-capture -r raw.pcap "ether host 02:00:00:00:00:01" >out 2>err &&
	test_one_line_error mb-capture err &&
	grep -q "bad filter expression for link type RAW: " err
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 mb-capture lo >out 2>err && test_one_line_error mb-capture err &&
	grep -q -- "-i IFACE" err &&
	test_expect_code 2 mb-capture -r good.pcap lo >out 2>err && test_one_line_error mb-capture err &&
	test_expect_code 2 mb-capture -i lo -r good.pcap >out 2>err && test_one_line_error mb-capture err &&
	test_expect_code 2 mb-capture -r good.pcap -P 70000 >out 2>err && test_one_line_error mb-capture err &&
	grep -q "bad port .70000." err &&
	test_expect_code 2 mb-capture -r good.pcap -P 11211 tcp >out 2>err && test_one_line_error mb-capture err &&
	test_expect_code 2 mb-capture -r good.pcap "tcp and and" >out 2>err && test_one_line_error mb-capture err &&
	grep -q "bad filter expression: .*syntax error: .tcp and and." err &&
	test_expect_code 2 mb-capture -r good.pcap -w - >out 2>err && test_one_line_error mb-capture err &&
	test_expect_code 2 mb-capture -r good.pcap -c 0 >out 2>err && test_one_line_error mb-capture err &&
	test_expect_code 2 mb-capture -r good.pcap -s 10 >out 2>err && test_one_line_error mb-capture err &&
	test_expect_code 2 mb-capture -r good.pcap --ebpf >out 2>err && test_one_line_error mb-capture err &&
	grep -q "does not read files" err &&
	test_expect_code 2 mb-capture -i lo --ebpf -w x.pcap >out 2>err && test_one_line_error mb-capture err &&
	test_expect_code 2 mb-capture -i lo --ebpf=auto tcp >out 2>err && test_one_line_error mb-capture err &&
	test_expect_code 2 mb-capture -i lo --ebpf=yes >out 2>err && test_one_line_error mb-capture err &&
	test_expect_code 2 mb-capture -r good.pcap --bogus >out 2>err && test_one_line_error mb-capture err &&
	grep -q "unknown option: .--bogus." err &&
	test_expect_code 2 mb-capture -r good.pcap -Z >out 2>err && test_one_line_error mb-capture err &&
	grep -q "unknown option: .-Z." err &&
	test_expect_code 2 mb-capture -r >out 2>err && test_one_line_error mb-capture err &&
	grep -q "option needs a value: .-r." err &&
	test ! -s out
'

test_expect_success '--help and --version' '
	mb-capture --help >out && grep -q "^usage: mb-capture" out &&
	mb-capture --version >out && grep -q "^mb-capture (membench) " out
'

test_expect_success ROOT 'no such interface' '
	test_expect_code 1 mb-capture -i mbnosuch0 >out 2>err &&
	test_one_line_error mb-capture err &&
	grep -q "no such interface: .mbnosuch0." err &&
	test ! -s out
'

test_have_prereq ROOT && command -v setpriv >/dev/null && test_set_prereq SETPRIV
test_expect_success SETPRIV 'no permission: says root or CAP_NET_RAW is needed' '
	test_expect_code 1 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$MB_BIN/mb-capture" -i lo >out 2>err &&
	test_one_line_error mb-capture err &&
	grep -q "run as root or give the program CAP_NET_RAW" err
'

test_expect_success SCRIPT 'binary output to a terminal is refused' '
	script -qec "$MB_BIN/mb-capture -r good.pcap" /dev/null >out 2>&1 </dev/null && exit 1
	grep -q "refusing to write binary data to a terminal" out &&
	! grep -q MBSTREAM out
'

test_expect_success 'stdout closed early (EPIPE): quiet exit 0' '
	gen many.pcap --count 20000 &&
	{ mb-capture -r many.pcap 2>err; echo $? >rc; } | head -c 100 >/dev/null &&
	test "$(cat rc)" = 0 &&
	test ! -s err
'

test_expect_success 'SIGINT while a pipe stalls mid-record: a clean end with the packets so far' '
	{ head -c 234 good.pcap; sleep 5; } | mb-capture -r - "" >sig.mb 2>err &
	pid=$!
	sleep 1 &&
	kill -INT $pid &&
	wait $pid &&
	test "$(pkts sig.mb)" = 2 &&
	mb-cat sig.mb | grep -q "^sum	mb-capture	packets=2	" &&
	grep -q "^mb-capture: 2 packets, " err
'

test_expect_success '-c COUNT stops after COUNT packets' '
	mb-capture -r many.pcap -c 5 >out 2>err &&
	test "$(pkts out)" = 5 &&
	grep -q "^mb-capture: 5 packets, " err
'

test_expect_success '-d with -r: a span of packet timestamps (1 ms apart)' '
	mb-capture -r many.pcap --duration 10ms >out 2>err &&
	test "$(pkts out)" = 11
'

test_done
