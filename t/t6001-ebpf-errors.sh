#!/bin/sh
# t6001-ebpf-errors.sh - mb-capture --ebpf: one clear line when eBPF cannot run, --ebpf=auto falls back, captures share an interface, stale filters go.
# mb-test: live (captures live traffic: runs alone, after the parallel tests)
test_description='mb-capture --ebpf without privilege, on a missing interface, two at once, after a kill -9'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq ROOT || test_skip_all 'the eBPF error tests need root (they drop privileges themselves)'
command -v setpriv >/dev/null 2>&1 || test_skip_all 'setpriv (util-linux) is needed to drop privileges'

port=$(free_port)
test_skip_all_without_ebpf "$port"

test_expect_success 'without privilege: one line saying why and pointing to libpcap, exit 1, no output' '
	test_expect_code 1 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		mb-capture --ebpf -i lo -P "$port" --duration 1 >out.mb 2>err &&
	test_one_line_error mb-capture err &&
	grep -q "^mb-capture: eBPF capture: .*permission denied: it needs root .*; use the libpcap mode instead (mb-capture without --ebpf)\$" err &&
	test ! -s out.mb
'

test_expect_success 'a missing interface: one line, exit 1' '
	test_expect_code 1 mb-capture --ebpf -i mbnosuch0 --duration 1 >out.mb 2>err &&
	test_one_line_error mb-capture err &&
	grep -q "^mb-capture: eBPF capture: no such interface: .mbnosuch0.\$" err &&
	test ! -s out.mb
'

test_expect_success '--ebpf=auto without privilege: the reason, the fallback notice, then libpcap'"'"'s own error' '
	test_expect_code 1 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		mb-capture --ebpf=auto -i lo -P "$port" --duration 1 >out.mb 2>err &&
	sed -n 1p err | grep -q "^mb-capture: eBPF capture: .*permission denied.*; falling back to libpcap (--ebpf=auto)\$" &&
	test "$(wc -l <err)" = 2
'

test_expect_success 'two --ebpf captures on one interface at once: both see the same segments' '
	timeout 60 mb-capture --ebpf -i lo -P "$port" --duration 30 >one.mb 2>one.err &
	one=$!
	timeout 60 mb-capture --ebpf -i lo -P "$port" --duration 30 >two.mb 2>two.err &
	two=$!
	test_when_finished "kill $one $two 2>/dev/null" &&
	wait_for "test -s one.mb && test -s two.mb" &&
	test "$(tc filter show dev lo ingress | grep -c "mb_capture")" -ge 2 &&
	"$MB_PYTHON" - "$port" <<-\PY &&
	import socket, sys
	srv = socket.socket(); srv.bind(("127.0.0.1", int(sys.argv[1]))); srv.listen(1)
	c = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); a, _ = srv.accept()
	c.sendall(b"get k\r\n"); a.recv(100); a.sendall(b"END\r\n"); c.recv(100); c.close(); a.close()
	PY
	sleep 0.3 &&
	kill -INT $one $two && wait $one && wait $two &&
	n1=$(mb-cat one.mb | grep -c "^pkt	") &&
	n2=$(mb-cat two.mb | grep -c "^pkt	") &&
	echo "first $n1, second $n2" &&
	test "$n1" -ge 7 && test "$n1" = "$n2" &&
	mb-cat one.mb | grep "^pkt	" | cut -f3- >p1 &&
	mb-cat two.mb | grep "^pkt	" | cut -f3- >p2 &&
	test_cmp p1 p2
'

test_expect_success 'a filter left by a killed capture is taken over by the next one' '
	mb-capture --ebpf -i lo -P "$port" --duration 30 >killed.mb 2>killed.err &
	victim=$!
	test_when_finished "kill -9 $victim 2>/dev/null" &&
	wait_for "test -s killed.mb" &&
	id=$(grep -h "^prog_id:" /proc/$victim/fdinfo/* | awk "{ print \$2 }" | sort -u) &&
	test -n "$id" &&
	{ kill -9 $victim; wait $victim 2>/dev/null; true; } &&
	tc filter show dev lo ingress | grep -q "mb_capture:\[$id\]" &&
	mb-capture --ebpf -i lo -P "$port" --duration 200ms >again.mb 2>again.err &&
	grep -q "^mb-capture: 0 packets, 0 bytes, 0 kernel drops" again.err &&
	! tc filter show dev lo ingress | grep -q "mb_capture:\[$id\]"
'

test_done
