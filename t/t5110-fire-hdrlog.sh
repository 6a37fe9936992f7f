#!/bin/sh
# t5110: mb-fire --hdr-log writes HdrHistogram interval logs that HdrHistogram's own Java
# HistogramLogReader reads back with the JSON report's exact counts and buckets, per command
# and for the lateness, one interval a second; the JSON's per-second series add up to the
# run's counts; a log that cannot be written is an error (exit 1) after the report.
test_description='mb-fire --hdr-log and the per-second series'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq MEMCACHED || test_skip_all 'memcached is missing (scripts/deps test)'
HDR_JAR=/usr/share/java/hdrhistogram.jar
command -v javac >/dev/null && test -r $HDR_JAR ||
	test_skip_all 'javac or HdrHistogram are missing (default-jdk-headless libhdrhistogram-java: scripts/deps test)'
start_memcached || test_skip_all 'memcached did not start'

# What the JSON says in HlogSum's form: per tag its count and summed buckets (highest
# equivalent value, count).
cat >json-sum.py <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
hs = {c: v["latency_intended"] for c, v in r["commands"].items() if "latency_intended" in v}
if r["lateness"]["count"]:
    hs["lateness"] = r["lateness"]
for tag in sorted(hs):
    h = hs[tag]
    print(tag, "count", h["count"])
    for lo, hi, n in h["buckets"]:
        print(tag, "bucket", hi, n)
PY

test_expect_success 'setup: 2.5 s of recorded traffic replayed with --json and --hdr-log; the reader compiled' '
	mb-gen -n 6000 -r 2500 -K 300 -c 4 -m get=70,set=20,delete=10 --seed 11 >g.bin &&
	mb-fire -q -t 127.0.0.1:$MC_PORT --json r.json --hdr-log r.hlog g.bin >r.txt &&
	grep -q "^mb-fire: 6000 operations" r.txt &&
	javac -d . -cp $HDR_JAR "$MB_SRC/t/lib/HlogSum.java"
'

test_expect_success 'HdrHistogram'"'"'s reader: the JSON'"'"'s counts and buckets, per command and lateness' '
	java -cp $HDR_JAR:. HlogSum r.hlog >java.out &&
	grep -v " intervals " java.out >java.sum &&
	"$MB_PYTHON" json-sum.py r.json >json.sum &&
	test_cmp json.sum java.sum &&
	grep -x "get count [0-9]*" java.sum && grep -x "lateness count 6000" java.sum
'

test_expect_success 'one interval a second, tagged, timestamps from the start' '
	for t in get set delete lateness; do
		n=$(sed -n "s/^$t intervals //p" java.out) &&
		test "$n" -ge 3 && test "$n" -le 4 || return 1
	done &&
	grep -c "^Tag=get," r.hlog >n && test "$(cat n)" -ge 3 &&
	grep "^Tag=get,0.000,1.0[0-9][0-9]," r.hlog &&
	grep "^#\[Histogram log format version 1.3\]$" r.hlog &&
	grep "^#\[BaseTime: [0-9]*\.[0-9]* (seconds since epoch)\]$" r.hlog
'

test_expect_success 'JSON series: per-second points whose counts add up to the run'"'"'s' '
	"$MB_PYTHON" -c "
import json
r = json.load(open(\"r.json\"))
s = r[\"series\"]
assert s[\"interval_s\"] == 1
pts = s[\"points\"]
assert 3 <= len(pts) <= 4, len(pts)
assert sum(p[\"ops\"] for p in pts) == r[\"ops\"] == 6000
for c, v in r[\"commands\"].items():
    n = sum(p[\"commands\"].get(c, {}).get(\"count\", 0) for p in pts)
    assert n == v[\"latency_intended\"][\"count\"], (c, n)
for p in pts:
    for c, v in p[\"commands\"].items():
        assert 0 < v[\"p50_ns\"] <= v[\"p99_ns\"] <= v[\"p999_ns\"], p
    assert p[\"lateness_p50_ns\"] <= p[\"lateness_p99_ns\"] <= p[\"lateness_p999_ns\"], p
"
'

test_expect_success 'stopped by -d: the log still holds every answer the JSON counts' '
	mb-fire -q -d 1500ms -t 127.0.0.1:$MC_PORT --json d.json --hdr-log d.hlog g.bin >d.txt &&
	grep -q "(duration reached)" d.txt &&
	java -cp $HDR_JAR:. HlogSum d.hlog | grep -v " intervals " >java.sum &&
	"$MB_PYTHON" json-sum.py d.json >json.sum &&
	test_cmp json.sum java.sum
'

test_expect_success 'a log that cannot be written: exit 1 after the report; no directory: exit 1 before the replay' '
	test_expect_code 1 mb-fire -q -t 127.0.0.1:$MC_PORT --hdr-log /dev/full g.bin >full.txt 2>err &&
	grep -q "^mb-fire: 6000 operations" full.txt &&
	grep -x "mb-fire: cannot write the HdrHistogram log: No space left on device: '"'"'/dev/full'"'"'" err &&
	mc_stats >before &&
	test_expect_code 1 mb-fire -q -t 127.0.0.1:$MC_PORT --hdr-log nodir/x.hlog g.bin >out 2>err &&
	grep -x "mb-fire: cannot create the HdrHistogram log: No such file or directory: '"'"'nodir/x.hlog'"'"'" err &&
	test_must_be_empty out &&
	mc_stats >after &&
	test "$(stat_delta cmd_get before after)" = 0 &&
	test_expect_code 2 mb-fire -t 127.0.0.1:$MC_PORT --hdr-log - g.bin 2>err &&
	grep -x "mb-fire: --hdr-log wants a file (standard output has the report) (try '"'"'mb-fire --help'"'"')" err &&
	test_expect_code 2 mb-fire --merge r.json --hdr-log x.hlog 2>err &&
	grep "hdr-log is written by a replay" err
'

test_done
