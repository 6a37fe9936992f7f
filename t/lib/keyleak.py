#!/usr/bin/python3
"""keyleak.py - report raw key bytes that leaked into binary outputs (the privacy test of mb-anon / mb-pack).

usage: keyleak.py [--baseline FILE] KEYS.txt OUTPUT...
KEYS.txt holds one raw key per line, escaped as mb-cat prints keys (\\xNN, \\\\).
Every key of at least 4 bytes is checked: the whole key when shorter than 8
bytes, else every 8-byte window of it, must not occur in any OUTPUT. Prints
"checked N keys, W windows" and, for each leak, "LEAK key in file at offset";
exits 1 on a leak. --baseline names the input's bytes that are not keys (its
header and summaries, e.g. a capture file name "incrdecr.pcap" or a counter
"events.text"): a window found there too is counted as "in baseline", not a leak.
"""
import re
import sys


def unescape(s):
    if s == "-":
        return b""
    out = bytearray()
    i = 0
    b = s.encode("latin-1")
    while i < len(b):
        if b[i:i + 2] == b"\\\\":
            out += b"\\"
            i += 2
        elif b[i:i + 2] == b"\\x":
            out.append(int(b[i + 2:i + 4], 16))
            i += 4
        else:
            out.append(b[i])
            i += 1
    return bytes(out)


def main():
    args = sys.argv[1:]
    baseline = b""
    if args[0] == "--baseline":
        baseline = open(args[1], "rb").read()
        args = args[2:]
    keys = set()
    with open(args[0], encoding="latin-1") as f:
        for line in f:
            k = unescape(line.rstrip("\n"))
            if len(k) >= 4:
                keys.add(k)
    windows = set()
    for k in keys:
        if len(k) < 8:
            windows.add(k)
        else:
            for i in range(len(k) - 7):
                windows.add(k[i:i + 8])
    in_baseline = set(w for w in windows if w in baseline)
    windows -= in_baseline
    leaks = 0
    for path in args[1:]:
        data = open(path, "rb").read()
        # Index the output's 4-byte grams once, then confirm candidates exactly.
        grams = set(data[i:i + 4] for i in range(len(data) - 3))
        for w in windows:
            if w[:4] in grams and w[-4:] in grams:
                at = data.find(w)
                if at >= 0:
                    leaks += 1
                    print("LEAK %r in %s at offset %d" % (w, path, at))
    print("checked %d keys, %d windows (%d more in baseline)" % (len(keys), len(windows), len(in_baseline)))
    sys.exit(1 if leaks else 0)


main()
