#!/bin/sh
# t2161: under packet loss, values made of protocol lines must not turn into events (no invented command or key).
test_description='mb-parse resynchronization does not trust command-like bytes inside values'
. "$(dirname "$0")/test-lib.sh"

# gen-memcache-pcap -E fills every value with "get evil:trap", "set evil:set 0 0 4",
# "VALUE evil:value 0 4", "END" lines and a binary GET header: a parser that resumes after
# a hole at the first plausible command inside a value invents requests (keys evil:*) and
# pairs real replies with them. The lossless run never has them (values are skipped by
# length); with every Nth packet dropped, every event must still be one of the lossless
# run's (t/lib/loss-check.py) and no evil:* key may appear.
trap_check() {
	"$MB_SRC/scripts/gen-memcache-pcap" $1 -E -n 3000 -c 20 -K 300 -m $2 -v 100-4000 -s 5 -o trap.pcap 2>/dev/null &&
	mb-parse -q <trap.pcap >full.bin &&
	mb-cat full.bin >full.txt &&
	! grep -q "evil:" full.txt &&
	for n in 50 13; do
		"$MB_PYTHON" "$MB_SRC/t/lib/pcap-drop.py" -n $n trap.pcap lossy.pcap &&
		mb-parse -q <lossy.pcap >lossy.bin &&
		mb-cat lossy.bin >lossy.txt &&
		echo "every ${n}th packet dropped: $(grep -c "evil:" lossy.txt) events with an evil key" &&
		! grep -q "evil:" lossy.txt &&
		"$MB_PYTHON" "$MB_SRC/t/lib/loss-check.py" full.txt lossy.txt 0.3 || return 1
	done
}

test_expect_success MBPARSE 'text protocol' '
	trap_check "" get=50,set=50
'
test_expect_success MBPARSE 'binary protocol' '
	trap_check -B get=50,set=50
'

test_done
