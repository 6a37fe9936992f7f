#!/usr/bin/python3
# stat-lru.py - traces for mb-stat's miss-ratio curve and an exact LRU check of its curve.
#
#   stat-lru.py gen OUT.txt EVENTS KEYS SEED      an mb-cat text trace: gets that hit, Zipf-ish keys,
#                                                 one fixed object size per key
#   stat-lru.py check TRACE.txt GOT.json TOL [sim|stack]
#
# check replays the trace through an exact LRU cache at every size of mb-stat's curves (objects
# and bytes) and prints each point where |mb-stat - exact| > TOL. "sim" simulates a real LRU
# cache (OrderedDict; a miss inserts the object, then the coldest objects go until the total fits,
# which drops the new object itself when it alone is larger than the cache) at each size; "stack"
# computes exact LRU stack distances once (Fenwick tree) for long traces. Object size = key
# length + value length, as mb-stat counts it.
import bisect
import collections
import json
import random
import sys


def gen(out, n, nkeys, seed):
    rnd = random.Random(seed)
    weights = [1.0 / (r ** 0.8) for r in range(1, nkeys + 1)]
    ids = [rnd.getrandbits(64) | 1 for _ in range(nkeys)]
    klen = [rnd.randint(8, 40) for _ in range(nkeys)]
    vlen = [rnd.randint(1, 3000) for _ in range(nkeys)]
    picks = rnd.choices(range(nkeys), weights, k=n)
    with open(out, "w") as f:
        f.write("#membench\tversion=1\tkind=events-hashed\tprogram=stat-lru\n")
        for i, k in enumerate(picks):
            f.write("ev\t1700000000.%09d\t1\ttext/tcp\tget\thit\t@%016x\t%d\t0\t0\t-\t0\t%d\t1000\n"
                    % (i * 1000, ids[k], klen[k], vlen[k]))


def read_trace(path):
    refs = []
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if f[0] == "ev":
            refs.append((f[6], int(f[7]) + int(f[12])))
    return refs


def sim_objects(refs, cap):
    c = collections.OrderedDict()
    miss = 0
    for k, _ in refs:
        if k in c:
            c.move_to_end(k)
        else:
            miss += 1
            c[k] = True
            if len(c) > cap:
                c.popitem(last=False)
    return miss / len(refs)


def sim_bytes(refs, cap):
    c = collections.OrderedDict()
    total = miss = 0
    for k, size in refs:
        if k in c:
            c.move_to_end(k)
            continue
        miss += 1
        c[k] = size
        total += size
        while total > cap:
            _, s = c.popitem(last=False)
            total -= s
    return miss / len(refs)


def stack_distances(refs):
    """Per reference: None (first) or (distinct keys since, their bytes + own size)."""
    n = len(refs)
    cnt = [0] * (n + 1)
    byt = [0] * (n + 1)

    def add(i, c, b):
        i += 1
        while i <= n:
            cnt[i] += c
            byt[i] += b
            i += i & -i

    def prefix(i):
        i += 1
        c = b = 0
        while i > 0:
            c += cnt[i]
            b += byt[i]
            i -= i & -i
        return c, b

    last, out = {}, []
    tc = tb = 0
    for t, (k, size) in enumerate(refs):
        if k in last:
            lt, ls = last[k]
            c, b = prefix(lt)
            out.append((tc - c, tb - b + size))
            add(lt, -1, -ls)
            tc -= 1
            tb -= ls
        else:
            out.append(None)
        add(t, 1, size)
        tc += 1
        tb += size
        last[k] = (t, size)
    return out


def check(trace, got_path, tol, method):
    refs = read_trace(trace)
    mrc = json.load(open(got_path))["cache"]["mrc"]
    if method == "stack":
        dists = stack_distances(refs)
        dobj = sorted(d[0] for d in dists if d is not None)
        dbytes = sorted(d[1] for d in dists if d is not None)
    bad = 0
    worst = 0.0
    for kind in ("objects", "bytes"):
        for size, mr in mrc[kind]:
            if method == "sim":
                exact = sim_objects(refs, int(size)) if kind == "objects" else sim_bytes(refs, int(size))
            else:
                # objects: hit when fewer than `size` other keys came since; bytes: when they and the object fit
                hits = bisect.bisect_left(dobj, size) if kind == "objects" else bisect.bisect_right(dbytes, size)
                exact = 1 - hits / len(refs)
            worst = max(worst, abs(mr - exact))
            if abs(mr - exact) > tol:
                bad += 1
                print("%s size %g: mb-stat %.4f, exact LRU %.4f" % (kind, size, mr, exact))
    print("# %d points, largest difference %.4f, sampling rate %g" % (
        len(mrc["objects"]) + len(mrc["bytes"]), worst, mrc["rate"]))
    return 1 if bad else 0


if sys.argv[1] == "gen":
    gen(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
else:
    sys.exit(check(sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5] if len(sys.argv) > 5 else "sim"))
