#!/bin/sh
# bench-ebpf: mb-capture --ebpf next to mb-capture (libpcap) on the same loopback traffic: bytes and CPU per request, system-wide CPU, and where each drops.
# Part 1: both captures (each | mb-parse) at once around a fixed-rate replay (values 1-16 KiB): bytes delivered to
#   user space per request and mb-capture CPU per million requests (medians), plus the CPU each backend alone adds
#   over a no-capture run of the same requests in a closed loop (/proc/stat all CPUs, and own processes + softirq).
# Part 2: a load sweep (values 16 KiB, 32 connections, --rate then --max --depth, memcached -t 4) with both captures
#   (each | mb-parse) at once: drops from the programs' counters and events parsed against memcached's own request count; then, at the
#   load where libpcap starts dropping, the same with other downstreams (> /dev/null, | mb-parse | mb-anon | mb-pack).
# Targets: eBPF >= 5x fewer bytes and >= 2x less CPU; zero eBPF drops where libpcap starts dropping. Root only.
# BENCH_QUICK=1: one short run of each part and a one-point sweep.
set -eu
B=${MB_BUILD:?}/bin
if [ "$(id -u)" != 0 ]; then
	echo "bench-ebpf: needs root (eBPF and live capture); skipped"
	exit 0
fi
command -v memcached >/dev/null || { echo "bench-ebpf: memcached not installed; skipped"; exit 0; }
dir=$(mktemp -d /dev/shm/mb-bench-ebpf.XXXXXX 2>/dev/null || mktemp -d)
mc=
cleanup() {
	[ -n "$mc" ] && kill "$mc" 2>/dev/null
	[ -n "${stats_was:-}" ] && echo "$stats_was" >/proc/sys/kernel/bpf_stats_enabled
	rm -rf "$dir"
}
trap cleanup EXIT
stats_was=$(cat /proc/sys/kernel/bpf_stats_enabled 2>/dev/null || echo)
[ -n "$stats_was" ] && echo 1 >/proc/sys/kernel/bpf_stats_enabled
PY=/usr/bin/python3
port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
memcached -u root -l 127.0.0.1 -p "$port" -m 2048 -c 4096 -t 1 &
mc=$!
sleep 0.3
"$B/mb-capture" --ebpf -i lo -P "$port" --duration 100ms >/dev/null 2>"$dir/probe" || {
	echo "bench-ebpf: eBPF capture unavailable: $(cat "$dir/probe")"
	exit 0
}

rate=10000 secs=8 runs=3 sweep="rate=5000 rate=10000 rate=20000 max=1 max=16" sweep_secs=5 sweep_runs=5
if [ -n "${BENCH_QUICK:-}" ]; then
	rate=5000 secs=2 runs=1 sweep="max=16" sweep_secs=2 sweep_runs=1
fi

wait_for() { i=0; while [ $i -lt 300 ] && ! eval "$1"; do sleep 0.05; i=$((i + 1)); done; }
# sumval FILE PROGRAM COUNTER: one counter of PROGRAM's summary line in FILE (mb-cat text of summary frames), 0 if absent
sumval() {
	awk -F '\t' -v p="$2" -v k="$3=" '$1 == "sum" && $2 == p {
		for (i = 3; i <= NF; i++) if (index($i, k) == 1) v = substr($i, length(k) + 1) } END { print v + 0 }' "$1"
}
# CPU time of a process (all its threads) in ns, from the scheduler's accounting
ticks() { cat /proc/"$1"/task/*/schedstat | awk '{ t += $1 } END { printf "%.0f", t }'; }
# busy time of all CPUs in USER_HZ ticks: user + nice + system + irq + softirq (not idle, iowait, steal)
busy() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat; }
# irq + softirq time of all CPUs in USER_HZ ticks (this kernel accounts it apart from the tasks it interrupts)
irqt() { awk '$1 == "cpu" { print $7 + $8; exit }' /proc/stat; }
# CPU time in ns of several processes (all threads)
pidsum() { for p in "$@"; do cat /proc/"$p"/task/*/schedstat 2>/dev/null; done | awk '{ t += $1 } END { printf "%.0f", t }'; }
# requests memcached has executed: cmd_get + cmd_set from its own "stats"
mcreq() {
	$PY -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"stats\r\n")
b = b""
while not b.endswith(b"END\r\n"):
    b += s.recv(65536)
