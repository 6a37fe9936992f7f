#!/bin/sh
# t5010-fire-faults: mb-fire against dead, restarting and silent servers, bad input and
# arguments, SIGINT; several targets, unix sockets, profiles, --json.
test_description='mb-fire faults and targets'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'generate inputs' '
	mb-gen -n 3000 -K 300 -c 4 -r 20000 --seed 5 >p.bin &&
	mb-gen -n 200 -K 50 -c 2 -r 20000 --seed 6 >small.bin
'

test_expect_success 'nothing listening: one line, exit 1' '
	port=$(free_port) &&
	test_expect_code 1 mb-fire -q -t 127.0.0.1:$port p.bin >out 2>err &&
	test_one_line_error mb-fire err &&
	grep "cannot connect to target: Connection refused: .127.0.0.1:$port." err &&
	test ! -s out
'

test_expect_success 'usage errors exit 2 with one line' '
	test_expect_code 2 mb-fire p.bin 2>err && test_one_line_error mb-fire err &&
	test_expect_code 2 mb-fire -t 127.0.0.1 p.bin 2>err && test_one_line_error mb-fire err &&
	test_expect_code 2 mb-fire -t 127.0.0.1:1 -P gopher p.bin 2>err && test_one_line_error mb-fire err &&
	test_expect_code 2 mb-fire -t 127.0.0.1:1 --poisson p.bin 2>err && test_one_line_error mb-fire err &&
	test_expect_code 2 mb-fire -t 127.0.0.1:1 --depth 0 p.bin 2>err && test_one_line_error mb-fire err
'

test_expect_success MEMCACHED 'bad input: garbage, truncated, packets: one line, exit 1' '
	start_memcached &&
	printf "hello world, not a stream\n" >garbage &&
	test_expect_code 1 mb-fire -q -t 127.0.0.1:$MC_PORT garbage 2>err && test_one_line_error mb-fire err &&
	head -c 1000 p.bin >trunc.bin &&
	test_expect_code 1 mb-fire -q -t 127.0.0.1:$MC_PORT trunc.bin >out 2>err && test_one_line_error mb-fire err &&
	grep "at byte" err &&
	printf "#membench\tversion=1\tkind=packets\n" | mb-cat -p >pk.bin &&
	test_expect_code 1 mb-fire -q -t 127.0.0.1:$MC_PORT pk.bin 2>err && test_one_line_error mb-fire err &&
	test_expect_code 1 mb-fire -q -t 127.0.0.1:$MC_PORT no-such-file 2>err && test_one_line_error mb-fire err
'

test_expect_success MEMCACHED,SECCOMP 'a kernel without epoll_pwait2: the loop waits with epoll_wait, every request answered' '
	start_memcached &&
	"$MB_PYTHON" "$MB_SRC/t/lib/nosys.py" epoll_pwait2=ENOSYS -- mb-fire -q -t 127.0.0.1:$MC_PORT -s 4 p.bin >report &&
	grep "^mb-fire: 3000 operations" report &&
	grep "^errors: 0 " report &&
	"$MB_PYTHON" "$MB_SRC/t/lib/nosys.py" epoll_pwait2=ENOSYS -- mb-fire -q -t 127.0.0.1:$MC_PORT --max -T 2 p.bin >report &&
	grep "^mb-fire: 3000 operations" report &&
	grep "^errors: 0 " report
'

test_expect_success MEMCACHED,SECCOMP 'the event loop fails: the whole run stops at once, one line, exit 1' '
	start_memcached &&
	for mode in --max "-s 1" "--rate 100"; do
		start=$(date +%s%N) &&
		test_expect_code 1 timeout 20 "$MB_PYTHON" "$MB_SRC/t/lib/nosys.py" epoll_pwait2=EINVAL -- \
			mb-fire -q -t 127.0.0.1:$MC_PORT $mode -T 2 p.bin >out 2>err &&
		test_one_line_error mb-fire err &&
		grep "^mb-fire: event loop failed: epoll_pwait2: Invalid argument$" err &&
		test ! -s out &&
		test $(( ($(date +%s%N) - start) / 1000000 )) -lt 5000 || return 1
	done
'

