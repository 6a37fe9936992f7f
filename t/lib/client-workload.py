# client-workload.py - bounded workloads of real memcached clients, several connections each, for the stats oracle.
#
#   client-workload.py pylibmc PORT [binary]   pylibmc (libmemcached) text or binary protocol
#   client-workload.py pymemcache PORT         pymemcache (text)
#   client-workload.py meta PORT               a raw socket meta client: quiet pipelines fenced by mn
#   client-workload.py segmented PORT          get/gets lines of 65-400 keys, gat/gats of 65 and 150, in pieces of 1-200
#                                              bytes, each piece its own TCP segment (TCP_NODELAY, 2 ms apart)
#   client-workload.py meta-ambiguous PORT     10 pipelines md a q + md b q + mn, one key present:
#                                              replies no parser can attribute (20 ambiguous events)
#
# Deterministic (fixed seed), three interleaved connections, a few hundred key operations:
# set/add/replace/append/prepend on present and absent keys, get hits and misses, multi-gets
# of up to 150 keys (more than one 64-key step of the parser, lines longer than a segment),
# gets + cas (stored, exists, not found), incr/decr (hits, misses), delete (hits, misses),
# touch (hits, misses). Requests whose memcached accounting events cannot show are left out
# (doc/parse-truth.md): incr/decr that create their item, mg/ma with N, md with I, incr of a
# non-number. The meta client sends quiet pipelines whose replies the wire can attribute
# (ms a 1 q + md nokey q + mn answered NF MN, non-numeric ma errors ...): any `ambiguous`
# event is a failure of the workload. Prints the number of requests (meta: pipelines) sent;
# meta: then the number of ma of a non-number sent.
import random
import socket
import sys

mode, port = sys.argv[1], int(sys.argv[2])
binary = len(sys.argv) > 3 and sys.argv[3] == "binary"
rnd = random.Random(1515)
sent = 0
nonnumeric = 0  # meta: ma of a non-number (CLIENT_ERROR, counted nowhere by memcached)


def k(prefix, i):
    return "%s%s:%d" % (prefix, "b" if binary else "t", i)


def pylibmc_run():
    import pylibmc
    global sent
    cs = [pylibmc.Client(["127.0.0.1:%d" % port], binary=binary, behaviors={"tcp_nodelay": True, "cas": True})
          for _ in range(3)]

    def c():
        return rnd.choice(cs)

    def may_fail(f, *a):
        # the binary protocol reports not found / not stored / exists as exceptions
        try:
            return f(*a)
        except (pylibmc.NotFound, pylibmc.DataExists, pylibmc.DataDoesNotExist):
            return None

    for i in range(200):
        c().set(k("lm", i), b"v" * rnd.randint(1, 3000), time=rnd.choice([0, 0, 3600]))
        sent += 1
    for _ in range(200):
        c().get(k("lm", rnd.randint(0, 299)))
        sent += 1
    for n in (3, 20, 64, 65, 150):
        for _ in range(4):
            c().get_multi([k("lm", rnd.randint(0, 299)) for _ in range(n)])
            sent += 1
    for i in range(30):
        may_fail(c().add, k("lm", i if i % 2 else 1000 + i), b"a")
        may_fail(c().replace, k("lm", i if i % 3 else 2000 + i), b"r")
        may_fail(c().append, k("lm", i if i % 4 else 3000 + i), b"+")
        may_fail(c().prepend, k("lm", i if i % 5 else 4000 + i), b"-")
        sent += 4
    # gets + cas: libmemcached sends a binary cas as SET with a CAS (memcached counts it as cas)
    for i in range(40, 70):
        cl = c()
        val, token = cl.gets(k("lm", i))
        sent += 1
        if token is not None:
            may_fail(cl.cas, k("lm", i), b"c1", token)
            may_fail(cl.cas, k("lm", i), b"c2", token)
            sent += 2
    for i in range(30):
        c().set(k("num", i), b"100")
        sent += 1
    for _ in range(60):
        i = rnd.randint(0, 39)
        may_fail(c().incr if rnd.random() < 0.5 else c().decr, k("num", i), rnd.randint(1, 9))
        sent += 1
    for i in range(100, 150):
        may_fail(c().delete, k("lm", i if i % 3 else 5000 + i))
        sent += 1
    for i in range(150, 190):
        may_fail(c().touch, k("lm", i if i % 2 else 6000 + i), 600)
        sent += 1
    for cl in cs:
        cl.disconnect_all()


def pymemcache_run():
    from pymemcache.client.base import Client
    global sent
    cs = [Client(("127.0.0.1", port), connect_timeout=5, timeout=5, default_noreply=False) for _ in range(3)]

    def c():
        return rnd.choice(cs)

    for i in range(200):
        c().set(k("pm", i), b"v" * rnd.randint(1, 3000))
        sent += 1
    for i in range(200, 240):
        c().set(k("pm", i), b"n", noreply=True)
        sent += 1
    for _ in range(150):
        c().get(k("pm", rnd.randint(0, 299)))
        sent += 1
    for n in (2, 64, 65, 150):
        for _ in range(4):
            c().get_many([k("pm", rnd.randint(0, 299)) for _ in range(n)])
            c().gets_many([k("pm", rnd.randint(0, 299)) for _ in range(n)])
            sent += 2
    for i in range(20):
        c().add(k("pm", i if i % 2 else 1000 + i), b"a")
        c().replace(k("pm", i if i % 3 else 2000 + i), b"r")
        c().append(k("pm", i if i % 4 else 3000 + i), b"+")
        c().prepend(k("pm", i if i % 5 else 4000 + i), b"-")
        sent += 4
    for i in range(40, 60):
        cl = c()
        _, token = cl.gets(k("pm", i))
        sent += 1
        if token is not None:
            cl.cas(k("pm", i), b"c1", token)
            cl.cas(k("pm", i), b"c2", token)
            sent += 2
        cl.cas(k("nocas", i), b"x", b"12345")
        sent += 1
    for i in range(20):
        c().set(k("num", i), b"7")
        sent += 1
    for _ in range(40):
        i = rnd.randint(0, 29)
        (c().incr if rnd.random() < 0.5 else c().decr)(k("num", i), rnd.randint(1, 5))
        sent += 1
    for i in range(100, 140):
        c().delete(k("pm", i if i % 3 else 5000 + i))
        sent += 1
    for i in range(140, 170):
        c().touch(k("pm", i if i % 2 else 6000 + i), 600)
        sent += 1
    for cl in cs:
        cl.close()


