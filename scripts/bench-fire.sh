#!/bin/bash
# bench-fire: mb-fire closed loop (depth 1 and 16) against memcslap on one memcached -t 1,
# mb-fire's CPU per operation, timing fidelity at a 50k req/s profile, memory per connection.
# MB_BUILD names the build; BENCH_QUICK=1 shrinks sizes; BENCH_RUNS runs per figure (median).
set -u
: "${MB_BUILD:=$(cd "$(dirname "$0")/.." && pwd)/build}"
BIN=$MB_BUILD/bin
PY=/usr/bin/python3
quick=${BENCH_QUICK:-0}
runs=${BENCH_RUNS:-3}
if [ "$quick" = 1 ]; then n=20000; runs=1; nfid=20000; nconn=2000; else n=300000; nfid=150000; nconn=19000; fi
for t in memcached "$PY"; do command -v "$t" >/dev/null || { echo "bench-fire: $t missing, skipped"; exit 0; }; done
work=$(mktemp -d)
pids=
trap 'kill $pids 2>/dev/null; rm -rf "$work"' EXIT

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start_mc() { # start_mc MAXCONNS -> MC_PORT
	MC_PORT=$(free_port)
	memcached -u root -l 127.0.0.1 -p "$MC_PORT" -t 1 -m 256 -U 0 -c "$1" >"$work/mc.log" 2>&1 &
	pids="$pids $!"
	MC_PID=$!
	for _ in $(seq 50); do "$PY" -c "import socket; socket.create_connection(('127.0.0.1',$MC_PORT),0.2)" 2>/dev/null && return 0; sleep 0.1; done
	echo "bench-fire: memcached did not start: $(cat "$work/mc.log")"; exit 1
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
jget() { "$PY" -c "import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

# 50 connections, 10000 keys, 1:10 set:get
"$BIN/mb-gen" -n $n -K 10000 -z 0 -c 50 -m get=10,set=1 --value-size 100-100 --seed 11 >"$work/p.bin" || exit 1
start_mc 1024
# preload: one untimed replay stores the keys the sets name
"$BIN/mb-fire" -q -t 127.0.0.1:$MC_PORT --max --depth 16 "$work/p.bin" >/dev/null || exit 1

printf '%-34s %12s %14s %s\n' "closed loop, 50 conns, 1:10" "ops/s" "CPU us/op" "(median of $runs)"
for d in 1 16; do
	for r in $(seq $runs); do
		"$BIN/mb-fire" -q -t 127.0.0.1:$MC_PORT --max --depth $d --json "$work/d$d.$r.json" "$work/p.bin" >/dev/null || exit 1
		jget "$work/d$d.$r.json" 'r["ops_per_s"]' >>"$work/d$d.ops"
		jget "$work/d$d.$r.json" 'r["cpu_us_per_op"]' >>"$work/d$d.cpu"
	done
	printf '%-34s %12.0f %14.2f\n' "mb-fire --max --depth $d" "$(median <"$work/d$d.ops")" "$(median <"$work/d$d.cpu")"
done
if command -v memcslap >/dev/null; then
	per=$((n / 50))
	for test in set get; do
		for r in $(seq $runs); do
			/usr/bin/time -f "%U %S" -o "$work/ms.time" memcslap --servers=127.0.0.1:$MC_PORT --concurrency=50 \
				--execute-number=$per --test=$test --initial-load=10000 >"$work/ms.out" 2>&1
			secs=$(sed -n 's/^Time to '"$test"' .*: *\([0-9.]*\) seconds.*/\1/p' "$work/ms.out" | head -1)
			[ -n "$secs" ] || { echo "memcslap: $(tail -3 "$work/ms.out")"; break; }
			ops=$((per * 50))
			awk -v o=$ops -v s="$secs" 'BEGIN { printf "%.0f\n", o / s }' >>"$work/ms.$test.ops"
			awk -v o=$ops -v s="$secs" '{ printf "%.2f\n", ($1 + $2) * 1e6 / o }' "$work/ms.time" >>"$work/ms.$test.cpu"
		done
		[ -s "$work/ms.$test.ops" ] && printf '%-34s %12.0f %14.2f\n' "memcslap --test=$test (c=50)" \
			"$(median <"$work/ms.$test.ops")" "$(median <"$work/ms.$test.cpu")"
	done
	if [ -s "$work/ms.get.ops" ]; then
		awk -v a="$(median <"$work/d1.ops")" -v b="$(median <"$work/ms.get.ops")" -v c="$(median <"$work/d1.cpu")" \
		    -v d="$(median <"$work/ms.get.cpu")" \
		    'BEGIN { printf "ratio mb-fire depth 1 / memcslap get: ops/s %.2fx, CPU per op %.2fx (memcslap CPU includes its key generation)\n", a / b, c / d }'
	fi
else
	echo "memcslap missing: no peer figures"
fi
echo "target: <= 5 us CPU per op at depth 1"

# timing fidelity: a 50k req/s profile replayed at 1x
"$BIN/mb-gen" -n $nfid -K 10000 -c 50 -r 50000 --uniform -m get=10,set=1 --value-size 100-100 --seed 12 >"$work/f.bin" || exit 1
for r in $(seq $runs); do
	"$BIN/mb-fire" -q -t 127.0.0.1:$MC_PORT --json "$work/f.$r.json" "$work/f.bin" >/dev/null || exit 1
	jget "$work/f.$r.json" 'r["lateness"]["p99_ns"] / 1000' >>"$work/f.p99"
	jget "$work/f.$r.json" 'r["lateness"]["p50_ns"] / 1000' >>"$work/f.p50"
	jget "$work/f.$r.json" 'r["ops_per_s"]' >>"$work/f.ops"
done
printf 'timing fidelity, 50k req/s at 1x: achieved %.0f ops/s, lateness p50 %.1f us, p99 %.1f us (target p99 <= 50 us)\n' \
	"$(median <"$work/f.ops")" "$(median <"$work/f.p50")" "$(median <"$work/f.p99")"
# the same profile at a fifth of the speed (10k req/s), one worker: what precision the host allows
for r in $(seq $runs); do
	"$BIN/mb-fire" -q -T 1 -s 0.2 -t 127.0.0.1:$MC_PORT --json "$work/g.$r.json" "$work/f.bin" >/dev/null || exit 1
	jget "$work/g.$r.json" 'r["lateness"]["p99_ns"] / 1000' >>"$work/g.p99"
	jget "$work/g.$r.json" 'r["lateness"]["p50_ns"] / 1000' >>"$work/g.p50"
	jget "$work/g.$r.json" 'r["ops_per_s"]' >>"$work/g.ops"
done
printf 'timing fidelity, same profile at 0.2x (10k req/s), -T 1: achieved %.0f ops/s, lateness p50 %.1f us, p99 %.1f us\n' \
	"$(median <"$work/g.ops")" "$(median <"$work/g.p50")" "$(median <"$work/g.p99")"
echo "host load average: $(cut -d" " -f1-3 /proc/loadavg) on $(nproc) cores (other work on the host inflates every figure)"
kill $MC_PID 2>/dev/null

# many connections: RSS of mb-fire with nconn recorded connections against 50, per connection
hard=$(ulimit -Hn)
ulimit -n "$hard" 2>/dev/null
if [ $((nconn + 200)) -gt "$hard" ]; then nconn=$((hard - 500)); fi
start_mc $((nconn + 100))
"$BIN/mb-gen" -n $((nconn * 2)) -K 10000 -c $nconn -r 20000 --value-size 100-100 --seed 13 >"$work/c.bin" || exit 1
"$BIN/mb-gen" -n $((nconn * 2)) -K 10000 -c 50 -r 20000 --value-size 100-100 --seed 13 >"$work/c50.bin" || exit 1
/usr/bin/time -f "%M" -o "$work/rss.big" "$BIN/mb-fire" -q -T 2 -t 127.0.0.1:$MC_PORT -d 30 "$work/c.bin" >"$work/c.rep" || exit 1
/usr/bin/time -f "%M" -o "$work/rss.small" "$BIN/mb-fire" -q -T 2 -t 127.0.0.1:$MC_PORT -d 30 "$work/c50.bin" >/dev/null || exit 1
opened=$(sed -n 's/^connections: \([0-9]*\) opened.*/\1/p' "$work/c.rep")
big=$(tail -n 1 "$work/rss.big"); small=$(tail -n 1 "$work/rss.small")
printf 'connections: %s opened of %s recorded (open-file hard limit %s); max RSS %s KiB vs %s KiB with 50: %.0f bytes per opened connection (target <= 4096)\n' \
	"$opened" "$nconn" "$hard" "$big" "$small" "$(awk -v a=$big -v b=$small -v n=${opened:-0} 'BEGIN { print (n > 50 ? (a - b) * 1024 / (n - 50) : 0) }')"
grep "^errors" "$work/c.rep"
