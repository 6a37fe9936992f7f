#!/bin/sh
# bench-parse.sh - mb-parse events/s and payload MB/s on a large generated capture, next to tshark -Y memcache.
#
# Capture: scripts/gen-memcache-pcap, text protocol, 100 connections, get=90,set=10, values
# 16-256 bytes, 1M requests with responses (BENCH_QUICK=1: 20k). tshark is too slow for the
# whole file, so it runs on a 50k-request slice generated with the same parameters (quick: 5k);
# mb-parse runs on both, the ratio is per packet on the same slice, and the big-file line is
# extrapolated from tshark's per-packet rate (marked so). Times are medians of RUNS runs; CPU
# time (user+sys) is the primary figure because the build machine is shared, wall time is shown too.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${MB_BUILD:=$here/../build}"
export MB_BUILD
bin=$MB_BUILD/bin
N=1000000 SLICE=50000 RUNS=5 TRUNS=3
if [ "${BENCH_QUICK:-0}" = 1 ]; then N=20000 SLICE=5000 RUNS=3 TRUNS=1; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
gen() { "$here/gen-memcache-pcap" -n "$1" -c 100 -K 100000 -m get=90,set=10 -v 16-256 -s 7 -o "$2" >/dev/null 2>&1; }
gen "$N" "$tmp/big.pcap"
gen "$SLICE" "$tmp/slice.pcap"

# median of numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# run CMD... RUNS times; prints "cpu_median wall_median"
timed() {
	runs=$1
	shift
	: >"$tmp/times"
	i=0
	while [ $i -lt "$runs" ]; do
		/usr/bin/time -f '%e %U %S' -o "$tmp/t1" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
		cat "$tmp/t1" >>"$tmp/times"
		i=$((i + 1))
	done
	# /usr/bin/time counts in 10 ms ticks: never report less than one tick
	cpu=$(awk '{ t = $2 + $3; print (t > 0.01 ? t : 0.01) }' "$tmp/times" | median)
	wall=$(awk '{ print $1 }' "$tmp/times" | median)
	echo "$cpu $wall"
}

# counters of a parse: packets events payload_bytes
counts() {
	"$bin/mb-parse" -q "$1" | "$bin/mb-cat" | tr '\t' '\n' |
		awk -F= '$1 == "packets" { p = $2 } $1 == "events" { e = $2 } $1 == "payload_bytes" { b = $2 } END { print p, e, b }'
}

set -- $(counts "$tmp/big.pcap")
bp=$1 be=$2 bb=$3
set -- $(counts "$tmp/slice.pcap")
sp=$1 se=$2
set -- $(timed $RUNS "$bin/mb-parse" -q "$tmp/big.pcap")
bcpu=$1 bwall=$2
set -- $(timed $RUNS "$bin/mb-parse" -q "$tmp/slice.pcap")
scpu=$1 swall=$2
if command -v tshark >/dev/null 2>&1; then
	set -- $(timed $TRUNS tshark -n -r "$tmp/slice.pcap" -Y memcache)
	tcpu=$1 twall=$2
else
	tcpu=0 twall=0
fi

awk -v bp="$bp" -v be="$be" -v bb="$bb" -v sp="$sp" -v se="$se" -v bcpu="$bcpu" -v bwall="$bwall" \
    -v scpu="$scpu" -v swall="$swall" -v tcpu="$tcpu" -v twall="$twall" -v runs="$RUNS" -v truns="$TRUNS" '
function rate(n, t) { return t > 0 ? n / t : 0 }
BEGIN {
	printf "mb-parse benchmark: generated text capture, 100 connections, get=90,set=10 (medians: mb-parse %d runs, tshark %d)\n", runs, truns
	printf "%-34s %10s %9s %9s %13s %13s %10s\n", "what", "packets", "cpu s", "wall s", "events/s cpu", "events/s wall", "MB/s cpu"
	printf "%-34s %10d %9.2f %9.2f %13.0f %13.0f %10.1f\n", "mb-parse, full capture", bp, bcpu, bwall, rate(be, bcpu), rate(be, bwall), rate(bb, bcpu) / 1e6
	printf "%-34s %10d %9.2f %9.2f %13.0f %13.0f %10s\n", "mb-parse, slice", sp, scpu, swall, rate(se, scpu), rate(se, swall), "-"
	if (tcpu > 0) {
		printf "%-34s %10d %9.2f %9.2f %13.0f %13.0f %10s\n", "tshark -Y memcache, slice", sp, tcpu, twall, rate(se, tcpu), rate(se, twall), "-"
		printf "%-34s %10d %9.2f %9s %13.0f %13s %10s\n", "tshark, full (extrapolated/packet)", bp, tcpu * bp / sp, "-", rate(be, tcpu * bp / sp), "-", "-"
		ratio = (tcpu * bp / sp) / bcpu
		printf "ratio mb-parse/tshark (cpu per packet, full capture vs tshark extrapolated from the slice): %.1fx\n", ratio
		printf "ratio on the slice itself (same file; mb-parse cpu %.2fs is near the 10 ms clock): %.1fx\n", scpu, tcpu / scpu
	} else {
		print "tshark not installed: no comparison"
	}
	printf "targets: >= 2,000,000 events/s on one core (cpu): %s; >= 50x tshark: %s\n",
		(rate(be, bcpu) >= 2e6 ? "met" : "NOT met"), ((tcpu > 0 && ratio >= 50) ? "met" : "NOT met")
}'
