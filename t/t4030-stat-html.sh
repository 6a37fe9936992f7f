#!/bin/sh
# t4030: mb-stat --html writes one self-contained page that headless Chromium renders with every chart,
# sizes at their resolution, units on axes and tooltips, and only the anomaly counters that are not 0.
test_description='mb-stat HTML report'
. "$(dirname "$0")/test-lib.sh"

# Every chart, with what each of its tooltips must say (its units).
CHARTS='chart-key-size=^[0-9]+ B: [0-9]+ requests
chart-value-size-set=^value size [0-9.]+ (B|KiB), at or below [0-9.]+%$
chart-value-size-get=^value size [0-9.]+ (B|KiB), at or below [0-9.]+%$
chart-ttl=^TTL 5 min, at or below [0-9.]+%$
chart-ops=^time [0-9.]+ s, ops/s [0-9.]+k?$
chart-working-set=^time [0-9.]+ s, keys [0-9.]+k?$
chart-hit-ratio=^time [0-9.]+ s, hit ratio [0-9.]+%$
chart-latency-time=^p(50|90|99): time [0-9.]+ s, latency [0-9.]+ (ns|us|ms)$
chart-rank=^(observed|Zipf fit): rank [0-9.]+k?, requests [0-9.]+k?$
chart-mrc-objects=^cache objects [0-9.]+k?, miss ratio [0-9.]+%$
chart-mrc-bytes=^cache size [0-9.]+ (B|KiB|MiB), miss ratio [0-9.]+%$
chart-latency=^(get|set|delete|all) p[0-9.]+: [0-9.]+ (ns|us|ms)$'

# The checker's arguments: one per chart line.
check_charts() {
	dom=$1
	shift
	printf '%s\n' "$CHARTS" | tr '\n' '\0' | xargs -0 "$MB_PYTHON" "$MB_SRC/t/lib/stat-html-check.py" "$dom" "$@"
}

test_expect_success 'the page is self-contained' '
	mb-gen -n 100000 -K 5000 -c 20 -m get=80,set=15,delete=5 --ttl 300 --seed 2 >g.bin &&
	mb-stat --html report.html --window 100ms g.bin >report.txt &&
	grep -q "^OVERVIEW" report.txt &&
	test "$(grep -c "<svg" report.html)" = 12 &&
	! grep -Ei "<script|<link|<img|<iframe|src=|href=|url\\(|@import" report.html &&
	test "$(grep -o "http[s]*://[^\"]*" report.html | sort -u)" = "http://www.w3.org/2000/svg"
'

test_expect_success '--html - writes the page to stdout instead of the text report' '
	mb-stat --html - g.bin >stdout.html &&
	head -c 15 stdout.html | grep -q "<!DOCTYPE html>" && ! grep -q "^OVERVIEW" stdout.html
'

test_expect_success 'key sizes at byte resolution: one bar per length, with its exact count' '
	mb-cat g.bin | awk -F"\t" "\$1 == \"ev\" && \$5 != \"flush_all\" { n[\$8]++ } END { for (l in n) print l \" B: \" n[l] \" requests\" }" |
		sort -n >want &&
	test "$(wc -l <want)" -gt 20 &&
	sed -n "/id=\"chart-key-size\"/,/<\/svg>/p" report.html | grep -o "<title>[0-9]* B: [0-9]* requests" | sed "s/<title>//" |
		sort -n >got &&
	test_cmp want got
'

test_expect_success 'the checker catches a padded tick, a missing unit and a zero anomaly' '
	sed "s/>5k</>5.00k</" report.html >padded.html && grep -q ">5.00k<" padded.html &&
	test_must_fail "$MB_PYTHON" "$MB_SRC/t/lib/stat-html-check.py" padded.html chart-key-size >out && grep -q "tick label .5.00k." out &&
	test_must_fail "$MB_PYTHON" "$MB_SRC/t/lib/stat-html-check.py" report.html "chart-ttl=^TTL [0-9]+ h" >out &&
	grep -q "without its unit" out &&
	sed "s|<table class=\"anomalies\">|&<tr><td>resync</td><td>0</td></tr>|" report.html >zero.html &&
	test_must_fail "$MB_PYTHON" "$MB_SRC/t/lib/stat-html-check.py" zero.html >out && grep -q "anomaly counter shown though 0" out
'

