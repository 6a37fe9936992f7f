# test-lib.sh - a tiny git-style TAP test library for membench's shell tests.
#
# A test file sets test_description, sources this file, calls test_expect_success
# and friends, and ends with test_done. Each file runs in its own trash directory
# (removed on success, kept on failure for inspection; MB_KEEP_TRASH=1 keeps it).
#
#   test_expect_success [PREREQ,...] 'title' 'shell code'
#   test_expect_code N cmd args...     cmd must exit with N (a signal death always fails)
#   test_must_fail cmd args...         cmd must exit 1..125 (not 0, not a signal, not 126/127)
#   test_cmp expected actual           files equal, diff shown otherwise
#   test_must_be_empty FILE            FILE is empty, its content shown otherwise
#   test_set_prereq NAME / test_have_prereq NAME
#                                      (ROOT MEMCACHED TSHARK TCPDUMP SECCOMP ...: see below;
#                                      SECCOMP: t/lib/nosys.py can make system calls fail;
#                                      URING: the kernel gives a program an io_uring)
#   test_when_finished 'cleanup code'  runs after the current test, pass or fail
#   test_skip_all 'reason'             skip the whole file
#   start_memcached [args]             memcached on a free 127.0.0.1 port: sets MC_PORT, MC_PID;
#                                      stopped when its test ends (started in a test body, which
#                                      may start several) or at test_done (started outside one)
#   mc_stats [port [host [netns]]]     memcached's "stats" as "name value" lines
#   stat_delta NAME [before after]     a stat's change between two mc_stats files
#   test_corpus_events NAME...         one test per corpus capture: its events equal t/expect/events/NAME.ev
#   free_port                          an unused TCP port on 127.0.0.1
#   wait_for 'condition' [tenths]      poll a shell condition every 0.1 s (default 20 s)
#   sumval FILE PROGRAM NAME           a summary counter of a stream
#   tcpdump_lo FILE 'filter'           tcpdump on lo into FILE, listening when it returns
#   run_stdout_tty / run_stdout_closed / run_stdout_hungup IN ERR cmd...
#                                      stdout on a terminal / a closed pipe / a hung-up terminal (EIO)
#   mount_small_tmpfs DIR KB           a tmpfs with only KB kilobytes free (ENOSPC), root only
#   tcpdump_stop FILE                  stop that tcpdump once FILE stops growing (up to 15 s)
#   netns_lan PREFIX NET COUNT         COUNT namespaces on one bridge, addresses NET.1.. (removed at the end)
#   ssh_test_keys DIR / sshd_in_netns NS ADDR DIR
#                                      throwaway ssh keys and config; an sshd of its own in a namespace
#   capture_workload cmd...            fresh memcached (pa), cmd... PORT captured into cap.pcap, counters in expect
#   capture_both_backends cmd...       mb-capture --ebpf and libpcap on lo (MC_PORT) while cmd runs
#   test_skip_all_without_ebpf PORT    skip the file unless mb-capture --ebpf works here
#
# Prerequisites set here: ROOT, MEMCACHED, TSHARK, TCPDUMP, PYMEMCACHE, MEMCSLAP, CORPUS,
# SAN (the programs are a sanitizer build), CHROMIUM, SCRIPT (util-linux script), MBPARSE
# (mb-parse is built).

set -u
TEST_DIRECTORY=$(cd "$(dirname "$0")" && pwd)
MB_SRC=$(cd "$TEST_DIRECTORY/.." && pwd)
: "${MB_BUILD:=$MB_SRC/build}"
MB_BIN=$MB_BUILD/bin
PATH=$MB_BIN:$PATH
export PATH MB_SRC MB_BUILD MB_BIN
MB_SHARED=${MB_SHARED:-$MB_SRC/../shared}
MB_CORPUS=$MB_SHARED/corpus
# Debian's python3 (with python3-pymemcache), whatever python3 comes first in PATH.
MB_PYTHON=/usr/bin/python3
export MB_CORPUS MB_PYTHON

test_name=$(basename "$0" .sh)
TRASH=$MB_BUILD/trash/$test_name
rm -rf "$TRASH"
mkdir -p "$TRASH"
cd "$TRASH" || exit 1

