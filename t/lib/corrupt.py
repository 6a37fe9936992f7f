#!/usr/bin/python3
"""corrupt.py - write damaged copies of a file: truncations and single-byte flips at random offsets.

usage: corrupt.py FILE SEED COUNT OUTDIR
Writes OUTDIR/cut-N (FILE cut to a random length in 0..size-1) and OUTDIR/flip-N
(one random byte XORed with a random non-zero value), N = 1..COUNT, and prints
one line per file: "name offset".
"""
import os
import random
import sys

path, seed, count, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
data = open(path, "rb").read()
rnd = random.Random(seed)
os.makedirs(out, exist_ok=True)
for i in range(1, count + 1):
    at = rnd.randrange(len(data))
    open(os.path.join(out, "cut-%d" % i), "wb").write(data[:at])
    print("cut-%d %d" % (i, at))
    at = rnd.randrange(len(data))
    flipped = bytearray(data)
    flipped[at] ^= rnd.randrange(1, 256)
    open(os.path.join(out, "flip-%d" % i), "wb").write(bytes(flipped))
    print("flip-%d %d" % (i, at))