test_expect_success MEMCACHED,SECCOMP 'no io_uring (denied): each send and receive is a system call, every request answered' '
	start_memcached &&
	"$MB_PYTHON" "$MB_SRC/t/lib/nosys.py" io_uring_setup=ENOSYS -- mb-fire -q -t 127.0.0.1:$MC_PORT --max -T 2 p.bin >report &&
	grep "^mb-fire: 3000 operations" report &&
	grep "^errors: 0 " report &&
	grep "^io: sends and receives batched through io_uring in 0 of 2 workers, the others make a system call each (io_uring: Function not implemented), receives armed in 0$" report &&
	mb-fire -q -t 127.0.0.1:$MC_PORT --max -T 2 --no-uring p.bin >report &&
	grep "^errors: 0 " report &&
	grep "^io: a system call per send and receive (--no-uring)$" report
'

test_expect_success MEMCACHED,URING 'io_uring where the kernel gives it: every worker batches, every request answered' '
	start_memcached &&
	mb-fire -q -t 127.0.0.1:$MC_PORT --max -T 2 --json r.json p.bin >report &&
	grep "^errors: 0 " report &&
	grep "^io: sends and receives batched through io_uring in 2 workers, receives armed in 2$" report &&
	"$MB_PYTHON" -c "import json,sys; r=json.load(open(\"r.json\")); sys.exit(r[\"workers_io_uring\"] != 2 or r[\"workers_io_uring_armed\"] != 2)"
'

# Without the ring's provided buffers (a kernel before 6.1, or a registration refused as
# here), receives are batched like sends, after the event loop finds the sockets readable.
test_expect_success MEMCACHED,SECCOMP,URING 'no buffers to arm receives with: receives batched instead, every request answered, the report says why' '
	for mode in --max "-s 20"; do
		start_memcached &&
		"$MB_PYTHON" "$MB_SRC/t/lib/nosys.py" io_uring_register=EPERM -- \
			mb-fire -q -t 127.0.0.1:$MC_PORT $mode -T 2 --json r.json p.bin >report &&
		grep "^mb-fire: 3000 operations" report &&
		grep "^errors: 0 " report &&
		grep "^io: sends and receives batched through io_uring in 2 workers, receives armed in 0 (Operation not permitted)$" report &&
		"$MB_PYTHON" -c "import json,sys; r=json.load(open(\"r.json\")); sys.exit(r[\"workers_io_uring\"] != 2 or r[\"workers_io_uring_armed\"] != 0)" &&
		test "$(mc_stats $MC_PORT | grep -E "^(cmd_get|cmd_set) " | awk "{ s += \$2 } END { print s }")" = 3000 ||
		return 1
	done
'

test_expect_success MEMCACHED,SECCOMP,URING 'io_uring_enter fails: the whole run stops at once, one line, exit 1' '
	start_memcached &&
	test_expect_code 1 timeout 20 "$MB_PYTHON" "$MB_SRC/t/lib/nosys.py" io_uring_enter=EINVAL -- \
		mb-fire -q -t 127.0.0.1:$MC_PORT --max -T 2 p.bin >out 2>err &&
	test_one_line_error mb-fire err &&
	grep "^mb-fire: event loop failed: io_uring_enter: Invalid argument$" err &&
	test ! -s out
'

# a failed send and a failed receive break the connection alike: at --max the queue waits
# for the reconnect (a failed send used to lose it at once), until --drain gives it up. The
# faults hit system calls, so io_uring is denied: mb-fire makes them one by one
for fault in recvfrom=EIO,io_uring_setup=ENOSYS sendto=EIO,io_uring_setup=ENOSYS; do
	test_expect_success MEMCACHED,SECCOMP "--max, every connection breaks ($fault): each given up after --drain, every request lost and counted" '
		start_memcached &&
		test_expect_code 1 timeout 30 "$MB_PYTHON" "$MB_SRC/t/lib/nosys.py" '$fault' -- \
			mb-fire -q -t 127.0.0.1:$MC_PORT --max --drain 1s --json r.json p.bin >report 2>err &&
		cat report err &&
		grep "^mb-fire: 3000 operations ([0-9]* requests) in [0-9.]* s: 0 ops/s answered, 3000 errors$" report &&
		grep "^connections: [0-9]* opened, 0 failed to open, [0-9]* broke, 4 given up (no answer for the --drain time)$" report &&
		grep "^errors: 3000 (lost in transit 3000, unanswered at the end 0, quiet unconfirmed 0, never sent 0, out of sync 0)$" report &&
		grep "^mb-fire: 3000 requests were not sent or not answered (see the report)$" err &&
		"$MB_PYTHON" -c "import json,sys; c=json.load(open(\"r.json\"))[\"connections\"]; sys.exit(c[\"given_up\"] != 4)"
	'
