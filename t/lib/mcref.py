# mcref.py - a deliberately simple, independent decoder of memcached requests in TCP streams (a second opinion to tshark).
#
#   mcref.py -p PORT [--all] FILE.pcap
#
# TCP reassembly is tshark's (`-z follow,tcp,raw`); this script only splits the client byte
# stream of each connection into requests, following memcached's own reading rules:
# one line per text command, the value of a well-formed storage command skipped by its length
# (a malformed one is not: memcached reads the next line as a command), binary requests framed
# by their 24-byte header (a connection is binary when its first byte is 0x80).
# Output: reqlist.py's canonical form. Without --all only what tshark can report is listed
# (classic text commands and binary); --all adds meta (mg -> get, ms -> set/add/..., md ->
# delete, ma -> incr/decr, mn -> noop, me -> debug), gat/gats/touch, and unknown lines.
import base64
import subprocess
import sys

from mcnames import BIN_OPS, CAS_OPS, TEXT_CMDS, escape

KEYLESS = {"flush_all", "version", "stats", "verbosity", "quit", "noop", "auth", "unknown", "admin"}
STORE = {"set", "add", "replace", "append", "prepend"}
MS_MODES = {"E": "add", "A": "append", "P": "prepend", "R": "replace", "S": "set"}


def streams(path, port):
    """{stream index: client bytes} for connections to port, via tshark's reassembly."""
    idx = subprocess.run(["tshark", "-n", "-r", path, "-Y", "tcp.port==%d" % port, "-T", "fields", "-e", "tcp.stream"],
                         check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.split()
    idx = sorted({int(i) for i in idx})
    if not idx:
        return {}
    args = ["tshark", "-n", "-r", path, "-q"]
    for i in idx:
        args += ["-z", "follow,tcp,raw,%d" % i]
    text = subprocess.run(args, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.decode()
    out = {}
    for block in text.split("Follow: tcp,raw")[1:]:
        lines = block.splitlines()
        stream = int(lines[1].split()[-1])
        node0_port = int(lines[2].rsplit(":", 1)[1])
        client_is_node0 = node0_port != port
        data = bytearray()
        for ln in lines[4:]:
            if ln.startswith("====="):
                break
            indented = ln.startswith("\t")
            if indented != client_is_node0:
                data += bytes.fromhex(ln.strip())
        out[stream] = bytes(data)
    return out


def num(t, lo, hi):
    try:
        v = int(t)
    except ValueError:
        return False
    return lo <= v <= hi


def text_requests(data):
    reqs, pos = [], 0
    while pos < len(data):
        nl = data.find(b"\n", pos)
        if nl < 0:
            break
        line = data[pos:nl].rstrip(b"\r")
        pos = nl + 1
        tok = line.split()
        if not tok:
            continue
        cmd = tok[0].decode("latin-1")
        if cmd in STORE or cmd == "cas":
            # memcached: flags u32, exptime signed, 0 <= bytes <= INT_MAX - 2, cas unique u64
            want = 6 if cmd == "cas" else 5
            ok = (len(tok) in (want, want + 1) and len(tok[1]) <= 250 and num(tok[2], 0, 2**32 - 1)
                  and num(tok[3], -2**31, 2**31 - 1) and num(tok[4], 0, 2**31 - 3)
                  and (cmd != "cas" or num(tok[5], 0, 2**64 - 1)))
            if ok:
                pos += int(tok[4]) + 2
                reqs.append((cmd, [tok[1]]))
            else:
                reqs.append(("malformed-" + cmd, [tok[1]] if len(tok) > 1 else []))
        elif cmd in ("get", "gets"):
            reqs.append((cmd, tok[1:]))
        elif cmd in ("gat", "gats"):
            reqs.append((cmd, tok[2:]))
        elif cmd in ("delete", "incr", "decr", "touch"):
            reqs.append((cmd, tok[1:2]))
        elif cmd in ("flush_all", "version", "stats", "verbosity", "quit"):
            reqs.append((cmd, []))
        elif cmd in ("mg", "ms", "md", "ma", "mn", "me"):
            key = tok[1] if len(tok) > 1 and cmd != "mn" else b""
            flags = [t.decode("latin-1") for t in tok[2:]]
            if cmd == "ms":
                flags = flags[1:]
                if len(tok) > 2 and tok[2].isdigit():
                    pos += int(tok[2]) + 2
            if "b" in flags:
                key = base64.b64decode(key)
            name = {"mg": "get", "ms": "set", "md": "delete", "ma": "incr", "mn": "noop", "me": "debug"}[cmd]
            for f in flags:
                if cmd == "ms" and f.startswith("M") and f[1:2].upper() in MS_MODES:
                    name = MS_MODES[f[1:2].upper()]
                if cmd == "ma" and f.startswith("M") and f[1:2] in ("D", "d", "-"):
                    name = "decr"
            reqs.append(("meta-" + name, [key] if key else []))
        else:
            reqs.append(("unknown", []))
    return reqs


def binary_requests(data):
    reqs, pos = [], 0
    while pos + 24 <= len(data) and data[pos] == 0x80:
        op, klen, elen = data[pos + 1], int.from_bytes(data[pos + 2:pos + 4], "big"), data[pos + 4]
        blen = int.from_bytes(data[pos + 8:pos + 12], "big")
        cas = int.from_bytes(data[pos + 16:pos + 24], "big")
        key = data[pos + 24 + elen:pos + 24 + elen + klen]
        cmd = BIN_OPS.get(op, "unknown")
        if op in CAS_OPS and cas:
            cmd = "cas"
        reqs.append(("bin-" + cmd, [key] if klen else []))
        pos += 24 + blen
    return reqs


def main():
    a = sys.argv[1:]
    show_all = "--all" in a
    a = [x for x in a if x != "--all"]
    if len(a) != 3 or a[0] != "-p":
        sys.exit("usage: mcref.py -p PORT [--all] FILE")
    port, path = int(a[1]), a[2]
    blocks, counts = [], {}
    for _, data in sorted(streams(path, port).items()):
        reqs = binary_requests(data) if data[:1] == b"\x80" else text_requests(data)
        lines = []
        for cmd, keys in reqs:
            if cmd.startswith("bin-"):
                cmd = cmd[4:]
            elif not (cmd in TEXT_CMDS) and not show_all:
                continue
            for k in ([b""] if cmd in KEYLESS or not keys else keys):
                lines.append("%s\t%s\n" % (cmd, "-" if cmd in KEYLESS else escape(k)))
                counts[cmd] = counts.get(cmd, 0) + 1
        if lines:
            blocks.append("conn\n" + "".join(lines))
    sys.stdout.write("".join(sorted(blocks)))
    for cmd in sorted(counts):
        sys.stdout.write("count\t%s\t%d\n" % (cmd, counts[cmd]))


main()
