#!/bin/sh
# t2121: meta protocol (metaget) and a mid-stream join: every event equals hand-checked expectations
test_description='meta protocol (metaget) and a mid-stream join: every event equals hand-checked expectations'
. "$(dirname "$0")/test-lib.sh"

test -x "$MB_BIN/mb-parse" && test_set_prereq MBPARSE

# Each t/expect/events/NAME.ev was written by reading the capture's packets (tshark -x,
# -z follow,tcp,ascii; the meta quiet rules checked against a live memcached 1.6.18) and
# states every event exactly: connection (numbered by first appearance), proto/transport,
# cmd, status, key, key_len, value_len, ttl, flags, batch (numbered by first appearance),
# resp_len (t/lib/evproj.py projects mb-parse's output the same way; timestamps and
# latencies are checked by t2130).
E=$MB_SRC/t/expect
for name in memcached-t_metaget percona_memc_tcpdump003; do
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

test_done