test_expect_success 'anomalies: exactly the counters that are not 0' '
	printf "#membench\tversion=1\tkind=events-raw\n" >a.txt &&
	printf "ev\t1700000000.1\t1\ttext/tcp\tget\tclient_error\tk1\t2\t0\t0\t-\t0\t0\t1000\n" >>a.txt &&
	printf "ev\t1700000000.2\t1\ttext/tcp\tget\tclient_error\tk1\t2\t0\t0\t-\t0\t0\t1000\n" >>a.txt &&
	printf "ev\t1700000000.3\t1\ttext/tcp\tget\thit\tk2\t2\t0\t0\tresync\t0\t5\t1000\n" >>a.txt &&
	printf "sum\tmb-parse\tdesyncs=0\tevictions=3\n" >>a.txt &&
	mb-cat -p a.txt | mb-stat --html a.html >/dev/null &&
	sed -n "/class=\"anomalies\"/,/<\/table>/p" a.html | grep -o "<tr><td>[^<]*</td><td>[0-9]*" | sed "s/<[^>]*>/ /g; s/  */ /g; s/^ //" >got &&
	printf "client_error 2\nresync 1\nmb-parse evictions 3\n" >want &&
	test_cmp want got &&
	grep -q "3 of 12 counters are not zero" a.html
'

test_expect_success CHROMIUM 'the console check catches an error' '
	printf "<!DOCTYPE html><title>t</title><script>console.error(\"planted failure\")</script>\n" >bad.html &&
	browse --dump-dom "file://$PWD/bad.html" >bad.dom 2>bad.log &&
	console_errors bad.log | grep -q "planted failure"
'

test_expect_success CHROMIUM 'Chromium renders it without console errors; every chart has shapes, axis titles and tooltips with units' '
	browse --dump-dom "file://$PWD/report.html" >dom.html 2>dom.log &&
	test -z "$(console_errors dom.log)" &&
	check_charts dom.html >check.out && cat check.out &&
	test "$(grep -c "^# chart-" check.out)" = 12 &&
	grep -q "^# chart-latency-time: 36 shapes, 33 tooltips" check.out
'

test_expect_success 'latency over time: p50 <= p90 <= p99 in each of the 11 windows of 100 ms' '
	sed -n "/id=\"chart-latency-time\"/,/<\/svg>/p" report.html | grep -o "<title>p[0-9]*: time [^<]*" >lt &&
	"$MB_PYTHON" - <<-\EOF
	import re
	unit = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}
	by = {}
	for line in open("lt"):
	    m = re.match(r"<title>p(\d+): time ([0-9.]+) s, latency ([0-9.]+) (ns|us|ms|s)$", line.strip())
	    assert m, line
	    by.setdefault(float(m.group(2)), {})[m.group(1)] = float(m.group(3)) * unit[m.group(4)]
	assert len(by) == 11, sorted(by)
	for t, p in by.items():
	    assert p["50"] <= p["90"] <= p["99"] and p["50"] > 0, (t, p)
	EOF
	mb-stat --json --window 100ms g.bin >g.json &&
	"$MB_PYTHON" - <<-\EOF
	import json
	s = json.load(open("g.json"))["series"]
	lat = s["latency_ns"]
	assert s["latency_slot_s"] == 0.1 and len(lat) == 11, (s["latency_slot_s"], len(lat))
	assert sum(x["count"] for x in lat) == 100000
	assert all(0 < x["p50"] <= x["p90"] <= x["p99"] for x in lat)
	EOF
'

test_expect_success CHROMIUM 'a screenshot is taken' '
	browse --screenshot="$PWD/shot.png" "file://$PWD/report.html" >shot.log 2>&1 &&
	test -s shot.png &&
	test "$(head -c 8 shot.png | od -An -c | tr -d " ")" = "211PNG\r\n032\n" &&
	if test -n "${MB_STAT_SHOT:-}"; then cp shot.png "$MB_STAT_SHOT"; fi
'

test_expect_success CHROMIUM 'a chart without data shows a placeholder, and the check notices' '
	mb-gen -n 2000 -K 100 --latency 0 --seed 1 | mb-stat --html nolat.html >/dev/null &&
	browse --dump-dom "file://$PWD/nolat.html" >nolat.dom 2>nolat.log &&
	grep -q "no data" nolat.dom && grep -q "no data: all [0-9]* TTLs are 0 (never expire)" nolat.dom &&
	test_must_fail "$MB_PYTHON" "$MB_SRC/t/lib/stat-html-check.py" nolat.dom chart-latency &&
	test_must_fail "$MB_PYTHON" "$MB_SRC/t/lib/stat-html-check.py" nolat.dom chart-latency-time
'

test_done
