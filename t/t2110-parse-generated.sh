#!/bin/sh
# t2110: mb-parse decodes generated captures (text and binary, many connections, segmented values) exactly as generated.
test_description='mb-parse against scripts/gen-memcache-pcap truth'
. "$(dirname "$0")/test-lib.sh"

# The generator's truth file lists per key operation: client port, cmd, status, key,
# value_len, resp_len. Connections are compared as blocks sorted by content (mb-parse's
# connection ids and its interleaving of connections do not matter; order inside a
# connection does).
blocks() {
	awk -F"\t" "{ b[\$1] = b[\$1] \$2 \"\t\" \$3 \"\t\" \$4 \"\t\" \$5 \"\t\" \$6 \"\n\" } END { for (c in b) printf \"conn\n%s\", b[c] }" |
	awk "/^conn\$/ { if (blk != \"\") print blk; blk = \"conn\"; next } { blk = blk \"|\" \$0 } END { if (blk != \"\") print blk }" | sort
}
events_as_truth() {
	awk -F"\t" "\$1 == \"ev\" { print \$3 \"\t\" \$5 \"\t\" \$6 \"\t\" \$7 \"\t\" \$9 \"\t\" \$13 }"
}

test_expect_success MBPARSE 'text: get, multi-get, set, delete over 30 connections' '
	"$MB_SRC/scripts/gen-memcache-pcap" -n 4000 -c 30 -K 300 -m get=50,set=30,mget=10,delete=10 -v 1-5000 -s 11 -t truth.txt -o t.pcap 2>/dev/null &&
	mb-parse <t.pcap >t.bin &&
	mb-cat t.bin | events_as_truth | blocks >got &&
	blocks <truth.txt >expect &&
	test_cmp expect got
'

test_expect_success MBPARSE 'binary: get, set, delete over 30 connections' '
	"$MB_SRC/scripts/gen-memcache-pcap" -B -n 4000 -c 30 -K 300 -m get=60,set=30,delete=10 -v 1-5000 -s 12 -t btruth.txt -o b.pcap 2>/dev/null &&
	mb-parse <b.pcap >b.bin &&
	mb-cat b.bin | events_as_truth | blocks >got &&
	blocks <btruth.txt >expect &&
	test_cmp expect got
'

test_expect_success MBPARSE 'IPv6: text get, multi-get, set, delete over 10 connections' '
	"$MB_SRC/scripts/gen-memcache-pcap" -6 -n 1500 -c 10 -K 200 -m get=50,set=30,mget=10,delete=10 -v 1-3000 -s 13 -t truth6.txt -o v6.pcap 2>/dev/null &&
	mb-parse <v6.pcap >v6.bin &&
	mb-cat v6.bin | events_as_truth | blocks >got &&
	blocks <truth6.txt >expect &&
	test_cmp expect got
'

test_expect_success MBPARSE 'out-of-order and retransmitted segments (30% and 10%) change nothing' '
	"$MB_SRC/scripts/gen-memcache-pcap" -n 1500 -c 10 -K 200 -m get=40,set=40,mget=10,delete=10 -v 500-8000 -R 30 -D 10 -s 14 -t truthr.txt -o r.pcap 2>/dev/null &&
	mb-parse <r.pcap >r.bin &&
	mb-cat r.bin | events_as_truth | blocks >got &&
	blocks <truthr.txt >expect &&
	test_cmp expect got &&
	"$MB_SRC/scripts/gen-memcache-pcap" -B -n 1500 -c 10 -K 200 -m get=50,set=40,delete=10 -v 500-8000 -R 30 -D 10 -s 15 -t truthrb.txt -o rb.pcap 2>/dev/null &&
	mb-parse <rb.pcap >rb.bin &&
	mb-cat rb.bin | events_as_truth | blocks >got &&
	blocks <truthrb.txt >expect &&
	test_cmp expect got &&
	mb-cat r.bin | grep "^sum" | tr "\t" "\n" >rsum &&
	! grep -E "^(desyncs|holes)=[1-9]" rsum
'

test_expect_success MBPARSE 'pipelined requests (up to 8 per message, replies together), text and binary' '
	"$MB_SRC/scripts/gen-memcache-pcap" -n 3000 -c 10 -K 300 -P 8 -m get=40,set=40,mget=10,delete=10 -v 1-3000 -R 10 -s 16 -t truthp.txt -o p.pcap 2>/dev/null &&
	mb-parse <p.pcap >p.bin &&
	mb-cat p.bin | events_as_truth | blocks >got &&
	blocks <truthp.txt >expect &&
	test_cmp expect got &&
	"$MB_SRC/scripts/gen-memcache-pcap" -B -n 3000 -c 10 -K 300 -P 8 -m get=50,set=40,delete=10 -v 1-3000 -R 10 -s 17 -t truthpb.txt -o pb.pcap 2>/dev/null &&
	mb-parse <pb.pcap >pb.bin &&
	mb-cat pb.bin | events_as_truth | blocks >got &&
	blocks <truthpb.txt >expect &&
	test_cmp expect got
'

test_expect_success MBPARSE 'the summary counts every request and no desync' '
	mb-cat t.bin | grep "^sum" | tr "\t" "\n" >sum &&
	! grep -E "desync[a-z_]*=[1-9]" sum
'

test_done