done

test_expect_success MEMCACHED 'memcached killed during a --max replay: the connections are given up, the replay ends, exit 1' '
	mb-gen -n 400000 -K 300 -c 4 --seed 5 >long.bin &&
	start_memcached &&
	{ timeout 60 mb-fire -q -t 127.0.0.1:$MC_PORT --max -T 1 --drain 1s long.bin >report 2>err & fire=$!; } &&
	got_gets() { n=$(mc_stats $MC_PORT | sed -n "s/^cmd_get //p"); test "${n:-0}" -gt 1000; } &&
	wait_for got_gets &&
	kill $MC_PID && { wait $fire; test $? = 1; } &&
	cat report err &&
	grep "^mb-fire: 400000 operations" report &&
	grep "given up (no answer for the --drain time)$" report &&
	grep "requests were not sent or not answered" err
'

test_expect_success MEMCACHED,SECCOMP 'every send interrupted (EINTR): SIGTERM still stops mb-fire at once, exit 1' '
	start_memcached &&
	{ timeout -k 2 20 "$MB_PYTHON" "$MB_SRC/t/lib/nosys.py" sendto=EINTR,io_uring_setup=ENOSYS -- \
		mb-fire -q -t 127.0.0.1:$MC_PORT --max p.bin >report 2>err & fire=$!; } &&
	sleep 0.5 && kill -TERM $fire && start=$(date +%s%N) &&
	{ wait $fire; test $? = 1; } &&
	test $(( ($(date +%s%N) - start) / 1000000 )) -lt 1000 &&
	grep "^mb-fire: [0-9]* operations .*(interrupted)$" report
'

test_expect_success MEMCACHED 'a profile (mb-pack) replays like its stream' '
	start_memcached &&
	mb-pack p.bin >p.prof &&
	mb-fire -q -t 127.0.0.1:$MC_PORT --max <p.prof >report &&
	grep "^mb-fire: 3000 operations" report &&
	grep "^errors: 0 " report
'

test_expect_success MEMCACHED 'kill and restart memcached mid-replay: errors counted, replay continues, exit 1' '
	port=$(free_port) &&
	{ memcached -u root -l 127.0.0.1 -p $port -U 0 -m 64 & } && mc=$! &&
	sleep 0.3 &&
	{ mb-fire -q -t 127.0.0.1:$port --rate 2000 --loop inf -d 4 p.bin >report 2>err & fire=$!; } &&
	sleep 1.2 && kill $mc && wait $mc;
	sleep 0.5 &&
	{ memcached -u root -l 127.0.0.1 -p $port -U 0 -m 64 & } && mc=$! &&
	trap "kill $mc" EXIT &&
	{ wait $fire; test $? = 1; } &&
	cat report err &&
	grep "requests were not sent or not answered" err &&
	grep "(duration reached)" report &&
	broke=$(sed -n "s/^connections: .* \([0-9]*\) broke$/\1/p" report) && test "$broke" -ge 1 &&
	errors=$(sed -n "s/^errors: \([0-9]*\) .*/\1/p" report) && test "$errors" -ge 1 &&
	after=$(mc_stats $port | sed -n "s/^cmd_get //p") && test "$after" -ge 500
'

cat >silent.py <<'PY'
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(128)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
conns = []
end = time.time() + 30
s.settimeout(0.2)
while time.time() < end:
    try:
        c, _ = s.accept(); conns.append(c)   # accepted, never read, never answered
    except socket.timeout:
        pass
PY

test_expect_success 'a server that never answers: bounded memory, clean stop on -d, exit 1' '
	"$MB_PYTHON" silent.py port.txt & py=$! &&
	trap "kill $py" EXIT &&
	sleep 0.5 && port=$(cat port.txt) &&
	test_expect_code 1 /usr/bin/time -f "%M" -o rss mb-fire -q -t 127.0.0.1:$port -c 8 --rate 200000 --loop inf -d 3 p.bin >report &&
	cat report rss &&
	grep "(duration reached)" report &&
	unanswered=$(sed -n "s/.*unanswered at the end \([0-9]*\).*/\1/p" report) && test "$unanswered" -ge 1 &&
	test "$(tail -n 1 rss)" -lt 80000
