#!/bin/sh
# t1000-capture-corpus.sh - mb-capture -r reads every corpus capture with exactly tshark's packet count.
test_description='mb-capture -r over ../shared/corpus/pcaps, counted against tshark and MANIFEST.md'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CORPUS || test_skip_all "no corpus at $MB_CORPUS (../shared/corpus)"
test_have_prereq TSHARK || test_skip_all 'tshark not installed'

# The server port of a corpus file (MANIFEST.md: memcached-t/ has one port per file, the rest 11211).
server_port() {
	case "$1" in
	memcached-t/*)
		name=$(basename "$1"); name=${name%%.*}
		grep -o "$name [0-9][0-9]*[,.]" "$MB_CORPUS/MANIFEST.md" | head -1 | sed "s/.* //; s/[,.]\$//" ;;
	*) echo 11211 ;;
	esac
}

# Packet frames in a stream, by the text form (pkt lines) and by the summary counter; both must agree.
frames() {
	mb-cat "$1" >"$1.txt" || return 1
	lines=$(grep -c '^pkt	' "$1.txt" || true)
	summ=$(grep '^sum	mb-capture	' "$1.txt" | tr '\t' '\n' | sed -n 's/^packets=//p')
	[ "$lines" = "$summ" ] || { echo "pkt lines $lines but summary packets=$summ" >&2; return 1; }
	echo "$lines"
}

# One tshark pass per file: total frames and frames with the port as TCP or UDP source or destination.
test_expect_success 'tshark counts for every corpus capture' '
	(cd "$MB_CORPUS/pcaps" && find . -type f \( -name "*.pcap" -o -name "*.pcapng" -o -name "*.cap" \) | sed "s|^\./||" | sort) >files &&
	test -s files &&
	while read -r f; do
		port=$(server_port "$f") &&
		test -n "$port" &&
		tshark -r "$MB_CORPUS/pcaps/$f" -T fields -e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport \
			>fields 2>/dev/null &&
		all=$(wc -l <fields) &&
		onport=$(tr "\t," "  " <fields | awk -v p="$port" "{ for (i = 1; i <= NF; i++) if (\$i == p) { n++; break } } END { print n + 0 }") &&
		echo "$f $port $all $onport" >>counts || return 1
	done <files &&
	test "$(wc -l <counts)" = "$(wc -l <files)" &&
	cat counts
'

test_expect_success 'the tshark counts agree with MANIFEST.md' '
	sed -n "s/^    \([^ ]*\.[a-z]*\) \([0-9][0-9]*\)\$/\1 \2/p" "$MB_CORPUS/MANIFEST.md" | sort >manifest &&
	test -s manifest &&
	awk "{ print \$1, \$3 }" counts | sort >tshark-all &&
	join manifest tshark-all | awk "\$2 != \$3 { print; bad = 1 } END { exit bad }"
'

test_expect_success 'every capture, no filter (an empty expression): as many frames as tshark' '
	while read -r f port all onport; do
		mb-capture -r "$MB_CORPUS/pcaps/$f" "" >s.mb 2>err &&
		got=$(frames s.mb) &&
		if [ "$got" != "$all" ]; then echo "$f: mb-capture $got, tshark $all"; exit 1; fi
	done <counts
'

test_expect_success 'every capture, -p SERVER_PORT: as many frames as tshark has on that port' '
	while read -r f port all onport; do
		mb-capture -r "$MB_CORPUS/pcaps/$f" -P "$port" >s.mb 2>err &&
		got=$(frames s.mb) &&
		if [ "$got" != "$onport" ]; then echo "$f port $port: mb-capture $got, tshark $onport"; exit 1; fi &&
		grep -q "^mb-capture: $got packets, " err || { echo "$f: stderr summary:"; cat err; exit 1; }
	done <counts
'

test_expect_success 'the default filter (port 11211) passes nothing of a capture on port 31420' '
	mb-capture -r "$MB_CORPUS/pcaps/memcached-t/binary.first900.pcap" >s.mb 2>err &&
	test "$(frames s.mb)" = 0 &&
	grep -q "^#membench	.*linktype=1	" s.mb.txt
'

test_expect_success 'pcapng from stdin (-r -) reads like the file' '
	mb-capture -r - "" <"$MB_CORPUS/pcaps/memcached-t/getset.first380.pcap" >s.mb 2>err &&
	test "$(frames s.mb)" = 380 &&
	grep "^#membench" s.mb.txt | grep -q "source=-	capture=file"
'

test_expect_success 'RAW link type (percona) is kept in the header and the frames' '
	mb-capture -r "$MB_CORPUS/pcaps/percona/memc_tcpdump004.pcap" >s.mb 2>err &&
	test "$(frames s.mb)" = 12 &&
	grep -q "^#membench	.*linktype=101	linktype_name=RAW	" s.mb.txt &&
	test "$(grep "^pkt" s.mb.txt | cut -f3 | sort -u)" = 101
'

test_done
