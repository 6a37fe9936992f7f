#!/bin/sh
# t3110: profiles keep a capture's times in its own resolution: the same real capture as pcap (us, ns) and pcapng (if_tsresol 3, 6, 7, 9) packs with the matching unit, and reads back exactly.
test_description='mb-pack: time and latency units follow the capture resolution, losslessly'
. "$(dirname "$0")/test-lib.sh"

command -v zstd >/dev/null || test_skip_all 'zstd (the command) not installed'
CAP=$MB_CORPUS/pcaps/memcached-t/binary.first900.pcap

# pack FORMAT: the corpus capture (memcached's binary protocol tests, 429 events) rewritten
# at FORMAT's resolution (t/lib/pcap-resolution.py adds digits below the microsecond), parsed,
# hashed and packed in blocks of 100 events; the events of FORMAT.p must be those of FORMAT.h;
# FORMAT.units lists each events block's ts and latency unit exponents.
pack() {
	"$MB_PYTHON" "$MB_SRC/t/lib/pcap-resolution.py" "$CAP" "$1.cap" "$1" &&
	mb-parse -q -P 31420 "$1.cap" | mb-anon -k key >"$1.h" &&
	mb-pack -b 100 "$1.h" >"$1.p" &&
	mb-cat -H "$1.h" | grep "^ev" >"$1.expect" &&
	mb-cat -H "$1.p" | grep "^ev" >"$1.actual" &&
	test_cmp "$1.expect" "$1.actual" &&
	test $(wc -l <"$1.actual") = 429 &&
	"$MB_PYTHON" "$MB_SRC/t/lib/profile-units.py" "$1.p" >"$1.units" &&
	test $(wc -l <"$1.units") = 5
}

test_expect_success CORPUS,MBPARSE 'setup: a key' 'mb-anon --new-key >key'

for f in "pcap-us 3" "pcap-ns 0" "pcapng-6 3" "pcapng-7 2" "pcapng-9 0"; do
	set -- $f
	test_expect_success CORPUS,MBPARSE "$1: events read back exactly, every block in units of 10^$2 ns" "
		pack $1 &&
		printf '$2 $2\n$2 $2\n$2 $2\n$2 $2\n$2 $2\n' >want && test_cmp want $1.units
	"
done

test_expect_success CORPUS,MBPARSE 'pcapng-3 (milliseconds): units of at least 10^6 ns' '
	pack pcapng-3 && ! awk "\$1 < 6 || \$2 < 6" pcapng-3.units | grep -q .
'

test_expect_success CORPUS,MBPARSE 'finer times cost more: ms < us < 100 ns < ns, and us from pcap and pcapng equal' '
	ms=$(wc -c <pcapng-3.p) us=$(wc -c <pcap-us.p) ng6=$(wc -c <pcapng-6.p) d7=$(wc -c <pcapng-7.p) ns=$(wc -c <pcap-ns.p) &&
	test $ms -lt $us && test $us -lt $d7 && test $d7 -lt $ns &&
	test $((us - ng6)) -le 1 && test $((ng6 - us)) -le 1
'

test_expect_success CORPUS,MBPARSE 'mb-pack writes format version 4' '
	head -c 10 pcap-us.p | od -An -tu2 -j8 | tr -d " " >v && echo 4 >want && test_cmp want v
'

test_done
