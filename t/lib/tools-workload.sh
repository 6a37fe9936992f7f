#!/bin/sh
# tools-workload.sh - libmemcached's command-line tools against 127.0.0.1:PORT, text then binary.
# usage: tools-workload.sh PORT [--flush]
# memccp (set, add, replace), memccat (hits and misses), memcexist, memctouch, memcrm, and
# memcslap (set, get, mget over 3 connections); --flush ends each protocol with memcflush.
# Writes its value files f1..f40 in the current directory. Exit status: the tools' failures
# that matter (a miss is expected where keys do not exist).
set -u
s=127.0.0.1:$1
flush=${2:-}
for i in $(seq 1 40); do head -c $((i * 37)) /dev/zero | tr '\0' x >f$i; done
for b in "" --binary; do
	memccp $b -s $s f1 f2 f3 f4 f5 f6 f7 f8 f9 f10 f11 f12 f13 f14 f15 f16 f17 f18 f19 f20 &&
	memccp $b -s $s --add f1 f21 f22 &&
	memccp $b -s $s --replace f2 f30 &&
	memccat $b -s $s f1 f2 f3 f21 f30 >/dev/null
	memccat $b -s $s nokey1 nokey2 >/dev/null 2>&1
	memcexist $b -s $s f1 f2 nokey3 >/dev/null 2>&1
	memctouch $b -s $s -e 600 f3 f4 nokey4 >/dev/null 2>&1
	memcrm $b -s $s f5 f6 nokey5 >/dev/null 2>&1
	memcslap $b -q -s $s -t set -e 200 -c 3 &&
	memcslap $b -q -s $s -t get -e 200 -c 3 &&
	memcslap $b -q -s $s -t mget -e 30 -c 3 || exit 1
	if [ "$flush" = --flush ]; then
		memcflush $b -s $s || exit 1
	fi
done
