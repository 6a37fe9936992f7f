#!/usr/bin/python3
"""slowfeed.py - play a classic Ethernet pcap to stdout without end: its header once, then its records
over and over, each round as new connections (the client port moves by the round number) later in
time, written in chunks of random size (so readers see records cut anywhere) with a short pause
between chunks. Ends quietly when the reader goes away.

usage: slowfeed.py FILE.pcap SERVER-PORT SEED
"""
import os
import random
import struct
import sys
import time

data = open(sys.argv[1], "rb").read()
server = int(sys.argv[2])
rnd = random.Random(int(sys.argv[3]))
end = "<" if struct.unpack_from("<I", data)[0] in (0xa1b2c3d4, 0xa1b23c4d) else ">"
if struct.unpack_from(end + "I", data, 20)[0] != 1:
    sys.exit("slowfeed.py: not an Ethernet capture")
records, off = [], 24
while off + 16 <= len(data):
    incl = struct.unpack_from(end + "I", data, off + 8)[0]
    records.append(bytearray(data[off:off + 16 + incl]))
    off += 16 + incl
span = struct.unpack_from(end + "I", records[-1])[0] - struct.unpack_from(end + "I", records[0])[0] + 1


def round_of(k):
    """The records of round k: client ports and seconds moved by k."""
    out = bytearray()
    for rec in records:
        r = bytearray(rec)
        struct.pack_into(end + "I", r, 0, struct.unpack_from(end + "I", r)[0] + k * span)
        p = r[16:]
        if len(p) >= 34 and p[12:14] == b"\x08\x00" and p[23] in (6, 17):
            l4 = 16 + 14 + (p[14] & 15) * 4
            sport, dport = struct.unpack_from("!HH", r, l4)
            if sport == server:
                dport = (dport + k) % 65536 or 1
            else:
                sport = (sport + k) % 65536 or 1
            struct.pack_into("!HH", r, l4, sport, dport)
        out += r
    return bytes(out)


out = sys.stdout.buffer
try:
    out.write(data[:24])
    k = 0
    while True:
        body = round_of(k)
        pos = 0
        while pos < len(body):
            n = rnd.randint(1, 16384)
            out.write(body[pos:pos + n])
            out.flush()
            pos += n
            time.sleep(0.001)
        k += 1
except (BrokenPipeError, OSError):
    os._exit(0)