s.sendall(b"quit\r\n")
print(sum(int(l.split()[2]) for l in b.decode().splitlines() if l.split()[1:2] in (["cmd_get"], ["cmd_set"])))' "$port"
}

# cap BACKEND DOWNSTREAM TAG: start one capture; DOWNSTREAM is parse (| mb-parse), direct (> /dev/null) or
# pack (| mb-parse | mb-anon | mb-pack); leaves the pid in TAG.BACKEND.pid, the downstream's in TAG.down
cap() {
	if [ "$1" = ebpf ]; then flag=--ebpf; else flag=; fi
	f=$dir/$3.$1
	case $2 in
	direct) "$B/mb-capture" $flag -i lo -P "$port" --duration 600 >/dev/null 2>"$f.err" & ;;
	parse)
		mkfifo "$f.fifo"
		"$B/mb-parse" -q -P "$port" <"$f.fifo" >"$f.mb" &
		echo $! >>"$dir/$3.down"
		"$B/mb-capture" $flag -i lo -P "$port" --duration 600 >"$f.fifo" 2>"$f.err" &
		;;
	pack)
		mkfifo "$f.fifo"
		{ "$B/mb-parse" -q -P "$port" <"$f.fifo" | tee "$f.mb" | "$B/mb-anon" -k "$dir/key" | "$B/mb-pack" >/dev/null; } &
		echo $! >>"$dir/$3.down"
		"$B/mb-capture" $flag -i lo -P "$port" --duration 600 >"$f.fifo" 2>"$f.err" &
		;;
	esac
	echo $! >"$f.pid"
}

# one TAG "BACKENDS" DOWNSTREAM MB-FIRE-ARGS...: the captures (none, ebpf, pcap or both) around one replay.
# Leaves TAG.res: req (requests memcached executed in the window), secs (mb-fire's), busy (all-CPU ticks), own (s:
# memcached, mb-fire, the captures and their mb-parse, plus all irq and softirq time), and per backend: cpu (s, mb-capture from attach to end), drops (kernel + interface), events (get + set parsed)
one() {
	tag=$1 bs=$2 down=$3
	shift 3
	: >"$dir/$tag.down"
	for b in $bs; do cap "$b" "$down" "$tag"; done
	# mb-parse writes nothing before the end: wait for the eBPF filter and libpcap's packet socket
	for b in $bs; do
		pid=$(cat "$dir/$tag.$b.pid")
		if [ "$b" = ebpf ]; then
			wait_for "grep -qs '^prog_id:' /proc/$pid/fdinfo/* && tc filter show dev lo ingress | grep -q mb_capture"
		else
			wait_for "ss -0 -p 2>/dev/null | grep -q 'pid=$pid,'"
		fi
	done
	sleep 0.5
	for b in $bs; do
		kill -0 "$(cat "$dir/$tag.$b.pid")" 2>/dev/null || {
			echo "bench-ebpf: $b capture failed: $(cat "$dir/$tag.$b.err")" >&2
			exit 1
		}
	done
	r0=$(mcreq)
	# CPU is counted from here (program loading and verification are one-time costs, left out)
	for b in $bs; do ticks "$(cat "$dir/$tag.$b.pid")" >"$dir/$tag.$b.t0"; done
	pids="$mc $(cat "$dir/$tag.down")"
	for b in $bs; do pids="$pids $(cat "$dir/$tag.$b.pid")"; done
	# shellcheck disable=SC2086
	o0=$(pidsum $pids) i0=$(irqt) k0=$(busy)
	"$B/mb-fire" -q -t "127.0.0.1:$port" "$@" >"$dir/$tag.fire" 2>&1 || true
	# the captures finish what the kernel already handed them; a run without capture idles as long
	sleep 0.5
	# shellcheck disable=SC2086
	k1=$(busy) i1=$(irqt) o1=$(pidsum $pids)
	{
		echo "busy $((k1 - k0))"
		sed -n 's/^cpu: \([0-9.]*\) s,.*/\1/p' "$dir/$tag.fire" |
			awk -v o="$((o1 - o0))" -v i="$((i1 - i0))" '{ printf "own %.3f\n", o / 1e9 + $1 + i / 100 }'
		sed -n 's/^mb-fire: .* in \([0-9.]*\) s: .*/secs \1/p' "$dir/$tag.fire"
		for b in $bs; do
			pid=$(cat "$dir/$tag.$b.pid")
			echo "$b.cpu $(echo "$(ticks "$pid") $(cat "$dir/$tag.$b.t0")" | awk '{ printf "%.6f", ($1 - $2) / 1e9 }')"
			if [ "$b" = ebpf ]; then
				# the kernel program's own run time (kernel.bpf_stats_enabled), summed over its runs
				id=$(grep -h "^prog_id:" /proc/"$pid"/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -u | head -1)
				bpftool prog show id "$id" 2>/dev/null |
					sed -n 's/.* run_time_ns \([0-9]*\) run_cnt \([0-9]*\).*/kern \1 \2/p'
			fi
		done
	} >"$dir/$tag.res"
	echo "req $(($(mcreq) - r0))" >>"$dir/$tag.res"
	for b in $bs; do kill -INT "$(cat "$dir/$tag.$b.pid")"; done
	for b in $bs; do wait "$(cat "$dir/$tag.$b.pid")" || true; done
	for p in $(cat "$dir/$tag.down"); do wait "$p" || true; done
	for b in $bs; do
		sed -n 's/.* \([0-9]*\) kernel drops, \([0-9]*\) interface drops.*/\1 \2/p' "$dir/$tag.$b.err" |
			awk -v b="$b" '{ print b ".drops", $1 + $2 }' >>"$dir/$tag.res"
		case $down in
		parse | pack)
			"$B/mb-cat" "$dir/$tag.$b.mb" | grep '^sum' >"$dir/$tag.$b.sum"
			# requests sent but never answered (in flight when mb-fire stopped) are left out
			ev=$(($(sumval "$dir/$tag.$b.sum" mb-parse cmd.get) + $(sumval "$dir/$tag.$b.sum" mb-parse cmd.set)))
			echo "$b.events $((ev - $(sumval "$dir/$tag.$b.sum" mb-parse status.unanswered)))"
			echo "$b.bytes $(sumval "$dir/$tag.$b.sum" mb-capture bytes)"
			echo "$b.wire $(sumval "$dir/$tag.$b.sum" mb-capture wire_bytes)"
			;;
		esac >>"$dir/$tag.res"
		rm -f "$dir/$tag.$b.fifo" "$dir/$tag.$b.mb"
	done
}

