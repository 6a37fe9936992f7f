# profile-units.py - print the time and latency unit exponents of every events block of a profile (doc/profile.md).
#
# usage: profile-units.py PROFILE
# One line per events block: "E_ts E_lat" (the low four bits of the first byte of the ts
# and lat columns). Written from doc/profile.md, apart from common/profile_read.c; the
# zstd command decompresses each block's payload.
import struct
import subprocess
import sys


def uvarint(b, pos):
    v = shift = 0
    while True:
        c = b[pos]
        pos += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if not c & 0x80:
            return v, pos


buf = open(sys.argv[1], "rb").read()
assert buf[:8] == b"MBPROFIL", "not a profile"
pos = 20 + struct.unpack_from("<I", buf, 16)[0] + 4
while pos + 28 <= len(buf):
    assert buf[pos:pos + 4] == b"MBBK", "bad block at %d" % pos
    btype, stored = buf[pos + 4], struct.unpack_from("<I", buf, pos + 8)[0]
    if btype == 1:
        dec = subprocess.run(["zstd", "-q", "-d", "-c"], input=buf[pos + 28:pos + 28 + stored], capture_output=True,
                             check=True).stdout
        ncols, p = uvarint(dec, 0)
        lens = []
        for _ in range(ncols):
            n, p = uvarint(dec, p)
            lens.append(n)
        starts = [p + sum(lens[:c]) for c in range(ncols)]
        print(dec[starts[2]] & 15, dec[starts[4]] & 15)
    pos += 28 + stored
