#!/usr/bin/python3
# stat-gen.py - write an mb-cat text stream with known parameters and the exact figures mb-stat must report.
#
#   stat-gen.py OUT.txt EXPECT.json [seed]
#
# Keys follow exact Zipf counts (count(rank) = round(C * rank^-S)), every other value is drawn
# from a seeded generator and recorded, so EXPECT.json holds what a correct mb-stat computes.
import json
import math
import random
import sys

S = 0.9          # Zipf exponent of the key counts
KEYS = 3000      # distinct keys
C = 4000         # count of the most popular key
CONNS = 37
WINDOW = 1.0

out, expect_path = sys.argv[1], sys.argv[2]
rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 7)

keys = []
for r in range(1, KEYS + 1):
    kid = rnd.getrandbits(64) | 1
    keys.append({
        "id": kid,
        "count": max(1, round(C * r ** -S)),
        "klen": rnd.randint(4, 120),
        "vlen": 0 if r % 97 == 0 else int(math.exp(rnd.uniform(0, math.log(200000)))),
    })
refs = [k for k in keys for _ in range(k["count"])]
rnd.shuffle(refs)

t0 = 1700000000 * 10**9 + 123
ts = t0
lines = []
events = []
for i, k in enumerate(refs):
    ts += int(rnd.expovariate(1 / 40000.0))  # mean 40 us
    conn = rnd.randint(1, CONNS)
    u = rnd.random()
    if u < 0.75:
        cmd, proto = "get", "text"
    elif u < 0.80:
        cmd, proto = "get", "meta"
    elif u < 0.95:
        cmd, proto = "set", "text"
    elif u < 0.98:
        cmd, proto = "delete", "binary"
    else:
        cmd, proto = "touch", "text"
    ttl, vlen, resp, flags = 0, 0, 0, "-"
    lat = rnd.randint(1000, 900000)
    if cmd == "get":
        status = "hit" if rnd.random() < 0.8 else "miss"
        resp = k["vlen"] if status == "hit" else 0
    elif cmd == "set":
        status = "stored"
        vlen = k["vlen"]
        ttl = rnd.choice([0, 0, 60, 300, 3600, 86400])
    elif cmd == "delete":
        status = rnd.choice(["deleted", "not_found"])
    else:
        status = "touched"
        ttl = 120
    v = rnd.random()
    if v < 0.01:
        status, lat, resp = "server_error", lat, 0
    elif v < 0.02:
        status, lat, resp = "unanswered", 0, 0
    elif v < 0.04:
        status, lat, resp, flags = "none", 0, 0, "noreply"
    events.append((ts, conn, cmd, proto, status, k, vlen, ttl, resp, lat))
    lines.append("ev\t%d.%09d\t%d\t%s/tcp\t%s\t%s\t@%016x\t%d\t%d\t%d\t%s\t0\t%d\t%d" % (
        ts // 10**9, ts % 10**9, conn, proto, cmd, status, k["id"], k["klen"], vlen, ttl, flags, resp, lat))
    if i == len(refs) // 2:
        for _ in range(25):
            ts += 1000
            lines.append("ev\t%d.%09d\t%d\ttext/tcp\tversion\tok\t@0000000000000000\t0\t0\t0\t-\t0\t0\t%d" % (ts // 10**9, ts % 10**9, 1, 5000))
            events.append((ts, 1, "version", "text", "ok", None, 0, 0, 0, 5000))

with open(out, "w") as f:
    f.write("#membench\tversion=1\tkind=events-hashed\tprogram=stat-gen\n")
    f.write("\n".join(lines) + "\n")
    f.write("sum\tmb-parse\tdesyncs=3\tevictions=2\tunparsed_bytes=17\n")


def pct(vals, p):
    """Nearest rank."""
    s = sorted(vals)
    if not s:
        return 0
    r = max(1, math.ceil(p / 100 * len(s) - 1e-9))
    return s[r - 1]


def dist(vals):
    return {"count": len(vals), "max": max(vals) if vals else 0,
            "mean": sum(vals) / len(vals) if vals else 0,
            **{n: pct(vals, p) for n, p in (("p50", 50), ("p90", 90), ("p99", 99), ("p99.9", 99.9))}}


n = len(events)
cmds, protos = {}, {}
for e in events:
    cmds[e[2]] = cmds.get(e[2], 0) + 1
    protos[e[3]] = protos.get(e[3], 0) + 1
keyed = [e for e in events if e[5] is not None]
klen = {"all": [e[5]["klen"] for e in keyed],
        "get": [e[5]["klen"] for e in keyed if e[2] == "get"],
        "set": [e[5]["klen"] for e in keyed if e[2] == "set"],
        "other": [e[5]["klen"] for e in keyed if e[2] in ("delete", "touch")]}
vset = [e[6] for e in keyed if e[2] == "set"]
vget = [e[8] for e in keyed if e[2] == "get" and e[4] == "hit" and e[8] > 0]
ttl = [e[7] for e in keyed if e[2] in ("set", "touch")]
iat = [events[i][0] - events[i - 1][0] for i in range(1, n)]
last, iatc = {}, []
for e in events:
    if e[1] in last:
        iatc.append(e[0] - last[e[1]])
    last[e[1]] = e[0]
lat = {}
for e in events:
    if e[4] not in ("none", "unanswered"):
        lat.setdefault(e[2], []).append(e[9])
persec, perwin = {}, {}
for e in events:
    s = (e[0] - t0) // 10**9
    persec[s] = persec.get(s, 0) + 1
    w = int((e[0] - t0) // int(WINDOW * 1e9))
    perwin[w] = perwin.get(w, 0) + 1
nsec = max(persec) + 1
counts = sorted((k["count"] for k in keys), reverse=True)
top1 = math.ceil(KEYS * 0.01)
hits = {"get": 0}
misses = {"get": 0}
for e in events:
    if e[2] == "get":
        hits["get"] += e[4] == "hit"
        misses["get"] += e[4] == "miss"
top = sorted(keys, key=lambda k: (-k["count"], k["id"]))[:10]
expect = {
    "events": n, "keyed": len(keyed), "distinct_keys": KEYS, "connections": len(last),
    "commands": cmds, "protocols": protos,
    "answered": sum(1 for e in events if e[4] not in ("none", "unanswered")),
    "unanswered": sum(1 for e in events if e[4] == "unanswered"),
    "server_error": sum(1 for e in events if e[4] == "server_error"),
    "key_size": {c: dist(v) for c, v in klen.items()},
    "value_set": dist(vset), "value_get": dist(vget), "ttl": dist(ttl),
    "iat": dist(iat), "iat_conn": dist(iatc),
    "latency": {c: dist(v) for c, v in lat.items()},
    "per_second": [persec.get(i, 0) for i in range(nsec)],
    "windows": [perwin.get(i, 0) for i in range(max(perwin) + 1)],
    "mean_ops": n / nsec, "peak_ops": max(persec.values()),
    "zipf_s": S, "top1pct_keys": top1, "top1pct_share": sum(counts[:top1]) / len(keyed),
    "one_hit": sum(1 for c in counts if c == 1),
    "top": [["@%016x" % k["id"], k["count"]] for k in top],
    "get_hits": hits["get"], "get_misses": misses["get"],
    "key_bytes": sum(klen["all"]), "value_bytes_stored": sum(vset), "value_bytes_returned": sum(vget),
    "upstream": {"mb-parse": {"desyncs": 3, "evictions": 2, "unparsed_bytes": 17}},
}
with open(expect_path, "w") as f:
    json.dump(expect, f)
