#!/bin/sh
# t2190-parse-metrics: mb-parse --metrics serves its summary counters in the Prometheus text format while it reads.
# The bundled demo capture (13211 packets of real pymemcache traffic) is fed to mb-parse in 32
# pieces 0.1 s apart; two scrapes 1 s apart in the middle: promtool accepts both, the second's
# counters are at least the first's, its packets are more than 0 and at most 13211; the
# stream's own summary at the end says 13211 packets. A port in use fails with one line.
test_description='mb-parse --metrics: live counters while parsing'
. "$(dirname "$0")/test-lib.sh"

command -v promtool >/dev/null 2>&1 && test_set_prereq PROMTOOL


test_expect_success PROMTOOL 'two scrapes while mb-parse reads: valid, growing, within the capture' '
	zstd -dqc "$MB_SRC/scripts/demo-data/demo.pcap.zst" >demo.pcap &&
	port=$(free_port) &&
	"$MB_PYTHON" "$MB_SRC/t/lib/metrics-feed.py" $port demo.pcap out.mb mb_parse 13211 \
		mb-parse -q -P 22122 --metrics 127.0.0.1:$port &&
	promtool check metrics <s1.txt &&
	promtool check metrics <s2.txt &&
	grep "^mb_parse_events_total [1-9]" s2.txt &&
	test "$(sumval out.mb mb-parse packets)" = 13211
'

test_expect_success 'a bad metrics address: usage error' '
	test_expect_code 2 mb-parse --metrics nonsense demo.pcap >out3 2>err &&
	grep "want host:port" err
'

test_expect_success 'a metrics port in use: exit 1 with one line' '
	test_expect_code 1 "$MB_PYTHON" -c "
import socket, subprocess, sys
s = socket.socket(); s.bind((\"127.0.0.1\", 0)); s.listen(1)
sys.exit(subprocess.call([\"mb-parse\", \"--metrics\", \"127.0.0.1:%d\" % s.getsockname()[1], \"demo.pcap\"],
                         stdout=open(\"out2\", \"wb\"), stderr=open(\"err\", \"wb\")))
	" &&
	test_one_line_error mb-parse err &&
	grep "cannot listen" err
'

test_done