test_count=0
test_failed=0
prereqs=" "

test_set_prereq() { prereqs="$prereqs$1 "; }
test_have_prereq() {
	local p
	for p in $(echo "$1" | tr ',' ' '); do
		case "$prereqs" in *" $p "*) ;; *) return 1 ;; esac
	done
	return 0
}

[ "$(id -u)" = 0 ] && test_set_prereq ROOT
command -v memcached >/dev/null 2>&1 && test_set_prereq MEMCACHED
command -v tshark >/dev/null 2>&1 && test_set_prereq TSHARK
command -v tcpdump >/dev/null 2>&1 && test_set_prereq TCPDUMP
command -v memcslap >/dev/null 2>&1 && test_set_prereq MEMCSLAP
command -v chromium >/dev/null 2>&1 && test_set_prereq CHROMIUM
command -v script >/dev/null 2>&1 && test_set_prereq SCRIPT
test -x "$MB_BIN/mb-parse" && test_set_prereq MBPARSE
[ -d "$MB_CORPUS/pcaps" ] && test_set_prereq CORPUS
"$MB_PYTHON" -c 'import pymemcache' >/dev/null 2>&1 && test_set_prereq PYMEMCACHE
# system calls made to fail in a program (t/lib/nosys.py: seccomp, x86-64)
"$MB_PYTHON" "$MB_SRC/t/lib/nosys.py" epoll_pwait2=ENOSYS -- true >/dev/null 2>&1 && test_set_prereq SECCOMP
# the kernel gives a program an io_uring (io_uring_setup with a 120-byte parameter block)
"$MB_PYTHON" -c 'import ctypes, sys; fd = ctypes.CDLL(None).syscall(425, 1, ctypes.create_string_buffer(120)); sys.exit(fd < 0)' 2>/dev/null &&
	test_set_prereq URING
case "$MB_BUILD" in *san*) test_set_prereq SAN ;; *) test_set_prereq NOSAN ;; esac

say() { echo "# $*"; }

# Test bodies run in a subshell, so cleanups travel through files the parent reads.
test_when_finished() { printf '%s\n' "$1" >>"$TRASH/.cleanup"; }

# Run at the end of the file (servers a test started for several tests).
test_atexit() { printf '%s\n' "$1" >>"$TRASH/.atexit"; }

test_skip_all() {
	[ -f "$TRASH/.atexit" ] && ( cd "$TRASH"; . ./.atexit ) >/dev/null 2>&1
	echo "1..0 # SKIP $1"
	cd / && rm -rf "$TRASH"
	exit 0
}

