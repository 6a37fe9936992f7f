#!/usr/bin/python3
"""workload.py - the real client traffic behind the bundled demo capture (scripts/demo-data/demo.pcap).

usage: workload.py PORT [OPS] [SECONDS]
Drives memcached on 127.0.0.1:PORT with pymemcache from 16 client threads (one TCP connection
each): Zipf-like key popularity over 2000 keys in three namespaces, a cache-aside pattern
(get; on a miss, set with a TTL), some multi-key gets, deletes, counters, add/replace/touch,
paced to a steady rate so the capture has realistic timing.
"""
import random
import sys
import threading
import time

from pymemcache.client.base import Client

PORT = int(sys.argv[1])
OPS = int(sys.argv[2]) if len(sys.argv) > 2 else 6000
SECONDS = float(sys.argv[3]) if len(sys.argv) > 3 else 6.0
THREADS = 16
KEYS = 2000
NAMESPACES = ("user", "session", "feed")


def key_of(rank):
    ns = NAMESPACES[rank % 3]
    return "%s:%d:%s" % (ns, rank, "profile" if ns == "user" else "v2")


def value_size(rank):
    r = random.Random(rank)
    return int(10 * (100 ** r.random()))  # log-uniform 10 B .. 1 KB


def worker(tid, ops, start, interval):
    rnd = random.Random(tid)
    ranks = list(range(1, KEYS + 1))
    weights = [1.0 / r ** 0.9 for r in ranks]
    c = Client(("127.0.0.1", PORT), connect_timeout=2, timeout=5)
    for i in range(ops):
        due = start + (i * THREADS + tid) * interval
        now = time.time()
        if due > now:
            time.sleep(due - now)
        rank = rnd.choices(ranks, weights)[0]
        key = key_of(rank)
        u = rnd.random()
        if u < 0.70:
            if c.get(key) is None:
                c.set(key, b"x" * value_size(rank), expire=rnd.choice((0, 60, 300, 3600)))
        elif u < 0.78:
            keys = [key_of(rnd.choices(ranks, weights)[0]) for _ in range(rnd.randint(2, 6))]
            c.get_many(keys)
        elif u < 0.88:
            c.set(key, b"y" * value_size(rank), expire=300, noreply=rnd.random() < 0.3)
        elif u < 0.92:
            c.delete(key, noreply=False)
        elif u < 0.95:
            ck = "counter:%d" % (rank % 50)
            if c.incr(ck, 1) is None:
                c.add(ck, b"0", noreply=False)
        elif u < 0.97:
            c.add(key, b"z" * value_size(rank), noreply=False)
        elif u < 0.99:
            c.touch(key, 600, noreply=False)
        else:
            c.replace(key, b"r" * value_size(rank), noreply=False)
    c.close()


def main():
    per = OPS // THREADS
    interval = SECONDS / (per * THREADS)
    start = time.time() + 0.2
    threads = [threading.Thread(target=worker, args=(t, per, start, interval)) for t in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


main()
