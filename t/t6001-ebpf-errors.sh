#!/bin/sh
# t6001-ebpf-errors.sh - mb-capture --ebpf: one clear line when eBPF cannot run, --ebpf=auto falls back, stale filters are replaced.
test_description='mb-capture --ebpf without privilege, on a missing interface, next to another eBPF capture, after a kill -9'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq ROOT || test_skip_all 'the eBPF error tests need root (they drop privileges themselves)'
command -v setpriv >/dev/null 2>&1 || test_skip_all 'setpriv (util-linux) is needed to drop privileges'

wait_for() {
	i=0
	while [ $i -lt 200 ]; do
		eval "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "timed out waiting for: $1" >&2
	return 1
}

port=$(free_port)
timeout 30 mb-capture --ebpf lo -p "$port" -d 100ms >probe.mb 2>probe.err ||
	test_skip_all "eBPF capture is unavailable here: $(cat probe.err)"

test_expect_success 'without privilege: one line saying why and pointing to libpcap, exit 1, no output' '
	test_expect_code 1 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		mb-capture --ebpf lo -p "$port" -d 1 >out.mb 2>err &&
	test_one_line_error mb-capture err &&
	grep -q "^mb-capture: eBPF capture: .*permission denied: it needs root .*; use the libpcap mode instead (mb-capture without --ebpf)\$" err &&
	test ! -s out.mb
'

test_expect_success 'a missing interface: one line, exit 1' '
	test_expect_code 1 mb-capture --ebpf mbnosuch0 -d 1 >out.mb 2>err &&
	test_one_line_error mb-capture err &&
	grep -q "^mb-capture: eBPF capture: no such interface: .mbnosuch0.\$" err &&
	test ! -s out.mb
'

test_expect_success 'a second --ebpf capture on the same interface is refused; --ebpf=auto falls back to libpcap' '
	timeout 60 mb-capture --ebpf lo -p "$port" -d 30 >first.mb 2>first.err &
	first=$!
	test_when_finished "kill $first 2>/dev/null" &&
	wait_for "test -s first.mb" &&
	test_expect_code 1 mb-capture --ebpf lo -p "$port" -d 1 >second.mb 2>second.err &&
	test_one_line_error mb-capture second.err &&
	grep -q "^mb-capture: eBPF capture: another mb-capture --ebpf is attached to .lo. ingress (BPF program [0-9]*); use the libpcap mode" second.err &&
	mb-capture --ebpf=auto lo -p "$port" -d 500ms >auto.mb 2>auto.err &&
	grep -q "; falling back to libpcap (--ebpf=auto)\$" auto.err &&
	mb-cat auto.mb | grep -q "^#membench	.*	backend=libpcap" &&
	kill -INT $first && wait $first &&
	mb-cat first.mb | grep -q "^sum	mb-capture	packets=0	"
'

test_expect_success 'a filter left by a killed capture is replaced, and a clean exit removes ours' '
	mb-capture --ebpf lo -p "$port" -d 30 >killed.mb 2>killed.err &
	victim=$!
	test_when_finished "kill -9 $victim 2>/dev/null" &&
	wait_for "test -s killed.mb" &&
	{ kill -9 $victim; wait $victim 2>/dev/null; true; } &&
	tc filter show dev lo ingress >left &&
	grep -q "mb_capture" left &&
	mb-capture --ebpf lo -p "$port" -d 200ms >again.mb 2>again.err &&
	grep -q "^mb-capture: 0 packets, 0 bytes, 0 kernel drops" again.err &&
	tc filter show dev lo ingress >after &&
	! grep -q "mb_capture" after
'

test_done