'

test_expect_success MEMCACHED 'SIGINT prints the report of what was done' '
	start_memcached &&
	{ mb-fire -q -t 127.0.0.1:$MC_PORT --rate 1000 --loop inf p.bin >report & fire=$!; } &&
	sleep 1.5 && kill -INT $fire && wait $fire &&
	grep "(interrupted)" report &&
	ops=$(sed -n "s/^mb-fire: \([0-9]*\) operations.*/\1/p" report) && test "$ops" -ge 500
'

# two captures concatenated each number their servers from 0: replayed by recorded server,
# server 0 of both would be one target. mb-fire refuses the second declaration; merged
# with mb-pack -m, each keeps its own number and target.
test_expect_success MEMCACHED 'a server number declared with two addresses: refused; merged, each on its target' '
	hdr="#membench	version=2	kind=events-hashed	program=test	servers=numbered" &&
	ev="	text/tcp	get	miss	@0000000000000001	10	0	0	want_value	0	0	1000" &&
	printf "%s\nframe	5	0	0000cb2b040000000a000001000000000000000000000000\nev	1700000000.000001000	1%s\n" "$hdr" "$ev" >s1.txt &&
	printf "%s\nframe	5	0	0000cb2b040000000a000002000000000000000000000000\nev	1700000000.000002000	1%s\n" "$hdr" "$ev" >s2.txt &&
	mb-cat -p s1.txt >s1.ev && mb-cat -p s2.txt >s2.ev && cat s1.ev s2.ev >s12.ev &&
	start_memcached && pa=$MC_PORT && start_memcached && pb=$MC_PORT &&
	test_expect_code 1 mb-fire -q -t 127.0.0.1:$pa,127.0.0.1:$pb s12.ev >out 2>err && test_one_line_error mb-fire err &&
	grep -x "mb-fire: recorded server 0 declared again with another address, so its number names two servers (captures concatenated? mb-pack -m merges them; --hash spreads the keys instead): .s12.ev. at byte [0-9]*" err &&
	mb-pack -m s1.ev s2.ev >s12.p &&
	a0=$(mc_stats $pa | sed -n "s/^cmd_get //p") && b0=$(mc_stats $pb | sed -n "s/^cmd_get //p") &&
	mb-fire -q -t 127.0.0.1:$pa,127.0.0.1:$pb s12.p >report &&
	test "$(mc_stats $pa | sed -n "s/^cmd_get //p")" = $((a0 + 1)) &&
	test "$(mc_stats $pb | sed -n "s/^cmd_get //p")" = $((b0 + 1))
'

test_expect_success MEMCACHED 'a unix socket target' '
	memcached -u root -s "$TRASH/mc.sock" -U 0 -m 64 & mc=$! &&
	trap "kill $mc" EXIT &&
	for i in 1 2 3 4 5 6 7 8 9 10; do test -S "$TRASH/mc.sock" && break; sleep 0.1; done &&
	mb-fire -q -t "$TRASH/mc.sock" small.bin >report &&
	grep "^mb-fire: 200 operations" report && grep "^errors: 0 " report
'

test_expect_success MEMCACHED 'two targets: keys spread by consistent hashing, counts add up' '
	start_memcached && p1=$MC_PORT &&
	start_memcached && p2=$MC_PORT &&
	mb-fire -q -t 127.0.0.1:$p1,127.0.0.1:$p2 --max p.bin >report &&
	grep "^errors: 0 " report &&
	g1=$(mc_stats $p1 | sed -n "s/^cmd_get //p") && g2=$(mc_stats $p2 | sed -n "s/^cmd_get //p") &&
	gets=$(mb-cat -H p.bin | awk -F"\t" "\$5 == \"get\"" | wc -l) &&
	test $((g1 + g2)) = $gets && test $g1 -gt $((gets / 5)) && test $g2 -gt $((gets / 5))
'

test_expect_success MEMCACHED '--json: buckets add up to the counts; --loop 2 from a pipe' '
	start_memcached &&
	cat small.bin | mb-fire -q -t 127.0.0.1:$MC_PORT --loop 2 --json r.json >report &&
	grep "^mb-fire: 400 operations" report &&
	"$MB_PYTHON" -c "
