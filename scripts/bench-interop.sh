#!/bin/sh
# bench-interop: events/s mb-cat converts cache traces at (the corpus oracleGeneral file, repeated),
# next to cat / zstd -d reading the same bytes. Medians of 5 runs, wall and CPU time.
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

# median of 5 runs of a shell command: "wall-seconds cpu-seconds" (cpu = user + sys, the machine may be shared)
median5() {
	for i in 1 2 3 4 5; do
		/usr/bin/time -f '%e %U %S' -o "$dir/time" sh -c "$1"
		awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$dir/time"
	done | sort -n -k2 | sed -n 3p
}
t_cat=$(median5 "cat '$dir/t.og' >/dev/null")
t_zcat=$(median5 "zstd -q -d -c '$dir/t.og.zst' >/dev/null")
t_from=$(median5 "'$B/mb-cat' --from oracle '$dir/t.og' >/dev/null")
t_fromz=$(median5 "'$B/mb-cat' --from oracle '$dir/t.og.zst' >/dev/null")
t_to=$(median5 "'$B/mb-cat' --to oracle '$dir/t.bin' >/dev/null")
t_tw=$(median5 "'$B/mb-cat' --from twitter '$dir/t.csv' >/dev/null")
t_totw=$(median5 "'$B/mb-cat' --to twitter '$dir/t.bin' >/dev/null")

row() { # label "wall cpu" "peer-wall peer-cpu"
	set -- "$1" ${2} ${3}
	printf '%-36s %12.0f %14.0f %8.2f %8.2f\n' "$1" "$(echo "$n / ($2 + 0.0005)" | bc -l)" \
		"$(echo "$n / ($3 + 0.0005)" | bc -l)" "$2" "$(echo "($5 + 0.0005) / ($3 + 0.0005)" | bc -l)"
}
printf '%-36s %12s %14s %8s %8s\n' "conversion ($n records)" "events/s" "events/cpu-s" "wall s" "cpu vs peer"
row "cat oracle file (peer)" "$t_cat" "$t_cat"
row "mb-cat --from oracle (plain)" "$t_from" "$t_cat"
row "zstd -d oracle file (peer)" "$t_zcat" "$t_zcat"
row "mb-cat --from oracle (zstd)" "$t_fromz" "$t_zcat"
row "mb-cat --to oracle (next access)" "$t_to" "$t_cat"
row "mb-cat --from twitter (CSV)" "$t_tw" "$t_cat"
row "mb-cat --to twitter (CSV)" "$t_totw" "$t_cat"
echo "cpu vs peer = peer cpu-seconds / ours (1.00 = as cheap as the peer only reading the bytes); load: $(cut -d' ' -f1-3 /proc/loadavg)"
