# gen.py - writes small memcached pcaps for t2001: one scenario, any link type, IPv4 or IPv6.
#   python3 gen.py SCENARIO LINKTYPE [6] > out.pcap
import struct
import sys

scen, lt = sys.argv[1], int(sys.argv[2])
v6 = len(sys.argv) > 3 and sys.argv[3] == "6"
SPORT = 11211
pkts = []  # (ts_us, ip packet bytes, caplen cut)


def addr(n):
    return (b"\x20\x01\x0d\xb8" + b"\0" * 11 + bytes([n])) if v6 else bytes([10, 0, 0, n])


def ip(src, dst, proto, payload):
    if v6:
        # a hop-by-hop options header in front of the transport
        hbh = bytes([proto, 0]) + b"\x01\x04\0\0\0\0"
        return struct.pack(">IHBB", 0x60000000, len(hbh) + len(payload), 0, 64) + src + dst + hbh + payload
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, 64, proto, 0, src, dst) + payload


def tcp(sp, dp, seq, ack, flags, data):
    return struct.pack(">HHIIBBHHH", sp, dp, seq & 0xffffffff, ack & 0xffffffff, 0x50, flags, 65535, 0, 0) + data


def udp(sp, dp, data):
    return struct.pack(">HHHH", sp, dp, 8 + len(data), 0) + data


class Conn:
    def __init__(self, n, t=1000):
        self.n, self.cport, self.t = n, 40000 + n, t
        self.cseq, self.sseq = 1000 * n, 500000 + 1000 * n
        self.caddr, self.saddr = addr(100 + n % 100), addr(1)

    def seg(self, client, flags, data=b"", seq=None, emit=True, cut=0):
        self.t += 10
        if client:
            s = self.cseq if seq is None else seq
            p = ip(self.caddr, self.saddr, 6, tcp(self.cport, SPORT, s, self.sseq, flags, data))
        else:
            s = self.sseq if seq is None else seq
            p = ip(self.saddr, self.caddr, 6, tcp(SPORT, self.cport, s, self.cseq, flags, data))
        if emit:
            pkts.append((self.t, p, cut))
        return (self.t, p, cut)

    def open(self):
        self.seg(True, 0x02)
        self.cseq += 1
        self.seg(False, 0x12)
        self.sseq += 1
        self.seg(True, 0x10)

    def c(self, data, **kw):
        r = self.seg(True, 0x18, data, **kw)
        self.cseq += len(data)
        return r

    def s(self, data, **kw):
        r = self.seg(False, 0x18, data, **kw)
        self.sseq += len(data)
        return r

    def close(self):
        self.seg(True, 0x11)
        self.cseq += 1
        self.seg(False, 0x11)
        self.sseq += 1
        self.seg(True, 0x10)


def basic(c):
    c.c(b"set k1 0 60 10\r\n0123456789\r\n"); c.s(b"STORED\r\n")
    c.c(b"get k1 k2\r\n"); c.s(b"VALUE k1 0 10\r\n0123456789\r\nEND\r\n")
    c.c(b"delete k2\r\n"); c.s(b"NOT_FOUND\r\n")
    c.c(b"incr n 1\r\n"); c.s(b"5\r\n")
    c.c(b"mg k1 v\r\n"); c.s(b"VA 10\r\n0123456789\r\n")


if scen == "basic":
    c = Conn(1); c.open(); basic(c); c.close()
elif scen == "reorder":
    # the body segment of a set arrives before its header segment; a retransmission; an overlap
    c = Conn(1); c.open()
    hdr, body = b"set k1 0 60 10\r\n", b"0123456789\r\n"
    a = c.seg(True, 0x18, hdr, emit=False)
    b = c.seg(True, 0x18, body, seq=c.cseq + len(hdr), emit=False)
    pkts.extend([b, a, b])
    c.cseq += len(hdr) + len(body)
    c.s(b"STORED\r\n")
    c.c(b"get k1 k2\r\n", emit=True)
    c.s(b"VALUE k1 0 10\r\n0123456789\r\nEND\r\n")
    # overlap: seen bytes again, followed by new ones
    c.seg(True, 0x18, b"k1 k2\r\ndelete k2\r\n", seq=c.cseq - 7)
    c.cseq += 11
    c.s(b"NOT_FOUND\r\n")
    c.c(b"incr n 1\r\n"); c.s(b"5\r\n")
    c.c(b"mg k1 v\r\n"); c.s(b"VA 10\r\n0123456789\r\n")
    c.close()
elif scen == "bodyloss":
    # a 3000-byte value in three segments; the middle one is never captured
    c = Conn(1); c.open()
    v = b"x" * 3000
    c.c(b"set big 0 0 3000\r\n" + v[:1000])
    c.c(v[1000:2000], emit=False)
    c.c(v[2000:] + b"\r\n")
    c.s(b"STORED\r\n")
    c.c(b"get big\r\n"); c.s(b"VALUE big 0 3000\r\n" + v[:1400], ); c.s(v[1400:] + b"\r\nEND\r\n")
    c.close()
