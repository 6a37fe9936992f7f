#!/bin/sh
# t2180-parse-reset-reply.sh - a reply captured after the client's RST pairs with its request; no phantom flow.
test_description='mb-parse: QUIT, FIN, RST then the reply (corpus capture, reordered and delayed variants)'
. "$(dirname "$0")/test-lib.sh"

PCAP=$MB_CORPUS/pcaps/packetbeat/bin_tcp_delete.pcap
test -f "$PCAP" && test_set_prereq BINDELETE

# Events as "cmd status" lines, in order.
evs() { mb-cat "$1" | awk -F '\t' '$1 == "ev" {print $5, $6}'; }

# reorder.py IN OUT I J [SHIFT_NS K]: swap records I and J (1-based) of a classic pcap; with SHIFT_NS,
# add it to the timestamps of record K and every record after it. KEEP=N keeps the first N records.
cat >reorder.py <<'PY'
import struct, sys
sys.path.insert(0, sys.argv[-1])
import pcaplib
buf = open(sys.argv[1], "rb").read()
recs = [bytearray(buf[s:e]) for s, e, lt, d in pcaplib.packets_pcap(buf)]
i, j = int(sys.argv[3]) - 1, int(sys.argv[4]) - 1
recs[i], recs[j] = recs[j], recs[i]
if len(sys.argv) > 6:
    shift, k = int(sys.argv[5]), int(sys.argv[6]) - 1
    for r in recs[k:]:
        sec, usec = struct.unpack_from("<II", r, 0)
        t = sec * 1000000 + usec + shift // 1000
        struct.pack_into("<II", r, 0, t // 1000000, t % 1000000)
import os
recs = recs[:int(os.environ.get("KEEP", len(recs)))]
open(sys.argv[2], "wb").write(buf[:24] + b"".join(recs))
PY
reorder() { "$MB_PYTHON" reorder.py "$@" "$MB_SRC/t/lib"; }

test_expect_success CORPUS,BINDELETE 'the corpus capture as captured: reply, then RST; one flow, quit ok' '
	mb-parse -q "$PCAP" >ev &&
	printf "%s\n" "set stored" "delete deleted" "get miss" "quit ok" >expect &&
	evs ev >got && test_cmp expect got &&
	test "$(sumval ev mb-parse flows)" = 1 &&
	test "$(sumval ev mb-parse closed)" = 1 &&
	test "$(sumval ev mb-parse segments_after_reset)" = 0 &&
	test "$(sumval ev mb-parse unmatched_responses)" = 0
'

test_expect_success CORPUS,BINDELETE,TSHARK 'reordered: QUIT, FIN, RST, then the reply in the same microsecond' '
	reorder "$PCAP" reord.pcap 16 17 &&
	tshark -r reord.pcap -T fields -e tcp.srcport -e tcp.flags.str -e tcp.len 2>/dev/null | sed -n 14,17p >flags &&
	printf "55320\t·······AP···\t24\n55320\t·······A···F\t0\n55320\t·········R··\t0\n11211\t·······AP···\t24\n" >expect &&
	test_cmp expect flags
'

test_expect_success CORPUS,BINDELETE 'reordered: the reply pairs with the quit; one flow, nothing unanswered' '
	reorder "$PCAP" reord.pcap 16 17 &&
	mb-parse reord.pcap >ev 2>err &&
	printf "%s\n" "set stored" "delete deleted" "get miss" "quit ok" >expect &&
	evs ev >got && test_cmp expect got &&
	test "$(sumval ev mb-parse flows)" = 1 &&
	test "$(sumval ev mb-parse closed)" = 1 &&
	test "$(sumval ev mb-parse segments_after_reset)" = 1 &&
	test "$(sumval ev mb-parse unmatched_responses)" = 0 &&
	test "$(sumval ev mb-parse status.unanswered)" = "" &&
	test "$(sumval ev mb-parse resyncs)" = 0 &&
	grep -q "19 packets, 1 flows, 4 events" err
'

test_expect_success CORPUS,BINDELETE 'a reply 2 s after the RST is past the linger: the quit is unanswered' '
	reorder "$PCAP" late.pcap 16 17 2000000000 17 &&
	mb-parse -q late.pcap >ev &&
	printf "%s\n" "set stored" "delete deleted" "get miss" "quit unanswered" >expect &&
	evs ev >got && test_cmp expect got &&
	test "$(sumval ev mb-parse segments_after_reset)" = 0 &&
	test "$(sumval ev mb-parse flows)" = 2
'

test_expect_success CORPUS,BINDELETE 'the reply 0.9 s after the RST still pairs' '
	reorder "$PCAP" slow.pcap 16 17 900000000 17 &&
	mb-parse -q slow.pcap >ev &&
	printf "%s\n" "set stored" "delete deleted" "get miss" "quit ok" >expect &&
	evs ev >got && test_cmp expect got &&
	test "$(sumval ev mb-parse flows)" = 1
'

test_expect_success CORPUS,BINDELETE 'end of input while a reset flow lingers: the quit is unanswered, once' '
	KEEP=16 reorder "$PCAP" cut.pcap 16 17 &&
	mb-parse -q cut.pcap >ev &&
	printf "%s\n" "set stored" "delete deleted" "get miss" "quit unanswered" >expect &&
	evs ev >got && test_cmp expect got &&
	test "$(sumval ev mb-parse flows)" = 1 &&
	test "$(sumval ev mb-parse closed)" = 1
'

test_done
