# tscheck.py - event timestamps and latencies must be capture times of the packets that carried them.
#
#   tscheck.py -p PORT[,PORT...] CAPTURE EVENTS.txt
#
# EVENTS.txt is mb-cat text of mb-parse's output for CAPTURE. Every event's ts must be the
# capture time of a packet with payload sent to a server port (the packet that completed the
# request); for an answered event (a status other than none/unanswered, not inferred),
# ts + latency must be the capture time of a packet with payload sent from a server port
# (the start of the response; latency 0 happens: some captures stamp both with the same
# microsecond; an unanswered event whose reply began before the capture or the flow ended
# has one too); an event without a response has latency 0. Prints "ok ..." or
# "MISMATCH ..." lines; exits 1 on a mismatch.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcaplib import packet_times, parse_l4  # noqa: E402

ports = {int(p) for p in sys.argv[2].split(",")} if sys.argv[1] == "-p" else sys.exit("usage")
cap, events = sys.argv[3], sys.argv[4]
to_server, from_server = set(), set()
for ts, link, data in packet_times(open(cap, "rb").read()):
    l4 = parse_l4(link, data)
    if not l4 or l4[2] == 0:
        continue
    if l4[1][3] in ports:
        to_server.add(ts)
    if l4[1][1] in ports:
        from_server.add(ts)
bad, n, lat = [], 0, 0
with open(events) as f:
    for line in f:
        p = line.rstrip("\n").split("\t")
        if p[0] != "ev":
            continue
        n += 1
        sec, _, frac = p[1].partition(".")
        ts = int(sec) * 10**9 + int((frac + "000000000")[:9])
        latency = int(p[13])
        if ts not in to_server:
            bad.append("ts is no request packet's time: " + line.strip())
        answered = p[5] not in ("none", "unanswered") and "inferred" not in p[10].split(",")
        started = p[5] == "unanswered" and latency > 0  # a reply began, the capture or flow ended
        lat += latency > 0
        if (answered or started) and ts + latency not in from_server:
            bad.append("ts+latency is no response packet's time: " + line.strip())
        if not answered and not started and latency:
            bad.append("latency without a response: " + line.strip())
for b in bad[:20]:
    print("MISMATCH " + b)
print("%s %d events, %d with a latency, %d bad" % ("ok" if not bad else "MISMATCH", n, lat, len(bad)))
sys.exit(1 if bad else 0)
