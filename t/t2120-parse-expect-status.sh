#!/bin/sh
# t2120: hit/miss/stored statuses, flags and sizes of every event equal hand-checked expectations
test_description='hit/miss/stored statuses, flags and sizes of every event equal hand-checked expectations'
. "$(dirname "$0")/test-lib.sh"

test -x "$MB_BIN/mb-parse" && test_set_prereq MBPARSE

# Each t/expect/events/NAME.ev was written by reading the capture's packets (tshark -x,
# -z follow,tcp,ascii; the meta quiet rules checked against a live memcached 1.6.18) and
# states every event exactly: connection (numbered by first appearance), proto/transport,
# cmd, status, key, key_len, value_len, ttl, flags, batch (numbered by first appearance),
# resp_len (t/lib/evproj.py projects mb-parse's output the same way; timestamps and
# latencies are checked by t2130).
E=$MB_SRC/t/expect
for name in memcached-t_getset.first380 memcached-t_cas memcached-t_incrdecr memcached-t_noreply memcached-t_touch memcached-t_getandtouch memcached-t_udp memcached-t_bogus-commands memcached-t_malicious-commands packetbeat_bin_tcp_counter_ops packetbeat_bin_tcp_delete packetbeat_bin_tcp_multi_store_load packetbeat_bin_tcp_single_load_store packetbeat_bin_tcp_stats packetbeat_bin_udp_counter_ops packetbeat_bin_udp_delete packetbeat_bin_udp_multi_store packetbeat_bin_udp_single_store packetbeat_text_tcp_counter_ops packetbeat_text_tcp_delete packetbeat_text_tcp_multi_store_load packetbeat_text_tcp_single_load_store packetbeat_text_tcp_stats packetbeat_text_udp_counter_ops packetbeat_text_udp_delete packetbeat_text_udp_multi_store packetbeat_text_udp_single_store percona_memc_tcpdump008 percona_memc_tcpdump013 memcached-t_flags memcached-t_expirations memcached-t_multiversioning memcached-t_quit ndpi-memcached-stats percona_memc_tcpdump001 percona_memc_tcpdump002 percona_memc_tcpdump004 percona_memc_tcpdump005 percona_memc_tcpdump006 percona_memc_tcpdump007 percona_memc_tcpdump009 percona_memc_tcpdump010 percona_memc_tcpdump011 percona_memc_tcpdump014 percona_memc_tcpdump015 percona_memc_tcpdump016; do
	line=$(grep "^$(echo "$name" | sed 's/_/\//' | sed 's/\./\\./g')\.pcap " "$E/corpus/list")
	path=${line% *}
	port=${line##* }
	test_expect_success CORPUS,MBPARSE "$name: every event as read from the packets" "
		mb-parse -q -P $port <\"\$MB_CORPUS/pcaps/$path\" >ev.bin &&
		mb-cat ev.bin >ev.txt &&
		\"\$MB_PYTHON\" \"\$MB_SRC/t/lib/evproj.py\" ev.txt >got &&
		test_cmp \"$E/events/$name.ev\" got
	"
done

test_done
