# pcap-drop.py - copy a capture (pcap or pcapng) without every Nth packet, and say which streams the drops cut.
#
#   pcap-drop.py [-n N] [-o OFFSET] IN OUT
#
# Drops packets OFFSET+N, OFFSET+2N, ... (1-based; default N=50, OFFSET=0: the 50th, the
# 100th, ...). Everything else is copied byte for byte (pcapng: non-packet blocks kept).
# Prints on stdout: "packets=P dropped=D dropped_payload=Y holes=H" where dropped_payload
# counts dropped TCP/UDP packets carrying payload and holes counts dropped TCP payload
# segments followed by more payload in the same direction of the same connection (a hole a
# TCP parser must notice, as opposed to a lost tail).
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcaplib import packets_pcap, packets_pcapng, parse_l4  # noqa: E402


def main():
    a = sys.argv[1:]
    n, offset = 50, 0
    while a and a[0] in ("-n", "-o"):
        if a[0] == "-n":
            n = int(a[1])
        else:
            offset = int(a[1])
        a = a[2:]
    if len(a) != 2 or n < 1:
        sys.exit("usage: pcap-drop.py [-n N] [-o OFFSET] IN OUT")
    buf = open(a[0], "rb").read()
    ng = buf[:4] == b"\x0a\x0d\x0d\x0a"
    out = bytearray() if ng else bytearray(buf[:24])
    recs = packets_pcapng(buf) if ng else packets_pcap(buf)
    count = dropped = dropped_payload = 0
    info = []  # per packet: (dropped, l4)
    for start, end, linktype, data in recs:
        if data is None:
            out += buf[start:end]
            continue
        count += 1
        drop = count > offset and (count - offset) % n == 0
        l4 = parse_l4(linktype, data) if linktype is not None else None
        info.append((drop, l4))
        if drop:
            dropped += 1
            if l4 and l4[2] > 0:
                dropped_payload += 1
        else:
            out += buf[start:end]
    holes = 0
    later_payload = set()
    for drop, l4 in reversed(info):
        if not l4 or l4[0] != "tcp" or l4[2] == 0:
            continue
        if drop and l4[1] in later_payload:
            holes += 1
        if not drop:
            later_payload.add(l4[1])
    with open(a[1], "wb") as f:
        f.write(out)
    print("packets=%d dropped=%d dropped_payload=%d holes=%d" % (count, dropped, dropped_payload, holes))


main()