# get TAG KEY [FIELD]: a value from TAG.res ("-" when absent)
get() { awk -v k="$2" -v f="${3:-2}" '$1 == k { v = $f } END { print (v == "" ? "-" : v) }' "$dir/$1.res"; }
# med N VALUES...: the median (lower middle) of numbers, "-" if any is "-"
med() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1; if ($1 == "-") d = 1 } END { print (d || !NR ? "-" : v[int((NR + 1) / 2)]) }'
}
# over TAGS KEY [FIELD [SUFFIX]]: the median of one value over several runs (TAG SUFFIX.res)
over() { otags=$1 k=$2 f=${3:-2} sfx=${4:-}; set --; for t in $otags; do set -- "$@" "$(get "$t$sfx" "$k" "$f")"; done; med "$@"; }
# ratio A B [DECIMALS]: A / B
ratio() {
	awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { if (a == "-" || b == "-") print "-"; else if (b > 0) printf "%.*f", d, a / b; else print "inf" }'
}
uptime_load() { sed -n 's/^\([0-9.]*\) \([0-9.]*\) \([0-9.]*\) .*/\1 \2 \3/p' /proc/loadavg; }

echo "load average at start: $(uptime_load)"
echo "== part 1: fixed rate $rate req/s, ${secs}s, medians of $runs"
echo "workload: mb-gen get=70,set=30, values 1-16 KiB log-uniform, 16 connections, replayed by mb-fire --rate into memcached -t 1"
echo "each capture: mb-capture [--ebpf] lo | mb-parse (both at once); cpu = mb-capture on-CPU time (all threads, schedstat) from attach to end"
n=$((rate * secs))
"$B/mb-gen" -n "$n" -K 5000 -z 0.9 -c 16 -r "$rate" --uniform -m get=70,set=30 --value-size 1024-16384 \
	--seed 7 --raw >"$dir/fixed.ev"
fixed() { one "$1" "$2" parse --rate "$rate" --drain 1s "$dir/fixed.ev"; }
tags='' r=1
while [ $r -le $runs ]; do
	fixed run$r "ebpf pcap"
	tags="$tags run$r" r=$((r + 1))
