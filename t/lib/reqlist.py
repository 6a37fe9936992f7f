# reqlist.py - memcached requests as tshark sees them, or as mb-parse emitted them, in one canonical form.
#
#   reqlist.py tshark -p PORT [-p PORT...] FILE.pcap     requests from tshark's memcache dissector (PDML)
#   reqlist.py events [FILE]                              requests from mb-cat text (stdin by default)
#
# Output (both modes): the requests of each TCP connection as "cmd<TAB>key" lines (one per key
# of a multi-key get; key escaped as mb-cat does; keyless commands print "-"), each connection
# preceded by "conn", connections sorted by their content (so connection numbering and the
# interleaving of connections do not matter), then "count<TAB>cmd<TAB>N" lines per command.
#
# Only what both sides can say is compared (each difference is deliberate):
#  - TCP only: tshark 4.0's memcache dissector decodes nothing of memcached's UDP frames, so UDP
#    requests are dropped from the events side (the hand-checked expectations cover UDP).
#  - text and binary only: tshark does not know the meta protocol (mg/ms/md/ma/mn/me), nor the
#    text commands gat, gats, touch, verbosity (shown as "Continuation"), or unknown/admin
#    commands; those events are dropped from the events side; tshark-side PDUs without a
#    command are dropped (responses, unknown lines).
#  - direction: tshark labels response lines too (VALUE keys, STAT lines): only PDUs sent to the
#    server port count as requests.
#  - binary opcodes map as event.h says: quiet variants to their command (GETQ/GETK/GETKQ -> get,
#    SETQ -> set, ...), SET/ADD/REPLACE with a non-zero CAS -> cas (memcached performs a CAS then),
#    STAT -> stats, FLUSH -> flush_all, SASL opcodes -> auth.
#  - keys of keyless commands (stats arguments, flush_all delay, verbosity level) are not compared.
import subprocess
import sys
import xml.etree.ElementTree as ET

from mcnames import BIN_OPS, CAS_OPS, TEXT_CMDS, escape

KEYLESS = {"flush_all", "version", "stats", "verbosity", "quit", "noop", "auth"}


def emit(conns):
    blocks = sorted("conn\n" + "".join("%s\t%s\n" % r for r in reqs) for reqs in conns.values() if reqs)
    sys.stdout.write("".join(blocks))
    counts = {}
    for reqs in conns.values():
        for cmd, _ in reqs:
            counts[cmd] = counts.get(cmd, 0) + 1
    for cmd in sorted(counts):
        sys.stdout.write("count\t%s\t%d\n" % (cmd, counts[cmd]))


def fields(elem):
    """(name, show, value) of every field below elem, in document order."""
    for f in elem.iter("field"):
        yield f.get("name"), f.get("show"), f.get("value")


def from_tshark(ports, path):
    args = ["tshark", "-n", "-r", path, "-T", "pdml", "-o", "tcp.desegment_tcp_streams:TRUE"]
    for p in ports:
        args += ["-d", "tcp.port==%d,memcache" % p]
    pdml = subprocess.run(args, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
    conns = {}
    for pkt in ET.fromstring(pdml).iter("packet"):
        protos = {p.get("name"): p for p in pkt.findall("proto")}
        tcp = protos.get("tcp")
        if tcp is None:
            continue
        f = {n: s for n, s, _ in fields(tcp) if n in ("tcp.srcport", "tcp.dstport")}
        ip = protos.get("ip") or protos.get("ipv6")
        src = ""
        if ip is not None:
            src = next((s for n, s, _ in fields(ip) if n in ("ip.src", "ipv6.src")), "")
        if int(f.get("tcp.dstport", -1)) not in ports:
            continue
        key_conn = "%s:%s" % (src, f["tcp.srcport"])
        for pdu in pkt.findall("proto"):
            if pdu.get("name") != "memcache":
                continue
            magic = opcode = cmd = None
            cas = 0
            keys = []
            for n, s, v in fields(pdu):
                if n == "memcache.magic":
                    magic = int(s)
                elif n == "memcache.opcode":
                    opcode = int(s)
                elif n == "memcache.command":
                    cmd = s
                elif n == "memcache.cas":
                    cas = int(s)
                elif n == "memcache.key":
                    keys.append(bytes.fromhex(v or ""))
            if magic is not None:
                if magic != 0x80 or opcode not in BIN_OPS:
                    continue
                cmd = BIN_OPS[opcode]
                if opcode in CAS_OPS and cas:
                    cmd = "cas"
            elif cmd not in TEXT_CMDS:
                continue
            reqs = conns.setdefault(key_conn, [])
            if cmd in KEYLESS:
                reqs.append((cmd, "-"))
            else:
                for k in keys or [b""]:
                    reqs.append((cmd, escape(k)))
    emit(conns)


def from_events(stream):
    conns = {}
    text_known = TEXT_CMDS
    bin_known = set(BIN_OPS.values()) | {"cas"}
    for line in stream:
        p = line.rstrip("\n").split("\t")
        if p[0] != "ev":
            continue
        proto, _, transport = p[3].partition("/")
        cmd, key = p[4], p[6]
        if transport != "tcp":
            continue
        if not ((proto == "text" and cmd in text_known) or (proto == "binary" and cmd in bin_known)):
            continue
        conns.setdefault(p[2], []).append((cmd, "-" if cmd in KEYLESS else key))
    emit(conns)


def main():
    a = sys.argv[1:]
    if a and a[0] == "tshark":
        ports, rest, i = [], [], 1
        while i < len(a):
            if a[i] == "-p":
                ports.append(int(a[i + 1]))
                i += 2
            else:
                rest.append(a[i])
                i += 1
        if len(rest) != 1 or not ports:
            sys.exit("usage: reqlist.py tshark -p PORT... FILE")
        from_tshark(ports, rest[0])
    elif a and a[0] == "events":
        with (open(a[1]) if len(a) > 1 else sys.stdin) as f:
            from_events(f)
    else:
        sys.exit("usage: reqlist.py tshark -p PORT... FILE | reqlist.py events [FILE]")


main()
