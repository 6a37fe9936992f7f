# bench-pack-clients.py - a cache-aside pymemcache workload for bench-pack-clients.sh: what a web application's connection pool sends.
#
# usage: bench-pack-clients.py PORT [OPS]
# Four pymemcache connections, used in turn at random; OPS (default 100000) key operations
# over 20,000 objects of Zipf(0.9) popularity: get, and on a miss set with a TTL of 300 s
# and the object's own size (log-uniform 50-5000 bytes, fixed per object); 5% updates (set,
# one in five with a new size), 2% get_many of 2-20 keys, 1% delete. Deterministic (seed).
# Prints the number of operations sent.
import bisect
import random
import sys

from pymemcache.client.base import Client

port = int(sys.argv[1])
ops = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
rnd = random.Random(4242)
objects = 20000
cum, s = [], 0.0
for r in range(1, objects + 1):
    s += 1.0 / r ** 0.9
    cum.append(s)
ids = list(range(objects))
rnd.shuffle(ids)  # popularity rank -> object id
size = [int(50 * 100 ** rnd.random()) for _ in range(objects)]
clients = [Client(("127.0.0.1", port), no_delay=True) for _ in range(4)]


def pick():
    return ids[bisect.bisect_left(cum, rnd.random() * s)]


def key(i):
    return "app:obj:%d" % i


sent = 0
while sent < ops:
    c = rnd.choice(clients)
    u = rnd.random()
    i = pick()
    if u < 0.01:
        c.delete(key(i), noreply=False)
    elif u < 0.03:
        c.get_many([key(pick()) for _ in range(rnd.randint(2, 20))])
    elif u < 0.08:
        if rnd.random() < 0.2:
            size[i] = int(50 * 100 ** rnd.random())
        c.set(key(i), b"x" * size[i], expire=300, noreply=False)
    else:
        if c.get(key(i)) is None:
            c.set(key(i), b"x" * size[i], expire=300, noreply=False)
            sent += 1
    sent += 1
for c in clients:
    c.close()
print(sent)