done
per() { awk -v a="$1" -v n="$2" -v s="$3" 'BEGIN { if (a == "-") print "-"; else printf "%.3f", a * s / n }'; }
pb=$(per "$(over "$tags" pcap.bytes)" "$n" 1) eb=$(per "$(over "$tags" ebpf.bytes)" "$n" 1)
pc=$(per "$(over "$tags" pcap.cpu)" "$n" 1000000) ec=$(per "$(over "$tags" ebpf.cpu)" "$n" 1000000)
mb() { awk -v a="$1" 'BEGIN { printf "%.1f", a / 1e6 }'; }
printf '%-34s %9s %10s %14s %8s %12s %10s\n' "rate $rate/s, ${secs}s" "wire MB" "bytes/req" "cpu s/M req" "drops" "bytes ratio" "cpu ratio"
printf '%-34s %9s %10.0f %14s %8s %12s %10s\n' "libpcap" "$(mb "$(over "$tags" pcap.wire)")" "$pb" "$pc" \
	"$(over "$tags" pcap.drops)" "1.00" "1.00"
printf '%-34s %9s %10.0f %14s %8s %12s %10s\n' "eBPF (--ebpf)" "$(mb "$(over "$tags" ebpf.wire)")" "$eb" "$ec" \
	"$(over "$tags" ebpf.drops)" "$(ratio "$pb" "$eb")" "$(ratio "$pc" "$ec")"
echo "ratios: libpcap / eBPF (higher is better for eBPF); target bytes >= 5, cpu >= 2"
kern=$(for t in $tags; do get "$t" kern 2; get "$t" kern 3; done | paste - - |
	awk '$1 != "-" { t += $1; c += $2 } END { if (c) printf "%.0f ns per segment, %d segments", t / c, c }')
echo "kernel program (in softirq, not in the cpu column): ${kern:-not measured (no kernel.bpf_stats_enabled)}"

# Added CPU: the same requests with no capture, with eBPF | mb-parse, with libpcap | mb-parse, one after the other in
# each round (so slow drifts in the machine's other load hit all three alike). mb-fire --rate polls before each send
# deadline and so keeps a core busy whatever the captures cost; here the requests go over one connection in a closed
# loop instead (--max --depth 1 -c 1 -T 1), which paces them by round trips and leaves the rest of the machine idle.
cpurun() { one "$1" "$2" parse --max --depth 1 -c 1 -T 1 "$dir/fixed.ev"; }
ctags='' r=1
while [ $r -le $runs ]; do
	cpurun cpu$r.none ""
	cpurun cpu$r.ebpf ebpf
	cpurun cpu$r.pcap pcap
	ctags="$ctags cpu$r" r=$((r + 1))
done
# sysrow BACKEND KEY SCALE: median over the rounds of (KEY with BACKEND - KEY without capture) per million requests
sysrow() {
	bk=$1 key=$2 sc=$3
	set --
	for t in $ctags; do
		set -- "$@" "$(awk -v a="$(get "$t.$bk" "$key")" -v z="$(get "$t.none" "$key")" -v n="$n" -v s="$sc" \
			'BEGIN { printf "%.3f", (a - z) * s * 1000000 / n }')"
	done
	med "$@"
}
# rps BACKEND: median requests/s of the closed-loop runs with BACKEND (or none)
rps() {
	rb=$1
	set --
	for t in $ctags; do set -- "$@" "$(awk -v a="$(get "$t.$rb" req)" -v s="$(get "$t.$rb" secs)" 'BEGIN { printf "%.0f", a / s }')"; done
	med "$@"
}
# base KEY SCALE: the no-capture runs' median per million requests
base() {
	key=$1 sc=$2
	set --
	for t in $ctags; do set -- "$@" "$(get "$t.none" "$key")"; done
	awk -v a="$(med "$@")" -v n="$n" -v s="$sc" 'BEGIN { printf "%.1f", a * s * 1000000 / n }'
}
printf '%-34s %14s %14s %10s %14s\n' "added CPU, s/M req (closed loop)" "libpcap" "eBPF" "ratio" "no-capture"
sp1=$(sysrow pcap busy 0.01) se1=$(sysrow ebpf busy 0.01)
printf '%-34s %14s %14s %10s %14s\n' "all CPUs (/proc/stat)" "$sp1" "$se1" "$(ratio "$sp1" "$se1")" "$(base busy 0.01)"
sp=$(sysrow pcap own 1) se=$(sysrow ebpf own 1)
printf '%-34s %14s %14s %10s %14s\n' "own processes + irq/softirq" "$sp" "$se" "$(ratio "$sp" "$se")" "$(base own 1)"
printf '%-34s %14s %14s\n' "  drops, req/s (medians)" "$(over "$ctags" pcap.drops 2 .pcap) $(rps pcap)" "$(over "$ctags" ebpf.drops 2 .ebpf) $(rps ebpf)"
echo "the same $n requests over one connection, closed loop (mb-fire --max --depth 1 -c 1 -T 1; the no-capture run"
echo "  did $(rps none) req/s); each backend alone (| mb-parse) minus the run without capture; median of $runs rounds"
echo "  (each round: none, eBPF, libpcap); window: the replay plus 0.5 s. all CPUs: user+nice+system+irq+softirq of"
echo "  every CPU (includes anything else running); own: memcached + mb-fire + mb-capture + mb-parse on-CPU time plus"
echo "  all irq+softirq time. Both include the kernel program, libpcap's tpacket copies and mb-parse."
case "$sp1 $se1 $sp $se" in *-*)
	echo "  a negative difference means the no-capture reference itself was disturbed (host steal, other load):"
	echo "  these two rows are then not a measurement of the captures; rerun on a quiet machine" ;;
