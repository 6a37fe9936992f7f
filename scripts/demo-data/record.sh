#!/bin/sh
# record.sh - record scripts/demo-data/demo.pcap from real traffic: a real memcached on loopback,
# tcpdump, and workload.py's pymemcache clients. Run once (as root); the result is committed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
port=${1:-22122}
out=${2:-$here/demo.pcap}
memcached -u root -l 127.0.0.1 -p "$port" -U 0 -m 64 -t 2 &
mc=$!
sleep 0.5
tcpdump -i lo -s 0 -B 16384 -U -w "$out.tmp" "tcp port $port" 2>/dev/null &
td=$!
sleep 1
/usr/bin/python3 "$here/workload.py" "$port" 5000 5
sleep 0.5
kill -INT "$td"
wait "$td" || true
kill "$mc"
wait "$mc" 2>/dev/null || true
mv "$out.tmp" "$out"
echo "record.sh: wrote $out ($(wc -c <"$out") bytes)" >&2
