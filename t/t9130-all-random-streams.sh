#!/bin/sh
# t9130: random streams of every kind (t/lib/randstream.py: every frame type, each field drawn
# anywhere its format allows) through every program that reads a stream, and random event
# streams replayed by mb-fire against memcached: each gives its documented exit with at most
# one line on stderr, and mb-fire accounts for every event it read. t9xxx tests also run under
# the sanitizer build (make check), where undefined behaviour ends a program with a signal.
test_description='random streams through every stream reader and through mb-fire'
. "$(dirname "$0")/test-lib.sh"

seeds="1 2 3 4 5 6"

test_expect_success 'setup: a key and random streams of each kind' '
	mb-anon --new-key >key &&
	for kind in packets events-raw events-hashed; do
		for seed in $seeds; do
			"$MB_PYTHON" "$MB_SRC/t/lib/randstream.py" $kind $seed 300 >$kind.$seed.bin || return 1
		done
	done
'

# reads WANT KIND PROGRAM ARGS...: PROGRAM reads each random stream of KIND on its standard
# input and exits WANT; with 0 it says nothing on stderr, with 1 one line that names it
reads() {
	want=$1 kind=$2 prog=$3
	shift 2
	for seed in $seeds; do
		test_expect_code $want "$@" <$kind.$seed.bin >out 2>err || { echo "seed $seed"; return 1; }
		if [ $want = 0 ]; then test_must_be_empty err; else test_one_line_error $prog err; fi || {
			echo "seed $seed"
			return 1
		}
	done
}

# each kind read by the programs that take it (0), refused by the others (1); mb-parse finds
# no flow in random packets (random link types and headers) and says so
test_expect_success 'packets: mb-cat and mb-cat -b read them; mb-parse finds no flow; the rest refuse them' '
	reads 0 packets mb-cat && reads 0 packets mb-cat -b &&
	reads 1 packets mb-parse && reads 1 packets mb-stat && reads 1 packets mb-stat --json &&
	reads 1 packets mb-anon -k key && reads 1 packets mb-pack
'

test_expect_success 'events with raw keys: mb-stat, mb-anon and mb-cat read them; mb-pack and mb-parse refuse them' '
	reads 0 events-raw mb-stat && reads 0 events-raw mb-stat --json && reads 0 events-raw mb-anon -k key &&
	reads 0 events-raw mb-cat && reads 0 events-raw mb-cat -b &&
	reads 1 events-raw mb-pack && reads 1 events-raw mb-parse
'

test_expect_success 'events with hashed keys: mb-stat, mb-pack and mb-cat read them; mb-anon and mb-parse refuse them' '
	reads 0 events-hashed mb-stat && reads 0 events-hashed mb-stat --json && reads 0 events-hashed mb-pack &&
	reads 0 events-hashed mb-cat && reads 0 events-hashed mb-cat -b &&
	reads 1 events-hashed mb-anon -k key && reads 1 events-hashed mb-parse
'

test_expect_success 'anonymized and packed: the profiles keep every event and read back through mb-stat' '
	for seed in $seeds; do
		mb-anon -k key <events-raw.$seed.bin >hashed.bin && mb-pack <hashed.bin >profile.$seed.bin &&
		mb-stat profile.$seed.bin >out &&
		want=$(mb-cat -H events-raw.$seed.bin | grep -c "^ev") && got=$(mb-cat -H profile.$seed.bin | grep -c "^ev") &&
		test "$got" = "$want" || { echo "seed $seed: $got events in the profile, $want in the stream"; return 1; }
	done
'

# A first latency this far from the start: the latency-over-time slots were merged before
# there was any (memset on no array, which UBSan ends).
test_expect_success 'mb-stat: an input whose first answer comes 2000 s in has one latency slot there' '
	printf "#membench\tversion=2\tkind=events-hashed\n" >late.txt &&
	printf "ev\t1700000000.000000000\t1\ttext/tcp\tset\tnone\t@c34d0bff90150280\t28\t100\t0\t-\t0\t0\t0\n" >>late.txt &&
	printf "ev\t1700002000.000000000\t1\ttext/tcp\tget\thit\t@c34d0bff90150280\t28\t0\t0\twant_value\t0\t120\t53911\n" >>late.txt &&
	mb-cat -p late.txt >late.bin &&
	mb-stat --json late.bin >late.json &&
	"$MB_PYTHON" -c "
import json, sys
s = json.load(open(\"late.json\"))[\"series\"]
got = (s[\"latency_slot_s\"], [(x[\"start_s\"], x[\"count\"]) for x in s[\"latency_ns\"]])
sys.exit(0 if got == (2, [(2000, 1)]) else \"slots %s\" % (got,))"
'

# replays FILE ARGS...: mb-fire replays FILE with ARGS against the memcached started below:
# exit 0 or 1 (some random requests fail), one line on stderr at most, and every event read
# is an operation, not replayable, or never sent (a connection the server closed was given up
# after --drain, 200 ms here, with requests still queued)
replays() {
	file=$1
	shift
	rc=0
	mb-fire -q -t 127.0.0.1:$MC_PORT --drain 200ms "$@" --json r.json "$file" >report 2>err || rc=$?
	_exit_ok_for_fail $rc "mb-fire $* $file" || return 1
	[ $rc -le 1 ] || { echo "exit $rc: mb-fire $* $file"; return 1; }
	if [ $rc = 1 ]; then test_one_line_error mb-fire err; else test_must_be_empty err; fi || return 1
	"$MB_PYTHON" -c "
import json, sys
r = json.load(open(\"r.json\"))
if r[\"ops\"] + r[\"not_replayable\"] + r[\"unsent\"] != r[\"input_events\"] or r[\"input_events\"] == 0:
    sys.exit(\"%d events read, %d operations, %d not replayable, %d never sent\" % (r[\"input_events\"], r[\"ops\"], r[\"not_replayable\"], r[\"unsent\"]))"
}

test_expect_success MEMCACHED 'mb-fire replays random event streams and profiles: each event an operation, not replayable or never sent' '
	start_memcached -c 4096 &&
	for seed in 1 2; do
		for file in events-raw.$seed.bin events-hashed.$seed.bin profile.$seed.bin; do
			for mode in "--max" "--rate 20000 -T 2 -P binary" "--max -P meta -c 2"; do
				replays $file $mode || { echo "$file $mode"; return 1; }
			done
		done
	done
'

test_done