elif scen == "reqloss":
    # a whole request is never captured; its reply is; the stream resynchronizes
    c = Conn(1); c.open()
    c.c(b"get a\r\n"); c.s(b"END\r\n")
    c.c(b"set lost 0 0 2\r\nab\r\n", emit=False); c.s(b"STORED\r\n")
    c.c(b"get b\r\n"); c.s(b"VALUE b 0 1\r\nz\r\nEND\r\n")
    c.close()
elif scen == "join":
    # capture starts in the middle of a value body: no SYN, the first bytes are value bytes
    c = Conn(1)
    c.c(b"56789\r\n"); c.s(b"STORED\r\n")
    c.c(b"get k1\r\n"); c.s(b"VALUE k1 0 10\r\n0123456789\r\nEND\r\n")
    c.c(b"delete k1\r\n"); c.s(b"DELETED\r\n")
    c.close()
elif scen == "snap":
    # snap length cuts a segment inside a value body: no desync; one outside: desync
    c = Conn(1); c.open()
    c.c(b"set k 0 0 100\r\n" + b"v" * 100 + b"\r\n", cut=60); c.s(b"STORED\r\n")
    c.c(b"get k\r\nget j\r\n", cut=5); c.s(b"VALUE k 0 100\r\n" + b"v" * 100 + b"\r\nEND\r\nEND\r\n")
    c.c(b"get m\r\n"); c.s(b"END\r\n")
    c.close()
elif scen == "many":
    # N connections open at once, each with one request, replies later
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 2000
    cs = [Conn(i) for i in range(n)]
    for c in cs:
        c.t = 1000
        c.open(); c.c(b"get key%d\r\n" % c.n)
    for c in cs:
        c.t = 100000; c.s(b"END\r\n"); c.close()
elif scen == "binary":
    c = Conn(1); c.open()
    def breq(op, key, extras=b"", value=b"", opaque=0, cas=0):
        return struct.pack(">BBHBBHIIQ", 0x80, op, len(key), len(extras), 0, 0, len(extras) + len(key) + len(value), opaque, cas) + extras + key + value
    def bresp(op, status, value=b"", extras=b"", key=b"", opaque=0):
        return struct.pack(">BBHBBHIIQ", 0x81, op, len(key), len(extras), 0, status, len(extras) + len(key) + len(value), opaque, 0) + extras + key + value
    c.c(breq(0x01, b"a", struct.pack(">II", 0, 30), b"hello", 1)); c.s(bresp(0x01, 0, opaque=1))
    # GETKQ a, GETKQ b (miss), NOOP
    c.c(breq(0x0d, b"a", opaque=2) + breq(0x0d, b"b", opaque=3) + breq(0x0a, b"", opaque=4))
    c.s(bresp(0x0d, 0, b"hello", struct.pack(">I", 0), b"a", opaque=2) + bresp(0x0a, 0, opaque=4))
    c.c(breq(0x04, b"b", opaque=5)); c.s(bresp(0x04, 1, b"Not found", opaque=5))
    c.c(breq(0x05, b"n", struct.pack(">QQI", 1, 0, 0xffffffff), opaque=6)); c.s(bresp(0x05, 1, b"Not found", opaque=6))
    c.close()
elif scen == "udp":
    ca, sa = addr(100), addr(1)
    def frame(rid, seq, cnt, data):
        return struct.pack(">HHHH", rid, seq, cnt, 0) + data
    t = 1000
    pkts.append((t, ip(ca, sa, 17, udp(40000, SPORT, frame(7, 0, 1, b"get big small\r\n"))), 0))
    body = b"VALUE big 0 2000\r\n" + b"b" * 2000 + b"\r\nVALUE small 0 1\r\ns\r\nEND\r\n"
    parts = [body[i:i + 1400] for i in range(0, len(body), 1400)]
    for i, p in enumerate(parts):
        t += 10
        pkts.append((t, ip(sa, ca, 17, udp(SPORT, 40000, frame(7, i, len(parts), p))), 0))
    t += 10
    pkts.append((t, ip(ca, sa, 17, udp(40000, SPORT, frame(8, 0, 1, b"delete small\r\n"))), 0))
    t += 10
    pkts.append((t, ip(sa, ca, 17, udp(SPORT, 40000, frame(8, 0, 1, b"DELETED\r\n"))), 0))
else:
    sys.exit("unknown scenario " + scen)


def link(p):
    et = b"\x86\xdd" if v6 else b"\x08\x00"
    af_le = struct.pack("<I", 10 if v6 else 2)
    af_be = struct.pack(">I", 24 if v6 else 2)
    if lt == 1:
        return b"\x02" * 6 + b"\x04" * 6 + b"\x88\xa8\x00\x05\x81\x00\x00\x06" + et + p
    if lt == 113:
        return struct.pack(">HHH", 0, 1, 6) + b"\x02" * 6 + b"\0\0" + et + p
    if lt == 276:
        return et + b"\0\0" + struct.pack(">IHBB", 1, 1, 0, 6) + b"\x02" * 6 + b"\0\0" + p
    if lt == 0:
        return af_le + p
    if lt == 108:
        return af_be + p
    return p


out = sys.stdout.buffer
out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, lt))
for t, p, cut in pkts:
    f = link(p)
    cap = len(f) - cut
    out.write(struct.pack("<IIII", 1700000000 + t // 1000000, t % 1000000, cap, len(f)) + f[:cap])
