#!/bin/sh
# t4080: mb-stat --live draws a top-like screen per interval from a pipe: plain snapshots when stdout
# is not a terminal, ANSI redraws on a terminal; SIGINT and a closed stdout end it cleanly.
test_description='mb-stat live view'
. "$(dirname "$0")/test-lib.sh"

# Snapshot rows of a table: "name ops" for every row of every snapshot (HOT KEYS or NAMESPACES).
rows() { awk -v t="$1" '/^[A-Z]/ { in_t = ($0 == t) } in_t && /^ *[0-9]/ { print $NF, $1 }' "$2"; }
# The sum of the ops of each name over all snapshots, sorted by name.
sums() { rows "$1" "$2" | awk '{ n[$1] += $2 } END { for (k in n) print k, n[k] }' | sort; }

test_expect_success 'setup: a namespaced raw stream and its figures' '
	"$MB_PYTHON" "$MB_SRC/t/lib/stat-ns-gen.py" ns.txt expect.json 9 &&
	mb-cat -p ns.txt >raw.bin &&
	"$MB_PYTHON" -c "import json; e = json.load(open(\"expect.json\"))
for k, v in sorted(e[\"namespaces\"].items()): print(k, v[\"requests\"])" >ns.want &&
	gets=$(grep -c "	get	" ns.txt) && sets=$(grep -c "	set	" ns.txt) && test $((gets + sets)) = 6000 &&
	echo "$gets $sets" >mix.want
'

test_expect_success 'a pipe for 3 s, stdout not a terminal: one plain snapshot per second, exact sums' '
	start=$(date +%s) &&
	{ cat raw.bin; sleep 3; } | mb-stat --live --show-keys --namespaces ":/" --top 100000 >live.out 2>live.err &&
	end=$(date +%s) &&
	test ! -s live.err &&
	test $((end - start)) -le 6 &&
	n=$(grep -c "^mb-stat live" live.out) && test "$n" -ge 3 && test "$n" -le 5 &&
	test "$(grep -c "^mb-stat live (final): " live.out)" = 1 && tail -n +2 live.out | grep "^mb-stat live" | tail -1 | grep -q final &&
	! grep -q "$(printf "\\033")" live.out &&
	grep "^mb-stat live (final)" live.out | grep -q "total 6000 events" &&
	sums NAMESPACES live.out >ns.got && test_cmp ns.want ns.got &&
	"$MB_PYTHON" -c "import json; e = json.load(open(\"expect.json\"))[\"keys\"]
for k, v in sorted(e.items()): print(k, v)" >keys.want &&
	sums "HOT KEYS" live.out >keys.got && test_cmp keys.want keys.got &&
	awk "/^  get / { g += \$2 } /^  set / { s += \$2 } END { print g, s }" live.out >mix.got && test_cmp mix.want mix.got
'

test_expect_success 'the snapshot with the events: ops/s, hit ratio, bytes and latency per command and key' '
	awk "/^mb-stat live/ { keep = (\$0 !~ / 0 events/) } keep" live.out >busy &&
	test "$(grep -c "^mb-stat live" busy)" -ge 1 &&
	hits=$(grep "	get	hit	" ns.txt | wc -l) && miss=$(grep "	get	miss	" ns.txt | wc -l) &&
	want=$("$MB_PYTHON" -c "print(\"%.2f\" % (100.0 * $hits / ($hits + $miss)))") &&
	grep "^mb-stat live (final)" live.out | grep -q "total 6000 events, read hit% $want\$" &&
	grep -q "^COMMANDS  *ops  *ops/s  *hit%  *bytes/s  *lat p50  *lat p99\$" busy &&
	grep -A1 "^HOT KEYS\$" busy | grep -q "^  *ops  *ops/s  *hit%  *bytes/s  *lat mean  *lat max  *key\$" &&
	grep -A1 "^NAMESPACES\$" busy | grep -q "^  *ops  *ops/s  *hit%  *bytes/s  *lat mean  *lat max  *namespace\$" &&
	grep "^  get " busy | head -1 | grep -Eq "^  get +[0-9]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ (B|KiB|MiB)/s +[0-9.]+(us|ms) +[0-9.]+(us|ms)\$" &&
	rows NAMESPACES busy | grep -q "^user " &&
	grep -Eq "^ +[0-9]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ (B|KiB)/s +[0-9.]+us +[0-9.]+us  user:" busy
'

# Write the stream, then keep the pipe open until the stop file $1 comes (at most 30 s);
# $1.feeding exists meanwhile, so the test's cleanup can wait for the feeder to be gone.
feed() {
	: >"$1.feeding"
	cat raw.bin
	n=0
	while ! test -e "$1" && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
	rm -f "$1.feeding"
}
# Cleanup: stop the feeder of stop file $1 and wait until it has ended (no stray sleeps left
# behind: the trash directory, and the stop file with it, may go right after the test).
stop_feed() { touch "$1"; wait_for "! test -e $1.feeding" 50; }

# (dash waits for a whole background pipeline: statuses travel through files instead of wait.)
test_expect_success 'SIGINT ends it with a last snapshot and status 0' '
	feed stop4 | { sh -c "echo \$\$ >pid4; exec mb-stat --live" >int.out 2>int.err; echo $? >rc4; } &
	test_when_finished "stop_feed stop4" &&
	wait_for "grep -q \"total 6000 events\" int.out" &&
	kill -INT "$(cat pid4)" &&
	wait_for "test -s rc4" 50 &&
	test "$(cat rc4)" = 0 && test ! -s int.err &&
	grep "^mb-stat live" int.out | tail -1 | grep -q "^mb-stat live (final): .*total 6000 events"
'

test_expect_success 'a closed stdout ends it within two intervals, quietly' '
	feed stop5 | { mb-stat --live 2>pipe.err; echo $? >rc; } | head -n 1 >first &
	start=$(date +%s) &&
	test_when_finished "stop_feed stop5" &&
	wait_for "test -s rc" 100 &&
	end=$(date +%s) &&
	test "$(cat rc)" = 0 && test ! -s pipe.err && grep -q "^mb-stat live: interval" first &&
	test $((end - start)) -le 5
'

test_expect_success 'on a terminal it redraws in place' '
	script -qfec "mb-stat --live --window 200ms raw.bin" /dev/null >tty.out 2>&1 &&
	grep -q "$(printf "\\033\\[H\\033\\[2J")mb-stat live" tty.out
'

test_expect_success 'usage: --live takes neither --json nor --html' '
	test_expect_code 2 mb-stat --live --json raw.bin 2>e && grep -q "^mb-stat: --live draws a screen" e &&
	test_expect_code 2 mb-stat --live --html x.html raw.bin 2>/dev/null
'

test_done
