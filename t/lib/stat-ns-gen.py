#!/usr/bin/python3
# stat-ns-gen.py - an events-raw stream (mb-cat text) with namespaced keys, and what mb-stat must report.
#
#   stat-ns-gen.py OUT.txt EXPECT.json SEED
#
# Keys look like "<ns>:<id>:<field>" (plus a few "<ns>/<id>" and undelimited keys); gets hit or miss,
# sets store values. EXPECT.json holds, per first segment (delimiters ":/"), the requests, distinct
# keys, get hits and misses, value bytes (stored + returned by hits); and per key its requests.
import json
import random
import sys

out, expect, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(seed)
spaces = ["user", "session", "feed", "cart", "ab"]
weights = [50, 25, 12, 8, 5]
ns, keys = {}, {}
ts = 1700000000 * 10**9
with open(out, "w") as f:
    f.write("#membench\tversion=1\tkind=events-raw\n")
    for i in range(6000):
        s = rng.choices(spaces, weights)[0]
        r = rng.random()
        if r < 0.02:
            key, first = s, s                          # no delimiter: the key is its namespace
        elif r < 0.1:
            key, first = "%s/%d" % (s, rng.randint(1, 50)), s
        else:
            key, first = "%s:%d:%s" % (s, int(rng.paretovariate(1.2)) % 400, rng.choice(["a", "bb"])), s
        ts += rng.randint(1000, 400000)
        cmd = "set" if rng.random() < 0.2 else "get"
        vlen = rng.randint(1, 3000) if cmd == "set" else 0
        if cmd == "get":
            status = "hit" if rng.random() < 0.7 else "miss"
            resp = rng.randint(1, 3000) if status == "hit" else 0
        else:
            status, resp = "stored", 0
        lat = rng.randint(2000, 90000)
        f.write("ev\t%d.%09d\t%d\ttext/tcp\t%s\t%s\t%s\t%d\t%d\t0\t-\t0\t%d\t%d\n"
                % (ts // 10**9, ts % 10**9, rng.randint(1, 8), cmd, status, key, len(key), vlen, resp, lat))
        e = ns.setdefault(first, {"requests": 0, "keys": set(), "hits": 0, "misses": 0, "bytes": 0})
        e["requests"] += 1
        e["keys"].add(key)
        e["hits"] += status == "hit"
        e["misses"] += status == "miss"
        e["bytes"] += vlen + resp
        keys[key] = keys.get(key, 0) + 1
for e in ns.values():
    e["keys"] = len(e["keys"])
json.dump({"namespaces": ns, "keys": keys}, open(expect, "w"))
