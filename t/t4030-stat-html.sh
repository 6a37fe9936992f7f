#!/bin/sh
# t4030: mb-stat --html writes one self-contained page that headless Chromium renders with every chart.
test_description='mb-stat HTML report'
. "$(dirname "$0")/test-lib.sh"

CHARTS="chart-key-size chart-value-size-set chart-value-size-get chart-ops chart-working-set chart-hit-ratio chart-rank chart-mrc-objects chart-mrc-bytes chart-latency"

# chromium URL: headless, offline, a fresh profile; stderr has the console log.
browse() {
	profile=$(mktemp -d) &&
	timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$profile" --enable-logging=stderr --v=0 --window-size=1360,4000 "$@"
	rc=$?
	rm -rf "$profile"
	return $rc
}

# Console messages of a page (chromium logs them as "CONSOLE" lines with --enable-logging).
console_errors() { grep -i "console" "$1" | grep -iv "dbus" || true; }

test_expect_success 'the page is self-contained' '
	mb-gen -n 100000 -K 5000 -c 20 -m get=80,set=15,delete=5 --ttl 300 --seed 2 >g.bin &&
	mb-stat --html report.html g.bin >report.txt &&
	grep -q "^OVERVIEW" report.txt &&
	test "$(grep -c "<svg" report.html)" = 10 &&
	! grep -Ei "<script|<link|<img|<iframe|src=|href=|url\\(|@import" report.html &&
	test "$(grep -o "http[s]*://[^\"]*" report.html | sort -u)" = "http://www.w3.org/2000/svg"
'

test_expect_success '--html - writes the page to stdout instead of the text report' '
	mb-stat --html - g.bin >stdout.html &&
	head -c 15 stdout.html | grep -q "<!DOCTYPE html>" && ! grep -q "^OVERVIEW" stdout.html
'

test_expect_success CHROMIUM 'the console check catches an error' '
	printf "<!DOCTYPE html><title>t</title><script>console.error(\"planted failure\")</script>\n" >bad.html &&
	browse --dump-dom "file://$PWD/bad.html" >bad.dom 2>bad.log &&
	console_errors bad.log | grep -q "planted failure"
'

test_expect_success CHROMIUM 'Chromium renders it without console errors and every chart has shapes' '
	browse --dump-dom "file://$PWD/report.html" >dom.html 2>dom.log &&
	test -z "$(console_errors dom.log)" &&
	"$MB_PYTHON" "$MB_SRC/t/lib/stat-html-check.py" dom.html $CHARTS
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
	grep -q "no data" nolat.dom &&
	test_must_fail "$MB_PYTHON" "$MB_SRC/t/lib/stat-html-check.py" nolat.dom chart-latency
'

test_done
