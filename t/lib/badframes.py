#!/usr/bin/python3
"""badframes.py - a membench stream with one malformed frame after GOOD valid events, from the spec alone.

usage: badframes.py CASE GOOD > out     prints "KIND OFFSET" (the bad frame's byte offset) on stderr
CASE: raw-keylen (key_len says more than the frame holds), raw-short (an event shorter than 44
bytes), hashed-len (a hashed event of 48 bytes), sum-count (a summary counting more counters than
it holds), sum-name (a counter name with a space), sum-trailing (bytes after the last counter),
pkt-caplen (caplen says more than the frame holds). Valid frames follow the bad one.
"""
import struct
import sys

case, good = sys.argv[1], int(sys.argv[2])
kind = {"raw": 2, "hashed": 3, "sum": 3, "pkt": 1}[case.split("-")[0]]


def frame(ftype, payload):
    return struct.pack("<HHI", ftype, 0, len(payload)) + payload


def event(i, key_len=None, key=b"key", hashed=kind == 3):
    fixed = struct.pack("<QQIIIIiHHBBBB", 1700000000000000000 + i * 1000, 5000, 1, 0, 10, 0, 0, 0,
                        len(key) if key_len is None else key_len, 1, 0, 5, 3)
    return frame(2, fixed + (struct.pack("<Q", 0x1234 + i) if hashed else key))


def packet(i, caplen=None, data=bytes(60)):
    return frame(1, struct.pack("<QIIII", 1700000000000000000 + i, len(data) if caplen is None else caplen,
                                len(data), 1, 0) + data)


def summary(counters, count=None, trailing=b""):
    p = struct.pack("<B", 4) + b"test" + struct.pack("<H", len(counters) if count is None else count)
    for name, val in counters:
        p += struct.pack("<B", len(name)) + name + struct.pack("<Q", val)
    return frame(3, p + trailing)


meta = b"\x07program" + struct.pack("<H", 4) + b"test"
out = b"MBSTREAM" + struct.pack("<HHI", 1, kind, len(meta)) + meta
ok = packet if kind == 1 else event
for i in range(good):
    out += ok(i)
at = len(out)
bad = {
    "raw-keylen": lambda: event(good, key_len=7, key=b"short"),
    "raw-short": lambda: frame(2, bytes(20)),
    "hashed-len": lambda: frame(2, bytes(48)),
    "sum-count": lambda: summary([(b"events", 1)], count=2),
    "sum-name": lambda: summary([(b"bad name", 1)]),
    "sum-trailing": lambda: summary([(b"events", 1)], trailing=b"\0\0\0"),
    "pkt-caplen": lambda: packet(good, caplen=100, data=bytes(10)),
}[case]()
out += bad
for i in range(3):
    out += ok(good + 1 + i)
sys.stdout.buffer.write(out)
sys.stderr.write("%s %d\n" % ({1: "packets", 2: "events-raw", 3: "events-hashed"}[kind], at))