esac
echo

# Part 2: the load sweep, against memcached with its default 4 worker threads (with -t 1 the server tops out
# around 25k req/s of 16 KiB values here, at which libpcap drops in some runs only).
kill "$mc"
wait "$mc" || true
memcached -u root -l 127.0.0.1 -p "$port" -m 2048 -c 4096 -t 4 &
mc=$!
sleep 0.3
"$B/mb-gen" -n 200000 -K 5000 -z 0.9 -c 32 -r 10000 --uniform -m get=70,set=30 --value-size 16384-16384 \
	--seed 7 --raw >"$dir/big.ev"
"$B/mb-fire" -q -t "127.0.0.1:$port" --warm --max --depth 16 -d 1s "$dir/big.ev" >/dev/null 2>&1 || true
# load LOAD: mb-fire arguments for rate=R (open loop) or max=D (closed loop, D outstanding per connection)
load() {
	case $1 in
	rate=*) echo "--rate ${1#rate=}" ;;
	max=*) echo "--max --depth ${1#max=}" ;;
	esac
}
"$B/mb-anon" --new-key >"$dir/key"
# point LOAD DOWNSTREAM PREFIX: $sweep_runs runs of both captures at LOAD; sets $ptags. Adds to each run's TAG.res:
# rps (requests/s), mbs (wire MB/s of the memcached traffic, from the eBPF capture, which sees every segment), and
# per backend evr (events / requests). Counts runs where libpcap dropped and how many of those eBPF dropped in.
runs_pd=0 runs_pd_ed=0 runs_all=0
point() {
	ptags='' r=1
	while [ $r -le $sweep_runs ]; do
		t=$3.$r
		# shellcheck disable=SC2046
		one "$t" "ebpf pcap" "$2" $(load "$1") -c 32 --loop inf -d "${sweep_secs}s" "$dir/big.ev"
		rq=$(get "$t" req) sc=$(get "$t" secs)
		{
			awk -v a="$rq" -v s="$sc" 'BEGIN { printf "rps %.0f\n", a / s }'
			[ "$(get "$t" ebpf.wire)" = - ] || awk -v a="$(get "$t" ebpf.wire)" -v s="$sc" 'BEGIN { printf "mbs %.0f\n", a / s / 1e6 }'
			for b in pcap ebpf; do
				[ "$(get "$t" $b.events)" = - ] || echo "$b.evr $(ratio "$(get "$t" $b.events)" "$rq" 3)"
			done
		} >>"$dir/$t.res"
		runs_all=$((runs_all + 1))
		if [ "$(get "$t" pcap.drops)" != 0 ]; then
			runs_pd=$((runs_pd + 1))
			[ "$(get "$t" ebpf.drops)" != 0 ] && runs_pd_ed=$((runs_pd_ed + 1))
		fi
		ptags="$ptags $t" r=$((r + 1))
	done
}
# row LABEL: one table line from $ptags (medians of each column over the runs); sets $row_pd, $row_ed, $row_np
row() {
	row_pd=$(over "$ptags" pcap.drops) row_ed=$(over "$ptags" ebpf.drops)
	row_np=0 ne=0
	for t in $ptags; do
		[ "$(get "$t" pcap.drops)" != 0 ] && row_np=$((row_np + 1))
		[ "$(get "$t" ebpf.drops)" != 0 ] && ne=$((ne + 1))
	done
	printf '%-17s %6s %5s %8s %5s %7s %6s %8s %5s %7s %6s\n' "$1" "$(over "$ptags" rps)" "$(over "$ptags" mbs)" \
		"$row_pd" "$row_np/$sweep_runs" "$(over "$ptags" pcap.events)" "$(over "$ptags" pcap.evr)" \
		"$row_ed" "$ne/$sweep_runs" "$(over "$ptags" ebpf.events)" "$(over "$ptags" ebpf.evr)"
}
hdr() {
	printf '%-17s %6s %5s %8s %5s %7s %6s %8s %5s %7s %6s\n' "$1" "req/s" "MB/s" "pcap" "runs" "events" "ev/req" \
		"eBPF" "runs" "events" "ev/req"
	printf '%-17s %6s %5s %8s %5s %7s %6s %8s %5s %7s %6s\n' "" "" "wire" "drops" "drop" "" "" "drops" "drop" "" ""
}
echo "== part 2: load sweep, ${sweep_secs}s per run, medians of $sweep_runs (load average now $(uptime_load))"
echo "workload: mb-gen get=70,set=30, values 16 KiB, 32 connections, mb-fire --loop inf into memcached -t 4 (warmed)"
echo "each run: mb-capture -i lo | mb-parse and mb-capture --ebpf -i lo | mb-parse at once on the same traffic"
hdr "offered load"
dropped=
for s in $sweep; do
	point "$s" parse "sw$s"
	row "$(echo "$s" | sed 's/^rate=/--rate /; s/^max=/--max --depth /')"
	if [ -z "$dropped" ] && [ $((2 * row_np)) -gt "$sweep_runs" ]; then
		dropped=$s dropped_pd=$row_pd dropped_ed=$row_ed dropped_ptags=$ptags
	fi
