#!/bin/sh
# bench-ebpf: mb-capture --ebpf next to mb-capture (libpcap) on the same loopback traffic, each piped into mb-parse:
# bytes delivered to user space per request and mb-capture CPU seconds per million requests (medians of 3 runs at a
# fixed rate), then a rate sweep showing where libpcap starts dropping and what eBPF drops there.
# Workload: mb-gen (get=70,set=30, values 1-16 KiB) replayed by mb-fire --rate into a real memcached.
# Targets: eBPF >= 5x fewer bytes and >= 2x less CPU; zero eBPF drops where libpcap drops. Root only.
# BENCH_QUICK=1: one short run, short sweep.
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
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
memcached -u root -l 127.0.0.1 -p "$port" -m 2048 -c 4096 -t 1 &
mc=$!
sleep 0.3
"$B/mb-capture" --ebpf lo -p "$port" -d 100ms >/dev/null 2>"$dir/probe" || {
	echo "bench-ebpf: eBPF capture unavailable: $(cat "$dir/probe")"
	exit 0
}

rate=10000 secs=8 runs=3 sweep="5000 10000 20000 40000" sweep_secs=4
if [ -n "${BENCH_QUICK:-}" ]; then
	rate=5000 secs=2 runs=1 sweep="40000" sweep_secs=2
fi

wait_for() { i=0; while [ $i -lt 300 ] && ! eval "$1"; do sleep 0.05; i=$((i + 1)); done; }
sumval() { "$B/mb-cat" "$1" | grep "^sum	mb-capture	" | tr '\t' '\n' | sed -n "s/^$2=//p"; }

# one RATE SECONDS TAG: both captures (each | mb-parse) around one replay; leaves $dir/TAG.{ebpf,pcap}.{mb,cpu}
one() {
	n=$(($1 * $2))
	"$B/mb-gen" -n "$n" -K 5000 -z 0.9 -c 16 -r "$1" --uniform -m get=70,set=30 --value-size 1024-16384 \
		--seed 7 --raw >"$dir/load.ev"
	for b in ebpf pcap; do
		rm -f "$dir/$3.$b.mb"
		mkfifo "$dir/$b.fifo.$3"
		"$B/mb-parse" -q -p "$port" <"$dir/$b.fifo.$3" >"$dir/$3.$b.mb" &
		if [ $b = ebpf ]; then flag=--ebpf; else flag=; fi
		"$B/mb-capture" $flag lo -p "$port" -d 600 >"$dir/$b.fifo.$3" 2>"$dir/$3.$b.err" &
		echo $! >"$dir/$b.pid"
	done
	# mb-parse writes nothing before the end: wait for the eBPF filter and libpcap's packet socket
	wait_for "tc filter show dev lo ingress | grep -q mb_capture"
	wait_for "ss -0 -p 2>/dev/null | grep -q 'pid=$(cat "$dir/pcap.pid"),'"
	sleep 0.5
	for b in ebpf pcap; do
		kill -0 "$(cat "$dir/$b.pid")" 2>/dev/null || {
			echo "bench-ebpf: $b capture failed: $(cat "$dir/$3.$b.err")" >&2
			kill "$(cat "$dir/ebpf.pid")" "$(cat "$dir/pcap.pid")" 2>/dev/null
			exit 1
		}
	done
	# CPU is counted from here (program loading and verification are one-time costs, left out)
	for b in ebpf pcap; do ticks "$(cat "$dir/$b.pid")" >"$dir/$3.$b.t0"; done
	"$B/mb-fire" -q -t "127.0.0.1:$port" --rate "$1" --drain 1s "$dir/load.ev" >"$dir/$3.fire" 2>&1 || true
	sleep 0.5
	# the kernel program's own run time (kernel.bpf_stats_enabled), summed over its runs
	id=$(grep -h "^prog_id:" /proc/"$(cat "$dir/ebpf.pid")"/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -u | head -1)
	bpftool prog show id "$id" 2>/dev/null | sed -n 's/.* run_time_ns \([0-9]*\) run_cnt \([0-9]*\).*/\1 \2/p' >"$dir/$3.kern"
	for b in ebpf pcap; do
		pid=$(cat "$dir/$b.pid")
		echo "$(ticks "$pid") $(cat "$dir/$3.$b.t0")" | awk '{ printf "%.6f\n", ($1 - $2) / 1e9 }' >"$dir/$3.$b.cpu"
		kill -INT "$pid"
	done
	wait
	rm -f "$dir/ebpf.fifo.$3" "$dir/pcap.fifo.$3"
	echo "$n"
}

