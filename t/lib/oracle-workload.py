# oracle-workload.py - a bounded mixed memcached workload from real clients (pymemcache + raw meta/text socket).
#
#   oracle-workload.py PORT
#
# Runs against 127.0.0.1:PORT, deterministic (fixed seed), a few thousand requests:
#   pymemcache (text): set (with and without noreply), get hits and misses, get_many, add,
#     replace, append, prepend (stored and not stored), gets + cas (stored, exists,
#     not found), incr/decr (hits and misses), delete (hits, misses, noreply), touch
#     (hits and misses);
#   a raw socket: gat/gats, meta ms/mg/md/ma with and without q, pipelines closed by mn;
#   a raw binary socket: SET/ADD/REPLACE/APPEND/PREPEND, GET/GETK, CAS (SET with a CAS),
#     INCR/DECR, TOUCH, GAT, quiet GETQ/GETKQ and DELETEQ fenced by NOOP, DELETE;
#   last, flush_all and gets of flushed keys.
# Requests whose memcached accounting is ambiguous or special (mg with T or N, ms with C,
# ma with N, incr of a non-number) are left out: memcached's stats must be derivable from
# the events alone. Prints one line with the number of requests sent.
import random
import socket
import struct
import sys

from pymemcache.client.base import Client

port = int(sys.argv[1])
rnd = random.Random(4242)
sent = 0


def k(prefix, i):
    return "%s:%d" % (prefix, i)


c = Client(("127.0.0.1", port), connect_timeout=5, timeout=5, default_noreply=False)

# Stores: 300 keys with replies, 60 with noreply.
for i in range(300):
    c.set(k("py", i), b"v" * rnd.randint(1, 300), expire=rnd.choice([0, 0, 3600]))
    sent += 1
for i in range(300, 360):
    c.set(k("py", i), b"n" * rnd.randint(1, 50), noreply=True)
    sent += 1

# Gets: hits and misses.
for _ in range(500):
    c.get(k("py", rnd.randint(0, 599)))
    sent += 1
# Multi-key gets.
for _ in range(60):
    c.get_many([k("py", rnd.randint(0, 599)) for _ in range(rnd.randint(2, 7))])
    sent += 1

# add / replace / append / prepend, each on present and absent keys.
for i in range(40):
    c.add(k("py", i if i % 2 else 1000 + i), b"a")
    c.replace(k("py", i if i % 3 else 2000 + i), b"r")
    c.append(k("py", i if i % 4 else 3000 + i), b"+")
    c.prepend(k("py", i if i % 5 else 4000 + i), b"-")
    sent += 4

# gets + cas: the right token (stored), a stale one (exists), a missing key (not found).
for i in range(50, 90):
    _, token = c.gets(k("py", i))
    sent += 1
    if token is not None:
        c.cas(k("py", i), b"c1", token)
        c.cas(k("py", i), b"c2", token)
        sent += 2
    c.cas(k("nocas", i), b"x", b"12345")
    sent += 1

# incr / decr: numeric keys (hits) and missing keys (misses).
for i in range(30):
    c.set(k("num", i), b"100")
    sent += 1
for _ in range(80):
    i = rnd.randint(0, 44)
    if rnd.random() < 0.5:
        c.incr(k("num", i), rnd.randint(1, 9))
    else:
        c.decr(k("num", i), rnd.randint(1, 9))
    sent += 1

# delete: hits, misses, noreply.
for i in range(100, 160):
    c.delete(k("py", i if i % 3 else 5000 + i))
    sent += 1
for i in range(160, 180):
    c.delete(k("py", i), noreply=True)
    sent += 1

# touch: hits and misses.
for i in range(180, 240):
    c.touch(k("py", i if i % 2 else 6000 + i), 600)
    sent += 1
c.close()

# Raw socket: gat/gats and meta commands.
s = socket.create_connection(("127.0.0.1", port), 5)
buf = b""


def ask(req, end):
    """Send req, read until the reply ends with end."""
    global buf, sent
    s.sendall(req)
    while not buf.endswith(end):
        d = s.recv(65536)
        if not d:
            sys.exit("server closed the connection")
        buf += d
    buf = b""


for i in range(240, 260):
    ask(b"gat 300 %s\r\n" % k("py", i if i % 2 else 7000 + i).encode(), b"END\r\n")
    ask(b"gats 300 %s %s\r\n" % (k("py", i).encode(), k("py", 7100 + i).encode()), b"END\r\n")
    sent += 2
for i in range(100):
    key = k("meta", i).encode()
    ask(b"ms %s 3 T0\r\n123\r\n" % key, b"HD\r\n")
    sent += 1
for i in range(150):
    key = k("meta", rnd.randint(0, 199)).encode()
    s.sendall(b"mg %s v\r\n" % key)
    sent += 1
    while not (buf.endswith(b"EN\r\n") or (buf.startswith(b"VA") and buf.count(b"\r\n") == 2)):
        buf += s.recv(65536)
    buf = b""
# Quiet pipelines closed by mn: ms q (success hidden), mg q (miss hidden), md q, ma q.
# Each carries an opaque (O) or asks for the key (k), as pipelining clients do: without
# them a returned NF could belong to any of several quiet md/ma, and no parser can know.
for r in range(20):
    reqs = []
    for j in range(5):
        i = rnd.randint(0, 249)
        key = k("meta", i).encode()
        op = rnd.choice(["ms", "mg", "md", "ma", "mgv"])
        opq = b"O%d" % (r * 10 + j)
        if op == "ms":
            reqs.append(b"ms %s 2 q %s\r\n10\r\n" % (key, opq))
        elif op == "mg":
            reqs.append(b"mg %s q %s\r\n" % (key, opq))
        elif op == "mgv":
            reqs.append(b"mg %s v q k\r\n" % key)
        elif op == "md":
            reqs.append(b"md %s q %s\r\n" % (key, opq))
        else:
            reqs.append(b"ma %s q %s%s\r\n" % (key, opq, b" MD" if j % 2 else b""))
    ask(b"".join(reqs) + b"mn\r\n", b"MN\r\n")
    sent += len(reqs) + 1
