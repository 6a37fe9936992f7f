#!/bin/sh
# bench-pack.sh - profile bytes/event next to membench's format, libCacheSim oracleGeneral+zstd and the events' entropy floor; pack, unpack and mb-anon events/s.
#
# Workload (the issue's): mb-gen -n 10M -K 1M -z 1.0 -c 200, exponential inter-arrivals
# (100k req/s), get=90,set=10, key sizes 10-60, value sizes 10-100000 log-uniform,
# exponential latencies (mean 50 us). BENCH_QUICK=1: 500k events.
# mb-gen writes nanosecond times; a libpcap capture records microseconds, so the same
# workload is also measured with its times cut to microseconds ("usec" row).
# References, computed from the same events in the same run (scripts/bench-pack-ref.c):
#   membench   the original Rust tool's record: u16 length + bincode Event, 30/34 bytes
#   oG         libCacheSim oracleGeneral, 24 bytes per request
#   oG+zstd    the same file through zstd -3
#   stream+zstd  the plain membench stream through zstd -3 (the do-nothing alternative)
# Floor, per column (scripts/bench-pack-entropy.c, same run, same events): the order-0
# empirical entropy of each field of the packed stream (what any coder that codes the
# fields apart by their whole-stream frequencies needs) next to the stored bytes of the
# profile's columns for that field, and their ratio.
# Speeds are medians of RUNS runs of CPU time (user+sys; the machine is shared), wall
# time shown too.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${MB_BUILD:=$here/../build}"
bin=$MB_BUILD/bin
N=10000000 RUNS=3
if [ "${BENCH_QUICK:-0}" = 1 ]; then N=500000; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
cc -std=c11 -D_GNU_SOURCE -O2 -I"$here/../common" -o "$tmp/ref" "$here/bench-pack-ref.c" "$MB_BUILD/libmb.a" -lzstd -lm
cc -std=c11 -D_GNU_SOURCE -O2 -I"$here/../common" -o "$tmp/entropy" "$here/bench-pack-entropy.c" "$MB_BUILD/libmb.a" -lzstd -lm

GEN="-n $N -K 1000000 -z 1.0 -c 200 --key-size 10-60 --value-size 10-100000 --seed 42"
"$bin/mb-gen" $GEN >"$tmp/ns.bin"
"$tmp/ref" --usec "$tmp/ns.bin" "$tmp/us.bin"

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# timed OUT CMD...: RUNS runs with stdout to OUT; prints "cpu_median wall_median"
timed() {
	out=$1
	shift
	: >"$tmp/times"
	i=0
	while [ $i -lt $RUNS ]; do
		/usr/bin/time -f '%e %U %S' -o "$tmp/t1" "$@" >"$out" 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
		cat "$tmp/t1" >>"$tmp/times"
		i=$((i + 1))
	done
	cpu=$(awk '{ t = $2 + $3; print (t > 0.01 ? t : 0.01) }' "$tmp/times" | median)
	wall=$(awk '{ print $1 }' "$tmp/times" | median)
	echo "$cpu $wall"
}
size() { wc -c <"$1"; }
per() { awk -v b="$1" -v n="$N" 'BEGIN { printf "%.2f", b / n }'; }
rate() { awk -v s="$1" -v n="$N" 'BEGIN { printf "%.2fM", n / s / 1e6 }'; }

echo "workload: mb-gen $GEN (events: $N)"
echo
printf '%-6s %9s %9s %9s %9s %12s %16s\n' times profile membench oG oG+zstd stream+zstd profile/oG+zstd
for t in ns us; do
	"$bin/mb-pack" "$tmp/$t.bin" >"$tmp/$t.p"
	"$tmp/ref" "$tmp/$t.bin" "$tmp/$t.mb" "$tmp/$t.og" >/dev/null
	zstd -q -3 -f "$tmp/$t.og" -o "$tmp/$t.og.zst"
	zstd -q -3 -f "$tmp/$t.bin" -o "$tmp/$t.bin.zst"
	p=$(size "$tmp/$t.p") og=$(size "$tmp/$t.og.zst")
	printf '%-6s %9s %9s %9s %9s %12s %16s\n' "$t" "$(per "$p")" "$(per "$(size "$tmp/$t.mb")")" \
		"$(per "$(size "$tmp/$t.og")")" "$(per "$og")" "$(per "$(size "$tmp/$t.bin.zst")")" \
		"$(awk -v a="$p" -v b="$og" 'BEGIN { printf "%.2f", a / b }')"
	rm -f "$tmp/$t.mb" "$tmp/$t.og" "$tmp/$t.og.zst" "$tmp/$t.bin.zst"
done
echo "(bytes per event; target: profile <= 4 and < 0.5 x oG+zstd)"
for t in ns us; do
	echo
	echo "$t times: the profile's columns, and each field's floor (order-0 entropy of the same events)"
	"$tmp/entropy" "$tmp/$t.bin" "$tmp/$t.p"
done
echo

"$bin/mb-gen" $GEN --raw >"$tmp/raw.bin"
"$bin/mb-anon" --new-key >"$tmp/key"
set -- $(timed /dev/null "$bin/mb-pack" "$tmp/ns.bin"); pack_cpu=$1 pack_wall=$2
set -- $(timed /dev/null "$bin/mb-cat" -b "$tmp/ns.p"); unpack_cpu=$1 unpack_wall=$2
set -- $(timed /dev/null "$bin/mb-anon" -k "$tmp/key" "$tmp/raw.bin"); anon_cpu=$1 anon_wall=$2
set -- $(timed /dev/null zstd -q -3 -c "$tmp/ns.bin"); zc_cpu=$1 zc_wall=$2
zstd -q -3 -f "$tmp/ns.bin" -o "$tmp/ns.zst"
set -- $(timed /dev/null zstd -q -d -c "$tmp/ns.zst"); zd_cpu=$1 zd_wall=$2
set -- $(timed /dev/null "$bin/mb-cat" -b "$tmp/ns.bin"); cat_cpu=$1 cat_wall=$2

printf '%-34s %12s %9s %9s\n' step events/s cpu_s wall_s
row() { printf '%-34s %12s %9s %9s\n' "$1" "$(rate "$2")" "$2" "$3"; }
row "mb-pack (ns workload, level 3)" "$pack_cpu" "$pack_wall"
row "zstd -3 of the plain stream" "$zc_cpu" "$zc_wall"
row "unpack: mb-cat -b profile" "$unpack_cpu" "$unpack_wall"
row "zstd -d of the plain stream" "$zd_cpu" "$zd_wall"
row "mb-cat -b plain stream (copy)" "$cat_cpu" "$cat_wall"
row "mb-anon (raw -> hashed)" "$anon_cpu" "$anon_wall"
echo "(targets: mb-pack >= 3M events/s, mb-anon >= 10M events/s)"
awk -v a="$pack_cpu" -v b="$zc_cpu" -v c="$unpack_cpu" -v d="$zd_cpu" \
	'BEGIN { printf "ratios: mb-pack / zstd -3 speed %.2f, unpack / zstd -d speed %.2f\n", b / a, d / c }'
