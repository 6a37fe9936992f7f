#!/bin/sh
# bench-stream: events/s the stream reader+writer move through a pipe (mb-cat -b | mb-cat -b),
# next to the raw pipe copy (cat | cat) of the same bytes. Medians of 5 runs.
set -eu
B=${MB_BUILD:?}/bin
n=20000000
[ -n "${BENCH_QUICK:-}" ] && n=1000000
dir=$(mktemp -d /dev/shm/mb-bench.XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$B/mb-gen" -n "$n" -z 0 --latency 0 >"$dir/s.bin"
bytes=$(wc -c <"$dir/s.bin")

# median of 5 wall-clock runs of a shell command, in seconds
median5() {
	for i in 1 2 3 4 5; do
		s=$(date +%s.%N)
		sh -c "$1"
		e=$(date +%s.%N)
		echo "$e - $s" | bc -l
	done | sort -n | sed -n 3p
}
t_mb=$(median5 "'$B/mb-cat' -b <'$dir/s.bin' | '$B/mb-cat' -b >/dev/null")
t_cat=$(median5 "cat <'$dir/s.bin' | cat >/dev/null")
printf '%-34s %12s %10s %12s\n' "pipeline ($n hashed events)" "events/s" "MB/s" "vs cat|cat"
printf '%-34s %12.0f %10.0f %12.2f\n' "mb-cat -b | mb-cat -b" "$(echo "$n / $t_mb" | bc -l)" "$(echo "$bytes / $t_mb / 1000000" | bc -l)" "$(echo "$t_cat / $t_mb" | bc -l)"
printf '%-34s %12.0f %10.0f %12.2f\n' "cat | cat (same bytes)" "$(echo "$n / $t_cat" | bc -l)" "$(echo "$bytes / $t_cat / 1000000" | bc -l)" 1
echo "target: >= 20000000 events/s through the pipe"
