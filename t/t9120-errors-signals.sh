#!/bin/sh
# t9120: real pipelines stopped by SIGINT and SIGTERM at random moments, 52 times: to every
# stage at once (as ^C does) or to one stage. Every stage exits 0 with no error or warning, and
# the output is read to the end by mb-cat and mb-stat (a whole profile, no truncated frame).
# When only the first stage is stopped, nothing is lost: every event it wrote is in the
# profile. Also runs under the sanitizer build.
test_description='pipelines stopped by signals at random moments'
. "$(dirname "$0")/test-lib.sh"

PCAP=$MB_CORPUS/pcaps/memcached-t/metaget.pcap
[ -f "$PCAP" ] && test_set_prereq METAGET

test_expect_success 'setup' '
	mb-anon --new-key >key
'

# A random number in 0..$1-1 (awk's generator, seeded per call from the clock and a counter).
seq_no=0
rnd() { seq_no=$((seq_no + 1)); awk -v n="$1" -v s="$seq_no$(date +%N)" "BEGIN { srand(s % 2147483647); print int(rand() * n) }"; }

# run_stopped SIG 'stage' 'stage' ...: start the stages as a pipeline through FIFOs (stdin of
# the first is /dev/null, stdout of the last is "out"), wait until "out" has bytes, sleep a
# random 0-199 ms, send SIG to every stage or to one random stage, then check: every stage
# exits 0, stderr holds no error or warning. Sets $target ("all" or the stage number).
run_stopped() {
	sig=$1
	shift
	n=$# i=0 pids= prev=/dev/null
	rm -f out fifo.* err.*
	for stage in "$@"; do
		i=$((i + 1))
		if [ $i = $n ]; then dst=out; else dst=fifo.$i && mkfifo $dst; fi
		eval "exec $stage" <$prev >$dst 2>err.$i &
		pids="$pids $!"
		prev=$dst
	done
	wait_for "test -s out" 200 || { echo "no output"; kill -9 $pids; return 1; }
	sleep "0.$(printf %03d $(rnd 200))"
	pick=$(rnd 5)
	if [ $pick -lt 3 ]; then target=all; else target=$(($(rnd $n) + 1)); fi
	[ "$target" != 1 ] || [ -z "${FEEDER:-}" ] || target=2
	i=0
	for p in $pids; do
		i=$((i + 1))
		[ $target = all ] || [ $target = $i ] || continue
		[ $i -gt 1 ] || [ -z "${FEEDER:-}" ] || continue   # the feeder is not a membench program
		kill -$sig $p 2>/dev/null
	done
	i=0 bad=0
	for p in $pids; do
		i=$((i + 1))
		t=0
		while kill -0 $p 2>/dev/null; do
			[ $t -lt 500 ] || { echo "stage $i still running 10 s after SIG$sig to $target"; kill -9 $pids; return 1; }
			sleep 0.02 && t=$((t + 1))
		done
		rc=0 && wait $p || rc=$?
		if [ $i = 1 ] && [ -n "${FEEDER:-}" ]; then continue; fi
		if [ $rc != 0 ]; then echo "stage $i exited $rc after SIG$sig to $target"; bad=1; fi
		if grep -v "^mb-[a-z]*: [0-9]* packets, " err.$i | grep -q .; then
			echo "stage $i said (SIG$sig to $target):"; cat err.$i; bad=1
		fi
	done
	return $bad
}

# check_output: the profile is whole and readable to the end.
check_output() {
	mb-cat -b out >/dev/null 2>err && test ! -s err &&
	mb-stat --no-mrc out >/dev/null 2>err && test ! -s err || { echo "output not readable (SIG$sig to $target):"; cat err; return 1; }
}

# sums_match PROGRAM: when only the first stage was stopped, every event it wrote reached the profile.
sums_match() {
	[ "$target" = 1 ] || return 0
	mb-cat out | grep "^sum" >sums &&
	want=$(sed -n "s/^sum	$1	events=\([0-9]*\)$/\1/p" sums) &&
	got=$(sed -n "s/^sum	mb-pack	events=\([0-9]*\)	.*/\1/p" sums) &&
	test -n "$want" && test "$want" = "$got" || { echo "stopped first stage: $1 wrote $want events, profile has $got"; cat sums; return 1; }
}

test_expect_success 'mb-gen | mb-anon | mb-pack: 20 stops by SIGINT and SIGTERM' '
	for k in $(seq 20); do
		sig=INT && [ $((k % 2)) = 0 ] && sig=TERM
		run_stopped $sig "mb-gen --raw -n 30000000" "mb-anon -k key" "mb-pack -b 4096" &&
		check_output && sums_match mb-gen || return 1
	done
'

test_expect_success 'mb-gen | mb-cat -b | mb-pack: 16 stops by SIGINT and SIGTERM' '
	for k in $(seq 16); do
		sig=TERM && [ $((k % 2)) = 0 ] && sig=INT
		run_stopped $sig "mb-gen -n 30000000" "mb-cat -b" "mb-pack -b 4096" &&
		check_output && sums_match mb-gen || return 1
	done
'

test_expect_success METAGET 'pcap | mb-capture -r - | mb-parse | mb-anon | mb-pack: 16 stops by SIGINT and SIGTERM' '
	for k in $(seq 16); do
		sig=INT && [ $((k % 2)) = 0 ] && sig=TERM
		FEEDER=1 && run_stopped $sig "\"\$MB_PYTHON\" \"\$MB_SRC/t/lib/slowfeed.py\" \"\$PCAP\" 31411 $k" \
			"mb-capture -P 31411 -r -" "mb-parse -q -P 31411" "mb-anon -k key" "mb-pack -b 256" &&
		check_output || return 1
	done
'

test_done
