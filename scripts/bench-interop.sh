#!/bin/sh
# bench-interop: events/s mb-cat converts cache traces at (the corpus oracleGeneral file, repeated),
# next to cat / zstd -d reading the same bytes. Medians of 5 runs.
set -eu
B=${MB_BUILD:?}/bin
here=$(cd "$(dirname "$0")" && pwd)
og=${MB_SHARED:-$here/../../shared}/corpus/traces/libcachesim-cloudPhysicsIO.oracleGeneral.bin
reps=40
[ -n "${BENCH_QUICK:-}" ] && reps=2
dir=$(mktemp -d /dev/shm/mb-bench.XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$dir"' EXIT
if [ -f "$og" ]; then
	i=0
	while [ $i -lt $reps ]; do cat "$og"; i=$((i + 1)); done >"$dir/t.og"
else
	# no corpus: a generated trace of the same size class
	"$B/mb-gen" -n $((reps * 113872)) -K 50000 --latency 0 | "$B/mb-cat" --to oracle >"$dir/t.og"
fi
zstd -q -1 -c "$dir/t.og" >"$dir/t.og.zst"
n=$(($(wc -c <"$dir/t.og") / 24))
"$B/mb-cat" --from oracle "$dir/t.og" >"$dir/t.bin"
"$B/mb-cat" --to twitter "$dir/t.bin" >"$dir/t.csv"

# median of 5 wall-clock runs of a shell command, in seconds
median5() {
	for i in 1 2 3 4 5; do
		s=$(date +%s.%N)
		sh -c "$1"
		e=$(date +%s.%N)
		echo "$e - $s" | bc -l
	done | sort -n | sed -n 3p
}
t_cat=$(median5 "cat '$dir/t.og' >/dev/null")
t_zcat=$(median5 "zstd -q -d -c '$dir/t.og.zst' >/dev/null")
t_from=$(median5 "'$B/mb-cat' --from oracle '$dir/t.og' >/dev/null")
t_fromz=$(median5 "'$B/mb-cat' --from oracle '$dir/t.og.zst' >/dev/null")
t_to=$(median5 "'$B/mb-cat' --to oracle '$dir/t.bin' >/dev/null")
t_tw=$(median5 "'$B/mb-cat' --from twitter '$dir/t.csv' >/dev/null")
t_totw=$(median5 "'$B/mb-cat' --to twitter '$dir/t.bin' >/dev/null")

row() { # label seconds peer-seconds
	printf '%-40s %12.0f %10.3f %10.2f\n' "$1" "$(echo "$n / $2" | bc -l)" "$2" "$(echo "$3 / $2" | bc -l)"
}
printf '%-40s %12s %10s %10s\n' "conversion ($n records)" "events/s" "seconds" "vs peer"
row "cat oracle file (peer)" "$t_cat" "$t_cat"
row "mb-cat --from oracle (plain)" "$t_from" "$t_cat"
row "zstd -d oracle file (peer)" "$t_zcat" "$t_zcat"
row "mb-cat --from oracle (zstd)" "$t_fromz" "$t_zcat"
row "mb-cat --to oracle (next access)" "$t_to" "$t_cat"
row "mb-cat --from twitter (CSV)" "$t_tw" "$t_cat"
row "mb-cat --to twitter (CSV)" "$t_totw" "$t_cat"
echo "peer ratio = peer seconds / ours (1.00 = as fast as the peer only reading the bytes)"
