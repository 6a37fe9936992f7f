#!/bin/sh
# t2160: with every 50th packet dropped, mb-parse reports desyncs and emits only events the lossless run also emits.
test_description='mb-parse under packet loss'
. "$(dirname "$0")/test-lib.sh"

# drop_and_check NAME PCAP PORT [N]
# Parses PCAP whole and with every Nth (50th) packet dropped (t/lib/pcap-drop.py). When a drop
# left a hole inside a TCP stream, the lossy summary must count a desync; every event of
# the lossy run must be in the lossless run (same connection, timestamp, command, key;
# the status equal or none/unanswered), and at least 30% of the events must survive.
drop_and_check() {
	mb-parse -P "$3" <"$2" >"$1.full.bin" &&
	mb-cat "$1.full.bin" >"$1.full.txt" &&
	"$MB_PYTHON" "$MB_SRC/t/lib/pcap-drop.py" -n "${4:-50}" "$2" "$1.lossy.pcap" >"$1.drop" &&
	mb-parse -P "$3" <"$1.lossy.pcap" >"$1.lossy.bin" &&
	mb-cat "$1.lossy.bin" >"$1.lossy.txt" &&
	cat "$1.drop" &&
	holes=$(sed -n "s/.*holes=\([0-9]*\).*/\1/p" "$1.drop") &&
	desyncs=$(grep "^sum" "$1.lossy.txt" | tr "\t" "\n" | sed -n "s/^[a-z_]*desync[a-z_]*=//p" | awk "{s+=\$1} END {print s+0}") &&
	echo "holes=$holes desyncs=$desyncs" &&
	if test "$holes" -gt 0; then test "$desyncs" -gt 0; fi &&
	"$MB_PYTHON" "$MB_SRC/t/lib/loss-check.py" "$1.full.txt" "$1.lossy.txt" 0.3
}

P=$MB_CORPUS/pcaps/memcached-t
test_expect_success MBPARSE,CORPUS 'binary protocol (binary.first900)' '
	drop_and_check binary "$P/binary.first900.pcap" 31420
'
test_expect_success MBPARSE,CORPUS 'text, large multi-segment values (getset.first380)' '
	drop_and_check getset "$P/getset.first380.pcap" 31412
'
test_expect_success MBPARSE,CORPUS 'meta commands (metaget)' '
	drop_and_check metaget "$P/metaget.pcap" 31411
'
test_expect_success MBPARSE,CORPUS 'many connections (issue_22)' '
	drop_and_check issue22 "$P/issue_22.pcap" 31428
'
test_expect_success MBPARSE,CORPUS 'flush-all' '
	drop_and_check flush "$P/flush-all.pcap" 31418
'
test_expect_success MBPARSE,CORPUS 'UDP, text and binary, a 15-datagram reply (udp, every 30th packet)' '
	drop_and_check udp "$P/udp.pcap" 31431 30 &&
	# frame 30 is datagram 6 of 15 of the reply to the UDP "get bigvalue": the request
	# is intact, so its event stays (hit, from the VALUE line of datagram 1, or unanswered)
	grep -qP "\ttext/udp\tget\t(hit|unanswered)\tbigvalue\t" udp.lossy.txt
'
test_expect_success MBPARSE 'generated text capture, 20 connections, values up to 3000 bytes' '
	"$MB_SRC/scripts/gen-memcache-pcap" -n 3000 -c 20 -K 500 -m get=55,set=30,mget=10,delete=5 -v 10-3000 -s 7 -o gen.pcap 2>/dev/null &&
	drop_and_check gen gen.pcap 11211
'
test_expect_success MBPARSE 'generated binary capture, 20 connections' '
	"$MB_SRC/scripts/gen-memcache-pcap" -B -n 3000 -c 20 -K 500 -m get=60,set=30,delete=10 -v 10-3000 -s 8 -o genb.pcap 2>/dev/null &&
	drop_and_check genb genb.pcap 11211
'

test_done
