#!/bin/bash
# bench-fire: mb-fire closed loop (depth 1 and 16) against memcslap (and memtier_benchmark and
# mc-crusher when built locally) on one memcached -t 1, mb-fire's CPU per operation, timing
# fidelity at a 50k req/s profile next to an ideal sender's on the same machine in the same
# minutes (scripts/bench-fire-floor.c) with the steal time of each run, memory per connection
# at the open-file limit.
# MB_BUILD names the build; BENCH_QUICK=1 shrinks sizes; BENCH_RUNS runs per figure (median).
set -u
: "${MB_BUILD:=$(cd "$(dirname "$0")/.." && pwd)/build}"
BIN=$MB_BUILD/bin
PY=/usr/bin/python3
quick=${BENCH_QUICK:-0}
runs=${BENCH_RUNS:-3}
if [ "$quick" = 1 ]; then n=20000; runs=1; nfid=20000; nconn=2000; else n=300000; nfid=150000; nconn=20000; fi
cruns=$((runs < 7 && quick == 0 ? 7 : runs)) # rounds of the CPU ratios' runs
for t in memcached "$PY"; do command -v "$t" >/dev/null || { echo "bench-fire: $t missing, skipped"; exit 0; }; done
work=$(mktemp -d)
pids=
trap 'kill $pids 2>/dev/null; rm -rf "$work"' EXIT
cc -std=c11 -O2 -o "$work/floor" "$(dirname "$0")/bench-fire-floor.c" || exit 1

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start_mc() { # start_mc MAXCONNS -> MC_PORT
	MC_PORT=$(free_port)
	memcached -u root -l 127.0.0.1 -p "$MC_PORT" -t 1 -m 256 -U 0 -c "$1" >"$work/mc.log" 2>&1 &
	pids="$pids $!"
	MC_PID=$!
	for _ in $(seq 50); do "$PY" -c "import socket; socket.create_connection(('127.0.0.1',$MC_PORT),0.2)" 2>/dev/null && return 0; sleep 0.1; done
	echo "bench-fire: memcached did not start: $(cat "$work/mc.log")"; exit 1
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # utime + stime of a process, in clock ticks
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# ratio A B: "A/Bx", or what the peer's figure was when it rounds to 0 (a sender that
# sends nothing, on a quiet host: its p99 is below the histogram's 0.1 us)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else printf "- (the peer: %s)", b }'; }
jget() { "$PY" -c "import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

# 50 connections, 1:10 set:get, 100-byte values, the keys mc-crusher sends below: mbk0 ..
# mbk9999, uniformly (memtier_benchmark cannot start at 0: mbk1 .. mbk10000). mb-fire sends
# keys regenerated from their hashes, of the same lengths.
"$BIN/mb-gen" -n $n -K 10000 -z 0 --key-prefix mbk -c 50 -m get=10,set=1 --value-size 100-100 --seed 11 >"$work/p.bin" || exit 1
start_mc 1024
# preload: one untimed replay stores the keys the sets name
"$BIN/mb-fire" -q -t 127.0.0.1:$MC_PORT --max --depth 16 "$work/p.bin" >/dev/null || exit 1

# mc-crusher (not a Debian package either: MC_CRUSHER names a build): 45 get and 5 set
# connections, one request in flight each, keys drawn uniformly from mbk0 .. mbk9999
# (live_rand), replies read blindly (never parsed), 5 seconds;
# its operations are counted by memcached. Its runs alternate with mb-fire's depth 1 -T 1
# runs, so a change in the host's load falls on both.
crusher=${MC_CRUSHER:-$(command -v mc-crusher || true)}
[ -n "$crusher" ] && [ -x "$crusher" ] || crusher=
mc_ops() { "$PY" -c "import socket; s=socket.create_connection(('127.0.0.1',$MC_PORT)); s.sendall(b'stats\r\n'); d=b''
while not d.endswith(b'END\r\n'): d+=s.recv(65536)
st=dict(l.split()[1:3] for l in d.decode().splitlines() if l.startswith('STAT'))
print(int(st['cmd_get'])+int(st['cmd_set']))"; }
printf '%s\n' "send=ascii_get,recv=blind_read,conns=45,key_prefix=mbk,key_prealloc=0,live_rand=1,pipelines=1,key_count=10000" \
	"send=ascii_set,recv=blind_read,conns=5,key_prefix=mbk,key_prealloc=0,live_rand=1,pipelines=1,value_size=100,key_count=10000" >"$work/crush.conf"
crush_run() {
	o0=$(mc_ops)
	/usr/bin/time -f "%U %S %e" -o "$work/cr.time" "$crusher" --conf "$work/crush.conf" --ip 127.0.0.1 --port $MC_PORT --timeout 5 >/dev/null 2>&1
	o1=$(mc_ops)
	awk -v o=$((o1 - o0)) '{ printf "%.0f %.2f %.2f %.2f\n", o / $3, ($1 + $2) * 1e6 / o, $1 * 1e6 / o, $2 * 1e6 / o }' "$work/cr.time" >>"$work/cr.res"
}

printf '%-40s %12s %14s %s\n' "closed loop, 50 conns, 1:10" "ops/s" "CPU us/op" "(median of $runs; -T 1 rows and mc-crusher: of $cruns)"
hz=$(getconf CLK_TCK)
# fire_run DEPTH ARGS...: one closed-loop run, its figures appended to $work/d<tag>.*
fire_run() {
	local d=$1 tag r m0 m1 t0 t1
	shift
	tag=$(echo "$d:$*" | tr -dc '0-9a-z')
	r=$(($(cat "$work/d$tag.ops" 2>/dev/null | wc -l) + 1))
	m0=$(cpu_ticks $MC_PID) t0=$(date +%s.%N)
	/usr/bin/time -f "%U %S" -o "$work/ft.time" \
		"$BIN/mb-fire" -q "$@" -t 127.0.0.1:$MC_PORT --max --depth $d --json "$work/d$tag.$r.json" "$work/p.bin" >/dev/null || exit 1
	m1=$(cpu_ticks $MC_PID) t1=$(date +%s.%N)
	jget "$work/d$tag.$r.json" 'r["ops_per_s"]' >>"$work/d$tag.ops"
	jget "$work/d$tag.$r.json" 'r["cpu_us_per_op"]' >>"$work/d$tag.cpu"
	# the same CPU per op split into user space and kernel (time's shares of it)
	awk -v c="$(tail -n 1 "$work/d$tag.cpu")" '{ t = $1 + $2; printf "%.2f %.2f\n", (t > 0 ? c * $1 / t : 0), (t > 0 ? c * $2 / t : 0) }' \
		"$work/ft.time" >>"$work/d$tag.us"
	jget "$work/d$tag.$r.json" 'r["cpu_s"] / r["elapsed_s"] * 100' >>"$work/d$tag.fcpu"
	awk -v a=$m0 -v b=$m1 -v s=$t0 -v e=$t1 -v hz=$hz 'BEGIN { printf "%.0f\n", (b - a) / hz / (e - s) * 100 }' >>"$work/d$tag.mcpu"
}
fire_row() { # fire_row LABEL TAG
	printf '%-40s %12.0f %14.2f   (mb-fire %s%% of a core, memcached %s%%)\n' "$1" "$(median <"$work/d$2.ops")" \
		"$(median <"$work/d$2.cpu")" "$(median <"$work/d$2.fcpu" | xargs printf %.0f)" "$(median <"$work/d$2.mcpu")"
}
# depth 1 with one worker thread, as the single-threaded peers below run, in turn with the
# same without the per-key order (what the order costs), with a system call per send and
# receive instead of io_uring batches (what the batches save), and with mc-crusher, so a
# change in the host's load falls on all four (five rounds at least: the targets are
# ratios of these medians); then depth 1 and 16 with the default threads
for r in $(seq $cruns); do
	fire_run 1 -T 1
	fire_run 1 -T 1 --no-order
	fire_run 1 -T 1 --no-uring
	[ -z "$crusher" ] || crush_run
done
# depth 16 with the default threads (half the cores: the target runs on this host), and
# both depths with a worker on every core (the default with a distant target)
ncpu=$(nproc)
for r in $(seq $runs); do fire_run 16; done
for r in $(seq $runs); do fire_run 1 -T $ncpu; done
for r in $(seq $runs); do fire_run 16 -T $ncpu; done
fire_row "mb-fire --max --depth 1 -T 1" 11
fire_row "mb-fire --max --depth 1 -T 1 --no-order" 11noorder
fire_row "mb-fire --max --depth 1 -T 1 --no-uring" 11nouring
fire_row "mb-fire --max --depth 16 (default -T: $((ncpu / 2 > 0 ? ncpu / 2 : 1)))" 16
fire_row "mb-fire --max --depth 1 -T $ncpu" "1$ncpu"
fire_row "mb-fire --max --depth 16 -T $ncpu" "16$ncpu"
awk -v a="$(median <"$work/d11.cpu")" -v b="$(median <"$work/d11noorder.cpu")" \
	'BEGIN { printf "ratio per-key order on / off at depth 1 -T 1: CPU per op %.2fx (target <= 1.10x)\n", a / b }'
awk -v a="$(median <"$work/d11.cpu")" -v b="$(median <"$work/d11nouring.cpu")" \
	'BEGIN { printf "ratio io_uring batches / a system call each at depth 1 -T 1: CPU per op %.2fx\n", a / b }'
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
		[ -s "$work/ms.$test.ops" ] && printf '%-40s %12.0f %14.2f\n' "memcslap --test=$test (c=50)" \
			"$(median <"$work/ms.$test.ops")" "$(median <"$work/ms.$test.cpu")"
	done
	if [ -s "$work/ms.get.ops" ]; then
		awk -v a="$(median <"$work/d11.ops")" -v b="$(median <"$work/ms.get.ops")" -v c="$(median <"$work/d11.cpu")" \
		    -v d="$(median <"$work/ms.get.cpu")" \
		    'BEGIN { printf "ratio mb-fire depth 1 -T 1 / memcslap get: ops/s %.2fx, CPU per op %.2fx (memcslap CPU includes its key generation)\n", a / b, c / d }'
	fi
else
	echo "memcslap missing: no peer figures"
fi
# memtier_benchmark (not a Debian package: used when a local build is on PATH or in MEMTIER),
# keys mbk1 .. mbk10000 drawn uniformly
memtier=${MEMTIER:-$(command -v memtier_benchmark || true)}
if [ -n "$memtier" ] && [ -x "$memtier" ]; then
	for r in $(seq $runs); do
		/usr/bin/time -f "%U %S %e" -o "$work/mt.time" "$memtier" -s 127.0.0.1 -p $MC_PORT -P memcache_text -t 1 -c 50 \
			--ratio=1:10 -d 100 --key-prefix=mbk --key-minimum=1 --key-maximum=10000 --key-pattern=R:R -n $((n / 50)) --pipeline=1 --hide-histogram >"$work/mt.out" 2>&1 ||
			{ echo "memtier_benchmark failed: $(grep -m1 -i error "$work/mt.out")"; break; }
		awk -v o=$n '{ printf "%.0f %.2f\n", o / $3, ($1 + $2) * 1e6 / o }' "$work/mt.time" >>"$work/mt.res"
	done
	if [ -s "$work/mt.res" ]; then
		printf '%-40s %12.0f %14.2f\n' "memtier_benchmark (c=50, 1:10)" "$(cut -d' ' -f1 "$work/mt.res" | median)" \
			"$(cut -d' ' -f2 "$work/mt.res" | median)"
		awk -v c="$(median <"$work/d11.cpu")" -v m="$(cut -d' ' -f2 "$work/mt.res" | median)" \
			'BEGIN { printf "ratio mb-fire depth 1 -T 1 / memtier_benchmark: CPU per op %.2fx\n", c / m }'
	fi
else
	echo "memtier_benchmark not installed (MEMTIER=path to use a build): no memtier figures"
fi
# mc-crusher's runs alternate with mb-fire's depth 1 -T 1 runs above
if [ -s "$work/cr.res" ]; then
	printf '%-40s %12.0f %14.2f\n' "mc-crusher (c=50, 1:9, blind)" "$(cut -d' ' -f1 "$work/cr.res" | median)" "$(cut -d' ' -f2 "$work/cr.res" | median)"
	awk -v c="$(median <"$work/d11.cpu")" -v m="$(cut -d' ' -f2 "$work/cr.res" | median)" \
		'BEGIN { printf "ratio mb-fire depth 1 -T 1 / mc-crusher: CPU per op %.2fx (mc-crusher never parses a reply)\n", c / m }'
	ucol() { awk -v c=$2 '{ print $c }' "$work/$1" | median; }
	printf 'user space / kernel, us per op (medians): mb-fire -T 1 %.2f / %.2f, with --no-order %.2f / %.2f, with --no-uring %.2f / %.2f, mc-crusher %.2f / %.2f\n' \
		"$(ucol d11.us 1)" "$(ucol d11.us 2)" "$(ucol d11noorder.us 1)" "$(ucol d11noorder.us 2)" "$(ucol d11nouring.us 1)" "$(ucol d11nouring.us 2)" \
		"$(ucol cr.res 3)" "$(ucol cr.res 4)"
else
	echo "mc-crusher not installed (MC_CRUSHER=path to use a build): no mc-crusher figures"
fi
echo "target: mb-fire depth 1 -T 1 at most 1.0x mc-crusher's CPU per op"

# timing fidelity: a 50k req/s profile replayed at 1x (and at 0.2x), each run next to the
# time the hypervisor took from the virtual CPUs meanwhile (steal, /proc/stat), which no
# program inside the machine can make up for. Each default 1x run is followed by the peer:
# an ideal sender (bench-fire-floor) polling the clock for the same 50k deadlines a second
# and sending nothing, whose lateness is the least this machine allows at that moment, and
# by the same ideal sender making the profile's requests (the same keys, commands, value
# sizes and connections, built before the first deadline) at the same deadlines and reading
# the answers unparsed: the least lateness of a sender of these requests here.
"$BIN/mb-gen" -n $nfid -K 10000 --key-prefix mbk -c 50 -r 50000 --uniform -m get=10,set=1 --value-size 100-100 --seed 12 >"$work/f.bin" || exit 1
"$BIN/mb-cat" "$work/f.bin" | awk -F'\t' '$1 == "ev" { print $3, $5, $7, $9 }' >"$work/f.reqs" || exit 1
steal_ms() { awk -v hz=$hz '/^cpu / { printf "%d\n", $9 * 1000 / hz }' /proc/stat; }
fruns=$((runs < 5 && quick == 0 ? 5 : runs))
# "own p99": lateness less the waits for the per-key order (the sender's own delay; with
# order on, a request may wait for an earlier conflicting one the server has not answered)
printf '%-40s %9s %9s %9s %9s %10s %10s  %s\n' "timing fidelity (median of $fruns)" "ops/s" "p50 us" "p90 us" "p99 us" "own p99 us" "steal ms" "p99 per run (steal ms)"
for v in "1x:" "1x:--no-order" "1x:-T 2" "0.2x:-s 0.2"; do
	tag=$(echo "$v" | tr -dc 'a-z0-9'); label=${v%%:*}; args=${v#*:}
	: >"$work/f$tag.per"
	for r in $(seq $fruns); do
		s0=$(steal_ms)
		"$BIN/mb-fire" -q $args -t 127.0.0.1:$MC_PORT --json "$work/f$tag.$r.json" "$work/f.bin" >/dev/null || exit 1
		s1=$(steal_ms)
		# ops/s p50 p90 p99 own-p99 steal, then: requests that waited for their order, their
		# mean wait (us), and the server's p99 answer time to gets from the actual send (us)
		jget "$work/f$tag.$r.json" '"%.0f %.1f %.1f %.1f %.1f %d %.1f %.1f" % (r["ops_per_s"], r["lateness"]["p50_ns"] / 1e3, r["lateness"]["p90_ns"] / 1e3, r["lateness"]["p99_ns"] / 1e3, r["lateness_own"]["p99_ns"] / 1e3, r["order"]["waited"] if r["order"]["on"] else 0, r["order"]["wait_ns"] / max(1, r["order"]["waited"]) / 1e3 if r["order"]["on"] else 0, r["commands"]["get"]["latency_actual"]["p99_ns"] / 1e3)' |
			awk -v st=$((s1 - s0)) '{ print $1, $2, $3, $4, $5, st, $6, $7, $8 }' >>"$work/f$tag.per"
		if [ "$tag" = 1x ]; then
			s0=$(steal_ms)
			"$work/floor" 50000 $nfid >"$work/floor.out" || exit 1
			s1=$(steal_ms)
			awk -v st=$((s1 - s0)) '{ print 50000, $1, $2, $3, st, $6, $7 }' "$work/floor.out" >>"$work/floor.per"
			s0=$(steal_ms)
			"$work/floor" 50000 $nfid 127.0.0.1 $MC_PORT 50 "$work/f.reqs" >"$work/floor.out" || exit 1
			s1=$(steal_ms)
			awk -v st=$((s1 - s0)) '{ print 50000, $1, $2, $3, st }' "$work/floor.out" >>"$work/sfloor.per"
		fi
	done
	col() { awk -v c=$1 '{ print $c }' "$work/f$tag.per" | median; }
	printf '%-40s %9.0f %9.1f %9.1f %9.1f %10.1f %10.0f  %s\n' "$(echo "$label, 50k req/s profile, ${args:-default -T}" | sed 's/^0.2x, 50k/0.2x (10k req\/s), 50k/')" \
		"$(col 1)" "$(col 2)" "$(col 3)" "$(col 4)" "$(col 5)" "$(col 6)" "$(awk '{ printf "%.0f(%d) ", $4, $6 }' "$work/f$tag.per")"
	if [ "$tag" = 1x ] || [ "$tag" = 1xnoorder ]; then
		printf '  medians: %s requests waited for their key order (mean wait %s us); the server answered gets in p99 %s us from the actual send\n' "$(col 7)" "$(col 8)" "$(col 9)"
	fi
	if [ "$tag" = 1x ]; then
		fcol() { awk -v c=$1 '{ print $c }' "$work/floor.per" | median; }
		printf '%-40s %9s %9.1f %9.1f %9.1f %10s %10.0f  %s\n' "  ideal sender, same deadlines (peer)" "-" "$(fcol 2)" "$(fcol 3)" "$(fcol 4)" "-" "$(fcol 5)" \
			"$(awk '{ printf "%.0f(%d) ", $4, $5 }' "$work/floor.per")"
		printf '  ideal sender: median %s gaps over 50 us and %s ms without the CPU per 3 s run; ratio p99 mb-fire / ideal sender %s (own lateness %s)\n' \
			"$(fcol 6)" "$(fcol 7)" "$(ratio "$(col 4)" "$(fcol 4)")" \
			"$(ratio "$(col 5)" "$(fcol 4)")"
		scol() { awk -v c=$1 '{ print $c }' "$work/sfloor.per" | median; }
		printf '%-40s %9s %9.1f %9.1f %9.1f %10s %10.0f  %s\n' "  ideal sender, the same sends (peer)" "-" "$(scol 2)" "$(scol 3)" "$(scol 4)" "-" "$(scol 5)" \
			"$(awk '{ printf "%.0f(%d) ", $4, $5 }' "$work/sfloor.per")"
		printf '  ratio p99 mb-fire / ideal sender making the same sends %s (own lateness %s)\n' \
			"$(ratio "$(col 4)" "$(scol 4)")" \
			"$(ratio "$(col 5)" "$(scol 4)")"
	fi
	if [ "$tag" = 1xnoorder ]; then
		printf '  ratio p99 mb-fire --no-order / ideal sender %s, / ideal sender making the same sends %s\n' \
			"$(ratio "$(col 4)" "$(fcol 4)")" \
			"$(ratio "$(col 4)" "$(scol 4)")"
	fi
done
# a server's pause: memcached stopped for 100 ms, 1 s into the run. With --no-order the
# requests keep going out on time meanwhile, and the answers then come in a burst that the
# sender reads between its next sends; the sending ideal sender meets the same pause.
pause_mc() { (sleep 1; kill -STOP $MC_PID; sleep 0.1; kill -CONT $MC_PID) & PAUSER=$!; }
: >"$work/pause.per"; : >"$work/spause.per"
for r in $(seq $fruns); do
	pause_mc
	"$BIN/mb-fire" -q --no-order -t 127.0.0.1:$MC_PORT --json "$work/pause.$r.json" "$work/f.bin" >/dev/null || exit 1
	wait $PAUSER
	jget "$work/pause.$r.json" '"%.1f %.1f %.1f" % (r["lateness"]["p50_ns"] / 1e3, r["lateness"]["p90_ns"] / 1e3, r["lateness"]["p99_ns"] / 1e3)' >>"$work/pause.per"
	pause_mc
	"$work/floor" 50000 $nfid 127.0.0.1 $MC_PORT 50 "$work/f.reqs" >"$work/floor.out" || exit 1
	wait $PAUSER
	awk '{ print $1, $2, $3 }' "$work/floor.out" >>"$work/spause.per"
done
pcol() { awk -v c=$2 '{ print $c }' "$work/$1" | median; }
printf '%-40s %9s %9.1f %9.1f %9.1f %10s %10s  %s\n' "1x --no-order, server paused 100 ms" "-" "$(pcol pause.per 1)" "$(pcol pause.per 2)" "$(pcol pause.per 3)" "-" "-" \
	"$(awk '{ printf "%.0f ", $3 }' "$work/pause.per")"
printf '%-40s %9s %9.1f %9.1f %9.1f %10s %10s  %s\n' "  ideal sender, the same sends and pause" "-" "$(pcol spause.per 1)" "$(pcol spause.per 2)" "$(pcol spause.per 3)" "-" "-" \
	"$(awk '{ printf "%.0f ", $3 }' "$work/spause.per")"
printf '  ratio p99 mb-fire --no-order / ideal sender making the same sends, server paused: %s\n' \
	"$(ratio "$(pcol pause.per 3)" "$(pcol spause.per 3)")"
echo "target: p99 lateness at most 1.5x the ideal sender's at 1x; default -T in timed modes is half the cores ($(( $(nproc) / 2 > 0 ? $(nproc) / 2 : 1 )) here)"
echo "host load average: $(cut -d" " -f1-3 /proc/loadavg) on $(nproc) cores (other work on the host inflates every figure)"
kill $MC_PID 2>/dev/null

# many connections: RSS of mb-fire with nconn recorded connections against 50, per connection
hard=$(ulimit -Hn)
ulimit -n "$hard" 2>/dev/null
# every descriptor counts: mb-fire and memcached each need a few besides the connections
if [ $((nconn + 100)) -gt "$hard" ]; then nconn=$((hard - 100)); fi
start_mc $((nconn + 60))
# 12 events per connection on average: all but ~nconn*e^-12 connections are used
"$BIN/mb-gen" -n $((nconn * 12)) -K 10000 -c $nconn -r 200000 --value-size 100-100 --seed 13 >"$work/c.bin" || exit 1
"$BIN/mb-gen" -n $((nconn * 12)) -K 10000 -c 50 -r 200000 --value-size 100-100 --seed 13 >"$work/c50.bin" || exit 1
# memcached's own count of open connections, sampled while the big replay runs
( peak=0; while kill -0 $MC_PID 2>/dev/null; do
	c=$("$PY" -c "import socket; s=socket.create_connection(('127.0.0.1',$MC_PORT),1); s.sendall(b'stats\r\n'); d=b''
while not d.endswith(b'END\r\n'): d+=s.recv(65536)
print([l.split()[2] for l in d.decode().splitlines() if l.startswith('STAT curr_connections ')][0])" 2>/dev/null)
	[ -n "$c" ] && [ "$c" -gt "$peak" ] && peak=$c && echo $peak >"$work/peak"
	sleep 0.2; done ) &
pids="$pids $!"
/usr/bin/time -f "%M" -o "$work/rss.big" "$BIN/mb-fire" -q -T 2 -t 127.0.0.1:$MC_PORT -d 30 "$work/c.bin" >"$work/c.rep" || exit 1
/usr/bin/time -f "%M" -o "$work/rss.small" "$BIN/mb-fire" -q -T 2 -t 127.0.0.1:$MC_PORT -d 30 "$work/c50.bin" >/dev/null || exit 1
opened=$(sed -n 's/^connections: \([0-9]*\) opened.*/\1/p' "$work/c.rep")
big=$(tail -n 1 "$work/rss.big"); small=$(tail -n 1 "$work/rss.small")
printf 'connections: %s opened of %s recorded (open-file hard limit %s); memcached peak curr_connections %s (1 of them the sampler); max RSS %s KiB vs %s KiB with 50: %.0f bytes per opened connection (target <= 4096)\n' \
	"$opened" "$nconn" "$hard" "$(cat "$work/peak" 2>/dev/null)" "$big" "$small" "$(awk -v a=$big -v b=$small -v n=${opened:-0} 'BEGIN { print (n > 50 ? (a - b) * 1024 / (n - 50) : 0) }')"
grep "^errors" "$work/c.rep"
