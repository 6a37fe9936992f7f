#!/bin/sh
# bench-stat: events/s and peak memory of mb-stat's full report on mb-gen streams (10M events;
# BENCH_QUICK=1: 500k), without and with the miss-ratio curve, next to the cost of just reading
# the stream (mb-cat -b) and a text-form popularity count (mb-cat | awk). Medians of 3 runs.
set -eu
B=${MB_BUILD:?}/bin
n=10000000
[ -n "${BENCH_QUICK:-}" ] && n=500000
dir=$(mktemp -d /dev/shm/mb-bench-stat.XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$B/mb-gen" -n "$n" --seed 1 >"$dir/s.bin"
"$B/mb-pack" "$dir/s.bin" >"$dir/s.prof"
awk_n=$((n / 10))

# run3 LABEL EVENTS CMD: median of 3 runs -> "wall_s cpu_s maxrss_kb"
run3() {
	for i in 1 2 3; do
		/usr/bin/time -f "%e %U %S %M" -o "$dir/t" sh -c "$3" >/dev/null
		awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$dir/t"
	done | sort -n | sed -n 2p
}

row() { # label events "wall cpu rss" "ref_wall ref_cpu ref_rss ref_events"
	set -- "$1" "$2" $3 $4
	awk -v l="$1" -v n="$2" -v w="$3" -v c="$4" -v m="$5" -v rc="$7" -v rn="$9" 'BEGIN {
		printf "%-30s %10d %12.0f %12.0f %8.1f %10.2f\n", l, n, n / w, n / c, m / 1024, (c / n) / (rc / rn) }'
}

ref=$(run3 cat "$n" "'$B/mb-cat' -b '$dir/s.bin'")
nomrc=$(run3 nomrc "$n" "'$B/mb-stat' --no-mrc '$dir/s.bin'")
full=$(run3 full "$n" "'$B/mb-stat' '$dir/s.bin'")
prof=$(run3 prof "$n" "'$B/mb-stat' '$dir/s.prof'")
json=$(run3 json "$n" "'$B/mb-stat' --json --html '$dir/r.html' '$dir/s.bin'")
awkr=$(run3 awk "$awk_n" "'$B/mb-cat' -H '$dir/s.bin' | head -n $awk_n | awk -F'\t' '{ c[\$7]++ } END { for (k in c) print c[k], k }' | sort -rn | head -10")
r="$ref $n"
printf '%-30s %10s %12s %12s %8s %10s\n' "mb-gen stream, medians of 3" "events" "events/s" "ev/s (cpu)" "max MiB" "cpu/cat"
row "mb-cat -b (read cost)" "$n" "$ref" "$r"
row "mb-stat --no-mrc" "$n" "$nomrc" "$r"
row "mb-stat (with MRC)" "$n" "$full" "$r"
row "mb-stat on the profile" "$n" "$prof" "$r"
row "mb-stat --json --html" "$n" "$json" "$r"
row "mb-cat | awk top keys (1/10)" "$awk_n" "$awkr" "$r"
echo "events/s: wall clock; ev/s (cpu): per second of user+sys time; cpu/cat: cpu time per event over mb-cat -b's"
echo "targets: >= 5M events/s without the miss-ratio curve, >= 2M/s with it"