# Plain meta deletes and arithmetic with replies.
for i in range(200, 260):
    ask(b"ma %s\r\n" % k("meta", i).encode(), b"\r\n")
    ask(b"md %s\r\n" % k("meta", i).encode(), b"\r\n")
    sent += 2
s.close()

# Raw binary protocol: every keyed opcode family, hits and misses, quiet gets fenced by NOOP.
b = socket.create_connection(("127.0.0.1", port), 5)
opaque = 0


def breq(op, key=b"", extras=b"", value=b"", cas=0):
    global opaque
    opaque += 1
    body = extras + key + value
    return struct.pack(">BBHBBHIIQ", 0x80, op, len(key), len(extras), 0, 0, len(body), opaque, cas) + body


def bread(n):
    """Read n binary responses; return their (opcode, status, cas) list."""
    global bbuf
    out = []
    while len(out) < n:
        while len(bbuf) < 24 or len(bbuf) < 24 + struct.unpack(">I", bbuf[8:12])[0]:
            d = b.recv(65536)
            if not d:
                sys.exit("server closed the binary connection")
            bbuf += d
        blen = struct.unpack(">I", bbuf[8:12])[0]
        out.append((bbuf[1], struct.unpack(">H", bbuf[6:8])[0], struct.unpack(">Q", bbuf[16:24])[0]))
        bbuf = bbuf[24 + blen:]
    return out


bbuf = b""
SET_EXTRAS = struct.pack(">II", 0, 0)
for i in range(40):
    key = k("bin", i).encode()
    b.sendall(breq(0x01, key, SET_EXTRAS, b"%d" % (i * 7)))               # SET
    b.sendall(breq(0x02, key if i % 2 else k("binadd", i).encode(), SET_EXTRAS, b"a"))  # ADD
    b.sendall(breq(0x03, key if i % 3 else k("binrep", i).encode(), SET_EXTRAS, b"r"))  # REPLACE
    b.sendall(breq(0x00, k("bin", i + 20).encode()))                        # GET hit or miss
    b.sendall(breq(0x0c, k("bin", i + 30).encode()))                        # GETK
    bread(5)
    sent += 5
for i in range(40):
    key = k("bin", i).encode()
    b.sendall(breq(0x0e, key if i % 4 else k("binapp", i).encode(), b"", b"+"))   # APPEND
    b.sendall(breq(0x0f, key if i % 5 else k("binpre", i).encode(), b"", b"-"))   # PREPEND
    bread(2)
    sent += 2
# CAS through SET with the CAS of a fresh store: right one (stored), stale one (exists),
# and a missing key (not found).
for i in range(40, 60):
    key = k("bin", i).encode()
    b.sendall(breq(0x01, key, SET_EXTRAS, b"10"))
    (_, _, cas), = bread(1)
    b.sendall(breq(0x01, key, SET_EXTRAS, b"11", cas=cas))
    b.sendall(breq(0x01, key, SET_EXTRAS, b"12", cas=cas))
    b.sendall(breq(0x01, k("bincasmiss", i).encode(), SET_EXTRAS, b"13", cas=cas))
    bread(3)
    sent += 4
# INCR/DECR on numbers (hits) and missing keys with no auto-create (expiry 0xffffffff: misses).
for i in range(40, 70):
    ext = struct.pack(">QQI", 3, 0, 0xFFFFFFFF)
    b.sendall(breq(0x05 if i % 2 else 0x06, k("bin", i).encode(), ext))
    bread(1)
    sent += 1
# TOUCH and GAT, hits and misses.
for i in range(0, 30):
    ext = struct.pack(">I", 600)
    b.sendall(breq(0x1c, k("bin", i if i % 2 else 900 + i).encode(), ext))
    b.sendall(breq(0x1d, k("bin", i if i % 3 else 950 + i).encode(), ext))
    bread(2)
    sent += 2
# Quiet gets (GETQ, GETKQ: misses stay silent) closed by NOOP.
for r in range(10):
    reqs = [breq(0x09 if j % 2 else 0x0d, k("bin", rnd.randint(0, 120)).encode()) for j in range(6)]
    b.sendall(b"".join(reqs) + breq(0x0a))
    while True:
        if bread(1)[0][0] == 0x0a:
            break
    sent += 7
# DELETE hits and misses, and quiet DELETEQ (success silent) fenced by NOOP.
for i in range(0, 40):
    b.sendall(breq(0x04, k("bin", i if i % 2 else 990 + i).encode()))
    bread(1)
    sent += 1
b.sendall(b"".join(breq(0x14, k("bin", i).encode()) for i in range(40, 50)) + breq(0x0a))
while bread(1)[0][0] != 0x0a:
    pass
sent += 11
b.close()

# flush_all, then gets of keys that were there (misses; memcached counts them in
# get_misses and get_flushed).
c = Client(("127.0.0.1", port), connect_timeout=5, timeout=5, default_noreply=False)
c.flush_all()
for i in range(20):
    c.get(k("py", i))
sent += 21
c.close()
print("requests", sent)
