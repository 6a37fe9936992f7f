#!/bin/sh
# t5080: mb-fire --html writes one self-contained page in mb-stat's style that headless Chromium
# renders without console errors, with every chart (ops/s, latency and lateness over time,
# latency per command), units on its tooltips, the exact per-command counts of the run, and only
# the error counters that are not 0.
test_description='mb-fire HTML report'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq MEMCACHED || test_skip_all 'memcached is missing (scripts/deps test)'
start_memcached || test_skip_all 'memcached did not start'

# Every chart of a timed run, with what each of its tooltips must say (its units).
CHARTS='chart-ops=^time [0-9.]+ s, ops/s [0-9.]+k?$
chart-latency-time=^p(50|99): time [0-9.]+ s, latency [0-9.]+ (ns|us|ms|s)$
chart-lateness-time=^time [0-9.]+ s, lateness [0-9.]+ (ns|us|ms|s)$
chart-latency=^(get|set|delete) p[0-9.]+: [0-9.]+ (ns|us|ms|s)$'

check_charts() {
	dom=$1
	shift
	printf '%s\n' "$CHARTS" | tr '\n' '\0' | xargs -0 "$MB_PYTHON" "$MB_SRC/t/lib/stat-html-check.py" "$dom" "$@"
}

# The counts of the input, per command: "get 1234" lines.
test_expect_success 'setup: 2.5 s of recorded traffic, its replay with --html and --json' '
	mb-gen -n 25000 -r 10000 -K 500 -c 8 -m get=80,set=15,delete=5 --seed 5 >g.bin &&
	mb-cat g.bin | awk -F"\t" "\$1 == \"ev\" { n[\$5]++ } END { for (c in n) print c, n[c] }" | sort >want.cmds &&
	test "$(wc -l <want.cmds)" = 3 &&
	mb-fire -q -t 127.0.0.1:$MC_PORT --html report.html --json report.json g.bin >report.txt &&
	grep -q "^mb-fire: 25000 operations" report.txt
'

test_expect_success 'the page is self-contained, with the four charts' '
	head -c 15 report.html | grep -q "<!DOCTYPE html>" &&
	test "$(grep -c "<svg" report.html)" = 4 &&
	! grep -Ei "<script|<link|<img|<iframe|src=|href=|url\\(|@import" report.html &&
	test "$(grep -o "http[s]*://[^\"]*" report.html | sort -u)" = "http://www.w3.org/2000/svg"
'

test_expect_success 'the page has the style of mb-stat'"'"'s, from the one place that writes it' '
	mb-gen -n 2000 --seed 1 | mb-stat --html stat.html >/dev/null &&
	grep -o "<style>.*</style>" stat.html >stat.style &&
	grep -o "<style>.*</style>" report.html >fire.style &&
	test -s fire.style && test_cmp stat.style fire.style
'

test_expect_success 'per command: the exact counts of the run, the same as the JSON report' '
	sed -n "/<h2>Latency per command/,/<\/table>/p" report.html | grep -o "<tr><td>[a-z]*</td><td>[0-9]*" |
		sed "s/<[^>]*>/ /g; s/  */ /g; s/^ //" | sort >got.cmds &&
	test_cmp want.cmds got.cmds &&
	"$MB_PYTHON" -c "
import json
c = json.load(open(\"report.json\"))[\"commands\"]
for k in sorted(c): print(k, c[k][\"ops\"])" >json.cmds &&
	test_cmp want.cmds json.cmds &&
	sed -n "/<h3>Statuses/,/<\/table>/p" report.html | grep -o "<tr><td>[a-z]*</td><td>[a-z_]*</td><td>[0-9]*" |
		sed "s/<[^>]*>/ /g; s/  */ /g; s/^ //" | sort >got.st &&
	"$MB_PYTHON" -c "
import json
c = json.load(open(\"report.json\"))[\"commands\"]
for k in c:
    for s, n in c[k][\"status\"].items(): print(k, s, n)" | sort >json.st &&
	test_cmp json.st got.st
'

test_expect_success 'over time: a point per second of the 2.5 s run, and only the error counters not 0' '
	pts=$(sed -n "/id=\"chart-ops\"/,/<\/svg>/p" report.html | grep -o "<title>time [0-9.]* s, ops/s" | wc -l) &&
	echo "points: $pts" && test "$pts" -ge 3 && test "$pts" -le 5 &&
	grep -q "0 of 9 counters are not zero; 0 requests were not sent or not answered" report.html &&
	! sed -n "/class=\"anomalies\"/,/<\/table>/p" report.html | grep -q "<td>"
'

test_expect_success '--html - writes the page to stdout, the text report to stderr; --json - --html - is a usage error' '
	mb-fire -q -t 127.0.0.1:$MC_PORT --max --html - g.bin >max.html 2>max.txt &&
	head -c 15 max.html | grep -q "<!DOCTYPE html>" && grep -q "^mb-fire: 25000 operations" max.txt &&
	test "$(grep -c "<svg" max.html)" = 3 && ! grep -q "chart-lateness-time" max.html &&
	test_expect_code 2 mb-fire -t 127.0.0.1:$MC_PORT --json - --html - g.bin 2>err &&
	test_one_line_error mb-fire err
'

test_expect_success 'an HTML file that cannot be written: exit 1, one line naming it, the text report still out' '
	test_expect_code 1 mb-fire -q -t 127.0.0.1:$MC_PORT --max --html /nonexistent/r.html g.bin >out 2>err &&
	test_one_line_error mb-fire err &&
	grep -q "^mb-fire: cannot create the HTML report: .*: '"'"'/nonexistent/r.html'"'"'\$" err &&
	grep -q "^mb-fire: 25000 operations" out
'

test_expect_success CHROMIUM 'Chromium renders it without console errors; every chart has shapes, axis titles and tooltips with units' '
	browse --dump-dom "file://$PWD/report.html" >dom.html 2>dom.log &&
	test -z "$(console_errors dom.log)" &&
	check_charts dom.html >check.out && cat check.out &&
	test "$(grep -c "^# chart-" check.out)" = 4 &&
	grep -q "^# chart-latency: 12 shapes, 12 tooltips" check.out
'

test_done
