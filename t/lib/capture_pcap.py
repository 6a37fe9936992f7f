#!/usr/bin/python3
"""capture_pcap.py - write synthetic pcap/pcapng captures of memcached-like traffic for mb-capture's tests and benchmark.

usage: capture_pcap.py OUT [--count N] [--link NAME] [--ipv6] [--ipv6-every K] [--vlan] [--udp-every K]
                           [--other-every K] [--port P] [--format pcap|pcap-be|pcap-ns|pcapng|pcapng-be]
                           [--tsresol V] [--spb-every K] [--payload N]

Packets alternate client->server request and server->client reply on --port (TCP, every
--udp-every-th one UDP; IPv6 with --ipv6, or every --ipv6-every-th); every --other-every-th packet goes to port 80 instead, so a port
filter has something to drop. Link layers: en10mb, raw (101), raw12 (DLT_RAW value 12 in the
file), ipv4 (228), ipv6 (229), sll (113), sll2 (276), null (0), loop (108). Deterministic:
packet i's timestamp is 1700000000 s + i ms + 7 us.
"""
import argparse
import struct
import sys

BIG_ENDIAN = False  # set by main from --format
LINKS = {"en10mb": 1, "raw": 101, "raw12": 12, "ipv4": 228, "ipv6": 229, "sll": 113, "sll2": 276, "null": 0, "loop": 108}


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip_packet(i, v6, udp, sport, dport, payload):
    if udp:
        l4 = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
        proto = 17
    else:
        l4 = struct.pack("!HHIIBBHHH", sport, dport, 1000 + i, 2000 + i, 5 << 4, 0x18, 65535, 0, 0) + payload
        proto = 6
    if v6:
        src, dst = b"\0" * 15 + b"\1", b"\0" * 15 + b"\2"
        return struct.pack("!IHBB", 6 << 28, len(l4), proto, 64) + src + dst + l4
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), i & 0xFFFF, 0x4000, 64, proto, 0,
                      bytes([127, 0, 0, 1]), bytes([127, 0, 0, 2]))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + l4


def frame(link, i, v6, vlan, udp, sport, dport, payload):
    ip = ip_packet(i, v6, udp, sport, dport, payload)
    et = 0x86DD if v6 else 0x0800
    if link == "en10mb":
        mac = b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02"
        if vlan:
            return mac + struct.pack("!HHH", 0x8100, 100, et) + ip
        return mac + struct.pack("!H", et) + ip
    if link in ("raw", "raw12", "ipv4", "ipv6"):
        return ip
    if link == "sll":
        return struct.pack("!HHH8sH", 0, 772, 6, b"\0" * 8, et) + ip
    if link == "sll2":
        return struct.pack("!HHIHBB8s", et, 0, 1, 772, 0, 6, b"\0" * 8) + ip
    family = 30 if v6 else 2  # AF_INET6 (as on FreeBSD/macOS) / AF_INET
    if link == "null":  # host order of the writer: the file's byte order
        return struct.pack(">I" if BIG_ENDIAN else "<I", family) + ip
    return struct.pack("!I", family) + ip  # loop: network order


def packets(a):
    for i in range(a.count):
        other = a.other_every and i % a.other_every == a.other_every - 1
        port = 80 if other else a.port
        udp = bool(a.udp_every) and i % a.udp_every == a.udp_every - 1
        reply = i % 2 == 1
        payload = (b"VALUE k%d 0 1\r\nx\r\nEND\r\n" % i) if reply else (b"get k%d\r\n" % i)
        if a.payload:
            payload = (payload * (a.payload // len(payload) + 1))[:a.payload]
        sport, dport = (port, 40000 + i % 1000) if reply else (40000 + i % 1000, port)
        v6 = a.ipv6 or a.link == "ipv6" or (a.link != "ipv4" and bool(a.ipv6_every) and i % a.ipv6_every == a.ipv6_every - 1)
        yield 1700000000 * 10**9 + i * 10**6 + 7000, frame(a.link, i, v6, a.vlan, udp, sport, dport, payload)


def write_pcap(out, a):
    be = a.format == "pcap-be"
    nsec = a.format == "pcap-ns"
    e = ">" if be else "<"
    out.write(struct.pack(e + "IHHiIII", 0xA1B23C4D if nsec else 0xA1B2C3D4, 2, 4, 0, 0, 262144, LINKS[a.link]))
    rec = struct.Struct(e + "IIII")
    buf = []
    for ts, f in packets(a):
        sec, ns = divmod(ts, 10**9)
        buf.append(rec.pack(sec, ns if nsec else ns // 1000, len(f), len(f)))
        buf.append(f)
        if len(buf) >= 8192:
            out.write(b"".join(buf))
            buf = []
    out.write(b"".join(buf))


def block(e, btype, body):
    body += b"\0" * (-len(body) % 4)
    n = len(body) + 12
    return struct.pack(e + "II", btype, n) + body + struct.pack(e + "I", n)


def write_pcapng(out, a):
    e = ">" if a.format == "pcapng-be" else "<"
    out.write(block(e, 0x0A0D0D0A, struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1)))
    opts = b""
    res = 6
    if a.tsresol is not None:
        res = a.tsresol
        opts += struct.pack(e + "HHB3x", 9, 1, res)
    opts += struct.pack(e + "HH", 0, 0)
    out.write(block(e, 1, struct.pack(e + "HHI", LINKS[a.link], 0, 0) + opts))
    out.write(block(e, 0xABCD, b"unknown block type, skipped by length"))
    for i, (ts, f) in enumerate(packets(a)):
        if a.spb_every and i % a.spb_every == a.spb_every - 1:
            out.write(block(e, 3, struct.pack(e + "I", len(f)) + f))
            continue
        if res & 0x80:
            units = ts * (1 << (res & 0x7F)) // 10**9
        else:
            units = ts * 10**res // 10**9
        out.write(block(e, 6, struct.pack(e + "IIIII", 0, units >> 32, units & 0xFFFFFFFF, len(f), len(f)) + f))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--link", default="en10mb", choices=sorted(LINKS))
    p.add_argument("--ipv6", action="store_true")
    p.add_argument("--ipv6-every", type=int, default=0)
    p.add_argument("--vlan", action="store_true")
    p.add_argument("--udp-every", type=int, default=0)
    p.add_argument("--other-every", type=int, default=0)
    p.add_argument("--port", type=int, default=11211)
    p.add_argument("--format", default="pcap", choices=["pcap", "pcap-be", "pcap-ns", "pcapng", "pcapng-be"])
    p.add_argument("--tsresol", type=lambda s: int(s, 0))
    p.add_argument("--spb-every", type=int, default=0)
    p.add_argument("--payload", type=int, default=0)
    a = p.parse_args()
    global BIG_ENDIAN
    BIG_ENDIAN = a.format.endswith("-be")
    with (sys.stdout.buffer if a.out == "-" else open(a.out, "wb")) as out:
        (write_pcapng if a.format.startswith("pcapng") else write_pcap)(out, a)


if __name__ == "__main__":
    main()