# CPU time of a process (all its threads) in ns, from the scheduler's accounting
ticks() { cat /proc/"$1"/task/*/schedstat | awk '{ t += $1 } END { printf "%.0f", t }'; }

cpu() { cat "$1"; }

echo "workload: mb-gen get=70,set=30, values 1-16 KiB log-uniform, 16 connections, replayed by mb-fire --rate"
echo "each capture: mb-capture [--ebpf] lo | mb-parse (both running at once); CPU = mb-capture on-CPU time (all threads, schedstat) from attach to end"
printf '%-26s %10s %12s %14s %12s %14s %10s\n' "rate $rate/s, ${secs}s" "wire MB" "bytes/req" "cpu s/M req" "drops" "bytes ratio" "cpu ratio"
: >"$dir/rows"
r=1
while [ $r -le $runs ]; do
	n=$(one $rate $secs run$r)
	for b in ebpf pcap; do
		by=$(sumval "$dir/run$r.$b.mb" bytes)
		echo "$b $r $(echo "$by / $n" | bc -l) $(echo "$(cpu "$dir/run$r.$b.cpu") * 1000000 / $n" | bc -l) $(sumval "$dir/run$r.$b.mb" kernel_drops) $(sumval "$dir/run$r.$b.mb" wire_bytes)" >>"$dir/rows"
	done
	r=$((r + 1))
done
med() { grep "^$1 " "$dir/rows" | awk -v c="$2" '{ print $c }' | sort -g | sed -n "$(((runs + 1) / 2))p"; }
eb=$(med ebpf 3) ec=$(med ebpf 4) pb=$(med pcap 3) pcc=$(med pcap 4)
printf '%-26s %10.1f %12.0f %14.3f %12s %14s %10s\n' "libpcap" "$(echo "$(med pcap 6) / 1000000" | bc -l)" "$pb" "$pcc" "$(med pcap 5)" "1.00" "1.00"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "inf" }'; }
printf '%-26s %10.1f %12.0f %14.3f %12s %14s %10s\n' "eBPF (--ebpf)" "$(echo "$(med ebpf 6) / 1000000" | bc -l)" "$eb" "$ec" "$(med ebpf 5)" \
	"$(ratio "$pb" "$eb")" "$(ratio "$pcc" "$ec")"
echo "ratios: libpcap / eBPF (higher is better for eBPF); target bytes >= 5, cpu >= 2"
kern=$(cat "$dir"/run*.kern | awk '{ t += $1; c += $2 } END { if (c) printf "%.0f ns per segment, %d segments", t / c, c }')
echo "kernel program (in softirq, not in the cpu column): ${kern:-not measured (no kernel.bpf_stats_enabled)}"
echo
printf '%-26s %14s %14s %14s %14s\n' "rate sweep (${sweep_secs}s)" "achieved/s" "libpcap drops" "eBPF drops" "eBPF elided MB"
for s in $sweep; do
	n=$(one "$s" "$sweep_secs" sw$s)
	got=$(sed -n 's/^mb-fire: .*: \([0-9]*\) ops\/s$/\1/p' "$dir/sw$s.fire")
	printf '%-26s %14s %14s %14s %14.1f\n' "$s req/s" "${got:-?}" "$(sumval "$dir/sw$s.pcap.mb" kernel_drops)" \
		"$(sumval "$dir/sw$s.ebpf.mb" kernel_drops)" "$(echo "$(sumval "$dir/sw$s.ebpf.mb" bytes_elided) / 1000000" | bc -l)"
done
echo "achieved/s: mb-fire's own count; drops: kernel_drops of each mb-capture (libpcap: socket drops, eBPF: ring full)"
echo "bytes: libpcap counts frame bytes (caplen) only, eBPF the ring records with their 32-byte headers"