class Raw:
    """One raw socket: send requests, read until a reply ends with a marker."""

    def __init__(self):
        self.s = socket.create_connection(("127.0.0.1", port), 5)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def ask(self, req, end=b"MN\r\n"):
        global sent
        sent += 1
        self.s.sendall(req)
        buf = b""
        while not buf.endswith(end):
            d = self.s.recv(65536)
            if not d:
                sys.exit("server closed the connection")
            buf += d
        return buf


def meta_run():
    global nonnumeric
    cs = [Raw() for _ in range(3)]

    def c():
        return rnd.choice(cs)

    for i in range(60):
        c().ask(b"ms mk:%d 2 T0\r\nab\r\nmn\r\n" % i)
    for i in range(20):
        c().ask(b"ms mn:%d 2\r\n10\r\nmn\r\n" % i)
    c().ask(b"ms mtext:0 3\r\nabc\r\nmn\r\n")
    for r in range(40):
        i, j = rnd.randint(0, 89), rnd.randint(0, 89)
        pick = r % 8
        if pick == 0:
            # the example: ms without C never answers NF, md does
            c().ask(b"ms mk:%d 1 q\r\nx\r\nmd mk:%d q\r\nmn\r\n" % (i, 1000 + j))
        elif pick == 1:
            # a non-numeric ma's CLIENT_ERROR belongs to the ma, not to the quiet mg before it
            c().ask(b"mg mk:%d v q\r\nma mtext:0 q\r\nmn\r\n" % i)
            nonnumeric += 1
        elif pick == 2:
            # quiet mgs: hits return VA, misses nothing; k tells them apart
            c().ask(b"mg mk:%d v q k\r\nmg mk:%d v q k\r\nmg mk:%d q k\r\nmn\r\n" % (i, j, 2000 + i))
        elif pick == 3:
            # ma q: success hidden, NF returned; k names the key (three NF-capable requests in a row)
            c().ask(b"ma mn:%d q k\r\nma mn:%d q MD k\r\nma mnone:%d q k\r\nmn\r\n" % (i % 20, j % 20, i))
        elif pick == 4:
            # ms with C: NF and EX are possible, the one without C cannot send them
            c().ask(b"ms mk:%d 1 q C1\r\ny\r\nms mk:%d 1 q\r\ny\r\nmn\r\n" % (3000 + i, j))
        elif pick == 5:
            # ms in add mode on a present key: NS returned under q
            c().ask(b"ms mk:%d 1 q ME\r\nz\r\nmd mk:%d q\r\nmn\r\n" % (i % 60, 4000 + j))
        elif pick == 6:
            # not quiet: every code answered
            c().ask(b"mg mk:%d v\r\nmd mk:%d\r\nma mn:%d\r\nmn\r\n" % (i, 5000 + j, j % 20))
        else:
            # opaques tell two quiet deletes apart
            c().ask(b"md mk:%d q O1\r\nmd mk:%d q O2\r\nmn\r\n" % (6000 + i, 6000 + j))


def segmented_run():
    # get/gets lines of 65 to 400 keys (gat/gats: 65, 150) written in pieces of 1 to 200 bytes, each its own TCP segment
    import time
    global sent
    c = Raw()
    for i in range(100):
        c.ask(b"set seg:%d 0 0 2\r\nab\r\n" % i, b"STORED\r\n")
    # memcached closes a connection whose gat line passes 2048 bytes before its end arrives
    lines = [(n, cmd) for n in (65, 100, 200, 400) for cmd in (b"get", b"gets")] + [(65, b"gat 600"), (150, b"gats 0")]
    for n, cmd in lines:
        line = cmd + b"".join(b" seg:%d" % rnd.randint(0, 199) for _ in range(n)) + b"\r\n"
        at = 0
        while at < len(line):
            step = rnd.randint(1, 200)
            c.s.sendall(line[at:at + step])
            at += step
            time.sleep(0.002)
        sent += 1
        buf = b""
        while not buf.endswith(b"END\r\n"):
            buf += c.s.recv(65536)


def meta_ambiguous_run():
    # md a q + md b q + mn, exactly one of a and b present: NF MN cannot be attributed
    c = Raw()
    for i in range(10):
        c.ask(b"ms amb:%d 1\r\nx\r\nmn\r\n" % (2 * i + i % 2))
        c.ask(b"md amb:%d q\r\nmd amb:%d q\r\nmn\r\n" % (2 * i, 2 * i + 1))


{"pylibmc": pylibmc_run, "pymemcache": pymemcache_run, "meta": meta_run, "meta-ambiguous": meta_ambiguous_run,
 "segmented": segmented_run}[mode]()
print(sent)
if mode == "meta":
    print(nonnumeric)
