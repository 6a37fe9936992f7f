#!/bin/sh
# t2182-parse-ports.sh - server ports from the packet stream; no flow on the server ports is a loud error; source is a base name.
test_description='mb-parse: ports from mb-capture metadata, the no-flow error and exit status, source base names'
. "$(dirname "$0")/test-lib.sh"

QUIT=$MB_CORPUS/pcaps/memcached-t/quit.pcap
test -f "$QUIT" && test_set_prereq QUITPCAP

evcount() { mb-cat "$1" | grep -c "^ev	" || true; }
meta() { mb-cat "$1" | head -1 | tr '\t' '\n' | sed -n "s/^$2=//p"; }

test_expect_success CORPUS,QUITPCAP 'a capture on another port, no -p: one line naming the busiest ports, exit 1' '
	cp "$QUIT" quit.pcap &&
	test_expect_code 1 mb-parse quit.pcap >ev 2>err &&
	test_one_line_error mb-parse err &&
	echo "mb-parse: no flow on server ports 11211: 8 TCP/UDP packets use other ports, the busiest 31430 (8 packets), 40764 (8 packets) (try -P 31430): '"'"'quit.pcap'"'"'" >expect &&
	test_cmp expect err &&
	test "$(evcount ev)" = 0 &&
	test "$(sumval ev mb-parse packets)" = 8 &&
	test "$(sumval ev mb-parse not_memcached)" = 8
'

test_expect_success CORPUS,QUITPCAP 'the same from standard input names <stdin>; -q does not hide the error' '
	test_expect_code 1 mb-parse -q <quit.pcap >ev 2>err &&
	test_one_line_error mb-parse err &&
	grep -q "(try -P 31430): .<stdin>.$" err
'

test_expect_success CORPUS,QUITPCAP 'with -P the port suggested: exit 0, the quit event' '
	mb-parse -P 31430 quit.pcap >ev 2>err &&
	test "$(evcount ev)" = 1 &&
	test "$(meta ev ports)" = 31430
'

test_expect_success CORPUS,QUITPCAP 'mb-capture -P records its ports; mb-parse without -P uses them' '
	mb-capture -P 31430 -r quit.pcap >pk 2>/dev/null &&
	test "$(meta pk ports)" = 31430 &&
	mb-parse <pk >ev 2>err &&
	test "$(evcount ev)" = 1 &&
	test "$(sumval ev mb-parse flows)" = 1 &&
	test "$(meta ev ports)" = 31430 &&
	test "$(meta ev program)" = mb-capture,mb-parse
'

test_expect_success CORPUS,QUITPCAP 'a port range in the stream header works too' '
	mb-capture -P 31411-31431,11211 -r quit.pcap >pk 2>/dev/null &&
	test "$(meta pk ports)" = 31411-31431,11211 &&
	mb-parse <pk >ev 2>/dev/null &&
	test "$(evcount ev)" = 1
'

test_expect_success CORPUS,QUITPCAP '-P wins over the stream header' '
	mb-capture -P 31430 -r quit.pcap >pk 2>/dev/null &&
	test_expect_code 1 mb-parse -P 11211 <pk >ev 2>err &&
	test_one_line_error mb-parse err &&
	grep -q "no flow on server ports 11211: " err
'

test_expect_success CORPUS,QUITPCAP 'mb-capture with a filter expression records no ports: mb-parse falls back to 11211 and says so' '
	mb-capture -r quit.pcap tcp >pk 2>/dev/null &&
	test -z "$(meta pk ports)" &&
	test_expect_code 1 mb-parse <pk >ev 2>err &&
	grep -q "no flow on server ports 11211: 8 TCP/UDP packets" err
'

test_expect_success CORPUS,QUITPCAP 'a bad ports value in a stream header: one line, exit 1' '
	mb-capture -P 31430 -r quit.pcap >pk 2>/dev/null &&
	mb-cat pk | sed "1s/ports=31430/ports=31430-99999/" | mb-cat -p >bad &&
	test_expect_code 1 mb-parse <bad >ev 2>err &&
	test_one_line_error mb-parse err &&
	grep -q "bad .ports. in the stream header (.*): .<stdin>. at byte 0" err
'

test_expect_success 'packets but none TCP/UDP: one line, exit 1' '
	"$MB_PYTHON" -c "
import struct, sys
arp = bytes(12) + b\"\x08\x06\" + bytes(28)
sys.stdout.buffer.write(struct.pack(\"<IHHiIII\", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1) +
                        b\"\".join(struct.pack(\"<IIII\", 1, i, len(arp), len(arp)) + arp for i in range(3)))" >arp.pcap &&
	test_expect_code 1 mb-parse arp.pcap >ev 2>err &&
	test_one_line_error mb-parse err &&
	grep -q "no TCP or UDP packet among 3 packets, so no flow on server ports 11211: .arp.pcap.$" err
'

test_expect_success 'no packets at all is not an error' '
	"$MB_PYTHON" -c "
import struct, sys
sys.stdout.buffer.write(struct.pack(\"<IHHiIII\", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))" >none.pcap &&
	mb-parse none.pcap >ev 2>err &&
	grep -q "0 packets, 0 flows, 0 events" err &&
	test "$(sumval ev mb-parse packets)" = 0
'

test_expect_success CORPUS,QUITPCAP 'a closed stdout still ends quietly' '
	run_stdout_closed quit.pcap err mb-parse &&
	test ! -s err
'

test_expect_success CORPUS,QUITPCAP 'source is the base name: mb-parse and mb-capture -r on a path' '
	mb-parse -P 31430 "$QUIT" >ev 2>/dev/null &&
	test "$(meta ev source)" = quit.pcap &&
	mb-capture -P 31430 -r "$QUIT" >pk 2>/dev/null &&
	test "$(meta pk source)" = quit.pcap &&
	mkdir -p deep/er && cp quit.pcap deep/er/q2.pcap &&
	mb-parse -P 31430 deep/er/q2.pcap >ev 2>/dev/null &&
	test "$(meta ev source)" = q2.pcap &&
	! mb-cat ev | head -1 | grep -q deep
'

test_expect_success 'mb-cat --from keeps the base name of the trace file' '
	mkdir -p traces && printf "1,0123456789abcdef,16,100,1,get,0\n" >traces/tw.csv &&
	mb-cat --from twitter "$TRASH/traces/tw.csv" >tw.bin &&
	test "$(meta tw.bin source)" = tw.csv &&
	! mb-cat tw.bin | head -1 | grep -q traces
'

test_done
