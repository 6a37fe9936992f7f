#!/usr/bin/python3
"""keyleak.py - report raw key bytes that leaked into binary outputs (the privacy test of mb-anon / mb-pack).

usage: keyleak.py KEYS.txt OUTPUT...
KEYS.txt holds one raw key per line, escaped as mb-cat prints keys (\\xNN, \\\\).
Every key of at least 4 bytes is checked: the whole key when shorter than 8
bytes, else every 8-byte window of it, must not occur in any OUTPUT. Prints
"checked N keys, W windows" and, for each leak, "LEAK key in file at offset";
exits 1 on a leak.
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
    keys = set()
    with open(sys.argv[1], encoding="latin-1") as f:
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
    leaks = 0
    for path in sys.argv[2:]:
        data = open(path, "rb").read()
        # Index the output's 4-byte grams once, then confirm candidates exactly.
        grams = set(data[i:i + 4] for i in range(len(data) - 3))
        for w in windows:
            if w[:4] in grams and w[-4:] in grams:
                at = data.find(w)
                if at >= 0:
                    leaks += 1
                    print("LEAK %r in %s at offset %d" % (w, path, at))
    print("checked %d keys, %d windows" % (len(keys), len(windows)))
    sys.exit(1 if leaks else 0)


main()
