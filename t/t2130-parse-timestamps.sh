#!/bin/sh
# t2130: on every corpus capture, event timestamps and latencies are capture times of the packets that carried request and reply.
test_description='mb-parse timestamps are capture timestamps'
. "$(dirname "$0")/test-lib.sh"

# t/lib/tscheck.py: ts = time of a packet with payload to the server port; for an answered
# event ts + latency = time of a packet with payload from the server port; no reply, no latency.
E=$MB_SRC/t/expect/corpus
while read -r path port; do
	name=$(echo "${path%.pcap}" | tr / _)
	test_expect_success CORPUS,MBPARSE "$name" "
		mb-parse -q -P $port <\"\$MB_CORPUS/pcaps/$path\" >ev.bin &&
		mb-cat ev.bin >ev.txt &&
		\"\$MB_PYTHON\" \"\$MB_SRC/t/lib/tscheck.py\" -p $port \"\$MB_CORPUS/pcaps/$path\" ev.txt
	"
done <"$E/list"

test_expect_success MBPARSE 'generated capture with 20 connections and segmented values' '
	"$MB_SRC/scripts/gen-memcache-pcap" -n 2000 -c 20 -K 300 -m get=50,set=40,mget=10 -v 1-4000 -s 3 -o g.pcap 2>/dev/null &&
	mb-parse -q <g.pcap >g.bin &&
	mb-cat g.bin >g.txt &&
	"$MB_PYTHON" "$MB_SRC/t/lib/tscheck.py" -p 11211 g.pcap g.txt
'

test_done