done
echo "req/s: memcached's cmd_get+cmd_set over the run / mb-fire's duration; MB/s: wire bytes of the memcached traffic"
echo "  (eBPF's count); drops: the capture's own counter (libpcap: pcap_stats ps_drop + ps_ifdrop, eBPF: ring full);"
echo "  runs drop: runs with any drop; events: answered get+set events out of mb-parse; ev/req: events / memcached's"
echo "  count (1.000 = every request seen); every column is the median over the runs"
if [ -z "$dropped" ]; then
	echo "all runs: libpcap dropped in $runs_pd of $runs_all; eBPF dropped in $runs_pd_ed of those $runs_pd"
	echo "verdict: libpcap did not drop in most runs at any load of this sweep, so the drop point is not shown in this run"
	exit 0
fi
label=$(echo "$dropped" | sed 's/^rate=/--rate /; s/^max=/--max --depth /')
echo
echo "== at the libpcap drop point ($label): other downstreams (load average now $(uptime_load))"
hdr "downstream"
ptags=$dropped_ptags
row "| mb-parse"
for d in direct pack; do
	point "$dropped" "$d" "dp$d"
	case $d in
	direct) row "> /dev/null" ;;
	pack) row "| parse|anon|pack" ;;
	esac
done
echo "(| mb-parse: the sweep's runs above; > /dev/null: no events to count; | parse|anon|pack: mb-parse | mb-anon |"
echo "  mb-pack > /dev/null, events counted from a tee after mb-parse)"
echo "all runs: libpcap dropped in $runs_pd of $runs_all; eBPF dropped in $runs_pd_ed of those $runs_pd"
if [ "$dropped_ed" = 0 ]; then
	echo "verdict: libpcap starts dropping (in most runs) at $label (median $dropped_pd drops per ${sweep_secs}s run);" \
		"eBPF drops 0 there (median): target met"
else
	echo "verdict: libpcap starts dropping (in most runs) at $label (median $dropped_pd drops); eBPF drops $dropped_ed" \
		"there (median): target NOT met"
fi