test_expect_success() {
	local prereq=
	if [ $# = 3 ]; then prereq=$1; shift; fi
	test_count=$((test_count + 1))
	if [ -n "$prereq" ] && ! test_have_prereq "$prereq"; then
		echo "ok $test_count # skip $1 (missing $prereq)"
		return 0
	fi
	local out="$TRASH/.out.$test_count"
	rm -f "$TRASH/.cleanup"
	( set -e; cd "$TRASH"; in_test_body=1; eval "$2" ) >"$out" 2>&1 </dev/null
	local rc=$?
	if [ -f "$TRASH/.cleanup" ]; then
		( cd "$TRASH"; . ./.cleanup ) >/dev/null 2>&1
		rm -f "$TRASH/.cleanup"
	fi
	if [ $rc = 0 ]; then
		echo "ok $test_count - $1"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $1"
		sed -e 's/^/#   /' "$out" | tail -40
	fi
}

test_done() {
	[ -f "$TRASH/.atexit" ] && ( cd "$TRASH"; . ./.atexit ) >/dev/null 2>&1
	echo "1..$test_count"
	if [ "$test_failed" = 0 ] && [ -z "${MB_KEEP_TRASH:-}" ]; then
		cd / && rm -rf "$TRASH"
	fi
	[ "$test_failed" = 0 ]
	exit $?
}

# Run a command; fail if it was killed by a signal (exit > 128) or not found.
_exit_ok_for_fail() {
	local rc=$1
	if [ "$rc" -gt 128 ]; then echo "died by signal $((rc - 128)): $2" >&2; return 1; fi
	if [ "$rc" = 126 ] || [ "$rc" = 127 ]; then echo "could not run: $2" >&2; return 1; fi
	return 0
}

test_must_fail() {
	local rc=0
	"$@" || rc=$?
	_exit_ok_for_fail $rc "$*" || return 1
	if [ $rc = 0 ]; then echo "succeeded but should have failed: $*" >&2; return 1; fi
	return 0
}

test_expect_code() {
	local want=$1
	shift
	local rc=0
	"$@" || rc=$?
	_exit_ok_for_fail $rc "$*" || return 1
	if [ "$rc" != "$want" ]; then echo "exit $rc, expected $want: $*" >&2; return 1; fi
	return 0
}

test_cmp() { diff -u "$1" "$2"; }

test_must_be_empty() { test ! -s "$1" || { echo "not empty: $1" >&2; cat "$1" >&2; return 1; }; }

# One line on stderr: a file of exactly one line, starting with "prog: ".
test_one_line_error() {
	local prog=$1 file=$2
	[ "$(wc -l <"$file")" = 1 ] || { echo "expected one line on stderr, got:" >&2; cat "$file" >&2; return 1; }
	grep -q "^$prog: " "$file" || { echo "message does not start with '$prog: ':" >&2; cat "$file" >&2; return 1; }
}

# browse ARGS...: headless, offline Chromium on a fresh profile (the HTML report tests); stderr
# has the console log.
browse() {
	local profile rc
	profile=$(mktemp -d) &&
	timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$profile" --enable-logging=stderr --v=0 --window-size=1360,4000 "$@"
	rc=$?
	rm -rf "$profile"
	return $rc
}

# console_errors LOG: the console messages in browse's log (chromium logs them as "CONSOLE" lines).
console_errors() { grep -i "console" "$1" | grep -iv "dbus" || true; }

free_port() {
	"$MB_PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Poll a shell condition every 0.1 s, up to $2 tries (default 200); say what timed out.
wait_for() {
	local i=0
	while [ $i -lt "${2:-200}" ]; do
		eval "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "timed out waiting for: $1" >&2
	return 1
}

# A summary counter of a stream: sumval FILE PROGRAM NAME.
sumval() { mb-cat "$1" | grep "^sum	$2	" | tr '\t' '\n' | sed -n "s/^$3=//p"; }

# tcpdump on lo writing FILE (16 MiB buffer, whole packets, flushed per packet) for FILTER;
# returns once it listens, with TCPDUMP_PID set (the caller stops it; its stderr is FILE.err),
# or stops it and fails after 10 s.
tcpdump_lo() {
	tcpdump -i lo -B 16384 -s 0 -U -n -w "$1" "$2" 2>"$1.err" &
	TCPDUMP_PID=$!
	wait_for "grep -q 'listening on' '$1.err'" 100 && return 0
	kill "$TCPDUMP_PID" 2>/dev/null
	cat "$1.err" >&2
	return 1
}

# Stop the tcpdump tcpdump_lo started once FILE has not grown for 1.5 s, and wait for it;
# packets still in the kernel ring's current block would be lost without counting as drops.
# Fails (and stops it) if FILE still grows after 15 s.
tcpdump_stop() {
	local last=-1 same=0 i size
	for i in $(seq 1 30); do
		sleep 0.5
		size=$(stat -c %s "$1")
		if [ "$size" = "$last" ]; then same=$((same + 1)); else same=0; fi
		last=$size
		[ $same -ge 3 ] && break
	done
	if [ $same -lt 3 ]; then
		echo "capture $1 still growing after 15 s" >&2
		kill "$TCPDUMP_PID" 2>/dev/null
		return 1
	fi
	kill -INT "$TCPDUMP_PID" && wait "$TCPDUMP_PID"
}

# Start a fresh memcached (MC_PORT, also in pa), capture its loopback traffic into cap.pcap
# while "cmd... PORT" runs, then write memcached's counters whose lines match the extended
# regex $COUNTERS, sorted, to expect. Fails when tcpdump reports kernel drops (a loaded
# machine; an oracle needs every packet), so a test may retry: { capture_workload ... ||
# capture_workload ...; }.
capture_workload() {
	rm -f cap.pcap cap.pcap.err &&
	start_memcached && pa=$MC_PORT &&
	tcpdump_lo cap.pcap "tcp port $pa" &&
	"$@" "$pa" &&
	tcpdump_stop cap.pcap &&
	cat cap.pcap.err &&
	grep -q "^0 packets dropped by kernel" cap.pcap.err &&
	mc_stats "$pa" | grep -E "$COUNTERS" | sort >expect
}

# Skip the whole file unless mb-capture --ebpf can load and attach its program on lo here
# (PORT is any port; the probe captures for 100 ms).
test_skip_all_without_ebpf() {
	timeout 30 mb-capture --ebpf -i lo -P "$1" --duration 100ms >"$TRASH/probe.mb" 2>"$TRASH/probe.err" ||
		test_skip_all "eBPF capture is unavailable here: $(cat "$TRASH/probe.err")"
}

# Run a command while mb-capture --ebpf and mb-capture (libpcap) both capture lo for port
# MC_PORT into ebpf.mb and pcap.mb (stderr in ebpf.err, pcap.err); both are stopped with
# SIGINT half a second after the command and must exit 0. Call it in a test body.
capture_both_backends() {
	timeout 120 mb-capture --ebpf -i lo -P "$MC_PORT" --duration 60 >ebpf.mb 2>ebpf.err &
	local eb=$!
	timeout 120 mb-capture -i lo -P "$MC_PORT" --duration 60 >pcap.mb 2>pcap.err &
	local pc=$!
	test_when_finished "kill $eb $pc 2>/dev/null"
	wait_for "test -s ebpf.mb" &&
	wait_for "test -s pcap.mb" &&
	"$@" &&
	sleep 0.5 &&
	kill -INT $eb $pc &&
	wait $eb && wait $pc
}

# Stop a process (not necessarily our child) and wait up to 5 s for it to be gone.
stop_pid() {
	kill "$1" 2>/dev/null || return 0
	local i
	for i in $(seq 50); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -9 "$1" 2>/dev/null
	return 0
}

# Start memcached on a free loopback port (sets MC_PORT and MC_PID). One started in a test
# body is stopped when that test ends, pass or fail; one started outside, by test_done.
start_memcached() {
	local try
	for try in 1 2 3 4 5; do
		MC_PORT=$(free_port)
		memcached -u root -l 127.0.0.1 -p "$MC_PORT" -U 0 -t 2 -m 64 "$@" >"$TRASH/memcached.$MC_PORT.log" 2>&1 &
		MC_PID=$!
		local i
		for i in $(seq 1 50); do
			if "$MB_PYTHON" -c "import socket,sys; socket.create_connection(('127.0.0.1',$MC_PORT),0.2)" 2>/dev/null; then
				if [ -n "${in_test_body:-}" ]; then
					test_when_finished "stop_pid $MC_PID"
				else
					test_atexit "stop_pid $MC_PID"
				fi
				return 0
			fi
			kill -0 "$MC_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill "$MC_PID" 2>/dev/null
	done
	echo "could not start memcached" >&2
	return 1
}

# memcached's stats as "name value" lines: mc_stats [PORT [HOST [NETNS]]] (MC_PORT on 127.0.0.1;
# asked from inside network namespace NETNS when given).
mc_stats() {
	${3:+ip netns exec "$3"} "$MB_PYTHON" - "${1:-$MC_PORT}" "${2:-127.0.0.1}" <<'PY'
import socket, sys
s = socket.create_connection((sys.argv[2], int(sys.argv[1])), 5)
s.sendall(b"stats\r\n")
buf = b""
while not buf.endswith(b"END\r\n"):
    d = s.recv(65536)
    if not d:
        break
    buf += d
for line in buf.decode().splitlines():
    p = line.split()
    if len(p) == 3 and p[0] == "STAT":
        print(p[1], p[2])
PY
}

# A stat's change between two files of mc_stats output (default: before and after).
stat_delta() {
	echo $(( $(awk -v k="$1" '$1 == k {print $2}' "${3:-after}") - $(awk -v k="$1" '$1 == k {print $2}' "${2:-before}") ))
}

# One test per corpus capture NAME (t/expect/corpus/list gives its path and port): every
# event mb-parse decodes equals t/expect/events/NAME.ev. Each .ev was written by reading the
# capture's packets (tshark -x, -z follow,tcp,ascii; the meta quiet rules checked against a
# live memcached 1.6.18) and states every event exactly: connection (numbered by first
# appearance), proto/transport, cmd, status, key, key_len, value_len, ttl, flags, batch
# (numbered by first appearance), resp_len (t/lib/evproj.py projects mb-parse's output the
# same way; timestamps and latencies are checked by t2130).
test_corpus_events() {
	local E=$MB_SRC/t/expect name line path port
	for name in "$@"; do
		line=$(grep "^$(echo "$name" | sed 's/_/\//' | sed 's/\./\\./g')\.pcap " "$E/corpus/list")
		path=${line% *}
		port=${line##* }
		test_expect_success CORPUS,MBPARSE "$name: every event as read from the packets" "
			mb-parse -q -P $port <\"\$MB_CORPUS/pcaps/$path\" >ev.bin &&
			mb-cat ev.bin >ev.txt &&
			\"\$MB_PYTHON\" \"\$MB_SRC/t/lib/evproj.py\" ev.txt >got &&
			test_cmp \"$E/events/$name.ev\" got
		"
	done
}

# Run a command with stdout on a pseudo-terminal (stdin from the file given as $1, stderr
# to the file $2); exits with the command's status (128+N for a signal).
run_stdout_tty() {
	local in=$1 errf=$2
	shift 2
	"$MB_PYTHON" - "$in" "$errf" "$@" <<'PY'
import os, pty, subprocess, sys
inp, errf, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
master, slave = pty.openpty()
with open(inp, "rb") as i, open(errf, "wb") as e:
    p = subprocess.run(cmd, stdin=i, stdout=slave, stderr=e)
os.close(slave)
os.close(master)
rc = p.returncode
sys.exit(128 - rc if rc < 0 else rc)
PY
}

# Start a command with stdout to $1, send it SIGINT 1 s later, and succeed when it exits 0
# within 100 ms of the signal (the time taken is printed as a TAP comment).
sigint_within_100ms() {
	local out=$1
	shift
	"$MB_PYTHON" - "$out" "$@" <<'PY'
import signal, subprocess, sys, time
p = subprocess.Popen(sys.argv[2:], stdout=open(sys.argv[1], "w"))
time.sleep(1.0)
signal.alarm(10)
t0 = time.monotonic()
p.send_signal(signal.SIGINT)
rc = p.wait()
dt = time.monotonic() - t0
print("# stopped in %.1f ms, exit %d" % (dt * 1000, rc))
sys.exit(0 if dt < 0.1 and rc == 0 else 1)
PY
}

# Run a command whose stdout is a pipe closed before it writes (stdin from $1, stderr to $2).
run_stdout_closed() {
	local in=$1 errf=$2
	shift 2
	"$MB_PYTHON" - "$in" "$errf" "$@" <<'PY'
import os, subprocess, sys
inp, errf, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
r, w = os.pipe()
os.close(r)
with open(inp, "rb") as i, open(errf, "wb") as e:
    p = subprocess.run(cmd, stdin=i, stdout=w, stderr=e, restore_signals=True)
os.close(w)
rc = p.returncode
sys.exit(128 - rc if rc < 0 else rc)
PY
}

# Run a command with stdout on a terminal that has hung up (its master side closed), so every
# write fails with EIO (stdin from $1, stderr to $2); exits with the command's status.
run_stdout_hungup() {
	local in=$1 errf=$2
	shift 2
	"$MB_PYTHON" - "$in" "$errf" "$@" <<'PY'
import os, pty, subprocess, sys
inp, errf, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
master, slave = pty.openpty()
os.close(master)
with open(inp, "rb") as i, open(errf, "wb") as e:
    p = subprocess.run(cmd, stdin=i, stdout=slave, stderr=e)
os.close(slave)
rc = p.returncode
sys.exit(128 - rc if rc < 0 else rc)
PY
}

# Mount a 1 MiB tmpfs at DIR, filled but for about KB kilobytes (root only; unmounted at the
# end of the test file). Remove what a test writes there to give the next one the room back.
mount_small_tmpfs() {
	local dir=$1 kb=$2
	mkdir -p "$dir" && mount -t tmpfs -o size=1m tmpfs "$dir" || return 1
	test_atexit "umount '$dir'"
	head -c $((1024 * (1024 - kb))) /dev/zero >"$dir/fill"
}

# Namespaces PREFIX0..PREFIX(COUNT-1) on one Ethernet bridge, with addresses NET.1 .. NET.COUNT
# of NET.0/24 (the bridge lives in PREFIX0, so nothing of it is in the host's namespace), lo up
# in each. Removed, with every process left in them, when the test file ends (netns_lan_down).
netns_lan() {
	local p=$1 net=$2 n=$3 k
	test_atexit "netns_lan_down $p $n"
	for k in $(seq 0 $((n - 1))); do
		ip netns add "$p$k" && ip -n "$p$k" link set lo up || return 1
	done
	ip -n "${p}0" link add br0 type bridge &&
	ip -n "${p}0" addr add "$net.1/24" dev br0 &&
	ip -n "${p}0" link set br0 up || return 1
	for k in $(seq 1 $((n - 1))); do
		ip link add "${p}a$k" type veth peer name "${p}b$k" &&
		ip link set "${p}a$k" netns "${p}0" &&
		ip link set "${p}b$k" netns "$p$k" &&
		ip -n "${p}0" link set "${p}a$k" master br0 &&
		ip -n "${p}0" link set "${p}a$k" up &&
		ip -n "$p$k" addr add "$net.$((k + 1))/24" dev "${p}b$k" &&
		ip -n "$p$k" link set "${p}b$k" up || return 1
	done
}

# Stop the processes left in namespaces PREFIX0..PREFIX(COUNT-1) and remove them (and their veths).
netns_lan_down() {
	local p=$1 n=$2 k pid
	for k in $(seq 0 $((n - 1))); do
		for pid in $(ip netns pids "$p$k" 2>/dev/null); do stop_pid "$pid"; done
		ip netns del "$p$k" 2>/dev/null
	done
	return 0
}

# Throwaway ssh keys in DIR for sshd_in_netns: a host key, a user key authorized for the
# user running the test, DIR/known_hosts naming that host key for any address, and
# DIR/ssh_config for `ssh -F DIR/ssh_config` (batch mode, those keys and nothing else).
ssh_test_keys() {
	mkdir -p "$1" &&
	ssh-keygen -q -t ed25519 -N "" -C mb-test-host -f "$1/host_key" &&
	ssh-keygen -q -t ed25519 -N "" -C mb-test-user -f "$1/id" &&
	cp "$1/id.pub" "$1/authorized_keys" &&
	echo "* $(cut -d" " -f1-2 "$1/host_key.pub")" >"$1/known_hosts" &&
	cat >"$1/ssh_config" <<-CONF
	Host *
	  User $(id -un)
	  IdentityFile $1/id
	  IdentitiesOnly yes
	  UserKnownHostsFile $1/known_hosts
	  GlobalKnownHostsFile /dev/null
	  StrictHostKeyChecking yes
	  BatchMode yes
	  ConnectTimeout 5
	  ControlMaster no
	  LogLevel ERROR
	CONF
}

# sshd in namespace NS on ADDR:22 with the keys of DIR (ssh_test_keys), its own config, pid
# file and log in DIR; returns once it listens. Root only. sshd needs /run/sshd: made when
# missing and removed when the test file ends. The process ends with its namespace.
sshd_in_netns() {
	local ns=$1 addr=$2 dir=$3
	if [ ! -d /run/sshd ]; then
		mkdir -m 755 /run/sshd && test_atexit "rmdir /run/sshd" || return 1
	fi
	cat >"$dir/sshd_config.$ns" <<-CONF
	ListenAddress $addr
	HostKey $dir/host_key
	AuthorizedKeysFile $dir/authorized_keys
	PidFile $dir/sshd.$ns.pid
	PermitRootLogin prohibit-password
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	UsePAM no
	StrictModes no
	PrintMotd no
	Subsystem sftp internal-sftp
	CONF
	ip netns exec "$ns" /usr/sbin/sshd -f "$dir/sshd_config.$ns" -E "$dir/sshd.$ns.log" &&
	wait_for "ip netns exec '$ns' ss -ltn | grep -q ' $addr:22 '" 50
}
