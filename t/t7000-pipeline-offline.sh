#!/bin/sh
# t7000: the design card's pipeline on the bundled real capture, each stage checked against the
# next: capture -> parse -> anon -> pack, stat, fire; the tee'd variant; raw pcap on stdin.
test_description='whole pipeline on the demo capture'
. "$(dirname "$0")/test-lib.sh"

port=22122
test_expect_success 'setup: the demo capture and a key' '
	zstd -dc "$MB_SRC/scripts/demo-data/demo.pcap.zst" >demo.pcap &&
	mb-anon --new-key >key
'

test_expect_success 'mb-capture -r | mb-parse | mb-anon | mb-pack > p.bin' '
	mb-capture -r demo.pcap -P $port | mb-parse -P $port | mb-anon -k key | mb-pack >p.bin &&
	mb-cat -H p.bin >p.txt &&
	test "$(grep -c "^ev" p.txt)" -gt 5000
'

test_expect_success 'the same events from a raw pcap on stdin (tcpdump -w - | mb-parse)' '
	mb-capture -r demo.pcap -P $port | mb-parse -P $port | mb-cat -H | grep "^ev" >via-capture.txt &&
	tcpdump -r demo.pcap -w - 2>/dev/null | mb-parse -P $port | mb-cat -H | grep "^ev" >via-pcap.txt &&
	test_cmp via-capture.txt via-pcap.txt
'

test_expect_success 'tee at every stage: each saved stream reproduces the next stage exactly' '
	mb-capture -r demo.pcap -P $port | tee pk.stream | mb-parse -P $port | tee raw.stream |
		mb-anon -k key | tee hashed.stream | mb-pack >p2.bin &&
	mb-parse -P $port <pk.stream | mb-cat -H >a && mb-cat -H raw.stream >b && test_cmp a b &&
	mb-anon -k key <raw.stream | mb-cat -H >a && mb-cat -H hashed.stream >b && test_cmp a b &&
	mb-cat -H p2.bin | grep "^ev" >a && mb-cat -H hashed.stream | grep "^ev" >b && test_cmp a b &&
	cmp p.bin p2.bin
'

test_expect_success 'command counts agree between the raw stream and the profile' '
	mb-cat -H raw.stream | awk "\$1==\"ev\" {n[\$5]++} END {for (c in n) print c, n[c]}" | sort >raw.counts &&
	mb-cat -H p.bin | awk "\$1==\"ev\" {n[\$5]++} END {for (c in n) print c, n[c]}" | sort >prof.counts &&
	test_cmp raw.counts prof.counts &&
	grep -q "^get " prof.counts && grep -q "^set " prof.counts && grep -q "^delete " prof.counts
'

test_expect_success 'no raw key of the capture appears in the profile' '
	mb-cat -H raw.stream | awk "\$1==\"ev\" && length(\$7) >= 4 {print \$7}" | sort -u >keys &&
	test "$(wc -l <keys)" -gt 100 &&
	! grep -a -F -f keys p.bin hashed.stream
'

test_expect_success 'mb-stat < p.bin reports the events the profile holds' '
	mb-stat <p.bin >report.txt &&
	n=$(grep -c "^ev" p.txt) &&
	grep -E "^ +events +$n\$" report.txt
'

test_expect_success MEMCACHED 'mb-fire -t 127.0.0.1:PORT < p.bin: memcached counts what the profile holds' '
	start_memcached &&
	mc_stats >before &&
	mb-fire -t 127.0.0.1:$MC_PORT <p.bin >fire.txt 2>fire.err &&
	mc_stats >after &&
	gets=$(awk "\$1==\"ev\" && (\$5==\"get\" || \$5==\"gets\") {n++} END {print n+0}" p.txt) &&
	sets=$(awk "\$1==\"ev\" && \$5 ~ /^(set|add|replace|append|prepend|cas)\$/ {n++} END {print n+0}" p.txt) &&
	deletes=$(awk "\$1==\"ev\" && \$5==\"delete\" {n++} END {print n+0}" p.txt) &&
	test "$(stat_delta cmd_get)" = "$gets" &&
	test "$(stat_delta cmd_set)" = "$sets" &&
	test "$(( $(stat_delta delete_hits) + $(stat_delta delete_misses) ))" = "$deletes"
'

test_done
