#!/bin/sh
# bench-capture: packets/s of mb-capture -r over a large pcap next to tcpdump -r -w /dev/null on the
# same file with the same filter, medians of 5 runs (wall clock and CPU), ratio printed. Target: mb-capture
# takes at most 1.5x tcpdump's time. BENCH_QUICK=1: 100k packets instead of 1M.
set -eu
B=${MB_BUILD:?}/bin
here=$(cd "$(dirname "$0")" && pwd)
n=1000000
[ -n "${BENCH_QUICK:-}" ] && n=100000
command -v tcpdump >/dev/null || { echo "bench-capture: tcpdump not installed, nothing to compare with"; exit 0; }
dir=$(mktemp -d /dev/shm/mb-bench-capture.XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$dir"' EXIT
# Memcached-like packets: IPv4/IPv6, TCP/UDP, one in ten on port 80 (the filter drops it).
/usr/bin/python3 "$here/../t/lib/capture_pcap.py" "$dir/big.pcap" --count "$n" --other-every 10 --udp-every 7 --ipv6-every 5
bytes=$(wc -c <"$dir/big.pcap")
expr='(tcp or udp) and (port 11211)'

# median of 5 runs of a shell command: "wall cpu" seconds (cpu = user + sys)
median5() {
	for i in 1 2 3 4 5; do
		/usr/bin/time -f '%e %U %S' -o "$dir/t" sh -c "$1"
		awk '{ printf "%s %.3f\n", $1, $2 + $3 }' "$dir/t"
	done >"$dir/runs"
	w=$(cut -d' ' -f1 "$dir/runs" | sort -n | sed -n 3p)
	c=$(cut -d' ' -f2 "$dir/runs" | sort -n | sed -n 3p)
	echo "$w $c"
}

# Sanity: both pass the same number of packets.
"$B/mb-capture" -r "$dir/big.pcap" "$expr" 2>"$dir/err" >/dev/null
mine=$(sed -n 's/^mb-capture: \([0-9]*\) packets.*/\1/p' "$dir/err")
theirs=$(tcpdump -r "$dir/big.pcap" -w - "$expr" 2>/dev/null | "$B/mb-capture" -r - '' 2>&1 >/dev/null | sed -n 's/^mb-capture: \([0-9]*\) packets.*/\1/p')
[ "$mine" = "$theirs" ] || { echo "bench-capture: mb-capture passed $mine packets, tcpdump $theirs" >&2; exit 1; }

printf '%-50s %9s %9s %12s %10s %10s\n' "reading $n packets ($((bytes / 1000000)) MB pcap)" "wall s" "cpu s" "packets/s" "wall/tcpd" "cpu/tcpd"
row() { # label "wall cpu"
	set -- "$1" $2
	printf '%-50s %9.3f %9.3f %12.0f %10.2f %10.2f\n' "$1" "$2" "$3" "$(echo "$n / $2" | bc -l)" \
		"$(echo "$2 / $tw" | bc -l)" "$(echo "$3 / $tc" | bc -l)"
}
for f in filtered unfiltered; do
	if [ $f = filtered ]; then fe=$expr; else fe=; fi
	set -- $(median5 "tcpdump -r '$dir/big.pcap' -w /dev/null ${fe:+'$fe'} 2>/dev/null")
	tw=$1 tc=$2
	row "tcpdump -r -w /dev/null ($f)" "$tw $tc"
	row "mb-capture -r >/dev/null ($f)" "$(median5 "'$B/mb-capture' -r '$dir/big.pcap' '$fe' >/dev/null 2>&1")"
	row "mb-capture -r -w /dev/null >/dev/null ($f)" "$(median5 "'$B/mb-capture' -r '$dir/big.pcap' -w /dev/null '$fe' >/dev/null 2>&1")"
done
echo "filter: '$expr' (mb-capture's default for -P 11211 on Ethernet also matches VLAN-tagged packets)"
echo "target: mb-capture -r within 1.5x of tcpdump -r -w /dev/null (ratio <= 1.5)"
