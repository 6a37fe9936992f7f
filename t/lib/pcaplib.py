# pcaplib.py - minimal pcap/pcapng record walking and IPv4/IPv6 TCP/UDP header decoding for the test helpers.
import struct


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


def packet_times(buf):
    """Yield (ts_ns, linktype, data) of every packet of a pcap or pcapng capture."""
    if buf[:4] == b"\x0a\x0d\x0d\x0a":
        pos, e, ifs = 0, "<", []
        while pos + 12 <= len(buf):
            btype = struct.unpack_from(e + "I", buf, pos)[0]
            if btype == 0x0A0D0D0A:
                e = "<" if buf[pos + 8:pos + 12] == b"\x4d\x3c\x2b\x1a" else ">"
                ifs = []
            blen = struct.unpack_from(e + "I", buf, pos + 4)[0]
            if blen < 12 or pos + blen > len(buf):
                break
            if btype == 1:
                link, res = struct.unpack_from(e + "H", buf, pos + 8)[0], 10**3
                o = pos + 16
                while o + 4 <= pos + blen - 4:
                    code, olen = struct.unpack_from(e + "HH", buf, o)
                    if code == 0:
                        break
                    if code == 9 and olen >= 1:
                        r = buf[o + 4]
                        res = 10**9 // (10 ** r) if not r & 0x80 else None
                        if r & 0x80:
                            res = 10**9 / (2 ** (r & 0x7f))
                    o += 4 + (olen + 3) // 4 * 4
                ifs.append((link, res))
            elif btype == 6:
                iface, hi, lo, caplen = struct.unpack_from(e + "IIII", buf, pos + 8)
                link, res = ifs[iface]
                yield int(((hi << 32) | lo) * res), link, buf[pos + 28:pos + 28 + caplen]
            pos += blen
        return
    e = "<" if buf[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    nano = buf[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    for start, end, linktype, data in packets_pcap(buf):
        sec, frac = struct.unpack_from(e + "II", buf, start)
        yield sec * 10**9 + frac * (1 if nano else 1000), linktype, data
