#!/bin/sh
# t2100: on every corpus capture, mb-parse's requests per command and keys per connection equal tshark's memcache dissector's.
test_description='mb-parse requests and keys against tshark on the corpus'
. "$(dirname "$0")/test-lib.sh"

# For each capture of t/expect/corpus/list (path, server port):
#  1. with tshark: tshark's view, live (t/lib/reqlist.py tshark: the requests sent to the
#     server port, per connection, "cmd key" in order, plus counts per command) must equal
#     the committed t/expect/corpus/NAME.tshark (so the expectation is tshark's, and a
#     tshark upgrade that changes it is noticed; without tshark the committed file is used);
#  2. mb-parse < capture | mb-cat, reduced the same way (reqlist.py events), must equal
#     NAME.req where tshark is wrong or blind (each file's # lines say why, with frame
#     numbers), else NAME.tshark.
# Deliberate differences, applied by reqlist.py to both sides (see its header):
#  - UDP: tshark 4.0's memcache dissector decodes nothing of memcached's UDP frames, so UDP
#    events are left out (t2120 checks them against hand-written expectations);
#  - meta commands and gat/gats/touch/verbosity: tshark does not know them (t2120 again);
#  - responses: tshark labels VALUE/STAT response lines too; only PDUs sent to the server
#    port count as requests;
#  - binary: quiet opcodes compare as their command (GETKQ -> get), SET/ADD/REPLACE with a
#    CAS as cas, STAT as stats, FLUSH as flush_all (event.h's mapping);
#  - the argument of keyless commands (stats slabs, flush_all 0) is not compared.
E=$MB_SRC/t/expect/corpus
while read -r path port; do
	name=$(echo "${path%.pcap}" | tr / _)
	test_expect_success CORPUS,MBPARSE "$name (port $port)" "
		pcap=\"\$MB_CORPUS/pcaps/$path\" &&
		if test_have_prereq TSHARK; then
			\"\$MB_PYTHON\" \"\$MB_SRC/t/lib/reqlist.py\" tshark -p $port \"\$pcap\" >tshark.$name &&
			test_cmp \"$E/$name.tshark\" tshark.$name
		fi &&
		if test -f \"$E/$name.req\"; then grep -v '^#' \"$E/$name.req\"; else cat \"$E/$name.tshark\"; fi >expect.$name &&
		mb-parse -q -P $port <\"\$pcap\" >ev.$name &&
		mb-cat ev.$name >ev.$name.txt &&
		\"\$MB_PYTHON\" \"\$MB_SRC/t/lib/reqlist.py\" events ev.$name.txt >got.$name &&
		test_cmp expect.$name got.$name
	"
done <"$E/list"

test_done
