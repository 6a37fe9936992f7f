#!/bin/bash
# bench-shards: aggregate ops/s of 1, 2 and 3 mb-fire shards (--shard K/N, one --start-at, merged with --merge) on this machine against one memcached, with the CPU each side used.
# Closed loop (--max, one worker per shard, DEPTH requests outstanding per connection) over 50
# connections, 10000 keys, 1:10 set:get; memcached -t 2. Each figure is the median of
# BENCH_RUNS runs (default 3) of the merged report's ops/s; the shards run on the same host,
# so they share its cores with memcached: the figures say what this host can drive, not what
# a fleet of hosts can (doc/scale-out.md). MB_BUILD names the build; BENCH_QUICK=1 shrinks it.
set -u
: "${MB_BUILD:=$(cd "$(dirname "$0")/.." && pwd)/build}"
BIN=$MB_BUILD/bin
PY=/usr/bin/python3
runs=${BENCH_RUNS:-3}
depth=${DEPTH:-1}
n=300000
[ "${BENCH_QUICK:-0}" = 1 ] && { n=30000; runs=1; }
for t in memcached "$PY"; do command -v "$t" >/dev/null || { echo "bench-shards: $t missing, skipped"; exit 0; }; done
work=$(mktemp -d)
pids=
trap 'kill $pids 2>/dev/null; rm -rf "$work"' EXIT

port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
memcached -u root -l 127.0.0.1 -p "$port" -t 2 -m 256 -U 0 >"$work/mc.log" 2>&1 &
mc=$!
pids="$pids $mc"
for _ in $(seq 50); do "$PY" -c "import socket; socket.create_connection(('127.0.0.1',$port),0.2)" 2>/dev/null && break; sleep 0.1; done
"$BIN/mb-gen" -n $n -K 10000 -z 0 -c 50 -m get=10,set=1 --value-size 100-100 --seed 11 >"$work/p.bin" || exit 1
"$BIN/mb-fire" -q -t 127.0.0.1:$port --max --depth 16 "$work/p.bin" >/dev/null || exit 1 # stores the keys
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '%-8s %12s %16s %16s %s\n' shards "ops/s" "mb-fire CPU s" "memcached CPU s" "(median of $runs, depth $depth)"
for shards in 1 2 3; do
	: >"$work/ops" && : >"$work/cpu" && : >"$work/mcpu"
	for _ in $(seq "$runs"); do
		at=$("$PY" -c 'import time; print("%.3f" % (time.time() + 1))')
		m0=$(ticks $mc)
		sp=
		for k in $(seq 0 $((shards - 1))); do
			"$BIN/mb-fire" -q -t 127.0.0.1:$port --max --depth "$depth" -T 1 --shard $k/$shards --start-at "$at" \
				--json "$work/s$k.json" "$work/p.bin" >/dev/null &
			sp="$sp $!"
		done
		for p in $sp; do wait "$p" || { echo "bench-shards: a shard failed"; exit 1; }; done
		m1=$(ticks $mc)
		files=$(for k in $(seq 0 $((shards - 1))); do echo "$work/s$k.json"; done)
		# shellcheck disable=SC2086
		"$BIN/mb-fire" --merge $files --json "$work/m.json" >/dev/null || exit 1
		"$PY" -c "import json; j = json.load(open('$work/m.json')); print(j['ops_per_s']); print(j['cpu_s'], file=open('$work/cpu', 'a'))" >>"$work/ops"
		echo "$(( (m1 - m0) ))" | awk -v hz="$(getconf CLK_TCK)" '{ print $1 / hz }' >>"$work/mcpu"
	done
	printf '%-8s %12.0f %16.2f %16.2f\n' $shards "$(median <"$work/ops")" "$(median <"$work/cpu")" "$(median <"$work/mcpu")"
done