import json
r = json.load(open(\"r.json\"))
assert r[\"ops\"] == 400, r[\"ops\"]
n = 0
for c in r[\"commands\"].values():
    h = c[\"latency_intended\"]
    assert sum(b[2] for b in h[\"buckets\"]) == h[\"count\"]
    n += sum(c[\"status\"].values())
assert n == 400
assert sum(b[2] for b in r[\"lateness\"][\"buckets\"]) == r[\"lateness\"][\"count\"] == r[\"requests\"]
steal = int(open(\"/proc/stat\").readline().split()[8]) if len(open(\"/proc/stat\").readline().split()) > 8 else None
assert (\"host_steal_ms\" in r) == (steal is not None)
assert steal is None or r[\"host_steal_ms\"] >= 0
" &&
	if test -n "$(head -1 /proc/stat | cut -d" " -f10)"; then grep -E "^host: [0-9]+ ms of CPU time taken by the hypervisor \(steal\) during the replay$" report; fi
'

# timed-mode workers raise themselves to nice -20 where allowed, never on every core nor,
# with the per-key order on, against a server on this host (whose answers they would
# starve), and say so; --max and --no-priority leave them alone. Asking for as many timed
# workers as cores draws a warning up front (quiet: only the report's line). The raised case runs
# mb-fire in a network namespace of its own, where memcached's address (in another
# namespace) is not one of the host's.
test_expect_success MEMCACHED 'worker priority: raised, refused, or left alone, and reported' '
	start_memcached &&
	mb-fire -q -T 1 -t 127.0.0.1:$MC_PORT --json p.json small.bin >report &&
	"$MB_PYTHON" -c "import json; r = json.load(open(\"p.json\")); assert r[\"workers\"] == 1 and r[\"workers_boosted\"] == 0, r" &&
	grep -x "priority: workers at the inherited nice value (a target runs on this host)" report &&
	mb-fire -q -T 1 --no-order -t 127.0.0.1:$MC_PORT small.bin >report.noorder &&
	if test "$(id -u)" = 0; then
		grep -x "priority: 1 workers at nice -20" report.noorder
	else
		grep "^priority: 0 of 1 workers at nice -20 (" report.noorder
	fi &&
	mb-fire -q -T $(nproc) -t 127.0.0.1:$MC_PORT small.bin >report.all 2>all.err &&
	grep -x "priority: workers at the inherited nice value (as many workers as cores)" report.all &&
	test_must_be_empty all.err &&
	n=$(($(nproc) > 1 ? $(nproc) : 2)) &&
	mb-fire -T $n -t 127.0.0.1:$MC_PORT small.bin >/dev/null 2>all.err &&
	grep -x "mb-fire: warning: -T $n in a timed mode on $(nproc) cores: workers poll their cores near deadlines and leave none to the input reader or a server on this host; expect late sends (default: half the cores)" all.err &&
	mb-fire -T $n --max -t 127.0.0.1:$MC_PORT small.bin >/dev/null 2>max.err &&
	! grep warning max.err &&
	mb-fire -q -T 1 --no-priority -t 127.0.0.1:$MC_PORT small.bin >report.no &&
	mb-fire -q -T 1 --max -t 127.0.0.1:$MC_PORT small.bin >report.max &&
	! grep "^priority" report.no report.max
'

# in the timed modes the input reader, once a ring (65,536 requests) ahead, takes the idle
# scheduling class (the batch class unprivileged), so its refills wait for CPU time that
# neither a worker nor a local server wants; a worker short of requests moves it back. On
# one CPU with a worker busy at 300,000 requests/s it starves (17-47 times a run; at
# 100,000/s the worker's idle moments fed it in 6 runs of 8): the worker must move it
# back, and every request is still answered.
test_expect_success MEMCACHED 'the input reader a ring ahead: idle class, moved back when it starves, reported' '
	start_memcached &&
	mb-gen -n 70000 -K 1000 -c 8 -r 100000 --seed 5 >ring.bin &&
	mb-gen -n 200000 -K 1000 -c 8 -r 300000 --seed 5 >ring2.bin &&
	if test "$(id -u)" = 0; then class=idle; else class=batch; fi &&
	mb-fire -q -T 1 -t 127.0.0.1:$MC_PORT ring.bin >report &&
	grep -E -x "priority: input reader in the $class class once a ring ahead, moved back [0-9]+ times for a worker short of requests" report &&
	grep "^errors: 0 " report &&
	taskset -c 0 mb-fire -q -T 1 -t 127.0.0.1:$MC_PORT --json p.json ring2.bin >report.starved &&
	grep -E -x "priority: input reader in the $class class once a ring ahead, moved back [1-9][0-9]* times for a worker short of requests" report.starved &&
	"$MB_PYTHON" -c "import json; r = json.load(open(\"p.json\")); assert r[\"ops\"] == 200000 and r[\"errors\"] == 0 and r[\"reader_class\"] == \"$class\" and r[\"reader_raised\"] >= 1, r" &&
	mb-fire -q -T 1 --no-priority -t 127.0.0.1:$MC_PORT ring.bin >report.no &&
	mb-fire -q -T 1 --max -t 127.0.0.1:$MC_PORT ring.bin >report.max &&
	! grep "input reader" report.no report.max &&
	nobody="setpriv --reuid=65534 --regid=65534 --clear-groups" &&
	if test "$(id -u)" = 0 && $nobody "$(command -v mb-fire)" --version >/dev/null 2>&1; then
		$nobody "$(command -v mb-fire)" -q -T 1 -t 127.0.0.1:$MC_PORT <ring.bin >report.user &&
		grep -E -x "priority: input reader in the batch class once a ring ahead, moved back [0-9]+ times for a worker short of requests" report.user
	else
		echo "# not root, or user nobody cannot run this build: the batch class is checked as this user only"
	fi
'

net=10.231.$(($$ % 200))
if test "$(id -u)" = 0 && netns_lan mbprio$$ $net 2 2>netns.err; then
	test_set_prereq NETNS
else
	echo "# no network namespaces here: the raised priority is not checked ($(head -1 netns.err 2>/dev/null))"
fi

test_expect_success NETNS,MEMCACHED 'worker priority: raised against a server on another host' '
	{ ip netns exec mbprio${$}0 memcached -u root -l $net.1 -p 11211 -U 0 -t 1 -m 16 & } &&
	wait_for "ip netns exec mbprio${$}0 ss -ltn | grep -q \" $net.1:11211 \"" 50 &&
	ip netns exec mbprio${$}1 mb-fire -q -T 1 -t $net.1:11211 --json p.json small.bin >report &&
	grep -x "priority: 1 workers at nice -20" report &&
	"$MB_PYTHON" -c "import json; r = json.load(open(\"p.json\")); assert r[\"workers_boosted\"] == 1, r" &&
	nobody="setpriv --reuid=65534 --regid=65534 --clear-groups" &&
	if $nobody "$(command -v mb-fire)" --version >/dev/null 2>&1; then
		ip netns exec mbprio${$}1 $nobody "$(command -v mb-fire)" -q -T 1 -t $net.1:11211 <small.bin >report.user &&
		grep -x "priority: 0 of 1 workers at nice -20 (Permission denied: root or CAP_SYS_NICE makes timing steadier)" report.user
	else
		echo "# user nobody cannot run this build: the refused case is not checked here"
	fi
'

# --max uses every core, but half of them (at least one) when a target runs on this host:
# the server answers from the same cores
test_expect_success NETNS,MEMCACHED '--max default workers: every core against a distant server, half against a local one' '
	all=$(nproc) && half=$(($(nproc) / 2 > 0 ? $(nproc) / 2 : 1)) &&
	ip netns exec mbprio${$}1 mb-fire -q --max -t $net.1:11211 --json far.json small.bin >report &&
	"$MB_PYTHON" -c "import json; r = json.load(open(\"far.json\")); assert r[\"workers\"] == $all and r[\"errors\"] == 0, r" &&
	start_memcached &&
	mb-fire -q --max -t 127.0.0.1:$MC_PORT --json near.json small.bin >report &&
	"$MB_PYTHON" -c "import json; r = json.load(open(\"near.json\")); assert r[\"workers\"] == $half and r[\"errors\"] == 0, r"
'

test_expect_success MEMCACHED '1500 recorded connections: each opened once, all answered' '
	start_memcached -c 2000 &&
	mb-gen -n 6000 -K 1000 -c 1500 -r 20000 --seed 9 >many.bin &&
	conns=$(mb-cat -H many.bin | grep "^ev" | cut -f 3 | sort -u | wc -l) &&
	mb-fire -q -t 127.0.0.1:$MC_PORT many.bin >report &&
	grep "^connections: $conns opened, 0 failed to open, 0 broke" report &&
	grep "^errors: 0 " report &&
	grep "^mb-fire: 6000 operations" report
'

test_expect_success MEMCACHED 'a profile cut short: its complete blocks replayed and reported, exit 1 naming the cut; --allow-truncated: exit 0, a warning' '
	mb-gen -n 3000 -K 300 -c 4 --seed 7 | mb-pack -b 500 >whole.p &&
	size=$(wc -c <whole.p) &&
	head -c $((size * 6 / 10)) whole.p >cut.p &&
	n=$(mb-cat -H --allow-truncated cut.p 2>/dev/null | grep -c "^ev") && test $((n % 500)) = 0 && test $n -gt 0 &&
	start_memcached &&
	test_expect_code 1 mb-fire -q --max -t 127.0.0.1:$MC_PORT --json cut.json cut.p >report 2>err &&
	test_one_line_error mb-fire err &&
	grep -q "^mb-fire: profile cut short (partial block) after [0-9]* complete blocks (--allow-truncated reads them): .cut.p. at byte" err &&
	grep "^mb-fire: $n operations" report &&
	grep "^errors: 0 " report &&
	grep -q "^input error: profile cut short (partial block) after [0-9]* complete blocks .*(the events before it were replayed)$" report &&
	"$MB_PYTHON" -c "import json; r = json.load(open(\"cut.json\")); assert r[\"ops\"] == $n and r[\"input_error\"].startswith(\"profile cut short\"), r" &&
	mc_stats $MC_PORT | grep -E "^(cmd_get|cmd_set) " | awk "{ s += \$2 } END { exit s != $n }" &&
	mb-fire -q --max --allow-truncated -t 127.0.0.1:$MC_PORT --json ok.json cut.p >report2 2>err2 &&
	grep -q "warning: profile cut short" err2 &&
	grep "^mb-fire: $n operations" report2 &&
	! grep "^input error" report2 &&
	"$MB_PYTHON" -c "import json; r = json.load(open(\"ok.json\")); assert r[\"input_error\"] is None, r"
'

# a stream that breaks off in a frame, or holds a bad one: what came before is replayed (the
# server counts it), the report says where the input broke, and the exit is 1. The bytes
# flipped in bad.bin also garble the frame before the one they break: its command is
# unknown, so it is read but not replayable.
test_expect_success MEMCACHED 'a stream cut in a frame, a bad frame: the events before it replayed, exit 1 naming the byte' '
	mb-gen -n 20000 -K 300 -c 4 -m get=10,set=1 --seed 8 >whole.bin &&
	head -c 300000 whole.bin >cut.bin &&
	"$MB_PYTHON" -c "
import sys
d = bytearray(open(\"whole.bin\", \"rb\").read())
for i in range(200000, 200040):
    d[i] ^= 0x5a
open(\"bad.bin\", \"wb\").write(d)" &&
	for f in cut bad; do
		n=$(mb-cat -H $f.bin 2>/dev/null | grep -c "^ev") && test $n -gt 1000 && test $n -lt 20000 &&
		start_memcached &&
		test_expect_code 1 mb-fire -q -s 100 -t 127.0.0.1:$MC_PORT $f.bin >report 2>err &&
		test_one_line_error mb-fire err &&
		grep -q "^mb-fire: .*: .$f.bin. at byte [0-9]*$" err &&
		grep "^input: $n events, " report &&
		skipped=$(sed -n "s/^input: $n events, \([0-9]*\) not replayable.*/\1/p" report) &&
		ops=$((n - skipped)) && test $skipped -le 1 &&
		grep "^mb-fire: $ops operations" report &&
		grep "^errors: 0 " report &&
		grep -q "^input error: .* at byte [0-9]* (the events before it were replayed)$" report &&
		mc_stats $MC_PORT | grep -E "^(cmd_get|cmd_set) " | awk "{ s += \$2 } END { exit s != $ops }" &&
		stop_pid $MC_PID || return 1
	done
'

test_done
