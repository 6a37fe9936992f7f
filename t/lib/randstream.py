#!/usr/bin/python3
"""randstream.py - write a random membench stream of every frame type (doc/stream.md), from the spec alone.

usage: randstream.py KIND SEED COUNT > out   (KIND: packets, events-raw, events-hashed)
Independent of common/stream.c on purpose: the round-trip test compares the two.
"""
import random
import struct
import sys

KINDS = {"packets": 1, "events-raw": 2, "events-hashed": 3}


def frame(ftype, flags, payload):
    return struct.pack("<HHI", ftype, flags, len(payload)) + payload


def header(kind, rnd):
    meta = b""
    for i in range(rnd.randint(0, 5)):
        key = ("k%d" % i).encode()
        val = bytes(rnd.choice(b"abc xyz\\\t\x01=:/") for _ in range(rnd.randint(0, 30)))
        meta += struct.pack("<B", len(key)) + key + struct.pack("<H", len(val)) + val
    return b"MBSTREAM" + struct.pack("<HHI", 2, kind, len(meta)) + meta


# The event extension (stream version 2): u8 length, u16 has, the fields of the set bits in bit order.
SEM_FIELDS = ["<Q", "<Q", "<Q", "<Q", "<Q", "<i", "<i", "<I", "<B"]


def sem(rnd):
    if rnd.random() < 0.5:
        return b""
    has = rnd.randint(1, 511)
    body = struct.pack("<H", has)
    for bit, fmt in enumerate(SEM_FIELDS):
        if has >> bit & 1:
            if bit == 0:  # meta flag letters: mostly real letters, now and then bits past z
                v = rnd.getrandbits(52) if rnd.random() < 0.8 else rnd.getrandbits(64)
            elif fmt == "<i":
                v = rnd.randint(-2**31, 2**31 - 1)
            elif bit == 8:
                v = rnd.choice([ord("E"), ord("+"), ord("-"), ord("I"), rnd.getrandbits(8)])
            else:
                v = rnd.getrandbits(8 * struct.calcsize(fmt))
            body += struct.pack(fmt, v)
    return struct.pack("<B", len(body)) + body


def event(kind, rnd):
    key_len = rnd.choice([0, 1, 3, 10, 250, rnd.randint(0, 300)])
    fixed = struct.pack(
        "<QQIIIIiHHBBBB",
        rnd.getrandbits(64), rnd.getrandbits(64), rnd.getrandbits(32), rnd.getrandbits(32),
        rnd.getrandbits(32), rnd.getrandbits(32), rnd.randint(-2**31, 2**31 - 1),
        rnd.getrandbits(16), key_len,
        rnd.randint(0, 5), rnd.randint(0, 4), rnd.randint(0, 30), rnd.randint(0, 16))
    if kind == 3:
        return fixed + struct.pack("<Q", rnd.getrandbits(64)) + sem(rnd)
    special = rnd.random()
    if special < 0.05 and key_len >= 1:
        key = b"@" + bytes(rnd.getrandbits(8) for _ in range(key_len - 1))
    elif special < 0.1 and key_len == 1:
        key = b"-"
    else:
        key = bytes(rnd.getrandbits(8) for _ in range(key_len))
    return fixed + key + sem(rnd)


def packet(rnd):
    caplen = rnd.choice([0, 1, 60, 1514, rnd.randint(0, 4000)])
    return struct.pack("<QIIII", rnd.getrandbits(64), caplen, rnd.getrandbits(32),
                       rnd.getrandbits(32), rnd.getrandbits(32)) + bytes(rnd.getrandbits(8) for _ in range(caplen))


def summary(rnd):
    prog = b"mb-" + bytes(rnd.choice(b"abcdefgh") for _ in range(rnd.randint(1, 10)))
    n = rnd.randint(0, 20)
    out = struct.pack("<B", len(prog)) + prog + struct.pack("<H", n)
    for i in range(n):
        name = ("c.%d_" % i).encode() + bytes(rnd.choice(b"abc.:_") for _ in range(rnd.randint(0, 8)))
        out += struct.pack("<B", len(name)) + name + struct.pack("<Q", rnd.getrandbits(64))
    return out


def main():
    kind = KINDS[sys.argv[1]]
    rnd = random.Random(int(sys.argv[2]))
    count = int(sys.argv[3])
    out = bytearray(header(kind, rnd))
    for _ in range(count):
        r = rnd.random()
        if r < 0.8:
            out += frame(1, 0, packet(rnd)) if kind == 1 else frame(2, 0, event(kind, rnd))
        elif r < 0.9:
            out += frame(3, 0, summary(rnd))
        else:
            t = rnd.choice([4, 6, 99, 0x4000, 0xffff])  # unknown types (5 is SERVER)
            out += frame(t, rnd.getrandbits(16), bytes(rnd.getrandbits(8) for _ in range(rnd.randint(0, 100))))
    sys.stdout.buffer.write(out)


main()
