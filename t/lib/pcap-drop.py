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
import struct
import sys


def parse_l4(linktype, data):
    """(proto, flowkey, payload_len) or None: flowkey names one direction of a connection."""
    off = 0
    if linktype == 1:
        if len(data) < 14:
            return None
        et = struct.unpack_from("!H", data, 12)[0]
        off = 14
        while et in (0x8100, 0x88a8) and len(data) >= off + 4:
            et = struct.unpack_from("!H", data, off + 2)[0]
            off += 4
    elif linktype == 113:
        if len(data) < 16:
            return None
        et = struct.unpack_from("!H", data, 14)[0]
        off = 16
    elif linktype == 0:
        if len(data) < 4:
            return None
        fam = struct.unpack_from("<I", data, 0)[0]
        et = 0x0800 if fam == 2 else 0x86dd
        off = 4
    elif linktype in (101, 12, 14, 228, 229):
        if not data:
            return None
        et = 0x0800 if data[0] >> 4 == 4 else 0x86dd
    else:
        return None
    if et == 0x0800:
        if len(data) < off + 20:
            return None
        ihl = (data[off] & 15) * 4
        total = struct.unpack_from("!H", data, off + 2)[0]
        proto = data[off + 9]
        src, dst = data[off + 12:off + 16], data[off + 16:off + 20]
        l4 = off + ihl
        end = min(len(data), off + total)
    elif et == 0x86dd:
        if len(data) < off + 40:
            return None
        plen = struct.unpack_from("!H", data, off + 4)[0]
        proto = data[off + 6]
        src, dst = data[off + 8:off + 24], data[off + 24:off + 40]
        l4 = off + 40
        end = min(len(data), l4 + plen)
    else:
        return None
    if proto == 6 and end >= l4 + 20:
        sp, dp = struct.unpack_from("!HH", data, l4)
        doff = (data[l4 + 12] >> 4) * 4
        return ("tcp", (src, sp, dst, dp), max(0, end - l4 - doff))
    if proto == 17 and end >= l4 + 8:
        sp, dp = struct.unpack_from("!HH", data, l4)
        return ("udp", (src, sp, dst, dp), end - l4 - 8)
    return None


def packets_pcap(buf):
    """Yield (start, end, linktype, data) of each record of a classic pcap."""
    magic = buf[:4]
    e = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    linktype = struct.unpack_from(e + "I", buf, 20)[0] & 0x0fffffff
    pos = 24
    while pos + 16 <= len(buf):
        caplen = struct.unpack_from(e + "I", buf, pos + 8)[0]
        end = pos + 16 + caplen
        if end > len(buf):
            break
        yield pos, end, linktype, buf[pos + 16:end]
        pos = end


def packets_pcapng(buf):
    """Yield (start, end, linktype or None, data or None) of each block of a pcapng."""
    pos, e, links = 0, "<", []
    while pos + 12 <= len(buf):
        btype = struct.unpack_from(e + "I", buf, pos)[0]
        if btype == 0x0A0D0D0A:
            e = "<" if buf[pos + 8:pos + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            links = []
        blen = struct.unpack_from(e + "I", buf, pos + 4)[0]
        if blen < 12 or pos + blen > len(buf):
            break
        if btype == 1:
            links.append(struct.unpack_from(e + "H", buf, pos + 8)[0])
        if btype == 6:
            iface, caplen = struct.unpack_from(e + "I", buf, pos + 8)[0], struct.unpack_from(e + "I", buf, pos + 20)[0]
            yield pos, pos + blen, links[iface] if iface < len(links) else None, buf[pos + 28:pos + 28 + caplen]
        elif btype == 3:
            yield pos, pos + blen, links[0] if links else None, buf[pos + 16:pos + blen - 4]
        else:
            yield pos, pos + blen, None, None
        pos += blen


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
