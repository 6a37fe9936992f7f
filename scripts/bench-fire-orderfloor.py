#!/usr/bin/env python3
"""bench-fire-orderfloor.py - the lateness an ideal sender keeping the per-key order would get from a given server (a model).

usage: mb-cat PROFILE | bench-fire-orderfloor.py REPORT.json... > line

The peer of mb-fire's fidelity figure with the per-key order on. An ideal sender sends
each request at its intended time at no cost, unless the order holds it: a request waits
for the answer to the last write of its key from another connection, a write also for
the answers to the reads of its key from other connections since that write, and a
request never overtakes the one before it on its connection (mb-fire's rules,
doc/mb-fire.md). Each request is answered after an answer time drawn at random from the
server's measured ones: the `latency_actual` histograms of the gets and sets in mb-fire's
JSON reports (from the actual send), best taken from runs with --no-order on the same
server and profile. Draws are independent, so the stalls of a real server, which delay
every answer at once, are spread out here: a model of what the order costs with that
server, not a measurement.

One line on stdout, the median over three seeds:
  p50_us p90_us p99_us p999_us WAITED
"""
import json
import random
import sys

WRITES = {'set', 'add', 'replace', 'append', 'prepend', 'cas', 'delete', 'incr', 'decr',
          'touch', 'gat', 'gats'}


def answer_times(paths):
    """The cumulative (count, low_ns, high_ns) buckets of the reports' get and set answer times."""
    buckets = []
    for path in paths:
        with open(path) as f:
            rep = json.load(f)
        for cmd in ('get', 'set'):
            hist = rep.get('commands', {}).get(cmd, {}).get('latency_actual')
            if hist:
                buckets += [(lo, hi, n) for lo, hi, n in hist['buckets']]
    cum, total = [], 0
    for lo, hi, n in sorted(buckets):
        total += n
        cum.append((total, lo, hi))
    if not total:
        sys.exit('bench-fire-orderfloor: no get or set answer times in the reports')
    return cum, total


def events(lines):
    """(time_ns, conn, cmd, key) of each event line of mb-cat's text form."""
    for line in lines:
        if line.startswith('ev\t'):
            f = line.rstrip('\n').split('\t')
            sec, frac = f[1].split('.')
            yield int(sec) * 10**9 + int(frac.ljust(9, '0')[:9]), f[2], f[4], f[6]


def replay(evs, cum, total, seed):
    rnd = random.Random(seed)
    keys = [c for c, _, _ in cum]

    def answer_ns():
        x = rnd.randrange(total)
        lo_i, hi_i = 0, len(keys) - 1
        while lo_i < hi_i:  # first bucket whose running count exceeds x
            mid = (lo_i + hi_i) // 2
            if keys[mid] > x:
                hi_i = mid
            else:
                lo_i = mid + 1
        _, lo, hi = cum[lo_i]
        return rnd.uniform(lo, hi)

    conn_sent, last_write, reads, late = {}, {}, {}, []
    for t, conn, cmd, key in evs:
        ready = max(t, conn_sent.get(conn, 0))
        w = last_write.get(key)
        if w and w[0] != conn:
            ready = max(ready, w[1])
        is_write = cmd in WRITES
        if is_write:
            for rconn, answered in reads.get(key, {}).items():
                if rconn != conn:
                    ready = max(ready, answered)
        answered = ready + answer_ns()
        conn_sent[conn] = ready
        if is_write:
            last_write[key] = (conn, answered)
            reads[key] = {}
        else:
            r = reads.setdefault(key, {})
            r[conn] = max(r.get(conn, 0), answered)
        late.append(ready - t)
    late.sort()
    n = len(late)
    pick = [late[min(n - 1, int(p * n))] / 1e3 for p in (0.5, 0.9, 0.99, 0.999)]
    return pick + [sum(1 for x in late if x > 0)]


def main():
    if len(sys.argv) < 2:
        sys.exit('usage: mb-cat PROFILE | bench-fire-orderfloor.py REPORT.json...')
    cum, total = answer_times(sys.argv[1:])
    evs = list(events(sys.stdin))
    runs = sorted((replay(evs, cum, total, seed) for seed in (1, 2, 3)), key=lambda r: r[2])
    mid = runs[1]
    print('%.1f %.1f %.1f %.1f %d' % tuple(mid))


if __name__ == '__main__':
    main()
